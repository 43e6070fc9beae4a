/* when: times as people write them for rigctl (ISO 8601, or relative to now: "+3h") and as they read them (their local zone). */
#ifndef RIG_WHEN_H
#define RIG_WHEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * s as ms since the epoch (UTC): "now"; "+DURATION" after now_ms (util_duration_parse's units:
 * "+3h", "+90m"); or ISO 8601 "YYYY-MM-DD[THH:MM[:SS[.fff]]]" ('T' or a space), in the local
 * zone unless it ends in "Z" or an offset ("+02:00", "-0500"). -1 with err saying what was
 * expected on anything else (a day or an hour out of range too).
 */
int64_t when_parse(const char *s, int64_t now_ms, char *err, size_t errlen);
/* ms since the epoch in the local zone for people: "2026-12-03 15:00:00 CET". */
const char *when_local(int64_t ms, char *buf, size_t len);

#endif
