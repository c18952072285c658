/* Fuzz target: the perf.data reader (tools/perfdata.c). Inputs go through
 * prof_read_mem; an input detected as another format is rejected (another
 * target covers it). fuzz.h says what is checked. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* -1: not this target's format, keep it out of the corpus */
	const char *fmt = prof_detect_format(data, size);
	if (!fmt || strcmp(fmt, "perf.data") != 0)
		return -1;
	return fuzz_read_and_check(data, size);
}
