/* remote: commands on a board over SSH (libssh): deadlines, jobs that may block, inspection. */
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REMOTE_OUTPUT_MAX	(64 * 1024)

struct remote {
	ssh_session	s;
};

struct remote_job {
	struct remote	*r;
	ssh_channel	 ch;
	char		*out;
	size_t		 outlen;
	size_t		 linepos;	/* where remote_job_first_line stopped scanning */
	int		 done;
	int		 status;
};

/* The server's host key as "SHA256:base64" into hk->seen; 0, or -1 when it cannot be read. */
static int
remote_hostkey_read(struct remote *r, struct remote_hostkey *hk)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp;

	hk->seen[0] = '\0';
	if (ssh_get_server_publickey(r->s, &key) != SSH_OK)
		return -1;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
		ssh_key_free(key);
		return -1;
	}
	ssh_key_free(key);
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	if (fp == NULL)
		return -1;
	util_strlcpy(hk->seen, fp, sizeof(hk->seen));
	ssh_string_free_char(fp);
	return 0;
}

struct remote *
remote_connect(const char *host, int port, const char *user, const char *keyfile,
    int64_t timeout_ms, struct remote_hostkey *hk, char *err, size_t errlen)
{
	struct remote *r = xcalloc(1, sizeof(*r));
	long usec = (long)(timeout_ms % 1000) * 1000, sec = (long)(timeout_ms / 1000);
	int verbosity = SSH_LOG_NOLOG;
	ssh_key key = NULL;

	r->s = ssh_new();
	if (r->s == NULL) {
		util_fmt(err, errlen, "ssh: out of memory");
		free(r);
		return NULL;
	}
	ssh_options_set(r->s, SSH_OPTIONS_HOST, host);
	ssh_options_set(r->s, SSH_OPTIONS_PORT, &port);
	ssh_options_set(r->s, SSH_OPTIONS_USER, user);
	ssh_options_set(r->s, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(r->s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
	ssh_options_set(r->s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	/*
	 * A board's key is pinned in the rig's store (the caller's pinned), not in a known_hosts
	 * file: the user's files are not read or written, and a QEMU board's forwarded port
	 * changes at each boot while its key does not.
	 */
	ssh_options_set(r->s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	ssh_options_set(r->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	hk->seen[0] = '\0';
	hk->changed = 0;
	if (ssh_connect(r->s) != SSH_OK) {
		util_fmt(err, errlen, "ssh %s:%d: %s", host, port, ssh_get_error(r->s));
		goto fail;
	}
	if (remote_hostkey_read(r, hk) == -1) {
		util_fmt(err, errlen, "ssh %s:%d: no host key: %s", host, port, ssh_get_error(r->s));
		goto fail;
	}
	/* Checked before the rig's key is offered: an impostor gets no session, no command. */
	if (hk->pinned != NULL && hk->pinned[0] != '\0' && strcmp(hk->pinned, hk->seen) != 0) {
		hk->changed = 1;
		util_fmt(err, errlen, "ssh %s:%d: host key changed: the board shows %s, the rig"
		    " pinned %s", host, port, hk->seen, hk->pinned);
		goto fail;
	}
	if (ssh_pki_import_privkey_file(keyfile, NULL, NULL, NULL, &key) != SSH_OK) {
		util_fmt(err, errlen, "ssh: cannot read key %s", keyfile);
		goto fail;
	}
	if (ssh_userauth_publickey(r->s, NULL, key) != SSH_AUTH_SUCCESS) {
		util_fmt(err, errlen, "ssh %s@%s:%d: key not accepted: %s", user, host, port,
		    ssh_get_error(r->s));
		ssh_key_free(key);
		goto fail;
	}
	ssh_key_free(key);
	return r;
fail:
	ssh_disconnect(r->s);
	ssh_free(r->s);
	free(r);
	return NULL;
}

void
remote_close(struct remote *r)
{
	if (r == NULL)
		return;
	ssh_disconnect(r->s);
	ssh_free(r->s);
	free(r);
}

struct remote_job *
remote_job_start(struct remote *r, const char *cmd, char *err, size_t errlen)
{
	struct remote_job *j = xcalloc(1, sizeof(*j));

	j->r = r;
	j->status = -1;
	j->out = xmalloc(1);
	j->out[0] = '\0';
	j->ch = ssh_channel_new(r->s);
	if (j->ch == NULL || ssh_channel_open_session(j->ch) != SSH_OK ||
	    ssh_channel_request_exec(j->ch, cmd) != SSH_OK) {
		util_fmt(err, errlen, "ssh: cannot start command: %s", ssh_get_error(r->s));
		remote_job_free(j);
		return NULL;
	}
	return j;
}

static void
remote_job_append(struct remote_job *j, const char *buf, size_t n)
{
	/* Keep the head: the first lines (a PID, the first error) matter more than a flood. */
	if (j->outlen + n > REMOTE_OUTPUT_MAX)
		n = REMOTE_OUTPUT_MAX - j->outlen;
	if (n == 0)
		return;
	j->out = xrealloc(j->out, j->outlen + n + 1);
	memcpy(j->out + j->outlen, buf, n);
	j->outlen += n;
	j->out[j->outlen] = '\0';
}

/* Reads what is there, waiting at most wait_ms. Returns 1 at EOF, 0 otherwise, -1 on error. */
static int
remote_job_pump(struct remote_job *j, int wait_ms)
{
	char buf[4096];
	int n, is_err;

	for (is_err = 0; is_err <= 1; is_err++) {
		n = ssh_channel_read_timeout(j->ch, buf, sizeof(buf), is_err, is_err ? 0 : wait_ms);
		if (n == SSH_ERROR)
			return -1;
		if (n > 0)
			remote_job_append(j, buf, (size_t)n);
	}
	if (ssh_channel_is_eof(j->ch) && ssh_channel_poll(j->ch, 0) <= 0 &&
	    ssh_channel_poll(j->ch, 1) <= 0)
		return 1;
	if (!ssh_channel_is_open(j->ch))
		return 1;
	return 0;
}

/*
 * One slice of waiting until deadline: reads what came, notes the end of the command.
 * Returns 0 to go on, 1 when the deadline has passed, -1 when the session failed.
 */
static int
remote_job_slice(struct remote_job *j, int64_t deadline)
{
	int64_t left = deadline - util_now_ms();
	int rc;

	if (left <= 0)
		return 1;
	rc = remote_job_pump(j, left > 200 ? 200 : (int)left);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		j->done = 1;
		j->status = ssh_channel_get_exit_status(j->ch);
	}
	return 0;
}

int
remote_job_wait(struct remote_job *j, int64_t timeout_ms, int *status)
{
	int64_t deadline = util_now_ms() + timeout_ms;

	while (!j->done) {
		int rc = remote_job_slice(j, deadline);
		if (rc != 0)
			return rc;
	}
	if (status)
		*status = j->status;
	return 0;
}

int
remote_job_first_line(struct remote_job *j, int64_t timeout_ms, char *line, size_t len)
{
	int64_t deadline = util_now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(j->out, '\n', j->outlen);
		int rc;

		if (nl) {
			size_t n = (size_t)(nl - j->out);
			if (n >= len)
				n = len - 1;
			memcpy(line, j->out, n);
			line[n] = '\0';
			return 0;
		}
		if (j->done)
			return -1;
		rc = remote_job_slice(j, deadline);
		if (rc != 0)
			return rc;
	}
}

const char *
remote_job_output(const struct remote_job *j)
{
	return j->out;
}

void
remote_job_free(struct remote_job *j)
{
	if (j == NULL)
		return;
	if (j->ch) {
		/* A job still blocked on the board is abandoned, not waited for. */
		if (ssh_channel_is_open(j->ch) && j->done)
			ssh_channel_close(j->ch);
		ssh_channel_free(j->ch);
	}
	free(j->out);
	free(j);
}

int
remote_run(struct remote *r, const char *cmd, int64_t timeout_ms, int *status, char *out,
    size_t outlen)
{
	char err[256];
	struct remote_job *j = remote_job_start(r, cmd, err, sizeof(err));
	int rc;

	if (j == NULL) {
		if (outlen)
			util_strlcpy(out, err, outlen);
		return -1;
	}
	rc = remote_job_wait(j, timeout_ms, status);
	if (outlen)
		util_strlcpy(out, j->out, outlen);
	remote_job_free(j);
	return rc;
}

struct remote_shell {
	struct remote	*r;
	ssh_channel	 ch;
	int		 pty;
};

struct remote_shell *
remote_shell_open(struct remote *r, int pty, const char *term, int cols, int rows, char *err,
    size_t errlen)
{
	struct remote_shell *sh = xcalloc(1, sizeof(*sh));
	const char *what = "open a channel";

	sh->r = r;
	sh->pty = pty;
	sh->ch = ssh_channel_new(r->s);
	if (sh->ch == NULL || ssh_channel_open_session(sh->ch) != SSH_OK)
		goto fail;
	what = "get a terminal";
	if (pty && ssh_channel_request_pty_size(sh->ch, term, cols, rows) != SSH_OK)
		goto fail;
	what = "start a shell";
	if (ssh_channel_request_shell(sh->ch) != SSH_OK)
		goto fail;
	return sh;
fail:
	util_fmt(err, errlen, "ssh: cannot %s: %s", what, ssh_get_error(r->s));
	remote_shell_free(sh);
	return NULL;
}

int
remote_shell_fd(const struct remote_shell *sh)
{
	return ssh_get_fd(sh->r->s);
}

int
remote_shell_read(struct remote_shell *sh, char *buf, size_t len, int *is_err)
{
	uint32_t want = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	int s, n, ended = 0;

	/* Both streams each time: one never starves the other, and a pty's stderr is empty. */
	for (s = 0; s <= 1; s++) {
		n = ssh_channel_read_nonblocking(sh->ch, buf, want, s);
		if (n > 0) {
			*is_err = s;
			return n;
		}
		if (n == SSH_EOF)
			ended++;
		else if (n < 0)
			return ssh_channel_is_closed(sh->ch) ? REMOTE_SHELL_END : -1;
	}
	if (ended == 2 || ssh_channel_is_closed(sh->ch))
		return REMOTE_SHELL_END;
	return 0;
}

size_t
remote_shell_room(struct remote_shell *sh)
{
	return ssh_channel_window_size(sh->ch);
}

int
remote_shell_write(struct remote_shell *sh, const char *buf, size_t len)
{
	/* Within the window libssh sends at once: the relay's thread never waits for the board. */
	if (len > remote_shell_room(sh) || len > UINT32_MAX)
		return -1;
	return ssh_channel_write(sh->ch, buf, (uint32_t)len) == (int)len ? 0 : -1;
}

int
remote_shell_eof(struct remote_shell *sh)
{
	return ssh_channel_send_eof(sh->ch) == SSH_OK ? 0 : -1;
}

int
remote_shell_resize(struct remote_shell *sh, int cols, int rows)
{
	if (!sh->pty)
		return 0;
	return ssh_channel_change_pty_size(sh->ch, cols, rows) == SSH_OK ? 0 : -1;
}

int
remote_shell_status(struct remote_shell *sh)
{
	return ssh_channel_get_exit_status(sh->ch);
}

void
remote_shell_free(struct remote_shell *sh)
{
	if (sh == NULL)
		return;
	if (sh->ch) {
		if (ssh_channel_is_open(sh->ch))
			ssh_channel_close(sh->ch);
		ssh_channel_free(sh->ch);
	}
	free(sh);
}

int
remote_keygen(const char *path, char *err, size_t errlen)
{
	ssh_key key = NULL;
	char *b64 = NULL, *priv = NULL, pub[4096];
	FILE *f;
	int fd;

	if (access(path, R_OK) == 0)
		return 0;
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
	    ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &priv) != SSH_OK ||
	    ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
		util_fmt(err, errlen, "%s: cannot make an SSH key", path);
		ssh_key_free(key);
		ssh_string_free_char(priv);
		return -1;
	}
	ssh_key_free(key);
	/*
	 * 0600 from its creation, never widened: a key written first and chmod-ed after is
	 * readable in between. O_EXCL: a file someone put there meanwhile is not written through.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, priv, strlen(priv)) != (ssize_t)strlen(priv) || fsync(fd) == -1) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		ssh_string_free_char(priv);
		ssh_string_free_char(b64);
		return -1;
	}
	close(fd);
	ssh_string_free_char(priv);
	snprintf(pub, sizeof(pub), "%s.pub", path);
	f = fopen(pub, "w");
	if (f == NULL || fprintf(f, "ssh-ed25519 %s rig\n", b64) < 0 || fclose(f) != 0) {
		util_fmt(err, errlen, "%s: %s", pub, strerror(errno));
		ssh_string_free_char(b64);
		return -1;
	}
	ssh_string_free_char(b64);
	return 0;
}
