/*
 * cron_jobs.c — scheduled jobs: five cron fields and a command.
 */
#include <string.h>

#include "sections.h"

/* "none" holds a job imported from OPNsense whose action twinwall has no
 * equivalent for: it never runs and cannot be enabled. */
static const char *const cron_commands[] = { "ha_sync", "ha_sync_restart",
    "apply_all", "backup", "none", NULL };

static const struct cfg_field cron_jobs_fields[] = {
	CFG_BOOLF("enabled", "1", "enabled"),
	{ "minute", CFG_CRON, CFG_F_REQUIRED, 0, 59, "0", NULL, NULL,
	    "minute (0-59, *, */n, a-b, lists)" },
	{ "hour", CFG_CRON, CFG_F_REQUIRED, 0, 23, "*", NULL, NULL,
	    "hour (0-23)" },
	{ "day", CFG_CRON, CFG_F_REQUIRED, 1, 31, "*", NULL, NULL,
	    "day of month (1-31)" },
	{ "month", CFG_CRON, CFG_F_REQUIRED, 1, 12, "*", NULL, NULL,
	    "month (1-12)" },
	{ "weekday", CFG_CRON, CFG_F_REQUIRED, 0, 7, "*", NULL, NULL,
	    "day of week (0-7, 0 and 7 = Sunday)" },
	{ "command", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "ha_sync", cron_commands,
	    NULL, "what to run" },
	{ "parameters", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "parameters" },
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};

/* OPNsense's cron model: plural field names; jobs run as root here. */
static const struct cfg_opn_name cron_jobs_opn[] = {
	{ "minutes", "minute", NULL },
	{ "hours", "hour", NULL },
	{ "days", "day", NULL },
	{ "months", "month", NULL },
	{ "weekdays", "weekday", NULL },
	{ "description", "descr", NULL },
	{ "who", NULL, "root" },
	{ "origin", NULL, "cron" },
	CFG_OPN_END
};

static int
cron_jobs_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	(void)st;
	if (strcmp(cfg_str(row, "command"), "none") == 0 &&
	    cfg_bool(row, "enabled"))
		cfg_error(errs, "enabled", "a job with command none does "
		    "nothing and cannot be enabled");
	return cfg_errors_any(errs) ? -1 : 0;
}

const struct cfg_section cfg_sec_cron_jobs = {
	.s_name = "cron_jobs", .s_key = "job", .s_subsys = SUBSYS_CRON,
	.s_syncitem = "cron", .s_fields = cron_jobs_fields,
	.s_toggle = "enabled", .s_descfield = "descr",
	.s_check = cron_jobs_check, .s_opn_path = "job.jobs.job", .s_opn = cron_jobs_opn,
};
