/*
 * buildx: archives unpacked as hostile input (limits, duplicates, paths through files, the
 * compressions a build comes in), opening below a folder through no link (openat2 and the
 * per-part fallback give the same answers), removal that follows no link. The hostile entries
 * themselves (setuid, links, devices, ../) are in rig/tests/integration/43-build-hostile.sh.
 */
#include "buildx.h"
#include "test.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

/* A shell command in the test's folder (the tests run there; only the tests' own text). */
static void
sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		test_cur_failed = 1;
	}
}

/* The tree every archive below is made of: a/ (x, y 3000 bytes), b/c/d. */
static void
make_tree(void)
{
	sh("mkdir -p t/a t/b/c && head -c 3000 /dev/urandom > t/a/y && echo x > t/a/x"
	    " && echo d > t/b/c/d");
}

static int
extract(const char *tar, const struct buildx_limits *lim, char *err, size_t errlen)
{
	char archive[512], dir[512];

	snprintf(archive, sizeof(archive), "%s/%s", tmpdir, tar);
	snprintf(dir, sizeof(dir), "%s/out", tmpdir);
	buildx_remove(dir);
	err[0] = '\0';
	return buildx_extract(archive, BUILDX_TAR, dir, lim, err, errlen);
}

static int
out_exists(void)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/out", tmpdir);
	return access(dir, F_OK) == 0;
}

static void
every_compression_a_build_comes_in_unpacks(void)
{
	static const char *const ext[] = { "tar", "tar.gz", "tar.xz", "tar.bz2", "tar.zst" };
	char name[64], cmd[128], err[512], path[512];
	size_t i;

	for (i = 0; i < UTIL_NELEM(ext); i++) {
		snprintf(name, sizeof(name), "t.%s", ext[i]);
		snprintf(cmd, sizeof(cmd), "tar -caf %s t", name);
		sh(cmd);
		CHECK_INT(extract(name, NULL, err, sizeof(err)), 0);
		if (err[0])
			fprintf(stderr, "%s: %s\n", name, err);
		snprintf(path, sizeof(path), "%s/out/t/b/c/d", tmpdir);
		CHECK(access(path, R_OK) == 0);
	}
	CHECK_INT(extract("none.tar", NULL, err, sizeof(err)), -1);
	CHECK_HAS(err, "none.tar");
	CHECK(!out_exists());
	sh("echo not a tarball > junk.tar");
	CHECK_INT(extract("junk.tar", NULL, err, sizeof(err)), -1);
	CHECK(err[0] != '\0');
	CHECK(!out_exists());
}

static void
limits_hold_and_nothing_stays(void)
{
	struct buildx_limits lim = { 2999, 1 << 20, 100 };
	char err[512];

	sh("tar -cf t.tar t");
	/* One file over the per-file limit: named with its size. */
	CHECK_INT(extract("t.tar", &lim, err, sizeof(err)), -1);
	CHECK_HAS(err, "t/a/y: 3000 bytes, more than the 2999");
	CHECK(!out_exists());
	/* All files together over the total. */
	lim.file_max = 1 << 20;
	lim.total_max = 3002;
	CHECK_INT(extract("t.tar", &lim, err, sizeof(err)), -1);
	CHECK_HAS(err, "would pass 3002 bytes in all");
	CHECK(!out_exists());
	/* Too many entries: t/ t/a/ t/a/x t/a/y t/b/ t/b/c/ t/b/c/d is seven. */
	lim.total_max = 1 << 20;
	lim.entries_max = 6;
	CHECK_INT(extract("t.tar", &lim, err, sizeof(err)), -1);
	CHECK_HAS(err, "more than 6 entries");
	CHECK(!out_exists());
	lim.entries_max = 7;
	CHECK_INT(extract("t.tar", &lim, err, sizeof(err)), 0);
}

static void
duplicates_and_paths_through_files_are_refused(void)
{
	char err[512];

	sh("tar -cf dup.tar t/a/x && tar -rf dup.tar t/a/x");
	CHECK_INT(extract("dup.tar", NULL, err, sizeof(err)), -1);
	CHECK_HAS(err, "t/a/x: given twice in the archive");
	CHECK(!out_exists());
	/* t/a/x a file, then t/a/x/d below it. */
	sh("tar -cf through.tar t/a/x --transform 's,^t/b/c/d$,t/a/x/d,' t/b/c/d");
	CHECK_INT(extract("through.tar", NULL, err, sizeof(err)), -1);
	CHECK_HAS(err, "t/a/x/d: a path through a file");
	CHECK(!out_exists());
}

static void
modes_are_0640_and_0750_whatever_the_archive_says(void)
{
	char err[512], path[512];
	struct stat st;

	sh("chmod 0777 t/a/x && chmod 0700 t/b && chmod 0444 t/a/y && tar -cf m.tar t");
	CHECK_INT(extract("m.tar", NULL, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/out/t/a/x", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	snprintf(path, sizeof(path), "%s/out/t/a/y", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	snprintf(path, sizeof(path), "%s/out/t/b", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0750);
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0750);
	sh("chmod 0755 t/b");
}

/* openat2 and the walk: same answers for a plain path, a link at the end or on the way, "..". */
static void
opening_below_a_folder_follows_no_link(void)
{
	int (*const fns[2])(int, const char *, int, mode_t) = {
		buildx_open_beneath, buildx_open_walk,
	};
	char root[512];
	int rfd, i, fd;

	sh("cd t && ln -sf a/x xlink && ln -sfn a alink && ln -sf /etc/hostname out");
	snprintf(root, sizeof(root), "%s/t", tmpdir);
	rfd = open(root, O_RDONLY | O_DIRECTORY);
	CHECK(rfd >= 0);
	for (i = 0; i < 2; i++) {
		fd = fns[i](rfd, "a/x", O_RDONLY, 0);
		CHECK(fd >= 0);
		if (fd >= 0)
			close(fd);
		fd = fns[i](rfd, "b/c/d", O_RDONLY, 0);
		CHECK(fd >= 0);
		if (fd >= 0)
			close(fd);
		errno = 0;
		CHECK_INT(fns[i](rfd, "xlink", O_RDONLY, 0), -1);
		CHECK_INT(errno, ELOOP);
		CHECK_INT(fns[i](rfd, "out", O_RDONLY, 0), -1);
		CHECK_INT(fns[i](rfd, "alink/x", O_RDONLY, 0), -1);
		CHECK_INT(fns[i](rfd, "../t/a/x", O_RDONLY, 0), -1);
		CHECK_INT(errno, EXDEV);
		CHECK_INT(fns[i](rfd, "/etc/hostname", O_RDONLY, 0), -1);
		CHECK_INT(fns[i](rfd, "a/nothere", O_RDONLY, 0), -1);
		CHECK_INT(errno, ENOENT);
	}
	close(rfd);
	sh("cd t && rm xlink alink out");
}

/* A link in a tree being removed goes; what it points at stays. */
static void
removal_follows_no_link(void)
{
	char dir[512], keep[512];

	sh("mkdir -p rm/in keep && echo k > keep/k && ln -s ../../keep rm/in/l");
	snprintf(dir, sizeof(dir), "%s/rm", tmpdir);
	snprintf(keep, sizeof(keep), "%s/keep/k", tmpdir);
	CHECK_INT(buildx_remove(dir), 0);
	CHECK(access(dir, F_OK) == -1);
	CHECK(access(keep, F_OK) == 0);
	CHECK_INT(buildx_remove(dir), 0);
}

/* A folder build: links inside are fine, a link out or a special file is named. */
static void
folder_check_names_what_is_wrong(void)
{
	char dir[512], err[512];

	snprintf(dir, sizeof(dir), "%s/t", tmpdir);
	CHECK_INT(buildx_check_dir(dir, 100, 0, err, sizeof(err)), 0);
	sh("ln -s ../a/x t/b/in");
	CHECK_INT(buildx_check_dir(dir, 100, 0, err, sizeof(err)), 0);
	CHECK_INT(buildx_check_dir(dir, 6, 0, err, sizeof(err)), -1);
	CHECK_HAS(err, "more than 6 entries");
	sh("ln -s ../../.. t/b/c/up");
	CHECK_INT(buildx_check_dir(dir, 100, 0, err, sizeof(err)), -1);
	CHECK_HAS(err, "b/c/up is a symbolic link out of the build");
	sh("rm t/b/c/up && ln -s nowhere t/b/c/dangling");
	CHECK_INT(buildx_check_dir(dir, 100, 0, err, sizeof(err)), -1);
	CHECK_HAS(err, "b/c/dangling is a symbolic link that leads nowhere (to nowhere)");
	sh("rm t/b/c/dangling t/b/in && mkfifo t/a/f");
	CHECK_INT(buildx_check_dir(dir, 100, 0, err, sizeof(err)), -1);
	CHECK_HAS(err, "a/f is a fifo");
	sh("rm t/a/f");
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rig-test-buildx-XXXXXX");
	if (mkdtemp(tmpdir) == NULL || chdir(tmpdir) == -1)
		abort();
	make_tree();
	RUN(every_compression_a_build_comes_in_unpacks);
	RUN(limits_hold_and_nothing_stays);
	RUN(duplicates_and_paths_through_files_are_refused);
	RUN(modes_are_0640_and_0750_whatever_the_archive_says);
	RUN(opening_below_a_folder_follows_no_link);
	RUN(removal_follows_no_link);
	RUN(folder_check_names_what_is_wrong);
	test_remove_dir(tmpdir);
	TEST_END();
}
