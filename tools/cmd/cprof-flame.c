/* cprof-flame: an interactive SVG flame graph (or icicle, flame chart, diff). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flame.h"
#include "folded.h" /* FOLDED_BEFORE */


static void usage(FILE *f)
{
	fprintf(f,
		"usage: cprof-flame [options] FILE...\n"
		"Writes a stand-alone interactive SVG flame graph: hover for name, value and\n"
		"percentage, click to zoom, Search (or Ctrl-F) highlights frames matching a\n"
		"regex and shows \"Matched: x%%\", Escape resets.\n\n"
		"  --title TEXT        the title (default \"Flame Graph\")\n"
		"  --subtitle TEXT     a second line under the title\n"
		"  --width PX          image width (default 1200)\n"
		"  --minwidth PX       leave out frames narrower than PX pixels (default 0.1);\n"
		"                      their time still counts in their parents\n"
		"  --colors PALETTE    hot (default), mem, io, or module (one color per module)\n"
		"  --inverted          icicle graph: the root on top\n"
		"  --reverse           merge stacks from the leaf: callers drawn above callees\n"
		"  --flamechart        x is time (raw, perf input): samples in time order, neighbours\n"
		"                      with the same stack merged\n"
		"  --diff BASE         differential graph against the profile BASE: widths are\n"
		"                      FILE's, red grew and blue shrank (BASE scaled to FILE's total);\n"
		"                      folded input with two counts a line (difffolded.pl's\n"
		"                      \"stack before after\") is drawn so without --diff\n"
		"  --value TYPE        the sample type (e.g. cpu); default: samples\n"
		"  --lines, --addrs, --inline, --threads   frame names as in cprof-fold\n"
		"  --no-symbolize      raw input: keep module+offset frames\n"
		"%s%s\n"
		"Example:\n"
		"  cprof-flame --title 'abc' out.cprof > flame.svg\n",
		cli_help_filters, cli_help_common);
}

int main(int argc, char **argv)
{
	cli_init("cprof-flame");
	enum {
		O_TITLE = CLI_OPT_FIRST_FREE, O_SUB, O_WIDTH, O_MINW, O_COLORS, O_INV, O_REV, O_CHART,
		O_DIFF
	};
	static const struct option longopts[] = {
		{ "title", required_argument, NULL, O_TITLE },
		{ "subtitle", required_argument, NULL, O_SUB },
		{ "width", required_argument, NULL, O_WIDTH },
		{ "minwidth", required_argument, NULL, O_MINW },
		{ "colors", required_argument, NULL, O_COLORS },
		{ "palette", required_argument, NULL, O_COLORS },
		{ "inverted", no_argument, NULL, O_INV },
		{ "reverse", no_argument, NULL, O_REV },
		{ "flamechart", no_argument, NULL, O_CHART },
		{ "diff", required_argument, NULL, O_DIFF },
		CLI_NAME_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	flame_build_opts b = FLAME_BUILD_OPTS_INIT;
	flame_svg_opts s = FLAME_SVG_OPTS_INIT;
	filter_opts f = { 0 };
	prof_read_opts ro = { 0 };
	const char *value = NULL, *output = NULL, *diff = NULL;
	bool chart = false;
	int c;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		int r = cli_filter_opt(c, optarg, &f);
		if (r == 0)
			r = cli_read_opt(c, optarg, &ro);
		if (r < 0)
			return 2;
		if (r > 0 || cli_name_opt(c, optarg, &value, &b.names, &b.threads, &ro))
			continue;
		char *end;
		switch (c) {
		case O_TITLE: s.title = optarg; break;
		case O_SUB: s.subtitle = optarg; break;
		case O_WIDTH: {
			long w;
			if (cli_parse_long("--width", optarg, 100, 1000000, "pixels, 100 to 1000000", &w) < 0)
				return 2;
			s.width = (int)w;
			break;
		}
		case O_MINW: {
			double w = strtod(optarg, &end);
			if (end == optarg || *end || !(w >= 0 && w < 1e6)) {
				cli_error(NULL, "bad --minwidth '%s': want pixels", optarg);
				return 2;
			}
			s.minwidth = w;
			break;
		}
		case O_COLORS: {
			int pal = flame_palette_parse(optarg);
			if (pal < 0) {
				cli_error(NULL, "bad --colors '%s' (hot, mem, io or module)", optarg);
				return 2;
			}
			s.palette = (flame_palette)pal;
			break;
		}
		case O_INV: s.inverted = true; break;
		case O_REV: b.reverse = true; break;
		case O_CHART: chart = true; break;
		case O_DIFF: diff = optarg; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (chart && diff) {
		cli_error(NULL, "--flamechart and --diff do not go together");
		return 2;
	}
	bool *mask, *bmask = NULL;
	if (cli_no_inputs(argc, optind))
		return 2;
	profile *p = cli_load(argv + optind, argc - optind, &ro, value, &b.value, &f, &mask);
	if (!p)
		return 1;
	const char *file = argv[optind];
	int rc = 1;
	profile *base = NULL;
	flame_tree *t = NULL;
	strbuf out = STRBUF_INIT;
	cprof_err err = { { 0 } };
	b.mask = mask;
	b.modules = s.palette == FLAME_MODULE;
	/* difffolded.pl's two-count lines: a differential graph of their own */
	uint32_t before = diff || chart ? PROF_NONE : prof_find_value(p, FOLDED_BEFORE);
	if (!diff && !chart && before == PROF_NONE) /* what the SVG leaves out is never built */
		b.prune_below = flame_prune_below(p, &b, &s);
	t = flame_tree_new(chart);
	if (flame_tree_add_profile(t, p, &b, &err) < 0) {
		cli_error(file, "%s", err.msg);
		goto done;
	}
	if (before != PROF_NONE) {
		flame_build_opts bb = b;
		bb.base = true;
		bb.value = before;
		if (flame_tree_add_profile(t, p, &bb, &err) < 0) {
			cli_error(file, "%s", err.msg);
			goto done;
		}
		s.diff = true;
	} else if (diff) {
		char *paths[1] = { (char *)diff };
		flame_build_opts bb = b;
		bb.base = true;
		if (!(base = cli_load(paths, 1, &ro, value, &bb.value, &f, &bmask)))
			goto done;
		bb.mask = bmask;
		if (flame_tree_add_profile(t, base, &bb, &err) < 0) {
			cli_error(diff, "%s", err.msg);
			goto done;
		}
		s.diff = true;
	}
	flame_tree_finish(t);
	uint32_t v = b.value == PROF_NONE ? prof_count_value(p) : b.value;
	if (v < p->nvalues) {
		s.unit = p->sample_types[v].unit;
		s.countname = p->sample_types[v].type;
	}
	if (flame_svg_write(t, &s, &out, &err) < 0) {
		cli_error(file, "%s", err.msg);
		goto done;
	}
	rc = cli_write(output, out.buf, out.len);
done:
	sb_release(&out);
	flame_tree_free(t);
	free(mask);
	free(bmask);
	prof_free(base);
	prof_free(p);
	return rc;
}
