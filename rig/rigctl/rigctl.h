/* rigctl: what its commands share: the connection to rigd and output helpers. */
#ifndef RIGCTL_H
#define RIGCTL_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "proto.h"

/* Exit codes: what a script running rigctl needs to tell apart. */
#define RIGCTL_PASS		0	/* pass / done */
#define RIGCTL_KERNEL_FAIL	1	/* the kernel hung, crashed or misbehaved */
#define RIGCTL_LAB_ERROR	2	/* the rig, the lab or the request failed */

struct rigctl_conn {
	int	fd;
	char	*inbuf;
	size_t	inlen, incap;
};

extern const char *rigctl_socket;
extern int rigctl_json;
/* What rigctl's own failures exit with: RIGCTL_LAB_ERROR (rigctl ssh: 255, the rest is its shell's). */
extern int rigctl_fail_exit;

/* Connects to rigd and sends req (the "v" field is added); exits 2 when rigd is not there. */
void rigctl_request(struct rigctl_conn *c, cJSON *req);
/*
 * Next message from rigd: a JSON object (return 1, *msg set), console bytes (return 2, *data
 * and *len set, free *data), a piece of a streamed reply (return 3, the same), 0 at end of
 * stream, exits 2 on a broken stream.
 */
int rigctl_next(struct rigctl_conn *c, cJSON **msg, char **data, size_t *len);
void rigctl_close(struct rigctl_conn *c);
/* Bytes of rigd's reply read but not yet taken by rigctl_next (a whole message may be there). */
size_t rigctl_buffered(void);
/* The final "result" of a request: prints the error and exits 2 unless its status is ok. */
void rigctl_check_result(cJSON *msg);
const char *rigctl_str(cJSON *o, const char *key);
/* --json: the answer as rigd gave it, indented, one object. */
void rigctl_print_json(const cJSON *o);
/* The message's "type" as an event (-1 when rigd sent a type this rigctl does not know). */
enum proto_event rigctl_type(cJSON *msg);

/* One request, its final result (exits 2 unless ok); progress messages go to stderr. */
cJSON *rigctl_call(cJSON *req);
/*
 * A request whose answer is streamed (matrix, compare, export; proto.h): its text is written
 * to out as it comes (returns NULL), or, with out NULL, gathered and returned parsed as JSON.
 * Exits 2 unless the final result is ok.
 */
cJSON *rigctl_call_stream(cJSON *req, FILE *out);

int cmd_run(int argc, char **argv);
int cmd_survey(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_nightly(int argc, char **argv);
int cmd_bisect(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_power(int argc, char **argv);
int cmd_console(int argc, char **argv);
/*
 * rigctl console for another host's board: res is rigd's answer (board, host, host_alive,
 * console_url); reads that host's shared console until it ends. An exit code.
 */
int cmd_console_remote(cJSON *res, int raw);
int cmd_ping(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_board(int argc, char **argv);
int cmd_reserve(int argc, char **argv);
int cmd_extend(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_show_reservations(int argc, char **argv);
int cmd_ssh(int argc, char **argv);

#endif
