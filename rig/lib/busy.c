/* busy: a thread's watcher of long work in the library, told at most four times a second. */
#include "busy.h"
#include "util.h"
#include "vocab.h"

#include <string.h>

#define BUSY_EVERY_MS	250

/* Each thread's own: set and read by that thread only. */
static _Thread_local struct {
	busy_fn		 fn;
	void		*arg;
	enum busy_phase	 phase;
	char		 what[256];
	int64_t		 last;		/* util_now_ms() of the last call passed on */
} busy;

static const char *const busy_phase_names[BUSY__COUNT] = {
	[BUSY_DOWNLOAD] = "download", [BUSY_UNPACK] = "unpack",
};

const char *
busy_phase_name(enum busy_phase p)
{
	return (unsigned)p < BUSY__COUNT ? busy_phase_names[p] : "";
}

enum busy_phase
busy_phase_parse(const char *name)
{
	return (enum busy_phase)vocab_find(busy_phase_names, BUSY__COUNT, name);
}

void
busy_watch(busy_fn fn, void *arg)
{
	busy.fn = fn;
	busy.arg = arg;
	busy.what[0] = '\0';
	busy.last = 0;
}

void
busy_say(enum busy_phase phase, const char *what, uint64_t done, uint64_t total)
{
	int64_t now;
	int same;

	if (busy.fn == NULL)
		return;
	now = util_now_ms();
	same = phase == busy.phase && strcmp(what, busy.what) == 0;
	if (same && now - busy.last < BUSY_EVERY_MS && !(total > 0 && done >= total))
		return;
	busy.phase = phase;
	util_strlcpy(busy.what, what, sizeof(busy.what));
	busy.last = now;
	busy.fn(busy.arg, phase, what, done, total);
}
