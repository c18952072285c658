/* Unit tests of dot: pprof's ShortenFunctionName (the labels of the graph's
 * boxes), and the DOT text of a small graph (nodes, edges, legend). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "folded.h"

static void short_is(const char *name, const char *want)
{
	strbuf sb = STRBUF_INIT;
	dot_shorten_name(name, &sb);
	assert_string_equal(sb.len ? sb.buf : "", want);
	sb_release(&sb);
}

static void test_shorten_like_pprof(void **state)
{
	(void)state;
	/* expectations from pprof's graph_test.go cases and its regexes */
	short_is("github.com/blah/blah/vendor/gopkg.in/yaml.v2.(*parser).parse", "yaml.v2.(*parser).parse");
	short_is("github.com/foo/bar/v2.Baz", "bar.Baz");
	short_is("x/v10.y", "x.y");
	short_is("x/v01.z", "v01.z");
	short_is("main", "main");
	short_is("java.util.HashMap.get", "HashMap.get");
	short_is("com.example.Foo$Bar.baz$1", "Foo$Bar.baz$1");
	short_is("Foo.<init>(int)", "Foo.<init>");
	short_is("ns::Class::method", "Class::method");
	short_is("(anonymous namespace)::Foo::bar", "Foo::bar");
	short_is("a::b::_Foo::~bar", "_Foo::~bar");
	short_is("std::vector::push_back", "std::vector::push_back"); /* no capital class */
	short_is("foo(a/b)", "foo(a/b)");
}

static void test_dot_text(void **state)
{
	(void)state;
	profile *p = prof_new();
	static const char text[] = "main;a;b 6\nmain;c 4\n";
	cprof_err err = { { 0 } };
	assert_int_equal(folded_read(p, (const unsigned char *)text, strlen(text), NULL, &err), 0);
	top_opts o = { .value = PROF_NONE, .node_fraction = -1, .edge_fraction = -1 };
	strbuf sb = STRBUF_INIT;
	assert_int_equal(dot_write(p, &o, &sb, &err), 0);
	/* pprof's bytes for this profile (go tool pprof -dot of its conversion) */
	assert_non_null(strstr(sb.buf, "digraph \"unnamed\" {\n"));
	assert_non_null(strstr(sb.buf, "N2 [label=\"b\\n6 (60.00%)\" id=\"node2\" fontsize=24 shape=box "
				       "tooltip=\"b (6)\" color=\"#b21900\" fillcolor=\"#edd8d5\"]\n"));
	assert_non_null(strstr(sb.buf, "N4 -> N2 [label=\" 6\" weight=61 penwidth=4 color=\"#b21900\" "
				       "tooltip=\"a -> b (6)\" labeltooltip=\"a -> b (6)\"]\n"));
	assert_non_null(strstr(sb.buf, "See https://git.io/JfYMW for how to read the graph\\l\"] }\n"));
	o.by = TOP_STACK;
	sb_reset(&sb);
	assert_int_equal(dot_write(p, &o, &sb, &err), -1);
	sb_release(&sb);
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shorten_like_pprof),
		cmocka_unit_test(test_dot_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
