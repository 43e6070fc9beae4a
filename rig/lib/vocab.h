/*
 * vocab: the rig's words, each an enum with one string table: verdicts, step outcomes, lab and
 * scenario error kinds, protocol events and result codes. Strings appear only at the edges
 * (the control protocol, the store's text columns, what people read); code compares enums.
 */
#ifndef RIG_VOCAB_H
#define RIG_VOCAB_H

/* Index of name in a string table of n names (NULL entries allowed); -1 when absent or NULL. */
int vocab_find(const char *const *names, int n, const char *name);

/* What a run concluded. Only pass, fail, hang and crash are kernel results; error is the lab's. */
enum verdict {
	VERDICT_NONE,		/* "": not concluded yet (a running run) */
	VERDICT_PASS,		/* "pass" */
	VERDICT_FAIL,		/* "fail": an expectation did not hold */
	VERDICT_HANG,		/* "hang": a step blocked past its deadline, or the kernel said so */
	VERDICT_CRASH,		/* "crash": a report on the console during the run */
	VERDICT_ERROR,		/* "error": the rig or the lab failed; never a kernel result */
	VERDICT__COUNT
};
const char *verdict_name(enum verdict v);
/* The verdict a name stands for; VERDICT_NONE for NULL, "" or an unknown name. */
enum verdict verdict_parse(const char *name);
/* 1 for pass, fail, hang and crash. */
int verdict_is_kernel(enum verdict v);
/* 1 for fail, hang and crash: the kernel did something wrong. */
int verdict_is_failure(enum verdict v);

/* How one scenario step ended (run_steps.status). */
enum step_status {
	STEP_STATUS_OK,		/* "ok" */
	STEP_STATUS_FAILED,	/* "failed" */
	STEP_STATUS_TIMEOUT,	/* "timeout": blocked past its deadline */
	STEP_STATUS_SKIPPED,	/* "skipped" */
	STEP_STATUS_STARTED,	/* "started": a background step that goes on */
	STEP_STATUS__COUNT
};
const char *step_status_name(enum step_status s);
enum step_status step_status_parse(const char *name);	/* -1 when unknown */

/*
 * Why a run ended in an error verdict, or a request failed: a kind, not a sentence. The name is
 * the run's title ("lab: ssh session lost"); the detail (free text) says the rest.
 */
enum error_kind {
	ERROR_NONE,
	ERROR_BOARD_DIED,		/* "lab: board died": the board's power part lost it (QEMU exited) */
	ERROR_SSH_LOST,			/* "lab: ssh session lost" */
	ERROR_SSH_FAILED,		/* "lab: ssh failed": no session could be made */
	ERROR_HOST_KEY_CHANGED,		/* "lab: host key changed": not the key pinned for the board */
	ERROR_NO_RETURN,		/* "lab: board did not come back": a power cycle did not reach READY */
	ERROR_BOOT_FAILED,		/* "lab: boot failed": the build asked for does not boot */
	ERROR_WRONG_BUILD,		/* "lab: wrong build": the board runs another kernel than asked */
	ERROR_CONSOLE_LOST,		/* "lab: console lost": the console line went away during the run */
	ERROR_INTERRUPTED,		/* "lab: interrupted": rigd stopped during the run */
	ERROR_SCEN_CLASS,		/* "scenario: class not on board" */
	ERROR_SCEN_BACKGROUND,		/* "scenario: too many background steps" */
	ERROR_SCEN_READ,		/* "scenario: read needs a held, non-tty device" */
	ERROR_SCEN_NO_HOLDER,		/* "scenario: no holder" */
	ERROR_SCEN_NO_WAIT,		/* "scenario: nothing to wait for" */
	ERROR_SCEN_GONE,		/* "scenario: gone": the scenario left the loaded set */
	/*
	 * "scenario: protected device": it would unbind or bind a device the board protects
	 * (its PMIC's bus, its console): refused before the board is touched (protect.h).
	 */
	ERROR_SCEN_PROTECTED,
	/* A request's failures (not a run's): what the control socket answers them with. */
	ERROR_STORE,			/* "store: failed": the store could not be read or written */
	ERROR_NO_SUCH_BUILD,		/* "request: no such build" */
	ERROR_AMBIGUOUS_BUILD,		/* "request: several builds match" */
	ERROR_INVALID_REQUEST,		/* "request: invalid" */
	ERROR_OUTPUT,			/* "output failed": a report could not be written out */
	ERROR_RESERVED,			/* "board: reserved": another's reservation holds the board */
	ERROR__COUNT
};
const char *error_kind_name(enum error_kind k);
enum error_kind error_kind_parse(const char *name);	/* ERROR_NONE when unknown */
/* 1 for the lab's kinds (retried by the nightly queue), 0 for the scenario's own mistakes. */
int error_kind_is_lab(enum error_kind k);

/* A nightly queue job's state (queue.state). */
enum queue_state {
	QUEUE_STATE_UNKNOWN = -1,	/* a word this rig does not know (a newer rig's) */
	QUEUE_QUEUED,		/* "queued": waits for its board */
	QUEUE_RUNNING,		/* "running": claimed by its board, its run under way */
	QUEUE_DONE,		/* "done": ended with a kernel verdict */
	QUEUE_ERROR,		/* "error": ended without one (lab errors used up, no boot, ...) */
	QUEUE_STATE__COUNT
};
const char *queue_state_name(enum queue_state s);
enum queue_state queue_state_parse(const char *name);	/* QUEUE_STATE_UNKNOWN when unknown */
/* 1 for queued and running: the job has not ended. */
int queue_state_is_open(enum queue_state s);

/* A run's state (runs.state). */
enum run_state {
	RUN_STATE_UNKNOWN = -1,	/* a word this rig does not know */
	RUN_RUNNING,		/* "running": begun, no verdict yet */
	RUN_DONE,		/* "done": ended with its verdict */
	RUN_STATE__COUNT
};
const char *run_state_name(enum run_state s);
enum run_state run_state_parse(const char *name);	/* RUN_STATE_UNKNOWN when unknown */

/* A survey's state (surveys.state): what a rigd restart resumes. */
enum survey_state {
	SURVEY_STATE_UNKNOWN = -1,	/* a word this rig does not know */
	SURVEY_RUNNING,		/* "running": begun, not ended (a restart resumes it) */
	SURVEY_DONE,		/* "done": every device it found had its turn */
	SURVEY_STOPPED,		/* "stopped": ended early (board lost, reservation, no boot) */
	SURVEY_STATE__COUNT
};
const char *survey_state_name(enum survey_state s);
enum survey_state survey_state_parse(const char *name);	/* SURVEY_STATE_UNKNOWN when unknown */

/* How a board's reset after a lease ended (reservations.reset_outcome). */
enum lease_reset {
	LEASE_RESET_UNKNOWN = -1,	/* none recorded, or a word this rig does not know */
	LEASE_RESET_READY,	/* "ready": power cycled, its default build booted to READY */
	LEASE_RESET_OFF,	/* "off": switched off only (the reason says why no boot) */
	LEASE_RESET_FAULT,	/* "fault": out of service (its boot failed, or it was already) */
	LEASE_RESET__COUNT
};
const char *lease_reset_name(enum lease_reset r);
enum lease_reset lease_reset_parse(const char *name);	/* LEASE_RESET_UNKNOWN when unknown */

#endif
