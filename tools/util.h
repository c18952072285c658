/*
 * util: the few helpers every module shares.
 *
 *  - Allocation: xmalloc/xcalloc/xrealloc never return NULL; on out-of-memory
 *    they print one line and abort (there is no useful recovery in a
 *    command-line tool, and a NULL check at every call site hides real bugs).
 *    ALLOC_GROW grows an array geometrically, the one way arrays grow here.
 *  - strbuf: a growable, always NUL-terminated byte buffer; the one way to
 *    build output text.
 *  - Containers (libbpf's hashmap.h/strset.h are the model): hidx, the one
 *    hash table, maps a key to an index into the caller's own array (the
 *    caller keeps the keys; hashing and equality come with a context);
 *    strset, the one string set, gives each distinct string a dense id in
 *    order of first use. Sorting with context is qsort_r (glibc), never a
 *    comparator reading a global.
 *  - cprof_err: a fixed error buffer. Library code never prints and never
 *    exits: a function that can fail fills a cprof_err and returns -1; the
 *    tool's top level prints it once as "tool: file: message".
 *  - Output files: out_open/out_commit write "-o FILE" through a temporary
 *    name and rename, so no half-written output is ever left behind.
 */
#ifndef CPROF_UTIL_H
#define CPROF_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* A block of n bytes (a multiple of XMALLOC_HUGE, the huge page size) on
 * huge pages where the kernel offers them (transparent huge pages on
 * request): a fault per 2 MiB instead of one per 4 KiB, for an arena
 * that fills the block whole. Freed with free(). */
#define XMALLOC_HUGE ((size_t)2 << 20)
void *xmalloc_huge(size_t n);
char *xstrndup(const char *s, size_t n);
/* n * size, aborting on overflow. */
size_t st_mult(size_t n, size_t size);

/* Grow `x` (element type deduced) so that it can hold at least `nr` items;
 * `alloc` is its current capacity and is updated. */
#define ALLOC_GROW(x, nr, alloc)                                               \
	do {                                                                   \
		if ((size_t)(nr) > (size_t)(alloc)) {                          \
			size_t alloc_grow_n_ = (size_t)(alloc) < 16 ? 16 : (size_t)(alloc); \
			while (alloc_grow_n_ < (size_t)(nr))                   \
				alloc_grow_n_ += alloc_grow_n_ / 2 + 1;        \
			(alloc) = alloc_grow_n_;                               \
			(x) = xrealloc((x), st_mult(alloc_grow_n_, sizeof(*(x)))); \
		}                                                              \
	} while (0)

/* ---- strbuf ---------------------------------------------------------- */
/* buf is never NULL: an empty strbuf points at strbuf_slopbuf, a shared
 * empty string (git's strbuf_slopbuf), so every strbuf can be read as a
 * C string and passed on without a `buf ? buf : ""`. Never write to it:
 * only sb_* functions write, and they allocate first. */
typedef struct strbuf {
	char *buf;    /* always NUL-terminated, never NULL */
	size_t len;   /* bytes used, excluding the NUL */
	size_t alloc; /* capacity of buf; 0 while buf is strbuf_slopbuf */
} strbuf;

extern char strbuf_slopbuf[1];
#define STRBUF_INIT { strbuf_slopbuf, 0, 0 }

void sb_init(strbuf *sb);
void sb_release(strbuf *sb);              /* frees buf; sb is reusable */
void sb_reset(strbuf *sb);                /* len = 0, keeps the memory */
void sb_grow_slow(strbuf *sb, size_t extra);
/* Room for extra more bytes (and the NUL); inline while there is room. */
static inline void sb_grow(strbuf *sb, size_t extra)
{
	if (extra >= sb->alloc - sb->len) /* alloc is 0 or > len */
		sb_grow_slow(sb, extra);
}
void sb_add(strbuf *sb, const void *data, size_t n);
/* Inline, so that the length of a literal is known at compile time and a
 * character costs no call while the buffer has room. */
static inline void sb_adds(strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}
static inline void sb_addc(strbuf *sb, char c)
{
	if (sb->len + 1 >= sb->alloc)
		sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = 0;
}
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* Escapes for the output formats that carry names: XML/HTML text and
 * attributes (& < > " '), and JSON string bodies (without the quotes).
 * Invalid UTF-8 becomes U+FFFD in both. s may be an escaped string (below):
 * C0 80 is its NUL byte (JSON "\u0000", XML U+FFFD), C0 C1 its byte C0
 * (invalid UTF-8: U+FFFD). */
void sb_add_xml(strbuf *sb, const char *s);
void sb_add_json(strbuf *sb, const char *s);
/* v as printf's "%.2f" (correctly rounded, ties to even) without trailing
 * zeros or a trailing '.': 12.5, 3, 0.07. Exact integer arithmetic for
 * |v| < 1e13 (the SVG writer's coordinates), snprintf otherwise. */
void sb_add_dec2(strbuf *sb, double v);
/* Texts of numbers into buf (at least FMT_NUM_MAX bytes, no NUL), their
 * lengths returned: for a writer that makes room once for many pieces.
 * fmt_dec2 is sb_add_dec2's text; fmt_fixed2 printf's "%.2f" exactly
 * (trailing zeros kept), by the same means; fmt_i64 printf's "%" PRId64
 * (without printf's parsing). */
#define FMT_NUM_MAX 400 /* "%.2f" of DBL_MAX: 312 bytes */
size_t fmt_dec2(char *buf, double v);
size_t fmt_fixed2(char *buf, double v);
size_t fmt_i64(char *buf, int64_t v);
/* Appends n bytes as lower-case hex, two digits a byte (a build-id). */
void sb_add_hex(strbuf *sb, const unsigned char *b, size_t n);
/* Takes the buffer out of sb (caller frees it); sb is left empty. */
char *sb_detach(strbuf *sb, size_t *len);

/* ---- escaped strings: C strings that keep NUL bytes -------------------- */
/* The model's strings (profile.h) are C strings, yet a pprof string may hold
 * NUL bytes. They are kept escaped, as Java's "modified UTF-8" keeps them: a
 * NUL byte is stored as the pair C0 80 and a C0 byte as C0 C1. 0xC0 never
 * occurs in valid UTF-8, so valid text is its own escape; the escape is
 * exact (distinct byte strings stay distinct, equal ones equal, and
 * decoding gives the bytes back) and holds no NUL. Outputs decode. */
#define STR_ESC 0xC0
/* Appends s[0..n) escaped. */
void sb_add_esc(strbuf *sb, const char *s, size_t n);
/* Appends the bytes escaped string s stands for (NUL bytes included). */
void sb_add_unesc(strbuf *sb, const char *s);
/* The runes in s[0..n) as Go counts them (utf8.RuneCount: a valid UTF-8
 * sequence is one, so is every byte of an invalid one); s[n] must be
 * readable (a strbuf's NUL). */
size_t str_runes(const char *s, size_t n);
/* Compares escaped strings as their bytes compare (memcmp order, a prefix
 * first: Go's string order): <0, 0, >0. */
int str_esc_cmp(const char *a, const char *b);

/* ---- hashing --------------------------------------------------------- */
#define HASH_GOLDEN 0x9E3779B97F4A7C15ULL

/* MurmurHash3's 64-bit finalizer (fmix64): every hash here ends with it. */
static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Folds v into the running hash h (combine several words by chaining). */
static inline uint64_t hash_u64(uint64_t h, uint64_t v)
{
	return hash_mix64(h ^ v) + HASH_GOLDEN;
}

/* A hash of n bytes (8 at a time, then fmix64). */
uint64_t hash_bytes(const void *data, size_t n, uint64_t seed);

/* ---- hidx: the hash table --------------------------------------------- */
/* Open addressing with linear probing over (index + 1, 32-bit hash) pairs:
 * the table stores no keys, only indexes into an array the caller owns, so
 * one table type serves every key type; equality is the caller's function,
 * given its context. Zero-initialized ({0} or HIDX_INIT) is an empty table.
 *
 *	size_t slot;
 *	uint32_t i = hidx_find(&t, h, eq, ctx, &key, &slot);
 *	if (i == HIDX_NONE) { i = append key to the array; hidx_set(&t, slot, h, i); }
 *
 * hidx_find grows the table before it probes, so the slot it returns stays
 * valid for the hidx_set that follows (with no other call between). */
typedef struct hidx {
	uint32_t *idx;  /* index + 1; 0 = empty */
	uint32_t *hash; /* the low 32 bits of each key's hash */
	size_t cap;     /* power of two (or 0) */
	size_t n;
} hidx;

#define HIDX_INIT { NULL, NULL, 0, 0 }
#define HIDX_NONE UINT32_MAX

typedef bool (*hidx_eq_fn)(const void *ctx, uint32_t idx, const void *key);

void hidx_grow(hidx *t);
/* Room for n entries in all: hidx_find grows t no more until it holds n. */
void hidx_reserve(hidx *t, size_t n);
void hidx_free(hidx *t); /* t is left empty and reusable */
void hidx_clear(hidx *t); /* empties t, keeping its memory for the next fill */

/* Returns the index stored for key (hash h), or HIDX_NONE and *slot, where
 * hidx_set inserts it. Inline, so that a constant eq is inlined too. */
static inline uint32_t hidx_find(hidx *t, uint32_t h, hidx_eq_fn eq, const void *ctx,
				 const void *key, size_t *slot)
{
	if ((t->n + 1) * 4 >= t->cap * 3)
		hidx_grow(t);
	size_t mask = t->cap - 1;
	for (size_t j = h & mask;; j = (j + 1) & mask) {
		uint32_t v = t->idx[j];
		if (!v) {
			*slot = j;
			return HIDX_NONE;
		}
		if (t->hash[j] == h && eq(ctx, v - 1, key))
			return v - 1;
	}
}

/* Returns the index stored for key (hash h), or HIDX_NONE: a lookup that
 * never inserts, on a table it may not change. */
static inline uint32_t hidx_lookup(const hidx *t, uint32_t h, hidx_eq_fn eq, const void *ctx,
				   const void *key)
{
	if (!t->n)
		return HIDX_NONE;
	size_t mask = t->cap - 1;
	for (size_t j = h & mask;; j = (j + 1) & mask) {
		uint32_t v = t->idx[j];
		if (!v)
			return HIDX_NONE;
		if (t->hash[j] == h && eq(ctx, v - 1, key))
			return v - 1;
	}
}

static inline void hidx_set(hidx *t, size_t slot, uint32_t h, uint32_t idx)
{
	t->idx[slot] = idx + 1;
	t->hash[slot] = h;
	t->n++;
}

/* ---- strset: the string set ------------------------------------------- */
/* Distinct strings (copied, NUL-terminated, bytes of any value) with dense
 * ids 0, 1, ... in order of first addition. A pointer from strset_get is
 * valid until the next strset_add. Zero-initialized is an empty set. */
typedef struct strset {
	strbuf data;    /* the strings, each followed by its NUL */
	size_t *off;    /* per id: start in data */
	uint32_t n;
	size_t alloc;
	hidx ix;
} strset;

#define STRSET_INIT { STRBUF_INIT, NULL, 0, 0, HIDX_INIT }

/* The id of s[0..len), added if new. */
uint32_t strset_add(strset *s, const char *str, size_t len);
static inline uint32_t strset_adds(strset *s, const char *str)
{
	return strset_add(s, str, strlen(str));
}
/* The id of s[0..len), or HIDX_NONE if it is not in the set. */
uint32_t strset_find(const strset *s, const char *str, size_t len);
static inline const char *strset_get(const strset *s, uint32_t id)
{
	return s->data.buf + s->off[id];
}
static inline size_t strset_len(const strset *s, uint32_t id)
{
	size_t end = id + 1 < s->n ? s->off[id + 1] : s->data.len;
	return end - s->off[id] - 1;
}
void strset_free(strset *s);

/* ---- keyset: tuples of integers -> dense ids -------------------------- */
/* Like strset, for keys of w 64-bit words (a frame's (function, line), a
 * tree node's (parent, frame)). Initialize with KEYSET_INIT(w). */
typedef struct keyset {
	uint64_t *keys; /* w per id */
	uint32_t w, n;
	size_t alloc;
	hidx ix;
} keyset;

#define KEYSET_INIT(w) { NULL, (w), 0, 0, HIDX_INIT }

/* The id of key (w words), added if new; *added says which. */
uint32_t keyset_add(keyset *s, const uint64_t *key, bool *added);
/* The id of key, or HIDX_NONE if it is not in the set (never adds). */
uint32_t keyset_find(const keyset *s, const uint64_t *key);
void keyset_free(keyset *s);

/* ---- errors ---------------------------------------------------------- */
typedef struct cprof_err {
	char msg[512];
} cprof_err;

/* Fills err (if not NULL) and returns -1, so "return cprof_fail(err, ...)"
 * is the one way library code reports failure. */
int cprof_fail(cprof_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- files ----------------------------------------------------------- */
/* Reads a whole file ("-" is stdin) into *data and *len, refusing more than
 * max bytes. Returns 0, or -1 with err naming what is wrong (not the path:
 * the caller prefixes that). */
int read_file_all(const char *path, size_t max, unsigned char **data, size_t *len,
		  cprof_err *err);

/* Maps a regular file read-only instead of copying it (a large input costs
 * neither the copy nor a heap page per page of file). Returns 1 with
 * *data and *len (release with unmap_file), or 0 when path is "-", not a
 * non-empty regular file of at most max bytes, or cannot be mapped: the
 * caller then uses read_file_all, which reports whatever is wrong. A file
 * truncated by someone else while mapped raises SIGBUS on access. */
int map_file(const char *path, size_t max, const unsigned char **data, size_t *len);
void unmap_file(const unsigned char *data, size_t len);

/* An output stream: stdout for NULL or "-", else a temporary file next to
 * path that out_commit renames into place and out_abort removes. */
typedef struct out_file {
	FILE *fp;
	char *path; /* final path, NULL for stdout */
	char *tmp;  /* temporary path, NULL for stdout */
} out_file;

int out_open(out_file *o, const char *path, cprof_err *err);
/* Flushes and checks for write errors (a full disk, /dev/full, EPIPE)
 * before renaming; on any error the temporary is removed and -1 returned. */
int out_commit(out_file *o, cprof_err *err);
void out_abort(out_file *o);

/* Parses a non-negative decimal integer (digits only, no sign, no suffix)
 * that fits in 64 bits into *out; returns 0, or -1 leaving *out alone. */
int parse_u64(const char *s, uint64_t *out);

/* ---- folded text's count (flamegraph.pl's) ---------------------------------
 * A folded line is "STACK COUNT": the folded reader, and the readers of
 * other text formats that must leave such lines to it, share this one
 * definition. Blanks are space, tab and CR. */
static inline bool flamegraph_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Where the number at the end of line[start..len) starts: flamegraph.pl's
 * \d+(\.\d*)? ("3", "1.5", "3."); len when the line ends in none. */
static inline size_t flamegraph_count_start(const unsigned char *line, size_t start, size_t len)
{
	size_t e = len;
	while (e > start && line[e - 1] >= '0' && line[e - 1] <= '9')
		e--;
	if (e > start + 1 && line[e - 1] == '.' && line[e - 2] >= '0' && line[e - 2] <= '9') {
		e--;
		while (e > start && line[e - 1] >= '0' && line[e - 1] <= '9')
			e--;
	}
	return e;
}

/* True when line[0..n) is a folded line: something, blanks, and a count,
 * trailing blanks ignored. Every line cprof-fold writes is one. */
bool flamegraph_line_has_count(const char *line, size_t n);

#endif
