/* cmd_bisect: rigctl bisect: the first bad (or first fixed) build between a good and a bad one. */
#include "rigctl.h"
#include "termsafe.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_BISECT_USAGE \
	"usage: rigctl bisect SCENARIO --board B --good BUILD --bad BUILD [--json]\n"

/* A field from rigd as a terminal may show it: one line, no control sequences. */
static void
cmd_bisect_fput(FILE *f, const char *s)
{
	struct termsafe ts = { .nhold = 0 };
	size_t n = strcspn(s, "\n"), w;
	char *out = malloc(TERMSAFE_OUT(n));

	if (out == NULL)
		return;
	w = termsafe_filter(&ts, s, n, out);
	w += termsafe_flush(&ts, out + w);
	fwrite(out, 1, w, f);
	free(out);
}

static void
cmd_bisect_put(const char *s)
{
	cmd_bisect_fput(stdout, s);
}

/* "NAME (VERSION): OUTCOME, runs 3 4" */
static void
cmd_bisect_build(cJSON *b)
{
	cJSON *run;
	const char *sep = "";

	cmd_bisect_put(rigctl_str(b, "name"));
	printf(" (%s): ", rigctl_str(b, "version"));
	cmd_bisect_put(*rigctl_str(b, "outcome") ? rigctl_str(b, "outcome") :
	    strcmp(rigctl_str(b, "side"), "untested") == 0 ? "not run" : "no kernel result");
	if (*rigctl_str(b, "first_outcome")) {
		printf(" (first run: ");
		cmd_bisect_put(rigctl_str(b, "first_outcome"));
		printf(")");
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItem(b, "runs")) > 0)
		printf(", run");
	cJSON_ArrayForEach(run, cJSON_GetObjectItem(b, "runs")) {
		printf("%s %d", sep, run->valueint);
		sep = ",";
	}
	printf("\n");
}

static void
cmd_bisect_result(cJSON *res)
{
	int fixed = strcmp(rigctl_str(res, "direction"), "first-fixed") == 0;
	cJSON *b, *v = cJSON_GetObjectItem(res, "skipped");

	printf("first %s: ", fixed ? "fixed" : "bad");
	cmd_bisect_build(cJSON_GetObjectItem(res, "first"));
	printf("last %s: ", fixed ? "bad" : "good");
	cmd_bisect_build(cJSON_GetObjectItem(res, "before"));
	if (v && v->valueint > 0)
		printf("%d build(s) between them gave no kernel result: the change is in one of"
		    " them or the first %s\n", v->valueint, fixed ? "fixed" : "bad");
	v = cJSON_GetObjectItem(res, "runs");
	printf("%d run(s); every build between the ends, oldest first:\n", v ? v->valueint : 0);
	cJSON_ArrayForEach(b, cJSON_GetObjectItem(res, "builds")) {
		printf("  ");
		cmd_bisect_build(b);
	}
}

int
cmd_bisect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "good", required_argument, NULL, 'g' },
		{ "bad", required_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *board = NULL, *good = NULL, *bad = NULL;
	struct rigctl_conn c;
	cJSON *req, *msg = NULL;
	char *data;
	size_t len;
	int ch;

	while ((ch = getopt_long(argc, argv, "b:g:B:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': board = optarg; break;
		case 'g': good = optarg; break;
		case 'B': bad = optarg; break;
		case 'j': rigctl_json = 1; break;
		case 'h':
			printf(CMD_BISECT_USAGE);
			return RIGCTL_PASS;
		default:
			fprintf(stderr, CMD_BISECT_USAGE);
			return RIGCTL_LAB_ERROR;
		}
	}
	if (optind + 1 != argc || board == NULL || good == NULL || bad == NULL) {
		fprintf(stderr, CMD_BISECT_USAGE);
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "bisect");
	cJSON_AddStringToObject(req, "scenario", argv[optind]);
	cJSON_AddStringToObject(req, "board", board);
	cJSON_AddStringToObject(req, "good", good);
	cJSON_AddStringToObject(req, "bad", bad);
	rigctl_request(&c, req);
	while (rigctl_next(&c, &msg, &data, &len) == 1) {
		if (rigctl_type(msg) == PROTO_EV_RESULT) {
			rigctl_check_result(msg);
			if (rigctl_json)
				rigctl_print_json(msg);
			else
				cmd_bisect_result(msg);
			cJSON_Delete(msg);
			rigctl_close(&c);
			return RIGCTL_PASS;
		}
		/* Progress: each run's outcome as it comes (stderr with --json). */
		if (rigctl_type(msg) == PROTO_EV_LOG) {
			FILE *f = rigctl_json ? stderr : stdout;
			cmd_bisect_fput(f, rigctl_str(msg, "msg"));
			fputc('\n', f);
			fflush(f);
		}
		cJSON_Delete(msg);
	}
	fprintf(stderr, "rigctl: rigd hung up before the bisect's end\n");
	return RIGCTL_LAB_ERROR;
}
