/* Times as people give them to rigctl reserve: ISO 8601 in any zone, or relative to now. */
#include "test.h"
#include "when.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW	1764770400000LL		/* 2025-12-03T14:00:00Z */

static void
iso_times_in_utc_offsets_and_the_local_zone(void)
{
	char err[128], buf[64];

	CHECK_INT(when_parse("2025-12-03T14:00:00Z", NOW, err, sizeof(err)), NOW);
	CHECK_INT(when_parse("2025-12-03T14:00Z", NOW, err, sizeof(err)), NOW);
	CHECK_INT(when_parse("2025-12-03T14:00:00.250Z", NOW, err, sizeof(err)), NOW + 250);
	CHECK_INT(when_parse("2025-12-03T15:00:00+01:00", NOW, err, sizeof(err)), NOW);
	CHECK_INT(when_parse("2025-12-03T09:00-0500", NOW, err, sizeof(err)), NOW);
	/* No zone: the user's local one (here set to one an hour east of UTC). */
	setenv("TZ", "CET-1", 1);
	tzset();
	CHECK_INT(when_parse("2025-12-03T15:00", NOW, err, sizeof(err)), NOW);
	CHECK_INT(when_parse("2025-12-03 15:00:00", NOW, err, sizeof(err)), NOW);
	CHECK_INT(when_parse("2025-12-04", NOW, err, sizeof(err)), NOW + 9 * 3600000LL);
	CHECK_STR(when_local(NOW, buf, sizeof(buf)), "2025-12-03 15:00:00 CET");
	unsetenv("TZ");
	tzset();
}

static void
relative_times_and_now(void)
{
	char err[128];

	CHECK_INT(when_parse("now", NOW, err, sizeof(err)), NOW);
	CHECK_INT(when_parse("+3h", NOW, err, sizeof(err)), NOW + 3 * 3600000LL);
	CHECK_INT(when_parse("+90m", NOW, err, sizeof(err)), NOW + 90 * 60000LL);
	CHECK_INT(when_parse("+2s", NOW, err, sizeof(err)), NOW + 2000);
}

static void
bad_times_are_refused_saying_what_was_expected(void)
{
	static const char *bad[] = {
		"", "tomorrow", "+", "+-3h", "+3x", "-3h", "2025-13-01", "2025-02-30T10:00",
		"2025-12-03T25:00", "2025-12-03T14:61", "2025-12-03T14:00:00+25:00",
		"2025-12-03T14:00junk", "2025-12-3", "12/03/2025",
	};
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (when_parse(bad[i], NOW, err, sizeof(err)) != -1) {
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
			CHECK(0);
		}
		CHECK_HAS(err, "ISO 8601");
	}
	CHECK_INT(when_parse(NULL, NOW, err, sizeof(err)), -1);
}

int
main(void)
{
	RUN(iso_times_in_utc_offsets_and_the_local_zone);
	RUN(relative_times_and_now);
	RUN(bad_times_are_refused_saying_what_was_expected);
	TEST_END();
}
