/* Control protocol framing: whole frames pass, bad lengths are refused, partial ones wait; and the words' tables. */
#include "proto.h"
#include "test.h"
#include "vocab.h"

#include <stdlib.h>
#include <string.h>

static void
frame_round_trips_json_and_console_bytes(void)
{
	struct proto_buf b = { 0 };
	char *p;
	size_t len;
	int type;

	proto_frame(&b, PROTO_JSON, "{\"cmd\":\"ping\"}", 14);
	proto_frame(&b, PROTO_CONSOLE, "a\0b", 3);
	CHECK_INT(proto_take(&b, 1024, &type, &p, &len), 1);
	CHECK_INT(type, PROTO_JSON);
	CHECK_STR(p, "{\"cmd\":\"ping\"}");
	free(p);
	CHECK_INT(proto_take(&b, 1024, &type, &p, &len), 1);
	CHECK_INT(type, PROTO_CONSOLE);
	CHECK_INT(len, 3);
	CHECK(memcmp(p, "a\0b", 3) == 0);
	free(p);
	CHECK_INT(proto_take(&b, 1024, &type, &p, &len), 0);
	proto_buf_free(&b);
}

static void
truncated_frame_waits_for_the_rest(void)
{
	struct proto_buf b = { 0 }, whole = { 0 };
	char *p;
	size_t len, i;
	int type;

	proto_frame(&whole, PROTO_JSON, "{\"v\":1}", 7);
	for (i = 0; i < whole.len - 1; i++) {
		proto_buf_append(&b, whole.data + i, 1);
		CHECK_INT(proto_take(&b, 1024, &type, &p, &len), 0);
	}
	proto_buf_append(&b, whole.data + i, 1);
	CHECK_INT(proto_take(&b, 1024, &type, &p, &len), 1);
	CHECK_STR(p, "{\"v\":1}");
	free(p);
	proto_buf_free(&b);
	proto_buf_free(&whole);
}

static void
oversized_or_empty_frame_is_refused_before_it_is_read(void)
{
	struct proto_buf b = { 0 };
	unsigned char big[5] = { 0x7f, 0xff, 0xff, 0xff, 'J' }, empty[4] = { 0, 0, 0, 0 };
	char *p;
	size_t len;
	int type;

	proto_buf_append(&b, big, sizeof(big));
	CHECK_INT(proto_take(&b, PROTO_MAX_REQUEST, &type, &p, &len), -1);
	b.len = 0;
	proto_buf_append(&b, empty, sizeof(empty));
	CHECK_INT(proto_take(&b, PROTO_MAX_REQUEST, &type, &p, &len), -1);
	proto_buf_free(&b);
}

static void
frame_of_exactly_the_limit_passes(void)
{
	struct proto_buf b = { 0 };
	char *payload = calloc(1, PROTO_MAX_REQUEST), *p;
	size_t len;
	int type;

	memset(payload, 'x', PROTO_MAX_REQUEST);
	proto_frame(&b, PROTO_JSON, payload, PROTO_MAX_REQUEST);
	CHECK_INT(proto_take(&b, PROTO_MAX_REQUEST, &type, &p, &len), 1);
	CHECK_INT(len, PROTO_MAX_REQUEST);
	free(p);
	proto_frame(&b, PROTO_JSON, payload, PROTO_MAX_REQUEST);
	proto_buf_append(&b, "x", 1);
	b.data[3]++;	/* one byte more than allowed */
	CHECK_INT(proto_take(&b, PROTO_MAX_REQUEST, &type, &p, &len), -1);
	free(payload);
	proto_buf_free(&b);
}

/* Every word has its own spelling in the table, and the spelling parses back to it. */
static void
every_queue_state_run_state_and_error_kind_has_one_name(void)
{
	int i, j;

	for (i = 0; i < QUEUE_STATE__COUNT; i++) {
		CHECK(queue_state_name((enum queue_state)i)[0] != '\0');
		CHECK_INT(queue_state_parse(queue_state_name((enum queue_state)i)), i);
	}
	CHECK_INT(queue_state_parse("finished"), QUEUE_STATE_UNKNOWN);
	for (i = 0; i < RUN_STATE__COUNT; i++)
		CHECK_INT(run_state_parse(run_state_name((enum run_state)i)), i);
	CHECK_INT(run_state_parse(NULL), RUN_STATE_UNKNOWN);
	for (i = 0; i < LEASE_RESET__COUNT; i++)
		CHECK_INT(lease_reset_parse(lease_reset_name((enum lease_reset)i)), i);
	CHECK_INT(lease_reset_parse(NULL), LEASE_RESET_UNKNOWN);
	CHECK_INT(queue_state_is_open(QUEUE_QUEUED) + queue_state_is_open(QUEUE_RUNNING), 2);
	CHECK_INT(queue_state_is_open(QUEUE_DONE) + queue_state_is_open(QUEUE_ERROR), 0);
	for (i = ERROR_NONE + 1; i < ERROR__COUNT; i++) {
		CHECK(error_kind_name((enum error_kind)i)[0] != '\0');
		CHECK_INT(error_kind_parse(error_kind_name((enum error_kind)i)), i);
		for (j = i + 1; j < ERROR__COUNT; j++)
			CHECK(strcmp(error_kind_name((enum error_kind)i),
			    error_kind_name((enum error_kind)j)) != 0);
	}
	/* A request's failures are not the lab's: the nightly queue does not retry them. */
	CHECK_INT(error_kind_is_lab(ERROR_STORE) + error_kind_is_lab(ERROR_NO_SUCH_BUILD), 0);
}

int
main(void)
{
	RUN(frame_round_trips_json_and_console_bytes);
	RUN(truncated_frame_waits_for_the_rest);
	RUN(oversized_or_empty_frame_is_refused_before_it_is_read);
	RUN(frame_of_exactly_the_limit_passes);
	RUN(every_queue_state_run_state_and_error_kind_has_one_name);
	TEST_END();
}
