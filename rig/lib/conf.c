/* conf: the list of problems found in board and scenario files, each as "path:line: what". */
#include "conf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Letters and digits: the start of every form but a node's. */
#define CONF_ALNUM	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

const char *
conf_form_check(enum conf_form f, const char *s)
{
	/* Characters that each form may hold: none is special to sh, none starts an option. */
	static const struct {
		const char	*chars;
		const char	*first;		/* what it may start with */
		const char	*says;
	} forms[] = {
		[CONF_FORM_DEVNODE] = { CONF_ALNUM "/._+:@,-", "/",
		    "is not a device node (/dev/..., letters, digits and / . _ + : @ , -)" },
		[CONF_FORM_SYSFS] = { CONF_ALNUM "._+:@-", CONF_ALNUM,
		    "is not a sysfs name (letters, digits and . _ + : @ -, starting with a letter or digit)" },
		[CONF_FORM_MODULE] = { CONF_ALNUM "_-", CONF_ALNUM,
		    "is not a module name (letters, digits, _ and -, starting with a letter or digit)" },
		[CONF_FORM_PACKAGE] = { "abcdefghijklmnopqrstuvwxyz0123456789+.-:", "abcdefghijklmnopqrstuvwxyz0123456789",
		    "is not a Debian package name (a-z, 0-9, + . - and :ARCH, starting with a-z or 0-9)" },
		[CONF_FORM_RELPATH] = { CONF_ALNUM "/._+,-", CONF_ALNUM "_",
		    "is not a file name inside the build (letters, digits and / . _ + , -, no '..')" },
	};
	const char *p;

	if ((unsigned)f >= sizeof(forms) / sizeof(forms[0]) || s == NULL || s[0] == '\0')
		return "is empty";
	if (f == CONF_FORM_DEVNODE && strncmp(s, "/dev/", 5) != 0)
		return "is not under /dev/";
	if (strspn(s, forms[f].chars) != strlen(s) || strchr(forms[f].first, s[0]) == NULL)
		return forms[f].says;
	/* A path is checked component by component: no '..', no option smuggled in one. */
	if (f == CONF_FORM_DEVNODE || f == CONF_FORM_RELPATH)
		for (p = s; (p = strchr(p, '/')) != NULL; p++)
			if (p[1] == '-' || p[1] == '/' || (p[1] == '.' && p[2] == '.' &&
			    (p[3] == '/' || p[3] == '\0')))
				return f == CONF_FORM_DEVNODE ? "leaves /dev/ or holds an option"
				    " (no '..', '//' or '/-')" : forms[f].says;
	if (f == CONF_FORM_RELPATH && (strncmp(s, "../", 3) == 0 || strcmp(s, "..") == 0))
		return forms[f].says;
	if (f == CONF_FORM_PACKAGE && strchr(s, ':') != strrchr(s, ':'))
		return forms[f].says;
	return NULL;
}
