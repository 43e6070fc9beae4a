/* http_assets: the dashboard's style sheet and scripts, read from rigd's -D folder. */
#ifndef HTTP_ASSETS_H
#define HTTP_ASSETS_H

enum http_asset {
	HTTP_ASSET_CSS,		/* rig.css: every page's <style> */
	HTTP_ASSET_LAB_JS,	/* lab.js: the lab page's live updates */
	HTTP_ASSET_CONSOLE_JS,	/* console.js: a board page's live console */
	HTTP_ASSET_COUNT
};

/* Reads every asset from dir; a missing or unreadable one is logged and served empty. */
void http_assets_load(const char *dir);
/* The asset's text ("" when it could not be read); immutable once http_start has run. */
const char *http_assets_get(enum http_asset a);
void http_assets_free(void);

#endif
