/*
 * report.c — an import report as text: one line per section, one
 * indented line per item skipped or value dropped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmlconf_int.h"

/* Appends to the new string *s (which the caller frees). */
static void
cat(char **s, const char *fmt, ...)
{
	va_list	 ap;
	char	*t, *n;

	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) == -1)
		t = NULL;
	va_end(ap);
	n = xasprintf("%s%s", *s, t != NULL ? t : "");
	free(t);
	free(*s);
	*s = n;
}

static void
lines(char **s, json_t *list, const char *what)
{
	json_t		*e;
	size_t		 i;
	const char	*field;

	json_array_foreach(list, i, e) {
		field = json_string_value(json_object_get(e, "field"));
		cat(s, "    %s%s: %s: %s%s%s\n", what, cfg_str(e, "item"),
		    cfg_str(e, "reason"), field ? field : "", field ? ": " : "",
		    cfg_str(e, "message"));
	}
}

char *
xmlconf_report_text(json_t *rep)
{
	json_t		*sec, *ign;
	const char	*name;
	char		*s = xstrdup("");
	size_t		 i;

	cat(&s, "%s: %s: %s\n", cfg_str(rep, "document"),
	    cfg_str(rep, "result"), cfg_str(rep, "message"));
	if (*cfg_str(rep, "config_hash") != '\0')
		cat(&s, "config hash %s\n", cfg_str(rep, "config_hash"));
	json_object_foreach(json_object_get(rep, "sections"), name, sec) {
		cat(&s, "  %-12s imported %lld, skipped %lld\n", name,
		    (long long)json_integer_value(json_object_get(sec,
		    "imported")), (long long)json_integer_value(
		    json_object_get(sec, "skipped")));
		lines(&s, json_object_get(sec, "items"), "skipped ");
		lines(&s, json_object_get(sec, "notes"), "note: ");
	}
	ign = json_object_get(rep, "ignored");
	if (json_array_size(ign) > 0) {
		cat(&s, "  not mapped (ignored):");
		for (i = 0; i < json_array_size(ign); i++)
			cat(&s, " %s", json_string_value(json_array_get(ign,
			    i)));
		cat(&s, "\n");
	}
	return s;
}
