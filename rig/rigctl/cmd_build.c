/* cmd_build: rigctl build add: registers a kernel build (package, .deb, folder or tarball). */
#include "rigctl.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
cmd_build_usage(FILE *f)
{
	fprintf(f, "usage: rigctl build add PACKAGE|FILE.deb|DIR|TARBALL [--name N] [--arch A]"
	    " [--board B] [--json]\n");
	return f == stdout ? RIGCTL_PASS : RIGCTL_LAB_ERROR;
}

int
cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "arch", required_argument, NULL, 'a' },
		{ "board", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *arch = NULL, *board = NULL;
	char path[PATH_MAX];
	cJSON *req, *res, *it;
	int ch;

	while ((ch = getopt_long(argc, argv, "n:a:b:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'a': arch = optarg; break;
		case 'b': board = optarg; break;
		case 'j': rigctl_json = 1; break;
		case 'h': return cmd_build_usage(stdout);
		default: return cmd_build_usage(stderr);
		}
	}
	if (optind != argc - 2 || strcmp(argv[optind], "add") != 0)
		return cmd_build_usage(stderr);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "build-add");
	/* rigd runs elsewhere: a file or folder given here is sent as an absolute path. */
	if (access(argv[optind + 1], F_OK) == 0 && realpath(argv[optind + 1], path))
		cJSON_AddStringToObject(req, "what", path);
	else
		cJSON_AddStringToObject(req, "what", argv[optind + 1]);
	if (name)
		cJSON_AddStringToObject(req, "name", name);
	if (arch)
		cJSON_AddStringToObject(req, "arch", arch);
	if (board)
		cJSON_AddStringToObject(req, "board", board);
	res = rigctl_call(req);
	if (rigctl_json) {
		rigctl_print_json(res);
		cJSON_Delete(res);
		return RIGCTL_PASS;
	}
	printf("build %d %s: %s\n  release %s, version %s, %s\n  image sha256 %s\n  origin %s\n"
	    "  options %s\n", cJSON_GetObjectItem(res, "id")->valueint,
	    cJSON_IsTrue(cJSON_GetObjectItem(res, "added")) ? "added" : "already known",
	    rigctl_str(res, "name"), rigctl_str(res, "release"), rigctl_str(res, "version"),
	    rigctl_str(res, "arch"), rigctl_str(res, "image_sha256"), rigctl_str(res, "origin"),
	    *rigctl_str(res, "options") ? rigctl_str(res, "options") : "(no config)");
	if (*rigctl_str(res, "config_sha256"))
		printf("  config sha256 %s\n", rigctl_str(res, "config_sha256"));
	printf("  modules %s\n", *rigctl_str(res, "modules_dir") ? rigctl_str(res, "modules_dir") :
	    "(none)");
	if (*rigctl_str(res, "dtb_dir"))
		printf("  dtbs %d in %s\n", cJSON_GetObjectItem(res, "dtbs") ?
		    cJSON_GetObjectItem(res, "dtbs")->valueint : 0, rigctl_str(res, "dtb_dir"));
	else
		printf("  dtbs (none)\n");
	/* Each board of the build's architecture that names a device tree: there or not. */
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(res, "boards"))
		printf("  board %s: %s %s\n", rigctl_str(it, "board"), rigctl_str(it, "dtb"),
		    cJSON_IsTrue(cJSON_GetObjectItem(it, "found")) ? "found" :
		    rigctl_str(it, "error"));
	cJSON_Delete(res);
	return RIGCTL_PASS;
}
