/* test: the few macros the unit tests share; each test file is one program. */
#ifndef RIG_TEST_H
#define RIG_TEST_H

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int test_passed, test_failed, test_cur_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		test_cur_failed = 1; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *test_a_ = (a), *test_b_ = (b); \
	if (test_a_ == NULL || test_b_ == NULL || strcmp(test_a_, test_b_) != 0) { \
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\" (%s vs %s)\n", __FILE__, __LINE__, \
		    test_a_ ? test_a_ : "(null)", test_b_ ? test_b_ : "(null)", #a, #b); \
		test_cur_failed = 1; \
	} \
} while (0)

#define CHECK_INT(a, b) do { \
	long long test_a_ = (long long)(a), test_b_ = (long long)(b); \
	if (test_a_ != test_b_) { \
		fprintf(stderr, "%s:%d: %lld != %lld (%s vs %s)\n", __FILE__, __LINE__, \
		    test_a_, test_b_, #a, #b); \
		test_cur_failed = 1; \
	} \
} while (0)

/* s holds part (a message naming what it should). */
#define CHECK_HAS(s, part) do { \
	const char *test_s_ = (s), *test_p_ = (part); \
	if (test_s_ == NULL || strstr(test_s_, test_p_) == NULL) { \
		fprintf(stderr, "%s:%d: \"%s\" does not hold \"%s\" (%s)\n", __FILE__, \
		    __LINE__, test_s_ ? test_s_ : "(null)", test_p_, #s); \
		test_cur_failed = 1; \
	} \
} while (0)

/* Runs one test function named for the behaviour it checks. */
#define RUN(fn) do { \
	test_cur_failed = 0; \
	fn(); \
	if (test_cur_failed) { test_failed++; printf("FAIL %s\n", #fn); } \
	else { test_passed++; printf("ok   %s\n", #fn); } \
} while (0)

/*
 * Removes a test's scratch folder when every test passed (a failure leaves it to look at, and
 * says where): rm run with an argument vector, no shell.
 */
extern char **environ;
static inline void
test_remove_dir(const char *dir)
{
	char *argv[] = { "rm", "-rf", "--", (char *)dir, NULL };
	pid_t pid;
	int st;

	if (test_failed || getenv("RIG_TEST_KEEP")) {
		fprintf(stderr, "test files kept in %s\n", dir);
		return;
	}
	if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* The closing line is counted by rig/tests/run.sh; the exit status says whether all passed. */
#define TEST_END() do { \
	printf("%d passed, %d failed\n", test_passed, test_failed); \
	return test_failed ? 1 : 0; \
} while (0)

#endif
