/* console: opening a board's serial console (a USB serial adapter or QEMU's pty) as a raw tty. */
#ifndef RIG_CONSOLE_H
#define RIG_CONSOLE_H

#include <stddef.h>

/*
 * Opens path read-write, non-blocking, without becoming its controlling terminal, in raw mode
 * (8N1, no flow control, no echo, no line editing) at baud. Returns the fd or -1 with err.
 */
int console_open(const char *path, int baud, char *err, size_t errlen);

/* Any rate, standard or not (921600, 1843200: R-Car HSCIF), through termios2: 0 or -1. */
int console_baud_set(int fd, int baud);
/* The output rate the driver holds, or -1. */
int console_baud_get(int fd);

#endif
