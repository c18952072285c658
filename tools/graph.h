/*
 * graph: the call graph every pprof-style report is drawn from (the -top
 * table, --peek, --dot), built and trimmed the way pprof's internal/graph
 * and report.newTrimmedGraph do, so that the reports print pprof's numbers:
 *
 *   - a node per function (or line, file, address): its identity is the
 *     frame's key (pprof's NodeInfo), its name pprof's PrintableName;
 *   - per sample with a non-zero value: cum += value once for each distinct
 *     node of the stack, flat += value for the leaf's node, and an edge
 *     caller -> callee (once per sample) whose weight is the value; an edge
 *     is "inline" when every sample through it had the callee inlined into
 *     the caller, "residual" when it jumps over nodes that were dropped;
 *   - label tags: per node, the value of the samples per label set (the
 *     nodelets of the dot graph).
 *
 * A graph is rebuilt from the samples whenever nodes are dropped (keeping a
 * set of node keys), as pprof does: that is how edges turn residual and how
 * inline labels come out after trimming.
 */
#ifndef CPROF_GRAPH_H
#define CPROF_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"

typedef enum graph_by { GRAPH_FUNCTION, GRAPH_LINE, GRAPH_FILE, GRAPH_ADDRESS } graph_by;

/* What a node is (pprof's NodeInfo); strings belong to the graph. */
typedef struct graph_info {
	const char *name;    /* printable name (pprof's PrintableName) */
	const char *func;    /* function name, "" if none */
	const char *file;    /* cleaned source path, "" if none or not shown */
	const char *objfile; /* mapping file, "" if none or not kept */
	int64_t line, start_line;
	uint64_t address;    /* 0 unless by address */
} graph_info;

/* A node's tag: the value of its samples per label set (a label tag), or
 * per value of their numeric "bytes" label (a numeric tag, kept apart per
 * label set as pprof's NumericTags). */
typedef struct graph_tag {
	const char *name;   /* label tag: the sample's "key:value" labels, sorted,
			     * joined by "\n"; numeric: the formatted value */
	const char *labels; /* numeric: the label tag's name it belongs to, or NULL */
	bool numeric;
	int64_t value;      /* numeric: the (first) value */
	int64_t flat, cum;
} graph_tag;

typedef struct graph_edge {
	uint32_t src, dst; /* node indexes */
	int64_t weight;
	bool residual, inline_call, dead;
} graph_edge;

typedef struct graph_node {
	uint32_t key; /* identity (index into the graph's keys) */
	int64_t flat, cum;
	uint32_t *in, *out; /* edge indexes (dead ones included) */
	uint32_t nin, nout, in_alloc, out_alloc;
	graph_tag *tags;
	uint32_t ntags, tags_alloc;
} graph_node;

typedef struct graph_opts {
	graph_by by;
	uint32_t value;    /* sample type index */
	const bool *mask;  /* samples shown, or NULL for all */
	bool obj_names;    /* keep the object file in every node's identity */
	bool tags;         /* collect label and numeric tags */
	/* formats a numeric tag's value (pprof's FormatTag); NULL: decimal */
	void (*format_tag)(strbuf *sb, int64_t v, const char *unit);
	/* Source paths are cleaned (Go's filepath.Clean) after pprof's
	 * trimPath: the first ':'-separated trim_path prefix goes, or without
	 * one the part up to the base name of a source_path directory, or
	 * "/proc/self/cwd/"; keep_paths skips trimPath (pprof's -traces). */
	const char *trim_path, *source_path;
	bool keep_paths;
} graph_opts;

typedef struct graph graph;

/* Indexes the profile's samples for building graphs (the profile must
 * outlive the graph). Never fails. */
graph *graph_new(const profile *p, const graph_opts *o);
void graph_free(graph *g);

/* The nodes and edges of the current build. Node order is the build's
 * until graph_sort. */
graph_node *graph_nodes(const graph *g, uint32_t *n);
graph_edge *graph_edges(const graph *g, uint32_t *n);
const graph_info *graph_node_info(const graph *g, const graph_node *n);
/* The sum of |value| over every sample (pprof's report total: the mask
 * does not change it). */
int64_t graph_total(const graph *g);
/* The unit of the numeric "bytes" tags (the first one a sample gives, else
 * "bytes", as pprof's NumLabelUnits). */
const char *graph_tag_unit(const graph *g);

/* pprof's newTrimmedGraph: the node, edge and count trimming. */
typedef struct graph_trim_opts {
	double node_fraction, edge_fraction; /* of the sum of flat */
	int nodecount;                       /* 0: all */
	bool cum_sort;
	bool visual; /* dot: entropy order, tags count as nodes, redundant edges go */
	/* The report reads edges only for the nodes' inline labels (-top):
	 * when no line of the graph is inlined (no edge can be inline), no
	 * edge is built. */
	bool labels_only;
} graph_trim_opts;

typedef struct graph_trim_result {
	uint32_t orig_count; /* nodes after the node fraction, before the count */
	uint32_t dropped_nodes, dropped_edges;
} graph_trim_result;

/* Builds the graph of every node, trims it, and leaves the nodes sorted. */
void graph_build_trimmed(graph *g, const graph_trim_opts *o, graph_trim_result *r);
/* Builds the whole graph (no trimming), nodes in the order the samples
 * meet them (first group first, each stack from the root). */
void graph_build_all(graph *g);

/* The live in (or out) edges of a node in pprof's edge order: weight
 * descending, then source name, then destination name. Returns the count;
 * *buf is grown as needed (caller frees). */
uint32_t graph_sorted_edges(const graph *g, const graph_node *n, bool out, uint32_t **buf,
			    size_t *alloc);

/* pprof's "(inline)" / "(partial-inline)" label of a node from its live
 * in-edges: "" when none is inline. */
const char *graph_inline_label(const graph *g, const graph_node *n);

/* The key of a frame (pprof's NodeInfo, printable name first, then after a
 * NUL what else the identity holds): appends to sb. Shared with the traces
 * report, which names frames without a graph. */
void graph_frame_key(const profile *p, const prof_frame *f, const graph_opts *o, strbuf *sb);

/* pprof's trimPath (see graph_opts): returns a suffix of path. trim and
 * search may be NULL. */
const char *graph_trim_path(const char *path, const char *trim, const char *search);
/* Go's filepath.Clean of path, appended to sb ("" gives "."). */
void graph_go_clean(strbuf *sb, const char *path);

#endif
