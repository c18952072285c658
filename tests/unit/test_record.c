/* Unit tests of record: the summary and the unseen-CPU warning built from
 * file summaries made here, and rec_record's run of real commands without
 * the sampler (libc preloaded in its place): the exit statuses, the
 * messages, the refusal of an output it cannot write, and the signal dispositions put
 * back afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

static rec_file file(const char *path, uint32_t pid, uint64_t samples, int64_t cpu_ns)
{
	rec_file f = { 0 };
	f.path = (char *)path;
	f.pid = pid;
	f.command = (char *)"abc 1";
	f.samples = samples;
	f.cpu_ns = cpu_ns;
	f.start_ns = 1000000000;
	f.end_ns = 2500000000;
	f.problem = (char *)"";
	return f;
}

static void test_summary(void **state)
{
	(void)state;
	rec_file f[3] = { file("/t/o.cprof", 10, 150, 1500000000), file("/t/o.cprof.11", 11, 0, 0),
			  file("/t/o.cprof.12", 12, 5, 50000000) };
	f[2].problem = (char *)"cut short";
	f[2].trimmed = 4096;
	strbuf sb = STRBUF_INIT;
	rec_summary("o.cprof", f, 1, &sb);
	assert_string_equal(sb.buf, "/t/o.cprof: 150 samples (0 dropped) in 1.500 s, pid 10 (abc 1)\n");
	sb_reset(&sb);
	rec_summary("o.cprof", f, 3, &sb);
	assert_string_equal(sb.buf,
			    "/t/o.cprof: 150 samples (0 dropped) in 1.500 s, pid 10 (abc 1)\n"
			    "/t/o.cprof.12: 5 samples (0 dropped) in 1.500 s, pid 12 (abc 1); cut short; "
			    "4096 bytes of zero padding cut off\n"
			    "total: 155 samples (0 dropped, 1.550 s of CPU) in 2 files o.cprof*; "
			    "1 more file without samples\n");
	sb_release(&sb);
}

static void test_unseen_warning(void **state)
{
	(void)state;
	rec_file f = file("/t/o.cprof", 10, 10, 100000000);
	strbuf sb = STRBUF_INIT;
	/* 0.1 s recorded of 1 s used: the gap is said */
	assert_true(rec_unseen_warning(&f, 1, 1000000000, 100, &sb));
	assert_non_null(strstr(sb.buf, "the command used 1.000 s of user CPU but the files hold 0.100 s (10%)"));
	sb_reset(&sb);
	/* half or more recorded, too little CPU to tell, or wall mode: nothing */
	assert_false(rec_unseen_warning(&f, 1, 200000000, 100, &sb));
	assert_false(rec_unseen_warning(&f, 1, 150000000, 100, &sb));
	assert_false(rec_unseen_warning(&f, 1, 1000000000, 10, &sb)); /* 20 samples at 10 Hz: 2 s */
	f.wall = true;
	assert_false(rec_unseen_warning(&f, 1, 1000000000, 100, &sb));
	assert_int_equal(sb.len, 0);
	sb_release(&sb);
}

static void collect(void *ctx, const char *msg)
{
	strbuf *sb = ctx;
	sb_addf(sb, "%s|", msg);
}

/* rec_record of argv with the output in a fresh directory; the messages
 * joined by '|' into *said. */
static int record(char *const *argv, const char *output, strbuf *said)
{
	rec_opts o = REC_OPTS_INIT;
	o.argv = argv;
	o.output = output;
	o.library = "libc.so.6"; /* preloads cleanly, records nothing */
	o.say = collect;
	o.say_ctx = said;
	return rec_record(&o);
}

static void test_run_statuses(void **state)
{
	(void)state;
	char dir[] = "/tmp/cprof-test-record.XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* the dispositions this test started with (a shell's background job
	 * starts with SIGINT ignored: not necessarily SIG_DFL) */
	struct sigaction int0, term0;
	sigaction(SIGINT, NULL, &int0);
	sigaction(SIGTERM, NULL, &term0);
	strbuf out = STRBUF_INIT, said = STRBUF_INIT;
	sb_addf(&out, "%s/o.cprof", dir);
	/* the command's status; nothing recorded is said, and turns only a
	 * success into a failure */
	char *fail3[] = { "/bin/sh", "-c", "exit 3", NULL };
	assert_int_equal(record(fail3, out.buf, &said), 3);
	assert_non_null(strstr(said.buf, "nothing was recorded: "));
	sb_reset(&said);
	char *ok[] = { "/bin/sh", "-c", "exit 0", NULL };
	assert_int_equal(record(ok, out.buf, &said), 2);
	assert_non_null(strstr(said.buf, "nothing was recorded: "));
	assert_non_null(strstr(said.buf, "loaded libc.so.6 "));
	sb_reset(&said);
	/* killed by a signal: 128 + N */
	char *killed[] = { "/bin/sh", "-c", "kill -TERM $$", NULL };
	assert_int_equal(record(killed, out.buf, &said), 128 + SIGTERM);
	sb_reset(&said);
	/* a command that does not exist: 127 and exec's reason, said once */
	char *missing[] = { "/nonexistent/prog", NULL };
	assert_int_equal(record(missing, out.buf, &said), 127);
	assert_string_equal(said.buf, "/nonexistent/prog: No such file or directory|");
	sb_reset(&said);
	/* an output that cannot be written: 2 before anything runs */
	sb_reset(&out);
	sb_addf(&out, "%s/no-such-dir/o.cprof", dir);
	char *touch[] = { "/bin/sh", "-c", "exit 5", NULL };
	assert_int_equal(record(touch, out.buf, &said), 2);
	assert_non_null(strstr(said.buf, "cannot write "));
	/* the dispositions cprof-record changed for the run are put back */
	struct sigaction sa;
	sigaction(SIGINT, NULL, &sa);
	assert_true(sa.sa_handler == int0.sa_handler);
	sigaction(SIGTERM, NULL, &sa);
	assert_true(sa.sa_handler == term0.sa_handler);
	sb_release(&out);
	sb_release(&said);
	assert_int_equal(rmdir(dir), 0); /* nothing left behind */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_unseen_warning),
		cmocka_unit_test(test_run_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
