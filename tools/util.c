#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void die_oom(size_t n)
{
	fprintf(stderr, "cprof: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

void *xmalloc_huge(size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, XMALLOC_HUGE, n ? n : 1))
		die_oom(n);
	madvise(p, n, MADV_HUGEPAGE); /* a hint: without THP, small pages */
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

size_t st_mult(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die_oom(SIZE_MAX);
	return n * size;
}

/* ---- strbuf ---------------------------------------------------------- */
char strbuf_slopbuf[1];

void sb_init(strbuf *sb)
{
	sb->buf = strbuf_slopbuf;
	sb->len = sb->alloc = 0;
}

void sb_release(strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb_init(sb);
}

void sb_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = 0;
}

void sb_grow_slow(strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need < sb->len)
		die_oom(SIZE_MAX);
	if (need > sb->alloc) {
		size_t n = sb->alloc < 64 ? 64 : sb->alloc;
		while (n < need)
			n += n / 2;
		char *old = sb->alloc ? sb->buf : NULL;
		sb->buf = xrealloc(old, n);
		if (!old)
			sb->buf[0] = 0;
		sb->alloc = n;
	}
}

void sb_add(strbuf *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	if (n) /* data may be NULL when n is 0 */
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void sb_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	sb_grow(sb, 64);
	int n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->alloc - sb->len) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

/* Appends str with every ASCII byte passed through `ascii`, valid UTF-8
 * sequences copied as they are and every invalid byte replaced by `bad`.
 * Runs of bytes `plain` says need no escape are copied at once (a long C++
 * name is mostly such a run). */
static inline void sb_add_escaped(strbuf *sb, const char *str, const char *bad,
				  bool (*plain)(unsigned char c),
				  void (*ascii)(strbuf *sb, unsigned char c))
{
	const unsigned char *s = (const unsigned char *)str;
	for (;;) {
		const unsigned char *run = s;
		while (*s && plain(*s))
			s++;
		if (s > run)
			sb_add(sb, run, (size_t)(s - run));
		if (!*s)
			return;
		size_t n = utf8_seq(s);
		if (s[0] == STR_ESC && s[1] == 0x80) { /* an escaped NUL byte */
			ascii(sb, 0);
			s += 2;
		} else if (s[0] == STR_ESC && s[1] == 0xc1) { /* an escaped C0 */
			sb_adds(sb, bad);
			s += 2;
		} else if (n == 0) {
			sb_adds(sb, bad);
			s++;
		} else if (n > 1) {
			sb_add(sb, s, n);
			s += n;
		} else {
			ascii(sb, *s++);
		}
	}
}

/* The ASCII bytes xml_ascii and json_ascii copy as they are. */
static inline bool xml_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

static inline bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

static void xml_ascii(strbuf *sb, unsigned char c)
{
	switch (c) {
	case '&': sb_adds(sb, "&amp;"); break;
	case '<': sb_adds(sb, "&lt;"); break;
	case '>': sb_adds(sb, "&gt;"); break;
	case '"': sb_adds(sb, "&quot;"); break;
	case '\'': sb_adds(sb, "&#39;"); break;
	default:
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			sb_adds(sb, "\xef\xbf\xbd"); /* not allowed in XML 1.0 */
		else
			sb_addc(sb, (char)c);
	}
}

static void json_ascii(strbuf *sb, unsigned char c)
{
	switch (c) {
	case '"': sb_adds(sb, "\\\""); break;
	case '\\': sb_adds(sb, "\\\\"); break;
	case '\n': sb_adds(sb, "\\n"); break;
	case '\r': sb_adds(sb, "\\r"); break;
	case '\t': sb_adds(sb, "\\t"); break;
	/* keep "</script>" and "<!--" from ending an inline script */
	case '<': sb_adds(sb, "\\u003c"); break;
	case '>': sb_adds(sb, "\\u003e"); break;
	case '&': sb_adds(sb, "\\u0026"); break;
	default:
		if (c < 0x20)
			sb_addf(sb, "\\u%04x", c);
		else
			sb_addc(sb, (char)c);
	}
}

void sb_add_xml(strbuf *sb, const char *str)
{
	sb_add_escaped(sb, str, "\xef\xbf\xbd", xml_plain, xml_ascii);
}

void sb_add_json(strbuf *sb, const char *str)
{
	sb_add_escaped(sb, str, "\\ufffd", json_plain, json_ascii);
}

void sb_add_esc(strbuf *sb, const char *s, size_t n)
{
	const char *end = s + n;
	while (s < end) {
		size_t run = 0;
		while (s + run < end && s[run] != 0 && (unsigned char)s[run] != STR_ESC)
			run++;
		sb_add(sb, s, run);
		s += run;
		if (s < end) {
			char pair[2] = { (char)STR_ESC, *s ? (char)0xc1 : (char)0x80 };
			sb_add(sb, pair, 2);
			s++;
		}
	}
}

/* The byte escaped string *s starts with (advancing *s past it); -1 at its
 * end. */
static int esc_next(const unsigned char **s)
{
	const unsigned char *c = *s;
	if (!*c)
		return -1;
	if (c[0] == STR_ESC && (c[1] == 0x80 || c[1] == 0xc1)) {
		*s = c + 2;
		return c[1] == 0x80 ? 0 : STR_ESC;
	}
	*s = c + 1;
	return c[0];
}

void sb_add_unesc(strbuf *sb, const char *s)
{
	const char *esc;
	while ((esc = strchr(s, (char)STR_ESC))) {
		sb_add(sb, s, (size_t)(esc - s));
		const unsigned char *u = (const unsigned char *)esc;
		char c = (char)esc_next(&u);
		sb_add(sb, &c, 1);
		s = (const char *)u;
	}
	sb_adds(sb, s);
}

size_t str_runes(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t runes = 0;
	for (size_t i = 0; i < n; runes++) {
		size_t k = u[i] ? utf8_seq(u + i) : 1;
		i += k && i + k <= n ? k : 1;
	}
	return runes;
}

int str_esc_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	/* equal bytes are equal escapes; the first difference may be inside
	 * a pair, whose first byte (C0) is never a pair's second */
	while (*x && *x == *y)
		x++, y++;
	if (x > (const unsigned char *)a && x[-1] == STR_ESC)
		x--, y--;
	for (;;) {
		int c = esc_next(&x), d = esc_next(&y);
		if (c != d || c < 0)
			return c - d;
	}
}

char *sb_detach(strbuf *sb, size_t *len)
{
	char *p = sb->alloc ? sb->buf : xcalloc(1, 1);
	if (len)
		*len = sb->len;
	sb_init(sb);
	return p;
}

/* Two decimal digits a step: "00" .. "99". */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				     "25262728293031323334353637383940414243444546474849"
				     "50515253545556575859606162636465666768697071727374"
				     "75767778798081828384858687888990919293949596979899";

/* How many decimal digits u has. */
static size_t digits_in(uint64_t u)
{
	size_t n = 1;
	for (uint64_t p = 10; n < 20 && u >= p; p *= 10)
		n++;
	return n;
}

/* The n = digits_in(u) digits of u into buf, two a step from the end;
 * returns n. */
static size_t put_digits(char *buf, uint64_t u, size_t n)
{
	char *end = buf + n;
	while (u >= 100) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10)
		memcpy(end - 2, digit_pairs + 2 * u, 2);
	else
		end[-1] = (char)('0' + u);
	return n;
}

/* v as "%.2f" into buf (400 bytes); returns the length. */
static size_t fixed2(char *buf, double v)
{
	if (!(fabs(v) < 1e13)) { /* and NaN */
		snprintf(buf, 400, "%.2f", v);
		return strlen(buf);
	}
	/* round v*100 to an integer as printf rounds the exact binary value:
	 * p + e == v*100 exactly (fma), ties to even */
	double a = fabs(v), p = a * 100.0, e = fma(a, 100.0, -p);
	double c = nearbyint(p), f = p - c; /* |f| <= 0.5, exact */
	bool odd = ((uint64_t)c & 1) != 0;
	/* only where p is halfway can the rest e change the rounding */
	if (f == 0.5 && (e > 0 || (e == 0 && odd)))
		c += 1;
	else if (f == -0.5 && (e < 0 || (e == 0 && odd)))
		c -= 1;
	uint64_t u = (uint64_t)c;
	size_t k = 0;
	if (signbit(v))
		buf[k++] = '-';
	k += put_digits(buf + k, u / 100, digits_in(u / 100));
	buf[k] = '.';
	memcpy(buf + k + 1, digit_pairs + 2 * (u % 100), 2);
	return k + 3;
}

size_t fmt_dec2(char *buf, double v)
{
	size_t n = fixed2(buf, v);
	while (n > 0 && buf[n - 1] == '0')
		n--;
	if (n > 0 && buf[n - 1] == '.')
		n--;
	return n;
}

size_t fmt_fixed2(char *buf, double v)
{
	return fixed2(buf, v);
}

void sb_add_dec2(strbuf *sb, double v)
{
	char buf[FMT_NUM_MAX];
	sb_add(sb, buf, fmt_dec2(buf, v));
}

void sb_add_hex(strbuf *sb, const unsigned char *b, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	sb_grow(sb, 2 * n);
	for (size_t i = 0; i < n; i++) {
		sb->buf[sb->len++] = hx[b[i] >> 4];
		sb->buf[sb->len++] = hx[b[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}

size_t fmt_i64(char *buf, int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t k = 0;
	if (v < 0)
		buf[k++] = '-';
	return k + put_digits(buf + k, u, digits_in(u));
}

/* ---- hashing and containers ------------------------------------------ */
uint64_t hash_bytes(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * HASH_GOLDEN);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * HASH_GOLDEN;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	/* the last 1-7 bytes by two overlapping loads (or three bytes),
	 * which say them all (n is in h): no byte loop, no copy through
	 * memory */
	uint64_t w = 0;
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		w = lo | (uint64_t)hi << 32;
	} else if (n) {
		w = p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
	}
	h = (h ^ w) * HASH_GOLDEN;
	return hash_mix64(h);
}

/* t rehashed into ncap slots (a power of two, more than t holds). */
static void hidx_resize(hidx *t, size_t ncap)
{
	uint32_t *nidx = xcalloc(ncap, sizeof(*nidx));
	uint32_t *nhash = xmalloc(st_mult(ncap, sizeof(*nhash)));
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->idx[i])
			continue;
		size_t j = t->hash[i] & (ncap - 1);
		while (nidx[j])
			j = (j + 1) & (ncap - 1);
		nidx[j] = t->idx[i];
		nhash[j] = t->hash[i];
	}
	free(t->idx);
	free(t->hash);
	t->idx = nidx;
	t->hash = nhash;
	t->cap = ncap;
}

void hidx_grow(hidx *t)
{
	hidx_resize(t, t->cap ? t->cap * 2 : 64);
}

void hidx_reserve(hidx *t, size_t n)
{
	size_t cap = t->cap ? t->cap : 64;
	while ((n + 1) * 4 >= cap * 3) /* hidx_find's rule */
		cap *= 2;
	if (cap > t->cap)
		hidx_resize(t, cap);
}

void hidx_free(hidx *t)
{
	free(t->idx);
	free(t->hash);
	*t = (hidx)HIDX_INIT;
}

void hidx_clear(hidx *t)
{
	if (t->cap)
		memset(t->idx, 0, t->cap * sizeof(*t->idx));
	t->n = 0;
}

typedef struct strset_key {
	const char *s;
	size_t n;
} strset_key;

static bool strset_eq(const void *ctx, uint32_t id, const void *key)
{
	const strset *s = ctx;
	const strset_key *k = key;
	return strset_len(s, id) == k->n && !memcmp(strset_get(s, id), k->s, k->n);
}

uint32_t strset_add(strset *s, const char *str, size_t len)
{
	strset_key k = { str, len };
	uint32_t h = (uint32_t)hash_bytes(str, len, 0x5bd1e995);
	size_t slot;
	uint32_t id = hidx_find(&s->ix, h, strset_eq, s, &k, &slot);
	if (id != HIDX_NONE)
		return id;
	if (s->n == UINT32_MAX - 1)
		die_oom(SIZE_MAX); /* ids would reach HIDX_NONE */
	ALLOC_GROW(s->off, (size_t)s->n + 1, s->alloc);
	s->off[s->n] = s->data.len;
	sb_add(&s->data, str, len);
	sb_addc(&s->data, 0);
	hidx_set(&s->ix, slot, h, s->n);
	return s->n++;
}

uint32_t strset_find(const strset *s, const char *str, size_t len)
{
	strset_key k = { str, len };
	return hidx_lookup(&s->ix, (uint32_t)hash_bytes(str, len, 0x5bd1e995), strset_eq, s, &k);
}

void strset_free(strset *s)
{
	sb_release(&s->data);
	free(s->off);
	hidx_free(&s->ix);
	s->off = NULL;
	s->n = 0;
	s->alloc = 0;
}

static bool keyset_eq(const void *ctx, uint32_t id, const void *key)
{
	const keyset *s = ctx;
	return !memcmp(s->keys + (size_t)id * s->w, key, s->w * sizeof(uint64_t));
}

static uint32_t keyset_hash(const keyset *s, const uint64_t *key)
{
	uint64_t h = HASH_GOLDEN;
	for (uint32_t i = 0; i < s->w; i++)
		h = hash_u64(h, key[i]);
	return (uint32_t)h;
}

uint32_t keyset_add(keyset *s, const uint64_t *key, bool *added)
{
	uint32_t h = keyset_hash(s, key);
	size_t slot;
	uint32_t id = hidx_find(&s->ix, h, keyset_eq, s, key, &slot);
	*added = id == HIDX_NONE;
	if (!*added)
		return id;
	if (s->n == UINT32_MAX - 1)
		die_oom(SIZE_MAX);
	ALLOC_GROW(s->keys, st_mult((size_t)s->n + 1, s->w), s->alloc);
	memcpy(s->keys + (size_t)s->n * s->w, key, s->w * sizeof(uint64_t));
	hidx_set(&s->ix, slot, h, s->n);
	return s->n++;
}

uint32_t keyset_find(const keyset *s, const uint64_t *key)
{
	return hidx_lookup(&s->ix, keyset_hash(s, key), keyset_eq, s, key);
}

void keyset_free(keyset *s)
{
	free(s->keys);
	hidx_free(&s->ix);
	s->keys = NULL;
	s->n = 0;
	s->alloc = 0;
}

/* ---- errors ---------------------------------------------------------- */
int cprof_fail(cprof_err *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		/* one line, whatever the file's strings quoted in it hold */
		for (char *c = err->msg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	return -1;
}

/* ---- files ----------------------------------------------------------- */
int read_file_all(const char *path, size_t max, unsigned char **data, size_t *len,
		  cprof_err *err)
{
	int fd = 0;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cprof_fail(err, "%s", strerror(errno));
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			return cprof_fail(err, "is a directory");
		}
	}
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) { /* n <= max here: the check below returned otherwise */
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			if (fd)
				close(fd);
			return cprof_fail(err, "read error: %s", strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			if (fd)
				close(fd);
			return cprof_fail(err, "larger than the %zu-byte input limit", max);
		}
	}
	if (fd)
		close(fd);
	*data = buf;
	*len = n;
	return 0;
}

int map_file(const char *path, size_t max, const unsigned char **data, size_t *len)
{
	if (strcmp(path, "-") == 0)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uintmax_t)st.st_size > max || (uintmax_t)st.st_size > SIZE_MAX) {
		close(fd);
		return 0;
	}
	size_t n = (size_t)st.st_size;
	void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	madvise(m, n, MADV_SEQUENTIAL);
	*data = m;
	*len = n;
	return 1;
}

void unmap_file(const unsigned char *data, size_t len)
{
	if (data)
		munmap((void *)data, len);
}

int out_open(out_file *o, const char *path, cprof_err *err)
{
	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	/* A FIFO or a device (-o /dev/null, also through a symlink such as
	 * /dev/stdout) is written through: renaming a temporary over it would
	 * replace the node with a regular file. A symlink to a regular file is
	 * followed, so the temporary is renamed over the file, not the link. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		o->fp = fopen(path, "w");
		if (!o->fp)
			return cprof_fail(err, "cannot open output: %s", strerror(errno));
		o->path = xstrdup(path); /* tmp == NULL: out_commit closes, no rename */
		return 0;
	}
	char *real = NULL;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		real = realpath(path, NULL);
	if (real)
		path = real;
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s.tmpXXXXXX", path);
	int fd = mkstemp(sb.buf);
	if (fd < 0) {
		int e = errno;
		sb_release(&sb);
		free(real);
		return cprof_fail(err, "cannot create output: %s", strerror(e));
	}
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		int e = errno;
		close(fd);
		unlink(sb.buf);
		sb_release(&sb);
		free(real);
		return cprof_fail(err, "cannot open output: %s", strerror(e));
	}
	o->tmp = sb_detach(&sb, NULL);
	o->path = xstrdup(path);
	free(real);
	return 0;
}

void out_abort(out_file *o)
{
	if (o->tmp) {
		if (o->fp)
			fclose(o->fp);
		unlink(o->tmp);
	} else if (o->path && o->fp) {
		fclose(o->fp); /* written through a FIFO or device */
	}
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

int out_commit(out_file *o, cprof_err *err)
{
	int bad = fflush(o->fp) != 0 || ferror(o->fp);
	int e = errno;
	if (!o->tmp) {
		if (o->path) { /* written through a FIFO, device or symlink */
			if (fclose(o->fp) != 0 && !bad) {
				bad = 1;
				e = errno;
			}
			free(o->path);
			memset(o, 0, sizeof(*o));
			if (bad)
				return cprof_fail(err, "write error: %s", strerror(e));
			return 0;
		}
		if (bad)
			return cprof_fail(err, "write error on standard output: %s", strerror(e));
		return 0;
	}
	if (fclose(o->fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	o->fp = NULL;
	if (bad) {
		cprof_fail(err, "write error: %s", strerror(e));
		out_abort(o);
		return -1;
	}
	if (rename(o->tmp, o->path) != 0) {
		cprof_fail(err, "cannot rename output into place: %s", strerror(errno));
		out_abort(o);
		return -1;
	}
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

bool flamegraph_line_has_count(const char *line, size_t n)
{
	const unsigned char *l = (const unsigned char *)line;
	while (n && flamegraph_blank(l[n - 1]))
		n--;
	size_t e = flamegraph_count_start(l, 0, n);
	if (e == n || e == 0 || !flamegraph_blank(l[e - 1]))
		return false;
	while (e && flamegraph_blank(l[e - 1]))
		e--;
	return e > 0;
}
