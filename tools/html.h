/*
 * html: the self-contained HTML report (cprof-html). One file: the viewer
 * from web/ (HTML + CSS + JS, embedded into the library at build time) and
 * the profile as JSON, so it opens from disk with no server and no network.
 *
 * The JSON keeps the file compact: strings and frames are interned, stacks
 * are a prefix tree (each node = parent node + frame, so a deep shared
 * prefix is stored once), and samples are column arrays (stack, values,
 * time deltas, thread, labelset, flags; a column that is the same for every
 * sample is written as one number). docs/cprof-html.md describes it field by
 * field. The JSON sits in <script type="application/json"> with every '<'
 * written as \u003c, so no name ("</script>", "<!--") can end the element,
 * and every character beyond ASCII as \uXXXX (&#xX; in the title): the
 * page is all ASCII, which the browser reads as one-byte text, faster.
 */
#ifndef CPROF_HTML_H
#define CPROF_HTML_H

#include <stdbool.h>

#include "profile.h"

typedef struct html_opts {
	const char *title; /* page title; NULL: "cprof report" */
	/* Leave out the source lines of the source view (see html_json). */
	bool no_source;
	/* The samples in the report (the filters' mask, p->nsamples entries),
	 * or NULL: all. */
	const bool *mask;
} html_opts;

/* Appends the profile as the viewer's JSON (unescaped: '<' is plain) to
 * out. Returns 0, or -1 with err for a profile without sample types or
 * with a sample whose stack does not exist. Deterministic for the same profile and the same files on disk: unless
 * o->no_source, the JSON carries, for each source file the profile's lines
 * name that is a readable regular file here with a source file's name (an
 * extension like .c or .go, or an extensionless header under include/), the lines around the lines
 * named (bounded: HTML_SRC_* below), for the viewer's source view. */
int html_json(const profile *p, const html_opts *o, strbuf *out, cprof_err *err);

/* Bounds of the embedded source lines: files, lines around the first and
 * last line named, lines per file, bytes in all. */
#define HTML_SRC_MAX_FILES 256
#define HTML_SRC_CONTEXT 5
#define HTML_SRC_MAX_SPAN 4000
#define HTML_SRC_MAX_BYTES (8u << 20)

/* Appends the whole HTML report to out; fails as html_json. */
int html_write(const profile *p, const html_opts *o, strbuf *out, cprof_err *err);

/* Appends s to out with invalid UTF-8 replaced by U+FFFD, so that the JSON
 * writers (html, speedscope) always emit valid UTF-8. */
void html_utf8_clean(strbuf *out, const char *s);

/* A new cJSON string of s (NULL: "") cleaned by html_utf8_clean. */
struct cJSON;
struct cJSON *html_json_string(const char *s);

#endif
