/*
 * names: the string table, frame naming and the name cache (see names.h).
 *
 * The table is util's hidx over dense ids (each id's hash kept, so that most
 * probes end on an integer compare and growing never rehashes a string);
 * the strings live in 64 KiB chunks (one allocation per chunk, not per
 * name), so that a string's pointer stays valid while the table grows
 * (strset's move).
 *
 * The cache keys a frame's name by what the name depends on: the function
 * (and whether the "_[i]" mark applies), or the location for a frame whose
 * function has no name; with --lines or --addrs the text depends on more and
 * is built each time. The module depends on the mapping when the mapping has
 * a file, else on the name, so it is kept per mapping and per name id.
 */
#include "names.h"

#include <inttypes.h>
#include <libiberty/demangle.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/* ---- the string table -------------------------------------------------------- */

struct names_table {
	char **strs;    /* id -> NUL-terminated string (in chunks) */
	uint32_t *lens;
	uint32_t n;
	size_t alloc, lens_alloc;
	hidx ix;        /* string -> id */
	char **chunks;
	size_t nchunks, chunks_alloc;
	size_t chunk_left;
	char *chunk_pos;
};

names_table *names_table_new(void)
{
	return xcalloc(1, sizeof(names_table));
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
	hidx_free(&t->ix);
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

typedef struct names_key {
	const char *s;
	size_t n;
} names_key;

static bool names_eq(const void *ctx, uint32_t id, const void *key)
{
	const names_table *t = ctx;
	const names_key *k = key;
	return t->lens[id] == k->n && !memcmp(t->strs[id], k->s, k->n);
}

uint32_t names_intern(names_table *t, const char *s, size_t n)
{
	names_key k = { n ? s : "", n }; /* s may be NULL when n is 0 */
	uint32_t h = (uint32_t)hash_bytes(k.s, n, 0);
	size_t slot;
	uint32_t id = hidx_find(&t->ix, h, names_eq, t, &k, &slot);
	if (id != HIDX_NONE)
		return id;
	id = t->n;
	ALLOC_GROW(t->strs, (size_t)id + 1, t->alloc);
	ALLOC_GROW(t->lens, (size_t)id + 1, t->lens_alloc);
	t->strs[id] = table_store(t, k.s, n);
	t->lens[id] = (uint32_t)n;
	t->n++;
	hidx_set(&t->ix, slot, h, id);
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

/* True when clean_tail leaves s[0..n) as it is: no C0 control, DEL, ';'
 * or escape byte, and not blank. */
static bool clean_already(const unsigned char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;
	uint64_t any = 0; /* a high bit where a byte may need cleaning */
	for (; i + 8 <= n; i += 8) {
		uint64_t w, a, b, c;
		memcpy(&w, s + i, 8);
		a = w ^ (ones * 0x7f), b = w ^ (ones * ';'), c = w ^ (ones * STR_ESC);
		any |= (w - ones * 0x20) & ~w; /* a byte below 0x20 */
		any |= ((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c);
	}
	if (any & highs)
		return false;
	for (; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f || s[i] == ';' || s[i] == STR_ESC)
			return false;
	return n && s[0] != ' '; /* not blank */
}

/* Cleans sb's text from off on, as names_frame says: decodes the model's
 * escape (util.h; a NUL byte becomes a space like any control character),
 * ';' becomes ':', and a blank name "[unknown]" (its spaces would be taken
 * for the ones before the count, leaving an empty frame). */
static void clean_tail(strbuf *sb, size_t off)
{
	/* most names need nothing: a word at a time to say so */
	if (clean_already((const unsigned char *)sb->buf + off, sb->len - off))
		return;
	bool blank = true;
	size_t w = off;
	for (size_t i = off; i < sb->len; i++) {
		unsigned char c = (unsigned char)sb->buf[i];
		if (c == STR_ESC && i + 1 < sb->len &&
		    ((unsigned char)sb->buf[i + 1] == 0x80 || (unsigned char)sb->buf[i + 1] == 0xc1))
			c = (unsigned char)sb->buf[++i] == 0x80 ? 0 : STR_ESC;
		if (c == ';')
			c = ':';
		else if (c < 0x20 || c == 0x7f)
			c = ' ';
		sb->buf[w++] = (char)c;
		blank = blank && c == ' ';
	}
	sb->len = blank ? off : w;
	sb->buf[sb->len] = '\0';
	if (blank)
		sb_adds(sb, "[unknown]");
}

void names_clean(strbuf *sb, const char *s)
{
	size_t off = sb->len;
	sb_adds(sb, s ? s : "");
	clean_tail(sb, off);
}

void names_frame(const profile *p, const prof_frame *f, const names_opts *o, strbuf *sb)
{
	size_t off = sb->len;
	prof_frame_name(p, f, sb);
	clean_tail(sb, off);
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
	sb_init(&c->sb);
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

/* ---- stackcollapse-perf.pl's names ------------------------------------------ */

static const char *label_str(const profile *p, uint32_t ls, const char *key, int64_t *num)
{
	if (ls >= p->nlabelsets)
		return NULL;
	const prof_labelset *set = &p->labelsets[ls];
	for (uint32_t i = 0; i < set->n; i++)
		if (set->labels[i].key && !strcmp(set->labels[i].key, key)) {
			if (num)
				*num = set->labels[i].num;
			return set->labels[i].str ? set->labels[i].str : "";
		}
	return NULL;
}

static bool contains(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(s + i, lit, k))
			return true;
	return false;
}

/* The script's $tidy_generic and $tidy_java on the name at sb[off..]. */
static void tidy(strbuf *sb, size_t off, bool java)
{
	char *s = sb->buf + off;
	size_t n = sb->len - off;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ';')
			s[i] = ':';
	/* m/\.\(.*\)\./ (a Go method "net/http.(*Client).Do") keeps its
	 * parentheses; else all from the first '(' not opening
	 * "(anonymous namespace)" goes */
	bool go = false;
	for (size_t i = 0; i + 1 < n && !go; i++)
		if (s[i] == '.' && s[i + 1] == '(')
			for (size_t j = i + 2; j + 1 < n && !go; j++)
				go = s[j] == ')' && s[j + 1] == '.';
	if (!go) {
		static const char anon[] = "anonymous namespace)";
		for (size_t i = 0; i < n; i++)
			if (s[i] == '(' && !(n - i - 1 >= sizeof(anon) - 1 &&
					     !memcmp(s + i + 1, anon, sizeof(anon) - 1))) {
				n = i;
				break;
			}
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '"' && s[i] != '\'')
			s[w++] = s[i];
	n = w;
	if (java && n && s[0] == 'L' && memchr(s, '/', n)) {
		memmove(s, s + 1, n - 1);
		n--;
	}
	sb->len = off + n;
	sb->buf[sb->len] = '\0';
}

static bool is_kernel_dso(const char *m)
{
	size_t n = strlen(m);
	bool k = m[0] == '[' || (n >= 7 && !strcmp(m + n - 7, "vmlinux"));
	return k && !strstr(m, "unknown");
}

static bool is_jit_dso(const char *m)
{
	/* m:/tmp/perf-\d+\.map: */
	for (const char *s = strstr(m, "/tmp/perf-"); s; s = strstr(s + 1, "/tmp/perf-")) {
		const char *d = s + 10, *e = d;
		while (*e >= '0' && *e <= '9')
			e++;
		if (e > d && !strncmp(e, ".map", 4))
			return true;
	}
	return false;
}

void names_process(const profile *p, int32_t tid, names_root root, strbuf *sb)
{
	if (root == NAMES_ROOT_COMM)
		return;
	int32_t pid = tid >= 0 ? prof_thread_pid(p, tid) : -1;
	size_t off = sb->len;
	names_clean(sb, pid > 0 ? prof_thread_name(p, pid) : NULL);
	for (size_t i = off; i < sb->len; i++)
		if (sb->buf[i] == ' ')
			sb->buf[i] = '_';
	if (pid > 0)
		sb_addf(sb, "-%" PRId32, pid);
	else
		sb_adds(sb, "-?");
	if (root == NAMES_ROOT_TID) {
		if (tid >= 0)
			sb_addf(sb, "/%" PRId32, tid);
		else
			sb_adds(sb, "/?");
	}
}

void names_perf_folded(const profile *p, uint32_t stack, uint32_t labelset, int32_t tid,
		       const names_perf_opts *o, strbuf *sb, prof_frame **frames, size_t *falloc)
{
	names_root root = o->root;
	int64_t pid = -1;
	const char *comm = label_str(p, labelset, "comm", NULL);
	if (!comm)
		comm = prof_thread_name(p, tid);
	label_str(p, labelset, "pid", &pid);
	size_t off = sb->len;
	/* a name of blanks and control bytes would leave the line without a
	 * root frame (and, alone, without a stack): named as names.c names it */
	bool blank = true;
	for (const unsigned char *c = (const unsigned char *)(comm ? comm : ""); *c && blank; c++)
		blank = *c <= 0x20 || *c == 0x7f;
	sb_adds(sb, blank ? "[unknown]" : comm);
	if (root != NAMES_ROOT_COMM) {
		if (pid >= 0)
			sb_addf(sb, "-%" PRId64, pid);
		else
			sb_adds(sb, "-?");
		if (root == NAMES_ROOT_TID)
			sb_addf(sb, "/%" PRId32, tid);
	}
	for (size_t i = off; i < sb->len; i++)
		if (sb->buf[i] == ' ')
			sb->buf[i] = '_';
	bool java = !strncmp(sb->buf + off, "java", 4);
	uint32_t nf = prof_stack_frames(p, stack, frames, falloc);
	for (uint32_t k = nf; k-- > 0;) {
		const prof_frame *f = &(*frames)[k];
		const prof_location *l = &p->locations[f->location];
		const char *dso = l->mapping < p->nmappings ? p->mappings[l->mapping].file : "";
		const char *fname = f->function != PROF_NONE ? p->functions[f->function].name : NULL;
		sb_addc(sb, ';');
		size_t fo = sb->len;
		if (!fname || !strcmp(fname, "[unknown]")) {
			const char *b = strcmp(dso, "[unknown]") ? strrchr(dso, '/') : NULL;
			const char *name = strcmp(dso, "[unknown]") ? (b ? b + 1 : dso) : "unknown";
			if (o->addrs)
				sb_addf(sb, "[%s <%" PRIx64 ">]", name, l->address);
			else
				sb_addf(sb, "[%s]", name);
		} else {
			sb_adds(sb, fname);
		}
		tidy(sb, fo, java);
		const char *nm = sb->buf + fo;
		size_t nn = sb->len - fo;
		if (f->inlined) {
			if (!contains(nm, nn, "_[i]"))
				sb_adds(sb, "_[i]");
		} else if (o->kernel_marks && is_kernel_dso(dso)) {
			sb_adds(sb, "_[k]");
		} else if (o->jit_marks && is_jit_dso(dso)) {
			if (!contains(nm, nn, "_[j]"))
				sb_adds(sb, "_[j]");
		}
	}
	/* control bytes as names_frame writes them (a space): folded text must
	 * read back as text */
	for (size_t i = off; i < sb->len; i++)
		if ((unsigned char)sb->buf[i] < 0x20 || sb->buf[i] == 0x7f)
			sb->buf[i] = ' ';
}

/* ---- pprof's function names -------------------------------------------------------
 * go tool pprof (its symbolizer's Demangle, then Profile.RemoveUninteresting)
 * renames functions before any report: C++ symbols are demangled with
 * ianlancetaylor/demangle, whose NoParams output is libiberty's without
 * DMGL_PARAMS (the "standard demangler" it follows), so libiberty does it
 * here; NoTemplateParams has no libiberty flag and is the <...> lists cut
 * from that output. Legacy Rust symbols ("_ZN" ... "17h" + 16 hex digits +
 * "E") are paths with $-escapes, read here. */

int names_mode_parse(const char *s)
{
	static const char *const modes[] = { "short", "templates", "full" };
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(s, modes[i]))
			return (int)i;
	return -1;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A legacy Rust symbol: "_ZN" (len ident)+ "17h" 16 lowercase hex "E",
 * with an optional ".suffix" after the E; the hash has at least 5
 * distinct digits (else it is taken for C++). */
static bool rust_legacy(const char *sym, strbuf *out)
{
	size_t n = strlen(sym);
	const char *dot = NULL;
	for (const char *e = strstr(sym, "E."); e; e = strstr(e + 1, "E."))
		dot = e + 1; /* the last "E." ends the name */
	if (dot && dot > sym)
		n = (size_t)(dot - sym);
	if (n <= 23 || sym[n - 1] != 'E' || memcmp(sym + n - 20, "17h", 3))
		return false;
	unsigned seen = 0;
	for (size_t i = n - 17; i < n - 1; i++) {
		int d = hexval(sym[i]);
		if (d < 0)
			return false;
		seen |= 1u << d;
	}
	if (__builtin_popcount(seen) < 5)
		return false;
	const char *s = sym + 3, *end = sym + n - 20;
	size_t start = out->len;
	while (s < end) {
		if (*s < '0' || *s > '9')
			goto bad;
		size_t len = 0;
		while (s < end && *s >= '0' && *s <= '9') {
			len = len * 10 + (size_t)(*s++ - '0');
			if (len > (size_t)(end - sym))
				goto bad;
		}
		if (s < end && *s == '_') { /* "_" may separate the length */
			s++;
			if (!len--)
				goto bad;
		}
		if ((size_t)(end - s) < len)
			goto bad;
		const char *id = s, *idend = s + len;
		s = idend;
		if (out->len > start)
			sb_adds(out, "::");
		if (idend - id >= 2 && id[0] == '_' && id[1] == '$')
			id++;
		while (id < idend) {
			if (*id == '.') {
				if (idend - id >= 2 && id[1] == '.') {
					sb_adds(out, "::");
					id += 2;
				} else {
					sb_addc(out, *id++);
				}
				continue;
			}
			if (*id != '$') {
				sb_addc(out, *id++);
				continue;
			}
			/* $SP$ $BP$ $RF$ $LT$ $GT$ $LP$ $RP$ $C$ $uXX$; anything else
			 * ends the escapes: the rest is copied as it is */
			static const char codes[][3] = { "SP@", "BP*", "RF&", "LT<", "GT>", "LP(", "RP)" };
			size_t left = (size_t)(idend - id);
			int c = -1, skip = 0;
			if (left > 2 && id[1] == 'C' && id[2] == '$') {
				c = ',';
				skip = 3;
			} else if (left > 4 && id[1] == 'u' && id[4] == '$') {
				int h = hexval(id[2]), l = hexval(id[3]);
				if (h >= 0 && l >= 0 && h <= 7 && (h << 4 | l) >= ' ') {
					c = h << 4 | l;
					skip = 5;
				}
			} else if (left > 3 && id[3] == '$') {
				for (size_t k = 0; k < ARRAY_SIZE(codes); k++)
					if (id[1] == codes[k][0] && id[2] == codes[k][1]) {
						c = codes[k][2];
						skip = 4;
					}
			}
			if (c < 0) {
				sb_add(out, id, (size_t)(idend - id));
				break;
			}
			sb_addc(out, (char)c);
			id += skip;
		}
	}
	return true;
bad:
	out->len = start;
	out->buf[start] = '\0';
	return false;
}

/* The length of the operator token at s ("operator" already seen), so that
 * "operator<" or "operator->" is not taken for a template list. */
static size_t operator_len(const char *s)
{
	static const char *const ops[] = { "<=>", "<<=", ">>=", "->*", "<<", ">>", "<=", ">=", "->",
					   "<", ">" };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (starts(s, ops[i]))
			return strlen(ops[i]);
	return 0;
}

/* Appends s without its outermost <...> lists (not the '<' or '>' of an
 * operator's name): what NoTemplateParams leaves of demangler output. */
static void add_without_templates(strbuf *out, const char *s)
{
	int depth = 0;
	for (const char *c = s; *c;) {
		if (c - s >= 8 && !memcmp(c - 8, "operator", 8)) {
			size_t k = operator_len(c);
			if (k) {
				if (!depth)
					sb_add(out, c, k);
				c += k;
				/* "operator< <int>": the space before a template list */
				if (c[0] == ' ' && c[1] == '<')
					c++;
				continue;
			}
		}
		if (*c == '<')
			depth++;
		else if (*c == '>' && depth)
			depth--;
		else if (!depth)
			sb_addc(out, *c);
		c++;
	}
}

bool names_demangle(const char *sym, names_mode m, strbuf *out)
{
	if (!sym || *sym != '_')
		return false; /* every mangled name starts so */
	if (starts(sym, "_ZN") && rust_legacy(sym, out))
		return true;
	int opts;
	char *trimmed = NULL;
	if (starts(sym, "_R")) {
		opts = DMGL_RUST;
	} else if (starts(sym, "_Z") || starts(sym, "_GLOBAL_")) {
		opts = DMGL_GNU_V3;
		if (m == NAMES_FULL) {
			/* pprof's NoClones: no " [clone .cold]" */
			opts |= DMGL_PARAMS | DMGL_ANSI;
			const char *dot = strchr(sym, '.');
			if (dot && starts(sym, "_Z"))
				sym = trimmed = xstrndup(sym, (size_t)(dot - sym));
		}
	} else {
		return false;
	}
	char *d = cplus_demangle(sym, opts);
	free(trimmed);
	if (!d)
		return false;
	if (m == NAMES_SHORT && opts != DMGL_RUST)
		add_without_templates(out, d);
	else
		sb_adds(out, d);
	free(d);
	return true;
}

/* The index of the first open or close at or after b[i], or n (16 bytes
 * at a time where SSE2 is; a NUL byte is a character like any other). */
static size_t next_bracket(const char *b, size_t i, size_t n, char open, char close)
{
#ifdef __SSE2__
	const __m128i vo = _mm_set1_epi8(open), vc = _mm_set1_epi8(close);
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, vo), _mm_cmpeq_epi8(v, vc)));
		if (m)
			return i + (unsigned)__builtin_ctz(m);
	}
#endif
	while (i < n && b[i] != open && b[i] != close)
		i++;
	return i;
}

/* Where the group whose open is before b[i] (depth 1) closes: the index
 * of its close, or n when it never does. depth_of: +1 for open, -1 for
 * close. 16 bytes at a time where SSE2 is: the brackets' bits, in order. */
static size_t group_close(const char *b, size_t i, size_t n, char open, char close,
			  const signed char *depth_of)
{
	long depth = 1;
#ifdef __SSE2__
	const __m128i vo = _mm_set1_epi8(open), vc = _mm_set1_epi8(close);
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		unsigned mo = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vo));
		unsigned mc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vc));
		for (unsigned m = mo | mc; m; m &= m - 1) {
			unsigned k = (unsigned)__builtin_ctz(m);
			depth += 1 - 2 * (long)(mc >> k & 1);
			if (!depth)
				return i + k;
		}
	}
#else
	(void)open;
	(void)close;
#endif
	for (; i < n; i++) {
		depth += depth_of[(unsigned char)b[i]];
		if (!depth)
			return i;
	}
	return n;
}

/* pprof's removeMatching: cuts each outermost open..close group; gives up
 * (leaving the rest) at an unmatched close. */
static void remove_matching(strbuf *sb, char open, char close)
{
	/* pprof's removeMatching in one pass (it cuts each group out and
	 * rescans: quadratic on a name of many groups): characters outside a
	 * group are kept; a close without its open stops the removal, keeping
	 * the rest as it is; an open never closed keeps its group. The bytes
	 * outside groups go by in runs (next_bracket); a group is walked to
	 * its matching close by a running depth (group_close; a strcspn per
	 * bracket cost more: C++ templates hold many). */
	signed char depth_of[256] = { 0 };
	depth_of[(unsigned char)open] = 1;
	depth_of[(unsigned char)close] = -1;
	char *b = sb->buf;
	size_t n = sb->len, w = 0, cur = 0;
	while (cur < n) {
		size_t run = next_bracket(b, cur, n, open, close) - cur;
		memmove(b + w, b + cur, run);
		w += run;
		cur += run;
		if (cur == n)
			break;
		if (b[cur] == close) { /* a close without its open: the rest stays */
			memmove(b + w, b + cur, n - cur);
			w += n - cur;
			break;
		}
		size_t first = cur;
		cur = group_close(b, cur + 1, n, open, close, depth_of);
		if (cur == n) { /* the unclosed group stays */
			memmove(b + w, b + first, n - first);
			w += n - first;
			break;
		}
		cur++; /* past the close */
	}
	sb->len = w;
	b[w] = '\0';
}

static bool looks_demangled_cpp(const char *s)
{
	if (!strpbrk(s, "<>[]:"))
		return false; /* most names: one pass says it */
	if (strchr(s, '.') && (strstr(s, ".<") || strstr(s, "]).")))
		return false; /* Java's "class.<init>", Go's "pkg.(*T[...]).M" */
	return strpbrk(s, "<>[]") || strstr(s, "::");
}

void names_simplify(profile *p, names_mode m, bool force)
{
	strbuf sb = STRBUF_INIT;
	for (uint32_t i = 0; i < p->nfunctions; i++) {
		const prof_function *fn = &p->functions[i];
		const char *sys = fn->system_name ? fn->system_name : "";
		/* (interned: the same string is the same pointer) */
		if (fn->name && *fn->name && fn->name != sys && strcmp(fn->name, sys) &&
		    !(force && *sys))
			continue; /* demangled already */
		sb_reset(&sb);
		if (!names_demangle(sys, m, &sb)) {
			if (m == NAMES_FULL || !looks_demangled_cpp(sys)) {
				/* the name is the system name */
				if (!fn->name || (fn->name != sys && strcmp(fn->name, sys)))
					prof_rename_function(p, i, sys);
				continue;
			}
			sb_adds(&sb, sys);
			remove_matching(&sb, '(', ')');
			if (m == NAMES_SHORT)
				remove_matching(&sb, '<', '>');
		}
		if (!fn->name || strcmp(fn->name, sb.len ? sb.buf : ""))
			prof_rename_function(p, i, sb.len ? sb.buf : "");
	}
	sb_release(&sb);
}

