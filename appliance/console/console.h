/*
 * console.h — `twinwall console`: the OPNsense-style setup menu on the
 * machine's console.
 *
 * Owns: the menu, its prompts and screens. It edits the store directly
 * (config's model, so the API's validation) and applies through the one
 * apply path, asking a running daemon over its control socket first.
 * May call: apply, config, fwlog, render, platform (the firewall log
 * reader), base. Only cli/ calls into console/.
 */
#ifndef TW_CONSOLE_H
#define TW_CONSOLE_H

/*
 * The command: console --data DIR [--platform dry|linux|freebsd]
 * [--sysfs-net DIR].
 */
int	console_main(int argc, char **argv);

#endif
