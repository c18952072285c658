/* Unit tests of gzip: round trips, and every way gzip input goes wrong:
 * cut short, damaged, not gzip at all, a bomb, garbage after the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gzip.h"

/* Pseudo-random but compressible bytes, the same on every run. */
static unsigned char *make_data(size_t n)
{
	unsigned char *d = malloc(n ? n : 1);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (unsigned char)("profile;main;A;B;C\n"[(x >> 16) % 19]);
	}
	return d;
}

static void deflate_or_fail(const unsigned char *d, size_t n, strbuf *out)
{
	cprof_err err;
	sb_init(out);
	assert_int_equal(gz_deflate(d, n, out, &err), 0);
}

static void test_round_trip_sizes(void **state)
{
	(void)state;
	size_t sizes[] = { 0, 1, 100, 4095, 4096, 4097, 100000, 3000000 };
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		unsigned char *d = make_data(sizes[k]);
		strbuf gz;
		deflate_or_fail(d, sizes[k], &gz);
		assert_true(gz_is_gzip((unsigned char *)gz.buf, gz.len));
		unsigned char *out = NULL;
		size_t outn = 0;
		cprof_err err;
		assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, 0, &out, &outn, &err), 0);
		assert_int_equal(outn, sizes[k]);
		if (sizes[k])
			assert_memory_equal(out, d, sizes[k]);
		assert_int_equal(out[outn], 0); /* NUL after the data */
		free(out);
		sb_release(&gz);
		free(d);
	}
}

static void test_deflate_is_deterministic(void **state)
{
	(void)state;
	unsigned char *d = make_data(50000);
	strbuf a, b;
	deflate_or_fail(d, 50000, &a);
	deflate_or_fail(d, 50000, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	/* mtime field (bytes 4..7) is zero: no clock in the output */
	assert_int_equal(a.buf[4] | a.buf[5] | a.buf[6] | a.buf[7], 0);
	sb_release(&a);
	sb_release(&b);
	free(d);
}

static void test_truncated_everywhere(void **state)
{
	(void)state;
	unsigned char *d = make_data(20000);
	strbuf gz;
	deflate_or_fail(d, 20000, &gz);
	/* every cut, from nothing to one byte short of the trailer's end */
	for (size_t cut = 0; cut < gz.len; cut++) {
		unsigned char *out = (unsigned char *)"untouched";
		size_t outn = 7;
		cprof_err err;
		int rc = gz_inflate((unsigned char *)gz.buf, cut, 0, &out, &outn, &err);
		assert_int_equal(rc, -1);
		if (cut < 3)
			assert_true(strcmp(err.msg, "truncated gzip data") == 0 ||
				    strstr(err.msg, "not gzip") != NULL);
		else
			assert_string_equal(err.msg, "truncated gzip data");
		assert_string_equal((char *)out, "untouched");
		assert_int_equal(outn, 7);
	}
	sb_release(&gz);
	free(d);
}

static void test_corrupt_data_and_checksum(void **state)
{
	(void)state;
	unsigned char *d = make_data(20000);
	strbuf gz;
	deflate_or_fail(d, 20000, &gz);
	unsigned char *out = NULL;
	size_t outn;
	cprof_err err;

	/* a flipped bit in the CRC-32 of the trailer */
	gz.buf[gz.len - 6] ^= 0x40;
	assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, 0, &out, &outn, &err), -1);
	assert_string_equal(err.msg, "corrupt gzip data: incorrect data check");
	gz.buf[gz.len - 6] ^= 0x40;

	/* a damaged block header: invalid block type 3 */
	gz.buf[10] |= 0x06;
	assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, 0, &out, &outn, &err), -1);
	assert_non_null(strstr(err.msg, "corrupt gzip data: "));

	/* not gzip at all */
	assert_false(gz_is_gzip((const unsigned char *)"hello", 5));
	assert_int_equal(gz_inflate((const unsigned char *)"hello", 5, 0, &out, &outn, &err), -1);
	assert_string_equal(err.msg, "corrupt gzip data: not gzip (bad magic)");
	assert_null(out);
	sb_release(&gz);
	free(d);
}

static void test_bomb_is_stopped_at_the_limit(void **state)
{
	(void)state;
	size_t n = 32u << 20; /* 32 MiB of zeros deflate to ~150 KiB */
	unsigned char *zeros = calloc(n, 1);
	strbuf gz;
	deflate_or_fail(zeros, n, &gz);
	assert_true(gz.len < n / 100);
	unsigned char *out = NULL;
	size_t outn;
	cprof_err err;
	assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, 1u << 20, &out, &outn, &err), -1);
	assert_string_equal(err.msg,
			    "decompressed size exceeds the 1048576-byte limit (--max-decompressed)");
	assert_null(out);
	/* one byte short of the size fails, exactly the size passes */
	assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, n - 1, &out, &outn, &err), -1);
	assert_non_null(strstr(err.msg, "limit"));
	assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, n, &out, &outn, &err), 0);
	assert_int_equal(outn, n);
	assert_memory_equal(out, zeros, n);
	free(out);
	sb_release(&gz);
	free(zeros);
}

static void test_lying_size_trailer(void **state)
{
	(void)state;
	/* ISIZE claims 4 GiB - 1: only a hint, and an implausible one is ignored */
	unsigned char *d = make_data(1000);
	strbuf gz;
	deflate_or_fail(d, 1000, &gz);
	memset(gz.buf + gz.len - 4, 0xff, 4);
	unsigned char *out = NULL;
	size_t outn;
	cprof_err err;
	assert_int_equal(gz_inflate((unsigned char *)gz.buf, gz.len, 0, &out, &outn, &err), -1);
	assert_string_equal(err.msg, "corrupt gzip data: incorrect length check");
	sb_release(&gz);
	free(d);
}

static void test_members_padding_and_garbage(void **state)
{
	(void)state;
	strbuf a, b;
	deflate_or_fail((const unsigned char *)"hello ", 6, &a);
	deflate_or_fail((const unsigned char *)"world", 5, &b);
	sb_add(&a, b.buf, b.len);
	unsigned char *out = NULL;
	size_t outn;
	cprof_err err;
	assert_int_equal(gz_inflate((unsigned char *)a.buf, a.len, 0, &out, &outn, &err), 0);
	assert_int_equal(outn, 11);
	assert_string_equal((char *)out, "hello world");
	free(out);

	sb_add(&a, "\0\0\0\0", 4); /* padding is fine */
	assert_int_equal(gz_inflate((unsigned char *)a.buf, a.len, 0, &out, &outn, &err), 0);
	assert_string_equal((char *)out, "hello world");
	free(out);
	out = NULL;

	sb_add(&a, "junk", 4); /* garbage is not */
	assert_int_equal(gz_inflate((unsigned char *)a.buf, a.len, 0, &out, &outn, &err), -1);
	assert_string_equal(err.msg, "corrupt gzip data: 8 bytes of garbage after the gzip stream");
	assert_null(out);

	/* the limit counts all members together */
	a.len -= 8;
	assert_int_equal(gz_inflate((unsigned char *)a.buf, a.len, 10, &out, &outn, &err), -1);
	assert_non_null(strstr(err.msg, "10-byte limit"));
	sb_release(&a);
	sb_release(&b);
}

/* A big member before a small one: the last member's ISIZE, the first
 * allocation's hint, is far too small, and the buffer grows (libdeflate
 * inflates each member again into more room). */
static void test_members_outgrow_the_hint(void **state)
{
	(void)state;
	size_t n = 3u << 20;
	unsigned char *d = make_data(n);
	strbuf a, b;
	deflate_or_fail(d, n, &a);
	deflate_or_fail((const unsigned char *)"!", 1, &b);
	sb_add(&a, b.buf, b.len);
	sb_add(&a, b.buf, b.len);
	unsigned char *out = NULL;
	size_t outn;
	cprof_err err;
	assert_int_equal(gz_inflate((unsigned char *)a.buf, a.len, 0, &out, &outn, &err), 0);
	assert_int_equal(outn, n + 2);
	assert_memory_equal(out, d, n);
	assert_memory_equal(out + n, "!!", 3);
	free(out);
	/* exactly the size passes, one byte less fails */
	assert_int_equal(gz_inflate((unsigned char *)a.buf, a.len, n + 2, &out, &outn, &err), 0);
	free(out);
	out = NULL;
	assert_int_equal(gz_inflate((unsigned char *)a.buf, a.len, n + 1, &out, &outn, &err), -1);
	assert_non_null(strstr(err.msg, "-byte limit"));
	assert_null(out);
	sb_release(&a);
	sb_release(&b);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_sizes),
		cmocka_unit_test(test_deflate_is_deterministic),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_corrupt_data_and_checksum),
		cmocka_unit_test(test_bomb_is_stopped_at_the_limit),
		cmocka_unit_test(test_lying_size_trailer),
		cmocka_unit_test(test_members_padding_and_garbage),
		cmocka_unit_test(test_members_outgrow_the_hint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
