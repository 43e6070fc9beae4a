/* remote: commands on a board over SSH (libssh): deadlines, jobs that may block, inspection. */
#ifndef RIG_REMOTE_H
#define RIG_REMOTE_H

#include <stddef.h>
#include <stdint.h>

struct remote;
struct remote_job;

/*
 * The board's SSH host key at a connection. pinned: the fingerprint the rig holds for the board
 * ("" on first use: any key is taken). seen: the one the board showed ("SHA256:" and base64,
 * "" when the connection failed before it). changed: 1 when pinned is not what the board showed;
 * then no session is made (nothing is sent to, or run on, what answered).
 */
struct remote_hostkey {
	const char	*pinned;
	char		 seen[128];
	int		 changed;
};

/* One SSH session with key authentication, hk checked first. NULL with a reason in err. */
struct remote *remote_connect(const char *host, int port, const char *user, const char *keyfile,
    int64_t timeout_ms, struct remote_hostkey *hk, char *err, size_t errlen);
void remote_close(struct remote *r);

/*
 * Starts a command on its own channel; any number may run at once on one session, so a
 * command that blocks in the kernel leaves the session free for inspection.
 */
struct remote_job *remote_job_start(struct remote *r, const char *cmd, char *err, size_t errlen);
/*
 * Waits until the command has ended or timeout_ms has passed. Returns 0 when it ended (exit
 * status in *status, -1 if the board sent none), 1 when the deadline passed (the job goes on:
 * wait again later or free it), -1 when the session failed.
 */
int remote_job_wait(struct remote_job *j, int64_t timeout_ms, int *status);
/* Waits for the first output line (e.g. a PID the command prints first): 0, 1 timeout, -1. */
int remote_job_first_line(struct remote_job *j, int64_t timeout_ms, char *line, size_t len);
/* Everything the command printed so far (stdout and stderr, in arrival order, bounded). */
const char *remote_job_output(const struct remote_job *j);
void remote_job_free(struct remote_job *j);

/* Runs a command to its end: 0 (status, output filled), 1 deadline passed, -1 session failed. */
int remote_run(struct remote *r, const char *cmd, int64_t timeout_ms, int *status, char *out,
    size_t outlen);

/*
 * An interactive shell on a channel of its own (rigctl ssh, relayed by one thread). pty 1: a
 * terminal of type term and cols x rows on the board (it echoes and edits; stderr comes mixed
 * in); pty 0: the shell reads its input as a pipe (commands piped in), stderr apart. Nothing
 * here waits for the board but remote_shell_open and remote_shell_status: the caller polls
 * remote_shell_fd and calls remote_shell_read until it returns 0.
 */
struct remote_shell;
struct remote_shell *remote_shell_open(struct remote *r, int pty, const char *term, int cols,
    int rows, char *err, size_t errlen);
/* The session's socket: readable when remote_shell_read may have more (or a window opened). */
int remote_shell_fd(const struct remote_shell *sh);
/*
 * What the shell printed, without waiting: n > 0 bytes into buf (*is_err 1: its stderr), 0 none
 * now, REMOTE_SHELL_END once it has ended and everything was read, -1 the session failed.
 */
#define REMOTE_SHELL_END	(-2)
int remote_shell_read(struct remote_shell *sh, char *buf, size_t len, int *is_err);
/* Input bytes the channel takes now without waiting (the board's window): write at most that. */
size_t remote_shell_room(struct remote_shell *sh);
/* len input bytes (at most remote_shell_room), or the end of input: 0, or -1 when failed. */
int remote_shell_write(struct remote_shell *sh, const char *buf, size_t len);
int remote_shell_eof(struct remote_shell *sh);
/* The terminal's new size (pty 1 only; ignored otherwise): 0, or -1. */
int remote_shell_resize(struct remote_shell *sh, int cols, int rows);
/* After REMOTE_SHELL_END: its exit status, -1 when the board sent none (a signal killed it). */
int remote_shell_status(struct remote_shell *sh);
/* Closes the channel (the board's shell gets a hang-up when still running) and frees sh. */
void remote_shell_free(struct remote_shell *sh);

/*
 * Makes an ed25519 key pair at path (OpenSSH's format, 0600 from its creation) and path.pub
 * unless path exists: 0 or -1 with err.
 */
int remote_keygen(const char *path, char *err, size_t errlen);

#endif
