/*
 * store: what the rig records (builds, boards, runs, steps, crashes, events, the nightly queue),
 * behind typed functions; callers never see SQL.
 *
 * The files, by responsibility:
 *   store.h          this API: typed rows and callbacks, no SQL, no JSON
 *   store_int.h      what the store's files share: the engine interface (struct store_engine)
 *                    and the statement API over it (store_stmt/store_step/store_col_*)
 *   store.c          open/close, the lock, the statement API, the numbered-migration runner,
 *                    the wake-ups between hosts (where the engine has them)
 *   store_sqlite.c   the SQLite engine, the only file that includes <sqlite3.h>: connection
 *                    (WAL, busy timeout), statements, and everything SQLite-only: the schema's
 *                    DDL as numbered migrations, the adoption of databases older than them
 *   store_pg.c       the PostgreSQL engine, the only file that includes <libpq-fe.h>: a
 *                    connection from a libpq URI, ? as $n, rows read one at a time (a large
 *                    listing is never held whole), the same migrations in its DDL
 *                    (reservations' no-overlap also an exclusion constraint)
 *   store_builds.c   builds: as boots report them and as rigctl build add registers them
 *   store_runs.c     runs and their steps, boards, board events, boots, actions
 *   store_cells.c    finished runs counted per build x board x scenario (what reports read)
 *   store_crashes.c  crash reports and the crash groups (title -> count, first/last run)
 *   store_queue.c    the nightly queue's rows (queue.c holds its API)
 *   store_reservations.c  reservations of board time, never two of one board at once
 *   store_hosts.c    the lab's hosts: registration, heartbeats, which host serves which board
 *   store_labrun.c   runs asked from another host: their queue rows, their events streamed back
 * The topic files write SQL that SQLite and PostgreSQL both run (ON CONFLICT, RETURNING,
 * coalesce, CASE; times are computed in C), so the PostgreSQL engine is store_pg.c with its
 * own migrations' DDL; store_open picks the engine by the name it is given (store_is_uri).
 *
 * Schema versions: table schema_version holds one row per migration applied (its number and
 * when). store_open applies the missing ones in order, in one write transaction. A database
 * made before numbered migrations (it has a runs table, maybe schema_steps, no schema_version)
 * is taken as version 0: migration 1 creates what it lacks and adds the columns schema_steps
 * added, so it then has today's version 1 schema exactly.
 *
 * Strings NULL in rows are SQL NULLs; integers that hold nothing are STORE_NULL. Rows given to
 * a callback are valid during the call only; a callback returns nonzero to stop the listing.
 * Every write returns 0 (or an id) on success and -1 on error, logged once by the store.
 */
#ifndef RIG_STORE_H
#define RIG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

struct store;

#define STORE_NULL	INT64_MIN	/* an integer column that holds nothing */

/* A kernel build as the board reported it, plus what the lab knows of its image. */
struct store_build {
	char	name[128];		/* Debian package name or lab build name */
	char	release[128];		/* uname -r */
	char	version[512];		/* /proc/version */
	char	arch[16];
	char	image_sha256[65];
	char	config_sha256[65];
	char	origin[256];		/* "debian:linux-image-6.1.0-56-amd64=6.1.192-1" */
};

/* Where a registered build's parts are and what it came from, beyond struct store_build. */
struct store_build_info {
	char	image_path[1024];
	char	dtb_dir[1024];
	char	modules_dir[1024];
	char	config_path[1024];
	char	package[128];
	char	package_version[64];
	char	image_version[512];	/* the version string inside the image, when it has one */
	char	options[256];		/* "DETECT_HUNG_TASK=y KASAN=n ...", see kbuild.h */
};

struct store_step {
	int			idx;
	char			action[32];
	char			arg[256];
	enum step_status	status;
	int64_t			started_ms;	/* since the run started */
	int64_t			duration_ms;
	char			output[1024];
};

struct store_run_end {
	enum verdict	 verdict;
	char		 title[256];
	const char	*detail;	/* free text: why (step, expectation, report text) */
	const char	*stack;		/* blocked task's stack or crash report */
	int64_t		 console_end;
};

/*
 * One crash or hang report. Groups are keyed by title (syzbot's rules); rig_title is the rig's
 * own subsystem-level title of the same bug ("INFO: task hung in i2c_del_adapter" where the
 * syzbot title says i801_remove), NULL or "" when there is none.
 */
struct store_crash {
	int64_t		 run;		/* 0 or less: not during a run */
	const char	*board;
	int64_t		 build_id;	/* 0 or less: unknown */
	const char	*title;
	const char	*rig_title;
	const char	*type, *frame;
	int		 corrupted;
	const char	*console_log;
	int64_t		 start, end;	/* bytes of console_log */
	const char	*text;
};

/* Opens (creating) the database and brings its schema to the latest version. NULL with err. */
struct store *store_open(const char *path, char *err, size_t errlen);
/*
 * 1 when where is a libpq connection URI (postgresql://, postgres://): the store is that
 * PostgreSQL database. Anything else is a SQLite file's path.
 */
int store_is_uri(const char *where);
/*
 * Opens an existing database to read only: nothing is made, migrated or written. A database
 * whose schema is older than this rigd's (it would be upgraded by store_open) is refused with
 * "PATH: schema N, this rigd upgrades it to M at start" in err (N is 0 for a database from
 * before numbered migrations), since the typed calls read the latest schema. NULL with err.
 */
struct store *store_open_readonly(const char *path, char *err, size_t errlen);
/*
 * A second connection to s's database that only reads, for a thread of its own (a long report
 * or export): it never waits for s's lock, and s's users never wait for it. The same schema
 * checks as store_open_readonly; NULL with err. Closed with store_close.
 */
struct store *store_reader(struct store *s, char *err, size_t errlen);
void store_close(struct store *s);
/*
 * The engine's words for the last failure in this thread ("database or disk is full"), ""
 * when none: for a message that says why a write was refused.
 */
const char *store_last_error(void);
/*
 * Whether the store takes writes now (a row written and rolled back): 0, or -1 with the reason
 * in store_last_error ("attempt to write a readonly database"). Before a board is booted for
 * a run; a full disk may still refuse the run's own rows (a rolled-back write needs no room).
 */
int store_writable(struct store *s);
/*
 * A write that may be tried again after a failure whose outcome was not seen (a connection
 * lost during its commit): fn's writes and key are committed together, in one write
 * transaction, so a key is applied once however often it is tried. fn's writes are stamped
 * at_ms (when they happened, not when they were applied; 0 now). fn returns 0, or -1 to undo.
 * 1 applied now, 0 applied before (nothing done), -1 error (nothing applied).
 */
typedef int store_keyed_fn(struct store *s, void *arg);
int store_keyed(struct store *s, const char *key, int64_t at_ms, store_keyed_fn *fn, void *arg);
/*
 * Forgets the keys of writes applied before before_ms: a record spooled that long ago cannot
 * still be waiting for its first try. How many, or -1.
 */
int store_keys_prune(struct store *s, int64_t before_ms);
/*
 * 1 when the store's connection is lost (PostgreSQL restarted or went away): its calls fail
 * at once, saying so, until store_reconnect makes a new one. Always 0 for SQLite.
 */
int store_lost(struct store *s);
/* 1 when the store's engine can lose its connection (PostgreSQL), 0 (SQLite). */
int store_can_lose(struct store *s);
/*
 * A new connection for a lost one: 0 (also when none was lost), -1 with err. Slow when the
 * server does not answer (libpq's connect timeout), so never on rigd's event loop; other
 * threads are not held up meanwhile (their calls fail at once on the lost connection).
 */
int store_reconnect(struct store *s, char *err, size_t errlen);
/* The schema version the database is at (the latest after store_open), -1 on error. */
int store_schema_version(struct store *s);

/* Builds */

/* Returns the build's id, adding it if new; -1 on error. */
int64_t store_build_get_or_add(struct store *s, const struct store_build *b);
/*
 * A build added by hand (rigctl build add): the same image digest is the same build, whatever
 * its name or version says; an existing row gets what it lacked. Returns the id, *added (may be
 * NULL) 1 when the row is new; -1 on error.
 */
int64_t store_build_register(struct store *s, const struct store_build *b,
    const struct store_build_info *info, int *added);
/* The build with this image digest (the oldest row if boots made several); 0 none, -1 error. */
int64_t store_build_find_image(struct store *s, const char *image_sha256);
/* What the board said a registered build runs (/proc/version), beside the registered version. */
int store_build_reported(struct store *s, int64_t build, const char *proc_version);

struct store_build_row {
	int64_t		 id;
	const char	*name, *release, *version, *arch, *image_sha256, *config_sha256, *origin;
	const char	*first_seen, *image_path, *dtb_dir, *modules_dir, *config_path, *package;
	const char	*package_version, *image_version, *options, *reported_version;
	const char	*registered;	/* NULL: only seen booting, not added by hand */
};
typedef int (*store_build_cb)(const struct store_build_row *b, void *arg);
/* Every build, by id; registered_only: those added by hand. Rows given, or -1. */
int store_builds(struct store *s, int registered_only, store_build_cb cb, void *arg);
/* 1 found (cb called), 0 none, -1 error. */
int store_build_get(struct store *s, int64_t id, store_build_cb cb, void *arg);

/* Boards and what happens to them */

int store_board_set(struct store *s, const char *board, const char *arch, const char *state,
    const char *reason);
int store_board_event(struct store *s, const char *board, const char *from, const char *to,
    const char *reason);
int store_action(struct store *s, long uid, const char *what);
/* One power-on: how long to the ready line and to SSH (ms, -1 unknown), and how it ended. */
int store_boot(struct store *s, const char *board, int64_t build_id, const char *why,
    const char *outcome, int64_t console_ready_ms, int64_t ready_ms, const char *console_log,
    const char *error);

/*
 * Board host keys, pinned on first use: key is the SSH host key's fingerprint as the board
 * showed it ("SHA256:..."). get: 1 found (key filled), 0 none pinned, -1 error. pin records a
 * board's first key (one already there stays: 0 either way). forget: how many were dropped
 * (0 or 1), -1 error.
 */
int store_hostkey_get(struct store *s, const char *board, char *key, size_t keylen);
int store_hostkey_pin(struct store *s, const char *board, const char *key);
int store_hostkey_forget(struct store *s, const char *board);

struct store_board_row {
	const char	*name, *arch, *state, *reason, *updated;
};
typedef int (*store_board_cb)(const struct store_board_row *b, void *arg);
/* Boards as last recorded, by name. Rows given, or -1. */
int store_boards(struct store *s, store_board_cb cb, void *arg);

struct store_board_event_row {
	int64_t		 id;
	const char	*board, *at, *from_state, *to_state, *reason;
};
typedef int (*store_board_event_cb)(const struct store_board_event_row *e, void *arg);
/* The latest board state changes, newest first, at most limit. Rows given, or -1. */
int store_board_events(struct store *s, int limit, store_board_event_cb cb, void *arg);

struct store_boot_row {
	int64_t		 id;
	const char	*board;
	int64_t		 build_id;		/* STORE_NULL without one */
	const char	*at, *why, *outcome;
	int64_t		 console_ready_ms, ready_ms;	/* STORE_NULL unknown */
	const char	*error;
	const char	*console_log;		/* the boot's console log */
};
typedef int (*store_boot_cb)(const struct store_boot_row *b, void *arg);
/* The latest power-ons, newest first, at most limit. Rows given, or -1. */
int store_boots(struct store *s, int limit, store_boot_cb cb, void *arg);

/*
 * Hosts of the lab (store_hosts.c): each rigd registers its host (name, version, start) and
 * the boards it serves, then beats: a host whose heartbeat is old is gone or cut off, and its
 * boards with it. Times in ms since the epoch (UTC), given by the caller.
 */
int store_host_register(struct store *s, const char *host, const char *version,
    const char *netns, int64_t now_ms);
/*
 * Where host shares board's console (an rfc2217:// URL; NULL or "": not shared), for rigctl
 * console on the lab's other hosts. netns above says whose loopback a 127.0.0.1 is: the
 * kernel's boot and the network namespace (hosts.c). 1 stored, 0 not host's board, -1 error.
 */
int store_host_console(struct store *s, const char *host, const char *board, const char *url);
/*
 * The boards are host's from now on (a board whose cable moved moves with it); one not stored
 * yet is stored in state. 0, or -1.
 */
int store_host_boards(struct store *s, const char *host, const char *const *boards, int n,
    const char *state);
/*
 * This store's host in the lab, before the store is shared with other threads: jobs it claims
 * are host's under a lease of lease_ms that store_queue_renew extends; at a restart only
 * host's jobs and runs (or those of no host) are recovered. Unset: one host, no leases.
 */
void store_set_host(struct store *s, const char *host, int64_t lease_ms);
/* host's heartbeat is now_ms: 1, 0 no such host (not registered), -1 error. */
int store_host_beat(struct store *s, const char *host, int64_t now_ms);

struct store_host_row {
	const char	*name, *version, *started;
	int64_t		 heartbeat_ms;
};
typedef int (*store_host_cb)(const struct store_host_row *h, void *arg);
/* Every host, by name. Rows given, or -1. */
int store_hosts(struct store *s, store_host_cb cb, void *arg);

struct store_lab_board_row {
	const char	*name, *arch, *state, *reason, *updated;
	const char	*host;		/* NULL: stored before hosts registered theirs */
	int64_t		 heartbeat_ms;	/* its host's; STORE_NULL without one */
	const char	*console_url;	/* where its host shares its console; NULL: not shared */
	const char	*netns;		/* its host's network (store_host_register); NULL unknown */
};
typedef int (*store_lab_board_cb)(const struct store_lab_board_row *b, void *arg);
/* Every board of the lab with its host, by name. Rows given, or -1. */
int store_lab_boards(struct store *s, store_lab_board_cb cb, void *arg);

/*
 * Lab runs (store_labrun.c): a run asked on one host (the caller) for another host's board. It
 * is a queue job naming the caller, claimed by the board's host like any job; the events of
 * its run (the JSON messages a local run sends its client) are appended to the store by the
 * board's host and read back, in order, by the caller's.
 */
/*
 * A lab run of scenario on board, build_id 0: the board's own build, asked on host caller by
 * the user uid (the peer of its control socket): the run is theirs on the board's host, and
 * judged there against a reservation as theirs. Its job's id, or -1.
 */
int64_t store_labrun_add(struct store *s, int64_t build_id, const char *board,
    const char *scenario, const char *caller, long uid);
/*
 * The host that waits for job's events and the uid that asked (-1 for a job queued before
 * uids were carried): 1 (caller and *uid filled), 0 none (the nightly's), -1 error.
 */
int store_labrun_caller(struct store *s, int64_t job, char *caller, size_t len, long *uid);
/*
 * The first lab run queued for board, in claim order (what a reserved board looks at: its
 * holder's may go on): its id, 0 none, -1 error.
 */
int64_t store_labrun_next(struct store *s, const char *board);
/* One event of job's run, a JSON text, after those before it: 0, or -1. */
int store_labrun_event(struct store *s, int64_t job, const char *json);
typedef int (*store_labrun_event_cb)(int64_t id, const char *json, void *arg);
/* job's events whose id is above after, in order. Rows given, or -1. */
int store_labrun_events(struct store *s, int64_t job, int64_t after, store_labrun_event_cb cb,
    void *arg);
struct store_labrun_state {
	enum queue_state	 state;
	int64_t			 run;		/* its current run, 0 none */
	char			 host[64];	/* who holds it, "" nobody */
	char			 note[256];
};
/* Where job stands now: 1 (*js filled), 0 no such job, -1 error. */
int store_labrun_job(struct store *s, int64_t job, struct store_labrun_state *js);
/* Drops job's events, once its caller read them to the end: 0, or -1. */
int store_labrun_drop(struct store *s, int64_t job);

/*
 * Wake-ups between the hosts of a store (store.c), where the engine has them (PostgreSQL);
 * elsewhere nothing is sent and nobody listens, and waiters look on their own timers.
 * store_notify: msg to every listener, once what s wrote before is seen by others: 0, or -1.
 * store_listen: a listener on a connection of its own, for one thread; NULL with err, ""
 * when the engine has no wake-ups. store_listen_wait: up to ms for a message: 1 (msg
 * filled), 0 none in time, -1 the connection failed (close it and listen again).
 */
struct store_listener;
int store_notify(struct store *s, const char *msg);
struct store_listener *store_listen(struct store *s, char *err, size_t errlen);
int store_listen_wait(struct store_listener *l, int ms, char *msg, size_t len);
void store_listen_close(struct store_listener *l);

/* Runs */

int64_t store_run_begin(struct store *s, const char *board, const char *scenario, int64_t build_id,
    long uid, const char *console_log, int64_t console_start);
int store_run_step(struct store *s, int64_t run, const struct store_step *st);
int store_run_end(struct store *s, int64_t run, const struct store_run_end *e);
/*
 * The end of a queued job's run, fenced by the job's claim (queue.h): stored only while the run
 * is still its job's under that claim and the job is running. 0 stored; QUEUE_STALE when the
 * job's lease ran out meanwhile (another host closed the run as interrupted and queued the job
 * again): nothing changed, the store's log says so; -1 error. job or claim 0 or less: no fence.
 */
int store_run_end_claimed(struct store *s, int64_t run, int64_t job, int64_t claim,
    const struct store_run_end *e);
/*
 * How long the last runs (up to limit, newest first) of scenario on board took, in ms, into ms:
 * runs that ended with a kernel verdict only. How many, or -1 on error.
 */
int store_run_durations(struct store *s, const char *board, const char *scenario, int limit,
    int64_t *ms);
int store_run_recovery(struct store *s, int64_t run, int64_t recovery_ms, const char *outcome);
/* Runs left "running" by a rigd that died: closed as error "interrupted". Returns how many. */
int store_runs_interrupt(struct store *s);
/*
 * Marks run as a repeat of run of: why is "lab-retry" (that run ended in a lab error) or
 * "confirm" (its kernel verdict differed from the previous build's). Reports count repeats.
 */
int store_run_repeat(struct store *s, int64_t run, int64_t of, const char *why);

struct store_run_row {
	int64_t		 id;
	const char	*board, *scenario;
	int64_t		 build_id, uid;
	enum run_state	 state;
	enum verdict	 verdict;	/* VERDICT_NONE while running */
	const char	*title, *detail, *stack, *started, *ended;
	int64_t		 duration_ms;
	const char	*console_log;
	int64_t		 console_start, console_end, recovery_ms;
	const char	*recovery;
	int64_t		 repeat_of;
	const char	*repeat_why;
	/* Its build's, NULL without one. */
	const char	*build_name, *build_release, *build_version, *build_image_sha256;
	int64_t		 survey_id;	/* the survey it is a run of; STORE_NULL none */
};
typedef int (*store_run_cb)(const struct store_run_row *r, void *arg);

struct store_runs_filter {
	const char	*board;		/* NULL: every board */
	int		 running;	/* only runs still running (no verdict yet) */
	int		 reported;	/* only done runs with a build and a verdict (what reports read) */
	int		 newest_first;	/* else oldest first */
	int		 limit;		/* 0: all */
	const char	*scenario;	/* NULL: every scenario */
	int64_t		 before;	/* 0: any; else only runs whose id is below it (pages) */
	int64_t		 survey;	/* 0: any; else only that survey's runs */
	const int64_t	*builds;	/* only runs of these builds (nbuilds of them) */
	int		 nbuilds;	/* 0: every build */
	const int64_t	*ids;		/* only these runs (nids of them): a page's rows at once */
	int		 nids;		/* 0: any run */
};
/* Runs as filtered (f may be NULL: all, oldest first). Rows given, or -1. */
int store_runs_list(struct store *s, const struct store_runs_filter *f, store_run_cb cb,
    void *arg);
/*
 * Finished runs with a build and a verdict (what reports read), grouped by build x board x
 * scenario x verdict: how many, and the latest of them (its id and title). Groups come in the
 * order of their latest run, oldest first. build_id 0 (or less) for every build, board NULL for
 * every board. Rows given, or -1.
 */
struct store_cell_row {
	int64_t		 build_id;
	const char	*board, *scenario;
	enum verdict	 verdict;	/* VERDICT_NONE for a word the vocabulary lacks */
	int64_t		 runs, last_id;
	const char	*last_title;	/* NULL when the run has none */
};
typedef int (*store_cell_cb)(const struct store_cell_row *c, void *arg);
int store_run_cells(struct store *s, int64_t build_id, const char *board, store_cell_cb cb,
    void *arg);
typedef int (*store_id_cb)(int64_t id, void *arg);
/* The ids of builds with a finished run (as store_run_cells counts them) on board. Rows, or -1. */
int store_run_builds(struct store *s, const char *board, store_id_cb cb, void *arg);
/* 1 found (cb called), 0 none, -1 error. */
int store_run_get(struct store *s, int64_t id, store_run_cb cb, void *arg);
/* How far a run is: its state ("running", "done") and how many steps it stored. 1, 0 none, -1. */
int store_run_progress(struct store *s, int64_t id, enum run_state *state, int *steps);

struct store_step_row {
	int			 idx;
	const char		*action, *arg;
	enum step_status	 status;	/* -1 when the column holds an unknown word */
	int64_t			 started_ms, duration_ms;
	const char		*output;
};
typedef int (*store_step_cb)(const struct store_step_row *st, void *arg);
/* A run's steps in order. Rows given, or -1. */
int store_run_steps(struct store *s, int64_t run, store_step_cb cb, void *arg);

/*
 * Surveys (rigctl survey, a nightly's survey entry). A survey's progress is its runs: each run
 * of a device's sequence is linked to it as it begins, so after a restart the (device,
 * sequence) pairs with a stored verdict are not run again and the one cut short (closed as
 * interrupted) is; a survey still "running" at a restart is resumed (store_surveys_open).
 */
struct store_survey_row {
	int64_t		 id;
	const char	*board;
	int64_t		 build_id;	/* STORE_NULL: the board's default build */
	int64_t		 uid;
	const char	*classes;	/* NULL: every class */
	int64_t		 sequences;	/* 1 << enum survey_seq; 0 every sequence */
	int64_t		 queue_id;	/* a nightly's job; STORE_NULL: rigctl survey */
	enum survey_state state;
	const char	*started, *ended, *note;
	int64_t		 runs;		/* its runs, interrupted ones included */
	const char	*build_name;	/* NULL without a build */
};
typedef int (*store_survey_cb)(const struct store_survey_row *v, void *arg);
/* A survey begun: its id, or -1. build_id, queue_id 0: none; classes NULL or "": every class. */
int64_t store_survey_begin(struct store *s, const char *board, int64_t build_id, long uid,
    const char *classes, unsigned sequences, int64_t queue_id);
/* Its build once booted (a survey of the default build resumes on the build it began on). */
int store_survey_build(struct store *s, int64_t survey, int64_t build_id);
int store_survey_end(struct store *s, int64_t survey, enum survey_state state, const char *note);
/* run is a run of survey (set as the run begins). 0, or -1. */
int store_run_survey(struct store *s, int64_t run, int64_t survey);
/* 1 found (cb called), 0 none, -1 error. */
int store_survey_get(struct store *s, int64_t id, store_survey_cb cb, void *arg);
/* The survey a nightly's job began and did not end: its id, 0 none, -1 error. */
int64_t store_survey_of_job(struct store *s, int64_t queue_id);
/*
 * Surveys of rigctl (no job) left running by a stopped rigd, of this host's boards (or of no
 * host's), oldest first: what a restart resumes. Rows given, or -1.
 */
int store_surveys_open(struct store *s, store_survey_cb cb, void *arg);
/* The newest surveys first, at most limit (0: all). Rows given, or -1. */
int store_surveys_list(struct store *s, int limit, store_survey_cb cb, void *arg);

/* Crashes */

int store_crash_add(struct store *s, const struct store_crash *c);

struct store_crash_row {
	const char	*title, *type, *frame;
	int		 corrupted;
	int64_t		 start, end;
};
typedef int (*store_crash_cb)(const struct store_crash_row *c, void *arg);
/* The crash reports seen during a run, in order. Rows given, or -1. */
int store_run_crashes(struct store *s, int64_t run, store_crash_cb cb, void *arg);

struct store_crash_group {
	const char	*title;		/* syzbot-style: the group's key */
	const char	*rig_title;	/* the rig's own title for it, NULL if none was given */
	const char	*type, *first_seen, *last_seen;
	int64_t		 count, first_run, last_run;
};
typedef int (*store_crash_group_cb)(const struct store_crash_group *g, void *arg);
/* Crash groups, most recently seen first. Rows given, or -1. */
int store_crash_groups(struct store *s, store_crash_group_cb cb, void *arg);
typedef int (*store_name_cb)(const char *name, void *arg);
/* The boards a crash group's reports came from, each once, by name. How many, or -1. */
int store_crash_boards(struct store *s, const char *title, store_name_cb cb, void *arg);

/* The nightly queue's rows: see queue.h for what they mean. */

struct queue_job;

/* A nightly (bisect: a bisect's, whose jobs its search queues one at a time): its id, or -1. */
int64_t store_queue_nightly_new(struct store *s, long uid, int bisect);
int64_t store_queue_add(struct store *s, int64_t nightly, int64_t build_id, const char *board,
    const char *scenario, int64_t repeat_of, const char *why, int front);
int store_queue_claim(struct store *s, const char *board, int64_t prefer_build,
    struct queue_job *job);
/* Claims job id if it is still queued: 1 with *job, 0 not queued, -1 error. */
int store_queue_claim_id(struct store *s, int64_t id, struct queue_job *job);
/*
 * A claimed job that began no run goes back to the queue, its attempt given back: 1, 0 (not
 * claimed, a run begun, or claim is stale), -1.
 */
int store_queue_unclaim(struct store *s, int64_t id, int64_t claim, const char *note);
/* Why a queued job waits (show queue's note). 0, or -1 on error. */
int store_queue_note(struct store *s, int64_t id, const char *note);
/* A claimed job's writes, fenced by its claim: 0, QUEUE_STALE (queue.h), -1. */
int store_queue_set_run(struct store *s, int64_t job, int64_t claim, int64_t run);
int store_queue_finish(struct store *s, int64_t job, int64_t claim, enum queue_state state,
    const char *note);
int store_queue_retry(struct store *s, int64_t job, int64_t claim, int64_t run,
    const char *note);
/* Jobs left running at a restart whose run was stored complete: marked done. */
int store_queue_finish_stored(struct store *s);
/* Open jobs of bisects (of this host's boards): ended as errors with note. How many, or -1. */
int store_queue_end_bisects(struct store *s, const char *note);
/* Jobs still running: queued again, repeating their run. Returns how many, or -1. */
int store_queue_requeue_running(struct store *s);
/* This host's running jobs hold their lease until now_ms + its lease. How many, or -1. */
int store_queue_renew(struct store *s, int64_t now_ms);
/*
 * Running jobs of any other host whose lease ended before now_ms (it died or lost the store):
 * each job's run is closed as interrupted, saying whose lease ran out, and the job is queued
 * again to repeat it (its attempt given back), for its board's host to claim. Any host may
 * sweep, at once with others: each job is requeued once. How many, or -1.
 */
int store_queue_expire(struct store *s, int64_t now_ms);

struct store_queue_row {
	int64_t		 id, nightly;
	int64_t		 build_id;
	const char	*build;		/* the build's name */
	const char	*board, *scenario;
	enum queue_state state;
	int64_t		 attempts;
	const char	*why;
	int64_t		 run_id;
	const char	*note;
};
typedef int (*store_queue_cb)(const struct store_queue_row *q, void *arg);
/* Queued jobs of board and build, by id (boot_failed ends them). Rows given, or -1. */
/* Up to limit queued jobs of board in the order they are claimed in (store_queue_claim). */
int store_queue_candidates(struct store *s, const char *board, int64_t prefer_build, int limit,
    store_queue_cb cb, void *arg);
int store_queue_pending(struct store *s, const char *board, int64_t build_id, store_queue_cb cb,
    void *arg);
/* Open jobs (running first, then by priority and id), at most limit. Rows given, or -1. */
int store_queue_open(struct store *s, int limit, store_queue_cb cb, void *arg);
/* Jobs that ended (done, error), latest first, at most limit. Rows given, or -1. */
int store_queue_finished(struct store *s, int limit, store_queue_cb cb, void *arg);
typedef int (*store_count_cb)(enum queue_state state, int64_t n, void *arg);
/* Jobs per state, in the order of their names. Rows given, or -1. */
int store_queue_counts(struct store *s, store_count_cb cb, void *arg);
/* Jobs neither done nor failed; -1 on error. */
int store_queue_open_count(struct store *s);


/*
 * Reservations of board time. A window is [start_ms, end_ms) in ms since the epoch (UTC);
 * end_ms is the window as it stands (extended, or cut short by a release: a reservation
 * released before it began keeps end_ms == start_ms and holds nothing). No two windows of one
 * board overlap: add and extend check and write in one write transaction (the engine's
 * begin_write, SQLite's BEGIN IMMEDIATE, taken under the store's lock), so neither two threads
 * nor two processes can both store overlapping windows.
 */
struct store_reservation {
	int64_t	id;
	char	board[64];
	long	uid;			/* the holder */
	int64_t	start_ms, end_ms;
	char	note[256];
	int64_t	created_ms;
	int64_t	released_ms;		/* 0: not released */
	long	released_by;		/* the uid that released it, -1 when not released */
	int64_t	warned_ms;		/* its end was announced then; 0: not yet */
	int64_t	reset_ms;		/* its board was reset after its end then; 0: not yet */
	enum lease_reset reset_outcome;	/* how that reset ended; UNKNOWN: none recorded */
	char	reset_detail[512];	/* the board's reason after it ("" none) */
};
/*
 * A new window (start_ms < end_ms) for uid. The id (> 0); 0 when it would overlap another of
 * the board's: *conflict (may be NULL) is the earliest of those; -1 on error.
 */
int64_t store_reservation_add(struct store *s, const char *board, long uid, int64_t start_ms,
    int64_t end_ms, const char *note, struct store_reservation *conflict);
/* Moves reservation id's end to end_ms: 1 done, 0 it would overlap (*conflict), -1 error. */
int store_reservation_extend(struct store *s, int64_t id, int64_t end_ms,
    struct store_reservation *conflict);
/* Ends id at now_ms (or before it began), recorded with by_uid: 1 done, 0 none, -1 error. */
int store_reservation_release(struct store *s, int64_t id, long by_uid, int64_t now_ms);
/* 1 found (*r filled), 0 none, -1 error. */
int store_reservation_get(struct store *s, int64_t id, struct store_reservation *r);
/* The reservation holding board at at_ms: 1 (*r filled), 0 none, -1 error. */
int store_reservation_at(struct store *s, const char *board, int64_t at_ms,
    struct store_reservation *r);
/* The earliest start at or after from_ms of a free window of len_ms on board; -1 on error. */
int64_t store_reservation_free_from(struct store *s, const char *board, int64_t from_ms,
    int64_t len_ms);
typedef int (*store_reservation_cb)(const struct store_reservation *r, void *arg);
/* Reservations (of board, NULL: all) by start, released ones too. Rows given, or -1. */
int store_reservations(struct store *s, const char *board, store_reservation_cb cb, void *arg);
/*
 * Reservations holding a board at now_ms whose end is due to be announced and was not: within
 * lead_ms of it, or within half the lease for one shorter than twice that. Rows given, or -1.
 */
int store_reservations_ending(struct store *s, int64_t now_ms, int64_t lead_ms,
    store_reservation_cb cb, void *arg);
/* Records that id's end was announced at now_ms: 1, 0 no such reservation, -1 error. */
int store_reservation_warned(struct store *s, int64_t id, int64_t now_ms);
/* The latest lease of board over at now_ms whose board was not reset since: 1, 0 none, -1. */
int store_reservation_reset_due(struct store *s, const char *board, int64_t now_ms,
    struct store_reservation *r);
/* Every lease of board over by upto_ms is reset, at now_ms, as outcome says. 0, or -1 on error. */
int store_reservation_reset_done(struct store *s, const char *board, int64_t upto_ms,
    int64_t now_ms, enum lease_reset outcome, const char *detail);
/* When the board's next reservation begins after now_ms (ms, UTC); 0 none, -1 on error. */
int64_t store_reservation_next_start(struct store *s, const char *board, int64_t now_ms);

#endif
