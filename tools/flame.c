/*
 * flame: flame-graph tree builder and SVG writer (see flame.h).
 *
 * Two hash tables do the work: a names_table (names.h) interns every frame
 * name once (ids, not strings, travel through the tree), and fl_index (an
 * hidx over the nodes) finds the child of a node by (parent, name id) in O(1), so building the tree of N
 * stacks of depth D costs O(N*D) lookups and nothing per sample: samples are
 * grouped by interned stack (prof_group_samples) before any name is built.
 *
 * The writer visits the tree once to place the frames that are at least
 * --minwidth pixels wide, buckets them by depth, and prints one <g> per
 * level with a translate, so a frame is just its offset and value, a title
 * (the full name), a rect with x/width/class and, when it fits, a label.
 */
#include "flame.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h" /* FOLDED_BEFORE */

/* ---- the tree ------------------------------------------------------------------- */

struct fl_index {
	hidx ix;    /* (parent, name) -> node id */
	bool stale; /* nodes were added without it (the sorted build) */
	/* children were added out of name order (flame_tree_add); the sorted
	 * build adds them in order, and flame_tree_finish need not sort */
	bool unsorted;
};

typedef struct child_key {
	uint32_t parent, name;
} child_key;

static bool child_eq(const void *ctx, uint32_t id, const void *key)
{
	const flame_node *n = &((const flame_tree *)ctx)->nodes[id];
	const child_key *k = key;
	return n->parent == k->parent && n->name == k->name;
}

static inline uint32_t child_hash(const child_key *k)
{
	return (uint32_t)hash_mix64((uint64_t)k->parent << 32 | k->name);
}

flame_tree *flame_tree_new(bool chart)
{
	flame_tree *t = xcalloc(1, sizeof(*t));
	t->names = names_table_new();
	t->chart = chart;
	t->index = xcalloc(1, sizeof(*t->index));
	ALLOC_GROW(t->nodes, 1, t->alloc);
	flame_node *root = &t->nodes[0];
	memset(root, 0, sizeof(*root));
	root->name = names_intern(t->names, "all", 3);
	root->module = root->name;
	root->parent = root->first_child = root->last_child = root->next_sibling = PROF_NONE;
	t->nnodes = 1;
	return t;
}

void flame_tree_free(flame_tree *t)
{
	if (!t)
		return;
	names_table_free(t->names);
	if (t->index)
		hidx_free(&t->index->ix);
	free(t->index);
	free(t->nodes);
	free(t);
}

/* Indexes every node again (after the sorted build, which adds without it). */
static void index_rebuild(flame_tree *t)
{
	struct fl_index *x = t->index;
	hidx_clear(&x->ix);
	for (uint32_t id = 1; id < t->nnodes; id++) {
		child_key k = { t->nodes[id].parent, t->nodes[id].name };
		uint32_t h = child_hash(&k);
		size_t slot;
		if (hidx_find(&x->ix, h, child_eq, t, &k, &slot) == HIDX_NONE)
			hidx_set(&x->ix, slot, h, id);
	}
	x->stale = false;
}

static uint32_t new_child(flame_tree *t, uint32_t parent, uint32_t name, uint32_t module)
{
	ALLOC_GROW(t->nodes, (size_t)t->nnodes + 1, t->alloc);
	uint32_t id = t->nnodes++;
	flame_node *n = &t->nodes[id];
	flame_node *p = &t->nodes[parent];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->module = module;
	n->parent = parent;
	n->first_child = n->last_child = n->next_sibling = PROF_NONE;
	n->depth = p->depth + 1;
	if (n->depth > t->max_depth)
		t->max_depth = n->depth;
	if (p->last_child == PROF_NONE)
		p->first_child = id;
	else
		t->nodes[p->last_child].next_sibling = id;
	p->last_child = id;
	return id;
}

static uint32_t find_child(flame_tree *t, uint32_t parent, uint32_t name, uint32_t module)
{
	if (t->chart) {
		uint32_t last = t->nodes[parent].last_child;
		if (last != PROF_NONE && t->nodes[last].name == name)
			return last;
		return new_child(t, parent, name, module);
	}
	struct fl_index *x = t->index;
	if (x->stale)
		index_rebuild(t);
	child_key k = { parent, name };
	uint32_t h = child_hash(&k);
	size_t slot;
	uint32_t id = hidx_find(&x->ix, h, child_eq, t, &k, &slot);
	if (id == HIDX_NONE) {
		id = new_child(t, parent, name, module);
		hidx_set(&x->ix, slot, h, id);
		x->unsorted = true;
	}
	return id;
}

void flame_tree_add(flame_tree *t, const uint32_t *names, const uint32_t *modules, uint32_t depth,
		    int64_t value, bool base)
{
	uint32_t node = 0;
	if (base)
		t->nodes[0].base = prof_sadd(t->nodes[0].base, value);
	else
		t->nodes[0].total = prof_sadd(t->nodes[0].total, value);
	for (uint32_t i = 0; i < depth; i++) {
		node = find_child(t, node, names[i], modules ? modules[i] : names[i]);
		if (base)
			t->nodes[node].base = prof_sadd(t->nodes[node].base, value);
		else
			t->nodes[node].total = prof_sadd(t->nodes[node].total, value);
	}
	if (!base)
		t->nodes[node].self = prof_sadd(t->nodes[node].self, value);
}

/* ---- the sorted build -----------------------------------------------------
 * For one profile into an empty tree (the common case), the tree grows
 * from the stacks sorted by their frame names, most significant frame
 * first (a radix sort that builds the tree as it goes, as multikey
 * quicksort and burst tries sort strings): the stacks with one prefix are
 * one run of the order, a node; its children are the runs of its stacks
 * ordered by their next name (a stable radix sort of that run on the
 * names' ranks), so no whole stacks are compared and a frame is looked at
 * about once. A run of one name after another that all its stacks share
 * becomes a chain of nodes at once (a 1000-deep recursion is one compare
 * per frame). A run whose total is below prune_below is never built: its
 * value stays in its parent, and neither its frames nor its stacks' order
 * are looked at again (most of a random profile's are). So a 200k-stack
 * input needs memory for the frames that are drawn, not for every node of
 * the full tree. */

typedef struct seqs {
	uint32_t *ids;  /* names then modules of every stack, root first */
	size_t *off;    /* per stack: start in ids */
	uint32_t *len;
	int64_t *val;
	size_t n, ids_alloc, alloc;
	bool modules;
	/* or, when locs is set, no copy: the model's stacks (leaf first, depth
	 * locations each; rev: read from the leaf) named through loc_ids (per
	 * location, stride 2: its name id + 1). Two locations may have one
	 * name: equal locations are equal names, but not the other way. */
	const uint32_t **locs;
	uint32_t *depth;
	const uint32_t *loc_ids;
	uint32_t nlocs;
	bool rev;
} seqs;

/* The location of stack s at depth k (from the root), in locs mode */
static inline uint32_t seq_loc(const seqs *q, size_t s, uint32_t k)
{
	return q->locs[s][q->rev ? k : q->depth[s] - 1 - k];
}

/* The name of stack s at depth k (from the root) */
static inline uint32_t seq_name(const seqs *q, size_t s, uint32_t k)
{
	if (!q->locs)
		return q->ids[q->off[s] + k];
	return q->loc_ids[(size_t)seq_loc(q, s, k) * 2] - 1;
}

/* Room for n stacks in locs mode (the four arrays share q->alloc). */
static void seqs_room_locs(seqs *q, size_t n)
{
	size_t a1 = q->alloc, a2 = q->alloc, a3 = q->alloc, a4 = q->alloc;
	ALLOC_GROW(q->locs, n, a1);
	ALLOC_GROW(q->depth, n, a2);
	ALLOC_GROW(q->len, n, a3);
	ALLOC_GROW(q->val, n, a4);
	q->alloc = a1;
}

/* Appends the model's stack st with value v, not copied (locs mode). */
static void seqs_push_stack(seqs *q, const prof_stack *st, int64_t v)
{
	seqs_room_locs(q, q->n + 1);
	q->locs[q->n] = st->locs;
	q->depth[q->n] = q->len[q->n] = st->depth;
	q->val[q->n++] = v;
}

/* Appends a stack of d names (and d modules when q->modules) with value v;
 * returns where its ids go (NULL for an empty stack while q->ids is NULL:
 * NULL + 0 is undefined). */
static uint32_t *seqs_push(seqs *q, uint32_t d, int64_t v)
{
	if (q->n + 1 > q->alloc) {
		size_t a1 = q->alloc, a2 = q->alloc, a3 = q->alloc;
		ALLOC_GROW(q->off, q->n + 1, a1);
		ALLOC_GROW(q->len, q->n + 1, a2);
		ALLOC_GROW(q->val, q->n + 1, a3);
		q->alloc = a1;
	}
	size_t at = q->n ? q->off[q->n - 1] + (size_t)q->len[q->n - 1] * (q->modules ? 2 : 1) : 0;
	ALLOC_GROW(q->ids, at + (size_t)d * (q->modules ? 2 : 1), q->ids_alloc);
	q->off[q->n] = at;
	q->len[q->n] = d;
	q->val[q->n] = v;
	q->n++;
	return q->ids ? q->ids + at : NULL;
}

/* Makes room for the groups' stacks at once (their nframes frames, and a
 * thread's root: inlined lines may add more), instead of growing the
 * arrays by copies into fresh memory. */
static void seqs_reserve(seqs *q, size_t nframes, const prof_groups *gr, bool threads)
{
	if (q->loc_ids) { /* locs mode: nothing copied */
		seqs_room_locs(q, gr->n);
		return;
	}
	size_t nids = (nframes + (threads ? gr->n : 0)) * (q->modules ? 2 : 1);
	ALLOC_GROW(q->ids, nids, q->ids_alloc);
	size_t a1 = q->alloc, a2 = q->alloc, a3 = q->alloc;
	ALLOC_GROW(q->off, gr->n, a1);
	ALLOC_GROW(q->len, gr->n, a2);
	ALLOC_GROW(q->val, gr->n, a3);
	q->alloc = a1;
}

static void seqs_free(seqs *q)
{
	free(q->ids);
	free(q->off);
	free(q->len);
	free(q->val);
	free(q->locs);
	free(q->depth);
}

/* A name to sort: 8 of its bytes (from some offset, up to its NUL) as a
 * big-endian number, whose order is strcmp's on them. */
typedef struct rkey {
	uint64_t pre;
	uint32_t id;
} rkey;

/* One pass of an LSD radix sort: src's n elements of type T into dst,
 * stably, by the byte (KEY(element) >> shift) & 0xff; false (nothing
 * moved) when they all share that byte. */
#define RADIX_PASS_FN(name, T, KEY)                                              \
	static bool name(const T *src, T *dst, size_t n, unsigned shift)         \
	{                                                                        \
		size_t cnt[256] = { 0 };                                         \
		for (size_t i = 0; i < n; i++)                                   \
			cnt[(KEY(src[i]) >> shift) & 0xff]++;                    \
		if (cnt[(KEY(src[0]) >> shift) & 0xff] == n)                     \
			return false;                                            \
		size_t sum = 0;                                                  \
		for (int d = 0; d < 256; d++) {                                  \
			size_t c = cnt[d];                                       \
			cnt[d] = sum;                                            \
			sum += c;                                                \
		}                                                                \
		for (size_t i = 0; i < n; i++)                                   \
			dst[cnt[(KEY(src[i]) >> shift) & 0xff]++] = src[i];      \
		return true;                                                     \
	}
#define RKEY_PRE(e) ((e).pre)
#define U64_ITSELF(e) (e)
RADIX_PASS_FN(rkey_radix_pass, rkey, RKEY_PRE)
RADIX_PASS_FN(u64_radix_pass, uint64_t, U64_ITSELF)

static uint64_t name_chunk(const names_table *names, uint32_t id, size_t off)
{
	const unsigned char *c = (const unsigned char *)names_get(names, id) + off;
	uint64_t pre = 0;
	for (int k = 0; k < 8 && c[k]; k++)
		pre |= (uint64_t)c[k] << (56 - 8 * k);
	return pre;
}

static int rank_cmp(const void *a_, const void *b_, void *ctx)
{
	const rkey *a = a_, *b = b_;
	return strcmp(names_get(ctx, a->id), names_get(ctx, b->id));
}

/* Sorts n names by strcmp (cleaned names hold no NUL: no two compare
 * equal), given equal bytes before off and their bytes from off in pre: a
 * radix sort on pre (LSD, a byte a pass, a pass skipped when all share its
 * byte), then each run of names equal in those 8 bytes that go on past
 * them by their next 8 (qsort once 256 bytes are equal: a name's long
 * shared prefix is not walked 8 bytes a level). */
static void rank_sort(const names_table *names, rkey *a, size_t n, size_t off, rkey *tmp)
{
	if (n <= 16 || off >= 256) {
		qsort_r(a, n, sizeof(*a), rank_cmp, (void *)names);
		return;
	}
	rkey *src = a, *dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += 8) {
		if (!rkey_radix_pass(src, dst, n, shift))
			continue;
		rkey *x = src;
		src = dst;
		dst = x;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && a[j].pre == a[i].pre; j++)
			;
		if (j - i < 2 || !(a[i].pre & 0xff))
			continue; /* one name, or names that end here: equal */
		for (size_t k = i; k < j; k++)
			a[k].pre = name_chunk(names, a[k].id, off + 8);
		rank_sort(names, a + i, j - i, off + 8, tmp);
	}
}

/* Cuts q's stacks at their first name no frame of which the SVG can
 * draw, so that those names are neither sorted nor built. With values that
 * are all >= 0, a frame's total is at most the total of the stacks its
 * name is in, and a frame below prune_below goes with everything under
 * it: a stack cut there puts its value in what is left (its new leaf's
 * total, not its self: the returned flags, per stack, say which were
 * cut; NULL when none is). *live gets the names left to rank (NULL: all).
 * The pass over every frame pays only where many names are below the
 * threshold (wide and flat profiles): it is skipped when the average
 * name's total is well above it. */
static bool *seqs_cut_dead(const flame_tree *t, seqs *q, int64_t prune_below, bool **live)
{
	*live = NULL;
	if (prune_below <= 0)
		return NULL;
	uint32_t nn = names_count(t->names);
	double sum = 0; /* of the frames' values: the names' totals, at most */
	for (size_t i = 0; i < q->n; i++) {
		if (q->val[i] < 0)
			return NULL;
		sum += (double)q->val[i] * q->len[i];
	}
	if (sum > 4.0 * (double)prune_below * (nn ? nn : 1))
		return NULL;
	int64_t *tot = xcalloc((size_t)nn + 1, sizeof(*tot));
	size_t *stamp = xmalloc(st_mult((size_t)nn + 1, sizeof(*stamp)));
	for (uint32_t i = 0; i < nn; i++)
		stamp[i] = SIZE_MAX;
	for (size_t i = 0; i < q->n; i++) {
		for (uint32_t k = 0; k < q->len[i]; k++) {
			uint32_t id = seq_name(q, i, k);
			if (stamp[id] != i) { /* a stack counts once per name */
				stamp[id] = i;
				tot[id] = prof_sadd(tot[id], q->val[i]);
			}
		}
	}
	bool *cut = NULL;
	*live = xmalloc((size_t)nn + 1);
	for (uint32_t i = 0; i < nn; i++)
		(*live)[i] = tot[i] >= prune_below;
	for (size_t i = 0; i < q->n; i++) {
		uint32_t len = q->len[i], k = 0;
		while (k < len && tot[seq_name(q, i, k)] >= prune_below)
			k++;
		if (k == len)
			continue;
		if (!cut)
			cut = xcalloc(q->n, sizeof(*cut));
		cut[i] = true;
		if (q->modules) { /* the modules follow the names */
			uint32_t *s = q->ids + q->off[i];
			memmove(s + k, s + len, (size_t)k * sizeof(*s));
		}
		q->len[i] = k;
	}
	free(tot);
	free(stamp);
	return cut;
}

/* Each name's rank in strcmp order (only the live names are ranked, all
 * when live is NULL; the others get UINT32_MAX): caller frees. */
static uint32_t *name_ranks(const flame_tree *t, const bool *live)
{
	uint32_t nn = names_count(t->names);
	uint32_t nu = 0;
	for (uint32_t i = 0; i < nn; i++)
		nu += !live || live[i];
	uint32_t *rank = xmalloc(st_mult(nn ? nn : 1, sizeof(uint32_t)));
	rkey *keys = xmalloc(st_mult(nu ? nu : 1, sizeof(rkey)));
	rkey *tmp = xmalloc(st_mult(nu ? nu : 1, sizeof(rkey)));
	for (uint32_t i = 0, j = 0; i < nn; i++) {
		rank[i] = UINT32_MAX;
		if (!live || live[i])
			keys[j++] = (rkey){ name_chunk(t->names, i, 0), i };
	}
	rank_sort(t->names, keys, nu, 0, tmp);
	for (uint32_t i = 0; i < nu; i++)
		rank[keys[i].id] = i;
	free(keys);
	free(tmp);
	return rank;
}

/* The build's state: the stacks, their order, scratch for the radix sort. */
typedef struct msd {
	flame_tree *t;
	const seqs *q;
	const uint32_t *rank;
	uint32_t *lkey;   /* locs mode: per location, its name's rank + 1 (a load less a frame) */
	const bool *cut;  /* per stack: cut by seqs_cut_dead (its end is no self), or NULL */
	int64_t prune_below;
	bool early;       /* a run's sum is its node's total: no partial sum can saturate */
	uint32_t *ord;    /* the stacks, each node's a run of it */
	uint64_t *items;  /* scratch: (key << 32 | place in the run) */
	uint64_t *items2;
	uint32_t *ord2;
} msd;

/* Whole stacks in the order of their names' ranks (shorter first, then
 * by index). */
static int stack_cmp(const void *a_, const void *b_, void *ctx)
{
	const msd *m = ctx;
	uint32_t a = *(const uint32_t *)a_, b = *(const uint32_t *)b_;
	uint32_t la = m->q->len[a], lb = m->q->len[b];
	for (uint32_t k = 0; k < la && k < lb; k++) {
		uint32_t x = seq_name(m->q, a, k), y = seq_name(m->q, b, k);
		if (x != y)
			return m->rank[x] < m->rank[y] ? -1 : 1;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Stable sort of n items by their high 32 bits (the low ones are the
 * places, ascending: ties stay in order). */
static void items_sort(msd *m, uint64_t *a, size_t n, uint32_t maxkey)
{
	if (n <= 32) {
		for (size_t i = 1; i < n; i++) {
			uint64_t x = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] > x; j--)
				a[j] = a[j - 1];
			a[j] = x;
		}
		return;
	}
	uint64_t *src = a, *dst = m->items2;
	for (unsigned shift = 32; shift < 64 && (maxkey >> (shift - 32)); shift += 8) {
		if (!u64_radix_pass(src, dst, n, shift))
			continue; /* one digit for all */
		uint64_t *tmp = src;
		src = dst;
		dst = tmp;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

/* Orders the run ord[lo..hi) by the stacks' name at depth d, those that
 * end there first (stable: a run keeps the order it had among equals). */
static void run_partition(msd *m, size_t lo, size_t hi, uint32_t d)
{
	size_t n = hi - lo;
	uint32_t maxkey = 0;
	bool in_order = true;
	uint64_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t s = m->ord[lo + i];
		uint32_t key = m->q->len[s] <= d ? 0
			       : m->lkey    ? m->lkey[seq_loc(m->q, s, d)]
					    : m->rank[seq_name(m->q, s, d)] + 1;
		uint64_t it = (uint64_t)key << 32 | (uint32_t)i;
		in_order = in_order && it >= prev;
		prev = it;
		m->items[i] = it;
		if (key > maxkey)
			maxkey = key;
	}
	if (in_order)
		return;
	items_sort(m, m->items, n, maxkey);
	memcpy(m->ord2, m->ord + lo, n * sizeof(*m->ord));
	for (size_t i = 0; i < n; i++)
		m->ord[lo + i] = m->ord2[(uint32_t)m->items[i]];
}

/* A node of the build: its run ord[lo..hi) of stacks, whose names [0,
 * depth) are its path; the chain of nodes first..node made for it at once
 * (the root: 0..0); the parent's last child before first; the next child
 * run at ord[next]. */
typedef struct msd_open {
	size_t lo, hi, next;
	uint32_t first, node, depth;
	uint32_t prev_sibling;
} msd_open;

/* The first k in [k, e) where a[k] != b[k] (e when none): libc's memcmp
 * over 64 ids a step while they are equal (a 1000-deep recursion's stacks
 * share 1000), then 8 ids a step. */
static inline uint32_t ids_mismatch(const uint32_t *a, const uint32_t *b, uint32_t k, uint32_t e)
{
	while (e - k >= 64 && !memcmp(a + k, b + k, 64 * sizeof(*a)))
		k += 64;
	for (; e - k >= 8; k += 8) {
		uint64_t x[4], y[4];
		memcpy(x, a + k, sizeof(x));
		memcpy(y, b + k, sizeof(y));
		if ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]))
			break;
	}
	while (k < e && a[k] == b[k])
		k++;
	return k;
}

/* ids_mismatch on arrays read from their end: element k of a is a[da - 1 - k]
 * (e <= da, db). */
static inline uint32_t ids_mismatch_back(const uint32_t *a, uint32_t da, const uint32_t *b, uint32_t db,
					 uint32_t k, uint32_t e)
{
	while (e - k >= 64 && !memcmp(a + (da - k - 64), b + (db - k - 64), 64 * sizeof(*a)))
		k += 64;
	for (; e - k >= 8; k += 8) {
		uint64_t x[4], y[4];
		memcpy(x, a + (da - k - 8), sizeof(x));
		memcpy(y, b + (db - k - 8), sizeof(y));
		if ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]))
			break;
	}
	while (k < e && a[da - 1 - k] == b[db - 1 - k])
		k++;
	return k;
}

/* The first k in [k, e) where stacks sa and sb have different names (e when
 * none). In locs mode the locations are compared, and the names where they
 * differ. */
static uint32_t seq_mismatch(const seqs *q, uint32_t sa, uint32_t sb, uint32_t k, uint32_t e)
{
	if (k >= e)
		return k; /* q->ids may be NULL */
	if (!q->locs)
		return ids_mismatch(q->ids + q->off[sa], q->ids + q->off[sb], k, e);
	const uint32_t *a = q->locs[sa], *b = q->locs[sb];
	for (;; k++) {
		k = q->rev ? ids_mismatch(a, b, k, e) : ids_mismatch_back(a, q->depth[sa], b, q->depth[sb], k, e);
		if (k == e || seq_name(q, sa, k) != seq_name(q, sb, k))
			return k;
	}
}

/* Opens the node of run ord[lo..hi) under parent, whose path is the
 * stacks' names [0, d): a chain of nodes for the names all the stacks
 * share, the stacks that end there counted as its self. */
static msd_open msd_open_run(msd *m, uint32_t parent, size_t lo, size_t hi, uint32_t d)
{
	flame_tree *t = m->t;
	const seqs *q = m->q;
	uint32_t s0 = m->ord[lo];
	uint32_t end = q->len[s0]; /* the names all share end before end */
	for (size_t i = lo + 1; i < hi && end > d; i++) {
		uint32_t s = m->ord[i];
		end = seq_mismatch(q, s0, s, d, q->len[s] < end ? q->len[s] : end);
	}
	msd_open o = { lo, hi, lo, parent, parent, end, t->nodes[parent].last_child };
	for (uint32_t k = d; k < end; k++) {
		uint32_t nm = seq_name(q, s0, k);
		uint32_t c = new_child(t, o.node, nm, q->modules ? q->ids[q->off[s0] + q->len[s0] + k] : nm);
		if (k == d)
			o.first = c;
		o.node = c;
	}
	if (hi - lo > 1)
		run_partition(m, lo, hi, end);
	flame_node *n = &t->nodes[o.node];
	while (o.next < hi && q->len[m->ord[o.next]] == end) { /* the stacks that end here */
		uint32_t s = m->ord[o.next++];
		n->total = prof_sadd(n->total, q->val[s]);
		if (!m->cut || !m->cut[s])
			n->self = prof_sadd(n->self, q->val[s]);
	}
	return o;
}

/* The node is complete (its children added their totals): its chain gets
 * its total, its parent too, and it goes with its subtree when too small. */
static void msd_close(msd *m, const msd_open *o)
{
	flame_tree *t = m->t;
	int64_t total = t->nodes[o->node].total;
	for (uint32_t c = o->first; c < o->node; c++)
		t->nodes[c].total = total;
	flame_node *p = &t->nodes[t->nodes[o->first].parent];
	p->total = prof_sadd(p->total, total);
	if (total >= m->prune_below)
		return;
	p->last_child = o->prev_sibling;
	if (o->prev_sibling == PROF_NONE)
		p->first_child = PROF_NONE;
	else
		t->nodes[o->prev_sibling].next_sibling = PROF_NONE;
	t->nnodes = o->first; /* the chain and its subtree: everything made after it */
}

static void build_sorted(flame_tree *t, seqs *q, int64_t prune_below)
{
	bool *live;
	bool *cut = seqs_cut_dead(t, q, prune_below, &live);
	uint32_t *rank = name_ranks(t, live);
	free(live);
	size_t n = q->n ? q->n : 1;
	msd m = { .t = t, .q = q, .rank = rank, .cut = cut, .prune_below = prune_below,
		  .ord = xmalloc(st_mult(n, sizeof(uint32_t))),
		  .ord2 = xmalloc(st_mult(n, sizeof(uint32_t))),
		  .items = xmalloc(st_mult(n, sizeof(uint64_t))),
		  .items2 = xmalloc(st_mult(n, sizeof(uint64_t))) };
	/* without saturation the sum of a run's values is its node's total
	 * (the walk's partial sums would give the same), so a small run is
	 * skipped before it is built */
	uint64_t abs_sum = 0;
	m.early = true;
	for (size_t i = 0; i < q->n && m.early; i++) {
		uint64_t a = q->val[i] < 0 ? -(uint64_t)q->val[i] : (uint64_t)q->val[i];
		m.early = !__builtin_add_overflow(abs_sum, a, &abs_sum) && abs_sum <= INT64_MAX;
	}
	for (size_t i = 0; i < q->n; i++)
		m.ord[i] = (uint32_t)i;
	if (q->locs) {
		m.lkey = xmalloc(st_mult(q->nlocs ? q->nlocs : 1, sizeof(uint32_t)));
		for (uint32_t l = 0; l < q->nlocs; l++) /* (a location not named is in no stack) */
			m.lkey[l] = q->loc_ids[(size_t)l * 2] ? rank[q->loc_ids[(size_t)l * 2] - 1] + 1 : 0;
	}
	/* a node's module is that of the first stack through it in name
	 * order: with modules the stacks are put in that order first (the
	 * runs' stable sorts then keep it) */
	if (q->modules && q->n)
		qsort_r(m.ord, q->n, sizeof(*m.ord), stack_cmp, &m);
	msd_open *path = NULL;
	size_t sp = 0, path_alloc = 0;
	ALLOC_GROW(path, 1, path_alloc);
	if (q->n)
		path[sp++] = msd_open_run(&m, 0, 0, q->n, 0);
	while (sp) {
		msd_open *o = &path[sp - 1];
		if (o->next == o->hi) {
			if (o->first != 0) /* the root is never dropped */
				msd_close(&m, o);
			sp--;
			continue;
		}
		/* the next child: the stacks with the same name at o->depth */
		size_t a = o->next, b = a + 1;
		uint32_t name = seq_name(q, m.ord[a], o->depth);
		int64_t sum = q->val[m.ord[a]];
		while (b < o->hi && seq_name(q, m.ord[b], o->depth) == name)
			sum = prof_sadd(sum, q->val[m.ord[b++]]);
		o->next = b;
		if (m.early && sum < prune_below) {
			flame_node *n = &t->nodes[o->node];
			n->total = prof_sadd(n->total, sum);
			continue;
		}
		uint32_t parent = o->node, d = o->depth;
		ALLOC_GROW(path, sp + 1, path_alloc);
		path[sp++] = msd_open_run(&m, parent, a, b, d);
	}
	/* the tree may have lost its deepest levels */
	t->max_depth = 0;
	for (uint32_t id = 0; id < t->nnodes; id++)
		if (t->nodes[id].depth > t->max_depth)
			t->max_depth = t->nodes[id].depth;
	t->index->stale = true;
	free(path);
	free(m.ord);
	free(m.ord2);
	free(m.items);
	free(m.items2);
	free(rank);
	free(m.lkey);
	free(cut);
}

/* ---- naming a stack -------------------------------------------------------- */
/* A stack's frames as ids of the tree's names. A location with one line
 * (no inlining: most of them) is named once and its ids kept per location;
 * a stack with a location of inlined lines is expanded into frames. */

typedef struct stack_namer {
	const profile *p;
	const flame_build_opts *o;
	names_table *names;
	names_cache *nc;
	/* per location: name id + 1, module id + 1; 0: not yet named;
	 * UINT32_MAX: the location has inlined lines */
	uint32_t *loc_ids;
	prof_frame *frames; /* the expanded stack, when !simple */
	size_t frames_alloc;
	bool simple;        /* the stack counted last needs no expansion */
	bool all_simple;    /* no location has inlined lines: every stack is simple */
	strbuf sb;
} stack_namer;

static void namer_init(stack_namer *n, const profile *p, const flame_build_opts *o, names_table *names)
{
	*n = (stack_namer){ .p = p, .o = o, .names = names, .sb = STRBUF_INIT };
	n->nc = names_cache_new(p, &o->names, names);
	n->loc_ids = xcalloc(st_mult((size_t)p->nlocations + 1, 2), sizeof(uint32_t));
	n->all_simple = true;
	for (uint32_t i = 0; i < p->nlocations && n->all_simple; i++)
		n->all_simple = p->locations[i].nlines <= 1;
}

static void namer_free(stack_namer *n)
{
	names_cache_free(n->nc);
	free(n->loc_ids);
	free(n->frames);
	sb_release(&n->sb);
}

/* The location's two ids + 1, or UINT32_MAX first when it has inlined lines. */
static const uint32_t *namer_loc(stack_namer *n, uint32_t loc)
{
	uint32_t *c = n->loc_ids + (size_t)loc * 2;
	if (c[0])
		return c;
	const prof_location *l = &n->p->locations[loc];
	if (l->nlines > 1) {
		c[0] = UINT32_MAX;
		return c;
	}
	prof_frame f = { loc, l->nlines ? l->lines[0].function : PROF_NONE, l->nlines ? l->lines[0].line : 0,
			 false };
	c[0] = names_cache_name(n->nc, &f) + 1;
	c[1] = n->o->modules ? names_cache_module(n->nc, &f) + 1 : c[0];
	return c;
}

/* How many names stack has (its frames, and the thread's root frame). */
static uint32_t namer_count(stack_namer *n, uint32_t stack)
{
	const prof_stack *st = &n->p->stacks[stack];
	n->simple = true;
	for (uint32_t k = 0; k < st->depth && n->simple && !n->all_simple; k++)
		n->simple = namer_loc(n, st->locs[k])[0] != UINT32_MAX;
	uint32_t nf = n->simple ? st->depth : prof_stack_frames(n->p, stack, &n->frames, &n->frames_alloc);
	return nf + (n->o->threads ? 1 : 0);
}

/* The name id + 1 of a location without inlined lines. */
static inline uint32_t namer_simple(stack_namer *n, uint32_t loc)
{
	uint32_t c = n->loc_ids[(size_t)loc * 2];
	return c ? c : namer_loc(n, loc)[0];
}

/* Names the locations of stack (none with inlined lines), for the sorted
 * build to read them in place when a mask hides samples (else every
 * location is named, in order); those it shares from the root with prev
 * (the stack named before, or NULL) are. */
static void namer_touch(stack_namer *n, uint32_t stack, const prof_stack *prev)
{
	const prof_stack *st = &n->p->stacks[stack];
	const uint32_t *locs = st->locs;
	uint32_t d = st->depth, k = 0, e = prev ? (prev->depth < d ? prev->depth : d) : 0;
	if (n->o->reverse) {
		k = e ? ids_mismatch(prev->locs, locs, 0, e) : 0;
		for (; k < d; k++)
			namer_simple(n, locs[k]);
	} else {
		k = e ? ids_mismatch_back(prev->locs, prev->depth, locs, d, 0, e) : 0;
		for (; k < d; k++)
			namer_simple(n, locs[d - 1 - k]);
	}
}

/* Fills the d names namer_count counted for stack, root first (leaf first
 * with reverse), and their modules when mods is not NULL. A simple stack's
 * locations are named here when first met. */
static void namer_fill(stack_namer *n, uint32_t stack, int32_t tid, uint32_t d, uint32_t *names,
		       uint32_t *mods)
{
	const prof_stack *st = &n->p->stacks[stack];
	uint32_t k0 = 0;
	if (n->o->threads) {
		sb_reset(&n->sb);
		names_thread(n->p, tid, &n->sb);
		names[0] = names_intern(n->names, n->sb.buf, n->sb.len);
		if (mods)
			mods[0] = names[0];
		k0 = 1;
	}
	uint32_t nf = d - k0;
	if (!nf)
		return; /* an empty stack: names may be NULL */
	if (n->simple && !mods) { /* most stacks: a load and a store a frame */
		const uint32_t *locs = st->locs;
		uint32_t *w = names + k0;
		if (n->o->reverse)
			for (uint32_t k = 0; k < nf; k++)
				w[k] = namer_simple(n, locs[k]) - 1;
		else
			for (uint32_t k = 0; k < nf; k++)
				w[k] = namer_simple(n, locs[nf - 1 - k]) - 1;
		return;
	}
	for (uint32_t k = 0; k < nf; k++) {
		uint32_t j = n->o->reverse ? k : nf - 1 - k;
		if (n->simple) {
			const uint32_t *c = namer_loc(n, st->locs[j]);
			names[k0 + k] = c[0] - 1;
			if (mods)
				mods[k0 + k] = c[1] - 1;
		} else {
			names[k0 + k] = names_cache_name(n->nc, &n->frames[j]);
			if (mods)
				mods[k0 + k] = names_cache_module(n->nc, &n->frames[j]);
		}
	}
}

/* ---- from a profile ------------------------------------------------------------ */

typedef struct chart_ctx {
	const profile *p;
	bool threads;
} chart_ctx;

static int chart_cmp(const void *a_, const void *b_, void *ctx_)
{
	const chart_ctx *c = ctx_;
	size_t ia = *(const size_t *)a_, ib = *(const size_t *)b_;
	const prof_sample *a = &c->p->samples[ia], *b = &c->p->samples[ib];
	if (c->threads && a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* A flame chart's samples (those the mask shows), in time order (per
 * thread first with threads): each is added on its own, and the tree
 * merges consecutive ones. Returns the count; *out is the caller's. */
static size_t chart_order(const profile *p, const flame_build_opts *o, size_t **out)
{
	size_t *idx = xmalloc(st_mult(p->nsamples ? p->nsamples : 1, sizeof(size_t)));
	size_t n = 0;
	for (size_t i = 0; i < p->nsamples; i++)
		if (!o->mask || o->mask[i])
			idx[n++] = i;
	chart_ctx c = { p, o->threads };
	bool in_order = true; /* recordings come in time order: skip the sort then */
	for (size_t i = 1; i < n && in_order; i++)
		in_order = chart_cmp(&idx[i - 1], &idx[i], &c) < 0;
	if (!in_order)
		qsort_r(idx, n, sizeof(*idx), chart_cmp, &c);
	*out = idx;
	return n;
}

int flame_tree_add_profile(flame_tree *t, const profile *p, const flame_build_opts *o, cprof_err *err)
{
	if (p->nvalues == 0)
		return 0;
	uint32_t v = o->value == PROF_NONE ? prof_count_value(p) : o->value;
	if (v >= p->nvalues)
		return cprof_fail(err, "no such sample type index %u", v);

	/* what is added: the samples grouped by (stack[, thread]), or in a
	 * chart every sample in time order */
	prof_groups gr = { 0 };
	size_t *chart = NULL, n;
	if (t->chart) {
		n = chart_order(p, o, &chart);
	} else {
		prof_group_opts go = PROF_GROUP_OPTS_INIT;
		go.mask = o->mask;
		go.by_thread = o->threads;
		prof_group_samples(p, &go, &gr);
		n = gr.n;
	}
	/* one profile into an empty tree: the sorted build (see above) */
	bool sorted = !t->chart && !o->base && t->nnodes == 1 && n < UINT32_MAX; /* 32-bit runs */
	seqs q = { .modules = o->modules };
	uint32_t *names = NULL, *mods = NULL;
	size_t names_alloc = 0, mods_alloc = 0;
	/* a location a name, and a name a frame: the build reads the model's
	 * stacks in place, without a copy of their names (4 bytes a frame of
	 * fresh memory). Only for deep stacks (64 frames or more on average:
	 * a 1000-deep recursion's shared frames are compared 8 at a time
	 * without a name looked up): where stacks part often (bench-shapes'
	 * shared, 28 frames) the scattered reads of the model's stacks in the
	 * partitions cost more than the copy (measured: shared +0.8 ms, deep
	 * -2.5 ms). */
	size_t nframes = 0;
	for (size_t i = 0; i < n && sorted; i++)
		nframes += p->stacks[gr.g[i].stack].depth;
	stack_namer nm;
	namer_init(&nm, p, o, t->names);
	bool in_place = sorted && nm.all_simple && !o->threads && !o->modules && nframes >= 64 * (size_t)n;
	if (in_place) {
		q.loc_ids = nm.loc_ids;
		q.nlocs = p->nlocations;
		q.rev = o->reverse;
	}
	if (sorted)
		seqs_reserve(&q, nframes, &gr, o->threads);
	/* every sample shown: the locations named in their order, without a
	 * read of the stacks (names' ids are not seen: the tree, the SVG and
	 * the sorts order names by their bytes) */
	for (uint32_t l = 0; in_place && !o->mask && l < p->nlocations; l++)
		namer_simple(&nm, l);
	for (size_t i = 0; i < n && in_place; i++) {
		if (o->mask)
			namer_touch(&nm, gr.g[i].stack, i ? &p->stacks[gr.g[i - 1].stack] : NULL);
		seqs_push_stack(&q, &p->stacks[gr.g[i].stack], prof_group_values(&gr, i)[v]);
	}
	for (size_t i = 0; i < n && !in_place; i++) {
		uint32_t stack = chart ? p->samples[chart[i]].stack : gr.g[i].stack;
		int32_t tid = chart ? p->samples[chart[i]].tid : gr.g[i].tid;
		int64_t value = chart ? prof_sample_values(p, chart[i])[v] : prof_group_values(&gr, i)[v];
		uint32_t d = namer_count(&nm, stack);
		if (sorted) {
			uint32_t *ids = seqs_push(&q, d, value);
			namer_fill(&nm, stack, tid, d, ids, q.modules && ids ? ids + d : NULL);
			continue;
		}
		ALLOC_GROW(names, (size_t)d + 1, names_alloc);
		if (o->modules)
			ALLOC_GROW(mods, (size_t)d + 1, mods_alloc);
		namer_fill(&nm, stack, tid, d, names, mods);
		flame_tree_add(t, names, mods, d, value, o->base);
	}
	if (sorted)
		build_sorted(t, &q, o->prune_below);
	seqs_free(&q);
	namer_free(&nm);
	prof_groups_free(&gr);
	free(chart);
	free(names);
	free(mods);
	return 0;
}

static int child_cmp(const void *a_, const void *b_, void *ctx)
{
	const flame_tree *t = ctx;
	uint32_t a = *(const uint32_t *)a_, b = *(const uint32_t *)b_;
	return strcmp(names_get(t->names, t->nodes[a].name), names_get(t->names, t->nodes[b].name));
}

void flame_tree_finish(flame_tree *t)
{
	if (t->chart || !t->index->unsorted)
		return;
	uint32_t *kids = NULL;
	size_t kids_alloc = 0;
	for (uint32_t id = 0; id < t->nnodes; id++) {
		flame_node *n = &t->nodes[id];
		size_t nk = 0;
		for (uint32_t c = n->first_child; c != PROF_NONE; c = t->nodes[c].next_sibling) {
			ALLOC_GROW(kids, nk + 1, kids_alloc);
			kids[nk++] = c;
		}
		if (nk < 2)
			continue;
		qsort_r(kids, nk, sizeof(*kids), child_cmp, t);
		n->first_child = kids[0];
		for (size_t k = 0; k + 1 < nk; k++)
			t->nodes[kids[k]].next_sibling = kids[k + 1];
		t->nodes[kids[nk - 1]].next_sibling = PROF_NONE;
		n->last_child = kids[nk - 1];
	}
	free(kids);
}

/* ---- the SVG ----------------------------------------------------------------------- */

int flame_palette_parse(const char *s)
{
	static const char *names[] = { "hot", "mem", "io", "module" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

#define NCOLORS 32
#define FRAME_H 16
#define FONT 12
#define XPAD 10
#define CHAR_W (FONT * 0.59) /* the width of one character: labels are cut to fit */
#define NDIFF 10

/* The color table of a palette: NCOLORS classes; the two variables of
 * flamegraph.pl's palettes come from two different strides over the
 * bucket so neighbouring buckets differ in both. */
static void palette_css(strbuf *sb, flame_palette pal)
{
	for (int k = 0; k < NCOLORS; k++) {
		double v1 = (double)((k * 7) % NCOLORS) / (NCOLORS - 1);
		double v2 = (double)((k * 13) % NCOLORS) / (NCOLORS - 1);
		double v3 = (double)((k * 19) % NCOLORS) / (NCOLORS - 1);
		int r, g, b;
		switch (pal) {
		case FLAME_MEM:
			r = 0, g = 190 + (int)(50 * v2), b = (int)(210 * v1);
			break;
		case FLAME_IO:
			r = 80 + (int)(60 * v1), g = r, b = 190 + (int)(55 * v2);
			break;
		case FLAME_MODULE: {
			/* well-separated hues, pastel: one per module bucket */
			double h = fmod(k * 137.508, 360.0);
			double s = 0.55 + 0.2 * v3, l = 0.62 + 0.1 * v2;
			double c = (1 - fabs(2 * l - 1)) * s, x = c * (1 - fabs(fmod(h / 60, 2) - 1)), m = l - c / 2;
			double rr = 0, gg = 0, bb = 0;
			if (h < 60) rr = c, gg = x;
			else if (h < 120) rr = x, gg = c;
			else if (h < 180) gg = c, bb = x;
			else if (h < 240) gg = x, bb = c;
			else if (h < 300) rr = x, bb = c;
			else rr = c, bb = x;
			r = (int)((rr + m) * 255), g = (int)((gg + m) * 255), b = (int)((bb + m) * 255);
			break;
		}
		case FLAME_HOT:
		default:
			r = 205 + (int)(50 * v3), g = (int)(230 * v1), b = (int)(55 * v2);
			break;
		}
		sb_addf(sb, ".c%d{fill:#%02x%02x%02x}", k, r, g, b);
	}
	/* FlameGraph's annotated frames: inlined _[i] aqua, kernel _[k]
	 * orange, jit _[j] green */
	sb_adds(sb, ".ci{fill:#5fd3d3}.ck{fill:#e69a3c}.cj{fill:#4fc34f}");
	/* differential: red grew, blue shrank, by the size of the change */
	for (int k = 0; k <= NDIFF; k++) {
		int c = 235 - (int)(195.0 * k / NDIFF);
		sb_addf(sb, ".r%d{fill:#ff%02x%02x}.b%d{fill:#%02x%02xff}", k, c, c, k, c, c);
	}
}

/* The color bucket of a name: FNV-1a, a 64-bit finalizer, the top bits
 * (short names like "A" and "B" must land far apart). */
static uint32_t color_class(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		h ^= *c;
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)(h >> 59) % NCOLORS;
}

/* How a name is drawn, worked out once per name id (a name is drawn in
 * many frames): its display text (FlameGraph's annotation dropped)
 * XML-escaped, the display text's length and characters (for labels), and
 * its annotation. */
typedef struct name_draw {
	size_t off;      /* the escaped display text in svg_ctx.esc */
	size_t len;      /* its length */
	size_t dlen;     /* bytes of the display text (unescaped) */
	size_t chars;    /* characters of the display text */
	char ann;        /* the annotation's letter ("_[k]"), or 0 */
	bool ready;
} name_draw;

/* Appends the label that fits in w pixels: name id's display text, or
 * its head and ".."; nothing when not even three characters fit. esc is
 * the display text escaped (d says how long both are). */
static int label_chars(double w)
{
	return (int)((w - 6) / CHAR_W);
}

/* Whether a frame w pixels wide has room for a label (three characters). */
static bool label_fits(double w)
{
	return label_chars(w) >= 3;
}

static void add_label(strbuf *sb, const names_table *names, uint32_t id, const name_draw *d,
		      const char *esc, double w, strbuf *tmp)
{
	int fit = label_chars(w);
	if (fit < 3)
		return;
	if (d->chars <= (size_t)fit) {
		sb_add(sb, esc, d->len);
		return;
	}
	const char *name = names_get(names, id);
	size_t n = d->dlen, keep = 0, c = 0;
	while (keep < n && c < (size_t)fit - 2) {
		keep++;
		while (keep < n && ((unsigned char)name[keep] & 0xc0) == 0x80)
			keep++;
		c++;
	}
	sb_reset(tmp);
	sb_add(tmp, name, keep);
	sb_add_xml(sb, tmp->buf);
	sb_adds(sb, "..");
}

/* A frame to draw, with what drawing it reads of its node (the frames are
 * drawn level by level, and a level's nodes lie far apart). */
typedef struct placed {
	int64_t off;   /* offset from the left, in value units */
	int64_t total; /* the node's */
	uint32_t node;
	uint32_t name, depth; /* the node's */
} placed;

/* Appends n bytes where the caller made room (sb_grow), without a NUL. */
static inline void sb_put(strbuf *sb, const void *data, size_t n)
{
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
}

#define SB_PUT_LIT(sb, lit) sb_put((sb), (lit), sizeof(lit) - 1)

/* Numbers where the caller made room (FMT_NUM_MAX bytes each). */
static inline void sb_put_i64(strbuf *sb, int64_t v)
{
	sb->len += fmt_i64(sb->buf + sb->len, v);
}

static inline void sb_put_dec2(strbuf *sb, double v)
{
	sb->len += fmt_dec2(sb->buf + sb->len, v);
}

/* A value as the titles say it: nanoseconds scaled to the largest unit
 * that is at least 1 ("1.5ms", "2s"), else the count with thousands
 * separators and its name ("1,234 samples"), as flamegraph.pl writes it;
 * a fractional count with its decimals ("1,000.25 samples", where
 * flamegraph.pl rounds to an integer). */
static void add_value(strbuf *sb, int64_t v, uint32_t decimals, const char *unit, const strbuf *countname)
{
	if (unit && !strcmp(unit, "nanoseconds")) {
		static const struct { double div; const char *name; } u[] = {
			{ 3600e9, "hrs" }, { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" }, { 1, "ns" }
		};
		double r = prof_value_real(v, decimals), a = fabs(r);
		size_t i = 0;
		while (i + 1 < ARRAY_SIZE(u) && a < u[i].div)
			i++;
		char buf[64];
		snprintf(buf, sizeof(buf), "%.2f", r / u[i].div);
		size_t n = strlen(buf);
		if (n > 3 && !strcmp(buf + n - 3, ".00"))
			buf[n - 3] = '\0';
		sb_addf(sb, "%s%s", buf, u[i].name);
		return;
	}
	if (decimals == 0) { /* the digits with commas, straight */
		char tmp[32];
		size_t k = sizeof(tmp), nd = 0;
		uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		do {
			if (nd && nd % 3 == 0)
				tmp[--k] = ',';
			tmp[--k] = (char)('0' + u % 10);
			nd++;
		} while (u /= 10);
		if (v < 0)
			tmp[--k] = '-';
		sb_grow(sb, sizeof(tmp) - k + 1 + countname->len);
		sb_put(sb, tmp + k, sizeof(tmp) - k);
		sb_put(sb, " ", 1);
		sb_put(sb, countname->buf, countname->len);
		sb->buf[sb->len] = '\0';
		return;
	}
	/* the number as prof_add_value writes it (at most a sign, 20 digits,
	 * a point and 9 more zeros and digits), then again with commas */
	size_t off = sb->len;
	prof_add_value(sb, v, decimals);
	char num[48];
	size_t len = sb->len - off < sizeof(num) - 1 ? sb->len - off : sizeof(num) - 1;
	memcpy(num, sb->buf + off, len);
	num[len] = '\0';
	sb->len = off;
	const char *d = num;
	if (*d == '-')
		sb_addc(sb, *d++);
	size_t n = strcspn(d, "."); /* the integer part gets the commas */
	sb_grow(sb, n + n / 3 + 1);
	char *w = sb->buf + sb->len;
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			*w++ = ',';
		*w++ = d[i];
	}
	sb->len = (size_t)(w - sb->buf);
	sb_adds(sb, d + n);
	sb_addc(sb, ' ');
	sb_add(sb, countname->buf, countname->len);
}

/* A frame's <title>, flamegraph.pl's: "name (N samples, P%)", "; +D%"
 * after the percentage in a differential graph, "all (N samples, 100%)" for
 * the root; so a viewer that runs no script (an <img>, GitHub) shows it on
 * hover. The embedded viewer reads the name back up to the last " (". esc
 * is the name, escaped; countname the count's name, escaped. */
static void add_title(strbuf *out, const char *esc, size_t esc_len, const placed *pf,
		      int64_t total, const flame_svg_opts *o, const strbuf *countname, bool diff,
		      double delta)
{
	sb_grow(out, esc_len + 16);
	SB_PUT_LIT(out, "<title>");
	sb_put(out, esc, esc_len);
	SB_PUT_LIT(out, " (");
	out->buf[out->len] = '\0';
	add_value(out, pf->total, o->decimals, o->unit, countname);
	sb_grow(out, FMT_NUM_MAX + 16);
	if (pf->node == 0) { /* the root */
		SB_PUT_LIT(out, ", 100%");
	} else {
		SB_PUT_LIT(out, ", ");
		out->len += fmt_fixed2(out->buf + out->len,
				       total ? 100.0 * (double)pf->total / (double)total : 0.0);
		SB_PUT_LIT(out, "%");
		if (diff) {
			double dp = total ? 100.0 * delta / (double)total : 0.0;
			out->buf[out->len] = '\0';
			sb_addf(out, "; %s%.2f%%", delta > 0 ? "+" : "", dp);
			sb_grow(out, 16);
		}
	}
	SB_PUT_LIT(out, ")</title>");
	out->buf[out->len] = '\0';
}

/* The embedded viewer: web/flame.js, embedded at build time (web/module.mk).
 * Its layout constants (XPAD, CHAR_W) travel in the settings JSON. */
extern const unsigned char web_flame_js[];
extern const size_t web_flame_js_len;

/* The prune_below (flame_build_opts) that leaves out of the tree, before it
 * is built, what the SVG o would leave out anyway: frames narrower than
 * o->minwidth pixels at o->width for the total of p's shown samples. */
static int64_t flame_prune_below(const profile *p, const flame_build_opts *b,
				 const flame_svg_opts *o)
{
	uint32_t v = b->value == PROF_NONE ? prof_count_value(p) : b->value;
	int64_t total = 0;
	for (size_t i = 0; v < p->nvalues && i < p->nsamples; i++)
		if (!b->mask || b->mask[i])
			total = prof_sadd(total, prof_sample_values(p, i)[v]);
	double px = (o->width > 2 * XPAD ? o->width : 2 * XPAD + 1) - 2.0 * XPAD;
	double below = floor((o->minwidth > 0 ? o->minwidth : 0) * (double)total / px);
	if (total <= 0)
		return 0;
	return below < 9.2e18 ? (int64_t)below : INT64_MAX;
}

/* The frames at least minwidth pixels wide (scale pixels per value unit),
 * in preorder with children left to right, each with its offset; *maxd
 * gets the deepest one's depth. */
static placed *place_frames(const flame_tree *t, double scale, double minwidth, size_t *npl,
			    uint32_t *maxd)
{
	const flame_node *nodes = t->nodes;
	placed *pl = NULL, *stack = NULL;
	size_t n_pl = 0, pl_alloc = 0, sp = 0, stack_alloc = 0;
	*maxd = 0;
	if (nodes[0].total <= 0) {
		*npl = 0;
		return NULL;
	}
	ALLOC_GROW(stack, 1, stack_alloc);
	stack[sp++] = (placed){ .node = 0 };
	while (sp) {
		placed cur = stack[--sp];
		const flame_node *n = &nodes[cur.node];
		cur.total = n->total;
		cur.name = n->name;
		cur.depth = n->depth;
		ALLOC_GROW(pl, n_pl + 1, pl_alloc);
		pl[n_pl++] = cur;
		if (n->depth > *maxd)
			*maxd = n->depth;
		/* push the visible children, then reverse them so that they pop
		 * left to right */
		int64_t off = cur.off;
		size_t first = sp;
		for (uint32_t c = n->first_child; c != PROF_NONE; c = nodes[c].next_sibling) {
			if (nodes[c].total > 0 && (double)nodes[c].total * scale >= minwidth) {
				ALLOC_GROW(stack, sp + 1, stack_alloc);
				stack[sp++] = (placed){ .off = off, .node = c };
			}
			off = prof_sadd(off, nodes[c].total > 0 ? nodes[c].total : 0);
		}
		for (size_t a = first, b = sp; a + 1 < b; a++, b--) {
			placed tmp = stack[a];
			stack[a] = stack[b - 1];
			stack[b - 1] = tmp;
		}
	}
	free(stack);
	*npl = n_pl;
	return pl;
}

/* What drawing the frames needs, computed once. */
typedef struct svg_ctx {
	const flame_tree *t;
	const flame_svg_opts *o;
	int width, height, ypad1, ypad2;
	int64_t total;
	double scale;          /* pixels per value unit */
	double bscale, maxdelta; /* diff: the base scaled to total, the largest change */
	uint8_t *color_of;     /* per name id: its color class + 1, 0 until computed */
	name_draw *nd;         /* per name id: how it is drawn (draw_name) */
	strbuf esc;            /* the escaped display texts */
	strbuf countname;      /* what one count is called, escaped */
	strbuf tmp;            /* a label's head */
	strbuf hattr;          /* what follows a rect's width */
} svg_ctx;

/* The document up to the frames: size, styles, the viewer's settings
 * (JSON), title, buttons and the info line. */
static void svg_head(const svg_ctx *c, double minwidth, strbuf *out)
{
	const flame_svg_opts *o = c->o;
	int width = c->width, height = c->height;
	const char *title = o->title ? o->title
			    : o->diff ? "Differential Flame Graph"
			    : c->t->chart ? "Flame Chart"
					  : "Flame Graph";
	sb_adds(out, "<?xml version=\"1.0\" standalone=\"no\"?>\n");
	sb_addf(out,
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n",
		width, height, width, height);
	sb_adds(out, "<defs><linearGradient id=\"bg\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		     "<stop stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"");
	sb_adds(out, o->diff ? "#e0e0ff" : "#eeeeb0");
	sb_adds(out, "\" offset=\"95%\"/></linearGradient></defs>\n<style><![CDATA[\n");
	sb_addf(out,
		"text{font-family:Verdana,sans-serif;font-size:%dpx;fill:#000}"
		".f text{transform:translateY(%dpx);pointer-events:none}"
		".f rect{height:%dpx;rx:2px}.f:hover rect{stroke:#000;stroke-width:.5}"
		".f{cursor:pointer}.p{opacity:.5}.m rect{fill:#e600e6}"
		"#title{font-size:17px;text-anchor:middle}#sub{fill:#555;text-anchor:middle}"
		".btn{cursor:pointer}.btn:hover{text-decoration:underline}#matched,#search{text-anchor:end}"
		"#tip rect{fill:#ffffe0;stroke:#888;height:%dpx}#tip{pointer-events:none}\n",
		FONT, FRAME_H - 5, FRAME_H - 1, FONT + 8);
	palette_css(out, o->palette);
	sb_adds(out, "\n]]></style>\n");
	sb_addf(out, "<script type=\"application/json\" id=\"cfg\"><![CDATA[{\"width\":%d,\"total\":%" PRId64
		",\"minwidth\":",
		width, c->total);
	sb_add_dec2(out, minwidth);
	sb_addf(out, ",\"xpad\":%d,\"charw\":", XPAD);
	sb_add_dec2(out, CHAR_W);
	sb_adds(out, "}]]></script>\n");

	sb_addf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"url(#bg)\"/>\n");
	sb_addf(out, "<text id=\"title\" x=\"%d\" y=\"%d\">", width / 2, FONT * 2);
	sb_add_xml(out, title);
	sb_adds(out, "</text>\n");
	if (o->subtitle) {
		sb_addf(out, "<text id=\"sub\" x=\"%d\" y=\"%d\">", width / 2, FONT * 4);
		sb_add_xml(out, o->subtitle);
		sb_adds(out, "</text>\n");
	}
	sb_addf(out, "<text id=\"unzoom\" class=\"btn\" x=\"%d\" y=\"%d\" style=\"display:none\">Reset Zoom</text>\n",
		XPAD, FONT * 2);
	sb_addf(out, "<text id=\"search\" class=\"btn\" x=\"%d\" y=\"%d\">Search</text>\n", width - XPAD,
		FONT * 2);
	sb_addf(out, "<text id=\"info\" x=\"%d\" y=\"%d\"> </text>\n", XPAD, height - FONT / 2 - 4);
	sb_addf(out, "<text id=\"matched\" x=\"%d\" y=\"%d\"></text>\n", width - XPAD, height - FONT / 2 - 4);
	if (c->total <= 0)
		sb_addf(out, "<text x=\"%d\" y=\"%d\">No samples</text>\n", XPAD, c->ypad1 + FONT);
}

/* A frame's color class into cbuf: by the change in a differential graph
 * (*delta gets it, and a d attribute goes to out), by FlameGraph's
 * annotation ann, else by the name's (or module's) hash. */
static void frame_class(svg_ctx *c, const placed *pf, char ann, double *delta, char cbuf[16],
			strbuf *out)
{
	const flame_svg_opts *o = c->o;
	*delta = 0;
	if (o->diff) {
		*delta = (double)pf->total - (double)c->t->nodes[pf->node].base * c->bscale;
		int k = c->maxdelta > 0 ? (int)ceil(fabs(*delta) / c->maxdelta * NDIFF) : 0;
		snprintf(cbuf, 16, "%c%d", *delta > 0 ? 'r' : 'b', k);
		sb_addf(out, " d=\"%" PRId64 "\"", (int64_t)llround(*delta));
	} else if (o->palette != FLAME_MODULE && ann && strchr("ikj", ann)) {
		cbuf[0] = 'c', cbuf[1] = ann, cbuf[2] = '\0';
	} else {
		uint32_t key = o->palette == FLAME_MODULE ? c->t->nodes[pf->node].module : pf->name;
		if (!c->color_of[key])
			c->color_of[key] = (uint8_t)(color_class(names_get(c->t->names, key)) + 1);
		unsigned k = c->color_of[key] - 1u; /* < NCOLORS */
		size_t i = 0;
		cbuf[i++] = 'c';
		if (k >= 10)
			cbuf[i++] = (char)('0' + k / 10);
		cbuf[i++] = (char)('0' + k % 10);
		cbuf[i] = '\0';
	}
}

/* How name id is drawn (computed on its first frame). */
static const name_draw *draw_name(svg_ctx *c, uint32_t id)
{
	name_draw *d = &c->nd[id];
	if (d->ready)
		return d;
	const char *name = names_get(c->t->names, id);
	size_t nlen = strlen(name);
	/* FlameGraph's annotations (_[i] inlined, _[k] kernel, _[j] jit,
	 * _[w] waker) choose the color and are not shown */
	d->ann = nlen >= 4 && name[nlen - 4] == '_' && name[nlen - 3] == '[' && name[nlen - 1] == ']'
			 ? name[nlen - 2]
			 : 0;
	d->dlen = nlen > 4 && d->ann && strchr("kwij", d->ann) ? nlen - 4 : nlen;
	d->chars = 0;
	for (size_t i = 0; i < d->dlen; i++)
		d->chars += ((unsigned char)name[i] & 0xc0) != 0x80;
	d->off = c->esc.len;
	if (d->dlen < nlen) {
		sb_reset(&c->tmp);
		sb_add(&c->tmp, name, d->dlen);
		sb_add_xml(&c->esc, c->tmp.buf);
	} else {
		sb_add_xml(&c->esc, name);
	}
	d->len = c->esc.len - d->off;
	d->ready = true;
	return d;
}

/* One frame: its offset and value (o, v), title, rect and, when it fits,
 * its label. */
static void svg_frame(svg_ctx *c, const placed *pf, strbuf *out)
{
	const name_draw *d = draw_name(c, pf->name);
	double x = XPAD + (double)pf->off * c->scale;
	double w = (double)pf->total * c->scale;
	/* the pieces are written where room was made (2 numbers, then 2
	 * numbers and the class's attributes) */
	sb_grow(out, 2 * FMT_NUM_MAX + 32);
	SB_PUT_LIT(out, "<g class=\"f\" o=\"");
	sb_put_i64(out, pf->off);
	SB_PUT_LIT(out, "\" v=\"");
	sb_put_i64(out, pf->total);
	SB_PUT_LIT(out, "\"");
	out->buf[out->len] = '\0';
	char cls[16];
	double delta;
	frame_class(c, pf, d->ann, &delta, cls, out);
	sb_addc(out, '>');
	/* c->esc does not move while this frame is drawn */
	const char *esc = c->esc.buf + d->off;
	add_title(out, esc, d->len, pf, c->total, c->o, &c->countname, c->o->diff, delta);
	sb_grow(out, 2 * FMT_NUM_MAX + c->hattr.len + sizeof(cls) + 32);
	SB_PUT_LIT(out, "<rect x=\"");
	sb_put_dec2(out, x);
	SB_PUT_LIT(out, "\" width=\"");
	sb_put_dec2(out, w);
	sb_put(out, c->hattr.buf, c->hattr.len);
	sb_put(out, cls, strlen(cls));
	SB_PUT_LIT(out, "\"/>");
	out->buf[out->len] = '\0';
	if (label_fits(w)) {
		size_t before = out->len;
		sb_adds(out, "<text x=\"");
		sb_add_dec2(out, x + 3);
		sb_adds(out, "\">");
		size_t mid = out->len;
		add_label(out, c->t->names, pf->name, d, esc, w, &c->tmp);
		if (out->len == mid)
			out->len = before, out->buf[before] = '\0';
		else
			sb_adds(out, "</text>");
	}
	sb_adds(out, "</g>\n");
}

/* The placed frames, one <g> per depth (with its translate), each level
 * in preorder (left to right). */
static void svg_levels(svg_ctx *c, const placed *pl, size_t npl, uint32_t maxd, strbuf *out)
{
	size_t *count = xcalloc((size_t)maxd + 2, sizeof(size_t));
	for (size_t i = 0; i < npl; i++)
		count[pl[i].depth + 1]++;
	for (uint32_t d = 1; d <= maxd + 1; d++)
		count[d] += count[d - 1];
	placed *byd = xmalloc(sizeof(*byd) * (npl ? npl : 1));
	for (size_t i = 0; i < npl; i++)
		byd[count[pl[i].depth]++] = pl[i];
	/* count[d] is now the end of level d */
	size_t start = 0;
	for (uint32_t d = 0; d <= maxd && npl; d++) {
		double y = c->o->inverted ? c->ypad1 + (double)d * FRAME_H
					  : c->height - c->ypad2 - (double)(d + 1) * FRAME_H;
		sb_addf(out, "<g data-d=\"%u\" transform=\"translate(0,", d);
		sb_add_dec2(out, y);
		sb_adds(out, ")\">\n");
		for (size_t i = start; i < count[d]; i++) {
			/* the names of a level are far apart: fetch ahead */
			if (i + 8 < npl)
				__builtin_prefetch(&c->nd[byd[i + 8].name]);
			if (i + 4 < npl && c->nd[byd[i + 4].name].ready)
				__builtin_prefetch(c->esc.buf + c->nd[byd[i + 4].name].off);
			svg_frame(c, &byd[i], out);
			if (c->o->flush && out->len >= (1u << 20))
				c->o->flush(c->o->flush_ctx, out);
		}
		sb_adds(out, "</g>\n");
		start = count[d];
	}
	free(count);
	free(byd);
}

int flame_svg_write(const flame_tree *t, const flame_svg_opts *o, strbuf *out, cprof_err *err)
{
	(void)err;
	svg_ctx c = { .t = t, .o = o, .esc = STRBUF_INIT, .countname = STRBUF_INIT, .tmp = STRBUF_INIT,
		      .hattr = STRBUF_INIT };
	c.width = o->width > 2 * XPAD ? o->width : 2 * XPAD + 1; /* room for one pixel */
	double minwidth = o->minwidth > 0 ? o->minwidth : 0;
	c.total = t->nodes[0].total;
	c.scale = c.total > 0 ? (c.width - 2.0 * XPAD) / (double)c.total : 0;
	size_t npl;
	uint32_t maxd;
	placed *pl = place_frames(t, c.scale, minwidth, &npl, &maxd);
	if (o->diff && t->nodes[0].base > 0)
		c.bscale = (double)c.total / (double)t->nodes[0].base;
	for (size_t i = 0; o->diff && i < npl; i++) {
		const flame_node *n = &t->nodes[pl[i].node];
		double d = fabs((double)n->total - (double)n->base * c.bscale);
		if (d > c.maxdelta)
			c.maxdelta = d;
	}
	c.ypad1 = FONT * 3 + (o->subtitle ? FONT * 2 : 0);
	c.ypad2 = FONT * 2 + 10;
	c.height = (int)(maxd + 1) * FRAME_H + c.ypad1 + c.ypad2;
	svg_head(&c, minwidth, out);

	c.color_of = xcalloc((size_t)names_count(t->names) + 1, 1);
	c.nd = xcalloc((size_t)names_count(t->names) + 1, sizeof(*c.nd));
	sb_add_xml(&c.countname, o->countname ? o->countname : "samples");
	sb_addf(&c.hattr, "\" height=\"%d\" class=\"", FRAME_H - 1);
	svg_levels(&c, pl, npl, maxd, out);
	free(c.color_of);
	free(c.nd);
	sb_release(&c.esc);
	sb_release(&c.countname);
	sb_release(&c.tmp);
	sb_release(&c.hattr);
	free(pl);

	sb_addf(out, "<g id=\"tip\" style=\"display:none\"><rect width=\"10\" height=\"%d\"/>"
		     "<text x=\"4\" y=\"%d\"></text></g>\n",
		FONT + 8, FONT + 2);
	sb_adds(out, "<script type=\"text/ecmascript\"><![CDATA[\n");
	sb_add(out, web_flame_js, web_flame_js_len);
	sb_adds(out, "]]></script>\n</svg>\n");
	return 0;
}

/* ---- the graph cprof-flame draws ------------------------------------------ */

int flame_graph_write(const profile *p, const flame_build_opts *b, bool chart,
		      const flame_base *base, const flame_svg_opts *s, strbuf *out, cprof_err *err)
{
	if (chart && base)
		return cprof_fail(err, "a flame chart cannot be differential");
	flame_build_opts o = *b, ob = *b;
	flame_svg_opts so = *s;
	o.modules = ob.modules = s->palette == FLAME_MODULE;
	/* the base: BASE's samples, or difffolded.pl's counts before */
	const profile *bp = NULL;
	ob.base = true;
	if (base) {
		bp = base->p;
		ob.mask = base->mask;
		ob.value = base->value;
	} else if (!chart && (ob.value = prof_find_value(p, FOLDED_BEFORE)) != PROF_NONE) {
		bp = p;
	}
	so.diff = bp != NULL;
	if (!so.diff && !chart) /* what the SVG leaves out is never built */
		o.prune_below = flame_prune_below(p, &o, &so);
	uint32_t v = o.value == PROF_NONE ? prof_count_value(p) : o.value;
	if (v < p->nvalues) {
		so.unit = p->sample_types[v].unit;
		so.countname = p->sample_types[v].type;
		so.decimals = p->sample_types[v].decimals;
	}

	flame_tree *t = flame_tree_new(chart);
	int r = flame_tree_add_profile(t, p, &o, err);
	if (!r && bp && flame_tree_add_profile(t, bp, &ob, err) < 0) {
		if (err && base) { /* say whose value it was */
			cprof_err e = *err;
			cprof_fail(err, "the base profile: %s", e.msg);
		}
		r = -1;
	}
	if (!r) {
		flame_tree_finish(t);
		r = flame_svg_write(t, &so, out, err);
	}
	flame_tree_free(t);
	return r;
}
