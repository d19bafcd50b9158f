/*
 * listener.c — the web GUI's listener follows system.webgui_protocol and
 * system.webgui_port (listener.h). The parent binds, the child serves.
 *
 * Notify message, parent to child (SOCK_SEQPACKET): one JSON object
 * {"listen":"127.0.0.1:9443","tls":true}, with the listening socket as
 * SCM_RIGHTS when the address changed; without one, the child keeps its
 * socket and only the protocol changes.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "listener.h"
#include "subsys.h"
#include "log.h"
#include "tls.h"
#include "util.h"
#include "webapi.h"

#define LISTENER_MSG	512

struct lstate {
	char	l_listen[300];		/* "host:port", "[v6]:port", ":port" */
	int	l_tls;
	int	l_fd;			/* the parent's copy, -1: the child's */
};

static struct lstate	 lst_cmdline, lst_cur, lst_next;
static int		 lst_pending;
static char		 lst_host[256], lst_datadir[1024];
static uid_t		 lst_uid;
static gid_t		 lst_gid;

/* The port of a listen string, or NULL. Borrowed. */
static const char *
listener_port(const char *listen)
{
	const char *p = strrchr(listen, ':');

	return p != NULL ? p + 1 : NULL;
}

/* "host:port" as compared and sent: "[v6]:port", ":port", no 0 padding. */
static void
listener_format(char *out, size_t len, const char *port)
{
	snprintf(out, len, "%s%s%s:%ld", strchr(lst_host, ':') ? "[" : "",
	    lst_host, strchr(lst_host, ':') ? "]" : "",
	    port != NULL ? strtol(port, NULL, 10) : 0L);
}

void
listener_init(const char *listen, int tls, const char *datadir, uid_t uid,
    gid_t gid)
{
	if (daemon_listen_host(listen, lst_host, sizeof(lst_host)) == -1)
		lst_host[0] = '\0';
	listener_format(lst_cmdline.l_listen, sizeof(lst_cmdline.l_listen),
	    listener_port(listen));
	lst_cmdline.l_tls = tls;
	lst_cmdline.l_fd = -1;
	lst_cur = lst_cmdline;
	lst_pending = 0;
	util_strlcpy(lst_datadir, datadir, sizeof(lst_datadir));
	lst_uid = uid;
	lst_gid = gid;
}

/* A bound, listening socket for listen; -1 with the reason in err. */
static int
listener_bind(const char *where, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	const char	*port = listener_port(where);
	const char	*host = lst_host;
	int		 fd = -1, one = 1, zero = 0, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (host[0] == '\0') {
		host = "::";		/* every address, both families */
		hints.ai_family = AF_INET6;
	} else if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	hints.ai_flags |= AI_NUMERICHOST;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%.64s: %s", where, gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
	    0)) == -1)
		goto err;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		goto err;
	if (res->ai_family == AF_INET6 && lst_host[0] == '\0' &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
	    sizeof(zero)) == -1)
		goto err;
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, SOMAXCONN) == -1)
		goto err;
	freeaddrinfo(res);
	return fd;
err:
	snprintf(err, errlen, "%s", strerror(errno));
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

int
listener_prepare(json_t *req, char *err, size_t errlen)
{
	json_t		*sys;
	const char	*proto, *port, *type;
	char		 why[512], *cert, *key;
	int		 ret;

	listener_abort();
	type = json_string_value(json_object_get(req, "type"));
	if (type == NULL || strcmp(type, "apply") != 0 ||
	    !subsys_has(json_object_get(req, "subsys"), SUBSYS_SYSTEM))
		return 0;
	sys = json_object_get(json_object_get(json_object_get(req,
	    "snapshot"), "sections"), "system");
	if (!json_is_object(sys))
		return 0;		/* the apply itself will say why */
	proto = cfg_str(sys, "webgui_protocol");
	port = cfg_str(sys, "webgui_port");
	if (*port != '\0' && (!cfg_check_port(port) || strpbrk(port,
	    ":-") != NULL)) {
		snprintf(err, errlen, "system.webgui_port: \"%.16s\" is not "
		    "a port", port);
		return -1;
	}
	lst_next.l_tls = *proto == '\0' ? lst_cmdline.l_tls :
	    strcmp(proto, "https") == 0;
	if (*port == '\0')
		port = listener_port(lst_cmdline.l_listen);
	listener_format(lst_next.l_listen, sizeof(lst_next.l_listen), port);
	lst_next.l_fd = -1;
	if (strcmp(lst_next.l_listen, lst_cur.l_listen) == 0 &&
	    lst_next.l_tls == lst_cur.l_tls)
		return 0;
	if (!lst_next.l_tls && !daemon_listen_is_loopback(lst_next.l_listen)) {
		snprintf(err, errlen, "system.webgui_protocol: http is only "
		    "allowed when the daemon listens on a loopback address, "
		    "not %s", lst_next.l_listen);
		return -1;
	}
	if (lst_next.l_tls) {
		cert = xasprintf("%s/tls/cert.pem", lst_datadir);
		key = xasprintf("%s/tls/key.pem", lst_datadir);
		ret = tls_ensure_cert(cert, key, lst_host, lst_uid, lst_gid);
		free(cert);
		free(key);
		if (ret == -1) {
			snprintf(err, errlen, "system.webgui_protocol: https "
			    "needs a certificate and none could be made (see "
			    "the daemon log)");
			return -1;
		}
	}
	/* The same address: the child keeps its socket. */
	if (strcmp(lst_next.l_listen, lst_cur.l_listen) != 0 &&
	    (lst_next.l_fd = listener_bind(lst_next.l_listen, why,
	    sizeof(why))) == -1) {
		snprintf(err, errlen, "system.webgui_port: cannot listen on "
		    "%s: %s; the web GUI stays on %s", lst_next.l_listen, why,
		    lst_cur.l_listen);
		return -1;
	}
	lst_pending = 1;
	return 1;
}

void
listener_abort(void)
{
	if (lst_pending && lst_next.l_fd != -1)
		close(lst_next.l_fd);
	lst_pending = 0;
}

/* Sends st to the child on fd: JSON, and the socket if the parent has it. */
static int
listener_send(int fd, const struct lstate *st)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	char		 text[LISTENER_MSG];
	int		 n;

	n = snprintf(text, sizeof(text), "{\"listen\":\"%s\",\"tls\":%s}",
	    st->l_listen, st->l_tls ? "true" : "false");
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = text;
	iov.iov_len = (size_t)n;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (st->l_fd != -1) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &st->l_fd, sizeof(int));
	}
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) == -1) {
		log_warn("listener: telling the api child");
		return -1;
	}
	return 0;
}

void
listener_commit(int fd)
{
	struct lstate msg;

	if (!lst_pending)
		return;
	lst_pending = 0;
	if (strcmp(lst_next.l_listen, lst_cur.l_listen) == 0)
		lst_next.l_fd = lst_cur.l_fd;	/* same socket, new protocol */
	else if (lst_cur.l_fd != -1)
		close(lst_cur.l_fd);	/* the child stops serving it */
	msg = lst_next;
	if (strcmp(lst_next.l_listen, lst_cur.l_listen) == 0)
		msg.l_fd = -1;		/* the child keeps its own */
	lst_cur = lst_next;
	log_info("web GUI: moving to %s://%s", lst_cur.l_tls ? "https" :
	    "http", lst_cur.l_listen);
	if (fd != -1)
		(void)listener_send(fd, &msg);
}

void
listener_resend(int fd)
{
	if (strcmp(lst_cur.l_listen, lst_cmdline.l_listen) != 0 ||
	    lst_cur.l_tls != lst_cmdline.l_tls)
		(void)listener_send(fd, &lst_cur);
}

void
listener_shutdown(void)
{
	listener_abort();
	if (lst_cur.l_fd != -1)
		close(lst_cur.l_fd);
	lst_cur.l_fd = -1;
}

/*
 * Receives one message: 1 with its listen address, protocol and socket
 * (-1 when none came with it), 0 when none is waiting (nonblock) or it
 * was malformed (logged), -1 when the parent went away.
 */
static int
listener_child_recv(int fd, int nonblock, char *listen, size_t len,
    int *tls, int *sfd)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	char		 text[LISTENER_MSG];
	json_t		*js;
	json_error_t	 jerr;
	const char	*l;
	ssize_t		 n;
	int		 ret = 0;

	*sfd = -1;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = text;
	iov.iov_len = sizeof(text) - 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);
	if ((n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC |
	    (nonblock ? MSG_DONTWAIT : 0))) == -1)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(sfd, CMSG_DATA(cm), sizeof(int));
	text[n] = '\0';
	js = json_loads(text, 0, &jerr);
	l = json_string_value(json_object_get(js, "listen"));
	if (l == NULL || strlen(l) >= len ||
	    (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		log_warnx("listener: malformed message from the parent");
		if (*sfd != -1)
			close(*sfd);
		*sfd = -1;
		goto done;
	}
	util_strlcpy(listen, l, len);
	*tls = json_is_true(json_object_get(js, "tls"));
	ret = 1;
done:
	json_decref(js);
	return ret;
}

int
listener_child_initial(int fd, char *listen, size_t len, int *tls, int *sfd)
{
	return listener_child_recv(fd, 1, listen, len, tls, sfd) == 1;
}

int
listener_child_event(int fd)
{
	char	listen[300];
	int	tls, sfd, rc;

	if ((rc = listener_child_recv(fd, 0, listen, sizeof(listen), &tls,
	    &sfd)) != 1)
		return rc;
	/* webapi_relisten owns sfd, and keeps the old listener on failure. */
	if (webapi_relisten(sfd, listen, tls) == -1)
		log_warnx("web GUI: could not move to %s: still serving the "
		    "old listener", listen);
	return 0;
}
