/* Unit tests of filter: focus/ignore on names and files, tags, thread, process and time, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "folded.h"

static profile *read_text(const char *text)
{
	profile *p = prof_new();
	cprof_err err = { { 0 } };
	if (folded_read(p, (const unsigned char *)text, strlen(text), NULL, &err) < 0)
		fail_msg("folded_read: %s", err.msg);
	return p;
}

static void mask_is(const profile *p, const filter_opts *o, const char *want)
{
	bool *mask;
	size_t kept;
	cprof_err err = { { 0 } };
	if (filter_mask(p, o, &mask, &kept, &err) < 0)
		fail_msg("filter_mask: %s", err.msg);
	char got[64] = { 0 };
	size_t n = 0;
	for (size_t i = 0; i < p->nsamples && i < 63; i++) {
		got[i] = mask[i] ? '1' : '0';
		n += mask[i];
	}
	assert_string_equal(got, want);
	assert_int_equal(kept, n);
	free(mask);
}

static void test_focus_and_ignore(void **state)
{
	(void)state;
	profile *p = read_text("main;A 5\nmain;A;C 3\nmain;B 4\nmain;B;Cx 1\n");
	filter_opts o = { 0 };
	assert_false(filter_active(&o));
	mask_is(p, &o, "1111");
	o.focus = "^C";
	mask_is(p, &o, "0101");
	o.focus = "C$"; /* unanchored regex, like pprof's */
	mask_is(p, &o, "0100");
	o.focus = NULL;
	o.ignore = "^A$";
	mask_is(p, &o, "0011");
	o.focus = "C";
	mask_is(p, &o, "0001"); /* ignore wins over focus */
	prof_free(p);
}

static void test_tags_thread_time(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type t = { "samples", "count" };
	prof_set_sample_types(p, &t, 1);
	p->has_timestamps = true;
	uint32_t f = prof_intern_function(p, "main", "main", "main.c", 1);
	prof_line l = { f, 0, 0 };
	uint32_t loc = prof_add_location(p, PROF_NONE, 0, &l, 1);
	uint32_t st = prof_intern_stack(p, &loc, 1);
	prof_label users[2] = { { prof_intern(p, "endpoint"), prof_intern(p, "/users"), 0, NULL },
				{ prof_intern(p, "tier"), prof_intern(p, "gold"), 0, NULL } };
	prof_label orders = { prof_intern(p, "endpoint"), prof_intern(p, "/orders"), 0, NULL };
	prof_label num = { prof_intern(p, "bytes"), NULL, 512, NULL };
	uint32_t ls1 = prof_intern_labelset(p, users, 2), ls2 = prof_intern_labelset(p, &orders, 1);
	uint32_t ls3 = prof_intern_labelset(p, &num, 1);
	int64_t one = 1;
	prof_add_sample(p, st, ls1, &one, 1000000, 10, 0);   /* 1 ms */
	prof_add_sample(p, st, ls2, &one, 5000000, 11, 0);   /* 5 ms */
	prof_add_sample(p, st, 0, &one, 9000000, 10, 0);     /* 9 ms */
	prof_add_sample(p, st, ls3, &one, 2000000000, 11, 0); /* 2 s */

	filter_opts o = { 0 };
	o.tags[o.ntags++] = "endpoint=/users";
	mask_is(p, &o, "1000");
	o.tags[o.ntags++] = "tier=silver";
	mask_is(p, &o, "0000");
	o.ntags = 0;
	o.tags[o.ntags++] = "bytes=512";
	mask_is(p, &o, "0001");
	o.ntags = 0;
	o.has_tid = true;
	o.tid = 10;
	mask_is(p, &o, "1010");
	o.has_tid = false;
	/* --process: thread 10 is process 10's, 11 unknown (the profile's pid) */
	prof_set_thread_pid(p, 10, 10);
	p->pid = 0;
	o.has_pid = true;
	o.pid = 10;
	mask_is(p, &o, "1010");
	o.pid = 11;
	mask_is(p, &o, "0000");
	p->pid = 11; /* one-process input: its unknown threads are its own */
	mask_is(p, &o, "0101");
	o.has_pid = false;
	cprof_err err;
	assert_int_equal(filter_parse_time("5ms", &o.from_ns, &err), 0);
	o.has_from = true;
	assert_int_equal(filter_parse_time("2s", &o.to_ns, &err), 0);
	o.has_to = true;
	mask_is(p, &o, "0110"); /* [5ms, 2s) */
	prof_free(p);
}

static void test_errors(void **state)
{
	(void)state;
	profile *p = read_text("main;A 5\n");
	filter_opts o = { 0 };
	bool *mask;
	cprof_err err = { { 0 } };
	o.focus = "(";
	assert_int_equal(filter_mask(p, &o, &mask, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "bad --focus regex '('"));
	o.focus = NULL;
	o.has_tid = true;
	assert_int_equal(filter_mask(p, &o, &mask, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "--thread needs raw input"));
	o.has_tid = false;
	o.has_pid = true;
	assert_int_equal(filter_mask(p, &o, &mask, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "--process needs raw input"));
	o.has_pid = false;
	o.tags[o.ntags++] = "novalue";
	assert_int_equal(filter_mask(p, &o, &mask, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "KEY=VALUE"));
	int64_t ns;
	assert_int_equal(filter_parse_time("1.5s", &ns, &err), 0);
	assert_int_equal(ns, 1500000000);
	assert_int_equal(filter_parse_time("250", &ns, &err), 0);
	assert_int_equal(ns, 250000000);
	assert_int_equal(filter_parse_time("40us", &ns, &err), 0);
	assert_int_equal(ns, 40000);
	assert_int_equal(filter_parse_time("3m", &ns, &err), -1);
	assert_int_equal(filter_parse_time("-1s", &ns, &err), -1);
	assert_int_equal(filter_parse_time("s", &ns, &err), -1);
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_focus_and_ignore),
		cmocka_unit_test(test_tags_thread_time),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
