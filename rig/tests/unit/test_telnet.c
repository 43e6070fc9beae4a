/* The telnet and RFC 2217 codec, client and server sides: byte-exact data, answers that cannot loop. */
#include "telnet.h"
#include "test.h"

static const unsigned char server[] = {
	'a', 255, 255, 'b',			/* data a, 0xFF, b */
	255, 253, 0,				/* DO BINARY (we offered WILL: no answer) */
	255, 251, 1,				/* WILL ECHO: refused with DONT */
	255, 253, 44,				/* DO COM-PORT-OPTION */
	255, 250, 44, 101, 0, 14, 16, 0, 255, 240,	/* SET-BAUDRATE answer 921600 */
	255, 241,				/* NOP */
	'\r', '\n', 0, 255, 255, 255, 255,	/* CR LF NUL, 0xFF 0xFF */
};
static const unsigned char data_want[] = { 'a', 255, 'b', '\r', '\n', 0, 255, 255 };

static void
decoder_gives_data_byte_exact_at_any_split(void)
{
	size_t split;

	for (split = 0; split <= sizeof(server); split++) {
		struct telnet t;
		unsigned char offers[16], data[64], reply[3 * 64 + 3];
		size_t nd, nr, nr2;

		telnet_init(&t);
		CHECK_INT(telnet_offers(&t, offers), 12);
		nd = telnet_decode(&t, server, split, data, reply, &nr);
		nd += telnet_decode(&t, server + split, sizeof(server) - split, data + nd,
		    reply + nr, &nr2);
		CHECK_INT(nd, sizeof(data_want));
		CHECK(memcmp(data, data_want, sizeof(data_want)) == 0);
		/* Only the refusal of ECHO is answered: the rest answered our own offers. */
		CHECK_INT(nr + nr2, 3);
		CHECK(reply[0] == 255 && reply[1] == 254 && reply[2] == 1);
		CHECK_INT(t.baud_ack, 921600);
		CHECK_INT(t.comport, 1);
	}
}

static void
an_option_already_agreed_is_not_answered_again(void)
{
	struct telnet t;
	const unsigned char will_sga[] = { 255, 251, 3, 255, 251, 3 };
	const unsigned char do_sga[] = { 255, 253, 3 };
	unsigned char data[16], reply[64];
	size_t nr;

	telnet_init(&t);
	/* Not asked by us: agreed once (DO), then silence. */
	telnet_decode(&t, will_sga, sizeof(will_sga), data, reply, &nr);
	CHECK_INT(nr, 3);
	CHECK(reply[1] == 253 && reply[2] == 3);
	/* We do not do SGA ourselves: refused. */
	telnet_decode(&t, do_sga, sizeof(do_sga), data, reply, &nr);
	CHECK_INT(nr, 3);
	CHECK(reply[1] == 252 && reply[2] == 3);
}

static void
escape_doubles_every_0xff(void)
{
	const unsigned char in[] = { 1, 255, 255, 2, 255 };
	const unsigned char want[] = { 1, 255, 255, 255, 255, 2, 255, 255 };
	unsigned char out[10];

	CHECK_INT(telnet_escape(in, sizeof(in), out), sizeof(want));
	CHECK(memcmp(out, want, sizeof(want)) == 0);
}

static void
line_settings_escape_a_rate_with_0xff(void)
{
	unsigned char out[64];
	size_t n = telnet_comport_line(0x0000ffff, 0, out);
	const unsigned char baud[] = { 255, 250, 44, 1, 0, 0, 255, 255, 255, 255, 255, 240 };

	CHECK(n <= 64);
	CHECK(memcmp(out, baud, sizeof(baud)) == 0);
}

/* The access server's side (console_share): a line of 115200 8N1 with RTS/CTS. */
static const struct telnet_line line_rtscts = { .known = 1, .baud = 115200, .datasize = 8,
    .parity = 1, .stopsize = 1, .flow = 3 };

static void
server_offers_echo_sga_binary_and_com_port(void)
{
	const unsigned char want[] = { 255, 251, 1, 255, 251, 3, 255, 251, 0, 255, 253, 0,
	    255, 253, 44 };
	unsigned char out[32];
	struct telnet t;

	telnet_server_init(&t, &line_rtscts);
	CHECK_INT(telnet_server_offers(&t, out), sizeof(want));
	CHECK(memcmp(out, want, sizeof(want)) == 0);
}

/* What pyserial 3.5 sends on open, answered so that it goes on (and never twice). */
static void
server_agrees_to_pyserials_options(void)
{
	const unsigned char client[] = {
		255, 253, 1, 255, 251, 3, 255, 253, 3,	/* DO ECHO, WILL SGA, DO SGA */
		255, 253, 44, 255, 251, 44,		/* DO COM-PORT, WILL COM-PORT */
		255, 251, 0,				/* WILL BINARY (our DO's answer) */
	};
	const unsigned char want[] = { 255, 253, 3, 255, 251, 44 };
	unsigned char out[32], data[64], reply[TELNET_REPLY_ROOM(64)];
	struct telnet t;
	size_t nr;

	telnet_server_init(&t, &line_rtscts);
	telnet_server_offers(&t, out);
	CHECK_INT(telnet_decode(&t, client, sizeof(client), data, reply, &nr), 0);
	CHECK_INT(nr, sizeof(want));
	CHECK(memcmp(reply, want, sizeof(want)) == 0);
	CHECK_INT(t.comport, 1);
	/* Said again: already agreed, no answer. */
	telnet_decode(&t, client, sizeof(client), data, reply, &nr);
	CHECK_INT(nr, 0);
}

/*
 * Every request is answered with the line as it is (rigd's, not the client's), data between
 * the requests byte-exact, at any split of the input.
 */
static void
server_answers_each_request_with_the_line_at_any_split(void)
{
	const unsigned char client[] = {
		'a', 255, 255,
		255, 250, 44, 1, 0, 0, 37, 128, 255, 240,	/* SET-BAUDRATE 9600 */
		255, 250, 44, 2, 7, 255, 240,			/* SET-DATASIZE 7 */
		255, 250, 44, 3, 3, 255, 240,			/* SET-PARITY even */
		255, 250, 44, 4, 2, 255, 240,			/* SET-STOPSIZE 2 */
		'b',
		255, 250, 44, 5, 1, 255, 240,			/* SET-CONTROL no flow control */
		255, 250, 44, 5, 9, 255, 240,			/* SET-CONTROL DTR off */
		255, 250, 44, 5, 5, 255, 240,			/* SET-CONTROL BREAK on */
		255, 250, 44, 5, 12, 255, 240,			/* SET-CONTROL RTS off */
		255, 250, 44, 12, 1, 255, 240,			/* PURGE-DATA receive */
		255, 250, 44, 0, 255, 240,			/* SIGNATURE? */
		255, 250, 44, 8, 255, 240,			/* FLOWCONTROL-SUSPEND */
		255, 250, 44, 42, 1, 255, 240,			/* not RFC 2217's */
		'c', 0, '\r',
	};
	const unsigned char want[] = {
		255, 250, 44, 101, 0, 1, 194, 0, 255, 240,	/* 115200 */
		255, 250, 44, 102, 8, 255, 240,
		255, 250, 44, 103, 1, 255, 240,
		255, 250, 44, 104, 1, 255, 240,
		255, 250, 44, 105, 3, 255, 240,			/* RTS/CTS, as the line is */
		255, 250, 44, 105, 8, 255, 240,			/* DTR stays on */
		255, 250, 44, 105, 6, 255, 240,			/* no BREAK */
		255, 250, 44, 105, 11, 255, 240,		/* RTS stays on */
		255, 250, 44, 112, 1, 255, 240,
		255, 250, 44, 100, 'r', 'i', 'g', 255, 240,
	};
	const unsigned char data_want[] = { 'a', 255, 'b', 'c', 0, '\r' };
	size_t split;

	for (split = 0; split <= sizeof(client); split++) {
		unsigned char data[sizeof(client)], reply[TELNET_REPLY_ROOM(sizeof(client))];
		size_t nd, nr, nr2;
		struct telnet t;

		telnet_server_init(&t, &line_rtscts);
		nd = telnet_decode(&t, client, split, data, reply, &nr);
		CHECK(nr <= TELNET_REPLY_ROOM(split));
		nd += telnet_decode(&t, client + split, sizeof(client) - split, data + nd,
		    reply + nr, &nr2);
		CHECK(nr2 <= TELNET_REPLY_ROOM(sizeof(client) - split));
		CHECK_INT(nd, sizeof(data_want));
		CHECK(memcmp(data, data_want, sizeof(data_want)) == 0);
		CHECK_INT(nr + nr2, sizeof(want));
		CHECK(memcmp(reply, want, sizeof(want)) == 0);
		CHECK_INT(t.suspended, 1);
	}
}

/* A line rigd cannot read (not a tty): nothing here sets it, so each request is as asked. */
static void
server_acknowledges_as_asked_when_the_line_is_unknown(void)
{
	const unsigned char client[] = {
		255, 250, 44, 1, 0, 0, 37, 128, 255, 240,	/* 9600 */
		255, 250, 44, 5, 9, 255, 240,			/* DTR off */
		255, 250, 44, 9, 255, 240,			/* FLOWCONTROL-RESUME */
	};
	const unsigned char want[] = {
		255, 250, 44, 101, 0, 0, 37, 128, 255, 240,
		255, 250, 44, 105, 9, 255, 240,
	};
	unsigned char data[64], reply[TELNET_REPLY_ROOM(64)];
	struct telnet t;
	size_t nr;

	telnet_server_init(&t, NULL);
	t.suspended = 1;
	CHECK_INT(telnet_decode(&t, client, sizeof(client), data, reply, &nr), 0);
	CHECK_INT(nr, sizeof(want));
	CHECK(memcmp(reply, want, sizeof(want)) == 0);
	CHECK_INT(t.suspended, 0);
}

/* The shortest request draws the longest answer (a rate whose bytes are 0xFF): still in room. */
static void
server_answers_fit_the_reply_room_byte_by_byte(void)
{
	const struct telnet_line line = { .known = 1, .baud = 0xffffffff, .datasize = 8,
	    .parity = 1, .stopsize = 1, .flow = 1 };
	const unsigned char ask[] = { 255, 250, 44, 1, 255, 240 };
	unsigned char data[8], reply[TELNET_REPLY_ROOM(1)], all[4 * 14];
	size_t i, k, nr, total = 0;
	struct telnet t;

	telnet_server_init(&t, &line);
	for (k = 0; k < 4; k++)
		for (i = 0; i < sizeof(ask); i++) {
			telnet_decode(&t, ask + i, 1, data, reply, &nr);
			CHECK(nr <= TELNET_REPLY_ROOM(1));
			if (nr <= sizeof(all) - total) {
				memcpy(all + total, reply, nr);
				total += nr;
			}
		}
	CHECK_INT(total, 4 * 14);
	CHECK(all[4] == 255 && all[5] == 255 && all[12] == 255 && all[13] == 240);
}

int
main(void)
{
	RUN(server_offers_echo_sga_binary_and_com_port);
	RUN(server_agrees_to_pyserials_options);
	RUN(server_answers_each_request_with_the_line_at_any_split);
	RUN(server_acknowledges_as_asked_when_the_line_is_unknown);
	RUN(server_answers_fit_the_reply_room_byte_by_byte);
	RUN(decoder_gives_data_byte_exact_at_any_split);
	RUN(an_option_already_agreed_is_not_answered_again);
	RUN(escape_doubles_every_0xff);
	RUN(line_settings_escape_a_rate_with_0xff);
	TEST_END();
}
