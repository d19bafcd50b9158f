/*
 * log.h — logging to stderr (and syslog when daemonised).
 *
 * log_warn appends strerror(errno); log_warnx does not. fatal/fatalx
 * are for broken invariants and start-up failures only: they exit(1).
 * Never pass a secret to any of these.
 */
#ifndef TW_LOG_H
#define TW_LOG_H

#include <stdarg.h>

void	log_init(const char *procname, int debug);
void	log_setproc(const char *procname);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
