/* cmd_triage: titles the crash reports in console logs, without a daemon. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd_triage.h"
#include "triage.h"

struct cmd_triage_out {
	const char	*file;
	int		 json;
	int		 many;	/* more than one file: name each report's file */
};

static void
cmd_triage_print(const struct triage_report *r, void *arg)
{
	const struct cmd_triage_out *o = arg;

	if (o->json) {
		cJSON *j = cJSON_CreateObject();
		char *s;
		if (j == NULL)
			return;
		cJSON_AddStringToObject(j, "title", r->title);
		cJSON_AddStringToObject(j, "type", r->type);
		cJSON_AddBoolToObject(j, "corrupted", r->corrupted);
		cJSON_AddStringToObject(j, "frame", r->frame);
		cJSON_AddNumberToObject(j, "start", (double)r->start);
		cJSON_AddNumberToObject(j, "end", (double)r->end);
		if ((s = cJSON_PrintUnformatted(j)) != NULL) {
			printf("%s\n", s);
			cJSON_free(s);
		}
		cJSON_Delete(j);
		return;
	}
	if (o->many)
		printf("%s: ", o->file);
	printf("%s\n", r->title);
	printf("  type %s, frame %s, bytes %llu-%llu%s\n", r->type, r->frame[0] ? r->frame : "-",
	    (unsigned long long)r->start, (unsigned long long)r->end,
	    r->corrupted ? ", corrupted" : "");
}

/* Streams the file through the engine: logs of any size cost the same memory. */
static int
cmd_triage_file(struct cmd_triage_out *o)
{
	static char buf[1 << 16];
	FILE *fp = strcmp(o->file, "-") == 0 ? stdin : fopen(o->file, "rb");
	struct triage *t;
	size_t n;
	int err;

	if (fp == NULL) {
		fprintf(stderr, "rigctl triage: %s: %s\n", o->file, strerror(errno));
		return -1;
	}
	if ((t = triage_new(cmd_triage_print, o)) == NULL) {
		fprintf(stderr, "rigctl triage: out of memory\n");
		if (fp != stdin)
			fclose(fp);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		triage_feed(t, buf, n);
	err = ferror(fp);
	triage_flush(t);
	triage_free(t);
	if (fp != stdin)
		fclose(fp);
	if (err) {
		fprintf(stderr, "rigctl triage: %s: read error\n", o->file);
		return -1;
	}
	return 0;
}

int
cmd_triage(int argc, char **argv)
{
	struct cmd_triage_out o = { NULL, 0, 0 };
	int i, nfiles = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			o.json = 1;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: rigctl triage [--json] FILE...\n"
			    "  Finds kernel crash reports in console logs and titles them as syzbot does.\n"
			    "  Per report: title, type, guilty frame, byte range, corrupted flag;\n"
			    "  --json prints one object per report per line. FILE - reads stdin.\n"
			    "  Exit 0 whether or not crashes were found, 2 if a file cannot be read.\n");
			return 0;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "rigctl triage: unknown option %s\n", argv[i]);
			return 2;
		} else
			nfiles++;
	}
	nfiles += argc - i;
	if (nfiles == 0) {
		fprintf(stderr, "usage: rigctl triage [--json] FILE...\n");
		return 2;
	}
	o.many = nfiles > 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc; i++) {
				o.file = argv[i];
				if (cmd_triage_file(&o) == -1)
					rc = 2;
			}
			break;
		}
		o.file = argv[i];
		if (cmd_triage_file(&o) == -1)
			rc = 2;
	}
	fflush(stdout);
	return rc;
}
