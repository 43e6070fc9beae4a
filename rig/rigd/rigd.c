/* rigd: the rig's daemon: reads board and scenario files, starts one thread per board, serves rigctl. */
#include "rigd.h"
#include "control_admit.h"
#include "log.h"
#include "parts.h"
#include "peer.h"
#include "queue.h"
#include "remote.h"
#include "storebuf.h"
#include "storeq.h"
#include "unrecorded.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <unistd.h>

static struct rigd rigd;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: rigd [-dnqv] [-S statedir] [-s socket] [-b boardsdir] [-c scenariosdir]\n"
	    "            [-f firmwaredir] [-C cachedir] [-B board,...] [-l logfile]\n"
	    "            [-L size[,total]]\n"
	    "            [-H [address:]port] [-D dashboardsdir] [-T address]\n"
	    "            [-g group] [-a admingroup] [-m connections] [-i seconds]\n"
	    "            [--store path|postgresql://...] [--host-name name]\n"
	    "            [--heartbeat seconds]\n");
	exit(2);
}

/* Long options, past every byte a short one can be. */
enum { RIGD_OPT_STORE = 256, RIGD_OPT_HOST, RIGD_OPT_HEARTBEAT };

static const struct option rigd_long_opts[] = {
	/* The store: a SQLite file's path (statedir/rig.db unless given) or a libpq URI. */
	{ "store", required_argument, NULL, RIGD_OPT_STORE },
	/* This host's name in the lab (the system's host name unless given), its beat's period. */
	{ "host-name", required_argument, NULL, RIGD_OPT_HOST },
	{ "heartbeat", required_argument, NULL, RIGD_OPT_HEARTBEAT },
	{ NULL, 0, NULL, 0 },
};

/* A count option's value, from 1 to max; anything else is a usage error naming it. */
static int
rigd_count(int opt, const char *arg, long max)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "rigd: -%c %s: not a number from 1 to %ld\n", opt, arg, max);
		exit(2);
	}
	return (int)v;
}

static int
rigd_yaml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

static int
rigd_load_boards(const char *dir, struct board_conf **out, struct conf_errors *errs)
{
	struct dirent **names;
	struct board_conf *b;
	int n, i, j, k = 0, bad = 0;

	n = scandir(dir, &names, rigd_yaml_name, alphasort);
	if (n == -1) {
		conf_errors_add(errs, dir, 0, "%s", strerror(errno));
		return -1;
	}
	b = xcalloc((size_t)n + 1, sizeof(*b));
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];
		util_fmt(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (board_conf_load(path, &b[k], errs) == 0) {
			for (j = 0; j < k; j++)
				if (strcmp(b[j].name, b[k].name) == 0) {
					conf_errors_add(errs, path, b[k].line,
					    "board %s already defined in %s", b[k].name, b[j].file);
					bad = 1;
				}
			k++;
		} else
			bad = 1;
		free(names[i]);
	}
	free(names);
	if (bad) {
		free(b);
		return -1;
	}
	*out = b;
	return k;
}

/* "64M,2G" (K, M, G: binary; none: bytes; 0: no cap): 0, or -1 when it is not that. */
static int
rigd_caps(const char *s, int64_t *boot, int64_t *total)
{
	int64_t *dst[2] = { boot, total };
	char *end;
	int i;

	for (i = 0; i < 2; i++) {
		long long v = strtoll(s, &end, 10);

		if (end == s || v < 0)
			return -1;
		switch (*end) {
		case 'K': v <<= 10; end++; break;
		case 'M': v <<= 20; end++; break;
		case 'G': v <<= 30; end++; break;
		}
		*dst[i] = v;
		if (*end == '\0')
			return 0;
		if (*end != ',' || i == 1)
			return -1;
		s = end + 1;
	}
	return -1;
}

static void
rigd_signal(int sig)
{
	if (sig == SIGHUP)
		rigd.reload = 1;
	else
		rigd.quit = 1;
}

static void
rigd_abspath(char *dst, size_t len, const char *src)
{
	char buf[PATH_MAX];

	if (src[0] == '/' || getcwd(buf, sizeof(buf)) == NULL)
		util_strlcpy(dst, src, len);
	else
		util_fmt(dst, len, "%s/%s", buf, src);
}

/*
 * A board holds its console, its log and, behind a console server, a socket pair: a few hundred
 * boards pass the usual soft limit of 1024 descriptors. rigd waits with poll() only (no
 * select(), nothing bound to FD_SETSIZE), so the soft limit is raised towards the hard one
 * (to RIGD_NOFILE at most: a limit of a billion makes anything that walks every descriptor slow).
 */
#define RIGD_NOFILE	65536

static void
rigd_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < RIGD_NOFILE &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < RIGD_NOFILE ? rl.rlim_max : RIGD_NOFILE;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("raising the open file limit");
	}
}

/* A board with a run left open by a stopped rigd: named once in arg's array. */
static int
rigd_stale_board(const struct store_run_row *run, void *arg)
{
	cJSON *it, *o;

	cJSON_ArrayForEach(it, (cJSON *)arg)
		if (strcmp(cJSON_GetObjectItem(it, "board")->valuestring, run->board) == 0)
			return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", run->board);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rigd *r = &rigd;
	struct conf_errors errs = { 0 };
	struct board_conf *confs = NULL;
	struct sigaction sa;
	const char *state = "/var/lib/rig", *sock = NULL, *boards = "boards";
	const char *scens = "scenarios", *fw = "firmware", *cache = getenv("RIG_CACHE");
	const char *only = NULL, *logfile = NULL, *httpaddr = NULL, *dash = "dashboards";
	const char *caps = "64M,2G";	/* -L: a boot's console log, all of them */
	/* Consoles are shared on loopback unless the operator says otherwise (-T). */
	const char *shareaddr = "127.0.0.1";
	/* The control socket's group and the admin group (NULL: peer.h's, if the host has them). */
	const char *group = NULL, *admin = NULL;
	const char *storeat = NULL;	/* --store; NULL: statedir/rig.db */
	const char *hostname = NULL;	/* --host-name; NULL: gethostname */
	int heartbeat = 10;		/* --heartbeat, seconds */
	char *end;
	int per_uid = 0, idle = 0;
	char path[PATH_MAX], err[512];
	int ch, foreground = 0, check = 0, quiet = 0, verbose = 0, nconfs, i, lockfd, interrupted;
	struct store_runs_filter running = { .running = 1 };
	cJSON *stale;

	while ((ch = getopt_long(argc, argv, "a:B:b:C:c:D:df:g:H:hi:L:l:m:nqS:s:T:v",
	    rigd_long_opts, NULL)) != -1) {
		switch (ch) {
		case RIGD_OPT_STORE: storeat = optarg; break;
		case RIGD_OPT_HOST: hostname = optarg; break;
		case RIGD_OPT_HEARTBEAT:
			heartbeat = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || heartbeat < 1 || heartbeat > 3600) {
				fprintf(stderr, "rigd: --heartbeat %s: not a number of seconds from 1"
				    " to 3600\n", optarg);
				return 2;
			}
			break;
		case 'a': admin = optarg; break;
		case 'g': group = optarg; break;
		case 'i': idle = rigd_count('i', optarg, 86400); break;
		case 'm': per_uid = rigd_count('m', optarg, 100000); break;
		case 'D': dash = optarg; break;
		case 'H': httpaddr = optarg; break;
		case 'B': only = optarg; break;
		case 'b': boards = optarg; break;
		case 'C': cache = optarg; break;
		case 'c': scens = optarg; break;
		case 'd': foreground = 1; break;
		case 'f': fw = optarg; break;
		case 'L': caps = optarg; break;
		case 'l': logfile = optarg; break;
		case 'n': check = 1; break;
		case 'q': quiet = 1; break;
		case 'S': state = optarg; break;
		case 's': sock = optarg; break;
		case 'T': shareaddr = optarg; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (hostname == NULL) {
		if (gethostname(r->host, sizeof(r->host)) == -1)
			util_strlcpy(r->host, "localhost", sizeof(r->host));
		r->host[sizeof(r->host) - 1] = '\0';
	} else if (hostname[0] == '\0' || strlen(hostname) >= sizeof(r->host)) {
		fprintf(stderr, "rigd: --host-name %s: from 1 to %zu bytes\n", hostname,
		    sizeof(r->host) - 1);
		return 2;
	} else
		util_strlcpy(r->host, hostname, sizeof(r->host));
	r->heartbeat_ms = (int64_t)heartbeat * 1000;
	if (rigd_caps(caps, &r->console_cap, &r->console_total) == -1) {
		fprintf(stderr, "rigd: -L %s: want SIZE[,TOTAL] sizes such as 64M,2G (0: no cap)\n",
		    caps);
		return 1;
	}
	log_init("rigd", 0, verbose);
	rigd_nofile();

	nconfs = rigd_load_boards(boards, &confs, &errs);
	r->nscens = scenset_load(scens, &r->scens, &errs);
	if (nconfs < 0 || r->nscens < 0) {
		conf_errors_print(&errs, stderr);
		fprintf(stderr, "rigd: %d error%s in board and scenario files\n", errs.n,
		    errs.n == 1 ? "" : "s");
		return 1;
	}
	if (only) {
		/* A copy of its own size: hundreds of names are checked, none cut off. */
		char *buf = xstrdup(only), *tok, *save;

		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			for (i = 0; i < nconfs && strcmp(confs[i].name, tok) != 0; i++)
				;
			if (i == nconfs) {
				fprintf(stderr, "rigd: -B %s: no such board in %s\n", tok, boards);
				free(buf);
				return 1;
			}
		}
		free(buf);
	}
	if (check) {
		struct conf_errors refused = { 0 };
		struct parts_ops ops;

		/*
		 * A board naming a part this rigd lacks, or one not on this host, is refused (said
		 * on stderr as file:line, even with -q); the others would still be served, so that
		 * is no error.
		 */
		if (quiet) {
			for (i = 0; i < nconfs; i++)
				if (plan_selected(only, confs[i].name)) {
					parts_resolve(&confs[i], &ops, &refused);
					parts_probe(&confs[i], &ops, &refused);
				}
			conf_errors_print(&refused, stderr);
			conf_errors_free(&refused);
			free(confs);
			return 0;
		}
		if (storeat)
			util_strlcpy(path, storeat, sizeof(path));
		else
			util_fmt(path, sizeof(path), "%s/rig.db", state);
		plan_print(stdout, confs, nconfs, only, r->scens, r->nscens, path, verbose);
		free(confs);
		return 0;
	}

	rigd_abspath(r->statedir, sizeof(r->statedir), state);
	rigd_abspath(r->boardsdir, sizeof(r->boardsdir), boards);
	rigd_abspath(r->scendir, sizeof(r->scendir), scens);
	rigd_abspath(r->firmwaredir, sizeof(r->firmwaredir), fw);
	rigd_abspath(r->dashdir, sizeof(r->dashdir), dash);
	if (cache)
		rigd_abspath(r->cachedir, sizeof(r->cachedir), cache);
	else
		util_fmt(r->cachedir, sizeof(r->cachedir), "%s/cache", r->statedir);
	if (sock)
		rigd_abspath(r->sockpath, sizeof(r->sockpath), sock);
	else
		util_fmt(r->sockpath, sizeof(r->sockpath), "%s/rigd.sock", r->statedir);
	util_fmt(r->keyfile, sizeof(r->keyfile), "%s/id_ed25519", r->statedir);
	util_strlcpy(r->share_addr, shareaddr, sizeof(r->share_addr));
	/*
	 * Everything rigd and its children create is born without access for others: the state
	 * folder 0750, the database, logs and images 0640 (keys ask for 0600 themselves). Set
	 * before the first file, whatever umask rigd was started with; the few things others
	 * must read say so (the TFTP folder, the socket).
	 */
	umask(027);
	if (util_mkdirs(r->statedir) == -1 || util_mkdirs(r->cachedir) == -1)
		fatal("%s", r->statedir);

	/* One rigd per state directory: a second would fight over boards and the database. */
	util_fmt(path, sizeof(path), "%s/rigd.pid", r->statedir);
	lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lockfd == -1 || flock(lockfd, LOCK_EX | LOCK_NB) == -1)
		fatalx("%s: another rigd serves this state directory", r->statedir);
	/*
	 * The socket is bound before anything else is touched: a second rigd on it stops here,
	 * said on the terminal. It listens once the boards are served.
	 */
	if (peer_setup(group, admin, err, sizeof(err)) == -1)
		fatalx("%s", err);
	/*
	 * The socket in the state folder (0750): the folder goes to the rig group so its members
	 * can reach the socket; what the folder holds stays rigd's (0640, group rigd's own).
	 */
	if (sock == NULL && peer_group_gid() != -1 &&
	    chown(r->statedir, (uid_t)-1, (gid_t)peer_group_gid()) == -1)
		fatal("%s", r->statedir);
	control_admit_setup(per_uid, idle);
	if (control_bind(r) == -1)
		return 1;
	if (!foreground) {
		if (daemon(1, 0) == -1)
			fatal("daemon");
		if (!logfile)
			log_init("rigd", 1, verbose);
	}
	/* In the foreground too: the file SIGHUP opens again (logrotate) is the one named. */
	if (logfile && log_file(logfile) == -1)
		fatal("%s", logfile);
	if (ftruncate(lockfd, 0) == 0)
		dprintf(lockfd, "%d\n", (int)getpid());

	if (storeat == NULL)
		util_fmt(path, sizeof(path), "%s/rig.db", r->statedir);
	else if (store_is_uri(storeat))
		util_strlcpy(path, storeat, sizeof(path));
	else
		rigd_abspath(path, sizeof(path), storeat);
	r->store = store_open(path, err, sizeof(err));
	if (r->store == NULL)
		fatalx("%s", err);
	if (remote_keygen(r->keyfile, err, sizeof(err)) == -1)
		fatalx("%s", err);
	/*
	 * The lab learns this host and its boards first: what follows recovers only this host's
	 * runs and jobs, never those of another host sharing the store.
	 */
	{
		const char **names = xcalloc((size_t)nconfs + 1, sizeof(*names));
		int n = 0;

		for (i = 0; i < nconfs; i++)
			if (plan_selected(only, confs[i].name))
				names[n++] = confs[i].name;
		if (hosts_register(r, names, n) == -1)
			log_warnx("host %s and its boards could not be registered in the store",
			    r->host);
		free(names);
	}
	/* Writes a previous rigd spooled while PostgreSQL was away are written first, in order. */
	storebuf_start(r->store, r->statedir, r->host);
	/* Ends the store refused before a stop are stored first: those runs are not interrupted. */
	if ((i = unrecorded_start(r->store, r->statedir)) > 0)
		log_info("%d run end(s) the store had refused are stored now", i);
	/* Runs a killed rigd left open are closed as errors; their boards are brought back. */
	stale = cJSON_CreateArray();
	if (store_runs_list(r->store, &running, rigd_stale_board, stale) == -1)
		log_warnx("the runs a stopped rigd left open could not be read");
	interrupted = store_runs_interrupt(r->store);
	if (interrupted == -1)
		log_warnx("the runs a stopped rigd left open could not be closed");
	else if (interrupted > 0)
		log_warnx("%d run(s) were interrupted by a stopped rigd: recorded as errors",
		    interrupted);
	/* The nightly queue goes on where it stopped: nothing lost, nothing run twice. */
	i = queue_recover(r->store);
	if (i == -1)
		log_warnx("nightly queue: jobs left running could not be requeued");
	else if (i > 0)
		log_info("nightly queue: %d job(s) requeued after the restart", i);

	if (pipe(r->wake) == -1 || util_fd_nonblock(r->wake[0]) == -1 ||
	    util_fd_nonblock(r->wake[1]) == -1)
		fatal("pipe");
	pthread_mutex_init(&r->outbox_lock, NULL);
	pthread_mutex_init(&r->scens_lock, NULL);
	scenset_install(r, r->scens, r->nscens);
	/* The boards report through this sink: the control side serves it, they never call it. */
	control_sink(r, &r->sink);
	if (storeq_start(r->store) == -1)
		fatal("store writer thread");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = rigd_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	r->boards = xcalloc((size_t)nconfs + 1, sizeof(*r->boards));
	for (i = 0; i < nconfs; i++) {
		if (!plan_selected(only, confs[i].name))
			continue;
		r->boards[r->nboards] = board_new(r, &confs[i]);
		/* A port that cannot be had leaves the board unshared, said in show boards. */
		console_share_open(r->boards[r->nboards], r->share_addr);
		if (board_start(r->boards[r->nboards]) == -1)
			fatal("thread for %s", confs[i].name);
		r->nboards++;
	}
	free(confs);
	/* Registered (hosts_register) before the boards began: where their consoles are now. */
	if (r->store != NULL && r->nboards > 0)
		hosts_consoles(r);
	for (i = 0; stale && i < cJSON_GetArraySize(stale); i++) {
		cJSON *name = cJSON_GetObjectItem(cJSON_GetArrayItem(stale, i), "board");
		struct board *b = cJSON_IsString(name) ? board_find(r, name->valuestring) : NULL;
		if (b) {
			struct board_job *job = xcalloc(1, sizeof(*job));
			job->kind = JOB_POWER;
			util_strlcpy(job->action, "cycle", sizeof(job->action));
			board_enqueue(b, job);
		}
	}
	cJSON_Delete(stale);
	/* A survey cut short goes on where it stopped (after the power cycle above, if any). */
	if ((i = survey_resume_queue(r)) == -1)
		log_warnx("the surveys a stopped rigd left running could not be read");
	else if (i > 0)
		log_info("%d survey(s) resumed after the restart", i);

	/* Logs of earlier runs of rigd count against the lab's total from the start. */
	console_logs_sweep(r);
	labwake_start(r);
	if (control_listen(r) == -1)
		return 1;
	if (httpaddr && http_start(r, httpaddr) == -1)
		return 1;
	log_info("serving %d board(s), %d scenario(s) on %s", r->nboards, r->nscens, r->sockpath);
	control_loop(r);

	log_info("stopping");
	http_stop();
	labrun_stop();
	labwake_stop();
	unlink(r->sockpath);
	/*
	 * Board threads are told to stop (no new boot, no new job), then their boards lose power,
	 * which ends whatever step or boot was waiting on them; then the threads are joined.
	 */
	for (i = 0; i < r->nboards; i++)
		board_stop_begin(r->boards[i]);
	for (i = 0; i < r->nboards; i++)
		board_cut(r->boards[i]);
	for (i = 0; i < r->nboards; i++)
		board_stop(r->boards[i]);
	storeq_stop();
	storebuf_stop();
	if ((i = unrecorded_retry(r->store)) > 0)
		log_warnx("%d run end(s) still refused by the store: kept in %s/unrecorded-runs for"
		    " the next start", i, r->statedir);
	/* Runs the threads could not close are recorded as interrupted. */
	if (store_runs_interrupt(r->store) == -1)
		log_warnx("runs cut short could not be recorded as interrupted");
	return 0;
}
