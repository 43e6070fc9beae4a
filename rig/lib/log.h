/* log: one place where rigd and rigctl report what happened (stderr or syslog). */
#ifndef RIG_LOG_H
#define RIG_LOG_H

#include <stdarg.h>

/* Where messages go: stderr for the foreground and for tools, syslog for a daemon. */
void log_init(const char *progname, int to_syslog, int verbose);
/*
 * Log lines go to path (appended, made 0640) instead of stderr: 0, or -1 with errno. The file
 * is opened again by log_reopen, after logrotate moved it (rigd's SIGHUP).
 */
int log_file(const char *path);
int log_reopen(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* appends errno text */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start-up failures, out of memory and broken invariants only: exits. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
