/*
 * test_power_gpio: the gpio power backend's keys of a board file (checked at their lines,
 * printed back, loaded again) and what it says on a host without the chip. The backend on a
 * real chip: test_gpio_chip.c (inside vsabre, rig/tests/integration/65-gpio-vsabre.sh).
 */
#include "conf.h"
#include "parts.h"
#include "power.h"
#include "util.h"
#include "test.h"
#include "test_board.h"

#include <unistd.h>

static char dir[] = "/tmp/test_power_gpio.XXXXXX";
static struct board_conf board;

/* A board file around these power: lines (power: at line 6, its first key at 7). */
static char *
board_text(const char *power_lines)
{
	return xasprintf("name: relay\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\n"
	    "power:\n  backend: gpio\n%sboot:\n  method: uboot-tftp\n  tftp-dir: /srv/tftp/relay\nssh:\n  host: 10.0.0.2\n",
	    power_lines);
}

/* The errors of a board with these power: lines ("" when it loads). */
static char *
errors_of(const char *power_lines)
{
	char *text = board_text(power_lines), *errs = test_board_errors(dir, text);

	free(text);
	return errs ? errs : xstrdup("");
}

static void
falcon_power_is_checked_by_the_gpio_backend(void)
{
	struct conf_errors e = { 0 };
	struct parts_ops ops;

	CHECK_INT(board_conf_load("boards/falcon.yaml", &board, &e), 0);
	CHECK_STR(board.parts[PART_POWER].name, "gpio");
	CHECK(board.parts[PART_POWER].built);
	parts_resolve(&board, &ops, &e);
	CHECK(ops.power == power_backend_find("gpio") && ops.power != NULL);
	conf_errors_free(&e);
}

static void
chip_and_line_are_required(void)
{
	char *errs = errors_of("");

	CHECK_HAS(errs, "bad.yaml:7: power: missing key 'chip'");
	CHECK_HAS(errs, "bad.yaml:7: power: missing key 'line'");
	free(errs);
}

static void
bad_keys_are_reported_at_their_lines(void)
{
	char *errs = errors_of("  chip: dev/gpiochip0\n  line: -3\n  active-low: maybe\n"
	    "  on-delay: fast\n  off-delay: 10m\n  pin: 4\n");

	CHECK_HAS(errs, "bad.yaml:8: power.chip: 'dev/gpiochip0': a path starts with /");
	CHECK_HAS(errs, "bad.yaml:9: power.line: '-3': an offset is 0 or more");
	CHECK_HAS(errs, "bad.yaml:10: power.active-low:");
	CHECK_HAS(errs, "bad.yaml:11: power.on-delay: 'fast' is not a duration");
	CHECK_HAS(errs, "bad.yaml:12: power.off-delay: at most 5m");
	CHECK_HAS(errs, "bad.yaml:13: power: unknown key 'pin'");
	free(errs);
	errs = errors_of("  chip: gpiochip0\n  line: 70000\n");
	CHECK_HAS(errs, "bad.yaml:9: power.line: 70000: an offset is at most 65535");
	free(errs);
	/* A line given as a list is no line. */
	errs = errors_of("  chip: gpiochip0\n  line: [1, 2]\n");
	CHECK_HAS(errs, "bad.yaml:9: power.line:");
	free(errs);
}

static void
good_keys_load(void)
{
	char *errs = errors_of("  chip: 209c000.gpio\n  line: PWR_EN\n  active-low: true\n"
	    "  on-delay: 2s\n  off-delay: 500ms\n");

	CHECK_STR(errs, "");
	free(errs);
}

/* The checked form, loaded again, prints the same. */
static void
printed_form_loads_again(void)
{
	struct conf_errors e = { 0 };
	struct board_conf again;
	char path[256], *text = board_text("  chip: 209c000.gpio\n  line: PWR_EN\n"
	    "  active-low: true\n  on-delay: 2s\n  off-delay: 500ms\n"), *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/round.yaml", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	CHECK_INT(board_conf_load(path, &board, &e), 0);
	f = open_memstream(&a, &alen);
	board_conf_print(&board, f);
	fclose(f);
	CHECK_HAS(a, "  backend: \"gpio\"\n  chip: \"209c000.gpio\"\n  line: \"PWR_EN\"\n"
	    "  active-low: true\n  on-delay: 2000ms\n  off-delay: 500ms\n");
	f = fopen(path, "w");
	fputs(a, f);
	fclose(f);
	CHECK_INT(board_conf_load(path, &again, &e), 0);
	conf_errors_print(&e, stderr);
	f = open_memstream(&b, &blen);
	board_conf_print(&again, f);
	fclose(f);
	/* The file name is the same; everything else must be too. */
	CHECK_STR(a, b);
	free(a);
	free(b);
	conf_errors_free(&e);
}

static void
a_chip_not_on_this_host_is_named_by_probe_and_create(void)
{
	struct conf_errors e = { 0 };
	const struct power_ops *ops = power_backend_find("gpio");
	char why[512], err[512];
	struct power *p;

	CHECK_INT(board_conf_load("boards/falcon.yaml", &board, &e), 0);
	if (access("/dev/gpiochip0", F_OK) == 0) {
		printf("# /dev/gpiochip0 exists here: not a host without the chip\n");
		conf_errors_free(&e);
		return;
	}
	CHECK(ops != NULL && ops->probe != NULL);
	if (ops == NULL || ops->probe == NULL)
		return;
	CHECK_INT(ops->probe(&board, why, sizeof(why)), -1);
	/* falcon names the chip as gpiodetect does: gpiochip0, that is /dev/gpiochip0. */
	CHECK_HAS(why, "power.chip gpiochip0, power.line 17: gpiochip0: no such GPIO chip");
	p = power_new(ops, &board, dir, err, sizeof(err));
	CHECK(p == NULL);
	CHECK_HAS(err, "gpiochip0: no such GPIO chip");
	power_free(p);
	conf_errors_free(&e);
}

int
main(void)
{
	char path[sizeof(dir) + 32];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(falcon_power_is_checked_by_the_gpio_backend);
	RUN(chip_and_line_are_required);
	RUN(bad_keys_are_reported_at_their_lines);
	RUN(good_keys_load);
	RUN(printed_form_loads_again);
	RUN(a_chip_not_on_this_host_is_named_by_probe_and_create);
	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/round.yaml", dir);
	unlink(path);
	rmdir(dir);
	TEST_END();
}
