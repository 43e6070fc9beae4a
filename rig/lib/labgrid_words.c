/*
 * labgrid_words: the two kinds of text a labgrid environment holds that rig must take apart
 * itself: power commands (shell strings, split into argument vectors here because rig never runs
 * a shell) and !template strings (labgrid's $VAR substitution).
 */
#include "labgrid_int.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct labgrid_buf {
	char	*s;
	size_t	 len, cap;
};

static void
labgrid_buf_add(struct labgrid_buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
labgrid_buf_addc(struct labgrid_buf *b, char c)
{
	labgrid_buf_add(b, &c, 1);
}

static int
labgrid_why(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

void
labgrid_words_free(char **argv)
{
	int i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* A word of [A-Za-z_][A-Za-z0-9_]*: what a shell takes as a variable name before '='. */
static int
labgrid_is_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/*
 * POSIX shell word splitting of plain words: blanks separate, '...' is literal, "..." is literal
 * but for \ before $ ` " \ and a line's end, \ outside quotes takes the next character as it is.
 * Anything that would make a shell do more than split (a pipe, a list, a redirection, an
 * expansion, a glob, a comment, a tilde, an assignment) is refused with the reason: labgrid's
 * writer may have meant it, and rig runs the program directly.
 */
int
labgrid_words_split(const char *s, char ***argvp, int *argcp, char *why, size_t size)
{
	struct labgrid_buf w = { 0 };
	char **argv = NULL;
	int argc = 0, in_word = 0, quoted = 0, rc = -1;
	const char *p = s;

	for (;;) {
		char c = *p;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				argv = xrealloc(argv, (argc + 2) * sizeof(*argv));
				argv[argc++] = xstrdup(w.s ? w.s : "");
				argv[argc] = NULL;
				w.len = 0;
				if (w.s)
					w.s[0] = '\0';
				in_word = quoted = 0;
			}
			if (c == '\0')
				break;
			p++;
			continue;
		}
		if (c == '\\') {
			if (p[1] == '\0') {
				labgrid_why(why, size, "it ends in a lone backslash");
				goto out;
			}
			if (p[1] != '\n') {
				labgrid_buf_addc(&w, p[1]);
				in_word = quoted = 1;
			}
			p += 2;
			continue;
		}
		if (c == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (end == NULL) {
				labgrid_why(why, size, "a single quote is not closed");
				goto out;
			}
			labgrid_buf_add(&w, p + 1, (size_t)(end - p - 1));
			if (w.s == NULL)
				labgrid_buf_add(&w, "", 0);
			in_word = quoted = 1;
			p = end + 1;
			continue;
		}
		if (c == '"') {
			p++;
			for (;;) {
				if (*p == '\0') {
					labgrid_why(why, size, "a double quote is not closed");
					goto out;
				}
				if (*p == '"')
					break;
				if (*p == '\\' && p[1] != '\0' && strchr("$`\"\\\n", p[1]) != NULL) {
					if (p[1] != '\n')
						labgrid_buf_addc(&w, p[1]);
					p += 2;
					continue;
				}
				if (*p == '$' || *p == '`') {
					labgrid_why(why, size, "'%c' inside double quotes is an expansion, "
					    "which needs a shell", *p);
					goto out;
				}
				labgrid_buf_addc(&w, *p++);
			}
			if (w.s == NULL)
				labgrid_buf_add(&w, "", 0);
			in_word = quoted = 1;
			p++;
			continue;
		}
		if (strchr("|&;<>()", c) != NULL) {
			labgrid_why(why, size, "'%c' %s, which needs a shell", c,
			    c == '|' ? "is a pipe" : c == '&' ? "runs in the background or is a list"
			    : c == ';' ? "makes a list" : c == '<' || c == '>' ? "is a redirection"
			    : "makes a subshell");
			goto out;
		}
		if (c == '$' || c == '`') {
			labgrid_why(why, size, "'%c' is an expansion, which needs a shell", c);
			goto out;
		}
		if (c == '*' || c == '?' || c == '[') {
			labgrid_why(why, size, "'%c' is a glob, which needs a shell", c);
			goto out;
		}
		if (!in_word && (c == '#' || c == '~')) {
			labgrid_why(why, size, "'%c' at a word's start is %s, which needs a shell", c,
			    c == '#' ? "a comment" : "a home folder");
			goto out;
		}
		if (c == '=' && argc == 0 && !quoted && labgrid_is_name(w.s, w.len)) {
			labgrid_why(why, size, "'%s=' sets a variable, which needs a shell", w.s);
			goto out;
		}
		labgrid_buf_addc(&w, c);
		in_word = 1;
		p++;
	}
	if (argc == 0) {
		labgrid_why(why, size, "it holds no command");
		goto out;
	}
	*argvp = argv;
	*argcp = argc;
	argv = NULL;
	rc = 0;
out:
	labgrid_words_free(argv);
	free(w.s);
	return rc;
}

/* Python's string.Template identifier: [_a-z][_a-z0-9]*, ASCII, either case. */
static size_t
labgrid_ident_len(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') || s[n] == '_' ||
	    (n > 0 && s[n] >= '0' && s[n] <= '9'))
		n++;
	return n;
}

/*
 * labgrid's !template: $$ is $, $NAME and ${NAME} are BASE (the environment file's folder) or an
 * LG_* variable of the environment, anything else after a $ is an error, as labgrid's loader
 * has it.
 */
int
labgrid_template_expand(const char *t, const char *base, char **out, char *why, size_t size)
{
	struct labgrid_buf b = { 0 };
	const char *p = t;

	labgrid_buf_add(&b, "", 0);
	while (*p != '\0') {
		char name[128];
		const char *val;
		size_t n;
		int braced;

		if (*p != '$') {
			labgrid_buf_addc(&b, *p++);
			continue;
		}
		if (p[1] == '$') {
			labgrid_buf_addc(&b, '$');
			p += 2;
			continue;
		}
		braced = p[1] == '{';
		n = labgrid_ident_len(p + 1 + braced);
		if (n == 0 || (braced && p[2 + n] != '}')) {
			free(b.s);
			return labgrid_why(why, size, "'$' at offset %d is not $NAME, ${NAME} or $$",
			    (int)(p - t));
		}
		if (n >= sizeof(name)) {
			free(b.s);
			return labgrid_why(why, size, "a variable name longer than %zu characters",
			    sizeof(name) - 1);
		}
		memcpy(name, p + 1 + braced, n);
		name[n] = '\0';
		if (strcmp(name, "BASE") == 0)
			val = base;
		else if (strncmp(name, "LG_", 3) == 0)
			val = getenv(name);
		else {
			free(b.s);
			return labgrid_why(why, size, "unknown variable '%s' (labgrid fills in only "
			    "BASE and LG_* variables)", name);
		}
		if (val == NULL) {
			free(b.s);
			return labgrid_why(why, size, "unknown variable '%s' (not set in the "
			    "environment)", name);
		}
		labgrid_buf_add(&b, val, strlen(val));
		p += 1 + braced + n + braced;
	}
	*out = b.s;
	return 0;
}
