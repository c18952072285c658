/*
 * pprof: profile.proto <-> the model.
 *
 * Reading happens in three steps, because a file is untrusted:
 *
 *  1. A wire-format walk (the schema is the small table below) checks
 *     every tag, varint and length of the top-level fields and of the
 *     header's messages against what is left of the input before anything
 *     is allocated, so that damage is reported precisely ("truncated
 *     protobuf at byte 1234", "bad protobuf at byte 88: Location.line has
 *     wire type 0") rather than as protobuf-c's bare NULL. A Sample,
 *     Mapping, Location or Function message is walked the same way when
 *     protobuf-c refuses it, or when it holds fields the schema does not
 *     know (protobuf-c keeps field numbers past 2^29 - 1 as unknown ones):
 *     protobuf-c checks the same rules (wire types, varints, lengths, no
 *     field 0), so a message it takes whole needs no second pass, and a
 *     damaged one gets the walk's precise error.
 *     The walk keeps where each top-level field is.
 *  2. protobuf-c's generated unpackers decode one message at a time: the
 *     header (every top-level field but the repeated Sample, Mapping,
 *     Location and Function: sample types, the string table, period...)
 *     as one Profile, then each of those messages on its own as the
 *     conversion reaches it, into one arena emptied between messages.
 *     The arena has a budget proportional to the message: a hostile file
 *     cannot make the decoder allocate more than a fixed multiple of its
 *     own size. (Decoding the whole Profile at once built a tree of
 *     structs many times the input, touched once each, and then copied
 *     it into the model: 20-30 % of cprof-top.)
 *  3. Each decoded message is turned into the model, checking every
 *     reference: string indexes, mapping/function/location ids (ids are
 *     arbitrary non-zero uint64s; 1..N in order is the fast path, anything
 *     else goes through a hash table), value counts, the default type.
 *     A function whose name no function has yet (the string table holding
 *     no string twice) and a stack holding a location no stack holds yet
 *     are new to the model: appended without a lookup in its tables.
 *
 * Writing encodes the wire format by hand into a strbuf (the output is a
 * few flat message kinds; building protobuf-c structs for it would only
 * add allocations), then gzips it. The string table can only be written
 * once every string is known, and pprof puts it (field 6) after the
 * samples, mappings, locations and functions (1..5): those are encoded
 * first, assigning string indexes as they go.
 */
#include "pprof.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gzip.h"
#include "profile.pb-c.h"

/* ======================================================================
 * 1. wire-format walk
 * ====================================================================== */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };
enum fkind { F_UNKNOWN = 0, F_VARINT, F_PACKED, F_BYTES, F_MSG };

typedef struct wdesc wdesc;
typedef struct wfield {
	enum fkind kind;
	const char *name;
	const wdesc *sub;
} wfield;
struct wdesc {
	const char *name;
	unsigned nfields; /* fields are numbered 1..nfields */
	wfield f[15];
};

static const wdesc W_LINE = { "Line", 3,
	{ { F_VARINT, "function_id" }, { F_VARINT, "line" }, { F_VARINT, "column" } } };
static const wdesc W_LABEL = { "Label", 4,
	{ { F_VARINT, "key" }, { F_VARINT, "str" }, { F_VARINT, "num" }, { F_VARINT, "num_unit" } } };
static const wdesc W_VALUETYPE = { "ValueType", 2, { { F_VARINT, "type" }, { F_VARINT, "unit" } } };
static const wdesc W_FUNCTION = { "Function", 5,
	{ { F_VARINT, "id" }, { F_VARINT, "name" }, { F_VARINT, "system_name" },
	  { F_VARINT, "filename" }, { F_VARINT, "start_line" } } };
static const wdesc W_MAPPING = { "Mapping", 10,
	{ { F_VARINT, "id" }, { F_VARINT, "memory_start" }, { F_VARINT, "memory_limit" },
	  { F_VARINT, "file_offset" }, { F_VARINT, "filename" }, { F_VARINT, "build_id" },
	  { F_VARINT, "has_functions" }, { F_VARINT, "has_filenames" },
	  { F_VARINT, "has_line_numbers" }, { F_VARINT, "has_inline_frames" } } };
static const wdesc W_LOCATION = { "Location", 5,
	{ { F_VARINT, "id" }, { F_VARINT, "mapping_id" }, { F_VARINT, "address" },
	  { F_MSG, "line", &W_LINE }, { F_VARINT, "is_folded" } } };
static const wdesc W_SAMPLE = { "Sample", 3,
	{ { F_PACKED, "location_id" }, { F_PACKED, "value" }, { F_MSG, "label", &W_LABEL } } };
static const wdesc W_PROFILE = { "Profile", 14,
	{ { F_MSG, "sample_type", &W_VALUETYPE }, { F_MSG, "sample", &W_SAMPLE },
	  { F_MSG, "mapping", &W_MAPPING }, { F_MSG, "location", &W_LOCATION },
	  { F_MSG, "function", &W_FUNCTION }, { F_BYTES, "string_table" },
	  { F_VARINT, "drop_frames" }, { F_VARINT, "keep_frames" }, { F_VARINT, "time_nanos" },
	  { F_VARINT, "duration_nanos" }, { F_MSG, "period_type", &W_VALUETYPE },
	  { F_VARINT, "period" }, { F_PACKED, "comment" }, { F_VARINT, "default_sample_type" } } };

/* Reads a varint at d[*pos..n). 0: ok; 1: ran past n; 2: longer than 10 bytes. */
static int get_varint(const unsigned char *d, size_t n, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = *pos;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (i >= n)
			return 1;
		unsigned char b = d[i++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pos = i;
			*v = x;
			return 0;
		}
	}
	return 2;
}

/* Where the walk puts the top-level fields it has checked, for decoding
 * (NULL in the detection scan): the runs of the repeated messages
 * (Sample, Mapping, Location, Function: fields 2..5) of each kind, stretches
 * of the input that hold nothing but whole messages of that kind (a file
 * written kind by kind has one run per kind: no bookkeeping per message),
 * each message decoded on its own; runs of whole string_table entries
 * (field 6) of up to
 * PPROF_STRING_RUN bytes, each decoded as a Profile of strings only; and
 * the bytes of every other field, decoded together as a Profile (the
 * header: sample types, period, comments...). */
enum { PK_SAMPLE, PK_MAPPING, PK_LOCATION, PK_FUNCTION, PK_N };
#define PPROF_STRING_RUN ((size_t)64 << 10)
typedef struct span {
	size_t off, len;
} span;
typedef struct parts {
	span *runs[PK_N]; /* of messages of kind k, tags included */
	size_t nruns[PK_N], runs_alloc[PK_N];
	size_t n[PK_N];   /* messages of kind k */
	span *strs; /* runs of string_table entries */
	size_t nstr_runs, str_runs_alloc;
	size_t nstrings; /* entries in them */
	strbuf header;
	size_t run_off, run_end; /* header bytes not yet copied: d[run_off..run_end) */
} parts;

typedef struct walk {
	size_t total;      /* size of the whole input: a run past it is truncation */
	size_t fields;     /* fields seen, for the detection scan's budget */
	size_t max_fields; /* 0: no limit */
	size_t top_done;   /* complete top-level fields */
	cprof_err *err;
	parts *parts;
} walk;

static void parts_flush(parts *pt, const unsigned char *d)
{
	sb_add(&pt->header, d + pt->run_off, pt->run_end - pt->run_off);
	pt->run_off = pt->run_end = 0;
}

/* d[at..end) onto the runs: the last one grows when it ends at `at` and
 * is under max bytes, else a run starts. */
static void add_to_runs(span **runs, size_t *n, size_t *alloc, size_t at, size_t end, size_t max)
{
	span *r = *n ? &(*runs)[*n - 1] : NULL;
	if (r && r->off + r->len == at && r->len < max) {
		r->len = end - r->off;
		return;
	}
	ALLOC_GROW(*runs, *n + 1, *alloc);
	(*runs)[(*n)++] = (span){ at, end - at };
}

/* A complete top-level field d[at..end) of kind `kind`. Runs of header
 * fields are copied at once. */
static void top_field(walk *w, const unsigned char *d, uint64_t field, enum fkind kind, size_t at,
		      size_t end)
{
	w->top_done++;
	parts *pt = w->parts;
	if (!pt)
		return;
	if (kind == F_MSG && field >= 2 && field <= 5) {
		unsigned k = (unsigned)field - 2;
		add_to_runs(&pt->runs[k], &pt->nruns[k], &pt->runs_alloc[k], at, end, SIZE_MAX);
		pt->n[k]++;
		return;
	}
	if (kind == F_BYTES) { /* string_table */
		add_to_runs(&pt->strs, &pt->nstr_runs, &pt->str_runs_alloc, at, end, PPROF_STRING_RUN);
		pt->nstrings++;
		return;
	}
	if (at != pt->run_end) {
		parts_flush(pt, d);
		pt->run_off = at;
	}
	pt->run_end = end;
}

static void parts_free(parts *pt)
{
	for (unsigned k = 0; k < PK_N; k++)
		free(pt->runs[k]);
	free(pt->strs);
	sb_release(&pt->header);
}

/* Whether d[q..end) is whole varints (get_varint's rule: at most 10 bytes
 * each): end if so, else where the first bad one starts. A pass over the
 * bytes without a branch per varint (packed fields hold most of a
 * profile's varints). */
static size_t packed_check(const unsigned char *d, size_t q, size_t end)
{
	size_t start = q; /* of the varint byte q is in */
	for (; q < end; q++) {
		start = d[q] & 0x80 ? start : q + 1;
		if (q + 1 - start >= 10)
			return start;
	}
	return start;
}

/* Walks the message in d[0..n), which sits at byte `base` of the input.
 * Returns 0, 1 when the field budget ran out (detection only), or -1. */
static int walk_msg(walk *w, const unsigned char *d, size_t n, size_t base, const wdesc *m)
{
	size_t pos = 0;
	while (pos < n) {
		if (w->max_fields && ++w->fields > w->max_fields)
			return 1;
		size_t at = base + pos;
		uint64_t tag, v = 0;
		int r = get_varint(d, n, &pos, &tag);
		if (r == 1 && base + n == w->total)
			return cprof_fail(w->err, "truncated protobuf at byte %zu", at);
		if (r)
			return cprof_fail(w->err, "bad protobuf at byte %zu: bad field tag in %s",
					  at, m->name);
		uint64_t field = tag >> 3;
		unsigned wt = tag & 7;
		if (field == 0 || field > 536870911u)
			return cprof_fail(w->err, "bad protobuf at byte %zu: field number %llu in %s",
					  at, (unsigned long long)field, m->name);
		const wfield *f = field <= m->nfields ? &m->f[field - 1] : NULL;
		size_t vstart = pos;
		switch (wt) {
		case WT_VARINT:
			r = get_varint(d, n, &pos, &v);
			break;
		case WT_I64:
		case WT_I32: {
			size_t k = wt == WT_I64 ? 8 : 4;
			r = n - pos < k ? 1 : 0;
			if (!r)
				pos += k;
			break;
		}
		case WT_LEN:
			r = get_varint(d, n, &pos, &v);
			if (!r && v > n - pos)
				r = 1;
			break;
		default:
			return cprof_fail(w->err, "bad protobuf at byte %zu: wire type %u in %s", at,
					  wt, m->name);
		}
		if (r == 1 && base + n == w->total)
			return cprof_fail(w->err, "truncated protobuf at byte %zu (in %s.%s)",
					  base + vstart, m->name, f ? f->name : "?");
		if (r == 1)
			return cprof_fail(w->err, "bad protobuf at byte %zu: %s.%s runs past the end of "
					  "its %s", base + vstart, m->name, f ? f->name : "?", m->name);
		if (r)
			return cprof_fail(w->err, "bad protobuf at byte %zu: bad varint in %s", base + vstart,
					  m->name);
		if (!f || f->kind == F_UNKNOWN) {
			if (wt == WT_LEN)
				pos += (size_t)v; /* its bytes are no fields of this message */
			if (base == 0)
				top_field(w, d, field, F_UNKNOWN, at, pos);
			continue; /* unknown fields are skipped, as protobuf says */
		}
		bool good = (f->kind == F_VARINT && wt == WT_VARINT) ||
			    (f->kind == F_PACKED && (wt == WT_VARINT || wt == WT_LEN)) ||
			    ((f->kind == F_BYTES || f->kind == F_MSG) && wt == WT_LEN);
		if (!good)
			return cprof_fail(w->err, "bad protobuf at byte %zu: %s.%s has wire type %u",
					  at, m->name, f->name, wt);
		if (wt != WT_LEN) {
			if (base == 0)
				top_field(w, d, field, f->kind, at, pos);
			continue;
		}
		size_t len = (size_t)v, body = pos;
		pos += len;
		if (f->kind == F_PACKED) {
			size_t q = packed_check(d, body, body + len);
			if (q != body + len)
				return cprof_fail(w->err, "bad protobuf at byte %zu: bad packed %s.%s",
						  base + q, m->name, f->name);
		} else if (f->kind == F_MSG && !(w->parts && base == 0 && field >= 2 && field <= 5)) {
			/* (the repeated messages: when they are decoded) */
			int rr = walk_msg(w, d + body, len, base + body, f->sub);
			if (rr)
				return rr;
		}
		if (base == 0)
			top_field(w, d, field, f->kind, at, pos);
	}
	return 0;
}

bool pprof_looks_like(const unsigned char *d, size_t n)
{
	if (n == 0)
		return false;
	/* The first byte: a one-byte tag of a Profile field with its wire type. */
	unsigned field = d[0] >> 3, wt = d[0] & 7;
	if (d[0] & 0x80 || field < 1 || field > W_PROFILE.nfields)
		return false;
	enum fkind k = W_PROFILE.f[field - 1].kind;
	if (!((k == F_VARINT && wt == WT_VARINT) || (k == F_PACKED && (wt == WT_VARINT || wt == WT_LEN)) ||
	      ((k == F_MSG || k == F_BYTES) && wt == WT_LEN)))
		return false;
	/* Plain text is never pprof: a real profile has bytes below 0x20 other
	 * than tab, CR and LF in its first fields (the "" that string_table
	 * starts with is 0x32 0x00; a ValueType's tags are 0x08 and 0x10).
	 * Text can still parse as protobuf: folded text "@Ca: Fb 2" reads as a
	 * field cut short, and "2a" followed by 97 more bytes as one whole
	 * string_table entry (both found by fuzzing). */
	size_t scan = n < (64u << 10) ? n : (64u << 10);
	bool text = true;
	for (size_t i = 0; i < scan && text; i++)
		text = d[i] >= 0x20 || d[i] == '\t' || d[i] == '\n' || d[i] == '\r';
	if (text)
		return false;
	/* Then a scan of at most 64 KiB and 512 fields (counting those inside
	 * messages) must parse. Running into the end of the scan is fine when
	 * the scan stopped early, or when at least one top-level field was
	 * whole: a file cut short still looks like pprof, and the reader then
	 * says it is truncated. */
	cprof_err err;
	walk w = { scan, 0, 512, 0, &err, NULL };
	int r = walk_msg(&w, d, scan, 0, &W_PROFILE);
	if (r >= 0)
		return true;
	if (strncmp(err.msg, "truncated", 9) == 0)
		return scan < n || w.top_done >= 1;
	/* Damage after a few whole top-level fields: a damaged profile (the
	 * reader says where), not text that happens to start like one. */
	return w.top_done >= 3;
}

/* ======================================================================
 * 2. decoding with a budget
 * ====================================================================== */

typedef struct budget_arena {
	unsigned char *cur, *end;
	void **blocks; /* every block, freed at once */
	size_t nblocks, blocks_alloc;
	size_t used, limit;
	size_t block; /* the size of a new block (at least) */
	bool over;    /* an allocation was refused */
} budget_arena;

static void *ba_alloc(void *ctx, size_t n)
{
	budget_arena *a = ctx;
	n = (n + 7) & ~(size_t)7;
	if (!n)
		n = 8;
	if (n > a->limit - a->used) {
		a->over = true;
		return NULL; /* over budget: protobuf-c then fails cleanly */
	}
	a->used += n;
	if ((size_t)(a->end - a->cur) < n) {
		size_t size = n > a->block ? n : a->block;
		unsigned char *b = xmalloc(size);
		ALLOC_GROW(a->blocks, a->nblocks + 1, a->blocks_alloc);
		a->blocks[a->nblocks++] = b;
		a->cur = b;
		a->end = b + size;
	}
	void *p = a->cur;
	a->cur += n;
	return p;
}

static void ba_free(void *ctx, void *p)
{
	(void)ctx;
	(void)p; /* the arena goes at once */
}

static void ba_release(budget_arena *a)
{
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

/* Empties the arena for the next message, with a new budget. What one
 * message needed fits in one block from then on. */
static void ba_reset(budget_arena *a, size_t limit)
{
	if (a->nblocks > 1) {
		while (a->block < a->used)
			a->block *= 2;
		for (size_t i = 0; i < a->nblocks; i++)
			free(a->blocks[i]);
		a->nblocks = 0;
		a->cur = a->end = NULL;
	} else if (a->nblocks == 1) {
		a->cur = a->blocks[0];
	}
	a->used = 0;
	a->limit = limit;
	a->over = false;
}

/* Decoding is linear in the input, and the worst legitimate case is a run
 * of empty messages: an empty Sample is 2 bytes on the wire, a 72-byte
 * struct plus an 8-byte pointer, plus protobuf-c's scan bookkeeping (~32
 * bytes per field, in slabs that double): ~100 bytes per 2 input bytes
 * (a test decodes exactly that). The budget guards the rest: a message
 * of n bytes may take n * FACTOR + SLACK. */
#define PPROF_DECODE_FACTOR 128
#define PPROF_DECODE_SLACK ((size_t)4 << 10)

static size_t decode_budget(size_t n)
{
	return n < (SIZE_MAX - PPROF_DECODE_SLACK) / PPROF_DECODE_FACTOR
		       ? n * PPROF_DECODE_FACTOR + PPROF_DECODE_SLACK
		       : SIZE_MAX;
}

/* protobuf-c decodes d[0..n) as a message of desc into the arena (emptied
 * first), or says why not; the message is at byte `at` of the input
 * (SIZE_MAX: the header, gathered from several places). */
static void *unpack(budget_arena *a, const ProtobufCMessageDescriptor *desc, const unsigned char *d,
		    size_t n, size_t at, cprof_err *err)
{
	ba_reset(a, decode_budget(n));
	ProtobufCAllocator alloc = { ba_alloc, ba_free, a };
	void *m = protobuf_c_message_unpack(desc, &alloc, n, d);
	if (m)
		return m;
	char where[48] = "";
	if (at != SIZE_MAX)
		snprintf(where, sizeof(where), " at byte %zu", at);
	if (a->over)
		cprof_fail(err, "protobuf needs more than %zu bytes to decode the %s%s", a->limit,
			   desc->short_name, where);
	else
		cprof_fail(err, "bad protobuf%s: cannot decode the %s message", where, desc->short_name);
	return NULL;
}

/* ======================================================================
 * 3. decoded Profile -> model
 * ====================================================================== */

/* pprof id -> model index. */
typedef struct idmap {
	size_t n;       /* ids 1..n map to i-1 when dense */
	bool dense;
	uint64_t *ids;  /* else: the id of model index first + i */
	uint32_t first;
	hidx ix;        /* id -> i */
} idmap;

static bool id_eq(const void *ctx, uint32_t i, const void *key)
{
	return ((const idmap *)ctx)->ids[i] == *(const uint64_t *)key;
}

/* ids[i] is the id of model index first + i. */
static int idmap_build(idmap *m, const char *what, const uint64_t *ids, size_t n, uint32_t first,
		       cprof_err *err)
{
	*m = (idmap){ .n = n, .dense = true, .first = first };
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == 0)
			return cprof_fail(err, "%s %zu has id 0", what, i + 1);
		if (ids[i] != i + 1)
			m->dense = false;
	}
	if (m->dense && first == 0)
		return 0;
	m->dense = false;
	m->ids = xmalloc(st_mult(n ? n : 1, sizeof(uint64_t)));
	for (size_t i = 0; i < n; i++) {
		uint32_t h = (uint32_t)hash_mix64(ids[i]);
		size_t slot;
		if (hidx_find(&m->ix, h, id_eq, m, &ids[i], &slot) != HIDX_NONE)
			return cprof_fail(err, "%s id %llu is used twice", what, (unsigned long long)ids[i]);
		m->ids[i] = ids[i];
		hidx_set(&m->ix, slot, h, (uint32_t)i);
	}
	return 0;
}

static uint32_t idmap_get(const idmap *m, uint64_t id)
{
	if (m->dense)
		return id >= 1 && id <= m->n ? (uint32_t)(id - 1) : PROF_NONE;
	uint32_t i = hidx_lookup(&m->ix, (uint32_t)hash_mix64(id), id_eq, m, &id);
	return i == HIDX_NONE ? PROF_NONE : m->first + i;
}

static void idmap_free(idmap *m)
{
	free(m->ids);
	hidx_free(&m->ix);
}

typedef struct conv {
	profile *p;
	const Perftools__Profiles__Profile *pb; /* the header: no samples, mappings... */
	const char **strs; /* the string table, interned */
	size_t nstrs;
	bool distinct;     /* no string twice in the table */
	cprof_err *err;
	const unsigned char *d; /* the input */
	size_t n;
	const parts *parts;     /* where its messages are */
	size_t run[PK_N], pos[PK_N]; /* the next message of each kind: its run, where */
	budget_arena msg;       /* one message decoded at a time */
	uint64_t *ids;          /* the ids of the messages of one kind */
	idmap maps, funcs, locs;
	uint32_t *fidx; /* per pprof function: its model index */
	bool *in_stack; /* per model location: a stack holds it */
	uint32_t *stackbuf;
	prof_label *labelbuf;
	prof_line *linebuf;
	size_t stack_alloc, label_alloc, line_alloc;
} conv;

/* String index -> interned string; NULL (with err) when out of range. The
 * description of the reference (printf-style) is only formatted then. */
static const char *cstr(conv *c, int64_t idx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static const char *cstr(conv *c, int64_t idx, const char *fmt, ...)
{
	if (idx < 0 || (uint64_t)idx >= c->nstrs) {
		if (idx == 0)
			return prof_intern(c->p, "");
		char what[128];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		cprof_fail(c->err, "%s refers to string %lld, but the string table has %zu entries",
			   what, (long long)idx, c->nstrs);
		return NULL;
	}
	return c->strs[idx];
}

/* The string table into the model, a run of entries at a time (each run
 * decoded by protobuf-c as a Profile that has only strings). */
static int conv_strings(conv *c)
{
	const parts *pt = c->parts;
	size_t before = prof_string_count(c->p);
	c->strs = xmalloc(st_mult(pt->nstrings + 1, sizeof(char *)));
	for (size_t r = 0; r < pt->nstr_runs; r++) {
		const Perftools__Profiles__Profile *pb = unpack(
			&c->msg, &perftools__profiles__profile__descriptor, c->d + pt->strs[r].off,
			pt->strs[r].len, pt->strs[r].off, c->err);
		if (!pb)
			return -1;
		if (pb->n_string_table > pt->nstrings - c->nstrs)
			return cprof_fail(c->err, "internal error: the string table grew");
		for (size_t i = 0; i < pb->n_string_table; i++) {
			/* bytes: a string may hold NUL bytes */
			const ProtobufCBinaryData *b = &pb->string_table[i];
			if (c->nstrs == 0 && b->len != 0)
				return cprof_fail(c->err, "string_table[0] is \"%.*s\", not the empty string",
						  (int)strnlen((const char *)b->data, b->len < 40 ? b->len : 40),
						  (const char *)b->data);
			c->strs[c->nstrs++] =
				prof_intern_n(c->p, b->len ? (const char *)b->data : "", b->len);
		}
	}
	c->distinct = prof_string_count(c->p) - before == c->nstrs;
	return 0;
}

static int conv_value_type(conv *c, const Perftools__Profiles__ValueType *vt, prof_value_type *out,
			   const char *what)
{
	if (!(out->type = cstr(c, vt->type, "%s type", what)))
		return -1;
	if (!(out->unit = cstr(c, vt->unit, "%s unit", what)))
		return -1;
	return 0;
}

/* The header: sample types, the default one, period, times, drop/keep
 * frames, comments. */
static int conv_header(conv *c)
{
	profile *p = c->p;
	const Perftools__Profiles__Profile *pb = c->pb;
	prof_value_type *types = xcalloc(pb->n_sample_type + 1, sizeof(*types));
	for (size_t i = 0; i < pb->n_sample_type; i++) {
		char what[48];
		snprintf(what, sizeof(what), "sample_type %zu", i + 1);
		if (conv_value_type(c, pb->sample_type[i], &types[i], what)) {
			free(types);
			return -1;
		}
	}
	prof_set_sample_types(p, types, (uint32_t)pb->n_sample_type);
	free(types);
	p->default_type = pb->n_sample_type ? (uint32_t)pb->n_sample_type - 1 : 0;
	if (pb->default_sample_type) {
		const char *def = cstr(c, pb->default_sample_type, "default_sample_type");
		if (!def)
			return -1;
		uint32_t i = prof_find_value(p, def);
		if (i == PROF_NONE)
			return cprof_fail(c->err, "default_sample_type \"%s\" is not one of the sample types",
					  def);
		p->default_type = i;
	}
	if (pb->period_type && conv_value_type(c, pb->period_type, &p->period_type, "period_type"))
		return -1;
	p->period = pb->period;
	p->time_nanos = pb->time_nanos;
	p->duration_nanos = pb->duration_nanos;
	if (pb->drop_frames && !(p->drop_frames = cstr(c, pb->drop_frames, "drop_frames")))
		return -1;
	if (pb->keep_frames && !(p->keep_frames = cstr(c, pb->keep_frames, "keep_frames")))
		return -1;
	for (size_t i = 0; i < pb->n_comment; i++) {
		const char *s = cstr(c, pb->comment[i], "comment %zu", i + 1);
		if (!s)
			return -1;
		prof_add_comment(p, s);
	}
	p->source_format = prof_intern(p, "pprof");
	p->has_timestamps = false;
	return 0;
}

/* Whether protobuf-c kept fields the schema does not know in message m of
 * kind k (or in its Lines, Labels). */
static bool has_unknown(const void *m, unsigned k)
{
	const ProtobufCMessage *base = m;
	if (base->n_unknown_fields)
		return true;
	if (k == PK_LOCATION) {
		const Perftools__Profiles__Location *l = m;
		for (size_t i = 0; i < l->n_line; i++)
			if (l->line[i]->base.n_unknown_fields)
				return true;
	} else if (k == PK_SAMPLE) {
		const Perftools__Profiles__Sample *s = m;
		for (size_t i = 0; i < s->n_label; i++)
			if (s->label[i]->base.n_unknown_fields)
				return true;
	}
	return false;
}

/* The next message of kind k (they are read in order), decoded by
 * protobuf-c (NULL with c->err set). Its tag and length were checked by
 * the walk, its body is walked when protobuf-c refuses it (for the
 * precise error) or keeps unknown fields (see step 1). */
static void *unpack_next(conv *c, const ProtobufCMessageDescriptor *desc, unsigned k)
{
	const span *r = &c->parts->runs[k][c->run[k]];
	if (c->pos[k] == r->off + r->len) {
		r++;
		c->run[k]++;
		c->pos[k] = r->off;
	}
	size_t pos = c->pos[k];
	uint64_t tag, len = 0;
	get_varint(c->d, r->off + r->len, &pos, &tag);
	get_varint(c->d, r->off + r->len, &pos, &len);
	c->pos[k] = pos + (size_t)len;
	void *m = unpack(&c->msg, desc, c->d + pos, (size_t)len, pos, c->err);
	if (m && !has_unknown(m, k))
		return m;
	cprof_err werr;
	walk w = { c->n, 0, 0, 0, &werr, NULL };
	if (walk_msg(&w, c->d + pos, (size_t)len, pos, W_PROFILE.f[k + 1].sub) < 0) {
		*c->err = werr;
		return NULL;
	}
	return m; /* NULL: protobuf-c's error */
}

/* Mappings into the model, in order, then their id map (ids checked: not
 * 0, not used twice); so too functions and locations. */
static int conv_mappings(conv *c)
{
	size_t n = c->parts->n[PK_MAPPING];
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Mapping *m =
			unpack_next(c, &perftools__profiles__mapping__descriptor, PK_MAPPING);
		if (!m)
			return -1;
		c->ids[i] = m->id;
		prof_mapping pm = { 0 };
		pm.start = m->memory_start;
		pm.limit = m->memory_limit;
		pm.offset = m->file_offset;
		unsigned long long id = (unsigned long long)m->id;
		if (!(pm.file = cstr(c, m->filename, "mapping %llu filename", id)))
			return -1;
		if (!(pm.build_id = cstr(c, m->build_id, "mapping %llu build_id", id)))
			return -1;
		pm.has_functions = m->has_functions;
		pm.has_filenames = m->has_filenames;
		pm.has_line_numbers = m->has_line_numbers;
		pm.has_inline_frames = m->has_inline_frames;
		prof_add_mapping(c->p, &pm);
	}
	return idmap_build(&c->maps, "mapping", c->ids, n, c->p->nmappings - (uint32_t)n, c->err);
}

/* Function f into the model: equal functions become one (the model's
 * rule). With no string twice in the table, a function can only equal an
 * earlier one of its name index: the last function of each name index is
 * kept in by_name, and a function of a name index new to the functions is
 * appended without a lookup in the model's table (a probe of a 50k table
 * misses the caches), until a name index comes with a second, different
 * function; from then on the model's table decides. */
static uint32_t add_function(conv *c, const Perftools__Profiles__Function *f, const char *name,
			     const char *sys, const char *file, uint32_t *by_name)
{
	if (c->distinct && f->name >= 0 && (uint64_t)f->name < c->nstrs) {
		uint32_t *last = &by_name[f->name];
		if (*last == PROF_NONE)
			return *last = prof_add_function_own(c->p, name, sys, file, f->start_line);
		const prof_function *e = &c->p->functions[*last];
		if (e->name == name && e->system_name == sys && e->filename == file &&
		    e->start_line == f->start_line)
			return *last;
		c->distinct = false;
	}
	return prof_intern_function_own(c->p, name, sys, file, f->start_line);
}

/* Functions into c->fidx. */
static int conv_functions(conv *c)
{
	size_t n = c->parts->n[PK_FUNCTION];
	c->fidx = xmalloc(st_mult(n + 1, sizeof(uint32_t)));
	uint32_t *by_name = xmalloc(st_mult(c->nstrs + 1, sizeof(uint32_t)));
	for (size_t i = 0; i < c->nstrs; i++)
		by_name[i] = PROF_NONE;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Function *f =
			unpack_next(c, &perftools__profiles__function__descriptor, PK_FUNCTION);
		if (!f) {
			rc = -1;
			break;
		}
		c->ids[i] = f->id;
		const char *name, *sys, *file;
		unsigned long long id = (unsigned long long)f->id;
		name = cstr(c, f->name, "function %llu name", id);
		sys = name ? cstr(c, f->system_name, "function %llu system_name", id) : NULL;
		file = sys ? cstr(c, f->filename, "function %llu filename", id) : NULL;
		if (!file) {
			rc = -1;
			break;
		}
		c->fidx[i] = add_function(c, f, name, sys, file, by_name);
	}
	free(by_name);
	return rc ? rc : idmap_build(&c->funcs, "function", c->ids, n, 0, c->err);
}

static int conv_location(conv *c, const Perftools__Profiles__Location *l)
{
	unsigned long long id = (unsigned long long)l->id;
	uint32_t mi = PROF_NONE;
	if (l->mapping_id) {
		mi = idmap_get(&c->maps, l->mapping_id);
		if (mi == PROF_NONE)
			return cprof_fail(c->err, "location %llu refers to mapping %llu, which does not exist",
					  id, (unsigned long long)l->mapping_id);
	}
	if (l->n_line >= UINT32_MAX)
		return cprof_fail(c->err, "location %llu has too many lines", id);
	ALLOC_GROW(c->linebuf, l->n_line + 1, c->line_alloc);
	for (size_t j = 0; j < l->n_line; j++) {
		const Perftools__Profiles__Line *ln = l->line[j];
		uint32_t fi = idmap_get(&c->funcs, ln->function_id);
		if (fi == PROF_NONE && ln->function_id == 0)
			return cprof_fail(c->err, "location %llu line %zu has function id 0", id, j + 1);
		if (fi == PROF_NONE)
			return cprof_fail(c->err, "location %llu refers to function %llu, which does not exist",
					  id, (unsigned long long)ln->function_id);
		c->linebuf[j].function = c->fidx[fi];
		c->linebuf[j].line = ln->line;
		c->linebuf[j].column = ln->column;
	}
	uint32_t li = prof_add_location(c->p, mi, l->address, c->linebuf, (uint32_t)l->n_line);
	c->p->locations[li].is_folded = l->is_folded;
	return 0;
}

static int conv_locations(conv *c)
{
	size_t n = c->parts->n[PK_LOCATION];
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Location *l =
			unpack_next(c, &perftools__profiles__location__descriptor, PK_LOCATION);
		if (!l || conv_location(c, l))
			return -1;
		c->ids[i] = l->id;
	}
	return idmap_build(&c->locs, "location", c->ids, n, c->p->nlocations - (uint32_t)n, c->err);
}

/* Sample i's labels into c->labelbuf. */
static int conv_labels(conv *c, const Perftools__Profiles__Sample *s, size_t i)
{
	ALLOC_GROW(c->labelbuf, s->n_label + 1, c->label_alloc);
	for (size_t j = 0; j < s->n_label; j++) {
		const Perftools__Profiles__Label *lb = s->label[j];
		prof_label *o = &c->labelbuf[j];
		memset(o, 0, sizeof(*o));
		if (!(o->key = cstr(c, lb->key, "sample %zu label key", i + 1)))
			return -1;
		if (lb->str) {
			if (!(o->str = cstr(c, lb->str, "sample %zu label %s", i + 1, o->key)))
				return -1;
		} else {
			o->num = lb->num;
			if (lb->num_unit &&
			    !(o->unit = cstr(c, lb->num_unit, "sample %zu label %s unit", i + 1, o->key)))
				return -1;
		}
	}
	return 0;
}

/* The stack of c->stackbuf[0..n): appended when it holds a location no
 * stack held before (the profile cannot have it; no probe of the model's
 * table), else interned. */
static uint32_t add_stack(conv *c, uint32_t n)
{
	bool fresh = false;
	for (uint32_t j = 0; j < n; j++) {
		fresh |= !c->in_stack[c->stackbuf[j]];
		c->in_stack[c->stackbuf[j]] = true;
	}
	return fresh ? prof_add_stack(c->p, c->stackbuf, n) : prof_intern_stack(c->p, c->stackbuf, n);
}

static int conv_samples(conv *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	c->in_stack = xcalloc((size_t)c->p->nlocations + 1, sizeof(bool));
	for (size_t i = 0; i < c->parts->n[PK_SAMPLE]; i++) {
		const Perftools__Profiles__Sample *s =
			unpack_next(c, &perftools__profiles__sample__descriptor, PK_SAMPLE);
		if (!s)
			return -1;
		if (s->n_value != pb->n_sample_type)
			return cprof_fail(c->err, "sample %zu has %zu values, but there are %zu sample types",
					  i + 1, s->n_value, pb->n_sample_type);
		if (s->n_location_id >= UINT32_MAX || s->n_label >= UINT32_MAX)
			return cprof_fail(c->err, "sample %zu is too large", i + 1);
		ALLOC_GROW(c->stackbuf, s->n_location_id + 1, c->stack_alloc);
		size_t j = 0;
		if (c->locs.dense) /* ids 1..n: the index is the id - 1 */
			for (uint64_t n = c->locs.n; j < s->n_location_id && s->location_id[j] - 1 < n; j++)
				c->stackbuf[j] = (uint32_t)(s->location_id[j] - 1);
		for (; j < s->n_location_id; j++) {
			uint32_t li = idmap_get(&c->locs, s->location_id[j]);
			if (li == PROF_NONE && s->location_id[j] == 0)
				return cprof_fail(c->err, "sample %zu has location id 0", i + 1);
			if (li == PROF_NONE)
				return cprof_fail(c->err, "sample %zu refers to location %llu, which does not exist",
						  i + 1, (unsigned long long)s->location_id[j]);
			c->stackbuf[j] = li;
		}
		if (conv_labels(c, s, i) < 0)
			return -1;
		uint32_t st = add_stack(c, (uint32_t)s->n_location_id);
		uint32_t ls = prof_intern_labelset(c->p, c->labelbuf, (uint32_t)s->n_label);
		/* no sample types: no values (value is NULL then) */
		static const int64_t none[1] = { 0 };
		prof_add_sample(c->p, st, ls, s->n_value ? s->value : none, -1, -1, 0);
	}
	return 0;
}

static int conv_profile(conv *c)
{
	const Perftools__Profiles__Profile *pb = c->pb;
	const parts *pt = c->parts;
	if (pb->n_sample_type >= UINT32_MAX || pt->n[PK_MAPPING] >= UINT32_MAX ||
	    pt->n[PK_FUNCTION] >= UINT32_MAX || pt->n[PK_LOCATION] >= UINT32_MAX)
		return cprof_fail(c->err, "too many entries for the model (2^32)");
	size_t most = 1;
	for (unsigned k = PK_MAPPING; k <= PK_FUNCTION; k++)
		most = pt->n[k] > most ? pt->n[k] : most;
	c->ids = xmalloc(st_mult(most, sizeof(uint64_t)));
	for (unsigned k = 0; k < PK_N; k++)
		c->pos[k] = pt->nruns[k] ? pt->runs[k][0].off : 0;
	prof_reserve_samples(c->p, pt->n[PK_SAMPLE]);
	c->msg.block = 64 << 10;
	int rc = conv_strings(c);
	if (!rc)
		rc = conv_header(c);
	if (!rc)
		rc = conv_mappings(c);
	if (!rc)
		rc = conv_functions(c);
	if (!rc)
		rc = conv_locations(c);
	if (!rc)
		rc = conv_samples(c);
	idmap_free(&c->maps);
	idmap_free(&c->funcs);
	idmap_free(&c->locs);
	free(c->fidx);
	free(c->in_stack);
	free(c->ids);
	ba_release(&c->msg);
	free(c->stackbuf);
	free(c->labelbuf);
	free(c->linebuf);
	return rc;
}

int pprof_read(profile *p, const unsigned char *d, size_t n, cprof_err *err)
{
	if (p->nsamples || p->nlocations || p->nmappings || p->nfunctions || p->nvalues)
		return cprof_fail(err, "internal error: pprof_read needs an empty profile");
	parts pt = { .header = STRBUF_INIT };
	walk w = { n, 0, 0, 0, err, &pt };
	if (walk_msg(&w, d, n, 0, &W_PROFILE)) {
		parts_free(&pt);
		return -1;
	}
	parts_flush(&pt, d);
	budget_arena ha = { .block = pt.header.len * 4 + (4 << 10) };
	const Perftools__Profiles__Profile *pb = unpack(
		&ha, &perftools__profiles__profile__descriptor, (const unsigned char *)pt.header.buf,
		pt.header.len, SIZE_MAX, err);
	int rc = -1;
	if (pb) {
		conv c = { .p = p, .pb = pb, .err = err, .d = d, .n = n, .parts = &pt };
		rc = conv_profile(&c);
		free(c.strs);
	}
	ba_release(&ha);
	parts_free(&pt);
	return rc;
}

/* ======================================================================
 * writing
 * ====================================================================== */

static inline void put_varint(strbuf *sb, uint64_t v)
{
	sb_grow(sb, 10);
	unsigned char *q = (unsigned char *)sb->buf + sb->len;
	while (v >= 0x80) {
		*q++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*q++ = (unsigned char)v;
	sb->len = (size_t)(q - (unsigned char *)sb->buf);
	sb->buf[sb->len] = 0;
}

static inline void put_tag(strbuf *sb, unsigned field, unsigned wt)
{
	put_varint(sb, (uint64_t)field << 3 | wt);
}

/* proto3: a zero scalar is not written */
static inline void put_uint(strbuf *sb, unsigned field, uint64_t v)
{
	if (v) {
		put_tag(sb, field, WT_VARINT);
		put_varint(sb, v);
	}
}

static inline void put_bytes(strbuf *sb, unsigned field, const void *data, size_t n)
{
	put_tag(sb, field, WT_LEN);
	put_varint(sb, n);
	sb_add(sb, data, n);
}

/* The string table: content-keyed (escaped strings, decoded when written),
 * indexes in order of first use. */
static int64_t strtab_id(strset *t, const char *s)
{
	return strset_adds(t, s ? s : "");
}

/* pprof's values are integers: a type with decimals (fixed point, v
 * stands for v / 10^d) is written with its values as they are and a unit
 * that says so, "count/100" for 2 decimals (pprof shows "150count/100"
 * for 1.5 samples; its percentages are right). */
static void put_value_type(strbuf *out, strbuf *tmp, strset *st, unsigned field,
			   const prof_value_type *vt)
{
	strbuf unit = STRBUF_INIT;
	sb_adds(&unit, vt->unit ? vt->unit : "");
	if (vt->decimals) {
		sb_adds(&unit, "/1");
		for (uint32_t i = 0; i < vt->decimals; i++)
			sb_addc(&unit, '0');
	}
	sb_reset(tmp);
	put_uint(tmp, 1, (uint64_t)strtab_id(st, vt->type));
	put_uint(tmp, 2, (uint64_t)strtab_id(st, unit.buf));
	put_bytes(out, field, tmp->buf, tmp->len);
	sb_release(&unit);
}

static void put_label(strbuf *out, strbuf *tmp, strset *st, const char *key, const char *str,
		      int64_t num, const char *unit)
{
	sb_reset(tmp);
	put_uint(tmp, 1, (uint64_t)strtab_id(st, key));
	if (str)
		put_uint(tmp, 2, (uint64_t)strtab_id(st, str));
	else {
		put_uint(tmp, 3, (uint64_t)num);
		if (unit)
			put_uint(tmp, 4, (uint64_t)strtab_id(st, unit));
	}
	put_bytes(out, 3, tmp->buf, tmp->len);
}

/* The encoder's scratch: the string table (content-keyed, ids in order of
 * first use) and two buffers for a message and a message inside it. */
typedef struct enc {
	strset st;
	strbuf msg, sub;
} enc;

/* 2: one Sample per group: its location ids, values, labels (and the
 * thread's, with thread_labels). */
static void put_sample(strbuf *body, enc *e, const profile *p, const prof_groups *gr, size_t i,
		       bool thread_labels)
{
	const prof_group *g = &gr->g[i];
	sb_reset(&e->msg);
	const prof_stack *s = &p->stacks[g->stack];
	if (s->depth) {
		sb_reset(&e->sub);
		for (uint32_t j = 0; j < s->depth; j++)
			put_varint(&e->sub, (uint64_t)s->locs[j] + 1);
		put_bytes(&e->msg, 1, e->sub.buf, e->sub.len);
	}
	if (p->nvalues) {
		sb_reset(&e->sub);
		const int64_t *v = prof_group_values(gr, i);
		for (uint32_t j = 0; j < p->nvalues; j++)
			put_varint(&e->sub, (uint64_t)v[j]);
		put_bytes(&e->msg, 2, e->sub.buf, e->sub.len);
	}
	const prof_labelset *ls = &p->labelsets[g->labelset];
	for (uint32_t j = 0; j < ls->n; j++) {
		const prof_label *l = &ls->labels[j];
		put_label(&e->msg, &e->sub, &e->st, l->key, l->str, l->num, l->unit);
	}
	if (thread_labels && g->tid >= 0) {
		const char *name = prof_thread_name(p, g->tid);
		if (name && *name)
			put_label(&e->msg, &e->sub, &e->st, "thread", name, 0, NULL);
		put_label(&e->msg, &e->sub, &e->st, "tid", NULL, g->tid, NULL);
	}
	put_bytes(body, 2, e->msg.buf, e->msg.len);
}

/* 3: mappings, with has_functions/filenames/line_numbers/inline_frames
 * computed from their locations. */
static void put_mappings(strbuf *body, enc *e, const profile *p)
{
	unsigned char *flags = xcalloc(p->nmappings + 1, 1);
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		if (l->mapping == PROF_NONE || l->mapping >= p->nmappings)
			continue;
		unsigned char f = 0;
		for (uint32_t j = 0; j < l->nlines; j++) {
			const prof_function *fn = &p->functions[l->lines[j].function];
			if (fn->name && *fn->name)
				f |= 1;
			if (fn->filename && *fn->filename)
				f |= 2;
			if (l->lines[j].line > 0)
				f |= 4;
		}
		if (l->nlines > 1)
			f |= 8;
		flags[l->mapping] |= f;
	}
	for (uint32_t i = 0; i < p->nmappings; i++) {
		const prof_mapping *m = &p->mappings[i];
		sb_reset(&e->msg);
		put_uint(&e->msg, 1, i + 1);
		put_uint(&e->msg, 2, m->start);
		put_uint(&e->msg, 3, m->limit);
		put_uint(&e->msg, 4, m->offset);
		put_uint(&e->msg, 5, (uint64_t)strtab_id(&e->st, m->file));
		put_uint(&e->msg, 6, (uint64_t)strtab_id(&e->st, m->build_id));
		for (unsigned b = 0; b < 4; b++)
			put_uint(&e->msg, 7 + b, (flags[i] >> b) & 1);
		put_bytes(body, 3, e->msg.buf, e->msg.len);
	}
	free(flags);
}

/* 4: locations, each with its lines (inlined first). */
static void put_locations(strbuf *body, enc *e, const profile *p)
{
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		sb_reset(&e->msg);
		put_uint(&e->msg, 1, i + 1);
		if (l->mapping != PROF_NONE)
			put_uint(&e->msg, 2, (uint64_t)l->mapping + 1);
		put_uint(&e->msg, 3, l->address);
		for (uint32_t j = 0; j < l->nlines; j++) {
			sb_reset(&e->sub);
			put_uint(&e->sub, 1, (uint64_t)l->lines[j].function + 1);
			put_uint(&e->sub, 2, (uint64_t)l->lines[j].line);
			put_uint(&e->sub, 3, (uint64_t)l->lines[j].column);
			put_bytes(&e->msg, 4, e->sub.buf, e->sub.len);
		}
		put_uint(&e->msg, 5, l->is_folded);
		put_bytes(body, 4, e->msg.buf, e->msg.len);
	}
}

/* 5: functions. */
static void put_functions(strbuf *body, enc *e, const profile *p)
{
	for (uint32_t i = 0; i < p->nfunctions; i++) {
		const prof_function *f = &p->functions[i];
		sb_reset(&e->msg);
		put_uint(&e->msg, 1, i + 1);
		put_uint(&e->msg, 2, (uint64_t)strtab_id(&e->st, f->name));
		put_uint(&e->msg, 3, (uint64_t)strtab_id(&e->st, f->system_name));
		put_uint(&e->msg, 4, (uint64_t)strtab_id(&e->st, f->filename));
		put_uint(&e->msg, 5, (uint64_t)f->start_line);
		put_bytes(body, 5, e->msg.buf, e->msg.len);
	}
}

/* 6-14: the string table and the profile's own fields. Every string they
 * use is interned first, so that the table is complete when written. */
static void put_header(strbuf *out, enc *e, const profile *p)
{
	int64_t drop = p->drop_frames ? strtab_id(&e->st, p->drop_frames) : 0;
	int64_t keep = p->keep_frames ? strtab_id(&e->st, p->keep_frames) : 0;
	bool has_period_type = (p->period_type.type && *p->period_type.type) ||
			       (p->period_type.unit && *p->period_type.unit);
	int64_t pt_type = has_period_type ? strtab_id(&e->st, p->period_type.type) : 0;
	int64_t pt_unit = has_period_type ? strtab_id(&e->st, p->period_type.unit) : 0;
	int64_t *comments = xcalloc(p->ncomments + 1, sizeof(int64_t));
	for (uint32_t i = 0; i < p->ncomments; i++)
		comments[i] = strtab_id(&e->st, p->comments[i]);
	/* pprof's default is the last type: naming it is only needed otherwise */
	int64_t def = 0;
	if (p->nvalues && p->default_type < p->nvalues - 1)
		def = strtab_id(&e->st, p->sample_types[p->default_type].type);

	for (uint32_t i = 0; i < e->st.n; i++) {
		/* the model's strings are escaped: the file gets their bytes */
		sb_reset(&e->msg);
		sb_add_unesc(&e->msg, strset_get(&e->st, i));
		put_bytes(out, 6, e->msg.buf, e->msg.len);
	}
	put_uint(out, 7, (uint64_t)drop);
	put_uint(out, 8, (uint64_t)keep);
	put_uint(out, 9, (uint64_t)p->time_nanos);
	put_uint(out, 10, (uint64_t)p->duration_nanos);
	if (has_period_type) {
		sb_reset(&e->msg);
		put_uint(&e->msg, 1, (uint64_t)pt_type);
		put_uint(&e->msg, 2, (uint64_t)pt_unit);
		put_bytes(out, 11, e->msg.buf, e->msg.len);
	}
	put_uint(out, 12, (uint64_t)p->period);
	if (p->ncomments) {
		sb_reset(&e->msg);
		for (uint32_t i = 0; i < p->ncomments; i++)
			put_varint(&e->msg, (uint64_t)comments[i]);
		put_bytes(out, 13, e->msg.buf, e->msg.len);
	}
	put_uint(out, 14, (uint64_t)def);
	free(comments);
}

int pprof_encode(const profile *p, const pprof_write_opts *o, strbuf *out, cprof_err *err)
{
	bool thread_labels = o && o->thread_labels;
	enc e = { STRSET_INIT, STRBUF_INIT, STRBUF_INIT };
	strbuf body = STRBUF_INIT;
	prof_groups gr;
	(void)err;

	strtab_id(&e.st, ""); /* string_table[0] */
	/* 1: sample types */
	for (uint32_t i = 0; i < p->nvalues; i++)
		put_value_type(&body, &e.msg, &e.st, 1, &p->sample_types[i]);
	/* 2: samples, grouped */
	prof_group_opts go = { .mask = o ? o->mask : NULL, .by_labels = true,
			       .by_thread = thread_labels };
	prof_group_samples(p, &go, &gr);
	for (size_t i = 0; i < gr.n; i++)
		put_sample(&body, &e, p, &gr, i, thread_labels);
	prof_groups_free(&gr);
	put_mappings(&body, &e, p);
	put_locations(&body, &e, p);
	put_functions(&body, &e, p);

	sb_add(out, body.buf, body.len);
	put_header(out, &e, p);
	strset_free(&e.st);
	sb_release(&body);
	sb_release(&e.msg);
	sb_release(&e.sub);
	return 0;
}

int pprof_write(const profile *p, const pprof_write_opts *o, strbuf *out_gz, cprof_err *err)
{
	strbuf raw = STRBUF_INIT;
	int rc = pprof_encode(p, o, &raw, err);
	if (!rc)
		rc = gz_deflate((const unsigned char *)raw.buf, raw.len, out_gz, err);
	sb_release(&raw);
	return rc;
}
