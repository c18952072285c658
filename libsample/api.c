/*
 * api: the functions of include/cprof.h. Labels: each thread keeps its
 * current set (sorted by key) in a heap block reached through a TLS pointer;
 * a set is interned into a process-wide table under a lock and written once
 * per file as a LABELSET record; the signal handler only reads the set's id
 * from cp_tls_labelset.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cprof.h"
#include "internal.h"

#define MAX_LABELS 16
#define MAX_KEY 255
#define MAX_VALUE 1023

struct label {
	char *key, *value;
};

struct labels {
	int n;
	struct label l[MAX_LABELS];
};

static __thread struct labels *cur;

/* interned sets: canonical text "key\0value\0key\0value\0" of length len */
struct set {
	uint32_t id;
	uint32_t count;
	size_t len;
	char *text;
};
static struct set *sets;
static size_t nsets, sets_alloc;
static pthread_mutex_t sets_lock = PTHREAD_MUTEX_INITIALIZER;

static void emit_set(const struct set *s)
{
	struct cprof_raw_labelset h = {.id = s->id, .count = s->count};
	size_t cap = s->len + 4 * s->count, n = 0;
	unsigned char *buf = malloc(cap ? cap : 1);
	const char *p = s->text;

	if (!buf)
		return;
	for (uint32_t i = 0; i < s->count; i++) {
		size_t kl = strlen(p), vl = strlen(p + kl + 1);
		buf[n++] = (unsigned char)(kl & 0xff);
		buf[n++] = (unsigned char)(kl >> 8);
		buf[n++] = (unsigned char)(vl & 0xff);
		buf[n++] = (unsigned char)(vl >> 8);
		memcpy(buf + n, p, kl);
		n += kl;
		memcpy(buf + n, p + kl + 1, vl);
		n += vl;
		p += kl + vl + 2;
	}
	struct iovec parts[2] = {{&h, sizeof(h)}, {buf, n}};
	cp_emit(CPROF_RAW_LABELSET, 0, parts, 2);
	free(buf);
}

void cp_labels_atfork_child(void)
{
	pthread_mutex_init(&sets_lock, NULL);
}

void cp_labels_reset(void)
{
	/* A new file (fork child, restart): write every known set into it,
	 * since threads may still carry their ids. */
	pthread_mutex_lock(&sets_lock);
	for (size_t i = 0; i < nsets; i++)
		emit_set(&sets[i]);
	pthread_mutex_unlock(&sets_lock);
}

static uint32_t intern(const struct labels *ls)
{
	size_t len = 0;
	char *text, *p;
	uint32_t id = 0;

	if (!ls || ls->n == 0)
		return 0;
	for (int i = 0; i < ls->n; i++)
		len += strlen(ls->l[i].key) + strlen(ls->l[i].value) + 2;
	if (!(text = malloc(len)))
		return 0;
	p = text;
	for (int i = 0; i < ls->n; i++) {
		size_t k = strlen(ls->l[i].key) + 1, v = strlen(ls->l[i].value) + 1;
		memcpy(p, ls->l[i].key, k);
		memcpy(p + k, ls->l[i].value, v);
		p += k + v;
	}
	pthread_mutex_lock(&sets_lock);
	for (size_t i = 0; i < nsets; i++)
		if (sets[i].len == len && !memcmp(sets[i].text, text, len)) {
			id = sets[i].id;
			break;
		}
	if (!id) {
		if (nsets == sets_alloc) {
			size_t na = sets_alloc ? 2 * sets_alloc : 16;
			struct set *ns = realloc(sets, na * sizeof(*ns));
			if (!ns)
				goto out;
			sets = ns;
			sets_alloc = na;
		}
		id = (uint32_t)nsets + 1;
		sets[nsets] = (struct set){id, (uint32_t)ls->n, len, text};
		text = NULL;
		emit_set(&sets[nsets++]);
	}
out:
	pthread_mutex_unlock(&sets_lock);
	free(text);
	return id;
}

CP_EXPORT int cprof_label_set(const char *key, const char *value)
{
	int i;

	if (!key || !*key || !value || strlen(key) > MAX_KEY || strlen(value) > MAX_VALUE) {
		errno = EINVAL;
		return -1;
	}
	if (!cur && !(cur = calloc(1, sizeof(*cur))))
		return -1;
	for (i = 0; i < cur->n && strcmp(cur->l[i].key, key) < 0; i++)
		;
	if (i < cur->n && !strcmp(cur->l[i].key, key)) {
		char *v = strdup(value);
		if (!v)
			return -1;
		free(cur->l[i].value);
		cur->l[i].value = v;
	} else {
		if (cur->n == MAX_LABELS) {
			errno = ENOSPC;
			return -1;
		}
		char *k = strdup(key), *v = strdup(value);
		if (!k || !v) {
			free(k);
			free(v);
			return -1;
		}
		memmove(&cur->l[i + 1], &cur->l[i], (size_t)(cur->n - i) * sizeof(cur->l[0]));
		cur->l[i] = (struct label){k, v};
		cur->n++;
	}
	cp_tls_labelset = intern(cur);
	return 0;
}

CP_EXPORT int cprof_label_clear(const char *key)
{
	if (!cur)
		return 0;
	for (int i = 0; i < cur->n;) {
		if (!key || !strcmp(cur->l[i].key, key)) {
			free(cur->l[i].key);
			free(cur->l[i].value);
			memmove(&cur->l[i], &cur->l[i + 1], (size_t)(cur->n - i - 1) * sizeof(cur->l[0]));
			cur->n--;
		} else {
			i++;
		}
	}
	cp_tls_labelset = intern(cur);
	return 0;
}

CP_EXPORT int cprof_start(const char *path, const struct cprof_options *opts)
{
	struct cp_config cfg;

	if (cp_config_from_env(&cfg) < 0) {
		errno = EINVAL;
		return -1;
	}
	cfg.path = path ? path : (cfg.path && *cfg.path ? cfg.path : "cprof.out");
	if (opts) {
		if (opts->hz) {
			if (opts->hz > 100000) {
				errno = EINVAL;
				return -1;
			}
			cfg.hz = opts->hz;
		}
		if (opts->mode) {
			if (!strcmp(opts->mode, "cpu"))
				cfg.mode = CPROF_MODE_CPU;
			else if (!strcmp(opts->mode, "wall"))
				cfg.mode = CPROF_MODE_WALL;
			else {
				errno = EINVAL;
				return -1;
			}
		}
		if (opts->unwind) {
			if (!strcmp(opts->unwind, "libunwind"))
				cfg.unwinder = CPROF_UNWIND_LIBUNWIND;
			else if (!strcmp(opts->unwind, "fp"))
				cfg.unwinder = CPROF_UNWIND_FP;
			else {
				errno = EINVAL;
				return -1;
			}
		}
	}
	if (cp_start(&cfg) < 0)
		return -1;
	cp_adopt_mask();
	return 0;
}

CP_EXPORT int cprof_stop(void)
{
	if (!atomic_load(&cp.active)) {
		errno = EINVAL;
		return -1;
	}
	return cp_stop();
}

CP_EXPORT int cprof_flush(void)
{
	if (!atomic_load(&cp.active)) {
		errno = EINVAL;
		return -1;
	}
	return cp_flush();
}

CP_EXPORT int cprof_recording(void)
{
	return atomic_load(&cp.active);
}
