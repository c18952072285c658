/* cprof-raw: the raw view — every sample in time order, per thread, and the
 * timeline picture. The line format is an interface (docs/cprof-raw.md):
 *   <ms since start, 3 decimals> <tid> <thread name or -> <weight ns> {k=v,...} <root;...;leaf>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "filter.h"
#include "rawview.h"


static const cli_usage usage = {
	.name = "cprof-raw",
	.synopsis = "cprof-raw [options] FILE...",
	.about = "Prints a summary of the recording as '#' lines, then every sample in time\n"
		 "order, one per line:\n"
		 "  <ms since start> <tid> <thread name or -> <weight ns> {key=value,...} <root;...;leaf>\n"
		 "Each input is shown on its own (a forked child's file is another recording),\n"
		 "all on one time axis: 0 is the earliest input's start. pprof and folded input\n"
		 "are accepted but have no timestamps or threads, so their samples print in\n"
		 "file order.\n",
	.footer = "Example:\n"
		  "  cprof-record -o abc.cprof -- ./abc && cprof-raw --timeline -n 40 abc.cprof\n",
	.no_operand = CLI_NO_INPUT,
};

typedef struct warnlist {
	strbuf text; /* '\n'-separated */
} warnlist;

static void collect(void *ctx, const char *msg)
{
	warnlist *w = ctx;
	sb_adds(&w->text, msg);
	sb_addc(&w->text, '\n');
}

int main(int argc, char **argv)
{
	filter_opts f = { 0 };
	prof_read_opts ro = { 0 };
	rawview_opts tmpl = RAWVIEW_OPTS_INIT;
	const char *output = NULL;
	const cli_option opts[] = {
		CLI_OPT_U64('n', "count", &tmpl.count, "N", "only the first N samples (after the filters)",
			    0, (double)UINT64_MAX, "a number"),
		CLI_OPTS_NAMES(&tmpl.names),
		CLI_OPT_BOOL(0, "timeline", &tmpl.timeline,
			     "draw each thread's samples as columns, root row first"),
		CLI_OPT_U32(0, "width", &tmpl.width, "N", "timeline: wrap at N characters (default 100)",
			    20, 100000, "a width, 20 to 100000"),
		CLI_OPT_U32(0, "max-columns", &tmpl.max_columns, "N",
			    "timeline: at most N columns per thread; beyond that, runs\n"
			    "of identical consecutive stacks merge (default 200)",
			    1, UINT32_MAX, "a positive number"),
		CLI_OPTS_FILTER(&f),
		CLI_OPTS_READ(&ro),
		CLI_OPT_OUTPUT(&output),
		CLI_OPT_END(),
	};
	int first = cli_parse(argc, argv, opts, &usage);
	/* Output streams through out_open/out_commit: a -o file appears only
	 * complete, and 10M lines never sit in memory at once. */
	out_file of;
	cprof_err oerr = { { 0 } };
	const char *shown = output && strcmp(output, "-") ? output : "stdout";
	if (out_open(&of, output, &oerr) < 0) {
		cli_error(shown, "%s", oerr.msg);
		return 1;
	}
	strbuf out = STRBUF_INIT;
	int rc = 0;
	/* Every input first: they share one time axis, whose origin is the
	 * earliest start among them. */
	int nin = argc - first;
	profile **ps = xcalloc((size_t)nin, sizeof(*ps));
	warnlist *ws = xcalloc((size_t)nin, sizeof(*ws));
	int64_t *offs = xcalloc((size_t)nin, sizeof(*offs));
	for (int a = 0; a < nin && !rc; a++) {
		cprof_err err = { { 0 } };
		ro.warn = collect;
		ro.warn_ctx = &ws[a];
		if (prof_read_file(argv[first + a], &ro, &ps[a], &err) < 0) {
			cli_error(argv[first + a], "%s", err.msg);
			rc = 1;
		}
	}
	if (!rc)
		prof_common_axis(ps, (size_t)nin, offs);
	for (int a = 0; a < nin && !rc; a++) {
		const char *file = argv[first + a];
		cprof_err err = { { 0 } };
		bool *mask = NULL;
		rawview_opts rv = tmpl;
		rv.file = file;
		rv.locations = ro.no_symbolize;
		rv.start = nin > 1 ? offs[a] : -1;
		rv.warnings = ws[a].text.buf;
		if (cli_filter_mask(file, ps[a], &f, &mask) < 0)
			rc = 1;
		else if ((rv.mask = mask, rawview_write(ps[a], &rv, &out, cli_flush, &of, &err) < 0)) {
			cli_error(file, "%s", err.msg);
			rc = 1;
		}
		free(mask);
	}
	for (int a = 0; a < nin; a++) {
		prof_free(ps[a]);
		sb_release(&ws[a].text);
	}
	free(ps);
	free(ws);
	free(offs);
	if (!rc) {
		if (out.len)
			fwrite(out.buf, 1, out.len, of.fp);
		if (out_commit(&of, &oerr) < 0) {
			cli_error(shown, "%s", oerr.msg);
			rc = 1;
		}
	} else {
		out_abort(&of);
	}
	sb_release(&out);
	return rc;
}
