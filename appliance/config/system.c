/*
 * system.c — the system section: host identity, DNS, web GUI.
 */
#include "sections.h"

static const char *const webgui_protocols[] = { "https", "http", NULL };

static const struct cfg_field system_fields[] = {
	{ "hostname", CFG_HOSTNAME, CFG_F_REQUIRED, 0, 63, "twinwall", NULL,
	    NULL, "host name, without the domain" },
	{ "domain", CFG_HOSTNAME, 0, 0, 253, "localdomain", NULL, NULL,
	    "DNS domain" },
	{ "timezone", CFG_TEXT, CFG_F_REQUIRED, 0, 64, "Etc/UTC", NULL, NULL,
	    "time zone (tz database name)" },
	{ "dnsserver", CFG_ADDR, CFG_F_LIST, 0, 8, "", NULL, NULL,
	    "DNS servers, comma separated" },
	{ "language", CFG_TEXT, 0, 0, 16, "en_US", NULL, NULL,
	    "GUI language" },
	{ "webgui_protocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "https",
	    webgui_protocols, NULL, "web GUI protocol" },
	{ "webgui_port", CFG_INT, 0, 1, 65535, "443", NULL, NULL,
	    "web GUI port" },
	{ "update_command", CFG_TEXT, 0, 0, 255, "", NULL, NULL,
	    "command run by the console's update option" },
	CFG_END
};

const struct cfg_section cfg_sec_system = {
	.s_name = "system", .s_key = "system", .s_subsys = SUBSYS_SYSTEM,
	.s_syncitem = "webgui", .s_flags = CFG_S_SINGLETON,
	.s_fields = system_fields,
};
