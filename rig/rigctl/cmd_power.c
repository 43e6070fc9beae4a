/* cmd_power: rigctl power: switches a board on, off, or cycles it, and waits for the outcome. */
#include "rigctl.h"

#include <stdio.h>
#include <string.h>

int
cmd_power(int argc, char **argv)
{
	struct rigctl_conn c;
	cJSON *req, *msg = NULL;
	char *data;
	size_t len;

	if (argc != 3 || (strcmp(argv[2], "on") && strcmp(argv[2], "off") &&
	    strcmp(argv[2], "cycle"))) {
		fprintf(stderr, "usage: rigctl power BOARD on|off|cycle\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "power");
	cJSON_AddStringToObject(req, "board", argv[1]);
	cJSON_AddStringToObject(req, "action", argv[2]);
	rigctl_request(&c, req);
	while (rigctl_next(&c, &msg, &data, &len) == 1) {
		if (strcmp(rigctl_str(msg, "type"), "result") == 0) {
			rigctl_check_result(msg);
			printf("%s: power %s: done\n", argv[1], argv[2]);
			cJSON_Delete(msg);
			rigctl_close(&c);
			return RIGCTL_PASS;
		}
		printf("  %s\n", rigctl_str(msg, "msg"));
		cJSON_Delete(msg);
	}
	fprintf(stderr, "rigctl: rigd hung up\n");
	return RIGCTL_LAB_ERROR;
}
