/* Unit tests of perfrec, the kernel sampler: a real child recorded from
 * its exec to its end (the file is perf.data that cprof's reader reads,
 * with the samples and the process the stats say), and the failures that
 * must leave nothing behind: a process that is gone, an output directory
 * that does not exist. Skipped where perf_event_open is refused (a
 * container, perf_event_paranoid 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perfrec.h"
#include "reader.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cprof-perfrec.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

/* A child that waits for a byte on *go before it runs a busy shell loop
 * (its exec enables the events); *go is the pipe's write end. */
static pid_t stopped_child(int *go)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		execl("/bin/sh", "sh", "-c", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static size_t entries(void)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_records_a_child(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/run.data", dir);
	int go;
	pid_t pid = stopped_child(&go);
	prec_opts o = PREC_OPTS_INIT;
	o.hz = 1000;
	prec *r;
	cprof_err err = { { 0 } };
	if (prec_open(&r, pid, &o, path, &err) < 0) {
		close(go);
		waitpid(pid, NULL, 0);
		if (strstr(err.msg, "perf_event_open"))
			skip(); /* refused here: nothing to test */
		fail_msg("prec_open: %s", err.msg);
	}
	assert_int_equal(write(go, "g", 1), 1);
	close(go);
	int status = 0;
	while (waitpid(pid, &status, WNOHANG) == 0)
		assert_true(prec_poll(r, -1, 20, &err) >= 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	prec_stats st;
	assert_int_equal(prec_finish(r, &st, &err), 0);
	/* the shell's loop takes tens of ms of CPU time at 1 kHz */
	assert_true(st.samples >= 5);
	assert_int_equal(st.lost, 0);
	assert_true(st.nprocs_sampled >= 1);
	assert_int_equal(st.procs[0].pid, (uint32_t)pid);
	assert_string_equal(st.procs[0].comm, "sh");
	assert_true(st.last_ns >= st.first_ns);
	free(st.procs);
	/* only the file, under its name: no temporary left */
	assert_int_equal(entries(), 1);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, st.bytes);

	profile *p = NULL;
	prof_read_opts ro = { 0 };
	ro.no_symbolize = true;
	assert_int_equal(prof_read_file(path, &ro, &p, &err), 0);
	assert_int_equal(p->nsamples, st.samples);
	assert_string_equal(p->source_format, "perf.data");
	prof_free(p);
}

static void test_gone_process(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/gone.data", dir);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	prec_opts o = PREC_OPTS_INIT;
	prec *r = (prec *)1;
	cprof_err err = { { 0 } };
	assert_int_equal(prec_open(&r, pid, &o, path, &err), -1);
	assert_null(r);
	assert_non_null(strstr(err.msg, "perf_event_open for CPU"));
	assert_int_equal(entries(), 0);
}

static void test_no_directory(void **state)
{
	(void)state;
	char path[160];
	snprintf(path, sizeof(path), "%s/no-such-dir/x.data", dir);
	int go;
	pid_t pid = stopped_child(&go);
	prec_opts o = PREC_OPTS_INIT;
	prec *r;
	cprof_err err = { { 0 } };
	int rc = prec_open(&r, pid, &o, path, &err);
	close(go);
	waitpid(pid, NULL, 0);
	if (rc < 0 && strstr(err.msg, "perf_event_open"))
		skip();
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "cannot create output"));
	assert_int_equal(entries(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records_a_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_directory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
