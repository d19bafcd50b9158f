/*
 * rules.c — what filter, outbound NAT and port-forward rules share: the
 * protocol list and the consistency of protocol, ports and families.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sections.h"
#include "store.h"

const char *const cfg_enum_protocol[] = { "any", "tcp", "udp", "tcp/udp",
    "icmp", "icmpv6", "carp", "esp", "ah", "gre", "igmp", "ospf", "pim",
    "sctp", NULL };
const char *const cfg_enum_ipproto46[] = { "inet", "inet6", "inet46", NULL };
const char *const cfg_enum_ipproto[] = { "inet", "inet6", NULL };

int
cfg_endpoint_family(const char *v)
{
	if (cfg_check_addr(v, 4) || cfg_check_cidr(v, 4))
		return 4;
	if (cfg_check_addr(v, 6) || cfg_check_cidr(v, 6))
		return 6;
	return 0;
}

static int
rule_has_ports(const char *proto)
{
	return strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0 ||
	    strcmp(proto, "tcp/udp") == 0 || strcmp(proto, "sctp") == 0;
}

int
cfg_check_rule_common(struct store *st, json_t *row, struct cfg_errors *errs)
{
	static const char *const ends[] = { "source", "destination" };
	const char	*proto = cfg_str(row, "protocol");
	const char	*ipp = cfg_str(row, "ipprotocol");
	char		 f[32];
	size_t		 i;
	int		 fam;

	(void)st;
	for (i = 0; i < 2; i++) {
		snprintf(f, sizeof(f), "%s_port", ends[i]);
		if (*cfg_str(row, f) != '\0' && !rule_has_ports(proto))
			cfg_error(errs, f, "ports need protocol tcp, udp, "
			    "tcp/udp or sctp (protocol is %s)", proto);
		snprintf(f, sizeof(f), "%s_net", ends[i]);
		fam = cfg_endpoint_family(cfg_str(row, f));
		if ((fam == 4 && strcmp(ipp, "inet6") == 0) ||
		    (fam == 6 && strcmp(ipp, "inet") == 0))
			cfg_error(errs, f, "an IPv%d address in an %s rule",
			    fam, ipp);
	}
	if ((strcmp(proto, "icmp") == 0 && strcmp(ipp, "inet6") == 0) ||
	    (strcmp(proto, "icmpv6") == 0 && strcmp(ipp, "inet") == 0))
		cfg_error(errs, "protocol", "%s does not match ipprotocol %s",
		    proto, ipp);
	return cfg_errors_any(errs) ? -1 : 0;
}

int
cfg_count_where(struct store *st, const char *table, const char *field,
    const char *value, const char *except_uuid)
{
	sqlite3_stmt	*stmt;
	char		 sql[256];
	int		 n = 0;

	/* table and field come from the static section tables, never input. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s = ? "
	    "AND uuid != ?", table, field);
	if ((stmt = store_stmt(st, sql)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, except_uuid ? except_uuid : "", -1,
	    SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	store_stmt_done(st, stmt);
	return n;
}

/* 1 when a and b (same family) share their first bits bits. */
int
cfg_same_net(const char *a, const char *b, int bits)
{
	unsigned char	x[16], y[16];
	int		fam = strchr(a, ':') ? AF_INET6 : AF_INET, i;

	if (inet_pton(fam, a, x) != 1 || inet_pton(fam, b, y) != 1)
		return 0;
	for (i = 0; i < bits / 8; i++)
		if (x[i] != y[i])
			return 0;
	if (bits % 8 != 0 &&
	    ((x[i] ^ y[i]) & (0xff << (8 - bits % 8)) & 0xff) != 0)
		return 0;
	return 1;
}
