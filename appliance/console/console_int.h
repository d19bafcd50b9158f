/*
 * console_int.h — the console's internals, shared by console*.c.
 *
 * Every option is a function of struct console that returns CON_OK,
 * CON_EXIT (stdin closed or logout: leave the console) or CON_INTR
 * (Ctrl-C: back to the menu). Prompts return the same codes, so an
 * option passes them up with one test and never writes half a change:
 * writes happen only after the final confirmation, in one cfg_* call or
 * one store transaction.
 */
#ifndef TW_CONSOLE_INT_H
#define TW_CONSOLE_INT_H

#include <jansson.h>
#include <stddef.h>

struct cfg_errors;
struct cfg_section;
struct store;

#define CON_OK		0
#define CON_EXIT	(-1)
#define CON_INTR	(-2)

#define CON_LINE	256	/* longest answer */
#define CON_USER	"console"	/* revisions say who saved */

struct console {
	struct store	*c_st;
	char		*c_dir;		/* data directory, absolute */
	const char	*c_platform;	/* --platform when no daemon runs */
	char		 c_running[32];	/* the daemon's platform, "" = none */
};

/* console_if.c: the devices are read from dir (default /sys/class/net). */
void		 console_if_sysnet(const char *dir);

/* console.c */
const char	*console_platform(struct console *);
/* An interface row's configured addresses as text, into buf. */
void		 console_if_addr_text(json_t *row, char *buf, size_t len);

/* console_io.c: terminal, prompts and Ctrl-C. */
void	 console_io_init(void);
int	 console_interrupted(void);
void	 console_interrupt_clear(void);
/* Reads one line (prompt printed first); CON_OK, CON_EXIT or CON_INTR. */
int	 console_read(const char *prompt, char *buf, size_t len);
/* The same without echo; the caller wipes buf. */
int	 console_read_secret(const char *prompt, char *buf, size_t len);
/* Asks question [y/N]; *yes = 1 only on y/yes. Empty means no. */
int	 console_confirm(const char *question, int *yes);
/* Reads a number min..max, re-prompting on anything else. */
int	 console_read_number(const char *prompt, long min, long max,
	    long *out);
/*
 * Runs argv (no shell) as a child on this terminal and waits. Returns the
 * exit status, 128 + signal, or -1 when it could not start.
 */
int	 console_run(char *const argv[]);
/* Live views: keys without Enter; key is 0 on timeout. */
int	 console_keys_begin(void);
void	 console_keys_end(void);
int	 console_key_wait(int extra_fd, int timeout_ms, int *key,
	    int *extra_ready);
/* Terminal rows (24 when unknown). */
int	 console_rows(void);
/* Prints "  field: message" lines of e, or only those of one field. */
void	 console_print_errors(struct cfg_errors *, const char *field);
/*
 * Asks the running daemon to apply subsys (NULL: everything) and says
 * how it went, or that no daemon runs and the change applies at the next
 * start. Returns 0 when applied.
 */
int	 console_apply(struct console *, json_t *subsys);
/* Wipes and frees a secret. */
void	 console_wipe(char *, size_t);

/* console_if.c */
int	 console_assign(struct console *);
int	 console_setaddr(struct console *);
/* Live IPv4/IPv6 addresses of a device, "a/n b/n", into buf. */
void	 console_live_addrs(const char *dev, char *buf, size_t len);

/* console_sys.c */
int	 console_password(struct console *);
int	 console_factory(struct console *);
int	 console_poweroff(struct console *);
int	 console_reboot(struct console *);
int	 console_ping(struct console *);
int	 console_shell(struct console *);
int	 console_reload(struct console *);
int	 console_update(struct console *);

/* console_view.c */
int	 console_states(struct console *);
int	 console_fwlog(struct console *);

/* console_backup.c */
int	 console_restore(struct console *);

#endif
