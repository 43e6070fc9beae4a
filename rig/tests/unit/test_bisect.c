/* test_bisect: rigctl bisect's decisions without a board: order, midpoints, flake reruns, ends. */
#include "bisect.h"
#include "kbuild.h"
#include "test.h"
#include "util.h"

#define CRASH_OLD	"crash: BUG: unable to handle kernel paging request in mtd_proc_show"
#define CRASH_NEW	"crash: BUG: unable to handle kernel paging request in mtd_read_oob"

/* Debian's armhf series as the archive had it, registered in no particular order. */
static const struct { int64_t id; const char *name, *version; } series[] = {
	{ 7, "linux-image-6.1.0-57-armmp", "6.1.192-3" },
	{ 1, "linux-image-6.1.0-50-armmp", "6.1.176-1" },
	{ 3, "linux-image-6.1.0-54-armmp", "6.1.190-1" },
	{ 6, "linux-image-6.1.0-56-armmp", "6.1.192-2" },
	{ 2, "linux-image-6.1.0-53-armmp", "6.1.187-1" },
	{ 5, "linux-image-6.1.0-55-armmp", "6.1.192-1" },
	{ 4, "linux-image-6.1.0-47-armmp", "6.1.170-3" },
};
#define NSERIES ((int)(sizeof(series) / sizeof(series[0])))

static void
load(struct bisect_build *all)
{
	int i;

	memset(all, 0, NSERIES * sizeof(*all));
	for (i = 0; i < NSERIES; i++) {
		all[i].id = series[i].id;
		util_strlcpy(all[i].name, series[i].name, sizeof(all[i].name));
		util_strlcpy(all[i].version, series[i].version, sizeof(all[i].version));
	}
}

/* Runs the search with truth(version) as each build's outcome; returns the runs it took. */
static int
search(struct bisect *bs, const char *(*truth)(const char *version, int nth))
{
	int i, runs = 0;

	while ((i = bisect_next(bs)) >= 0 && runs < 20) {
		enum bisect_step st = bisect_record(bs, i, 100 + runs,
		    truth(bs->b[i].version, bs->b[i].nruns));
		runs++;
		if (st == BISECT_SAME_ENDS || st == BISECT_END_ERROR)
			break;
	}
	return runs;
}

/* The refcount backport changed the crash in 6.1.192-1. */
static const char *
truth_backport(const char *v, int nth)
{
	(void)nth;
	return kbuild_version_cmp(v, "6.1.192-1") < 0 ? CRASH_OLD : CRASH_NEW;
}

static void
test_flavour_is_what_follows_the_abi_number(void)
{
	CHECK_STR(bisect_flavour("6.1.0-56-armmp"), "armmp");
	CHECK_STR(bisect_flavour("6.1.0-56-rt-amd64"), "rt-amd64");
	CHECK_STR(bisect_flavour("6.1.0-56-cloud-amd64"), "cloud-amd64");
	CHECK_STR(bisect_flavour("6.12.3-rcar"), "rcar");	/* a lab build: no ABI number */
	CHECK_STR(bisect_flavour("6.12.4-rcar"), "rcar");
	CHECK_STR(bisect_flavour("6.12.3"), "");
}

static void
test_builds_between_are_ordered_by_debian_version(void)
{
	struct bisect_build all[NSERIES];
	struct bisect bs;
	char err[256];

	load(all);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 1, 7, err, sizeof(err)), 0);
	CHECK_INT(bs.n, 6);	/* 6.1.0-47 is older than both ends: not between */
	CHECK_STR(bs.b[0].version, "6.1.176-1");
	CHECK_STR(bs.b[1].version, "6.1.187-1");
	CHECK_STR(bs.b[2].version, "6.1.190-1");
	CHECK_STR(bs.b[3].version, "6.1.192-1");	/* the Debian revision orders 192-1 < -2 < -3 */
	CHECK_STR(bs.b[4].version, "6.1.192-2");
	CHECK_STR(bs.b[5].version, "6.1.192-3");
	CHECK(bs.good_old);
	bisect_free(&bs);
}

static void
test_version_order_follows_dpkg(void)
{
	/* dpkg's rules, as bisect orders by them (kbuild_version_cmp). */
	CHECK(kbuild_version_cmp("6.1.9-1", "6.1.10-1") < 0);		/* numbers, not text */
	CHECK(kbuild_version_cmp("6.1.192-1~bpo11+1", "6.1.192-1") < 0);	/* ~ before all */
	CHECK(kbuild_version_cmp("1:6.1.170-1", "6.1.192-3") > 0);		/* epoch first */
	CHECK(kbuild_version_cmp("6.1.192-1+deb12u1", "6.1.192-1") > 0);
	CHECK(kbuild_version_cmp("6.1.192-1a", "6.1.192-1+") < 0);		/* letters before + */
	CHECK(kbuild_version_cmp("6.1.192", "6.1.192-0") == 0);		/* no revision is 0 */
}

static void
test_first_bad_found_in_few_runs(void)
{
	struct bisect_build all[NSERIES];
	struct bisect bs;
	char err[256];
	int first, skipped, runs;

	load(all);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 1, 7, err, sizeof(err)), 0);
	CHECK_INT(bisect_next(&bs), 0);		/* the good end first */
	runs = search(&bs, truth_backport);
	first = bisect_first(&bs, &skipped);
	CHECK_STR(bs.b[first].version, "6.1.192-1");
	CHECK_STR(bs.b[first - 1].version, "6.1.190-1");
	CHECK_INT(skipped, 0);
	CHECK(runs <= 2 + 3);				/* two ends, log2(4) midpoints + 1 */
	CHECK_INT(bs.b[first].side, BISECT_NEW);
	bisect_free(&bs);
}

static void
test_first_fixed_when_good_is_newer(void)
{
	struct bisect_build all[NSERIES];
	struct bisect bs;
	char err[256];
	int first;

	load(all);
	/* --good 6.1.192-3 --bad 6.1.176-1: the first build like the good one is the fix. */
	CHECK_INT(bisect_init(&bs, all, NSERIES, 7, 1, err, sizeof(err)), 0);
	CHECK(!bs.good_old);
	CHECK_INT(bisect_next(&bs), bs.n - 1);		/* the good end first */
	search(&bs, truth_backport);
	first = bisect_first(&bs, NULL);
	CHECK_STR(bs.b[first].version, "6.1.192-1");
	bisect_free(&bs);
}

/* 6.1.190 hangs once (a flake) and crashes like the old builds when run again. */
static const char *
truth_flaky_hang(const char *v, int nth)
{
	if (strcmp(v, "6.1.190-1") == 0 && nth == 0)
		return "hang: INFO: task hung in spi_nor_remove";
	return truth_backport(v, nth);
}

static void
test_outcome_unlike_both_neighbours_is_run_again(void)
{
	struct bisect_build all[NSERIES];
	struct bisect bs;
	char err[256];
	int i, first;

	load(all);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 1, 7, err, sizeof(err)), 0);
	CHECK_INT(bisect_record(&bs, bisect_next(&bs), 1, CRASH_OLD), BISECT_GO);
	CHECK_INT(bisect_record(&bs, bisect_next(&bs), 2, CRASH_NEW), BISECT_GO);
	i = bisect_next(&bs);
	CHECK_STR(bs.b[i].version, "6.1.190-1");	/* the middle of 1..4 nearest 2.5 */
	CHECK_INT(bisect_record(&bs, i, 3, truth_flaky_hang(bs.b[i].version, 0)), BISECT_RERUN);
	CHECK_INT(bisect_next(&bs), i);			/* the same build once more */
	CHECK_INT(bisect_record(&bs, i, 4, truth_flaky_hang(bs.b[i].version, 1)), BISECT_GO);
	CHECK_INT(bs.b[i].side, BISECT_OLD);		/* the flake does not count */
	CHECK_INT(bs.b[i].nruns, 2);
	CHECK_INT(bs.b[i].runs[0], 3);
	CHECK_INT(bs.b[i].runs[1], 4);
	CHECK_HAS(bs.b[i].first, "hang");
	search(&bs, truth_flaky_hang);
	first = bisect_first(&bs, NULL);
	CHECK_STR(bs.b[first].version, "6.1.192-1");
	bisect_free(&bs);
}

/* 6.1.190 hangs every time: a third outcome, confirmed, is not good. */
static const char *
truth_real_hang(const char *v, int nth)
{
	if (strcmp(v, "6.1.190-1") == 0)
		return "hang: INFO: task hung in spi_nor_remove";
	return truth_backport(v, nth);
}

static void
test_confirmed_third_outcome_counts_as_bad(void)
{
	struct bisect_build all[NSERIES];
	struct bisect bs;
	char err[256];
	int first;

	load(all);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 1, 7, err, sizeof(err)), 0);
	search(&bs, truth_real_hang);
	first = bisect_first(&bs, NULL);
	CHECK_STR(bs.b[first].version, "6.1.190-1");
	CHECK_INT(bs.b[first].nruns, 2);
	CHECK_STR(bs.b[first].outcome, "hang: INFO: task hung in spi_nor_remove");
	bisect_free(&bs);
}

/* 6.1.190 never gives a kernel result: skipped, and the answer is a range around it. */
static const char *
truth_lab_error(const char *v, int nth)
{
	if (strcmp(v, "6.1.190-1") == 0 || strcmp(v, "6.1.187-1") == 0)
		return "";
	return kbuild_version_cmp(v, "6.1.190-1") < 0 ? CRASH_OLD : CRASH_NEW;
	(void)nth;
}

static void
test_lab_errors_are_skipped(void)
{
	struct bisect_build all[NSERIES];
	struct bisect bs;
	char err[256];
	int first, skipped;

	load(all);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 1, 7, err, sizeof(err)), 0);
	search(&bs, truth_lab_error);
	first = bisect_first(&bs, &skipped);
	CHECK_STR(bs.b[first].version, "6.1.192-1");
	CHECK_INT(skipped, 2);
	bisect_free(&bs);
}

static const char *
truth_same(const char *v, int nth)
{
	(void)v;
	(void)nth;
	return CRASH_OLD;
}

static const char *
truth_end_error(const char *v, int nth)
{
	(void)nth;
	return strcmp(v, "6.1.192-3") == 0 ? "" : CRASH_OLD;
}

static void
test_ends_that_agree_or_fail_end_the_search(void)
{
	struct bisect_build all[NSERIES];
	struct bisect bs;
	char err[256];

	load(all);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 1, 7, err, sizeof(err)), 0);
	CHECK_INT(search(&bs, truth_same), 2);
	CHECK_INT(bisect_next(&bs), -1);
	bisect_free(&bs);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 1, 7, err, sizeof(err)), 0);
	CHECK_INT(bisect_record(&bs, bisect_next(&bs), 1, truth_end_error("6.1.176-1", 0)),
	    BISECT_GO);
	CHECK_INT(bisect_record(&bs, bisect_next(&bs), 2, truth_end_error("6.1.192-3", 0)),
	    BISECT_END_ERROR);
	CHECK_INT(bisect_next(&bs), -1);
	bisect_free(&bs);
}

static void
test_bad_ends_are_refused(void)
{
	struct bisect_build all[NSERIES + 1];
	struct bisect bs;
	char err[256];

	load(all);
	CHECK_INT(bisect_init(&bs, all, NSERIES, 6, 6, err, sizeof(err)), -1);
	CHECK_HAS(err, "same build");
	CHECK_INT(bisect_init(&bs, all, NSERIES, 6, 99, err, sizeof(err)), -1);
	CHECK_HAS(err, "--bad");
	/* A rebuild with 6.1.0-56's version cannot be put before or after it. */
	all[NSERIES] = all[3];
	all[NSERIES].id = 8;
	CHECK_INT(bisect_init(&bs, all, NSERIES + 1, 6, 8, err, sizeof(err)), -1);
	CHECK_HAS(err, "same version 6.1.192-2");
	/* ... and is not a build between two others. */
	CHECK_INT(bisect_init(&bs, all, NSERIES + 1, 1, 6, err, sizeof(err)), 0);
	CHECK_INT(bs.n, 5);
	bisect_free(&bs);
	/* Next to each other: only the ends run. */
	CHECK_INT(bisect_init(&bs, all, NSERIES, 5, 6, err, sizeof(err)), 0);
	CHECK_INT(bs.n, 2);
	CHECK_INT(search(&bs, truth_backport), 2);
	CHECK_INT(bisect_first(&bs, NULL), 1);
	bisect_free(&bs);
}

static void
test_outcome_names_verdict_and_title(void)
{
	char o[BISECT_OUTCOME_LEN];

	bisect_outcome("pass", "", o, sizeof(o));
	CHECK_STR(o, "pass");
	bisect_outcome("crash", "BUG: x in f", o, sizeof(o));
	CHECK_STR(o, "crash: BUG: x in f");
	bisect_outcome("error", "boot-failed", o, sizeof(o));
	CHECK_STR(o, "");
}

int
main(void)
{
	RUN(test_flavour_is_what_follows_the_abi_number);
	RUN(test_builds_between_are_ordered_by_debian_version);
	RUN(test_version_order_follows_dpkg);
	RUN(test_first_bad_found_in_few_runs);
	RUN(test_first_fixed_when_good_is_newer);
	RUN(test_outcome_unlike_both_neighbours_is_run_again);
	RUN(test_confirmed_third_outcome_counts_as_bad);
	RUN(test_lab_errors_are_skipped);
	RUN(test_ends_that_agree_or_fail_end_the_search);
	RUN(test_bad_ends_are_refused);
	RUN(test_outcome_names_verdict_and_title);
	TEST_END();
}
