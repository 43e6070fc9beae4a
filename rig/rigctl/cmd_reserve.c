/* cmd_reserve: rigctl reserve, extend, release and show reservations: board time for one user, times read and shown in the user's local zone. */
#include "rigctl.h"
#include "util.h"
#include "when.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t
cmd_reserve_ms(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

/* "from 2026-12-03 15:00:00 CET until 2026-12-03 16:00:00 CET" */
static void
cmd_reserve_window(cJSON *o, const char *kfrom, const char *kuntil, char *buf, size_t len)
{
	char a[64], b[64];

	util_fmt(buf, len, "from %s until %s", when_local(cmd_reserve_ms(o, kfrom), a, sizeof(a)),
	    when_local(cmd_reserve_ms(o, kuntil), b, sizeof(b)));
}

/*
 * One request and its result: ok returns it; a refusal for another's window is said with the
 * times in the local zone (the holder, their window, the next free slot) and exits 2; any
 * other failure as every command says it.
 */
static cJSON *
cmd_reserve_call(cJSON *req)
{
	struct rigctl_conn c;
	cJSON *msg = NULL, *conflict, *next;
	char *data, win[160], nwin[160];
	size_t len;

	rigctl_request(&c, req);
	while (rigctl_next(&c, &msg, &data, &len) == 1) {
		if (rigctl_type(msg) != PROTO_EV_RESULT) {
			cJSON_Delete(msg);
			continue;
		}
		rigctl_close(&c);
		conflict = cJSON_GetObjectItem(msg, "conflict");
		if (proto_status_parse(rigctl_str(msg, "status")) == PROTO_STATUS_OK)
			return msg;
		if (rigctl_json)
			rigctl_print_json(msg);
		if (!cJSON_IsObject(conflict))
			rigctl_check_result(msg);	/* exits */
		cmd_reserve_window(conflict, "from_ms", "until_ms", win, sizeof(win));
		fprintf(stderr, "rigctl: %s: board %s is reserved by %s %s (reservation %.0f)",
		    rigctl_str(msg, "status"), rigctl_str(conflict, "board"),
		    rigctl_str(conflict, "holder"), win,
		    cJSON_GetObjectItem(conflict, "id")->valuedouble);
		next = cJSON_GetObjectItem(msg, "next_free");
		if (cJSON_IsObject(next)) {
			cmd_reserve_window(next, "from_ms", "until_ms", nwin, sizeof(nwin));
			fprintf(stderr, "; the next free slot as long is %s", nwin);
		}
		fprintf(stderr, "\n");
		exit(RIGCTL_LAB_ERROR);
	}
	fprintf(stderr, "rigctl: rigd hung up\n");
	exit(RIGCTL_LAB_ERROR);
}

/* A duration above zero (util_duration_parse's units), else exits 2 saying what it got. */
static int64_t
cmd_reserve_duration(const char *opt, const char *s)
{
	int64_t ms = util_duration_parse(s);

	if (ms <= 0) {
		fprintf(stderr, "rigctl: %s %s: not a duration above zero (like 30m, 2h, 1d)\n",
		    opt, s);
		exit(RIGCTL_LAB_ERROR);
	}
	return ms;
}

static void
cmd_reserve_said(cJSON *res, const char *verb)
{
	char win[160];

	cmd_reserve_window(res, "from_ms", "until_ms", win, sizeof(win));
	fprintf(stderr, "rigctl: reservation %.0f %s: %s for %s %s\n",
	    cJSON_GetObjectItem(res, "id")->valuedouble, verb, rigctl_str(res, "board"),
	    rigctl_str(res, "holder"), win);
}

int
cmd_reserve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' }, { "from", required_argument, NULL, 'F' },
		{ "until", required_argument, NULL, 'u' }, { "note", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *until = NULL, *note = NULL, *board;
	int64_t for_ms = 0, from_ms, until_ms, now = util_wall_ms();
	char err[256];
	cJSON *req, *res;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': for_ms = cmd_reserve_duration("--for", optarg); break;
		case 'F': from = optarg; break;
		case 'u': until = optarg; break;
		case 'n': note = optarg; break;
		case 'j': rigctl_json = 1; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || (for_ms > 0) == (from != NULL || until != NULL) ||
	    (for_ms == 0 && (from == NULL || until == NULL)))
		goto usage;
	board = argv[optind];
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "reserve");
	cJSON_AddStringToObject(req, "board", board);
	if (for_ms > 0) {
		cJSON_AddNumberToObject(req, "for_ms", (double)for_ms);
	} else {
		if ((from_ms = when_parse(from, now, err, sizeof(err))) < 0 ||
		    (until_ms = when_parse(until, now, err, sizeof(err))) < 0) {
			fprintf(stderr, "rigctl: %s %s\n", from_ms < 0 ? "--from" : "--until", err);
			cJSON_Delete(req);
			return RIGCTL_LAB_ERROR;
		}
		if (until_ms <= from_ms) {
			fprintf(stderr, "rigctl: --until %s is not after --from %s\n", until, from);
			cJSON_Delete(req);
			return RIGCTL_LAB_ERROR;
		}
		cJSON_AddNumberToObject(req, "from_ms", (double)from_ms);
		cJSON_AddNumberToObject(req, "until_ms", (double)until_ms);
	}
	if (note)
		cJSON_AddStringToObject(req, "note", note);
	res = cmd_reserve_call(req);
	if (rigctl_json) {
		rigctl_print_json(res);
	} else {
		printf("%.0f\n", cJSON_GetObjectItem(res, "id")->valuedouble);
		cmd_reserve_said(res, "made");
	}
	cJSON_Delete(res);
	return RIGCTL_PASS;
usage:
	fprintf(stderr, "usage: rigctl reserve BOARD (--for DURATION | --from TIME --until TIME)"
	    " [--note TEXT] [--json]\n"
	    "  TIME: ISO 8601 (2026-12-03T14:00, local unless it ends in Z or +01:00), now,"
	    " or +DURATION (+3h)\n");
	return RIGCTL_LAB_ERROR;
}

/* A reservation id (a positive number), else exits 2. */
static int64_t
cmd_reserve_id(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0) {
		fprintf(stderr, "rigctl: %s: not a reservation id (rigctl show reservations)\n", s);
		exit(RIGCTL_LAB_ERROR);
	}
	return v;
}

/* extend ID --by DURATION, release ID: the same shape of request and answer. */
static int
cmd_reserve_change(int argc, char **argv, const char *cmd)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t by_ms = 0;
	cJSON *req, *res;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			if (strcmp(cmd, "extend"))
				goto usage;
			by_ms = cmd_reserve_duration("--by", optarg);
			break;
		case 'j': rigctl_json = 1; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || (strcmp(cmd, "extend") == 0 && by_ms <= 0))
		goto usage;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", cmd);
	cJSON_AddNumberToObject(req, "id", (double)cmd_reserve_id(argv[optind]));
	if (by_ms > 0)
		cJSON_AddNumberToObject(req, "by_ms", (double)by_ms);
	res = cmd_reserve_call(req);
	if (rigctl_json)
		rigctl_print_json(res);
	else
		cmd_reserve_said(res, strcmp(cmd, "extend") == 0 ? "extended" : "released");
	cJSON_Delete(res);
	return RIGCTL_PASS;
usage:
	if (strcmp(cmd, "extend") == 0)
		fprintf(stderr, "usage: rigctl extend ID --by DURATION [--json]\n");
	else
		fprintf(stderr, "usage: rigctl release ID [--json]\n");
	return RIGCTL_LAB_ERROR;
}

int
cmd_extend(int argc, char **argv)
{
	return cmd_reserve_change(argc, argv, "extend");
}

int
cmd_release(int argc, char **argv)
{
	return cmd_reserve_change(argc, argv, "release");
}

int
cmd_show_reservations(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *board = NULL;
	cJSON *req, *res, *items, *it;
	char a[64], b[64];
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': board = optarg; break;
		case 'j': rigctl_json = 1; break;
		default: goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "show");
	cJSON_AddStringToObject(req, "what", "reservations");
	if (board)
		cJSON_AddStringToObject(req, "board", board);
	res = rigctl_call(req);
	items = cJSON_GetObjectItem(res, "items");
	if (rigctl_json) {
		rigctl_print_json(items);
		cJSON_Delete(res);
		return RIGCTL_PASS;
	}
	printf("%-5s %-10s %-12s %-25s %-25s %-9s %s\n", "ID", "BOARD", "HOLDER", "FROM", "UNTIL",
	    "STATE", "NOTE");
	cJSON_ArrayForEach(it, items) {
		printf("%-5.0f %-10s %-12s %-25s %-25s %-9s %s", cJSON_GetObjectItem(it,
		    "id")->valuedouble, rigctl_str(it, "board"), rigctl_str(it, "holder"),
		    when_local(cmd_reserve_ms(it, "from_ms"), a, sizeof(a)),
		    when_local(cmd_reserve_ms(it, "until_ms"), b, sizeof(b)),
		    /* A current lease whose end was announced: ending; over, board not reset yet. */
		    strcmp(rigctl_str(it, "state"), "current") == 0 && *rigctl_str(it, "warned_at") ?
		    "ending" : strcmp(rigctl_str(it, "reset_at"), "pending") == 0 ? "resetting" :
		    rigctl_str(it, "state"), rigctl_str(it, "note"));
		if (*rigctl_str(it, "released_by"))
			printf("%s(released by %s)", *rigctl_str(it, "note") ? " " : "",
			    rigctl_str(it, "released_by"));
		/* How the board's reset after it ended: ready, off or fault. */
		if (*rigctl_str(it, "reset"))
			printf("%s(reset: %s)", *rigctl_str(it, "note") ||
			    *rigctl_str(it, "released_by") ? " " : "", rigctl_str(it, "reset"));
		printf("\n");
	}
	cJSON_Delete(res);
	return RIGCTL_PASS;
usage:
	fprintf(stderr, "usage: rigctl show reservations [--board B] [--json]\n");
	return RIGCTL_LAB_ERROR;
}
