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
	if (strcmp(arg, "libunwind") && strcmp(arg, "dwarf") && strcmp(arg, "fp"))
		return -1;
	*(const char **)v = arg;
	return 0;
}

static int sampler(void *v, const char *arg)
{
	static const char *const names[] = { "auto", "preload", "kernel" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(arg, names[i])) {
			*(rec_sampler *)v = (rec_sampler)i;
			return 0;
		}
	return -1;
}

_Static_assert(CPROF_RAW_MAX_FRAMES == 1024, "--max-depth's help and error say 1024");

static const cli_usage usage = {
	.name = "cprof-record",
	.synopsis = "cprof-record [-F HZ] [-o FILE] [--sampler auto|preload|kernel]\n"
		    "                    [--mode cpu|wall] [--unwind libunwind|dwarf|fp] [--max-depth N]\n"
		    "                    -- COMMAND [ARGS...]",
	.about = "\n"
		 "Runs COMMAND under a sampler and records every thread's stacks, in every\n"
		 "process it starts. Exits with COMMAND's exit status (128+N if it was\n"
		 "killed by signal N).\n"
		 "\n"
		 "Two samplers (--sampler): preload, libcprof-sample.so in each process,\n"
		 "writing raw files (docs/raw-format.md; cpu and wall mode); kernel,\n"
		 "perf_event from outside the process, following its threads and children\n"
		 "into one perf.data file that every cprof tool (and perf report) reads:\n"
		 "threads that block signals and any binary. By default (auto) programs the\n"
		 "preloaded sampler cannot enter (static, static-pie, Go, another machine)\n"
		 "are recorded by the kernel sampler, all others by the preloaded one.\n"
		 "\n"
		 "Before running, it refuses (exit 2, nothing runs) an output path it cannot\n"
		 "write, and with --sampler preload such programs (it says why). After the\n"
		 "run it cuts the zero padding off raw files of processes that died without\n"
		 "closing them, lists each file that holds samples, warns when the files\n"
		 "hold much less CPU time than the command used, and exits 2 when nothing\n"
		 "was recorded at all although the command succeeded.\n",
	.footer = "The same settings work without cprof-record, as environment variables of\n"
		  "a program run with LD_PRELOAD=libcprof-sample.so:\n"
		  "  CPROF_OUT=FILE (recording starts only if set)  CPROF_HZ=HZ\n"
		  "  CPROF_MODE=cpu|wall  CPROF_UNWIND=libunwind|fp  CPROF_MAX_DEPTH=N\n"
		  "  CPROF_TIMER=perf|timer_create|setitimer (force a timer; default: the best)\n"
		  "  CPROF_MAX_SIZE=BYTES (largest file, default 4 GiB; beyond: samples dropped)\n"
		  "cprof-record finds libcprof-sample.so in ../lib next to itself, else in\n"
		  "$CPROF_LIB or the loader's search path.\n"
		  "\n"
		  "Examples:\n"
		  "  cprof-record -F 1000 -o abc.cprof -- ./abc 2 && cprof-raw abc.cprof\n"
		  "  cprof-record --sampler kernel -o build.data -- make -j2 && cprof-top build.data\n",
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
			       "FILE.<pid>, an exec'd image FILE.<pid> or FILE.<pid>.<n>;\n"
			       "the kernel sampler writes every process into FILE"),
		CLI_OPT_CALLBACK(0, "mode", &o.mode, "MODE",
				 "cpu: sample threads as they use CPU time (default);\n"
				 "wall: sample every thread at the rate, running or\n"
				 "blocked (off-CPU samples are flagged)",
				 mode, "cpu or wall"),
		CLI_OPT_CALLBACK(0, "unwind", &o.unwind, "U",
				 "libunwind or dwarf (default, the same: DWARF unwind\n"
				 "info) or fp (frame pointers: faster, needs\n"
				 "-fno-omit-frame-pointer)",
				 unwinder, "libunwind, dwarf or fp"),
		CLI_OPT_CALLBACK(0, "sampler", &o.sampler, "S",
				 "auto (default): preload, or kernel for programs it\n"
				 "cannot enter (static, static-pie, Go); preload: the\n"
				 "sampler library in every process (raw files); kernel:\n"
				 "perf_event from outside, following children, into one\n"
				 "perf.data file (threads that block signals, any binary)",
				 sampler, "auto, preload or kernel"),
		CLI_OPT_U64(0, "max-depth", &o.max_depth, "N",
			    "frames kept per sample, 1 to 1024 (default 256);\n"
			    "deeper stacks are cut and flagged as truncated (kernel\n"
			    "sampler, --unwind fp: at most kernel.perf_event_max_stack)",
			    1, CPROF_RAW_MAX_FRAMES, "a depth from 1 to 1024"),
		CLI_OPT_BOOL('q', "quiet", &o.quiet, "no summary at the end"),
		CLI_OPT_END(),
	};
	o.argv = argv + cli_parse(argc, argv, opts, &usage);
	o.say = say;
	return rec_record(&o);
}
