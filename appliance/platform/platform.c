/*
 * platform.c — driver lookup and what the drivers share: the rendered/
 * directory, atomic writes into it, and the actions log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "platform.h"
#include "platform_int.h"
#include "util.h"

static const struct platform *const platforms[] = {
	&platform_dry,
	&platform_linux,
	&platform_freebsd,
};

static int			 rendered_fd = -1;
static char			*rendered_path;
static const struct platform	*platform_running;

const struct platform *
platform_get(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < nitems(platforms); i++)
		if (strcmp(platforms[i]->p_name, name) == 0)
			return platforms[i];
	return NULL;
}

void
platform_set_current(const struct platform *p)
{
	platform_running = p;
}

void
platform_gw_changed(void)
{
	if (platform_running != NULL && platform_running->p_gw_changed != NULL)
		platform_running->p_gw_changed();
}

int
platform_rendered_open(const char *datadir)
{
	struct stat sb;

	platform_rendered_close();
	rendered_path = xasprintf("%s/%s", datadir, PLATFORM_RENDERED);
	if (mkdir(rendered_path, 0755) == -1 && errno != EEXIST) {
		log_warn("platform: mkdir %s", rendered_path);
		return -1;
	}
	rendered_fd = open(rendered_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (rendered_fd == -1) {
		log_warn("platform: %s", rendered_path);
		return -1;
	}
	if (fstat(rendered_fd, &sb) == 0 && sb.st_uid != geteuid()) {
		log_warnx("platform: %s is not owned by uid %d", rendered_path,
		    (int)geteuid());
		platform_rendered_close();
		return -1;
	}
	return 0;
}

void
platform_rendered_close(void)
{
	if (rendered_fd != -1)
		close(rendered_fd);
	rendered_fd = -1;
	free(rendered_path);
	rendered_path = NULL;
}

const char *
platform_rendered_path(void)
{
	return rendered_path ? rendered_path : "";
}

int
platform_write(const char *name, const void *data, size_t len, int mode,
    char *err, size_t errlen)
{
	char		 tmp[256];
	const char	*p = data;
	ssize_t		 n;
	int		 fd = -1;

	if (rendered_fd == -1) {
		snprintf(err, errlen, "platform not initialised");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	(void)unlinkat(rendered_fd, tmp, 0);
	fd = openat(rendered_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd == -1)
		goto err;
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto err;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto err;
	if (close(fd) == -1) {
		fd = -1;
		goto err;
	}
	fd = -1;
	if (renameat(rendered_fd, tmp, rendered_fd, name) == -1)
		goto err;
	return 0;
err:
	snprintf(err, errlen, "write %s/%s: %s", rendered_path, name,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	(void)unlinkat(rendered_fd, tmp, 0);
	return -1;
}

char *
platform_read(const char *name, size_t max)
{
	char	*buf = NULL;
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd;

	if (rendered_fd == -1 ||
	    (fd = openat(rendered_fd, name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return NULL;
	buf = xmalloc(max + 1);
	while (len < max) {
		n = read(fd, buf + len, max - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

void
platform_action(const char *fmt, ...)
{
	char		 line[1024], ts[32];
	struct timespec	 now;
	struct tm	 tm;
	va_list		 ap;
	int		 fd;

	if (rendered_fd == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fd = openat(rendered_fd, "actions.log", O_WRONLY | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_warn("platform: actions.log");
		return;
	}
	if (dprintf(fd, "%s %s\n", ts, line) < 0)
		log_warn("platform: actions.log");
	close(fd);
}

char *
platform_subsys_text(json_t *subsys)
{
	size_t	 i, len = 0;
	json_t	*v;
	char	*s;

	if (subsys == NULL || json_array_size(subsys) == 0)
		return xstrdup("all");
	json_array_foreach(subsys, i, v)
		len += strlen(json_string_value(v) ? json_string_value(v) :
		    "?") + 1;
	s = xcalloc(1, len + 1);
	json_array_foreach(subsys, i, v) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, json_string_value(v) ? json_string_value(v) : "?");
	}
	return s;
}

void
platform_describe(json_t *snap, json_t *subsys, const char *verb)
{
	json_t		*ifs, *gws, *rows, *row, *gw, *ifr;
	const char	*addr, *dev;
	size_t		 i;

	ifs = cfg_rows(snap, "interfaces");
	gws = cfg_rows(snap, "gateways");
	if (subsys_has(subsys, SUBSYS_INTERFACES) && ifs != NULL) {
		json_array_foreach(ifs, i, row) {
			dev = cfg_str(row, "device");
			if (strcmp(cfg_str(row, "enabled"), "1") != 0 ||
			    dev[0] == '\0')
				continue;
			addr = cfg_str(row, "ipaddr");
			if (strcmp(addr, "dhcp") == 0)
				platform_action("%s DHCP client on %s (%s)",
				    verb, dev, cfg_str(row, "name"));
			else if (addr[0] != '\0' && strcmp(addr, "none") != 0)
				platform_action("%s address %s/%s on %s (%s)",
				    verb, addr, cfg_str(row, "subnet"), dev,
				    cfg_str(row, "name"));
			addr = cfg_str(row, "ipaddrv6");
			if (addr[0] != '\0' && strcmp(addr, "none") != 0)
				platform_action("%s address %s/%s on %s (%s)",
				    verb, addr, cfg_str(row, "subnetv6"),
				    dev, cfg_str(row, "name"));
		}
	}
	if (subsys_has(subsys, SUBSYS_ROUTING)) {
		json_array_foreach(gws, i, row)
			if (strcmp(cfg_str(row, "defaultgw"), "1") == 0 &&
			    strcmp(cfg_str(row, "disabled"), "1") != 0)
				platform_action("%s default route (%s) via %s "
				    "(gateway %s)", verb,
				    cfg_str(row, "ipprotocol"),
				    cfg_str(row, "gateway"),
				    cfg_str(row, "name"));
		rows = cfg_rows(snap, "routes");
		json_array_foreach(rows, i, row) {
			if (strcmp(cfg_str(row, "disabled"), "1") == 0)
				continue;
			gw = cfg_row_find(gws, "name",
			    cfg_str(row, "gateway"));
			platform_action("%s route %s via %s (gateway %s)", verb,
			    cfg_str(row, "network"),
			    gw ? cfg_str(gw, "gateway") : "?",
			    cfg_str(row, "gateway"));
		}
	}
	if (subsys_has(subsys, SUBSYS_VIP)) {
		rows = cfg_rows(snap, "vips");
		json_array_foreach(rows, i, row) {
			ifr = cfg_row_find(ifs, "name",
			    cfg_str(row, "interface"));
			dev = ifr ? cfg_str(ifr, "device") : "";
			if (strcmp(cfg_str(row, "mode"), "carp") == 0)
				platform_action("%s VIP %s/%s on %s (%s) carp "
				    "vhid %s advbase %s advskew %s: up when "
				    "MASTER, down when BACKUP", verb,
				    cfg_str(row, "subnet"),
				    cfg_str(row, "subnet_bits"),
				    dev[0] ? dev : "-",
				    cfg_str(row, "interface"),
				    cfg_str(row, "vhid"),
				    cfg_str(row, "advbase"),
				    cfg_str(row, "advskew"));
			else
				platform_action("%s VIP %s/%s on %s (%s) %s: up",
				    verb, cfg_str(row, "subnet"),
				    cfg_str(row, "subnet_bits"),
				    dev[0] ? dev : "-",
				    cfg_str(row, "interface"),
				    cfg_str(row, "mode"));
		}
	}
}

json_t *
platform_req_states(struct parent *pa, json_t *req, const char *from)
{
	const struct platform	*p = platform_running;
	json_t			*rows;

	(void)pa;
	(void)req;
	(void)from;
	if (p == NULL)
		return ipc_failed("%s", "no platform");
	if ((rows = p->p_states()) == NULL) {
		if (p->p_kill_states != NULL)
			return ipc_failed("%s", "cannot read the state "
			    "table (see the daemon log)");
		return json_pack("{s:s, s:[], s:s}", "status", "ok", "rows",
		    "note", "this platform keeps no state table here");
	}
	if (strcmp(p->p_name, "dry") == 0)
		return json_pack("{s:s, s:o, s:s}", "status", "ok", "rows",
		    rows, "note", "platform dry: nothing is tracked");
	return json_pack("{s:s, s:o}", "status", "ok", "rows", rows);
}

static json_t *
platform_req_kill(const char *filter, const char *from)
{
	const struct platform	*p = platform_running;
	char			 err[512];
	int			 n;

	if (p == NULL)
		return ipc_failed("%s", "no platform");
	if (p->p_kill_states == NULL)
		return json_pack("{s:s, s:s, s:i, s:s}", "status", "ok",
		    "result", "ok", "dropped_states", 0, "note",
		    "this platform keeps no state table here");
	err[0] = '\0';
	if ((n = p->p_kill_states(filter, err, sizeof(err))) < 0) {
		log_warnx("states (%s): %s", from, err);
		return ipc_failed("%s", err[0] ? err : "failed");
	}
	platform_action("%s: dropped %d states (%s, filter %s)", p->p_name, n,
	    from, filter ? filter : "all");
	return json_pack("{s:s, s:s, s:i}", "status", "ok", "result", "ok",
	    "dropped_states", n);
}

json_t *
platform_req_kill_states(struct parent *pa, json_t *req, const char *from)
{
	const char *filter;

	(void)pa;
	filter = json_string_value(json_object_get(req, "filter"));
	if (filter == NULL || filter[0] == '\0' || strlen(filter) > 64)
		return ipc_failed("%s", "kill_states: a filter (address "
		    "or network) is required");
	return platform_req_kill(filter, from);
}

json_t *
platform_req_flush_states(struct parent *pa, json_t *req, const char *from)
{
	(void)pa;
	(void)req;
	return platform_req_kill(NULL, from);
}
