/* console_logs: the lab's console logs kept under a total size: the oldest go first, never a live one. */
#include "rigd.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct console_log {
	char	*path;
	time_t	 mtime;
	int64_t	 size;
};

static int
console_logs_older(const void *a, const void *b)
{
	const struct console_log *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The logs of statedir/console/BOARD/boot-*.log, appended to *v; their total size. */
static int64_t
console_logs_list(const char *dir, struct console_log **v, int *n)
{
	DIR *top, *sub;
	struct dirent *d, *e;
	struct stat sb;
	char path[1200], file[1500];
	int64_t total = 0;

	if ((top = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(top)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		util_fmt(path, sizeof(path), "%s/%s", dir, d->d_name);
		if ((sub = opendir(path)) == NULL)
			continue;
		while ((e = readdir(sub)) != NULL) {
			size_t len = strlen(e->d_name);

			if (strncmp(e->d_name, "boot-", 5) != 0 || len < 4 ||
			    strcmp(e->d_name + len - 4, ".log") != 0)
				continue;
			util_fmt(file, sizeof(file), "%s/%s", path, e->d_name);
			if (lstat(file, &sb) == -1 || !S_ISREG(sb.st_mode))
				continue;
			*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
			(*v)[*n].path = xstrdup(file);
			(*v)[*n].mtime = sb.st_mtime;
			(*v)[*n].size = (int64_t)sb.st_size;
			total += (int64_t)sb.st_size;
			(*n)++;
		}
		closedir(sub);
	}
	closedir(top);
	return total;
}

static int
console_logs_live(struct rigd *r, const char *path)
{
	int i, live = 0;

	for (i = 0; i < r->nboards && !live; i++) {
		struct board *b = r->boards[i];

		pthread_mutex_lock(&b->lock);
		live = strcmp(b->con.log, path) == 0;
		pthread_mutex_unlock(&b->lock);
	}
	return live;
}

void
console_logs_sweep(struct rigd *r)
{
	struct console_log *v = NULL;
	char dir[600];
	int64_t total, freed = 0;
	int n = 0, i, removed = 0;

	if (r->console_total <= 0)
		return;
	util_fmt(dir, sizeof(dir), "%s/console", r->statedir);
	total = console_logs_list(dir, &v, &n);
	if (total > r->console_total) {
		qsort(v, (size_t)n, sizeof(*v), console_logs_older);
		for (i = 0; i < n && total - freed > r->console_total; i++) {
			if (console_logs_live(r, v[i].path))
				continue;
			if (unlink(v[i].path) == -1) {
				log_warn("console log %s", v[i].path);
				continue;
			}
			freed += v[i].size;
			removed++;
		}
		log_info("console logs: %lld bytes over the lab's %lld: %d oldest removed (%lld"
		    " bytes)", (long long)(total - r->console_total), (long long)r->console_total,
		    removed, (long long)freed);
	}
	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}
