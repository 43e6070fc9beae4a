/* sockdiag: the uid of a local TCP peer, from the kernel's inet_diag (one request, one answer). */
#include "sockdiag.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

/* The peer's socket is the one whose source is our peer and whose destination is us. */
static int
sockdiag_request(int fd, struct inet_diag_req_v2 *req)
{
	struct sockaddr_storage us, peer;
	socklen_t ulen = sizeof(us), plen = sizeof(peer);

	if (getsockname(fd, (struct sockaddr *)&us, &ulen) == -1 ||
	    getpeername(fd, (struct sockaddr *)&peer, &plen) == -1)
		return -1;
	if (us.ss_family != peer.ss_family ||
	    (us.ss_family != AF_INET && us.ss_family != AF_INET6)) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	memset(req, 0, sizeof(*req));
	req->sdiag_family = (unsigned char)us.ss_family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0U;
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (us.ss_family == AF_INET) {
		const struct sockaddr_in *u = (const void *)&us, *p = (const void *)&peer;
		req->id.idiag_sport = p->sin_port;
		req->id.idiag_dport = u->sin_port;
		memcpy(req->id.idiag_src, &p->sin_addr, 4);
		memcpy(req->id.idiag_dst, &u->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *u = (const void *)&us, *p = (const void *)&peer;
		req->id.idiag_sport = p->sin6_port;
		req->id.idiag_dport = u->sin6_port;
		memcpy(req->id.idiag_src, &p->sin6_addr, 16);
		memcpy(req->id.idiag_dst, &u->sin6_addr, 16);
	}
	return 0;
}

long
sockdiag_peer_uid(int fd)
{
	struct {
		struct nlmsghdr		nh;
		struct inet_diag_req_v2	req;
	} msg;
	union {
		struct nlmsghdr	nh;
		char		buf[8192];
	} ans;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	/* The kernel answers at once; the bound is for a kernel that does not. */
	struct timeval tv = { .tv_sec = 1 };
	struct nlmsghdr *nh;
	ssize_t n;
	long uid = -1;
	int nl, e = ENOENT;

	memset(&msg, 0, sizeof(msg));
	if (sockdiag_request(fd, &msg.req) == -1)
		return -1;
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nh.nlmsg_flags = NLM_F_REQUEST;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl == -1)
		return -1;
	if (setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    sendto(nl, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) == -1) {
		e = errno;
		close(nl);
		errno = e;
		return -1;
	}
	n = recv(nl, ans.buf, sizeof(ans.buf), 0);
	if (n == -1)
		e = errno;
	for (nh = &ans.nh; n > 0 && NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *err = NLMSG_DATA(nh);
			e = err->error < 0 ? -err->error : ENOENT;
			break;
		}
		if (nh->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		    nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
			const struct inet_diag_msg *m = NLMSG_DATA(nh);
			uid = (long)m->idiag_uid;
			break;
		}
	}
	close(nl);
	if (uid == -1)
		errno = e;
	return uid;
}
