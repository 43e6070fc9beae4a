/* cmd_show: rigctl show: boards, runs, builds, crashes and one run in full. */
#include "rigctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One table column: the key in each item, its heading, its width (0: the rest of the line). */
struct cmd_show_col {
	const char	*key, *head;
	int		 width;
};

static const struct cmd_show_col cmd_show_boards[] = {
	{ "name", "BOARD", 10 }, { "host", "HOST", 10 }, { "arch", "ARCH", 6 },
	{ "state", "STATE", 11 },
	{ "queued", "QUEUE", 6 }, { "classes", "CLASSES", 14 }, { "release", "KERNEL", 18 },
	{ "waiting", "WAITING FOR", 18 }, { "console_url", "CONSOLE", 26 },
	{ "reason", "REASON", 0 }, { NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_scenarios[] = {
	{ "name", "SCENARIO", 20 }, { "classes", "CLASSES", 10 }, { "steps", "STEPS", 6 },
	{ "description", "DESCRIPTION", 0 }, { NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_runs[] = {
	{ "id", "RUN", 5 }, { "board", "BOARD", 8 }, { "scenario", "SCENARIO", 20 },
	{ "build", "KERNEL", 18 }, { "verdict", "VERDICT", 8 }, { "started", "STARTED", 25 },
	{ "title", "TITLE", 0 }, { NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_builds[] = {
	{ "id", "ID", 4 }, { "name", "NAME", 30 }, { "release", "RELEASE", 20 },
	{ "arch", "ARCH", 6 }, { "runs", "RUNS", 5 }, { "options", "OPTIONS", 0 },
	{ NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_jobs[] = {
	{ "id", "JOB", 5 }, { "build", "BUILD", 30 }, { "board", "BOARD", 8 },
	{ "scenario", "SCENARIO", 20 }, { "state", "STATE", 8 }, { "attempts", "TRIES", 6 },
	{ "why", "WHY", 10 }, { "note", "NOTE", 0 }, { NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_events[] = {
	{ "at", "AT", 25 }, { "board", "BOARD", 10 }, { "from_state", "FROM", 11 },
	{ "to_state", "TO", 11 }, { "reason", "REASON", 0 }, { NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_boots[] = {
	{ "at", "AT", 25 }, { "board", "BOARD", 10 }, { "why", "WHY", 12 },
	{ "outcome", "OUTCOME", 9 }, { "console_ready_ms", "CONSOLE_MS", 11 },
	{ "ready_ms", "READY_MS", 9 }, { "error", "ERROR", 0 }, { NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_surveys[] = {
	{ "id", "SURVEY", 7 }, { "board", "BOARD", 8 }, { "build", "BUILD", 30 },
	{ "state", "STATE", 8 }, { "nruns", "RUNS", 5 }, { "started", "STARTED", 25 },
	{ "note", "NOTE", 0 }, { NULL, NULL, 0 },
};
static const struct cmd_show_col cmd_show_crashes[] = {
	{ "count", "COUNT", 6 }, { "first_seen", "FIRST", 25 }, { "last_seen", "LAST", 25 },
	{ "rig_title", "RIG TITLE", 46 }, { "title", "TITLE", 0 }, { NULL, NULL, 0 },
};

static void
cmd_show_value(cJSON *v, char *buf, size_t len)
{
	if (cJSON_IsString(v))
		snprintf(buf, len, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(buf, len, "%.0f", v->valuedouble);
	else
		snprintf(buf, len, "-");
}

static void
cmd_show_table(cJSON *items, const struct cmd_show_col *cols)
{
	const struct cmd_show_col *c;
	cJSON *it;
	char buf[1024];

	for (c = cols; c->key; c++) {
		if (c->width)
			printf("%-*s ", c->width, c->head);
		else
			printf("%s", c->head);
	}
	printf("\n");
	cJSON_ArrayForEach(it, items) {
		for (c = cols; c->key; c++) {
			cmd_show_value(cJSON_GetObjectItem(it, c->key), buf, sizeof(buf));
			if (c->width)
				printf("%-*.*s ", c->width, c->width, buf);
			else
				printf("%s", buf);
		}
		printf("\n");
	}
}

static void cmd_show_table(cJSON *items, const struct cmd_show_col *cols);

static void
cmd_show_queue(cJSON *msg)
{
	cJSON *it;

	if (rigctl_json) {
		rigctl_print_json(msg);
		return;
	}
	printf("queue:");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(msg, "counts"))
		printf(" %s %d", rigctl_str(it, "state"), cJSON_GetObjectItem(it, "n")->valueint);
	printf("\n");
	cmd_show_table(cJSON_GetObjectItem(msg, "jobs"), cmd_show_jobs);
}

static void
cmd_show_run(cJSON *run)
{
	static const char *keys[] = { "id", "board", "scenario", "build", "build_version",
	    "image_sha256", "uid", "state", "verdict", "title", "detail", "started", "ended",
	    "duration_ms", "recovery_ms", "recovery", "console_log", "console_start",
	    "console_end" };
	char buf[1024];
	size_t i;
	cJSON *it;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cmd_show_value(cJSON_GetObjectItem(run, keys[i]), buf, sizeof(buf));
		printf("%-14s %s\n", keys[i], buf);
	}
	printf("steps:\n");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(run, "steps")) {
		char out[1024];
		cmd_show_value(cJSON_GetObjectItem(it, "output"), out, sizeof(out));
		out[strcspn(out, "\n")] = '\0';
		printf("  %2d %-14s %-8s %-8s %6.0fms  %s\n",
		    cJSON_GetObjectItem(it, "idx")->valueint, rigctl_str(it, "action"),
		    rigctl_str(it, "arg"), rigctl_str(it, "status"),
		    cJSON_GetObjectItem(it, "duration_ms")->valuedouble, out);
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(run, "crashes"))
		printf("crash: %s\n", rigctl_str(it, "title"));
	cmd_show_value(cJSON_GetObjectItem(run, "stack"), buf, sizeof(buf));
	printf("stack:\n%s\n", buf);
}

int
cmd_show(int argc, char **argv)
{
	struct rigctl_conn c;
	cJSON *req, *msg = NULL, *items;
	const char *what = NULL, *id = NULL;
	char *data;
	size_t len;
	int i;

	/* The calendar has options of its own and times in the local zone: cmd_reserve.c. */
	if (argc > 1 && strcmp(argv[1], "reservations") == 0)
		return cmd_show_reservations(argc - 1, argv + 1);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			rigctl_json = 1;
		else if (what == NULL)
			what = argv[i];
		else if (id == NULL)
			id = argv[i];
		else
			what = NULL, i = argc;
	}
	if (what == NULL || (strcmp(what, "run") == 0) != (id != NULL) ||
	    (strcmp(what, "boards") && strcmp(what, "runs") && strcmp(what, "builds") &&
	    strcmp(what, "scenarios") && strcmp(what, "queue") &&
	    strcmp(what, "crashes") && strcmp(what, "events") && strcmp(what, "boots") &&
	    strcmp(what, "surveys") && strcmp(what, "run"))) {
		fprintf(stderr, "usage: rigctl show boards|scenarios|runs|builds|queue|crashes|events|boots"
		    "|surveys [--json]\n"
		    "       rigctl show run ID [--json]\n"
		    "       rigctl show reservations [--board B] [--json]\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "show");
	cJSON_AddStringToObject(req, "what", what);
	if (id)
		cJSON_AddStringToObject(req, "id", id);
	if (strcmp(what, "builds") == 0) {
		/* Streamed (proto.h): counting each build's runs reads the whole history. */
		msg = rigctl_call_stream(req, NULL);
		items = cJSON_GetObjectItem(msg, "items");
		if (rigctl_json)
			rigctl_print_json(items);
		else
			cmd_show_table(items, cmd_show_builds);
		cJSON_Delete(msg);
		return RIGCTL_PASS;
	}
	rigctl_request(&c, req);
	while (rigctl_next(&c, &msg, &data, &len) == 1) {
		if (rigctl_type(msg) != PROTO_EV_RESULT) {
			cJSON_Delete(msg);
			continue;
		}
		rigctl_check_result(msg);
		if (strcmp(what, "queue") == 0) {
			cmd_show_queue(msg);
			cJSON_Delete(msg);
			rigctl_close(&c);
			return RIGCTL_PASS;
		}
		items = cJSON_GetObjectItem(msg, "items");
		if (rigctl_json)
			rigctl_print_json(strcmp(what, "run") == 0 ?
			    cJSON_GetArrayItem(items, 0) : items);
		else if (strcmp(what, "boards") == 0)
			cmd_show_table(items, cmd_show_boards);
		else if (strcmp(what, "runs") == 0)
			cmd_show_table(items, cmd_show_runs);
		else if (strcmp(what, "scenarios") == 0)
			cmd_show_table(items, cmd_show_scenarios);
		else if (strcmp(what, "builds") == 0)
			cmd_show_table(items, cmd_show_builds);
		else if (strcmp(what, "crashes") == 0)
			cmd_show_table(items, cmd_show_crashes);
		else if (strcmp(what, "events") == 0)
			cmd_show_table(items, cmd_show_events);
		else if (strcmp(what, "boots") == 0)
			cmd_show_table(items, cmd_show_boots);
		else if (strcmp(what, "surveys") == 0)
			cmd_show_table(items, cmd_show_surveys);
		else
			cmd_show_run(cJSON_GetArrayItem(items, 0));
		cJSON_Delete(msg);
		rigctl_close(&c);
		return RIGCTL_PASS;
	}
	fprintf(stderr, "rigctl: rigd hung up\n");
	return RIGCTL_LAB_ERROR;
}
