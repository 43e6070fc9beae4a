/*
 * bisect: the decisions of rigctl bisect, without a board: which builds lie between the two
 * ends (by Debian version), which to run next, what a run's outcome says. rigd's
 * control_bisect.c runs the jobs; this file only decides.
 *
 * Builds are ordered oldest first. The end named --good may be the older one (the search finds
 * the first bad build) or the newer (the first fixed one). An outcome is a run's verdict with
 * its title ("crash: BUG: ... in mtd_proc_show"): two crashes with different titles differ.
 * A build behaves like the older end, like the newer end, or neither: an outcome that differs
 * from both neighbours (the nearest builds already known on either side) is run once more; a
 * second outcome like a neighbour's counts (the first was a flake), else the build counts as
 * bad (neither good nor the bad end's way, it is still not good).
 */
#ifndef RIG_BISECT_H
#define RIG_BISECT_H

#include <stddef.h>
#include <stdint.h>

#define BISECT_MAX_RUNS		4	/* runs of one build: its first and its rerun */
#define BISECT_OUTCOME_LEN	320

enum bisect_side {
	BISECT_UNTESTED,
	BISECT_OLD,		/* behaves like the oldest build */
	BISECT_NEW,		/* behaves like the newest build */
	BISECT_SKIPPED,		/* only lab errors: no kernel result, left out as git bisect skip */
};

struct bisect_build {
	int64_t		 id;
	char		 name[128], version[64];
	char		 outcome[BISECT_OUTCOME_LEN];	/* the outcome that counts, "" untested */
	char		 first[BISECT_OUTCOME_LEN];	/* a rerun build's first outcome */
	int64_t		 runs[BISECT_MAX_RUNS];
	int		 nruns;
	int		 reran;
	enum bisect_side side;
};

struct bisect {
	struct bisect_build	*b;	/* oldest first; owned (bisect_free) */
	int			 n;
	int			 good_old;	/* the good end is the oldest: search for the first bad */
	int			 lo, hi;	/* newest known like b[0], oldest known like b[n-1] */
	int			 rerun;		/* a build to run again next, -1 none */
};

/* What bisect_record makes of a run. */
enum bisect_step {
	BISECT_GO,		/* bisect_next says what is next (-1: over) */
	BISECT_RERUN,		/* the build differs from both neighbours: bisect_next runs it again */
	BISECT_SAME_ENDS,	/* the ends behave the same: nothing to search */
	BISECT_END_ERROR,	/* an end gave no kernel result: nothing to search */
};

/*
 * The flavour of a kernel release: "armmp" of Debian's 6.1.0-56-armmp, "rt-amd64" of
 * 6.1.0-56-rt-amd64, "rcar" of a lab build's 6.12.3-rcar, "" of a plain 6.12.3.
 */
const char *bisect_flavour(const char *release);

/*
 * Picks the builds from all (n of them, any order; copied) that lie between good and bad
 * by version, both included, oldest first. 0, or -1 with err when the ends are the same build,
 * have the same version (they cannot be ordered) or are missing from all.
 */
int bisect_init(struct bisect *bs, const struct bisect_build *all, int n, int64_t good,
    int64_t bad, char *err, size_t errlen);
void bisect_free(struct bisect *bs);

/* The index of the build to run next: the ends first, then midpoints; -1 when the search is over. */
int bisect_next(const struct bisect *bs);

/* A run of b[i] ended with outcome ("" for a lab error: the build is skipped). */
enum bisect_step bisect_record(struct bisect *bs, int i, int64_t run, const char *outcome);

/*
 * When the search is over: the index of the first build that behaves like the newest one (the
 * first bad when good_old, else the first fixed), and in *skipped how many skipped builds lie
 * between it and the last one like the oldest (the answer is then a range).
 */
int bisect_first(const struct bisect *bs, int *skipped);

/* A run's outcome as bisect compares them: "pass", "crash: TITLE", "" for a lab error. */
void bisect_outcome(const char *verdict, const char *title, char *out, size_t len);

#endif
