/*
 * timeline: the raw view's picture (cprof-raw --timeline). Per thread, one
 * column per sample in time order, showing the stack as it was at that
 * moment: the root row first, callees below, each column as wide as its
 * longest name:
 *
 *   thread 1234 (abc): 12 samples, 10.000 .. 120.000 ms
 *     main main main main
 *     A    B    A    B
 *     C         C
 *
 * Frames every column shares at the root (_start, __libc_start_main, ...)
 * are folded into one note line, keeping the deepest shared one, so the
 * rows show where the samples differ. Blocks of columns wrap at `width`.
 * A thread with more samples than max_columns merges runs of identical
 * consecutive stacks into one column topped by a "xN" count, and if that is
 * still too wide shows the first max_columns columns and says so.
 */
#ifndef CPROF_TIMELINE_H
#define CPROF_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "names.h"
#include "profile.h"

typedef struct timeline_opts {
	const bool *mask;     /* nsamples entries, samples to draw; NULL: all */
	uint32_t width;       /* wrap blocks at this many characters; 0: 100 */
	uint32_t max_columns; /* per thread; 0: 200 */
	bool locations;       /* frames as module+0xoff, one per location */
	names_opts names;     /* else the frames' decorations (names.h) */
} timeline_opts;

/* Appends the timeline of p's samples (in model order, which is time order
 * for raw input) to out. */
void timeline_write(const profile *p, const timeline_opts *o, strbuf *out);

#endif
