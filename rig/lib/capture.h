/* capture: a console's bytes into its log file and the triage engine, exactly as they came. */
#ifndef RIG_CAPTURE_H
#define RIG_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "triage.h"

#define CAPTURE_PEND_MAX	65536	/* the most bytes read and not yet in the log */
#define CAPTURE_PEND_WRITE	16384	/* pending bytes that make a write (of whole blocks) */
#define CAPTURE_PEND_MS		100	/* how long a byte may wait for the log (see capture_tick) */
#define CAPTURE_BLOCK		4096

/*
 * What every read touches comes first, the paths and texts last: the event loop reads 256
 * consoles in a sweep, and each board's capture was last touched a sweep ago and is out of the
 * cache (capture_prefetch).
 */
struct capture {
	int		 fd;		/* the console tty, -1 when closed */
	int		 log_fd;
	int64_t		 bytes;		/* bytes in this log */
	int64_t		 last_ms;	/* when bytes last came */
	int64_t		 marker_at;	/* byte offset just past the marker, -1 until seen */
	size_t		 marker_len;	/* strlen(marker) */
	size_t		 marker_match;	/* how much of the marker the stream has matched */
	/*
	 * The marker's two bytes the search looks for at once (capture_open): its rarest, and the
	 * rarest at another place. One of them alone (a colon) is in every sixty bytes of console text.
	 */
	size_t		 marker_anchor, marker_anchor2;
	struct triage	*triage;
	/*
	 * Bytes read and not yet in the log: written in whole 4 KB blocks once CAPTURE_PEND_WRITE
	 * wait (one write per block, not one per read: a filesystem zeroes the rest of a block each
	 * time a write ends inside it), and all of them when the line is quiet (capture_tick),
	 * when the log is read (capture_sync) and when it closes.
	 */
	char		*pend;		/* CAPTURE_PEND_MAX bytes, NULL until the first read */
	size_t		 pendlen;
	int64_t		 pend_ms;	/* when the oldest pending byte came */
	/*
	 * The most console bytes this log keeps (0: no cap; set after capture_open). Past it a
	 * line says so and the rest is counted, not written; triage and readers of the stream
	 * still get every byte, and closing the log adds a line with how many were dropped.
	 */
	int64_t		 cap;
	int64_t		 written;	/* console bytes in the file */
	int64_t		 dropped;	/* console bytes past the cap */
	int64_t		 unwritten;	/* bytes the file refused (a full disk) since the last write */
	char		 marker[64];	/* a line the board prints when it is up ("" = none) */
	char		 log[512];
	/* Why the console was lost ("read: Input/output error", "hang-up"), "" while it is not. */
	char		 lost[128];
};

/*
 * Starts a new log at path for console fd (which capture now owns), with a fresh triage that
 * reports through cb. 0, or -1 with errno (fd is then closed).
 */
int capture_open(struct capture *c, int fd, const char *path, const char *marker, triage_cb cb,
    void *arg);
/*
 * Reads what the console has: appends it to the log and feeds triage. Returns the bytes read
 * (copied to buf for forwarding when buf is not NULL), 0 when nothing was there, -1 when the
 * console is gone (closed by then: a pty whose QEMU exited, an adapter unplugged).
 */
ssize_t capture_read(struct capture *c, char *buf, size_t len);
/*
 * The console is back after it was lost (an adapter replugged): fd (capture owns it) goes on
 * into the same log and triage, so the boot keeps one log and nothing read from now is lost.
 */
void capture_resume(struct capture *c, int fd);
/*
 * A report left pending by a quiet console is delivered after quiet_ms; bytes waiting for the
 * log are written once CAPTURE_PEND_MS old.
 */
void capture_tick(struct capture *c, int64_t now, int64_t quiet_ms);
/* Writes every byte read so far to the log: before anyone reads the log file. */
void capture_sync(struct capture *c);
/*
 * Asks the processor for the lines of the struct the next capture_read touches, to overlap
 * their fetch with other work: a hint that reads nothing, so any thread may give it.
 */
void capture_prefetch(const struct capture *c);
/* Closes the console (the log stays open for what follows); delivers what triage holds. */
void capture_close(struct capture *c);
/* Closes everything; the struct may be opened again. */
void capture_free(struct capture *c);

#endif
