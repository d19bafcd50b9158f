/*
 * cli_xml.c — `twinwall import-xml` and `twinwall export-xml`: an
 * OPNsense config.xml into the store and back (xmlconf/).
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "store_dir.h"
#include "config.h"
#include "store.h"
#include "util.h"
#include "xmlconf.h"

int
cli_import_xml(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ "partial", no_argument, NULL, 'p' },
		{ "report", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct cfg_ctx	 ctx;
	struct store	*st;
	const char	*data = NULL, *fmt = "text";
	char		*dir = NULL, *text;
	json_t		*rep = NULL;
	int		 ch, flags = 0, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		case 'p': flags |= XMLCONF_PARTIAL; break;
		case 'r': fmt = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind != 1 || data == NULL || (strcmp(fmt, "text") != 0 &&
	    strcmp(fmt, "json") != 0))
		goto usage;
	if ((dir = store_dir_path(data, 1)) == NULL ||
	    (st = store_dir_open(dir)) == NULL) {
		free(dir);
		return 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = st;
	ctx.c_user = "import-xml";
	rc = xmlconf_import_file(&ctx, argv[optind], flags, &rep);
	if (strcmp(fmt, "json") == 0)
		text = json_dumps(rep, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	else
		text = xmlconf_report_text(rep);
	fputs(text != NULL ? text : "", rc == 0 ? stdout : stderr);
	if (strcmp(fmt, "json") == 0)
		fputs("\n", rc == 0 ? stdout : stderr);
	if (rc == 0 && strcmp(fmt, "text") == 0)
		printf("apply it with: twinwall apply --data %s\n", dir);
	free(text);
	json_decref(rep);
	store_dir_close(st, dir);
	free(dir);
	return rc == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: twinwall %s\n", CLI_IMPORT_XML_USAGE);
	return 2;
}

int
cli_export_xml(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct store	*st;
	const char	*data = NULL, *file = NULL;
	char		*dir = NULL, *xml;
	size_t		 len = 0;
	int		 ch, ret = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind > 1 || data == NULL)
		goto usage;
	if (optind < argc)
		file = argv[optind];
	if ((dir = store_dir_path(data, 0)) == NULL ||
	    (st = store_dir_open(dir)) == NULL) {
		free(dir);
		return 1;
	}
	if ((xml = xmlconf_export(st, 1, &len)) == NULL) {
		fprintf(stderr, "twinwall: cannot read the configuration\n");
		goto err;
	}
	if (file == NULL || strcmp(file, "-") == 0) {
		if (fwrite(xml, 1, len, stdout) != len ||
		    fflush(stdout) == EOF) {
			fprintf(stderr, "twinwall: stdout: %s\n",
			    strerror(errno));
			goto err;
		}
	} else if (util_write_file(file, xml, len, 0600) == -1) {
		fprintf(stderr, "twinwall: %s: %s\n", file, strerror(errno));
		goto err;
	}
	ret = 0;
err:
	if (xml != NULL) {
		explicit_bzero(xml, len);
		free(xml);
	}
	store_dir_close(st, dir);
	free(dir);
	return ret;
usage:
	fprintf(stderr, "usage: twinwall %s\n", CLI_EXPORT_XML_USAGE);
	return 2;
}
