/* shquote: hostile values stay one word, unexpanded, through a real sh and the boards' busybox sh. */
#include "shquote.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *const hostile[] = {
	"$(touch /tmp/rig-shquote-pwned)", "`touch /tmp/rig-shquote-pwned`", "it's", "'",
	"''", "a\"b", "line1\nline2", "x; touch /tmp/rig-shquote-pwned", "x && false", "*", "/dev/*",
	"-n", "--", "$HOME", "${PATH}", "a\\b", "\\'", "tab\there", " lead and trail ", "", "!x",
	"~", "#not a comment", "a|b", "a>b", "<a", "(x)", "{a,b}", "%s%n",
};

static void
quoted_forms_are_single_quoted_words(void)
{
	char q[64];

	CHECK_INT(shquote("/dev/i2c-0", q, sizeof(q)), 0);
	CHECK_STR(q, "'/dev/i2c-0'");
	CHECK_INT(shquote("it's", q, sizeof(q)), 0);
	CHECK_STR(q, "'it'\\''s'");
	CHECK_INT(shquote("", q, sizeof(q)), 0);
	CHECK_STR(q, "''");
	CHECK_INT(shquote("$(reboot)", q, sizeof(q)), 0);
	CHECK_STR(q, "'$(reboot)'");
	CHECK_INT(shquote("a\nb", q, sizeof(q)), 0);
	CHECK_STR(q, "'a\nb'");
}

static void
a_quoted_form_that_does_not_fit_is_refused_empty(void)
{
	char q[9];

	CHECK_INT(shquote("abcdef", q, sizeof(q)), 0);	/* 'abcdef' is 9 with its NUL */
	CHECK_STR(q, "'abcdef'");
	CHECK_INT(shquote("abcdefg", q, sizeof(q)), -1);
	CHECK_STR(q, "");
	CHECK_INT(shquote("ab'cd", q, sizeof(q)), -1);	/* the quote takes four */
	CHECK_STR(q, "");
	CHECK_INT(shquote("a", q, 0), -1);
}

/* What `sh -c "printf %s WORD"` prints: WORD as the shell took it. */
static int
shquote_through(const char *sh, const char *word, char *out, size_t outlen)
{
	char script[1024];
	char *argv[] = { (char *)sh, "-c", script, NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], st;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	snprintf(script, sizeof(script), "printf %%s %s", word);
	if (pipe(fds) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawn(&pid, sh, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (have + 1 < outlen && (n = read(fds[0], out + have, outlen - 1 - have)) > 0)
		have += (size_t)n;
	out[have] = '\0';
	close(fds[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
hostile_values_reach_the_shell_intact(const char *sh)
{
	char q[256], got[256];
	size_t i;

	unlink("/tmp/rig-shquote-pwned");
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		CHECK_INT(shquote(hostile[i], q, sizeof(q)), 0);
		CHECK_INT(shquote_through(sh, q, got, sizeof(got)), 0);
		CHECK_STR(got, hostile[i]);
	}
	/* All of them together, one word. */
	CHECK_INT(shquote("$(x) `y` 'z' \"w\"\n;&&*", q, sizeof(q)), 0);
	CHECK_INT(shquote_through(sh, q, got, sizeof(got)), 0);
	CHECK_STR(got, "$(x) `y` 'z' \"w\"\n;&&*");
	CHECK(access("/tmp/rig-shquote-pwned", F_OK) == -1);
}

static void
hostile_values_reach_dash_intact(void)
{
	hostile_values_reach_the_shell_intact("/bin/sh");
}

/* The boards' shell is busybox's: the one in the lab's cache, when a board was ever made. */
static void
hostile_values_reach_busybox_sh_intact(void)
{
	const char *cache = getenv("RIG_CACHE");
	char dir[512], bb[1024], link[64] = "/tmp/rig-shquote-XXXXXX", sh[96];
	struct dirent *de;
	DIR *d;

	bb[0] = '\0';
	snprintf(dir, sizeof(dir), "%s/unpacked", cache ? cache : "var/cache");
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, "busybox-static_", 15) == 0 &&
			    strstr(de->d_name, "_amd64") != NULL)
				snprintf(bb, sizeof(bb), "%s/%s/bin/busybox", dir, de->d_name);
		closedir(d);
	}
	if (bb[0] == '\0' || access(bb, X_OK) == -1) {
		printf("  (no amd64 busybox in %s: only /bin/sh was tried)\n", dir);
		return;
	}
	/* busybox runs as sh when called so: a link named sh in a folder of our own. */
	CHECK(mkdtemp(link) != NULL);
	snprintf(sh, sizeof(sh), "%s/sh", link);
	CHECK_INT(symlink(bb, sh), 0);
	hostile_values_reach_the_shell_intact(sh);
	unlink(sh);
	rmdir(link);
}

int
main(void)
{
	RUN(quoted_forms_are_single_quoted_words);
	RUN(a_quoted_form_that_does_not_fit_is_refused_empty);
	RUN(hostile_values_reach_dash_intact);
	RUN(hostile_values_reach_busybox_sh_intact);
	TEST_END();
}
