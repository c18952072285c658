/* Unit tests of rawread: synthetic raw files -> the model (header facts, time
 * order, stacks, labels, threads, mappings over time), and damaged files:
 * cut at every byte, incomplete and unknown records, hostile counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gzip.h"
#include "pprof.h"
#include "rawread.h"
#include "reader.h"
#include "rawbuild.h"

#define T0 1000000000ULL
#define MS 1000000ULL

typedef struct warns {
	strbuf all;
	int n;
} warns;

static void collect(void *ctx, const char *msg)
{
	warns *w = ctx;
	sb_adds(&w->all, msg);
	sb_addc(&w->all, '\n');
	w->n++;
}

static int read_raw(const strbuf *sb, profile **out, warns *w, cprof_err *err)
{
	prof_read_opts o = { 0 };
	o.no_symbolize = true;
	o.warn = collect;
	o.warn_ctx = w;
	profile *p = prof_new();
	int r = rawread(p, (const unsigned char *)sb->buf, sb->len, &o, err);
	if (r < 0) {
		prof_free(p);
		*out = NULL;
	} else {
		*out = p;
	}
	return r;
}

static const uint64_t F_A[] = { 0x401100, 0x401200, 0x401300 };  /* A <- main <- start */
static const uint64_t F_AC[] = { 0x401400, 0x401104, 0x401200, 0x401300 }; /* C <- A <- ... */
static const uint64_t F_B[] = { 0x401500, 0x401204, 0x401300 };

static void build_abc(strbuf *sb)
{
	static const char cmd[] = "./abc\0-x\0";
	rb_header(sb);
	rb_info(sb, 10 * MS, T0, CPROF_MODE_CPU, "/usr/bin/abc", cmd, sizeof(cmd) - 1);
	rb_mapping(sb, T0, 0x401000, 0x402000, 0x1000, (const unsigned char *)"\xab\xcd", 2,
		   "/usr/bin/abc");
	rb_thread(sb, T0, 100, "abc");
	rb_thread(sb, T0, 101, "worker");
	static const char *const kv[] = { "endpoint", "/users", "a", "b" };
	rb_labelset(sb, 7, kv, 2);
	/* out of time order, as two per-thread buffers drain */
	rb_sample(sb, T0 + 30 * MS, 100, 10 * MS, 0, 0, F_B, 3);
	rb_sample(sb, T0 + 10 * MS, 100, 10 * MS, 0, 0, F_A, 3);
	rb_sample(sb, T0 + 20 * MS, 100, 10 * MS, 7, 0, F_AC, 4);
	rb_sample(sb, T0 + 15 * MS, 101, 9 * MS, 0, 0, F_A, 3);
	rb_sample(sb, T0 + 40 * MS, 101, 11 * MS, 0, 0, F_A, 3);
	rb_thread(sb, T0 + 41 * MS, 101, "renamed");
	rb_end(sb, T0 + 50 * MS, 5, 3);
}

static void stack_str(const profile *p, uint32_t stack, strbuf *sb)
{
	prof_frame *fr = NULL;
	size_t alloc = 0;
	uint32_t n = prof_stack_frames(p, stack, &fr, &alloc);
	for (uint32_t i = n; i-- > 0;) {
		prof_frame_name(p, &fr[i], sb);
		if (i)
			sb_addc(sb, ';');
	}
	free(fr);
}

static void test_abc_model(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	build_abc(&sb);
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	cprof_err err;
	assert_int_equal(read_raw(&sb, &p, &w, &err), 0);
	assert_string_equal(p->source_format, "raw");
	assert_string_equal(p->mode, "cpu");
	assert_string_equal(p->timer, "perf_event");
	assert_string_equal(p->executable, "/usr/bin/abc");
	assert_string_equal(p->cmdline, "./abc -x");
	assert_int_equal(p->pid, 4242);
	assert_int_equal(p->period, 10 * MS);
	assert_string_equal(p->period_type.type, "cpu");
	assert_int_equal(p->nvalues, 2);
	assert_string_equal(p->sample_types[0].type, "samples");
	assert_string_equal(p->sample_types[1].type, "cpu");
	assert_string_equal(p->sample_types[1].unit, "nanoseconds");
	assert_int_equal(p->default_type, 1);
	assert_int_equal(p->time_nanos, 1700000000000000000LL);
	assert_int_equal(p->duration_nanos, 50 * MS);
	assert_true(p->has_timestamps);
	assert_int_equal(p->samples_dropped, 3);
	assert_non_null(strstr(w.all.buf, "dropped 3 samples"));

	assert_int_equal(p->nsamples, 5);
	int64_t want_t[] = { 10, 15, 20, 30, 40 };
	int32_t want_tid[] = { 100, 101, 100, 100, 101 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(p->samples[i].time_ns, want_t[i] * (int64_t)MS);
		assert_int_equal(p->samples[i].tid, want_tid[i]);
		assert_int_equal(prof_sample_values(p, (size_t)i)[0], 1);
	}
	assert_int_equal(prof_sample_values(p, 1)[1], 9 * MS);
	/* the same frames are one stack */
	assert_int_equal(p->samples[0].stack, p->samples[1].stack);
	assert_int_equal(p->samples[0].stack, p->samples[4].stack);
	assert_int_equal(p->nstacks, 3);
	/* 0x401200 appears as a return address only; 0x401100 as leaf only */
	assert_int_equal(p->nlocations, 7);
	strbuf s = STRBUF_INIT;
	stack_str(p, p->samples[2].stack, &s);
	assert_string_equal(s.buf, "abc+0x1300;abc+0x1200;abc+0x1104;abc+0x1400");
	assert_int_equal(p->nmappings, 1);
	assert_string_equal(p->mappings[0].build_id, "abcd");
	/* labels */
	assert_int_equal(p->samples[0].labelset, 0);
	const prof_labelset *ls = &p->labelsets[p->samples[2].labelset];
	assert_int_equal(ls->n, 2);
	assert_string_equal(ls->labels[0].key, "a");
	assert_string_equal(ls->labels[1].key, "endpoint");
	assert_string_equal(ls->labels[1].str, "/users");
	/* threads: the last name wins */
	assert_string_equal(prof_thread_name(p, 100), "abc");
	assert_string_equal(prof_thread_name(p, 101), "renamed");
	sb_release(&s);
	sb_release(&sb);
	sb_release(&w.all);
	prof_free(p);
}

static void test_wall_mode_offcpu(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, MS, T0, CPROF_MODE_WALL, "/bin/w", "", 0);
	rb_sample(&sb, T0 + MS, 5, MS, 0, CPROF_SAMPLE_OFFCPU, F_A, 3);
	rb_sample(&sb, T0 + 2 * MS, 5, MS, 0, 0, F_A, 3);
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	cprof_err err;
	assert_int_equal(read_raw(&sb, &p, &w, &err), 0);
	assert_string_equal(p->sample_types[1].type, "wall");
	assert_string_equal(p->period_type.type, "wall");
	assert_string_equal(p->mode, "wall");
	assert_int_equal(p->samples[0].flags, PROF_SAMPLE_OFFCPU);
	assert_int_equal(p->samples[1].flags, 0);
	/* no mapping recorded: frames are bare addresses */
	strbuf s = STRBUF_INIT;
	stack_str(p, p->samples[0].stack, &s);
	assert_string_equal(s.buf, "0x401300;0x401200;0x401100");
	/* no END record: said so, and the duration is the last sample */
	assert_non_null(strstr(w.all.buf, "no END record"));
	assert_int_equal(p->duration_nanos, 2 * MS);
	sb_release(&s);
	sb_release(&sb);
	sb_release(&w.all);
	prof_free(p);
}

/* A stack the recorder cut at its depth limit (CPROF_SAMPLE_TRUNCATED)
 * gets a "[truncated]" root; the same frames uncut are another stack. */
static void test_truncated_stack_root(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, MS, T0, CPROF_MODE_CPU, "/bin/t", "", 0);
	rb_sample(&sb, T0 + MS, 5, MS, 0, CPROF_SAMPLE_TRUNCATED, F_A, 3);
	rb_sample(&sb, T0 + 2 * MS, 5, MS, 0, 0, F_A, 3);
	rb_sample(&sb, T0 + 3 * MS, 5, MS, 0, CPROF_SAMPLE_TRUNCATED, F_A, 3);
	rb_end(&sb, T0 + 4 * MS, 3, 0);
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	cprof_err err;
	assert_int_equal(read_raw(&sb, &p, &w, &err), 0);
	assert_int_equal(p->nsamples, 3);
	assert_int_equal(p->samples[0].stack, p->samples[2].stack);
	assert_int_not_equal(p->samples[0].stack, p->samples[1].stack);
	strbuf s = STRBUF_INIT;
	stack_str(p, p->samples[0].stack, &s);
	assert_string_equal(s.buf, "[truncated];0x401300;0x401200;0x401100");
	sb_reset(&s);
	stack_str(p, p->samples[1].stack, &s);
	assert_string_equal(s.buf, "0x401300;0x401200;0x401100");
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.all.buf, "2 of 3 samples had stacks deeper than the recorder keeps"));
	/* the pseudo-frame has a function, so views name it */
	const prof_location *l = &p->locations[p->stacks[p->samples[0].stack].locs[3]];
	assert_int_equal(l->mapping, PROF_NONE);
	assert_int_equal(l->nlines, 1);
	assert_string_equal(p->functions[l->lines[0].function].name, "[truncated]");
	sb_release(&s);
	sb_release(&sb);
	sb_release(&w.all);
	prof_free(p);
}

/* dlopen, dlclose, dlopen of another library at the same address: each
 * sample's address resolves against the library mapped at its time. */
static void test_mappings_over_time(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, MS, T0, CPROF_MODE_CPU, "/bin/main", "", 0);
	rb_mapping(&sb, T0, 0x1000, 0x2000, 0, NULL, 0, "/bin/main");
	uint64_t f[] = { 0x7000010, 0x1010 };
	rb_sample(&sb, T0 + 1 * MS, 1, MS, 0, 0, f, 2); /* before any dlopen: unknown */
	rb_mapping(&sb, T0 + 2 * MS, 0x7000000, 0x7001000, 0, NULL, 0, "/lib/liba.so");
	rb_sample(&sb, T0 + 3 * MS, 1, MS, 0, 0, f, 2);
	rb_unmap(&sb, T0 + 4 * MS, 0x7000000, 0x7001000);
	rb_mapping(&sb, T0 + 5 * MS, 0x7000000, 0x7002000, 0x3000, NULL, 0, "/lib/libb.so");
	rb_sample(&sb, T0 + 6 * MS, 1, MS, 0, 0, f, 2);
	rb_sample(&sb, T0 + 7 * MS, 1, MS, 0, 0, f, 2);
	/* the executable's mapping recorded again, unchanged: still one mapping */
	rb_mapping(&sb, T0 + 7 * MS + 1, 0x1000, 0x2000, 0, NULL, 0, "/bin/main");
	/* written late by another thread's buffer, taken while liba was mapped */
	rb_sample(&sb, T0 + 3 * MS + 500, 1, MS, 0, 0, f, 2);
	rb_end(&sb, T0 + 8 * MS, 5, 0);
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	cprof_err err;
	assert_int_equal(read_raw(&sb, &p, &w, &err), 0);
	assert_int_equal(p->nsamples, 5);
	const char *want[] = { "main+0x10;liba.so+0x10", "main+0x10;liba.so+0x10",
			       "main+0x10;liba.so+0x10", "main+0x10;libb.so+0x3010",
			       "main+0x10;libb.so+0x3010" };
	for (int i = 0; i < 5; i++) {
		strbuf s = STRBUF_INIT;
		stack_str(p, p->samples[i].stack, &s);
		assert_string_equal(s.buf, want[i]);
		sb_release(&s);
	}
	assert_int_equal(w.n, 0);
	assert_int_equal(p->nmappings, 3);
	/* main+0x10 is one location in every epoch, so equal stacks are one */
	assert_int_equal(p->samples[3].stack, p->samples[4].stack);
	sb_release(&sb);
	sb_release(&w.all);
	prof_free(p);
}

/* Cut the file at every byte: never a crash; before INFO is complete an
 * error, after it a profile whose sample count grows with the cut and a
 * warning saying how much was read. */
static void test_truncated_everywhere(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	build_abc(&sb);
	size_t info_end = 16 + CPROF_RAW_ALIGN(8 + sizeof(struct cprof_raw_info) + 12 + 9);
	size_t last = 0;
	for (size_t cut = 0; cut < sb.len; cut++) {
		strbuf part = STRBUF_INIT;
		sb_add(&part, sb.buf, cut);
		warns w = { STRBUF_INIT, 0 };
		profile *p;
		cprof_err err;
		int r = read_raw(&part, &p, &w, &err);
		if (cut < info_end) {
			assert_int_equal(r, -1);
		} else {
			assert_int_equal(r, 0);
			assert_true(p->nsamples >= last);
			last = p->nsamples;
			/* mid-record: "truncated at byte N"; on a record
			 * boundary: "no END record" */
			assert_true(strstr(w.all.buf, "truncated at byte") ||
				    strstr(w.all.buf, "no END record"));
			if (cut % 8)
				assert_non_null(strstr(w.all.buf, "truncated at byte"));
			assert_non_null(strstr(w.all.buf, "samples)"));
			prof_free(p);
		}
		sb_release(&w.all);
		sb_release(&part);
	}
	assert_int_equal(last, 5);
	sb_release(&sb);
}

/* Each thread's samples in order, the file not: the merge path. Ties keep
 * file order. A thread out of order: the radix path, same result. */
static void check_time_order(bool per_thread_sorted)
{
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, MS, T0, CPROF_MODE_CPU, "/bin/x", "", 0);
	uint64_t f[1];
	/* thread t, sample k at time (3k + t) ms, drained in chunks of 4;
	 * thread 2's sample 5 duplicates thread 0's time 15 ms */
	for (int chunk = 0; chunk < 3; chunk++)
		for (uint32_t t = 0; t < 3; t++)
			for (int k = chunk * 4; k < chunk * 4 + 4; k++) {
				uint64_t ms = (uint64_t)(3 * k) + t;
				if (t == 2 && k == 5)
					ms = 15;
				f[0] = 0x1000 + t * 0x100 + (uint64_t)k;
				rb_sample(&sb, T0 + ms * MS, 10 + t, MS, 0, 0, f, 1);
			}
	if (!per_thread_sorted) {
		f[0] = 0x9999;
		rb_sample(&sb, T0 + 1 * MS, 10, MS, 0, 0, f, 1); /* thread 10 goes back */
	}
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	cprof_err err;
	assert_int_equal(read_raw(&sb, &p, &w, &err), 0);
	size_t n = per_thread_sorted ? 36 : 37;
	assert_int_equal(p->nsamples, n);
	for (size_t i = 1; i < n; i++)
		assert_true(p->samples[i - 1].time_ns <= p->samples[i].time_ns);
	/* the tie at 15 ms: thread 10 (written first) before thread 12 */
	for (size_t i = 0; i + 1 < n; i++)
		if (p->samples[i].time_ns == 15 * (int64_t)MS && p->samples[i + 1].time_ns == 15 * (int64_t)MS) {
			assert_int_equal(p->samples[i].tid, 10);
			assert_int_equal(p->samples[i + 1].tid, 12);
		}
	/* each sample kept its own stack and values through the permutation */
	for (size_t i = 0; i < n; i++) {
		const prof_location *l = &p->locations[p->stacks[p->samples[i].stack].locs[0]];
		if (l->address == 0x9999)
			continue;
		uint64_t t = (l->address - 0x1000) >> 8, k = (l->address - 0x1000) & 0xff;
		assert_int_equal(p->samples[i].tid, 10 + (int32_t)t);
		int64_t want = (t == 2 && k == 5) ? 15 : (int64_t)(3 * k + t);
		assert_int_equal(p->samples[i].time_ns, want * (int64_t)MS);
		assert_int_equal(prof_sample_values(p, i)[1], MS);
	}
	prof_free(p);
	sb_release(&sb);
	sb_release(&w.all);
}

static void test_time_order_merge_and_radix(void **state)
{
	(void)state;
	check_time_order(true);
	check_time_order(false);
}

/* A file of several threads, label sets, off-CPU samples and a library
 * mapped halfway (so a frame resolves by the sample's time), written out
 * of time order as per-thread buffers drain, cut short at the end. In
 * version 2 the stacks are STACK records and the samples STACK_SAMPLEs,
 * but for every 17th, a full SAMPLE (the recorder's fallback). */
static void build_mixed_v(strbuf *sb, int version)
{
	bool defined[32] = { false };
	static const char *const kv1[] = { "k", "1" }, *const kv2[] = { "k", "2" };
	rb_header_v(sb, (uint16_t)version);
	rb_info(sb, MS, T0, CPROF_MODE_WALL, "/bin/x", "x", 1);
	rb_mapping(sb, T0, 0x400000, 0x500000, 0, (const unsigned char *)"\x01", 1, "/bin/x");
	rb_labelset(sb, 1, kv1, 1);
	rb_labelset(sb, 2, kv2, 1);
	uint64_t x = 88172645463325252ULL;
	for (int chunk = 0; chunk < 40; chunk++) {
		if (chunk == 20)
			rb_mapping(sb, T0 + 400 * MS, 0x700000, 0x710000, 0,
				   (const unsigned char *)"\x02", 1, "/lib/late.so");
		for (uint32_t t = 0; t < 3; t++)
			for (int k = 0; k < 8; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				uint64_t f[4] = { 0x400100 + (x & 1) * 0x10, 0x700010, 0x400200 + (x >> 2 & 1),
						  0x400300 };
				uint16_t n = (uint16_t)(2 + (x >> 3) % 3);
				if (!((x >> 5) & 1))
					f[1] = 0x400150; /* not in the late library */
				uint64_t ms = (uint64_t)(chunk * 8 + k) * 3 + t;
				uint64_t w = (x >> 7 & 1) ? MS : MS + (x >> 8 & 7);
				uint32_t ls = k ? 0 : (uint32_t)(x >> 9) % 3;
				uint16_t fl = (x >> 11 & 7) ? 0 : CPROF_SAMPLE_OFFCPU;
				unsigned key = (unsigned)((x & 1) | (f[1] == 0x400150) << 1 |
							  (x >> 2 & 1) << 2 | (unsigned)(n - 2) << 3);
				if (version == 1 || (chunk * 24 + t * 8 + k) % 17 == 0) {
					rb_sample(sb, T0 + ms * MS, 100 + t, w, ls, fl, f, n);
					continue;
				}
				if (!defined[key]) {
					rb_stack(sb, key + 1, 0, f, n);
					defined[key] = true;
				}
				rb_stack_sample(sb, T0 + ms * MS, 100 + t, key + 1, w, MS, ls, fl);
			}
	}
	sb_add(sb, "\x40\0\0\0\4\0", 6); /* a SAMPLE record cut short */
}

static void build_mixed(strbuf *sb)
{
	build_mixed_v(sb, 1);
}

/* Version 1 files (every sample a SAMPLE record, as recorders wrote
 * before STACK records) and version 2 files of the same samples read into
 * the same model; a version 2 file is a fraction of the size. */
static void test_v1_and_v2_same_model(void **state)
{
	(void)state;
	strbuf s1 = STRBUF_INIT, s2 = STRBUF_INIT;
	build_mixed_v(&s1, 1);
	build_mixed_v(&s2, 2);
	assert_true(s2.len * 2 < s1.len);
	warns w1 = { STRBUF_INIT, 0 }, w2 = { STRBUF_INIT, 0 };
	profile *p1, *p2;
	cprof_err err;
	assert_int_equal(read_raw(&s1, &p1, &w1, &err), 0);
	assert_int_equal(read_raw(&s2, &p2, &w2, &err), 0);
	assert_int_equal(p1->nsamples, 960);
	assert_int_equal(p2->nsamples, p1->nsamples);
	assert_int_equal(p2->nstacks, p1->nstacks);
	assert_int_equal(p2->nlocations, p1->nlocations);
	assert_memory_equal(p1->samples, p2->samples, p1->nsamples * sizeof(prof_sample));
	assert_memory_equal(p1->values, p2->values, p1->nsamples * 2 * sizeof(int64_t));
	for (uint32_t i = 0; i < p1->nstacks; i++) {
		assert_int_equal(p1->stacks[i].depth, p2->stacks[i].depth);
		for (uint32_t k = 0; k < p1->stacks[i].depth; k++) {
			const prof_location *a = &p1->locations[p1->stacks[i].locs[k]];
			const prof_location *b = &p2->locations[p2->stacks[i].locs[k]];
			assert_int_equal(a->address, b->address);
			assert_int_equal(a->mapping, b->mapping);
		}
	}
	prof_free(p1);
	prof_free(p2);
	sb_release(&w1.all);
	sb_release(&w2.all);
	sb_release(&s1);
	sb_release(&s2);
}

/* A STACK_SAMPLE that names no STACK is dropped and counted; a STACK id
 * defined twice keeps its first definition, with a warning. */
static void test_unknown_and_duplicate_stacks(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, MS, T0, CPROF_MODE_CPU, "/bin/x", "x", 1);
	rb_stack(&sb, 5, 0, F_A, 3);
	rb_stack(&sb, 5, 0, F_B, 3);
	rb_stack(&sb, 6, CPROF_SAMPLE_TRUNCATED, F_AC, 4);
	rb_stack_sample(&sb, T0 + MS, 7, 5, MS, MS, 0, 0);
	rb_stack_sample(&sb, T0 + 2 * MS, 7, 99, MS, MS, 0, 0);
	rb_stack_sample(&sb, T0 + 3 * MS, 7, 6, 3 * MS, MS, 0, 0);
	rb_end(&sb, T0 + 4 * MS, 3, 0);
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	cprof_err err;
	assert_int_equal(read_raw(&sb, &p, &w, &err), 0);
	assert_int_equal(p->nsamples, 2);
	assert_int_equal(p->locations[p->stacks[p->samples[0].stack].locs[0]].address, F_A[0]);
	assert_int_equal(prof_sample_values(p, 0)[1], MS);
	assert_int_equal(prof_sample_values(p, 1)[1], 3 * MS);
	assert_int_equal(p->stacks[p->samples[1].stack].depth, 5); /* + [truncated] */
	assert_non_null(strstr(w.all.buf, "1 samples refer to unknown stacks"));
	assert_non_null(strstr(w.all.buf, "id 5 defined twice"));
	assert_non_null(strstr(w.all.buf, "1 of 2 samples had stacks deeper"));
	prof_free(p);
	sb_release(&w.all);
	sb_release(&sb);
}

/* prof_read_opts.aggregate: a model sample per (stack, label set, thread,
 * flags), read from a file in chunks, groups exactly as the full model
 * does; each in the order and with the time of its first sample; the
 * warnings count raw samples. */
static void test_aggregated_streamed_read(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	build_mixed(&sb);
	char path[] = "/tmp/test_rawread.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, sb.buf, sb.len), (ssize_t)sb.len);
	close(fd);

	warns wf = { STRBUF_INIT, 0 }, wa = { STRBUF_INIT, 0 };
	prof_read_opts o = { .no_symbolize = true, .warn = collect, .warn_ctx = &wf };
	profile *full, *agg;
	cprof_err err;
	assert_int_equal(prof_read_mem((unsigned char *)sb.buf, sb.len, &o, &full, &err), 0);
	o.aggregate = true;
	o.warn_ctx = &wa;
	assert_int_equal(prof_read_file(path, &o, &agg, &err), 0);
	unlink(path);
	assert_int_equal(full->nsamples, 40 * 3 * 8);
	assert_true(agg->nsamples < full->nsamples / 4);
	assert_string_equal(wf.all.buf, wa.all.buf);
	assert_non_null(strstr(wa.all.buf, "truncated at byte"));
	assert_non_null(strstr(wa.all.buf, "960 samples"));
	assert_int_equal(agg->nstacks, full->nstacks);
	assert_int_equal(agg->nlocations, full->nlocations);
	assert_int_equal(agg->duration_nanos, full->duration_nanos);

	prof_group_opts go = { .by_labels = true, .by_thread = true, .sorted = true };
	prof_groups gf, ga;
	prof_group_samples(full, &go, &gf);
	prof_group_samples(agg, &go, &ga);
	assert_int_equal(gf.n, ga.n);
	assert_memory_equal(gf.g, ga.g, gf.n * sizeof(prof_group));
	assert_memory_equal(gf.values, ga.values, gf.n * 2 * sizeof(int64_t));
	/* first appearances in time order */
	size_t k = 0;
	for (size_t i = 0; i < full->nsamples; i++) {
		const prof_sample *s = &full->samples[i];
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = agg->samples[j].stack == s->stack && agg->samples[j].labelset == s->labelset &&
			       agg->samples[j].tid == s->tid && agg->samples[j].flags == s->flags;
		if (seen)
			continue;
		assert_true(k < agg->nsamples);
		assert_int_equal(agg->samples[k].stack, s->stack);
		assert_int_equal(agg->samples[k].tid, s->tid);
		assert_int_equal(agg->samples[k].time_ns, s->time_ns);
		k++;
	}
	assert_int_equal(k, agg->nsamples);
	prof_groups_free(&gf);
	prof_groups_free(&ga);
	prof_free(full);
	prof_free(agg);
	sb_release(&wf.all);
	sb_release(&wa.all);
	sb_release(&sb);
}

static void test_incomplete_unknown_malformed(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	rb_header(&sb);
	rb_info(&sb, MS, T0, CPROF_MODE_CPU, "/bin/x", "", 0);
	rb_sample(&sb, T0 + MS, 1, MS, 0, 0, F_A, 3);
	/* a record the recorder reserved but never completed (type 0) */
	rb_rec(&sb, CPROF_RAW_INCOMPLETE, "12345678", 8, NULL, 0, NULL, 0);
	/* a record type from the future */
	rb_rec(&sb, 99, "abcdefgh", 8, NULL, 0, NULL, 0);
	/* a sample that claims 65535 frames in a short body */
	struct cprof_raw_sample hs = { T0 + 2 * MS, MS, 1, 0, 65535, 0, 0 };
	rb_rec(&sb, CPROF_RAW_SAMPLE, &hs, sizeof(hs), F_A, 24, NULL, 0);
	/* a label set that claims 2^31 entries */
	struct cprof_raw_labelset hl = { 3, 0x80000000u };
	rb_rec(&sb, CPROF_RAW_LABELSET, &hl, sizeof(hl), "\x01\x00\x01\x00kv", 6, NULL, 0);
	/* a sample using that (never accepted) label set */
	rb_sample(&sb, T0 + 3 * MS, 1, MS, 3, 0, F_A, 3);
	/* a mapping with an empty range */
	rb_mapping(&sb, T0, 0x5000, 0x5000, 0, NULL, 0, "/bin/bad");
	rb_note(&sb, T0, "SIGPROF handler replaced by the program");
	rb_sample(&sb, T0 - 5 * MS, 1, MS, 0, 0, F_A, 3); /* before the start */
	rb_end(&sb, T0 + 4 * MS, 3, 0);
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	cprof_err err;
	assert_int_equal(read_raw(&sb, &p, &w, &err), 0);
	assert_int_equal(p->nsamples, 3);
	assert_int_equal(p->nmappings, 0);
	assert_int_equal(p->samples[0].time_ns, 0); /* clamped, and first */
	assert_int_equal(p->samples[2].labelset, 0);
	assert_non_null(strstr(w.all.buf, "1 samples are timestamped before the recording's start"));
	assert_non_null(strstr(w.all.buf, "1 incomplete records"));
	assert_non_null(strstr(w.all.buf, "1 records of unknown types"));
	assert_non_null(strstr(w.all.buf, "3 malformed records"));
	assert_non_null(strstr(w.all.buf, "1 samples refer to unknown label sets"));
	assert_non_null(strstr(w.all.buf, "recorder warning: SIGPROF handler replaced"));
	sb_release(&sb);
	sb_release(&w.all);
	prof_free(p);
}

static void test_bad_headers_are_errors(void **state)
{
	(void)state;
	cprof_err err;
	warns w = { STRBUF_INIT, 0 };
	profile *p;
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "CPROFRAX\x01\x00\x10\x00\x04\x03\x02\x01");
	assert_int_equal(read_raw(&sb, &p, &w, &err), -1);
	assert_non_null(strstr(err.msg, "magic"));
	sb_reset(&sb);
	rb_header(&sb);
	rb_end(&sb, T0, 0, 0);
	assert_int_equal(read_raw(&sb, &p, &w, &err), -1);
	assert_non_null(strstr(err.msg, "INFO"));
	sb_release(&sb);
	sb_release(&w.all);
}

/* Through the format-detecting reader, plain and gzipped. */
static void test_reader_detects_raw_and_gzip(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT, gz = STRBUF_INIT;
	build_abc(&sb);
	assert_string_equal(prof_detect_format((unsigned char *)sb.buf, sb.len), "raw");
	cprof_err err;
	assert_int_equal(gz_deflate((unsigned char *)sb.buf, sb.len, &gz, &err), 0);
	prof_read_opts o = { 0 };
	o.no_symbolize = true;
	profile *a, *b;
	assert_int_equal(prof_read_mem((unsigned char *)sb.buf, sb.len, &o, &a, &err), 0);
	assert_int_equal(prof_read_mem((unsigned char *)gz.buf, gz.len, &o, &b, &err), 0);
	assert_int_equal(a->nsamples, 5);
	assert_int_equal(b->nsamples, 5);
	assert_memory_equal(a->samples, b->samples, 5 * sizeof(prof_sample));
	prof_free(b);
	assert_int_equal(prof_read_mem((unsigned char *)"", 0, &o, &b, &err), -1);
	assert_string_equal(err.msg, "empty input");
	assert_int_equal(prof_read_mem((unsigned char *)"\x00\x01\x02\xff", 4, &o, &b, &err), -1);
	assert_non_null(strstr(err.msg, "unrecognized format"));
	/* a pprof written from it reads back through detection (gzip, then pprof) */
	strbuf pb = STRBUF_INIT;
	assert_int_equal(pprof_write(a, NULL, &pb, &err), 0);
	assert_string_equal(prof_detect_format((unsigned char *)pb.buf, pb.len), "pprof.gz");
	assert_int_equal(prof_read_mem((unsigned char *)pb.buf, pb.len, &o, &b, &err), 0);
	assert_string_equal(b->source_format, "pprof");
	int64_t total = 0;
	for (size_t i = 0; i < b->nsamples; i++)
		total += prof_sample_values(b, i)[0];
	assert_int_equal(total, 5);
	prof_free(b);
	sb_reset(&pb);
	assert_int_equal(pprof_encode(a, NULL, &pb, &err), 0);
	assert_string_equal(prof_detect_format((unsigned char *)pb.buf, pb.len), "pprof");
	sb_release(&pb);
	prof_free(a);
	sb_release(&sb);
	sb_release(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc_model),
		cmocka_unit_test(test_wall_mode_offcpu),
		cmocka_unit_test(test_mappings_over_time),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_truncated_stack_root),
		cmocka_unit_test(test_time_order_merge_and_radix),
		cmocka_unit_test(test_aggregated_streamed_read),
		cmocka_unit_test(test_v1_and_v2_same_model),
		cmocka_unit_test(test_unknown_and_duplicate_stacks),
		cmocka_unit_test(test_incomplete_unknown_malformed),
		cmocka_unit_test(test_bad_headers_are_errors),
		cmocka_unit_test(test_reader_detects_raw_and_gzip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
