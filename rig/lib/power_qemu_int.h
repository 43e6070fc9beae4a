/*
 * power_qemu_int: what the qemu power backend's files share (power_qemu.c: the process and the
 * ops; power_qemu_qmp.c: QMP; power_qemu_snap.c: snapshot save and restore). Not for the rest of
 * rig, which knows the backend only by its ops (power.h).
 */
#ifndef POWER_QEMU_INT_H
#define POWER_QEMU_INT_H

#include "boot.h"
#include "conf.h"
#include "power.h"
#include "qsnap.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define POWER_QEMU_MAX_ARGS	32
#define POWER_QEMU_MAX_SERIALS	4
#define POWER_QEMU_MAX_ARGV	(POWER_QEMU_MAX_ARGS + 48)

/* The board file's qemu: section, checked (this backend's settings in struct board_conf). */
struct power_qemu_conf {
	char	binary[64];		/* qemu-system-x86_64 */
	char	machine[64];		/* q35 */
	char	cpu[64];		/* optional */
	int	memory;			/* MiB, default 512 */
	char	dtb[128];		/* optional: device tree file name inside the kernel package */
	char	net[16];		/* "e1000" (-netdev user + -device e1000), "nic" (-nic user) */
	char	serials[POWER_QEMU_MAX_SERIALS][16]; /* in order: "console" (the pty) or "null" */
	int	nserials;
	char	args[POWER_QEMU_MAX_ARGS][128];	/* extra arguments, verbatim */
	int	nargs;
	int	snapshot;		/* 1 (default): keep the board at its ready line, restore it */
	int	binary_line;		/* where binary and each of args were given: probe messages */
	int	arg_lines[POWER_QEMU_MAX_ARGS];
};
_Static_assert(sizeof(struct power_qemu_conf) <= BOARD_PART_SETTINGS,
    "qemu settings do not fit struct board_part");

struct power_qemu {
	const struct board_conf	*conf;		/* immutable */
	const struct power_qemu_conf *qc;	/* immutable: conf's qemu: section */
	char			 rundir[200];	/* immutable */
	pthread_mutex_t		 lock;		/* guards pid: cut() comes from another thread */
	pid_t			 pid;		/* under lock; 0 when no QEMU runs */
	/* the board thread's own: */
	int			 qmp_fd;
	char			 console[64];	/* the console pty's end rigd opens: /dev/pts/N */
	int			 pty_held;	/* that end, held open from prepare to on() */
	char			 qmp_path[300];
	int			 ssh_port;	/* where QEMU forwards the board's SSH */
	/* set by set_report before the board thread starts, then read only: */
	power_report_fn		*report;
	void			*report_arg;
	/* snapshots, the board thread's own too: */
	char			 snapdir[300];
	struct qsnap_key	 key;		/* of this power-on's machine and build */
	int			 key_ok;	/* key is known: a snapshot may be saved */
	int			 restored;	/* this power-on continues a snapshot */
	int			 restored_up;	/* and the board printed its ready line since */
	int			 snap_broken;	/* a restored board never came up: no more, until restart */
	int64_t			 restore_ms;	/* QEMU start to restored, for the report */
	char			 version[160];	/* QEMU's --version, for the key */
	struct power_qemu_ident {		/* a file as it was when looked at: digests are kept */
		char	 path[512];
		dev_t	 dev;
		ino_t	 ino;
		off_t	 size;
		struct timespec mtime;
		char	 sha[65];		/* a file's digest; the version for the binary */
	}			 seen[4];	/* binary, kernel, initrd, device tree */
};


/* The QEMU command line of this power-on; qmp and net hold what argv points into. */
struct power_qemu_cmd {
	char	*argv[POWER_QEMU_MAX_ARGV + 1];
	int	 argc;
	char	 mem[16], qmp[350], net[128], serial[POWER_QEMU_MAX_SERIALS][32];
};

/* power_qemu.c */
int	power_qemu_alive(void *self);
void	power_qemu_off(void *self);
void	power_qemu_say(struct power_qemu *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	power_qemu_cmdline(struct power_qemu *q, const struct boot_image *img, int ssh_port,
	    const char *qmp_path, struct power_qemu_cmd *c);
int	power_qemu_spawn(struct power_qemu *q, struct power_qemu_cmd *cmd, int snapfd, char *err,
	    size_t errlen);

/* power_qemu_qmp.c */
cJSON	*power_qemu_qmp(int fd, const char *cmd, int timeout_ms);
int	 power_qemu_qmp_ok(int fd, const char *cmd, int timeout_ms);
cJSON	*power_qemu_qmp_passfd(int sock, const char *cmd, int fd, int timeout_ms);
int	 power_qemu_qmp_connect(struct power_qemu *q, char *err, size_t errlen);

/* power_qemu_snap.c */
int	power_qemu_snap_restore(struct power_qemu *q, const struct boot_image *img);
void	power_qemu_settled(void *self);

#endif
