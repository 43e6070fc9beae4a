/* labgrid: a labgrid environment file read into a rig board file (rigctl board import-labgrid). */
#ifndef RIG_LABGRID_H
#define RIG_LABGRID_H

#include "conf.h"

/* What an import came to; rigctl's exit status is this number. */
enum labgrid_status {
	LABGRID_COMPLETE = 0,	/* every value known: rigd -n checks the file as it is */
	LABGRID_FILL_IN = 1,	/* written, with site values to fill in or guessed values to check */
	LABGRID_ERROR = 2,	/* nothing written: the problems are in errs */
};

struct labgrid_opts {
	const char *target;	/* the target to import; NULL: the only one */
	const char *name;	/* the board's name; NULL: the target's */
	const char *arch;	/* amd64, armhf, arm64; NULL: a site value to fill in */
};

struct labgrid_result {
	char	*board;		/* the board file's text (LABGRID_ERROR: NULL) */
	char	**notes;	/* "not imported: ...", "to fill in: ...", "guessed: ...", "expanded: ..." */
	int	 n_notes;
	int	 n_fill, n_guess;
	struct conf_errors errs;
};

/*
 * Reads the environment file at path and maps the chosen target onto a board file. Never
 * touches the host: no device, chip or server is looked at (rigd -n does that).
 */
enum labgrid_status labgrid_import(const char *path, const struct labgrid_opts *o,
    struct labgrid_result *r);
void labgrid_result_free(struct labgrid_result *r);

#endif
