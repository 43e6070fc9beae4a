/*
 * labgrid_emit: the imported board as a board file: the notes as comments at the top, the site:
 * block (every value of this rig host, each with an anchor and a comment saying where it came
 * from or how to find it), then the board's keys, referring to the site values by alias.
 */
#include "labgrid_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words YAML 1.1 readers (PyYAML among them) take for something other than a string. */
static int
labgrid_emit_special(const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "y", "n",
	    "null", "~", NULL };
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/* A scalar: plain when it is plainly a string of safe characters, else double-quoted. */
static void
labgrid_emit_scalar(FILE *f, const char *s)
{
	const unsigned char *p;
	int plain = *s != '\0' && *s != '.' && !labgrid_emit_special(s);

	/* No ':' either: PyYAML reads 12:34 as a number (base 60). */
	for (p = (const unsigned char *)s; plain && *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/_.-+=,@", *p) != NULL))
			plain = 0;
	if (*s == '-' && (s[1] == '\0' || (s[1] >= '0' && s[1] <= '9')))
		plain = 0;	/* a list's dash, or a negative number */
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A comment's text on one line. */
static void
labgrid_emit_comment(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void
labgrid_emit_value(FILE *f, struct labgrid *lg, const struct labgrid_field *fl)
{
	int i;

	switch (fl->kind) {
	case LABGRID_FIELD_SCALAR:
		if (fl->site >= 0)
			fprintf(f, "*%s", lg->site[fl->site].key);
		else
			labgrid_emit_scalar(f, fl->value);
		break;
	case LABGRID_FIELD_LIST:
		if (fl->site >= 0) {
			fprintf(f, "*%s", lg->site[fl->site].key);
			break;
		}
		fputc('[', f);
		for (i = 0; i < fl->n; i++) {
			fputs(i ? ", " : "", f);
			labgrid_emit_scalar(f, fl->list[i]);
		}
		fputc(']', f);
		break;
	case LABGRID_FIELD_MAP:
		fputs("{ ", f);
		for (i = 0; i + 1 < fl->n; i += 2) {
			fputs(i ? ", " : "", f);
			labgrid_emit_scalar(f, fl->list[i]);
			fputs(": ", f);
			labgrid_emit_scalar(f, fl->list[i + 1]);
		}
		fputs(" }", f);
		break;
	}
}

char *
labgrid_emit(struct labgrid *lg)
{
	static const char *const sections[] = { "", "console", "power", "boot", "ssh", NULL };
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int i, k;

	if (f == NULL)
		abort();
	fprintf(f, "# Board %s, imported from the labgrid environment ", lg->field[0].value);
	labgrid_emit_comment(f, lg->path);
	fputs(" (target ", f);
	labgrid_emit_comment(f, lg->target);
	fputs(") by rigctl board import-labgrid.\n", f);
	fprintf(f, "# This rig host's values are in site: below (set them there, nothing else); "
	    "\"%s\" marks\n# what labgrid does not know. rigd -n checks the file.\n",
	    LABGRID_PLACEHOLDER);
	if (lg->r->n_notes > 0)
		fputs("#\n", f);
	for (i = 0; i < lg->r->n_notes; i++) {
		fputs("# ", f);
		labgrid_emit_comment(f, lg->r->notes[i]);
		fputc('\n', f);
	}
	fputs("site:\n", f);
	for (i = 0; i < lg->n_site; i++) {
		fprintf(f, "  %s: &%s ", lg->site[i].key, lg->site[i].key);
		if (lg->site[i].list != NULL) {
			for (k = 0; k < lg->site[i].n; k++) {
				fputs(k ? ", " : "[", f);
				labgrid_emit_scalar(f, lg->site[i].list[k]);
			}
			fputc(']', f);
		} else
			labgrid_emit_scalar(f, lg->site[i].value);
		fputs(lg->site[i].how == LABGRID_SITE_FILL ? "   # to fill in: "
		    : lg->site[i].how == LABGRID_SITE_GUESS ? "   # guessed: " : "   # ", f);
		labgrid_emit_comment(f, lg->site[i].comment);
		fputc('\n', f);
	}
	for (k = 0; sections[k] != NULL; k++) {
		int head = 0;

		for (i = 0; i < lg->n_field; i++) {
			const struct labgrid_field *fl = &lg->field[i];

			if (strcmp(fl->sect, sections[k]) != 0)
				continue;
			if (*fl->sect != '\0' && !head) {
				fprintf(f, "%s:\n", fl->sect);
				head = 1;
			}
			fprintf(f, "%s%s: ", *fl->sect ? "  " : "", fl->key);
			labgrid_emit_value(f, lg, fl);
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0)
		abort();
	return buf;
}
