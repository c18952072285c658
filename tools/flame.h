/*
 * flame: the flame-graph tree and its interactive SVG.
 *
 * The tree is what flamegraph.pl builds from folded text: one node per
 * distinct path of frame names from the root, each with the total value of
 * the samples through it and the value of those that end in it. Children
 * are sorted by name (so layout equals flamegraph.pl's), except in a flame
 * chart, where they stay in time order and only consecutive samples with
 * the same path share a node. A second ("base") value per node makes the
 * differential graph. Frames are named by the names module.
 *
 * The SVG is stand-alone: frames are grouped per depth (one translate per
 * level, no per-frame y), colors are CSS classes drawn from a small table
 * per palette (no per-frame style), each frame carries its offset and value
 * in sample units (o, v attributes) so the embedded script can zoom, search
 * and fill the info bar without any data outside the file. Frames narrower
 * than --minwidth pixels are left out, but their values stay counted in
 * their parents. Names are XML-escaped; the output is deterministic.
 */
#ifndef CPROF_FLAME_H
#define CPROF_FLAME_H

#include <stdbool.h>
#include <stdint.h>

#include "names.h"
#include "profile.h"

/* ---- the tree ------------------------------------------------------------- */
typedef struct flame_node {
	uint32_t name;     /* id in tree->names */
	uint32_t module;   /* id in tree->names of the module (palette "module") */
	uint32_t parent;   /* PROF_NONE for the root */
	uint32_t first_child, last_child, next_sibling; /* PROF_NONE when none */
	uint32_t depth;    /* root = 0 */
	int64_t total;     /* value of the samples through this node */
	int64_t self;      /* value of the samples that end here */
	int64_t base;      /* differential: the base profile's total here */
} flame_node;

typedef struct flame_tree {
	flame_node *nodes; /* nodes[0] is the root, "all" */
	uint32_t nnodes;
	names_table *names;
	uint32_t max_depth;
	bool chart;        /* flame chart: children in time order */
	struct fl_index *index; /* private: (parent, name) -> child */
	size_t alloc;
} flame_tree;

/* A tree with just the root; chart selects flame-chart merging. */
flame_tree *flame_tree_new(bool chart);
void flame_tree_free(flame_tree *t);

/* Adds a path of name ids (root first, without the root) with value; base
 * adds to the node's base value instead (differential graphs). */
void flame_tree_add(flame_tree *t, const uint32_t *names, const uint32_t *modules, uint32_t depth,
		    int64_t value, bool base);

typedef struct flame_build_opts {
	uint32_t value;     /* sample type index; PROF_NONE: prof_count_value */
	names_opts names; /* --lines, --addrs, --inline */
	bool threads;       /* thread name as the root frame */
	bool reverse;       /* leaf first: flamegraph.pl's --reverse */
	const bool *mask;   /* samples to include, or NULL */
	bool base;          /* add as the base profile of a differential graph */
	bool modules;       /* fill node modules (palette "module"); else module = name */
	/* Drop nodes whose total stays below this (their value stays counted in
	 * their parents): what the SVG would prune anyway, never built. Applies
	 * to the first profile added to an empty tree (not a chart). 0: keep all. */
	int64_t prune_below;
} flame_build_opts;

#define FLAME_BUILD_OPTS_INIT { PROF_NONE, { false, false, false }, false, false, NULL, false, false, 0 }

/* Adds the samples of p. In a chart tree samples are taken in time order
 * (per thread first with o->threads). Fails only on a bad value index. */
int flame_tree_add_profile(flame_tree *t, const profile *p, const flame_build_opts *o, cprof_err *err);

/* Sorts children by name (not in a chart; a tree that only the sorted build
 * made has them in order already). Depths are set as nodes are added. Call
 * once after the last add and before drawing. */
void flame_tree_finish(flame_tree *t);

/* ---- the SVG ---------------------------------------------------------------- */
typedef enum flame_palette { FLAME_HOT, FLAME_MEM, FLAME_IO, FLAME_MODULE } flame_palette;

/* "hot", "mem", "io", "module" -> palette; -1 if unknown. */
int flame_palette_parse(const char *s);

typedef struct flame_svg_opts {
	const char *title;    /* NULL: "Flame Graph" / "Flame Chart" / "Differential Flame Graph" */
	const char *subtitle; /* a second line under the title, or NULL */
	int width;            /* pixels (flamegraph.pl's default: 1200) */
	double minwidth;      /* pixels; frames narrower are left out (default 0.1) */
	flame_palette palette;
	bool inverted;        /* icicle: the root on top */
	bool diff;            /* color by (total - scaled base): red grew, blue shrank */
	const char *unit;     /* the values' unit, e.g. "count", "nanoseconds" */
	const char *countname;/* what one count is called, e.g. "samples" */
	uint32_t decimals;    /* the values' decimals (prof_value_type) */
	/* Receives the output whenever it has grown past about 1 MiB and must
	 * empty it (sb_reset), so that a large SVG never sits in memory whole;
	 * NULL: everything stays in out. */
	void (*flush)(void *ctx, strbuf *out);
	void *flush_ctx;
} flame_svg_opts;

#define FLAME_SVG_OPTS_INIT { NULL, NULL, 1200, 0.1, FLAME_HOT, false, false, NULL, NULL, 0, NULL, NULL }

/* Appends the SVG to out (handing full buffers to o->flush). */
int flame_svg_write(const flame_tree *t, const flame_svg_opts *o, strbuf *out, cprof_err *err);

/* ---- the whole graph ---------------------------------------------------------- */
/* A differential graph's base profile (cprof-flame --diff BASE): the samples
 * mask keeps (NULL: all), valued by sample type value (PROF_NONE: its
 * prof_count_value). */
typedef struct flame_base {
	const profile *p;
	const bool *mask;
	uint32_t value;
} flame_base;

/* The graph cprof-flame draws, appended to out: p's samples (b: value,
 * names, threads, reverse, mask) as a flame graph, or a flame chart when
 * chart, drawn with s. The graph is differential when base is given or,
 * otherwise, when p is difffolded.pl's two-count folded text (its
 * FOLDED_BEFORE counts are the base, under the same mask); else what the
 * SVG leaves out is never built (prune_below). The drawing's unit,
 * count name and decimals are those of p's value; "module" colors fill the
 * nodes' modules. Fails on a bad value index (the base's says so) or a
 * chart with a base. */
int flame_graph_write(const profile *p, const flame_build_opts *b, bool chart,
		      const flame_base *base, const flame_svg_opts *s, strbuf *out, cprof_err *err);

#endif
