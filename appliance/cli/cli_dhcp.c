/*
 * cli_dhcp.c — `twinwall dhcp-event --data DIR`: the DHCP client's hook
 * (platform/dhcp.c renders DIR/rendered/dhcpcd-hook.sh to exec it).
 *
 * dhcpcd runs its hook with the lease in the environment; only the
 * device ($interface), the reason ($reason) and, for a router
 * advertisement, the router's address and lifetime ($nd1_from,
 * $nd1_lifetime: no lease file holds them) are passed on, checked here
 * and again by the parent, which reads the DHCP lease file itself.
 *
 * The answer is awaited 0.2 s at most: the client waits for its hook,
 * and the parent may be waiting for the client (an apply waiting for
 * this very lease, a stop waiting for the release); every hook of a
 * busy parent would hold the lease up that long. The parent reads the
 * request when it is free (the socket keeps it); reading the answer
 * when it comes lets both ends close cleanly.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "control.h"
#include "ipc.h"
#include "dhcp.h"
#include "util.h"

#define DHCP_EVENT_WAIT_MS	200


int
cli_dhcp_event(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*dev = getenv("interface");
	const char		*reason = getenv("reason");
	const char		*r6 = getenv("nd1_from");
	const char		*life = getenv("nd1_lifetime");
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	char			*dir = NULL, err[128];
	json_t			*req;
	int			 c, fd = -1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'D')
			return 2;
		dir = optarg;
	}
	if (dir == NULL) {
		fprintf(stderr, "usage: twinwall dhcp-event --data DIR\n");
		return 2;
	}
	/* Not ours to report: the client goes on whatever happens here. */
	if (!dhcp_word_ok(dev, 15) || !dhcp_word_ok(reason, 16))
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir,
	    CONTROL_SOCK) >= sizeof(sun.sun_path))
		return 0;
	req = json_pack("{s:s, s:s, s:s, s:s}",
	    "type", ipc_type_name(IPC_DHCP), "op", "event",
	    "device", dev, "reason", reason);
	if (r6 != NULL && strlen(r6) < 64 && strspn(r6, "0123456789abcdef"
	    "ABCDEF:") == strlen(r6) && life != NULL &&
	    strspn(life, "0123456789") == strlen(life) && strlen(life) < 10)
		json_object_set_new(req, "router6", json_pack("{s:s, s:s}",
		    "address", r6, "lifetime", life));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    ipc_send(fd, req) == -1)
		fprintf(stderr, "twinwall dhcp-event: %s: %s\n", sun.sun_path,
		    strerror(errno));
	else {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, DHCP_EVENT_WAIT_MS) == 1)
			json_decref(ipc_recv(fd, err, sizeof(err)));
	}
	if (fd != -1)
		close(fd);
	json_decref(req);
	return 0;
}
