/* hangstack: reads the rig's hang probe output (the frame and titles come from triage_hang_titles). */
#include "hangstack.h"

#include <stdio.h>
#include <string.h>

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

