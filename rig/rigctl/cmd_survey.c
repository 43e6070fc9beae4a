/* cmd_survey: rigctl survey: every device a board exposes, held and unbound, as a table. */
#include "rigctl.h"
#include "eta.h"
#include "progress.h"
#include "survey.h"
#include "util.h"
#include "termsafe.h"
#include "vocab.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_SURVEY_USAGE "usage: rigctl survey --board B [--build K] [--class C,...]\n" \
    "    [--sequence unbind-release,unbind,poweroff] [--json]\n"

/* A field from rigd as a person's terminal may show it: one line, no control sequences. */
static void
cmd_survey_put(const char *s, int width)
{
	struct termsafe ts = { .nhold = 0 };
	size_t n = strcspn(s, "\n"), w;
	char *out = malloc(TERMSAFE_OUT(n));

	if (out == NULL)
		return;
	w = termsafe_filter(&ts, s, n, out);
	w += termsafe_flush(&ts, out + w);
	printf("%-*.*s", width, (int)w, out);
	free(out);
}

/* A row's cell of sequence seq: its sequence object, or NULL when it did not run. */
static cJSON *
cmd_survey_cell(cJSON *row, const char *seq)
{
	cJSON *o;

	cJSON_ArrayForEach(o, cJSON_GetObjectItem(row, "sequences"))
		if (strcmp(rigctl_str(o, "sequence"), seq) == 0)
			return o;
	return NULL;
}

/* A sequence's column: its run's verdict, or what the row is (excluded, not-run). */
static const char *
cmd_survey_verdict(cJSON *row, const char *seq)
{
	cJSON *o = cmd_survey_cell(row, seq);

	if (strcmp(rigctl_str(row, "row"), "run") != 0)
		return rigctl_str(row, "row");
	return o && *rigctl_str(o, "verdict") ? rigctl_str(o, "verdict") : "not-run";
}

/* Titles of a row: its own (an exclusion's reason), then each sequence's that has one. */
static void
cmd_survey_titles(cJSON *row, int named)
{
	const char *sep = "";
	cJSON *o;

	if (*rigctl_str(row, "title")) {
		cmd_survey_put(rigctl_str(row, "title"), 0);
		sep = "; ";
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(row, "sequences")) {
		if (!*rigctl_str(o, "title"))
			continue;
		printf("%s", sep);
		if (named) {
			cmd_survey_put(rigctl_str(o, "sequence"), 0);
			printf(": ");
		}
		cmd_survey_put(rigctl_str(o, "title"), 0);
		/* A node back under another name says which. */
		if (*rigctl_str(o, "nodes_now")) {
			printf(" (now ");
			cmd_survey_put(rigctl_str(o, "nodes_now"), 0);
			printf(")");
		}
		sep = "; ";
	}
}

/* 1 when the row or one of its sequences has a title. */
static int
cmd_survey_titled(cJSON *row)
{
	cJSON *o;

	cJSON_ArrayForEach(o, cJSON_GetObjectItem(row, "sequences"))
		if (*rigctl_str(o, "title"))
			return 1;
	return *rigctl_str(row, "title") != '\0';
}

static void
cmd_survey_table(cJSON *res)
{
	static const char *const cols[] = { "device", "class", "driver", "bus" };
	cJSON *rows = cJSON_GetObjectItem(res, "devices"), *row, *v, *o;
	const char *seqs[SURVEY_SEQ_COUNT];
	int w[4], ws[SURVEY_SEQ_COUNT], nseq = 0, i, q;
	char up[32];

	/* One column per sequence any row ran, in the survey's order. */
	for (q = 0; q < SURVEY_SEQ_COUNT; q++) {
		const char *name = survey_seq_name((enum survey_seq)q);
		int used = 0;

		cJSON_ArrayForEach(row, rows)
			used |= cmd_survey_cell(row, name) != NULL;
		if (used) {
			ws[nseq] = (int)strlen(name) > 8 ? (int)strlen(name) : 8;
			seqs[nseq++] = name;
		}
	}
	for (i = 0; i < 4; i++)
		w[i] = (int)strlen(cols[i]);
	cJSON_ArrayForEach(row, rows)
		for (i = 0; i < 4; i++)
			if ((int)strlen(rigctl_str(row, cols[i])) > w[i])
				w[i] = (int)strlen(rigctl_str(row, cols[i]));
	v = cJSON_GetObjectItem(res, "duration_ms");
	printf("survey of %s, kernel %s: %d device(s) found, %d run(s), %.1fs\n",
	    rigctl_str(res, "board"), rigctl_str(res, "build"),
	    cJSON_GetObjectItem(res, "found") ? cJSON_GetObjectItem(res, "found")->valueint : 0,
	    cJSON_GetObjectItem(res, "runs") ? cJSON_GetObjectItem(res, "runs")->valueint : 0,
	    v ? v->valuedouble / 1000.0 : 0.0);
	for (i = 0; i < 4; i++)
		printf("%-*s  ", w[i], i == 0 ? "DEVICE" : i == 1 ? "CLASS" : i == 2 ? "DRIVER" :
		    "BUS");
	/* Without a sequence that ran, one column still says what the rows are. */
	if (nseq == 0)
		printf("%-8s  ", "VERDICT");
	for (q = 0; q < nseq; q++) {
		for (i = 0; seqs[q][i] && i < (int)sizeof(up) - 1; i++)
			up[i] = (char)(seqs[q][i] >= 'a' && seqs[q][i] <= 'z' ? seqs[q][i] - 32 :
			    seqs[q][i]);
		up[i] = '\0';
		printf("%-*s  ", ws[q], up);
	}
	printf("%-8s  %s\n", "RUNS", "TITLE");
	cJSON_ArrayForEach(row, rows) {
		char runs[64] = "";

		for (i = 0; i < 4; i++) {
			cmd_survey_put(rigctl_str(row, cols[i]), w[i]);
			printf("  ");
		}
		if (nseq == 0)
			printf("%-8s  ", rigctl_str(row, "row"));
		for (q = 0; q < nseq; q++) {
			cmd_survey_put(cmd_survey_verdict(row, seqs[q]), ws[q]);
			printf("  ");
		}
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(row, "sequences")) {
			v = cJSON_GetObjectItem(o, "run");
			if (cJSON_IsNumber(v) && strlen(runs) + 16 < sizeof(runs))
				snprintf(runs + strlen(runs), sizeof(runs) - strlen(runs), "%s%d",
				    runs[0] ? "," : "", v->valueint);
		}
		printf("%-8s  ", runs[0] ? runs : "-");
		cmd_survey_titles(row, nseq > 1);
		printf("\n");
	}
	if (*rigctl_str(res, "stopped"))
		printf("stopped: %s\n", rigctl_str(res, "stopped"));
}

/* 2 when the survey stopped or a run ended in the lab's error, else 1 for a kernel failure. */
static int
cmd_survey_exit(cJSON *res)
{
	cJSON *row;
	int rc = RIGCTL_PASS;

	if (*rigctl_str(res, "stopped"))
		return RIGCTL_LAB_ERROR;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(res, "devices")) {
		cJSON *o;

		cJSON_ArrayForEach(o, cJSON_GetObjectItem(row, "sequences")) {
			const char *v = rigctl_str(o, "verdict");

			if (!*v)
				continue;
			if (verdict_parse(v) == VERDICT_ERROR || (int)verdict_parse(v) == -1)
				return RIGCTL_LAB_ERROR;
			if (verdict_is_failure(verdict_parse(v)))
				rc = RIGCTL_KERNEL_FAIL;
		}
	}
	return rc;
}

/*
 * Progress while it goes: each device's run and its steps, one line each; on a terminal, a
 * line below them says how far the survey is (cmd_survey_now: what it says, once a row came).
 */
static char cmd_survey_now[160];

static void
cmd_survey_progress(cJSON *msg, int64_t t0)
{
	enum proto_event type = rigctl_type(msg);
	cJSON *v;

	progress_clear();
	if (type == PROTO_EV_START) {
		v = cJSON_GetObjectItem(msg, "run");
		printf("run %d: %s\n", v ? v->valueint : 0, rigctl_str(msg, "scenario"));
	} else if (type == PROTO_EV_STEP) {
		printf("  %s %s: %s\n", rigctl_str(msg, "action"), rigctl_str(msg, "arg"),
		    rigctl_str(msg, "status"));
	} else if (type == PROTO_EV_SURVEY_DEVICE) {
		cJSON *o;
		const char *sep = " ";

		printf("%s %s:", rigctl_str(msg, "class"), rigctl_str(msg, "device"));
		if (strcmp(rigctl_str(msg, "row"), "run") != 0)
			printf(" %s", rigctl_str(msg, "row"));
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(msg, "sequences")) {
			printf("%s%s %s", sep, rigctl_str(o, "sequence"), rigctl_str(o, "verdict"));
			sep = ", ";
		}
		if (cmd_survey_titled(msg)) {
			printf(": ");
			cmd_survey_titles(msg, 1);
		}
		printf("\n");
		/* On a terminal, below the rows: how far, and how long the rest may take. */
		if (cJSON_IsNumber(cJSON_GetObjectItem(msg, "of")) &&
		    cJSON_IsNumber(cJSON_GetObjectItem(msg, "n"))) {
			char eta[96];
			eta_format(cJSON_GetObjectItem(msg, "n")->valueint,
			    cJSON_GetObjectItem(msg, "of")->valueint, util_now_ms() - t0, eta,
			    sizeof(eta));
			util_fmt(cmd_survey_now, sizeof(cmd_survey_now), "survey of %s: %s",
			    rigctl_str(msg, "board"), eta);
		}
	} else if (type == PROTO_EV_LOG) {
		printf("%s\n", rigctl_str(msg, "msg"));
	}
	fflush(stdout);
	if (cmd_survey_now[0])
		progress_show("%s", cmd_survey_now);
}

int
cmd_survey(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "build", required_argument, NULL, 'k' },
		{ "class", required_argument, NULL, 'c' },
		{ "sequence", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *board = NULL, *build = NULL, *classes = NULL, *seqs = NULL;
	struct rigctl_conn c;
	cJSON *req, *msg = NULL;
	char *data;
	size_t len;
	int64_t t0;
	int ch;

	while ((ch = getopt_long(argc, argv, "b:k:c:s:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': board = optarg; break;
		case 'k': build = optarg; break;
		case 'c': classes = optarg; break;
		case 's': seqs = optarg; break;
		case 'j': rigctl_json = 1; break;
		case 'h':
			printf(CMD_SURVEY_USAGE);
			return RIGCTL_PASS;
		default:
			fprintf(stderr, CMD_SURVEY_USAGE);
			return RIGCTL_LAB_ERROR;
		}
	}
	if (optind != argc || board == NULL) {
		fprintf(stderr, CMD_SURVEY_USAGE);
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "survey");
	cJSON_AddStringToObject(req, "board", board);
	if (build)
		cJSON_AddStringToObject(req, "build", build);
	if (classes)
		cJSON_AddStringToObject(req, "classes", classes);
	if (seqs)
		cJSON_AddStringToObject(req, "sequences", seqs);
	rigctl_request(&c, req);
	t0 = util_now_ms();
	while (rigctl_next(&c, &msg, &data, &len) == 1) {
		if (rigctl_type(msg) == PROTO_EV_RESULT) {
			int rc;

			progress_clear();
			rigctl_check_result(msg);
			if (rigctl_json)
				rigctl_print_json(msg);
			else
				cmd_survey_table(msg);
			rc = cmd_survey_exit(msg);
			cJSON_Delete(msg);
			rigctl_close(&c);
			return rc;
		}
		if (!rigctl_json)
			cmd_survey_progress(msg, t0);
		cJSON_Delete(msg);
	}
	progress_clear();
	/* The survey is in the store: rigd's next start resumes it (rigctl(1), survey). */
	fprintf(stderr, "rigctl: rigd hung up before the survey's end (its next start resumes the"
	    " survey: rigctl show surveys, rigctl wait survey ID)\n");
	return RIGCTL_LAB_ERROR;
}
