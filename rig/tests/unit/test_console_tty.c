/* The tty console kind on a real pty pair standing for a USB serial adapter: rates, exclusivity, unplug and replug. */
#include "capture.h"
#include "conf.h"
#include "console.h"
#include "parts.h"
#include "test.h"
#include "test_board.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[] = "/tmp/rig-console-tty-XXXXXX";

/* A board file naming a tty console at path and baud, with its lock files under tmp. */
static struct console_part *
part_for(const char *path, int baud, char *err, size_t errlen)
{
	/* A part keeps pointing at its board file's settings: a few live at once. */
	static struct board_conf confs[4];
	static int next;
	struct board_conf *conf = &confs[next++ % 4];
	struct conf_errors e = { 0 };
	char file[300];
	FILE *f;
	const struct console_ops *ops;

	snprintf(file, sizeof(file), "%s/board.yaml", tmp);
	f = fopen(file, "w");
	fprintf(f, "name: tty1\narch: amd64\nconsole:\n  kind: tty\n  path: %s\n  baud: %d\n"
	    "  lockdir: %s\npower:\n  backend: bench-relay\nboot:\n  method: bench-loader\n"
	    "ssh:\n  host: 10.0.0.2\n", path, baud, tmp);
	fclose(f);
	if (board_conf_load(file, conf, &e) == -1) {
		conf_errors_print(&e, stderr);
		conf_errors_free(&e);
		return NULL;
	}
	conf_errors_free(&e);
	ops = console_kind_find("tty");
	return ops ? console_part_new(ops, conf, err, errlen) : NULL;
}

/* Reads exactly n bytes from a non-blocking fd within 5 s; returns what came. */
static size_t
read_n(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 5000) != 1)
			break;
		k = read(fd, buf + got, n - got);
		if (k == -1 && errno == EAGAIN)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static void
tty_sets_921600_and_1843200_and_reads_them_back(void)
{
	static const int rates[] = { 921600, 1843200, 115200 };
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		int master, slave, fd;
		struct console_part *c;

		CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
		c = part_for(ptsname(master), rates[i], err, sizeof(err));
		CHECK(c != NULL);
		if (c == NULL)
			return;
		fd = console_part_open(c, NULL, err, sizeof(err));
		CHECK(fd != -1);
		/* The speed the tty holds, seen from another open of it. */
		CHECK_INT(console_baud_get(slave), rates[i]);
		CHECK_INT(console_baud_get(fd), rates[i]);
		close(fd);
		console_part_free(c);
		close(slave);
		close(master);
	}
}

static void
tty_second_open_is_refused(void)
{
	char err[256], err2[256], lock[300];
	int master, slave, fd, fd2, st;
	struct console_part *a, *b;
	pid_t pid;
	struct stat sb;

	CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
	a = part_for(ptsname(master), 115200, err, sizeof(err));
	b = part_for(ptsname(master), 115200, err, sizeof(err));
	fd = console_part_open(a, NULL, err, sizeof(err));
	CHECK(fd != -1);
	snprintf(lock, sizeof(lock), "%s/LCK..%s", tmp, strrchr(ptsname(master), '/') + 1);
	CHECK(stat(lock, &sb) == 0);
	fd2 = console_part_open(b, NULL, err2, sizeof(err2));
	CHECK_INT(fd2, -1);
	CHECK_INT(errno, EBUSY);
	CHECK(strstr(err2, "held by process") != NULL);
	/* Another program: the lock file names a live process. */
	pid = fork();
	if (pid == 0) {
		struct console_part *o = part_for(ptsname(master), 115200, err2, sizeof(err2));

		_exit(o && console_part_open(o, NULL, err2, sizeof(err2)) == -1 && errno == EBUSY ?
		    0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Giving the part up gives the line up. */
	close(fd);
	console_part_free(a);
	CHECK(stat(lock, &sb) == -1);
	fd2 = console_part_open(b, NULL, err2, sizeof(err2));
	CHECK(fd2 != -1);
	close(fd2);
	console_part_free(b);
	close(slave);
	close(master);
}

static void
tty_stale_lock_of_dead_pid_is_taken_over(void)
{
	char err[256], lock[300], buf[32];
	int master, slave, fd, lfd, st;
	struct console_part *c;
	pid_t dead;
	ssize_t n;

	dead = fork();
	if (dead == 0)
		_exit(0);
	CHECK(waitpid(dead, &st, 0) == dead);
	CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
	snprintf(lock, sizeof(lock), "%s/LCK..%s", tmp, strrchr(ptsname(master), '/') + 1);
	lfd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0640);
	CHECK(lfd != -1);
	snprintf(buf, sizeof(buf), "%10ld\n", (long)dead);
	CHECK(write(lfd, buf, strlen(buf)) == (ssize_t)strlen(buf));
	close(lfd);
	c = part_for(ptsname(master), 115200, err, sizeof(err));
	fd = console_part_open(c, NULL, err, sizeof(err));
	CHECK(fd != -1);
	lfd = open(lock, O_RDONLY);
	n = read(lfd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(lfd);
	CHECK_INT(strtol(buf, NULL, 10), getpid());
	close(fd);
	console_part_free(c);
	close(slave);
	close(master);
}

static void
tty_passes_bytes_byte_exact(void)
{
	unsigned char out[4096], in[4096];
	char err[256];
	int master, slave, fd, i;
	struct console_part *c;

	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 256);
	CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
	c = part_for(ptsname(master), 1843200, err, sizeof(err));
	fd = console_part_open(c, NULL, err, sizeof(err));
	CHECK(fd != -1);
	/* Board to rig: every byte value, CR and LF and 0xFF as they are. */
	CHECK(write(master, out, sizeof(out)) == (ssize_t)sizeof(out));
	CHECK_INT(read_n(fd, in, sizeof(in)), sizeof(in));
	CHECK(memcmp(in, out, sizeof(out)) == 0);
	/* Rig to board. */
	CHECK(write(fd, out, 1024) == 1024);
	CHECK_INT(read_n(master, in, 1024), 1024);
	CHECK(memcmp(in, out, 1024) == 0);
	close(fd);
	console_part_free(c);
	close(slave);
	close(master);
}

static void
on_report(const struct triage_report *r, void *arg)
{
	(void)r;
	(void)arg;
}

/* Reads the capture until it has n more bytes or the console is lost; returns its result. */
static ssize_t
capture_until(struct capture *cap, int64_t want)
{
	ssize_t r = 0;

	while (cap->bytes < want) {
		struct pollfd p = { .fd = cap->fd, .events = POLLIN };

		if (poll(&p, 1, 5000) != 1)
			return 0;
		r = capture_read(cap, NULL, 0);
		if (r == -1)
			return -1;
	}
	return r;
}

static void
tty_unplug_is_reported_and_replug_reopens_with_nothing_lost(void)
{
	char err[256], link[300], log[300], buf[8192];
	unsigned char before[] = "before the unplug\r\n", after[4096];
	struct capture cap = { .fd = -1 };
	struct console_part *c;
	int master, slave, fd, i, lfd;
	ssize_t n;

	for (i = 0; i < (int)sizeof(after); i++)
		after[i] = (unsigned char)(255 - i % 256);
	/* by-id: the stable name of the adapter, a link to whatever node it has today. */
	snprintf(link, sizeof(link), "%s/usb-FTDI_rig-if00-port0", tmp);
	snprintf(log, sizeof(log), "%s/boot.log", tmp);
	CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
	CHECK(symlink(ptsname(master), link) == 0);
	c = part_for(link, 921600, err, sizeof(err));
	fd = console_part_open(c, NULL, err, sizeof(err));
	CHECK(fd != -1);
	CHECK(capture_open(&cap, fd, log, "", on_report, NULL) == 0);
	CHECK(write(master, before, sizeof(before) - 1) == (ssize_t)sizeof(before) - 1);
	CHECK(capture_until(&cap, sizeof(before) - 1) > 0);
	/* Unplug: the adapter's node and its by-id link go away. */
	close(slave);
	close(master);
	unlink(link);
	CHECK_INT(capture_until(&cap, INT64_MAX), -1);
	CHECK(cap.lost[0] != '\0');
	printf("     lost: %s\n", cap.lost);
	CHECK_INT(cap.fd, -1);
	/* While it is away, each attempt fails at once and says why. */
	CHECK_INT(console_part_reopen(c, err, sizeof(err)), -1);
	CHECK_INT(errno, ENOENT);
	CHECK(strstr(err, link) != NULL);
	/* Replug: a new node, the link back. */
	CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
	CHECK(symlink(ptsname(master), link) == 0);
	fd = console_part_reopen(c, err, sizeof(err));
	CHECK(fd != -1);
	CHECK_INT(console_baud_get(slave), 921600);
	capture_resume(&cap, fd);
	CHECK(write(master, after, sizeof(after)) == (ssize_t)sizeof(after));
	CHECK(capture_until(&cap, (int64_t)(sizeof(before) - 1 + sizeof(after))) > 0);
	capture_free(&cap);
	/* One log for the boot: what came before, then everything after. */
	lfd = open(log, O_RDONLY);
	n = read(lfd, buf, sizeof(buf));
	close(lfd);
	CHECK_INT(n, (ssize_t)(sizeof(before) - 1 + sizeof(after)));
	CHECK(n > 0 && memcmp(buf, before, sizeof(before) - 1) == 0 &&
	    memcmp(buf + sizeof(before) - 1, after, sizeof(after)) == 0);
	console_part_free(c);
	unlink(link);
	close(slave);
	close(master);
}

static void
tty_bad_keys_are_reported_with_file_and_line(void)
{
	char *text = test_board_errors(tmp,
	    "name: tty2\narch: amd64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\n"
	    "  baud: 0\n  flow: xonxoff\npower:\n  backend: bench-relay\nboot:\n"
	    "  method: bench-loader\nssh:\n  host: 10.0.0.2\n");

	CHECK(text != NULL);
	if (text == NULL)
		return;
	printf("%s", text);
	CHECK(strstr(text, "bad.yaml:6:") != NULL);
	CHECK(strstr(text, "bad.yaml:7:") != NULL);
	free(text);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmp) == NULL)
		return 1;
	RUN(tty_sets_921600_and_1843200_and_reads_them_back);
	RUN(tty_second_open_is_refused);
	RUN(tty_stale_lock_of_dead_pid_is_taken_over);
	RUN(tty_passes_bytes_byte_exact);
	RUN(tty_unplug_is_reported_and_replug_reopens_with_nothing_lost);
	RUN(tty_bad_keys_are_reported_with_file_and_line);
	{
		char cmd[] = "rm";
		char *argv[] = { cmd, "-rf", tmp, NULL };
		pid_t p = fork();

		if (p == 0) {
			execvp(argv[0], argv);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
	TEST_END();
}
