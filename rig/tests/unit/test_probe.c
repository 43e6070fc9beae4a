/* test_probe: each part's probe on this host's real files: pty adapters, dangling links, programs on PATH, console hosts, QEMU firmware; what parts_probe reports. */
#include "conf.h"
#include "parts.h"
#include "probe.h"
#include "util.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pty.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/test_probe.XXXXXX";
static char file[300];
static struct board_conf board;

/* Loads a board file of these lines; 0 when it checked clean. */
static int
load(const char *text)
{
	struct conf_errors e = { 0 };
	FILE *f;
	int rc;

	snprintf(file, sizeof(file), "%s/board.yaml", dir);
	if ((f = fopen(file, "w")) == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	rc = board_conf_load(file, &board, &e);
	if (rc == -1)
		conf_errors_print(&e, stderr);
	conf_errors_free(&e);
	return rc;
}

/* A desk board: console at path (line 5), power: lines given (from line 6), boot local. */
static int
load_tty(const char *path, const char *power)
{
	char text[2048];

	snprintf(text, sizeof(text), "name: desk\narch: arm64\nconsole:\n  kind: tty\n  path: %s\n"
	    "%sboot:\n  method: local\nssh:\n  host: 10.0.0.2\n", path, power);
	return load(text);
}

/* parts_probe's messages, joined by newlines ("" when none); rc its return. */
static const char *
probe_all(int *rc)
{
	static char out[4096];
	struct conf_errors e = { 0 };
	struct parts_ops ops;
	size_t used = 0;
	int i;

	out[0] = '\0';
	parts_resolve(&board, &ops, &e);
	*rc = parts_probe(&board, &ops, &e);
	for (i = 0; i < e.n && used < sizeof(out); i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", i ? "\n" : "",
		    e.msg[i]);
	conf_errors_free(&e);
	return out;
}

static const char *const manual = "power:\n  backend: manual\n";

static void
tty_probe_names_a_missing_node_at_its_line(void)
{
	char path[300], want[700];
	int rc;

	snprintf(path, sizeof(path), "%s/ttyUSB7", dir);
	CHECK_INT(load_tty(path, manual), 0);
	snprintf(want, sizeof(want), "%s:5: console.path %s: no such device", file, path);
	CHECK_STR(probe_all(&rc), want);
	CHECK_INT(rc, -1);
}

static void
tty_probe_says_a_dangling_by_id_link_is_an_unplugged_adapter(void)
{
	char link[300], target[300], want[1200];
	int rc;

	snprintf(link, sizeof(link), "%s/usb-FTDI-if00-port0", dir);
	snprintf(target, sizeof(target), "%s/ttyUSB3", dir);
	CHECK_INT(symlink(target, link), 0);
	CHECK_INT(load_tty(link, manual), 0);
	snprintf(want, sizeof(want), "%s:5: console.path %s: a link to %s, which is gone (the"
	    " adapter is unplugged)", file, link, target);
	CHECK_STR(probe_all(&rc), want);
	CHECK_INT(rc, -1);
	unlink(link);
}

static void
tty_probe_refuses_a_file_that_is_no_device(void)
{
	char path[300], want[700];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/plain", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CHECK(fd != -1);
	close(fd);
	CHECK_INT(load_tty(path, manual), 0);
	snprintf(want, sizeof(want), "%s:5: console.path %s: not a character device (a serial"
	    " adapter's node is one)", file, path);
	CHECK_STR(probe_all(&rc), want);
	unlink(path);
}

/* A real pty stands for the adapter, reached through a by-id style link: accepted. */
static void
tty_probe_accepts_a_real_pty_through_a_link(void)
{
	char name[128], link[300];
	int m, s, rc;

	CHECK_INT(openpty(&m, &s, name, NULL, NULL), 0);
	snprintf(link, sizeof(link), "%s/usb-adapter", dir);
	CHECK_INT(symlink(name, link), 0);
	CHECK_INT(load_tty(link, manual), 0);
	CHECK_STR(probe_all(&rc), "");
	CHECK_INT(rc, 0);
	/* Unplugged: the pty's other end closes, its node goes, the link dangles. */
	close(s);
	close(m);
	unlink(link);
}

/*
 * A node rigd's user may not open (a pty owned by root, mode 0620, group tty, probed by a
 * process that dropped to nobody): the reason says why and what would fix it.
 */
static void
tty_probe_says_permission_denied_with_the_nodes_mode_and_group(void)
{
	char name[128], want[400];
	int m, s, pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "not root: the permission case is checked as root dropping to nobody\n");
		return;
	}
	CHECK_INT(openpty(&m, &s, name, NULL, NULL), 0);
	CHECK_INT(fchmod(s, 0620), 0);
	CHECK_INT(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		char what[300] = "";

		if (setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0)
			probe_chardev(name, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "could not drop to nobody");
		n = write(pipefd[1], what, strlen(what));
		_exit(n > 0 ? 0 : 1);
	}
	close(pipefd[1]);
	memset(want, 0, sizeof(want));
	n = read(pipefd[0], want, sizeof(want) - 1);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	CHECK(n > 0);
	/* The node's group is devpts's (tty on most hosts, root in some containers). */
	{
		struct stat st;
		struct group *g;
		char expect[300];

		CHECK_INT(stat(name, &st), 0);
		g = getgrgid(st.st_gid);
		snprintf(expect, sizeof(expect), "permission denied: rigd (uid 65534) may not open"
		    " it; the node is mode 620, group %s", g ? g->gr_name : "?");
		CHECK_STR(want, expect);
	}
	close(s);
	close(m);
}

static void
command_probe_names_a_program_not_on_path_at_its_line(void)
{
	char name[128], link[300], want[700];
	int m, s, rc;

	CHECK_INT(openpty(&m, &s, name, NULL, NULL), 0);
	snprintf(link, sizeof(link), "%s/adapter", dir);
	CHECK_INT(symlink(name, link), 0);
	CHECK_INT(load_tty(link, "power:\n  backend: command\n  on: [true]\n"
	    "  off: [rig-test-no-such-pdu, --port, \"1\"]\n"), 0);
	snprintf(want, sizeof(want), "%s:9: power.off rig-test-no-such-pdu: not found on PATH",
	    file);
	CHECK_STR(probe_all(&rc), want);
	CHECK_INT(rc, -1);
	unlink(link);
	close(s);
	close(m);
}

static void
command_probe_checks_a_path_is_an_executable_file(void)
{
	char name[128], link[300], prog[300], power[900], want[900];
	int m, s, fd, rc;

	CHECK_INT(openpty(&m, &s, name, NULL, NULL), 0);
	snprintf(link, sizeof(link), "%s/adapter2", dir);
	CHECK_INT(symlink(name, link), 0);
	snprintf(prog, sizeof(prog), "%s/relay.sh", dir);
	fd = open(prog, O_WRONLY | O_CREAT, 0600);
	close(fd);
	snprintf(power, sizeof(power), "power:\n  backend: command\n  on: [%s, on]\n"
	    "  off: [/bin/true]\n", prog);
	CHECK_INT(load_tty(link, power), 0);
	snprintf(want, sizeof(want), "%s:8: power.on %s: not executable by rigd (uid %ld)", file,
	    prog, (long)geteuid());
	/* root may execute a file with no x bit only when some x bit is set: none is. */
	CHECK_STR(probe_all(&rc), want);
	chmod(prog, 0700);
	CHECK_STR(probe_all(&rc), "");
	CHECK_INT(rc, 0);
	unlink(prog);
	unlink(link);
	close(s);
	close(m);
}

/* Both parts missing: each is said, console first (the order a boot meets them). */
static void
probe_says_every_missing_part(void)
{
	char want[900];
	int rc;

	CHECK_INT(load_tty("/dev/rig-test-none", "power:\n  backend: command\n"
	    "  on: [rig-test-no-pdu]\n  off: [rig-test-no-pdu]\n"), 0);
	snprintf(want, sizeof(want), "%s:5: console.path /dev/rig-test-none: no such device\n"
	    "%s:8: power.on rig-test-no-pdu: not found on PATH", file, file);
	CHECK_STR(probe_all(&rc), want);
	CHECK_INT(rc, -1);
}

static void
net_probe_takes_addresses_and_host_names_without_looking_them_up(void)
{
	static const char *const good[] = { "127.0.0.1", "::1", "console-server.lab.example",
		"ser2net", "10.0.0.254" };
	char text[600], want[700];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "name: desk\narch: arm64\nconsole:\n  kind: rfc2217\n"
		    "  host: \"%s\"\n  port: 7001\npower:\n  backend: manual\nboot:\n  method: local\n"
		    "ssh:\n  host: 10.0.0.2\n", good[i]);
		CHECK_INT(load(text), 0);
		CHECK_STR(probe_all(&rc), "");
	}
	CHECK_INT(load("name: desk\narch: arm64\nconsole:\n  kind: tcp\n  host: \"-bad_host\"\n"
	    "  port: 7001\npower:\n  backend: manual\nboot:\n  method: local\nssh:\n  host: x\n"), 0);
	snprintf(want, sizeof(want), "%s:5: console.host -bad_host: neither an address nor a host"
	    " name (port 7001 goes in console.port)", file);
	CHECK_STR(probe_all(&rc), want);
	CHECK_INT(rc, -1);
}

static void
qemu_probe_names_a_missing_binary_and_firmware(void)
{
	char text[900], want[900];
	int rc;

	snprintf(text, sizeof(text), "name: v\narch: amd64\nconsole:\n  kind: qemu\npower:\n"
	    "  backend: qemu\nboot:\n  method: qemu-kernel\n  kernel: linux-image-amd64\nqemu:\n"
	    "  binary: rig-test-no-qemu\n  machine: q35\n  net: e1000\n  serials: [console]\n");
	CHECK_INT(load(text), 0);
	snprintf(want, sizeof(want), "%s:11: qemu.binary rig-test-no-qemu: not found on PATH",
	    file);
	CHECK_STR(probe_all(&rc), want);
	/* sh stands for QEMU: on PATH everywhere; the firmware file named is not there. */
	snprintf(text, sizeof(text), "name: v\narch: amd64\nconsole:\n  kind: qemu\npower:\n"
	    "  backend: qemu\nboot:\n  method: qemu-kernel\n  kernel: linux-image-amd64\nqemu:\n"
	    "  binary: sh\n  machine: q35\n  net: e1000\n  serials: [console]\n"
	    "  args:\n    - -bios\n    - %s/u-boot.rom\n", dir);
	CHECK_INT(load(text), 0);
	snprintf(want, sizeof(want), "%s:17: qemu.args -bios %s/u-boot.rom: No such file or"
	    " directory", file, dir);
	CHECK_STR(probe_all(&rc), want);
	/* A bare name QEMU looks for in its own data directory: left to QEMU. */
	snprintf(text, sizeof(text), "name: v\narch: amd64\nconsole:\n  kind: qemu\npower:\n"
	    "  backend: qemu\nboot:\n  method: qemu-kernel\n  kernel: linux-image-amd64\nqemu:\n"
	    "  binary: sh\n  machine: q35\n  net: e1000\n  serials: [console]\n"
	    "  args: [-bios, bios-256k.bin]\n");
	CHECK_INT(load(text), 0);
	CHECK_STR(probe_all(&rc), "");
	CHECK_INT(rc, 0);
}

/* A probe that leaves out file:line (one written to the header's first words) gets its part's. */
static int
bare_probe(const struct board_conf *conf, char *why, size_t whylen)
{
	(void)conf;
	util_fmt(why, whylen, "boot.tftp-root /srv/tftp: no such directory");
	return -1;
}

static void
parts_probe_puts_a_bare_reason_at_the_parts_name_key(void)
{
	struct boot_ops bare = { .name = "bare", .probe = bare_probe };
	struct parts_ops ops = { 0 };
	struct conf_errors e = { 0 };
	char want[600];

	CHECK_INT(load_tty("/dev/null", manual), 0);
	ops.boot = &bare;
	CHECK_INT(parts_probe(&board, &ops, &e), -1);
	snprintf(want, sizeof(want), "%s:%d: boot.tftp-root /srv/tftp: no such directory", file,
	    board.parts[PART_BOOT].line);
	CHECK_INT(e.n, 1);
	if (e.n == 1)
		CHECK_STR(e.msg[0], want);
	conf_errors_free(&e);
}

static void
program_probe_finds_what_posix_spawnp_would(void)
{
	char what[256];

	CHECK_INT(probe_program("sh", what, sizeof(what)), 0);
	CHECK_INT(probe_program("/bin/sh", what, sizeof(what)), 0);
	CHECK_INT(probe_program("rig-test-nothing", what, sizeof(what)), -1);
	CHECK_STR(what, "not found on PATH");
	CHECK_INT(probe_program("/etc", what, sizeof(what)), -1);
	CHECK_STR(what, "not a program (not a regular file)");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(tty_probe_names_a_missing_node_at_its_line);
	RUN(tty_probe_says_a_dangling_by_id_link_is_an_unplugged_adapter);
	RUN(tty_probe_refuses_a_file_that_is_no_device);
	RUN(tty_probe_accepts_a_real_pty_through_a_link);
	RUN(tty_probe_says_permission_denied_with_the_nodes_mode_and_group);
	RUN(command_probe_names_a_program_not_on_path_at_its_line);
	RUN(command_probe_checks_a_path_is_an_executable_file);
	RUN(probe_says_every_missing_part);
	RUN(net_probe_takes_addresses_and_host_names_without_looking_them_up);
	RUN(qemu_probe_names_a_missing_binary_and_firmware);
	RUN(parts_probe_puts_a_bare_reason_at_the_parts_name_key);
	RUN(program_probe_finds_what_posix_spawnp_would);
	rmdir(dir);
	TEST_END();
}
