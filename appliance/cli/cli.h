/*
 * cli.h — the local commands: `twinwall <command>` (main.c's table).
 *
 * Owns: the command line, and the commands that work on a store
 * directly (check, import, export, passwd, apikey, import-xml, sync)
 * or talk to a running daemon over its control socket (apply, status,
 * the DHCP client's hook).
 * May call: every module below it (config, apply, render, xmlconf, sync,
 * base) and the entry points of the daemon, the console and the web
 * API's limit table. Nothing calls into cli/.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#define CLI_IMPORT_XML_USAGE	"import-xml --data DIR [--partial] " \
	"[--report json|text] FILE"
#define CLI_EXPORT_XML_USAGE	"export-xml --data DIR [FILE]"

/* Exit codes: 0 done, 1 failed (reported), 2 usage. */
int	cli_import_xml(int argc, char **argv);	/* cli_xml.c */
int	cli_export_xml(int argc, char **argv);
int	cli_sync(int argc, char **argv);	/* cli_sync.c */
int	cli_dhcp_event(int argc, char **argv);	/* cli_dhcp.c: dhcpcd's hook */

#endif
