/*
 * telnet: the little of telnet (RFC 854/855, binary RFC 856) and its COM-PORT-OPTION (RFC 2217)
 * that a console client of ser2net needs: a byte-exact decoder, the IAC escape, the requests.
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
	TELNET_CP_SET_STOPSIZE = 4, TELNET_CP_SET_CONTROL = 5, TELNET_CP_SERVER = 100
};

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
	int		comport;	/* the server agreed to COM-PORT-OPTION (DO 44 to our WILL) */
};

void telnet_init(struct telnet *t);
/*
 * Our opening offers: WILL BINARY, DO BINARY, DO SGA, WILL COM-PORT-OPTION. Writes at most
 * 12 bytes to out; returns how many.
 */
size_t telnet_offers(struct telnet *t, unsigned char *out);
/*
 * Decodes n bytes from the server: the console's own bytes to data (room for n), exactly as
 * the device sent them (IAC IAC is one 0xFF), and the answers the negotiation needs to reply
 * (room for 3 * n + 3), *nreply their length. Returns the data length. Split input is fine.
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
