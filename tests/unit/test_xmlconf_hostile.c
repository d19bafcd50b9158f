/*
 * test_xmlconf_hostile.c — config.xml documents meant to hurt: entity
 * bombs, external entities (file and http), DTDs, deep nesting, size
 * caps, bad encodings, truncation. Each is refused with a message naming
 * the line, and the store's configuration hash is unchanged after it.
 * The http case listens on the port it names: nothing may connect.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/config.h"
#include "store.h"
#include "testutil.h"
#include "util.h"
#include "xmlconf/xmlconf.h"

struct fx {
	char		*dir;
	struct store	*st;
	struct cfg_ctx	 ctx;
	char		 hash[65];
};

static void
hash_of(struct store *st, char out[65])
{
	json_t *s = cfg_snapshot(st, NULL, 1);

	assert_non_null(s);
	cfg_hash(s, out);
	json_decref(s);
}

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof(*fx));
	char		 err[256];

	fx->dir = tu_tmpdir();
	fx->st = store_open(fx->dir, err, sizeof(err));
	fx->ctx.c_st = fx->st;
	fx->ctx.c_user = "tester";
	*state = fx;
	if (fx->st == NULL)
		return -1;
	hash_of(fx->st, fx->hash);
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

/*
 * Imports doc (len bytes, cap) and expects a refusal whose message holds
 * want and names a line; the configuration must not have changed.
 */
static void
refused(struct fx *fx, const char *doc, size_t len, size_t cap,
    const char *want)
{
	json_t		*rep = NULL;
	const char	*msg;
	char		 after[65];

	assert_int_equal(xmlconf_import(&fx->ctx, doc, len, cap, 0,
	    "hostile.xml", &rep), -1);
	msg = json_string_value(json_object_get(rep, "message"));
	assert_non_null(msg);
	if (strstr(msg, want) == NULL || strncmp(msg, "line ", 5) != 0)
		fail_msg("message \"%s\" lacks \"%s\" or the line", msg, want);
	assert_string_equal(cfg_str(rep, "result"), "failed");
	hash_of(fx->st, after);
	assert_string_equal(fx->hash, after);
	json_decref(rep);
}

static void
refused_str(struct fx *fx, const char *doc, const char *want)
{
	refused(fx, doc, strlen(doc), XMLCONF_MAX_FILE, want);
}

static void
test_billion_laughs(void **state)
{
	refused_str(*state,
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE opnsense [\n"
	    " <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	    " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	    "]>\n"
	    "<opnsense><system><hostname>&g;</hostname></system></opnsense>\n",
	    "internal subset");
}

/* One large entity used many times: the quadratic blow-up. */
static void
test_quadratic_blowup(void **state)
{
	char	*big = xmalloc(20000), *doc, *refs;
	size_t	 i;

	memset(big, 'x', 19999);
	big[19999] = '\0';
	refs = xmalloc(2000 * 4 + 1);
	for (i = 0; i < 2000; i++)
		memcpy(refs + i * 4, "&x;", 4);
	refs[2000 * 4] = '\0';
	doc = xasprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE opnsense [<!ENTITY "
	    "x \"%s\">]>\n<opnsense><system><hostname>%s</hostname></system>"
	    "</opnsense>\n", big, refs);
	refused_str(*state, doc, "internal subset");
	free(doc);
	free(refs);
	free(big);
}

static void
test_xxe_file(void **state)
{
	refused_str(*state,
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE opnsense [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    "<opnsense><system><hostname>&xxe;</hostname></system></opnsense>\n",
	    "line 2");
}

/* A listener on the named port: the parser must never connect to it. */
static void
test_xxe_http(void **state)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	char			*doc;
	int			 s, c;

	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &sl), 0);
	fcntl(s, F_SETFL, O_NONBLOCK);

	doc = xasprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE opnsense [ "
	    "<!ENTITY xxe SYSTEM \"http://127.0.0.1:%d/x\"> ]>\n"
	    "<opnsense><system><hostname>&xxe;</hostname></system>"
	    "</opnsense>\n", ntohs(sin.sin_port));
	refused_str(*state, doc, "line 2");
	free(doc);
	/* An external DTD by http: refused as well. */
	doc = xasprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE opnsense SYSTEM "
	    "\"http://127.0.0.1:%d/evil.dtd\">\n<opnsense/>\n",
	    ntohs(sin.sin_port));
	refused_str(*state, doc, "external identifier");
	free(doc);
	doc = xasprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE opnsense PUBLIC "
	    "\"-//x//y\" \"http://127.0.0.1:%d/p.dtd\">\n<opnsense/>\n",
	    ntohs(sin.sin_port));
	refused_str(*state, doc, "external identifier");
	free(doc);
	c = accept(s, NULL, NULL);
	assert_int_equal(c, -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	close(s);
}

static void
test_parameter_entity(void **state)
{
	refused_str(*state,
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE opnsense [ <!ENTITY % p SYSTEM \"file:///etc/passwd\"> "
	    "%p; ]>\n<opnsense/>\n", "internal subset");
}

/* Even an empty internal subset is refused: config.xml never has one. */
static void
test_internal_subset_empty(void **state)
{
	refused_str(*state, "<?xml version=\"1.0\"?>\n<!DOCTYPE opnsense []>\n"
	    "<opnsense/>\n", "internal subset");
}

static void
test_undeclared_entity(void **state)
{
	refused_str(*state, "<?xml version=\"1.0\"?>\n<opnsense>\n<system>"
	    "<hostname>&xxe;</hostname></system></opnsense>\n",
	    "line 3: Entity 'xxe' not defined");
}

static char *
nested(int depth)
{
	char	*doc = xmalloc((size_t)depth * 7 + 64), *p = doc;
	int	 i;

	p += sprintf(p, "<opnsense>");
	for (i = 1; i < depth; i++)
		p += sprintf(p, "<a>");
	for (i = 1; i < depth; i++)
		p += sprintf(p, "</a>");
	sprintf(p, "</opnsense>");
	return doc;
}

static void
test_depth(void **state)
{
	struct fx	*fx = *state;
	json_t		*rep = NULL;
	char		*doc;

	/* At the cap the parser takes it (the unknown <a> is the model's). */
	doc = nested(XMLCONF_MAX_DEPTH);
	(void)xmlconf_import(&fx->ctx, doc, strlen(doc), XMLCONF_MAX_FILE, 0,
	    "deep.xml", &rep);
	assert_null(strstr(cfg_str(rep, "message"), "nested deeper"));
	json_decref(rep);
	free(doc);
	hash_of(fx->st, fx->hash);	/* what the refusals must keep */
	doc = nested(XMLCONF_MAX_DEPTH + 1);
	refused_str(fx, doc, "nested deeper than 64");
	free(doc);
	/* Far beyond libxml2's own limit, still our message. */
	doc = nested(100000);
	refused_str(fx, doc, "nested deeper than 64");
	free(doc);
}

static void
test_size_api(void **state)
{
	size_t	 n = XMLCONF_MAX_API + 1;
	char	*doc = xmalloc(n);

	memset(doc, ' ', n);
	memcpy(doc, "<opnsense>", 10);
	memcpy(doc + n - 11, "</opnsense>", 11);
	refused(*state, doc, n, XMLCONF_MAX_API, "exceeds the limit");
	free(doc);
}

/* A file over 64 MiB is refused before it is read (a sparse file). */
static void
test_size_file(void **state)
{
	struct fx	*fx = *state;
	json_t		*rep = NULL;
	char		*path = xasprintf("%s/big.xml", fx->dir), after[65];
	int		 fd;

	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)XMLCONF_MAX_FILE + 1), 0);
	close(fd);
	assert_int_equal(xmlconf_import_file(&fx->ctx, path, 0, &rep), -1);
	assert_non_null(strstr(cfg_str(rep, "message"), "exceeds the limit"));
	hash_of(fx->st, after);
	assert_string_equal(fx->hash, after);
	json_decref(rep);
	unlink(path);
	free(path);
}

static void
test_encoding_unknown(void **state)
{
	refused_str(*state, "<?xml version=\"1.0\" encoding=\"X-NO-SUCH\"?>\n"
	    "<opnsense/>\n", "line 1: Unsupported encoding");
}

/* Known to iconv, but not something a config.xml is written in. */
static void
test_encoding_other(void **state)
{
	refused_str(*state, "<?xml version=\"1.0\" encoding=\"KOI8-R\"?>\n"
	    "<opnsense/>\n", "unsupported encoding \"KOI8-R\"");
}

static void
test_invalid_utf8(void **state)
{
	refused_str(*state, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opnsense>\n<system>\n<hostname>fw\xff\xfe</hostname></system>"
	    "</opnsense>\n", "line 4: Input is not proper UTF-8");
}

static void
test_utf16_bom(void **state)
{
	static const char doc[] = "\xff\xfe<\0o\0p\0n\0s\0e\0n\0s\0e\0/\0>\0";

	refused(*state, doc, sizeof(doc) - 1, XMLCONF_MAX_FILE,
	    "line 1: UTF-16");
}

static void
test_truncated(void **state)
{
	refused_str(*state, "<?xml version=\"1.0\"?>\n<opnsense>\n  <system>\n"
	    "    <hostname>fw1</hostname>\n    <domain>ex", "line 5");
}

static void
test_nul_byte(void **state)
{
	static const char doc[] = "<opnsense><system>\0</system></opnsense>";

	refused(*state, doc, sizeof(doc) - 1, XMLCONF_MAX_FILE, "line 1");
}

static void
test_not_opnsense(void **state)
{
	refused_str(*state, "<?xml version=\"1.0\"?>\n<pfsense/>\n",
	    "line 2: not an OPNsense config.xml");
	refused_str(*state, "", "empty document");
	refused_str(*state, "just text", "line 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_billion_laughs),
		T(test_quadratic_blowup),
		T(test_xxe_file),
		T(test_xxe_http),
		T(test_parameter_entity),
		T(test_internal_subset_empty),
		T(test_undeclared_entity),
		T(test_depth),
		T(test_size_api),
		T(test_size_file),
		T(test_encoding_unknown),
		T(test_encoding_other),
		T(test_invalid_utf8),
		T(test_utf16_bom),
		T(test_truncated),
		T(test_nul_byte),
		T(test_not_opnsense),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
