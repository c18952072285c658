/* Unit tests of perfscript: the perf script reader (model, every field
 * variant) and stackcollapse-perf.pl's names. The inputs teach, each in a
 * few lines, the quirks found in FlameGraph's test files and perf's
 * output (see docs/converting.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "perfscript.h"
#include "reader.h"

static void collect(void *ctx, const char *msg)
{
	strbuf *sb = ctx;
	sb_adds(sb, msg);
	sb_addc(sb, '\n');
}

static profile *read_opts(const char *text, const char *event, strbuf *warnings)
{
	prof_read_opts o = { .event = event, .warn = collect, .warn_ctx = warnings };
	profile *p = NULL;
	cprof_err err = { { 0 } };
	if (prof_read_mem((const unsigned char *)text, strlen(text), &o, &p, &err) < 0)
		fail_msg("read: %s", err.msg);
	assert_string_equal(p->source_format, PERFSCRIPT_FORMAT);
	return p;
}

static profile *read_text(const char *text)
{
	strbuf w = STRBUF_INIT;
	profile *p = read_opts(text, NULL, &w);
	sb_release(&w);
	return p;
}

static char *fold(const char *text, names_root root, bool addrs, bool kernel, bool jit)
{
	profile *p = read_text(text);
	folded_opts o = { .value = PROF_NONE, .root = root };
	o.names.addrs = addrs;
	o.kernel_marks = kernel;
	o.jit_marks = jit;
	strbuf sb = STRBUF_INIT;
	cprof_err err = { { 0 } };
	assert_int_equal(folded_write(p, &o, &sb, &err), 0);
	prof_free(p);
	return sb_detach(&sb, NULL);
}

static void expect_fold(const char *text, names_root root, bool addrs, bool k, bool j,
			const char *want)
{
	char *s = fold(text, root, addrs, k, j);
	assert_string_equal(s, want);
	free(s);
}

/* perf's default output since 4.x: comm tid time: period event: */
static const char basic[] =
	"prog 1234 [001]   100.000100:     250000 cpu-clock:ppp: \n"
	"\t          401136 leaf+0x16 (/usr/bin/prog)\n"
	"\t          401200 main+0x40 (/usr/bin/prog)\n"
	"\t    7f0000029d90 __libc_start_call_main+0x80 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\n"
	"prog 1235 [000]   100.000350:     250000 cpu-clock:ppp: \n"
	"\t          401136 leaf+0x20 (/usr/bin/prog)\n"
	"\n";

static void test_model_keeps_threads_times_periods(void **state)
{
	(void)state;
	profile *p = read_text(basic);
	assert_int_equal(p->nsamples, 2);
	assert_int_equal(p->nvalues, 2);
	assert_string_equal(p->sample_types[0].type, "samples");
	assert_string_equal(p->sample_types[1].type, "cpu-clock");
	assert_string_equal(p->sample_types[1].unit, "nanoseconds");
	assert_int_equal(p->default_type, 1);
	assert_true(p->has_timestamps);
	assert_int_equal(p->samples[0].time_ns, 0);
	assert_int_equal(p->samples[1].time_ns, 250000);
	assert_int_equal(p->samples[0].tid, 1234);
	assert_int_equal(p->samples[1].tid, 1235);
	assert_string_equal(prof_thread_name(p, 1234), "prog");
	assert_int_equal(prof_sample_values(p, 0)[1], 250000);
	const prof_stack *st = &p->stacks[p->samples[0].stack];
	assert_int_equal(st->depth, 3);
	const prof_location *leaf = &p->locations[st->locs[0]];
	assert_int_equal(leaf->address, 0x401136);
	assert_string_equal(p->mappings[leaf->mapping].file, "/usr/bin/prog");
	assert_string_equal(p->functions[leaf->lines[0].function].name, "leaf"); /* +0x16 gone */
	/* the label set carries the command name */
	const prof_labelset *ls = &p->labelsets[p->samples[0].labelset];
	assert_int_equal(ls->n, 1);
	assert_string_equal(ls->labels[0].key, "comm");
	assert_string_equal(ls->labels[0].str, "prog");
	prof_free(p);
}

static void test_fold_like_stackcollapse(void **state)
{
	(void)state;
	expect_fold(basic, NAMES_ROOT_COMM, false, false, false,
		    "prog;__libc_start_call_main;main;leaf 250000\nprog;leaf 250000\n");
	/* no pid printed: "-?" as the script writes it */
	expect_fold(basic, NAMES_ROOT_PID, false, false, false,
		    "prog-?;__libc_start_call_main;main;leaf 250000\nprog-?;leaf 250000\n");
	expect_fold(basic, NAMES_ROOT_TID, false, false, false,
		    "prog-?/1234;__libc_start_call_main;main;leaf 250000\nprog-?/1235;leaf 250000\n");
}

/* perf script --show-mmap-events --show-task-events --show-switch-events
 * --show-round-events: side-band lines are never samples (they were read as
 * records of an event "-1/0" and filtered the real samples out) */
static void test_sideband_lines(void **state)
{
	(void)state;
	static const char text[] =
		"swapper     0     0.000000: PERF_RECORD_MMAP -1/0: [0xffffffff81000000(0x1269a88) @ 0xffffffff81000000]: x [kernel.kallsyms]_text\n"
		"prog 1234 [001]   100.000050: PERF_RECORD_COMM exec: prog:1234/1234\n"
		"prog 1234 [001]   100.000060: PERF_RECORD_MMAP2 1234/1234: [0x401000(0x1000) @ 0x1000 fe:00 53 34]: r-xp /usr/bin/prog\n"
		"PERF_RECORD_FINISHED_ROUND\n"
		"prog 1234 [001]   100.000100:     250000 cpu-clock:ppp: \n"
		"\t          401136 leaf+0x16 (/usr/bin/prog)\n"
		"\n"
		"prog 1234 [001]   100.000200: PERF_RECORD_SWITCH OUT\n"
		"prog 1234 [001]   100.000300: PERF_RECORD_EXIT(1234:1234):(1233:1233)\n";
	strbuf w = STRBUF_INIT;
	profile *p = read_opts(text, NULL, &w);
	assert_int_equal(p->nsamples, 1);
	assert_int_equal(prof_sample_values(p, 0)[1], 250000);
	assert_string_equal(w.buf, ""); /* no "other events", no "unknown lines" */
	prof_free(p);
	sb_release(&w);
	/* -F comm,tid,time,period,ip,sym: no dso, no event; the head ends in
	 * its period as a folded line does, the tab-indented address tells */
	static const char nodso[] = "gzip 25583 32401.690986:     250000 \n"
				    "\t           14f02 intel_check_word.constprop.0\n"
				    "\t  7ffd626179f000 [unknown]\n\n";
	assert_true(perfscript_looks_like((const unsigned char *)nodso, strlen(nodso)));
	static const char folded[] = "x;y 5\n\tab c\n"; /* no time: not a record head */
	assert_false(perfscript_looks_like((const unsigned char *)folded, strlen(folded)));
	/* detected as perf script whichever side-band line comes first */
	for (const char *t = text; *t; t = strchr(t, '\n') + 1)
		assert_true(perfscript_looks_like((const unsigned char *)t, strlen(t)) ==
			    (strstr(t, "cpu-clock") != NULL));
}

/* A command name with a space ends at the blanks before the first number;
 * "0/0" (the idle task) has no pid for the script. */
static void test_comm_pid_tid(void **state)
{
	(void)state;
	const char *t = "V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles: \n"
			"\t  7f00 work (/usr/bin/node)\n"
			"\n"
			"swapper     0/0     [002] 94564.109300: 100 cycles: \n"
			"\tffffffff81000000 native_safe_halt+0x6 ([kernel.kallsyms])\n"
			"\n";
	expect_fold(t, NAMES_ROOT_TID, false, false, false,
		    "V8_WorkerThread-24636/25607;work 100\nswapper-?/0;native_safe_halt 100\n");
	expect_fold(t, NAMES_ROOT_COMM, false, true, false,
		    "V8_WorkerThread;work 100\nswapper;native_safe_halt_[k] 100\n");
	profile *p = read_text(t);
	assert_int_equal(p->samples[0].tid, 25607);
	const prof_labelset *ls = &p->labelsets[p->samples[0].labelset];
	assert_int_equal(ls->n, 2);
	assert_string_equal(ls->labels[1].key, "pid");
	assert_int_equal(ls->labels[1].num, 24636);
	assert_string_equal(p->sample_types[1].unit, "count");
	prof_free(p);
}

/* [unknown] symbols: the dso's base name in brackets, "[unknown]" when the
 * dso is unknown too; --addrs adds the address to those frames only. */
static void test_unknown_frames_and_addrs(void **state)
{
	(void)state;
	const char *t = "a.out 77 1.5: 1 cycles:\n"
			"\t7f12 [unknown] (/lib/libc.so.6)\n"
			"\tffffffff8100 [unknown] ([kernel.kallsyms])\n"
			"\t0 [unknown] ([unknown])\n"
			"\t4005 main (/tmp/a.out)\n"
			"\n";
	expect_fold(t, NAMES_ROOT_COMM, false, false, false,
		    "a.out;main;[unknown];[[kernel.kallsyms]];[libc.so.6] 1\n");
	expect_fold(t, NAMES_ROOT_COMM, true, true, false,
		    "a.out;main;[unknown <0>];[[kernel.kallsyms] <ffffffff8100>]_[k];[libc.so.6 <7f12>] 1\n");
}

/* Names tidied as the script tidies them; a symbol starting with '(' is
 * taken for a process name and skipped. */
static void test_tidy_names(void **state)
{
	(void)state;
	const char *t = "prog 9 1.0: 1 cycles:\n"
			"\t1 f(int, char const*) (/p)\n"
			"\t2 ns::(anonymous namespace)::g(int) (/p)\n"
			"\t6 (anonymous namespace)::skipped (/p)\n"
			"\t3 net/http.(*Client).Do (/p)\n"
			"\t4 RegExp:[\"'] (/tmp/perf-9.map)\n"
			"\t5 Lorg/Foo;.bar (/tmp/perf-9.map)\n"
			"\n";
	expect_fold(t, NAMES_ROOT_COMM, false, false, true,
		    "prog;Lorg/Foo:.bar_[j];RegExp:[]_[j];net/http.(*Client).Do;"
		    "ns::(anonymous namespace)::g;f 1\n");
	/* a java process: the L of class names goes */
	char *j = xstrdup(t);
	memcpy(j, "java", 4);
	expect_fold(j, NAMES_ROOT_COMM, false, false, false,
		    "java;org/Foo:.bar;RegExp:[];net/http.(*Client).Do;ns::(anonymous namespace)::g;f 1\n");
	free(j);
}

/* perf's inline chains "a->b": b inlined into a, marked _[i]. */
static void test_inline_chain(void **state)
{
	(void)state;
	const char *t = "prog 9 1.0: 1 cycles:\n"
			"\t10 outer->inner+0x4 (/p)\n"
			"\t20 main (/p)\n"
			"\n";
	expect_fold(t, NAMES_ROOT_COMM, false, false, false, "prog;main;outer;inner_[i] 1\n");
	profile *p = read_text(t);
	const prof_location *l = &p->locations[p->stacks[p->samples[0].stack].locs[0]];
	assert_int_equal(l->nlines, 2);
	assert_string_equal(p->functions[l->lines[0].function].name, "inner");
	prof_free(p);
}

/* An inline chain of any length is kept whole: the leaf is its last name
 * (a fixed 64-entry buffer dropped the rest, leaf included). */
static void test_long_inline_chain(void **state)
{
	(void)state;
	strbuf t = STRBUF_INIT;
	sb_adds(&t, "prog 9 1.0: 1 cycles:\n\t10 ");
	for (int i = 0; i < 100; i++)
		sb_addf(&t, "%sf%d", i ? "->" : "", i);
	sb_adds(&t, " (/p)\n\n");
	profile *p = read_text(t.buf);
	const prof_location *l = &p->locations[p->stacks[p->samples[0].stack].locs[0]];
	assert_int_equal(l->nlines, 100);
	assert_string_equal(p->functions[l->lines[0].function].name, "f99");
	assert_string_equal(p->functions[l->lines[99].function].name, "f0");
	prof_free(p);
	sb_release(&t);
}

/* Only one event is kept: the first, or the one asked for. */
static void test_event_filter(void **state)
{
	(void)state;
	const char *t = "prog 9 1.0: 1000 cycles:u:\n\t1 a (/p)\n\n"
			"prog 9 1.1: 500 instructions:u:\n\t2 b (/p)\n\n"
			"prog 9 1.2: 3000 cycles:u:\n\t2 b (/p)\n\n";
	strbuf w = STRBUF_INIT;
	profile *p = read_opts(t, NULL, &w);
	assert_int_equal(p->nsamples, 2);
	assert_string_equal(p->sample_types[1].type, "cycles");
	assert_non_null(strstr(w.buf, "1 records of events other than 'cycles:u'"));
	prof_free(p);
	sb_release(&w);
	p = read_opts(t, "instructions:u", &w);
	assert_int_equal(p->nsamples, 1);
	assert_int_equal(prof_sample_values(p, 0)[1], 500);
	prof_free(p);
	sb_release(&w);
	prof_read_opts o = { .event = "branches" };
	cprof_err err = { { 0 } };
	assert_int_equal(prof_read_mem((const unsigned char *)t, strlen(t), &o, &p, &err), -1);
	assert_non_null(strstr(err.msg, "no record of event 'branches'"));
}

/* A callchain not closed by a blank line (a cut file) is left out, as the
 * script leaves it out; old perf printed frames without indent and no
 * time or period. */
static void test_cut_and_old_format(void **state)
{
	(void)state;
	const char *t = "java 19983 cycles:\n"
			"ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])\n"
			"7f1 [unknown] (/usr/lib/jvm/libjvm.so)\n"
			"\n"
			"java 19983 cycles:\n"
			"ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])\n";
	strbuf w = STRBUF_INIT;
	profile *p = read_opts(t, NULL, &w);
	assert_int_equal(p->nsamples, 1);
	assert_false(p->has_timestamps);
	assert_int_equal(p->samples[0].time_ns, -1);
	assert_non_null(strstr(w.buf, "not ended by a blank line"));
	prof_free(p);
	sb_release(&w);
	expect_fold(t, NAMES_ROOT_COMM, false, true, false,
		    "java;[libjvm.so];native_write_msr_safe_[k] 1\n");
}

/* perf record without -g: one line a sample, the frame on it. */
static void test_no_callchain(void **state)
{
	(void)state;
	const char *t = "prog  4321 [000]  10.000001:     250000 cpu-clock:  401136 leaf+0x16 (/usr/bin/prog)\n"
			"prog  4321 [000]  10.000251:     250000 cpu-clock:  401200 main+0x4 (/usr/bin/prog)\n";
	profile *p = read_text(t);
	assert_int_equal(p->nsamples, 2);
	assert_int_equal(p->samples[1].time_ns, 250000);
	assert_int_equal(prof_sample_values(p, 1)[1], 250000);
	prof_free(p);
	expect_fold(t, NAMES_ROOT_COMM, false, false, false, "prog;leaf 250000\nprog;main 250000\n");
}

/* perf record without -g as perf 6.1 prints it: the command right-aligned
 * in 16 columns (stackcollapse-perf.pl reads nothing of it), with
 * side-band lines indented the same way, and -F without the event and
 * dso; a callchain's frames are never taken for such records. */
static void test_no_callchain_indented(void **state)
{
	(void)state;
	const char *t =
		"       perf-exec     0     0.000000: PERF_RECORD_COMM: perf-exec:11810/11810\n"
		"            perl 11810 41884.307170:     250000 cpu-clock:pppH:      7f26789c9477 "
		"init_cpu_features.constprop.0+0xde7 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)\n"
		"            perl 11810 41884.306998: PERF_RECORD_MMAP2 11810/11810: [0x55a2ab2f5000(0x195000) "
		"@ 0x49000 fe:00 247862 0]: r-xp /usr/bin/perl\n"
		"            perl 11810 41884.307419:     250000 cpu-clock:pppH:      55a2ab3a1234 "
		"Perl_hv_common+0x54 (/usr/bin/perl)\n"
		" V8 WorkerThread 11812 41884.307500:     250000 cpu-clock:pppH:      55a2ab3a1234 "
		"Perl_hv_common+0x54 (/usr/bin/perl)\n";
	assert_true(perfscript_looks_like((const unsigned char *)t, strlen(t)));
	profile *p = read_text(t);
	assert_int_equal(p->nsamples, 3);
	assert_int_equal(p->samples[1].time_ns, 249000);
	assert_int_equal(prof_sample_values(p, 2)[1], 250000);
	prof_free(p);
	expect_fold(t, NAMES_ROOT_COMM, false, false, false,
		    "V8_WorkerThread;Perl_hv_common 250000\nperl;Perl_hv_common 250000\n"
		    "perl;init_cpu_features.constprop.0 250000\n");
	/* perf script -F comm,tid,time,ip,sym */
	const char *f = "            perl 11810 41884.307170:      7f26789c9477 init_cpu_features.constprop.0\n"
			"            perl 11810 41884.307419:      55a2ab3a1234 Perl_hv_common\n";
	assert_true(perfscript_looks_like((const unsigned char *)f, strlen(f)));
	expect_fold(f, NAMES_ROOT_COMM, false, false, false,
		    "perl;Perl_hv_common 1\nperl;init_cpu_features.constprop.0 1\n");
	/* an address of decimal digits only (a PIE at 0x565551804000) is the
	 * frame's, not a period: first line (detection) and later ones; a
	 * 4-digit tid puts two blanks before it */
	const char *dd = "          busy-0  2332 56424.657499:      565551804254 busy_loop\n"
			 "          busy-1  2333 56424.658772:      56555180425e busy_loop\n"
			 "          busy-1  2333 56424.659772:      565551804251 busy_loop\n";
	assert_true(perfscript_looks_like((const unsigned char *)dd, strlen(dd)));
	expect_fold(dd, NAMES_ROOT_COMM, false, false, false, "busy-0;busy_loop 1\nbusy-1;busy_loop 2\n");
	/* a folded line whose first name holds such a head ends in its count:
	 * not a record (cprof-fold's output reads back as folded) */
	const char *fl = "            x 24636/2 607 [000] 94564.109216:     100 cycles:u:;outer;inner 1\n";
	assert_false(perfscript_looks_like((const unsigned char *)fl, strlen(fl)));
	/* with callchains: an indented line under a head is a frame, even one
	 * that reads like a record */
	const char *g = "prog 101 1.0: 5 cycles:\n"
			"\t    prog 101 1.5:     250000 cpu-clock:      4005d4 leafA (/p)\n"
			"\t4005e0 main (/p)\n\n";
	profile *q = read_text(g);
	assert_int_equal(q->nsamples, 1);
	assert_int_equal(q->stacks[q->samples[0].stack].depth, 2);
	prof_free(q);
}

/* Where cprof differs from stackcollapse-perf.pl on purpose (each row of
 * docs/converting.md's table; the script's output in the comments). */
static void test_deliberate_differences(void **state)
{
	(void)state;
	/* an event line ends the record before it (script: one stack of both,
	 * "prog;main;b;main;a 7") */
	expect_fold("prog 101 1.0: 5 cycles:\n\t1 a (/p)\n\t2 main (/p)\n"
		    "prog 101 1.1: 7 cycles:\n\t3 b (/p)\n\t2 main (/p)\n\n",
		    NAMES_ROOT_COMM, false, false, false, "prog;main;a 5\nprog;main;b 7\n");
	/* frames without "(dso)": ADDR SYM, an address alone unnamed (script:
	 * dropped, "prog 5") */
	expect_fold("prog 101 1.0: 5 cycles:\n\t4005d4 leafA\n\t4005e0 main\n\t4005e8\n\n",
		    NAMES_ROOT_COMM, false, false, false, "prog;[unknown];main;leafA 5\n");
	/* a tracepoint's event line: its event and period are read (script:
	 * period 1, no filter: "prog;a 9" and "prog;main;a 1") */
	strbuf w = STRBUF_INIT;
	const char *t = "prog 101 1.0: 5 sched:sched_switch: prev_comm=prog prev_pid=101\n"
			"\t1 a (/p)\n\t2 main (/p)\n\n"
			"prog 101 1.1: 9 cycles:\n\t1 a (/p)\n\n";
	profile *p = read_opts(t, NULL, &w);
	assert_int_equal(p->nsamples, 1);
	assert_string_equal(p->sample_types[1].type, "sched");
	assert_int_equal(prof_sample_values(p, 0)[1], 5);
	assert_non_null(strstr(w.buf, "1 records of events other than 'sched:sched_switch'"));
	prof_free(p);
	sb_release(&w);
	/* a name ending in blanks and a number, and control bytes (script:
	 * "prog;main;f 123 5", read by flamegraph.pl as two counts; the
	 * control byte as is) */
	expect_fold("prog 101 1.0: 5 cycles:\n\t1 f 123+0x4 (/p)\n\t2 ma\001in (/p)\n\n",
		    NAMES_ROOT_COMM, false, false, false, "prog;ma in;f_123 5\n");
}

static void test_detection(void **state)
{
	(void)state;
	const char *yes[] = {
		basic,
		"# ========\n# captured on    : Sun\n# ========\n#\nprog 1 1.0: 1 cycles:\n\t1 a (/p)\n\n",
		"java 19983 cycles:\nffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])\n",
		"prog  4321 [000]  10.000001: 1 cpu-clock:  401136 leaf (/usr/bin/prog)\n",
		"prog 1 1.0:\n\t401136\n\n",
	};
	const char *no[] = { "a;b 12\n", "main;A 5\nmain;B 3\n", "a;b 12 \nfoo (bar) 3\n", "x 1 \n\n", "" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!perfscript_looks_like((const unsigned char *)yes[i], strlen(yes[i])))
			fail_msg("not detected: %s", yes[i]);
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (perfscript_looks_like((const unsigned char *)no[i], strlen(no[i])))
			fail_msg("detected: %s", no[i]);
	assert_string_equal(prof_detect_format((const unsigned char *)basic, strlen(basic)),
			    "perf script");
	assert_string_equal(prof_detect_format((const unsigned char *)"a;b 12\n", 7), "folded");
}

static void test_no_record_fails(void **state)
{
	(void)state;
	profile *p = prof_new();
	cprof_err err = { { 0 } };
	const char *t = "prog 1 1.0: 1 cycles:\n\t1 a (/p)\n";
	assert_int_equal(perfscript_read(p, (const unsigned char *)t, strlen(t), NULL, &err), -1);
	assert_non_null(strstr(err.msg, "no sample record"));
	prof_free(p);
}

/* An unknown input names the formats cprof reads; a known one it does not
 * read says what is missing. */
static void test_errors_name_formats(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "hello\n", "cprof reads: raw, gperftools, perf.data, pprof, pprof-legacy, perf script, folded" },
		{ "# To display the perf.data header info, please use --header\n#\n# Samples: 5\n",
		  "`perf report` output" },
		{ "\t  401136 main+0x16 (/usr/bin/prog)\n\n", "without event lines" },
		{ "\n\t           153e0 update_active.constprop.0\n\n", "without event lines" }, /* -F ip,sym */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		profile *p = NULL;
		cprof_err err = { { 0 } };
		assert_int_equal(prof_read_mem((const unsigned char *)cases[i][0], strlen(cases[i][0]),
					       NULL, &p, &err), -1);
		if (!strstr(err.msg, cases[i][1]))
			fail_msg("'%s' does not say '%s'", err.msg, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_keeps_threads_times_periods),
		cmocka_unit_test(test_fold_like_stackcollapse),
		cmocka_unit_test(test_sideband_lines),
		cmocka_unit_test(test_comm_pid_tid),
		cmocka_unit_test(test_unknown_frames_and_addrs),
		cmocka_unit_test(test_tidy_names),
		cmocka_unit_test(test_inline_chain),
		cmocka_unit_test(test_long_inline_chain),
		cmocka_unit_test(test_event_filter),
		cmocka_unit_test(test_cut_and_old_format),
		cmocka_unit_test(test_no_callchain),
		cmocka_unit_test(test_no_callchain_indented),
		cmocka_unit_test(test_deliberate_differences),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_no_record_fails),
		cmocka_unit_test(test_errors_name_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
