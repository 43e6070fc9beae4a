/* survey_resume: surveys of rigctl that a stopped rigd left running, queued again at its start. */
#include "rigd.h"
#include "log.h"
#include "util.h"

#include <string.h>

static int
survey_resume_one(const struct store_survey_row *v, void *arg)
{
	struct rigd *r = arg;
	struct board *b = board_find(r, v->board);
	struct board_job *job;

	/* A board this rigd does not serve (-B) keeps its survey for the rigd that does. */
	if (b == NULL)
		return 0;
	job = xcalloc(1, sizeof(*job));
	job->kind = JOB_SURVEY;
	job->uid = v->uid == STORE_NULL ? 0 : (long)v->uid;
	job->build_id = v->build_id == STORE_NULL ? 0 : v->build_id;
	job->survey_seqs = (unsigned)v->sequences;
	job->survey_id = v->id;
	if (v->classes)
		util_strlcpy(job->classes, v->classes, sizeof(job->classes));
	log_info("%s: survey %lld resumed (%lld run(s) stored before the restart)", v->board,
	    (long long)v->id, (long long)v->runs);
	board_enqueue(b, job);
	return 0;
}

int
survey_resume_queue(struct rigd *r)
{
	return store_surveys_open(r->store, survey_resume_one, r);
}
