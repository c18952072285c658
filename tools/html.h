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
 * written as \u003c, so no name ("</script>", "<!--") can end the element.
 */
#ifndef CPROF_HTML_H
#define CPROF_HTML_H

#include "profile.h"

typedef struct html_opts {
	const char *title; /* page title; NULL: "cprof report" */
} html_opts;

/* Appends the profile as the viewer's JSON (unescaped: '<' is plain) to
 * out. Deterministic: the same profile gives the same bytes. */
int html_json(const profile *p, const html_opts *o, strbuf *out, cprof_err *err);

/* Appends the whole HTML report to out. */
int html_write(const profile *p, const html_opts *o, strbuf *out, cprof_err *err);

/* Appends s to out with invalid UTF-8 replaced by U+FFFD, so that the JSON
 * writers (html, speedscope) always emit valid UTF-8. */
void html_utf8_clean(strbuf *out, const char *s);

/* A new cJSON string of s (NULL: "") cleaned by html_utf8_clean. */
struct cJSON;
struct cJSON *html_json_string(const char *s);

#endif
