/*
 * symcache: what the symbolizer learnt about one ELF file, in memory and in
 * a persistent cache file keyed by the file's build-id, so that the second
 * tool run on a recording does not read DWARF again.
 *
 * In memory: a table of functions (demangled name, symbol-table name,
 * source file, start line), of frames (function, line, column) and of
 * entries, one per looked-up address (the ELF's own virtual address), each
 * a run of frames, leaf (innermost inlined) first; an entry with no frames
 * says "nothing knows this address".
 *
 * On disk: $XDG_CACHE_HOME/cprof/sym/<build-id> (or ~/.cache/...), one file
 * per build-id, written whole to a temporary file in the same directory and
 * renamed over the old one, so a reader sees either the old or the new file
 * and concurrent writers never mix (the last rename wins; what the other
 * learnt is simply looked up again next time). The file starts with a
 * magic, a format version, the payload length and a checksum; the payload
 * repeats the build-id and a fingerprint of what the symbols came from
 * (sizes and times of the ELF file and of its debug file, the extra debug
 * directory): a file for another fingerprint, of another version, cut
 * short, failing its checksum or with any count, length or index that does
 * not fit is ignored (the addresses are looked up again and the file
 * rewritten), never trusted. Layout in docs/model.md ("Symbol cache").
 */
#ifndef CPROF_SYMCACHE_H
#define CPROF_SYMCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The file format's version (in the header; another is a cache miss).
 * 2: Go binaries without symbols are named from .gopclntab (a version 1
 * file holds those addresses as unresolved) */
#define SYMC_VERSION 2u

typedef struct symc_fn {
	char *name, *sys, *file; /* malloc'd, never NULL */
	int64_t line;
} symc_fn;

typedef struct symc_frame {
	uint32_t fn; /* index into fns */
	int64_t line, col;
} symc_frame;

typedef struct symc_entry {
	uint64_t addr;
	uint32_t first, n; /* frames[first .. first+n) */
} symc_entry;

typedef struct symc_data {
	symc_fn *fns;
	size_t nfns, fns_alloc;
	symc_frame *frames;
	size_t nframes, frames_alloc;
	symc_entry *entries;
	size_t nentries, entries_alloc;
	hidx addrs; /* addr -> index into entries */
	hidx fnix;  /* function content -> index into fns: equal ones stored once */
} symc_data;

void symc_free(symc_data *d);

/* Adds a function, or finds the equal one; returns its index. NULL
 * strings are stored as "". */
uint32_t symc_add_fn(symc_data *d, const char *name, const char *sys, const char *file,
		     int64_t line);
/* Adds the entry for addr with n frames (copied); addr must not be there. */
void symc_add(symc_data *d, uint64_t addr, const symc_frame *frames, uint32_t n);
/* The entry for addr, or NULL. */
const symc_entry *symc_get(const symc_data *d, uint64_t addr);

/* The serialized form (see above) into out. */
void symc_serialize(const symc_data *d, const char *build_id, const char *fingerprint,
		    strbuf *out);
/* Parses a serialized cache into the EMPTY d. Returns 0, or -1 with err
 * saying what does not fit (d is then empty again). */
int symc_parse(const unsigned char *buf, size_t len, const char *build_id,
	       const char *fingerprint, symc_data *d, cprof_err *err);

/* The checksum the header carries over the payload (bytes 32..). */
uint64_t symc_checksum(const unsigned char *payload, size_t n);

/* The cache directory ($XDG_CACHE_HOME/cprof/sym, else $HOME/.cache/cprof/
 * sym) as a malloc'd string, or NULL when neither variable is set. */
char *symc_dir(void);
/* Loads dir/<build_id> into the EMPTY d: 1 loaded, 0 no usable file. */
int symc_load(const char *dir, const char *build_id, const char *fingerprint, symc_data *d);
/* Writes d as dir/<build_id> atomically (creating dir). Returns 0, or -1
 * with err. */
int symc_store(const char *dir, const char *build_id, const char *fingerprint,
	       const symc_data *d, cprof_err *err);

#endif
