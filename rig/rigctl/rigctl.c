/* rigctl: the rig's command-line tool: runs scenarios, shows results, drives boards through rigd. */
#include "rigctl.h"
#include "busy.h"
#include "progress.h"
#include "proto.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

const char *rigctl_socket;
int rigctl_json;
int rigctl_fail_exit = RIGCTL_LAB_ERROR;
static struct proto_buf rigctl_in;

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} rigctl_cmds[] = {
	{ "run", cmd_run, "run SCENARIO [--board B] [--build K] [--json]   run, stream the steps" },
	{ "survey", cmd_survey, "survey --board B [--build K] [--class C,...] [--sequence S,...] [--json]  hold and unbind every device" },
	{ "show", cmd_show, "show boards|scenarios|runs|builds|queue|crashes|events|boots|surveys|reservations [--json], show run ID" },
	{ "reserve", cmd_reserve, "reserve BOARD (--for DURATION | --from TIME --until TIME) [--note TEXT] [--json]  prints the id" },
	{ "extend", cmd_extend, "extend ID --by DURATION [--json]    make a reservation longer" },
	{ "release", cmd_release, "release ID [--json]                end a reservation now" },
	{ "power", cmd_power, "power BOARD on|off|cycle|confirm" },
	{ "ssh", cmd_ssh, "ssh BOARD                          a shell on the board you hold (exit: the shell's)" },
	{ "build", cmd_build, "build add PACKAGE|FILE.deb|DIR|TARBALL [--name N] [--arch A] [--board B] [--json]" },
	{ "nightly", cmd_nightly, "nightly [--builds A,B] [--scenarios S,..] [--boards B,..]" },
	{ "bisect", cmd_bisect, "bisect SCENARIO --board B --good K --bad K [--json]  the first bad (or fixed) build" },
	{ "matrix", cmd_matrix, "matrix [--board B] [--json]           builds x scenarios" },
	{ "compare", cmd_compare, "compare BUILD_A BUILD_B [--json]     regressions and fixes" },
	{ "export", cmd_export, "export junit|kcidb [--build NAME]    results on stdout" },
	{ "console", cmd_console, "console BOARD [--raw]              live console, read-only (any host's board)" },
	{ "console", cmd_console, "console BOARD --web [--json]       a link to type at it in a browser (its holder)" },
	{ "triage", cmd_triage, "triage [--json] FILE...            crash reports in console logs" },
	{ "wait", cmd_wait, "wait rigd|board B STATE|run N|queue|reload N|survey N|store --ok ... [--timeout S]  until it holds" },
	{ "board", cmd_board, "board import-labgrid ENV.yaml [--target T] [-o FILE]  board file from labgrid (offline)" },
	{ "board", cmd_board, "board forget-key BOARD  drop the board's pinned SSH host key" },
	{ "ping", cmd_ping, "ping                               is rigd there" },
};

static void
rigctl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rigctl [-s SOCKET] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < UTIL_NELEM(rigctl_cmds); i++)
		fprintf(f, "  %s\n", rigctl_cmds[i].help);
	fprintf(f, "\nThe socket is -s, else $RIG_SOCKET, else /var/lib/rig/rigd.sock.\n"
	    "Exit status: 0 pass, 1 the kernel hung, crashed or failed, 2 lab or usage error.\n"
	    "See rigctl(1).\n");
}

void
rigctl_print_json(const cJSON *o)
{
	char *s = cJSON_Print(o);

	printf("%s\n", s);
	free(s);
}

const char *
rigctl_str(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

void
rigctl_request(struct rigctl_conn *c, cJSON *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	void (*pipe_was)(int);
	char *s;
	int rc, e;

	if (util_strlcpy(sa.sun_path, rigctl_socket, sizeof(sa.sun_path)) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "rigctl: %s: socket path too long\n", rigctl_socket);
		exit(rigctl_fail_exit);
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd == -1 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		struct stat st;
		struct group *gr;

		/* The socket is for a group: say which, so the user knows what to ask for. */
		e = errno;
		if (e == EACCES && stat(rigctl_socket, &st) == 0 &&
		    (gr = getgrgid(st.st_gid)) != NULL)
			fprintf(stderr, "rigctl: cannot reach rigd at %s: %s (the socket is for"
			    " group %s)\n", rigctl_socket, strerror(e), gr->gr_name);
		else
			fprintf(stderr, "rigctl: cannot reach rigd at %s: %s\n", rigctl_socket,
			    strerror(e));
		exit(rigctl_fail_exit);
	}
	cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
	s = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	/*
	 * rigd may have refused the connection (and said why) before the request was sent: the
	 * write may find it closed, and what rigd said is read before giving up.
	 */
	pipe_was = signal(SIGPIPE, SIG_IGN);
	rc = proto_write_frame(c->fd, PROTO_JSON, s, strlen(s));
	e = errno;
	signal(SIGPIPE, pipe_was);
	if (rc == -1) {
		cJSON *msg = NULL;
		char *data;
		size_t len;

		if (rigctl_next(c, &msg, &data, &len) == 1)
			rigctl_check_result(msg);
		fprintf(stderr, "rigctl: %s: %s\n", rigctl_socket, strerror(e));
		exit(rigctl_fail_exit);
	}
	free(s);
}

enum proto_event
rigctl_type(cJSON *msg)
{
	return proto_event_parse(rigctl_str(msg, "type"));
}

/*
 * $RIG_EVENT_LOG: every message type received from rigd is appended to that file, one per line,
 * so the test suite can tell which events rigd sent (and which it documents but never sends).
 */
static void
rigctl_log_event(cJSON *msg)
{
	const char *path = getenv("RIG_EVENT_LOG");
	char line[80];
	int fd, n;

	if (path == NULL || *path == '\0')
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd == -1)
		return;
	/* One write per line: O_APPEND keeps lines whole when several rigctl write at once. */
	/* A message without a type is logged as such: the events test counts it as undocumented. */
	n = snprintf(line, sizeof(line), "%.70s\n",
	    *rigctl_str(msg, "type") ? rigctl_str(msg, "type") : "(none)");
	if (write(fd, line, (size_t)n) != n)
		fprintf(stderr, "rigctl: %s: %s\n", path, strerror(errno));
	close(fd);
}

int
rigctl_next(struct rigctl_conn *c, cJSON **msg, char **data, size_t *len)
{
	char *payload;
	int type, rc;

	rc = proto_read_frame(c->fd, &rigctl_in, PROTO_MAX_FRAME, &type, &payload, len);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "rigctl: broken reply from rigd\n");
		exit(rigctl_fail_exit);
	}
	if (type == PROTO_CONSOLE || type == PROTO_DATA) {
		*data = payload;
		return type == PROTO_CONSOLE ? 2 : 3;
	}
	*msg = cJSON_Parse(payload);
	free(payload);
	if (*msg == NULL) {
		fprintf(stderr, "rigctl: rigd sent something that is not JSON\n");
		exit(rigctl_fail_exit);
	}
	rigctl_log_event(*msg);
	return 1;
}

size_t
rigctl_buffered(void)
{
	return rigctl_in.len;
}

void
rigctl_close(struct rigctl_conn *c)
{
	close(c->fd);
	proto_buf_free(&rigctl_in);
}

void
rigctl_check_result(cJSON *msg)
{
	if (proto_status_parse(rigctl_str(msg, "status")) == PROTO_STATUS_OK)
		return;
	fprintf(stderr, "rigctl: %s: %s\n", rigctl_str(msg, "status"), rigctl_str(msg, "error"));
	exit(rigctl_fail_exit);
}

/* A "progress" event (a build's download or unpacking): on a terminal's progress line. */
static void
rigctl_progress(cJSON *msg)
{
	cJSON *d = cJSON_GetObjectItem(msg, "done"), *t = cJSON_GetObjectItem(msg, "total");
	double done = cJSON_IsNumber(d) ? d->valuedouble : 0, total = cJSON_IsNumber(t) ?
	    t->valuedouble : 0;
	const char *what = rigctl_str(msg, "what");

	switch (busy_phase_parse(rigctl_str(msg, "phase"))) {
	case BUSY_DOWNLOAD:
		if (total > 0 && done >= total)
			progress_show("downloaded %s: %.1f MB", what, done / 1e6);
		else if (total > 0)	/* apt's per cent of the size the archive's index gives */
			progress_show("downloading %s: %.0f%% (%.1f of %.1f MB)", what,
			    100.0 * done / total, done / 1e6, total / 1e6);
		else
			progress_show("downloading %s ...", what);
		break;
	case BUSY_UNPACK:
		progress_show("unpacking %s: %.0f%% (%.1f of %.1f MB)", what,
		    total > 0 ? 100.0 * done / total : 0.0, done / 1e6, total / 1e6);
		break;
	default:
		break;		/* a phase a newer rigd knows */
	}
}

cJSON *
rigctl_call(cJSON *req)
{
	struct rigctl_conn c;
	cJSON *msg = NULL;
	char *data;
	size_t len;

	rigctl_request(&c, req);
	while (rigctl_next(&c, &msg, &data, &len) == 1) {
		if (rigctl_type(msg) == PROTO_EV_RESULT) {
			progress_clear();
			rigctl_check_result(msg);
			rigctl_close(&c);
			return msg;
		}
		if (rigctl_type(msg) == PROTO_EV_PROGRESS) {
			rigctl_progress(msg);
		} else if (*rigctl_str(msg, "msg")) {
			progress_clear();
			fprintf(stderr, "  %s\n", rigctl_str(msg, "msg"));
		}
		cJSON_Delete(msg);
	}
	progress_clear();
	fprintf(stderr, "rigctl: rigd hung up\n");
	exit(RIGCTL_LAB_ERROR);
}

cJSON *
rigctl_call_stream(cJSON *req, FILE *out)
{
	struct rigctl_conn c;
	struct proto_buf text = { 0 };
	cJSON *msg = NULL, *body;
	char *data;
	size_t len;
	int rc;

	cJSON_AddTrueToObject(req, "stream");
	rigctl_request(&c, req);
	while ((rc = rigctl_next(&c, &msg, &data, &len)) != 0) {
		if (rc == 3 && out) {
			/* Written as it comes: no cap on what an export may add up to. */
			if (fwrite(data, 1, len, out) != len) {
				fprintf(stderr, "rigctl: standard output: %s\n", strerror(errno));
				exit(RIGCTL_LAB_ERROR);
			}
		} else if (rc == 3)
			proto_buf_append(&text, data, len);
		if (rc != 1) {
			free(data);
			continue;
		}
		if (rigctl_type(msg) == PROTO_EV_RESULT) {
			/* Only the result says the text is whole: an error after part of it fails. */
			rigctl_check_result(msg);
			cJSON_Delete(msg);
			rigctl_close(&c);
			if (out) {
				if (fflush(out) == EOF) {
					fprintf(stderr, "rigctl: standard output: %s\n",
					    strerror(errno));
					exit(RIGCTL_LAB_ERROR);
				}
				return NULL;
			}
			proto_buf_append(&text, "", 1);
			body = cJSON_Parse(text.data);
			proto_buf_free(&text);
			if (body == NULL) {
				fprintf(stderr, "rigctl: rigd sent something that is not JSON\n");
				exit(RIGCTL_LAB_ERROR);
			}
			return body;
		}
		if (*rigctl_str(msg, "msg"))
			fprintf(stderr, "  %s\n", rigctl_str(msg, "msg"));
		cJSON_Delete(msg);
	}
	fprintf(stderr, "rigctl: rigd hung up\n");
	exit(RIGCTL_LAB_ERROR);
}

int
cmd_ping(int argc, char **argv)
{
	cJSON *req, *res;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: rigctl ping\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "ping");
	res = rigctl_call(req);
	printf("rigd pid %d, protocol %d, state %s\n", cJSON_GetObjectItem(res, "pid")->valueint,
	    cJSON_GetObjectItem(res, "version")->valueint, rigctl_str(res, "state"));
	cJSON_Delete(res);
	return RIGCTL_PASS;
}

int
main(int argc, char **argv)
{
	size_t i;
	int ch;

	rigctl_socket = getenv("RIG_SOCKET");
	if (rigctl_socket == NULL || *rigctl_socket == '\0')
		rigctl_socket = "/var/lib/rig/rigd.sock";
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		rigctl_usage(stdout);
		return 0;
	}
	/* Options before the command are rigctl's; the rest belong to the command. */
	while ((ch = getopt(argc, argv, "+hs:")) != -1) {
		switch (ch) {
		case 's': rigctl_socket = optarg; break;
		case 'h': rigctl_usage(stdout); return 0;
		default: rigctl_usage(stderr); return RIGCTL_LAB_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		rigctl_usage(stderr);
		return RIGCTL_LAB_ERROR;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0) {
		rigctl_usage(stdout);
		return 0;
	}
	for (i = 0; i < UTIL_NELEM(rigctl_cmds); i++) {
		if (strcmp(argv[0], rigctl_cmds[i].name) == 0) {
			optind = 0;	/* glibc: 0 starts getopt afresh (new optstring, permuting) */
			return rigctl_cmds[i].fn(argc, argv);
		}
	}
	fprintf(stderr, "rigctl: unknown command %s\n", argv[0]);
	rigctl_usage(stderr);
	return RIGCTL_LAB_ERROR;
}
