/* cprof-fold: folded stacks for flamegraph.pl, inferno and speedscope. */
#include <stdlib.h>

#include "cli.h"
#include "folded.h"

/* --pid, --tid: stackcollapse-perf.pl's root frame; --tid wins whatever the
 * order, as in the script */
static int root_pid(void *v, const char *arg)
{
	(void)arg;
	names_root *r = v;
	if (*r != NAMES_ROOT_TID)
		*r = NAMES_ROOT_PID;
	return 0;
}

static int root_tid(void *v, const char *arg)
{
	(void)arg;
	*(names_root *)v = NAMES_ROOT_TID;
	return 0;
}

static const cli_usage usage = {
	.name = "cprof-fold",
	.synopsis = "cprof-fold [options] FILE...",
	.about = "Writes folded stacks: one line per distinct stack, frames root first joined\n"
		 "by ';', a space and the count; lines sorted. flamegraph.pl and inferno read it\n"
		 "unchanged. In names, ';' becomes ':' and control characters become spaces.\n",
	.footer = "Examples:\n"
		  "  cprof-fold out.cprof | flamegraph.pl > flame.svg\n"
		  "  perf script | cprof-fold --all - > out.folded\n",
	.no_operand = CLI_NO_INPUT,
};

int main(int argc, char **argv)
{
	cli_args a = CLI_ARGS_INIT;
	a.read.aggregate = true; /* folded lines group samples */
	folded_opts o = { .value = PROF_NONE };
	bool all = false;
	const cli_option opts[] = {
		CLI_OPT_VALUE(&a.value, "default: samples (or the default type without one;\n"
					"perf script input: the event's periods)"),
		CLI_OPTS_NAMES(&o.names),
		CLI_OPT_THREADS(&o.threads),
		CLI_OPT_CALLBACK(0, "pid", &o.root, NULL,
				 "process name-PID as the root frame (stackcollapse-\n"
				 "perf.pl's --pid; raw and perf input; [unknown]-? without\n"
				 "threads)",
				 root_pid, NULL),
		CLI_OPT_CALLBACK(0, "tid", &o.root, NULL, "process name-PID/TID as the root frame",
				 root_tid, NULL),
		CLI_OPT_TEXT("perf script input is written as stackcollapse-perf.pl writes it, process\n"
			     "name first; its options mean the same here (--addrs: [module <address>]\n"
			     "on the frames perf could not name; --inline: always):"),
		CLI_OPT_BOOL(0, "kernel", &o.kernel_marks, "kernel frames with an _[k] suffix"),
		CLI_OPT_BOOL(0, "jit", &o.jit_marks,
			     "JIT frames (from /tmp/perf-PID.map) with an _[j] suffix"),
		CLI_OPT_BOOL(0, "all", &all, "--kernel and --jit"),
		CLI_OPT_STRING(0, "event-filter", &a.read.event, "EVENT", "the same as --event"),
		CLI_OPTS_FILTER(&a.filter),
		CLI_OPTS_READ(&a.read),
		CLI_OPT_OUTPUT(&a.output),
		CLI_OPT_END(),
	};
	int first = cli_parse(argc, argv, opts, &usage);
	if (all)
		o.kernel_marks = o.jit_marks = true;
	if (!cli_load(&a, argv + first, argc - first, &o.value))
		return CLI_EXIT_INPUT;
	o.mask = a.mask;
	strbuf out = STRBUF_INIT;
	cprof_err err = { { 0 } };
	return cli_finish(&a, folded_write(a.profile, &o, &out, &err), &err, &out);
}
