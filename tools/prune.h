/*
 * prune: pprof's drop_frames / keep_frames, applied as `go tool pprof`
 * applies them to every profile it reads (profile.RemoveUninteresting):
 * a location whose function matches ^(drop_frames)$ (and not
 * ^(keep_frames)$), its argument list trimmed, is cut from every stack
 * together with everything on the leaf side of it, scanning from the root
 * and never before the first frame that matches nothing; an inlined
 * location loses only its lines from the match inward. Frames without a
 * function name never match, so an unsymbolized profile is left alone.
 *
 * The patterns are RE2 syntax; they are compiled as POSIX extended regular
 * expressions, which agree on the patterns pprof's writers use (alternation,
 * groups, classes, * + ?, escaped punctuation).
 */
#ifndef CPROF_PRUNE_H
#define CPROF_PRUNE_H

#include "profile.h"
#include "readopts.h"

/* Prunes p's stacks by p->drop_frames and p->keep_frames (nothing when
 * drop_frames is NULL or empty). A pattern that does not compile is a
 * warning through o (may be NULL) and nothing is pruned. */
void prof_prune(profile *p, const prof_read_opts *o);

#endif
