/*
 * console_share: each board's live console on a TCP port of its own, as RFC 2217 (telnet with
 * COM-PORT-OPTION) for pyserial, labgrid and miniterm, and as plain telnet. The event loop's:
 * the bytes come from the capture (console_share_feed), after they are logged and triaged.
 *
 * What a client gets: every console byte from when it connected on (no history: the boot's log
 * has it, and pyserial's open purges what came before its settings were agreed anyway), in
 * order, 0xFF doubled as telnet says. A client that falls CONSOLE_SHARE_QUEUE bytes behind is
 * dropped (closed, counted, logged): a gap it cannot see would be worse than a cut it can, and
 * the capture never waits for anyone. Who may type at the board: see console_share_writer.
 */
#include "rigd.h"
#include "console.h"
#include "control_admit.h"
#include "log.h"
#include "peer.h"
#include "sockdiag.h"
#include "telnet.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/*
 * How far a client may fall behind (bytes as sent, escapes counted): about 5 s of a 1.8432
 * Mbaud line, far more at 115200, so only a client that stopped reading reaches it.
 */
#define CONSOLE_SHARE_QUEUE	(1024 * 1024)
/* The kernel's send buffer per client, fixed: the bound above is then the real one. */
#define CONSOLE_SHARE_SNDBUF	(64 * 1024)

struct console_share_client {
	int		 fd;
	long		 uid;		/* the peer's (sockdiag), -1 unknown */
	int		 writer;	/* may type at the board (console_share_writer) */
	enum peer_role	 role;		/* by the user database at accept; outsider for no uid */
	int		 told;		/* its input was dropped: said once */
	int		 fresh;		/* accepted since the loop's last poll: no revents yet */
	char		 peer[64];
	struct telnet	 tn;
	unsigned char	*q;		/* what it has yet to be sent: q[qoff..qlen) */
	size_t		 qoff, qlen, qcap;
};

/* A board's share: the event loop's, but for the counters show boards reads (b->lock). */
struct console_share {
	struct board			*b;		/* immutable */
	int				 lfd;		/* immutable: -1 when it could not listen */
	char				 url[96];	/* immutable: rfc2217://ADDR:PORT, "" */
	char				 telnet[96];	/* immutable: telnet://ADDR:PORT, "" */
	char				 error[256];	/* immutable: why there is no port */
	struct console_share_client	*c[CONSOLE_SHARE_MAX_CLIENTS];	/* loop */
	int				 n;		/* loop */
	struct telnet_line		 line;		/* loop: the line as last read */
	int				 clients;	/* lock */
	int64_t				 dropped;	/* lock: clients that fell behind */
	int64_t				 refused;	/* lock: clients over the limit */
	int64_t				 input_dropped;	/* lock: typed, not passed on */
};

/*
 * Every board's listening socket, in one epoll set made as the first one opens (listeners never
 * change afterwards): the loop polls this one descriptor, not a listener a board, which on a
 * 256-board host was most of the work of every poll (benchmarked in rig/bench/console.sh).
 */
static int console_share_ep = -1;	/* main thread before the loop, then the loop */
static int console_share_nclients;	/* loop: clients of every board */

/* "rfc2217://" plus the address as a URL holds it (an IPv6 one in brackets). */
static void
console_share_urls(struct console_share *s, const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2], addr[INET6_ADDRSTRLEN];
	int port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof(addr));
		port = ntohs(a->sin6_port);
		util_fmt(host, sizeof(host), "[%s]", addr);
	} else {
		const struct sockaddr_in *a = (const void *)ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	}
	util_fmt(s->url, sizeof(s->url), "rfc2217://%s:%d", host, port);
	util_fmt(s->telnet, sizeof(s->telnet), "telnet://%s:%d", host, port);
}

int
console_share_open(struct board *b, const char *addr)
{
	struct console_share *s;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE }, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char port[16];
	int one = 1, rc;

	if (b->conf.console_share == CONF_SHARE_OFF)
		return 0;		/* b->share stays NULL: not shared, said so */
	s = xcalloc(1, sizeof(*s));
	s->b = b;
	s->lfd = -1;
	b->share = s;
	util_fmt(port, sizeof(port), "%d", b->conf.console_share);
	rc = getaddrinfo(addr, port, &hints, &ai);
	if (rc != 0) {
		util_fmt(s->error, sizeof(s->error), "%s: %s", addr, gai_strerror(rc));
		goto fail;
	}
	s->lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd == -1 ||
	    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(s->lfd, ai->ai_addr, ai->ai_addrlen) == -1 || listen(s->lfd, 16) == -1 ||
	    getsockname(s->lfd, (struct sockaddr *)&ss, &sslen) == -1) {
		util_fmt(s->error, sizeof(s->error), "%s port %s: %s", addr, port,
		    strerror(errno));
		goto fail;
	}
	if (console_share_ep == -1)
		console_share_ep = epoll_create1(EPOLL_CLOEXEC);
	if (console_share_ep == -1 || epoll_ctl(console_share_ep, EPOLL_CTL_ADD, s->lfd,
	    &(struct epoll_event){ .events = EPOLLIN, .data.ptr = s }) == -1) {
		util_fmt(s->error, sizeof(s->error), "epoll: %s", strerror(errno));
		goto fail;
	}
	freeaddrinfo(ai);
	console_share_urls(s, &ss);
	log_info("%s: console shared at %s (telnet too)", b->conf.name, s->url);
	return 0;
fail:
	if (ai)
		freeaddrinfo(ai);
	if (s->lfd != -1)
		close(s->lfd);
	s->lfd = -1;
	log_warnx("%s: console not shared: %s", b->conf.name, s->error);
	return -1;
}

/* The line as the console's tty holds it now; a line that is not a tty is unknown. */
static void
console_share_line(struct console_share *s)
{
	struct board *b = s->b;
	struct termios t;
	int baud;

	pthread_mutex_lock(&b->lock);
	if (b->con.fd == -1) {
		/* Between boots: what it was, or unknown before the first. */
		pthread_mutex_unlock(&b->lock);
		return;
	}
	memset(&s->line, 0, sizeof(s->line));
	if (tcgetattr(b->con.fd, &t) == 0 && (baud = console_baud_get(b->con.fd)) > 0) {
		s->line.known = 1;
		s->line.baud = (unsigned long)baud;
		switch (t.c_cflag & CSIZE) {
		case CS5: s->line.datasize = 5; break;
		case CS6: s->line.datasize = 6; break;
		case CS7: s->line.datasize = 7; break;
		default: s->line.datasize = 8; break;
		}
		s->line.parity = !(t.c_cflag & PARENB) ? 1 : (t.c_cflag & PARODD) ? 2 : 3;
		s->line.stopsize = t.c_cflag & CSTOPB ? 2 : 1;
		s->line.flow = t.c_cflag & CRTSCTS ? 3 : (t.c_iflag & IXON) ? 2 : 1;
	}
	pthread_mutex_unlock(&b->lock);
}

static void
console_share_drop(struct console_share *s, int i, const char *why)
{
	struct console_share_client *c = s->c[i];

	log_info("%s: console client %s (uid %ld) %s", s->b->conf.name, c->peer, c->uid, why);
	close(c->fd);
	free(c->q);
	free(c);
	s->c[i] = NULL;
	s->n--;
	console_share_nclients--;
	pthread_mutex_lock(&s->b->lock);
	s->clients--;
	pthread_mutex_unlock(&s->b->lock);
}

/* Room for len more bytes, or -1 when that would pass the bound (the client is behind). */
static int
console_share_room(struct console_share_client *c, size_t len)
{
	size_t pending = c->qlen - c->qoff;

	if (pending + len > CONSOLE_SHARE_QUEUE)
		return -1;
	if (c->qoff > 0 && c->qlen + len > c->qcap) {
		memmove(c->q, c->q + c->qoff, pending);
		c->qlen = pending;
		c->qoff = 0;
	}
	if (c->qlen + len > c->qcap) {
		size_t cap = c->qcap ? c->qcap : 16384;
		while (cap < c->qlen + len)
			cap *= 2;
		c->q = xrealloc(c->q, cap);
		c->qcap = cap;
	}
	return 0;
}

/* Sends what it can now; -1 when the connection is broken. */
static int
console_share_flush(struct console_share_client *c)
{
	ssize_t w;

	while (c->qoff < c->qlen && !c->tn.suspended) {
		w = send(c->fd, c->q + c->qoff, c->qlen - c->qoff, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return -1;
		c->qoff += (size_t)w;
	}
	if (c->qoff == c->qlen)
		c->qoff = c->qlen = 0;
	return 0;
}

/* The rig's own words to one client, as telnet text (never mixed with another's stream). */
static int
console_share_say(struct console_share_client *c, const char *msg)
{
	size_t len = strlen(msg);

	if (console_share_room(c, len) == -1)
		return -1;
	memcpy(c->q + c->qlen, msg, len);
	c->qlen += len;
	return 0;
}

int
console_share_watched(const struct board *b)
{
	return console_share_nclients > 0 && b->share != NULL && b->share->n > 0;
}

void
console_share_feed(struct board *b, const char *buf, size_t len)
{
	struct console_share *s;
	int i;

	/* No client on any board (the usual case): not even the board's share is looked at. */
	if (console_share_nclients == 0)
		return;
	s = b->share;
	if (s == NULL || s->n == 0)
		return;
	for (i = 0; i < CONSOLE_SHARE_MAX_CLIENTS; i++) {
		struct console_share_client *c = s->c[i];

		if (c == NULL)
			continue;
		if (console_share_room(c, 2 * len) == -1) {
			pthread_mutex_lock(&b->lock);
			s->dropped++;
			pthread_mutex_unlock(&b->lock);
			console_share_drop(s, i, "fell 1 MiB behind the console: dropped");
			continue;
		}
		c->qlen += telnet_escape((const unsigned char *)buf, len, c->q + c->qlen);
		if (console_share_flush(c) == -1)
			console_share_drop(s, i, "hung up");
	}
}

/*
 * Who may type at the board: a process of rigd's own user or root on this host, as the kernel
 * says who owns the connecting socket (the same rule as the control socket's). Everyone else
 * watches. While the board is reserved, its holder and the admins only (console_share_input).
 */
static int
console_share_writer(long uid)
{
	return uid == 0 || (uid >= 0 && uid == (long)geteuid());
}

static void
console_share_accept(struct console_share *s)
{
	struct console_share_client *c;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned char offers[32];
	char msg[160], host[INET6_ADDRSTRLEN];
	int fd, i, one = 1, idle = 60, intvl = 10, cnt = 3, sndbuf = CONSOLE_SHARE_SNDBUF;

	while ((fd = accept4(s->lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		len = sizeof(ss);
		if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
			    sizeof(host));
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
			    sizeof(host));
		for (i = 0; i < CONSOLE_SHARE_MAX_CLIENTS && s->c[i]; i++)
			;
		if (i == CONSOLE_SHARE_MAX_CLIENTS) {
			/* Said as ser2net says it, then closed: no telnet for a goodbye. */
			util_fmt(msg, sizeof(msg), "rig: console of %s has %d clients already\r\n",
			    s->b->conf.name, CONSOLE_SHARE_MAX_CLIENTS);
			if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) == -1)
				(void)0;	/* a goodbye nobody reads */
			close(fd);
			pthread_mutex_lock(&s->b->lock);
			s->refused++;
			pthread_mutex_unlock(&s->b->lock);
			log_info("%s: console client %s refused: %d already", s->b->conf.name, host,
			    CONSOLE_SHARE_MAX_CLIENTS);
			continue;
		}
		/*
		 * Keepalive ends a half-open peer (a laptop gone) within about 90 s of quiet; a
		 * client that only watches may stay quiet as long as it likes.
		 */
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->fresh = 1;
		util_strlcpy(c->peer, host, sizeof(c->peer));
		c->uid = sockdiag_peer_uid(fd);
		/*
		 * A user of this host outside the rig group may not watch, as on the control
		 * socket. A peer on another host has no uid here: binding elsewhere (-T) was the
		 * operator's decision, and it stays read-only.
		 */
		c->role = c->uid >= 0 ? peer_role_of_user(c->uid) : PEER_OUTSIDER;
		if (c->uid >= 0 && c->role == PEER_OUTSIDER) {
			util_fmt(msg, sizeof(msg), "rig: the console of %s is for group %s\r\n",
			    s->b->conf.name, peer_group_name());
			if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) == -1)
				(void)0;	/* a goodbye nobody reads */
			{
				/* Logged as the control socket's refusals: a line a second. */
				struct peer p = { .uid = c->uid, .gid = -1, .pid = -1 };
				char why[128];

				util_fmt(why, sizeof(why), "console of %s: not in group %s",
				    s->b->conf.name, peer_group_name());
				control_admit_refused(&p, why, util_now_ms());
			}
			close(fd);
			free(c);
			continue;
		}
		c->writer = console_share_writer(c->uid);
		console_share_line(s);
		telnet_server_init(&c->tn, &s->line);
		s->c[i] = c;
		s->n++;
		console_share_nclients++;
		pthread_mutex_lock(&s->b->lock);
		s->clients++;
		pthread_mutex_unlock(&s->b->lock);
		log_info("%s: console client %s (uid %ld) connected, %s", s->b->conf.name, c->peer,
		    c->uid, c->writer ? "may type" : "read-only");
		console_share_room(c, sizeof(offers));
		c->qlen += telnet_server_offers(&c->tn, c->q + c->qlen);
		if (console_share_flush(c) == -1)
			console_share_drop(s, i, "hung up");
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		log_warn("%s: console share accept", s->b->conf.name);
}

/*
 * A client's typing: to the board when it may write and the rig is not using the console
 * itself (a boot, a run, a recovery); else dropped, counted, and said to it once.
 */
static void
console_share_input(struct console_share *s, struct console_share_client *c,
    const unsigned char *data, size_t n)
{
	struct board *b = s->b;
	struct peer p = { .uid = c->uid, .gid = -1, .pid = -1, .role = c->role };
	struct store_reservation held;
	enum error_kind kind;
	const char *why = NULL;
	char msg[640], refusal[512];
	ssize_t w = 0;

	/* A reservation: its holder (and the admins) type, whoever may otherwise. */
	kind = reserve_check(b->rigd, b->conf.name, &p, "type at its console", refusal,
	    sizeof(refusal), &held);
	if (kind != ERROR_NONE)
		why = refusal;
	else if (!c->writer && !(held.id > 0 && held.uid == c->uid))
		why = "is read-only for you";
	else
		w = board_console_type(b, data, n, &why);
	pthread_mutex_lock(&b->lock);
	if ((size_t)w < n)
		s->input_dropped += (int64_t)(n - (size_t)w);
	pthread_mutex_unlock(&b->lock);
	if (why == NULL || c->told)
		return;
	c->told = 1;
	if (why == refusal)
		util_fmt(msg, sizeof(msg), "\r\n[rig: %s: what you type is dropped]\r\n", why);
	else
		util_fmt(msg, sizeof(msg), "\r\n[rig: the console of %s %s: what you type is"
		    " dropped]\r\n", b->conf.name, why);
	console_share_say(c, msg);
	log_info("%s: console client %s (uid %ld): input dropped: console %s", b->conf.name,
	    c->peer, c->uid, why);
}

static void
console_share_read(struct console_share *s, int i)
{
	struct console_share_client *c = s->c[i];
	unsigned char in[4096], data[4096], reply[TELNET_REPLY_ROOM(4096)];
	size_t nd, nr;
	ssize_t n;

	n = read(c->fd, in, sizeof(in));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		console_share_drop(s, i, n == 0 ? "hung up" : "lost");
		return;
	}
	/* The answers say the line as it is now (a reopened adapter may differ). */
	console_share_line(s);
	c->tn.line = s->line;
	nd = telnet_decode(&c->tn, in, (size_t)n, data, reply, &nr);
	if (nr > 0) {
		if (console_share_room(c, nr) == -1) {
			console_share_drop(s, i, "asked more than it reads: dropped");
			return;
		}
		memcpy(c->q + c->qlen, reply, nr);
		c->qlen += nr;
	}
	if (nd > 0)
		console_share_input(s, c, data, nd);
}

int
console_share_poll(struct rigd *r, struct pollfd *pfd, int *slot)
{
	int i, j, n = 0;

	if (console_share_ep != -1) {
		pfd[n].fd = console_share_ep;
		pfd[n].events = POLLIN;
		slot[n++] = CONSOLE_SHARE_LISTENERS;
	}
	for (i = 0; console_share_nclients > 0 && i < r->nboards; i++) {
		struct console_share *s = r->boards[i]->share;

		if (s == NULL || s->n == 0)
			continue;
		for (j = 0; j < CONSOLE_SHARE_MAX_CLIENTS; j++) {
			struct console_share_client *c = s->c[j];
			if (c == NULL)
				continue;
			c->fresh = 0;
			pfd[n].fd = c->fd;
			pfd[n].events = POLLIN;
			if (c->qoff < c->qlen && !c->tn.suspended)
				pfd[n].events |= POLLOUT;
			slot[n++] = CONSOLE_SHARE_SLOT(i * CONSOLE_SHARE_SLOTS + 1 + j);
		}
	}
	return n;
}

/* The listeners with someone knocking: each takes what waits. */
static void
console_share_listeners(void)
{
	struct epoll_event ev[64];
	int i, n;

	n = epoll_wait(console_share_ep, ev, 64, 0);
	for (i = 0; i < n; i++)
		console_share_accept(ev[i].data.ptr);
}

void
console_share_io(struct rigd *r, int slot, short revents)
{
	int k, i, j;
	struct console_share *s;
	struct console_share_client *c;

	if (slot == CONSOLE_SHARE_LISTENERS) {
		console_share_listeners();
		return;
	}
	k = CONSOLE_SHARE_SLOT(slot);
	i = k / CONSOLE_SHARE_SLOTS;
	j = k % CONSOLE_SHARE_SLOTS;
	s = r->boards[i]->share;
	if (j == 0)
		return;		/* listeners are polled together (CONSOLE_SHARE_LISTENERS) */
	c = s->c[--j];
	/* Gone since the poll, or a newcomer in a slot whose revents were someone else's. */
	if (c == NULL || c->fresh)
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		console_share_read(s, j);
		if (s->c[j] == NULL)
			return;
	}
	if (revents & POLLNVAL) {
		console_share_drop(s, j, "lost");
		return;
	}
	if (console_share_flush(c) == -1)
		console_share_drop(s, j, "hung up");
}

const char *
console_share_url(const struct board *b)
{
	/* Both immutable once opened. */
	return b->share != NULL && b->share->lfd != -1 ? b->share->url : NULL;
}

void
console_share_describe(struct board *b, cJSON *o)
{
	struct console_share *s = b->share;
	int clients;
	int64_t dropped, refused, input;

	if (s == NULL) {
		cJSON_AddStringToObject(o, "console_url", "");
		cJSON_AddStringToObject(o, "console_share", "off");
		return;
	}
	pthread_mutex_lock(&b->lock);
	clients = s->clients;
	dropped = s->dropped;
	refused = s->refused;
	input = s->input_dropped;
	pthread_mutex_unlock(&b->lock);
	cJSON_AddStringToObject(o, "console_url", s->url);
	cJSON_AddStringToObject(o, "console_telnet_url", s->telnet);
	cJSON_AddStringToObject(o, "console_share", s->lfd == -1 ? s->error : "on");
	cJSON_AddNumberToObject(o, "console_clients", clients);
	cJSON_AddNumberToObject(o, "console_clients_dropped", (double)dropped);
	cJSON_AddNumberToObject(o, "console_clients_refused", (double)refused);
	cJSON_AddNumberToObject(o, "console_input_dropped", (double)input);
}
