/*
 * test_labgrid: the labgrid import's edge cases: shell splitting and its refusals, !template,
 * both spellings of resources and drivers, target choice, errors at their lines, every part
 * either mapped or listed, and the board written read back by the real board-file loader.
 */
#include "conf.h"
#include "labgrid.h"
#include "labgrid_int.h"
#include "test.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char test_dir[] = "/tmp/rig-test-labgrid-XXXXXX";

/* Writes text to DIR/name and returns the path (static buffer). */
static const char *
test_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

static enum labgrid_status
test_import(const char *text, const char *target, const char *arch, struct labgrid_result *r)
{
	struct labgrid_opts o = { .target = target, .arch = arch };

	return labgrid_import(test_file("env.yaml", text), &o, r);
}

/* All notes, one per line, for CHECK_HAS. */
static char *
test_notes(const struct labgrid_result *r)
{
	char *all = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&all, &len);
	int i;

	for (i = 0; i < r->n_notes; i++)
		fprintf(m, "%s\n", r->notes[i]);
	fclose(m);
	return all;
}

static char *
test_errors(const struct labgrid_result *r)
{
	char *all = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&all, &len);

	conf_errors_print(&r->errs, m);
	fclose(m);
	return all;
}

/* The board written, loaded by board_conf_load: its errors ("" when none). */
static char *
test_board_load(const char *board)
{
	struct board_conf conf;
	struct conf_errors e = { 0 };
	char *all = NULL;
	size_t len = 0;
	FILE *m;

	board_conf_load(test_file("board.yaml", board), &conf, &e);
	m = open_memstream(&all, &len);
	conf_errors_print(&e, m);
	fclose(m);
	conf_errors_free(&e);
	return all;
}

/* Splits s; the words joined by '|' (or "ERR: why"). */
static const char *
test_split(const char *s)
{
	static char out[512];
	char why[256], **argv;
	int argc, i;
	size_t len = 0;

	if (labgrid_words_split(s, &argv, &argc, why, sizeof(why)) == -1) {
		snprintf(out, sizeof(out), "ERR: %s", why);
		return out;
	}
	out[0] = '\0';
	for (i = 0; i < argc; i++)
		len += snprintf(out + len, sizeof(out) - len, "%s%s", i ? "|" : "", argv[i]);
	CHECK(argv[argc] == NULL);
	labgrid_words_free(argv);
	return out;
}

static void
words_split_as_a_shell_would(void)
{
	CHECK_STR(test_split("pdu on 3"), "pdu|on|3");
	CHECK_STR(test_split("  pdu\t on  \n 3 "), "pdu|on|3");
	CHECK_STR(test_split("relay --name 'RELAY 1' on"), "relay|--name|RELAY 1|on");
	CHECK_STR(test_split("relay --name \"RELAY 1\" on"), "relay|--name|RELAY 1|on");
	CHECK_STR(test_split("a\\ b c"), "a b|c");
	CHECK_STR(test_split("x '' y"), "x||y");
	CHECK_STR(test_split("x \"\" y"), "x||y");
	CHECK_STR(test_split("say \"a \\\"q\\\" \\\\ \\x\""), "say|a \"q\" \\ \\x");
	CHECK_STR(test_split("it'''s'"), "its");
	CHECK_STR(test_split("quoted '|;&$*' ok"), "quoted||;&$*|ok");
	CHECK_STR(test_split("escaped \\| \\$HOME \\*"), "escaped|||$HOME|*");
	CHECK_STR(test_split("cmd x=1"), "cmd|x=1");	/* not first: not an assignment */
	CHECK_STR(test_split("'x'=1 y"), "x=1|y");	/* quoted: not a name */
	CHECK_STR(test_split("line\\\ncontinued"), "linecontinued");
	CHECK_STR(test_split("a#b"), "a#b");	/* '#' inside a word is a character */
	CHECK_STR(test_split("'#' '~'"), "#|~");
}

static void
words_refuse_what_needs_a_shell(void)
{
	CHECK_STR(test_split("a | b"), "ERR: '|' is a pipe, which needs a shell");
	CHECK_STR(test_split("echo 1 > /x"), "ERR: '>' is a redirection, which needs a shell");
	CHECK_STR(test_split("cat < /x"), "ERR: '<' is a redirection, which needs a shell");
	CHECK_STR(test_split("a; b"), "ERR: ';' makes a list, which needs a shell");
	CHECK_STR(test_split("a && b"),
	    "ERR: '&' runs in the background or is a list, which needs a shell");
	CHECK_STR(test_split("(a)"), "ERR: '(' makes a subshell, which needs a shell");
	CHECK_STR(test_split("pdu $PORT"), "ERR: '$' is an expansion, which needs a shell");
	CHECK_STR(test_split("pdu `port`"), "ERR: '`' is an expansion, which needs a shell");
	CHECK_STR(test_split("pdu \"$PORT\""),
	    "ERR: '$' inside double quotes is an expansion, which needs a shell");
	CHECK_STR(test_split("rm /tmp/*.lock"), "ERR: '*' is a glob, which needs a shell");
	CHECK_STR(test_split("ls a?"), "ERR: '?' is a glob, which needs a shell");
	CHECK_STR(test_split("ls [ab]"), "ERR: '[' is a glob, which needs a shell");
	CHECK_STR(test_split("pdu on # outlet 3"),
	    "ERR: '#' at a word's start is a comment, which needs a shell");
	CHECK_STR(test_split("~/bin/pdu on"),
	    "ERR: '~' at a word's start is a home folder, which needs a shell");
	CHECK_STR(test_split("PORT=3 pdu on"), "ERR: 'PORT=' sets a variable, which needs a shell");
	CHECK_STR(test_split("pdu 'on"), "ERR: a single quote is not closed");
	CHECK_STR(test_split("pdu \"on"), "ERR: a double quote is not closed");
	CHECK_STR(test_split("pdu on\\"), "ERR: it ends in a lone backslash");
	CHECK_STR(test_split("   "), "ERR: it holds no command");
	CHECK_STR(test_split(""), "ERR: it holds no command");
}

static const char *
test_template(const char *t)
{
	static char out[512];
	char why[256], *s;

	if (labgrid_template_expand(t, "/labs/a", &s, why, sizeof(why)) == -1) {
		snprintf(out, sizeof(out), "ERR: %s", why);
		return out;
	}
	snprintf(out, sizeof(out), "%s", s);
	free(s);
	return out;
}

static void
template_expands_base_and_lg_variables_only(void)
{
	setenv("LG_PORT", "/dev/ttyUSB7", 1);
	unsetenv("LG_NOT_SET");
	CHECK_STR(test_template("$BASE/img"), "/labs/a/img");
	CHECK_STR(test_template("${LG_PORT}x"), "/dev/ttyUSB7x");
	CHECK_STR(test_template("$LG_PORT"), "/dev/ttyUSB7");
	CHECK_STR(test_template("cost $$5"), "cost $5");
	CHECK_STR(test_template("no dollar"), "no dollar");
	CHECK_STR(test_template("$HOME/x"),
	    "ERR: unknown variable 'HOME' (labgrid fills in only BASE and LG_* variables)");
	CHECK_STR(test_template("$LG_NOT_SET"),
	    "ERR: unknown variable 'LG_NOT_SET' (not set in the environment)");
	CHECK_STR(test_template("a $ b"), "ERR: '$' at offset 2 is not $NAME, ${NAME} or $$");
	CHECK_STR(test_template("${LG_PORT"), "ERR: '$' at offset 0 is not $NAME, ${NAME} or $$");
}

static void
template_in_a_file_is_expanded_and_said(void)
{
	struct labgrid_result r;
	char *notes, *errs;

	setenv("LG_PORT", "/dev/ttyUSB7", 1);
	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      RawSerialPort:\n"
	    "        port: !template $LG_PORT\n    drivers:\n      ManualPowerDriver: {}\n",
	    NULL, "arm64", &r), LABGRID_FILL_IN);	/* no SSH address */
	CHECK_HAS(r.board, "console: &console /dev/ttyUSB7");
	notes = test_notes(&r);
	CHECK_HAS(notes, "expanded: RawSerialPort.port (");
	CHECK_HAS(notes, "env.yaml:5): !template '$LG_PORT' is '/dev/ttyUSB7'");
	free(notes);
	labgrid_result_free(&r);

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      RawSerialPort:\n"
	    "        port: !template $LG_NOT_SET\n", NULL, "arm64", &r), LABGRID_ERROR);
	errs = test_errors(&r);
	CHECK_HAS(errs, "env.yaml:5: RawSerialPort.port: !template '$LG_NOT_SET': unknown "
	    "variable 'LG_NOT_SET' (not set in the environment)");
	CHECK(r.board == NULL);
	free(errs);
	labgrid_result_free(&r);
}

static const char test_map_form[] =
    "targets:\n"
    "  main:\n"
    "    resources:\n"
    "      RawSerialPort:\n"
    "        port: /dev/ttyS1\n"
    "        speed: 57600\n"
    "      NetworkService:\n"
    "        address: 10.0.0.9\n"
    "        username: pi\n"
    "    drivers:\n"
    "      ExternalPowerDriver:\n"
    "        cmd_on: outlet 1 on\n"
    "        cmd_off: outlet 1 off\n"
    "      SerialDriver: {}\n";

static const char test_list_form[] =
    "targets:\n"
    "  main:\n"
    "    resources:\n"
    "    - RawSerialPort:\n"
    "        port: /dev/ttyS1\n"
    "        speed: 57600\n"
    "    - cls: NetworkService\n"
    "      address: 10.0.0.9\n"
    "      username: pi\n"
    "    drivers:\n"
    "    - ExternalPowerDriver:\n"
    "        cmd_on: outlet 1 on\n"
    "        cmd_off: outlet 1 off\n"
    "    - SerialDriver: {}\n";

/* The board without its comments (which name lines of the environment file). */
static char *
test_body(const char *board)
{
	const char *p = strstr(board, "\nsite:");

	return xstrdup(p != NULL ? p : board);
}

static void
both_spellings_give_the_same_board(void)
{
	struct labgrid_result a, b;
	char *ba, *bb, *errs;

	CHECK_INT(test_import(test_map_form, NULL, "arm64", &a), LABGRID_COMPLETE);
	CHECK_INT(test_import(test_list_form, NULL, "arm64", &b), LABGRID_COMPLETE);
	if (a.board == NULL || b.board == NULL) {
		CHECK(0);
		return;
	}
	ba = test_body(a.board);
	bb = test_body(b.board);
	/* Site comments name the line: the two files differ there only. */
	CHECK_HAS(ba, "power-on: &power-on [outlet, 1, \"on\"]");
	CHECK_HAS(bb, "power-on: &power-on [outlet, 1, \"on\"]");
	CHECK_HAS(ba, "  on: *power-on\n  off: *power-off\n  off-time: 2s\n");
	CHECK_HAS(bb, "  on: *power-on\n  off: *power-off\n  off-time: 2s\n");
	CHECK_HAS(ba, "ssh:\n  user: pi\n  host: *ssh-host\n");
	CHECK_HAS(bb, "ssh:\n  user: pi\n  host: *ssh-host\n");
	CHECK_HAS(ba, "console:\n  kind: tty\n  path: *console\n  baud: 57600\n");
	CHECK_HAS(bb, "console:\n  kind: tty\n  path: *console\n  baud: 57600\n");
	CHECK_INT(a.n_notes, 1);	/* boot.method local, said */
	CHECK_INT(b.n_notes, 1);
	/* The real loader takes it as written, aliases and site: included. */
	errs = test_board_load(a.board);
	CHECK_STR(errs, "");
	free(errs);
	free(ba);
	free(bb);
	labgrid_result_free(&a);
	labgrid_result_free(&b);
}

/* labgrid's loader (PyYAML) takes anchors and aliases; so does the import, tags included. */
static void
anchors_and_aliases_are_read(void)
{
	struct labgrid_result r;

	setenv("LG_PORT", "/dev/ttyUSB7", 1);
	CHECK_INT(test_import("common: &ns\n  username: root\n  address: 10.0.0.4\n"
	    "port: &port !template $LG_PORT\ntargets:\n  main:\n    resources:\n"
	    "      RawSerialPort:\n        port: *port\n      NetworkService: *ns\n", NULL, "arm64",
	    &r), LABGRID_FILL_IN);	/* no power driver: manual, guessed */
	CHECK_HAS(r.board, "console: &console /dev/ttyUSB7");
	CHECK_HAS(r.board, "ssh-host: &ssh-host 10.0.0.4");
	CHECK_HAS(r.board, "# not imported: common.username (");
	labgrid_result_free(&r);
}

/* A file name or target that holds a line's end cannot end the header's comment. */
static void
header_comment_stays_a_comment(void)
{
	struct labgrid_result r;
	struct labgrid_opts o = { .arch = "arm64", .name = "odd" };
	char *errs;

	CHECK_INT(labgrid_import(test_file("a\nname: x.yaml", "targets:\n  \"t\\nname: y\":\n"
	    "    resources:\n      RawSerialPort:\n        port: /dev/ttyS0\n"), &o, &r),
	    LABGRID_FILL_IN);
	CHECK_HAS(r.board, "environment ");
	CHECK_HAS(r.board, "a name: x.yaml (target t name: y)");
	errs = test_board_load(r.board);
	CHECK_HAS(errs, "ssh.host: '<FILL IN>'");	/* and nothing about a duplicate name */
	CHECK(strstr(errs, "duplicate") == NULL);
	free(errs);
	labgrid_result_free(&r);
	unlink(test_file("a\nname: x.yaml", ""));
}

static void
targets_one_is_picked_or_it_is_an_error(void)
{
	static const char two[] = "targets:\n  alpha:\n    resources:\n      RawSerialPort:\n"
	    "        port: /dev/ttyS0\n  beta:\n    resources:\n      RawSerialPort:\n"
	    "        port: /dev/ttyS1\n";
	struct labgrid_result r;
	char *errs, *notes;

	CHECK_INT(test_import(two, NULL, "arm64", &r), LABGRID_ERROR);
	errs = test_errors(&r);
	CHECK_HAS(errs, "env.yaml:1: targets: 2 targets (alpha, beta): choose one with --target");
	free(errs);
	labgrid_result_free(&r);

	CHECK_INT(test_import(two, "gamma", "arm64", &r), LABGRID_ERROR);
	errs = test_errors(&r);
	CHECK_HAS(errs, "env.yaml:1: targets: no target 'gamma' (it has: alpha, beta)");
	free(errs);
	labgrid_result_free(&r);

	CHECK_INT(test_import(two, "beta", "arm64", &r), LABGRID_FILL_IN);
	CHECK_HAS(r.board, "name: beta\n");
	CHECK_HAS(r.board, "console: &console /dev/ttyS1");
	notes = test_notes(&r);
	CHECK_HAS(notes, "not imported: target alpha (");
	CHECK_HAS(notes, "env.yaml:2): one board per file: import it with --target alpha");
	free(notes);
	labgrid_result_free(&r);
}

static void
bad_entries_are_errors_at_their_line(void)
{
	struct labgrid_result r;
	char *errs;

	CHECK_INT(test_import("targets:\n  main: {}\n", NULL, "mips", &r), LABGRID_ERROR);
	errs = test_errors(&r);
	CHECK_HAS(errs, "--arch 'mips' is not amd64, armhf or arm64");
	free(errs);
	labgrid_result_free(&r);
}

/* Whatever has no place in a board file is listed with its line, never dropped. */
static void
nothing_is_dropped_silently(void)
{
	struct labgrid_result r;
	char *notes;

	CHECK_INT(test_import(
	    "coordinator: x\n"
	    "targets:\n"
	    "  main:\n"
	    "    features:\n"
	    "    - camera\n"
	    "    resources:\n"
	    "      RawSerialPort:\n"
	    "        port: /dev/ttyS0\n"
	    "        colour: blue\n"
	    "      RawSerialPort2: {}\n"
	    "      NetworkService:\n"
	    "        address: 10.0.0.2\n"
	    "        username: root\n"
	    "        password: hunter2\n"
	    "    drivers:\n"
	    "      SerialDriver:\n"
	    "        timeout: 5.0\n"
	    "      ManualPowerDriver: {}\n"
	    "      ExternalPowerDriver:\n"
	    "        cmd_on: a\n"
	    "        cmd_off: b\n"
	    "      SSHDriver:\n"
	    "        keyfile: id_rsa\n"
	    "      QEMUDriver:\n"
	    "        machine: virt\n", NULL, "arm64", &r), LABGRID_COMPLETE);
	notes = test_notes(&r);
	CHECK_HAS(notes, "not imported: coordinator (");
	CHECK_HAS(notes, "env.yaml:1): not a key labgrid's environment knows");
	CHECK_HAS(notes, "not imported: targets.main.features 'camera' (");
	CHECK_HAS(notes, "not imported: RawSerialPort.colour (");
	CHECK_HAS(notes, "env.yaml:9): rig has no such setting");
	CHECK_HAS(notes, "not imported: RawSerialPort2 (");
	CHECK_HAS(notes, "env.yaml:10): rig has no part that matches this labgrid resource");
	CHECK_HAS(notes, "not imported: NetworkService.password (");
	CHECK_HAS(notes, "not imported: SerialDriver.timeout (");
	CHECK_HAS(notes, "not imported: ExternalPowerDriver (");
	CHECK_HAS(notes, "env.yaml:19): a second power driver: rig switches a board one way");
	CHECK_HAS(notes, "not imported: SSHDriver.keyfile (");
	CHECK_HAS(notes, "not imported: QEMUDriver (");
	CHECK_HAS(notes, "env.yaml:24): rig has no part that matches this labgrid driver");
	/* The notes head the board file too, as comments. */
	CHECK_HAS(r.board, "# not imported: QEMUDriver (");
	CHECK_HAS(r.board, "power:\n  backend: manual\n");
	CHECK(strstr(r.board, "hunter2") == NULL || strstr(r.board, "hunter2") < strstr(r.board,
	    "\nsite:"));
	free(notes);
	labgrid_result_free(&r);
}

static void
shell_commands_are_refused_and_left_to_fill_in(void)
{
	struct labgrid_result r;
	char *notes, *errs;

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      NetworkService:\n"
	    "        address: 10.0.0.2\n        username: root\n    drivers:\n"
	    "      ExternalPowerDriver:\n        cmd_on: relay 1 on | logger\n"
	    "        cmd_off: relay 1 off\n        cmd_cycle: relay 1 cycle; sleep 1\n"
	    "        delay: 0.25\n", NULL, "arm64", &r), LABGRID_FILL_IN);
	notes = test_notes(&r);
	CHECK_HAS(notes, "not imported: ExternalPowerDriver.cmd_on (");
	CHECK_HAS(notes, "env.yaml:9): 'relay 1 on | logger': '|' is a pipe, which needs a shell "
	    "(rig runs a program with its arguments, never a shell: put the pipeline in a script "
	    "and name the script)");
	CHECK_HAS(notes, "env.yaml:11): 'relay 1 cycle; sleep 1': ';' makes a list");
	CHECK_HAS(notes, "to fill in: site.power-on: the command that switches the board on, "
	    "without a shell");
	CHECK_HAS(r.board, "power-on: &power-on [\"<FILL IN>\"]");
	CHECK_HAS(r.board, "power-off: &power-off [relay, 1, \"off\"]");
	CHECK(strstr(r.board, "cycle:") == NULL);	/* optional: left out */
	CHECK_HAS(r.board, "  off-time: 250ms\n");
	CHECK_INT(r.n_fill, 2);		/* the command, and the console (no serial port) */
	/* The loader reads it; what is left to fill in is the host's to find (rigd -n probes). */
	errs = test_board_load(r.board);
	CHECK_STR(errs, "");
	free(errs);
	free(notes);
	labgrid_result_free(&r);
}

static void
uboot_maps_what_is_plain_and_lists_the_rest(void)
{
	struct labgrid_result r;
	char *notes, *errs;

	CHECK_INT(test_import(
	    "targets:\n"
	    "  main:\n"
	    "    resources:\n"
	    "      RawSerialPort:\n"
	    "        port: /dev/ttyS0\n"
	    "      NetworkService:\n"
	    "        address: 10.0.0.2\n"
	    "        username: root\n"
	    "    drivers:\n"
	    "      ManualPowerDriver: {}\n"
	    "      SerialDriver: {}\n"
	    "      UBootDriver:\n"
	    "        prompt: 'U-Boot\\$ '\n"
	    "        autoboot: 'Press .* to stop'\n"
	    "        interrupt: \"\\x03\"\n"
	    "        bootstring: 'Booting Linux'\n"
	    "        init_commands: ['setenv serverip 10.0.0.1', 'setenv ipaddr \"10.0.0.2\"', "
	    "'run foo; run bar', 'setenv x a|b']\n"
	    "      UBootStrategy: {}\n", NULL, "arm64", &r), LABGRID_FILL_IN);
	CHECK_HAS(r.board, "  method: uboot-tftp\n");
	CHECK_HAS(r.board, "  prompt: \"U-Boot$ \"\n");
	CHECK_HAS(r.board, "  stop: \"\\x03\"\n");
	CHECK_HAS(r.board, "  kernel-says: \"Booting Linux\"\n");
	CHECK_HAS(r.board, "  env: { serverip: 10.0.0.1, ipaddr: 10.0.0.2 }\n");
	CHECK(strstr(r.board, "  autoboot:") == NULL);
	notes = test_notes(&r);
	CHECK_HAS(notes, "not imported: UBootDriver.autoboot (");
	CHECK_HAS(notes, "'Press .* to stop' is a regular expression; rig's boot.autoboot is "
	    "plain text (rig's default is used)");
	CHECK_HAS(notes, "not imported: UBootDriver.init_commands 'run foo; run bar' (");
	CHECK_HAS(notes, "not imported: UBootDriver.init_commands 'setenv x a|b' (");
	CHECK_HAS(notes, "to fill in: site.tftp-dir:");
	CHECK_HAS(notes, "to fill in: site.server-ip:");
	CHECK_HAS(notes, "to fill in: site.board-ip:");
	CHECK_INT(r.n_fill, 3);
	/* The loader refuses exactly the values to fill in, at their site lines. */
	errs = test_board_load(r.board);
	CHECK_HAS(errs, "boot.tftp-dir: \"<FILL IN>\": a folder's path without spaces");
	CHECK_HAS(errs, "boot.server-ip: \"<FILL IN>\" is not an IPv4 address");
	CHECK_HAS(errs, "boot.board-ip: \"<FILL IN>\" is not an IPv4 address");
	free(errs);
	free(notes);
	labgrid_result_free(&r);
}

/* Placeholders are refused by the loader wherever they land: arch and the SSH host too. */
static void
placeholders_are_refused_by_the_board_loader(void)
{
	struct labgrid_result r;
	char *errs;

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      RawSerialPort:\n"
	    "        port: /dev/ttyS0\n", NULL, NULL, &r), LABGRID_FILL_IN);
	CHECK_INT(r.n_fill, 2);		/* arch, ssh-host */
	CHECK_INT(r.n_guess, 1);	/* no power driver: manual */
	errs = test_board_load(r.board);
	CHECK_HAS(errs, "arch: '<FILL IN>' is not one of: amd64, armhf, arm64");
	CHECK_HAS(errs, "ssh.host: '<FILL IN>' is neither an address nor a host name");
	free(errs);
	labgrid_result_free(&r);
}

static void
usb_serial_paths_are_derived_or_asked_for(void)
{
	struct labgrid_result r;
	char *notes;

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      USBSerialPort:\n"
	    "        match:\n          '@ID_PATH': pci-0000:00:14.0-usb-0:1.4\n", NULL, "arm64",
	    &r), LABGRID_FILL_IN);
	CHECK_HAS(r.board, "console: &console \"/dev/serial/by-path/pci-0000:00:14.0-usb-0:1.4:1.0"
	    "-port0\"   # guessed: from USBSerialPort match @ID_PATH");
	labgrid_result_free(&r);

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      USBSerialPort:\n"
	    "        match:\n          ID_SERIAL: FTDI_FT232R_USB_UART_A1B2\n", NULL, "arm64", &r),
	    LABGRID_FILL_IN);
	CHECK_HAS(r.board, "console: &console /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2-if00"
	    "-port0   # guessed:");
	labgrid_result_free(&r);

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      USBSerialPort:\n"
	    "        match:\n          sys_name: ttyUSB0\n", NULL, "arm64", &r), LABGRID_FILL_IN);
	notes = test_notes(&r);
	CHECK_HAS(notes, "to fill in: site.console: the adapter's link under /dev/serial/by-id/ or "
	    "by-path/ (USBSerialPort at ");
	CHECK_HAS(notes, "matches sys_name=ttyUSB0, which names no stable path)");
	free(notes);
	labgrid_result_free(&r);
}

/* Values with quotes, backslashes and control characters survive the trip into YAML. */
static void
awkward_values_are_quoted(void)
{
	struct labgrid_result r;
	char *errs;

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      RawSerialPort:\n"
	    "        port: \"/dev/odd \\\"name\\\"\"\n      NetworkService:\n"
	    "        address: 10.0.0.2\n        username: \"on\"\n    drivers:\n"
	    "      ExternalPowerDriver:\n        cmd_on: \"relay 'a\\\\b' yes\"\n"
	    "        cmd_off: relay - -1 off\n", NULL, "arm64", &r), LABGRID_COMPLETE);
	CHECK_HAS(r.board, "console: &console \"/dev/odd \\\"name\\\"\"");
	CHECK_HAS(r.board, "power-on: &power-on [relay, \"a\\\\b\", \"yes\"]");
	CHECK_HAS(r.board, "power-off: &power-off [relay, \"-\", \"-1\", \"off\"]");
	CHECK_HAS(r.board, "  user: \"on\"\n");
	errs = test_board_load(r.board);
	CHECK_STR(errs, "");
	free(errs);
	labgrid_result_free(&r);
}

static void
gpio_power_maps_what_it_can(void)
{
	struct labgrid_result r;
	char *notes;

	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      SysfsGPIO:\n"
	    "        index: 42\n    drivers:\n      GpioDigitalOutputDriver: {}\n"
	    "      DigitalOutputPowerDriver: {}\n", NULL, "arm64", &r), LABGRID_FILL_IN);
	CHECK_HAS(r.board, "power:\n  backend: gpio\n  chip: *power-chip\n  line: *power-line\n"
	    "  off-time: 1s\n");
	notes = test_notes(&r);
	CHECK_HAS(notes, "to fill in: site.power-chip: the GPIO chip of sysfs GPIO 42 (SysfsGPIO."
	    "index, ");
	CHECK_HAS(notes, "to fill in: site.power-line: the line on that chip: 42 minus the chip's "
	    "base");
	free(notes);
	labgrid_result_free(&r);

	/* labgrid's newer MatchedSysfsGPIO: a chip udev finds, a line on it (pin) that maps. */
	CHECK_INT(test_import("targets:\n  main:\n    resources:\n      MatchedSysfsGPIO:\n"
	    "        match:\n          '@SUBSYSTEM': usb\n          '@ID_SERIAL_SHORT': D38EJ8LF\n"
	    "        pin: 3\n    drivers:\n      GpioDigitalOutputDriver: {}\n"
	    "      DigitalOutputPowerDriver:\n        delay: 5.0\n", NULL, "arm64", &r),
	    LABGRID_FILL_IN);
	CHECK_HAS(r.board, "power-line: &power-line 3   # the line on that chip (MatchedSysfsGPIO."
	    "pin, ");
	CHECK_HAS(r.board, "power:\n  backend: gpio\n  chip: *power-chip\n  line: *power-line\n"
	    "  off-time: 5s\n");
	notes = test_notes(&r);
	CHECK_HAS(notes, "to fill in: site.power-chip: the GPIO chip udev matches with "
	    "@SUBSYSTEM=usb, @ID_SERIAL_SHORT=D38EJ8LF (MatchedSysfsGPIO at ");
	CHECK(strstr(notes, "not imported") == NULL);
	free(notes);
	labgrid_result_free(&r);

	/* A power driver on an output rig cannot switch: listed; the board is then manual. */
	CHECK_INT(test_import("targets:\n  main:\n    drivers:\n      ModbusCoilDriver: {}\n"
	    "      DigitalOutputPowerDriver: {}\n", NULL, "arm64", &r), LABGRID_FILL_IN);
	notes = test_notes(&r);
	CHECK_HAS(notes, "not imported: DigitalOutputPowerDriver (");
	CHECK_HAS(notes, "its output is not a SysfsGPIO or MatchedSysfsGPIO line through a "
	    "GpioDigitalOutputDriver");
	CHECK_HAS(notes, "not imported: ModbusCoilDriver (");
	CHECK_HAS(notes, "guessed: power.backend manual");
	CHECK_HAS(r.board, "power:\n  backend: manual\n");
	free(notes);
	labgrid_result_free(&r);
}

/* Files that are refused whole, and the one error each must give, naming the place. */
static const struct {
	const char	*yaml;
	const char	*error;
} test_refusals[] = {
	{ "targets:\n  main:\n    resources:\n      RawSerialPort:\n"
	      "        port: !env PORT\n",
	    "env.yaml:5: RawSerialPort.port: unknown tag '!env' (labgrid's loader "
	      "knows only !template)" },
	{ "options:\n  x: 1\n",
	    "env.yaml:1: missing key 'targets'" },
	{ "targets:\n  Main Board:\n    resources: {}\n",
	    "target 'Main Board' is not a rig board name ([a-z0-9_-]+, at most 63): "
	      "give another with --name" },
	{ "targets:\n  main:\n    resources:\n    - RawSerialPort:\n"
	      "        port: /dev/ttyS0\n      NetworkService: {}\n",
	    "env.yaml:4: targets.main.resources: an entry of several keys needs "
	      "'cls: Class'" },
	{ "targets:\n  main:\n    drivers:\n      SerialDriver:\n",
	    "env.yaml:4: targets.main.drivers.SerialDriver: expected a mapping of "
	      "its arguments ({} for none)" },
	{ "targets:\n  main:\n    resources:\n      NetworkSerialPort:\n"
	      "        host: h\n        port: 70000\n",
	    "env.yaml:6: NetworkSerialPort.port: '70000' is not a whole number from "
	      "1 to 65535" },
	{ "targets:\n  main:\n    resources:\n      NetworkSerialPort:\n"
	      "        host: h\n        port: 7000\n        protocol: telnet\n",
	    "env.yaml:7: NetworkSerialPort.protocol: 'telnet' is not rfc2217 or raw" },
	{ "targets:\n  main:\n    resources:\n      RawSerialPort: {}\n",
	    "env.yaml:4: RawSerialPort: needs port (the serial device)" },
	{ "targets: [a, b]\n",
	    "env.yaml:1: targets: expected a mapping (key: value), not a list" },
	{ "targets:\n  main:\n    resources:\n      RawSerialPort:\n"
	      "        port: /dev/ttyS0\n       speed: 9600\n",
	    "env.yaml:6: did not find expected key (while parsing a block mapping at "
	      "line 4)" },
};

static void
refusals_name_the_line(void)
{
	struct labgrid_result r;
	size_t i;
	char *errs;

	for (i = 0; i < sizeof(test_refusals) / sizeof(test_refusals[0]); i++) {
		CHECK_INT(test_import(test_refusals[i].yaml, NULL, "arm64", &r), LABGRID_ERROR);
		errs = test_errors(&r);
		CHECK_HAS(errs, test_refusals[i].error);
		free(errs);
		labgrid_result_free(&r);
	}
}

int
main(void)
{
	if (mkdtemp(test_dir) == NULL)
		return 1;
	RUN(words_split_as_a_shell_would);
	RUN(words_refuse_what_needs_a_shell);
	RUN(template_expands_base_and_lg_variables_only);
	RUN(template_in_a_file_is_expanded_and_said);
	RUN(both_spellings_give_the_same_board);
	RUN(anchors_and_aliases_are_read);
	RUN(header_comment_stays_a_comment);
	RUN(targets_one_is_picked_or_it_is_an_error);
	RUN(bad_entries_are_errors_at_their_line);
	RUN(nothing_is_dropped_silently);
	RUN(shell_commands_are_refused_and_left_to_fill_in);
	RUN(uboot_maps_what_is_plain_and_lists_the_rest);
	RUN(placeholders_are_refused_by_the_board_loader);
	RUN(usb_serial_paths_are_derived_or_asked_for);
	RUN(awkward_values_are_quoted);
	RUN(gpio_power_maps_what_it_can);
	RUN(refusals_name_the_line);
	unlink(test_file("env.yaml", ""));
	unlink(test_file("board.yaml", ""));
	rmdir(test_dir);
	TEST_END();
}
