/* conf: the list of problems found in board and scenario files, each as "path:line: what". */
#include "conf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void
conf_errors_add(struct conf_errors *e, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	char *what, *msg;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (what == NULL)
		what = xstrdup("(no memory for the message)");
	/* Line 0: the problem is the file as a whole (cannot open it, bad encoding). */
	if (line > 0)
		msg = xasprintf("%s:%d: %s", path, line, what);
	else
		msg = xasprintf("%s: %s", path, what);
	free(what);
	e->msg = xrealloc(e->msg, (e->n + 1) * sizeof(*e->msg));
	e->msg[e->n++] = msg;
}

void
conf_errors_print(const struct conf_errors *e, FILE *out)
{
	int i;

	for (i = 0; i < e->n; i++)
		fprintf(out, "%s\n", e->msg[i]);
}

void
conf_errors_free(struct conf_errors *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = 0;
}

void
conf_print_quoted(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}
