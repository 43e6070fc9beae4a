/* fuzz_triage: libFuzzer target on the triage entry points, whole and in uneven pieces. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "triage.h"

static void
fuzz_triage_sink(const struct triage_report *r, void *arg)
{
	size_t *sum = arg;

	/* Touch every field so the sanitizers see any bad pointer or unterminated string. */
	*sum += strlen(r->title) + strlen(r->type) + strlen(r->frame) + (size_t)r->corrupted;
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
	return 0;
}
