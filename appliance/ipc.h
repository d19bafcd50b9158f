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
 * Requests: {"type":"apply","subsys":[...],"snapshot":{...}},
 *           {"type":"status"}, {"type":"carp", ...} (see daemon.c).
 */
void	 priv_init(int fd);
json_t	*priv_call(json_t *req);

#endif
