/* bisect: which build to run next and what a run's outcome says (bisect.h). */
#include "bisect.h"
#include "kbuild.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *
bisect_flavour(const char *release)
{
	const char *p = release, *q;

	/* "6.1.0-56-armmp": the version, '-', the ABI number, '-', the flavour. */
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if (*p != '-')
		return p;
	for (q = p + 1; isdigit((unsigned char)*q); q++)
		;
	/* "6.12.3-rcar", a lab build's release with no ABI number: what follows the version. */
	return q > p + 1 && *q == '-' ? q + 1 : p + 1;
}

static int
bisect_cmp(const void *x, const void *y)
{
	const struct bisect_build *a = x, *b = y;
	int c = kbuild_version_cmp(a->version, b->version);

	if (c != 0)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

int
bisect_init(struct bisect *bs, const struct bisect_build *all, int n, int64_t good,
    int64_t bad, char *err, size_t errlen)
{
	struct bisect_build *s;
	int i, g = -1, k = -1, lo, hi;

	memset(bs, 0, sizeof(*bs));
	bs->rerun = -1;
	if (good == bad) {
		util_fmt(err, errlen, "--good and --bad are the same build: nothing to search");
		return -1;
	}
	s = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*s));
	memcpy(s, all, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), bisect_cmp);
	for (i = 0; i < n; i++) {
		if (s[i].id == good)
			g = i;
		if (s[i].id == bad)
			k = i;
	}
	if (g < 0 || k < 0) {
		util_fmt(err, errlen, "the %s build is not among those of the board's architecture"
		    " and flavour", g < 0 ? "--good" : "--bad");
		free(s);
		return -1;
	}
	if (kbuild_version_cmp(s[g].version, s[k].version) == 0) {
		util_fmt(err, errlen, "%s and %s have the same version %s: they cannot be ordered",
		    s[g].name, s[k].name, s[g].version);
		free(s);
		return -1;
	}
	lo = g < k ? g : k;
	hi = g < k ? k : g;
	bs->b = xcalloc((size_t)(hi - lo + 1), sizeof(*bs->b));
	for (i = lo; i <= hi; i++)
		/* A build of an end's version (a rebuild of it) is not between the two. */
		if (i == lo || i == hi || (kbuild_version_cmp(s[i].version, s[lo].version) != 0 &&
		    kbuild_version_cmp(s[i].version, s[hi].version) != 0))
			bs->b[bs->n++] = s[i];
	free(s);
	for (i = 0; i < bs->n; i++) {
		bs->b[i].outcome[0] = bs->b[i].first[0] = '\0';
		bs->b[i].nruns = bs->b[i].reran = 0;
		bs->b[i].side = BISECT_UNTESTED;
	}
	bs->good_old = g < k;
	bs->lo = 0;
	bs->hi = bs->n - 1;
	return 0;
}

void
bisect_free(struct bisect *bs)
{
	free(bs->b);
	bs->b = NULL;
	bs->n = 0;
}

int
bisect_next(const struct bisect *bs)
{
	int i, best = -1, mid2;

	if (bs->rerun >= 0)
		return bs->rerun;
	/* The good end first: its outcome is what every other is held against. */
	i = bs->good_old ? 0 : bs->n - 1;
	if (bs->b[i].side == BISECT_UNTESTED)
		return i;
	i = bs->good_old ? bs->n - 1 : 0;
	if (bs->b[i].side == BISECT_UNTESTED)
		return i;
	if (bs->b[0].side == BISECT_SKIPPED || bs->b[bs->n - 1].side == BISECT_SKIPPED ||
	    strcmp(bs->b[0].outcome, bs->b[bs->n - 1].outcome) == 0)
		return -1;
	/* The untested build nearest the middle of what is still open (twice, to stay in ints). */
	mid2 = bs->lo + bs->hi;
	for (i = bs->lo + 1; i < bs->hi; i++) {
		if (bs->b[i].side != BISECT_UNTESTED)
			continue;
		if (best < 0 || abs(2 * i - mid2) < abs(2 * best - mid2))
			best = i;
	}
	return best;
}

enum bisect_step
bisect_record(struct bisect *bs, int i, int64_t run, const char *outcome)
{
	struct bisect_build *b = &bs->b[i];
	int end = i == 0 || i == bs->n - 1;
	const char *lo, *hi;

	if (b->nruns < BISECT_MAX_RUNS)
		b->runs[b->nruns++] = run;
	if (bs->rerun == i)
		bs->rerun = -1;
	if (outcome[0] == '\0') {
		b->side = BISECT_SKIPPED;
		return end ? BISECT_END_ERROR : BISECT_GO;
	}
	if (end) {
		util_strlcpy(b->outcome, outcome, sizeof(b->outcome));
		b->side = i == 0 ? BISECT_OLD : BISECT_NEW;
		if (bs->b[0].side != BISECT_UNTESTED && bs->b[bs->n - 1].side != BISECT_UNTESTED &&
		    strcmp(bs->b[0].outcome, bs->b[bs->n - 1].outcome) == 0)
			return BISECT_SAME_ENDS;
		return BISECT_GO;
	}
	lo = bs->b[bs->lo].outcome;
	hi = bs->b[bs->hi].outcome;
	util_strlcpy(b->outcome, outcome, sizeof(b->outcome));
	if (strcmp(outcome, lo) == 0) {
		b->side = BISECT_OLD;
		bs->lo = i;
	} else if (strcmp(outcome, hi) == 0) {
		b->side = BISECT_NEW;
		bs->hi = i;
	} else if (!b->reran) {
		/* Unlike both neighbours: once more before the search turns on it. */
		util_strlcpy(b->first, outcome, sizeof(b->first));
		b->reran = 1;
		bs->rerun = i;
		return BISECT_RERUN;
	} else if (bs->good_old) {
		/* Twice unlike both: not the good end's way, so bad. */
		b->side = BISECT_NEW;
		bs->hi = i;
	} else {
		b->side = BISECT_OLD;
		bs->lo = i;
	}
	return BISECT_GO;
}

int
bisect_first(const struct bisect *bs, int *skipped)
{
	int i, n = 0;

	for (i = bs->lo + 1; i < bs->hi; i++)
		if (bs->b[i].side == BISECT_SKIPPED)
			n++;
	if (skipped)
		*skipped = n;
	return bs->hi;
}

void
bisect_outcome(const char *verdict, const char *title, char *out, size_t len)
{
	if (verdict == NULL || strcmp(verdict, "error") == 0 || strcmp(verdict, "none") == 0 ||
	    !*verdict)
		util_strlcpy(out, "", len);
	else if (title && *title && strcmp(verdict, "pass") != 0)
		util_fmt(out, len, "%s: %s", verdict, title);
	else
		util_strlcpy(out, verdict, len);
}
