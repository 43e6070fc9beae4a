/* hangstack: names the function a hung task is stuck in, from /proc/PID/stack or wchan. */
#ifndef RIG_HANGSTACK_H
#define RIG_HANGSTACK_H

#include <stddef.h>

/*
 * The first frame of a kernel stack ("[<0>] i2c_del_adapter+0x120/0x1b0") that is not a
 * scheduler, wait, lock or completion helper; else wchan; else "". syzbot titles a hang
 * "INFO: task hung in <that frame>".
 */
void hangstack_frame(const char *stack, const char *wchan, char *frame, size_t len);
/* From output holding "--NAME" marker lines: the text of section NAME (trailing space cut). */
void hangstack_section(const char *out, const char *name, char *dst, size_t len);

#endif
