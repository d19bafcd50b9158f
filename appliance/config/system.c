/*
 * system.c — the system section: host identity, DNS, time zone, web GUI.
 *
 * The platform applies these to the host (subsystem "system"): an empty
 * value leaves the host's own setting in force, so a fresh store changes
 * nothing on the machine it starts on, and the web GUI keeps listening
 * where the daemon's --listen says until a protocol or port is stored.
 * Every value that reaches a host file is checked here so that it cannot
 * add a line or a word to it; the platform checks again before writing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sections.h"

static const char *const webgui_protocols[] = { "", "https", "http", NULL };

/* What the listener's address allows: -1 unknown, 0 no, 1 loopback. */
static int system_listen_loopback = -1;

static const struct cfg_field system_fields[] = {
	{ "hostname", CFG_HOSTNAME, 0, 0, 63, "", NULL, NULL,
	    "host name, one label without the domain; empty: the host's own" },
	{ "domain", CFG_HOSTNAME, 0, 0, 253, "", NULL, NULL,
	    "DNS domain (and resolver search domain); empty: the host's own" },
	{ "timezone", CFG_TEXT, 0, 0, 64, "", NULL, NULL,
	    "time zone, a tz database name such as Europe/Berlin; empty: the "
	    "host's own" },
	{ "dnsserver", CFG_ADDR, CFG_F_LIST, 0, 8, "", NULL, NULL,
	    "DNS servers, comma separated; empty: resolv.conf is left alone" },
	CFG_BOOLF("dnsallowoverride", "0", "the DNS servers of DHCP and DHCPv6 "
	    "leases follow dnsserver's in resolv.conf"),
	{ "language", CFG_TEXT, 0, 0, 16, "en_US", NULL, NULL,
	    "GUI language" },
	{ "webgui_protocol", CFG_ENUM, 0, 0, 0, "", webgui_protocols, NULL,
	    "web GUI protocol; empty: as the daemon was started" },
	{ "webgui_port", CFG_INT, 0, 1, 65535, "", NULL, NULL,
	    "web GUI port; empty: as the daemon was started (--listen)" },
	{ "update_command", CFG_TEXT, 0, 0, 255, "", NULL, NULL,
	    "command run by the console's update option" },
	CFG_BOOLF("skip_rules_gw_down", "0", "a rule whose gateway (every "
	    "member of its group) is down matches nothing, instead of "
	    "using the default route"),
	CFG_END
};

void
cfg_system_listen_loopback(int loopback)
{
	system_listen_loopback = loopback ? 1 : 0;
}

int
cfg_check_timezone(const char *zone)
{
	const char	*p;
	char		 path[128], magic[4];
	int		 fd, ok;

	/* A relative path of tz names: no "..", no leading '/', no blanks. */
	if (zone[0] == '\0' || zone[0] == '/' || strstr(zone, "..") != NULL ||
	    strstr(zone, "//") != NULL || strlen(zone) > 64)
		return 0;
	for (p = zone; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		    *p == '-' || *p == '+'))
			return 0;
	if (p[-1] == '/')
		return 0;
	snprintf(path, sizeof(path), "%s/%s", CFG_ZONEINFO, zone);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 0;
	/* Every compiled zone file starts with this magic (tzfile(5)). */
	ok = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

static int
system_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	const char *zone = cfg_str(row, "timezone");

	(void)st;
	/* The kernel's host name is one label; the domain goes apart. */
	if (strchr(cfg_str(row, "hostname"), '.') != NULL)
		cfg_error(errs, "hostname", "one label without dots: put the "
		    "rest in domain");
	if (*zone != '\0' && !cfg_check_timezone(zone))
		cfg_error(errs, "timezone", "\"%.64s\" is not a time zone "
		    "under %s (such as Europe/Berlin or Etc/UTC)", zone,
		    CFG_ZONEINFO);
	/* The rule of --no-tls: passwords never cross the network in clear. */
	if (strcmp(cfg_str(row, "webgui_protocol"), "http") == 0 &&
	    system_listen_loopback == 0)
		cfg_error(errs, "webgui_protocol", "http is only allowed when "
		    "the daemon listens on a loopback address (--listen)");
	return cfg_errors_any(errs) ? -1 : 0;
}

const struct cfg_section cfg_sec_system = {
	.s_name = "system", .s_key = "system", .s_subsys = SUBSYS_SYSTEM,
	.s_syncitem = "webgui", .s_flags = CFG_S_SINGLETON,
	.s_fields = system_fields, .s_check = system_check,
};
