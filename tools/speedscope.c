/*
 * speedscope: the profile in speedscope's JSON file format. cJSON builds the
 * structure and escapes the strings; the per-sample arrays are formatted
 * into strbufs and attached raw (millions of cJSON nodes would cost far more
 * memory than the output itself).
 */
#include "speedscope.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

#define SCHEMA "https://www.speedscope.app/file-format-schema.json"

/* frame key -> index: (function + 1, line) for symbolized frames,
 * (0, location) for unsymbolized ones, in insertion order. */
static uint32_t ftab_get(keyset *t, uint64_t a, uint64_t b, int *added)
{
	uint64_t k[2] = { a, b };
	bool add;
	uint32_t id = keyset_add(t, k, &add);
	*added = add;
	return id;
}

/* v with its decimals (prof_value_type; 0 for an integer) as a JSON number */
static void add_raw_value(cJSON *obj, const char *key, int64_t v, uint32_t decimals)
{
	strbuf sb = STRBUF_INIT;
	prof_add_value(&sb, v, decimals);
	cJSON_AddRawToObject(obj, key, sb.buf);
	sb_release(&sb);
}

typedef struct ss_ctx {
	const profile *p;
	uint32_t value;
	keyset frames;
	cJSON *jframes;
	char **stack_json; /* per model stack: "[root,...,leaf]", built on first use */
	prof_frame *fbuf;
	size_t falloc;
	strbuf name;
} ss_ctx;

static const char *stack_json(ss_ctx *c, uint32_t s)
{
	if (c->stack_json[s])
		return c->stack_json[s];
	const profile *p = c->p;
	uint32_t depth = prof_stack_frames(p, s, &c->fbuf, &c->falloc);
	strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '[');
	for (uint32_t d = depth; d-- > 0;) {
		const prof_frame *f = &c->fbuf[d];
		int added;
		uint32_t fi = f->function != PROF_NONE
			? ftab_get(&c->frames, (uint64_t)f->function + 1, (uint64_t)f->line, &added)
			: ftab_get(&c->frames, 0, f->location, &added);
		if (added) {
			cJSON *fr = cJSON_CreateObject();
			sb_reset(&c->name);
			prof_frame_name(p, f, &c->name);
			cJSON_AddItemToObject(fr, "name", html_json_string(c->name.buf));
			if (f->function != PROF_NONE && f->function < p->nfunctions &&
			    p->functions[f->function].filename && p->functions[f->function].filename[0]) {
				cJSON_AddItemToObject(fr, "file", html_json_string(p->functions[f->function].filename));
				if (f->line > 0)
					add_raw_value(fr, "line", f->line, 0);
			}
			cJSON_AddItemToArray(c->jframes, fr);
		}
		sb_addf(&sb, "%s%u", d + 1 == depth ? "" : ",", fi);
	}
	sb_addc(&sb, ']');
	c->stack_json[s] = sb_detach(&sb, NULL);
	return c->stack_json[s];
}

/* One sampled profile of the samples idx[0..n). */
static cJSON *sampled(ss_ctx *c, const char *name, const size_t *idx, size_t n, const char *unit)
{
	const profile *p = c->p;
	uint32_t dec = p->sample_types[c->value].decimals;
	cJSON *pr = cJSON_CreateObject();
	cJSON_AddStringToObject(pr, "type", "sampled");
	cJSON_AddItemToObject(pr, "name", html_json_string(name));
	cJSON_AddStringToObject(pr, "unit", unit);
	strbuf ss = STRBUF_INIT, ws = STRBUF_INIT;
	sb_addc(&ss, '[');
	sb_addc(&ws, '[');
	int64_t total = 0;
	for (size_t k = 0; k < n; k++) {
		const prof_sample *s = &p->samples[idx[k]];
		int64_t w = prof_sample_values(p, idx[k])[c->value];
		sb_adds(&ss, k ? "," : "");
		sb_adds(&ss, stack_json(c, s->stack));
		sb_adds(&ws, k ? "," : "");
		prof_add_value(&ws, w, dec);
		total = prof_sadd(total, w);
	}
	sb_addc(&ss, ']');
	sb_addc(&ws, ']');
	int64_t start = 0, end = total;
	if (p->has_timestamps && n) {
		int64_t first = p->samples[idx[0]].time_ns - prof_sample_values(p, idx[0])[c->value];
		start = first > 0 ? first : 0;
		end = p->samples[idx[n - 1]].time_ns;
		if (end < start + total && !strcmp(unit, "none"))
			end = start + total;
		if (end < start)
			end = start;
	}
	add_raw_value(pr, "startValue", start, dec);
	add_raw_value(pr, "endValue", end, dec);
	cJSON_AddRawToObject(pr, "samples", ss.buf);
	cJSON_AddRawToObject(pr, "weights", ws.buf);
	sb_release(&ss);
	sb_release(&ws);
	return pr;
}

typedef struct thread_run {
	int32_t pid, tid;
	size_t a, b; /* idx[a..b): the thread's samples */
} thread_run;

static int cmp_run(const void *a, const void *b)
{
	const thread_run *x = a, *y = b;
	return prof_cmp_pid_tid(x->pid, x->tid, y->pid, y->tid);
}

int speedscope_write(const profile *p, const speedscope_opts *o, strbuf *out, cprof_err *err)
{
	uint32_t value = o && o->value != PROF_NONE ? o->value : p->default_type;
	if (p->nvalues == 0 || value >= p->nvalues)
		return cprof_fail(err, "the profile has no such sample type");
	for (size_t i = 0; i < p->nsamples; i++)
		if (p->samples[i].stack >= p->nstacks)
			return cprof_fail(err, "a sample refers to a stack that does not exist");
	const char *u = p->sample_types[value].unit;
	const char *unit = !u ? "none" : !strcmp(u, "nanoseconds") ? "nanoseconds" : !strcmp(u, "microseconds") ? "microseconds"
		: !strcmp(u, "milliseconds") ? "milliseconds" : !strcmp(u, "seconds") ? "seconds" : !strcmp(u, "bytes") ? "bytes" : "none";

	ss_ctx c = { .p = p, .value = value, .frames = KEYSET_INIT(2), .name = STRBUF_INIT };
	c.stack_json = xcalloc(p->nstacks ? p->nstacks : 1, sizeof(*c.stack_json));
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", SCHEMA);
	cJSON *shared = cJSON_AddObjectToObject(root, "shared");
	c.jframes = cJSON_AddArrayToObject(shared, "frames");
	cJSON *profiles = cJSON_AddArrayToObject(root, "profiles");
	cJSON_AddItemToObject(root, "name", html_json_string(o && o->name ? o->name : "cprof profile"));
	cJSON_AddNumberToObject(root, "activeProfileIndex", 0);
	cJSON_AddStringToObject(root, "exporter", "cprof");

	size_t n;
	size_t *idx = prof_thread_time_order(p, o ? o->mask : NULL, &n);
	if (p->has_timestamps) {
		/* one profile per thread, grouped by process: runs of one tid,
		 * ordered by (pid, tid) */
		thread_run *runs = NULL;
		size_t nruns = 0, runs_alloc = 0;
		for (size_t a = 0, b; a < n; a = b) {
			int32_t tid = p->samples[idx[a]].tid;
			for (b = a; b < n && p->samples[idx[b]].tid == tid; b++)
				;
			ALLOC_GROW(runs, nruns + 1, runs_alloc);
			runs[nruns++] = (thread_run){ prof_thread_pid(p, tid), tid, a, b };
		}
		if (nruns)
			qsort(runs, nruns, sizeof(*runs), cmp_run);
		strbuf nm = STRBUF_INIT;
		for (size_t r = 0; r < nruns; r++) {
			const char *tn = prof_thread_name(p, runs[r].tid);
			sb_reset(&nm);
			sb_addf(&nm, "%s (", tn && tn[0] ? tn : "thread");
			if (runs[r].pid)
				sb_addf(&nm, "pid %d, ", runs[r].pid);
			sb_addf(&nm, "tid %d)", runs[r].tid);
			cJSON_AddItemToArray(profiles, sampled(&c, nm.buf, idx + runs[r].a,
							       runs[r].b - runs[r].a, unit));
		}
		free(runs);
		sb_release(&nm);
	}
	if (!p->has_timestamps || n == 0)
		cJSON_AddItemToArray(profiles, sampled(&c, o && o->name ? o->name : "all samples", idx, n, unit));
	free(idx);

	char *txt = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	for (uint32_t s = 0; s < p->nstacks; s++)
		free(c.stack_json[s]);
	free(c.stack_json);
	free(c.fbuf);
	keyset_free(&c.frames);
	sb_release(&c.name);
	if (!txt)
		return cprof_fail(err, "out of memory while writing the speedscope JSON");
	sb_adds(out, txt);
	sb_addc(out, '\n');
	free(txt);
	return 0;
}
