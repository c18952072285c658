/* cprof-fold: folded stacks for flamegraph.pl, inferno and speedscope. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "folded.h"


static void usage(FILE *f)
{
	fprintf(f,
		"usage: cprof-fold [options] FILE...\n"
		"Writes folded stacks: one line per distinct stack, frames root first joined\n"
		"by ';', a space and the count; lines sorted. flamegraph.pl and inferno read it\n"
		"unchanged. In names, ';' becomes ':' and control characters become spaces.\n\n"
		"  --value TYPE        count this sample type (e.g. cpu for nanoseconds);\n"
		"                      default: samples (or the default type without one;\n"
		"                      perf script input: the event's periods)\n"
		"  --lines             frames as func:line\n"
		"  --addrs             tell frames apart by address: func@0xaddress (perf\n"
		"                      script input: as stackcollapse-perf.pl --addrs, only\n"
		"                      frames perf could not name, as [module <address>])\n"
		"  --inline            mark inlined frames with FlameGraph's _[i] suffix\n"
		"                      (perf script input: always, as stackcollapse-perf.pl)\n"
		"  --threads           the thread name as the root frame (raw, perf input)\n"
		"  --no-symbolize      raw input: keep module+offset frames\n"
		"perf script input is written as stackcollapse-perf.pl writes it, process name\n"
		"first; its options mean the same here:\n"
		"  --pid, --tid        process name-PID, or name-PID/TID, as the root frame\n"
		"  --kernel            kernel frames with an _[k] suffix\n"
		"  --jit               JIT frames (from /tmp/perf-PID.map) with an _[j] suffix\n"
		"  --all               --kernel and --jit\n"
		"  --event-filter EVENT  the same as --event\n"
		"%s%s\n"
		"Examples:\n"
		"  cprof-fold out.cprof | flamegraph.pl > flame.svg\n"
		"  perf script | cprof-fold --all - > out.folded\n",
		cli_help_filters, cli_help_common);
}

int main(int argc, char **argv)
{
	cli_init("cprof-fold");
	enum { O_PID = CLI_OPT_FIRST_FREE, O_TID, O_KERNEL, O_JIT, O_ALL };
	static const struct option longopts[] = {
		{ "pid", no_argument, NULL, O_PID },
		{ "tid", no_argument, NULL, O_TID },
		{ "kernel", no_argument, NULL, O_KERNEL },
		{ "jit", no_argument, NULL, O_JIT },
		{ "all", no_argument, NULL, O_ALL },
		{ "event-filter", required_argument, NULL, CLI_OPT_EVENT },
		CLI_NAME_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	folded_opts o = { .value = PROF_NONE };
	filter_opts f = { 0 };
	prof_read_opts ro = { 0 };
	const char *value = NULL, *output = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		int r = cli_filter_opt(c, optarg, &f);
		if (r == 0)
			r = cli_read_opt(c, optarg, &ro);
		if (r < 0)
			return 2;
		if (r > 0 || cli_name_opt(c, optarg, &value, &o.names, &o.threads, &ro))
			continue;
		switch (c) {
		case O_PID: if (o.root != FOLDED_ROOT_TID) o.root = FOLDED_ROOT_PID; break;
		case O_TID: o.root = FOLDED_ROOT_TID; break;
		case O_KERNEL: o.kernel_marks = true; break;
		case O_JIT: o.jit_marks = true; break;
		case O_ALL: o.kernel_marks = o.jit_marks = true; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	bool *mask;
	if (cli_no_inputs(argc, optind))
		return 2;
	profile *p = cli_load(argv + optind, argc - optind, &ro, value, &o.value, &f, &mask);
	if (!p)
		return 1;
	const char *file = argv[optind];
	int rc = 1;
	strbuf out = STRBUF_INIT;
	cprof_err err = { { 0 } };
	o.mask = mask;
	if (folded_write(p, &o, &out, &err) < 0) {
		cli_error(file, "%s", err.msg);
		goto done;
	}
	rc = cli_write(output, out.buf, out.len);
done:
	sb_release(&out);
	free(mask);
	prof_free(p);
	return rc;
}
