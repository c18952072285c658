/*
 * filter: sample masks from focus/ignore regexes, labels, thread and time
 * (see filter.h). Regexes are matched once per location and the verdict
 * cached per stack (stacks are interned), so the cost is per distinct
 * stack, not per sample.
 */
#include "filter.h"

#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

bool filter_active(const filter_opts *o)
{
	return o->focus || o->ignore || o->ntags || o->has_tid || o->has_pid || o->has_from ||
	       o->has_to;
}

static bool re_match_loc(const profile *p, uint32_t loc, const regex_t *re, strbuf *tmp)
{
	const prof_location *l = &p->locations[loc];
	for (uint32_t i = 0; i < l->nlines; i++) {
		uint32_t f = l->lines[i].function;
		if (f >= p->nfunctions)
			continue;
		const prof_function *fn = &p->functions[f];
		if (fn->name && regexec(re, fn->name, 0, NULL, 0) == 0)
			return true;
		if (fn->filename && *fn->filename && regexec(re, fn->filename, 0, NULL, 0) == 0)
			return true;
	}
	if (l->mapping != PROF_NONE && l->mapping < p->nmappings) {
		const char *file = p->mappings[l->mapping].file;
		if (file && *file && regexec(re, file, 0, NULL, 0) == 0)
			return true;
	}
	if (l->nlines == 0) {
		prof_frame fr = { loc, PROF_NONE, 0, false };
		sb_reset(tmp);
		prof_frame_name(p, &fr, tmp);
		if (tmp->buf && regexec(re, tmp->buf, 0, NULL, 0) == 0)
			return true;
	}
	return false;
}

static int compile(regex_t *re, const char *what, const char *src, cprof_err *err)
{
	int rc = regcomp(re, src, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char buf[200];
		regerror(rc, re, buf, sizeof(buf));
		return cprof_fail(err, "bad --%s regex '%s': %s", what, src, buf);
	}
	return 0;
}

/* 0 unknown, 1 false, 2 true */
static bool loc_verdict(const profile *p, uint32_t loc, const regex_t *re, uint8_t *cache, strbuf *tmp)
{
	if (!cache[loc])
		cache[loc] = re_match_loc(p, loc, re, tmp) ? 2 : 1;
	return cache[loc] == 2;
}

static bool label_matches(const profile *p, uint32_t ls, const char *key, size_t klen, const char *val)
{
	const prof_labelset *s = &p->labelsets[ls];
	for (uint32_t i = 0; i < s->n; i++) {
		const prof_label *l = &s->labels[i];
		if (!l->key || strlen(l->key) != klen || strncmp(l->key, key, klen))
			continue;
		if (l->str) {
			if (!strcmp(l->str, val))
				return true;
		} else {
			char buf[32];
			snprintf(buf, sizeof(buf), "%" PRId64, l->num);
			if (!strcmp(buf, val))
				return true;
		}
	}
	return false;
}

int filter_mask(const profile *p, const filter_opts *o, bool **maskp, size_t *kept, cprof_err *err)
{
	regex_t focus, ignore;
	bool has_focus = false, has_ignore = false;
	*maskp = NULL;
	for (uint32_t i = 0; i < o->ntags; i++)
		if (!strchr(o->tags[i], '=') || o->tags[i][0] == '=')
			return cprof_fail(err, "bad --tag '%s': want KEY=VALUE", o->tags[i]);
	if ((o->has_tid || o->has_pid || o->has_from || o->has_to) && !p->has_timestamps)
		return cprof_fail(err, "--%s needs raw input (this profile has no per-sample %s)",
				  o->has_tid ? "thread" : o->has_pid ? "process" : o->has_from ? "from" : "to",
				  o->has_tid || o->has_pid ? "threads" : "timestamps");
	if (o->focus) {
		if (compile(&focus, "focus", o->focus, err) < 0)
			return -1;
		has_focus = true;
	}
	if (o->ignore) {
		if (compile(&ignore, "ignore", o->ignore, err) < 0) {
			if (has_focus)
				regfree(&focus);
			return -1;
		}
		has_ignore = true;
	}

	bool *mask = xmalloc(p->nsamples ? p->nsamples : 1);
	uint8_t *stack_v = NULL, *fcache = NULL, *icache = NULL;
	strbuf tmp = STRBUF_INIT;
	if (has_focus || has_ignore) {
		stack_v = xcalloc(p->nstacks ? p->nstacks : 1, 1);
		fcache = xcalloc(p->nlocations ? p->nlocations : 1, 1);
		icache = xcalloc(p->nlocations ? p->nlocations : 1, 1);
	}
	size_t n = 0;
	int32_t pid_tid = -1, pid_of = 0;
	for (size_t i = 0; i < p->nsamples; i++) {
		const prof_sample *s = &p->samples[i];
		bool keep = true;
		if (stack_v && s->stack < p->nstacks) {
			if (!stack_v[s->stack]) {
				const prof_stack *st = &p->stacks[s->stack];
				bool f = !has_focus, ig = false;
				for (uint32_t k = 0; k < st->depth; k++) {
					uint32_t loc = st->locs[k];
					if (has_ignore && loc_verdict(p, loc, &ignore, icache, &tmp)) {
						ig = true;
						break;
					}
					if (!f && loc_verdict(p, loc, &focus, fcache, &tmp))
						f = true;
				}
				stack_v[s->stack] = (f && !ig) ? 2 : 1;
			}
			keep = stack_v[s->stack] == 2;
		}
		for (uint32_t t = 0; keep && t < o->ntags; t++) {
			const char *eq = strchr(o->tags[t], '=');
			keep = s->labelset < p->nlabelsets &&
			       label_matches(p, s->labelset, o->tags[t], (size_t)(eq - o->tags[t]), eq + 1);
		}
		if (keep && o->has_tid)
			keep = s->tid == o->tid;
		if (keep && o->has_pid) {
			/* samples come in runs of one thread: look each run up once */
			if (s->tid != pid_tid) {
				pid_tid = s->tid;
				pid_of = prof_thread_pid(p, s->tid);
			}
			keep = pid_of == o->pid;
		}
		if (keep && o->has_from)
			keep = s->time_ns >= o->from_ns;
		if (keep && o->has_to)
			keep = s->time_ns >= 0 && s->time_ns < o->to_ns;
		mask[i] = keep;
		n += keep;
	}
	free(stack_v);
	free(fcache);
	free(icache);
	sb_release(&tmp);
	if (has_focus)
		regfree(&focus);
	if (has_ignore)
		regfree(&ignore);
	*maskp = mask;
	if (kept)
		*kept = n;
	return 0;
}

int filter_parse_time(const char *s, int64_t *ns, cprof_err *err)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || !(v >= 0) || !isfinite(v))
		return cprof_fail(err, "bad time '%s' (want e.g. 1.5s, 250ms, 40us, 1000ns)", s);
	double mult;
	if (!*end || !strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "s"))
		mult = 1e9;
	else if (!strcmp(end, "us"))
		mult = 1e3;
	else if (!strcmp(end, "ns"))
		mult = 1;
	else
		return cprof_fail(err, "bad time unit in '%s' (ns, us, ms or s)", s);
	double r = v * mult;
	if (r > 9.2e18)
		return cprof_fail(err, "time '%s' too large", s);
	*ns = (int64_t)(r + 0.5);
	return 0;
}

void filter_describe(const filter_opts *o, strbuf *sb)
{
	if (!filter_active(o))
		return;
	sb_adds(sb, "Active filters:\n");
	if (o->focus)
		sb_addf(sb, "   focus=%s\n", o->focus);
	if (o->ignore)
		sb_addf(sb, "   ignore=%s\n", o->ignore);
	for (uint32_t i = 0; i < o->ntags; i++)
		sb_addf(sb, "   tagfocus=%s\n", o->tags[i]);
	if (o->has_tid)
		sb_addf(sb, "   thread=%" PRId32 "\n", o->tid);
	if (o->has_pid)
		sb_addf(sb, "   process=%" PRId32 "\n", o->pid);
	if (o->has_from)
		sb_addf(sb, "   from=%" PRId64 "ns\n", o->from_ns);
	if (o->has_to)
		sb_addf(sb, "   to=%" PRId64 "ns\n", o->to_ns);
}
