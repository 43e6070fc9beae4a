/* cmd_wait: rigctl wait: blocks until rigd answers, a board reaches a state or its host beats or falls silent, a run progresses, the queue drains, a reload or a survey is done, or the store is ok. */
#include "rigctl.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CMD_WAIT_USAGE \
	"usage: rigctl wait rigd [--pid PID] [--timeout S]\n" \
	"       rigctl wait board BOARD STATE [--timeout S]\n" \
	"       rigctl wait board BOARD --host-alive true|false [--timeout S]\n" \
	"       rigctl wait run ID [--steps K | --done] [--timeout S]\n" \
	"       rigctl wait queue [--empty | --finished N] [--timeout S]\n" \
	"       rigctl wait reload N [--timeout S]\n" \
	"       rigctl wait survey ID [--timeout S]\n" \
	"       rigctl wait store --ok [--timeout S]\n"

/* 1 when rigd accepts a connection on the socket now. */
static int
cmd_wait_connects(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ok;

	if (util_strlcpy(sa.sun_path, rigctl_socket, sizeof(sa.sun_path)) >= sizeof(sa.sun_path))
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/*
 * Until rigd listens: there is nobody to ask yet, so the socket's directory is watched. rigd
 * gives the socket its mode once it listens (an IN_ATTRIB); each change is a try.
 */
static int
cmd_wait_rigd(long pid, int64_t deadline)
{
	char dir[PATH_MAX], buf[4096] __attribute__((aligned(8)));
	char *slash;
	int fd;

	util_strlcpy(dir, rigctl_socket, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == NULL)
		util_strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd == -1 || inotify_add_watch(fd, dir, IN_CREATE | IN_ATTRIB | IN_MOVED_TO) == -1) {
		fprintf(stderr, "rigctl: wait: cannot watch %s: %s\n", dir, strerror(errno));
		return RIGCTL_LAB_ERROR;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - util_now_ms();
		int ms;

		if (cmd_wait_connects()) {
			close(fd);
			return RIGCTL_PASS;
		}
		if (pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH) {
			fprintf(stderr, "rigctl: wait: rigd (pid %ld) exited\n", pid);
			break;
		}
		if (left <= 0) {
			fprintf(stderr, "rigctl: wait: rigd did not answer at %s in time\n",
			    rigctl_socket);
			break;
		}
		/* A process that exits makes no event here: with --pid, look again each second. */
		ms = left > 1000 && pid > 0 ? 1000 : (int)(left > INT_MAX ? INT_MAX : left);
		if (poll(&p, 1, ms) > 0)
			while (read(fd, buf, sizeof(buf)) > 0)
				;
	}
	close(fd);
	return RIGCTL_LAB_ERROR;
}

int
cmd_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ "steps", required_argument, NULL, 's' },
		{ "done", no_argument, NULL, 'd' },
		{ "finished", required_argument, NULL, 'f' },
		{ "empty", no_argument, NULL, 'e' },
		{ "host-alive", required_argument, NULL, 'a' },
		{ "ok", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *what;
	double timeout = 60;
	long pid = 0, steps = -1, finished = -1;
	int empty = 0, done = 0, alive = -1, ok = 0, ch, nargs;
	cJSON *req, *res;

	while ((ch = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 't': timeout = strtod(optarg, NULL); break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 's': steps = strtol(optarg, NULL, 10); break;
		case 'd': done = 1; break;
		case 'f': finished = strtol(optarg, NULL, 10); break;
		case 'e': empty = 1; break;
		case 'o': ok = 1; break;
		case 'a':
			alive = strcmp(optarg, "true") == 0 ? 1 : strcmp(optarg, "false") == 0 ? 0 :
			    -2;
			break;
		case 'h': printf(CMD_WAIT_USAGE); return RIGCTL_PASS;
		default: fprintf(stderr, CMD_WAIT_USAGE); return RIGCTL_LAB_ERROR;
		}
	}
	nargs = argc - optind;
	what = nargs > 0 ? argv[optind] : "";
	if (timeout <= 0 || timeout > 86400 ||
	    !((strcmp(what, "rigd") == 0 && nargs == 1) ||
	    (strcmp(what, "board") == 0 && nargs == 3 && alive == -1) ||
	    (strcmp(what, "board") == 0 && nargs == 2 && alive >= 0) ||
	    (strcmp(what, "run") == 0 && nargs == 2 && (steps >= 0) != done) ||
	    (strcmp(what, "queue") == 0 && nargs == 1 && empty != (finished >= 0)) ||
	    (strcmp(what, "reload") == 0 && nargs == 2) ||
	    (strcmp(what, "survey") == 0 && nargs == 2) ||
	    (strcmp(what, "store") == 0 && nargs == 1 && ok)) ||
	    /* --ok is the store's alone: another wait given it was mistyped. */
	    (ok && strcmp(what, "store") != 0)) {
		fprintf(stderr, CMD_WAIT_USAGE);
		return RIGCTL_LAB_ERROR;
	}
	if (strcmp(what, "rigd") == 0)
		return cmd_wait_rigd(pid, util_now_ms() + (int64_t)(timeout * 1000));

	/* rigd holds the request until the condition holds or the time is up. */
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "wait");
	cJSON_AddStringToObject(req, "what", what);
	cJSON_AddNumberToObject(req, "timeout_ms", timeout * 1000);
	if (strcmp(what, "board") == 0) {
		cJSON_AddStringToObject(req, "board", argv[optind + 1]);
		/* Whether the board's host beats, as rigd's own heartbeat last read the lab. */
		if (alive >= 0)
			cJSON_AddBoolToObject(req, "host_alive", alive);
		else
			cJSON_AddStringToObject(req, "state", argv[optind + 2]);
	} else if (strcmp(what, "run") == 0) {
		cJSON_AddNumberToObject(req, "run", strtod(argv[optind + 1], NULL));
		if (steps >= 0)
			cJSON_AddNumberToObject(req, "steps", (double)steps);
		else
			cJSON_AddBoolToObject(req, "done", 1);
	} else if (strcmp(what, "reload") == 0) {
		cJSON_AddNumberToObject(req, "reloads", strtod(argv[optind + 1], NULL));
	} else if (strcmp(what, "survey") == 0) {
		cJSON_AddNumberToObject(req, "survey", strtod(argv[optind + 1], NULL));
	} else if (strcmp(what, "store") == 0) {
		/* Reachable and nothing spooled, as rigd's own writes last found it (show boards' store). */
		cJSON_AddBoolToObject(req, "ok", 1);
	} else {
		if (empty)
			cJSON_AddBoolToObject(req, "empty", 1);
		else
			cJSON_AddNumberToObject(req, "finished", (double)finished);
	}
	res = rigctl_call(req);
	if (*rigctl_str(res, "now"))
		printf("%s\n", rigctl_str(res, "now"));
	cJSON_Delete(res);
	return RIGCTL_PASS;
}
