/*
 * cli_xml.h — the config.xml commands of `twinwall` (main.c's table).
 */
#ifndef TW_CLI_XML_H
#define TW_CLI_XML_H

#define CLI_IMPORT_XML_USAGE	"import-xml --data DIR [--partial] " \
	"[--report json|text] FILE"
#define CLI_EXPORT_XML_USAGE	"export-xml --data DIR [FILE]"

/* Exit codes: 0 done, 1 failed (reported), 2 usage. */
int	cli_import_xml(int argc, char **argv);
int	cli_export_xml(int argc, char **argv);

#endif
