/* plan: what rigd -n prints: the boards with their parts, the scenarios, the builds and store it would serve. */
#include "rigd.h"
#include "parts.h"
#include "protect.h"
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
plan_selected(const char *list, const char *name)
{
	size_t len = strlen(name), n;

	if (list == NULL)
		return 1;
	/* Compared in place: a lab's list of hundreds of boards is never cut to a buffer. */
	for (; *list != '\0'; list += n + (list[n] == ',')) {
		n = strcspn(list, ",");
		if (n == len && strncmp(list, name, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * A board file offers a scenario when it has a device of every class the scenario uses and
 * the scenario unbinds or binds none of those it protects.
 */
static int
plan_offers(const struct board_conf *b, const struct scenario *sc)
{
	return protect_runnable(b, sc, NULL, 0) == ERROR_NONE;
}

/* -v: which scenarios the board runs, and for each other one why not (the class it lacks). */
static void
plan_runnable(FILE *out, const struct board_conf *b, const struct scenario *scens, int nscens)
{
	char why[512];
	int k;

	for (k = 0; k < nscens; k++) {
		if (protect_runnable(b, &scens[k], why, sizeof(why)) == ERROR_NONE)
			fprintf(out, "  runs %s\n", scens[k].name);
		else
			fprintf(out, "  cannot run %s: %s\n", scens[k].name, why);
	}
}

/* The store's builds, if the store exists: reading must not make one. */
static void
plan_builds(FILE *out, const char *dbpath)
{
	char err[256];
	struct store *st;
	cJSON *builds, *it;

	if (!store_is_uri(dbpath) && access(dbpath, F_OK) == -1) {
		fprintf(out, "store %s (not made yet: no builds)\n", dbpath);
		return;
	}
	/* Read only: -n never migrates or writes the database (a rigd may be serving it). */
	st = store_open_readonly(dbpath, err, sizeof(err));
	if (st == NULL) {
		fprintf(out, "store %s\n", err);
		return;
	}
	builds = report_builds(st, err, sizeof(err));
	if (builds == NULL) {
		fprintf(out, "store %s: %s\n", dbpath, err);
		store_close(st);
		return;
	}
	fprintf(out, "store %s (%d build%s)\n", dbpath, cJSON_GetArraySize(builds),
	    cJSON_GetArraySize(builds) == 1 ? "" : "s");
	cJSON_ArrayForEach(it, builds) {
		cJSON *id = cJSON_GetObjectItem(it, "id"), *name = cJSON_GetObjectItem(it, "name");
		cJSON *rel = cJSON_GetObjectItem(it, "release"), *arch = cJSON_GetObjectItem(it, "arch");

		fprintf(out, "build %lld %s %s %s\n", cJSON_IsNumber(id) ? (long long)id->valuedouble :
		    0LL, cJSON_IsString(name) ? name->valuestring : "?",
		    cJSON_IsString(rel) && rel->valuestring[0] ? rel->valuestring : "-",
		    cJSON_IsString(arch) ? arch->valuestring : "?");
	}
	cJSON_Delete(builds);
	store_close(st);
}

/* The board's checked form (every backend prints its own keys), indented under its line. */
static void
plan_checked_form(FILE *out, const struct board_conf *b)
{
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	board_conf_print(b, f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(out, "    %s\n", line);
	free(buf);
}

int
plan_print(FILE *out, const struct board_conf *confs, int nconfs, const char *only,
    const struct scenario *scens, int nscens, const char *dbpath, int verbose)
{
	struct conf_errors refused = { 0 };
	int i, j, k, served = 0, nrefused = 0;
	char *ok = xcalloc((size_t)nconfs + 1, 1);

	for (i = 0; i < nconfs; i++) {
		const struct board_conf *b = &confs[i];
		struct parts_ops ops;
		int before = refused.n, unserved;

		if (!plan_selected(only, b->name))
			continue;
		/*
		 * Refused: a part this rigd lacks, or one whose device, program or file is not on
		 * this host; every reason is said, each at its key's line.
		 */
		unserved = parts_resolve(b, &ops, &refused) == -1;
		if (parts_probe(b, &ops, &refused) == -1)
			unserved = 1;
		if (unserved) {
			nrefused++;
			for (j = before; j < refused.n; j++)
				fprintf(out, "board %s refused: %s\n", b->name, refused.msg[j]);
			if (verbose) {
				plan_runnable(out, b, scens, nscens);
				plan_checked_form(out, b);
			}
			continue;
		}
		ok[i] = 1;
		served++;
		fprintf(out, "board %s arch %s power %s boot %s console %s classes", b->name, b->arch,
		    ops.power->name, ops.boot->name, ops.console->name);
		for (j = 0; j < b->ndevices; j++)
			fprintf(out, " %s", b->devices[j].cls);
		fprintf(out, "\n");
		if (verbose) {
			plan_runnable(out, b, scens, nscens);
			plan_checked_form(out, b);
		}
	}
	for (k = 0; k < nscens; k++) {
		int n = 0;

		fprintf(out, "scenario %s boards", scens[k].name);
		for (i = 0; i < nconfs; i++)
			if (ok[i] && plan_offers(&confs[i], &scens[k])) {
				fprintf(out, " %s", confs[i].name);
				n++;
			}
		fprintf(out, "%s\n", n ? "" : " (none)");
	}
	plan_builds(out, dbpath);
	fprintf(out, "rigd: %d board%s served, %d refused, %d scenario%s: OK\n", served,
	    served == 1 ? "" : "s", nrefused, nscens, nscens == 1 ? "" : "s");
	conf_errors_free(&refused);
	free(ok);
	return nrefused;
}
