/* probe: what the parts' probe ops share: a program on PATH, a device node, and the "file:line: key" of a message. */
#include "probe.h"
#include "conf.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
probe_fail(const struct board_conf *conf, int line, char *why, size_t whylen, const char *fmt,
    ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line > 0)
		util_fmt(why, whylen, "%s:%d: %s", conf->file, line, text);
	else
		util_fmt(why, whylen, "%s: %s", conf->file, text);
	return -1;
}

/* 0 when path is a regular file this process may execute, else -1 with what. */
static int
probe_exec_file(const char *path, char *what, size_t whatlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		util_fmt(what, whatlen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		util_fmt(what, whatlen, "not a program (not a regular file)");
		return -1;
	}
	if (access(path, X_OK) == -1) {
		util_fmt(what, whatlen, "not executable by rigd (uid %ld)", (long)geteuid());
		return -1;
	}
	return 0;
}

int
probe_program(const char *prog, char *what, size_t whatlen)
{
	const char *path = getenv("PATH"), *p, *end;
	char file[PATH_MAX];

	if (strchr(prog, '/') != NULL)
		return probe_exec_file(prog, what, whatlen);
	/* posix_spawnp's default when PATH is unset. */
	if (path == NULL || path[0] == '\0')
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		size_t n;

		end = strchr(p, ':');
		n = end ? (size_t)(end - p) : strlen(p);
		/* An empty element is the current directory, as for the shell. */
		if (snprintf(file, sizeof(file), "%.*s/%s", n ? (int)n : 1, n ? p : ".", prog) <
		    (int)sizeof(file) && access(file, X_OK) == 0) {
			struct stat st;

			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				return 0;
		}
		if (end == NULL)
			break;
	}
	util_fmt(what, whatlen, "not found on PATH");
	return -1;
}

int
probe_chardev(const char *path, char *what, size_t whatlen)
{
	char target[PATH_MAX];
	struct stat lst, st;
	ssize_t n;

	if (lstat(path, &lst) == -1) {
		util_fmt(what, whatlen, errno == ENOENT ? "no such device" : "%s", strerror(errno));
		return -1;
	}
	if (stat(path, &st) == -1) {
		/* A /dev/serial/by-id link whose node went with the adapter. */
		n = S_ISLNK(lst.st_mode) ? readlink(path, target, sizeof(target) - 1) : -1;
		target[n > 0 ? n : 0] = '\0';
		util_fmt(what, whatlen, "a link to %s, which is gone (the adapter is unplugged)",
		    target[0] ? target : "?");
		return -1;
	}
	if (!S_ISCHR(st.st_mode)) {
		util_fmt(what, whatlen, "not a character device (a serial adapter's node is one)");
		return -1;
	}
	if (access(path, R_OK | W_OK) == -1) {
		struct group gr, *g = NULL;
		char buf[1024];
		int e = errno;

		/* Reentrant: boards probe from their own threads. */
		if (getgrgid_r(st.st_gid, &gr, buf, sizeof(buf), &g) != 0)
			g = NULL;
		errno = e;
		if (errno != EACCES && errno != EPERM) {
			util_fmt(what, whatlen, "%s", strerror(errno));
			return -1;
		}
		/* The usual fix: rigd's user joins the node's group (dialout on Debian). */
		util_fmt(what, whatlen, "permission denied: rigd (uid %ld) may not open it; the node"
		    " is mode %03o, group %s", (long)geteuid(), (unsigned)(st.st_mode & 0777),
		    g ? g->gr_name : "?");
		return -1;
	}
	return 0;
}
