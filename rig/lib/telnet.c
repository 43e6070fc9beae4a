/* telnet: the telnet and RFC 2217 client codec of the rfc2217 console (no I/O here). */
#include "telnet.h"

#include <string.h>

enum telnet_state { TELNET_S_DATA, TELNET_S_IAC, TELNET_S_OPT, TELNET_S_SB, TELNET_S_SB_IAC };

void
telnet_init(struct telnet *t)
{
	memset(t, 0, sizeof(*t));
	t->state = TELNET_S_DATA;
	t->baud_ack = -1;
}

static size_t
telnet_cmd(unsigned char *out, unsigned char cmd, unsigned char opt)
{
	out[0] = TELNET_IAC;
	out[1] = cmd;
	out[2] = opt;
	return 3;
}

size_t
telnet_offers(struct telnet *t, unsigned char *out)
{
	size_t n = 0;

	/* Binary both ways: without it a server may turn CR into CR NUL and eat 8th bits. */
	n += telnet_cmd(out + n, TELNET_WILL, TELNET_OPT_BINARY);
	t->us[TELNET_OPT_BINARY] = 2;
	n += telnet_cmd(out + n, TELNET_DO, TELNET_OPT_BINARY);
	t->him[TELNET_OPT_BINARY] = 2;
	n += telnet_cmd(out + n, TELNET_DO, TELNET_OPT_SGA);
	t->him[TELNET_OPT_SGA] = 2;
	n += telnet_cmd(out + n, TELNET_WILL, TELNET_OPT_COMPORT);
	t->us[TELNET_OPT_COMPORT] = 2;
	return n;
}

/* What we do ourselves, and what we want the server to do. */
static int
telnet_us_ok(unsigned char opt)
{
	return opt == TELNET_OPT_BINARY || opt == TELNET_OPT_COMPORT;
}

static int
telnet_him_ok(unsigned char opt)
{
	return opt == TELNET_OPT_BINARY || opt == TELNET_OPT_SGA;
}

/*
 * Answers only a change of state (RFC 1143's rule in small): an answer to our own request
 * is not answered again, so the two sides cannot loop.
 */
static size_t
telnet_option(struct telnet *t, unsigned char cmd, unsigned char opt, unsigned char *reply)
{
	unsigned char *st = cmd == TELNET_DO || cmd == TELNET_DONT ? t->us : t->him;
	int yes = cmd == TELNET_DO || cmd == TELNET_WILL;
	int ok = cmd == TELNET_DO || cmd == TELNET_DONT ? telnet_us_ok(opt) : telnet_him_ok(opt);
	unsigned char accept = cmd == TELNET_DO ? TELNET_WILL : TELNET_DO;
	unsigned char refuse = cmd == TELNET_DO || cmd == TELNET_DONT ? TELNET_WONT : TELNET_DONT;
	unsigned char was = st[opt];

	if (yes) {
		if (was == 1)
			return 0;
		if (!ok) {
			st[opt] = 0;
			return telnet_cmd(reply, refuse, opt);
		}
		st[opt] = 1;
		if (cmd == TELNET_DO && opt == TELNET_OPT_COMPORT)
			t->comport = 1;
		return was == 2 ? 0 : telnet_cmd(reply, accept, opt);
	}
	st[opt] = 0;
	return was == 1 ? telnet_cmd(reply, refuse, opt) : 0;
}

static void
telnet_subneg(struct telnet *t)
{
	const unsigned char *s = t->sb;

	if (t->sb_over || t->sblen < 2 || s[0] != TELNET_OPT_COMPORT)
		return;
	if (s[1] == TELNET_CP_SERVER + TELNET_CP_SET_BAUDRATE && t->sblen == 6)
		t->baud_ack = (long)s[2] << 24 | (long)s[3] << 16 | (long)s[4] << 8 | s[5];
}

size_t
telnet_decode(struct telnet *t, const unsigned char *in, size_t n, unsigned char *data,
    unsigned char *reply, size_t *nreply)
{
	size_t i, nd = 0, nr = 0;

	for (i = 0; i < n; i++) {
		unsigned char b = in[i];

		switch (t->state) {
		case TELNET_S_DATA:
			if (b == TELNET_IAC)
				t->state = TELNET_S_IAC;
			else
				data[nd++] = b;
			break;
		case TELNET_S_IAC:
			t->state = TELNET_S_DATA;
			if (b == TELNET_IAC) {
				data[nd++] = b;
			} else if (b == TELNET_SB) {
				t->sblen = 0;
				t->sb_over = 0;
				t->state = TELNET_S_SB;
			} else if (b >= TELNET_WILL) {
				t->cmd = b;
				t->state = TELNET_S_OPT;
			}
			/* NOP, GA, AYT and the rest carry nothing for a console. */
			break;
		case TELNET_S_OPT:
			nr += telnet_option(t, t->cmd, b, reply + nr);
			t->state = TELNET_S_DATA;
			break;
		case TELNET_S_SB:
			if (b == TELNET_IAC)
				t->state = TELNET_S_SB_IAC;
			else if (t->sblen < sizeof(t->sb))
				t->sb[t->sblen++] = b;
			else
				t->sb_over = 1;
			break;
		case TELNET_S_SB_IAC:
			if (b == TELNET_IAC) {
				if (t->sblen < sizeof(t->sb))
					t->sb[t->sblen++] = b;
				else
					t->sb_over = 1;
				t->state = TELNET_S_SB;
			} else {
				/* SE ends it; anything else is a broken one, ended all the same. */
				if (b == TELNET_SE)
					telnet_subneg(t);
				t->state = TELNET_S_DATA;
			}
			break;
		}
	}
	*nreply = nr;
	return nd;
}

size_t
telnet_escape(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		out[o++] = in[i];
		if (in[i] == TELNET_IAC)
			out[o++] = TELNET_IAC;
	}
	return o;
}

/* IAC SB COM-PORT cmd value... IAC SE, the value's 0xFF bytes doubled. */
static size_t
telnet_sb(unsigned char *out, unsigned char cmd, const unsigned char *v, size_t vlen)
{
	size_t o = 0;

	out[o++] = TELNET_IAC;
	out[o++] = TELNET_SB;
	out[o++] = TELNET_OPT_COMPORT;
	out[o++] = cmd;
	o += telnet_escape(v, vlen, out + o);
	out[o++] = TELNET_IAC;
	out[o++] = TELNET_SE;
	return o;
}

size_t
telnet_comport_line(int baud, int rtscts, unsigned char *out)
{
	unsigned char v[4] = { (unsigned char)(baud >> 24), (unsigned char)(baud >> 16),
	    (unsigned char)(baud >> 8), (unsigned char)baud };
	unsigned char one;
	size_t o = 0;

	o += telnet_sb(out + o, TELNET_CP_SET_BAUDRATE, v, 4);
	one = 8;
	o += telnet_sb(out + o, TELNET_CP_SET_DATASIZE, &one, 1);
	one = 1;	/* NONE */
	o += telnet_sb(out + o, TELNET_CP_SET_PARITY, &one, 1);
	one = 1;	/* 1 stop bit */
	o += telnet_sb(out + o, TELNET_CP_SET_STOPSIZE, &one, 1);
	/* Never waited for: on a pty ser2net does not answer SET-CONTROL (FACTS.md). */
	one = rtscts ? 3 : 1;
	o += telnet_sb(out + o, TELNET_CP_SET_CONTROL, &one, 1);
	return o;
}
