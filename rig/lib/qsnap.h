/*
 * qsnap: the files a virtual board's snapshots live in (the qemu power part's): their key, their
 * names, which are stale, and how many are kept. No QEMU here: the files only.
 */
#ifndef RIG_QSNAP_H
#define RIG_QSNAP_H

#include <stddef.h>
#include <stdint.h>

/* Snapshots kept per board: the least recently used beyond this is dropped (one RAM image each). */
#define QSNAP_MAX_PER_BOARD	3
#define QSNAP_DIGEST		16	/* hex digits of each part of a key kept in a file name */

/*
 * What a snapshot is good for. A file is named BOARD.CONF.SLOT.BUILD.snap:
 *  conf:  the board file's bytes, the QEMU version and its command line without the build's
 *         files, ports and sockets; another conf makes every snapshot of the board stale.
 *  slot:  the build asked for by name (its package, or its folder);
 *  build: what that name is now (the kernel image's, initramfs' and device tree's digests); another
 *         build in the same slot makes the slot's snapshot stale.
 */
struct qsnap_key {
	char	conf[QSNAP_DIGEST + 1];
	char	slot[QSNAP_DIGEST + 1];
	char	build[QSNAP_DIGEST + 1];
};

/* The first QSNAP_DIGEST hex digits of SHA-256 of len bytes at p, in out. 0, or -1. */
int qsnap_digest(const void *p, size_t len, char out[QSNAP_DIGEST + 1]);

/* dir/snapshots, made 0700 when missing, in out. 0, or -1 with err. */
int qsnap_dir(const char *statedir, char *out, size_t outlen, char *err, size_t errlen);

/* How a look for a snapshot ended: what qsnap_find did. */
enum qsnap_found {
	QSNAP_NONE,		/* no snapshot of this key (none was dropped) */
	QSNAP_STALE,		/* none of this key; a stale one (other conf, or other build) dropped */
	QSNAP_HIT,		/* path names the key's snapshot; its time is now the latest use */
};

/*
 * The board's snapshot of key k in dir, in path. Drops on the way the board's snapshots of
 * another conf, the one of k's slot of another build, and a half-written one left by a stopped
 * rigd.
 */
enum qsnap_found qsnap_find(const char *dir, const char *board, const struct qsnap_key *k,
    char *path, size_t pathlen);

/*
 * A new file for the board's next snapshot, open for writing, mode 0600 from birth, at tmp. The
 * fd, or -1 with err.
 */
int qsnap_create(const char *dir, const char *board, char *tmp, size_t tmplen, char *err,
    size_t errlen);

/*
 * The written tmp becomes the snapshot of k (path), and the least recently used ones beyond
 * QSNAP_MAX_PER_BOARD are dropped. 0, or -1 with err (tmp is then removed).
 */
int qsnap_commit(const char *dir, const char *board, const struct qsnap_key *k, const char *tmp,
    char *path, size_t pathlen, char *err, size_t errlen);

/* How many snapshot files the board has in dir (0 when none or dir is unreadable). */
int qsnap_count(const char *dir, const char *board);

#endif
