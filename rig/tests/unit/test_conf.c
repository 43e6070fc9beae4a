/* test_conf: board and scenario files, the shipped ones and broken ones, read through conf.h. */
#include "conf.h"
#include "parts.h"
#include "protect.h"
#include "test.h"
#include "util.h"
#include "yamlnode.h"

#include <glob.h>
#include <stdarg.h>
#include <unistd.h>

#define DATA "rig/tests/data/conf/"

static struct board_conf board;
static struct scenario scen;

static char *printed_board(const struct board_conf *b);

/*
 * A backend's settings are its own (opaque here): what it read shows in the checked form it
 * prints, so the tests look for whole lines there.
 */
static int
printed_has(const struct board_conf *b, const char *line)
{
	char *got = printed_board(b), want[512];
	int found;

	snprintf(want, sizeof(want), "\n%s\n", line);
	found = got != NULL && strstr(got, want) != NULL;
	if (!found)
		fprintf(stderr, "not printed: %s\n", line);
	free(got);
	return found;
}

/* The errors must be exactly these lines, in this order (NULL-terminated). */
static void
check_errors(const struct conf_errors *e, ...)
{
	const char *want;
	va_list ap;
	int i = 0;

	va_start(ap, e);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (i < e->n)
			CHECK_STR(e->msg[i], want);
		else {
			fprintf(stderr, "missing error: %s\n", want);
			test_cur_failed = 1;
		}
		i++;
	}
	va_end(ap);
	for (; i < e->n; i++) {
		fprintf(stderr, "unexpected error: %s\n", e->msg[i]);
		test_cur_failed = 1;
	}
}

static int
load_each(const char *pattern, int boards)
{
	struct conf_errors e = { 0 };
	glob_t g;
	size_t i;
	int n;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		int r = boards ? board_conf_load(g.gl_pathv[i], &board, &e)
		    : scenario_load(g.gl_pathv[i], &scen, &e);
		CHECK_INT(r, 0);
		conf_errors_print(&e, stderr);
		CHECK_INT(e.n, 0);
		conf_errors_free(&e);
	}
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

static void
every_shipped_board_loads_cleanly(void)
{
	/* vq35, vsabre and the four R-Car boards at least. */
	CHECK(load_each("boards/*.yaml", 1) >= 6);
}

static void
every_shipped_scenario_loads_cleanly(void)
{
	CHECK(load_each("scenarios/*.yaml", 0) >= 3);
}

static void
vq35_board_reads_every_value(void)
{
	struct conf_errors e = { 0 };
	const struct conf_device *d;

	CHECK_INT(board_conf_load("boards/vq35.yaml", &board, &e), 0);
	CHECK_STR(board.file, "boards/vq35.yaml");
	CHECK_STR(board.name, "vq35");
	CHECK_INT(board.line, 3);
	CHECK_STR(board.arch, "amd64");
	CHECK_STR(board.parts[PART_CONSOLE].name, "qemu");
	CHECK(printed_has(&board, "  baud: 115200"));
	CHECK_STR(board.parts[PART_POWER].name, "qemu");
	CHECK_STR(board.parts[PART_BOOT].name, "qemu-kernel");
	CHECK_INT(board.parts[PART_CONSOLE].line, 6);
	CHECK_INT(board.parts[PART_POWER].line, 9);
	CHECK_INT(board.parts[PART_BOOT].line, 11);
	CHECK(board.parts[PART_CONSOLE].built && board.parts[PART_POWER].built &&
	    board.parts[PART_BOOT].built);
	CHECK_INT(board.boot_timeout_ms, 120000);
	CHECK_STR(board.kernel_package, "linux-image-6.1.0-56-amd64");
	CHECK_STR(board.modules, "i2c-smbus i2c-i801 i2c-dev e1000");
	/* The first serial is the console: the rig reads the kernel's messages there. */
	CHECK(strncmp(board.append, "console=ttyS0 ", 14) == 0);
	CHECK(printed_has(&board, "qemu:\n  binary: \"qemu-system-x86_64\"\n"
	    "  machine: \"q35\"\n  memory: 512\n  net: \"e1000\"\n  serials: [console, null]\n"
	    "  args: []"));
	CHECK_STR(board.ssh_user, "root");
	CHECK_STR(board.ssh_host, "127.0.0.1");
	CHECK_INT(board.ssh_port, 0);
	CHECK_INT(board.ndevices, 2);

	d = board_conf_device(&board, "i2c");
	CHECK(d != NULL);
	if (d != NULL) {
		CHECK_STR(d->node, "/dev/i2c-0");
		CHECK_STR(d->bus, "pci");
		CHECK_STR(d->driver, "i801_smbus");
		CHECK_STR(d->device, "0000:00:1f.3");
		CHECK_INT(d->line, 27);
	}
	d = board_conf_device(&board, "uart");
	CHECK(d != NULL);
	if (d != NULL) {
		CHECK_STR(d->node, "/dev/ttyS1");
		CHECK_STR(d->bus, "pnp");
		CHECK_STR(d->driver, "serial");
		CHECK_STR(d->device, "00:03");
	}
	CHECK(board_conf_device(&board, "mtd") == NULL);
	conf_errors_free(&e);
}

static void
vsabre_board_has_platform_i2c_and_spi_nor(void)
{
	struct conf_errors e = { 0 };
	const struct conf_device *d;

	CHECK_INT(board_conf_load("boards/vsabre.yaml", &board, &e), 0);
	CHECK_STR(board.arch, "armhf");
	CHECK_STR(board.kernel_package, "linux-image-6.1.0-50-armmp");
	CHECK_STR(board.modules, "gpio-mxc i2c-imx i2c-dev spi-imx spi-nor libphy fixed_phy "
	    "fwnode_mdio of_mdio selftests micrel fec");
	CHECK_STR(board.append, "console=ttymxc1 slub_debug=FZP panic=-1");
	CHECK(printed_has(&board, "qemu:\n  binary: \"qemu-system-arm\"\n"
	    "  machine: \"sabrelite\"\n  memory: 512\n  dtb: \"imx6q-sabrelite.dtb\"\n"
	    "  net: \"nic\"\n  serials: [null, console]"));
	/* The machine's device tree is what the boot part puts in the image. */
	CHECK_STR(power_image_dtb(&board), "imx6q-sabrelite.dtb");
	d = board_conf_device(&board, "i2c");
	CHECK(d != NULL && strcmp(d->device, "21a0000.i2c") == 0 &&
	    strcmp(d->driver, "imx-i2c") == 0 && strcmp(d->bus, "platform") == 0);
	d = board_conf_device(&board, "mtd");
	CHECK(d != NULL && strcmp(d->node, "/dev/mtd0ro") == 0 && strcmp(d->bus, "spi") == 0 &&
	    strcmp(d->driver, "spi-nor") == 0 && strcmp(d->device, "spi0.0") == 0);
	conf_errors_free(&e);
}

static void
rcar_boards_read_tty_gpio_command_and_uboot_settings(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load("boards/spider.yaml", &board, &e), 0);
	CHECK_STR(board.parts[PART_CONSOLE].name, "tty");
	CHECK(board.parts[PART_CONSOLE].built);
	CHECK(printed_has(&board, "  path: \"/dev/serial/by-id/usb-FTDI_Dual_RS232-H_spider-"
	    "if00-port0\"\n  baud: 1843200"));
	/* Command power: each command an argument list, checked by the backend. */
	CHECK_STR(board.parts[PART_POWER].name, "command");
	CHECK(board.parts[PART_POWER].built);
	CHECK(printed_has(&board, "  on: [\"pduclient\", \"--daemon\", \"localhost\", "
	    "\"--hostname\", \"pdu1\", \"--port\", \"3\", \"--command\", \"on\"]"));
	CHECK(printed_has(&board, "  timeout: 10000ms\n  off-time: 3000ms"));
	CHECK_INT(board.power_off_ms, 3000);
	/* U-Boot over TFTP: its keys checked by the backend, the boot command by the arch. */
	CHECK_STR(board.parts[PART_BOOT].name, "uboot-tftp");
	CHECK(board.parts[PART_BOOT].built);
	CHECK_INT(board.boot_timeout_ms, 300000);
	CHECK_STR(board.kernel_package, "");
	CHECK(printed_has(&board, "  tftp-dir: \"/srv/tftp/spider\""));
	CHECK(printed_has(&board, "  dtb: \"renesas/r8a779f0-spider.dtb\""));
	CHECK_INT(board.ssh_port, 22);
	CHECK(board.ssh_host[0] != '\0' && strcmp(board.ssh_host, "127.0.0.1") != 0);
	CHECK(board_conf_device(&board, "i2c") != NULL);
	CHECK(board_conf_device(&board, "mtd") == NULL);

	CHECK_INT(board_conf_load("boards/falcon.yaml", &board, &e), 0);
	CHECK_STR(board.parts[PART_POWER].name, "gpio");
	CHECK(board.parts[PART_POWER].built);
	CHECK(printed_has(&board, "  backend: \"gpio\"\n  chip: \"gpiochip0\"\n  line: 17\n"
	    "  active-low: false\n  off-time: 5000ms"));
	CHECK(printed_has(&board, "  baud: 115200"));

	/* The boards added with the site: values: E3 over RFC 2217, V4M at 921600, H3/M3 ULCB. */
	CHECK_INT(board_conf_load("boards/ebisu.yaml", &board, &e), 0);
	CHECK_STR(board.parts[PART_CONSOLE].name, "rfc2217");
	CHECK(printed_has(&board, "  host: \"127.0.0.1\"\n  port: 3003"));
	CHECK(printed_has(&board, "  dtb: \"renesas/r8a77990-ebisu.dtb\""));
	CHECK_INT(board_conf_load("boards/grayhawk.yaml", &board, &e), 0);
	CHECK(printed_has(&board, "  baud: 921600"));
	CHECK(printed_has(&board, "  dtb: \"renesas/r8a779h0-gray-hawk-single.dtb\""));
	CHECK(board_conf_device(&board, "mtd") != NULL);
	CHECK_INT(board_conf_load("boards/ulcb.yaml", &board, &e), 0);
	CHECK(printed_has(&board, "  dtb: \"renesas/r8a77951-ulcb.dtb\""));
	CHECK_STR(board.protected[0].device, "e60b0000.i2c");

	CHECK_INT(board_conf_load("boards/whitehawk.yaml", &board, &e), 0);
	CHECK(printed_has(&board, "  baud: 921600"));

	CHECK_INT(board_conf_load("boards/salvator-xs.yaml", &board, &e), 0);
	/* i2c2: the bus that does not hold the PMIC. */
	CHECK(board_conf_device(&board, "i2c") != NULL &&
	    strcmp(board_conf_device(&board, "i2c")->device, "e6510000.i2c") == 0);
	CHECK_INT(e.n, 0);
	conf_errors_free(&e);
}

static void
i2c_unbind_scenario_has_its_six_steps(void)
{
	struct conf_errors e = { 0 };
	static const enum step_kind kinds[] = { STEP_HOLD, STEP_UNBIND, STEP_RELEASE,
	    STEP_EXPECT_GONE, STEP_BIND, STEP_EXPECT_PRESENT };
	int i;

	CHECK_INT(scenario_load("scenarios/i2c-unbind.yaml", &scen, &e), 0);
	CHECK_STR(scen.name, "i2c-unbind");
	CHECK(strncmp(scen.description, "Hold the adapter's /dev/i2c-X open", 34) == 0);
	CHECK(scen.description[strlen(scen.description) - 1] != '\n');
	CHECK_INT(scen.fresh_boot, 0);
	CHECK_INT(scen.nclasses, 1);
	CHECK_STR(scen.classes[0], "i2c");
	CHECK_INT(scen.nsteps, 6);
	for (i = 0; i < 6 && i < scen.nsteps; i++) {
		CHECK_INT(scen.steps[i].kind, kinds[i]);
		CHECK_STR(scen.steps[i].arg, "i2c");
		CHECK_INT(scen.steps[i].background, 0);
		CHECK_STR(scen.steps[i].name, step_kind_name(kinds[i]));
	}
	CHECK_INT(scen.steps[0].timeout_ms, 10000);	/* the default */
	CHECK_INT(scen.steps[1].timeout_ms, 3000);
	CHECK_INT(scen.steps[1].line, 11);
	CHECK_INT(scen.steps[4].timeout_ms, 10000);
	conf_errors_free(&e);
}

static void
i2c_unbind_release_waits_for_the_background_unbind(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load("scenarios/i2c-unbind-release.yaml", &scen, &e), 0);
	CHECK_INT(scen.nsteps, 8);
	CHECK_INT(scen.steps[1].kind, STEP_UNBIND);
	CHECK_INT(scen.steps[1].background, 1);
	CHECK_INT(scen.steps[1].timeout_ms, 20000);
	CHECK_STR(scen.steps[1].name, "unbind");
	CHECK_INT(scen.steps[2].kind, STEP_SLEEP);
	CHECK_INT(scen.steps[2].timeout_ms, 1000);
	CHECK_STR(scen.steps[2].arg, "1s");
	CHECK_INT(scen.steps[3].kind, STEP_RELEASE);
	CHECK_INT(scen.steps[4].kind, STEP_WAIT);
	CHECK_STR(scen.steps[4].arg, "unbind");
	CHECK_INT(scen.steps[7].kind, STEP_EXPECT_PRESENT);
	conf_errors_free(&e);
}

static void
uart_unbind_expects_the_holder_to_exit(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load("scenarios/uart-unbind.yaml", &scen, &e), 0);
	CHECK_INT(scen.nsteps, 5);
	CHECK_STR(scen.classes[0], "uart");
	CHECK_INT(scen.nclasses, 1);
	CHECK_INT(scen.steps[1].timeout_ms, 5000);
	CHECK_INT(scen.steps[2].kind, STEP_EXPECT_HOLDER);
	CHECK_STR(scen.steps[2].arg, "exited");
	conf_errors_free(&e);
}

static void
step_kind_names_match_the_file_words(void)
{
	CHECK_STR(step_kind_name(STEP_HOLD), "hold");
	CHECK_STR(step_kind_name(STEP_RELEASE), "release");
	CHECK_STR(step_kind_name(STEP_UNBIND), "unbind");
	CHECK_STR(step_kind_name(STEP_BIND), "bind");
	CHECK_STR(step_kind_name(STEP_READ), "read");
	CHECK_STR(step_kind_name(STEP_EXPECT_PRESENT), "expect-present");
	CHECK_STR(step_kind_name(STEP_EXPECT_GONE), "expect-gone");
	CHECK_STR(step_kind_name(STEP_EXPECT_HOLDER), "expect-holder");
	CHECK_STR(step_kind_name(STEP_WAIT), "wait");
	CHECK_STR(step_kind_name(STEP_SLEEP), "sleep");
	CHECK_STR(step_kind_name(STEP_SHELL), "shell");
	CHECK_STR(step_kind_name(STEP_POWEROFF), "poweroff");
	CHECK_STR(step_kind_name(STEP_CUT), "cut");
	CHECK_STR(step_kind_name((enum step_kind)99), "?");
}

static void
errors_carry_path_and_line_and_free_resets(void)
{
	struct conf_errors e = { 0 };

	conf_errors_add(&e, "a.yaml", 7, "bad %s %d", "thing", 3);
	conf_errors_add(&e, "b.yaml", 0, "whole file");
	check_errors(&e, "a.yaml:7: bad thing 3", "b.yaml: whole file", NULL);
	conf_errors_free(&e);
	CHECK_INT(e.n, 0);
	CHECK(e.msg == NULL);
}

static void
missing_file_reports_the_system_error(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "no-such-board.yaml", &board, &e), -1);
	CHECK_INT(scenario_load(DATA "no-such-scenario.yaml", &scen, &e), -1);
	check_errors(&e, DATA "no-such-board.yaml: No such file or directory",
	    DATA "no-such-scenario.yaml: No such file or directory", NULL);
	conf_errors_free(&e);
}

static void
empty_file_is_an_error(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load(DATA "empty.yaml", &scen, &e), -1);
	check_errors(&e, DATA "empty.yaml:1: empty file", NULL);
	conf_errors_free(&e);
}

static void
syntax_error_reports_libyamls_line(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load(DATA "syntax-error.yaml", &scen, &e), -1);
	check_errors(&e, DATA "syntax-error.yaml:4: did not find expected '-' indicator "
	    "(while parsing a block collection at line 3)", NULL);
	conf_errors_free(&e);
}

static void
second_document_is_refused(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load(DATA "two-documents.yaml", &scen, &e), -1);
	check_errors(&e, DATA "two-documents.yaml:4: more than one document (---)", NULL);
	conf_errors_free(&e);
}

/*
 * A mapping of 30000 keys loads whole and its duplicates are each found (with a hashed check:
 * rig/bench/yaml.sh times it; a pairwise one took seconds here).
 */
static void
many_keys_load_and_duplicates_are_found(void)
{
	char path[] = "/tmp/test_conf_keys.XXXXXX", want[2][256];
	struct conf_errors e = { 0 };
	const struct yamlnode *v;
	struct yamlnode *root;
	FILE *f;
	int fd, i;

	fd = mkstemp(path);
	CHECK(fd != -1);
	if (fd == -1)
		return;
	f = fdopen(fd, "w");
	for (i = 0; i < 30000; i++)
		fprintf(f, "k%d: %d\n", i, i);
	fprintf(f, "k17: again\nk29999: again\n");
	fclose(f);
	root = yamlnode_load(path, &e);
	CHECK(root != NULL);
	snprintf(want[0], sizeof(want[0]), "%s:30001: duplicate key 'k17' (first at line 18)", path);
	snprintf(want[1], sizeof(want[1]), "%s:30002: duplicate key 'k29999' (first at line 30000)",
	    path);
	check_errors(&e, want[0], want[1], NULL);
	if (root != NULL) {
		CHECK_INT(root->n, 30000);
		CHECK((v = yamlnode_get(root, "k12345")) != NULL && strcmp(v->value, "12345") == 0);
		CHECK((v = yamlnode_get(root, "k17")) != NULL && strcmp(v->value, "17") == 0);
	}
	yamlnode_free(root);
	conf_errors_free(&e);
	unlink(path);
}

/* A YAML version this reader does not know is refused at its directive's line. */
static void
unknown_yaml_version_is_refused(void)
{
	char path[] = "/tmp/test_conf_ver.XXXXXX", want[256];
	struct conf_errors e = { 0 };
	FILE *f;
	int fd;

	fd = mkstemp(path);
	CHECK(fd != -1);
	if (fd == -1)
		return;
	f = fdopen(fd, "w");
	fprintf(f, "# a comment\n%%YAML 1.9\n---\nname: x\n");
	fclose(f);
	CHECK(yamlnode_load(path, &e) == NULL);
	snprintf(want, sizeof(want), "%s:2: %%YAML asks for a version this reader does not know (it reads 1.1 and 1.2)", path);
	check_errors(&e, want, NULL);
	conf_errors_free(&e);
	unlink(path);
}

/* An alias reads as the value its anchor marks, and the tree says where it came from. */
static void
aliases_read_as_their_anchors_value(void)
{
	struct conf_errors e = { 0 };
	struct yamlnode *root;
	const struct yamlnode *steps;

	CHECK_INT(scenario_load(DATA "alias.yaml", &scen, &e), 0);
	CHECK_INT(e.n, 0);
	CHECK_INT(scen.nsteps, 2);
	CHECK_STR(scen.steps[1].arg, "i2c");
	root = yamlnode_load(DATA "alias.yaml", &e);
	CHECK(root != NULL);
	steps = yamlnode_get(root, "steps");
	CHECK(steps != NULL && steps->n == 2);
	if (steps != NULL && steps->n == 2) {
		const struct yamlnode *held = yamlnode_get(steps->items[0], "hold");
		const struct yamlnode *used = yamlnode_get(steps->items[1], "unbind");

		CHECK_STR(held->anchor, "cls");
		CHECK_INT(held->uses, 1);
		CHECK_STR(used->alias, "cls");
		CHECK_INT(used->line, 3);	/* where the value was written */
		CHECK_INT(used->used_line, 4);	/* where it was used */
	}
	yamlnode_free(root);
	conf_errors_free(&e);
}

/* No anchor before it (also inside its own node: a cycle), an anchor twice: each at its line. */
static void
bad_aliases_are_each_reported(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load(DATA "alias-bad.yaml", &scen, &e), -1);
	check_errors(&e,
	    DATA "alias-bad.yaml:3: alias *nothing: no anchor &nothing before it",
	    DATA "alias-bad.yaml:5: anchor &cls given again (first at line 4)",
	    DATA "alias-bad.yaml:6: alias *loop: no anchor &loop before it",
	    NULL);
	conf_errors_free(&e);
}

/* Nested aliases that would expand to millions of values stop at the limit. */
static void
alias_expansion_is_bounded(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load(DATA "alias-bomb.yaml", &scen, &e), -1);
	check_errors(&e, DATA "alias-bomb.yaml:6: more than 20000 values (aliases expanding too"
	    " far?)", NULL);
	conf_errors_free(&e);
}

/* site: values reach their keys; the board's protected devices are read and marked. */
static void
board_site_values_reach_their_keys(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-site.yaml", &board, &e), 0);
	conf_errors_print(&e, stderr);
	CHECK_INT(e.n, 0);
	CHECK_STR(board.ssh_host, "192.168.10.40");
	CHECK(printed_has(&board,
	    "  path: \"/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_test-if00-port0\""));
	CHECK(printed_has(&board, "  board-ip: \"192.168.10.40\""));
	CHECK(printed_has(&board, "  tftp-dir: \"/srv/tftp/test\""));
	CHECK(printed_has(&board, "  on: [\"pduclient\", \"--daemon\", \"localhost\","
	    " \"--hostname\", \"pdu1\", \"--port\", \"4\"]"));
	CHECK(printed_has(&board, "  - { device: \"e60b0000.i2c\", why: \"PMIC (i2c_dvfs)\" }"));
	CHECK_INT(board.nprotected, 2);
	CHECK_INT(board_conf_device(&board, "pmic")->prot, 1);
	CHECK_INT(board_conf_device(&board, "i2c")->prot, 0);
	conf_errors_free(&e);
}

/*
 * A site value unused (a misspelt alias would leave the file's example in place), without an
 * anchor, or a mapping; a bad value through an alias is reported at the site line and names
 * where it was used; protected entries need a reason, no '/' and no repeats.
 */
static void
board_site_and_protected_mistakes_are_reported(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-site-bad.yaml", &board, &e), -1);
	check_errors(&e,
	    DATA "board-site-bad.yaml:3: boot.board-ip: \"192.168.10.400\" is not an IPv4 address"
	    " (a.b.c.d) (through *board-ip at line 14)",
	    DATA "board-site-bad.yaml:6: ssh.port: expected a single value, not a mapping"
	    " (through *nested at line 15)",
	    DATA "board-site-bad.yaml:17: protected[0]: missing key 'why'",
	    DATA "board-site-bad.yaml:18: protected[1].device: 'a/b' is not a sysfs name"
	    " (letters, digits and . _ + : @ -, starting with a letter or digit)",
	    DATA "board-site-bad.yaml:20: protected[3]: e60b0000.i2c is listed already (line 19)",
	    DATA "board-site-bad.yaml:4: site.unused: never used: no *unused below takes it"
	    " (a misspelt alias?)",
	    DATA "board-site-bad.yaml:5: site.bare: no anchor: write 'bare: &bare VALUE' and use"
	    " *bare below",
	    DATA "board-site-bad.yaml:6: site.nested: a value or a list of values, not a mapping",
	    NULL);
	conf_errors_free(&e);
}

/* A scenario step that unbinds or binds a protected device is refused, with every name. */
static void
protected_devices_refuse_unbind_and_bind_only(void)
{
	struct conf_errors e = { 0 };
	struct scenario sc;
	char why[512];

	CHECK_INT(board_conf_load(DATA "board-site.yaml", &board, &e), 0);
	memset(&sc, 0, sizeof(sc));
	util_strlcpy(sc.name, "pmic-unbind", sizeof(sc.name));
	util_strlcpy(sc.classes[0], "pmic", sizeof(sc.classes[0]));
	sc.nclasses = 1;
	sc.steps[0].kind = STEP_HOLD;
	util_strlcpy(sc.steps[0].arg, "pmic", sizeof(sc.steps[0].arg));
	sc.steps[1].kind = STEP_READ;
	util_strlcpy(sc.steps[1].arg, "pmic", sizeof(sc.steps[1].arg));
	sc.nsteps = 2;
	/* Holding and reading the PMIC's bus is fine. */
	CHECK_INT(protect_runnable(&board, &sc, why, sizeof(why)), ERROR_NONE);
	CHECK_STR(why, "");
	sc.steps[2].kind = STEP_UNBIND;
	util_strlcpy(sc.steps[2].arg, "pmic", sizeof(sc.steps[2].arg));
	sc.nsteps = 3;
	CHECK_INT(protect_runnable(&board, &sc, why, sizeof(why)), ERROR_SCEN_PROTECTED);
	CHECK_STR(why, "board site-board refuses pmic-unbind: step 3 unbinds devices.pmic"
	    " (e60b0000.i2c), protected: PMIC (i2c_dvfs)");
	CHECK(protect_step(&board, &sc.steps[2]) == &board.protected[0]);
	CHECK(protect_step(&board, &sc.steps[0]) == NULL);
	/* A survey's device is looked up by its name, whatever class the board file gives it. */
	CHECK(protect_device(&board, "e60b0000.i2c") == &board.protected[0]);
	CHECK(protect_device(&board, "e6500000.i2c") == NULL);
	sc.steps[2].kind = STEP_BIND;
	CHECK_INT(protect_runnable(&board, &sc, why, sizeof(why)), ERROR_SCEN_PROTECTED);
	CHECK_HAS(why, "step 3 binds devices.pmic");
	/* The same steps on an unprotected class run. */
	util_strlcpy(sc.steps[2].arg, "i2c", sizeof(sc.steps[2].arg));
	CHECK_INT(protect_runnable(&board, &sc, why, sizeof(why)), ERROR_NONE);
	/* A class the board lacks is the other reason. */
	util_strlcpy(sc.classes[1], "mtd", sizeof(sc.classes[1]));
	sc.nclasses = 2;
	CHECK_INT(protect_runnable(&board, &sc, why, sizeof(why)), ERROR_SCEN_CLASS);
	CHECK_STR(why, "board site-board has no mtd device");
	CHECK_STR(error_kind_name(ERROR_SCEN_PROTECTED), "scenario: protected device");
	conf_errors_free(&e);
}

/* The boards whose values are this repository's own (virtual boards); every other is a lab's. */
static const char *const site_exempt[] = { "boards/vq35.yaml", "boards/vsabre.yaml",
    "boards/vbench.yaml", NULL };

/* The site entry whose anchor n came through, or NULL. */
static const struct yamlnode *
site_entry(const struct yamlnode *site, const struct yamlnode *n)
{
	int i;

	if (site == NULL || n == NULL || n->alias == NULL)
		return NULL;
	for (i = 0; i < site->n; i++)
		if (site->items[i]->anchor != NULL && strcmp(site->items[i]->anchor, n->alias) == 0)
			return site->items[i];
	return NULL;
}

/* A host value at sect.key (when the file gives it) must come from site:. */
static void
site_check(const char *path, const struct yamlnode *root, const char *sect, const char *key)
{
	const struct yamlnode *site = yamlnode_get(root, "site");
	const struct yamlnode *n = yamlnode_get(yamlnode_get(root, sect), key);
	int i, from_site = 0;

	if (n == NULL)
		return;
	if (site_entry(site, n) != NULL)
		from_site = 1;
	/* A command's argument list: the whole list, or its host part (the outlet), from site:. */
	for (i = 0; n->kind == YAMLNODE_SEQ && i < n->n; i++)
		if (site_entry(site, n->items[i]) != NULL)
			from_site = 1;
	if (!from_site) {
		fprintf(stderr, "%s:%d: %s.%s is written here, not taken from site: (*name)\n",
		    path, n->line, sect, key);
		test_cur_failed = 1;
	}
}

/*
 * Every lab board file takes its host's values from site: (so nobody adds a board with a
 * hard-wired lab value), and names the devices it protects.
 */
static void
lab_boards_take_host_values_from_site(void)
{
	static const char *const keys[][2] = {
		{ "console", "path" }, { "console", "host" }, { "console", "port" },
		{ "power", "chip" }, { "power", "line" }, { "power", "on" }, { "power", "off" },
		{ "power", "cycle" }, { "power", "state" },
		{ "boot", "tftp-dir" }, { "boot", "tftp-root" }, { "boot", "server-ip" },
		{ "boot", "board-ip" }, { "ssh", "host" },
	};
	struct conf_errors e = { 0 };
	struct yamlnode *root;
	glob_t g;
	size_t i, k;
	int j, lab = 0;

	CHECK_INT(glob("boards/*.yaml", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];

		for (j = 0; site_exempt[j] != NULL && strcmp(site_exempt[j], path) != 0; j++)
			;
		if (site_exempt[j] != NULL)
			continue;
		lab++;
		root = yamlnode_load(path, &e);
		CHECK(root != NULL);
		if (root == NULL)
			continue;
		CHECK(yamlnode_get(root, "site") != NULL);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			site_check(path, root, keys[k][0], keys[k][1]);
		yamlnode_free(root);
		CHECK_INT(board_conf_load(path, &board, &e), 0);
		if (board.nprotected == 0) {
			fprintf(stderr, "%s: lists no protected device\n", path);
			test_cur_failed = 1;
		}
	}
	globfree(&g);
	CHECK_INT(e.n, 0);
	conf_errors_print(&e, stderr);
	conf_errors_free(&e);
	/* Seven R-Car boards at least. */
	CHECK(lab >= 7);
}

static void
board_unknown_and_duplicate_keys_are_errors(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-unknown-keys.yaml", &board, &e), -1);
	check_errors(&e,
	    DATA "board-unknown-keys.yaml:12: duplicate key 'kernel' (first at line 11)",
	    DATA "board-unknown-keys.yaml:3: unknown key 'colour' (known: site, name, arch, "
	    "console, power, boot, qemu, ssh, devices, protected)",
	    DATA "board-unknown-keys.yaml:6: console: unknown key 'speed' (known: kind, share, baud)",
	    DATA "board-unknown-keys.yaml:19: devices.i2c: unknown key 'irq' (known: node, bus, "
	    "driver, device)",
	    NULL);
	conf_errors_free(&e);
}

static void
board_bad_values_are_each_reported(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-bad-values.yaml", &board, &e), -1);
	check_errors(&e,
	    DATA "board-bad-values.yaml:1: name: 'Bad Name' is not a name (a-z, 0-9, '-' and '_', "
	    "not starting with '-' or '_')",
	    DATA "board-bad-values.yaml:2: arch: 'riscv64' is not one of: amd64, armhf, arm64",
	    DATA "board-bad-values.yaml:5: console.baud: 'fast' is not a whole number",
	    /* The power part's qemu: section, checked by power_qemu.c, before the boot part. */
	    DATA "board-bad-values.yaml:16: qemu.memory: 1 is out of range (64 to 65536)",
	    DATA "board-bad-values.yaml:17: qemu.net: 'virtio' is not one of: e1000, nic",
	    DATA "board-bad-values.yaml:18: qemu.serials: 'console' must appear exactly once "
	    "(the pty the rig reads)",
	    DATA "board-bad-values.yaml:19: qemu.args: expected a single value, not a list",
	    DATA "board-bad-values.yaml:20: qemu.snapshot: 'sometimes' is not true or false",
	    DATA "board-bad-values.yaml:10: boot.timeout: '2 minutes' is not a duration above zero "
	    "(250ms, 5s, 2m, 1h)",
	    DATA "board-bad-values.yaml:11: boot.kernel: too long (135 characters, at most 127)",
	    DATA "board-bad-values.yaml:12: boot.modules: 'i2c i801' holds a space: one name per entry",
	    DATA "board-bad-values.yaml:22: ssh.port: 70000 is out of range (0 to 65535)",
	    DATA "board-bad-values.yaml:24: devices.i2c.node: 'i2c-0' is not under /dev/",
	    DATA "board-bad-values.yaml:25: devices.uart: expected a mapping (key: value), not a list",
	    NULL);
	conf_errors_free(&e);
}

static void
board_settings_of_another_backend_are_errors(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-mismatch.yaml", &board, &e), -1);
	/* A key of another backend is unknown to the one named (power.on is command's, not gpio's). */
	check_errors(&e,
	    DATA "board-mismatch.yaml:5: console: unknown key 'path' (known: kind, share, baud)",
	    DATA "board-mismatch.yaml:8: power: unknown key 'on' (known: backend, off-time, chip, "
	    "line, active-low, on-delay, off-delay)",
	    DATA "board-mismatch.yaml:7: power: missing key 'chip'",
	    DATA "board-mismatch.yaml:7: power: missing key 'line'",
	    DATA "board-mismatch.yaml:11: boot: unknown key 'tftp-dir' (known: method, timeout, "
	    "kernel, modules, append)",
	    DATA "board-mismatch.yaml:10: boot: missing key 'kernel'",
	    DATA "board-mismatch.yaml:4: console.kind qemu needs power.backend qemu "
	    "(the pty exists while the rig runs QEMU)",
	    DATA "board-mismatch.yaml:10: boot.method qemu-kernel needs power.backend qemu",
	    DATA "board-mismatch.yaml:13: qemu: only for power.backend qemu",
	    DATA "board-mismatch.yaml:1: missing key 'ssh'",
	    NULL);
	conf_errors_free(&e);
}

/* Writes path with body; returns path. */
static const char *
write_file(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(body, f);
		fclose(f);
	}
	return path;
}

/*
 * A backend's own keys are checked by the backend (console_tty.c, power_qemu.c), each problem
 * at its key's line, and a key no part of the board reads is refused where it stands.
 */
static void
board_backend_keys_are_checked_by_their_backend(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[128], want[5][256];
	struct conf_errors e = { 0 };

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/tty.yaml", dir);
	CHECK_INT(board_conf_load(write_file(path,
	    "name: t\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\n  baud: 0\n"
	    "  parity: none\npower:\n  backend: qemu\nboot:\n  method: qemu-kernel\n"
	    "  kernel: k\nqemu:\n  binary: q\n  machine: m\n  net: nic\n  serials: [console]\n"
	    "  memory: lots\n  sound: yes\nssh:\n  port: 0\n"), &board, &e), -1);
	snprintf(want[0], sizeof(want[0]), "%s:7: console: unknown key 'parity' (known: kind, share, "
	    "path, baud, flow, lockdir)", path);
	snprintf(want[1], sizeof(want[1]), "%s:6: console.baud: 0 is out of range (1 to 4000000)",
	    path);
	snprintf(want[2], sizeof(want[2]), "%s:19: qemu: unknown key 'sound' (known: binary, "
	    "machine, cpu, memory, dtb, net, serials, args, snapshot)", path);
	snprintf(want[3], sizeof(want[3]), "%s:18: qemu.memory: 'lots' is not a whole number", path);
	/* The QEMU power part needs its console: the rule is the backend's, at its name's line. */
	snprintf(want[4], sizeof(want[4]), "%s:9: power.backend qemu needs console.kind qemu (the "
	    "board's serial port is QEMU's pty)", path);
	check_errors(&e, want[0], want[1], want[2], want[3], want[4], NULL);
	conf_errors_free(&e);
	unlink(path);
	rmdir(dir);
}

/*
 * console.share, whatever the console's kind: off, 0 (a port the kernel picks) or a port; the
 * default shares; anything else is an error at its line.
 */
static void
board_console_share_is_off_or_a_port(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[128], want[2][256];
	const char *head = "name: s\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\n";
	const char *tail = "power:\n  backend: manual\nboot:\n  method: local\n"
	    "ssh:\n  host: 10.0.0.2\n";
	const char *shares[] = { "", "  share: off\n", "  share: 7000\n", "  share: 0\n" };
	const int want_share[] = { 0, CONF_SHARE_OFF, 7000, 0 };
	struct conf_errors e = { 0 };
	struct board_conf board;
	char body[512], *printed;
	int i;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	for (i = 0; i < 4; i++) {
		snprintf(body, sizeof(body), "%s%s%s", head, shares[i], tail);
		CHECK_INT(board_conf_load(write_file(path, body), &board, &e), 0);
		CHECK_INT(board.console_share, want_share[i]);
		printed = printed_board(&board);
		CHECK_HAS(printed, want_share[i] == CONF_SHARE_OFF ? "  share: off\n" :
		    want_share[i] == 7000 ? "  share: 7000\n" : "  share: 0\n");
		free(printed);
	}
	snprintf(body, sizeof(body), "%s  share: 70000\n%s", head, tail);
	CHECK_INT(board_conf_load(write_file(path, body), &board, &e), -1);
	snprintf(body, sizeof(body), "%s  share: yes\n%s", head, tail);
	CHECK_INT(board_conf_load(write_file(path, body), &board, &e), -1);
	snprintf(want[0], sizeof(want[0]), "%s:6: console.share: 70000 is out of range (0 to 65535)",
	    path);
	snprintf(want[1], sizeof(want[1]), "%s:6: console.share: 'yes' is not a whole number", path);
	check_errors(&e, want[0], want[1], NULL);
	conf_errors_free(&e);
	unlink(path);
	rmdir(dir);
}

/*
 * Command power: each command is a list of strings, the program first (no shell splits a
 * string), each problem at its line; what it read prints back and loads the same.
 */
static void
board_command_power_keys_are_argument_lists(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[128], want[6][256], *first, *second;
	struct conf_errors e = { 0 };

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/pdu.yaml", dir);
	CHECK_INT(board_conf_load(write_file(path,
	    "name: pdu\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\npower:\n"
	    "  backend: command\n"
	    "  on: pdu-ctl --outlet 3 on\n"
	    "  off: []\n"
	    "  cycle: [pdu-ctl,\n"
	    "    [nested]]\n"
	    "  state: [\"\", status]\n"
	    "  timeout: 20m\n"
	    "  delay: 1s\n"
	    "boot:\n  method: uboot-tftp\n  tftp-dir: /srv/tftp/pdu\nssh:\n  host: 10.0.0.2\n"), &board, &e), -1);
	snprintf(want[0], sizeof(want[0]), "%s:14: power: unknown key 'delay' (known: backend, "
	    "off-time, on, off, cycle, state, timeout)", path);
	snprintf(want[1], sizeof(want[1]), "%s:8: power.on: not a list of arguments: [program, "
	    "arg, ...] (no shell runs it)", path);
	snprintf(want[2], sizeof(want[2]), "%s:9: power.off: empty: the program first", path);
	snprintf(want[3], sizeof(want[3]), "%s:11: power.cycle: argument 2 is a list, not a "
	    "string", path);
	snprintf(want[4], sizeof(want[4]), "%s:12: power.state: the program's name is empty",
	    path);
	snprintf(want[5], sizeof(want[5]), "%s:13: power.timeout: at most 10m (a command that "
	    "long is stuck)", path);
	check_errors(&e, want[0], want[1], want[2], want[3], want[4], want[5], NULL);
	conf_errors_free(&e);

	CHECK_INT(board_conf_load(write_file(path,
	    "name: pdu\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\npower:\n"
	    "  backend: command\n"
	    "  on: [pdu-ctl, --outlet, \"3\", \"on\"]\n"
	    "  off: [pdu-ctl, --outlet, 3, \"off\", \"two words\", \"a\\\"b\", \"\"]\n"
	    "  state: [pdu-ctl, status]\n"
	    "  timeout: 2500ms\n"
	    "boot:\n  method: uboot-tftp\n  tftp-dir: /srv/tftp/pdu\nssh:\n  host: 10.0.0.2\n"), &board, &e), 0);
	check_errors(&e, NULL);
	CHECK(board.parts[PART_POWER].built);
	CHECK(printed_has(&board, "  backend: \"command\"\n"
	    "  on: [\"pdu-ctl\", \"--outlet\", \"3\", \"on\"]\n"
	    "  off: [\"pdu-ctl\", \"--outlet\", \"3\", \"off\", \"two words\", \"a\\\"b\", \"\"]\n"
	    "  state: [\"pdu-ctl\", \"status\"]\n"
	    "  timeout: 2500ms\n"
	    "  off-time: 3000ms"));
	first = printed_board(&board);
	write_file(path, first ? first : "");
	CHECK_INT(board_conf_load(path, &board, &e), 0);
	second = printed_board(&board);
	CHECK_STR(second, first);
	check_errors(&e, NULL);
	conf_errors_free(&e);
	free(first);
	free(second);
	unlink(path);
	rmdir(dir);
}

/*
 * A backend this build lacks: its keys are kept as given, whatever they are, never checked;
 * the board loads, parts_resolve refuses it at the backend's line and that is its one error.
 * The checked form shows the keys, and loads back the same.
 */
static void
board_keys_of_a_backend_this_build_lacks_are_kept_unchecked(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[128], want[256], *first, *second;
	struct conf_errors e = { 0 };
	struct parts_ops ops;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/relay.yaml", dir);
	CHECK_INT(board_conf_load(write_file(path,
	    "name: relay\narch: arm64\nconsole:\n  kind: tty\n  path: /dev/ttyUSB0\n"
	    "power:\n  backend: relay-card\n  card: { port: 3, bus: \"i2c 1\" }\n"
	    "  lines: [1, 2]\n  off-time: 1s\nboot:\n  method: pxe\n  server: 10.0.0.1\n"
	    "lab:\n  rack: 4\nssh:\n  host: 10.0.0.2\n"), &board, &e), 0);
	check_errors(&e, NULL);
	CHECK(printed_has(&board, "  backend: \"relay-card\"\n  card: { port: 3, bus: \"i2c 1\" }\n"
	    "  lines: [1, 2]\n  off-time: 1000ms"));
	CHECK(printed_has(&board, "  server: 10.0.0.1"));
	CHECK_INT(parts_resolve(&board, &ops, &e), -1);
	snprintf(want, sizeof(want), "%s:7: power.backend relay-card: not in this rigd (it has: "
	    "qemu, command, gpio, manual); board relay is not served", path);
	CHECK_INT(e.n, 2);
	if (e.n > 0)
		CHECK_STR(e.msg[0], want);
	conf_errors_free(&e);

	first = printed_board(&board);
	write_file(path, first ? first : "");
	CHECK_INT(board_conf_load(path, &board, &e), 0);
	second = printed_board(&board);
	CHECK_STR(second, first);
	check_errors(&e, NULL);
	conf_errors_free(&e);
	free(first);
	free(second);
	unlink(path);
	rmdir(dir);
}

static void
board_required_keys_are_each_reported(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-missing.yaml", &board, &e), -1);
	check_errors(&e,
	    DATA "board-missing.yaml:2: missing key 'arch'",
	    DATA "board-missing.yaml:4: console: missing key 'path'",
	    DATA "board-missing.yaml:6: power: missing key 'on'",
	    DATA "board-missing.yaml:6: power: missing key 'off'",
	    DATA "board-missing.yaml:8: boot: missing key 'tftp-dir'",
	    DATA "board-missing.yaml:2: missing key 'ssh'",
	    NULL);
	conf_errors_free(&e);
}

static void
board_file_that_is_a_list_is_an_error(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-not-mapping.yaml", &board, &e), -1);
	check_errors(&e, DATA "board-not-mapping.yaml:1: board file: expected a mapping "
	    "(key: value), not a list", NULL);
	conf_errors_free(&e);
}

static void
scenario_bad_steps_are_each_reported_at_their_line(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load(DATA "bad-steps.yaml", &scen, &e), -1);
	check_errors(&e,
	    DATA "bad-steps.yaml:4: unknown key 'owner' (known: name, description, fresh-boot, steps)",
	    DATA "bad-steps.yaml:3: fresh-boot: 'maybe' is not true or false",
	    DATA "bad-steps.yaml:8: timeout: 'forever' is not a duration above zero (250ms, 5s, 2m, 1h)",
	    DATA "bad-steps.yaml:9: step: the action comes first, then 'timeout'",
	    DATA "bad-steps.yaml:11: step: unknown action 'frobnicate' (known: hold, release, unbind, "
	    "bind, read, expect-present, expect-gone, expect-holder, wait, sleep, shell, poweroff, cut)",
	    DATA "bad-steps.yaml:13: step: one action per step ('bind' after 'release')",
	    DATA "bad-steps.yaml:14: hold: missing value",
	    DATA "bad-steps.yaml:15: wait: step 'unbind' (line 7) does not run in the background",
	    DATA "bad-steps.yaml:18: name: 'Unbind!' is not a name (a-z, 0-9, '-' and '_', "
	    "not starting with '-' or '_')",
	    DATA "bad-steps.yaml:19: wait: no earlier step is named 'nothing'",
	    DATA "bad-steps.yaml:20: sleep: 'soon' is not a duration above zero (250ms, 5s, 2m, 1h)",
	    DATA "bad-steps.yaml:22: timeout: not for sleep (its argument is the duration)",
	    DATA "bad-steps.yaml:24: background: not for hold",
	    DATA "bad-steps.yaml:25: expect-holder: 'sleeping' is not one of: running, exited",
	    DATA "bad-steps.yaml:26: poweroff: 'now' is not one of: clean",
	    DATA "bad-steps.yaml:27: cut: 'the cord' is not one of: power",
	    DATA "bad-steps.yaml:28: shell: expected a single value, not a list",
	    DATA "bad-steps.yaml:29: step: expected a mapping that starts with its action (- hold: i2c)",
	    DATA "bad-steps.yaml:30: read: 'uart' is not held (a hold step must come first)",
	    DATA "bad-steps.yaml:32: step: unknown key 'retries' (known: the action, timeout, "
	    "background, name, watch)",
	    DATA "bad-steps.yaml:34: timeout: not for wait (the background step's own timeout holds)",
	    DATA "bad-steps.yaml:36: watch: only for unbind and bind",
	    DATA "bad-steps.yaml:38: watch: 'sometimes' is not true or false",
	    NULL);
	conf_errors_free(&e);
}

static void
scenario_name_must_be_the_file_name(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(scenario_load(DATA "name-mismatch.yaml", &scen, &e), -1);
	check_errors(&e, DATA "name-mismatch.yaml:1: name: 'something-else' must be the file's "
	    "name ('name-mismatch')", NULL);
	conf_errors_free(&e);
}

/* The whole of a file, or of what a printer wrote, as a string to compare. */
static char *
slurp(FILE *f)
{
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf = realloc(buf, len + n + 1);
		if (buf == NULL)
			return NULL;
		memcpy(buf + len, chunk, n);
		len += n;
	}
	if (buf == NULL)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

static char *
slurp_path(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;

	if (f == NULL)
		return NULL;
	s = slurp(f);
	fclose(f);
	return s;
}

static char *
printed_board(const struct board_conf *b)
{
	FILE *f = tmpfile();
	char *s;

	if (f == NULL)
		return NULL;
	board_conf_print(b, f);
	s = slurp(f);
	fclose(f);
	return s;
}

static char *
printed_scenario(const struct scenario *sc)
{
	FILE *f = tmpfile();
	char *s;

	if (f == NULL)
		return NULL;
	scenario_print(sc, f);
	s = slurp(f);
	fclose(f);
	return s;
}

/*
 * Saved expectations (test files using every key and action, so that edits to the shipped
 * boards do not move them): a change in what is read shows up as a diff of these files.
 */
static void
checked_forms_print_as_saved(void)
{
	struct conf_errors e = { 0 };
	char *got, *want;

	CHECK_INT(board_conf_load(DATA "qemu-board.yaml", &board, &e), 0);
	got = printed_board(&board);
	want = slurp_path(DATA "qemu-board.printed");
	CHECK_STR(got, want);
	free(got);
	free(want);

	CHECK_INT(scenario_load(DATA "all-steps.yaml", &scen, &e), 0);
	got = printed_scenario(&scen);
	want = slurp_path(DATA "all-steps.printed");
	CHECK_STR(got, want);
	free(got);
	free(want);
	conf_errors_print(&e, stderr);
	conf_errors_free(&e);
}

/* Loading what a printer wrote gives the same checked form: nothing is lost or misquoted. */
static void
printed_forms_load_back_unchanged(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[512];
	struct conf_errors e = { 0 };
	char *first, *second;
	glob_t g;
	size_t i;
	FILE *f;
	int boards;

	CHECK(mkdtemp(dir) != NULL);
	for (boards = 1; boards >= 0; boards--) {
		if (glob(boards ? "boards/*.yaml" : "scenarios/*.yaml", 0, NULL, &g) != 0)
			continue;
		if (glob(boards ? DATA "qemu-board.yaml" : DATA "all-steps.yaml", GLOB_APPEND, NULL,
		    &g) != 0)
			CHECK(0);
		for (i = 0; i < g.gl_pathc; i++) {
			if (boards) {
				CHECK_INT(board_conf_load(g.gl_pathv[i], &board, &e), 0);
				first = printed_board(&board);
				snprintf(path, sizeof(path), "%s/board.yaml", dir);
			} else {
				CHECK_INT(scenario_load(g.gl_pathv[i], &scen, &e), 0);
				first = printed_scenario(&scen);
				snprintf(path, sizeof(path), "%s/%s.yaml", dir, scen.name);
			}
			f = fopen(path, "w");
			CHECK(f != NULL && first != NULL);
			if (f == NULL || first == NULL)
				break;
			fputs(first, f);
			fclose(f);
			if (boards) {
				CHECK_INT(board_conf_load(path, &board, &e), 0);
				second = printed_board(&board);
			} else {
				CHECK_INT(scenario_load(path, &scen, &e), 0);
				second = printed_scenario(&scen);
			}
			conf_errors_print(&e, stderr);
			conf_errors_free(&e);
			CHECK_STR(second, first);
			free(first);
			free(second);
			unlink(path);
		}
		globfree(&g);
	}
	rmdir(dir);
}

/* Writes DIR/NAME.yaml with "name: NAME" and the given body; returns its path in buf. */
static const char *
write_scenario(char *buf, size_t size, const char *dir, const char *name, const char *body)
{
	FILE *f;

	snprintf(buf, size, "%s/%s.yaml", dir, name);
	f = fopen(buf, "w");
	if (f == NULL)
		return buf;
	fprintf(f, "name: %s\n%s", name, body);
	fclose(f);
	return buf;
}

static void
scenario_limits_are_errors_not_truncation(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[128], want[512];
	char body[8192], cmd[301];
	struct conf_errors e = { 0 };
	size_t len;
	int i;

	CHECK(mkdtemp(dir) != NULL);

	/* 65 steps: the 65th (line 67: name, steps, then one line per step) is refused. */
	len = (size_t)snprintf(body, sizeof(body), "steps:\n");
	for (i = 0; i < SCEN_MAX_STEPS + 1; i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len, "  - sleep: 1ms\n");
	CHECK_INT(scenario_load(write_scenario(path, sizeof(path), dir, "many", body), &scen, &e),
	    -1);
	snprintf(want, sizeof(want), "%s:%d: steps: more than %d", path, SCEN_MAX_STEPS + 3,
	    SCEN_MAX_STEPS);
	check_errors(&e, want, NULL);
	CHECK_INT(scen.nsteps, SCEN_MAX_STEPS);
	conf_errors_free(&e);
	unlink(path);

	/* Five classes where four fit. */
	CHECK_INT(scenario_load(write_scenario(path, sizeof(path), dir, "classes",
	    "steps:\n  - expect-present: a\n  - expect-present: b\n  - expect-present: c\n"
	    "  - expect-present: d\n  - expect-present: e\n"), &scen, &e), -1);
	snprintf(want, sizeof(want), "%s:7: more than 4 device classes ('e')", path);
	check_errors(&e, want, NULL);
	conf_errors_free(&e);
	unlink(path);

	/* A shell command of 300 characters does not fit the 255 of arg. */
	memset(cmd, 'x', 300);
	cmd[300] = '\0';
	snprintf(body, sizeof(body), "steps:\n  - shell: %s\n", cmd);
	CHECK_INT(scenario_load(write_scenario(path, sizeof(path), dir, "long", body), &scen, &e),
	    -1);
	snprintf(want, sizeof(want), "%s:3: shell: too long (300 characters, at most 255)", path);
	check_errors(&e, want, NULL);
	conf_errors_free(&e);
	unlink(path);

	/* Two background steps of one name leave a wait nothing to choose by. */
	CHECK_INT(scenario_load(write_scenario(path, sizeof(path), dir, "twins",
	    "steps:\n  - bind: a\n    background: true\n  - bind: a\n    background: true\n"
	    "  - wait: bind\n"), &scen, &e), -1);
	snprintf(want, sizeof(want), "%s:5: step: a background step named 'bind' already runs "
	    "from line 3: give this one a name:", path);
	check_errors(&e, want, NULL);
	conf_errors_free(&e);
	unlink(path);

	/* Named background steps, waited for by name. */
	CHECK_INT(scenario_load(write_scenario(path, sizeof(path), dir, "named",
	    "fresh-boot: true\nsteps:\n  - bind: a\n    background: true\n    name: first\n"
	    "  - bind: a\n    background: true\n    name: second\n  - wait: second\n"
	    "  - wait: first\n  - poweroff: clean\n  - cut: power\n"), &scen, &e), 0);
	check_errors(&e, NULL);
	CHECK_INT(scen.fresh_boot, 1);
	CHECK_INT(scen.nsteps, 6);
	CHECK_STR(scen.steps[1].name, "second");
	CHECK_STR(scen.steps[3].arg, "first");
	CHECK_STR(scen.steps[4].arg, "clean");
	CHECK_STR(scen.steps[5].arg, "power");
	conf_errors_free(&e);
	unlink(path);
	rmdir(dir);
}

static void
board_parts_this_build_lacks_are_refused_at_their_key_line(void)
{
	struct conf_errors e = { 0 };
	struct parts_ops ops;

	CHECK_INT(board_conf_load("boards/vq35.yaml", &board, &e), 0);
	CHECK_INT(parts_resolve(&board, &ops, &e), 0);
	CHECK(ops.power == power_backend_find("qemu") && ops.power != NULL);
	CHECK(ops.boot == boot_method_find("qemu-kernel") && ops.boot != NULL);
	CHECK(ops.console == console_kind_find("qemu") && ops.console != NULL);
	CHECK_INT(e.n, 0);
	CHECK_INT(board_conf_load("boards/falcon.yaml", &board, &e), 0);
	/* tty, gpio and uboot-tftp are in this build: falcon is served (a lacking part: "relay"). */
	CHECK_INT(parts_resolve(&board, &ops, &e), 0);
	CHECK(ops.console == console_kind_find("tty") && ops.console != NULL);
	CHECK(ops.power == power_backend_find("gpio") && ops.power != NULL);
	CHECK(ops.boot == boot_method_find("uboot-tftp") && ops.boot != NULL);
	CHECK_INT(e.n, 0);
	conf_errors_free(&e);
	/* Command power and U-Boot over TFTP are in this build: spider and salvator-xs are served. */
	CHECK_INT(board_conf_load("boards/spider.yaml", &board, &e), 0);
	CHECK_INT(parts_resolve(&board, &ops, &e), 0);
	CHECK(ops.power == power_backend_find("command") && ops.power != NULL);
	CHECK(ops.boot == boot_method_find("uboot-tftp") && ops.boot != NULL);
	CHECK_INT(board_conf_load("boards/salvator-xs.yaml", &board, &e), 0);
	CHECK_INT(parts_resolve(&board, &ops, &e), 0);
	CHECK_INT(e.n, 0);
	conf_errors_free(&e);
}

/* What is typed at U-Boot comes from checked values only: each bad one at its line. */
static void
board_uboot_values_typed_at_uboot_are_checked(void)
{
	struct conf_errors e = { 0 };

	CHECK_INT(board_conf_load(DATA "board-uboot-bad.yaml", &board, &e), -1);
	check_errors(&e,
	    DATA "board-uboot-bad.yaml:9: boot.stop: a line's end would start U-Boot's boot command",
	    DATA "board-uboot-bad.yaml:19: boot.prompt: a control character is not allowed (typed at"
	    " U-Boot)",
	    DATA "board-uboot-bad.yaml:10: boot.tftp-dir: \"/srv/tftp/my board\": a folder's path"
	    " without spaces, quotes, '\\', '$' or ';'",
	    DATA "board-uboot-bad.yaml:12: boot.server-ip: \"192.168.10\" is not an IPv4 address"
	    " (a.b.c.d)",
	    DATA "board-uboot-bad.yaml:13: boot.board-ip: \"192.168.10.21; reset\" is not an IPv4"
	    " address (a.b.c.d)",
	    DATA "board-uboot-bad.yaml:17: boot.dtb: \" \" is not allowed (typed at U-Boot)",
	    DATA "board-uboot-bad.yaml:14: boot.command: 'bootm' is not one of: booti, bootz, zboot",
	    DATA "board-uboot-bad.yaml:15: boot.kernel-addr: \"0xZZ\" is neither an address (0x...)"
	    " nor a U-Boot variable's name",
	    DATA "board-uboot-bad.yaml:16: boot.initrd-addr: \"${ramdisk}\" is neither an address"
	    " (0x...) nor a U-Boot variable's name",
	    DATA "board-uboot-bad.yaml:18: boot.env.ethaddr: \"52:54 00\": letters, digits and"
	    " ._:/,+=@- only (typed at U-Boot unquoted), at most 127",
	    DATA "board-uboot-bad.yaml:18: boot.env: \"bad name\" is not a U-Boot variable's name"
	    " ([A-Za-z_][A-Za-z0-9_]*, at most 31)",
	    DATA "board-uboot-bad.yaml:18: boot.env.bootcmd: \"reset;reset\": letters, digits and"
	    " ._:/,+=@- only (typed at U-Boot unquoted), at most 127",
	    DATA "board-uboot-bad.yaml:8: boot.append: \"'\" is not allowed (typed at U-Boot)",
	    NULL);
	conf_errors_free(&e);
	/* tftp-root must hold tftp-dir: U-Boot asks for names below the server's root. */
	CHECK_INT(board_conf_load(DATA "board-uboot-root.yaml", &board, &e), -1);
	check_errors(&e,
	    DATA "board-uboot-root.yaml:7: boot.tftp-root /srv/tftp/other: boot.tftp-dir"
	    " /srv/tftp/board is not below it", NULL);
	conf_errors_free(&e);
}

/* The forms of values that reach a command line: what real boards hold passes, breakouts do not. */
static void
value_forms_take_real_names_and_refuse_breakouts(void)
{
	static const char *const bad[] = { "$(reboot)", "`reboot`", "x'y", "x\"y", "x\ny", "x;y",
	    "x&&y", "x*", "x y", "x|y", "x>y", "" };
	size_t i;

	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/dev/i2c-0") == NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/dev/mtd0ro") == NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE,
	    "/dev/serial/by-path/platform-ee700000.usb-usb-0:1:1.0-port0") == NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/dev/../etc/shadow") != NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/dev/x/..") != NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/dev/-n") != NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/dev//x") != NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/etc/passwd") != NULL);
	CHECK(conf_form_check(CONF_FORM_DEVNODE, "/dev/..x") == NULL);	/* a name, not a way up */
	CHECK(conf_form_check(CONF_FORM_SYSFS, "0000:00:1f.3") == NULL);
	CHECK(conf_form_check(CONF_FORM_SYSFS, "e6510000.i2c") == NULL);
	CHECK(conf_form_check(CONF_FORM_SYSFS, "1-1:1.0") == NULL);
	CHECK(conf_form_check(CONF_FORM_SYSFS, "i2c-rcar") == NULL);
	CHECK(conf_form_check(CONF_FORM_SYSFS, "-n") != NULL);
	CHECK(conf_form_check(CONF_FORM_SYSFS, "..") != NULL);
	CHECK(conf_form_check(CONF_FORM_SYSFS, "a/b") != NULL);
	CHECK(conf_form_check(CONF_FORM_MODULE, "i2c-i801") == NULL);
	CHECK(conf_form_check(CONF_FORM_MODULE, "-v") != NULL);
	CHECK(conf_form_check(CONF_FORM_PACKAGE, "linux-image-6.1.0-56-amd64") == NULL);
	CHECK(conf_form_check(CONF_FORM_PACKAGE, "linux-image-6.1.0-50-armmp:armhf") == NULL);
	CHECK(conf_form_check(CONF_FORM_PACKAGE, "g++-12") == NULL);
	CHECK(conf_form_check(CONF_FORM_PACKAGE, "-oDir=/tmp") != NULL);
	CHECK(conf_form_check(CONF_FORM_PACKAGE, "a:b:c") != NULL);
	CHECK(conf_form_check(CONF_FORM_PACKAGE, "Linux") != NULL);
	CHECK(conf_form_check(CONF_FORM_RELPATH, "renesas/r8a77951-salvator-xs.dtb") == NULL);
	CHECK(conf_form_check(CONF_FORM_RELPATH, "imx6q-sabrelite.dtb") == NULL);
	CHECK(conf_form_check(CONF_FORM_RELPATH, "/etc/shadow") != NULL);
	CHECK(conf_form_check(CONF_FORM_RELPATH, "../x.dtb") != NULL);
	CHECK(conf_form_check(CONF_FORM_RELPATH, "a/../../x.dtb") != NULL);
	CHECK(conf_form_check(CONF_FORM_RELPATH, "a/-x") != NULL);
	CHECK(conf_form_check(CONF_FORM_RELPATH, "-x") != NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(conf_form_check(CONF_FORM_DEVNODE, bad[i]) != NULL);
		CHECK(conf_form_check(CONF_FORM_SYSFS, bad[i]) != NULL);
		CHECK(conf_form_check(CONF_FORM_MODULE, bad[i]) != NULL);
		CHECK(conf_form_check(CONF_FORM_PACKAGE, bad[i]) != NULL);
		CHECK(conf_form_check(CONF_FORM_RELPATH, bad[i]) != NULL);
	}
}

int
main(void)
{
	RUN(every_shipped_board_loads_cleanly);
	RUN(every_shipped_scenario_loads_cleanly);
	RUN(vq35_board_reads_every_value);
	RUN(vsabre_board_has_platform_i2c_and_spi_nor);
	RUN(rcar_boards_read_tty_gpio_command_and_uboot_settings);
	RUN(i2c_unbind_scenario_has_its_six_steps);
	RUN(i2c_unbind_release_waits_for_the_background_unbind);
	RUN(uart_unbind_expects_the_holder_to_exit);
	RUN(step_kind_names_match_the_file_words);
	RUN(errors_carry_path_and_line_and_free_resets);
	RUN(missing_file_reports_the_system_error);
	RUN(empty_file_is_an_error);
	RUN(syntax_error_reports_libyamls_line);
	RUN(second_document_is_refused);
	RUN(many_keys_load_and_duplicates_are_found);
	RUN(unknown_yaml_version_is_refused);
	RUN(aliases_read_as_their_anchors_value);
	RUN(bad_aliases_are_each_reported);
	RUN(alias_expansion_is_bounded);
	RUN(board_site_values_reach_their_keys);
	RUN(board_site_and_protected_mistakes_are_reported);
	RUN(protected_devices_refuse_unbind_and_bind_only);
	RUN(lab_boards_take_host_values_from_site);
	RUN(board_unknown_and_duplicate_keys_are_errors);
	RUN(board_bad_values_are_each_reported);
	RUN(board_settings_of_another_backend_are_errors);
	RUN(board_required_keys_are_each_reported);
	RUN(board_backend_keys_are_checked_by_their_backend);
	RUN(board_console_share_is_off_or_a_port);
	RUN(board_keys_of_a_backend_this_build_lacks_are_kept_unchecked);
	RUN(board_command_power_keys_are_argument_lists);
	RUN(board_uboot_values_typed_at_uboot_are_checked);
	RUN(board_file_that_is_a_list_is_an_error);
	RUN(scenario_bad_steps_are_each_reported_at_their_line);
	RUN(scenario_name_must_be_the_file_name);
	RUN(scenario_limits_are_errors_not_truncation);
	RUN(checked_forms_print_as_saved);
	RUN(printed_forms_load_back_unchanged);
	RUN(board_parts_this_build_lacks_are_refused_at_their_key_line);
	RUN(value_forms_take_real_names_and_refuse_breakouts);
	TEST_END();
}
