/* hangstack: reads the rig's hang probe output ("--NAME" sections); triage titles what it read. */
#ifndef RIG_HANGSTACK_H
#define RIG_HANGSTACK_H

#include <stddef.h>

/* From output holding "--NAME" marker lines: the text of section NAME (trailing space cut). */
void hangstack_section(const char *out, const char *name, char *dst, size_t len);

#endif
