/*
 * filter: which samples a view shows, as pprof's options choose them.
 *
 *  --focus RE   keep samples with a frame matching RE
 *  --ignore RE  drop samples with a frame matching RE
 *     RE is a POSIX extended regex matched (unanchored, as pprof does)
 *     against each frame's function name, its file name and its mapping's
 *     file; an unsymbolized frame also by its "module+0xoff" name.
 *  --tag KEY=VALUE   keep samples whose labels have KEY equal to VALUE
 *                    (several --tag: all must hold)
 *  --thread TID      keep samples of that thread (raw and perf input)
 *  --process PID     keep samples of that process's threads (raw and perf
 *                    input)
 *  --from/--to T     keep samples with from <= time < to (raw and perf
 *                    input), T relative to the start of the recording.
 *
 * The result is a mask (one bool per sample), the one way filters apply: a
 * view passes it to prof_group_samples (or prof_thread_time_order, or skips
 * masked samples in time order) and can still compute percentages of the
 * whole profile, as pprof does by default; the pprof, HTML and speedscope
 * writers take it too and write the kept samples only. The profile itself
 * is never changed.
 */
#ifndef CPROF_FILTER_H
#define CPROF_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"

#define FILTER_MAX_TAGS 16

typedef struct filter_opts {
	const char *focus, *ignore;      /* regexes or NULL */
	const char *tags[FILTER_MAX_TAGS]; /* "KEY=VALUE" */
	uint32_t ntags;
	bool has_tid;
	int32_t tid;
	bool has_pid;
	int32_t pid;
	bool has_from, has_to;
	int64_t from_ns, to_ns;
} filter_opts;

/* True when any filter is set. */
bool filter_active(const filter_opts *o);

/* Computes the mask of kept samples (p->nsamples entries, caller frees).
 * Errors: a bad regex, a tag without '=', a thread, process or time filter
 * on a profile without threads and timestamps. *kept gets the count if not NULL. */
int filter_mask(const profile *p, const filter_opts *o, bool **mask, size_t *kept, cprof_err *err);


/* Parses a time like "1.5s", "250ms", "40us", "1000ns" or "12" (bare
 * numbers are milliseconds, like cprof-raw's time column). */
int filter_parse_time(const char *s, int64_t *ns, cprof_err *err);

/* Appends pprof's "Active filters:" description lines ("   focus=RE"). */
void filter_describe(const filter_opts *o, strbuf *sb);

#endif
