/*
 * hangwatch: tells a hang from a slow step by watching the blocked writer on the board. A small
 * shell loop on the board (hangwatch_cmd) prints one line per sample of the task's state; the
 * rig feeds the lines in (hangwatch_feed) and learns "hang", "not yet" or "it moves".
 */
#ifndef RIG_HANGWATCH_H
#define RIG_HANGWATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * One sample every 200 ms: five per second is a few /proc reads and one sleep for the board's
 * shell (no fork but sleep's), about 60 bytes a line on the session, and a decision within a
 * period of the window's end; faster sampling would only move the verdict by tens of ms.
 */
#define HANGWATCH_PERIOD_MS	200
/*
 * A hang: the task sleeps uninterruptibly at one wait channel, neither running (schedstat's CPU
 * time) nor woken (context switches), over this much of the board's time and at least
 * HANGWATCH_MIN_SAMPLES samples. Healthy unbinds return within tens of ms; one that waits for
 * a reference nobody gives back never moves again.
 */
#define HANGWATCH_STILL_MS	800
#define HANGWATCH_MIN_SAMPLES	4

/* What the board's loop saw at one moment. */
struct hangwatch_sample {
	int64_t		t_ms;		/* the board's uptime */
	char		state;		/* /proc/PID/stat's state letter ('D': uninterruptible) */
	char		wchan[64];	/* /proc/PID/wchan ("0": none) */
	char		run[32];	/* /proc/PID/schedstat's CPU time in ns ("-": not there) */
	char		vcsw[24];	/* voluntary_ctxt_switches ("-": not there) */
	char		ivcsw[24];	/* nonvoluntary_ctxt_switches */
	int		gone;		/* the task has ended */
};

enum hangwatch_verdict {
	HANGWATCH_NOT_YET,	/* stuck, but not for long enough */
	HANGWATCH_MOVES,	/* not blocked, or it ran or woke since the last sample */
	HANGWATCH_HANG,		/* stuck for HANGWATCH_STILL_MS: the verdict is hang */
	HANGWATCH_GONE,		/* the task ended: the step is about to return */
};

/* The decision's memory: where the current still stretch began and how many samples it holds. */
struct hangwatch {
	struct hangwatch_sample	anchor;
	int			nstill;		/* samples in the stretch, the anchor included */
	int			blocked;	/* the anchor is a blocked sample */
	struct hangwatch_sample	last;		/* the newest sample, for the verdict's words */
};

void hangwatch_init(struct hangwatch *w);
/* A line the board's loop printed: 0 with s filled, -1 when it is not a sample line. */
int hangwatch_parse(const char *line, struct hangwatch_sample *s);
enum hangwatch_verdict hangwatch_feed(struct hangwatch *w, const struct hangwatch_sample *s);
/* How long the current still stretch has lasted (board time, ms; 0 when not blocked). */
int64_t hangwatch_still_ms(const struct hangwatch *w);
/*
 * The board's loop for the task whose PID is qpid (a quoted word, shquote.h): samples every
 * HANGWATCH_PERIOD_MS for at most max_ms, ends when the task does. -1 when dst is too small.
 */
int hangwatch_cmd(const char *qpid, int64_t max_ms, char *dst, size_t len);

#endif
