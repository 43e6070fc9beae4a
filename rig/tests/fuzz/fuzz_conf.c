/*
 * fuzz_conf: libFuzzer target on the board and scenario loaders (board_conf.c, scenario.c, with
 * yamlnode.c and conf.c under them). Built twice: FUZZ_CONF_BOARD for boards, else scenarios.
 * The loaders read a path, so the bytes go to a file in a private folder on /dev/shm first.
 * Beyond the sanitizers, one property: a file that loads prints (rigd -n -v's checked form) as a
 * file that loads again and prints the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

#ifdef FUZZ_CONF_BOARD
#define FUZZ_CONF_NAME	"fuzzboard"
typedef struct board_conf fuzz_conf_t;
#define fuzz_conf_load	board_conf_load
#define fuzz_conf_print	board_conf_print
#else
/* A scenario's name must be its file's name: the seeds say "name: fuzzscen" to pass that check. */
#define FUZZ_CONF_NAME	"fuzzscen"
typedef struct scenario fuzz_conf_t;
#define fuzz_conf_load	scenario_load
#define fuzz_conf_print	scenario_print
#endif

static char fuzz_conf_dir[64], fuzz_conf_in[128], fuzz_conf_out[128];

/* The private folder goes when the fuzzer exits (libFuzzer ends with exit()). */
static void
fuzz_conf_cleanup(void)
{
	char printed[128];

	unlink(fuzz_conf_in);
	unlink(fuzz_conf_out);
	snprintf(printed, sizeof(printed), "%s/printed", fuzz_conf_dir);
	rmdir(printed);
	rmdir(fuzz_conf_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char printed[128];

	(void)argc;
	(void)argv;
	snprintf(fuzz_conf_dir, sizeof(fuzz_conf_dir), "/dev/shm/rig-fuzz-conf.XXXXXX");
	if (mkdtemp(fuzz_conf_dir) == NULL)
		abort();
	/* The printed form has the same file name: a scenario's name must match it. */
	snprintf(printed, sizeof(printed), "%s/printed", fuzz_conf_dir);
	if (mkdir(printed, 0700) == -1)
		abort();
	snprintf(fuzz_conf_in, sizeof(fuzz_conf_in), "%s/%s.yaml", fuzz_conf_dir, FUZZ_CONF_NAME);
	snprintf(fuzz_conf_out, sizeof(fuzz_conf_out), "%s/%s.yaml", printed, FUZZ_CONF_NAME);
	atexit(fuzz_conf_cleanup);
	return 0;
}

static char *
fuzz_conf_printed(const fuzz_conf_t *c, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (f == NULL)
		abort();
	fuzz_conf_print(c, f);
	fclose(f);
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_conf_t a, b;
	struct conf_errors errs = { 0 };
	char *p1, *p2;
	size_t l1, l2;
	FILE *f;

	if ((f = fopen(fuzz_conf_in, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (fuzz_conf_load(fuzz_conf_in, &a, &errs) != 0) {
		/* Every error names the file. */
		for (int i = 0; i < errs.n; i++)
			if (strncmp(errs.msg[i], fuzz_conf_in, strlen(fuzz_conf_in)) != 0)
				__builtin_trap();
		conf_errors_free(&errs);
		return 0;
	}
	conf_errors_free(&errs);
	p1 = fuzz_conf_printed(&a, &l1);
	if ((f = fopen(fuzz_conf_out, "w")) == NULL)
		abort();
	fwrite(p1, 1, l1, f);
	fclose(f);
	if (fuzz_conf_load(fuzz_conf_out, &b, &errs) != 0) {
		conf_errors_print(&errs, stderr);
		fprintf(stderr, "--- printed form that does not load:\n%s", p1);
		__builtin_trap();
	}
	conf_errors_free(&errs);
	p2 = fuzz_conf_printed(&b, &l2);
	if (l1 != l2 || memcmp(p1, p2, l1) != 0) {
		fprintf(stderr, "--- printed once:\n%s--- printed again:\n%s", p1, p2);
		__builtin_trap();
	}
	free(p1);
	free(p2);
	return 0;
}
