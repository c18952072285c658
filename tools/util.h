/*
 * util: the few helpers every module shares.
 *
 *  - Allocation: xmalloc/xcalloc/xrealloc never return NULL; on out-of-memory
 *    they print one line and abort (there is no useful recovery in a
 *    command-line tool, and a NULL check at every call site hides real bugs).
 *    ALLOC_GROW grows an array geometrically, the one way arrays grow here.
 *  - strbuf: a growable, always NUL-terminated byte buffer; the one way to
 *    build output text.
 *  - cprof_err: a fixed error buffer. Library code never prints and never
 *    exits: a function that can fail fills a cprof_err and returns -1; the
 *    tool's top level prints it once as "tool: file: message".
 *  - Output files: out_open/out_commit write "-o FILE" through a temporary
 *    name and rename, so no half-written output is ever left behind.
 */
#ifndef CPROF_UTIL_H
#define CPROF_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
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
typedef struct strbuf {
	char *buf;    /* always NUL-terminated once any function touched it */
	size_t len;   /* bytes used, excluding the NUL */
	size_t alloc; /* capacity of buf */
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void sb_init(strbuf *sb);
void sb_release(strbuf *sb);              /* frees buf; sb is reusable */
void sb_reset(strbuf *sb);                /* len = 0, keeps the memory */
void sb_grow(strbuf *sb, size_t extra);   /* room for extra more bytes */
void sb_add(strbuf *sb, const void *data, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* Escapes for the output formats that carry names: XML/HTML text and
 * attributes (& < > " '), and JSON string bodies (without the quotes).
 * Invalid UTF-8 becomes U+FFFD in both. */
void sb_add_xml(strbuf *sb, const char *s);
void sb_add_json(strbuf *sb, const char *s);
/* v as printf's "%.2f" (correctly rounded, ties to even) without trailing
 * zeros or a trailing '.': 12.5, 3, 0.07. Exact integer arithmetic for
 * |v| < 1e13 (the SVG writer's coordinates), snprintf otherwise. */
void sb_add_dec2(strbuf *sb, double v);
/* Takes the buffer out of sb (caller frees it); sb is left empty. */
char *sb_detach(strbuf *sb, size_t *len);

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

/* Parses a non-negative decimal integer with an optional unit suffix table
 * left to the caller; returns 0 on success. */
int parse_u64(const char *s, uint64_t *out);

#endif
