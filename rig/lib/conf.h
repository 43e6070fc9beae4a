/* conf: board and scenario files (YAML, read with libyaml) as checked structs. */
#ifndef RIG_CONF_H
#define RIG_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Every problem found in a file, each as "path:line: what". Parsing goes on after an error so
 * that one pass reports all of them.
 */
struct conf_errors {
	char	**msg;
	int	  n;
};
void conf_errors_add(struct conf_errors *e, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void conf_errors_print(const struct conf_errors *e, FILE *out);
void conf_errors_free(struct conf_errors *e);
/* s as a double-quoted YAML string (for the printers below). */
void conf_print_quoted(FILE *out, const char *s);

/*
 * The forms of board-file values that end up in a command line (mkimage's arguments) or in a
 * command run by the board's shell. They are checked when the file is read, so that a value
 * which could break out of its place (quotes, $(...), ';', a newline, a glob, an option where a
 * name belongs, a way out of /dev) never gets that far; the board-side commands still quote
 * every one (shquote.h).
 */
enum conf_form {
	CONF_FORM_DEVNODE,	/* /dev/i2c-0, /dev/serial/by-path/pci-0000:00:1f.3-port0 */
	CONF_FORM_SYSFS,	/* a sysfs driver or device name: i801_smbus, 0000:00:1f.3, spi0.0 */
	CONF_FORM_MODULE,	/* a kernel module name: i2c-i801 */
	CONF_FORM_PACKAGE,	/* a Debian package name: linux-image-6.1.0-56-amd64[:armhf] */
	CONF_FORM_RELPATH,	/* a file inside a build: renesas/r8a77951-salvator-xs.dtb */
};
/* NULL when s has the form; else what is wrong with it, for "file:line: key: 'v' what". */
const char *conf_form_check(enum conf_form f, const char *s);

/* One device class a board offers (i2c, uart, mtd, ...). */
struct conf_device {
	char	cls[32];	/* "i2c" */
	char	node[128];	/* "/dev/i2c-0" (for mtd: the node to hold, e.g. /dev/mtd0ro) */
	char	bus[32];	/* "pci", "platform", "pnp", "spi": /sys/bus/<bus>/drivers/<driver> */
	char	driver[64];	/* "i801_smbus" */
	char	device[64];	/* "0000:00:1f.3": what is written to unbind/bind */
	int	line;
	int	prot;		/* 1 + the index of its entry in board_conf.protected; 0: not one */
};

#define CONF_MAX_DEVICES	16
#define CONF_SHARE_OFF		(-1)

/*
 * A device the board must never have unbound or bound ("protected:"): the bus that holds its
 * PMIC, the console's UART. A device class may name one (to hold or read it); a scenario that
 * unbinds or binds it is refused (protect.h).
 */
struct conf_protected {
	char	device[64];	/* as in devices.CLASS.device: "e60b0000.i2c" */
	char	why[128];	/* "PMIC (i2c_dvfs)": said with each refusal */
	int	line;
};

#define CONF_MAX_PROTECTED	8

/* A board's parts (each a backend named in its file, found in the registry parts.c). */
enum part_kind {
	PART_CONSOLE,		/* console.kind: qemu (QEMU's pty), tty (a serial adapter) */
	PART_POWER,		/* power.backend: qemu, command, gpio */
	PART_BOOT,		/* boot.method: qemu-kernel, uboot-tftp */
	PART__COUNT
};

/*
 * The backend's keys, checked into its own struct (opaque here) and kept in this struct's bytes
 * so that a board_conf stays a value (copied into the daemon's board, reloaded in place).
 */
#define BOARD_PART_SETTINGS	6144

struct board_part {
	char	name[16];		/* the backend, as the file names it */
	int	line;			/* where it was named */
	/*
	 * 1: this build has the backend, and settings is its struct, checked. 0: it has not
	 * (the board is refused by parts_resolve): settings is the text of the section's other
	 * keys as the file gave them, unchecked, so that the checked form still shows them.
	 */
	int	built;
	_Alignas(max_align_t) unsigned char settings[BOARD_PART_SETTINGS];
};

struct board_conf {
	char	file[256];
	int	line;			/* where the name was given */
	char	name[64];		/* [a-z0-9_-]+ */
	char	arch[16];		/* amd64, armhf, arm64 */

	struct board_part parts[PART__COUNT];

	/* console, whatever the kind: rigd's TCP port sharing it (RFC 2217 and telnet) */
	int	console_share;		/* CONF_SHARE_OFF, 0 (any free port, the default) or the port */

	/* power, whatever the backend */
	int64_t	power_off_ms;		/* how long a power cycle leaves the board off; default 3s */

	/* boot, whatever the method */
	int64_t	boot_timeout_ms;	/* power-on to SSH answering; default 120s */
	char	kernel_package[128];	/* default build: Debian package name */
	char	modules[512];		/* modules the board loads at boot, in order, space separated */
	char	append[512];		/* kernel command line */

	/* ssh */
	char	ssh_user[32];		/* default root */
	char	ssh_host[64];		/* default 127.0.0.1 when the power part decides the port */
	int	ssh_port;		/* 0: a port the power part picks at each boot (QEMU hostfwd) */

	struct conf_device devices[CONF_MAX_DEVICES];
	int	ndevices;
	struct conf_protected protected[CONF_MAX_PROTECTED];
	int	nprotected;
};

/* Returns 0, or -1 with every problem in errs (the struct is then unusable). */
int board_conf_load(const char *path, struct board_conf *b, struct conf_errors *errs);
const struct conf_device *board_conf_device(const struct board_conf *b, const char *cls);
/*
 * The checked form as a board file (every value, defaults filled in, durations in ms) for
 * rigd -n -v; loading what it prints gives the same struct.
 */
void board_conf_print(const struct board_conf *b, FILE *out);

enum step_kind {
	STEP_HOLD,		/* hold: CLASS        open the class's node from a holder process, keep it open */
	STEP_RELEASE,		/* release: CLASS     close it (end the holder) */
	STEP_UNBIND,		/* unbind: CLASS      write the device id to the driver's unbind file */
	STEP_BIND,		/* bind: CLASS        write it to bind */
	STEP_READ,		/* read: CLASS        read from the node (through the holder's file) */
	STEP_EXPECT_PRESENT,	/* expect-present: CLASS   the node exists */
	STEP_EXPECT_GONE,	/* expect-gone: CLASS      the node does not exist */
	STEP_EXPECT_HOLDER,	/* expect-holder: running|exited */
	STEP_WAIT,		/* wait: STEP-NAME    wait for a background step to finish (its timeout) */
	STEP_SLEEP,		/* sleep: DURATION */
	STEP_SHELL,		/* shell: "COMMAND"   run a command on the board; non-zero exit fails */
	STEP_POWEROFF,		/* poweroff: clean    shut down from the shell, expect the power-down message */
	STEP_CUT,		/* cut: power         cut power through the backend */
};

#define SCEN_MAX_STEPS	64

struct scen_step {
	enum step_kind kind;
	char	arg[256];	/* class, step name, duration text or command */
	int64_t	timeout_ms;	/* "timeout:" (default 10s); for sleep, the duration */
	int	background;	/* "background: true": start it and go on; a later "wait" joins it */
	char	name[32];	/* "name:" to refer to a background step; default: the action ("unbind") */
	int	watch;		/* "watch: false": an unbind or bind is a hang at its deadline only (hangwatch.h) */
	int	line;
};

struct scenario {
	char	file[256];
	char	name[64];		/* must equal the file name without .yaml */
	char	description[1024];
	char	classes[4][32];		/* device classes used (derived from the steps) */
	int	nclasses;
	int	fresh_boot;		/* "fresh-boot: true": start from a newly booted board */
	struct scen_step steps[SCEN_MAX_STEPS];
	int	nsteps;
};

int scenario_load(const char *path, struct scenario *s, struct conf_errors *errs);
const char *step_kind_name(enum step_kind k);
/* The checked form as a scenario file, like board_conf_print. */
void scenario_print(const struct scenario *s, FILE *out);

#endif
