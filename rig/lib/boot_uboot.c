/* boot_uboot: the uboot-tftp boot method: the build's files staged for a TFTP server, U-Boot stopped at its prompt and told over the console to fetch and boot them. */
#include "boot.h"
#include "conf.h"
#include "image.h"
#include "partconf.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOOT_UBOOT_MAX_ENV	16
/* How much of the console a failed stage looks back at for U-Boot's words. */
#define BOOT_UBOOT_LOOKBACK	4096

static const char *const boot_uboot_cmds[] = { "booti", "bootz", "zboot", NULL };

/* boot: keys of this method, checked; everything typed at U-Boot is made of these. */
struct boot_uboot_conf {
	char	autoboot[128];	/* what U-Boot prints while it counts down to its autoboot */
	char	stop[16];	/* typed then: the key that stops it */
	char	prompt[32];	/* U-Boot's prompt */
	char	tftp_dir[256];	/* the board's folder under the TFTP server's root; rigd writes it */
	char	tftp_root[256];	/* the server's root: names asked are tftp_dir below it */
	char	server_ip[64];	/* serverip; "": U-Boot's own, or DHCP's */
	char	board_ip[64];	/* ipaddr; "" : dhcp */
	/*
	 * The board's network prefix length: with board_ip, the kernel's command line gets
	 * rig.ip=BOARD_IP/PREFIX (the rig's initramfs sets eth0 from it; without it the board's
	 * Linux would take the virtual boards' 10.0.2.15 and SSH could never reach it).
	 */
	int	board_prefix;
	char	dtb[128];	/* the device tree in the kernel package; "" : U-Boot's own */
	int	dtb_line;	/* where the board file names it (0: it does not) */
	char	command[8];	/* booti | bootz | zboot; "": the arch's (boot_uboot_command) */
	/* where each file goes: "0x..." or the name of a U-Boot variable holding the address */
	char	kernel_addr[40], initrd_addr[40], dtb_addr[40];
	char	kernel_says[64];	/* the kernel's first words on the console; "none": not checked */
	int	nenv;
	char	env_name[BOOT_UBOOT_MAX_ENV][32];	/* more variables set first (ethaddr) */
	char	env_value[BOOT_UBOOT_MAX_ENV][128];
	int64_t	autoboot_ms;	/* power-on to the autoboot line */
	int64_t	prompt_ms;	/* each command to its prompt (and the stop key to the first) */
	int64_t	tftp_ms;	/* each file's transfer */
	int64_t	kernel_ms;	/* the boot command to U-Boot's "Starting kernel", and on to kernel_says */
};
_Static_assert(sizeof(struct boot_uboot_conf) <= BOARD_PART_SETTINGS,
    "uboot-tftp settings do not fit struct board_part");

struct boot_uboot {
	const struct board_conf		*conf;		/* immutable */
	const struct boot_uboot_conf	*uc;		/* immutable: the board file's */
	struct boot_env			 env;		/* immutable */
	/* the board thread's own: the names U-Boot asks the server for, set by prepare */
	char	 kernel[300], initrd[300], dtb[300];
};

static void *
boot_uboot_create(const struct board_conf *conf, const struct boot_env *env, char *err,
    size_t errlen)
{
	struct boot_uboot *u = xcalloc(1, sizeof(*u));

	(void)err;
	(void)errlen;
	u->conf = conf;
	u->uc = PARTCONF_SETTINGS(conf, PART_BOOT);
	u->env = *env;
	return u;
}

/* Names U-Boot types and TFTP servers serve: no space, quote, '$' or ';' to misread. */
static int
boot_uboot_name_ok(const char *s)
{
	return s[0] != '\0' && s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-+/")] == '\0' && s[0] != '-';
}

/*
 * Copies src into dir as name, 0644 (TFTP servers run as their own user), through a temporary
 * file renamed over the old one: the server never serves half a file.
 */
static int
boot_uboot_stage(const char *src, const char *dir, const char *name, char *err, size_t errlen)
{
	char dst[PATH_MAX], tmp[PATH_MAX], buf[65536];
	struct stat sst, dst_st;
	int in, out, rc = -1;
	ssize_t n;

	util_fmt(dst, sizeof(dst), "%s/%s", dir, name);
	util_fmt(tmp, sizeof(tmp), "%s/.%s.rig-tmp", dir, name);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in == -1 || fstat(in, &sst) == -1) {
		util_fmt(err, errlen, "staging for TFTP: %s: %s", src, strerror(errno));
		if (in != -1)
			close(in);
		return -1;
	}
	/*
	 * Staged before from this very image (a copy carries the image's size and time): a
	 * recovery does not copy megabytes again. An image made anew has another time.
	 */
	if (stat(dst, &dst_st) == 0 && dst_st.st_size == sst.st_size &&
	    dst_st.st_mtim.tv_sec == sst.st_mtim.tv_sec &&
	    dst_st.st_mtim.tv_nsec == sst.st_mtim.tv_nsec && (dst_st.st_mode & 0777) == 0644) {
		close(in);
		return 0;
	}
	unlink(tmp);	/* left by a rigd that died while copying */
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out == -1) {
		util_fmt(err, errlen, "staging for TFTP: %s: %s", tmp, strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w == -1 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			off += w;
		}
	}
	if (n == 0 && fchmod(out, 0644) == 0 &&
	    futimens(out, (struct timespec[2]){ sst.st_atim, sst.st_mtim }) == 0 && fsync(out) == 0)
		rc = 0;
out:
	if (rc == -1)
		util_fmt(err, errlen, "staging for TFTP: %s: %s", tmp, strerror(errno));
	if (close(out) == -1 && rc == 0) {
		util_fmt(err, errlen, "staging for TFTP: %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	close(in);
	if (rc == 0 && rename(tmp, dst) == -1) {
		util_fmt(err, errlen, "staging for TFTP: %s: %s", dst, strerror(errno));
		rc = -1;
	}
	if (rc == -1)
		unlink(tmp);
	return rc;
}

/* What U-Boot asks the server for: the file's name below the server's root. */
static int
boot_uboot_stage_as(struct boot_uboot *u, const char *src, char *asked, size_t len, char *err,
    size_t errlen)
{
	const struct boot_uboot_conf *uc = u->uc;
	const char *name = strrchr(src, '/');
	const char *below = uc->tftp_dir + strlen(uc->tftp_root);

	name = name ? name + 1 : src;
	if (!boot_uboot_name_ok(name)) {
		util_fmt(err, errlen, "staging for TFTP: %s: a name U-Boot cannot be given", src);
		return -1;
	}
	if (boot_uboot_stage(src, uc->tftp_dir, name, err, errlen) == -1)
		return -1;
	while (*below == '/')
		below++;
	util_fmt(asked, len, "%s%s%s", below, *below ? "/" : "", name);
	return 0;
}

/* The build's image, as qemu-kernel makes it, then its files put where the TFTP server looks. */
static int
boot_uboot_prepare(void *self, const char *package, struct boot_image *img, char *err,
    size_t errlen)
{
	struct boot_uboot *u = self;

	if (package == NULL || !package[0])
		package = u->conf->kernel_package;
	if (!package[0]) {
		util_fmt(err, errlen, "no build to boot: boot.kernel is not given and no build was"
		    " asked for");
		return -1;
	}
	if (image_make(u->conf, &u->env, package, u->uc->dtb, img, err, errlen) == -1)
		return -1;
	/* The TFTP server runs as its own user: its folders are readable whatever rigd's umask. */
	if (util_mkdirs_mode(u->uc->tftp_dir, 0755) == -1) {
		util_fmt(err, errlen, "boot.tftp-dir %s: %s", u->uc->tftp_dir, strerror(errno));
		return -1;
	}
	u->dtb[0] = '\0';
	if (boot_uboot_stage_as(u, img->kernel, u->kernel, sizeof(u->kernel), err, errlen) == -1 ||
	    boot_uboot_stage_as(u, img->initrd, u->initrd, sizeof(u->initrd), err, errlen) == -1)
		return -1;
	if (img->dtb[0] && boot_uboot_stage_as(u, img->dtb, u->dtb, sizeof(u->dtb), err,
	    errlen) == -1)
		return -1;
	return 0;
}

/* A line of U-Boot's for a message: control characters dropped, trimmed, at most 160 bytes. */
static void
boot_uboot_clean(const char *s, size_t n, char *out, size_t len)
{
	size_t i, j = 0;

	while (n > 0 && (unsigned char)*s <= ' ') {
		s++;
		n--;
	}
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		n--;
	for (i = 0; i < n && j + 1 < len && j < 160; i++)
		if ((unsigned char)s[i] >= ' ' && s[i] != 0x7f)
			out[j++] = s[i];
	out[j] = '\0';
}

/*
 * The line of text that says what went wrong: the first naming an error, the words tried in
 * this order (U-Boot's "TFTP error: 'File not found'", "Error: Invalid Boot Flag", "Retry count
 * exceeded"), warnings last (x86 U-Boot warns about the e1000e's address on every transfer);
 * else the last line that is not blank.
 */
static void
boot_uboot_pick(const char *text, char *out, size_t len)
{
	static const char *const words[] = {
		"rror", "not found", "exceeded", "bort", "Bad ", "bad ", "nvalid", "Wrong",
		"wrong", "imeout", "ailed", NULL
	};
	const char *line, *last = NULL, *nl;
	size_t lastlen = 0;
	int i, warn;

	out[0] = '\0';
	for (warn = 0; warn < 2; warn++)
		for (i = 0; words[i]; i++)
			for (line = text; *line; line = nl + 1) {
				size_t n;
				char clean[200];

				nl = strpbrk(line, "\r\n");
				n = nl ? (size_t)(nl - line) : strlen(line);
				boot_uboot_clean(line, n, clean, sizeof(clean));
				if (clean[0] && (strncmp(clean, "Warning", 7) == 0) == warn &&
				    strstr(clean, words[i])) {
					util_strlcpy(out, clean, len);
					return;
				}
				if (nl == NULL)
					break;
			}
	for (line = text; *line; line = nl + 1) {
		size_t n;

		nl = strpbrk(line, "\r\n");
		n = nl ? (size_t)(nl - line) : strlen(line);
		if (strspn(line, " \t") < n) {
			last = line;
			lastlen = n;
		}
		if (nl == NULL)
			break;
	}
	if (last)
		boot_uboot_clean(last, lastlen, out, len);
}

/* The last line the console printed (looking back from now), for a stage that timed out. */
static void
boot_uboot_last(const struct boot_console *con, int64_t from, char *out, size_t len)
{
	char *t = con->text(con->arg, from, SIZE_MAX / 2);
	char *end = t + strlen(t);

	/* U-Boot's last words are near the end: BOOT_UBOOT_LOOKBACK bytes are plenty. */
	if (end - t > BOOT_UBOOT_LOOKBACK)
		memmove(t, end - BOOT_UBOOT_LOOKBACK, BOOT_UBOOT_LOOKBACK + 1);
	end = t + strlen(t);

	out[0] = '\0';
	while (end > t && out[0] == '\0') {
		char *start = end;

		while (start > t && start[-1] != '\n' && start[-1] != '\r')
			start--;
		boot_uboot_clean(start, (size_t)(end - start), out, len);
		end = start > t ? start - 1 : t;
	}
	free(t);
}

/* err for a stage that did not come: what it waited for and the console's last line. */
static int
boot_uboot_timeout(const struct boot_console *con, int64_t from, char *err, size_t errlen,
    const char *what)
{
	char last[200];

	boot_uboot_last(con, from, last, sizeof(last));
	if (last[0])
		util_fmt(err, errlen, "U-Boot: %s; last line: \"%s\"", what, last);
	else
		util_fmt(err, errlen, "U-Boot: %s; the console printed nothing", what);
	return -1;
}

/*
 * Types one command and waits for the prompt after it: its echo first (a character lost on the
 * line shows there, not as a strange error later), then the prompt. *out is what the command
 * printed (the caller frees). 0, or -1 with err quoting U-Boot.
 */
static int
boot_uboot_cmd(struct boot_uboot *u, const struct boot_console *con, int64_t *at,
    const char *cmd, int64_t timeout_ms, char **out, char *err, size_t errlen)
{
	const char *echo[] = { cmd, NULL }, *prompt[] = { u->uc->prompt, NULL };
	char line[600], what[700];
	int64_t start;

	*out = NULL;
	util_fmt(line, sizeof(line), "%s\n", cmd);
	if (con->write(con->arg, line, strlen(line)) == -1) {
		util_fmt(err, errlen, "U-Boot: %s: the console cannot be written", cmd);
		return -1;
	}
	if (con->expect(con->arg, echo, at, u->uc->prompt_ms) == -1) {
		char *t = con->text(con->arg, *at, BOOT_UBOOT_LOOKBACK), said[200];

		/* What came back instead: the first line after the prompt. */
		boot_uboot_clean(t, strcspn(t, "\r\n"), said, sizeof(said));
		free(t);
		util_fmt(err, errlen, "U-Boot: \"%s\" not echoed within %llds (characters lost on"
		    " the line?); it echoed \"%s\"", cmd, (long long)(u->uc->prompt_ms / 1000),
		    said);
		return -1;
	}
	start = *at;
	if (con->expect(con->arg, prompt, at, timeout_ms) == -1) {
		util_fmt(what, sizeof(what), "%s: no prompt within %llds", cmd,
		    (long long)(timeout_ms / 1000));
		return boot_uboot_timeout(con, start, err, errlen, what);
	}
	*out = con->text(con->arg, start, (size_t)(*at - start));
	return 0;
}

/* A command that prints nothing when it works (setenv): anything printed is its complaint. */
static int
boot_uboot_quiet(struct boot_uboot *u, const struct boot_console *con, int64_t *at,
    const char *cmd, char *err, size_t errlen)
{
	char *out, said[200];
	size_t n;

	if (boot_uboot_cmd(u, con, at, cmd, u->uc->prompt_ms, &out, err, errlen) == -1)
		return -1;
	n = strlen(out);
	out[n >= strlen(u->uc->prompt) ? n - strlen(u->uc->prompt) : 0] = '\0';
	boot_uboot_pick(out, said, sizeof(said));
	free(out);
	if (said[0]) {
		util_fmt(err, errlen, "U-Boot: %s: \"%s\"", cmd, said);
		return -1;
	}
	return 0;
}

/* One file over TFTP: done when U-Boot counts the bytes; else its own words. */
static int
boot_uboot_tftp(struct boot_uboot *u, const struct boot_console *con, int64_t *at,
    const char *addr, const char *name, char *err, size_t errlen)
{
	char cmd[400], *out, said[200];
	int ok;

	util_fmt(cmd, sizeof(cmd), "tftpboot %s %s", addr, name);
	if (boot_uboot_cmd(u, con, at, cmd, u->uc->tftp_ms, &out, err, errlen) == -1)
		return -1;
	ok = strstr(out, "Bytes transferred") != NULL;
	boot_uboot_pick(out, said, sizeof(said));
	free(out);
	if (!ok) {
		util_fmt(err, errlen, "U-Boot: %s: \"%s\"", cmd, said);
		return -1;
	}
	return 0;
}

/* The boot command: the board file's, else what the architecture's kernels are booted with. */
static const char *
boot_uboot_command(const struct board_conf *conf)
{
	const struct boot_uboot_conf *uc = PARTCONF_SETTINGS(conf, PART_BOOT);

	if (uc->command[0])
		return uc->command;
	return strcmp(conf->arch, "amd64") == 0 ? "zboot" : strcmp(conf->arch, "armhf") == 0 ?
	    "bootz" : "booti";
}

/* An address as typed: a number as it is, a variable's name as its value. */
static void
boot_uboot_addr(const char *a, char *out, size_t len)
{
	if (strncmp(a, "0x", 2) == 0)
		util_strlcpy(out, a, len);
	else
		util_fmt(out, len, "${%s}", a);
}

static int
boot_uboot_start(void *self, const struct boot_console *con, char *err, size_t errlen)
{
	struct boot_uboot *u = self;
	const struct boot_uboot_conf *uc = u->uc;
	const char *autoboot[] = { uc->autoboot, NULL }, *prompt[] = { uc->prompt, NULL };
	const char *started[] = { "Starting kernel", uc->prompt, NULL };
	const char *says[] = { uc->kernel_says, NULL };
	char cmd[800], what[300], ka[48], ia[48], da[48], said[200];
	char *out;
	int64_t at = 0, mark;
	int i, r;

	if (con->expect(con->arg, autoboot, &at, uc->autoboot_ms) == -1) {
		util_fmt(what, sizeof(what), "no autoboot line \"%s\" within %llds of power-on",
		    uc->autoboot, (long long)(uc->autoboot_ms / 1000));
		return boot_uboot_timeout(con, 0, err, errlen, what);
	}
	mark = at;
	if (con->write(con->arg, uc->stop, strlen(uc->stop)) == -1 ||
	    con->expect(con->arg, prompt, &at, uc->prompt_ms) == -1) {
		util_fmt(what, sizeof(what), "no prompt \"%s\" within %llds of the stop key",
		    uc->prompt, (long long)(uc->prompt_ms / 1000));
		return boot_uboot_timeout(con, mark, err, errlen, what);
	}
	for (i = 0; i < uc->nenv; i++) {
		util_fmt(cmd, sizeof(cmd), "setenv %s %s", uc->env_name[i], uc->env_value[i]);
		if (boot_uboot_quiet(u, con, &at, cmd, err, errlen) == -1)
			return -1;
	}
	/* Without one, the server is U-Boot's own serverip, or the one DHCP names. */
	util_fmt(cmd, sizeof(cmd), "setenv serverip %s", uc->server_ip);
	if (uc->server_ip[0] && boot_uboot_quiet(u, con, &at, cmd, err, errlen) == -1)
		return -1;
	if (uc->board_ip[0]) {
		util_fmt(cmd, sizeof(cmd), "setenv ipaddr %s", uc->board_ip);
		if (boot_uboot_quiet(u, con, &at, cmd, err, errlen) == -1)
			return -1;
	} else {
		/* An address from DHCP, and no file loaded because of it. */
		if (boot_uboot_quiet(u, con, &at, "setenv autoload no", err, errlen) == -1)
			return -1;
		if (boot_uboot_cmd(u, con, &at, "dhcp", uc->tftp_ms, &out, err, errlen) == -1)
			return -1;
		r = strstr(out, "DHCP client bound") != NULL;
		boot_uboot_pick(out, said, sizeof(said));
		free(out);
		if (!r) {
			util_fmt(err, errlen, "U-Boot: dhcp: \"%s\"", said);
			return -1;
		}
	}
	/* Single quotes: U-Boot expands nothing inside (the board file has none in append). */
	if (uc->board_ip[0] && strstr(u->conf->append, "rig.ip=") == NULL)
		util_fmt(cmd, sizeof(cmd), "setenv bootargs '%s%srig.ip=%s/%d'", u->conf->append,
		    u->conf->append[0] ? " " : "", uc->board_ip, uc->board_prefix);
	else
		util_fmt(cmd, sizeof(cmd), "setenv bootargs '%s'", u->conf->append);
	if (boot_uboot_quiet(u, con, &at, cmd, err, errlen) == -1)
		return -1;
	boot_uboot_addr(uc->kernel_addr, ka, sizeof(ka));
	boot_uboot_addr(uc->initrd_addr, ia, sizeof(ia));
	boot_uboot_addr(uc->dtb_addr, da, sizeof(da));
	/* The initrd last: ${filesize} is then its size, which the boot command needs. */
	if (boot_uboot_tftp(u, con, &at, ka, u->kernel, err, errlen) == -1)
		return -1;
	if (u->dtb[0] && boot_uboot_tftp(u, con, &at, da, u->dtb, err, errlen) == -1)
		return -1;
	if (boot_uboot_tftp(u, con, &at, ia, u->initrd, err, errlen) == -1)
		return -1;
	if (strcmp(boot_uboot_command(u->conf), "zboot") == 0)
		util_fmt(cmd, sizeof(cmd), "zboot %s 0 %s ${filesize}", ka, ia);
	else
		util_fmt(cmd, sizeof(cmd), "%s %s %s:${filesize} %s", boot_uboot_command(u->conf),
		    ka, ia,
		    u->dtb[0] ? da : "${fdtcontroladdr}");
	util_fmt(what, sizeof(what), "%s\n", cmd);
	if (con->write(con->arg, what, strlen(what)) == -1) {
		util_fmt(err, errlen, "U-Boot: %s: the console cannot be written", cmd);
		return -1;
	}
	mark = at;
	r = con->expect(con->arg, started, &at, uc->kernel_ms);
	if (r == -1) {
		util_fmt(what, sizeof(what), "%s: no \"Starting kernel\" within %llds", cmd,
		    (long long)(uc->kernel_ms / 1000));
		return boot_uboot_timeout(con, mark, err, errlen, what);
	}
	if (r == 1) {
		/* Back at the prompt: U-Boot refused the image. */
		char *after;

		out = con->text(con->arg, mark, (size_t)(at - mark));
		if (strlen(out) >= strlen(uc->prompt))
			out[strlen(out) - strlen(uc->prompt)] = '\0';
		/* What follows the command's echo is U-Boot's answer. */
		after = strstr(out, cmd);
		boot_uboot_pick(after ? after + strlen(cmd) : out, said, sizeof(said));
		free(out);
		util_fmt(err, errlen, "U-Boot: %s: \"%s\"", cmd, said);
		return -1;
	}
	if (strcmp(uc->kernel_says, "none") == 0)
		return 0;
	if (con->expect(con->arg, says, &at, uc->kernel_ms) == -1) {
		util_fmt(what, sizeof(what), "the kernel is silent: no \"%s\" within %llds of"
		    " \"Starting kernel\"", uc->kernel_says, (long long)(uc->kernel_ms / 1000));
		return boot_uboot_timeout(con, mark, err, errlen, what);
	}
	return 0;
}

/* The board's folder is there and rigd may write it (or make it, in a folder it may write). */
static int
boot_uboot_probe(const struct board_conf *conf, char *why, size_t whylen)
{
	const struct boot_uboot_conf *uc = PARTCONF_SETTINGS(conf, PART_BOOT);
	char parent[256], *slash;
	struct stat st;

	if (stat(uc->tftp_dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			util_fmt(why, whylen, "boot.tftp-dir %s: not a folder", uc->tftp_dir);
			return -1;
		}
		if (access(uc->tftp_dir, W_OK | X_OK) == -1) {
			util_fmt(why, whylen, "boot.tftp-dir %s: not writable by rigd: %s",
			    uc->tftp_dir, strerror(errno));
			return -1;
		}
		return 0;
	}
	util_strlcpy(parent, uc->tftp_dir, sizeof(parent));
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent)
		*slash = '\0';
	else
		util_strlcpy(parent, slash ? "/" : ".", sizeof(parent));
	if (access(parent, W_OK | X_OK) == -1) {
		util_fmt(why, whylen, "boot.tftp-dir %s: no such folder, and %s: %s", uc->tftp_dir,
		    parent, errno == ENOENT ? "no such folder (no TFTP root here)" :
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
boot_uboot_free(void *self)
{
	free(self);
}

static void
boot_uboot_defaults(void *settings)
{
	struct boot_uboot_conf *uc = settings;

	util_strlcpy(uc->autoboot, "Hit any key to stop autoboot", sizeof(uc->autoboot));
	util_strlcpy(uc->stop, " ", sizeof(uc->stop));
	util_strlcpy(uc->prompt, "=> ", sizeof(uc->prompt));
	util_strlcpy(uc->kernel_addr, "kernel_addr_r", sizeof(uc->kernel_addr));
	util_strlcpy(uc->initrd_addr, "ramdisk_addr_r", sizeof(uc->initrd_addr));
	util_strlcpy(uc->dtb_addr, "fdt_addr_r", sizeof(uc->dtb_addr));
	util_strlcpy(uc->kernel_says, "Linux version", sizeof(uc->kernel_says));
	uc->autoboot_ms = 60 * 1000;
	uc->prompt_ms = 10 * 1000;
	uc->tftp_ms = 60 * 1000;
	uc->kernel_ms = 30 * 1000;
	uc->board_prefix = 24;
}

/* A string key that goes to U-Boot typed: no control character, none of bad. */
static void
boot_uboot_text(struct yamlnode_ctx *c, const struct yamlnode *part, const char *key,
    int required, int empty_ok, const char *bad, char *dst, size_t size)
{
	const struct yamlnode *n = partconf_key(c, part, "boot", key, required);
	const char *s;

	partconf_str(c, part, "boot", key, 0, dst, size);
	if (n == NULL || n->kind != YAMLNODE_SCALAR || n->reported)
		return;
	if (!empty_ok && dst[0] == '\0') {
		yamlnode_error(c, n, "boot.%s: empty", key);
		return;
	}
	for (s = dst; *s; s++) {
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			yamlnode_error(c, n, "boot.%s: a control character"
			    " is not allowed (typed at U-Boot)", key);
		else if (bad && strchr(bad, *s))
			yamlnode_error(c, n, "boot.%s: \"%c\" is not allowed"
			    " (typed at U-Boot)", key, *s);
		else
			continue;
		dst[0] = '\0';
		return;
	}
}

static void
boot_uboot_ip(struct yamlnode_ctx *c, const struct yamlnode *part, const char *key,
    int required, char *dst, size_t size)
{
	const struct yamlnode *n = partconf_key(c, part, "boot", key, required);
	struct in_addr a;

	partconf_str(c, part, "boot", key, 0, dst, size);
	if (n == NULL || n->kind != YAMLNODE_SCALAR || n->reported)
		return;
	if (inet_pton(AF_INET, dst, &a) != 1) {
		yamlnode_error(c, n, "boot.%s: \"%s\" is not an IPv4"
		    " address (a.b.c.d)", key, n->value);
		dst[0] = '\0';
	}
}

/* An address key: 0x and hex digits, or a U-Boot variable's name. */
static void
boot_uboot_addr_key(struct yamlnode_ctx *c, const struct yamlnode *part, const char *key,
    char *dst, size_t size)
{
	const struct yamlnode *n = partconf_key(c, part, "boot", key, 0);
	const char *s = dst;
	int ok;

	partconf_str(c, part, "boot", key, 0, dst, size);
	if (n == NULL || n->kind != YAMLNODE_SCALAR || n->reported)
		return;
	if (strncmp(s, "0x", 2) == 0)
		ok = s[2] && s[2 + strspn(s + 2, "0123456789abcdefABCDEF")] == '\0';
	else
		ok = (s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
		    s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] ==
		    '\0';
	if (!ok)
		yamlnode_error(c, n, "boot.%s: \"%s\" is neither an address"
		    " (0x...) nor a U-Boot variable's name", key, n->value);
}

static void
boot_uboot_path(struct yamlnode_ctx *c, const struct yamlnode *part, const char *key,
    int required, char *dst, size_t size)
{
	const struct yamlnode *n = partconf_key(c, part, "boot", key, required);
	size_t len;

	partconf_str(c, part, "boot", key, 0, dst, size);
	if (n == NULL || n->kind != YAMLNODE_SCALAR || n->reported)
		return;
	for (len = 0; dst[len]; len++)
		if ((unsigned char)dst[len] <= ' ' || strchr("\"'\\$;", dst[len]))
			break;
	if (dst[0] == '\0' || dst[len] != '\0') {
		yamlnode_error(c, n, "boot.%s: \"%s\": a folder's path"
		    " without spaces, quotes, '\\', '$' or ';'", key, n->value);
		dst[0] = '\0';
		return;
	}
	len = strlen(dst);
	while (len > 1 && dst[len - 1] == '/')
		dst[--len] = '\0';
}

static void
boot_uboot_env(struct yamlnode_ctx *c, const struct yamlnode *part, struct boot_uboot_conf *uc)
{
	const struct yamlnode *n = partconf_key(c, part, "boot", "env", 0);
	int i;

	if (n == NULL)
		return;
	if (n->kind != YAMLNODE_MAP) {
		yamlnode_error(c, n, "boot.env: not a mapping of U-Boot"
		    " variables (name: value)");
		return;
	}
	if (n->n > BOOT_UBOOT_MAX_ENV) {
		yamlnode_error(c, n, "boot.env: more than %d variables",
		    BOOT_UBOOT_MAX_ENV);
		return;
	}
	for (i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->value, *v = n->items[i]->value;
		int line = n->items[i]->line;

		if (n->items[i]->kind != YAMLNODE_SCALAR) {
			conf_errors_add(c->errs, c->path, line, "boot.env.%s: not a string", k);
			continue;
		}
		if (!(k[0] == '_' || (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z')) ||
		    k[strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] ||
		    strlen(k) >= sizeof(uc->env_name[0])) {
			yamlnode_error(c, n->keys[i], "boot.env: \"%s\" is not"
			    " a U-Boot variable's name ([A-Za-z_][A-Za-z0-9_]*, at most %zu)", k,
			    sizeof(uc->env_name[0]) - 1);
			continue;
		}
		if (v[0] == '\0' || v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._:/,+=@-")] || strlen(v) >= sizeof(uc->env_value[0])) {
			conf_errors_add(c->errs, c->path, line, "boot.env.%s: \"%s\": letters, digits"
			    " and ._:/,+=@- only (typed at U-Boot unquoted), at most %zu", k, v,
			    sizeof(uc->env_value[0]) - 1);
			continue;
		}
		util_strlcpy(uc->env_name[uc->nenv], k, sizeof(uc->env_name[0]));
		util_strlcpy(uc->env_value[uc->nenv], v, sizeof(uc->env_value[0]));
		uc->nenv++;
	}
}

static void
boot_uboot_parse(struct yamlnode_ctx *c, const struct yamlnode *part, const struct yamlnode *own,
    void *settings)
{
	struct boot_uboot_conf *uc = settings;
	const struct yamlnode *n;
	char append[512];

	(void)own;
	boot_uboot_text(c, part, "autoboot", 0, 0, NULL, uc->autoboot, sizeof(uc->autoboot));
	/* The stop key may be a control character (Ctrl-C); only the line's end is refused. */
	n = partconf_key(c, part, "boot", "stop", 0);
	partconf_str(c, part, "boot", "stop", 0, uc->stop, sizeof(uc->stop));
	if (n != NULL && (uc->stop[0] == '\0' || strpbrk(uc->stop, "\r\n"))) {
		yamlnode_error(c, n, "boot.stop: %s", uc->stop[0] ?
		    "a line's end would start U-Boot's boot command" : "empty");
		uc->stop[0] = ' ';
		uc->stop[1] = '\0';
	}
	boot_uboot_text(c, part, "prompt", 0, 0, NULL, uc->prompt, sizeof(uc->prompt));
	boot_uboot_path(c, part, "tftp-dir", 1, uc->tftp_dir, sizeof(uc->tftp_dir));
	util_strlcpy(uc->tftp_root, uc->tftp_dir, sizeof(uc->tftp_root));
	boot_uboot_path(c, part, "tftp-root", 0, uc->tftp_root, sizeof(uc->tftp_root));
	n = partconf_key(c, part, "boot", "tftp-root", 0);
	if (n != NULL && uc->tftp_root[0] && uc->tftp_dir[0]) {
		size_t rl = strlen(uc->tftp_root);

		if (strncmp(uc->tftp_dir, uc->tftp_root, rl) != 0 ||
		    (uc->tftp_dir[rl] != '/' && uc->tftp_dir[rl] != '\0' &&
		    strcmp(uc->tftp_root, "/") != 0))
			yamlnode_error(c, n, "boot.tftp-root %s: boot.tftp-dir"
			    " %s is not below it", uc->tftp_root, uc->tftp_dir);
	}
	boot_uboot_ip(c, part, "server-ip", 0, uc->server_ip, sizeof(uc->server_ip));
	boot_uboot_ip(c, part, "board-ip", 0, uc->board_ip, sizeof(uc->board_ip));
	partconf_int(c, part, "boot", "board-prefix", 0, 1, 32, &uc->board_prefix);
	boot_uboot_text(c, part, "dtb", 0, 1, " \"'\\$;", uc->dtb, sizeof(uc->dtb));
	if (uc->dtb[0] != '\0')
		partconf_form(c, yamlnode_get(part, "dtb"), "boot.dtb", uc->dtb, CONF_FORM_RELPATH);
	if ((n = partconf_key(c, part, "boot", "dtb", 0)) != NULL)
		uc->dtb_line = n->line;
	partconf_word(c, part, "boot", "command", 0, boot_uboot_cmds, uc->command,
	    sizeof(uc->command));
	boot_uboot_addr_key(c, part, "kernel-addr", uc->kernel_addr, sizeof(uc->kernel_addr));
	boot_uboot_addr_key(c, part, "initrd-addr", uc->initrd_addr, sizeof(uc->initrd_addr));
	boot_uboot_addr_key(c, part, "dtb-addr", uc->dtb_addr, sizeof(uc->dtb_addr));
	boot_uboot_text(c, part, "kernel-says", 0, 0, NULL, uc->kernel_says,
	    sizeof(uc->kernel_says));
	boot_uboot_env(c, part, uc);
	partconf_duration(c, part, "boot", "autoboot-timeout", 0, &uc->autoboot_ms);
	partconf_duration(c, part, "boot", "prompt-timeout", 0, &uc->prompt_ms);
	partconf_duration(c, part, "boot", "tftp-timeout", 0, &uc->tftp_ms);
	partconf_duration(c, part, "boot", "kernel-timeout", 0, &uc->kernel_ms);
	/* append (read by board_conf.c) is typed inside single quotes: none in it. */
	boot_uboot_text(c, part, "append", 0, 1, "'", append, sizeof(append));
}

static void
boot_uboot_print(const void *settings, FILE *out)
{
	const struct boot_uboot_conf *uc = settings;
	int i;

	partconf_print_str(out, "  ", "autoboot", uc->autoboot);
	partconf_print_str(out, "  ", "stop", uc->stop);
	partconf_print_str(out, "  ", "prompt", uc->prompt);
	partconf_print_str(out, "  ", "tftp-dir", uc->tftp_dir);
	partconf_print_str(out, "  ", "tftp-root", uc->tftp_root);
	partconf_print_str(out, "  ", "server-ip", uc->server_ip);
	partconf_print_str(out, "  ", "board-ip", uc->board_ip);
	fprintf(out, "  board-prefix: %d\n", uc->board_prefix);
	partconf_print_str(out, "  ", "dtb", uc->dtb);
	partconf_print_str(out, "  ", "command", uc->command);
	partconf_print_str(out, "  ", "kernel-addr", uc->kernel_addr);
	partconf_print_str(out, "  ", "initrd-addr", uc->initrd_addr);
	partconf_print_str(out, "  ", "dtb-addr", uc->dtb_addr);
	partconf_print_str(out, "  ", "kernel-says", uc->kernel_says);
	if (uc->nenv > 0) {
		fputs("  env:\n", out);
		for (i = 0; i < uc->nenv; i++) {
			fprintf(out, "    %s: ", uc->env_name[i]);
			conf_print_quoted(out, uc->env_value[i]);
			fputc('\n', out);
		}
	}
	fprintf(out, "  autoboot-timeout: %lldms\n", (long long)uc->autoboot_ms);
	fprintf(out, "  prompt-timeout: %lldms\n", (long long)uc->prompt_ms);
	fprintf(out, "  tftp-timeout: %lldms\n", (long long)uc->tftp_ms);
	fprintf(out, "  kernel-timeout: %lldms\n", (long long)uc->kernel_ms);
}

static const char *const boot_uboot_boot_keys[] = {
	"autoboot", "stop", "prompt", "tftp-dir", "tftp-root", "server-ip", "board-ip",
	"board-prefix", "dtb",
	"command", "kernel-addr", "initrd-addr", "dtb-addr", "kernel-says", "env",
	"autoboot-timeout", "prompt-timeout", "tftp-timeout", "kernel-timeout", NULL
};

static const struct part_keys boot_uboot_keys = {
	.keys = boot_uboot_boot_keys,
	.defaults = boot_uboot_defaults,
	.parse = boot_uboot_parse,
	.print = boot_uboot_print,
};


const char *
boot_uboot_board_dtb(const struct board_conf *conf, int *line)
{
	const struct boot_uboot_conf *uc;

	if (strcmp(conf->parts[PART_BOOT].name, "uboot-tftp") != 0 || !conf->parts[PART_BOOT].built)
		return NULL;
	uc = PARTCONF_SETTINGS(conf, PART_BOOT);
	if (uc->dtb[0] == '\0')
		return NULL;
	if (line)
		*line = uc->dtb_line;
	return uc->dtb;
}

const struct boot_ops boot_uboot_ops = {
	.name = "uboot-tftp",
	.keys = &boot_uboot_keys,
	.uboot = 1,
	.create = boot_uboot_create,
	.prepare = boot_uboot_prepare,
	.start = boot_uboot_start,
	.probe = boot_uboot_probe,
	.free = boot_uboot_free,
};
