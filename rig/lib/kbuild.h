/* kbuild: identifies a kernel build (image digest, release, options, dtbs, modules) in place. */
#ifndef RIG_KBUILD_H
#define RIG_KBUILD_H

#include <stddef.h>
#include <stdio.h>

struct store_build;
struct store_build_info;

/* The config options that decide whether a lifetime bug shows as a hang, a report or nothing. */
#define KBUILD_NOPT 6
extern const char *const kbuild_option_names[KBUILD_NOPT];	/* without CONFIG_ */

struct kbuild {
	char	name[128];		/* package name, or the lab build's name */
	char	release[128];		/* uname -r */
	/* Debian package version, else the version string inside the image (x86), else "". */
	char	version[512];
	char	image_version[512];	/* "6.1.0-56-amd64 (...) #1 SMP ... Debian 6.1.192-2 (...)" or "" */
	char	arch[16];		/* Debian names: amd64, armhf, arm64, i386 */
	char	image[1024];		/* absolute path of the kernel image */
	char	image_sha256[65];
	char	config[1024];		/* absolute path, "" without a config */
	char	config_sha256[65];
	char	dtb_dir[1024];		/* "" when the build ships no device trees */
	char	modules_dir[1024];	/* .../lib/modules/<release>, "" without modules */
	char	package[128];		/* Debian package name, "" for a lab build */
	char	package_version[64];
	char	origin[256];		/* "debian:PKG=VER", "dir:/path", "tar:/path" */
	/* Per kbuild_option_names: 'y', 'm', 'n' ("is not set"), or '\0' when the config is silent. */
	char	opt[KBUILD_NOPT];
};

/*
 * Each fills kb and returns 0, or -1 with a message naming the file or package in err.
 * cache is the lab's download and unpack cache (firmware/mkimage's layout: CACHE/debs/NAME.deb,
 * CACHE/unpacked/<deb or tarball>/); it is created when missing and shared with mkimage under
 * the same CACHE/.lock. name, when not NULL or "", names a lab build (default: the folder's or
 * tarball's base name); arch, when given, must agree with what the image says.
 */
/* A Debian package for arch: the cached .deb when apt's candidate (or, offline, any) is there,
 * else apt-get download; metapackages (linux-image-amd64) resolve to the build they name. */
int kbuild_from_package(struct kbuild *kb, const char *package, const char *arch,
    const char *cache, char *err, size_t errlen);
int kbuild_from_deb(struct kbuild *kb, const char *deb, const char *cache, char *err,
    size_t errlen);
/* A folder as a lab build leaves it: an image (Image, zImage, bzImage, vmlinuz*, also under
 * boot/ or arch/ARCH/boot/), optional config (config*, .config), *.dtb, lib/modules/<release>/. */
int kbuild_from_dir(struct kbuild *kb, const char *dir, const char *name, const char *arch,
    char *err, size_t errlen);
/* A .tar, .tar.gz/.tgz, .tar.xz/.txz, .tar.bz2 or .tar.zst of such a folder, unpacked once into
 * CACHE/unpacked/<base>-<digest>/ (one top-level folder in the archive is stepped into). */
int kbuild_from_tarball(struct kbuild *kb, const char *tarball, const char *name,
    const char *arch, const char *cache, char *err, size_t errlen);
/* Any of the above, chosen by what what is: a folder, a .deb, a tarball, else a package name. */
int kbuild_identify(struct kbuild *kb, const char *what, const char *name, const char *arch,
    const char *cache, char *err, size_t errlen);

/*
 * A board's device tree (its boot.dtb, e.g. renesas/r8a77951-salvator-xs.dtb) in a build's
 * dtb_dir: its absolute path in out, 0; -1 with a message naming it when the build has none,
 * the name is not a plain relative one, or the file is a link out of the build.
 */
int kbuild_dtb_find(const char *dtb_dir, const char *name, char *out, size_t outlen,
    char *err, size_t errlen);
/* How many *.dtb a build's dtb_dir holds (vendor folders included); 0 for "". */
int kbuild_dtb_count(const char *dtb_dir);

/*
 * The folder a registered lab build boots from (what firmware/mkimage --kernel takes): the one
 * holding lib/modules/RELEASE, else the image's (the one above boot/ for boot/vmlinuz-*).
 * 0, or -1 when the paths say nothing (a relative or empty image path).
 */
int kbuild_lab_root(const char *image_path, const char *modules_dir, char *out,
    size_t outlen);

/* SHA-256 of a file as 64 hex digits; -1 with a message naming the file. */
int kbuild_sha256_file(const char *path, char out[65], char *err, size_t errlen);
/* The same of what f holds from where it is (path names it in err). */
int kbuild_sha256_stream(FILE *f, const char *path, char out[65], char *err, size_t errlen);
/* "DETECT_HUNG_TASK=y KASAN=n ..." in kbuild_option_names order, options the config is silent
 * on left out; "" without a config. */
void kbuild_options_format(const struct kbuild *kb, char *buf, size_t len);
/* Debian version order (dpkg's rules: epoch, upstream, revision; '~' sorts first): <0, 0, >0. */
int kbuild_version_cmp(const char *a, const char *b);
/* The store's view of the build: what rigctl build add records. */
void kbuild_to_store(const struct kbuild *kb, struct store_build *b,
    struct store_build_info *info);

#endif
