/* cmd_nightly: rigctl nightly: queues every build x scenario x compatible board. */
#include "rigctl.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* "a,b,c" into a JSON array of names. */
static cJSON *
cmd_nightly_list(const char *csv)
{
	cJSON *a = cJSON_CreateArray();
	char buf[4096], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(a, cJSON_CreateString(tok));
	return a;
}

int
cmd_nightly(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "builds", required_argument, NULL, 'k' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "boards", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cJSON *req = cJSON_CreateObject(), *res;
	int ch;

	cJSON_AddStringToObject(req, "cmd", "nightly");
	while ((ch = getopt_long(argc, argv, "k:s:b:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': cJSON_AddItemToObject(req, "builds", cmd_nightly_list(optarg)); break;
		case 's': cJSON_AddItemToObject(req, "scenarios", cmd_nightly_list(optarg)); break;
		case 'b': cJSON_AddItemToObject(req, "boards", cmd_nightly_list(optarg)); break;
		case 'h':
			printf("usage: rigctl nightly [--builds A,B] [--scenarios S,..] [--boards B,..]\n");
			cJSON_Delete(req);
			return RIGCTL_PASS;
		default:
			fprintf(stderr, "usage: rigctl nightly [--builds A,B] [--scenarios S,..]"
			    " [--boards B,..]\n");
			cJSON_Delete(req);
			return RIGCTL_LAB_ERROR;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: rigctl nightly [--builds A,B] [--scenarios S,..] [--boards B,..]\n");
		cJSON_Delete(req);
		return RIGCTL_LAB_ERROR;
	}
	res = rigctl_call(req);
	printf("nightly %d: %d job(s) queued (%d build x scenario x board combinations do not fit);"
	    " rigctl show queue follows them\n", cJSON_GetObjectItem(res, "nightly")->valueint,
	    cJSON_GetObjectItem(res, "jobs")->valueint,
	    cJSON_GetObjectItem(res, "skipped")->valueint);
	cJSON_Delete(res);
	return RIGCTL_PASS;
}
