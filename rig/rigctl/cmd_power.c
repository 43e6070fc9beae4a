/* cmd_power: rigctl power: switches a board on, off, or cycles it, and waits for the outcome; or says a person has switched it as asked. */
#include "rigctl.h"

#include <stdio.h>
#include <string.h>

int
cmd_power(int argc, char **argv)
{
	cJSON *req;

	if (argc != 3 || (strcmp(argv[2], "on") && strcmp(argv[2], "off") &&
	    strcmp(argv[2], "cycle") && strcmp(argv[2], "confirm"))) {
		fprintf(stderr, "usage: rigctl power BOARD on|off|cycle|confirm\n");
		return RIGCTL_LAB_ERROR;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "power");
	cJSON_AddStringToObject(req, "board", argv[1]);
	cJSON_AddStringToObject(req, "action", argv[2]);
	cJSON_Delete(rigctl_call(req));
	if (strcmp(argv[2], "confirm") == 0)
		printf("%s: power confirmed: rigd goes on with the boot\n", argv[1]);
	else
		printf("%s: power %s: done\n", argv[1], argv[2]);
	return RIGCTL_PASS;
}
