/*
 * control.c — the control socket's two ends: the parent listens, local
 * tools connect (control.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ipc.h"
#include "util.h"

static int
control_addr(const char *datadir, struct sockaddr_un *sun, char *err,
    size_t errlen)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if ((size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s",
	    datadir, CONTROL_SOCK) >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "%s/%s: path too long for a socket",
		    datadir, CONTROL_SOCK);
		return -1;
	}
	return 0;
}

static int
control_connect(const char *datadir, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (control_addr(datadir, &sun, err, errlen) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "no daemon running (%s: %s)",
		    sun.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
control_listen(const char *datadir, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd;

	if (control_addr(datadir, &sun, err, errlen) == -1)
		return -1;
	if ((fd = control_connect(datadir, err, errlen)) != -1) {
		close(fd);
		snprintf(err, errlen, "another twinwall daemon is running on "
		    "%s (it answers on %s)", datadir, sun.sun_path);
		return -1;
	}
	(void)unlink(sun.sun_path);	/* stale, nobody answers */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		snprintf(err, errlen, "bind %s: %s", sun.sun_path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(sun.sun_path, 0600) == -1 || listen(fd, 8) == -1) {
		snprintf(err, errlen, "%s: %s", sun.sun_path, strerror(errno));
		close(fd);
		unlink(sun.sun_path);
		return -1;
	}
	return fd;
}

void
control_unlink(const char *datadir)
{
	struct sockaddr_un	sun;
	char			err[160];

	if (control_addr(datadir, &sun, err, sizeof(err)) == 0)
		(void)unlink(sun.sun_path);
}

json_t *
control_call(const char *datadir, json_t *req, char *err, size_t errlen)
{
	json_t	*ans = NULL;
	int	 fd;

	if ((fd = control_connect(datadir, err, errlen)) == -1)
		return NULL;
	if (ipc_send(fd, req) == -1) {
		snprintf(err, errlen, "send to the daemon: %s", strerror(errno));
		goto err;
	}
	if ((ans = ipc_recv(fd, err, errlen)) == NULL && err[0] == '\0')
		snprintf(err, errlen, "the daemon closed the connection");
err:
	close(fd);
	return ans;
}
