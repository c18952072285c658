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

#include "flame.h"
#include "folded.h"

/* Sums saturate instead of overflowing: a hostile profile may hold values
 * whose total does not fit in int64. */
static inline int64_t sadd(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

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
static double scale(int64_t value, const char *from_unit, const char *to_unit, const char **label)
{
	if (value < 0) {
		double v = scale(value == INT64_MIN ? INT64_MAX : -value, from_unit, to_unit, label);
		return -v;
	}
	size_t type;
	const unit_def *from = sniff(from_unit, &type);
	if (from) {
		double v = (double)value * from->factor;
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
	return (double)value;
}

static void scaled_label(strbuf *sb, int64_t value, const char *from, const char *to)
{
	const char *label;
	double v = scale(value, from, to, &label);
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
	scale(min_value, unit, "minimum", &min_unit);
	scale(max_value, unit, "minimum", &max_unit);
	u = min_unit;
	if (strcmp(min_unit, max_unit) && min_value <= INT64_MAX / 100 && min_value * 100 < max_value)
		scale(100 * min_value, unit, "minimum", &u);
	return *u ? u : unit;
}

void top_format(strbuf *sb, int64_t v, const char *unit, const char *out_unit)
{
	scaled_label(sb, v, unit, out_unit);
}

void top_percent(strbuf *sb, int64_t v, int64_t total)
{
	double r = 0;
	if (total != 0)
		r = fabs((double)v / (double)total) * 100;
	if (r >= 99.95 && r <= 100.05)
		sb_adds(sb, "  100%");
	else if (r >= 1.0)
		sb_addf(sb, "%5.2f%%", r);
	else
		sb_addf(sb, "%5.2g%%", r);
}

/* ---- the header (pprof's ProfileLabels) ----------------------------------- */

static void header(const profile *p, uint32_t v, int64_t total, const char *out_unit, strbuf *sb)
{
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	if (p->nmappings > 0) {
		const char *f = p->mappings[0].file;
		if (f && *f) {
			const char *slash = strrchr(f, '/');
			sb_addf(sb, "File: %s\n", slash ? slash + 1 : f);
		}
		if (p->mappings[0].build_id && *p->mappings[0].build_id)
			sb_addf(sb, "Build ID: %s\n", p->mappings[0].build_id);
	}
	for (uint32_t i = 0; i < p->ncomments; i++)
		if (p->comments[i] && p->comments[i][0] != '#')
			sb_addf(sb, "%s\n", p->comments[i]);
	if (p->sample_types[v].type)
		sb_addf(sb, "Type: %s\n", p->sample_types[v].type);
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
		scaled_label(sb, p->duration_nanos, "nanoseconds", "auto");
		sb_adds(sb, ", Total samples = ");
		scaled_label(sb, total, unit, out_unit);
		const char *tu;
		double tn = scale(total, unit, "nanoseconds", &tu);
		sb_addc(sb, ' ');
		if (!strcmp(tu, "ns") && tn != 0 && fabs(tn) < 9.2e18) {
			sb_addc(sb, '(');
			top_percent(sb, (int64_t)tn, p->duration_nanos);
			sb_addc(sb, ')');
		}
		sb_addc(sb, '\n');
	}
}

/* ---- nodes ------------------------------------------------------------------- */

typedef struct tnode {
	uint32_t name; /* id in the names table */
	int64_t flat, cum;
	bool inl, noinl;
} tnode;

static const char *node_name(fl_names *names, const tnode *n)
{
	return fl_names_get(names, n->name);
}

static fl_names *sort_names;
static bool sort_cum;

static int64_t abs64(int64_t v)
{
	return v == INT64_MIN ? INT64_MAX : v < 0 ? -v : v;
}

static int tnode_cmp(const void *a_, const void *b_)
{
	const tnode *a = a_, *b = b_;
	int64_t a1 = sort_cum ? abs64(a->cum) : abs64(a->flat);
	int64_t b1 = sort_cum ? abs64(b->cum) : abs64(b->flat);
	if (a1 != b1)
		return a1 > b1 ? -1 : 1;
	int c = strcmp(node_name(sort_names, a), node_name(sort_names, b));
	if (c)
		return c;
	int64_t a2 = sort_cum ? abs64(a->flat) : abs64(a->cum);
	int64_t b2 = sort_cum ? abs64(b->flat) : abs64(b->cum);
	if (a2 != b2)
		return a2 > b2 ? -1 : 1;
	return 0;
}

static void clean_path(strbuf *sb, const char *path)
{
	if (!strncmp(path, "/proc/self/cwd/./", 17))
		path += 17;
	else if (!strncmp(path, "/proc/self/cwd/", 15))
		path += 15;
	for (const char *c = path; *c; c++) {
		if (*c == '/' && sb->len && sb->buf[sb->len - 1] == '/')
			continue; /* "//" */
		if (*c == '.' && c[1] == '/' && (c == path || c[-1] == '/')) {
			c++; /* "./" */
			continue;
		}
		sb_addc(sb, *c);
	}
}

static const char *frame_objfile(const profile *p, const prof_frame *f)
{
	if (f->location >= p->nlocations)
		return "";
	uint32_t m = p->locations[f->location].mapping;
	if (m == PROF_NONE || m >= p->nmappings || !p->mappings[m].file)
		return "";
	return p->mappings[m].file;
}

static void add_objfile(strbuf *sb, const char *objfile)
{
	if (*objfile) {
		const char *slash = strrchr(objfile, '/');
		sb_addf(sb, "[%s]", slash ? slash + 1 : objfile);
	} else {
		sb_adds(sb, "<unknown>");
	}
}

/* The node key of a frame for the chosen granularity: pprof's printable
 * name, then (after a NUL, so it never prints) what else pprof's node
 * identity holds — for files, the function's start line and object file,
 * which keep two functions of one file apart exactly as pprof does. */
static void frame_key(const profile *p, const prof_frame *f, top_by by, strbuf *sb)
{
	const prof_function *fn = f->function != PROF_NONE && f->function < p->nfunctions
					  ? &p->functions[f->function]
					  : NULL;
	const char *file = fn && fn->filename ? fn->filename : "";
	const char *objfile = frame_objfile(p, f);
	if (by == TOP_ADDRESS) {
		uint64_t addr = f->location < p->nlocations ? p->locations[f->location].address : 0;
		if (addr)
			sb_addf(sb, "%016" PRIx64 " ", addr);
	}
	if (!fn) {
		/* unsymbolized: pprof shows the object file */
		add_objfile(sb, objfile);
		return;
	}
	if (by == TOP_FILE) {
		if (*file)
			clean_path(sb, file);
		else
			add_objfile(sb, objfile);
		sb_addc(sb, '\0');
		sb_addf(sb, "%" PRId64 "", fn->start_line);
		sb_addc(sb, '\0');
		sb_adds(sb, objfile);
		return;
	}
	prof_frame_name(p, f, sb);
	if (by == TOP_LINE || by == TOP_ADDRESS) {
		if (f->line != 0) {
			sb_addc(sb, ' ');
			clean_path(sb, file);
			sb_addf(sb, ":%" PRId64, f->line);
		} else if (*file) {
			sb_addc(sb, ' ');
			clean_path(sb, file);
		}
	}
}

/* ---- the stack table ----------------------------------------------------------- */

typedef struct srow {
	uint32_t text; /* id in names */
	int64_t *vals;
} srow;

static uint32_t srow_v;
static fl_names *srow_names;

static int srow_cmp(const void *a_, const void *b_)
{
	const srow *a = a_, *b = b_;
	if (a->vals[srow_v] != b->vals[srow_v])
		return a->vals[srow_v] > b->vals[srow_v] ? -1 : 1;
	return strcmp(fl_names_get(srow_names, a->text), fl_names_get(srow_names, b->text));
}

static int top_stacks(const profile *p, const top_opts *o, uint32_t v, strbuf *out)
{
	uint32_t nv = p->nvalues;
	fl_names *names = fl_names_new();
	/* distinct stacks by their text: two stacks may print the same */
	int64_t *sums = NULL; /* per text id, nv values */
	size_t sums_alloc = 0;
	uint32_t *text_of_stack = xmalloc(st_mult(p->nstacks ? p->nstacks : 1, sizeof(uint32_t)));
	for (uint32_t i = 0; i < p->nstacks; i++)
		text_of_stack[i] = PROF_NONE;
	int64_t *total = xcalloc(nv ? nv : 1, sizeof(int64_t));
	int64_t *shown = xcalloc(nv ? nv : 1, sizeof(int64_t));
	strbuf sb = STRBUF_INIT;
	prof_frame *frames = NULL;
	size_t frames_alloc = 0;
	folded_names fnames = { 0 };
	for (size_t i = 0; i < p->nsamples; i++) {
		const int64_t *vals = prof_sample_values(p, i);
		for (uint32_t k = 0; k < nv; k++)
			total[k] = sadd(total[k], abs64(vals[k]));
		if (o->mask && !o->mask[i])
			continue;
		uint32_t st = p->samples[i].stack;
		if (text_of_stack[st] == PROF_NONE) {
			sb_reset(&sb);
			uint32_t nf = prof_stack_frames(p, st, &frames, &frames_alloc);
			uint32_t from = nf;
			if (!o->full_stacks) {
				/* start at the outermost main(): the C runtime's
				 * start-up frames above it are the same in every
				 * stack and only push the interesting part right */
				for (uint32_t k = nf; k-- > 0;) {
					if (frames[k].function != PROF_NONE &&
					    frames[k].function < p->nfunctions &&
					    p->functions[frames[k].function].name &&
					    !strcmp(p->functions[frames[k].function].name, "main")) {
						from = k + 1;
						break;
					}
				}
			}
			for (uint32_t k = from; k-- > 0;) {
				folded_frame_name(p, &frames[k], &fnames, &sb);
				if (k)
					sb_addc(&sb, ';');
			}
			if (nf == 0)
				sb_adds(&sb, "[empty stack]");
			text_of_stack[st] = fl_names_intern(names, sb.buf, sb.len);
			size_t need = (size_t)fl_names_count(names) * nv;
			size_t old = sums_alloc;
			ALLOC_GROW(sums, need, sums_alloc);
			if (sums_alloc > old)
				memset(sums + old, 0, (sums_alloc - old) * sizeof(*sums));
		}
		for (uint32_t k = 0; k < nv; k++) {
			int64_t *cell = &sums[(size_t)text_of_stack[st] * nv + k];
			*cell = sadd(*cell, vals[k]);
			shown[k] = sadd(shown[k], vals[k]);
		}
	}
	uint32_t nrows = fl_names_count(names);
	srow *rows = xmalloc(st_mult(nrows ? nrows : 1, sizeof(*rows)));
	for (uint32_t i = 0; i < nrows; i++) {
		rows[i].text = i;
		rows[i].vals = sums + (size_t)i * nv;
	}
	srow_v = v;
	srow_names = names;
	qsort(rows, nrows, sizeof(*rows), srow_cmp);
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

	if (!o->no_header && p->sample_types[v].type)
		sb_addf(out, "Type: %s\n", p->sample_types[v].type);
	if (o->filters)
		filter_describe(o->filters, out);
	/* pprof's summary line, for the sorting type */
	int64_t part = 0;
	for (uint32_t i = 0; i < shown_rows; i++)
		part = sadd(part, rows[i].vals[v]);
	sb_addf(out, "Showing %u of %u stacks, accounting for ", shown_rows, nrows);
	top_format(out, part, p->sample_types[v].unit, units[v]);
	sb_adds(out, ", ");
	sb_reset(&sb);
	top_percent(&sb, part, total[v]);
	const char *pct = sb.buf;
	while (*pct == ' ')
		pct++;
	sb_addf(out, "%s of ", pct);
	top_format(out, total[v], p->sample_types[v].unit, units[v]);
	sb_adds(out, " total\n");
	for (uint32_t k = 0; k < nv; k++) {
		char head[64];
		snprintf(head, sizeof(head), "%s/%s", p->sample_types[k].type, p->sample_types[k].unit);
		sb_addf(out, "%16s %6s ", head, "%");
	}
	sb_adds(out, " stack (root first)\n");
	for (uint32_t i = 0; i < shown_rows; i++) {
		for (uint32_t k = 0; k < nv; k++) {
			sb_reset(&sb);
			top_format(&sb, rows[i].vals[k], p->sample_types[k].unit, units[k]);
			sb_addf(out, "%16s ", sb.buf);
			top_percent(out, rows[i].vals[k], total[k]);
			sb_addc(out, ' ');
		}
		sb_addf(out, " %s\n", fl_names_get(names, rows[i].text));
	}
	free(units);
	free(rows);
	free(sums);
	free(text_of_stack);
	free(total);
	free(shown);
	free(frames);
	sb_release(&sb);
	fl_names_free(names);
	return 0;
}

/* ---- the node table ------------------------------------------------------------ */

int top_write(const profile *p, const top_opts *o, strbuf *out, cprof_err *err)
{
	if (p->nvalues == 0)
		return cprof_fail(err, "the profile has no sample types");
	uint32_t v = o->value == PROF_NONE ? p->default_type : o->value;
	if (v >= p->nvalues)
		return cprof_fail(err, "no such sample type index %u", v);
	if (o->by == TOP_STACK)
		return top_stacks(p, o, v, out);
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";

	fl_names *names = fl_names_new();
	tnode *nodes = NULL;
	size_t nnodes = 0, nodes_alloc = 0;
	/* per stack: its distinct node ids, the leaf's, and the inline edges */
	uint32_t *stack_off = xmalloc(st_mult((size_t)p->nstacks + 1, sizeof(uint32_t)));
	for (uint32_t i = 0; i <= p->nstacks; i++)
		stack_off[i] = UINT32_MAX;
	uint32_t *ids = NULL; /* [leaf or NONE, count, distinct ids...] per stack */
	size_t nids = 0, ids_alloc = 0;
	uint32_t *seen = NULL; /* node id -> last stack that touched it */
	size_t seen_alloc = 0;
	strbuf sb = STRBUF_INIT;
	prof_frame *frames = NULL;
	size_t frames_alloc = 0;
	uint32_t *fnode = NULL;
	size_t fnode_alloc = 0;
	int64_t total = 0, flat_shown = 0;

	for (size_t i = 0; i < p->nsamples; i++) {
		int64_t w = prof_sample_values(p, i)[v];
		total = sadd(total, abs64(w));
		if (w == 0 || (o->mask && !o->mask[i]))
			continue;
		uint32_t st = p->samples[i].stack;
		if (stack_off[st] == UINT32_MAX) {
			uint32_t nf = prof_stack_frames(p, st, &frames, &frames_alloc);
			ALLOC_GROW(fnode, nf + 1, fnode_alloc);
			for (uint32_t k = 0; k < nf; k++) {
				sb_reset(&sb);
				frame_key(p, &frames[k], o->by, &sb);
				uint32_t id = fl_names_intern(names, sb.buf ? sb.buf : "", sb.len);
				if (id >= nnodes) {
					ALLOC_GROW(nodes, (size_t)id + 1, nodes_alloc);
					memset(&nodes[nnodes], 0, sizeof(*nodes) * (id + 1 - nnodes));
					for (size_t j = nnodes; j <= id; j++)
						nodes[j].name = (uint32_t)j;
					nnodes = (size_t)id + 1;
				}
				fnode[k] = id;
			}
			if (nnodes > seen_alloc) {
				size_t old = seen_alloc;
				ALLOC_GROW(seen, nnodes, seen_alloc);
				for (size_t j = old; j < seen_alloc; j++)
					seen[j] = UINT32_MAX;
			}
			stack_off[st] = (uint32_t)nids;
			ALLOC_GROW(ids, nids + 2 + nf, ids_alloc);
			ids[nids] = nf ? fnode[0] : PROF_NONE;
			uint32_t cnt = 0;
			for (uint32_t k = nf; k-- > 0;) {
				uint32_t id = fnode[k];
				/* pprof's edges: frame k called from frame k+1 */
				if (k + 1 < nf && fnode[k + 1] != id) {
					if (frames[k].inlined)
						nodes[id].inl = true;
					else
						nodes[id].noinl = true;
				}
				/* once per stack: recursion counts once in cum */
				if (seen[id] != st) {
					seen[id] = st;
					ids[nids + 2 + cnt++] = id;
				}
			}
			ids[nids + 1] = cnt;
			nids += 2 + cnt;
		}
		const uint32_t *e = ids + stack_off[st];
		for (uint32_t j = 0; j < e[1]; j++)
			nodes[e[2 + j]].cum = sadd(nodes[e[2 + j]].cum, w);
		if (e[0] != PROF_NONE)
			nodes[e[0]].flat = sadd(nodes[e[0]].flat, w);
		flat_shown = sadd(flat_shown, e[0] != PROF_NONE ? w : 0);
	}
	free(seen);

	/* 3. drop empty and low-frequency nodes */
	double frac = o->node_fraction < 0 ? 0.005 : o->node_fraction;
	int64_t cutoff = abs64((int64_t)((double)flat_shown * frac));
	size_t kept = 0, dropped = 0;
	for (size_t i = 0; i < nnodes; i++) {
		if (nodes[i].cum == 0 && nodes[i].flat == 0)
			continue;
		if (cutoff > 0 && abs64(nodes[i].cum) < cutoff) {
			dropped++;
			continue;
		}
		nodes[kept++] = nodes[i];
	}
	size_t orig = kept;
	/* 4. sort and cut */
	sort_names = names;
	sort_cum = o->cum_sort;
	if (kept) /* nodes is NULL for a profile without samples */
		qsort(nodes, kept, sizeof(*nodes), tnode_cmp);
	if (o->nodecount > 0 && (size_t)o->nodecount < kept)
		kept = (size_t)o->nodecount;
	/* 5. the output unit */
	int64_t minv = 0, sum = 0;
	for (size_t i = 0; i < kept; i++) {
		int64_t m = abs64(nodes[i].flat);
		if (m == 0)
			m = abs64(nodes[i].cum);
		if (m > 0 && (minv == 0 || m < minv))
			minv = m;
		sum = sadd(sum, nodes[i].flat);
	}
	const char *ou = kept ? top_scale(unit, minv, total) : unit;

	if (!o->no_header)
		header(p, v, total, ou, out);
	if (o->filters)
		filter_describe(o->filters, out);
	sb_adds(out, "Showing nodes accounting for ");
	top_format(out, sum, unit, ou);
	sb_adds(out, ", ");
	sb_reset(&sb);
	top_percent(&sb, sum, total);
	const char *pct = sb.buf;
	while (*pct == ' ')
		pct++;
	sb_addf(out, "%s of ", pct);
	top_format(out, total, unit, ou);
	sb_adds(out, " total\n");
	if (total != 0) {
		if (dropped > 0) {
			sb_addf(out, "Dropped %zu node%s (cum <= ", dropped, dropped > 1 ? "s" : "");
			top_format(out, abs64((int64_t)((double)total * frac)), unit, ou);
			sb_adds(out, ")\n");
		}
		if (kept > 0 && kept < orig)
			sb_addf(out, "Showing top %zu nodes out of %zu\n", kept, orig);
	}
	sb_addf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t flat_sum = 0;
	for (size_t i = 0; i < kept; i++) {
		const tnode *n = &nodes[i];
		flat_sum = sadd(flat_sum, n->flat);
		sb_reset(&sb);
		top_format(&sb, n->flat, unit, ou);
		sb_addf(out, "%10s ", sb.buf);
		top_percent(out, n->flat, total);
		sb_addc(out, ' ');
		top_percent(out, flat_sum, total);
		sb_reset(&sb);
		top_format(&sb, n->cum, unit, ou);
		sb_addf(out, " %10s ", sb.buf);
		top_percent(out, n->cum, total);
		sb_addf(out, "  %s", node_name(names, n));
		if (n->inl)
			sb_adds(out, n->noinl ? " (partial-inline)" : " (inline)");
		sb_addc(out, '\n');
	}

	free(nodes);
	free(stack_off);
	free(ids);
	free(frames);
	free(fnode);
	sb_release(&sb);
	fl_names_free(names);
	return 0;
}
