/* sockdiag: who owns the other end of a TCP connection made on this host (the kernel's socket diagnostics). */
#ifndef RIG_SOCKDIAG_H
#define RIG_SOCKDIAG_H

/*
 * The uid owning the socket at the other end of connected TCP socket fd, asked of the kernel
 * (NETLINK_SOCK_DIAG, inet_diag): that socket must be on this host (a loopback peer). -1 with
 * errno when it cannot be known (a peer elsewhere: ENOENT).
 */
long sockdiag_peer_uid(int fd);

#endif
