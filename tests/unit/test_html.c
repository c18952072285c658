/* Unit tests of html (the report's JSON and page) and speedscope (its file format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "html.h"
#include "speedscope.h"

#define EVIL "<img src=x onerror=alert(1)>"
#define BREAKOUT "</script><!--x"

/* A small raw-like profile: thread 100 "abc" runs main;A, main;B, main;C;A,
 * thread 101 "worker" runs worker;EVIL and worker;BREAKOUT; one sample per
 * millisecond, 10 ms each, the last few off-CPU with a label. */
static profile *make_profile(bool timestamps)
{
	profile *p = prof_new();
	prof_value_type vt[2] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, vt, 2);
	p->default_type = 1;
	p->has_timestamps = timestamps;
	p->source_format = prof_intern(p, timestamps ? "raw" : "folded");
	if (timestamps) {
		p->mode = prof_intern(p, "wall");
		prof_set_thread_name(p, 100, "abc");
		prof_set_thread_name(p, 101, "worker");
	}
	const char *names[] = { "main", "A", "B", "C", "worker", EVIL, BREAKOUT };
	uint32_t loc[7];
	for (int i = 0; i < 7; i++) {
		prof_line l = { prof_intern_function(p, names[i], names[i], "abc.c", 10 * i), 10 * i + 1, 0 };
		loc[i] = prof_add_location(p, PROF_NONE, 0x1000 + 16 * i, &l, 1);
	}
	uint32_t st[5];
	uint32_t s0[] = { loc[1], loc[0] }, s1[] = { loc[2], loc[0] }, s2[] = { loc[1], loc[3], loc[0] };
	uint32_t s3[] = { loc[5], loc[4] }, s4[] = { loc[6], loc[4] };
	st[0] = prof_intern_stack(p, s0, 2);
	st[1] = prof_intern_stack(p, s1, 2);
	st[2] = prof_intern_stack(p, s2, 3);
	st[3] = prof_intern_stack(p, s3, 2);
	st[4] = prof_intern_stack(p, s4, 2);
	prof_label lb = { prof_intern(p, "endpoint"), prof_intern(p, "/users"), 0, NULL };
	uint32_t ls = prof_intern_labelset(p, &lb, 1);
	for (int i = 0; i < 40; i++) {
		int64_t v[2] = { 1, 10000000 };
		int s = i % 5;
		prof_add_sample(p, st[s], i >= 30 ? ls : 0, v, timestamps ? 1000000LL * (i + 1) : -1,
				timestamps ? (s >= 3 ? 101 : 100) : -1, i >= 35 ? PROF_SAMPLE_OFFCPU : 0);
	}
	return p;
}

static cJSON *json_of(const profile *p)
{
	strbuf sb = STRBUF_INIT;
	cprof_err err;
	html_opts o = { .title = "t" };
	assert_int_equal(html_json(p, &o, &sb, &err), 0);
	cJSON *j = cJSON_Parse(sb.buf);
	assert_non_null(j);
	sb_release(&sb);
	return j;
}

/* The entries of a {"base","z"} column: base64 -> raw inflate -> zigzag
 * varints, decoded once per column object (the last one is remembered). */
static double z_at(cJSON *c, int i)
{
	static cJSON *last;
	static double *vals;
	static size_t nvals;
	if (c != last) {
		const char *s = cJSON_GetObjectItem(c, "z")->valuestring;
		size_t n = strlen(s), nb = 0;
		unsigned char *bin = malloc(n + 1), *raw = NULL;
		uint32_t acc = 0;
		int bits = 0;
		static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		for (size_t k = 0; k < n && s[k] != '='; k++) {
			acc = acc << 6 | (uint32_t)(strchr(tab, s[k]) - tab);
			if ((bits += 6) >= 8)
				bin[nb++] = (unsigned char)(acc >> (bits -= 8));
		}
		size_t cap = 1024 * nb + 65536; /* a repetitive column deflates a lot */
		raw = malloc(cap);
		z_stream zs = { .next_in = bin, .avail_in = (uInt)nb, .next_out = raw, .avail_out = (uInt)cap };
		assert_int_equal(inflateInit2(&zs, -15), Z_OK);
		assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
		size_t nraw = cap - zs.avail_out;
		inflateEnd(&zs);
		free(vals);
		vals = malloc((nraw + 1) * sizeof(*vals));
		nvals = 0;
		double base = cJSON_GetObjectItem(c, "base")->valuedouble;
		cJSON *bytes = cJSON_GetObjectItem(c, "bytes");
		if (bytes) { /* W byte planes: every entry's byte 0, then byte 1, ... */
			size_t w = (size_t)bytes->valueint, ne = nraw / w;
			assert_true(w >= 1 && w <= 4 && ne * w == nraw);
			for (size_t e = 0; e < ne; e++) {
				uint64_t u = 0;
				for (size_t k = w; k-- > 0;)
					u = u << 8 | raw[k * ne + e];
				vals[nvals++] = base + (double)u;
			}
			nraw = 0;
		}
		for (size_t k = 0; k < nraw;) {
			uint64_t u = 0;
			int shift = 0;
			while (raw[k] & 0x80)
				u |= (uint64_t)(raw[k++] & 0x7f) << shift, shift += 7;
			u |= (uint64_t)raw[k++] << shift;
			vals[nvals++] = base + (double)(int64_t)((u >> 1) ^ -(u & 1));
		}
		free(bin);
		free(raw);
		last = c;
	}
	assert_true(i >= 0 && (size_t)i < nvals);
	return vals[i];
}

/* Entry i of a column in any of its forms: V, [..], {"runs"}, {"base","d"},
 * {"base","i32"}, {"base","z"}. */
static double col_at(cJSON *c, int i)
{
	if (cJSON_GetObjectItem(c, "z"))
		return z_at(c, i);
	if (cJSON_IsNumber(c))
		return c->valuedouble;
	if (cJSON_IsArray(c))
		return cJSON_GetArrayItem(c, i)->valuedouble;
	cJSON *runs = cJSON_GetObjectItem(c, "runs");
	if (runs) {
		int n = cJSON_GetArraySize(runs);
		for (int j = 0; j < n; j += 2) {
			int cnt = cJSON_GetArrayItem(runs, j + 1)->valueint;
			if (i < cnt)
				return cJSON_GetArrayItem(runs, j)->valuedouble;
			i -= cnt;
		}
		fail();
	}
	cJSON *b64 = cJSON_GetObjectItem(c, "i32");
	if (b64) { /* little-endian int32 in base64 */
		const char *s = b64->valuestring;
		unsigned char b[4];
		for (int k = 0; k < 4; k++) {
			int pos = 4 * i + k, q = pos / 3 * 4, r = pos % 3;
			uint32_t w = 0;
			for (int m = 0; m < 4; m++) {
				const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
				const char *at = strchr(tab, s[q + m]);
				w = w << 6 | (uint32_t)(at && s[q + m] != '=' ? at - tab : 0);
			}
			b[k] = (unsigned char)(w >> (16 - 8 * r));
		}
		int32_t x = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
		return cJSON_GetObjectItem(c, "base")->valuedouble + x;
	}
	cJSON *d = cJSON_GetObjectItem(c, "d");
	assert_non_null(d);
	return cJSON_GetObjectItem(c, "base")->valuedouble + cJSON_GetArrayItem(d, i)->valuedouble;
}

static int str_index(cJSON *strings, const char *s)
{
	int n = cJSON_GetArraySize(strings), found = -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(cJSON_GetArrayItem(strings, i)->valuestring, s)) {
			assert_int_equal(found, -1); /* interned: at most once */
			found = i;
		}
	return found;
}

static void test_json_interns_strings_frames_and_stack_prefixes(void **state)
{
	(void)state;
	profile *p = make_profile(true);
	cJSON *j = json_of(p);
	cJSON *strings = cJSON_GetObjectItem(j, "strings");
	assert_int_equal(str_index(strings, ""), 0);
	assert_true(str_index(strings, "main") > 0);
	assert_true(str_index(strings, EVIL) > 0);
	assert_true(str_index(strings, "abc.c") > 0);
	/* 7 distinct (name, file, line) frames */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "frames")), 7 * 3);
	/* prefix tree: main, main;A, main;B, main;C, main;C;A, worker, worker;EVIL, worker;BREAKOUT */
	cJSON *parents = cJSON_GetObjectItem(j, "nodeParent");
	assert_int_equal(cJSON_GetObjectItem(j, "nodes")->valueint, 8);
	assert_int_equal(cJSON_GetArraySize(parents), 8);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "nodeFrame")), 8);
	for (int i = 0; i < 8; i++) { /* parents (stored as id - parent, 0 for roots) come first */
		int d = cJSON_GetArrayItem(parents, i)->valueint;
		assert_true(d >= 0 && d <= i);
	}
	assert_int_equal(cJSON_GetArrayItem(parents, 0)->valueint, 0);
	assert_int_equal(cJSON_GetArrayItem(parents, 1)->valueint, 1); /* main;A under main */
	cJSON *s = cJSON_GetObjectItem(j, "samples");
	assert_int_equal(cJSON_GetObjectItem(s, "n")->valueint, 40);
	/* constant columns collapse to one number, varying ones stay arrays */
	cJSON *vals = cJSON_GetObjectItem(s, "values");
	assert_true(cJSON_IsNumber(cJSON_GetArrayItem(vals, 0)));
	assert_int_equal(cJSON_GetArrayItem(vals, 1)->valuedouble, 10000000);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(s, "stack")));
	/* samples are written grouped by thread (sorted by tid), each run in
	 * time order; the time deltas add up to each sample's time */
	cJSON *t = cJSON_GetObjectItem(s, "time"), *thr = cJSON_GetObjectItem(s, "thread");
	cJSON *flags = cJSON_GetObjectItem(s, "flags"), *lsc = cJSON_GetObjectItem(s, "labelset");
	double sum = 0, prev = -1;
	int seen[41] = { 0 }, nflags = 0, nls = 0;
	for (int i = 0; i < 40; i++) {
		sum += col_at(t, i);
		int k = (int)col_at(thr, i);
		assert_int_equal(k, i < 24 ? 0 : 1); /* 24 samples of tid 100, then 16 of 101 */
		if (i != 24)
			assert_true(sum > prev);
		prev = sum;
		int ms = (int)(sum / 1000000.0);
		assert_true(sum == 1000000.0 * ms && ms >= 1 && ms <= 40 && !seen[ms]);
		seen[ms] = 1;
		assert_int_equal(k, (ms - 1) % 5 >= 3 ? 1 : 0);
		nflags += (int)col_at(flags, i);
		nls += (int)col_at(lsc, i);
	}
	assert_int_equal(nflags, 5);
	assert_int_equal(nls, 10);
	/* threads sorted by tid, named */
	cJSON *th = cJSON_GetObjectItem(j, "threads");
	assert_int_equal(cJSON_GetArraySize(th), 2);
	assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(th, 0), 0)->valueint, 100);
	assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(th, 1), 1)->valueint, str_index(strings, "worker"));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "hasTimestamps")));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "meta"), "mode")->valuestring, "wall");
	cJSON_Delete(j);
	prof_free(p);
}

static void test_json_without_timestamps_has_no_timeline_columns(void **state)
{
	(void)state;
	profile *p = make_profile(false);
	cJSON *j = json_of(p);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(j, "hasTimestamps")));
	assert_null(cJSON_GetObjectItem(j, "threads"));
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "samples"), "time"));
	cJSON_Delete(j);
	prof_free(p);
}

/* Fills the file mkstemps makes from path (a "XXXXXX.c" template) with
 * "line 1" ... "line 100". */
static void write_source_file(char *path)
{
	int fd = mkstemps(path, 2);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	for (int i = 1; i <= 100; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
}

/* A hostile line number near INT64_MAX: the range saturates (it overflowed,
 * undefined, and wrapped to an empty range that dropped the file). */
static void test_sources_huge_line_number(void **state)
{
	(void)state;
	char path[] = "/tmp/cprof-test-src.XXXXXX.c";
	write_source_file(path);
	profile *p = prof_new();
	prof_value_type vt = { "samples", "count" };
	prof_set_sample_types(p, &vt, 1);
	prof_line l[2] = {
		{ prof_intern_function(p, "f", "f", path, 40), 40, 0 },
		{ prof_intern_function(p, "g", "g", path, 1), INT64_MAX - 1, 0 },
	};
	uint32_t locs[2];
	for (int i = 0; i < 2; i++)
		locs[i] = prof_add_location(p, PROF_NONE, 0x10 + (uint64_t)i, &l[i], 1);
	int64_t v = 1;
	prof_add_sample(p, prof_intern_stack(p, locs, 2), 0, &v, -1, -1, 0);
	cJSON *j = json_of(p);
	cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "sources"), path);
	assert_non_null(a);
	assert_int_equal(cJSON_GetArrayItem(a, 0)->valueint, 35);
	assert_int_equal(cJSON_GetArraySize(a), 1 + (100 - 35 + 1)); /* to the file's end */
	cJSON_Delete(j);
	prof_free(p);
	unlink(path);
}

/* The source view's lines: around the lines named, from regular files only. */
static void test_sources_embed_lines_around_those_named(void **state)
{
	(void)state;
	char path[] = "/tmp/cprof-test-src.XXXXXX.c";
	write_source_file(path);
	char secret[] = "/tmp/cprof-test-secret.XXXXXX"; /* like ~/.ssh/id_rsa: no source name */
	int sfd = mkstemp(secret);
	assert_true(sfd >= 0);
	assert_int_equal(write(sfd, "key\n", 4), 4);
	close(sfd);
	profile *p = prof_new();
	prof_value_type vt = { "samples", "count" };
	prof_set_sample_types(p, &vt, 1);
	prof_line l[4] = {
		{ prof_intern_function(p, "f", "f", path, 40), 40, 0 },
		{ prof_intern_function(p, "g", "g", path, 60), 62, 0 },
		{ prof_intern_function(p, "z", "z", "/dev/zero", 1), 1, 0 },
		{ prof_intern_function(p, "s", "s", secret, 1), 1, 0 },
	};
	uint32_t locs[4];
	for (int i = 0; i < 4; i++)
		locs[i] = prof_add_location(p, PROF_NONE, 0x10 + (uint64_t)i, &l[i], 1);
	int64_t v = 1;
	prof_add_sample(p, prof_intern_stack(p, locs, 4), 0, &v, -1, -1, 0);
	cJSON *j = json_of(p);
	cJSON *src = cJSON_GetObjectItem(j, "sources");
	assert_non_null(src);
	/* /dev/zero is not read, nor a readable file without a source name */
	assert_int_equal(cJSON_GetArraySize(src), 1);
	cJSON *a = cJSON_GetObjectItem(src, path);
	assert_non_null(a);
	assert_int_equal(cJSON_GetArrayItem(a, 0)->valueint, 35); /* 40 - HTML_SRC_CONTEXT */
	assert_int_equal(cJSON_GetArraySize(a), 1 + (67 - 35 + 1)); /* to 62 + 5 */
	assert_string_equal(cJSON_GetArrayItem(a, 1)->valuestring, "line 35");
	assert_string_equal(cJSON_GetArrayItem(a, 1 + 67 - 35)->valuestring, "line 67");
	cJSON_Delete(j);

	strbuf sb = STRBUF_INIT;
	cprof_err err;
	html_opts o = { .no_source = true };
	assert_int_equal(html_json(p, &o, &sb, &err), 0);
	j = cJSON_Parse(sb.buf);
	assert_null(cJSON_GetObjectItem(j, "sources"));
	cJSON_Delete(j);
	sb_release(&sb);
	prof_free(p);
	unlink(path);
	unlink(secret);
}

static void test_columns_take_their_shortest_form(void **state)
{
	(void)state;
	profile *p = make_profile(true);
	/* weights near 1 ms with jitter; one idle gap in the times */
	for (size_t i = 0; i < p->nsamples; i++)
		p->values[i * 2 + 1] = 1000000 + (int64_t)(i % 3) * 7;
	p->samples[20].time_ns += 50000000;
	cJSON *j = json_of(p);
	cJSON *s = cJSON_GetObjectItem(j, "samples");
	cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "values"), 1);
	assert_true(cJSON_IsObject(w));
	double base = cJSON_GetObjectItem(w, "base")->valuedouble; /* the median */
	assert_true(base >= 1000000 && base <= 1000014);
	double sum = 0;
	for (int i = 0; i < 40; i++)
		sum += col_at(w, i);
	assert_true(sum == 40 * 1000000.0 + 7 * (13 + 2 * 13)); /* every entry decodes back */
	cJSON *thr = cJSON_GetObjectItem(s, "thread");
	assert_non_null(cJSON_GetObjectItem(thr, "runs")); /* two runs: tid 100, tid 101 */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(thr, "runs")), 4);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(s, "stack"))); /* no pattern: plain */
	cJSON_Delete(j);
	prof_free(p);
}

/* A column of ns scattered, repeated stack ids, written in form `form`
 * (deflated: in byte planes when `planar` is 1, as varints when 0), decodes
 * back to the samples' stacks (the nodes' frame column too, whatever its
 * form); the weights, spread over more than 2^32, as varints. */
#define BIG_WEIGHT(i) ((i) % 97 == 0 ? INT64_C(5000000000000) : 1000 + (i) % 7)
static void check_big_column(int ns, uint32_t mult, const char *form, int planar)
{
	profile *p = prof_new();
	prof_value_type vt[2] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, vt, 2);
	prof_line l0 = { prof_intern_function(p, "main", "main", "m.c", 1), 1, 0 };
	uint32_t root = prof_add_location(p, PROF_NONE, 0x10, &l0, 1);
	char name[32];
	for (int i = 0; i < ns; i++) {
		int f = (int)(((uint32_t)i * mult) % 2000); /* scattered, repeated */
		snprintf(name, sizeof(name), "f%d", f);
		prof_line l = { prof_intern_function(p, name, name, "m.c", 1), 1, 0 };
		uint32_t locs[2] = { prof_add_location(p, PROF_NONE, 0x1000 + (uint64_t)f, &l, 1), root };
		int64_t v[2] = { 1, BIG_WEIGHT(i) };
		prof_add_sample(p, prof_intern_stack(p, locs, 2), 0, v, -1, -1, 0);
	}
	cJSON *j = json_of(p);
	cJSON *s = cJSON_GetObjectItem(j, "samples"), *col = cJSON_GetObjectItem(s, "stack");
	assert_non_null(cJSON_GetObjectItem(col, form));
	if (planar >= 0)
		assert_int_equal(cJSON_GetObjectItem(col, "bytes") != NULL, planar); /* byte planes or varints */
	/* the weights span more than 2^32: never byte planes; deflated
	 * varints when long enough */
	cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "values"), 1);
	assert_null(cJSON_GetObjectItem(w, "bytes"));
	if (ns >= 1024)
		assert_non_null(cJSON_GetObjectItem(w, "z"));
	for (int i = 0; i < ns; i++)
		assert_true(col_at(w, i) == (double)BIG_WEIGHT(i));
	cJSON *nframe = cJSON_GetObjectItem(j, "nodeFrame"), *frames = cJSON_GetObjectItem(j, "frames");
	cJSON *strings = cJSON_GetObjectItem(j, "strings");
	int nodes = cJSON_GetObjectItem(j, "nodes")->valueint;
	double *tree = malloc((size_t)nodes * sizeof(*tree));
	for (int k = 0; k < nodes; k++)
		tree[k] = col_at(nframe, k);
	/* a sample's stack: an index into the leaves' nodes (ns / 2000 samples
	 * a leaf), or its node (under 2 a leaf: no leaves) */
	cJSON *leafnode = cJSON_GetObjectItem(j, "leafNode");
	assert_int_equal(leafnode != NULL, ns >= 4000);
	int nleaves = leafnode ? cJSON_GetObjectItem(j, "leaves")->valueint : nodes;
	for (int i = 0; i < ns; i++) {
		int leaf = (int)col_at(col, i);
		assert_true(leaf >= 0 && leaf < nleaves);
		int node = leafnode ? (int)col_at(leafnode, leaf) : leaf;
		assert_true(node >= 0 && node < nodes);
		int fr = (int)tree[node];
		const char *nm = cJSON_GetArrayItem(strings, cJSON_GetArrayItem(frames, 3 * fr)->valueint)->valuestring;
		snprintf(name, sizeof(name), "f%d", (int)(((uint32_t)i * mult) % 2000));
		assert_string_equal(nm, name);
	}
	free(tree);
	cJSON_Delete(j);
	prof_free(p);
}

/* The samples' stacks are indexes into the leaves (the nodes samples point
 * to), the most sampled first, ties by node: main;B 1 sample, main;A 5,
 * main;C 3, main;D 3 -> A, C, D, B (C before D: C's node comes first). */
static void test_leaves_most_sampled_first(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type vt[1] = { { "samples", "count" } };
	prof_set_sample_types(p, vt, 1);
	const char *names[] = { "main", "A", "B", "C", "D" };
	uint32_t loc[5], st[4];
	for (int i = 0; i < 5; i++) {
		prof_line l = { prof_intern_function(p, names[i], names[i], "m.c", 1), 1, 0 };
		loc[i] = prof_add_location(p, PROF_NONE, 0x10 + 16 * (uint64_t)i, &l, 1);
	}
	for (int k = 0; k < 4; k++) {
		uint32_t s2[2] = { loc[k + 1], loc[0] };
		st[k] = prof_intern_stack(p, s2, 2);
	}
	const int order[] = { 1, 0, 0, 2, 3, 0, 2, 3, 0, 3, 2, 0 }; /* B, A A, C, D ... */
	for (int i = 0; i < 12; i++) {
		int64_t v = 1;
		prof_add_sample(p, st[order[i]], 0, &v, -1, -1, 0);
	}
	cJSON *j = json_of(p);
	cJSON *strings = cJSON_GetObjectItem(j, "strings"), *frames = cJSON_GetObjectItem(j, "frames");
	cJSON *nframe = cJSON_GetObjectItem(j, "nodeFrame"), *leafnode = cJSON_GetObjectItem(j, "leafNode");
	cJSON *stack = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "samples"), "stack");
	assert_int_equal(cJSON_GetObjectItem(j, "leaves")->valueint, 4);
	const char *want[] = { "A", "C", "D", "B" };
	for (int k = 0; k < 4; k++) {
		int fr = (int)col_at(nframe, (int)col_at(leafnode, k));
		assert_string_equal(cJSON_GetArrayItem(strings, cJSON_GetArrayItem(frames, 3 * fr)->valueint)->valuestring, want[k]);
	}
	for (int i = 0; i < 12; i++) { /* each sample's leaf names its stack's leaf function */
		int fr = (int)col_at(nframe, (int)col_at(leafnode, (int)col_at(stack, i)));
		assert_string_equal(cJSON_GetArrayItem(strings, cJSON_GetArrayItem(frames, 3 * fr)->valueint)->valuestring,
				    names[order[i] + 1]);
	}
	cJSON_Delete(j);
	prof_free(p);
}

static void test_big_columns_in_base64_decode_back(void **state)
{
	(void)state;
	check_big_column(1000, 7919, "i32", 0); /* under HTML_ZCOL_MIN entries: never deflated */
	check_big_column(3000, 7919, "z", -1); /* a period of 2000: either form */
	check_big_column(20000, 7919, "z", 1); /* leaves all over 0..2000, each as often: byte planes */
	check_big_column(20000, 2654435761u, "z", -1); /* some leaves more often (small numbers): either form */
}

/* The flame nodes, numbered by the viewer in the order of their first stack
 * node, come in preorder with each node's children in JavaScript's string
 * order (UTF-16 code units: U+1F600, a surrogate pair, before U+FF61), the
 * children of a function seen at two lines merged: the viewer lists
 * children in id order without sorting them. */
static void test_flame_nodes_in_preorder_by_name(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type vt[1] = { { "samples", "count" } };
	prof_set_sample_types(p, vt, 1);
	const char *fn[] = { "main", "b", "a", "\xef\xbd\xa1", "\xf0\x9f\x98\x80", "\xc3\xa9", "z", "y", "a", "q", "r" };
	uint32_t loc[11];
	for (int i = 0; i < 11; i++) {
		prof_line l = { prof_intern_function(p, fn[i], fn[i], "m.c", 1), i + 1, 0 };
		loc[i] = prof_add_location(p, PROF_NONE, 0x100 + 16 * (uint64_t)i, &l, 1);
	}
	/* leaf first, in an order far from the names': main;b, main;a@3, main;U+FF61,
	 * main;U+1F600, main;é, main;b;z, main;b;y, main;a@9;q, main;a@3;r */
	uint32_t st[][3] = { { loc[1], loc[0] }, { loc[2], loc[0] }, { loc[3], loc[0] }, { loc[4], loc[0] },
			     { loc[5], loc[0] }, { loc[6], loc[1], loc[0] }, { loc[7], loc[1], loc[0] },
			     { loc[9], loc[8], loc[0] }, { loc[10], loc[2], loc[0] } };
	for (int i = 0; i < 9; i++) {
		int64_t v = 1;
		prof_add_sample(p, prof_intern_stack(p, st[i], i < 5 ? 2 : 3), 0, &v, -1, -1, 0);
	}
	cJSON *j = json_of(p);
	cJSON *parents = cJSON_GetObjectItem(j, "nodeParent"), *nframe = cJSON_GetObjectItem(j, "nodeFrame");
	cJSON *frames = cJSON_GetObjectItem(j, "frames"), *strings = cJSON_GetObjectItem(j, "strings");
	cJSON *merges = cJSON_GetObjectItem(j, "merges");
	int nodes = cJSON_GetObjectItem(j, "nodes")->valueint, merged = cJSON_GetObjectItem(j, "merged")->valueint;
	assert_int_equal(nodes, 11);
	assert_int_equal(merged, 1); /* a@9 */
	int fl[12], fparent[12], nf = 1, m = 0, next = (int)col_at(merges, 0);
	const char *fname[12] = { "" };
	for (int i = 0; i < nodes; i++) { /* as the viewer numbers them */
		int d = (int)col_at(parents, i), fr = (int)col_at(nframe, i);
		assert_true(d >= 0 && d <= i);
		if (i == next) {
			fl[i] = (int)col_at(merges, 2 * m + 1);
			if (++m < merged)
				next += (int)col_at(merges, 2 * m);
			continue;
		}
		fparent[nf] = d ? fl[i - d] : 0;
		fname[nf] = cJSON_GetArrayItem(strings, cJSON_GetArrayItem(frames, 3 * fr)->valueint)->valuestring;
		fl[i] = nf++;
	}
	assert_int_equal(nf, 11); /* the root + 10 */
	/* preorder: a walk over the children in id order meets 0, 1, 2, ... */
	int stack[12], sp = 0, seen = 0;
	stack[sp++] = 0;
	while (sp) {
		int f = stack[--sp];
		assert_int_equal(f, seen++);
		for (int c = nf - 1; c > 0; c--)
			if (fparent[c] == f)
				stack[sp++] = c;
	}
	assert_int_equal(seen, nf);
	const char *want[] = { "", "main", "a", "q", "r", "b", "y", "z", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xef\xbd\xa1" };
	for (int f = 1; f < 11; f++)
		assert_string_equal(fname[f], want[f]);
	cJSON_Delete(j);
	prof_free(p);
}

/* The flame graph merges stack nodes by (flame parent, name): a node
 * starts the next flame node unless "merges" lists it (offset from the
 * previous one listed, flame node). Decoded as the viewer does, two nodes
 * share a flame node exactly when their name paths are equal: the same
 * function at two lines merges, the same name under other parents does not. */
static void test_merges_name_the_flame_nodes_of_same_named_nodes(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type vt[1] = { { "samples", "count" } };
	prof_set_sample_types(p, vt, 1);
	const char *fn[] = { "main", "A", "A", "B" };
	uint32_t loc[4];
	for (int i = 0; i < 4; i++) {
		prof_line l = { prof_intern_function(p, fn[i], fn[i], "m.c", 1), 10 * i + 1, 0 };
		loc[i] = prof_add_location(p, PROF_NONE, 0x100 + 16 * (uint64_t)i, &l, 1);
	}
	/* leaf first: main;A@11, main;A@21, main;A@11;B, main;A@21;B, main;B, B */
	uint32_t s[][3] = { { loc[1], loc[0] }, { loc[2], loc[0] }, { loc[3], loc[1], loc[0] },
			    { loc[3], loc[2], loc[0] }, { loc[3], loc[0] }, { loc[3] } };
	uint32_t depth[] = { 2, 2, 3, 3, 2, 1 };
	for (int i = 0; i < 6; i++) {
		int64_t v = 1;
		prof_add_sample(p, prof_intern_stack(p, s[i], depth[i]), 0, &v, -1, -1, 0);
	}
	cJSON *j = json_of(p);
	cJSON *parents = cJSON_GetObjectItem(j, "nodeParent"), *nframe = cJSON_GetObjectItem(j, "nodeFrame");
	cJSON *frames = cJSON_GetObjectItem(j, "frames");
	cJSON *strings = cJSON_GetObjectItem(j, "strings"), *merges = cJSON_GetObjectItem(j, "merges");
	int nodes = cJSON_GetObjectItem(j, "nodes")->valueint, merged = cJSON_GetObjectItem(j, "merged")->valueint;
	assert_int_equal(nodes, 7); /* main, A@11, A@21, A@11;B, A@21;B, main;B, B */
	assert_int_equal(merged, 2); /* A@21 and A@21;B */
	int fl[8], parent[8], nf = 1, m = 0, next = merged ? (int)col_at(merges, 0) : -1;
	char path[8][64];
	for (int i = 0; i < nodes; i++) {
		int d = (int)col_at(parents, i), fr = (int)col_at(nframe, i);
		parent[i] = d ? i - d : -1;
		const char *nm = cJSON_GetArrayItem(strings, cJSON_GetArrayItem(frames, 3 * fr)->valueint)->valuestring;
		snprintf(path[i], sizeof(path[i]), "%s;%s", parent[i] < 0 ? "" : path[parent[i]], nm);
		if (i == next) {
			fl[i] = (int)col_at(merges, 2 * m + 1);
			assert_true(fl[i] >= 1 && fl[i] < nf);
			if (++m < merged)
				next += (int)col_at(merges, 2 * m);
		} else {
			fl[i] = nf++;
		}
	}
	assert_int_equal(m, merged);
	assert_int_equal(nf, 6); /* the root + main, main;A, main;A;B, main;B, B */
	for (int a = 0; a < nodes; a++)
		for (int b = 0; b < nodes; b++)
			assert_int_equal(fl[a] == fl[b], !strcmp(path[a], path[b]));
	cJSON_Delete(j);
	prof_free(p);
}

/* Each thread's samples are written in time order (the viewer's binary
 * searches rely on it): a sample without a time takes its thread's first
 * time, not the previous thread's last one. */
static void test_samples_without_time_keep_their_thread_in_order(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type vt[1] = { { "samples", "count" } };
	prof_set_sample_types(p, vt, 1);
	p->has_timestamps = true;
	prof_line l = { prof_intern_function(p, "main", "main", "m.c", 1), 1, 0 };
	uint32_t loc = prof_add_location(p, PROF_NONE, 0x100, &l, 1);
	uint32_t st = prof_intern_stack(p, &loc, 1);
	int64_t t[] = { 5000, -1, 7000, -1, 3000, -1 }, v = 1;
	int32_t tid[] = { 100, 100, 100, 101, 101, 102 };
	for (int i = 0; i < 6; i++)
		prof_add_sample(p, st, 0, &v, t[i], tid[i], 0);
	cJSON *j = json_of(p);
	cJSON *s = cJSON_GetObjectItem(j, "samples");
	cJSON *time = cJSON_GetObjectItem(s, "time"), *thr = cJSON_GetObjectItem(s, "thread");
	/* tid 100: -1, 5000, 7000; tid 101: -1, 3000; tid 102: -1 alone */
	double want[] = { 5000, 5000, 7000, 3000, 3000, 0 }, sum = 0;
	int wthr[] = { 0, 0, 0, 1, 1, 2 };
	for (int i = 0; i < 6; i++) {
		sum += col_at(time, i);
		assert_true(sum == want[i]);
		assert_int_equal((int)col_at(thr, i), wthr[i]);
	}
	cJSON_Delete(j);
	prof_free(p);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void test_page_embeds_viewer_and_cannot_be_broken_out_of(void **state)
{
	(void)state;
	profile *p = make_profile(true);
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	cprof_err err;
	html_opts o = { "<b>title</b>" };
	assert_int_equal(html_write(p, &o, &a, &err), 0);
	assert_int_equal(html_write(p, &o, &b, &err), 0);
	assert_int_equal(a.len, b.len); /* deterministic */
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_non_null(strstr(a.buf, "<!DOCTYPE html>"));
	assert_non_null(strstr(a.buf, "window.cprofReport")); /* the viewer's JS is inside */
	assert_non_null(strstr(a.buf, "grid-template-columns")); /* and its CSS */
	assert_null(strstr(a.buf, "@DATA@"));
	assert_null(strstr(a.buf, "@JS@"));
	/* two closing script tags (data + viewer), whatever the names say */
	assert_int_equal(count(a.buf, "</script"), 2);
	assert_int_equal(count(a.buf, "<!--"), 0);
	assert_int_equal(count(a.buf, "<img"), 0);
	assert_non_null(strstr(a.buf, "\\u003cimg src=x onerror=alert(1)>"));
	assert_non_null(strstr(a.buf, "<title>&lt;b&gt;title&lt;/b&gt;</title>"));
	/* no network: nothing refers to another origin */
	assert_null(strstr(a.buf, "http://"));
	assert_null(strstr(a.buf, "src=\"http"));
	sb_release(&a);
	sb_release(&b);
	prof_free(p);
}

/* The page is all ASCII (the browser parses one-byte text faster): names,
 * files and the title beyond ASCII (2-, 3- and 4-byte UTF-8, and a byte
 * that is not UTF-8) are escaped, in the JSON as \uXXXX (surrogate pairs
 * above U+FFFF), in the title as &#xX;, and the JSON reads back the same as
 * html_json's. */
static void test_page_is_ascii_with_the_same_json(void **state)
{
	(void)state;
	profile *p = make_profile(true);
	const char *names[] = { "caf\xc3\xa9", "\xe2\x86\x92next", "\xf0\x9f\x98\x80smile", "bad\xff" };
	uint32_t loc[4];
	for (int i = 0; i < 4; i++) {
		prof_line l = { prof_intern_function(p, names[i], names[i], "\xc3\xbc.c", 1), 1, 0 };
		loc[i] = prof_add_location(p, PROF_NONE, 0x9000 + 16 * i, &l, 1);
	}
	uint32_t s = prof_intern_stack(p, loc, 4);
	int64_t v[2] = { 1, 10000000 };
	prof_add_sample(p, s, 0, v, 50000000, 100, 0);
	strbuf page = STRBUF_INIT, json = STRBUF_INIT;
	cprof_err err;
	html_opts o = { "t\xc3\xa9st \xf0\x9f\x98\x80" };
	assert_int_equal(html_write(p, &o, &page, &err), 0);
	for (size_t i = 0; i < page.len; i++)
		if ((unsigned char)page.buf[i] >= 0x80)
			fail_msg("byte %zu of the page is not ASCII", i);
	assert_non_null(strstr(page.buf, "<title>t&#xE9;st &#x1F600;</title>"));
	assert_non_null(strstr(page.buf, "\"caf\\u00e9\""));
	assert_non_null(strstr(page.buf, "\"\\ud83d\\ude00smile\""));
	const char *at = strstr(page.buf, "id=\"cprof-data\">"), *end;
	assert_non_null(at);
	at += strlen("id=\"cprof-data\">");
	end = strstr(at, "</script>");
	assert_non_null(end);
	cJSON *in_page = cJSON_ParseWithLength(at, (size_t)(end - at));
	assert_non_null(in_page);
	assert_int_equal(html_json(p, &o, &json, &err), 0);
	cJSON *direct = cJSON_Parse(json.buf);
	assert_non_null(direct);
	assert_true(cJSON_Compare(in_page, direct, true));
	cJSON_Delete(in_page);
	cJSON_Delete(direct);
	sb_release(&page);
	sb_release(&json);
	prof_free(p);
}

static void test_invalid_utf8_becomes_replacement_char(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	html_utf8_clean(&sb, "a\xff" "b\xc3\xa9" "c\xe2\x82" "d\xed\xa0\x80");
	assert_string_equal(sb.buf, "a\xef\xbf\xbd" "b\xc3\xa9" "c\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	sb_release(&sb);
}

/* The constraints of speedscope's published schema (file-format-schema.json)
 * for what we write: $schema constant, shared.frames[] with a string name,
 * profiles[] of type "sampled" with name, unit from the enum, numeric
 * startValue <= endValue, samples[] of frame-index arrays and weights[] of
 * the same length. */
static void check_speedscope(cJSON *j, int nprofiles)
{
	assert_string_equal(cJSON_GetObjectItem(j, "$schema")->valuestring,
			    "https://www.speedscope.app/file-format-schema.json");
	cJSON *frames = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "shared"), "frames");
	assert_true(cJSON_IsArray(frames));
	int nf = cJSON_GetArraySize(frames);
	cJSON *f;
	cJSON_ArrayForEach(f, frames) {
		assert_true(cJSON_IsString(cJSON_GetObjectItem(f, "name")));
		cJSON *line = cJSON_GetObjectItem(f, "line");
		assert_true(!line || cJSON_IsNumber(line));
	}
	cJSON *profiles = cJSON_GetObjectItem(j, "profiles");
	assert_int_equal(cJSON_GetArraySize(profiles), nprofiles);
	const char *units[] = { "none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes" };
	cJSON *pr;
	cJSON_ArrayForEach(pr, profiles) {
		assert_string_equal(cJSON_GetObjectItem(pr, "type")->valuestring, "sampled");
		assert_true(cJSON_IsString(cJSON_GetObjectItem(pr, "name")));
		const char *u = cJSON_GetObjectItem(pr, "unit")->valuestring;
		int ok = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			ok |= !strcmp(u, units[i]);
		assert_true(ok);
		assert_true(cJSON_GetObjectItem(pr, "startValue")->valuedouble <=
			    cJSON_GetObjectItem(pr, "endValue")->valuedouble);
		cJSON *samples = cJSON_GetObjectItem(pr, "samples"), *weights = cJSON_GetObjectItem(pr, "weights");
		assert_int_equal(cJSON_GetArraySize(samples), cJSON_GetArraySize(weights));
		cJSON *s;
		cJSON_ArrayForEach(s, samples) {
			assert_true(cJSON_IsArray(s));
			cJSON *i;
			cJSON_ArrayForEach(i, s) assert_true(cJSON_IsNumber(i) && i->valueint >= 0 && i->valueint < nf);
		}
	}
}

/* A mask (the filters') leaves the other samples out of the report: its
 * sample columns, its threads and the stacks only they use; and out of the
 * speedscope file. */
static void test_mask_keeps_samples_out(void **state)
{
	(void)state;
	profile *p = make_profile(true);
	bool mask[40];
	for (int i = 0; i < 40; i++)
		mask[i] = i % 5 == 1 || i % 5 == 3; /* main;B (thread 100), worker;EVIL (101) */
	mask[3] = false;
	strbuf sb = STRBUF_INIT;
	cprof_err err;
	html_opts o = { .title = "t", .mask = mask };
	assert_int_equal(html_json(p, &o, &sb, &err), 0);
	cJSON *j = cJSON_Parse(sb.buf);
	assert_non_null(j);
	cJSON *smp = cJSON_GetObjectItem(j, "samples");
	assert_int_equal(cJSON_GetObjectItem(smp, "n")->valueint, 15);
	cJSON *strings = cJSON_GetObjectItem(j, "strings");
	assert_true(str_index(strings, "B") >= 0);
	assert_int_equal(str_index(strings, "C"), -1); /* main;C;A: masked out */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "threads")), 2);
	cJSON_Delete(j);
	/* one thread left: one track */
	for (int i = 0; i < 40; i++)
		mask[i] = i % 5 == 3;
	sb_reset(&sb);
	assert_int_equal(html_json(p, &o, &sb, &err), 0);
	j = cJSON_Parse(sb.buf);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "samples"), "n")->valueint, 8);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "threads")), 1);
	assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "threads"), 0), 0)->valueint, 101);
	cJSON_Delete(j);
	speedscope_opts so = { "abc", PROF_NONE, mask };
	sb_reset(&sb);
	assert_int_equal(speedscope_write(p, &so, &sb, &err), 0);
	j = cJSON_Parse(sb.buf);
	check_speedscope(j, 1);
	cJSON *pr = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "profiles"), 0);
	assert_string_equal(cJSON_GetObjectItem(pr, "name")->valuestring, "worker (tid 101)");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(pr, "weights")), 8);
	cJSON_Delete(j);
	sb_release(&sb);
	prof_free(p);
}

static void test_speedscope_one_sampled_profile_per_thread(void **state)
{
	(void)state;
	profile *p = make_profile(true);
	strbuf sb = STRBUF_INIT;
	cprof_err err;
	speedscope_opts o = { "abc", PROF_NONE, NULL };
	assert_int_equal(speedscope_write(p, &o, &sb, &err), 0);
	cJSON *j = cJSON_Parse(sb.buf);
	assert_non_null(j);
	check_speedscope(j, 2);
	cJSON *pr = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "profiles"), 0);
	assert_string_equal(cJSON_GetObjectItem(pr, "name")->valuestring, "abc (tid 100)");
	assert_string_equal(cJSON_GetObjectItem(pr, "unit")->valuestring, "nanoseconds");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(pr, "samples")), 24);
	/* stacks are root first: main;A */
	cJSON *frames = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "shared"), "frames");
	cJSON *s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(pr, "samples"), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(frames, cJSON_GetArrayItem(s0, 0)->valueint), "name")->valuestring, "main");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(frames, cJSON_GetArrayItem(s0, 1)->valueint), "name")->valuestring, "A");
	assert_int_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(pr, "weights"), 0)->valuedouble, 10000000);
	/* frames are shared: A appears once although two stacks hold it */
	int nA = 0;
	cJSON *f;
	cJSON_ArrayForEach(f, frames) nA += !strcmp(cJSON_GetObjectItem(f, "name")->valuestring, "A");
	assert_int_equal(nA, 1);
	cJSON_Delete(j);
	sb_release(&sb);

	/* aggregated input: one profile, weights by --value */
	profile *q = make_profile(false);
	o.value = 0;
	assert_int_equal(speedscope_write(q, &o, &sb, &err), 0);
	j = cJSON_Parse(sb.buf);
	assert_non_null(j);
	check_speedscope(j, 1);
	pr = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "profiles"), 0);
	assert_string_equal(cJSON_GetObjectItem(pr, "unit")->valuestring, "none");
	assert_int_equal(cJSON_GetObjectItem(pr, "endValue")->valueint, 40);
	cJSON_Delete(j);
	sb_release(&sb);
	prof_free(q);
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_interns_strings_frames_and_stack_prefixes),
		cmocka_unit_test(test_json_without_timestamps_has_no_timeline_columns),
		cmocka_unit_test(test_sources_embed_lines_around_those_named),
		cmocka_unit_test(test_sources_huge_line_number),
		cmocka_unit_test(test_columns_take_their_shortest_form),
		cmocka_unit_test(test_big_columns_in_base64_decode_back),
		cmocka_unit_test(test_leaves_most_sampled_first),
		cmocka_unit_test(test_flame_nodes_in_preorder_by_name),
		cmocka_unit_test(test_merges_name_the_flame_nodes_of_same_named_nodes),
		cmocka_unit_test(test_samples_without_time_keep_their_thread_in_order),
		cmocka_unit_test(test_page_embeds_viewer_and_cannot_be_broken_out_of),
		cmocka_unit_test(test_page_is_ascii_with_the_same_json),
		cmocka_unit_test(test_invalid_utf8_becomes_replacement_char),
		cmocka_unit_test(test_speedscope_one_sampled_profile_per_thread),
		cmocka_unit_test(test_mask_keeps_samples_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
