/*
 * netlink/nl.c — the netlink message layer (nl.h): message building,
 * attribute parsing and the request/dump loop.
 *
 * One request is in flight per socket; answers are matched by sequence
 * number and anything else on the socket is skipped. The caller owns the
 * socket (nl_open/nl_close).
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "util.h"

#define NL_RCVBUF	(1u << 16)	/* one read: many dump messages */

/* Atomic: the CARP engine and the platform talk from different threads. */
static _Atomic uint32_t	nl_seq;

int
nl_open(int proto)
{
	struct sockaddr_nl	sa;
	int			fd, one = 1;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto)) == -1)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		goto err;
	/* Errors come back with the request only, not a copy of it. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
err:
	one = -errno;
	close(fd);
	return one;
}

int
nl_subscribe(int proto, uint32_t groups)
{
	struct sockaddr_nl	sa;
	int			fd, err;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    proto)) == -1)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = groups;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void
nl_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

void
nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags,
    const void *fhdr, size_t hlen)
{
	memset(&m->m_hdr, 0, sizeof(m->m_hdr));
	m->m_hdr.nlmsg_len = NLMSG_LENGTH(hlen);
	m->m_hdr.nlmsg_type = type;
	m->m_hdr.nlmsg_flags = NLM_F_REQUEST | flags;
	memset(NLMSG_DATA(&m->m_hdr), 0, NLMSG_ALIGN(hlen));
	if (hlen > 0)
		memcpy(NLMSG_DATA(&m->m_hdr), fhdr, hlen);
	m->m_hdr.nlmsg_len = NLMSG_ALIGN(m->m_hdr.nlmsg_len);
}

int
nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr	*a;
	size_t		 off = NLMSG_ALIGN(m->m_hdr.nlmsg_len);

	if (off + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(m->m_buf))
		return -EMSGSIZE;
	a = (struct nlattr *)(m->m_buf + off);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len > 0)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0,
	    NLA_ALIGN(NLA_HDRLEN + len) - (NLA_HDRLEN + len));
	m->m_hdr.nlmsg_len = (uint32_t)(off + NLA_ALIGN(a->nla_len));
	return 0;
}

int
nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	return nl_put(m, type, &v, sizeof(v));
}

int
nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	return nl_put(m, type, &v, sizeof(v));
}

int
nl_nest_begin(struct nl_msg *m, uint16_t type)
{
	int off = (int)NLMSG_ALIGN(m->m_hdr.nlmsg_len);

	if (nl_put(m, type | NLA_F_NESTED, NULL, 0) < 0)
		return -EMSGSIZE;
	return off;
}

void
nl_nest_end(struct nl_msg *m, int off)
{
	struct nlattr *a;

	if (off < 0)
		return;
	a = (struct nlattr *)(m->m_buf + off);
	a->nla_len = (uint16_t)(m->m_hdr.nlmsg_len - (uint32_t)off);
}

void
nl_parse(const void *start, size_t len, const struct nlattr **tb, int max)
{
	const struct nlattr	*a = start;
	size_t			 step;
	int			 type;

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	    a->nla_len <= len) {
		type = a->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = a;
		step = (size_t)NLA_ALIGN(a->nla_len);
		if (step >= len)
			break;
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
}

const void *
nl_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

size_t
nl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

uint32_t
nl_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a != NULL && nl_len(a) >= sizeof(v))
		memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

int
nl_talk(int fd, struct nl_msg *m, nl_cb cb, void *arg)
{
	struct sockaddr_nl	 sa;
	struct nlmsghdr		*h;
	struct nlmsgerr		*e;
	char			*buf;
	ssize_t			 n;
	size_t			 left;
	uint32_t		 seq;
	int			 ret = 0, done = 0, r;

	seq = ++nl_seq;
	m->m_hdr.nlmsg_seq = seq;
	m->m_hdr.nlmsg_pid = 0;
	if ((m->m_hdr.nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		m->m_hdr.nlmsg_flags |= NLM_F_ACK;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(fd, m->m_buf, m->m_hdr.nlmsg_len, 0,
	    (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return -errno;
	buf = xmalloc(NL_RCVBUF);
	while (!done) {
		n = recv(fd, buf, NL_RCVBUF, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto err;
		}
		left = (size_t)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		    h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(h);
				if (e->error != 0 && ret == 0)
					ret = e->error;
				done = 1;
				break;
			}
			if (cb != NULL && ret == 0 && (r = cb(h, arg)) < 0)
				ret = r;	/* read on to the end */
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				done = 1;
		}
	}
err:
	free(buf);
	return ret;
}

int
nl_talk_once(int proto, struct nl_msg *m, nl_cb cb, void *arg)
{
	int fd, r;

	if ((fd = nl_open(proto)) < 0)
		return fd;
	r = nl_talk(fd, m, cb, arg);
	nl_close(fd);
	return r;
}
