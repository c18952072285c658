/*
 * markup.h: cheap well-formedness checks of the SVG and HTML writers'
 * output, fast enough to run on every fuzz input. They catch what an
 * unescaped name would do: a '<' that opens an unknown element, a '&' that
 * starts no entity, bytes that are not UTF-8. (The end-to-end tests run
 * xmllint and a real browser on top.)
 */
#ifndef CPROF_FUZZ_MARKUP_H
#define CPROF_FUZZ_MARKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* True when s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static inline bool mk_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else
			return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static inline const char *mk_find(const char *s, const char *end, const char *needle)
{
	size_t nl = strlen(needle);
	for (; s + nl <= end; s++)
		if (memcmp(s, needle, nl) == 0)
			return s;
	return NULL;
}

/* Checks markup: every '<' opens a comment, CDATA, a declaration, or an
 * element from `tags` (space-separated, e.g. " svg g rect "), whose name
 * ends at a space, '/' or '>'; script and style bodies are skipped; every
 * '&' outside them starts an entity. Returns NULL or what is wrong. */
static inline const char *mk_check(const char *s, size_t n, const char *tags)
{
	const char *p = s, *end = s + n;
	while (p < end) {
		if (*p == '&') {
			const char *q = p + 1;
			if (q < end && *q == '#') {
				q++;
				if (q < end && (*q == 'x' || *q == 'X'))
					q++;
				const char *d = q;
				while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
						   (*q >= 'A' && *q <= 'F')))
					q++;
				if (q == d)
					return "'&#' without digits";
			} else {
				const char *d = q;
				while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
					q++;
				if (q == d)
					return "a bare '&'";
			}
			if (q >= end || *q != ';')
				return "an entity without ';'";
			p = q + 1;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		const char *skip_to = NULL;
		if (mk_find(p, p + 4 < end ? p + 4 : end, "<!--"))
			skip_to = "-->";
		else if (mk_find(p, p + 9 < end ? p + 9 : end, "<![CDATA["))
			skip_to = "]]>";
		if (skip_to) {
			const char *q = mk_find(p, end, skip_to);
			if (!q)
				return "an unterminated comment or CDATA section";
			p = q + strlen(skip_to);
			continue;
		}
		const char *q = p + 1;
		if (q < end && (*q == '/' || *q == '?' || *q == '!'))
			q++;
		const char *name = q;
		while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
				   (*q >= '0' && *q <= '9') || *q == ':' || *q == '-'))
			q++;
		if (q == name)
			return "a '<' that opens no element";
		if (q < end && *q != ' ' && *q != '>' && *q != '/' && *q != '\n' && *q != '\t')
			return "an element name with a strange character";
		char buf[40];
		size_t len = (size_t)(q - name);
		if (len > sizeof(buf) - 3)
			return "an unknown element";
		buf[0] = ' ';
		memcpy(buf + 1, name, len);
		buf[len + 1] = ' ';
		buf[len + 2] = 0;
		if (!strstr(tags, buf))
			return "an unknown element";
		if (p[1] != '/' && (strcmp(buf, " script ") == 0 || strcmp(buf, " style ") == 0)) {
			/* find the end of the start tag, then the matching close */
			const char *gt = memchr(q, '>', (size_t)(end - q));
			if (!gt)
				return "an unterminated start tag";
			if (gt[-1] == '/') {
				p = gt + 1;
				continue;
			}
			const char *close = mk_find(gt, end, buf[2] == 'c' ? "</script" : "</style");
			if (!close)
				return "an unterminated script or style";
			p = close + 2;
			continue;
		}
		p = q;
	}
	return NULL;
}

#endif
