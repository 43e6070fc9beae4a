/* test_peer: a local socket's peer as the kernel names it, and the roles the rig's groups give. */
#include "peer.h"
#include "test.h"

#include <grp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Groups every Debian host has, standing in for the rig's two. */
static gid_t
test_gid(const char *name)
{
	struct group *g = getgrnam(name);

	return g ? g->gr_gid : (gid_t)-1;
}

static void
setup_knows_the_groups_by_name(void)
{
	char err[128] = "";

	CHECK_INT(peer_setup("daemon", "adm", err, sizeof(err)), 0);
	CHECK_INT(peer_group_gid(), test_gid("daemon"));
	CHECK_STR(peer_group_name(), "daemon");
	CHECK_STR(peer_admin_name(), "adm");
}

static void
setup_refuses_a_group_named_that_does_not_exist(void)
{
	char err[128] = "";

	CHECK_INT(peer_setup("no-such-group-rig", NULL, err, sizeof(err)), -1);
	CHECK_STR(err, "group no-such-group-rig: no such group");
	CHECK_INT(peer_setup(NULL, "no-such-admin-rig", err, sizeof(err)), -1);
	CHECK_STR(err, "group no-such-admin-rig: no such group");
}

static void
role_comes_from_the_groups(void)
{
	char err[128];
	gid_t member[] = { 100, test_gid("daemon") }, admin[] = { test_gid("adm"), 5 };
	gid_t other[] = { 100, 101 };

	peer_setup("daemon", "adm", err, sizeof(err));
	CHECK_INT(peer_role_of(4242, member, 2), PEER_MEMBER);
	CHECK_INT(peer_role_of(4242, admin, 2), PEER_ADMIN);
	CHECK_INT(peer_role_of(4242, other, 2), PEER_OUTSIDER);
	CHECK_INT(peer_role_of(4242, NULL, 0), PEER_OUTSIDER);
	/* root and rigd's own user are admins whatever their groups. */
	CHECK_INT(peer_role_of(0, NULL, 0), PEER_ADMIN);
	CHECK_INT(peer_role_of((long)geteuid(), NULL, 0), PEER_ADMIN);
	CHECK_STR(peer_role_name(PEER_MEMBER), "member");
}

static void
a_missing_default_group_makes_nobody_a_member(void)
{
	char err[128];
	gid_t g[] = { 0, 1, 4, 100 };

	/* Debian has neither rig nor rig-admin unless make deps (or a package) made them. */
	if (getgrnam(PEER_GROUP) || getgrnam(PEER_ADMIN_GROUP)) {
		printf("# this host has group %s or %s: not checked\n", PEER_GROUP, PEER_ADMIN_GROUP);
		return;
	}
	CHECK_INT(peer_setup(NULL, NULL, err, sizeof(err)), 0);
	CHECK_INT(peer_group_gid(), -1);
	CHECK_STR(peer_admin_name(), "");
	CHECK_INT(peer_role_of(4242, g, 4), PEER_OUTSIDER);
}

static void
only_the_holder_or_an_admin_acts_for_a_uid(void)
{
	struct peer m = { .uid = 1001, .role = PEER_MEMBER }, a = { .uid = 1002, .role = PEER_ADMIN };
	struct peer o = { .uid = 1003, .role = PEER_OUTSIDER };

	CHECK(peer_may_act_for(&m, 1001));
	CHECK(!peer_may_act_for(&m, 1002));
	CHECK(peer_may_act_for(&a, 1001));
	CHECK(!peer_may_act_for(&o, 1003));
}

static void
the_peer_of_a_socket_is_who_connected(void)
{
	char err[128];
	struct peer p = { 0 };
	int sv[2];

	peer_setup("daemon", "adm", err, sizeof(err));
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_INT(peer_of_socket(sv[0], &p), 0);
	CHECK_INT(p.uid, (long)geteuid());
	CHECK_INT(p.pid, (long)getpid());
	CHECK_INT(p.role, PEER_ADMIN);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A process of another uid with the member group among its supplementary groups (as root
 * only): the kernel's list (SO_PEERGROUPS) makes it a member; without the group it is outside.
 */
static void
supplementary_groups_of_another_user_count(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char err[128];
	gid_t groups[2] = { 0, 100 };
	int want[2] = { PEER_MEMBER, PEER_OUTSIDER };
	int k;

	if (geteuid() != 0) {
		printf("# not root: another uid's groups not checked\n");
		return;
	}
	peer_setup("daemon", "adm", err, sizeof(err));
	groups[0] = test_gid("daemon");
	/* An abstract name: nothing in the file system, gone with the socket. */
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "test_peer.%d", (int)getpid());
	for (k = 0; k < 2; k++) {
		struct peer p = { 0 };
		int lfd = socket(AF_UNIX, SOCK_STREAM, 0), cfd;
		pid_t pid;

		CHECK_INT(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		CHECK_INT(listen(lfd, 1), 0);
		pid = fork();
		if (pid == 0) {
			/* The credentials are taken at connect(): after the change. */
			int fd;
			char c;

			if (setgroups(1, &groups[k]) == -1 || setgid(65534) == -1 ||
			    setuid(65534) == -1)
				_exit(1);
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
				_exit(2);
			/* Until the parent has looked and hung up. */
			_exit(read(fd, &c, 1) == 0 ? 0 : 3);
		}
		cfd = accept(lfd, NULL, NULL);
		CHECK(cfd != -1);
		CHECK_INT(peer_of_socket(cfd, &p), 0);
		CHECK_INT(p.uid, 65534);
		CHECK_INT(p.pid, pid);
		CHECK_INT(p.role, want[k]);
		close(cfd);
		close(lfd);
		waitpid(pid, NULL, 0);
	}
}

int
main(void)
{
	RUN(setup_knows_the_groups_by_name);
	RUN(setup_refuses_a_group_named_that_does_not_exist);
	RUN(role_comes_from_the_groups);
	RUN(a_missing_default_group_makes_nobody_a_member);
	RUN(only_the_holder_or_an_admin_acts_for_a_uid);
	RUN(the_peer_of_a_socket_is_who_connected);
	RUN(supplementary_groups_of_another_user_count);
	TEST_END();
}
