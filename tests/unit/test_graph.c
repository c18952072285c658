/* Unit tests of graph: pprof's call graph (flat/cum, edges once per sample,
 * inline and residual edges) and its trimming (the rebuild after dropping
 * nodes, the edge fraction deciding "(inline)" vs "(partial-inline)"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

/* A profile from stacks written root first, "main;a;b=c" where "b=c" is one
 * location holding c inlined into b. */
static profile *make(const char *const *stacks, const int64_t *values, size_t n)
{
	profile *p = prof_new();
	prof_value_type t = { "samples", "count" };
	prof_set_sample_types(p, &t, 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t locs[16];
		uint32_t depth = 0;
		char *copy = xstrdup(stacks[i]), *save = NULL;
		for (char *f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
			prof_line lines[4];
			uint32_t nl = 0;
			char *save2 = NULL;
			for (char *l = strtok_r(f, "=", &save2); l; l = strtok_r(NULL, "=", &save2))
				lines[nl++] = (prof_line){ prof_intern_function(p, l, l, "", 0), 0, 0 };
			/* leaf (innermost) first, as pprof stores them */
			for (uint32_t k = 0; k < nl / 2; k++) {
				prof_line x = lines[k];
				lines[k] = lines[nl - 1 - k];
				lines[nl - 1 - k] = x;
			}
			locs[depth] = prof_add_location(p, PROF_NONE, 0x1000 + i * 16 + depth, lines, nl);
			depth++;
		}
		free(copy);
		uint32_t leaf_first[16];
		for (uint32_t k = 0; k < depth; k++)
			leaf_first[k] = locs[depth - 1 - k];
		prof_add_sample(p, prof_intern_stack(p, leaf_first, depth), 0, &values[i], -1, -1, 0);
	}
	return p;
}

static const graph_node *node(const graph *g, const char *name)
{
	uint32_t n;
	const graph_node *nodes = graph_nodes(g, &n);
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(graph_node_info(g, &nodes[i])->name, name))
			return &nodes[i];
	return NULL;
}

static const graph_edge *edge(const graph *g, const char *from, const char *to)
{
	uint32_t ne;
	const graph_edge *edges = graph_edges(g, &ne);
	const graph_node *nodes = graph_nodes(g, &(uint32_t){ 0 });
	for (uint32_t i = 0; i < ne; i++)
		if (!edges[i].dead && !strcmp(graph_node_info(g, &nodes[edges[i].src])->name, from) &&
		    !strcmp(graph_node_info(g, &nodes[edges[i].dst])->name, to))
			return &edges[i];
	return NULL;
}

static void test_flat_cum_edges(void **state)
{
	(void)state;
	static const char *const s[] = { "main;f;f;g", "main;f", "main;h=f" };
	static const int64_t v[] = { 4, 2, 1 };
	profile *p = make(s, v, 3);
	graph_opts o = { GRAPH_FUNCTION, 0, NULL, false, false };
	graph *g = graph_new(p, &o);
	graph_build_all(g);
	assert_int_equal(graph_total(g), 7);
	assert_int_equal(node(g, "f")->cum, 7); /* recursion counts once */
	assert_int_equal(node(g, "f")->flat, 3);
	assert_int_equal(node(g, "g")->flat, 4);
	assert_int_equal(edge(g, "main", "f")->weight, 6);
	assert_false(edge(g, "main", "f")->inline_call);
	assert_int_equal(edge(g, "f", "g")->weight, 4);
	assert_null(edge(g, "f", "f")); /* no self edges */
	assert_true(edge(g, "h", "f")->inline_call);
	assert_string_equal(graph_inline_label(g, node(g, "f")), "(partial-inline)");
	assert_string_equal(graph_inline_label(g, node(g, "g")), "");
	graph_free(g);
	prof_free(p);
}

static void test_trim_rebuild_residual_inline(void **state)
{
	(void)state;
	/* x is inlined into a (heavy) and called from b (light); d is light
	 * and lies between main and y */
	static const char *const s[] = { "main;a=x", "main;b;x", "main;d;y", "main;y" };
	static const int64_t v[] = { 1000, 1, 2, 997 };
	profile *p = make(s, v, 4);
	graph_opts o = { GRAPH_FUNCTION, 0, NULL, false, false };
	graph *g = graph_new(p, &o);
	graph_trim_opts t = { 0.005, 0.001, 0, false, false };
	graph_trim_result r;
	graph_build_trimmed(g, &t, &r);
	/* cutoff 10: b (1) and d (2) go, the graph is rebuilt without them */
	assert_int_equal(r.dropped_nodes, 2);
	assert_null(node(g, "b"));
	assert_null(node(g, "d"));
	const graph_edge *e = edge(g, "main", "y");
	assert_non_null(e);
	assert_true(e->residual); /* one sample went through d */
	assert_int_equal(e->weight, 999);
	/* main -> x (weight 1, residual through b) falls under the edge cutoff
	 * (2): only the inline edge a -> x is left */
	assert_string_equal(graph_inline_label(g, node(g, "x")), "(inline)");
	uint32_t n;
	const graph_node *nodes = graph_nodes(g, &n);
	assert_string_equal(graph_node_info(g, &nodes[0])->name, "x"); /* flat order */
	graph_free(g);

	/* without trimming x is partly inlined */
	g = graph_new(p, &o);
	graph_trim_opts none = { 0, 0, 0, false, false };
	graph_build_trimmed(g, &none, &r);
	assert_string_equal(graph_inline_label(g, node(g, "x")), "(partial-inline)");
	assert_int_equal(r.dropped_nodes, 0);
	graph_free(g);
	prof_free(p);
}

static void test_nodecount_keeps_top(void **state)
{
	(void)state;
	static const char *const s[] = { "main;a", "main;b", "main;c" };
	static const int64_t v[] = { 5, 3, 2 };
	profile *p = make(s, v, 3);
	graph_opts o = { GRAPH_FUNCTION, 0, NULL, false, false };
	graph *g = graph_new(p, &o);
	graph_trim_opts t = { 0, 0, 2, true, false };
	graph_trim_result r;
	graph_build_trimmed(g, &t, &r);
	uint32_t n;
	const graph_node *nodes = graph_nodes(g, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r.orig_count, 4);
	assert_string_equal(graph_node_info(g, &nodes[0])->name, "main"); /* cum order */
	assert_string_equal(graph_node_info(g, &nodes[1])->name, "a");
	assert_int_equal(nodes[0].cum, 10);
	graph_free(g);
	prof_free(p);
}

static void clean_is(const char *path, const char *want)
{
	strbuf sb = STRBUF_INIT;
	graph_go_clean(&sb, path);
	assert_string_equal(sb.buf, want);
	sb_release(&sb);
}

static void test_paths_like_go(void **state)
{
	(void)state;
	/* Go's filepath.Clean (cases from its path_test.go) */
	clean_is("", ".");
	clean_is("/", "/");
	clean_is("a//c", "a/c");
	clean_is("a/c/.", "a/c");
	clean_is("a/c/b/..", "a/c");
	clean_is("/../a/c", "/a/c");
	clean_is("../../a", "../../a");
	clean_is("a/../../b", "../b");
	clean_is("abc/./../def", "def");
	clean_is("./", ".");
	clean_is("/abc/def/", "/abc/def");
	/* pprof's trimPath: a configured prefix, the base name of a search
	 * directory, /proc/self/cwd */
	assert_string_equal(graph_trim_path("/build/proj/src/a.c", "/x:/build/proj", NULL), "src/a.c");
	assert_string_equal(graph_trim_path("/build/proj/src/a.c", "/build/proj/", NULL), "src/a.c");
	assert_string_equal(graph_trim_path("/build/projx/a.c", "/build/proj", NULL), "/build/projx/a.c");
	assert_string_equal(graph_trim_path("/remote/proj/src/a.c", NULL, "/home/me/proj"), "src/a.c");
	assert_string_equal(graph_trim_path("/remote/proj/src/a.c", "/y", "/home/me/proj"),
			    "/remote/proj/src/a.c");
	assert_string_equal(graph_trim_path("/proc/self/cwd/./a.c", NULL, NULL), "a.c");
	assert_string_equal(graph_trim_path("/proc/self/cwd/a.c", NULL, NULL), "a.c");
}

/* The nodes and edges of g as text, in node order. */
static void graph_text(const graph *g, strbuf *sb)
{
	uint32_t n, ne;
	const graph_node *nodes = graph_nodes(g, &n);
	const graph_edge *edges = graph_edges(g, &ne);
	sb_reset(sb);
	for (uint32_t i = 0; i < n; i++)
		sb_addf(sb, "%s %lld %lld\n", graph_node_info(g, &nodes[i])->name,
			(long long)nodes[i].flat, (long long)nodes[i].cum);
	for (uint32_t i = 0; i < ne; i++)
		if (!edges[i].dead)
			sb_addf(sb, "%s -> %s %lld%s\n", graph_node_info(g, &nodes[edges[i].src])->name,
				graph_node_info(g, &nodes[edges[i].dst])->name,
				(long long)edges[i].weight, edges[i].inline_call ? " inline" : "");
}

/* A recursion through one location (the same location index again and
 * again, as a converter that interns locations makes it) gives the graph
 * of the same recursion through distinct locations: a run of one location
 * counts once and makes no edge to itself; an inlined location repeated
 * still makes its edges both ways. */
static void test_recursion_one_location(void **state)
{
	(void)state;
	static const char *const s[] = { "main;f;f;f;g", "main;f;f", "main;h=f;h=f;g", "main;g;f;f" };
	static const int64_t v[] = { 4, 2, 1, 3 };
	profile *distinct = make(s, v, 4);
	profile *p = prof_new();
	prof_value_type t = { "samples", "count" };
	prof_set_sample_types(p, &t, 1);
	uint32_t fn[4];
	const char *names[] = { "main", "f", "g", "h" };
	uint32_t loc[5];
	for (int i = 0; i < 4; i++) {
		fn[i] = prof_intern_function(p, names[i], names[i], "", 0);
		loc[i] = prof_add_location(p, PROF_NONE, 0x100 + (uint64_t)i,
					   &(prof_line){ fn[i], 0, 0 }, 1);
	}
	prof_line hf[2] = { { fn[1], 0, 0 }, { fn[3], 0, 0 } }; /* f inlined into h */
	loc[4] = prof_add_location(p, PROF_NONE, 0x200, hf, 2);
	/* leaf first: the stacks of s */
	const uint32_t st[4][5] = { { loc[2], loc[1], loc[1], loc[1], loc[0] },
				    { loc[1], loc[1], loc[0] },
				    { loc[2], loc[4], loc[4], loc[0] },
				    { loc[1], loc[1], loc[2], loc[0] } };
	const uint32_t depth[4] = { 5, 3, 4, 4 };
	for (int i = 0; i < 4; i++)
		prof_add_sample(p, prof_intern_stack(p, st[i], depth[i]), 0, &v[i], -1, -1, 0);
	graph_opts o = { GRAPH_FUNCTION, 0, NULL, false, false };
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	for (int trimmed = 0; trimmed < 2; trimmed++) {
		graph *ga = graph_new(distinct, &o), *gb = graph_new(p, &o);
		if (trimmed) {
			graph_trim_opts to = { 0.2, 0.001, 2, false, false, false };
			graph_trim_result r;
			graph_build_trimmed(ga, &to, &r);
			graph_build_trimmed(gb, &to, &r);
		} else {
			graph_build_all(ga);
			graph_build_all(gb);
		}
		graph_text(ga, &a);
		graph_text(gb, &b);
		assert_string_equal(b.buf, a.buf);
		if (!trimmed) { /* the inlined location twice: edges both ways */
			assert_non_null(strstr(a.buf, "h -> f 1 inline\n"));
			assert_non_null(strstr(a.buf, "f -> h 1\n"));
			assert_non_null(strstr(a.buf, "f 5 10\n")); /* cum once per sample */
		}
		graph_free(ga);
		graph_free(gb);
	}
	sb_release(&a);
	sb_release(&b);
	prof_free(distinct);
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_cum_edges),
		cmocka_unit_test(test_trim_rebuild_residual_inline),
		cmocka_unit_test(test_nodecount_keeps_top),
		cmocka_unit_test(test_paths_like_go),
		cmocka_unit_test(test_recursion_one_location),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
