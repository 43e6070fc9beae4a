/*
 * survey: what a running board exposes to a lifetime survey. A board-side script (survey_script,
 * no input of ours in it) lists every character node whose device, or an ancestor of it, is bound
 * to a driver, and the devices that keep the board reachable (its console, the network devices
 * that carry SSH, the root storage); survey_parse reads that back strictly and survey_exclude marks
 * what must not be unbound, with the reason, beside what the board file protects.
 */
#ifndef RIG_SURVEY_H
#define RIG_SURVEY_H

#include <stddef.h>

#include "conf.h"

/* What keeps the board reachable or alive, as the script names it ("pin KIND ..."). */
enum survey_pin_kind {
	SURVEY_PIN_CONSOLE,	/* a tty the kernel's console prints on */
	SURVEY_PIN_NET,		/* a network device with a route: SSH comes through one */
	SURVEY_PIN_ROOT,	/* the block device under / */
};

/* The driver-bound device a survey unbinds: one row of its table. */
struct survey_dev {
	char	cls[32];	/* "i2c", "tty", "rtc": the node's subsystem, in the rig's words */
	char	node[128];	/* "/dev/i2c-0": the first node found on it (held open) */
	int	nnodes;		/* nodes found on it */
	char	syspath[256];	/* "/sys/devices/pci0000:00/0000:00:1f.3" */
	char	bus[32];	/* "pci" */
	char	driver[64];	/* "i801_smbus" */
	char	device[64];	/* "0000:00:1f.3": what unbind and bind take */
	int	unbindable;	/* the driver has an unbind file (no suppress_bind_attrs) */
	/* "" when it is surveyed; else why not ("console ttyS0", "board file: protected: ...") */
	char	excluded[256];
};

/* A device the board needs: its node (tty, interface, disk) and the driver-bound device under it. */
struct survey_pin {
	enum survey_pin_kind kind;
	char	name[64];	/* "ttyS0", "eth0", "vda" */
	char	leaf[256];	/* its own sysfs path */
	char	syspath[256];	/* the driver-bound device, "" when none */
	char	bus[32];
	char	driver[64];
};

struct survey {
	struct survey_dev	*devs;
	int			 ndevs;
	struct survey_pin	*pins;
	int			 npins;
};

/*
 * The lifetime sequences a survey runs per device, in the order it runs them: the ones that leave
 * the board as it was first, the poweroff (which boots the board again) last.
 */
enum survey_seq {
	SURVEY_SEQ_UNBIND_RELEASE,	/* "unbind-release": hold, unbind, release while it waits */
	SURVEY_SEQ_UNBIND,		/* "unbind": hold, unbind, release, bind */
	SURVEY_SEQ_POWEROFF,		/* "poweroff": hold, then a clean shutdown */
	SURVEY_SEQ_COUNT
};
#define SURVEY_SEQ_ALL	((1u << SURVEY_SEQ_COUNT) - 1)
const char *survey_seq_name(enum survey_seq q);

/*
 * "unbind,poweroff" into a mask of (1 << enum survey_seq); NULL or "": every sequence. 0, or -1
 * with err naming the word that is not a sequence.
 */
int survey_seq_parse(const char *list, unsigned *mask, char *err, size_t errlen);

/*
 * The scenario of a device's sequence (named survey/CLASS/DEVICE/SEQ, its steps on the device's
 * class): 0, or -1 when the name would not fit.
 */
struct scenario;
int survey_scenario(const struct survey_dev *d, enum survey_seq q, struct scenario *sc);

/* What a row of the survey's table is. */
enum survey_row {
	SURVEY_ROW_RUN,		/* "run": its sequence ran; the run's verdict says how */
	SURVEY_ROW_EXCLUDED,	/* "excluded": never unbound (the title says why) */
	SURVEY_ROW_NOT_RUN,	/* "not-run": the survey stopped before it (the title says why) */
};
const char *survey_row_name(enum survey_row r);

/* The board-side POSIX sh script: its output is what survey_parse reads. */
extern const char survey_script[];

/* "console", "net", "root". */
const char *survey_pin_kind_name(enum survey_pin_kind k);

/*
 * Reads the script's output into sv (grouped by driver-bound device, in the order found). Every
 * line must be whole and well formed and the output must end with the script's "end" line: 0, or
 * -1 with err naming the line ("line 3: node: bus \"p ci\" is not a name: node tty ...") and sv
 * empty. survey_free releases it either way.
 */
int survey_parse(const char *out, struct survey *sv, char *err, size_t errlen);
void survey_free(struct survey *sv);

/*
 * Marks sv's devices that must not be unbound: the board file's protected devices, each pinned
 * device and its parents, and drivers without an unbind file. Pinned devices that have no node
 * of their own (a network card) are added as excluded rows, so the table says why they are not
 * surveyed. The rows are then sorted by class and device.
 */
void survey_exclude(struct survey *sv, const struct board_conf *b);

/*
 * Marks the devices of classes whose unbind or close can reset the board (a watchdog: closed
 * without its magic close, or unbound while armed, it may fire) as excluded, unless the class is
 * named in the comma-separated list the survey was asked for.
 */
void survey_exclude_risky(struct survey *sv, const char *classes);

/* 1 when class cls is in the comma-separated list (NULL or "": every class). */
int survey_class_selected(const char *list, const char *cls);

/*
 * The run's scenario name of a device's sequence ("survey/i2c/0000:00:1f.3/unbind"): 0, or -1
 * when it does not fit in len.
 */
int survey_run_name(const struct survey_dev *d, const char *seq, char *dst, size_t len);

#endif
