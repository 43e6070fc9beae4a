/* console_net: the tcp and rfc2217 console kinds: a board's serial line behind a console server or ser2net. */
#include "console.h"
#include "conf.h"
#include "partconf.h"
#include "probe.h"
#include "telnet.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* console: keys of both kinds (tcp reads no baud or flow: the server's port has its own). */
struct console_net_conf {
	char	host[128];
	int	port;
	int64_t	timeout_ms;	/* connect-timeout: connecting and, for rfc2217, negotiating; default 5s */
	int	baud;		/* rfc2217: asked over the protocol; default 115200 */
	char	flow[16];	/* rfc2217: none (default) | rtscts */
	int	host_line;	/* where host was given, for the probe's message */
};
_Static_assert(sizeof(struct console_net_conf) <= BOARD_PART_SETTINGS,
    "net console settings do not fit struct board_part");

/*
 * rfc2217: the telnet stream is not the console's bytes, and the event loop reads a plain fd:
 * a pump thread stands between the server's socket and one end of a socket pair whose other
 * end is the console fd: it unescapes what comes in and escapes what rigd writes.
 */
struct console_net {
	const struct console_net_conf *cc;	/* immutable: the board file's */
	int		 rfc;			/* 1: rfc2217, 0: tcp */
	int		 pumping;		/* a pump thread runs or has ended unjoined */
	pthread_t	 pump;
	int		 sock;			/* the pump's socket to the server, -1 */
	int		 pair;			/* the pump's end of the socket pair */
	struct telnet	 tn;
	unsigned char	*early;			/* console bytes that came during negotiation */
	size_t		 nearly;
};

static void *
console_net_create(const struct board_conf *conf, char *err, size_t errlen)
{
	struct console_net *c = xcalloc(1, sizeof(*c));

	(void)err;
	(void)errlen;
	c->cc = PARTCONF_SETTINGS(conf, PART_CONSOLE);
	c->sock = -1;
	c->pair = -1;
	return c;
}

static void *
console_rfc2217_create(const struct board_conf *conf, char *err, size_t errlen)
{
	struct console_net *c = console_net_create(conf, err, errlen);

	c->rfc = 1;
	return c;
}

/* A connected, non-blocking TCP socket to host:port within timeout_ms, or -1 with err. */
static int
console_net_connect(const struct console_net_conf *cc, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char port[16];
	int fd = -1, rc, e = ECONNREFUSED, one = 1;
	int64_t deadline = util_now_ms() + cc->timeout_ms;

	snprintf(port, sizeof(port), "%d", cc->port);
	rc = getaddrinfo(cc->host, port, &hints, &res);
	if (rc != 0) {
		util_fmt(err, errlen, "console %s:%d: %s", cc->host, cc->port, gai_strerror(rc));
		errno = EHOSTUNREACH;
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		socklen_t len = sizeof(e);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		if (e == EINPROGRESS) {
			int64_t left = deadline - util_now_ms();

			p.fd = fd;
			p.events = POLLOUT;
			do
				rc = poll(&p, 1, left > 0 ? (int)left : 0);
			while (rc == -1 && errno == EINTR);
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
				break;
			if (rc == 0)
				e = ETIMEDOUT;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		util_fmt(err, errlen, "console %s:%d: %s", cc->host, cc->port, strerror(e));
		errno = e;
		return -1;
	}
	/* What rigd types (a key to stop U-Boot) goes out at once. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	return fd;
}

/* All of buf to a socket that may be non-blocking (waits for room); 0 or -1. */
static int
console_net_send(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			poll(&pf, 1, -1);
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *
console_net_pump(void *arg)
{
	struct console_net *c = arg;
	unsigned char in[16384], data[16384], reply[3 * 16384 + 3], out[2 * 8192];
	struct pollfd p[2] = { { .fd = c->sock, .events = POLLIN }, { .fd = c->pair, .events = POLLIN } };

	if (c->nearly > 0 && console_net_send(c->pair, c->early, c->nearly) == -1)
		goto done;
	for (;;) {
		ssize_t n;
		size_t nd, nr;

		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			n = recv(c->sock, in, sizeof(in), 0);
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				break;	/* the server or its device went away */
			nd = telnet_decode(&c->tn, in, (size_t)n, data, reply, &nr);
			if (nd > 0 && console_net_send(c->pair, data, nd) == -1)
				break;
			if (nr > 0 && console_net_send(c->sock, reply, nr) == -1)
				break;
		}
		if (p[1].revents) {
			n = recv(c->pair, in, sizeof(in) / 2, 0);
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				break;	/* the event loop closed the console */
			nd = telnet_escape(in, (size_t)n, out);
			if (console_net_send(c->sock, out, nd) == -1)
				break;
		}
	}
done:
	/*
	 * The event loop reads end of file: the console is gone; and the server sees the client
	 * go at once (its port takes one client), though the fds are closed only by stop.
	 */
	shutdown(c->pair, SHUT_RDWR);
	shutdown(c->sock, SHUT_RDWR);
	return NULL;
}

/* Ends the pump of the last connection, if any: the board thread's own, so no lock. */
static void
console_net_stop(struct console_net *c)
{
	if (c->pumping) {
		shutdown(c->sock, SHUT_RDWR);
		shutdown(c->pair, SHUT_RDWR);
		pthread_join(c->pump, NULL);
		c->pumping = 0;
	}
	if (c->sock != -1)
		close(c->sock);
	if (c->pair != -1)
		close(c->pair);
	c->sock = c->pair = -1;
	free(c->early);
	c->early = NULL;
	c->nearly = 0;
}

/* What a server said before it closed (ser2net's "Device open failure: ..."), one line. */
static void
console_net_said(const unsigned char *msg, size_t n, char *dst, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < size; i++)
		if (msg[i] >= ' ' && msg[i] < 127)
			dst[o++] = (char)msg[i];
	dst[o] = '\0';
}

/*
 * Telnet options and the line settings, until the server says which rate it set. Console
 * bytes that come meanwhile are the board's: kept for the pump to pass on first.
 */
static int
console_net_negotiate(struct console_net *c, char *err, size_t errlen)
{
	const struct console_net_conf *cc = c->cc;
	unsigned char in[4096], data[4096], reply[3 * 4096 + 3], line[64];
	int64_t deadline = util_now_ms() + cc->timeout_ms;
	int sent = 0;
	size_t n;

	telnet_init(&c->tn);
	n = telnet_offers(&c->tn, line);
	if (console_net_send(c->sock, line, n) == -1)
		goto gone;
	while (c->tn.baud_ack == -1) {
		int64_t left = deadline - util_now_ms();
		struct pollfd p = { .fd = c->sock, .events = POLLIN };
		size_t nd, nr;
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			util_fmt(err, errlen, "console %s:%d: %s", cc->host, cc->port, c->tn.comport ?
			    "no answer to SET-BAUDRATE" :
			    "the server refused RFC 2217 (is the port telnet(rfc2217)?)");
			errno = ETIMEDOUT;
			return -1;
		}
		r = recv(c->sock, in, sizeof(in), 0);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			goto gone;
		nd = telnet_decode(&c->tn, in, (size_t)r, data, reply, &nr);
		/* Kept first: a server that refuses says why ("Port's device already in use"). */
		if (nd > 0) {
			c->early = xrealloc(c->early, c->nearly + nd);
			memcpy(c->early + c->nearly, data, nd);
			c->nearly += nd;
		}
		if (nr > 0 && console_net_send(c->sock, reply, nr) == -1)
			goto gone;
		if (c->tn.comport && !sent) {
			n = telnet_comport_line(cc->baud, strcmp(cc->flow, "rtscts") == 0, line);
			if (console_net_send(c->sock, line, n) == -1)
				goto gone;
			sent = 1;
		}
	}
	if (c->tn.baud_ack != cc->baud) {
		util_fmt(err, errlen, "console %s:%d: asked %d baud, the server set %ld", cc->host,
		    cc->port, cc->baud, c->tn.baud_ack);
		errno = EINVAL;
		return -1;
	}
	return 0;
gone:
	{
		char said[160];

		console_net_said(c->early, c->nearly, said, sizeof(said));
		util_fmt(err, errlen, "console %s:%d: the server closed the line while negotiating%s%s",
		    cc->host, cc->port, said[0] ? ": " : "", said);
	}
	errno = ECONNRESET;
	return -1;
}

/*
 * ser2net takes a connection even while its device is absent, says so and closes it: a line
 * closed at once is not back. Only a close is waited for; console bytes stay unread.
 */
static int
console_net_settle(int fd, const struct console_net_conf *cc, char *err, size_t errlen)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	unsigned char msg[160];
	char said[160];
	ssize_t n;

	if (poll(&p, 1, 100) != 1)
		return 0;
	n = recv(fd, msg, sizeof(msg), 0);
	console_net_said(msg, n > 0 ? (size_t)n : 0, said, sizeof(said));
	util_fmt(err, errlen, "console %s:%d: the server closed the line at once%s%s", cc->host,
	    cc->port, said[0] ? ": " : "", said);
	close(fd);
	errno = ECONNRESET;
	return -1;
}

static int
console_net_open_line(struct console_net *c, char *err, size_t errlen)
{
	int sv[2], e, fd;

	console_net_stop(c);
	if (!c->rfc) {
		fd = console_net_connect(c->cc, err, errlen);
		return fd == -1 || console_net_settle(fd, c->cc, err, errlen) == -1 ? -1 : fd;
	}
	c->sock = console_net_connect(c->cc, err, errlen);
	if (c->sock == -1)
		return -1;
	if (console_net_negotiate(c, err, errlen) == -1)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		util_fmt(err, errlen, "socketpair: %s", strerror(errno));
		goto fail;
	}
	c->pair = sv[1];
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1 ||
	    (errno = pthread_create(&c->pump, NULL, console_net_pump, c)) != 0) {
		util_fmt(err, errlen, "console pump: %s", strerror(errno));
		close(sv[0]);
		goto fail;
	}
	c->pumping = 1;
	return sv[0];
fail:
	e = errno;
	console_net_stop(c);
	errno = e;
	return -1;
}

static int
console_net_open(void *self, struct power *power, char *err, size_t errlen)
{
	(void)power;
	return console_net_open_line(self, err, errlen);
}

static int
console_net_reopen(void *self, char *err, size_t errlen)
{
	return console_net_open_line(self, err, errlen);
}

static void
console_net_free(void *self)
{
	struct console_net *c = self;

	console_net_stop(c);
	free(c);
}

static void
console_net_defaults(void *settings)
{
	struct console_net_conf *cc = settings;

	cc->timeout_ms = 5000;
	cc->baud = 115200;
	util_strlcpy(cc->flow, "none", sizeof(cc->flow));
}

static void
console_net_parse_common(struct yamlnode_ctx *c, const struct yamlnode *part,
    struct console_net_conf *cc)
{
	const struct yamlnode *n;

	partconf_str(c, part, "console", "host", 1, cc->host, sizeof(cc->host));
	n = yamlnode_get(part, "host");
	cc->host_line = n ? n->line : 0;
	partconf_int(c, part, "console", "port", 1, 1, 65535, &cc->port);
	partconf_duration(c, part, "console", "connect-timeout", 0, &cc->timeout_ms);
}

static void
console_tcp_parse(struct yamlnode_ctx *c, const struct yamlnode *part, const struct yamlnode *own,
    void *settings)
{
	(void)own;
	console_net_parse_common(c, part, settings);
}

static const char *const console_net_flows[] = { "none", "rtscts", NULL };

static void
console_rfc2217_parse(struct yamlnode_ctx *c, const struct yamlnode *part,
    const struct yamlnode *own, void *settings)
{
	struct console_net_conf *cc = settings;

	(void)own;
	console_net_parse_common(c, part, cc);
	partconf_int(c, part, "console", "baud", 0, 1, 4000000, &cc->baud);
	partconf_word(c, part, "console", "flow", 0, console_net_flows, cc->flow, sizeof(cc->flow));
}

static void
console_tcp_print(const void *settings, FILE *out)
{
	const struct console_net_conf *cc = settings;

	partconf_print_str(out, "  ", "host", cc->host);
	fprintf(out, "  port: %d\n", cc->port);
	fprintf(out, "  connect-timeout: %lldms\n", (long long)cc->timeout_ms);
}

static void
console_rfc2217_print(const void *settings, FILE *out)
{
	const struct console_net_conf *cc = settings;

	console_tcp_print(settings, out);
	fprintf(out, "  baud: %d\n", cc->baud);
	partconf_print_str(out, "  ", "flow", cc->flow);
}

/* A host name as DNS allows one: dot-separated labels of letters, digits and inner hyphens. */
static int
console_net_hostname_ok(const char *h)
{
	size_t label = 0, len = strlen(h), i;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)h[i]) && !(h[i] == '-' && label > 0))
			return 0;
		if (++label > 63)
			return 0;
	}
	return h[len - 1] != '-' && h[len - 1] != '.' ? 1 : 0;
}

/*
 * host:port is one the console can be reached at: an address, or a well-formed name. Nothing
 * is looked up or connected to: a console server that is down now may be up at power-on, and
 * rigd -n must not wait for DNS.
 */
static int
console_net_probe(const struct board_conf *conf, char *why, size_t whylen)
{
	const struct console_net_conf *cc = PARTCONF_SETTINGS(conf, PART_CONSOLE);
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, cc->host, addr) == 1 || inet_pton(AF_INET6, cc->host, addr) == 1 ||
	    console_net_hostname_ok(cc->host))
		return 0;
	return probe_fail(conf, cc->host_line, why, whylen, "console.host %s: neither an address"
	    " nor a host name (port %d goes in console.port)", cc->host, cc->port);
}

static const char *const console_tcp_console_keys[] = { "host", "port", "connect-timeout", NULL };
static const char *const console_rfc2217_console_keys[] = { "host", "port", "connect-timeout",
	"baud", "flow", NULL };

static const struct part_keys console_tcp_keys = {
	.keys = console_tcp_console_keys,
	.defaults = console_net_defaults,
	.parse = console_tcp_parse,
	.print = console_tcp_print,
};

static const struct part_keys console_rfc2217_keys = {
	.keys = console_rfc2217_console_keys,
	.defaults = console_net_defaults,
	.parse = console_rfc2217_parse,
	.print = console_rfc2217_print,
};

const struct console_ops console_tcp_ops = {
	.name = "tcp",
	.keys = &console_tcp_keys,
	.create = console_net_create,
	.open = console_net_open,
	.reopen = console_net_reopen,
	.probe = console_net_probe,
	.free = console_net_free,
};

const struct console_ops console_rfc2217_ops = {
	.name = "rfc2217",
	.keys = &console_rfc2217_keys,
	.create = console_rfc2217_create,
	.open = console_net_open,
	.reopen = console_net_reopen,
	.probe = console_net_probe,
	.free = console_net_free,
};
