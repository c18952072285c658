/*
 * perfmap: /tmp/perf-PID.map files (contract in perfmap.h). Each process's
 * file is read once, its entries sorted by start; lookups are a binary
 * search. The files are local and written by the profiled program, so they
 * are read with a size cap and every line is checked like any input.
 */
#include "perfmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MAP_FILE ((size_t)256 << 20)

typedef struct pm_sym {
	uint64_t start, end;
	const char *name; /* interned in the profile */
	size_t seq;       /* line order: the later line wins */
} pm_sym;

typedef struct pm_file {
	int32_t pid;
	pm_sym *syms;
	size_t n;
} pm_file;

static int cmp_sym(const void *a, const void *b)
{
	const pm_sym *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool parse_hex(const char **s, const char *end, uint64_t *out)
{
	const char *p = *s;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	uint64_t v = 0;
	const char *b = p;
	for (; p < end; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0'
			: (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? (*p | 0x20) - 'a' + 10 : -1;
		if (d < 0)
			break;
		if (v >> 60)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (p == b)
		return false;
	*s = p;
	*out = v;
	return true;
}

static void load(profile *p, pm_file *f, const prof_read_opts *o)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)f->pid);
	unsigned char *d;
	size_t n;
	cprof_err e;
	FILE *probe = fopen(path, "r");
	if (!probe) {
		if (errno != ENOENT)
			prof_warnf(o, "%s: %s", path, strerror(errno));
		return;
	}
	fclose(probe);
	if (read_file_all(path, MAX_MAP_FILE, &d, &n, &e) < 0) {
		prof_warnf(o, "%s: %s", path, e.msg);
		return;
	}
	size_t alloc = 0, bad = 0;
	const char *s = (const char *)d, *end = s + n;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end, *q = s;
		uint64_t start, size;
		bool ok = parse_hex(&q, le, &start) && q < le && *q == ' ' && (q++, true) &&
			  parse_hex(&q, le, &size) && q < le && *q == ' ';
		if (ok) {
			q++;
			const char *ne = le;
			if (ne > q && ne[-1] == '\r')
				ne--;
			ALLOC_GROW(f->syms, f->n + 1, alloc);
			f->syms[f->n] = (pm_sym){ start, start + size < start ? UINT64_MAX : start + size,
						  prof_intern_n(p, q, (size_t)(ne - q)), f->n };
			f->n++;
		} else if (le > s) {
			bad++;
		}
		s = le + 1;
	}
	free(d);
	if (bad)
		prof_warnf(o, "%s: %zu lines are not 'START SIZE NAME' (skipped)", path, bad);
	if (f->n)
		qsort(f->syms, f->n, sizeof(*f->syms), cmp_sym);
	/* one entry per start: the last line written */
	size_t w = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (w && f->syms[w - 1].start == f->syms[i].start)
			w--;
		f->syms[w++] = f->syms[i];
	}
	f->n = w;
}

static const char *lookup(const pm_file *f, uint64_t a)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->syms[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a < f->syms[lo - 1].end ? f->syms[lo - 1].name : NULL;
}

/* Anonymous memory: where JIT code lives. */
static bool anon(const profile *p, uint32_t m)
{
	if (m >= p->nmappings)
		return true;
	const char *f = p->mappings[m].file;
	return !*f || !strncmp(f, "//anon", 6) || !strncmp(f, "[anon", 5) ||
	       !strncmp(f, "/memfd:", 7) || !strncmp(f, "[heap]", 6);
}

void perfmap_symbolize(profile *p, const int32_t *loc_pid, int32_t pid, const prof_read_opts *o)
{
	pm_file *files = NULL;
	size_t nfiles = 0, files_alloc = 0;
	for (uint32_t i = 0; i < p->nlocations; i++) {
		const prof_location *l = &p->locations[i];
		int32_t lp = loc_pid ? loc_pid[i] : pid;
		if (l->nlines || lp <= 0 || !anon(p, l->mapping))
			continue;
		size_t k = 0;
		while (k < nfiles && files[k].pid != lp)
			k++;
		if (k == nfiles) {
			ALLOC_GROW(files, nfiles + 1, files_alloc);
			files[nfiles] = (pm_file){ lp, NULL, 0 };
			load(p, &files[nfiles++], o);
		}
		const char *name = lookup(&files[k], l->address);
		if (!name)
			continue;
		prof_line line = { prof_intern_function(p, name, name, "", 0), 0, 0 };
		prof_set_location_lines(p, i, &line, 1);
	}
	for (size_t k = 0; k < nfiles; k++)
		free(files[k].syms);
	free(files);
}
