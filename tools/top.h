/*
 * top: the text reports of cprof-top, computed and printed the way
 * `go tool pprof` prints -top, -peek and -traces, so that the numbers can
 * be compared line by line (pprof's internal/report):
 *
 *   - -top: the nodes of the call graph (graph.h: a node per function,
 *     line, file or address, flat and cum), trimmed as pprof trims it
 *     (nodefraction 0.005, edgefraction 0.001, nodecount), sorted by flat
 *     (or cum) then name; "(inline)" / "(partial-inline)" come from the
 *     in-edges left after trimming;
 *   - -peek RE: the untrimmed graph's nodes matching RE with their callers
 *     and callees (edge weights, percentages of the node's cum);
 *   - -traces: every sample's stack with its value and labels;
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
#include "graph.h"
#include "profile.h"

/* The first four are graph_by's values. */
typedef enum top_by { TOP_FUNCTION, TOP_LINE, TOP_FILE, TOP_ADDRESS, TOP_STACK } top_by;

/* The report: top_write writes the first three, dot_write (dot.h) the
 * call graph, source_list (source.h) the annotated source. */
typedef enum top_report {
	TOP_REPORT_TOP,
	TOP_REPORT_PEEK,
	TOP_REPORT_TRACES,
	TOP_REPORT_DOT,
	TOP_REPORT_LIST
} top_report;

/* "function", "line", "file", "address", "stack" -> *by; -1 if unknown. */
int top_parse_by(const char *s, top_by *by);

typedef struct top_opts {
	top_report report;
	const char *symbol;    /* peek, list: the regex of the functions shown */
	const char *trim_path, *source_path; /* pprof's -trim_path, -source_path */
	top_by by;
	uint32_t value;        /* sample type index; PROF_NONE: p->default_type */
	bool cum_sort;         /* sort by cum instead of flat */
	int nodecount;         /* rows to show; 0: all */
	double node_fraction;  /* drop nodes with cum < this * total; <0: 0.005 */
	double edge_fraction;  /* drop edges below this * total; <0: 0.001 */
	bool no_header;        /* leave out File/Type/Time/Duration */
	bool full_stacks;      /* stack table: keep the frames above main() */
	const bool *mask;      /* samples shown, or NULL for all */
	const filter_opts *filters; /* for the "Active filters:" lines, or NULL */
} top_opts;
#define TOP_OPTS_INIT { .by = TOP_FUNCTION, .value = PROF_NONE, .node_fraction = -1, .edge_fraction = -1 }

/* Appends the report to out. Fails on a bad value index, a bad --peek
 * regex or one that matches no node, --by stack with another report than
 * the top table, and TOP_REPORT_DOT or _LIST (other modules'). */
int top_write(const profile *p, const top_opts *o, strbuf *out, cprof_err *err);

/* The sample type a report shows (o->value, or the profile's default);
 * fails when the profile has none or the index is out of range. */
int top_value_index(const profile *p, const top_opts *o, uint32_t *v, cprof_err *err);

/* pprof's report labels, for the reports built on a graph: the header
 * (top_header, unless o->no_header and not full), the active filters,
 * "Showing nodes accounting for ...", the dropped nodes (and edges) and
 * "Showing top N nodes out of M"; full (dot) adds the how-to-read line. */
void top_labels(const profile *p, const top_opts *o, uint32_t v, const graph *g,
		const graph_trim_result *r, double node_fraction, double edge_fraction,
		const char *out_unit, bool full, strbuf *out);
/* pprof's ProfileLabels: File, Build ID, comments, Type, Time, Duration. */
void top_header(const profile *p, uint32_t v, int64_t total, const char *out_unit, strbuf *sb);
/* The graph of a report, built and trimmed as pprof does for it: trim
 * uses o's fractions (pprof's defaults when < 0) and node count (80 when
 * visual and 0), no trim keeps everything (-peek); visual is the dot
 * graph's mode (tags, entropy order); labels_only says that the report reads
 * edges only for inline labels (graph_trim_opts). *nf and *ef get the
 * fractions used.
 * The caller frees the graph. */
graph *top_report_graph(const profile *p, const top_opts *o, uint32_t v, bool trim, bool visual,
			bool labels_only, graph_trim_result *r, double *nf, double *ef);
/* pprof's selectOutputUnit for the nodes of g (values in unit). */
const char *top_output_unit(const graph *g, const char *unit);

/* pprof's value formatting, exposed for the views and the tests:
 * top_scale picks the output unit for values in `unit` the way pprof's
 * "minimum" mode does from the smallest and largest value; top_format
 * prints v (in `unit`, with `decimals`: prof_value_type) in that output
 * unit ("1.50s", "120ms", "12", "1.50" for a fractional count). */
const char *top_scale(const char *unit, int64_t min_value, int64_t max_value);
void top_format(strbuf *sb, int64_t v, uint32_t decimals, const char *unit, const char *out_unit);
/* pprof's percentage column: "  100%", "41.67%", " 0.5%". */
void top_percent(strbuf *sb, int64_t v, int64_t total);
/* The same without the leading spaces. */
void top_percent_trim(strbuf *sb, int64_t v, int64_t total);

#endif
