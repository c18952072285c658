/*
 * graph: pprof's call graph (see graph.h). The steps follow pprof's
 * internal/graph (graph.New, newGraph, CreateNodes, the trimming functions)
 * and report.newTrimmedGraph one for one, because the point of the reports
 * built on this graph is that their numbers and labels are pprof's.
 *
 * Samples are grouped by (stack, label set) once (prof_group_samples);
 * every build walks the groups, not the samples. A group stands for its
 * samples exactly: cum, flat, edges and tags are sums of the same value per
 * sample, edge flags are an OR (residual) and an AND (inline) over the
 * samples. A sample whose value is 0 adds nothing in pprof, so it is left
 * out of the groups (a +5 and a -5 still make a group, and its nodes and
 * edges, as they do in pprof).
 */
#include "graph.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

static int64_t abs64(int64_t v)
{
	return v == INT64_MIN ? INT64_MAX : v < 0 ? -v : v;
}

struct graph {
	const profile *p;
	graph_opts o;
	names_table *strs;    /* keys, names, files, tag names */
	graph_info *infos; /* per key; a plain key's only once it is a node */
	const char **plain; /* per key: a plain key's name (the model's), or NULL */
	uint32_t *key_of_str; /* string id -> key, or NONE */
	hidx key_of_name;     /* a plain key's name (the model's string) -> key */
	size_t nkeys, key_of_str_alloc;
	uint32_t *loc_off; /* per location: offset into loc_keys, or NONE */
	uint32_t *loc_keys; /* room for every location's lines: keys <= lines */
	size_t nloc_keys;
	prof_groups groups; /* of the shown samples whose value is not 0 */
	bool *recursive;    /* per group: its stack has a location twice in a row */
	uint32_t v;         /* the value the graph sums */
	uint32_t *tag_of_labelset; /* id in strs, or NONE when no string labels */
	int64_t total;
	const char *num_unit; /* of the numeric "bytes" tags */
	const char *empty;    /* "" in strs */
	bool inlined;         /* a location of the graph has inlined lines */

	/* the current build */
	graph_node *nodes;
	uint32_t nnodes;
	size_t nodes_alloc;
	uint32_t *node_of_key; /* per key: node index or NONE */
	uint32_t *node_stamp;  /* per node: last group that counted it */
	size_t node_stamp_alloc;
	graph_edge *edges;
	uint32_t nedges;
	size_t edges_alloc;
	uint32_t *edge_stamp;
	size_t edge_stamp_alloc;
	hidx edge_ix; /* (src, dst) -> edge */
};

/* ---- node identity (pprof's nodeInfo after the granularity's Aggregate) ---- */

void graph_go_clean(strbuf *sb, const char *path)
{
	bool rooted = *path == '/';
	/* the kept elements, as (offset, length) pairs into path */
	size_t n = 0, alloc = 0;
	struct elem { const char *s; size_t n; } *el = NULL;
	for (const char *c = path; *c;) {
		while (*c == '/')
			c++;
		const char *e = c;
		while (*e && *e != '/')
			e++;
		size_t len = (size_t)(e - c);
		if (len == 0 || (len == 1 && c[0] == '.')) {
			/* "" and "." go */
		} else if (len == 2 && c[0] == '.' && c[1] == '.') {
			if (n > 0 && !(el[n - 1].n == 2 && !strncmp(el[n - 1].s, "..", 2)))
				n--;
			else if (!rooted) {
				ALLOC_GROW(el, n + 1, alloc);
				el[n++] = (struct elem){ c, len };
			}
		} else {
			ALLOC_GROW(el, n + 1, alloc);
			el[n++] = (struct elem){ c, len };
		}
		c = e;
	}
	if (rooted)
		sb_addc(sb, '/');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(sb, '/');
		sb_add(sb, el[i].s, el[i].n);
	}
	if (!rooted && n == 0)
		sb_addc(sb, '.');
	free(el);
}

/* pprof's filepath.SplitList element i of a ':'-separated list. */
static bool list_elem(const char **list, const char **s, size_t *n)
{
	if (!*list)
		return false;
	const char *c = strchr(*list, ':');
	*s = *list;
	*n = c ? (size_t)(c - *list) : strlen(*list);
	*list = c ? c + 1 : NULL;
	return true;
}

const char *graph_trim_path(const char *path, const char *trim, const char *search)
{
	if (!trim || !*trim) {
		/* the heuristic: the base name of a search directory in the path */
		const char *l = search && *search ? search : NULL, *d;
		size_t n;
		while (list_elem(&l, &d, &n)) {
			while (n > 1 && d[n - 1] == '/')
				n--;
			const char *b = d + n;
			while (b > d && b[-1] != '/')
				b--;
			strbuf want = STRBUF_INIT;
			sb_addc(&want, '/');
			if (n == 0)
				sb_addc(&want, '.');
			else
				sb_add(&want, b, (size_t)(d + n - b));
			sb_addc(&want, '/');
			const char *f = strstr(path, want.buf);
			size_t wl = want.len;
			sb_release(&want);
			if (f)
				return f + wl;
		}
	}
	const char *l = trim && *trim ? trim : NULL, *t;
	size_t n;
	while (list_elem(&l, &t, &n)) {
		bool slash = n > 0 && t[n - 1] == '/';
		if (!strncmp(path, t, n) && (slash ? true : path[n] == '/'))
			return path + n + (slash ? 0 : 1);
	}
	if (!strncmp(path, "/proc/self/cwd/./", 17))
		return path + 17;
	if (!strncmp(path, "/proc/self/cwd/", 15))
		return path + 15;
	return path;
}

static const char *loc_objfile(const profile *p, uint32_t loc)
{
	if (loc >= p->nlocations)
		return "";
	uint32_t m = p->locations[loc].mapping;
	if (m == PROF_NONE || m >= p->nmappings || !p->mappings[m].file)
		return "";
	return p->mappings[m].file;
}

/* The parts of pprof's NodeInfo for a frame; strings in tmp (NUL-separated)
 * are only valid until tmp changes. */
typedef struct raw_info {
	strbuf func, file;
	const char *objfile;
	int64_t line, start_line;
	uint64_t address;
} raw_info;

static void frame_info(const profile *p, const prof_frame *f, const graph_opts *o, raw_info *ri)
{
	const prof_function *fn = f->function != PROF_NONE && f->function < p->nfunctions
					  ? &p->functions[f->function]
					  : NULL;
	const char *objfile = loc_objfile(p, f->location);
	graph_by by = o->by;
	sb_reset(&ri->func);
	sb_reset(&ri->file);
	ri->objfile = "";
	ri->line = ri->start_line = 0;
	ri->address = 0;
	if (by == GRAPH_ADDRESS && f->location < p->nlocations)
		ri->address = p->locations[f->location].address;
	if (!fn) {
		/* unsymbolized: pprof shows the object file */
		ri->objfile = objfile;
		return;
	}
	/* pprof's Name: the function's name as read (names_simplify gave an
	 * empty one its system name), "" staying "" */
	if (by != GRAPH_FILE && fn->name)
		sb_adds(&ri->func, fn->name);
	if (by != GRAPH_FUNCTION && fn->filename && *fn->filename)
		graph_go_clean(&ri->file, o->keep_paths ? fn->filename
							 : graph_trim_path(fn->filename, o->trim_path,
									   o->source_path));
	if (by == GRAPH_LINE || by == GRAPH_ADDRESS)
		ri->line = f->line;
	if (o->obj_names || ri->func.len == 0) {
		ri->objfile = objfile;
		ri->start_line = fn->start_line;
	}
}

/* pprof's NameComponents joined by sep. */
static void name_components(strbuf *sb, uint64_t address, const char *func, const char *file,
			    int64_t line, const char *objfile, const char *sep)
{
	size_t start = sb->len;
#define SEP() (sb->len > start ? sb_adds(sb, sep) : (void)0)
	if (address)
		sb_addf(sb, "%016" PRIx64, address);
	if (*func) {
		SEP();
		sb_adds(sb, func);
	}
	if (line != 0) {
		SEP();
		sb_addf(sb, "%s:%" PRId64, file, line);
	} else if (*file) {
		SEP();
		sb_adds(sb, file);
	} else if (*func) {
		/* the name says it */
	} else if (*objfile) {
		SEP();
		const char *slash = strrchr(objfile, '/');
		sb_addf(sb, "[%s]", slash ? slash + 1 : objfile);
	} else {
		SEP();
		sb_adds(sb, "<unknown>");
	}
#undef SEP
}

/* The key of a frame: its printable name, then (after a NUL, so it never
 * prints) what else pprof's NodeInfo holds. Returns the name's length. */
static size_t info_key(const raw_info *ri, strbuf *sb)
{
	name_components(sb, ri->address, ri->func.len ? ri->func.buf : "",
			ri->file.len ? ri->file.buf : "", ri->line, ri->objfile, " ");
	size_t name_len = sb->len;
	if (*ri->objfile || ri->start_line) {
		sb_addc(sb, '\0');
		sb_addf(sb, "%" PRId64, ri->start_line);
		sb_addc(sb, '\0');
		sb_adds(sb, ri->objfile);
	}
	return name_len;
}

void graph_frame_key(const profile *p, const prof_frame *f, const graph_opts *o, strbuf *sb)
{
	raw_info ri = { STRBUF_INIT, STRBUF_INIT, "", 0, 0, 0 };
	frame_info(p, f, o, &ri);
	info_key(&ri, sb);
	sb_release(&ri.func);
	sb_release(&ri.file);
}

static const char *str_of(graph *g, const char *s, size_t n)
{
	return names_get(g->strs, names_intern(g->strs, s, n));
}

static bool name_key_eq(const void *ctx, uint32_t key, const void *name)
{
	return ((const graph *)ctx)->plain[key] == name;
}

/* The key whose identity is the function's name alone (by function, no
 * object names): keyed by the model's interned string, whose pointer is
 * its identity, without a copy or a hash of its bytes. */
static uint32_t plain_key(graph *g, const char *name)
{
	uint32_t h = (uint32_t)hash_mix64((uint64_t)(uintptr_t)name);
	size_t slot;
	uint32_t key = hidx_find(&g->key_of_name, h, name_key_eq, g, name, &slot);
	if (key != HIDX_NONE)
		return key;
	key = (uint32_t)g->nkeys++;
	g->plain[key] = name; /* its info, all but the name "", is made with its node */
	hidx_set(&g->key_of_name, slot, h, key);
	return key;
}

/* The key of any other frame: by its key text (name, then after a NUL what
 * else the identity holds), interned in the graph's table. */
static uint32_t text_key(graph *g, const raw_info *ri, const strbuf *sb, size_t name_len)
{
	uint32_t id = names_intern(g->strs, sb->buf, sb->len);
	if (id >= g->key_of_str_alloc) {
		size_t old = g->key_of_str_alloc;
		ALLOC_GROW(g->key_of_str, (size_t)id + 1, g->key_of_str_alloc);
		for (size_t i = old; i < g->key_of_str_alloc; i++)
			g->key_of_str[i] = PROF_NONE;
	}
	uint32_t key = g->key_of_str[id];
	if (key != PROF_NONE)
		return key;
	key = (uint32_t)g->nkeys++;
	g->key_of_str[id] = key;
	g->plain[key] = NULL;
	graph_info *in = &g->infos[key];
	/* most often the name is the key, the file and object "" */
	const char *func = ri->func.len ? ri->func.buf : "";
	in->name = name_len == sb->len ? names_get(g->strs, id) : str_of(g, sb->buf, name_len);
	in->func = !strcmp(func, in->name) ? in->name : str_of(g, func, strlen(func));
	in->file = ri->file.len ? str_of(g, ri->file.buf, ri->file.len) : g->empty;
	in->objfile = *ri->objfile ? str_of(g, ri->objfile, strlen(ri->objfile)) : g->empty;
	in->line = ri->line;
	in->start_line = ri->start_line;
	in->address = ri->address;
	return key;
}

/* The keys of a location's lines, leaf first (pprof's CreateNodes). */
static const uint32_t *loc_keys(graph *g, uint32_t loc, uint32_t *n, raw_info *ri, strbuf *sb)
{
	const profile *p = g->p;
	const prof_location *l = &p->locations[loc];
	uint32_t k = l->nlines ? l->nlines : 1;
	*n = k;
	if (g->loc_off[loc] != PROF_NONE)
		return g->loc_keys + g->loc_off[loc];
	g->inlined |= k > 1;
	uint32_t off = (uint32_t)g->nloc_keys;
	for (uint32_t j = 0; j < k; j++) {
		prof_frame f = { loc, PROF_NONE, 0, false };
		if (l->nlines) {
			f.function = l->lines[j].function;
			f.line = l->lines[j].line;
			f.inlined = j + 1 < l->nlines;
		}
		const char *fname = l->nlines && f.function < p->nfunctions
					    ? p->functions[f.function].name
					    : NULL;
		/* by function, most often the key is the function's name alone;
		 * "<unknown>" goes by its text, as a frame without a name
		 * does: the two are one node */
		if (g->o.by == GRAPH_FUNCTION && !g->o.obj_names && fname && *fname &&
		    !(*fname == '<' && !strcmp(fname, "<unknown>"))) {
			g->loc_keys[off + j] = plain_key(g, fname);
			continue;
		}
		frame_info(p, &f, &g->o, ri);
		sb_reset(sb);
		size_t name_len = info_key(ri, sb);
		g->loc_keys[off + j] = text_key(g, ri, sb, name_len);
	}
	g->nloc_keys += k;
	g->loc_off[loc] = off;
	return g->loc_keys + off;
}

/* ---- indexing the samples --------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
	return str_esc_cmp(*(char *const *)a, *(char *const *)b);
}

/* pprof's joinLabels: "key:value" of every string label, sorted, joined by
 * a backslash and an n (two characters: dot reads them as a line break). */
static uint32_t labelset_tag(graph *g, const prof_labelset *ls, strbuf *sb)
{
	char **items = xmalloc(st_mult(ls->n ? ls->n : 1, sizeof(char *)));
	uint32_t n = 0;
	for (uint32_t i = 0; i < ls->n; i++) {
		if (!ls->labels[i].str)
			continue;
		strbuf t = STRBUF_INIT;
		sb_addf(&t, "%s:%s", ls->labels[i].key, ls->labels[i].str);
		items[n++] = sb_detach(&t, NULL);
	}
	uint32_t id = PROF_NONE;
	if (n) {
		qsort(items, n, sizeof(*items), str_cmp);
		sb_reset(sb);
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				sb_adds(sb, "\\n");
			sb_adds(sb, items[i]);
		}
		id = names_intern(g->strs, sb->buf, sb->len);
	}
	for (uint32_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return id;
}

graph *graph_new(const profile *p, const graph_opts *o)
{
	graph *g = xcalloc(1, sizeof(*g));
	g->p = p;
	g->o = *o;
	g->strs = names_table_new();
	g->empty = str_of(g, "", 0);
	g->loc_off = xmalloc(st_mult(p->nlocations ? p->nlocations : 1, sizeof(uint32_t)));
	size_t lines = 1;
	for (uint32_t i = 0; i < p->nlocations; i++) {
		g->loc_off[i] = PROF_NONE;
		lines += p->locations[i].nlines ? p->locations[i].nlines : 1;
	}
	/* a key per line at most: room for all at once, no copies as they come */
	g->loc_keys = xmalloc(st_mult(lines, sizeof(uint32_t)));
	g->infos = xmalloc(st_mult(lines, sizeof(graph_info)));
	g->plain = xmalloc(st_mult(lines, sizeof(char *)));
	size_t names = lines < p->nfunctions ? lines : p->nfunctions; /* plain keys <= names */
	if (o->by == GRAPH_FUNCTION && !o->obj_names)
		hidx_reserve(&g->key_of_name, names);
	/* groups by (stack, labelset), in order of first appearance */
	bool *use = xmalloc(p->nsamples + 1);
	uint32_t v = o->value;
	for (size_t i = 0; i < p->nsamples; i++) {
		int64_t w = v < p->nvalues ? prof_sample_values(p, i)[v] : 0;
		g->total = prof_sadd(g->total, abs64(w));
		use[i] = w != 0 && (!o->mask || o->mask[i]);
	}
	prof_group_opts go = PROF_GROUP_OPTS_INIT;
	go.mask = use;
	go.by_labels = o->tags;
	prof_group_samples(p, &go, &g->groups);
	g->v = v;
	free(use);
	/* pprof's NumLabelUnits for "bytes": the first unit a sample gives */
	g->num_unit = "bytes";
	for (size_t i = 0; o->tags && i < p->nsamples && !strcmp(g->num_unit, "bytes"); i++) {
		const prof_labelset *ls = &p->labelsets[p->samples[i].labelset];
		for (uint32_t j = 0; j < ls->n; j++)
			if (!ls->labels[j].str && !strcmp(ls->labels[j].key, "bytes") &&
			    ls->labels[j].unit && *ls->labels[j].unit) {
				g->num_unit = ls->labels[j].unit;
				break;
			}
	}
	g->tag_of_labelset = xmalloc(st_mult(p->nlabelsets ? p->nlabelsets : 1, sizeof(uint32_t)));
	strbuf sb = STRBUF_INIT;
	for (uint32_t i = 0; i < p->nlabelsets; i++)
		g->tag_of_labelset[i] = o->tags ? labelset_tag(g, &p->labelsets[i], &sb) : PROF_NONE;
	/* the keys of every location a group reaches */
	raw_info ri = { STRBUF_INIT, STRBUF_INIT, "", 0, 0, 0 };
	g->recursive = xcalloc(g->groups.n + 1, sizeof(bool));
	for (size_t i = 0; i < g->groups.n; i++) {
		const prof_stack *st = &p->stacks[g->groups.g[i].stack];
		for (uint32_t d = 0; d < st->depth; d++) {
			uint32_t n;
			if (d && st->locs[d] == st->locs[d - 1])
				g->recursive[i] = true; /* and its keys are known */
			else
				loc_keys(g, st->locs[d], &n, &ri, &sb);
		}
	}
	sb_release(&ri.func);
	sb_release(&ri.file);
	sb_release(&sb);
	g->node_of_key = xmalloc(st_mult(g->nkeys ? g->nkeys : 1, sizeof(uint32_t)));
	return g;
}

static void free_nodes(graph *g)
{
	for (uint32_t i = 0; i < g->nnodes; i++) {
		free(g->nodes[i].in);
		free(g->nodes[i].out);
		free(g->nodes[i].tags);
	}
	g->nnodes = 0;
	g->nedges = 0;
}

void graph_free(graph *g)
{
	if (!g)
		return;
	free_nodes(g);
	free(g->nodes);
	free(g->node_of_key);
	free(g->node_stamp);
	free(g->edges);
	free(g->edge_stamp);
	hidx_free(&g->edge_ix);
	prof_groups_free(&g->groups);
	free(g->tag_of_labelset);
	free(g->loc_off);
	free(g->recursive);
	free(g->loc_keys);
	free(g->infos);
	free(g->plain);
	free(g->key_of_str);
	hidx_free(&g->key_of_name);
	names_table_free(g->strs);
	free(g);
}

graph_node *graph_nodes(const graph *g, uint32_t *n)
{
	*n = g->nnodes;
	return g->nodes;
}

graph_edge *graph_edges(const graph *g, uint32_t *n)
{
	*n = g->nedges;
	return g->edges;
}

const graph_info *graph_node_info(const graph *g, const graph_node *n)
{
	return &g->infos[n->key];
}

int64_t graph_total(const graph *g)
{
	return g->total;
}

const char *graph_tag_unit(const graph *g)
{
	return g->num_unit;
}

/* ---- building (pprof's newGraph) ---------------------------------------------- */

static uint32_t node_for(graph *g, uint32_t key, const bool *keep)
{
	if (keep && !keep[key])
		return PROF_NONE;
	if (g->node_of_key[key] != PROF_NONE)
		return g->node_of_key[key];
	ALLOC_GROW(g->nodes, (size_t)g->nnodes + 1, g->nodes_alloc);
	ALLOC_GROW(g->node_stamp, (size_t)g->nnodes + 1, g->node_stamp_alloc);
	graph_node *n = &g->nodes[g->nnodes];
	memset(n, 0, sizeof(*n));
	n->key = key;
	if (g->plain[key])
		g->infos[key] = (graph_info){ g->plain[key], g->plain[key], g->empty, g->empty, 0, 0, 0 };
	g->node_stamp[g->nnodes] = PROF_NONE;
	g->node_of_key[key] = g->nnodes;
	return g->nnodes++;
}

static void add_index(uint32_t **arr, uint32_t *n, uint32_t *alloc, uint32_t v)
{
	size_t a = *alloc;
	ALLOC_GROW(*arr, (size_t)*n + 1, a);
	*alloc = (uint32_t)a;
	(*arr)[(*n)++] = v;
}

static bool edge_eq(const void *ctx, uint32_t e, const void *key)
{
	const graph_edge *a = &((const graph *)ctx)->edges[e], *k = key;
	return a->src == k->src && a->dst == k->dst;
}

/* pprof's AddToEdge, once per group: weight added, residual ORed, inline
 * ANDed. */
static void add_edge(graph *g, uint32_t src, uint32_t dst, int64_t w, bool residual, bool inl,
		     uint32_t stamp)
{
	graph_edge key = { src, dst, w, residual, inl, false };
	uint32_t h = (uint32_t)hash_mix64((uint64_t)src << 32 | dst);
	size_t slot;
	uint32_t ei = hidx_find(&g->edge_ix, h, edge_eq, g, &key, &slot);
	if (ei != HIDX_NONE) {
		if (g->edge_stamp[ei] == stamp)
			return; /* once per sample */
		g->edge_stamp[ei] = stamp;
		graph_edge *e = &g->edges[ei];
		e->weight = prof_sadd(e->weight, w);
		e->residual |= residual;
		e->inline_call &= inl;
		return;
	}
	ALLOC_GROW(g->edges, (size_t)g->nedges + 1, g->edges_alloc);
	ALLOC_GROW(g->edge_stamp, (size_t)g->nedges + 1, g->edge_stamp_alloc);
	ei = g->nedges++;
	g->edges[ei] = key;
	g->edge_stamp[ei] = stamp;
	hidx_set(&g->edge_ix, slot, h, ei);
	add_index(&g->nodes[src].out, &g->nodes[src].nout, &g->nodes[src].out_alloc, ei);
	add_index(&g->nodes[dst].in, &g->nodes[dst].nin, &g->nodes[dst].in_alloc, ei);
}

static void add_tag(graph_node *n, const graph_tag *key, int64_t w, bool flat)
{
	graph_tag *t = NULL;
	for (uint32_t i = 0; i < n->ntags; i++)
		if (n->tags[i].name == key->name && n->tags[i].numeric == key->numeric &&
		    n->tags[i].labels == key->labels) {
			t = &n->tags[i];
			break;
		}
	if (!t) {
		size_t a = n->tags_alloc;
		ALLOC_GROW(n->tags, (size_t)n->ntags + 1, a);
		n->tags_alloc = (uint32_t)a;
		t = &n->tags[n->ntags++];
		*t = *key;
		t->flat = t->cum = 0;
	}
	if (flat)
		t->flat = prof_sadd(t->flat, w);
	else
		t->cum = prof_sadd(t->cum, w);
}

/* Reorders (and filters) the nodes: order lists the node indexes to keep,
 * in their new order. Edges that lose an end are marked dead. */
static void permute(graph *g, const uint32_t *order, uint32_t n)
{
	uint32_t *newpos = xmalloc(st_mult(g->nnodes ? g->nnodes : 1, sizeof(uint32_t)));
	for (uint32_t i = 0; i < g->nnodes; i++)
		newpos[i] = PROF_NONE;
	for (uint32_t i = 0; i < n; i++)
		newpos[order[i]] = i;
	graph_node *nodes = xmalloc(st_mult(g->nnodes ? g->nnodes : 1, sizeof(*nodes)));
	for (uint32_t i = 0; i < n; i++)
		nodes[i] = g->nodes[order[i]];
	for (uint32_t i = 0; i < g->nnodes; i++)
		if (newpos[i] == PROF_NONE) {
			free(g->nodes[i].in);
			free(g->nodes[i].out);
			free(g->nodes[i].tags);
			g->node_of_key[g->nodes[i].key] = PROF_NONE;
		}
	if (n) /* g->nodes is NULL in an empty graph: memcpy(NULL, ...) is undefined */
		memcpy(g->nodes, nodes, n * sizeof(*nodes));
	free(nodes);
	for (uint32_t i = 0; i < n; i++)
		g->node_of_key[g->nodes[i].key] = i;
	for (uint32_t e = 0; e < g->nedges; e++) {
		graph_edge *ed = &g->edges[e];
		uint32_t s = newpos[ed->src], d = newpos[ed->dst];
		if (s == PROF_NONE || d == PROF_NONE) {
			ed->dead = true;
			ed->src = s == PROF_NONE ? 0 : s;
			ed->dst = d == PROF_NONE ? 0 : d;
		} else {
			ed->src = s;
			ed->dst = d;
		}
	}
	g->nnodes = n;
	free(newpos);
}

static void remove_nodes(graph *g)
{
	uint32_t *order = xmalloc(st_mult(g->nnodes ? g->nnodes : 1, sizeof(uint32_t)));
	uint32_t n = 0;
	for (uint32_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].cum != 0 || g->nodes[i].flat != 0)
			order[n++] = i;
	permute(g, order, n);
	free(order);
}

/* The tags of a group's samples (pprof's label and numeric tags): into
 * *tags, returns the count. */
static size_t group_tags(graph *g, const prof_group *gr, graph_tag **tags, size_t *alloc,
			 strbuf *sb)
{
	size_t n = 0;
	const char *tag = g->tag_of_labelset[gr->labelset] != PROF_NONE
				  ? names_get(g->strs, g->tag_of_labelset[gr->labelset])
				  : NULL;
	if (tag) {
		ALLOC_GROW(*tags, n + 1, *alloc);
		(*tags)[n++] = (graph_tag){ tag, NULL, false, 0, 0, 0 };
	}
	const prof_labelset *ls = &g->p->labelsets[gr->labelset];
	for (uint32_t i = 0; g->o.tags && i < ls->n; i++) {
		const prof_label *l = &ls->labels[i];
		if (l->str || strcmp(l->key, "bytes") != 0)
			continue;
		sb_reset(sb);
		if (g->o.format_tag)
			g->o.format_tag(sb, l->num, g->num_unit);
		else
			sb_addf(sb, "%" PRId64, l->num);
		ALLOC_GROW(*tags, n + 1, *alloc);
		(*tags)[n++] = (graph_tag){ str_of(g, sb->buf, sb->len), tag, true, l->num, 0, 0 };
	}
	return n;
}

/* The keys of a group's stack root first, pprof's order of a sample's
 * nodes (the stack's locations from the root, each location's lines from
 * its caller's side): for (keys_of(...); key_next(...);). */
typedef struct key_iter {
	const graph *g;
	const prof_stack *st;
	bool recursive;      /* a location comes twice in a row */
	uint32_t d;          /* locations left (the next is locs[d - 1]) */
	const uint32_t *keys; /* the current location's, leaf first */
	uint32_t ni, nk;      /* lines left of it, and its line count */
} key_iter;

static inline key_iter keys_of(const graph *g, size_t group)
{
	const prof_stack *st = &g->p->stacks[g->groups.g[group].stack];
	return (key_iter){ g, st, g->recursive[group], st->depth, NULL, 0, 0 };
}

/* The next key, and whether it is inlined into the one before (not its
 * location's outermost line); false at the end. */
static inline bool key_next(key_iter *it, uint32_t *key, bool *inl)
{
	if (!it->ni) {
		if (!it->d)
			return false;
		uint32_t loc = it->st->locs[--it->d];
		const prof_location *l = &it->g->p->locations[loc];
		/* a run of one location of one line (a recursion) is one key:
		 * every user counts a node once per sample and makes no edge
		 * from a node to itself */
		while (it->recursive && l->nlines <= 1 && it->d && it->st->locs[it->d - 1] == loc)
			it->d--;
		it->nk = it->ni = l->nlines ? l->nlines : 1;
		it->keys = it->g->loc_keys + it->g->loc_off[loc];
	}
	it->ni--;
	*key = it->keys[it->ni];
	*inl = it->ni != it->nk - 1;
	return true;
}

/* Builds the graph of the kept keys (all when keep is NULL), with its
 * edges unless no_edges. */
static void build(graph *g, const bool *keep, bool no_edges)
{
	graph_tag *tags = NULL; /* the tags of the current group */
	size_t ntags = 0, tags_alloc = 0;
	strbuf sb = STRBUF_INIT;
	free_nodes(g);
	for (size_t k = 0; k < g->nkeys; k++)
		g->node_of_key[k] = PROF_NONE;
	hidx_clear(&g->edge_ix);
	for (size_t gi = 0; gi < g->groups.n; gi++) {
		const prof_group *gr = &g->groups.g[gi];
		int64_t w = prof_group_values(&g->groups, gi)[g->v];
		uint32_t stamp = (uint32_t)gi;
		ntags = group_tags(g, gr, &tags, &tags_alloc, &sb);
		uint32_t parent = PROF_NONE;
		bool residual = false;
		uint32_t key;
		bool inl;
		for (key_iter it = keys_of(g, gi); key_next(&it, &key, &inl);) {
			uint32_t n = node_for(g, key, keep);
			if (n == PROF_NONE) {
				residual = true;
				continue;
			}
			if (g->node_stamp[n] != stamp) {
				g->node_stamp[n] = stamp;
				g->nodes[n].cum = prof_sadd(g->nodes[n].cum, w);
				for (size_t t = 0; t < ntags; t++)
					add_tag(&g->nodes[n], &tags[t], w, false);
			}
			if (parent != PROF_NONE && n != parent && !no_edges)
				add_edge(g, parent, n, w, residual, inl, stamp);
			parent = n;
			residual = false;
		}
		if (parent != PROF_NONE && !residual) {
			g->nodes[parent].flat = prof_sadd(g->nodes[parent].flat, w);
			for (size_t t = 0; t < ntags; t++)
				add_tag(&g->nodes[parent], &tags[t], w, true);
		}
	}
	free(tags);
	sb_release(&sb);
	/* selectNodesForGraph: nodes without any value go, with their edges */
	bool any = false;
	for (uint32_t i = 0; i < g->nnodes; i++)
		any |= g->nodes[i].cum == 0 && g->nodes[i].flat == 0;
	if (any)
		remove_nodes(g);
}

/* ---- sorting (pprof's Nodes.Sort, edgeList) ----------------------------------- */

typedef enum { ORDER_FLAT, ORDER_CUM, ORDER_ENTROPY } node_order;

typedef struct sort_ctx {
	const graph *g;
	const int64_t *score; /* per node, for cum and entropy order */
} sort_ctx;

/* pprof's last resort, fmt.Sprint(NodeInfo): two nodes never tie on it. */
static void sprint_info(const graph_info *in, strbuf *sb)
{
	sb_addf(sb, "{%s  %" PRIu64 " %s %" PRId64 " %" PRId64 " %s}", in->func, in->address,
		in->file, in->start_line, in->line, in->objfile);
}

static int compare_nodes(const graph *g, const graph_node *a, const graph_node *b)
{
	strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
	sprint_info(&g->infos[a->key], &sa);
	sprint_info(&g->infos[b->key], &sb);
	int c = str_esc_cmp(sa.buf, sb.buf);
	sb_release(&sa);
	sb_release(&sb);
	return c;
}

static int cmp_desc(int64_t a, int64_t b)
{
	a = abs64(a);
	b = abs64(b);
	return a > b ? -1 : a < b ? 1 : 0;
}

static int order_cmp(const void *a_, const void *b_, void *ctx_)
{
	const sort_ctx *ctx = ctx_;
	uint32_t ia = *(const uint32_t *)a_, ib = *(const uint32_t *)b_;
	const graph_node *a = &ctx->g->nodes[ia], *b = &ctx->g->nodes[ib];
	int c;
	if (ctx->score)
		c = cmp_desc(ctx->score[ia], ctx->score[ib]);
	else
		c = cmp_desc(a->flat, b->flat);
	if (c)
		return c;
	c = str_esc_cmp(ctx->g->infos[a->key].name, ctx->g->infos[b->key].name);
	if (c)
		return c;
	c = ctx->score ? cmp_desc(a->flat, b->flat) : cmp_desc(a->cum, b->cum);
	if (c)
		return c;
	return compare_nodes(ctx->g, a, b);
}

static double edge_entropy(const graph *g, const graph_node *n, bool out, int64_t self)
{
	const uint32_t *es = out ? n->out : n->in;
	uint32_t ne = out ? n->nout : n->nin;
	double score = 0;
	int64_t total = self;
	for (uint32_t i = 0; i < ne; i++)
		if (!g->edges[es[i]].dead && g->edges[es[i]].weight > 0)
			total += abs64(g->edges[es[i]].weight);
	if (total != 0) {
		for (uint32_t i = 0; i < ne; i++) {
			if (g->edges[es[i]].dead)
				continue;
			double frac = (double)abs64(g->edges[es[i]].weight) / (double)total;
			score += -frac * log2(frac);
		}
		if (self > 0) {
			double frac = (double)abs64(self) / (double)total;
			score += -frac * log2(frac);
		}
	}
	return score;
}

static uint32_t live_count(const graph *g, const uint32_t *es, uint32_t n)
{
	uint32_t c = 0;
	for (uint32_t i = 0; i < n; i++)
		c += !g->edges[es[i]].dead;
	return c;
}

/* pprof's entropyScore: favours nodes where paths branch or end. */
static int64_t entropy_score(const graph *g, const graph_node *n)
{
	double score = 0;
	if (live_count(g, n->in, n->nin) == 0)
		score++;
	else
		score += edge_entropy(g, n, false, 0);
	if (live_count(g, n->out, n->nout) == 0)
		score++;
	else
		score += edge_entropy(g, n, true, n->flat);
	return (int64_t)(score * (double)n->cum) + n->flat;
}

static void sort_nodes(graph *g, node_order o)
{
	uint32_t n = g->nnodes;
	uint32_t *order = xmalloc(st_mult(n ? n : 1, sizeof(uint32_t)));
	int64_t *score = NULL;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	if (o != ORDER_FLAT) {
		score = xmalloc(st_mult(n ? n : 1, sizeof(int64_t)));
		for (uint32_t i = 0; i < n; i++)
			score[i] = o == ORDER_CUM ? g->nodes[i].cum : entropy_score(g, &g->nodes[i]);
	}
	sort_ctx ctx = { g, score };
	if (n)
		qsort_r(order, n, sizeof(*order), order_cmp, &ctx);
	permute(g, order, n);
	free(score);
	free(order);
}

static int edge_cmp(const void *a_, const void *b_, void *ctx_)
{
	const graph *g = ctx_;
	const graph_edge *a = &g->edges[*(const uint32_t *)a_], *b = &g->edges[*(const uint32_t *)b_];
	int c = cmp_desc(a->weight, b->weight);
	if (c)
		return c;
	c = str_esc_cmp(g->infos[g->nodes[a->src].key].name, g->infos[g->nodes[b->src].key].name);
	if (c)
		return c;
	return str_esc_cmp(g->infos[g->nodes[a->dst].key].name,
			   g->infos[g->nodes[b->dst].key].name);
}

uint32_t graph_sorted_edges(const graph *g, const graph_node *n, bool out, uint32_t **buf,
			    size_t *alloc)
{
	const uint32_t *es = out ? n->out : n->in;
	uint32_t ne = out ? n->nout : n->nin, c = 0;
	ALLOC_GROW(*buf, (size_t)ne + 1, *alloc);
	for (uint32_t i = 0; i < ne; i++)
		if (!g->edges[es[i]].dead)
			(*buf)[c++] = es[i];
	if (c)
		qsort_r(*buf, c, sizeof(**buf), edge_cmp, (void *)g);
	return c;
}

const char *graph_inline_label(const graph *g, const graph_node *n)
{
	bool inl = false, noinl = false;
	for (uint32_t i = 0; i < n->nin; i++) {
		const graph_edge *e = &g->edges[n->in[i]];
		if (e->dead)
			continue;
		if (e->inline_call)
			inl = true;
		else
			noinl = true;
	}
	return !inl ? "" : noinl ? "(partial-inline)" : "(inline)";
}

/* ---- trimming (pprof's newTrimmedGraph) ----------------------------------------- */

static void trim_tags(graph *g, int64_t cutoff)
{
	for (uint32_t i = 0; i < g->nnodes; i++) {
		graph_node *n = &g->nodes[i];
		uint32_t k = 0;
		for (uint32_t j = 0; j < n->ntags; j++)
			if (abs64(n->tags[j].flat) >= cutoff || abs64(n->tags[j].cum) >= cutoff)
				n->tags[k++] = n->tags[j];
		n->ntags = k;
	}
}

static uint32_t trim_edges(graph *g, int64_t cutoff)
{
	uint32_t dropped = 0;
	for (uint32_t e = 0; e < g->nedges; e++)
		if (!g->edges[e].dead && abs64(g->edges[e].weight) < cutoff) {
			g->edges[e].dead = true;
			dropped++;
		}
	return dropped;
}

#define MAX_NODELETS 4 /* pprof's maxNodelets */

/* pprof's selectTopNodes: the first max nodes; in visual mode a node's tags
 * count as nodes too. Returns the count to keep. */
static uint32_t select_top(const graph *g, int max, bool visual)
{
	if (max > 0 && visual) {
		int count = 0;
		for (uint32_t i = 0; i < g->nnodes; i++) {
			int tags = 0;
			for (uint32_t j = 0; j < g->nodes[i].ntags; j++)
				tags += g->nodes[i].tags[j].flat != 0;
			if (tags > MAX_NODELETS)
				tags = MAX_NODELETS;
			if ((count += tags + 1) >= max) {
				max = (int)i + 1;
				break;
			}
		}
	}
	if (max < 0 || (uint32_t)max > g->nnodes)
		return g->nnodes;
	return (uint32_t)max;
}

/* pprof's isRedundantEdge: can e's source reach its destination without e? */
static bool redundant_edge(const graph *g, uint32_t ei, uint32_t *queue, bool *seen)
{
	const graph_edge *e = &g->edges[ei];
	memset(seen, 0, g->nnodes * sizeof(*seen));
	uint32_t head = 0, tail = 0;
	queue[tail++] = e->dst;
	seen[e->dst] = true;
	while (head < tail) {
		const graph_node *n = &g->nodes[queue[head++]];
		for (uint32_t i = 0; i < n->nin; i++) {
			const graph_edge *ie = &g->edges[n->in[i]];
			if (ie->dead || n->in[i] == ei || seen[ie->src])
				continue;
			if (ie->src == e->src)
				return true;
			seen[ie->src] = true;
			queue[tail++] = ie->src;
		}
	}
	return false;
}

static void remove_redundant_edges(graph *g)
{
	uint32_t *queue = xmalloc(st_mult(g->nnodes + 1, sizeof(uint32_t)));
	bool *seen = xmalloc(g->nnodes + 1);
	uint32_t *in = NULL;
	size_t in_alloc = 0;
	for (uint32_t i = g->nnodes; i > 0; i--) {
		uint32_t n = graph_sorted_edges(g, &g->nodes[i - 1], false, &in, &in_alloc);
		for (uint32_t j = n; j > 0; j--) {
			graph_edge *e = &g->edges[in[j - 1]];
			if (!e->residual)
				break;
			if (redundant_edge(g, in[j - 1], queue, seen))
				e->dead = true;
		}
	}
	free(in);
	free(seen);
	free(queue);
}

/* A keep set (per key) of the first n nodes, or of the nodes with
 * |cum| >= cutoff. */
static bool *keep_set(const graph *g, uint32_t first_n, int64_t cutoff, uint32_t *count)
{
	bool *keep = xcalloc(g->nkeys ? g->nkeys : 1, sizeof(bool));
	*count = 0;
	for (uint32_t i = 0; i < g->nnodes && i < first_n; i++)
		if (abs64(g->nodes[i].cum) >= cutoff) {
			keep[g->nodes[i].key] = true;
			(*count)++;
		}
	return keep;
}

/* A key's values in the first build. */
typedef struct kv {
	int64_t cum, flat;
	uint32_t stamp; /* the last group that counted it */
	bool seen;
} kv;

/* The first build's values: per key, and the keys in the order build()
 * would make their nodes. */
typedef struct key_values {
	kv *v;
	uint32_t *order;
	uint32_t n;
} key_values;

/* What pprof's first build of a trimmed graph is for: every node's flat
 * and cum (a node per key a group touches), their flat total into *total
 * (summed in node order), and the keep set of the nodes whose |cum| reaches
 * node_fraction of it (NULL when that is every node: the graph is built
 * whole). Kept per key in one small array instead of nodes and edges: the
 * pass touches one cache line per frame. The values go to *kvs when it is
 * not NULL (the caller frees them), for nodes_from_values. */
static bool *first_build(graph *g, double node_fraction, graph_trim_result *r, int64_t *total,
			 key_values *kvs)
{
	kv *v = xmalloc(st_mult(g->nkeys ? g->nkeys : 1, sizeof(kv)));
	for (size_t k = 0; k < g->nkeys; k++)
		v[k] = (kv){ 0, 0, UINT32_MAX, false };
	uint32_t *order = xmalloc(st_mult(g->nkeys ? g->nkeys : 1, sizeof(uint32_t)));
	uint32_t n = 0; /* keys in the order build() would make their nodes */
	for (size_t gi = 0; gi < g->groups.n; gi++) {
		int64_t w = prof_group_values(&g->groups, gi)[g->v];
		uint32_t leaf = PROF_NONE;
		uint32_t key;
		bool inl;
		for (key_iter it = keys_of(g, gi); key_next(&it, &key, &inl);) {
			kv *e = &v[key];
			if (!e->seen) {
				e->seen = true;
				order[n++] = key;
			}
			if (e->stamp != (uint32_t)gi) {
				e->stamp = (uint32_t)gi;
				e->cum = prof_sadd(e->cum, w);
			}
			leaf = key;
		}
		if (leaf != PROF_NONE)
			v[leaf].flat = prof_sadd(v[leaf].flat, w);
	}
	/* nodes without any value go (selectNodesForGraph) */
	int64_t t = 0;
	uint32_t nodes = 0;
	for (uint32_t i = 0; i < n; i++) {
		const kv *e = &v[order[i]];
		if (e->cum != 0 || e->flat != 0) {
			t = prof_sadd(t, e->flat);
			nodes++;
		}
	}
	int64_t cutoff = abs64((int64_t)((double)t * node_fraction));
	bool *keep = xcalloc(g->nkeys ? g->nkeys : 1, sizeof(bool));
	uint32_t kept = 0;
	for (uint32_t i = 0; i < n; i++) {
		const kv *e = &v[order[i]];
		if ((e->cum != 0 || e->flat != 0) && abs64(e->cum) >= cutoff) {
			keep[order[i]] = true;
			kept++;
		}
	}
	if (kvs) {
		*kvs = (key_values){ v, order, n };
	} else {
		free(order);
		free(v);
	}
	*total = t;
	r->dropped_nodes = nodes - kept;
	if (kept == nodes) {
		free(keep);
		return NULL;
	}
	return keep;
}

/* What build(g, keep, true) makes of a graph without tags, from the first
 * build's values: a node per kept key with a value, in the same order,
 * with the same cum and flat (a node's values do not depend on which
 * others are kept: its cum counts the samples through it, its flat those
 * that end in it), without a pass over the samples. */
static void nodes_from_values(graph *g, const key_values *kvs, const bool *keep)
{
	free_nodes(g);
	for (size_t k = 0; k < g->nkeys; k++)
		g->node_of_key[k] = PROF_NONE;
	for (uint32_t i = 0; i < kvs->n; i++) {
		uint32_t key = kvs->order[i];
		const kv *e = &kvs->v[key];
		if ((e->cum == 0 && e->flat == 0) || (keep && !keep[key]))
			continue;
		uint32_t n = node_for(g, key, NULL);
		g->nodes[n].cum = e->cum;
		g->nodes[n].flat = e->flat;
	}
}

void graph_build_all(graph *g)
{
	build(g, NULL, false);
}

void graph_build_trimmed(graph *g, const graph_trim_opts *o, graph_trim_result *r)
{
	memset(r, 0, sizeof(*r));
	node_order order = o->visual ? ORDER_ENTROPY : o->cum_sort ? ORDER_CUM : ORDER_FLAT;
	/* pprof builds the whole graph, then again without the nodes below
	 * the cutoff: the first build is needed for its nodes' values only */
	int64_t total = 0;
	bool no_edges = o->labels_only && !g->inlined;
	/* without edges and tags, the nodes are the first build's values */
	key_values kvs = { NULL, NULL, 0 }, *direct = no_edges && !g->o.tags ? &kvs : NULL;
	bool *keep = o->node_fraction > 0 ? first_build(g, o->node_fraction, r, &total, direct)
					  : NULL;
	if (kvs.v)
		nodes_from_values(g, &kvs, keep);
	else
		build(g, keep, no_edges);
	free(keep);
	if (!(o->node_fraction > 0)) {
		for (uint32_t i = 0; i < g->nnodes; i++)
			total = prof_sadd(total, g->nodes[i].flat);
	}
	int64_t node_cutoff = abs64((int64_t)((double)total * o->node_fraction));
	int64_t edge_cutoff = abs64((int64_t)((double)total * o->edge_fraction));
	r->orig_count = g->nnodes;
	sort_nodes(g, order);
	if (o->nodecount > 0) {
		trim_tags(g, node_cutoff);
		trim_edges(g, edge_cutoff);
		uint32_t n = select_top(g, o->nodecount, o->visual);
		if (n != g->nnodes) {
			uint32_t kept;
			bool *keep = keep_set(g, n, INT64_MIN, &kept);
			if (kvs.v)
				nodes_from_values(g, &kvs, keep);
			else
				build(g, keep, no_edges);
			free(keep);
			sort_nodes(g, order);
		}
	}
	trim_tags(g, node_cutoff);
	r->dropped_edges = trim_edges(g, edge_cutoff);
	if (o->visual)
		remove_redundant_edges(g);
	free(kvs.v);
	free(kvs.order);
}
