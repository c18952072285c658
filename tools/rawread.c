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
 * A STACK_SAMPLE costs one probe for its STACK id (each id remembers the
 * model stack of the last epoch it was seen in), one more per sample when
 * aggregating (the group). Every table is util's hidx, with the caller's
 * array as its keys (raw stacks, STACK ids, groups: equality inlined, where
 * the probe is per sample) or as a keyset (the rest: a miss or a record).
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

/* ---- (u64, u64) -> u32 maps ------------------------------------------ */

/* util's keyset (dense ids over hidx) with the values beside it, by id. */
typedef struct keymap {
	keyset keys;
	uint32_t *val;
	size_t val_alloc;
} keymap;

#define KEYMAP_INIT { KEYSET_INIT(2), NULL, 0 }

/* The value of (a, b), to read or set: PROF_NONE when (a, b) is new. */
static uint32_t *keymap_slot(keymap *m, uint64_t a, uint64_t b)
{
	const uint64_t key[2] = { a, b };
	bool added;
	uint32_t id = keyset_add(&m->keys, key, &added);
	if (added) {
		ALLOC_GROW(m->val, (size_t)id + 1, m->val_alloc);
		m->val[id] = PROF_NONE;
	}
	return &m->val[id];
}

/* The value of (a, b), or PROF_NONE. */
static uint32_t keymap_get(const keymap *m, uint64_t a, uint64_t b)
{
	const uint64_t key[2] = { a, b };
	uint32_t id = keyset_find(&m->keys, key);
	return id == HIDX_NONE ? PROF_NONE : m->val[id];
}

static void keymap_free(keymap *m)
{
	keyset_free(&m->keys);
	free(m->val);
	m->val = NULL;
	m->val_alloc = 0;
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
	keymap lsets;      /* (raw label-set id, 0) -> model labelset */
	keymap addr_loc;   /* (address, epoch<<1|call) -> location */
	keymap map_loc;    /* (address, mapping<<1|call) -> location */
	bool *is_call;     /* per location */
	size_t is_call_alloc;
	/* raw-stack cache: (epoch, frame bytes) -> rstacks[] */
	hidx rstack_ix;
	rstack *rstacks;
	size_t nrstacks, rstacks_alloc;
	unsigned char *fbytes; /* the frames of every distinct raw stack */
	size_t nfbytes, fbytes_alloc;
	uint32_t *locbuf;
	size_t locbuf_alloc;
	uint32_t truncated_loc; /* index+1 of the "[truncated]" root; 0: none yet */
	/* the file's STACK records (v2): id -> defs[], frames in dbytes;
	 * (defs index, epoch) -> model stack */
	hidx def_ix;
	keymap def_stacks;
	struct defstack {
		uint32_t id;   /* the record's */
		size_t frames; /* offset in dbytes */
		uint32_t nframes;
		bool truncated;
		/* the model stack in the epoch of the id's last sample (PROF_NONE:
		 * none yet): epochs change at dlopen/dlclose only, so nearly
		 * every sample finds its stack here, without def_stacks */
		uint32_t last_epoch, last_stack;
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

/* STACK ids are looked up once per STACK_SAMPLE: inlined equality */
static inline uint32_t def_hash(uint32_t id)
{
	return (uint32_t)hash_mix64(id);
}

static bool def_eq(const void *ctx, uint32_t i, const void *key)
{
	return ((const rr *)ctx)->defs[i].id == *(const uint32_t *)key;
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

/* The number of mappings (in byst order) that start below hi. A caller
 * walks back from there while some earlier mapping may still reach past its
 * low address (pmax), so disjoint mappings cost log M. */
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
	uint32_t *v = keymap_slot(&r->addr_loc, addr, (uint64_t)epoch << 1 | call);
	if (*v != PROF_NONE)
		return *v;
	uint32_t m = resolve_mapping(r, addr, epoch);
	/* map_loc is another table: v stays valid while it changes */
	uint32_t *w = keymap_slot(&r->map_loc, addr, (uint64_t)m << 1 | call);
	if (*w == PROF_NONE) {
		uint32_t loc = prof_add_location(r->p, m, addr, NULL, 0);
		ALLOC_GROW(r->is_call, (size_t)loc + 1, r->is_call_alloc);
		r->is_call[loc] = call;
		*w = loc;
	}
	*v = *w;
	return *w;
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

typedef struct rstack_key {
	const unsigned char *frames;
	uint32_t n, epoch;
	bool truncated;
} rstack_key;

static bool rstack_eq(const void *ctx, uint32_t i, const void *key)
{
	const rr *r = ctx;
	const rstack_key *k = key;
	const rstack *c = &r->rstacks[i];
	return c->nframes == k->n && c->epoch == k->epoch && c->truncated == k->truncated &&
	       (!k->n || memcmp(r->fbytes + c->frames, k->frames, (size_t)k->n * 8) == 0);
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
	rstack_key key = { frames, n, epoch, truncated };
	size_t slot;
	uint32_t i = hidx_find(&r->rstack_ix, h, rstack_eq, r, &key, &slot);
	if (i != HIDX_NONE)
		return r->rstacks[i].stack;
	/* resolving the frames uses other tables: slot stays valid */
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
	r->rstacks[r->nrstacks] = (rstack){ r->nfbytes, n, epoch, stack, truncated };
	r->nfbytes += (size_t)n * 8;
	hidx_set(&r->rstack_ix, slot, h, (uint32_t)r->nrstacks++);
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

/* ---- pass 1 ------------------------------------------------------------ */

typedef struct unmap_ev {
	uint64_t time, start, limit;
} unmap_ev;

/* What pass 1 finds besides rr's tables, and its scratch space. */
typedef struct pass1 {
	rr *r;
	raw_info_rec info;
	struct cprof_raw_end end;
	bool have_info, have_end;
	uint64_t nsamples;
	unmap_ev *unmaps;
	size_t nunmaps, unmaps_alloc;
	strbuf sb;
	prof_label *labels;
	size_t labels_alloc;
	keymap mapkeys; /* (start, limit) -> model mapping */
} pass1;

static void p1_info(pass1 *s, const raw_rec *rec)
{
	rr *r = s->r;
	cprof_err e;
	if (s->have_info) {
		prof_warnf(r->o, "extra INFO record at byte %zu ignored", rec->offset);
		return;
	}
	if (raw_info(rec, &s->info, &e) < 0) {
		malformed(r, &e);
		return;
	}
	s->have_info = true;
	r->exe = prof_intern_n(r->p, s->info.exe, s->info.exe_len);
	sb_reset(&s->sb);
	size_t len = s->info.cmdline_len;
	while (len && s->info.cmdline[len - 1] == 0)
		len--;
	for (size_t i = 0; i < len; i++)
		sb_addc(&s->sb, s->info.cmdline[i] ? s->info.cmdline[i] : ' ');
	r->cmdline = prof_intern(r->p, s->sb.buf);
	s->info.exe = s->info.cmdline = NULL; /* in the reader's window */
}

static void p1_mapping(pass1 *s, const raw_rec *rec)
{
	rr *r = s->r;
	profile *p = r->p;
	raw_mapping_rec m;
	cprof_err e;
	if (raw_mapping(rec, &m, &e) < 0) {
		malformed(r, &e);
		return;
	}
	if (m.h.limit <= m.h.start) {
		cprof_fail(&e, "MAPPING record at byte %zu: empty address range", rec->offset);
		malformed(r, &e);
		return;
	}
	sb_reset(&s->sb);
	sb_add_hex(&s->sb, m.build_id, m.h.build_id_len);
	prof_mapping pm = { 0 };
	pm.start = m.h.start;
	pm.limit = m.h.limit;
	pm.offset = m.h.offset;
	pm.build_id = s->sb.buf;
	pm.file = prof_intern_n(p, m.path, m.h.path_len);
	/* A mapping recorded again unchanged (a recorder that rescans after
	 * dlopen) stays one model mapping, so its frames stay the same
	 * locations and stacks. */
	uint32_t *mk = keymap_slot(&s->mapkeys, m.h.start, m.h.limit);
	uint32_t mi = *mk;
	if (mi == PROF_NONE || p->mappings[mi].offset != pm.offset || p->mappings[mi].file != pm.file ||
	    strcmp(p->mappings[mi].build_id, pm.build_id) != 0) {
		mi = prof_add_mapping(p, &pm);
		*mk = mi;
	}
	ALLOC_GROW(r->maps, r->nmaps + 1, r->maps_alloc);
	r->maps[r->nmaps++] = (rmap){ m.h.time_ns, m.h.start, m.h.limit, UINT64_MAX, mi };
}

static void p1_unmap(pass1 *s, const raw_rec *rec)
{
	struct cprof_raw_unmap u;
	cprof_err e;
	if (raw_unmap(rec, &u, &e) < 0) {
		malformed(s->r, &e);
		return;
	}
	ALLOC_GROW(s->unmaps, s->nunmaps + 1, s->unmaps_alloc);
	s->unmaps[s->nunmaps++] = (unmap_ev){ u.time_ns, u.start, u.limit };
}

static void p1_thread(pass1 *s, const raw_rec *rec)
{
	raw_thread_rec t;
	cprof_err e;
	if (raw_thread(rec, &t, &e) < 0)
		malformed(s->r, &e);
	else
		prof_set_thread_name(s->r->p, (int32_t)t.h.tid, t.name);
}

static void p1_labelset(pass1 *s, const raw_rec *rec)
{
	rr *r = s->r;
	raw_labelset_rec ls;
	cprof_err e;
	if (raw_labelset(rec, &ls, &e) < 0) {
		malformed(r, &e);
		return;
	}
	/* raw_labelset checked that all entries fit in the record, so the
	 * count is bounded by the file size. */
	size_t pos = 0, n = 0;
	raw_label rl;
	while (raw_labelset_get(&ls, &pos, &rl)) {
		ALLOC_GROW(s->labels, n + 1, s->labels_alloc);
		s->labels[n].key = prof_intern_n(r->p, rl.key, rl.key_len);
		s->labels[n].str = prof_intern_n(r->p, rl.value, rl.value_len);
		s->labels[n].num = 0;
		s->labels[n].unit = NULL;
		n++;
	}
	uint32_t id = prof_intern_labelset(r->p, s->labels, (uint32_t)n);
	*keymap_slot(&r->lsets, ls.h.id, 0) = id;
}

static void p1_end(pass1 *s, const raw_rec *rec)
{
	cprof_err e;
	if (raw_end(rec, &s->end, &e) < 0)
		malformed(s->r, &e);
	else
		s->have_end = true;
}

static void p1_note(pass1 *s, const raw_rec *rec)
{
	rr *r = s->r;
	raw_note_rec nt;
	cprof_err e;
	if (raw_note(rec, &nt, &e) < 0) {
		malformed(r, &e);
		return;
	}
	if (r->nnotes++ < 20)
		prof_warnf(r->o, "recorder %s: %.*s", nt.h.level ? "warning" : "note", (int)nt.h.len,
			   nt.text);
}

/* A STACK record: its frames are kept (the record is gone after) for the
 * STACK_SAMPLEs that name its id. */
static void p1_stack(pass1 *s, const raw_rec *rec)
{
	rr *r = s->r;
	raw_stack_rec sr;
	cprof_err e;
	if (raw_stack(rec, &sr, &e) < 0) {
		malformed(r, &e);
		return;
	}
	uint32_t h = def_hash(sr.h.id);
	size_t slot;
	if (hidx_find(&r->def_ix, h, def_eq, r, &sr.h.id, &slot) != HIDX_NONE) {
		cprof_fail(&e, "STACK record at byte %zu: id %u defined twice (the first kept)",
			   rec->offset, (unsigned)sr.h.id);
		malformed(r, &e);
		return;
	}
	size_t nb = (size_t)sr.h.nframes * 8;
	ALLOC_GROW(r->defs, r->ndefs + 1, r->defs_alloc);
	ALLOC_GROW(r->dbytes, r->ndbytes + nb, r->dbytes_alloc);
	if (nb)
		memcpy(r->dbytes + r->ndbytes, sr.frames, nb);
	r->defs[r->ndefs] = (struct defstack){ sr.h.id, r->ndbytes, sr.h.nframes,
					       (sr.h.sflags & CPROF_SAMPLE_TRUNCATED) != 0, 0,
					       PROF_NONE };
	r->ndbytes += nb;
	hidx_set(&r->def_ix, slot, h, (uint32_t)r->ndefs++);
}

/* The mapping timeline: each mapping is live from its record's time until
 * the first later UNMAP that overlaps it; the epochs are the sorted times
 * of all mapping events. */
static void build_timeline(rr *r, const unmap_ev *unmaps, size_t nunmaps)
{
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
}

/* Every record but the samples, which it only counts; then the mapping
 * timeline. Returns 0, or -1 when the reader failed (rd->error). */
static int pass1_read(pass1 *s, raw_reader *rd)
{
	raw_rec rec;
	int more;
	while ((more = raw_next(rd, &rec)) > 0) {
		switch (rec.type) {
		case CPROF_RAW_INFO: p1_info(s, &rec); break;
		case CPROF_RAW_MAPPING: p1_mapping(s, &rec); break;
		case CPROF_RAW_UNMAP: p1_unmap(s, &rec); break;
		case CPROF_RAW_THREAD: p1_thread(s, &rec); break;
		case CPROF_RAW_LABELSET: p1_labelset(s, &rec); break;
		case CPROF_RAW_END: p1_end(s, &rec); break;
		case CPROF_RAW_NOTE: p1_note(s, &rec); break;
		case CPROF_RAW_STACK: p1_stack(s, &rec); break;
		case CPROF_RAW_SAMPLE:
		case CPROF_RAW_STACK_SAMPLE: s->nsamples++; break;
		}
	}
	if (s->r->nnotes > 20)
		prof_warnf(s->r->o, "%llu more recorder notes not shown",
			   (unsigned long long)(s->r->nnotes - 20));
	if (more < 0)
		return -1;
	build_timeline(s->r, s->unmaps, s->nunmaps);
	return 0;
}

static void pass1_free(pass1 *s)
{
	free(s->unmaps);
	free(s->labels);
	keymap_free(&s->mapkeys);
	sb_release(&s->sb);
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
	keyset slots = KEYSET_INIT(1); /* the keyset's ids are the slots */
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
			const uint64_t key = (uint32_t)s->tid;
			bool added;
			sl = keyset_add(&slots, &key, &added);
			if (added) {
				if (nslots == MERGE_MAX_THREADS) {
					ok = false;
					break;
				}
				ALLOC_GROW(count, nslots + 1, count_alloc);
				ALLOC_GROW(last, nslots + 1, last_alloc);
				count[nslots] = 0;
				last[nslots] = INT64_MIN;
				nslots++;
			}
			prev_tid = s->tid;
			prev_slot = sl;
		}
		if (s->time_ns < last[sl])
			ok = false;
		last[sl] = s->time_ns;
		count[sl]++;
		slot_of[i] = sl;
	}
	keyset_free(&slots);
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

/* A sample, from either record type, its stack resolved. */
typedef struct rsample {
	uint64_t time_ns, weight_ns;
	uint32_t tid, labelset, stack;
	uint16_t sflags;
} rsample;

/* A SAMPLE record: its frames are in the record. */
static bool full_sample(rr *r, const raw_rec *rec, rsample *s)
{
	raw_sample_rec fs;
	cprof_err e;
	if (raw_sample(rec, &fs, &e) < 0) {
		malformed(r, &e);
		return false;
	}
	s->time_ns = fs.h.time_ns;
	s->weight_ns = fs.h.weight_ns;
	s->tid = fs.h.tid;
	s->labelset = fs.h.labelset;
	s->sflags = fs.h.sflags;
	bool truncated = (fs.h.sflags & CPROF_SAMPLE_TRUNCATED) != 0;
	r->ntruncated += truncated;
	uint32_t epoch = r->nev ? epoch_of(r, s->time_ns) : 0;
	s->stack = sample_stack(r, fs.frames, fs.h.nframes, truncated, epoch);
	return true;
}

/* A STACK_SAMPLE record: it names a STACK record read by pass 1. */
static bool stack_sample(rr *r, const raw_rec *rec, rsample *s)
{
	raw_stack_sample_rec ss;
	cprof_err e;
	if (raw_stack_sample(rec, &ss, &e) < 0) {
		malformed(r, &e);
		return false;
	}
	uint32_t d = hidx_lookup(&r->def_ix, def_hash(ss.h.stack), def_eq, r, &ss.h.stack);
	if (d == HIDX_NONE) {
		r->nbad_stack++;
		return false;
	}
	struct defstack *ds = &r->defs[d];
	s->time_ns = ss.h.time_ns;
	s->weight_ns = ss.has_weight ? ss.weight_ns : r->period_ns;
	s->tid = ss.h.tid;
	s->labelset = ss.labelset;
	s->sflags = ss.sflags;
	r->ntruncated += ds->truncated;
	uint32_t epoch = r->nev ? epoch_of(r, s->time_ns) : 0;
	/* the stack of an id is resolved once per epoch */
	if (ds->last_stack == PROF_NONE || ds->last_epoch != epoch) {
		uint32_t *m = keymap_slot(&r->def_stacks, d, epoch);
		if (*m == PROF_NONE)
			*m = sample_stack(r, r->dbytes + ds->frames, ds->nframes, ds->truncated, epoch);
		ds->last_epoch = epoch;
		ds->last_stack = *m;
	}
	s->stack = ds->last_stack;
	return true;
}

/* The model label set of a raw label-set id (0: none). */
static uint32_t model_labelset(rr *r, uint32_t id)
{
	if (!id)
		return 0;
	uint32_t ls = keymap_get(&r->lsets, id, 0);
	if (ls == PROF_NONE) {
		r->nbad_lset++;
		return 0;
	}
	return ls;
}

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

typedef struct aggs {
	agg *g;
	size_t n, alloc;
	hidx ix; /* (stack, labelset, tid, flags) -> g[] */
} aggs;

static bool agg_eq(const void *ctx, uint32_t i, const void *key)
{
	const agg *a = &((const aggs *)ctx)->g[i], *k = key;
	return a->stack == k->stack && a->labelset == k->labelset && a->tid == k->tid &&
	       a->flags == k->flags;
}

/* Adds sample number idx (time t) to its group. Once per sample: an hidx
 * probe with the group array as its keys and the equality inlined. */
static void agg_add(aggs *ga, const agg *k, int64_t t, uint64_t idx, const int64_t vals[2])
{
	uint32_t h = (uint32_t)hash_mix64(((uint64_t)k->stack << 32 | k->labelset) * HASH_GOLDEN ^
					  ((uint64_t)(uint32_t)k->tid << 32 | k->flags));
	size_t slot;
	uint32_t i = hidx_find(&ga->ix, h, agg_eq, ga, k, &slot);
	if (i == HIDX_NONE) {
		ALLOC_GROW(ga->g, ga->n + 1, ga->alloc);
		ga->g[ga->n] = (agg){ t, idx, { 0, 0 }, k->stack, k->labelset, k->flags, k->tid };
		i = (uint32_t)ga->n++;
		hidx_set(&ga->ix, slot, h, i);
	}
	agg *a = &ga->g[i];
	if (t < a->time) {
		a->time = t;
		a->first = idx;
	}
	a->vals[0] = prof_sadd(a->vals[0], vals[0]);
	a->vals[1] = prof_sadd(a->vals[1], vals[1]);
}

static int cmp_agg(const void *a, const void *b)
{
	const agg *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* The groups into the model, in the order of their first sample. */
static void agg_finish(aggs *ga, profile *p)
{
	if (ga->n) /* qsort's array may not be NULL */
		qsort(ga->g, ga->n, sizeof(*ga->g), cmp_agg);
	prof_reserve_samples(p, ga->n);
	for (size_t i = 0; i < ga->n; i++)
		prof_add_sample(p, ga->g[i].stack, ga->g[i].labelset, ga->g[i].vals, ga->g[i].time,
				ga->g[i].tid, ga->g[i].flags);
}

typedef struct pass2_stats {
	uint64_t nsamples; /* raw samples read */
	uint64_t nbefore;  /* timestamped before the start */
	int64_t maxt;
} pass2_stats;

/* A sample's time since the start t0. A time before the start (a damaged
 * or hand-made file) would read as "unknown" (-1) or break time order
 * views: clamp to 0, and count it (a warning says so). */
static int64_t sample_time(uint64_t time_ns, uint64_t t0, pass2_stats *st)
{
	int64_t t = (int64_t)(time_ns - t0);
	if (time_ns < t0 || t < 0) {
		t = 0;
		st->nbefore++;
	}
	if (t > st->maxt)
		st->maxt = t;
	return t;
}

static int pass2(rr *r, raw_reader *rd, uint64_t t0, uint64_t nraw, pass2_stats *st)
{
	profile *p = r->p;
	bool aggregate = r->o->aggregate;
	raw_rec rec;
	aggs ga = { 0 };
	int more;

	if (!aggregate)
		prof_reserve_samples(p, nraw);
	while ((more = raw_next(rd, &rec)) > 0) {
		rsample s;
		if (rec.type == CPROF_RAW_SAMPLE) {
			if (!full_sample(r, &rec, &s))
				continue;
		} else if (rec.type == CPROF_RAW_STACK_SAMPLE) {
			if (!stack_sample(r, &rec, &s))
				continue;
		} else {
			continue;
		}
		uint32_t ls = model_labelset(r, s.labelset);
		int64_t t = sample_time(s.time_ns, t0, st);
		int64_t vals[2] = { 1, (int64_t)s.weight_ns };
		uint32_t flags = (s.sflags & CPROF_SAMPLE_OFFCPU) ? PROF_SAMPLE_OFFCPU : 0;
		uint64_t idx = st->nsamples++;
		if (aggregate)
			agg_add(&ga, &(agg){ .stack = s.stack, .labelset = ls, .flags = flags,
					     .tid = (int32_t)s.tid }, t, idx, vals);
		else
			prof_add_sample(p, s.stack, ls, vals, t, (int32_t)s.tid, flags);
	}
	if (more == 0) {
		if (aggregate)
			agg_finish(&ga, p);
		else
			sort_by_time(p);
	}
	free(ga.g);
	hidx_free(&ga.ix);
	return more < 0 ? -1 : 0;
}

/* ---- the whole read ---------------------------------------------------- */

/* The profile's header from INFO (and END, if any). */
static void set_header(profile *p, const rr *r, const pass1 *s)
{
	const raw_info_rec *info = &s->info;
	bool wall = info->h.mode == CPROF_MODE_WALL;
	prof_value_type types[2] = { { "samples", "count" },
				     { wall ? "wall" : "cpu", "nanoseconds" } };
	prof_set_sample_types(p, types, 2);
	p->default_type = 1;
	p->period_type.type = prof_intern(p, types[1].type);
	p->period_type.unit = prof_intern(p, "nanoseconds");
	p->period = (int64_t)info->h.period_ns;
	p->time_nanos = (int64_t)info->h.start_realtime_ns;
	p->has_timestamps = true;
	p->source_format = prof_intern(p, "raw");
	p->mode = prof_intern(p, wall ? "wall" : "cpu");
	const char *tn = timer_name(info->h.timer);
	if (tn) {
		p->timer = prof_intern(p, tn);
	} else {
		char buf[32];
		snprintf(buf, sizeof(buf), "unknown(%u)", (unsigned)info->h.timer);
		p->timer = prof_intern(p, buf);
	}
	p->executable = r->exe;
	p->cmdline = r->cmdline;
	p->pid = (int32_t)info->h.pid;
	for (uint32_t i = 0; i < p->nthreads; i++)
		p->threads[i].pid = p->pid; /* one process per raw file */
	p->mono_start_ns = (int64_t)info->h.start_monotonic_ns;
	p->samples_dropped = s->have_end ? s->end.samples_dropped : 0;
}

/* The problems of the read, each once. first: the reader as pass 1 ended. */
static void warn_problems(const rr *r, const pass1 *s, const raw_reader *first,
			  const pass2_stats *st)
{
	const prof_read_opts *o = r->o;
	strbuf sb = STRBUF_INIT;
	raw_describe_end(first, &sb);
	if (sb.len)
		prof_warnf(o, "%s (%zu of %zu bytes, %llu samples)", sb.buf, first->stop_offset,
			   first->len, (unsigned long long)st->nsamples);
	sb_release(&sb);
	if (first->nincomplete)
		prof_warnf(o, "skipped %llu incomplete records (the recorder died while writing them)",
			   (unsigned long long)first->nincomplete);
	if (first->nunknown)
		prof_warnf(o, "skipped %llu records of unknown types (written by a newer recorder?)",
			   (unsigned long long)first->nunknown);
	if (r->nmalformed)
		prof_warnf(o, "skipped %llu malformed records (first: %s)",
			   (unsigned long long)r->nmalformed, r->first_malformed);
	if (st->nbefore)
		prof_warnf(o, "%llu samples are timestamped before the recording's start (shown at 0 ms)",
			   (unsigned long long)st->nbefore);
	if (r->ntruncated)
		prof_warnf(o, "%llu of %llu samples had stacks deeper than the recorder keeps: "
			      "their outermost frames are missing (shown under a [truncated] root)",
			   (unsigned long long)r->ntruncated, (unsigned long long)st->nsamples);
	if (r->nbad_lset)
		prof_warnf(o, "%llu samples refer to unknown label sets (labels dropped)",
			   (unsigned long long)r->nbad_lset);
	if (r->nbad_stack)
		prof_warnf(o, "%llu samples refer to unknown stacks (no STACK record with their id): "
			      "dropped", (unsigned long long)r->nbad_stack);
	if (s->have_end && s->end.samples_dropped)
		prof_warnf(o, "the recorder dropped %llu samples (buffers full)",
			   (unsigned long long)s->end.samples_dropped);
}

static void rr_free(rr *r)
{
	free(r->maps);
	free(r->byst);
	free(r->pmax);
	free(r->ev_time);
	keymap_free(&r->lsets);
	keymap_free(&r->addr_loc);
	keymap_free(&r->map_loc);
	hidx_free(&r->def_ix);
	keymap_free(&r->def_stacks);
	free(r->defs);
	free(r->dbytes);
	free(r->is_call);
	hidx_free(&r->rstack_ix);
	free(r->rstacks);
	free(r->fbytes);
	free(r->locbuf);
}

/* Names the model's locations (and JIT frames), then judges fp stacks. */
static void symbolize(profile *p, rr *r, const pass1 *s)
{
	ALLOC_GROW(r->is_call, p->nlocations, r->is_call_alloc);
	sym_symbolize(p, r->is_call, r->o, NULL);
	/* JIT code the program described in /tmp/perf-PID.map */
	perfmap_symbolize(p, NULL, p->pid, r->o);
	if (s->info.h.unwinder == CPROF_UNWIND_FP)
		warn_fp_stops(p, r->o);
}

static int read_records(profile *p, raw_reader *rd, const prof_read_opts *o, cprof_err *err)
{
	static const prof_read_opts defaults;
	rr r = { .p = p, .o = o ? o : &defaults, .lsets = KEYMAP_INIT, .addr_loc = KEYMAP_INIT,
		 .map_loc = KEYMAP_INIT, .def_stacks = KEYMAP_INIT };
	pass1 s = { .r = &r, .sb = STRBUF_INIT, .mapkeys = KEYMAP_INIT };
	int ret = -1;
	if (pass1_read(&s, rd) < 0) {
		if (err)
			*err = rd->error;
		goto out;
	}
	if (!s.have_info) {
		if (r.nmalformed)
			cprof_fail(err, "no usable INFO record (%s)", r.first_malformed);
		else
			cprof_fail(err, "no INFO record: not a complete raw file");
		goto out;
	}
	set_header(p, &r, &s);

	/* pass 2: samples, over the records pass 1 read (a recording still
	 * being written may have more by now: they wait for the next read) */
	uint64_t t0 = s.info.h.start_monotonic_ns;
	r.period_ns = s.info.h.period_ns;
	raw_reader first = *rd; /* how pass 1 ended, for the warnings */
	raw_rewind(rd, first.stop_offset);
	pass2_stats st = { 0 };
	if (pass2(&r, rd, t0, s.nsamples, &st) < 0) {
		if (err)
			*err = rd->error;
		goto out;
	}
	if (s.have_end && s.end.time_ns > t0)
		p->duration_nanos = (int64_t)(s.end.time_ns - t0);
	else
		p->duration_nanos = st.maxt;
	warn_problems(&r, &s, &first, &st);

	ret = 0;
	if (!r.o->no_symbolize && p->nlocations)
		symbolize(p, &r, &s);
out:
	pass1_free(&s);
	rr_free(&r);
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
