/* cprof-flame: an interactive SVG flame graph (or icicle, flame chart, diff). */
#include <stdlib.h>

#include "cli.h"
#include "flame.h"


static int palette(void *v, const char *arg)
{
	int pal = flame_palette_parse(arg);
	if (pal < 0)
		return -1;
	*(flame_palette *)v = (flame_palette)pal;
	return 0;
}

static const cli_usage usage = {
	.name = "cprof-flame",
	.synopsis = "cprof-flame [options] FILE...",
	.about = "Writes a stand-alone interactive SVG flame graph: hover for name, value and\n"
		 "percentage, click to zoom, Search (or Ctrl-F) highlights frames matching a\n"
		 "regex and shows \"Matched: x%\", Escape resets.\n",
	.footer = "Example:\n"
		  "  cprof-flame --title 'abc' out.cprof > flame.svg\n",
	.no_operand = CLI_NO_INPUT,
};

int main(int argc, char **argv)
{
	cli_args a = CLI_ARGS_INIT;
	flame_build_opts b = FLAME_BUILD_OPTS_INIT;
	flame_svg_opts s = FLAME_SVG_OPTS_INIT;
	const char *diff = NULL;
	bool chart = false;
	const cli_option opts[] = {
		CLI_OPT_STRING(0, "title", &s.title, "TEXT", "the title (default \"Flame Graph\")"),
		CLI_OPT_STRING(0, "subtitle", &s.subtitle, "TEXT", "a second line under the title"),
		CLI_OPT_INT(0, "width", &s.width, "PX", "image width (default 1200)", 100, 1000000,
			    "pixels, 100 to 1000000"),
		CLI_OPT_DOUBLE(0, "minwidth", &s.minwidth, "PX",
			       "leave out frames narrower than PX pixels (default 0.1);\n"
			       "their time still counts in their parents",
			       0, 999999, "pixels"),
		CLI_OPT_CALLBACK(0, "colors", &s.palette, "PALETTE",
				 "hot (default), mem, io, or module (one color per module)", palette,
				 "hot, mem, io or module"),
		CLI_OPT_CALLBACK(0, "palette", &s.palette, "PALETTE", NULL, palette,
				 "hot, mem, io or module"),
		CLI_OPT_BOOL(0, "inverted", &s.inverted, "icicle graph: the root on top"),
		CLI_OPT_BOOL(0, "reverse", &b.reverse,
			     "merge stacks from the leaf: callers drawn above callees"),
		CLI_OPT_BOOL(0, "flamechart", &chart,
			     "x is time (raw, perf input): samples in time order,\n"
			     "neighbours with the same stack merged"),
		CLI_OPT_STRING(0, "diff", &diff, "BASE",
			       "differential graph against the profile BASE: widths are\n"
			       "FILE's, red grew and blue shrank (BASE scaled to FILE's\n"
			       "total); folded input with two counts a line\n"
			       "(difffolded.pl's \"stack before after\") is drawn so\n"
			       "without --diff"),
		CLI_OPT_VALUE(&a.value, "default: samples"),
		CLI_OPTS_NAMES(&b.names),
		CLI_OPT_THREADS(&b.threads),
		CLI_OPTS_FILTER(&a.filter),
		CLI_OPTS_READ(&a.read),
		CLI_OPT_OUTPUT(&a.output),
		CLI_OPT_END(),
	};
	int first = cli_parse(argc, argv, opts, &usage);
	if (chart && diff) {
		cli_error(NULL, "--flamechart and --diff do not go together");
		return CLI_EXIT_USAGE;
	}
	a.read.aggregate = !chart; /* the flame chart puts every sample in time order */
	if (!cli_load(&a, argv + first, argc - first, &b.value))
		return CLI_EXIT_INPUT;
	b.mask = a.mask;
	/* --diff BASE: read as FILE is, with the same options */
	cli_args base = a;
	base.profile = NULL;
	base.mask = NULL;
	flame_base fb = { NULL, NULL, b.value };
	if (diff) {
		char *paths[1] = { (char *)diff };
		if (!cli_load(&base, paths, 1, &fb.value)) {
			cli_args_release(&a);
			return CLI_EXIT_INPUT;
		}
		fb.p = base.profile;
		fb.mask = base.mask;
	}
	strbuf out = STRBUF_INIT;
	cprof_err err = { { 0 } };
	/* the SVG goes out as it is written (a large one never sits in
	 * memory whole) */
	if (cli_stream(&a)) {
		cli_args_release(&base);
		cli_args_release(&a);
		return CLI_EXIT_INPUT;
	}
	s.flush = cli_flush;
	s.flush_ctx = a.stream;
	int r = flame_graph_write(a.profile, &b, chart, diff ? &fb : NULL, &s, &out, &err);
	cli_args_release(&base);
	return cli_finish(&a, r, &err, &out);
}
