/* cmd_run: rigctl run: runs a scenario on a board and streams its steps to the verdict. */
#include "rigctl.h"
#include "progress.h"
#include "util.h"
#include "vocab.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmd_run_exit(enum verdict v)
{
	if (v == VERDICT_PASS)
		return RIGCTL_PASS;
	if (verdict_is_failure(v))
		return RIGCTL_KERNEL_FAIL;
	return RIGCTL_LAB_ERROR;
}

/* What a terminal's progress line says: what goes on now, and since when. */
struct cmd_run_now {
	char	what[256];
	int64_t	since;		/* util_now_ms(); 0: nothing shown */
	int	recovering;	/* the stages are the recovery's boot */
};

static void
cmd_run_show(const struct cmd_run_now *now)
{
	if (now->since > 0)
		progress_show("  %s  %llds", now->what,
		    (long long)((util_now_ms() - now->since) / 1000));
}

/* A stage of the board's boot or recovery: on a terminal only, on the progress line. */
static void
cmd_run_stage(cJSON *msg, struct cmd_run_now *now)
{
	static const char *const says[PROTO_STAGE__COUNT] = {
		[PROTO_STAGE_POWER] = "power on", [PROTO_STAGE_UBOOT] = "U-Boot loads the kernel",
		[PROTO_STAGE_KERNEL] = "kernel booting", [PROTO_STAGE_SSH] = "SSH",
		[PROTO_STAGE_READY] = "ready", [PROTO_STAGE_RECOVERY] = "recovery: power cycle",
	};
	enum proto_stage st = proto_stage_parse(rigctl_str(msg, "stage"));
	cJSON *ms = cJSON_GetObjectItem(msg, "ms");

	if ((int)st == -1)
		return;		/* a stage a newer rigd knows: the next one says where it is */
	if (st == PROTO_STAGE_RECOVERY)
		now->recovering = 1;
	util_fmt(now->what, sizeof(now->what), "%s: %s%s%s%s%s", rigctl_str(msg, "board"),
	    now->recovering && st != PROTO_STAGE_RECOVERY ? "recovery: " : "", says[st],
	    *rigctl_str(msg, "what") ? " (" : "", rigctl_str(msg, "what"),
	    *rigctl_str(msg, "what") ? ")" : "");
	/* The time counts from power-on, as the stage's ms does. */
	now->since = util_now_ms() - (cJSON_IsNumber(ms) && st != PROTO_STAGE_RECOVERY ?
	    (int64_t)ms->valuedouble : 0);
	cmd_run_show(now);
}

static void
cmd_run_print(cJSON *msg, struct cmd_run_now *now)
{
	enum proto_event type = rigctl_type(msg);
	cJSON *v;

	if (type == PROTO_EV_STAGE) {
		cmd_run_stage(msg, now);
		return;
	}
	if (type != PROTO_EV_START && type != PROTO_EV_STEP_BEGIN && type != PROTO_EV_STEP &&
	    type != PROTO_EV_LOG)
		return;
	progress_clear();
	if (type == PROTO_EV_START) {
		v = cJSON_GetObjectItem(msg, "run");
		printf("run %d: %s on %s, kernel %s\n", v ? v->valueint : 0,
		    rigctl_str(msg, "scenario"), rigctl_str(msg, "board"), rigctl_str(msg, "build"));
	} else if (type == PROTO_EV_STEP_BEGIN) {
		v = cJSON_GetObjectItem(msg, "step");
		printf("  [%2d] %s %s ...\n", v ? v->valueint : 0, rigctl_str(msg, "action"),
		    rigctl_str(msg, "arg"));
		util_fmt(now->what, sizeof(now->what), "[%2d] %s %s", v ? v->valueint : 0,
		    rigctl_str(msg, "action"), rigctl_str(msg, "arg"));
		now->since = util_now_ms();
	} else if (type == PROTO_EV_STEP) {
		cJSON *ms = cJSON_GetObjectItem(msg, "ms");
		const char *out = rigctl_str(msg, "output");
		int n = (int)strcspn(out, "\n");
		v = cJSON_GetObjectItem(msg, "step");
		printf("  [%2d] %s %s: %s (%.1fs)%s%.*s\n", v ? v->valueint : 0,
		    rigctl_str(msg, "action"), rigctl_str(msg, "arg"), rigctl_str(msg, "status"),
		    ms ? ms->valuedouble / 1000.0 : 0.0, n ? "  " : "", n > 160 ? 160 : n, out);
		now->since = 0;
	} else if (type == PROTO_EV_LOG) {
		printf("  %s\n", rigctl_str(msg, "msg"));
	}
	fflush(stdout);
	/* What goes on is shown again below what was printed. */
	cmd_run_show(now);
}

static void
cmd_run_verdict(cJSON *msg)
{
	const char *title = rigctl_str(msg, "title"), *stack = rigctl_str(msg, "stack");

	printf("verdict: %s\n", rigctl_str(msg, "verdict"));
	if (*title)
		printf("title: %s\n", title);
	printf("detail: %s\n", rigctl_str(msg, "detail"));
	printf("kernel: %s\n", rigctl_str(msg, "version"));
	if (*stack) {
		printf("stack:\n");
		while (*stack) {
			int n = (int)strcspn(stack, "\n");
			printf("  %.*s\n", n, stack);
			stack += n;
			if (*stack == '\n')
				stack++;
		}
	}
	printf("console: %s\n", rigctl_str(msg, "console_log"));
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "build", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rigctl_conn c;
	struct cmd_run_now now = { .since = 0 };
	cJSON *req, *msg = NULL;
	const char *board = NULL, *build = NULL;
	char *data;
	size_t len;
	int ch;

	while ((ch = getopt_long(argc, argv, "b:k:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': board = optarg; break;
		case 'k': build = optarg; break;
		case 'j': rigctl_json = 1; break;
		case 'h':
			printf("usage: rigctl run SCENARIO [--board B] [--build K] [--json]\n");
			return RIGCTL_PASS;
		default:
			fprintf(stderr, "usage: rigctl run SCENARIO [--board B] [--build K] [--json]\n");
			return RIGCTL_LAB_ERROR;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: rigctl run SCENARIO [--board B] [--build K] [--json]\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "run");
	cJSON_AddStringToObject(req, "scenario", argv[optind]);
	if (board)
		cJSON_AddStringToObject(req, "board", board);
	if (build)
		cJSON_AddStringToObject(req, "build", build);
	/* A person watches: the recovery is heard before the verdict (proto.h, enum proto_stage). */
	if (progress_on())
		cJSON_AddTrueToObject(req, "progress");
	rigctl_request(&c, req);
	for (;;) {
		/* While something goes on, its time counts on the line each second. */
		if (progress_on() && now.since > 0 && progress_wait(&c, 1000) == 0) {
			cmd_run_show(&now);
			continue;
		}
		if (rigctl_next(&c, &msg, &data, &len) != 1)
			break;
		if (rigctl_json) {
			char *s = cJSON_PrintUnformatted(msg);
			printf("%s\n", s);
			fflush(stdout);
			free(s);
		}
		if (rigctl_type(msg) == PROTO_EV_RESULT) {
			int rc;

			progress_clear();
			if (rigctl_json &&
			    proto_status_parse(rigctl_str(msg, "status")) != PROTO_STATUS_OK)
				return RIGCTL_LAB_ERROR;
			rigctl_check_result(msg);
			if (!rigctl_json)
				cmd_run_verdict(msg);
			rc = cmd_run_exit(verdict_parse(rigctl_str(msg, "verdict")));
			/* A verdict the lab could not keep is the lab's failure, said as such. */
			if (*rigctl_str(msg, "unrecorded")) {
				fprintf(stderr, "rigctl: %s\n", rigctl_str(msg, "unrecorded"));
				rc = RIGCTL_LAB_ERROR;
			}
			cJSON_Delete(msg);
			rigctl_close(&c);
			return rc;
		}
		if (!rigctl_json)
			cmd_run_print(msg, &now);
		cJSON_Delete(msg);
	}
	progress_clear();
	fprintf(stderr, "rigctl: rigd hung up before the verdict\n");
	return RIGCTL_LAB_ERROR;
}
