/* Unit tests of rawview: cprof-raw's header and lines, built from a model
 * made here (times, threads, labels, blanks in names), and the timeline
 * refusal for input without timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "rawview.h"

/* Two threads, one with a blank in its name, a labelled sample, an inlined
 * frame: what a raw recording gives after symbolization. */
static profile *model(void)
{
	profile *p = prof_new();
	prof_value_type t[] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, t, 2);
	p->default_type = 1;
	p->source_format = prof_intern(p, "raw");
	p->mode = prof_intern(p, "cpu");
	p->timer = prof_intern(p, "perf_event");
	p->executable = prof_intern(p, "/bin/abc");
	p->cmdline = prof_intern(p, "abc\n2"); /* a newline must not end the '#' line */
	p->pid = 42;
	p->period = 10000000;
	p->has_timestamps = true;
	uint32_t fm = prof_intern_function(p, "main", "main", "abc.c", 1);
	uint32_t fa = prof_intern_function(p, "A", "A", "abc.c", 10);
	uint32_t fc = prof_intern_function(p, "C", "C", "abc.c", 20);
	prof_line lm = { fm, 5, 0 }, la[] = { { fc, 21, 0 }, { fa, 11, 0 } };
	uint32_t l0 = prof_add_location(p, PROF_NONE, 0x1000, &lm, 1);
	uint32_t l1 = prof_add_location(p, PROF_NONE, 0x2000, la, 2); /* C inlined into A */
	uint32_t s1[] = { l1, l0 }, s0[] = { l0 };
	uint32_t st1 = prof_intern_stack(p, s1, 2), st0 = prof_intern_stack(p, s0, 1);
	prof_label lab = { prof_intern(p, "endpoint"), prof_intern(p, "/a b,c"), 0, NULL };
	uint32_t ls = prof_intern_labelset(p, &lab, 1);
	prof_set_thread_name(p, 7, "main");
	prof_set_thread_name(p, 8, "pool worker");
	int64_t v[] = { 1, 10000000 };
	prof_add_sample(p, st1, 0, v, 1500000, 7, 0);      /* 1.500 ms */
	prof_add_sample(p, st0, ls, v, 12345678, 8, 0);    /* 12.345 ms */
	prof_add_sample(p, st1, 0, v, 20000000, 7, 0);
	return p;
}

static char *render(const profile *p, const rawview_opts *o)
{
	strbuf out = STRBUF_INIT;
	cprof_err err = { { 0 } };
	if (rawview_write(p, o, &out, NULL, NULL, &err) < 0)
		fail_msg("rawview_write: %s", err.msg);
	return sb_detach(&out, NULL);
}

static void test_header_and_lines(void **state)
{
	(void)state;
	profile *p = model();
	rawview_opts o = RAWVIEW_OPTS_INIT;
	o.file = "abc.cprof";
	o.warnings = "one\ntwo\n";
	char *t = render(p, &o);
	const char *want =
		"# file: abc.cprof (raw)\n"
		"# executable: /bin/abc\n"
		"# command: abc 2\n"
		"# pid: 42\n"
		"# mode: cpu, timer: perf_event\n"
		"# rate: 100.0 Hz (period 10000000 ns)\n"
		"# samples: 3, dropped: 0, total cpu: 30000000 nanoseconds\n"
		"# threads: 2: 7 main, 8 pool worker\n"
		"# warning: one\n"
		"# warning: two\n"
		"1.500 7 main 10000000 {} main;A;C\n"
		"12.345 8 pool_worker 10000000 {endpoint=/a_b.c} main\n"
		"20.000 7 main 10000000 {} main;A;C\n";
	assert_string_equal(t, want);
	free(t);
	prof_free(p);
}

/* The mask, then the count; the header says how many are shown; locations
 * (--no-symbolize) names frames module+0xoffset (0xaddr without a mapping). */
static void test_mask_count_and_addrs(void **state)
{
	(void)state;
	profile *p = model();
	bool mask[] = { false, true, true };
	rawview_opts o = RAWVIEW_OPTS_INIT;
	o.mask = mask;
	o.count = 1;
	o.locations = true;
	char *t = render(p, &o);
	assert_non_null(strstr(t, "# shown: 1 samples (filters / -n)\n"));
	const char *body = strstr(t, "\n12.345 ");
	assert_non_null(body);
	assert_string_equal(body + 1, "12.345 8 pool_worker 10000000 {endpoint=/a_b.c} 0x1000\n");
	free(t);
	prof_free(p);
}

/* --lines, --addrs, --inline name frames as cprof-fold names them (one
 * meaning per option name): func:line, func@0xaddress, the _[i] mark on the
 * inlined C; in the lines and in the timeline. */
static void test_frame_names(void **state)
{
	(void)state;
	profile *p = model();
	rawview_opts o = RAWVIEW_OPTS_INIT;
	o.count = 1;
	o.names.addrs = true;
	char *t = render(p, &o);
	assert_non_null(strstr(t, "\n1.500 7 main 10000000 {} main@0x1000;A@0x2000;C@0x2000\n"));
	free(t);
	o.names.addrs = false;
	o.names.lines = o.names.inline_marks = true;
	t = render(p, &o);
	assert_non_null(strstr(t, "\n1.500 7 main 10000000 {} main:5;A:11;C:21_[i]\n"));
	free(t);
	o.timeline = true;
	t = render(p, &o);
	assert_non_null(strstr(t, "C:21_[i]"));
	free(t);
	prof_free(p);
}

/* Folded input has no time or thread: '-' columns, a notice, and the
 * timeline is refused with a message that says why. */
static void test_untimed_input(void **state)
{
	(void)state;
	profile *p = prof_new();
	const char *text = "main;B 2\n";
	cprof_err err = { { 0 } };
	assert_int_equal(folded_read(p, (const unsigned char *)text, strlen(text), NULL, &err), 0);
	rawview_opts o = RAWVIEW_OPTS_INIT;
	char *t = render(p, &o);
	assert_non_null(strstr(t, "# notice: folded input has no timestamps or threads"));
	assert_non_null(strstr(t, "\n- - - 2 {} main;B\n"));
	free(t);
	o.timeline = true;
	strbuf out = STRBUF_INIT;
	assert_int_equal(rawview_write(p, &o, &out, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "--timeline needs a raw file"));
	assert_int_equal(out.len, 0);
	sb_release(&out);
	prof_free(p);
}

static int flushes;
static void count_flush(void *ctx, strbuf *out)
{
	*(size_t *)ctx += out->len;
	flushes++;
	sb_reset(out);
}

/* A long view goes out in pieces, and the pieces add up. */
static void test_flush(void **state)
{
	(void)state;
	profile *p = model();
	int64_t v[] = { 1, 10000000 };
	for (int i = 0; i < 40000; i++)
		prof_add_sample(p, p->samples[0].stack, 0, v, 30000000 + i, 7, 0);
	rawview_opts o = RAWVIEW_OPTS_INIT;
	strbuf out = STRBUF_INIT;
	size_t flushed = 0;
	cprof_err err;
	assert_int_equal(rawview_write(p, &o, &out, count_flush, &flushed, &err), 0);
	char *whole = render(p, &o);
	assert_true(flushes >= 1);
	assert_int_equal(flushed + out.len, strlen(whole));
	free(whole);
	sb_release(&out);
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_lines),
		cmocka_unit_test(test_mask_count_and_addrs),
		cmocka_unit_test(test_frame_names),
		cmocka_unit_test(test_untimed_input),
		cmocka_unit_test(test_flush),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
