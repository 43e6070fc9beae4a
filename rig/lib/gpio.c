/* gpio: a GPIO line on this host through libgpiod 1.6: the one file that includes <gpiod.h>. */
#include "gpio.h"
#include "util.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gpio_line {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
};

/* "gpiochip" and a number: the kernel's name for a chip (its node in /dev). */
static int
gpio_is_chip_name(const char *s)
{
	if (strncmp(s, "gpiochip", 8) != 0 || s[8] == '\0')
		return 0;
	return strspn(s + 8, "0123456789") == strlen(s + 8);
}

/* An offset is written in digits; anything else is a line name. */
static int
gpio_is_offset(const char *s)
{
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 9;
}

static void
gpio_fill(struct gpiod_chip *c, struct gpiod_line *l, struct gpio_info *info)
{
	const char *s;

	memset(info, 0, sizeof(*info));
	util_strlcpy(info->chip, gpiod_chip_name(c), sizeof(info->chip));
	util_strlcpy(info->label, gpiod_chip_label(c), sizeof(info->label));
	info->nlines = gpiod_chip_num_lines(c);
	if (l == NULL)
		return;
	info->offset = gpiod_line_offset(l);
	if ((s = gpiod_line_name(l)) != NULL)
		util_strlcpy(info->name, s, sizeof(info->name));
	if ((s = gpiod_line_consumer(l)) != NULL)
		util_strlcpy(info->consumer, s, sizeof(info->consumer));
	info->used = gpiod_line_is_used(l);
	info->output = gpiod_line_direction(l) == GPIOD_LINE_DIRECTION_OUTPUT;
	info->active_low = gpiod_line_active_state(l) == GPIOD_LINE_ACTIVE_STATE_LOW;
}

/* The chip by path, name or label; NULL with err and errno. */
static struct gpiod_chip *
gpio_chip_open(const char *chip, char *err, size_t errlen)
{
	struct gpiod_chip *c;
	const char *how;
	int e;

	if (chip[0] == '/') {
		c = gpiod_chip_open(chip);
		how = "";
	} else if (gpio_is_chip_name(chip)) {
		c = gpiod_chip_open_by_name(chip);
		how = "";
	} else {
		/* A label is looked for on every chip: one that cannot be opened ends the search. */
		c = gpiod_chip_open_by_label(chip);
		how = "a chip labelled ";
	}
	if (c != NULL)
		return c;
	e = errno;
	if (e == ENOENT)
		util_fmt(err, errlen, "%s%s: no such GPIO chip", how, chip);
	else if (e == ENOTTY || e == EINVAL || e == ENODEV)
		util_fmt(err, errlen, "%s%s: not a GPIO chip", how, chip);
	else
		util_fmt(err, errlen, "%s%s: %s", how, chip, strerror(e));
	errno = e;
	return NULL;
}

/* The line by offset or name on an open chip; NULL with err and errno. */
static struct gpiod_line *
gpio_line_find(struct gpiod_chip *c, const char *line, char *err, size_t errlen)
{
	struct gpiod_line *l;
	unsigned long off;
	unsigned n = gpiod_chip_num_lines(c);
	int e;

	if (gpio_is_offset(line)) {
		off = strtoul(line, NULL, 10);
		if (off >= n) {
			util_fmt(err, errlen, "%s [%s]: no line %lu: the chip has %u (0-%u)",
			    gpiod_chip_name(c), gpiod_chip_label(c), off, n, n ? n - 1 : 0);
			errno = ENOENT;
			return NULL;
		}
		l = gpiod_chip_get_line(c, (unsigned)off);
	} else {
		errno = 0;
		l = gpiod_chip_find_line(c, line);
		if (l == NULL && errno == 0)
			errno = ENOENT;
	}
	if (l != NULL)
		return l;
	e = errno;
	if (e == ENOENT)
		util_fmt(err, errlen, "%s [%s]: no line named \"%s\"", gpiod_chip_name(c),
		    gpiod_chip_label(c), line);
	else
		util_fmt(err, errlen, "%s [%s]: line %s: %s", gpiod_chip_name(c),
		    gpiod_chip_label(c), line, strerror(e));
	errno = e;
	return NULL;
}

void
gpio_describe(const struct gpio_info *info, char *buf, size_t len)
{
	if (info->name[0])
		util_fmt(buf, len, "%s [%s] line %u (\"%s\")", info->chip, info->label,
		    info->offset, info->name);
	else
		util_fmt(buf, len, "%s [%s] line %u", info->chip, info->label, info->offset);
}

int
gpio_lookup(const char *chip, const char *line, struct gpio_info *info, char *err,
    size_t errlen)
{
	struct gpiod_chip *c = gpio_chip_open(chip, err, errlen);
	struct gpiod_line *l;
	int e;

	memset(info, 0, sizeof(*info));
	if (c == NULL)
		return -1;
	l = gpio_line_find(c, line, err, errlen);
	e = errno;
	gpio_fill(c, l, info);
	gpiod_chip_close(c);
	errno = e;
	return l ? 0 : -1;
}

struct gpio_line *
gpio_request_output(const char *chip, const char *line, const char *consumer,
    int active_low, int value, struct gpio_info *info, char *err, size_t errlen)
{
	struct gpiod_chip *c = gpio_chip_open(chip, err, errlen);
	struct gpiod_line *l;
	struct gpio_line *g;
	char desc[256];
	int e;

	memset(info, 0, sizeof(*info));
	if (c == NULL)
		return NULL;
	if ((l = gpio_line_find(c, line, err, errlen)) == NULL) {
		e = errno;
		gpio_fill(c, NULL, info);
		gpiod_chip_close(c);
		errno = e;
		return NULL;
	}
	if (gpiod_line_request_output_flags(l, consumer,
	    active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0, value ? 1 : 0) == -1) {
		e = errno;
		/* Who holds it now, as the kernel says. */
		gpiod_line_update(l);
		gpio_fill(c, l, info);
		gpio_describe(info, desc, sizeof(desc));
		if (e == EBUSY && info->consumer[0])
			util_fmt(err, errlen, "%s: busy: held by \"%s\"", desc, info->consumer);
		else if (e == EBUSY)
			util_fmt(err, errlen, "%s: busy: held by a program or a kernel driver that"
			    " gave no name", desc);
		else
			util_fmt(err, errlen, "%s: request as output: %s", desc, strerror(e));
		gpiod_chip_close(c);
		errno = e;
		return NULL;
	}
	gpio_fill(c, l, info);
	g = xcalloc(1, sizeof(*g));
	g->chip = c;
	g->line = l;
	return g;
}

int
gpio_set(struct gpio_line *g, int value, char *err, size_t errlen)
{
	if (gpiod_line_set_value(g->line, value ? 1 : 0) == 0)
		return 0;
	util_fmt(err, errlen, "%s line %u: set to %d: %s", gpiod_chip_name(g->chip),
	    gpiod_line_offset(g->line), value ? 1 : 0, strerror(errno));
	return -1;
}

int
gpio_get(struct gpio_line *g, char *err, size_t errlen)
{
	int v = gpiod_line_get_value(g->line);

	if (v == -1)
		util_fmt(err, errlen, "%s line %u: read: %s", gpiod_chip_name(g->chip),
		    gpiod_line_offset(g->line), strerror(errno));
	return v;
}

void
gpio_release(struct gpio_line *g)
{
	if (g == NULL)
		return;
	gpiod_line_release(g->line);
	gpiod_chip_close(g->chip);
	free(g);
}
