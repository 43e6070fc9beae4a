/*
 * progress: where long work is, for a person at a terminal: one line at the bottom that is
 * rewritten in place (\r, clear to the end of the line). Only when standard output is a terminal
 * and --json was not asked: on a pipe, rigctl's output stays what scripts read.
 */
#ifndef RIGCTL_PROGRESS_H
#define RIGCTL_PROGRESS_H

#include "rigctl.h"

/* 1 when progress is shown (stdout a terminal, no --json); asked again at each call. */
int progress_on(void);
/* Shows the line (cut to the terminal's width so that it never wraps); nothing when off. */
void progress_show(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Clears the line, if one is shown: call before printing anything that stays. */
void progress_clear(void);
/*
 * Waits up to ms for the next message of c: 1 when one is there to read, 0 when the time
 * passed first (a shown line can then count on).
 */
int progress_wait(struct rigctl_conn *c, int ms);

#endif
