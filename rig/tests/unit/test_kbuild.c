/* Kernel builds identified in place: a real Debian package, its .deb, a lab folder and tarball. */
#include "kbuild.h"
#include "store.h"
#include "views.h"
#include "test.h"
#include "util.h"

#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEB_PKG "linux-image-6.1.0-56-amd64"

static char tmpdir[256];

static const char *
cache_dir(void)
{
	const char *c = getenv("RIG_CACHE");

	return c && c[0] ? c : "var/cache";
}

static void
write_file(const char *dir, const char *rel, const void *data, size_t len)
{
	char path[1024], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	util_mkdirs(path);
	*slash = '/';
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
}

/* sha256sum's answer, so the library's digest is checked against an independent tool. */
static void
sha256sum(const char *path, char out[65])
{
	char cmd[1200];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	if ((p = popen(cmd, "r")) == NULL)
		return;
	if (fscanf(p, "%64s", out) != 1)
		out[0] = '\0';
	pclose(p);
}

/*
 * A lab's arm64 build as `make Image dtbs modules_install INSTALL_MOD_PATH=` leaves it: an
 * Image (the arm64 header's magic at 0x38), a config, device trees in a vendor folder, modules.
 */
static void
make_lab_build(const char *dir)
{
	unsigned char img[4096];
	const char *config = "CONFIG_ARM64=y\nCONFIG_DETECT_HUNG_TASK=y\nCONFIG_KASAN=y\n"
	    "# CONFIG_KFENCE is not set\nCONFIG_DEBUG_KOBJECT_RELEASE=y\nCONFIG_SLUB_DEBUG=y\n";
	size_t i;

	for (i = 0; i < sizeof(img); i++)
		img[i] = (unsigned char)(i * 7);
	memcpy(img + 0x38, "ARM\x64", 4);
	write_file(dir, "Image", img, sizeof(img));
	write_file(dir, "config-6.1.170-rcar", config, strlen(config));
	write_file(dir, "dtbs/renesas/r8a77951-salvator-xs.dtb", "\xd0\x0d\xfe\xed", 4);
	write_file(dir, "lib/modules/6.1.170-rcar/kernel/drivers/i2c/busses/i2c-rcar.ko", "ko", 2);
}

static void
sha256_of_a_file_matches_the_known_digest(void)
{
	char path[512], out[65], err[256];

	snprintf(path, sizeof(path), "%s/abc", tmpdir);
	write_file(tmpdir, "abc", "abc", 3);
	CHECK_INT(kbuild_sha256_file(path, out, err, sizeof(err)), 0);
	CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(kbuild_sha256_file("/nonexistent/x", out, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/x") != NULL);
}

static void
debian_package_is_identified_from_the_lab_cache(void)
{
	struct kbuild kb;
	char err[512], sum[65];

	if (kbuild_from_package(&kb, DEB_PKG, "amd64", cache_dir(), err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		return;
	}
	CHECK_STR(kb.name, DEB_PKG);
	CHECK_STR(kb.package, DEB_PKG);
	CHECK_STR(kb.release, "6.1.0-56-amd64");
	CHECK_STR(kb.arch, "amd64");
	CHECK(strncmp(kb.package_version, "6.1.", 4) == 0);
	CHECK_STR(kb.version, kb.package_version);
	/* The x86 boot header points at the same string /proc/version starts with. */
	CHECK(strncmp(kb.image_version, "6.1.0-56-amd64 (", 16) == 0);
	CHECK(strstr(kb.image_version, kb.package_version) != NULL);
	sha256sum(kb.image, sum);
	CHECK_STR(kb.image_sha256, sum);
	CHECK(strstr(kb.image, "/boot/vmlinuz-6.1.0-56-amd64") != NULL);
	CHECK(strstr(kb.config, "/boot/config-6.1.0-56-amd64") != NULL);
	sha256sum(kb.config, sum);
	CHECK_STR(kb.config_sha256, sum);
	CHECK(strstr(kb.modules_dir, "/lib/modules/6.1.0-56-amd64") != NULL);
	CHECK_STR(kb.dtb_dir, "");
	/* Debian 6.1 amd64: hung-task detector and SLUB debug built in, no KASAN/KFENCE/lockdep. */
	CHECK_INT(kb.opt[0], 'y');
	CHECK_INT(kb.opt[1], 'n');
	CHECK_INT(kb.opt[2], 'n');
	CHECK_INT(kb.opt[3], 0);
	CHECK_INT(kb.opt[4], 'y');
	CHECK_INT(kb.opt[5], 'n');
	CHECK(strncmp(kb.origin, "debian:" DEB_PKG "=", 7 + strlen(DEB_PKG) + 1) == 0);
}

static void
deb_file_is_the_same_build_as_its_package_name(void)
{
	struct kbuild a, b;
	char err[512], pat[1024];
	glob_t g;

	if (kbuild_from_package(&a, DEB_PKG, "amd64", cache_dir(), err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		return;
	}
	snprintf(pat, sizeof(pat), "%s/debs/" DEB_PKG "_%s_amd64.deb", cache_dir(),
	    a.package_version);
	if (glob(pat, 0, NULL, &g) != 0) {
		fprintf(stderr, "no %s\n", pat);
		CHECK(0);
		return;
	}
	CHECK_INT(kbuild_identify(&b, g.gl_pathv[0], NULL, NULL, cache_dir(), err, sizeof(err)), 0);
	globfree(&g);
	CHECK_STR(b.image_sha256, a.image_sha256);
	CHECK_STR(b.release, a.release);
	CHECK_STR(b.version, a.version);
	CHECK_STR(b.origin, a.origin);
}

/*
 * A .deb from outside the cache is unpacked by the rig itself (libarchive, its data.tar.xz read
 * out of the ar archive) into a cache of its own: the same build as dpkg-deb's unpack gives,
 * every file 0640 and folder 0750 (a package's 0644 and 0755 are not kept).
 */
static void
deb_unpacked_into_a_fresh_cache_is_the_same_build(void)
{
	struct kbuild a, b;
	char err[512], pat[1024], cache[600], cmd[1400], out[64] = "";
	glob_t g;
	FILE *p;

	snprintf(pat, sizeof(pat), "%s/debs/" DEB_PKG "_*_amd64.deb", cache_dir());
	if (glob(pat, 0, NULL, &g) != 0) {
		fprintf(stderr, "no %s\n", pat);
		CHECK(0);
		return;
	}
	snprintf(cache, sizeof(cache), "%s/cache-deb", tmpdir);
	CHECK_INT(kbuild_from_deb(&a, g.gl_pathv[0], cache_dir(), err, sizeof(err)), 0);
	if (kbuild_from_deb(&b, g.gl_pathv[0], cache, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		globfree(&g);
		return;
	}
	globfree(&g);
	CHECK_STR(b.image_sha256, a.image_sha256);
	CHECK_STR(b.config_sha256, a.config_sha256);
	CHECK_STR(b.release, a.release);
	CHECK_STR(b.origin, a.origin);
	CHECK(strncmp(b.image, cache, strlen(cache)) == 0);
	CHECK(b.modules_dir[0] != '\0');
	snprintf(cmd, sizeof(cmd), "find '%s/unpacked' -mindepth 1 \\( -type f ! -perm 0640 \\) -o "
	    "\\( -type d ! -perm 0750 \\) -o \\( ! -type f ! -type d \\) | wc -l", cache);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fgets(out, sizeof(out), p) == NULL)
			out[0] = '\0';
		pclose(p);
	}
	CHECK_STR(out, "0\n");
}

static void
lab_folder_gives_release_options_dtbs_and_modules(void)
{
	struct kbuild kb;
	char dir[512], err[512], sum[65], path[600], opts[256];

	snprintf(dir, sizeof(dir), "%s/lab-build", tmpdir);
	make_lab_build(dir);
	CHECK_INT(kbuild_identify(&kb, dir, NULL, NULL, "/nonexistent-cache", err, sizeof(err)), 0);
	CHECK_STR(kb.name, "lab-build");
	CHECK_STR(kb.release, "6.1.170-rcar");
	CHECK_STR(kb.arch, "arm64");
	CHECK_STR(kb.package, "");
	snprintf(path, sizeof(path), "%s/Image", dir);
	sha256sum(path, sum);
	CHECK_STR(kb.image_sha256, sum);
	snprintf(path, sizeof(path), "%s/dtbs", dir);
	CHECK_STR(kb.dtb_dir, path);
	snprintf(path, sizeof(path), "%s/lib/modules/6.1.170-rcar", dir);
	CHECK_STR(kb.modules_dir, path);
	CHECK(kb.config_sha256[0] != '\0');
	kbuild_options_format(&kb, opts, sizeof(opts));
	CHECK_STR(opts, "DETECT_HUNG_TASK=y KASAN=y KFENCE=n DEBUG_KOBJECT_RELEASE=y SLUB_DEBUG=y");
	snprintf(path, sizeof(path), "dir:%s", dir);
	CHECK_STR(kb.origin, path);
	CHECK_INT(kbuild_from_dir(&kb, dir, "rcar-nightly", NULL, err, sizeof(err)), 0);
	CHECK_STR(kb.name, "rcar-nightly");
}

static void
tarball_is_the_same_build_as_its_folder(void)
{
	struct kbuild d, t, again;
	char dir[512], tar[600], cmd[1500], cache[600], err[512];

	snprintf(dir, sizeof(dir), "%s/tarsrc/rcar-6.1.170", tmpdir);
	make_lab_build(dir);
	snprintf(cache, sizeof(cache), "%s/cache", tmpdir);
	const char *kinds[] = { "tar.gz", "tar.xz", "tar" };
	for (size_t i = 0; i < UTIL_NELEM(kinds); i++) {
		snprintf(tar, sizeof(tar), "%s/rcar-6.1.170.%s", tmpdir, kinds[i]);
		snprintf(cmd, sizeof(cmd), "tar -caf '%s' -C '%s/tarsrc' rcar-6.1.170", tar, tmpdir);
		CHECK_INT(system(cmd), 0);
		if (kbuild_identify(&t, tar, NULL, "arm64", cache, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			CHECK(0);
			continue;
		}
		CHECK_INT(kbuild_from_dir(&d, dir, NULL, NULL, err, sizeof(err)), 0);
		CHECK_STR(t.image_sha256, d.image_sha256);
		CHECK_STR(t.release, d.release);
		CHECK_STR(t.config_sha256, d.config_sha256);
		CHECK(memcmp(t.opt, d.opt, sizeof(t.opt)) == 0);
		CHECK_STR(t.name, "rcar-6.1.170");
		CHECK(strncmp(t.origin, "tar:", 4) == 0);
		CHECK(strncmp(t.image, cache, strlen(cache)) == 0);
		CHECK(t.dtb_dir[0] != '\0' && t.modules_dir[0] != '\0');
		/* The second time the cached unpack serves. */
		CHECK_INT(kbuild_from_tarball(&again, tar, NULL, NULL, cache, err, sizeof(err)), 0);
		CHECK_STR(again.image, t.image);
	}
}

static void
build_tree_release_comes_from_kernel_release(void)
{
	struct kbuild kb;
	unsigned char z[256] = { 0 };
	char dir[512], err[512];
	const char *config = "CONFIG_ARM=y\n# CONFIG_PROVE_LOCKING is not set\n";

	snprintf(dir, sizeof(dir), "%s/linux-build", tmpdir);
	z[0x24] = 0x18, z[0x25] = 0x28, z[0x26] = 0x6f, z[0x27] = 0x01;	/* zImage magic */
	write_file(dir, "arch/arm/boot/zImage", z, sizeof(z));
	write_file(dir, ".config", config, strlen(config));
	write_file(dir, "include/config/kernel.release", "7.2.0-rc3-lab\n", 14);
	write_file(dir, "arch/arm/boot/dts/nxp/imx/imx6q-sabrelite.dtb", "\xd0\x0d\xfe\xed", 4);
	CHECK_INT(kbuild_from_dir(&kb, dir, NULL, NULL, err, sizeof(err)), 0);
	CHECK_STR(kb.release, "7.2.0-rc3-lab");
	CHECK_STR(kb.arch, "armhf");
	CHECK_INT(kb.opt[5], 'n');
	CHECK_INT(kb.opt[0], 0);
	CHECK(strstr(kb.dtb_dir, "/arch/arm/boot/dts") != NULL);
	CHECK_STR(kb.modules_dir, "");
}

static void
arch_given_must_agree_with_the_image(void)
{
	struct kbuild kb;
	char dir[512], err[512];

	snprintf(dir, sizeof(dir), "%s/lab-build-arch", tmpdir);
	make_lab_build(dir);
	CHECK_INT(kbuild_from_dir(&kb, dir, NULL, "amd64", err, sizeof(err)), -1);
	CHECK(strstr(err, "arm64") != NULL && strstr(err, "amd64") != NULL);
	CHECK(strstr(err, dir) != NULL);
	CHECK_INT(kbuild_from_dir(&kb, dir, NULL, "arm64", err, sizeof(err)), 0);
}

static void
errors_name_the_file(void)
{
	struct kbuild kb;
	char dir[512], path[600], err[512];

	CHECK_INT(kbuild_identify(&kb, "/nonexistent/build", NULL, NULL, "/tmp", err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/build") != NULL);
	snprintf(dir, sizeof(dir), "%s/empty", tmpdir);
	util_mkdirs(dir);
	CHECK_INT(kbuild_identify(&kb, dir, NULL, NULL, "/tmp", err, sizeof(err)), -1);
	CHECK(strstr(err, dir) != NULL && strstr(err, "no kernel image") != NULL);
	snprintf(path, sizeof(path), "%s/not-a-package.deb", tmpdir);
	write_file(tmpdir, "not-a-package.deb", "hello\n", 6);
	CHECK_INT(kbuild_identify(&kb, path, NULL, NULL, tmpdir, err, sizeof(err)), -1);
	CHECK(strstr(err, path) != NULL);
	snprintf(path, sizeof(path), "%s/notes.txt", tmpdir);
	write_file(tmpdir, "notes.txt", "x", 1);
	CHECK_INT(kbuild_identify(&kb, path, NULL, NULL, tmpdir, err, sizeof(err)), -1);
	CHECK(strstr(err, path) != NULL);
	CHECK_INT(kbuild_from_package(&kb, DEB_PKG ":armhf", "amd64", tmpdir, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, DEB_PKG) != NULL);
	CHECK_INT(kbuild_from_package(&kb, "bash", "amd64", tmpdir, err, sizeof(err)), -1);
	CHECK(strstr(err, "bash") != NULL);
}

static void
debian_versions_sort_like_dpkg(void)
{
	CHECK(kbuild_version_cmp("6.1.170-1", "6.1.192-2") < 0);
	CHECK(kbuild_version_cmp("6.1.192-2", "6.1.170-1") > 0);
	CHECK(kbuild_version_cmp("6.1.192-1", "6.1.192-2") < 0);
	CHECK(kbuild_version_cmp("6.1.9-1", "6.1.10-1") < 0);
	CHECK(kbuild_version_cmp("1:1.0", "2.0") > 0);
	CHECK(kbuild_version_cmp("1.0~rc1-1", "1.0-1") < 0);
	CHECK(kbuild_version_cmp("6.1.176-1", "6.1.176-1") == 0);
	CHECK(kbuild_version_cmp("6.1.176-1+deb12u1", "6.1.176-1") > 0);
	CHECK(kbuild_version_cmp("1.0a", "1.0+") < 0);
}

/*
 * A build is what is inside its folder: a part that is a symbolic link out of it (a tarball can
 * carry one, and a folder's link can change under a recorded digest) is refused, naming it.
 */
static void
symlink_out_of_the_build_is_refused(void)
{
	static const struct {
		const char *part, *target, *rel;
	} cases[] = {
		{ "Image", "outside/Image", "Image" },
		{ "config-6.1.170-rcar", "outside/config", "config-6.1.170-rcar" },
		{ "dtbs", "outside/dtbs", "dtbs" },
		{ "lib/modules/6.1.170-rcar", "outside/lib/modules/6.1.170-rcar",
		    "lib/modules/6.1.170-rcar" },
	};
	char dir[512], path[700], tar[700], cmd[1600], cache[600], err[1024], out[600];
	struct kbuild kb;
	size_t i;

	/* What the links lead to: a whole build of its own, outside the one being added. */
	snprintf(out, sizeof(out), "%s/outside", tmpdir);
	make_lab_build(out);
	write_file(out, "config", "CONFIG_ARM64=y\n", 15);
	snprintf(cache, sizeof(cache), "%s/cache-escape", tmpdir);
	for (i = 0; i < UTIL_NELEM(cases); i++) {
		snprintf(dir, sizeof(dir), "%s/escape%zu/rcar", tmpdir, i);
		make_lab_build(dir);
		snprintf(path, sizeof(path), "%s/%s", dir, cases[i].part);
		snprintf(cmd, sizeof(cmd), "rm -rf '%.600s' && ln -s '%s/%s' '%.600s'", path,
		    tmpdir, cases[i].target, path);
		CHECK_INT(system(cmd), 0);
		CHECK_INT(kbuild_from_dir(&kb, dir, NULL, NULL, err, sizeof(err)), -1);
		CHECK(strstr(err, cases[i].rel) != NULL && strstr(err, "out of the build") != NULL);
		CHECK(strstr(err, cases[i].target) != NULL);
		snprintf(tar, sizeof(tar), "%s/escape%zu.tar.gz", tmpdir, i);
		snprintf(cmd, sizeof(cmd), "tar -czf '%s' -C '%s/escape%zu' rcar", tar, tmpdir, i);
		CHECK_INT(system(cmd), 0);
		/* A tarball holds no link at all: refused at the entry, before anything is read. */
		CHECK_INT(kbuild_from_tarball(&kb, tar, NULL, NULL, cache, err, sizeof(err)), -1);
		CHECK_HAS(err, tar);
		CHECK_HAS(err, cases[i].rel);
		CHECK_HAS(err, "a symbolic link (to ");
		CHECK_HAS(err, cases[i].target);
	}
	/* A link that stays inside is a lab's own business. */
	snprintf(dir, sizeof(dir), "%s/escape-inside/rcar", tmpdir);
	make_lab_build(dir);
	snprintf(cmd, sizeof(cmd), "cd '%s' && mv Image Image-6.1.170 && ln -s Image-6.1.170 Image",
	    dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(kbuild_from_dir(&kb, dir, NULL, NULL, err, sizeof(err)), 0);
}

/*
 * A board's boot.dtb (renesas/r8a77951-salvator-xs.dtb) found in a build: in a lab build's
 * dtbs/ and in a Debian package's usr/lib/linux-image-RELEASE/, never outside the build.
 */
static void
board_dtb_is_found_in_a_lab_build(void)
{
	char dir[512], out[1024], err[1024], cmd[1400], want[700];
	struct kbuild kb;

	snprintf(dir, sizeof(dir), "%s/dtb-lab", tmpdir);
	make_lab_build(dir);
	write_file(dir, "dtbs/renesas/r8a779a0-falcon.dtb", "\xd0\x0d\xfe\xed", 4);
	CHECK_INT(kbuild_from_dir(&kb, dir, NULL, "arm64", err, sizeof(err)), 0);
	CHECK_INT(kbuild_dtb_count(kb.dtb_dir), 2);
	CHECK_INT(kbuild_dtb_find(kb.dtb_dir, "renesas/r8a77951-salvator-xs.dtb", out, sizeof(out),
	    err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/dtbs/renesas/r8a77951-salvator-xs.dtb", kb.dtb_dir[0] ?
	    dir : "?");
	{
		char real[1024];

		CHECK(realpath(want, real) != NULL);
		CHECK_STR(out, real);
	}
	CHECK_INT(kbuild_dtb_find(kb.dtb_dir, "renesas/r8a77960-salvator-xs.dtb", out, sizeof(out),
	    err, sizeof(err)), -1);
	CHECK(strstr(err, "renesas/r8a77960-salvator-xs.dtb") != NULL &&
	    strstr(err, kb.dtb_dir) != NULL);
	/* Names that would leave the build are not looked up at all. */
	CHECK_INT(kbuild_dtb_find(kb.dtb_dir, "../config-6.1.170-rcar", out, sizeof(out), err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "../config-6.1.170-rcar") != NULL);
	CHECK_INT(kbuild_dtb_find(kb.dtb_dir, "/etc/passwd", out, sizeof(out), err, sizeof(err)),
	    -1);
	CHECK_INT(kbuild_dtb_find("", "renesas/r8a77951-salvator-xs.dtb", out, sizeof(out), err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "no device trees") != NULL);
	/* A dtb that is a link out of the folder is not the build's. */
	snprintf(cmd, sizeof(cmd), "ln -s /etc/hostname '%s/dtbs/renesas/r8a77965-salvator-xs.dtb'",
	    dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(kbuild_dtb_find(kb.dtb_dir, "renesas/r8a77965-salvator-xs.dtb", out, sizeof(out),
	    err, sizeof(err)), -1);
	CHECK(strstr(err, "out of the build") != NULL);
	/* Debian's layout: the vendor folders under usr/lib/linux-image-RELEASE/. */
	snprintf(dir, sizeof(dir), "%s/dtb-debian", tmpdir);
	make_lab_build(dir);
	snprintf(cmd, sizeof(cmd), "cd '%s' && mkdir -p usr/lib/linux-image-6.1.170-rcar && "
	    "mv dtbs/renesas usr/lib/linux-image-6.1.170-rcar/ && rmdir dtbs", dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(kbuild_from_dir(&kb, dir, NULL, NULL, err, sizeof(err)), 0);
	CHECK(strstr(kb.dtb_dir, "usr/lib/linux-image-6.1.170-rcar") != NULL);
	CHECK_INT(kbuild_dtb_find(kb.dtb_dir, "renesas/r8a77951-salvator-xs.dtb", out, sizeof(out),
	    err, sizeof(err)), 0);
}

/* The folder a registered lab build boots from, from the paths the store keeps. */
static void
lab_root_is_the_folder_the_build_was_added_as(void)
{
	char out[256];

	CHECK_INT(kbuild_lab_root("/srv/b/rcar-6.1/Image", "/srv/b/rcar-6.1/lib/modules/6.1.0-rcar",
	    out, sizeof(out)), 0);
	CHECK_STR(out, "/srv/b/rcar-6.1");
	/* Debian's layout without modules: boot/vmlinuz-R's folder's parent. */
	CHECK_INT(kbuild_lab_root("/srv/b/deb/boot/vmlinuz-6.1.0-57-arm64", "", out, sizeof(out)),
	    0);
	CHECK_STR(out, "/srv/b/deb");
	CHECK_INT(kbuild_lab_root("/srv/b/rcar-6.1/Image", NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "/srv/b/rcar-6.1");
	CHECK_INT(kbuild_lab_root("Image", "", out, sizeof(out)), -1);
	CHECK_INT(kbuild_lab_root("", "", out, sizeof(out)), -1);
}

static int
build_row(const struct store_build_row *b, void *arg)
{
	cJSON_AddItemToArray(arg, views_build(b));
	return 0;
}

static void
same_image_added_twice_is_one_build_in_the_store(void)
{
	struct store_build_info info;
	struct store_build sb;
	struct kbuild a, b;
	struct store *s;
	char dir[512], db[600], tar[600], cmd[1500], err[512];
	int64_t id1, id2, id3;
	int added = -1;
	cJSON *rows;

	snprintf(dir, sizeof(dir), "%s/store-build", tmpdir);
	make_lab_build(dir);
	snprintf(db, sizeof(db), "%s/rig.db", tmpdir);
	s = store_open(db, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(store_schema_version(s) >= 2);	/* the build registry's columns are there */
	CHECK_INT(kbuild_from_dir(&a, dir, "first-name", NULL, err, sizeof(err)), 0);
	kbuild_to_store(&a, &sb, &info);
	id1 = store_build_register(s, &sb, &info, &added);
	CHECK(id1 > 0);
	CHECK_INT(added, 1);
	id2 = store_build_register(s, &sb, &info, &added);
	CHECK_INT(id2, id1);
	CHECK_INT(added, 0);
	/* The same image under another name and from a tarball is still that build. */
	snprintf(tar, sizeof(tar), "%s/store-build.tar.gz", tmpdir);
	snprintf(cmd, sizeof(cmd), "tar -czf '%s' -C '%s' .", tar, dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(kbuild_from_tarball(&b, tar, "other-name", NULL, tmpdir, err, sizeof(err)), 0);
	kbuild_to_store(&b, &sb, &info);
	id3 = store_build_register(s, &sb, &info, &added);
	CHECK_INT(id3, id1);
	CHECK_INT(store_build_find_image(s, a.image_sha256), id1);
	CHECK_INT(store_build_find_image(s, "00"), 0);
	rows = cJSON_CreateArray();
	CHECK_INT(store_builds(s, 0, build_row, rows), 1);
	if (cJSON_GetArraySize(rows) == 1) {
		cJSON *r = cJSON_GetArrayItem(rows, 0);

		CHECK_STR(cJSON_GetObjectItem(r, "name")->valuestring, "first-name");
		CHECK_STR(cJSON_GetObjectItem(r, "release")->valuestring, "6.1.170-rcar");
		CHECK_STR(cJSON_GetObjectItem(r, "options")->valuestring,
		    "DETECT_HUNG_TASK=y KASAN=y KFENCE=n DEBUG_KOBJECT_RELEASE=y SLUB_DEBUG=y");
		/* Where the parts are now: the latest add's unpacked tarball. */
		CHECK_STR(cJSON_GetObjectItem(r, "image_path")->valuestring, b.image);
	}
	cJSON_Delete(rows);
	store_close(s);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rig-test-kbuild-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		abort();
	RUN(sha256_of_a_file_matches_the_known_digest);
	RUN(debian_package_is_identified_from_the_lab_cache);
	RUN(deb_file_is_the_same_build_as_its_package_name);
	RUN(deb_unpacked_into_a_fresh_cache_is_the_same_build);
	RUN(lab_folder_gives_release_options_dtbs_and_modules);
	RUN(tarball_is_the_same_build_as_its_folder);
	RUN(build_tree_release_comes_from_kernel_release);
	RUN(arch_given_must_agree_with_the_image);
	RUN(errors_name_the_file);
	RUN(symlink_out_of_the_build_is_refused);
	RUN(board_dtb_is_found_in_a_lab_build);
	RUN(lab_root_is_the_folder_the_build_was_added_as);
	RUN(debian_versions_sort_like_dpkg);
	RUN(same_image_added_twice_is_one_build_in_the_store);
	test_remove_dir(tmpdir);
	TEST_END();
}
