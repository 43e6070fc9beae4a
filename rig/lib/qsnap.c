/* qsnap: a virtual board's snapshot files: names from their key, the stale ones dropped, a bounded number kept. */
#include "qsnap.h"
#include "kbuild.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
qsnap_digest(const void *p, size_t len, char out[QSNAP_DIGEST + 1])
{
	char full[65], err[128];
	FILE *f;
	int rc;

	if (len == 0)
		p = "";
	if ((f = fmemopen((void *)p, len ? len : 1, "rb")) == NULL)
		return -1;
	rc = kbuild_sha256_stream(f, "snapshot key", full, err, sizeof(err));
	fclose(f);
	if (rc == -1)
		return -1;
	memcpy(out, full, QSNAP_DIGEST);
	out[QSNAP_DIGEST] = '\0';
	return 0;
}

int
qsnap_dir(const char *statedir, char *out, size_t outlen, char *err, size_t errlen)
{
	if ((size_t)util_fmt(out, outlen, "%s/snapshots", statedir) >= outlen) {
		util_fmt(err, errlen, "%s/snapshots: path too long", statedir);
		return -1;
	}
	/* A board's RAM (the keys it holds, whatever ran on it): for rigd alone. */
	if (util_mkdirs_mode(out, 0700) == -1) {
		util_fmt(err, errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	return 0;
}

/* The parts of name "BOARD.CONF.SLOT.BUILD.snap" of board; 0, or -1 when it is no such name. */
static int
qsnap_parse(const char *name, const char *board, struct qsnap_key *k)
{
	size_t n = strlen(board), i;
	const char *p;
	char *parts[3] = { k->conf, k->slot, k->build };

	if (strncmp(name, board, n) != 0 || name[n] != '.')
		return -1;
	p = name + n + 1;
	for (i = 0; i < 3; i++) {
		if (strspn(p, "0123456789abcdef") != QSNAP_DIGEST || p[QSNAP_DIGEST] != '.')
			return -1;
		memcpy(parts[i], p, QSNAP_DIGEST);
		parts[i][QSNAP_DIGEST] = '\0';
		p += QSNAP_DIGEST + 1;
	}
	return strcmp(p, "snap") == 0 ? 0 : -1;
}

static void
qsnap_name(char *path, size_t len, const char *dir, const char *board, const struct qsnap_key *k)
{
	util_fmt(path, len, "%s/%s.%s.%s.%s.snap", dir, board, k->conf, k->slot, k->build);
}

/* The half-written file of the board: one at a time (the board's thread writes it). */
static void
qsnap_tmp_name(char *path, size_t len, const char *dir, const char *board)
{
	util_fmt(path, len, "%s/.%s.tmp", dir, board);
}

enum qsnap_found
qsnap_find(const char *dir, const char *board, const struct qsnap_key *k, char *path,
    size_t pathlen)
{
	enum qsnap_found found = QSNAP_NONE;
	struct dirent *de;
	struct qsnap_key have;
	char tmp[600];
	DIR *d;

	qsnap_tmp_name(tmp, sizeof(tmp), dir, board);
	unlink(tmp);
	if ((d = opendir(dir)) == NULL)
		return QSNAP_NONE;
	while ((de = readdir(d)) != NULL) {
		char p[600];

		if (qsnap_parse(de->d_name, board, &have) == -1)
			continue;
		util_fmt(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (strcmp(have.conf, k->conf) != 0 ||
		    (strcmp(have.slot, k->slot) == 0 && strcmp(have.build, k->build) != 0)) {
			if (unlink(p) == 0 && found == QSNAP_NONE)
				found = QSNAP_STALE;
		} else if (strcmp(have.slot, k->slot) == 0) {
			util_strlcpy(path, p, pathlen);
			/* The latest use: what qsnap_commit keeps when it must drop one. */
			utimensat(AT_FDCWD, p, NULL, 0);
			found = QSNAP_HIT;
		}
	}
	closedir(d);
	return found;
}

int
qsnap_create(const char *dir, const char *board, char *tmp, size_t tmplen, char *err,
    size_t errlen)
{
	int fd;

	qsnap_tmp_name(tmp, tmplen, dir, board);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		util_fmt(err, errlen, "%s: %s", tmp, strerror(errno));
	return fd;
}

/* The board's snapshot files, oldest use first, beyond max dropped. */
static void
qsnap_bound(const char *dir, const char *board, int max)
{
	struct { char path[600]; int64_t mtime; } v[64];
	struct dirent *de;
	struct qsnap_key k;
	int n = 0, i, j;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < (int)UTIL_NELEM(v)) {
		struct stat st;

		if (qsnap_parse(de->d_name, board, &k) == -1)
			continue;
		util_fmt(v[n].path, sizeof(v[n].path), "%s/%s", dir, de->d_name);
		if (stat(v[n].path, &st) == -1)
			continue;
		v[n].mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		n++;
	}
	closedir(d);
	while (n > max) {
		for (i = 0, j = 1; j < n; j++)
			if (v[j].mtime < v[i].mtime)
				i = j;
		unlink(v[i].path);
		v[i] = v[--n];
	}
}

int
qsnap_commit(const char *dir, const char *board, const struct qsnap_key *k, const char *tmp,
    char *path, size_t pathlen, char *err, size_t errlen)
{
	qsnap_name(path, pathlen, dir, board, k);
	if (rename(tmp, path) == -1) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	qsnap_bound(dir, board, QSNAP_MAX_PER_BOARD);
	return 0;
}

int
qsnap_count(const char *dir, const char *board)
{
	struct dirent *de;
	struct qsnap_key k;
	int n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += qsnap_parse(de->d_name, board, &k) == 0;
	closedir(d);
	return n;
}
