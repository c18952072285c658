/*
 * cprof-record: runs a command under the cprof sampler (LD_PRELOAD of
 * libcprof-sample.so) and exits with the command's status. The work is
 * rec_record's (tools/record.h); this is its option table.
 */
#include <string.h>

#include "cprof_rawfmt.h"
#include "record.h"
#include "cli.h"

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

static void say(void *ctx, const char *msg)
{
	(void)ctx;
	cli_error(NULL, "%s", msg);
}

int main(int argc, char **argv)
{
	rec_opts o = REC_OPTS_INIT;
	const cli_option opts[] = {
		CLI_OPT_U64('F', "frequency", &o.hz, "HZ",
			    "samples per second of CPU time per thread (default 100)", 1, 100000,
			    "a rate from 1 to 100000"),
		CLI_OPT_STRING('o', "output", &o.output, "FILE",
			       "the raw file (default cprof.out); a forked child writes\n"
			       "FILE.<pid>, an exec'd image FILE.<pid> or FILE.<pid>.<n>"),
		CLI_OPT_CALLBACK(0, "mode", &o.mode, "MODE",
				 "cpu: sample threads as they use CPU time (default);\n"
				 "wall: sample every thread at the rate, running or\n"
				 "blocked (off-CPU samples are flagged)",
				 mode, "cpu or wall"),
		CLI_OPT_CALLBACK(0, "unwind", &o.unwind, "U",
				 "libunwind (default, DWARF unwind info) or fp (frame\n"
				 "pointers: faster, needs -fno-omit-frame-pointer)",
				 unwinder, "libunwind or fp"),
		CLI_OPT_U64(0, "max-depth", &o.max_depth, "N",
			    "frames kept per sample, 1 to 1024 (default 256);\n"
			    "deeper stacks are cut and flagged as truncated",
			    1, CPROF_RAW_MAX_FRAMES, "a depth from 1 to 1024"),
		CLI_OPT_BOOL('q', "quiet", &o.quiet, "no summary at the end"),
		CLI_OPT_END(),
	};
	o.argv = argv + cli_parse(argc, argv, opts, &usage);
	o.say = say;
	return rec_record(&o);
}
