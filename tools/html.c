/*
 * html: profile -> the viewer's JSON -> one HTML file.
 *
 * The JSON is built with cJSON for its structure and strings (cJSON does
 * the string escaping), while the big numeric columns (frames, stack nodes,
 * one entry per sample) are formatted here into strbufs and attached as raw
 * JSON: a cJSON node per number would cost ~64 bytes for each of millions
 * of numbers. docs/cprof-html.md documents every field.
 *
 * Interning happens here, not in the browser: strings by content, frames by
 * (name, file, line), stack nodes by (parent node, frame). Nodes are then
 * renumbered (tree_order) so that the flame graph's nodes come in preorder,
 * children in name order; a node's parent always has a smaller number, so
 * the viewer can sum children into parents with one backward pass. A
 * sample points at its leaf (leaf_table: the nodes samples point to, the
 * most sampled first), which the viewer sums samples into. The page is all
 * ASCII (add_ascii).
 */
#include "html.h"
#include "gzip.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern const unsigned char web_report_html[], web_report_css[], web_report_js[];
extern const size_t web_report_html_len, web_report_css_len, web_report_js_len;

/* The string table: string 0 is "", NULL counts as "". */
static uint32_t strtab_get(strset *t, const char *s)
{
	return strset_adds(t, s ? s : "");
}

static uint32_t keytab_get(keyset *t, uint64_t a, uint64_t b, uint64_t c, int *added)
{
	uint64_t k[3] = { a, b, c };
	bool add;
	uint32_t id = keyset_add(t, k, &add);
	*added = add;
	return id;
}

/* ---- number columns ------------------------------------------------------------ */

static void add_i64(strbuf *sb, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	sb_grow(sb, (size_t)n + 2);
	if (v < 0)
		sb->buf[sb->len++] = '-';
	while (n)
		sb->buf[sb->len++] = tmp[--n];
	sb->buf[sb->len] = '\0';
}

static size_t i64_len(int64_t v)
{
	size_t n = v < 0 ? 2 : 1;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void add_array(strbuf *sb, const int64_t *v, size_t n, int64_t base)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(sb, ',');
		add_i64(sb, v[i] - base);
	}
	sb_addc(sb, ']');
}

/* Appends v[i] - base as little-endian int32, base64-encoded. */
static void add_base64(strbuf *sb, const unsigned char *b, size_t nb)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	sb_grow(sb, 4 * ((nb + 2) / 3) + 4);
	for (size_t i = 0; i < nb; i += 3) {
		size_t have = nb - i < 3 ? nb - i : 3;
		uint32_t w = (uint32_t)b[i] << 16 | (have > 1 ? (uint32_t)b[i + 1] << 8 : 0) | (have > 2 ? b[i + 2] : 0);
		char q[4] = { tab[w >> 18], tab[(w >> 12) & 63], have > 1 ? tab[(w >> 6) & 63] : '=', have > 2 ? tab[w & 63] : '=' };
		sb_add(sb, q, 4);
	}
}

static void add_base64_i32(strbuf *sb, const int64_t *v, size_t n, int64_t base)
{
	unsigned char *b = xmalloc(st_mult(n ? n : 1, 4));
	for (size_t i = 0; i < n; i++) {
		uint32_t x = (uint32_t)(int32_t)(v[i] - base);
		for (int k = 0; k < 4; k++)
			b[4 * i + (size_t)k] = (unsigned char)(x >> (8 * k));
	}
	add_base64(sb, b, 4 * n);
	free(b);
}

/* zlib level of the deflated columns: level 4 makes the time and weight
 * columns of the bench's 1M-sample report a fifth smaller than level 1
 * (fewer bytes for the browser to read and parse); level 6 saves another
 * 10 % of them for four times the time */
#define HTML_ZLEVEL 4

/* {"base":B[,"bytes":W],"z":"..."}: raw (the column's bytes below) deflated,
 * in base64. Returns -1 (nothing added) when zlib fails. */
static int add_deflated(strbuf *sb, const strbuf *raw, int64_t base, int bytes)
{
	strbuf z = STRBUF_INIT;
	cprof_err err;
	int rc = gz_deflate_raw((const unsigned char *)raw->buf, raw->len, HTML_ZLEVEL, &z, &err);
	if (rc == 0) {
		sb_adds(sb, "{\"base\":");
		add_i64(sb, base);
		if (bytes) {
			sb_adds(sb, ",\"bytes\":");
			add_i64(sb, bytes);
		}
		sb_adds(sb, ",\"z\":\"");
		add_base64(sb, (const unsigned char *)z.buf, z.len);
		sb_adds(sb, "\"}");
	}
	sb_release(&z);
	return rc;
}

/* {"base":B,"z":"..."}: V-B as zigzag LEB128 varints (protobuf's sint64),
 * deflated. Returns -1 (nothing added) when a V-B overflows or zlib fails. */
static int add_zcolumn(strbuf *sb, const int64_t *v, size_t n, int64_t base)
{
	strbuf raw = STRBUF_INIT;
	int rc = 0;
	sb_grow(&raw, n * 3);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int64_t d;
		if (__builtin_sub_overflow(v[i], base, &d)) {
			rc = -1;
			break;
		}
		uint64_t u = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
		while (u >= 0x80) {
			sb_addc(&raw, (char)(u | 0x80));
			u >>= 7;
		}
		sb_addc(&raw, (char)u);
	}
	if (rc == 0)
		rc = add_deflated(sb, &raw, base, 0);
	sb_release(&raw);
	return rc;
}

/* {"base":LO,"bytes":W,"z":"..."}: V-LO (0 .. hi-lo < 2^32) as W-byte
 * unsigned integers, byte plane by byte plane (every entry's lowest byte,
 * then every entry's next byte, ...), deflated. Ids spread over their whole
 * range (a sample's stack node) compress better so than as varints, whose
 * lengths vary, and the viewer reads them without a branch per byte. */
static int add_zplanar(strbuf *sb, const int64_t *v, size_t n, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	if (hi < lo || span > UINT32_MAX)
		return -1;
	int w = span > 0xffffff ? 4 : span > 0xffff ? 3 : span > 0xff ? 2 : 1;
	strbuf raw = STRBUF_INIT;
	sb_grow(&raw, st_mult(n, (size_t)w));
	for (int k = 0; k < w; k++)
		for (size_t i = 0; i < n; i++)
			raw.buf[raw.len++] = (char)(((uint64_t)v[i] - (uint64_t)lo) >> (8 * k));
	int rc = add_deflated(sb, &raw, lo, w);
	sb_release(&raw);
	return rc;
}

/* A column of n numbers, in the shortest of seven forms (the viewer reads
 * them all, docs/cprof-html.md):
 *   V                           every entry is V
 *   {"runs":[V,COUNT,...]}      few runs of equal values (threads, labels, flags)
 *   {"base":B,"d":[V-B,...]}    values near B (time deltas and weights near the period)
 *   {"base":B,"i32":"..."}      V-B as little-endian int32 in base64, when that is
 *                               not much longer than the text: the browser decodes
 *                               it ~10x faster than JSON numbers (e.g. stack ids)
 *   {"base":B,"z":"..."}        V-B as zigzag varints, deflated (add_zcolumn)
 *   {"base":B,"bytes":W,"z":".."} V-B in W byte planes, deflated (add_zplanar)
 *   [V,...]                     otherwise */
#define HTML_ZCOL_MIN 1024

static void add_column(cJSON *obj, const char *key, const int64_t *v, size_t n)
{
	strbuf sb = STRBUF_INIT;
	size_t runs = n ? 1 : 0;
	for (size_t i = 1; i < n; i++)
		runs += v[i] != v[i - 1];
	if (runs == 1) {
		add_i64(&sb, v[0]);
	} else if (runs * 4 <= n) {
		sb_adds(&sb, "{\"runs\":[");
		for (size_t i = 0, j; i < n; i = j) {
			for (j = i + 1; j < n && v[j] == v[i]; j++)
				;
			if (i)
				sb_addc(&sb, ',');
			add_i64(&sb, v[i]);
			sb_addc(&sb, ',');
			add_i64(&sb, (int64_t)(j - i));
		}
		sb_adds(&sb, "]}");
	} else {
		/* the base: the median of up to 4095 evenly spaced entries */
		size_t k = n < 4095 ? n : 4095;
		int64_t *pick = xmalloc(st_mult(k ? k : 1, sizeof(*pick)));
		for (size_t i = 0; i < k; i++)
			pick[i] = v[(size_t)((double)i * (double)n / (double)k)];
		qsort(pick, k, sizeof(*pick), cmp_i64);
		int64_t base = k ? pick[k / 2] : 0, zbase = base;
		free(pick);
		size_t plain = n, off = n; /* with the commas */
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		bool wraps = false; /* some v[i] - base overflows int64: no base then */
		for (size_t i = 0; i < n; i++) {
			int64_t d;
			wraps |= __builtin_sub_overflow(v[i], base, &d);
			plain += i64_len(v[i]);
			off += i64_len(d);
			if (v[i] < lo)
				lo = v[i];
			if (v[i] > hi)
				hi = v[i];
		}
		if (base == 0 || wraps || off + 32 >= plain - plain / 5)
			base = 0, off = plain;
		size_t b64 = 4 * ((4 * n + 2) / 3);
		int fits = lo - base >= INT32_MIN && hi - base <= INT32_MAX;
		if (fits && b64 < off + off / 2) {
			sb_adds(&sb, "{\"base\":");
			add_i64(&sb, base);
			sb_adds(&sb, ",\"i32\":\"");
			add_base64_i32(&sb, v, n, base);
			sb_adds(&sb, "\"}");
		} else if (base != 0) {
			sb_adds(&sb, "{\"base\":");
			add_i64(&sb, base);
			sb_adds(&sb, ",\"d\":");
			add_array(&sb, v, n, base);
			sb_addc(&sb, '}');
		} else {
			add_array(&sb, v, n, 0);
		}
		/* and the two deflated forms, when shorter */
		for (int form = 0; form < 2 && n >= HTML_ZCOL_MIN; form++) {
			strbuf zb = STRBUF_INIT;
			int zrc = form ? add_zplanar(&zb, v, n, lo, hi) : add_zcolumn(&zb, v, n, zbase);
			if (zrc == 0 && zb.len < sb.len) {
				strbuf t = sb;
				sb = zb;
				zb = t;
			}
			sb_release(&zb);
		}
	}
	cJSON_AddRawToObject(obj, key, sb.buf);
	sb_release(&sb);
}

static void add_raw_i64(cJSON *obj, const char *key, int64_t v)
{
	strbuf sb = STRBUF_INIT;
	add_i64(&sb, v);
	cJSON_AddRawToObject(obj, key, sb.buf);
	sb_release(&sb);
}

/* ---- UTF-8 -------------------------------------------------------------------- */

void html_utf8_clean(strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		int ok = n > 0;
		for (size_t i = 1; ok && i < n; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (ok && n == 2)
			ok = c >= 0xc2;
		if (ok && n == 3) {
			unsigned cp = ((c & 15u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u);
			ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
		}
		if (ok && n == 4) {
			unsigned cp = ((c & 7u) << 18) | ((p[1] & 63u) << 12) | ((p[2] & 63u) << 6) | (p[3] & 63u);
			ok = cp >= 0x10000 && cp <= 0x10ffff;
		}
		if (ok) {
			sb_add(out, p, n);
			p += n;
		} else {
			sb_adds(out, "\xef\xbf\xbd");
			p++;
		}
	}
	if (!out->buf)
		sb_adds(out, "");
}

cJSON *html_json_string(const char *s)
{
	strbuf sb = STRBUF_INIT;
	html_utf8_clean(&sb, s ? s : "");
	cJSON *j = cJSON_CreateString(sb.buf);
	sb_release(&sb);
	return j;
}

static void add_clean_string(cJSON *obj, const char *key, const char *s)
{
	if (s)
		cJSON_AddItemToObject(obj, key, html_json_string(s));
}

/* ---- the JSON ------------------------------------------------------------------ */

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

typedef struct thread_key {
	int32_t pid, tid;
	uint32_t at; /* index in the tid-sorted array */
} thread_key;

static int cmp_thread_key(const void *a, const void *b)
{
	const thread_key *x = a, *y = b;
	return prof_cmp_pid_tid(x->pid, x->tid, y->pid, y->tid);
}

/* ---- source lines for the source view ------------------------------------------ */

typedef struct src_line {
	const char *file; /* interned */
	int64_t line;
} src_line;

static int cmp_src_line(const void *a, const void *b)
{
	const src_line *x = a, *y = b;
	int c = x->file == y->file ? 0 : strcmp(x->file, y->file);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Reads lines [lo, hi] of path into arr as strings, after lo itself; stops at
 * *budget bytes. Only regular files of 1 byte to 64 MiB: a profile may name
 * /dev/zero, /proc/kmsg (size 0, blocks) or a huge log. Returns the number
 * of lines added (0: unreadable, or nothing in the range). */
/* Whether path looks like source code: a report is a file people share, and
 * a profile from elsewhere may name any file (~/.ssh/id_rsa, /etc/shadow),
 * so only names with a source file's extension are read, or extensionless
 * headers under an include directory (C++'s <vector>). */
static bool src_is_code(const char *path)
{
	static const char *const ext[] = {
		"c", "h", "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++", "C", "H", "ipp", "tcc", "inc",
		"inl", "cu", "cuh", "m", "mm", "s", "S", "asm", "go", "rs", "zig", "d", "f", "f90", "f95",
		"for", "java", "kt", "scala", "cs", "fs", "swift", "py", "pyx", "rb", "pl", "pm", "php", "lua",
		"js", "mjs", "cjs", "ts", "ml", "hs", "erl", "ex", "exs", "nim", "v", "vala", "ada", "adb", "ads",
	};
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot)
		return strstr(path, "/include/") != NULL && *base;
	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++)
		if (!strcmp(dot + 1, ext[i]))
			return true;
	return false;
}

static int64_t src_read(const char *path, int64_t lo, int64_t hi, cJSON *arr, size_t *budget)
{
	struct stat sa;
	if (!src_is_code(path) || stat(path, &sa) < 0 || !S_ISREG(sa.st_mode) || sa.st_size == 0 || sa.st_size > (64 << 20))
		return 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int64_t no = 0, added = 0;
	while (no < hi && (len = getline(&line, &cap, f)) >= 0) {
		if (++no < lo)
			continue;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if ((size_t)len + 8 > *budget)
			break;
		*budget -= (size_t)len + 8;
		cJSON_AddItemToArray(arr, html_json_string(line));
		added++;
	}
	free(line);
	fclose(f);
	return added;
}

/* "sources": { file: [first line number, text of that line, of the next, ...] } */
static void add_sources(const profile *p, cJSON *root)
{
	src_line *v = NULL;
	size_t n = 0, alloc = 0;
	for (uint32_t l = 0; l < p->nlocations; l++)
		for (uint32_t k = 0; k < p->locations[l].nlines; k++) {
			const prof_line *ln = &p->locations[l].lines[k];
			if (ln->function >= p->nfunctions || ln->line <= 0 || !p->functions[ln->function].filename[0])
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			v[n++] = (src_line){ p->functions[ln->function].filename, ln->line };
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_src_line);
	cJSON *sources = cJSON_CreateObject();
	size_t budget = HTML_SRC_MAX_BYTES, nfiles = 0;
	for (size_t i = 0; i < n && nfiles < HTML_SRC_MAX_FILES && budget > 0;) {
		size_t j = i;
		while (j < n && v[j].file == v[i].file)
			j++;
		/* lines are > 0; a hostile one near INT64_MAX must not overflow */
		int64_t lo = v[i].line - HTML_SRC_CONTEXT, hi = prof_sadd(v[j - 1].line, HTML_SRC_CONTEXT);
		if (lo < 1)
			lo = 1;
		if (hi - lo >= HTML_SRC_MAX_SPAN)
			hi = lo + HTML_SRC_MAX_SPAN - 1;
		cJSON *arr = cJSON_CreateArray();
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)lo));
		if (src_read(v[i].file, lo, hi, arr, &budget) > 0) {
			/* a file name that is not valid UTF-8 is written cleaned: the
			 * viewer finds it under the same cleaned name as its frames */
			strbuf key = STRBUF_INIT;
			html_utf8_clean(&key, v[i].file);
			cJSON_AddItemToObject(sources, key.buf, arr);
			sb_release(&key);
			nfiles++;
		} else {
			cJSON_Delete(arr);
		}
		i = j;
	}
	free(v);
	cJSON_AddItemToObject(root, "sources", sources);
}

/* The report's strings, frames and prefix tree, shared by every stack. */
typedef struct json_tree {
	strset strs;     /* every string the JSON refers to by index */
	keyset frames;   /* (name, file, line) -> frame */
	keyset nodes;    /* (parent + 1, frame) -> node */
	strbuf fr;       /* the frames' JSON: name, file, line triples */
	int64_t *ndparent, *ndframe; /* the prefix tree: per node, its parent offset and frame */
	size_t nnd, ndparent_alloc, ndframe_alloc;
	/* the flame graph's nodes: (flame parent, name) -> flame node, numbered
	 * from 1 (0 is the root, "all") in the order of their first stack node */
	keyset flames;
	uint32_t *frname;   /* per frame: its name string */
	size_t frname_alloc;
	uint32_t *ndflame;  /* per stack node: its flame node */
	size_t ndflame_alloc;
	uint32_t *flparent, *flname; /* per flame node: its parent flame node, its name */
	size_t flparent_alloc, flname_alloc;
	int64_t *mg;        /* the stack nodes of an existing flame node: (node offset, flame node) pairs */
	size_t nmg, mg_alloc;
	uint32_t mg_last;   /* the last of them */
	uint32_t *locframe; /* per location with one line: its frame + 1 */
	prof_frame *fbuf;
	size_t falloc;
	strbuf sb;
} json_tree;

/* The frame of f (added to the frames when new). */
static uint32_t tree_frame(json_tree *tr, const profile *p, const prof_frame *f)
{
	/* a location with one line (no inlining) always gives the same frame:
	 * remember it instead of naming it again */
	int single = f->location < p->nlocations && p->locations[f->location].nlines <= 1;
	if (single && tr->locframe[f->location])
		return tr->locframe[f->location] - 1;
	sb_reset(&tr->sb);
	if (f->location == PROF_NONE)
		sb_adds(&tr->sb, "[no stack]");
	else
		prof_frame_name(p, f, &tr->sb);
	uint32_t name = strtab_get(&tr->strs, tr->sb.buf);
	uint32_t file = 0;
	if (f->function != PROF_NONE && f->function < p->nfunctions)
		file = strtab_get(&tr->strs, p->functions[f->function].filename);
	int added;
	uint32_t fi = keytab_get(&tr->frames, name, file, (uint64_t)f->line, &added);
	if (added) {
		if (fi)
			sb_addc(&tr->fr, ',');
		sb_addf(&tr->fr, "%u,%u,%lld", name, file, (long long)(f->line > 0 ? f->line : 0));
		ALLOC_GROW(tr->frname, (size_t)fi + 1, tr->frname_alloc);
		tr->frname[fi] = name;
	}
	if (single)
		tr->locframe[f->location] = fi + 1;
	return fi;
}

/* New stack node ni (under flame node fparent, named name) joins its flame
 * node: a new one (the next number), or an existing one, listed in mg so
 * that the viewer needs no table of its own to merge the nodes. */
static void tree_flame(json_tree *tr, uint32_t ni, uint32_t fparent, uint32_t name)
{
	bool added;
	uint64_t k[2] = { fparent, name };
	uint32_t f = keyset_add(&tr->flames, k, &added) + 1;
	ALLOC_GROW(tr->ndflame, (size_t)ni + 1, tr->ndflame_alloc);
	tr->ndflame[ni] = f;
	if (added) {
		ALLOC_GROW(tr->flparent, (size_t)f + 1, tr->flparent_alloc);
		ALLOC_GROW(tr->flname, (size_t)f + 1, tr->flname_alloc);
		tr->flparent[f] = fparent;
		tr->flname[f] = name;
	} else {
		ALLOC_GROW(tr->mg, tr->nmg + 2, tr->mg_alloc);
		int64_t at = tr->nmg ? (int64_t)ni - tr->mg_last : ni; /* the first: the node itself */
		tr->mg[tr->nmg++] = at;
		tr->mg[tr->nmg++] = f;
		tr->mg_last = ni;
	}
}

/* The leaf node of stack s in the prefix tree (its path added when new). */
static uint32_t tree_leaf(json_tree *tr, const profile *p, uint32_t s)
{
	uint32_t depth = prof_stack_frames(p, s, &tr->fbuf, &tr->falloc);
	int64_t parent = -1;
	if (depth == 0) {
		depth = 1;
		ALLOC_GROW(tr->fbuf, 1, tr->falloc);
		tr->fbuf[0] = (prof_frame){ PROF_NONE, PROF_NONE, 0, false };
	}
	for (uint32_t d = depth; d-- > 0;) {
		uint32_t fi = tree_frame(tr, p, &tr->fbuf[d]);
		int added;
		uint32_t ni = keytab_get(&tr->nodes, (uint64_t)(parent + 1), fi, 0, &added);
		if (added) {
			/* the parent relative to the node (0: a root), mostly 1: short */
			ALLOC_GROW(tr->ndparent, tr->nnd + 1, tr->ndparent_alloc);
			ALLOC_GROW(tr->ndframe, tr->nnd + 1, tr->ndframe_alloc);
			tr->ndparent[tr->nnd] = parent < 0 ? 0 : (int64_t)ni - parent;
			tr->ndframe[tr->nnd++] = fi;
			tree_flame(tr, ni, parent < 0 ? 0 : tr->ndflame[parent], tr->frname[fi]);
		}
		parent = ni;
	}
	return (uint32_t)parent;
}

/* JavaScript's order of two strings (UTF-16 code units), for valid UTF-8:
 * the bytes' order, but for a character above U+FFFF (a surrogate pair in
 * UTF-16, D800..DFFF) against one in U+E000..U+FFFF. */
static int cmp_utf16(const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
	size_t k = i; /* where the character holding byte i starts */
	while (k > 0 && ((unsigned char)a[k] & 0xc0) == 0x80)
		k--;
	if (k == i && x && y) { /* different lead bytes */
		if (x >= 0xf0 && (y == 0xee || y == 0xef))
			return -1;
		if (y >= 0xf0 && (x == 0xee || x == 0xef))
			return 1;
	}
	return (x > y) - (x < y);
}

typedef struct clean_str {
	char *s; /* as the viewer gets it (html_utf8_clean) */
	uint32_t id;
} clean_str;

static int cmp_clean_str(const void *a, const void *b)
{
	const clean_str *x = a, *y = b;
	int c = cmp_utf16(x->s, y->s);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* rank[string id]: the strings' order as the viewer sorts them (by text,
 * equal texts by id) */
static uint32_t *string_ranks(const strset *strs)
{
	uint32_t n = strs->n;
	clean_str *e = xmalloc(st_mult(n ? n : 1, sizeof(*e)));
	strbuf sb = STRBUF_INIT;
	for (uint32_t i = 0; i < n; i++) {
		sb_reset(&sb);
		html_utf8_clean(&sb, strset_get(strs, i));
		e[i] = (clean_str){ xstrdup(sb.buf), i };
	}
	sb_release(&sb);
	qsort(e, n, sizeof(*e), cmp_clean_str);
	uint32_t *rank = xmalloc(st_mult(n ? n : 1, sizeof(*rank)));
	for (uint32_t r = 0; r < n; r++) {
		rank[e[r].id] = r;
		free(e[r].s);
	}
	free(e);
	return rank;
}

/* 0..n-1 stably sorted by key[i] < nkey (a counting sort) */
static uint32_t *counting_order(const uint32_t *key, uint32_t n, uint32_t nkey)
{
	uint32_t *pos = xcalloc((size_t)nkey + 1, sizeof(*pos));
	for (uint32_t i = 0; i < n; i++)
		pos[key[i] + 1]++;
	for (uint32_t k = 0; k < nkey; k++)
		pos[k + 1] += pos[k];
	uint32_t *order = xmalloc(st_mult(n ? n : 1, sizeof(*order)));
	for (uint32_t i = 0; i < n; i++)
		order[pos[key[i]]++] = i;
	free(pos);
	return order;
}

/* pre[f]: flame node f's number in preorder (the root 0), children in the
 * order of rank[their name] */
static uint32_t *flame_preorder(const json_tree *tr, uint32_t nfl, const uint32_t *rank)
{
	uint32_t *key = xmalloc(st_mult(nfl, sizeof(*key)));
	key[0] = 0;
	for (uint32_t f = 1; f < nfl; f++)
		key[f] = rank[tr->flname[f]];
	uint32_t *byname = counting_order(key, nfl, tr->strs.n);
	/* children lists (CSR), each in name order */
	uint32_t *start = xcalloc((size_t)nfl + 1, sizeof(*start));
	for (uint32_t f = 1; f < nfl; f++)
		start[tr->flparent[f] + 1]++;
	for (uint32_t f = 0; f < nfl; f++)
		start[f + 1] += start[f];
	uint32_t *fill = xmalloc(st_mult(nfl, sizeof(*fill))), *kids = xmalloc(st_mult(nfl, sizeof(*kids)));
	memcpy(fill, start, st_mult(nfl, sizeof(*fill)));
	for (uint32_t j = 0; j < nfl; j++)
		if (byname[j] != 0)
			kids[fill[tr->flparent[byname[j]]]++] = byname[j];
	/* preorder: a stack of nodes to visit, children pushed last first */
	uint32_t *pre = xmalloc(st_mult(nfl, sizeof(*pre))), *stack = fill, sp = 0, next = 0;
	stack[sp++] = 0;
	while (sp) {
		uint32_t f = stack[--sp];
		pre[f] = next++;
		for (uint32_t j = start[f + 1]; j-- > start[f];)
			stack[sp++] = kids[j];
	}
	free(key);
	free(byname);
	free(start);
	free(fill);
	free(kids);
	return pre;
}

/* Renumbers the stack nodes (and the samples' leaves, col[0..n)) so that
 * the viewer's flame nodes, numbered in the order of their first stack
 * node, come in preorder with each node's children in name order, the
 * order the viewer draws them in: it lists children in id order without
 * sorting them, and ties in the Stacks table fall in name order. A node's
 * parent keeps a smaller number (its flame node comes first in preorder). */
static void tree_order(json_tree *tr, int64_t *col, size_t n)
{
	uint32_t nnd = (uint32_t)tr->nnd, nfl = tr->flames.n + 1;
	if (nnd == 0)
		return;
	uint32_t *rank = string_ranks(&tr->strs);
	uint32_t *pre = flame_preorder(tr, nfl, rank);
	uint32_t *key = xmalloc(st_mult(nnd, sizeof(*key)));
	for (uint32_t i = 0; i < nnd; i++)
		key[i] = pre[tr->ndflame[i]];
	uint32_t *order = counting_order(key, nnd, nfl); /* new number -> old */
	uint32_t *renum = key;                           /* old number -> new */
	for (uint32_t i = 0; i < nnd; i++)
		renum[order[i]] = i;
	int64_t *par = xmalloc(st_mult(nnd, sizeof(*par))), *frm = xmalloc(st_mult(nnd, sizeof(*frm)));
	uint8_t *started = xcalloc(nfl, 1);
	tr->nmg = 0;
	uint32_t last = 0;
	for (uint32_t i = 0; i < nnd; i++) {
		uint32_t o = order[i];
		int64_t d = tr->ndparent[o];
		par[i] = d ? (int64_t)i - renum[(int64_t)o - d] : 0;
		frm[i] = tr->ndframe[o];
		uint32_t f = pre[tr->ndflame[o]];
		if (started[f]) { /* one more stack node of flame node f */
			int64_t at = tr->nmg ? (int64_t)(i - last) : i; /* the first: the node itself */
			ALLOC_GROW(tr->mg, tr->nmg + 2, tr->mg_alloc);
			tr->mg[tr->nmg++] = at;
			tr->mg[tr->nmg++] = f;
			last = i;
		}
		started[f] = 1;
	}
	for (size_t i = 0; i < n; i++)
		col[i] = renum[col[i]];
	free(tr->ndparent);
	free(tr->ndframe);
	tr->ndparent = par;
	tr->ndframe = frm;
	tr->ndparent_alloc = tr->ndframe_alloc = nnd;
	free(rank);
	free(pre);
	free(order);
	free(renum);
	free(started);
}

typedef struct leaf_count {
	uint64_t count;
	uint32_t node;
} leaf_count;

static int cmp_leaf_count(const void *a, const void *b)
{
	const leaf_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return (x->node > y->node) - (x->node < y->node);
}

/* The leaves: the stack nodes that samples point to, the most sampled
 * first (ties by node). Each sample's node, col[0..n), becomes its leaf's
 * index; returns the leaves' nodes (*nleaves of them). The viewer sums the
 * samples per leaf, a table a fraction of the nodes' size with its hot part
 * first, which stays in the cache, and the hot leaves' small numbers
 * deflate better than the nodes' ids. NULL (col as it is) when samples
 * come back to their leaves less than twice on average (an aggregated
 * profile, pprof's: a sample per stack), where the table would only cost. */
static int64_t *leaf_table(int64_t *col, size_t n, size_t nnd, size_t *nleaves)
{
	leaf_count *lc = xcalloc(nnd ? nnd : 1, sizeof(*lc));
	for (size_t i = 0; i < n; i++)
		lc[col[i]].count++;
	size_t nl = 0;
	for (size_t v = 0; v < nnd; v++)
		if (lc[v].count)
			lc[nl++] = (leaf_count){ lc[v].count, (uint32_t)v };
	*nleaves = nl;
	if (nl * 2 > n) {
		free(lc);
		return NULL;
	}
	qsort(lc, nl, sizeof(*lc), cmp_leaf_count);
	int64_t *leaves = xmalloc(st_mult(nl ? nl : 1, sizeof(*leaves)));
	uint32_t *index = xmalloc(st_mult(nnd ? nnd : 1, sizeof(*index)));
	for (size_t k = 0; k < nl; k++) {
		leaves[k] = lc[k].node;
		index[lc[k].node] = (uint32_t)k;
	}
	for (size_t i = 0; i < n; i++)
		col[i] = index[col[i]];
	free(lc);
	free(index);
	return leaves;
}

/* The report's header: title, meta, value types. */
static void add_meta(cJSON *root, const profile *p, const html_opts *o)
{
	cJSON_AddNumberToObject(root, "cprof", 1);
	add_clean_string(root, "title", o && o->title ? o->title : "cprof report");
	cJSON *meta = cJSON_AddObjectToObject(root, "meta");
	add_clean_string(meta, "source", p->source_format);
	add_clean_string(meta, "mode", p->mode);
	add_clean_string(meta, "timer", p->timer);
	add_clean_string(meta, "executable", p->executable);
	add_clean_string(meta, "cmdline", p->cmdline);
	if (p->pid > 0)
		add_raw_i64(meta, "pid", p->pid);
	if (p->samples_dropped)
		add_raw_i64(meta, "dropped", (int64_t)p->samples_dropped);
	int64_t tmax = 0;
	if (p->has_timestamps)
		for (size_t i = 0; i < p->nsamples; i++)
			if (p->samples[i].time_ns > tmax)
				tmax = p->samples[i].time_ns;
	if (p->duration_nanos > 0 || tmax > 0)
		add_raw_i64(meta, "durationNs", p->duration_nanos > 0 ? p->duration_nanos : tmax);
	if (p->period > 0) {
		add_raw_i64(meta, "period", p->period);
		add_clean_string(meta, "periodType", p->period_type.type);
		add_clean_string(meta, "periodUnit", p->period_type.unit);
	}
	if (p->ncomments) {
		cJSON *c = cJSON_AddArrayToObject(meta, "comments");
		for (uint32_t i = 0; i < p->ncomments; i++)
			cJSON_AddItemToArray(c, html_json_string(p->comments[i]));
	}
	cJSON_AddBoolToObject(root, "hasTimestamps", p->has_timestamps);
	cJSON *vt = cJSON_AddArrayToObject(root, "valueTypes");
	for (uint32_t j = 0; j < p->nvalues; j++) {
		cJSON *t = cJSON_CreateArray();
		cJSON_AddItemToArray(t, html_json_string(p->sample_types[j].type));
		cJSON_AddItemToArray(t, html_json_string(p->sample_types[j].unit));
		if (p->sample_types[j].decimals) /* fixed point: the viewer divides */
			cJSON_AddItemToArray(t, cJSON_CreateNumber(p->sample_types[j].decimals));
		cJSON_AddItemToArray(vt, t);
	}
	cJSON_AddNumberToObject(root, "defaultValue", p->default_type < p->nvalues ? p->default_type : 0);
}

/* The threads: distinct tids (sorted, into *tids), listed by (pid, tid) as
 * [tid, name, pid] (pid 0: unknown) in th; (*rank)[k] is tids[k]'s index
 * in that list, which the samples' thread column holds. */
static size_t thread_list(const profile *p, const size_t *ord, size_t n, strset *strs,
			  int32_t **tids, uint32_t **rank, strbuf *th)
{
	size_t ntids = 0, tids_alloc = 0;
	keyset seen = KEYSET_INIT(3);
	for (size_t i = 0; i < n; i++) {
		int added;
		int32_t tid = p->samples[ord[i]].tid;
		if (i && tid == p->samples[ord[i - 1]].tid)
			continue; /* runs of one thread are the rule */
		keytab_get(&seen, (uint64_t)(int64_t)tid, 0, 0, &added);
		if (added) {
			ALLOC_GROW(*tids, ntids + 1, tids_alloc);
			(*tids)[ntids++] = tid;
		}
	}
	keyset_free(&seen);
	if (ntids)
		qsort(*tids, ntids, sizeof(**tids), cmp_i32);
	thread_key *keys = xmalloc(st_mult(ntids + 1, sizeof(*keys)));
	for (size_t k = 0; k < ntids; k++)
		keys[k] = (thread_key){ prof_thread_pid(p, (*tids)[k]), (*tids)[k], (uint32_t)k };
	qsort(keys, ntids, sizeof(*keys), cmp_thread_key);
	*rank = xmalloc(st_mult(ntids + 1, sizeof(**rank)));
	sb_addc(th, '[');
	for (size_t k = 0; k < ntids; k++) {
		const char *name = prof_thread_name(p, keys[k].tid);
		(*rank)[keys[k].at] = (uint32_t)k;
		sb_addf(th, "%s[%d,%u,%d]", k ? "," : "", keys[k].tid, strtab_get(strs, name ? name : ""),
			keys[k].pid);
	}
	sb_addc(th, ']');
	free(keys);
	return ntids;
}

/* The label sets: flat (key, value) string pairs; numeric values as
 * "N unit". */
static void labelset_list(const profile *p, strset *strs, strbuf *ls)
{
	strbuf sb = STRBUF_INIT;
	sb_addc(ls, '[');
	for (uint32_t l = 0; l < p->nlabelsets; l++) {
		const prof_labelset *set = &p->labelsets[l];
		sb_addf(ls, "%s[", l ? "," : "");
		for (uint32_t k = 0; k < set->n; k++) {
			const prof_label *lb = &set->labels[k];
			sb_reset(&sb);
			if (lb->str)
				sb_adds(&sb, lb->str);
			else
				sb_addf(&sb, "%lld%s%s", (long long)lb->num, lb->unit ? " " : "", lb->unit ? lb->unit : "");
			uint32_t kv = strtab_get(strs, lb->key);
			uint32_t vv = strtab_get(strs, sb.buf);
			sb_addf(ls, "%s%u,%u", k ? "," : "", kv, vv);
		}
		sb_addc(ls, ']');
	}
	sb_addc(ls, ']');
	sb_release(&sb);
}

/* The samples' columns but the stack (the n samples of ord, in its order):
 * values, time and thread (with timestamps), label set, flags. col is n
 * entries of scratch. */
static void add_sample_columns(cJSON *smp, const profile *p, const size_t *ord, size_t n,
			       int64_t *col, const int32_t *tids, size_t ntids, const uint32_t *rank)
{
	cJSON *vals = cJSON_AddArrayToObject(smp, "values");
	for (uint32_t j = 0; j < p->nvalues; j++) {
		cJSON *tmp = cJSON_CreateObject();
		for (size_t i = 0; i < n; i++)
			col[i] = p->values[ord[i] * p->nvalues + j];
		add_column(tmp, "c", col, n);
		cJSON *c = cJSON_DetachItemFromObject(tmp, "c");
		cJSON_AddItemToArray(vals, c);
		cJSON_Delete(tmp);
	}
	if (p->has_timestamps) {
		/* each thread's run in time order (the viewer relies on it): a
		 * sample without a time (sorted first) takes its thread's first
		 * time, 0 when none has one */
		int64_t prev = 0, first = 0;
		for (size_t i = 0; i < n; i++) {
			const prof_sample *sp = &p->samples[ord[i]];
			if (i == 0 || sp->tid != p->samples[ord[i - 1]].tid) {
				size_t j = i;
				while (j < n && p->samples[ord[j]].tid == sp->tid && p->samples[ord[j]].time_ns < 0)
					j++;
				first = j < n && p->samples[ord[j]].tid == sp->tid ? p->samples[ord[j]].time_ns : 0;
			}
			int64_t t = sp->time_ns >= 0 ? sp->time_ns : first;
			col[i] = t - prev;
			prev = t;
		}
		add_column(smp, "time", col, n);
		for (size_t i = 0; i < n; i++) {
			int32_t tid = p->samples[ord[i]].tid;
			int32_t *hit = bsearch(&tid, tids, ntids, sizeof(*tids), cmp_i32);
			col[i] = hit ? rank[hit - tids] : 0;
		}
		add_column(smp, "thread", col, n);
	}
	for (size_t i = 0; i < n; i++)
		col[i] = p->samples[ord[i]].labelset < p->nlabelsets ? p->samples[ord[i]].labelset : 0;
	add_column(smp, "labelset", col, n);
	for (size_t i = 0; i < n; i++)
		col[i] = p->samples[ord[i]].flags & PROF_SAMPLE_OFFCPU;
	add_column(smp, "flags", col, n);
}

int html_json(const profile *p, const html_opts *o, strbuf *out, cprof_err *err)
{
	if (p->nvalues == 0)
		return cprof_fail(err, "the profile has no sample types");
	json_tree tr = { .strs = STRSET_INIT, .frames = KEYSET_INIT(3), .nodes = KEYSET_INIT(3),
			 .flames = KEYSET_INIT(2), .fr = STRBUF_INIT, .sb = STRBUF_INIT };
	strtab_get(&tr.strs, ""); /* string 0 is "" */
	tr.locframe = xcalloc(p->nlocations ? p->nlocations : 1, sizeof(*tr.locframe));
	size_t n;
	size_t *ord = prof_thread_time_order(p, o ? o->mask : NULL, &n);
	int rc = 0;

	/* the stack column: each sample's leaf node, a stack's path built on
	 * first use */
	uint32_t *leaf = xmalloc(st_mult(p->nstacks ? p->nstacks : 1, sizeof(*leaf)));
	for (uint32_t s = 0; s < p->nstacks; s++)
		leaf[s] = PROF_NONE;
	int64_t *col = xmalloc(st_mult(n ? n : 1, sizeof(*col)));
	sb_addc(&tr.fr, '[');
	for (size_t i = 0; i < n; i++) {
		uint32_t s = p->samples[ord[i]].stack;
		if (s >= p->nstacks) {
			rc = cprof_fail(err, "a sample refers to a stack that does not exist");
			goto done;
		}
		if (leaf[s] == PROF_NONE)
			leaf[s] = tree_leaf(&tr, p, s);
		col[i] = leaf[s];
	}
	sb_addc(&tr.fr, ']');
	tree_order(&tr, col, n);
	size_t nleaves;
	int64_t *leaves = leaf_table(col, n, tr.nnd, &nleaves);

	cJSON *root = cJSON_CreateObject();
	add_meta(root, p, o);
	int32_t *tids = NULL;
	uint32_t *rank = NULL;
	size_t ntids = 0;
	strbuf th = STRBUF_INIT, ls = STRBUF_INIT;
	if (p->has_timestamps)
		ntids = thread_list(p, ord, n, &tr.strs, &tids, &rank, &th);
	labelset_list(p, &tr.strs, &ls);

	cJSON *sa = cJSON_CreateArray();
	for (uint32_t i = 0; i < tr.strs.n; i++)
		cJSON_AddItemToArray(sa, html_json_string(strset_get(&tr.strs, i)));
	cJSON_AddItemToObject(root, "strings", sa);
	cJSON_AddRawToObject(root, "frames", tr.fr.buf);
	add_raw_i64(root, "nodes", (int64_t)tr.nnd);
	add_column(root, "nodeParent", tr.ndparent, tr.nnd);
	add_column(root, "nodeFrame", tr.ndframe, tr.nnd);
	add_raw_i64(root, "merged", (int64_t)(tr.nmg / 2));
	add_column(root, "merges", tr.mg, tr.nmg);
	if (leaves) {
		add_raw_i64(root, "leaves", (int64_t)nleaves);
		add_column(root, "leafNode", leaves, nleaves);
		free(leaves);
	}
	if (p->has_timestamps)
		cJSON_AddRawToObject(root, "threads", th.buf);
	cJSON_AddRawToObject(root, "labelsets", ls.buf);
	cJSON *smp = cJSON_AddObjectToObject(root, "samples");
	add_raw_i64(smp, "n", (int64_t)n);
	add_column(smp, "stack", col, n);
	add_sample_columns(smp, p, ord, n, col, tids, ntids, rank);
	if (!(o && o->no_source))
		add_sources(p, root);

	char *txt = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!txt)
		rc = cprof_fail(err, "out of memory while writing the report's JSON");
	else
		sb_adds(out, txt);
	free(txt);
	free(tids);
	free(rank);
	sb_release(&th);
	sb_release(&ls);
done:
	free(ord);
	free(col);
	free(leaf);
	free(tr.locframe);
	free(tr.fbuf);
	free(tr.ndparent);
	free(tr.ndframe);
	free(tr.frname);
	free(tr.ndflame);
	free(tr.mg);
	free(tr.flparent);
	free(tr.flname);
	keyset_free(&tr.flames);
	sb_release(&tr.sb);
	sb_release(&tr.fr);
	strset_free(&tr.strs);
	keyset_free(&tr.frames);
	keyset_free(&tr.nodes);
	return rc;
}

/* ---- the page ------------------------------------------------------------------ */

/* Appends s[0..n) (valid UTF-8, as html_utf8_clean writes it) with every
 * other character than ASCII escaped, so that the page is all ASCII: the
 * browser then decodes and parses it as one-byte text, which takes it
 * about half the time of a page with a character above U+00FF (UTF-16).
 * In JSON (json true) as \uXXXX (a surrogate pair above U+FFFF), and '<' too
 * (it can only occur inside strings), so that no name ("</script>", "<!--")
 * can end the element; in HTML text as &#xX;. */
static void add_ascii(strbuf *out, const char *s, size_t n, bool json)
{
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (run < n && (unsigned char)s[run] < 0x80 && !(json && s[run] == '<'))
			run++;
		sb_add(out, s + i, run - i);
		if ((i = run) >= n)
			break;
		const unsigned char *p = (const unsigned char *)s + i;
		size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 1;
		uint32_t cp = len == 1 ? p[0] : p[0] & (0x7fu >> len);
		for (size_t k = 1; k < len; k++) {
			if (i + k >= n || (p[k] & 0xc0) != 0x80) { /* (not in cleaned text) */
				len = 1;
				break;
			}
			cp = cp << 6 | (p[k] & 0x3fu);
		}
		if (len == 1 && p[0] >= 0x80)
			cp = 0xfffd;
		if (!json)
			sb_addf(out, "&#x%X;", (unsigned)cp);
		else if (cp >= 0x10000)
			sb_addf(out, "\\u%04x\\u%04x", 0xd800u + ((cp - 0x10000) >> 10), 0xdc00u + ((cp - 0x10000) & 0x3ff));
		else
			sb_addf(out, "\\u%04x", (unsigned)cp);
		i += len;
	}
}

int html_write(const profile *p, const html_opts *o, strbuf *out, cprof_err *err)
{
	strbuf json = STRBUF_INIT;
	if (html_json(p, o, &json, err) < 0) {
		sb_release(&json);
		return -1;
	}
	const char *tpl = (const char *)web_report_html;
	size_t len = web_report_html_len, i = 0;
	while (i < len) {
		const char *at = memchr(tpl + i, '@', len - i);
		if (!at) {
			sb_add(out, tpl + i, len - i);
			break;
		}
		sb_add(out, tpl + i, (size_t)(at - (tpl + i)));
		i = (size_t)(at - tpl);
		size_t rest = len - i;
		if (rest >= 5 && !memcmp(at, "@CSS@", 5)) {
			sb_add(out, web_report_css, web_report_css_len);
			i += 5;
		} else if (rest >= 4 && !memcmp(at, "@JS@", 4)) {
			sb_add(out, web_report_js, web_report_js_len);
			i += 4;
		} else if (rest >= 6 && !memcmp(at, "@DATA@", 6)) {
			add_ascii(out, json.buf, json.len, true);
			i += 6;
		} else if (rest >= 7 && !memcmp(at, "@TITLE@", 7)) {
			strbuf t = STRBUF_INIT, x = STRBUF_INIT;
			html_utf8_clean(&t, o && o->title ? o->title : "cprof report");
			sb_add_xml(&x, t.buf);
			add_ascii(out, x.buf, x.len, false);
			sb_release(&t);
			sb_release(&x);
			i += 7;
		} else {
			sb_addc(out, '@');
			i++;
		}
	}
	sb_release(&json);
	return 0;
}
