/* eta: how long the rest of a row of like items (a night's jobs, a survey's devices) will take. */
#ifndef RIG_ETA_H
#define RIG_ETA_H

#include <stddef.h>
#include <stdint.h>

/*
 * ms left when done of total items took elapsed_ms, each item taken to last as long as the mean
 * of those done; 0 when none is left, -1 when there is no estimate yet (none done, no time).
 */
int64_t eta_left_ms(int done, int total, int64_t elapsed_ms);
/*
 * The same, counting down between items: elapsed_ms is when the last item ended, since_ms how
 * long ago that was; 1 s at least while an item is left (it runs late, not done).
 */
int64_t eta_left_now_ms(int done, int total, int64_t elapsed_ms, int64_t since_ms);
/* "2/4 done, about 33s left" from left_ms (eta_left_ms's or eta_left_now_ms's) into buf. */
const char *eta_format_left(int done, int total, int64_t left_ms, char *buf, size_t len);
/* "3/9 done, about 3m 00s left" (or "estimating the time left", or just "9/9 done") into buf. */
const char *eta_format(int done, int total, int64_t elapsed_ms, char *buf, size_t len);

#endif
