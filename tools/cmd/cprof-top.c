/* cprof-top: pprof's text reports (-top, -peek, -traces), or the table of
 * distinct stacks. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dot.h"
#include "source.h"
#include "top.h"


static void usage(FILE *f)
{
	fprintf(f,
		"usage: cprof-top [options] FILE...\n"
		"Prints the functions (or lines, files, addresses, stacks) that the samples\n"
		"spend their time in, with the columns of `go tool pprof -top`: flat flat%% sum%%\n"
		"cum cum%%. flat is the value of the samples whose leaf is the row, cum of the\n"
		"samples with the row anywhere in the stack (once per sample, even when it\n"
		"recurses). --peek, --traces, --dot and --list print pprof's -peek, -traces,\n"
		"-dot and -list instead.\n\n"
		"  --peek RE           the functions matching RE (POSIX extended regex) with\n"
		"                      their callers above and callees below (pprof's -peek)\n"
		"  --traces            every sample's stack, leaf first, with its value and\n"
		"                      labels (pprof's -traces)\n"
		"  --dot               the call graph in graphviz's DOT language (pprof's -dot:\n"
		"                      at most 80 nodes unless -n; draw it with dot -Tsvg)\n"
		"  --list RE           the source of the functions matching RE, each line with\n"
		"                      its flat and cum (pprof's -list)\n"
		"  --source-path DIRS  where --list looks for relative source paths (':'-\n"
		"                      separated, and their parents; default: the current\n"
		"                      directory)\n"
		"  --trim-path PATHS   prefixes to cut from source paths (':'-separated);\n"
		"                      without one, the part up to a --source-path directory's\n"
		"                      name goes\n"
		"  --by KIND           function (default), line, file, address, or stack: one\n"
		"                      row per distinct stack (root first) with every sample\n"
		"                      type (samples/count, cpu/nanoseconds)\n"
		"  --value TYPE        the sample type to show (e.g. samples, cpu; TYPE/UNIT;\n"
		"                      or its index, as pprof's -sample_index); default: the\n"
		"                      profile's default type, as pprof\n"
		"  --cum               sort by cum instead of flat\n"
		"  -n, --nodecount N   show the first N rows\n"
		"  --nodefraction F    drop rows with cum below F of the total (default 0.005)\n"
		"  --edgefraction F    drop call edges below F of the total (default 0.001):\n"
		"                      `(inline)` is decided on the edges left, as pprof does\n"
		"  --no-header         leave out the File/Type/Time/Duration lines\n"
		"  --full-stacks       --by stack: keep the frames above main() (_start, ...)\n"
		"  --no-symbolize      raw input: keep module+offset frames\n"
		"%s%s\n"
		"Example:\n"
		"  cprof-top -n 10 out.cprof\n"
		"  cprof-top --by stack --focus '^A$' out.cprof\n"
		"  cprof-top --peek '^A$' out.cprof\n"
		"  cprof-top --dot out.cprof | dot -Tsvg > graph.svg\n"
		"  cprof-top --list '^main$' --source-path ~/src/proj out.cprof\n",
		cli_help_filters, cli_help_common);
}

int main(int argc, char **argv)
{
	cli_init("cprof-top");
	enum { O_BY = CLI_OPT_FIRST_FREE, O_VALUE, O_CUM, O_FRAC, O_EFRAC, O_NOHDR, O_NOSYM, O_FULL,
	       O_PEEK, O_TRACES, O_DOT, O_LIST, O_SRCPATH, O_TRIMPATH };
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, O_BY },
		{ "value", required_argument, NULL, O_VALUE },
		{ "cum", no_argument, NULL, O_CUM },
		{ "nodecount", required_argument, NULL, 'n' },
		{ "nodefraction", required_argument, NULL, O_FRAC },
		{ "edgefraction", required_argument, NULL, O_EFRAC },
		{ "peek", required_argument, NULL, O_PEEK },
		{ "traces", no_argument, NULL, O_TRACES },
		{ "dot", no_argument, NULL, O_DOT },
		{ "list", required_argument, NULL, O_LIST },
		{ "source-path", required_argument, NULL, O_SRCPATH },
		{ "trim-path", required_argument, NULL, O_TRIMPATH },
		{ "no-header", no_argument, NULL, O_NOHDR },
		{ "no-symbolize", no_argument, NULL, O_NOSYM },
		{ "full-stacks", no_argument, NULL, O_FULL },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	top_opts o = { .by = TOP_FUNCTION, .value = PROF_NONE, .node_fraction = -1, .edge_fraction = -1 };
	filter_opts f = { 0 };
	prof_read_opts ro = { 0 };
	const char *value = NULL, *output = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "n:o:h", longopts, NULL)) != -1) {
		int r = cli_filter_opt(c, optarg, &f);
		if (r == 0)
			r = cli_read_opt(c, optarg, &ro);
		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		switch (c) {
		case O_BY:
			if (top_parse_by(optarg, &o.by) < 0) {
				cli_error(NULL, "bad --by '%s' (function, line, file, address or stack)", optarg);
				return 2;
			}
			break;
		case O_VALUE:
			value = optarg;
			break;
		case O_CUM:
			o.cum_sort = true;
			break;
		case 'n': {
			long n;
			if (cli_parse_long("-n", optarg, 0, 100000000, "a count", &n) < 0)
				return 2;
			o.nodecount = (int)n;
			break;
		}
		case O_FRAC:
		case O_EFRAC: {
			char *end;
			double v = strtod(optarg, &end);
			const char *name = c == O_FRAC ? "--nodefraction" : "--edgefraction";
			if (end == optarg || *end || !(v >= 0 && v <= 1)) {
				cli_error(NULL, "bad %s '%s': want a number in [0, 1]", name, optarg);
				return 2;
			}
			*(c == O_FRAC ? &o.node_fraction : &o.edge_fraction) = v;
			break;
		}
		case O_PEEK:
			o.report = TOP_REPORT_PEEK;
			o.symbol = optarg;
			break;
		case O_TRACES:
			o.report = TOP_REPORT_TRACES;
			break;
		case O_DOT:
			o.report = TOP_REPORT_DOT;
			break;
		case O_LIST:
			o.report = TOP_REPORT_LIST;
			o.symbol = optarg;
			break;
		case O_SRCPATH:
			o.source_path = optarg;
			break;
		case O_TRIMPATH:
			o.trim_path = optarg;
			break;
		case O_NOHDR:
			o.no_header = true;
			break;
		case O_FULL:
			o.full_stacks = true;
			break;
		case O_NOSYM:
			ro.no_symbolize = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o.by == TOP_STACK && o.report != TOP_REPORT_TOP) {
		cli_error(NULL, "--by stack is the top table's: not with --peek, --traces or --dot");
		return 2;
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
	o.filters = &f;
	int r = o.report == TOP_REPORT_DOT	? dot_write(p, &o, &out, &err)
		: o.report == TOP_REPORT_LIST ? source_list(p, &o, &out, &err)
					      : top_write(p, &o, &out, &err);
	if (r < 0) {
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
