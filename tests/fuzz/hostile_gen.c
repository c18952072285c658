/*
 * hostile-gen DIR: writes the hostile inputs that tests/e2e/6*-hostile.t
 * feeds to every tool, and that seed the fuzz corpora.
 *
 * Each file is named EXPECT.WHAT.EXT, where EXPECT says what a tool must do:
 *   ok   a valid profile with nasty content: the tool succeeds, and its
 *        output escapes every name (valid XML/HTML/JSON, one folded line per
 *        stack);
 *   err  an invalid file: a one-line error naming the file, non-zero exit;
 *   any  either of the two (the format allows a reader to refuse it), but
 *        never a crash, a hang or a half-written output.
 *
 * pprof files are built with the protobuf-c structures from proto/, so
 * broken references (ids out of range, zero ids) are exactly what a
 * hand-written or hostile producer could send; raw files are built record by
 * record from include/cprof_rawfmt.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cprof_rawfmt.h"
#include "gzip.h"
#include "profile.pb-c.h"
#include "util.h"

static const char *outdir;

/* The generator frees nothing (it exits at once); tell LeakSanitizer in the
 * sanitizer builds. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static void write_out(const char *name, const void *d, size_t n)
{
	strbuf path = STRBUF_INIT;
	sb_addf(&path, "%s/%s", outdir, name);
	FILE *f = fopen(path.buf, "wb");
	if (!f || (n && fwrite(d, 1, n, f) != n) || fclose(f) != 0) {
		fprintf(stderr, "hostile-gen: %s: %s\n", path.buf, strerror(errno));
		exit(1);
	}
	sb_release(&path);
}

static void write_gz(const char *name, const void *d, size_t n)
{
	strbuf gz = STRBUF_INIT;
	cprof_err err;
	if (gz_deflate(d, n, &gz, &err) != 0) {
		fprintf(stderr, "hostile-gen: %s\n", err.msg);
		exit(1);
	}
	write_out(name, gz.buf, gz.len);
	sb_release(&gz);
}

/* ---- pprof ------------------------------------------------------------ */
typedef Perftools__Profiles__Profile PProfile;
typedef Perftools__Profiles__ValueType PValueType;
typedef Perftools__Profiles__Sample PSample;
typedef Perftools__Profiles__Location PLocation;
typedef Perftools__Profiles__Line PLine;
typedef Perftools__Profiles__Function PFunction;
typedef Perftools__Profiles__Mapping PMapping;
typedef Perftools__Profiles__Label PLabel;

/* A profile under construction; everything is leaked on purpose (the
 * generator is a short-lived program). */
typedef struct pb {
	PProfile p;
	size_t astr, asample, aloc, afunc, amap;
} pb;

/* A string table entry (bytes in cprof's profile.proto) holding s. */
static ProtobufCBinaryData pb_bytes(const char *s)
{
	return (ProtobufCBinaryData){ strlen(s), (uint8_t *)xstrdup(s) };
}

static int64_t pb_str(pb *b, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < b->p.n_string_table; i++)
		if (b->p.string_table[i].len == n && !memcmp(b->p.string_table[i].data, s, n))
			return (int64_t)i;
	ALLOC_GROW(b->p.string_table, b->p.n_string_table + 1, b->astr);
	b->p.string_table[b->p.n_string_table] = pb_bytes(s);
	return (int64_t)b->p.n_string_table++;
}

/* Appends without looking for an equal string (fast for many names). */
static int64_t pb_str_new(pb *b, const char *s)
{
	ALLOC_GROW(b->p.string_table, b->p.n_string_table + 1, b->astr);
	b->p.string_table[b->p.n_string_table] = pb_bytes(s);
	return (int64_t)b->p.n_string_table++;
}

static PValueType *vt(pb *b, const char *type, const char *unit)
{
	PValueType *v = xmalloc(sizeof(*v));
	perftools__profiles__value_type__init(v);
	v->type = pb_str(b, type);
	v->unit = pb_str(b, unit);
	return v;
}

/* A profile with samples/count and cpu/nanoseconds, like Go's. */
static void pb_init(pb *b)
{
	memset(b, 0, sizeof(*b));
	perftools__profiles__profile__init(&b->p);
	pb_str(b, "");
	b->p.n_sample_type = 2;
	b->p.sample_type = xmalloc(2 * sizeof(PValueType *));
	b->p.sample_type[0] = vt(b, "samples", "count");
	b->p.sample_type[1] = vt(b, "cpu", "nanoseconds");
	b->p.period_type = vt(b, "cpu", "nanoseconds");
	b->p.period = 10000000;
	b->p.time_nanos = 1700000000000000000;
	b->p.duration_nanos = 1000000000;
}

static uint64_t pb_mapping(pb *b, const char *file)
{
	PMapping *m = xmalloc(sizeof(*m));
	perftools__profiles__mapping__init(m);
	m->id = b->p.n_mapping + 1;
	m->memory_start = 0x400000;
	m->memory_limit = 0x500000;
	m->filename = pb_str(b, file);
	m->has_functions = 1;
	ALLOC_GROW(b->p.mapping, b->p.n_mapping + 1, b->amap);
	b->p.mapping[b->p.n_mapping++] = m;
	return m->id;
}

static uint64_t pb_function_s(pb *b, int64_t name)
{
	PFunction *f = xmalloc(sizeof(*f));
	perftools__profiles__function__init(f);
	f->id = b->p.n_function + 1;
	f->name = name;
	f->system_name = name;
	f->filename = pb_str(b, "hostile.c");
	f->start_line = 1;
	ALLOC_GROW(b->p.function, b->p.n_function + 1, b->afunc);
	b->p.function[b->p.n_function++] = f;
	return f->id;
}

static uint64_t pb_function(pb *b, const char *name)
{
	return pb_function_s(b, pb_str(b, name));
}

/* A location with one line of function fid (0: no line at all). */
static uint64_t pb_location(pb *b, uint64_t mapping, uint64_t fid)
{
	PLocation *l = xmalloc(sizeof(*l));
	perftools__profiles__location__init(l);
	l->id = b->p.n_location + 1;
	l->mapping_id = mapping;
	l->address = 0x401000 + 16 * l->id;
	if (fid) {
		PLine *ln = xmalloc(sizeof(*ln));
		perftools__profiles__line__init(ln);
		ln->function_id = fid;
		ln->line = (int64_t)(10 + l->id % 100);
		l->n_line = 1;
		l->line = xmalloc(sizeof(PLine *));
		l->line[0] = ln;
	}
	ALLOC_GROW(b->p.location, b->p.n_location + 1, b->aloc);
	b->p.location[b->p.n_location++] = l;
	return l->id;
}

/* A sample over locs (leaf first) with values (count, cpu). */
static PSample *pb_sample(pb *b, const uint64_t *locs, size_t n, int64_t count, int64_t cpu)
{
	PSample *s = xmalloc(sizeof(*s));
	perftools__profiles__sample__init(s);
	s->n_location_id = n;
	s->location_id = xmalloc((n ? n : 1) * sizeof(uint64_t));
	if (n)
		memcpy(s->location_id, locs, n * sizeof(uint64_t));
	s->n_value = 2;
	s->value = xmalloc(2 * sizeof(int64_t));
	s->value[0] = count;
	s->value[1] = cpu;
	ALLOC_GROW(b->p.sample, b->p.n_sample + 1, b->asample);
	b->p.sample[b->p.n_sample++] = s;
	return s;
}

static void pb_label(pb *b, PSample *s, const char *key, const char *str, int64_t num,
		     const char *unit)
{
	PLabel *l = xmalloc(sizeof(*l));
	perftools__profiles__label__init(l);
	l->key = pb_str(b, key);
	if (str)
		l->str = pb_str(b, str);
	else {
		l->num = num;
		l->num_unit = unit ? pb_str(b, unit) : 0;
	}
	s->label = xrealloc(s->label, (s->n_label + 1) * sizeof(PLabel *));
	s->label[s->n_label++] = l;
}

static void pb_write(pb *b, const char *name, int gz)
{
	size_t n = perftools__profiles__profile__get_packed_size(&b->p);
	unsigned char *buf = xmalloc(n ? n : 1);
	perftools__profiles__profile__pack(&b->p, buf);
	if (gz)
		write_gz(name, buf, n);
	else
		write_out(name, buf, n);
	free(buf);
}

/* main -> name -> leaf, 3 samples: the base of most broken variants. */
static void pb_simple(pb *b, const char *leaf)
{
	pb_init(b);
	uint64_t m = pb_mapping(b, "/usr/bin/hostile");
	uint64_t fmain = pb_function(b, "main");
	uint64_t fleaf = pb_function(b, leaf);
	uint64_t lmain = pb_location(b, m, fmain);
	uint64_t lleaf = pb_location(b, m, fleaf);
	uint64_t st[2] = { lleaf, lmain };
	pb_sample(b, st, 2, 3, 30000000);
	pb_sample(b, st + 1, 1, 1, 10000000);
}

/* Names a view must escape, each in its own stack. */
static const char *nasty_names[] = {
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"a&b\"c'd",
	"]]><!-- -->",
	"semi;colon",
	"new\nline",
	"tab\tand\rreturn",
	"bad utf8 \xff\xfe\xc3(",
	"overlong \xc0\xaf slash",
	"surrogate \xed\xa0\x80",
	"\xe2\x80\xae right-to-left",
	"operator<<(std::ostream&, T const&)",
	"{\"json\": [1]}",
	"back\\slash",
	"</svg></html>",
	" ",
	"x",
};

static void gen_pprof(void)
{
	pb b;

	/* a good baseline, plain and gzipped */
	pb_simple(&b, "leaf");
	pb_write(&b, "ok.simple.pb", 0);
	pb_write(&b, "ok.simple.pb.gz", 1);

	/* hostile names in functions, file names, labels, mapping paths */
	pb_init(&b);
	uint64_t m = pb_mapping(&b, "/tmp/<lib>&\"x\".so");
	uint64_t fmain = pb_function(&b, "main");
	uint64_t lmain = pb_location(&b, m, fmain);
	for (size_t i = 0; i < ARRAY_SIZE(nasty_names); i++) {
		uint64_t f = pb_function(&b, nasty_names[i]);
		uint64_t l = pb_location(&b, m, f);
		uint64_t st[2] = { l, lmain };
		PSample *s = pb_sample(&b, st, 2, (int64_t)i + 1, ((int64_t)i + 1) * 10000000);
		pb_label(&b, s, "endpoint<&>", nasty_names[i], 0, NULL);
		pb_label(&b, s, "bytes\"", NULL, (int64_t)i, "by<te>s");
	}
	/* an unsymbolized frame whose module name is hostile */
	uint64_t lnaked = pb_location(&b, m, 0);
	uint64_t st2[2] = { lnaked, lmain };
	pb_sample(&b, st2, 2, 2, 20000000);
	b.p.n_comment = 1;
	b.p.comment = xmalloc(sizeof(int64_t));
	b.p.comment[0] = pb_str(&b, "comment </script><b>&amp;");
	pb_write(&b, "ok.names.pb.gz", 1);

	/* a 1 MB function name */
	pb_init(&b);
	char *big = xmalloc((1 << 20) + 1);
	for (size_t i = 0; i < (1 << 20); i++)
		big[i] = "abc<&>\"'"[i % 8];
	big[1 << 20] = 0;
	m = pb_mapping(&b, "/usr/bin/hostile");
	uint64_t lbig = pb_location(&b, m, pb_function(&b, big));
	lmain = pb_location(&b, m, pb_function(&b, "main"));
	uint64_t st3[2] = { lbig, lmain };
	pb_sample(&b, st3, 2, 5, 50000000);
	pb_write(&b, "ok.bigname.pb.gz", 1);
	free(big);

	/* a 100k-deep stack of distinct functions, and one of plain recursion */
	pb_init(&b);
	m = pb_mapping(&b, "/usr/bin/hostile");
	enum { DEEP = 100000 };
	uint64_t *deep = xmalloc(DEEP * sizeof(uint64_t));
	for (int i = 0; i < DEEP; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%d", DEEP - 1 - i);
		deep[i] = pb_location(&b, m, pb_function_s(&b, pb_str_new(&b, name)));
	}
	pb_sample(&b, deep, DEEP, 7, 70000000);
	pb_sample(&b, deep + DEEP / 2, DEEP / 2, 1, 10000000);
	pb_write(&b, "ok.deep.pb.gz", 1);
	pb_init(&b);
	m = pb_mapping(&b, "/usr/bin/hostile");
	uint64_t lrec = pb_location(&b, m, pb_function(&b, "recurse"));
	lmain = pb_location(&b, m, pb_function(&b, "main"));
	for (int i = 0; i < DEEP; i++)
		deep[i] = i == DEEP - 1 ? lmain : lrec;
	pb_sample(&b, deep, DEEP, 4, 40000000);
	pb_write(&b, "ok.recursion.pb.gz", 1);
	free(deep);

	/* many samples of many stacks (not huge: tests stay fast) */
	pb_init(&b);
	m = pb_mapping(&b, "/usr/bin/hostile");
	uint64_t locs[64];
	for (int i = 0; i < 64; i++) {
		char name[32];
		snprintf(name, sizeof(name), "fn%02d", i);
		locs[i] = pb_location(&b, m, pb_function(&b, name));
	}
	for (int i = 0; i < 5000; i++) {
		uint64_t st[6];
		for (int k = 0; k < 6; k++)
			st[k] = locs[(i * 7 + k * 13 + i / (k + 1)) % 64];
		pb_sample(&b, st, 1 + (size_t)(i % 6), 1 + i % 3, (1 + i % 3) * 1000000);
	}
	pb_write(&b, "ok.many.pb.gz", 1);

	/* values at the edge: sums overflow int64, negative values, zeros */
	pb_simple(&b, "huge");
	b.p.sample[0]->value[0] = INT64_MAX;
	b.p.sample[0]->value[1] = INT64_MAX;
	b.p.sample[1]->value[0] = INT64_MAX;
	b.p.sample[1]->value[1] = INT64_MAX;
	pb_write(&b, "any.overflow.pb.gz", 1);
	pb_simple(&b, "negative");
	b.p.sample[0]->value[0] = -5;
	b.p.sample[0]->value[1] = INT64_MIN;
	pb_write(&b, "any.negative.pb.gz", 1);
	pb_simple(&b, "zero");
	b.p.sample[0]->value[0] = 0;
	b.p.sample[0]->value[1] = 0;
	b.p.sample[1]->value[0] = 0;
	b.p.sample[1]->value[1] = 0;
	pb_write(&b, "ok.zero.pb.gz", 1);

	/* an empty profile: no samples at all */
	pb_init(&b);
	pb_write(&b, "any.nosamples.pb.gz", 1);

	/* ---- broken references: every one must be an error ---- */
	pb_simple(&b, "leaf");
	b.p.sample[0]->location_id[0] = 99;
	pb_write(&b, "err.location-id-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.sample[0]->location_id[0] = 0;
	pb_write(&b, "err.location-id-zero.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.location[0]->line[0]->function_id = 77;
	pb_write(&b, "err.function-id-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.location[0]->mapping_id = 5;
	pb_write(&b, "err.mapping-id-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.function[1]->name = 1000;
	pb_write(&b, "err.string-id-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.function[1]->name = -1;
	pb_write(&b, "err.string-id-negative.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.function[1]->filename = INT64_MAX;
	pb_write(&b, "err.string-id-int64-max.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.sample_type[1]->unit = 500;
	pb_write(&b, "err.sample-type-string-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.mapping[0]->filename = 300;
	pb_write(&b, "err.mapping-file-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	pb_label(&b, b.p.sample[0], "k", "v", 0, NULL);
	b.p.sample[0]->label[0]->key = 4242;
	pb_write(&b, "err.label-key-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	pb_label(&b, b.p.sample[0], "k", "v", 0, NULL);
	b.p.sample[0]->label[0]->str = -7;
	pb_write(&b, "err.label-str-negative.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.n_comment = 1;
	b.p.comment = xmalloc(sizeof(int64_t));
	b.p.comment[0] = 999;
	pb_write(&b, "err.comment-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.drop_frames = 999;
	pb_write(&b, "err.drop-frames-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.default_sample_type = 999;
	pb_write(&b, "err.default-type-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.period_type->type = 999;
	pb_write(&b, "err.period-type-out-of-range.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.sample[0]->n_value = 1; /* fewer values than sample types */
	pb_write(&b, "err.value-count-mismatch.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.function[0]->id = 0;
	pb_write(&b, "err.function-id-zero.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.location[1]->id = 1; /* two locations with id 1 */
	pb_write(&b, "err.location-id-duplicate.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.string_table[0] = (ProtobufCBinaryData){ 9, (uint8_t *)"not empty" };
	pb_write(&b, "err.string-table-0-not-empty.pb.gz", 1);
	pb_simple(&b, "leaf");
	b.p.n_string_table = 0; /* every string reference dangles */
	pb_write(&b, "err.no-string-table.pb.gz", 1);
}

/* ---- raw --------------------------------------------------------------- */
typedef struct rawb {
	strbuf sb;
} rawb;

static void raw_init(rawb *r)
{
	sb_init(&r->sb);
	struct cprof_raw_file_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CPROF_RAW_MAGIC, 8);
	h.version = CPROF_RAW_VERSION;
	h.hdr_size = sizeof(h);
	h.bom = CPROF_RAW_BOM;
	sb_add(&r->sb, &h, sizeof(h));
}

/* One record: the fixed body, then the variable parts, padded to 8. */
static void raw_rec(rawb *r, uint16_t type, const void *fixed, size_t flen, const void *v1,
		    size_t l1, const void *v2, size_t l2)
{
	size_t body = flen + l1 + l2;
	struct cprof_raw_rec h = { (uint32_t)CPROF_RAW_ALIGN(8 + body), type, 0 };
	sb_add(&r->sb, &h, sizeof(h));
	sb_add(&r->sb, fixed, flen);
	if (l1)
		sb_add(&r->sb, v1, l1);
	if (l2)
		sb_add(&r->sb, v2, l2);
	static const char zeros[8];
	sb_add(&r->sb, zeros, CPROF_RAW_ALIGN(8 + body) - (8 + body));
}

static void raw_info_rec(rawb *r)
{
	struct cprof_raw_info in;
	memset(&in, 0, sizeof(in));
	in.period_ns = 1000000;
	in.start_realtime_ns = 1700000000000000000ull;
	in.start_monotonic_ns = 1000000000ull;
	in.hz = 1000;
	in.pid = 4242;
	in.ppid = 1;
	in.timer = CPROF_TIMER_PERF_EVENT;
	in.mode = CPROF_MODE_CPU;
	in.unwinder = CPROF_UNWIND_LIBUNWIND;
	in.clock = 1;
	const char exe[] = "/usr/bin/<hostile>&\"prog\"";
	const char cmd[] = "prog\0--name=<x>&\0\xff";
	in.exe_len = sizeof(exe) - 1;
	in.cmdline_len = sizeof(cmd) - 1;
	raw_rec(r, CPROF_RAW_INFO, &in, sizeof(in), exe, in.exe_len, cmd, in.cmdline_len);
}

static void raw_mapping_rec(rawb *r, uint64_t start, uint64_t limit, const char *path)
{
	struct cprof_raw_mapping m;
	memset(&m, 0, sizeof(m));
	m.time_ns = 1000000000ull;
	m.start = start;
	m.limit = limit;
	m.build_id_len = 4;
	m.path_len = (uint16_t)strlen(path);
	m.prot = 5;
	raw_rec(r, CPROF_RAW_MAPPING, &m, sizeof(m), "\xde\xad\xbe\xef", 4, path, m.path_len);
}

static void raw_thread_rec(rawb *r, uint32_t tid, const char *name)
{
	struct cprof_raw_thread t;
	memset(&t, 0, sizeof(t));
	t.time_ns = 1000000000ull;
	t.tid = tid;
	memcpy(t.name, name, strnlen(name, sizeof(t.name)));
	raw_rec(r, CPROF_RAW_THREAD, &t, sizeof(t), NULL, 0, NULL, 0);
}

static void raw_sample_rec(rawb *r, uint64_t t, uint32_t tid, uint32_t ls, const uint64_t *fr,
			   uint32_t n, uint16_t nframes_claimed)
{
	struct cprof_raw_sample s;
	memset(&s, 0, sizeof(s));
	s.time_ns = t;
	s.weight_ns = 1000000;
	s.tid = tid;
	s.labelset = ls;
	s.nframes = nframes_claimed;
	raw_rec(r, CPROF_RAW_SAMPLE, &s, sizeof(s), fr, n * sizeof(uint64_t), NULL, 0);
}

static void raw_labelset_rec(rawb *r, uint32_t id, const char *k, const char *v, uint32_t claimed)
{
	strbuf e = STRBUF_INIT;
	uint16_t kl = (uint16_t)strlen(k), vl = (uint16_t)strlen(v);
	sb_add(&e, &kl, 2);
	sb_add(&e, &vl, 2);
	sb_add(&e, k, kl);
	sb_add(&e, v, vl);
	struct cprof_raw_labelset h = { id, claimed };
	raw_rec(r, CPROF_RAW_LABELSET, &h, sizeof(h), e.buf, e.len, NULL, 0);
	sb_release(&e);
}

static void raw_end_rec(rawb *r, uint64_t written)
{
	struct cprof_raw_end e;
	memset(&e, 0, sizeof(e));
	e.time_ns = 2000000000ull;
	e.samples_written = written;
	raw_rec(r, CPROF_RAW_END, &e, sizeof(e), NULL, 0, NULL, 0);
}

/* A small valid recording with hostile names in every string it carries. */
static void raw_base(rawb *r)
{
	raw_init(r);
	raw_info_rec(r);
	raw_mapping_rec(r, 0x400000, 0x500000, "/nonexistent/<lib>&\"q\"\n\xff.so");
	raw_mapping_rec(r, 0x7f0000000000ull, 0x7f0000100000ull, "/nonexistent/libplain.so");
	raw_thread_rec(r, 4242, "<main>&\"\n\xff");
	raw_thread_rec(r, 4243, "worker");
	raw_labelset_rec(r, 1, "endpoint", "/users?<a>&b=\"c\"\n\xfe", 1);
	uint64_t fr[3] = { 0x401234, 0x7f0000000abcull, 0x400100 };
	for (int i = 0; i < 20; i++)
		raw_sample_rec(r, 1000000000ull + (uint64_t)i * 1000000, 4242 + (uint32_t)(i % 2),
			       (uint32_t)(i % 2), fr + (i % 3), 3 - (uint32_t)(i % 3),
			       (uint16_t)(3 - i % 3));
}

static void raw_write(rawb *r, const char *name)
{
	write_out(name, r->sb.buf, r->sb.len);
	sb_release(&r->sb);
}

static void gen_raw(void)
{
	rawb r;
	uint64_t fr[4] = { 0x401000, 0x402000, 0x403000, 0x404000 };

	raw_base(&r);
	raw_end_rec(&r, 20);
	raw_write(&r, "ok.names.cprof");

	raw_base(&r); /* no END: a recording that was killed */
	raw_write(&r, "ok.no-end.cprof");

	raw_base(&r); /* the zero tail of a file never closed */
	sb_add(&r.sb, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	raw_write(&r, "ok.zero-tail.cprof");

	raw_base(&r); /* a record reserved but never completed (type 0) */
	raw_rec(&r, CPROF_RAW_INCOMPLETE, fr, sizeof(fr), NULL, 0, NULL, 0);
	raw_sample_rec(&r, 1100000000ull, 4242, 0, fr, 2, 2);
	raw_end_rec(&r, 21);
	raw_write(&r, "ok.incomplete-record.cprof");

	raw_base(&r); /* unknown record types are skipped */
	raw_rec(&r, 999, fr, sizeof(fr), NULL, 0, NULL, 0);
	raw_end_rec(&r, 20);
	raw_write(&r, "ok.unknown-type.cprof");

	/* a sample claiming more frames than its record holds */
	raw_base(&r);
	raw_sample_rec(&r, 1100000000ull, 4242, 0, fr, 2, 60000);
	raw_end_rec(&r, 21);
	raw_write(&r, "any.nframes-overflow.cprof");

	/* a sample with the most frames the format can say (65535) */
	raw_base(&r);
	{
		enum { N = 65535 };
		uint64_t *big = xmalloc(N * sizeof(uint64_t));
		for (int i = 0; i < N; i++)
			big[i] = 0x400000 + 16 * (uint64_t)(i % 4096);
		raw_sample_rec(&r, 1100000000ull, 4242, 0, big, N, N);
		free(big);
	}
	raw_end_rec(&r, 21);
	raw_write(&r, "any.deep-65535.cprof");

	/* a label set whose count is far larger than its entries */
	raw_base(&r);
	raw_labelset_rec(&r, 2, "k", "v", 0xffffffffu);
	raw_sample_rec(&r, 1100000000ull, 4242, 2, fr, 2, 2);
	raw_end_rec(&r, 21);
	raw_write(&r, "any.labelset-count.cprof");

	/* a sample referencing a label set that was never written */
	raw_base(&r);
	raw_sample_rec(&r, 1100000000ull, 4242, 77, fr, 2, 2);
	raw_end_rec(&r, 21);
	raw_write(&r, "any.labelset-missing.cprof");

	/* INFO claiming an exe longer than the record */
	raw_init(&r);
	{
		struct cprof_raw_info in;
		memset(&in, 0, sizeof(in));
		in.period_ns = 1000000;
		in.exe_len = 0x7fffffff;
		in.cmdline_len = 0x7fffffff;
		raw_rec(&r, CPROF_RAW_INFO, &in, sizeof(in), "x", 1, NULL, 0);
	}
	raw_sample_rec(&r, 1100000000ull, 4242, 0, fr, 2, 2);
	raw_write(&r, "any.info-lengths.cprof");

	/* a mapping whose path and build-id lengths run past the record */
	raw_base(&r);
	{
		struct cprof_raw_mapping m;
		memset(&m, 0, sizeof(m));
		m.start = 0x400000;
		m.limit = 0x300000; /* limit below start, too */
		m.build_id_len = 0xffff;
		m.path_len = 0xffff;
		raw_rec(&r, CPROF_RAW_MAPPING, &m, sizeof(m), "abc", 3, NULL, 0);
	}
	raw_end_rec(&r, 20);
	raw_write(&r, "any.mapping-lengths.cprof");

	/* time running backwards, tid 0, a weight of 2^64-1 */
	raw_base(&r);
	{
		struct cprof_raw_sample s;
		memset(&s, 0, sizeof(s));
		s.time_ns = 5;
		s.weight_ns = UINT64_MAX;
		s.nframes = 1;
		raw_rec(&r, CPROF_RAW_SAMPLE, &s, sizeof(s), fr, 8, NULL, 0);
		s.time_ns = UINT64_MAX;
		raw_rec(&r, CPROF_RAW_SAMPLE, &s, sizeof(s), fr, 8, NULL, 0);
	}
	raw_end_rec(&r, 22);
	raw_write(&r, "any.odd-values.cprof");

	/* a record whose size is not a multiple of 8, then one larger than the file */
	raw_base(&r);
	{
		struct cprof_raw_rec h = { 13, CPROF_RAW_SAMPLE, 0 };
		sb_add(&r.sb, &h, sizeof(h));
		sb_add(&r.sb, "abcdefgh", 8);
	}
	raw_write(&r, "any.bad-record-size.cprof");
	raw_base(&r);
	{
		struct cprof_raw_rec h = { 0xfffffff8u, CPROF_RAW_SAMPLE, 0 };
		sb_add(&r.sb, &h, sizeof(h));
	}
	raw_write(&r, "any.huge-record-size.cprof");

	/* v2: a STACK with id 0, one claiming 65535 frames, an id defined
	 * twice; STACK_SAMPLEs naming that id, an unknown one, and one whose
	 * flags promise a weight and labels its body lacks */
	raw_base(&r);
	{
		struct cprof_raw_stack st = { 0, 1, 0 };
		raw_rec(&r, CPROF_RAW_STACK, &st, sizeof(st), fr, 8, NULL, 0);
		st.id = 7;
		st.nframes = 0xffff;
		raw_rec(&r, CPROF_RAW_STACK, &st, sizeof(st), fr, 8, NULL, 0);
		st.nframes = 1;
		raw_rec(&r, CPROF_RAW_STACK, &st, sizeof(st), fr, 8, NULL, 0);
		raw_rec(&r, CPROF_RAW_STACK, &st, sizeof(st), fr + 1, 8, NULL, 0);
		struct cprof_raw_stack_sample ss = { 1100000000ull, 4242, 7 };
		raw_rec(&r, CPROF_RAW_STACK_SAMPLE, &ss, sizeof(ss), NULL, 0, NULL, 0);
		ss.stack = 99;
		raw_rec(&r, CPROF_RAW_STACK_SAMPLE, &ss, sizeof(ss), NULL, 0, NULL, 0);
		ss.stack = 7;
		size_t at = r.sb.len;
		raw_rec(&r, CPROF_RAW_STACK_SAMPLE, &ss, sizeof(ss), NULL, 0, NULL, 0);
		uint16_t fl = CPROF_SSAMPLE_WEIGHT | CPROF_SSAMPLE_LABELS;
		memcpy(r.sb.buf + at + 6, &fl, 2);
	}
	raw_end_rec(&r, 23);
	raw_write(&r, "any.stack-records.cprof");

	/* no INFO record at all */
	raw_init(&r);
	raw_sample_rec(&r, 1100000000ull, 4242, 0, fr, 2, 2);
	raw_write(&r, "any.no-info.cprof");

	/* only the file header */
	raw_init(&r);
	raw_write(&r, "any.header-only.cprof");

	/* header errors */
	raw_init(&r);
	r.sb.buf[8] = 99; /* version 99 */
	raw_write(&r, "err.version.cprof");
	raw_init(&r);
	{
		uint32_t bom = 0x04030201u; /* big-endian writer */
		memcpy(r.sb.buf + 12, &bom, 4);
	}
	raw_write(&r, "err.big-endian.cprof");
	write_out("err.header-cut.cprof", CPROF_RAW_MAGIC, 8);
}

/* ---- folded and other text ------------------------------------------------ */
static void gen_folded(void)
{
	strbuf s = STRBUF_INIT;

	sb_adds(&s, "main;<script>alert(1)</script> 3\n"
		    "main;a&b\"c'd 2\n"
		    "main;]]><!-- --> 1\n"
		    "main;bad utf8 \xff\xfe 4\n"
		    "main;operator<<(std::ostream&) 5\n"
		    "main;back\\slash;{\"json\": [1]} 6\n"
		    "main;</svg></html> 1\n");
	write_out("ok.names.folded", s.buf, s.len);

	sb_reset(&s);
	sb_adds(&s, "main;a 1\r\nmain;b 2\r\n\r\n");
	write_out("ok.crlf.folded", s.buf, s.len);

	sb_reset(&s);
	sb_adds(&s, "main;");
	for (int i = 0; i < (1 << 20); i++)
		sb_addc(&s, "abc<&>\"'"[i % 8]);
	sb_adds(&s, " 5\nmain;b 1\n");
	write_out("ok.bigname.folded", s.buf, s.len);

	sb_reset(&s);
	for (int i = 0; i < 100000; i++)
		sb_addf(&s, "%sf%d", i ? ";" : "", i);
	sb_adds(&s, " 7\n");
	write_out("ok.deep.folded", s.buf, s.len);

	sb_reset(&s);
	sb_adds(&s, "main;a 9223372036854775807\nmain;a 9223372036854775807\nmain;b 1\n");
	write_out("any.overflow.folded", s.buf, s.len);

	sb_reset(&s);
	sb_adds(&s, "main;a 99999999999999999999999\n");
	write_out("any.count-too-big.folded", s.buf, s.len);

	sb_reset(&s);
	sb_adds(&s, "main;a 1\nmain;b -3\nmain;;;c 0\n");
	write_out("any.negative.folded", s.buf, s.len);

	sb_reset(&s);
	sb_adds(&s, "main;a 1\nthis line has no count\n");
	write_out("any.no-count.folded", s.buf, s.len);

	sb_reset(&s);
	sb_adds(&s, "main;a 1\n");
	sb_add(&s, "main;b\0c 2\n", 11);
	write_out("any.nul-byte.folded", s.buf, s.len);

	/* neither format: text, binary, the gzip of nothing useful */
	write_out("err.text.txt", "hello, this is not a profile\n", 29);
	write_out("err.binary.bin", "\x00\x01\x02\x03\xff\xfe\xfd\x80\x81", 9);
	sb_reset(&s);
	sb_adds(&s, "just some text inside gzip\n");
	write_gz("err.text-in-gzip.gz", s.buf, s.len);
	sb_release(&s);
}

/* ---- gperftools CPU profiles and pprof's legacy text ---------------------- */
static void cpu_word(strbuf *s, uint64_t v, int size, int big)
{
	for (int i = 0; i < size; i++)
		sb_addc(s, (char)(v >> (8 * (big ? size - 1 - i : i))));
}

static void cpu_header(strbuf *s, int size, int big)
{
	static const uint64_t h[] = { 0, 3, 0, 10000, 0 };
	for (int i = 0; i < 5; i++)
		cpu_word(s, h[i], size, big);
}

static void gen_legacy(void)
{
	strbuf s = STRBUF_INIT;
	/* valid, 32-bit big-endian, names that need escaping in the maps */
	cpu_header(&s, 4, 1);
	for (int i = 0; i < 3; i++) {
		cpu_word(&s, 2 + i, 4, 1);
		cpu_word(&s, 2, 4, 1);
		cpu_word(&s, 0x401000 + 16 * i, 4, 1);
		cpu_word(&s, 0x402000, 4, 1);
	}
	cpu_word(&s, 0, 4, 1);
	cpu_word(&s, 1, 4, 1);
	cpu_word(&s, 0, 4, 1);
	sb_adds(&s, "00400000-00500000 r-xp 00000000 00:00 0 /no/such/<script>&\"'.bin\n"
		    "00600000-00700000 r-xp 00000000 00:00 0 /dev/zero\n");
	write_out("ok.names.gperftools.prof", s.buf, s.len);

	/* a depth far beyond the file; a count of 2^64-1 */
	sb_reset(&s);
	cpu_header(&s, 8, 0);
	cpu_word(&s, UINT64_MAX, 8, 0);
	cpu_word(&s, UINT64_MAX / 2, 8, 0);
	cpu_word(&s, 0x1234, 8, 0);
	write_out("any.depth-huge.gperftools.prof", s.buf, s.len);

	/* no end record, no maps; a header alone */
	sb_reset(&s);
	cpu_header(&s, 8, 0);
	write_out("any.header-only.gperftools.prof", s.buf, s.len);
	for (int i = 0; i < 1000; i++) {
		cpu_word(&s, 1, 8, 0);
		cpu_word(&s, 1, 8, 0);
		cpu_word(&s, (uint64_t)i, 8, 0);
	}
	write_out("any.no-end.gperftools.prof", s.buf, s.len);

	/* a Java CPU profile: known, not supported */
	sb_reset(&s);
	cpu_word(&s, 0, 8, 0);
	cpu_word(&s, 3, 8, 0);
	cpu_word(&s, 1, 8, 0);
	cpu_word(&s, 100, 8, 0);
	cpu_word(&s, 0, 8, 0);
	write_out("err.java.gperftools.prof", s.buf, s.len);

	/* 10^5 overlapping mappings and 10^5 distinct addresses: no O(n^2) */
	sb_reset(&s);
	cpu_header(&s, 8, 0);
	for (int i = 0; i < 100000; i++) {
		cpu_word(&s, 1, 8, 0);
		cpu_word(&s, 1, 8, 0);
		cpu_word(&s, 0x10000000 + (uint64_t)i * 64, 8, 0);
	}
	cpu_word(&s, 0, 8, 0);
	cpu_word(&s, 1, 8, 0);
	cpu_word(&s, 0, 8, 0);
	for (int i = 0; i < 100000; i++)
		sb_addf(&s, "%x-%x r-xp %x 00:00 0 /x%d\n", 0x10000000 + i * 64, 0x20000000 - i, i, i % 7);
	write_out("ok.many-maps.gperftools.prof", s.buf, s.len);

	/* text: heap with huge numbers, a deep stack, bad lines */
	sb_reset(&s);
	sb_adds(&s, "heap profile: 1: 2 [ 3: 4] @ heap_v2/1\n"
		    "1: 99999999999999999999 [1: 1] @ 0x1\n");
	write_out("err.heap-overflow.txt", s.buf, s.len);
	sb_reset(&s);
	sb_adds(&s, "heap profile: 1: 2 [ 3: 4] @ heap_v2/524288\n1: 512 [3: 4096] @");
	for (int i = 0; i < 100000; i++)
		sb_addf(&s, " 0x%x", 0x400000 + i);
	sb_adds(&s, "\n0: 0 [0: 0] @ 0xffffffffffffffff 0x0\n");
	write_out("ok.heap-deep.txt", s.buf, s.len);
	sb_reset(&s);
	sb_adds(&s, "heap profile: 1: 2 [ 3: 4] @ heap_v2/524288\n1: 5 [1: 5] @ 0x12345678901234567\n");
	write_out("err.heap-address-too-big.txt", s.buf, s.len);
	sb_reset(&s);
	sb_adds(&s, "heap profile: 1: 2 [ 3: 4] @ heapz_v9\n");
	write_out("err.heap-unknown-sampler.txt", s.buf, s.len);
	/* contention whose numbers split ("12 @"), thread without a map */
	sb_reset(&s);
	sb_adds(&s, "--- contentionz 1 ---\ncycles/second = 1\nsampling period = 9223372036854775807\n"
		    "12 @ 0x10 0x20\n9223372036854775807 9223372036854775807 @ 0x30\n");
	write_out("ok.contention-split.txt", s.buf, s.len);
	sb_reset(&s);
	sb_adds(&s, "--- threadz 1 ---\n\n--- Thread 1 (name: a/1) stack: ---\n  0x10 0x20\n");
	write_out("err.thread-no-map.txt", s.buf, s.len);
	/* "$a" substitutions that double a line each time */
	sb_reset(&s);
	sb_adds(&s, "goroutine profile: total 1\n1 @ 0x401000\n--- Memory map: ---\n");
	for (int i = 0; i < 200; i++)
		sb_adds(&s, "a=$a$a$a$a\n");
	sb_adds(&s, "00400000-00500000: $a/bin\n");
	write_out("ok.maps-attr-bomb.txt", s.buf, s.len);
	sb_release(&s);
}

/* ---- perf.data ------------------------------------------------------------- */
static void pd_u64(strbuf *s, uint64_t v) { sb_add(s, &v, 8); }
static void pd_u32(strbuf *s, uint32_t v) { sb_add(s, &v, 4); }

/* A record: header (type, misc, size) then body. */
static void pd_rec(strbuf *s, uint32_t type, uint16_t misc, const strbuf *body)
{
	uint16_t size = (uint16_t)(8 + body->len);
	pd_u32(s, type);
	sb_add(s, &misc, 2);
	sb_add(s, &size, 2);
	sb_add(s, body->buf, body->len);
}

/* A perf.data file: one cpu-clock event, sample_type IP|TID|TIME|CALLCHAIN|
 * PERIOD with sample_id_all, the given data section, no feature sections. */
static void pd_file_st(strbuf *out, const strbuf *data, uint64_t attr_size, uint64_t data_size_extra,
		       uint64_t st, uint64_t regs_mask)
{
	sb_reset(out);
	sb_add(out, "PERFILE2", 8);
	pd_u64(out, 104);
	pd_u64(out, attr_size);
	pd_u64(out, 104);               /* attrs offset */
	pd_u64(out, 128 + 16);          /* attrs size: one entry */
	pd_u64(out, 104 + 128 + 16);    /* data offset */
	pd_u64(out, data->len + data_size_extra);
	pd_u64(out, 0);
	pd_u64(out, 0);
	for (int i = 0; i < 4; i++)
		pd_u64(out, 0);
	/* perf_event_attr, 128 bytes */
	size_t a = out->len;
	pd_u32(out, 1); /* PERF_TYPE_SOFTWARE */
	pd_u32(out, 128);
	pd_u64(out, 0); /* cpu-clock */
	pd_u64(out, 1000000);
	pd_u64(out, st);
	pd_u64(out, 0);
	pd_u64(out, 1ull << 18); /* sample_id_all */
	while (out->len < a + 80)
		sb_addc(out, 0);
	pd_u64(out, regs_mask); /* sample_regs_user */
	pd_u32(out, 8192);      /* sample_stack_user */
	while (out->len < a + 128)
		sb_addc(out, 0);
	pd_u64(out, 0); /* ids section */
	pd_u64(out, 0);
	sb_add(out, data->buf, data->len);
}

static void pd_file(strbuf *out, const strbuf *data, uint64_t attr_size, uint64_t data_size_extra)
{
	pd_file_st(out, data, attr_size, data_size_extra, 1 | 2 | 4 | 32 | 256, 0);
}

static void gen_perfdata(void)
{
	strbuf d = STRBUF_INIT, b = STRBUF_INIT, f = STRBUF_INIT;
	/* COMM, MMAP2 of a hostile path, samples with kernel and user frames */
	sb_reset(&b);
	pd_u32(&b, 42);
	pd_u32(&b, 42);
	sb_adds(&b, "<script>&\"'");
	sb_addc(&b, 0);
	while (b.len % 8)
		sb_addc(&b, 0);
	pd_u64(&b, 42ull << 32 | 42); /* sample_id: tid */
	pd_u64(&b, 1);                /* time */
	pd_rec(&d, 3, 0, &b);
	sb_reset(&b);
	pd_u32(&b, 42);
	pd_u32(&b, 42);
	pd_u64(&b, 0x400000);
	pd_u64(&b, 0x100000);
	pd_u64(&b, 0);
	for (int i = 0; i < 3; i++)
		pd_u64(&b, 0);
	pd_u32(&b, 5);
	pd_u32(&b, 2);
	sb_adds(&b, "/no/such/<b>&amp;.so");
	sb_addc(&b, 0);
	while (b.len % 8)
		sb_addc(&b, 0);
	pd_u64(&b, 42ull << 32 | 42);
	pd_u64(&b, 2);
	pd_rec(&d, 10, 2, &b);
	for (int i = 0; i < 4; i++) {
		sb_reset(&b);
		pd_u64(&b, 0x401000 + (uint64_t)i);
		pd_u32(&b, 42);
		pd_u32(&b, 42 + (uint32_t)i);
		pd_u64(&b, 10 + (uint64_t)i);
		pd_u64(&b, 1000000); /* period */
		pd_u64(&b, 5); /* callchain: kernel, 1 kernel frame, user, 2 frames */
		pd_u64(&b, (uint64_t)-128);
		pd_u64(&b, 0xffffffff81000000ull + (uint64_t)i);
		pd_u64(&b, (uint64_t)-512);
		pd_u64(&b, 0x401000 + (uint64_t)i);
		pd_u64(&b, 0x402000);
		pd_rec(&d, 9, 1, &b);
	}
	pd_file(&f, &d, 128 + 16, 0);
	write_out("ok.names.perf.data", f.buf, f.len);

	/* the data section claims more than the file has */
	pd_file(&f, &d, 128 + 16, 1 << 20);
	write_out("any.data-past-end.perf.data", f.buf, f.len);
	/* an attr entry size that makes no sense */
	pd_file(&f, &d, 1u << 30, 0);
	write_out("err.attr-size.perf.data", f.buf, f.len);
	/* a callchain count far beyond its record; a record of size 0 */
	sb_reset(&b);
	pd_u64(&b, 0x401000);
	pd_u32(&b, 1);
	pd_u32(&b, 1);
	pd_u64(&b, 1);
	pd_u64(&b, 1);
	pd_u64(&b, UINT64_MAX / 4);
	pd_u64(&b, 0x401000);
	strbuf d2 = STRBUF_INIT;
	pd_rec(&d2, 9, 2, &b);
	pd_u64(&d2, 0);
	pd_file(&f, &d2, 128 + 16, 0);
	write_out("any.callchain-huge.perf.data", f.buf, f.len);
	/* --call-graph dwarf: garbage registers and stack over this very
	 * program's file (the unwinder reads only the copy and the files) */
	strbuf d3 = STRBUF_INIT;
	sb_reset(&b);
	pd_u32(&b, 7);
	pd_u32(&b, 7);
	pd_u64(&b, 0x400000);
	pd_u64(&b, 0x100000);
	pd_u64(&b, 0);
	for (int i = 0; i < 3; i++)
		pd_u64(&b, 0);
	pd_u32(&b, 5);
	pd_u32(&b, 2);
	sb_adds(&b, "/proc/self/exe");
	sb_addc(&b, 0);
	while (b.len % 8)
		sb_addc(&b, 0);
	pd_u64(&b, 7ull << 32 | 7);
	pd_u64(&b, 1);
	pd_rec(&d3, 10, 2, &b);
	for (int i = 0; i < 3; i++) {
		sb_reset(&b);
		pd_u64(&b, 0x401000);
		pd_u32(&b, 7);
		pd_u32(&b, 7);
		pd_u64(&b, 10);
		pd_u64(&b, 1000000);
		pd_u64(&b, 2); /* callchain: user, the IP */
		pd_u64(&b, (uint64_t)-512);
		pd_u64(&b, 0x401000 + (uint64_t)i);
		pd_u64(&b, 2); /* regs: abi 64, 24 registers */
		for (int k = 0; k < 24; k++)
			pd_u64(&b, k == 7 ? 0x7ffd0000 : k == 8 ? 0x401000 + (uint64_t)i : 0x7ffd0000 + 8 * (uint64_t)k);
		pd_u64(&b, 256); /* stack copy */
		for (int k = 0; k < 32; k++)
			pd_u64(&b, i == 2 ? UINT64_MAX : 0x7ffd0000 + 16 * (uint64_t)k);
		pd_u64(&b, i == 1 ? 100000 : 256); /* dyn_size: one beyond the copy */
		pd_rec(&d3, 9, 2, &b);
	}
	pd_file_st(&f, &d3, 128 + 16, 0, 1 | 2 | 4 | 32 | 256 | (1u << 12) | (1u << 13), 0xff00ffull);
	write_out("any.dwarf-garbage.perf.data", f.buf, f.len);
	sb_release(&d3);

	/* pipe mode: the header alone (no event), an event attr whose size
	 * runs past its record, a record whose size runs past the file; and
	 * big-endian, not supported */
	sb_reset(&f);
	sb_add(&f, "PERFILE2", 8);
	pd_u64(&f, 16);
	write_out("err.pipe.perf.data", f.buf, f.len);
	sb_reset(&b);
	pd_u32(&b, 1);    /* type: software */
	pd_u32(&b, 4000); /* attr size: past the record */
	for (int k = 0; k < 12; k++)
		pd_u64(&b, 0);
	pd_rec(&f, 64, 0, &b);
	write_out("err.pipe-attr-size.perf.data", f.buf, f.len);
	f.len = 16;
	pd_u32(&f, 64);
	pd_u32(&f, 0xfff00000u); /* misc 0, size 65520 */
	pd_u64(&f, 0);
	write_out("err.pipe-record-size.perf.data", f.buf, f.len);
	write_out("err.big-endian.perf.data", "2ELIFREP\0\0\0\0\0\0\0\x68", 16);
	sb_release(&d);
	sb_release(&d2);
	sb_release(&b);
	sb_release(&f);
}

/* A gzip bomb: many gzip members of 64 MiB of zeros each (a gzip reader
 * inflates concatenated members), `gib` GiB in all from a small file. */
static void gen_bomb(const char *name, unsigned gib)
{
	size_t chunk = (size_t)64 << 20;
	unsigned char *zeros = xcalloc(1, chunk);
	strbuf one = STRBUF_INIT, all = STRBUF_INIT;
	cprof_err err;
	if (gz_deflate(zeros, chunk, &one, &err) != 0) {
		fprintf(stderr, "hostile-gen: %s\n", err.msg);
		exit(1);
	}
	for (unsigned i = 0; i < gib * 16; i++)
		sb_add(&all, one.buf, one.len);
	write_out(name, all.buf, all.len);
	sb_release(&one);
	sb_release(&all);
	free(zeros);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hostile-gen DIR [--bomb]\n");
		return 2;
	}
	outdir = argv[1];
	gen_pprof();
	gen_raw();
	gen_folded();
	gen_legacy();
	gen_perfdata();
	if (argc > 2 && strcmp(argv[2], "--bomb") == 0)
		gen_bomb("err.bomb.gz", 3);
	return 0;
}
