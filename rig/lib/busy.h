/*
 * busy: what long work in the library (a build's download, its unpacking) is doing, told to
 * whoever watches it on the same thread: rigd's thread adding a build passes it on to the
 * person who asked. A thread with no watcher pays one test per call.
 */
#ifndef RIG_BUSY_H
#define RIG_BUSY_H

#include <stdint.h>

enum busy_phase {
	BUSY_DOWNLOAD,		/* "download": a package is fetched (done of total bytes; total 0:
				 * its size unknown, done then only says the end) */
	BUSY_UNPACK,		/* "unpack": an archive is unpacked (done of total bytes read of it) */
	BUSY__COUNT
};
const char *busy_phase_name(enum busy_phase p);
enum busy_phase busy_phase_parse(const char *name);	/* -1 when unknown */

typedef void (*busy_fn)(void *arg, enum busy_phase phase, const char *what, uint64_t done,
    uint64_t total);
/* This thread's watcher from now on (fn NULL: none). */
void busy_watch(busy_fn fn, void *arg);
/*
 * To this thread's watcher: at most four times a second, but always a new phase or what, and
 * the end (done == total, total > 0).
 */
void busy_say(enum busy_phase phase, const char *what, uint64_t done, uint64_t total);

#endif
