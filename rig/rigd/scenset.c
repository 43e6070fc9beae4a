/* scenset: the loaded scenarios as immutable, refcounted sets: the event loop's current one, reloads, and the references jobs hold. */
#include "rigd.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A loaded set of scenarios: immutable once made, freed with its last reference. */
struct scenset {
	atomic_int		 refs;
	int			 n;
	struct scenario		*v;
};

static struct scenset *
scenset_new(struct scenario *v, int n)
{
	struct scenset *set = xcalloc(1, sizeof(*set));

	atomic_init(&set->refs, 1);
	set->v = v;
	set->n = n;
	return set;
}

struct scenset *
scenset_hold(struct rigd *r)
{
	struct scenset *set;

	pthread_mutex_lock(&r->scens_lock);
	set = r->scenset;
	atomic_fetch_add(&set->refs, 1);
	pthread_mutex_unlock(&r->scens_lock);
	return set;
}

void
scenset_release(struct scenset *set)
{
	if (set == NULL || atomic_fetch_sub(&set->refs, 1) != 1)
		return;
	free(set->v);
	free(set);
}

const struct scenario *
scenset_find(const struct scenset *set, const char *name)
{
	int i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].name, name) == 0)
			return &set->v[i];
	return NULL;
}

const struct scenario *
scenset_lookup(struct rigd *r, const char *name)
{
	int i;

	for (i = 0; i < r->nscens; i++)
		if (strcmp(r->scens[i].name, name) == 0)
			return &r->scens[i];
	return NULL;
}

static int
scenset_yaml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

/* Loads every scenario file; all errors are reported. Returns the count or -1. */
int
scenset_load(const char *dir, struct scenario **out, struct conf_errors *errs)
{
	struct dirent **names;
	struct scenario *s;
	int n, i, k = 0, bad = 0;

	n = scandir(dir, &names, scenset_yaml_name, alphasort);
	if (n == -1) {
		conf_errors_add(errs, dir, 0, "%s", strerror(errno));
		return -1;
	}
	s = xcalloc((size_t)n + 1, sizeof(*s));
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];
		util_fmt(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (scenario_load(path, &s[k], errs) == 0)
			k++;
		else
			bad = 1;
		free(names[i]);
	}
	free(names);
	if (bad) {
		free(s);
		return -1;
	}
	*out = s;
	return k;
}

void
scenset_install(struct rigd *r, struct scenario *v, int n)
{
	struct scenset *old;

	pthread_mutex_lock(&r->scens_lock);
	old = r->scenset;
	r->scenset = scenset_new(v, n);
	r->scens = v;
	r->nscens = n;
	pthread_mutex_unlock(&r->scens_lock);
	scenset_release(old);
}

void
scenset_reload(struct rigd *r)
{
	struct conf_errors errs = { 0 };
	struct scenario *s;
	int n;

	/*
	 * Jobs and board threads hold a reference on the set their scenario lives in: a reload
	 * swaps in a new set, and the old one goes with its last job.
	 */
	n = scenset_load(r->scendir, &s, &errs);
	if (n < 0) {
		int i;
		for (i = 0; i < errs.n; i++)
			log_warnx("reload: %s", errs.msg[i]);
		log_warnx("reload: scenarios kept as they were");
		conf_errors_free(&errs);
		return;
	}
	scenset_install(r, s, n);
	log_info("reload: %d scenarios", n);
}

