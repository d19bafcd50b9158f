/*
 * console.h — `twinwall console`: the OPNsense-style setup menu on the
 * machine's console.
 */
#ifndef TW_CONSOLE_H
#define TW_CONSOLE_H

/*
 * The command: console --data DIR [--platform dry|linux|freebsd]
 * [--sysfs-net DIR].
 */
int	console_main(int argc, char **argv);

#endif
