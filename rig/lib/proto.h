/*
 * proto: the control protocol between rigctl and rigd, shared by both sides.
 *
 * A frame is a 4-byte big-endian length (of what follows), a 1-byte type and a payload.
 * Requests and replies are JSON objects ('J'); live console bytes travel raw ('C').
 * Every request carries "v": PROTO_VERSION and "cmd"; the daemon answers a request with any
 * number of event objects (enum proto_event below, exactly those) and exactly one final
 * object whose "type" is "result" with "status" (PROTO_OK, PROTO_DENIED, ...) and, on
 * failure, "error". A version bump marks any incompatible change.
 *
 * Streamed replies: matrix, compare, export and show builds asked with "stream": true are
 * answered with any number of 'D' frames, the bytes of the answer's text in order (at most
 * PROTO_DATA_CHUNK each; the text of an export, the JSON object of a matrix or compare, or
 * {"items": [...]} of show builds), then the final result
 * object, which alone says whether the text is whole (status ok) or cut short (an error).
 * A reader that does not keep up is sent no more than the socket holds; one that stalls for
 * long is hung up on. Asked without "stream", they are refused as invalid (the answer can be
 * hundreds of MB: it is never one frame).
 *
 * A shell (rigctl ssh): the request {"cmd": "ssh", "board", "pty": true|false, and with a pty
 * "term", "cols", "rows"}, if refused, gets its result alone. Otherwise rigd relays between the
 * connection and a shell on the board until the final result: the client sends 'I' frames (input
 * bytes), 'W' (its terminal's new size: columns then rows, 2 bytes each, big-endian, neither 0)
 * and one 'E' (end of input, empty); rigd sends 'O' (the shell's output) and 'R' (its stderr,
 * without a pty), then the result: ok with "exit" (the shell's exit status), or an error (the
 * board lost, the reservation ended: "reservation N ... ended"). Input may follow the request at
 * once: it waits for the shell. Any other frame from the client ends the shell, answered invalid
 * (proto_shell_input says why).
 */
#ifndef RIG_PROTO_H
#define RIG_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION		1
#define PROTO_MAX_REQUEST	(64 * 1024)	/* what rigd accepts from a client */
#define PROTO_MAX_FRAME		(8 * 1024 * 1024)	/* what rigctl accepts from rigd */

#define PROTO_JSON	'J'
#define PROTO_CONSOLE	'C'
#define PROTO_DATA	'D'		/* a piece of a streamed reply's text */
#define PROTO_DATA_CHUNK	(64 * 1024)
#define PROTO_SHELL_IN		'I'	/* client: input bytes for the shell */
#define PROTO_SHELL_WINCH	'W'	/* client: the terminal's new size */
#define PROTO_SHELL_EOF		'E'	/* client: no more input */
#define PROTO_SHELL_OUT		'O'	/* rigd: the shell's output */
#define PROTO_SHELL_ERR		'R'	/* rigd: the shell's stderr (no pty) */

/*
 * Result codes, in "status" of the final message: enum proto_status, spelled by
 * proto_status_name (PROTO_OK ... stay as the spellings for existing callers).
 */
enum proto_status {
	PROTO_STATUS_OK,	/* "ok" */
	PROTO_STATUS_INVALID,	/* "invalid": malformed request */
	PROTO_STATUS_NOSUCH,	/* "nosuch": no such board, scenario, run */
	PROTO_STATUS_DENIED,	/* "denied": not allowed for this uid, or by the board (protect.h) */
	PROTO_STATUS_BUSY,	/* "busy": board reserved, in FAULT, or shutting down */
	PROTO_STATUS_FAILED,	/* "failed": the rig could not do it */
	PROTO_STATUS__COUNT
};
const char *proto_status_name(enum proto_status s);
enum proto_status proto_status_parse(const char *name);	/* -1 when unknown */

#define PROTO_OK	"ok"
#define PROTO_INVALID	"invalid"
#define PROTO_NOSUCH	"nosuch"
#define PROTO_DENIED	"denied"
#define PROTO_BUSY	"busy"
#define PROTO_FAILED	"failed"

/*
 * The events the daemon sends before the final "result" ("type" of each message). This list is
 * exactly what rigd sends; a test checks it against what the integration suite saw.
 */
enum proto_event {
	PROTO_EV_START,		/* "start": a run began {run, board, scenario, build} */
	PROTO_EV_STEP_BEGIN,	/* "step-begin": a step starts {step, action, arg} */
	PROTO_EV_STEP,		/* "step": a step ended {step, action, arg, status, ms, output} */
	PROTO_EV_LOG,		/* "log": a line for people {msg, board?} */
	PROTO_EV_RESULT,	/* "result": the final message {status, error?, ...} */
	/* "survey-device": a survey's row {board, device, class, node, driver, bus, row, title, */
	/* sequences?: [{sequence, run, scenario, verdict, title, detail, stack, nodes_now?}], n, of} */
	/* (n: this row's number from 1, of: how many rows the survey has) */
	PROTO_EV_SURVEY_DEVICE,
	/* "stage": a board's boot or recovery reached a stage {board, stage, ms: since power-on} */
	PROTO_EV_STAGE,
	/* "progress": how far adding a build is {phase: busy.h's, what, done, total} */
	PROTO_EV_PROGRESS,
	PROTO_EV__COUNT
};
const char *proto_event_name(enum proto_event e);
enum proto_event proto_event_parse(const char *name);	/* -1 when unknown */

/*
 * The stages of a "stage" event, in the order a boot goes through them. A run's request with
 * "progress": true (a person watches) hears the recovery after a hang or crash before the
 * verdict; without it the verdict comes first, as scripts and the lab's timings expect.
 */
enum proto_stage {
	PROTO_STAGE_POWER,	/* "power": power is switched on */
	PROTO_STAGE_UBOOT,	/* "u-boot": the boot part drives U-Boot over the console */
	PROTO_STAGE_KERNEL,	/* "kernel": the kernel boots, up to the board's ready line */
	PROTO_STAGE_SSH,	/* "ssh": the board is reached over SSH */
	PROTO_STAGE_READY,	/* "ready": the board runs the build and answers */
	PROTO_STAGE_RECOVERY,	/* "recovery": the board is power cycled after its run */
	PROTO_STAGE__COUNT
};
const char *proto_stage_name(enum proto_stage s);
enum proto_stage proto_stage_parse(const char *name);	/* -1 when unknown */

struct proto_buf {
	char	*data;
	size_t	 len, cap;
};
void proto_buf_append(struct proto_buf *b, const void *p, size_t n);
void proto_buf_consume(struct proto_buf *b, size_t n);
void proto_buf_free(struct proto_buf *b);

/* Appends one frame to b. */
void proto_frame(struct proto_buf *b, int type, const void *payload, size_t len);

/*
 * Takes the first complete frame from b: returns 1 with *type, a malloc'd NUL-terminated copy
 * of the payload in *payload and its length; 0 when more bytes are needed; -1 when the frame
 * announced is longer than max or empty (the stream cannot be trusted after that).
 */
int proto_take(struct proto_buf *b, size_t max, int *type, char **payload, size_t *len);

/* A frame from a shell's client, checked: type, and the size of a 'W'. */
struct proto_shell_in {
	int	type;		/* PROTO_SHELL_IN, PROTO_SHELL_WINCH or PROTO_SHELL_EOF */
	int	cols, rows;	/* PROTO_SHELL_WINCH: 1 to 65535 each */
};
/* 0, or -1 with err saying what is wrong with the frame (the shell then ends). */
int proto_shell_input(int type, const char *payload, size_t len, struct proto_shell_in *in,
    char *err, size_t errlen);
/*
 * The next whole frame of a shell's input from b: 1 with *in (and, for any type, its payload
 * malloc'd in *data, *len), 0 when more bytes are needed, -1 with err when the frame is bad or
 * announces more than PROTO_MAX_REQUEST (nothing after it can be trusted).
 */
int proto_shell_take(struct proto_buf *b, struct proto_shell_in *in, char **data, size_t *len,
    char *err, size_t errlen);
/* Appends a 'W' frame (cols and rows are clamped to 1 .. 65535). */
void proto_shell_winch(struct proto_buf *b, int cols, int rows);

/* Blocking helpers for rigctl: whole frame out; whole frame in (0 on EOF, -1 on error). */
int proto_write_frame(int fd, int type, const void *payload, size_t len);
int proto_read_frame(int fd, struct proto_buf *b, size_t max, int *type, char **payload,
    size_t *len);

#endif
