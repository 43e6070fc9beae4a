/* peer: who is at the other end of a local socket (the kernel's credentials) and the role the rig's groups give them. */
#ifndef RIG_PEER_H
#define RIG_PEER_H

#include <stddef.h>
#include <sys/types.h>

#define PEER_GROUP		"rig"		/* the control socket's group, by default (rigd -g) */
#define PEER_ADMIN_GROUP	"rig-admin"	/* the admin group, by default (rigd -a) */

/* What a peer may do; each role includes the ones before it. */
enum peer_role {
	PEER_OUTSIDER,	/* in neither group: refused at the door */
	PEER_MEMBER,	/* the rig group: reads, and changes boards under its own uid */
	PEER_ADMIN,	/* root, rigd's own user, the admin group: may act on what another uid holds */
};

/* A connected peer, as the kernel saw it at connect(): it cannot change for the connection. */
struct peer {
	long		uid;
	long		gid;
	long		pid;
	enum peer_role	role;
};

/*
 * Start-up, before any peer is judged: the rig group and the admin group by name. NULL takes
 * the default (PEER_GROUP, PEER_ADMIN_GROUP), which may be missing from the host: then nobody
 * is a member (or an admin) but root and rigd's own user. A name given that the host does not
 * know is an error: 0, or -1 with err ("group NAME: no such group").
 */
int peer_setup(const char *group, const char *admin_group, char *err, size_t errlen);
/* The rig group: its gid (-1 when the host has none) and its name. */
long peer_group_gid(void);
const char *peer_group_name(void);
/* The admin group's name ("" when the host has none). */
const char *peer_admin_name(void);

/*
 * The peer of connected unix socket fd: uid, gid and pid from SO_PEERCRED, the supplementary
 * groups from SO_PEERGROUPS (the process's own, as at connect(); from the group database by
 * name on a kernel without it), and the role they give. 0, or -1 with errno.
 */
int peer_of_socket(int fd, struct peer *p);
/* The role of uid with these groups (the primary one among them or not). */
enum peer_role peer_role_of(long uid, const gid_t *groups, size_t n);
/*
 * The role of uid by the user database's groups, for a peer whose process cannot be asked (a
 * TCP peer on this host, its uid from the kernel's socket diagnostics). Asks the database.
 */
enum peer_role peer_role_of_user(long uid);
const char *peer_role_name(enum peer_role r);
/* 1 when p may act on what holder_uid holds (a reservation, a run): its own, or p is admin. */
int peer_may_act_for(const struct peer *p, long holder_uid);
/* uid's login name for people to read, else its number ("1234"). Asks the user database. */
void peer_user_name(long uid, char *buf, size_t len);

#endif
