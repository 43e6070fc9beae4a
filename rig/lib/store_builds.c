/* store_builds: kernel builds, as boots report them and as rigctl build add registers them. */
#include "store_int.h"
#include "util.h"

#include <stdio.h>

int64_t
store_build_get_or_add(struct store *s, const struct store_build *b)
{
	char now[32];

	/* Insert-or-ignore then select: the same image and report is one build, however often seen. */
	if (store_exec(s, "INSERT INTO builds(name, release, version, arch, image_sha256,"
	    " config_sha256, origin, first_seen) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
	    "tttttttt", b->name, b->release, b->version, b->arch, b->image_sha256, b->config_sha256,
	    b->origin, store_now(now, sizeof(now))) == -1)
		return -1;
	return store_exec_int(s, "SELECT id FROM builds WHERE image_sha256=? AND release=? AND"
	    " version=?", "ttt", b->image_sha256, b->release, b->version);
}

int64_t
store_build_find_image(struct store *s, const char *image_sha256)
{
	return store_exec_int(s, "SELECT id FROM builds WHERE image_sha256=? ORDER BY id LIMIT 1",
	    "t", image_sha256);
}

int64_t
store_build_register(struct store *s, const struct store_build *b,
    const struct store_build_info *i, int *added)
{
	char now[32];
	int64_t id;

	if (added)
		*added = 0;
	if ((id = store_build_find_image(s, b->image_sha256)) == -1)
		return -1;
	store_now(now, sizeof(now));
	if (id == 0) {
		id = store_exec_int(s, "INSERT INTO builds(name, release, version, arch,"
		    " image_sha256, config_sha256, origin, first_seen, image_path, dtb_dir,"
		    " modules_dir, config_path, package, package_version, image_version, options,"
		    " registered) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
		    "ttttttttttttttttt", b->name, b->release, b->version, b->arch, b->image_sha256,
		    store_nonempty(b->config_sha256), b->origin, now, store_nonempty(i->image_path),
		    store_nonempty(i->dtb_dir), store_nonempty(i->modules_dir),
		    store_nonempty(i->config_path), store_nonempty(i->package),
		    store_nonempty(i->package_version), store_nonempty(i->image_version),
		    store_nonempty(i->options), now);
		if (id <= 0)
			return -1;
		if (added)
			*added = 1;
		return id;
	}
	/*
	 * Seen before (a boot, or an earlier add): where the parts are now wins (the same image
	 * may be added again from elsewhere); what the build is keeps its first value.
	 */
	if (store_exec(s, "UPDATE builds SET"
	    " config_sha256=coalesce(nullif(config_sha256, ''), ?),"
	    " image_path=coalesce(?, image_path), dtb_dir=coalesce(?, dtb_dir),"
	    " modules_dir=coalesce(?, modules_dir), config_path=coalesce(?, config_path),"
	    " package=coalesce(package, ?), package_version=coalesce(package_version, ?),"
	    " image_version=coalesce(image_version, ?), options=coalesce(options, ?),"
	    " registered=coalesce(registered, ?) WHERE id=?", "tttttttttti",
	    store_nonempty(b->config_sha256), store_nonempty(i->image_path),
	    store_nonempty(i->dtb_dir), store_nonempty(i->modules_dir),
	    store_nonempty(i->config_path), store_nonempty(i->package),
	    store_nonempty(i->package_version), store_nonempty(i->image_version),
	    store_nonempty(i->options), now, id) == -1)
		return -1;
	return id;
}

int
store_build_reported(struct store *s, int64_t build, const char *proc_version)
{
	return store_exec(s, "UPDATE builds SET reported_version=? WHERE id=?", "ti", proc_version,
	    build);
}

#define STORE_BUILD_COLS "id, name, release, version, arch, image_sha256, config_sha256, origin," \
	" first_seen, image_path, dtb_dir, modules_dir, config_path, package, package_version," \
	" image_version, options, reported_version, registered"

/* Gives each row of st (columns STORE_BUILD_COLS) to cb; rows given or -1. */
static int
store_build_rows_one(struct store *s, struct store_stmt *st, void *ctx)
{
	const struct store_visit *v = ctx;
	struct store_build_row b;

	b.id = store_col_int(s, st, 0);
	b.name = store_col_text(s, st, 1);
	b.release = store_col_text(s, st, 2);
	b.version = store_col_text(s, st, 3);
	b.arch = store_col_text(s, st, 4);
	b.image_sha256 = store_col_text(s, st, 5);
	b.config_sha256 = store_col_text(s, st, 6);
	b.origin = store_col_text(s, st, 7);
	b.first_seen = store_col_text(s, st, 8);
	b.image_path = store_col_text(s, st, 9);
	b.dtb_dir = store_col_text(s, st, 10);
	b.modules_dir = store_col_text(s, st, 11);
	b.config_path = store_col_text(s, st, 12);
	b.package = store_col_text(s, st, 13);
	b.package_version = store_col_text(s, st, 14);
	b.image_version = store_col_text(s, st, 15);
	b.options = store_col_text(s, st, 16);
	b.reported_version = store_col_text(s, st, 17);
	b.registered = store_col_text(s, st, 18);
	return ((store_build_cb)v->cb)(&b, v->arg);
}

static int
store_build_rows(struct store *s, struct store_stmt *st, store_build_cb cb, void *arg)
{
	struct store_visit v = STORE_VISIT(cb, arg);

	return store_rows(s, st, store_build_rows_one, &v);
}

int
store_builds(struct store *s, int registered_only, store_build_cb cb, void *arg)
{
	return store_build_rows(s, store_stmt(s, registered_only ? "SELECT " STORE_BUILD_COLS
	    " FROM builds WHERE registered IS NOT NULL ORDER BY id" : "SELECT " STORE_BUILD_COLS
	    " FROM builds ORDER BY id", ""), cb, arg);
}

int
store_build_get(struct store *s, int64_t id, store_build_cb cb, void *arg)
{
	return store_build_rows(s, store_stmt(s, "SELECT " STORE_BUILD_COLS " FROM builds WHERE"
	    " id=?", "i", id), cb, arg);
}
