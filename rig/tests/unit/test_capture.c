/* Console capture through a real pty pair: every byte, in order, nothing translated. */
#include "capture.h"
#include "console.h"
#include "test.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <sys/stat.h>
#include <unistd.h>

#define STREAM_LEN	(4 * 1024 * 1024)

static unsigned char *stream;
static int reports;

static void
on_report(const struct triage_report *r, void *arg)
{
	(void)r;
	(void)arg;
	reports++;
}

struct writer {
	int	master;
};

/* The board's side: QEMU (or a UART) writing in uneven chunks. */
static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	size_t off = 0, chunk = 1;

	while (off < STREAM_LEN) {
		size_t n = chunk < STREAM_LEN - off ? chunk : STREAM_LEN - off;
		ssize_t k = write(w->master, stream + off, n);
		if (k > 0)
			off += (size_t)k;
		chunk = chunk * 7 % 8191 + 1;
	}
	return NULL;
}

static char *
tmp_log(const char *name)
{
	char *dir = xstrdup("/tmp/rig-test-capture-XXXXXX");
	char *p;

	if (mkdtemp(dir) == NULL)
		abort();
	p = xasprintf("%s/%s", dir, name);
	free(dir);
	return p;
}

static void
capture_keeps_every_byte_in_order_through_a_pty(void)
{
	struct capture c;
	struct writer w;
	pthread_t th;
	char slave[128], err[256], *log = tmp_log("boot.log");
	int master, sfd, fd;
	size_t i;
	unsigned int x = 12345;
	int64_t deadline;

	stream = xmalloc(STREAM_LEN);
	/* Every byte value, control characters included: CR, NUL, ^C, ^S, DEL, 0xff. */
	for (i = 0; i < STREAM_LEN; i++) {
		x = x * 1103515245u + 12345u;
		stream[i] = (unsigned char)(i < 256 ? i : x >> 16);
	}
	CHECK(openpty(&master, &sfd, slave, NULL, NULL) == 0);
	close(sfd);
	fd = console_open(slave, 115200, err, sizeof(err));
	CHECK(fd >= 0);
	CHECK(capture_open(&c, fd, log, "rig-board: ready", on_report, NULL) == 0);
	w.master = master;
	pthread_create(&th, NULL, writer_main, &w);
	deadline = util_now_ms() + 60000;
	while (c.bytes < STREAM_LEN && util_now_ms() < deadline) {
		struct pollfd p = { c.fd, POLLIN, 0 };
		poll(&p, 1, 100);
		CHECK(capture_read(&c, NULL, 0) >= 0);
	}
	pthread_join(th, NULL);
	CHECK_INT(c.bytes, STREAM_LEN);
	capture_free(&c);
	close(master);
	{
		FILE *f = fopen(log, "rb");
		unsigned char *got = xmalloc(STREAM_LEN + 1);
		size_t n = f ? fread(got, 1, STREAM_LEN + 1, f) : 0;
		CHECK_INT(n, STREAM_LEN);
		CHECK(memcmp(got, stream, STREAM_LEN) == 0);
		if (f)
			fclose(f);
		free(got);
	}
	free(stream);
	free(log);
}

static void
capture_reports_gone_when_the_other_side_closes(void)
{
	struct capture c;
	char slave[128], err[256], *log = tmp_log("gone.log");
	int master, sfd, fd, rc = 0, i;

	CHECK(openpty(&master, &sfd, slave, NULL, NULL) == 0);
	close(sfd);
	fd = console_open(slave, 115200, err, sizeof(err));
	CHECK(capture_open(&c, fd, log, "", on_report, NULL) == 0);
	CHECK(write(master, "abc", 3) == 3);
	for (i = 0; i < 100 && c.bytes < 3; i++) {
		struct pollfd p = { c.fd, POLLIN, 0 };
		poll(&p, 1, 100);
		capture_read(&c, NULL, 0);
	}
	/*
	 * QEMU exits. A pty drops what its reader has not read at hang-up (measured: even 10 ms
	 * old bytes), so the event loop reads as bytes come, never later.
	 */
	close(master);
	for (i = 0; i < 100 && rc != -1; i++)
		rc = (int)capture_read(&c, NULL, 0);
	CHECK_INT(rc, -1);
	CHECK_INT(c.fd, -1);
	CHECK_INT(c.bytes, 3);
	capture_free(&c);
	free(log);
}

static void
capture_finds_the_ready_marker_split_across_reads(void)
{
	struct capture c;
	char slave[128], err[256], *log = tmp_log("marker.log");
	const char *parts[] = { "boot noise rig-bo", "ard: rea", "dy 6.1.0\n" };
	int master, sfd, fd;
	size_t i;

	CHECK(openpty(&master, &sfd, slave, NULL, NULL) == 0);
	close(sfd);
	fd = console_open(slave, 115200, err, sizeof(err));
	CHECK(capture_open(&c, fd, log, "rig-board: ready", on_report, NULL) == 0);
	for (i = 0; i < 3; i++) {
		struct pollfd p = { c.fd, POLLIN, 0 };
		CHECK(write(master, parts[i], strlen(parts[i])) == (ssize_t)strlen(parts[i]));
		poll(&p, 1, 1000);
		capture_read(&c, NULL, 0);
		if (i < 2)
			CHECK_INT(c.marker_at, -1);
	}
	CHECK_INT(c.marker_at, (int64_t)strlen("boot noise rig-board: ready"));
	capture_free(&c);
	close(master);
	free(log);
}

/* marker_at after feeding the parts through a pty one read each (-1: not seen). */
static int64_t
marker_after(const char *marker, const char *const *parts, size_t nparts)
{
	struct capture c;
	char slave[128], err[256], *log = tmp_log("marker2.log");
	int master, sfd, fd;
	int64_t at;
	size_t i;

	CHECK(openpty(&master, &sfd, slave, NULL, NULL) == 0);
	close(sfd);
	fd = console_open(slave, 115200, err, sizeof(err));
	CHECK(capture_open(&c, fd, log, marker, on_report, NULL) == 0);
	for (i = 0; i < nparts; i++) {
		struct pollfd p = { c.fd, POLLIN, 0 };
		CHECK(write(master, parts[i], strlen(parts[i])) == (ssize_t)strlen(parts[i]));
		poll(&p, 1, 1000);
		capture_read(&c, NULL, 0);
	}
	at = c.marker_at;
	capture_free(&c);
	close(master);
	free(log);
	return at;
}

/* A marker that repeats its own start, cut where a shorter match hides in the longer one. */
static void
capture_finds_a_self_overlapping_marker_across_reads(void)
{
	const char *a[] = { "xxa", "ab" }, *b[] = { "xaa", "ab" }, *c[] = { "aa", "a", "ab\n" };
	const char *d[] = { "xaab" }, *e[] = { "aa", "x", "ab" }, *f[] = { "a", "a", "b" };

	CHECK_INT(marker_after("aab", a, 2), 5);
	CHECK_INT(marker_after("aab", b, 2), 5);
	CHECK_INT(marker_after("aab", c, 3), 5);
	CHECK_INT(marker_after("aab", d, 1), 4);
	CHECK_INT(marker_after("aab", e, 3), -1);
	CHECK_INT(marker_after("aab", f, 3), 3);
}

/*
 * A whole marker inside one read is looked for from its rarest byte (the colon here): one
 * before the marker's own place for it, one too near the read's end, one that begins no
 * marker, and the marker at the very start and the very end of a read.
 */
static void
capture_finds_a_marker_from_its_rarest_byte(void)
{
	const char *a[] = { ":cd ab:c ab:cd" }, *b[] = { "ab:cd" }, *c[] = { "x: ab:", "cd" };
	const char *d[] = { "ab:cdab:cd" }, *e[] = { "ab:c", "xab:c" };
	/* Reads longer than one 16-byte look, the marker past the first. */
	const char *f[] = { "0123456789 x: ab:c 0123456789 ab:cd and the rest" }, *g[] = { "ab:c 0123456789abcdef0123456789ab:cd" };

	CHECK_INT(marker_after("ab:cd", a, 1), 14);
	CHECK_INT(marker_after("ab:cd", b, 1), 5);
	CHECK_INT(marker_after("ab:cd", c, 2), 8);
	CHECK_INT(marker_after("ab:cd", d, 1), 5);
	CHECK_INT(marker_after("ab:cd", e, 2), -1);
	CHECK_INT(marker_after("ab:cd", f, 1), 35);
	CHECK_INT(marker_after("ab:cd", g, 1), 36);
}

/*
 * The search looks for the marker's two rarest bytes at once (the colon and the dash of
 * "rig-board: ready"): text with one of them, or both at the marker's distance in another
 * word, is passed over; the marker is found at every place of a 16-byte look, and right at the
 * read's end.
 */
static void
capture_finds_a_marker_by_its_two_rarest_bytes(void)
{
	const char *decoys = "rig board: ready rig-board; ready big-board: ready rig-board:ready ";
	char text[256];
	const char *parts[1] = { text };
	size_t d = strlen(decoys), m = strlen("rig-board: ready");
	int found = 0, missed = 0;

	for (size_t pad = 0; pad < 17; pad++) {
		snprintf(text, sizeof(text), "%s%.*s%s", decoys, (int)pad, "0123456789abcdefg",
		    "rig-board: ready");
		if (marker_after("rig-board: ready", parts, 1) == (int64_t)(d + pad + m))
			found++;
		snprintf(text, sizeof(text), "%s%.*s", decoys, (int)pad, "0123456789abcdefg");
		if (marker_after("rig-board: ready", parts, 1) == -1)
			missed++;
	}
	CHECK_INT(found, 17);
	CHECK_INT(missed, 17);
}

static int64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/*
 * The log is written in whole blocks while bytes stream (a write that ends inside a block costs
 * the filesystem a zeroing of its rest each time), and whole once the line is quiet for
 * CAPTURE_PEND_MS or anyone syncs: nothing read is kept from the file for longer.
 */
static void
capture_writes_whole_blocks_then_everything_when_quiet(void)
{
	struct capture c;
	char slave[128], err[256], chunk[1000], *log = tmp_log("blocks.log");
	int master, sfd, fd, i;
	int64_t quiet_from;

	memset(chunk, 'x', sizeof(chunk));
	chunk[sizeof(chunk) - 1] = '\n';
	CHECK(openpty(&master, &sfd, slave, NULL, NULL) == 0);
	close(sfd);
	fd = console_open(slave, 1843200, err, sizeof(err));
	CHECK(capture_open(&c, fd, log, "", on_report, NULL) == 0);
	for (i = 0; i < 50; i++) {
		struct pollfd p = { c.fd, POLLIN, 0 };
		CHECK(write(master, chunk, sizeof(chunk)) == (ssize_t)sizeof(chunk));
		while (c.bytes < (int64_t)sizeof(chunk) * (i + 1) && poll(&p, 1, 1000) == 1)
			CHECK(capture_read(&c, NULL, 0) > 0);
		CHECK_INT(file_size(log) % CAPTURE_BLOCK, 0);
		CHECK_INT(file_size(log) + (int64_t)c.pendlen, c.bytes);
		CHECK(c.pendlen < CAPTURE_PEND_WRITE + sizeof(chunk));
	}
	CHECK_INT(c.bytes, 50000);
	CHECK(file_size(log) >= 50000 - CAPTURE_PEND_WRITE - (int64_t)sizeof(chunk));
	/* Not yet quiet long enough: the tail waits; then it is written, all of it. */
	quiet_from = c.pend_ms;
	capture_tick(&c, quiet_from + CAPTURE_PEND_MS - 1, 2000);
	CHECK(file_size(log) < 50000);
	capture_tick(&c, quiet_from + CAPTURE_PEND_MS, 2000);
	CHECK_INT(file_size(log), 50000);
	/* A sync (a reader of the log) writes a tail at once. */
	CHECK(write(master, "tail\n", 5) == 5);
	{
		struct pollfd p = { c.fd, POLLIN, 0 };
		poll(&p, 1, 1000);
		CHECK_INT(capture_read(&c, NULL, 0), 5);
	}
	CHECK_INT(file_size(log), 50000);
	capture_sync(&c);
	CHECK_INT(file_size(log), 50005);
	capture_free(&c);
	close(master);
	free(log);
}

/*
 * A log past its cap: the file stops at the cap with a line saying so, and one at the end with
 * how much was dropped; triage still reads every byte (a panic past the cap is reported).
 */
static void
capture_log_is_capped_and_triage_still_reads_past_it(void)
{
	struct capture c;
	char slave[128], err[256], line[100], *log = tmp_log("capped.log"), *got;
	const char *panic = "[    9.100000] Kernel panic - not syncing: past the cap\n";
	int master, sfd, fd, i;
	int64_t sent = 0;
	FILE *f;
	size_t n;

	reports = 0;
	CHECK(openpty(&master, &sfd, slave, NULL, NULL) == 0);
	close(sfd);
	fd = console_open(slave, 1843200, err, sizeof(err));
	CHECK(capture_open(&c, fd, log, "", on_report, NULL) == 0);
	c.cap = 8192;
	for (i = 0; i < 400; i++) {
		struct pollfd p = { c.fd, POLLIN, 0 };
		int len = snprintf(line, sizeof(line), "[    1.%06d] line %d of the boot\n", i, i);

		if (i == 399)
			len = snprintf(line, sizeof(line), "%s", panic);
		CHECK(write(master, line, (size_t)len) == len);
		sent += len;
		while (c.bytes < sent && poll(&p, 1, 1000) == 1)
			CHECK(capture_read(&c, NULL, 0) > 0);
	}
	CHECK_INT(c.bytes, sent);
	capture_free(&c);
	CHECK_INT(reports, 1);
	CHECK_INT(c.written, 8192);
	CHECK_INT(c.dropped, sent - 8192);
	got = xmalloc(65536);
	f = fopen(log, "rb");
	n = f ? fread(got, 1, 65535, f) : 0;
	got[n] = '\0';
	if (f)
		fclose(f);
	CHECK(n < 8192 + 300);
	CHECK(strncmp(got, "[    1.000000] line 0 of the boot\n", 34) == 0);
	CHECK_HAS(got + 8192, "[rig: this log keeps 8192 console bytes; what follows was read and"
	    " triaged, not written here]");
	snprintf(line, sizeof(line), "[rig: %lld console bytes past the cap were not written here]\n",
	    (long long)(sent - 8192));
	CHECK_HAS(got + 8192, line);
	CHECK(strstr(got, "not syncing") == NULL);	/* past the cap: triaged, not written */
	free(got);
	close(master);
	free(log);
}

static void
console_sets_rates_that_have_no_constant(void)
{
	char slave[128], err[256];
	int master, sfd, fd;

	CHECK(openpty(&master, &sfd, slave, NULL, NULL) == 0);
	close(sfd);
	/* R-Car HSCIF consoles: 921600 and 1843200 baud (termios2 BOTHER). */
	fd = console_open(slave, 1843200, err, sizeof(err));
	CHECK(fd >= 0);
	CHECK_INT(console_baud_get(fd), 1843200);
	CHECK(console_baud_set(fd, 921600) == 0);
	CHECK_INT(console_baud_get(fd), 921600);
	close(fd);
	close(master);
}

static void
console_open_names_the_path_that_failed(void)
{
	char err[256];

	CHECK_INT(console_open("/dev/ttyNOSUCH9", 115200, err, sizeof(err)), -1);
	CHECK(strstr(err, "/dev/ttyNOSUCH9: No such file") != NULL);
	CHECK_INT(console_open("/etc/hostname", 115200, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a tty") != NULL);
}

int
main(void)
{
	RUN(capture_keeps_every_byte_in_order_through_a_pty);
	RUN(capture_reports_gone_when_the_other_side_closes);
	RUN(capture_finds_the_ready_marker_split_across_reads);
	RUN(capture_finds_a_self_overlapping_marker_across_reads);
	RUN(capture_finds_a_marker_from_its_rarest_byte);
	RUN(capture_finds_a_marker_by_its_two_rarest_bytes);
	RUN(capture_writes_whole_blocks_then_everything_when_quiet);
	RUN(capture_log_is_capped_and_triage_still_reads_past_it);
	RUN(console_sets_rates_that_have_no_constant);
	RUN(console_open_names_the_path_that_failed);
	TEST_END();
}
