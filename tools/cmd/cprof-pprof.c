/* cprof-pprof: any profile(s) in, one gzipped pprof profile out. */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pprof.h"


static const cli_usage usage = {
	.name = "cprof-pprof",
	.synopsis = "cprof-pprof [options] IN... [-o OUT.pb.gz]",
	.about = "Converts profiles to one gzipped pprof profile (what `go tool pprof` reads):\n"
		 "sample types samples/count and cpu/nanoseconds (wall/nanoseconds in wall mode),\n"
		 "samples grouped by (stack, labels), mappings with build-ids, functions with\n"
		 "file and start line, locations with addresses and inlined lines. Several\n"
		 "inputs merge into one profile; they must have the same sample types.\n",
	.footer = "The output is binary: it is not written to a terminal.\n"
		  "Example:\n"
		  "  cprof-pprof out.cprof -o out.pb.gz && go tool pprof -top out.pb.gz\n",
	.no_operand = CLI_NO_INPUT,
};

int main(int argc, char **argv)
{
	cli_args a = CLI_ARGS_INIT;
	a.read.aggregate = true; /* pprof samples are groups */
	pprof_write_opts wo = { 0 };
	const cli_option opts[] = {
		CLI_OPT_BOOL(0, "thread-labels", &wo.thread_labels,
			     "label each sample with its thread: \"thread\" (name)\n"
			     "and \"tid\" (numeric); groups by thread too"),
		CLI_OPTS_FILTER_OUT(&a.filter),
		CLI_OPTS_READ(&a.read),
		CLI_OPT_OUTPUT(&a.output),
		CLI_OPT_END(),
	};
	int first = cli_parse(argc, argv, opts, &usage);
	if ((!a.output || !strcmp(a.output, "-")) && isatty(STDOUT_FILENO)) {
		cli_error(NULL, "refusing to write binary pprof data to a terminal "
				"(use -o FILE or redirect stdout)");
		return CLI_EXIT_USAGE;
	}
	if (!cli_load(&a, argv + first, argc - first, NULL))
		return CLI_EXIT_INPUT;
	wo.mask = a.mask;
	strbuf gz = STRBUF_INIT;
	cprof_err err = { { 0 } };
	return cli_finish(&a, pprof_write(a.profile, &wo, &gz, &err), &err, &gz);
}
