/* cmd_console_remote: rigctl console for a board another host of the lab serves: read-only, straight from that host's shared console (telnet). */
#include "rigctl.h"
#include "telnet.h"
#include "termsafe.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How long the other host's share may take to accept, before rigctl says where it is. */
#define CMD_CONSOLE_REMOTE_CONNECT_MS	5000

/* All of buf to fd (standard output, or the share's socket): 0, or -1. */
static int
cmd_console_remote_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		/* A share that hung up is an error said, not a SIGPIPE. */
		ssize_t w = fd == 1 ? write(fd, p, len) : send(fd, p, len, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A connected socket to addr:port within the bound, or -1 with why. */
static int
cmd_console_remote_connect(const char *addr, const char *port, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *ai;
	struct pollfd p;
	socklen_t len = sizeof(int);
	int fd, rc, err = 0;

	if ((rc = getaddrinfo(addr, port, &hints, &ai)) != 0) {
		util_strlcpy(why, gai_strerror(rc), whylen);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS)) {
		util_strlcpy(why, strerror(errno), whylen);
		goto fail;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if ((rc = poll(&p, 1, CMD_CONSOLE_REMOTE_CONNECT_MS)) <= 0) {
		util_strlcpy(why, rc == 0 ? "no answer within 5 s" : strerror(errno), whylen);
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err != 0) {
		util_strlcpy(why, strerror(err ? err : errno), whylen);
		goto fail;
	}
	freeaddrinfo(ai);
	return fd;
fail:
	if (fd != -1)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

int
cmd_console_remote(cJSON *res, int raw)
{
	const char *board = rigctl_str(res, "board"), *host = rigctl_str(res, "host");
	const char *url = rigctl_str(res, "console_url");
	unsigned char in[4096], data[4096], reply[TELNET_REPLY_ROOM(4096)];
	char addr[128], port[16], why[256], *safe = NULL;
	struct termsafe ts = { { 0 }, 0 };
	struct telnet tn;
	size_t nd, nreply;
	ssize_t n;
	int fd, failed = 0, said = 0;

	if (util_url_hostport(url, addr, sizeof(addr), port, sizeof(port)) == -1) {
		fprintf(stderr, "rigctl: console of %s: host %s shares it at %s, an address rigctl"
		    " cannot read\n", board, host, url);
		return RIGCTL_LAB_ERROR;
	}
	if ((fd = cmd_console_remote_connect(addr, port, why, sizeof(why))) == -1) {
		fprintf(stderr, "rigctl: console of %s: host %s shares it at %s, which did not"
		    " answer: %s%s\n", board, host, url, why,
		    cJSON_IsFalse(cJSON_GetObjectItem(res, "host_alive")) ?
		    " (the host is silent: its rigd stopped or lost the store)" : "");
		return RIGCTL_LAB_ERROR;
	}
	/*
	 * A plain telnet client that asks for nothing and types nothing: only the answers the
	 * server's offers need go back, so the share sees no input from it.
	 */
	telnet_init(&tn);
	for (;;) {
		n = read(fd, in, sizeof(in));
		if (n == -1 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, -1) == -1 && errno != EINTR) {
				failed = 1;
				break;
			}
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "rigctl: console of %s: host %s closed it%s%s\n", board, host,
			    n == -1 ? ": " : "", n == -1 ? strerror(errno) : "");
			failed = 1;
			break;
		}
		/*
		 * The share speaks first (its offers) once it has taken this client: from then on
		 * every byte the board prints comes here. Said then, not at connect(), which the
		 * kernel completes before the share accepts.
		 */
		if (!said) {
			fprintf(stderr, "rigctl: console of %s on host %s, %s:%s (%s): attached"
			    " (read-only)\n", board, host, addr, port, url);
			said = 1;
		}
		nd = telnet_decode(&tn, in, (size_t)n, data, reply, &nreply);
		if (nreply > 0 && cmd_console_remote_write(fd, reply, nreply) == -1) {
			failed = 1;
			break;
		}
		if (raw)
			failed = cmd_console_remote_write(1, data, nd) == -1;
		else {
			/* A terminal gets text, as from a local console (termsafe.h). */
			safe = realloc(safe, TERMSAFE_OUT(nd));
			failed = safe == NULL || cmd_console_remote_write(1, safe,
			    termsafe_filter(&ts, (const char *)data, nd, safe)) == -1;
		}
		if (failed)
			break;
	}
	if (!raw && (safe = realloc(safe, TERMSAFE_OUT(0))) != NULL)
		(void)cmd_console_remote_write(1, safe, termsafe_flush(&ts, safe));
	free(safe);
	close(fd);
	return failed ? RIGCTL_LAB_ERROR : RIGCTL_PASS;
}
