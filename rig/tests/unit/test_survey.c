/* survey: the board-side discovery's output read strictly, and what is kept from being unbound. */
#include "survey.h"
#include "test.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the script printed on vq35 (Debian 6.1), cut to the lines that matter. */
static const char vq35_out[] =
    "node i2c-dev 89:0 /dev/i2c-0 /sys/devices/pci0000:00/0000:00:1f.3 pci i801_smbus unbind\n"
    "node rtc 248:0 /dev/rtc0 /sys/devices/pnp0/00:00 pnp rtc_cmos unbind\n"
    "node tty 4:64 /dev/ttyS0 /sys/devices/pnp0/00:04 pnp serial unbind\n"
    "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\n"
    "node tty 4:66 /dev/ttyS2 /sys/devices/platform/serial8250 platform serial8250 unbind\n"
    "node tty 4:67 /dev/ttyS3 /sys/devices/platform/serial8250 platform serial8250 unbind\n"
    "node misc 10:183 /dev/hwrng /sys/devices/platform/fixed.0 platform fixed no-unbind\n"
    "pin console tty0 /sys/devices/virtual/tty/tty0 - - -\n"
    "pin console ttyS0 /sys/devices/pnp0/00:04/tty/ttyS0 /sys/devices/pnp0/00:04 pnp serial\n"
    "pin net eth0 /sys/devices/pci0000:00/0000:00:02.0/net/eth0 /sys/devices/pci0000:00/0000:00:02.0 pci e1000\n"
    "end\n";

static const struct survey_dev *
find(const struct survey *sv, const char *device)
{
	int i;

	for (i = 0; i < sv->ndevs; i++)
		if (strcmp(sv->devs[i].device, device) == 0)
			return &sv->devs[i];
	return NULL;
}

static void
nodes_are_grouped_by_their_driver_bound_device(void)
{
	struct survey sv = { 0 };
	const struct survey_dev *d;
	char err[256] = "";

	CHECK_INT(survey_parse(vq35_out, &sv, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(sv.ndevs, 6);
	CHECK_INT(sv.npins, 3);
	d = find(&sv, "0000:00:1f.3");
	CHECK(d != NULL);
	if (d) {
		CHECK_STR(d->cls, "i2c");
		CHECK_STR(d->node, "/dev/i2c-0");
		CHECK_STR(d->bus, "pci");
		CHECK_STR(d->driver, "i801_smbus");
		CHECK_INT(d->unbindable, 1);
	}
	d = find(&sv, "serial8250");
	CHECK(d != NULL);
	if (d) {
		CHECK_STR(d->node, "/dev/ttyS2");
		CHECK_INT(d->nnodes, 2);
	}
	CHECK_STR(sv.pins[1].name, "ttyS0");
	CHECK_INT(sv.pins[2].kind, SURVEY_PIN_NET);
	CHECK_STR(sv.pins[2].driver, "e1000");
	CHECK_STR(sv.pins[0].syspath, "");
	survey_free(&sv);
}

static void
console_network_board_file_and_no_unbind_are_excluded_with_reasons(void)
{
	struct survey sv = { 0 };
	struct board_conf b = { 0 };
	const struct survey_dev *d;
	char err[256];

	util_strlcpy(b.name, "vq35", sizeof(b.name));
	util_strlcpy(b.protected[0].device, "00:00", sizeof(b.protected[0].device));
	util_strlcpy(b.protected[0].why, "the clock (test)", sizeof(b.protected[0].why));
	b.nprotected = 1;
	CHECK_INT(survey_parse(vq35_out, &sv, err, sizeof(err)), 0);
	survey_exclude(&sv, &b);
	d = find(&sv, "00:04");
	CHECK(d != NULL && strstr(d->excluded, "console ttyS0") != NULL);
	d = find(&sv, "00:00");
	CHECK(d != NULL && strstr(d->excluded, "board file: protected: the clock (test)") != NULL);
	d = find(&sv, "fixed.0");
	CHECK(d != NULL && strstr(d->excluded, "no unbind") != NULL);
	d = find(&sv, "00:03");
	CHECK(d != NULL && d->excluded[0] == '\0');
	d = find(&sv, "0000:00:1f.3");
	CHECK(d != NULL && d->excluded[0] == '\0');
	/* The network card has no node: it is a row of its own, excluded, with its reason. */
	d = find(&sv, "0000:00:02.0");
	CHECK(d != NULL);
	if (d) {
		CHECK_HAS(d->excluded, "network device eth0");
		CHECK_STR(d->cls, "net");
		CHECK_STR(d->driver, "e1000");
	}
	CHECK_INT(sv.ndevs, 7);
	/* Sorted by class and device: the I2C adapter first, the legacy ports last. */
	CHECK_STR(sv.devs[0].device, "0000:00:1f.3");
	CHECK_STR(sv.devs[2].device, "0000:00:02.0");
	CHECK_STR(sv.devs[6].device, "serial8250");
	survey_free(&sv);
}

static void
a_parent_of_a_pinned_device_is_excluded(void)
{
	static const char out[] =
	    "node mtd 90:0 /dev/mtd0 /sys/devices/platform/soc/ee200000.mmc platform renesas_sdhi unbind\n"
	    "pin root mmcblk0p1 /sys/devices/platform/soc/ee200000.mmc/mmc_host/mmc0/mmc0:0001/block/mmcblk0/mmcblk0p1"
	    " /sys/devices/platform/soc/ee200000.mmc/mmc_host/mmc0/mmc0:0001 mmc mmcblk\n"
	    "end\n";
	struct survey sv = { 0 };
	struct board_conf b = { 0 };
	char err[256];

	CHECK_INT(survey_parse(out, &sv, err, sizeof(err)), 0);
	survey_exclude(&sv, &b);
	CHECK(find(&sv, "ee200000.mmc") != NULL && strstr(find(&sv, "ee200000.mmc")->excluded,
	    "parent of the root storage mmcblk0p1") != NULL);
	/* The disk's own device is a row too. */
	CHECK_INT(sv.ndevs, 2);
	CHECK(find(&sv, "mmc0:0001") != NULL && strncmp(find(&sv, "mmc0:0001")->excluded,
	    "root storage mmcblk0p1", 22) == 0);
	survey_free(&sv);
}

/* Each bad output is refused whole, with the line's number and what is wrong with it. */
static void
bad_lines_are_refused_naming_the_line(void)
{
	static const struct {
		const char *out, *msg;
	} bad[] = {
		{ "bogus line\nend\n", "line 1: unknown line kind \"bogus\"" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial\nend\n",
		  "line 1: node: 7 fields, not 8" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind x\nend\n",
		  "line 1: node: 9 fields, not 8" },
		{ "node tty 4:65 /dev/ttyS1  /sys/devices/pnp0/00:03 pnp serial unbind\nend\n",
		  "line 1: node: an empty field" },
		{ "end\nnode tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\n",
		  "line 2: after the end line" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\n",
		  "no end line after line 1 (the output was cut short)" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\nen",
		  "no end line after line 2 (the output was cut short)" },
		{ "node Tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\nend\n",
		  "line 1: node: subsystem \"Tty\" is not a class name" },
		{ "node tty 4-65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\nend\n",
		  "line 1: node: \"4-65\" is not MAJOR:MINOR" },
		{ "node tty 4:65 /tmp/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\nend\n",
		  "line 1: node: \"/tmp/ttyS1\" is not a node under /dev" },
		{ "node tty 4:65 /dev/../etc/passwd /sys/devices/pnp0/00:03 pnp serial unbind\nend\n",
		  "line 1: node: \"/dev/../etc/passwd\" is not a node under /dev" },
		{ "node tty 4:65 /dev/ttyS1 /sys/class/tty/ttyS1 pnp serial unbind\nend\n",
		  "line 1: node: \"/sys/class/tty/ttyS1\" is not a device under /sys/devices" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/-n pnp serial unbind\nend\n",
		  "line 1: node: device \"-n\" is not a device name" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 p$ci serial unbind\nend\n",
		  "line 1: node: bus \"p$ci\" is not a name" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp -serial unbind\nend\n",
		  "line 1: node: driver \"-serial\" is not a name" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial maybe\nend\n",
		  "line 1: node: \"maybe\" is neither unbind nor no-unbind" },
		{ "pin disk vda /sys/devices/x - - -\nend\n",
		  "line 1: pin: kind \"disk\" is not console, net or root" },
		{ "pin net eth0 /sys/devices/x /sys/devices/x pci -\nend\n",
		  "line 1: pin: a driver-bound device needs its bus and driver" },
		{ "pin net eth0 /sys/devices/x\nend\n", "line 1: pin: 4 fields, not 7" },
		{ "pin net eth0 /sys/devices/p/-x/net/eth0 /sys/devices/p/-x pci e1000\nend\n",
		  "line 1: pin: device \"-x\" is not a device name" },
		{ "pin net eth0 /sys/devices/p/" "0123456789012345678901234567890123456789012345678901234567890123456789"
		  " /sys/devices/p/" "0123456789012345678901234567890123456789012345678901234567890123456789"
		  " pci e1000\nend\n", "line 1: device \"0123456789" },
		{ "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp serial unbind\r\nend\n",
		  "line 1: node: \"unbind\\r\" is neither unbind nor no-unbind" },
		{ "", "no end line after line 0 (the output was cut short)" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct survey sv = { 0 };
		char err[512] = "";

		if (survey_parse(bad[i].out, &sv, err, sizeof(err)) != -1) {
			fprintf(stderr, "bad output %zu accepted\n", i);
			CHECK(0);
		}
		CHECK_HAS(err, bad[i].msg);
		CHECK_INT(sv.ndevs, 0);
		CHECK(sv.devs == NULL);
		survey_free(&sv);
	}
}

/* A field too long for the rig is an error, never cut short; the line is quoted printable. */
static void
long_fields_and_control_bytes_are_errors(void)
{
	char out[1024], err[512];
	struct survey sv = { 0 };

	snprintf(out, sizeof(out), "node tty 4:65 /dev/ttyS1 /sys/devices/pnp0/00:03 pnp %0100d"
	    " unbind\nend\n", 7);
	CHECK_INT(survey_parse(out, &sv, err, sizeof(err)), -1);
	CHECK_HAS(err, "line 1: node: driver \"000");
	CHECK_HAS(err, "longer than 63");
	survey_free(&sv);
	CHECK_INT(survey_parse("node tty 4:65 /dev/tty\033S1 /sys/devices/pnp0/00:03 pnp serial"
	    " unbind\nend\n", &sv, err, sizeof(err)), -1);
	CHECK_HAS(err, "\"/dev/tty\\x1bS1\" is not a node under /dev");
	survey_free(&sv);
}

static void
classes_are_selected_from_a_list(void)
{
	CHECK(survey_class_selected(NULL, "i2c"));
	CHECK(survey_class_selected("", "i2c"));
	CHECK(survey_class_selected("i2c,tty", "tty"));
	CHECK(!survey_class_selected("i2c,tty", "rtc"));
	CHECK(!survey_class_selected("i2c,tty", "tt"));
}

static void
run_names_name_class_device_and_sequence(void)
{
	struct survey_dev d = { .cls = "i2c", .device = "0000:00:1f.3" };
	char name[64];

	CHECK_INT(survey_run_name(&d, "unbind", name, sizeof(name)), 0);
	CHECK_STR(name, "survey/i2c/0000:00:1f.3/unbind");
	memset(d.device, 'x', sizeof(d.device) - 1);
	d.device[sizeof(d.device) - 1] = '\0';
	CHECK_INT(survey_run_name(&d, "unbind", name, sizeof(name)), -1);
}

static void
sequences_are_read_from_a_list_naming_a_wrong_word(void)
{
	unsigned m = 99;
	char err[256] = "";

	CHECK_INT(survey_seq_parse(NULL, &m, err, sizeof(err)), 0);
	CHECK_INT((int)m, (int)SURVEY_SEQ_ALL);
	CHECK_INT(survey_seq_parse("", &m, err, sizeof(err)), 0);
	CHECK_INT((int)m, (int)SURVEY_SEQ_ALL);
	CHECK_INT(survey_seq_parse("poweroff,unbind", &m, err, sizeof(err)), 0);
	CHECK_INT((int)m, (int)((1u << SURVEY_SEQ_POWEROFF) | (1u << SURVEY_SEQ_UNBIND)));
	CHECK_INT(survey_seq_parse("unbind-release", &m, err, sizeof(err)), 0);
	CHECK_INT((int)m, (int)(1u << SURVEY_SEQ_UNBIND_RELEASE));
	CHECK_INT(survey_seq_parse("unbind,reboot", &m, err, sizeof(err)), -1);
	CHECK_HAS(err, "\"reboot\" is not a sequence (unbind, unbind-release, poweroff)");
	CHECK_INT(survey_seq_parse("unbind,", &m, err, sizeof(err)), -1);
	CHECK_HAS(err, "\"\" is not a sequence");
	CHECK_INT(survey_seq_parse("unbin", &m, err, sizeof(err)), -1);
	CHECK_INT(survey_seq_parse("unbind\033[2J", &m, err, sizeof(err)), -1);
	CHECK_HAS(err, "\"unbind\\x1b[2J\" is not a sequence");
}

/* The steps of a scenario as "hold:i2c unbind:i2c&..." (& a background step). */
static void
steps_of(const struct scenario *sc, char *dst, size_t len)
{
	int i;

	dst[0] = '\0';
	for (i = 0; i < sc->nsteps; i++)
		util_fmt(dst + strlen(dst), len - strlen(dst), "%s%s:%s%s", i ? " " : "",
		    step_kind_name(sc->steps[i].kind), sc->steps[i].arg,
		    sc->steps[i].background ? "&" : "");
}

static void
each_sequence_is_a_scenario_like_the_hand_written_ones(void)
{
	struct survey_dev d = { .cls = "i2c", .node = "/dev/i2c-0", .device = "0000:00:1f.3",
	    .driver = "i801_smbus" };
	struct scenario *sc = xcalloc(1, sizeof(*sc));
	char steps[1024];

	CHECK_INT(survey_scenario(&d, SURVEY_SEQ_UNBIND, sc), 0);
	CHECK_STR(sc->name, "survey/i2c/0000:00:1f.3/unbind");
	steps_of(sc, steps, sizeof(steps));
	CHECK_STR(steps, "hold:i2c unbind:i2c release:i2c bind:i2c expect-present:i2c");
	CHECK_INT(survey_scenario(&d, SURVEY_SEQ_UNBIND_RELEASE, sc), 0);
	CHECK_STR(sc->name, "survey/i2c/0000:00:1f.3/unbind-release");
	steps_of(sc, steps, sizeof(steps));
	CHECK_STR(steps, "hold:i2c unbind:i2c& sleep:1s release:i2c wait:unbind bind:i2c"
	    " expect-present:i2c");
	/* The wait joins the background unbind by its name; the sleep lasts a second. */
	CHECK_STR(sc->steps[1].name, "unbind");
	CHECK_INT((int)sc->steps[2].timeout_ms, 1000);
	CHECK(sc->steps[1].timeout_ms >= 10000);
	CHECK_INT(survey_scenario(&d, SURVEY_SEQ_POWEROFF, sc), 0);
	CHECK_STR(sc->name, "survey/i2c/0000:00:1f.3/poweroff");
	steps_of(sc, steps, sizeof(steps));
	CHECK_STR(steps, "hold:i2c poweroff:clean");
	CHECK_INT(sc->nclasses, 1);
	CHECK_STR(sc->classes[0], "i2c");
	CHECK_HAS(sc->description, "/dev/i2c-0");
	memset(d.device, 'x', sizeof(d.device) - 1);
	d.device[sizeof(d.device) - 1] = '\0';
	CHECK_INT(survey_scenario(&d, SURVEY_SEQ_UNBIND, sc), -1);
	free(sc);
}

static void
a_watchdog_is_excluded_unless_asked_for_by_name(void)
{
	static const char out[] =
	    "node watchdog 247:0 /dev/watchdog0 /sys/devices/pci0000:00/0000:00:1f.0/iTCO_wdt"
	    " platform iTCO_wdt unbind\n"
	    "node rtc 248:0 /dev/rtc0 /sys/devices/pnp0/00:05 pnp rtc_cmos unbind\n"
	    "end\n";
	struct board_conf b = { 0 };
	struct survey sv = { 0 };
	const struct survey_dev *d;
	char err[256];

	CHECK_INT(survey_parse(out, &sv, err, sizeof(err)), 0);
	survey_exclude(&sv, &b);
	survey_exclude_risky(&sv, NULL);
	CHECK((d = find(&sv, "iTCO_wdt")) != NULL);
	CHECK_HAS(d ? d->excluded : "", "watchdog: unbinding or closing it can reset the board");
	CHECK_STR(find(&sv, "00:05") ? find(&sv, "00:05")->excluded : "?", "");
	survey_free(&sv);
	/* Every class, or classes without it: still excluded. */
	CHECK_INT(survey_parse(out, &sv, err, sizeof(err)), 0);
	survey_exclude(&sv, &b);
	survey_exclude_risky(&sv, "rtc,tty");
	CHECK_HAS(find(&sv, "iTCO_wdt") ? find(&sv, "iTCO_wdt")->excluded : "", "watchdog:");
	survey_free(&sv);
	/* Named: surveyed like any other class. */
	CHECK_INT(survey_parse(out, &sv, err, sizeof(err)), 0);
	survey_exclude(&sv, &b);
	survey_exclude_risky(&sv, "rtc,watchdog");
	CHECK_STR(find(&sv, "iTCO_wdt") ? find(&sv, "iTCO_wdt")->excluded : "?", "");
	survey_free(&sv);
}

int
main(void)
{
	RUN(nodes_are_grouped_by_their_driver_bound_device);
	RUN(console_network_board_file_and_no_unbind_are_excluded_with_reasons);
	RUN(a_parent_of_a_pinned_device_is_excluded);
	RUN(bad_lines_are_refused_naming_the_line);
	RUN(long_fields_and_control_bytes_are_errors);
	RUN(classes_are_selected_from_a_list);
	RUN(run_names_name_class_device_and_sequence);
	RUN(sequences_are_read_from_a_list_naming_a_wrong_word);
	RUN(each_sequence_is_a_scenario_like_the_hand_written_ones);
	RUN(a_watchdog_is_excluded_unless_asked_for_by_name);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
