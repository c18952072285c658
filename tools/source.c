/*
 * source: pprof's -list (see source.h), step by step from pprof's
 * report/source.go: the graph by line with object names (untrimmed), its
 * nodes grouped by function name then by file, each file read once.
 */
#include "source.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARGIN 5          /* lines shown before the first and after the last sample */
#define MAX_LINE 65536    /* Go's bufio.Scanner stops at a longer line */
#define MAX_SOURCE (256u << 20) /* a source file larger than this is not read */

typedef struct src_file {
	const char *path; /* the node's file name (owned by the graph) */
	char **lines;     /* lines[0] unused */
	size_t nlines;
	char *error;      /* NULL when read */
} src_file;

typedef struct reader {
	const char *search, *trim;
	src_file *files;
	size_t n, alloc;
} reader;

/* Go's os.Open error text: "open PATH: no such file or directory". */
static char *open_error(const char *path, int errnum)
{
	strbuf sb = STRBUF_INIT;
	const char *msg = strerror(errnum);
	sb_addf(&sb, "open %s: ", path);
	size_t at = sb.len;
	sb_adds(&sb, msg);
	if (sb.buf[at] >= 'A' && sb.buf[at] <= 'Z')
		sb.buf[at] = (char)(sb.buf[at] + 32); /* Go's messages are lower case */
	return sb_detach(&sb, NULL);
}

/* pprof's openSourceFile: absolute paths as they are, relative ones in
 * each search directory and its parents. */
static FILE *open_source(const char *path, const char *search, const char *trim, char **error)
{
	path = graph_trim_path(path, trim, search);
	if (*path == '/') {
		FILE *f = fopen(path, "r");
		if (!f)
			*error = open_error(path, errno);
		return f;
	}
	const char *l = search;
	while (l) {
		const char *c = strchr(l, ':');
		size_t n = c ? (size_t)(c - l) : strlen(l);
		strbuf dir = STRBUF_INIT, raw = STRBUF_INIT;
		sb_add(&raw, l, n);
		graph_go_clean(&dir, raw.len ? raw.buf : "");
		l = c ? c + 1 : NULL;
		for (;;) {
			strbuf name = STRBUF_INIT, joined = STRBUF_INIT;
			sb_addf(&joined, "%s/%s", dir.buf, path);
			graph_go_clean(&name, joined.buf);
			FILE *f = fopen(name.buf, "r");
			sb_release(&name);
			sb_release(&joined);
			if (f) {
				sb_release(&dir);
				sb_release(&raw);
				return f;
			}
			/* Go's filepath.Dir */
			char *slash = strrchr(dir.buf, '/');
			strbuf parent = STRBUF_INIT;
			if (!slash)
				sb_adds(&parent, ".");
			else if (slash == dir.buf)
				sb_adds(&parent, "/");
			else {
				strbuf t = STRBUF_INIT;
				sb_add(&t, dir.buf, (size_t)(slash - dir.buf));
				graph_go_clean(&parent, t.buf);
				sb_release(&t);
			}
			bool same = !strcmp(parent.buf, dir.buf);
			sb_release(&dir);
			dir = parent;
			if (same)
				break;
		}
		sb_release(&dir);
		sb_release(&raw);
	}
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "could not find file %s on path %s", path, search);
	*error = sb_detach(&sb, NULL);
	return NULL;
}

static src_file *source_file(reader *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->files[i].path == path)
			return &r->files[i];
	ALLOC_GROW(r->files, r->n + 1, r->alloc);
	src_file *sf = &r->files[r->n++];
	memset(sf, 0, sizeof(*sf));
	sf->path = path;
	FILE *f = open_source(path, r->search, r->trim, &sf->error);
	if (!f)
		return sf;
	/* Go's bufio.Scanner lines: split at \n, a trailing \r goes; a line
	 * too long to scan ends the file, a read error too (pprof keeps the
	 * lines read, and says nothing) */
	size_t alloc = 0, total = 0;
	ALLOC_GROW(sf->lines, 1, alloc);
	sf->lines[0] = NULL;
	sf->nlines = 1;
	strbuf line = STRBUF_INIT;
	int c;
	bool more = true;
	while (more) {
		sb_reset(&line);
		while ((c = getc(f)) != EOF && c != '\n')
			sb_addc(&line, (char)c);
		if (c == EOF && line.len == 0)
			break;
		more = c != EOF;
		if (line.len >= MAX_LINE || (total += line.len) > MAX_SOURCE)
			break;
		if (line.len && line.buf[line.len - 1] == '\r')
			line.buf[--line.len] = '\0';
		ALLOC_GROW(sf->lines, sf->nlines + 1, alloc);
		sf->lines[sf->nlines++] = xstrndup(line.len ? line.buf : "", line.len);
	}
	sb_release(&line);
	fclose(f);
	return sf;
}

static void reader_free(reader *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 1; j < r->files[i].nlines; j++)
			free(r->files[i].lines[j]);
		free(r->files[i].lines);
		free(r->files[i].error);
	}
	free(r->files);
}

static void value_or_dot(strbuf *out, int64_t v, uint32_t dec, const char *unit)
{
	strbuf sb = STRBUF_INIT;
	if (v == 0)
		sb_adds(&sb, ".");
	else
		top_format(&sb, v, dec, unit, "minimum");
	sb_addf(out, "%10s ", sb.buf);
	sb_release(&sb);
}

typedef struct list_ctx {
	const graph *g;
	const graph_node *nodes;
} list_ctx;

/* Function name, then file name, then node order: each function's files
 * in name order, each file's nodes in the graph's order, as pprof groups
 * them (its functions and files have distinct names: no ties). */
static int by_func_file(const void *a, const void *b, void *ctx_)
{
	const list_ctx *c = ctx_;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const graph_info *ix = graph_node_info(c->g, &c->nodes[x]);
	const graph_info *iy = graph_node_info(c->g, &c->nodes[y]);
	int r = strcmp(ix->func, iy->func);
	if (!r)
		r = strcmp(ix->file, iy->file);
	return r ? r : (x > y) - (x < y);
}

/* pprof's getSourceFromFile for the nodes fns (of one function and file). */
static void list_file(reader *rd, const graph *g, const graph_node *nodes, const uint32_t *fns,
		      uint32_t n, uint32_t dec, const char *unit, strbuf *out)
{
	const graph_info *first = graph_node_info(g, &nodes[fns[0]]);
	src_file *sf = source_file(rd, first->file);
	if (sf->error) {
		sb_addf(out, " Error: %s\n", sf->error);
		return;
	}
	/* line numbers come from the profile: saturate, not overflow */
	int64_t start = first->start_line != 0 ? first->start_line : prof_sadd(first->line, -MARGIN);
	int64_t end = prof_sadd(first->line, MARGIN);
	for (uint32_t i = 0; i < n; i++) {
		const graph_info *in = graph_node_info(g, &nodes[fns[i]]);
		int64_t ns = in->start_line != 0 ? in->start_line : prof_sadd(in->line, -MARGIN);
		int64_t ne = prof_sadd(in->line, MARGIN);
		if (ns < start)
			start = ns;
		else if (ne > end)
			end = ne;
	}
	if (start < 1)
		start = 1;
	for (int64_t ln = start; ln <= end; ln++) {
		if (ln <= 0 || (uint64_t)ln >= sf->nlines)
			break;
		int64_t flat = 0, cum = 0;
		for (uint32_t i = 0; i < n; i++)
			if (graph_node_info(g, &nodes[fns[i]])->line == ln) {
				flat = prof_sadd(flat, nodes[fns[i]].flat);
				cum = prof_sadd(cum, nodes[fns[i]].cum);
			}
		value_or_dot(out, flat, dec, unit);
		value_or_dot(out, cum, dec, unit);
		sb_addf(out, "%6lld:%s\n", (long long)ln, sf->lines[ln]);
	}
}

int source_list(const profile *p, const top_opts *o, strbuf *out, cprof_err *err)
{
	uint32_t v = 0;
	if (top_value_index(p, o, &v, err) < 0)
		return -1;
	regex_t re;
	int rc = regcomp(&re, o->symbol ? o->symbol : "", REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char msg[128];
		regerror(rc, &re, msg, sizeof(msg));
		return cprof_fail(err, "bad --list regex '%s': %s", o->symbol, msg);
	}
	const char *unit = p->sample_types[v].unit ? p->sample_types[v].unit : "count";
	uint32_t dec = p->sample_types[v].decimals;
	graph_opts go = { .by = GRAPH_LINE, .value = v, .mask = o->mask, .obj_names = true,
			  .trim_path = o->trim_path, .source_path = o->source_path };
	graph *g = graph_new(p, &go);
	graph_build_all(g);
	uint32_t nn;
	const graph_node *nodes = graph_nodes(g, &nn);
	list_ctx ctx = { g, nodes };
	/* the matching nodes, grouped by function and file (sorting them:
	 * a scan per function was quadratic, 10 s for 40k functions) */
	uint32_t *match = xmalloc(st_mult(nn + 1, sizeof(uint32_t)));
	uint32_t nmatch = 0;
	for (uint32_t i = 0; i < nn; i++)
		if (regexec(&re, graph_node_info(g, &nodes[i])->func, 0, NULL, 0) == 0)
			match[nmatch++] = i;
	regfree(&re);
	if (nmatch == 0) {
		free(match);
		graph_free(g);
		return cprof_fail(err, "no matches found for regexp: %s", o->symbol);
	}
	qsort_r(match, nmatch, sizeof(*match), by_func_file, &ctx);

	char *cwd = NULL;
	if (!o->source_path || !*o->source_path)
		cwd = getcwd(NULL, 0);
	reader rd = { o->source_path && *o->source_path ? o->source_path : cwd ? cwd : ".",
		      o->trim_path, NULL, 0, 0 };
	sb_adds(out, "Total: ");
	top_format(out, graph_total(g), dec, unit, "minimum");
	sb_addc(out, '\n');
	for (uint32_t i = 0, j; i < nmatch; i = j) {
		const char *func = graph_node_info(g, &nodes[match[i]])->func;
		for (j = i; j < nmatch && !strcmp(graph_node_info(g, &nodes[match[j]])->func, func); j++)
			;
		bool any = false;
		for (uint32_t k = i, e; k < j; k = e) {
			const char *file = graph_node_info(g, &nodes[match[k]])->file;
			int64_t flat = 0, cum = 0;
			for (e = k; e < j && !strcmp(graph_node_info(g, &nodes[match[e]])->file, file); e++) {
				flat = prof_sadd(flat, nodes[match[e]].flat);
				cum = prof_sadd(cum, nodes[match[e]].cum);
			}
			if (!*file)
				continue;
			any = true;
			sb_adds(out, "ROUTINE ======================== ");
			sb_add_unesc(out, func);
			sb_adds(out, " in ");
			sb_add_unesc(out, file);
			sb_addc(out, '\n');
			strbuf a = STRBUF_INIT, b = STRBUF_INIT;
			top_format(&a, flat, dec, unit, "minimum");
			top_format(&b, cum, dec, unit, "minimum");
			sb_addf(out, "%10s %10s (flat, cum) ", a.buf, b.buf);
			top_percent(out, cum, graph_total(g));
			sb_adds(out, " of Total\n");
			sb_release(&a);
			sb_release(&b);
			list_file(&rd, g, nodes, match + k, e - k, dec, unit, out);
		}
		if (!any) {
			sb_adds(out, "No source information for ");
			sb_add_unesc(out, func);
			sb_addc(out, '\n');
		}
	}
	free(match);
	free(cwd);
	reader_free(&rd);
	graph_free(g);
	return 0;
}
