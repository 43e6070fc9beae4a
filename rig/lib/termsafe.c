/* termsafe: a board's console bytes made safe for a person's terminal (no control sequences). */
#include "termsafe.h"

#include <string.h>

static size_t
termsafe_hex(unsigned char c, char *out)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

/* The length of the UTF-8 sequence lead starts (2-4), 0 when it starts none. */
static size_t
termsafe_utf8_len(unsigned char lead)
{
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef)
		return 3;
	if (lead >= 0xf0 && lead <= 0xf4)
		return 4;
	return 0;
}

/*
 * Whether s[0..len) is one well-formed UTF-8 character that is no C1 control (U+0080-U+009F:
 * some terminals act on them as they do on ESC [). Overlong forms, surrogates and values past
 * U+10FFFF are not.
 */
static int
termsafe_utf8_ok(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 2)
		return !(s[0] == 0xc2 && s[1] < 0xa0);
	if (len == 3)
		return !(s[0] == 0xe0 && s[1] < 0xa0) && !(s[0] == 0xed && s[1] >= 0xa0);
	return !(s[0] == 0xf0 && s[1] < 0x90) && !(s[0] == 0xf4 && s[1] >= 0x90);
}

/* One byte that is not part of a good character, as the reader sees it. */
static size_t
termsafe_byte(unsigned char c, char *out)
{
	if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x20 || c == 0x7f) {
		out[0] = '^';
		out[1] = c == 0x7f ? '?' : (char)(c + 0x40);
		return 2;
	}
	return termsafe_hex(c, out);
}

size_t
termsafe_filter(struct termsafe *ts, const char *in, size_t n, char *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

	while (i < n || ts->nhold > 0) {
		size_t want;

		if (ts->nhold == 0) {
			if (s[i] < 0x80 || (want = termsafe_utf8_len(s[i])) == 0) {
				o += termsafe_byte(s[i++], out + o);
				continue;
			}
			ts->hold[ts->nhold++] = s[i++];
		}
		want = termsafe_utf8_len(ts->hold[0]);
		while (ts->nhold < want && i < n && (s[i] & 0xc0) == 0x80)
			ts->hold[ts->nhold++] = s[i++];
		if (ts->nhold < want && i == n)
			break;	/* the rest comes in the next chunk */
		if (ts->nhold == want && termsafe_utf8_ok(ts->hold, want)) {
			memcpy(out + o, ts->hold, want);
			o += want;
			ts->nhold = 0;
			continue;
		}
		/* Cut short or no character: the lead byte shows; what followed it is read again. */
		o += termsafe_hex(ts->hold[0], out + o);
		if (ts->nhold > 1) {
			size_t rest = ts->nhold - 1;
			unsigned char again[3];

			memcpy(again, ts->hold + 1, rest);
			ts->nhold = 0;
			o += termsafe_filter(ts, (const char *)again, rest, out + o);
		} else
			ts->nhold = 0;
	}
	return o;
}

size_t
termsafe_flush(struct termsafe *ts, char *out)
{
	size_t o = 0, i;

	for (i = 0; i < ts->nhold; i++)
		o += termsafe_hex(ts->hold[i], out + o);
	ts->nhold = 0;
	return o;
}
