/*
 * fuzz_nflog.c — NFLOG messages as the kernel hands them to the firewall
 * log: linux_nflog_parse() and linux_nflog_json(), as fwlog.c does with
 * every message. The payload is a logged packet, so its bytes are the
 * network's; the attributes around it come from the kernel, checked as
 * if they might not.
 *
 * The input is one whole netlink message in a buffer of exactly its
 * length (a read past the end is caught); nlmsg_len is set to that
 * length, which is what the reader's NLMSG_OK guarantees.
 */
#include <linux/netlink.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "platform/linux_nflog.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_nflog_entry	 e;
	struct nlmsghdr			*h;
	uint8_t				*buf;
	json_t				*j;

	if (size < sizeof(*h) || size > 65536)
		return 0;
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data, size);
	h = (struct nlmsghdr *)buf;
	h->nlmsg_len = (uint32_t)size;
	memset(&e, 0, sizeof(e));
	if (linux_nflog_parse(h, &e) == 0) {
		j = linux_nflog_json(&e);
		json_decref(j);
	}
	free(buf);
	return 0;
}
