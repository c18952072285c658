/* Fuzz target: the flame-graph SVG writer, fed by the readers (any input
 * format). The SVG of whatever a reader accepts must be valid UTF-8 with
 * every name escaped (markup.h); the graph's root must hold the total. */
#include "flame.h"
#include "fuzz.h"
#include "markup.h"

#define SVG_TAGS " xml svg g rect text title script style defs desc DOCTYPE line path polygon a tspan use symbol linearGradient radialGradient stop clipPath "

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prof_read_opts o = fuzz_read_opts();
	profile *p = NULL;
	cprof_err err;
	if (prof_read_mem(data, size, &o, &p, &err) != 0)
		return 0;
	fuzz_check_model(p);
	for (int variant = 0; variant < 2 && p->nvalues > 0; variant++) {
		flame_tree *t = flame_tree_new(variant == 1 && p->has_timestamps);
		flame_build_opts bo = FLAME_BUILD_OPTS_INIT;
		bo.threads = variant == 1;
		bo.reverse = variant == 1;
		bo.names.lines = variant == 1;
		bo.names.inline_marks = true;
		FUZZ_ASSERT(flame_tree_add_profile(t, p, &bo, &err) == 0);
		flame_tree_finish(t);
		flame_svg_opts so = FLAME_SVG_OPTS_INIT;
		so.palette = variant ? FLAME_MODULE : FLAME_HOT;
		so.inverted = variant == 1;
		so.title = variant ? "t<i>t&le\"" : NULL;
		so.unit = "count";
		so.countname = "samples";
		strbuf svg = STRBUF_INIT;
		if (flame_svg_write(t, &so, &svg, &err) == 0) {
			FUZZ_ASSERT(svg.len > 0 && svg.len == strlen(svg.buf));
			FUZZ_ASSERT(mk_utf8_ok((const unsigned char *)svg.buf, svg.len));
			const char *why = mk_check(svg.buf, svg.len, SVG_TAGS);
			if (why) {
				fprintf(stderr, "fuzz: SVG not well formed: %s\n", why);
				abort();
			}
		} else {
			FUZZ_ASSERT(err.msg[0] != '\0');
		}
		sb_release(&svg);
		flame_tree_free(t);
	}
	prof_free(p);
	return 0;
}
