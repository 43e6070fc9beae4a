/* power_qemu_qmp: the qemu power backend's QMP client: a command, its reply, a passed fd. */
#include "power_qemu_int.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Reads one QMP line (messages end in newline) within timeout_ms; returns parsed JSON or NULL. */
static cJSON *
power_qemu_qmp_read(int fd, int timeout_ms)
{
	char line[65536];
	size_t n = 0;
	int64_t deadline = util_now_ms() + timeout_ms;

	while (n < sizeof(line) - 1) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int left = (int)(deadline - util_now_ms());
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return NULL;
		r = read(fd, line + n, 1);
		if (r <= 0)
			return NULL;
		if (line[n] == '\n') {
			line[n] = '\0';
			return cJSON_Parse(line);
		}
		n++;
	}
	return NULL;
}

/* Sends a command and returns its "return" member's parent object (skipping events). */
cJSON *
power_qemu_qmp(int fd, const char *cmd, int timeout_ms)
{
	size_t len = strlen(cmd);
	int64_t deadline = util_now_ms() + timeout_ms;

	if (write(fd, cmd, len) != (ssize_t)len)
		return NULL;
	for (;;) {
		int left = (int)(deadline - util_now_ms());
		cJSON *msg;

		if (left <= 0)
			return NULL;
		msg = power_qemu_qmp_read(fd, left);
		if (msg == NULL)
			return NULL;
		if (cJSON_GetObjectItem(msg, "return") || cJSON_GetObjectItem(msg, "error"))
			return msg;
		cJSON_Delete(msg);	/* an asynchronous event */
	}
}

int
power_qemu_qmp_connect(struct power_qemu *q, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = util_now_ms() + 10000;
	cJSON *msg;

	util_strlcpy(sa.sun_path, q->qmp_path, sizeof(sa.sun_path));
	for (;;) {
		q->qmp_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->qmp_fd == -1) {
			util_fmt(err, errlen, "qmp socket: %s", strerror(errno));
			return -1;
		}
		if (connect(q->qmp_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(q->qmp_fd);
		q->qmp_fd = -1;
		if (!power_qemu_alive(q)) {
			util_fmt(err, errlen, "qemu exited at start (see its log)");
			return -1;
		}
		if (util_now_ms() > deadline) {
			util_fmt(err, errlen, "qmp %s: no answer", q->qmp_path);
			return -1;
		}
		util_sleep_ms(20);
	}
	msg = power_qemu_qmp_read(q->qmp_fd, 5000);	/* the greeting */
	if (msg == NULL) {
		util_fmt(err, errlen, "qmp: no greeting");
		return -1;
	}
	cJSON_Delete(msg);
	msg = power_qemu_qmp(q->qmp_fd, "{\"execute\":\"qmp_capabilities\"}\n", 5000);
	if (msg == NULL || cJSON_GetObjectItem(msg, "error")) {
		cJSON_Delete(msg);
		util_fmt(err, errlen, "qmp: capabilities refused");
		return -1;
	}
	cJSON_Delete(msg);
	return 0;
}

/* Sends cmd with fd attached (SCM_RIGHTS), as QMP's getfd takes it; its reply, or NULL. */
cJSON *
power_qemu_qmp_passfd(int sock, const char *cmd, int fd, int timeout_ms)
{
	union {
		char		buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	struct iovec iov = { (void *)cmd, strlen(cmd) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
	    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;

	memset(u.buf, 0, sizeof(u.buf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)iov.iov_len)
		return NULL;
	return power_qemu_qmp(sock, "", timeout_ms);
}

/* 1 when QEMU answered cmd with "return" (not "error"). */
int
power_qemu_qmp_ok(int fd, const char *cmd, int timeout_ms)
{
	cJSON *msg = power_qemu_qmp(fd, cmd, timeout_ms);
	int ok = msg && cJSON_GetObjectItem(msg, "return");

	cJSON_Delete(msg);
	return ok;
}
