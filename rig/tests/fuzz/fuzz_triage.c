/* fuzz_triage: libFuzzer target on the triage entry points, whole and in uneven pieces. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"

static void
fuzz_triage_sink(const struct triage_report *r, void *arg)
{
	size_t *sum = arg;

	/* Touch every field so the sanitizers see any bad pointer or unterminated string. */
	*sum += strlen(r->title) + strlen(r->type) + strlen(r->frame) + (size_t)r->corrupted +
	    strlen(r->rig_title) + strlen(r->rig_frame);
	if (r->textlen > 0)
		*sum += (unsigned char)r->text[0] + (unsigned char)r->text[r->textlen - 1];
	if (r->start > r->end)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0, i = 0;
	struct triage *t;

	(void)triage_buffer((const char *)data, size, fuzz_triage_sink, &sum);
	/* The same bytes in pieces whose sizes come from the data: state across feeds. */
	if ((t = triage_new(fuzz_triage_sink, &sum)) == NULL)
		return 0;
	while (i < size) {
		size_t n = 1 + data[i] % 97;
		if (n > size - i)
			n = size - i;
		triage_feed(t, (const char *)data + i, n);
		(void)triage_pending(t);
		i += n;
	}
	triage_flush(t);
	triage_free(t);
	/* The same bytes as a hung task's stack the rig's deadline read, and its wchan. */
	char *stack = malloc(size + 1), title[256], rig_title[256];
	if (stack == NULL)
		return 0;
	memcpy(stack, data, size);
	stack[size] = '\0';
	(void)triage_hang_titles(stack, stack, title, sizeof(title), rig_title, sizeof(rig_title));
	if (strlen(title) >= sizeof(title) || strlen(rig_title) >= sizeof(rig_title))
		__builtin_trap();
	free(stack);
	return 0;
}
