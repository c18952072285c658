/*
 * rawread: raw file -> profile model (contract in rawread.h).
 *
 * Two passes over the records. The first collects everything samples refer
 * to (INFO, mappings and unmaps, threads, label sets, the recorder's
 * interned stacks (STACK), END, notes), because a writer may put a MAPPING
 * record after samples that use it. The second turns samples (SAMPLE, and
 * STACK_SAMPLE, which names a STACK) into model samples.
 *
 * Speed. A raw file holds millions of samples but few distinct stacks, so
 * the per-sample work is one hash of the frame bytes (straight from the
 * file buffer) and one table probe: the raw-stack cache maps (mapping epoch,
 * frame bytes) to a model stack. Only a miss resolves frames, through a
 * second cache of (epoch, address, leaf?) -> location. An epoch is the span
 * between two mapping events (MAPPING or UNMAP records, sorted by time):
 * within one epoch the set of mappings is constant, so an address resolves
 * the same way for every sample in it, and a dlopen'd library that reuses
 * the address range of a dlclose'd one is told apart by the sample's time.
 *
 * The samples end up in time order (a per-thread buffer drains in chunks,
 * so the file is only roughly ordered): an LSD radix sort on the timestamp,
 * stable, so ties keep file order, skipped when the file is already sorted.
 */
#include "rawread.h"

#include <stdlib.h>
#include <string.h>

#include "perfmap.h"
#include "rawfile.h"
#include "symbolize.h"

/* ---- a small hash map: (u64, u64) -> u32 ------------------------------- */

typedef struct pairmap {
	uint64_t *ka, *kb;
	uint32_t *val; /* value + 1; 0 = empty */
	size_t cap, n;
} pairmap;

static inline uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 31;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	return h;
}

static void pairmap_grow(pairmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 256;
	uint64_t *ka = xmalloc(st_mult(ncap, 8)), *kb = xmalloc(st_mult(ncap, 8));
	uint32_t *val = xcalloc(ncap, sizeof(*val));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->val[i])
			continue;
		size_t j = mix(m->ka[i], m->kb[i]) & (ncap - 1);
		while (val[j])
			j = (j + 1) & (ncap - 1);
		ka[j] = m->ka[i];
		kb[j] = m->kb[i];
		val[j] = m->val[i];
	}
	free(m->ka);
	free(m->kb);
	free(m->val);
	m->ka = ka;
	m->kb = kb;
	m->val = val;
	m->cap = ncap;
}

/* Returns a pointer to the value slot (value+1, 0 if new: the caller sets it). */
static uint32_t *pairmap_slot(pairmap *m, uint64_t a, uint64_t b)
{
	if ((m->n + 1) * 4 >= m->cap * 3)
		pairmap_grow(m);
	size_t j = mix(a, b) & (m->cap - 1);
	while (m->val[j]) {
		if (m->ka[j] == a && m->kb[j] == b)
			return &m->val[j];
		j = (j + 1) & (m->cap - 1);
	}
	m->ka[j] = a;
	m->kb[j] = b;
	m->n++;
	return &m->val[j];
}

/* The value for (a, b), or PROF_NONE. */
static uint32_t pairmap_get(const pairmap *m, uint64_t a, uint64_t b)
{
	if (!m->cap)
		return PROF_NONE;
	size_t j = mix(a, b) & (m->cap - 1);
	while (m->val[j]) {
		if (m->ka[j] == a && m->kb[j] == b)
			return m->val[j] - 1;
		j = (j + 1) & (m->cap - 1);
	}
	return PROF_NONE;
}

static void pairmap_free(pairmap *m)
{
	free(m->ka);
	free(m->kb);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* ---- reader state ------------------------------------------------------ */

typedef struct rmap {
	uint64_t time, start, limit;
	uint64_t unmap_time; /* UINT64_MAX while mapped */
	uint32_t model;      /* index into p->mappings */
} rmap;

typedef struct rstack {
	size_t frames; /* offset of its frame bytes in rr.fbytes */
	uint32_t nframes, epoch, stack;
	uint32_t hash;
	bool truncated;
} rstack;

typedef struct rr {
	profile *p;
	const prof_read_opts *o;
	rmap *maps;
	size_t nmaps, maps_alloc;
	uint32_t *byst;    /* maps sorted by start */
	uint64_t *pmax;    /* pmax[j]: the largest limit among byst[0..j] */
	uint64_t *ev_time; /* sorted times of mapping events; epoch = #events <= t */
	size_t nev;
	pairmap lsets;     /* raw label-set id -> model labelset */
	pairmap addr_loc;  /* (address, epoch<<1|call) -> location */
	pairmap map_loc;   /* (address, mapping<<1|call) -> location */
	bool *is_call;     /* per location */
	size_t is_call_alloc;
	/* raw-stack cache */
	uint32_t *stab; /* index+1 into rstacks */
	size_t scap;
	rstack *rstacks;
	size_t nrstacks, rstacks_alloc;
	unsigned char *fbytes; /* the frames of every distinct raw stack */
	size_t nfbytes, fbytes_alloc;
	uint32_t *locbuf;
	size_t locbuf_alloc;
	uint32_t truncated_loc; /* index+1 of the "[truncated]" root; 0: none yet */
	/* the file's STACK records (v2): id -> defs[] + 1, frames in dbytes;
	 * (id, epoch) -> model stack + 1 */
	pairmap def_ids, def_stacks;
	struct defstack {
		size_t frames; /* offset in dbytes */
		uint32_t nframes;
		bool truncated;
	} *defs;
	size_t ndefs, defs_alloc;
	unsigned char *dbytes;
	size_t ndbytes, dbytes_alloc;
	uint64_t period_ns; /* INFO's: a STACK_SAMPLE's weight unless it has one */
	/* problems */
	uint64_t nmalformed, nbad_lset, nbad_stack, nnotes, ntruncated;
	/* from INFO, interned as it is read: the record is gone after */
	const char *exe, *cmdline;
	char first_malformed[sizeof(((cprof_err *)0)->msg)];
} rr;


static void malformed(rr *r, const cprof_err *e)
{
	if (!r->nmalformed++)
		memcpy(r->first_malformed, e->msg, sizeof(r->first_malformed));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_map_start(const void *a, const void *b, void *ctx)
{
	const rmap *maps = ctx;
	const rmap *x = &maps[*(const uint32_t *)a], *y = &maps[*(const uint32_t *)b];
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static uint32_t epoch_of(const rr *r, uint64_t t)
{
	size_t lo = 0, hi = r->nev; /* first event with time > t */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->ev_time[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

/* The mapping covering address a in epoch e: one mapped at that time if
 * any (the latest mapped), else the latest mapped before, else the first
 * mapped at all (a sample taken just before its mapping was recorded). */
/* Calls fn(r, map, ctx) for every mapping whose range overlaps [lo, hi):
 * a binary search for the last start below hi, then back while some earlier
 * mapping may still reach past lo (pmax), so disjoint mappings cost log M. */
static size_t maps_upto(const rr *r, uint64_t hi)
{
	size_t a = 0, b = r->nmaps; /* first with start >= hi */
	while (a < b) {
		size_t mid = (a + b) / 2;
		if (r->maps[r->byst[mid]].start < hi)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

/* The mapping covering address a in epoch e: one mapped at that time if
 * any (the latest mapped), else the latest mapped before, else the first
 * mapped at all (a sample taken just before its mapping was recorded). */
static uint32_t resolve_mapping(const rr *r, uint64_t a, uint32_t e)
{
	uint64_t t = e ? r->ev_time[e - 1] : 0;
	const rmap *active = NULL, *before = NULL, *after = NULL;
	for (size_t j = maps_upto(r, a + 1); j-- > 0 && r->pmax[j] > a;) {
		const rmap *m = &r->maps[r->byst[j]];
		if (a < m->start || a >= m->limit)
			continue;
		if (e && m->time <= t && t < m->unmap_time) {
			if (!active || m->time > active->time ||
			    (m->time == active->time && m < active))
				active = m;
		} else if (e && m->time <= t) {
			if (!before || m->time > before->time ||
			    (m->time == before->time && m < before))
				before = m;
		} else if (!after || m->time < after->time || (m->time == after->time && m < after)) {
			after = m;
		}
	}
	const rmap *m = active ? active : before ? before : after;
	return m ? m->model : PROF_NONE;
}

static uint32_t frame_location(rr *r, uint64_t addr, uint32_t epoch, bool call)
{
	uint32_t *v = pairmap_slot(&r->addr_loc, addr, (uint64_t)epoch << 1 | call);
	if (*v)
		return *v - 1;
	uint32_t m = resolve_mapping(r, addr, epoch);
	/* map_loc is another table: v stays valid while it changes */
	uint32_t *w = pairmap_slot(&r->map_loc, addr, (uint64_t)m << 1 | call);
	if (!*w) {
		uint32_t loc = prof_add_location(r->p, m, addr, NULL, 0);
		ALLOC_GROW(r->is_call, (size_t)loc + 1, r->is_call_alloc);
		r->is_call[loc] = call;
		*w = loc + 1;
	}
	*v = *w;
	return *w - 1;
}

/* Four independent multiply lanes: the hash of a 16-frame stack is not one
 * 16-step dependency chain, which matters at 10M samples. */
static uint32_t hash_frames(const unsigned char *f, size_t n, uint32_t epoch)
{
	const uint64_t K = 0x9E3779B97F4A7C15ULL;
	uint64_t h0 = 0x51ED27ULL ^ ((uint64_t)epoch << 32) ^ n, h1 = K, h2 = ~K, h3 = K >> 7;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint64_t w[4];
		memcpy(w, f + i * 8, 32);
		h0 = (h0 ^ w[0]) * K;
		h1 = (h1 ^ w[1]) * K;
		h2 = (h2 ^ w[2]) * K;
		h3 = (h3 ^ w[3]) * K;
		h0 ^= h0 >> 32;
		h1 ^= h1 >> 32;
		h2 ^= h2 >> 32;
		h3 ^= h3 >> 32;
	}
	for (; i < n; i++) {
		uint64_t w;
		memcpy(&w, f + i * 8, 8);
		h0 = (h0 ^ w) * K;
		h0 ^= h0 >> 32;
	}
	uint64_t h = (h0 ^ (h1 * 31) ^ (h2 * 961) ^ (h3 * 29791)) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(h ^ (h >> 32));
}

static void stab_grow(rr *r)
{
	size_t ncap = r->scap ? r->scap * 2 : 1024;
	uint32_t *nt = xcalloc(ncap, sizeof(*nt));
	for (size_t i = 0; i < r->scap; i++) {
		if (!r->stab[i])
			continue;
		size_t j = r->rstacks[r->stab[i] - 1].hash & (ncap - 1);
		while (nt[j])
			j = (j + 1) & (ncap - 1);
		nt[j] = r->stab[i];
	}
	free(r->stab);
	r->stab = nt;
	r->scap = ncap;
}

/* The root frame under which a stack cut by the recorder's depth limit is
 * shown (CPROF_SAMPLE_TRUNCATED): its outermost frames are missing, so its
 * deepest recorded frame is not a root, and views say so rather than show it
 * as one. A location with no mapping or address, named by its function. */
static uint32_t truncated_location(rr *r)
{
	if (!r->truncated_loc) {
		prof_line line = { prof_intern_function(r->p, "[truncated]", "[truncated]", "", 0), 0, 0 };
		uint32_t loc = prof_add_location(r->p, PROF_NONE, 0, &line, 1);
		ALLOC_GROW(r->is_call, (size_t)loc + 1, r->is_call_alloc);
		r->is_call[loc] = false;
		r->truncated_loc = loc + 1;
	}
	return r->truncated_loc - 1;
}

/* The model stack of n frames (checked, little-endian) at a mapping epoch. */
static uint32_t sample_stack(rr *r, const unsigned char *frames, uint32_t n, bool truncated,
			     uint32_t epoch)
{
	uint32_t h = hash_frames(frames, n, epoch) ^ (truncated ? 0x9E3779B9u : 0);
	if ((r->nrstacks + 1) * 2 > r->scap)
		stab_grow(r);
	size_t j = h & (r->scap - 1);
	while (r->stab[j]) {
		const rstack *c = &r->rstacks[r->stab[j] - 1];
		if (c->hash == h && c->nframes == n && c->epoch == epoch && c->truncated == truncated &&
		    (!n || memcmp(r->fbytes + c->frames, frames, (size_t)n * 8) == 0))
			return c->stack;
		j = (j + 1) & (r->scap - 1);
	}
	ALLOC_GROW(r->locbuf, n + 2, r->locbuf_alloc);
	for (uint32_t i = 0; i < n; i++)
		r->locbuf[i] = frame_location(r, raw_frame(frames, i), epoch, i > 0);
	uint32_t depth = n;
	if (truncated)
		r->locbuf[depth++] = truncated_location(r);
	uint32_t stack = prof_intern_stack(r->p, r->locbuf, depth);
	ALLOC_GROW(r->rstacks, r->nrstacks + 1, r->rstacks_alloc);
	ALLOC_GROW(r->fbytes, r->nfbytes + (size_t)n * 8, r->fbytes_alloc);
	if (n)
		memcpy(r->fbytes + r->nfbytes, frames, (size_t)n * 8);
	r->rstacks[r->nrstacks] = (rstack){ r->nfbytes, n, epoch, stack, h, truncated };
	r->nfbytes += (size_t)n * 8;
	r->stab[j] = (uint32_t)++r->nrstacks;
	return stack;
}

static const char *timer_name(unsigned t)
{
	switch (t) {
	case CPROF_TIMER_PERF_EVENT: return "perf_event";
	case CPROF_TIMER_TIMER_CREATE: return "timer_create";
	case CPROF_TIMER_SETITIMER: return "setitimer";
	case CPROF_TIMER_WALL: return "wall";
	}
	return NULL;
}

static void hex_build_id(const unsigned char *b, size_t n, strbuf *sb)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		sb_addc(sb, hx[b[i] >> 4]);
		sb_addc(sb, hx[b[i] & 15]);
	}
}

/* ---- pass 1 ------------------------------------------------------------ */

typedef struct unmap_ev {
	uint64_t time, start, limit;
} unmap_ev;

static int pass1(rr *r, raw_reader *rd, raw_info_rec *info, bool *have_info,
		 struct cprof_raw_end *end, bool *have_end, uint64_t *nsamples)
{
	profile *p = r->p;
	raw_rec rec;
	cprof_err e;
	unmap_ev *unmaps = NULL;
	size_t nunmaps = 0, unmaps_alloc = 0;
	strbuf sb = STRBUF_INIT;
	prof_label *labels = NULL;
	size_t labels_alloc = 0;
	pairmap mapkeys = { 0 }; /* (start, limit) -> model mapping + 1 */

	int more;
	while ((more = raw_next(rd, &rec)) > 0) {
		switch (rec.type) {
		case CPROF_RAW_INFO:
			if (*have_info) {
				prof_warnf(r->o, "extra INFO record at byte %zu ignored", rec.offset);
				break;
			}
			if (raw_info(&rec, info, &e) < 0) {
				malformed(r, &e);
				break;
			}
			*have_info = true;
			r->exe = prof_intern_n(p, info->exe, info->exe_len);
			sb_reset(&sb);
			size_t len = info->cmdline_len;
			while (len && info->cmdline[len - 1] == 0)
				len--;
			for (size_t i = 0; i < len; i++)
				sb_addc(&sb, info->cmdline[i] ? info->cmdline[i] : ' ');
			r->cmdline = prof_intern(p, sb.buf);
			info->exe = info->cmdline = NULL; /* in the reader's window */
			break;
		case CPROF_RAW_MAPPING: {
			raw_mapping_rec m;
			if (raw_mapping(&rec, &m, &e) < 0) {
				malformed(r, &e);
				break;
			}
			if (m.h.limit <= m.h.start) {
				cprof_fail(&e, "MAPPING record at byte %zu: empty address range",
					   rec.offset);
				malformed(r, &e);
				break;
			}
			sb_reset(&sb);
			hex_build_id(m.build_id, m.h.build_id_len, &sb);
			prof_mapping pm = { 0 };
			pm.start = m.h.start;
			pm.limit = m.h.limit;
			pm.offset = m.h.offset;
			pm.build_id = sb.buf;
			pm.file = prof_intern_n(p, m.path, m.h.path_len);
			/* A mapping recorded again unchanged (a recorder that rescans
			 * after dlopen) stays one model mapping, so its frames stay
			 * the same locations and stacks. */
			uint32_t *mk = pairmap_slot(&mapkeys, m.h.start, m.h.limit);
			uint32_t mi = *mk ? *mk - 1 : PROF_NONE;
			if (mi == PROF_NONE || p->mappings[mi].offset != pm.offset ||
			    p->mappings[mi].file != pm.file ||
			    strcmp(p->mappings[mi].build_id, pm.build_id) != 0) {
				mi = prof_add_mapping(p, &pm);
				*mk = mi + 1;
			}
			ALLOC_GROW(r->maps, r->nmaps + 1, r->maps_alloc);
			r->maps[r->nmaps++] = (rmap){ m.h.time_ns, m.h.start, m.h.limit, UINT64_MAX, mi };
			break;
		}
		case CPROF_RAW_UNMAP: {
			struct cprof_raw_unmap u;
			if (raw_unmap(&rec, &u, &e) < 0) {
				malformed(r, &e);
				break;
			}
			ALLOC_GROW(unmaps, nunmaps + 1, unmaps_alloc);
			unmaps[nunmaps++] = (unmap_ev){ u.time_ns, u.start, u.limit };
			break;
		}
		case CPROF_RAW_THREAD: {
			raw_thread_rec t;
			if (raw_thread(&rec, &t, &e) < 0) {
				malformed(r, &e);
				break;
			}
			prof_set_thread_name(p, (int32_t)t.h.tid, t.name);
			break;
		}
		case CPROF_RAW_LABELSET: {
			raw_labelset_rec ls;
			if (raw_labelset(&rec, &ls, &e) < 0) {
				malformed(r, &e);
				break;
			}
			/* raw_labelset checked that all entries fit in the record,
			 * so the count is bounded by the file size. */
			size_t pos = 0, n = 0;
			raw_label rl;
			while (raw_labelset_get(&ls, &pos, &rl)) {
				ALLOC_GROW(labels, n + 1, labels_alloc);
				labels[n].key = prof_intern_n(p, rl.key, rl.key_len);
				labels[n].str = prof_intern_n(p, rl.value, rl.value_len);
				labels[n].num = 0;
				labels[n].unit = NULL;
				n++;
			}
			uint32_t id = prof_intern_labelset(p, labels, (uint32_t)n);
			*pairmap_slot(&r->lsets, ls.h.id, 0) = id + 1;
			break;
		}
		case CPROF_RAW_END:
			if (raw_end(&rec, end, &e) < 0)
				malformed(r, &e);
			else
				*have_end = true;
			break;
		case CPROF_RAW_NOTE: {
			raw_note_rec nt;
			if (raw_note(&rec, &nt, &e) < 0) {
				malformed(r, &e);
				break;
			}
			if (r->nnotes++ < 20)
				prof_warnf(r->o, "recorder %s: %.*s", nt.h.level ? "warning" : "note",
				      (int)nt.h.len, nt.text);
			break;
		}
		case CPROF_RAW_STACK: {
			raw_stack_rec sr;
			if (raw_stack(&rec, &sr, &e) < 0) {
				malformed(r, &e);
				break;
			}
			uint32_t *v = pairmap_slot(&r->def_ids, sr.h.id, 0);
			if (*v) {
				cprof_fail(&e, "STACK record at byte %zu: id %u defined twice (the first kept)",
					   rec.offset, (unsigned)sr.h.id);
				malformed(r, &e);
				break;
			}
			size_t nb = (size_t)sr.h.nframes * 8;
			ALLOC_GROW(r->defs, r->ndefs + 1, r->defs_alloc);
			ALLOC_GROW(r->dbytes, r->ndbytes + nb, r->dbytes_alloc);
			if (nb)
				memcpy(r->dbytes + r->ndbytes, sr.frames, nb);
			r->defs[r->ndefs] = (struct defstack){ r->ndbytes, sr.h.nframes,
							       (sr.h.sflags & CPROF_SAMPLE_TRUNCATED) != 0 };
			r->ndbytes += nb;
			*v = (uint32_t)++r->ndefs;
			break;
		}
		case CPROF_RAW_SAMPLE:
		case CPROF_RAW_STACK_SAMPLE:
			(*nsamples)++;
			break;
		}
	}
	if (r->nnotes > 20)
		prof_warnf(r->o, "%llu more recorder notes not shown", (unsigned long long)(r->nnotes - 20));
	if (more < 0) {
		free(unmaps);
		free(labels);
		pairmap_free(&mapkeys);
		sb_release(&sb);
		return -1;
	}

	/* The mapping timeline: each mapping is live from its record's time
	 * until the first later UNMAP that overlaps it. */
	r->byst = xmalloc(st_mult(r->nmaps + 1, sizeof(uint32_t)));
	r->pmax = xmalloc(st_mult(r->nmaps + 1, sizeof(uint64_t)));
	for (size_t i = 0; i < r->nmaps; i++)
		r->byst[i] = (uint32_t)i;
	qsort_r(r->byst, r->nmaps, sizeof(uint32_t), cmp_map_start, r->maps);
	for (size_t j = 0; j < r->nmaps; j++) {
		uint64_t l = r->maps[r->byst[j]].limit;
		r->pmax[j] = j && r->pmax[j - 1] > l ? r->pmax[j - 1] : l;
	}
	for (size_t u = 0; u < nunmaps; u++)
		for (size_t j = maps_upto(r, unmaps[u].limit); j-- > 0 && r->pmax[j] > unmaps[u].start;) {
			rmap *m = &r->maps[r->byst[j]];
			if (m->time <= unmaps[u].time && unmaps[u].time < m->unmap_time &&
			    m->start < unmaps[u].limit && unmaps[u].start < m->limit)
				m->unmap_time = unmaps[u].time;
		}
	r->nev = r->nmaps + nunmaps;
	r->ev_time = xmalloc(st_mult(r->nev + 1, sizeof(uint64_t)));
	for (size_t i = 0; i < r->nmaps; i++)
		r->ev_time[i] = r->maps[i].time;
	for (size_t u = 0; u < nunmaps; u++)
		r->ev_time[r->nmaps + u] = unmaps[u].time;
	qsort(r->ev_time, r->nev, sizeof(uint64_t), cmp_u64);
	free(unmaps);
	free(labels);
	pairmap_free(&mapkeys);
	sb_release(&sb);
	return 0;
}

/* ---- time order -------------------------------------------------------- */

/* The order of the samples by time, stable, as an index array (caller
 * frees). A recorder drains each thread's buffer in order, so each thread's
 * samples are already sorted and a k-way merge of the threads does it with
 * sequential memory access; anything else (a hand-made file) takes an LSD
 * radix sort of (time, index) pairs. */
typedef struct heap_ent {
	int64_t t;
	uint32_t i;    /* sample index: ties keep file order */
	uint32_t slot; /* thread slot */
} heap_ent;

static inline bool heap_less(const heap_ent *a, const heap_ent *b)
{
	return a->t < b->t || (a->t == b->t && a->i < b->i);
}

static void heap_down(heap_ent *h, size_t n, size_t k)
{
	for (;;) {
		size_t l = 2 * k + 1, m = k;
		if (l < n && heap_less(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && heap_less(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == k)
			return;
		heap_ent t = h[k];
		h[k] = h[m];
		h[m] = t;
		k = m;
	}
}

#define MERGE_MAX_THREADS 65536

static uint32_t *order_by_thread_merge(const profile *p)
{
	size_t n = p->nsamples;
	/* tid -> slot, per-slot count, and whether each slot is sorted */
	pairmap slots = { 0 };
	uint32_t nslots = 0;
	size_t *count = NULL, count_alloc = 0;
	int64_t *last = NULL;
	size_t last_alloc = 0;
	uint32_t *slot_of = xmalloc(st_mult(n, sizeof(uint32_t)));
	int32_t prev_tid = 0;
	uint32_t prev_slot = PROF_NONE;
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		const prof_sample *s = &p->samples[i];
		uint32_t sl = prev_slot;
		if (sl == PROF_NONE || s->tid != prev_tid) {
			uint32_t *v = pairmap_slot(&slots, (uint64_t)(uint32_t)s->tid, 0);
			if (!*v) {
				if (nslots == MERGE_MAX_THREADS) {
					ok = false;
					break;
				}
				ALLOC_GROW(count, nslots + 1, count_alloc);
				ALLOC_GROW(last, nslots + 1, last_alloc);
				count[nslots] = 0;
				last[nslots] = INT64_MIN;
				*v = ++nslots;
			}
			sl = *v - 1;
			prev_tid = s->tid;
			prev_slot = sl;
		}
		if (s->time_ns < last[sl])
			ok = false;
		last[sl] = s->time_ns;
		count[sl]++;
		slot_of[i] = sl;
	}
	pairmap_free(&slots);
	free(last);
	uint32_t *order = NULL;
	if (ok) {
		/* per-slot lists of sample indexes, then the merge */
		size_t *start = xmalloc(st_mult((size_t)nslots + 1, sizeof(size_t)));
		size_t sum = 0;
		for (uint32_t k = 0; k < nslots; k++) {
			start[k] = sum;
			sum += count[k];
		}
		start[nslots] = sum;
		uint32_t *lists = xmalloc(st_mult(n, sizeof(uint32_t)));
		size_t *fill = xmalloc(st_mult((size_t)nslots + 1, sizeof(size_t)));
		memcpy(fill, start, (size_t)nslots * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			lists[fill[slot_of[i]]++] = (uint32_t)i;
		heap_ent *h = xmalloc(st_mult((size_t)nslots + 1, sizeof(heap_ent)));
		size_t hn = 0;
		for (uint32_t k = 0; k < nslots; k++) {
			uint32_t i = lists[start[k]];
			h[hn++] = (heap_ent){ p->samples[i].time_ns, i, k };
			fill[k] = start[k] + 1;
		}
		for (size_t k = hn / 2 + 1; k-- > 0;)
			heap_down(h, hn, k);
		order = slot_of; /* reused: slot_of[i] is not needed past i */
		for (size_t o = 0; o < n; o++) {
			order[o] = h[0].i;
			uint32_t k = h[0].slot;
			if (fill[k] < start[k + 1]) {
				uint32_t i = lists[fill[k]++];
				h[0] = (heap_ent){ p->samples[i].time_ns, i, k };
			} else {
				h[0] = h[--hn];
			}
			heap_down(h, hn, 0);
		}
		free(h);
		free(fill);
		free(lists);
		free(start);
	} else {
		free(slot_of);
	}
	free(count);
	return order;
}

static uint32_t *order_by_radix(const profile *p, int64_t lo, int bits)
{
	size_t n = p->nsamples;
	/* (key, index) pairs move together: sequential access every pass */
	uint64_t *k0 = xmalloc(st_mult(n, sizeof(uint64_t))), *k1 = xmalloc(st_mult(n, sizeof(uint64_t)));
	uint32_t *i0 = xmalloc(st_mult(n, sizeof(uint32_t))), *i1 = xmalloc(st_mult(n, sizeof(uint32_t)));
	for (size_t i = 0; i < n; i++) {
		k0[i] = (uint64_t)p->samples[i].time_ns - (uint64_t)lo;
		i0[i] = (uint32_t)i;
	}
	enum { D = 11, B = 1 << D };
	size_t *cnt = xmalloc(B * sizeof(size_t));
	for (int shift = 0; shift < bits; shift += D) {
		memset(cnt, 0, B * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			cnt[(k0[i] >> shift) & (B - 1)]++;
		size_t sum = 0;
		for (size_t d = 0; d < B; d++) {
			size_t c = cnt[d];
			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			size_t at = cnt[(k0[i] >> shift) & (B - 1)]++;
			k1[at] = k0[i];
			i1[at] = i0[i];
		}
		uint64_t *ks = k0;
		k0 = k1;
		k1 = ks;
		uint32_t *is = i0;
		i0 = i1;
		i1 = is;
	}
	free(cnt);
	free(k0);
	free(k1);
	free(i1);
	return i0;
}

static void sort_by_time(profile *p)
{
	size_t n = p->nsamples;
	if (n < 2)
		return;
	bool sorted = true;
	int64_t lo = p->samples[0].time_ns, hi = lo;
	for (size_t i = 1; i < n; i++) {
		int64_t t = p->samples[i].time_ns;
		if (t < p->samples[i - 1].time_ns)
			sorted = false;
		if (t < lo)
			lo = t;
		if (t > hi)
			hi = t;
	}
	if (sorted)
		return;
	uint32_t *idx = order_by_thread_merge(p);
	if (!idx) {
		uint64_t span = (uint64_t)hi - (uint64_t)lo;
		int bits = 0;
		while (bits < 64 && (span >> bits))
			bits++;
		idx = order_by_radix(p, lo, bits);
	}
	/* Permute in place, cycle by cycle (new[i] = old[idx[i]]): fresh
	 * memory is the expensive part at 10M samples, so no copies. */
	uint32_t nv = p->nvalues;
	int64_t vtmp[16];
	int64_t *vt = nv <= 16 ? vtmp : xmalloc(st_mult(nv, sizeof(int64_t)));
	for (size_t i = 0; i < n; i++) {
		if (idx[i] == i)
			continue;
		prof_sample st = p->samples[i];
		if (nv)
			memcpy(vt, p->values + i * nv, nv * sizeof(int64_t));
		size_t j = i;
		for (;;) {
			size_t k = idx[j];
			idx[j] = (uint32_t)j;
			if (k == i) {
				p->samples[j] = st;
				if (nv)
					memcpy(p->values + j * nv, vt, nv * sizeof(int64_t));
				break;
			}
			p->samples[j] = p->samples[k];
			if (nv)
				memcpy(p->values + j * nv, p->values + k * nv, nv * sizeof(int64_t));
			j = k;
		}
	}
	if (vt != vtmp)
		free(vt);
	free(idx);
}

/* ---- frame-pointer stacks that stop early -------------------------------- */

/* The outermost frames a complete stack ends in: the program's start, a
 * thread's start. */
static bool is_root_name(const char *name)
{
	static const char *const roots[] = {
		"_start", "__libc_start_main", "__libc_start_call_main", "main", "start_thread",
		"clone", "clone3", "__clone", "__clone3", "__clone_internal", "[truncated]",
	};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!strcmp(name, roots[i]))
			return true;
	return false;
}

/* A recording made with --unwind fp of code built without frame pointers
 * has stacks that stop after a frame or two, and nothing else says so:
 * once symbolized, count the samples whose outermost frame is not where a
 * stack starts (samples whose outermost frame has no name are not judged)
 * and warn when they are 10% or more. */
static void warn_fp_stops(const profile *p, const prof_read_opts *o)
{
	uint64_t judged = 0, stopped = 0;

	/* values[0] counts the raw samples (more than 1 when aggregated) */
	for (size_t i = 0; i < p->nsamples; i++) {
		const prof_stack *st = &p->stacks[p->samples[i].stack];
		uint64_t count = (uint64_t)prof_sample_values(p, i)[0];
		if (!st->depth)
			continue;
		const prof_location *loc = &p->locations[st->locs[st->depth - 1]];
		if (!loc->nlines)
			continue;
		judged += count;
		if (!is_root_name(p->functions[loc->lines[loc->nlines - 1].function].name))
			stopped += count;
	}
	if (judged && stopped * 10 >= judged)
		prof_warnf(o, "%llu of %llu samples (%.0f%%) have stacks that stop before main or "
			      "their thread's start: recorded with --unwind fp through code built "
			      "without frame pointers; record with --unwind libunwind (the default) "
			      "or build with -fno-omit-frame-pointer",
			   (unsigned long long)stopped, (unsigned long long)judged,
			   100.0 * (double)stopped / (double)judged);
}

/* ---- pass 2 ------------------------------------------------------------ */

/* Aggregated reading (prof_read_opts.aggregate): one model sample per
 * distinct (stack, label set, thread, flags), its values summed; its time
 * is the first sample's, so the groups come out in the order of their first
 * sample, as the views that group a time-ordered model see them. */
typedef struct agg {
	int64_t time;
	uint64_t first; /* file index of the sample that gave the time */
	int64_t vals[2];
	uint32_t stack, labelset, flags;
	int32_t tid;
} agg;

static int cmp_agg(const void *a, const void *b)
{
	const agg *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

typedef struct pass2_stats {
	uint64_t nsamples; /* raw samples read */
	uint64_t nbefore;  /* timestamped before the start */
	int64_t maxt;
} pass2_stats;

static int pass2(rr *r, raw_reader *rd, uint64_t t0, uint64_t nraw, pass2_stats *st)
{
	profile *p = r->p;
	bool aggregate = r->o->aggregate;
	raw_rec rec;
	cprof_err e;
	agg *groups = NULL;
	size_t ngroups = 0, groups_alloc = 0;
	pairmap gmap = { 0 }; /* (stack, labelset), (tid, flags) -> group + 1 */
	int more;

	if (!aggregate)
		prof_reserve_samples(p, nraw);
	while ((more = raw_next(rd, &rec)) > 0) {
		/* the sample, from either record type */
		struct {
			uint64_t time_ns, weight_ns;
			uint32_t tid, labelset;
			uint16_t sflags;
		} s;
		uint32_t stack, epoch;
		if (rec.type == CPROF_RAW_SAMPLE) {
			raw_sample_rec fs;
			if (raw_sample(&rec, &fs, &e) < 0) {
				malformed(r, &e);
				continue;
			}
			s.time_ns = fs.h.time_ns;
			s.weight_ns = fs.h.weight_ns;
			s.tid = fs.h.tid;
			s.labelset = fs.h.labelset;
			s.sflags = fs.h.sflags;
			bool truncated = (fs.h.sflags & CPROF_SAMPLE_TRUNCATED) != 0;
			r->ntruncated += truncated;
			epoch = r->nev ? epoch_of(r, s.time_ns) : 0;
			stack = sample_stack(r, fs.frames, fs.h.nframes, truncated, epoch);
		} else if (rec.type == CPROF_RAW_STACK_SAMPLE) {
			raw_stack_sample_rec ss;
			if (raw_stack_sample(&rec, &ss, &e) < 0) {
				malformed(r, &e);
				continue;
			}
			uint32_t d = pairmap_get(&r->def_ids, ss.h.stack, 0);
			if (d == PROF_NONE) {
				r->nbad_stack++;
				continue;
			}
			const struct defstack *ds = &r->defs[d];
			s.time_ns = ss.h.time_ns;
			s.weight_ns = ss.has_weight ? ss.weight_ns : r->period_ns;
			s.tid = ss.h.tid;
			s.labelset = ss.labelset;
			s.sflags = ss.sflags;
			r->ntruncated += ds->truncated;
			epoch = r->nev ? epoch_of(r, s.time_ns) : 0;
			/* the stack of an id is resolved once per epoch */
			uint32_t *m = pairmap_slot(&r->def_stacks, ss.h.stack, epoch);
			if (!*m)
				*m = sample_stack(r, r->dbytes + ds->frames, ds->nframes, ds->truncated,
						  epoch) + 1;
			stack = *m - 1;
		} else {
			continue;
		}
		uint32_t ls = 0;
		if (s.labelset) {
			ls = pairmap_get(&r->lsets, s.labelset, 0);
			if (ls == PROF_NONE) {
				ls = 0;
				r->nbad_lset++;
			}
		}
		/* A time before the start (a damaged or hand-made file) would
		 * read as "unknown" (-1) or break time order views: clamp to 0,
		 * and say so. */
		int64_t t = (int64_t)(s.time_ns - t0);
		if (s.time_ns < t0 || t < 0) {
			t = 0;
			st->nbefore++;
		}
		if (t > st->maxt)
			st->maxt = t;
		int64_t vals[2] = { 1, (int64_t)s.weight_ns };
		uint32_t flags = (s.sflags & CPROF_SAMPLE_OFFCPU) ? PROF_SAMPLE_OFFCPU : 0;
		uint64_t idx = st->nsamples++;
		if (!aggregate) {
			prof_add_sample(p, stack, ls, vals, t, (int32_t)s.tid, flags);
			continue;
		}
		uint32_t *g = pairmap_slot(&gmap, (uint64_t)stack << 32 | ls,
					   (uint64_t)s.tid << 32 | flags);
		if (!*g) {
			ALLOC_GROW(groups, ngroups + 1, groups_alloc);
			groups[ngroups] = (agg){ t, idx, { 0, 0 }, stack, ls, flags, (int32_t)s.tid };
			*g = (uint32_t)++ngroups;
		}
		agg *a = &groups[*g - 1];
		if (t < a->time) {
			a->time = t;
			a->first = idx;
		}
		a->vals[0] = prof_sadd(a->vals[0], vals[0]);
		a->vals[1] = prof_sadd(a->vals[1], vals[1]);
	}
	pairmap_free(&gmap);
	if (more < 0) {
		free(groups);
		return -1;
	}
	if (aggregate) {
		if (ngroups) /* qsort's array may not be NULL */
			qsort(groups, ngroups, sizeof(*groups), cmp_agg);
		prof_reserve_samples(p, ngroups);
		for (size_t i = 0; i < ngroups; i++)
			prof_add_sample(p, groups[i].stack, groups[i].labelset, groups[i].vals,
					groups[i].time, groups[i].tid, groups[i].flags);
		free(groups);
	} else {
		sort_by_time(p);
	}
	return 0;
}

/* ---- the whole read ---------------------------------------------------- */

static int read_records(profile *p, raw_reader *rd, const prof_read_opts *o, cprof_err *err)
{
	static const prof_read_opts defaults;
	if (!o)
		o = &defaults;
	rr r = { 0 };
	r.p = p;
	r.o = o;
	raw_info_rec info;
	struct cprof_raw_end end;
	bool have_info = false, have_end = false;
	uint64_t nraw = 0;
	int ret = -1;
	if (pass1(&r, rd, &info, &have_info, &end, &have_end, &nraw) < 0) {
		if (err)
			*err = rd->error;
		goto out;
	}
	if (!have_info) {
		if (r.nmalformed)
			cprof_fail(err, "no usable INFO record (%s)", r.first_malformed);
		else
			cprof_fail(err, "no INFO record: not a complete raw file");
		goto out;
	}

	/* header facts */
	bool wall = info.h.mode == CPROF_MODE_WALL;
	prof_value_type types[2] = { { "samples", "count" },
				     { wall ? "wall" : "cpu", "nanoseconds" } };
	prof_set_sample_types(p, types, 2);
	p->default_type = 1;
	p->period_type.type = prof_intern(p, types[1].type);
	p->period_type.unit = prof_intern(p, "nanoseconds");
	p->period = (int64_t)info.h.period_ns;
	p->time_nanos = (int64_t)info.h.start_realtime_ns;
	p->has_timestamps = true;
	p->source_format = prof_intern(p, "raw");
	p->mode = prof_intern(p, wall ? "wall" : "cpu");
	const char *tn = timer_name(info.h.timer);
	if (tn) {
		p->timer = prof_intern(p, tn);
	} else {
		char buf[32];
		snprintf(buf, sizeof(buf), "unknown(%u)", (unsigned)info.h.timer);
		p->timer = prof_intern(p, buf);
	}
	p->executable = r.exe;
	p->cmdline = r.cmdline;
	p->pid = (int32_t)info.h.pid;
	for (uint32_t i = 0; i < p->nthreads; i++)
		p->threads[i].pid = p->pid; /* one process per raw file */
	p->mono_start_ns = (int64_t)info.h.start_monotonic_ns;
	p->samples_dropped = have_end ? end.samples_dropped : 0;

	/* pass 2: samples, over the records pass 1 read (a recording still
	 * being written may have more by now: they wait for the next read) */
	r.period_ns = info.h.period_ns;
	raw_reader first = *rd; /* how pass 1 ended, for the warnings */
	raw_rewind(rd, first.stop_offset);
	pass2_stats st = { 0 };
	if (pass2(&r, rd, info.h.start_monotonic_ns, nraw, &st) < 0) {
		if (err)
			*err = rd->error;
		goto out;
	}
	if (have_end && end.time_ns > info.h.start_monotonic_ns)
		p->duration_nanos = (int64_t)(end.time_ns - info.h.start_monotonic_ns);
	else
		p->duration_nanos = st.maxt;

	/* warnings, once each */
	strbuf sb = STRBUF_INIT;
	raw_describe_end(&first, &sb);
	if (sb.len)
		prof_warnf(r.o, "%s (%zu of %zu bytes, %llu samples)", sb.buf, first.stop_offset,
			   first.len, (unsigned long long)st.nsamples);
	sb_release(&sb);
	if (first.nincomplete)
		prof_warnf(r.o, "skipped %llu incomplete records (the recorder died while writing them)",
		      (unsigned long long)first.nincomplete);
	if (first.nunknown)
		prof_warnf(r.o, "skipped %llu records of unknown types (written by a newer recorder?)",
		      (unsigned long long)first.nunknown);
	if (r.nmalformed)
		prof_warnf(r.o, "skipped %llu malformed records (first: %s)",
		      (unsigned long long)r.nmalformed, r.first_malformed);
	if (st.nbefore)
		prof_warnf(r.o, "%llu samples are timestamped before the recording's start (shown at 0 ms)",
		      (unsigned long long)st.nbefore);
	if (r.ntruncated)
		prof_warnf(r.o, "%llu of %llu samples had stacks deeper than the recorder keeps: "
				"their outermost frames are missing (shown under a [truncated] root)",
			   (unsigned long long)r.ntruncated, (unsigned long long)st.nsamples);
	if (r.nbad_lset)
		prof_warnf(r.o, "%llu samples refer to unknown label sets (labels dropped)",
		      (unsigned long long)r.nbad_lset);
	if (r.nbad_stack)
		prof_warnf(r.o, "%llu samples refer to unknown stacks (no STACK record with their id): "
				"dropped", (unsigned long long)r.nbad_stack);
	if (have_end && end.samples_dropped)
		prof_warnf(r.o, "the recorder dropped %llu samples (buffers full)",
		      (unsigned long long)end.samples_dropped);

	ret = 0;
	if (!o->no_symbolize && p->nlocations) {
		ALLOC_GROW(r.is_call, p->nlocations, r.is_call_alloc);
		ret = sym_symbolize(p, r.is_call, o, NULL, err);
		if (!ret) /* JIT code the program described in /tmp/perf-PID.map */
			perfmap_symbolize(p, NULL, p->pid, o);
		if (ret == 0 && info.h.unwinder == CPROF_UNWIND_FP)
			warn_fp_stops(p, o);
	}
out:
	free(r.maps);
	free(r.byst);
	free(r.pmax);
	free(r.ev_time);
	pairmap_free(&r.lsets);
	pairmap_free(&r.addr_loc);
	pairmap_free(&r.map_loc);
	pairmap_free(&r.def_ids);
	pairmap_free(&r.def_stacks);
	free(r.defs);
	free(r.dbytes);
	free(r.is_call);
	free(r.stab);
	free(r.rstacks);
	free(r.fbytes);
	free(r.locbuf);
	return ret;
}

int rawread(profile *p, const unsigned char *d, size_t n, const prof_read_opts *o, cprof_err *err)
{
	raw_reader rd;
	if (raw_open(&rd, d, n, err) < 0)
		return -1;
	return read_records(p, &rd, o, err);
}

int rawread_fd(profile *p, int fd, size_t size, const prof_read_opts *o, cprof_err *err)
{
	raw_reader rd;
	int ret = -1;
	if (raw_open_fd(&rd, fd, size, 0, err) == 0)
		ret = read_records(p, &rd, o, err);
	raw_close(&rd);
	return ret;
}
