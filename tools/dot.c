/*
 * dot: pprof's DOT output (see dot.h). Every attribute, number format and
 * ordering below is pprof's (graph/dotgraph.go), because the point is that
 * `dot` draws the graph pprof draws: node ids follow the node order (the
 * entropy order of visual reports), edges are written in pprof's edge order
 * (weight, then source and destination names).
 */
#include "dot.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODELETS 4 /* pprof's maxNodelets */

static int64_t abs64(int64_t v)
{
	return v == INT64_MIN ? INT64_MAX : v < 0 ? -v : v;
}

/* pprof's escapeForDot: \ -> \\, " -> \", newline -> \l (left-justified
 * line break). */
static void add_escaped(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			sb_adds(sb, "\\\\");
		else if (*s == '"')
			sb_adds(sb, "\\\"");
		else if (*s == '\n')
			sb_adds(sb, "\\l");
		else
			sb_addc(sb, *s);
	}
}

/* ---- pprof's ShortenFunctionName ------------------------------------------------ */

static bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* goVerRegExp `^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$` -> ${1}${2}: the
 * first major-version element of a module path goes. */
static void drop_go_version(const char *s, strbuf *out)
{
	for (const char *c = s; *c; c++) {
		if (c[0] != '/' || c[1] != 'v')
			continue;
		const char *d = c + 2, *e = d;
		while (*e >= '0' && *e <= '9')
			e++;
		size_t n = (size_t)(e - d);
		bool version = (n == 1 && *d >= '2') || (n >= 2 && *d != '0');
		if (version && (*e == '.' || *e == '/')) {
			sb_add(out, s, (size_t)(c - s));
			sb_adds(out, e);
			return;
		}
	}
	sb_adds(out, s);
}

/* goRegExp `^(?:[\w\-\.]+\/)+(.+)`: what follows the package path. */
static const char *go_short(const char *s)
{
	const char *last = NULL;
	const char *c = s;
	for (;;) {
		const char *seg = c;
		while (is_word(*c) || *c == '-' || *c == '.')
			c++;
		if (c == seg || *c != '/')
			break;
		c++;
		if (*c) /* (.+) needs a character after the slash */
			last = c;
	}
	return last;
}

typedef struct short_re {
	const char *pattern;
	int group;
	regex_t re;
	bool ok;
} short_re;

/* pprof's javaRegExp and cppRegExp, in POSIX form (\w is ASCII there too
 * in the C locale), with the group pprof keeps. */
static short_re short_res[] = {
	{ "^([a-z][[:alnum:]_]*\\.)*([A-Z][[:alnum:]_$]*\\.(<init>|[a-z][[:alnum:]_$]*(\\$[0-9]+)?))"
	  "(\\(|$)",
	  2, { 0 }, false },
	{ "^([_a-zA-Z][[:alnum:]_]*::)+(_*[A-Z][[:alnum:]_]*::~?[_a-zA-Z][[:alnum:]_]*(<.*>)?)", 2,
	  { 0 }, false },
};

void dot_shorten_name(const char *name, strbuf *sb)
{
	static const char anon[] = "(anonymous namespace)::";
	if (!strncmp(name, anon, sizeof(anon) - 1))
		name += sizeof(anon) - 1;
	strbuf f = STRBUF_INIT;
	drop_go_version(name, &f);
	const char *s = f.len ? f.buf : "";
	const char *go = go_short(s);
	if (go) {
		sb_adds(sb, go);
		sb_release(&f);
		return;
	}
	for (size_t i = 0; i < sizeof(short_res) / sizeof(short_res[0]); i++) {
		short_re *r = &short_res[i];
		if (!r->ok) {
			if (regcomp(&r->re, r->pattern, REG_EXTENDED))
				continue;
			r->ok = true;
		}
		regmatch_t m[8];
		if (regexec(&r->re, s, 8, m, 0) == 0 && m[r->group].rm_so >= 0) {
			sb_add(sb, s + m[r->group].rm_so, (size_t)(m[r->group].rm_eo - m[r->group].rm_so));
			sb_release(&f);
			return;
		}
	}
	sb_adds(sb, s);
	sb_release(&f);
}

/* ---- the pieces ------------------------------------------------------------------- */

/* pprof's dotColor: a colour from red (hot) to grey by score in [-1, 1]. */
static void add_color(strbuf *sb, double score, bool background)
{
	const double shift = 0.7;
	double saturation = background ? 0.1 : 1.0;
	double value = background ? 0.93 : 0.7;
	score = fmax(-1.0, fmin(1.0, score));
	if (fabs(score) < 0.2)
		saturation *= fabs(score) / 0.2;
	if (score > 0.0)
		score = pow(score, 1.0 - shift);
	if (score < 0.0)
		score = -pow(-score, 1.0 - shift);
	double r, g, b;
	if (score < 0.0) {
		g = value;
		r = value * (1 + saturation * score);
	} else {
		r = value;
		g = value * (1 - saturation * score);
	}
	b = value * (1 - saturation);
	sb_addf(sb, "#%02x%02x%02x", (unsigned)(uint8_t)(r * 255.0), (unsigned)(uint8_t)(g * 255.0),
		(unsigned)(uint8_t)(b * 255.0));
}

/* pprof's multilinePrintableName: the short name split at "::" and ".",
 * the file's base name, each part on its own line. */
static void multiline_name(const graph_info *in, strbuf *sb)
{
	strbuf s = STRBUF_INIT, e = STRBUF_INIT;
	dot_shorten_name(in->func, &s);
	add_escaped(&e, s.len ? s.buf : "");
	strbuf fn = STRBUF_INIT;
	for (const char *c = e.len ? e.buf : ""; *c; c++) {
		if (c[0] == ':' && c[1] == ':') {
			sb_adds(&fn, "\\n");
			c++;
		} else if (!strncmp(c, "[...]", 5)) {
			sb_adds(&fn, "[\xe2\x80\xa6]");
			c += 4;
		} else if (*c == '.') {
			sb_adds(&fn, "\\n");
		} else {
			sb_addc(&fn, *c);
		}
	}
	const char *file = in->file;
	const char *slash = strrchr(file, '/');
	if (slash && slash[1])
		file = slash + 1;
	/* NameComponents, joined by \n */
	bool first = true;
#define PART() (first ? (void)(first = false) : sb_adds(sb, "\\n"))
	if (in->address) {
		PART();
		sb_addf(sb, "%016llx", (unsigned long long)in->address);
	}
	if (fn.len) {
		PART();
		sb_add(sb, fn.buf, fn.len);
	}
	if (in->line != 0) {
		PART();
		sb_addf(sb, "%s:%lld", file, (long long)in->line);
	} else if (*file) {
		PART();
		sb_adds(sb, file);
	} else if (fn.len) {
		/* the name says it */
	} else if (*in->objfile) {
		PART();
		const char *b = strrchr(in->objfile, '/');
		sb_addf(sb, "[%s]", b ? b + 1 : in->objfile);
	} else {
		PART();
		sb_adds(sb, "<unknown>");
	}
#undef PART
	sb_adds(sb, "\\n");
	sb_release(&s);
	sb_release(&e);
	sb_release(&fn);
}

typedef struct dot_ctx {
	const graph *g;
	const char *unit, *out_unit;
	uint32_t decimals;
	int64_t total;
	strbuf *out;
} dot_ctx;

static void value(const dot_ctx *c, strbuf *sb, int64_t v)
{
	top_format(sb, v, c->decimals, c->unit, c->out_unit);
}

static void add_node(const dot_ctx *c, const graph_node *n, uint32_t id, double max_flat)
{
	strbuf label = STRBUF_INIT, fv = STRBUF_INIT, cv = STRBUF_INIT;
	const graph_info *in = graph_node_info(c->g, n);
	multiline_name(in, &label);
	value(c, &fv, n->flat);
	if (n->flat != 0) {
		sb_addf(&label, "%s (", fv.buf);
		top_percent_trim(&label, n->flat, c->total);
		sb_addc(&label, ')');
	} else {
		sb_adds(&label, "0");
	}
	sb_adds(&cv, fv.buf);
	if (n->cum != n->flat) {
		sb_adds(&label, n->flat != 0 ? "\\n" : " ");
		sb_reset(&cv);
		value(c, &cv, n->cum);
		sb_addf(&label, "of %s (", cv.buf);
		top_percent_trim(&label, n->cum, c->total);
		sb_addc(&label, ')');
	}
	int font = 8;
	if (max_flat != 0 && n->flat != 0 && (double)abs64(n->flat) <= max_flat)
		font += (int)ceil(16.0 * sqrt((double)abs64(n->flat) / max_flat));
	strbuf *o = c->out;
	sb_addf(o, "N%u [label=\"%s\" id=\"node%u\" fontsize=%d shape=box tooltip=\"", id, label.buf, id,
		font);
	add_escaped(o, in->name);
	sb_addf(o, " (%s)\" color=\"", cv.buf);
	double score = (double)n->cum / (double)abs64(c->total);
	add_color(o, score, false);
	sb_adds(o, "\" fillcolor=\"");
	add_color(o, score, true);
	sb_adds(o, "\"]\n");
	sb_release(&label);
	sb_release(&fv);
	sb_release(&cv);
}

static int64_t tag_abs_cmp(int64_t a, int64_t b)
{
	a = abs64(a);
	b = abs64(b);
	return a > b ? -1 : a < b ? 1 : 0;
}

/* pprof's tags.Less: by cum (unless flat), then flat, then name. */
static int tag_cmp(const void *a_, const void *b_, void *flat_)
{
	const graph_tag *a = a_, *b = b_;
	bool flat = *(const bool *)flat_;
	if (!flat && a->cum != b->cum)
		return (int)tag_abs_cmp(a->cum, b->cum);
	if (a->flat != b->flat)
		return (int)tag_abs_cmp(a->flat, b->flat);
	return strcmp(a->name, b->name);
}

static uint32_t live(const graph *g, const uint32_t *es, uint32_t n)
{
	uint32_t e, c = 0;
	const graph_edge *edges = graph_edges(g, &e);
	for (uint32_t i = 0; i < n; i++)
		c += !edges[es[i]].dead;
	return c;
}

/* pprof's collapsedTags: at most count numeric tags; beyond that each tag
 * joins the group of the nearest of the first count (by value), and a
 * group is labelled "min..max". Returns the count; *out is allocated. */
static uint32_t collapse_tags(const dot_ctx *c, graph_tag *ts, uint32_t n, uint32_t count, bool flat,
			      graph_tag **out, strbuf *names)
{
	qsort_r(ts, n, sizeof(*ts), tag_cmp, &flat);
	*out = xmalloc(st_mult(n ? n : 1, sizeof(graph_tag)));
	if (n <= count) {
		memcpy(*out, ts, n * sizeof(*ts));
		return n;
	}
	uint32_t *grp = xmalloc(st_mult(n, sizeof(uint32_t)));
	for (uint32_t i = 0; i < n; i++) {
		if (i < count) {
			grp[i] = i;
			continue;
		}
		uint32_t g = 0;
		double d = fabs((double)ts[0].value - (double)ts[i].value);
		for (uint32_t k = 1; k < count; k++) {
			double nd = fabs((double)ts[k].value - (double)ts[i].value);
			if (nd < d) {
				g = k;
				d = nd;
			}
		}
		grp[i] = g;
	}
	const char *unit = graph_tag_unit(c->g);
	/* the labels live in names, NUL-separated: offsets first, pointers after */
	size_t *off = xmalloc(st_mult(count, sizeof(size_t)));
	for (uint32_t k = 0; k < count; k++) {
		const graph_tag *mn = &ts[k], *mx = &ts[k];
		int64_t f = 0, cu = 0;
		uint32_t members = 0;
		for (uint32_t i = 0; i < n; i++) {
			if (grp[i] != k)
				continue;
			members++;
			if (ts[i].value < mn->value)
				mn = &ts[i];
			if (ts[i].value > mx->value)
				mx = &ts[i];
			f += ts[i].flat;
			cu += ts[i].cum;
		}
		off[k] = names->len;
		top_format(names, mn->value, 0, unit, "auto");
		if (members > 1) {
			sb_adds(names, "..");
			top_format(names, mx->value, 0, unit, "auto");
		}
		sb_addc(names, '\0');
		(*out)[k] = (graph_tag){ NULL, NULL, true, mn->value, f, cu };
	}
	for (uint32_t k = 0; k < count; k++)
		(*out)[k].name = names->buf + off[k];
	free(off);
	free(grp);
	qsort_r(*out, count, sizeof(**out), tag_cmp, &flat);
	return count;
}

/* One nodelet: a small box named name under from, with its weight. */
static void nodelet(const dot_ctx *c, const char *from, const char *name, const char *label, int64_t v,
		    const char *attr)
{
	strbuf w = STRBUF_INIT;
	value(c, &w, v);
	sb_addf(c->out, "%s [label = \"%s\" id=\"%s\" fontsize=8 shape=box3d tooltip=\"%s\"]\n", name,
		label, name, w.buf);
	sb_addf(c->out, "%s -> %s [label=\" %s\" weight=100 tooltip=\"%s\" labeltooltip=\"%s\"%s]\n", from,
		name, w.buf, w.buf, w.buf, attr);
	sb_release(&w);
}

/* pprof's numericNodelets: the numeric tags of one label set under source. */
static void numeric_nodelets(const dot_ctx *c, const graph_node *n, const char *labels, bool flat,
			     const char *source)
{
	graph_tag *ts = xmalloc(st_mult(n->ntags ? n->ntags : 1, sizeof(*ts)));
	uint32_t nt = 0;
	for (uint32_t i = 0; i < n->ntags; i++)
		if (n->tags[i].numeric && n->tags[i].labels == labels)
			ts[nt++] = n->tags[i];
	graph_tag *col;
	strbuf names = STRBUF_INIT, name = STRBUF_INIT;
	sb_grow(&names, 64 * MAX_NODELETS); /* no move while labels point in */
	uint32_t nc = collapse_tags(c, ts, nt, MAX_NODELETS, flat, &col, &names);
	for (uint32_t j = 0; j < nc; j++) {
		int64_t v = col[j].cum;
		const char *attr = " style=\"dotted\"";
		if (flat || col[j].flat == col[j].cum) {
			v = col[j].flat;
			attr = "";
		}
		if (v == 0)
			continue;
		sb_reset(&name);
		sb_addf(&name, "N%s_%u", source, j);
		nodelet(c, source, name.buf, col[j].name, v, attr);
	}
	free(col);
	free(ts);
	sb_release(&names);
	sb_release(&name);
}

/* The nodelets of a node (pprof's addNodelets): its label tags, each with
 * its numeric tags, then the numeric tags of the samples without labels;
 * true if it has any. */
static bool add_nodelets(const dot_ctx *c, const graph_node *n, uint32_t id)
{
	if (n->ntags == 0)
		return false;
	size_t before = c->out->len;
	bool flat = live(c->g, n->out, n->nout) > 0;
	graph_tag *ts = xmalloc(st_mult(n->ntags, sizeof(*ts)));
	uint32_t nt = 0;
	bool unlabelled = false;
	for (uint32_t i = 0; i < n->ntags; i++) {
		if (!n->tags[i].numeric)
			ts[nt++] = n->tags[i];
		else if (!n->tags[i].labels)
			unlabelled = true;
	}
	if (nt)
		qsort_r(ts, nt, sizeof(*ts), tag_cmp, &flat);
	if (nt > MAX_NODELETS)
		nt = MAX_NODELETS;
	strbuf w = STRBUF_INIT, src = STRBUF_INIT;
	for (uint32_t i = 0; i < nt; i++) {
		int64_t v = flat ? ts[i].flat : ts[i].cum;
		if (v == 0)
			continue;
		sb_reset(&w);
		sb_addf(&w, "N%u", id);
		sb_reset(&src);
		sb_addf(&src, "N%u_%u", id, i);
		nodelet(c, w.buf, src.buf, ts[i].name, v, "");
		numeric_nodelets(c, n, ts[i].name, flat, src.buf);
	}
	if (unlabelled) {
		sb_reset(&src);
		sb_addf(&src, "N%u", id);
		numeric_nodelets(c, n, NULL, flat, src.buf);
	}
	sb_release(&w);
	sb_release(&src);
	free(ts);
	return c->out->len > before;
}

static void add_edge(const dot_ctx *c, const graph_edge *e, bool has_nodelets)
{
	uint32_t nn;
	const graph_node *nodes = graph_nodes(c->g, &nn);
	strbuf w = STRBUF_INIT;
	value(c, &w, e->weight);
	strbuf *o = c->out;
	sb_addf(o, "N%u -> N%u [label=\" %s%s\"", e->src + 1, e->dst + 1, w.buf,
		e->inline_call ? "\\n (inline)" : "");
	if (c->total != 0) {
		int64_t wt = abs64(e->weight * 100 / c->total);
		int weight = 1 + (int)(wt < 100 ? wt : 100);
		if (weight > 1)
			sb_addf(o, " weight=%d", weight);
		int64_t wd = abs64(e->weight * 5 / c->total);
		int width = 1 + (int)(wd < 5 ? wd : 5);
		if (width > 1)
			sb_addf(o, " penwidth=%d", width);
		sb_adds(o, " color=\"");
		add_color(o, (double)e->weight / (double)abs64(c->total), false);
		sb_addc(o, '"');
	}
	strbuf tip = STRBUF_INIT;
	sb_addc(&tip, '"');
	add_escaped(&tip, graph_node_info(c->g, &nodes[e->src])->name);
	sb_adds(&tip, e->residual ? " ... " : " -> ");
	add_escaped(&tip, graph_node_info(c->g, &nodes[e->dst])->name);
	sb_addf(&tip, " (%s)\"", w.buf);
	sb_addf(o, " tooltip=%s labeltooltip=%s", tip.buf, tip.buf);
	if (e->residual)
		sb_adds(o, " style=\"dotted\"");
	if (has_nodelets)
		sb_adds(o, " minlen=2");
	sb_adds(o, "]\n");
	sb_release(&w);
	sb_release(&tip);
}

static int edge_order(const void *a_, const void *b_, void *g_)
{
	const graph *g = g_;
	uint32_t ne, nn;
	const graph_edge *edges = graph_edges(g, &ne);
	const graph_node *nodes = graph_nodes(g, &nn);
	const graph_edge *a = &edges[*(const uint32_t *)a_], *b = &edges[*(const uint32_t *)b_];
	int c = (int)tag_abs_cmp(a->weight, b->weight);
	if (c)
		return c;
	c = strcmp(graph_node_info(g, &nodes[a->src])->name, graph_node_info(g, &nodes[b->src])->name);
	if (c)
		return c;
	return strcmp(graph_node_info(g, &nodes[a->dst])->name, graph_node_info(g, &nodes[b->dst])->name);
}

int dot_write(const profile *p, const top_opts *o, strbuf *out, cprof_err *err)
{
	uint32_t v = 0;
	if (top_value_index(p, o, &v, err) < 0)
		return -1;
	if (o->by == TOP_STACK)
		return cprof_fail(err, "--by stack is the top table's: not with --dot");
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	graph_trim_result r;
	double nf, ef;
	graph *g = top_report_graph(p, o, v, true, true, false, &r, &nf, &ef);
	const char *ou = top_output_unit(g, unit);
	dot_ctx c = { g, unit, ou, p->sample_types[v].decimals, graph_total(g), out };

	/* the title: the main binary's base name */
	const char *title = "";
	if (p->nmappings > 0 && p->mappings[0].file && *p->mappings[0].file) {
		const char *slash = strrchr(p->mappings[0].file, '/');
		title = slash ? slash + 1 : p->mappings[0].file;
	}
	sb_addf(out, "digraph \"%s\" {\n", *title ? title : "unnamed");
	sb_adds(out, "node [style=filled fillcolor=\"#f8f8f8\"]\n");

	/* the legend: the report labels, one per line */
	strbuf labels = STRBUF_INIT;
	top_opts lo = *o;
	lo.no_header = false;
	top_labels(p, &lo, v, g, &r, nf, ef, ou, true, &labels);
	if (labels.len && labels.buf[labels.len - 1] == '\n')
		labels.buf[--labels.len] = '\0';
	if (labels.len) {
		const char *nl = strchr(labels.buf, '\n');
		size_t first = nl ? (size_t)(nl - labels.buf) : labels.len;
		char *t = xstrndup(labels.buf, first);
		sb_adds(out, "subgraph cluster_L { \"");
		add_escaped(out, t);
		sb_adds(out, "\" [shape=box fontsize=16 label=\"");
		add_escaped(out, labels.buf);
		sb_adds(out, "\\l\"");
		if (*title)
			sb_addf(out, " tooltip=\"%s\"", title);
		sb_adds(out, "] }\n");
		free(t);
	}
	sb_release(&labels);

	uint32_t nn, ne;
	const graph_node *nodes = graph_nodes(g, &nn);
	const graph_edge *edges = graph_edges(g, &ne);
	if (nn > 0) {
		double max_flat = (double)abs64(nodes[0].flat);
		for (uint32_t i = 0; i < nn; i++)
			if ((double)abs64(nodes[i].flat) > max_flat)
				max_flat = (double)abs64(nodes[i].flat);
		bool *nodelets = xcalloc(nn, sizeof(bool));
		for (uint32_t i = 0; i < nn; i++) {
			add_node(&c, &nodes[i], i + 1, max_flat);
			nodelets[i] = add_nodelets(&c, &nodes[i], i + 1);
		}
		uint32_t *order = xmalloc(st_mult(ne + 1, sizeof(uint32_t)));
		uint32_t n = 0;
		for (uint32_t i = 0; i < ne; i++)
			if (!edges[i].dead)
				order[n++] = i;
		if (n)
			qsort_r(order, n, sizeof(*order), edge_order, g);
		for (uint32_t i = 0; i < n; i++)
			add_edge(&c, &edges[order[i]], nodelets[edges[order[i]].src]);
		free(order);
		free(nodelets);
	}
	sb_adds(out, "}\n");
	graph_free(g);
	return 0;
}
