/* scenario: a scenario file (scenarios/NAME.yaml) read and checked into struct scenario. */
#include "conf.h"
#include "util.h"
#include "yamlnode.h"

#include <stdio.h>
#include <string.h>

/* In enum step_kind order: the index of a word is its kind. */
static const char *const scenario_actions[] = {
	"hold", "release", "unbind", "bind", "read", "expect-present", "expect-gone",
	"expect-holder", "wait", "sleep", "shell", "poweroff", "cut", NULL
};
static const char *const scenario_top_keys[] = {
	"name", "description", "fresh-boot", "steps", NULL
};
static const char *const scenario_step_options[] = {
	"timeout", "background", "name", "watch", NULL
};
static const char *const scenario_holder_states[] = { "running", "exited", NULL };
static const char *const scenario_poweroff_args[] = { "clean", NULL };
static const char *const scenario_cut_args[] = { "power", NULL };

#define SCENARIO_DEFAULT_TIMEOUT_MS	(10 * 1000)
#define SCENARIO_MAX_CLASSES		((int)UTIL_NELEM(((struct scenario *)0)->classes))

const char *
step_kind_name(enum step_kind k)
{
	if ((unsigned)k < UTIL_NELEM(scenario_actions) - 1)
		return scenario_actions[k];
	return "?";
}

/*
 * Steps that return at once (or are themselves waiting) gain nothing from the background, and a
 * holder is already a background process of its own.
 */
static int
scenario_may_background(enum step_kind k)
{
	switch (k) {
	case STEP_HOLD:
	case STEP_EXPECT_PRESENT:
	case STEP_EXPECT_GONE:
	case STEP_EXPECT_HOLDER:
	case STEP_WAIT:
	case STEP_SLEEP:
		return 0;
	default:
		return 1;
	}
}

static int
scenario_find_word(const char *const *words, const char *w)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return -1;
}

/* What the checker knows of the steps before the current one. */
struct scenario_state {
	char	held[SCEN_MAX_STEPS][32];	/* classes with a live holder */
	int	nheld;
	int	ever_held;
};

static int
scenario_held(struct scenario_state *st, const char *cls)
{
	int i;

	for (i = 0; i < st->nheld; i++)
		if (strcmp(st->held[i], cls) == 0)
			return i;
	return -1;
}

static void
scenario_add_class(struct yamlnode_ctx *c, struct scenario *s, const char *cls, int line)
{
	int i;

	for (i = 0; i < s->nclasses; i++)
		if (strcmp(s->classes[i], cls) == 0)
			return;
	if (s->nclasses == SCENARIO_MAX_CLASSES) {
		conf_errors_add(c->errs, c->path, line, "more than %d device classes ('%s')",
		    SCENARIO_MAX_CLASSES, cls);
		return;
	}
	util_strlcpy(s->classes[s->nclasses++], cls, sizeof(s->classes[0]));
}

/* The action's argument, checked for its kind; the state of holders follows the steps. */
static void
scenario_step_arg(struct yamlnode_ctx *c, struct scenario *s, struct scen_step *st,
    const struct yamlnode *arg, struct scenario_state *state)
{
	const char *what = step_kind_name(st->kind);
	int i, h;

	switch (st->kind) {
	case STEP_EXPECT_HOLDER:
		yamlnode_word(c, arg, what, scenario_holder_states, st->arg, sizeof(st->arg));
		if (!state->ever_held)
			conf_errors_add(c->errs, c->path, st->line,
			    "expect-holder: no earlier step holds a device");
		return;
	case STEP_POWEROFF:
		yamlnode_word(c, arg, what, scenario_poweroff_args, st->arg, sizeof(st->arg));
		state->nheld = 0;	/* the holders die with the board */
		return;
	case STEP_CUT:
		yamlnode_word(c, arg, what, scenario_cut_args, st->arg, sizeof(st->arg));
		state->nheld = 0;
		return;
	case STEP_SLEEP:
		if (yamlnode_duration(c, arg, what, &st->timeout_ms) == 0)
			yamlnode_str(c, arg, what, st->arg, sizeof(st->arg));
		return;
	case STEP_SHELL:
		yamlnode_str(c, arg, what, st->arg, sizeof(st->arg));
		return;
	case STEP_WAIT:
		if (yamlnode_name(c, arg, what, st->arg, sizeof(st->arg)) == -1)
			return;
		/* Names of background steps are unique, so the first match is the one. */
		h = -1;
		for (i = 0; i < (int)(st - s->steps); i++) {
			if (strcmp(s->steps[i].name, st->arg) != 0)
				continue;
			if (s->steps[i].background)
				return;
			h = i;
		}
		if (h < 0)
			conf_errors_add(c->errs, c->path, arg->line,
			    "wait: no earlier step is named '%s'", st->arg);
		else
			conf_errors_add(c->errs, c->path, arg->line,
			    "wait: step '%s' (line %d) does not run in the background", st->arg,
			    s->steps[h].line);
		return;
	default:
		break;
	}

	/* The class-taking steps. */
	if (yamlnode_name(c, arg, what, st->arg, sizeof(s->classes[0])) == -1)
		return;
	scenario_add_class(c, s, st->arg, arg->line);
	h = scenario_held(state, st->arg);
	if (st->kind == STEP_HOLD) {
		if (h >= 0)
			conf_errors_add(c->errs, c->path, arg->line,
			    "hold: '%s' is already held by an earlier step", st->arg);
		else
			util_strlcpy(state->held[state->nheld++], st->arg, sizeof(state->held[0]));
		state->ever_held = 1;
	} else if (st->kind == STEP_RELEASE || st->kind == STEP_READ) {
		if (h < 0)
			conf_errors_add(c->errs, c->path, arg->line,
			    "%s: '%s' is not held (a hold step must come first)", what, st->arg);
		else if (st->kind == STEP_RELEASE)
			memmove(state->held[h], state->held[h + 1],
			    (state->nheld-- - h - 1) * sizeof(state->held[0]));
	}
}

static void
scenario_step(struct yamlnode_ctx *c, struct scenario *s, const struct yamlnode *n,
    struct scenario_state *state)
{
	struct scen_step *st = &s->steps[s->nsteps];
	const struct yamlnode *key, *val;
	int i, k;

	memset(st, 0, sizeof(*st));
	st->line = n->line;
	st->timeout_ms = SCENARIO_DEFAULT_TIMEOUT_MS;
	st->watch = 1;
	if (n->kind != YAMLNODE_MAP) {
		yamlnode_error(c, n,
		    "step: expected a mapping that starts with its action (- hold: i2c)");
		return;
	}
	if (n->n == 0) {
		yamlnode_error(c, n, "step: no action");
		return;
	}
	k = scenario_find_word(scenario_actions, n->keys[0]->value);
	if (k < 0) {
		if (scenario_find_word(scenario_step_options, n->keys[0]->value) >= 0)
			conf_errors_add(c->errs, c->path, n->keys[0]->line,
			    "step: the action comes first, then '%s'", n->keys[0]->value);
		else
			conf_errors_add(c->errs, c->path, n->keys[0]->line,
			    "step: unknown action '%s' (known: hold, release, unbind, bind, read, "
			    "expect-present, expect-gone, expect-holder, wait, sleep, shell, poweroff, "
			    "cut)", n->keys[0]->value);
		return;
	}
	/* Counted from here on, so that a wait can refer to it even if its options are wrong. */
	s->nsteps++;
	st->kind = (enum step_kind)k;
	util_strlcpy(st->name, step_kind_name(st->kind), sizeof(st->name));
	st->line = n->keys[0]->line;

	for (i = 1; i < n->n; i++) {
		key = n->keys[i];
		val = n->items[i];
		if (strcmp(key->value, "timeout") == 0) {
			if (st->kind == STEP_SLEEP)
				conf_errors_add(c->errs, c->path, key->line,
				    "timeout: not for sleep (its argument is the duration)");
			else if (st->kind == STEP_WAIT)
				conf_errors_add(c->errs, c->path, key->line,
				    "timeout: not for wait (the background step's own timeout holds)");
			else
				yamlnode_duration(c, val, "timeout", &st->timeout_ms);
		} else if (strcmp(key->value, "background") == 0) {
			if (yamlnode_bool(c, val, "background", &st->background) == 0 &&
			    st->background && !scenario_may_background(st->kind)) {
				conf_errors_add(c->errs, c->path, key->line,
				    "background: not for %s", step_kind_name(st->kind));
				st->background = 0;
			}
		} else if (strcmp(key->value, "name") == 0) {
			yamlnode_name(c, val, "name", st->name, sizeof(st->name));
		} else if (strcmp(key->value, "watch") == 0) {
			/* Only a sysfs write has a writer to watch (its shell's PID, see runner.c). */
			if (yamlnode_bool(c, val, "watch", &st->watch) == 0 &&
			    st->kind != STEP_UNBIND && st->kind != STEP_BIND) {
				conf_errors_add(c->errs, c->path, key->line,
				    "watch: only for unbind and bind");
				st->watch = 1;
			}
		} else if (scenario_find_word(scenario_actions, key->value) >= 0) {
			conf_errors_add(c->errs, c->path, key->line,
			    "step: one action per step ('%s' after '%s')", key->value,
			    step_kind_name(st->kind));
		} else {
			conf_errors_add(c->errs, c->path, key->line,
			    "step: unknown key '%s' (known: the action, timeout, background, name, watch)",
			    key->value);
		}
	}

	/* A wait must know which background step it joins. */
	if (st->background) {
		for (i = 0; i < s->nsteps - 1; i++) {
			if (s->steps[i].background && strcmp(s->steps[i].name, st->name) == 0) {
				conf_errors_add(c->errs, c->path, st->line,
				    "step: a background step named '%s' already runs from line %d: "
				    "give this one a name:", st->name, s->steps[i].line);
				break;
			}
		}
	}
	scenario_step_arg(c, s, st, n->items[0], state);
}

/* The file's name without folders and ".yaml": what the scenario is called by. */
static void
scenario_file_name(const char *path, char *dst, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	util_strlcpy(dst, base, size);
	len = strlen(dst);
	if (len > 5 && strcmp(dst + len - 5, ".yaml") == 0)
		dst[len - 5] = '\0';
	else if (len > 4 && strcmp(dst + len - 4, ".yml") == 0)
		dst[len - 4] = '\0';
}

static void
scenario_description(struct yamlnode_ctx *c, const struct yamlnode *n, struct scenario *s)
{
	size_t len;

	if (n->kind != YAMLNODE_SCALAR) {
		yamlnode_str(c, n, "description", s->description, sizeof(s->description));
		return;
	}
	/* A folded block (>) ends in a newline that is no part of the text. */
	len = strlen(n->value);
	while (len > 0 && strchr(" \t\n", n->value[len - 1]) != NULL)
		len--;
	if (len >= sizeof(s->description)) {
		yamlnode_error(c, n,
		    "description: too long (%zu characters, at most %zu)", len,
		    sizeof(s->description) - 1);
		return;
	}
	memcpy(s->description, n->value, len);
	s->description[len] = '\0';
}

int
scenario_load(const char *path, struct scenario *s, struct conf_errors *errs)
{
	struct yamlnode_ctx c = { .path = path, .errs = errs };
	struct scenario_state state;
	const struct yamlnode *n, *steps;
	struct yamlnode *root;
	char fname[256];
	int before = errs->n, i;

	memset(s, 0, sizeof(*s));
	memset(&state, 0, sizeof(state));
	if (util_strlcpy(s->file, path, sizeof(s->file)) >= sizeof(s->file)) {
		conf_errors_add(errs, path, 0, "path too long (at most %zu characters)",
		    sizeof(s->file) - 1);
		return -1;
	}
	root = yamlnode_load(path, errs);
	if (root == NULL)
		return -1;
	if (yamlnode_is_map(&c, root, "scenario file") == -1)
		goto out;
	yamlnode_known_keys(&c, root, "", scenario_top_keys);

	n = yamlnode_need(&c, root, "", "name");
	if (n != NULL && yamlnode_name(&c, n, "name", s->name, sizeof(s->name)) == 0) {
		scenario_file_name(path, fname, sizeof(fname));
		if (strcmp(s->name, fname) != 0)
			conf_errors_add(errs, path, n->line,
			    "name: '%s' must be the file's name ('%s')", s->name, fname);
	}
	n = yamlnode_get(root, "description");
	if (n != NULL)
		scenario_description(&c, n, s);
	n = yamlnode_get(root, "fresh-boot");
	if (n != NULL)
		yamlnode_bool(&c, n, "fresh-boot", &s->fresh_boot);

	steps = yamlnode_need(&c, root, "", "steps");
	if (steps != NULL && yamlnode_is_seq(&c, steps, "steps") == 0) {
		if (steps->n == 0)
			conf_errors_add(errs, path, steps->line, "steps: none given");
		for (i = 0; i < steps->n; i++) {
			if (s->nsteps == SCEN_MAX_STEPS) {
				conf_errors_add(errs, path, steps->items[i]->line,
				    "steps: more than %d", SCEN_MAX_STEPS);
				break;
			}
			scenario_step(&c, s, steps->items[i], &state);
		}
	}
out:
	yamlnode_free(root);
	return errs->n == before ? 0 : -1;
}

void
scenario_print(const struct scenario *s, FILE *out)
{
	const struct scen_step *st;
	int i;

	fprintf(out, "name: %s\n", s->name);
	if (s->description[0] != '\0') {
		fprintf(out, "description: ");
		conf_print_quoted(out, s->description);
		fputc('\n', out);
	}
	fprintf(out, "fresh-boot: %s\n", s->fresh_boot ? "true" : "false");
	fprintf(out, "steps:\n");
	for (i = 0; i < s->nsteps; i++) {
		st = &s->steps[i];
		fprintf(out, "  - %s: ", step_kind_name(st->kind));
		conf_print_quoted(out, st->arg);
		fputc('\n', out);
		/* A sleep's duration is its argument, a wait has its step's; the rest show theirs. */
		if (st->kind != STEP_SLEEP && st->kind != STEP_WAIT)
			fprintf(out, "    timeout: %lldms\n", (long long)st->timeout_ms);
		if (st->background)
			fprintf(out, "    background: true\n");
		if (strcmp(st->name, step_kind_name(st->kind)) != 0)
			fprintf(out, "    name: %s\n", st->name);
		if (!st->watch)
			fprintf(out, "    watch: false\n");
	}
}
