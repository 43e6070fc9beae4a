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

/* A shell's input, window size and end of input come through whole, fed a byte at a time. */
static void
shell_frames_in_pieces_wait_then_pass(void)
{
	struct proto_buf whole = { 0 }, b = { 0 };
	struct proto_shell_in in;
	char err[256], *data;
	size_t len, i;
	int rc, seen = 0;

	proto_frame(&whole, PROTO_SHELL_IN, "ls\n", 3);
	proto_shell_winch(&whole, 132, 43);
	proto_frame(&whole, PROTO_SHELL_IN, "\0\3", 2);
	proto_frame(&whole, PROTO_SHELL_EOF, "", 0);
	for (i = 0; i < whole.len; i++) {
		proto_buf_append(&b, whole.data + i, 1);
		while ((rc = proto_shell_take(&b, &in, &data, &len, err, sizeof(err))) == 1) {
			switch (seen++) {
			case 0:
				CHECK_INT(in.type, PROTO_SHELL_IN);
				CHECK_INT(len, 3);
				CHECK(memcmp(data, "ls\n", 3) == 0);
				break;
			case 1:
				CHECK_INT(in.type, PROTO_SHELL_WINCH);
				CHECK_INT(in.cols, 132);
				CHECK_INT(in.rows, 43);
				break;
			case 2:
				CHECK_INT(in.type, PROTO_SHELL_IN);
				CHECK_INT(len, 2);
				CHECK(memcmp(data, "\0\3", 2) == 0);
				break;
			default:
				CHECK_INT(in.type, PROTO_SHELL_EOF);
				CHECK_INT(len, 0);
			}
			free(data);
		}
		CHECK_INT(rc, 0);
	}
	CHECK_INT(seen, 4);
	CHECK_INT(b.len, 0);
	proto_buf_free(&b);
	proto_buf_free(&whole);
}

static void
shell_window_size_is_clamped_to_what_the_frame_holds(void)
{
	struct proto_buf b = { 0 };
	struct proto_shell_in in;
	char err[256], *data;
	size_t len;

	proto_shell_winch(&b, 0, 70000);
	CHECK_INT(proto_shell_take(&b, &in, &data, &len, err, sizeof(err)), 1);
	CHECK_INT(in.cols, 1);
	CHECK_INT(in.rows, 65535);
	free(data);
	proto_buf_free(&b);
}

/* take: one frame of type and payload through proto_shell_take; its error in err. */
static int
shell_take_one(int type, const char *payload, size_t n, char *err, size_t errlen)
{
	struct proto_buf b = { 0 };
	struct proto_shell_in in;
	char *data = NULL;
	size_t len;
	int rc;

	err[0] = '\0';
	proto_frame(&b, type, payload, n);
	rc = proto_shell_take(&b, &in, &data, &len, err, errlen);
	if (rc == 1)
		free(data);
	else
		CHECK(data == NULL);
	proto_buf_free(&b);
	return rc;
}

static void
shell_bad_frames_get_a_clear_error(void)
{
	struct proto_buf b = { 0 };
	struct proto_shell_in in;
	unsigned char huge[5] = { 0x00, 0x01, 0x00, 0x02, 'I' };
	char err[256], *data = NULL;
	size_t len;

	CHECK_INT(shell_take_one(PROTO_JSON, "{}", 2, err, sizeof(err)), -1);
	CHECK_HAS(err, "frame type 'J' is no shell input ('I', 'W' or 'E')");
	CHECK_INT(shell_take_one(0, "x", 1, err, sizeof(err)), -1);
	CHECK_HAS(err, "frame type 0x00 is no shell input");
	CHECK_INT(shell_take_one(0xff, "", 0, err, sizeof(err)), -1);
	CHECK_HAS(err, "frame type 0xff");
	CHECK_INT(shell_take_one(PROTO_SHELL_WINCH, "\0\x50\0", 3, err, sizeof(err)), -1);
	CHECK_HAS(err, "window size frame ('W') is 4 bytes (columns, rows), not 3");
	CHECK_INT(shell_take_one(PROTO_SHELL_WINCH, "\0\x50\0\x18\0", 5, err, sizeof(err)), -1);
	CHECK_HAS(err, "not 5");
	CHECK_INT(shell_take_one(PROTO_SHELL_WINCH, "\0\0\0\x18", 4, err, sizeof(err)), -1);
	CHECK_HAS(err, "window size 0x24: neither may be 0");
	CHECK_INT(shell_take_one(PROTO_SHELL_EOF, "x", 1, err, sizeof(err)), -1);
	CHECK_HAS(err, "end-of-input frame ('E') is empty, not 1 bytes");
	/* A length beyond the limit is refused before its bytes come: nothing is waited for. */
	proto_buf_append(&b, huge, sizeof(huge));
	CHECK_INT(proto_shell_take(&b, &in, &data, &len, err, sizeof(err)), -1);
	CHECK_HAS(err, "frame empty or larger than 64 KiB");
	b.len = 0;
	proto_buf_append(&b, "\0\0\0\0", 4);
	CHECK_INT(proto_shell_take(&b, &in, &data, &len, err, sizeof(err)), -1);
	CHECK_HAS(err, "frame empty");
	proto_buf_free(&b);
}

/* Random bytes: every call ends in a frame, a wait or an error; nothing read out of bounds. */
static void
shell_garbage_never_crashes_the_reader(void)
{
	struct proto_shell_in in;
	unsigned seed = 14;
	char err[256], *data;
	size_t len;
	int round, i, rc, errors = 0;

	for (round = 0; round < 2000; round++) {
		struct proto_buf b = { 0 };
		unsigned char junk[64];
		int n = 1 + (int)(rand_r(&seed) % sizeof(junk));

		for (i = 0; i < n; i++)
			junk[i] = (unsigned char)rand_r(&seed);
		/* Short lengths now and then, so that some frames are whole. */
		if (round % 2 && n > 5) {
			junk[0] = junk[1] = junk[2] = 0;
			junk[3] = (unsigned char)(rand_r(&seed) % 8);
		}
		proto_buf_append(&b, junk, (size_t)n);
		while ((rc = proto_shell_take(&b, &in, &data, &len, err, sizeof(err))) == 1)
			free(data);
		if (rc == -1) {
			CHECK_HAS(err, "shell: ");
			errors++;
		}
		proto_buf_free(&b);
	}
	CHECK(errors > 0);
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

/* The events and a boot's stages: one name each, read back as the same enum (rigctl shows them). */
static void
every_event_and_boot_stage_has_one_name(void)
{
	int i;

	for (i = 0; i < PROTO_EV__COUNT; i++) {
		CHECK(proto_event_name((enum proto_event)i)[0] != '\0');
		CHECK_INT(proto_event_parse(proto_event_name((enum proto_event)i)), i);
	}
	for (i = 0; i < PROTO_STAGE__COUNT; i++) {
		CHECK(proto_stage_name((enum proto_stage)i)[0] != '\0');
		CHECK_INT(proto_stage_parse(proto_stage_name((enum proto_stage)i)), i);
	}
	CHECK_STR(proto_event_name(PROTO_EV_STAGE), "stage");
	CHECK_STR(proto_stage_name(PROTO_STAGE_UBOOT), "u-boot");
	CHECK_INT((int)proto_stage_parse("bios"), -1);
	CHECK_INT((int)proto_stage_parse(NULL), -1);
	CHECK_STR(proto_stage_name(PROTO_STAGE__COUNT), "");
}

int
main(void)
{
	RUN(frame_round_trips_json_and_console_bytes);
	RUN(truncated_frame_waits_for_the_rest);
	RUN(oversized_or_empty_frame_is_refused_before_it_is_read);
	RUN(frame_of_exactly_the_limit_passes);
	RUN(shell_frames_in_pieces_wait_then_pass);
	RUN(shell_window_size_is_clamped_to_what_the_frame_holds);
	RUN(shell_bad_frames_get_a_clear_error);
	RUN(shell_garbage_never_crashes_the_reader);
	RUN(every_queue_state_run_state_and_error_kind_has_one_name);
	RUN(every_event_and_boot_stage_has_one_name);
	TEST_END();
}
