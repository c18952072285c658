/*
 * pprof: profile.proto <-> the model.
 *
 * Reading happens in three steps, because a file is untrusted:
 *
 *  1. A wire-format walk over the whole message tree (the schema is the
 *     small table below) checks every tag, varint and length against what
 *     is left of the input before anything is allocated, so that damage is
 *     reported precisely ("truncated protobuf at byte 1234", "bad protobuf
 *     at byte 88: Location.line has wire type 0") rather than as a bare
 *     "cannot decode".
 *  2. The walked input is read in place: the top level is indexed (where
 *     each message and string lies) and every message is decoded when its
 *     turn comes, into locals, with protobuf-c's rules. Nothing is
 *     allocated per message (a decoder that builds a struct per message
 *     spends most of its time allocating, and a hostile file could make
 *     it allocate many times its size).
 *  3. The decoded Profile is turned into the model, checking every
 *     reference: string indexes, mapping/function/location ids (ids are
 *     arbitrary non-zero uint64s; 1..N in order is the fast path, anything
 *     else goes through a hash table), value counts, the default type.
 *
 * Writing encodes the wire format by hand into a strbuf (the output is a
 * few flat message kinds; building structs for it would only
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

typedef struct walk {
	size_t total;      /* size of the whole input: a run past it is truncation */
	size_t fields;     /* fields seen, for the detection scan's budget */
	size_t max_fields; /* 0: no limit */
	size_t top_done;   /* complete top-level fields */
	cprof_err *err;
} walk;

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
			w->top_done += base == 0;
			continue; /* unknown fields are skipped, as protobuf says */
		}
		bool good = (f->kind == F_VARINT && wt == WT_VARINT) ||
			    (f->kind == F_PACKED && (wt == WT_VARINT || wt == WT_LEN)) ||
			    ((f->kind == F_BYTES || f->kind == F_MSG) && wt == WT_LEN);
		if (!good)
			return cprof_fail(w->err, "bad protobuf at byte %zu: %s.%s has wire type %u",
					  at, m->name, f->name, wt);
		if (wt != WT_LEN) {
			w->top_done += base == 0;
			continue;
		}
		size_t len = (size_t)v, body = pos;
		pos += len;
		if (f->kind == F_PACKED) {
			size_t q = body;
			while (q < body + len) {
				if (get_varint(d, body + len, &q, &v))
					return cprof_fail(w->err, "bad protobuf at byte %zu: bad packed "
							  "%s.%s", base + q, m->name, f->name);
			}
		} else if (f->kind == F_MSG) {
			int rr = walk_msg(w, d + body, len, base + body, f->sub);
			if (rr)
				return rr;
		}
		w->top_done += base == 0;
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
	walk w = { scan, 0, 512, 0, &err };
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
 * 2. decoding in place
 * ======================================================================
 * Once walked, the input is read where it lies: the top level is indexed
 * (where each message and string is), and each message is decoded when
 * its turn comes, into a few locals, as protobuf-c's decoder and pprof's
 * own read it: the last value of a scalar field wins, repeated scalars
 * come packed or one by one (both append), the last of a message field
 * seen twice replaces the others. Nothing is allocated per message, so
 * memory stays a small multiple of the input. */

/* The fields of the messages this reader reads. */
enum {
	P_SAMPLE_TYPE = 1, P_SAMPLE, P_MAPPING, P_LOCATION, P_FUNCTION, P_STRING_TABLE,
	P_DROP_FRAMES, P_KEEP_FRAMES, P_TIME_NANOS, P_DURATION_NANOS, P_PERIOD_TYPE, P_PERIOD,
	P_COMMENT, P_DEFAULT_SAMPLE_TYPE, P_NFIELDS
};

/* One field of a message. */
typedef struct pbfield {
	uint64_t num;
	unsigned wt;
	uint64_t v;                /* a varint's value; a length-delimited field's length */
	const unsigned char *body; /* a length-delimited field's bytes */
} pbfield;

/* The next field of d[*pos..n) into *f; false at the end (or at damage,
 * which the walk has refused before). */
static inline bool pb_next(const unsigned char *d, size_t n, size_t *pos, pbfield *f)
{
	if (*pos >= n)
		return false;
	uint64_t tag;
	if (d[*pos] < 0x80)
		tag = d[(*pos)++];
	else if (get_varint(d, n, pos, &tag))
		return false;
	f->num = tag >> 3;
	f->wt = tag & 7;
	switch (f->wt) {
	case WT_VARINT:
		if (*pos < n && d[*pos] < 0x80) {
			f->v = d[(*pos)++];
			return true;
		}
		return get_varint(d, n, pos, &f->v) == 0;
	case WT_I64:
	case WT_I32: {
		size_t k = f->wt == WT_I64 ? 8 : 4;
		if (n - *pos < k)
			return false;
		*pos += k;
		f->v = 0; /* fixed-size fields: none in the messages read */
		return true;
	}
	case WT_LEN:
		if (get_varint(d, n, pos, &f->v) || f->v > n - *pos)
			return false;
		f->body = d + *pos;
		*pos += (size_t)f->v;
		return true;
	default:
		return false;
	}
}

/* A varint field's value into *out (the last one wins). */
static inline void pb_varint(const pbfield *f, uint64_t *out)
{
	if (f->wt == WT_VARINT)
		*out = f->v;
}

typedef struct u64s {
	uint64_t *v;
	size_t n, alloc;
} u64s;

/* Appends a repeated varint field's values, packed or not. */
static void pb_repeated(const pbfield *f, u64s *out)
{
	if (f->wt == WT_VARINT) {
		ALLOC_GROW(out->v, out->n + 1, out->alloc);
		out->v[out->n++] = f->v;
	} else if (f->wt == WT_LEN) {
		size_t pos = 0, len = (size_t)f->v;
		uint64_t x;
		while (pos < len && !get_varint(f->body, len, &pos, &x)) {
			ALLOC_GROW(out->v, out->n + 1, out->alloc);
			out->v[out->n++] = x;
		}
	}
}

/* Where a message or a string lies in the input. */
typedef struct pbspan {
	size_t off, len;
} pbspan;

typedef struct spans {
	pbspan *s;
	size_t n, alloc;
} spans;

/* The top level of a Profile: the length-delimited fields by number (in
 * order), the last value of each varint field, the comments. */
typedef struct pbprofile {
	const unsigned char *d;
	spans f[P_NFIELDS];
	uint64_t v[P_NFIELDS];
	u64s comment;
} pbprofile;

static void pbprofile_index(pbprofile *pb, const unsigned char *d, size_t n)
{
	size_t pos = 0;
	pbfield f;
	pb->d = d;
	while (pb_next(d, n, &pos, &f)) {
		if (f.num == 0 || f.num >= P_NFIELDS)
			continue;
		if (f.num == P_COMMENT) {
			pb_repeated(&f, &pb->comment);
		} else if (f.wt == WT_LEN) {
			spans *s = &pb->f[f.num];
			ALLOC_GROW(s->s, s->n + 1, s->alloc);
			s->s[s->n++] = (pbspan){ (size_t)(f.body - d), (size_t)f.v };
		} else {
			pb_varint(&f, &pb->v[f.num]);
		}
	}
}

static void pbprofile_free(pbprofile *pb)
{
	for (size_t i = 0; i < P_NFIELDS; i++)
		free(pb->f[i].s);
	free(pb->comment.v);
}

/* The scalar fields of the messages, as indexes into the array
 * dec_scalars fills (field number - 1). */
enum { VT_TYPE, VT_UNIT, VT_N };
enum { MP_ID, MP_START, MP_LIMIT, MP_OFFSET, MP_FILENAME, MP_BUILD_ID, MP_HAS_FUNCTIONS,
       MP_HAS_FILENAMES, MP_HAS_LINE_NUMBERS, MP_HAS_INLINE_FRAMES, MP_N };
enum { FN_ID, FN_NAME, FN_SYSTEM_NAME, FN_FILENAME, FN_START_LINE, FN_N };
enum { LN_FUNCTION_ID, LN_LINE, LN_COLUMN, LN_N };
enum { LB_KEY, LB_STR, LB_NUM, LB_NUM_UNIT, LB_N };

/* A Location: its scalars and where its lines are. */
typedef struct pb_location {
	uint64_t id, mapping_id, address, is_folded;
	spans lines; /* caller's scratch, emptied here */
} pb_location;

typedef struct pb_sample {
	u64s locs, values; /* caller's scratch, emptied here */
	spans labels;
} pb_sample;

/* Decodes the varint fields 1..nf of the message at s into v[0..nf),
 * keeping what v holds for absent ones (the caller's zeros). */
static void dec_scalars(const pbprofile *pb, pbspan s, uint64_t *v, unsigned nf)
{
	size_t pos = 0;
	pbfield f;
	while (pb_next(pb->d + s.off, s.len, &pos, &f))
		if (f.num >= 1 && f.num <= nf)
			pb_varint(&f, &v[f.num - 1]);
}

/* Appends a length-delimited field to sp (its offset within pb->d). */
static void push_span(const pbprofile *pb, spans *sp, const pbfield *f)
{
	if (f->wt != WT_LEN)
		return;
	ALLOC_GROW(sp->s, sp->n + 1, sp->alloc);
	sp->s[sp->n++] = (pbspan){ (size_t)(f->body - pb->d), (size_t)f->v };
}

static void dec_location(const pbprofile *pb, pbspan s, pb_location *l)
{
	size_t pos = 0;
	pbfield f;
	spans lines = l->lines;
	*l = (pb_location){ .lines = lines };
	l->lines.n = 0;
	while (pb_next(pb->d + s.off, s.len, &pos, &f)) {
		switch (f.num) {
		case 1: pb_varint(&f, &l->id); break;
		case 2: pb_varint(&f, &l->mapping_id); break;
		case 3: pb_varint(&f, &l->address); break;
		case 4: push_span(pb, &l->lines, &f); break;
		case 5: pb_varint(&f, &l->is_folded); break;
		}
	}
}

static void dec_sample(const pbprofile *pb, pbspan s, pb_sample *o)
{
	size_t pos = 0;
	pbfield f;
	o->locs.n = o->values.n = o->labels.n = 0;
	while (pb_next(pb->d + s.off, s.len, &pos, &f)) {
		switch (f.num) {
		case 1: pb_repeated(&f, &o->locs); break;
		case 2: pb_repeated(&f, &o->values); break;
		case 3: push_span(pb, &o->labels, &f); break;
		}
	}
}

/* The id (field 1) of the message at s. */
static uint64_t dec_id(const pbprofile *pb, pbspan s)
{
	uint64_t id = 0;
	dec_scalars(pb, s, &id, 1);
	return id;
}

/* ======================================================================
 * 3. the decoded Profile -> the model
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
	const pbprofile *pb;
	const char **strs; /* interned lazily: NULL until first use */
	cprof_err *err;
	idmap maps, funcs, locs;
	uint32_t *fidx; /* per pprof function: its model index */
	uint32_t *stackbuf;
	prof_label *labelbuf;
	prof_line *linebuf;
	size_t stack_alloc, label_alloc, line_alloc;
	pb_location loc;   /* scratch of the message being read */
	pb_sample sample;
} conv;

/* String index -> interned string; NULL (with err) when out of range. The
 * description of the reference (printf-style) is only formatted then. */
static const char *cstr(conv *c, int64_t idx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static const char *cstr(conv *c, int64_t idx, const char *fmt, ...)
{
	const spans *st = &c->pb->f[P_STRING_TABLE];
	if (idx < 0 || (uint64_t)idx >= st->n) {
		if (idx == 0)
			return prof_intern(c->p, "");
		char what[128];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		cprof_fail(c->err, "%s refers to string %lld, but the string table has %zu entries",
			   what, (long long)idx, st->n);
		return NULL;
	}
	if (!c->strs[idx]) { /* bytes: a string may hold NUL bytes */
		pbspan b = st->s[idx];
		c->strs[idx] = prof_intern_n(c->p, b.len ? (const char *)c->pb->d + b.off : "", b.len);
	}
	return c->strs[idx];
}

static int conv_value_type(conv *c, const uint64_t *vt, prof_value_type *out, const char *what)
{
	if (!(out->type = cstr(c, (int64_t)vt[VT_TYPE], "%s type", what)))
		return -1;
	if (!(out->unit = cstr(c, (int64_t)vt[VT_UNIT], "%s unit", what)))
		return -1;
	return 0;
}

/* The header: sample types, the default one, period, times, drop/keep
 * frames, comments. */
static int conv_header(conv *c)
{
	profile *p = c->p;
	const pbprofile *pb = c->pb;
	const spans *sts = &pb->f[P_SAMPLE_TYPE];
	prof_value_type *types = xcalloc(sts->n + 1, sizeof(*types));
	for (size_t i = 0; i < sts->n; i++) {
		char what[48];
		snprintf(what, sizeof(what), "sample_type %zu", i + 1);
		uint64_t vt[VT_N] = { 0 };
		dec_scalars(pb, sts->s[i], vt, VT_N);
		if (conv_value_type(c, vt, &types[i], what)) {
			free(types);
			return -1;
		}
	}
	prof_set_sample_types(p, types, (uint32_t)sts->n);
	free(types);
	p->default_type = sts->n ? (uint32_t)sts->n - 1 : 0;
	int64_t dst = (int64_t)pb->v[P_DEFAULT_SAMPLE_TYPE];
	if (dst) {
		const char *def = cstr(c, dst, "default_sample_type");
		if (!def)
			return -1;
		uint32_t i = prof_find_value(p, def);
		if (i == PROF_NONE)
			return cprof_fail(c->err, "default_sample_type \"%s\" is not one of the sample types",
					  def);
		p->default_type = i;
	}
	const spans *pt = &pb->f[P_PERIOD_TYPE];
	if (pt->n) { /* seen twice, the last one counts */
		uint64_t vt[VT_N] = { 0 };
		dec_scalars(pb, pt->s[pt->n - 1], vt, VT_N);
		if (conv_value_type(c, vt, &p->period_type, "period_type"))
			return -1;
	}
	p->period = (int64_t)pb->v[P_PERIOD];
	p->time_nanos = (int64_t)pb->v[P_TIME_NANOS];
	p->duration_nanos = (int64_t)pb->v[P_DURATION_NANOS];
	int64_t drop = (int64_t)pb->v[P_DROP_FRAMES], keep = (int64_t)pb->v[P_KEEP_FRAMES];
	if (drop && !(p->drop_frames = cstr(c, drop, "drop_frames")))
		return -1;
	if (keep && !(p->keep_frames = cstr(c, keep, "keep_frames")))
		return -1;
	for (size_t i = 0; i < pb->comment.n; i++) {
		const char *s = cstr(c, (int64_t)pb->comment.v[i], "comment %zu", i + 1);
		if (!s)
			return -1;
		prof_add_comment(p, s);
	}
	p->source_format = prof_intern(p, "pprof");
	p->has_timestamps = false;
	return 0;
}

/* The id maps of mappings, functions and locations (ids checked: not 0,
 * not used twice). */
static int conv_idmaps(conv *c)
{
	const pbprofile *pb = c->pb;
	const spans *m = &pb->f[P_MAPPING], *f = &pb->f[P_FUNCTION], *l = &pb->f[P_LOCATION];
	uint64_t *ids = xmalloc(st_mult(m->n + f->n + l->n + 1, sizeof(uint64_t)));
	for (size_t i = 0; i < m->n; i++)
		ids[i] = dec_id(pb, m->s[i]);
	int r = idmap_build(&c->maps, "mapping", ids, m->n, c->p->nmappings, c->err);
	for (size_t i = 0; !r && i < f->n; i++)
		ids[i] = dec_id(pb, f->s[i]);
	if (!r)
		r = idmap_build(&c->funcs, "function", ids, f->n, 0, c->err);
	for (size_t i = 0; !r && i < l->n; i++)
		ids[i] = dec_id(pb, l->s[i]);
	if (!r)
		r = idmap_build(&c->locs, "location", ids, l->n, c->p->nlocations, c->err);
	free(ids);
	return r;
}

static int conv_mappings(conv *c)
{
	const spans *ms = &c->pb->f[P_MAPPING];
	for (size_t i = 0; i < ms->n; i++) {
		uint64_t m[MP_N] = { 0 };
		dec_scalars(c->pb, ms->s[i], m, MP_N);
		prof_mapping pm = { 0 };
		pm.start = m[MP_START];
		pm.limit = m[MP_LIMIT];
		pm.offset = m[MP_OFFSET];
		unsigned long long id = (unsigned long long)m[MP_ID];
		if (!(pm.file = cstr(c, (int64_t)m[MP_FILENAME], "mapping %llu filename", id)))
			return -1;
		if (!(pm.build_id = cstr(c, (int64_t)m[MP_BUILD_ID], "mapping %llu build_id", id)))
			return -1;
		pm.has_functions = m[MP_HAS_FUNCTIONS] != 0;
		pm.has_filenames = m[MP_HAS_FILENAMES] != 0;
		pm.has_line_numbers = m[MP_HAS_LINE_NUMBERS] != 0;
		pm.has_inline_frames = m[MP_HAS_INLINE_FRAMES] != 0;
		prof_add_mapping(c->p, &pm);
	}
	return 0;
}

/* Functions into c->fidx: the model interns them, so equal ones become one. */
static int conv_functions(conv *c)
{
	const spans *fs = &c->pb->f[P_FUNCTION];
	c->fidx = xmalloc(st_mult(fs->n + 1, sizeof(uint32_t)));
	for (size_t i = 0; i < fs->n; i++) {
		uint64_t f[FN_N] = { 0 };
		dec_scalars(c->pb, fs->s[i], f, FN_N);
		const char *name, *sys, *file;
		unsigned long long id = (unsigned long long)f[FN_ID];
		name = cstr(c, (int64_t)f[FN_NAME], "function %llu name", id);
		sys = name ? cstr(c, (int64_t)f[FN_SYSTEM_NAME], "function %llu system_name", id) : NULL;
		file = sys ? cstr(c, (int64_t)f[FN_FILENAME], "function %llu filename", id) : NULL;
		if (!file)
			return -1;
		c->fidx[i] = prof_intern_function(c->p, name, sys, file, (int64_t)f[FN_START_LINE]);
	}
	return 0;
}

static int conv_locations(conv *c)
{
	const spans *ls = &c->pb->f[P_LOCATION];
	pb_location *l = &c->loc;
	for (size_t i = 0; i < ls->n; i++) {
		dec_location(c->pb, ls->s[i], l);
		unsigned long long id = (unsigned long long)l->id;
		uint32_t mi = PROF_NONE;
		if (l->mapping_id) {
			mi = idmap_get(&c->maps, l->mapping_id);
			if (mi == PROF_NONE)
				return cprof_fail(c->err, "location %llu refers to mapping %llu, which does not exist",
						  id, (unsigned long long)l->mapping_id);
		}
		size_t nl = l->lines.n;
		if (nl >= UINT32_MAX)
			return cprof_fail(c->err, "location %llu has too many lines", id);
		ALLOC_GROW(c->linebuf, nl + 1, c->line_alloc);
		for (size_t j = 0; j < nl; j++) {
			uint64_t ln[LN_N] = { 0 };
			dec_scalars(c->pb, l->lines.s[j], ln, LN_N);
			uint32_t fi = idmap_get(&c->funcs, ln[LN_FUNCTION_ID]);
			if (fi == PROF_NONE && ln[LN_FUNCTION_ID] == 0)
				return cprof_fail(c->err, "location %llu line %zu has function id 0", id, j + 1);
			if (fi == PROF_NONE)
				return cprof_fail(c->err, "location %llu refers to function %llu, which does not exist",
						  id, (unsigned long long)ln[LN_FUNCTION_ID]);
			c->linebuf[j].function = c->fidx[fi];
			c->linebuf[j].line = (int64_t)ln[LN_LINE];
			c->linebuf[j].column = (int64_t)ln[LN_COLUMN];
		}
		uint32_t li = prof_add_location(c->p, mi, l->address, c->linebuf, (uint32_t)nl);
		c->p->locations[li].is_folded = l->is_folded != 0;
	}
	return 0;
}

/* Sample i's labels (c->sample.labels) into c->labelbuf. */
static int conv_labels(conv *c, size_t i)
{
	const spans *lbs = &c->sample.labels;
	ALLOC_GROW(c->labelbuf, lbs->n + 1, c->label_alloc);
	for (size_t j = 0; j < lbs->n; j++) {
		uint64_t lb[LB_N] = { 0 };
		dec_scalars(c->pb, lbs->s[j], lb, LB_N);
		prof_label *o = &c->labelbuf[j];
		memset(o, 0, sizeof(*o));
		if (!(o->key = cstr(c, (int64_t)lb[LB_KEY], "sample %zu label key", i + 1)))
			return -1;
		if (lb[LB_STR]) {
			if (!(o->str = cstr(c, (int64_t)lb[LB_STR], "sample %zu label %s", i + 1, o->key)))
				return -1;
		} else {
			o->num = (int64_t)lb[LB_NUM];
			if (lb[LB_NUM_UNIT] && !(o->unit = cstr(c, (int64_t)lb[LB_NUM_UNIT],
							      "sample %zu label %s unit", i + 1, o->key)))
				return -1;
		}
	}
	return 0;
}

static int conv_samples(conv *c)
{
	const spans *ss = &c->pb->f[P_SAMPLE];
	size_t ntypes = c->pb->f[P_SAMPLE_TYPE].n;
	pb_sample *s = &c->sample;
	prof_reserve_samples(c->p, ss->n);
	for (size_t i = 0; i < ss->n; i++) {
		dec_sample(c->pb, ss->s[i], s);
		if (s->values.n != ntypes)
			return cprof_fail(c->err, "sample %zu has %zu values, but there are %zu sample types",
					  i + 1, s->values.n, ntypes);
		if (s->locs.n >= UINT32_MAX || s->labels.n >= UINT32_MAX)
			return cprof_fail(c->err, "sample %zu is too large", i + 1);
		ALLOC_GROW(c->stackbuf, s->locs.n + 1, c->stack_alloc);
		for (size_t j = 0; j < s->locs.n; j++) {
			uint32_t li = idmap_get(&c->locs, s->locs.v[j]);
			if (li == PROF_NONE && s->locs.v[j] == 0)
				return cprof_fail(c->err, "sample %zu has location id 0", i + 1);
			if (li == PROF_NONE)
				return cprof_fail(c->err, "sample %zu refers to location %llu, which does not exist",
						  i + 1, (unsigned long long)s->locs.v[j]);
			c->stackbuf[j] = li;
		}
		if (conv_labels(c, i) < 0)
			return -1;
		uint32_t st = prof_intern_stack(c->p, c->stackbuf, (uint32_t)s->locs.n);
		uint32_t ls = prof_intern_labelset(c->p, c->labelbuf, (uint32_t)s->labels.n);
		/* int64 values as the wire's two's complement varints; no sample
		 * types: no values (value is NULL then) */
		static const int64_t none[1] = { 0 };
		prof_add_sample(c->p, st, ls, s->values.n ? (const int64_t *)s->values.v : none, -1, -1, 0);
	}
	return 0;
}

static int conv_profile(conv *c)
{
	const pbprofile *pb = c->pb;
	const spans *st = &pb->f[P_STRING_TABLE];
	if (st->n && st->s[0].len != 0) {
		const char *s0 = (const char *)pb->d + st->s[0].off;
		return cprof_fail(c->err, "string_table[0] is \"%.*s\", not the empty string",
				  (int)strnlen(s0, st->s[0].len < 40 ? st->s[0].len : 40), s0);
	}
	if (pb->f[P_SAMPLE_TYPE].n >= UINT32_MAX || pb->f[P_MAPPING].n >= UINT32_MAX ||
	    pb->f[P_FUNCTION].n >= UINT32_MAX || pb->f[P_LOCATION].n >= UINT32_MAX)
		return cprof_fail(c->err, "too many entries for the model (2^32)");
	int rc = conv_header(c);
	if (!rc)
		rc = conv_idmaps(c);
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
	free(c->stackbuf);
	free(c->labelbuf);
	free(c->linebuf);
	free(c->loc.lines.s);
	free(c->sample.locs.v);
	free(c->sample.values.v);
	free(c->sample.labels.s);
	return rc;
}

int pprof_read(profile *p, const unsigned char *d, size_t n, cprof_err *err)
{
	if (p->nsamples || p->nlocations || p->nmappings || p->nfunctions || p->nvalues)
		return cprof_fail(err, "internal error: pprof_read needs an empty profile");
	walk w = { n, 0, 0, 0, err };
	if (walk_msg(&w, d, n, 0, &W_PROFILE))
		return -1;
	pbprofile pb = { 0 };
	pbprofile_index(&pb, d, n);
	conv c = { p, &pb, xcalloc(pb.f[P_STRING_TABLE].n + 1, sizeof(char *)), err };
	int rc = conv_profile(&c);
	free(c.strs);
	pbprofile_free(&pb);
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
