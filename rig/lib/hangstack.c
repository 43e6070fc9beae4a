/* hangstack: names the function a hung task is stuck in, from /proc/PID/stack or wchan. */
#include "hangstack.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* Frames that say how a task waits, not where: the title names the first frame past them. */
static int
hangstack_is_wait(const char *f)
{
	static const char *prefixes[] = {
		"__switch_to", "__schedule", "schedule", "io_schedule", "preempt_schedule",
		"__wait_for_common", "wait_for_common", "wait_for_completion", "__wait_event",
		"wait_woken", "__mutex_lock", "mutex_lock", "__rt_mutex", "rt_mutex",
		"__down", "down", "rwsem_down", "__rwsem", "msleep", "usleep_range",
		"__flush_work", "flush_work", "do_wait", "__x64_sys", "do_syscall", "entry_",
		"ret_from_fork", "kthread", "__kthread", "__ia32_sys", "vfs_",
	};
	size_t i;

	for (i = 0; i < UTIL_NELEM(prefixes); i++)
		if (strncmp(f, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/*
 * From /proc/PID/stack ("[<0>] i2c_del_adapter+0x1a2/0x230 [i2c_core]") or a wchan name:
 * the function a hung task is stuck in, as syzbot names it.
 */
void
hangstack_frame(const char *stack, const char *wchan, char *frame, size_t len)
{
	const char *p = stack;

	frame[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *s = p, *e;
		char name[128];
		size_t n;

		if (eol == NULL)
			eol = p + strlen(p);
		if ((s = strstr(p, "] ")) != NULL && s < eol)
			s += 2;
		else
			s = p;
		for (e = s; e < eol && *e != '+' && *e != ' ' && *e != '\r'; e++)
			;
		n = (size_t)(e - s);
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, s, n);
			name[n] = '\0';
			if (!hangstack_is_wait(name)) {
				util_strlcpy(frame, name, len);
				return;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	if (wchan && wchan[0] && strcmp(wchan, "0") != 0)
		util_strlcpy(frame, wchan, len);
}

/* Extracts the text after "--NAME\n" up to the next "--" marker line. */
void
hangstack_section(const char *out, const char *name, char *dst, size_t len)
{
	char marker[64];
	const char *p, *end;
	size_t n;

	dst[0] = '\0';
	snprintf(marker, sizeof(marker), "--%s\n", name);
	p = strstr(out, marker);
	if (p == NULL)
		return;
	p += strlen(marker);
	/* The section ends where the next marker line begins (at once, when it is empty). */
	end = strncmp(p, "--", 2) == 0 ? p : strstr(p, "\n--");
	n = end ? (size_t)(end - p) : strlen(p);
	if (n >= len)
		n = len - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
}

