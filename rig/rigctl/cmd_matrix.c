/* cmd_matrix: rigctl matrix: kernel builds (by version) x scenarios, a verdict in each cell. */
#include "rigctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_matrix(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cJSON *req = cJSON_CreateObject(), *res, *cols, *row, *col, *cell;
	int ch, i;

	cJSON_AddStringToObject(req, "cmd", "matrix");
	while ((ch = getopt_long(argc, argv, "b:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': cJSON_AddStringToObject(req, "board", optarg); break;
		case 'j': rigctl_json = 1; break;
		case 'h': printf("usage: rigctl matrix [--board B] [--json]\n"); cJSON_Delete(req);
			return RIGCTL_PASS;
		default: fprintf(stderr, "usage: rigctl matrix [--board B] [--json]\n");
			cJSON_Delete(req);
			return RIGCTL_LAB_ERROR;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: rigctl matrix [--board B] [--json]\n");
		cJSON_Delete(req);
		return RIGCTL_LAB_ERROR;
	}
	res = rigctl_call_stream(req, NULL);
	if (rigctl_json) {
		rigctl_print_json(res);
		cJSON_Delete(res);
		return RIGCTL_PASS;
	}
	cols = cJSON_GetObjectItem(res, "columns");
	/* One block per build: a column per scenario would not fit a terminal once titles come. */
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(res, "rows")) {
		printf("%s  (%s%s%s)\n", rigctl_str(row, "build"), rigctl_str(row, "release"),
		    *rigctl_str(row, "version") ? ", " : "", rigctl_str(row, "version"));
		i = 0;
		cJSON_ArrayForEach(col, cols) {
			cell = cJSON_GetArrayItem(cJSON_GetObjectItem(row, "cells"), i++);
			if (cell == NULL || cJSON_IsNull(cell)) {
				printf("  %-28s -\n", rigctl_str(col, "key"));
				continue;
			}
			printf("  %-28s %-6s%s %s\n", rigctl_str(col, "key"),
			    rigctl_str(cell, "verdict"),
			    cJSON_IsTrue(cJSON_GetObjectItem(cell, "flaky")) ? " (flaky)" : "",
			    rigctl_str(cell, "title"));
		}
	}
	cJSON_Delete(res);
	return RIGCTL_PASS;
}
