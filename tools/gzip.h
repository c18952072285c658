/*
 * gzip: gzip (RFC 1952) decompression with limits (libdeflate; zlib says
 * what is wrong with input libdeflate refuses), and compression (zlib).
 * Profiles arrive gzipped (pprof's .pb.gz); a file is untrusted, so
 * inflation is bounded: data cut short is "truncated", damaged data is
 * "corrupt", and output beyond the caller's limit stops inflation before
 * the memory is spent (a gzip bomb inflates ~1000:1).
 *
 * Several concatenated gzip members (what `cat a.gz b.gz` gives) inflate
 * to the concatenation, as gunzip does; zero bytes after the last member
 * (block padding) are ignored; anything else after it is corrupt data.
 */
#ifndef CPROF_GZIP_H
#define CPROF_GZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The default limit on decompressed bytes when the caller passes 0. */
#define GZ_DEFAULT_MAX_OUT ((size_t)2 << 30)

/* True when d starts with the gzip magic (1f 8b) and the deflate method. */
bool gz_is_gzip(const unsigned char *d, size_t n);

/* Inflates the gzip data in[0..n) into a new buffer *out (NUL-terminated
 * one past *outn for convenience; the caller frees it). At most max_out
 * bytes are produced (0: GZ_DEFAULT_MAX_OUT). Returns 0, or -1 with err:
 *   "truncated gzip data"
 *   "corrupt gzip data: <what zlib says>"
 *   "decompressed size exceeds the N-byte limit (--max-decompressed)"
 *   "cannot start zlib: <why>"
 * and *out untouched. */
int gz_inflate(const unsigned char *in, size_t n, size_t max_out, unsigned char **out,
	       size_t *outn, cprof_err *err);

/* Appends the gzip compression of in[0..n) to out. Deterministic: the
 * header carries no time and no file name. Returns 0, or -1 with err. */
int gz_deflate(const unsigned char *in, size_t n, strbuf *out, cprof_err *err);

/* The same as raw deflate (RFC 1951: no gzip header or trailer), what a
 * browser's DecompressionStream("deflate-raw") reads, at zlib level `level`
 * (1..9; gz_deflate's is 1). */
int gz_deflate_raw(const unsigned char *in, size_t n, int level, strbuf *out, cprof_err *err);

#endif
