/* console_baud: arbitrary serial rates through termios2 (kept apart: it clashes with termios.h). */
#include <asm/termbits.h>
#include <sys/ioctl.h>

int console_baud_set(int fd, int baud);
int console_baud_get(int fd);

int
console_baud_set(int fd, int baud)
{
	struct termios2 t;

	if (baud <= 0 || ioctl(fd, TCGETS2, &t) == -1)
		return -1;
	/* BOTHER takes the rate as a number: there is no B1843200 constant. */
	t.c_cflag &= ~CBAUD;
	t.c_cflag |= BOTHER;
	t.c_ospeed = (speed_t)baud;
	t.c_cflag &= ~(CBAUD << IBSHIFT);
	t.c_cflag |= BOTHER << IBSHIFT;
	t.c_ispeed = (speed_t)baud;
	return ioctl(fd, TCSETS2, &t);
}

int
console_baud_get(int fd)
{
	struct termios2 t;

	if (ioctl(fd, TCGETS2, &t) == -1)
		return -1;
	return (int)t.c_ospeed;
}
