/* shquote: values made into words of the board's POSIX shell, the one way every board-side command quotes. */
#ifndef RIG_SHQUOTE_H
#define RIG_SHQUOTE_H

#include <stddef.h>

/*
 * s as one word of sh: in single quotes, each ' written as '\''. Nothing inside is expanded,
 * whatever s holds ($(...), backticks, quotes, newlines, ';', '*'). A value that starts with '-'
 * is still an option to the program that gets it: the board and scenario checks refuse those.
 * Returns 0, or -1 when the quoted form does not fit in size (dst is then "").
 */
int shquote(const char *s, char *dst, size_t size);

#endif
