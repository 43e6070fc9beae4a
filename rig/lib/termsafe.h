/* termsafe: a board's console bytes made safe for a person's terminal (no control sequences). */
#ifndef RIG_TERMSAFE_H
#define RIG_TERMSAFE_H

#include <stddef.h>

/*
 * A console streams whatever the board prints: an escape sequence in it would drive the
 * reader's terminal (retitle it, move the cursor, answer back). termsafe passes text (newline,
 * carriage return, tab, printable ASCII, well-formed UTF-8) and writes every other byte so it
 * can be seen and cannot act: C0 controls and DEL as ^X (ESC as ^[, DEL as ^?), C1 controls and
 * bytes that are no UTF-8 as \xNN. A character cut between two chunks is held for the next one.
 */
struct termsafe {
	unsigned char	hold[4];	/* the start of a UTF-8 sequence the last chunk ended in */
	size_t		nhold;
};

/* The most bytes termsafe_filter writes for n bytes in (each byte at most 4, plus the held). */
#define TERMSAFE_OUT(n)	(((n) + 4) * 4)

/* Filters n bytes of in into out (TERMSAFE_OUT(n) bytes); returns how many it wrote. */
size_t termsafe_filter(struct termsafe *ts, const char *in, size_t n, char *out);
/* The end of the stream: a held, unfinished sequence is written as \xNN; returns the bytes. */
size_t termsafe_flush(struct termsafe *ts, char *out);

#endif
