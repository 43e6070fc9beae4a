/*
 * telnet: the little of telnet (RFC 854/855, binary RFC 856) and its COM-PORT-OPTION (RFC 2217)
 * that a console client of ser2net needs (a byte-exact decoder, the IAC escape, the requests),
 * and the access server's side of the same (rigd's shared consoles: the offers, the answers).
 */
#ifndef RIG_TELNET_H
#define RIG_TELNET_H

#include <stddef.h>

enum telnet_byte {
	TELNET_SE = 240, TELNET_NOP = 241, TELNET_SB = 250, TELNET_WILL = 251, TELNET_WONT = 252,
	TELNET_DO = 253, TELNET_DONT = 254, TELNET_IAC = 255
};
enum telnet_option {
	TELNET_OPT_BINARY = 0, TELNET_OPT_ECHO = 1, TELNET_OPT_SGA = 3, TELNET_OPT_COMPORT = 44
};
/* RFC 2217 client commands; the server answers each with the command plus 100. */
enum telnet_comport {
	TELNET_CP_SET_BAUDRATE = 1, TELNET_CP_SET_DATASIZE = 2, TELNET_CP_SET_PARITY = 3,
	TELNET_CP_SET_STOPSIZE = 4, TELNET_CP_SET_CONTROL = 5, TELNET_CP_FLOW_SUSPEND = 8,
	TELNET_CP_FLOW_RESUME = 9, TELNET_CP_SET_LINESTATE_MASK = 10,
	TELNET_CP_SET_MODEMSTATE_MASK = 11, TELNET_CP_PURGE_DATA = 12, TELNET_CP_SERVER = 100
};

/*
 * The server's line as RFC 2217 says it: what every answer reports. known 0: a line this side
 * cannot read (not a tty): each request is acknowledged as asked, since nothing here sets it.
 */
struct telnet_line {
	int		known;
	unsigned long	baud;
	unsigned char	datasize;	/* 5..8 */
	unsigned char	parity;		/* 1 none, 2 odd, 3 even, 4 mark, 5 space */
	unsigned char	stopsize;	/* 1, 2, 3 (1.5) */
	unsigned char	flow;		/* SET-CONTROL: 1 none, 2 XON/XOFF, 3 hardware */
};

/* Room for telnet_decode's replies to n bytes, whichever side (a server's answer is 14 at most). */
#define TELNET_REPLY_ROOM(n)	(3 * (n) + 24)

/* One connection's decoder state; zero it with telnet_init. */
struct telnet {
	int		state;
	unsigned char	cmd;		/* the WILL/WONT/DO/DONT being read */
	unsigned char	us[256];	/* our side of each option: 0 off, 1 on, 2 asked for */
	unsigned char	him[256];	/* the server's side, the same */
	unsigned char	sb[64];		/* the subnegotiation being read */
	size_t		sblen;
	int		sb_over;	/* it did not fit: dropped */
	long		baud_ack;	/* the rate the server last said it set (SET-BAUDRATE+100), -1 none */
	int		comport;	/* the other side agreed to COM-PORT-OPTION */
	int		server;		/* 1: we are the access server (telnet_server_init) */
	struct telnet_line line;	/* server: what the answers say; the caller keeps it current */
	int		suspended;	/* server: the client asked for no data (FLOWCONTROL-SUSPEND) */
};

void telnet_init(struct telnet *t);
/* The access server's side: zeroes t; line (NULL: unknown) is what the answers report. */
void telnet_server_init(struct telnet *t, const struct telnet_line *line);
/*
 * Our opening offers: WILL BINARY, DO BINARY, DO SGA, WILL COM-PORT-OPTION. Writes at most
 * 12 bytes to out; returns how many.
 */
size_t telnet_offers(struct telnet *t, unsigned char *out);
/*
 * The server's opening offers: WILL ECHO and WILL SGA (a telnet program then sends each key as
 * typed and does not echo it: the board does), BINARY both ways, DO COM-PORT-OPTION. Writes at
 * most 18 bytes to out; returns how many.
 */
size_t telnet_server_offers(struct telnet *t, unsigned char *out);
/*
 * Decodes n bytes from the other side: its data bytes to data (room for n), exactly as sent
 * (IAC IAC is one 0xFF), and the answers the negotiation needs to reply (room for
 * TELNET_REPLY_ROOM(n)), *nreply their length. Returns the data length. Split input is fine.
 * A server answers every RFC 2217 request that RFC 2217 answers, with t->line's values.
 */
size_t telnet_decode(struct telnet *t, const unsigned char *in, size_t n, unsigned char *data,
    unsigned char *reply, size_t *nreply);
/* Console bytes to send: every 0xFF doubled. out has room for 2 * n. Returns the length. */
size_t telnet_escape(const unsigned char *in, size_t n, unsigned char *out);
/*
 * The RFC 2217 line settings: baud, 8 data bits, no parity, 1 stop bit, and the flow control
 * (SET-CONTROL 1 none, 3 hardware). At most 64 bytes to out; returns the length.
 */
size_t telnet_comport_line(int baud, int rtscts, unsigned char *out);

#endif
