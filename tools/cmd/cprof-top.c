/* cprof-top: pprof's text reports (-top, -peek, -traces), or the table of
 * distinct stacks. */
#include "cli.h"
#include "dot.h"
#include "source.h"
#include "top.h"


static int by(void *v, const char *arg)
{
	return top_parse_by(arg, v);
}

/* --peek RE, --traces, --dot, --list RE: the report (the last one given) */
static int report_peek(void *v, const char *arg)
{
	top_opts *o = v;
	if (cli_check_regex("--peek", arg))
		return -2;
	o->report = TOP_REPORT_PEEK;
	o->symbol = arg;
	return 0;
}

static int report_traces(void *v, const char *arg)
{
	(void)arg;
	((top_opts *)v)->report = TOP_REPORT_TRACES;
	return 0;
}

static int report_dot(void *v, const char *arg)
{
	(void)arg;
	((top_opts *)v)->report = TOP_REPORT_DOT;
	return 0;
}

static int report_list(void *v, const char *arg)
{
	top_opts *o = v;
	if (cli_check_regex("--list", arg))
		return -2;
	o->report = TOP_REPORT_LIST;
	o->symbol = arg;
	return 0;
}

static const cli_usage usage = {
	.name = "cprof-top",
	.synopsis = "cprof-top [options] FILE...",
	.about = "Prints the functions (or lines, files, addresses, stacks) that the samples\n"
		 "spend their time in, with the columns of `go tool pprof -top`: flat flat% sum%\n"
		 "cum cum%. flat is the value of the samples whose leaf is the row, cum of the\n"
		 "samples with the row anywhere in the stack (once per sample, even when it\n"
		 "recurses). --peek, --traces, --dot and --list print pprof's -peek, -traces,\n"
		 "-dot and -list instead.\n",
	.footer = "Example:\n"
		  "  cprof-top -n 10 out.cprof\n"
		  "  cprof-top --by stack --focus '^A$' out.cprof\n"
		  "  cprof-top --peek '^A$' out.cprof\n"
		  "  cprof-top --dot out.cprof | dot -Tsvg > graph.svg\n"
		  "  cprof-top --list '^main$' --source-path ~/src/proj out.cprof\n",
	.no_operand = CLI_NO_INPUT,
};

int main(int argc, char **argv)
{
	cli_args a = CLI_ARGS_INIT;
	a.read.aggregate = true; /* every report groups samples */
	top_opts o = TOP_OPTS_INIT;
	const cli_option opts[] = {
		CLI_OPT_CALLBACK(0, "peek", &o, "RE",
				 "the functions matching RE (POSIX extended regex) with\n"
				 "their callers above and callees below (pprof's -peek)",
				 report_peek, NULL),
		CLI_OPT_CALLBACK(0, "traces", &o, NULL,
				 "every sample's stack, leaf first, with its value and\n"
				 "labels (pprof's -traces)",
				 report_traces, NULL),
		CLI_OPT_CALLBACK(0, "dot", &o, NULL,
				 "the call graph in graphviz's DOT language (pprof's -dot:\n"
				 "at most 80 nodes unless -n; draw it with dot -Tsvg)",
				 report_dot, NULL),
		CLI_OPT_CALLBACK(0, "list", &o, "RE",
				 "the source of the functions matching RE, each line with\n"
				 "its flat and cum (pprof's -list)",
				 report_list, NULL),
		CLI_OPT_STRING(0, "source-path", &o.source_path, "DIRS",
			       "where --list looks for relative source paths (':'-\n"
			       "separated, and their parents; default: the current\n"
			       "directory)"),
		CLI_OPT_STRING(0, "trim-path", &o.trim_path, "PATHS",
			       "prefixes to cut from source paths (':'-separated);\n"
			       "without one, the part up to a --source-path directory's\n"
			       "name goes"),
		CLI_OPT_CALLBACK(0, "by", &o.by, "KIND",
				 "function (default), line, file, address, or stack: one\n"
				 "row per distinct stack (root first) with every sample\n"
				 "type (samples/count, cpu/nanoseconds)",
				 by, "function, line, file, address or stack"),
		CLI_OPT_VALUE(&a.value, "default: the profile's default type, as pprof"),
		CLI_OPT_BOOL(0, "cum", &o.cum_sort, "sort by cum instead of flat"),
		CLI_OPT_INT('n', "nodecount", &o.nodecount, "N", "show the first N rows", 0, 100000000,
			    "a count"),
		CLI_OPT_DOUBLE(0, "nodefraction", &o.node_fraction, "F",
			       "drop rows with cum below F of the total (default 0.005)", 0, 1,
			       "a number in [0, 1]"),
		CLI_OPT_DOUBLE(0, "edgefraction", &o.edge_fraction, "F",
			       "drop call edges below F of the total (default 0.001):\n"
			       "`(inline)` is decided on the edges left, as pprof does",
			       0, 1, "a number in [0, 1]"),
		CLI_OPT_BOOL(0, "no-header", &o.no_header, "leave out the File/Type/Time/Duration lines"),
		CLI_OPT_BOOL(0, "full-stacks", &o.full_stacks,
			     "--by stack: keep the frames above main() (_start, ...)"),
		CLI_OPTS_FILTER(&a.filter),
		CLI_OPTS_READ(&a.read),
		CLI_OPT_OUTPUT(&a.output),
		CLI_OPT_END(),
	};
	int first = cli_parse(argc, argv, opts, &usage);
	if (o.by == TOP_STACK && o.report != TOP_REPORT_TOP) {
		cli_error(NULL, "--by stack is the top table's: not with --peek, --traces, --dot or --list");
		return CLI_EXIT_USAGE;
	}
	profile *p = cli_load(&a, argv + first, argc - first, &o.value);
	if (!p)
		return CLI_EXIT_INPUT;
	strbuf out = STRBUF_INIT;
	cprof_err err = { { 0 } };
	o.mask = a.mask;
	o.filters = &a.filter;
	int r = o.report == TOP_REPORT_DOT    ? dot_write(p, &o, &out, &err)
		: o.report == TOP_REPORT_LIST ? source_list(p, &o, &out, &err)
					      : top_write(p, &o, &out, &err);
	return cli_finish(&a, r, &err, &out);
}
