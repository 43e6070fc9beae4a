/* power_qemu: the power backend of virtual boards: a QEMU process driven through QMP. */
#ifndef RIG_POWER_QEMU_H
#define RIG_POWER_QEMU_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

struct power_qemu {
	pid_t	pid;
	int	qmp_fd;
	char	console[64];	/* the pty QEMU made for the console: /dev/pts/N */
	char	qmp_path[256];
	int	ssh_port;
};

/* What to boot: the files of one kernel build. */
struct power_qemu_image {
	const char	*kernel;
	const char	*initrd;
	const char	*dtb;	/* NULL or "" when the machine has none */
};

/*
 * Starts QEMU paused (-S), so the console can be opened before the first byte is printed,
 * with QMP on a socket in rundir and the board's SSH forwarded to ssh_port on loopback.
 * QEMU's own messages go to rundir/NAME.qemu.log. 0, or -1 with a reason in err.
 */
int power_qemu_start(const struct board_conf *b, const struct power_qemu_image *img,
    const char *rundir, int ssh_port, struct power_qemu *q, char *err, size_t errlen);
/* Lets the CPUs run: call once the console is open. */
int power_qemu_cont(struct power_qemu *q);
/* Power off now (QMP quit, then SIGKILL after a grace period); never waits for the guest. */
void power_qemu_stop(struct power_qemu *q);
/* 1 while the QEMU process lives; reaps it when it has died. */
int power_qemu_alive(struct power_qemu *q);
/* A loopback TCP port nobody listens on now, or -1. */
int power_qemu_free_port(void);

#endif
