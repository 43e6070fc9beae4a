/* store: what the rig records (builds, boards, runs, steps, crashes, events), in SQLite. */
#ifndef RIG_STORE_H
#define RIG_STORE_H

#include <stdint.h>

#include <cjson/cJSON.h>

struct store;

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

struct store_step {
	int	idx;
	char	action[32];
	char	arg[256];
	char	status[16];		/* ok, failed, timeout, skipped, started */
	int64_t	started_ms;		/* since the run started */
	int64_t	duration_ms;
	char	output[1024];
};

struct store_run_end {
	char		verdict[16];	/* pass, fail, hang, crash, error */
	char		title[256];
	const char	*detail;	/* free text: why (step, expectation, report text) */
	const char	*stack;		/* blocked task's stack or crash report */
	int64_t		console_end;
};

/* Opens (creating) the database in WAL mode. NULL with a message in err. */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);

/* Returns the build's id, adding it if new; -1 on error. */
int64_t store_build_get_or_add(struct store *s, const struct store_build *b);
int store_board_set(struct store *s, const char *board, const char *arch, const char *state,
    const char *reason);
int store_board_event(struct store *s, const char *board, const char *from, const char *to,
    const char *reason);
int store_action(struct store *s, long uid, const char *what);

/* One power-on: how long to the ready line and to SSH (ms, -1 unknown), and how it ended. */
int store_boot(struct store *s, const char *board, int64_t build_id, const char *why,
    const char *outcome, int64_t console_ready_ms, int64_t ready_ms, const char *console_log,
    const char *error);
int64_t store_run_begin(struct store *s, const char *board, const char *scenario, int64_t build_id,
    long uid, const char *console_log, int64_t console_start);
int store_run_step(struct store *s, int64_t run, const struct store_step *st);
int store_run_end(struct store *s, int64_t run, const struct store_run_end *e);
int store_run_recovery(struct store *s, int64_t run, int64_t recovery_ms, const char *outcome);
/* Runs left "running" by a rigd that died: closed as error "interrupted". Returns how many. */
int store_runs_interrupt(struct store *s);
int store_crash_add(struct store *s, int64_t run, const char *board, int64_t build_id,
    const char *title, const char *type, const char *frame, int corrupted, const char *console_log,
    int64_t start, int64_t end, const char *text);

/*
 * Rows of a fixed query as a JSON array of objects (column name -> value). params are text,
 * bound in order; NULL on error.
 */
cJSON *store_query(struct store *s, const char *sql, const char **params, int nparams);

#endif
