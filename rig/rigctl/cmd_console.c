/* cmd_console: rigctl console: a board's live console on stdout, read-only. */
#include "rigctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
cmd_console(int argc, char **argv)
{
	struct rigctl_conn c;
	cJSON *req, *msg = NULL;
	char *data;
	size_t len;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: rigctl console BOARD\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "console");
	cJSON_AddStringToObject(req, "board", argv[1]);
	rigctl_request(&c, req);
	while ((rc = rigctl_next(&c, &msg, &data, &len)) != 0) {
		if (rc == 2) {
			/* The bytes as the board sent them: a terminal or a file sees the real thing. */
			if (write(1, data, len) != (ssize_t)len) {
				free(data);
				return RIGCTL_LAB_ERROR;
			}
			free(data);
			continue;
		}
		if (rigctl_type(msg) == PROTO_EV_RESULT)
			rigctl_check_result(msg);
		else
			fprintf(stderr, "rigctl: %s\n", rigctl_str(msg, "msg"));
		cJSON_Delete(msg);
	}
	rigctl_close(&c);
	return RIGCTL_PASS;
}
