/* cprof-raw: the raw view — every sample in time order, per thread, and the
 * timeline picture. The line format is an interface (docs/cprof-raw.md):
 *   <ms since start, 3 decimals> <tid> <thread name or -> <weight ns> {k=v,...} <root;...;leaf>
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "filter.h"
#include "rawview.h"


static void usage(FILE *f)
{
	fprintf(f,
		"usage: cprof-raw [options] FILE...\n"
		"Prints a summary of the recording as '#' lines, then every sample in time\n"
		"order, one per line:\n"
		"  <ms since start> <tid> <thread name or -> <weight ns> {key=value,...} <root;...;leaf>\n"
		"Each input is shown on its own (a forked child's file is another recording),\n"
		"all on one time axis: 0 is the earliest input's start.\n\n"
		"  --thread TID        only samples of thread TID\n"
		"  --pid PID           only samples of process PID\n"
		"  --from T, --to T    only samples in [T1, T2) since the start; T like 1.5s,\n"
		"                      250ms, 40us, 1000ns; a bare number is milliseconds\n"
		"  -n, --count N       only the first N samples (after the filters)\n"
		"  --addrs             frames as module+0xoffset (one per address, inlined\n"
		"                      frames not expanded)\n"
		"  --no-symbolize      do not read debug information (implies module+0xoffset)\n"
		"  --debug-dir DIR     also look for debug files in DIR (and DIR/.build-id)\n"
		"  --timeline          draw each thread's samples as columns, root row first\n"
		"  --width N           timeline: wrap at N characters (default 100)\n"
		"  --max-columns N     timeline: at most N columns per thread; beyond that, runs\n"
		"                      of identical consecutive stacks merge (default 200)\n"
		"Inputs: raw files from cprof-record; pprof and folded input are accepted but\n"
		"have no timestamps or threads, so their samples print in file order.\n"
		CLI_HELP_READ
		"  -o, --output FILE   write FILE (atomically) instead of stdout\n"
		"  -h, --help          this text\n\n"
		"Example:\n"
		"  cprof-record -o abc.cprof -- ./abc && cprof-raw --timeline -n 40 abc.cprof\n");
}

typedef struct warnlist {
	strbuf text; /* '\n'-separated */
} warnlist;

static void collect(void *ctx, const char *msg)
{
	warnlist *w = ctx;
	sb_adds(&w->text, msg);
	sb_addc(&w->text, '\n');
}

/* Streams full buffers to the output (write errors surface in out_commit). */
static void flush(void *ctx, strbuf *out)
{
	fwrite(out->buf, 1, out->len, ((out_file *)ctx)->fp);
	sb_reset(out);
}

int main(int argc, char **argv)
{
	cli_init("cprof-raw");
	enum { O_NOSYM = CLI_OPT_FIRST_FREE, O_ADDRS, O_TIMELINE, O_WIDTH, O_MAXCOL, O_DEBUGDIR };
	static const struct option longopts[] = {
		{ "thread", required_argument, NULL, CLI_OPT_THREAD },
		{ "pid", required_argument, NULL, CLI_OPT_PID },
		{ "from", required_argument, NULL, CLI_OPT_FROM },
		{ "to", required_argument, NULL, CLI_OPT_TO },
		CLI_READ_LONGOPTS,
		{ "count", required_argument, NULL, 'n' },
		{ "addrs", no_argument, NULL, O_ADDRS },
		{ "no-symbolize", no_argument, NULL, O_NOSYM },
		{ "debug-dir", required_argument, NULL, O_DEBUGDIR },
		{ "timeline", no_argument, NULL, O_TIMELINE },
		{ "width", required_argument, NULL, O_WIDTH },
		{ "max-columns", required_argument, NULL, O_MAXCOL },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	filter_opts f = { 0 };
	prof_read_opts ro = { 0 };
	const char *output = NULL;
	bool addrs = false, timeline = false;
	uint64_t count = UINT64_MAX, width = 100, maxcol = 200;
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
		case 'n':
			if (parse_u64(optarg, &count) < 0) {
				cli_error(NULL, "-n: '%s' is not a number", optarg);
				return 2;
			}
			break;
		case O_ADDRS: addrs = true; break;
		case O_NOSYM: ro.no_symbolize = true; break;
		case O_DEBUGDIR: ro.debug_dir = optarg; break;
		case O_TIMELINE: timeline = true; break;
		case O_WIDTH:
			if (parse_u64(optarg, &width) < 0 || width < 20 || width > 100000) {
				cli_error(NULL, "--width: '%s' is not a width (20..100000)", optarg);
				return 2;
			}
			break;
		case O_MAXCOL:
			if (parse_u64(optarg, &maxcol) < 0 || maxcol < 1) {
				cli_error(NULL, "--max-columns: '%s' is not a positive number",
					  optarg);
				return 2;
			}
			break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (cli_no_inputs(argc, optind))
		return 2;
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
	 * earliest start among them (prof_origin_delta). */
	int nin = argc - optind;
	profile **ps = xcalloc((size_t)nin, sizeof(*ps));
	warnlist *ws = xcalloc((size_t)nin, sizeof(*ws));
	int64_t *offs = xcalloc((size_t)nin, sizeof(*offs));
	for (int a = 0; a < nin && !rc; a++) {
		cprof_err err = { { 0 } };
		ro.warn = collect;
		ro.warn_ctx = &ws[a];
		if (prof_read_file(argv[optind + a], &ro, &ps[a], &err) < 0) {
			cli_error(argv[optind + a], "%s", err.msg);
			rc = 1;
		}
	}
	int64_t lo = 0;
	int ref = 0; /* the first input with timestamps */
	while (!rc && ref + 1 < nin && !ps[ref]->has_timestamps)
		ref++;
	for (int a = 0; a < nin && !rc; a++)
		if (!ps[a]->has_timestamps || !prof_origin_delta(ps[ref], ps[a], &offs[a]))
			offs[a] = INT64_MIN; /* no timestamps or no common clock: own axis */
		else if (offs[a] < lo)
			lo = offs[a];
	for (int a = 0; a < nin && !rc; a++) {
		offs[a] = offs[a] == INT64_MIN ? -1 : offs[a] - lo;
		prof_shift_origin(ps[a], offs[a]);
	}
	for (int a = 0; a < nin && !rc; a++) {
		const char *file = argv[optind + a];
		cprof_err err = { { 0 } };
		bool *mask = NULL;
		rawview_opts rv = RAWVIEW_OPTS_INIT;
		rv.file = file;
		rv.count = count;
		rv.addrs = addrs || ro.no_symbolize;
		rv.start = nin > 1 ? offs[a] : -1;
		rv.warnings = ws[a].text.buf;
		rv.timeline = timeline;
		rv.width = (uint32_t)width;
		rv.max_columns = (uint32_t)maxcol;
		if ((filter_active(&f) && filter_mask(ps[a], &f, &mask, NULL, &err) < 0) ||
		    (rv.mask = mask, rawview_write(ps[a], &rv, &out, flush, &of, &err) < 0)) {
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
