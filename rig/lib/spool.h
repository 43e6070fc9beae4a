/* spool: writes the store could not take now, kept in order in a bounded file until it can. */
#ifndef RIG_SPOOL_H
#define RIG_SPOOL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The file (created 0600): a header holding how far it was replayed, then records, each
 * [length][checksum][key, kind, at_ms, fields]. A record is appended and synced before
 * spool_append returns; one torn by a crash (short, or its checksum wrong) ends the file and
 * is cut off at the next open. Replay applies records in order from the replayed mark, moving
 * the mark (synced) after each: a crash mid-replay applies again at most the record whose
 * outcome it did not see, so each record's key must make a second application change nothing
 * (store_keyed does). The file is emptied once every record is applied.
 */
struct spool;

#define SPOOL_FIELDS	12	/* at most this many fields a record */

struct spool_rec {
	const char	*key;		/* unique over every record ever written */
	int		 kind;		/* the caller's, not interpreted here */
	int64_t		 at_ms;		/* when the write was made */
	int		 nfields;
	const char	*fields[SPOOL_FIELDS];	/* NULL: no value */
};

/*
 * Opens (creating 0600) the spool at path, holding at most max_bytes of records not yet
 * applied. NULL with err ("path: why").
 */
struct spool *spool_open(const char *path, size_t max_bytes, char *err, size_t errlen);
void spool_close(struct spool *o);
/*
 * Appends r (any thread) and syncs it: 0; -1 when the spool is full (errno ENOSPC: counted
 * in spool_lost, never silent: the caller says so) or cannot be written (errno).
 */
int spool_append(struct spool *o, const struct spool_rec *r);
/*
 * Applies the records in order: apply returns 0 when the record is applied (or was before),
 * -1 to stop (the record and those after it stay for the next replay). How many were applied,
 * or -1 when apply stopped or the file failed. One replay at a time; appends wait for it.
 */
typedef int spool_apply_fn(const struct spool_rec *r, void *arg);
int spool_replay(struct spool *o, spool_apply_fn *apply, void *arg);
/* Records waiting to be applied. */
int spool_pending(struct spool *o);
/* Appends refused because the spool was full, since it was opened. */
uint64_t spool_lost(struct spool *o);

#endif
