/* report: what the store says per kernel build: matrix, comparison, JUnit and KCIDB exports. */
#include "report.h"
#include "kbuild.h"
#include "store.h"
#include "util.h"
#include "views.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct report_build {
	int64_t	 id;
	cJSON	*row;		/* views_build of its store row */
	char	 key[128];	/* what it is ordered by */
};

/*
 * The run a cell shows, as the reports read it. Only what every report needs is kept per cell:
 * a report never holds every run (300k runs would be hundreds of MB); what one run says beyond
 * this (detail, stack, console) is read from the store when it is written out.
 */
struct report_pick {
	int64_t		 id;		/* 0: none */
	enum verdict	 verdict;	/* an unknown word in the store counts as an error */
	char		*title;		/* "" when the store has none */
};

/* One build x board x scenario. */
struct report_cell {
	int		 build;		/* index in the sorted builds */
	const char	*board, *scenario;	/* interned in the report_data's names */
	int		 counts[VERDICT__COUNT];
	int		 runs;
	struct report_pick last_kernel;	/* latest run with a kernel verdict */
	struct report_pick last;	/* latest run of any verdict */
};

/* Strings kept once however many runs name them (boards, scenarios): an open hash set. */
struct report_names {
	char	**slot;
	size_t	  nslot, n;
};

struct report_data {
	cJSON			*builds_rows;
	struct report_build	*b;
	int			 nb;
	struct report_cell	*c;
	int			 nc;
	struct report_names	 names;
	int			*cell_slot;	/* while loading: cell index + 1 by hash, 0 free */
	size_t			 ncell_slot;
	int			 cap;		/* of c, while loading */
	int64_t			 last_build_id;	/* while loading: the last lookup, and its index */
	int			 last_build;
};

static const char *
report_str(const cJSON *row, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, k);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static int64_t
report_int(const cJSON *row, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

/* Length of the valid UTF-8 sequence at p, 0 when the byte starts none (console garbage). */
static int
report_utf8_len(const unsigned char *p)
{
	int n, i;

	if (*p < 0x80)
		return 1;
	if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
		n = 2;
	else if ((*p & 0xf0) == 0xe0)
		n = 3;
	else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A copy with bytes that are not UTF-8 made '?': JSON readers refuse them. */
static char *
report_utf8(const char *s)
{
	char *out = xstrdup(s);
	unsigned char *p = (unsigned char *)out;
	int n;

	while (*p) {
		if ((n = report_utf8_len(p)) == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return out;
}

static void
report_json_str(cJSON *o, const char *key, const char *value)
{
	char *v = report_utf8(value);

	cJSON_AddStringToObject(o, key, v);
	free(v);
}


/*
 * The version a build is ordered by: the Debian package version when registered, else the
 * "Debian 6.1.192-2" a Debian kernel reports in /proc/version, else the release.
 */
static void
report_sort_key(const cJSON *row, char *out, size_t len)
{
	const char *texts[3] = { report_str(row, "version"), report_str(row, "reported_version"),
	    report_str(row, "image_version") };
	const char *p;
	size_t i, n;

	if (report_str(row, "package_version")[0]) {
		util_strlcpy(out, report_str(row, "package_version"), len);
		return;
	}
	for (i = 0; i < UTIL_NELEM(texts); i++)
		if ((p = strstr(texts[i], " Debian ")) != NULL && isdigit((unsigned char)p[8])) {
			p += 8;
			n = strcspn(p, " )");
			util_fmt(out, len, "%.*s", (int)n, p);
			return;
		}
	p = texts[0];
	if (isdigit((unsigned char)p[0]) && strchr(p, ' ') == NULL) {
		util_strlcpy(out, p, len);
		return;
	}
	util_strlcpy(out, report_str(row, "release"), len);
}

static int
report_build_cmp(const void *x, const void *y)
{
	const struct report_build *a = x, *b = y;
	int r = kbuild_version_cmp(a->key, b->key);

	if (r)
		return r;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
report_cell_cmp(const void *x, const void *y)
{
	const struct report_cell *a = x, *b = y;
	int r;

	if (a->build != b->build)
		return a->build - b->build;
	if ((r = strcmp(a->scenario, b->scenario)) != 0)
		return r;
	return strcmp(a->board, b->board);
}

static void
report_data_free(struct report_data *d)
{
	size_t i;
	int j;

	cJSON_Delete(d->builds_rows);
	for (j = 0; j < d->nc; j++) {
		free(d->c[j].last.title);
		free(d->c[j].last_kernel.title);
	}
	for (i = 0; i < d->names.nslot; i++)
		free(d->names.slot[i]);
	free(d->names.slot);
	free(d->cell_slot);
	free(d->b);
	free(d->c);
	memset(d, 0, sizeof(*d));
}

static int
report_build_index(const struct report_data *d, int64_t id)
{
	int i;

	for (i = 0; i < d->nb; i++)
		if (d->b[i].id == id)
			return i;
	return -1;
}

static int
report_build_add(const struct store_build_row *b, void *arg)
{
	cJSON_AddItemToArray(arg, views_build(b));
	return 0;
}

static int64_t
report_num(int64_t v)
{
	return v == STORE_NULL ? -1 : v;
}

static uint64_t
report_hash(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The one copy of t in the set (t NULL is ""). */
static const char *
report_intern(struct report_names *n, const char *t)
{
	size_t i, k;

	if (t == NULL)
		t = "";
	if (2 * (n->n + 1) > n->nslot) {
		struct report_names m = { xcalloc(n->nslot ? n->nslot * 2 : 64, sizeof(char *)),
		    n->nslot ? n->nslot * 2 : 64, n->n };

		for (i = 0; i < n->nslot; i++) {
			if (n->slot[i] == NULL)
				continue;
			for (k = report_hash(n->slot[i], 14695981039346656037ULL) & (m.nslot - 1);
			    m.slot[k]; k = (k + 1) & (m.nslot - 1))
				;
			m.slot[k] = n->slot[i];
		}
		free(n->slot);
		*n = m;
	}
	for (k = report_hash(t, 14695981039346656037ULL) & (n->nslot - 1); n->slot[k];
	    k = (k + 1) & (n->nslot - 1))
		if (strcmp(n->slot[k], t) == 0)
			return n->slot[k];
	n->n++;
	return n->slot[k] = xstrdup(t);
}

/* Slot of build x board x scenario in the cell hash (interned names compare as pointers). */
static size_t
report_cell_slot(const struct report_data *d, int build, const char *board, const char *scenario)
{
	uint64_t h = ((uint64_t)(uintptr_t)board * 31 + (uint64_t)(uintptr_t)scenario) * 31 +
	    (uint64_t)build;
	size_t k = (size_t)(h * 11400714819323198485ULL >> 20) & (d->ncell_slot - 1);

	for (; d->cell_slot[k]; k = (k + 1) & (d->ncell_slot - 1)) {
		const struct report_cell *c = &d->c[d->cell_slot[k] - 1];

		if (c->build == build && c->board == board && c->scenario == scenario)
			break;
	}
	return k;
}

static struct report_cell *
report_cell_get(struct report_data *d, int build, const char *board, const char *scenario)
{
	struct report_cell *c;
	size_t k, i;

	if (2 * ((size_t)d->nc + 1) > d->ncell_slot) {
		free(d->cell_slot);
		d->ncell_slot = d->ncell_slot ? d->ncell_slot * 2 : 256;
		d->cell_slot = xcalloc(d->ncell_slot, sizeof(*d->cell_slot));
		for (i = 0; i < (size_t)d->nc; i++)
			d->cell_slot[report_cell_slot(d, d->c[i].build, d->c[i].board,
			    d->c[i].scenario)] = (int)i + 1;
	}
	k = report_cell_slot(d, build, board, scenario);
	if (d->cell_slot[k])
		return &d->c[d->cell_slot[k] - 1];
	if (d->nc == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->c = xrealloc(d->c, (size_t)d->cap * sizeof(*d->c));
	}
	c = &d->c[d->nc++];
	memset(c, 0, sizeof(*c));
	c->build = build;
	c->board = board;
	c->scenario = scenario;
	d->cell_slot[k] = d->nc;
	return c;
}

static void
report_pick_set(struct report_pick *p, int64_t id, enum verdict v, const char *title)
{
	p->id = id;
	p->verdict = v;
	free(p->title);
	p->title = xstrdup(title ? title : "");
}

/*
 * A group of finished runs (one verdict of one cell) into its cell. The cell shows its latest
 * run, and its latest with a kernel verdict: the groups' latest ids decide.
 */
static int
report_cell_add(const struct store_cell_row *row, void *arg)
{
	struct report_data *d = arg;
	struct report_cell *c;
	enum verdict v = row->verdict == VERDICT_NONE ? VERDICT_ERROR : row->verdict;
	int64_t bid = report_num(row->build_id);

	if (bid != d->last_build_id) {
		d->last_build_id = bid;
		d->last_build = report_build_index(d, bid);
	}
	if (d->last_build < 0)
		return 0;
	c = report_cell_get(d, d->last_build, report_intern(&d->names, row->board),
	    report_intern(&d->names, row->scenario));
	c->counts[v] += (int)row->runs;
	c->runs += (int)row->runs;
	if (row->last_id > c->last.id)
		report_pick_set(&c->last, row->last_id, v, row->last_title);
	if (v != VERDICT_ERROR && row->last_id > c->last_kernel.id)
		report_pick_set(&c->last_kernel, row->last_id, v, row->last_title);
	return 0;
}

/* What went wrong, for a caller that asked (kind may be NULL). */
static void
report_kind(enum error_kind *kind, enum error_kind k)
{
	if (kind)
		*kind = k;
}

/* The builds, sorted by version; no cells yet. */
static int
report_load_builds(struct store *s, struct report_data *d, char *err, size_t errlen,
    enum error_kind *kind)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->builds_rows = cJSON_CreateArray();
	d->last_build_id = INT64_MIN;
	if (store_builds(s, 0, report_build_add, d->builds_rows) == -1) {
		util_fmt(err, errlen, "store: cannot read builds and runs");
		report_kind(kind, ERROR_STORE);
		report_data_free(d);
		return -1;
	}
	d->nb = cJSON_GetArraySize(d->builds_rows);
	d->b = xcalloc((size_t)d->nb + 1, sizeof(*d->b));
	for (i = 0; i < d->nb; i++) {
		d->b[i].row = cJSON_GetArrayItem(d->builds_rows, i);
		d->b[i].id = report_int(d->b[i].row, "id");
		report_sort_key(d->b[i].row, d->b[i].key, sizeof(d->b[i].key));
	}
	qsort(d->b, (size_t)d->nb, sizeof(*d->b), report_build_cmp);
	return 0;
}

/* The cells of one build (build_id 0: of every build) on board (NULL: every board), added. */
static int
report_load_cells(struct store *s, int64_t build_id, const char *board, struct report_data *d,
    char *err, size_t errlen, enum error_kind *kind)
{
	if (store_run_cells(s, build_id, board, report_cell_add, d) == -1) {
		util_fmt(err, errlen, "store: cannot read builds and runs");
		report_kind(kind, ERROR_STORE);
		report_data_free(d);
		return -1;
	}
	return 0;
}

/* Loading is over: lookups from here on are by bisection of the sorted cells. */
static void
report_load_done(struct report_data *d)
{
	free(d->cell_slot);
	d->cell_slot = NULL;
	d->ncell_slot = 0;
	/* No run yet, no cells: d->c is still NULL, which qsort may not be given. */
	if (d->nc > 0)
		qsort(d->c, (size_t)d->nc, sizeof(*d->c), report_cell_cmp);
}

/*
 * Counts the finished runs into cells: of board (NULL: all) and of the nonly builds in only
 * (0: every build; a comparison or one build's export reads its builds' index entries alone,
 * not the whole history). scenario narrows nothing here: the cells of a board are few, and a
 * caller looks its scenario's up. Frees d on error.
 */
static int
report_load_runs(struct store *s, const char *board, const char *scenario, const int64_t *only,
    int nonly, struct report_data *d, char *err, size_t errlen, enum error_kind *kind)
{
	int i;

	(void)scenario;
	if (nonly == 0 && report_load_cells(s, 0, board, d, err, errlen, kind) == -1)
		return -1;
	for (i = 0; i < nonly; i++)
		if (report_load_cells(s, only[i], board, d, err, errlen, kind) == -1)
			return -1;
	report_load_done(d);
	return 0;
}

/* Builds (sorted) and every finished run of board (NULL: all boards) counted into cells. */
static int
report_load(struct store *s, const char *board, struct report_data *d, char *err,
    size_t errlen, enum error_kind *kind)
{
	if (report_load_builds(s, d, err, errlen, kind) == -1)
		return -1;
	return report_load_runs(s, board, NULL, NULL, 0, d, err, errlen, kind);
}

static int
report_kernel_runs(const struct report_cell *c)
{
	return c->runs - c->counts[VERDICT_ERROR];
}

/* Outcomes that disagree: more than one kernel verdict among the cell's runs. */
static int
report_flaky(const struct report_cell *c)
{
	int i, n = 0;

	for (i = 0; i < VERDICT__COUNT; i++)
		n += verdict_is_kernel((enum verdict)i) && c->counts[i] > 0;
	return n > 1;
}

static const struct report_pick *
report_cell_run(const struct report_cell *c)
{
	return c->last_kernel.id > 0 ? &c->last_kernel : &c->last;
}

static cJSON *
report_cell_json(const struct report_cell *c)
{
	const struct report_pick *run = report_cell_run(c);
	cJSON *o = cJSON_CreateObject(), *counts = cJSON_CreateObject();
	int i;

	cJSON_AddStringToObject(o, "verdict", verdict_name(run->verdict));
	report_json_str(o, "title", run->title);
	cJSON_AddNumberToObject(o, "run_id", (double)run->id);
	cJSON_AddNumberToObject(o, "runs", c->runs);
	cJSON_AddNumberToObject(o, "kernel_runs", report_kernel_runs(c));
	cJSON_AddBoolToObject(o, "flaky", report_flaky(c));
	for (i = VERDICT_PASS; i <= VERDICT_ERROR; i++)
		cJSON_AddNumberToObject(counts, verdict_name((enum verdict)i), c->counts[i]);
	cJSON_AddItemToObject(o, "counts", counts);
	return o;
}

static cJSON *
report_build_json(const struct report_build *b)
{
	cJSON *o = cJSON_Duplicate(b->row, 1);

	cJSON_AddStringToObject(o, "sort_version", b->key);
	return o;
}

cJSON *
report_builds(struct store *s, char *err, size_t errlen)
{
	struct report_data d;
	cJSON *arr;
	int i, j, n;

	if (report_load(s, NULL, &d, err, errlen, NULL) == -1)
		return NULL;
	arr = cJSON_CreateArray();
	for (i = 0; i < d.nb; i++) {
		cJSON *o = report_build_json(&d.b[i]);

		for (n = 0, j = 0; j < d.nc; j++)
			if (d.c[j].build == i)
				n += d.c[j].runs;
		cJSON_AddNumberToObject(o, "runs", n);
		cJSON_AddItemToArray(arr, o);
	}
	report_data_free(&d);
	return arr;
}

/* Columns are scenario x board pairs, in name order (the sorted cells' order in a build). */
static int
report_pair_cmp(const struct report_cell *a, const struct report_cell *b)
{
	int r = strcmp(a->scenario, b->scenario);

	return r ? r : strcmp(a->board, b->board);
}

static int
report_col_cmp(const void *x, const void *y)
{
	const struct report_cell *const *a = x, *const *b = y;

	return report_pair_cmp(*a, *b);
}

struct report_arch {
	const char	*board;
	char		 arch[32];
};

static int
report_board_arch(const struct store_board_row *b, void *arg)
{
	struct report_arch *a = arg;

	if (strcmp(b->name, a->board) != 0)
		return 0;
	util_strlcpy(a->arch, b->arch ? b->arch : "", sizeof(a->arch));
	return 1;
}

/* The first of build's cells in the sorted cells (d->nc when it has none). */
static int
report_cells_of(const struct report_data *d, int build)
{
	int lo = 0, hi = d->nc;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (d->c[mid].build < build)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A matrix row: build's cells under columns (null where it has none). */
static cJSON *
report_matrix_row(const struct report_data *d, int build, const struct report_cell **cols,
    int ncol)
{
	const struct report_build *b = &d->b[build];
	cJSON *row = cJSON_CreateObject(), *cells;
	int j, k;

	cJSON_AddStringToObject(row, "build", report_str(b->row, "name"));
	cJSON_AddNumberToObject(row, "build_id", (double)b->id);
	cJSON_AddStringToObject(row, "release", report_str(b->row, "release"));
	cJSON_AddStringToObject(row, "version", b->key);
	cJSON_AddStringToObject(row, "arch", report_str(b->row, "arch"));
	cells = cJSON_AddArrayToObject(row, "cells");
	/* Both are in scenario x board order: one walk pairs them. */
	j = report_cells_of(d, build);
	for (k = 0; k < ncol; k++) {
		const struct report_cell *c = NULL;

		while (j < d->nc && d->c[j].build == build && report_pair_cmp(&d->c[j], cols[k]) < 0)
			j++;
		if (j < d->nc && d->c[j].build == build && report_pair_cmp(&d->c[j], cols[k]) == 0)
			c = &d->c[j];
		cJSON_AddItemToArray(cells, c ? report_cell_json(c) : cJSON_CreateNull());
	}
	return row;
}

/*
 * The matrix of rows (build indices, oldest first) with the columns their cells have, and the
 * row of build below (-1: none) under the same columns, for whoever compares neighbours.
 */
static cJSON *
report_matrix_json(const struct report_data *d, const char *board, const int *rows, int nrows,
    int below)
{
	const struct report_cell **cols = xcalloc((size_t)d->nc + 1, sizeof(*cols));
	cJSON *m, *columns, *out;
	int i, j, r, ncol = 0, nboards = 0;

	/* Columns: the scenario x board pairs that have a run in the rows, in name order. */
	for (r = 0; r < nrows; r++)
		for (i = report_cells_of(d, rows[r]); i < d->nc && d->c[i].build == rows[r]; i++) {
			for (j = 0; j < ncol; j++)
				if (strcmp(cols[j]->scenario, d->c[i].scenario) == 0 &&
				    strcmp(cols[j]->board, d->c[i].board) == 0)
					break;
			if (j == ncol)
				cols[ncol++] = &d->c[i];
		}
	qsort(cols, (size_t)ncol, sizeof(*cols), report_col_cmp);
	for (i = 0; i < ncol; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(cols[j]->board, cols[i]->board) == 0)
				break;
		nboards += j == i;
	}
	m = cJSON_CreateObject();
	if (board)
		cJSON_AddStringToObject(m, "board", board);
	else
		cJSON_AddNullToObject(m, "board");
	columns = cJSON_AddArrayToObject(m, "columns");
	for (i = 0; i < ncol; i++) {
		cJSON *c = cJSON_CreateObject();
		char key[512];

		cJSON_AddStringToObject(c, "scenario", cols[i]->scenario);
		cJSON_AddStringToObject(c, "board", cols[i]->board);
		/* One board: the scenario says it all; several: say where. */
		if (nboards > 1)
			util_fmt(key, sizeof(key), "%s@%s", cols[i]->scenario, cols[i]->board);
		else
			util_strlcpy(key, cols[i]->scenario, sizeof(key));
		cJSON_AddStringToObject(c, "key", key);
		cJSON_AddItemToArray(columns, c);
	}
	out = cJSON_AddArrayToObject(m, "rows");
	for (r = 0; r < nrows; r++)
		cJSON_AddItemToArray(out, report_matrix_row(d, rows[r], cols, ncol));
	if (below >= 0)
		cJSON_AddItemToObject(m, "below", report_matrix_row(d, below, cols, ncol));
	free(cols);
	return m;
}

/* The board's architecture as the store has it ("" when unknown or unreadable). */
static void
report_arch_of(struct store *s, const char *board, char *arch, size_t len)
{
	struct report_arch ba = { board, "" };

	/* Unreadable boards (logged by the store): the matrix shows the builds that ran there. */
	if (store_boards(s, report_board_arch, &ba) > 0)
		util_strlcpy(arch, ba.arch, len);
	else
		arch[0] = '\0';
}

/* A board's matrix has the builds it ran, and registered ones it could run (same arch). */
static int
report_is_row(const struct report_data *d, int i, const char *board, const char *arch,
    const char *ran)
{
	return board == NULL || ran[i] ||
	    (arch[0] && strcmp(report_str(d->b[i].row, "arch"), arch) == 0);
}

cJSON *
report_matrix(struct store *s, const char *board, char *err, size_t errlen)
{
	struct report_data d;
	char arch[32] = "", *ran;
	int *rows, i, n = 0;
	cJSON *m;

	if (report_load(s, board, &d, err, errlen, NULL) == -1)
		return NULL;
	if (board)
		report_arch_of(s, board, arch, sizeof(arch));
	ran = xcalloc((size_t)d.nb + 1, 1);
	for (i = 0; i < d.nc; i++)
		ran[d.c[i].build] = 1;
	rows = xcalloc((size_t)d.nb + 1, sizeof(*rows));
	for (i = 0; i < d.nb; i++)
		if (report_is_row(&d, i, board, arch, ran))
			rows[n++] = i;
	m = report_matrix_json(&d, board, rows, n, -1);
	free(rows);
	free(ran);
	report_data_free(&d);
	return m;
}

struct report_ran {
	const struct report_data *d;
	char	*ran;
};

static int
report_ran_add(int64_t id, void *arg)
{
	struct report_ran *r = arg;
	int i = report_build_index(r->d, id);

	if (i >= 0)
		r->ran[i] = 1;
	return 0;
}

cJSON *
report_matrix_page(struct store *s, const char *board, int builds, int page, char *err,
    size_t errlen)
{
	struct report_data d;
	struct report_ran rr;
	char arch[32] = "";
	int *rows, i, n = 0, lo, hi;
	cJSON *m = NULL;

	if (report_load_builds(s, &d, err, errlen, NULL) == -1)
		return NULL;
	rr.d = &d;
	rr.ran = xcalloc((size_t)d.nb + 1, 1);
	rows = xcalloc((size_t)d.nb + 1, sizeof(*rows));
	if (board) {
		report_arch_of(s, board, arch, sizeof(arch));
		if (store_run_builds(s, board, report_ran_add, &rr) == -1) {
			util_fmt(err, errlen, "store: cannot read builds and runs");
			report_data_free(&d);
			goto out;
		}
	}
	for (i = 0; i < d.nb; i++)
		if (report_is_row(&d, i, board, arch, rr.ran))
			rows[n++] = i;
	/* Rows are oldest first: page 0 is the newest `builds`, and the one below them. */
	hi = n - (int)((int64_t)page * builds > n ? n : (int64_t)page * builds);
	lo = hi - builds < 0 ? 0 : hi - builds;
	/* Only these builds' runs are read: the work is the page's, whatever the history. */
	for (i = lo > 0 ? lo - 1 : lo; i < hi; i++)
		if (report_load_cells(s, d.b[rows[i]].id, board, &d, err, errlen, NULL) == -1)
			goto out;
	report_load_done(&d);
	m = report_matrix_json(&d, board, rows + lo, hi - lo, lo > 0 && hi > lo ? rows[lo - 1] :
	    -1);
	cJSON_AddNumberToObject(m, "total_builds", n);
	report_data_free(&d);
out:
	free(rows);
	free(rr.ran);
	return m;
}

static int
report_is_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int64_t
report_find_in(const struct report_data *d, const char *spec, char *err, size_t errlen,
    enum error_kind *kind)
{
	int64_t found = -1, want = -1;
	char *end;
	int i, n = 0, pass;

	if (spec == NULL || spec[0] == '\0') {
		util_fmt(err, errlen, "no build named");
		report_kind(kind, ERROR_NO_SUCH_BUILD);
		return -1;
	}
	if (isdigit((unsigned char)spec[0])) {
		want = strtoll(spec, &end, 10);
		if (*end != '\0')
			want = -1;
	}
	/* Most exact first: an id, then a name, a release, an image digest prefix. */
	for (pass = 0; pass < 4 && n == 0; pass++)
		for (i = 0; i < d->nb; i++) {
			const cJSON *r = d->b[i].row;
			int hit = 0;

			if (pass == 0)
				hit = want >= 0 && d->b[i].id == want;
			else if (pass == 1)
				hit = strcmp(report_str(r, "name"), spec) == 0;
			else if (pass == 2)
				hit = strcmp(report_str(r, "release"), spec) == 0;
			else
				hit = strlen(spec) >= 8 && report_is_hex(spec) &&
				    strncmp(report_str(r, "image_sha256"), spec, strlen(spec)) == 0;
			if (hit) {
				n++;
				found = d->b[i].id;
			}
		}
	if (n == 0) {
		util_fmt(err, errlen, "%s: no such build (rigctl show builds lists them)", spec);
		report_kind(kind, ERROR_NO_SUCH_BUILD);
		return -1;
	}
	if (n > 1) {
		util_fmt(err, errlen, "%s: %d builds match; name one by id", spec, n);
		report_kind(kind, ERROR_AMBIGUOUS_BUILD);
		return -1;
	}
	return found;
}

int64_t
report_build_find(struct store *s, const char *spec, char *err, size_t errlen,
    enum error_kind *kind)
{
	struct report_data d;
	int64_t id;

	/* The builds alone: a run naming its build does not read the whole history. */
	if (report_load_builds(s, &d, err, errlen, kind) == -1)
		return -1;
	id = report_find_in(&d, spec, err, errlen, kind);
	report_data_free(&d);
	return id;
}

static const char *const report_categories[] = {
	"regression", "fixed", "changed", "still-failing", "new", "flaky", "not-run",
	"still-passing",
};

static const struct report_cell *
report_cell_of(const struct report_data *d, int build, const char *board, const char *scenario)
{
	struct report_cell key = { .build = build, .board = board, .scenario = scenario };

	if (d->nc == 0)
		return NULL;
	return bsearch(&key, d->c, (size_t)d->nc, sizeof(*d->c), report_cell_cmp);
}

/* The category of one scenario x board between two cells (NULL: never ran there). */
static int
report_category(const struct report_cell *a, const struct report_cell *b)
{
	int ka = a && report_kernel_runs(a) > 0, kb = b && report_kernel_runs(b) > 0;
	int fa, fb;

	if (!ka && !kb)
		return -1;
	if ((ka && report_flaky(a)) || (kb && report_flaky(b)))
		return 5;
	if (!ka)
		return 4;
	if (!kb)
		return 6;
	fa = verdict_is_failure(a->last_kernel.verdict);
	fb = verdict_is_failure(b->last_kernel.verdict);
	if (!fa && fb)
		return 0;
	if (fa && !fb)
		return 1;
	/* Failing in both, but another way (a hang now a crash, a crash elsewhere): changed. */
	if (fa && (a->last_kernel.verdict != b->last_kernel.verdict ||
	    strcmp(a->last_kernel.title, b->last_kernel.title) != 0))
		return 2;
	return fa ? 3 : 7;
}

cJSON *
report_compare(struct store *s, const char *aspec, const char *bspec, char *err, size_t errlen,
    enum error_kind *kind)
{
	struct report_data d;
	int64_t ida, idb, ids[2];
	int ia, ib, i, j, cat;
	cJSON *o, *results, *summary;

	if (report_load_builds(s, &d, err, errlen, kind) == -1)
		return NULL;
	if ((ida = report_find_in(&d, aspec, err, errlen, kind)) == -1 ||
	    (idb = report_find_in(&d, bspec, err, errlen, kind)) == -1) {
		report_data_free(&d);
		return NULL;
	}
	ids[0] = ida;
	ids[1] = idb;
	if (report_load_runs(s, NULL, NULL, ids, 2, &d, err, errlen, kind) == -1)
		return NULL;
	ia = report_build_index(&d, ida);
	ib = report_build_index(&d, idb);
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "a", report_build_json(&d.b[ia]));
	cJSON_AddItemToObject(o, "b", report_build_json(&d.b[ib]));
	results = cJSON_AddArrayToObject(o, "results");
	summary = cJSON_CreateObject();
	for (i = 0; i < (int)UTIL_NELEM(report_categories); i++)
		cJSON_AddNumberToObject(summary, report_categories[i], 0);
	/* Grouped by category (regressions first), then scenario and board. */
	for (cat = 0; cat < (int)UTIL_NELEM(report_categories); cat++)
		for (i = 0; i < d.nc; i++) {
			const struct report_cell *ca, *cb, *c = &d.c[i];
			cJSON *r;

			if (c->build != ia && c->build != ib)
				continue;
			/* Each pair once: from a's cell, or from b's when a has none. */
			ca = report_cell_of(&d, ia, c->board, c->scenario);
			cb = report_cell_of(&d, ib, c->board, c->scenario);
			if (c != (ca ? ca : cb))
				continue;
			if (report_category(ca, cb) != cat)
				continue;
			r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "scenario", c->scenario);
			cJSON_AddStringToObject(r, "board", c->board);
			cJSON_AddStringToObject(r, "category", report_categories[cat]);
			cJSON_AddItemToObject(r, "a", ca ? report_cell_json(ca) : cJSON_CreateNull());
			cJSON_AddItemToObject(r, "b", cb ? report_cell_json(cb) : cJSON_CreateNull());
			cJSON_AddItemToArray(results, r);
			j = (int)cJSON_GetObjectItem(summary, report_categories[cat])->valuedouble;
			cJSON_SetNumberValue(cJSON_GetObjectItem(summary, report_categories[cat]),
			    j + 1);
		}
	cJSON_AddItemToObject(o, "summary", summary);
	report_data_free(&d);
	return o;
}

/*
 * XML text: the five entities escaped; bytes XML 1.0 cannot carry (controls, broken UTF-8 from
 * a console) become '?', so a kernel's garbage never makes the report unreadable.
 */
static void
report_xml(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	while (*p) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
			    (n = report_utf8_len(p)) == 0) {
				fputc('?', f);
			} else {
				fwrite(p, 1, (size_t)n, f);
				p += n;
				continue;
			}
		}
		p++;
	}
}

static void
report_xml_attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	report_xml(f, value);
	fputc('"', f);
}

static int
report_selected(const struct report_data *d, const char *build, int *only, char *err,
    size_t errlen, enum error_kind *kind)
{
	int64_t id;

	*only = -1;
	if (build == NULL)
		return 0;
	if ((id = report_find_in(d, build, err, errlen, kind)) == -1)
		return -1;
	*only = report_build_index(d, id);
	return 0;
}

/* Builds, and the runs of build (NULL: of every build) in cells; *only as report_selected. */
static int
report_load_selected(struct store *s, const char *build, struct report_data *d, int *only,
    char *err, size_t errlen, enum error_kind *kind)
{
	if (report_load_builds(s, d, err, errlen, kind) == -1)
		return -1;
	if (report_selected(d, build, only, err, errlen, kind) == -1) {
		report_data_free(d);
		return -1;
	}
	return report_load_runs(s, NULL, NULL, *only >= 0 ? &d->b[*only].id : NULL,
	    *only >= 0, d, err, errlen, kind);
}

struct report_junit_ctx {
	FILE				*f;
	const struct report_cell	*c;
};

static const char *
report_text(const char *t)
{
	return t ? t : "";
}

/* One testcase: the cell's run as the store has it (row), its counts from the cell. */
static int
report_junit_case_row(const struct store_run_row *row, void *arg)
{
	struct report_junit_ctx *x = arg;
	const struct report_cell *c = x->c;
	FILE *f = x->f;
	enum verdict v = report_cell_run(c)->verdict;
	const char *verdict = verdict_name(v), *title = report_text(row->title);
	const char *detail = report_text(row->detail), *stack = report_text(row->stack);
	const char *console_log = report_text(row->console_log);
	int64_t duration_ms = report_num(row->duration_ms);
	char classname[300], tm[32];
	int i;

	util_fmt(classname, sizeof(classname), "rig.%s", c->board);
	snprintf(tm, sizeof(tm), "%.3f", duration_ms > 0 ? (double)duration_ms / 1000.0 : 0.0);
	fputs("    <testcase", f);
	report_xml_attr(f, "name", c->scenario);
	report_xml_attr(f, "classname", classname);
	report_xml_attr(f, "time", tm);
	fputs(">\n", f);
	if (v != VERDICT_PASS) {
		fputs(v == VERDICT_ERROR ? "      <error" : "      <failure", f);
		report_xml_attr(f, "type", verdict);
		report_xml_attr(f, "message", title[0] ? title : verdict);
		fputc('>', f);
		report_xml(f, detail);
		if (stack[0]) {
			fputs("\n", f);
			report_xml(f, stack);
		}
		fputs(v == VERDICT_ERROR ? "</error>\n" : "</failure>\n", f);
	}
	fputs("      <system-out>", f);
	fprintf(f, "run %lld on %s", (long long)row->id, c->board);
	if (console_log[0]) {
		fputs("\nconsole log: ", f);
		report_xml(f, console_log);
		fprintf(f, " bytes %lld-%lld", (long long)report_num(row->console_start),
		    (long long)report_num(row->console_end));
	}
	fprintf(f, "\nruns: %d (", c->runs);
	for (i = VERDICT_PASS; i <= VERDICT_ERROR; i++)
		fprintf(f, "%s%s %d", i != VERDICT_PASS ? ", " : "", verdict_name((enum verdict)i),
		    c->counts[i]);
	fprintf(f, ")%s</system-out>\n", report_flaky(c) ? "\nflaky: outcomes disagree" : "");
	fputs("    </testcase>\n", f);
	return 1;
}

/* At most this many testcases' runs are read with one statement (the engines' limits). */
#define REPORT_JUNIT_BATCH	500

/* A cell's run as the store has it, kept from its listing until its testcase is written. */
struct report_junit_run {
	struct store_run_row	 row;	/* its strings are its own copies */
	int			 found;
};

struct report_junit_batch {
	const struct report_data	*d;
	const int			*cells;	/* indexes in d->c, n of them, ids ascending */
	struct report_junit_run		*runs;	/* one per cell */
	int				 n;
};

static char *
report_dup(const char *t)
{
	return t ? xstrdup(t) : NULL;
}

static int
report_junit_batch_row(const struct store_run_row *row, void *arg)
{
	struct report_junit_batch *b = arg;
	int lo = 0, hi = b->n - 1;

	/* The batch's cells are by run id: the row's cell by bisection. */
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int64_t id = report_cell_run(&b->d->c[b->cells[mid]])->id;

		if (id == row->id) {
			struct report_junit_run *r = &b->runs[mid];

			r->row = *row;
			r->row.title = report_dup(row->title);
			r->row.detail = report_dup(row->detail);
			r->row.stack = report_dup(row->stack);
			r->row.console_log = report_dup(row->console_log);
			r->found = 1;
			break;
		}
		if (id < row->id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

static int
report_junit_id_cmp(const void *x, const void *y, void *arg)
{
	const struct report_data *d = arg;
	int64_t a = report_cell_run(&d->c[*(const int *)x])->id;
	int64_t b = report_cell_run(&d->c[*(const int *)y])->id;

	return a < b ? -1 : a > b;
}

/*
 * The testcases of cells (n of them, indexes in d->c, in the report's order): their runs read
 * with one statement (not one per testcase: a lab's 3000 cells were 3000 round trips to
 * PostgreSQL), then written in order. The run id that fails to read, or 0.
 */
static int64_t
report_junit_cases(struct store *s, FILE *f, const struct report_data *d, const int *cells,
    int n)
{
	struct report_junit_batch b = { d, NULL, NULL, n };
	struct store_runs_filter rf = { .nids = n };
	int64_t *ids = xcalloc((size_t)n + 1, sizeof(*ids)), bad = 0;
	int *byid = xcalloc((size_t)n + 1, sizeof(*byid));
	int i, *slot = xcalloc((size_t)n + 1, sizeof(*slot));

	memcpy(byid, cells, (size_t)n * sizeof(*byid));
	qsort_r(byid, (size_t)n, sizeof(*byid), report_junit_id_cmp, (void *)d);
	for (i = 0; i < n; i++)
		ids[i] = report_cell_run(&d->c[byid[i]])->id;
	b.cells = byid;
	b.runs = xcalloc((size_t)n + 1, sizeof(*b.runs));
	rf.ids = ids;
	if (store_runs_list(s, &rf, report_junit_batch_row, &b) == -1)
		bad = ids[0];
	/* Where each cell's run is among those read. */
	for (i = 0; i < n; i++) {
		int lo = 0, hi = n - 1;
		int64_t id = report_cell_run(&d->c[cells[i]])->id;

		while (lo < hi) {
			int mid = (lo + hi) / 2;

			if (ids[mid] < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		slot[i] = lo;
	}
	for (i = 0; i < n && bad == 0; i++) {
		struct report_junit_ctx x = { f, &d->c[cells[i]] };

		if (!b.runs[slot[i]].found)
			bad = report_cell_run(&d->c[cells[i]])->id;
		else
			report_junit_case_row(&b.runs[slot[i]].row, &x);
	}
	for (i = 0; i < n; i++) {
		free((char *)b.runs[i].row.title);
		free((char *)b.runs[i].row.detail);
		free((char *)b.runs[i].row.stack);
		free((char *)b.runs[i].row.console_log);
	}
	free(b.runs);
	free(slot);
	free(byid);
	free(ids);
	return bad;
}

int
report_junit(struct store *s, const char *build, FILE *f, char *err, size_t errlen,
    enum error_kind *kind)
{
	static const char *const props[] = { "release", "version", "arch", "image_sha256",
	    "config_sha256", "origin", "options" };
	struct report_data d;
	int only, i, j, k, m, n, tests = 0, failures = 0, errors = 0, *cells;

	if (report_load_selected(s, build, &d, &only, err, errlen, kind) == -1)
		return -1;
	cells = xcalloc(REPORT_JUNIT_BATCH, sizeof(*cells));
	for (i = 0; i < d.nc; i++) {
		enum verdict v = report_cell_run(&d.c[i])->verdict;

		if (only >= 0 && d.c[i].build != only)
			continue;
		tests++;
		failures += verdict_is_failure(v);
		errors += v == VERDICT_ERROR;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"rig\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n", tests,
	    failures, errors);
	for (i = 0; i < d.nb; i++) {
		int t = 0, fl = 0, er = 0;

		if (only >= 0 && i != only)
			continue;
		for (j = 0; j < d.nc; j++)
			if (d.c[j].build == i) {
				enum verdict v = report_cell_run(&d.c[j])->verdict;

				t++;
				fl += verdict_is_failure(v);
				er += v == VERDICT_ERROR;
			}
		if (t == 0 && only < 0)
			continue;	/* registered, never run: nothing to say in a test report */
		fputs("  <testsuite", f);
		report_xml_attr(f, "name", report_str(d.b[i].row, "name"));
		fprintf(f, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\">\n", t, fl,
		    er);
		fputs("    <properties>\n", f);
		for (k = 0; k < (int)UTIL_NELEM(props); k++) {
			const char *v = report_str(d.b[i].row, props[k]);

			if (v[0] == '\0')
				continue;
			fputs("      <property", f);
			report_xml_attr(f, "name", props[k]);
			report_xml_attr(f, "value", v);
			fputs("/>\n", f);
		}
		fputs("    </properties>\n", f);
		for (j = 0; j < d.nc; j = m) {
			int64_t bad;

			for (n = 0, m = j; m < d.nc && n < REPORT_JUNIT_BATCH; m++)
				if (d.c[m].build == i)
					cells[n++] = m;
			if (n > 0 && (bad = report_junit_cases(s, f, &d, cells, n)) != 0) {
				util_fmt(err, errlen, "store: run %lld unreadable", (long long)bad);
				report_kind(kind, ERROR_STORE);
				free(cells);
				report_data_free(&d);
				return -1;
			}
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	free(cells);
	report_data_free(&d);
	if (fflush(f) == EOF || ferror(f)) {
		util_fmt(err, errlen, "junit: write failed");
		report_kind(kind, ERROR_OUTPUT);
		return -1;
	}
	return 0;
}

/* file:// URL of a path (made absolute against the working folder), percent-encoded. */
static char *
report_file_url(const char *path)
{
	char abs[PATH_MAX], cwd[PATH_MAX], *out, *o;
	const unsigned char *p;

	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
		util_fmt(abs, sizeof(abs), "%s/%s", cwd, path);
	else
		util_strlcpy(abs, path, sizeof(abs));
	out = o = xmalloc(strlen(abs) * 3 + 8);
	o += sprintf(o, "file://");
	for (p = (const unsigned char *)abs; *p; p++) {
		if (isalnum(*p) || strchr("/-._~", *p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

/* KCIDB paths and architectures allow [a-zA-Z0-9_-] (arch: lowercase, digits, _) only. */
static void
report_kcidb_word(const char *in, char *out, size_t len, int arch)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (arch)
			out[i] = (char)(isalnum(ch) ? tolower(ch) : '_');
		else
			out[i] = (char)(isalnum(ch) || ch == '-' || ch == '_' ? ch : '_');
	}
	out[i] = '\0';
}

static void
report_kcidb_add_url(cJSON *o, const char *key, const char *path)
{
	char *url;

	if (path[0] == '\0')
		return;
	url = report_file_url(path);
	cJSON_AddStringToObject(o, key, url);
	free(url);
}

/* The options string "A=y B=n" as an object, for machines. */
static cJSON *
report_options_json(const char *opts)
{
	cJSON *o = cJSON_CreateObject();
	char *copy = xstrdup(opts), *tok, *save = NULL, *eq;

	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if ((eq = strchr(tok, '=')) != NULL) {
			*eq = '\0';
			cJSON_AddStringToObject(o, tok, eq + 1);
		}
	free(copy);
	return o;
}

static void
report_kcidb_build(cJSON *checkouts, cJSON *builds, const struct report_build *b,
    const char *id, const char *origin)
{
	const cJSON *r = b->row;
	const char *origin_s = report_str(r, "origin"), *v;
	cJSON *c = cJSON_CreateObject(), *o = cJSON_CreateObject(), *misc;
	char arch[32], comment[512];
	const char *image = report_str(r, "image_path");

	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddStringToObject(c, "origin", origin);
	if (strncmp(origin_s, "debian:", 7) == 0)
		cJSON_AddStringToObject(c, "tree_name", "debian");
	util_fmt(comment, sizeof(comment), "%s %s", report_str(r, "name"), b->key);
	cJSON_AddStringToObject(c, "comment", comment);
	cJSON_AddBoolToObject(c, "valid", 1);
	misc = cJSON_AddObjectToObject(c, "misc");
	cJSON_AddStringToObject(misc, "origin", origin_s);
	if ((v = report_str(r, "package"))[0])
		cJSON_AddStringToObject(misc, "package", v);
	if ((v = report_str(r, "package_version"))[0])
		cJSON_AddStringToObject(misc, "package_version", v);
	cJSON_AddItemToArray(checkouts, c);

	cJSON_AddStringToObject(o, "checkout_id", id);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "origin", origin);
	util_fmt(comment, sizeof(comment), "%s (%s)", report_str(r, "name"),
	    report_str(r, "release"));
	cJSON_AddStringToObject(o, "comment", comment);
	report_kcidb_word(report_str(r, "arch"), arch, sizeof(arch), 1);
	cJSON_AddStringToObject(o, "architecture", arch);
	if ((v = report_str(r, "options"))[0])
		cJSON_AddStringToObject(o, "config_name", v);
	report_kcidb_add_url(o, "config_url", report_str(r, "config_path"));
	if (image[0]) {
		cJSON *files = cJSON_AddArrayToObject(o, "output_files"), *f = cJSON_CreateObject();
		const char *base = strrchr(image, '/');

		cJSON_AddStringToObject(f, "name", base && base[1] ? base + 1 : "image");
		report_kcidb_add_url(f, "url", image);
		cJSON_AddItemToArray(files, f);
	}
	/* The rig did not build it, only got it: it exists, so as a build it passed. */
	cJSON_AddStringToObject(o, "status", "PASS");
	misc = cJSON_AddObjectToObject(o, "misc");
	cJSON_AddNumberToObject(misc, "rig_build_id", (double)b->id);
	cJSON_AddStringToObject(misc, "release", report_str(r, "release"));
	cJSON_AddStringToObject(misc, "version", report_str(r, "version"));
	if ((v = report_str(r, "reported_version"))[0])
		cJSON_AddStringToObject(misc, "reported_version", v);
	cJSON_AddStringToObject(misc, "image_sha256", report_str(r, "image_sha256"));
	if ((v = report_str(r, "config_sha256"))[0])
		cJSON_AddStringToObject(misc, "config_sha256", v);
	if ((v = report_str(r, "options"))[0])
		cJSON_AddItemToObject(misc, "options", report_options_json(v));
	cJSON_AddItemToArray(builds, o);
}

/* One test: a finished run as the store has it (row), the flaky flag from its cell. */
static cJSON *
report_kcidb_test(const struct store_run_row *row, const struct report_cell *c,
    const char *build_id, const char *origin)
{
	enum verdict v = row->verdict == VERDICT_NONE ? VERDICT_ERROR : row->verdict;
	const char *verdict = verdict_name(v), *title = report_text(row->title);
	const char *stack = report_text(row->stack), *detail = report_text(row->detail);
	const char *started = report_text(row->started);
	static const char *const status[VERDICT__COUNT] = { [VERDICT_NONE] = "ERROR",
	    [VERDICT_PASS] = "PASS", [VERDICT_FAIL] = "FAIL", [VERDICT_HANG] = "FAIL",
	    [VERDICT_CRASH] = "FAIL", [VERDICT_ERROR] = "ERROR" };
	cJSON *t = cJSON_CreateObject(), *env, *misc;
	char id[128], path[300], word[256], *excerpt;
	size_t n;

	util_fmt(id, sizeof(id), "%s:run-%lld", origin, (long long)row->id);
	cJSON_AddStringToObject(t, "id", id);
	cJSON_AddStringToObject(t, "build_id", build_id);
	cJSON_AddStringToObject(t, "origin", origin);
	report_kcidb_word(c->scenario, word, sizeof(word), 0);
	util_fmt(path, sizeof(path), "rig.%s", word);
	cJSON_AddStringToObject(t, "path", path);
	cJSON_AddStringToObject(t, "status", status[v]);
	report_json_str(t, "comment", title[0] ? title : verdict);
	if (started[0])
		cJSON_AddStringToObject(t, "start_time", started);
	if (report_num(row->duration_ms) >= 0)
		cJSON_AddNumberToObject(t, "duration", (double)row->duration_ms / 1000.0);
	report_kcidb_add_url(t, "log_url", report_text(row->console_log));
	if (title[0] || stack[0] || detail[0]) {
		/* The schema caps excerpts at 16384 characters; a cut at a byte stays under it. */
		excerpt = xasprintf("%s%s%s%s%s", title, title[0] ? "\n" : "", detail,
		    detail[0] && stack[0] ? "\n" : "", stack);
		if ((n = strlen(excerpt)) > 16000) {
			/* Cut at the start of a character, not inside one. */
			n = 16000;
			while (n > 0 && ((unsigned char)excerpt[n] & 0xc0) == 0x80)
				n--;
			excerpt[n] = '\0';
		}
		report_json_str(t, "log_excerpt", excerpt);
		free(excerpt);
	}
	env = cJSON_AddObjectToObject(t, "environment");
	util_fmt(word, sizeof(word), "rig board %s", c->board);
	cJSON_AddStringToObject(env, "comment", word);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(env, "misc"), "board", c->board);
	misc = cJSON_AddObjectToObject(t, "misc");
	cJSON_AddStringToObject(misc, "verdict", verdict);
	report_json_str(misc, "title", title);
	cJSON_AddStringToObject(misc, "board", c->board);
	cJSON_AddStringToObject(misc, "scenario", c->scenario);
	cJSON_AddNumberToObject(misc, "run_id", (double)row->id);
	if (report_num(row->console_start) >= 0)
		cJSON_AddNumberToObject(misc, "console_start", (double)row->console_start);
	if (report_num(row->console_end) >= 0)
		cJSON_AddNumberToObject(misc, "console_end", (double)row->console_end);
	if (report_num(row->repeat_of) >= 0) {
		cJSON_AddNumberToObject(misc, "repeat_of", (double)row->repeat_of);
		cJSON_AddStringToObject(misc, "repeat_why", report_text(row->repeat_why));
	}
	cJSON_AddBoolToObject(misc, "flaky", report_flaky(c));
	return t;
}

/* The tests, written as the store lists the runs: one at a time, never all in memory. */
struct report_kcidb_ctx {
	struct report_data	*d;
	char			**ids;
	const char		*origin;
	FILE			*f;
	int			 n;
	int64_t			 last_build_id;
	int			 last_build;
};

static int
report_kcidb_row(const struct store_run_row *row, void *arg)
{
	struct report_kcidb_ctx *x = arg;
	int64_t bid = report_num(row->build_id);
	const struct report_cell *c;
	char *text;
	cJSON *t;

	if (bid != x->last_build_id) {
		x->last_build_id = bid;
		x->last_build = report_build_index(x->d, bid);
	}
	if (x->last_build < 0 || x->ids[x->last_build] == NULL)
		return 0;
	/* A run that ended after the cells were counted waits for the next export. */
	c = report_cell_of(x->d, x->last_build, report_text(row->board),
	    report_text(row->scenario));
	if (c == NULL)
		return 0;
	t = report_kcidb_test(row, c, x->ids[x->last_build], x->origin);
	text = cJSON_PrintUnformatted(t);
	cJSON_Delete(t);
	fputs(x->n++ ? ",\n" : "\n", x->f);
	fputs(text, x->f);
	free(text);
	/* A reader that went away: stop listing. */
	return ferror(x->f) != 0;
}

/*
 * Written as it is made: the checkouts and builds (one per kernel build, few) as two arrays,
 * then the tests one per line, so the whole text is never in memory (a lab's 300k runs are
 * hundreds of MB of JSON).
 */
int
report_kcidb(struct store *s, const char *build, const char *origin, FILE *f, char *err,
    size_t errlen, enum error_kind *kind)
{
	struct report_data d;
	struct report_kcidb_ctx x = { 0 };
	struct store_runs_filter rf = { .reported = 1 };
	cJSON *checkouts, *builds;
	char **ids, *text;
	int only, i, j, rc;
	const char *p;

	if (origin == NULL || origin[0] == '\0') {
		util_fmt(err, errlen, "kcidb: an origin is needed (lowercase letters, digits, _)");
		report_kind(kind, ERROR_INVALID_REQUEST);
		return -1;
	}
	for (p = origin; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')) {
			util_fmt(err, errlen, "kcidb: origin %s: only lowercase letters, digits"
			    " and _", origin);
			report_kind(kind, ERROR_INVALID_REQUEST);
			return -1;
		}
	if (report_load_selected(s, build, &d, &only, err, errlen, kind) == -1)
		return -1;
	checkouts = cJSON_CreateArray();
	builds = cJSON_CreateArray();
	/*
	 * Ids by image digest: the same kernel has the same id in every export and on every rig
	 * host; rows that share an image (boots that reported differently) are exported once.
	 */
	ids = xcalloc((size_t)d.nb + 1, sizeof(*ids));
	for (i = 0; i < d.nb; i++) {
		const char *sha = report_str(d.b[i].row, "image_sha256");

		if (only >= 0 && i != only)
			continue;
		ids[i] = sha[0] ? xasprintf("%s:%s", origin, sha) :
		    xasprintf("%s:build-%lld", origin, (long long)d.b[i].id);
		for (j = 0; j < i; j++)
			if (ids[j] && strcmp(ids[j], ids[i]) == 0)
				break;
		if (j == i)
			report_kcidb_build(checkouts, builds, &d.b[i], ids[i], origin);
	}
	fputs("{\"version\":{\"major\":5,\"minor\":3},\n\"checkouts\":", f);
	text = cJSON_PrintUnformatted(checkouts);
	fputs(text, f);
	free(text);
	fputs(",\n\"builds\":", f);
	text = cJSON_PrintUnformatted(builds);
	fputs(text, f);
	free(text);
	cJSON_Delete(checkouts);
	cJSON_Delete(builds);
	fputs(",\n\"tests\":[", f);
	/* Every finished run is a test run, retries and confirmations included. */
	x.d = &d;
	x.ids = ids;
	x.origin = origin;
	x.f = f;
	x.last_build_id = INT64_MIN;
	if (only >= 0) {
		rf.builds = &d.b[only].id;
		rf.nbuilds = 1;
	}
	rc = store_runs_list(s, &rf, report_kcidb_row, &x);
	fputs("\n]}\n", f);
	for (i = 0; i < d.nb; i++)
		free(ids[i]);
	free(ids);
	report_data_free(&d);
	if (rc == -1 && !ferror(f)) {
		util_fmt(err, errlen, "store: cannot read runs");
		report_kind(kind, ERROR_STORE);
		return -1;
	}
	if (fflush(f) == EOF || ferror(f)) {
		util_fmt(err, errlen, "kcidb: write failed");
		report_kind(kind, ERROR_OUTPUT);
		return -1;
	}
	return 0;
}

/* The run report_should_confirm asks about, as the store has it. */
struct report_confirm_run {
	int		 found;
	enum verdict	 verdict;
	int64_t		 build_id;
	char		 board[128], scenario[128];
	int		 confirm;	/* it is itself a confirmation */
};

static int
report_confirm_row(const struct store_run_row *row, void *arg)
{
	struct report_confirm_run *r = arg;

	r->found = row->state == RUN_DONE && row->build_id != STORE_NULL &&
	    row->verdict != VERDICT_NONE;
	r->verdict = row->verdict;
	r->build_id = row->build_id;
	util_strlcpy(r->board, report_text(row->board), sizeof(r->board));
	util_strlcpy(r->scenario, report_text(row->scenario), sizeof(r->scenario));
	r->confirm = row->repeat_why && strcmp(row->repeat_why, "confirm") == 0;
	return 1;
}

int
report_should_confirm(struct store *s, int64_t run, char *err, size_t errlen)
{
	struct report_data d;
	struct report_confirm_run r = { 0 };
	const struct report_cell *c, *prev = NULL;
	int bi, i, answer = 0, rc;
	enum verdict v;

	if ((rc = store_run_get(s, run, report_confirm_row, &r)) == -1) {
		util_fmt(err, errlen, "store: cannot read run %lld", (long long)run);
		return -1;
	}
	if (!r.found) {
		util_fmt(err, errlen, "run %lld: not finished or not tied to a build",
		    (long long)run);
		return -1;
	}
	/* The cell's history alone (runs_board_scenario): this is asked after every run. */
	if (report_load_builds(s, &d, err, errlen, NULL) == -1 ||
	    report_load_runs(s, r.board, r.scenario, NULL, 0, &d, err, errlen, NULL) == -1)
		return -1;
	v = r.verdict;
	bi = report_build_index(&d, r.build_id);
	c = bi < 0 ? NULL : report_cell_of(&d, bi, r.board, r.scenario);
	/* Errors are retried, not confirmed; a confirmation or a second result is the answer. */
	if (v == VERDICT_ERROR || r.confirm || c == NULL || report_kernel_runs(c) > 1)
		goto out;
	for (i = bi - 1; i >= 0 && prev == NULL; i--) {
		prev = report_cell_of(&d, i, c->board, c->scenario);
		if (prev && report_kernel_runs(prev) == 0)
			prev = NULL;
	}
	if (prev && prev->last_kernel.verdict != v)
		answer = 1;
out:
	report_data_free(&d);
	return answer;
}
