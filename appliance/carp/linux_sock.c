/*
 * linux_sock.c — a packet socket with a classic BPF filter attached, for
 * the engine's adverts (linux.c) and the proxy ARP responder
 * (proxyarp.c): the kernel hands either only the frames it wants.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_packet.h>

#include "linux.h"
#include "log.h"

int
carp_linux_bpf_socket(uint16_t proto, struct sock_filter *code, size_t len,
    const char *what)
{
	struct sock_fprog	prog = { (unsigned short)len, code };
	int			fd;

	if ((fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(proto))) == -1) {
		log_warn("carp: %s socket", what);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1) {
		log_warn("carp: %s socket filter", what);
		close(fd);
		return -1;
	}
	return fd;
}
