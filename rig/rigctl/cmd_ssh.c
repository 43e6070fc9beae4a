/* cmd_ssh: rigctl ssh: a shell on a reserved board through rigd, the local terminal raw meanwhile. */
#include "rigctl.h"
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* What rigctl ssh exits with when it had no shell to its end: every other status is the shell's. */
#define CMD_SSH_FAIL		255
#define CMD_SSH_OUT_MAX		(256 * 1024)	/* input held for rigd before stdin is read again */

static struct termios cmd_ssh_saved;
static volatile sig_atomic_t cmd_ssh_raw;	/* the terminal is raw: restored at every exit */
static int cmd_ssh_sigpipe[2] = { -1, -1 };	/* signals, to the loop */

static void
cmd_ssh_restore(void)
{
	if (cmd_ssh_raw) {
		tcsetattr(0, TCSADRAIN, &cmd_ssh_saved);
		cmd_ssh_raw = 0;
	}
}

static void
cmd_ssh_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int e = errno;
	ssize_t w = write(cmd_ssh_sigpipe[1], &c, 1);

	(void)w;
	errno = e;
}

/* The terminal gives every byte as it is typed, and shows only what the board echoes. */
static int
cmd_ssh_raw_on(void)
{
	struct termios t;

	if (tcgetattr(0, &cmd_ssh_saved) == -1)
		return -1;
	t = cmd_ssh_saved;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSADRAIN, &t) == -1)
		return -1;
	cmd_ssh_raw = 1;
	return 0;
}

/* The local terminal's size, 80x24 when it has none. */
static void
cmd_ssh_winsize(int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

/* rigctl ssh's own failure: the terminal back, the reason, exit 255. */
static void __attribute__((noreturn, format(printf, 1, 2)))
cmd_ssh_fail(const char *fmt, ...)
{
	va_list ap;

	cmd_ssh_restore();
	fputs("rigctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(CMD_SSH_FAIL);
}

static void
cmd_ssh_write(int fd, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			cmd_ssh_fail("%s: %s", fd == 1 ? "standard output" : "standard error",
			    strerror(errno));
		off += (size_t)w;
	}
}

/*
 * Typed input into 'I' frames. With a terminal, "~." at the start of a line ends the session
 * from here (a board that hangs cannot be left otherwise) and "~~" sends one '~'.
 */
struct cmd_ssh_keys {
	int	tty;
	int	line_start;	/* the last byte sent ended a line (or none was sent) */
	int	tilde;		/* a '~' at a line's start is held */
};

static void
cmd_ssh_keys(struct cmd_ssh_keys *k, struct proto_buf *out, const char *buf, size_t n)
{
	char sent[16384 + 1];
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		char ch = buf[i];

		if (k->tty && k->tilde) {
			k->tilde = 0;
			if (ch == '.')
				cmd_ssh_fail("connection closed (~.)");
			if (ch != '~')
				sent[m++] = '~';
		} else if (k->tty && k->line_start && ch == '~') {
			k->tilde = 1;
			k->line_start = 0;
			continue;
		}
		sent[m++] = ch;
		k->line_start = ch == '\r' || ch == '\n';
	}
	if (m > 0)
		proto_frame(out, PROTO_SHELL_IN, sent, m);
}

/* A message from rigd: the result ends rigctl (the shell's status); others are shown. */
static void
cmd_ssh_message(const char *payload)
{
	cJSON *msg = cJSON_Parse(payload), *code;

	if (msg == NULL)
		cmd_ssh_fail("rigd sent something that is not JSON");
	if (rigctl_type(msg) != PROTO_EV_RESULT) {
		fprintf(stderr, "rigctl: %s%s", rigctl_str(msg, "msg"), cmd_ssh_raw ? "\r\n" : "\n");
		cJSON_Delete(msg);
		return;
	}
	cmd_ssh_restore();
	if (proto_status_parse(rigctl_str(msg, "status")) != PROTO_STATUS_OK) {
		fprintf(stderr, "rigctl: %s: %s\n", rigctl_str(msg, "status"),
		    rigctl_str(msg, "error"));
		exit(CMD_SSH_FAIL);
	}
	code = cJSON_GetObjectItem(msg, "exit");
	if (!cJSON_IsNumber(code) || code->valueint < 0 || code->valueint > 255)
		cmd_ssh_fail("rigd gave no exit status for the shell");
	exit(code->valueint);
}

/* Frames from rigd: output to stdout and stderr, then the result. */
static void
cmd_ssh_from_rigd(struct proto_buf *in)
{
	char *payload;
	size_t len;
	int type, rc;

	while ((rc = proto_take(in, PROTO_MAX_FRAME, &type, &payload, &len)) == 1) {
		if (type == PROTO_SHELL_OUT || type == PROTO_SHELL_ERR)
			cmd_ssh_write(type == PROTO_SHELL_OUT ? 1 : 2, payload, len);
		else if (type == PROTO_JSON)
			cmd_ssh_message(payload);
		else
			cmd_ssh_fail("rigd sent a frame of type 0x%02x in a shell", type & 0xff);
		free(payload);
	}
	if (rc == -1)
		cmd_ssh_fail("broken reply from rigd");
}

/* A signal taken by the loop: a resize is sent; the others end rigctl as they would. */
static void
cmd_ssh_signals(struct proto_buf *out)
{
	unsigned char sig;
	int cols, rows;

	while (read(cmd_ssh_sigpipe[0], &sig, 1) == 1) {
		if (sig == SIGWINCH) {
			cmd_ssh_winsize(&cols, &rows);
			proto_shell_winch(out, cols, rows);
			continue;
		}
		cmd_ssh_restore();
		signal(sig, SIG_DFL);
		raise(sig);
		exit(128 + sig);
	}
}

int
cmd_ssh(int argc, char **argv)
{
	static const int sigs[] = { SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT };
	struct proto_buf in = { 0 }, out = { 0 };
	struct cmd_ssh_keys keys = { .line_start = 1 };
	struct sigaction sa = { .sa_handler = cmd_ssh_signal };
	struct rigctl_conn c;
	cJSON *req;
	const char *term = getenv("TERM");
	int cols, rows, stdin_open = 1, rigd_reads = 1;
	size_t i;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: rigctl ssh BOARD\n"
		    "A shell on the board you hold (rigctl reserve), through rigd's key; ~. at a"
		    " line's start\nends it. Exit status: the shell's, 255 when there was none to"
		    " its end.\n");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: rigctl ssh BOARD\n");
		return CMD_SSH_FAIL;
	}
	rigctl_fail_exit = CMD_SSH_FAIL;
	/* A terminal on stdin gets a terminal on the board; piped input is read as a pipe there. */
	keys.tty = isatty(0);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "ssh");
	cJSON_AddStringToObject(req, "board", argv[1]);
	cJSON_AddBoolToObject(req, "pty", keys.tty);
	if (keys.tty) {
		cmd_ssh_winsize(&cols, &rows);
		cJSON_AddStringToObject(req, "term", term && *term ? term : "dumb");
		cJSON_AddNumberToObject(req, "cols", cols);
		cJSON_AddNumberToObject(req, "rows", rows);
	}
	if (pipe2(cmd_ssh_sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		cmd_ssh_fail("pipe: %s", strerror(errno));
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rigctl_request(&c, req);
	atexit(cmd_ssh_restore);
	if (keys.tty && cmd_ssh_raw_on() == -1)
		cmd_ssh_fail("the terminal cannot be made raw: %s", strerror(errno));
	if (fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK) == -1)
		cmd_ssh_fail("%s: %s", rigctl_socket, strerror(errno));
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = c.fd, .events = POLLIN | (out.len && rigd_reads ? POLLOUT : 0) },
			{ .fd = stdin_open && out.len < CMD_SSH_OUT_MAX ? 0 : -1, .events = POLLIN },
			{ .fd = cmd_ssh_sigpipe[0], .events = POLLIN },
		};
		char buf[16384];
		ssize_t n;

		if (poll(p, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			cmd_ssh_fail("poll: %s", strerror(errno));
		}
		if (p[2].revents)
			cmd_ssh_signals(&out);
		if (p[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n > 0)
				cmd_ssh_keys(&keys, &out, buf, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				proto_frame(&out, PROTO_SHELL_EOF, "", 0);
				stdin_open = 0;
			}
		}
		while (out.len && rigd_reads) {
			n = send(c.fd, out.data, out.len, MSG_NOSIGNAL);
			if (n > 0)
				proto_buf_consume(&out, (size_t)n);
			else if (n == -1 && errno == EINTR)
				continue;
			else if (n == -1 && errno == EAGAIN)
				break;
			else
				rigd_reads = 0;	/* gone: what it said last is still read */
		}
		if (!rigd_reads)
			out.len = 0;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(c.fd, buf, sizeof(buf));
			if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
				cmd_ssh_fail("rigd hung up");
			if (n > 0) {
				proto_buf_append(&in, buf, (size_t)n);
				cmd_ssh_from_rigd(&in);
			}
		}
	}
}
