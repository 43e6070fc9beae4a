/*
 * http_assets: the dashboard's style sheet and scripts live as files in dashboards/ (rigd -D),
 * so a lab can restyle its pages without rebuilding rigd. They are read once, before the HTTP
 * server starts, and inlined into each page: one request a page, nothing fetched from
 * elsewhere. A missing file costs only looks or live updates: every page works without them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_assets.h"
#include "log.h"

/* A sheet or script larger than this is a mistake, not a dashboard. */
#define HTTP_ASSET_MAX	(256 * 1024)

static const char *const http_asset_names[HTTP_ASSET_COUNT] = {
	[HTTP_ASSET_CSS] = "rig.css",
	[HTTP_ASSET_LAB_JS] = "lab.js",
	[HTTP_ASSET_CONSOLE_JS] = "console.js",
};

/* Written by http_assets_load before the server's threads exist; read-only after. */
static char *http_asset_text[HTTP_ASSET_COUNT];

static char *
http_asset_read(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t n;

	if (fp == NULL) {
		log_warnx("dashboard: %s: %s (pages are served without it)", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(HTTP_ASSET_MAX + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, HTTP_ASSET_MAX + 1, fp);
	if (ferror(fp) || n > HTTP_ASSET_MAX) {
		log_warnx("dashboard: %s: %s (pages are served without it)", path,
		    ferror(fp) ? "read error" : "larger than 256 KiB");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		log_warnx("dashboard: %s: has a NUL byte (pages are served without it)", path);
		free(buf);
		return NULL;
	}
	return buf;
}

void
http_assets_load(const char *dir)
{
	char path[1024];
	int i;

	http_assets_free();
	for (i = 0; i < HTTP_ASSET_COUNT; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, http_asset_names[i]) >=
		    sizeof(path)) {
			log_warnx("dashboard: %s: path too long", dir);
			continue;
		}
		http_asset_text[i] = http_asset_read(path);
	}
}

const char *
http_assets_get(enum http_asset a)
{
	if ((unsigned)a >= HTTP_ASSET_COUNT || http_asset_text[a] == NULL)
		return "";
	return http_asset_text[a];
}

void
http_assets_free(void)
{
	int i;

	for (i = 0; i < HTTP_ASSET_COUNT; i++) {
		free(http_asset_text[i]);
		http_asset_text[i] = NULL;
	}
}
