/* The tcp and rfc2217 console kinds against a real ser2net whose device is a pty this test holds. */
#include "conf.h"
#include "console.h"
#include "parts.h"
#include "test.h"
#include "test_board.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SER2NET	"/usr/sbin/ser2net"
#define PYTHON	"/usr/bin/python3"

extern char **environ;

static char tmp[] = "/tmp/rig-console-net-XXXXXX";
static char devlink[300];	/* ser2net's device: a link to the pty, so it can be "replugged" */
static int master = -1, slave = -1;
static int port_rfc, port_raw;
static pid_t ser2net = -1;

static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

/* ser2net is up when its port takes a connection: bounded retries, each a real attempt. */
static int
wait_port(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	    .sin_port = htons((uint16_t)port) };
	int i;

	for (i = 0; i < 500; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
			close(s);
			return 0;
		}
		close(s);
		poll(NULL, 0, 10);	/* the next attempt, not a guess at readiness */
	}
	return -1;
}

/* A new "adapter": a pty pair, and ser2net's device link pointing at it. */
static void
plug(void)
{
	CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
	/* Only the test holds the adapter: ser2net and python must not inherit its ends. */
	fcntl(master, F_SETFD, FD_CLOEXEC);
	fcntl(slave, F_SETFD, FD_CLOEXEC);
	unlink(devlink);
	CHECK(symlink(ptsname(master), devlink) == 0);
}

static void
unplug(void)
{
	unlink(devlink);
	close(slave);
	close(master);
	slave = master = -1;
}

static int
start_ser2net(void)
{
	char conf[300], pid[300];
	char *argv[] = { (char *)"ser2net", (char *)"-n", (char *)"-c", conf, (char *)"-P", pid,
	    NULL };
	FILE *f;

	if (access(SER2NET, X_OK) != 0)
		return -1;
	snprintf(devlink, sizeof(devlink), "%s/dev", tmp);
	snprintf(conf, sizeof(conf), "%s/ser2net.yaml", tmp);
	snprintf(pid, sizeof(pid), "%s/ser2net.pid", tmp);
	port_rfc = free_port();
	port_raw = free_port();
	plug();
	f = fopen(conf, "w");
	fprintf(f, "connection: &rfc\n    accepter: telnet(rfc2217),tcp,127.0.0.1,%d\n"
	    "    connector: serialdev,%s,115200n81,local\n"
	    "connection: &raw\n    accepter: tcp,127.0.0.1,%d\n"
	    "    connector: serialdev,%s,115200n81,local\n", port_rfc, devlink, port_raw, devlink);
	fclose(f);
	if (posix_spawn(&ser2net, SER2NET, NULL, NULL, argv, environ) != 0)
		return -1;
	return wait_port(port_raw) == 0 && wait_port(port_rfc) == 0 ? 0 : -1;
}

static struct console_part *
part_for(const char *kind, int port, int baud, char *err, size_t errlen)
{
	/* A part keeps pointing at its board file's settings: a few live at once. */
	static struct board_conf confs[4];
	static int next;
	struct board_conf *conf = &confs[next++ % 4];
	struct conf_errors e = { 0 };
	char file[300];
	FILE *f;

	snprintf(file, sizeof(file), "%s/board.yaml", tmp);
	f = fopen(file, "w");
	fprintf(f, "name: net1\narch: amd64\nconsole:\n  kind: %s\n  host: 127.0.0.1\n  port: %d\n",
	    kind, port);
	if (strcmp(kind, "rfc2217") == 0)
		fprintf(f, "  baud: %d\n", baud);
	fprintf(f, "power:\n  backend: bench-relay\nboot:\n  method: bench-loader\nssh:\n"
	    "  host: 10.0.0.2\n");
	fclose(f);
	if (board_conf_load(file, conf, &e) == -1) {
		conf_errors_print(&e, stderr);
		conf_errors_free(&e);
		return NULL;
	}
	conf_errors_free(&e);
	return console_part_new(console_kind_find(kind), conf, err, errlen);
}

/*
 * ser2net lets go of its device a moment after the previous client left ("Port's device
 * already in use"): the open is tried again, a bounded number of times, as rigd would.
 */
static int
open_retry(struct console_part *c, char *err, size_t errlen, int reopen)
{
	int i, fd = -1;

	for (i = 0; i < 40 && fd == -1; i++) {
		if (i > 0)
			poll(NULL, 0, CONSOLE_RETRY_MS / 5);
		fd = reopen ? console_part_reopen(c, err, errlen) :
		    console_part_open(c, NULL, err, errlen);
		if (fd == -1)
			printf("     not yet: %s\n", err);
	}
	return fd;
}

/* Exactly n bytes from fd within 5 s of quiet; returns how many came. */
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

/* End of file (the server let go) within 5 s. */
static int
reads_eof(int fd)
{
	unsigned char b[256];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 5000) != 1)
			return 0;
		k = read(fd, b, sizeof(b));
		if (k == -1 && errno == EAGAIN)
			continue;
		if (k <= 0)
			return 1;
	}
}

/* Every byte value, runs of 0xFF (telnet's IAC) among them. */
static void
pattern(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = i % 512 < 64 ? 0xff : (unsigned char)(i * 13 + i / 256);
}

/* The console writes first: once the device has it, ser2net holds the device open. */
static void
sync_line(int fd)
{
	unsigned char b[4];

	CHECK(write(fd, "sync", 4) == 4);
	CHECK_INT(read_n(master, b, 4), 4);
	CHECK(memcmp(b, "sync", 4) == 0);
}

static void
check_both_ways(int fd)
{
	unsigned char out[8192], in[8192];

	pattern(out, sizeof(out));
	CHECK(write(master, out, sizeof(out)) == (ssize_t)sizeof(out));
	CHECK_INT(read_n(fd, in, sizeof(in)), sizeof(in));
	CHECK(memcmp(in, out, sizeof(out)) == 0);
	CHECK(write(fd, out, 2048) == 2048);
	CHECK_INT(read_n(master, in, 2048), 2048);
	CHECK(memcmp(in, out, 2048) == 0);
}

static void
tcp_console_passes_bytes_byte_exact(void)
{
	char err[256] = "";
	struct console_part *c = part_for("tcp", port_raw, 0, err, sizeof(err));
	int fd = c ? open_retry(c, err, sizeof(err), 0) : -1;

	CHECK(fd != -1);
	if (fd == -1) {
		fprintf(stderr, "%s\n", err);
		console_part_free(c);
		return;
	}
	sync_line(fd);
	check_both_ways(fd);
	close(fd);
	console_part_free(c);
}

static void
rfc2217_console_sets_the_rate_and_passes_0xff_byte_exact(void)
{
	static const int rates[] = { 921600, 1843200 };
	size_t i;

	for (i = 0; i < 2; i++) {
		char err[256] = "";
		struct console_part *c = part_for("rfc2217", port_rfc, rates[i], err, sizeof(err));
		int fd = c ? open_retry(c, err, sizeof(err), 0) : -1;

		CHECK(fd != -1);
		if (fd == -1) {
			fprintf(stderr, "%s\n", err);
			console_part_free(c);
			return;
		}
		sync_line(fd);
		/* The rate asked over RFC 2217 is the device's. */
		CHECK_INT(console_baud_get(slave), rates[i]);
		check_both_ways(fd);
		close(fd);
		console_part_free(c);
	}
}

static void
tcp_console_loses_the_line_on_unplug_and_reopens_on_replug(void)
{
	char err[256] = "";
	struct console_part *c = part_for("tcp", port_raw, 0, err, sizeof(err));
	int fd = open_retry(c, err, sizeof(err), 0);

	CHECK(fd != -1);
	sync_line(fd);
	unplug();
	CHECK(reads_eof(fd));
	close(fd);
	/* ser2net answers while the device is away, then closes: not back yet. */
	CHECK_INT(console_part_reopen(c, err, sizeof(err)), -1);
	CHECK(strstr(err, "closed the line") != NULL);
	printf("     while away: %s\n", err);
	plug();
	fd = open_retry(c, err, sizeof(err), 1);
	CHECK(fd != -1);
	sync_line(fd);
	check_both_ways(fd);
	close(fd);
	console_part_free(c);
}

static void
rfc2217_console_loses_the_line_on_unplug_and_reopens_on_replug(void)
{
	char err[256] = "";
	struct console_part *c = part_for("rfc2217", port_rfc, 921600, err, sizeof(err));
	int fd = open_retry(c, err, sizeof(err), 0);

	CHECK(fd != -1);
	sync_line(fd);
	unplug();
	CHECK(reads_eof(fd));
	close(fd);
	CHECK_INT(console_part_reopen(c, err, sizeof(err)), -1);
	CHECK(strstr(err, "closed the line") != NULL);
	printf("     while away: %s\n", err);
	plug();
	fd = open_retry(c, err, sizeof(err), 1);
	CHECK(fd != -1);
	if (fd == -1)
		fprintf(stderr, "%s\n", err);
	sync_line(fd);
	CHECK_INT(console_baud_get(slave), 921600);
	check_both_ways(fd);
	close(fd);
	console_part_free(c);
}

/* One line from a blocking pipe, within 10 s. */
static int
read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 10000) != 1 || read(fd, buf + n, 1) != 1)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return (int)n;
}

static const char pyscript[] =
    "import serial, sys\n"
    "s = serial.serial_for_url(sys.argv[1], baudrate=int(sys.argv[2]), timeout=5)\n"
    "print('open', flush=True)\n"
    "s.write(b'sync')\n"
    "want = int(sys.argv[3])\n"
    "data = b''\n"
    "while len(data) < want:\n"
    "    chunk = s.read(want - len(data))\n"
    "    if not chunk:\n"
    "        break\n"
    "    data += chunk\n"
    "print(data.hex(), flush=True)\n"
    "s.close()\n";

static void
pyserial_and_the_rfc2217_console_see_the_same_bytes(void)
{
	enum { N = 2048 };
	unsigned char out[N], ours[N], theirs[N];
	char url[100], n[16], line[2 * N + 16], err[256] = "";
	char *argv[] = { (char *)"python3", (char *)"-c", (char *)pyscript, url, (char *)"921600",
	    n, NULL };
	posix_spawn_file_actions_t fa;
	struct console_part *c;
	int pfd[2], fd, st;
	pid_t py;
	size_t i;

	if (access(PYTHON, X_OK) != 0) {
		printf("     SKIP: %s missing (firmware/deps.sh installs python3-serial)\n", PYTHON);
		CHECK(0);
		return;
	}
	pattern(out, N);
	/* pyserial as the client. */
	snprintf(url, sizeof(url), "rfc2217://127.0.0.1:%d?ign_set_control", port_rfc);
	snprintf(n, sizeof(n), "%d", N);
	CHECK(pipe(pfd) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	CHECK(posix_spawn(&py, PYTHON, &fa, NULL, argv, environ) == 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	CHECK(read_line(pfd[0], line, sizeof(line)) >= 0);
	CHECK_STR(line, "open");
	CHECK_INT(read_n(master, ours, 4), 4);
	CHECK_INT(console_baud_get(slave), 921600);
	CHECK(write(master, out, N) == N);
	CHECK_INT(read_line(pfd[0], line, sizeof(line)), 2 * N);
	for (i = 0; i < N && line[2 * i]; i++) {
		unsigned int v;

		sscanf(line + 2 * i, "%2x", &v);
		theirs[i] = (unsigned char)v;
	}
	close(pfd[0]);
	CHECK(waitpid(py, &st, 0) == py);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The rig's console as the client, the same bytes. */
	c = part_for("rfc2217", port_rfc, 921600, err, sizeof(err));
	fd = open_retry(c, err, sizeof(err), 0);
	CHECK(fd != -1);
	sync_line(fd);
	CHECK(write(master, out, N) == N);
	CHECK_INT(read_n(fd, ours, N), N);
	CHECK(memcmp(ours, theirs, N) == 0);
	CHECK(memcmp(ours, out, N) == 0);
	close(fd);
	console_part_free(c);
}

static void
net_bad_keys_are_reported_with_file_and_line(void)
{
	char *text = test_board_errors(tmp,
	    "name: net2\narch: amd64\nconsole:\n  kind: rfc2217\n  host: 127.0.0.1\n"
	    "  port: 70000\n  flow: xonxoff\npower:\n  backend: bench-relay\nboot:\n"
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
	RUN(net_bad_keys_are_reported_with_file_and_line);
	if (start_ser2net() == -1) {
		printf("SKIP: no ser2net at %s answering (firmware/deps.sh installs it): "
		    "counted as failed\n", SER2NET);
		test_failed++;
	} else {
		RUN(tcp_console_passes_bytes_byte_exact);
		RUN(rfc2217_console_sets_the_rate_and_passes_0xff_byte_exact);
		RUN(tcp_console_loses_the_line_on_unplug_and_reopens_on_replug);
		RUN(rfc2217_console_loses_the_line_on_unplug_and_reopens_on_replug);
		RUN(pyserial_and_the_rfc2217_console_see_the_same_bytes);
	}
	if (ser2net > 0) {
		kill(ser2net, SIGTERM);
		waitpid(ser2net, NULL, 0);
	}
	if (master != -1)
		unplug();
	{
		char *argv[] = { (char *)"rm", (char *)"-rf", tmp, NULL };
		pid_t p;

		if (posix_spawnp(&p, "rm", NULL, NULL, argv, environ) == 0)
			waitpid(p, NULL, 0);
	}
	TEST_END();
}
