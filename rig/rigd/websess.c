/* websess: the tokens rigctl console --web hands a reservation's holder, and the browser sessions they are exchanged for. */
#include "websess.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>

/*
 * Both tables are written by whoever mints (the store writer's thread, for the control socket)
 * and whoever redeems or checks (the HTTP connection threads): all under websess_lock. Slots
 * with a zero expiry are free.
 */
struct websess_slot {
	char			 id[WEBSESS_HEX];
	struct websess_grant	 grant;
	int64_t			 born_ms;
	int64_t			 expires_ms;
};

static pthread_mutex_t websess_lock = PTHREAD_MUTEX_INITIALIZER;
static struct websess_slot websess_tok[WEBSESS_TOKENS_MAX];	/* websess_lock */
static struct websess_slot websess_ses[WEBSESS_SESSIONS_MAX];	/* websess_lock */

const char *
websess_verdict_says(enum websess_verdict v)
{
	switch (v) {
	case WEBSESS_OK:
		return "ok";
	case WEBSESS_UNKNOWN:
		return "unknown (used already, ended, or never given): ask rigctl console --web"
		    " for a new link";
	case WEBSESS_EXPIRED:
		return "expired: ask rigctl console --web for a new link";
	case WEBSESS_WRONG_BOARD:
		return "given for another board's console";
	case WEBSESS_ENDED:
		return "ended with its reservation (over, released, or another holds the board)";
	case WEBSESS_OTHER_USER:
		return "not yours: this connection belongs to another user of this host, or to"
		    " none the kernel knows (a browser elsewhere)";
	}
	return "?";
}

/* WEBSESS_RANDOM bytes of the kernel's CSPRNG as hex: 0, or -1. */
static int
websess_random(char out[WEBSESS_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[WEBSESS_RANDOM];
	size_t got = 0;
	ssize_t n;
	int i;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	for (i = 0; i < WEBSESS_RANDOM; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * WEBSESS_RANDOM] = '\0';
	memset(raw, 0, sizeof(raw));
	return 0;
}

/*
 * 1 when s is id: every byte looked at whatever the first difference, so the time taken says
 * nothing of how much of a guess was right. Only the length (public) ends it early.
 */
static int
websess_same(const char *s, const char *id)
{
	unsigned char diff = 0;
	size_t i;

	if (strnlen(s, WEBSESS_HEX) != WEBSESS_HEX - 1 || id[0] == '\0')
		return 0;
	for (i = 0; i < WEBSESS_HEX - 1; i++)
		diff |= (unsigned char)(s[i] ^ id[i]);
	return diff == 0;
}

/* The slot of v holding s, every slot compared; -1 none. Expired slots are freed first. */
static int
websess_find(struct websess_slot *v, int n, const char *s, int64_t now_ms, int *expired)
{
	int i, found = -1;

	*expired = 0;
	for (i = 0; i < n; i++) {
		int same = v[i].expires_ms != 0 && websess_same(s, v[i].id);

		if (same && found == -1)
			found = i;
	}
	if (found != -1 && v[found].expires_ms <= now_ms) {
		*expired = 1;
		memset(&v[found], 0, sizeof(v[found]));
		found = -1;
	}
	return found;
}

/* A free slot of v: an unused or expired one, else the oldest (pushed out). */
static struct websess_slot *
websess_room(struct websess_slot *v, int n, int64_t now_ms)
{
	int i, oldest = 0;

	for (i = 0; i < n; i++) {
		if (v[i].expires_ms <= now_ms)
			return &v[i];
		if (v[i].born_ms < v[oldest].born_ms)
			oldest = i;
	}
	return &v[oldest];
}

int
websess_mint(const struct websess_grant *g, int64_t now_ms, char tok[WEBSESS_HEX])
{
	struct websess_slot *s;

	if (websess_random(tok) == -1)
		return -1;
	pthread_mutex_lock(&websess_lock);
	s = websess_room(websess_tok, WEBSESS_TOKENS_MAX, now_ms);
	memcpy(s->id, tok, WEBSESS_HEX);
	s->grant = *g;
	s->born_ms = now_ms;
	s->expires_ms = now_ms + WEBSESS_TOKEN_MS;
	pthread_mutex_unlock(&websess_lock);
	return 0;
}

/* The rules a grant is held to at each use, the store's holder_now and the kernel's peer_uid. */
static enum websess_verdict
websess_judge(const struct websess_grant *g, const char *board,
    const struct websess_grant *holder_now, long peer_uid)
{
	if (strcmp(g->board, board) != 0)
		return WEBSESS_WRONG_BOARD;
	if (holder_now == NULL || holder_now->reservation != g->reservation ||
	    holder_now->uid != g->uid || strcmp(holder_now->board, g->board) != 0)
		return WEBSESS_ENDED;
	if (peer_uid < 0 || peer_uid != g->uid)
		return WEBSESS_OTHER_USER;
	return WEBSESS_OK;
}

enum websess_verdict
websess_redeem(const char *token, const char *board, const struct websess_grant *holder_now,
    long peer_uid, int64_t now_ms, char sid[WEBSESS_HEX])
{
	struct websess_slot t, *s;
	enum websess_verdict v;
	char id[WEBSESS_HEX];
	int i, expired;

	if (websess_random(id) == -1)
		return WEBSESS_UNKNOWN;
	pthread_mutex_lock(&websess_lock);
	i = websess_find(websess_tok, WEBSESS_TOKENS_MAX, token, now_ms, &expired);
	if (i == -1) {
		pthread_mutex_unlock(&websess_lock);
		return expired ? WEBSESS_EXPIRED : WEBSESS_UNKNOWN;
	}
	/* Used up by its first showing, whatever comes of it. */
	t = websess_tok[i];
	memset(&websess_tok[i], 0, sizeof(websess_tok[i]));
	v = websess_judge(&t.grant, board, holder_now, peer_uid);
	if (v == WEBSESS_OK) {
		s = websess_room(websess_ses, WEBSESS_SESSIONS_MAX, now_ms);
		memcpy(s->id, id, WEBSESS_HEX);
		s->grant = t.grant;
		s->born_ms = now_ms;
		s->expires_ms = now_ms + WEBSESS_SESSION_MS;
		memcpy(sid, id, WEBSESS_HEX);
	}
	pthread_mutex_unlock(&websess_lock);
	return v;
}

enum websess_verdict
websess_check(const char *sid, const char *board, const struct websess_grant *holder_now,
    long peer_uid, int64_t now_ms, struct websess_grant *g)
{
	enum websess_verdict v;
	int i, expired;

	pthread_mutex_lock(&websess_lock);
	i = websess_find(websess_ses, WEBSESS_SESSIONS_MAX, sid, now_ms, &expired);
	if (i == -1) {
		pthread_mutex_unlock(&websess_lock);
		return expired ? WEBSESS_EXPIRED : WEBSESS_UNKNOWN;
	}
	v = websess_judge(&websess_ses[i].grant, board, holder_now, peer_uid);
	if (v == WEBSESS_OK && g)
		*g = websess_ses[i].grant;
	/* Over with its reservation; shown by another uid, it has leaked: ended either way. */
	if (v == WEBSESS_ENDED || v == WEBSESS_OTHER_USER)
		memset(&websess_ses[i], 0, sizeof(websess_ses[i]));
	pthread_mutex_unlock(&websess_lock);
	return v;
}

static int
websess_alive(const struct websess_slot *v, int n, int64_t now_ms)
{
	int i, k = 0;

	pthread_mutex_lock(&websess_lock);
	for (i = 0; i < n; i++)
		k += v[i].expires_ms > now_ms;
	pthread_mutex_unlock(&websess_lock);
	return k;
}

int
websess_tokens(int64_t now_ms)
{
	return websess_alive(websess_tok, WEBSESS_TOKENS_MAX, now_ms);
}

int
websess_sessions(int64_t now_ms)
{
	return websess_alive(websess_ses, WEBSESS_SESSIONS_MAX, now_ms);
}
