/*
 * validate.c — field-level checks: one function per field type, driven by
 * the section's field table. Values arrive as JSON (string, number,
 * boolean or, for lists, an array) and leave as normalised strings.
 *
 * Every value, whatever its type, is first checked to be valid UTF-8
 * without control characters: nothing that reaches a rendered ruleset or
 * a log line can carry a newline, a NUL or an escape sequence.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"
#include "model_int.h"

#define DEFAULT_TEXT_MAX	255

void
cfg_errors_init(struct cfg_errors *e, const char *key)
{
	e->e_obj = json_object();
	e->e_key = key;
}

void
cfg_errors_free(struct cfg_errors *e)
{
	json_decref(e->e_obj);
	e->e_obj = NULL;
}

void
cfg_error(struct cfg_errors *e, const char *field, const char *fmt, ...)
{
	char	 msg[512], key[160];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(key, sizeof(key), "%s.%s", e->e_key, field);
	/* The first message per field is the one that explains. */
	if (json_object_get(e->e_obj, key) == NULL)
		json_object_set_new(e->e_obj, key, json_string(msg));
}

int
cfg_errors_any(const struct cfg_errors *e)
{
	return json_object_size(e->e_obj) > 0;
}

const char *
cfg_str(json_t *row, const char *field)
{
	const char *s = json_string_value(json_object_get(row, field));

	return s ? s : "";
}

json_t *
cfg_rows(json_t *snap, const char *section)
{
	json_t *rows;

	rows = json_object_get(json_object_get(snap, "sections"), section);
	return json_is_array(rows) ? rows : NULL;
}

json_t *
cfg_row_find(json_t *rows, const char *field, const char *value)
{
	json_t	*row;
	size_t	 i;

	json_array_foreach(rows, i, row)
		if (strcmp(cfg_str(row, field), value) == 0)
			return row;
	return NULL;
}

int
cfg_bool(json_t *row, const char *field)
{
	return strcmp(cfg_str(row, field), "1") == 0;
}

long
cfg_int(json_t *row, const char *field, long dflt)
{
	const char	*s = cfg_str(row, field);
	char		*end;
	long		 v;

	if (*s == '\0')
		return dflt;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return dflt;
	return v;
}

int
cfg_check_addr(const char *s, int family)
{
	unsigned char buf[16];

	if ((family == 0 || family == 4) && inet_pton(AF_INET, s, buf) == 1)
		return 1;
	if ((family == 0 || family == 6) && inet_pton(AF_INET6, s, buf) == 1)
		return 1;
	return 0;
}

/* Parses "addr/bits"; 1 when valid with no host bits set. */
int
cfg_check_cidr(const char *s, int family)
{
	unsigned char	 buf[16];
	char		 addr[INET6_ADDRSTRLEN + 1], *end;
	const char	*slash = strchr(s, '/');
	long		 bits;
	int		 fam, max, i;
	size_t		 len;

	if (slash == NULL || (len = (size_t)(slash - s)) >= sizeof(addr))
		return 0;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, buf) == 1) {
		fam = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, buf) == 1) {
		fam = 6;
		max = 128;
	} else
		return 0;
	if (family != 0 && family != fam)
		return 0;
	if (!isdigit((unsigned char)slash[1]))
		return 0;
	errno = 0;
	bits = strtol(slash + 1, &end, 10);
	if (errno || *end != '\0' || bits < 0 || bits > max)
		return 0;
	/* Host bits must be clear: 10.0.0.5/24 is a typo, not a network. */
	for (i = (int)bits; i < max; i++)
		if (buf[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

static int
check_portnum(const char *s, size_t len)
{
	long	v = 0;
	size_t	i;

	if (len == 0 || len > 5)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : 0;
}

int
cfg_check_port(const char *s)
{
	const char	*sep = strpbrk(s, ":-");
	int		 lo, hi;

	if (sep == NULL)
		return check_portnum(s, strlen(s)) > 0;
	lo = check_portnum(s, (size_t)(sep - s));
	hi = check_portnum(sep + 1, strlen(sep + 1));
	return lo > 0 && hi > 0 && lo <= hi;
}

int
cfg_check_hostname(const char *s)
{
	size_t label = 0, total = 0;

	if (*s == '\0' || *s == '-' || *s == '.')
		return 0;
	for (; *s; s++, total++) {
		if (*s == '.') {
			if (label == 0 || s[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return total <= 253 && s[-1] != '-' && s[-1] != '.';
}

int
cfg_check_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int
check_device(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return 0;
	return 1;
}

/* One cron field: "*", "*\/n", n, a-b, a-b/n, and comma lists of those. */
static int
check_cron(const char *s, long min, long max)
{
	char	*copy = xstrdup(s), *item, *save = NULL, *end;
	long	 a, b, step;
	int	 ok = 1;

	for (item = strtok_r(copy, ",", &save); item && ok;
	    item = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(item, '/');

		if (slash) {
			*slash = '\0';
			errno = 0;
			step = strtol(slash + 1, &end, 10);
			if (errno || *end || slash[1] == '\0' || step < 1 ||
			    step > max) {
				ok = 0;
				break;
			}
		}
		if (strcmp(item, "*") == 0)
			continue;
		if (!isdigit((unsigned char)*item)) {
			ok = 0;
			break;
		}
		a = strtol(item, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1])) {
				ok = 0;
				break;
			}
			b = strtol(end + 1, &end, 10);
		}
		if (*end != '\0' || a < min || b > max || a > b)
			ok = 0;
	}
	free(copy);
	return ok && *s != '\0';
}

static int
check_peer(const char *s)
{
	const char	*host = s, *p;
	char		 buf[256];
	size_t		 n;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	if (host != s) {
		n = strcspn(host, "/");
		if (host[n] == '/' && host[n + 1] != '\0')
			return 0;	/* no path: /xmlrpc.php is ours */
	} else
		n = strlen(host);
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, host, n);
	buf[n] = '\0';
	if (buf[0] == '[') {		/* [v6]:port */
		char *close = strchr(buf, ']');
		if (close == NULL)
			return 0;
		*close = '\0';
		p = close + 1;
		if (*p == ':' && !check_portnum(p + 1, strlen(p + 1)))
			return 0;
		return cfg_check_addr(buf + 1, 6);
	}
	if (cfg_check_addr(buf, 6))
		return host == s;	/* a bare v6 address, no URL */
	if ((p = strchr(buf, ':')) != NULL) {
		if (!check_portnum(p + 1, strlen(p + 1)))
			return 0;
		buf[p - buf] = '\0';
	}
	return cfg_check_addr(buf, 4) || cfg_check_hostname(buf);
}

/* UTF-8 without control characters (C0, DEL, C1). */
int
cfg_check_text(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	unsigned		 c;

	while (i < len) {
		c = p[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			n = 1;
		else if ((c & 0xf0) == 0xe0)
			n = 2;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;
		if (i + n >= len)	/* truncated sequence */
			return 0;
		for (k = 1; k <= n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		/* C1 controls U+0080-U+009F are encoded c2 80..c2 9f. */
		if (c == 0xc2 && p[i + 1] < 0xa0)
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Turns a JSON input value into text: strings as they are, integers and
 * booleans spelled out, arrays joined with commas (list fields). Returns
 * a new string or NULL when the JSON type cannot stand for a value.
 */
char *
cfg_value_text(const struct cfg_field *f, json_t *v, const char **why)
{
	size_t	 i;
	json_t	*item;
	char	*out, *part, *tmp;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (strlen(json_string_value(v)) != json_string_length(v)) {
			*why = "contains a NUL byte";
			return NULL;
		}
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_TRUE:
		return xstrdup("1");
	case JSON_FALSE:
		return xstrdup("0");
	case JSON_NULL:
		return xstrdup("");
	case JSON_ARRAY:
		if (!(f->f_flags & CFG_F_LIST)) {
			*why = "must be a single value, not a list";
			return NULL;
		}
		out = xstrdup("");
		json_array_foreach(v, i, item) {
			if (!json_is_string(item) && !json_is_integer(item)) {
				*why = "list items must be strings";
				free(out);
				return NULL;
			}
			part = cfg_value_text(f, item, why);
			if (part == NULL) {
				free(out);
				return NULL;
			}
			tmp = xasprintf("%s%s%s", out, *out ? "," : "", part);
			free(out);
			free(part);
			out = tmp;
		}
		return out;
	default:
		*why = "must be a string";
		return NULL;
	}
}

/* Normalises a list: split on commas, newlines and blanks; drop empties. */
static char *
normalise_list(const char *s)
{
	char	*copy = xstrdup(s), *out = xmalloc(strlen(s) + 1);
	char	*item, *save = NULL;
	size_t	 o = 0;

	for (item = strtok_r(copy, ", \t\r\n", &save); item != NULL;
	    item = strtok_r(NULL, ", \t\r\n", &save)) {
		if (o)
			out[o++] = ',';
		memcpy(out + o, item, strlen(item));
		o += strlen(item);
	}
	out[o] = '\0';
	free(copy);
	return out;
}

/* A stored boolean is "1" or "0"; an empty field is the default, off. */
static int
normalise_bool(const char *s)
{
	return *s == '\0' ? 0 : util_bool(s);
}

/*
 * Checks one scalar (a list item, or the value) against the field type.
 * References are checked later (refs.c), here only their syntax.
 */
static int
check_one(const struct cfg_field *f, const char *v, struct cfg_errors *e)
{
	char	*end;
	long	 n;
	size_t	 i;

	switch (f->f_type) {
	case CFG_TEXT:
	case CFG_SECRET:
	case CFG_PASSWORD:
		return 0;
	case CFG_NAME:
	case CFG_REF:
		if (!cfg_check_name(v)) {
			cfg_error(e, f->f_name, "\"%.64s\": use letters, digits "
			    "and _, starting with a letter", v);
			return -1;
		}
		return 0;
	case CFG_HOSTNAME:
		if (!cfg_check_hostname(v)) {
			cfg_error(e, f->f_name, "not a valid host name");
			return -1;
		}
		return 0;
	case CFG_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end != '\0' || end == v ||
		    !(isdigit((unsigned char)*v) || *v == '-')) {
			cfg_error(e, f->f_name, "must be a whole number");
			return -1;
		}
		if (n < f->f_min || n > f->f_max) {
			cfg_error(e, f->f_name, "must be between %ld and %ld",
			    f->f_min, f->f_max);
			return -1;
		}
		return 0;
	case CFG_ENUM:
		for (i = 0; f->f_enum[i] != NULL; i++)
			if (strcmp(v, f->f_enum[i]) == 0)
				return 0;
		{
			char	 list[512] = "";
			size_t	 o = 0;

			for (i = 0; f->f_enum[i] != NULL && o < 400; i++)
				if (*f->f_enum[i])
					o += (size_t)snprintf(list + o,
					    sizeof(list) - o, "%s%s",
					    o ? ", " : "", f->f_enum[i]);
			cfg_error(e, f->f_name, "\"%.32s\" is not one of: %s",
			    v, list);
		}
		return -1;
	case CFG_ADDR:
	case CFG_ADDR4:
	case CFG_ADDR6:
		if (!cfg_check_addr(v, f->f_type == CFG_ADDR4 ? 4 :
		    f->f_type == CFG_ADDR6 ? 6 : 0)) {
			cfg_error(e, f->f_name, "not a valid IP%s address",
			    f->f_type == CFG_ADDR4 ? "v4" :
			    f->f_type == CFG_ADDR6 ? "v6" : "");
			return -1;
		}
		return 0;
	case CFG_CIDR:
		if (!cfg_check_cidr(v, 0)) {
			cfg_error(e, f->f_name, "not a network address/prefix "
			    "(with the host bits clear)");
			return -1;
		}
		return 0;
	case CFG_ENDPOINT:
		if (strcmp(v, "any") == 0 || cfg_check_addr(v, 0) ||
		    cfg_check_cidr(v, 0) || cfg_check_name(v))
			return 0;
		if (strchr(v, '/') != NULL)
			cfg_error(e, f->f_name, "\"%.64s\" is not a network "
			    "(address/prefix with the host bits clear)", v);
		else
			cfg_error(e, f->f_name, "\"%.64s\" is not any, an "
			    "address, a network, an alias or an interface", v);
		return -1;
	case CFG_PORT:
		if (cfg_check_port(v) || cfg_check_name(v))
			return 0;
		cfg_error(e, f->f_name, "\"%.32s\" is not a port (1-65535), "
		    "a range lo:hi or a port alias", v);
		return -1;
	case CFG_TARGET:
		if (cfg_check_addr(v, 0) || cfg_check_name(v))
			return 0;
		cfg_error(e, f->f_name, "\"%.64s\" is not an address or "
		    "<interface>ip", v);
		return -1;
	case CFG_CRON:
		if (!check_cron(v, f->f_min, f->f_max)) {
			cfg_error(e, f->f_name, "\"%.32s\" is not a cron field "
			    "for %ld-%ld", v, f->f_min, f->f_max);
			return -1;
		}
		return 0;
	case CFG_DEVICE:
		if (!check_device(v)) {
			cfg_error(e, f->f_name, "not a device name (1-15 of "
			    "letters, digits, . _ -)");
			return -1;
		}
		return 0;
	case CFG_PEER:
		if (!check_peer(v)) {
			cfg_error(e, f->f_name, "not a host, an address or "
			    "http(s)://host[:port]");
			return -1;
		}
		return 0;
	case CFG_BOOL:
		return 0;
	}
	return 0;
}

/*
 * Validates and normalises one input value for field f. Returns a new
 * string, or NULL with a message in e.
 */
char *
cfg_field_normalise(const struct cfg_field *f, json_t *in,
    struct cfg_errors *e)
{
	const char	*why = NULL;
	char		*v, *list, *item, *save = NULL;
	long		 max;
	int		 b;

	if ((v = cfg_value_text(f, in, &why)) == NULL) {
		cfg_error(e, f->f_name, "%s", why);
		return NULL;
	}
	/* Lists may arrive one item per line: fold before the text check. */
	if (f->f_flags & CFG_F_LIST) {
		list = normalise_list(v);
		free(v);
		v = list;
	}
	if (!cfg_check_text(v, strlen(v))) {
		cfg_error(e, f->f_name, "contains control characters or "
		    "invalid UTF-8");
		goto err;
	}
	max = f->f_type == CFG_TEXT || f->f_type == CFG_SECRET ||
	    f->f_type == CFG_PASSWORD || f->f_type == CFG_NAME ||
	    f->f_type == CFG_REF || f->f_type == CFG_HOSTNAME ||
	    f->f_type == CFG_PEER || f->f_type == CFG_DEVICE ? f->f_max : 0;
	if (f->f_flags & CFG_F_LIST)
		max = f->f_type == CFG_TEXT ? f->f_max * 20 : 65536;
	if (max == 0)
		max = DEFAULT_TEXT_MAX;
	if ((long)strlen(v) > max) {
		cfg_error(e, f->f_name, "too long (at most %ld characters)",
		    max);
		goto err;
	}
	if (f->f_type == CFG_PASSWORD && *v != '\0' &&
	    (long)strlen(v) < f->f_min) {
		cfg_error(e, f->f_name, "too short (at least %ld characters)",
		    f->f_min);
		goto err;
	}
	if (f->f_type == CFG_BOOL) {
		if ((b = normalise_bool(v)) == -1) {
			cfg_error(e, f->f_name, "must be 0 or 1");
			goto err;
		}
		free(v);
		return xstrdup(b ? "1" : "0");
	}
	if (*v == '\0') {
		if (f->f_flags & CFG_F_REQUIRED) {
			cfg_error(e, f->f_name, "required");
			goto err;
		}
		return v;
	}
	if (f->f_flags & CFG_F_LIST) {
		int n = 0;

		list = xstrdup(v);
		for (item = strtok_r(list, ",", &save); item != NULL;
		    item = strtok_r(NULL, ",", &save), n++)
			if (f->f_type != CFG_TEXT && check_one(f, item, e)) {
				free(list);
				goto err;
			}
		free(list);
		if (f->f_type == CFG_ADDR && f->f_max > 0 && n > f->f_max) {
			cfg_error(e, f->f_name, "at most %ld entries",
			    f->f_max);
			goto err;
		}
		return v;
	}
	if (check_one(f, v, e) == -1)
		goto err;
	return v;
err:
	free(v);
	return NULL;
}
