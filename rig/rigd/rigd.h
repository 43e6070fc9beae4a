/* rigd: the daemon's shared state and the calls its parts make to each other. */
#ifndef RIGD_H
#define RIGD_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "capture.h"
#include "conf.h"
#include "proto.h"
#include "queue.h"
#include "boot.h"
#include "console.h"
#include "parts.h"
#include "power.h"
#include "store.h"
#include "triage.h"
#include "vocab.h"

struct peer;
struct remote;

enum board_state {
	BOARD_OFF,
	BOARD_BOOTING,
	BOARD_READY,
	BOARD_RUNNING,
	BOARD_HUNG,
	BOARD_CRASHED,
	BOARD_DEAD,
	BOARD_RECOVERING,
	BOARD_FAULT,
};

enum board_job_kind {
	JOB_RUN,
	JOB_POWER,
	JOB_FORGET_KEY,		/* the board's pinned SSH host key is dropped */
	JOB_SURVEY,		/* every device the board exposes, held and unbound (survey.c) */
};

struct scenset;

/* A job for a board's thread: made by the event loop (or the board itself), owned by the queue. */
struct board_job {
	enum board_job_kind	 kind;
	uint64_t		 client;	/* who gets the events; 0: nobody (internal) */
	long			 uid;
	const struct scenario	*scenario;	/* JOB_RUN: lives in scens */
	struct scenset		*scens;		/* JOB_RUN: a reference on the set (NULL: none) */
	int64_t			 build_id;	/* JOB_RUN: boot this registered build first; 0 any */
	int64_t			 queue_id;	/* a nightly job: its queue row, 0 otherwise */
	int64_t			 queue_claim;	/* ... and its claim (queue.h: its writes carry it) */
	int64_t			 repeat_of;	/* the run this one repeats (lab retry, confirmation) */
	char			 repeat_why[16];
	int			 progress;	/* JOB_RUN: a person watches: the recovery before the verdict */
	char			 action[16];	/* JOB_POWER: on, off, cycle */
	char			 classes[256];	/* JOB_SURVEY: the classes to survey ("i2c,tty"), "" all */
	int			 survey_rows;	/* JOB_SURVEY: the rows its table will have */
	unsigned		 survey_seqs;	/* JOB_SURVEY: 1 << enum survey_seq; 0 all */
	/* JOB_SURVEY: the stored survey it resumes (0: a new one); JOB_RUN: the survey it is of */
	int64_t			 survey_id;
	/* JOB_RUN of a survey: the device its scenario's class names, not the board file's */
	const struct conf_device *devices;
	int			 ndevices;
	struct board_job	*next;		/* under the board's lock while queued */
};

/* A crash report seen on the console during the current boot. */
struct board_crash {
	char		title[256];	/* syzbot's: the crash group's key */
	char		rig_title[256];	/* the rig's subsystem-level title (a hang: the call it waits in) */
	char		type[32];
	enum verdict	verdict;	/* hang or crash, as triage judged the report */
	char		frame[128];
	int		corrupted;
	int64_t		start, end;
	char		*text;
};

#define BOARD_MAX_CRASHES	16

struct rigd;

/*
 * One board. Who may touch what is written next to each field: "immutable" (set by board_new
 * before the thread starts), "lock" (b->lock, from any thread), "thread" (the board's own
 * thread only), or the one other owner named.
 */
struct board {
	struct rigd		*rigd;			/* immutable */
	struct board_conf	 conf;			/* immutable */
	pthread_t		 thread;		/* the main thread (board_start, board_stop) */

	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;			/* jobs queued, stopping, console gone */
	enum board_state	 state;			/* lock; written by the thread only */
	char			 reason[512];		/* lock; written by the thread only */
	struct board_job	*jobs, *jobs_tail;	/* lock */
	int			 njobs;			/* lock */
	int			 stopping;		/* lock: rigd is stopping, no new boot or job */
	int			 queue_poke;		/* lock: the nightly queue has new jobs */
	/*
	 * lock; written by the thread only (and board_new): 1 while the board is in FAULT because
	 * a part's probe found what it reaches missing on this host (reason says what). A run or
	 * power-on asked of it probes again, and so does the idle thread: plugging the adapter in
	 * brings the board back without restarting rigd.
	 */
	int			 missing;
	/*
	 * lock; written by the thread only: what the FAULT is when the rig names it
	 * (ERROR_HOST_KEY_CHANGED: until its key is forgotten), ERROR_NONE otherwise.
	 */
	enum error_kind		 fault;
	char			 host_key[128];		/* lock; thread only: pinned, "" none yet */
	/*
	 * thread only: the image digest the store last named a build for, and that build: a boot
	 * while PostgreSQL is away knows the build by it (board_identify).
	 */
	char			 ident_sha[65];
	int64_t			 ident_build;
	char			 ssh_host[64];		/* lock; thread only: where the last boot answered */
	int			 ssh_port;		/* lock; thread only: 0 before the first boot */

	/* console: the event loop reads and logs; the board thread opens it at power-on */
	struct capture		 con;			/* lock */
	pthread_cond_t		 con_cond;		/* with lock: con has new bytes or was lost */
	int			 boot_no;		/* lock */
	struct board_crash	 crashes[BOARD_MAX_CRASHES];	/* lock */
	int			 ncrashes;		/* lock: this boot's reports */
	int64_t			 run_id;		/* lock: the run in progress, -1 if none */
	int64_t			 build_id;		/* lock; written by the thread only */
	char			 release[128];		/* lock; written by the thread only */
	char			 version[512];		/* lock; written by the thread only */
	/* immutable once the thread starts (NULL: not shared); console_share.c says the rest */
	struct console_share	*share;

	/* The parts: made by board_new, then the thread's (power_cut may come from any thread). */
	struct power		*power;			/* NULL: refused (a part this rigd lacks) */
	struct boot		*boot;
	struct console_part	*console;
	char			 refused[512];		/* immutable: why, "file:line: ..." */
	struct parts_ops	 ops;			/* immutable: the backends the file names */

	/* the board thread's own (no lock needed) */
	struct boot_image	 img;			/* thread: what the boot part made */
	struct remote		*ssh;			/* thread */
	char			 boot_package[1024];	/* thread: what to boot: conf's kernel, a build's package or lab folder */
	int64_t			 boot_build;		/* thread: the registered build asked for, 0 none */
	const char		*boot_why;		/* thread: stored with each boot: "power on", "in-run" */
	/*
	 * thread: what the reasons of a boot's states begin with, during it and once it ended
	 * ("resetting after reservation 3 of alice: ", "reset after ...: "); "" for other boots.
	 */
	char			 boot_doing[128], boot_done[128];
	int64_t			 boot_tried_ms;		/* thread: wall clock of the last boot begun, 0 none */
	/*
	 * thread: a lease's reset done whose record the store refused (its id, 0 none; how it
	 * ended, up to when): recorded at a later turn, not done again.
	 */
	int64_t			 reset_unstored, reset_upto;
	enum lease_reset	 reset_outcome;
	char			 reset_detail[512];
	int64_t			 boot_ms;		/* thread: power-on to READY of the last boot */
	int64_t			 console_ready_ms;	/* thread: power-on to the ready line */
	int			 runs_since_boot;	/* thread: fresh-boot scenarios want 0 */
	char			 nightly_note[256];	/* thread: why the first queued job waits */
	int			 console_lost;		/* thread: FAULT for a lost console, retried */
	/*
	 * thread: the last boot failed because the console line could not be opened (an adapter
	 * unplugged, another program holding it): the line is tried again and the board booted
	 * once it opens.
	 */
	int			 console_missing;
	/* thread: a boot found a part missing: once board_reprobe finds it, the board boots. */
	int			 boot_when_back;
	uint64_t		 job_client;		/* thread: who asked for the job being done, 0 */
};

/*
 * How the boards report to whoever serves the clients: control.c fills it (control_sink), rigd.c
 * installs it before the boards start, and board*.c and runner.c only ever call through it.
 */
struct board_sink {
	void	*arg;
	/* From any thread: an event for a client (takes o; its "type" comes from ev). */
	void	 (*post)(void *arg, uint64_t client, enum proto_event ev, cJSON *o);
	/* Event loop: console bytes, for the clients watching board b. */
	void	 (*console)(void *arg, struct board *b, const char *buf, size_t len);
	/*
	 * Event loop: 0 when no client watches board b's console, so its bytes need not be
	 * copied out of the capture for them (may say 1 for a board nobody watches).
	 */
	int	 (*watched)(void *arg, struct board *b);
	/* From any thread: a board's console fd changed; the event loop must look again. */
	void	 (*wake)(void *arg);
	/*
	 * From any thread: an event for every client watching board b's console (the rig's own
	 * words, such as a request to a person; never mixed into the console's bytes). Takes o.
	 */
	void	 (*watchers)(void *arg, struct board *b, enum proto_event ev, cJSON *o);
};

/* The daemon. Owners as for struct board; "loop" is the event loop's thread. */
struct rigd {
	char		 statedir[512];		/* immutable once the boards start, as are the paths */
	char		 sockpath[512];
	char		 boardsdir[512];
	char		 scendir[512];
	char		 firmwaredir[512];
	char		 cachedir[512];
	char		 dashdir[512];
	char		 keyfile[600];
	char		 share_addr[64];	/* immutable: where consoles are shared (-T) */
	int64_t		 console_cap;		/* immutable (-L): bytes one boot's log keeps, 0 all */
	int64_t		 console_total;		/* immutable (-L): bytes all logs keep, 0 all */
	struct store	*store;			/* immutable pointer; the store locks itself */
	char		 host[64];		/* immutable: this host's name in the lab */
	int64_t		 heartbeat_ms;		/* immutable (--heartbeat): its beat's period */
	struct board_sink sink;			/* immutable once the boards start */

	struct board	**boards;		/* immutable once the boards start */
	int		 nboards;		/* immutable once the boards start */
	/* The loop's view of the scenarios: the loop is their only writer (scenset_reload). */
	struct scenario	*scens;			/* loop; = scenset->v */
	int		 nscens;		/* loop */
	pthread_mutex_t	 scens_lock;
	struct scenset	*scenset;		/* scens_lock: the current set (scenset_hold) */

	int		 wake[2];		/* board threads -> event loop: [1] any thread, [0] loop */
	pthread_mutex_t	 outbox_lock;
	struct control_msg *outbox, *outbox_tail;	/* outbox_lock */

	volatile sig_atomic_t quit, reload;	/* set by signal handlers, read by the loop */
};

/* board_state.c: what any thread may ask of a board (each call takes its lock) */
const char *board_state_name(enum board_state s);
enum board_state board_state(struct board *b);
struct board *board_find(struct rigd *r, const char *name);
/* Jobs waiting in the board's queue. */
int board_queued(struct board *b);
cJSON *board_describe(struct board *b);
/*
 * 1 when the board has a device of every class the scenario needs and would unbind or bind
 * none it protects (protect.h; conf is immutable).
 */
int board_offers(const struct board *b, const struct scenario *sc);
/* 1 while the board's power part says it may be running (the board's thread). */
int board_alive(struct board *b);
/*
 * The board's thread, its session or console just lost: 1 when the board is dead now or dies
 * within BOARD_DEATH_GRACE_MS (a QEMU killed drops its connections and its pty a moment before
 * its power part can tell: that is the board dying, not its SSH or its console).
 */
#define BOARD_DEATH_GRACE_MS	500
int board_dies_soon(struct board *b);
/*
 * The board's thread, its console lost: 1 when the console opens only at power-on (QEMU's pty)
 * and the board lives on (board_dies_soon), so the console itself went away.
 */
int board_console_gone(struct board *b);
/* 1 while the board is out of service for a part missing on this host (struct board.missing). */
int board_missing_part(struct board *b);
/* 1 once rigd is stopping: no new boot or job starts. */
int board_stopping(struct board *b);
/* The board's thread: a new state, logged and stored with the reason (outside the lock). */
void board_set_state(struct board *b, enum board_state s, const char *reason);
/* FAULT with the kind of failure that put it there (board.fault). */
void board_set_fault(struct board *b, enum error_kind kind, const char *reason);
/*
 * A client id with this bit is no client of this rigd's socket: it is a lab run's queue job
 * (the id below the bit), whose events go to the store for the host that asked (labrun.c).
 * Control clients are counted from 1 and never reach it.
 */
#define BOARD_CLIENT_LABRUN	(UINT64_C(1) << 63)
/* The board's thread: an event for a client (0: nobody; o is freed then), through the sink. */
void board_post(struct board *b, uint64_t client, enum proto_event ev, cJSON *o);
/*
 * The board's thread: the result a run's client gets (run, verdict, title, build, detail,
 * stack, console log) of job's run res, or why it was refused.
 */
struct runner_result;
void board_run_result(struct board *b, struct board_job *job, const struct runner_result *res);
/*
 * The board's thread: the end of job for its client: status, the board, error (may be NULL),
 * extra's fields (taken; may be NULL).
 */
void board_result(struct board *b, struct board_job *job, const char *status, const char *error,
    cJSON *extra);
/* The board's thread: a log line for the job's client. */
void board_log(struct board *b, struct board_job *job, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The board's thread: a boot or recovery stage for the job's client (b->job_client), ms since power-on. */
void board_stage(struct board *b, enum proto_stage stage, int64_t ms, const char *what);

/*
 * console_share.c: each board's live console on a TCP port (RFC 2217 and plain telnet), served
 * by the event loop from the capture's bytes. Slots in the loop's poll set are
 * CONSOLE_SHARE_SLOT(k), k < nboards * CONSOLE_SHARE_SLOTS (the mapping is its own inverse),
 * and CONSOLE_SHARE_LISTENERS for every board's listening socket at once.
 */
#define CONSOLE_SHARE_MAX_CLIENTS	8
#define CONSOLE_SHARE_SLOTS		(1 + CONSOLE_SHARE_MAX_CLIENTS)
#define CONSOLE_SHARE_SLOT(k)		(-3 - (k))
#define CONSOLE_SHARE_LISTENERS		CONSOLE_SHARE_SLOT(INT_MAX - 3)
struct console_share;
struct pollfd;
/* Before the board's thread starts: listens on addr at console.share's port; -1 logged. */
int console_share_open(struct board *b, const char *addr);
/* Event loop: console bytes (as logged) for the board's clients; one test when there are none. */
void console_share_feed(struct board *b, const char *buf, size_t len);
/* Event loop: whether the board's shared console has a client. */
int console_share_watched(const struct board *b);
/* Event loop: the share's sockets to poll into pfd and slot; how many. */
int console_share_poll(struct rigd *r, struct pollfd *pfd, int *slot);
void console_share_io(struct rigd *r, int slot, short revents);
/* Any thread: the console's URLs and the share's counters into a board's description. */
void console_share_describe(struct board *b, cJSON *o);
/* Any thread: the board's rfc2217:// URL, NULL when not shared (off, or no port). */
const char *console_share_url(const struct board *b);

/* board.c: the board's thread and its jobs */
struct board *board_new(struct rigd *r, const struct board_conf *conf);
int board_start(struct board *b);
/* Shutdown, in this order for every board: no new boot or job; power cut; thread joined. */
void board_stop_begin(struct board *b);
void board_cut(struct board *b);
void board_stop(struct board *b);
void board_job_free(struct board_job *job);
/* Queues a job; returns its place in the queue (0 = next). */
int board_enqueue(struct board *b, struct board_job *job);

/* board_console.c: the event loop's side, and the thread's hand-over at power-on */
/* Event loop: called when the console fd is readable. */
void board_console_read(struct board *b);
/*
 * Event loop: the next board it reads: the lines board_console_read touches are asked for
 * while the one before is read (a sweep ago, 256 consoles' bytes went through the cache since).
 */
void board_console_prefetch(const struct board *b);
/* Event loop: a quiet console with a report begun gets it delivered. */
void board_console_tick(struct board *b, int64_t now);
int board_console_attach(struct board *b, int fd, char *err, size_t errlen);
/*
 * Board thread: this boot's console log from byte from to what has arrived (the last max bytes
 * of it at most), malloc'd and NUL-ended; *to (may be NULL) gets the offset it ends at.
 */
char *board_console_since(struct board *b, int64_t from, size_t max, size_t *lenp, int64_t *to);
/*
 * Board thread: a console that can come back (an adapter, a console server) lost while the
 * board was READY faults it with the reason and is tried again at each call; once back it
 * goes on into the same log and the board is READY again. 1 while the line is away.
 */
int board_console_watch(struct board *b);
/*
 * Any thread: typing for the board's console (the shared console's writers, the holder's
 * browser): the bytes the line took (n, fewer when it stalled), or 0 with *why saying why none
 * ("is in use by the rig", "is closed (the board is off)"). Never blocks.
 */
ssize_t board_console_type(struct board *b, const void *data, size_t n, const char **why);

/* board_boot.c and board_nightly.c: inside the board's thread */
struct queue_job;
struct runner_result;
/*
 * Whether what the board's parts reach is on this host now (parts_probe): 0, or -1 with why
 * ("file:line: console.path ...: no such device"; several joined by "; "). Sets b->missing.
 */
int board_probe(struct board *b, char *why, size_t whylen);
void board_power_off(struct board *b);
int board_boot(struct board *b, enum board_state during);
/* fault_on_fail: 1 for the board's own kernel (FAULT when it does not boot), 0 for a build. */
int board_boot_as(struct board *b, enum board_state during, int fault_on_fail);
int board_ready(struct board *b);
/* During a run: power off (cut) and boot again; 0 when READY, msg says how. */
int board_reboot(struct board *b, char *msg, size_t len);
int board_use_build(struct board *b, int64_t build, char *err, size_t errlen);
/* After a run: READY again, or recovered when the verdict left the board in doubt. */
void board_after_run(struct board *b, struct board_job *job, struct runner_result *res);
/* After board_after_run: FAULT when the run is unrecorded (res->unrecorded says why). */
void board_unrecorded(struct board *b, const struct runner_result *res);
/* A board thread's wait for a lost store: the first pause between tries, the longest. */
#define BOARD_STORE_PAUSE_MS		250
#define BOARD_STORE_PAUSE_MAX_MS	8000
/*
 * Waits *pause ms (then doubles it, up to BOARD_STORE_PAUSE_MAX_MS), less when rigd stops: 1
 * when it does, else 0. For a board thread whose store lost its connection (PostgreSQL
 * restarting): the heartbeat makes it again meanwhile. *pause starts at BOARD_STORE_PAUSE_MS.
 */
int board_store_pause(struct board *b, int64_t *pause);
void board_do_queue(struct board *b, struct queue_job *qj);
/* A nightly job of this name is the board's survey (board_do_survey), not a scenario's run. */
#define BOARD_NIGHTLY_SURVEY	QUEUE_SURVEY_ENTRY
/* board_survey.c: rigctl survey (JOB_SURVEY): discovery, then a run per device. */
/* 0 when the survey ran to its end (rows may have stopped), -1 when it could not (note says why). */
int board_do_survey(struct board *b, struct board_job *job, char *note, size_t notelen);
/*
 * survey_resume.c: at rigd's start, each survey of rigctl a stopped rigd left running is queued
 * again on its board (no client: its runs are stored as they end). How many, or -1.
 */
int survey_resume_queue(struct rigd *r);
/*
 * The board's next nightly job, one expected to end before the board's next reservation begins
 * (its scenario's run history, board_nightly.c): 1 claimed (*qj), 0 none fits, -1 error.
 */
int board_nightly_claim(struct board *b, struct queue_job *qj);
/*
 * What the board takes next from the queue: board_nightly_claim's job while the board is not
 * reserved; while it is, only a lab run (its holder's goes on, another's is refused once
 * claimed). 1 claimed (*qj), 0 none, -1 error.
 */
int board_nightly_take(struct board *b, struct queue_job *qj);
/*
 * Any thread: how many queue jobs ended since rigd started, once more than seen did or ms
 * passed (0: at once). What a bisect waits on (control_bisect.c).
 */
uint64_t board_nightly_ended(uint64_t seen, int ms);

/* runner.c: runs one scenario on a READY board (the board's thread). */
struct runner_result {
	enum verdict	verdict;
	enum error_kind	error;		/* VERDICT_ERROR: what failed (the title is its name) */
	char	title[256];		/* the rig's title: a hang names the call it waits in */
	char	group_title[256];	/* hang, crash: syzbot's title, the crash group's key */
	char	group_frame[128];	/* the frame syzbot's title names */
	char	*detail;
	char	*stack;
	int64_t	run_id;
	int	needs_boot;	/* a step left the board off or in doubt: power it on again */
	int	refused;	/* not started: the store could not record it (unrecorded says why) */
	char	unrecorded[512];	/* "" when the run is stored whole; else why not (FAULT) */
	int	kept;		/* its end is kept by unrecorded.c, not stored yet */
	int	store_away;	/* kept because the store's connection is lost: no FAULT */
	int	stale;		/* not run: its job's claim went stale before it began */
};
void runner_run(struct board *b, struct board_job *job, struct runner_result *res);
void runner_result_free(struct runner_result *res);

/* control.c: the socket and the event loop; dispatches to the command files */
/* At start: the socket bound (one rigd per socket, said on stderr), then listened on. */
int control_bind(struct rigd *r);
int control_listen(struct rigd *r);
/* The sink the boards report through, served by this event loop. */
void control_sink(struct rigd *r, struct board_sink *sink);
/* The event loop. */
void control_loop(struct rigd *r);

/*
 * control_client.c: the clients, what they are sent, the outbox. control.c and the command files
 * (control_builds.c, control_wait.c) call it; it calls none of them.
 */
#define CONTROL_MAX_CLIENTS	128	/* the last few for admins (control_admit.h) */
struct control_client;
/* From any thread: queue a JSON message for a client (takes ownership of msg). */
void control_post(struct rigd *r, uint64_t client, cJSON *msg);
/* From any thread: an event for every client watching b's console (takes o). */
void control_post_watchers(struct rigd *r, struct board *b, enum proto_event ev, cJSON *o);
/* From any thread: an event for a client (takes o; its "type" comes from ev). */
void control_post_event(struct rigd *r, uint64_t client, enum proto_event ev, cJSON *o);
/* From any thread: the result of a request answered later (control_wait_result); takes extra. */
void control_post_reply(struct rigd *r, uint64_t client, const char *status, const char *error,
    cJSON *extra);
/* A report thread: its streamed reply is done (control_stream_begin); the final result. */
void control_post_stream_end(struct rigd *r, uint64_t client, const char *status,
    const char *error);
/* The same with the result's other fields (takes extra; NULL: none). */
void control_post_stream_result(struct rigd *r, uint64_t client, const char *status,
    const char *error, cJSON *extra);
/* From any thread: wakes the event loop (the outbox has mail, a console fd changed). */
void control_wake(struct rigd *r);
/* Records who asked for what, without waiting for the store (any thread: storeq_push). */
void control_action(struct rigd *r, long uid, const char *what);
/* The store writer's thread: who asked for what, into rigd's log (the name lookup may be slow). */
void control_action_log(long uid, const char *what);
/* Event loop only: console bytes to the clients watching that board. */
void control_console(void *arg, struct board *b, const char *buf, size_t len);
/* Event loop only: whether a client of the control socket watches some board's console. */
int control_console_watched(void);
/* Event loop: what other threads posted goes to its clients. */
void control_drain_outbox(struct rigd *r);
/* Event loop: accepts one connection on listen_fd; 0, or -1 when none waits. */
int control_client_accept(int listen_fd);
/* Event loop: the clients to poll into pfd and slot (those done are freed first); how many. */
int control_client_poll(struct pollfd *pfd, int *slot);
/* Event loop: writes and reads client slot; the client when it may have requests, else NULL. */
struct control_client *control_client_io(int slot, short revents);
/* Event loop: the client's next whole request (free it), NULL when none; bad frames answered. */
char *control_client_take(struct control_client *c);
/* Event loop: an event, the result of a request, sent now. */
void control_event(struct control_client *c, enum proto_event ev, cJSON *o);
void control_reply(struct control_client *c, const char *status, const char *error,
    cJSON *extra);
const char *control_str(cJSON *req, const char *key);
/* The protocol's status for a request that failed with kind (PROTO_FAILED for the rig's own). */
const char *control_status(enum error_kind kind);
long control_uid(const struct control_client *c);
/* Who is at the other end, and their role (peer.h): fixed for the connection. */
const struct peer *control_peer(const struct control_client *c);
uint64_t control_id(const struct control_client *c);
/* The request goes on after this call returns: its result is posted later. */
void control_wait_result(struct control_client *c);
/* 1 while a request of c waits for its result. */
int control_busy(const struct control_client *c);
/* c gets board b's console bytes until it hangs up. */
void control_watch_console(struct control_client *c, struct board *b);
/*
 * Event loop: a report thread takes over writing c's reply: a copy of c's socket (close it),
 * with what the loop had not written yet in *pending (to go first); -1 on error. The loop
 * writes nothing to c until control_post_stream_end.
 */
int control_stream_begin(struct control_client *c, struct proto_buf *pending);
/*
 * The same for a thread that reads c too (a shell): what c sent after its request goes in
 * *input; the loop neither reads nor polls c until control_post_stream_end.
 */
int control_stream_both(struct control_client *c, struct proto_buf *pending,
    struct proto_buf *input);
/* 1 when c may change a board (recorded with its uid): a member of the rig group, or an admin. */
int control_may_change(const struct control_client *c);

/*
 * reserve.c: reservations of board time (reserve, extend, release, show reservations) and the
 * rule they make: while a board is reserved only its holder, or an admin, changes it.
 */
void control_cmd_reserve(struct rigd *r, struct control_client *c, cJSON *req, const char *cmd);
/* show reservations [board]: the calendar, past, current and future, as items. NULL on error. */
cJSON *reserve_show(struct store *st, const char *board);
/*
 * Whether peer p may change board now (what: "run on it"): ERROR_NONE when nobody else holds it, else
 * ERROR_RESERVED with msg naming the holder and the window ("board vq35 is reserved by ..."),
 * ERROR_STORE when the store cannot say. held (may be NULL) is the reservation holding the
 * board now, id 0 when none. Any thread.
 */
enum error_kind reserve_check(struct rigd *r, const char *board, const struct peer *p,
    const char *what, char *msg, size_t len, struct store_reservation *held);
/*
 * Event loop, each turn: once a second, the store writer looks for leases whose end is due to be
 * announced (RESERVE_WARN_MS before it, or halfway through a shorter lease) and tells the
 * board's console watchers.
 */
#define RESERVE_WARN_MS		(5 * 60 * 1000)
void reserve_tick(struct rigd *r);

/* hosts.c: this rigd as one host of the lab (the loop's) */
/* Registers the host and its boards in the store, at start, before any recovery: 0, or -1. */
int hosts_register(struct rigd *r, const char *const *boards, int n);
/* Every --heartbeat, the host's heartbeat goes to the store writer. */
void hosts_tick(struct rigd *r);
/* items (this host's boards) get their host; the lab's other boards are added. 0, or -1. */
int hosts_show_boards(struct rigd *r, cJSON *items);
/*
 * From any thread: whether board's host beat within its lease as of the last beat this host
 * made: 1 alive (this host's boards always), 0 silent, -1 a board no host serves.
 */
int hosts_alive(const char *board);
/* hosts_alive, with the board's host and its state as that host last stored it (may be NULL). */
int hosts_seen_board(const char *board, char *host, size_t hostlen, char *state,
    size_t statelen);
/* 1 when a host of the lab (this one or another) serves the board, else 0. */
int hosts_board_known(struct rigd *r, const char *name);
/* At start, once the consoles are shared: where each board's is, into the store. */
void hosts_consoles(struct rigd *r);
/*
 * Event loop: rigctl console for another host's board, as this host's last beat read the lab:
 * answered with where that host shares it (console_url; rigctl connects there itself), or why
 * it cannot be reached from here. 1 answered, 0 no other host's board of that name.
 */
int hosts_console(struct rigd *r, struct control_client *c, const char *board);
/*
 * labrun.c: rigctl run for another host's board. labrun_start (event loop): the request is the
 * client's from now on, answered from a thread that queues the job for the board's host in
 * the store and hands on the events that host stores for it, to the result. labrun_emit (a
 * board thread): an event of a lab run's job, into the store for its caller (takes o).
 * labrun_stop (rigd stops): followers end, unanswered.
 */
void labrun_start(struct rigd *r, struct control_client *c, const char *board,
    const char *scenario, const char *build);
void labrun_emit(struct board *b, int64_t job, enum proto_event ev, cJSON *o);
void labrun_stop(void);
/* From any thread: a lab run's events were stored (labwake.c): the followers look now. */
void labrun_wake(void);
/* From any thread: wake-ups are heard (1) or not (0): followers look on a long or short timer. */
void labrun_wakeups(int on);
/*
 * labwake.c: at start, when the store's engine has wake-ups (PostgreSQL), a thread that
 * listens: a lab run queued for a board here pokes its thread, a lab run's event wakes the
 * followers. labwake_start: 0 (with or without them); labwake_stop: before the store closes.
 */
int labwake_start(struct rigd *r);
void labwake_stop(void);
/* 1 when no reservation holds board now (the nightly queue's test); 0 held or unknown. */
int reserve_free_now(struct rigd *r, const char *board);
/* reserve_check for a request: replies (busy, kind and holder) and returns 1 when refused. */
int reserve_refused(struct rigd *r, struct control_client *c, struct board *b, const char *what);

/*
 * control.c: what every request for a board job does. control_board_serves: 1 when the board
 * takes jobs, else 0 after replying why not; control_job_new: a job of kind for c on the build
 * its request names, NULL after replying; control_job_queue: logs action as c's and queues it.
 */
int control_board_serves(struct control_client *c, struct board *b);
/* control.c: the board a request names; NULL after replying "no board NAME". */
struct board *control_board_named(struct rigd *r, struct control_client *c, const char *name);
struct board_job *control_job_new(struct rigd *r, struct control_client *c, cJSON *req,
    enum board_job_kind kind);
void control_job_queue(struct rigd *r, struct control_client *c, struct board *b,
    struct board_job *job, const char *action);
/* control_survey.c: rigctl survey: checks the request and queues a JOB_SURVEY. */
void control_cmd_survey(struct rigd *r, struct control_client *c, cJSON *req);

/*
 * control_shell.c: rigctl ssh: a shell on a board for the holder of its reservation (or an
 * admin), through rigd's key, relayed by a thread of its own (proto.h says the frames).
 */
void control_cmd_ssh(struct rigd *r, struct control_client *c, cJSON *req);

/*
 * control_console_web.c: rigctl console --web: for the holder of the board's reservation, a
 * link (the dashboard's board page with a single-use token) on which their browser may type.
 */
void control_cmd_console_web(struct rigd *r, struct control_client *c, cJSON *req);

/* control_builds.c: builds and the nightly queue */
void control_cmd_build_add(struct rigd *r, struct control_client *c, cJSON *req);
void control_cmd_nightly(struct rigd *r, struct control_client *c, cJSON *req);
/* control_bisect.c: rigctl bisect: checks the request, then searches on a thread of its own. */
void control_cmd_bisect(struct rigd *r, struct control_client *c, cJSON *req);
/* control_report.c: matrix, comparison, exports and show builds (cmd "show"), each on a thread of its own, streamed */
void control_cmd_report(struct rigd *r, struct control_client *c, cJSON *req, const char *cmd);

/* plan.c: rigd -n's listing; 1 when name is in the comma-separated list (NULL: every name). */
int plan_selected(const char *list, const char *name);
/*
 * plan.c: rigd -n's listing of what would be served; returns how many boards are refused.
 * verbose (-v): each board's checked form too, indented under it.
 */
int plan_print(FILE *out, const struct board_conf *confs, int nconfs, const char *only,
    const struct scenario *scens, int nscens, const char *dbpath, int verbose);

/* http.c: the read-only JSON API and dashboard on ADDRESS:PORT */
int http_start(struct rigd *r, const char *listen);
void http_stop(void);
/*
 * Any thread once started: the dashboard's address for a browser on this host
 * ("http://127.0.0.1:8080"): 0, or -1 when rigd serves none (no -H).
 */
int http_url(char *buf, size_t len);
/* http_events.c: the dashboard's live pages are told (kind: the board's new state, or "run" when
 * run ended; run 0: none). */
void http_events_bump(const char *kind, const char *board, int64_t run);

/* scenset.c: the loaded scenarios */
/* Loads every scenario file in dir; all errors are reported. Returns the count or -1. */
int scenset_load(const char *dir, struct scenario **out, struct conf_errors *errs);
/* Makes v (malloc'd, n long) the current set; the old one goes with its last reference. */
void scenset_install(struct rigd *r, struct scenario *v, int n);
/* Event loop, at SIGHUP: scenarios are read again (boards keep their files until restart). */
void scenset_reload(struct rigd *r);

/*
 * console_logs.c: the console logs under statedir/console kept under r->console_total bytes:
 * the oldest (by modification time) are removed first, never a board's live log. Any thread
 * but the event loop (it reads directories and takes each board's lock).
 */
void console_logs_sweep(struct rigd *r);
/* Event loop: the scenario named, in the loop's view. */
const struct scenario *scenset_lookup(struct rigd *r, const char *name);
/* From any thread: a reference on the current set, and its release. */
struct scenset *scenset_hold(struct rigd *r);
void scenset_release(struct scenset *set);
const struct scenario *scenset_find(const struct scenset *set, const char *name);

#endif
