/* rawview: cprof-raw's header and lines (contract in rawview.h). */
#include "rawview.h"

#include <stdlib.h>
#include <string.h>

#include "timeline.h"

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

/* A label's key or value (the model's escape decoded), blanks and NUL bytes
 * as '_', the braces and commas that frame labels as '.'. */
static void add_label_part(strbuf *sb, const char *str)
{
	strbuf d = STRBUF_INIT;
	sb_add_unesc(&d, str);
	for (size_t i = 0; i < d.len; i++) {
		char c = d.buf[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0')
			c = '_';
		else if (c == ',' || c == '}' || c == '{')
			c = '.';
		sb_addc(sb, c);
	}
	sb_release(&d);
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

/* "# samples: ..., total cpu: ..." with the weight saturating like every
 * other total. */
static void add_totals(strbuf *o, const profile *p)
{
	uint32_t wv = prof_find_value(p, NULL);
	int64_t total = 0;
	if (wv != PROF_NONE)
		for (size_t i = 0; i < p->nsamples; i++)
			total = prof_sadd(total, prof_sample_values(p, i)[wv]);
	sb_addf(o, "# samples: %zu", p->nsamples);
	if (p->source_format && !strcmp(p->source_format, "raw"))
		sb_addf(o, ", dropped: %llu", (unsigned long long)p->samples_dropped);
	if (wv != PROF_NONE) {
		sb_addf(o, ", total %s: ", p->sample_types[wv].type);
		prof_add_value(o, total, p->sample_types[wv].decimals);
		sb_addf(o, " %s", p->sample_types[wv].unit);
	}
	sb_addc(o, '\n');
}

/* The '#' lines. shown is the number of samples the lines show (it differs
 * from the profile's after filters or a count). */
static void rawview_header(const profile *p, const rawview_opts *o, size_t shown, strbuf *out)
{
	sb_addf(out, "# file: %s (%s)\n", o->file ? o->file : "-",
		p->source_format ? p->source_format : "?");
	if (p->executable && *p->executable) {
		sb_adds(out, "# executable: ");
		add_header_value(out, p->executable);
		sb_addc(out, '\n');
	}
	if (p->cmdline && *p->cmdline) {
		sb_adds(out, "# command: ");
		add_header_value(out, p->cmdline);
		sb_addc(out, '\n');
	}
	if (p->pid)
		sb_addf(out, "# pid: %d\n", (int)p->pid);
	if (p->mode)
		sb_addf(out, "# mode: %s, timer: %s\n", p->mode, p->timer ? p->timer : "?");
	if (p->period > 0)
		sb_addf(out, "# rate: %.1f Hz (period %lld ns)\n", 1e9 / (double)p->period,
			(long long)p->period);
	add_totals(out, p);
	if (p->mode && !strcmp(p->mode, "wall")) {
		size_t off = 0;
		for (size_t i = 0; i < p->nsamples; i++)
			off += (p->samples[i].flags & PROF_SAMPLE_OFFCPU) != 0;
		sb_addf(out, "# off-cpu: %zu samples (%.1f%%) taken while their thread was blocked\n",
			off, p->nsamples ? 100.0 * (double)off / (double)p->nsamples : 0.0);
	}
	if (shown != p->nsamples)
		sb_addf(out, "# shown: %zu samples (filters / -n)\n", shown);
	if (o->start >= 0)
		sb_addf(out, "# start: %.3f ms (after the earliest input's start: the time origin)\n",
			(double)o->start / 1e6);
	if (p->duration_nanos)
		sb_addf(out, "# duration: %.3f s\n",
			(double)(p->duration_nanos - (o->start > 0 ? o->start : 0)) / 1e9);
	if (p->nthreads) {
		sb_addf(out, "# threads: %u:", p->nthreads);
		for (uint32_t i = 0; i < p->nthreads; i++) {
			sb_addf(out, "%s %d ", i ? "," : "", (int)p->threads[i].tid);
			add_header_value(out, *p->threads[i].name ? p->threads[i].name : "-");
		}
		sb_addc(out, '\n');
	}
	if (!p->has_timestamps)
		sb_addf(out, "# notice: %s input has no timestamps or threads: samples in file "
			     "order, time/tid/thread shown as -\n",
			p->source_format ? p->source_format : "this");
	for (const char *s = o->warnings; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		sb_addf(out, "# warning: %.*s\n", (int)n, s);
		s += n + (nl != NULL);
	}
}

/* The stack as the line's last field (root first): module+0xoffset per
 * location when locations, else frames named with names (NULL: plain). */
static void rawview_stack(const profile *p, uint32_t stack, bool locations,
			  const names_opts *names, prof_frame **fr, size_t *alloc, strbuf *out)
{
	if (locations) {
		const prof_stack *s = &p->stacks[stack];
		strbuf tmp = STRBUF_INIT;
		for (uint32_t i = s->depth; i-- > 0;) {
			sb_reset(&tmp);
			prof_location_name(p, s->locs[i], &tmp);
			names_clean(out, tmp.buf);
			if (i)
				sb_addc(out, ';');
		}
		sb_release(&tmp);
		return;
	}
	uint32_t n = prof_stack_frames(p, stack, fr, alloc);
	for (uint32_t i = n; i-- > 0;) {
		names_frame(p, &(*fr)[i], names, out);
		if (i)
			sb_addc(out, ';');
	}
	if (!n)
		sb_adds(out, "[empty]");
}

static void rawview_line(const profile *p, size_t i, const char *stack_text, strbuf *out)
{
	const prof_sample *s = &p->samples[i];
	if (p->has_timestamps && s->time_ns != -1) {
		int64_t t = s->time_ns;
		sb_addf(out, "%s%lld.%03lld ", t < 0 ? "-" : "", (long long)(llabs(t) / 1000000),
			(long long)(llabs(t) % 1000000 / 1000));
	} else {
		sb_adds(out, "- ");
	}
	if (s->tid >= 0)
		sb_addf(out, "%d ", (int)s->tid);
	else
		sb_adds(out, "- ");
	add_token(out, s->tid >= 0 ? prof_thread_name(p, s->tid) : NULL);
	uint32_t wv = prof_find_value(p, NULL);
	sb_addc(out, ' ');
	prof_add_value(out, wv != PROF_NONE ? prof_sample_values(p, i)[wv] : 0,
		       wv != PROF_NONE ? p->sample_types[wv].decimals : 0);
	sb_addc(out, ' ');
	add_labels(out, p, s->labelset);
	sb_addc(out, ' ');
	sb_adds(out, stack_text);
	sb_addc(out, '\n');
}

static void write_lines(const profile *p, const rawview_opts *o, const bool *keep, strbuf *out,
			rawview_flush_fn flush, void *ctx)
{
	char **stack_text = xcalloc((size_t)p->nstacks + 1, sizeof(char *));
	prof_frame *fr = NULL;
	size_t fr_alloc = 0;
	for (size_t i = 0; i < p->nsamples; i++) {
		if (!keep[i])
			continue;
		uint32_t st = p->samples[i].stack;
		if (!stack_text[st]) { /* names are built once per distinct stack */
			strbuf sb = STRBUF_INIT;
			rawview_stack(p, st, o->locations, &o->names, &fr, &fr_alloc, &sb);
			stack_text[st] = sb_detach(&sb, NULL);
		}
		rawview_line(p, i, stack_text[st], out);
		if (flush && out->len >= (1u << 20))
			flush(ctx, out);
	}
	for (uint32_t k = 0; k < p->nstacks; k++)
		free(stack_text[k]);
	free(stack_text);
	free(fr);
}

int rawview_write(const profile *p, const rawview_opts *o, strbuf *out, rawview_flush_fn flush,
		  void *ctx, cprof_err *err)
{
	if (o->timeline && !p->has_timestamps)
		return cprof_fail(err, "%s input has no timestamps or threads: --timeline needs a raw "
				       "file from cprof-record",
				  p->source_format ? p->source_format : "this");
	/* which samples: the mask, then the first count */
	bool *keep = xmalloc(p->nsamples ? p->nsamples : 1);
	size_t shown = 0;
	for (size_t i = 0; i < p->nsamples; i++) {
		keep[i] = (!o->mask || o->mask[i]) && shown < o->count;
		shown += keep[i];
	}
	rawview_header(p, o, shown, out);
	if (o->timeline) {
		timeline_opts to = { 0 };
		to.mask = keep;
		to.width = o->width;
		to.max_columns = o->max_columns;
		to.locations = o->locations;
		to.names = o->names;
		timeline_write(p, &to, out);
	} else {
		write_lines(p, o, keep, out, flush, ctx);
	}
	free(keep);
	return 0;
}
