/*
 * labgrid_power: the target's power driver as the board's power backend: ExternalPowerDriver as
 * command (its shell strings split, or refused), DigitalOutputPowerDriver over a SysfsGPIO as
 * gpio, ManualPowerDriver as manual.
 */
#include "labgrid_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
labgrid_command(struct labgrid *lg, struct labgrid_entry *e, const char *key, const char *rigkey,
    int required)
{
	char *s = labgrid_arg_str(lg, e, key), why[256], **argv, site_key[32];
	struct labgrid_field *f;
	int argc, site;

	if (s == NULL) {
		if (required && lg->yc.errs->n == 0)
			conf_errors_add(lg->yc.errs, lg->path, e->line, "%s: needs %s", e->cls, key);
		return -1;
	}
	util_fmt(site_key, sizeof(site_key), "power-%s", rigkey);
	if (labgrid_words_split(s, &argv, &argc, why, sizeof(why)) == -1) {
		labgrid_skip_arg(lg, e, key, "'%s': %s (rig runs a program with its arguments, "
		    "never a shell: put the pipeline in a script and name the script)", s, why);
		free(s);
		if (!required)
			return -1;
		/* A list of one placeholder: the program is to be named, its arguments added. */
		argv = xcalloc(2, sizeof(*argv));
		argv[0] = xstrdup(LABGRID_PLACEHOLDER);
		site = labgrid_site_add_list(lg, site_key, argv, 1,
		    "the command that switches the board %s, without a shell: [program, arg, ...] "
		    "(%s.%s at %s:%d needs a shell)", rigkey, e->cls, key, lg->path,
		    labgrid_arg_line(e, key));
		lg->site[site].how = LABGRID_SITE_FILL;
		lg->r->n_fill++;
		labgrid_note(lg, "to fill in: site.%s: %s", site_key, lg->site[site].comment);
	} else {
		site = labgrid_site_add_list(lg, site_key, argv, argc, "%s.%s (%s:%d), split as a "
		    "shell would", e->cls, key, lg->path, labgrid_arg_line(e, key));
		free(s);
	}
	f = labgrid_field_add(lg, "power", rigkey, NULL, site);
	f->kind = LABGRID_FIELD_LIST;
	return 0;
}

static void
labgrid_map_external(struct labgrid *lg, struct labgrid_entry *e)
{
	char dur[32];

	labgrid_field_add(lg, "power", "backend", "command", -1);
	labgrid_command(lg, e, "cmd_on", "on", 1);
	labgrid_command(lg, e, "cmd_off", "off", 1);
	labgrid_command(lg, e, "cmd_cycle", "cycle", 0);
	/* labgrid's default delay, written out: the lab's boards are used to it. */
	if (labgrid_arg(e, "delay") == NULL)
		labgrid_field_add(lg, "power", "off-time", "2s", -1);
	else if (labgrid_arg_seconds(lg, e, "delay", dur, sizeof(dur)) == 0)
		labgrid_field_add(lg, "power", "off-time", dur, -1);
}

/*
 * labgrid's SysfsGPIO names a line by its global number in the kernel's old sysfs interface;
 * rig uses the character device, which names a chip and an offset on it. The number is the
 * chip's base plus the offset, and the bases belong to the host the line is on.
 */
static int
labgrid_map_gpio(struct labgrid *lg, struct labgrid_entry *pd)
{
	struct labgrid_entry *gd = labgrid_find(lg->drv, lg->n_drv, "GpioDigitalOutputDriver",
	    NULL);
	struct labgrid_entry *gpio = labgrid_find(lg->res, lg->n_res, "SysfsGPIO", NULL);
	struct labgrid_entry *matched = labgrid_find(lg->res, lg->n_res, "MatchedSysfsGPIO", NULL);
	long long index;
	char dur[32], num[24];
	int site;

	if (gpio == NULL)
		gpio = matched;
	if (gd == NULL || gpio == NULL) {
		labgrid_skip_entry(lg, pd, "its output is not a SysfsGPIO or MatchedSysfsGPIO line "
		    "through a GpioDigitalOutputDriver, the one digital output rig can switch");
		return -1;
	}
	pd->used = gd->used = gpio->used = 1;
	labgrid_field_add(lg, "power", "backend", "gpio", -1);
	if (gpio == matched) {
		/* A chip udev finds and a line on it: the line maps, the chip is the host's. */
		const struct yamlnode *m = labgrid_arg(gpio, "match");
		char seen[512] = "";
		int i;

		index = labgrid_arg_int(lg, gpio, "pin", 0, 65535);
		for (i = 0; m != NULL && m->kind == YAMLNODE_MAP && i < m->n; i++) {
			size_t len = strlen(seen);

			if (m->items[i]->kind == YAMLNODE_SCALAR)
				util_fmt(seen + len, sizeof(seen) - len, "%s%s=%s", len ? ", " : "",
				    m->keys[i]->value, m->items[i]->value);
		}
		site = labgrid_site_add(lg, "power-chip", NULL, LABGRID_SITE_FILL,
		    "the GPIO chip udev matches with %s (MatchedSysfsGPIO at %s:%d), by its label "
		    "as gpiodetect shows it", *seen ? seen : "nothing", lg->path, gpio->line);
		labgrid_field_add(lg, "power", "chip", NULL, site);
		if (index == -1) {
			if (lg->yc.errs->n == 0)
				conf_errors_add(lg->yc.errs, lg->path, gpio->line,
				    "MatchedSysfsGPIO: needs pin");
			return 0;
		}
		snprintf(num, sizeof(num), "%lld", index);
		site = labgrid_site_add(lg, "power-line", num, LABGRID_SITE_SET,
		    "the line on that chip (MatchedSysfsGPIO.pin, %s:%d)", lg->path,
		    labgrid_arg_line(gpio, "pin"));
		labgrid_field_add(lg, "power", "line", NULL, site);
	} else {
		index = labgrid_arg_int(lg, gpio, "index", 0, 1000000);
		if (index == -1) {
			if (lg->yc.errs->n == 0)
				conf_errors_add(lg->yc.errs, lg->path, gpio->line,
				    "SysfsGPIO: needs index");
			return 0;
		}
		site = labgrid_site_add(lg, "power-chip", NULL, LABGRID_SITE_FILL,
		    "the GPIO chip of sysfs GPIO %lld (SysfsGPIO.index, %s:%d): the chip whose base "
		    "<= %lld < base + ngpio in /sys/class/gpio/gpiochip*/, by its label as "
		    "gpiodetect shows it", index, lg->path, labgrid_arg_line(gpio, "index"), index);
		labgrid_field_add(lg, "power", "chip", NULL, site);
		site = labgrid_site_add(lg, "power-line", NULL, LABGRID_SITE_FILL,
		    "the line on that chip: %lld minus the chip's base", index);
		labgrid_field_add(lg, "power", "line", NULL, site);
	}
	if (labgrid_arg(gpio, "invert") != NULL) {
		char *s = labgrid_arg_str(lg, gpio, "invert");

		if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))
			labgrid_field_add(lg, "power", "active-low", s, -1);
		else if (s != NULL)
			labgrid_skip_arg(lg, gpio, "invert", "'%s' is not true or false", s);
		free(s);
	}
	if (labgrid_arg(pd, "delay") == NULL)
		labgrid_field_add(lg, "power", "off-time", "1s", -1);	/* labgrid's default */
	else if (labgrid_arg_seconds(lg, pd, "delay", dur, sizeof(dur)) == 0)
		labgrid_field_add(lg, "power", "off-time", dur, -1);
	return 0;
}

void
labgrid_map_power(struct labgrid *lg)
{
	static const char *const mapped[] = { "ExternalPowerDriver", "DigitalOutputPowerDriver",
	    "ManualPowerDriver", NULL };
	struct labgrid_entry *pd = NULL;
	int i, k;

	/* The first power driver that maps is the board's; a GPIO one may not (no SysfsGPIO). */
	for (i = 0; pd == NULL && i < lg->n_drv; i++) {
		for (k = 0; mapped[k] != NULL; k++)
			if (strcmp(lg->drv[i].cls, mapped[k]) == 0)
				break;
		if (mapped[k] == NULL)
			continue;
		if (k == 1 && labgrid_map_gpio(lg, &lg->drv[i]) == -1)
			continue;
		pd = &lg->drv[i];
	}
	if (pd == NULL) {
		labgrid_field_add(lg, "power", "backend", "manual", -1);
		lg->r->n_guess++;
		labgrid_note(lg, "guessed: power.backend manual: the target has no power driver "
		    "rig can use, so a person switches the board (rigctl power BOARD confirm)");
		return;
	}
	pd->used = 1;
	if (strcmp(pd->cls, "ExternalPowerDriver") == 0)
		labgrid_map_external(lg, pd);
	else if (strcmp(pd->cls, "ManualPowerDriver") == 0)
		labgrid_field_add(lg, "power", "backend", "manual", -1);
	labgrid_skip_others(lg, lg->drv, lg->n_drv, mapped, pd,
	    "a second power driver: rig switches a board one way");
}
