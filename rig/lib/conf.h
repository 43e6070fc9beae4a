/* conf: board and scenario files (YAML, read with libyaml) as checked structs. */
#ifndef RIG_CONF_H
#define RIG_CONF_H

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

/* One device class a board offers (i2c, uart, mtd, ...). */
struct conf_device {
	char	cls[32];	/* "i2c" */
	char	node[128];	/* "/dev/i2c-0" (for mtd: the node to hold, e.g. /dev/mtd0ro) */
	char	bus[32];	/* "pci", "platform", "pnp", "spi": /sys/bus/<bus>/drivers/<driver> */
	char	driver[64];	/* "i801_smbus" */
	char	device[64];	/* "0000:00:1f.3": what is written to unbind/bind */
	int	line;
};

#define CONF_MAX_DEVICES	16
#define CONF_MAX_ARGS		32
#define CONF_MAX_SERIALS	4

struct board_conf {
	char	file[256];
	int	line;			/* where the name was given */
	char	name[64];		/* [a-z0-9_-]+ */
	char	arch[16];		/* amd64, armhf, arm64 */

	/*
	 * The board's parts, each a backend named here and found in the registry (parts.c):
	 * console: kind "qemu" (the pty of QEMU's -serial pty) or "tty" (a serial adapter)
	 */
	char	console_kind[16];
	int	console_kind_line;	/* where console.kind was given */
	char	console_path[256];	/* tty only */
	int	baud;			/* default 115200 */

	/* power: backend "qemu", "gpio" or "command" */
	char	power_backend[16];
	int	power_backend_line;

	/* boot: method "qemu-direct" or "uboot-tftp" */
	char	boot_method[16];
	int	boot_method_line;
	int64_t	boot_timeout_ms;	/* power-on to SSH answering; default 120s */
	char	kernel_package[128];	/* default build: Debian package name */
	char	modules[512];		/* modules the board loads at boot, in order, space separated */
	char	append[512];		/* kernel command line */

	/* qemu (virtual boards) */
	char	qemu_binary[64];	/* qemu-system-x86_64 */
	char	qemu_machine[64];	/* q35 */
	char	qemu_cpu[64];		/* optional */
	int	qemu_memory;		/* MiB, default 512 */
	char	qemu_dtb[128];		/* optional: device tree file name inside the kernel package */
	char	qemu_net[16];		/* "e1000" (-netdev user + -device e1000), "nic" (-nic user), ... */
	char	qemu_serials[CONF_MAX_SERIALS][16]; /* in order: "console" (the pty) or "null" */
	int	nqemu_serials;
	char	qemu_args[CONF_MAX_ARGS][128];	/* extra arguments, verbatim */
	int	nqemu_args;

	/* ssh */
	char	ssh_user[32];		/* default root */
	char	ssh_host[64];		/* default 127.0.0.1 */
	int	ssh_port;		/* 0: a free loopback port picked at each boot (QEMU hostfwd) */

	struct conf_device devices[CONF_MAX_DEVICES];
	int	ndevices;

	/* power gpio: a GPIO line (libgpiod) switches the board's supply through a relay */
	char	power_gpio_chip[64];	/* "/dev/gpiochip0" */
	int	power_gpio_line;	/* line offset on that chip */
	int	power_gpio_active_low;	/* 1: the supply is on while the line is low */
	/* power command: shell commands run on the rig host (PDU, relay card, pdudaemon client) */
	char	power_on_cmd[256];
	char	power_off_cmd[256];
	int64_t	power_off_ms;		/* how long a power cycle leaves the board off; default 3s */

	/* boot uboot-tftp: the rig talks to U-Boot on the console, the kernel comes over TFTP */
	char	uboot_prompt[32];	/* default "=> " */
	char	uboot_stop[16];		/* typed while "Hit any key to stop autoboot" runs; default " " */
	char	tftp_dir[256];		/* where the rig puts the build's Image, initrd and dtb */
	char	tftp_server[64];	/* U-Boot serverip: the TFTP server as the board reaches it */
	char	board_ip[64];		/* U-Boot ipaddr; empty: U-Boot asks DHCP */
	char	boot_dtb[128];		/* device tree, relative to the build's dtbs folder */
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
