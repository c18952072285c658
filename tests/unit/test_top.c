/* Unit tests of top: pprof's number formatting, flat/cum (recursion once), sorting, the stack table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "source.h"
#include "top.h"

#include <stdio.h>
#include <unistd.h>

static profile *read_text(const char *text)
{
	profile *p = prof_new();
	cprof_err err = { { 0 } };
	if (folded_read(p, (const unsigned char *)text, strlen(text), NULL, &err) < 0)
		fail_msg("folded_read: %s", err.msg);
	return p;
}

static char *top(const profile *p, const top_opts *o)
{
	strbuf sb = STRBUF_INIT;
	cprof_err err = { { 0 } };
	if (top_write(p, o, &sb, &err) < 0)
		fail_msg("top_write: %s", err.msg);
	return sb_detach(&sb, NULL);
}

static void fmt_is(int64_t v, const char *unit, const char *out_unit, const char *want)
{
	strbuf sb = STRBUF_INIT;
	top_format(&sb, v, 0, unit, out_unit);
	assert_string_equal(sb.buf, want);
	sb_release(&sb);
}

static void pct_is(int64_t v, int64_t total, const char *want)
{
	strbuf sb = STRBUF_INIT;
	top_percent(&sb, v, total);
	assert_string_equal(sb.buf, want);
	sb_release(&sb);
}

static void test_units_like_pprof(void **state)
{
	(void)state;
	/* values checked against go tool pprof output */
	assert_string_equal(top_scale("nanoseconds", 10000000, 580000000), "ms");
	assert_string_equal(top_scale("nanoseconds", 10000000, 5800000000), "s");
	assert_string_equal(top_scale("nanoseconds", 1000, 1000000), "us");
	assert_string_equal(top_scale("count", 1, 12), "count");
	assert_string_equal(top_scale("bytes", 512, 4096), "B");
	fmt_is(580000000, "nanoseconds", "ms", "580ms");
	fmt_is(10000000, "nanoseconds", "s", "0.01s");
	fmt_is(1234567890, "nanoseconds", "s", "1.23s");
	fmt_is(0, "nanoseconds", "ms", "0");
	fmt_is(12, "count", "count", "12");
	fmt_is(2048, "bytes", "kB", "2kB");
	pct_is(5, 12, "41.67%");
	pct_is(12, 12, "  100%");
	pct_is(0, 12, "    0%");
	pct_is(1, 200, "  0.5%");
	pct_is(1, 3000, "0.033%");
}

static void test_flat_cum_recursion_once(void **state)
{
	(void)state;
	profile *p = read_text("main;f;f;f;g 4\nmain;f 2\nmain;h;f 1\n");
	top_opts o = { .value = PROF_NONE, .node_fraction = -1, .no_header = true };
	char *s = top(p, &o);
	assert_string_equal(s,
			    "Showing nodes accounting for 7, 100% of 7 total\n"
			    "      flat  flat%   sum%        cum   cum%\n"
			    "         4 57.14% 57.14%          4 57.14%  g\n"
			    "         3 42.86%   100%          7   100%  f\n"
			    "         0     0%   100%          1 14.29%  h\n" /* flat ties: by name */
			    "         0     0%   100%          7   100%  main\n");
	free(s);
	o.cum_sort = true;
	o.nodecount = 2;
	s = top(p, &o);
	assert_non_null(strstr(s, "Showing top 2 nodes out of 4\n"));
	/* cum order, name ascending on ties: f before main */
	assert_true(strstr(s, "  f\n") < strstr(s, "  main\n"));
	assert_null(strstr(s, "  g\n"));
	free(s);
	prof_free(p);
}

static void test_low_nodes_dropped_and_mask_keeps_total(void **state)
{
	(void)state;
	profile *p = read_text("main;big 1000\nmain;tiny 1\n");
	top_opts o = { .value = PROF_NONE, .node_fraction = -1, .no_header = true };
	char *s = top(p, &o);
	assert_non_null(strstr(s, "Dropped 1 node (cum <= 5)\n"));
	assert_null(strstr(s, "tiny"));
	free(s);
	/* a mask shows some samples; percentages stay of the whole */
	bool mask[2] = { false, true };
	o.mask = mask;
	s = top(p, &o);
	assert_non_null(strstr(s, "Showing nodes accounting for 1, 0.1% of 1001 total\n"));
	assert_non_null(strstr(s, "  tiny\n"));
	free(s);
	prof_free(p);
}

static void test_stack_table(void **state)
{
	(void)state;
	profile *p = read_text("main;A 5\nmain;A;C 3\nmain;B 4\n");
	top_opts o = { .by = TOP_STACK, .value = PROF_NONE, .node_fraction = -1 };
	char *s = top(p, &o);
	assert_string_equal(s, "Type: samples\n"
			       "Showing 3 of 3 stacks, accounting for 12, 100% of 12 total\n"
			       "   samples/count      %  stack (root first)\n"
			       "               5 41.67%  main;A\n"
			       "               4 33.33%  main;B\n"
			       "               3 25.00%  main;A;C\n");
	free(s);
	prof_free(p);
}

/* fractional counts (folded input): pprof's two decimals */
static void test_fractional_values(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	top_format(&sb, 150, 2, "count", "count");
	assert_string_equal(sb.buf, "1.50");
	sb_release(&sb);
	profile *p = read_text("main;A 1.5\nmain;B 0.25\nmain 3\n");
	top_opts o = { .by = TOP_STACK, .value = PROF_NONE, .node_fraction = -1 };
	char *s = top(p, &o);
	assert_string_equal(s, "Type: samples\n"
			       "Showing 3 of 3 stacks, accounting for 4.75, 100% of 4.75 total\n"
			       "   samples/count      %  stack (root first)\n"
			       "               3 63.16%  main\n"
			       "            1.50 31.58%  main;A\n"
			       "            0.25  5.26%  main;B\n");
	free(s);
	prof_free(p);
}

static void test_huge_values_saturate(void **state)
{
	(void)state;
	/* sums past int64 saturate (no overflow: the sanitizer build checks) */
	profile *p = read_text("a;b 9223372036854775807\na;c 9223372036854775807\n");
	top_opts o = { .value = PROF_NONE, .node_fraction = -1, .no_header = true };
	char *s = top(p, &o);
	assert_non_null(strstr(s, "  100%  a\n"));
	free(s);
	o.by = TOP_STACK;
	s = top(p, &o);
	assert_non_null(strstr(s, "a;b\n"));
	free(s);
	prof_free(p);
}

/* --list with line numbers near INT64_MIN/MAX (a hostile profile): the
 * margins saturate instead of overflowing (undefined; UBSan stopped). */
static void test_list_huge_line_number(void **state)
{
	(void)state;
	char path[] = "/tmp/cprof-test-list.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	for (int i = 1; i <= 20; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
	profile *p = prof_new();
	prof_value_type vt = { "samples", "count" };
	prof_set_sample_types(p, &vt, 1);
	uint32_t fn = prof_intern_function(p, "f", "f", path, 0);
	prof_line l[3] = { { fn, 10, 0 }, { fn, INT64_MAX, 0 }, { fn, INT64_MIN, 0 } };
	uint32_t locs[3];
	for (int i = 0; i < 3; i++)
		locs[i] = prof_add_location(p, PROF_NONE, 0x10 + (uint64_t)i, &l[i], 1);
	int64_t v = 1;
	for (int i = 0; i < 3; i++)
		prof_add_sample(p, prof_intern_stack(p, &locs[i], 1), 0, &v, -1, -1, 0);
	top_opts o = { .report = TOP_REPORT_LIST, .symbol = "^f$", .value = PROF_NONE };
	strbuf sb = STRBUF_INIT;
	cprof_err err = { { 0 } };
	assert_int_equal(source_list(p, &o, &sb, &err), 0);
	/* from line 1 (INT64_MIN - 5 saturates, then 1) to the file's end */
	assert_non_null(strstr(sb.buf, "(flat, cum)   100% of Total\n         .          .      1:line 1\n"));
	assert_non_null(strstr(sb.buf, "         1          1     10:line 10\n"));
	assert_non_null(strstr(sb.buf, "     20:line 20\n"));
	sb_release(&sb);
	prof_free(p);
	unlink(path);
}

static void test_parse_by(void **state)
{
	(void)state;
	top_by by;
	assert_int_equal(top_parse_by("line", &by), 0);
	assert_int_equal(by, TOP_LINE);
	assert_int_equal(top_parse_by("stack", &by), 0);
	assert_int_equal(by, TOP_STACK);
	assert_int_equal(top_parse_by("lines", &by), -1);
}

/* top_percent prints what printf("%5.2f%%") / ("%5.2g%%") print (pprof's
 * percentages), for the ratios of every pair of small counts, of random
 * large ones, and at the ties where rounding decides. */
static void expect_percent(int64_t v, int64_t total)
{
	double r = total ? fabs((double)v / (double)total) * 100 : 0;
	char want[64];
	if (r >= 99.95 && r <= 100.05)
		snprintf(want, sizeof(want), "  100%%");
	else
		snprintf(want, sizeof(want), r >= 1.0 ? "%5.2f%%" : "%5.2g%%", r);
	strbuf got = STRBUF_INIT;
	top_percent(&got, v, total);
	if (strcmp(got.buf, want))
		fail_msg("top_percent(%lld, %lld): got '%s', want '%s'", (long long)v,
			 (long long)total, got.buf, want);
	sb_release(&got);
}

static void test_percent_like_printf(void **state)
{
	(void)state;
	for (int64_t total = 1; total <= 2000; total++)
		for (int64_t v = 0; v <= total; v += 1 + (total > 400) * (total / 400))
			expect_percent(v, total);
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 300000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t total = (int64_t)(x % 100000000000ull) + 1;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t v = (int64_t)(x % (uint64_t)total) >> (x % 23);
		expect_percent(v, total);
		expect_percent(-v, total);
		expect_percent(total * 3 + v, total); /* over 100 % */
	}
	/* ties and near-ties of the last digit, and the ends of %g's ranges */
	static const int64_t pairs[][2] = { { 1, 8 }, { 1, 16 }, { 1, 80 }, { 1, 800 }, { 1, 8000 },
					     { 199, 200 }, { 1999, 2000 }, { 19999, 20000 },
					     { 1, 10000 }, { 1, 10001 }, { 1, 1000000 }, { 995, 100000 },
					     { 9995, 1000000 }, { 99995, 10000000 }, { 5, 400 } };
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		expect_percent(pairs[i][0], pairs[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_like_pprof),
		cmocka_unit_test(test_flat_cum_recursion_once),
		cmocka_unit_test(test_low_nodes_dropped_and_mask_keeps_total),
		cmocka_unit_test(test_stack_table),
		cmocka_unit_test(test_huge_values_saturate),
		cmocka_unit_test(test_fractional_values),
		cmocka_unit_test(test_parse_by),
		cmocka_unit_test(test_list_huge_line_number),
		cmocka_unit_test(test_percent_like_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
