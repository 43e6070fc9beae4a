/* when: times as people write them for rigctl and as they read them. */
#include "when.h"
#include "util.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#define WHEN_EXPECTED	"expected ISO 8601 (2025-12-03T14:00, 2025-12-03 14:00:00Z," \
	" 2025-12-03T14:00+01:00), \"now\" or +DURATION (+3h, +90m)"

/* n digits of s into *v: the count read (n), or 0 when they are not all digits. */
static int
when_digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return n;
}

static int64_t
when_bad(const char *s, char *err, size_t errlen)
{
	util_fmt(err, errlen, "\"%s\": not a time: %s", s ? s : "", WHEN_EXPECTED);
	return -1;
}

int64_t
when_parse(const char *s, int64_t now_ms, char *err, size_t errlen)
{
	struct tm tm, back;
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh, om, sign, local = 1;
	int64_t off = 0, dur;
	const char *p;
	time_t t;

	if (s == NULL)
		return when_bad(s, err, errlen);
	if (strcmp(s, "now") == 0)
		return now_ms;
	if (s[0] == '+') {
		if ((dur = util_duration_parse(s + 1)) < 0)
			return when_bad(s, err, errlen);
		return now_ms + dur;
	}
	p = s;
	if (!when_digits(p, 4, &y) || p[4] != '-' || !when_digits(p + 5, 2, &mo) ||
	    p[7] != '-' || !when_digits(p + 8, 2, &d))
		return when_bad(s, err, errlen);
	p += 10;
	if (*p == 'T' || *p == ' ') {
		if (!when_digits(p + 1, 2, &h) || p[3] != ':' || !when_digits(p + 4, 2, &mi))
			return when_bad(s, err, errlen);
		p += 6;
		if (*p == ':') {
			if (!when_digits(p + 1, 2, &sec))
				return when_bad(s, err, errlen);
			p += 3;
			if (*p == '.') {
				int scale = 100;

				for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
					ms += (*p - '0') * scale;
				if (scale == 100)
					return when_bad(s, err, errlen);
			}
		}
		if (*p == 'Z') {
			local = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			if (!when_digits(p + 1, 2, &oh))
				return when_bad(s, err, errlen);
			p += 3;
			if (*p == ':')
				p++;
			if (!when_digits(p, 2, &om) || oh > 14 || om > 59)
				return when_bad(s, err, errlen);
			p += 2;
			local = 0;
			off = sign * ((int64_t)oh * 3600 + om * 60);
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return when_bad(s, err, errlen);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	back = tm;
	t = local ? mktime(&tm) : timegm(&tm);
	/* A day the month does not have comes back as another day: refused, not moved. */
	if (t == (time_t)-1 || tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon)
		return when_bad(s, err, errlen);
	return ((int64_t)t - off) * 1000 + ms;
}

const char *
when_local(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		util_fmt(buf, len, "%lld", (long long)ms);
	return buf;
}
