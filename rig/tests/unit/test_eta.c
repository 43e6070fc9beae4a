/* The time left of a night or a survey, as rigctl shows it on a terminal: done of total, and an estimate. */
#include "test.h"
#include "eta.h"

static void
the_rest_takes_as_long_per_item_as_what_is_done(void)
{
	CHECK_INT(eta_left_ms(1, 4, 60000), 180000);
	CHECK_INT(eta_left_ms(3, 9, 90000), 180000);
	CHECK_INT(eta_left_ms(2, 3, 1000), 500);
	/* Nothing left: nothing to wait for, however long it took. */
	CHECK_INT(eta_left_ms(5, 5, 300000), 0);
	/* Done beyond total (a retry counted twice): no time left, not a negative one. */
	CHECK_INT(eta_left_ms(6, 5, 300000), 0);
}

static void
nothing_done_yet_is_no_estimate(void)
{
	CHECK_INT(eta_left_ms(0, 9, 0), -1);
	CHECK_INT(eta_left_ms(0, 9, 120000), -1);
	/* A clock that went nowhere or back says nothing either. */
	CHECK_INT(eta_left_ms(2, 9, -5), -1);
	/* No items at all: done. */
	CHECK_INT(eta_left_ms(0, 0, 0), 0);
}

static void
long_nights_do_not_overflow(void)
{
	/* 100000 jobs, the first took a day: the rest is about 274 years, still positive. */
	CHECK(eta_left_ms(1, 100000, 86400000LL) == 86400000LL * 99999);
}

static void
between_items_the_estimate_counts_down(void)
{
	/* The last of 1 of 4 ended at 60 s, 20 s ago: 180 s were left then, 160 s now. */
	CHECK_INT(eta_left_now_ms(1, 4, 60000, 20000), 160000);
	CHECK_INT(eta_left_now_ms(1, 4, 60000, 0), 180000);
	/* Later than the mean said: a second, not zero or less, while an item is left. */
	CHECK_INT(eta_left_now_ms(1, 4, 60000, 200000), 1000);
	CHECK_INT(eta_left_now_ms(0, 4, 0, 5000), -1);
	CHECK_INT(eta_left_now_ms(4, 4, 60000, 5000), 0);
}

static void
the_line_people_read(void)
{
	char buf[96];

	CHECK_STR(eta_format(0, 9, 2000, buf, sizeof(buf)), "0/9 done, estimating the time left");
	CHECK_STR(eta_format(3, 9, 90000, buf, sizeof(buf)), "3/9 done, about 3m 00s left");
	CHECK_STR(eta_format(1, 4, 15000, buf, sizeof(buf)), "1/4 done, about 45s left");
	CHECK_STR(eta_format(1, 3, 7200000, buf, sizeof(buf)), "1/3 done, about 4h 00m left");
	CHECK_STR(eta_format(9, 9, 90000, buf, sizeof(buf)), "9/9 done");
	/* Under a second left reads as a second, not as 0s. */
	CHECK_STR(eta_format(99, 100, 9900, buf, sizeof(buf)), "99/100 done, about 1s left");
	/* Cut to the buffer, still a string. */
	CHECK_STR(eta_format(3, 9, 90000, buf, 9), "3/9 done");
	CHECK_STR(eta_format_left(2, 4, 33000, buf, sizeof(buf)), "2/4 done, about 33s left");
	CHECK_STR(eta_format_left(0, 4, -1, buf, sizeof(buf)), "0/4 done, estimating the time left");
}

int
main(void)
{
	RUN(the_rest_takes_as_long_per_item_as_what_is_done);
	RUN(nothing_done_yet_is_no_estimate);
	RUN(long_nights_do_not_overflow);
	RUN(between_items_the_estimate_counts_down);
	RUN(the_line_people_read);
	TEST_END();
}
