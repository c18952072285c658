/*
 * top: the top tables of cprof-top, computed and printed the way
 * `go tool pprof -top` does, so that the numbers can be compared line by
 * line:
 *
 *   - a node per function (or line, file, address): flat = value of the
 *     samples whose leaf frame is the node, cum = value of the samples with
 *     the node anywhere in the stack, counted once per sample even when the
 *     node recurses;
 *   - nodes whose cum is below nodefraction (0.005) of the shown total are
 *     dropped ("Dropped N nodes (cum <= X)"), the rest sorted by flat (or
 *     cum) then name, cut to the first N;
 *   - percentages are of the whole profile's total (pprof's default; the
 *     mask only selects what is shown), values are scaled to one unit
 *     chosen from the smallest and the largest value (ms, s, ...).
 *
 * --by stack is the seed's table instead: one row per distinct stack (root
 * first, ';'-joined like cprof-fold) with every sample type's value. Stacks
 * start at the outermost main() when there is one (the C runtime's start-up
 * frames above it are the same everywhere), unless full_stacks.
 */
#ifndef CPROF_TOP_H
#define CPROF_TOP_H

#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "profile.h"

typedef enum top_by { TOP_FUNCTION, TOP_LINE, TOP_FILE, TOP_ADDRESS, TOP_STACK } top_by;

/* "function", "line", "file", "address", "stack" -> *by; -1 if unknown. */
int top_parse_by(const char *s, top_by *by);

typedef struct top_opts {
	top_by by;
	uint32_t value;        /* sample type index; PROF_NONE: p->default_type */
	bool cum_sort;         /* sort by cum instead of flat */
	int nodecount;         /* rows to show; 0: all */
	double node_fraction;  /* drop nodes with cum < this * total; <0: 0.005 */
	bool no_header;        /* leave out File/Type/Time/Duration */
	bool full_stacks;      /* stack table: keep the frames above main() */
	const bool *mask;      /* samples shown, or NULL for all */
	const filter_opts *filters; /* for the "Active filters:" lines, or NULL */
} top_opts;

/* Appends the table to out. Fails only on a bad value index. */
int top_write(const profile *p, const top_opts *o, strbuf *out, cprof_err *err);

/* pprof's value formatting, exposed for the views and the tests:
 * top_scale picks the output unit for values in `unit` the way pprof's
 * "minimum" mode does from the smallest and largest value; top_format
 * prints v (in `unit`) in that output unit ("1.50s", "120ms", "12"). */
const char *top_scale(const char *unit, int64_t min_value, int64_t max_value);
void top_format(strbuf *sb, int64_t v, const char *unit, const char *out_unit);
/* pprof's percentage column: "  100%", "41.67%", " 0.5%". */
void top_percent(strbuf *sb, int64_t v, int64_t total);

#endif
