/*
 * buildx: a build's archive (tarball or .deb) unpacked into a private folder of the lab's cache,
 * and a folder build checked in place, both as the hostile input they are: rigd runs as root and
 * the cache is shared, so an archive gives files and folders only (no links, device nodes, fifos,
 * setuid/setgid/sticky files, paths out of the folder), every file 0640 and folder 0750 whatever
 * the archive says, within size limits; nothing is opened through a link.
 */
#ifndef RIG_BUILDX_H
#define RIG_BUILDX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What one archive may unpack to. A file's size counts its holes: a sparse file is its size. */
struct buildx_limits {
	uint64_t	file_max;	/* bytes of one file */
	uint64_t	total_max;	/* bytes of all files */
	long		entries_max;	/* entries (files, folders) */
};

/*
 * The defaults: an arm64 Image is ~30 MB, an uncompressed vmlinux with debug info a few hundred,
 * Debian's modules ~400 MB in ~4000 files, a dtbs folder ~1500 files.
 */
#define BUILDX_FILE_MAX		((uint64_t)1 << 30)
#define BUILDX_TOTAL_MAX	((uint64_t)8 << 30)
#define BUILDX_ENTRIES_MAX	200000L
extern const struct buildx_limits buildx_limits_default;

enum buildx_kind {
	BUILDX_TAR,	/* .tar, compressed with gzip, bzip2, xz, lzma or zstd */
	BUILDX_DEB,	/* a Debian package: its data.tar.* member */
};

/*
 * Unpacks archive into dir, which must not exist (its parent must): 0, or -1 with "ENTRY: what
 * is wrong" (or the archive's own error) in err, and dir removed again. Stops at the first entry
 * refused: nothing of a refused archive stays.
 */
int buildx_extract(const char *archive, enum buildx_kind kind, const char *dir,
    const struct buildx_limits *lim, char *err, size_t errlen);

/*
 * A folder build, as it is: -1 with "REL is ..." in err for a link whose target is out of dir
 * (or leads nowhere), a device node, a fifo or a socket anywhere below it, or more than
 * entries_max entries; 0 when it holds only files, folders and links inside it.
 * BUILDX_CHECK_UNPACKED in flags: dir is an unpack in the cache, which buildx_extract leaves
 * with no link and no setuid, setgid or sticky bit at all (one that has some was unpacked by
 * something else, e.g. an older rig, and is not to be trusted).
 */
#define BUILDX_CHECK_UNPACKED	0x1
int buildx_check_dir(const char *dir, long entries_max, int flags, char *err, size_t errlen);

/*
 * Opens rel (a relative path with no "..") below the folder open as rootfd, following no link on
 * the way nor at the end: openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, else (a kernel before 5.6,
 * or a filter refusing it) one O_NOFOLLOW openat per component. flags as open(2); -1 with errno
 * (ELOOP for a link).
 */
int buildx_open_beneath(int rootfd, const char *rel, int flags, mode_t mode);
/* The fallback alone (the tests hold both to the same answers). */
int buildx_open_walk(int rootfd, const char *rel, int flags, mode_t mode);

/* Removes dir and everything below it, following no link; 0, or -1 with errno. */
int buildx_remove(const char *dir);

#endif
