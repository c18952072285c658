/* Unit tests of util: strbuf, escaping, output files that never leave half a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void test_strbuf_grows_and_formats(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	assert_string_equal(sb.buf + sb.len - 4, "999,");
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	sb_release(&sb);
}

/* An untouched strbuf is a readable empty string, and stays one after
 * reset and release: no caller needs `buf ? buf : ""`. */
static void test_strbuf_never_null(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	sb_reset(&sb);
	assert_string_equal(sb.buf, "");
	sb_adds(&sb, "x");
	sb_release(&sb);
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	char *d = sb_detach(&sb, NULL);
	assert_string_equal(d, "");
	free(d);
	assert_string_equal(strbuf_slopbuf, ""); /* nobody wrote into it */
}

typedef struct pair {
	uint64_t a, b;
} pair;

static bool pair_eq(const void *ctx, uint32_t idx, const void *key)
{
	const pair *v = ctx, *k = key;
	return v[idx].a == k->a && v[idx].b == k->b;
}

/* The hash table against a direct answer, with colliding hashes (only 16
 * distinct) so that probing and growing are both exercised. */
static void test_hidx(void **state)
{
	(void)state;
	enum { N = 5000 };
	static pair v[N];
	uint32_t n = 0;
	hidx t = HIDX_INIT;
	for (uint32_t round = 0; round < 2; round++)
		for (uint32_t i = 0; i < N; i++) {
			pair k = { i / 7, i % 7 };
			uint32_t h = (uint32_t)(hash_u64(k.a, k.b) & 15);
			size_t slot = 0;
			uint32_t j = hidx_find(&t, h, pair_eq, v, &k, &slot);
			if (round == 0) {
				assert_int_equal(j, HIDX_NONE);
				v[n] = k;
				hidx_set(&t, slot, h, n++);
			} else {
				assert_int_equal(j, i); /* found, in insertion order */
			}
		}
	assert_int_equal(t.n, N);
	hidx_free(&t);
	assert_int_equal(t.cap, 0);
}

/* hidx_reserve(n): the table then takes n entries without growing, the
 * capacity hidx_find's own growth would have reached, and a table that
 * holds some keeps them. */
static void test_hidx_reserve(void **state)
{
	(void)state;
	static pair v[3000];
	for (uint32_t n = 0; n < 3000; n += 97) {
		hidx grown = HIDX_INIT, reserved = HIDX_INIT;
		hidx_reserve(&reserved, n);
		size_t cap = reserved.cap;
		for (uint32_t i = 0; i < n; i++) {
			v[i] = (pair){ i, 0 };
			size_t slot = 0;
			uint32_t h = (uint32_t)hash_u64(i, 0);
			assert_int_equal(hidx_find(&grown, h, pair_eq, v, &v[i], &slot), HIDX_NONE);
			hidx_set(&grown, slot, h, i);
			assert_int_equal(hidx_find(&reserved, h, pair_eq, v, &v[i], &slot), HIDX_NONE);
			hidx_set(&reserved, slot, h, i);
		}
		assert_int_equal(reserved.cap, cap);
		if (n)
			assert_int_equal(reserved.cap, grown.cap);
		hidx_reserve(&grown, 4 * (size_t)n + 100);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(hidx_lookup(&grown, (uint32_t)hash_u64(i, 0), pair_eq, v, &v[i]), i);
		hidx_free(&grown);
		hidx_free(&reserved);
	}
}

/* Every byte of a key is in its hash: keys of each length 1-24 that
 * differ in one byte (anywhere: the 8-byte steps, the 1-7 last bytes)
 * hash apart, and the same bytes anywhere in memory hash the same. */
static void test_hash_bytes_sees_every_byte(void **state)
{
	(void)state;
	unsigned char a[32], b[40];
	for (size_t n = 1; n <= 24; n++)
		for (size_t at = 0; at < n; at++) {
			for (size_t i = 0; i < n; i++)
				a[i] = (unsigned char)('a' + i);
			memcpy(b + 3, a, n);
			assert_true(hash_bytes(a, n, 7) == hash_bytes(b + 3, n, 7));
			b[3 + at] ^= 1;
			assert_true(hash_bytes(a, n, 7) != hash_bytes(b + 3, n, 7));
			assert_true(hash_bytes(a, n, 7) != hash_bytes(a, n - 1, 7));
		}
}

static void test_strset(void **state)
{
	(void)state;
	strset s = STRSET_INIT;
	assert_int_equal(strset_find(&s, "a", 1), HIDX_NONE);
	assert_int_equal(strset_adds(&s, ""), 0);
	assert_int_equal(strset_adds(&s, "main"), 1);
	assert_int_equal(strset_add(&s, "a\0b", 3), 2); /* any bytes */
	assert_int_equal(strset_adds(&s, "main"), 1);
	char buf[16];
	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof(buf), "f%d", i);
		assert_int_equal(strset_adds(&s, buf), 3 + i);
	}
	assert_int_equal(s.n, 3003);
	assert_string_equal(strset_get(&s, 1), "main");
	assert_int_equal(strset_len(&s, 0), 0);
	assert_int_equal(strset_len(&s, 2), 3);
	assert_memory_equal(strset_get(&s, 2), "a\0b", 4);
	assert_string_equal(strset_get(&s, 3002), "f2999");
	assert_int_equal(strset_find(&s, "f1234", 5), 3 + 1234);
	assert_int_equal(strset_find(&s, "f12345", 6), HIDX_NONE);
	strset_free(&s);
	assert_int_equal(s.n, 0);
	assert_int_equal(strset_adds(&s, "again"), 0);
	strset_free(&s);
}

/* Keys of two words get dense ids in order of first addition; keyset_find
 * finds them and never adds. */
static void test_keyset(void **state)
{
	(void)state;
	keyset s = KEYSET_INIT(2);
	uint64_t k[2] = { 1, 2 };
	assert_int_equal(keyset_find(&s, k), HIDX_NONE);
	bool added;
	for (uint64_t i = 0; i < 3000; i++) {
		k[0] = i >> 1;
		k[1] = i & 1 ? UINT64_MAX : 0;
		assert_int_equal(keyset_add(&s, k, &added), i);
		assert_true(added);
	}
	k[0] = 700;
	k[1] = UINT64_MAX;
	assert_int_equal(keyset_add(&s, k, &added), 1401);
	assert_false(added);
	assert_int_equal(keyset_find(&s, k), 1401);
	k[1] = 1;
	assert_int_equal(keyset_find(&s, k), HIDX_NONE);
	assert_int_equal(s.n, 3000);
	keyset_free(&s);
	assert_int_equal(keyset_find(&s, k), HIDX_NONE);
}

static void test_xml_escape(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_add_xml(&sb, "<script>a&b\"c'\x01\xff");
	assert_string_equal(sb.buf, "&lt;script&gt;a&amp;b&quot;c&#39;\xef\xbf\xbd\xef\xbf\xbd");
	sb_release(&sb);
}

static void test_json_escape(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_add_json(&sb, "a\"b\\c\n</script>\x02\xc3\xa9");
	assert_string_equal(sb.buf, "a\\\"b\\\\c\\n\\u003c/script\\u003e\\u0002\xc3\xa9");
	sb_release(&sb);
}

static void test_out_file_commit_and_abort(void **state)
{
	(void)state;
	char dir[] = "/tmp/cprof-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	cprof_err err;
	out_file o;
	assert_int_equal(out_open(&o, path, &err), 0);
	fputs("hello", o.fp);
	out_abort(&o);
	assert_int_not_equal(access(path, F_OK), 0); /* aborted: nothing left */

	assert_int_equal(out_open(&o, path, &err), 0);
	fputs("hello", o.fp);
	assert_int_equal(out_commit(&o, &err), 0);
	unsigned char *data;
	size_t len;
	assert_int_equal(read_file_all(path, 1 << 20, &data, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	assert_int_equal(read_file_all(path, 3, &data, &len, &err), -1);
	assert_non_null(strstr(err.msg, "limit"));
	assert_int_equal(read_file_all(dir, 100, &data, &len, &err), -1);
	assert_string_equal(err.msg, "is a directory");
	unlink(path);
	rmdir(dir);
}

static void test_out_file_reports_full_disk(void **state)
{
	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	cprof_err err;
	out_file o = { 0 };
	o.fp = fopen("/dev/full", "w");
	assert_non_null(o.fp);
	for (int i = 0; i < 100000; i++)
		fputs("0123456789", o.fp);
	assert_int_equal(out_commit(&o, &err), -1);
	fclose(o.fp);
}

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -1);
	assert_int_equal(parse_u64("12x", &v), -1);
	assert_int_equal(parse_u64("", &v), -1);
}

/* fmt_i64 is printf's PRId64 and fmt_fixed2 its "%.2f", two digits a
 * step: every length of number, both signs, the extremes, the carries. */
static void test_fmt_matches_printf(void **state)
{
	(void)state;
	char a[FMT_NUM_MAX + 1], b[FMT_NUM_MAX + 1];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 300000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t v = (int64_t)(x >> (x % 64)); /* every magnitude */
		if (i < 40) /* 0, 9, 10, 99, 100, ... and their negatives */
			v = (i & 1 ? -1 : 1) * (i < 2 ? 0 : (int64_t)pow(10, i / 2) - (i / 2 % 2));
		if (x & 1)
			v = -v;
		a[fmt_i64(a, v)] = '\0';
		snprintf(b, sizeof(b), "%" PRId64, v);
		assert_string_equal(a, b);
		double d = (double)(x % 2000000001) / 64.0 - 15625000.0;
		if (i % 3 == 0)
			d = ldexp((double)(x >> 11), -(int)(x % 60));
		a[fmt_fixed2(a, d)] = '\0';
		snprintf(b, sizeof(b), "%.2f", d);
		assert_string_equal(a, b);
	}
	int64_t ends[] = { INT64_MIN, INT64_MAX, INT64_MIN + 1, 99, 100, 999, 1000 };
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		a[fmt_i64(a, ends[i])] = '\0';
		snprintf(b, sizeof(b), "%" PRId64, ends[i]);
		assert_string_equal(a, b);
	}
	double fx[] = { 0.0, -0.0, 0.005, 0.995, 9.995, 99.995, -0.004, 1e13, 9999999999999.99, 1e300 };
	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		a[fmt_fixed2(a, fx[i])] = '\0';
		snprintf(b, sizeof(b), "%.2f", fx[i]);
		assert_string_equal(a, b);
	}
}

/* sb_add_dec2 is printf's %.2f with the trailing zeros cut, for every
 * value: random magnitudes, exact ties (k/8), values next to ties. */
static void test_dec2_matches_printf(void **state)
{
	(void)state;
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 400000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double v;
		switch (i % 4) {
		case 0: v = (double)(x % 100000000) / 8.0; break;            /* ties */
		case 1: v = (double)(x % 1000000) / 1000.0; break;            /* near ties */
		case 2: v = ldexp((double)(x >> 11), -(int)(x % 90)); break; /* any size */
		default: v = nextafter((double)(x % 100000) / 200.0, (x & 1) ? 0 : 1e9); break;
		}
		if (x & 2)
			v = -v;
		sb_reset(&a);
		sb_reset(&b);
		sb_add_dec2(&a, v);
		char buf[64];
		snprintf(buf, sizeof(buf), "%.2f", v);
		size_t n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0')
			n--;
		if (n > 0 && buf[n - 1] == '.')
			n--;
		sb_add(&b, buf, n);
		if (strcmp(a.buf, b.buf))
			print_message("%.17g: %s vs printf %s\n", v, a.buf, b.buf);
		assert_string_equal(a.buf, b.buf);
	}
	double special[] = { 0.0, -0.0, 0.005, 0.015, 0.125, 0.375, 2.675, 1e13, -1e13, 1e300,
			     INFINITY, -INFINITY, NAN, 9999999999999.995, 0.004999999999999999 };
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		sb_reset(&a);
		sb_add_dec2(&a, special[i]);
		char buf[400];
		snprintf(buf, sizeof(buf), "%.2f", special[i]);
		size_t n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0')
			n--;
		if (n > 0 && buf[n - 1] == '.')
			n--;
		buf[n] = 0;
		assert_string_equal(a.buf, buf);
	}
	sb_release(&a);
	sb_release(&b);
}

/* The escape keeps NUL bytes in C strings: exact both ways, valid UTF-8
 * unchanged, and escaped strings order as their bytes (Go's order). */
static void test_escaped_strings(void **state)
{
	(void)state;
	static const char raw[] = "a\0b\xc0\xc1\xc0\x80z\xc3\xa9";
	strbuf e = STRBUF_INIT, d = STRBUF_INIT;
	sb_add_esc(&e, raw, sizeof(raw) - 1);
	assert_string_equal(e.buf, "a\xc0\x80" "b\xc0\xc1\xc1\xc0\xc1\x80z\xc3\xa9");
	assert_null(memchr(e.buf, 0, e.len));
	sb_add_unesc(&d, e.buf);
	assert_int_equal(d.len, sizeof(raw) - 1);
	assert_memory_equal(d.buf, raw, d.len);
	sb_reset(&e);
	sb_add_esc(&e, "caf\xc3\xa9 <x>", 9);
	assert_string_equal(e.buf, "caf\xc3\xa9 <x>");
	/* NUL sorts first, C0 after '~', a prefix before the longer string */
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	static const struct { const char *x; size_t nx; const char *y; size_t ny; } lt[] = {
		{ "a\0", 2, "a!", 2 }, { "a", 1, "a\0", 2 }, { "a\0\0", 3, "a\0\x01", 3 },
		{ "~", 1, "\xc0", 1 }, { "\xc0", 1, "\xc1", 1 }, { "a\0", 2, "a\xc0", 2 },
	};
	for (size_t i = 0; i < sizeof(lt) / sizeof(lt[0]); i++) {
		sb_reset(&a);
		sb_reset(&b);
		sb_add_esc(&a, lt[i].x, lt[i].nx);
		sb_add_esc(&b, lt[i].y, lt[i].ny);
		assert_true(str_esc_cmp(a.buf, b.buf) < 0);
		assert_true(str_esc_cmp(b.buf, a.buf) > 0);
		assert_int_equal(str_esc_cmp(a.buf, a.buf), 0);
	}
	/* Go's rune count: a valid sequence is one, an invalid byte one, NUL one */
	assert_int_equal(str_runes("k\0\xc3\xa9\xc0x", 6), 5);
	sb_add_json(&d, "\xc0\x80" "a\xc0\xc1");
	assert_string_equal(d.buf + sizeof(raw) - 1, "\\u0000a\\ufffd");
	sb_release(&a);
	sb_release(&b);
	sb_release(&e);
	sb_release(&d);
}

static void test_hex_and_folded_count(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	const unsigned char id[] = { 0x00, 0x9f, 0xa0, 0xff };
	sb_adds(&sb, "id=");
	sb_add_hex(&sb, id, sizeof(id));
	assert_string_equal(sb.buf, "id=009fa0ff");
	sb_add_hex(&sb, id, 0);
	assert_int_equal(sb.len, strlen(sb.buf));
	sb_release(&sb);

	/* flamegraph.pl's /^(.*)\s+?(\d+(?:\.\d*)?)$/ after the stack */
	static const struct {
		const char *line;
		bool folded;
	} cases[] = {
		{ "a;b 3", true },      { "a 1.5", true },     { "a 3.", true },      { "a\t7 \r", true },
		{ "--- mutex:x 2.25", true },                  { "a", false },        { " 3", false },
		{ "3", false },         { "a .5", false },     { "a 1.2.3", false },  { "a1", false },
		{ "a\v5", false },      { "", false },         { "a 5x", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (flamegraph_line_has_count(cases[i].line, strlen(cases[i].line)) != cases[i].folded)
			fail_msg("'%s': want %s", cases[i].line, cases[i].folded ? "folded" : "not folded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_grows_and_formats),
		cmocka_unit_test(test_fmt_matches_printf),
		cmocka_unit_test(test_dec2_matches_printf),
		cmocka_unit_test(test_strbuf_never_null),
		cmocka_unit_test(test_hash_bytes_sees_every_byte),
		cmocka_unit_test(test_hidx),
		cmocka_unit_test(test_hidx_reserve),
		cmocka_unit_test(test_strset),
		cmocka_unit_test(test_keyset),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_out_file_commit_and_abort),
		cmocka_unit_test(test_out_file_reports_full_disk),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_escaped_strings),
		cmocka_unit_test(test_hex_and_folded_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
