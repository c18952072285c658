/*
 * cprof-record: runs a command under the cprof sampler (LD_PRELOAD of
 * libcprof-sample.so) and exits with the command's status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cprof_rawfmt.h"
#include "record.h"
#include "cli.h"
#include "util.h"

/* --mode, --unwind: one of the words the sampler takes */
static int mode(void *v, const char *arg)
{
	if (strcmp(arg, "cpu") && strcmp(arg, "wall"))
		return -1;
	*(const char **)v = arg;
	return 0;
}

static int unwinder(void *v, const char *arg)
{
	if (strcmp(arg, "libunwind") && strcmp(arg, "fp"))
		return -1;
	*(const char **)v = arg;
	return 0;
}

_Static_assert(CPROF_RAW_MAX_FRAMES == 1024, "--max-depth's help and error say 1024");

static const cli_usage usage = {
	.name = "cprof-record",
	.synopsis = "cprof-record [-F HZ] [-o FILE] [--mode cpu|wall] [--unwind libunwind|fp]\n"
		    "                    [--max-depth N] -- COMMAND [ARGS...]",
	.about = "\n"
		 "Runs COMMAND with the cprof sampler preloaded and records every thread's\n"
		 "stacks into a raw file (see docs/raw-format.md). Exits with COMMAND's exit\n"
		 "status (128+N if it was killed by signal N).\n"
		 "\n"
		 "Before running, it refuses (exit 2, nothing runs) an output path it cannot\n"
		 "write and programs the preloaded sampler cannot enter: static and static-pie\n"
		 "programs, Go programs (use runtime/pprof: cprof tools read its profiles) and\n"
		 "programs of another machine; it says why and what to use instead (perf).\n"
		 "After the run it cuts the zero padding off files of processes that died\n"
		 "without closing them, lists each file that holds samples, warns when the\n"
		 "files hold much less CPU time than the command used, and exits 2 when\n"
		 "nothing was recorded at all although the command succeeded.\n",
	.footer = "The same settings work without cprof-record, as environment variables of\n"
		  "a program run with LD_PRELOAD=libcprof-sample.so:\n"
		  "  CPROF_OUT=FILE (recording starts only if set)  CPROF_HZ=HZ\n"
		  "  CPROF_MODE=cpu|wall  CPROF_UNWIND=libunwind|fp  CPROF_MAX_DEPTH=N\n"
		  "  CPROF_TIMER=perf|timer_create|setitimer (force a timer; default: the best)\n"
		  "  CPROF_MAX_SIZE=BYTES (largest file, default 4 GiB; beyond: samples dropped)\n"
		  "cprof-record finds libcprof-sample.so in ../lib next to itself, else in\n"
		  "$CPROF_LIB or the loader's search path.\n"
		  "\n"
		  "Example:\n"
		  "  cprof-record -F 1000 -o abc.cprof -- ./abc 2 && cprof-raw abc.cprof\n",
	.no_operand = "no command to run (see --help)",
	.stop_at_operand = true,
};

static const char *find_library(char *buf, size_t n)
{
	char self[PATH_MAX - 32];
	const char *env = getenv("CPROF_LIB");
	ssize_t len;

	if (env && *env)
		return env;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, n, "%s/../lib/libcprof-sample.so", self);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	return "libcprof-sample.so";
}

/* "1.234 s" */
static void add_secs(strbuf *sb, int64_t ns)
{
	sb_addf(sb, "%.3f s", (double)ns / 1e9);
}

/* One line per file that holds samples (earliest first), then the total;
 * files without samples are only counted (unless still being written), so
 * an empty one never leads. */
static void summarize(const char *out, const rec_file *f, size_t n)
{
	uint64_t samples = 0, dropped = 0;
	int64_t cpu = 0;
	size_t with = 0;
	strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		samples += f[i].samples;
		dropped += f[i].dropped;
		cpu += f[i].wall ? 0 : f[i].cpu_ns;
		with += f[i].samples > 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!f[i].samples && !f[i].live && n > 1)
			continue;
		sb_reset(&sb);
		sb_addf(&sb, "cprof-record: %s: %llu samples (%llu dropped) in ", f[i].path,
			(unsigned long long)f[i].samples, (unsigned long long)f[i].dropped);
		add_secs(&sb, (int64_t)(f[i].end_ns - f[i].start_ns));
		sb_addf(&sb, ", pid %u (%s)", f[i].pid, f[i].command);
		if (*f[i].problem)
			sb_addf(&sb, "; %s", f[i].problem);
		if (f[i].trimmed)
			sb_addf(&sb, "; %llu bytes of zero padding cut off",
				(unsigned long long)f[i].trimmed);
		fprintf(stderr, "%s\n", sb.buf);
	}
	if (n > 1) {
		sb_reset(&sb);
		sb_addf(&sb, "cprof-record: total: %llu samples (%llu dropped", (unsigned long long)samples,
			(unsigned long long)dropped);
		if (cpu) {
			sb_adds(&sb, ", ");
			add_secs(&sb, cpu);
			sb_adds(&sb, " of CPU");
		}
		sb_addf(&sb, ") in %zu file%s %s*", with, with == 1 ? "" : "s", out);
		if (n > with)
			sb_addf(&sb, "; %zu more file%s without samples", n - with,
				n - with == 1 ? "" : "s");
		fprintf(stderr, "%s\n", sb.buf);
	}
	sb_release(&sb);
}

static pid_t child;

static void forward_signal(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	const char *out = "cprof.out", *mode_ = NULL, *unwind = NULL;
	uint64_t hzv = 100, depthv = 0;
	bool quiet = false;
	const cli_option opts[] = {
		CLI_OPT_U64('F', "frequency", &hzv, "HZ",
			    "samples per second of CPU time per thread (default 100)", 1, 100000,
			    "a rate from 1 to 100000"),
		CLI_OPT_STRING('o', "output", &out, "FILE",
			       "the raw file (default cprof.out); a forked child writes\n"
			       "FILE.<pid>, an exec'd image FILE.<pid> or FILE.<pid>.<n>"),
		CLI_OPT_CALLBACK(0, "mode", &mode_, "MODE",
				 "cpu: sample threads as they use CPU time (default);\n"
				 "wall: sample every thread at the rate, running or\n"
				 "blocked (off-CPU samples are flagged)",
				 mode, "cpu or wall"),
		CLI_OPT_CALLBACK(0, "unwind", &unwind, "U",
				 "libunwind (default, DWARF unwind info) or fp (frame\n"
				 "pointers: faster, needs -fno-omit-frame-pointer)",
				 unwinder, "libunwind or fp"),
		CLI_OPT_U64(0, "max-depth", &depthv, "N",
			    "frames kept per sample, 1 to 1024 (default 256);\n"
			    "deeper stacks are cut and flagged as truncated",
			    1, CPROF_RAW_MAX_FRAMES, "a depth from 1 to 1024"),
		CLI_OPT_BOOL('q', "quiet", &quiet, "no summary at the end"),
		CLI_OPT_END(),
	};
	char libbuf[PATH_MAX + 64], hz[24], depth[24];
	strbuf outsb = STRBUF_INIT;
	const char *outabs;
	int status;
	int first = cli_parse(argc, argv, opts, &usage);
	snprintf(hz, sizeof(hz), "%llu", (unsigned long long)hzv);
	snprintf(depth, sizeof(depth), "%llu", (unsigned long long)depthv);
	if (out[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			fprintf(stderr, "cprof-record: getcwd: %s\n", strerror(errno));
			return 2;
		}
		sb_addf(&outsb, "%s/%s", cwd, out);
	} else {
		sb_adds(&outsb, out);
	}
	outabs = outsb.buf;
	/* Before the command runs: a recording that cannot be written must not
	 * cost the user the whole run. */
	cprof_err oerr;
	if (rec_check_output(outabs, &oerr) < 0) {
		fprintf(stderr, "cprof-record: cannot write %s: %s\n", out, oerr.msg);
		sb_release(&outsb);
		return 2;
	}

	/* A program the sampler cannot enter is said before it runs. */
	rec_target tgt;
	strbuf why = STRBUF_INIT;
	rec_inspect(argv[first], &tgt);
	if (rec_refusal(&tgt, argv[first], &why)) {
		fprintf(stderr, "cprof-record: %s", why.buf);
		sb_release(&why);
		sb_release(&outsb);
		return 2;
	}

	const char *lib = find_library(libbuf, sizeof(libbuf));
	const char *old = getenv("LD_PRELOAD");
	strbuf pre = STRBUF_INIT;
	if (old && *old)
		sb_addf(&pre, "%s:", old);
	sb_adds(&pre, lib);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, forward_signal);
	signal(SIGHUP, forward_signal);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "cprof-record: fork: %s\n", strerror(errno));
		sb_release(&pre);
		sb_release(&outsb);
		return 2;
	}
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		setenv("LD_PRELOAD", pre.buf, 1);
		setenv("CPROF_OUT", outabs, 1);
		setenv("CPROF_HZ", hz, 1);
		if (mode_)
			setenv("CPROF_MODE", mode_, 1);
		if (unwind)
			setenv("CPROF_UNWIND", unwind, 1);
		if (depthv)
			setenv("CPROF_MAX_DEPTH", depth, 1);
		unsetenv("CPROF_ROOT_PID");
		execvp(argv[first], argv + first);
		fprintf(stderr, "cprof-record: %s: %s\n", argv[first], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	sb_release(&pre);
	struct rusage ru;
	while (wait4(child, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "cprof-record: waitpid: %s\n", strerror(errno));
			sb_release(&outsb);
			return 2;
		}
	}
	int rc = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	bool exec_failed = WIFEXITED(status) && WEXITSTATUS(status) >= 126;

	rec_file *files;
	size_t nfiles = rec_collect(outabs, (uint64_t)t0.tv_sec * 1000000000u + (uint64_t)t0.tv_nsec,
				    &files);
	if (!nfiles && !exec_failed) {
		/* The truth, and a failure: nothing of the run was recorded. */
		fprintf(stderr,
			"cprof-record: nothing was recorded: %s was not written, so no program the "
			"command ran loaded %s (a static or Go program run by a script, a program "
			"that clears LD_PRELOAD, or a library the loader refused: see its message "
			"above)\n",
			out, lib);
		if (!rc)
			rc = 2;
	} else if (nfiles) {
		if (!quiet)
			summarize(out, files, nfiles);
		/* CPU the command's processes used (those waited for) against
		 * what the files hold: a large gap is programs that ran unseen. */
		int64_t used = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
			       (int64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
		int64_t got = 0;
		bool wall = false;
		for (size_t i = 0; i < nfiles; i++) {
			got += files[i].cpu_ns;
			wall |= files[i].wall;
		}
		int64_t floor_ns = (int64_t)(20 * 1e9 / (double)hzv);
		if (!wall && used >= 200000000 && used >= floor_ns && got < used / 2)
			fprintf(stderr,
				"cprof-record: warning: the command used %.3f s of CPU but the files "
				"hold %.3f s (%.0f%%): programs it ran were not recorded (static or Go "
				"programs, or programs that clear LD_PRELOAD)\n",
				(double)used / 1e9, (double)got / 1e9, 100.0 * (double)got / (double)used);
	}
	rec_files_free(files, nfiles);
	sb_release(&outsb);
	return rc;
}
