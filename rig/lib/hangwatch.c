/* hangwatch: the board's sampling loop for a blocked writer and the hang decision over it. */
#include "hangwatch.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
hangwatch_init(struct hangwatch *w)
{
	memset(w, 0, sizeof(*w));
}

/* "123.45" (/proc/uptime, seconds) as ms: 0, or -1 when it is not that. */
static int
hangwatch_uptime(const char *s, int64_t *ms)
{
	char *end;
	long long sec = strtoll(s, &end, 10), frac = 0, scale = 1000;

	if (end == s || sec < 0)
		return -1;
	if (*end == '.') {
		for (s = end + 1; *s >= '0' && *s <= '9'; s++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
		}
		end = (char *)s;
	}
	if (*end != '\0')
		return -1;
	*ms = sec * 1000 + frac;
	return 0;
}

int
hangwatch_parse(const char *line, struct hangwatch_sample *s)
{
	char up[32], state[8];

	memset(s, 0, sizeof(*s));
	if (strcmp(line, "hw gone") == 0) {
		s->gone = 1;
		return 0;
	}
	/* hw UPTIME STATE WCHAN RUN VCSW IVCSW: field widths bound each word. */
	if (sscanf(line, "hw %31s %7s %63s %31s %23s %23s", up, state, s->wchan, s->run, s->vcsw,
	    s->ivcsw) != 6 || strlen(state) != 1 || hangwatch_uptime(up, &s->t_ms) == -1)
		return -1;
	s->state = state[0];
	return 0;
}

/* Blocked as a hang is: uninterruptible, at a named wait channel. */
static int
hangwatch_blocked(const struct hangwatch_sample *s)
{
	return !s->gone && s->state == 'D' && s->wchan[0] && strcmp(s->wchan, "0") != 0;
}

/* Nothing moved between a and b: same channel, no CPU time, no wake-up. */
static int
hangwatch_same(const struct hangwatch_sample *a, const struct hangwatch_sample *b)
{
	return strcmp(a->wchan, b->wchan) == 0 && strcmp(a->run, b->run) == 0 &&
	    strcmp(a->vcsw, b->vcsw) == 0 && strcmp(a->ivcsw, b->ivcsw) == 0;
}

enum hangwatch_verdict
hangwatch_feed(struct hangwatch *w, const struct hangwatch_sample *s)
{
	w->last = *s;
	if (s->gone) {
		w->blocked = 0;
		return HANGWATCH_GONE;
	}
	/* A sample from before the stretch's start (a clock step) starts it again too. */
	if (!hangwatch_blocked(s) || !w->blocked || !hangwatch_same(&w->anchor, s) ||
	    s->t_ms < w->anchor.t_ms) {
		w->anchor = *s;
		w->blocked = hangwatch_blocked(s);
		w->nstill = 1;
		return HANGWATCH_MOVES;
	}
	w->nstill++;
	if (w->nstill >= HANGWATCH_MIN_SAMPLES && s->t_ms - w->anchor.t_ms >= HANGWATCH_STILL_MS)
		return HANGWATCH_HANG;
	return HANGWATCH_NOT_YET;
}

int64_t
hangwatch_still_ms(const struct hangwatch *w)
{
	return w->blocked ? w->last.t_ms - w->anchor.t_ms : 0;
}

int
hangwatch_cmd(const char *qpid, int64_t max_ms, char *dst, size_t len)
{
	long long n = max_ms / HANGWATCH_PERIOD_MS + 1;
	int r;

	/*
	 * Shell builtins only (read, case, echo), but the sleep: the loop costs the board next to
	 * nothing. A file that is gone means the task is; wchan has no newline, so its read
	 * "fails" with the word read all the same.
	 */
	r = snprintf(dst, len,
	    "p=%s; n=%lld; while [ $n -gt 0 ]; do n=$((n - 1));"
	    " read -r s 2>/dev/null < /proc/$p/stat || { echo hw gone; exit 0; };"
	    " w=0; read -r w 2>/dev/null < /proc/$p/wchan;"
	    " c=-; read -r c x 2>/dev/null < /proc/$p/schedstat;"
	    " v=- i=-; while read -r k a; do case $k in voluntary_ctxt_switches:) v=$a;;"
	    " nonvoluntary_ctxt_switches:) i=$a;; esac; done 2>/dev/null < /proc/$p/status;"
	    " read -r u x < /proc/uptime; s=${s##*) };"
	    " echo \"hw $u ${s%%%% *} ${w:-0} ${c:--} $v $i\"; sleep %d.%03d; done",
	    qpid, n, HANGWATCH_PERIOD_MS / 1000, HANGWATCH_PERIOD_MS % 1000);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}
