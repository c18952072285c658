/*
 * folded: reader and writer of FlameGraph's folded stacks (see folded.h).
 *
 * The writer asks prof_group_samples for the groups (stack[, thread]) first
 * — stacks are interned, so that is a hash of integers — and only then
 * builds the text of each group.
 * Two different stacks can print the same text (two locations of one
 * function), so the lines are sorted and equal neighbours merged: the output
 * has exactly one line per distinct text, in bytewise order.
 */
#include "folded.h"

#include "perfscript.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ------------------------------------------------------------ */

/* A ceiling far above real stacks (pprof input holds 100k-deep ones, and
 * what cprof-fold writes must read back); memory is bounded by the line. */
#define FOLDED_MAX_DEPTH (1 << 22)

static bool is_space(unsigned char c)
{
	return flamegraph_blank(c);
}

typedef struct pending {
	size_t start, len; /* bytes of the frame in the line */
	uint64_t h;
	uint64_t word; /* short_word of a name of 8 bytes or fewer */
} pending;

typedef struct prev_frame {
	size_t start, len; /* bytes of the frame in the input */
	uint32_t loc;
} prev_frame;

/* ---- frame text -> location ----------------------------------------------
 * The hot loop of the reader: every frame of every line not shared with the
 * previous line is looked up here. One pass over the frame's bytes finds
 * its end (the next ';' or the end of the stack) and hashes it, 8 bytes a
 * step (hash_bytes would need a second pass); the table is util's hidx
 * over a slot per distinct name: a name of 8 bytes or fewer is in its slot
 * as one word (one cache miss a frame where names are many, not the slot's
 * and then the name's: bench-shapes' random, 80,000 names, -2.5 ms of 75),
 * a longer one in a copy (the input is cold by then). A table of its own,
 * with everything a probe needs in one slot, measured no faster
 * (cprof-fold on bench-shapes' random and shared inputs: 129.5 vs 129.5
 * and 127.6 vs 127.4 ms, best of 15). */

typedef struct name_slot {
	uint32_t len;
	uint32_t loc;
	/* a name of 8 bytes or fewer: its bytes (short_word); a longer one:
	 * its offset in names (a copy: the input is cold by then) */
	uint64_t word;
} name_slot;

typedef struct name_tab {
	name_slot *slots; /* per id */
	size_t n, alloc;
	hidx ix;
	unsigned char *names;
	size_t names_len, names_alloc;
} name_tab;

static inline uint64_t load_word(const unsigned char *s)
{
	uint64_t w;
	memcpy(&w, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w; /* byte 0 of s is the low byte */
}

static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

static inline uint64_t hash_final(uint64_t h, size_t n)
{
	h ^= n;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

/* The frame starting at s, ending at the first ';' before end (or at end):
 * returns its length and its hash in *hp. Whole words are read while they
 * fit before limit (the end of the input), past end if need be: the bytes
 * after end are masked off. */
static inline size_t frame_scan(const unsigned char *s, const unsigned char *end,
				const unsigned char *limit, uint64_t *hp)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	const uint64_t semis = ones * ';';
	/* two lanes, words taken in turn (g is the lane the last one went
	 * to): a long name's hash is not one chain of dependent multiplies */
	uint64_t h = 0x9e3779b97f4a7c15ull, g = 0xc2b2ae3d27d4eb4full;
	const unsigned char *p = s;
	while ((size_t)(limit - p) >= 8) {
		uint64_t w = load_word(p);
		uint64_t x = w ^ semis;
		uint64_t m = (x - ones) & ~x & highs; /* exact up to the first ';' */
		size_t k = m ? (size_t)__builtin_ctzll(m) / 8 : 8;
		size_t rem = (size_t)(end - p);
		if (k > rem)
			k = rem;
		if (k == 8) {
			uint64_t t = hash_step(h, w);
			h = g;
			g = t;
			p += 8;
			continue;
		}
		if (k)
			h = hash_step(h, w & (~0ull >> (64 - 8 * k)));
		p += k;
		*hp = hash_final(hash_step(h, g * 0xc4ceb9fe1a85ec53ull), (size_t)(p - s));
		return (size_t)(p - s);
	}
	/* the last bytes of the input */
	for (;;) {
		uint64_t w = 0;
		unsigned k = 0;
		while (k < 8 && p + k < end && p[k] != ';') {
			w |= (uint64_t)p[k] << (8 * k);
			k++;
		}
		/* as above: a whole word goes to its lane, a last part word to
		 * the lane next in turn, so that a name hashes the same
		 * anywhere in the input */
		if (k == 8) {
			uint64_t t = hash_step(h, w);
			h = g;
			g = t;
		} else if (k) {
			h = hash_step(h, w);
		}
		p += k;
		if (k < 8)
			break;
	}
	*hp = hash_final(hash_step(h, g * 0xc4ceb9fe1a85ec53ull), (size_t)(p - s));
	return (size_t)(p - s);
}

/* The n <= 8 bytes at s as a word (the others zero), reading no byte at
 * or past limit. */
static inline uint64_t short_word(const unsigned char *s, size_t n, const unsigned char *limit)
{
	uint64_t w = 0;
	if ((size_t)(limit - s) >= 8) {
		w = load_word(s);
	} else {
		for (size_t k = 0; k < n; k++)
			w |= (uint64_t)s[k] << (8 * k);
	}
	return n < 8 ? w & ((1ull << (8 * n)) - 1) : w;
}

static inline uint64_t ld64(const unsigned char *s)
{
	uint64_t w;
	memcpy(&w, s, 8);
	return w;
}

static inline uint32_t ld32(const unsigned char *s)
{
	uint32_t w;
	memcpy(&w, s, 4);
	return w;
}

/* Frame names are mostly short: a word or two and an overlapping last
 * word instead of a loop over the tail bytes (whose branches mispredict). */
static inline bool bytes_eq(const unsigned char *a, const unsigned char *b, size_t n)
{
	if (n > 64) /* a C++ name: libc's vector compare */
		return !memcmp(a, b, n);
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			if (ld64(a + i) != ld64(b + i))
				return false;
		return ld64(a + n - 8) == ld64(b + n - 8);
	}
	if (n >= 4)
		return ld32(a) == ld32(b) && ld32(a + n - 4) == ld32(b + n - 4);
	return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

static void name_tab_free(name_tab *t)
{
	free(t->slots);
	free(t->names);
	hidx_free(&t->ix);
}

typedef struct name_key {
	const unsigned char *s;
	size_t len;
	uint64_t word; /* short_word of a name of 8 bytes or fewer */
} name_key;

static bool name_eq(const void *ctx, uint32_t id, const void *key)
{
	const name_tab *t = ctx;
	const name_key *k = key;
	const name_slot *e = &t->slots[id];
	return e->len == k->len &&
	       (k->len <= 8 ? e->word == k->word : bytes_eq(t->names + e->word, k->s, k->len));
}

/* The slot of the frame, or a new one with loc PROF_NONE (valid until the
 * next call). The caller keeps the names under 4 GiB together. */
static name_slot *name_tab_get(name_tab *t, const unsigned char *s, size_t len, uint64_t word,
				uint64_t h)
{
	name_key k = { s, len, word };
	size_t slot;
	uint32_t id = hidx_find(&t->ix, (uint32_t)h, name_eq, t, &k, &slot);
	if (id != HIDX_NONE)
		return &t->slots[id];
	if (len > 8) {
		ALLOC_GROW(t->names, t->names_len + len, t->names_alloc);
		memcpy(t->names + t->names_len, s, len);
		word = t->names_len;
		t->names_len += len;
	}
	ALLOC_GROW(t->slots, t->n + 1, t->alloc);
	t->slots[t->n] = (name_slot){ (uint32_t)len, PROF_NONE, word };
	hidx_set(&t->ix, slot, (uint32_t)h, (uint32_t)t->n);
	return &t->slots[t->n++];
}

/* The next line at *pos (advanced past it): *line, its length without
 * trailing whitespace (and a CR) in *len, its first non-blank byte at
 * *start (== *len for a blank line). False at the end of the input. */
static bool next_line(const unsigned char *d, size_t n, size_t *pos, const unsigned char **line,
		      size_t *start, size_t *len)
{
	if (*pos >= n)
		return false;
	const unsigned char *l = d + *pos;
	const unsigned char *nl = memchr(l, '\n', n - *pos);
	size_t k = nl ? (size_t)(nl - l) : n - *pos;
	*pos += k + (nl ? 1 : 0);
	while (k > 0 && is_space(l[k - 1]))
		k--;
	size_t s = 0;
	while (s < k && is_space(l[s]))
		s++;
	*line = l;
	*start = s;
	*len = k;
	return true;
}

/* The count s[0..n) (flamegraph_count_start's number) in fixed point: *v with *dec
 * decimals, trailing zeros of the fraction dropped, digits past
 * PROF_MAX_DECIMALS rounded (half up). False when it does not fit. */
static bool count_value(const unsigned char *s, size_t n, int64_t *v, uint32_t *dec)
{
	const unsigned char *dot = memchr(s, '.', n);
	size_t di = dot ? (size_t)(dot - s) : n, fe = n;
	while (fe > di + 1 && s[fe - 1] == '0')
		fe--;
	size_t nf = fe > di + 1 ? fe - di - 1 : 0;
	bool up = false;
	if (nf > PROF_MAX_DECIMALS) {
		up = s[di + 1 + PROF_MAX_DECIMALS] >= '5';
		nf = PROF_MAX_DECIMALS;
	}
	int64_t x = 0;
	for (size_t i = 0; i < di + 1 + nf; i++) {
		if (i == di)
			continue;
		if (__builtin_mul_overflow(x, 10, &x) || __builtin_add_overflow(x, s[i] - '0', &x))
			return false;
	}
	if (up && __builtin_add_overflow(x, 1, &x))
		return false;
	*v = x;
	*dec = (uint32_t)nf;
	return true;
}

/* The count(s) at the end of a line: "STACK COUNT", or difffolded.pl's
 * "STACK BEFORE AFTER" (*two), each flamegraph.pl's \d+(\.\d*)?, in
 * fixed point with *dec decimals (the line's most). flamegraph.pl's
 * reading: the stack ends at the blank before the number(s); a stack ending
 * in ';' loses its empty last frames (Perl's split). *se is the end of the
 * stack. */
static int parse_counts(const unsigned char *line, size_t start, size_t len, size_t *se,
			int64_t *count, int64_t *before, uint32_t *dec, bool *two, size_t lineno,
			cprof_err *err)
{
	int64_t v[2] = { 0, 0 };
	uint32_t d[2] = { 0, 0 };
	*two = false;
	for (int k = 0; k < 2; k++) {
		size_t e = flamegraph_count_start(line, start, len);
		if (k == 1 && (e == len || e == start || !is_space(line[e - 1])))
			break; /* one count only */
		/* lines flamegraph.pl's /^(.*)\s+?(\d+(?:\.\d*)?)$/ does not
		 * match: skipped by the caller (-2), as flamegraph.pl skips them */
		if (e == len) {
			cprof_fail(err, "line %zu: no count at the end of the line (want \"frame;frame COUNT\")",
				   lineno);
			return -2;
		}
		if (e == start || !is_space(line[e - 1])) {
			cprof_fail(err, "line %zu: %s", lineno,
				   e == start ? "no stack before the count"
					      : "the count must be a number after a space");
			return -2;
		}
		if (!count_value(line + e, len - e, &v[k], &d[k])) {
			if (k == 1)
				break; /* digits no count can hold end the stack: a name (cprof-fold writes them) */
			return cprof_fail(err, "line %zu: count too large", lineno);
		}
		*two = k == 1;
		len = e;
		while (len > start && is_space(line[len - 1]))
			len--;
	}
	/* both counts with the line's decimals */
	*dec = d[0] > d[1] ? d[0] : d[1];
	if (!prof_scale_up(v[0], *dec - d[0], count) || !prof_scale_up(v[1], *dec - d[1], before))
		return cprof_fail(err, "line %zu: count too large", lineno);
	while (len > start && line[len - 1] == ';')
		len--;
	*se = len;
	return 0;
}

/* A stack written as text[off..] that ends in blanks and a number
 * ("f 10.5", "f 3.") would read back with that number taken for a count
 * (flamegraph.pl's rule, and parse_counts'): those blanks become '_', so
 * that every line cprof-fold writes reads back as the stack it wrote. */
static void unambiguous_end(strbuf *t, size_t off)
{
	unsigned char *b = (unsigned char *)t->buf;
	size_t e = t->len;
	while (e > off && is_space(b[e - 1])) /* the reader trims these */
		e--;
	size_t d = flamegraph_count_start(b, off, e);
	if (d == e)
		return;
	for (; d > off && is_space(b[d - 1]); d--)
		b[d - 1] = '_';
}

/* True when the first line of d has two counts (difffolded.pl output). */
static bool first_line_two_counts(const unsigned char *d, size_t n)
{
	size_t pos = 0, start, len;
	const unsigned char *line;
	while (next_line(d, n, &pos, &line, &start, &len)) {
		if (start == len)
			continue;
		size_t se;
		int64_t c, b;
		uint32_t dec;
		bool two;
		return parse_counts(line, start, len, &se, &c, &b, &dec, &two, 0, NULL) == 0 && two;
	}
	return false;
}

/* The reader's state across lines. */
typedef struct freader {
	profile *p;
	const unsigned char *d; /* the input */
	size_t n;
	bool diff;          /* difffolded.pl's two counts: a second sample type */
	uint32_t dec;       /* the decimals of the counts so far (both types) */
	uint32_t empty_loc; /* the location of empty frames, PROF_NONE until one */
	/* frame text -> its one location; names repeat, so the model's
	 * interning runs once per distinct name, not once per frame */
	name_tab seen;
	prev_frame *prev;   /* the previous line's frames, where they differ */
	size_t prev_n, prev_alloc;
	const unsigned char *pline; /* the previous line's stack: plen bytes, pline_n frames */
	size_t plen, pline_n;
	pending *pend;      /* frames of the line past the shared prefix */
	size_t pend_alloc;
	/* the stack being read, leaf first as the model has it, ending at
	 * the end of stk: frame k from the root is stk_at(r, k), which is
	 * prev[k].loc for every k < prev_n, so the frames shared with
	 * earlier lines are in place (a line of a 1000-deep recursion
	 * writes its leaf, not 1000 frames) */
	uint32_t *stk;
	size_t stk_alloc;
	bool fresh;         /* it has a location made for it: it is a new stack */
} freader;

/* Frame k from the root of the stack being read. */
static inline uint32_t *stk_at(freader *r, size_t k)
{
	return &r->stk[r->stk_alloc - 1 - k];
}

/* Room for a stack of n frames, those from the root kept in place. */
static void stk_room(freader *r, size_t n)
{
	if (n <= r->stk_alloc)
		return;
	size_t na = r->stk_alloc < 64 ? 64 : r->stk_alloc;
	while (na < n)
		na += na / 2;
	uint32_t *b = xmalloc(st_mult(na, sizeof(*b)));
	if (r->stk_alloc)
		memcpy(b + (na - r->stk_alloc), r->stk, r->stk_alloc * sizeof(*b));
	free(r->stk);
	r->stk = b;
	r->stk_alloc = na;
}

/* A line's count (and, in a differential file, its count before) as
 * fixed point with the most decimals seen: what was read so far is
 * rescaled when a line has more, a line with fewer is scaled up. *se is
 * the end of the stack. -1 with err, or -2 (err says why) for a line
 * without "stack count", which flamegraph.pl skips. */
static int line_counts(freader *r, const unsigned char *line, size_t start, size_t len,
		       size_t lineno, size_t *se, int64_t *count, int64_t *before, cprof_err *err)
{
	uint32_t ldec;
	bool two;
	int pc = parse_counts(line, start, len, se, count, before, &ldec, &two, lineno, err);
	if (pc < 0)
		return pc; /* -2: a line flamegraph.pl skips too (err says why) */
	if (ldec > r->dec) {
		if (!prof_set_decimals(r->p, 0, ldec) || !prof_set_decimals(r->p, 1, ldec))
			return cprof_fail(err, "line %zu: with %u decimals, the counts do not fit in 64 bits",
					  lineno, ldec);
		r->dec = ldec;
	} else if (ldec < r->dec && (!prof_scale_up(*count, r->dec - ldec, count) ||
				     !prof_scale_up(*before, r->dec - ldec, before))) {
		return cprof_fail(err, "line %zu: count too large", lineno);
	}
	/* a one-count line in a differential file: no change; elsewhere
	 * flamegraph.pl draws the second count */
	if (!two)
		*before = *count;
	return 0;
}

/* The location of a frame's text (pf, fl bytes into line, hash h). */
static uint32_t frame_loc(freader *r, const unsigned char *line, const pending *pe)
{
	size_t pf = pe->start, fl = pe->len;
	profile *p = r->p;
	if (fl == 0) { /* "a;;b": flamegraph.pl draws a nameless frame */
		if (r->empty_loc == PROF_NONE) {
			const char *name = prof_intern(p, "[unknown]");
			prof_line pl = { prof_intern_function(p, name, name, "", 0), 0, 0 };
			r->empty_loc = prof_add_location(p, PROF_NONE, 0, &pl, 1);
			r->fresh = true;
		}
		return r->empty_loc;
	}
	name_slot *ne = name_tab_get(&r->seen, line + pf, fl, pe->word, pe->h);
	if (ne->loc == PROF_NONE) { /* a name met for the first time */
		prof_line pl = { prof_intern_named_function(p, (const char *)line + pf, fl), 0, 0 };
		ne->loc = prof_add_location(p, PROF_NONE, 0, &pl, 1);
		r->fresh = true;
	}
	return ne->loc;
}

/* The first byte where a and b differ in bytes i..stop (stop - i a multiple
 * of 8, both readable there), a word at a time; SIZE_MAX when they are
 * equal there. */
static inline size_t mismatch_words(const unsigned char *a, const unsigned char *b, size_t i,
				    size_t stop)
{
	for (; i < stop; i += 8) {
		uint64_t x = ld64(a + i) ^ ld64(b + i);
		if (x) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			return i + (size_t)__builtin_clzll(x) / 8;
#else
			return i + (size_t)__builtin_ctzll(x) / 8;
#endif
		}
	}
	return SIZE_MAX;
}

/* How many bytes a and b have in common from their start (n at most): a
 * word at a time over the first 64 (most lines of unsorted input part
 * there), libc's memcmp over long equal runs, then words again. */
static size_t common_prefix(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i = 0, k;
	if (n >= 64) {
		if ((k = mismatch_words(a, b, 0, 64)) != SIZE_MAX)
			return k;
		i = 64;
		while (n - i >= 256 && !memcmp(a + i, b + i, 256))
			i += 256;
	}
	size_t stop = i + ((n - i) & ~(size_t)7);
	if ((k = mismatch_words(a, b, i, stop)) != SIZE_MAX)
		return k;
	i = stop;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* How many frames the stack line[start..se) shares with the previous
 * line, from the bytes they share (r->prev[0..pline_n) are the previous
 * line's frames, in order; their locations are in r->stk already): *f past
 * them, *done when they are the whole stack. */
static size_t prev_line_shared(freader *r, const unsigned char *line, size_t start, size_t se,
			       size_t *f, bool *done)
{
	size_t sl = se - start;
	size_t m = common_prefix(line + start, r->pline, sl < r->plen ? sl : r->plen);
	/* a frame that ends before m ends at a ';' of both lines; one that
	 * ends at m where the line's stack ends or goes on. Those frames are
	 * the first k: counted from the end when m is past the middle (a
	 * deep recursion differs in its last frames) */
	size_t k, e; /* frame k starts e bytes into both stacks */
	if (2 * m > r->plen && r->pline_n) {
		size_t end = r->plen; /* of frame k - 1 */
		for (k = r->pline_n; k > 0; k--) {
			if (end < m || (end == m && (m == sl || line[start + m] == ';')))
				break;
			size_t len = r->prev[k - 1].len;
			if (end < len + 1) { /* frame 0 did not fit */
				k = 0;
				break;
			}
			end -= len + 1;
		}
		e = k ? end + 1 : 0;
		if (k && end == sl)
			*done = true;
	} else {
		for (k = 0, e = 0; k < r->pline_n; k++) {
			size_t end = e + r->prev[k].len;
			if (end > m || (end == m && m != sl && line[start + m] != ';'))
				break;
			if (end == sl) {
				*done = true;
				k++;
				break;
			}
			e = end + 1;
		}
	}
	*f = start + e;
	return k;
}

/* The frames of the stack line[start..se) into r->stk (stk_at), and
 * their count into *nframes; -1 with err. */
static int line_frames(freader *r, const unsigned char *line, size_t start, size_t se,
		       size_t lineno, size_t *nframes, cprof_err *err)
{
	size_t depth = 0;
	size_t f = start;
	bool done = se == start; /* ";;; 3": no frame, counted at the root */
	/* sorted input (stackcollapse output) repeats the previous line's
	 * prefix: reuse its locations without hashing. A frame holds no ';',
	 * so the same bytes followed by ';' or the end of the stack are the
	 * same frame. The bytes the line shares with the previous one are
	 * found at once, and its frames in them taken by their lengths (a
	 * 1000-deep recursion is one memcmp, not 1000 compares); then any
	 * earlier line's frame still known at the depths that follow. */
	if (r->pline && !done)
		depth = prev_line_shared(r, line, start, se, &f, &done);
	while (depth < r->prev_n && !done) {
		size_t pl = r->prev[depth].len;
		if (!(pl <= se - f && (f + pl == se || line[f + pl] == ';') &&
		      bytes_eq(r->d + r->prev[depth].start, line + f, pl)))
			break;
		depth++; /* *stk_at(r, depth) is r->prev[depth].loc */
		if (f + pl == se) {
			done = true;
			break;
		}
		f += pl + 1;
	}
	/* the rest: find and hash every frame first, fetching its slot of the
	 * name table ahead, then look them up (the lookups' cache misses
	 * overlap instead of coming one after the other) */
	size_t npend = 0;
	while (!done) {
		uint64_t h;
		size_t fl = frame_scan(line + f, line + se, r->d + r->n, &h);
		if (depth + npend >= FOLDED_MAX_DEPTH)
			return cprof_fail(err, "line %zu: stack deeper than %d frames", lineno,
					  FOLDED_MAX_DEPTH);
		ALLOC_GROW(r->pend, npend + 1, r->pend_alloc);
		r->pend[npend++] = (pending){ f, fl, h, fl <= 8 ? short_word(line + f, fl, r->d + r->n) : 0 };
		if (r->seen.ix.cap) {
			__builtin_prefetch(&r->seen.ix.idx[h & (r->seen.ix.cap - 1)]);
			__builtin_prefetch(&r->seen.ix.hash[h & (r->seen.ix.cap - 1)]);
		}
		if (f + fl == se)
			break;
		f += fl + 1;
	}
	stk_room(r, depth + npend);
	ALLOC_GROW(r->prev, depth + npend, r->prev_alloc);
	for (size_t k = 0; k < npend; k++) {
		size_t pf = r->pend[k].start, fl = r->pend[k].len;
		if (r->seen.names_len + fl > UINT32_MAX)
			return cprof_fail(err, "line %zu: over 4 GiB of distinct frame names", lineno);
		uint32_t loc = frame_loc(r, line, &r->pend[k]);
		*stk_at(r, depth) = loc;
		/* any earlier line's frame will do: same bytes, same location */
		r->prev[depth] = (prev_frame){ (size_t)(line - r->d) + pf, fl, loc };
		depth++;
	}
	if (depth > r->prev_n)
		r->prev_n = depth;
	r->pline = line + start;
	r->plen = se - start;
	r->pline_n = depth;
	*nframes = depth;
	return 0;
}

int folded_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		cprof_err *err)
{
	/* a differential file (its first line has two counts) gets a second
	 * sample type, the counts before */
	freader r = { .p = p, .d = d, .n = n, .diff = first_line_two_counts(d, n),
		      .empty_loc = PROF_NONE };
	stk_room(&r, 1); /* r.stk is never NULL */
	prof_value_type t[2] = { { prof_intern(p, "samples"), prof_intern(p, "count") },
				 { prof_intern(p, FOLDED_BEFORE), prof_intern(p, "count") } };
	prof_set_sample_types(p, t, r.diff ? 2 : 1);
	p->default_type = 0;
	p->source_format = prof_intern(p, "folded");
	size_t lineno = 0, pos = 0;
	size_t skipped = 0;   /* lines flamegraph.pl ignores too */
	cprof_err first_skip; /* what was wrong with the first of them */
	int rc = 0;
	const unsigned char *line;
	size_t start, len;
	while (next_line(d, n, &pos, &line, &start, &len)) {
		lineno++;
		if (start == len)
			continue; /* blank line */
		if (memchr(line, '\0', len)) {
			rc = cprof_fail(err, "line %zu: NUL byte in folded text", lineno);
			break;
		}
		int64_t v[2]; /* the count, and the count before */
		size_t se;
		cprof_err le;
		int pc = line_counts(&r, line, start, len, lineno, &se, &v[0], &v[1], &le);
		if (pc == -2) {
			if (!skipped++)
				first_skip = le;
			continue;
		}
		if (pc < 0) {
			rc = cprof_fail(err, "%s", le.msg);
			break;
		}
		size_t depth = 0;
		if (line_frames(&r, line, start, se, lineno, &depth, err) < 0) {
			rc = -1;
			break;
		}
		const uint32_t *leaf_first = r.stk + (r.stk_alloc - depth);
		uint32_t st = r.fresh ? prof_add_stack(p, leaf_first, (uint32_t)depth)
				      : prof_intern_stack(p, leaf_first, (uint32_t)depth);
		r.fresh = false;
		prof_add_sample(p, st, 0, v, -1, -1, 0);
	}
	if (rc == 0 && skipped && !p->nsamples) {
		rc = cprof_fail(err, "%s", first_skip.msg); /* nothing but such lines */
	} else if (rc == 0 && skipped) {
		prof_warnf(o, "%zu line%s without \"stack count\" skipped, as flamegraph.pl skips them (%s)",
			   skipped, skipped == 1 ? "" : "s", first_skip.msg);
	}
	free(r.prev);
	free(r.pend);
	name_tab_free(&r.seen);
	free(r.stk);
	return rc;
}

bool folded_looks_like(const unsigned char *d, size_t n)
{
	size_t pos = 0;
	/* the whole first line: a 100k-frame stack or a 1 MB name is one long
	 * line; binary input stops the scan at its first control byte */
	size_t limit = n;
	/* skip blank lines, and comment lines ("# ..." or "// ...", at most
	 * 64) that do not end in a count: flamegraph.pl skips those, and
	 * cprof-fold never writes one (a line of it that starts with '#' is a
	 * stack and decides here, so its output always reads back). `perf
	 * report` output starts with such comments and is not folded text (its
	 * own hint follows). */
	for (int comments = 0;; comments++) {
		while (pos < limit && (d[pos] == '\n' || is_space(d[pos])))
			pos++;
		bool slashes = limit - pos >= 2 && d[pos] == '/' && d[pos + 1] == '/';
		if (pos >= limit || (d[pos] != '#' && !slashes) || comments == 64)
			break;
		const unsigned char *nl = memchr(d + pos, '\n', limit - pos);
		size_t le = nl ? (size_t)(nl - d) : limit;
		size_t te = le;
		while (te > pos && is_space(d[te - 1]))
			te--;
		if (flamegraph_count_start(d, pos, te) != te)
			break; /* "# x 5" is a stack */
		static const char *const report[] = { "# To display the perf.data header", "# Samples: ",
						      "# Overhead ", "# ========" };
		for (size_t i = 0; i < sizeof(report) / sizeof(report[0]); i++)
			if (le - pos >= strlen(report[i]) && !memcmp(d + pos, report[i], strlen(report[i])))
				return false;
		pos = le;
	}
	if (pos >= limit)
		return false;
	size_t end = pos;
	while (end < limit && d[end] != '\n') {
		if (d[end] < 0x20 && !is_space(d[end]))
			return false; /* binary */
		end++;
	}
	return flamegraph_line_has_count((const char *)d + pos, end - pos);
}


/* ---- writing ------------------------------------------------------------ */

typedef struct fline {
	size_t off, len; /* text in the line buffer */
	int64_t value;
} fline;

static int fline_cmp(const void *a_, const void *b_, void *ctx)
{
	const char *base = ctx;
	const fline *a = a_, *b = b_;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(base + a->off, base + b->off, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Appends the text of a group's stack (without the count) to text. */
static void group_text(const profile *p, const folded_opts *o, bool perf, const prof_group *g,
		       names_table *names, names_cache *nc, strbuf *text, prof_frame **frames,
		       size_t *frames_alloc)
{
	if (perf) {
		/* the thread matters for the TID root, and for samples
		 * without labels (no "comm": the thread names the process) */
		int32_t tid = o->root == NAMES_ROOT_TID || !g->labelset ? g->tid : 0;
		names_perf_opts po = { o->root, o->names.addrs, o->kernel_marks, o->jit_marks };
		names_perf_folded(p, g->stack, g->labelset, tid, &po, text, frames, frames_alloc);
		return;
	}
	bool roots = o->threads || o->root != NAMES_ROOT_COMM;
	if (o->root != NAMES_ROOT_COMM) {
		names_process(p, g->tid, o->root, text);
		sb_addc(text, ';');
	}
	if (o->threads) {
		names_thread(p, g->tid, text);
		sb_addc(text, ';');
	}
	uint32_t nf = prof_stack_frames(p, g->stack, frames, frames_alloc);
	for (uint32_t k = nf; k-- > 0;) {
		sb_adds(text, names_get(names, names_cache_name(nc, &(*frames)[k])));
		if (k)
			sb_addc(text, ';');
	}
	if (nf == 0 && !roots)
		sb_adds(text, "[empty stack]");
	else if (nf == 0)
		text->len--, text->buf[text->len] = '\0'; /* drop the ';' */
}

int folded_write(const profile *p, const folded_opts *o, strbuf *out, cprof_err *err)
{
	uint32_t v = o->value == PROF_NONE ? prof_count_value(p) : o->value;
	if (p->nvalues == 0)
		return 0; /* nothing to count */
	if (v >= p->nvalues)
		return cprof_fail(err, "no such sample type index %u", v);

	/* perf script input: by labels (the process), and by thread where
	 * the text shows it (group_text) */
	bool perf = perfscript_is(p);
	prof_group_opts go = PROF_GROUP_OPTS_INIT;
	go.mask = o->mask;
	go.by_labels = perf;
	go.by_thread = o->threads || o->root != NAMES_ROOT_COMM;
	if (perf) {
		go.by_thread = o->root == NAMES_ROOT_TID;
		for (size_t i = 0; i < p->nsamples && !go.by_thread; i++)
			go.by_thread = !p->samples[i].labelset;
	}
	prof_groups gr;
	prof_group_samples(p, &go, &gr);

	/* one line per group with a positive value, then one per text */
	strbuf text = STRBUF_INIT;
	fline *lines = NULL;
	size_t nlines = 0, lines_alloc = 0;
	prof_frame *frames = NULL;
	size_t frames_alloc = 0;
	names_table *names = names_table_new();
	names_cache *nc = names_cache_new(p, &o->names, names);
	for (size_t i = 0; i < gr.n; i++) {
		int64_t sum = prof_group_values(&gr, i)[v];
		if (sum <= 0)
			continue;
		size_t off = text.len;
		group_text(p, o, perf, &gr.g[i], names, nc, &text, &frames, &frames_alloc);
		unambiguous_end(&text, off);
		ALLOC_GROW(lines, nlines + 1, lines_alloc);
		lines[nlines++] = (fline){ off, text.len - off, sum };
	}
	prof_groups_free(&gr);
	free(frames);
	names_cache_free(nc);
	names_table_free(names);

	if (nlines)
		qsort_r(lines, nlines, sizeof(*lines), fline_cmp, text.buf);
	for (size_t i = 0; i < nlines;) {
		size_t j = i;
		int64_t sum = 0;
		while (j < nlines && lines[j].len == lines[i].len &&
		       !memcmp(text.buf + lines[j].off, text.buf + lines[i].off, lines[i].len))
			sum = prof_sadd(sum, lines[j++].value);
		sb_add(out, text.buf + lines[i].off, lines[i].len);
		sb_addc(out, ' ');
		prof_add_value(out, sum, p->sample_types[v].decimals);
		sb_addc(out, '\n');
		i = j;
	}
	free(lines);
	sb_release(&text);
	return 0;
}
