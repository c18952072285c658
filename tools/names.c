/*
 * names: the string table, frame naming and the name cache (see names.h).
 *
 * The table is open addressing over dense ids, with each id's hash kept so
 * that most probes end on an integer compare and growing never rehashes a
 * string; the strings live in 64 KiB chunks (one allocation per chunk, not
 * per name).
 *
 * The cache keys a frame's name by what the name depends on: the function
 * (and whether the "_[i]" mark applies), or the location for a frame whose
 * function has no name; with --lines or --addrs the text depends on more and
 * is built each time. The module depends on the mapping when the mapping has
 * a file, else on the name, so it is kept per mapping and per name id.
 */
#include "names.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- the string table -------------------------------------------------------- */

struct names_table {
	char **strs;    /* id -> NUL-terminated string (in chunks) */
	uint32_t *lens;
	uint32_t *hashes; /* id -> hash: most probes end on a hash compare */
	size_t hashes_alloc;
	uint32_t n;
	size_t alloc, lens_alloc;
	uint32_t *slots; /* open addressing: id + 1, 0 = empty */
	size_t nslots;
	char **chunks;
	size_t nchunks, chunks_alloc;
	size_t chunk_left;
	char *chunk_pos;
};

static uint32_t hash_str(const char *s, size_t n)
{
	/* 8 bytes a step, then a 64-bit finalizer */
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 32;
	return (uint32_t)h;
}

names_table *names_table_new(void)
{
	names_table *t = xcalloc(1, sizeof(*t));
	t->nslots = 1024;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	return t;
}

void names_table_free(names_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->strs);
	free(t->lens);
	free(t->hashes);
	free(t->slots);
	free(t);
}

static char *table_store(names_table *t, const char *s, size_t n)
{
	if (n + 1 > t->chunk_left) {
		size_t sz = n + 1 > 65536 ? n + 1 : 65536;
		ALLOC_GROW(t->chunks, t->nchunks + 1, t->chunks_alloc);
		t->chunks[t->nchunks++] = t->chunk_pos = xmalloc(sz);
		t->chunk_left = sz;
	}
	char *d = t->chunk_pos;
	memcpy(d, s, n);
	d[n] = '\0';
	t->chunk_pos += n + 1;
	t->chunk_left -= n + 1;
	return d;
}

uint32_t names_intern(names_table *t, const char *s, size_t n)
{
	if (!n)
		s = ""; /* an empty strbuf's buf may be NULL */
	uint32_t h = hash_str(s, n);
	size_t mask = t->nslots - 1;
	size_t i = h & mask;
	while (t->slots[i]) {
		uint32_t id = t->slots[i] - 1;
		if (t->hashes[id] == h && t->lens[id] == n && !memcmp(t->strs[id], s, n))
			return id;
		i = (i + 1) & mask;
	}
	uint32_t id = t->n;
	ALLOC_GROW(t->strs, (size_t)id + 1, t->alloc);
	ALLOC_GROW(t->lens, (size_t)id + 1, t->lens_alloc);
	ALLOC_GROW(t->hashes, (size_t)id + 1, t->hashes_alloc);
	t->hashes[id] = h;
	t->strs[id] = table_store(t, s, n);
	t->lens[id] = (uint32_t)n;
	t->n++;
	t->slots[i] = id + 1;
	if ((size_t)t->n * 2 > t->nslots) {
		size_t ns = t->nslots * 2;
		uint32_t *slots = xcalloc(ns, sizeof(*slots));
		for (uint32_t k = 0; k < t->n; k++) {
			size_t j = t->hashes[k] & (ns - 1);
			while (slots[j])
				j = (j + 1) & (ns - 1);
			slots[j] = k + 1;
		}
		free(t->slots);
		t->slots = slots;
		t->nslots = ns;
	}
	return id;
}

const char *names_get(const names_table *t, uint32_t id)
{
	return id < t->n ? t->strs[id] : "";
}

uint32_t names_count(const names_table *t)
{
	return t->n;
}

/* ---- naming a frame -------------------------------------------------------------- */

void names_clean(strbuf *sb, const char *s)
{
	/* a blank name too: its spaces would be taken for the ones before
	 * the count, leaving an empty frame */
	if (!s || !s[strspn(s, " \t\r\n\v\f")]) {
		sb_adds(sb, "[unknown]");
		return;
	}
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == ';')
			sb_addc(sb, ':');
		else if (*c < 0x20 || *c == 0x7f)
			sb_addc(sb, ' ');
		else
			sb_addc(sb, (char)*c);
	}
}

void names_frame(const profile *p, const prof_frame *f, const names_opts *o, strbuf *sb)
{
	size_t off = sb->len;
	prof_frame_name(p, f, sb);
	bool blank = true;
	for (size_t i = off; i < sb->len; i++) {
		unsigned char c = (unsigned char)sb->buf[i];
		if (c == ';')
			sb->buf[i] = ':';
		else if (c < 0x20 || c == 0x7f)
			sb->buf[i] = ' ';
		blank = blank && sb->buf[i] == ' ';
	}
	if (blank) { /* empty, or spaces the reader takes for the ones before the count */
		sb->len = off;
		sb->buf[off] = '\0';
		sb_adds(sb, "[unknown]");
	}
	if (o && o->lines && f->function != PROF_NONE && f->line > 0)
		sb_addf(sb, ":%" PRId64, f->line);
	if (o && o->addrs && f->function != PROF_NONE && f->location < p->nlocations &&
	    p->locations[f->location].address)
		sb_addf(sb, "@0x%" PRIx64, p->locations[f->location].address);
	if (o && o->inline_marks && f->inlined)
		sb_adds(sb, "_[i]");
}

void names_thread(const profile *p, int32_t tid, strbuf *sb)
{
	if (tid < 0) {
		sb_adds(sb, "[unknown thread]");
		return;
	}
	const char *name = prof_thread_name(p, tid);
	if (name && *name)
		names_clean(sb, name);
	else
		sb_addf(sb, "[tid %" PRId32 "]", tid);
}

/* The frame's mapping when it has a file name, else PROF_NONE. */
static uint32_t frame_mapping(const profile *p, const prof_frame *f)
{
	if (f->location >= p->nlocations)
		return PROF_NONE;
	uint32_t m = p->locations[f->location].mapping;
	if (m != PROF_NONE && m < p->nmappings && p->mappings[m].file && *p->mappings[m].file)
		return m;
	return PROF_NONE;
}

static void mapping_module(const profile *p, uint32_t m, strbuf *sb)
{
	const char *file = p->mappings[m].file;
	const char *slash = strrchr(file, '/');
	sb_adds(sb, slash ? slash + 1 : file);
}

static void name_module(const char *name, strbuf *sb)
{
	const char *start = strrchr(name, '/');
	start = start ? start + 1 : name;
	const char *colons = NULL;
	for (const char *c = name; (c = strstr(c, "::")); c += 2)
		colons = c;
	const char *end;
	if (colons)
		end = colons;
	else if ((end = strchr(start, '.')) == NULL)
		end = name + strlen(name);
	sb_add(sb, name, (size_t)(end - name));
}

void names_module(const profile *p, const prof_frame *f, const char *name, strbuf *sb)
{
	uint32_t m = frame_mapping(p, f);
	if (m != PROF_NONE)
		mapping_module(p, m, sb);
	else
		name_module(name, sb);
}

/* ---- the cache ----------------------------------------------------------------- */

struct names_cache {
	const profile *p;
	names_opts o;
	names_table *t;
	uint32_t *by_func;   /* 2 per function (inlined or not): name id + 1 */
	uint32_t *by_loc;    /* 2 per location, for frames without a function name */
	uint32_t *by_map;    /* per mapping: module id + 1 */
	uint32_t *by_name;   /* per name id: module id + 1 */
	size_t by_name_alloc;
	strbuf sb;
};

names_cache *names_cache_new(const profile *p, const names_opts *o, names_table *t)
{
	names_cache *c = xcalloc(1, sizeof(*c));
	c->p = p;
	if (o)
		c->o = *o;
	c->t = t;
	c->by_func = xcalloc(st_mult((size_t)p->nfunctions + 1, 2), sizeof(uint32_t));
	c->by_loc = xcalloc(st_mult((size_t)p->nlocations + 1, 2), sizeof(uint32_t));
	c->by_map = xcalloc((size_t)p->nmappings + 1, sizeof(uint32_t));
	return c;
}

void names_cache_free(names_cache *c)
{
	if (!c)
		return;
	free(c->by_func);
	free(c->by_loc);
	free(c->by_map);
	free(c->by_name);
	sb_release(&c->sb);
	free(c);
}

/* Where the name of f is kept, or NULL when it is built each time. */
static uint32_t *name_slot(names_cache *c, const prof_frame *f)
{
	if (c->o.lines || c->o.addrs)
		return NULL;
	size_t mark = c->o.inline_marks && f->inlined;
	const profile *p = c->p;
	if (f->function != PROF_NONE && f->function < p->nfunctions) {
		const prof_function *fn = &p->functions[f->function];
		if ((fn->name && *fn->name) || (fn->system_name && *fn->system_name))
			return c->by_func + (size_t)f->function * 2 + mark;
	}
	if (f->location < p->nlocations)
		return c->by_loc + (size_t)f->location * 2 + mark;
	return NULL;
}

uint32_t names_cache_name(names_cache *c, const prof_frame *f)
{
	uint32_t *slot = name_slot(c, f);
	if (slot && *slot)
		return *slot - 1;
	sb_reset(&c->sb);
	names_frame(c->p, f, &c->o, &c->sb);
	uint32_t id = names_intern(c->t, c->sb.buf, c->sb.len);
	if (slot)
		*slot = id + 1;
	return id;
}

uint32_t names_cache_module(names_cache *c, const prof_frame *f)
{
	uint32_t m = frame_mapping(c->p, f);
	if (m != PROF_NONE) {
		if (!c->by_map[m]) {
			sb_reset(&c->sb);
			mapping_module(c->p, m, &c->sb);
			c->by_map[m] = names_intern(c->t, c->sb.buf, c->sb.len) + 1;
		}
		return c->by_map[m] - 1;
	}
	uint32_t name = names_cache_name(c, f);
	if (name >= c->by_name_alloc) {
		size_t old = c->by_name_alloc;
		ALLOC_GROW(c->by_name, (size_t)name + 1, c->by_name_alloc);
		memset(c->by_name + old, 0, (c->by_name_alloc - old) * sizeof(*c->by_name));
	}
	if (!c->by_name[name]) {
		sb_reset(&c->sb);
		name_module(names_get(c->t, name), &c->sb);
		c->by_name[name] = names_intern(c->t, c->sb.buf, c->sb.len) + 1;
	}
	return c->by_name[name] - 1;
}
