/* timeline: per-thread columns of stacks in time order (contract in timeline.h). */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

typedef struct column {
	char **names; /* root first */
	uint32_t depth;
	uint64_t count; /* samples merged into this column */
	int64_t time_ns;
	size_t width;
} column;

static void column_names(const profile *p, uint32_t stack, const timeline_opts *o, column *c,
			 prof_frame **fr, size_t *alloc)
{
	strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	if (o->locations) {
		const prof_stack *s = &p->stacks[stack];
		c->depth = s->depth;
		c->names = xcalloc(s->depth ? s->depth : 1, sizeof(char *));
		for (uint32_t i = 0; i < s->depth; i++) {
			sb_reset(&sb);
			sb_reset(&tmp);
			prof_location_name(p, s->locs[s->depth - 1 - i], &tmp);
			names_clean(&sb, tmp.buf);
			c->names[i] = xstrdup(sb.buf);
		}
	} else {
		uint32_t n = prof_stack_frames(p, stack, fr, alloc);
		c->depth = n;
		c->names = xcalloc(n ? n : 1, sizeof(char *));
		for (uint32_t i = 0; i < n; i++) {
			sb_reset(&sb);
			names_frame(p, &(*fr)[n - 1 - i], &o->names, &sb);
			c->names[i] = xstrdup(sb.buf);
		}
	}
	sb_release(&sb);
	sb_release(&tmp);
}

static void add_ms(strbuf *sb, int64_t ns)
{
	if (ns < 0) {
		sb_addc(sb, '-');
		ns = -ns;
	}
	sb_addf(sb, "%lld.%03lld", (long long)(ns / 1000000), (long long)(ns % 1000000 / 1000));
}

static void pad(strbuf *sb, size_t n)
{
	while (n--)
		sb_addc(sb, ' ');
}

static void trim_trailing(strbuf *sb, size_t line_start)
{
	while (sb->len > line_start && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	sb->buf[sb->len] = 0;
}

/* The key that tells displayed stacks apart: their names joined (two
 * stacks that differ only in addresses look the same). Caller frees. */
static char *stack_key(const profile *p, uint32_t stack, const timeline_opts *o, prof_frame **fr,
		       size_t *fr_alloc)
{
	column tmp = { 0 };
	column_names(p, stack, o, &tmp, fr, fr_alloc);
	strbuf k = STRBUF_INIT;
	sb_adds(&k, "");
	for (uint32_t d = 0; d < tmp.depth; d++) {
		sb_adds(&k, tmp.names[d]);
		sb_addc(&k, ';');
		free(tmp.names[d]);
	}
	free(tmp.names);
	return sb_detach(&k, NULL);
}

/* The columns of a thread's n samples (idx): one per sample, or with merge
 * one per run of one displayed stack; at most maxcol. Returns how many
 * samples did not fit. */
static size_t build_columns(const profile *p, const timeline_opts *o, const size_t *idx, size_t n,
			    bool merge, size_t maxcol, column **cols, size_t *ncols)
{
	size_t cols_alloc = 0, drawn = 0;
	bool hidden = false;
	prof_frame *fr = NULL;
	size_t fr_alloc = 0;
	char **keys = merge ? xcalloc(p->nstacks ? p->nstacks : 1, sizeof(char *)) : NULL;
	const char *last_key = NULL;
	*cols = NULL;
	*ncols = 0;
	for (size_t i = 0; i < n; i++) {
		const prof_sample *s = &p->samples[idx[i]];
		if (merge) {
			if (!keys[s->stack])
				keys[s->stack] = stack_key(p, s->stack, o, &fr, &fr_alloc);
			if (last_key && !strcmp(last_key, keys[s->stack])) {
				(*cols)[*ncols - 1].count++;
				drawn++;
				continue;
			}
			last_key = keys[s->stack];
		}
		if (*ncols == maxcol) {
			hidden = true;
			break;
		}
		ALLOC_GROW(*cols, *ncols + 1, cols_alloc);
		column *c = &(*cols)[(*ncols)++];
		memset(c, 0, sizeof(*c));
		c->count = 1;
		c->time_ns = s->time_ns;
		column_names(p, s->stack, o, c, &fr, &fr_alloc);
		drawn++;
	}
	free(fr);
	if (keys) {
		for (uint32_t k = 0; k < p->nstacks; k++)
			free(keys[k]);
		free(keys);
	}
	return hidden ? n - drawn : 0;
}

/* The rows every column shares but the last of them: drawn once, above. */
static uint32_t common_root(const column *cols, size_t ncols)
{
	uint32_t common = UINT32_MAX;
	for (size_t i = 0; i < ncols; i++) {
		uint32_t k = 0;
		while (k < cols[i].depth && k < cols[0].depth && k < common &&
		       !strcmp(cols[i].names[k], cols[0].names[k]))
			k++;
		if (k < common)
			common = k;
	}
	return common > 1 && common != UINT32_MAX ? common - 1 : 0;
}

/* Each column as wide as its widest name below skip (and its "xN"). */
static void set_widths(column *cols, size_t ncols, uint32_t skip, bool merge)
{
	for (size_t i = 0; i < ncols; i++) {
		column *c = &cols[i];
		c->width = 1;
		for (uint32_t k = skip; k < c->depth; k++) {
			size_t l = strlen(c->names[k]);
			if (l > c->width)
				c->width = l;
		}
		if (merge) {
			char b[32];
			size_t l = (size_t)snprintf(b, sizeof(b), "x%llu", (unsigned long long)c->count);
			if (l > c->width)
				c->width = l;
		}
	}
}

/* Columns b0..b1 side by side: their "xN" counts with merge, then their
 * names row by row from skip, root first. */
static void draw_block(strbuf *out, const column *cols, size_t b0, size_t b1, uint32_t skip,
		       bool merge)
{
	if (merge) {
		size_t ls = out->len;
		sb_adds(out, "  ");
		for (size_t i = b0; i < b1; i++) {
			char b[32];
			size_t l = (size_t)snprintf(b, sizeof(b), "x%llu", (unsigned long long)cols[i].count);
			sb_adds(out, b);
			pad(out, cols[i].width - l + (i + 1 < b1));
		}
		trim_trailing(out, ls);
		sb_addc(out, '\n');
	}
	uint32_t bdepth = 0;
	for (size_t i = b0; i < b1; i++)
		if (cols[i].depth > bdepth)
			bdepth = cols[i].depth;
	for (uint32_t k = skip; k < bdepth; k++) {
		size_t ls = out->len;
		sb_adds(out, "  ");
		for (size_t i = b0; i < b1; i++) {
			const char *s = k < cols[i].depth ? cols[i].names[k] : "";
			sb_adds(out, s);
			pad(out, cols[i].width - strlen(s) + (i + 1 < b1));
		}
		trim_trailing(out, ls);
		sb_addc(out, '\n');
	}
}

static void draw_thread(const profile *p, const timeline_opts *o, int32_t tid, const size_t *idx,
			size_t n, strbuf *out)
{
	uint32_t width = o->width ? o->width : 100;
	uint32_t maxcol = o->max_columns ? o->max_columns : 200;
	const char *name = prof_thread_name(p, tid);
	sb_addf(out, "thread %d (%s): %zu samples, ", (int)tid, name && *name ? name : "-", n);
	add_ms(out, p->samples[idx[0]].time_ns);
	sb_adds(out, " .. ");
	add_ms(out, p->samples[idx[n - 1]].time_ns);
	sb_adds(out, " ms\n");

	bool merge = n > maxcol;
	column *cols;
	size_t ncols;
	size_t hidden = build_columns(p, o, idx, n, merge, maxcol, &cols, &ncols);
	uint32_t skip = common_root(cols, ncols);
	if (skip) {
		sb_adds(out, "  (every sample starts ");
		for (uint32_t k = 0; k < skip; k++) {
			sb_adds(out, cols[0].names[k]);
			sb_adds(out, ";");
		}
		sb_adds(out, "...)\n");
	}
	if (merge)
		sb_addf(out, "  (%zu samples: runs of the same stack merged, \"xN\" = N samples in a "
			     "row)\n",
			n);
	set_widths(cols, ncols, skip, merge);

	/* blocks of columns that fit the width */
	for (size_t b0 = 0, b1; b0 < ncols; b0 = b1) {
		size_t used = 2 + cols[b0].width;
		b1 = b0 + 1;
		while (b1 < ncols && used + 1 + cols[b1].width <= width)
			used += 1 + cols[b1++].width;
		if (b0)
			sb_addc(out, '\n');
		if (b0 || b1 < ncols) {
			sb_adds(out, "  @ ");
			add_ms(out, cols[b0].time_ns);
			sb_adds(out, " ms\n");
		}
		draw_block(out, cols, b0, b1, skip, merge);
	}
	if (hidden)
		sb_addf(out, "  (%zu more samples not drawn: --max-columns, or narrow with --from/--to)\n",
			hidden);
	for (size_t i = 0; i < ncols; i++) {
		for (uint32_t k = 0; k < cols[i].depth; k++)
			free(cols[i].names[k]);
		free(cols[i].names);
	}
	free(cols);
}

void timeline_write(const profile *p, const timeline_opts *o, strbuf *out)
{
	/* threads in order of their first drawn sample; one pass assigns each
	 * sample its thread slot (a one-entry cache catches runs of a thread) */
	int32_t *tids = NULL;
	size_t ntids = 0, tids_alloc = 0;
	uint32_t *slot = xmalloc(st_mult(p->nsamples ? p->nsamples : 1, sizeof(uint32_t)));
	size_t *count = NULL, count_alloc = 0;
	size_t last = SIZE_MAX;
	for (size_t i = 0; i < p->nsamples; i++) {
		if (o->mask && !o->mask[i])
			continue;
		size_t t = last;
		if (t == SIZE_MAX || tids[t] != p->samples[i].tid) {
			for (t = 0; t < ntids; t++)
				if (tids[t] == p->samples[i].tid)
					break;
			if (t == ntids) {
				ALLOC_GROW(tids, ntids + 1, tids_alloc);
				ALLOC_GROW(count, ntids + 1, count_alloc);
				tids[ntids] = p->samples[i].tid;
				count[ntids++] = 0;
			}
			last = t;
		}
		slot[i] = (uint32_t)t;
		count[t]++;
	}
	size_t *start = xcalloc(ntids + 1, sizeof(size_t));
	for (size_t t = 0; t < ntids; t++)
		start[t + 1] = start[t] + count[t];
	size_t *idx = xmalloc(st_mult(start[ntids] ? start[ntids] : 1, sizeof(size_t)));
	for (size_t t = 0; t < ntids; t++)
		count[t] = start[t];
	for (size_t i = 0; i < p->nsamples; i++)
		if (!o->mask || o->mask[i])
			idx[count[slot[i]]++] = i;
	for (size_t t = 0; t < ntids; t++) {
		if (t)
			sb_addc(out, '\n');
		draw_thread(p, o, tids[t], idx + start[t], start[t + 1] - start[t], out);
	}
	if (!ntids)
		sb_adds(out, "(no samples)\n");
	free(idx);
	free(start);
	free(count);
	free(slot);
	free(tids);
}
