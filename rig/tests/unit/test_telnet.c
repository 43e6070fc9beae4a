/* The telnet and RFC 2217 codec of the rfc2217 console: byte-exact data, answers that cannot loop. */
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

int
main(void)
{
	RUN(decoder_gives_data_byte_exact_at_any_split);
	RUN(an_option_already_agreed_is_not_answered_again);
	RUN(escape_doubles_every_0xff);
	RUN(line_settings_escape_a_rate_with_0xff);
	TEST_END();
}
