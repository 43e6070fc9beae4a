/* shquote: values made into words of the board's POSIX shell, the one way every board-side command quotes. */
#include "shquote.h"

#include <string.h>

int
shquote(const char *s, char *dst, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return -1;
	/* Single quotes: the one sh quoting in which no character is special but the quote. */
#define SHQUOTE_PUT(c) do { if (n + 1 >= size) goto full; dst[n++] = (c); } while (0)
	SHQUOTE_PUT('\'');
	for (; *s; s++) {
		if (*s == '\'') {
			SHQUOTE_PUT('\'');
			SHQUOTE_PUT('\\');
			SHQUOTE_PUT('\'');
		}
		SHQUOTE_PUT(*s);
	}
	SHQUOTE_PUT('\'');
#undef SHQUOTE_PUT
	dst[n] = '\0';
	return 0;
full:
	dst[0] = '\0';
	return -1;
}
