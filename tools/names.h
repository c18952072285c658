/*
 * names: how the views name a frame — one home for frame naming.
 *
 * Every stack view (cprof-fold, cprof-flame, cprof-top, cprof-raw, the
 * timeline) prints a frame the same way: its function's name (else its
 * system name, else the location's "module+0xoff" or "0xaddr"), cleaned so
 * that it survives the folded format (the model's escape decoded, ';'
 * becomes ':', a control character or NUL byte a space, a blank name
 * "[unknown]"), with optional ":line", "@0xaddress" and "_[i]" decorations. The views depend on this module, not on each other.
 *
 * It owns four things:
 *  - names_table: a string table that interns each name once and hands out
 *    dense ids (0, 1, 2, ...), so ids instead of strings travel through
 *    trees and sorts;
 *  - the naming functions (frame, thread root frame, module), and
 *    stackcollapse-perf.pl's names for perf script input (the folded
 *    writer's, here so that the perf script reader and the folded writer
 *    do not depend on each other);
 *  - names_cache: builds the text of a frame once per function (per
 *    location for unsymbolized frames) and its module once per mapping, so
 *    that a name is built once and not once per stack (with --lines or
 *    --addrs the text differs per line or address: it is built each time);
 *  - pprof's function names: what go tool pprof does to a profile it reads
 *    (demangling, simplification; drop_frames/keep_frames are prune.h's),
 *    done once to the model right after reading so that every view shows
 *    the same names.
 */
#ifndef CPROF_NAMES_H
#define CPROF_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"

/* ---- the string table ------------------------------------------------------ */
typedef struct names_table names_table;
names_table *names_table_new(void);
void names_table_free(names_table *t);
/* Returns the id of s[0..n) (added when new; ids count from 0 in order of
 * first appearance). s may hold NUL bytes. */
uint32_t names_intern(names_table *t, const char *s, size_t n);
/* The NUL-terminated string of id; "" for an id never handed out. */
const char *names_get(const names_table *t, uint32_t id);
uint32_t names_count(const names_table *t);

/* ---- naming a frame ------------------------------------------------------------ */
/* The decorations of a frame's name (the tools' --lines, --addrs, --inline). */
typedef struct names_opts {
	bool lines;        /* "func:line" (when the line is known) */
	bool addrs;        /* "func@0xaddress" (when the address is known) */
	bool inline_marks; /* FlameGraph's "_[i]" suffix on inlined frames */
} names_opts;

/* Appends the cleaned name of a frame (see above) to sb; o may be NULL. */
void names_frame(const profile *p, const prof_frame *f, const names_opts *o, strbuf *sb);
/* Appends s cleaned the same way (NULL or blank: "[unknown]"). */
void names_clean(strbuf *sb, const char *s);
/* The thread's root frame (--threads): its cleaned name, "[tid N]" when the
 * name is unknown, or "[unknown thread]" when tid < 0 (no thread). */
void names_thread(const profile *p, int32_t tid, strbuf *sb);
/* The module a frame belongs to (flame's "module" palette): the base name of
 * its mapping's file, else the package or namespace prefix of name (the
 * frame's text): up to the last "::", else up to the first '.' after the
 * last '/', else the whole name. */
void names_module(const profile *p, const prof_frame *f, const char *name, strbuf *sb);

/* ---- the cache --------------------------------------------------------------- */
/* Frame names and modules interned in a table the caller owns (and that
 * outlives the cache). The cache keeps p and a copy of *o. */
typedef struct names_cache names_cache;
names_cache *names_cache_new(const profile *p, const names_opts *o, names_table *t);
void names_cache_free(names_cache *c);
/* The id in the table of names_frame(f). */
uint32_t names_cache_name(names_cache *c, const prof_frame *f);
/* The id in the table of names_module(f). */
uint32_t names_cache_module(names_cache *c, const prof_frame *f);

/* ---- stackcollapse-perf.pl's names (perf script input) -------------------------- */
/* The root frame of perf script input, as stackcollapse-perf.pl writes it:
 * the process name, with "-PID", or with "-PID/TID". */
typedef enum names_root { NAMES_ROOT_COMM, NAMES_ROOT_PID, NAMES_ROOT_TID } names_root;

/* The process root frame of input with threads (raw, perf.data), as
 * stackcollapse-perf.pl's --pid/--tid write it for perf script text: the
 * process's name (its main thread's, cleaned, blanks as '_'; "[unknown]"),
 * "-PID" ("-?" when tid < 0: no thread), and "/TID" for NAMES_ROOT_TID.
 * Nothing for NAMES_ROOT_COMM. */
void names_process(const profile *p, int32_t tid, names_root root, strbuf *sb);

typedef struct names_perf_opts {
	names_root root;
	bool addrs;        /* "[dso <addr>]" for unknown symbols */
	bool kernel_marks; /* "_[k]" on kernel frames */
	bool jit_marks;    /* "_[j]" on frames of /tmp/perf-PID.map */
} names_perf_opts;

/* Appends the folded line text (without the count) of a stack of perf
 * script input (perfscript.h: labels "comm" and "pid") as
 * stackcollapse-perf.pl writes it: the process name first (with -PID or
 * -PID/TID per o->root; the thread's name without a "comm" label), then the
 * frames, names tidied as it tidies them, "[dso]" for unknown symbols
 * ("[dso <addr>]" with o->addrs), "_[i]" on inlined frames, and
 * "_[k]"/"_[j]" on kernel and JIT (perf-PID.map) frames per o->kernel_marks,
 * o->jit_marks; control bytes become spaces (the line must read back as
 * folded text). frames and falloc are the caller's scratch buffer. */
void names_perf_folded(const profile *p, uint32_t stack, uint32_t labelset, int32_t tid,
		       const names_perf_opts *o, strbuf *sb, prof_frame **frames, size_t *falloc);

/* ---- pprof's function names --------------------------------------------------- */
/* How much of a C++ name to keep (pprof's -symbolize=demangle=...):
 * SHORT drops parameter lists and template arguments (pprof's default:
 * "std::vector::push_back"), TEMPLATES only the parameter lists, FULL keeps
 * both (but no clone suffix such as ".cold"). */
typedef enum names_mode { NAMES_SHORT, NAMES_TEMPLATES, NAMES_FULL } names_mode;

/* "short", "templates", "full" -> the mode; -1 when s is none of them. */
int names_mode_parse(const char *s);

/* Appends the demangled form of a C++ (Itanium "_Z...") or Rust ("_R...",
 * or legacy "_ZN...17h<hash>E") symbol to out, as go tool pprof shows it in
 * mode m, and returns true; returns false (out untouched) when sym is not a
 * mangled name it can read. */
bool names_demangle(const char *sym, names_mode m, strbuf *out);

/* pprof's renaming of every function of p: a function whose name is empty
 * or equal to its system name (or any function with a system name, when
 * force: pprof's -symbolize=force) gets the system name demangled (above); a
 * system name that does not demangle but looks like demangled C++ (has
 * "::", '<', '>', '[' or ']', and neither ".<" as Java's nor "])." as Go's
 * names) loses its parenthesized lists (and, in SHORT, its <...> ones):
 * "<Vec<T> as Drop>::drop" becomes "::drop". Other names stay. */
void names_simplify(profile *p, names_mode m, bool force);

#endif
