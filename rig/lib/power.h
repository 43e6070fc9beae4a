/*
 * power: a board's power part behind one ops table: what switches the board on and off (a QEMU
 * process for a virtual board; a relay on a GPIO line or a PDU command for a real one).
 */
#ifndef RIG_POWER_H
#define RIG_POWER_H

#include <stddef.h>

struct board_conf;
struct boot_image;
struct part_keys;

/* Whether a board's supply is on, as the power part knows it or asks the hardware. */
enum power_state {
	POWER_UNKNOWN,		/* not known: never switched by this rigd, or its command failed */
	POWER_OFF,
	POWER_ON,
};

/*
 * Where a power part reports what an operation did (a command's exit status and the tail of its
 * stderr) for the board's event log; called from the thread that made the operation.
 */
typedef void power_report_fn(void *arg, const char *msg);

/*
 * The contract of a power backend. Every call but cut() is made from the board's own thread;
 * self is what create() returned.
 */
struct power_ops {
	const char	*name;		/* as in the board file's power.backend */
	const struct part_keys *keys;	/* its keys of the board file (partconf.h) */
	/* One board's instance; NULL with err. rundir holds the backend's sockets and logs. */
	void	*(*create)(const struct board_conf *conf, const char *rundir, char *err,
		    size_t errlen);
	/*
	 * Everything up to the moment power flows. A power part that loads the kernel itself (a
	 * virtual machine) takes img here and is left paused; one that only switches a supply
	 * ignores img. The console is opened after this and before on(), so that the log has the
	 * boot from its first byte. 0, or -1 with err.
	 */
	int	 (*prepare)(void *self, const struct boot_image *img, char *err, size_t errlen);
	/* Power flows: the board starts. 0, or -1 with err. */
	int	 (*on)(void *self, char *err, size_t errlen);
	/* Power off now; never waits for the board's own shutdown. Harmless when already off. */
	void	 (*off)(void *self);
	/*
	 * Optional: the board printed its ready line after this power-on, and nobody has connected
	 * yet. A part that can keep this state and start from it next time (a virtual machine's
	 * snapshot) may do so now; it reports what it did (set_report). Nothing to return: a
	 * board that could not be kept boots as before.
	 */
	void	 (*settled)(void *self);
	/*
	 * From any thread (rigd's shutdown): cut the power at once without waiting; the board
	 * thread's next alive() says 0 and its next off() tidies up.
	 */
	void	 (*cut)(void *self);
	/* 1 while the board may be running (a virtual machine's process lives, a supply is on). */
	int	 (*alive)(void *self);
	/* Optional: the console line this part made (a virtual machine's pty); -1 when none. */
	int	 (*console_path)(void *self, char *path, size_t len);
	/*
	 * Optional: where the board's SSH answers when the power part decides it (a virtual
	 * machine's forwarded port, picked at prepare); -1 to use the board file's ssh: section.
	 */
	int	 (*ssh_addr)(void *self, char *host, size_t hostlen, int *port);
	/*
	 * Optional, from the board file alone: the device tree the machine this part runs needs,
	 * a file name inside the kernel package, that the boot part puts into the image ("": none).
	 */
	const char *(*image_dtb)(const struct board_conf *conf);
	/*
	 * Optional: off, the board's off-time, on, as one operation of the part's (a PDU's reboot
	 * command, or its off and on). 0, or -1 with err. A part that must be prepared before each
	 * power-on (a virtual machine) has none: power_cycle refuses.
	 */
	int	 (*cycle)(void *self, char *err, size_t errlen);
	/* Optional: the supply's state asked of the hardware (a PDU's status); else from alive(). */
	enum power_state (*state)(void *self, char *err, size_t errlen);
	/* Optional: where to report what each operation did (power_set_report). */
	void	 (*set_report)(void *self, power_report_fn *fn, void *arg);
	/*
	 * Optional, from the board file alone, on the rig host: whether what the part reaches exists
	 * here now (a device node, a gpiochip, a TFTP root, a program on PATH). 0, or -1 with why
	 * naming the thing and the board file's key ("console.path /dev/ttyUSB3: no such file").
	 * rigd -n and rigd's start-up ask it; nothing is opened or switched.
	 */
	int	 (*probe)(const struct board_conf *conf, char *why, size_t whylen);
	/*
	 * Optional, from any thread (the event loop): a person says the switching this part asked
	 * for is done (rigctl power BOARD confirm). 0, or -1 with err when nothing was asked.
	 */
	int	 (*confirm)(void *self, char *err, size_t errlen);
	/*
	 * Optional, from any thread: 1 with what a person is asked to do now ("power on by hand"),
	 * for show boards and the dashboard; 0 when nothing is asked.
	 */
	int	 (*waiting)(void *self, char *what, size_t len);
	void	 (*free)(void *self);
};

/* One board's power part: opaque, made by power_new, used by its board thread. */
struct power;

/* The backend this build has under name (registry in parts.c), or NULL. */
const struct power_ops *power_backend_find(const char *name);

struct power *power_new(const struct power_ops *ops, const struct board_conf *conf,
    const char *rundir, char *err, size_t errlen);
const char *power_name(const struct power *p);
int power_prepare(struct power *p, const struct boot_image *img, char *err, size_t errlen);
int power_on(struct power *p, char *err, size_t errlen);
void power_off(struct power *p);
/* The board is up at its ready line (power_ops.settled); nothing for a part without it. */
void power_settled(struct power *p);
void power_cut(struct power *p);
int power_alive(struct power *p);
int power_console_path(struct power *p, char *path, size_t len);
/* Where SSH answers: the power part's say, else the board file's. */
void power_ssh_addr(struct power *p, const struct board_conf *conf, char *host, size_t hostlen,
    int *port);
/* Off, off-time, on in one; -1 with err when the part cannot (see power_ops.cycle). */
int power_cycle(struct power *p, char *err, size_t errlen);
/* The supply's state: the part's answer, else POWER_ON while alive() and POWER_OFF after. */
enum power_state power_state(struct power *p, char *err, size_t errlen);
/* Reports of what each operation did go to fn (nothing is reported before this). */
void power_set_report(struct power *p, power_report_fn *fn, void *arg);
/* A person's confirmation (power_ops.confirm); -1 with err for a part that asks nobody. */
int power_confirm(struct power *p, char *err, size_t errlen);
/* 1 when the part's switching is a person's (it has confirm): a failed on() is not retried. */
int power_asks_person(const struct power *p);
/* What a person is asked to do now; 0 and "" when nothing (or the part asks nobody). */
int power_waiting(struct power *p, char *what, size_t len);
void power_free(struct power *p);
/* The device tree the board's power part asks for in the image ("" when none). */
const char *power_image_dtb(const struct board_conf *conf);

#endif
