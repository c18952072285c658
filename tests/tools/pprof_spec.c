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
 *   func  NAME  SYSTEM_NAME     a function (numbered from 1)
 *   loc   MAP  ADDR  F...       a location: mapping (0: none), address
 *                               (hex), its functions leaf first (numbered
 *                               from 1)
 *   sample V... : L...          values, then locations leaf first
 *   drop  RE / keep RE          drop_frames / keep_frames
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
			types[ntypes].type = prof_intern(p, f[1]);
			types[ntypes++].unit = prof_intern(p, f[2]);
			continue;
		}
		if (!started) {
			prof_set_sample_types(p, types, ntypes);
			started = true;
		}
		if (!strcmp(f[0], "default") && n == 2) {
			deflt = prof_intern(p, f[1]);
		} else if (!strcmp(f[0], "map") && n == 2) {
			uint64_t base = 0x400000 + (uint64_t)p->nmappings * 0x1000000;
			prof_mapping m = { base, base + 0x1000000, 0, f[1], "", false, false, false, false };
			prof_add_mapping(p, &m);
		} else if (!strcmp(f[0], "func") && n == 3) {
			uint32_t want = p->nfunctions;
			if (prof_intern_function(p, f[1], f[2], "", 0) != want)
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
			for (i++; i < n; i++) {
				long l = strtol(f[i], NULL, 10);
				if (l < 1 || l > (long)p->nlocations)
					die(ln, "no such location");
				locs[nl++] = (uint32_t)l - 1;
			}
			prof_add_sample(p, prof_intern_stack(p, locs, (uint32_t)nl), 0, vals, -1, -1, 0);
		} else if (!strcmp(f[0], "drop") && n == 2) {
			p->drop_frames = prof_intern(p, f[1]);
		} else if (!strcmp(f[0], "keep") && n == 2) {
			p->keep_frames = prof_intern(p, f[1]);
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
