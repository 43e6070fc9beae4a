/* test_termsafe: console bytes for a terminal: text passes, controls are shown and cannot act. */
#include "termsafe.h"
#include "test.h"

/* in (n bytes) through a new filter in chunks of step bytes, flushed at the end. */
static const char *
filtered(const char *in, size_t n, size_t step)
{
	static char out[4096];
	struct termsafe ts = { { 0 }, 0 };
	size_t o = 0, i;

	for (i = 0; i < n; i += step)
		o += termsafe_filter(&ts, in + i, n - i < step ? n - i : step, out + o);
	o += termsafe_flush(&ts, out + o);
	out[o] = '\0';
	return out;
}

#define F(s, step)	filtered(s, sizeof(s) - 1, step)

static void
text_and_line_controls_pass(void)
{
	CHECK_STR(F("login: root\r\n\tok", 64), "login: root\r\n\tok");
	CHECK_STR(F("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7", 64), "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7");
}

static void
escape_sequences_are_shown_not_sent(void)
{
	CHECK_STR(F("\x1b[2J\x1b]0;owned\x07", 64), "^[[2J^[]0;owned^G");
	CHECK_STR(F("a\x7f\x00z", 64), "a^?^@z");
	/* 8-bit CSI and OSC, alone or written as UTF-8 C1 characters */
	CHECK_STR(F("\x9b" "31m\x9d", 64), "\\x9b31m\\x9d");
	CHECK_STR(F("\xc2\x9b" "31m", 64), "\\xc2\\x9b31m");
}

static void
bytes_that_are_no_utf8_are_shown(void)
{
	CHECK_STR(F("\xc0\xaf\xff", 64), "\\xc0\\xaf\\xff");		/* overlong, never UTF-8 */
	CHECK_STR(F("\xe2\x9c" "x", 64), "\\xe2\\x9cx");		/* cut short */
	CHECK_STR(F("\xed\xa0\x80", 64), "\\xed\\xa0\\x80");		/* a surrogate */
	CHECK_STR(F("end\xe2\x9c", 64), "end\\xe2\\x9c");		/* cut by the end */
}

/* A character split between reads is whole in the output, whatever the chunk size. */
static void
characters_split_across_chunks_pass(void)
{
	size_t step;

	for (step = 1; step <= 4; step++) {
		CHECK_STR(F("\xf0\x9f\x90\xa7|\xe2\x9c\x93|\x1b[0m", step),
		    "\xf0\x9f\x90\xa7|\xe2\x9c\x93|^[[0m");
		CHECK_STR(F("\xe2\x9c\x1b", step), "\\xe2\\x9c^[");
	}
}

int
main(void)
{
	RUN(text_and_line_controls_pass);
	RUN(escape_sequences_are_shown_not_sent);
	RUN(bytes_that_are_no_utf8_are_shown);
	RUN(characters_split_across_chunks_pass);
	TEST_END();
}
