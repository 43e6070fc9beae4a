/* cmd_export: rigctl export: results as JUnit XML or KernelCI KCIDB JSON on stdout. */
#include "rigctl.h"

#include <stdio.h>
#include <string.h>

int
cmd_export(int argc, char **argv)
{
	cJSON *req;

	if ((argc != 2 && argc != 4) || (strcmp(argv[1], "junit") && strcmp(argv[1], "kcidb")) ||
	    (argc == 4 && strcmp(argv[2], "--build"))) {
		fprintf(stderr, "usage: rigctl export junit|kcidb [--build NAME]\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "export");
	cJSON_AddStringToObject(req, "format", argv[1]);
	if (argc == 4)
		cJSON_AddStringToObject(req, "build", argv[3]);
	rigctl_call_stream(req, stdout);
	return RIGCTL_PASS;
}
