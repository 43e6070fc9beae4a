/* test_triage_corpus: triage measured against the titles syzbot gives ~500 real console logs. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "triage.h"

/*
 * The corpus is split in two so the measure also says something about logs the rules were not
 * written for. A file whose name (its number) is divisible by 5 is held out: rules are tuned by
 * reading failures of the other files only (the tuned set), and the held-out set is only ever
 * counted, never listed (RIG_TRIAGE_VERBOSE prints tuned-set misses; RIG_TRIAGE_VERBOSE=all
 * prints held-out ones too, for a final look that must then be reported as such).
 *
 * The floors each set has reached; a change that lowers them fails here. Raise them as the
 * rules improve (the goal is 90% exact titles, 99% crash/no-crash agreement).
 */
#define FLOOR_EXACT_PCT		98.1
#define FLOOR_AGREE_PCT		100.0
#define FLOOR_HELD_EXACT_PCT	91.6
#define FLOOR_HELD_AGREE_PCT	99.0

struct first {
	int		n;
	char		title[256];
	int		corrupted;
	const char	*rule;
};

static void
first_cb(const struct triage_report *r, void *arg)
{
	struct first *f = arg;

	if (f->n++ == 0) {
		snprintf(f->title, sizeof(f->title), "%s", r->title);
		f->corrupted = r->corrupted;
		f->rule = r->rule;
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, fp);
		buf[*len] = '\0';
	}
	fclose(fp);
	return buf;
}

/*
 * A class is the rule table entry that titled the log's first report (its title template), or
 * "(no report)": a regression then shows in the class it belongs to.
 */
#define MAXCLASS	160

struct class {
	const char	*rule;
	int		 files, crashes, agree, exact, corrupt_agree;
};

struct tally {
	int		files, crashes, agree, exact, corrupt_agree;
	struct class	cls[MAXCLASS];
	int		ncls;
};

static struct class *
class_of(struct tally *ty, const char *rule)
{
	for (int i = 0; i < ty->ncls; i++)
		if (strcmp(ty->cls[i].rule, rule) == 0)
			return &ty->cls[i];
	if (ty->ncls == MAXCLASS)
		return &ty->cls[MAXCLASS - 1];	/* not reached with today's table; counted, not lost */
	ty->cls[ty->ncls].rule = rule;
	return &ty->cls[ty->ncls++];
}

/* Header lines up to the first blank line; the log follows. */
static void
corpus_file(const char *path, struct tally *ty, int verbose)
{
	size_t len = 0, pos = 0;
	char *buf = slurp(path, &len);
	char want[256] = "";
	int want_corrupt = 0;
	struct first got = { 0, "", 0, NULL };

	if (buf == NULL)
		return;
	while (pos < len) {
		char *nl = memchr(buf + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		if (ll == 0) {
			pos++;
			break;
		}
		if (ll > 7 && strncmp(buf + pos, "TITLE: ", 7) == 0 && ll - 7 < sizeof(want)) {
			memcpy(want, buf + pos + 7, ll - 7);
			want[ll - 7] = '\0';
		}
		if (ll >= 12 && strncmp(buf + pos, "CORRUPTED: Y", 12) == 0)
			want_corrupt = 1;
		pos += ll + 1;
	}
	/* An expected report text may follow the log; it is not console output. */
	char *rep = strstr(buf + pos, "\nREPORT:\n");
	size_t loglen = rep ? (size_t)(rep - (buf + pos)) + 1 : len - pos;
	CHECK(triage_buffer(buf + pos, loglen, first_cb, &got) == 0);
	struct class *cl = class_of(ty, got.n > 0 && got.rule != NULL ? got.rule : "(no report)");
	ty->files++;
	cl->files++;
	ty->crashes += want[0] != '\0';
	cl->crashes += want[0] != '\0';
	if ((want[0] != '\0') == (got.n > 0)) {
		ty->agree++;
		cl->agree++;
	}
	if (want[0] != '\0' && got.n > 0 && strcmp(want, got.title) == 0) {
		ty->exact++;
		cl->exact++;
		ty->corrupt_agree += want_corrupt == got.corrupted;
		cl->corrupt_agree += want_corrupt == got.corrupted;
	} else if (verbose && (want[0] != '\0' || got.n > 0))
		printf("MISS %s\n  want: %s\n  got:  %s\n", path, want[0] ? want : "(none)",
		    got.n ? got.title : "(none)");
	free(buf);
}

/* Held out: the file's number is divisible by 5 (names are decimal numbers). */
static int
held_out(const char *name)
{
	char *end;
	long n = strtol(name, &end, 10);

	return *end == '\0' && n % 5 == 0;
}

static int
class_cmp(const void *a, const void *b)
{
	const struct class *x = a, *y = b;

	if (x->files != y->files)
		return y->files - x->files;
	return strcmp(x->rule, y->rule);
}

/*
 * Per class: logs, expected crashes, exact titles among them, crash/no-crash agreement, and of
 * the exact titles how many carry the expected corrupted flag.
 */
static void
report_classes(const char *set, struct tally *ty)
{
	qsort(ty->cls, (size_t)ty->ncls, sizeof(ty->cls[0]), class_cmp);
	printf("%s by class (logs, crashes, exact titles, crash/no-crash agreement, corrupted flag "
	    "agrees of the exact):\n", set);
	for (int i = 0; i < ty->ncls; i++) {
		const struct class *c = &ty->cls[i];
		printf("  %4d %4d  exact %4d (%5.1f%%)  agree %4d (%5.1f%%)  corrupted %4d  %s\n", c->files,
		    c->crashes, c->exact, 100.0 * c->exact / (c->crashes ? c->crashes : 1), c->agree,
		    100.0 * c->agree / c->files, c->corrupt_agree, c->rule);
	}
}

static void
report(const char *set, const struct tally *ty, double *exact, double *agree)
{
	*exact = 100.0 * ty->exact / (ty->crashes ? ty->crashes : 1);
	*agree = 100.0 * ty->agree / (ty->files ? ty->files : 1);
	printf("%s: %d logs, %d crashes: exact titles %d (%.1f%%), crash/no-crash agreement %d (%.1f%%), "
	    "corrupted flag agrees on %d of the exact\n", set, ty->files, ty->crashes, ty->exact, *exact,
	    ty->agree, *agree, ty->corrupt_agree);
}

static void
corpus_titles_reach_the_floor(void)
{
	const char *dir = getenv("RIG_CORPUS");
	const char *vb = getenv("RIG_TRIAGE_VERBOSE");
	static struct tally ty, held;
	struct dirent *de;
	DIR *d;

	if (dir == NULL)
		dir = "../shared/corpus/syzkaller-linux";
	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "corpus %s: %s\n", dir, strerror(errno));
		CHECK(d != NULL);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (held_out(de->d_name))
			corpus_file(path, &held, vb != NULL && strcmp(vb, "all") == 0);
		else
			corpus_file(path, &ty, vb != NULL);
	}
	closedir(d);
	CHECK(ty.files > 300);
	CHECK(held.files > 80);
	if (ty.files == 0 || held.files == 0)
		return;
	static struct tally all;
	all.files = ty.files + held.files;
	all.crashes = ty.crashes + held.crashes;
	all.agree = ty.agree + held.agree;
	all.exact = ty.exact + held.exact;
	all.corrupt_agree = ty.corrupt_agree + held.corrupt_agree;
	double exact, agree, hexact, hagree, aexact, aagree;
	report("tuned set", &ty, &exact, &agree);
	report("held-out set", &held, &hexact, &hagree);
	report("whole corpus", &all, &aexact, &aagree);
	report_classes("tuned set", &ty);
	report_classes("held-out set", &held);
	CHECK(exact >= FLOOR_EXACT_PCT);
	CHECK(agree >= FLOOR_AGREE_PCT);
	CHECK(hexact >= FLOOR_HELD_EXACT_PCT);
	CHECK(hagree >= FLOOR_HELD_AGREE_PCT);
}

int
main(void)
{
	RUN(corpus_titles_reach_the_floor);
	TEST_END();
}
