/*
 * test_render.c — golden files for the nft and pf renderers, plus the
 * properties the goldens cannot show on their own: pf's quick/last-match
 * decision, injection, unsafe values.
 *
 * Cases are tests/render/cases/<name>.json; the expected output is
 * <name>.nft and <name>.pf beside it. Run from the repository root (or
 * set TW_SRCDIR). TW_REGEN=1 rewrites the goldens instead of comparing.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "render/render.h"
#include "render/render_int.h"
#include "util.h"

static char	casedir[1024];

static char *
case_path(const char *name, const char *ext)
{
	return xasprintf("%s/%s.%s", casedir, name, ext);
}

static json_t *
case_load(const char *name)
{
	json_error_t jerr;
	char *path = case_path(name, "json");
	json_t *snap = json_load_file(path, 0, &jerr);

	if (snap == NULL)
		fail_msg("%s: %s line %d", path, jerr.text, jerr.line);
	free(path);
	return snap;
}

static void
golden(const char *name, const char *ext, const char *got)
{
	char *path = case_path(name, ext), *want;
	const char *regen = getenv("TW_REGEN");
	size_t len, i, line = 1;

	if (regen != NULL && strcmp(regen, "1") == 0) {
		assert_int_equal(util_write_file(path, got, strlen(got), 0644),
		    0);
		free(path);
		return;
	}
	want = util_read_file(path, &len, 1 << 24);
	if (want == NULL)
		fail_msg("%s missing (TW_REGEN=1 writes it)", path);
	if (strcmp(want, got) != 0) {
		for (i = 0; want[i] == got[i] && want[i] != '\0'; i++)
			if (want[i] == '\n')
				line++;
		fail_msg("%s differs from the rendered output at line %zu "
		    "(TW_REGEN=1 rewrites it)", path, line);
	}
	free(want);
	free(path);
}

static void
test_case(void **state)
{
	const char *name = *state;
	json_t *snap = case_load(name);
	char err[256], *nft, *pf;

	nft = nft_render(snap, err, sizeof(err));
	if (nft == NULL)
		fail_msg("%s: nft_render: %s", name, err);
	/* Every rule line starts with its first word. */
	if (strstr(nft, "\t\t ") != NULL)
		fail_msg("%s: a rule line starts with a blank", name);
	golden(name, "nft", nft);
	pf = pf_render(snap, err, sizeof(err));
	if (pf == NULL)
		fail_msg("%s: pf_render: %s", name, err);
	golden(name, "pf", pf);
	/* Pure: the same snapshot gives the same bytes. */
	free(nft);
	nft = nft_render(snap, err, sizeof(err));
	golden(name, "nft", nft);
	free(nft);
	free(pf);
	json_decref(snap);
}

/*
 * pf's decision for one packet: the first matching quick rule, else the
 * last matching rule, else the default (-1). match[i]: rule i matches.
 */
static int
pf_decide(const int *quick, const int *match, size_t n)
{
	int last = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!match[i])
			continue;
		if (quick[i])
			return (int)i;
		last = (int)i;
	}
	return last;
}

static void
test_order_exhaustive(void **state)
{
	size_t order[8], n, i, k;
	int quick[8], match[8], first;
	unsigned qmask, mmask;

	(void)state;
	/* Every quick pattern x every match pattern, up to 8 rules. */
	for (n = 0; n <= 8; n++)
		for (qmask = 0; qmask < (1u << n); qmask++) {
			for (i = 0; i < n; i++)
				quick[i] = (qmask >> i) & 1;
			assert_int_equal(nft_frule_order(quick, n, order), n);
			for (mmask = 0; mmask < (1u << n); mmask++) {
				for (i = 0; i < n; i++)
					match[i] = (mmask >> i) & 1;
				first = -1;
				for (k = 0; k < n && first == -1; k++)
					if (match[order[k]])
						first = (int)order[k];
				assert_int_equal(first,
				    pf_decide(quick, match, n));
			}
		}
}

/* Line number in text of the first line containing needle after from. */
static int
line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *q;
	int line = 1;

	if (p == NULL)
		return -1;
	for (q = text; q < p; q++)
		if (*q == '\n')
			line++;
	return line;
}

static void
test_order_rendered(void **state)
{
	json_t *snap = case_load("order_quick");
	json_t *rules = json_object_get(json_object_get(snap, "sections"),
	    "filter_rules");
	const char *u[6];
	char err[256], *nft, *in;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++)
		u[i] = json_string_value(json_object_get(json_array_get(rules,
		    i), "uuid"));
	nft = nft_render(snap, err, sizeof(err));
	assert_non_null(nft);
	in = strstr(nft, "chain in_lan {");
	assert_non_null(in);
	/* quick r2, r4 in order; then non-quick reversed: r5, r3, r1. */
	assert_true(line_of(in, u[1]) < line_of(in, u[3]));
	assert_true(line_of(in, u[3]) < line_of(in, u[4]));
	assert_true(line_of(in, u[4]) < line_of(in, u[2]));
	assert_true(line_of(in, u[2]) < line_of(in, u[0]));
	/* All in lan's chain, entered from filter_in, before the default. */
	assert_true(line_of(in, u[0]) < line_of(in, "chain filter_in {"));
	assert_true(line_of(in, "goto in_lan") < line_of(in, "default deny"));
	/* r6 is an out rule: only in wan's out chain. */
	assert_true(line_of(in, u[5]) > line_of(in, "chain out_wan {"));
	free(nft);
	json_decref(snap);
}

/*
 * A tiny evaluator of the rendered filter_in for test_order_interfaces:
 * rules "tcp dport N accept|drop", "iifname vmap { ... : goto X }",
 * "jump X"; the end of a chain returns to its caller. 1 pass, 0 block
 * (the base chain's default), -1 a line it does not know.
 */
#define EV_DEPTH	8

static const char *
ev_chain(const char *nft, const char *name)
{
	char head[96];
	const char *p;

	snprintf(head, sizeof(head), "\tchain %.64s {\n", name);
	p = strstr(nft, head);
	return p != NULL ? p + strlen(head) : NULL;
}

static int
ev_run(const char *nft, const char *dev, unsigned dport)
{
	const char *stack[EV_DEPTH], *pc, *q;
	char line[1024], key[32], target[64];
	int sp = 0;
	unsigned port;
	size_t n;

	pc = ev_chain(nft, "filter_in");
	for (;;) {
		if (pc == NULL)
			return -1;
		n = strcspn(pc, "\n");
		if (n >= sizeof(line))
			return -1;
		memcpy(line, pc, n);
		line[n] = '\0';
		pc += n + 1;
		q = line + strspn(line, "\t");
		if (*q == '#')
			continue;
		if (*q == '}') {		/* end of chain: return */
			if (sp == 0)
				return 0;
			pc = stack[--sp];
			continue;
		}
		if (strncmp(q, "jump ", 5) == 0) {
			if (sp == EV_DEPTH)
				return -1;
			stack[sp++] = pc;
			pc = ev_chain(nft, q + 5);
			continue;
		}
		if (strncmp(q, "iifname vmap { ", 15) == 0) {
			snprintf(key, sizeof(key), "\"%s\" : goto ", dev);
			if ((q = strstr(q, key)) == NULL)
				continue;
			q += strlen(key);
			n = strcspn(q, ", }");
			snprintf(target, sizeof(target), "%.*s", (int)n, q);
			pc = ev_chain(nft, target);	/* goto: no return */
			continue;
		}
		if (sscanf(q, "meta nfproto ipv4 tcp dport %u", &port) != 1)
			return -1;
		if (port != dport)
			continue;
		if (strstr(q, " accept ") != NULL)
			return 1;
		if (strstr(q, " drop ") != NULL)
			return 0;
		return -1;
	}
}

/*
 * pf's decision on an interface, against the rendered chains: random
 * rule sets on lan, wan, both or none (floating), quick or not, for a
 * packet arriving on lan's device, lan's CARP macvlan, wan's device and
 * a device of no interface.
 */
static void
test_order_interfaces(void **state)
{
	static const char *const ifs[] = { "lan", "wan", "", "lan,wan" };
	static const struct { const char *dev; int lan, wan; } devs[] = {
		{ "eth1", 1, 0 }, { "twc7", 1, 0 }, { "eth0", 0, 1 },
		{ "eth9", 0, 0 },
	};
	json_t *snap = case_load("order_quick"), *sec, *rules, *base, *r;
	int quick[6], match[6], ifk[6], port[6], pass[6], want, got;
	unsigned seed = 1;
	char err[256], uuid[40], *nft;
	size_t n, i, d, dp, iter;

	(void)state;
	sec = json_object_get(snap, "sections");
	base = json_deep_copy(json_array_get(json_object_get(sec,
	    "filter_rules"), 0));
	json_object_set_new(sec, "vips", json_pack("[{s:s,s:s,s:s,s:s,s:s}]",
	    "uuid", "00000007-0000-4000-8000-000000000001", "mode", "carp",
	    "interface", "lan", "subnet", "192.168.1.100", "vhid", "7"));
	for (iter = 0; iter < 3000; iter++) {
		n = 1 + iter % 6;
		rules = json_array();
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			ifk[i] = (seed >> 8) % 4;
			quick[i] = (seed >> 12) & 1;
			pass[i] = (seed >> 13) & 1;
			port[i] = 80 + ((seed >> 14) & 1);
			r = json_deep_copy(base);
			snprintf(uuid, sizeof(uuid),
			    "00000004-0000-4000-8000-%012zu", i + 1);
			json_object_set_new(r, "uuid", json_string(uuid));
			json_object_set_new(r, "interface",
			    json_string(ifs[ifk[i]]));
			json_object_set_new(r, "quick",
			    json_string(quick[i] ? "1" : "0"));
			json_object_set_new(r, "action",
			    json_string(pass[i] ? "pass" : "block"));
			json_object_set_new(r, "destination_port",
			    json_string(port[i] == 80 ? "80" : "81"));
			json_object_set_new(r, "description", json_string(""));
			json_array_append_new(rules, r);
		}
		json_object_set_new(sec, "filter_rules", rules);
		nft = nft_render(snap, err, sizeof(err));
		if (nft == NULL)
			fail_msg("render: %s", err);
		/* No rule matches an interface itself. */
		assert_null(strstr(nft, "iifname {"));
		for (d = 0; d < nitems(devs); d++)
			for (dp = 80; dp <= 81; dp++) {
				for (i = 0; i < n; i++)
					match[i] = port[i] == (int)dp &&
					    (ifk[i] == 2 || ifk[i] == 3 ?
					    1 : ifk[i] == 0 ? devs[d].lan :
					    devs[d].wan) &&
					    (ifk[i] != 3 || devs[d].lan ||
					    devs[d].wan);
				want = pf_decide(quick, match, n);
				want = want == -1 ? 0 : pass[want];
				got = ev_run(nft, devs[d].dev, (unsigned)dp);
				if (got != want)
					fail_msg("iteration %zu, %s port %zu: "
					    "pf %d, rendered %d\n%s", iter,
					    devs[d].dev, dp, want, got, nft);
			}
		free(nft);
	}
	json_decref(base);
	json_decref(snap);
}

/* Text outside '#' comments and quoted strings. */
static void
strip(const char *s, struct rbuf *b)
{
	int quote = 0;

	for (; *s != '\0'; s++) {
		if (!quote && *s == '#') {
			s += strcspn(s, "\n");
			if (*s == '\0')
				break;
		}
		if (*s == '"')
			quote = !quote;
		else if (!quote)
			rbuf_printf(b, "%c", *s);
	}
}

static void
test_hostile(void **state)
{
	json_t *snap = case_load("hostile");
	char err[256], *out[2];
	struct rbuf b;
	const char *p;
	int i, depth;

	(void)state;
	out[0] = nft_render(snap, err, sizeof(err));
	out[1] = pf_render(snap, err, sizeof(err));
	for (i = 0; i < 2; i++) {
		assert_non_null(out[i]);
		/* User text only ever inside a comment, on one line. */
		rbuf_init(&b);
		strip(out[i], &b);
		assert_null(strstr(b.b_data, "flush"));
		assert_null(strstr(b.b_data, "evil"));
		assert_null(strstr(b.b_data, "line2"));
		assert_null(strstr(b.b_data, "macro"));
		p = strstr(b.b_data, "delete table");
		assert_true(i == 0 ? p != NULL : p == NULL);
		assert_true(p == NULL || strstr(p + 1, "delete") == NULL);
		rbuf_free(&b);
		/* Comment lines carry none of the dangerous characters. */
		for (p = out[i]; (p = strchr(p, '#')) != NULL; p++) {
			size_t n = strcspn(p, "\n");

			assert_true(memchr(p, '"', n) == NULL);
			assert_true(memchr(p, ';', n) == NULL);
			assert_true(memchr(p, '{', n) == NULL);
			assert_true(memchr(p, '}', n) == NULL);
			assert_true(memchr(p, '\\', n) == NULL);
			assert_true(memchr(p, '\r', n) == NULL);
		}
		/* Braces balance and never close the table early. */
		rbuf_init(&b);
		strip(out[i], &b);
		for (depth = 0, p = b.b_data; *p != '\0'; p++) {
			depth += *p == '{';
			depth -= *p == '}';
			assert_true(depth >= 0);
			if (i == 0 && depth == 0 && p > b.b_data &&
			    p[-1] == '}')
				assert_string_equal(p + strspn(p, "\n"), "");
		}
		assert_int_equal(depth, 0);
		rbuf_free(&b);
		free(out[i]);
	}
	json_decref(snap);
}

/* Sets a field of the first row of a section (or the singleton). */
static void
poke(json_t *snap, const char *section, size_t idx, const char *field,
    const char *value)
{
	json_t *sec = json_object_get(json_object_get(snap, "sections"),
	    section);

	if (json_is_array(sec))
		sec = json_array_get(sec, idx);
	assert_non_null(sec);
	json_object_set_new(sec, field, json_string(value));
}

struct bad {
	const char	*section;
	size_t		 idx;
	const char	*field;
	const char	*value;
	const char	*errpart;
};

static void
test_unsafe(void **state)
{
	static const struct bad bad[] = {
		{ "aliases", 0, "content", "192.168.1.2; flush ruleset",
		    "alias x" },
		{ "aliases", 0, "content", "192.168.1.2}", "alias x" },
		{ "aliases", 0, "content", "10.0.0.0/8", "alias x" },
		{ "aliases", 0, "content", "example.com", "alias x" },
		{ "aliases", 0, "name", "x y", "alias" },
		{ "aliases", 0, "type", "url", "alias x" },
		{ "interfaces", 0, "device", "eth1\" accept", "device" },
		{ "interfaces", 0, "device", "eth1 {", "device" },
		{ "interfaces", 0, "ipaddr", "192.168.1.1; drop", "address" },
		{ "interfaces", 0, "subnet", "24}", "subnet" },
		{ "filter_rules", 0, "source_net", "1.2.3.4\n}", "source" },
		{ "filter_rules", 0, "source_net", "nosuchalias", "source" },
		{ "filter_rules", 0, "destination_port", "80;", "port" },
		{ "filter_rules", 0, "destination_port", "0", "port" },
		{ "filter_rules", 0, "destination_port", "70000", "port" },
		{ "filter_rules", 0, "protocol", "tcp; drop", "protocol" },
		{ "filter_rules", 0, "action", "accept", "action" },
		{ "filter_rules", 0, "interface", "lan\"", "interface" },
		{ "filter_rules", 0, "uuid", "x\" drop", "uuid" },
		{ "dnat_rules", 0, "target", "192.168.1.10:80", "target" },
		{ "snat_rules", 0, "target", "1.2.3.4 random", "target" },
		{ "system", 0, "webgui_port", "443 }", "webgui_port" },
		{ "hasync", 0, "pfsyncpeerip", "10.0.0.1\"", "pfsyncpeerip" },
	};
	json_t *base = case_load("hostile"), *snap;
	char err[256], *out;
	size_t i;
	int r;

	(void)state;
	poke(base, "hasync", 0, "pfsyncenabled", "1");
	poke(base, "hasync", 0, "pfsyncinterface", "lan");
	for (i = 0; i < nitems(bad); i++) {
		for (r = 0; r < 2; r++) {
			snap = json_deep_copy(base);
			poke(snap, bad[i].section, bad[i].idx, bad[i].field,
			    bad[i].value);
			err[0] = '\0';
			out = r == 0 ? nft_render(snap, err, sizeof(err)) :
			    pf_render(snap, err, sizeof(err));
			if (out != NULL)
				fail_msg("%s renders %s.%s = %s",
				    r ? "pf" : "nft", bad[i].section,
				    bad[i].field, bad[i].value);
			if (strstr(err, bad[i].errpart) == NULL)
				fail_msg("err \"%s\" does not name %s", err,
				    bad[i].errpart);
			json_decref(snap);
		}
	}
	json_decref(base);
}

static void
test_alias_update(void **state)
{
	json_t *snap = case_load("aliases");
	char err[256], *out;

	(void)state;
	out = nft_render_alias_update(snap, "mixed", err, sizeof(err));
	assert_non_null(out);
	assert_string_equal(out,
	    "flush set inet twinwall alias_mixed\n"
	    "add element inet twinwall alias_mixed { 10.0.0.0/8, 10.1.0.0/16, "
	    "192.168.1.5 }\n"
	    "flush set inet twinwall alias_mixed.6\n"
	    "add element inet twinwall alias_mixed.6 { fd00:abcd::/32 }\n");
	free(out);
	out = nft_render_alias_update(snap, "off", err, sizeof(err));
	assert_string_equal(out, "flush set inet twinwall alias_off\n"
	    "flush set inet twinwall alias_off.6\n");
	free(out);
	out = nft_render_alias_update(snap, "mail", err, sizeof(err));
	assert_string_equal(out, "flush set inet twinwall alias_mail\n"
	    "add element inet twinwall alias_mail { 25, 465, 587 }\n");
	free(out);
	assert_null(nft_render_alias_update(snap, "nosuch", err, sizeof(err)));
	assert_non_null(strstr(err, "no such alias"));
	assert_null(nft_render_alias_update(snap, "x;y", err, sizeof(err)));
	json_decref(snap);
}

static void
test_bad_snapshot(void **state)
{
	json_t *snap;
	char err[256];

	(void)state;
	snap = json_pack("{s:i}", "format", 2);
	assert_null(nft_render(snap, err, sizeof(err)));
	assert_non_null(strstr(err, "format"));
	assert_null(pf_render(snap, err, sizeof(err)));
	json_decref(snap);
	snap = json_pack("{s:i,s:{s:s}}", "format", 1, "sections",
	    "interfaces", "lan");
	assert_null(nft_render(snap, err, sizeof(err)));
	assert_non_null(strstr(err, "interfaces"));
	json_decref(snap);
	assert_null(nft_render(NULL, err, sizeof(err)));
}

static void
test_helpers(void **state)
{
	char out[RENDER_ADDRLEN], s[16];
	unsigned lo, hi;

	(void)state;
	assert_int_equal(render_cidr("10.1.2.3/8", 0, out), 4);
	assert_string_equal(out, "10.0.0.0/8");
	assert_int_equal(render_cidr("2001:DB8::1/33", 0, out), 6);
	assert_string_equal(out, "2001:db8::/33");
	assert_int_equal(render_cidr("10.0.0.0/33", 0, out), 0);
	assert_int_equal(render_cidr("10.0.0.0/", 0, out), 0);
	assert_int_equal(render_cidr("10.0.0.0/1x", 0, out), 0);
	assert_int_equal(render_addr("10.0.0.1", 6, out), 0);
	assert_int_equal(render_addr("fe80::1%eth0", 0, out), 0);
	assert_int_equal(render_port("1:65535", &lo, &hi), 0);
	assert_int_equal(render_port("90-80", &lo, &hi), -1);
	assert_int_equal(render_port("", &lo, &hi), -1);
	assert_int_equal(render_port("80:", &lo, &hi), -1);
	assert_int_equal(render_port("+80", &lo, &hi), -1);
	render_sanitize("a\"b;c{d}\n\\e", s, sizeof(s));
	assert_string_equal(s, "a_b_c_d___e");
	render_sanitize("\xc3\xa9t\xc3\xa9", s, sizeof(s));
	assert_string_equal(s, "_t_");
	assert_true(render_is_device("eth0.100"));
	assert_false(render_is_device("-eth0"));
	assert_false(render_is_device("averyveryverylongname"));
	assert_false(render_is_name("1abc"));
	assert_false(render_is_name(""));
}

/*
 * Policy routing marks: the distinct gateways of enabled pass rules,
 * sorted, so reordering rules moves no mark.
 */
static void
test_gw_targets(void **state)
{
	json_t	*snap, *t, *rules;
	char	*a, *b;

	(void)state;
	snap = json_pack("{s:i,s:{s:[{s:s,s:s,s:s},{s:s,s:s,s:s},"
	    "{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]}}", "format", 1,
	    "sections", "filter_rules",
	    "enabled", "1", "action", "pass", "gateway", "WANS",
	    "enabled", "1", "action", "pass", "gateway", "ISP2",
	    "enabled", "0", "action", "pass", "gateway", "OFF",
	    "enabled", "1", "action", "block", "gateway", "BLK",
	    "enabled", "1", "action", "pass", "gateway", "ISP2");
	t = render_gw_targets(snap);
	a = json_dumps(t, JSON_COMPACT);
	assert_string_equal(a, "[\"ISP2\",\"WANS\"]");
	assert_int_equal(render_gw_index(t, "WANS"), 2);
	assert_int_equal(render_gw_index(t, "OFF"), 0);
	json_decref(t);
	rules = json_object_get(json_object_get(snap, "sections"),
	    "filter_rules");
	json_array_insert(rules, 0, json_array_get(rules, 1));
	json_array_remove(rules, 2);
	t = render_gw_targets(snap);
	b = json_dumps(t, JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(t);
	json_decref(snap);
}

static int
case_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_order_exhaustive),
		cmocka_unit_test(test_order_rendered),
		cmocka_unit_test(test_order_interfaces),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_unsafe),
		cmocka_unit_test(test_alias_update),
		cmocka_unit_test(test_bad_snapshot),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_gw_targets),
	};
	struct CMUnitTest *tests;
	struct dirent **ents;
	const char *src = getenv("TW_SRCDIR");
	int n, i, rc;

	snprintf(casedir, sizeof(casedir), "%s/tests/render/cases",
	    src != NULL ? src : ".");
	if ((n = scandir(casedir, &ents, case_filter, alphasort)) < 0) {
		fprintf(stderr, "%s: cannot read (run from the repository "
		    "root or set TW_SRCDIR)\n", casedir);
		return 1;
	}
	tests = xcalloc((size_t)n + nitems(fixed), sizeof(*tests));
	for (i = 0; i < n; i++) {
		ents[i]->d_name[strlen(ents[i]->d_name) - 5] = '\0';
		tests[i].name = ents[i]->d_name;
		tests[i].test_func = test_case;
		tests[i].initial_state = ents[i]->d_name;
	}
	memcpy(tests + n, fixed, sizeof(fixed));
	rc = _cmocka_run_group_tests("render", tests, (size_t)n +
	    nitems(fixed), NULL, NULL);
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(tests);
	return rc;
}
