/* progress: one line rewritten in place on a terminal while long work goes on; nothing on a pipe or with --json. */
#include "progress.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Whether a line is on the screen now (rigctl is one thread). */
static int progress_shown;

int
progress_on(void)
{
	return !rigctl_json && isatty(STDOUT_FILENO);
}

void
progress_show(const char *fmt, ...)
{
	struct winsize ws;
	char line[512];
	size_t width = 80;
	va_list ap;

	if (!progress_on())
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A line that wraps cannot be taken back with \r: cut it one short of the width. */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	if (strlen(line) >= width)
		line[width - 1] = '\0';
	/* Control bytes from rigd's text would move the cursor: shown as '?'. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	printf("\r\033[K%s", line);
	fflush(stdout);
	progress_shown = 1;
}

void
progress_clear(void)
{
	if (!progress_shown)
		return;
	printf("\r\033[K");
	fflush(stdout);
	progress_shown = 0;
}

int
progress_wait(struct rigctl_conn *c, int ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	/* A message already read waits in rigctl's buffer, where poll cannot see it. */
	if (rigctl_buffered() > 0)
		return 1;
	return poll(&p, 1, ms) != 0;
}
