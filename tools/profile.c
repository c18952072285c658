/*
 * profile: the in-memory model (see profile.h for the contract).
 *
 * Memory. Everything that is not a growable array (strings, a location's
 * lines, a stack's location list, a label set's labels) lives in an arena:
 * a list of blocks freed at once by prof_free(). The growable arrays
 * (mappings, functions, locations, stacks, samples, values, ...) grow with
 * ALLOC_GROW and are freed with the profile too.
 *
 * Interning. Strings, functions, (mapping, address) locations, stacks,
 * label sets and threads each have one hidx (util.h) of indexes. The table stores the 32-bit hash next to
 * the index, so a probe compares the cheap hash before the key, and growing
 * rehashes without touching the keys. Because interned strings are unique,
 * the keys of every other table compare strings by pointer.
 *
 * A reader that knows a string, function or stack is new (the folded
 * reader's frame names are distinct, and a stack holding a location made
 * for it is new; the pprof reader's function of a name no function has,
 * and stack holding a location no stack holds) appends it without a probe: strings, functions and stacks
 * past strs_indexed, funcs_indexed and stacks_indexed are in no table, and
 * the next lookup of their kind indexes them first. A profile read and
 * drawn without another lookup never builds those tables (each probe of a
 * table of 50k names missed the caches).
 *
 * Grouping (prof_group_samples) is one more hidx keyed by (stack,
 * labelset, tid): one probe per sample, with a one-entry cache for runs of
 * equal keys, which a time-ordered profile has plenty of. Groups come in
 * order of first appearance (the pprof writer's order), or sorted by key
 * when asked, so that the result does not depend on the input's order.
 */
#include "profile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------- */

typedef struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
} arena_block;

typedef struct arena {
	arena_block *head;
	size_t next_size;
} arena;

static void *arena_alloc(arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!n)
		n = 16;
	arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		if (!a->next_size)
			a->next_size = 16 << 10;
		size_t size = a->next_size;
		if (a->next_size < (4u << 20))
			a->next_size *= 2;
		if (size < n)
			size = n;
		if (size + sizeof(*b) >= 2 * XMALLOC_HUGE) { /* on huge pages: filled whole */
			size = ((size + sizeof(*b) + XMALLOC_HUGE - 1) & ~(XMALLOC_HUGE - 1)) - sizeof(*b);
			b = xmalloc_huge(sizeof(*b) + size);
		} else {
			b = xmalloc(sizeof(*b) + size);
		}
		b->size = size;
		b->used = 0;
		/* A block made for one large object goes behind the head so
		 * the head's free space is not wasted. */
		if (a->head && size == n) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

static void arena_free(arena *a)
{
	arena_block *b = a->head;
	while (b) {
		arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
}

/* ---- hashing ----------------------------------------------------------- */

static inline uint64_t hash_ptr(uint64_t h, const void *ptr)
{
	return hash_u64(h, (uint64_t)(uintptr_t)ptr);
}

/* ---- the private part of a profile -------------------------------------- */

typedef struct istr {
	const char *s;
	size_t len;
} istr;

struct prof_internal {
	arena ar;
	hidx strs, funcs, locs, stacks, lsets, threads;
	bool funcs_stale; /* a function was renamed: rebuild funcs before use */
	bool escaped_in;  /* prof_intern is given escaped strings (merging) */
	/* strv, functions and stacks below these are in strs, funcs and
	 * stacks; those above are distinct, and indexed at the next lookup */
	size_t strs_indexed, funcs_indexed, stacks_indexed;
	uint64_t strs_lens; /* bit min(length, 63) of every string in strs */
	/* the string interned last and the empty string (NULL until
	 * interned): a function is most often made of the name just
	 * interned, that name again as its system name, and "" */
	const char *last, *empty;
	istr *strv;
	size_t nstrv, strv_alloc;
	size_t maps_alloc, funcs_alloc, locs_alloc, stacks_alloc, lsets_alloc;
	size_t samples_alloc, values_alloc, threads_alloc, comments_alloc;
};

profile *prof_new(void)
{
	profile *p = xcalloc(1, sizeof(*p));
	p->in = xcalloc(1, sizeof(*p->in));
	/* labelsets[0] is the empty set */
	ALLOC_GROW(p->labelsets, 1, p->in->lsets_alloc);
	p->labelsets[0].labels = NULL;
	p->labelsets[0].n = 0;
	p->nlabelsets = 1;
	return p;
}

void prof_free(profile *p)
{
	if (!p)
		return;
	struct prof_internal *in = p->in;
	arena_free(&in->ar);
	hidx_free(&in->strs);
	hidx_free(&in->funcs);
	hidx_free(&in->locs);
	hidx_free(&in->stacks);
	hidx_free(&in->lsets);
	hidx_free(&in->threads);
	free(in->strv);
	free(in);
	free(p->sample_types);
	free(p->mappings);
	free(p->functions);
	free(p->locations);
	free(p->stacks);
	free(p->labelsets);
	free(p->samples);
	free(p->values);
	free(p->threads);
	free(p->comments);
	free(p);
}

/* ---- strings ----------------------------------------------------------- */

typedef struct str_key {
	const char *s;
	size_t n;
} str_key;

static bool str_eq(const void *ctx, uint32_t idx, const void *key)
{
	const struct prof_internal *in = ctx;
	const str_key *k = key;
	return in->strv[idx].len == k->n && memcmp(in->strv[idx].s, k->s, k->n) == 0;
}

static inline uint32_t str_hash(const char *s, size_t n)
{
	return (uint32_t)hash_bytes(s, n, 0x5bd1e995);
}

static inline uint64_t len_bit(size_t n)
{
	return (uint64_t)1 << (n < 63 ? n : 63);
}

/* The string table, with the strings appended unindexed added. */
static hidx *strs_index(struct prof_internal *in)
{
	for (; in->strs_indexed < in->nstrv; in->strs_indexed++) {
		const istr *e = &in->strv[in->strs_indexed];
		str_key k = { e->s, e->len };
		uint32_t h = str_hash(e->s, e->len);
		size_t slot;
		if (hidx_find(&in->strs, h, str_eq, in, &k, &slot) == PROF_NONE) /* distinct */
			hidx_set(&in->strs, slot, h, (uint32_t)in->strs_indexed);
		in->strs_lens |= len_bit(e->len);
	}
	return &in->strs;
}

/* Appends a copy of s[0..n) to the strings (not to their table). */
static const char *add_string(struct prof_internal *in, const char *s, size_t n)
{
	char *copy = arena_alloc(&in->ar, n + 1);
	memcpy(copy, s, n);
	copy[n] = 0;
	ALLOC_GROW(in->strv, in->nstrv + 1, in->strv_alloc);
	in->strv[in->nstrv].s = copy;
	in->strv[in->nstrv].len = n;
	in->nstrv++;
	return in->last = copy;
}

/* Interns s[0..n), already escaped (util.h), as it is. */
static const char *intern_escaped(profile *p, const char *s, size_t n)
{
	struct prof_internal *in = p->in;
	str_key k = { s, n };
	uint32_t h = str_hash(s, n);
	size_t slot;
	uint32_t i = hidx_find(strs_index(in), h, str_eq, in, &k, &slot);
	if (i != PROF_NONE)
		return in->last = in->strv[i].s;
	hidx_set(&in->strs, slot, h, (uint32_t)in->nstrv);
	in->strs_indexed++;
	in->strs_lens |= len_bit(n);
	return add_string(in, s, n);
}

/* The model's strings are escaped (util.h), so that a pprof string with
 * NUL bytes stays whole: text without NUL or C0 bytes (all valid UTF-8) is
 * its own escape and is interned as it is. */
const char *prof_intern_n(profile *p, const char *s, size_t n)
{
	if (!s)
		return NULL;
	if (p->in->escaped_in || (!memchr(s, 0, n) && !memchr(s, STR_ESC, n)))
		return intern_escaped(p, s, n);
	if (!memchr(s, 0, n)) {
		/* a string this profile handed out is escaped already */
		str_key k = { s, n };
		size_t slot;
		uint32_t i = hidx_find(strs_index(p->in), str_hash(s, n), str_eq, p->in, &k, &slot);
		if (i != PROF_NONE && p->in->strv[i].s == s)
			return s;
	}
	strbuf e = STRBUF_INIT;
	sb_add_esc(&e, s, n);
	const char *r = intern_escaped(p, e.buf, e.len);
	sb_release(&e);
	return r;
}

const char *prof_intern(profile *p, const char *s)
{
	return s ? prof_intern_n(p, s, strlen(s)) : NULL;
}

static const char *intern_or_empty(profile *p, const char *s)
{
	struct prof_internal *in = p->in;
	if (s && s == in->last)
		return s; /* the model's own string: prof_intern gives it back */
	if (!s || !*s)
		return in->empty ? in->empty : (in->empty = prof_intern(p, ""));
	return prof_intern(p, s);
}

/* ---- sample types ------------------------------------------------------ */

void prof_set_sample_types(profile *p, const prof_value_type *types, uint32_t n)
{
	free(p->sample_types);
	p->sample_types = xcalloc(n ? n : 1, sizeof(*p->sample_types));
	for (uint32_t i = 0; i < n; i++) {
		p->sample_types[i].type = intern_or_empty(p, types[i].type);
		p->sample_types[i].unit = intern_or_empty(p, types[i].unit);
		p->sample_types[i].decimals =
			types[i].decimals < PROF_MAX_DECIMALS ? types[i].decimals : PROF_MAX_DECIMALS;
	}
	p->nvalues = n;
	if (p->default_type >= n)
		p->default_type = 0;
}

bool prof_set_decimals(profile *p, uint32_t j, uint32_t decimals)
{
	if (j >= p->nvalues || decimals <= p->sample_types[j].decimals)
		return true;
	if (decimals > PROF_MAX_DECIMALS)
		return false;
	uint32_t k = decimals - p->sample_types[j].decimals;
	for (size_t i = 0; i < p->nsamples; i++) /* check first: all or nothing */
		if (!prof_scale_up(p->values[i * p->nvalues + j], k, &(int64_t){ 0 }))
			return false;
	for (size_t i = 0; i < p->nsamples; i++)
		prof_scale_up(p->values[i * p->nvalues + j], k, &p->values[i * p->nvalues + j]);
	p->sample_types[j].decimals = decimals;
	return true;
}

void prof_add_value(strbuf *sb, int64_t v, uint32_t decimals)
{
	char tmp[24], *digits;
	/* the magnitude as unsigned: -INT64_MIN does not fit in int64 */
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = 0;
	uint64_t u = m;
	do /* the digits, without printf's parsing of a format */
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + u % 10);
	while (u /= 10);
	digits = tmp + sizeof(tmp) - n;
	if (v < 0)
		sb_addc(sb, '-');
	if (decimals == 0 || m == 0) {
		sb_add(sb, digits, (size_t)n);
		return;
	}
	int d = (int)decimals;
	while (d > 0 && digits[n - 1] == '0') /* trailing zeros of the fraction (m != 0) */
		n--, d--;
	int whole = n - d; /* digits before the point; <= 0: "0.0..." */
	if (whole > 0)
		sb_add(sb, digits, (size_t)whole);
	else
		sb_addc(sb, '0');
	if (d == 0)
		return;
	sb_addc(sb, '.');
	for (int i = whole; i < 0; i++)
		sb_addc(sb, '0');
	sb_add(sb, digits + (whole > 0 ? whole : 0), (size_t)(whole > 0 ? d : n));
}

double prof_value_real(int64_t v, uint32_t decimals)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	return (double)v / pow10[decimals < PROF_MAX_DECIMALS ? decimals : PROF_MAX_DECIMALS];
}

uint32_t prof_find_value(const profile *p, const char *type)
{
	if (!type)
		return p->default_type < p->nvalues ? p->default_type : PROF_NONE;
	for (uint32_t i = 0; i < p->nvalues; i++)
		if (p->sample_types[i].type && strcmp(p->sample_types[i].type, type) == 0)
			return i;
	return PROF_NONE;
}

/* ---- mappings ---------------------------------------------------------- */

uint32_t prof_add_mapping(profile *p, const prof_mapping *m)
{
	ALLOC_GROW(p->mappings, p->nmappings + 1, p->in->maps_alloc);
	prof_mapping *d = &p->mappings[p->nmappings];
	*d = *m;
	d->file = intern_or_empty(p, m->file);
	d->build_id = intern_or_empty(p, m->build_id);
	return p->nmappings++;
}

/* ---- functions --------------------------------------------------------- */

static bool func_eq(const void *ctx, uint32_t idx, const void *key)
{
	const prof_function *a = &((const profile *)ctx)->functions[idx];
	const prof_function *b = key;
	return a->name == b->name && a->system_name == b->system_name &&
	       a->filename == b->filename && a->start_line == b->start_line;
}

static uint32_t func_hash(const prof_function *f)
{
	uint64_t h = hash_ptr(0, f->name);
	h = hash_ptr(h, f->system_name);
	h = hash_ptr(h, f->filename);
	return (uint32_t)hash_u64(h, (uint64_t)f->start_line);
}

/* The functions' table with every function in it (the first of equal
 * ones wins): emptied first after a rename (two functions may have
 * become equal), then the functions past funcs_indexed are added. */
static hidx *funcs_index(profile *p)
{
	struct prof_internal *in = p->in;
	if (in->funcs_stale) {
		hidx_free(&in->funcs);
		in->funcs_indexed = 0;
		in->funcs_stale = false;
	}
	for (; in->funcs_indexed < p->nfunctions; in->funcs_indexed++) {
		size_t slot;
		const prof_function *e = &p->functions[in->funcs_indexed];
		uint32_t h = func_hash(e);
		if (hidx_find(&in->funcs, h, func_eq, p, e, &slot) == PROF_NONE)
			hidx_set(&in->funcs, slot, h, (uint32_t)in->funcs_indexed);
	}
	return &in->funcs;
}

void prof_rename_function(profile *p, uint32_t fn, const char *name)
{
	p->functions[fn].name = name ? intern_escaped(p, name, strlen(name)) : prof_intern(p, "");
	p->in->funcs_stale = true;
}

/* Appends f (its strings interned) to the functions, not to their table. */
static uint32_t add_function(profile *p, const prof_function *f)
{
	ALLOC_GROW(p->functions, p->nfunctions + 1, p->in->funcs_alloc);
	p->functions[p->nfunctions] = *f;
	return p->nfunctions++;
}

/* f's strings are interned. */
static uint32_t intern_function(profile *p, const prof_function *f)
{
	struct prof_internal *in = p->in;
	uint32_t h = func_hash(f);
	size_t slot;
	uint32_t i = hidx_find(funcs_index(p), h, func_eq, p, f, &slot);
	if (i != PROF_NONE)
		return i;
	hidx_set(&in->funcs, slot, h, p->nfunctions);
	in->funcs_indexed++;
	return add_function(p, f);
}

uint32_t prof_intern_function(profile *p, const char *name, const char *system_name,
			      const char *filename, int64_t start_line)
{
	prof_function f;
	f.name = intern_or_empty(p, name);
	f.system_name = intern_or_empty(p, system_name);
	f.filename = intern_or_empty(p, filename);
	f.start_line = start_line;
	return intern_function(p, &f);
}

uint32_t prof_intern_function_own(profile *p, const char *name, const char *system_name,
				  const char *filename, int64_t start_line)
{
	prof_function f = { name, system_name, filename, start_line };
	return intern_function(p, &f);
}

uint32_t prof_add_function_own(profile *p, const char *name, const char *system_name,
			       const char *filename, int64_t start_line)
{
	prof_function f = { name, system_name, filename, start_line };
	return add_function(p, &f);
}

size_t prof_string_count(const profile *p)
{
	return p->in->nstrv;
}

uint32_t prof_intern_named_function(profile *p, const char *s, size_t n)
{
	struct prof_internal *in = p->in;
	const char *empty = intern_or_empty(p, ""); /* before: it indexes */
	str_key k = { s, n };
	/* the strings past strs_indexed came from here: s is none of them;
	 * those in strs (a reader's few: "samples", "count") mostly have
	 * other lengths, which spares hashing s */
	if (in->escaped_in || memchr(s, 0, n) || memchr(s, STR_ESC, n) ||
	    ((in->strs_lens & len_bit(n)) &&
	     hidx_lookup(&in->strs, str_hash(s, n), str_eq, in, &k) != HIDX_NONE)) {
		const char *name = prof_intern_n(p, s, n);
		return prof_intern_function(p, name, name, empty, 0);
	}
	/* a new string: no function has it */
	const char *name = add_string(in, s, n);
	prof_function f = { name, name, empty, 0 };
	return add_function(p, &f);
}

/* ---- locations --------------------------------------------------------- */

uint32_t prof_add_location(profile *p, uint32_t mapping, uint64_t address,
			   const prof_line *lines, uint32_t nlines)
{
	ALLOC_GROW(p->locations, p->nlocations + 1, p->in->locs_alloc);
	prof_location *l = &p->locations[p->nlocations];
	memset(l, 0, sizeof(*l));
	l->mapping = mapping;
	l->address = address;
	prof_set_location_lines(p, p->nlocations, lines, nlines);
	return p->nlocations++;
}

typedef struct loc_key {
	uint32_t mapping;
	uint64_t address;
} loc_key;

static bool loc_eq(const void *ctx, uint32_t idx, const void *key)
{
	const prof_location *a = &((const profile *)ctx)->locations[idx];
	const loc_key *b = key;
	return a->mapping == b->mapping && a->address == b->address;
}

uint32_t prof_intern_location(profile *p, uint32_t mapping, uint64_t address)
{
	loc_key k = { mapping, address };
	uint32_t h = (uint32_t)hash_u64(hash_u64(0, mapping), address);
	size_t slot;
	uint32_t i = hidx_find(&p->in->locs, h, loc_eq, p, &k, &slot);
	if (i != PROF_NONE)
		return i;
	i = prof_add_location(p, mapping, address, NULL, 0);
	hidx_set(&p->in->locs, slot, h, i);
	return i;
}

void prof_set_location_lines(profile *p, uint32_t loc, const prof_line *lines, uint32_t nlines)
{
	prof_location *l = &p->locations[loc];
	if (nlines) {
		l->lines = arena_alloc(&p->in->ar, st_mult(nlines, sizeof(*lines)));
		memcpy(l->lines, lines, nlines * sizeof(*lines));
	} else {
		l->lines = NULL;
	}
	l->nlines = nlines;
}


/* ---- stacks ------------------------------------------------------------ */

typedef struct stack_key {
	const uint32_t *locs;
	uint32_t depth;
} stack_key;

static bool stack_eq(const void *ctx, uint32_t idx, const void *key)
{
	const prof_stack *a = &((const profile *)ctx)->stacks[idx];
	const stack_key *b = key;
	return a->depth == b->depth &&
	       (!b->depth || memcmp(a->locs, b->locs, b->depth * sizeof(uint32_t)) == 0);
}

static inline uint32_t stack_hash(const uint32_t *locs, uint32_t depth)
{
	return (uint32_t)hash_bytes(locs, (size_t)depth * sizeof(uint32_t), 0x57ac);
}

uint32_t prof_add_stack(profile *p, const uint32_t *locs, uint32_t depth)
{
	ALLOC_GROW(p->stacks, p->nstacks + 1, p->in->stacks_alloc);
	prof_stack *s = &p->stacks[p->nstacks];
	s->depth = depth;
	s->locs = NULL;
	if (depth) {
		s->locs = arena_alloc(&p->in->ar, st_mult(depth, sizeof(uint32_t)));
		memcpy(s->locs, locs, depth * sizeof(uint32_t));
	}
	return p->nstacks++;
}

uint32_t prof_intern_stack(profile *p, const uint32_t *locs, uint32_t depth)
{
	struct prof_internal *in = p->in;
	for (; in->stacks_indexed < p->nstacks; in->stacks_indexed++) { /* distinct */
		const prof_stack *e = &p->stacks[in->stacks_indexed];
		stack_key k = { e->locs, e->depth };
		uint32_t h = stack_hash(e->locs, e->depth);
		size_t slot;
		if (hidx_find(&in->stacks, h, stack_eq, p, &k, &slot) == PROF_NONE)
			hidx_set(&in->stacks, slot, h, (uint32_t)in->stacks_indexed);
	}
	stack_key k = { locs, depth };
	uint32_t h = stack_hash(locs, depth);
	size_t slot;
	uint32_t i = hidx_find(&in->stacks, h, stack_eq, p, &k, &slot);
	if (i != PROF_NONE)
		return i;
	hidx_set(&in->stacks, slot, h, p->nstacks);
	in->stacks_indexed++;
	return prof_add_stack(p, locs, depth);
}

/* ---- label sets -------------------------------------------------------- */

/* Labels are grouped by key (keys in byte order); a key's values keep the
 * order they came in (pprof keeps a key's values as a list, and -traces
 * prints them so). */
typedef struct label_at {
	prof_label l;
	uint32_t at;
} label_at;

static int label_cmp(const void *a_, const void *b_)
{
	const label_at *a = a_, *b = b_;
	int c = strcmp(a->l.key, b->l.key);
	if (c)
		return c;
	return (a->at > b->at) - (a->at < b->at);
}

typedef struct lset_key {
	const prof_label *labels;
	uint32_t n;
} lset_key;

static bool lset_eq(const void *ctx, uint32_t idx, const void *key)
{
	const prof_labelset *a = &((const profile *)ctx)->labelsets[idx];
	const lset_key *b = key;
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < b->n; i++) {
		const prof_label *x = &a->labels[i], *y = &b->labels[i];
		if (x->key != y->key || x->str != y->str || x->num != y->num || x->unit != y->unit)
			return false;
	}
	return true;
}

uint32_t prof_intern_labelset(profile *p, const prof_label *labels, uint32_t n)
{
	if (!n)
		return 0;
	label_at atbuf[16];
	label_at *at = n <= 16 ? atbuf : xmalloc(st_mult(n, sizeof(*at)));
	for (uint32_t i = 0; i < n; i++) {
		at[i].l.key = intern_or_empty(p, labels[i].key);
		at[i].l.str = prof_intern(p, labels[i].str);
		at[i].l.num = at[i].l.str ? 0 : labels[i].num;
		at[i].l.unit = at[i].l.str ? NULL : prof_intern(p, labels[i].unit);
		at[i].at = i;
	}
	qsort(at, n, sizeof(*at), label_cmp);
	prof_label stackbuf[16];
	prof_label *tmp = n <= 16 ? stackbuf : xmalloc(st_mult(n, sizeof(*tmp)));
	for (uint32_t i = 0; i < n; i++)
		tmp[i] = at[i].l;
	if (at != atbuf)
		free(at);
	uint64_t h = hash_u64(0x1abe1, n);
	for (uint32_t i = 0; i < n; i++) {
		h = hash_ptr(h, tmp[i].key);
		h = hash_ptr(h, tmp[i].str);
		h = hash_u64(h, (uint64_t)tmp[i].num);
		h = hash_ptr(h, tmp[i].unit);
	}
	lset_key k = { tmp, n };
	size_t slot;
	uint32_t i = hidx_find(&p->in->lsets, (uint32_t)h, lset_eq, p, &k, &slot);
	if (i == PROF_NONE) {
		ALLOC_GROW(p->labelsets, p->nlabelsets + 1, p->in->lsets_alloc);
		prof_labelset *ls = &p->labelsets[p->nlabelsets];
		ls->labels = arena_alloc(&p->in->ar, st_mult(n, sizeof(prof_label)));
		memcpy(ls->labels, tmp, n * sizeof(prof_label));
		ls->n = n;
		i = p->nlabelsets++;
		hidx_set(&p->in->lsets, slot, (uint32_t)h, i);
	}
	if (tmp != stackbuf)
		free(tmp);
	return i;
}

/* ---- samples ----------------------------------------------------------- */

void prof_add_sample(profile *p, uint32_t stack, uint32_t labelset, const int64_t *values,
		     int64_t time_ns, int32_t tid, uint32_t flags)
{
	struct prof_internal *in = p->in;
	ALLOC_GROW(p->samples, p->nsamples + 1, in->samples_alloc);
	prof_sample *s = &p->samples[p->nsamples];
	s->stack = stack;
	s->labelset = labelset;
	s->time_ns = time_ns;
	s->tid = tid;
	s->flags = flags;
	if (p->nvalues) {
		size_t need = st_mult(p->nsamples + 1, p->nvalues);
		ALLOC_GROW(p->values, need, in->values_alloc);
		memcpy(p->values + p->nsamples * p->nvalues, values, p->nvalues * sizeof(int64_t));
	}
	p->nsamples++;
}

void prof_reserve_samples(profile *p, size_t n)
{
	struct prof_internal *in = p->in;
	size_t want = p->nsamples + n;
	if (want > in->samples_alloc) {
		p->samples = xrealloc(p->samples, st_mult(want, sizeof(*p->samples)));
		in->samples_alloc = want;
	}
	if (p->nvalues && st_mult(want, p->nvalues) > in->values_alloc) {
		in->values_alloc = st_mult(want, p->nvalues);
		p->values = xrealloc(p->values, st_mult(in->values_alloc, sizeof(int64_t)));
	}
}

/* ---- threads ----------------------------------------------------------- */

static bool thread_eq(const void *ctx, uint32_t idx, const void *key)
{
	return ((const profile *)ctx)->threads[idx].tid == *(const int32_t *)key;
}

static uint32_t thread_find(const profile *p, int32_t tid, size_t *slot)
{
	uint32_t h = (uint32_t)hash_u64(0x7d, (uint64_t)(uint32_t)tid);
	return hidx_find(&p->in->threads, h, thread_eq, p, &tid, slot);
}

/* Appends a thread at the free slot thread_find gave. */
static void add_thread(profile *p, int32_t tid, int32_t pid, const char *name, size_t slot)
{
	ALLOC_GROW(p->threads, p->nthreads + 1, p->in->threads_alloc);
	p->threads[p->nthreads] = (prof_thread){ tid, pid, intern_or_empty(p, name) };
	hidx_set(&p->in->threads, slot, (uint32_t)hash_u64(0x7d, (uint64_t)(uint32_t)tid),
		 p->nthreads);
	p->nthreads++;
}

void prof_set_thread_name(profile *p, int32_t tid, const char *name)
{
	size_t slot;
	uint32_t i = thread_find(p, tid, &slot);
	if (i != PROF_NONE) {
		p->threads[i].name = intern_or_empty(p, name);
		return;
	}
	add_thread(p, tid, 0, name, slot);
}

void prof_set_thread_pid(profile *p, int32_t tid, int32_t pid)
{
	size_t slot;
	uint32_t i = thread_find(p, tid, &slot);
	if (i != PROF_NONE)
		p->threads[i].pid = pid;
	else
		add_thread(p, tid, pid, "", slot);
}

int32_t prof_thread_pid(const profile *p, int32_t tid)
{
	if (p->nthreads) {
		size_t slot;
		uint32_t i = thread_find(p, tid, &slot);
		if (i != PROF_NONE && p->threads[i].pid)
			return p->threads[i].pid;
	}
	return p->pid > 0 ? p->pid : 0;
}

const char *prof_thread_name(const profile *p, int32_t tid)
{
	if (!p->nthreads)
		return NULL;
	size_t slot;
	uint32_t i = thread_find(p, tid, &slot);
	return i == PROF_NONE ? NULL : p->threads[i].name;
}

void prof_add_comment(profile *p, const char *comment)
{
	ALLOC_GROW(p->comments, p->ncomments + 1, p->in->comments_alloc);
	p->comments[p->ncomments++] = intern_or_empty(p, comment);
}

/* ---- frames and names -------------------------------------------------- */

uint32_t prof_stack_frames(const profile *p, uint32_t stack, prof_frame **buf, size_t *alloc)
{
	const prof_stack *s = &p->stacks[stack];
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->depth; i++) {
		const prof_location *l = &p->locations[s->locs[i]];
		uint32_t k = l->nlines ? l->nlines : 1;
		ALLOC_GROW(*buf, (size_t)n + k, *alloc);
		if (!l->nlines) {
			prof_frame *f = &(*buf)[n++];
			f->location = s->locs[i];
			f->function = PROF_NONE;
			f->line = 0;
			f->inlined = false;
			continue;
		}
		for (uint32_t j = 0; j < l->nlines; j++) {
			prof_frame *f = &(*buf)[n++];
			f->location = s->locs[i];
			f->function = l->lines[j].function;
			f->line = l->lines[j].line;
			f->inlined = j + 1 < l->nlines;
		}
	}
	return n;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

void prof_location_name(const profile *p, uint32_t loc, strbuf *sb)
{
	const prof_location *l = &p->locations[loc];
	if (l->mapping != PROF_NONE && l->mapping < p->nmappings) {
		const prof_mapping *m = &p->mappings[l->mapping];
		const char *b = base_name(m->file ? m->file : "");
		uint64_t off = l->address - m->start + m->offset;
		sb_addf(sb, "%s+0x%llx", *b ? b : "[unknown]", (unsigned long long)off);
	} else if (!l->address && l->nlines && l->lines[0].function < p->nfunctions &&
		   *p->functions[l->lines[0].function].name) {
		/* a pseudo-frame such as "[truncated]": only its name */
		sb_adds(sb, p->functions[l->lines[0].function].name);
	} else {
		sb_addf(sb, "0x%llx", (unsigned long long)l->address);
	}
}

void prof_frame_name(const profile *p, const prof_frame *f, strbuf *sb)
{
	if (f->function != PROF_NONE && f->function < p->nfunctions) {
		const prof_function *fn = &p->functions[f->function];
		if (fn->name && *fn->name) {
			sb_adds(sb, fn->name);
			return;
		}
		if (fn->system_name && *fn->system_name) {
			sb_adds(sb, fn->system_name);
			return;
		}
	}
	prof_location_name(p, f->location, sb);
}

uint32_t prof_count_value(const profile *p)
{
	/* perf's readers: their default, the event's periods, which is what
	 * stackcollapse-perf.pl counts */
	if (p->source_format && !strncmp(p->source_format, "perf", 4) && p->default_type < p->nvalues)
		return p->default_type;
	for (uint32_t i = 0; i < p->nvalues; i++)
		if (p->sample_types[i].type && !strcmp(p->sample_types[i].type, "samples") &&
		    p->sample_types[i].unit && !strcmp(p->sample_types[i].unit, "count"))
			return i;
	return p->default_type < p->nvalues ? p->default_type : 0;
}

/* ---- grouping ----------------------------------------------------------- */

static bool group_eq(const void *ctx, uint32_t idx, const void *key)
{
	const prof_group *a = &((const prof_groups *)ctx)->g[idx], *b = key;
	return a->stack == b->stack && a->labelset == b->labelset && a->tid == b->tid;
}

static inline uint32_t group_hash(const prof_group *k)
{
	uint64_t h = ((uint64_t)k->stack << 32 | k->labelset) * HASH_GOLDEN;
	h ^= (uint64_t)(uint32_t)k->tid * 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

static int group_cmp(const void *a_, const void *b_, void *ctx)
{
	const prof_group *g = ctx, *a = &g[*(const uint32_t *)a_], *b = &g[*(const uint32_t *)b_];
	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	if (a->labelset != b->labelset)
		return a->labelset < b->labelset ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return 0;
}

/* Puts the groups (and their values) in (stack, labelset, tid) order. */
static void groups_sort(prof_groups *out)
{
	size_t n = out->n, nv = out->nvalues;
	uint32_t *order = xmalloc(st_mult(n ? n : 1, sizeof(*order)));
	bool sorted = true;
	for (size_t i = 0; i < n; i++) {
		order[i] = (uint32_t)i;
		if (i && group_cmp(&order[i - 1], &order[i], out->g) > 0)
			sorted = false;
	}
	if (!sorted) {
		qsort_r(order, n, sizeof(*order), group_cmp, out->g);
		prof_group *g = xmalloc(st_mult(n, sizeof(*g)));
		int64_t *v = nv ? xmalloc(st_mult(n, nv * sizeof(*v))) : NULL;
		for (size_t i = 0; i < n; i++) {
			g[i] = out->g[order[i]];
			if (nv)
				memcpy(v + i * nv, out->values + (size_t)order[i] * nv, nv * sizeof(*v));
		}
		free(out->g);
		free(out->values);
		out->g = g;
		out->values = v;
	}
	free(order);
}

void prof_group_samples(const profile *p, const prof_group_opts *o, prof_groups *out)
{
	static const prof_group_opts defaults = PROF_GROUP_OPTS_INIT;
	if (!o)
		o = &defaults;
	uint32_t nv = p->nvalues;
	size_t alloc = 0, values_alloc = 0;
	hidx ix = HIDX_INIT;
	/* by stack alone, the key is a dense index: a group per stack id
	 * (+ 1; 0: none yet) instead of a hash table */
	uint32_t *of_stack = o->by_labels || o->by_thread
				     ? NULL
				     : xcalloc((size_t)p->nstacks + 1, sizeof(*of_stack));
	*out = (prof_groups){ .nvalues = nv };
	prof_group last = { PROF_NONE, PROF_NONE, 0, 0 };
	uint32_t gi = PROF_NONE; /* the group of `last`: runs of equal keys are common */

	for (size_t i = 0; i < p->nsamples; i++) {
		if (o->mask && !o->mask[i])
			continue;
		const prof_sample *s = &p->samples[i];
		prof_group k = { s->stack, o->by_labels ? s->labelset : 0, o->by_thread ? s->tid : -1, 0 };
		if (k.stack != last.stack || k.labelset != last.labelset || k.tid != last.tid) {
			uint32_t h = 0;
			size_t slot = 0;
			if (of_stack)
				gi = of_stack[k.stack] - 1; /* HIDX_NONE when 0 */
			else
				gi = hidx_find(&ix, h = group_hash(&k), group_eq, out, &k, &slot);
			if (gi == HIDX_NONE) {
				gi = (uint32_t)out->n++;
				ALLOC_GROW(out->g, out->n, alloc);
				out->g[gi] = k;
				if (nv) { /* no sample types: values stays NULL */
					ALLOC_GROW(out->values, st_mult(out->n, nv), values_alloc);
					memset(out->values + (size_t)gi * nv, 0, nv * sizeof(int64_t));
				}
				if (of_stack)
					of_stack[k.stack] = gi + 1;
				else
					hidx_set(&ix, slot, h, gi);
			}
			last = k;
		}
		out->g[gi].flags |= s->flags;
		if (!nv)
			continue;
		const int64_t *src = p->values + i * nv;
		int64_t *dst = out->values + (size_t)gi * nv;
		for (uint32_t j = 0; j < nv; j++)
			dst[j] = prof_sadd(dst[j], src[j]);
	}
	hidx_free(&ix);
	free(of_stack);
	if (o->sorted)
		groups_sort(out);
}

static int cmp_thread_time(const void *a, const void *b, void *ctx)
{
	const profile *p = ctx;
	const prof_sample *x = &p->samples[*(const size_t *)a], *y = &p->samples[*(const size_t *)b];
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

size_t *prof_thread_time_order(const profile *p, const bool *mask, size_t *np)
{
	size_t *ord = xmalloc(st_mult(p->nsamples ? p->nsamples : 1, sizeof(*ord)));
	size_t n = 0;
	bool sorted = true;
	for (size_t i = 0; i < p->nsamples; i++) {
		if (mask && !mask[i])
			continue;
		ord[n] = i;
		if (n && p->has_timestamps && cmp_thread_time(&ord[n - 1], &ord[n], (void *)p) > 0)
			sorted = false;
		n++;
	}
	if (!sorted)
		qsort_r(ord, n, sizeof(*ord), cmp_thread_time, (void *)p);
	*np = n;
	return ord;
}

void prof_groups_free(prof_groups *g)
{
	free(g->g);
	free(g->values);
	*g = (prof_groups){ 0 };
}

/* ---- merging ----------------------------------------------------------- */

static bool same_types(const profile *a, const profile *b)
{
	if (a->nvalues != b->nvalues)
		return false;
	for (uint32_t i = 0; i < a->nvalues; i++)
		if (strcmp(a->sample_types[i].type, b->sample_types[i].type) ||
		    strcmp(a->sample_types[i].unit, b->sample_types[i].unit))
			return false;
	return true;
}

static void types_desc(const profile *p, strbuf *sb)
{
	for (uint32_t i = 0; i < p->nvalues; i++)
		sb_addf(sb, "%s%s/%s", i ? "," : "", p->sample_types[i].type,
			p->sample_types[i].unit);
	if (!p->nvalues)
		sb_adds(sb, "none");
}

static bool dst_is_empty(const profile *p)
{
	return p->nvalues == 0 && p->nsamples == 0 && p->nstacks == 0 && p->nlocations == 0;
}

/* Mappings are deduplicated by all their fields, locations by mapping,
 * address and lines: merging two profiles of one program gives one copy. */
typedef struct merge_ctx {
	const profile *dst;
	const prof_line *lines; /* remapped lines of the key */
} merge_ctx;

static bool map_eq(const void *ctx, uint32_t idx, const void *key)
{
	const prof_mapping *a = &((const merge_ctx *)ctx)->dst->mappings[idx];
	const prof_mapping *b = key;
	return a->start == b->start && a->limit == b->limit && a->offset == b->offset &&
	       a->file == b->file && a->build_id == b->build_id;
}

static bool mloc_eq(const void *ctx, uint32_t idx, const void *key)
{
	const merge_ctx *c = ctx;
	const prof_location *a = &c->dst->locations[idx];
	const prof_location *b = key;
	if (a->mapping != b->mapping || a->address != b->address || a->nlines != b->nlines ||
	    a->is_folded != b->is_folded)
		return false;
	for (uint32_t i = 0; i < a->nlines; i++)
		if (a->lines[i].function != c->lines[i].function ||
		    a->lines[i].line != c->lines[i].line || a->lines[i].column != c->lines[i].column)
			return false;
	return true;
}

static uint32_t loc_full_hash(const prof_location *l, const prof_line *lines)
{
	uint64_t h = hash_u64(hash_u64(0x10c, l->mapping), l->address);
	h = hash_u64(h, l->nlines | (uint64_t)l->is_folded << 32);
	for (uint32_t i = 0; i < l->nlines; i++) {
		h = hash_u64(h, lines[i].function);
		h = hash_u64(h, (uint64_t)lines[i].line);
		h = hash_u64(h, (uint64_t)lines[i].column);
	}
	return (uint32_t)h;
}

static uint32_t map_hash(const prof_mapping *m)
{
	uint64_t h = hash_u64(hash_u64(hash_u64(0x3a9, m->start), m->limit), m->offset);
	return (uint32_t)hash_ptr(hash_ptr(h, m->file), m->build_id);
}

/* The header of src into dst: all of it into an empty dst; else the
 * sample types must agree (-1 with err), the two go on one time axis
 * (*shift: what src's sample times move by), and what holds for one input
 * only goes. */
static int merge_header(profile *dst, const profile *src, int64_t *shift, cprof_err *err)
{
	*shift = 0;
	if (dst_is_empty(dst)) {
		prof_set_sample_types(dst, src->sample_types, src->nvalues);
		dst->default_type = src->default_type;
		dst->period_type.type = prof_intern(dst, src->period_type.type);
		dst->period_type.unit = prof_intern(dst, src->period_type.unit);
		dst->period = src->period;
		dst->has_timestamps = src->has_timestamps;
		dst->source_format = prof_intern(dst, src->source_format);
		dst->mode = prof_intern(dst, src->mode);
		dst->timer = prof_intern(dst, src->timer);
		dst->executable = prof_intern(dst, src->executable);
		dst->cmdline = prof_intern(dst, src->cmdline);
		dst->pid = src->pid;
		dst->drop_frames = prof_intern(dst, src->drop_frames);
		dst->keep_frames = prof_intern(dst, src->keep_frames);
		dst->time_nanos = src->time_nanos;
		dst->duration_nanos = src->duration_nanos;
		dst->mono_start_ns = src->mono_start_ns;
		dst->samples_dropped = 0;
		return 0;
	}
	if (!same_types(dst, src)) {
		strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		types_desc(dst, &a);
		types_desc(src, &b);
		cprof_fail(err, "cannot merge profiles with different sample types (%s vs %s)", a.buf,
			   b.buf);
		sb_release(&a);
		sb_release(&b);
		return -1;
	}
	/* One time axis: the earlier start is the origin, the later profile's
	 * times move by the difference, the duration spans both. Without a
	 * common clock, the longer duration. */
	if (prof_origin_delta(dst, src, shift)) {
		if (*shift < 0) {
			prof_shift_origin(dst, -*shift);
			*shift = 0;
		}
		if (*shift + src->duration_nanos > dst->duration_nanos)
			dst->duration_nanos = *shift + src->duration_nanos;
	} else {
		*shift = 0;
		if (!dst->time_nanos)
			dst->time_nanos = src->time_nanos;
		if (src->duration_nanos > dst->duration_nanos)
			dst->duration_nanos = src->duration_nanos;
	}
	if (!src->has_timestamps)
		dst->has_timestamps = false;
	if (!dst->period && src->period) {
		dst->period = src->period;
		dst->period_type.type = prof_intern(dst, src->period_type.type);
		dst->period_type.unit = prof_intern(dst, src->period_type.unit);
	}
	if (src->pid != dst->pid) {
		/* dst's threads keep the pid they had through dst->pid */
		for (uint32_t i = 0; i < dst->nthreads; i++)
			if (!dst->threads[i].pid)
				dst->threads[i].pid = dst->pid;
		dst->pid = 0;
	}
	/* the header names one program only when all inputs ran it */
	if (dst->executable && dst->executable != prof_intern(dst, src->executable))
		dst->executable = dst->cmdline = NULL;
	else if (dst->cmdline && dst->cmdline != prof_intern(dst, src->cmdline))
		dst->cmdline = NULL;
	return 0;
}

/* src's mappings in dst (equal ones shared, their has_* flags ORed): the
 * dst index of each (caller frees). */
static uint32_t *merge_mappings(profile *dst, const profile *src)
{
	merge_ctx mc = { dst, NULL };
	hidx maps = HIDX_INIT;
	size_t slot;
	/* seeded with what dst has, so its own entries are reused */
	for (uint32_t i = 0; i < dst->nmappings; i++) {
		uint32_t h = map_hash(&dst->mappings[i]);
		if (hidx_find(&maps, h, map_eq, &mc, &dst->mappings[i], &slot) == PROF_NONE)
			hidx_set(&maps, slot, h, i);
	}
	uint32_t *mmap = xmalloc(st_mult(src->nmappings + 1, sizeof(uint32_t)));
	for (uint32_t i = 0; i < src->nmappings; i++) {
		prof_mapping m = src->mappings[i];
		m.file = intern_or_empty(dst, m.file);
		m.build_id = intern_or_empty(dst, m.build_id);
		uint32_t h = map_hash(&m);
		uint32_t j = hidx_find(&maps, h, map_eq, &mc, &m, &slot);
		if (j == PROF_NONE) {
			j = prof_add_mapping(dst, &m);
			hidx_set(&maps, slot, h, j);
		} else {
			prof_mapping *d = &dst->mappings[j];
			d->has_functions |= m.has_functions;
			d->has_filenames |= m.has_filenames;
			d->has_line_numbers |= m.has_line_numbers;
			d->has_inline_frames |= m.has_inline_frames;
		}
		mmap[i] = j;
	}
	hidx_free(&maps);
	return mmap;
}

/* src's locations in dst (equal in every field: shared), given the
 * mapping and function maps: the dst index of each (caller frees). */
static uint32_t *merge_locations(profile *dst, const profile *src, const uint32_t *mmap,
				 const uint32_t *fmap)
{
	merge_ctx mc = { dst, NULL };
	hidx locs = HIDX_INIT;
	size_t slot;
	for (uint32_t i = 0; i < dst->nlocations; i++) {
		const prof_location *l = &dst->locations[i];
		uint32_t h = loc_full_hash(l, l->lines);
		mc.lines = l->lines;
		if (hidx_find(&locs, h, mloc_eq, &mc, l, &slot) == PROF_NONE)
			hidx_set(&locs, slot, h, i);
	}
	uint32_t *lmap = xmalloc(st_mult(src->nlocations + 1, sizeof(uint32_t)));
	prof_line *lbuf = NULL;
	size_t lbuf_alloc = 0;
	for (uint32_t i = 0; i < src->nlocations; i++) {
		const prof_location *l = &src->locations[i];
		ALLOC_GROW(lbuf, l->nlines + 1, lbuf_alloc);
		for (uint32_t j = 0; j < l->nlines; j++) {
			lbuf[j] = l->lines[j];
			lbuf[j].function = l->lines[j].function < src->nfunctions ?
						   fmap[l->lines[j].function] : PROF_NONE;
		}
		prof_location key = *l;
		key.mapping = l->mapping < src->nmappings ? mmap[l->mapping] : PROF_NONE;
		uint32_t h = loc_full_hash(&key, lbuf);
		mc.lines = lbuf;
		uint32_t j = hidx_find(&locs, h, mloc_eq, &mc, &key, &slot);
		if (j == PROF_NONE) {
			j = prof_add_location(dst, key.mapping, key.address, lbuf, l->nlines);
			dst->locations[j].is_folded = l->is_folded;
			hidx_set(&locs, slot, h, j);
		}
		lmap[i] = j;
	}
	free(lbuf);
	hidx_free(&locs);
	return lmap;
}

/* src's stacks interned in dst, given the location map (caller frees). */
static uint32_t *merge_stacks(profile *dst, const profile *src, const uint32_t *lmap)
{
	uint32_t *smap = xmalloc(st_mult(src->nstacks + 1, sizeof(uint32_t)));
	uint32_t *sbuf = NULL;
	size_t sbuf_alloc = 0;
	for (uint32_t i = 0; i < src->nstacks; i++) {
		const prof_stack *s = &src->stacks[i];
		ALLOC_GROW(sbuf, s->depth + 1, sbuf_alloc);
		for (uint32_t j = 0; j < s->depth; j++)
			sbuf[j] = lmap[s->locs[j]];
		smap[i] = prof_intern_stack(dst, sbuf, s->depth);
	}
	free(sbuf);
	return smap;
}

/* src's threads: a name where dst has none, and each thread's process:
 * its own pid, else src's one pid (set before the pids differ and
 * dst->pid becomes 0). */
static void merge_threads(profile *dst, const profile *src)
{
	for (uint32_t i = 0; i < src->nthreads; i++) {
		const prof_thread *t = &src->threads[i];
		const char *had = prof_thread_name(dst, t->tid);
		if (!had || !*had)
			prof_set_thread_name(dst, t->tid, t->name);
		int32_t pid = prof_thread_pid(src, t->tid);
		if (pid)
			prof_set_thread_pid(dst, t->tid, pid);
	}
}

/* Whether every value of a and b fits in int64 with the larger number of
 * decimals of its type (a and b have the same types). */
static int decimals_fit(const profile *a, const profile *b, cprof_err *err)
{
	for (uint32_t j = 0; j < a->nvalues; j++) {
		uint32_t da = a->sample_types[j].decimals, db = b->sample_types[j].decimals;
		const profile *up = da < db ? a : b;
		uint32_t k = da < db ? db - da : da - db;
		for (size_t i = 0; k && i < up->nsamples; i++)
			if (!prof_scale_up(prof_sample_values(up, i)[j], k, &(int64_t){ 0 }))
				return cprof_fail(err, "cannot merge: %s/%s values do not fit in 64 bits "
						       "with %u decimals", a->sample_types[j].type,
						  a->sample_types[j].unit, da > db ? da : db);
	}
	return 0;
}

/* Fixed-point values: dst's types go to src's decimals where src has more
 * (decimals_fit checked that they can); true when src's values must be
 * scaled up to dst's as they are copied. */
static bool merge_decimals(profile *dst, const profile *src)
{
	bool rescale_src = false;
	for (uint32_t j = 0; j < dst->nvalues; j++) {
		if (dst->sample_types[j].decimals < src->sample_types[j].decimals)
			prof_set_decimals(dst, j, src->sample_types[j].decimals);
		else if (dst->sample_types[j].decimals > src->sample_types[j].decimals)
			rescale_src = true;
	}
	return rescale_src;
}

static int merge(profile *dst, const profile *src, cprof_err *err)
{
	int64_t shift; /* added to src's sample times */
	if (!dst_is_empty(dst) && same_types(dst, src) && decimals_fit(dst, src, err) < 0)
		return -1; /* before anything changed */
	if (merge_header(dst, src, &shift, err) < 0)
		return -1;
	bool rescale_src = merge_decimals(dst, src);
	dst->samples_dropped += src->samples_dropped;
	for (uint32_t i = 0; i < src->ncomments; i++) {
		const char *c = prof_intern(dst, src->comments[i]);
		uint32_t j;
		for (j = 0; j < dst->ncomments; j++)
			if (dst->comments[j] == c)
				break;
		if (j == dst->ncomments)
			prof_add_comment(dst, c);
	}

	/* src's indexes -> dst's, table by table */
	uint32_t *mmap = merge_mappings(dst, src);
	uint32_t *fmap = xmalloc(st_mult(src->nfunctions + 1, sizeof(uint32_t)));
	for (uint32_t i = 0; i < src->nfunctions; i++) {
		const prof_function *f = &src->functions[i];
		fmap[i] = prof_intern_function(dst, f->name, f->system_name, f->filename,
					       f->start_line);
	}
	uint32_t *lmap = merge_locations(dst, src, mmap, fmap);
	uint32_t *smap = merge_stacks(dst, src, lmap);
	uint32_t *lsmap = xmalloc(st_mult(src->nlabelsets + 1, sizeof(uint32_t)));
	for (uint32_t i = 0; i < src->nlabelsets; i++)
		lsmap[i] = prof_intern_labelset(dst, src->labelsets[i].labels, src->labelsets[i].n);
	merge_threads(dst, src);

	/* grow once, then copy the samples */
	size_t total = dst->nsamples + src->nsamples;
	ALLOC_GROW(dst->samples, total, dst->in->samples_alloc);
	if (dst->nvalues)
		ALLOC_GROW(dst->values, st_mult(total, dst->nvalues), dst->in->values_alloc);
	int64_t *vbuf = rescale_src ? xmalloc(st_mult(dst->nvalues, sizeof(int64_t))) : NULL;
	for (size_t i = 0; i < src->nsamples; i++) {
		int64_t t = src->samples[i].time_ns;
		const int64_t *vals = prof_sample_values(src, i);
		if (rescale_src) {
			for (uint32_t j = 0; j < dst->nvalues; j++)
				prof_scale_up(vals[j], dst->sample_types[j].decimals - src->sample_types[j].decimals,
					      &vbuf[j]);
			vals = vbuf;
		}
		prof_add_sample(dst, smap[src->samples[i].stack], lsmap[src->samples[i].labelset], vals,
				t >= 0 ? t + shift : t, src->samples[i].tid, src->samples[i].flags);
	}
	free(vbuf);

	free(mmap);
	free(fmap);
	free(lmap);
	free(smap);
	free(lsmap);
	return 0;
}

int prof_merge(profile *dst, const profile *src, cprof_err *err)
{
	/* src's strings are escaped already: copied as they are */
	dst->in->escaped_in = true;
	int rc = merge(dst, src, err);
	dst->in->escaped_in = false;
	return rc;
}

bool prof_origin_delta(const profile *a, const profile *b, int64_t *delta)
{
	if (a->mono_start_ns > 0 && b->mono_start_ns > 0) {
		int64_t boot_a = a->time_nanos - a->mono_start_ns;
		int64_t boot_b = b->time_nanos - b->mono_start_ns;
		int64_t gap = boot_a > boot_b ? boot_a - boot_b : boot_b - boot_a;
		if (!a->time_nanos || !b->time_nanos || gap < 1000000000) {
			*delta = b->mono_start_ns - a->mono_start_ns;
			return true;
		}
	}
	if (a->time_nanos > 0 && b->time_nanos > 0) {
		*delta = b->time_nanos - a->time_nanos;
		return true;
	}
	return false;
}

void prof_common_axis(profile *const *ps, size_t n, int64_t *offs)
{
	size_t ref = 0; /* the first with timestamps */
	while (ref + 1 < n && !ps[ref]->has_timestamps)
		ref++;
	int64_t lo = 0;
	for (size_t i = 0; i < n; i++)
		if (!ps[i]->has_timestamps || !prof_origin_delta(ps[ref], ps[i], &offs[i]))
			offs[i] = INT64_MIN; /* its own axis */
		else if (offs[i] < lo)
			lo = offs[i];
	for (size_t i = 0; i < n; i++) {
		offs[i] = offs[i] == INT64_MIN ? -1 : offs[i] - lo;
		prof_shift_origin(ps[i], offs[i]);
	}
}

void prof_shift_origin(profile *p, int64_t d)
{
	if (d <= 0)
		return;
	for (size_t i = 0; i < p->nsamples; i++)
		if (p->samples[i].time_ns >= 0)
			p->samples[i].time_ns += d;
	if (p->mono_start_ns)
		p->mono_start_ns -= d;
	if (p->time_nanos)
		p->time_nanos -= d;
	p->duration_nanos += d;
}
