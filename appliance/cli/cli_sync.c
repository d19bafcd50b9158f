/*
 * cli_sync.c — `twinwall sync --data DIR [--restart]`: one sync run from
 * the console, as the API's POST core/hasync_status/sync does it. The
 * store is opened directly; the CARP gate asks the running daemon through
 * DIR/control.sock (no daemon: refused, never synced blindly).
 *
 * Exit status: 0 synchronised, 1 failed, 3 refused by the CARP gate,
 * 2 usage.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_dir.h"
#include "cli.h"
#include "control.h"
#include "ipc.h"
#include "store.h"
#include "sync.h"
#include "util.h"


static const char *cli_sync_dir;


/* The parent through the control socket; never NULL. */
static json_t *
cli_sync_parent(json_t *req)
{
	json_t	*ans;
	char	 err[512];

	if ((ans = control_call(cli_sync_dir, req, err, sizeof(err))) == NULL)
		ans = ipc_failed("%s", err);
	return ans;
}

int
cli_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ "restart", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_opts	 o;
	struct store		*st;
	const char		*data = NULL, *status;
	char			*dir;
	json_t			*res;
	int			 ch, ret;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		case 'r': o.so_restart = 1; break;
		default:
			fprintf(stderr, "usage: twinwall sync --data DIR "
			    "[--restart]\n");
			return 2;
		}
	}
	if (optind != argc || data == NULL) {
		fprintf(stderr, "usage: twinwall sync --data DIR "
		    "[--restart]\n");
		return 2;
	}
	if ((dir = store_dir_path(data, 0)) == NULL)
		return 1;
	if ((st = store_dir_open(dir)) == NULL) {
		free(dir);
		return 1;
	}
	cli_sync_dir = dir;
	o.so_st = st;
	o.so_trigger = "cli";
	o.so_parent = cli_sync_parent;
	res = sync_run(&o);
	status = json_string_value(json_object_get(res, "status"));
	if (status != NULL && strcmp(status, "ok") == 0) {
		printf("%s\n", json_string_value(json_object_get(res,
		    "message")));
		printf("local hash %s\npeer hash  %s\n",
		    json_string_value(json_object_get(res, "local_hash")),
		    json_string_value(json_object_get(res, "peer_hash")));
		ret = 0;
	} else {
		fprintf(stderr, "twinwall: %s\n", json_string_value(
		    json_object_get(res, "message")));
		ret = status != NULL && strcmp(status, "refused") == 0 ? 3 : 1;
	}
	json_decref(res);
	store_dir_close(st, dir);
	cli_sync_dir = NULL;
	free(dir);
	return ret;
}
