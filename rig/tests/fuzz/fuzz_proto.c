/*
 * fuzz_proto: libFuzzer target on the control protocol's decoder, both ends: the bytes a client
 * sends rigd (framed, 64 KiB cap, then the request checks rigd makes before dispatch) and the
 * bytes rigd sends rigctl (8 MiB cap, then the reply's type and status), and a shell's input
 * frames as rigd's relay takes them (proto_shell_take), fed in uneven pieces.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "proto.h"

/* What rigd does with one request before it picks the command (control.c, control_client.c). */
static void
fuzz_proto_request(const char *payload, size_t len, int type)
{
	cJSON *req, *v, *cmd;

	if (type != PROTO_JSON || strlen(payload) != len)
		return;
	if ((req = cJSON_Parse(payload)) == NULL)
		return;
	v = cJSON_GetObjectItem(req, "v");
	cmd = cJSON_GetObjectItem(req, "cmd");
	if (cJSON_IsObject(req) && cJSON_IsNumber(v) && v->valueint == PROTO_VERSION &&
	    cJSON_IsString(cmd) && strlen(cmd->valuestring) > len)
		__builtin_trap();
	cJSON_Delete(req);
}

/* What rigctl does with one reply: its type names an event or the result, its status a code. */
static void
fuzz_proto_reply(const char *payload, size_t len, int type)
{
	cJSON *msg, *t, *st;

	if (type == PROTO_CONSOLE || strlen(payload) != len)
		return;
	if ((msg = cJSON_Parse(payload)) == NULL)
		return;
	t = cJSON_GetObjectItem(msg, "type");
	st = cJSON_GetObjectItem(msg, "status");
	if (cJSON_IsString(t)) {
		int e = (int)proto_event_parse(t->valuestring);
		if (e != -1 && strcmp(proto_event_name((enum proto_event)e), t->valuestring) != 0)
			__builtin_trap();
	}
	if (cJSON_IsString(st)) {
		int s = (int)proto_status_parse(st->valuestring);
		if (s != -1 && strcmp(proto_status_name((enum proto_status)s), st->valuestring) != 0)
			__builtin_trap();
	}
	cJSON_Delete(msg);
}

/* The stream in pieces whose sizes come from the data; every frame taken must be re-framable. */
static void
fuzz_proto_stream(const uint8_t *data, size_t size, size_t max, int rigd_side)
{
	struct proto_buf in = { 0 };
	size_t i = 0, len;
	char *payload;
	int type, rc = 0;

	while (i < size && rc != -1) {
		size_t n = 1 + data[i] % 61;

		if (n > size - i)
			n = size - i;
		proto_buf_append(&in, data + i, n);
		i += n;
		while ((rc = proto_take(&in, max, &type, &payload, &len)) == 1) {
			struct proto_buf again = { 0 };
			char *p2;
			size_t l2;
			int t2;

			if (payload[len] != '\0')
				__builtin_trap();
			/* Framing what was taken gives back the same frame. */
			proto_frame(&again, type, payload, len);
			if (proto_take(&again, max, &t2, &p2, &l2) != 1 || t2 != type || l2 != len ||
			    memcmp(p2, payload, len) != 0 || again.len != 0)
				__builtin_trap();
			free(p2);
			proto_buf_free(&again);
			if (rigd_side)
				fuzz_proto_request(payload, len, type);
			else
				fuzz_proto_reply(payload, len, type);
			free(payload);
		}
	}
	proto_buf_free(&in);
}

/* A shell's input (rigd's relay thread): each frame taken is whole and checked, an error says so. */
static void
fuzz_proto_shell(const uint8_t *data, size_t size)
{
	struct proto_buf in = { 0 };
	struct proto_shell_in sh;
	size_t i = 0, len;
	char *payload, err[256];
	int rc = 0;

	while (i < size && rc != -1) {
		size_t n = 1 + data[i] % 61;

		if (n > size - i)
			n = size - i;
		proto_buf_append(&in, data + i, n);
		i += n;
		err[0] = '\0';
		while ((rc = proto_shell_take(&in, &sh, &payload, &len, err, sizeof(err))) == 1) {
			if (sh.type == PROTO_SHELL_WINCH && (sh.cols < 1 || sh.rows < 1 || len != 4))
				__builtin_trap();
			if (sh.type == PROTO_SHELL_EOF && len != 0)
				__builtin_trap();
			free(payload);
		}
		if (rc == -1 && strncmp(err, "shell: ", 7) != 0)
			__builtin_trap();
	}
	proto_buf_free(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_proto_stream(data, size, PROTO_MAX_REQUEST, 1);
	fuzz_proto_stream(data, size, PROTO_MAX_FRAME, 0);
	fuzz_proto_shell(data, size);
	return 0;
}
