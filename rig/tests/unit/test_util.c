/* Durations and bounded copies: what board and scenario files and messages rely on. */
#include "hangstack.h"
#include "test.h"
#include "triage.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void
durations_parse_with_units_and_reject_junk(void)
{
	CHECK_INT(util_duration_parse("3s"), 3000);
	CHECK_INT(util_duration_parse("250ms"), 250);
	CHECK_INT(util_duration_parse("2m"), 120000);
	CHECK_INT(util_duration_parse("2h"), 7200000);
	CHECK_INT(util_duration_parse("1.5s"), 1500);
	CHECK_INT(util_duration_parse("10"), 10000);
	CHECK_INT(util_duration_parse(""), -1);
	CHECK_INT(util_duration_parse("-1s"), -1);
	CHECK_INT(util_duration_parse("5 s"), -1);
	CHECK_INT(util_duration_parse("5x"), -1);
	CHECK_INT(util_duration_parse("1e30s"), -1);
	CHECK_INT(util_duration_parse(NULL), -1);
}

static void
strlcpy_truncates_and_terminates(void)
{
	char buf[4];

	CHECK_INT(util_strlcpy(buf, "abcdef", sizeof(buf)), 6);
	CHECK_STR(buf, "abc");
	CHECK_INT(util_strlcpy(buf, "ab", sizeof(buf)), 2);
	CHECK_STR(buf, "ab");
}

/* Folders other users' programs read (a TFTP server's) get their mode whatever rigd's umask. */
static void
mkdirs_mode_gives_new_folders_their_mode_whatever_the_umask(void)
{
	char top[] = "/tmp/rig-test-mkdirs-XXXXXX", path[128], mid[96];
	struct stat st;
	mode_t old = umask(027);

	CHECK(mkdtemp(top) != NULL);
	snprintf(mid, sizeof(mid), "%s/a", top);
	snprintf(path, sizeof(path), "%s/a/b", top);
	CHECK_INT(util_mkdirs_mode(path, 0755), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0755);
	CHECK_INT(stat(mid, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0755);
	/* One already there is left as it is. */
	CHECK_INT(stat(top, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(util_mkdirs_mode(path, 0755), 0);
	/* The plain form keeps to the umask. */
	snprintf(path, sizeof(path), "%s/c", top);
	CHECK_INT(util_mkdirs(path), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0750);
	umask(old);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", top);
	rmdir(path);
	rmdir(mid);
	rmdir(top);
}

static void
hang_frame_skips_scheduler_and_completion_helpers(void)
{
	const char *amd64 =
	    "[<0>] __schedule+0x34d/0x9e0\n"
	    "[<0>] schedule+0x5a/0xd0\n"
	    "[<0>] schedule_timeout+0x118/0x150\n"
	    "[<0>] __wait_for_common+0x90/0x1d0\n"
	    "[<0>] i2c_del_adapter+0x120/0x1b0\n"
	    "[<0>] i801_remove+0x54/0xd0 [i2c_i801]\n";
	char frame[128];

	triage_hang_frames(amd64, "i2c_del_adapter", NULL, 0, frame, sizeof(frame));
	CHECK_STR(frame, "i2c_del_adapter");
	/* The stack as Debian 6.1.192 shows it: the wait helpers are already hidden. */
	triage_hang_frames("[<0>] i2c_del_adapter+0x120/0x1b0\n[<0>] i801_remove+0x54/0xd0 [i2c_i801]\n",
	    "", NULL, 0, frame, sizeof(frame));
	CHECK_STR(frame, "i2c_del_adapter");
}

static void
hang_frame_falls_back_to_wchan_without_a_stack(void)
{
	char frame[128];

	/* ARM 6.1: /proc/PID/stack of another task is empty; wchan still names the function. */
	triage_hang_frames("", "i2c_del_adapter", NULL, 0, frame, sizeof(frame));
	CHECK_STR(frame, "i2c_del_adapter");
	triage_hang_frames(NULL, "0", NULL, 0, frame, sizeof(frame));
	CHECK_STR(frame, "");
}

static void
sections_are_cut_at_their_markers(void)
{
	char dst[64];

	hangstack_section("--state\nState:\tD (disk sleep)\n--wchan\ni2c_del_adapter\n\n--end\n",
	    "wchan", dst, sizeof(dst));
	CHECK_STR(dst, "i2c_del_adapter");
	hangstack_section("--state\nState:\tD (disk sleep)\n--wchan\n", "state", dst, sizeof(dst));
	CHECK_STR(dst, "State:\tD (disk sleep)");
	/* ARM: /proc/PID/stack of another task is empty: the section is too. */
	hangstack_section("--stack\n--end\n", "stack", dst, sizeof(dst));
	CHECK_STR(dst, "");
	hangstack_section("nothing", "stack", dst, sizeof(dst));
	CHECK_STR(dst, "");
}

/*
 * A shared console's URL as another host stores it: its address and port, and who can reach
 * the address (rigctl console says where a console is instead of trying another machine's
 * loopback).
 */
static void
console_urls_split_and_their_addresses_scoped(void)
{
	char addr[64] = "", port[16] = "";

	CHECK_INT(util_url_hostport("rfc2217://127.0.0.1:4000", addr, sizeof(addr), port,
	    sizeof(port)), 0);
	CHECK_STR(addr, "127.0.0.1");
	CHECK_STR(port, "4000");
	CHECK_INT(util_url_hostport("rfc2217://[::1]:22", addr, sizeof(addr), port, sizeof(port)),
	    0);
	CHECK_STR(addr, "::1");
	CHECK_STR(port, "22");
	CHECK_INT(util_url_hostport("rfc2217://10.0.0.5", addr, sizeof(addr), port, sizeof(port)),
	    -1);
	CHECK_INT(util_url_hostport("rfc2217://10.0.0.5:", addr, sizeof(addr), port, sizeof(port)),
	    -1);
	CHECK_INT(util_url_hostport("rfc2217://:80", addr, sizeof(addr), port, sizeof(port)), -1);
	CHECK_INT(util_url_hostport("rfc2217://[::1:80", addr, sizeof(addr), port, sizeof(port)),
	    -1);
	CHECK_INT(util_url_hostport("10.0.0.5:80", addr, sizeof(addr), port, sizeof(port)), -1);
	CHECK_INT(util_url_hostport("rfc2217://1.2.3.4:80x", addr, sizeof(addr), port,
	    sizeof(port)), -1);
	CHECK_INT(util_url_hostport("rfc2217://1.2.3.4:80", addr, 4, port, sizeof(port)), -1);
	CHECK_INT(util_addr_scope("127.0.0.1"), UTIL_ADDR_LOOPBACK);
	CHECK_INT(util_addr_scope("127.1.2.3"), UTIL_ADDR_LOOPBACK);
	CHECK_INT(util_addr_scope("::1"), UTIL_ADDR_LOOPBACK);
	CHECK_INT(util_addr_scope("0.0.0.0"), UTIL_ADDR_ANY);
	CHECK_INT(util_addr_scope("::"), UTIL_ADDR_ANY);
	CHECK_INT(util_addr_scope("192.168.1.20"), UTIL_ADDR_NETWORK);
	CHECK_INT(util_addr_scope("fe80::1"), UTIL_ADDR_NETWORK);
	CHECK_INT(util_addr_scope("rig-host"), UTIL_ADDR_INVALID);
}

int
main(void)
{
	RUN(console_urls_split_and_their_addresses_scoped);
	RUN(durations_parse_with_units_and_reject_junk);
	RUN(strlcpy_truncates_and_terminates);
	RUN(mkdirs_mode_gives_new_folders_their_mode_whatever_the_umask);
	RUN(hang_frame_skips_scheduler_and_completion_helpers);
	RUN(hang_frame_falls_back_to_wchan_without_a_stack);
	RUN(sections_are_cut_at_their_markers);
	TEST_END();
}
