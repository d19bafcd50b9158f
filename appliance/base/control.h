/*
 * control.h — DIR/control.sock: how local tools (twinwall check, apply,
 * console, sync) reach a running daemon's root parent. AF_UNIX stream,
 * mode 0600, the framing of ipc.h, one answer per request.
 */
#ifndef TW_CONTROL_H
#define TW_CONTROL_H

#include <jansson.h>
#include <stddef.h>

#define CONTROL_SOCK	"control.sock"

/*
 * Binds and listens on DIR/control.sock (0600). A socket file nobody
 * answers on is removed first; a live one means another daemon uses DIR:
 * -1 with that reason in err. Returns the listening fd (close-on-exec).
 */
int	 control_listen(const char *datadir, char *err, size_t errlen);
/* Removes DIR/control.sock. */
void	 control_unlink(const char *datadir);
/*
 * Sends req (borrowed) to the daemon of DIR and returns its answer, a new
 * object, or NULL with the reason in err ("no daemon running ...").
 */
json_t	*control_call(const char *datadir, json_t *req, char *err,
	    size_t errlen);

#endif
