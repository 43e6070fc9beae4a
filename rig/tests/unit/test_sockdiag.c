/* sockdiag: the kernel names the owner of a loopback peer; real sockets, real uids. */
#include "sockdiag.h"
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* A listener on family's loopback, any port; -1 when this host has no such loopback. */
static int
listener(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*a);
	}
	if (fd == -1 || bind(fd, (struct sockaddr *)ss, *len) == -1 || listen(fd, 4) == -1 ||
	    getsockname(fd, (struct sockaddr *)ss, len) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static void
peer_uid_is_our_own_on_each_loopback(void)
{
	int families[] = { AF_INET, AF_INET6 }, i;

	for (i = 0; i < 2; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		int l = listener(families[i], &ss, &len), c, a;

		if (l == -1 && families[i] == AF_INET6)
			continue;	/* no ::1 here */
		CHECK(l != -1);
		c = socket(families[i], SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
		a = accept(l, NULL, NULL);
		CHECK(a != -1);
		CHECK_INT(sockdiag_peer_uid(a), (long)geteuid());
		close(a);
		close(c);
		close(l);
	}
}

/* As root: a peer of another uid (nobody's) is named as such, not as us. */
static void
peer_uid_of_another_user(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l, a, status, go[2];
	char b;
	pid_t pid;

	if (geteuid() != 0)
		return;
	l = listener(AF_INET, &ss, &len);
	CHECK(l != -1 && pipe(go) == 0);
	pid = fork();
	if (pid == 0) {
		int c;
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(1);
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&ss, len) == -1)
			_exit(1);
		/* Connected until the parent has asked. */
		_exit(read(go[0], &b, 1) == 1 ? 0 : 1);
	}
	a = accept(l, NULL, NULL);
	CHECK(a != -1);
	CHECK_INT(sockdiag_peer_uid(a), 65534);
	CHECK(write(go[1], "x", 1) == 1);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(a);
	close(l);
	close(go[0]);
	close(go[1]);
}

static void
an_unconnected_socket_has_no_peer(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK_INT(sockdiag_peer_uid(fd), -1);
	CHECK_INT(errno, ENOTCONN);
	close(fd);
}

int
main(void)
{
	RUN(peer_uid_is_our_own_on_each_loopback);
	RUN(peer_uid_of_another_user);
	RUN(an_unconnected_socket_has_no_peer);
	TEST_END();
}
