/* Unit tests of cli's option table: each kind of entry, the shared groups,
 * the usage errors (exit 2), the operands, and the --help layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct vals {
	bool flag;
	const char *str;
	int num;
	uint32_t u32;
	uint64_t u64;
	double frac;
	int calls;
	cli_args a;
	names_opts names;
} vals;

static int count_cb(void *v, const char *arg)
{
	vals *x = v;
	if (arg && !strcmp(arg, "no"))
		return -1;
	x->calls++;
	return 0;
}

static const cli_usage usage = {
	.name = "test-cli",
	.synopsis = "test-cli [options] FILE...",
	.about = "About the tool.\n",
	.footer = "Example:\n  test-cli x\n",
	.no_operand = CLI_NO_INPUT,
};

/* Parses the NULL-terminated words (argv[0] added) into *x: the result
 * of cli_parse_args, *first the first operand. */
static int parse_with(vals *x, const cli_usage *u, int *first, ...)
{
	char *argv[32] = { (char *)"test-cli" };
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (char *w; (w = va_arg(ap, char *)) && argc < 31;)
		argv[argc++] = w;
	va_end(ap);
	const cli_option opts[] = {
		CLI_OPT_BOOL('f', "flag", &x->flag, "a flag"),
		CLI_OPT_STRING('s', "str", &x->str, "S", "a string"),
		CLI_OPT_INT('n', "num", &x->num, "N", "a number", -5, 5, "a number from -5 to 5"),
		CLI_OPT_U32(0, "u32", &x->u32, "N", "an unsigned number", 1, 100, "1 to 100"),
		CLI_OPT_U64(0, "u64", &x->u64, "N", "a large one", 0, (double)UINT64_MAX, "a number"),
		CLI_OPT_DOUBLE(0, "frac", &x->frac, "F", "a fraction", 0, 1, "a number in [0, 1]"),
		CLI_OPT_CALLBACK(0, "count", x, NULL, "counts", count_cb, NULL),
		CLI_OPT_CALLBACK(0, "count-arg", x, "W", NULL, count_cb, "anything but no"),
		CLI_OPTS_NAMES(&x->names),
		CLI_OPTS_FILTER(&x->a.filter),
		CLI_OPTS_READ(&x->a.read),
		CLI_OPT_OUTPUT(&x->a.output),
		CLI_OPT_END(),
	};
	return cli_parse_args(argc, argv, opts, u, first);
}

#define PARSE(x, first, ...) parse_with(x, &usage, first, __VA_ARGS__, (char *)NULL)

static void test_kinds(void **state)
{
	(void)state;
	vals x = { 0 };
	int first = 0;
	assert_int_equal(PARSE(&x, &first, "-f", "--str", "hello", "-n", "-3", "--u32=7", "--u64",
			       "18446744073709551615", "--frac", "0.25", "--count", "--count-arg", "x",
			       "in1", "in2"),
			 0);
	assert_true(x.flag);
	assert_string_equal(x.str, "hello");
	assert_int_equal(x.num, -3);
	assert_int_equal(x.u32, 7);
	assert_true(x.u64 == UINT64_MAX);
	assert_true(x.frac == 0.25);
	assert_int_equal(x.calls, 2);
	assert_int_equal(first, 14);
	assert_string_equal(cli_name, "test-cli");
}

static void test_shared_groups(void **state)
{
	(void)state;
	vals x = { 0 };
	int first = 0;
	assert_int_equal(PARSE(&x, &first, "--addrs", "--lines", "--tag", "k=v", "--tag", "a=b",
			       "--thread", "12", "--process", "34", "--from", "1.5s", "--to", "250",
			       "--focus", "^A$", "--no-symbolize", "--names", "full",
			       "--max-decompressed", "4K", "--event", "cycles", "-o", "out", "f"),
			 0);
	assert_true(x.names.addrs && x.names.lines && !x.names.inline_marks);
	assert_int_equal(x.a.filter.ntags, 2);
	assert_string_equal(x.a.filter.tags[1], "a=b");
	assert_true(x.a.filter.has_tid && x.a.filter.tid == 12);
	assert_true(x.a.filter.has_pid && x.a.filter.pid == 34);
	assert_true(x.a.filter.has_from && x.a.filter.from_ns == 1500000000);
	assert_true(x.a.filter.has_to && x.a.filter.to_ns == 250000000);
	assert_string_equal(x.a.filter.focus, "^A$");
	assert_true(x.a.read.no_symbolize);
	assert_int_equal(x.a.read.names, NAMES_FULL);
	assert_int_equal(x.a.read.max_decompressed, 4096);
	assert_string_equal(x.a.read.event, "cycles");
	assert_string_equal(x.a.output, "out");
}

/* Every mistake is a usage error: 2, whatever the option. */
static void test_usage_errors(void **state)
{
	(void)state;
	int first;
	const char *bad[][2] = {
		{ "--bogus", NULL },    { "-x", NULL },          { "--num", "6" },
		{ "-n", "x" },          { "--u32", "0" },        { "--u64", "-1" },
		{ "--frac", "1.5" },    { "--frac", "nan" },     { "--count-arg", "no" },
		{ "--flag=1", NULL },   { "--tag", "novalue" },  { "--tag", "=v" },
		{ "--thread", "x" },    { "--process", "0" },    { "--from", "1q" },
		{ "--names", "long" },  { "--max-decompressed", "12Q" },
		{ "--focus", "(" },     { "--ignore", "a[" },
		{ "--pid", "12" },      /* the filter is --process */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vals x = { 0 };
		int rc = bad[i][1] ? PARSE(&x, &first, bad[i][0], bad[i][1], "f")
				   : PARSE(&x, &first, bad[i][0], "f");
		if (rc != 2)
			fail_msg("%s %s: %d, want 2", bad[i][0], bad[i][1] ? bad[i][1] : "", rc);
	}
	vals x = { 0 };
	assert_int_equal(PARSE(&x, &first, "--str"), 2);   /* no argument */
	assert_int_equal(PARSE(&x, &first, "--flag"), 2);  /* no operand */
	for (int i = 0; i < FILTER_MAX_TAGS; i++)
		x.a.filter.tags[x.a.filter.ntags++] = "k=v";
	assert_int_equal(PARSE(&x, &first, "--tag", "k=w", "f"), 2); /* one too many */
}

static void test_operands(void **state)
{
	(void)state;
	vals x = { 0 };
	int first;
	/* options after operands count (GNU), until "--" */
	assert_int_equal(PARSE(&x, &first, "in", "-f", "--", "-s"), 0);
	assert_true(x.flag);
	assert_null(x.str);
	/* a command's own options are left to it */
	cli_usage cmd = usage;
	cmd.stop_at_operand = true;
	cmd.no_operand = "no command to run";
	vals y = { 0 };
	assert_int_equal(parse_with(&y, &cmd, &first, "-n", "1", "prog", "-f", (char *)NULL), 0);
	assert_int_equal(first, 3);
	assert_false(y.flag);
	assert_int_equal(parse_with(&y, &cmd, &first, "-n", "1", (char *)NULL), 2);
}

static void test_help(void **state)
{
	(void)state;
	bool b = false;
	const char *s = NULL;
	const cli_option opts[] = {
		CLI_OPT_BOOL(0, "short", &b, "one line\nand a second"),
		CLI_OPT_STRING(0, "a-very-long-name", &s, "ARG", "on the next line"),
		CLI_OPT_STRING(0, "alias", &s, "ARG", NULL),
		CLI_OPT_TEXT("A heading:"),
		CLI_OPT_OUTPUT(&s),
		CLI_OPT_END(),
	};
	strbuf h = STRBUF_INIT;
	cli_help(opts, &usage, &h);
	assert_string_equal(h.buf, "usage: test-cli [options] FILE...\n"
				   "About the tool.\n"
				   "\n"
				   "  --short             one line\n"
				   "                      and a second\n"
				   "  --a-very-long-name ARG\n"
				   "                      on the next line\n"
				   "A heading:\n"
				   "  -o, --output FILE   write FILE (atomically) instead of stdout\n"
				   "  -h, --help          this text\n"
				   "\n"
				   "Example:\n"
				   "  test-cli x\n");
	sb_release(&h);
}

/* The shared groups' help fits 80 columns. */
static void test_help_width(void **state)
{
	(void)state;
	cli_args a = CLI_ARGS_INIT;
	names_opts n = { 0 };
	const char *v = NULL;
	const cli_option opts[] = {
		CLI_OPT_VALUE(&v, "default: samples"), CLI_OPTS_NAMES(&n), CLI_OPT_THREADS(&n.lines),
		CLI_OPTS_FILTER(&a.filter), CLI_OPTS_READ(&a.read), CLI_OPT_OUTPUT(&a.output),
		CLI_OPT_END(),
	};
	strbuf h = STRBUF_INIT;
	cli_help(opts, &usage, &h);
	for (const char *l = h.buf; *l;) {
		const char *nl = strchr(l, '\n');
		if (nl - l > 80)
			fail_msg("longer than 80 columns: %.*s", (int)(nl - l), l);
		l = nl + 1;
	}
	assert_non_null(strstr(h.buf, "  --process PID "));
	assert_null(strstr(h.buf, "\n  --pid")); /* no such option: the filter is --process */
	sb_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),       cmocka_unit_test(test_shared_groups),
		cmocka_unit_test(test_usage_errors), cmocka_unit_test(test_operands),
		cmocka_unit_test(test_help),        cmocka_unit_test(test_help_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
