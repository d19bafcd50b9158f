/*
 * ipc.c — framing for the parent/child socketpair and the control socket:
 * a 4-byte big-endian length, then that many bytes of one JSON object.
 *
 * Both ends are our own processes, but the child runs the network-facing
 * code, so the parent treats what it reads as hostile: the length is
 * capped, the text must parse as one object with no duplicate keys, and
 * the object must carry a string "type" (a request) or "status" (an
 * answer). Anything else is refused with a reason and the caller closes
 * the connection.
 */
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc.h"
#include "util.h"

/* A message that has started must be complete within this time. */
#define IPC_STALL_MS	30000

static int
ipc_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				if (poll(&pfd, 1, IPC_STALL_MS) <= 0)
					return -1;
				continue;
			}
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads exactly len bytes. Returns len, 0 on EOF before the first byte,
 * a short count on EOF after it, -1 on error or stall (errno set).
 * first: wait without limit for the first byte (the idle wait between
 * messages); otherwise a stall longer than IPC_STALL_MS is an error.
 */
static ssize_t
ipc_read_all(int fd, void *buf, size_t len, int first)
{
	uint8_t		*p = buf;
	size_t		 got = 0;
	ssize_t		 n;
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	int		 r;

	while (got < len) {
		if (!(first && got == 0)) {
			r = poll(&pfd, 1, IPC_STALL_MS);
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				return -1;
			if (r == 0) {
				errno = ETIMEDOUT;
				return -1;
			}
		}
		n = read(fd, p + got, len - got);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				first = 0;
				continue;
			}
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int
ipc_send(int fd, json_t *msg)
{
	char	*text;
	size_t	 len;
	uint8_t	 hdr[4];
	int	 ret = -1;

	if (msg == NULL || !json_is_object(msg)) {
		errno = EINVAL;
		return -1;
	}
	if ((text = json_dumps(msg, JSON_COMPACT)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	len = strlen(text);
	if (len == 0 || len > IPC_MAX_MSG) {
		errno = EMSGSIZE;
		goto err;
	}
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	if (ipc_write_all(fd, hdr, sizeof(hdr)) == -1 ||
	    ipc_write_all(fd, text, len) == -1)
		goto err;
	ret = 0;
err:
	/* Snapshots carry CARP keys and sync passwords. */
	explicit_bzero(text, len);
	free(text);
	return ret;
}

json_t *
ipc_recv(int fd, char *err, size_t errlen)
{
	uint8_t		 hdr[4];
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	json_t		*msg = NULL, *t;
	json_error_t	 jerr;

	if (errlen > 0)
		err[0] = '\0';
	n = ipc_read_all(fd, hdr, sizeof(hdr), 1);
	if (n == 0)
		return NULL;		/* clean EOF between messages */
	if (n < 0) {
		snprintf(err, errlen, "read: %s", strerror(errno));
		return NULL;
	}
	if (n != sizeof(hdr)) {
		snprintf(err, errlen, "truncated header (%zd of 4 bytes)", n);
		return NULL;
	}
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
	    (size_t)hdr[2] << 8 | (size_t)hdr[3];
	if (len == 0 || len > IPC_MAX_MSG) {
		snprintf(err, errlen, "bad message length %zu (limit %u)", len,
		    IPC_MAX_MSG);
		return NULL;
	}
	buf = xmalloc(len);
	n = ipc_read_all(fd, buf, len, 0);
	if (n < 0) {
		snprintf(err, errlen, "read: %s", strerror(errno));
		goto err;
	}
	if ((size_t)n != len) {
		snprintf(err, errlen, "truncated message (%zd of %zu bytes)",
		    n, len);
		goto err;
	}
	msg = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (msg == NULL) {
		snprintf(err, errlen, "bad JSON at byte %d: %s", jerr.position,
		    jerr.text);
		goto err;
	}
	if (!json_is_object(msg)) {
		snprintf(err, errlen, "message is not a JSON object");
		goto err;
	}
	if (!json_is_string(t = json_object_get(msg, "type")) &&
	    !json_is_string(t = json_object_get(msg, "status"))) {
		snprintf(err, errlen, "message has no string \"type\" or "
		    "\"status\"");
		goto err;
	}
	explicit_bzero(buf, len);
	free(buf);
	return msg;
err:
	json_decref(msg);
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "malformed message");
	return NULL;
}

static const char *const ipc_type_names[IPC_TYPE_MAX] = {
	[IPC_NONE] =		"",
	[IPC_APPLY] =		"apply",
	[IPC_STATUS] =		"status",
	[IPC_CARP_STATUS] =	"carp_status",
	[IPC_CARP_SET] =	"carp_set",
	[IPC_CARP_CONFIG] =	"carp_config",
	[IPC_TIMELINE] =	"timeline",
	[IPC_STATESYNC_STATUS] = "statesync_status",
	[IPC_STATES] =		"states",
	[IPC_KILL_STATES] =	"kill_states",
	[IPC_FLUSH_STATES] =	"flush_states",
	[IPC_FIREWALL_LOG] =	"firewall_log",
	[IPC_DHCP] =		"dhcp",
	[IPC_GATEWAY_STATUS] =	"gateway_status",
};

json_t *
ipc_failed(const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s,s:s}", "status", "failed", "message", msg);
}

const char *
ipc_type_name(enum ipc_type t)
{
	if ((int)t < 0 || t >= IPC_TYPE_MAX)
		return "";
	return ipc_type_names[t];
}

enum ipc_type
ipc_type_of(json_t *req)
{
	const char	*name = json_string_value(json_object_get(req, "type"));
	int		 t;

	if (name == NULL)
		return IPC_NONE;
	for (t = IPC_NONE + 1; t < IPC_TYPE_MAX; t++)
		if (strcmp(ipc_type_names[t], name) == 0)
			return (enum ipc_type)t;
	return IPC_NONE;
}
