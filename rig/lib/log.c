/* log: one place where rigd and rigctl report what happened (stderr or syslog). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "rig";
static int log_syslog;
static int log_verbose;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_path[1024];	/* log_lock: the -l file, "" for stderr as it is */

void
log_init(const char *progname, int to_syslog, int verbose)
{
	log_prog = progname;
	log_syslog = to_syslog;
	log_verbose = verbose;
	if (to_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_file(const char *path)
{
	pthread_mutex_lock(&log_lock);
	snprintf(log_path, sizeof(log_path), "%s", path);
	pthread_mutex_unlock(&log_lock);
	return log_reopen();
}

int
log_reopen(void)
{
	int fd, rc = 0;

	/* Under the lock: no line is cut between the old file and the new one. */
	pthread_mutex_lock(&log_lock);
	if (log_path[0] != '\0') {
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd == -1 || dup2(fd, 2) == -1)
			rc = -1;
		if (fd != -1)
			close(fd);
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

static void
log_vout(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
		return;
	}
	/* Threads (one runner per board) log too: keep lines whole. */
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s: %s%s%s\n", log_prog, msg, suffix ? ": " : "", suffix ? suffix : "");
	pthread_mutex_unlock(&log_lock);
}

void
log_warn(const char *fmt, ...)
{
	char ebuf[256];
	int saved = errno;
	va_list ap;

	strerror_r(saved, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	log_vout(LOG_WARNING, fmt, ap, ebuf);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vout(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vout(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vout(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char ebuf[256];
	va_list ap;

	strerror_r(errno, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	log_vout(LOG_CRIT, fmt, ap, ebuf);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vout(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
