/* store_hostkeys: each board's SSH host key, pinned the first time the rig reaches it, until forgotten. */
#include "store_int.h"
#include "util.h"

int
store_hostkey_get(struct store *s, const char *board, char *key, size_t keylen)
{
	struct store_stmt *st = store_stmt(s, "SELECT key FROM host_keys WHERE board=?", "t",
	    board);
	int rc;

	if (st == NULL)
		return -1;
	rc = store_step(s, st);
	if (rc == 1)
		util_strlcpy(key, store_col_text(s, st, 0) ? store_col_text(s, st, 0) : "", keylen);
	store_done(s, st);
	return rc;
}

int
store_hostkey_pin(struct store *s, const char *board, const char *key)
{
	char now[32];

	/* First use only: a key already pinned is changed by forgetting it, never by a connection. */
	return store_exec(s, "INSERT INTO host_keys(board, key, pinned) VALUES(?,?,?)"
	    " ON CONFLICT(board) DO NOTHING", "ttt", board, key, store_now(now, sizeof(now)));
}

int
store_hostkey_forget(struct store *s, const char *board)
{
	return (int)store_exec_int(s, "DELETE FROM host_keys WHERE board=? RETURNING 1", "t", board);
}
