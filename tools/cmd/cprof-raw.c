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
#include "names.h"
#include "timeline.h"


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

/* A token with no blanks, so the line splits on single spaces. */
static void add_token(strbuf *sb, const char *s)
{
	if (!s || !*s) {
		sb_addc(sb, '-');
		return;
	}
	for (; *s; s++)
		sb_addc(sb, (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') ? '_' : *s);
}

/* A header value: a control character (a newline in a thread name or a
 * path) would end the '#' line, so it becomes a space. */
static void add_header_value(strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_addc(sb, ((unsigned char)*s < 0x20 || *s == 0x7f) ? ' ' : *s);
}

static void add_label_part(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			c = '_';
		else if (c == ',' || c == '}' || c == '{')
			c = '.';
		sb_addc(sb, c);
	}
}

static void add_labels(strbuf *sb, const profile *p, uint32_t ls)
{
	const prof_labelset *l = &p->labelsets[ls];
	sb_addc(sb, '{');
	for (uint32_t i = 0; i < l->n; i++) {
		if (i)
			sb_addc(sb, ',');
		add_label_part(sb, l->labels[i].key);
		sb_addc(sb, '=');
		if (l->labels[i].str) {
			add_label_part(sb, l->labels[i].str);
		} else {
			sb_addf(sb, "%lld", (long long)l->labels[i].num);
			if (l->labels[i].unit)
				add_label_part(sb, l->labels[i].unit);
		}
	}
	sb_addc(sb, '}');
}

/* start: where this input's origin is on the common axis of several
 * inputs (ns after the earliest one's start), or -1 for a single input. */
static void header(strbuf *o, const char *file, const profile *p, size_t shown, int64_t start,
		   const warnlist *w)
{
	sb_addf(o, "# file: %s (%s)\n", file, p->source_format ? p->source_format : "?");
	if (p->executable && *p->executable) {
		sb_adds(o, "# executable: ");
		add_header_value(o, p->executable);
		sb_addc(o, '\n');
	}
	if (p->cmdline && *p->cmdline) {
		sb_adds(o, "# command: ");
		add_header_value(o, p->cmdline);
		sb_addc(o, '\n');
	}
	if (p->pid)
		sb_addf(o, "# pid: %d\n", (int)p->pid);
	if (p->mode)
		sb_addf(o, "# mode: %s, timer: %s\n", p->mode, p->timer ? p->timer : "?");
	if (p->period > 0)
		sb_addf(o, "# rate: %.1f Hz (period %lld ns)\n", 1e9 / (double)p->period,
			(long long)p->period);
	uint32_t wv = prof_find_value(p, NULL);
	int64_t total = 0;
	if (wv != PROF_NONE)
		for (size_t i = 0; i < p->nsamples; i++)
			total = prof_sadd(total, prof_sample_values(p, i)[wv]);
	sb_addf(o, "# samples: %zu", p->nsamples);
	if (p->source_format && !strcmp(p->source_format, "raw"))
		sb_addf(o, ", dropped: %llu", (unsigned long long)p->samples_dropped);
	if (wv != PROF_NONE)
		sb_addf(o, ", total %s: %lld %s", p->sample_types[wv].type, (long long)total,
			p->sample_types[wv].unit);
	sb_addc(o, '\n');
	if (p->mode && !strcmp(p->mode, "wall")) {
		size_t off = 0;
		for (size_t i = 0; i < p->nsamples; i++)
			off += (p->samples[i].flags & PROF_SAMPLE_OFFCPU) != 0;
		sb_addf(o, "# off-cpu: %zu samples (%.1f%%) taken while their thread was blocked\n",
			off, p->nsamples ? 100.0 * (double)off / (double)p->nsamples : 0.0);
	}
	if (shown != p->nsamples)
		sb_addf(o, "# shown: %zu samples (filters / -n)\n", shown);
	if (start >= 0)
		sb_addf(o, "# start: %.3f ms (after the earliest input's start: the time origin)\n",
			(double)start / 1e6);
	if (p->duration_nanos)
		sb_addf(o, "# duration: %.3f s\n", (double)(p->duration_nanos - (start > 0 ? start : 0)) / 1e9);
	if (p->nthreads) {
		sb_addf(o, "# threads: %u:", p->nthreads);
		for (uint32_t i = 0; i < p->nthreads; i++) {
			sb_addf(o, "%s %d ", i ? "," : "", (int)p->threads[i].tid);
			add_header_value(o, *p->threads[i].name ? p->threads[i].name : "-");
		}
		sb_addc(o, '\n');
	}
	if (!p->has_timestamps)
		sb_addf(o, "# notice: %s input has no timestamps or threads: samples in file "
			   "order, time/tid/thread shown as -\n",
			p->source_format ? p->source_format : "this");
	const char *s = w->text.buf;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		sb_addf(o, "# warning: %.*s\n", (int)(nl - s), s);
		s = nl + 1;
	}
}

/* Appends the stack, root first, as cprof-fold names its frames. */
static void add_stack(strbuf *sb, const profile *p, uint32_t stack, bool addrs, prof_frame **fr,
		      size_t *alloc, strbuf *tmp)
{
	if (addrs) {
		const prof_stack *s = &p->stacks[stack];
		for (uint32_t i = s->depth; i-- > 0;) {
			sb_reset(tmp);
			prof_location_name(p, s->locs[i], tmp);
			names_clean(sb, tmp->buf);
			if (i)
				sb_addc(sb, ';');
		}
		return;
	}
	names_opts names = { 0 };
	uint32_t n = prof_stack_frames(p, stack, fr, alloc);
	for (uint32_t i = n; i-- > 0;) {
		names_frame(p, &(*fr)[i], &names, sb);
		if (i)
			sb_addc(sb, ';');
	}
	if (!n)
		sb_adds(sb, "[empty]");
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
	strbuf out = STRBUF_INIT, tmp = STRBUF_INIT;
	prof_frame *fr = NULL;
	size_t fr_alloc = 0;
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
		profile *p = ps[a];
		cprof_err err = { { 0 } };
		bool *mask = NULL;
		if (filter_active(&f) && filter_mask(p, &f, &mask, NULL, &err) < 0) {
			cli_error(file, "%s", err.msg);
			rc = 1;
			goto next;
		}
		if (timeline && !p->has_timestamps) {
			cli_error(file,
				  "%s input has no timestamps or threads: --timeline needs a raw "
				  "file from cprof-record",
				  p->source_format ? p->source_format : "this");
			rc = 1;
			goto next;
		}
		/* which samples: filters, then the first N */
		bool *keep = xmalloc(p->nsamples ? p->nsamples : 1);
		size_t shown = 0;
		for (size_t i = 0; i < p->nsamples; i++) {
			keep[i] = (!mask || mask[i]) && shown < count;
			shown += keep[i];
		}
		header(&out, file, p, shown, nin > 1 ? offs[a] : -1, &ws[a]);
		if (timeline) {
			timeline_opts to = { 0 };
			to.mask = keep;
			to.width = (uint32_t)width;
			to.max_columns = (uint32_t)maxcol;
			to.addrs = addrs || ro.no_symbolize;
			timeline_write(p, &to, &out);
		} else {
			uint32_t wv = prof_find_value(p, NULL);
			char **stack_text = xcalloc(p->nstacks + 1, sizeof(char *));
			for (size_t i = 0; i < p->nsamples; i++) {
				if (!keep[i])
					continue;
				const prof_sample *s = &p->samples[i];
				if (p->has_timestamps && s->time_ns != -1) {
					int64_t t = s->time_ns;
					sb_addf(&out, "%s%lld.%03lld ", t < 0 ? "-" : "",
						(long long)(llabs(t) / 1000000),
						(long long)(llabs(t) % 1000000 / 1000));
				} else {
					sb_adds(&out, "- ");
				}
				if (s->tid >= 0)
					sb_addf(&out, "%d ", (int)s->tid);
				else
					sb_adds(&out, "- ");
				add_token(&out, s->tid >= 0 ? prof_thread_name(p, s->tid) : NULL);
				sb_addf(&out, " %lld ",
					(long long)(wv != PROF_NONE ? prof_sample_values(p, i)[wv] : 0));
				add_labels(&out, p, s->labelset);
				sb_addc(&out, ' ');
				/* names are built once per distinct stack */
				if (!stack_text[s->stack]) {
					strbuf st = STRBUF_INIT;
					add_stack(&st, p, s->stack, addrs || ro.no_symbolize, &fr,
						  &fr_alloc, &tmp);
					stack_text[s->stack] = sb_detach(&st, NULL);
				}
				sb_adds(&out, stack_text[s->stack]);
				sb_addc(&out, '\n');
				if (out.len >= (1u << 20)) {
					fwrite(out.buf, 1, out.len, of.fp); /* errors: out_commit */
					sb_reset(&out);
				}
			}
			for (uint32_t k = 0; k < p->nstacks; k++)
				free(stack_text[k]);
			free(stack_text);
		}
		free(keep);
	next:
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
	free(fr);
	sb_release(&out);
	sb_release(&tmp);
	return rc;
}
