/* Unit tests of names: the string table, frame names (cleaning, decorations,
 * thread frames, modules) and the cache, which must give what naming each
 * frame afresh gives, also for frames that have a mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

static void test_table_ids_are_dense(void **state)
{
	(void)state;
	names_table *n = names_table_new();
	char buf[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(buf, sizeof(buf), "name%d", i);
		assert_int_equal(names_intern(n, buf, strlen(buf)), (uint32_t)i);
	}
	assert_int_equal(names_intern(n, "name42", 6), 42);
	assert_string_equal(names_get(n, 9999), "name9999");
	assert_int_equal(names_count(n), 10000);
	/* a NUL byte is part of the name; the empty name is a name */
	uint32_t a = names_intern(n, "a\0b", 3), b = names_intern(n, "a", 1);
	assert_int_not_equal(a, b);
	assert_int_equal(names_intern(n, NULL, 0), names_intern(n, "", 0));
	assert_string_equal(names_get(n, 1u << 30), "");
	names_table_free(n);
}

/* A profile with two mapped binaries, an inlined frame, a function without
 * a name and an unsymbolized address. */
static profile *sample_profile(void)
{
	profile *p = prof_new();
	prof_value_type t = { "samples", "count" };
	prof_set_sample_types(p, &t, 1);
	prof_mapping m1 = { 0x400000, 0x500000, 0, "/usr/bin/app", "", false, false, false, false };
	prof_mapping m2 = { 0x7f0000, 0x7f1000, 0x1000, "/lib/libc.so.6", "", false, false, false, false };
	uint32_t mp1 = prof_add_mapping(p, &m1), mp2 = prof_add_mapping(p, &m2);
	uint32_t fmain = prof_intern_function(p, "main", "main", "m.c", 1);
	uint32_t fin = prof_intern_function(p, "ns::helper;x", "", "m.c", 9);
	uint32_t fgo = prof_intern_function(p, "github.com/x/pkg.(*T).Run", "", "", 0);
	uint32_t fnone = prof_intern_function(p, "", "", "", 0);
	prof_line inl[2] = { { fin, 10, 0 }, { fmain, 3, 0 } };
	prof_line lgo = { fgo, 5, 0 }, lnone = { fnone, 0, 0 };
	uint32_t locs[5] = {
		prof_add_location(p, mp2, 0x7f0010, NULL, 0),  /* libc.so.6+0x1010 */
		prof_add_location(p, PROF_NONE, 0x1234, NULL, 0),
		prof_add_location(p, PROF_NONE, 0x10, &lgo, 1),
		prof_add_location(p, mp1, 0x401000, &lnone, 1),
		prof_add_location(p, mp1, 0x402000, inl, 2),
	};
	int64_t one = 1;
	prof_add_sample(p, prof_intern_stack(p, locs, 5), 0, &one, -1, 3, 0);
	prof_add_sample(p, prof_intern_stack(p, locs + 2, 3), 0, &one, -1, -1, 0);
	prof_set_thread_name(p, 3, "work\ter");
	return p;
}

static char *frame_text(const profile *p, const prof_frame *f, const names_opts *o)
{
	strbuf sb = STRBUF_INIT;
	names_frame(p, f, o, &sb);
	return sb_detach(&sb, NULL);
}

static void test_frame_names(void **state)
{
	(void)state;
	profile *p = sample_profile();
	prof_frame *fr = NULL;
	size_t alloc = 0;
	uint32_t n = prof_stack_frames(p, 0, &fr, &alloc);
	assert_int_equal(n, 6);
	const char *want[6] = { "libc.so.6+0x1010", "0x1234", "github.com/x/pkg.(*T).Run",
				"app+0x1000", "ns::helper:x", "main" };
	for (uint32_t i = 0; i < n; i++) {
		char *s = frame_text(p, &fr[i], NULL);
		assert_string_equal(s, want[i]);
		free(s);
	}
	names_opts o = { .lines = true, .addrs = true, .inline_marks = true };
	char *s = frame_text(p, &fr[4], &o);
	assert_string_equal(s, "ns::helper:x:10@0x402000_[i]");
	free(s);
	s = frame_text(p, &fr[5], &o);
	assert_string_equal(s, "main:3@0x402000");
	free(s);
	strbuf sb = STRBUF_INIT;
	names_thread(p, 3, &sb);
	sb_addc(&sb, '|');
	names_thread(p, 4, &sb);
	sb_addc(&sb, '|');
	names_thread(p, -1, &sb);
	sb_addc(&sb, '|');
	names_clean(&sb, " \n");
	assert_string_equal(sb.buf, "work er|[tid 4]|[unknown thread]|[unknown]");
	sb_reset(&sb);
	const char *mods[6] = { "libc.so.6", "0x1234", "github.com/x/pkg", "app", "app", "app" };
	for (uint32_t i = 0; i < n; i++) {
		sb_reset(&sb);
		names_module(p, &fr[i], want[i], &sb);
		assert_string_equal(sb.buf, mods[i]);
	}
	sb_release(&sb);
	free(fr);
	prof_free(p);
}

/* names_clean changes every control byte, DEL, ';' and escape wherever
 * it is in a name of any length (the check for names to leave as they are
 * takes 8 bytes at a time), and a blank name becomes "[unknown]". */
static void test_clean_every_byte_everywhere(void **state)
{
	(void)state;
	const unsigned char special[] = { 0x01, '\t', 0x1f, 0x7f, ';', 0xc0 };
	strbuf sb = STRBUF_INIT;
	char in[40], want[40];
	for (size_t n = 1; n < 20; n++)
		for (size_t at = 0; at < n; at++)
			for (size_t k = 0; k < sizeof(special); k++) {
				memset(in, 'a', n);
				in[n] = '\0';
				memcpy(want, in, n + 1);
				in[at] = (char)special[k];
				/* a lone escape byte (no 0x80/0xc1 after it) is left */
				want[at] = special[k] == ';' ? ':' : special[k] == 0xc0 ? (char)0xc0 : ' ';
				if (n == 1 && want[0] == ' ')
					strcpy(want, "[unknown]");
				sb_reset(&sb);
				names_clean(&sb, in);
				assert_string_equal(sb.buf, want);
			}
	const char *same[] = { "a", "main", "ns::f<int>(char const*)", "\xc3\xa9t\xc3\xa9", "x y", "12345678a" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		sb_reset(&sb);
		names_clean(&sb, same[i]);
		assert_string_equal(sb.buf, same[i]);
	}
	const char *blank[] = { "", " ", "         ", "\t\t", "  \x01  " };
	for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
		sb_reset(&sb);
		names_clean(&sb, blank[i]);
		assert_string_equal(sb.buf, "[unknown]");
	}
	sb_reset(&sb);
	names_clean(&sb, "  lead");
	assert_string_equal(sb.buf, "  lead");
	sb_reset(&sb);
	names_clean(&sb, "a\xc0\x80" "b\xc0\xc1" "c;d");
	assert_string_equal(sb.buf, "a b\xc0" "c:d");
	sb_release(&sb);
}

/* The cache gives every frame the text and module naming it afresh gives,
 * for every combination of decorations, cached (second round) or not. */
static void test_cache_equals_naming(void **state)
{
	(void)state;
	profile *p = sample_profile();
	prof_frame *fr = NULL;
	size_t alloc = 0;
	for (int bits = 0; bits < 8; bits++) {
		names_opts o = { .lines = bits & 1, .addrs = bits & 2, .inline_marks = bits & 4 };
		names_table *t = names_table_new();
		names_cache *c = names_cache_new(p, &o, t);
		for (int round = 0; round < 2; round++) {
			for (uint32_t st = 0; st < p->nstacks; st++) {
				uint32_t n = prof_stack_frames(p, st, &fr, &alloc);
				for (uint32_t i = 0; i < n; i++) {
					char *want = frame_text(p, &fr[i], &o);
					uint32_t id = names_cache_name(c, &fr[i]);
					assert_string_equal(names_get(t, id), want);
					strbuf mb = STRBUF_INIT;
					names_module(p, &fr[i], want, &mb);
					assert_string_equal(names_get(t, names_cache_module(c, &fr[i])), mb.buf);
					sb_release(&mb);
					free(want);
				}
			}
		}
		names_cache_free(c);
		names_table_free(t);
	}
	free(fr);
	prof_free(p);
}

static char *demangled(const char *sym, names_mode m)
{
	strbuf sb = STRBUF_INIT;
	if (!names_demangle(sym, m, &sb)) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

#define DEMANGLES(sym, m, want)                          \
	do {                                             \
		char *d_ = demangled(sym, m);            \
		assert_non_null(d_);                     \
		assert_string_equal(d_, want);           \
		free(d_);                                \
	} while (0)

/* The forms go tool pprof shows (checked against its demangler). */
static void test_demangle_modes(void **state)
{
	(void)state;
	const char *pb = "_ZNSt6vectorIiSaIiEE9push_backERKi";
	DEMANGLES(pb, NAMES_SHORT, "std::vector::push_back");
	DEMANGLES(pb, NAMES_TEMPLATES, "std::vector<int, std::allocator<int> >::push_back");
	DEMANGLES(pb, NAMES_FULL, "std::vector<int, std::allocator<int> >::push_back(int const&)");
	/* an operator's '<' is not a template list; a clone suffix goes */
	DEMANGLES("_ZN3app3BoxIiElsEi", NAMES_SHORT, "app::Box::operator<<");
	DEMANGLES("_ZltIiEbRK3FooIT_ES4_", NAMES_SHORT, "operator<");
	DEMANGLES("_Z3foov.cold", NAMES_FULL, "foo()");
	DEMANGLES("_Z3foov.cold", NAMES_SHORT, "foo");
	/* Rust: legacy (hash dropped, escapes read) and v0 */
	DEMANGLES("_ZN23_$LT$a$u20$as$u20$b$GT$5trace17h0123456789abcdefE", NAMES_SHORT,
		  "<a as b>::trace");
	DEMANGLES("_ZN3foo3bar17h0123456789abcdefE.llvm.7", NAMES_SHORT, "foo::bar");
	DEMANGLES("_RNvCs1234_7mycrate3foo", NAMES_SHORT, "mycrate::foo");
	/* not mangled, or broken */
	assert_null(demangled("main", NAMES_SHORT));
	assert_null(demangled("_Zx", NAMES_SHORT));
	assert_null(demangled(NULL, NAMES_SHORT));
	assert_int_equal(names_mode_parse("templates"), NAMES_TEMPLATES);
	assert_int_equal(names_mode_parse("medium"), -1);
}

/* pprof's rule: only a function whose name is empty or its system name is
 * renamed; text that looks like demangled C++ is simplified. */
static void test_simplify(void **state)
{
	(void)state;
	static const char *const in[][2] = {
		{ "<pprof::Trace as pprof::Backtrace>::trace", "<pprof::Trace as pprof::Backtrace>::trace" },
		{ "", "_ZNSt6vectorIiSaIiEE9push_backERKi" },
		{ "std::vector<int>::push_back(int const&)", "_ZNSt6vectorIiSaIiEE9push_backERKi" },
		{ "com.example.Foo.<init>", "com.example.Foo.<init>" },
		{ "pkg.(*Tree[go.shape.int]).Insert", "pkg.(*Tree[go.shape.int]).Insert" },
		{ "Interp::run(Frame*)", "Interp::run(Frame*)" },
		{ "", "" },
		{ "a)b(c)::d", "a)b(c)::d" },
		/* pprof's removeMatching: a group removed before the unmatched
		 * ')' stays removed; an unclosed '(' keeps its group */
		{ "f(x)::g)::h(y)", "f(x)::g)::h(y)" },
		{ "f(x)::g(y(z)::h", "f(x)::g(y(z)::h" },
		/* nested groups, an unclosed '<' after them; a '>' without
		 * its '<' once the parentheses are gone */
		{ "a<b<c>d>e<f", "a<b<c>d>e<f" },
		{ "x<y>>z(q(r)s)t", "x<y>>z(q(r)s)t" },
		/* groups longer than 16 bytes, closed and not */
		{ "ns::Handler<std::vector<std::pair<int, long>>, std::allocator<std::vector<int>>>::"
		  "run(std::vector<int>&) const",
		  "ns::Handler<std::vector<std::pair<int, long>>, std::allocator<std::vector<int>>>::"
		  "run(std::vector<int>&) const" },
		{ "a::b<cccccccccccccccccccccccc<dddddddddddddddddd>eeeeeeeeeeee",
		  "a::b<cccccccccccccccccccccccc<dddddddddddddddddd>eeeeeeeeeeee" },
	};
	static const char *const want[][3] = { /* short, templates, full */
		{ "::trace", "<pprof::Trace as pprof::Backtrace>::trace",
		  "<pprof::Trace as pprof::Backtrace>::trace" },
		{ "std::vector::push_back", "std::vector<int, std::allocator<int> >::push_back",
		  "std::vector<int, std::allocator<int> >::push_back(int const&)" },
		{ "std::vector<int>::push_back(int const&)", "std::vector<int>::push_back(int const&)",
		  "std::vector<int>::push_back(int const&)" },
		{ "com.example.Foo.<init>", "com.example.Foo.<init>", "com.example.Foo.<init>" },
		{ "pkg.(*Tree[go.shape.int]).Insert", "pkg.(*Tree[go.shape.int]).Insert",
		  "pkg.(*Tree[go.shape.int]).Insert" },
		{ "Interp::run", "Interp::run", "Interp::run(Frame*)" },
		{ "", "", "" },
		{ "a)b(c)::d", "a)b(c)::d", "a)b(c)::d" }, /* unmatched ')': left alone */
		{ "f::g)::h(y)", "f::g)::h(y)", "f(x)::g)::h(y)" },
		{ "f::g(y(z)::h", "f::g(y(z)::h", "f(x)::g(y(z)::h" },
		{ "ae<f", "a<b<c>d>e<f", "a<b<c>d>e<f" },
		{ "x>zt", "x<y>>zt", "x<y>>z(q(r)s)t" },
		{ "ns::Handler::run const",
		  "ns::Handler<std::vector<std::pair<int, long>>, std::allocator<std::vector<int>>>::run const",
		  "ns::Handler<std::vector<std::pair<int, long>>, std::allocator<std::vector<int>>>::"
		  "run(std::vector<int>&) const" },
		{ "a::b<cccccccccccccccccccccccc<dddddddddddddddddd>eeeeeeeeeeee",
		  "a::b<cccccccccccccccccccccccc<dddddddddddddddddd>eeeeeeeeeeee",
		  "a::b<cccccccccccccccccccccccc<dddddddddddddddddd>eeeeeeeeeeee" },
	};
	for (int m = 0; m < 3; m++) {
		profile *q = prof_new();
		for (size_t i = 0; i < ARRAY_SIZE(in); i++)
			prof_intern_function(q, in[i][0], in[i][1], "", 0);
		names_simplify(q, (names_mode)m, false);
		for (size_t i = 0; i < ARRAY_SIZE(in); i++)
			assert_string_equal(q->functions[i].name, want[i][m]);
		/* the function index follows the new names */
		assert_int_equal(prof_intern_function(q, want[0][m], in[0][1], "", 0), 0);
		prof_free(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_ids_are_dense),
		cmocka_unit_test(test_frame_names),
		cmocka_unit_test(test_clean_every_byte_everywhere),
		cmocka_unit_test(test_cache_equals_naming),
		cmocka_unit_test(test_demangle_modes),
		cmocka_unit_test(test_simplify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
