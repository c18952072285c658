/*
 * symcache: the symbolizer's per-file results and their cache file
 * (contract in symcache.h).
 *
 * File layout (host byte order, checked by a byte-order mark):
 *   "CPROFSYM"  u32 version  u32 0x01020304  u64 payload_len  u64 checksum
 *   payload:    str build_id  str fingerprint
 *               u32 nfns     { str name  str sys  str file  i64 line }
 *               u32 nentries { u64 addr  u32 n  { u32 fn  i64 line  i64 col } * n }
 *   str = u32 length + that many bytes (no NUL inside)
 */
#include "symcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"

#define SYMC_MAGIC "CPROFSYM"
#define SYMC_BOM 0x01020304u
#define SYMC_HDR 32
#define SYMC_MAX_STR ((uint32_t)1 << 20)
#define SYMC_MAX_FRAMES 4096u
#define SYMC_MAX_FILE ((size_t)1 << 30)

/* ---- in memory --------------------------------------------------------- */

void symc_free(symc_data *d)
{
	for (size_t i = 0; i < d->nfns; i++) {
		free(d->fns[i].name);
		free(d->fns[i].sys);
		free(d->fns[i].file);
	}
	free(d->fns);
	free(d->frames);
	free(d->entries);
	hidx_free(&d->addrs);
	hidx_free(&d->fnix);
	memset(d, 0, sizeof(*d));
}

static uint32_t hash_fn(const symc_fn *f)
{
	uint64_t h = hash_bytes(f->name, strlen(f->name), (uint64_t)f->line);
	h = hash_bytes(f->sys, strlen(f->sys), h);
	return (uint32_t)hash_bytes(f->file, strlen(f->file), h);
}

static bool fn_eq(const void *ctx, uint32_t i, const void *key)
{
	const symc_fn *f = &((const symc_data *)ctx)->fns[i], *k = key;
	return f->line == k->line && !strcmp(f->name, k->name) && !strcmp(f->sys, k->sys) &&
	       !strcmp(f->file, k->file);
}

uint32_t symc_add_fn(symc_data *d, const char *name, const char *sys, const char *file,
		     int64_t line)
{
	symc_fn k = { (char *)(name ? name : ""), (char *)(sys ? sys : ""), (char *)(file ? file : ""),
		      line };
	uint32_t h = hash_fn(&k);
	size_t slot;
	uint32_t i = hidx_find(&d->fnix, h, fn_eq, d, &k, &slot);
	if (i != HIDX_NONE)
		return i;
	ALLOC_GROW(d->fns, d->nfns + 1, d->fns_alloc);
	d->fns[d->nfns] = (symc_fn){ xstrdup(k.name), xstrdup(k.sys), xstrdup(k.file), line };
	hidx_set(&d->fnix, slot, h, (uint32_t)d->nfns);
	return (uint32_t)d->nfns++;
}

static bool addr_eq(const void *ctx, uint32_t i, const void *key)
{
	return ((const symc_data *)ctx)->entries[i].addr == *(const uint64_t *)key;
}

void symc_add(symc_data *d, uint64_t addr, const symc_frame *frames, uint32_t n)
{
	uint32_t h = (uint32_t)hash_mix64(addr);
	size_t slot;
	if (hidx_find(&d->addrs, h, addr_eq, d, &addr, &slot) != HIDX_NONE)
		return; /* the contract says it is not there; keep the first */
	ALLOC_GROW(d->frames, d->nframes + n, d->frames_alloc);
	if (n)
		memcpy(d->frames + d->nframes, frames, (size_t)n * sizeof(*frames));
	ALLOC_GROW(d->entries, d->nentries + 1, d->entries_alloc);
	d->entries[d->nentries] = (symc_entry){ addr, (uint32_t)d->nframes, n };
	d->nframes += n;
	hidx_set(&d->addrs, slot, h, (uint32_t)d->nentries++);
}

const symc_entry *symc_get(const symc_data *d, uint64_t addr)
{
	uint32_t i = hidx_lookup(&d->addrs, (uint32_t)hash_mix64(addr), addr_eq, d, &addr);
	return i == HIDX_NONE ? NULL : &d->entries[i];
}

/* ---- the file format --------------------------------------------------- */

uint64_t symc_checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = hash_mix64(h ^ w);
	}
	uint64_t w = 0;
	memcpy(&w, p + i, n - i);
	return hash_mix64(h ^ w ^ 0x5bd1e995u);
}

static void put32(strbuf *sb, uint32_t v) { sb_add(sb, &v, 4); }
static void put64(strbuf *sb, uint64_t v) { sb_add(sb, &v, 8); }
static void putstr(strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	put32(sb, (uint32_t)n);
	sb_add(sb, s, n);
}

void symc_serialize(const symc_data *d, const char *build_id, const char *fingerprint,
		    strbuf *out)
{
	sb_reset(out);
	sb_add(out, SYMC_MAGIC, 8);
	put32(out, SYMC_VERSION);
	put32(out, SYMC_BOM);
	put64(out, 0); /* payload length and checksum, filled below */
	put64(out, 0);
	putstr(out, build_id);
	putstr(out, fingerprint);
	put32(out, (uint32_t)d->nfns);
	for (size_t i = 0; i < d->nfns; i++) {
		putstr(out, d->fns[i].name);
		putstr(out, d->fns[i].sys);
		putstr(out, d->fns[i].file);
		put64(out, (uint64_t)d->fns[i].line);
	}
	put32(out, (uint32_t)d->nentries);
	for (size_t i = 0; i < d->nentries; i++) {
		const symc_entry *e = &d->entries[i];
		put64(out, e->addr);
		put32(out, e->n);
		for (uint32_t k = 0; k < e->n; k++) {
			const symc_frame *f = &d->frames[e->first + k];
			put32(out, f->fn);
			put64(out, (uint64_t)f->line);
			put64(out, (uint64_t)f->col);
		}
	}
	uint64_t plen = out->len - SYMC_HDR;
	uint64_t sum = symc_checksum((const unsigned char *)out->buf + SYMC_HDR, plen);
	memcpy(out->buf + 16, &plen, 8);
	memcpy(out->buf + 24, &sum, 8);
}

typedef struct cursor {
	const unsigned char *p;
	size_t left;
	bool bad;
} cursor;

static uint32_t get32(cursor *c)
{
	uint32_t v = 0;
	if (c->left < 4) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, 4);
	c->p += 4;
	c->left -= 4;
	return v;
}

static uint64_t get64(cursor *c)
{
	uint64_t v = 0;
	if (c->left < 8) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	c->left -= 8;
	return v;
}

/* A string of the payload as a malloc'd C string, or NULL (c->bad). */
static char *getstr(cursor *c)
{
	uint32_t n = get32(c);
	if (c->bad || n > SYMC_MAX_STR || n > c->left || memchr(c->p, 0, n)) {
		c->bad = true;
		return NULL;
	}
	char *s = xstrndup((const char *)c->p, n);
	c->p += n;
	c->left -= n;
	return s;
}

/* True when the next string equals want (consumed either way). */
static bool getstr_is(cursor *c, const char *want)
{
	char *s = getstr(c);
	bool same = s && strcmp(s, want) == 0;
	free(s);
	return same;
}

int symc_parse(const unsigned char *buf, size_t len, const char *build_id,
	       const char *fingerprint, symc_data *d, cprof_err *err)
{
	uint32_t version, bom;
	uint64_t plen, sum;
	if (len < SYMC_HDR || memcmp(buf, SYMC_MAGIC, 8) != 0)
		return cprof_fail(err, "not a cprof symbol cache (bad magic)");
	memcpy(&version, buf + 8, 4);
	memcpy(&bom, buf + 12, 4);
	memcpy(&plen, buf + 16, 8);
	memcpy(&sum, buf + 24, 8);
	if (version != SYMC_VERSION || bom != SYMC_BOM)
		return cprof_fail(err, "symbol cache version %u, byte order %#x (want %u, %#x)",
				  version, bom, SYMC_VERSION, SYMC_BOM);
	if (plen != len - SYMC_HDR)
		return cprof_fail(err, "symbol cache payload is %zu bytes, header says %llu",
				  len - SYMC_HDR, (unsigned long long)plen);
	if (symc_checksum(buf + SYMC_HDR, (size_t)plen) != sum)
		return cprof_fail(err, "symbol cache checksum mismatch");
	cursor c = { buf + SYMC_HDR, (size_t)plen, false };
	if (!getstr_is(&c, build_id))
		return cprof_fail(err, "symbol cache is for another build-id");
	if (!getstr_is(&c, fingerprint))
		return cprof_fail(err, "symbol cache is for another version of the file");
	uint32_t nfns = get32(&c);
	if (c.bad || nfns > c.left / 20) /* a function takes at least 20 bytes */
		return cprof_fail(err, "symbol cache: bad function count %u", nfns);
	for (uint32_t i = 0; i < nfns && !c.bad; i++) {
		char *name = getstr(&c), *sys = getstr(&c), *file = getstr(&c);
		int64_t line = (int64_t)get64(&c);
		if (!c.bad)
			symc_add_fn(d, name, sys, file, line);
		free(name);
		free(sys);
		free(file);
	}
	uint32_t nent = get32(&c);
	if (c.bad || nent > c.left / 12) /* an entry takes at least 12 bytes */
		c.bad = true;
	symc_frame *fr = NULL;
	size_t fr_alloc = 0;
	for (uint32_t i = 0; i < nent && !c.bad; i++) {
		uint64_t addr = get64(&c);
		uint32_t n = get32(&c);
		if (c.bad || n > SYMC_MAX_FRAMES || n > c.left / 20 || symc_get(d, addr)) {
			c.bad = true;
			break;
		}
		ALLOC_GROW(fr, n, fr_alloc);
		for (uint32_t k = 0; k < n; k++) {
			fr[k].fn = get32(&c);
			fr[k].line = (int64_t)get64(&c);
			fr[k].col = (int64_t)get64(&c);
			if (fr[k].fn >= d->nfns)
				c.bad = true;
		}
		if (!c.bad)
			symc_add(d, addr, fr, n);
	}
	free(fr);
	if (c.bad || c.left) {
		symc_free(d);
		return cprof_fail(err, "symbol cache: malformed payload");
	}
	return 0;
}

/* ---- the cache directory ----------------------------------------------- */

char *symc_dir(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	strbuf sb = STRBUF_INIT;
	if (x && x[0] == '/') {
		sb_addf(&sb, "%s/cprof/sym", x);
	} else {
		const char *h = getenv("HOME");
		if (!h || h[0] != '/')
			return NULL;
		sb_addf(&sb, "%s/.cache/cprof/sym", h);
	}
	return sb_detach(&sb, NULL);
}

/* A build-id is lower-case hex: never a path. */
static bool good_id(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");
	return n >= 2 && n <= 128 && !id[n];
}

int symc_load(const char *dir, const char *build_id, const char *fingerprint, symc_data *d)
{
	if (!dir || !good_id(build_id))
		return 0;
	strbuf path = STRBUF_INIT;
	sb_addf(&path, "%s/%s", dir, build_id);
	int fd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	sb_release(&path);
	if (fd < 0)
		return 0;
	struct stat st;
	int ok = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size <= SYMC_MAX_FILE) {
		/* read(), not mmap: a writer never changes a file in place, but
		 * anyone could truncate it under a mapping (SIGBUS) */
		size_t n = (size_t)st.st_size, got = 0;
		unsigned char *buf = xmalloc(n);
		while (got < n) {
			ssize_t r = read(fd, buf + got, n - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		cprof_err err;
		ok = got == n && symc_parse(buf, n, build_id, fingerprint, d, &err) == 0;
		free(buf);
	}
	close(fd);
	return ok;
}

static int mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	int r = 0;
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = 0;
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			r = -1;
			break;
		}
		if (!s)
			break;
		*s = '/';
	}
	free(p);
	return r;
}

int symc_store(const char *dir, const char *build_id, const char *fingerprint,
	       const symc_data *d, cprof_err *err)
{
	if (!dir || !good_id(build_id))
		return cprof_fail(err, "no cache directory or build-id");
	if (mkdirs(dir) < 0)
		return cprof_fail(err, "cannot create %s: %s", dir, strerror(errno));
	strbuf data = STRBUF_INIT, tmp = STRBUF_INIT, path = STRBUF_INIT;
	symc_serialize(d, build_id, fingerprint, &data);
	sb_addf(&tmp, "%s/.%s.XXXXXX", dir, build_id);
	sb_addf(&path, "%s/%s", dir, build_id);
	int r = -1;
	int fd = mkstemp(tmp.buf);
	if (fd < 0) {
		cprof_fail(err, "cannot create a file in %s: %s", dir, strerror(errno));
		goto out;
	}
	size_t done = 0;
	while (done < data.len) {
		ssize_t w = write(fd, data.buf + done, data.len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (close(fd) != 0 || done != data.len) {
		cprof_fail(err, "cannot write %s", tmp.buf);
		unlink(tmp.buf);
		goto out;
	}
	if (rename(tmp.buf, path.buf) != 0) {
		cprof_fail(err, "cannot rename to %s: %s", path.buf, strerror(errno));
		unlink(tmp.buf);
		goto out;
	}
	r = 0;
out:
	sb_release(&data);
	sb_release(&tmp);
	sb_release(&path);
	return r;
}
