/*
 * hosts: this rigd as one host of the lab. At start it registers its host and the boards it
 * serves in the store; the event loop then hands a heartbeat to the store writer (storeq)
 * every --heartbeat, never writing itself: the beat renews the leases on this host's running
 * jobs and requeues those of hosts that stopped beating. show boards adds the boards of the
 * lab's other hosts, read from the store, each with its host and whether that host beats;
 * each beat also notes which boards' hosts beat, for waits that must not ask the store.
 */
#include "rigd.h"
#include "log.h"
#include "storebuf.h"
#include "storeq.h"
#include "store.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A host is silent when this many of this rigd's heartbeat periods passed without one. */
#define HOSTS_SILENT_BEATS	3

static int64_t hosts_last_beat;	/* the loop's only: util_now_ms of the last beat queued */
static int64_t hosts_silent_ms;	/* set by hosts_register, before any beat: then immutable */
static char hosts_netns[96];	/* set by hosts_register, before any beat: then immutable */

/*
 * Whose host beats, as the last beat read the lab's boards: the store writer writes it at each
 * beat, the event loop reads it (rigctl wait board --host-alive) without asking the store.
 */
struct hosts_seen {
	char	name[64];
	char	host[64];
	char	state[16];	/* as its host last stored it */
	int	alive;
	char	console_url[96];	/* where its host shares its console, "" not shared */
	int	same_net;	/* its host's loopback is this one's (the same netns) */
};
static pthread_mutex_t hosts_seen_mu = PTHREAD_MUTEX_INITIALIZER;
static struct hosts_seen *hosts_seen;	/* hosts_seen_mu */
static int hosts_nseen;			/* hosts_seen_mu */

struct hosts_seen_read {
	const char		*host;
	int64_t			 now;
	struct hosts_seen	*seen;
	int			 n;
};

static int
hosts_seen_one(const struct store_lab_board_row *b, void *arg)
{
	struct hosts_seen_read *rd = arg;
	int64_t age = b->heartbeat_ms == STORE_NULL ? -1 : rd->now - b->heartbeat_ms;

	if (b->host == NULL)
		return 0;
	rd->seen = xrealloc(rd->seen, (size_t)(rd->n + 1) * sizeof(*rd->seen));
	util_strlcpy(rd->seen[rd->n].name, b->name, sizeof(rd->seen[0].name));
	util_strlcpy(rd->seen[rd->n].host, b->host, sizeof(rd->seen[0].host));
	util_strlcpy(rd->seen[rd->n].state, b->state ? b->state : "", sizeof(rd->seen[0].state));
	util_strlcpy(rd->seen[rd->n].console_url, b->console_url ? b->console_url : "",
	    sizeof(rd->seen[0].console_url));
	rd->seen[rd->n].same_net = b->netns != NULL && hosts_netns[0] != '\0' &&
	    strcmp(b->netns, hosts_netns) == 0;
	/*
	 * This host is alive: it is the one reading. A beat newer than now is fresh: now is
	 * when this beat was queued, and the writer may come to it after the other host beat.
	 */
	rd->seen[rd->n++].alive = strcmp(b->host, rd->host) == 0 ||
	    (b->heartbeat_ms != STORE_NULL && age <= hosts_silent_ms);
	return 0;
}

/* Reads the lab's boards into hosts_seen (the writer's, or the start's before any thread). */
static void
hosts_seen_update(struct store *st, const char *host, int64_t now)
{
	struct hosts_seen_read rd = { host, now, NULL, 0 };
	struct hosts_seen *old;

	if (store_lab_boards(st, hosts_seen_one, &rd) == -1) {
		free(rd.seen);
		return;		/* the last beat's view stands */
	}
	pthread_mutex_lock(&hosts_seen_mu);
	old = hosts_seen;
	hosts_seen = rd.seen;
	hosts_nseen = rd.n;
	pthread_mutex_unlock(&hosts_seen_mu);
	free(old);
}

int
hosts_seen_board(const char *board, char *host, size_t hostlen, char *state, size_t statelen)
{
	int i, alive = -1;

	pthread_mutex_lock(&hosts_seen_mu);
	for (i = 0; i < hosts_nseen && alive == -1; i++) {
		if (strcmp(hosts_seen[i].name, board) != 0)
			continue;
		alive = hosts_seen[i].alive;
		if (host != NULL)
			util_strlcpy(host, hosts_seen[i].host, hostlen);
		if (state != NULL)
			util_strlcpy(state, hosts_seen[i].state, statelen);
	}
	pthread_mutex_unlock(&hosts_seen_mu);
	return alive;
}

int
hosts_alive(const char *board)
{
	return hosts_seen_board(board, NULL, 0, NULL, 0);
}

/*
 * This host's network, as another host of the lab compares it: the kernel's boot id and the
 * network namespace's inode. Equal, the two share one loopback (two rigd on one machine, as
 * the tests run them); else a 127.0.0.1 of the other's is not reachable from here. "" unknown.
 */
static void
hosts_net_id(char *buf, size_t len)
{
	char boot[64] = "";
	struct stat st;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(boot, sizeof(boot), f) != NULL)
		boot[strcspn(boot, "\n")] = '\0';
	fclose(f);
	if (boot[0] != '\0' && stat("/proc/self/ns/net", &st) == 0)
		util_fmt(buf, len, "%s:%llu", boot, (unsigned long long)st.st_ino);
}

int
hosts_register(struct rigd *r, const char *const *boards, int n)
{
	char version[64];
	int rc;

	/*
	 * Jobs this host claims are its own under a lease of three beats: a host that misses
	 * three is taken for dead, and its jobs go back to the queue.
	 */
	hosts_silent_ms = HOSTS_SILENT_BEATS * r->heartbeat_ms;
	store_set_host(r->store, r->host, hosts_silent_ms);
	/* What another host must know to share the store: the protocol and the schema. */
	util_fmt(version, sizeof(version), "proto %d schema %d", PROTO_VERSION,
	    store_schema_version(r->store));
	hosts_net_id(hosts_netns, sizeof(hosts_netns));
	rc = store_host_register(r->store, r->host, version, hosts_netns, util_wall_ms());
	if (rc == 0)
		rc = store_host_boards(r->store, r->host, boards, n, board_state_name(BOARD_OFF));
	hosts_last_beat = util_now_ms();
	if (rc == 0)
		hosts_seen_update(r->store, r->host, util_wall_ms());
	return rc;
}

/*
 * On the store writer: arg is the host's name, then the wall time as text. The beat renews
 * this host's leases, then sweeps the lab's for those of hosts that stopped beating.
 */
static void
hosts_beat_write(struct store *st, void *arg)
{
	const char *host = arg, *at = host + strlen(host) + 1;
	int64_t now = strtoll(at, NULL, 10), back;
	int n;

	/* A connection lost meanwhile is made again first, and what waits is written. */
	storebuf_flush(st, 1);
	if (store_host_beat(st, host, now) == 0)
		log_warnx("host %s: heartbeat of an unregistered host", host);
	if (store_queue_renew(st, now) == -1)
		log_warnx("host %s: the leases on its running jobs could not be renewed", host);
	/*
	 * Back from a lost connection less than a lease ago: the other hosts were cut off too
	 * (PostgreSQL restarted) and may not have renewed yet; their jobs are not taken for dead.
	 */
	back = storebuf_back_ms();
	if ((back == 0 || util_now_ms() - back >= hosts_silent_ms) &&
	    (n = store_queue_expire(st, now)) > 0)
		log_warnx("nightly queue: %d job(s) whose host stopped beating are queued again",
		    n);
	hosts_seen_update(st, host, now);
}

void
hosts_tick(struct rigd *r)
{
	int64_t now = util_now_ms();
	char at[32], *arg;
	size_t n;

	storebuf_tick();
	if (now - hosts_last_beat < r->heartbeat_ms)
		return;
	hosts_last_beat = now;
	util_fmt(at, sizeof(at), "%lld", (long long)util_wall_ms());
	n = strlen(r->host) + 1;
	arg = xmalloc(n + strlen(at) + 1);
	memcpy(arg, r->host, n);
	memcpy(arg + n, at, strlen(at) + 1);
	storeq_push(hosts_beat_write, arg);
}

struct hosts_lab {
	struct rigd	*r;
	cJSON		*items;
	int64_t		 now;
};

static int
hosts_lab_one(const struct store_lab_board_row *b, void *arg)
{
	struct hosts_lab *l = arg;
	char at[40], reason[512];
	int64_t age;
	int alive;
	cJSON *o;

	/* Ours are described by their threads; a board with no host is from before hosts. */
	if (b->host == NULL || strcmp(b->host, l->r->host) == 0)
		return 0;
	age = b->heartbeat_ms == STORE_NULL ? -1 : l->now - b->heartbeat_ms;
	alive = age >= 0 && age <= HOSTS_SILENT_BEATS * l->r->heartbeat_ms;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", b->name);
	cJSON_AddStringToObject(o, "arch", b->arch ? b->arch : "");
	cJSON_AddStringToObject(o, "state", b->state ? b->state : "");
	if (alive)
		util_strlcpy(reason, b->reason ? b->reason : "", sizeof(reason));
	else
		util_fmt(reason, sizeof(reason), "host %s silent for %lld s%s%s", b->host,
		    (long long)(age < 0 ? 0 : age / 1000), b->reason ? "; last: " : "",
		    b->reason ? b->reason : "");
	cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddStringToObject(o, "updated", b->updated ? b->updated : "");
	cJSON_AddStringToObject(o, "host", b->host);
	cJSON_AddBoolToObject(o, "host_alive", alive);
	cJSON_AddStringToObject(o, "console_url", b->console_url ? b->console_url : "");
	cJSON_AddStringToObject(o, "heartbeat", b->heartbeat_ms == STORE_NULL ? "" :
	    util_iso_time(b->heartbeat_ms, at, sizeof(at)));
	cJSON_AddItemToArray(l->items, o);
	return 0;
}

int
hosts_show_boards(struct rigd *r, cJSON *items)
{
	struct hosts_lab l = { r, items, util_wall_ms() };
	cJSON *it;

	cJSON_ArrayForEach(it, items) {
		cJSON_AddStringToObject(it, "host", r->host);
		cJSON_AddBoolToObject(it, "host_alive", 1);
	}
	return store_lab_boards(r->store, hosts_lab_one, &l) == -1 ? -1 : 0;
}

struct hosts_find {
	const char	*name;
	int		 found;
};

static int
hosts_find_one(const struct store_lab_board_row *b, void *arg)
{
	struct hosts_find *f = arg;

	if (b->host != NULL && strcmp(b->name, f->name) == 0)
		f->found = 1;
	return f->found;
}

int
hosts_board_known(struct rigd *r, const char *name)
{
	struct hosts_find f = { name, 0 };

	if (board_find(r, name) != NULL)
		return 1;
	return store_lab_boards(r->store, hosts_find_one, &f) == -1 ? 0 : f.found;
}

void
hosts_consoles(struct rigd *r)
{
	const char *url;
	int i;

	for (i = 0; i < r->nboards; i++) {
		url = console_share_url(r->boards[i]);
		if (store_host_console(r->store, r->host, r->boards[i]->conf.name, url) != 1)
			log_warnx("%s: where its console is shared was not stored: rigctl console on"
			    " the lab's other hosts cannot find it", r->boards[i]->conf.name);
	}
}

int
hosts_console(struct rigd *r, struct control_client *c, const char *board)
{
	char msg[512], host[64] = "", url[96] = "", addr[64], port[16];
	enum util_addr_scope scope = UTIL_ADDR_INVALID;
	int i, found = 0, alive = 0, same = 0;
	cJSON *o;

	/* As of this host's last beat: the loop reads no store. */
	pthread_mutex_lock(&hosts_seen_mu);
	for (i = 0; i < hosts_nseen && !found; i++) {
		if (strcmp(hosts_seen[i].name, board) != 0 || strcmp(hosts_seen[i].host, r->host) == 0)
			continue;
		found = 1;
		util_strlcpy(host, hosts_seen[i].host, sizeof(host));
		util_strlcpy(url, hosts_seen[i].console_url, sizeof(url));
		alive = hosts_seen[i].alive;
		same = hosts_seen[i].same_net;
	}
	pthread_mutex_unlock(&hosts_seen_mu);
	if (!found)
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "board", board);
	cJSON_AddStringToObject(o, "host", host);
	cJSON_AddBoolToObject(o, "host_alive", alive);
	cJSON_AddStringToObject(o, "console_url", url);
	if (url[0] == '\0') {
		util_fmt(msg, sizeof(msg), "console of %s: host %s serves it and shares no console"
		    " for it (console.share off, or its port could not be had: show boards there"
		    " says why)", board, host);
		control_reply(c, PROTO_NOSUCH, msg, o);
		return 1;
	}
	/* Another machine's loopback (or any address of it) is not one this host can reach. */
	if (util_url_hostport(url, addr, sizeof(addr), port, sizeof(port)) == 0)
		scope = util_addr_scope(addr);
	if ((scope == UTIL_ADDR_LOOPBACK || scope == UTIL_ADDR_ANY) && !same) {
		if (scope == UTIL_ADDR_LOOPBACK)
			util_fmt(msg, sizeof(msg), "console of %s: host %s shares it at %s, on its"
			    " own machine only: reach it there (rigd -T ADDRESS on %s shares it on"
			    " the lab's network)", board, host, url, host);
		else
			util_fmt(msg, sizeof(msg), "console of %s: host %s shares it at %s, on every"
			    " address of its machine: connect to that machine's address, same"
			    " port", board, host, url);
		control_reply(c, PROTO_FAILED, msg, o);
		return 1;
	}
	/* rigctl connects itself: the share then judges the real user, as for anyone. */
	control_reply(c, PROTO_OK, NULL, o);
	return 1;
}
