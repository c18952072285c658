/*
 * perfdata: perf.data -> model (contract in perfdata.h). The layout is the
 * kernel's (include/uapi/linux/perf_event.h) and perf's
 * (tools/perf/util/header.h):
 *
 *   file header (104 bytes): "PERFILE2", header size, attr entry size,
 *     sections {offset, size} of the attrs, the data, the event types,
 *     and a 256-bit bitmap of the feature sections that follow the data;
 *   attrs: perf_event_attr + {offset, size} of its sample ids, per event;
 *   data: records {u32 type, u16 misc, u16 size, body};
 *   features: one {offset, size} per set bit, in bit order, at the end of
 *     the data; bit 2 (HEADER_BUILD_ID) holds build_id_event records.
 *
 * Two passes over the records: the first collects mappings, execs, forks,
 * thread names and lost counts (a sample may come before the MMAP record of
 * its code in the file: perf writes per-CPU buffers round by round), the
 * second turns samples into model samples. As in rawread.c, the per-sample
 * work is one hash of the callchain bytes, straight from the file: a cache
 * maps (pid, mapping epoch, callchain) to a model stack, and frames are
 * resolved only on a miss. A process's epoch counts its mapping events up
 * to the sample's time: within one, every address resolves the same way.
 */
#include "perfdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "dwunwind.h"
#include "gzip.h"
#include "perfmap.h"
#include "symbolize.h"
#include "vdso.h"

/* ---- the numbers of the format ----------------------------------------- */

enum {
	REC_MMAP = 1, REC_LOST = 2, REC_COMM = 3, REC_EXIT = 4, REC_FORK = 7, REC_SAMPLE = 9,
	REC_MMAP2 = 10, REC_COMPRESSED = 81, REC_COMPRESSED2 = 83,
	/* in pipe mode (perf record -o -): what a file keeps in its header */
	REC_HEADER_ATTR = 64, REC_HEADER_EVENT_TYPE = 65, REC_HEADER_TRACING_DATA = 66,
	REC_HEADER_BUILD_ID = 67, REC_AUXTRACE = 71, REC_HEADER_FEATURE = 80,
};
#define S_IDENTIFIER (1u << 16)
#define S_IP (1u << 0)
#define S_TID (1u << 1)
#define S_TIME (1u << 2)
#define S_ADDR (1u << 3)
#define S_READ (1u << 4)
#define S_CALLCHAIN (1u << 5)
#define S_ID (1u << 6)
#define S_CPU (1u << 7)
#define S_PERIOD (1u << 8)
#define S_STREAM_ID (1u << 9)
#define S_RAW (1u << 10)
#define S_BRANCH_STACK (1u << 11)
#define S_REGS_USER (1u << 12)
#define S_STACK_USER (1u << 13)
#define RF_TOTAL_TIME_ENABLED 1u
#define RF_TOTAL_TIME_RUNNING 2u
#define RF_ID 4u
#define RF_GROUP 8u
#define RF_LOST 16u
#define MISC_CPUMODE_MASK 7u
#define MISC_KERNEL 1u
#define MISC_COMM_EXEC (1u << 13)
#define MISC_MMAP_BUILD_ID (1u << 14)
#define MISC_BUILD_ID_SIZE (1u << 15)
#define CONTEXT_MAX ((uint64_t)-4095)
#define CONTEXT_USER ((uint64_t)-512)
#define FEAT_BUILD_ID 2
#define FEAT_EVENT_DESC 12
#define HEADER_SIZE 104
#define MAX_FRAMES 65536

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}
static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static uint16_t rd16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

bool perfdata_looks_like(const unsigned char *d, size_t n)
{
	if (n < 8 || (memcmp(d, "PERFILE2", 8) && memcmp(d, "2ELIFREP", 8)))
		return false;
	/* the header size after the magic (104, or 16 in a pipe) has NUL
	 * bytes, which text never has: a folded stack whose root frame starts
	 * with "PERFILE2" is not perf.data */
	size_t k = n < 16 ? n : 16;
	return n == 8 || memchr(d + 8, 0, k - 8) != NULL;
}

/* ---- what pass 1 collects ------------------------------------------------ */

typedef struct pmap {
	uint32_t pid;
	uint64_t time, start, limit, pgoff;
	uint32_t model; /* index into p->mappings */
} pmap;

typedef struct pev { /* an exec or a fork of pid at time */
	uint32_t pid, ppid;
	uint64_t time;
} pev;

typedef struct ksym {
	uint64_t addr;
	const char *name; /* into pd.kbuf */
} ksym;

typedef struct pstack { /* the stack cache's entries (and its keys) */
	const unsigned char *ips; /* into the file */
	uint32_t n, pid, epoch, stack;
} pstack;

typedef struct psample {
	uint64_t time;
	size_t seq; /* file order: ties keep it */
	uint32_t stack;
	int32_t tid;
	int64_t period;
} psample;

typedef struct pd {
	profile *p;
	const prof_read_opts *o;
	const unsigned char *d;
	size_t n;
	uint64_t sample_type, read_format, regs_mask;
	uint64_t fixed_period; /* a sample's period when PERIOD is not recorded (-c N) */
	uint64_t attr_at;      /* file offset of the attr of the event read */
	bool id_all;
	bool expanded;         /* the records read are the decompressed ones (perf record -z) */
	bool mono;             /* sample times are CLOCK_MONOTONIC */
	size_t id_trailer, id_time_at; /* sample_id trailer size, TIME's offset in it */
	size_t sample_id_at; /* the event id's offset in a sample; SIZE_MAX: none */
	pmap *maps;
	size_t nmaps, maps_alloc;
	pev *execs, *forks;
	size_t nexecs, execs_alloc, nforks, forks_alloc;
	/* build-ids by file name: "path\0hex\0"... */
	const char **bid_file, **bid_hex;
	size_t nbid, bid_alloc, bidh_alloc;
	ksym *ksyms;
	size_t nksyms;
	char *kbuf; /* /proc/kallsyms' text */
	bool kallsyms_tried;
	uint32_t kmap;   /* the kernel's model mapping, PROF_NONE until used */
	uint32_t kframe; /* index+1 of the "[kernel]" location */
	hidx stab;       /* (ips, pid, epoch) -> index into stacks */
	pstack *stacks;
	size_t nstacks, stacks_alloc;
	uint32_t *locbuf;
	size_t locbuf_alloc;
	int32_t *loc_pid; /* per location: the process of its first user frame */
	size_t loc_pid_alloc;
	dwu *unwinder;         /* --call-graph dwarf samples */
	uint64_t unwind_key;    /* the module set the unwinder has */
	uint64_t *ubuf;         /* kernel part + unwound user frames */
	uint64_t nlost, nbad, nstack_user, nunwound;
	char first_bad[160];
} pd;

static void bad(pd *r, const char *fmt, size_t at)
{
	if (!r->nbad++)
		snprintf(r->first_bad, sizeof(r->first_bad), fmt, at);
}

/* ---- records --------------------------------------------------------------- */

typedef struct rec {
	uint32_t type;
	uint16_t misc;
	const unsigned char *b; /* body */
	size_t len;             /* body length */
	size_t at;              /* file offset of the record */
} rec;

typedef struct iter {
	const unsigned char *d;
	size_t pos, end;
	bool cut;
} iter;

static bool next_rec(iter *it, rec *r)
{
	if (it->pos >= it->end)
		return false;
	if (it->end - it->pos < 8) {
		it->cut = true;
		return false;
	}
	const unsigned char *h = it->d + it->pos;
	uint16_t size = rd16(h + 6);
	if (size < 8 || size > it->end - it->pos) {
		it->cut = true;
		return false;
	}
	r->type = rd32(h);
	r->misc = rd16(h + 4);
	r->b = h + 8;
	r->len = size - 8u;
	r->at = it->pos;
	it->pos += size;
	return true;
}

/* The time in a non-sample record's sample_id trailer, or 0. */
static uint64_t rec_time(const pd *r, const rec *x)
{
	if (!r->id_all || !(r->sample_type & S_TIME) || x->len < r->id_trailer)
		return 0;
	return rd64(x->b + x->len - r->id_trailer + r->id_time_at);
}

/* A NUL-terminated string at b[0..len): its length, or len if unterminated. */
static size_t str_len(const unsigned char *b, size_t len)
{
	const unsigned char *z = memchr(b, 0, len);
	return z ? (size_t)(z - b) : len;
}

static const char *build_id_of(const pd *r, const char *file)
{
	for (size_t i = r->nbid; i-- > 0;)
		if (r->bid_file[i] == file)
			return r->bid_hex[i];
	return prof_intern(r->p, "");
}

static void add_map(pd *r, const rec *x, bool two)
{
	/* MMAP: pid tid addr len pgoff filename; MMAP2: + 24 bytes of
	 * maj/min/ino/generation or build-id, prot, flags, then filename */
	size_t fixed = two ? 64 : 32;
	if (x->len < fixed + 1) {
		bad(r, "MMAP record at byte %zu: too short", x->at);
		return;
	}
	const unsigned char *b = x->b;
	/* data mappings (perf records them for --call-graph dwarf, -d): no
	 * code lives there; MMAP2 has the protection, MMAP a flag */
	if (two ? !(rd32(b + 56) & 4 /* PROT_EXEC */) : (x->misc & (1u << 13)))
		return;
	uint64_t start = rd64(b + 8), len = rd64(b + 16);
	if (!len || start + len < start)
		return;
	size_t flen = x->len - fixed;
	if (r->id_all && r->id_trailer < flen)
		flen -= r->id_trailer;
	const char *file = prof_intern_n(r->p, (const char *)b + fixed, str_len(b + fixed, flen));
	prof_mapping pm = { 0 };
	pm.start = start;
	pm.limit = start + len;
	pm.offset = rd64(b + 24);
	pm.file = file;
	strbuf sb = STRBUF_INIT;
	if (two && (x->misc & MISC_MMAP_BUILD_ID) && b[32] <= 20) {
		sb_add_hex(&sb, b + 36, b[32]);
		pm.build_id = prof_intern_n(r->p, sb.buf ? sb.buf : "", sb.len);
	} else {
		pm.build_id = NULL; /* later, from the feature section */
	}
	sb_release(&sb);
	ALLOC_GROW(r->maps, r->nmaps + 1, r->maps_alloc);
	pmap *m = &r->maps[r->nmaps++];
	m->pid = rd32(b);
	m->time = rec_time(r, x);
	m->start = pm.start;
	m->limit = pm.limit;
	m->pgoff = pm.offset;
	/* the model mapping is made after pass 1 (the build-id section is
	 * read by then); stash the fields in a mapping of its own now */
	if (!pm.build_id)
		pm.build_id = prof_intern(r->p, "\x01"); /* "look it up" */
	m->model = prof_add_mapping(r->p, &pm);
}

static void build_ids(pd *r, size_t off, size_t size)
{
	size_t end = off + size;
	strbuf sb = STRBUF_INIT;
	while (end - off >= 8 + 4 + 24) {
		const unsigned char *h = r->d + off;
		uint16_t rs = rd16(h + 6), misc = rd16(h + 4);
		if (rs < 8 + 4 + 24 || rs > end - off)
			break;
		size_t idn = 20;
		if (misc & MISC_BUILD_ID_SIZE)
			idn = h[12 + 20] <= 20 ? h[12 + 20] : 20;
		sb_reset(&sb);
		sb_add_hex(&sb, h + 12, idn);
		size_t fl = str_len(h + 36, rs - 36u);
		ALLOC_GROW(r->bid_file, r->nbid + 1, r->bid_alloc);
		ALLOC_GROW(r->bid_hex, r->nbid + 1, r->bidh_alloc);
		r->bid_file[r->nbid] = prof_intern_n(r->p, (const char *)h + 36, fl);
		r->bid_hex[r->nbid++] = prof_intern(r->p, sb.buf ? sb.buf : "");
		off += rs;
	}
	sb_release(&sb);
}

/* ---- kernel symbols -------------------------------------------------------- */

static int cmp_ksym(const void *a, const void *b)
{
	const ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The running kernel's GNU build-id, in hex as the build-id section's,
 * from /sys/kernel/notes; false when it cannot be read. */
static bool running_kernel_build_id(strbuf *out)
{
	unsigned char *d;
	size_t n;
	cprof_err e;
	if (read_file_all("/sys/kernel/notes", (size_t)1 << 16, &d, &n, &e) < 0)
		return false;
	bool found = false;
	for (size_t at = 0; !found && n - at >= 12;) {
		uint32_t namesz = rd32(d + at), descsz = rd32(d + at + 4), type = rd32(d + at + 8);
		size_t name = at + 12, desc = name + ((namesz + 3u) & ~3u);
		if (namesz > n || descsz > n || desc > n || n - desc < descsz)
			break;
		if (type == 3 && namesz == 4 && !memcmp(d + name, "GNU", 4) && descsz >= 1 &&
		    descsz <= 20) {
			sb_add_hex(out, d + desc, descsz);
			found = true;
		}
		at = desc + ((descsz + 3u) & ~3u);
	}
	free(d);
	return found;
}

/* /proc/kallsyms' text symbols ("ADDR t NAME [module]"), parsed by hand:
 * it has ~200k lines and the kernel is slow enough producing them. The
 * names stay in r->kbuf; a name is interned only when a frame uses it. */
static void load_kallsyms(pd *r)
{
	r->kallsyms_tried = true;
	unsigned char *buf;
	size_t len;
	cprof_err e;
	/* another kernel's recording: this kernel's symbols would name its
	 * frames wrongly, so they stay one [kernel] frame, as perf report
	 * leaves them unnamed when the build-ids differ */
	const char *rec = build_id_of(r, prof_intern(r->p, "[kernel.kallsyms]"));
	strbuf run = STRBUF_INIT;
	bool other = *rec && running_kernel_build_id(&run) && strcmp(rec, run.buf) != 0;
	if (other)
		prof_warnf(r->o, "recorded on another kernel (build-id %s, running %s): kernel frames "
				 "are shown as one [kernel] frame",
			   rec, run.buf);
	sb_release(&run);
	if (other)
		return;
	if (read_file_all("/proc/kallsyms", (size_t)256 << 20, &buf, &len, &e) < 0)
		return;
	r->kbuf = (char *)buf;
	size_t alloc = 0;
	bool nonzero = false, sorted = true;
	for (size_t i = 0; i < len;) {
		char *line = r->kbuf + i, *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		i += ll + 1;
		uint64_t a = 0;
		size_t k = 0;
		int h;
		for (; k < ll && (h = hexval(line[k])) >= 0 && k < 16; k++)
			a = a << 4 | (uint64_t)h;
		if (k == 0 || k + 3 > ll || line[k] != ' ' || line[k + 2] != ' ')
			continue;
		char t = line[k + 1];
		if (t != 't' && t != 'T' && t != 'w' && t != 'W')
			continue;
		char *name = line + k + 3, *ne = name;
		while (ne < line + ll && *ne != ' ' && *ne != '\t')
			ne++;
		if (ne == name)
			continue;
		*ne = 0; /* the module ("[ext4]") or the newline goes */
		nonzero |= a != 0;
		if (r->nksyms && a < r->ksyms[r->nksyms - 1].addr)
			sorted = false;
		ALLOC_GROW(r->ksyms, r->nksyms + 1, alloc);
		r->ksyms[r->nksyms].addr = a;
		r->ksyms[r->nksyms++].name = name;
	}
	if (!nonzero) { /* kptr_restrict: every address reads 0 */
		free(r->ksyms);
		r->ksyms = NULL;
		r->nksyms = 0;
		return;
	}
	if (!sorted)
		qsort(r->ksyms, r->nksyms, sizeof(*r->ksyms), cmp_ksym);
}

static const char *ksym_name(const pd *r, uint64_t a)
{
	size_t lo = 0, hi = r->nksyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->ksyms[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? r->ksyms[lo - 1].name : NULL;
}

/* ---- mappings over time ---------------------------------------------------- */

static int cmp_map(const void *a, const void *b)
{
	const pmap *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->model < y->model ? -1 : x->model > y->model;
}

static int cmp_ev(const void *a, const void *b)
{
	const pev *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

/* [*lo, *hi) of the pid's entries in an array sorted by pid */
#define PID_RANGE(arr, n, pid_, lo, hi)                                 \
	do {                                                            \
		size_t a_ = 0, b_ = (n);                                \
		while (a_ < b_) {                                       \
			size_t m_ = (a_ + b_) / 2;                      \
			if ((arr)[m_].pid < (pid_))                     \
				a_ = m_ + 1;                            \
			else                                            \
				b_ = m_;                                \
		}                                                       \
		*(lo) = a_;                                             \
		while (a_ < (n) && (arr)[a_].pid == (pid_))             \
			a_++;                                           \
		*(hi) = a_;                                             \
	} while (0)

/* The time of pid's last exec at or before t, or 0. */
static uint64_t last_exec(const pd *r, uint32_t pid, uint64_t t)
{
	size_t lo, hi;
	PID_RANGE(r->execs, r->nexecs, pid, &lo, &hi);
	uint64_t e = 0;
	for (size_t i = lo; i < hi && r->execs[i].time <= t; i++)
		e = r->execs[i].time;
	return e;
}

/* pid's mapping epoch at t: its mapping and exec events up to t. */
static uint32_t epoch_of(const pd *r, uint32_t pid, uint64_t t)
{
	size_t lo, hi, k = 0;
	PID_RANGE(r->maps, r->nmaps, pid, &lo, &hi);
	for (size_t a = lo, b = hi; a < b;) {
		size_t m = (a + b) / 2;
		if (r->maps[m].time <= t)
			a = m + 1;
		else
			b = m;
		k = a - lo;
	}
	size_t el, eh;
	PID_RANGE(r->execs, r->nexecs, pid, &el, &eh);
	for (size_t i = el; i < eh && r->execs[i].time <= t; i++)
		k++;
	return (uint32_t)k;
}

static uint32_t find_map(const pd *r, uint32_t pid, uint64_t t, uint64_t a, int depth)
{
	size_t lo, hi;
	PID_RANGE(r->maps, r->nmaps, pid, &lo, &hi);
	uint64_t ex = last_exec(r, pid, t);
	for (size_t i = hi; i-- > lo;) {
		const pmap *m = &r->maps[i];
		if (m->time > t)
			continue;
		if (m->time < ex)
			break;
		if (m->start <= a && a < m->limit)
			return m->model;
	}
	if (!ex && depth < 16) {
		size_t fl, fh;
		PID_RANGE(r->forks, r->nforks, pid, &fl, &fh);
		if (fl < fh && r->forks[fl].time <= t) {
			uint32_t m = find_map(r, r->forks[fl].ppid, r->forks[fl].time, a, depth + 1);
			if (m != PROF_NONE)
				return m;
		}
	}
	/* a sample before its mapping was recorded */
	for (size_t i = lo; i < hi; i++)
		if (r->maps[i].time > t && r->maps[i].start <= a && a < r->maps[i].limit)
			return r->maps[i].model;
	return PROF_NONE;
}

/* ---- stacks ----------------------------------------------------------------- */

static uint32_t kernel_location(pd *r, uint64_t a)
{
	if (!r->kallsyms_tried)
		load_kallsyms(r);
	if (!r->nksyms) {
		if (!r->kframe) {
			prof_line l = { prof_intern_function(r->p, "[kernel]", "[kernel]", "", 0), 0, 0 };
			r->kframe = prof_add_location(r->p, PROF_NONE, 0, &l, 1) + 1;
		}
		return r->kframe - 1;
	}
	if (r->kmap == PROF_NONE) {
		prof_mapping km = { 0 };
		km.start = 1ULL << 63;
		km.limit = UINT64_MAX;
		km.file = prof_intern(r->p, "[kernel.kallsyms]");
		km.build_id = prof_intern(r->p, "");
		km.has_functions = true;
		r->kmap = prof_add_mapping(r->p, &km);
	}
	uint32_t loc = prof_intern_location(r->p, r->kmap, a);
	if (!r->p->locations[loc].nlines) {
		const char *name = ksym_name(r, a);
		if (name) {
			prof_line l = { prof_intern_function(r->p, name, name, "", 0), 0, 0 };
			prof_set_location_lines(r->p, loc, &l, 1);
		}
	}
	return loc;
}

/* Resolves a callchain (ips[0..n), with context markers) into a model stack. */
static uint32_t make_stack(pd *r, const unsigned char *ips, uint32_t n, bool kernel_ip,
			   uint32_t pid, uint64_t t)
{
	ALLOC_GROW(r->locbuf, (size_t)n + 1, r->locbuf_alloc);
	uint32_t depth = 0;
	bool kernel = kernel_ip;
	bool exact = true; /* the next address is where the CPU stopped */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = rd64(ips + 8 * (size_t)i);
		if (a >= CONTEXT_MAX) {
			kernel = a != CONTEXT_USER;
			exact = true;
			continue;
		}
		/* A user caller is a return address: minus one lands on the call
		 * (its line, and the right function after a noreturn call). The
		 * first user address after a kernel part is not: it is where the
		 * syscall, interrupt or exception stopped the program (at a
		 * function's first byte, minus one would name the function
		 * before it). A kernel chain also holds such exact IPs: kernel
		 * frames are looked up as they are, as perf report does. */
		uint64_t la = !exact && !kernel ? a - 1 : a;
		exact = false;
		uint32_t loc;
		if (kernel) {
			loc = kernel_location(r, la);
			if (depth && r->locbuf[depth - 1] == loc && loc + 1 == r->kframe)
				continue; /* one [kernel] frame for the kernel part */
		} else {
			uint32_t m = find_map(r, pid, t, la, 0);
			loc = prof_intern_location(r->p, m, la);
			if (loc >= r->loc_pid_alloc) {
				size_t old = r->loc_pid_alloc;
				ALLOC_GROW(r->loc_pid, (size_t)loc + 1, r->loc_pid_alloc);
				memset(r->loc_pid + old, 0, (r->loc_pid_alloc - old) * sizeof(int32_t));
			}
			if (!r->loc_pid[loc])
				r->loc_pid[loc] = (int32_t)pid;
		}
		r->locbuf[depth++] = loc;
	}
	return prof_intern_stack(r->p, r->locbuf, depth);
}

static bool pstack_eq(const void *ctx, uint32_t i, const void *key)
{
	const pstack *c = &((const pd *)ctx)->stacks[i], *k = key;
	return c->n == k->n && c->pid == k->pid && c->epoch == k->epoch &&
	       !memcmp(c->ips, k->ips, (size_t)k->n * 8);
}

static uint32_t sample_stack(pd *r, const unsigned char *ips, uint32_t n, bool kernel_ip,
			     uint32_t pid, uint64_t t)
{
	uint32_t epoch = epoch_of(r, pid, t);
	/* kernel_ip only in the hash: hidx compares hashes before keys */
	uint32_t h = (uint32_t)hash_bytes(ips, (size_t)n * 8, (uint64_t)pid << 32 | epoch) ^ (kernel_ip ? 0x5bd1e995u : 0);
	pstack key = { ips, n, pid, epoch, 0 };
	size_t slot;
	uint32_t i = hidx_find(&r->stab, h, pstack_eq, r, &key, &slot);
	if (i != HIDX_NONE)
		return r->stacks[i].stack;
	key.stack = make_stack(r, ips, n, kernel_ip, pid, t);
	ALLOC_GROW(r->stacks, r->nstacks + 1, r->stacks_alloc);
	r->stacks[r->nstacks] = key;
	hidx_set(&r->stab, slot, h, (uint32_t)r->nstacks++);
	return key.stack;
}

/* ---- --call-graph dwarf ------------------------------------------------------ */

#define MAX_UNWIND 512

/* The file-backed mappings of pid at t (as find_map sees them), one per
 * file, appended to *mods from n on; returns the new count. */
static size_t gather_modules(const pd *r, uint32_t pid, uint64_t t, dwu_module **mods,
			     size_t *alloc, size_t n, int depth)
{
	size_t lo, hi;
	PID_RANGE(r->maps, r->nmaps, pid, &lo, &hi);
	uint64_t ex = last_exec(r, pid, t);
	for (size_t i = lo; i < hi; i++) {
		const pmap *m = &r->maps[i];
		const prof_mapping *pm = &r->p->mappings[m->model];
		const char *f = pm->file;
		if (m->time > t || m->time < ex)
			continue;
		/* the vdso (no file) when it is this system's, or when no
		 * build-id was recorded (perf record -z, --no-buildid), as perf
		 * report assumes: its CFI unwinds a sample taken in it
		 * (clock_gettime), as perf's copy of it does */
		bool vdso = !strcmp(f, "[vdso]") && *vdso_build_id() &&
			    (!pm->build_id || !*pm->build_id || !strcmp(pm->build_id, vdso_build_id()));
		if (!vdso && (f[0] != '/' || f[1] == '/' || !strncmp(f, "/memfd:", 7)))
			continue;
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = (*mods)[j].path == f;
		if (dup)
			continue;
		ALLOC_GROW(*mods, n + 1, *alloc);
		(*mods)[n++] = (dwu_module){ m->start, m->pgoff, f };
	}
	if (!ex && depth < 16) {
		size_t fl, fh;
		PID_RANGE(r->forks, r->nforks, pid, &fl, &fh);
		if (fl < fh && r->forks[fl].time <= t)
			n = gather_modules(r, r->forks[fl].ppid, r->forks[fl].time, mods, alloc, n,
					   depth + 1);
	}
	return n;
}

/* A --call-graph dwarf sample's stack: the kernel part of its callchain,
 * then its user stack unwound with libdw; PROF_NONE if nothing unwound. */
static uint32_t dwarf_stack(pd *r, const unsigned char *chain, uint32_t nchain,
			    const unsigned char *regs, size_t nregs, const unsigned char *ustack,
			    size_t ulen, bool kip, uint32_t pid, uint32_t tid, uint64_t t)
{
	if (!r->unwinder)
		r->unwinder = dwu_new();
	uint64_t key = ((uint64_t)pid << 32 | epoch_of(r, pid, t)) + 1;
	dwu_module *mods = NULL;
	size_t nmods = 0, alloc = 0;
	if (key != r->unwind_key)
		nmods = gather_modules(r, pid, t, &mods, &alloc, 0, 0);
	r->unwind_key = key;
	uint64_t rv[64];
	if (nregs > 64)
		nregs = 64;
	for (size_t i = 0; i < nregs; i++)
		rv[i] = rd64(regs + 8 * i);
	if (!r->ubuf)
		r->ubuf = xmalloc(st_mult(MAX_FRAMES + MAX_UNWIND + 2, sizeof(uint64_t)));
	size_t k = 0;
	for (uint32_t i = 0; i < nchain; i++) {
		uint64_t a = rd64(chain + 8 * (size_t)i);
		if (a == CONTEXT_USER)
			break;
		r->ubuf[k++] = a;
	}
	r->ubuf[k++] = CONTEXT_USER;
	size_t nu = dwu_unwind(r->unwinder, key, mods, nmods, (int32_t)pid, (int32_t)tid,
			       r->regs_mask, rv, nregs, ustack, ulen, r->ubuf + k, MAX_UNWIND);
	free(mods);
	if (!nu)
		return PROF_NONE;
	r->nunwound++;
	return make_stack(r, (const unsigned char *)r->ubuf, (uint32_t)(k + nu), kip, pid, t);
}

/* ---- samples ---------------------------------------------------------------- */

typedef struct sfields {
	uint64_t ip, time, period;
	uint32_t pid, tid;
	const unsigned char *chain;
	uint32_t nchain;
	bool stack_user;
	const unsigned char *regs, *ustack; /* REGS_USER, STACK_USER (or NULL) */
	size_t nregs, ustack_len;
} sfields;

static bool take(const rec *x, size_t *at, size_t k)
{
	if (x->len - *at < k)
		return false;
	*at += k;
	return true;
}

static bool parse_sample(const pd *r, const rec *x, sfields *s)
{
	uint64_t st = r->sample_type;
	size_t at = 0;
	memset(s, 0, sizeof(*s));
	s->period = r->fixed_period;
	if ((st & S_IDENTIFIER) && !take(x, &at, 8))
		return false;
	if (st & S_IP) {
		if (!take(x, &at, 8))
			return false;
		s->ip = rd64(x->b + at - 8);
	}
	if (st & S_TID) {
		if (!take(x, &at, 8))
			return false;
		s->pid = rd32(x->b + at - 8);
		s->tid = rd32(x->b + at - 4);
	}
	if (st & S_TIME) {
		if (!take(x, &at, 8))
			return false;
		s->time = rd64(x->b + at - 8);
	}
	if ((st & S_ADDR) && !take(x, &at, 8))
		return false;
	if ((st & S_ID) && !take(x, &at, 8))
		return false;
	if ((st & S_STREAM_ID) && !take(x, &at, 8))
		return false;
	if ((st & S_CPU) && !take(x, &at, 8))
		return false;
	if (st & S_PERIOD) {
		if (!take(x, &at, 8))
			return false;
		s->period = rd64(x->b + at - 8);
	}
	if (st & S_READ) {
		uint64_t rf = r->read_format;
		size_t extra = ((rf & RF_TOTAL_TIME_ENABLED) ? 8 : 0) +
			       ((rf & RF_TOTAL_TIME_RUNNING) ? 8 : 0);
		size_t per = 8 + ((rf & RF_ID) ? 8 : 0) + ((rf & RF_LOST) ? 8 : 0);
		if (rf & RF_GROUP) {
			if (!take(x, &at, 8))
				return false;
			uint64_t nr = rd64(x->b + at - 8);
			if (nr > (x->len - at) / per || !take(x, &at, extra + nr * per))
				return false;
		} else if (!take(x, &at, per + extra)) {
			return false;
		}
	}
	if (st & S_CALLCHAIN) {
		if (!take(x, &at, 8))
			return false;
		uint64_t nr = rd64(x->b + at - 8);
		if (nr > (x->len - at) / 8 || nr > MAX_FRAMES)
			return false;
		s->chain = x->b + at;
		s->nchain = (uint32_t)nr;
		at += (size_t)nr * 8;
	}
	s->stack_user = (st & S_STACK_USER) != 0;
	/* --call-graph dwarf: the user registers and the stack copy follow
	 * (a branch stack before them has a layout of its own: not read) */
	if (!s->stack_user || (st & S_BRANCH_STACK))
		return true;
	if (st & S_RAW) {
		if (x->len - at < 4 || x->len - at - 4 < rd32(x->b + at))
			return true;
		at += 4 + (size_t)rd32(x->b + at);
	}
	if (st & S_REGS_USER) {
		if (x->len - at < 8)
			return true;
		uint64_t abi = rd64(x->b + at);
		at += 8;
		if (abi) {
			size_t nr = (size_t)__builtin_popcountll(r->regs_mask);
			if ((x->len - at) / 8 < nr)
				return true;
			s->regs = x->b + at;
			s->nregs = nr;
			at += nr * 8;
		}
	}
	if (x->len - at < 8)
		return true;
	uint64_t size = rd64(x->b + at);
	at += 8;
	if (size > x->len - at || x->len - at - size < 8)
		return true;
	uint64_t dyn = rd64(x->b + at + size);
	s->ustack = x->b + at;
	s->ustack_len = dyn < size ? (size_t)dyn : (size_t)size;
	return true;
}

static int cmp_psample(const void *a, const void *b)
{
	const psample *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- the whole read ----------------------------------------------------------- */

static const char *hw_name(uint64_t c)
{
	static const char *const n[] = { "cycles", "instructions", "cache-references",
					 "cache-misses", "branches", "branch-misses",
					 "bus-cycles" };
	return c < ARRAY_SIZE(n) ? n[c] : "events";
}

/* ---- which event is read ------------------------------------------------ */

typedef struct ev_pick {
	uint64_t at;   /* file offset of its attr */
	uint64_t id0;  /* its first sample id (0: none) */
	char name[64]; /* HEADER_EVENT_DESC's name, else one made from the attr */
} ev_pick;

/* The name of the event of attr a when HEADER_EVENT_DESC gives none. */
static void attr_name(const unsigned char *a, size_t k, char *buf, size_t n)
{
	uint32_t type = rd32(a);
	uint64_t config = rd64(a + 8);
	if (type == 0)
		snprintf(buf, n, "%s", hw_name(config));
	else if (type == 1 && config <= 1)
		snprintf(buf, n, "%s", config ? "task-clock" : "cpu-clock");
	else
		snprintf(buf, n, "event %zu (type %u, config %#llx)", k + 1, type,
			 (unsigned long long)config);
}

/* Names the events of ev from HEADER_EVENT_DESC (d[fo..fo+fl)): u32 count,
 * u32 attr size, then per event its attr, u32 id count, a u32-sized name and
 * its u64 ids; an event gets the name whose ids hold its first id. */
static void event_desc_names(const unsigned char *d, size_t n, uint64_t fo, uint64_t fl, ev_pick *ev,
			     size_t nev)
{
	if (fo > n || fl > n - fo || fl < 8)
		return;
	const unsigned char *p = d + fo, *end = d + fo + fl;
	uint32_t nre = rd32(p), sz = rd32(p + 4);
	p += 8;
	for (uint32_t e = 0; e < nre && e < 4096; e++) {
		if ((size_t)(end - p) < (size_t)sz + 8)
			return;
		p += sz;
		uint32_t nids = rd32(p), len = rd32(p + 4);
		p += 8;
		if (len > (size_t)(end - p) || (size_t)nids * 8 > (size_t)(end - p) - len)
			return;
		const char *name = (const char *)p;
		size_t nl = strnlen(name, len);
		p += len;
		for (size_t i = 0; i < nev; i++)
			for (uint32_t k = 0; k < nids && ev[i].id0; k++)
				if (rd64(p + 8 * (size_t)k) == ev[i].id0 && nl && nl < sizeof(ev[i].name)) {
					memcpy(ev[i].name, name, nl);
					ev[i].name[nl] = '\0';
				}
		p += (size_t)nids * 8;
	}
}

/* Whether the event named have is the one asked for: the same name, or the
 * same before their modifiers ("cpu-clock" for "cpu-clock:u"). */
static bool event_is(const char *have, const char *want)
{
	size_t h = strcspn(have, ":"), w = strcspn(want, ":");
	return !strcmp(have, want) || (h == w && !memcmp(have, want, h) && (!have[h] || !want[w]));
}

/* Sets r->attr_at to the event read: --event's, else the first that is not
 * a "dummy" (perf record -a and others add one, config 9, for side-band
 * records only), warning when there are others. */
static int choose_event(pd *r, uint64_t aoff, uint64_t alen, uint64_t asize, uint64_t desc_off,
			uint64_t desc_len, cprof_err *err)
{
	const unsigned char *d = r->d;
	size_t n = r->n;
	uint64_t nattr = alen / asize;
	ev_pick *ev = xcalloc(nattr ? nattr : 1, sizeof(*ev));
	size_t nev = 0;
	for (uint64_t i = 0; i < nattr; i++) {
		const unsigned char *ai = d + aoff + i * asize;
		if (rd32(ai) == 1 && rd64(ai + 8) == 9)
			continue;
		ev_pick *e = &ev[nev];
		e->at = aoff + i * asize;
		uint64_t io = rd64(ai + asize - 16), il = rd64(ai + asize - 8);
		if (il >= 8 && io <= n && il <= n - io)
			e->id0 = rd64(d + io);
		attr_name(ai, nev, e->name, sizeof(e->name));
		nev++;
	}
	event_desc_names(d, n, desc_off, desc_len, ev, nev);
	size_t pick = 0;
	const char *want = r->o->event;
	if (want && *want) {
		for (pick = 0; pick < nev && !event_is(ev[pick].name, want); pick++)
			;
		if (pick == nev) {
			strbuf sb = STRBUF_INIT;
			for (size_t i = 0; i < nev; i++)
				sb_addf(&sb, "%s%s", i ? ", " : "", ev[i].name);
			cprof_fail(err, "no event '%s' in this perf.data (it has: %s)", want, sb.buf);
			sb_release(&sb);
			free(ev);
			return -1;
		}
	} else if (nev > 1) {
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < nev; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", ev[i].name);
		prof_warnf(r->o, "%zu events in this perf.data (%s): only %s's samples are read "
				 "(--event picks another)", nev, sb.buf, ev[0].name);
		sb_release(&sb);
	}
	r->attr_at = nev ? ev[pick].at : aoff;
	free(ev);
	return 0;
}

/* Feature bit's section (its offset and size, from the table of one
 * {offset, size} per set bit at table, in bit order): false when the bit is
 * not set or its entry lies past the end of the file. */
static bool feature_section(const pd *r, uint64_t table, uint64_t feat0, unsigned bit, uint64_t *off,
			    uint64_t *len)
{
	if (!(feat0 & (1ull << bit)))
		return false;
	uint64_t fo = table + 16 * (uint64_t)__builtin_popcountll(feat0 & ((1ull << bit) - 1));
	if (fo > r->n || r->n - fo < 16)
		return false;
	*off = rd64(r->d + fo);
	*len = rd64(r->d + fo + 8);
	return true;
}

/* ---- pipe mode ------------------------------------------------------------ */

/* perf record -o - writes a 16-byte header, then records only: the events'
 * attrs (HEADER_ATTR: the attr, then its ids), the feature sections
 * (HEADER_FEATURE: the feature's number, then its section as a file holds
 * it), build-ids (HEADER_BUILD_ID: one build-id event, as in the BUILD_ID
 * section), tracing data (a size, then that many bytes after the record,
 * as AUXTRACE's data) and the records a file's data section holds. The
 * file layout is made of them (header, attrs, their ids, the data, the
 * feature table and the sections the reader uses) and read as a file. */
typedef struct pipe_attr {
	size_t off, len; /* the HEADER_ATTR record's body in the input */
} pipe_attr;

typedef struct pipe_parts {
	strbuf data, build_ids, event_desc;
	pipe_attr *attrs;
	size_t nattrs, attrs_alloc;
	uint32_t attr_size; /* the largest attr */
} pipe_parts;

/* The record at d[at..]: 0 with *next past it (and past the data that
 * follows some), 1 when it is cut short, -1 with err. */
static int pipe_record(pipe_parts *pp, const unsigned char *d, size_t n, size_t at, size_t *next,
		       cprof_err *err)
{
	uint32_t type = rd32(d + at);
	size_t size = rd16(d + at + 6);
	if (size < 8 || size > n - at)
		return 1;
	*next = at + size;
	const unsigned char *b = d + at + 8;
	size_t len = size - 8;
	switch (type) {
	case REC_HEADER_ATTR: {
		uint32_t asz = len >= 8 ? rd32(b + 4) : 0;
		if (asz < 64 || asz > len || (len - asz) % 8 || asz > 4096 - 16 || pp->nattrs == 4096)
			return cprof_fail(err, "pipe-mode perf.data: bad event attr record at byte %zu", at);
		if (asz > pp->attr_size)
			pp->attr_size = asz;
		ALLOC_GROW(pp->attrs, pp->nattrs + 1, pp->attrs_alloc);
		pp->attrs[pp->nattrs++] = (pipe_attr){ at + 8, len };
		break;
	}
	case REC_HEADER_FEATURE:
		if (len >= 8 && rd64(b) == FEAT_EVENT_DESC)
			sb_add(&pp->event_desc, b + 8, len - 8);
		else if (len >= 8 && rd64(b) == FEAT_BUILD_ID)
			sb_add(&pp->build_ids, b + 8, len - 8);
		break;
	case REC_HEADER_BUILD_ID:
		sb_add(&pp->build_ids, d + at, size);
		break;
	case REC_HEADER_TRACING_DATA:
	case REC_AUXTRACE: {
		/* their data follows the record: a u32 size (tracing data,
		 * 8-aligned) or a u64 one (AUXTRACE) */
		uint64_t extra = type == REC_AUXTRACE ? (len >= 8 ? rd64(b) : 0)
						      : (len >= 4 ? (rd32(b) + 7ull) & ~7ull : 0);
		if (extra > n - *next)
			return 1;
		*next += extra;
		break;
	}
	case REC_HEADER_EVENT_TYPE:
		break;
	default:
		sb_add(&pp->data, d + at, size);
	}
	return 0;
}

static void pipe_parts_free(pipe_parts *pp)
{
	sb_release(&pp->data);
	sb_release(&pp->build_ids);
	sb_release(&pp->event_desc);
	free(pp->attrs);
}

static void put64(strbuf *sb, size_t at, uint64_t v)
{
	memcpy(sb->buf + at, &v, 8);
}

static void add_zeros(strbuf *sb, size_t k)
{
	sb_grow(sb, k);
	memset(sb->buf + sb->len, 0, k);
	sb->len += k;
}

/* The file layout of the records pp holds into *out (free it). */
static void pipe_layout(const pipe_parts *pp, const unsigned char *d, unsigned char **out,
			size_t *outlen)
{
	uint64_t asize = (uint64_t)pp->attr_size + 16;
	strbuf f = STRBUF_INIT;
	sb_add(&f, "PERFILE2", 8);
	add_zeros(&f, HEADER_SIZE - 8);
	size_t aoff = f.len;
	add_zeros(&f, (size_t)asize * pp->nattrs);
	for (size_t i = 0; i < pp->nattrs; i++) {
		const unsigned char *body = d + pp->attrs[i].off;
		uint32_t asz = rd32(body + 4);
		size_t e = aoff + i * asize;
		memcpy(f.buf + e, body, asz);
		put64(&f, e + asize - 16, f.len); /* its ids */
		put64(&f, e + asize - 8, pp->attrs[i].len - asz);
		sb_add(&f, body + asz, pp->attrs[i].len - asz);
	}
	size_t doff = f.len;
	sb_add(&f, pp->data.buf, pp->data.len);
	const strbuf *sec[2] = { &pp->build_ids, &pp->event_desc }; /* in bit order */
	unsigned bits[2] = { FEAT_BUILD_ID, FEAT_EVENT_DESC };
	uint64_t feat0 = 0;
	size_t table = f.len, nsec = 0;
	for (size_t i = 0; i < 2; i++)
		if (sec[i]->len) {
			feat0 |= 1ull << bits[i];
			nsec++;
		}
	add_zeros(&f, 16 * nsec);
	for (size_t i = 0, k = 0; i < 2; i++)
		if (sec[i]->len) {
			put64(&f, table + 16 * k, f.len);
			put64(&f, table + 16 * k + 8, sec[i]->len);
			sb_add(&f, sec[i]->buf, sec[i]->len);
			k++;
		}
	put64(&f, 8, HEADER_SIZE);
	put64(&f, 16, asize);
	put64(&f, 24, aoff);
	put64(&f, 32, asize * pp->nattrs);
	put64(&f, 40, doff);
	put64(&f, 48, pp->data.len);
	put64(&f, 72, feat0);
	*out = (unsigned char *)sb_detach(&f, outlen);
}

/* The file layout of pipe-mode d[0..n) into *out (free it), or -1 with err. */
static int pipe_to_file(const unsigned char *d, size_t n, unsigned char **out, size_t *outlen,
			cprof_err *err)
{
	pipe_parts pp = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, NULL, 0, 0, 0 };
	*out = NULL;
	*outlen = 0;
	size_t at = 16;
	int rc = 0;
	while (n - at >= 8) {
		size_t next;
		rc = pipe_record(&pp, d, n, at, &next, err);
		if (rc)
			break;
		at = next;
	}
	if (rc >= 0) {
		sb_add(&pp.data, d + at, n - at); /* a record cut short: the reader says so */
		if (pp.nattrs)
			pipe_layout(&pp, d, out, outlen);
		else
			rc = cprof_fail(err, "pipe-mode perf.data without an event attr record (cut short?)");
	}
	pipe_parts_free(&pp);
	return rc < 0 ? -1 : 0;
}

static int read_header(pd *r, size_t *doff, size_t *dsize, cprof_err *err)
{
	const unsigned char *d = r->d;
	size_t n = r->n;
	if (!memcmp(d, "2ELIFREP", 8))
		return cprof_fail(err, "a big-endian perf.data file: not supported");
	if (n < 16)
		return cprof_fail(err, "perf.data header cut short");
	uint64_t hsize = rd64(d + 8);
	if (hsize < HEADER_SIZE || n < HEADER_SIZE)
		return cprof_fail(err, "perf.data header cut short or of an unknown size (%llu)",
				  (unsigned long long)hsize);
	uint64_t asize = rd64(d + 16), aoff = rd64(d + 24), alen = rd64(d + 32);
	uint64_t off = rd64(d + 40), len = rd64(d + 48);
	uint64_t desc_off = 0, desc_len = 0; /* HEADER_EVENT_DESC */
	if (asize < 64 + 16 || asize > 4096 || aoff > n || alen > n - aoff || alen < asize)
		return cprof_fail(err, "perf.data: bad attribute section (entry size %llu, %llu bytes "
				       "at %llu)",
				  (unsigned long long)asize, (unsigned long long)alen,
				  (unsigned long long)aoff);
	if (off > n)
		return cprof_fail(err, "perf.data: the data section starts past the end of the file");
	if (len > n - off) {
		prof_warnf(r->o, "perf.data cut short: its data section ends %llu bytes past the end "
				 "of the file",
			   (unsigned long long)(len - (n - off)));
		len = n - off;
	} else {
		/* feature sections follow the data */
		uint64_t feat[4];
		memcpy(feat, d + 72, 32);
		feature_section(r, off + len, feat[0], FEAT_EVENT_DESC, &desc_off, &desc_len);
		uint64_t bo, bl;
		if (feature_section(r, off + len, feat[0], FEAT_BUILD_ID, &bo, &bl) && bo <= n &&
		    bl <= n - bo)
			build_ids(r, bo, bl);
	}
	if (choose_event(r, aoff, alen, asize, desc_off, desc_len, err) < 0)
		return -1;
	uint64_t nattr = alen / asize;
	const unsigned char *a = d + r->attr_at;
	uint32_t type = rd32(a), size = rd32(a + 4);
	if (size < 64 || size > asize - 16)
		return cprof_fail(err, "perf.data: bad perf_event_attr size %u", size);
	uint64_t config = rd64(a + 8), period = rd64(a + 16);
	r->sample_type = rd64(a + 24);
	r->read_format = rd64(a + 32);
	r->regs_mask = size >= 88 ? rd64(a + 80) : 0;
	uint64_t flags = rd64(a + 40);
	r->id_all = (flags >> 18) & 1;
	/* use_clockid with CLOCK_MONOTONIC (cprof-record --sampler kernel,
	 * perf record -k mono): sample times are on raw files' clock */
	r->mono = ((flags >> 25) & 1) && size >= 96 && rd32(a + 92) == 1;
	bool freq = (flags >> 10) & 1;
	/* `perf record -c N` records no PERIOD: every sample stands for N
	 * events, as perf report counts it (with -F, PERIOD is always there) */
	r->fixed_period = !freq && period ? period : 1;
	/* the sample_id trailer: TID TIME ID STREAM_ID CPU IDENTIFIER */
	uint64_t st = r->sample_type;
	size_t t = 0;
	if (st & S_TID)
		t += 8;
	r->id_time_at = t;
	if (st & S_TIME)
		t += 8;
	t += ((st & S_ID) ? 8 : 0) + ((st & S_STREAM_ID) ? 8 : 0) + ((st & S_CPU) ? 8 : 0) +
	     ((st & S_IDENTIFIER) ? 8 : 0);
	r->id_trailer = t;
	/* a sample's id: first with IDENTIFIER, else after IP, TID, TIME and
	 * ADDR (all events share one sample_type then: perf report reads it so) */
	r->sample_id_at = SIZE_MAX;
	if (st & S_IDENTIFIER)
		r->sample_id_at = 0;
	else if (st & S_ID)
		r->sample_id_at = ((st & S_IP) ? 8u : 0u) + ((st & S_TID) ? 8u : 0u) +
				  ((st & S_TIME) ? 8u : 0u) + ((st & S_ADDR) ? 8u : 0u);
	if (nattr > 1 && !(st & (S_ID | S_IDENTIFIER)))
		return cprof_fail(err, "perf.data with several events and no sample ids: not supported");

	profile *p = r->p;
	bool cpu = type == 1 && config <= 1; /* cpu-clock, task-clock */
	const char *vt = cpu ? "cpu" : type == 0 ? hw_name(config) : "events";
	prof_value_type types[2] = { { "samples", "count" }, { vt, cpu ? "nanoseconds" : "count" } };
	prof_set_sample_types(p, types, 2);
	p->default_type = 1;
	p->period_type.type = prof_intern(p, vt);
	p->period_type.unit = prof_intern(p, types[1].unit);
	p->period = freq ? 0 : (int64_t)period;
	p->timer = prof_intern(p, cpu ? (config ? "task-clock" : "cpu-clock") : vt);
	*doff = off;
	*dsize = len;
	return 0;
}

/* The sample ids of the event read: samples of other events are skipped. */
static bool first_event(const pd *r, const rec *x, const uint64_t *ids, size_t nids)
{
	size_t at = r->sample_id_at;
	if (!nids || at == SIZE_MAX || x->len < at + 8)
		return true;
	uint64_t id = rd64(x->b + at);
	for (size_t i = 0; i < nids; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The ids of the event read (from its attr's id section), for first_event;
 * none when the file has one event. Caller frees *ids. */
static void event_ids(const pd *r, uint64_t **ids, size_t *nids)
{
	const unsigned char *d = r->d;
	uint64_t asize = rd64(d + 16);
	uint64_t io = rd64(d + r->attr_at + asize - 16), il = rd64(d + r->attr_at + asize - 8);
	*ids = NULL;
	*nids = 0;
	if (rd64(d + 32) / asize > 1 && io <= r->n && il <= r->n - io) {
		*nids = il / 8;
		*ids = xmalloc(st_mult(*nids + 1, 8));
		memcpy(*ids, d + io, *nids * 8);
	}
}

static void p1_comm(pd *r, const rec *x)
{
	if (x->len < 9) {
		bad(r, "COMM record at byte %zu: too short", x->at);
		return;
	}
	size_t cl = x->len - 8;
	if (r->id_all && r->id_trailer < cl)
		cl -= r->id_trailer;
	char *name = xstrndup((const char *)x->b + 8, str_len(x->b + 8, cl));
	prof_set_thread_name(r->p, (int32_t)rd32(x->b + 4), name);
	free(name);
	if (x->misc & MISC_COMM_EXEC) {
		ALLOC_GROW(r->execs, r->nexecs + 1, r->execs_alloc);
		r->execs[r->nexecs++] = (pev){ rd32(x->b), 0, rec_time(r, x) };
	}
}

static void p1_fork(pd *r, const rec *x)
{
	if (x->len < 24) {
		bad(r, "FORK record at byte %zu: too short", x->at);
		return;
	}
	if (rd32(x->b) != rd32(x->b + 4)) { /* a new process, not a thread */
		ALLOC_GROW(r->forks, r->nforks + 1, r->forks_alloc);
		r->forks[r->nforks++] = (pev){ rd32(x->b), rd32(x->b + 4), rd64(x->b + 16) };
	}
	/* the new thread has its parent thread's name until a COMM record
	 * names it (a forked child that does not exec never gets one), as
	 * perf report names it */
	int32_t tid = (int32_t)rd32(x->b + 8), ptid = (int32_t)rd32(x->b + 12);
	const char *parent = prof_thread_name(r->p, ptid);
	if (parent && !prof_thread_name(r->p, tid)) {
		char *name = xstrdup(parent);
		prof_set_thread_name(r->p, tid, name);
		free(name);
	}
}

/* ---- perf record -z ----------------------------------------------------
 * Compressed records hold pieces of one zstd stream (perf record's session
 * stream, flushed at each ring-buffer push) whose contents are records
 * again; a record may continue from one compressed record into the next,
 * with uncompressed records (FINISHED_ROUND) between the two. As perf
 * report does, the complete records of the stream are taken after each
 * compressed record and the unfinished one waits for the next. COMPRESSED2
 * (perf 6.16) carries its payload's size, the record being padded to 8
 * bytes. */

static size_t zstd_payload(const rec *x, const unsigned char **b)
{
	*b = x->b;
	if (x->type == REC_COMPRESSED)
		return x->len;
	if (x->len < 8 || rd64(x->b) > x->len - 8)
		return SIZE_MAX;
	*b = x->b + 8;
	return (size_t)rd64(x->b);
}

/* Decompresses b[0..n) onto the end of z. */
static int zstd_append(ZSTD_DCtx *dc, const unsigned char *b, size_t n, strbuf *z, size_t at,
		       cprof_err *err)
{
	ZSTD_inBuffer in = { b, n, 0 };
	bool full = false; /* the output filled up: zstd may hold more */
	while (in.pos < in.size || full) {
		sb_grow(z, n * 4 + 65536);
		ZSTD_outBuffer o = { z->buf + z->len, z->alloc - z->len - 1, 0 };
		size_t before = in.pos;
		size_t rc = ZSTD_decompressStream(dc, &o, &in);
		if (ZSTD_isError(rc))
			return cprof_fail(err, "compressed record at byte %zu (perf record -z): %s", at,
					  ZSTD_getErrorName(rc));
		z->len += o.pos;
		z->buf[z->len] = '\0';
		full = o.pos == o.size;
		if (!o.pos && in.pos == before && in.pos < in.size)
			return cprof_fail(err, "compressed record at byte %zu (perf record -z): zstd "
					       "makes no progress", at);
	}
	return 0;
}

/* Moves the complete records at the start of z to the end of out. */
static void take_complete(strbuf *z, strbuf *out)
{
	size_t k = 0;
	while (z->len - k >= 8) {
		uint16_t size = rd16((const unsigned char *)z->buf + k + 6);
		if (size < 8)
			break; /* damaged: left for the reader to call the file cut */
		if (size > z->len - k)
			break;
		k += size;
	}
	sb_add(out, z->buf, k);
	memmove(z->buf, z->buf + k, z->len - k);
	z->len -= k;
	z->buf[z->len] = '\0';
}

/* When the data section has compressed records: *out is the section with
 * each replaced by the records it completes (other records copied in
 * place); *out NULL when it has none. */
static int expand_compressed(const pd *r, iter it, unsigned char **out, size_t *len,
			     cprof_err *err)
{
	*out = NULL;
	*len = 0;
	size_t max = r->o->max_decompressed ? r->o->max_decompressed : GZ_DEFAULT_MAX_OUT;
	ZSTD_DCtx *dc = NULL; /* made at the first compressed record */
	strbuf sb = STRBUF_INIT, z = STRBUF_INIT;
	size_t plain = it.pos; /* the records from here on are copied in one run */
	rec x;
	int rc = 0;
	while (rc == 0 && next_rec(&it, &x)) {
		if (x.type != REC_COMPRESSED && x.type != REC_COMPRESSED2)
			continue;
		if (!dc && !(dc = ZSTD_createDCtx())) {
			rc = cprof_fail(err, "cannot start zstd for the compressed records");
			break;
		}
		sb_add(&sb, it.d + plain, x.at - plain);
		plain = it.pos;
		const unsigned char *b;
		size_t n = zstd_payload(&x, &b);
		if (n == SIZE_MAX)
			rc = cprof_fail(err, "compressed record at byte %zu: its size field exceeds the "
					     "record", x.at);
		else
			rc = zstd_append(dc, b, n, &z, x.at, err);
		if (rc == 0)
			take_complete(&z, &sb);
		if (rc == 0 && sb.len + z.len > max)
			rc = cprof_fail(err, "compressed records decompress to more than the %zu-byte "
					     "limit (--max-decompressed)", max);
	}
	bool any = dc != NULL;
	ZSTD_freeDCtx(dc);
	if (rc == 0 && any) {
		sb_add(&sb, it.d + plain, it.pos - plain);
		/* an unfinished record at the end: the reader calls the file cut */
		sb_add(&sb, z.buf, z.len);
		*out = (unsigned char *)sb_detach(&sb, len);
	}
	sb_release(&z);
	sb_release(&sb);
	return rc;
}

/* Pass 1: everything but the samples (which it counts into *nsamples):
 * mappings, thread names, execs and forks, lost counts. Then the mappings' build-ids (the
 * feature section is read by now) and the sorted event lists. */
static void pass1(pd *r, iter it, size_t *nsamples)
{
	profile *p = r->p;
	rec x;
	while (next_rec(&it, &x)) {
		switch (x.type) {
		case REC_MMAP:
		case REC_MMAP2:
			if ((x.misc & MISC_CPUMODE_MASK) == MISC_KERNEL)
				break; /* the kernel's and its modules': kallsyms names them */
			add_map(r, &x, x.type == REC_MMAP2);
			break;
		case REC_COMM: p1_comm(r, &x); break;
		case REC_FORK: p1_fork(r, &x); break;
		case REC_LOST:
			if (x.len >= 16)
				r->nlost += rd64(x.b + 8);
			break;
		case REC_SAMPLE: (*nsamples)++; break;
		}
	}
	const char *unknown = prof_intern(p, "\x01");
	for (uint32_t i = 0; i < p->nmappings; i++)
		if (p->mappings[i].build_id == unknown)
			p->mappings[i].build_id = build_id_of(r, p->mappings[i].file);
	if (r->nmaps) /* qsort's base may not be NULL, even for 0 entries */
		qsort(r->maps, r->nmaps, sizeof(*r->maps), cmp_map);
	if (r->nexecs)
		qsort(r->execs, r->nexecs, sizeof(*r->execs), cmp_ev);
	if (r->nforks)
		qsort(r->forks, r->nforks, sizeof(*r->forks), cmp_ev);
}

/* Whether a callchain lacks the sample's own frame: it holds no frame at
 * all (--kernel-callchains of a :u event), or its first frame is on the
 * other side of the kernel/user line than the sample (--user-callchains in
 * a sample taken in the kernel). perf report names such a sample by its ip,
 * and so does cprof. A chain starting at another address on the sample's
 * side (a precise event's ip beside the interrupted one) is kept as it is,
 * as perf script prints it. */
static bool chain_lacks_ip(const unsigned char *chain, uint32_t n, bool kip)
{
	bool kernel = kip;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = rd64(chain + 8 * (size_t)i);
		if (a >= CONTEXT_MAX)
			kernel = a != CONTEXT_USER;
		else
			return kernel != kip;
	}
	return true;
}

/* The sample's ip, then its callchain (a stack not kept in the cache:
 * the cache's key is the chain alone). */
static uint32_t ip_and_chain(pd *r, const sfields *s, bool kip)
{
	if (!r->ubuf)
		r->ubuf = xmalloc(st_mult(MAX_FRAMES + MAX_UNWIND + 2, sizeof(uint64_t)));
	r->ubuf[0] = s->ip;
	memcpy(r->ubuf + 1, s->chain, (size_t)s->nchain * 8);
	return make_stack(r, (const unsigned char *)r->ubuf, s->nchain + 1, kip, s->pid, s->time);
}

/* The model stack of a SAMPLE record: unwound from its user stack copy
 * (--call-graph dwarf) if it has one and that works, else its callchain
 * (after its ip when the chain does not start there), else its ip alone. */
static uint32_t record_stack(pd *r, const rec *x, const sfields *s)
{
	if (s->stack_user)
		r->nstack_user++;
	bool kip = (x->misc & MISC_CPUMODE_MASK) == MISC_KERNEL;
	uint32_t stack = PROF_NONE;
	/* a dwarf stack is unwound from files: not under --no-symbolize,
	 * which opens no file the input names */
	if (s->ustack && s->regs && s->chain && !r->o->no_symbolize)
		stack = dwarf_stack(r, s->chain, s->nchain, s->regs, s->nregs, s->ustack,
				    s->ustack_len, kip, s->pid, s->tid, s->time);
	if (stack == PROF_NONE && s->chain && (r->sample_type & S_IP) &&
	    chain_lacks_ip(s->chain, s->nchain, kip))
		stack = ip_and_chain(r, s, kip);
	if (stack == PROF_NONE)
		stack = s->chain ? sample_stack(r, s->chain, s->nchain, kip, s->pid, s->time)
				 : sample_stack(r, x->b + ((r->sample_type & S_IDENTIFIER) ? 8 : 0),
						(r->sample_type & S_IP) ? 1 : 0, kip, s->pid, s->time);
	return stack;
}

/* Pass 2: the samples of the event read, in time order (ties keep file
 * order), their times since the first one. Returns how many. */
static size_t pass2(pd *r, iter *it, size_t nsamples, const uint64_t *ids, size_t nids)
{
	profile *p = r->p;
	psample *ps = xmalloc(st_mult(nsamples + 1, sizeof(*ps)));
	size_t nps = 0;
	uint64_t t0 = UINT64_MAX;
	rec x;
	while (next_rec(it, &x)) {
		if (x.type != REC_SAMPLE)
			continue;
		sfields s;
		if (!parse_sample(r, &x, &s)) {
			bad(r, "SAMPLE record at byte %zu: shorter than its fields", x.at);
			continue;
		}
		if (!first_event(r, &x, ids, nids))
			continue;
		uint32_t stack = record_stack(r, &x, &s);
		if (s.time < t0)
			t0 = s.time;
		ps[nps] = (psample){ s.time, nps, stack, (int32_t)s.tid,
				       s.period > INT64_MAX ? INT64_MAX : (int64_t)s.period };
		nps++;
	}
	/* per-CPU buffers are flushed round by round: nearly sorted, often
	 * sorted (one thread) */
	for (size_t i = 1; i < nps; i++)
		if (ps[i].time < ps[i - 1].time) {
			qsort(ps, nps, sizeof(*ps), cmp_psample);
			break;
		}
	prof_reserve_samples(p, nps);
	for (size_t i = 0; i < nps; i++) {
		int64_t v[2] = { 1, ps[i].period };
		prof_add_sample(p, ps[i].stack, 0, v, (int64_t)(ps[i].time - t0), ps[i].tid, 0);
	}
	if (nps)
		p->duration_nanos = (int64_t)(ps[nps - 1].time - t0);
	if (nps && r->mono && t0 <= INT64_MAX)
		p->mono_start_ns = (int64_t)t0; /* files of one run share one time axis */
	free(ps);
	return nps;
}

/* The problems of the read, each once. */
static void warn_problems(const pd *r, const iter *it, size_t nps)
{
	if (it->cut)
		prof_warnf(r->o, "perf.data cut short: read up to byte %zu of %zu%s (%zu samples)",
			   it->pos, r->expanded ? it->end : r->n,
			   r->expanded ? " of its decompressed records" : "", nps);
	if (r->nbad)
		prof_warnf(r->o, "skipped %llu malformed records (first: %s)",
			   (unsigned long long)r->nbad, r->first_bad);
	if (r->nlost)
		prof_warnf(r->o, "perf lost %llu samples (LOST records)", (unsigned long long)r->nlost);
	if (r->nstack_user > r->nunwound)
		prof_warnf(r->o, "%llu of %llu --call-graph dwarf samples could not be unwound%s: "
				 "their callchain (kernel part and leaf) is used",
			   (unsigned long long)(r->nstack_user - r->nunwound),
			   (unsigned long long)r->nstack_user,
			   r->o->no_symbolize ? " (--no-symbolize opens no files)" : "");
}

/* Names the locations, then JIT frames from each process's perf map. */
static void symbolize(pd *r)
{
	profile *p = r->p;
	sym_symbolize(p, NULL, r->o, NULL);
	/* JIT code: perf map files, per process */
	size_t old = r->loc_pid_alloc;
	ALLOC_GROW(r->loc_pid, p->nlocations, r->loc_pid_alloc);
	memset(r->loc_pid + old, 0, (r->loc_pid_alloc - old) * sizeof(int32_t));
	perfmap_symbolize(p, r->loc_pid, 0, r->o);
}

static void pd_free(pd *r)
{
	free(r->maps);
	free(r->execs);
	free(r->forks);
	free(r->bid_file);
	free(r->bid_hex);
	free(r->ksyms);
	free(r->kbuf);
	hidx_free(&r->stab);
	free(r->stacks);
	free(r->locbuf);
	free(r->loc_pid);
	free(r->ubuf);
	dwu_free(r->unwinder);
}

int perfdata_read(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o,
		  cprof_err *err)
{
	static const prof_read_opts defaults;
	if (n >= 16 && memcmp(d, "2ELIFREP", 8) && rd64(d + 8) == 16) {
		unsigned char *f = NULL;
		size_t fn = 0;
		if (pipe_to_file(d, n, &f, &fn, err) < 0)
			return -1;
		int rc = perfdata_read(p, f, fn, o, err);
		free(f);
		return rc;
	}
	pd r = { .p = p, .o = o ? o : &defaults, .d = d, .n = n, .kmap = PROF_NONE };
	size_t doff = 0, dsize = 0;
	if (read_header(&r, &doff, &dsize, err) < 0) {
		pd_free(&r);
		return -1;
	}
	p->source_format = prof_intern(p, "perf.data");
	p->mode = prof_intern(p, "cpu");
	p->has_timestamps = true;

	unsigned char *expanded;
	size_t nexpanded;
	if (expand_compressed(&r, (iter){ d, doff, doff + dsize, false }, &expanded, &nexpanded, err) < 0) {
		pd_free(&r);
		return -1;
	}
	iter all = expanded ? (iter){ expanded, 0, nexpanded, false } : (iter){ d, doff, doff + dsize, false };
	r.expanded = expanded != NULL;
	size_t nsamples = 0;
	pass1(&r, all, &nsamples);
	uint64_t *ids;
	size_t nids;
	event_ids(&r, &ids, &nids);
	iter it = all;
	size_t nps = pass2(&r, &it, nsamples, ids, nids);
	free(ids);
	p->samples_dropped = r.nlost;
	warn_problems(&r, &it, nps);
	if (!r.o->no_symbolize && p->nlocations)
		symbolize(&r);
	pd_free(&r);
	free(expanded);
	return 0;
}
