/*
 * folded: reader and writer of FlameGraph's folded stacks (see folded.h).
 *
 * The writer groups samples by (stack, thread) first — stacks are interned,
 * so that is an integer sort — and only then builds the text of each group.
 * Two different stacks can print the same text (two locations of one
 * function), so the lines are sorted and equal neighbours merged: the output
 * has exactly one line per distinct text, in bytewise order.
 */
#include "folded.h"

#include "flame.h" /* fl_names, flame_namecache */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ------------------------------------------------------------ */

/* A ceiling far above real stacks (pprof input holds 100k-deep ones, and
 * what cprof-fold writes must read back); memory is bounded by the line. */
#define FOLDED_MAX_DEPTH (1 << 22)

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

typedef struct prev_frame {
	size_t start, len; /* bytes of the frame in the input */
	uint32_t loc;
} prev_frame;

int folded_read(profile *p, const unsigned char *d, size_t n, cprof_err *err)
{
	static const prof_value_type types[] = { { "samples", "count" } };
	prof_value_type t = { prof_intern(p, types[0].type), prof_intern(p, types[0].unit) };
	prof_set_sample_types(p, &t, 1);
	p->default_type = 0;
	p->source_format = prof_intern(p, "folded");

	/* frame text -> its one location; names repeat, so the model's
	 * interning runs once per distinct name, not once per frame */
	fl_names *seen = fl_names_new();
	uint32_t *loc_of_name = NULL;
	size_t loc_alloc = 0;
	prev_frame *prev = NULL; /* the previous line's frames, where they differ */
	size_t prev_n = 0, prev_alloc = 0;
	uint32_t *locs = NULL; /* the stack being read, root first */
	size_t locs_alloc = 0;
	size_t lineno = 0;
	size_t pos = 0;
	int rc = 0;

	while (pos < n) {
		const unsigned char *line = d + pos;
		const unsigned char *nl = memchr(line, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - line) : n - pos;
		pos += len + (nl ? 1 : 0);
		lineno++;

		/* trim trailing whitespace (and a CR) */
		while (len > 0 && is_space(line[len - 1]))
			len--;
		size_t start = 0;
		while (start < len && is_space(line[start]))
			start++;
		if (start == len)
			continue; /* blank line */
		if (memchr(line, '\0', len)) {
			rc = cprof_fail(err, "line %zu: NUL byte in folded text", lineno);
			break;
		}
		/* the count: digits at the end, after whitespace */
		size_t e = len;
		while (e > start && line[e - 1] >= '0' && line[e - 1] <= '9')
			e--;
		if (e == len) {
			rc = cprof_fail(err, "line %zu: no count at the end of the line (want \"frame;frame COUNT\")",
					lineno);
			break;
		}
		if (e == start || !is_space(line[e - 1])) {
			rc = cprof_fail(err, "line %zu: %s", lineno,
					e == start ? "no stack before the count"
						   : "the count must be an integer after a space");
			break;
		}
		int64_t count = 0;
		size_t i = e;
		for (; i < len && count <= (INT64_MAX - (line[i] - '0')) / 10; i++)
			count = count * 10 + (line[i] - '0');
		if (i < len) {
			rc = cprof_fail(err, "line %zu: count too large", lineno);
			break;
		}
		size_t se = e;
		while (se > start && is_space(line[se - 1]))
			se--;

		/* the frames, root first */
		size_t depth = 0;
		size_t f = start;
		bool same = true;
		for (;;) {
			const unsigned char *semi = memchr(line + f, ';', se - f);
			size_t fe = semi ? (size_t)(semi - line) : se;
			if (fe == f) {
				rc = cprof_fail(err, "line %zu: empty frame name in the stack", lineno);
				goto out;
			}
			if (depth >= FOLDED_MAX_DEPTH) {
				rc = cprof_fail(err, "line %zu: stack deeper than %d frames", lineno,
						FOLDED_MAX_DEPTH);
				goto out;
			}
			/* sorted input (stackcollapse output) repeats the previous
			 * line's prefix: reuse its locations without hashing */
			if (same && depth < prev_n && prev[depth].len == fe - f &&
			    !memcmp(d + prev[depth].start, line + f, fe - f)) {
				ALLOC_GROW(locs, depth + 1, locs_alloc);
				locs[depth] = prev[depth].loc;
				depth++;
				if (!semi)
					break;
				f = fe + 1;
				continue;
			}
			same = false;
			uint32_t id = fl_names_intern(seen, (const char *)line + f, fe - f);
			if (id >= loc_alloc) {
				size_t old = loc_alloc;
				ALLOC_GROW(loc_of_name, (size_t)id + 1, loc_alloc);
				for (size_t i = old; i < loc_alloc; i++)
					loc_of_name[i] = PROF_NONE;
			}
			if (loc_of_name[id] == PROF_NONE) {
				const char *name = prof_intern_n(p, (const char *)line + f, fe - f);
				uint32_t fn = prof_intern_function(p, name, name, "", 0);
				prof_line pl = { fn, 0, 0 };
				loc_of_name[id] = prof_add_location(p, PROF_NONE, 0, &pl, 1);
			}
			ALLOC_GROW(locs, depth + 1, locs_alloc);
			locs[depth++] = loc_of_name[id];
			ALLOC_GROW(prev, depth, prev_alloc);
			/* any earlier line's frame will do: same bytes, same location */
			prev[depth - 1] = (prev_frame){ (size_t)(line - d) + f, fe - f, loc_of_name[id] };
			if (depth > prev_n)
				prev_n = depth;
			if (!semi)
				break;
			f = fe + 1;
		}
		/* the model is leaf first */
		for (size_t i = 0; i < depth / 2; i++) {
			uint32_t tmp = locs[i];
			locs[i] = locs[depth - 1 - i];
			locs[depth - 1 - i] = tmp;
		}
		uint32_t st = prof_intern_stack(p, locs, (uint32_t)depth);
		prof_add_sample(p, st, 0, &count, -1, -1, 0);
	}
out:
	free(prev);
	fl_names_free(seen);
	free(loc_of_name);
	free(locs);
	return rc;
}

bool folded_looks_like(const unsigned char *d, size_t n)
{
	size_t pos = 0;
	/* the whole first line: a 100k-frame stack or a 1 MB name is one long
	 * line; binary input stops the scan at its first control byte */
	size_t limit = n;
	/* skip blank lines */
	while (pos < limit && (d[pos] == '\n' || is_space(d[pos])))
		pos++;
	if (pos >= limit)
		return false;
	size_t end = pos;
	while (end < limit && d[end] != '\n') {
		if (d[end] < 0x20 && !is_space(d[end]))
			return false; /* binary */
		end++;
	}
	while (end > pos && is_space(d[end - 1]))
		end--;
	size_t e = end;
	while (e > pos && d[e - 1] >= '0' && d[e - 1] <= '9')
		e--;
	if (e == end || e == pos || !is_space(d[e - 1]))
		return false;
	while (e > pos && is_space(d[e - 1]))
		e--;
	return e > pos;
}

/* Sums of counts saturate: a profile may hold values whose sum overflows
 * int64 (undefined behaviour), and the reader refuses counts past it. */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* ---- names -------------------------------------------------------------- */

void folded_clean_name(strbuf *sb, const char *s)
{
	/* a blank name too: its spaces would be taken for the ones before
	 * the count, leaving an empty frame */
	if (!s || !s[strspn(s, " \t\r\n\v\f")]) {
		sb_adds(sb, "[unknown]");
		return;
	}
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == ';')
			sb_addc(sb, ':');
		else if (*c < 0x20 || *c == 0x7f)
			sb_addc(sb, ' ');
		else
			sb_addc(sb, (char)*c);
	}
}

void folded_frame_name(const profile *p, const prof_frame *f, const folded_names *o, strbuf *sb)
{
	size_t off = sb->len;
	prof_frame_name(p, f, sb);
	bool blank = true;
	for (size_t i = off; i < sb->len; i++) {
		unsigned char c = (unsigned char)sb->buf[i];
		if (c == ';')
			sb->buf[i] = ':';
		else if (c < 0x20 || c == 0x7f)
			sb->buf[i] = ' ';
		blank = blank && sb->buf[i] == ' ';
	}
	if (blank) { /* empty, or spaces the reader takes for the ones before the count */
		sb->len = off;
		sb->buf[off] = '\0';
		sb_adds(sb, "[unknown]");
	}
	if (o && o->lines && f->function != PROF_NONE && f->line > 0)
		sb_addf(sb, ":%" PRId64, f->line);
	if (o && o->addrs && f->function != PROF_NONE && f->location < p->nlocations &&
	    p->locations[f->location].address)
		sb_addf(sb, "@0x%" PRIx64, p->locations[f->location].address);
	if (o && o->inline_marks && f->inlined)
		sb_adds(sb, "_[i]");
}

void folded_thread_frame(const profile *p, int32_t tid, strbuf *sb)
{
	if (tid < 0) {
		sb_adds(sb, "[unknown thread]");
		return;
	}
	const char *name = prof_thread_name(p, tid);
	if (name && *name)
		folded_clean_name(sb, name);
	else
		sb_addf(sb, "[tid %" PRId32 "]", tid);
}

uint32_t folded_default_value(const profile *p)
{
	for (uint32_t i = 0; i < p->nvalues; i++)
		if (p->sample_types[i].type && !strcmp(p->sample_types[i].type, "samples") &&
		    p->sample_types[i].unit && !strcmp(p->sample_types[i].unit, "count"))
			return i;
	return p->default_type < p->nvalues ? p->default_type : 0;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct group {
	uint32_t stack;
	int32_t tid;
	int64_t value;
} group;

static int group_cmp(const void *a_, const void *b_)
{
	const group *a = a_, *b = b_;
	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return 0;
}

typedef struct fline {
	size_t off, len; /* text in the line buffer */
	int64_t value;
} fline;

static const char *cmp_base;

static int fline_cmp(const void *a_, const void *b_)
{
	const fline *a = a_, *b = b_;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(cmp_base + a->off, cmp_base + b->off, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

int folded_write(const profile *p, const folded_opts *o, strbuf *out, cprof_err *err)
{
	uint32_t v = o->value == PROF_NONE ? folded_default_value(p) : o->value;
	if (p->nvalues == 0)
		return 0; /* nothing to count */
	if (v >= p->nvalues)
		return cprof_fail(err, "no such sample type index %u", v);

	group *g = xmalloc(st_mult(p->nsamples ? p->nsamples : 1, sizeof(*g)));
	size_t ng = 0;
	for (size_t i = 0; i < p->nsamples; i++) {
		if (o->mask && !o->mask[i])
			continue;
		g[ng].stack = p->samples[i].stack;
		g[ng].tid = o->threads ? p->samples[i].tid : 0;
		g[ng].value = prof_sample_values(p, i)[v];
		ng++;
	}
	qsort(g, ng, sizeof(*g), group_cmp);

	strbuf text = STRBUF_INIT;
	fline *lines = NULL;
	size_t nlines = 0, lines_alloc = 0;
	prof_frame *frames = NULL;
	size_t frames_alloc = 0;
	fl_names *names = fl_names_new();
	flame_namecache *nc = flame_namecache_new(p, &o->names, names);
	for (size_t i = 0; i < ng;) {
		size_t j = i;
		int64_t sum = 0;
		while (j < ng && g[j].stack == g[i].stack && g[j].tid == g[i].tid)
			sum = sat_add(sum, g[j++].value);
		if (sum > 0) {
			size_t off = text.len;
			if (o->threads) {
				folded_thread_frame(p, g[i].tid, &text);
				sb_addc(&text, ';');
			}
			uint32_t nf = prof_stack_frames(p, g[i].stack, &frames, &frames_alloc);
			for (uint32_t k = nf; k-- > 0;) {
				sb_adds(&text, fl_names_get(names, flame_namecache_name(nc, &frames[k])));
				if (k)
					sb_addc(&text, ';');
			}
			if (nf == 0 && !o->threads)
				sb_adds(&text, "[empty stack]");
			else if (nf == 0)
				text.len--, text.buf[text.len] = '\0'; /* drop the ';' */
			ALLOC_GROW(lines, nlines + 1, lines_alloc);
			lines[nlines].off = off;
			lines[nlines].len = text.len - off;
			lines[nlines].value = sum;
			nlines++;
		}
		i = j;
	}
	free(g);
	free(frames);
	flame_namecache_free(nc);
	fl_names_free(names);

	cmp_base = text.buf;
	if (nlines)
		qsort(lines, nlines, sizeof(*lines), fline_cmp);
	for (size_t i = 0; i < nlines;) {
		size_t j = i;
		int64_t sum = 0;
		while (j < nlines && lines[j].len == lines[i].len &&
		       !memcmp(text.buf + lines[j].off, text.buf + lines[i].off, lines[i].len))
			sum = sat_add(sum, lines[j++].value);
		sb_add(out, text.buf + lines[i].off, lines[i].len);
		sb_addf(out, " %" PRId64 "\n", sum);
		i = j;
	}
	free(lines);
	sb_release(&text);
	return 0;
}
