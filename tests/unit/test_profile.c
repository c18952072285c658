/* Unit tests of the profile model: interning, frames and names, aggregation, merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

static const prof_value_type raw_types[] = { { "samples", "count" }, { "cpu", "nanoseconds" } };

static profile *new_raw_profile(void)
{
	profile *p = prof_new();
	prof_set_sample_types(p, raw_types, 2);
	p->default_type = 1;
	return p;
}

static void test_strings_are_interned(void **state)
{
	(void)state;
	profile *p = prof_new();
	char a[] = "main", b[] = "main";
	const char *x = prof_intern(p, a);
	const char *y = prof_intern(p, b);
	assert_ptr_equal(x, y);
	assert_ptr_not_equal(x, a);
	assert_string_equal(x, "main");
	assert_ptr_equal(prof_intern_n(p, "mainly", 4), x);
	assert_ptr_not_equal(prof_intern(p, "main2"), x);
	assert_null(prof_intern(p, NULL));
	/* a NUL byte is kept escaped (C0 80), a C0 byte too (C0 C1); a string
	 * the profile handed out comes back as it is; a merge copies escaped
	 * strings as they are */
	const char *nul = prof_intern_n(p, "a\0b\xc0", 4);
	assert_string_equal(nul, "a\xc0\x80" "b\xc0\xc1");
	assert_ptr_not_equal(prof_intern_n(p, "a\0c", 3), nul);
	assert_ptr_equal(prof_intern(p, nul), nul);
	uint32_t fn = prof_intern_function(p, nul, nul, "", 0);
	assert_ptr_equal(p->functions[fn].name, nul);
	prof_set_sample_types(p, NULL, 0);
	profile *m = prof_new();
	assert_int_equal(prof_merge(m, p, NULL), 0);
	assert_string_equal(m->functions[fn].name, nul);
	prof_free(m);
	/* many strings: the table grows and every one stays unique */
	const char *ptrs[5000];
	char buf[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "fn_%d", i);
		ptrs[i] = prof_intern(p, buf);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "fn_%d", i);
		assert_ptr_equal(prof_intern(p, buf), ptrs[i]);
		assert_string_equal(ptrs[i], buf);
	}
	prof_free(p);
}

static void test_functions_locations_stacks_interned(void **state)
{
	(void)state;
	profile *p = new_raw_profile();
	uint32_t f1 = prof_intern_function(p, "A", "A", "abc.c", 10);
	uint32_t f2 = prof_intern_function(p, "A", "A", "abc.c", 10);
	uint32_t f3 = prof_intern_function(p, "A", "A", "abc.c", 11);
	assert_int_equal(f1, f2);
	assert_int_not_equal(f1, f3);
	assert_int_equal(p->nfunctions, 2);

	prof_mapping m = { .start = 0x1000, .limit = 0x2000, .offset = 0, .file = "/bin/x" };
	uint32_t mi = prof_add_mapping(p, &m);
	uint32_t l1 = prof_add_location(p, mi, 0x1234, NULL, 0);
	uint32_t l3 = prof_add_location(p, mi, 0x1238, NULL, 0);
	assert_int_not_equal(l1, l3);
	assert_int_equal(p->nlocations, 2);

	uint32_t s1[] = { l1, l3 }, s2[] = { l1, l3 }, s3[] = { l3, l1 };
	uint32_t a = prof_intern_stack(p, s1, 2);
	assert_int_equal(prof_intern_stack(p, s2, 2), a);
	assert_int_not_equal(prof_intern_stack(p, s3, 2), a);
	assert_int_not_equal(prof_intern_stack(p, s1, 1), a);
	uint32_t empty = prof_intern_stack(p, NULL, 0);
	assert_int_equal(prof_intern_stack(p, NULL, 0), empty);
	assert_int_equal(p->nstacks, 4);
	s1[0] = 99; /* the stack was copied */
	assert_int_equal(p->stacks[a].locs[0], l1);
	prof_free(p);
}

/* Names, functions and stacks appended without a probe (the folded
 * reader's new names and stacks) are found by every later lookup, and
 * interleaved with interned ones each stays one of its kind. */
/* Functions appended by prof_add_function_own are found by later
 * lookups; prof_string_count counts distinct strings. */
static void test_appended_functions(void **state)
{
	(void)state;
	profile *p = prof_new();
	assert_int_equal(prof_string_count(p), 0);
	const char *e = prof_intern(p, ""), *f = prof_intern(p, "f"), *g = prof_intern(p, "g");
	prof_intern(p, "f");
	assert_int_equal(prof_string_count(p), 3);
	uint32_t a = prof_add_function_own(p, f, f, e, 0);
	assert_int_equal(prof_intern_function_own(p, f, f, e, 0), a); /* indexes a first */
	uint32_t b = prof_add_function_own(p, g, f, e, 3);
	assert_int_not_equal(a, b);
	assert_int_equal(prof_intern_function(p, "g", "f", "", 3), b);
	assert_int_equal(prof_intern_function(p, "g", "g", "", 3), 2); /* a new one */
	assert_int_equal(p->nfunctions, 3);
	prof_free(p);
}

static void test_appended_then_interned(void **state)
{
	(void)state;
	profile *p = prof_new();
	const char *samples = prof_intern(p, "samples");
	/* a name the profile has already: its string and function */
	uint32_t fs = prof_intern_named_function(p, "samples", 7);
	assert_ptr_equal(p->functions[fs].name, samples);
	assert_int_equal(prof_intern_named_function(p, "a\0b", 3),
			 prof_intern_function(p, prof_intern_n(p, "a\0b", 3), prof_intern_n(p, "a\0b", 3), "", 0));
	char buf[32];
	uint32_t fn[3000], loc[3000], st[3000];
	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof(buf), "fn_%d", i);
		fn[i] = prof_intern_named_function(p, buf, strlen(buf));
		assert_string_equal(p->functions[fn[i]].name, buf);
		assert_ptr_equal(p->functions[fn[i]].system_name, p->functions[fn[i]].name);
		assert_string_equal(p->functions[fn[i]].filename, "");
		prof_line pl = { fn[i], 0, 0 };
		loc[i] = prof_add_location(p, PROF_NONE, 0, &pl, 1);
		uint32_t s[2] = { loc[i], loc[0] };
		st[i] = prof_add_stack(p, s, i ? 2 : 1);
		if (i % 700 == 0) { /* a lookup between the appends */
			assert_int_equal(prof_intern_stack(p, s, i ? 2 : 1), st[i]);
			assert_ptr_equal(prof_intern(p, buf), p->functions[fn[i]].name);
		}
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof(buf), "fn_%d", i);
		const char *name = prof_intern(p, buf);
		assert_ptr_equal(name, p->functions[fn[i]].name);
		assert_int_equal(prof_intern_function(p, name, name, "", 0), fn[i]);
		uint32_t s[2] = { loc[i], loc[0] };
		assert_int_equal(prof_intern_stack(p, s, i ? 2 : 1), st[i]);
	}
	/* a name interned otherwise in between, of a length no string had */
	const char *later = prof_intern(p, "a_name_longer_than_every_other_one");
	uint32_t fl = prof_intern_named_function(p, later, strlen(later));
	assert_ptr_equal(p->functions[fl].name, later);
	assert_int_equal(prof_intern_function(p, later, later, "", 0), fl);
	uint32_t s[2] = { loc[1], loc[1] };
	assert_int_equal(prof_intern_stack(p, s, 2), 3000); /* a new one */
	assert_int_equal(p->nstacks, 3001);
	prof_free(p);
}

static void test_labelsets(void **state)
{
	(void)state;
	profile *p = new_raw_profile();
	assert_int_equal(p->nlabelsets, 1);
	assert_int_equal(p->labelsets[0].n, 0);
	assert_int_equal(prof_intern_labelset(p, NULL, 0), 0);
	prof_label x[] = { { "endpoint", "/users", 0, NULL }, { "bytes", NULL, 42, "bytes" } };
	prof_label y[] = { { "bytes", NULL, 42, "bytes" }, { "endpoint", "/users", 0, NULL } };
	prof_label z[] = { { "bytes", NULL, 43, "bytes" }, { "endpoint", "/users", 0, NULL } };
	uint32_t a = prof_intern_labelset(p, x, 2);
	assert_int_not_equal(a, 0);
	assert_int_equal(prof_intern_labelset(p, y, 2), a);
	assert_int_not_equal(prof_intern_labelset(p, z, 2), a);
	assert_string_equal(p->labelsets[a].labels[0].key, "bytes"); /* sorted by key */
	assert_ptr_equal(p->labelsets[a].labels[1].str, prof_intern(p, "/users"));
	/* a key's values keep their order (pprof's -traces prints them so) */
	prof_label v[] = { { "k", "2", 0, NULL }, { "a", "x", 0, NULL }, { "k", "1", 0, NULL } };
	prof_label w[] = { { "k", "1", 0, NULL }, { "a", "x", 0, NULL }, { "k", "2", 0, NULL } };
	uint32_t b = prof_intern_labelset(p, v, 3);
	assert_int_not_equal(prof_intern_labelset(p, w, 3), b);
	assert_string_equal(p->labelsets[b].labels[0].key, "a");
	assert_string_equal(p->labelsets[b].labels[1].str, "2");
	assert_string_equal(p->labelsets[b].labels[2].str, "1");
	prof_free(p);
}

static void test_threads(void **state)
{
	(void)state;
	profile *p = prof_new();
	assert_null(prof_thread_name(p, 7));
	prof_set_thread_name(p, 7, "worker");
	prof_set_thread_name(p, 8, "main");
	prof_set_thread_name(p, 7, "renamed");
	assert_string_equal(prof_thread_name(p, 7), "renamed");
	assert_string_equal(prof_thread_name(p, 8), "main");
	assert_null(prof_thread_name(p, 9));
	assert_int_equal(p->nthreads, 2);
	prof_free(p);
}

static void test_find_value(void **state)
{
	(void)state;
	profile *p = prof_new();
	assert_int_equal(prof_find_value(p, NULL), PROF_NONE);
	prof_set_sample_types(p, raw_types, 2);
	p->default_type = 1;
	assert_int_equal(prof_find_value(p, NULL), 1);
	assert_int_equal(prof_find_value(p, "samples"), 0);
	assert_int_equal(prof_find_value(p, "cpu"), 1);
	assert_int_equal(prof_find_value(p, "wall"), PROF_NONE);
	prof_free(p);
}

/* A location with an inlined chain: leaf (inlined) first, real function last. */
static void test_stack_frames_expand_inlines(void **state)
{
	(void)state;
	profile *p = new_raw_profile();
	uint32_t fa = prof_intern_function(p, "A", "A", "a.c", 1);
	uint32_t fi = prof_intern_function(p, "inl", "inl", "a.c", 5);
	uint32_t fm = prof_intern_function(p, "main", "main", "a.c", 20);
	prof_line l_inl[] = { { fi, 6, 0 }, { fa, 2, 0 } };
	prof_line l_main[] = { { fm, 21, 0 } };
	uint32_t la = prof_add_location(p, PROF_NONE, 0x10, l_inl, 2);
	uint32_t lm = prof_add_location(p, PROF_NONE, 0x20, l_main, 1);
	prof_mapping m = { .start = 0x400000, .limit = 0x500000, .offset = 0x1000,
			   .file = "/usr/lib/libfoo.so.1" };
	uint32_t mi = prof_add_mapping(p, &m);
	uint32_t lu = prof_add_location(p, mi, 0x400123, NULL, 0);
	uint32_t lx = prof_add_location(p, PROF_NONE, 0xdead, NULL, 0);
	uint32_t locs[] = { lu, la, lm, lx };
	uint32_t st = prof_intern_stack(p, locs, 4);

	prof_frame *fr = NULL;
	size_t alloc = 0;
	uint32_t n = prof_stack_frames(p, st, &fr, &alloc);
	assert_int_equal(n, 5);
	assert_int_equal(fr[0].function, PROF_NONE);
	assert_false(fr[0].inlined);
	assert_int_equal(fr[1].function, fi);
	assert_true(fr[1].inlined);
	assert_int_equal(fr[1].line, 6);
	assert_int_equal(fr[2].function, fa);
	assert_false(fr[2].inlined);
	assert_int_equal(fr[2].location, la);
	assert_int_equal(fr[3].function, fm);
	assert_false(fr[3].inlined);
	assert_int_equal(fr[4].location, lx);

	strbuf sb = STRBUF_INIT;
	const char *want[] = { "libfoo.so.1+0x1123", "inl", "A", "main", "0xdead" };
	for (uint32_t i = 0; i < n; i++) {
		sb_reset(&sb);
		prof_frame_name(p, &fr[i], &sb);
		assert_string_equal(sb.buf, want[i]);
	}
	sb_reset(&sb);
	prof_location_name(p, la, &sb);
	assert_string_equal(sb.buf, "0x10");
	/* the frame buffer is reused and grows */
	uint32_t big[100];
	for (int i = 0; i < 100; i++)
		big[i] = la;
	n = prof_stack_frames(p, prof_intern_stack(p, big, 100), &fr, &alloc);
	assert_int_equal(n, 200);
	assert_true(alloc >= 200);
	sb_release(&sb);
	free(fr);
	prof_free(p);
}

static void add(profile *p, uint32_t stack, uint32_t ls, int64_t w, int64_t t, int32_t tid)
{
	int64_t v[2] = { 1, w };
	prof_add_sample(p, stack, ls, v, t, tid, 0);
}

static void test_group(void **state)
{
	(void)state;
	profile *p = new_raw_profile();
	p->has_timestamps = true;
	uint32_t l[3];
	for (int i = 0; i < 3; i++)
		l[i] = prof_add_location(p, PROF_NONE, 0x100 + (uint64_t)i, NULL, 0);
	uint32_t s_b = prof_intern_stack(p, &l[1], 2);
	uint32_t s_a = prof_intern_stack(p, &l[0], 3);
	prof_label lab = { "k", "v", 0, NULL };
	uint32_t ls = prof_intern_labelset(p, &lab, 1);
	/* interleaved, out of order */
	add(p, s_a, 0, 10, 5, 1);
	add(p, s_b, 0, 20, 6, 2);
	add(p, s_a, ls, 30, 7, 1);
	add(p, s_a, 0, 40, 8, 2);
	add(p, s_b, 0, 50, 9, 2);
	add(p, s_a, 0, 60, 10, 1);

	profile *q = new_raw_profile();
	assert_int_equal(prof_merge(q, p, NULL), 0);

	size_t nsamples = p->nsamples;
	prof_groups g;
	prof_group_opts go = { .by_labels = true, .sorted = true };
	prof_group_samples(p, &go, &g);
	assert_int_equal(p->nsamples, nsamples); /* the model is not changed */
	assert_true(p->has_timestamps);
	assert_int_equal(g.n, 3);
	/* sorted by (stack, labelset): s_b (index 0) first */
	assert_int_equal(g.g[0].stack, s_b);
	assert_int_equal(prof_group_values(&g, 0)[0], 2);
	assert_int_equal(prof_group_values(&g, 0)[1], 70);
	assert_int_equal(g.g[1].stack, s_a);
	assert_int_equal(g.g[1].labelset, 0);
	assert_int_equal(prof_group_values(&g, 1)[0], 3);
	assert_int_equal(prof_group_values(&g, 1)[1], 110);
	assert_int_equal(g.g[2].labelset, ls);
	assert_int_equal(prof_group_values(&g, 2)[1], 30);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g.g[i].tid, -1);
	prof_groups_free(&g);

	go.by_thread = true;
	prof_group_samples(q, &go, &g);
	assert_int_equal(g.n, 4); /* (s_b,2) (s_a,1) (s_a,2) (s_a,ls,1) */
	assert_int_equal(g.g[0].tid, 2);
	assert_int_equal(prof_group_values(&g, 0)[1], 70);
	assert_int_equal(g.g[1].tid, 1);
	assert_int_equal(prof_group_values(&g, 1)[1], 70);
	assert_int_equal(g.g[2].tid, 2);
	assert_int_equal(prof_group_values(&g, 2)[1], 40);
	assert_int_equal(g.g[3].labelset, ls);
	prof_groups_free(&g);

	/* unsorted: order of first appearance; without by_labels the labelled
	 * sample joins its stack's group; a mask leaves samples out */
	bool mask[] = { true, true, false, true, true, false };
	prof_group_opts plain = { .mask = mask };
	prof_group_samples(p, &plain, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.g[0].stack, s_a);
	assert_int_equal(g.g[0].labelset, 0);
	assert_int_equal(prof_group_values(&g, 0)[1], 50);
	assert_int_equal(g.g[1].stack, s_b);
	assert_int_equal(prof_group_values(&g, 1)[1], 70);
	prof_groups_free(&g);
	prof_free(p);
	prof_free(q);
}

/* Many samples in a pseudo-random order: sums must match a direct count and
 * the result must be identical whatever the input order was. */
static void test_group_many_deterministic(void **state)
{
	(void)state;
	profile *a = new_raw_profile(), *b = new_raw_profile();
	enum { NS = 3000, N = 200000 };
	for (uint32_t i = 0; i < NS; i++) {
		uint32_t la = prof_add_location(a, PROF_NONE, i, NULL, 0);
		uint32_t lb = prof_add_location(b, PROF_NONE, i, NULL, 0);
		assert_int_equal(prof_intern_stack(a, &la, 1), i);
		assert_int_equal(prof_intern_stack(b, &lb, 1), i);
	}
	static int64_t want[NS];
	uint64_t x = 88172645463325252ULL;
	uint32_t *seq = malloc(N * sizeof(*seq));
	for (int i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		seq[i] = (uint32_t)(x % NS);
		want[seq[i]] += (int64_t)(x % 1000);
		add(a, seq[i], 0, (int64_t)(x % 1000), i, 1);
	}
	x = 88172645463325252ULL;
	for (int i = N - 1; i >= 0; i--) /* reverse order */
		add(b, seq[i], 0, prof_sample_values(a, (size_t)i)[1], i, 1);
	prof_groups ga, gb;
	prof_group_opts go = { .by_labels = true, .sorted = true };
	prof_group_samples(a, &go, &ga);
	prof_group_samples(b, &go, &gb);
	assert_int_equal(ga.n, gb.n);
	assert_memory_equal(ga.g, gb.g, ga.n * sizeof(prof_group));
	assert_memory_equal(ga.values, gb.values, ga.n * 2 * sizeof(int64_t));
	for (size_t i = 0; i < ga.n; i++) {
		assert_int_equal(prof_group_values(&ga, i)[1], want[ga.g[i].stack]);
		if (i)
			assert_true(ga.g[i - 1].stack < ga.g[i].stack);
	}
	prof_groups_free(&ga);
	prof_groups_free(&gb);
	free(seq);
	prof_free(a);
	prof_free(b);
}

static profile *small_profile(const char *file, uint64_t addr, const char *fname, int32_t tid)
{
	profile *p = new_raw_profile();
	p->period = 10000000;
	p->period_type = (prof_value_type){ prof_intern(p, "cpu"), prof_intern(p, "nanoseconds") };
	prof_mapping m = { .start = 0x1000, .limit = 0x9000, .file = file, .build_id = "abcd" };
	uint32_t mi = prof_add_mapping(p, &m);
	uint32_t fm = prof_intern_function(p, "main", "main", "m.c", 1);
	uint32_t ff = prof_intern_function(p, fname, fname, "m.c", 9);
	prof_line lm = { fm, 3, 0 }, lf = { ff, 10, 0 };
	uint32_t l0 = prof_add_location(p, mi, 0x1100, &lm, 1);
	uint32_t l1 = prof_add_location(p, mi, addr, &lf, 1);
	uint32_t st[] = { l1, l0 };
	uint32_t s = prof_intern_stack(p, st, 2);
	prof_label lab = { "endpoint", fname, 0, NULL };
	add(p, s, prof_intern_labelset(p, &lab, 1), 100, 1, tid);
	add(p, s, 0, 200, 2, tid);
	prof_set_thread_name(p, tid, fname);
	prof_add_comment(p, "hello");
	p->has_timestamps = true;
	return p;
}

static void test_merge(void **state)
{
	(void)state;
	profile *a = small_profile("/bin/prog", 0x1200, "A", 1);
	profile *b = small_profile("/bin/prog", 0x1300, "B", 2);
	profile *c = small_profile("/bin/prog", 0x1200, "A", 1);
	assert_int_equal(prof_merge(a, b, NULL), 0);
	assert_int_equal(a->nsamples, 4);
	assert_int_equal(a->nmappings, 1);   /* same mapping shared */
	assert_int_equal(a->nlocations, 3);  /* main shared, A and B */
	assert_int_equal(a->nfunctions, 3);
	assert_int_equal(a->nstacks, 2);
	assert_int_equal(a->nlabelsets, 3);
	assert_int_equal(a->ncomments, 1);
	assert_string_equal(prof_thread_name(a, 2), "B");
	strbuf sb = STRBUF_INIT;
	prof_frame *fr = NULL;
	size_t alloc = 0;
	uint32_t n = prof_stack_frames(a, a->samples[2].stack, &fr, &alloc);
	assert_int_equal(n, 2);
	prof_frame_name(a, &fr[0], &sb);
	assert_string_equal(sb.buf, "B");
	assert_int_equal(a->samples[2].tid, 2);
	assert_int_equal(prof_sample_values(a, 3)[1], 200);
	const prof_labelset *ls = &a->labelsets[a->samples[2].labelset];
	assert_int_equal(ls->n, 1);
	assert_string_equal(ls->labels[0].str, "B");
	/* merging the same program again reuses every location */
	assert_int_equal(prof_merge(a, c, NULL), 0);
	assert_int_equal(a->nlocations, 3);
	assert_int_equal(a->nstacks, 2);
	assert_int_equal(a->nsamples, 6);

	/* into an empty profile: takes the types and header */
	profile *e = prof_new();
	assert_int_equal(prof_merge(e, b, NULL), 0);
	assert_int_equal(e->nvalues, 2);
	assert_int_equal(e->default_type, 1);
	assert_int_equal(e->period, 10000000);
	assert_true(e->has_timestamps);

	/* different types: an error that names both */
	profile *w = prof_new();
	prof_value_type wt[] = { { "samples", "count" }, { "wall", "nanoseconds" } };
	prof_set_sample_types(w, wt, 2);
	add(w, prof_intern_stack(w, NULL, 0), 0, 5, 0, 0);
	cprof_err err;
	assert_int_equal(prof_merge(a, w, &err), -1);
	assert_non_null(strstr(err.msg, "different sample types"));
	assert_non_null(strstr(err.msg, "wall/nanoseconds"));
	assert_int_equal(a->nsamples, 6);
	sb_release(&sb);
	free(fr);
	prof_free(a);
	prof_free(b);
	prof_free(c);
	prof_free(e);
	prof_free(w);
}

/* A one-process recording: pid, a thread of it, two samples at 1 and 2 ms
 * after its start, which was mono ns on CLOCK_MONOTONIC and boot + mono on
 * the wall clock (boot: CLOCK_REALTIME - CLOCK_MONOTONIC, one per boot). */
static profile *recording(int32_t pid, int64_t boot, int64_t mono, int64_t dur)
{
	profile *p = small_profile("/bin/prog", 0x1200, "A", pid);
	p->samples[0].time_ns = 1000000;
	p->samples[1].time_ns = 2000000;
	p->pid = pid;
	p->mono_start_ns = mono;
	p->time_nanos = boot + mono;
	p->duration_nanos = dur;
	return p;
}

static void test_merge_time_axis(void **state)
{
	(void)state;
	const int64_t boot = 1700000000000000000, s = 1000000000;
	/* three runs one after another, merged out of order: the earliest
	 * start is 0, each file's samples sit where they happened */
	profile *a = recording(100, boot, 50 * s, 2 * s);     /* 50 s .. 52 s */
	profile *b = recording(200, boot, 53 * s, 2 * s);     /* 53 s .. 55 s */
	profile *c = recording(300, boot, 49 * s, s / 2);     /* 49 s .. 49.5 s */
	assert_int_equal(prof_merge(a, b, NULL), 0);
	assert_int_equal(a->samples[2].time_ns, 3 * s + 1000000);
	assert_int_equal(a->duration_nanos, 5 * s);
	assert_int_equal(prof_merge(a, c, NULL), 0); /* c is earlier: a moves */
	assert_int_equal(a->samples[0].time_ns, s + 1000000);
	assert_int_equal(a->samples[2].time_ns, 4 * s + 1000000);
	assert_int_equal(a->samples[4].time_ns, 1000000);
	assert_int_equal(a->samples[5].time_ns, 2000000);
	assert_int_equal(a->duration_nanos, 6 * s); /* 49 s .. 55 s */
	assert_int_equal(a->mono_start_ns, 49 * s);
	assert_int_equal(a->time_nanos, boot + 49 * s);
	/* each thread keeps its process */
	assert_int_equal(a->pid, 0);
	assert_int_equal(prof_thread_pid(a, 100), 100);
	assert_int_equal(prof_thread_pid(a, 200), 200);
	assert_int_equal(prof_thread_pid(a, 300), 300);
	assert_int_equal(prof_thread_pid(a, 999), 0);

	/* the same into an empty profile first (as cli_read_inputs may) */
	profile *e = prof_new();
	profile *b2 = recording(200, boot, 53 * s, 2 * s);
	profile *c2 = recording(300, boot, 49 * s, s / 2);
	assert_int_equal(prof_merge(e, b2, NULL), 0);
	assert_int_equal(prof_merge(e, c2, NULL), 0);
	assert_int_equal(e->samples[0].time_ns, 4 * s + 1000000);
	assert_int_equal(e->samples[2].time_ns, 1000000);
	assert_int_equal(e->duration_nanos, 6 * s);

	/* another boot (monotonic clocks unrelated): the wall clocks place them */
	profile *x = recording(1, boot, 50 * s, s);
	profile *y = recording(2, boot + 3600 * s, 10 * s, s); /* wall: 3560 s later */
	int64_t d;
	assert_true(prof_origin_delta(x, y, &d));
	assert_int_equal(d, 3560 * s);
	assert_int_equal(prof_merge(x, y, NULL), 0);
	assert_int_equal(x->samples[2].time_ns, 3560 * s + 1000000);
	assert_int_equal(x->duration_nanos, 3561 * s);
	/* a wall-clock step of less than a second within one boot: monotonic wins */
	profile *u = recording(1, boot, 50 * s, s);
	profile *v = recording(2, boot + s / 4, 51 * s, s);
	assert_true(prof_origin_delta(u, v, &d));
	assert_int_equal(d, s);

	/* pprof input: a wall-clock start, no sample times; the header spans both */
	profile *g = prof_new(), *h = prof_new();
	prof_set_sample_types(g, raw_types, 2);
	prof_set_sample_types(h, raw_types, 2);
	add(g, prof_intern_stack(g, NULL, 0), 0, 5, -1, -1);
	add(h, prof_intern_stack(h, NULL, 0), 0, 5, -1, -1);
	g->time_nanos = boot + 10 * s;
	g->duration_nanos = 10 * s;
	h->time_nanos = boot;
	h->duration_nanos = 5 * s;
	assert_int_equal(prof_merge(g, h, NULL), 0);
	assert_int_equal(g->time_nanos, boot);
	assert_int_equal(g->duration_nanos, 20 * s);
	assert_int_equal(g->samples[0].time_ns, -1);
	assert_int_equal(g->samples[1].time_ns, -1);
	/* no clock at all: nothing moves, the longer duration */
	profile *m = prof_new(), *n = prof_new();
	prof_set_sample_types(m, raw_types, 2);
	prof_set_sample_types(n, raw_types, 2);
	add(m, prof_intern_stack(m, NULL, 0), 0, 5, 7, 1);
	add(n, prof_intern_stack(n, NULL, 0), 0, 5, 9, 1);
	m->duration_nanos = 3;
	n->duration_nanos = 4;
	assert_false(prof_origin_delta(m, n, &d));
	assert_int_equal(prof_merge(m, n, NULL), 0);
	assert_int_equal(m->samples[1].time_ns, 9);
	assert_int_equal(m->duration_nanos, 4);

	/* kept apart on one axis (cprof-raw): the earliest (c2) at 0, the
	 * untimed g and the clockless m on their own */
	profile *r1 = recording(100, boot, 50 * s, 2 * s), *r2 = recording(300, boot, 49 * s, s / 2);
	profile *r3 = recording(200, boot, 53 * s, 2 * s);
	profile *apart[] = { g, r1, m, r2, r3 };
	int64_t offs[5];
	prof_common_axis(apart, 5, offs);
	assert_int_equal(offs[0], -1);
	assert_int_equal(offs[1], s);
	assert_int_equal(offs[2], -1);
	assert_int_equal(offs[3], 0);
	assert_int_equal(offs[4], 4 * s);
	assert_int_equal(r1->samples[0].time_ns, s + 1000000);
	assert_int_equal(r2->samples[0].time_ns, 1000000);
	assert_int_equal(r3->samples[1].time_ns, 4 * s + 2000000);

	profile *all[] = { a, b, c, e, b2, c2, x, y, u, v, g, h, m, n, r1, r2, r3 };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		prof_free(all[i]);
}

static void test_thread_pids(void **state)
{
	(void)state;
	profile *p = prof_new();
	p->pid = 42;
	assert_int_equal(prof_thread_pid(p, 7), 42); /* one-process input */
	prof_set_thread_pid(p, 7, 40);
	assert_int_equal(prof_thread_pid(p, 7), 40);
	assert_string_equal(prof_thread_name(p, 7), ""); /* added nameless */
	prof_set_thread_name(p, 7, "worker");
	assert_int_equal(prof_thread_pid(p, 7), 40); /* a rename keeps the pid */
	p->pid = 0;
	assert_int_equal(prof_thread_pid(p, 8), 0);
	prof_free(p);
}

/* Fixed-point values: one printer, rescaling up only, merging to the
 * larger number of decimals. */
static void test_decimals(void **state)
{
	(void)state;
	const struct { int64_t v; uint32_t d; const char *want; } cases[] = {
		{ 15, 1, "1.5" }, { 5, 2, "0.05" }, { 100, 2, "1" }, { 0, 3, "0" }, { -25, 2, "-0.25" },
		{ 1234567, 0, "1234567" }, { INT64_MIN, 0, "-9223372036854775808" },
		{ INT64_MIN, 9, "-9223372036.854775808" }, { 1, 9, "0.000000001" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		strbuf sb = STRBUF_INIT;
		prof_add_value(&sb, cases[i].v, cases[i].d);
		assert_string_equal(sb.buf, cases[i].want);
		sb_release(&sb);
	}
	assert_true(prof_value_real(15, 1) == 1.5);

	prof_value_type t[] = { { "samples", "count", 1 }, { "cpu", "nanoseconds" } };
	profile *a = prof_new();
	prof_set_sample_types(a, t, 2);
	uint32_t st = prof_intern_stack(a, NULL, 0);
	int64_t v[2] = { 15, 7 };
	prof_add_sample(a, st, 0, v, -1, -1, 0);
	assert_true(prof_set_decimals(a, 0, 3));
	assert_int_equal(prof_sample_values(a, 0)[0], 1500);
	assert_true(prof_set_decimals(a, 0, 1)); /* never fewer: nothing changes */
	assert_int_equal(prof_sample_values(a, 0)[0], 1500);
	assert_int_equal(a->sample_types[0].decimals, 3);
	/* a value that would not fit: all or nothing */
	int64_t big[2] = { INT64_MAX / 5, 1 };
	prof_add_sample(a, st, 0, big, -1, -1, 0);
	assert_false(prof_set_decimals(a, 0, 4));
	assert_int_equal(a->sample_types[0].decimals, 3);
	assert_int_equal(prof_sample_values(a, 0)[0], 1500);
	assert_true(prof_set_decimals(a, 1, 2)); /* the other type alone */
	assert_int_equal(prof_sample_values(a, 0)[1], 700);
	assert_int_equal(prof_sample_values(a, 0)[0], 1500);

	/* merging: both go to the larger number of decimals of each type */
	profile *b = prof_new();
	prof_value_type tb[] = { { "samples", "count", 5 }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(b, tb, 2);
	int64_t vb[2] = { 12345, 3 };
	prof_add_sample(b, prof_intern_stack(b, NULL, 0), 0, vb, -1, -1, 0);
	cprof_err err;
	assert_int_equal(prof_merge(a, b, &err), -1); /* a's big value does not fit 5 decimals */
	assert_non_null(strstr(err.msg, "do not fit in 64 bits with 5 decimals"));
	assert_int_equal(a->nsamples, 2);
	assert_int_equal(a->sample_types[0].decimals, 3);
	profile *c = prof_new();
	prof_set_sample_types(c, t, 2); /* samples with 1 decimal, cpu with 0 */
	prof_add_sample(c, prof_intern_stack(c, NULL, 0), 0, v, -1, -1, 0);
	if (prof_merge(c, b, &err) != 0)
		fail_msg("merge: %s", err.msg);
	assert_int_equal(c->sample_types[0].decimals, 5);
	assert_int_equal(c->sample_types[1].decimals, 0);
	assert_int_equal(prof_sample_values(c, 0)[0], 150000); /* 1.5 */
	assert_int_equal(prof_sample_values(c, 1)[0], 12345);  /* 0.12345 */
	/* c's cpu values go to a's 2 decimals; a's big value does not fit 5:
	 * refused before anything changed */
	assert_int_equal(prof_merge(c, a, &err), -1);
	assert_int_equal(c->nsamples, 2);
	assert_int_equal(c->sample_types[1].decimals, 0);
	assert_int_equal(prof_sample_values(c, 0)[1], 7);
	profile *d = prof_new();
	prof_set_sample_types(d, tb, 2);
	prof_add_sample(d, prof_intern_stack(d, NULL, 0), 0, v, -1, -1, 0);
	assert_true(prof_set_decimals(d, 1, 2)); /* cpu 7, as 700 hundredths */
	assert_int_equal(prof_merge(c, d, &err), 0);
	assert_int_equal(c->sample_types[1].decimals, 2);
	assert_int_equal(prof_sample_values(c, 0)[1], 700); /* c's 7, rescaled */
	assert_int_equal(prof_sample_values(c, 2)[0], 15);  /* d's 0.00015 */
	assert_int_equal(prof_sample_values(c, 2)[1], 700);
	prof_free(d);
	prof_free(a);
	prof_free(b);
	prof_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_are_interned),
		cmocka_unit_test(test_functions_locations_stacks_interned),
		cmocka_unit_test(test_appended_then_interned),
		cmocka_unit_test(test_appended_functions),
		cmocka_unit_test(test_labelsets),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_find_value),
		cmocka_unit_test(test_stack_frames_expand_inlines),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_group_many_deterministic),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_time_axis),
		cmocka_unit_test(test_thread_pids),
		cmocka_unit_test(test_decimals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
