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
	fprintf(f, "usage: rigctl build add PACKAGE|FILE.deb|DIR|TARBALL [--name N] [--arch A]\n");
	return f == stdout ? RIGCTL_PASS : RIGCTL_LAB_ERROR;
}

int
cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "arch", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *arch = NULL;
	char path[PATH_MAX];
	cJSON *req, *res;
	int ch;

	while ((ch = getopt_long(argc, argv, "n:a:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'a': arch = optarg; break;
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
	res = rigctl_call(req);
	printf("build %d %s: %s\n  release %s, version %s, %s\n  image sha256 %s\n  origin %s\n"
	    "  options %s\n", cJSON_GetObjectItem(res, "id")->valueint,
	    cJSON_IsTrue(cJSON_GetObjectItem(res, "added")) ? "added" : "already known",
	    rigctl_str(res, "name"), rigctl_str(res, "release"), rigctl_str(res, "version"),
	    rigctl_str(res, "arch"), rigctl_str(res, "image_sha256"), rigctl_str(res, "origin"),
	    *rigctl_str(res, "options") ? rigctl_str(res, "options") : "(no config)");
	cJSON_Delete(res);
	return RIGCTL_PASS;
}
