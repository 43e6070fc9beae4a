/* cmd_console: rigctl console: a board's live console on stdout, read-only (another host's board: from that host's shared console); or, with --web, the holder's link to type at it in a browser. */
#include "rigctl.h"
#include "termsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* All of buf to stdout: 0, or -1. */
static int
cmd_console_write(const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(1, buf + off, len - off);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/*
 * --web: the board page's address with a single-use token (rigd checks that the caller holds
 * the board's reservation), for the holder's browser to type at the console.
 */
static int
cmd_console_web(const char *board)
{
	cJSON *req = cJSON_CreateObject(), *res;

	cJSON_AddStringToObject(req, "cmd", "console-web");
	cJSON_AddStringToObject(req, "board", board);
	res = rigctl_call(req);
	if (rigctl_json)
		rigctl_print_json(res);
	else {
		printf("%s\n", rigctl_str(res, "url"));
		fprintf(stderr, "rigctl: open it in a browser on this host within a minute; it works"
		    " once, and typing lasts while reservation %.0f holds (until %s)\n",
		    cJSON_GetNumberValue(cJSON_GetObjectItem(res, "reservation")),
		    rigctl_str(res, "until"));
	}
	cJSON_Delete(res);
	return RIGCTL_PASS;
}

int
cmd_console(int argc, char **argv)
{
	struct rigctl_conn c;
	struct termsafe ts = { { 0 }, 0 };
	cJSON *req, *msg = NULL;
	const char *board = NULL;
	char *data, *safe = NULL;
	size_t len;
	int rc, i, raw = 0, failed = 0, bad = 0, web = 0, remote = -1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--raw") == 0)
			raw = 1;
		else if (strcmp(argv[i], "--web") == 0)
			web = 1;
		else if (strcmp(argv[i], "--json") == 0)
			rigctl_json = 1;
		else if (board == NULL && argv[i][0] != '-')
			board = argv[i];
		else
			bad = 1;
	}
	if (board == NULL || bad || (web && raw) || (rigctl_json && !web)) {
		fprintf(stderr, "usage: rigctl console BOARD [--raw]\n"
		    "       rigctl console BOARD --web [--json]\n");
		return RIGCTL_LAB_ERROR;
	}
	if (web)
		return cmd_console_web(board);
	/*
	 * A terminal gets text: an escape sequence the board printed would drive it (termsafe.h).
	 * A file or a pipe, or --raw, gets the bytes as the board sent them.
	 */
	if (!isatty(1))
		raw = 1;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "console");
	cJSON_AddStringToObject(req, "board", board);
	rigctl_request(&c, req);
	while (!failed && (rc = rigctl_next(&c, &msg, &data, &len)) != 0) {
		if (rc == 2) {
			if (raw)
				failed = cmd_console_write(data, len) == -1;
			else {
				safe = realloc(safe, TERMSAFE_OUT(len));
				failed = safe == NULL || cmd_console_write(safe,
				    termsafe_filter(&ts, data, len, safe)) == -1;
			}
			free(data);
			continue;
		}
		if (rigctl_type(msg) == PROTO_EV_RESULT) {
			rigctl_check_result(msg);
			/* Another host's board: rigd said where that host shares its console. */
			if (*rigctl_str(msg, "console_url")) {
				remote = cmd_console_remote(msg, raw);
				cJSON_Delete(msg);
				break;
			}
		} else
			fprintf(stderr, "rigctl: %s\n", rigctl_str(msg, "msg"));
		cJSON_Delete(msg);
	}
	if (!failed && !raw && (safe = realloc(safe, TERMSAFE_OUT(0))) != NULL)
		failed = cmd_console_write(safe, termsafe_flush(&ts, safe)) == -1;
	free(safe);
	rigctl_close(&c);
	if (remote != -1)
		return remote;
	return failed ? RIGCTL_LAB_ERROR : RIGCTL_PASS;
}
