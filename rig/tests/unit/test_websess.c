/*
 * test_websess: the browser console's tokens and sessions (rigctl console --web): single use,
 * a minute's life, one board, one holder under one reservation, the browser's own uid, and
 * bounded tables. rigd's websess.c is built in here: it is rigd's, not the library's.
 */
#include "../../rigd/websess.c"
#include "test.h"

#include <ctype.h>

#define T0	1000000LL	/* a wall clock, in ms */
#define ALICE	1000L
#define BOB	1001L

static const struct websess_grant vq35_alice = { "vq35", 7, ALICE };
static const struct websess_grant vq35_bob = { "vq35", 8, BOB };
static const struct websess_grant vsabre_alice = { "vsabre", 9, ALICE };

/* Every test starts with empty tables (the tables are the file's own statics). */
static void
fresh(void)
{
	memset(websess_tok, 0, sizeof(websess_tok));
	memset(websess_ses, 0, sizeof(websess_ses));
}

/* A session for alice on vq35, through a token: its id in sid. */
static void
alice_session(char sid[WEBSESS_HEX])
{
	char tok[WEBSESS_HEX];

	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 10, sid), WEBSESS_OK);
}

static void
tokens_are_random_hex_and_differ(void)
{
	char a[WEBSESS_HEX], b[WEBSESS_HEX];
	size_t i, hex = 0;

	fresh();
	CHECK_INT(websess_mint(&vq35_alice, T0, a), 0);
	CHECK_INT(websess_mint(&vq35_alice, T0, b), 0);
	CHECK_INT(strlen(a), 2 * WEBSESS_RANDOM);
	for (i = 0; i < strlen(a); i++)
		hex += isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]);
	CHECK_INT(hex, 2 * WEBSESS_RANDOM);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(websess_tokens(T0), 2);
}

static void
a_token_becomes_a_session_once(void)
{
	char tok[WEBSESS_HEX], sid[WEBSESS_HEX], again[WEBSESS_HEX];

	fresh();
	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 10, sid), WEBSESS_OK);
	CHECK(strcmp(sid, tok) != 0);
	CHECK_INT(websess_tokens(T0 + 10), 0);
	CHECK_INT(websess_sessions(T0 + 10), 1);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 20, again),
	    WEBSESS_UNKNOWN);
	CHECK_INT(websess_sessions(T0 + 20), 1);
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, ALICE, T0 + 30, NULL), WEBSESS_OK);
}

static void
a_token_expires_after_a_minute(void)
{
	char tok[WEBSESS_HEX], sid[WEBSESS_HEX];

	fresh();
	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + WEBSESS_TOKEN_MS, sid),
	    WEBSESS_EXPIRED);
	CHECK_INT(websess_sessions(T0 + WEBSESS_TOKEN_MS), 0);
	/* Once said expired it is gone. */
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 10, sid), WEBSESS_UNKNOWN);
}

static void
a_token_for_another_board_is_refused_and_used_up(void)
{
	char tok[WEBSESS_HEX], sid[WEBSESS_HEX];

	fresh();
	CHECK_INT(websess_mint(&vsabre_alice, T0, tok), 0);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 10, sid),
	    WEBSESS_WRONG_BOARD);
	CHECK_INT(websess_redeem(tok, "vsabre", &vsabre_alice, ALICE, T0 + 20, sid),
	    WEBSESS_UNKNOWN);
	CHECK_INT(websess_sessions(T0 + 20), 0);
}

static void
a_token_whose_holder_no_longer_holds_is_refused(void)
{
	char tok[WEBSESS_HEX], sid[WEBSESS_HEX];

	fresh();
	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	/* Released in the minute since: nobody holds it, or bob does. */
	CHECK_INT(websess_redeem(tok, "vq35", NULL, ALICE, T0 + 10, sid), WEBSESS_ENDED);
	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_bob, ALICE, T0 + 10, sid), WEBSESS_ENDED);
	CHECK_INT(websess_sessions(T0 + 10), 0);
}

static void
a_token_shown_by_another_uid_is_refused(void)
{
	char tok[WEBSESS_HEX], sid[WEBSESS_HEX];

	fresh();
	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, BOB, T0 + 10, sid),
	    WEBSESS_OTHER_USER);
	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	/* A browser on another host: the kernel knows no uid for it. */
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, -1, T0 + 10, sid), WEBSESS_OTHER_USER);
	CHECK_INT(websess_sessions(T0 + 10), 0);
}

static void
a_wrong_guess_is_refused_and_spends_nothing(void)
{
	char tok[WEBSESS_HEX], guess[WEBSESS_HEX], sid[WEBSESS_HEX];

	fresh();
	CHECK_INT(websess_mint(&vq35_alice, T0, tok), 0);
	memcpy(guess, tok, sizeof(guess));
	guess[WEBSESS_HEX - 2] = guess[WEBSESS_HEX - 2] == '0' ? '1' : '0';
	CHECK_INT(websess_redeem(guess, "vq35", &vq35_alice, ALICE, T0 + 1, sid), WEBSESS_UNKNOWN);
	CHECK_INT(websess_redeem("", "vq35", &vq35_alice, ALICE, T0 + 1, sid), WEBSESS_UNKNOWN);
	tok[10] = '\0';
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 1, sid), WEBSESS_UNKNOWN);
	CHECK_INT(websess_check(guess, "vq35", &vq35_alice, ALICE, T0 + 1, NULL),
	    WEBSESS_UNKNOWN);
	CHECK_INT(websess_tokens(T0 + 1), 1);
}

static void
a_session_ends_with_its_reservation(void)
{
	char sid[WEBSESS_HEX];

	fresh();
	alice_session(sid);
	CHECK_INT(websess_check(sid, "vq35", NULL, ALICE, T0 + 100, NULL), WEBSESS_ENDED);
	/* Ended for good: a reservation of alice's again does not bring it back. */
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, ALICE, T0 + 200, NULL),
	    WEBSESS_UNKNOWN);
	CHECK_INT(websess_sessions(T0 + 200), 0);
}

static void
a_session_ends_when_another_holds_the_board(void)
{
	struct websess_grant alice_again = { "vq35", 11, ALICE };
	char sid[WEBSESS_HEX];

	fresh();
	alice_session(sid);
	CHECK_INT(websess_check(sid, "vq35", &vq35_bob, BOB, T0 + 100, NULL), WEBSESS_ENDED);
	CHECK_INT(websess_sessions(T0 + 100), 0);
	/* Alice's next reservation is another one: a new link for it. */
	alice_session(sid);
	CHECK_INT(websess_check(sid, "vq35", &alice_again, ALICE, T0 + 100, NULL),
	    WEBSESS_ENDED);
}

static void
a_session_goes_on_while_its_reservation_holds(void)
{
	struct websess_grant g = { "", 0, 0 };
	char sid[WEBSESS_HEX];

	fresh();
	alice_session(sid);
	/* Extended: the same reservation, so the same session, up to its longest life. */
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, ALICE, T0 + 3600 * 1000LL, &g),
	    WEBSESS_OK);
	CHECK_STR(g.board, "vq35");
	CHECK_INT(g.reservation, 7);
	CHECK_INT(g.uid, ALICE);
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, ALICE, T0 + 10 + WEBSESS_SESSION_MS,
	    NULL), WEBSESS_EXPIRED);
	CHECK_INT(websess_sessions(T0), 0);
}

static void
a_session_on_another_board_is_refused_but_kept(void)
{
	char sid[WEBSESS_HEX];

	fresh();
	alice_session(sid);
	CHECK_INT(websess_check(sid, "vsabre", &vsabre_alice, ALICE, T0 + 100, NULL),
	    WEBSESS_WRONG_BOARD);
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, ALICE, T0 + 200, NULL), WEBSESS_OK);
}

static void
a_session_shown_by_another_uid_is_ended(void)
{
	char sid[WEBSESS_HEX];

	fresh();
	alice_session(sid);
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, BOB, T0 + 100, NULL),
	    WEBSESS_OTHER_USER);
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, ALICE, T0 + 200, NULL),
	    WEBSESS_UNKNOWN);
}

static void
tokens_and_sessions_are_bounded_the_oldest_going_first(void)
{
	char first[WEBSESS_HEX], tok[WEBSESS_HEX], sid[WEBSESS_HEX], sid0[WEBSESS_HEX];
	int i;

	fresh();
	CHECK_INT(websess_mint(&vq35_alice, T0, first), 0);
	for (i = 1; i <= WEBSESS_TOKENS_MAX; i++)
		CHECK_INT(websess_mint(&vq35_alice, T0 + i, tok), 0);
	CHECK_INT(websess_tokens(T0 + 100), WEBSESS_TOKENS_MAX);
	CHECK_INT(websess_redeem(first, "vq35", &vq35_alice, ALICE, T0 + 100, sid),
	    WEBSESS_UNKNOWN);
	CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 100, sid0), WEBSESS_OK);
	for (i = 1; i <= WEBSESS_SESSIONS_MAX; i++) {
		CHECK_INT(websess_mint(&vq35_alice, T0 + 100 + i, tok), 0);
		CHECK_INT(websess_redeem(tok, "vq35", &vq35_alice, ALICE, T0 + 100 + i, sid),
		    WEBSESS_OK);
	}
	CHECK_INT(websess_sessions(T0 + 1000), WEBSESS_SESSIONS_MAX);
	CHECK_INT(websess_check(sid0, "vq35", &vq35_alice, ALICE, T0 + 1000, NULL),
	    WEBSESS_UNKNOWN);
	CHECK_INT(websess_check(sid, "vq35", &vq35_alice, ALICE, T0 + 1000, NULL), WEBSESS_OK);
}

int
main(void)
{
	RUN(tokens_are_random_hex_and_differ);
	RUN(a_token_becomes_a_session_once);
	RUN(a_token_expires_after_a_minute);
	RUN(a_token_for_another_board_is_refused_and_used_up);
	RUN(a_token_whose_holder_no_longer_holds_is_refused);
	RUN(a_token_shown_by_another_uid_is_refused);
	RUN(a_wrong_guess_is_refused_and_spends_nothing);
	RUN(a_session_ends_with_its_reservation);
	RUN(a_session_ends_when_another_holds_the_board);
	RUN(a_session_goes_on_while_its_reservation_holds);
	RUN(a_session_on_another_board_is_refused_but_kept);
	RUN(a_session_shown_by_another_uid_is_ended);
	RUN(tokens_and_sessions_are_bounded_the_oldest_going_first);
	TEST_END();
}
