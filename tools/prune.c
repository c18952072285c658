/*
 * prune: drop_frames / keep_frames (contract in prune.h), pprof's
 * profile/prune.go Prune over the model: matches are decided once per
 * function, cuts once per location, new stacks once per stack.
 */
#include "prune.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

static bool compile(regex_t *re, const char *pat, const prof_read_opts *o, const char *what)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "^(%s)$", pat);
	int rc = regcomp(re, sb.buf, REG_EXTENDED | REG_NOSUB);
	sb_release(&sb);
	if (rc) {
		prof_warnf(o, "%s pattern does not compile as a POSIX regular expression: "
			      "no frames pruned", what);
		return false;
	}
	return true;
}

/* pprof's simplifyFunc: a leading '.' goes, and the name is cut at its
 * first '(' that does not belong to "(anonymous namespace)" or "operator()". */
static void simplify(const char *name, strbuf *sb)
{
	sb_reset(sb);
	if (*name == '.')
		name++;
	size_t n = strlen(name);
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(name + i, "(anonymous namespace)", 21)) {
			i += 20;
		} else if (!strncmp(name + i, "operator()", 10)) {
			i += 9;
		} else if (name[i] == '(') {
			n = i;
			break;
		}
	}
	sb_add(sb, name, n);
}

void prof_prune(profile *p, const prof_read_opts *o)
{
	if (!p->drop_frames || !*p->drop_frames || !p->nstacks)
		return;
	regex_t drop, keep;
	if (!compile(&drop, p->drop_frames, o, "drop_frames"))
		return;
	bool has_keep = p->keep_frames && *p->keep_frames;
	if (has_keep && !compile(&keep, p->keep_frames, o, "keep_frames")) {
		regfree(&drop);
		return;
	}
	/* per function: 0 not decided, 1 prune, 2 keep */
	unsigned char *fm = xcalloc((size_t)p->nfunctions + 1, 1);
	strbuf sb = STRBUF_INIT;
	/* per location: 0 untouched, 1 prune it, 2 prune beneath it */
	unsigned char *lm = xcalloc((size_t)p->nlocations + 1, 1);
	bool any = false;
	for (uint32_t l = 0; l < p->nlocations; l++) {
		const prof_location *loc = &p->locations[l];
		int64_t i;
		for (i = (int64_t)loc->nlines - 1; i >= 0; i--) {
			uint32_t f = loc->lines[i].function;
			if (f >= p->nfunctions || !p->functions[f].name || !*p->functions[f].name)
				continue;
			if (!fm[f]) {
				simplify(p->functions[f].name, &sb);
				bool m = regexec(&drop, sb.buf, 0, NULL, 0) == 0 &&
					 !(has_keep && regexec(&keep, sb.buf, 0, NULL, 0) == 0);
				fm[f] = m ? 1 : 2;
			}
			if (fm[f] == 1)
				break;
		}
		if (i < 0)
			continue;
		any = true;
		if (i == (int64_t)loc->nlines - 1) {
			lm[l] = 1;
		} else {
			lm[l] = 2;
			prof_set_location_lines(p, l, loc->lines + i + 1, loc->nlines - (uint32_t)i - 1);
		}
	}
	if (any) {
		uint32_t ns = p->nstacks;
		uint32_t *map = xmalloc(st_mult(ns, sizeof(uint32_t)));
		for (uint32_t s = 0; s < ns; s++) {
			const uint32_t *locs = p->stacks[s].locs;
			uint32_t d = p->stacks[s].depth, cut = 0;
			bool user = false;
			for (uint32_t i = d; i-- > 0;) {
				unsigned char m = locs[i] < p->nlocations ? lm[locs[i]] : 0;
				if (!m) {
					user = true;
					continue;
				}
				if (!user)
					continue;
				cut = m == 1 ? i + 1 : i;
				break;
			}
			/* the locs array lives in the arena: it stays put while
			 * p->stacks grows */
			map[s] = cut ? prof_intern_stack(p, locs + cut, d - cut) : s;
		}
		for (size_t i = 0; i < p->nsamples; i++)
			if (p->samples[i].stack < ns)
				p->samples[i].stack = map[p->samples[i].stack];
		free(map);
	}
	free(lm);
	free(fm);
	sb_release(&sb);
	regfree(&drop);
	if (has_keep)
		regfree(&keep);
}
