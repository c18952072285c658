/*
 * top: pprof's -top table (see top.h). The rules below follow pprof's
 * report and graph packages step by step, because the point of this table
 * is that its numbers are pprof's:
 *
 *   1. total = sum over ALL samples of |value| (before any focus/filter);
 *   2. per shown sample (value != 0): cum += value once for each distinct
 *      node of its stack, flat += value for the node of its leaf frame;
 *   3. nodes with flat == cum == 0 vanish; nodes with |cum| below
 *      (int64)(sum of shown flat * nodefraction) are dropped;
 *   4. sort by |flat| desc, name asc, |cum| desc (or |cum| desc, name asc,
 *      |flat| desc), cut to nodecount;
 *   5. the output unit: the smallest non-zero node value and the total each
 *      pick an auto-scaled unit; if they differ and min*100 < total, the
 *      unit of 100*min is used.
 *
 * Node names: function name; "func file:line"; "file"; "%016x func
 * file:line" per address — pprof's PrintableName for each granularity.
 */
#include "top.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <regex.h>

#include "graph.h"
#include "names.h"

int top_parse_by(const char *s, top_by *by)
{
	static const char *names[] = { "function", "line", "file", "address", "stack" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*by = (top_by)i;
			return 0;
		}
	return -1;
}

/* ---- pprof's measurement package ------------------------------------------ */

typedef struct unit_def {
	const char *canon;
	const char *aliases[4];
	double factor;
} unit_def;

static const unit_def byte_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1024.0 * 1024 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1024.0 * 1024 * 1024 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1024.0 * 1024 * 1024 * 1024 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1024.0 * 1024 * 1024 * 1024 * 1024 },
	{ NULL, { NULL }, 0 },
};
static const unit_def time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },
	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 },
	{ "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
	{ NULL, { NULL }, 0 },
};
static const unit_def *const unit_types[] = { byte_units, time_units };
static const char *const default_units[] = { "B", "s" };

/* Finds the unit (and its type) for a unit name, as pprof's sniffUnit. */
static const unit_def *sniff(const char *name, size_t *type)
{
	if (!name)
		return NULL;
	char buf[64];
	size_t n = strlen(name);
	if (n >= sizeof(buf))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] + 32) : name[i];
	if (n > 2 && buf[n - 1] == 's')
		buf[n - 1] = '\0';
	for (size_t t = 0; t < ARRAY_SIZE(unit_types); t++)
		for (const unit_def *u = unit_types[t]; u->canon; u++)
			for (size_t a = 0; a < 4 && u->aliases[a]; a++)
				if (!strcmp(buf, u->aliases[a])) {
					*type = t;
					return u;
				}
	return NULL;
}

/* pprof's measurement.Scale: value in from_unit -> (number, unit label). */
static double scale(double value, const char *from_unit, const char *to_unit, const char **label)
{
	if (value < 0)
		return -scale(-value, from_unit, to_unit, label);
	size_t type;
	const unit_def *from = sniff(from_unit, &type);
	if (from) {
		double v = value * from->factor;
		bool autos = !strcmp(to_unit, "minimum") || !strcmp(to_unit, "auto");
		if (autos) {
			double f = 0;
			const char *best = NULL;
			for (const unit_def *u = unit_types[type]; u->canon; u++)
				if (u->factor >= f && v / u->factor >= 1.0) {
					f = u->factor;
					best = u->canon;
				}
			if (f != 0) {
				*label = best;
				return v / f;
			}
		} else {
			size_t t2;
			const unit_def *to = sniff(to_unit, &t2);
			if (to && t2 == type) {
				*label = to->canon;
				return v / to->factor;
			}
		}
		/* the type's default unit */
		for (const unit_def *u = unit_types[type]; u->canon; u++)
			if (!strcmp(u->canon, default_units[type])) {
				*label = u->canon;
				return v / u->factor;
			}
	}
	if (!strcmp(to_unit, "count") || !strcmp(to_unit, "sample") || !strcmp(to_unit, "unit") ||
	    !strcmp(to_unit, "minimum") || !strcmp(to_unit, "auto"))
		*label = "";
	else
		*label = to_unit;
	return value;
}

static void scaled_label(strbuf *sb, double value, const char *from, const char *to)
{
	const char *label;
	double v = scale(value, from, to, &label);
	if (v == (double)(int64_t)v && fabs(v) < 1e15 && v != 0) {
		/* a whole number (most counts): "%.2f" would print it with
		 * ".00", which is cut */
		prof_add_value(sb, (int64_t)v, 0);
		sb_adds(sb, label);
		return;
	}
	char buf[64];
	snprintf(buf, sizeof(buf), "%.2f", v);
	size_t n = strlen(buf);
	if (n > 3 && !strcmp(buf + n - 3, ".00"))
		buf[n - 3] = '\0';
	if (!strcmp(buf, "0") || !strcmp(buf, "-0")) {
		sb_adds(sb, "0");
		return;
	}
	sb_adds(sb, buf);
	sb_adds(sb, label);
}

const char *top_scale(const char *unit, int64_t min_value, int64_t max_value)
{
	if (min_value == 0)
		min_value = max_value;
	const char *min_unit, *max_unit, *u;
	scale((double)min_value, unit, "minimum", &min_unit);
	scale((double)max_value, unit, "minimum", &max_unit);
	u = min_unit;
	if (strcmp(min_unit, max_unit) && min_value <= INT64_MAX / 100 && min_value * 100 < max_value)
		scale((double)(100 * min_value), unit, "minimum", &u);
	return *u ? u : unit;
}

void top_format(strbuf *sb, int64_t v, uint32_t decimals, const char *unit, const char *out_unit)
{
	scaled_label(sb, prof_value_real(v, decimals), unit, out_unit);
}

/* printf's "%5.2f%%" (r >= 1) or "%5.2g%%" (1e-4 <= r < 1) of r, without
 * printf: r scaled to two digits is rounded to the nearest. False (nothing
 * written) when that rounding is close to a tie (printf rounds the exact
 * binary value, which the scaled double may miss by an ulp), or r is out
 * of those ranges. */
static bool percent_digits(strbuf *sb, double r)
{
	static const double pow10[] = { 1e2, 1e3, 1e4, 1e5 };
	int e; /* r's decimal exponent, for "%.2g": -1..-4 */
	double x;
	if (r >= 1.0 && r < 1e6) {
		e = 1;
		x = r * 100;
	} else if (r >= 1e-4 && r < 1.0) {
		e = r >= 0.1 ? -1 : r >= 0.01 ? -2 : r >= 0.001 ? -3 : -4;
		x = r * pow10[-e - 1];
	} else {
		return false;
	}
	double whole = floor(x), frac = x - whole;
	if (fabs(frac - 0.5) < 1e-6)
		return false;
	uint64_t c = (uint64_t)whole + (frac > 0.5);
	char buf[FMT_NUM_MAX];
	size_t n = 0;
	if (e == 1) { /* c / 100 with two decimals */
		n = fmt_i64(buf, (int64_t)(c / 100));
		buf[n++] = '.';
		buf[n++] = (char)('0' + c / 10 % 10);
		buf[n++] = (char)('0' + c % 10);
	} else if (c == 100 && e == -1) {
		buf[n++] = '1'; /* rounded up to 1: "%g" prints "1" */
	} else {
		if (c == 100) { /* rounded up to the next power of ten */
			c = 10;
			e++;
		}
		buf[n++] = '0';
		buf[n++] = '.';
		for (int z = -1; z > e; z--)
			buf[n++] = '0';
		buf[n++] = (char)('0' + c / 10);
		if (c % 10) /* "%g" drops trailing zeros */
			buf[n++] = (char)('0' + c % 10);
	}
	for (size_t i = n; i < 5; i++)
		sb_addc(sb, ' ');
	sb_add(sb, buf, n);
	sb_addc(sb, '%');
	return true;
}

void top_percent(strbuf *sb, int64_t v, int64_t total)
{
	double r = 0;
	if (total != 0)
		r = fabs((double)v / (double)total) * 100;
	if (r >= 99.95 && r <= 100.05)
		sb_adds(sb, "  100%");
	else if (percent_digits(sb, r))
		return;
	else if (r >= 1.0)
		sb_addf(sb, "%5.2f%%", r);
	else
		sb_addf(sb, "%5.2g%%", r);
}

/* ---- the header (pprof's ProfileLabels) ----------------------------------- */

void top_header(const profile *p, uint32_t v, int64_t total, const char *out_unit, strbuf *sb)
{
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	if (p->nmappings > 0) {
		const char *f = p->mappings[0].file;
		if (f && *f) {
			const char *slash = strrchr(f, '/');
			sb_adds(sb, "File: ");
			sb_add_unesc(sb, slash ? slash + 1 : f);
			sb_addc(sb, '\n');
		}
		if (p->mappings[0].build_id && *p->mappings[0].build_id) {
			sb_adds(sb, "Build ID: ");
			sb_add_unesc(sb, p->mappings[0].build_id);
			sb_addc(sb, '\n');
		}
	}
	for (uint32_t i = 0; i < p->ncomments; i++)
		if (p->comments[i] && p->comments[i][0] != '#') {
			sb_add_unesc(sb, p->comments[i]);
			sb_addc(sb, '\n');
		}
	if (p->sample_types[v].type && *p->sample_types[v].type) {
		sb_adds(sb, "Type: ");
		sb_add_unesc(sb, p->sample_types[v].type);
		sb_addc(sb, '\n');
	}
	if (p->time_nanos != 0) {
		time_t t = (time_t)(p->time_nanos / 1000000000);
		struct tm tm;
		char buf[128];
		localtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%b %-d, %Y at %-I:%M%P (%Z)", &tm);
		sb_addf(sb, "Time: %s\n", buf);
	}
	if (p->duration_nanos != 0) {
		sb_adds(sb, "Duration: ");
		scaled_label(sb, (double)p->duration_nanos, "nanoseconds", "auto");
		sb_adds(sb, ", Total samples = ");
		double rt = prof_value_real(total, p->sample_types[v].decimals);
		scaled_label(sb, rt, unit, out_unit);
		const char *tu;
		double tn = scale(rt, unit, "nanoseconds", &tu);
		sb_addc(sb, ' ');
		if (!strcmp(tu, "ns") && tn != 0 && fabs(tn) < 9.2e18) {
			sb_addc(sb, '(');
			top_percent(sb, (int64_t)tn, p->duration_nanos);
			sb_addc(sb, ')');
		}
		sb_addc(sb, '\n');
	}
}

static int64_t abs64(int64_t v)
{
	return v == INT64_MIN ? INT64_MAX : v < 0 ? -v : v;
}

/* ---- the stack table ----------------------------------------------------------- */

typedef struct srow {
	uint32_t text; /* id in names */
	int64_t *vals;
} srow;

typedef struct srow_ctx {
	uint32_t v;
	const names_table *names;
} srow_ctx;

static int srow_cmp(const void *a_, const void *b_, void *ctx_)
{
	const srow_ctx *c = ctx_;
	const srow *a = a_, *b = b_;
	if (a->vals[c->v] != b->vals[c->v])
		return a->vals[c->v] > b->vals[c->v] ? -1 : 1;
	return strcmp(names_get(c->names, a->text), names_get(c->names, b->text));
}

/* The text of a stack in the table: root first, ';'-joined, from the
 * outermost main() unless full (the C runtime's start-up frames above it
 * are the same in every stack and only push the interesting part right). */
static void stack_text(const profile *p, uint32_t stack, bool full, strbuf *sb, prof_frame **frames,
		       size_t *frames_alloc)
{
	uint32_t nf = prof_stack_frames(p, stack, frames, frames_alloc);
	const prof_frame *f = *frames;
	uint32_t from = nf;
	for (uint32_t k = nf; !full && k-- > 0;) {
		if (f[k].function != PROF_NONE && f[k].function < p->nfunctions &&
		    p->functions[f[k].function].name && !strcmp(p->functions[f[k].function].name, "main")) {
			from = k + 1;
			break;
		}
	}
	names_opts plain = { 0 };
	for (uint32_t k = from; k-- > 0;) {
		names_frame(p, &f[k], &plain, sb);
		if (k)
			sb_addc(sb, ';');
	}
	if (nf == 0)
		sb_adds(sb, "[empty stack]");
}

/* The rows of the stack table: the shown samples' values summed per
 * distinct text (two stacks may print the same), sorted by value v
 * descending, then text. rows[i].vals point into *sums (caller frees). */
static srow *stack_rows(const profile *p, const top_opts *o, uint32_t v, names_table *names,
			int64_t **sums, uint32_t *nrows)
{
	uint32_t nv = p->nvalues;
	prof_group_opts go = PROF_GROUP_OPTS_INIT;
	go.mask = o->mask;
	prof_groups gr;
	prof_group_samples(p, &go, &gr);
	int64_t *s = xcalloc(st_mult(gr.n ? gr.n : 1, nv ? nv : 1), sizeof(int64_t));
	strbuf sb = STRBUF_INIT;
	prof_frame *frames = NULL;
	size_t frames_alloc = 0;
	for (size_t i = 0; i < gr.n; i++) {
		sb_reset(&sb);
		stack_text(p, gr.g[i].stack, o->full_stacks, &sb, &frames, &frames_alloc);
		uint32_t id = names_intern(names, sb.buf, sb.len);
		const int64_t *vals = prof_group_values(&gr, i);
		for (uint32_t k = 0; k < nv; k++)
			s[(size_t)id * nv + k] = prof_sadd(s[(size_t)id * nv + k], vals[k]);
	}
	free(frames);
	sb_release(&sb);
	prof_groups_free(&gr);
	uint32_t n = names_count(names);
	srow *rows = xmalloc(st_mult(n ? n : 1, sizeof(*rows)));
	for (uint32_t i = 0; i < n; i++)
		rows[i] = (srow){ i, s + (size_t)i * nv };
	srow_ctx ctx = { v, names };
	if (n)
		qsort_r(rows, n, sizeof(*rows), srow_cmp, &ctx);
	*sums = s;
	*nrows = n;
	return rows;
}

static int top_stacks(const profile *p, const top_opts *o, uint32_t v, strbuf *out)
{
	uint32_t nv = p->nvalues;
	/* percentages are of every sample, shown or not (pprof's total) */
	int64_t *total = xcalloc(nv ? nv : 1, sizeof(int64_t));
	for (size_t i = 0; i < p->nsamples; i++) {
		const int64_t *vals = prof_sample_values(p, i);
		for (uint32_t k = 0; k < nv; k++)
			total[k] = prof_sadd(total[k], abs64(vals[k]));
	}
	names_table *names = names_table_new();
	int64_t *sums;
	uint32_t nrows;
	srow *rows = stack_rows(p, o, v, names, &sums, &nrows);
	uint32_t shown_rows = nrows;
	if (o->nodecount > 0 && (uint32_t)o->nodecount < nrows)
		shown_rows = (uint32_t)o->nodecount;

	/* one output unit per column, chosen like pprof's */
	const char **units = xcalloc(nv ? nv : 1, sizeof(char *));
	for (uint32_t k = 0; k < nv; k++) {
		int64_t minv = 0;
		for (uint32_t i = 0; i < shown_rows; i++) {
			int64_t a = abs64(rows[i].vals[k]);
			if (a > 0 && (minv == 0 || a < minv))
				minv = a;
		}
		units[k] = top_scale(p->sample_types[k].unit, minv, total[k]);
	}

	if (!o->no_header && p->sample_types[v].type && *p->sample_types[v].type)
		sb_addf(out, "Type: %s\n", p->sample_types[v].type);
	if (o->filters)
		filter_describe(o->filters, out);
	/* pprof's summary line, for the sorting type */
	int64_t part = 0;
	for (uint32_t i = 0; i < shown_rows; i++)
		part = prof_sadd(part, rows[i].vals[v]);
	sb_addf(out, "Showing %u of %u stacks, accounting for ", shown_rows, nrows);
	top_format(out, part, p->sample_types[v].decimals, p->sample_types[v].unit, units[v]);
	sb_adds(out, ", ");
	top_percent_trim(out, part, total[v]);
	sb_adds(out, " of ");
	top_format(out, total[v], p->sample_types[v].decimals, p->sample_types[v].unit, units[v]);
	sb_adds(out, " total\n");
	for (uint32_t k = 0; k < nv; k++) {
		char head[64];
		snprintf(head, sizeof(head), "%s/%s", p->sample_types[k].type, p->sample_types[k].unit);
		sb_addf(out, "%16s %6s ", head, "%");
	}
	sb_adds(out, " stack (root first)\n");
	strbuf sb = STRBUF_INIT;
	for (uint32_t i = 0; i < shown_rows; i++) {
		for (uint32_t k = 0; k < nv; k++) {
			sb_reset(&sb);
			top_format(&sb, rows[i].vals[k], p->sample_types[k].decimals, p->sample_types[k].unit,
				   units[k]);
			sb_addf(out, "%16s ", sb.buf);
			top_percent(out, rows[i].vals[k], total[k]);
			sb_addc(out, ' ');
		}
		sb_addf(out, " %s\n", names_get(names, rows[i].text));
	}
	sb_release(&sb);
	free(units);
	free(rows);
	free(sums);
	free(total);
	names_table_free(names);
	return 0;
}

/* ---- the reports on the graph (pprof's report package) ---------------------------- */

void top_percent_trim(strbuf *sb, int64_t v, int64_t total)
{
	strbuf t = STRBUF_INIT;
	top_percent(&t, v, total);
	const char *pct = t.buf;
	while (*pct == ' ')
		pct++;
	sb_adds(sb, pct);
	sb_release(&t);
}

const char *top_output_unit(const graph *g, const char *unit)
{
	uint32_t n;
	const graph_node *nodes = graph_nodes(g, &n);
	if (n == 0)
		return "minimum"; /* pprof keeps its default: each value scaled alone */
	int64_t minv = 0;
	for (uint32_t i = 0; i < n; i++) {
		int64_t m = abs64(nodes[i].flat);
		if (m == 0)
			m = abs64(nodes[i].cum);
		if (m > 0 && (minv == 0 || m < minv))
			minv = m;
	}
	return top_scale(unit, minv, graph_total(g));
}

void top_labels(const profile *p, const top_opts *o, uint32_t v, const graph *g,
		const graph_trim_result *r, double node_fraction, double edge_fraction,
		const char *out_unit, bool full, strbuf *out)
{
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	uint32_t dec = p->sample_types[v].decimals;
	int64_t total = graph_total(g);
	uint32_t n;
	const graph_node *nodes = graph_nodes(g, &n);
	if (full || !o->no_header)
		top_header(p, v, total, out_unit, out);
	if (o->filters)
		filter_describe(o->filters, out);
	int64_t sum = 0;
	for (uint32_t i = 0; i < n; i++)
		sum = prof_sadd(sum, nodes[i].flat);
	sb_adds(out, "Showing nodes accounting for ");
	top_format(out, sum, dec, unit, out_unit);
	sb_adds(out, ", ");
	top_percent_trim(out, sum, total);
	sb_adds(out, " of ");
	top_format(out, total, dec, unit, out_unit);
	sb_adds(out, " total\n");
	if (total != 0) {
		if (r->dropped_nodes > 0) {
			sb_addf(out, "Dropped %u node%s (cum <= ", r->dropped_nodes,
				r->dropped_nodes > 1 ? "s" : "");
			top_format(out, abs64((int64_t)((double)total * node_fraction)), dec, unit, out_unit);
			sb_adds(out, ")\n");
		}
		if (r->dropped_edges > 0) {
			sb_addf(out, "Dropped %u edge%s (freq <= ", r->dropped_edges,
				r->dropped_edges > 1 ? "s" : "");
			top_format(out, abs64((int64_t)((double)total * edge_fraction)), dec, unit, out_unit);
			sb_adds(out, ")\n");
		}
		if (n > 0 && n < r->orig_count)
			sb_addf(out, "Showing top %u nodes out of %u\n", n, r->orig_count);
	}
	if (full)
		sb_adds(out, "\nSee https://git.io/JfYMW for how to read the graph\n");
}

static double fraction(double f, double def)
{
	return f < 0 ? def : f;
}

/* pprof's report FormatTag while the graph is built: the output unit is
 * still "minimum" then. */
static void format_tag(strbuf *sb, int64_t v, const char *unit)
{
	top_format(sb, v, 0, unit, "minimum"); /* a numeric label: an integer */
}

graph *top_report_graph(const profile *p, const top_opts *o, uint32_t v, bool trim, bool visual,
			bool labels_only, graph_trim_result *r, double *nf, double *ef)
{
	graph_opts go = { .by = (graph_by)o->by, .value = v, .mask = o->mask, .tags = visual,
			  .format_tag = format_tag, .trim_path = o->trim_path,
			  .source_path = o->source_path };
	graph *g = graph_new(p, &go);
	*nf = trim ? fraction(o->node_fraction, 0.005) : 0;
	*ef = trim ? fraction(o->edge_fraction, 0.001) : 0;
	int count = o->nodecount;
	if (visual && count == 0)
		count = 80; /* pprof's default for the graph reports */
	graph_trim_opts t = { *nf, *ef, trim ? count : 0, o->cum_sort, visual, labels_only };
	graph_build_trimmed(g, &t, r);
	return g;
}

/* printf's "%10s" of sb (bytes, as printf counts them). */
static void pad10(strbuf *out, const strbuf *sb)
{
	for (size_t i = sb->len; i < 10; i++)
		sb_addc(out, ' ');
	sb_add(out, sb->buf, sb->len);
}

/* A node's "flat flat% sum% cum cum%" columns. */
static void node_row(strbuf *out, const graph_node *nd, int64_t flat_sum, int64_t total,
		     uint32_t dec, const char *unit, const char *ou)
{
	strbuf sb = STRBUF_INIT;
	top_format(&sb, nd->flat, dec, unit, ou);
	pad10(out, &sb);
	sb_addc(out, ' ');
	top_percent(out, nd->flat, total);
	sb_addc(out, ' ');
	top_percent(out, flat_sum, total);
	sb_reset(&sb);
	top_format(&sb, nd->cum, dec, unit, ou);
	sb_addc(out, ' ');
	pad10(out, &sb);
	sb_addc(out, ' ');
	top_percent(out, nd->cum, total);
	sb_release(&sb);
}

/* pprof -top (printText). */
static int top_nodes(const profile *p, const top_opts *o, uint32_t v, strbuf *out)
{
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	uint32_t dec = p->sample_types[v].decimals;
	graph_trim_result r;
	double nf, ef;
	/* the text report shows no edges, only the nodes' inline labels */
	graph *g = top_report_graph(p, o, v, true, false, true, &r, &nf, &ef);
	const char *ou = top_output_unit(g, unit);
	int64_t total = graph_total(g);
	r.dropped_edges = 0; /* the text report does not say */
	top_labels(p, o, v, g, &r, nf, ef, ou, false, out);
	sb_addf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	uint32_t n;
	const graph_node *nodes = graph_nodes(g, &n);
	int64_t flat_sum = 0;
	strbuf sb = STRBUF_INIT;
	for (uint32_t i = 0; i < n; i++) {
		const graph_node *nd = &nodes[i];
		flat_sum = prof_sadd(flat_sum, nd->flat);
		node_row(out, nd, flat_sum, total, dec, unit, ou);
		sb_adds(out, "  ");
		sb_add_unesc(out, graph_node_info(g, nd)->name);
		const char *inl = graph_inline_label(g, nd);
		if (*inl)
			sb_addf(out, " %s", inl);
		sb_addc(out, '\n');
	}
	sb_release(&sb);
	graph_free(g);
	return 0;
}

/* pprof -peek (printTree with a symbol regex): every matching node with
 * its callers above and its callees below. */
static int top_peek(const profile *p, const top_opts *o, uint32_t v, strbuf *out, cprof_err *err)
{
	regex_t re;
	int rc = regcomp(&re, o->symbol, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char msg[128];
		regerror(rc, &re, msg, sizeof(msg));
		return cprof_fail(err, "bad --peek regex '%s': %s", o->symbol, msg);
	}
	static const char separator[] =
		"----------------------------------------------------------+-------------\n";
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	uint32_t dec = p->sample_types[v].decimals;
	graph_trim_result r;
	double nf, ef;
	graph *g = top_report_graph(p, o, v, false, false, false, &r, &nf, &ef);
	const char *ou = top_output_unit(g, unit);
	int64_t total = graph_total(g);
	strbuf body = STRBUF_INIT, sb = STRBUF_INIT;
	top_labels(p, o, v, g, &r, nf, ef, ou, false, &body);
	sb_adds(&body, separator);
	sb_adds(&body, "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n");
	uint32_t n, *es = NULL;
	size_t es_alloc = 0;
	const graph_node *nodes = graph_nodes(g, &n);
	const graph_edge *edges = graph_edges(g, &(uint32_t){ 0 });
	int64_t flat_sum = 0;
	uint32_t matched = 0;
	for (uint32_t i = 0; i < n; i++) {
		const graph_node *nd = &nodes[i];
		const char *name = graph_node_info(g, nd)->name;
		if (regexec(&re, name, 0, NULL, 0) != 0)
			continue;
		matched++;
		sb_adds(&body, separator);
		for (int dir = 0; dir < 2; dir++) {
			if (dir == 1) {
				flat_sum = prof_sadd(flat_sum, nd->flat);
				node_row(&body, nd, flat_sum, total, dec, unit, ou);
				sb_adds(&body, "                | ");
				sb_add_unesc(&body, name);
				sb_addc(&body, '\n');
			}
			uint32_t ne = graph_sorted_edges(g, nd, dir == 1, &es, &es_alloc);
			for (uint32_t k = 0; k < ne; k++) {
				const graph_edge *e = &edges[es[k]];
				const graph_node *other = &nodes[dir == 1 ? e->dst : e->src];
				sb_reset(&sb);
				top_format(&sb, e->weight, dec, unit, ou);
				sb_addf(&body, "%50s ", sb.buf);
				top_percent(&body, e->weight, nd->cum);
				sb_adds(&body, " |   ");
				sb_add_unesc(&body, graph_node_info(g, other)->name);
				sb_adds(&body, e->inline_call ? " (inline)\n" : "\n");
			}
		}
	}
	if (n > 0)
		sb_adds(&body, separator);
	free(es);
	sb_release(&sb);
	graph_free(g);
	regfree(&re);
	if (matched == 0) {
		sb_release(&body);
		return cprof_fail(err, "no matches found for regexp: %s", o->symbol);
	}
	sb_add(out, body.buf, body.len);
	sb_release(&body);
	return 0;
}

/* Orders the lines of a sample's labels as pprof's sort.Strings: by their
 * bytes (NUL bytes included), the padding too. */
static int trace_line_cmp(const void *a_, const void *b_)
{
	const strbuf *a = a_, *b = b_;
	int c = memcmp(a->buf, b->buf, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* A sample's string (or numeric) labels in the traces report, as pprof's
 * printTraces: one line "%10s:  v1 v2" per key (Go pads to 10 runes), the
 * key's values in the file's order (the model keeps a key's values so), the
 * lines sorted by their bytes. */
static void trace_labels(const prof_labelset *ls, bool numeric, strbuf *out)
{
	strbuf *lines = NULL;
	size_t n = 0, alloc = 0;
	for (uint32_t i = 0; i < ls->n;) {
		const prof_label *l = &ls->labels[i];
		uint32_t j = i;
		bool any = false;
		strbuf key = STRBUF_INIT, line = STRBUF_INIT;
		sb_add_unesc(&key, l->key);
		for (size_t pad = str_runes(key.buf, key.len); pad < 10; pad++)
			sb_addc(&line, ' ');
		sb_add(&line, key.buf, key.len);
		sb_adds(&line, ": ");
		for (; j < ls->n && ls->labels[j].key == l->key; j++) {
			const prof_label *x = &ls->labels[j];
			if ((x->str == NULL) != numeric)
				continue;
			any = true;
			sb_addc(&line, ' ');
			if (numeric) {
				const char *u = x->unit && *x->unit ? x->unit
						: !strcmp(x->key, "alignment") || !strcmp(x->key, "request")
							? "bytes"
							: x->key;
				top_format(&line, x->num, 0, u, "auto");
			} else {
				sb_add_unesc(&line, x->str);
			}
		}
		sb_release(&key);
		if (any) {
			ALLOC_GROW(lines, n + 1, alloc);
			lines[n++] = line;
		} else {
			sb_release(&line);
		}
		i = j;
	}
	if (n)
		qsort(lines, n, sizeof(*lines), trace_line_cmp);
	for (size_t k = 0; k < n; k++) {
		sb_add(out, lines[k].buf, lines[k].len);
		sb_addc(out, '\n');
		sb_release(&lines[k]);
	}
	free(lines);
}

/* pprof -traces (printTraces): every sample, root last, with its labels.
 * Samples are grouped by (stack, labels) first, in order of first
 * appearance, and those whose values are all 0 go: pprof merges the
 * samples of its inputs so (profile.Merge), and cprof-pprof writes a raw
 * recording's samples so. */
static int top_traces(const profile *p, const top_opts *o, uint32_t v, strbuf *out)
{
	static const char separator[] =
		"-----------+-------------------------------------------------------\n";
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	uint32_t dec = p->sample_types[v].decimals;
	/* pprof's total: every sample, shown or not */
	int64_t total = 0;
	for (size_t i = 0; i < p->nsamples; i++)
		total = prof_sadd(total, abs64(prof_sample_values(p, i)[v]));
	/* the samples to print: the shown ones with a value not 0, grouped */
	bool *shown = xmalloc(p->nsamples + 1);
	for (size_t i = 0; i < p->nsamples; i++) {
		const int64_t *vals = prof_sample_values(p, i);
		bool zero = true;
		for (uint32_t k = 0; k < p->nvalues && zero; k++)
			zero = vals[k] == 0;
		shown[i] = !zero && (!o->mask || o->mask[i]);
	}
	prof_group_opts gopts = PROF_GROUP_OPTS_INIT;
	gopts.mask = shown;
	gopts.by_labels = true;
	prof_groups gr;
	prof_group_samples(p, &gopts, &gr);
	free(shown);
	/* pprof prints the header lines joined, and a line even when there
	 * are none */
	size_t before = out->len;
	top_header(p, v, total, "minimum", out);
	if (out->len == before)
		sb_addc(out, '\n');
	graph_opts go = { .by = (graph_by)o->by, .value = v, .keep_paths = true };
	prof_frame *frames = NULL;
	size_t frames_alloc = 0;
	strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < gr.n; k++) {
		uint32_t nf = prof_stack_frames(p, gr.g[k].stack, &frames, &frames_alloc);
		if (nf == 0)
			continue;
		sb_adds(out, separator);
		const prof_labelset *ls = &p->labelsets[gr.g[k].labelset];
		trace_labels(ls, false, out);
		trace_labels(ls, true, out);
		for (uint32_t j = 0; j < nf; j++) {
			sb_reset(&sb);
			if (j == 0)
				top_format(&sb, prof_group_values(&gr, k)[v], dec, unit, "minimum");
			sb_addf(out, "%10s   ", sb.buf);
			sb_reset(&sb);
			graph_frame_key(p, &frames[j], &go, &sb);
			sb_add_unesc(out, sb.buf);
			sb_adds(out, frames[j].inlined ? " (inline)\n" : "\n");
		}
	}
	sb_adds(out, separator);
	sb_release(&sb);
	free(frames);
	prof_groups_free(&gr);
	return 0;
}

int top_value_index(const profile *p, const top_opts *o, uint32_t *v, cprof_err *err)
{
	if (p->nvalues == 0)
		return cprof_fail(err, "the profile has no sample types");
	*v = o->value == PROF_NONE ? p->default_type : o->value;
	if (*v >= p->nvalues)
		return cprof_fail(err, "no such sample type index %u", *v);
	return 0;
}

int top_write(const profile *p, const top_opts *o, strbuf *out, cprof_err *err)
{
	uint32_t v = 0;
	if (top_value_index(p, o, &v, err) < 0)
		return -1;
	if (o->by == TOP_STACK && o->report != TOP_REPORT_TOP)
		return cprof_fail(err, "--by stack is the top table's: not with --peek or --traces");
	switch (o->report) {
	case TOP_REPORT_DOT:
	case TOP_REPORT_LIST:
		return cprof_fail(err, "not a top_write report");
	case TOP_REPORT_PEEK:
		return top_peek(p, o, v, out, err);
	case TOP_REPORT_TRACES:
		return top_traces(p, o, v, out);
	default:
		break;
	}
	if (o->by == TOP_STACK)
		return top_stacks(p, o, v, out);
	return top_nodes(p, o, v, out);
}
