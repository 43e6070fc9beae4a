/* survey: the board-side discovery script, its output read strictly, and the exclusions. */
#include "survey.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Run as it is on the board (busybox ash or any POSIX sh): it takes nothing from the rig, so no
 * value of ours is ever a word in it. Lines, one word per field, single spaces:
 *   node SUBSYSTEM MAJ:MIN /dev/NODE DEVICE-PATH BUS DRIVER unbind|no-unbind
 *   pin console|net|root NAME ITS-PATH DEVICE-PATH BUS DRIVER     ("-" for none)
 *   end
 * DEVICE-PATH is the nearest device at or above the node that is bound to a driver: what
 * unbind takes. Virtual devices (/sys/devices/virtual) have no driver and are skipped early,
 * which is most of a board's nodes (tty1..63, mem, misc): forks are slow under emulation.
 */
const char survey_script[] =
    "drv() {\n"
    "	dp=$1; db=-; dd=-\n"
    "	while [ -n \"$dp\" ] && [ \"$dp\" != /sys/devices ]; do\n"
    "		if [ -L \"$dp/driver\" ] && [ -L \"$dp/subsystem\" ]; then\n"
    "			db=$(readlink \"$dp/subsystem\"); db=${db##*/}\n"
    "			dd=$(readlink \"$dp/driver\"); dd=${dd##*/}\n"
    "			return 0\n"
    "		fi\n"
    "		dp=${dp%/*}\n"
    "	done\n"
    "	dp=-\n"
    "}\n"
    "pin() {\n"
    "	[ -e \"$3\" ] || return 0\n"
    "	p=$(readlink -f \"$3\")\n"
    "	drv \"$p\"\n"
    "	echo \"pin $1 $2 $p $dp $db $dd\"\n"
    "}\n"
    "for l in /sys/dev/char/*; do\n"
    "	p=$(readlink -f \"$l\") || continue\n"
    "	case $p in /sys/devices/virtual/*|'') continue ;; esac\n"
    "	n=\n"
    "	while IFS== read -r k v; do [ \"$k\" = DEVNAME ] && n=$v; done < \"$l/uevent\"\n"
    "	[ -n \"$n\" ] && [ -c \"/dev/$n\" ] || continue\n"
    "	s=$(readlink \"$p/subsystem\"); s=${s##*/}\n"
    "	drv \"$p\"\n"
    "	[ \"$dp\" = - ] && continue\n"
    "	u=no-unbind\n"
    "	[ -e \"/sys/bus/$db/drivers/$dd/unbind\" ] && u=unbind\n"
    "	echo \"node $s ${l##*/} /dev/$n $dp $db $dd $u\"\n"
    "done\n"
    "if [ -r /sys/class/tty/console/active ]; then\n"
    "	for t in $(cat /sys/class/tty/console/active); do pin console \"$t\" \"/sys/class/tty/$t\"; done\n"
    "fi\n"
    /* Every interface with a route: SSH comes in through one of them. */
    "seen=' '\n"
    "while read -r i rest; do\n"
    "	case $i in Iface|lo) continue ;; esac\n"
    "	case $seen in *\" $i \"*) continue ;; esac\n"
    "	seen=\"$seen$i \"\n"
    "	pin net \"$i\" \"/sys/class/net/$i\"\n"
    "done < /proc/net/route\n"
    /* The last mount on / is the root in use; 0:N is a filesystem without a disk. */
    "r=\n"
    "while read -r id par mm root mp rest; do [ \"$mp\" = / ] && r=$mm; done < /proc/self/mountinfo\n"
    "if [ -n \"$r\" ] && [ -e \"/sys/dev/block/$r\" ]; then\n"
    "	b=$(readlink -f \"/sys/dev/block/$r\"); pin root \"${b##*/}\" \"$b\"\n"
    "fi\n"
    "echo end\n";

const char *
survey_pin_kind_name(enum survey_pin_kind k)
{
	switch (k) {
	case SURVEY_PIN_CONSOLE: return "console";
	case SURVEY_PIN_NET: return "net";
	case SURVEY_PIN_ROOT: return "root";
	}
	return "?";
}

/* Fields kept of a line: more than any kind has, so a count can be told apart. */
#define SURVEY_FIELDS	10

const char *
survey_row_name(enum survey_row r)
{
	switch (r) {
	case SURVEY_ROW_RUN: return "run";
	case SURVEY_ROW_EXCLUDED: return "excluded";
	case SURVEY_ROW_NOT_RUN: return "not-run";
	}
	return "?";
}

struct survey_line {
	int	 no;
	char	*text;		/* the line, for the message */
	char	*err;
	size_t	 errlen;
};

/* The line as it may be shown: control bytes as \xNN, cut at 160 characters. */
static void
survey_printable(const char *s, char *dst, size_t len)
{
	size_t used = 0;

	for (; *s && used + 5 < len && used < 160; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r')
			used += (size_t)snprintf(dst + used, len - used, "\\r");
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			used += (size_t)snprintf(dst + used, len - used, "\\x%02x", c);
		else
			dst[used++] = (char)c;
	}
	dst[used] = '\0';
}

static int
survey_bad(struct survey_line *ln, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
survey_bad(struct survey_line *ln, const char *fmt, ...)
{
	char what[512], text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	survey_printable(ln->text, text, sizeof(text));
	util_fmt(ln->err, ln->errlen, "line %d: %s: \"%s\"", ln->no, what, text);
	return -1;
}

/* A field's value as it may be quoted in a message. */
static const char *
survey_q(const char *s, char *buf, size_t len)
{
	survey_printable(s, buf, len);
	return buf;
}

static int
survey_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* A name the rig writes into a sysfs path: [A-Za-z0-9_.:-], not starting with - or '.'. */
static int
survey_name_ok(const char *s)
{
	return s[0] && s[0] != '-' && s[0] != '.' && survey_chars(s, "_.:-");
}

/* Copies a field that must fit (never cut short). */
static int
survey_copy(struct survey_line *ln, const char *what, const char *s, char *dst, size_t len)
{
	char q[200];

	if (strlen(s) >= len)
		return survey_bad(ln, "%s \"%.40s...\" is longer than %zu characters", what,
		    survey_q(s, q, sizeof(q)), len - 1);
	util_strlcpy(dst, s, len);
	return 0;
}

static int
survey_syspath(struct survey_line *ln, const char *kind, const char *s, char *dst, size_t len)
{
	char q[200];

	if (strncmp(s, "/sys/devices/", 13) != 0 || strstr(s, "/..") != NULL ||
	    s[strlen(s) - 1] == '/' || !survey_chars(s, "/_.:,+@-"))
		return survey_bad(ln, "%s: \"%s\" is not a device under /sys/devices", kind,
		    survey_q(s, q, sizeof(q)));
	return survey_copy(ln, "device path", s, dst, len);
}

/* Splits the line at single spaces into at most max fields; how many there are. */
static int
survey_split(char *s, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *sp = strchr(s, ' ');

		if (n < max)
			f[n] = s;
		n++;
		if (sp == NULL)
			return n;
		*sp = '\0';
		s = sp + 1;
	}
}

static int
survey_fields(struct survey_line *ln, char **f, int n, int want)
{
	int i;

	/* Two spaces in a row make an empty field: said as such, not as a count. */
	for (i = 0; i < n && i < SURVEY_FIELDS; i++)
		if (f[i][0] == '\0')
			return survey_bad(ln, "%s: an empty field", f[0]);
	if (n != want)
		return survey_bad(ln, "%s: %d fields, not %d", f[0], n, want);
	return 0;
}

/* The rig's word for a node's subsystem. */
static const char *
survey_class_of(const char *subsys)
{
	if (strcmp(subsys, "i2c-dev") == 0)
		return "i2c";
	if (strcmp(subsys, "spidev") == 0)
		return "spi";
	return subsys;
}

static int
survey_node(struct survey *sv, struct survey_line *ln, char **f, int n)
{
	struct survey_dev d = { 0 };
	const char *base;
	char q[200];
	int i;

	if (survey_fields(ln, f, n, 8) == -1)
		return -1;
	if (!survey_chars(f[1], "_-") || !islower((unsigned char)f[1][0]) ||
	    strcspn(f[1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(f[1]))
		return survey_bad(ln, "node: subsystem \"%s\" is not a class name",
		    survey_q(f[1], q, sizeof(q)));
	if (survey_copy(ln, "class", survey_class_of(f[1]), d.cls, sizeof(d.cls)) == -1)
		return -1;
	if (strspn(f[2], "0123456789") == 0 || f[2][strspn(f[2], "0123456789")] != ':' ||
	    strspn(f[2] + strspn(f[2], "0123456789") + 1, "0123456789") !=
	    strlen(f[2] + strspn(f[2], "0123456789") + 1) ||
	    f[2][strspn(f[2], "0123456789") + 1] == '\0')
		return survey_bad(ln, "node: \"%s\" is not MAJOR:MINOR", survey_q(f[2], q, sizeof(q)));
	if (strncmp(f[3], "/dev/", 5) != 0 || f[3][5] == '\0' || strstr(f[3], "..") != NULL ||
	    f[3][5] == '-' || !survey_chars(f[3], "/_.:+-"))
		return survey_bad(ln, "node: \"%s\" is not a node under /dev",
		    survey_q(f[3], q, sizeof(q)));
	if (survey_copy(ln, "node", f[3], d.node, sizeof(d.node)) == -1)
		return -1;
	if (survey_syspath(ln, "node", f[4], d.syspath, sizeof(d.syspath)) == -1)
		return -1;
	base = strrchr(d.syspath, '/') + 1;
	if (!survey_name_ok(base))
		return survey_bad(ln, "node: device \"%s\" is not a device name",
		    survey_q(base, q, sizeof(q)));
	if (survey_copy(ln, "device", base, d.device, sizeof(d.device)) == -1)
		return -1;
	if (!survey_name_ok(f[5]))
		return survey_bad(ln, "node: bus \"%s\" is not a name", survey_q(f[5], q, sizeof(q)));
	if (survey_copy(ln, "node: bus", f[5], d.bus, sizeof(d.bus)) == -1)
		return -1;
	if (!survey_name_ok(f[6]))
		return survey_bad(ln, "node: driver \"%s\" is not a name",
		    survey_q(f[6], q, sizeof(q)));
	if (survey_copy(ln, "node: driver", f[6], d.driver, sizeof(d.driver)) == -1)
		return -1;
	if (strcmp(f[7], "unbind") == 0)
		d.unbindable = 1;
	else if (strcmp(f[7], "no-unbind") != 0)
		return survey_bad(ln, "node: \"%s\" is neither unbind nor no-unbind",
		    survey_q(f[7], q, sizeof(q)));
	/* Another node of a device already seen: counted on its row. */
	for (i = 0; i < sv->ndevs; i++) {
		if (strcmp(sv->devs[i].syspath, d.syspath) == 0) {
			if (strcmp(sv->devs[i].bus, d.bus) != 0 ||
			    strcmp(sv->devs[i].driver, d.driver) != 0)
				return survey_bad(ln, "node: %s is on %s %s here, on %s %s before",
				    d.device, d.bus, d.driver, sv->devs[i].bus, sv->devs[i].driver);
			sv->devs[i].nnodes++;
			return 0;
		}
	}
	d.nnodes = 1;
	sv->devs = xrealloc(sv->devs, (size_t)(sv->ndevs + 1) * sizeof(*sv->devs));
	sv->devs[sv->ndevs++] = d;
	return 0;
}

static int
survey_pin(struct survey *sv, struct survey_line *ln, char **f, int n)
{
	struct survey_pin p = { 0 };
	const char *base;
	char q[200], dev[sizeof(((struct survey_dev *)NULL)->device)];

	if (survey_fields(ln, f, n, 7) == -1)
		return -1;
	if (strcmp(f[1], "console") == 0)
		p.kind = SURVEY_PIN_CONSOLE;
	else if (strcmp(f[1], "net") == 0)
		p.kind = SURVEY_PIN_NET;
	else if (strcmp(f[1], "root") == 0)
		p.kind = SURVEY_PIN_ROOT;
	else
		return survey_bad(ln, "pin: kind \"%s\" is not console, net or root",
		    survey_q(f[1], q, sizeof(q)));
	if (!survey_name_ok(f[2]))
		return survey_bad(ln, "pin: \"%s\" is not a name", survey_q(f[2], q, sizeof(q)));
	if (survey_copy(ln, "pin: name", f[2], p.name, sizeof(p.name)) == -1 ||
	    survey_syspath(ln, "pin", f[3], p.leaf, sizeof(p.leaf)) == -1)
		return -1;
	if (strcmp(f[4], "-") == 0) {
		if (strcmp(f[5], "-") != 0 || strcmp(f[6], "-") != 0)
			return survey_bad(ln, "pin: a bus or driver without a device");
	} else {
		if (strcmp(f[5], "-") == 0 || strcmp(f[6], "-") == 0)
			return survey_bad(ln, "pin: a driver-bound device needs its bus and driver");
		if (survey_syspath(ln, "pin", f[4], p.syspath, sizeof(p.syspath)) == -1)
			return -1;
		/* Its name becomes a row's device (survey_exclude): checked as a node's is. */
		base = strrchr(p.syspath, '/') + 1;
		if (!survey_name_ok(base))
			return survey_bad(ln, "pin: device \"%s\" is not a device name",
			    survey_q(base, q, sizeof(q)));
		if (survey_copy(ln, "device", base, dev, sizeof(dev)) == -1)
			return -1;
		if (!survey_name_ok(f[5]) || !survey_name_ok(f[6]))
			return survey_bad(ln, "pin: bus or driver is not a name");
		if (survey_copy(ln, "pin: bus", f[5], p.bus, sizeof(p.bus)) == -1 ||
		    survey_copy(ln, "pin: driver", f[6], p.driver, sizeof(p.driver)) == -1)
			return -1;
	}
	sv->pins = xrealloc(sv->pins, (size_t)(sv->npins + 1) * sizeof(*sv->pins));
	sv->pins[sv->npins++] = p;
	return 0;
}

int
survey_parse(const char *out, struct survey *sv, char *err, size_t errlen)
{
	char *copy = xstrdup(out), *s = copy, *f[SURVEY_FIELDS];
	struct survey_line ln = { 0, NULL, err, errlen };
	int ended = 0, rc = 0;

	memset(sv, 0, sizeof(*sv));
	if (errlen > 0)
		err[0] = '\0';
	while (*s && rc == 0) {
		char *eol = strchr(s, '\n'), line[2048];
		int n;

		ln.no++;
		if (eol == NULL) {
			/* A last line without its newline is a line cut short. */
			break;
		}
		*eol = '\0';
		ln.text = s;
		util_strlcpy(line, s, sizeof(line));
		s = eol + 1;
		if (ended) {
			rc = survey_bad(&ln, "after the end line");
			break;
		}
		if (strlen(ln.text) >= sizeof(line)) {
			rc = survey_bad(&ln, "longer than %zu characters", sizeof(line) - 1);
			break;
		}
		n = survey_split(line, f, (int)UTIL_NELEM(f));
		if (strcmp(f[0], "end") == 0 && n == 1)
			ended = 1;
		else if (strcmp(f[0], "node") == 0)
			rc = survey_node(sv, &ln, f, n);
		else if (strcmp(f[0], "pin") == 0)
			rc = survey_pin(sv, &ln, f, n);
		else {
			char q[200];
			rc = survey_bad(&ln, "unknown line kind \"%s\"", survey_q(f[0], q, sizeof(q)));
		}
	}
	if (rc == 0 && !ended) {
		util_fmt(err, errlen, "no end line after line %d (the output was cut short)", ln.no);
		rc = -1;
	}
	free(copy);
	if (rc == -1)
		survey_free(sv);
	return rc;
}

void
survey_free(struct survey *sv)
{
	free(sv->devs);
	free(sv->pins);
	memset(sv, 0, sizeof(*sv));
}

/* 1 when a is b or one of its parents (b lies below a in /sys/devices). */
static int
survey_at_or_above(const char *a, const char *b)
{
	size_t n = strlen(a);

	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static const char *
survey_pin_what(enum survey_pin_kind k)
{
	switch (k) {
	case SURVEY_PIN_CONSOLE: return "console";
	case SURVEY_PIN_NET: return "network device";
	case SURVEY_PIN_ROOT: return "root storage";
	}
	return "?";
}

static void
survey_pin_reason(const struct survey_pin *p, int parent, char *dst, size_t len)
{
	util_fmt(dst, len, "%s%s %s%s", parent ? "parent of the " : "", survey_pin_what(p->kind),
	    p->name, p->kind == SURVEY_PIN_NET ? " (it has a route: SSH comes through it)" :
	    p->kind == SURVEY_PIN_CONSOLE ? " (the kernel's console)" : "");
}

/* By class, then device: a table that reads the same on every boot of a build. */
static int
survey_dev_cmp(const void *a, const void *b)
{
	const struct survey_dev *x = a, *y = b;
	int c = strcmp(x->cls, y->cls);

	return c ? c : strcmp(x->device, y->device);
}

void
survey_exclude(struct survey *sv, const struct board_conf *b)
{
	int i, j;

	/* Pinned devices without a node of their own are rows too: the table says why. */
	for (j = 0; j < sv->npins; j++) {
		const struct survey_pin *p = &sv->pins[j];
		struct survey_dev d = { 0 };
		int seen = 0;

		if (p->syspath[0] == '\0')
			continue;
		for (i = 0; i < sv->ndevs && !seen; i++)
			seen = strcmp(sv->devs[i].syspath, p->syspath) == 0;
		if (seen)
			continue;
		util_strlcpy(d.cls, survey_pin_kind_name(p->kind), sizeof(d.cls));
		if (p->kind == SURVEY_PIN_CONSOLE)
			util_strlcpy(d.cls, "tty", sizeof(d.cls));
		else if (p->kind == SURVEY_PIN_ROOT)
			util_strlcpy(d.cls, "block", sizeof(d.cls));
		util_strlcpy(d.syspath, p->syspath, sizeof(d.syspath));
		util_strlcpy(d.device, strrchr(p->syspath, '/') + 1, sizeof(d.device));
		util_strlcpy(d.bus, p->bus, sizeof(d.bus));
		util_strlcpy(d.driver, p->driver, sizeof(d.driver));
		util_fmt(d.node, sizeof(d.node), "-");
		d.unbindable = 1;
		sv->devs = xrealloc(sv->devs, (size_t)(sv->ndevs + 1) * sizeof(*sv->devs));
		sv->devs[sv->ndevs++] = d;
	}
	for (i = 0; i < sv->ndevs; i++) {
		struct survey_dev *d = &sv->devs[i];

		d->excluded[0] = '\0';
		for (j = 0; j < b->nprotected && !d->excluded[0]; j++)
			if (strcmp(b->protected[j].device, d->device) == 0)
				util_fmt(d->excluded, sizeof(d->excluded), "board file: protected: %s",
				    b->protected[j].why);
		/* The device itself first, then as a parent: the nearer reason is the one said. */
		for (j = 0; j < sv->npins && !d->excluded[0]; j++)
			if (sv->pins[j].syspath[0] && strcmp(sv->pins[j].syspath, d->syspath) == 0)
				survey_pin_reason(&sv->pins[j], 0, d->excluded, sizeof(d->excluded));
		for (j = 0; j < sv->npins && !d->excluded[0]; j++)
			if (survey_at_or_above(d->syspath, sv->pins[j].leaf))
				survey_pin_reason(&sv->pins[j], 1, d->excluded, sizeof(d->excluded));
		if (!d->excluded[0] && !d->unbindable)
			util_fmt(d->excluded, sizeof(d->excluded), "no unbind: driver %s does not"
			    " allow it (suppress_bind_attrs)", d->driver);
	}
	qsort(sv->devs, (size_t)sv->ndevs, sizeof(*sv->devs), survey_dev_cmp);
}

int
survey_class_selected(const char *list, const char *cls)
{
	size_t n = strlen(cls);
	const char *p = list;

	if (list == NULL || list[0] == '\0')
		return 1;
	while (p) {
		if (strncmp(p, cls, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

int
survey_run_name(const struct survey_dev *d, const char *seq, char *dst, size_t len)
{
	int n = snprintf(dst, len, "survey/%s/%s/%s", d->cls, d->device, seq);

	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			dst[0] = '\0';
		return -1;
	}
	return 0;
}

const char *
survey_seq_name(enum survey_seq q)
{
	switch (q) {
	case SURVEY_SEQ_UNBIND_RELEASE: return "unbind-release";
	case SURVEY_SEQ_UNBIND: return "unbind";
	case SURVEY_SEQ_POWEROFF: return "poweroff";
	case SURVEY_SEQ_COUNT: break;
	}
	return "?";
}

int
survey_seq_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *p = list;
	int q;

	*mask = 0;
	if (list == NULL || list[0] == '\0') {
		*mask = SURVEY_SEQ_ALL;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		char q1[200], word[64];

		for (q = 0; q < SURVEY_SEQ_COUNT; q++)
			if (strlen(survey_seq_name((enum survey_seq)q)) == n &&
			    strncmp(p, survey_seq_name((enum survey_seq)q), n) == 0)
				break;
		if (q == SURVEY_SEQ_COUNT) {
			util_fmt(word, sizeof(word), "%.*s", n < 60 ? (int)n : 60, p);
			util_fmt(err, errlen, "\"%s\" is not a sequence (unbind, unbind-release,"
			    " poweroff)", survey_q(word, q1, sizeof(q1)));
			*mask = 0;
			return -1;
		}
		*mask |= 1u << q;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/* A step of a synthesised sequence. */
struct survey_step {
	enum step_kind	kind;
	int64_t		timeout_ms;
	int		background;
	const char	*arg;		/* NULL: the device's class */
};

/*
 * The sequences as the hand-written scenarios have them (scenarios/i2c-unbind.yaml,
 * i2c-unbind-release.yaml, i2c-poweroff.yaml), without expect-gone: not every class's node goes
 * with its driver (a serial port's stays), and the survey asks what the unbind does, not that.
 */
static const struct survey_step survey_unbind[] = {
	{ STEP_HOLD, 10000, 0, NULL },
	{ STEP_UNBIND, 5000, 0, NULL },		/* a healthy unbind returns at once */
	{ STEP_RELEASE, 10000, 0, NULL },
	{ STEP_BIND, 10000, 0, NULL },
	{ STEP_EXPECT_PRESENT, 10000, 0, NULL },
};
static const struct survey_step survey_unbind_release[] = {
	{ STEP_HOLD, 10000, 0, NULL },
	{ STEP_UNBIND, 20000, 1, NULL },	/* the whole wait, ended by the release */
	{ STEP_SLEEP, 1000, 0, "1s" },		/* long enough for the unbind to block */
	{ STEP_RELEASE, 10000, 0, NULL },
	{ STEP_WAIT, 0, 0, "unbind" },
	{ STEP_BIND, 10000, 0, NULL },
	{ STEP_EXPECT_PRESENT, 10000, 0, NULL },
};
static const struct survey_step survey_poweroff[] = {
	{ STEP_HOLD, 10000, 0, NULL },
	{ STEP_POWEROFF, 40000, 0, "clean" },
};

int
survey_scenario(const struct survey_dev *d, enum survey_seq q, struct scenario *sc)
{
	const struct survey_step *steps;
	size_t i, n;

	memset(sc, 0, sizeof(*sc));
	if (survey_run_name(d, survey_seq_name(q), sc->name, sizeof(sc->name)) == -1)
		return -1;
	switch (q) {
	case SURVEY_SEQ_UNBIND_RELEASE:
		steps = survey_unbind_release;
		n = UTIL_NELEM(survey_unbind_release);
		util_fmt(sc->description, sizeof(sc->description), "survey: hold %s open, unbind %s"
		    " from %s in the background, release while it waits, the unbind returns, bind"
		    " again, %s back", d->node, d->device, d->driver, d->node);
		break;
	case SURVEY_SEQ_POWEROFF:
		steps = survey_poweroff;
		n = UTIL_NELEM(survey_poweroff);
		util_fmt(sc->description, sizeof(sc->description), "survey: hold %s open (%s on %s),"
		    " then shut down cleanly", d->node, d->device, d->driver);
		break;
	default:
		steps = survey_unbind;
		n = UTIL_NELEM(survey_unbind);
		util_fmt(sc->description, sizeof(sc->description), "survey: hold %s open, unbind %s"
		    " from %s, release, bind again, %s back", d->node, d->device, d->driver, d->node);
		break;
	}
	util_strlcpy(sc->classes[0], d->cls, sizeof(sc->classes[0]));
	sc->nclasses = 1;
	for (i = 0; i < n; i++) {
		struct scen_step *st = &sc->steps[i];

		st->kind = steps[i].kind;
		util_strlcpy(st->arg, steps[i].arg ? steps[i].arg : d->cls, sizeof(st->arg));
		st->timeout_ms = steps[i].timeout_ms;
		st->background = steps[i].background;
		util_strlcpy(st->name, step_kind_name(st->kind), sizeof(st->name));
	}
	sc->nsteps = (int)n;
	return 0;
}

/* Classes whose unbind or close can reset the board, and why, as the table says it. */
static const struct { const char *cls, *why; } survey_risky[] = {
	{ "watchdog", "watchdog: unbinding or closing it can reset the board (ask for"
	    " --class watchdog to survey it)" },
};

void
survey_exclude_risky(struct survey *sv, const char *classes)
{
	size_t k;
	int i;

	for (i = 0; i < sv->ndevs; i++) {
		struct survey_dev *d = &sv->devs[i];

		for (k = 0; k < UTIL_NELEM(survey_risky) && !d->excluded[0]; k++)
			if (strcmp(d->cls, survey_risky[k].cls) == 0 && (classes == NULL ||
			    classes[0] == '\0' || !survey_class_selected(classes, d->cls)))
				util_strlcpy(d->excluded, survey_risky[k].why, sizeof(d->excluded));
	}
}
