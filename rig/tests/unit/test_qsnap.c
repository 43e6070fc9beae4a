/* test_qsnap: a virtual board's snapshot files: found by key, stale ones dropped, few kept, 0600. */
#include "qsnap.h"
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char statedir[] = "/tmp/rig-qsnap-XXXXXX";
static char dir[300];

static struct qsnap_key
key(const char *conf, const char *slot, const char *build)
{
	struct qsnap_key k;

	qsnap_digest(conf, strlen(conf), k.conf);
	qsnap_digest(slot, strlen(slot), k.slot);
	qsnap_digest(build, strlen(build), k.build);
	return k;
}

/* Saves a snapshot of k for board as the power part does: a new file, written, committed. */
static int
save(const char *board, const struct qsnap_key *k, char *path, size_t len)
{
	char tmp[600], err[256];
	int fd = qsnap_create(dir, board, tmp, sizeof(tmp), err, sizeof(err));

	if (fd == -1 || write(fd, "state", 5) != 5) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	close(fd);
	return qsnap_commit(dir, board, k, tmp, path, len, err, sizeof(err));
}

static void
a_saved_snapshot_is_found_by_its_key_only(void)
{
	struct qsnap_key k = key("vq35 file", "linux-image-6.1.0-56-amd64", "sha A");
	struct qsnap_key other = key("vq35 file", "linux-image-6.1.0-57-amd64", "sha B");
	char path[600], found[600] = "";
	struct stat st;

	CHECK_INT(save("vq35", &k, path, sizeof(path)), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(qsnap_find(dir, "vq35", &k, found, sizeof(found)), QSNAP_HIT);
	CHECK_STR(found, path);
	/* Another build slot: none, and this one is kept. */
	CHECK_INT(qsnap_find(dir, "vq35", &other, found, sizeof(found)), QSNAP_NONE);
	CHECK_INT(qsnap_find(dir, "vq35b", &k, found, sizeof(found)), QSNAP_NONE);
	CHECK_INT(qsnap_count(dir, "vq35"), 1);
	unlink(path);
}

static void
another_build_in_the_slot_drops_the_old_snapshot(void)
{
	struct qsnap_key k = key("vq35 file", "linux-image-6.1.0-56-amd64", "sha A");
	struct qsnap_key rebuilt = key("vq35 file", "linux-image-6.1.0-56-amd64", "sha A2");
	char path[600], found[600];

	CHECK_INT(save("vq35", &k, path, sizeof(path)), 0);
	CHECK_INT(qsnap_find(dir, "vq35", &rebuilt, found, sizeof(found)), QSNAP_STALE);
	CHECK_INT(access(path, F_OK), -1);
	CHECK_INT(qsnap_count(dir, "vq35"), 0);
}

static void
a_changed_board_file_drops_every_snapshot_of_the_board(void)
{
	struct qsnap_key a = key("vq35 file", "56", "sha A"), b = key("vq35 file", "57", "sha B");
	struct qsnap_key changed = key("vq35 file, edited", "56", "sha A");
	struct qsnap_key sabre = key("vsabre file", "50", "sha C");
	char path[600], found[600];

	CHECK_INT(save("vq35", &a, path, sizeof(path)), 0);
	CHECK_INT(save("vq35", &b, path, sizeof(path)), 0);
	CHECK_INT(save("vsabre", &sabre, path, sizeof(path)), 0);
	CHECK_INT(qsnap_find(dir, "vq35", &changed, found, sizeof(found)), QSNAP_STALE);
	CHECK_INT(qsnap_count(dir, "vq35"), 0);
	/* Another board's are its own. */
	CHECK_INT(qsnap_count(dir, "vsabre"), 1);
	CHECK_INT(qsnap_find(dir, "vsabre", &sabre, found, sizeof(found)), QSNAP_HIT);
	unlink(found);
}

static void
beyond_the_bound_the_least_recently_used_goes(void)
{
	struct qsnap_key k[QSNAP_MAX_PER_BOARD + 1];
	char path[QSNAP_MAX_PER_BOARD + 1][600], found[600], slot[16];
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	int i;

	for (i = 0; i <= QSNAP_MAX_PER_BOARD; i++) {
		snprintf(slot, sizeof(slot), "build %d", i);
		k[i] = key("vq35 file", slot, "sha");
		if (i < QSNAP_MAX_PER_BOARD) {
			CHECK_INT(save("vq35", &k[i], path[i], sizeof(path[i])), 0);
			/* Saved long ago, in order. */
			old[0].tv_sec = old[1].tv_sec = 1000 + i;
			utimensat(AT_FDCWD, path[i], old, 0);
		}
	}
	/* The first one used again: the second is now the least recently used. */
	CHECK_INT(qsnap_find(dir, "vq35", &k[0], found, sizeof(found)), QSNAP_HIT);
	CHECK_INT(save("vq35", &k[QSNAP_MAX_PER_BOARD], path[QSNAP_MAX_PER_BOARD],
	    sizeof(path[0])), 0);
	CHECK_INT(qsnap_count(dir, "vq35"), QSNAP_MAX_PER_BOARD);
	CHECK_INT(access(path[1], F_OK), -1);
	CHECK_INT(access(path[0], F_OK), 0);
	CHECK_INT(access(path[QSNAP_MAX_PER_BOARD], F_OK), 0);
}

static void
a_half_written_snapshot_is_never_found_and_is_cleared(void)
{
	struct qsnap_key k = key("vq35 file", "half", "sha");
	char tmp[600], err[256], found[600];
	int fd = qsnap_create(dir, "vq35h", tmp, sizeof(tmp), err, sizeof(err));

	CHECK(fd != -1);
	close(fd);
	CHECK_INT(qsnap_find(dir, "vq35h", &k, found, sizeof(found)), QSNAP_NONE);
	CHECK_INT(access(tmp, F_OK), -1);
}

int
main(void)
{
	char err[256];

	umask(022);
	if (mkdtemp(statedir) == NULL || qsnap_dir(statedir, dir, sizeof(dir), err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "scratch: %s\n", err);
		return 1;
	}
	RUN(a_saved_snapshot_is_found_by_its_key_only);
	RUN(another_build_in_the_slot_drops_the_old_snapshot);
	RUN(a_changed_board_file_drops_every_snapshot_of_the_board);
	RUN(beyond_the_bound_the_least_recently_used_goes);
	RUN(a_half_written_snapshot_is_never_found_and_is_cleared);
	test_remove_dir(statedir);
	TEST_END();
}
