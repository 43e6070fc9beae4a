/* hangstack: reads the rig's hang probe output; the frame it names comes from triage's one chooser. */
#ifndef RIG_HANGSTACK_H
#define RIG_HANGSTACK_H

#include <stddef.h>

/*
 * The frame the rig's policy charges a hung task to (triage_hang_frames' rig_frame): the first
 * frame of a kernel stack ("[<0>] i2c_del_adapter+0x120/0x1b0") that is not a scheduler, wait,
 * lock or completion helper; else wchan; else "". Kept for callers of the old chooser: new code
 * calls triage_hang_titles, which also gives the syzbot title a crash group is keyed by.
 */
void hangstack_frame(const char *stack, const char *wchan, char *frame, size_t len);
/* From output holding "--NAME" marker lines: the text of section NAME (trailing space cut). */
void hangstack_section(const char *out, const char *name, char *dst, size_t len);

#endif
