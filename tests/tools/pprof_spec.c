/*
 * pprof-spec: writes a gzipped pprof profile described by a small text spec
 * (stdin) to stdout, so that tests can build profiles with exactly the
 * names, sample types and values a producer could send (a function whose
 * name equals its system name, an empty name, drop_frames...) and show
 * them to go tool pprof and to cprof. One directive per line, fields
 * separated by tabs; '#' starts a comment line:
 *
 *   type  TYPE  UNIT            a sample type (in order; TYPE may be empty)
 *   default TYPE                default_sample_type
 *   map   FILE                  a mapping (numbered from 1)
 *   func  NAME  SYSTEM_NAME [FILE]  a function (numbered from 1)
 *   loc   MAP  ADDR  F...       a location: mapping (0: none), address
 *                               (hex), its functions leaf first (numbered
 *                               from 1)
 *   sample V... : L... [| LABEL...]  values, then locations leaf first,
 *                               then labels in order: KEY=VALUE (string),
 *                               KEY#NUM or KEY#NUM#UNIT (numeric)
 *   drop  RE / keep RE          drop_frames / keep_frames
 *
 * In every field \0 is a NUL byte, \xHH the byte HH, \t a tab and \\ a
 * backslash, so that names may hold any byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprof.h"
#include "profile.h"

#define MAXF 64

static void die(int line, const char *what)
{
	fprintf(stderr, "pprof-spec: line %d: %s\n", line, what);
	exit(2);
}

/* Decodes the field's escapes in place; returns its length. */
static size_t unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r != '\\' || !r[1]) {
			*w++ = *r;
			continue;
		}
		r++;
		if (*r == '0') {
			*w++ = '\0';
		} else if (*r == 't') {
			*w++ = '\t';
		} else if (*r == 'x' && r[1] && r[2]) {
			char hex[3] = { r[1], r[2], 0 };
			*w++ = (char)strtoul(hex, NULL, 16);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	return (size_t)(w - s);
}

/* The model's string for field s (escapes decoded, NUL bytes kept). */
static const char *field(profile *p, char *s)
{
	size_t n = unescape(s);
	return prof_intern_n(p, s, n);
}

/* Splits s at tabs (in place) into at most max fields. */
static int split(char *s, char **f, int max)
{
	int n = 0;
	for (char *t = s; n < max;) {
		f[n++] = t;
		t = strchr(t, '\t');
		if (!t)
			break;
		*t++ = '\0';
	}
	return n;
}

int main(void)
{
	profile *p = prof_new();
	prof_value_type types[16];
	uint32_t ntypes = 0;
	const char *deflt = NULL;
	char line[4096];
	int ln = 0;
	bool started = false;
	while (fgets(line, sizeof(line), stdin)) {
		ln++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		char *f[MAXF];
		int n = split(line, f, MAXF);
		if (!strcmp(f[0], "type") && n == 3 && ntypes < 16 && !started) {
			types[ntypes].type = field(p, f[1]);
			types[ntypes++].unit = field(p, f[2]);
			continue;
		}
		if (!started) {
			prof_set_sample_types(p, types, ntypes);
			started = true;
		}
		if (!strcmp(f[0], "default") && n == 2) {
			deflt = field(p, f[1]);
		} else if (!strcmp(f[0], "map") && n == 2) {
			uint64_t base = 0x400000 + (uint64_t)p->nmappings * 0x1000000;
			prof_mapping m = { base, base + 0x1000000, 0, field(p, f[1]), "",
					   false, false, false, false };
			prof_add_mapping(p, &m);
		} else if (!strcmp(f[0], "func") && (n == 3 || n == 4)) {
			uint32_t want = p->nfunctions;
			if (prof_intern_function(p, field(p, f[1]), field(p, f[2]),
						 n == 4 ? field(p, f[3]) : "", 0) != want)
				die(ln, "the same function twice");
		} else if (!strcmp(f[0], "loc") && n >= 3) {
			prof_line lines[MAXF];
			for (int i = 3; i < n; i++) {
				long fn = strtol(f[i], NULL, 10);
				if (fn < 1 || fn > (long)p->nfunctions)
					die(ln, "no such function");
				lines[i - 3] = (prof_line){ (uint32_t)fn - 1, 0, 0 };
			}
			long m = strtol(f[1], NULL, 10);
			if (m < 0 || m > (long)p->nmappings)
				die(ln, "no such mapping");
			uint64_t addr = strtoull(f[2], NULL, 16);
			if (m)
				addr += p->mappings[m - 1].start;
			prof_add_location(p, m ? (uint32_t)m - 1 : PROF_NONE, addr, lines, (uint32_t)n - 3);
		} else if (!strcmp(f[0], "sample") && n >= 2) {
			int64_t vals[16];
			uint32_t locs[MAXF];
			int i = 1, nv = 0, nl = 0;
			for (; i < n && strcmp(f[i], ":"); i++)
				vals[nv++] = strtoll(f[i], NULL, 10);
			if (nv != (int)ntypes || i == n)
				die(ln, "a sample needs one value per type, then ':'");
			for (i++; i < n && strcmp(f[i], "|"); i++) {
				long l = strtol(f[i], NULL, 10);
				if (l < 1 || l > (long)p->nlocations)
					die(ln, "no such location");
				locs[nl++] = (uint32_t)l - 1;
			}
			prof_label labels[MAXF];
			uint32_t nlab = 0;
			for (i++; i < n; i++) {
				char *eq = strchr(f[i], '='), *hash = strchr(f[i], '#');
				prof_label *l = &labels[nlab++];
				*l = (prof_label){ 0 };
				if (eq) {
					*eq = '\0';
					l->str = field(p, eq + 1);
				} else if (hash) {
					*hash = '\0';
					char *unit = strchr(hash + 1, '#');
					if (unit)
						*unit++ = '\0';
					l->num = strtoll(hash + 1, NULL, 10);
					l->unit = unit ? field(p, unit) : NULL;
				} else {
					die(ln, "a label is KEY=VALUE or KEY#NUM[#UNIT]");
				}
				l->key = field(p, f[i]);
			}
			prof_add_sample(p, prof_intern_stack(p, locs, (uint32_t)nl),
					prof_intern_labelset(p, labels, nlab), vals, -1, -1, 0);
		} else if (!strcmp(f[0], "drop") && n == 2) {
			p->drop_frames = field(p, f[1]);
		} else if (!strcmp(f[0], "keep") && n == 2) {
			p->keep_frames = field(p, f[1]);
		} else {
			die(ln, "unknown directive or wrong field count");
		}
	}
	if (!started)
		prof_set_sample_types(p, types, ntypes);
	for (uint32_t i = 0; deflt && i < ntypes; i++)
		if (!strcmp(types[i].type, deflt))
			p->default_type = i;
	strbuf out = STRBUF_INIT;
	cprof_err err = { { 0 } };
	if (pprof_write(p, NULL, &out, &err) < 0)
		die(ln, err.msg);
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	prof_free(p);
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
