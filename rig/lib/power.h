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
void power_cut(struct power *p);
int power_alive(struct power *p);
int power_console_path(struct power *p, char *path, size_t len);
/* Where SSH answers: the power part's say, else the board file's. */
void power_ssh_addr(struct power *p, const struct board_conf *conf, char *host, size_t hostlen,
    int *port);
void power_free(struct power *p);
/* The device tree the board's power part asks for in the image ("" when none). */
const char *power_image_dtb(const struct board_conf *conf);

#endif
