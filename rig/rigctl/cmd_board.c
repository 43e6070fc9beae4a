/*
 * cmd_board: rigctl board import-labgrid: a labgrid environment file as a rig board file,
 * offline (no rigd). The reading and mapping are rig/lib/labgrid.c's; this is the command line
 * and the writing of the file.
 */
#include "labgrid.h"
#include "rigctl.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
cmd_board_usage(FILE *f)
{
	fprintf(f, "usage: rigctl board import-labgrid ENV.yaml [--target NAME] [--name NAME] "
	    "[--arch ARCH] [-o FILE]\n"
	    "       rigctl board forget-key BOARD\n"
	    "import-labgrid writes a board file from a labgrid environment (standard output unless"
	    " -o).\n"
	    "Exit status: 0 complete, 1 written with site values to fill in or check, 2 error.\n"
	    "forget-key drops the SSH host key rigd pinned for the board (a board showing another"
	    " key is\nin FAULT, \"host key changed\"): its next connection pins the key it shows."
	    " Exit status 0, or 2.\n");
	return f == stdout ? RIGCTL_PASS : RIGCTL_LAB_ERROR;
}

/* rigctl board forget-key BOARD: rigd drops the pinned key; a board in FAULT for it is OFF. */
static int
cmd_board_forget_key(int argc, char **argv)
{
	cJSON *req, *res;

	if (argc != 2)
		return cmd_board_usage(stderr);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "forget-key");
	cJSON_AddStringToObject(req, "board", argv[1]);
	res = rigctl_call(req);
	printf("%s: %s\n", argv[1], cJSON_IsTrue(cJSON_GetObjectItem(res, "forgotten")) ?
	    "host key forgotten: the next connection pins the board's key" :
	    "no host key was pinned");
	cJSON_Delete(res);
	return RIGCTL_PASS;
}

static int
cmd_board_write_all(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, s + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/*
 * The file appears whole or not at all: written to a temporary file beside it (0640 from its
 * creation), flushed, then renamed over the name.
 */
static int
cmd_board_write(const char *path, const char *text)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, rc = -1;

	if (util_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir), "board") >= (int)sizeof(tmp)) {
		fprintf(stderr, "rigctl: %s: path too long\n", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd == -1) {
		fprintf(stderr, "rigctl: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0640) == -1 || cmd_board_write_all(fd, text) == -1 || fsync(fd) == -1)
		fprintf(stderr, "rigctl: %s: %s\n", tmp, strerror(errno));
	else if (close(fd) == -1)
		fprintf(stderr, "rigctl: %s: %s\n", tmp, strerror(errno));
	else if (fd = -1, rename(tmp, path) == -1)
		fprintf(stderr, "rigctl: %s: %s\n", path, strerror(errno));
	else
		rc = 0;
	if (fd != -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	return rc;
}

static int
cmd_board_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "name", required_argument, NULL, 'n' },
		{ "arch", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct labgrid_opts o = { 0 };
	struct labgrid_result r;
	enum labgrid_status st;
	const char *out = NULL;
	int ch, i;

	while ((ch = getopt_long(argc, argv, "t:n:a:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 't': o.target = optarg; break;
		case 'n': o.name = optarg; break;
		case 'a': o.arch = optarg; break;
		case 'o': out = optarg; break;
		case 'h': return cmd_board_usage(stdout);
		default: return cmd_board_usage(stderr);
		}
	}
	if (optind != argc - 1)
		return cmd_board_usage(stderr);
	st = labgrid_import(argv[optind], &o, &r);
	if (st == LABGRID_ERROR) {
		conf_errors_print(&r.errs, stderr);
		fprintf(stderr, "rigctl: no board file written\n");
		labgrid_result_free(&r);
		return LABGRID_ERROR;
	}
	if (out == NULL) {
		if (fputs(r.board, stdout) == EOF || fflush(stdout) == EOF) {
			fprintf(stderr, "rigctl: standard output: %s\n", strerror(errno));
			st = LABGRID_ERROR;
		}
	} else if (cmd_board_write(out, r.board) == -1)
		st = LABGRID_ERROR;
	for (i = 0; st != LABGRID_ERROR && i < r.n_notes; i++)
		fprintf(stderr, "%s\n", r.notes[i]);
	if (st == LABGRID_FILL_IN)
		fprintf(stderr, "rigctl: board file written: %d site value%s to fill in, %d guessed "
		    "value%s to check (see above), then rigd -n\n", r.n_fill, r.n_fill == 1 ? "" : "s",
		    r.n_guess, r.n_guess == 1 ? "" : "s");
	labgrid_result_free(&r);
	return st;
}

int
cmd_board(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cmd_board_usage(stdout);
	if (argc >= 2 && strcmp(argv[1], "forget-key") == 0)
		return cmd_board_forget_key(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "import-labgrid") != 0)
		return cmd_board_usage(stderr);
	return cmd_board_import(argc - 1, argv + 1);
}
