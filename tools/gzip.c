/*
 * gzip over libdeflate and zlib. Inflation grows its output buffer
 * geometrically but never past max_out + 1 bytes: reaching that one extra
 * byte proves the limit is exceeded, so a bomb costs at most the limit in
 * memory. The gzip trailer's ISIZE (size mod 2^32) is only a hint for the
 * first allocation, and only when it is plausible for the input size
 * (deflate cannot exceed ~1032:1).
 *
 * libdeflate inflates whole members into the buffer (1.5-2.5x zlib's
 * speed on pprof data: a third of reading a profile was inflating it);
 * when it cannot (damaged or cut data, the limit), zlib inflates the input
 * again, streaming, and says precisely what is wrong. zlib counts in
 * 32-bit units, so large inputs are fed to it in slices. zlib compresses.
 */
#include "gzip.h"

#include <libdeflate.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define GZ_SLICE ((size_t)1 << 30) /* bytes handed to zlib per call, < UINT_MAX */
/* zlib level 1, as Go's runtime/pprof writes its profiles: pprof data is
 * mostly varints that compress little better at level 6 (~5% here) for
 * twice the time. */
#define GZ_LEVEL 1

bool gz_is_gzip(const unsigned char *d, size_t n)
{
	return n >= 3 && d[0] == 0x1f && d[1] == 0x8b && d[2] == 8;
}

static size_t first_capacity(const unsigned char *in, size_t n, size_t max_out)
{
	size_t cap = n < SIZE_MAX / 4 ? n * 4 : SIZE_MAX;
	if (n >= 18) {
		uint32_t isize = (uint32_t)in[n - 4] | (uint32_t)in[n - 3] << 8 |
				 (uint32_t)in[n - 2] << 16 | (uint32_t)in[n - 1] << 24;
		/* exact for one member under 4 GiB: size + 1 leaves room for the NUL */
		if (isize / 1032 <= n)
			cap = (size_t)isize + 1;
	}
	if (cap < 4096)
		cap = 4096;
	if (cap > max_out + 1)
		cap = max_out + 1;
	return cap;
}

static bool all_zero(const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i])
			return false;
	return true;
}

/* Every member of in[0..n) inflated by libdeflate into *out (*outn bytes,
 * NUL-terminated), as gz_inflate's rules say: 0; 1 when the output is over
 * max_out; -1 when anything else is wrong (zlib then says what). Nothing
 * is allocated unless 0. A member that outgrows the buffer is inflated
 * again into one twice the size: at most twice the work. */
static int inflate_whole(const unsigned char *in, size_t n, size_t max_out, unsigned char **out,
			 size_t *outn)
{
	struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
	if (!z)
		return -1;
	size_t cap = first_capacity(in, n, max_out);
	unsigned char *buf = xmalloc(cap);
	size_t len = 0, pos = 0;
	int rc = 0;
	while (!rc && pos < n && !all_zero(in + pos, n - pos)) {
		size_t used, made;
		enum libdeflate_result r = LIBDEFLATE_BAD_DATA;
		if (gz_is_gzip(in + pos, n - pos))
			r = libdeflate_gzip_decompress_ex(z, in + pos, n - pos, buf + len,
							  cap - len - 1, &used, &made);
		if (r == LIBDEFLATE_INSUFFICIENT_SPACE && cap <= max_out) {
			cap = cap < (max_out + 1) / 2 ? cap * 2 : max_out + 1;
			buf = xrealloc(buf, cap);
			continue; /* this member again, with more room */
		}
		if (r == LIBDEFLATE_SUCCESS) {
			len += made;
			pos += used;
		}
		if (r == LIBDEFLATE_INSUFFICIENT_SPACE || len > max_out)
			rc = 1;
		else if (r != LIBDEFLATE_SUCCESS)
			rc = -1;
	}
	libdeflate_free_decompressor(z);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = 0;
	*out = buf;
	*outn = len;
	return 0;
}

int gz_inflate(const unsigned char *in, size_t n, size_t max_out, unsigned char **out,
	       size_t *outn, cprof_err *err)
{
	if (max_out == 0)
		max_out = GZ_DEFAULT_MAX_OUT;
	if (max_out >= SIZE_MAX - 1)
		max_out = SIZE_MAX - 2;
	if (n == 0)
		return cprof_fail(err, "truncated gzip data");
	if (!gz_is_gzip(in, n))
		return cprof_fail(err, "corrupt gzip data: not gzip (bad magic)");
	int fast = inflate_whole(in, n, max_out, out, outn);
	if (fast == 0)
		return 0;
	if (fast == 1)
		return cprof_fail(err, "decompressed size exceeds the %zu-byte limit "
				       "(--max-decompressed)", max_out);

	z_stream s;
	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return cprof_fail(err, "cannot start zlib: %s", s.msg ? s.msg : "out of memory");

	size_t cap = first_capacity(in, n, max_out);
	unsigned char *buf = xmalloc(cap);
	size_t len = 0;    /* output bytes so far */
	size_t fed = 0;    /* input bytes handed to zlib so far */
	int rc = -1;

	for (;;) {
		if (s.avail_in == 0 && fed < n) {
			size_t k = n - fed < GZ_SLICE ? n - fed : GZ_SLICE;
			s.next_in = (unsigned char *)(in + fed);
			s.avail_in = (uInt)k;
			fed += k;
		}
		if (len == cap) {
			if (len > max_out) {
				cprof_fail(err, "decompressed size exceeds the %zu-byte limit "
						"(--max-decompressed)", max_out);
				goto out;
			}
			size_t ncap = cap < (max_out + 1) / 2 ? cap * 2 : max_out + 1;
			buf = xrealloc(buf, ncap);
			cap = ncap;
		}
		size_t room = cap - len < GZ_SLICE ? cap - len : GZ_SLICE;
		s.next_out = buf + len;
		s.avail_out = (uInt)room;
		int z = inflate(&s, Z_NO_FLUSH);
		len += room - s.avail_out;
		if (z == Z_STREAM_END) {
			/* What is left: a further member, padding, or garbage. */
			const unsigned char *rest = s.next_in;
			size_t nrest = s.avail_in + (n - fed);
			if (nrest == 0 || all_zero(rest, nrest))
				break;
			if (!gz_is_gzip(rest, nrest)) {
				cprof_fail(err, "corrupt gzip data: %zu bytes of garbage after the "
						"gzip stream", nrest);
				goto out;
			}
			inflateReset(&s);
			continue;
		}
		if (z == Z_OK)
			continue;
		if (z == Z_BUF_ERROR) {
			if (s.avail_out == 0)
				continue; /* the output buffer grows above */
			if (s.avail_in == 0 && fed == n) {
				cprof_fail(err, "truncated gzip data");
				goto out;
			}
			continue;
		}
		if (z == Z_MEM_ERROR)
			cprof_fail(err, "out of memory in zlib");
		else
			cprof_fail(err, "corrupt gzip data: %s", s.msg ? s.msg : "invalid stream");
		goto out;
	}
	if (len > max_out) {
		cprof_fail(err, "decompressed size exceeds the %zu-byte limit (--max-decompressed)",
			   max_out);
		goto out;
	}
	if (len == cap)
		buf = xrealloc(buf, len + 1);
	buf[len] = 0;
	*out = buf;
	*outn = len;
	buf = NULL;
	rc = 0;
out:
	inflateEnd(&s);
	free(buf);
	return rc;
}

/* windowBits 16+15: a gzip wrapper with mtime 0 and no name, so the same
 * input always gives the same bytes; -15: no wrapper at all (raw deflate). */
static int deflate_bits(const unsigned char *in, size_t n, int level, int wbits, strbuf *out, cprof_err *err)
{
	z_stream s;
	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return cprof_fail(err, "cannot start zlib: %s", s.msg ? s.msg : "out of memory");
	size_t fed = 0;
	int z;
	do {
		if (s.avail_in == 0 && fed < n) {
			size_t k = n - fed < GZ_SLICE ? n - fed : GZ_SLICE;
			s.next_in = (unsigned char *)(in + fed);
			s.avail_in = (uInt)k;
			fed += k;
		}
		int flush = fed == n ? Z_FINISH : Z_NO_FLUSH;
		size_t want = s.avail_in / 2 + 65536;
		sb_grow(out, want);
		size_t room = out->alloc - out->len - 1;
		if (room > GZ_SLICE)
			room = GZ_SLICE;
		s.next_out = (unsigned char *)out->buf + out->len;
		s.avail_out = (uInt)room;
		z = deflate(&s, flush);
		out->len += room - s.avail_out;
		out->buf[out->len] = 0;
		if (z == Z_STREAM_ERROR) {
			deflateEnd(&s);
			return cprof_fail(err, "zlib compression failed");
		}
	} while (z != Z_STREAM_END);
	deflateEnd(&s);
	return 0;
}

int gz_deflate(const unsigned char *in, size_t n, strbuf *out, cprof_err *err)
{
	return deflate_bits(in, n, GZ_LEVEL, 16 + MAX_WBITS, out, err);
}

int gz_deflate_raw(const unsigned char *in, size_t n, int level, strbuf *out, cprof_err *err)
{
	return deflate_bits(in, n, level, -MAX_WBITS, out, err);
}
