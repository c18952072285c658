/* cli: shared helpers of the tool mains (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbolize.h"

const char cli_help_inputs[] =
	"Inputs: raw files from cprof-record/libcprof-sample, pprof protobuf (gzipped or\n"
	"not, e.g. Go's -cpuprofile), perf.data (perf record), perf script text,\n"
	"gperftools CPU profiles (CPUPROFILE=), pprof's legacy text (heap, growth,\n"
	"contention, thread), or folded text; the format is detected from the first\n"
	"bytes. Several inputs are merged. '-' reads stdin.";

const char *cli_name = "cprof";

void cli_init(const char *name)
{
	cli_name = name;
}

void cli_error(const char *file, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (file)
		fprintf(stderr, "%s: %s: ", cli_name, strcmp(file, "-") ? file : "stdin");
	else
		fprintf(stderr, "%s: ", cli_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

typedef struct warn_ctx {
	const char *file;
} warn_ctx;

static void cli_warn(void *ctx_, const char *msg)
{
	warn_ctx *ctx = ctx_;
	cli_error(ctx->file, "warning: %s", msg);
}

profile *cli_read_inputs(char *const *paths, int npaths,
			 const prof_read_opts *opts)
{
	profile *all = NULL;
	if (npaths <= 0) {
		cli_error(NULL, "%s", CLI_NO_INPUT);
		return NULL;
	}
	/* one symbolization session for all inputs: an address is resolved
	 * once however many files refer to it */
	sym_session *sym = NULL;
	if (opts && !opts->no_symbolize && !opts->sym)
		sym = sym_session_new(opts->debug_dir, !opts->no_cache);
	for (int i = 0; i < npaths; i++) {
		prof_read_opts o = { 0 };
		if (opts)
			o = *opts;
		if (sym)
			o.sym = sym;
		warn_ctx wc = { paths[i] };
		if (!o.warn) {
			o.warn = cli_warn;
			o.warn_ctx = &wc;
		}
		cprof_err err = { { 0 } };
		profile *p = NULL;
		if (prof_read_file(paths[i], &o, &p, &err) < 0) {
			cli_error(paths[i], "%s", err.msg);
			prof_free(all);
			all = NULL;
			break;
		}
		if (!all) {
			all = p;
			continue;
		}
		if (prof_merge(all, p, &err) < 0) {
			cli_error(paths[i], "cannot merge with %s: %s", paths[0], err.msg);
			prof_free(p);
			prof_free(all);
			all = NULL;
			break;
		}
		prof_free(p);
	}
	sym_session_free(sym);
	return all;
}

/* Opens path's output (out_open): 0, or the error printed and 1. */
static int open_output(const char *path, out_file *o)
{
	cprof_err err = { { 0 } };
	if (out_open(o, path, &err) < 0) {
		cli_error(path && strcmp(path, "-") ? path : "stdout", "%s", err.msg);
		return 1;
	}
	return 0;
}

/* Writes the last bytes to o and commits it: 0, or the error printed and 1. */
static int commit_output(const char *path, out_file *o, const char *data, size_t len)
{
	cprof_err err = { { 0 } };
	if (len && fwrite(data, 1, len, o->fp) != len) {
		/* out_commit sees the stream error and reports it */
	}
	if (out_commit(o, &err) < 0) {
		cli_error(path && strcmp(path, "-") ? path : "stdout", "%s", err.msg);
		return 1;
	}
	return 0;
}

int cli_write(const char *path, const char *data, size_t len)
{
	out_file o;
	if (open_output(path, &o))
		return 1;
	return commit_output(path, &o, data, len);
}

int cli_stream(cli_args *a)
{
	out_file *o = xmalloc(sizeof(*o));
	if (open_output(a->output, o)) {
		free(o);
		return 1;
	}
	a->stream = o;
	return 0;
}

void cli_flush(void *ctx, strbuf *out)
{
	fwrite(out->buf, 1, out->len, ((out_file *)ctx)->fp);
	sb_reset(out);
}

/* Parses a sample type name for --value: an index (0, 1, ...), a type
 * ("cpu", "samples"; "inuse_space" finds "space" as pprof does), or
 * "type/unit". Returns the index or PROF_NONE after printing what there is. */
static uint32_t cli_find_value(const profile *p, const char *name)
{
	/* pprof's -sample_index: an index, or a type ("inuse_" may be left
	 * out: inuse_space finds space) */
	char *end;
	errno = 0;
	long idx = strtol(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && !errno) {
		if (idx < (long)p->nvalues)
			return (uint32_t)idx;
		cli_error(NULL, "no sample type %ld (the profile has %u: 0..%u)", idx, p->nvalues,
			  p->nvalues ? p->nvalues - 1 : 0);
		return PROF_NONE;
	}
	const char *noinuse = strncmp(name, "inuse_", 6) ? name : name + 6;
	const char *slash = strchr(name, '/');
	for (uint32_t i = 0; i < p->nvalues; i++) {
		const prof_value_type *t = &p->sample_types[i];
		if (!t->type)
			continue;
		if (slash) {
			size_t tl = (size_t)(slash - name);
			if (strlen(t->type) == tl && !strncmp(t->type, name, tl) && t->unit &&
			    !strcmp(t->unit, slash + 1))
				return i;
		} else if (!strcmp(t->type, name) || !strcmp(t->type, noinuse)) {
			return i;
		}
	}
	strbuf sb = STRBUF_INIT;
	for (uint32_t i = 0; i < p->nvalues; i++)
		sb_addf(&sb, "%s%s/%s", i ? ", " : "", p->sample_types[i].type ? p->sample_types[i].type : "?",
			p->sample_types[i].unit ? p->sample_types[i].unit : "?");
	cli_error(NULL, "no sample type '%s' (the profile has: %s)", name, sb.len ? sb.buf : "none");
	sb_release(&sb);
	return PROF_NONE;
}

/* N with an optional K/M/G (powers of 1024) suffix. */
static int parse_size(const char *s, size_t *out)
{
	char num[32];
	size_t n = strlen(s), mul = 1;
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': mul = (size_t)1 << 10; break;
	case 'm': case 'M': mul = (size_t)1 << 20; break;
	case 'g': case 'G': mul = (size_t)1 << 30; break;
	default: break;
	}
	if (mul != 1)
		num[n - 1] = 0;
	uint64_t v;
	if (parse_u64(num, &v) < 0 || v == 0 || v > SIZE_MAX / mul)
		return -1;
	*out = (size_t)v * mul;
	return 0;
}

int cli_filter_mask(const char *file, const profile *p, const filter_opts *f,
		    bool **mask)
{
	*mask = NULL;
	if (!filter_active(f))
		return 0;
	cprof_err err = { { 0 } };
	if (filter_mask(p, f, mask, NULL, &err) < 0) {
		cli_error(file, "%s", err.msg);
		return -1;
	}
	return 0;
}


profile *cli_load(cli_args *a, char *const *paths, int npaths, uint32_t *value)
{
	a->mask = NULL;
	a->file = npaths > 0 ? paths[0] : NULL;
	/* a time filter reads each sample's time: no aggregated reading */
	if (a->filter.has_from || a->filter.has_to)
		a->read.aggregate = false;
	a->profile = cli_read_inputs(paths, npaths, &a->read);
	if (!a->profile)
		return NULL;
	if ((a->value && (*value = cli_find_value(a->profile, a->value)) == PROF_NONE) ||
	    cli_filter_mask(paths[0], a->profile, &a->filter, &a->mask) < 0) {
		cli_args_release(a);
		return NULL;
	}
	return a->profile;
}

void cli_args_release(cli_args *a)
{
	free(a->mask);
	a->mask = NULL;
	prof_free(a->profile);
	a->profile = NULL;
}

int cli_finish(cli_args *a, int rc, const cprof_err *err, strbuf *out)
{
	if (rc < 0) {
		cli_error(a->file, "%s", err->msg);
		rc = CLI_EXIT_INPUT;
		if (a->stream)
			out_abort(a->stream);
	} else if (a->stream) {
		rc = commit_output(a->output, a->stream, out->buf, out->len);
	} else {
		rc = cli_write(a->output, out->buf, out->len);
	}
	free(a->stream);
	a->stream = NULL;
	sb_release(out);
	cli_args_release(a);
	return rc;
}

/* ---- the shared options' callbacks ---------------------------------------- */
int cli_cb_names(void *v, const char *arg)
{
	int m = names_mode_parse(arg);
	if (m < 0)
		return -1;
	*(names_mode *)v = (names_mode)m;
	return 0;
}

int cli_cb_size(void *v, const char *arg)
{
	return parse_size(arg, v);
}

int cli_check_regex(const char *opt, const char *re)
{
	regex_t r;
	int rc = regcomp(&r, re, REG_EXTENDED | REG_NOSUB);
	if (!rc) {
		regfree(&r);
		return 0;
	}
	char why[200];
	regerror(rc, &r, why, sizeof(why));
	cli_error(NULL, "bad %s '%s': want a POSIX extended regex (%s)", opt, re, why);
	return -2;
}

int cli_cb_focus(void *v, const char *arg)
{
	if (cli_check_regex("--focus", arg))
		return -2;
	*(const char **)v = arg;
	return 0;
}

int cli_cb_ignore(void *v, const char *arg)
{
	if (cli_check_regex("--ignore", arg))
		return -2;
	*(const char **)v = arg;
	return 0;
}

int cli_cb_tag(void *v, const char *arg)
{
	filter_opts *f = v;
	if (!strchr(arg, '=') || arg[0] == '=')
		return -1;
	if (f->ntags >= FILTER_MAX_TAGS) {
		cli_error(NULL, "too many --tag options (at most %d)", FILTER_MAX_TAGS);
		return -2;
	}
	f->tags[f->ntags++] = arg;
	return 0;
}

/* A decimal id in [lo, INT32_MAX]. */
static int parse_id(const char *arg, long lo, int32_t *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < lo || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

int cli_cb_thread(void *v, const char *arg)
{
	filter_opts *f = v;
	if (parse_id(arg, 0, &f->tid) < 0)
		return -1;
	f->has_tid = true;
	return 0;
}

int cli_cb_process(void *v, const char *arg)
{
	filter_opts *f = v;
	if (parse_id(arg, 1, &f->pid) < 0)
		return -1;
	f->has_pid = true;
	return 0;
}

static int parse_time(const char *name, const char *arg, bool *has, int64_t *ns)
{
	cprof_err err = { { 0 } };
	if (filter_parse_time(arg, ns, &err) < 0) {
		cli_error(NULL, "--%s: %s", name, err.msg);
		return -2;
	}
	*has = true;
	return 0;
}

int cli_cb_from(void *v, const char *arg)
{
	filter_opts *f = v;
	return parse_time("from", arg, &f->has_from, &f->from_ns);
}

int cli_cb_to(void *v, const char *arg)
{
	filter_opts *f = v;
	return parse_time("to", arg, &f->has_to, &f->to_ns);
}

/* ---- the parser ------------------------------------------------------------- */
/* getopt_long's val for the long option of entry i (above every char) */
#define CLI_LONG_BASE 0x10000
#define CLI_HELP_COL 22

static const cli_option cli_help_opt =
	CLI_OPT_BOOL('h', "help", NULL, "this text");

static void help_entry(const cli_option *o, strbuf *out)
{
	if (o->type == CLI_TEXT) {
		sb_addf(out, "%s\n", o->help);
		return;
	}
	size_t start = out->len;
	sb_adds(out, "  ");
	if (o->short_name)
		sb_addf(out, "-%c%s", o->short_name, o->long_name ? ", " : "");
	if (o->long_name)
		sb_addf(out, "--%s", o->long_name);
	if (o->argh)
		sb_addf(out, " %s", o->argh);
	size_t w = out->len - start;
	if (w + 2 > CLI_HELP_COL) {
		sb_addc(out, '\n');
		w = 0;
	}
	for (const char *line = o->help; line;) {
		const char *nl = strchr(line, '\n');
		for (; w < CLI_HELP_COL; w++)
			sb_addc(out, ' ');
		sb_add(out, line, nl ? (size_t)(nl - line) : strlen(line));
		sb_addc(out, '\n');
		w = 0;
		line = nl ? nl + 1 : NULL;
	}
}

void cli_help(const cli_option *opts, const cli_usage *u, strbuf *out)
{
	sb_addf(out, "usage: %s\n", u->synopsis);
	if (u->about)
		sb_adds(out, u->about);
	sb_addc(out, '\n');
	for (const cli_option *o = opts; o->type != CLI_END; o++)
		if (o->help)
			help_entry(o, out);
	help_entry(&cli_help_opt, out);
	if (u->footer)
		sb_addf(out, "\n%s", u->footer);
}

/* "--name" or "-c", as the user wrote it */
static void spelled(const cli_option *o, bool is_long, char *buf, size_t n)
{
	if (is_long)
		snprintf(buf, n, "--%s", o->long_name);
	else
		snprintf(buf, n, "-%c", o->short_name);
}

static int set_number(const cli_option *o, const char *arg)
{
	char *end;
	errno = 0;
	if (o->type == CLI_DOUBLE) {
		double d = strtod(arg, &end);
		if (end == arg || *end || errno || !(d >= o->min && d <= o->max))
			return -1;
		*(double *)o->value = d;
		return 0;
	}
	uint64_t u;
	long long v;
	if (o->type == CLI_U64 || o->type == CLI_U32) {
		if (parse_u64(arg, &u) < 0 || (double)u < o->min || (double)u > o->max)
			return -1;
		if (o->type == CLI_U64)
			*(uint64_t *)o->value = u;
		else
			*(uint32_t *)o->value = (uint32_t)u;
		return 0;
	}
	v = strtoll(arg, &end, 10);
	if (end == arg || *end || errno || (double)v < o->min || (double)v > o->max)
		return -1;
	*(int *)o->value = (int)v;
	return 0;
}

/* Applies one option: 0, or 2 after printing why not. */
static int apply(const cli_option *o, bool is_long, const char *arg)
{
	int r = 0;
	switch (o->type) {
	case CLI_BOOL: *(bool *)o->value = true; break;
	case CLI_STRING: *(const char **)o->value = arg; break;
	case CLI_INT: case CLI_U32: case CLI_U64: case CLI_DOUBLE: r = set_number(o, arg); break;
	case CLI_CALLBACK: r = o->cb(o->value, arg); break;
	case CLI_END: case CLI_TEXT: break;
	}
	if (r == -1) {
		char name[64];
		spelled(o, is_long, name, sizeof(name));
		cli_error(NULL, "bad %s '%s': want %s", name, arg ? arg : "", o->want ? o->want : "?");
	}
	return r < 0 ? CLI_EXIT_USAGE : 0;
}

int cli_parse_args(int argc, char **argv, const cli_option *opts, const cli_usage *u,
		   int *first)
{
	cli_init(u->name);
	size_t n = 0;
	while (opts[n].type != CLI_END)
		n++;
	struct option *lo = xcalloc(n + 2, sizeof(*lo));
	strbuf so = STRBUF_INIT;
	size_t nlo = 0;
	/* '+': stop at the first operand (a command and its arguments); ':':
	 * a missing argument is told apart from an unknown option */
	sb_adds(&so, u->stop_at_operand ? "+:" : ":");
	for (size_t i = 0; i < n; i++) {
		const cli_option *o = &opts[i];
		if (o->type == CLI_TEXT)
			continue;
		bool arg = o->argh != NULL;
		if (o->long_name)
			lo[nlo++] = (struct option){ o->long_name, arg ? required_argument : no_argument,
						     NULL, CLI_LONG_BASE + (int)i };
		if (o->short_name)
			sb_addf(&so, "%c%s", o->short_name, arg ? ":" : "");
	}
	lo[nlo++] = (struct option){ "help", no_argument, NULL, 'h' };
	sb_addc(&so, 'h');
	int c, rc = 0;
	opterr = 0;
	optind = 0; /* glibc: start afresh (a second parse, the tests) */
	while (!rc && (c = getopt_long(argc, argv, so.buf, lo, NULL)) != -1) {
		if (c == 'h') {
			strbuf h = STRBUF_INIT;
			cli_help(opts, u, &h);
			fwrite(h.buf, 1, h.len, stdout);
			sb_release(&h);
			rc = 1;
		} else if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			char shortopt[3] = { '-', (char)optopt, 0 };
			if (optopt && optopt < CLI_LONG_BASE && strncmp(bad, "--", 2))
				bad = shortopt;
			const char *why = c == ':' ? "option '%s' needs an argument"
				: optopt >= CLI_LONG_BASE ? "option '%s' takes no argument"
							  : "unknown option '%s'";
			strbuf m = STRBUF_INIT;
			sb_addf(&m, why, bad);
			cli_error(NULL, "%s (see %s --help)", m.buf, cli_name);
			sb_release(&m);
			rc = CLI_EXIT_USAGE;
		} else if (c >= CLI_LONG_BASE) {
			rc = apply(&opts[c - CLI_LONG_BASE], true, optarg);
		} else {
			size_t i = 0;
			while (i < n && opts[i].short_name != c)
				i++;
			rc = apply(&opts[i], false, optarg);
		}
	}
	free(lo);
	sb_release(&so);
	if (!rc && u->no_operand && optind >= argc) {
		cli_error(NULL, "%s", u->no_operand);
		rc = CLI_EXIT_USAGE;
	}
	*first = optind;
	return rc;
}

/* The heap grows 64 MiB at a time, and that room asks for transparent
 * huge pages: a page fault per 2 MiB instead of per 4 KiB. A tool fills
 * tens of MB of tables and strings once; faulting them in 4 KiB pages
 * was 10-30 % of cprof-top's time (the kernel charges each fault). Only
 * the room made here: the kernel does not carry the advice onto a later
 * growth, and a sanitizer's malloc does not use the heap at all. */
static void heap_on_huge_pages(void)
{
	const uintptr_t huge = ((uintptr_t)2 << 20) - 1;
	mallopt(M_TOP_PAD, 64 << 20);
	uintptr_t a = ((uintptr_t)sbrk(0) + huge) & ~huge;
	void *volatile q = malloc(1 << 20); /* more than the heap holds: it grows */
	free(q);
	uintptr_t b = (uintptr_t)sbrk(0) & ~huge;
	if (b > a)
		madvise((void *)a, b - a, MADV_HUGEPAGE); /* a hint: without THP, small pages */
}

int cli_parse(int argc, char **argv, const cli_option *opts, const cli_usage *u)
{
	/* A tool runs once and exits: what it frees stays with malloc for its
	 * next allocation (every block from the heap, none given back to the
	 * kernel) instead of costing fresh pages, a page fault each, again. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	heap_on_huge_pages();
	int first;
	int rc = cli_parse_args(argc, argv, opts, u, &first);
	if (rc == 1)
		exit(fflush(stdout) || ferror(stdout) ? CLI_EXIT_INPUT : CLI_EXIT_OK);
	if (rc)
		exit(rc);
	return first;
}
