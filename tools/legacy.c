/*
 * legacy: gperftools CPU profiles and pprof's legacy text formats (contract
 * in legacy.h). Each rule below is the one of pprof's
 * profile/legacy_profile.go, so that both tools agree on every input; the
 * regular expressions pprof uses are matched by hand, with the same
 * leftmost-first preferences, because POSIX regex picks the longest match
 * and has no \s or (?:...).
 *
 * A profile is first collected as plain arrays (adjusted addresses, samples
 * of values, /proc/maps lines), because pprof decides a sample's frames
 * (the CPU heuristics) and the mappings (merging, the main binary first,
 * fake mappings) only once it has seen everything; then the model is built
 * in one go and symbolized.
 */
#include "legacy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize.h"

/* ---- what is collected before the model is built ---------------------- */

typedef struct lmap {
	uint64_t start, limit, offset;
	const char *file;     /* interned */
	const char *build_id; /* interned */
} lmap;

typedef struct lsample {
	size_t first;   /* into lp.addrs */
	uint32_t depth; /* leaf first */
	int64_t v[4];
	int64_t bytes; /* heap: the "bytes" numeric label (block size) */
	bool has_bytes;
} lsample;

typedef struct lp {
	profile *p;
	const prof_read_opts *o;
	uint32_t nv;
	uint64_t *addrs;
	size_t naddrs, addrs_alloc;
	lsample *s;
	size_t ns, s_alloc;
	lmap *maps;
	size_t nmaps, maps_alloc;
} lp;

static void lp_free(lp *l)
{
	free(l->addrs);
	free(l->s);
	free(l->maps);
}

static void push_addr(lp *l, uint64_t a)
{
	ALLOC_GROW(l->addrs, l->naddrs + 1, l->addrs_alloc);
	l->addrs[l->naddrs++] = a;
}

/* Appends a sample whose frames are lp.addrs[first..naddrs). */
static lsample *add_sample(lp *l, size_t first)
{
	ALLOC_GROW(l->s, l->ns + 1, l->s_alloc);
	lsample *s = &l->s[l->ns++];
	memset(s, 0, sizeof(*s));
	s->first = first;
	s->depth = (uint32_t)(l->naddrs - first);
	return s;
}

/* Removes frame k of sample s (the pool keeps the hole). */
static void drop_frame(lp *l, lsample *s, uint32_t k)
{
	uint64_t *a = l->addrs + s->first;
	memmove(a + k, a + k + 1, (size_t)(s->depth - k - 1) * sizeof(*a));
	s->depth--;
}

/* ---- text slices -------------------------------------------------------- */

typedef struct sl {
	const char *s;
	size_t n;
} sl;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_lxdigit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

static sl trim(sl x)
{
	while (x.n && is_space(x.s[0])) {
		x.s++;
		x.n--;
	}
	while (x.n && is_space(x.s[x.n - 1]))
		x.n--;
	return x;
}

static bool has_prefix(sl x, const char *p)
{
	size_t k = strlen(p);
	return x.n >= k && memcmp(x.s, p, k) == 0;
}

static const char *find(sl x, size_t from, const char *needle)
{
	size_t k = strlen(needle);
	if (from > x.n || x.n - from < k)
		return NULL;
	return memmem(x.s + from, x.n - from, needle, k);
}

static bool space_or_comment(sl x)
{
	x = trim(x);
	return !x.n || x.s[0] == '#';
}

static bool map_sentinel(sl x)
{
	return find(x, 0, "--- Memory map: ---") || find(x, 0, "MAPPED_LIBRARIES:");
}

/* Decimal (base 10) with an optional '-', overflow checked. */
static bool parse_dec(sl x, int64_t *out)
{
	size_t i = 0;
	bool neg = x.n && x.s[0] == '-';
	if (neg)
		i++;
	if (i == x.n)
		return false;
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < x.n; i++) {
		if (!is_digit(x.s[i]))
			return false;
		unsigned d = (unsigned)(x.s[i] - '0');
		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* Go's strconv.ParseInt(s, 0, 64) for a string of digits: a leading 0
 * means octal. */
static bool parse_int0(sl x, int64_t *out)
{
	if (x.n < 2 || x.s[0] != '0')
		return parse_dec(x, out);
	uint64_t v = 0;
	for (size_t i = 1; i < x.n; i++) {
		if (x.s[i] < '0' || x.s[i] > '7' || v > (uint64_t)INT64_MAX >> 3)
			return false;
		v = v << 3 | (uint64_t)(x.s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

static bool parse_hex(sl x, uint64_t *out)
{
	if (!x.n)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < x.n; i++) {
		char c = x.s[i];
		unsigned d = is_digit(c) ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
		if (!is_xdigit(c) || v >> 60)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* pprof's parseHexAddresses: every 0x[0-9a-f]+ in x, in order, onto the
 * pool (adjusted by -adj). False if one does not fit 64 bits. */
static bool hex_addresses(lp *l, sl x)
{
	size_t i = 0;
	while (i + 2 < x.n) {
		if (x.s[i] == '0' && x.s[i + 1] == 'x' && is_lxdigit(x.s[i + 2])) {
			size_t j = i + 2;
			while (j < x.n && is_lxdigit(x.s[j]))
				j++;
			uint64_t a;
			if (!parse_hex((sl){ x.s + i + 2, j - i - 2 }, &a))
				return false;
			push_addr(l, a);
			i = j;
		} else {
			i++;
		}
	}
	return true;
}

/* ---- a line scanner like Go's bufio.Scanner (ScanLines) ---------------- */

typedef struct scan {
	const char *d;
	size_t n, pos;
	size_t lineno;
	sl cur; /* the current line without its end; empty at EOF */
} scan;

static bool sc_next(scan *s)
{
	if (s->pos >= s->n) {
		s->cur = (sl){ s->d + s->n, 0 };
		return false;
	}
	const char *b = s->d + s->pos;
	const char *e = memchr(b, '\n', s->n - s->pos);
	size_t len = e ? (size_t)(e - b) : s->n - s->pos;
	s->pos += len + (e ? 1 : 0);
	if (len && b[len - 1] == '\r')
		len--;
	s->cur = (sl){ b, len };
	s->lineno++;
	return true;
}

/* ---- memory maps -------------------------------------------------------- */

static size_t skip_sp(sl x, size_t i)
{
	while (i < x.n && is_space(x.s[i]))
		i++;
	return i;
}

static size_t run_of(sl x, size_t i, bool (*cls)(char))
{
	while (i < x.n && cls(x.s[i]))
		i++;
	return i;
}

static bool is_perm(char c) { return c == '-' || c == 'r' || c == 'w' || c == 'x' || c == 'p'; }
static bool not_space(char c) { return !is_space(c); }

/* "\s+" then a non-empty run of cls at i: the run's end, or 0. */
static size_t sp_run(sl x, size_t i, bool (*cls)(char))
{
	size_t j = skip_sp(x, i);
	if (j == i)
		return 0;
	size_t k = run_of(x, j, cls);
	return k > j ? k : 0;
}

typedef struct mfields {
	sl start, end, perm, offset, file, build_id;
} mfields;

/* \s*(?:0x)?(hex+)[\s-]?\s*(?:0x)?(hex+):? -> the index after it, or 0 */
static size_t match_range(sl x, mfields *f)
{
	size_t i = skip_sp(x, 0);
	for (int k = 0; k < 2; k++) {
		if (k) {
			if (i < x.n && (is_space(x.s[i]) || x.s[i] == '-'))
				i++;
			i = skip_sp(x, i);
		}
		if (i + 2 < x.n && x.s[i] == '0' && x.s[i + 1] == 'x' && is_xdigit(x.s[i + 2]))
			i += 2;
		size_t j = run_of(x, i, is_xdigit);
		if (j == i)
			return 0;
		*(k ? &f->end : &f->start) = (sl){ x.s + i, j - i };
		i = j;
	}
	if (i < x.n && x.s[i] == ':')
		i++;
	return i;
}

/* The rest of procMapsRE after the range, with the optional perm and offset
 * groups taken or not (the regexp's preference order). */
static bool match_proc_tail(sl x, size_t i, bool perm, bool off, mfields *f)
{
	f->perm = f->offset = f->file = (sl){ NULL, 0 };
	if (perm) {
		size_t k = sp_run(x, i, is_perm);
		if (!k)
			return false;
		size_t j = skip_sp(x, i);
		f->perm = (sl){ x.s + j, k - j };
		i = k;
	}
	if (off) {
		size_t k = sp_run(x, i, is_xdigit);
		if (!k)
			return false;
		size_t j = skip_sp(x, i);
		f->offset = (sl){ x.s + j, k - j };
		i = k;
	}
	size_t k = sp_run(x, i, is_xdigit); /* device major:minor */
	if (!k || k >= x.n || x.s[k] != ':')
		return false;
	i = run_of(x, k + 1, is_xdigit);
	if (i == k + 1)
		return false;
	if (!(i = sp_run(x, i, is_digit))) /* inode */
		return false;
	if ((k = sp_run(x, i, not_space))) {
		size_t j = skip_sp(x, i);
		f->file = (sl){ x.s + j, k - j };
	}
	return true;
}

/* One line of a memory map (pprof's parseMappingEntry): 1 and *m for an
 * executable mapping, 0 for a mapping to skip, -1 for a line that is no
 * mapping at all. */
static int parse_map_line(profile *p, sl x, lmap *m)
{
	/* a glog prefix ("I0101 12:00:00.000 file.cc:12] ") goes first */
	for (size_t q = 0; q < x.n; q++) {
		if (x.s[q] != '[' && x.s[q] != ']')
			continue;
		size_t d = q;
		while (d > 0 && is_digit(x.s[d - 1]))
			d--;
		if (x.s[q] == ']' && d < q && d >= 2 && x.s[d - 1] == ':' && q + 1 < x.n &&
		    is_space(x.s[q + 1]))
			x = (sl){ x.s + q + 2, x.n - q - 2 };
		break;
	}
	mfields f = { 0 };
	size_t i = match_range(x, &f);
	if (!i)
		return -1;
	bool ok = false;
	for (int c = 0; c < 4 && !ok; c++)
		ok = match_proc_tail(x, i, c < 2, !(c & 1), &f);
	if (!ok) {
		/* briefMapsRE: range [perm] [file] [(@offset)] [build-id] */
		f.perm = f.offset = f.file = f.build_id = (sl){ NULL, 0 };
		size_t k;
		if ((k = sp_run(x, i, is_perm))) {
			size_t j = skip_sp(x, i);
			f.perm = (sl){ x.s + j, k - j };
			i = k;
		}
		if ((k = sp_run(x, i, not_space))) {
			size_t j = skip_sp(x, i);
			f.file = (sl){ x.s + j, k - j };
			i = k;
		}
		size_t j = skip_sp(x, i);
		if (j > i && j + 2 < x.n && x.s[j] == '(' && x.s[j + 1] == '@') {
			size_t e = run_of(x, j + 2, is_xdigit);
			if (e > j + 2 && e < x.n && x.s[e] == ')') {
				f.offset = (sl){ x.s + j + 2, e - j - 2 };
				i = e + 1;
			}
		}
		if ((k = sp_run(x, i, is_xdigit))) {
			j = skip_sp(x, i);
			f.build_id = (sl){ x.s + j, k - j };
		}
	}
	if (f.perm.n && !memchr(f.perm.s, 'x', f.perm.n))
		return 0;
	memset(m, 0, sizeof(*m));
	if (!parse_hex(f.start, &m->start) || !parse_hex(f.end, &m->limit))
		return -1;
	if (f.offset.n && !parse_hex(f.offset, &m->offset))
		return -1;
	m->file = prof_intern_n(p, f.file.s ? f.file.s : "", f.file.n);
	m->build_id = prof_intern_n(p, f.build_id.s ? f.build_id.s : "", f.build_id.n);
	return 1;
}

/* Go's strings.Replacer over the "$key" -> value pairs in attrs (at each
 * position the first pair that matches, in the order they were defined).
 * False when the line would pass MAX_ATTR_LINE: "a=$a$a" lines double a
 * value each time, and pprof would run out of memory on a few dozen; the
 * definitions are capped too (MAX_ATTRS, MAX_ATTR_LINE bytes in all). */
#define MAX_ATTR_LINE ((size_t)1 << 16)
#define MAX_ATTRS 64

static bool replace_attrs(sl x, const strbuf *attrs, size_t nattrs, strbuf *out)
{
	sb_reset(out);
	for (size_t i = 0; i < x.n;) {
		if (out->len > MAX_ATTR_LINE)
			return false;
		size_t k = 0;
		const char *a = attrs->buf;
		for (; k < nattrs; k++) {
			size_t kl = strlen(a), vl = strlen(a + kl + 1);
			if (kl && x.n - i >= kl && !memcmp(x.s + i, a, kl)) {
				sb_add(out, a + kl + 1, vl);
				i += kl;
				break;
			}
			a += kl + vl + 2;
		}
		if (k == nattrs)
			sb_addc(out, x.s[i++]);
	}
	return true;
}

/* Every line left in the scanner is a memory map line, or an assignment
 * "key = value" whose "$key" later lines use (pprof's ParseProcMaps), or
 * ignored. */
static void parse_maps(lp *l, scan *s)
{
	strbuf attrs = STRBUF_INIT, line = STRBUF_INIT; /* "$key\0value\0"... */
	size_t nattrs = 0;
	while (sc_next(s)) {
		sl x = s->cur;
		if (nattrs) {
			if (!replace_attrs(x, &attrs, nattrs, &line)) {
				prof_warnf(l->o, "memory map line %zu: the $key substitutions make it "
						 "longer than 64 KiB: ignored", s->lineno);
				continue;
			}
			x = (sl){ line.buf, line.len };
		}
		lmap m;
		int r = parse_map_line(l->p, x, &m);
		if (r > 0) {
			ALLOC_GROW(l->maps, l->nmaps + 1, l->maps_alloc);
			l->maps[l->nmaps++] = m;
		} else if (r < 0 && x.n && memchr(x.s, '=', x.n) && nattrs < MAX_ATTRS &&
			   attrs.len + x.n < MAX_ATTR_LINE) {
			const char *eq = memchr(x.s, '=', x.n);
			sl k = trim((sl){ x.s, (size_t)(eq - x.s) });
			sl v = trim((sl){ eq + 1, x.n - (size_t)(eq + 1 - x.s) });
			if (memchr(k.s, 0, k.n) || memchr(v.s, 0, v.n))
				continue;
			sb_addc(&attrs, '$');
			sb_add(&attrs, k.s, k.n);
			sb_addc(&attrs, 0);
			sb_add(&attrs, v.s, v.n);
			sb_addc(&attrs, 0);
			nattrs++;
		}
	}
	sb_release(&attrs);
	sb_release(&line);
}

/* pprof's parseAdditionalSections: skip to the memory map, read it. */
static void additional_sections(lp *l, scan *s)
{
	while (!map_sentinel(s->cur) && sc_next(s))
		;
	parse_maps(l, s);
}

/* ---- mappings and the model -------------------------------------------- */

static bool adjacent(const lmap *a, const lmap *b)
{
	if (*a->file && *b->file && a->file != b->file)
		return false;
	if (*a->build_id && *b->build_id && a->build_id != b->build_id)
		return false;
	if (a->limit != b->start)
		return false;
	if (a->offset && b->offset && a->offset + (a->limit - a->start) != b->offset)
		return false;
	return true;
}

/* pprof's libRx: "([.]so$|[.]so[._][0-9]+)" */
static bool lib_name(const char *f, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		if (memcmp(f + i, ".so", 3) != 0)
			continue;
		if (i + 3 == n)
			return true;
		if ((f[i + 3] == '.' || f[i + 3] == '_') && i + 4 < n && is_digit(f[i + 4]))
			return true;
	}
	return false;
}

/* pprof's massageMappings and the mapping part of remapMappingIDs. */
static void massage_mappings(lp *l)
{
	if (l->nmaps > 1) {
		size_t k = 1;
		for (size_t i = 1; i < l->nmaps; i++) {
			lmap *lm = &l->maps[k - 1], *m = &l->maps[i];
			if (adjacent(lm, m)) {
				lm->limit = m->limit;
				if (*m->file)
					lm->file = m->file;
				if (*m->build_id)
					lm->build_id = m->build_id;
				continue;
			}
			l->maps[k++] = *m;
		}
		l->nmaps = k;
	}
	/* the main binary first */
	for (size_t i = 0; i < l->nmaps; i++) {
		strbuf f = STRBUF_INIT;
		const char *s = l->maps[i].file, *d;
		while ((d = strstr(s, "(deleted)"))) {
			sb_add(&f, s, (size_t)(d - s));
			s = d + 9;
		}
		sb_adds(&f, s);
		sl t = trim((sl){ f.buf, f.len });
		bool main = t.n && !lib_name(t.s, t.n) && t.s[0] != '[';
		sb_release(&f);
		if (main) {
			lmap tmp = l->maps[0];
			l->maps[0] = l->maps[i];
			l->maps[i] = tmp;
			break;
		}
	}
	if (l->nmaps > 1 && !strncmp(l->maps[0].file, "/anon_hugepage", 14) &&
	    l->maps[0].limit == l->maps[1].start) {
		memmove(l->maps, l->maps + 1, (l->nmaps - 1) * sizeof(*l->maps));
		l->nmaps--;
	}
	if (l->nmaps && l->maps[0].start - l->maps[0].offset == 0x400000) {
		l->maps[0].start = 0x400000;
		l->maps[0].offset = 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static size_t bsearch_u64(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* pprof's remapMappingIDs gives each address (in order of first use) the
 * first mapping in list order that contains it; failing that, one whose
 * offset, taken back from its start, covers it (a mapping a legacy writer
 * split: its start moves back, its offset becomes 0); failing that, a fake
 * mapping over everything, appended once. Address 0 gets none.
 *
 * The first rule is a sweep over the sorted addresses with a heap of the
 * mappings that started, smallest list index on top (O((U + M) log M), not
 * pprof's O(U * M), which a hostile map of 10^5 lines would make hours).
 * The fallback runs in order of first use, as pprof's does, and is bounded:
 * past MAX_FALLBACK_WORK comparisons the remaining addresses go to the fake
 * mapping. */
#define MAX_FALLBACK_WORK 50000000u

typedef struct mheap {
	uint32_t *h;
	size_t n;
} mheap;

static void mh_push(mheap *m, uint32_t v)
{
	size_t i = m->n++;
	for (; i && m->h[(i - 1) / 2] > v; i = (i - 1) / 2)
		m->h[i] = m->h[(i - 1) / 2];
	m->h[i] = v;
}

static void mh_pop(mheap *m)
{
	uint32_t v = m->h[--m->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= m->n)
			break;
		if (c + 1 < m->n && m->h[c + 1] < m->h[c])
			c++;
		if (m->h[c] >= v)
			break;
		m->h[i] = m->h[c];
		i = c;
	}
	if (m->n)
		m->h[i] = v;
}

static int cmp_map_start(const void *a, const void *b, void *ctx)
{
	const lmap *maps = ctx;
	const lmap *x = &maps[*(const uint32_t *)a], *y = &maps[*(const uint32_t *)b];
	return x->start < y->start ? -1 : x->start > y->start;
}

/* u: the nu distinct addresses, sorted; order: their first-use order.
 * Fills map_of[nu]. */
static void assign_mappings(lp *l, const uint64_t *u, size_t nu, const uint32_t *order,
			    size_t norder, uint32_t *map_of)
{
	size_t nm = l->nmaps;
	uint32_t *byst = xmalloc(st_mult(nm + 1, sizeof(uint32_t)));
	for (size_t i = 0; i < nm; i++)
		byst[i] = (uint32_t)i;
	qsort_r(byst, nm, sizeof(*byst), cmp_map_start, l->maps);
	mheap h = { xmalloc(st_mult(nm + 1, sizeof(uint32_t))), 0 };
	size_t next = 0;
	for (size_t i = 0; i < nu; i++) {
		uint64_t a = u[i];
		while (next < nm && l->maps[byst[next]].start <= a)
			mh_push(&h, byst[next++]);
		/* a mapping on top that ended before a has ended for every
		 * later address too; one below the top waits its turn */
		while (h.n && l->maps[h.h[0]].limit <= a)
			mh_pop(&h);
		map_of[i] = a && h.n ? h.h[0] : PROF_NONE;
	}
	free(h.h);
	free(byst);
	uint32_t fake = PROF_NONE;
	uint64_t work = 0;
	for (size_t k = 0; k < norder; k++) {
		uint32_t j = order[k];
		uint64_t a = u[j];
		if (!a || map_of[j] != PROF_NONE)
			continue;
		for (size_t i = 0; i < l->nmaps && work < MAX_FALLBACK_WORK; i++, work++) {
			lmap *m = &l->maps[i];
			if (m->offset && m->start - m->offset <= a && a < m->start) {
				m->start -= m->offset;
				m->offset = 0;
				map_of[j] = (uint32_t)i;
				break;
			}
		}
		if (map_of[j] != PROF_NONE)
			continue;
		if (fake == PROF_NONE) {
			ALLOC_GROW(l->maps, l->nmaps + 1, l->maps_alloc);
			l->maps[l->nmaps] = (lmap){ 0, UINT64_MAX, 0, prof_intern(l->p, ""),
						    prof_intern(l->p, "") };
			fake = (uint32_t)l->nmaps++;
		}
		map_of[j] = fake;
	}
}

/* Builds the model from the collected samples and maps, then symbolizes. */
static void finish(lp *l)
{
	profile *p = l->p;
	massage_mappings(l);

	/* distinct addresses, numbered in order of first use (pprof's
	 * remapLocationIDs: the order mapping assignment sees them) */
	uint64_t *u = xmalloc(st_mult(l->naddrs + 1, sizeof(uint64_t)));
	size_t nu = 0;
	for (size_t i = 0; i < l->ns; i++)
		for (uint32_t k = 0; k < l->s[i].depth; k++)
			u[nu++] = l->addrs[l->s[i].first + k];
	qsort(u, nu, sizeof(*u), cmp_u64);
	size_t w = 0;
	for (size_t i = 0; i < nu; i++)
		if (!w || u[w - 1] != u[i])
			u[w++] = u[i];
	nu = w;
	uint32_t *loc = xmalloc(st_mult(nu + 1, sizeof(uint32_t)));
	uint32_t *map_of = xmalloc(st_mult(nu + 1, sizeof(uint32_t)));
	for (size_t i = 0; i < nu; i++)
		loc[i] = PROF_NONE;
	uint32_t *order = xmalloc(st_mult(nu + 1, sizeof(uint32_t)));
	size_t norder = 0;
	for (size_t i = 0; i < l->ns; i++)
		for (uint32_t k = 0; k < l->s[i].depth; k++) {
			size_t j = bsearch_u64(u, nu, l->addrs[l->s[i].first + k]);
			if (loc[j] == PROF_NONE) {
				loc[j] = 0;
				order[norder++] = (uint32_t)j;
			}
		}
	assign_mappings(l, u, nu, order, norder, map_of);

	for (size_t i = 0; i < l->nmaps; i++) {
		prof_mapping pm = { 0 };
		pm.start = l->maps[i].start;
		pm.limit = l->maps[i].limit;
		pm.offset = l->maps[i].offset;
		pm.file = l->maps[i].file;
		pm.build_id = l->maps[i].build_id;
		prof_add_mapping(p, &pm);
	}
	for (size_t i = 0; i < norder; i++) {
		uint32_t j = order[i];
		loc[j] = prof_add_location(p, map_of[j], u[j], NULL, 0);
	}
	prof_reserve_samples(p, l->ns);
	uint32_t *st = NULL;
	size_t st_alloc = 0;
	const char *bytes_key = prof_intern(p, "bytes");
	for (size_t i = 0; i < l->ns; i++) {
		const lsample *s = &l->s[i];
		ALLOC_GROW(st, (size_t)s->depth + 1, st_alloc);
		for (uint32_t k = 0; k < s->depth; k++)
			st[k] = loc[bsearch_u64(u, nu, l->addrs[s->first + k])];
		uint32_t ls = 0;
		if (s->has_bytes) {
			prof_label lab = { bytes_key, NULL, s->bytes, NULL };
			ls = prof_intern_labelset(p, &lab, 1);
		}
		prof_add_sample(p, prof_intern_stack(p, st, s->depth), ls, s->v, -1, -1, 0);
	}
	free(st);
	free(order);
	free(map_of);
	free(loc);
	free(u);
	if (!l->o->no_symbolize && p->nlocations)
		sym_symbolize(p, NULL, l->o, NULL);
}

static void set_types(lp *l, const prof_value_type *t, uint32_t n, const char *ptype,
		      const char *punit, int64_t period)
{
	profile *p = l->p;
	prof_set_sample_types(p, t, n);
	l->nv = n;
	p->default_type = n - 1; /* pprof's default: the last type */
	p->period_type.type = prof_intern(p, ptype);
	p->period_type.unit = prof_intern(p, punit);
	p->period = period;
}

/* pprof's addLegacyFrameInfo: which frames `go tool pprof` prunes. */
static const char cpu_drop[] =
	"ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|"
	"__pthread_sighandler|__restore";
static const char heap_drop[] =
	"calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|pvalloc|valloc|realloc|"
	"tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|tc_posix_memalign|"
	"tc_pvalloc|tc_valloc|tc_realloc|tc_new|tc_delete|tc_newarray|tc_deletearray|"
	"tc_new_nothrow|tc_newarray_nothrow|malloc_zone_malloc|malloc_zone_calloc|"
	"malloc_zone_valloc|malloc_zone_realloc|malloc_zone_memalign|malloc_zone_free|"
	"runtime\\..*|BaseArena::.*|(::)?do_malloc_no_errno|(::)?do_malloc_pages|(::)?do_malloc|"
	"DoSampledAllocation|MallocedMemBlock::MallocedMemBlock|_M_allocate|"
	"__builtin_(vec_)?delete|__builtin_(vec_)?new|__gnu_cxx::new_allocator::allocate|"
	"__libc_malloc|__malloc_alloc_template::allocate|allocate|cpp_alloc|operator new(\\[\\])?|"
	"simple_alloc::allocate";
static const char heap_keep[] = "runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*";
static const char lock_drop[] =
	"RecordLockProfileData|(base::)?RecordLockProfileData.*|(base::)?SubmitMutexProfileData.*|"
	"(base::)?SubmitSpinLockProfileData.*|(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|"
	"(base::Mutex::)?UnlockSlow.*|(base::Mutex::)?ReaderUnlock.*|(base::MutexLock::)?~MutexLock.*|"
	"(Mutex::)?AwaitCommon.*|(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|"
	"(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|(SpinLock::)?SlowUnlock.*|"
	"(SpinLockHolder::)?~SpinLockHolder.*";

static void set_frames(profile *p, const char *drop, const char *keep)
{
	p->drop_frames = prof_intern(p, drop);
	p->keep_frames = keep ? prof_intern(p, keep) : NULL;
}

/* ---- the binary CPU profile --------------------------------------------- */

typedef struct words {
	const unsigned char *d;
	size_t n, pos;
	int size;  /* 4 or 8 */
	bool big;  /* byte order */
} words;

static bool word(words *w, uint64_t *out)
{
	if (w->n - w->pos < (size_t)w->size)
		return false;
	const unsigned char *b = w->d + w->pos;
	uint64_t v = 0;
	for (int i = 0; i < w->size; i++)
		v |= (uint64_t)b[w->big ? w->size - 1 - i : i] << (8 * i);
	w->pos += (size_t)w->size;
	*out = v;
	return true;
}

/* The encoding whose header reads (0, 3, 0|1, period > 0, 0), pprof's
 * order: 32-bit little, 32-bit big, 64-bit little, 64-bit big. */
static bool cpu_header(const unsigned char *d, size_t n, words *w, uint64_t *kind,
		       uint64_t *period)
{
	static const struct { int size; bool big; } enc[] = { { 4, false }, { 4, true },
							      { 8, false }, { 8, true } };
	for (size_t e = 0; e < ARRAY_SIZE(enc); e++) {
		*w = (words){ d, n, 0, enc[e].size, enc[e].big };
		uint64_t h[5];
		bool ok = true;
		for (int i = 0; i < 5 && ok; i++)
			ok = word(w, &h[i]);
		if (ok && h[0] == 0 && h[1] == 3 && h[2] <= 1 && h[3] > 0 && h[4] == 0) {
			*kind = h[2];
			*period = h[3];
			return true;
		}
	}
	return false;
}

bool legacy_cpu_looks_like(const unsigned char *d, size_t n)
{
	words w;
	uint64_t kind, period;
	return cpu_header(d, n, &w, &kind, &period);
}

/* pprof's cpuProfile heuristic: when (nearly) every sample has the same
 * second frame, it is a frame the signal handler pushed: drop it; twice. */
static void cpu_strip_handler_frames(lp *l)
{
	size_t margin = l->ns / 32;
	uint64_t *a1 = xmalloc(st_mult(l->ns + 1, sizeof(uint64_t)));
	for (int iter = 0; iter < 2; iter++) {
		size_t n = 0;
		for (size_t i = 0; i < l->ns; i++)
			if (l->s[i].depth > 1)
				a1[n++] = l->addrs[l->s[i].first + 1];
		qsort(a1, n, sizeof(*a1), cmp_u64);
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && a1[j] == a1[i])
				j++;
			if (j - i >= l->ns - margin) {
				uint64_t a = a1[i];
				for (size_t k = 0; k < l->ns; k++)
					if (l->s[k].depth > 1 && l->addrs[l->s[k].first + 1] == a)
						drop_frame(l, &l->s[k], 1);
				break;
			}
			i = j;
		}
	}
	free(a1);
}

/* pprof's cleanupDuplicateLocations: a leaf recorded twice (once from the
 * signal context, once unwound and adjusted by -1). */
static void drop_duplicate_leaf(lp *l)
{
	for (size_t i = 0; i < l->ns; i++) {
		lsample *s = &l->s[i];
		if (s->depth > 1 && l->addrs[s->first] == l->addrs[s->first + 1] + 1)
			drop_frame(l, s, 1);
	}
}

/* ---- Java CPU profiles (gperftools header, format 1) -------------------- */

/* pprof's parseJavaLocations for one "0xADDR TEXT" line's TEXT: "function
 * (file:line)", "function (path)" (the path's last element is the file),
 * "... generated stub/JIT ..." (STUB), else TEXT is the function (the
 * agent's "GC", "VM"). Go's regexes, greedy (.*) first: the last " (" that
 * lets the rest match. */
static uint32_t java_location(profile *p, sl t, uint64_t addr)
{
	sl fn = t, file = { "", 0 };
	int64_t lineno = 0;
	if (t.n >= 4 && t.s[t.n - 1] == ')') {
		size_t colon = t.n - 1, d = t.n - 1;
		while (d > 0 && is_digit(t.s[d - 1]))
			d--;
		size_t ds = d > 0 && t.s[d - 1] == '-' ? d - 1 : d;
		bool fl = d < t.n - 1 && ds > 0 && t.s[ds - 1] == ':';
		if (fl)
			colon = ds - 1;
		/* the last "\s(" with something before the ':' (file:line) or
		 * anything before the ')' (path) */
		size_t end = fl ? colon : t.n - 1;
		size_t open = SIZE_MAX;
		for (size_t i = end; i-- > 1;)
			if (t.s[i] == '(' && is_space(t.s[i - 1]) && (!fl || i + 1 < colon)) {
				open = i;
				break;
			}
		if (open != SIZE_MAX) {
			fn = (sl){ t.s, open - 1 };
			if (fl) {
				file = (sl){ t.s + open + 1, colon - open - 1 };
				int64_t v = 0;
				for (size_t i = d; i < t.n - 1 && v < INT64_MAX / 10; i++)
					v = v * 10 + (t.s[i] - '0');
				lineno = ds == d && v > 0 ? v : 0;
			} else {
				sl path = { t.s + open + 1, t.n - 2 - open };
				while (path.n > 1 && path.s[path.n - 1] == '/')
					path.n--;
				const char *slash = path.n ? memrchr(path.s, '/', path.n - (path.n > 1)) : NULL;
				file = path.n == 0 ? (sl){ ".", 1 }
				       : slash  ? (sl){ slash + 1, (size_t)(path.s + path.n - slash - 1) }
						: path;
			}
		}
	}
	if (!file.n && fn.n == t.n) {
		static const char stub[] = "generated stub/JIT";
		if (memmem(t.s, t.n, stub, sizeof(stub) - 1))
			fn = (sl){ "STUB", 4 };
	}
	const char *name = prof_intern_n(p, fn.s, fn.n);
	const char *fname = prof_intern_n(p, file.s, file.n);
	prof_line l = { prof_intern_function(p, name, name, fname, 0), lineno, 0 };
	(void)addr; /* pprof drops a named location's address (Aggregate) */
	return prof_add_location(p, PROF_NONE, 0, &l, 1);
}

/* pprof's javaCPUProfile: the samples as gperftools writes them, no caller
 * adjustment and none of the C/C++ heuristics, then "0xADDR TEXT" lines
 * naming the addresses the samples use. An address no line names keeps
 * its address. */
static int java_cpu_read(profile *p, const unsigned char *d, size_t n, words *w, int64_t per,
			 cprof_err *err)
{
	static const prof_value_type types[] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, types, 2);
	p->default_type = 1;
	p->period_type.type = prof_intern(p, "cpu");
	p->period_type.unit = prof_intern(p, "nanoseconds");
	p->period = per;
	p->source_format = prof_intern(p, "gperftools");
	p->mode = prof_intern(p, "cpu");

	uint64_t *addrs = NULL, *u = NULL;
	size_t naddrs = 0, addrs_alloc = 0;
	typedef struct { size_t first; uint32_t depth; uint64_t count; } jsample;
	jsample *js = NULL;
	size_t ns = 0, js_alloc = 0;
	bool eod = false;
	while (w->pos < w->n) {
		uint64_t count, depth;
		if (!word(w, &count) || !word(w, &depth) || depth > (w->n - w->pos) / (size_t)w->size ||
		    depth > UINT32_MAX)
			break;
		size_t first = naddrs;
		for (uint64_t i = 0; i < depth; i++) {
			uint64_t a = 0;
			word(w, &a);
			ALLOC_GROW(addrs, naddrs + 1, addrs_alloc);
			addrs[naddrs++] = a;
		}
		if (count == 0 && depth == 1 && addrs[first] == 0) {
			naddrs = first;
			eod = true;
			break;
		}
		ALLOC_GROW(js, ns + 1, js_alloc);
		js[ns++] = (jsample){ first, (uint32_t)depth, count };
	}
	int rc = 0;
	if (!eod) {
		rc = cprof_fail(err, "Java CPU profile cut short: no end of its samples");
		goto out;
	}
	/* the names: the last line for an address wins, as in pprof */
	u = xmalloc(st_mult(naddrs + 1, sizeof(uint64_t)));
	memcpy(u, addrs, naddrs * sizeof(uint64_t));
	qsort(u, naddrs, sizeof(*u), cmp_u64);
	size_t nu = 0;
	for (size_t i = 0; i < naddrs; i++)
		if (!nu || u[nu - 1] != u[i])
			u[nu++] = u[i];
	uint32_t *loc = xmalloc(st_mult(nu + 1, sizeof(uint32_t)));
	for (size_t i = 0; i < nu; i++)
		loc[i] = PROF_NONE;
	scan s = { (const char *)d + w->pos, n - w->pos, 0, 0, { NULL, 0 } };
	while (sc_next(&s)) {
		sl x = trim(s.cur);
		if (x.n < 3 || x.s[0] != '0' || x.s[1] != 'x')
			continue;
		size_t i = 2, h = run_of(x, 2, is_xdigit);
		if (h == i || h >= x.n || !is_space(x.s[h]) || h - i > 16)
			continue;
		uint64_t a = 0;
		for (; i < h; i++)
			a = a << 4 | (uint64_t)(is_digit(x.s[i]) ? x.s[i] - '0' : (x.s[i] | 0x20) - 'a' + 10);
		size_t j = bsearch_u64(u, nu, a);
		if (j >= nu || u[j] != a)
			continue; /* unused */
		sl t = trim((sl){ x.s + h, x.n - h });
		loc[j] = java_location(p, t, a);
	}
	for (size_t i = 0; i < nu; i++)
		if (loc[i] == PROF_NONE)
			loc[i] = prof_add_location(p, PROF_NONE, u[i], NULL, 0);
	prof_reserve_samples(p, ns);
	uint32_t *st = NULL;
	size_t st_alloc = 0;
	for (size_t i = 0; i < ns; i++) {
		ALLOC_GROW(st, (size_t)js[i].depth + 1, st_alloc);
		for (uint32_t k = 0; k < js[i].depth; k++)
			st[k] = loc[bsearch_u64(u, nu, addrs[js[i].first + k])];
		/* as pprof's int64 arithmetic (and the C/C++ path) */
		int64_t v[2] = { (int64_t)js[i].count, (int64_t)(js[i].count * (uint64_t)per) };
		prof_add_sample(p, prof_intern_stack(p, st, js[i].depth), 0, v, -1, -1, 0);
	}
	free(st);
	free(loc);
out:
	free(u);
	free(js);
	free(addrs);
	return rc;
}

int legacy_cpu_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		    cprof_err *err)
{
	static const prof_read_opts defaults;
	words w;
	uint64_t kind, period;
	if (!cpu_header(d, n, &w, &kind, &period))
		return cprof_fail(err, "not a gperftools CPU profile (bad header)");
	if (period > (uint64_t)INT64_MAX / 1000)
		return cprof_fail(err, "sampling period %llu us is out of range",
				  (unsigned long long)period);
	if (kind == 1)
		return java_cpu_read(p, d, n, &w, (int64_t)period * 1000, err);
	lp l = { 0 };
	l.p = p;
	l.o = o ? o : &defaults;
	int64_t per = (int64_t)period * 1000;
	static const prof_value_type types[] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	set_types(&l, types, 2, "cpu", "nanoseconds", per);
	p->source_format = prof_intern(p, "gperftools");
	p->mode = prof_intern(p, "cpu");

	bool eod = false, cut = false;
	size_t rec = 0;
	while (w.pos < w.n) {
		size_t at = w.pos;
		uint64_t count, depth;
		if (!word(&w, &count) || !word(&w, &depth) ||
		    depth > (w.n - w.pos) / (size_t)w.size) {
			prof_warnf(l.o, "gperftools profile cut short in record %zu at byte %zu: "
					"%zu samples read, no memory map",
				   rec, at, l.ns);
			w.pos = w.n;
			cut = true;
			break;
		}
		rec++;
		size_t first = l.naddrs;
		for (uint64_t i = 0; i < depth; i++) {
			uint64_t a = 0;
			word(&w, &a);
			push_addr(&l, i ? a - 1 : a); /* callers land on the call */
		}
		if (count == 0 && depth == 1 && l.addrs[first] == 0) {
			l.naddrs = first;
			eod = true;
			break;
		}
		lsample *s = add_sample(&l, first);
		s->v[0] = (int64_t)count;
		s->v[1] = (int64_t)(count * (uint64_t)per);
	}
	if (!eod && !cut)
		prof_warnf(l.o, "gperftools profile without its end record (cut short?): %zu samples, "
				"no memory map",
			   l.ns);
	cpu_strip_handler_frames(&l);
	scan s = { (const char *)d + w.pos, n - w.pos, 0, 0, { NULL, 0 } };
	parse_maps(&l, &s);
	drop_duplicate_leaf(&l);
	set_frames(p, cpu_drop, NULL);
	finish(&l);
	lp_free(&l);
	return 0;
}

/* ---- heap, growth, fragmentation ----------------------------------------- */

typedef struct cursor {
	sl x;
	size_t i;
} cursor;

static void c_spaces(cursor *c)
{
	while (c->i < c->x.n && c->x.s[c->i] == ' ')
		c->i++;
}
static bool c_lit(cursor *c, const char *s)
{
	size_t k = strlen(s);
	if (c->x.n - c->i < k || memcmp(c->x.s + c->i, s, k) != 0)
		return false;
	c->i += k;
	return true;
}
/* -?\d+ (neg allowed) or \d+ */
static bool c_num(cursor *c, bool neg, sl *out)
{
	size_t b = c->i;
	if (neg && c->i < c->x.n && c->x.s[c->i] == '-')
		c->i++;
	size_t d = c->i;
	while (c->i < c->x.n && is_digit(c->x.s[c->i]))
		c->i++;
	if (c->i == d)
		return false;
	*out = (sl){ c->x.s + b, c->i - b };
	return true;
}

/* "heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\]" at i, numbers in v */
static bool heap_counts(cursor *c, sl v[4])
{
	if (!c_lit(c, "heap profile:"))
		return false;
	for (int k = 0; k < 2; k++) {
		c_spaces(c);
		if (!c_num(c, false, &v[2 * k]) || !c_lit(c, ":"))
			return false;
		c_spaces(c);
		if (!c_num(c, false, &v[2 * k + 1]))
			return false;
		c_spaces(c);
		if (!c_lit(c, k ? "]" : "["))
			return false;
	}
	return true;
}

enum { HDR_HEAP, HDR_GROWTH, HDR_FRAG };

/* One of the three header regexps, unanchored; for HDR_HEAP also the
 * sampler name and the period digits. */
static bool heap_header(sl line, int kind, sl v[4], sl *sampler, sl *per)
{
	for (size_t from = 0;;) {
		const char *h = find(line, from, "heap profile:");
		if (!h)
			return false;
		cursor c = { line, (size_t)(h - line.s) };
		from = c.i + 1;
		if (!heap_counts(&c, v))
			continue;
		if (kind == HDR_HEAP) {
			c_spaces(&c);
			if (!c_lit(&c, "@"))
				continue;
			c_spaces(&c);
			size_t b = c.i;
			if (!c_lit(&c, "heap"))
				continue;
			while (c.i < line.n && (line.s[c.i] == '_' || is_digit(line.s[c.i]) ||
						(line.s[c.i] >= 'a' && line.s[c.i] <= 'z')))
				c.i++;
			*sampler = (sl){ line.s + b, c.i - b };
			c_lit(&c, "/");
			b = c.i;
			while (c.i < line.n && is_digit(line.s[c.i]))
				c.i++;
			*per = (sl){ line.s + b, c.i - b };
			return true;
		}
		if (c_lit(&c, kind == HDR_GROWTH ? " @ growth" : " @ fragmentation"))
			return true;
	}
}

static bool sl_eq(sl a, const char *s)
{
	return a.n == strlen(s) && memcmp(a.s, s, a.n) == 0;
}

static bool sl_same(sl a, sl b)
{
	return a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
}

static int64_t f2i(double f)
{
	/* Go's float64 -> int64 truncates; out of range it is undefined in C */
	if (!(f > -9.2e18 && f < 9.2e18))
		return f > 0 ? INT64_MAX : INT64_MIN;
	return (int64_t)f;
}

/* pprof's scaleHeapSample: unsample a heap v2 sample. */
static void scale_heap(int64_t *count, int64_t *size, int64_t rate)
{
	if (*count == 0 || *size == 0) {
		*count = *size = 0;
		return;
	}
	if (rate <= 1)
		return;
	double avg = (double)*size / (double)*count;
	double scale = 1 / (1 - exp(-avg / (double)rate));
	*count = f2i((double)*count * scale);
	*size = f2i((double)*size * scale);
}

/* heapSampleRE, unanchored: the leftmost start where it matches. */
static bool heap_sample_re(sl line, sl v[4], sl *addrs)
{
	for (size_t i = 0; i < line.n;) {
		char ch = line.s[i];
		if (!is_digit(ch) && ch != '-') {
			i++;
			continue;
		}
		cursor c = { line, i };
		bool ok = c_num(&c, true, &v[0]) && c_lit(&c, ":");
		if (ok) {
			c_spaces(&c);
			ok = c_num(&c, true, &v[1]);
		}
		if (ok) {
			c_spaces(&c);
			ok = c_lit(&c, "[");
		}
		if (ok) {
			c_spaces(&c);
			ok = c_num(&c, false, &v[2]) && c_lit(&c, ":");
		}
		if (ok) {
			c_spaces(&c);
			ok = c_num(&c, false, &v[3]);
		}
		if (ok) {
			c_spaces(&c);
			ok = c_lit(&c, "] @");
		}
		if (ok) {
			size_t b = c.i;
			while (c.i < line.n && (line.s[c.i] == ' ' || line.s[c.i] == 'x' ||
						is_lxdigit(line.s[c.i])))
				c.i++;
			*addrs = (sl){ line.s + b, c.i - b };
			return true;
		}
		/* a later start inside the same number fails the same way */
		i++;
		while (i < line.n && is_digit(line.s[i]))
			i++;
	}
	return false;
}

static int line_fail(cprof_err *err, const scan *s, const char *what)
{
	return cprof_fail(err, "line %zu: %s", s->lineno, what);
}

static int read_heap(lp *l, scan *s, cprof_err *err)
{
	profile *p = l->p;
	sl v[4], sampler = { 0 }, per = { 0 };
	const char *sampling = "";
	int64_t period = 0;
	bool has_alloc = false;
	if (heap_header(s->cur, HDR_HEAP, v, &sampler, &per)) {
		if (per.n && !parse_dec(per, &period))
			return line_fail(err, s, "bad heap profile header (sampling period)");
		has_alloc = (!sl_same(v[2], v[0]) && !sl_eq(v[2], "0")) ||
			    (!sl_same(v[3], v[1]) && !sl_eq(v[3], "0"));
		if (sl_eq(sampler, "heapz_v2") || sl_eq(sampler, "heap_v2")) {
			sampling = "v2";
		} else if (sl_eq(sampler, "heapprofile")) {
			period = 1;
		} else if (sl_eq(sampler, "heap")) {
			sampling = "v2";
			period /= 2;
		} else {
			return line_fail(err, s, "heap profile of an unknown sampler (want heap, heap_v2, "
						 "heapz_v2 or heapprofile): not supported");
		}
	} else {
		period = 1; /* growthz, fragmentationz */
	}
	if (has_alloc) {
		static const prof_value_type t[] = { { "alloc_objects", "count" },
						     { "alloc_space", "bytes" },
						     { "inuse_objects", "count" },
						     { "inuse_space", "bytes" } };
		set_types(l, t, 4, "space", "bytes", period);
	} else {
		static const prof_value_type t[] = { { "objects", "count" }, { "space", "bytes" } };
		set_types(l, t, 2, "space", "bytes", period);
	}
	while (sc_next(s)) {
		sl line = trim(s->cur);
		if (space_or_comment(line))
			continue;
		if (map_sentinel(line))
			break;
		sl addrs;
		if (!heap_sample_re(line, v, &addrs))
			return line_fail(err, s, "not a heap sample (want 'N: BYTES [N: BYTES] @ 0x...')");
		size_t first = l->naddrs;
		int nvals = 0;
		int64_t vals[4], blocksize = 0;
		for (int k = has_alloc ? 1 : 0; k >= 0; k--) {
			int64_t count, size;
			if (!parse_dec(v[2 * k], &count) || !parse_dec(v[2 * k + 1], &size))
				return line_fail(err, s, "malformed sample (number out of range)");
			if (count == 0 && size != 0)
				return line_fail(err, s, k ? "allocation count was 0 but its bytes were not"
							   : "inuse count was 0 but its bytes were not");
			if (count != 0) {
				blocksize = size / count;
				if (*sampling)
					scale_heap(&count, &size, period);
			}
			vals[nvals++] = count;
			vals[nvals++] = size;
		}
		if (!hex_addresses(l, addrs))
			return line_fail(err, s, "an address does not fit 64 bits");
		for (size_t k = first; k < l->naddrs; k++)
			l->addrs[k]--;
		lsample *smp = add_sample(l, first);
		memcpy(smp->v, vals, (size_t)nvals * sizeof(int64_t));
		smp->bytes = blocksize;
		smp->has_bytes = true;
	}
	additional_sections(l, s);
	set_frames(p, heap_drop, heap_keep);
	return 0;
}

/* ---- Go count profiles (goroutine, threadcreate) ------------------------ */

/* "\A(\S+) profile: total \d+\z": the type name, or an empty slice */
static sl count_header(sl line)
{
	const char *h = find(line, 0, " profile: total ");
	if (!h || h == line.s)
		return (sl){ NULL, 0 };
	sl name = { line.s, (size_t)(h - line.s) };
	/* pprof's \S+; a ';' too is refused here: "a;b profile: total 4" is a
	 * folded stack (cprof-fold writes it for a frame named "b profile:
	 * total") and must read back as one */
	for (size_t i = 0; i < name.n; i++)
		if (is_space(name.s[i]) || name.s[i] == ';')
			return (sl){ NULL, 0 };
	size_t i = (size_t)(h - line.s) + 16;
	if (i == line.n)
		return (sl){ NULL, 0 };
	for (; i < line.n; i++)
		if (!is_digit(line.s[i]))
			return (sl){ NULL, 0 };
	return name;
}

/* The form of a count sample line, \A(\d+) @( 0x[0-9a-f]+)+\z, as
 * pprof's regular expression reads it: COUNT_OK, or the first part that
 * is wrong. *digits: the count's length; *end: where the addresses that
 * are well formed end (the line's end when all are). */
enum { COUNT_OK, COUNT_NO_AT, COUNT_NO_ADDRS, COUNT_BAD_ADDR };

static int count_line_form(sl line, size_t *digits, size_t *end)
{
	size_t i = run_of(line, 0, is_digit);
	*digits = i;
	*end = line.n;
	if (!i || line.n - i < 2 || memcmp(line.s + i, " @", 2) != 0)
		return COUNT_NO_AT;
	if (i + 2 == line.n)
		return COUNT_NO_ADDRS;
	for (size_t j = i + 2; j < line.n; j = run_of(line, j + 3, is_lxdigit))
		if (line.n - j < 4 || memcmp(line.s + j, " 0x", 3) != 0 || !is_lxdigit(line.s[j + 3])) {
			*end = j;
			return COUNT_BAD_ADDR;
		}
	return COUNT_OK;
}

static int read_count(lp *l, scan *s, cprof_err *err)
{
	sl name = count_header(s->cur);
	char *type = xstrndup(name.s, name.n);
	prof_value_type t = { type, "count" };
	set_types(l, &t, 1, type, "count", 1);
	free(type);
	while (sc_next(s)) {
		sl line = s->cur;
		if (space_or_comment(line))
			continue;
		if (has_prefix(line, "---"))
			break;
		size_t i, end;
		int form = count_line_form(line, &i, &end);
		if (form == COUNT_NO_AT)
			return line_fail(err, s, "malformed count sample (want 'N @ 0x... 0x...')");
		int64_t v;
		if (!parse_int0((sl){ line.s, i }, &v))
			return line_fail(err, s, "malformed count sample (count)");
		if (form == COUNT_NO_ADDRS)
			return line_fail(err, s, "malformed count sample (no addresses)");
		size_t first = l->naddrs;
		for (size_t j = i + 2; j < end;) { /* " 0x" and hex digits, as checked */
			size_t e = run_of(line, j + 3, is_lxdigit);
			uint64_t a;
			if (!parse_hex((sl){ line.s + j + 3, e - j - 3 }, &a))
				return line_fail(err, s, "malformed count sample (address out of range)");
			push_addr(l, a - 1);
			j = e;
		}
		if (form == COUNT_BAD_ADDR)
			return line_fail(err, s, "malformed count sample (addresses)");
		add_sample(l, first)->v[0] = v;
	}
	additional_sections(l, s);
	set_frames(l->p, cpu_drop, NULL);
	return 0;
}

/* ---- thread profiles ------------------------------------------------------ */

static bool threadz_start(sl line)
{
	for (size_t from = 0;;) {
		const char *h = find(line, from, "--- threadz ");
		if (!h)
			return false;
		size_t i = (size_t)(h - line.s) + 12, e = run_of(line, i, is_digit);
		if (e > i && line.n - e >= 4 && memcmp(line.s + e, " ---", 4) == 0)
			return true;
		from = i;
	}
}

/* --- Thread ([[:xdigit:]]+) \(name: (.*)/(\d+)\) stack: --- */
static bool thread_start(sl line)
{
	for (size_t from = 0;;) {
		const char *h = find(line, from, "--- Thread ");
		if (!h)
			return false;
		size_t i = (size_t)(h - line.s) + 11, e = run_of(line, i, is_xdigit);
		from = i;
		if (e == i || line.n - e < 8 || memcmp(line.s + e, " (name: ", 8) != 0)
			continue;
		for (size_t k = e + 8; k < line.n; k++) {
			if (line.s[k] != '/')
				continue;
			size_t d = run_of(line, k + 1, is_digit);
			if (d > k + 1 && line.n - d >= 12 && memcmp(line.s + d, ") stack: ---", 12) == 0)
				return true;
		}
	}
}

static int read_thread(lp *l, scan *s, cprof_err *err)
{
	static const prof_value_type t = { "thread", "count" };
	set_types(l, &t, 1, "thread", "count", 1);
	sl line = s->cur;
	if (threadz_start(line)) {
		while (sc_next(s)) {
			line = s->cur;
			if (map_sentinel(line) || has_prefix(line, "-"))
				break;
		}
	}
	while (!map_sentinel(line)) {
		if (has_prefix(line, "---- no stack trace for"))
			break;
		if (!thread_start(line))
			return line_fail(err, s, "want '--- Thread ID (name: NAME/TID) stack: ---' "
						 "(or the memory map)");
		/* parseThreadSample */
		size_t first = l->naddrs;
		bool same = false;
		line = (sl){ NULL, 0 };
		while (sc_next(s)) {
			line = trim(s->cur);
			if (!line.n)
				continue;
			if (has_prefix(line, "---"))
				break;
			if (find(line, 0, "same as previous thread")) {
				same = true;
				continue;
			}
			if (!hex_addresses(l, line))
				return line_fail(err, s, "an address does not fit 64 bits");
		}
		if (same || l->naddrs == first) {
			l->naddrs = first;
			if (l->ns)
				l->s[l->ns - 1].v[0]++;
			continue;
		}
		for (size_t k = first + 1; k < l->naddrs; k++)
			l->addrs[k]--;
		add_sample(l, first)->v[0] = 1;
	}
	additional_sections(l, s);
	drop_duplicate_leaf(l);
	set_frames(l->p, cpu_drop, NULL);
	return 0;
}

/* ---- contention profiles ------------------------------------------------ */

/* contentionSampleRE "(\d+) *(\d+) @([ x0-9a-f]*)", unanchored, with its
 * backtracking: "12 @" splits the digits into 1 and 2. */
static bool contention_re(sl line, sl *v1, sl *v2, sl *addrs)
{
	for (size_t i = 0; i < line.n;) {
		if (!is_digit(line.s[i])) {
			i++;
			continue;
		}
		size_t j = run_of(line, i, is_digit);
		size_t k = j;
		while (k < line.n && line.s[k] == ' ')
			k++;
		size_t e = run_of(line, k, is_digit), at = 0;
		if (k > j && e > k && line.n - e >= 2 && !memcmp(line.s + e, " @", 2)) {
			*v1 = (sl){ line.s + i, j - i };
			*v2 = (sl){ line.s + k, e - k };
			at = e + 2;
		} else if (j - i >= 2 && line.n - j >= 2 && !memcmp(line.s + j, " @", 2)) {
			*v1 = (sl){ line.s + i, j - 1 - i };
			*v2 = (sl){ line.s + j - 1, 1 };
			at = j + 2;
		}
		if (at) {
			size_t b = at;
			while (at < line.n && (line.s[at] == ' ' || line.s[at] == 'x' ||
					       is_lxdigit(line.s[at])))
				at++;
			*addrs = (sl){ line.s + b, at - b };
			return true;
		}
		i = j;
	}
	return false;
}

static int read_contention(lp *l, scan *s, cprof_err *err)
{
	profile *p = l->p;
	static const prof_value_type t[] = { { "contentions", "count" }, { "delay", "nanoseconds" } };
	int64_t period = 1, cpu_hz = 0;
	while (sc_next(s)) {
		sl line = trim(s->cur);
		if (space_or_comment(line))
			continue;
		if (has_prefix(line, "---"))
			break;
		const char *eq = memchr(line.s, '=', line.n);
		if (!eq)
			break;
		sl key = trim((sl){ line.s, (size_t)(eq - line.s) });
		sl val = trim((sl){ eq + 1, line.n - (size_t)(eq + 1 - line.s) });
		int64_t x = 0;
		if (sl_eq(key, "cycles/second")) {
			if (!parse_int0(val, &x))
				return line_fail(err, s, "bad cycles/second");
			cpu_hz = x;
		} else if (sl_eq(key, "sampling period")) {
			if (!parse_int0(val, &x))
				return line_fail(err, s, "bad sampling period");
			period = x;
		} else if (sl_eq(key, "ms since reset")) {
			if (!parse_int0(val, &x))
				return line_fail(err, s, "bad ms since reset");
			p->duration_nanos = (int64_t)((uint64_t)x * 1000000u);
		} else if (sl_eq(key, "discarded samples")) {
			/* nothing to keep */
		} else {
			return line_fail(err, s, "contention profile attribute pprof does not know "
						 "(a Java or newer Go profile?): not supported");
		}
	}
	set_types(l, t, 2, "contentions", "count", period);
	for (;;) {
		sl line = trim(s->cur);
		if (has_prefix(line, "---"))
			break;
		if (!space_or_comment(line)) {
			sl v1, v2, addrs;
			int64_t delay, count;
			if (!contention_re(line, &v1, &v2, &addrs))
				return line_fail(err, s, "not a contention sample (want 'DELAY COUNT @ 0x...')");
			if (!parse_dec(v1, &delay) || !parse_dec(v2, &count))
				return line_fail(err, s, "malformed sample (number out of range)");
			if (period > 0) {
				if (cpu_hz > 0)
					delay = f2i((double)delay * (double)period / ((double)cpu_hz / 1e9));
				count = (int64_t)((uint64_t)count * (uint64_t)period);
			}
			size_t first = l->naddrs;
			if (!hex_addresses(l, addrs))
				return line_fail(err, s, "an address does not fit 64 bits");
			for (size_t k = first; k < l->naddrs; k++)
				l->addrs[k]--;
			lsample *smp = add_sample(l, first);
			smp->v[0] = count;
			smp->v[1] = delay;
		}
		if (!sc_next(s))
			break;
	}
	additional_sections(l, s);
	set_frames(p, lock_drop, NULL);
	return 0;
}

/* ---- detection and dispatch --------------------------------------------- */

enum { TXT_NONE, TXT_HEAP, TXT_COUNT, TXT_THREAD, TXT_CONTENTION };

/* A count header ("goroutine profile: total 5") is itself a folded line:
 * it counts as one only when the next line is a count sample ("N @ ...")
 * or there is none. */
static bool count_samples_follow(const scan *s)
{
	scan t = *s;
	if (!sc_next(&t))
		return true;
	/* read_count's form, the whole line ("2@ x" and "2 @ 0xa  f;g 3",
	 * folded lines, are not one) */
	size_t digits, end;
	return count_line_form(t.cur, &digits, &end) == COUNT_OK;
}

/* Which text format d is, looking at its first lines as each pprof parser
 * does; s is left on the header line. */
static int text_kind(const unsigned char *d, size_t n, scan *s)
{
	*s = (scan){ (const char *)d, n, 0, 0, { NULL, 0 } };
	if (!sc_next(s))
		return TXT_NONE;
	sl v[4], a, b;
	/* cprof-fold's output must read back as folded stacks: a header line
	 * never holds a ';' nor ends in a blank and a count ("1", "1.5"), as a
	 * folded line does (a frame may be named "heap profile: 1: 2 [3: 4] @
	 * heap", or "--- mutex:x" and be followed by " 1.5") */
	bool folded_line = flamegraph_line_has_count(s->cur.s, s->cur.n);
	bool folded_like = folded_line || memchr(s->cur.s, ';', s->cur.n);
	if (!folded_like && (heap_header(s->cur, HDR_HEAP, v, &a, &b) ||
			     heap_header(s->cur, HDR_GROWTH, v, &a, &b) || heap_header(s->cur, HDR_FRAG, v, &a, &b)))
		return TXT_HEAP;
	if ((has_prefix(s->cur, "--- contentionz ") || has_prefix(s->cur, "--- mutex:") ||
	     has_prefix(s->cur, "--- contention:")) && !folded_line)
		return TXT_CONTENTION;
	/* the count and thread parsers skip leading comments */
	while (space_or_comment(s->cur))
		if (!sc_next(s))
			return TXT_NONE;
	if (count_header(s->cur).n && count_samples_follow(s))
		return TXT_COUNT;
	if (!flamegraph_line_has_count(s->cur.s, s->cur.n) && (threadz_start(s->cur) || thread_start(s->cur)))
		return TXT_THREAD;
	return TXT_NONE;
}

bool legacy_text_looks_like(const unsigned char *d, size_t n)
{
	scan s;
	/* only the first lines matter: no need to scan a huge file */
	return text_kind(d, n < 65536 ? n : 65536, &s) != TXT_NONE;
}

int legacy_text_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		     cprof_err *err)
{
	static const prof_read_opts defaults;
	scan s;
	int kind = text_kind(d, n, &s);
	lp l = { 0 };
	l.p = p;
	l.o = o ? o : &defaults;
	int r;
	switch (kind) {
	case TXT_HEAP: r = read_heap(&l, &s, err); break;
	case TXT_COUNT: r = read_count(&l, &s, err); break;
	case TXT_THREAD: r = read_thread(&l, &s, err); break;
	case TXT_CONTENTION: r = read_contention(&l, &s, err); break;
	default: r = cprof_fail(err, "not a legacy pprof text profile"); break;
	}
	if (!r) {
		p->source_format = prof_intern(p, "pprof-legacy");
		finish(&l);
	}
	lp_free(&l);
	return r;
}
