/* Unit tests of prune: pprof's drop_frames/keep_frames as go tool pprof's
 * RemoveUninteresting applies them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "prune.h"

static void warn(void *ctx, const char *msg)
{
	sb_adds(ctx, msg);
}

/* drop_frames: from the frame nearest the root that matches (and is not
 * kept), down to the leaf, goes; frames above the first kept-by-position
 * frame (root side) are never dropped. */
static void test_prune(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type t = { "samples", "count" };
	prof_set_sample_types(p, &t, 1);
	const char *fn[] = { "main", "work", "malloc", "_int_malloc", "operator new(unsigned long)" };
	uint32_t loc[5];
	for (int i = 0; i < 5; i++) {
		prof_line l = { prof_intern_function(p, fn[i], fn[i], "", 0), 0, 0 };
		loc[i] = prof_add_location(p, PROF_NONE, 0x10 * (uint64_t)(i + 1), &l, 1);
	}
	/* one location: _int_malloc inlined into work */
	prof_line inl[2] = { { 3, 0, 0 }, { 1, 0, 0 } };
	uint32_t mixed = prof_add_location(p, PROF_NONE, 0x60, inl, 2);
	int64_t one = 1;
	uint32_t s1[] = { loc[3], loc[2], loc[1], loc[0] };       /* _int_malloc malloc work main */
	uint32_t s2[] = { loc[2], loc[4], loc[1], loc[0] };       /* malloc new work main */
	uint32_t s3[] = { mixed, loc[0] };                        /* [_int_malloc work] main */
	uint32_t s4[] = { loc[1], loc[2] };                       /* work malloc(root) */
	prof_add_sample(p, prof_intern_stack(p, s1, 4), 0, &one, -1, -1, 0);
	prof_add_sample(p, prof_intern_stack(p, s2, 4), 0, &one, -1, -1, 0);
	prof_add_sample(p, prof_intern_stack(p, s3, 2), 0, &one, -1, -1, 0);
	prof_add_sample(p, prof_intern_stack(p, s4, 2), 0, &one, -1, -1, 0);
	strbuf warned = STRBUF_INIT;
	prof_read_opts o = { .warn = warn, .warn_ctx = &warned };
	p->drop_frames = prof_intern(p, "malloc|_int_malloc|operator new");
	p->keep_frames = prof_intern(p, "operator new");
	prof_prune(p, &o);
	assert_string_equal(warned.buf, "");
	const char *want[] = { "work;main", "operator new(unsigned long);work;main", "work;main",
			       "work;malloc" };
	prof_frame *fr = NULL;
	size_t alloc = 0;
	for (int i = 0; i < 4; i++) {
		strbuf sb = STRBUF_INIT;
		uint32_t n = prof_stack_frames(p, p->samples[i].stack, &fr, &alloc);
		for (uint32_t k = 0; k < n; k++) {
			if (k)
				sb_addc(&sb, ';');
			names_frame(p, &fr[k], NULL, &sb);
		}
		assert_string_equal(sb.buf, want[i]);
		sb_release(&sb);
	}
	free(fr);
	/* a pattern POSIX cannot compile: a warning, nothing pruned (go tool
	 * pprof ignores RemoveUninteresting's error) */
	p->drop_frames = prof_intern(p, "(unclosed");
	uint32_t before = p->samples[1].stack;
	prof_prune(p, &o);
	assert_non_null(strstr(warned.buf, "drop_frames"));
	assert_int_equal(p->samples[1].stack, before);
	sb_release(&warned);
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prune),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
