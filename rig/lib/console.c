/* console: opening a board's serial console (a USB serial adapter or QEMU's pty) as a raw tty. */
#include "console.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int
console_open(const char *path, int baud, char *err, size_t errlen)
{
	struct termios t;
	int fd;

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (tcgetattr(fd, &t) == -1) {
		util_fmt(err, errlen, "%s: not a tty: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Byte for byte: the kernel's output is evidence, nothing may translate it. */
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(CRTSCTS | CSTOPB | PARENB);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) == -1) {
		util_fmt(err, errlen, "%s: tcsetattr: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (baud > 0 && console_baud_set(fd, baud) == -1) {
		util_fmt(err, errlen, "%s: cannot set %d baud: %s", path, baud, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
