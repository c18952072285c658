/*
 * dot: the call graph in graphviz's DOT language, as `go tool pprof -dot`
 * writes it (pprof's report.printDOT and graph.ComposeDot): the legend box
 * (the report labels), a box per node (short name, flat and cum, font size
 * by flat, colour by cum), the label-set nodelets, an edge per call (width
 * and colour by weight, dotted when residual, "(inline)" when inlined).
 * The graph is trimmed as pprof trims it for visual reports: nodefraction
 * 0.005, edgefraction 0.001, the 80 nodes of the highest entropy score, and
 * residual edges that another path already explains go.
 *
 *   cprof-top --dot out.cprof | dot -Tsvg > graph.svg
 */
#ifndef CPROF_DOT_H
#define CPROF_DOT_H

#include "top.h"

/* Appends the DOT text of p's call graph to out (o->nodecount 0 means
 * pprof's 80). Fails on a bad value index (or a profile without sample
 * types) and on --by stack, which is the top table's. */
int dot_write(const profile *p, const top_opts *o, strbuf *out, cprof_err *err);

/* pprof's ShortenFunctionName: "github.com/x/pkg.Func" -> "pkg.Func",
 * "java.util.Map.get(...)" -> "Map.get", "ns::Class::method" ->
 * "Class::method". Appends to sb. */
void dot_shorten_name(const char *name, strbuf *sb);

#endif
