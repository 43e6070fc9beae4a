/*
 * test_gpio_chip: the gpio power backend (power_gpio.c through gpio.c, the real code) on a real
 * GPIO chip, read back from the kernel's /sys/kernel/debug/gpio. Built for the host (run by
 * `make unit`) and, static for armhf, run inside vsabre on the i.MX6's gpio-mxc chips
 * (rig/tests/integration/65-gpio-vsabre.sh). One line a check (ok, FAIL, skip) and a summary.
 *
 *   test_gpio_chip [--any-chip]
 *
 * Without --any-chip only a gpio-sim or gpio-mockup chip is switched (or the chip named by
 * RIG_GPIO_TEST_CHIP): a line of a real host's chip may drive real hardware.
 */
#include "conf.h"
#include "gpio.h"
#include "partconf.h"
#include "power.h"
#include "util.h"
#include "yamlnode.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <unistd.h>

extern const struct power_ops power_gpio_ops;

#define DEBUGFS_GPIO	"/sys/kernel/debug/gpio"

static char dir[] = "/tmp/test_gpio_chip.XXXXXX";
static int test_skipped;
static char test_skip_why[256];

/* The chip and free line the checks switch, picked at run time. */
static struct {
	int	 have;			/* 0: the chip checks are skipped, why in none_why */
	char	 none_why[256];
	char	 chip[GPIO_NAME];	/* gpiochip3 */
	char	 label[GPIO_NAME];
	unsigned nlines;
	unsigned offset;
	char	 line[16];		/* the offset as the board file gives it */
	/* A free line with a name, for line-by-name; named[0] "" when no chip names one. */
	char	 named_chip[GPIO_NAME];
	char	 named[GPIO_NAME];
	unsigned named_offset;
} pick;

/* The check is not made: counted as skipped, neither passed nor failed. */
static void
skip(const char *why)
{
	util_strlcpy(test_skip_why, why, sizeof(test_skip_why));
}

#define RUN_CHECK(fn) do { \
	test_cur_failed = 0; \
	test_skip_why[0] = '\0'; \
	fn(); \
	if (test_cur_failed) { test_failed++; printf("FAIL %s\n", #fn); } \
	else if (test_skip_why[0]) { test_skipped++; printf("skip %s: %s\n", #fn, test_skip_why); } \
	else { test_passed++; printf("ok   %s\n", #fn); } \
	fflush(stdout); \
} while (0)

/* Skips the calling check unless a chip was picked. */
#define NEED_CHIP() do { if (!pick.have) { skip(pick.none_why); return; } } while (0)

/* A line of /sys/kernel/debug/gpio: a requested line as the kernel shows it. */
struct dbg_line {
	int	found;			/* listed: requested by someone */
	char	consumer[64];
	int	out;
	int	hi;			/* the physical level */
	int	active_low;
};

/* Trims spaces at both ends in place. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/*
 * The chip's section of debugfs ("gpiochip3: GPIOs 96-127, parent: ..."), and in it the line
 * " gpio-100 (name                |consumer            ) out hi ACTIVE LOW".
 */
static void
dbg_read(const char *chip, unsigned offset, struct dbg_line *d)
{
	FILE *f = fopen(DEBUGFS_GPIO, "r");
	char buf[512], head[80];
	int in = 0, base = -1, gpio;

	memset(d, 0, sizeof(*d));
	if (f == NULL)
		return;
	snprintf(head, sizeof(head), "%s: GPIOs ", chip);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *bar, *close, *rest;

		if (buf[0] != ' ') {
			in = strncmp(buf, head, strlen(head)) == 0;
			if (in)
				base = atoi(buf + strlen(head));
			continue;
		}
		if (!in || sscanf(buf, " gpio-%d", &gpio) != 1 || gpio != base + (int)offset)
			continue;
		bar = strchr(buf, '|');
		close = bar ? strchr(bar, ')') : NULL;
		if (close == NULL)
			continue;
		*close = '\0';
		util_strlcpy(d->consumer, trim(bar + 1), sizeof(d->consumer));
		rest = close + 1;
		d->found = 1;
		d->out = strstr(rest, "out") != NULL;
		d->hi = strstr(rest, " hi") != NULL;
		d->active_low = strstr(rest, "ACTIVE LOW") != NULL;
		break;
	}
	fclose(f);
}

/* The line's entry shows consumer, output, and the physical level hi. */
static int
dbg_is(const char *chip, unsigned offset, const char *consumer, int hi)
{
	struct dbg_line d;

	dbg_read(chip, offset, &d);
	if (!d.found || strcmp(d.consumer, consumer) != 0 || !d.out || d.hi != hi) {
		fprintf(stderr, "  debugfs %s line %u: %s consumer \"%s\" %s %s (want \"%s\" out %s)\n",
		    chip, offset, d.found ? "listed" : "not listed", d.consumer,
		    d.out ? "out" : "in", d.hi ? "hi" : "lo", consumer, hi ? "hi" : "lo");
		return 0;
	}
	return 1;
}

/* The board conf the part points into: it lives as long as the part. */
static struct board_conf boards[4];

/*
 * A gpio power part of board name from its power: keys (yaml lines), parsed by the backend's
 * own parser; NULL with err (a key's error, or create's).
 */
static void *
part_new(struct board_conf *b, const char *name, const char *lines, int64_t off_ms, char *err,
    size_t errlen)
{
	struct conf_errors e = { 0 };
	struct yamlnode *root;
	struct yamlnode_ctx c;
	char path[256];
	FILE *f;
	void *self = NULL;

	err[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "power:\n  backend: gpio\n%s", lines);
	fclose(f);
	memset(b, 0, sizeof(*b));
	util_strlcpy(b->file, path, sizeof(b->file));
	util_strlcpy(b->name, name, sizeof(b->name));
	util_strlcpy(b->parts[PART_POWER].name, "gpio", sizeof(b->parts[PART_POWER].name));
	b->parts[PART_POWER].built = 1;
	b->power_off_ms = off_ms;
	if ((root = yamlnode_load(path, &e)) != NULL) {
		c.path = path;
		c.errs = &e;
		power_gpio_ops.keys->parse(&c, yamlnode_get(root, "power"), NULL,
		    b->parts[PART_POWER].settings);
		yamlnode_free(root);
	}
	if (e.n > 0)
		util_strlcpy(err, e.msg[0], errlen);
	else
		self = power_gpio_ops.create(b, dir, err, errlen);
	conf_errors_free(&e);
	return self;
}

/* "  chip: C\n  line: L\n" and more keys. */
static const char *
keys(char *buf, size_t len, const char *chip, const char *line, const char *more)
{
	snprintf(buf, len, "  chip: \"%s\"\n  line: \"%s\"\n%s", chip, line, more);
	return buf;
}

static void
missing_chip_is_refused_naming_it(void)
{
	char k[256], err[512], why[512];
	void *p = part_new(&boards[0], "gpt", keys(k, sizeof(k), "gpiochip999", "0", ""), 0,
	    err, sizeof(err));

	CHECK(p == NULL);
	CHECK_HAS(err, "power.chip gpiochip999");
	CHECK_HAS(err, "gpiochip999: no such GPIO chip");
	CHECK_INT(power_gpio_ops.probe(&boards[0], why, sizeof(why)), -1);
	CHECK_HAS(why, "gpiochip999: no such GPIO chip");
	if (p)
		power_gpio_ops.free(p);
}

static void
missing_label_is_refused_naming_it(void)
{
	char k[256], err[512];
	void *p = part_new(&boards[0], "gpt", keys(k, sizeof(k), "nonesuch.gpio", "0", ""), 0,
	    err, sizeof(err));

	CHECK(p == NULL);
	CHECK_HAS(err, "a chip labelled nonesuch.gpio: no such GPIO chip");
	if (p)
		power_gpio_ops.free(p);
}

static void
line_beyond_the_chip_is_refused(void)
{
	char k[256], err[512], line[16], want[128];
	void *p;

	NEED_CHIP();
	snprintf(line, sizeof(line), "%u", pick.nlines);
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, line, ""), 0, err,
	    sizeof(err));
	CHECK(p == NULL);
	snprintf(want, sizeof(want), "no line %u: the chip has %u (0-%u)", pick.nlines,
	    pick.nlines, pick.nlines - 1);
	CHECK_HAS(err, want);
	if (p)
		power_gpio_ops.free(p);
}

static void
line_is_held_off_from_creation_with_the_board_consumer(void)
{
	char k[256], err[512];
	void *p;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line, ""), 0, err,
	    sizeof(err));
	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	CHECK(!power_gpio_ops.alive(p));
	CHECK_INT(power_gpio_ops.state(p, err, sizeof(err)), POWER_OFF);
	power_gpio_ops.free(p);
}

static void
on_drives_the_line_high_and_off_low(void)
{
	char k[256], err[512];
	void *p;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line, ""), 0, err,
	    sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_gpio_ops.prepare(p, NULL, err, sizeof(err)), 0);
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 1));
	CHECK(power_gpio_ops.alive(p));
	CHECK_INT(power_gpio_ops.state(p, err, sizeof(err)), POWER_ON);
	power_gpio_ops.off(p);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	CHECK(!power_gpio_ops.alive(p));
	CHECK_INT(power_gpio_ops.state(p, err, sizeof(err)), POWER_OFF);
	/* Off again is harmless. */
	power_gpio_ops.off(p);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	power_gpio_ops.free(p);
}

static void
second_requester_is_refused_naming_the_holder(void)
{
	char k[256], err[512], why[512], want[200];
	struct gpio_info info;
	struct gpio_line *raw;
	void *p, *q;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line, ""), 0, err,
	    sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	/* Another rigd's board on the same line. */
	q = part_new(&boards[1], "other", keys(k, sizeof(k), pick.chip, pick.line, ""), 0, err,
	    sizeof(err));
	CHECK(q == NULL);
	snprintf(want, sizeof(want), "%s [%s] line %u", pick.chip, pick.label, pick.offset);
	CHECK_HAS(err, want);
	CHECK_HAS(err, "busy: held by \"rigd:gpt\"");
	if (q)
		power_gpio_ops.free(q);
	/* A program like gpioset: the kernel refuses it. */
	errno = 0;
	raw = gpio_request_output(pick.chip, pick.line, "gpioset", 0, 0, &info, err,
	    sizeof(err));
	CHECK(raw == NULL);
	CHECK_INT(errno, EBUSY);
	CHECK_STR(info.consumer, "rigd:gpt");
	gpio_release(raw);
	CHECK_INT(power_gpio_ops.probe(&boards[0], why, sizeof(why)), -1);
	CHECK_HAS(why, "held by \"rigd:gpt\"");
	/* Neither attempt changed the line. */
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 1));
	CHECK(power_gpio_ops.alive(p));
	power_gpio_ops.off(p);
	power_gpio_ops.free(p);
}

static void
free_gives_the_line_back(void)
{
	char k[256], err[512];
	struct gpio_info info;
	struct dbg_line d;
	void *p;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line, ""), 0, err,
	    sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	power_gpio_ops.free(p);
	dbg_read(pick.chip, pick.offset, &d);
	CHECK(!d.found);
	CHECK_INT(gpio_lookup(pick.chip, pick.line, &info, err, sizeof(err)), 0);
	CHECK(!info.used);
	CHECK_INT(power_gpio_ops.probe(&boards[0], err, sizeof(err)), 0);
	/* And another may take it now. */
	p = part_new(&boards[1], "next", keys(k, sizeof(k), pick.chip, pick.line, ""), 0, err,
	    sizeof(err));
	CHECK(p != NULL);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:next", 0));
	if (p)
		power_gpio_ops.free(p);
}

static void
active_low_inverts_the_physical_level(void)
{
	char k[256], err[512];
	struct dbg_line d;
	void *p;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line,
	    "  active-low: true\n"), 0, err, sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	/* Off is high on the wire. */
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 1));
	dbg_read(pick.chip, pick.offset, &d);
	CHECK(d.active_low);
	CHECK(!power_gpio_ops.alive(p));
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	CHECK(power_gpio_ops.alive(p));
	CHECK_INT(power_gpio_ops.state(p, err, sizeof(err)), POWER_ON);
	power_gpio_ops.off(p);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 1));
	CHECK(!power_gpio_ops.alive(p));
	power_gpio_ops.free(p);
}

/* The chip named another way switches the same line. */
static void
same_line_by(const char *chip)
{
	char k[256], err[512];
	void *p = part_new(&boards[0], "gpt", keys(k, sizeof(k), chip, pick.line, ""), 0, err,
	    sizeof(err));

	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 1));
	power_gpio_ops.off(p);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	power_gpio_ops.free(p);
}

static void
chip_by_label(void)
{
	NEED_CHIP();
	if (pick.label[0] == '\0') {
		skip("the chip has no label");
		return;
	}
	same_line_by(pick.label);
}

static void
chip_by_path(void)
{
	char path[128];

	NEED_CHIP();
	snprintf(path, sizeof(path), "/dev/%s", pick.chip);
	same_line_by(path);
}

static void
line_by_name(void)
{
	char k[256], err[512];
	void *p;

	NEED_CHIP();
	if (pick.named[0] == '\0') {
		skip("no chip here names a free line");
		return;
	}
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.named_chip, pick.named, ""), 0,
	    err, sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	CHECK(dbg_is(pick.named_chip, pick.named_offset, "rigd:gpt", 1));
	power_gpio_ops.off(p);
	power_gpio_ops.free(p);
}

static void
off_time_passes_before_the_next_on(void)
{
	char k[256], err[512];
	int64_t t0, took;
	void *p;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line, ""), 400, err,
	    sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	power_gpio_ops.off(p);
	t0 = util_now_ms();
	CHECK_INT(power_gpio_ops.prepare(p, NULL, err, sizeof(err)), 0);
	took = util_now_ms() - t0;
	CHECK(took >= 390);
	CHECK(took < 3000);
	/* The line stayed off meanwhile. */
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 1));
	power_gpio_ops.off(p);
	power_gpio_ops.free(p);
}

static void
on_delay_is_waited_with_the_line_on(void)
{
	char k[256], err[512];
	int64_t t0, took;
	void *p;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line,
	    "  on-delay: 300ms\n"), 0, err, sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	t0 = util_now_ms();
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), 0);
	took = util_now_ms() - t0;
	CHECK(took >= 290);
	CHECK(took < 3000);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 1));
	power_gpio_ops.off(p);
	power_gpio_ops.free(p);
}

static void *
cut_later(void *p)
{
	int64_t until = util_now_ms() + 10000;

	/* Cuts once on() is waiting its on-delay: the line is on by then (10 s at most). */
	while (!power_gpio_ops.alive(p) && util_now_ms() < until)
		sched_yield();
	power_gpio_ops.cut(p);
	return NULL;
}

static void
cut_switches_off_at_once_and_refuses_on(void)
{
	char k[256], err[512];
	pthread_t t;
	int64_t t0;
	void *p;

	NEED_CHIP();
	p = part_new(&boards[0], "gpt", keys(k, sizeof(k), pick.chip, pick.line,
	    "  on-delay: 20s\n"), 0, err, sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	t0 = util_now_ms();
	CHECK_INT(pthread_create(&t, NULL, cut_later, p), 0);
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), -1);
	CHECK_HAS(err, "cut");
	CHECK(util_now_ms() - t0 < 10000);
	pthread_join(t, NULL);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	CHECK(!power_gpio_ops.alive(p));
	CHECK_INT(power_gpio_ops.on(p, err, sizeof(err)), -1);
	CHECK(dbg_is(pick.chip, pick.offset, "rigd:gpt", 0));
	power_gpio_ops.off(p);
	power_gpio_ops.free(p);
}

static int
chip_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	/* gpiochip2 before gpiochip10 */
	if (strlen(x) != strlen(y))
		return strlen(x) < strlen(y) ? -1 : 1;
	return strcmp(x, y);
}

/*
 * Picks a chip and its first free line (any chip inside vsabre; on a host only a simulated one
 * or the one named by RIG_GPIO_TEST_CHIP), and a free named line on any usable chip.
 */
static void
pick_chip(int any)
{
	const char *want = getenv("RIG_GPIO_TEST_CHIP");
	char *names[64], err[256], off[16];
	struct gpio_info info;
	struct dirent *de;
	int n = 0, i, sims = 0;
	unsigned o;
	DIR *d = opendir("/dev");

	util_strlcpy(pick.none_why, "no /dev/gpiochip* on this host", sizeof(pick.none_why));
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < 64)
		if (strncmp(de->d_name, "gpiochip", 8) == 0)
			names[n++] = xstrdup(de->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), chip_cmp);
	if (n > 0 && access(DEBUGFS_GPIO, R_OK) != 0)
		util_fmt(pick.none_why, sizeof(pick.none_why), "%s not readable (debugfs mounted?"
		    " root?): the checks read the line back from it", DEBUGFS_GPIO);
	for (i = 0; i < n; i++) {
		int usable;

		if (gpio_lookup(names[i], "0", &info, err, sizeof(err)) == -1) {
			fprintf(stderr, "  %s\n", err);
			continue;
		}
		usable = any || (want && (strcmp(want, names[i]) == 0 ||
		    strcmp(want, info.label) == 0)) || strncmp(info.label, "gpio-sim", 8) == 0 ||
		    strncmp(info.label, "gpio-mockup", 11) == 0;
		if (!usable) {
			sims++;
			continue;
		}
		if (access(DEBUGFS_GPIO, R_OK) != 0)
			continue;
		for (o = 0; o < info.nlines; o++) {
			snprintf(off, sizeof(off), "%u", o);
			if (gpio_lookup(names[i], off, &info, err, sizeof(err)) == -1 || info.used)
				continue;
			if (!pick.have) {
				pick.have = 1;
				util_strlcpy(pick.chip, info.chip, sizeof(pick.chip));
				util_strlcpy(pick.label, info.label, sizeof(pick.label));
				pick.nlines = info.nlines;
				pick.offset = o;
				util_strlcpy(pick.line, off, sizeof(pick.line));
			}
			if (pick.named[0] == '\0' && info.name[0] != '\0') {
				util_strlcpy(pick.named_chip, info.chip, sizeof(pick.named_chip));
				util_strlcpy(pick.named, info.name, sizeof(pick.named));
				pick.named_offset = o;
			}
		}
	}
	if (!pick.have && sims > 0 && access(DEBUGFS_GPIO, R_OK) == 0)
		util_fmt(pick.none_why, sizeof(pick.none_why), "%d GPIO chip(s) here, none simulated:"
		    " a real line may drive hardware (RIG_GPIO_TEST_CHIP=CHIP or --any-chip to use"
		    " one)", sims);
	for (i = 0; i < n; i++)
		free(names[i]);
	if (pick.have)
		printf("# %s [%s] line %u (%u lines)%s%s\n", pick.chip, pick.label, pick.offset,
		    pick.nlines, pick.named[0] ? "; a named line: " : "; no named line",
		    pick.named);
}

/* The board files written under dir, and dir. */
static void
remove_dir(void)
{
	char path[sizeof(dir) + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	int any = argc > 1 && strcmp(argv[1], "--any-chip") == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	pick_chip(any);
	RUN_CHECK(missing_chip_is_refused_naming_it);
	RUN_CHECK(missing_label_is_refused_naming_it);
	RUN_CHECK(line_beyond_the_chip_is_refused);
	RUN_CHECK(line_is_held_off_from_creation_with_the_board_consumer);
	RUN_CHECK(on_drives_the_line_high_and_off_low);
	RUN_CHECK(second_requester_is_refused_naming_the_holder);
	RUN_CHECK(free_gives_the_line_back);
	RUN_CHECK(active_low_inverts_the_physical_level);
	RUN_CHECK(chip_by_label);
	RUN_CHECK(chip_by_path);
	RUN_CHECK(line_by_name);
	RUN_CHECK(off_time_passes_before_the_next_on);
	RUN_CHECK(on_delay_is_waited_with_the_line_on);
	RUN_CHECK(cut_switches_off_at_once_and_refuses_on);
	remove_dir();
	printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed, test_skipped);
	return test_failed ? 1 : 0;
}
