/* image: a board's kernel, initramfs and device tree made from a Debian package by firmware/mkimage (used by the qemu-kernel and uboot-tftp boot parts). */
#include "image.h"
#include "boot.h"
#include "conf.h"
#include "log.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads the KEY=VALUE lines of the image.env mkimage wrote. */
static int
image_read(const char *path, struct boot_image *img, char *err, size_t errlen)
{
	static const struct {
		const char	*key;
		size_t		 off, size;
	} fields[] = {
#define IMAGE_FIELD(k, f) { k, offsetof(struct boot_image, f), sizeof(((struct boot_image *)0)->f) }
		IMAGE_FIELD("KERNEL", kernel),
		IMAGE_FIELD("INITRD", initrd),
		IMAGE_FIELD("DTB", dtb),
		IMAGE_FIELD("SHA256", sha256),
		IMAGE_FIELD("CONFIG_SHA256", config_sha256),
		IMAGE_FIELD("PACKAGE", package),
		IMAGE_FIELD("PACKAGE_VERSION", package_version),
#undef IMAGE_FIELD
	};
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t i;

	if (f == NULL) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	memset(img, 0, sizeof(*img));
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (eq == NULL)
			continue;
		*eq = '\0';
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(line, fields[i].key) == 0)
				util_strlcpy((char *)img + fields[i].off, eq + 1, fields[i].size);
	}
	fclose(f);
	if (!img->kernel[0] || !img->initrd[0]) {
		util_fmt(err, errlen, "%s: no KERNEL or INITRD", path);
		return -1;
	}
	return 0;
}

/* Adds n bytes of mkimage's stderr: *elast gets each whole line that is not blank. */
static void
image_err_keep(char *ebuf, size_t esize, size_t *ehave, char *elast, size_t elastlen,
    const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] == '\n') {
			ebuf[*ehave] = '\0';
			if (*ehave > 0)
				util_strlcpy(elast, ebuf, elastlen);
			*ehave = 0;
		} else if (*ehave + 1 < esize) {
			ebuf[(*ehave)++] = b[i];
		}
	}
}

int
image_make(const struct board_conf *c, const struct boot_env *env, const char *package,
    const char *dtb, struct boot_image *img, char *err, size_t errlen)
{
	char prog[600], key[640], out[600], buf[1024], last[600] = "", hostkey[640];
	char *argv[22];
	posix_spawn_file_actions_t fa;
	char ebuf[512], elast[512] = "";
	int fds[2], efds[2], n = 0, st, rc, out_open = 1;
	size_t have = 0, ehave = 0;
	ssize_t got;
	pid_t pid;

	util_fmt(prog, sizeof(prog), "%s/mkimage", env->firmwaredir);
	util_fmt(key, sizeof(key), "%s.pub", env->keyfile);
	util_fmt(out, sizeof(out), "%s/images/%s", env->statedir, c->name);
	/*
	 * The board's own SSH host key, made once and kept in the state folder (0600), goes into
	 * every image made for it: whatever it boots, the board shows the key the rig pinned.
	 */
	util_fmt(hostkey, sizeof(hostkey), "%s/hostkeys", env->statedir);
	if (util_mkdirs(hostkey) == -1) {
		util_fmt(err, errlen, "%s: %s", hostkey, strerror(errno));
		return -1;
	}
	util_fmt(hostkey, sizeof(hostkey), "%s/hostkeys/%s", env->statedir, c->name);
	if (remote_keygen(hostkey, err, errlen) == -1)
		return -1;
	argv[n++] = prog;
	argv[n++] = "--arch";
	argv[n++] = (char *)c->arch;
	argv[n++] = "--kernel";
	argv[n++] = (char *)package;
	argv[n++] = "--modules";
	argv[n++] = (char *)c->modules;
	argv[n++] = "--key";
	argv[n++] = key;
	argv[n++] = "--cache";
	argv[n++] = (char *)env->cachedir;
	argv[n++] = "--out";
	argv[n++] = out;
	argv[n++] = "--host-key";
	argv[n++] = hostkey;
	if (dtb[0]) {
		argv[n++] = "--dtb";
		argv[n++] = (char *)dtb;
	}
	argv[n] = NULL;
	log_debug("%s: %s --kernel %s --out %s", c->name, prog, package, out);
	if (pipe2(fds, O_CLOEXEC) == -1) {
		util_fmt(err, errlen, "mkimage: pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(efds, O_CLOEXEC) == -1) {
		util_fmt(err, errlen, "mkimage: pipe: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	/*
	 * stdout is the answer; stderr (progress) is passed on to rigd's, its last line kept for a
	 * failure's message; nothing else of rigd's goes along.
	 */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, efds[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	close(efds[1]);
	if (rc != 0) {
		close(fds[0]);
		close(efds[0]);
		util_fmt(err, errlen, "%s: %s", prog, strerror(rc));
		return -1;
	}
	/* The last line is image.env's path: keep the line being read and the last whole one. */
	for (;;) {
		struct pollfd pfd[2] = { { out_open ? fds[0] : -1, POLLIN, 0 },
		    { efds[0], POLLIN, 0 } };
		char *nl;

		if (!out_open && efds[0] == -1)
			break;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents) {
			char eb[512];
			ssize_t en = read(efds[0], eb, sizeof(eb));

			if (en <= 0) {
				if (en == -1 && errno == EINTR)
					continue;
				close(efds[0]);
				efds[0] = -1;
			} else {
				image_err_keep(ebuf, sizeof(ebuf), &ehave, elast, sizeof(elast), eb,
				    (size_t)en);
				/* rigd's log keeps mkimage's progress, as when it wrote there; a
				 * log that cannot be written loses only that. */
				ssize_t w = write(2, eb, (size_t)en);

				(void)w;
			}
		}
		if (!pfd[0].revents)
			continue;
		got = read(fds[0], buf + have, sizeof(buf) - 1 - have);
		if (got == 0 || (got == -1 && errno != EINTR)) {
			out_open = 0;
			continue;
		}
		if (got == -1)
			continue;
		have += (size_t)got;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (buf[0])
				util_strlcpy(last, buf, sizeof(last));
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0;	/* a line longer than any path: not the answer */
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (have > 0) {
		buf[have] = '\0';
		util_strlcpy(last, buf, sizeof(last));
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || last[0] == '\0') {
		if (ehave > 0) {
			ebuf[ehave] = '\0';
			util_strlcpy(elast, ebuf, sizeof(elast));
		}
		/* mkimage's last words say what was missing (a package, a module, a dtb). */
		util_fmt(err, errlen, "image for %s (%s) could not be built: %s", c->name, package,
		    elast[0] ? elast : "see rigd's log");
		return -1;
	}
	return image_read(last, img, err, errlen);
}
