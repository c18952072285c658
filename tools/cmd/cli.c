/* cli: shared helpers of the tool mains (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "symbolize.h"

/* reader.c's default input limit: a larger file is left to prof_read_file,
 * which says so */
#define CLI_MAX_INPUT ((size_t)4 << 30)

const char cli_help_common[] =
	"Inputs: raw files from cprof-record/libcprof-sample, pprof protobuf (gzipped or\n"
	"not, e.g. Go's -cpuprofile), perf.data (perf record), perf script text,\n"
	"gperftools CPU profiles (CPUPROFILE=), pprof's legacy text (heap, growth,\n"
	"contention, thread), or folded text; the format is detected from the first\n"
	"bytes. Several inputs are merged. '-' reads stdin.\n"
	CLI_HELP_READ
	"  -o, --output FILE   write FILE (atomically) instead of stdout\n"
	"  -h, --help          this text\n";

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

bool cli_no_inputs(int argc, int optind)
{
	if (optind < argc)
		return false;
	cli_error(NULL, "no input file (use - for stdin; see --help)");
	return true;
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
		cli_error(NULL, "no input file (use - for stdin; see --help)");
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
		/* a regular file is mapped, not copied; anything else (and
		 * every error) goes through prof_read_file */
		const unsigned char *map;
		size_t maplen;
		int rc;
		if (map_file(paths[i], o.max_input ? o.max_input : CLI_MAX_INPUT, &map, &maplen)) {
			rc = prof_read_mem(map, maplen, &o, &p, &err);
			unmap_file(map, maplen);
		} else {
			rc = prof_read_file(paths[i], &o, &p, &err);
		}
		if (rc < 0) {
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

int cli_parse_long(const char *name, const char *arg, long min, long max,
		   const char *want, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (end == arg || *end || v < min || v > max) {
		cli_error(NULL, "bad %s '%s': want %s", name, arg, want);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_write(const char *path, const char *data, size_t len)
{
	out_file o;
	cprof_err err = { { 0 } };
	const char *shown = path && strcmp(path, "-") ? path : "stdout";
	if (out_open(&o, path, &err) < 0) {
		cli_error(shown, "%s", err.msg);
		return 1;
	}
	if (len && fwrite(data, 1, len, o.fp) != len) {
		/* out_commit sees the stream error and reports it */
	}
	if (out_commit(&o, &err) < 0) {
		cli_error(shown, "%s", err.msg);
		return 1;
	}
	return 0;
}

uint32_t cli_find_value(const profile *p, const char *name)
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

const char cli_help_filters[] =
	"Filters (as in pprof; percentages stay of the whole profile):\n"
	"  --focus RE          only samples with a frame matching RE (POSIX extended\n"
	"                      regex on function name, file or module)\n"
	"  --ignore RE         drop samples with a frame matching RE\n"
	"  --tag KEY=VALUE     only samples labelled KEY=VALUE (repeatable: all must hold)\n"
	"  --thread TID        only samples of thread TID (raw, perf input)\n"
	"  --pid PID           only samples of process PID (raw, perf input); also\n"
	"                      --process PID (cprof-fold's --pid is stackcollapse-perf's)\n"
	"  --from T, --to T    only samples in [T1, T2) since the start (raw, perf\n"
	"                      input; several inputs: since the earliest one's start);\n"
	"                      T like 1.5s, 250ms, 40us, 1000ns; a bare number is ms\n";

int cli_filter_opt(int opt, const char *arg, filter_opts *f)
{
	cprof_err err = { { 0 } };
	switch (opt) {
	case CLI_OPT_FOCUS:
		f->focus = arg;
		return 1;
	case CLI_OPT_IGNORE:
		f->ignore = arg;
		return 1;
	case CLI_OPT_TAG:
		if (f->ntags >= FILTER_MAX_TAGS) {
			cli_error(NULL, "too many --tag options (at most %d)", FILTER_MAX_TAGS);
			return -1;
		}
		if (!strchr(arg, '=') || arg[0] == '=') {
			cli_error(NULL, "bad --tag '%s': want KEY=VALUE", arg);
			return -1;
		}
		f->tags[f->ntags++] = arg;
		return 1;
	case CLI_OPT_THREAD: {
		long v;
		if (cli_parse_long("--thread", arg, 0, INT32_MAX, "a thread id", &v) < 0)
			return -1;
		f->has_tid = true;
		f->tid = (int32_t)v;
		return 1;
	}
	case CLI_OPT_PID: {
		long v;
		if (cli_parse_long("--pid", arg, 1, INT32_MAX, "a process id", &v) < 0)
			return -1;
		f->has_pid = true;
		f->pid = (int32_t)v;
		return 1;
	}
	case CLI_OPT_FROM:
	case CLI_OPT_TO: {
		int64_t ns;
		if (filter_parse_time(arg, &ns, &err) < 0) {
			cli_error(NULL, "--%s: %s", opt == CLI_OPT_FROM ? "from" : "to", err.msg);
			return -1;
		}
		if (opt == CLI_OPT_FROM)
			f->has_from = true, f->from_ns = ns;
		else
			f->has_to = true, f->to_ns = ns;
		return 1;
	}
	}
	return 0;
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

int cli_read_opt(int opt, const char *arg, prof_read_opts *ro)
{
	if (opt == CLI_OPT_NAMES) {
		int m = names_mode_parse(arg);
		if (m < 0) {
			cli_error(NULL, "--names: '%s' is not short, templates or full", arg);
			return -1;
		}
		ro->names = (names_mode)m;
		return 1;
	}
	if (opt == CLI_OPT_EVENT) {
		ro->event = arg;
		return 1;
	}
	if (opt == CLI_OPT_NOCACHE) {
		ro->no_cache = true;
		return 1;
	}
	if (opt != CLI_OPT_MAXDEC)
		return 0;
	if (parse_size(arg, &ro->max_decompressed) < 0) {
		cli_error(NULL, "--max-decompressed: '%s' is not a size", arg);
		return -1;
	}
	return 1;
}

int cli_name_opt(int opt, const char *arg, const char **value, names_opts *names, bool *threads,
		 prof_read_opts *ro)
{
	switch (opt) {
	case CLI_OPT_VALUE: *value = arg; return 1;
	case CLI_OPT_LINES: names->lines = true; return 1;
	case CLI_OPT_ADDRS: names->addrs = true; return 1;
	case CLI_OPT_INLINE: names->inline_marks = true; return 1;
	case CLI_OPT_THREADS: *threads = true; return 1;
	case CLI_OPT_NOSYM: ro->no_symbolize = true; return 1;
	}
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

profile *cli_load(char *const *paths, int npaths, const prof_read_opts *opts,
		  const char *value_name, uint32_t *value, const filter_opts *f, bool **mask)
{
	*mask = NULL;
	profile *p = cli_read_inputs(paths, npaths, opts);
	if (!p)
		return NULL;
	if ((value_name && (*value = cli_find_value(p, value_name)) == PROF_NONE) ||
	    cli_filter_mask(paths[0], p, f, mask) < 0) {
		free(*mask);
		*mask = NULL;
		prof_free(p);
		return NULL;
	}
	return p;
}
