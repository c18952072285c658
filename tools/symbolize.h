/*
 * symbolize: offline symbolization of a profile's addresses with elfutils
 * libdwfl.
 *
 * For every mapping that has unsymbolized locations, the mapping's file is
 * opened once per session (sym_session: one per tool run, shared by all its
 * inputs), its GNU build-id compared with the one the recorder saw, and
 * each distinct address of the file resolved once per session: function (demangled name and the
 * symbol-table name), source file and line, and the chain of inlined frames
 * as several prof_line entries, innermost (leaf) first, the real function
 * last, as pprof stores them. Debug information is found next to the file,
 * through .gnu_debuglink, under /usr/lib/debug (also by build-id), and under
 * opts->debug_dir. Without DWARF the ELF symbol table still gives the
 * function, and without either a Go binary's .gopclntab (gopclntab.h) the
 * function, file and line. Addresses nothing knows about stay unsymbolized
 * (module+0xoff).
 *
 * A missing file, a build-id mismatch or an unreadable ELF is one warning
 * per file through opts->warn; those frames stay module+0xoffset. The vdso
 * (no file on disk) is symbolized from this process's own vdso when its
 * build-id matches the recorded one, and otherwise stays [vdso]+0xoff.
 *
 * What a session resolves is kept across runs in a cache file per build-id
 * (symcache.h: $XDG_CACHE_HOME/cprof/sym, written when the session ends),
 * unless the session was made without the cache (--no-cache).
 */
#ifndef CPROF_SYMBOLIZE_H
#define CPROF_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "readopts.h"

typedef struct sym_stats {
	uint64_t lookups;    /* addresses resolved through libdw (one per distinct address) */
	uint64_t cached;     /* locations answered by the session or the cache file */
	uint64_t resolved;   /* of those, the ones that got a function */
	uint64_t files;      /* files opened */
	uint64_t unresolved; /* locations left unsymbolized (no file, mismatch, ...) */
} sym_stats;

/* A symbolization session: the opened files, their DWARF indexes and every
 * address resolved so far. debug_dir: an extra debug-info directory (or
 * NULL); cache: use the persistent cache (read at open, written by
 * sym_session_free). */
typedef struct sym_session sym_session;
sym_session *sym_session_new(const char *debug_dir, bool cache);
/* Writes what was learnt to the cache file(s) and frees s (NULL is fine). */
void sym_session_free(sym_session *s);

/* Symbolizes every location of p that has no lines and a mapping.
 * is_call[i] (nlocations entries, or NULL for all false) says location i
 * is a return address, looked up at address-1. Sets the mappings'
 * has_functions / has_filenames / has_line_numbers / has_inline_frames to
 * what was found. The session is opts->sym; without one a session lives for
 * this call only (opts->debug_dir, the cache unless opts->no_cache). stats
 * (this call's counts) may be NULL. Never fails: a file that cannot be
 * used is a warning (through opts->warn), and its addresses stay
 * module+0xoffset. */
void sym_symbolize(profile *p, const bool *is_call, const prof_read_opts *opts, sym_stats *stats);

/* Demangles a C++ (Itanium ABI) symbol name; returns a malloc'd string, or
 * NULL when name is not mangled or no demangler is available. */
char *sym_demangle(const char *name);

#endif
