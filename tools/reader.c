/*
 * reader: format detection and the table of input formats (contract in
 * reader.h). A row says how to recognise a format's first bytes and how to
 * read it into an empty profile; gzip is not a row but a wrapper: its
 * content is inflated (bounded by max_decompressed) and detected again, so
 * a gzipped pprof profile, a gzipped raw file or gzipped folded stacks all
 * read. The rows are tried in order: the raw magic is exact, the protobuf
 * heuristic is stricter than "looks like text", so folded text comes last.
 */
#include "reader.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folded.h"
#include "gzip.h"
#include "legacy.h"
#include "perfdata.h"
#include "perfscript.h"
#include "pprof.h"
#include "prune.h"
#include "rawfile.h"
#include "rawread.h"

/* Which names a format's functions get, as go tool pprof names them after
 * reading (names_simplify; then read_detected prunes drop_frames, as pprof
 * prunes after symbolizing). Folded and perf input are not pprof's: their
 * names are shown as written. A pprof profile's names are demangled where
 * name == system name. Names from cprof's own symbolizer (raw input, and
 * gperftools and legacy text profiles, whose addresses pprof symbolizes
 * with addr2line: name == system name, then demangled) are demangled again
 * from their system names (pprof's "force"). */
enum fmt_names { NAMES_AS_WRITTEN, NAMES_PPROF, NAMES_SYMBOLIZED };

typedef struct prof_format {
	const char *name;
	bool (*looks_like)(const unsigned char *d, size_t n);
	int (*read)(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		    cprof_err *err);
	enum fmt_names names;
} prof_format;

static int read_pprof(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		      cprof_err *err)
{
	(void)o;
	return pprof_read(p, d, n, err);
}

static const prof_format formats[] = {
	{ "raw", raw_looks_like, rawread, NAMES_SYMBOLIZED },
	{ "gperftools", legacy_cpu_looks_like, legacy_cpu_read, NAMES_SYMBOLIZED },
	{ "perf.data", perfdata_looks_like, perfdata_read, NAMES_AS_WRITTEN },
	{ "pprof", pprof_looks_like, read_pprof, NAMES_PPROF },
	{ "pprof-legacy", legacy_text_looks_like, legacy_text_read, NAMES_SYMBOLIZED },
	{ "perf script", perfscript_looks_like, perfscript_read, NAMES_AS_WRITTEN },
	{ "folded", folded_looks_like, folded_read, NAMES_AS_WRITTEN },
};

#define DEFAULT_MAX_INPUT ((size_t)4 << 30)

static const prof_format *detect(const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i].looks_like(d, n))
			return &formats[i];
	return NULL;
}

/* Inputs that are recognised but not read: what they are and what to do.
 * Each test looks at the first bytes only. */
static bool starts(const unsigned char *d, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && !memcmp(d, lit, k);
}

static bool has_within(const unsigned char *d, size_t n, size_t within, const char *lit)
{
	return memmem(d, n < within ? n : within, lit, strlen(lit)) != NULL;
}

/* The first line that is not a '#' comment, as [*l, *l + *len). */
static void first_data_line(const unsigned char *d, size_t n, const unsigned char **l, size_t *len)
{
	size_t pos = 0;
	while (pos < n && (d[pos] == '#' || d[pos] == '\n')) {
		const unsigned char *nl = memchr(d + pos, '\n', n - pos);
		pos = nl ? (size_t)(nl - d) + 1 : n;
	}
	const unsigned char *nl = memchr(d + pos, '\n', n - pos);
	*l = d + pos;
	*len = nl ? (size_t)(nl - *l) : n - pos;
}

static bool is_perf_report(const unsigned char *d, size_t n)
{
	return starts(d, n, "# To display the perf.data header info") ||
	       (d[0] == '#' && (has_within(d, n, 4096, "\n# Samples: ") ||
				has_within(d, n, 4096, "\n# Overhead ")));
}

static bool is_perf_script_without_comm(const unsigned char *d, size_t n)
{
	const unsigned char *l;
	size_t len, i = 0;
	first_data_line(d, n, &l, &len);
	while (i < len && (l[i] == ' ' || l[i] == '\t'))
		i++;
	size_t h = i;
	while (i < len && isxdigit(l[i]))
		i++;
	/* "\t  401136 main+0x16 (/usr/bin/prog)": a frame with no event line;
	 * without dso (-F ip,sym) perf's tab decides */
	return h > 0 && i > h && i < len && l[i] == ' ' &&
	       ((memchr(l, '(', len) && l[len - 1] == ')') || l[0] == '\t');
}

static bool is_speedscope(const unsigned char *d, size_t n)
{
	return n && d[0] == '{' && has_within(d, n, 4096, "speedscope");
}

static bool is_callgrind(const unsigned char *d, size_t n)
{
	return starts(d, n, "# callgrind format") || starts(d, n, "events:") ||
	       starts(d, n, "version: 1\n") || starts(d, n, "creator: callgrind");
}

static const struct {
	bool (*is)(const unsigned char *d, size_t n);
	const char *msg;
} unsupported[] = {
	{ is_perf_report, "this is `perf report` output (a table without stacks): give cprof "
			  "`perf script` output of the same perf.data" },
	{ is_perf_script_without_comm,
	  "perf script output without event lines: cprof needs at least the comm and tid "
	  "fields (perf script -F comm,tid,time,period,event,ip,sym,dso)" },
	{ is_speedscope, "speedscope JSON: cprof writes it (cprof-html --speedscope) but does "
			 "not read it" },
	{ is_callgrind, "callgrind output: not read by cprof (it has no stacks, only "
			"caller/callee pairs)" },
};

static int unrecognized(const unsigned char *d, size_t n, bool gzipped, cprof_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (unsupported[i].is(d, n))
			return cprof_fail(err, "%s%s", gzipped ? "inside gzip: " : "", unsupported[i].msg);
	strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		sb_addf(&names, "%s%s", i ? ", " : "", formats[i].name);
	cprof_fail(err, "unrecognized format%s (cprof reads: %s; gzipped or not)",
		   gzipped ? " inside gzip" : "", names.buf);
	sb_release(&names);
	return -1;
}

const char *prof_detect_format(const unsigned char *data, size_t len)
{
	if (gz_is_gzip(data, len))
		return "pprof.gz";
	const prof_format *f = detect(data, len);
	return f ? f->name : NULL;
}

/* A profile the reader of format f filled (rc 0) gets what every profile
 * gets: its names as go tool pprof shows them, then drop_frames pruning. */
static int finish(profile *p, int rc, const prof_format *f, const prof_read_opts *o,
		  profile **out)
{
	if (rc < 0) {
		prof_free(p);
		return -1;
	}
	if (f->names != NAMES_AS_WRITTEN)
		names_simplify(p, o->names, f->names == NAMES_SYMBOLIZED);
	prof_prune(p, o); /* as go tool pprof does with every profile it reads */
	*out = p;
	return 0;
}

/* Text saved as UTF-16 with its byte-order mark (what Windows PowerShell's
 * `>` writes), as UTF-8 in out: a lone surrogate becomes U+FFFD, an odd
 * last byte is left out. */
static void utf16_to_utf8(const unsigned char *d, size_t n, strbuf *out)
{
	bool be = d[0] == 0xfe;
	sb_grow(out, n / 2 * 3);
	for (size_t i = 2; i + 1 < n; i += 2) {
		uint32_t c = be ? (uint32_t)d[i] << 8 | d[i + 1] : (uint32_t)d[i + 1] << 8 | d[i];
		if (c >= 0xd800 && c < 0xe000) {
			uint32_t lo = 0;
			if (c < 0xdc00 && i + 3 < n)
				lo = be ? (uint32_t)d[i + 2] << 8 | d[i + 3] : (uint32_t)d[i + 3] << 8 | d[i + 2];
			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			} else {
				c = 0xfffd;
			}
		}
		unsigned char u[4];
		size_t k;
		if (c < 0x80) {
			u[0] = (unsigned char)c;
			k = 1;
		} else if (c < 0x800) {
			u[0] = (unsigned char)(0xc0 | c >> 6);
			u[1] = (unsigned char)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c < 0x10000) {
			u[0] = (unsigned char)(0xe0 | c >> 12);
			u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			u[2] = (unsigned char)(0x80 | (c & 0x3f));
			k = 3;
		} else {
			u[0] = (unsigned char)(0xf0 | c >> 18);
			u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
			u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			u[3] = (unsigned char)(0x80 | (c & 0x3f));
			k = 4;
		}
		sb_add(out, u, k);
	}
}

static int read_detected(const unsigned char *d, size_t n, const prof_read_opts *o, bool gzipped,
			 profile **out, cprof_err *err)
{
	if (!n)
		return cprof_fail(err, gzipped ? "empty input after gunzip" : "empty input");
	const prof_format *f = detect(d, n);
	/* only when the bytes are no format themselves: a folded name may
	 * start with those bytes (UTF-8 has none: one level at most) */
	if (!f && n >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff))) {
		strbuf text = STRBUF_INIT;
		utf16_to_utf8(d, n, &text);
		int r = n > 2 ? read_detected((const unsigned char *)text.buf, text.len, o, gzipped, out, err)
			      : cprof_fail(err, "empty input (a UTF-16 byte-order mark only)");
		sb_release(&text);
		return r;
	}
	if (!f)
		return unrecognized(d, n, gzipped, err);
	profile *p = prof_new();
	return finish(p, f->read(p, d, n, o, err), f, o, out);
}

int prof_read_mem(const unsigned char *data, size_t len, const prof_read_opts *opts,
		  profile **out, cprof_err *err)
{
	static const prof_read_opts defaults;
	if (!opts)
		opts = &defaults;
	if (!gz_is_gzip(data, len))
		return read_detected(data, len, opts, false, out, err);
	unsigned char *in;
	size_t n;
	if (gz_inflate(data, len, opts->max_decompressed, &in, &n, err) < 0)
		return -1;
	int r = read_detected(in, n, opts, true, out, err);
	free(in);
	return r;
}

/* A regular file that starts as a raw file is streamed (rawread_fd): its
 * size is not limited by memory. 1 if it was (the result in *rc), 0 if the
 * file is something else, to be read whole. */
static int read_raw_file(const char *path, const prof_read_opts *o, profile **out, int *rc,
			 cprof_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* read_file_all reports it */
	struct stat st;
	unsigned char head[sizeof(struct cprof_raw_file_header)];
	int streamed = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size <= SIZE_MAX &&
	    pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	    raw_looks_like(head, sizeof(head))) {
		profile *p = prof_new();
		*rc = finish(p, rawread_fd(p, fd, (size_t)st.st_size, o, err), &formats[0] /* raw */, o,
			     out);
		streamed = 1;
	}
	close(fd);
	return streamed;
}

int prof_read_file(const char *path, const prof_read_opts *opts, profile **out, cprof_err *err)
{
	static const prof_read_opts defaults;
	if (!opts)
		opts = &defaults;
	size_t max = opts->max_input ? opts->max_input : DEFAULT_MAX_INPUT;
	int rc;
	if (strcmp(path, "-") != 0 && read_raw_file(path, opts, out, &rc, err))
		return rc;
	/* a regular file is mapped, not copied; anything else (and every
	 * error) goes through read_file_all */
	const unsigned char *map;
	size_t maplen;
	if (map_file(path, max, &map, &maplen)) {
		rc = prof_read_mem(map, maplen, opts, out, err);
		unmap_file(map, maplen);
		return rc;
	}
	unsigned char *data;
	size_t len;
	if (read_file_all(path, max, &data, &len, err) < 0)
		return -1;
	rc = prof_read_mem(data, len, opts, out, err);
	free(data);
	return rc;
}

void prof_warnf(const prof_read_opts *o, const char *fmt, ...)
{
	if (!o || !o->warn)
		return;
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	o->warn(o->warn_ctx, sb.buf);
	sb_release(&sb);
}
