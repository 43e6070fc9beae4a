/* control_survey: rigctl survey: the request checked, its job queued on the board (board_survey.c). */
#include "rigd.h"
#include "report.h"
#include "survey.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* "i2c,tty": names of classes ([a-z0-9_-]+), comma-separated, none empty. 1 when so. */
static int
control_survey_classes_ok(const char *s)
{
	size_t n;

	for (;;) {
		n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");
		if (n == 0 || n > 31 || s[0] == '-' || s[0] == '_')
			return 0;
		s += n;
		if (*s == '\0')
			return 1;
		if (*s != ',')
			return 0;
		s++;
	}
}

void
control_cmd_survey(struct rigd *r, struct control_client *c, cJSON *req)
{
	const char *bname = control_str(req, "board"), *classes = control_str(req, "classes");
	const char *seqs = control_str(req, "sequences");
	struct board_job *job;
	struct board *b;
	char msg[512], err[256];
	unsigned mask;

	if (bname == NULL) {
		control_reply(c, PROTO_INVALID, "survey: no board named", NULL);
		return;
	}
	if (classes && (strlen(classes) >= sizeof(job->classes) ||
	    !control_survey_classes_ok(classes))) {
		control_reply(c, PROTO_INVALID, "survey: classes must be names ([a-z0-9_-]+, at most"
		    " 31 characters) separated by commas, 255 characters in all", NULL);
		return;
	}
	if (survey_seq_parse(seqs, &mask, err, sizeof(err)) == -1) {
		util_fmt(msg, sizeof(msg), "survey: sequences: %s", err);
		control_reply(c, PROTO_INVALID, msg, NULL);
		return;
	}
	if ((b = control_board_named(r, c, bname)) == NULL)
		return;
	if (reserve_refused(r, c, b, "run on it"))
		return;
	if (!control_board_serves(c, b) ||
	    (job = control_job_new(r, c, req, JOB_SURVEY)) == NULL)
		return;
	if (classes)
		util_strlcpy(job->classes, classes, sizeof(job->classes));
	job->survey_seqs = mask;
	util_fmt(msg, sizeof(msg), "survey %s%s%s", b->conf.name, classes ? " classes " : "",
	    classes ? classes : "");
	control_job_queue(r, c, b, job, msg);
}
