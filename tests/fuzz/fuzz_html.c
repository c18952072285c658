/* Fuzz target: the HTML report writer, fed by the readers (any input
 * format). The report must be all ASCII; its embedded JSON must parse
 * (cJSON) to html_json's and hold no '<'; no name may open or close an
 * element. */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "html.h"
#include "markup.h"

static cJSON *check_json(const char *s, size_t n)
{
	FUZZ_ASSERT(mk_utf8_ok((const unsigned char *)s, n));
	cJSON *j = cJSON_ParseWithLength(s, n);
	if (!j) {
		fprintf(stderr, "fuzz: JSON does not parse near: %.60s\n", cJSON_GetErrorPtr());
		abort();
	}
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prof_read_opts o = fuzz_read_opts();
	profile *p = NULL;
	cprof_err err;
	if (prof_read_mem(data, size, &o, &p, &err) != 0)
		return 0;
	fuzz_check_model(p);
	html_opts ho = { "t<i>t&le\"</title>" };
	strbuf json = STRBUF_INIT, page = STRBUF_INIT;
	cJSON *direct = html_json(p, &ho, &json, &err) == 0 ? check_json(json.buf, json.len) : NULL;
	if (html_write(p, &ho, &page, &err) == 0) {
		for (size_t i = 0; i < page.len; i++)
			FUZZ_ASSERT((unsigned char)page.buf[i] < 0x80);
		/* the data element: its body is the JSON with every '<' escaped */
		const char *tag = strstr(page.buf, "type=\"application/json\"");
		FUZZ_ASSERT(tag != NULL);
		const char *body = strchr(tag, '>');
		FUZZ_ASSERT(body != NULL);
		body++;
		const char *close = strstr(body, "</script>");
		FUZZ_ASSERT(close != NULL);
		FUZZ_ASSERT(memchr(body, '<', (size_t)(close - body)) == NULL);
		cJSON *in_page = check_json(body, (size_t)(close - body));
		FUZZ_ASSERT(direct && cJSON_Compare(in_page, direct, true));
		cJSON_Delete(in_page);
		/* the page's own markup is untouched by names: the <title> */
		const char *t1 = strstr(page.buf, "<title>");
		if (t1) {
			const char *t2 = strstr(t1, "</title>");
			FUZZ_ASSERT(t2 != NULL);
			FUZZ_ASSERT(memchr(t1 + 7, '<', (size_t)(t2 - t1 - 7)) == NULL);
		}
	}
	cJSON_Delete(direct);
	sb_release(&json);
	sb_release(&page);
	prof_free(p);
	return 0;
}
