/*
 * perfscript: `perf script` text in, stackcollapse-perf.pl's names out
 * (contract in perfscript.h).
 *
 * The line patterns are stackcollapse-perf.pl's regular expressions, written
 * out by hand with Perl's backtracking worked through, because its output is
 * what FlameGraph users compare against:
 *
 *   event line  /^(\S.+?)\s+(\d+)\/{0,}(\d+){0,}\s+/ command, pid[/tid]
 *               /:\s*(\d+)*\s+(\S+):\s*$/         period, event
 *   frame line  /^\s*(\w+)\s*(.+) \((.*)\)/       address, symbol, dso
 *
 * The command name is the shortest prefix (two characters at least) that is
 * followed by blanks and a number, so "V8 WorkerThread 25607 ..." keeps its
 * space. A second number of 0 ("0/0", the idle task) counts as absent: the
 * first is then the thread and the pid is unknown, as in the script.
 */
#include "perfscript.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- Perl's character classes -------------------------------------------- */

static bool pl_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool pl_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool pl_word(unsigned char c)
{
	return pl_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

typedef struct span {
	const char *s;
	size_t n;
} span;

static bool span_eq(span a, const char *lit)
{
	size_t n = strlen(lit);
	return a.n == n && !memcmp(a.s, lit, n);
}

/* ---- the event line -------------------------------------------------------- */

typedef struct event_line {
	span comm;
	span pid, tid;  /* tid.n == 0: one number only */
	size_t rest;    /* offset after the blanks that follow the numbers */
	span period;    /* from the period/event pattern; n == 0: none */
	span event;     /* n == 0: the pattern did not match */
} event_line;

/* the event head pattern (see the top of the file) */
static bool match_event_head(const char *l, size_t n, event_line *e)
{
	if (n < 2 || pl_space((unsigned char)l[0]))
		return false;
	for (size_t k = 2; k < n; k++) {
		if (!pl_space((unsigned char)l[k]))
			continue;
		size_t j = k;
		while (j < n && pl_space((unsigned char)l[j]))
			j++;
		size_t d0 = j;
		while (j < n && pl_digit((unsigned char)l[j]))
			j++;
		if (j == d0)
			continue;
		size_t d1 = j;
		while (j < n && l[j] == '/')
			j++;
		size_t t0 = j;
		while (j < n && pl_digit((unsigned char)l[j]))
			j++;
		size_t t1 = j;
		if (j == n || !pl_space((unsigned char)l[j]))
			continue;
		while (j < n && pl_space((unsigned char)l[j]))
			j++;
		e->comm = (span){ l, k };
		e->pid = (span){ l + d0, d1 - d0 };
		e->tid = (span){ l + t0, t1 - t0 };
		e->rest = j;
		return true;
	}
	return false;
}

/* /:\s*(\d+)*\s+(\S+):\s*$/: the line (trailing blanks aside) ends with a
 * word "EVENT:" that follows blanks, which follow ":", blanks, digits. */
static void match_event_tail(const char *l, size_t n, event_line *e)
{
	e->period = e->event = (span){ NULL, 0 };
	size_t end = n;
	while (end > 0 && pl_space((unsigned char)l[end - 1]))
		end--;
	if (end < 2 || l[end - 1] != ':')
		return;
	size_t ws = end - 1; /* the event word is [ws, end - 1) */
	while (ws > 0 && !pl_space((unsigned char)l[ws - 1]))
		ws--;
	if (ws == end - 1 || ws == 0)
		return;
	size_t j = ws; /* back over \s+ */
	while (j > 0 && pl_space((unsigned char)l[j - 1]))
		j--;
	size_t dend = j;
	while (j > 0 && pl_digit((unsigned char)l[j - 1]))
		j--;
	size_t dstart = j;
	while (j > 0 && pl_space((unsigned char)l[j - 1]))
		j--;
	if (j == 0 || l[j - 1] != ':')
		return;
	e->period = (span){ l + dstart, dend - dstart };
	e->event = (span){ l + ws, end - 1 - ws };
}

/* ---- the frame line -------------------------------------------------------- */

typedef struct frame_line {
	span pc, sym, dso;
} frame_line;

/* /^\s*(\w+)\s*(.+) \((.*)\)/ with Perl's choices: the dso ends at the last
 * ')', and starts after the last " (" before it; the symbol is what lies
 * between the address and that " (". */
static bool match_frame(const char *l, size_t n, frame_line *f)
{
	size_t i = 0;
	while (i < n && pl_space((unsigned char)l[i]))
		i++;
	size_t pc0 = i;
	while (i < n && pl_word((unsigned char)l[i]))
		i++;
	size_t pc1 = i;
	if (pc1 == pc0)
		return false;
	while (i < n && pl_space((unsigned char)l[i]))
		i++;
	size_t close = n;
	while (close > 0 && l[close - 1] != ')')
		close--;
	if (!close)
		return false;
	close--; /* the last ')' */
	if (close < 2)
		return false;
	size_t q = close - 1; /* the last " (" with q + 2 <= close */
	while (q-- > 0)
		if (l[q] == ' ' && l[q + 1] == '(')
			break;
	if (q == SIZE_MAX)
		return false;
	/* (.+) needs a character: the symbol starts at i, or earlier in the
	 * blanks (Perl backtracks \s*, then \w+) when " (" comes first */
	size_t s0 = i < q ? i : q - 1;
	if (q == 0 || s0 < pc0 + 1)
		return false;
	if (pc1 > s0)
		pc1 = s0;
	f->pc = (span){ l + pc0, pc1 - pc0 };
	f->sym = (span){ l + s0, q - s0 };
	f->dso = (span){ l + q + 2, close - (q + 2) };
	return true;
}

/* ---- reading ------------------------------------------------------------- */

static uint64_t parse_hex(span s)
{
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.s[i];
		unsigned d;
		if (pl_digit(c))
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0; /* not an address */
		v = v << 4 | d;
	}
	return v;
}

static int64_t parse_dec(span s)
{
	int64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (v > (INT64_MAX - 9) / 10)
			return INT64_MAX;
		v = v * 10 + (s.s[i] - '0');
	}
	return v;
}

/* The fields stackcollapse-perf.pl does not read: "[CPU]", "SECS.FRAC:"
 * (the time, in ns), and on a line without the trailing "EVENT:" (trace
 * output, or perf script without callchains) the period and event that
 * follow the time, and where the one frame of a callchain-less record
 * starts. */
typedef struct event_more {
	int64_t time_ns; /* -1: none */
	span period, event;
	size_t frame; /* offset of the inline frame, or 0 */
	size_t after; /* offset past the time or the period, or 0 */
} event_more;

static void parse_event_more(const char *l, size_t n, size_t pos, event_more *m)
{
	m->time_ns = -1;
	m->period = m->event = (span){ NULL, 0 };
	m->frame = 0;
	m->after = 0;
	while (pos < n) {
		while (pos < n && pl_space((unsigned char)l[pos]))
			pos++;
		size_t t = pos;
		while (pos < n && !pl_space((unsigned char)l[pos]))
			pos++;
		span tok = { l + t, pos - t };
		if (!tok.n)
			break;
		if (tok.s[0] == '[' && tok.s[tok.n - 1] == ']')
			continue; /* cpu */
		size_t d = 0;
		while (d < tok.n && pl_digit((unsigned char)tok.s[d]))
			d++;
		if (m->time_ns < 0 && d && d < tok.n && tok.s[d] == '.' && tok.s[tok.n - 1] == ':') {
			size_t f = d + 1, fe = tok.n - 1;
			bool ok = f < fe;
			for (size_t k = f; k < fe; k++)
				ok = ok && pl_digit((unsigned char)tok.s[k]);
			if (ok) {
				int64_t sec = parse_dec((span){ tok.s, d });
				int64_t frac = 0;
				size_t k = 0;
				for (; k < 9; k++)
					frac = frac * 10 + (f + k < fe ? tok.s[f + k] - '0' : 0);
				m->time_ns = sec < INT64_MAX / 1000000000 ? sec * 1000000000 + frac : INT64_MAX;
				m->after = pos;
				continue;
			}
		}
		if (d == tok.n) {
			if (!m->period.n && !m->event.n) {
				m->period = tok;
				m->after = pos;
			}
			continue;
		}
		if (tok.s[tok.n - 1] == ':' && tok.n > 1) {
			m->event = (span){ tok.s, tok.n - 1 };
			/* what follows may be the one frame of a record without
			 * a callchain: "ADDR SYM (DSO)" */
			while (pos < n && pl_space((unsigned char)l[pos]))
				pos++;
			m->frame = pos < n ? pos : 0;
			return;
		}
	}
}

/* A string -> index table for the reader's interning (dso -> mapping,
 * frame text -> location, (comm, pid) -> label set): util's string set,
 * with a value per string id. Zero-initialized is empty. */
typedef struct stab {
	strset keys;
	uint32_t *vals;
	size_t alloc;
} stab;

/* The value slot of key, a new one holding UINT32_MAX if absent; valid
 * until the next stab_get. */
static uint32_t *stab_get(stab *t, const char *key, size_t len)
{
	uint32_t n = t->keys.n;
	uint32_t id = strset_add(&t->keys, key, len);
	if (id == n) {
		ALLOC_GROW(t->vals, (size_t)n + 1, t->alloc);
		t->vals[id] = UINT32_MAX;
	}
	return &t->vals[id];
}

static void stab_free(stab *t)
{
	strset_free(&t->keys);
	free(t->vals);
}

typedef struct reader {
	profile *p;
	const prof_read_opts *o;
	stab maps, locs, lsets;
	strbuf key;
	/* the record being read */
	bool active;     /* an event line of the chosen event was seen */
	bool has_chain;  /* frame lines followed it */
	bool chain_head; /* its event line ended in "EVENT:": frames follow */
	int32_t tid;
	uint32_t labelset;
	int64_t time_ns, period;
	uint32_t *stack; /* leaf first */
	size_t depth, stack_alloc;
	span *parts;     /* a frame's "a->b" inline chain */
	size_t parts_alloc;
	prof_line *lines;
	size_t lines_alloc;
	/* the event chosen, and whether the types are set */
	char *event;
	bool typed;
	bool warned_events;
	size_t records, other_events, unknown_lines;
	int64_t tmin;
	bool any_time;
} reader;

static uint32_t intern_mapping(reader *r, span dso)
{
	uint32_t *v = stab_get(&r->maps, dso.s, dso.n);
	if (*v == UINT32_MAX) {
		prof_mapping m = { 0 };
		m.limit = UINT64_MAX;
		m.file = prof_intern_n(r->p, dso.s, dso.n);
		m.build_id = prof_intern(r->p, "");
		m.has_functions = true;
		*v = prof_add_mapping(r->p, &m);
	}
	return *v;
}

/* Perl's split /->/: fields between "->" into r->parts, trailing empty ones
 * dropped; returns their number. */
static size_t split_arrows(reader *r, span s)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= s.n; i++) {
		if (i == s.n || (i + 1 < s.n && s.s[i] == '-' && s.s[i + 1] == '>')) {
			ALLOC_GROW(r->parts, n + 1, r->parts_alloc);
			r->parts[n++] = (span){ s.s + start, i - start };
			start = i + 2;
			i++;
		}
	}
	while (n > 0 && r->parts[n - 1].n == 0)
		n--;
	return n;
}

static void add_frame(reader *r, const frame_line *f)
{
	span sym = f->sym;
	/* "sym+0x1c": the offset goes, as in the script (lower-case hex) */
	size_t k = sym.n;
	while (k > 0 && (pl_digit((unsigned char)sym.s[k - 1]) ||
			 (sym.s[k - 1] >= 'a' && sym.s[k - 1] <= 'f')))
		k--;
	if (k < sym.n && k >= 3 && sym.s[k - 1] == 'x' && sym.s[k - 2] == '0' && sym.s[k - 3] == '+')
		sym.n = k - 3;
	if (sym.n && sym.s[0] == '(')
		return; /* a process name in the callchain: the script skips it */
	size_t np = split_arrows(r, sym);
	if (!np || np > UINT32_MAX)
		return;
	sb_reset(&r->key);
	sb_add(&r->key, f->pc.s, f->pc.n);
	sb_addc(&r->key, '\0');
	sb_add(&r->key, sym.s, sym.n);
	sb_addc(&r->key, '\0');
	sb_add(&r->key, f->dso.s, f->dso.n);
	uint32_t *v = stab_get(&r->locs, r->key.buf, r->key.len);
	if (*v == UINT32_MAX) {
		uint32_t m = intern_mapping(r, f->dso);
		size_t nl = 0;
		if (!(np == 1 && span_eq(r->parts[0], "[unknown]"))) {
			/* "a->b": b inlined into a; lines are leaf first */
			ALLOC_GROW(r->lines, np, r->lines_alloc);
			for (size_t i = np; i-- > 0;) {
				const char *name = prof_intern_n(r->p, r->parts[i].s, r->parts[i].n);
				r->lines[nl++] =
					(prof_line){ prof_intern_function(r->p, name, name, "", 0), 0, 0 };
			}
		}
		*v = prof_add_location(r->p, m, parse_hex(f->pc), r->lines, (uint32_t)nl);
	}
	ALLOC_GROW(r->stack, r->depth + 1, r->stack_alloc);
	r->stack[r->depth++] = *v;
}

static const char *unit_of(const char *event)
{
	static const char *const ns_events[] = { "cpu-clock", "task-clock" };
	for (size_t i = 0; i < ARRAY_SIZE(ns_events); i++)
		if (!strcmp(event, ns_events[i]))
			return "nanoseconds";
	return "count";
}

static void set_types(reader *r, span event, bool has_period)
{
	char *name = xstrndup(event.s, event.n);
	char *colon = strchr(name, ':'); /* "cycles:ppp": the modifiers go */
	if (colon && colon != name)
		*colon = '\0';
	prof_value_type t[2] = {
		{ prof_intern(r->p, "samples"), prof_intern(r->p, "count") },
		{ prof_intern(r->p, *name ? name : "events"),
		  prof_intern(r->p, has_period ? unit_of(name) : "count") },
	};
	if (!strcmp(t[1].type, "samples"))
		t[1].type = prof_intern(r->p, "events");
	prof_set_sample_types(r->p, t, 2);
	r->p->default_type = 1;
	r->p->period_type = t[1];
	r->typed = true;
	free(name);
}

static void flush(reader *r)
{
	if (!r->active)
		return;
	r->active = false;
	if (!r->typed)
		set_types(r, (span){ "", 0 }, false);
	int64_t v[2] = { 1, r->period };
	uint32_t st = prof_intern_stack(r->p, r->stack, (uint32_t)r->depth);
	prof_add_sample(r->p, st, r->labelset, v, r->time_ns, r->tid, 0);
	r->records++;
}

/* A frame line without "(dso)" (perf script -F ip,sym): "ADDR [SYM]". */
static bool match_bare_frame(const char *l, size_t n, frame_line *f)
{
	size_t i = 0;
	while (i < n && pl_space((unsigned char)l[i]))
		i++;
	if (!i)
		return false;
	size_t a = i;
	while (i < n && (pl_digit((unsigned char)l[i]) || (l[i] >= 'a' && l[i] <= 'f')))
		i++;
	if (i == a || (i < n && !pl_space((unsigned char)l[i])))
		return false;
	f->pc = (span){ l + a, i - a };
	while (i < n && pl_space((unsigned char)l[i]))
		i++;
	size_t e = n;
	while (e > i && pl_space((unsigned char)l[e - 1]))
		e--;
	f->sym = e > i ? (span){ l + i, e - i } : (span){ "[unknown]", 9 };
	f->dso = (span){ "[unknown]", 9 };
	return true;
}

/* Whether [l, l + n) is one word between blanks. */
static bool one_word(const char *l, size_t n)
{
	size_t i = 0, words = 0;
	while (i < n) {
		while (i < n && pl_space((unsigned char)l[i]))
			i++;
		if (i < n)
			words++;
		while (i < n && !pl_space((unsigned char)l[i]))
			i++;
	}
	return words == 1;
}

/* The one frame of a record without callchain on its event line: after
 * the event ("EVENT: ADDR SYM (DSO)"); on an indented line (below) also
 * right after the time or the period when no event is printed (-F
 * comm,tid,time,ip,sym: "ADDR SYM"). */
static bool inline_frame(const char *l, size_t n, event_more *m, bool indented,
			 frame_line *f)
{
	if (m->frame)
		return match_frame(l + m->frame, n - m->frame, f);
	if (!indented || m->event.n || !m->after)
		return false;
	if (match_frame(l + m->after, n - m->after, f) ||
	    match_bare_frame(l + m->after, n - m->after, f))
		return true;
	/* "TIME: ADDR SYM" with an address of decimal digits only (a PIE
	 * mapped at 0x565551804000) was taken for a period: it is the frame's
	 * address, and there is no period (one run in ten in CI read 300
	 * records of 927, or none) */
	/* (only "ADDR SYM": one word after it, so that no folded line, which
	 * ends in " COUNT" after its frames, reads as such a record) */
	if (m->period.n && one_word(l + m->after, n - m->after)) {
		size_t at = (size_t)(m->period.s - l);
		while (at > 0 && pl_space((unsigned char)l[at - 1]))
			at--; /* a frame starts with its blanks */
		if (match_frame(l + at, n - at, f) || match_bare_frame(l + at, n - at, f)) {
			m->period = (span){ NULL, 0 };
			return true;
		}
	}
	return false;
}

static void start_record(reader *r, const char *l, size_t n, const event_line *e, bool indented)
{
	event_more m;
	parse_event_more(l, n, e->rest, &m);
	/* the frame first: it may show that a "period" was its address */
	frame_line f;
	bool frame = !e->event.n && inline_frame(l, n, &m, indented, &f);
	span event = e->event.n ? e->event : m.event;
	span period = e->event.n ? e->period : m.period;
	if (event.n) {
		if (!r->event) {
			r->event = xstrndup(event.s, event.n);
		} else if (!span_eq(event, r->event)) {
			r->other_events++;
			return;
		}
	}
	if (!r->typed)
		set_types(r, event.n ? event : (span){ r->event ? r->event : "", r->event ? strlen(r->event) : 0 },
			  period.n != 0);
	r->active = true;
	r->has_chain = false;
	r->chain_head = e->event.n != 0;
	r->depth = 0;
	/* "0/0", "N": the thread; the pid only when a second non-zero number
	 * follows (the script's `not $tid`) */
	bool two = e->tid.n && !span_eq(e->tid, "0");
	int64_t tid = parse_dec(two ? e->tid : e->pid);
	r->tid = tid <= INT32_MAX ? (int32_t)tid : -1;
	int64_t pid = two ? parse_dec(e->pid) : -1;
	/* the script counts 1 for a missing period, and for "0" */
	r->period = period.n && !span_eq(period, "0") ? parse_dec(period) : 1;
	r->time_ns = m.time_ns;
	if (m.time_ns >= 0) {
		if (!r->any_time || m.time_ns < r->tmin)
			r->tmin = m.time_ns;
		r->any_time = true;
	}
	sb_reset(&r->key);
	sb_add(&r->key, e->comm.s, e->comm.n);
	sb_addf(&r->key, "%c%" PRId64, '\0', pid);
	uint32_t *ls = stab_get(&r->lsets, r->key.buf, r->key.len);
	if (*ls == UINT32_MAX) {
		prof_label lab[2] = {
			{ prof_intern(r->p, "comm"), prof_intern_n(r->p, e->comm.s, e->comm.n), 0, NULL },
			{ prof_intern(r->p, "pid"), NULL, pid, NULL },
		};
		*ls = prof_intern_labelset(r->p, lab, pid >= 0 ? 2 : 1);
	}
	r->labelset = *ls;
	if (r->tid >= 0) {
		const char *name = prof_intern_n(r->p, e->comm.s, e->comm.n);
		if (prof_thread_name(r->p, r->tid) != name)
			prof_set_thread_name(r->p, r->tid, name);
		if (pid > 0 && pid <= INT32_MAX)
			prof_set_thread_pid(r->p, r->tid, (int32_t)pid); /* --pid */
	}
	if (frame)
		add_frame(r, &f);
}

/* "TIME: PERF_RECORD_..." after the event head (with "[CPU]" before the
 * time when perf prints it) */
static bool is_sideband(const char *l, size_t n)
{
	static const char tag[] = ": PERF_RECORD_";
	size_t k = sizeof(tag) - 1;
	for (size_t i = 0; i + k <= n && i < 48; i++)
		if (l[i] == ':')
			return memcmp(l + i, tag, k) == 0;
	return false;
}

/* A side-band line: "COMM TID TIME: PERF_RECORD_X ...", indented as perf
 * indents every line of a recording without callchains, or a bare
 * "PERF_RECORD_X" (--show-round-events). */
static bool sideband_line(const char *l, size_t n)
{
	if (n >= 12 && !memcmp(l, "PERF_RECORD_", 12))
		return true;
	size_t b = 0;
	while (b < n && pl_space((unsigned char)l[b]))
		b++;
	event_line e;
	return match_event_head(l + b, n - b, &e) && is_sideband(l + b + e.rest, n - b - e.rest);
}

/* perf record without callchains, then perf script: each sample is one
 * line, the command right-aligned in 16 columns ("            perl 11810
 * 41884.307170:     250000 cpu-clock:pppH:      7f26789c9477 sym+0x27
 * (/usr/bin/perl)"). stackcollapse-perf.pl's event pattern wants a
 * non-blank first byte and reads nothing of such text; cprof reads a line
 * that starts with blanks as an event line when what follows them is one
 * with a time and the sample's frame, so a callchain's frame line (an
 * address, a symbol, a dso) never is. *off: where it starts. */
static bool match_indented_head(const char *l, size_t n, event_line *e, size_t *off)
{
	size_t i = 0;
	while (i < n && pl_space((unsigned char)l[i]))
		i++;
	/* a line ending in a word of decimal digits is a folded line (its
	 * count), whatever its first name holds: perf ends a record's line
	 * with its symbol, its dso or a hex address */
	size_t end = n, w;
	while (end > i && pl_space((unsigned char)l[end - 1]))
		end--;
	for (w = end; w > i && pl_digit((unsigned char)l[w - 1]); w--)
		;
	if (w < end && w > i && pl_space((unsigned char)l[w - 1]))
		return false;
	if (!i || !match_event_head(l + i, n - i, e))
		return false;
	event_more m;
	parse_event_more(l + i, n - i, e->rest, &m);
	frame_line f;
	if (m.time_ns < 0 || !inline_frame(l + i, n - i, &m, true, &f))
		return false;
	*off = i;
	return true;
}

int perfscript_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		    cprof_err *err)
{
	reader r = { .p = p, .o = o };
	p->source_format = prof_intern(p, PERFSCRIPT_FORMAT);
	if (o && o->event && *o->event)
		r.event = xstrdup(o->event);
	const char *s = (const char *)d;
	size_t pos = 0, lineno = 0;
	int rc = 0;
	while (pos < n) {
		const char *l = s + pos;
		const char *nl = memchr(l, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - l) : n - pos;
		pos += len + (nl ? 1 : 0);
		lineno++;
		if (len && l[len - 1] == '\r')
			len--;
		if (memchr(l, '\0', len)) {
			rc = cprof_fail(err, "line %zu: NUL byte in perf script text", lineno);
			goto out;
		}
		if (len && l[0] == '#')
			continue;
		if (!len) {
			flush(&r);
			continue;
		}
		event_line e;
		frame_line f;
		size_t off = 0;
		/* an indented line is a frame of a callchain, or (perf record
		 * without callchains) a whole record or a side-band line */
		bool record_line = !(r.active && r.chain_head);
		if (record_line && pl_space((unsigned char)l[0]) && sideband_line(l, len)) {
			flush(&r);
		} else if (match_event_head(l, len, &e) ||
			   (record_line && match_indented_head(l, len, &e, &off))) {
			l += off;
			len -= off;
			/* a record without callchain ends at the next event line */
			flush(&r);
			/* side-band lines (--show-mmap-events, --show-task-events,
			 * --show-switch-events, ...): "COMM TID TIME: PERF_RECORD_X
			 * ...". Never a sample: stackcollapse-perf.pl finds no event
			 * name in them and no stack after them */
			if (is_sideband(l + e.rest, len - e.rest))
				continue;
			match_event_tail(l, len, &e);
			start_record(&r, l, len, &e, off != 0);
		} else if (match_frame(l, len, &f) || match_bare_frame(l, len, &f)) {
			if (r.active) {
				r.has_chain = true;
				add_frame(&r, &f);
			}
		} else if (!(len >= 12 && memcmp(l, "PERF_RECORD_", 12) == 0)) {
			r.unknown_lines++; /* (--show-round-events prints a bare one) */
		}
	}
	if (r.active && r.has_chain) {
		prof_warnf(o, "the last record's callchain is not ended by a blank line (input cut "
			      "short?): left out, as stackcollapse-perf.pl does");
		r.active = false;
	}
	flush(&r);
	if (!r.records) {
		if (r.other_events && o && o->event)
			rc = cprof_fail(err, "no record of event '%s' (perf script holds other events)",
					o->event);
		else
			rc = cprof_fail(err, "no sample record in the perf script text");
		goto out;
	}
	if (r.other_events)
		prof_warnf(o, "%zu records of events other than '%s' left out (choose with --event)",
			   r.other_events, r.event);
	if (r.unknown_lines)
		prof_warnf(o, "%zu lines that are neither event lines nor frames skipped",
			   r.unknown_lines);
	if (r.any_time) {
		p->has_timestamps = true;
		for (size_t i = 0; i < p->nsamples; i++)
			if (p->samples[i].time_ns >= 0)
				p->samples[i].time_ns -= r.tmin;
	}
out:
	stab_free(&r.maps);
	stab_free(&r.locs);
	stab_free(&r.lsets);
	sb_release(&r.key);
	free(r.stack);
	free(r.parts);
	free(r.lines);
	free(r.event);
	return rc;
}

/* ---- detection --------------------------------------------------------- */

static bool printable_line(const char *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		if (c < 0x20 && c != '\t' && c != '\r')
			return false;
		if (c == 0x7f)
			return false;
	}
	return true;
}

bool perfscript_looks_like(const unsigned char *d, size_t n)
{
	const char *s = (const char *)d;
	size_t pos = 0;
	/* perf script --header: comment lines first; --show-mmap-events
	 * (-task-, -switch-, -round-, ...): side-band records, as many as the
	 * recording's start mapped (their first 1 MiB is looked at) */
	for (;;) {
		if (pos >= n || pos > (1u << 20))
			return false;
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - (s + pos)) : n - pos;
		bool sideband = printable_line(s + pos, len) && sideband_line(s + pos, len);
		if (len && s[pos] != '#' && !sideband)
			break;
		if (!nl)
			return false;
		pos += len + 1;
	}
	const char *l1 = s + pos;
	const char *nl = memchr(l1, '\n', n - pos);
	size_t len1 = nl ? (size_t)(nl - l1) : n - pos;
	if (len1 && l1[len1 - 1] == '\r')
		len1--;
	event_line e;
	size_t off;
	if (!printable_line(l1, len1))
		return false;
	if (match_indented_head(l1, len1, &e, &off))
		return true;
	if (!match_event_head(l1, len1, &e))
		return false;
	if (nl) {
		const char *l2 = nl + 1;
		size_t rest = n - (size_t)(l2 - s);
		const char *nl2 = memchr(l2, '\n', rest);
		size_t len2 = nl2 ? (size_t)(nl2 - l2) : rest;
		frame_line f;
		/* old perf versions print frames without the indent: then the
		 * address must be hex */
		/* perf prints a frame's dso last, in parentheses; a folded
		 * line (cprof-fold's output) always ends in its count */
		while (len2 && (l2[len2 - 1] == '\r' || pl_space((unsigned char)l2[len2 - 1])))
			len2--;
		if (printable_line(l2, len2) && len2 && l2[len2 - 1] == ')' &&
		    (match_frame(l2, len2, &f) || match_bare_frame(l2, len2, &f)) &&
		    (pl_space((unsigned char)l2[0]) || parse_hex(f.pc) || span_eq(f.pc, "0")))
			return true;
		/* -F without dso (and without event: the head then ends in the
		 * period, like a folded line): a tab-indented hex address under a
		 * head with a time. cprof-fold never writes a tab (names' control
		 * characters become spaces). */
		event_more m;
		if (printable_line(l2, len2) && len2 && l2[0] == '\t' && match_bare_frame(l2, len2, &f) &&
		    parse_hex(f.pc)) {
			parse_event_more(l1, len1, e.rest, &m);
			if (m.time_ns >= 0)
				return true;
		}
	}
	match_event_tail(l1, len1, &e);
	if (e.event.n)
		return true;
	if (flamegraph_line_has_count(l1, len1))
		return false; /* "x 12 y 3": a folded line, not a record without stack */
	event_more m;
	parse_event_more(l1, len1, e.rest, &m);
	return m.time_ns >= 0;
}

bool perfscript_is(const profile *p)
{
	return p->source_format && !strcmp(p->source_format, PERFSCRIPT_FORMAT);
}
