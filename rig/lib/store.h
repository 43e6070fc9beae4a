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

/*
 * Build registry and run repeats. Their columns come from store_migrate, a separate step so the
 * CREATE statements above stay as they were for existing databases.
 */

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

/*
 * Adds the build registry's columns (builds: image_path, dtb_dir, modules_dir, config_path,
 * package, package_version, image_version, options, reported_version, registered) and the run
 * repeat columns (runs: repeat_of, repeat_why), once per database: applied steps are named in
 * table schema_steps. Safe to call after every store_open; the functions below call it too.
 */
int store_migrate(struct store *s, char *err, size_t errlen);
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
/*
 * Marks run as a repeat of run of: why is "lab-retry" (that run ended in a lab error) or
 * "confirm" (its kernel verdict differed from the previous build's). Reports count repeats.
 */
int store_run_repeat(struct store *s, int64_t run, int64_t of, const char *why);

/*
 * One statement for modules that keep their own tables (queue.c): types binds in order, 't'
 * text (NULL is SQL NULL), 'i' int64; *rowid (may be NULL) gets the last insert id. 0 or -1.
 */
int store_sql(struct store *s, int64_t *rowid, const char *sql, const char *types, ...);

#endif
