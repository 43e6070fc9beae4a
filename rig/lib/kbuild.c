/* kbuild: identifies a kernel build (image digest, release, options, dtbs, modules) in place. */
#include "kbuild.h"
#include "buildx.h"
#include "busy.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#define KBUILD_STATUS_LINE	512	/* a status line's room: apt's are under 200 bytes */

const char *const kbuild_option_names[KBUILD_NOPT] = {
	"DETECT_HUNG_TASK", "KASAN", "KFENCE", "DEBUG_KOBJECT_RELEASE", "SLUB_DEBUG",
	"PROVE_LOCKING",
};

/* SHA-256 of what f holds, from where it is; path names it in err. */
int
kbuild_sha256_stream(FILE *f, const char *path, char out[65], char *err, size_t errlen)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	size_t n;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		util_fmt(err, errlen, "%s: cannot start a SHA-256 digest", path);
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	/* Streamed: tarballs and images can be far larger than anything worth holding in memory. */
	ok = 1;
	while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, n) == 1;
	if (ferror(f) || !ok || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		util_fmt(err, errlen, "%s: read failed while digesting", path);
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int
kbuild_sha256_file(const char *path, char out[65], char *err, size_t errlen)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = kbuild_sha256_stream(f, path, out, err, errlen);
	fclose(f);
	return rc;
}

/*
 * A build's file for reading: path (links resolved, checked inside root, itself resolved) opened
 * below root without following any link, so a file swapped for a link to /etc/shadow after the
 * checks is refused, not read. NULL with a message naming it.
 */
static FILE *
kbuild_fopen_in(const char *root, const char *path, char *err, size_t errlen)
{
	size_t n = strlen(root);
	struct stat st;
	int rfd, fd = -1;
	FILE *f;

	if (strncmp(path, root, n) != 0 || path[n] != '/') {
		util_fmt(err, errlen, "%s: not inside the build (%s)", path, root);
		errno = EXDEV;
		return NULL;
	}
	if ((rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fd = buildx_open_beneath(rfd, path + n + 1, O_RDONLY, 0);
		close(rfd);
	}
	if (fd != -1 && (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd == -1 || (f = fdopen(fd, "rb")) == NULL) {
		util_fmt(err, errlen, "%s: %s", path, errno == ELOOP || errno == EXDEV ?
		    "reached through a symbolic link (not followed)" : errno == EINVAL ?
		    "not a file" : strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}

/* A line the program wrote on its status channel (fd 3), without its newline. */
typedef void (*kbuild_status_fn)(const char *line, void *arg);

/* The complete lines of buf[0, *len) to fn, the rest kept at its start for the next read. */
static void
kbuild_status_lines(char *buf, size_t *len, kbuild_status_fn fn, void *arg)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', *len - (size_t)(start - buf))) != NULL) {
		*nl = '\0';
		fn(start, arg);
		start = nl + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	/* A line longer than the buffer is no status line: dropped. */
	if (*len == KBUILD_STATUS_LINE - 1)
		*len = 0;
}

/*
 * Runs argv (no shell: names come from users) in cwd, stdout and stderr into out; with fn,
 * the lines it writes to fd 3 go to fn as they come (apt's APT::Status-Fd). Returns the exit
 * status, or -1 with a message when it could not run at all.
 */
static int
kbuild_exec_status(const char *const argv[], const char *cwd, char *out, size_t outlen,
    kbuild_status_fn fn, void *arg, char *err, size_t errlen)
{
	struct pollfd pf[2];
	size_t used = 0, slen = 0;
	int p[2], sp[2] = { -1, -1 }, st, open_n;
	ssize_t n;
	pid_t pid;
	char junk[4096], sbuf[KBUILD_STATUS_LINE];

	if (pipe(p) == -1) {
		util_fmt(err, errlen, "%s: pipe: %s", argv[0], strerror(errno));
		return -1;
	}
	if (fn && pipe(sp) == -1) {
		util_fmt(err, errlen, "%s: pipe: %s", argv[0], strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		util_fmt(err, errlen, "%s: fork: %s", argv[0], strerror(errno));
		close(p[0]);
		close(p[1]);
		if (fn) {
			close(sp[0]);
			close(sp[1]);
		}
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY), fds[4] = { p[0], p[1], sp[0], sp[1] }, i;

		if (nul >= 0)
			dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		/* After 1 and 2: p[1] may be 3 itself, and is copied by now. */
		if (fn && sp[1] != 3)
			dup2(sp[1], 3);
		/* The program keeps 0 to 2, and 3 when it has a status channel: nothing more. */
		for (i = 0; i < 4; i++)
			if (fds[i] > 2 && !(fn && fds[i] == 3))
				close(fds[i]);
		if (cwd && chdir(cwd) == -1)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	if (fn)
		close(sp[1]);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = fn ? sp[0] : -1, .events = POLLIN };
	open_n = fn ? 2 : 1;
	while (open_n > 0) {
		if (poll(pf, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].fd >= 0 && pf[1].revents) {
			n = read(sp[0], sbuf + slen, sizeof(sbuf) - 1 - slen);
			if (n > 0) {
				slen += (size_t)n;
				kbuild_status_lines(sbuf, &slen, fn, arg);
			} else if (n == 0 || errno != EINTR) {
				pf[1].fd = -1;
				open_n--;
			}
		}
		if (pf[0].fd >= 0 && pf[0].revents) {
			if (used + 1 < outlen)
				n = read(p[0], out + used, outlen - 1 - used);
			else
				n = read(p[0], junk, sizeof(junk));
			if (n > 0) {
				if (used + 1 < outlen)
					used += (size_t)n;
			} else if (n == 0 || errno != EINTR) {
				pf[0].fd = -1;
				open_n--;
			}
		}
	}
	if (outlen)
		out[used] = '\0';
	close(p[0]);
	if (fn)
		close(sp[0]);
	while (waitpid(pid, &st, 0) == -1) {
		if (errno != EINTR) {
			util_fmt(err, errlen, "%s: wait: %s", argv[0], strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		util_fmt(err, errlen, "%s: cannot run it (not installed?)", argv[0]);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
kbuild_exec(const char *const argv[], const char *cwd, char *out, size_t outlen, char *err,
    size_t errlen)
{
	return kbuild_exec_status(argv, cwd, out, outlen, NULL, NULL, err, errlen);
}

/* Last line of a command's output, for messages: that is where tools say what went wrong. */
static const char *
kbuild_last_line(char *out)
{
	char *e = out + strlen(out), *s;

	while (e > out && isspace((unsigned char)e[-1]))
		*--e = '\0';
	s = strrchr(out, '\n');
	return s ? s + 1 : out;
}

static int
kbuild_is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
kbuild_is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/*
 * The first (in name order, so the answer does not depend on the file system) entry of dir
 * matching pattern and being a file (want_dir 0) or a folder (1); its name in out. 0 found,
 * -1 none. *count (may be NULL) gets how many matched.
 */
static int
kbuild_find(const char *dir, const char *pattern, int want_dir, char *out, size_t outlen,
    int *count)
{
	char best[256] = "", path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (count)
		*count = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fnmatch(pattern, de->d_name, 0) != 0)
			continue;
		util_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (want_dir ? !kbuild_is_dir(path) : !kbuild_is_file(path))
			continue;
		n++;
		if (best[0] == '\0' || strcmp(de->d_name, best) < 0)
			util_strlcpy(best, de->d_name, sizeof(best));
	}
	closedir(d);
	if (count)
		*count = n;
	if (n == 0)
		return -1;
	util_strlcpy(out, best, outlen);
	return 0;
}

/* Whether dir holds a *.dtb within depth levels (arm64 trees keep them in vendor folders). */
static int
kbuild_has_dtb(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	int found = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		util_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (fnmatch("*.dtb", de->d_name, 0) == 0 && kbuild_is_file(path))
			found = 1;
		else if (depth > 0 && kbuild_is_dir(path))
			found = kbuild_has_dtb(path, depth - 1);
	}
	closedir(d);
	return found;
}

static void
kbuild_abs(const char *path, char *out, size_t outlen)
{
	char buf[PATH_MAX];

	if (realpath(path, buf) != NULL)
		util_strlcpy(out, buf, outlen);
	else
		util_strlcpy(out, path, outlen);
}

/*
 * Whether path (found under root) resolves inside root: a build is what is in its folder, and a
 * link out of it (a tarball may carry one; a folder's may change under a recorded digest) is
 * refused. 0 inside, -1 with a message naming the part and where it leads.
 */
static int
kbuild_inside(const char *root, const char *path, char *err, size_t errlen)
{
	char rroot[PATH_MAX], rpath[PATH_MAX];
	size_t n, rootlen = strlen(root);
	const char *rel = path;

	if (strncmp(path, root, rootlen) == 0 && path[rootlen] == '/')
		rel = path + rootlen + 1;
	if (realpath(root, rroot) == NULL || realpath(path, rpath) == NULL) {
		util_fmt(err, errlen, "%s: %s: %s", root, rel, strerror(errno));
		return -1;
	}
	n = strlen(rroot);
	if (strncmp(rpath, rroot, n) == 0 && (rpath[n] == '/' || rpath[n] == '\0'))
		return 0;
	util_fmt(err, errlen, "%s: %s is a symbolic link out of the build (to %s)", root, rel,
	    rpath);
	return -1;
}

/* Reads the six options and the digest of the config at path (in the build at root). */
static int
kbuild_read_config(struct kbuild *kb, const char *root, const char *path, char *err,
    size_t errlen)
{
	char line[512], *v;
	size_t i, n;
	FILE *f;

	kbuild_abs(path, kb->config, sizeof(kb->config));
	if ((f = kbuild_fopen_in(root, kb->config, err, errlen)) == NULL)
		return -1;
	if (kbuild_sha256_stream(f, kb->config, kb->config_sha256, err, errlen) == -1) {
		fclose(f);
		return -1;
	}
	rewind(f);
	memset(kb->opt, 0, sizeof(kb->opt));
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < KBUILD_NOPT; i++) {
			n = strlen(kbuild_option_names[i]);
			if (strncmp(line, "CONFIG_", 7) == 0 &&
			    strncmp(line + 7, kbuild_option_names[i], n) == 0 && line[7 + n] == '=') {
				v = line + 8 + n;
				kb->opt[i] = (*v == 'y' || *v == 'm' || *v == 'n') ? *v : 0;
			} else if (strncmp(line, "# CONFIG_", 9) == 0 &&
			    strncmp(line + 9, kbuild_option_names[i], n) == 0 &&
			    strncmp(line + 9 + n, " is not set", 11) == 0) {
				kb->opt[i] = 'n';
			}
		}
	}
	fclose(f);
	return 0;
}

/* What the config says the architecture is; "" when it does not say. */
static const char *
kbuild_config_arch(const char *root, const char *config)
{
	static const struct {
		const char *opt, *arch;
	} map[] = {
		{ "CONFIG_ARM64=y", "arm64" }, { "CONFIG_X86_64=y", "amd64" },
		{ "CONFIG_X86_32=y", "i386" }, { "CONFIG_ARM=y", "armhf" },
		{ "CONFIG_RISCV=y", "riscv64" },
	};
	const char *arch = "";
	char line[256], junk[256];
	size_t i;
	FILE *f;

	if (config[0] == '\0' || (f = kbuild_fopen_in(root, config, junk, sizeof(junk))) == NULL)
		return "";
	while (arch[0] == '\0' && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < UTIL_NELEM(map); i++)
			if (strcmp(line, map[i].opt) == 0)
				arch = map[i].arch;
	}
	fclose(f);
	return arch;
}

/*
 * What the image's own header says: the architecture (x86 boot protocol "HdrS", ARM zImage
 * magic, arm64 "ARM\x64") and, for x86, the version string the boot protocol points at (the
 * same text uname -r and /proc/version are built from). Unknown formats leave both empty.
 */
static void
kbuild_read_image(struct kbuild *kb, const char *root, char *arch, size_t archlen)
{
	unsigned char h[1024];
	char junk[256];
	size_t n, i;
	FILE *f;
	long off;

	arch[0] = '\0';
	kb->image_version[0] = '\0';
	if ((f = kbuild_fopen_in(root, kb->image, junk, sizeof(junk))) == NULL)
		return;
	n = fread(h, 1, sizeof(h), f);
	if (n >= 0x240 && memcmp(h + 0x202, "HdrS", 4) == 0) {
		/* xloadflags bit 0: the kernel has a 64-bit entry point. */
		util_strlcpy(arch, (h[0x236] & 1) ? "amd64" : "i386", archlen);
		off = (long)(h[0x20e] | h[0x20f] << 8);
		if (off != 0 && fseek(f, off + 0x200, SEEK_SET) == 0 &&
		    fgets(kb->image_version, sizeof(kb->image_version), f)) {
			for (i = 0; kb->image_version[i]; i++)
				if (!isprint((unsigned char)kb->image_version[i]))
					break;
			kb->image_version[i] = '\0';
		}
	} else if (n >= 0x40 && memcmp(h + 0x38, "ARM\x64", 4) == 0) {
		util_strlcpy(arch, "arm64", archlen);
	} else if (n >= 0x28 && h[0x24] == 0x18 && h[0x25] == 0x28 && h[0x26] == 0x6f &&
	    h[0x27] == 0x01) {
		util_strlcpy(arch, "armhf", archlen);
	}
	fclose(f);
}

/* Image names a lab build or a package leaves, in the order they are preferred. */
static const char *const kbuild_image_patterns[] = {
	"Image", "zImage", "bzImage", "vmlinuz-*", "vmlinuz", "uImage", "Image.gz",
};

static int
kbuild_find_image(const char *root, char *out, size_t outlen)
{
	char sub[PATH_MAX], name[256], archd[256];
	const char *dirs[2];
	size_t i, j;
	DIR *d;
	struct dirent *de;

	util_fmt(sub, sizeof(sub), "%s/boot", root);
	dirs[0] = root;
	dirs[1] = sub;
	for (j = 0; j < 2; j++)
		for (i = 0; i < UTIL_NELEM(kbuild_image_patterns); i++)
			if (kbuild_find(dirs[j], kbuild_image_patterns[i], 0, name,
			    sizeof(name), NULL) == 0) {
				util_fmt(out, outlen, "%s/%s", dirs[j], name);
				return 0;
			}
	/* A kernel build tree: arch/ARCH/boot/Image. */
	util_fmt(sub, sizeof(sub), "%s/arch", root);
	if ((d = opendir(sub)) == NULL)
		return -1;
	archd[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		char boot[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		util_fmt(boot, sizeof(boot), "%s/%s/boot", sub, de->d_name);
		for (i = 0; i < UTIL_NELEM(kbuild_image_patterns); i++)
			if (kbuild_find(boot, kbuild_image_patterns[i], 0, name, sizeof(name),
			    NULL) == 0) {
				util_fmt(out, outlen, "%s/%s", boot, name);
				util_strlcpy(archd, de->d_name, sizeof(archd));
				break;
			}
		if (archd[0])
			break;
	}
	closedir(d);
	return archd[0] ? 0 : -1;
}

static void
kbuild_chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* The release: lib/modules/<release>, a build tree's kernel.release, the image, file names. */
static int
kbuild_find_release(struct kbuild *kb, const char *root, const char *real, char *err,
    size_t errlen)
{
	char path[PATH_MAX], name[256];
	const char *base;
	int n;
	FILE *f;

	util_fmt(path, sizeof(path), "%s/lib/modules", root);
	if (kbuild_find(path, "*", 1, name, sizeof(name), &n) == 0) {
		if (n > 1) {
			util_fmt(err, errlen, "%s: %d kernel releases in lib/modules, expected one",
			    root, n);
			return -1;
		}
		util_strlcpy(kb->release, name, sizeof(kb->release));
		util_fmt(kb->modules_dir, sizeof(kb->modules_dir), "%s/%s", path, name);
		return 0;
	}
	util_fmt(path, sizeof(path), "%s/include/config/kernel.release", real);
	if ((f = kbuild_fopen_in(real, path, name, sizeof(name))) != NULL) {
		if (fgets(kb->release, sizeof(kb->release), f))
			kbuild_chomp(kb->release);
		fclose(f);
		if (kb->release[0])
			return 0;
	}
	if (kb->image_version[0]) {
		util_strlcpy(kb->release, kb->image_version, sizeof(kb->release));
		kb->release[strcspn(kb->release, " ")] = '\0';
		return 0;
	}
	base = strrchr(kb->image, '/');
	base = base ? base + 1 : kb->image;
	if (strncmp(base, "vmlinuz-", 8) == 0 && base[8]) {
		util_strlcpy(kb->release, base + 8, sizeof(kb->release));
		return 0;
	}
	if (kb->config[0] && (base = strrchr(kb->config, '/')) != NULL &&
	    strncmp(base + 1, "config-", 7) == 0 && base[8]) {
		util_strlcpy(kb->release, base + 8, sizeof(kb->release));
		return 0;
	}
	util_fmt(err, errlen, "%s: cannot tell the kernel release: no lib/modules/<release>/,"
	    " no include/config/kernel.release, no vmlinuz-<release> or config-<release>", root);
	return -1;
}

static int
kbuild_find_dtbs(struct kbuild *kb, const char *root, char *err, size_t errlen)
{
	char path[PATH_MAX];
	const char *cands[] = { "usr/lib/linux-image-%s", "boot/dtbs/%s", "boot/dtbs", "dtbs",
	    "dtb", "boot/dtb", "arch/arm64/boot/dts", "arch/arm/boot/dts", "." };
	size_t i;

	for (i = 0; i < UTIL_NELEM(cands); i++) {
		char rel[256];

		util_fmt(rel, sizeof(rel), cands[i], kb->release);
		util_fmt(path, sizeof(path), "%s/%s", root, rel);
		/* The root itself only counts with the trees beside the image, not anywhere below. */
		if (kbuild_has_dtb(path, strcmp(rel, ".") == 0 ? 0 : 3)) {
			if (strcmp(rel, ".") != 0 && kbuild_inside(root, path, err, errlen) == -1)
				return -1;
			kbuild_abs(path, kb->dtb_dir, sizeof(kb->dtb_dir));
			return 0;
		}
	}
	kb->dtb_dir[0] = '\0';
	return 0;
}

static int
kbuild_arch_settle(struct kbuild *kb, const char *real, const char *want, const char *where,
    char *err, size_t errlen)
{
	char seen[16];

	kbuild_read_image(kb, real, seen, sizeof(seen));
	if (seen[0] == '\0')
		util_strlcpy(seen, kbuild_config_arch(real, kb->config), sizeof(seen));
	if (want && want[0]) {
		/* An ARM image says ARM, not which Debian ABI; armel and armhf both run it. */
		if (seen[0] && strcmp(seen, want) != 0 &&
		    !(strcmp(seen, "armhf") == 0 && strcmp(want, "armel") == 0)) {
			util_fmt(err, errlen, "%s: the image is for %s, not %s", where, seen, want);
			return -1;
		}
		util_strlcpy(kb->arch, want, sizeof(kb->arch));
	} else if (seen[0]) {
		util_strlcpy(kb->arch, seen, sizeof(kb->arch));
	} else {
		util_fmt(err, errlen, "%s: cannot tell the architecture of %s (give one)", where,
		    kb->image);
		return -1;
	}
	return 0;
}

/* Fills what a folder says about itself; root is the folder with lib/, boot/ or the image. */
static int
kbuild_scan(struct kbuild *kb, const char *root, const char *arch, char *err, size_t errlen)
{
	char img[PATH_MAX], path[PATH_MAX], name[256], real[PATH_MAX];
	const char *cfgs[] = { "config-*", "config", ".config", "boot/config-*", "boot/config" };
	size_t i;
	FILE *f;

	/* Files are opened below the build's resolved folder, through no link (kbuild_fopen_in). */
	if (realpath(root, real) == NULL) {
		util_fmt(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	if (kbuild_find_image(root, img, sizeof(img)) == -1) {
		util_fmt(err, errlen, "%s: no kernel image (Image, zImage, bzImage, vmlinuz*, also"
		    " under boot/ or arch/ARCH/boot/)", root);
		return -1;
	}
	if (kbuild_inside(root, img, err, errlen) == -1)
		return -1;
	kbuild_abs(img, kb->image, sizeof(kb->image));
	if ((f = kbuild_fopen_in(real, kb->image, err, errlen)) == NULL)
		return -1;
	if (kbuild_sha256_stream(f, kb->image, kb->image_sha256, err, errlen) == -1) {
		fclose(f);
		return -1;
	}
	fclose(f);
	kb->config[0] = kb->config_sha256[0] = '\0';
	for (i = 0; i < UTIL_NELEM(cfgs); i++) {
		const char *slash = strrchr(cfgs[i], '/');
		char dir[PATH_MAX];

		if (slash)
			util_fmt(dir, sizeof(dir), "%s/%.*s", root, (int)(slash - cfgs[i]), cfgs[i]);
		else
			util_strlcpy(dir, root, sizeof(dir));
		if (kbuild_find(dir, slash ? slash + 1 : cfgs[i], 0, name, sizeof(name), NULL) == 0) {
			util_fmt(path, sizeof(path), "%s/%s", dir, name);
			if (kbuild_inside(root, path, err, errlen) == -1 ||
			    kbuild_read_config(kb, real, path, err, errlen) == -1)
				return -1;
			break;
		}
	}
	if (kbuild_arch_settle(kb, real, arch, root, err, errlen) == -1)
		return -1;
	kb->modules_dir[0] = '\0';
	if (kbuild_find_release(kb, root, real, err, errlen) == -1)
		return -1;
	if (kb->modules_dir[0]) {
		if (kbuild_inside(root, kb->modules_dir, err, errlen) == -1)
			return -1;
		kbuild_abs(kb->modules_dir, kb->modules_dir, sizeof(kb->modules_dir));
	}
	if (kbuild_find_dtbs(kb, root, err, errlen) == -1)
		return -1;
	if (kb->version[0] == '\0')
		util_strlcpy(kb->version, kb->image_version, sizeof(kb->version));
	return 0;
}

static void
kbuild_base_name(const char *path, char *out, size_t outlen)
{
	static const char *const exts[] = { ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz",
	    ".txz", ".tar", ".deb" };
	char buf[PATH_MAX];
	const char *b;
	size_t i, n;

	util_strlcpy(buf, path, sizeof(buf));
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	b = strrchr(buf, '/');
	util_strlcpy(out, b ? b + 1 : buf, outlen);
	n = strlen(out);
	for (i = 0; i < UTIL_NELEM(exts); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && strcmp(out + n - e, exts[i]) == 0) {
			out[n - e] = '\0';
			break;
		}
	}
}

int
kbuild_from_dir(struct kbuild *kb, const char *dir, const char *name, const char *arch,
    char *err, size_t errlen)
{
	char root[PATH_MAX], why[1024];

	memset(kb, 0, sizeof(*kb));
	if (!kbuild_is_dir(dir)) {
		util_fmt(err, errlen, "%s: not a folder", dir);
		return -1;
	}
	kbuild_abs(dir, root, sizeof(root));
	/* What rigd reads there must stay there: no link out, no special file anywhere. */
	if (buildx_check_dir(root, BUILDX_ENTRIES_MAX, 0, why, sizeof(why)) == -1) {
		util_fmt(err, errlen, "%s: %s", root, why);
		return -1;
	}
	if (kbuild_scan(kb, root, arch, err, errlen) == -1)
		return -1;
	if (name && name[0])
		util_strlcpy(kb->name, name, sizeof(kb->name));
	else
		kbuild_base_name(root, kb->name, sizeof(kb->name));
	util_fmt(kb->origin, sizeof(kb->origin), "dir:%s", root);
	return 0;
}

/* Holds CACHE/.lock, the lock firmware/mkimage takes while it fetches and unpacks. */
static int
kbuild_cache_lock(const char *cache, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	if (util_mkdirs(cache) == -1) {
		util_fmt(err, errlen, "%s: cannot create the cache: %s", cache, strerror(errno));
		return -1;
	}
	util_fmt(path, sizeof(path), "%s/.lock", cache);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			util_fmt(err, errlen, "%s: lock: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/*
 * Unpacks file once into CACHE/unpacked/<key>/ (marked by .unpacked, as mkimage does); lock held.
 * buildx unpacks it (no links, no special files, no setuid, 0640/0750, size limits) into
 * <key>.tmp, gone again on any failure, then renamed. *fresh: 1 when unpacked by this call (so a
 * build refused after can be taken out of the cache again).
 */
static int
kbuild_unpack(const char *cache, const char *key, enum buildx_kind kind, const char *file,
    char *out, size_t outlen, int *fresh, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX], mark[PATH_MAX], why[1024];
	int fd;

	*fresh = 0;
	util_fmt(dir, sizeof(dir), "%s/unpacked", cache);
	if (util_mkdirs(dir) == -1) {
		util_fmt(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	util_fmt(dir, sizeof(dir), "%s/unpacked/%s", cache, key);
	util_fmt(mark, sizeof(mark), "%s/.unpacked", dir);
	util_strlcpy(out, dir, outlen);
	/*
	 * Unpacked before: used as it is when it is what buildx leaves (no link, no setuid); one
	 * left by an older rig's tar is unpacked again, so its archive is checked after all.
	 */
	if (access(mark, F_OK) == 0 &&
	    buildx_check_dir(dir, BUILDX_ENTRIES_MAX, BUILDX_CHECK_UNPACKED, why, sizeof(why)) == 0)
		return 0;
	util_fmt(tmp, sizeof(tmp), "%s.tmp", dir);
	/* What an interrupted unpack left. */
	if (buildx_remove(dir) == -1 || buildx_remove(tmp) == -1) {
		util_fmt(err, errlen, "%s: cannot clear the old unpack: %s", dir, strerror(errno));
		return -1;
	}
	if (buildx_extract(file, kind, tmp, NULL, why, sizeof(why)) == -1) {
		util_fmt(err, errlen, "%s: %s", file, why);
		return -1;
	}
	util_fmt(mark, sizeof(mark), "%s/.unpacked", tmp);
	if ((fd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640)) == -1 ||
	    close(fd) == -1 || rename(tmp, dir) == -1) {
		util_fmt(err, errlen, "%s: %s", dir, strerror(errno));
		buildx_remove(tmp);
		return -1;
	}
	*fresh = 1;
	return 0;
}

/* One field of a .deb's control file. */
static int
kbuild_deb_field(const char *deb, const char *field, char *out, size_t outlen, char *err,
    size_t errlen)
{
	const char *argv[] = { "dpkg-deb", "-f", deb, field, NULL };
	char buf[1024];
	int rc;

	if ((rc = kbuild_exec(argv, NULL, buf, sizeof(buf), err, errlen)) != 0) {
		if (rc > 0)
			util_fmt(err, errlen, "%s: not a Debian package (dpkg-deb: %s)", deb,
			    kbuild_last_line(buf));
		return -1;
	}
	kbuild_chomp(buf);
	util_strlcpy(out, buf, outlen);
	return 0;
}

/* .deb already in CACHE/debs (or elsewhere): unpack, read the control fields, scan. */
static int
kbuild_deb_locked(struct kbuild *kb, const char *deb, const char *cache, char *err,
    size_t errlen)
{
	char key[PATH_MAX], root[PATH_MAX], debarch[16], abs[PATH_MAX], where[PATH_MAX];
	int fresh;

	kbuild_abs(deb, abs, sizeof(abs));
	if (kbuild_deb_field(abs, "Package", kb->package, sizeof(kb->package), err, errlen) == -1 ||
	    kbuild_deb_field(abs, "Version", kb->package_version, sizeof(kb->package_version),
	    err, errlen) == -1 ||
	    kbuild_deb_field(abs, "Architecture", debarch, sizeof(debarch), err, errlen) == -1)
		return -1;
	if (strncmp(kb->package, "linux-image-", 12) != 0) {
		util_fmt(err, errlen, "%s: package %s is not a kernel image (linux-image-*)", abs,
		    kb->package);
		return -1;
	}
	kbuild_base_name(abs, key, sizeof(key));
	/*
	 * A .deb in CACHE/debs is unpacked where mkimage unpacks it (its name carries package,
	 * version and arch); one from elsewhere is keyed by content too, names being reusable.
	 */
	util_fmt(where, sizeof(where), "%s/debs/%s.deb", cache, key);
	kbuild_abs(where, where, sizeof(where));
	if (strcmp(where, abs) != 0) {
		char sha[65];
		size_t n = strlen(key);

		if (kbuild_sha256_file(abs, sha, err, errlen) == -1)
			return -1;
		util_fmt(key + n, sizeof(key) - n, "-%.16s", sha);
	}
	if (kbuild_unpack(cache, key, BUILDX_DEB, abs, root, sizeof(root), &fresh, err,
	    errlen) == -1)
		return -1;
	util_strlcpy(kb->version, kb->package_version, sizeof(kb->version));
	util_fmt(where, sizeof(where), "%s (unpacked in %s)", abs, root);
	if (kbuild_scan(kb, root, debarch, err, errlen) == -1) {
		/* The scan names the unpacked folder; the user gave the .deb. */
		char inner[512];

		util_strlcpy(inner, err, sizeof(inner));
		util_fmt(err, errlen, "%s: %s", abs, inner);
		/* A refused package leaves the cache as it was. */
		if (fresh)
			buildx_remove(root);
		return -1;
	}
	if (kb->image_sha256[0] == '\0') {
		util_fmt(err, errlen, "%s: no kernel image", where);
		if (fresh)
			buildx_remove(root);
		return -1;
	}
	util_strlcpy(kb->name, kb->package, sizeof(kb->name));
	util_fmt(kb->origin, sizeof(kb->origin), "debian:%s=%s", kb->package, kb->package_version);
	return 0;
}

int
kbuild_from_deb(struct kbuild *kb, const char *deb, const char *cache, char *err,
    size_t errlen)
{
	int lock, rc;

	memset(kb, 0, sizeof(*kb));
	if (!kbuild_is_file(deb)) {
		util_fmt(err, errlen, "%s: no such file", deb);
		return -1;
	}
	if ((lock = kbuild_cache_lock(cache, err, errlen)) == -1)
		return -1;
	rc = kbuild_deb_locked(kb, deb, cache, err, errlen);
	close(lock);
	return rc;
}

int
kbuild_from_tarball(struct kbuild *kb, const char *tarball, const char *name,
    const char *arch, const char *cache, char *err, size_t errlen)
{
	char sha[65], base[256], key[PATH_MAX], dir[PATH_MAX], root[PATH_MAX], one[256];
	char abs[PATH_MAX];
	int lock, rc, n, m, fresh;

	memset(kb, 0, sizeof(*kb));
	if (!kbuild_is_file(tarball)) {
		util_fmt(err, errlen, "%s: no such file", tarball);
		return -1;
	}
	kbuild_abs(tarball, abs, sizeof(abs));
	/* Keyed by content: a rebuilt tarball under the same name is unpacked afresh. */
	if (kbuild_sha256_file(abs, sha, err, errlen) == -1)
		return -1;
	kbuild_base_name(abs, base, sizeof(base));
	util_fmt(key, sizeof(key), "%s-%.16s", base, sha);
	if ((lock = kbuild_cache_lock(cache, err, errlen)) == -1)
		return -1;
	/* The lock is held through the scan: a refused build is taken out before another looks. */
	rc = kbuild_unpack(cache, key, BUILDX_TAR, abs, dir, sizeof(dir), &fresh, err, errlen);
	if (rc == 0) {
		/* build-6.1/Image...: step into a lone top folder. */
		util_strlcpy(root, dir, sizeof(root));
		if (kbuild_find(dir, "*", 1, one, sizeof(one), &n) == 0 && n == 1 &&
		    (kbuild_find(dir, "*", 0, base, sizeof(base), &m) == -1 || m == 0) &&
		    strcmp(one, "lib") != 0 && strcmp(one, "boot") != 0)
			util_fmt(root, sizeof(root), "%s/%s", dir, one);
		if ((rc = kbuild_scan(kb, root, arch, err, errlen)) == -1) {
			char inner[512];

			util_strlcpy(inner, err, sizeof(inner));
			util_fmt(err, errlen, "%s: %s", abs, inner);
			if (fresh)
				buildx_remove(dir);
		}
	}
	close(lock);
	if (rc == -1)
		return -1;
	if (name && name[0])
		util_strlcpy(kb->name, name, sizeof(kb->name));
	else
		kbuild_base_name(abs, kb->name, sizeof(kb->name));
	util_fmt(kb->origin, sizeof(kb->origin), "tar:%s", abs);
	return 0;
}

/* apt's candidate version of pkg:arch, "" when apt does not know it (left the archive). */
static void
kbuild_apt_candidate(const char *spec, char *out, size_t outlen, uint64_t *size)
{
	const char *argv[] = { "apt-cache", "show", "--no-all-versions", spec, NULL };
	char buf[16384], err[256], *l;

	out[0] = '\0';
	*size = 0;
	if (kbuild_exec(argv, NULL, buf, sizeof(buf), err, sizeof(err)) != 0)
		return;
	/* The package's size in bytes: what a download's per cent is of. */
	for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		if (strncmp(l, "Version: ", 9) == 0 && out[0] == '\0') {
			util_strlcpy(out, l + 9, outlen);
			kbuild_chomp(out);
		} else if (strncmp(l, "Size: ", 6) == 0 && *size == 0) {
			*size = strtoull(l + 6, NULL, 10);
		}
}

/* The newest cached CACHE/debs/<pkg>_*_<arch>.deb, by Debian version; -1 none. */
static int
kbuild_cached_deb(const char *debs, const char *pkg, const char *arch, const char *version,
    char *out, size_t outlen)
{
	char best[256] = "", bestver[128] = "", pat[512], ver[128];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(debs)) == NULL)
		return -1;
	util_fmt(pat, sizeof(pat), "%s_*_%s.deb", pkg, arch);
	while ((de = readdir(d)) != NULL) {
		char *p, *e;
		size_t n;

		if (fnmatch(pat, de->d_name, 0) != 0)
			continue;
		/* File names carry the version with ':' written as %3a (apt's rule). */
		p = de->d_name + strlen(pkg) + 1;
		e = strrchr(p, '_');
		n = (size_t)(e - p);
		if (n >= sizeof(ver))
			continue;
		memcpy(ver, p, n);
		ver[n] = '\0';
		if ((p = strstr(ver, "%3a")) != NULL) {
			*p = ':';
			memmove(p + 1, p + 3, strlen(p + 3) + 1);
		}
		if (version && version[0] && strcmp(ver, version) != 0)
			continue;
		if (best[0] == '\0' || kbuild_version_cmp(ver, bestver) > 0) {
			util_strlcpy(best, de->d_name, sizeof(best));
			util_strlcpy(bestver, ver, sizeof(bestver));
		}
	}
	closedir(d);
	if (best[0] == '\0')
		return -1;
	util_fmt(out, outlen, "%s/%s", debs, best);
	return 0;
}

/* A metapackage (no version in its name) names the build it depends on. */
static int
kbuild_resolve_meta(const char *pkg, const char *arch, char *out, size_t outlen, char *err,
    size_t errlen)
{
	const char *argv[] = { "apt-cache", "depends", NULL, NULL };
	char spec[256], buf[16384], *l;

	util_fmt(spec, sizeof(spec), "%s:%s", pkg, arch);
	argv[2] = spec;
	if (kbuild_exec(argv, NULL, buf, sizeof(buf), err, errlen) == 0)
		for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
			while (*l == ' ')
				l++;
			if (strncmp(l, "Depends: linux-image-", 21) == 0 &&
			    isdigit((unsigned char)l[21])) {
				util_strlcpy(out, l + 9, outlen);
				out[strcspn(out, ": \t")] = '\0';
				return 0;
			}
		}
	util_fmt(err, errlen, "%s: not in the Debian archive for %s, or names no kernel build"
	    " (apt-cache depends %s)", pkg, arch, pkg);
	return -1;
}

struct kbuild_dl {
	const char	*what;
	uint64_t	 size;	/* the package's, from the archive's index; 0 unknown */
};

/*
 * apt's status channel while it fetches: "dlstatus:ITEM:PERCENT:TEXT" (other kinds ignored),
 * told as bytes of the package's size when the index gave one.
 */
static void
kbuild_dl_status(const char *line, void *arg)
{
	const struct kbuild_dl *dl = arg;
	const char *p;
	double pct;

	if (strncmp(line, "dlstatus:", 9) != 0 || (p = strchr(line + 9, ':')) == NULL ||
	    dl->size == 0)
		return;
	pct = strtod(p + 1, NULL);
	if (!(pct >= 0 && pct <= 100))
		return;
	busy_say(BUSY_DOWNLOAD, dl->what, (uint64_t)(pct / 100 * (double)dl->size), dl->size);
}

static int
kbuild_is_concrete(const char *pkg)
{
	const char *p;

	for (p = pkg; *p; p++)
		if (isdigit((unsigned char)p[0]) && p[1] == '.' && isdigit((unsigned char)p[2]))
			return 1;
	return 0;
}

int
kbuild_from_package(struct kbuild *kb, const char *package, const char *arch,
    const char *cache, char *err, size_t errlen)
{
	char pkg[128], spec[256], cand[128], debs[PATH_MAX], deb[PATH_MAX], tmp[PATH_MAX];
	char out[4096], got[256];
	const char *colon, *p;
	int lock, rc, n;
	uint64_t size;

	memset(kb, 0, sizeof(*kb));
	if (arch == NULL || arch[0] == '\0') {
		util_fmt(err, errlen, "%s: a package needs an architecture (amd64, armhf, arm64)",
		    package);
		return -1;
	}
	util_strlcpy(pkg, package, sizeof(pkg));
	if ((colon = strchr(package, ':')) != NULL) {
		if (strcmp(colon + 1, arch) != 0) {
			util_fmt(err, errlen, "%s: architecture suffix does not match %s", package,
			    arch);
			return -1;
		}
		pkg[colon - package] = '\0';
	}
	for (p = pkg; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr(".+-", *p))) {
			util_fmt(err, errlen, "%s: not a Debian package name", package);
			return -1;
		}
	if (strncmp(pkg, "linux-image-", 12) != 0) {
		util_fmt(err, errlen, "%s: not a kernel image package (linux-image-*)", package);
		return -1;
	}
	if (!kbuild_is_concrete(pkg) &&
	    kbuild_resolve_meta(pkg, arch, pkg, sizeof(pkg), err, errlen) == -1)
		return -1;
	util_fmt(debs, sizeof(debs), "%s/debs", cache);
	if ((lock = kbuild_cache_lock(cache, err, errlen)) == -1)
		return -1;
	util_mkdirs(debs);
	util_fmt(spec, sizeof(spec), "%s:%s", pkg, arch);
	kbuild_apt_candidate(spec, cand, sizeof(cand), &size);
	/* Builds leave the archive with updates: a cached .deb still serves when apt forgot it. */
	if (kbuild_cached_deb(debs, pkg, arch, cand, deb, sizeof(deb)) == -1) {
		const char *dl[10];
		char want[384];
		struct kbuild_dl dls = { want, size };
		int i = 0;

		if (cand[0] == '\0') {
			close(lock);
			util_fmt(err, errlen, "%s: not in the Debian archive for %s and not in %s"
			    " (apt-cache search linux-image lists what is)", pkg, arch, debs);
			return -1;
		}
		util_fmt(tmp, sizeof(tmp), "%s/.dl.XXXXXX", debs);
		if (mkdtemp(tmp) == NULL) {
			close(lock);
			util_fmt(err, errlen, "%s: %s", tmp, strerror(errno));
			return -1;
		}
		util_fmt(want, sizeof(want), "%s=%s", spec, cand);
		dl[i++] = "apt-get";
		dl[i++] = "-q";
		/* As root, apt drops to _apt, which cannot write into the lab's cache. */
		if (geteuid() == 0) {
			dl[i++] = "-o";
			dl[i++] = "APT::Sandbox::User=root";
		}
		/* Its output says nothing while it fetches; its status channel gives the per cent. */
		dl[i++] = "-o";
		dl[i++] = "APT::Status-Fd=3";
		dl[i++] = "download";
		dl[i++] = want;
		dl[i] = NULL;
		busy_say(BUSY_DOWNLOAD, want, 0, size);
		rc = kbuild_exec_status(dl, tmp, out, sizeof(out), kbuild_dl_status, &dls, err,
		    errlen);
		if (rc == 0 && kbuild_find(tmp, "*.deb", 0, got, sizeof(got), &n) == 0) {
			char from[PATH_MAX];
			struct stat st;

			util_fmt(from, sizeof(from), "%s/%s", tmp, got);
			util_fmt(deb, sizeof(deb), "%s/%s", debs, got);
			if (stat(from, &st) == 0 && st.st_size > 0)
				busy_say(BUSY_DOWNLOAD, want, (uint64_t)st.st_size,
				    (uint64_t)st.st_size);
			if (rename(from, deb) == -1)
				rc = -1;
		} else if (rc == 0) {
			rc = 1;
		}
		{
			const char *rm[] = { "rm", "-rf", tmp, NULL };
			char junk[256], e2[64];

			kbuild_exec(rm, NULL, junk, sizeof(junk), e2, sizeof(e2));
		}
		if (rc != 0) {
			close(lock);
			if (rc > 0)
				util_fmt(err, errlen, "%s: apt-get download failed: %s", want,
				    kbuild_last_line(out));
			return -1;
		}
	}
	rc = kbuild_deb_locked(kb, deb, cache, err, errlen);
	close(lock);
	return rc;
}

static int
kbuild_has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && strcmp(s + n - m, suf) == 0;
}

int
kbuild_identify(struct kbuild *kb, const char *what, const char *name, const char *arch,
    const char *cache, char *err, size_t errlen)
{
	static const char *const tars[] = { ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz",
	    ".tar.bz2", ".tar.zst" };
	struct stat st;
	size_t i;

	if (stat(what, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return kbuild_from_dir(kb, what, name, arch, err, errlen);
		if (kbuild_has_suffix(what, ".deb"))
			return kbuild_from_deb(kb, what, cache, err, errlen);
		for (i = 0; i < UTIL_NELEM(tars); i++)
			if (kbuild_has_suffix(what, tars[i]))
				return kbuild_from_tarball(kb, what, name, arch, cache, err,
				    errlen);
		memset(kb, 0, sizeof(*kb));
		util_fmt(err, errlen, "%s: neither a folder, a .deb nor a tarball (.tar, .tar.gz,"
		    " .tar.xz, .tar.bz2, .tar.zst)", what);
		return -1;
	}
	if (strchr(what, '/') || kbuild_has_suffix(what, ".deb")) {
		memset(kb, 0, sizeof(*kb));
		util_fmt(err, errlen, "%s: %s", what, strerror(errno));
		return -1;
	}
	return kbuild_from_package(kb, what, arch, cache, err, errlen);
}

static int
kbuild_dtb_count_in(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		util_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (fnmatch("*.dtb", de->d_name, 0) == 0 && kbuild_is_file(path))
			n++;
		else if (depth > 0 && kbuild_is_dir(path))
			n += kbuild_dtb_count_in(path, depth - 1);
	}
	closedir(d);
	return n;
}

int
kbuild_dtb_count(const char *dtb_dir)
{
	return dtb_dir && dtb_dir[0] ? kbuild_dtb_count_in(dtb_dir, 3) : 0;
}

int
kbuild_dtb_find(const char *dtb_dir, const char *name, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char path[PATH_MAX];
	const char *p;

	/* Relative, no "..", the characters dtb names use: nothing else is looked up. */
	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL) {
		util_fmt(err, errlen, "%s: not a device tree name inside a build (like"
		    " renesas/r8a77951-salvator-xs.dtb)", name);
		return -1;
	}
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/._,+-", *p) == NULL) {
			util_fmt(err, errlen, "%s: not a device tree name inside a build (like"
			    " renesas/r8a77951-salvator-xs.dtb)", name);
			return -1;
		}
	if (dtb_dir == NULL || dtb_dir[0] == '\0') {
		util_fmt(err, errlen, "%s: the build has no device trees (no *.dtb in it)", name);
		return -1;
	}
	util_fmt(path, sizeof(path), "%s/%s", dtb_dir, name);
	if (!kbuild_is_file(path)) {
		util_fmt(err, errlen, "%s: not in the build's device trees (%s)", name, dtb_dir);
		return -1;
	}
	if (kbuild_inside(dtb_dir, path, err, errlen) == -1)
		return -1;
	kbuild_abs(path, out, outlen);
	return 0;
}

int
kbuild_lab_root(const char *image_path, const char *modules_dir, char *out, size_t outlen)
{
	const char *m;
	size_t n;

	out[0] = '\0';
	/* .../ROOT/lib/modules/RELEASE: the folder the build was added as. */
	if (modules_dir && modules_dir[0] && (m = strstr(modules_dir, "/lib/modules/")) != NULL &&
	    strchr(m + 13, '/') == NULL && m > modules_dir) {
		util_fmt(out, outlen, "%.*s", (int)(m - modules_dir), modules_dir);
		return 0;
	}
	/* Without modules: the image's folder, or the one above boot/. */
	if (image_path == NULL || image_path[0] != '/' || (m = strrchr(image_path, '/')) == NULL ||
	    m == image_path)
		return -1;
	util_fmt(out, outlen, "%.*s", (int)(m - image_path), image_path);
	n = strlen(out);
	if (n > 5 && strcmp(out + n - 5, "/boot") == 0)
		out[n - 5] = '\0';
	return 0;
}

void
kbuild_options_format(const struct kbuild *kb, char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < KBUILD_NOPT; i++) {
		if (kb->opt[i] == '\0')
			continue;
		n = snprintf(buf + used, len - used, "%s%s=%c", used ? " " : "",
		    kbuild_option_names[i], kb->opt[i]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* dpkg's order of a character in a non-digit run: '~' first, then end, letters, the rest. */
static int
kbuild_order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int
kbuild_part_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		int diff = 0;

		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = kbuild_order((unsigned char)*a), bc = kbuild_order((unsigned char)*b);

			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!diff)
				diff = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (diff)
			return diff;
	}
	return 0;
}

/* Splits "epoch:upstream-revision" in place; revision is "" without a '-'. */
static void
kbuild_version_split(char *v, long *epoch, char **up, char **rev)
{
	char *colon = strchr(v, ':'), *dash;

	*epoch = 0;
	if (colon && colon > v) {
		*epoch = strtol(v, NULL, 10);
		v = colon + 1;
	}
	*up = v;
	dash = strrchr(v, '-');
	if (dash) {
		*dash = '\0';
		*rev = dash + 1;
	} else {
		*rev = v + strlen(v);
	}
}

int
kbuild_version_cmp(const char *a, const char *b)
{
	char *ua, *ub, *ra, *rb, *ca, *cb;
	long ea, eb;
	int r;

	ca = xstrdup(a ? a : "");
	cb = xstrdup(b ? b : "");
	kbuild_version_split(ca, &ea, &ua, &ra);
	kbuild_version_split(cb, &eb, &ub, &rb);
	if (ea != eb)
		r = ea < eb ? -1 : 1;
	else if ((r = kbuild_part_cmp(ua, ub)) == 0)
		r = kbuild_part_cmp(ra, rb);
	free(ca);
	free(cb);
	return r < 0 ? -1 : r > 0;
}

void
kbuild_to_store(const struct kbuild *kb, struct store_build *b, struct store_build_info *info)
{
	memset(b, 0, sizeof(*b));
	memset(info, 0, sizeof(*info));
	util_strlcpy(b->name, kb->name, sizeof(b->name));
	util_strlcpy(b->release, kb->release, sizeof(b->release));
	util_strlcpy(b->version, kb->version, sizeof(b->version));
	util_strlcpy(b->arch, kb->arch, sizeof(b->arch));
	util_strlcpy(b->image_sha256, kb->image_sha256, sizeof(b->image_sha256));
	util_strlcpy(b->config_sha256, kb->config_sha256, sizeof(b->config_sha256));
	util_strlcpy(b->origin, kb->origin, sizeof(b->origin));
	util_strlcpy(info->image_path, kb->image, sizeof(info->image_path));
	util_strlcpy(info->dtb_dir, kb->dtb_dir, sizeof(info->dtb_dir));
	util_strlcpy(info->modules_dir, kb->modules_dir, sizeof(info->modules_dir));
	util_strlcpy(info->config_path, kb->config, sizeof(info->config_path));
	util_strlcpy(info->package, kb->package, sizeof(info->package));
	util_strlcpy(info->package_version, kb->package_version, sizeof(info->package_version));
	util_strlcpy(info->image_version, kb->image_version, sizeof(info->image_version));
	kbuild_options_format(kb, info->options, sizeof(info->options));
}
