/* buildx: unpacks a build's archive safely (libarchive, entry by entry) and checks folder builds. */
#include "buildx.h"
#include "busy.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

const struct buildx_limits buildx_limits_default = {
	BUILDX_FILE_MAX, BUILDX_TOTAL_MAX, BUILDX_ENTRIES_MAX,
};

/* Deeper than any kernel tree (lib/modules/R/kernel/drivers/net/ethernet/V/D/x.ko is 10). */
#define BUILDX_DEPTH_MAX	64

int
buildx_open_beneath(int rootfd, const char *rel, int flags, mode_t mode)
{
	if (rel[0] == '/' || rel[0] == '\0') {
		errno = EXDEV;
		return -1;
	}
#ifdef SYS_openat2
	{
		struct open_how how;
		long r;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC);
		how.mode = (flags & O_CREAT) ? mode : 0;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
		r = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (r >= 0)
			return (int)r;
		/* Only "no openat2 here" falls back; any other answer is the answer. */
		if (errno != ENOSYS && errno != EPERM && errno != E2BIG)
			return -1;
	}
#endif
	return buildx_open_walk(rootfd, rel, flags, mode);
}

/* A folder of the walk is done with: closed (not the root, the caller's), errno as it was. */
static void
buildx_leave(int fd, int rootfd)
{
	int e = errno;

	if (fd != rootfd)
		close(fd);
	errno = e;
}

int
buildx_open_walk(int rootfd, const char *rel, int flags, mode_t mode)
{
	char buf[PATH_MAX], *comp, *next;
	int fd, nfd;

	if (rel[0] == '/' || rel[0] == '\0') {
		errno = EXDEV;
		return -1;
	}
	if (util_strlcpy(buf, rel, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = rootfd;
	for (comp = buf; (next = strchr(comp, '/')) != NULL; comp = next + 1) {
		*next = '\0';
		if (strcmp(comp, "..") == 0) {
			errno = EXDEV;
			nfd = -1;
		} else if (comp[0] == '\0' || strcmp(comp, ".") == 0) {
			continue;
		} else {
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		buildx_leave(fd, rootfd);
		if (nfd == -1)
			return -1;
		fd = nfd;
	}
	if (strcmp(comp, "..") == 0) {
		errno = EXDEV;
		nfd = -1;
	} else {
		nfd = openat(fd, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	}
	buildx_leave(fd, rootfd);
	return nfd;
}

static int
buildx_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == -1 && errno != ENOENT ? -1 : 0;
}

int
buildx_remove(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	/* FTW_PHYS: a link is removed, never followed; FTW_DEPTH: contents before their folder. */
	return nftw(dir, buildx_remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/*
 * An entry's name as a plain relative path (no ".", no empty parts) in out: 0; 1 for the
 * archive's top itself ("./"); -1 when it is absolute or has a ".." part (out of the build).
 */
static int
buildx_name(const char *name, char *out, size_t outlen, int *depth)
{
	const char *p = name, *e;
	size_t used = 0;

	*depth = 0;
	if (name[0] == '/')
		return -1;
	out[0] = '\0';
	while (*p) {
		size_t n;

		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (used + n + 2 > outlen)
				return -1;
			if (used)
				out[used++] = '/';
			memcpy(out + used, p, n);
			used += n;
			out[used] = '\0';
			(*depth)++;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return used == 0 ? 1 : 0;
}

/* The folder rel (a plain relative path, "" for the top) below rootfd, made 0750 when missing. */
static int
buildx_dir_at(int rootfd, const char *rel)
{
	char buf[PATH_MAX], *comp, *next;
	int fd = rootfd, nfd;

	util_strlcpy(buf, rel, sizeof(buf));
	for (comp = buf; comp && *comp; comp = next) {
		if ((next = strchr(comp, '/')) != NULL)
			*next++ = '\0';
		if (mkdirat(fd, comp, 0750) == -1 && errno != EEXIST)
			nfd = -1;
		else
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		/* Exactly 0750, whatever the umask. */
		if (nfd != -1 && fchmod(nfd, 0750) == -1) {
			close(nfd);
			nfd = -1;
		}
		buildx_leave(fd, rootfd);
		if (nfd == -1)
			return -1;
		fd = nfd;
	}
	return fd == rootfd ? dup(rootfd) : fd;
}

static int
buildx_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct buildx_run {
	struct archive			*a;
	struct archive			*raw;		/* the archive file's reader (a .deb's ar) */
	uint64_t			 raw_size;	/* the archive file's size */
	const char			*name;		/* the archive file's name, for busy_say */
	const struct buildx_limits	*lim;
	int				 rootfd;
	uint64_t			 total;
	long				 entries;
	char				*err;
	size_t				 errlen;
};

/* How far the unpacking is: bytes of the archive file read, of its size. */
static void
buildx_busy(struct buildx_run *x)
{
	la_int64_t n = x->raw ? archive_filter_bytes(x->raw, -1) : 0;
	uint64_t done = n > 0 ? (uint64_t)n : 0;

	/* The end is said once, when it is (buildx_extract). */
	busy_say(BUSY_UNPACK, x->name, done < x->raw_size ? done : x->raw_size - 1, x->raw_size);
}

/* Copies the entry's data into a new file rel; the limits hold for what is written too. */
static int
buildx_file(struct buildx_run *x, const char *name, const char *rel)
{
	char parent[PATH_MAX], buf[65536];
	const char *slash = strrchr(rel, '/');
	uint64_t size = 0;
	la_ssize_t n;
	int pfd, fd;

	util_fmt(parent, sizeof(parent), "%.*s", slash ? (int)(slash - rel) : 0, rel);
	if ((pfd = buildx_dir_at(x->rootfd, parent)) == -1) {
		util_fmt(x->err, x->errlen, "%s: %s", name, errno == ENOTDIR || errno == ELOOP ?
		    "a path through a file" : strerror(errno));
		return -1;
	}
	close(pfd);
	fd = buildx_open_beneath(x->rootfd, rel, O_WRONLY | O_CREAT | O_EXCL, 0640);
	if (fd == -1) {
		util_fmt(x->err, x->errlen, "%s: %s", name, errno == EEXIST ?
		    "given twice in the archive" : strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0640) == -1) {
		util_fmt(x->err, x->errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	while ((n = archive_read_data(x->a, buf, sizeof(buf))) > 0) {
		size += (uint64_t)n;
		x->total += (uint64_t)n;
		buildx_busy(x);
		if (size > x->lim->file_max || x->total > x->lim->total_max) {
			util_fmt(x->err, x->errlen, "%s: more data than the %llu bytes a build's file"
			    " may have, or the %llu of all", name,
			    (unsigned long long)x->lim->file_max,
			    (unsigned long long)x->lim->total_max);
			close(fd);
			return -1;
		}
		if (buildx_write_all(fd, buf, (size_t)n) == -1) {
			util_fmt(x->err, x->errlen, "%s: %s", name, strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (n < 0) {
		util_fmt(x->err, x->errlen, "%s: %s", name, archive_error_string(x->a));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		util_fmt(x->err, x->errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* One entry: refused with its name, or made (a folder, a file). */
static int
buildx_entry(struct buildx_run *x, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e), *to;
	char rel[PATH_MAX];
	mode_t type = archive_entry_filetype(e);
	int64_t size;
	int depth, top;

	if (name == NULL || name[0] == '\0') {
		util_fmt(x->err, x->errlen, "an entry without a name");
		return -1;
	}
	if (++x->entries > x->lim->entries_max) {
		util_fmt(x->err, x->errlen, "%s: more than %ld entries", name, x->lim->entries_max);
		return -1;
	}
	if ((top = buildx_name(name, rel, sizeof(rel), &depth)) == -1 ||
	    depth > BUILDX_DEPTH_MAX) {
		util_fmt(x->err, x->errlen, "%s: a path out of the build (absolute, with \"..\", or"
		    " too long)", name);
		return -1;
	}
	/* A hard link may name anything, inside or out: a build needs none. */
	if ((to = archive_entry_hardlink(e)) != NULL) {
		util_fmt(x->err, x->errlen, "%s: a hard link (to %s): a build's archive holds files"
		    " and folders only", name, to);
		return -1;
	}
	if (type == AE_IFLNK) {
		to = archive_entry_symlink(e);
		util_fmt(x->err, x->errlen, "%s: a symbolic link (to %s): a build's archive holds"
		    " files and folders only", name, to ? to : "?");
		return -1;
	}
	if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK ||
	    (type != AE_IFREG && type != AE_IFDIR)) {
		util_fmt(x->err, x->errlen, "%s: %s: a build's archive holds files and folders only",
		    name, type == AE_IFCHR || type == AE_IFBLK ? "a device node" :
		    type == AE_IFIFO ? "a fifo" : type == AE_IFSOCK ? "a socket" :
		    "an entry of an unknown type");
		return -1;
	}
	/* A folder's setgid or sticky bit (a shared group folder's) is only dropped: 0750 below. */
	if (type == AE_IFREG && (archive_entry_perm(e) & (S_ISUID | S_ISGID | S_ISVTX))) {
		util_fmt(x->err, x->errlen, "%s: setuid, setgid or sticky (mode %04o): refused in"
		    " a build", name, (unsigned)archive_entry_perm(e));
		return -1;
	}
	if (type == AE_IFDIR) {
		int fd;

		if (top)
			return 0;
		if ((fd = buildx_dir_at(x->rootfd, rel)) == -1) {
			util_fmt(x->err, x->errlen, "%s: %s", name, errno == ENOTDIR ||
			    errno == ELOOP ? "a path through a file" : strerror(errno));
			return -1;
		}
		close(fd);
		return 0;
	}
	if (top) {
		util_fmt(x->err, x->errlen, "%s: a file without a name", name);
		return -1;
	}
	size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	if (size < 0 || (uint64_t)size > x->lim->file_max) {
		util_fmt(x->err, x->errlen, "%s: %lld bytes, more than the %llu a build's file may"
		    " have", name, (long long)size, (unsigned long long)x->lim->file_max);
		return -1;
	}
	if (x->total + (uint64_t)size > x->lim->total_max) {
		util_fmt(x->err, x->errlen, "%s: the build would pass %llu bytes in all", name,
		    (unsigned long long)x->lim->total_max);
		return -1;
	}
	return buildx_file(x, name, rel);
}

/* The compressions a build comes in, each by libarchive itself (no outside program). */
static struct archive *
buildx_reader(int tar)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	if (tar) {
		archive_read_support_filter_gzip(a);
		archive_read_support_filter_bzip2(a);
		archive_read_support_filter_xz(a);
		archive_read_support_filter_lzma(a);
		archive_read_support_filter_zstd(a);
		archive_read_support_format_tar(a);
	} else {
		archive_read_support_format_ar(a);
	}
	return a;
}

/* A .deb's data.tar.* read straight out of the outer (ar) archive. */
static la_ssize_t
buildx_deb_read(struct archive *inner, void *arg, const void **buf)
{
	static __thread char chunk[65536];
	la_ssize_t n;

	(void)inner;
	n = archive_read_data(arg, chunk, sizeof(chunk));
	*buf = chunk;
	return n;
}

/* The entries of a, all of them, into rootfd. */
static int
buildx_entries(struct buildx_run *x, const char *what)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(x->a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (buildx_entry(x, e) == -1)
			return -1;
	if (r != ARCHIVE_EOF) {
		util_fmt(x->err, x->errlen, "%s: %s", what, archive_error_string(x->a));
		return -1;
	}
	return 0;
}

static int
buildx_unpack(const char *archive, enum buildx_kind kind, struct buildx_run *x)
{
	struct archive *outer = buildx_reader(kind == BUILDX_TAR), *inner = NULL;
	struct archive_entry *e;
	int rc = -1, r;

	if (outer == NULL || archive_read_open_filename(outer, archive, 65536) != ARCHIVE_OK) {
		util_fmt(x->err, x->errlen, "%s", outer ? archive_error_string(outer) :
		    "out of memory");
		goto out;
	}
	x->raw = outer;
	if (kind == BUILDX_TAR) {
		x->a = outer;
		rc = buildx_entries(x, "not a readable tarball");
		goto out;
	}
	/* A .deb is an ar archive; the files are its data.tar.* member. */
	while ((r = archive_read_next_header(outer, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (strncmp(archive_entry_pathname(e), "data.tar", 8) == 0)
			break;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		util_fmt(x->err, x->errlen, "not a Debian package: %s", r == ARCHIVE_EOF ?
		    "no data.tar member" : archive_error_string(outer));
		goto out;
	}
	if ((inner = buildx_reader(1)) == NULL ||
	    archive_read_open(inner, outer, NULL, buildx_deb_read, NULL) != ARCHIVE_OK) {
		util_fmt(x->err, x->errlen, "%s: %s", archive_entry_pathname(e),
		    inner ? archive_error_string(inner) : "out of memory");
		goto out;
	}
	x->a = inner;
	rc = buildx_entries(x, archive_entry_pathname(e));
out:
	if (inner)
		archive_read_free(inner);
	if (outer)
		archive_read_free(outer);
	return rc;
}

int
buildx_extract(const char *archive, enum buildx_kind kind, const char *dir,
    const struct buildx_limits *lim, char *err, size_t errlen)
{
	struct buildx_run x = { .lim = lim ? lim : &buildx_limits_default, .err = err,
	    .errlen = errlen };
	const char *base = strrchr(archive, '/');
	struct stat st;
	int rc;

	x.name = base ? base + 1 : archive;
	x.raw_size = stat(archive, &st) == 0 && st.st_size > 1 ? (uint64_t)st.st_size : 2;
	busy_say(BUSY_UNPACK, x.name, 0, x.raw_size);

	if (mkdir(dir, 0750) == -1) {
		util_fmt(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((x.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fchmod(x.rootfd, 0750) == -1) {
		util_fmt(err, errlen, "%s: %s", dir, strerror(errno));
		if (x.rootfd != -1)
			close(x.rootfd);
		buildx_remove(dir);
		return -1;
	}
	rc = buildx_unpack(archive, kind, &x);
	close(x.rootfd);
	if (rc == -1)
		buildx_remove(dir);
	else
		busy_say(BUSY_UNPACK, x.name, x.raw_size, x.raw_size);
	return rc;
}

struct buildx_walk {
	char		 root[PATH_MAX];	/* the folder, links resolved */
	char		 rel[PATH_MAX];		/* the entry below it */
	long		 entries, max;
	int		 unpacked;		/* BUILDX_CHECK_UNPACKED */
	char		*err;
	size_t		 errlen;
};

/* A link in the folder build: where it leads must be inside the folder. */
static int
buildx_walk_link(struct buildx_walk *w, int dfd, const char *name)
{
	char path[PATH_MAX * 2], real[PATH_MAX], to[PATH_MAX];
	ssize_t n;
	size_t len = strlen(w->root);

	if ((n = readlinkat(dfd, name, to, sizeof(to) - 1)) < 0)
		n = 0;
	to[n] = '\0';
	util_fmt(path, sizeof(path), "%s/%s", w->root, w->rel);
	if (realpath(path, real) == NULL) {
		util_fmt(w->err, w->errlen, "%s is a symbolic link that leads nowhere (to %s)",
		    w->rel, to);
		return -1;
	}
	if (strncmp(real, w->root, len) == 0 && (real[len] == '/' || real[len] == '\0'))
		return 0;
	util_fmt(w->err, w->errlen, "%s is a symbolic link out of the build (to %s)", w->rel, real);
	return -1;
}

static int
buildx_walk_dir(struct buildx_walk *w, int dfd, int depth)
{
	size_t base = strlen(w->rel);
	struct dirent *de;
	int rc = 0;
	DIR *d;

	if (depth > BUILDX_DEPTH_MAX) {
		util_fmt(w->err, w->errlen, "%s: folders deeper than %d", w->rel, BUILDX_DEPTH_MAX);
		close(dfd);
		return -1;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		util_fmt(w->err, w->errlen, "%s: %s", base ? w->rel : ".", strerror(errno));
		close(dfd);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		util_fmt(w->rel + base, sizeof(w->rel) - base, "%s%s", base ? "/" : "", de->d_name);
		if (++w->entries > w->max) {
			util_fmt(w->err, w->errlen, "%s: more than %ld entries in the build", w->rel,
			    w->max);
			rc = -1;
		} else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			util_fmt(w->err, w->errlen, "%s: %s", w->rel, strerror(errno));
			rc = -1;
		} else if (w->unpacked && (S_ISLNK(st.st_mode) ||
		    (st.st_mode & (S_ISUID | S_ISGID | S_ISVTX)))) {
			util_fmt(w->err, w->errlen, "%s is a link or setuid, setgid or sticky: not"
			    " unpacked by the rig", w->rel);
			rc = -1;
		} else if (S_ISLNK(st.st_mode)) {
			rc = buildx_walk_link(w, dirfd(d), de->d_name);
		} else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);

			if (fd == -1) {
				util_fmt(w->err, w->errlen, "%s: %s", w->rel, strerror(errno));
				rc = -1;
			} else {
				rc = buildx_walk_dir(w, fd, depth + 1);
			}
		} else if (!S_ISREG(st.st_mode)) {
			util_fmt(w->err, w->errlen, "%s is %s: a build holds files, folders and links"
			    " inside it", w->rel, S_ISFIFO(st.st_mode) ? "a fifo" :
			    S_ISSOCK(st.st_mode) ? "a socket" : "a device node");
			rc = -1;
		}
		w->rel[base] = '\0';
	}
	closedir(d);
	return rc;
}

int
buildx_check_dir(const char *dir, long entries_max, int flags, char *err, size_t errlen)
{
	struct buildx_walk *w = calloc(1, sizeof(*w));
	int fd, rc;

	if (w == NULL) {
		util_fmt(err, errlen, "%s: out of memory", dir);
		return -1;
	}
	w->max = entries_max;
	w->unpacked = (flags & BUILDX_CHECK_UNPACKED) != 0;
	w->err = err;
	w->errlen = errlen;
	if (realpath(dir, w->root) == NULL ||
	    (fd = open(w->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		util_fmt(err, errlen, "%s: %s", dir, strerror(errno));
		free(w);
		return -1;
	}
	rc = buildx_walk_dir(w, fd, 0);
	free(w);
	return rc;
}
