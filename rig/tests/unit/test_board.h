/* test_board: a board file written from text, loaded, and its errors as printed (unit tests). */
#ifndef RIG_TEST_BOARD_H
#define RIG_TEST_BOARD_H

#include <stdio.h>

#include "conf.h"

/*
 * Writes yaml to DIR/bad.yaml and loads it: the errors as board_conf_load printed them
 * (malloc'd, "path:line: what" lines), or NULL when the file loaded without one.
 */
static inline char *
test_board_errors(const char *dir, const char *yaml)
{
	struct board_conf conf;
	struct conf_errors e = { 0 };
	char file[512], *text = NULL;
	size_t len = 0;
	FILE *f, *m;

	snprintf(file, sizeof(file), "%s/bad.yaml", dir);
	if ((f = fopen(file, "w")) == NULL)
		return NULL;
	fputs(yaml, f);
	fclose(f);
	if (board_conf_load(file, &conf, &e) == 0)
		return NULL;
	if ((m = open_memstream(&text, &len)) != NULL) {
		conf_errors_print(&e, m);
		fclose(m);
	}
	conf_errors_free(&e);
	return text;
}

#endif
