/* eta: the time left of a row of like items, from the mean of those done; what rigctl shows on a terminal. */
#include "eta.h"

#include <stdio.h>

int64_t
eta_left_ms(int done, int total, int64_t elapsed_ms)
{
	if (done >= total)
		return 0;
	if (done <= 0 || elapsed_ms <= 0)
		return -1;
	/* elapsed / done * left, multiplied first: a night of seconds-long jobs keeps its ms. */
	return elapsed_ms / done * (total - done) + elapsed_ms % done * (total - done) / done;
}

int64_t
eta_left_now_ms(int done, int total, int64_t elapsed_ms, int64_t since_ms)
{
	int64_t left = eta_left_ms(done, total, elapsed_ms);

	if (left <= 0)
		return left;
	return left - since_ms > 1000 ? left - since_ms : 1000;
}

const char *
eta_format(int done, int total, int64_t elapsed_ms, char *buf, size_t len)
{
	return eta_format_left(done, total, eta_left_ms(done, total, elapsed_ms), buf, len);
}

const char *
eta_format_left(int done, int total, int64_t left, char *buf, size_t len)
{
	int64_t s = (left + 999) / 1000;

	if (len == 0)
		return buf;
	if (left == 0)
		snprintf(buf, len, "%d/%d done", done, total);
	else if (left < 0)
		snprintf(buf, len, "%d/%d done, estimating the time left", done, total);
	else if (s < 60)
		snprintf(buf, len, "%d/%d done, about %llds left", done, total, (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%d/%d done, about %lldm %02llds left", done, total,
		    (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, len, "%d/%d done, about %lldh %02lldm left", done, total,
		    (long long)(s / 3600), (long long)(s / 60 % 60));
	return buf;
}
