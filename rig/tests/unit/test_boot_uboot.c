/*
 * test_boot_uboot: the uboot-tftp boot part through boot.h: its files staged by a real mkimage
 * stand-in (a program run as an argument vector), and each U-Boot stage against a scripted
 * U-Boot that answers what is typed as Debian's x86 U-Boot does (its words copied from a vbench
 * boot log). The real U-Boot under QEMU is rig/tests/integration/65-vbench.sh.
 */
#include "boot.h"
#include "conf.h"
#include "parts.h"
#include "util.h"
#include "test.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_boot_uboot.XXXXXX";
static struct board_conf board;		/* the part points into it: lives as long as the part */

/* The scripted U-Boot: its console so far, and how it answers. */
enum tftp_answer { TFTP_OK, TFTP_NOT_FOUND, TFTP_SILENT };
static struct {
	char		 log[16384];
	size_t		 len;
	enum tftp_answer tftp;
	int		 drop_echo;	/* a character of bootargs lost on the line */
	int		 kernel_silent;	/* "Starting kernel ..." and nothing after */
	char		 typed[16][256];	/* the command lines, in order */
	int		 ntyped;
} ub;

static const char *
in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static void
ub_say(const char *s)
{
	size_t n = strlen(s);

	if (ub.len + n < sizeof(ub.log)) {
		memcpy(ub.log + ub.len, s, n + 1);
		ub.len += n;
	}
}

static void
ub_reset(void)
{
	memset(&ub, 0, sizeof(ub));
	ub_say("\r\n\r\nU-Boot 2023.01+dfsg-2+deb12u3\r\n\r\nNet:   e1000: 00:00:00:00:00:00\r\n"
	    "Hit any key to stop autoboot:  2 ");
}

/* U-Boot reads a line, echoes it, answers. */
static int
ub_write(void *arg, const char *s, size_t len)
{
	char line[256];

	(void)arg;
	if (len == 1 && s[0] == ' ') {
		ub_say("\b\b\b 0 \r\n=> ");
		return 0;
	}
	if (len == 0 || len >= sizeof(line) || s[len - 1] != '\n')
		return -1;
	memcpy(line, s, len - 1);
	line[len - 1] = '\0';
	if (ub.ntyped < 16)
		util_strlcpy(ub.typed[ub.ntyped++], line, sizeof(ub.typed[0]));
	if (ub.drop_echo && strncmp(line, "setenv bootargs", 15) == 0) {
		char lost[256];

		util_fmt(lost, sizeof(lost), "%.10s%s", line, line + 11);
		ub_say(lost);
	} else
		ub_say(line);
	ub_say("\r\n");
	if (strncmp(line, "tftpboot ", 9) == 0) {
		ub_say("Using e1000#0 device\r\nWarning: e1000#0 failed to set MAC address\r\n"
		    "TFTP from server 10.0.2.2; our IP address is 10.0.2.15\r\nLoading: *");
		if (ub.tftp == TFTP_SILENT) {
			ub_say("T T T T T ");
			return 0;
		}
		if (ub.tftp == TFTP_NOT_FOUND)
			ub_say("\r\nTFTP error: 'File not found' (1)\r\nNot retrying...\r\n");
		else
			ub_say("###  7.9 MiB\r\ndone\r\nBytes transferred = 8247232 (7dd7c0 hex)\r\n");
	} else if (strncmp(line, "booti ", 6) == 0) {
		/* An arm64 U-Boot's words (R-Car's, with a device tree given). */
		ub_say("## Flattened Device Tree blob at 48000000\r\n   Booting using the fdt blob at"
		    " 0x48000000\r\n   Loading Device Tree to 000000007bf41000, end 000000007bf52fff"
		    " ... OK\r\n\r\nStarting kernel ...\r\n\r\n");
		if (!ub.kernel_silent)
			ub_say("[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x411fd073]\r\n"
			    "[    0.000000] Linux version 6.1.0-57-arm64 (debian-kernel@lists.debian.org)"
			    "\r\n");
		return 0;
	} else if (strncmp(line, "zboot ", 6) == 0) {
		ub_say("Valid Boot Flag\r\nMagic signature found\r\n\r\nStarting kernel ...\r\n\r\n");
		if (!ub.kernel_silent)
			ub_say("[    0.000000] Linux version 6.1.0-56-amd64\r\n");
		return 0;
	} else if (strcmp(line, "dhcp") == 0) {
		ub_say("BOOTP broadcast 1\r\nDHCP client bound to address 10.0.2.15 (2 ms)\r\n");
	}
	ub_say("=> ");
	return 0;
}

/* Everything was said at once: what is not there now never comes (a timeout, at once). */
static int
ub_expect(void *arg, const char *const *texts, int64_t *from, int64_t timeout_ms)
{
	const char *best = NULL;
	int i, which = -1;

	(void)arg;
	(void)timeout_ms;
	for (i = 0; texts[i]; i++) {
		const char *hit = strstr(ub.log + *from, texts[i]);

		if (hit && (best == NULL || hit + strlen(texts[i]) < best + strlen(texts[which]))) {
			best = hit;
			which = i;
		}
	}
	if (best == NULL)
		return -1;
	*from = (int64_t)(best - ub.log) + (int64_t)strlen(texts[which]);
	return which;
}

static char *
ub_text(void *arg, int64_t from, size_t max)
{
	size_t n = ub.len - (size_t)from;
	char *s;

	(void)arg;
	if (n > max)
		n = max;
	s = xmalloc(n + 1);
	memcpy(s, ub.log + from, n);
	s[n] = '\0';
	return s;
}

static const struct boot_console ub_con = { NULL, ub_write, ub_expect, ub_text };

/*
 * mkimage as the boot part runs it: checks its arguments came as separate words, writes the
 * image's files and image.env, and prints image.env's path last.
 */
static void
write_mkimage(void)
{
	char path[256];
	FILE *f = fopen(in_dir(path, sizeof(path), "mkimage"), "w");

	if (f == NULL)
		return;
	fprintf(f, "#!/bin/sh\n"
	    "[ \"$1 $2 $3 $4 $5\" = '--arch amd64 --kernel linux-image-6.1.0-56-amd64 --modules' ] || exit 1\n"
	    "[ \"$6\" = 'i2c-i801 e1000e' ] || exit 1\n"
	    "out=%s/images/vb\nmkdir -p \"$out\"\n"
	    "echo kernel > \"$out/vmlinuz\"\necho initrd > \"$out/initrd.gz\"\n"
	    "printf 'KERNEL=%%s\\nINITRD=%%s\\nDTB=\\nSHA256=abc\\nPACKAGE=linux-image-6.1.0-56-amd64\\n'"
	    " \"$out/vmlinuz\" \"$out/initrd.gz\" > \"$out/image.env\"\n"
	    "echo \"$out/image.env\"\n", dir);
	fclose(f);
	chmod(path, 0700);
}

/* A vbench-like board: boot lines are its extra boot: keys. */
static struct boot *
uboot_board(const char *lines)
{
	struct conf_errors e = { 0 };
	struct boot_env env = { dir, dir, dir, "/nonexistent/key" };
	char path[256], err[256];
	struct boot *b;
	FILE *f = fopen(in_dir(path, sizeof(path), "board.yaml"), "w");

	if (f == NULL)
		return NULL;
	fprintf(f, "name: vb\narch: amd64\nconsole: { kind: tty, path: /dev/ttyUSB0 }\n"
	    "power: { backend: command, on: [pdu, \"on\"], off: [pdu, \"off\"] }\n"
	    "boot:\n  method: uboot-tftp\n  kernel: linux-image-6.1.0-56-amd64\n"
	    "  modules: [i2c-i801, e1000e]\n  append: console=ttyS0,115200 panic=-1\n"
	    "  tftp-dir: %s/tftp/vb\n  kernel-addr: \"0x1000000\"\n  initrd-addr: \"0x4000000\"\n"
	    "%sssh: { host: 127.0.0.1, port: 2222 }\n", dir, lines);
	fclose(f);
	if (board_conf_load(path, &board, &e) == -1) {
		conf_errors_print(&e, stderr);
		conf_errors_free(&e);
		return NULL;
	}
	b = boot_new(boot_method_find("uboot-tftp"), &board, &env, err, sizeof(err));
	if (b == NULL)
		fprintf(stderr, "boot_new: %s\n", err);
	return b;
}

/* Prepares b (mkimage, staging) and runs its start against the scripted U-Boot. */
static int
boot_through(struct boot *b, char *err, size_t errlen)
{
	struct boot_image img;

	if (boot_prepare(b, "", &img, err, errlen) == -1)
		return -1;
	return boot_start(b, &ub_con, err, errlen);
}

static void
files_are_staged_0644_whole_and_commands_typed_in_order(void)
{
	char err[512], path[256], buf[64];
	struct boot *b;
	struct stat st;
	FILE *f;

	ub_reset();
	b = uboot_board("  server-ip: 10.0.2.2\n  board-ip: 10.0.2.15\n"
	    "  env: { ethaddr: \"52:54:00:12:34:56\" }\n");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), 0);
	CHECK_INT(ub.ntyped, 7);
	CHECK_STR(ub.typed[0], "setenv ethaddr 52:54:00:12:34:56");
	CHECK_STR(ub.typed[1], "setenv serverip 10.0.2.2");
	CHECK_STR(ub.typed[2], "setenv ipaddr 10.0.2.15");
	/* The board's Linux takes the same address (the rig's initramfs reads rig.ip). */
	CHECK_STR(ub.typed[3], "setenv bootargs 'console=ttyS0,115200 panic=-1 rig.ip=10.0.2.15/24'");
	CHECK_STR(ub.typed[4], "tftpboot 0x1000000 vmlinuz");
	/* The initrd last, so that ${filesize} is its size. */
	CHECK_STR(ub.typed[5], "tftpboot 0x4000000 initrd.gz");
	CHECK_STR(ub.typed[6], "zboot 0x1000000 0 0x4000000 ${filesize}");
	CHECK(stat(in_dir(path, sizeof(path), "tftp/vb/vmlinuz"), &st) == 0 &&
	    (st.st_mode & 07777) == 0644);
	f = fopen(path, "r");
	CHECK(f != NULL && fgets(buf, sizeof(buf), f) != NULL && strcmp(buf, "kernel\n") == 0);
	if (f)
		fclose(f);
	CHECK(stat(in_dir(path, sizeof(path), "tftp/vb/initrd.gz"), &st) == 0 &&
	    (st.st_mode & 07777) == 0644);
	/* No temporary file is left beside them. */
	CHECK(access(in_dir(path, sizeof(path), "tftp/vb/.vmlinuz.rig-tmp"), F_OK) == -1);
	boot_free(b);
}

/* board-prefix sets the length of the board's address; an append naming rig.ip wins. */
static void
board_ip_reaches_the_kernel_with_its_prefix(void)
{
	char err[512];
	struct boot *b;

	ub_reset();
	b = uboot_board("  board-ip: 192.168.10.21\n  board-prefix: 16\n");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), 0);
	CHECK_STR(ub.typed[1], "setenv bootargs 'console=ttyS0,115200 panic=-1 rig.ip=192.168.10.21/16'");
	boot_free(b);
}

static void
no_board_ip_asks_dhcp_without_loading_a_file(void)
{
	char err[512];
	struct boot *b;

	ub_reset();
	b = uboot_board("");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), 0);
	CHECK_STR(ub.typed[0], "setenv autoload no");
	CHECK_STR(ub.typed[1], "dhcp");
	CHECK_STR(ub.typed[2], "setenv bootargs 'console=ttyS0,115200 panic=-1'");
	boot_free(b);
}

static void
tftp_file_not_found_quotes_uboot_not_its_warning(void)
{
	char err[512], want[512];
	struct boot *b;

	ub_reset();
	ub.tftp = TFTP_NOT_FOUND;
	b = uboot_board("  tftp-root: /tmp\n");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), -1);
	/* Names are asked below the server's root; U-Boot's warning is not the reason. */
	util_fmt(want, sizeof(want), "U-Boot: tftpboot 0x1000000 %s/tftp/vb/vmlinuz: \"TFTP error:"
	    " 'File not found' (1)\"", dir + strlen("/tmp/"));
	CHECK_STR(err, want);
	boot_free(b);
}

static void
tftp_that_never_ends_quotes_the_last_line(void)
{
	char err[512];
	struct boot *b;

	ub_reset();
	ub.tftp = TFTP_SILENT;
	b = uboot_board("  tftp-timeout: 5s\n");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), -1);
	CHECK_STR(err, "U-Boot: tftpboot 0x1000000 vmlinuz: no prompt within 5s; last line:"
	    " \"Loading: *T T T T T\"");
	boot_free(b);
}

static void
a_character_lost_on_the_line_shows_in_the_echo(void)
{
	char err[512];
	struct boot *b;

	ub_reset();
	ub.drop_echo = 1;
	b = uboot_board("  board-ip: 10.0.2.15\n");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), -1);
	CHECK_STR(err, "U-Boot: \"setenv bootargs 'console=ttyS0,115200 panic=-1 rig.ip=10.0.2.15/24'\""
	    " not echoed within 10s (characters lost on the line?); it echoed \"setenv booargs"
	    " 'console=ttyS0,115200 panic=-1 rig.ip=10.0.2.15/24'\"");
	boot_free(b);
}

static void
no_autoboot_line_names_the_stage(void)
{
	char err[512];
	struct boot *b;

	ub_reset();
	b = uboot_board("  autoboot: \"Press SPACE\"\n  autoboot-timeout: 3s\n");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), -1);
	CHECK_STR(err, "U-Boot: no autoboot line \"Press SPACE\" within 3s of power-on; last line:"
	    " \"Hit any key to stop autoboot:  2\"");
	CHECK_INT(ub.ntyped, 0);
	boot_free(b);
}

static void
silent_kernel_after_starting_kernel_is_an_error(void)
{
	char err[512];
	struct boot *b;

	ub_reset();
	ub.kernel_silent = 1;
	b = uboot_board("  board-ip: 10.0.2.15\n  kernel-timeout: 7s\n");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_through(b, err, sizeof(err)), -1);
	CHECK_STR(err, "U-Boot: the kernel is silent: no \"Linux version\" within 7s of \"Starting"
	    " kernel\"; last line: \"Starting kernel ...\"");
	boot_free(b);
	/* kernel-says none: U-Boot's "Starting kernel" is enough. */
	ub_reset();
	ub.kernel_silent = 1;
	b = uboot_board("  board-ip: 10.0.2.15\n  kernel-says: none\n");
	CHECK(b != NULL && boot_through(b, err, sizeof(err)) == 0);
	boot_free(b);
}

static void
probe_says_whether_the_tftp_folder_can_be_written(void)
{
	const struct boot_ops *ops = boot_method_find("uboot-tftp");
	char why[512];
	struct boot *b;

	CHECK(ops != NULL && ops->probe != NULL);
	if (ops == NULL || ops->probe == NULL)
		return;
	/* The folder need not exist yet: rigd makes it in a parent it may write. */
	b = uboot_board("");
	CHECK_INT(ops->probe(&board, why, sizeof(why)), 0);
	boot_free(b);
	/* No TFTP root on this host. */
	{
		struct conf_errors e = { 0 };
		char path[256];
		FILE *f = fopen(in_dir(path, sizeof(path), "board.yaml"), "w");

		if (f == NULL)
			return;
		fputs("name: vb\narch: amd64\nconsole: { kind: tty, path: /dev/ttyUSB0 }\n"
		    "power: { backend: command, on: [pdu, \"on\"], off: [pdu, \"off\"] }\n"
		    "boot: { method: uboot-tftp, tftp-dir: /nonexistent/tftp/vb }\n"
		    "ssh: { host: 10.0.0.2 }\n", f);
		fclose(f);
		CHECK_INT(board_conf_load(path, &board, &e), 0);
		conf_errors_free(&e);
		CHECK_INT(ops->probe(&board, why, sizeof(why)), -1);
		CHECK_STR(why, "boot.tftp-dir /nonexistent/tftp/vb: no such folder, and"
		    " /nonexistent/tftp: no such folder (no TFTP root here)");
	}
}

/* Reads a whole small file into buf ("" when it cannot). */
static const char *
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * An R-Car lab build as firmware/rcar/build-kernel packs it (Image, config, dtbs/renesas/...),
 * booted by a salvator-xs-like board through the real firmware/mkimage: the board's boot.dtb
 * (renesas/r8a77951-salvator-xs.dtb) is found in the build's dtbs/, staged beside the Image, and
 * given to booti. mkimage fetches arm64 busybox and dropbear into RIG_CACHE the first time.
 */
static void
lab_build_dtb_is_staged_for_booti(void)
{
	struct conf_errors e = { 0 };
	struct boot_env env;
	struct boot_image img;
	struct boot *b;
	char lab[300], path[400], fw[400], cwd[256], err[1024], buf[64], key[300];
	const char *cache = getenv("RIG_CACHE");
	unsigned char image[4096] = { 0 };
	FILE *f;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		abort();
	snprintf(fw, sizeof(fw), "%s/firmware", cwd);
	snprintf(lab, sizeof(lab), "%s/lab/rcar-6.1", dir);
	snprintf(path, sizeof(path), "mkdir -p '%s/dtbs/renesas' '%s/tftp/sx'", lab, dir);
	CHECK_INT(system(path), 0);
	memcpy(image + 0x38, "ARM\x64", 4);
	snprintf(path, sizeof(path), "%s/Image", lab);
	if ((f = fopen(path, "wb")) != NULL) {
		fwrite(image, 1, sizeof(image), f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/config", lab);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("CONFIG_ARM64=y\nCONFIG_I2C_RCAR=y\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/dtbs/renesas/r8a77951-salvator-xs.dtb", lab);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("h3-tree\n", f);
		fclose(f);
	}
	in_dir(path, sizeof(path), "key.pub");
	if ((f = fopen(path, "w")) != NULL) {
		fputs("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq0 rig-test\n", f);
		fclose(f);
	}
	in_dir(path, sizeof(path), "sx.yaml");
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "name: sx\narch: arm64\nconsole: { kind: tty, path: /dev/ttyUSB0 }\n"
	    "power: { backend: command, on: [pdu, \"on\"], off: [pdu, \"off\"] }\n"
	    "boot:\n  method: uboot-tftp\n  append: console=ttySC0,115200 panic=-1\n"
	    "  tftp-dir: %s/tftp/sx\n  server-ip: 10.0.2.2\n  board-ip: 10.0.2.15\n"
	    "  dtb: renesas/r8a77951-salvator-xs.dtb\nssh: { host: 10.0.2.15, port: 22 }\n", dir);
	fclose(f);
	CHECK_INT(board_conf_load(path, &board, &e), 0);
	conf_errors_print(&e, stderr);
	conf_errors_free(&e);
	env.statedir = dir;
	env.firmwaredir = fw;
	env.cachedir = cache && cache[0] ? cache : "var/cache";
	env.keyfile = in_dir(key, sizeof(key), "key");
	b = boot_new(boot_method_find("uboot-tftp"), &board, &env, err, sizeof(err));
	CHECK(b != NULL);
	if (b == NULL)
		return;
	ub_reset();
	if (boot_prepare(b, lab, &img, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		boot_free(b);
		return;
	}
	CHECK_STR(img.package, "");
	CHECK(img.dtb[0] != '\0');
	/* The staged files are the build's own: its Image and the board's tree from dtbs/. */
	CHECK_STR(slurp(in_dir(path, sizeof(path), "tftp/sx/dtb"), buf, sizeof(buf)), "h3-tree\n");
	{
		struct stat st;

		CHECK(stat(in_dir(path, sizeof(path), "tftp/sx/vmlinuz"), &st) == 0 &&
		    st.st_size == (off_t)sizeof(image));
	}
	if (boot_start(b, &ub_con, err, sizeof(err)) != 0) {
		fprintf(stderr, "boot_start: %s\n", err);
		CHECK(0);
	}
	CHECK_INT(ub.ntyped, 7);
	CHECK_STR(ub.typed[3], "tftpboot ${kernel_addr_r} vmlinuz");
	CHECK_STR(ub.typed[4], "tftpboot ${fdt_addr_r} dtb");
	CHECK_STR(ub.typed[5], "tftpboot ${ramdisk_addr_r} initrd.gz");
	CHECK_STR(ub.typed[6], "booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdt_addr_r}");
	boot_free(b);

	/*
	 * The build changed in place, now without the tree the board names: not the cached image
	 * again, but a failure naming the build and, in mkimage's words, the tree and where it
	 * looked (`rigctl build add --board` catches it before any boot).
	 */
	snprintf(path, sizeof(path), "%s/dtbs/renesas/r8a77951-salvator-xs.dtb", lab);
	unlink(path);
	b = boot_new(boot_method_find("uboot-tftp"), &board, &env, err, sizeof(err));
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(boot_prepare(b, lab, &img, err, sizeof(err)), -1);
	CHECK(strstr(err, lab) != NULL);
	CHECK(strstr(err, "--dtb renesas/r8a77951-salvator-xs.dtb: not in the lab build") != NULL);
	boot_free(b);
	snprintf(path, sizeof(path), "rm -rf '%s/lab' '%s/tftp/sx' '%s/images/sx' '%s/key.pub'"
	    " '%s/sx.yaml'", dir, dir, dir, dir, dir);
	CHECK_INT(system(path), 0);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	write_mkimage();
	RUN(files_are_staged_0644_whole_and_commands_typed_in_order);
	RUN(no_board_ip_asks_dhcp_without_loading_a_file);
	RUN(board_ip_reaches_the_kernel_with_its_prefix);
	RUN(tftp_file_not_found_quotes_uboot_not_its_warning);
	RUN(tftp_that_never_ends_quotes_the_last_line);
	RUN(a_character_lost_on_the_line_shows_in_the_echo);
	RUN(no_autoboot_line_names_the_stage);
	RUN(silent_kernel_after_starting_kernel_is_an_error);
	RUN(probe_says_whether_the_tftp_folder_can_be_written);
	RUN(lab_build_dtb_is_staged_for_booti);
	{
		static const char *const files[] = { "tftp/vb/vmlinuz", "tftp/vb/initrd.gz",
		    "images/vb/vmlinuz", "images/vb/initrd.gz", "images/vb/image.env", "mkimage",
		    "board.yaml" };
		static const char *const dirs[] = { "tftp/vb", "tftp", "images/vb", "images" };
		char path[256];

		for (size_t i = 0; i < UTIL_NELEM(files); i++)
			unlink(in_dir(path, sizeof(path), files[i]));
		for (size_t i = 0; i < UTIL_NELEM(dirs); i++)
			rmdir(in_dir(path, sizeof(path), dirs[i]));
		rmdir(dir);
	}
	TEST_END();
}
