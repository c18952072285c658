/* Unit tests of pprof: reading keeps every field, writing is deterministic
 * and aggregated, round trips lose nothing, and every kind of bad input
 * (cut short, bad wire format, out-of-range and zero ids, bad string
 * indexes) is a clear error, never a crash. The test builds its pprof
 * inputs byte by byte with a tiny encoder, so each can be damaged at will. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gzip.h"
#include "pprof.h"
#include "profile.pb-c.h"

/* A string table entry (bytes in cprof's profile.proto) holds s. */
static void assert_pb_string(const ProtobufCBinaryData *b, const char *s)
{
	assert_int_equal(b->len, strlen(s));
	assert_memory_equal(b->data, s, b->len);
}

/* ---- a tiny protobuf encoder ------------------------------------------ */
static void pv(strbuf *sb, uint64_t v)
{
	while (v >= 0x80) {
		sb_addc(sb, (char)(v | 0x80));
		v >>= 7;
	}
	sb_addc(sb, (char)v);
}
static void pf(strbuf *sb, unsigned field, uint64_t v) /* varint field, even 0 */
{
	pv(sb, (uint64_t)field << 3);
	pv(sb, v);
}
static void pb(strbuf *sb, unsigned field, const void *d, size_t n)
{
	pv(sb, (uint64_t)field << 3 | 2);
	pv(sb, n);
	sb_add(sb, d, n);
}
static void pm(strbuf *sb, unsigned field, strbuf *sub) /* message field; resets sub */
{
	pb(sb, field, sub->buf, sub->len);
	sb_reset(sub);
}

/* The knobs of the test profile: each names one reference that a test
 * damages. The defaults give a valid profile with sparse ids. */
typedef struct knobs {
	uint64_t map_id, fn_id[2], loc_id[3];
	uint64_t loc_map;    /* mapping_id of location 0 */
	uint64_t line_fn;    /* function_id of location 0's first line */
	uint64_t sample_loc; /* first location of sample 0 */
	int64_t fn_name;     /* string index of function 0's name */
	int64_t label_key;   /* string index of sample 0's first label key */
	int64_t default_type;
	int nvalues0; /* values in sample 0 */
	const char *str0;
	/* the string table in two places (its first 9 entries before the
	 * sample types), with 3000 unused entries (120 KB) at its end */
	bool split_strings;
	/* location 0 between samples 0 and 1, function 0 between samples 1
	 * and 2: each kind of message in more than one run */
	bool interleaved;
} knobs;

static knobs default_knobs(void)
{
	knobs k = { 7, { 100, 200 }, { 30, 31, 32 }, 7, 200, 30, 5, 10, 1, 2, "" };
	return k;
}

static const char *strings[] = { "", "samples", "count", "cpu", "nanoseconds", "main", "work",
				 "/src/a.c", "/bin/prog", "abc123", "endpoint", "/users", "bytes",
				 "size", "comment one", "drop.*", "keep.*" };

/* location 0: two lines, work (inlined) in main */
static void put_location0(const knobs *k, strbuf *out, strbuf *m, strbuf *t)
{
	pf(m, 1, k->loc_id[0]), pf(m, 2, k->loc_map), pf(m, 3, 0x401000);
	pf(t, 1, k->line_fn), pf(t, 2, 25), pf(t, 3, 3), pm(m, 4, t);
	pf(t, 1, k->fn_id[0]), pf(t, 2, 12), pm(m, 4, t);
	pm(out, 4, m);
}

static void put_function0(const knobs *k, strbuf *out, strbuf *m)
{
	pf(m, 1, k->fn_id[0]), pf(m, 2, (uint64_t)k->fn_name), pf(m, 3, 5), pf(m, 4, 7);
	pf(m, 5, 10), pm(out, 5, m);
}

static void build_profile(const knobs *k, strbuf *out)
{
	strbuf m = STRBUF_INIT, s = STRBUF_INIT, t = STRBUF_INIT;
	sb_init(out);
	size_t first_string = 0;
	for (; k->split_strings && first_string < 9; first_string++)
		pb(out, 6, first_string ? strings[first_string] : k->str0,
		   strlen(first_string ? strings[first_string] : k->str0));
	/* sample types: samples/count, cpu/nanoseconds */
	pf(&m, 1, 1), pf(&m, 2, 2), pm(out, 1, &m);
	pf(&m, 1, 3), pf(&m, 2, 4), pm(out, 1, &m);
	/* sample 0: stack [loc0, loc1], labels endpoint=/users, size=4096 bytes */
	pv(&s, k->sample_loc), pv(&s, k->loc_id[1]), pm(&m, 1, &s);
	if (k->nvalues0 >= 1)
		pv(&s, 3);
	if (k->nvalues0 >= 2)
		pv(&s, 30000000);
	if (k->nvalues0 >= 3)
		pv(&s, 9);
	pm(&m, 2, &s);
	pf(&s, 1, (uint64_t)k->label_key), pf(&s, 2, 11), pm(&m, 3, &s);
	pf(&s, 1, 13), pf(&s, 3, 4096), pf(&s, 4, 12), pm(&m, 3, &s);
	pm(out, 2, &m);
	if (k->interleaved)
		put_location0(k, out, &m, &t);
	/* sample 1: [loc2, loc1], no labels; location ids not packed */
	pf(&m, 1, k->loc_id[2]), pf(&m, 1, k->loc_id[1]);
	pv(&s, 1), pv(&s, 10000000), pm(&m, 2, &s);
	pm(out, 2, &m);
	if (k->interleaved)
		put_function0(k, out, &m);
	/* sample 2: [loc1], size=-5 without unit */
	pv(&s, k->loc_id[1]), pm(&m, 1, &s);
	pv(&s, 2), pv(&s, 20), pm(&m, 2, &s);
	pf(&s, 1, 13), pf(&s, 3, (uint64_t)-5), pm(&m, 3, &s);
	pm(out, 2, &m);
	/* mapping with all flags true (its locations carry all of it) */
	pf(&m, 1, k->map_id), pf(&m, 2, 0x400000), pf(&m, 3, 0x500000), pf(&m, 4, 0x1000);
	pf(&m, 5, 8), pf(&m, 6, 9), pf(&m, 7, 1), pf(&m, 8, 1), pf(&m, 9, 1), pf(&m, 10, 1);
	pm(out, 3, &m);
	if (!k->interleaved)
		put_location0(k, out, &m, &t);
	/* location 1: folded */
	pf(&m, 1, k->loc_id[1]), pf(&m, 2, k->map_id), pf(&m, 3, 0x401100);
	pf(&t, 1, k->fn_id[0]), pf(&t, 2, 14), pm(&m, 4, &t);
	pf(&m, 5, 1);
	pm(out, 4, &m);
	/* location 2: no mapping, no lines */
	pf(&m, 1, k->loc_id[2]), pf(&m, 3, 0xdead);
	pm(out, 4, &m);
	/* functions */
	if (!k->interleaved)
		put_function0(k, out, &m);
	pf(&m, 1, k->fn_id[1]), pf(&m, 2, 6), pf(&m, 3, 6), pf(&m, 4, 7), pf(&m, 5, 20);
	pm(out, 5, &m);
	for (size_t i = first_string; i < ARRAY_SIZE(strings); i++) {
		const char *str = i == 0 ? k->str0 : strings[i];
		pb(out, 6, str, strlen(str));
	}
	for (int i = 0; k->split_strings && i < 3000; i++) {
		char unused[48];
		snprintf(unused, sizeof(unused), "an unused string of forty bytes, %05d", i);
		pb(out, 6, unused, strlen(unused));
	}
	pf(out, 7, 15), pf(out, 8, 16);
	pf(out, 9, 1700000000000000000ULL), pf(out, 10, 5000000000ULL);
	pf(&m, 1, 3), pf(&m, 2, 4), pm(out, 11, &m);
	pf(out, 12, 10000000);
	pf(out, 13, 14);
	pf(out, 14, (uint64_t)k->default_type);
	sb_release(&m);
	sb_release(&s);
	sb_release(&t);
}

/* ---- a canonical dump of a model: every field, strings resolved ------- */
static void dump(const profile *p, strbuf *sb)
{
	sb_reset(sb);
	for (uint32_t i = 0; i < p->nvalues; i++)
		sb_addf(sb, "type %s/%s%s\n", p->sample_types[i].type, p->sample_types[i].unit,
			i == p->default_type ? " default" : "");
	sb_addf(sb, "period %s/%s %lld time %lld duration %lld\n",
		p->period_type.type ? p->period_type.type : "-",
		p->period_type.unit ? p->period_type.unit : "-", (long long)p->period,
		(long long)p->time_nanos, (long long)p->duration_nanos);
	sb_addf(sb, "drop %s keep %s\n", p->drop_frames ? p->drop_frames : "-",
		p->keep_frames ? p->keep_frames : "-");
	for (uint32_t i = 0; i < p->ncomments; i++)
		sb_addf(sb, "comment %s\n", p->comments[i]);
	for (uint32_t i = 0; i < p->nmappings; i++) {
		const prof_mapping *m = &p->mappings[i];
		sb_addf(sb, "mapping %u %llx-%llx@%llx %s %s %d%d%d%d\n", i,
			(unsigned long long)m->start, (unsigned long long)m->limit,
			(unsigned long long)m->offset, m->file, m->build_id, m->has_functions,
			m->has_filenames, m->has_line_numbers, m->has_inline_frames);
	}
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		sb_addf(sb, "location %u m%d %llx%s", i, l->mapping == PROF_NONE ? -1 : (int)l->mapping,
			(unsigned long long)l->address, l->is_folded ? " folded" : "");
		for (uint32_t j = 0; j < l->nlines; j++) {
			const prof_function *f = &p->functions[l->lines[j].function];
			sb_addf(sb, " [%s|%s|%s:%lld s%lld c%lld]", f->name, f->system_name, f->filename,
				(long long)l->lines[j].line, (long long)f->start_line,
				(long long)l->lines[j].column);
		}
		sb_addc(sb, '\n');
	}
	for (size_t i = 0; i < p->nsamples; i++) {
		const prof_sample *s = &p->samples[i];
		const prof_stack *st = &p->stacks[s->stack];
		sb_adds(sb, "sample");
		for (uint32_t j = 0; j < st->depth; j++)
			sb_addf(sb, " %u", st->locs[j]);
		sb_adds(sb, " =");
		for (uint32_t j = 0; j < p->nvalues; j++)
			sb_addf(sb, " %lld", (long long)prof_sample_values(p, i)[j]);
		const prof_labelset *ls = &p->labelsets[s->labelset];
		for (uint32_t j = 0; j < ls->n; j++) {
			const prof_label *l = &ls->labels[j];
			if (l->str)
				sb_addf(sb, " %s=%s", l->key, l->str);
			else
				sb_addf(sb, " %s=%lld%s", l->key, (long long)l->num, l->unit ? l->unit : "");
		}
		sb_addc(sb, '\n');
	}
}

static const char *expected_dump =
	"type samples/count default\n"
	"type cpu/nanoseconds\n"
	"period cpu/nanoseconds 10000000 time 1700000000000000000 duration 5000000000\n"
	"drop drop.* keep keep.*\n"
	"comment comment one\n"
	"mapping 0 400000-500000@1000 /bin/prog abc123 1111\n"
	"location 0 m0 401000 [work|work|/src/a.c:25 s20 c3] [main|main|/src/a.c:12 s10 c0]\n"
	"location 1 m0 401100 folded [main|main|/src/a.c:14 s10 c0]\n"
	"location 2 m-1 dead\n"
	"sample 0 1 = 3 30000000 endpoint=/users size=4096bytes\n"
	"sample 2 1 = 1 10000000\n"
	"sample 1 = 2 20 size=-5\n";

static int read_buf(profile **pp, const strbuf *sb, cprof_err *err)
{
	*pp = prof_new();
	return pprof_read(*pp, (const unsigned char *)sb->buf, sb->len, err);
}

/* The profile k builds reads to expected_dump. */
static void expect_read_dump(const knobs *k)
{
	strbuf in, d = STRBUF_INIT;
	build_profile(k, &in);
	profile *p;
	cprof_err err = { "" };
	assert_int_equal(read_buf(&p, &in, &err), 0);
	dump(p, &d);
	assert_string_equal(d.buf, expected_dump);
	assert_string_equal(p->source_format, "pprof");
	assert_false(p->has_timestamps);
	prof_free(p);
	sb_release(&in);
	sb_release(&d);
}

static void test_read_keeps_every_field(void **state)
{
	(void)state;
	knobs k = default_knobs();
	expect_read_dump(&k);
	/* the same profile with dense ids 1..N reads the same */
	k.map_id = k.loc_map = 1;
	k.fn_id[0] = 1, k.fn_id[1] = k.line_fn = 2;
	k.loc_id[0] = k.sample_loc = 1, k.loc_id[1] = 2, k.loc_id[2] = 3;
	expect_read_dump(&k);
	/* and so with the kinds of messages interleaved */
	k.interleaved = true;
	expect_read_dump(&k);
}

static void test_round_trip_keeps_everything(void **state)
{
	(void)state;
	knobs k = default_knobs();
	strbuf in, out1 = STRBUF_INIT, out2 = STRBUF_INIT, d1 = STRBUF_INIT, d2 = STRBUF_INIT;
	build_profile(&k, &in);
	profile *p, *q;
	cprof_err err;
	assert_int_equal(read_buf(&p, &in, &err), 0);
	assert_int_equal(pprof_encode(p, NULL, &out1, &err), 0);
	assert_int_equal(read_buf(&q, &out1, &err), 0);
	dump(p, &d1);
	dump(q, &d2);
	assert_string_equal(d2.buf, d1.buf);
	/* written ids are 1..N in model order */
	Perftools__Profiles__Profile *pb =
		perftools__profiles__profile__unpack(NULL, out1.len, (uint8_t *)out1.buf);
	assert_non_null(pb);
	assert_int_equal(pb->n_location, 3);
	for (size_t i = 0; i < pb->n_location; i++)
		assert_int_equal(pb->location[i]->id, i + 1);
	assert_int_equal(pb->function[1]->id, 2);
	assert_int_equal(pb->mapping[0]->id, 1);
	/* the string table is deduplicated: "main" is both name and system name */
	for (size_t i = 0; i < pb->n_string_table; i++)
		for (size_t j = i + 1; j < pb->n_string_table; j++)
			assert_false(pb->string_table[i].len == pb->string_table[j].len &&
				     !memcmp(pb->string_table[i].data, pb->string_table[j].data,
					     pb->string_table[j].len));
	assert_pb_string(&pb->string_table[pb->default_sample_type], "samples");
	perftools__profiles__profile__free_unpacked(pb, NULL);
	/* deterministic: the same model writes the same bytes */
	assert_int_equal(pprof_encode(q, NULL, &out2, &err), 0);
	assert_int_equal(out1.len, out2.len);
	assert_memory_equal(out1.buf, out2.buf, out1.len);
	/* and gzipped, it reads back the same too */
	strbuf gz = STRBUF_INIT;
	assert_int_equal(pprof_write(q, NULL, &gz, &err), 0);
	assert_true(gz_is_gzip((unsigned char *)gz.buf, gz.len));
	unsigned char *plain;
	size_t plainn;
	assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, 0, &plain, &plainn, &err), 0);
	assert_int_equal(plainn, out1.len);
	assert_memory_equal(plain, out1.buf, plainn);
	free(plain);
	prof_free(p);
	prof_free(q);
	sb_release(&gz);
	sb_release(&in);
	sb_release(&out1);
	sb_release(&out2);
	sb_release(&d1);
	sb_release(&d2);
}

/* A raw-like model: one sample per tick, with times and threads. */
static profile *ticks_profile(void)
{
	profile *p = prof_new();
	prof_value_type types[] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, types, 2);
	p->default_type = 1;
	p->period_type = (prof_value_type){ prof_intern(p, "cpu"), prof_intern(p, "nanoseconds") };
	p->period = 1000000;
	p->has_timestamps = true;
	prof_mapping m = { 0x1000, 0x2000, 0, "/bin/abc", "beef", false, false, false, false };
	uint32_t mi = prof_add_mapping(p, &m);
	uint32_t fa = prof_intern_function(p, "A", "A", "abc.c", 3);
	uint32_t fm = prof_intern_function(p, "main", "main", "abc.c", 20);
	prof_line la = { fa, 5, 0 }, lm = { fm, 22, 0 };
	uint32_t loca = prof_add_location(p, mi, 0x1100, &la, 1);
	uint32_t locm = prof_add_location(p, mi, 0x1200, &lm, 1);
	uint32_t locu = prof_add_location(p, mi, 0x1300, NULL, 0); /* unsymbolized */
	uint32_t s1[] = { loca, locm }, s2[] = { locu, locm };
	uint32_t st1 = prof_intern_stack(p, s1, 2), st2 = prof_intern_stack(p, s2, 2);
	prof_label l = { "endpoint", "/users", 0, NULL };
	uint32_t ls = prof_intern_labelset(p, &l, 1);
	prof_set_thread_name(p, 11, "worker");
	int64_t v[] = { 1, 1000000 };
	/* stack 1 x3 on thread 11, x2 on thread 12; stack 2 x1 labelled */
	prof_add_sample(p, st1, 0, v, 0, 11, 0);
	prof_add_sample(p, st2, ls, v, 100, 12, 0);
	prof_add_sample(p, st1, 0, v, 200, 12, 0);
	prof_add_sample(p, st1, 0, v, 300, 11, 0);
	prof_add_sample(p, st1, 0, v, 400, 11, 0);
	prof_add_sample(p, st1, 0, v, 500, 12, 0);
	return p;
}

/* A string with NUL bytes stays whole (pprof keeps every byte): two names
 * that differ only after a NUL stay two functions, and a round trip writes
 * the same bytes back, a C0 byte (the model's escape byte) included. */
static void test_nul_bytes_round_trip(void **state)
{
	(void)state;
	static const char *const strs[] = { "", "a\0b", "a\0c", "\xc0x\xc0", "samples", "count" };
	static const size_t lens[] = { 0, 3, 3, 3, 7, 5 };
	strbuf in = STRBUF_INIT, sub = STRBUF_INIT, line = STRBUF_INIT;
	pf(&sub, 1, 4);
	pf(&sub, 2, 5);
	pm(&in, 1, &sub); /* sample_type samples/count */
	pb(&sub, 1, "\x01\x02\x03", 3); /* location ids, packed */
	pb(&sub, 2, "\x01", 1);            /* value 1 */
	pm(&in, 2, &sub);
	for (unsigned id = 1; id <= 3; id++) {
		pf(&line, 1, id);
		pf(&sub, 1, id);
		pm(&sub, 4, &line);
		pm(&in, 4, &sub); /* location id -> function id */
		pf(&sub, 1, id);
		pf(&sub, 2, id);
		pf(&sub, 3, id);
		pm(&in, 5, &sub); /* function id, name = system name = string id */
	}
	for (size_t i = 0; i < 6; i++)
		pb(&in, 6, strs[i], lens[i]);
	profile *p;
	cprof_err err = { "" };
	assert_int_equal(read_buf(&p, &in, &err), 0);
	assert_int_equal(p->nfunctions, 3);
	assert_string_equal(p->functions[0].name, "a\xc0\x80" "b"); /* escaped: NUL is C0 80 */
	assert_string_equal(p->functions[1].name, "a\xc0\x80" "c");
	assert_string_equal(p->functions[2].name, "\xc0\xc1x\xc0\xc1"); /* and C0 is C0 C1 */
	strbuf out = STRBUF_INIT;
	assert_int_equal(pprof_encode(p, NULL, &out, &err), 0);
	Perftools__Profiles__Profile *q =
		perftools__profiles__profile__unpack(NULL, out.len, (uint8_t *)out.buf);
	assert_non_null(q);
	for (size_t i = 1; i <= 3; i++) {
		bool found = false;
		for (size_t j = 0; j < q->n_string_table; j++)
			found = found || (q->string_table[j].len == lens[i] &&
					  !memcmp(q->string_table[j].data, strs[i], lens[i]));
		assert_true(found);
	}
	perftools__profiles__profile__free_unpacked(q, NULL);
	prof_free(p);
	sb_release(&in);
	sb_release(&sub);
	sb_release(&line);
	sb_release(&out);
}

static void test_write_aggregates_ticks(void **state)
{
	(void)state;
	profile *p = ticks_profile();
	strbuf out = STRBUF_INIT, d = STRBUF_INIT;
	cprof_err err;
	assert_int_equal(pprof_encode(p, NULL, &out, &err), 0);
	profile *q;
	assert_int_equal(read_buf(&q, &out, &err), 0);
	dump(q, &d);
	assert_string_equal(d.buf,
			    "type samples/count\n"
			    "type cpu/nanoseconds default\n"
			    "period cpu/nanoseconds 1000000 time 0 duration 0\n"
			    "drop - keep -\n"
			    "mapping 0 1000-2000@0 /bin/abc beef 1110\n"
			    "location 0 m0 1100 [A|A|abc.c:5 s3 c0]\n"
			    "location 1 m0 1200 [main|main|abc.c:22 s20 c0]\n"
			    "location 2 m0 1300\n"
			    "sample 0 1 = 5 5000000\n"
			    "sample 2 1 = 1 1000000 endpoint=/users\n");
	prof_free(q);

	/* with thread labels: grouped by thread too */
	pprof_write_opts o = { .thread_labels = true };
	sb_reset(&out);
	assert_int_equal(pprof_encode(p, &o, &out, &err), 0);
	assert_int_equal(read_buf(&q, &out, &err), 0);
	dump(q, &d);
	const char *samples = strstr(d.buf, "sample ");
	assert_non_null(samples);
	assert_string_equal(samples, "sample 0 1 = 3 3000000 thread=worker tid=11\n"
				     "sample 2 1 = 1 1000000 endpoint=/users tid=12\n"
				     "sample 0 1 = 2 2000000 tid=12\n");
	prof_free(q);

	/* with a mask (the filters'): only the samples it keeps, every
	 * location still written */
	bool *mask = xcalloc(p->nsamples, sizeof(bool));
	for (size_t i = 0; i < p->nsamples; i++)
		mask[i] = p->samples[i].labelset != 0;
	pprof_write_opts m = { .mask = mask };
	sb_reset(&out);
	assert_int_equal(pprof_encode(p, &m, &out, &err), 0);
	assert_int_equal(read_buf(&q, &out, &err), 0);
	dump(q, &d);
	assert_non_null(strstr(d.buf, "location 0 m0 1100"));
	samples = strstr(d.buf, "sample ");
	assert_non_null(samples);
	assert_string_equal(samples, "sample 2 1 = 1 1000000 endpoint=/users\n");
	free(mask);
	prof_free(q);
	prof_free(p);
	sb_release(&out);
	sb_release(&d);
}

/* Sums that overflow saturate, as every view's do (prof_group_samples),
 * without undefined behaviour: the sanitizer build checks. */
static void test_sums_saturate(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type t[] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, t, 2);
	uint32_t loc = prof_add_location(p, PROF_NONE, 0x10, NULL, 0);
	uint32_t st = prof_intern_stack(p, &loc, 1);
	int64_t hi[] = { INT64_MAX, INT64_MIN }, one[] = { 1, -1 }, neg[] = { -5, 5 };
	prof_add_sample(p, st, 0, hi, -1, -1, 0);
	prof_add_sample(p, st, 0, one, -1, -1, 0);
	prof_add_sample(p, st, 0, neg, -1, -1, 0);
	strbuf out = STRBUF_INIT;
	cprof_err err;
	assert_int_equal(pprof_encode(p, NULL, &out, &err), 0);
	profile *q;
	assert_int_equal(read_buf(&q, &out, &err), 0);
	assert_int_equal(q->nsamples, 1);
	/* stuck at the limit, then moved back by the later sample */
	assert_true(prof_sample_values(q, 0)[0] == INT64_MAX - 5);
	assert_true(prof_sample_values(q, 0)[1] == INT64_MIN + 5);
	prof_free(q);
	prof_free(p);
	sb_release(&out);
}

/* p encoded by the writer, unpacked by protobuf-c (free_unpacked it). */
static Perftools__Profiles__Profile *encode_unpacked(const profile *p)
{
	strbuf out = STRBUF_INIT;
	cprof_err err;
	assert_int_equal(pprof_encode(p, NULL, &out, &err), 0);
	Perftools__Profiles__Profile *pb =
		perftools__profiles__profile__unpack(NULL, out.len, (uint8_t *)out.buf);
	assert_non_null(pb);
	sb_release(&out);
	return pb;
}

/* pprof's values are integers: fixed-point values are written as they are,
 * with a unit that says what one is ("count/100": hundredths). */
static void test_fractional_values_scaled_unit(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type t = { "samples", "count", 2 };
	prof_set_sample_types(p, &t, 1);
	int64_t v = 150;
	prof_add_sample(p, prof_intern_stack(p, NULL, 0), 0, &v, -1, -1, 0);
	Perftools__Profiles__Profile *pb = encode_unpacked(p);
	assert_int_equal(pb->n_sample_type, 1);
	assert_pb_string(&pb->string_table[pb->sample_type[0]->type], "samples");
	assert_pb_string(&pb->string_table[pb->sample_type[0]->unit], "count/100");
	assert_int_equal(pb->n_sample, 1);
	assert_int_equal(pb->sample[0]->value[0], 150);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	prof_free(p);
}

static void test_mapping_flags_are_truthful(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type t = { "samples", "count" };
	prof_set_sample_types(p, &t, 1);
	/* the model claims everything; the writer says what is there */
	prof_mapping m = { 0x1000, 0x2000, 0, "/lib/a.so", "", true, true, true, true };
	uint32_t m0 = prof_add_mapping(p, &m);
	uint32_t m1 = prof_add_mapping(p, &m);
	uint32_t m2 = prof_add_mapping(p, &m);
	prof_add_mapping(p, &m); /* no locations at all */
	uint32_t f1 = prof_intern_function(p, "f", "f", "", 0);
	uint32_t f2 = prof_intern_function(p, "g", "g", "g.c", 0);
	prof_line l1 = { f1, 0, 0 };
	prof_line l2[] = { { f2, 7, 0 }, { f1, 0, 0 } };
	prof_add_location(p, m0, 0x1010, NULL, 0);
	prof_add_location(p, m1, 0x1020, &l1, 1);
	prof_add_location(p, m2, 0x1030, l2, 2);
	Perftools__Profiles__Profile *pb = encode_unpacked(p);
	assert_int_equal(pb->n_mapping, 4);
	int want[4][4] = { { 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 1, 1, 1, 1 }, { 0, 0, 0, 0 } };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pb->mapping[i]->has_functions, want[i][0]);
		assert_int_equal(pb->mapping[i]->has_filenames, want[i][1]);
		assert_int_equal(pb->mapping[i]->has_line_numbers, want[i][2]);
		assert_int_equal(pb->mapping[i]->has_inline_frames, want[i][3]);
	}
	perftools__profiles__profile__free_unpacked(pb, NULL);
	prof_free(p);
}

/* ---- bad input ---------------------------------------------------------- */
static void expect_error(const knobs *k, const char *want)
{
	strbuf in;
	build_profile(k, &in);
	profile *p;
	cprof_err err = { "" };
	assert_int_equal(read_buf(&p, &in, &err), -1);
	if (strcmp(err.msg, want) != 0)
		fail_msg("got error '%s', want '%s'", err.msg, want);
	prof_free(p);
	sb_release(&in);
}

static void test_bad_references(void **state)
{
	(void)state;
	knobs k;
	k = default_knobs(), k.loc_map = 8;
	expect_error(&k, "location 30 refers to mapping 8, which does not exist");
	k = default_knobs(), k.line_fn = 300;
	expect_error(&k, "location 30 refers to function 300, which does not exist");
	k = default_knobs(), k.sample_loc = 33;
	expect_error(&k, "sample 1 refers to location 33, which does not exist");
	k = default_knobs(), k.fn_name = 17;
	expect_error(&k, "function 100 name refers to string 17, but the string table has 17 "
			 "entries");
	k = default_knobs(), k.fn_name = -1;
	expect_error(&k, "function 100 name refers to string -1, but the string table has 17 "
			 "entries");
	k = default_knobs(), k.label_key = 1000;
	expect_error(&k, "sample 1 label key refers to string 1000, but the string table has 17 "
			 "entries");
	k = default_knobs(), k.default_type = 99;
	expect_error(&k, "default_sample_type refers to string 99, but the string table has 17 "
			 "entries");
	k = default_knobs(), k.default_type = 5;
	expect_error(&k, "default_sample_type \"main\" is not one of the sample types");
	k = default_knobs(), k.nvalues0 = 3;
	expect_error(&k, "sample 1 has 3 values, but there are 2 sample types");
	k = default_knobs(), k.nvalues0 = 1;
	expect_error(&k, "sample 1 has 1 values, but there are 2 sample types");
	k = default_knobs(), k.str0 = "oops";
	expect_error(&k, "string_table[0] is \"oops\", not the empty string");
	k = default_knobs(), k.fn_id[1] = 100, k.line_fn = 100;
	expect_error(&k, "function id 100 is used twice");
	k = default_knobs(), k.loc_id[2] = 30;
	expect_error(&k, "location id 30 is used twice");
}

/* A profile of one sample type, the given strings, functions (id i + 1:
 * name and file string indexes), locations (id i + 1: one line of function
 * id fn[i]) and samples (stacks of location ids, 0-terminated), read. */
static profile *read_small(const char *const *strs, size_t nstrs, const int (*fns)[2],
			   size_t nfns, const int *fn, size_t nlocs, const int (*stacks)[4],
			   size_t nsamples)
{
	strbuf out = STRBUF_INIT, m = STRBUF_INIT, t = STRBUF_INIT;
	pf(&m, 1, 1), pf(&m, 2, 2), pm(&out, 1, &m); /* samples/count */
	for (size_t i = 0; i < nsamples; i++) {
		for (int j = 0; j < 4 && stacks[i][j]; j++)
			pv(&t, (uint64_t)stacks[i][j]);
		pm(&m, 1, &t);
		pv(&t, i + 1), pm(&m, 2, &t);
		pm(&out, 2, &m);
	}
	for (size_t i = 0; i < nlocs; i++) {
		pf(&m, 1, i + 1);
		pf(&t, 1, (uint64_t)fn[i]), pm(&m, 4, &t);
		pm(&out, 4, &m);
	}
	for (size_t i = 0; i < nfns; i++) {
		pf(&m, 1, i + 1), pf(&m, 2, (uint64_t)fns[i][0]), pf(&m, 3, (uint64_t)fns[i][0]);
		pf(&m, 4, (uint64_t)fns[i][1]), pm(&out, 5, &m);
	}
	for (size_t i = 0; i < nstrs; i++)
		pb(&out, 6, strs[i], strlen(strs[i]));
	profile *p;
	cprof_err err = { "" };
	assert_int_equal(read_buf(&p, &out, &err), 0);
	sb_release(&out);
	sb_release(&m);
	sb_release(&t);
	return p;
}

static uint32_t loc_function(const profile *p, uint32_t loc)
{
	return p->locations[loc].lines[0].function;
}

/* Equal functions are one model function, whichever name index they use
 * (the reader skips the model's lookup for a name index new to the
 * functions); equal stacks are one stack, new locations or not. */
static void test_equal_functions_and_stacks_are_one(void **state)
{
	(void)state;
	static const char *const strs[] = { "", "samples", "count", "f", "a.c", "b.c", "g", "f" };
	/* f@a.c, f@a.c again, f@b.c, g@a.c, f@a.c by the second "f" */
	static const int fns[][2] = { { 3, 4 }, { 3, 4 }, { 3, 5 }, { 6, 4 }, { 7, 4 } };
	static const int fn[] = { 1, 2, 3, 4, 5 };
	static const int stacks[][4] = { { 1, 2 }, { 3, 1 }, { 1, 2 }, { 3, 1 }, { 2 }, { 4, 5 } };
	/* the table without the second "f" (its last entry), and with it */
	for (size_t nstrs = ARRAY_SIZE(strs) - 1; nstrs <= ARRAY_SIZE(strs); nstrs++) {
		size_t nfns = nstrs == ARRAY_SIZE(strs) ? 5 : 4;
		profile *p = read_small(strs, nstrs, fns, nfns, fn, nfns, stacks,
					nfns == 5 ? 6 : 5);
		assert_int_equal(p->nfunctions, 3);
		assert_int_equal(loc_function(p, 0), loc_function(p, 1));
		assert_int_not_equal(loc_function(p, 0), loc_function(p, 2));
		assert_int_not_equal(loc_function(p, 0), loc_function(p, 3));
		if (nfns == 5)
			assert_int_equal(loc_function(p, 4), loc_function(p, 0));
		assert_int_equal(p->samples[0].stack, p->samples[2].stack);
		assert_int_equal(p->samples[1].stack, p->samples[3].stack);
		assert_int_not_equal(p->samples[0].stack, p->samples[1].stack);
		assert_int_equal(p->nstacks, nfns == 5 ? 4 : 3);
		/* a later lookup finds what the reader appended */
		const prof_function *f = &p->functions[loc_function(p, 2)];
		assert_int_equal(prof_intern_function_own(p, f->name, f->system_name, f->filename,
							  f->start_line),
				 loc_function(p, 2));
		uint32_t st[2] = { 2, 0 }; /* locations 3 and 1 */
		assert_int_equal(prof_intern_stack(p, st, 2), p->samples[1].stack);
		prof_free(p);
	}
}

static void test_zero_ids(void **state)
{
	(void)state;
	knobs k;
	k = default_knobs(), k.map_id = 0, k.loc_map = 0;
	expect_error(&k, "mapping 1 has id 0");
	k = default_knobs(), k.fn_id[0] = 0;
	expect_error(&k, "function 1 has id 0");
	k = default_knobs(), k.loc_id[2] = 0;
	expect_error(&k, "location 3 has id 0");
	k = default_knobs(), k.sample_loc = 0;
	expect_error(&k, "sample 1 has location id 0");
	k = default_knobs(), k.line_fn = 0;
	expect_error(&k, "location 30 line 1 has function id 0");
}

static void read_bytes_expect(const void *d, size_t n, const char *want)
{
	profile *p = prof_new();
	cprof_err err = { "" };
	assert_int_equal(pprof_read(p, d, n, &err), -1);
	if (strcmp(err.msg, want) != 0)
		fail_msg("got error '%s', want '%s'", err.msg, want);
	prof_free(p);
}

static void test_bad_protobuf(void **state)
{
	(void)state;
	/* wire type 3 (a group) at the top */
	read_bytes_expect("\x0b", 1, "bad protobuf at byte 0: wire type 3 in Profile");
	/* field number 0 */
	read_bytes_expect("\x02\x00", 2, "bad protobuf at byte 0: field number 0 in Profile");
	/* a varint of 11 bytes */
	read_bytes_expect("\x48\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12,
			  "bad protobuf at byte 1: bad varint in Profile");
	/* a known field with the wrong wire type: sample as varint */
	read_bytes_expect("\x10\x01", 2, "bad protobuf at byte 0: Profile.sample has wire type 0");
	/* a length past the end: truncated */
	read_bytes_expect("\x32\x05" "ab", 4, "truncated protobuf at byte 1 (in Profile.string_table)");
	/* a Location whose line claims more than the Location holds (then
	 * a period: the Location is not at the end of the input) */
	read_bytes_expect("\x22\x04\x22\x05\x08\x01" "\x60\x01", 8,
			  "bad protobuf at byte 3: Location.line runs past the end of its Location");
	/* in a Function, a field number past 2^29 - 1 (protobuf-c takes it
	 * for an unknown field), and a field of the wrong wire type; in a
	 * Sample's Label, that field number again */
	read_bytes_expect("\x2a\x08\x08\x01\x80\x80\x80\x80\x10\x05", 10,
			  "bad protobuf at byte 4: field number 536870912 in Function");
	read_bytes_expect("\x2a\x03\x12\x01\x00", 5,
			  "bad protobuf at byte 2: Function.name has wire type 2");
	read_bytes_expect("\x12\x0a\x1a\x08\x08\x01\x80\x80\x80\x80\x10\x05", 12,
			  "bad protobuf at byte 6: field number 536870912 in Label");
	/* a packed sample value list with a cut varint */
	read_bytes_expect("\x12\x03\x12\x01\x80", 5, "bad protobuf at byte 4: bad packed Sample.value");

	/* every cut of a valid profile: no crash; cut inside a field says so */
	knobs k = default_knobs();
	strbuf in;
	build_profile(&k, &in);
	for (size_t cut = 0; cut < in.len; cut++) {
		profile *p = prof_new();
		cprof_err err = { "" };
		int rc = pprof_read(p, (unsigned char *)in.buf, cut, &err);
		assert_true(rc == 0 || err.msg[0] != 0);
		prof_free(p);
	}
	/* the last field is default_sample_type (tag, 1-byte value): cut its value */
	char want[96];
	snprintf(want, sizeof(want), "truncated protobuf at byte %zu (in Profile.default_sample_type)",
		 in.len - 1);
	read_bytes_expect(in.buf, in.len - 1, want);
	sb_release(&in);
}

static void test_mutations_never_crash(void **state)
{
	(void)state;
	knobs k = default_knobs();
	strbuf in;
	build_profile(&k, &in);
	uint32_t x = 1;
	int ok = 0, bad = 0;
	for (int round = 0; round < 20000; round++) {
		strbuf m = STRBUF_INIT;
		sb_add(&m, in.buf, in.len);
		for (int j = 0; j < 1 + round % 3; j++) {
			x = x * 1664525u + 1013904223u;
			size_t at = (x >> 8) % m.len;
			x = x * 1664525u + 1013904223u;
			m.buf[at] = (char)(x >> 24);
		}
		profile *p = prof_new();
		cprof_err err = { "" };
		if (pprof_read(p, (unsigned char *)m.buf, m.len, &err) == 0) {
			ok++;
			strbuf out = STRBUF_INIT;
			assert_int_equal(pprof_encode(p, NULL, &out, &err), 0);
			sb_release(&out);
		} else {
			bad++;
			assert_true(err.msg[0] != 0);
		}
		prof_free(p);
		sb_release(&m);
	}
	assert_true(ok > 100 && bad > 100);
	sb_release(&in);
}

/* The wire rules, as protobuf-c's decoder and pprof's own read a message:
 * unknown fields of every wire type are skipped (a length-delimited one
 * whole, whatever its bytes hold), the last value of a scalar wins, the
 * last of a message field seen twice replaces the others, repeated
 * scalars come packed or one by one, both appending. Read both ways, the
 * same profile. */
static void test_wire_rules(void **state)
{
	(void)state;
	knobs k = default_knobs();
	strbuf a, b, m = STRBUF_INIT, s = STRBUF_INIT;
	build_profile(&k, &a);
	/* a: a fourth sample [loc2, loc1, loc0] = 4 40, label endpoint=/users;
	 * a second period_type, unit count only; period 10000000 */
	pv(&s, k.loc_id[2]), pv(&s, k.loc_id[1]), pv(&s, k.loc_id[0]), pm(&m, 1, &s);
	pv(&s, 4), pv(&s, 40), pm(&m, 2, &s);
	pf(&s, 1, 10), pf(&s, 2, 11), pm(&m, 3, &s);
	pm(&a, 2, &m);
	pf(&m, 2, 2), pm(&a, 11, &m);
	pf(&a, 12, 10000000);
	/* b: the same, written otherwise, with unknown fields everywhere
	 * (0x0b is a group's tag: a walk into their bytes would fail) */
	build_profile(&k, &b);
	pf(&b, 100, 5);
	pv(&b, 101 << 3 | 1), sb_add(&b, "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b", 8);
	pb(&b, 102, "\x0b\x0b\x0b", 3);
	pv(&b, 103 << 3 | 5), sb_add(&b, "\x0b\x0b\x0b\x0b", 4);
	pf(&m, 2, 4); /* one value unpacked, the next packed */
	pb(&m, 77, "\x0b", 1);
	pf(&m, 1, k.loc_id[2]); /* one location unpacked, two packed */
	pv(&s, k.loc_id[1]), pv(&s, k.loc_id[0]), pm(&m, 1, &s);
	pv(&s, 40), pm(&m, 2, &s);
	/* a label: key 12 then 10 (the last wins), an unknown field inside */
	pf(&s, 1, 12), pf(&s, 2, 11), pb(&s, 9, "\x0b\x0b", 2), pf(&s, 1, 10), pm(&m, 3, &s);
	pf(&m, 55, 1);
	pm(&b, 2, &m);
	pf(&m, 2, 2), pm(&b, 11, &m); /* period_type again: it replaces cpu/nanoseconds */
	pf(&b, 12, 7), pf(&b, 12, 10000000); /* the last period wins */
	profile *pa, *pbp;
	cprof_err err = { "" };
	if (read_buf(&pa, &a, &err) != 0)
		fail_msg("%s", err.msg);
	if (read_buf(&pbp, &b, &err) != 0)
		fail_msg("%s", err.msg);
	strbuf da = STRBUF_INIT, db = STRBUF_INIT;
	dump(pa, &da);
	dump(pbp, &db);
	assert_string_equal(db.buf, da.buf);
	/* the string table in pieces, one of them longer than a run the
	 * reader decodes at once: the same profile */
	knobs ks = default_knobs();
	ks.split_strings = true;
	strbuf c, e, dc = STRBUF_INIT, d0 = STRBUF_INIT;
	build_profile(&ks, &c);
	build_profile(&k, &e);
	profile *pc, *p0;
	if (read_buf(&pc, &c, &err) != 0)
		fail_msg("%s", err.msg);
	if (read_buf(&p0, &e, &err) != 0)
		fail_msg("%s", err.msg);
	dump(pc, &dc);
	dump(p0, &d0);
	assert_string_equal(dc.buf, d0.buf);
	assert_true(c.len > e.len + 100000);
	prof_free(pc);
	prof_free(p0);
	sb_release(&c);
	sb_release(&e);
	sb_release(&dc);
	sb_release(&d0);
	assert_non_null(strstr(da.buf, "period /count 10000000"));
	assert_non_null(strstr(da.buf, "sample 2 1 0 = 4 40 endpoint=/users\n"));
	prof_free(pa);
	prof_free(pbp);
	sb_release(&a);
	sb_release(&b);
	sb_release(&m);
	sb_release(&s);
	sb_release(&da);
	sb_release(&db);
}

/* Empty messages, the most messages a byte of input can hold: a profile
 * of nothing but empty samples, and of samples with one empty label. */
static void test_budget_fits_empty_messages(void **state)
{
	(void)state;
	const char *unit[] = { "\x12\x00", "\x12\x02\x1a\x00" };
	size_t unitlen[] = { 2, 4 };
	for (int k = 0; k < 2; k++) {
		strbuf in = STRBUF_INIT;
		for (int i = 0; i < 2000000 / (k + 1); i++)
			sb_add(&in, unit[k], unitlen[k]);
		profile *p;
		cprof_err err = { "" };
		if (read_buf(&p, &in, &err) != 0)
			fail_msg("%s", err.msg);
		assert_int_equal(p->nsamples, 2000000 / (k + 1));
		assert_int_equal(p->nstacks, 1);
		prof_free(p);
		sb_release(&in);
	}
}

static void test_looks_like(void **state)
{
	(void)state;
	knobs k = default_knobs();
	strbuf in;
	build_profile(&k, &in);
	assert_true(pprof_looks_like((unsigned char *)in.buf, in.len));
	assert_true(pprof_looks_like((unsigned char *)in.buf, in.len / 2)); /* cut short */
	sb_addc(&in, 0x0b); /* damaged after many good fields: still pprof */
	assert_true(pprof_looks_like((unsigned char *)in.buf, in.len));
	profile *p = ticks_profile();
	strbuf out = STRBUF_INIT;
	cprof_err err;
	assert_int_equal(pprof_encode(p, NULL, &out, &err), 0);
	assert_true(pprof_looks_like((unsigned char *)out.buf, out.len));
	prof_free(p);
	/* text that parses as protobuf: "2$" is string_table (field 6, length
	 * 36) and the 36 bytes after it make the whole input one entry; "@Ca:"
	 * is a field cut short */
	const char *no[] = { "", "main;A;B 12\n", "CPROFRAW", "\x1f\x8b\x08", "Hello world\n",
			     "processA;foo;bar 1\n", "2\n", "#!/bin/sh\n", "{\"a\":1}", "\n\n\n",
			     "2$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1\n", "@Ca: Fb 2\n" };
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_false(pprof_looks_like((const unsigned char *)no[i], strlen(no[i])));
	sb_release(&in);
	sb_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_keeps_every_field),
		cmocka_unit_test(test_round_trip_keeps_everything),
		cmocka_unit_test(test_nul_bytes_round_trip),
		cmocka_unit_test(test_write_aggregates_ticks),
		cmocka_unit_test(test_sums_saturate),
		cmocka_unit_test(test_mapping_flags_are_truthful),
		cmocka_unit_test(test_fractional_values_scaled_unit),
		cmocka_unit_test(test_bad_references),
		cmocka_unit_test(test_zero_ids),
		cmocka_unit_test(test_equal_functions_and_stacks_are_one),
		cmocka_unit_test(test_bad_protobuf),
		cmocka_unit_test(test_mutations_never_crash),
		cmocka_unit_test(test_wire_rules),
		cmocka_unit_test(test_budget_fits_empty_messages),
		cmocka_unit_test(test_looks_like),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
