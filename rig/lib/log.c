/* log: one place where rigd and rigctl report what happened (stderr or syslog). */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static const char *log_prog = "rig";
static int log_syslog;
static int log_verbose;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(const char *progname, int to_syslog, int verbose)
{
	log_prog = progname;
	log_syslog = to_syslog;
	log_verbose = verbose;
	if (to_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
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
