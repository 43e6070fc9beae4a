/* vocab: the string tables of the rig's enums (vocab.h); the only place these words are spelled. */
#include <string.h>

#include "vocab.h"

static const char *const verdict_names[VERDICT__COUNT] = {
	[VERDICT_NONE] = "", [VERDICT_PASS] = "pass", [VERDICT_FAIL] = "fail",
	[VERDICT_HANG] = "hang", [VERDICT_CRASH] = "crash", [VERDICT_ERROR] = "error",
};

static const char *const step_status_names[STEP_STATUS__COUNT] = {
	[STEP_STATUS_OK] = "ok", [STEP_STATUS_FAILED] = "failed", [STEP_STATUS_TIMEOUT] = "timeout",
	[STEP_STATUS_SKIPPED] = "skipped", [STEP_STATUS_STARTED] = "started",
};

static const char *const error_kind_names[ERROR__COUNT] = {
	[ERROR_NONE] = "",
	[ERROR_BOARD_DIED] = "lab: board died",
	[ERROR_SSH_LOST] = "lab: ssh session lost",
	[ERROR_SSH_FAILED] = "lab: ssh failed",
	[ERROR_HOST_KEY_CHANGED] = "lab: host key changed",
	[ERROR_NO_RETURN] = "lab: board did not come back",
	[ERROR_BOOT_FAILED] = "lab: boot failed",
	[ERROR_WRONG_BUILD] = "lab: wrong build",
	[ERROR_CONSOLE_LOST] = "lab: console lost",
	[ERROR_INTERRUPTED] = "lab: interrupted",
	[ERROR_SCEN_CLASS] = "scenario: class not on board",
	[ERROR_SCEN_BACKGROUND] = "scenario: too many background steps",
	[ERROR_SCEN_READ] = "scenario: read needs a held, non-tty device",
	[ERROR_SCEN_NO_HOLDER] = "scenario: no holder",
	[ERROR_SCEN_NO_WAIT] = "scenario: nothing to wait for",
	[ERROR_SCEN_GONE] = "scenario: gone",
	[ERROR_SCEN_PROTECTED] = "scenario: protected device",
	[ERROR_STORE] = "store: failed",
	[ERROR_NO_SUCH_BUILD] = "request: no such build",
	[ERROR_AMBIGUOUS_BUILD] = "request: several builds match",
	[ERROR_INVALID_REQUEST] = "request: invalid",
	[ERROR_OUTPUT] = "output failed",
	[ERROR_RESERVED] = "board: reserved",
};

static const char *const queue_state_names[QUEUE_STATE__COUNT] = {
	[QUEUE_QUEUED] = "queued", [QUEUE_RUNNING] = "running", [QUEUE_DONE] = "done",
	[QUEUE_ERROR] = "error",
};

static const char *const run_state_names[RUN_STATE__COUNT] = {
	[RUN_RUNNING] = "running", [RUN_DONE] = "done",
};

static const char *const survey_state_names[SURVEY_STATE__COUNT] = {
	[SURVEY_RUNNING] = "running", [SURVEY_DONE] = "done", [SURVEY_STOPPED] = "stopped",
};

static const char *const lease_reset_names[LEASE_RESET__COUNT] = {
	[LEASE_RESET_READY] = "ready", [LEASE_RESET_OFF] = "off", [LEASE_RESET_FAULT] = "fault",
};

int
vocab_find(const char *const *names, int n, const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *
verdict_name(enum verdict v)
{
	return (unsigned)v < VERDICT__COUNT ? verdict_names[v] : "";
}

enum verdict
verdict_parse(const char *name)
{
	int i = vocab_find(verdict_names, VERDICT__COUNT, name);

	return i < 0 ? VERDICT_NONE : (enum verdict)i;
}

int
verdict_is_kernel(enum verdict v)
{
	return v == VERDICT_PASS || v == VERDICT_FAIL || v == VERDICT_HANG || v == VERDICT_CRASH;
}

int
verdict_is_failure(enum verdict v)
{
	return v == VERDICT_FAIL || v == VERDICT_HANG || v == VERDICT_CRASH;
}

const char *
step_status_name(enum step_status s)
{
	return (unsigned)s < STEP_STATUS__COUNT ? step_status_names[s] : "";
}

enum step_status
step_status_parse(const char *name)
{
	return (enum step_status)vocab_find(step_status_names, STEP_STATUS__COUNT, name);
}

const char *
error_kind_name(enum error_kind k)
{
	return (unsigned)k < ERROR__COUNT ? error_kind_names[k] : "";
}

enum error_kind
error_kind_parse(const char *name)
{
	int i = vocab_find(error_kind_names, ERROR__COUNT, name);

	return i < 0 ? ERROR_NONE : (enum error_kind)i;
}

int
error_kind_is_lab(enum error_kind k)
{
	return k >= ERROR_BOARD_DIED && k <= ERROR_INTERRUPTED;
}

const char *
queue_state_name(enum queue_state s)
{
	return (unsigned)s < QUEUE_STATE__COUNT ? queue_state_names[s] : "";
}

enum queue_state
queue_state_parse(const char *name)
{
	return (enum queue_state)vocab_find(queue_state_names, QUEUE_STATE__COUNT, name);
}

int
queue_state_is_open(enum queue_state s)
{
	return s == QUEUE_QUEUED || s == QUEUE_RUNNING;
}

const char *
run_state_name(enum run_state s)
{
	return (unsigned)s < RUN_STATE__COUNT ? run_state_names[s] : "";
}

enum run_state
run_state_parse(const char *name)
{
	return (enum run_state)vocab_find(run_state_names, RUN_STATE__COUNT, name);
}

const char *
survey_state_name(enum survey_state s)
{
	return (unsigned)s < SURVEY_STATE__COUNT ? survey_state_names[s] : "";
}

enum survey_state
survey_state_parse(const char *name)
{
	return (enum survey_state)vocab_find(survey_state_names, SURVEY_STATE__COUNT, name);
}

const char *
lease_reset_name(enum lease_reset r)
{
	return (unsigned)r < LEASE_RESET__COUNT ? lease_reset_names[r] : "";
}

enum lease_reset
lease_reset_parse(const char *name)
{
	return (enum lease_reset)vocab_find(lease_reset_names, LEASE_RESET__COUNT, name);
}
