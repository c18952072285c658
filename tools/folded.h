/*
 * folded: the "folded stacks" text format of FlameGraph (flamegraph.pl,
 * inferno): one line per stack, frames root first joined by ';', then a
 * space and an integer count:
 *
 *     main;A;C 3
 *
 * Reading: every line becomes one sample with one value of type
 * samples/count; each distinct frame name becomes one function and one
 * location, and stacks are stored leaf first like every stack of the model.
 *
 * Writing (cprof-fold): one line per distinct stack, sorted bytewise, so the
 * same profile always gives the same bytes. A ';' inside a frame name would
 * split the frame, and a newline would split the line, so names are
 * cleaned: ';' becomes ':', a control character (newline, tab, ...) becomes
 * a space, and an empty name becomes "[unknown]". Stacks whose count is
 * zero or negative are left out (flamegraph.pl cannot draw them).
 *
 * A profile read from perf script text is written as stackcollapse-perf.pl
 * writes it (names_perf_folded): process name first, its tidied names and
 * annotations; --threads does not apply there.
 */
#ifndef CPROF_FOLDED_H
#define CPROF_FOLDED_H

#include <stdbool.h>
#include <stddef.h>

#include "names.h"
#include "profile.h"
#include "readopts.h"

/* Parses folded text into an EMPTY profile. Lines flamegraph.pl ignores
 * (no count at the end, no blank before it, no stack) are skipped with one
 * warning through o (NULL: none) naming the first; a file of nothing else
 * fails with "line N: what is wrong", as does a count no int64 holds. Blank
 * lines are skipped. Read as flamegraph.pl
 * reads it: a trailing ';' is dropped, an empty frame ("a;;b") is named
 * "[unknown]", and difffolded.pl's "STACK BEFORE AFTER" lines make a
 * differential profile: samples/count holds AFTER, a second sample type
 * FOLDED_BEFORE/count holds BEFORE (when the first line has two counts;
 * elsewhere a line's last count is its count, as flamegraph.pl draws it). */
#define FOLDED_BEFORE "before"
int folded_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		cprof_err *err);

/* True when the first line looks like folded text: printable, and ends with
 * whitespace and a decimal count after a non-empty stack. */
bool folded_looks_like(const unsigned char *d, size_t n);

typedef struct folded_opts {
	uint32_t value;    /* index into p->sample_types; PROF_NONE: prof_count_value */
	names_opts names;
	bool threads;      /* the thread name as the root frame */
	/* perf script input only (stackcollapse-perf.pl's options) */
	names_root root;   /* the process root frame */
	bool kernel_marks; /* "_[k]" on kernel frames */
	bool jit_marks;    /* "_[j]" on frames of /tmp/perf-PID.map */
	const bool *mask;  /* nsamples entries: which samples count; NULL: all */
} folded_opts;

/* Appends the folded text of p to out. Fails only on a bad value index. */
int folded_write(const profile *p, const folded_opts *o, strbuf *out, cprof_err *err);

#endif
