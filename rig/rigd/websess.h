/* websess: how a browser comes to type at a board's console: single-use tokens for the reservation's holder, and the sessions they become. */
#ifndef RIGD_WEBSESS_H
#define RIGD_WEBSESS_H

#include <stdint.h>

/*
 * A token or a session id: WEBSESS_RANDOM bytes from the kernel's CSPRNG (getrandom), written
 * as lowercase hex. Only the holder's rigctl ever sees a token (over the control socket, whose
 * peer uid says who asks); the browser gets a session id only in an HttpOnly cookie.
 */
#define WEBSESS_RANDOM		32
#define WEBSESS_HEX		(2 * WEBSESS_RANDOM + 1)
/* A token is for opening the page it was printed for, now: a minute, once. */
#define WEBSESS_TOKEN_MS	(60 * 1000)
/*
 * A session's longest life, whatever its reservation does (extended for days, a browser left
 * open); every use checks the reservation as it stands besides.
 */
#define WEBSESS_SESSION_MS	(12 * 3600 * 1000LL)
/* At most this many of each at once: the oldest goes first to make room for a new one. */
#define WEBSESS_TOKENS_MAX	16
#define WEBSESS_SESSIONS_MAX	64

/* Who a token or session types for: this board, under this reservation, as this uid. */
struct websess_grant {
	char	board[64];
	int64_t	reservation;	/* its id */
	long	uid;
};

/* Why a token or a session is refused (websess_verdict_says: in words). */
enum websess_verdict {
	WEBSESS_OK,
	WEBSESS_UNKNOWN,	/* never given, used already, ended, or pushed out */
	WEBSESS_EXPIRED,	/* older than WEBSESS_TOKEN_MS (a token), WEBSESS_SESSION_MS */
	WEBSESS_WRONG_BOARD,	/* given for another board's console */
	WEBSESS_ENDED,		/* its reservation is over, or another holds the board now */
	WEBSESS_OTHER_USER,	/* the browser's connection is another uid's, or no uid known */
};

const char *websess_verdict_says(enum websess_verdict v);

/* A token for g, valid WEBSESS_TOKEN_MS from now_ms, into tok: 0, or -1 (no random bytes). */
int websess_mint(const struct websess_grant *g, int64_t now_ms, char tok[WEBSESS_HEX]);
/*
 * Exchanges token (used up whatever the answer, once it names one) for a session on board:
 * WEBSESS_OK with its id in sid. holder_now is the reservation holding board now; peer_uid the
 * uid owning the browser's end of the connection (-1 unknown).
 */
enum websess_verdict websess_redeem(const char *token, const char *board,
    const struct websess_grant *holder_now, long peer_uid, int64_t now_ms, char sid[WEBSESS_HEX]);
/*
 * Whether session sid may type at board now, by the same rules; a session refused for any
 * reason but the board or the uid is ended. g (may be NULL) gets its grant on WEBSESS_OK.
 */
enum websess_verdict websess_check(const char *sid, const char *board,
    const struct websess_grant *holder_now, long peer_uid, int64_t now_ms,
    struct websess_grant *g);
/* Tokens and sessions alive (expired ones not counted), for tests and show boards. */
int websess_tokens(int64_t now_ms);
int websess_sessions(int64_t now_ms);

#endif
