/*
 * ipc.h — messages between the root parent and the API child, and on
 * the control socket: a 4-byte big-endian length, then one JSON object.
 *
 * Every message is checked for size and shape; a malformed one is logged
 * and the connection closed (the caller does that on NULL).
 */
#ifndef TW_IPC_H
#define TW_IPC_H

#include <jansson.h>

#define IPC_MAX_MSG	(64u << 20)

/*
 * The requests the root parent serves (parent_req.c's table), from the
 * API child and on the control socket. One enum, one table of names
 * (ipc.c): the "type" of every request.
 */
enum ipc_type {
	IPC_NONE = 0,		/* no such request */
	IPC_APPLY,		/* apply a snapshot (apply.h) */
	IPC_STATUS,		/* the parent: boot, what is in force */
	IPC_CARP_STATUS,	/* carp/engine.h */
	IPC_CARP_SET,
	IPC_CARP_CONFIG,
	IPC_TIMELINE,
	IPC_STATESYNC_STATUS,	/* statesync.h */
	IPC_STATES,		/* the state table (platform.h) */
	IPC_KILL_STATES,
	IPC_FLUSH_STATES,
	IPC_FIREWALL_LOG,	/* fwlog.h */
	IPC_DHCP,		/* platform/dhcp.h */
	IPC_GATEWAY_STATUS,	/* gwmon/gwmon.h */
	IPC_TYPE_MAX
};

/* The name of t ("apply"); "" for IPC_NONE. Static. */
const char	*ipc_type_name(enum ipc_type);
/* The type of a request (its "type" member), or IPC_NONE. */
enum ipc_type	 ipc_type_of(json_t *req);

/*
 * The one failed answer: a new {"status":"failed","message":<fmt...>}
 * (the message is cut at 1 KiB).
 */
json_t	*ipc_failed(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* Sends msg (borrowed). 0 or -1. */
int	 ipc_send(int fd, json_t *msg);
/*
 * Receives one object. Returns a new reference, or NULL on EOF (err
 * empty) or on a malformed message (reason in err).
 */
json_t	*ipc_recv(int fd, char *err, size_t errlen);

/*
 * The API child's line to the parent. priv_init is called once in the
 * child with its end of the socketpair; priv_call is thread-safe (one
 * request in flight) and returns the parent's answer, a new object
 * {"status":"ok",...} or {"status":"failed","message":...}; it never
 * returns NULL (a dead parent is reported as a failed answer).
 * Requests: enum ipc_type above.
 */
void	 priv_init(int fd);
json_t	*priv_call(json_t *req);
/* priv_call of a request that is its type alone, {"type":t}. */
json_t	*priv_ask(enum ipc_type t);

#endif
