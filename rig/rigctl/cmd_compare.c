/* cmd_compare: rigctl compare: what changed between two builds: regressions, fixes, flakes. */
#include "rigctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_compare(int argc, char **argv)
{
	cJSON *req, *res, *it;
	const char *a = NULL, *b = NULL;
	int i, regressions = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			rigctl_json = 1;
		else if (a == NULL)
			a = argv[i];
		else if (b == NULL)
			b = argv[i];
		else
			a = NULL, i = argc;
	}
	if (a == NULL || b == NULL) {
		fprintf(stderr, "usage: rigctl compare BUILD_A BUILD_B [--json]\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "compare");
	cJSON_AddStringToObject(req, "a", a);
	cJSON_AddStringToObject(req, "b", b);
	res = rigctl_call_stream(req, NULL);
	if (rigctl_json)
		rigctl_print_json(res);
	else {
		printf("%-22s %-20s %-8s %-26s %s\n", "CATEGORY", "SCENARIO", "BOARD", "A", "B");
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(res, "results")) {
			cJSON *ca = cJSON_GetObjectItem(it, "a"), *cb = cJSON_GetObjectItem(it, "b");
			printf("%-22s %-20s %-8s %-26s %s\n", rigctl_str(it, "category"),
			    rigctl_str(it, "scenario"), rigctl_str(it, "board"),
			    ca && !cJSON_IsNull(ca) ? rigctl_str(ca, "verdict") : "-",
			    cb && !cJSON_IsNull(cb) ? rigctl_str(cb, "verdict") : "-");
			/* What changed is in the titles: each under the row. */
			if (strcmp(rigctl_str(it, "category"), "changed") == 0)
				printf("%-22s A: %s\n%-22s B: %s\n", "", rigctl_str(ca, "title"),
				    "", rigctl_str(cb, "title"));
		}
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(res, "results"))
		if (strcmp(rigctl_str(it, "category"), "regression") == 0)
			regressions++;
	cJSON_Delete(res);
	/* Scripts gate on regressions: 1 when B broke something A passed. */
	return regressions ? RIGCTL_KERNEL_FAIL : RIGCTL_PASS;
}
