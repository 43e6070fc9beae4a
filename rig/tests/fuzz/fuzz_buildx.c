/*
 * fuzz_buildx: libFuzzer target on the unpacking of a build's archive (buildx.c over libarchive):
 * the bytes as a tarball (any compression) and as a .deb. Beyond the sanitizers, what buildx
 * promises: either it fails and leaves nothing, or the folder holds only files 0640 and folders
 * 0750 (no link, device, fifo, setuid bit), within the limits, and nothing was written beside it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildx.h"

static char fuzz_buildx_dir[64], fuzz_buildx_in[128], fuzz_buildx_out[128];
/* Small limits, so a few KiB of input can reach them. */
static const struct buildx_limits fuzz_buildx_lim = { 64 * 1024, 256 * 1024, 64 };

static void
fuzz_buildx_cleanup(void)
{
	buildx_remove(fuzz_buildx_out);
	unlink(fuzz_buildx_in);
	rmdir(fuzz_buildx_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(fuzz_buildx_dir, sizeof(fuzz_buildx_dir), "/dev/shm/rig-fuzz-buildx.XXXXXX");
	if (mkdtemp(fuzz_buildx_dir) == NULL)
		abort();
	snprintf(fuzz_buildx_in, sizeof(fuzz_buildx_in), "%s/in", fuzz_buildx_dir);
	snprintf(fuzz_buildx_out, sizeof(fuzz_buildx_out), "%s/out", fuzz_buildx_dir);
	atexit(fuzz_buildx_cleanup);
	return 0;
}

/* Every entry below dfd: a file 0640 or a folder 0750; returns the bytes and counts entries. */
static uint64_t
fuzz_buildx_walk(int dfd, long *entries, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	uint64_t bytes = 0;

	if (d == NULL || depth > 70)
		__builtin_trap();
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		(*entries)++;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			__builtin_trap();
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if ((st.st_mode & 07777) != 0750 || fd == -1)
				__builtin_trap();
			bytes += fuzz_buildx_walk(fd, entries, depth + 1);
		} else if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0640 ||
		    (uint64_t)st.st_size > fuzz_buildx_lim.file_max || st.st_nlink != 1) {
			__builtin_trap();
		} else {
			bytes += (uint64_t)st.st_size;
		}
	}
	closedir(d);
	return bytes;
}

static void
fuzz_buildx_one(enum buildx_kind kind)
{
	char err[1024];
	struct dirent *de;
	long entries = 0;
	int n = 0;
	DIR *d;

	if (buildx_extract(fuzz_buildx_in, kind, fuzz_buildx_out, &fuzz_buildx_lim, err,
	    sizeof(err)) == 0) {
		int fd = open(fuzz_buildx_out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd == -1 || fuzz_buildx_walk(fd, &entries, 0) > fuzz_buildx_lim.total_max ||
		    entries > fuzz_buildx_lim.entries_max)
			__builtin_trap();
		buildx_remove(fuzz_buildx_out);
	} else if (err[0] == '\0' || access(fuzz_buildx_out, F_OK) == 0) {
		/* A refusal says why and leaves nothing. */
		__builtin_trap();
	}
	/* Nothing beside the folder: the private folder holds only the input. */
	if ((d = opendir(fuzz_buildx_dir)) == NULL)
		__builtin_trap();
	while ((de = readdir(d)) != NULL)
		n++;
	closedir(d);
	if (n != 3)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(fuzz_buildx_in, "w");

	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	fuzz_buildx_one(BUILDX_TAR);
	fuzz_buildx_one(BUILDX_DEB);
	return 0;
}
