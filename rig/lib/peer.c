/* peer: who is at the other end of a local socket (the kernel's credentials) and the role the rig's groups give them. */
#include "peer.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59	/* Linux 4.13; older C libraries lack the name */
#endif

/* Set once by peer_setup before the event loop starts; read-only after. */
static long peer_gid = -1, peer_admin_gid = -1;
static char peer_gname[64], peer_aname[64];

/* name's gid into *gid (-1 when the host has none); -1 only for a lookup that failed. */
static int
peer_group_lookup(const char *name, long *gid, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[16384];
	int rc;

	rc = getgrnam_r(name, &gr, buf, sizeof(buf), &res);
	if (rc != 0) {
		util_fmt(err, errlen, "group %s: %s", name, strerror(rc));
		return -1;
	}
	*gid = res ? (long)res->gr_gid : -1;
	return 0;
}

int
peer_setup(const char *group, const char *admin_group, char *err, size_t errlen)
{
	const char *g = group ? group : PEER_GROUP, *a = admin_group ? admin_group : PEER_ADMIN_GROUP;

	if (peer_group_lookup(g, &peer_gid, err, errlen) == -1 ||
	    peer_group_lookup(a, &peer_admin_gid, err, errlen) == -1)
		return -1;
	if (group && peer_gid == -1) {
		util_fmt(err, errlen, "group %s: no such group", group);
		return -1;
	}
	if (admin_group && peer_admin_gid == -1) {
		util_fmt(err, errlen, "group %s: no such group", admin_group);
		return -1;
	}
	util_strlcpy(peer_gname, g, sizeof(peer_gname));
	util_strlcpy(peer_aname, peer_admin_gid == -1 ? "" : a, sizeof(peer_aname));
	return 0;
}

long
peer_group_gid(void)
{
	return peer_gid;
}

const char *
peer_group_name(void)
{
	return peer_gname;
}

const char *
peer_admin_name(void)
{
	return peer_aname;
}

enum peer_role
peer_role_of(long uid, const gid_t *groups, size_t n)
{
	enum peer_role role = PEER_OUTSIDER;
	size_t i;

	/* rigd's own user runs it: whoever is that user may do what rigd may. */
	if (uid == 0 || uid == (long)geteuid())
		return PEER_ADMIN;
	for (i = 0; i < n; i++) {
		if (peer_admin_gid != -1 && (long)groups[i] == peer_admin_gid)
			return PEER_ADMIN;
		if (peer_gid != -1 && (long)groups[i] == peer_gid)
			role = PEER_MEMBER;
	}
	return role;
}

/*
 * The supplementary groups as the user database has them: the kernel's list (SO_PEERGROUPS)
 * is preferred, as it is what the process holds (the same the socket file's mode was checked
 * against), and it costs no lookup.
 */
static gid_t *
peer_groups_by_name(long uid, long gid, int *n)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	gid_t *g;
	int want = 64;

	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
		*n = 0;
		return NULL;
	}
	for (;;) {
		g = xcalloc((size_t)want, sizeof(*g));
		*n = want;
		if (getgrouplist(pw.pw_name, (gid_t)gid, g, n) != -1)
			return g;
		free(g);
		if (*n <= want)
			want *= 2;
		else
			want = *n;
	}
}

enum peer_role
peer_role_of_user(long uid)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	enum peer_role role;
	gid_t *groups;
	int n;

	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return peer_role_of(uid, NULL, 0);
	groups = peer_groups_by_name(uid, (long)pw.pw_gid, &n);
	role = peer_role_of(uid, groups, (size_t)n);
	free(groups);
	return role;
}

int
peer_of_socket(int fd, struct peer *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t small[64], *groups = small;
	int n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return -1;
	p->uid = (long)cred.uid;
	p->gid = (long)cred.gid;
	p->pid = (long)cred.pid;
	len = sizeof(small);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, small, &len) == -1) {
		if (errno == ERANGE) {
			groups = xcalloc(len / sizeof(gid_t) + 1, sizeof(gid_t));
			if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1) {
				free(groups);
				return -1;
			}
		} else if (errno == ENOPROTOOPT) {
			groups = peer_groups_by_name(p->uid, p->gid, &n);
			len = (socklen_t)((size_t)n * sizeof(gid_t));
		} else
			return -1;
	}
	p->role = peer_role_of(p->uid, groups, len / sizeof(gid_t));
	/* The primary group counts too (the kernel's list has only the supplementary ones). */
	if (p->role == PEER_OUTSIDER || p->role == PEER_MEMBER) {
		gid_t primary = (gid_t)p->gid;
		enum peer_role r = peer_role_of(p->uid, &primary, 1);

		if (r > p->role)
			p->role = r;
	}
	if (groups != small)
		free(groups);
	return 0;
}

const char *
peer_role_name(enum peer_role r)
{
	switch (r) {
	case PEER_MEMBER:
		return "member";
	case PEER_ADMIN:
		return "admin";
	default:
		return "outsider";
	}
}

int
peer_may_act_for(const struct peer *p, long holder_uid)
{
	return p->role == PEER_ADMIN || (p->role == PEER_MEMBER && p->uid == holder_uid);
}

void
peer_user_name(long uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[16384];

	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		util_strlcpy(buf, pw.pw_name, len);
	else
		util_fmt(buf, len, "%ld", uid);
}
