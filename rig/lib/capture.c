/* capture: a console's bytes into its log file and the triage engine, exactly as they came. */
#include "capture.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * How common a byte is in console text, roughly: lowercase letters, spaces and digits are
 * everywhere; capitals less so; other punctuation (but '.', '-', '[', ']' of timestamps and
 * names) least of all. The marker is looked for from its two rarest bytes.
 */
static int
capture_commonness(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || ch == ' ' || ch == '\n')
		return 3;
	if ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '[' || ch == ']')
		return 2;
	if (ch >= 'A' && ch <= 'Z')
		return 1;
	return 0;
}

/* The place of the marker's rarest byte, other than place skip (first wins a tie; 0 if none). */
static size_t
capture_rarest(const char *m, size_t skip)
{
	size_t best = skip == 0 && m[0] != '\0' && m[1] != '\0' ? 1 : 0;

	for (size_t i = 0; m[i] != '\0'; i++)
		if (i != skip && capture_commonness((unsigned char)m[i]) <
		    capture_commonness((unsigned char)m[best]))
			best = i;
	return best;
}

int
capture_open(struct capture *c, int fd, const char *path, const char *marker, triage_cb cb,
    void *arg)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->marker_at = -1;
	util_strlcpy(c->log, path, sizeof(c->log));
	util_strlcpy(c->marker, marker ? marker : "", sizeof(c->marker));
	c->marker_len = strlen(c->marker);
	c->marker_anchor = capture_rarest(c->marker, SIZE_MAX);
	c->marker_anchor2 = capture_rarest(c->marker, c->marker_anchor);
	c->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (c->log_fd == -1) {
		close(fd);
		return -1;
	}
	c->fd = fd;
	c->last_ms = util_now_ms();
	c->triage = triage_new(cb, arg);
	/* A log begins at a power-on the rig made: its "Booting the kernel" is no surprise reboot. */
	triage_expect_boot(c->triage);
	return 0;
}

/*
 * The first whole marker in buf, or NULL: 16 places where it could begin are looked at a time,
 * by its two anchor bytes (the colon and the dash of "rig-board: ready") compared as two
 * vectors; only where both are there is the marker compared. A board that never prints it, or
 * a flooded line, is scanned at near memory speed, not a byte at a time.
 */
static const char *
capture_marker_find(const struct capture *c, const char *buf, size_t n, size_t mlen)
{
	size_t a = c->marker_anchor, b = c->marker_anchor2, s = 0, last = n - mlen;
	char ca = c->marker[a], cb = c->marker[b];
	uint32_t head = 0, v;

	/* The marker's first four bytes, compared as a word before the whole of it. */
	if (mlen >= 4)
		memcpy(&head, c->marker, 4);
	/* Both loads stay inside buf: s + 15 + a <= last + a < n. */
	for (; s + 16 <= last + 1; s += 16) {
		for (unsigned m = util_bytes16(buf + s + a, ca) & util_bytes16(buf + s + b, cb);
		    m != 0; m &= m - 1) {
			size_t k = s + (size_t)__builtin_ctz(m);

			if (mlen >= 4 && (memcpy(&v, buf + k, 4), v != head))
				continue;
			if (memcmp(buf + k, c->marker, mlen) == 0)
				return buf + k;
		}
	}
	for (; s <= last; s++)
		if (buf[s + a] == ca && memcmp(buf + s, c->marker, mlen) == 0)
			return buf + s;
	return NULL;
}

/*
 * Finds the marker across reads: a chunk boundary may cut it anywhere. Whole markers in a read
 * are found by capture_marker_find, and what of the marker the read's end began is carried to
 * the next.
 */
static void
capture_marker(struct capture *c, const char *buf, size_t n)
{
	size_t mlen = c->marker_len, j, k;
	const char *hit;

	if (mlen == 0 || c->marker_at >= 0 || n == 0)
		return;
	/*
	 * A match the last read began (the marker's first marker_match bytes) goes on here; so may
	 * a shorter one inside it, when the marker repeats its own start.
	 */
	for (j = c->marker_match; j > 0; j--) {
		size_t need = mlen - j;

		if (memcmp(c->marker + c->marker_match - j, c->marker, j) != 0)
			continue;
		k = need < n ? need : n;
		if (memcmp(buf, c->marker + j, k) != 0)
			continue;
		if (k == need) {
			c->marker_at = c->bytes + (int64_t)need;
			return;
		}
		/* The read ended inside the marker still: all of it was the marker's. */
		c->marker_match = j + k;
		return;
	}
	c->marker_match = 0;
	hit = mlen <= n ? capture_marker_find(c, buf, n, mlen) : NULL;
	if (hit != NULL) {
		c->marker_at = c->bytes + (int64_t)(hit - buf) + (int64_t)mlen;
		return;
	}
	/* The longest end of this read that begins the marker, for the next. */
	for (k = mlen - 1 < n ? mlen - 1 : n; k > 0; k--)
		if (memcmp(buf + n - k, c->marker, k) == 0) {
			c->marker_match = k;
			return;
		}
}

/*
 * Appends len bytes to the log file as they are. A failed write drops its bytes: said once
 * when the file starts refusing (a full disk), and with how many were lost once it takes them.
 */
static void
capture_write_raw(struct capture *c, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(c->log_fd, buf + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (c->unwritten == 0)
				log_warn("console log %s: bytes are lost until it takes writes again",
				    c->log);
			c->unwritten += (int64_t)(len - off);
			return;
		}
		off += (size_t)w;
	}
	if (c->unwritten > 0 && len > 0) {
		log_warnx("console log %s: written again; %lld bytes were lost", c->log,
		    (long long)c->unwritten);
		c->unwritten = 0;
	}
}

/* Appends len console bytes, up to the cap; the first bytes past it leave a line saying so. */
static void
capture_write(struct capture *c, const char *buf, size_t len)
{
	size_t room = len;

	if (c->cap > 0 && c->written + (int64_t)len > c->cap)
		room = c->written < c->cap ? (size_t)(c->cap - c->written) : 0;
	capture_write_raw(c, buf, room);
	c->written += (int64_t)room;
	if (room < len) {
		if (c->dropped == 0) {
			char line[200];
			int n = snprintf(line, sizeof(line), "\n[rig: this log keeps %lld console"
			    " bytes; what follows was read and triaged, not written here]\n",
			    (long long)c->cap);

			capture_write_raw(c, line, (size_t)n);
			log_warnx("console log %s: cap of %lld bytes reached", c->log,
			    (long long)c->cap);
		}
		c->dropped += (int64_t)(len - room);
	}
}

void
capture_sync(struct capture *c)
{
	if (c->pendlen > 0 && c->log_fd != -1)
		capture_write(c, c->pend, c->pendlen);
	c->pendlen = 0;
}

/* Whole blocks of what waits go to the log once CAPTURE_PEND_WRITE bytes wait. */
static void
capture_blocks(struct capture *c)
{
	int64_t logged = c->bytes - (int64_t)c->pendlen;	/* what the file holds */
	size_t upto;

	if (c->pendlen < CAPTURE_PEND_WRITE)
		return;
	upto = (size_t)((c->bytes & ~(int64_t)(CAPTURE_BLOCK - 1)) - logged);
	if (upto == 0)
		return;
	capture_write(c, c->pend, upto);
	memmove(c->pend, c->pend + upto, c->pendlen - upto);
	c->pendlen -= upto;
	c->pend_ms = c->last_ms;	/* the read that made the blocks: now */
}

ssize_t
capture_read(struct capture *c, char *out, size_t outlen)
{
	ssize_t n;
	char *p;

	if (c->fd == -1)
		return -1;
	if (c->pend == NULL)
		c->pend = xmalloc(CAPTURE_PEND_MAX);
	/* Read straight into the pending buffer: the bytes are copied once, by the kernel. */
	if (CAPTURE_PEND_MAX - c->pendlen < CAPTURE_BLOCK)
		capture_sync(c);
	p = c->pend + c->pendlen;
	/* The triage state comes into the cache while the kernel copies the bytes. */
	triage_prefetch(c->triage);
	n = read(c->fd, p, CAPTURE_PEND_MAX - c->pendlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* EIO on a pty: the other side is gone. 0 would be the same on a real tty. */
		if (n == 0)
			util_strlcpy(c->lost, "hang-up (end of file)", sizeof(c->lost));
		else
			util_fmt(c->lost, sizeof(c->lost), "read: %s", strerror(errno));
		capture_close(c);
		return -1;
	}
	/* One clock reading a read: 25,600 reads a second at 256 lines. */
	c->last_ms = util_now_ms();
	if (c->pendlen == 0)
		c->pend_ms = c->last_ms;
	c->pendlen += (size_t)n;
	capture_marker(c, p, (size_t)n);
	c->bytes += n;
	triage_feed(c->triage, p, (size_t)n);
	if (out)
		memcpy(out, p, (size_t)n < outlen ? (size_t)n : outlen);
	/* Last: writing blocks moves what waits, p with it. */
	capture_blocks(c);
	return n;
}

void
capture_prefetch(const struct capture *c)
{
	/* Its fields up to marker[] (the first lines), and the marker's first bytes. */
	for (size_t o = 0; o < offsetof(struct capture, marker) + 8; o += 64)
		__builtin_prefetch((const char *)c + o);
}

void
capture_resume(struct capture *c, int fd)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = fd;
	c->lost[0] = '\0';
}

void
capture_tick(struct capture *c, int64_t now, int64_t quiet_ms)
{
	if (c->triage && triage_pending(c->triage) && now - c->last_ms > quiet_ms)
		triage_flush(c->triage);
	if (c->pendlen > 0 && now - c->pend_ms >= CAPTURE_PEND_MS)
		capture_sync(c);
}

void
capture_close(struct capture *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	capture_sync(c);
	if (c->triage)
		triage_flush(c->triage);
}

void
capture_free(struct capture *c)
{
	capture_close(c);
	if (c->dropped > 0 && c->log_fd > 0) {
		char line[160];
		int n = snprintf(line, sizeof(line), "[rig: %lld console bytes past the cap were not"
		    " written here]\n", (long long)c->dropped);

		capture_write_raw(c, line, (size_t)n);
	}
	if (c->log_fd > 0)
		close(c->log_fd);
	c->log_fd = -1;
	free(c->pend);
	c->pend = NULL;
	if (c->triage)
		triage_free(c->triage);
	c->triage = NULL;
}
