/* control_builds: the control commands about kernel builds: add and the nightly queue. */
#include "rigd.h"
#include "boot.h"
#include "busy.h"
#include "kbuild.h"
#include "log.h"
#include "queue.h"
#include "report.h"
#include "storeq.h"
#include "util.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A board's device tree, copied on the event loop for the thread that checks the build. */
struct control_build_board {
	char	name[64], file[256], dtb[128], arch[16];
	int	line;
};

struct control_build_add {
	struct rigd	*r;
	uint64_t	 client;
	char		 what[1024], name[128], arch[16];
	int		 board_asked;	/* --board: its dtb must be in the build, else no add */
	int		 nboards;
	struct control_build_board boards[];
};

static int
control_builds_row(const struct store_build_row *b, void *arg)
{
	cJSON_AddItemToArray(arg, views_build(b));
	return 0;
}

/*
 * The boards' device trees looked up in the build: one entry per board of the build's arch that
 * names one (the asked board whatever its arch). -1 with err naming the board file's line when
 * the asked board cannot boot the build.
 */
static int
control_build_boards(const struct control_build_add *a, const struct kbuild *kb, cJSON *list,
    char *err, size_t errlen)
{
	char path[1024], why[1024];
	int i;

	for (i = 0; i < a->nboards; i++) {
		const struct control_build_board *b = &a->boards[i];
		cJSON *o;

		if (a->board_asked && strcmp(b->arch, kb->arch) != 0) {
			util_fmt(err, errlen, "%s: board %s is %s, the build is %s", b->file, b->name,
			    b->arch, kb->arch);
			return -1;
		}
		if (strcmp(b->arch, kb->arch) != 0 || b->dtb[0] == '\0')
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "board", b->name);
		cJSON_AddStringToObject(o, "dtb", b->dtb);
		if (kbuild_dtb_find(kb->dtb_dir, b->dtb, path, sizeof(path), why,
		    sizeof(why)) == 0) {
			cJSON_AddBoolToObject(o, "found", 1);
			cJSON_AddStringToObject(o, "path", path);
		} else {
			cJSON_AddBoolToObject(o, "found", 0);
			cJSON_AddStringToObject(o, "error", why);
			if (a->board_asked) {
				util_fmt(err, errlen, "%s:%d: boot.dtb %s: %s", b->file, b->line,
				    b->dtb, why);
				cJSON_Delete(o);
				return -1;
			}
		}
		cJSON_AddItemToArray(list, o);
	}
	return 0;
}

/* How far the download or the unpacking is: to whoever asked (busy_say, this thread's). */
static void
control_build_busy(void *arg, enum busy_phase phase, const char *what, uint64_t done,
    uint64_t total)
{
	struct control_build_add *a = arg;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "phase", busy_phase_name(phase));
	cJSON_AddStringToObject(o, "what", what);
	cJSON_AddNumberToObject(o, "done", (double)done);
	cJSON_AddNumberToObject(o, "total", (double)total);
	control_post_event(a->r, a->client, PROTO_EV_PROGRESS, o);
}

/* Identifying a package may download it: that happens here, off the event loop. */
static void *
control_build_add_main(void *arg)
{
	struct control_build_add *a = arg;
	struct kbuild kb;
	struct store_build sb;
	struct store_build_info info;
	char err[1200];
	int added = 0;
	int64_t id;
	cJSON *o = cJSON_CreateObject(), *boards = cJSON_CreateArray();
	int rc;

	busy_watch(control_build_busy, a);
	rc = kbuild_identify(&kb, a->what, a->name[0] ? a->name : NULL,
	    a->arch[0] ? a->arch : NULL, a->r->cachedir, err, sizeof(err));
	busy_watch(NULL, NULL);
	if (rc == -1 ||
	    control_build_boards(a, &kb, boards, err, sizeof(err)) == -1) {
		cJSON_AddStringToObject(o, "type", "result");
		cJSON_AddStringToObject(o, "status", PROTO_FAILED);
		cJSON_AddStringToObject(o, "error", err);
		control_post(a->r, a->client, o);
		cJSON_Delete(boards);
		free(a);
		return NULL;
	}
	kbuild_to_store(&kb, &sb, &info);
	id = store_build_register(a->r->store, &sb, &info, &added);
	cJSON_AddStringToObject(o, "type", "result");
	if (id <= 0) {
		cJSON_AddStringToObject(o, "status", PROTO_FAILED);
		cJSON_AddStringToObject(o, "error", "the store refused the build");
	} else {
		char opts[256];
		kbuild_options_format(&kb, opts, sizeof(opts));
		cJSON_AddStringToObject(o, "status", PROTO_OK);
		cJSON_AddNumberToObject(o, "id", (double)id);
		cJSON_AddBoolToObject(o, "added", added);
		cJSON_AddStringToObject(o, "name", kb.name);
		cJSON_AddStringToObject(o, "release", kb.release);
		cJSON_AddStringToObject(o, "version", kb.version);
		cJSON_AddStringToObject(o, "arch", kb.arch);
		cJSON_AddStringToObject(o, "image_sha256", kb.image_sha256);
		cJSON_AddStringToObject(o, "origin", kb.origin);
		cJSON_AddStringToObject(o, "options", opts);
		cJSON_AddStringToObject(o, "config_sha256", kb.config_sha256);
		cJSON_AddStringToObject(o, "modules_dir", kb.modules_dir);
		cJSON_AddStringToObject(o, "dtb_dir", kb.dtb_dir);
		cJSON_AddNumberToObject(o, "dtbs", kbuild_dtb_count(kb.dtb_dir));
		cJSON_AddItemToObject(o, "boards", boards);
		boards = NULL;
		log_info("build %lld %s: %s (%s)", (long long)id, added ? "added" : "known", kb.name,
		    kb.release);
	}
	control_post(a->r, a->client, o);
	cJSON_Delete(boards);
	free(a);
	return NULL;
}

void
control_cmd_build_add(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *what = control_str(req, "what"), *name = control_str(req, "name");
	const char *arch = control_str(req, "arch"), *board = control_str(req, "board");
	struct control_build_add *a;
	struct board *asked = NULL;
	pthread_t th;
	char msg[1200];
	int i;

	if (what == NULL || !*what) {
		control_reply(c, PROTO_INVALID, "build add: a package, .deb, folder or tarball",
		    NULL);
		return;
	}
	if (board != NULL && (asked = board_find(r, board)) == NULL) {
		util_fmt(msg, sizeof(msg), "no board %s", board);
		control_reply(c, PROTO_NOSUCH, msg, NULL);
		return;
	}
	/* The boards are immutable once started; their dtbs are copied for the thread. */
	a = xcalloc(1, sizeof(*a) + (size_t)r->nboards * sizeof(a->boards[0]));
	for (i = 0; i < r->nboards; i++) {
		const struct board_conf *bc = &r->boards[i]->conf;
		struct control_build_board *bb;
		const char *dtb;
		int line = 0;

		if (asked != NULL && r->boards[i] != asked)
			continue;
		dtb = boot_uboot_board_dtb(bc, &line);
		bb = &a->boards[a->nboards++];
		util_strlcpy(bb->name, bc->name, sizeof(bb->name));
		util_strlcpy(bb->file, bc->file, sizeof(bb->file));
		util_strlcpy(bb->arch, bc->arch, sizeof(bb->arch));
		util_strlcpy(bb->dtb, dtb ? dtb : "", sizeof(bb->dtb));
		bb->line = line;
	}
	a->board_asked = asked != NULL;
	/* A build for a board is for its architecture: an x86 image is refused for an arm64 one. */
	if (asked != NULL && (arch == NULL || !*arch))
		arch = asked->conf.arch;
	a->r = r;
	a->client = control_id(c);
	if (util_strlcpy(a->what, what, sizeof(a->what)) >= sizeof(a->what) ||
	    util_strlcpy(a->name, name ? name : "", sizeof(a->name)) >= sizeof(a->name) ||
	    util_strlcpy(a->arch, arch ? arch : "", sizeof(a->arch)) >= sizeof(a->arch)) {
		free(a);
		control_reply(c, PROTO_INVALID, "build add: argument too long", NULL);
		return;
	}
	/* Debian's kernel package names end in their flavour, which says the architecture. */
	if (!a->arch[0] && strchr(what, '/') == NULL) {
		size_t n = strlen(what);
		if (n > 6 && strcmp(what + n - 6, "-amd64") == 0)
			util_strlcpy(a->arch, "amd64", sizeof(a->arch));
		else if (strstr(what, "-armmp"))
			util_strlcpy(a->arch, "armhf", sizeof(a->arch));
		else if (n > 6 && strcmp(what + n - 6, "-arm64") == 0)
			util_strlcpy(a->arch, "arm64", sizeof(a->arch));
	}
	util_fmt(msg, sizeof(msg), "build add %s", what);
	control_action(r, control_uid(c), msg);
	control_wait_result(c);
	if (pthread_create(&th, NULL, control_build_add_main, a) != 0) {
		free(a);
		control_reply(c, PROTO_FAILED, "no thread for build add", NULL);
		return;
	}
	pthread_detach(th);
}

/* The names of a request's list (array of strings), or NULL when absent. */
static int
control_list_has(cJSON *list, const char *name)
{
	cJSON *it;

	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return 1;
	cJSON_ArrayForEach(it, list)
		if (cJSON_IsString(it) && strcmp(it->valuestring, name) == 0)
			return 1;
	return 0;
}

/* One job of a nightly: a build x board x scenario that fits, chosen on the event loop. */
struct control_nightly_job {
	int64_t	build;
	char	board[64];
	char	scenario[64];
};

/* A nightly's writes, done by the store writer, which then answers the client. */
struct control_nightly {
	struct rigd			*r;
	uint64_t			 client;
	long				 uid;
	int				 skipped;
	int				 n;
	struct control_nightly_job	 jobs[];
};

/* The store writer: the nightly and its jobs stored, the boards told, the client answered. */
static void
control_nightly_write(struct store *st, void *arg)
{
	struct control_nightly *w = arg;
	struct rigd *r = w->r;
	char msg[256];
	int64_t nightly;
	int i, jobs = 0;
	cJSON *o;

	nightly = queue_nightly_new(st, w->uid);
	if (nightly == -1) {
		control_post_reply(r, w->client, PROTO_FAILED,
		    "store: cannot read builds or queue a nightly", NULL);
		return;
	}
	for (i = 0; i < w->n; i++)
		if (queue_add(st, nightly, w->jobs[i].build, w->jobs[i].board, w->jobs[i].scenario,
		    0, NULL, 0) > 0)
			jobs++;
	for (i = 0; i < r->nboards; i++) {
		pthread_mutex_lock(&r->boards[i]->lock);
		r->boards[i]->queue_poke = 1;
		pthread_mutex_unlock(&r->boards[i]->lock);
		pthread_cond_broadcast(&r->boards[i]->cond);
	}
	util_fmt(msg, sizeof(msg), "nightly %lld: %d jobs", (long long)nightly, jobs);
	control_action_log(w->uid, msg);
	if (store_action(st, w->uid, msg) == -1)
		log_warnx("action not stored: %s", msg);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "nightly", (double)nightly);
	cJSON_AddNumberToObject(o, "jobs", jobs);
	cJSON_AddNumberToObject(o, "skipped", w->skipped);
	control_post_reply(r, w->client, jobs > 0 ? PROTO_OK : PROTO_NOSUCH, jobs > 0 ? NULL :
	    "no build x scenario x board fits (builds are added with rigctl build add)", o);
}

/* The survey entry of a build: a job on each board listed (all: none listed) of its arch. */
static void
control_nightly_survey(struct rigd *r, struct control_nightly **wp, int *cap, int64_t bid,
    const char *arch, cJSON *boards)
{
	struct control_nightly *w = *wp;
	int k;

	for (k = 0; k < r->nboards; k++) {
		struct board *b = r->boards[k];
		struct control_nightly_job *j;

		if (!control_list_has(boards, b->conf.name))
			continue;
		if (strcmp(b->conf.arch, arch) != 0) {
			w->skipped++;
			continue;
		}
		if (w->n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			w = xrealloc(w, sizeof(*w) + (size_t)*cap * sizeof(w->jobs[0]));
		}
		j = &w->jobs[w->n++];
		j->build = bid;
		util_strlcpy(j->board, b->conf.name, sizeof(j->board));
		util_strlcpy(j->scenario, BOARD_NIGHTLY_SURVEY, sizeof(j->scenario));
	}
	*wp = w;
}

void
control_cmd_nightly(struct rigd *r, struct control_client *c, cJSON *req)
{
	cJSON *builds = cJSON_GetObjectItem(req, "builds");
	cJSON *scens = cJSON_GetObjectItem(req, "scenarios");
	cJSON *boards = cJSON_GetObjectItem(req, "boards");
	cJSON *rows, *row, *it, *ids = cJSON_CreateArray();
	struct control_nightly *w;
	char err[256], msg[256];
	enum error_kind kind = ERROR_NONE;
	uint64_t client = control_id(c);
	int i, k, cap = 0;

	/* Names given must all exist: a typo must not shrink the night silently. */
	cJSON_ArrayForEach(it, builds) {
		int64_t id;
		if (!cJSON_IsString(it) ||
		    (id = report_build_find(r->store, it->valuestring, err, sizeof(err),
		    &kind)) <= 0) {
			cJSON_Delete(ids);
			control_reply(c, cJSON_IsString(it) ? control_status(kind) : PROTO_NOSUCH,
			    cJSON_IsString(it) ? err : "builds: names", NULL);
			return;
		}
		cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)id));
	}
	cJSON_ArrayForEach(it, scens)
		if (!cJSON_IsString(it) || (scenset_lookup(r, it->valuestring) == NULL &&
		    strcmp(it->valuestring, BOARD_NIGHTLY_SURVEY) != 0)) {
			cJSON_Delete(ids);
			util_fmt(msg, sizeof(msg), "no scenario %s",
			    cJSON_IsString(it) ? it->valuestring : "?");
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
	cJSON_ArrayForEach(it, boards)
		if (!cJSON_IsString(it) || board_find(r, it->valuestring) == NULL) {
			cJSON_Delete(ids);
			util_fmt(msg, sizeof(msg), "no board %s",
			    cJSON_IsString(it) ? it->valuestring : "?");
			control_reply(c, PROTO_NOSUCH, msg, NULL);
			return;
		}
	/* Without a list: every build added by hand (the ones with a package a lab can boot). */
	rows = cJSON_CreateArray();
	if (store_builds(r->store, 1, control_builds_row, rows) == -1) {
		cJSON_Delete(rows);
		cJSON_Delete(ids);
		control_reply(c, PROTO_FAILED, "store: cannot read builds or queue a nightly", NULL);
		return;
	}
	/* The jobs are chosen here, from the loop's view of boards and scenarios; written later. */
	w = xcalloc(1, sizeof(*w));
	w->r = r;
	w->client = client;
	w->uid = control_uid(c);
	cJSON_ArrayForEach(row, rows) {
		int64_t bid = (int64_t)cJSON_GetObjectItem(row, "id")->valuedouble;
		const char *arch = cJSON_GetObjectItem(row, "arch")->valuestring;
		int wanted = cJSON_GetArraySize(ids) == 0;

		cJSON_ArrayForEach(it, ids)
			if ((int64_t)it->valuedouble == bid)
				wanted = 1;
		if (!wanted)
			continue;
		/* The survey only when named: a night of every scenario is not also a survey. */
		if (cJSON_GetArraySize(scens) > 0 && control_list_has(scens, BOARD_NIGHTLY_SURVEY))
			control_nightly_survey(r, &w, &cap, bid, arch, boards);
		for (i = 0; i < r->nscens; i++) {
			const struct scenario *sc = &r->scens[i];
			if (!control_list_has(scens, sc->name))
				continue;
			for (k = 0; k < r->nboards; k++) {
				struct board *b = r->boards[k];
				struct control_nightly_job *j;
				if (!control_list_has(boards, b->conf.name))
					continue;
				/* A build runs where its architecture and the scenario's devices are. */
				if (strcmp(b->conf.arch, arch) != 0 || !board_offers(b, sc)) {
					w->skipped++;
					continue;
				}
				if (w->n == cap) {
					cap = cap ? cap * 2 : 16;
					w = xrealloc(w, sizeof(*w) + (size_t)cap * sizeof(w->jobs[0]));
				}
				j = &w->jobs[w->n++];
				j->build = bid;
				util_strlcpy(j->board, b->conf.name, sizeof(j->board));
				util_strlcpy(j->scenario, sc->name, sizeof(j->scenario));
			}
		}
	}
	cJSON_Delete(rows);
	cJSON_Delete(ids);
	/* The store writer answers once the nightly is stored; the event loop does not wait. */
	control_wait_result(c);
	if (storeq_push(control_nightly_write, w) == -1)
		control_post_reply(r, client, PROTO_FAILED, "store: the writer is too far behind",
		    NULL);
}
