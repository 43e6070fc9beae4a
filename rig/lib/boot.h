/*
 * boot: a board's boot part behind one ops table: what makes a powered board run the kernel
 * asked for (qemu-kernel: the image handed to the virtual machine; uboot-tftp: U-Boot told over
 * the console to fetch it over TFTP).
 */
#ifndef RIG_BOOT_H
#define RIG_BOOT_H

#include <stddef.h>
#include <stdint.h>

struct board_conf;
struct part_keys;

/* Where the daemon keeps what a boot part may need. */
struct boot_env {
	const char	*statedir;	/* images are made under statedir/images */
	const char	*firmwaredir;	/* mkimage and the board side */
	const char	*cachedir;	/* downloaded packages */
	const char	*keyfile;	/* the rig's SSH key (keyfile.pub goes into the image) */
};

/* What a boot part made ready: the files to boot and who they are, for the store. */
struct boot_image {
	char	kernel[512];
	char	initrd[512];
	char	dtb[512];		/* "" when the machine has none */
	char	sha256[65];		/* of the kernel image: how a registered build is known */
	char	config_sha256[65];
	char	package[128];		/* the Debian package it came from, "" if none */
	char	package_version[64];
};

/*
 * The board's console as a boot part may use it after power-on (U-Boot is driven by typing at
 * it). The daemon provides these; a boot part that needs no console ignores them. Offsets are
 * bytes of this boot's console log, which starts at power-on.
 */
struct boot_console {
	void	*arg;
	/* Writes s to the board's console: 0, or -1. */
	int	 (*write)(void *arg, const char *s, size_t len);
	/*
	 * Waits until one of texts (NULL-terminated) appears on the console at or after byte
	 * *from; the one that ends first wins. Returns its index, *from then just past it; -1 at
	 * timeout_ms or when the board lost power (*from is left as it was).
	 */
	int	 (*expect)(void *arg, const char *const *texts, int64_t *from, int64_t timeout_ms);
	/*
	 * What the console printed from byte from on (at most max bytes), as a NUL-terminated
	 * string the caller frees; a NUL the board sent reads as '?'.
	 */
	char	*(*text)(void *arg, int64_t from, size_t max);
};

/* The contract of a boot backend; every call comes from the board's own thread. */
struct boot_ops {
	const char	*name;		/* as in the board file's boot.method */
	const struct part_keys *keys;	/* its keys of the board file (partconf.h) */
	int		 uboot;		/* 1: start drives U-Boot (a stage people see before the kernel) */
	void	*(*create)(const struct board_conf *conf, const struct boot_env *env, char *err,
		    size_t errlen);
	/*
	 * Before power-on: make (or find) what boots the build `package` ("" : the board's own
	 * kernel; a Debian package name, or a registered lab build's absolute folder, which
	 * firmware/mkimage --kernel takes alike) and describe it in img, which the power part
	 * gets next. 0, or -1 with err.
	 */
	int	 (*prepare)(void *self, const char *package, struct boot_image *img, char *err,
		    size_t errlen);
	/*
	 * After power-on, with the console open: whatever it takes for the kernel to start
	 * (nothing when the power part loaded it). 0, or -1 with err.
	 */
	int	 (*start)(void *self, const struct boot_console *con, char *err, size_t errlen);
	/*
	 * Optional, from the board file alone, on the rig host: whether what the part reaches exists
	 * here now (a device node, a gpiochip, a TFTP root, a program on PATH). 0, or -1 with why
	 * naming the thing and the board file's key ("console.path /dev/ttyUSB3: no such file").
	 * rigd -n and rigd's start-up ask it; nothing is opened or switched.
	 */
	int	 (*probe)(const struct board_conf *conf, char *why, size_t whylen);
	void	 (*free)(void *self);
};

struct boot;

/* The method this build has under name (registry in parts.c), or NULL. */
const struct boot_ops *boot_method_find(const char *name);

struct boot *boot_new(const struct boot_ops *ops, const struct board_conf *conf,
    const struct boot_env *env, char *err, size_t errlen);
const char *boot_name(const struct boot *b);
/* 1 when starting the kernel goes through U-Boot (ops->uboot). */
int boot_uboot(const struct boot *b);
int boot_prepare(struct boot *b, const char *package, struct boot_image *img, char *err,
    size_t errlen);
int boot_start(struct boot *b, const struct boot_console *con, char *err, size_t errlen);
void boot_free(struct boot *b);

/*
 * The device tree a uboot-tftp board boots with (boot.dtb, e.g. renesas/r8a77951-salvator-xs.dtb,
 * a name inside the build) and the board file's line naming it; NULL when the board boots
 * another way or with U-Boot's own tree.
 */
const char *boot_uboot_board_dtb(const struct board_conf *conf, int *line);

#endif
