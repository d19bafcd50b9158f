/*
 * priv.c — the API child's line to the root parent.
 *
 * The parent answers requests one at a time, in order, so the child keeps
 * exactly one request in flight: a mutex spans send and receive. Once the
 * line has failed (EOF, a malformed answer) it stays closed; the child's
 * main loop sees the hang-up and exits, and every caller until then gets
 * a failed answer rather than NULL.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"

static pthread_mutex_t	 priv_lock = PTHREAD_MUTEX_INITIALIZER;
static int		 priv_fd = -1;
static int		 priv_dead;

void
priv_init(int fd)
{
	pthread_mutex_lock(&priv_lock);
	priv_fd = fd;
	priv_dead = 0;
	pthread_mutex_unlock(&priv_lock);
}

json_t *
priv_call(json_t *req)
{
	json_t		*ans = NULL;
	char		 err[256];
	const char	*type;

	type = json_string_value(json_object_get(req, "type"));
	if (type == NULL)
		return ipc_failed("%s", "request without a type");

	pthread_mutex_lock(&priv_lock);
	if (priv_fd == -1 || priv_dead) {
		ans = ipc_failed("%s", "parent process is gone");
		goto done;
	}
	if (ipc_send(priv_fd, req) == -1) {
		log_warn("priv: send %s request", type);
		priv_dead = 1;
		ans = ipc_failed("%s", "parent process is gone");
		goto done;
	}
	ans = ipc_recv(priv_fd, err, sizeof(err));
	if (ans == NULL) {
		priv_dead = 1;
		if (err[0] != '\0') {
			log_warnx("priv: bad answer to %s: %s", type, err);
			ans = ipc_failed("%s", "malformed answer from the parent "
			    "process");
		} else
			ans = ipc_failed("%s", "parent process is gone");
		goto done;
	}
	if (!json_is_string(json_object_get(ans, "status"))) {
		log_warnx("priv: answer to %s has no status", type);
		json_decref(ans);
		priv_dead = 1;
		ans = ipc_failed("%s", "malformed answer from the parent process");
	}
done:
	pthread_mutex_unlock(&priv_lock);
	if (ans == NULL)	/* json_pack failed: out of memory */
		fatalx("priv_call: out of memory");
	return ans;
}

json_t *
priv_ask(enum ipc_type t)
{
	json_t	*req = json_pack("{s:s}", "type", ipc_type_name(t)), *ans;

	ans = priv_call(req);
	json_decref(req);
	return ans;
}
