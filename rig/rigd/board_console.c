/* board_console: a board's console as the event loop reads it, one log and triage per boot. */
#include "rigd.h"
#include "log.h"
#include "storeq.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A console report on its way to the store: copies, for the store writer thread. */
struct board_crash_write {
	int64_t	run, build_id, start, end;
	int	corrupted;
	char	board[64], title[256], rig_title[256], type[32], frame[128], log[512];
	char	text[];
};

static void
board_crash_write(struct store *st, void *arg)
{
	struct board_crash_write *w = arg;
	struct store_crash sc = { .run = w->run, .board = w->board, .build_id = w->build_id,
	    .title = w->title, .rig_title = w->rig_title, .type = w->type, .frame = w->frame,
	    .corrupted = w->corrupted, .console_log = w->log, .start = w->start, .end = w->end,
	    .text = w->text };

	if (store_crash_add(st, &sc) == -1)
		log_warnx("%s: crash report not stored: %s", w->board, w->title);
}

/*
 * Triage callback, under the board's lock (the event loop feeds the console in): the report
 * is kept for the run and handed to the store writer, so the event loop never waits for disk.
 */
static void
board_on_report(const struct triage_report *rep, void *arg)
{
	struct board *b = arg;
	struct board_crash *c;
	struct board_crash_write *w = xcalloc(1, sizeof(*w) + rep->textlen + 1);

	log_info("%s: console: %s", b->conf.name, rep->title);
	w->run = b->run_id;
	w->build_id = b->build_id;
	w->start = (int64_t)rep->start;
	w->end = (int64_t)rep->end;
	w->corrupted = rep->corrupted;
	util_strlcpy(w->board, b->conf.name, sizeof(w->board));
	util_strlcpy(w->title, rep->title, sizeof(w->title));
	util_strlcpy(w->rig_title, rep->rig_title, sizeof(w->rig_title));
	util_strlcpy(w->type, rep->type, sizeof(w->type));
	util_strlcpy(w->frame, rep->frame, sizeof(w->frame));
	util_strlcpy(w->log, b->con.log, sizeof(w->log));
	memcpy(w->text, rep->text, rep->textlen);
	storeq_push(board_crash_write, w);
	if (b->ncrashes >= BOARD_MAX_CRASHES)
		return;
	c = &b->crashes[b->ncrashes++];
	util_strlcpy(c->title, rep->title, sizeof(c->title));
	util_strlcpy(c->rig_title, rep->rig_title, sizeof(c->rig_title));
	util_strlcpy(c->type, rep->type, sizeof(c->type));
	c->verdict = rep->verdict;
	util_strlcpy(c->frame, rep->frame, sizeof(c->frame));
	c->corrupted = rep->corrupted;
	c->start = (int64_t)rep->start;
	c->end = (int64_t)rep->end;
	c->text = xmalloc(rep->textlen + 1);
	memcpy(c->text, rep->text, rep->textlen);
	c->text[rep->textlen] = '\0';
}

void
board_console_read(struct board *b)
{
	char buf[65536];
	ssize_t n;
	int marked;

	pthread_mutex_lock(&b->lock);
	marked = b->con.marker_at >= 0;
	n = capture_read(&b->con, buf, sizeof(buf));
	/* A boot part waiting for U-Boot's prompt looks at once (board_boot's expect). */
	if (n != 0)
		pthread_cond_broadcast(&b->con_cond);
	/* The boot waiting for the ready line (board_boot_once) hears of it at once. */
	if (!marked && b->con.marker_at >= 0)
		pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	if (n > 0)
		b->rigd->sink.console(b->rigd->sink.arg, b, buf, (size_t)n);
	else if (n == -1)
		pthread_cond_broadcast(&b->cond);
}

void
board_console_tick(struct board *b, int64_t now)
{
	pthread_mutex_lock(&b->lock);
	/* A report that stops mid-way (the board froze) is delivered after two quiet seconds. */
	capture_tick(&b->con, now, 2000);
	pthread_mutex_unlock(&b->lock);
}

/* A new boot: a new log file, a fresh triage, the console fd handed to the event loop. */
int
board_console_attach(struct board *b, int fd, char *err, size_t errlen)
{
	char dir[600], path[700];
	int i, rc;

	snprintf(dir, sizeof(dir), "%s/console/%s", b->rigd->statedir, b->conf.name);
	util_mkdirs(dir);
	pthread_mutex_lock(&b->lock);
	capture_free(&b->con);
	for (i = 0; i < b->ncrashes; i++)
		free(b->crashes[i].text);
	b->ncrashes = 0;
	b->boot_no++;
	util_fmt(path, sizeof(path), "%s/boot-%lld-%04d.log", dir,
	    (long long)(util_wall_ms() / 1000), b->boot_no);
	rc = capture_open(&b->con, fd, path, "rig-board: ready", board_on_report, b);
	if (rc == -1)
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
	b->con.cap = b->rigd->console_cap;
	pthread_mutex_unlock(&b->lock);
	/* A new log: the lab's total is kept with the old ones, oldest first. */
	console_logs_sweep(b->rigd);
	b->rigd->sink.wake(b->rigd->sink.arg);
	return rc;
}

char *
board_console_since(struct board *b, int64_t from, size_t max, size_t *lenp, int64_t *top)
{
	char path[512], *buf;
	int64_t to;
	size_t n = 0;
	FILE *f;

	pthread_mutex_lock(&b->lock);
	capture_sync(&b->con);	/* the file has every byte read */
	util_strlcpy(path, b->con.log, sizeof(path));
	to = b->con.bytes;
	pthread_mutex_unlock(&b->lock);
	if (to - from > (int64_t)max)
		from = to - (int64_t)max;
	if (from < 0)
		from = 0;
	if (from > to)
		from = to;
	buf = xmalloc((size_t)(to - from) + 1);
	f = fopen(path, "rb");
	if (f && fseeko(f, from, SEEK_SET) == 0)
		n = fread(buf, 1, (size_t)(to - from), f);
	if (f)
		fclose(f);
	buf[n] = '\0';
	*lenp = n;
	if (top)
		*top = from + (int64_t)n;
	return buf;
}

/*
 * A console that opens only at power-on (QEMU's pty) lost while the board is up and idle: no
 * run could see the kernel's words, so the board is out of service with the console's kind
 * until a power cycle makes a new one. 0: the watch has nothing to retry.
 */
static int
board_console_watch_once(struct board *b)
{
	char lost[128], reason[320];
	enum board_state s;
	int fd;

	pthread_mutex_lock(&b->lock);
	s = b->state;
	fd = b->con.fd;
	util_strlcpy(lost, b->con.lost, sizeof(lost));
	pthread_mutex_unlock(&b->lock);
	if (fd != -1 || lost[0] == '\0' || s != BOARD_READY || !board_console_gone(b))
		return 0;
	util_fmt(reason, sizeof(reason), "console %s lost: %s: power cycle the board for a new one",
	    console_part_name(b->console), lost);
	board_set_fault(b, ERROR_CONSOLE_LOST, reason);
	return 0;
}

int
board_console_watch(struct board *b)
{
	char lost[128], err[256], reason[320];
	enum board_state s;
	int fd;

	if (b->console == NULL)
		return 0;
	if (!console_part_can_reopen(b->console))
		return board_console_watch_once(b);
	pthread_mutex_lock(&b->lock);
	s = b->state;
	pthread_mutex_unlock(&b->lock);
	if (b->console_missing) {
		/* A boot failed for want of its line: once the line opens, the board boots again. */
		if (s != BOARD_FAULT || board_stopping(b)) {
			b->console_missing = 0;
			return 0;
		}
		fd = console_part_reopen(b->console, err, sizeof(err));
		if (fd == -1)
			return 1;
		close(fd);	/* the boot opens the line itself, before power flows */
		b->console_missing = 0;
		log_info("%s: console %s is back: booting", b->conf.name,
		    console_part_name(b->console));
		board_boot(b, BOARD_BOOTING);
		return 0;
	}
	pthread_mutex_lock(&b->lock);
	s = b->state;
	fd = b->con.fd;
	util_strlcpy(lost, b->con.lost, sizeof(lost));
	pthread_mutex_unlock(&b->lock);
	if (fd != -1 || lost[0] == '\0' || (s != BOARD_READY && s != BOARD_FAULT) ||
	    (s == BOARD_FAULT && !b->console_lost)) {
		b->console_lost = 0;
		return 0;
	}
	if (!b->console_lost) {
		b->console_lost = 1;
		util_fmt(reason, sizeof(reason), "console %s lost: %s",
		    console_part_name(b->console), lost);
		board_set_state(b, BOARD_FAULT, reason);
	}
	fd = console_part_reopen(b->console, err, sizeof(err));
	if (fd == -1)
		return 1;
	pthread_mutex_lock(&b->lock);
	capture_resume(&b->con, fd);
	pthread_mutex_unlock(&b->lock);
	b->rigd->sink.wake(b->rigd->sink.arg);
	b->console_lost = 0;
	board_set_state(b, BOARD_READY, "console back");
	return 0;
}

/*
 * Any thread: a person's typing, to the board when the rig is not using the console itself
 * (a boot, a run, a recovery) and the line is open. Never waits: the console's descriptor is
 * non-blocking, so a stalled line loses the rest rather than the caller's time. Who may type
 * is the caller's to judge (console_share.c, http_console.c).
 */
ssize_t
board_console_type(struct board *b, const void *data, size_t n, const char **why)
{
	ssize_t w = 0;

	*why = NULL;
	pthread_mutex_lock(&b->lock);
	if (b->state == BOARD_BOOTING || b->state == BOARD_RUNNING ||
	    b->state == BOARD_RECOVERING)
		*why = "is in use by the rig";
	else if (b->con.fd == -1)
		*why = "is closed (the board is off)";
	else if ((w = write(b->con.fd, data, n)) == -1)
		w = 0;
	pthread_mutex_unlock(&b->lock);
	return w;
}
