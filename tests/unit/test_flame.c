/* Unit tests of flame: the tree (totals, sorted children, flame-chart merging, reverse,
 * diff), and the SVG (pruning keeps totals, escaping, determinism, compactness). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "folded.h"

static profile *read_text(const char *text)
{
	profile *p = prof_new();
	cprof_err err = { { 0 } };
	if (folded_read(p, (const unsigned char *)text, strlen(text), NULL, &err) < 0)
		fail_msg("folded_read: %s", err.msg);
	return p;
}

static flame_tree *tree_of(const char *text, bool chart, bool reverse)
{
	profile *p = read_text(text);
	flame_tree *t = flame_tree_new(chart);
	flame_build_opts o = FLAME_BUILD_OPTS_INIT;
	o.reverse = reverse;
	cprof_err err;
	assert_int_equal(flame_tree_add_profile(t, p, &o, &err), 0);
	flame_tree_finish(t);
	prof_free(p);
	return t;
}

/* Preorder "name:total/self" list of the tree. */
static void dump(const flame_tree *t, uint32_t id, strbuf *sb)
{
	const flame_node *n = &t->nodes[id];
	sb_addf(sb, "%s%s:%lld/%lld", sb->len ? " " : "", names_get(t->names, n->name),
		(long long)n->total, (long long)n->self);
	for (uint32_t c = n->first_child; c != PROF_NONE; c = t->nodes[c].next_sibling)
		dump(t, c, sb);
}

static void tree_is(const flame_tree *t, const char *want)
{
	strbuf sb = STRBUF_INIT;
	dump(t, 0, &sb);
	assert_string_equal(sb.buf, want);
	sb_release(&sb);
}

static void test_tree_totals_and_order(void **state)
{
	(void)state;
	flame_tree *t = tree_of("main;B 4\nmain;A 5\nmain;A;C 3\nmain;A 1\n", false, false);
	tree_is(t, "all:13/0 main:13/0 A:9/6 C:3/3 B:4/4");
	assert_int_equal(t->max_depth, 3);
	flame_tree_free(t);
	t = tree_of("main;B 4\nmain;A 5\nmain;A;C 3\n", false, true);
	tree_is(t, "all:12/0 A:5/0 main:5/5 B:4/0 main:4/4 C:3/0 A:3/0 main:3/3");
	flame_tree_free(t);
}

static void test_chart_merges_only_neighbours(void **state)
{
	(void)state;
	/* folded input has no times: samples stay in line order */
	flame_tree *t = tree_of("main;A 1\nmain;A 1\nmain;B 1\nmain;A 1\n", true, false);
	tree_is(t, "all:4/0 main:4/0 A:2/2 B:1/1 A:1/1");
	flame_tree_free(t);
}

static char *svg(const flame_tree *t, const flame_svg_opts *o)
{
	strbuf sb = STRBUF_INIT;
	cprof_err err;
	assert_int_equal(flame_svg_write(t, o, &sb, &err), 0);
	return sb_detach(&sb, NULL);
}

/* The SVG options of a samples/count profile. */
static flame_svg_opts count_opts(void)
{
	flame_svg_opts o = FLAME_SVG_OPTS_INIT;
	o.unit = "count";
	o.countname = "samples";
	return o;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *c = s; (c = strstr(c, what)); c += strlen(what))
		n++;
	return n;
}

static void test_svg_prunes_but_keeps_totals(void **state)
{
	(void)state;
	strbuf in = STRBUF_INIT;
	sb_adds(&in, "main;big 100000\n");
	for (int i = 0; i < 50; i++)
		sb_addf(&in, "main;small%02d 1\n", i);
	flame_tree *t = tree_of(in.buf, false, false);
	flame_svg_opts o = count_opts();
	char *s = svg(t, &o);
	/* 1 sample of 100050 is 0.012 px wide at 1200 px: pruned; main keeps all */
	assert_int_equal(count(s, "<g class=\"f\""), 3);
	assert_non_null(strstr(s, "v=\"100050\"><title>main (100,050 samples, 100.00%)</title>"));
	assert_non_null(strstr(s, "<title>all (100,050 samples, 100%)</title>"));
	assert_null(strstr(s, "small"));
	free(s);
	o.minwidth = 0;
	s = svg(t, &o);
	assert_int_equal(count(s, "<g class=\"f\""), 53);
	/* compact: no per-frame style, one class per rect */
	assert_int_equal(count(s, "style=\"fill"), 0);
	assert_int_equal(count(s, "<rect x="), 53);
	free(s);
	flame_tree_free(t);
	sb_release(&in);
}

/* dump() of the nodes of t at least `at` wide (and under such nodes). */
static void dump_wide(const flame_tree *t, uint32_t id, int64_t at, strbuf *sb)
{
	const flame_node *n = &t->nodes[id];
	sb_addf(sb, "%s%s:%lld/%lld", sb->len ? " " : "", names_get(t->names, n->name),
		(long long)n->total, (long long)n->self);
	for (uint32_t c = n->first_child; c != PROF_NONE; c = t->nodes[c].next_sibling)
		if (t->nodes[c].total >= at)
			dump_wide(t, c, at, sb);
}

/* The build that prunes as it goes (frames under prune_below never
 * built; a wide and flat profile's narrow names never even sorted) makes
 * the full tree's wide part: the same nodes, totals and selfs, with or
 * without module names. */
static void test_pruned_build_is_the_wide_part(void **state)
{
	(void)state;
	strbuf in = STRBUF_INIT;
	for (int i = 0; i < 400; i++) /* narrow leaves, under main and under hot */
		sb_addf(&in, "main;leaf%03d %d\nmain;hot;x%03d 1\n", i, 1 + i % 3, i);
	sb_adds(&in, "main;hot 900\nmain;hot;deep;er 700\nmain;rare;hot 2\nmain;rare;hot;deep 1\n");
	sb_adds(&in, "ns::a;ns::b 300\n;main 5\n");
	profile *p = read_text(in.buf);
	for (int modules = 0; modules < 2; modules++) {
		for (int64_t at = 1; at <= 1000; at *= 4) {
			flame_build_opts o = FLAME_BUILD_OPTS_INIT;
			o.modules = modules;
			cprof_err err;
			flame_tree *full = flame_tree_new(false), *pruned = flame_tree_new(false);
			assert_int_equal(flame_tree_add_profile(full, p, &o, &err), 0);
			o.prune_below = at;
			assert_int_equal(flame_tree_add_profile(pruned, p, &o, &err), 0);
			strbuf a = STRBUF_INIT, b = STRBUF_INIT;
			dump_wide(full, 0, at, &a);
			dump(pruned, 0, &b);
			assert_string_equal(b.buf, a.buf);
			for (uint32_t i = 0; modules && i < pruned->nnodes; i++)
				assert_string_equal(names_get(pruned->names, pruned->nodes[i].module),
						    !strncmp(names_get(pruned->names, pruned->nodes[i].name), "ns::", 4)
							    ? "ns"
							    : names_get(pruned->names, pruned->nodes[i].name));
			sb_release(&a);
			sb_release(&b);
			flame_tree_free(full);
			flame_tree_free(pruned);
		}
	}
	prof_free(p);
	sb_release(&in);
}

/* The sorted build (a radix sort of the stacks that builds the tree as it
 * goes, skipping runs too narrow to draw) against the tree grown one stack
 * at a time by hash lookups: the same nodes, totals and selfs, for stacks
 * in any order, repeated, sharing long prefixes (a 60-deep chain) or
 * ending inside another. */
static void test_sorted_build_is_the_hashed_tree(void **state)
{
	(void)state;
	static const char *const pool[] = { "a", "b", "main", "ab", "B", "r", "x y", "\xc3\xbc", "r2" };
	uint64_t x = 12345;
	strbuf in = STRBUF_INIT;
	flame_tree *ref = flame_tree_new(false);
	uint32_t ids[80];
	for (int line = 0; line < 600; line++) {
		size_t off = in.len;
		uint32_t d = 0;
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if ((x >> 60) < 3) /* a long chain, then a few names */
			for (; d < 60; d++)
				sb_adds(&in, d ? ";r" : "r");
		uint32_t more = (uint32_t)(x >> 33) % 7;
		for (uint32_t k = 0; k < more; k++, d++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			sb_addf(&in, "%s%s", d ? ";" : "", pool[(x >> 40) % ARRAY_SIZE(pool)]);
		}
		if (!d)
			sb_adds(&in, "main"), d = 1;
		/* the reference: the names of this line, one by one */
		const char *f = in.buf + off;
		for (uint32_t k = 0; k < d; k++) {
			size_t n = strcspn(f, ";");
			ids[k] = names_intern(ref->names, f, n);
			f += n + (f[n] == ';');
		}
		int64_t v = 1 + (int64_t)((x >> 20) % 50);
		flame_tree_add(ref, ids, NULL, d, v, false);
		sb_addf(&in, " %lld\n", (long long)v);
	}
	flame_tree_finish(ref);
	profile *p = read_text(in.buf);
	for (int64_t at = 0; at <= 3000; at = at ? at * 3 : 1) {
		flame_build_opts o = FLAME_BUILD_OPTS_INIT;
		o.prune_below = at;
		cprof_err err;
		flame_tree *t = flame_tree_new(false);
		assert_int_equal(flame_tree_add_profile(t, p, &o, &err), 0);
		strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		dump_wide(ref, 0, at, &a);
		dump(t, 0, &b);
		assert_string_equal(b.buf, a.buf);
		sb_release(&a);
		sb_release(&b);
		flame_tree_free(t);
	}
	flame_tree_free(ref);
	prof_free(p);
	sb_release(&in);
}

/* Two 70-deep stacks that part at depth k (the build compares their
 * names 8 at a time while they agree): the tree splits there, for every k. */
static void test_sorted_build_parts_long_stacks_anywhere(void **state)
{
	(void)state;
	for (uint32_t k = 0; k < 70; k++) {
		strbuf in = STRBUF_INIT;
		for (int s = 0; s < 2; s++) {
			sb_adds(&in, "m");
			for (uint32_t d = 0; d < 70; d++)
				sb_adds(&in, s && d == k ? ";b" : ";r");
			sb_adds(&in, " 1\n");
		}
		flame_tree *t = tree_of(in.buf, false, false);
		assert_int_equal(t->nnodes, 2 + k + 2 * (70 - k)); /* root, m, the shared r, two branches */
		flame_tree_free(t);
		sb_release(&in);
	}
}

/* The sorted build reads deep stacks (64 frames or more on average) of the
 * model in place, through their locations' names: two locations of one
 * function are one name, so stacks whose locations differ where their
 * names agree share the nodes (from the root, and from the leaf with
 * reverse), as in the tree built a stack at a time from the names; also
 * with frames too narrow to draw left out (and names cut from the stacks
 * before the sort). */
static void test_sorted_build_compares_names_not_locations(void **state)
{
	(void)state;
	for (int rev = 0; rev < 2; rev++) {
		profile *p = prof_new();
		prof_value_type vt = { "samples", "count" };
		prof_set_sample_types(p, &vt, 1);
		flame_tree *ref = flame_tree_new(false), *refm = flame_tree_new(false);
		bool mask[60]; /* the build names all locations, or with a mask those of the stacks shown */
		uint32_t loc[2][2], nid[2];
		for (uint32_t f = 0; f < 2; f++) {
			const char *nm = f ? "s" : "r";
			prof_line l = { prof_intern_function(p, nm, nm, "", 0), 0, 0 };
			for (uint32_t a = 0; a < 2; a++)
				loc[f][a] = prof_add_location(p, PROF_NONE, 0x1000 + 16 * (2 * f + a), &l, 1);
			nid[f] = names_intern(ref->names, nm, 1);
			names_intern(refm->names, nm, 1);
		}
		uint64_t x = 777;
		for (int i = 0; i < 60; i++) {
			uint32_t leaf_first[70], ids[70];
			for (uint32_t k = 0; k < 70; k++) { /* k from the root */
				x = x * 6364136223846793005ull + 1442695040888963407ull;
				uint32_t f = k >= 20 && (x >> 60) < 4 ? 1 : 0, a = (uint32_t)(x >> 50) & 1;
				leaf_first[69 - k] = loc[f][a];
				ids[rev ? 69 - k : k] = nid[f];
			}
			char leaf[16]; /* a leaf of its own: many names, some too narrow to draw */
			snprintf(leaf, sizeof(leaf), "l%d", i);
			prof_line l = { prof_intern_function(p, leaf, leaf, "", 0), 0, 0 };
			leaf_first[0] = prof_add_location(p, PROF_NONE, 0x2000 + 16 * (uint64_t)i, &l, 1);
			ids[rev ? 0 : 69] = names_intern(ref->names, leaf, strlen(leaf));
			int64_t v = 1 + i % 5;
			prof_add_sample(p, prof_intern_stack(p, leaf_first, 70), 0, &v, -1, -1, 0);
			flame_tree_add(ref, ids, NULL, 70, v, false);
			mask[i] = i % 3 != 0;
			if (mask[i]) { /* the same names, ids of refm's own */
				for (uint32_t k = 0; k < 70; k++) {
					const char *nm = names_get(ref->names, ids[k]);
					ids[k] = names_intern(refm->names, nm, strlen(nm));
				}
				flame_tree_add(refm, ids, NULL, 70, v, false);
			}
		}
		flame_tree_finish(ref);
		flame_tree_finish(refm);
		for (int64_t at = 0; at <= 300; at = at ? at * 3 : 1) {
			for (int masked = 0; masked < 2; masked++) {
				flame_tree *t = flame_tree_new(false);
				flame_build_opts o = FLAME_BUILD_OPTS_INIT;
				o.reverse = rev;
				o.prune_below = at;
				o.mask = masked ? mask : NULL;
				cprof_err err;
				assert_int_equal(flame_tree_add_profile(t, p, &o, &err), 0);
				flame_tree_finish(t);
				strbuf a = STRBUF_INIT, b = STRBUF_INIT;
				dump_wide(masked ? refm : ref, 0, at, &a);
				dump(t, 0, &b);
				assert_string_equal(b.buf, a.buf);
				if (!rev && !at) /* one r */
					assert_int_equal(t->nodes[t->nodes[0].first_child].next_sibling, PROF_NONE);
				sb_release(&a);
				sb_release(&b);
				flame_tree_free(t);
			}
		}
		flame_tree_free(ref);
		flame_tree_free(refm);
		prof_free(p);
	}
}

static void test_svg_escapes_names(void **state)
{
	(void)state;
	flame_tree *t = tree_of("main;<script>alert(1)</script> 3\nmain;a&b\"c'd 2\n", false, false);
	flame_svg_opts o = FLAME_SVG_OPTS_INIT;
	o.title = "<b>&";
	o.subtitle = "x\"y";
	o.unit = "</script>";
	o.countname = "]]>";
	char *s = svg(t, &o);
	assert_null(strstr(s, "<script>alert"));
	assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(s, "a&amp;b&quot;c&#39;d"));
	assert_non_null(strstr(s, "&lt;b&gt;&amp;"));
	assert_null(strstr(s, "\"]]>\"")); /* JSON settings cannot end their CDATA */
	assert_non_null(strstr(s, "(3 ]]&gt;, 60.00%)</title>")); /* nor a title its element */
	assert_int_equal(count(s, "]]>"), 3); /* style, settings, script */
	free(s);
	flame_tree_free(t);
}

static void test_svg_deterministic_and_options(void **state)
{
	(void)state;
	flame_tree *t = tree_of("main;A 5\nmain;A;C 3\nmain;B 4\n", false, false);
	flame_svg_opts o = count_opts();
	char *a = svg(t, &o), *b = svg(t, &o);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, ">Flame Graph</text>"));
	assert_non_null(strstr(a, "width=\"1200\""));
	o.width = 600;
	o.inverted = true;
	o.palette = FLAME_MEM;
	o.title = "abc";
	char *c = svg(t, &o);
	assert_non_null(strstr(c, "width=\"600\""));
	assert_non_null(strstr(c, ">abc</text>"));
	assert_string_not_equal(a, c);
	/* inverted: the root level is drawn first from the top */
	assert_non_null(strstr(c, "<g data-d=\"0\" transform=\"translate(0,36)\">"));
	free(a);
	free(b);
	free(c);
	flame_tree_free(t);
}

/* Fractional counts: widths in proportion (the fixed-point values are),
 * titles with the decimals, thousands separators in the integer part. */
static void test_fractional_titles(void **state)
{
	(void)state;
	flame_tree *t = tree_of("main;a 1.5\nmain;b 2.25\nmain 1000.5\n", false, false);
	flame_svg_opts o = count_opts();
	o.decimals = 2;
	char *s = svg(t, &o);
	assert_non_null(strstr(s, "<title>all (1,004.25 samples, 100%)</title>"));
	assert_non_null(strstr(s, "<title>a (1.5 samples, 0.15%)</title>"));
	assert_non_null(strstr(s, "<title>b (2.25 samples, 0.22%)</title>"));
	/* 1180 px for 1004.25 samples: a is 1.5 of them */
	assert_non_null(strstr(s, "<rect x=\"10\" width=\"1.76\""));
	free(s);
	flame_tree_free(t);
}

static void test_diff_colors(void **state)
{
	(void)state;
	profile *now = read_text("main;A 8\nmain;B 2\n");
	profile *base = read_text("main;A 5\nmain;B 15\n");
	flame_tree *t = flame_tree_new(false);
	flame_build_opts o = FLAME_BUILD_OPTS_INIT;
	cprof_err err;
	assert_int_equal(flame_tree_add_profile(t, now, &o, &err), 0);
	o.base = true;
	assert_int_equal(flame_tree_add_profile(t, base, &o, &err), 0);
	flame_tree_finish(t);
	flame_svg_opts so = count_opts();
	so.diff = true;
	char *s = svg(t, &so);
	/* base scaled to 10: A 2.5 -> 8 grew (red), B 7.5 -> 2 shrank (blue) */
	/* the title says the change as flamegraph.pl: "; +60.00%" of the total */
	assert_non_null(strstr(s, "v=\"8\" d=\"6\"><title>A (8 samples, 80.00%; +55.00%)</title><rect x=\"10\" width=\"944\" height=\"15\" class=\"r10\"/>"));
	assert_non_null(strstr(s, "d=\"-6\"><title>B (2 samples, 20.00%; -55.00%)</title>"));
	assert_non_null(strstr(s, "class=\"b10\""));
	assert_non_null(strstr(s, "Differential Flame Graph"));
	free(s);
	flame_tree_free(t);
	prof_free(now);
	prof_free(base);
}

static char *graph(const profile *p, bool chart, const flame_base *base)
{
	flame_build_opts b = FLAME_BUILD_OPTS_INIT;
	flame_svg_opts s = FLAME_SVG_OPTS_INIT;
	strbuf sb = STRBUF_INIT;
	cprof_err err;
	assert_int_equal(flame_graph_write(p, &b, chart, base, &s, &sb, &err), 0);
	return sb_detach(&sb, NULL);
}

/* flame_graph_write picks the diff base: --diff's profile, or the counts
 * before of difffolded.pl's two-count lines, drawn the same; a plain
 * profile is a plain graph, pruned as the SVG prunes; a chart takes no base. */
static void test_graph_picks_the_diff_base(void **state)
{
	(void)state;
	profile *two = read_text("main;A 5 8\nmain;B 15 2\n");
	profile *now = read_text("main;A 8\nmain;B 2\n");
	profile *before = read_text("main;A 5\nmain;B 15\n");
	char *g2 = graph(two, false, NULL);
	flame_base fb = { before, NULL, PROF_NONE };
	char *gd = graph(now, false, &fb);
	assert_string_equal(g2, gd);
	assert_non_null(strstr(g2, "Differential Flame Graph"));
	assert_non_null(strstr(g2, "<title>A (8 samples, 80.00%; +55.00%)</title>"));
	char *gp = graph(now, false, NULL);
	assert_null(strstr(gp, "Differential"));
	assert_non_null(strstr(gp, "<title>A (8 samples, 80.00%)</title>"));
	/* the same as the tree built by hand (not pruned: nothing is that narrow) */
	flame_tree *t = tree_of("main;A 8\nmain;B 2\n", false, false);
	flame_svg_opts so = count_opts();
	char *gt = svg(t, &so);
	assert_string_equal(gp, gt);
	/* a chart of two-count text is no diff: the "after" counts in line order */
	char *gc = graph(two, true, NULL);
	assert_null(strstr(gc, "Differential"));
	assert_non_null(strstr(gc, "Flame Chart"));
	strbuf sb = STRBUF_INIT;
	flame_build_opts b = FLAME_BUILD_OPTS_INIT;
	flame_svg_opts s = FLAME_SVG_OPTS_INIT;
	cprof_err err;
	assert_int_equal(flame_graph_write(now, &b, true, &fb, &s, &sb, &err), -1);
	assert_string_equal(err.msg, "a flame chart cannot be differential");
	/* a value the base lacks: the error says it is the base's */
	fb.value = 7;
	assert_int_equal(flame_graph_write(now, &b, false, &fb, &s, &sb, &err), -1);
	assert_string_equal(err.msg, "the base profile: no such sample type index 7");
	sb_release(&sb);
	free(g2);
	free(gd);
	free(gp);
	free(gt);
	free(gc);
	flame_tree_free(t);
	prof_free(two);
	prof_free(now);
	prof_free(before);
}

static void test_huge_values_saturate(void **state)
{
	(void)state;
	flame_tree *t = tree_of("a;b 9223372036854775807\na;c 9223372036854775807\n", false, false);
	assert_true(t->nodes[0].total == INT64_MAX);
	flame_svg_opts o = count_opts();
	char *s = svg(t, &o);
	/* the root saturated at INT64_MAX too: b is all of it */
	assert_non_null(strstr(s, "<title>b (9,223,372,036,854,775,807 samples, 100.00%)</title>"));
	free(s);
	flame_tree_free(t);
}

static void test_annotations_color_not_shown(void **state)
{
	(void)state;
	flame_tree *t = tree_of("main;f_[i] 2\nmain;f 1\nmain;sys_[k] 1\n", false, false);
	flame_svg_opts o = count_opts();
	char *s = svg(t, &o);
	/* f and f_[i] stay two frames (as in flamegraph.pl), both titled f */
	assert_int_equal(count(s, "<title>f ("), 2);
	assert_non_null(strstr(s, "v=\"2\"><title>f (2 samples, 50.00%)</title><rect x=\"305\" width=\"590\" height=\"15\" class=\"ci\"/>"));
	assert_non_null(strstr(s, "<title>sys (1 samples, 25.00%)</title>"));
	assert_non_null(strstr(s, "class=\"ck\""));
	assert_null(strstr(s, "_[i]"));
	free(s);
	flame_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_totals_and_order),
		cmocka_unit_test(test_chart_merges_only_neighbours),
		cmocka_unit_test(test_svg_prunes_but_keeps_totals),
		cmocka_unit_test(test_pruned_build_is_the_wide_part),
		cmocka_unit_test(test_sorted_build_is_the_hashed_tree),
		cmocka_unit_test(test_sorted_build_parts_long_stacks_anywhere),
		cmocka_unit_test(test_sorted_build_compares_names_not_locations),
		cmocka_unit_test(test_svg_escapes_names),
		cmocka_unit_test(test_svg_deterministic_and_options),
		cmocka_unit_test(test_diff_colors),
		cmocka_unit_test(test_graph_picks_the_diff_base),
		cmocka_unit_test(test_huge_values_saturate),
		cmocka_unit_test(test_fractional_titles),
		cmocka_unit_test(test_annotations_color_not_shown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
