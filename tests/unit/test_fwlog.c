/*
 * test_fwlog.c — the firewall log: NFULNL_MSG_PACKET parsing
 * (linux_nflog.c) on good and hostile messages, the entry as JSON, the
 * parent's request without a real platform, and the names the store
 * gives an entry (fwlog_resolve: interfaces, CARP devices, direction of
 * forwarded packets, the rule's description).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <endian.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <cmocka.h>

#include "config/config.h"
#include "fwlog.h"
#include "platform/linux_nflog.h"
#include "platform/netlink.h"
#include "store.h"
#include "testutil.h"
#include "util.h"

#define UUID1	"0f6c3c1e-4f3a-4b8e-9d2a-1c2b3d4e5f60"

/* A packet message with a hook (-1: none) and a prefix (NULL: none). */
static void
msg_begin(struct nl_msg *m, int hook, const char *prefix)
{
	struct nfgenmsg			g;
	struct nfulnl_msg_packet_hdr	ph;

	memset(&g, 0, sizeof(g));
	g.nfgen_family = AF_INET;
	g.res_id = htons(1);
	nl_msg_init(m, (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET, 0, &g,
	    sizeof(g));
	if (hook >= 0) {
		memset(&ph, 0, sizeof(ph));
		ph.hw_protocol = htons(0x0800);
		ph.hook = (uint8_t)hook;
		assert_int_equal(nl_put(m, NFULA_PACKET_HDR, &ph, sizeof(ph)),
		    0);
	}
	if (prefix != NULL)
		assert_int_equal(nl_put(m, NFULA_PREFIX, prefix,
		    strlen(prefix) + 1), 0);
}

/* An IPv4 header (20 bytes) for proto, src -> dst, total length tot. */
static size_t
ip4(uint8_t *p, int proto, const char *src, const char *dst, size_t tot)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = (uint8_t)proto;
	assert_int_equal(inet_pton(AF_INET, src, p + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, p + 16), 1);
	return 20;
}

/* An IPv6 header (40 bytes): next header nh, payload length plen. */
static size_t
ip6(uint8_t *p, int nh, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = (uint8_t)nh;
	p[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", p + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", p + 24), 1);
	return 40;
}

static void
ports(uint8_t *p, int sport, int dport)
{
	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
}

/* Parses a message whose payload is p[0..len) and nothing else. */
static void
parse_payload(const uint8_t *p, size_t len, struct linux_nflog_entry *e)
{
	struct nl_msg m;

	msg_begin(&m, NF_INET_FORWARD, "tw:" UUID1 ":pass");
	assert_int_equal(nl_put(&m, NFULA_PAYLOAD, p, len), 0);
	assert_int_equal(linux_nflog_parse(&m.m_hdr, e), 0);
}

/*
 * In forward both evaluations run; the prefix's suffix names the one
 * that logged, and wins over the hook.
 */
static void
test_parse_dir_suffix(void **state)
{
	struct linux_nflog_entry	e;
	struct nl_msg			m;

	(void)state;
	msg_begin(&m, NF_INET_FORWARD, "tw:" UUID1 ":block:out");
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_string_equal(e.le_dir, "out");
	assert_string_equal(e.le_action, "block");
	assert_string_equal(e.le_rule, UUID1);
	msg_begin(&m, NF_INET_FORWARD, "tw:" UUID1 ":pass:in");
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_string_equal(e.le_dir, "in");
	assert_string_equal(e.le_action, "pass");
	msg_begin(&m, NF_INET_FORWARD, "tw:" UUID1 ":pass:up");
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_string_equal(e.le_rule, "");
	assert_string_equal(e.le_dir, "");
}

static void
test_parse_ipv4_tcp(void **state)
{
	struct nfulnl_msg_packet_timestamp	 ts;
	struct linux_nflog_entry		 e;
	struct nl_msg				 m;
	uint8_t					 pkt[40];
	uint32_t				 idx;
	json_t					*j;

	(void)state;
	msg_begin(&m, NF_INET_FORWARD, "tw:" UUID1 ":block");
	idx = htonl(1);				/* lo, in every namespace */
	assert_int_equal(nl_put(&m, NFULA_IFINDEX_INDEV, &idx, 4), 0);
	idx = htonl(999999);			/* gone */
	assert_int_equal(nl_put(&m, NFULA_IFINDEX_OUTDEV, &idx, 4), 0);
	ts.sec = htobe64(1700000000);
	ts.usec = htobe64(123456);
	assert_int_equal(nl_put(&m, NFULA_TIMESTAMP, &ts, sizeof(ts)), 0);
	ip4(pkt, 6, "192.0.2.1", "198.51.100.7", 40);
	ports(pkt + 20, 12345, 81);
	assert_int_equal(nl_put(&m, NFULA_PAYLOAD, pkt, sizeof(pkt)), 0);

	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_string_equal(e.le_hook, "forward");
	assert_string_equal(e.le_dir, "");	/* no evaluation named */
	assert_string_equal(e.le_indev, "lo");
	assert_string_equal(e.le_outdev, "if999999");
	assert_string_equal(e.le_action, "block");
	assert_string_equal(e.le_rule, UUID1);
	assert_int_equal(e.le_family, AF_INET);
	assert_int_equal(e.le_proto, 6);
	assert_string_equal(e.le_src, "192.0.2.1");
	assert_string_equal(e.le_dst, "198.51.100.7");
	assert_int_equal(e.le_sport, 12345);
	assert_int_equal(e.le_dport, 81);
	assert_int_equal(e.le_icmp_type, -1);
	assert_int_equal(e.le_time.tv_sec, 1700000000);
	assert_int_equal(e.le_time.tv_nsec, 123456000);

	j = linux_nflog_json(&e);
	assert_non_null(j);
	assert_string_equal(cfg_str(j, "time"), "2023-11-14T22:13:20.123Z");
	assert_string_equal(cfg_str(j, "proto"), "tcp");
	assert_string_equal(cfg_str(j, "src_port"), "12345");
	assert_string_equal(cfg_str(j, "dst_port"), "81");
	assert_string_equal(cfg_str(j, "icmp_type"), "");
	assert_string_equal(cfg_str(j, "rule"), UUID1);
	json_decref(j);
}

static void
test_parse_hooks(void **state)
{
	static const struct { int hook; const char *name, *dir; } c[] = {
		{ NF_INET_PRE_ROUTING, "prerouting", "in" },
		{ NF_INET_LOCAL_IN, "input", "in" },
		{ NF_INET_FORWARD, "forward", "" },
		{ NF_INET_LOCAL_OUT, "output", "out" },
		{ NF_INET_POST_ROUTING, "postrouting", "out" },
		{ 77, "", "" },
	};
	struct linux_nflog_entry	e;
	struct nl_msg			m;
	size_t				i;

	(void)state;
	for (i = 0; i < nitems(c); i++) {
		msg_begin(&m, c[i].hook, NULL);
		assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
		assert_string_equal(e.le_hook, c[i].name);
		assert_string_equal(e.le_dir, c[i].dir);
		assert_int_equal(e.le_family, 0);
		assert_int_equal(e.le_proto, -1);
	}
}

/* Prefixes that are not exactly "tw:<uuid>:<action>" name no rule. */
static void
test_parse_prefix_hostile(void **state)
{
	static const char *const bad[] = {
		"tw:" UUID1 ":evil", "tw:" UUID1 ":block:x", "tw:" UUID1 ":",
		"tw:" UUID1, "xx:" UUID1 ":pass", "tw:0f6c3c1e-4f3a-4b8e-9d2a-"
		"1c2b3d4e5f6g:pass", "tw:0f6c3c1e_4f3a-4b8e-9d2a-1c2b3d4e5f60"
		":pass", "", "tw:", "tw:" UUID1 ":pass\n",
	};
	struct linux_nflog_entry	e;
	struct nl_msg			m;
	size_t				i;
	char				raw[3 + UUID_LEN + 6];

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		msg_begin(&m, NF_INET_LOCAL_IN, bad[i]);
		assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
		if (e.le_rule[0] != '\0' || e.le_action[0] != '\0')
			fail_msg("prefix \"%s\" gave rule %s action %s", bad[i],
			    e.le_rule, e.le_action);
	}
	/* Without its NUL the prefix is not read at all. */
	memcpy(raw, "tw:" UUID1 ":pass", sizeof(raw) - 1);
	msg_begin(&m, NF_INET_LOCAL_IN, NULL);
	assert_int_equal(nl_put(&m, NFULA_PREFIX, raw, sizeof(raw) - 1), 0);
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_string_equal(e.le_rule, "");
	/* And each action the renderer writes is taken. */
	msg_begin(&m, NF_INET_LOCAL_IN, "tw:" UUID1 ":rdr");
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_string_equal(e.le_action, "rdr");
	assert_string_equal(e.le_rule, UUID1);
}

static void
test_parse_ipv4_hostile(void **state)
{
	struct linux_nflog_entry	e;
	uint8_t				p[64];

	(void)state;
	/* Header length beyond the capture. */
	ip4(p, 6, "192.0.2.1", "192.0.2.2", 40);
	p[0] = 0x4f;
	parse_payload(p, 20, &e);
	assert_int_equal(e.le_family, 0);
	assert_int_equal(e.le_proto, -1);
	assert_string_equal(e.le_src, "");
	/* A header length below 20, and a total length below the header. */
	ip4(p, 6, "192.0.2.1", "192.0.2.2", 40);
	p[0] = 0x44;
	parse_payload(p, 40, &e);
	assert_int_equal(e.le_family, 0);
	ip4(p, 6, "192.0.2.1", "192.0.2.2", 12);
	parse_payload(p, 40, &e);
	assert_int_equal(e.le_family, 0);
	/* Too short to be IPv4, and not IP at all. */
	ip4(p, 6, "192.0.2.1", "192.0.2.2", 40);
	parse_payload(p, 19, &e);
	assert_int_equal(e.le_family, 0);
	memset(p, 0x11, sizeof(p));
	parse_payload(p, sizeof(p), &e);
	assert_int_equal(e.le_family, 0);
	/* A later fragment: addresses, no ports. */
	ip4(p, 17, "192.0.2.1", "192.0.2.2", 28);
	p[6] = 0x00;
	p[7] = 0x10;
	ports(p + 20, 53, 53);
	parse_payload(p, 28, &e);
	assert_int_equal(e.le_family, AF_INET);
	assert_int_equal(e.le_proto, 17);
	assert_int_equal(e.le_sport, -1);
	assert_int_equal(e.le_dport, -1);
	/* Ports cut off by the capture, and by the packet's own length. */
	ip4(p, 6, "192.0.2.1", "192.0.2.2", 40);
	ports(p + 20, 1000, 2000);
	parse_payload(p, 23, &e);
	assert_int_equal(e.le_proto, 6);
	assert_int_equal(e.le_sport, -1);
	ip4(p, 6, "192.0.2.1", "192.0.2.2", 22);
	parse_payload(p, 40, &e);
	assert_int_equal(e.le_sport, -1);
	/* IP options: the ports come after them. */
	ip4(p, 17, "192.0.2.1", "192.0.2.2", 32);
	p[0] = 0x46;
	ports(p + 24, 5353, 5354);
	parse_payload(p, 32, &e);
	assert_int_equal(e.le_sport, 5353);
	assert_int_equal(e.le_dport, 5354);
	/* ICMP: type and code, no ports. */
	ip4(p, 1, "192.0.2.1", "192.0.2.2", 28);
	p[20] = 8;
	p[21] = 0;
	parse_payload(p, 28, &e);
	assert_int_equal(e.le_icmp_type, 8);
	assert_int_equal(e.le_icmp_code, 0);
	assert_int_equal(e.le_sport, -1);
}

static void
test_parse_ipv6(void **state)
{
	struct linux_nflog_entry	e;
	uint8_t				p[128];
	size_t				o;
	json_t				*j;

	(void)state;
	/* Hop-by-hop, a first fragment, then UDP. */
	o = ip6(p, 0, 8 + 8 + 8);
	memset(p + o, 0, 16);
	p[o] = 44;			/* hop-by-hop: next fragment, 8 bytes */
	p[o + 8] = 17;			/* fragment: offset 0, more */
	p[o + 11] = 1;
	ports(p + o + 16, 4000, 53);
	parse_payload(p, o + 24, &e);
	assert_int_equal(e.le_family, AF_INET6);
	assert_string_equal(e.le_src, "2001:db8::1");
	assert_string_equal(e.le_dst, "2001:db8::2");
	assert_int_equal(e.le_proto, 17);
	assert_int_equal(e.le_sport, 4000);
	assert_int_equal(e.le_dport, 53);
	/* A later fragment: the protocol, no ports. */
	p[o + 10] = 0x01;
	parse_payload(p, o + 24, &e);
	assert_int_equal(e.le_proto, 17);
	assert_int_equal(e.le_sport, -1);
	/* An extension header longer than the capture. */
	o = ip6(p, 60, 64);
	memset(p + o, 0, 8);
	p[o] = 6;
	p[o + 1] = 200;			/* (200 + 1) * 8 bytes */
	parse_payload(p, o + 24, &e);
	assert_int_equal(e.le_family, AF_INET6);
	assert_int_equal(e.le_sport, -1);
	/* A chain that leaves the packet (payload length 4). */
	o = ip6(p, 0, 4);
	memset(p + o, 0, 24);
	p[o] = 6;
	parse_payload(p, o + 24, &e);
	assert_int_equal(e.le_proto, -1);
	assert_int_equal(e.le_sport, -1);
	/* A loop of extension headers ends. */
	o = ip6(p, 60, 80);
	memset(p + o, 0, 80);
	for (size_t i = 0; i < 10; i++)
		p[o + i * 8] = 60;
	parse_payload(p, o + 80, &e);
	assert_int_equal(e.le_proto, -1);
	/* ICMPv6 echo request. */
	o = ip6(p, 58, 8);
	p[o] = 128;
	p[o + 1] = 0;
	parse_payload(p, o + 8, &e);
	assert_int_equal(e.le_icmp_type, 128);
	j = linux_nflog_json(&e);
	assert_string_equal(cfg_str(j, "proto"), "ipv6-icmp");
	assert_string_equal(cfg_str(j, "icmp_type"), "128");
	assert_string_equal(cfg_str(j, "src_port"), "");
	json_decref(j);
}

static void
test_parse_bad_messages(void **state)
{
	struct nfulnl_msg_packet_timestamp	 ts;
	struct linux_nflog_entry		 e;
	struct nl_msg				 m;
	struct nlattr				*a;
	struct timespec				 now;
	uint8_t					 pkt[40];

	(void)state;
	/* Another message type. */
	msg_begin(&m, NF_INET_LOCAL_IN, NULL);
	m.m_hdr.nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), -1);
	/* Shorter than its own header. */
	msg_begin(&m, NF_INET_LOCAL_IN, NULL);
	m.m_hdr.nlmsg_len = NLMSG_LENGTH(2);
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), -1);
	/* An attribute that claims more than the message holds. */
	msg_begin(&m, NF_INET_LOCAL_IN, NULL);
	ip4(pkt, 6, "192.0.2.1", "192.0.2.2", 40);
	assert_int_equal(nl_put(&m, NFULA_PAYLOAD, pkt, sizeof(pkt)), 0);
	a = (struct nlattr *)(m.m_buf + m.m_hdr.nlmsg_len - NLA_ALIGN(
	    NLA_HDRLEN + sizeof(pkt)));
	a->nla_len = 4000;
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_int_equal(e.le_family, 0);
	assert_string_equal(e.le_hook, "input");
	/* Short interface and header attributes are ignored. */
	msg_begin(&m, -1, NULL);
	assert_int_equal(nl_put(&m, NFULA_IFINDEX_INDEV, "\1", 1), 0);
	assert_int_equal(nl_put(&m, NFULA_PACKET_HDR, "\0", 1), 0);
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_string_equal(e.le_indev, "");
	assert_string_equal(e.le_hook, "");
	/* A stamp that cannot be one: the arrival time instead. */
	msg_begin(&m, NF_INET_LOCAL_IN, NULL);
	ts.sec = htobe64(1700000000);
	ts.usec = htobe64(5000000);
	assert_int_equal(nl_put(&m, NFULA_TIMESTAMP, &ts, sizeof(ts)), 0);
	clock_gettime(CLOCK_REALTIME, &now);
	assert_int_equal(linux_nflog_parse(&m.m_hdr, &e), 0);
	assert_true(e.le_time.tv_sec >= now.tv_sec - 1 &&
	    e.le_time.tv_sec <= now.tv_sec + 1);
}

/* The parent's request when no platform logs. */
static void
test_req_dry(void **state)
{
	json_t *req, *ans;

	(void)state;
	fwlog_init("dry");
	req = json_pack("{s:s, s:i}", "type", "firewall_log", "limit", 10);
	ans = fwlog_req(NULL, req, "test");
	assert_string_equal(cfg_str(ans, "status"), "ok");
	assert_int_equal(json_array_size(json_object_get(ans, "rows")), 0);
	assert_string_equal(cfg_str(ans, "note"),
	    "the dry platform logs no packets");
	json_decref(ans);
	json_decref(req);
	req = json_pack("{s:s, s:i}", "type", "firewall_log", "limit", 0);
	ans = fwlog_req(NULL, req, "test");
	assert_string_equal(cfg_str(ans, "status"), "failed");
	json_decref(ans);
	json_decref(req);
	req = json_pack("{s:s, s:i}", "type", "firewall_log", "limit", 1001);
	ans = fwlog_req(NULL, req, "test");
	assert_string_equal(cfg_str(ans, "status"), "failed");
	json_decref(ans);
	json_decref(req);
	req = json_pack("{s:s, s:s}", "type", "firewall_log", "limit", "5");
	ans = fwlog_req(NULL, req, "test");
	assert_string_equal(cfg_str(ans, "status"), "failed");
	json_decref(ans);
	json_decref(req);
	fwlog_shutdown();
}

/* Adds (uuid NULL: sets the row named by name) from JSON text. */
static void
put(struct tu_fx *fx, const char *section, const char *name, const char *json,
    char *uuid)
{
	const struct cfg_section	*sec = cfg_section(section);
	struct cfg_errors		 e;
	json_t				*in = json_loads(json, 0, NULL), *row;
	char				*text;
	int				 rc;

	assert_non_null(sec);
	assert_non_null(in);
	cfg_errors_init(&e, sec->s_key);
	if (name != NULL) {
		row = cfg_find(fx->st, sec, name);
		assert_non_null(row);
		rc = cfg_set(&fx->ctx, sec, cfg_str(row, "uuid"), in, &e);
		json_decref(row);
	} else
		rc = cfg_add(&fx->ctx, sec, in, uuid, &e);
	if (rc != 0) {
		text = json_dumps(e.e_obj, 0);
		fail_msg("%s %s: %d %s", section, json, rc, text);
	}
	cfg_errors_free(&e);
	json_decref(in);
}

static json_t *
row_of(const char *indev, const char *outdev, const char *dir,
    const char *rule)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "indev", indev,
	    "outdev", outdev, "dir", dir, "rule", rule, "action", "pass");
}

static void
test_resolve(void **state)
{
	struct tu_fx	*fx = *state;
	char		 out[UUID_LEN + 1], any[UUID_LEN + 1];
	char		 anywan[UUID_LEN + 1], dnat[UUID_LEN + 1];
	char		 vip[UUID_LEN + 1];
	json_t		*rows, *r;

	put(fx, "interfaces", "lan", "{\"device\":\"lan0\"}", NULL);
	put(fx, "interfaces", "wan", "{\"device\":\"wan0\"}", NULL);
	put(fx, "vips", NULL, "{\"mode\":\"carp\",\"interface\":\"lan\","
	    "\"subnet\":\"192.168.1.250\",\"subnet_bits\":\"24\",\"vhid\":"
	    "\"7\",\"password\":\"pw\"}", vip);
	put(fx, "filter_rules", NULL, "{\"interface\":\"wan\",\"direction\":"
	    "\"out\",\"description\":\"out on wan\"}", out);
	put(fx, "filter_rules", NULL, "{\"interface\":\"lan\",\"direction\":"
	    "\"any\"}", any);
	put(fx, "filter_rules", NULL, "{\"interface\":\"wan\",\"direction\":"
	    "\"any\",\"description\":\"any on wan\"}", anywan);
	put(fx, "dnat_rules", NULL, "{\"interface\":\"wan\",\"protocol\":"
	    "\"tcp\",\"destination_net\":\"wanip\",\"destination_port\":"
	    "\"8443\",\"target\":\"192.168.1.5\",\"local_port\":\"443\","
	    "\"descr\":\"web in\"}", dnat);

	rows = json_array();
	json_array_append_new(rows, row_of("twc7", "", "in", out));
	/* Forwarded: the prefix said which evaluation logged. */
	json_array_append_new(rows, row_of("lan0", "wan0", "out", out));
	json_array_append_new(rows, row_of("lan0", "wan0", "in", any));
	json_array_append_new(rows, row_of("lan0", "wan0", "out", anywan));
	json_array_append_new(rows, row_of("eth9", "", "in", ""));
	json_array_append_new(rows, row_of("twc8", "twc07", "out", UUID1));
	json_array_append_new(rows, row_of("wan0", "", "in", dnat));
	fwlog_resolve(fx->st, rows);

	r = json_array_get(rows, 0);	/* a VIP's device: its interface */
	assert_string_equal(cfg_str(r, "interface"), "lan");
	assert_string_equal(cfg_str(r, "in_if"), "lan");
	assert_string_equal(cfg_str(r, "dir"), "in");
	assert_string_equal(cfg_str(r, "label"), "out on wan");
	assert_string_equal(cfg_str(r, "rule_section"), "filter_rules");
	r = json_array_get(rows, 1);	/* forwarded, an out rule */
	assert_string_equal(cfg_str(r, "dir"), "out");
	assert_string_equal(cfg_str(r, "interface"), "wan");
	assert_string_equal(cfg_str(r, "in_if"), "lan");
	assert_string_equal(cfg_str(r, "out_if"), "wan");
	r = json_array_get(rows, 2);	/* forwarded, any on the way in */
	assert_string_equal(cfg_str(r, "dir"), "in");
	assert_string_equal(cfg_str(r, "interface"), "lan");
	assert_string_equal(cfg_str(r, "label"), "");
	assert_string_equal(cfg_str(r, "rule_section"), "filter_rules");
	r = json_array_get(rows, 3);	/* forwarded, any on the way out */
	assert_string_equal(cfg_str(r, "dir"), "out");
	assert_string_equal(cfg_str(r, "interface"), "wan");
	r = json_array_get(rows, 4);	/* unknown device, not our rule */
	assert_string_equal(cfg_str(r, "interface"), "eth9");
	assert_string_equal(cfg_str(r, "label"), "");
	assert_string_equal(cfg_str(r, "rule_section"), "");
	r = json_array_get(rows, 5);	/* no such VIP; a gone rule */
	assert_string_equal(cfg_str(r, "in_if"), "twc8");
	assert_string_equal(cfg_str(r, "interface"), "twc07");
	assert_string_equal(cfg_str(r, "rule_section"), "");
	r = json_array_get(rows, 6);	/* a port forward's descr */
	assert_string_equal(cfg_str(r, "label"), "web in");
	assert_string_equal(cfg_str(r, "rule_section"), "dnat_rules");
	assert_string_equal(cfg_str(r, "interface"), "wan");
	json_decref(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4_tcp),
		cmocka_unit_test(test_parse_dir_suffix),
		cmocka_unit_test(test_parse_hooks),
		cmocka_unit_test(test_parse_prefix_hostile),
		cmocka_unit_test(test_parse_ipv4_hostile),
		cmocka_unit_test(test_parse_ipv6),
		cmocka_unit_test(test_parse_bad_messages),
		cmocka_unit_test(test_req_dry),
		cmocka_unit_test_setup_teardown(test_resolve, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
