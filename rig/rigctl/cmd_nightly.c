/* cmd_nightly: rigctl nightly: queues every build x scenario x compatible board. */
#include "rigctl.h"
#include "eta.h"
#include "progress.h"
#include "util.h"
#include "vocab.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * How far nightly id is: *open its jobs not yet ended, *finished all the queue's ended jobs.
 * The queue's view lists at most 500 open jobs: those it leaves out are counted as this night's
 * (never done too early). rigctl exits 2 when rigd would not say.
 */
static void
cmd_nightly_count(int id, int *open, int *finished)
{
	cJSON *req = cJSON_CreateObject(), *res, *it;
	int listed = 0, all_open = 0;

	cJSON_AddStringToObject(req, "cmd", "show");
	cJSON_AddStringToObject(req, "what", "queue");
	res = rigctl_call(req);
	*open = *finished = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(res, "counts")) {
		cJSON *n = cJSON_GetObjectItem(it, "n");
		int k = cJSON_IsNumber(n) ? n->valueint : 0;
		if (queue_state_is_open(queue_state_parse(rigctl_str(it, "state"))))
			all_open += k;
		else
			*finished += k;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(res, "jobs")) {
		cJSON *n = cJSON_GetObjectItem(it, "nightly");

		listed++;
		*open += cJSON_IsNumber(n) && n->valueint == id;
	}
	if (all_open > listed)
		*open += all_open - listed;
	cJSON_Delete(res);
}

/* Ctrl-C while watching: the line goes, the night stays queued; nothing failed. */
static void
cmd_nightly_stop(int sig)
{
	static const char clear[] = "\r\033[K";
	ssize_t n = write(STDOUT_FILENO, clear, sizeof(clear) - 1);

	(void)sig;
	(void)n;
	_exit(RIGCTL_PASS);
}

/*
 * On a terminal: the night's jobs done of total and the time left, until none is open. The
 * queue is asked again when a job of any night ends (a held wait), the line counts on each
 * second meanwhile. Ctrl-C stops the watching, not the night.
 */
static void
cmd_nightly_follow(int id, int jobs)
{
	int64_t t0 = util_now_ms(), t_last = t0;	/* when the last job of the night ended */
	int open, finished, done = 0, total = jobs;
	char eta[96];

	signal(SIGINT, cmd_nightly_stop);
	for (;;) {
		struct rigctl_conn c;
		cJSON *req, *msg = NULL;
		char *data;
		size_t len;

		cmd_nightly_count(id, &open, &finished);
		/* A confirmation the night adds is one more of its jobs. */
		if ((jobs - open > 0 ? jobs - open : 0) != done)
			t_last = util_now_ms();
		done = jobs - open > 0 ? jobs - open : 0;
		total = done + open > jobs ? done + open : jobs;
		if (open == 0)
			break;
		req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "cmd", "wait");
		cJSON_AddStringToObject(req, "what", "queue");
		cJSON_AddNumberToObject(req, "finished", finished + 1);
		cJSON_AddNumberToObject(req, "timeout_ms", 3600 * 1000);
		rigctl_request(&c, req);
		for (;;) {
			/* The estimate at the last job's end, counted down since. */
			eta_format_left(done, total, eta_left_now_ms(done, total, t_last - t0,
			    util_now_ms() - t_last), eta, sizeof(eta));
			progress_show("nightly %d: %s (Ctrl-C stops watching, not the night)", id,
			    eta);
			if (progress_wait(&c, 1000) == 0)
				continue;
			if (rigctl_next(&c, &msg, &data, &len) != 1)
				break;
			if (rigctl_type(msg) == PROTO_EV_RESULT) {
				cJSON_Delete(msg);
				break;
			}
			cJSON_Delete(msg);
		}
		rigctl_close(&c);
	}
	progress_clear();
	eta_format(total, total, util_now_ms() - t0, eta, sizeof(eta));
	printf("nightly %d: %s in %.0fs\n", id, eta, (util_now_ms() - t0) / 1000.0);
}

/* "a,b,c" into a JSON array of names. */
static cJSON *
cmd_nightly_list(const char *csv)
{
	cJSON *a = cJSON_CreateArray();
	char buf[4096], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(a, cJSON_CreateString(tok));
	return a;
}

int
cmd_nightly(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "builds", required_argument, NULL, 'k' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "boards", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cJSON *req = cJSON_CreateObject(), *res;
	int ch;

	cJSON_AddStringToObject(req, "cmd", "nightly");
	while ((ch = getopt_long(argc, argv, "k:s:b:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': cJSON_AddItemToObject(req, "builds", cmd_nightly_list(optarg)); break;
		case 's': cJSON_AddItemToObject(req, "scenarios", cmd_nightly_list(optarg)); break;
		case 'b': cJSON_AddItemToObject(req, "boards", cmd_nightly_list(optarg)); break;
		case 'h':
			printf("usage: rigctl nightly [--builds A,B] [--scenarios S,..] [--boards B,..]\n");
			cJSON_Delete(req);
			return RIGCTL_PASS;
		default:
			fprintf(stderr, "usage: rigctl nightly [--builds A,B] [--scenarios S,..]"
			    " [--boards B,..]\n");
			cJSON_Delete(req);
			return RIGCTL_LAB_ERROR;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: rigctl nightly [--builds A,B] [--scenarios S,..] [--boards B,..]\n");
		cJSON_Delete(req);
		return RIGCTL_LAB_ERROR;
	}
	res = rigctl_call(req);
	printf("nightly %d: %d job(s) queued (%d build x scenario x board combinations do not fit);"
	    " rigctl show queue follows them\n", cJSON_GetObjectItem(res, "nightly")->valueint,
	    cJSON_GetObjectItem(res, "jobs")->valueint,
	    cJSON_GetObjectItem(res, "skipped")->valueint);
	fflush(stdout);
	if (progress_on() && cJSON_GetObjectItem(res, "jobs")->valueint > 0)
		cmd_nightly_follow(cJSON_GetObjectItem(res, "nightly")->valueint,
		    cJSON_GetObjectItem(res, "jobs")->valueint);
	cJSON_Delete(res);
	return RIGCTL_PASS;
}
