/* telnet: the telnet and RFC 2217 codec, client (rfc2217 console) and server (shared consoles). */
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

void
telnet_server_init(struct telnet *t, const struct telnet_line *line)
{
	telnet_init(t);
	t->server = 1;
	if (line != NULL)
		t->line = *line;
}

static size_t
telnet_cmd(unsigned char *out, unsigned char cmd, unsigned char opt)
{
	out[0] = TELNET_IAC;
	out[1] = cmd;
	out[2] = opt;
	return 3;
}

/* One offer: WILL (we would do opt) or DO (we want the other side to). */
struct telnet_offer {
	unsigned char	cmd;
	unsigned char	opt;
};

/* Sends each offer and marks it asked (2) on its side, so the answer is not offered back. */
static size_t
telnet_offer_all(struct telnet *t, unsigned char *out, const struct telnet_offer *v, size_t nv)
{
	size_t n = 0, i;

	for (i = 0; i < nv; i++) {
		n += telnet_cmd(out + n, v[i].cmd, v[i].opt);
		if (v[i].cmd == TELNET_WILL)
			t->us[v[i].opt] = 2;
		else
			t->him[v[i].opt] = 2;
	}
	return n;
}

size_t
telnet_offers(struct telnet *t, unsigned char *out)
{
	/* Binary both ways: without it a server may turn CR into CR NUL and eat 8th bits. */
	static const struct telnet_offer client[] = {
		{ TELNET_WILL, TELNET_OPT_BINARY }, { TELNET_DO, TELNET_OPT_BINARY },
		{ TELNET_DO, TELNET_OPT_SGA }, { TELNET_WILL, TELNET_OPT_COMPORT },
	};

	return telnet_offer_all(t, out, client, sizeof(client) / sizeof(client[0]));
}

size_t
telnet_server_offers(struct telnet *t, unsigned char *out)
{
	static const struct telnet_offer server[] = {
		{ TELNET_WILL, TELNET_OPT_ECHO }, { TELNET_WILL, TELNET_OPT_SGA },
		{ TELNET_WILL, TELNET_OPT_BINARY }, { TELNET_DO, TELNET_OPT_BINARY },
		{ TELNET_DO, TELNET_OPT_COMPORT },
	};

	return telnet_offer_all(t, out, server, sizeof(server) / sizeof(server[0]));
}

/*
 * What we do ourselves, and what we want the other side to do. A server echoes (the board's
 * echo) and suppresses go-ahead; COM-PORT-OPTION is agreed either way round, as clients differ.
 */
static int
telnet_us_ok(const struct telnet *t, unsigned char opt)
{
	if (t->server)
		return opt == TELNET_OPT_BINARY || opt == TELNET_OPT_ECHO ||
		    opt == TELNET_OPT_SGA || opt == TELNET_OPT_COMPORT;
	return opt == TELNET_OPT_BINARY || opt == TELNET_OPT_COMPORT;
}

static int
telnet_him_ok(const struct telnet *t, unsigned char opt)
{
	if (t->server)
		return opt == TELNET_OPT_BINARY || opt == TELNET_OPT_SGA ||
		    opt == TELNET_OPT_COMPORT;
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
	int ok = cmd == TELNET_DO || cmd == TELNET_DONT ? telnet_us_ok(t, opt) :
	    telnet_him_ok(t, opt);
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
		if (opt == TELNET_OPT_COMPORT && cmd == (t->server ? TELNET_WILL : TELNET_DO))
			t->comport = 1;
		return was == 2 ? 0 : telnet_cmd(reply, accept, opt);
	}
	st[opt] = 0;
	return was == 1 ? telnet_cmd(reply, refuse, opt) : 0;
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

/* A one-byte setting: the line's when known, else as asked (0 asks: the default then). */
static unsigned char
telnet_setting(const struct telnet *t, unsigned char line, unsigned char asked, unsigned char dflt)
{
	if (t->line.known)
		return line;
	return asked != 0 ? asked : dflt;
}

/*
 * SET-CONTROL's answer. The line is rigd's: a client's request changes nothing and is told
 * how the line is. No BREAK is ever sent for a client (it would be a SysRq to a Linux board),
 * DTR and RTS stay as rigd keeps them (asserted: dropping DTR resets some boards).
 */
static unsigned char
telnet_control(const struct telnet *t, unsigned char v)
{
	if (v <= 3)
		return telnet_setting(t, t->line.flow, v, 1);
	if (v <= 6)
		return 6;			/* BREAK off */
	if (v <= 9)
		return t->line.known || v == 7 ? 8 : v;	/* DTR on */
	if (v <= 12)
		return t->line.known || v == 10 ? 11 : v;	/* RTS on */
	if (v <= 16)
		return t->line.known || v == 13 ? 14 : v;	/* no inbound flow control */
	if (v <= 19)
		return telnet_setting(t, t->line.flow, v, 1);
	return v;
}

/*
 * The server's answer to a client's request (RFC 2217: the command plus 100 with the value in
 * force). FLOWCONTROL-SUSPEND and RESUME have no answer; they pause and resume the data.
 */
static size_t
telnet_serve(struct telnet *t, unsigned char *reply)
{
	const unsigned char *v = t->sb + 2;
	size_t vlen = t->sblen - 2;
	unsigned char cmd = t->sb[1], one = vlen ? v[0] : 0, four[4];
	unsigned long baud;

	switch (cmd) {
	case 0:		/* SIGNATURE: ours, whatever the client said of itself */
		return telnet_sb(reply, TELNET_CP_SERVER, (const unsigned char *)"rig", 3);
	case TELNET_CP_SET_BAUDRATE:
		baud = vlen >= 4 ? (unsigned long)v[0] << 24 | (unsigned long)v[1] << 16 |
		    (unsigned long)v[2] << 8 | v[3] : 0;
		if (t->line.known || baud == 0)
			baud = t->line.baud;
		four[0] = (unsigned char)(baud >> 24);
		four[1] = (unsigned char)(baud >> 16);
		four[2] = (unsigned char)(baud >> 8);
		four[3] = (unsigned char)baud;
		return telnet_sb(reply, TELNET_CP_SERVER + cmd, four, 4);
	case TELNET_CP_SET_DATASIZE:
		one = telnet_setting(t, t->line.datasize, one, 8);
		break;
	case TELNET_CP_SET_PARITY:
		one = telnet_setting(t, t->line.parity, one, 1);
		break;
	case TELNET_CP_SET_STOPSIZE:
		one = telnet_setting(t, t->line.stopsize, one, 1);
		break;
	case TELNET_CP_SET_CONTROL:
		one = telnet_control(t, one);
		break;
	case TELNET_CP_FLOW_SUSPEND:
	case TELNET_CP_FLOW_RESUME:
		t->suspended = cmd == TELNET_CP_FLOW_SUSPEND;
		return 0;
	case TELNET_CP_SET_LINESTATE_MASK:
	case TELNET_CP_SET_MODEMSTATE_MASK:
	case TELNET_CP_PURGE_DATA:
		break;		/* acknowledged as asked: nothing of the line changes */
	case 6:		/* NOTIFY-LINESTATE, NOTIFY-MODEMSTATE asked as a poll: nothing to say */
	case 7:
		one = 0;
		break;
	default:
		return 0;	/* RFC 2217 defines no answer to the rest */
	}
	return telnet_sb(reply, TELNET_CP_SERVER + cmd, &one, 1);
}

static size_t
telnet_subneg(struct telnet *t, unsigned char *reply)
{
	const unsigned char *s = t->sb;

	if (t->sb_over || t->sblen < 2 || s[0] != TELNET_OPT_COMPORT)
		return 0;
	if (t->server)
		return telnet_serve(t, reply);
	if (s[1] == TELNET_CP_SERVER + TELNET_CP_SET_BAUDRATE && t->sblen == 6)
		t->baud_ack = (long)s[2] << 24 | (long)s[3] << 16 | (long)s[4] << 8 | s[5];
	return 0;
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
					nr += telnet_subneg(t, reply + nr);
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
