/* Unit tests of util: strbuf, escaping, output files that never leave half a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void test_strbuf_grows_and_formats(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	assert_string_equal(sb.buf + sb.len - 4, "999,");
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	sb_release(&sb);
}

static void test_xml_escape(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_add_xml(&sb, "<script>a&b\"c'\x01\xff");
	assert_string_equal(sb.buf, "&lt;script&gt;a&amp;b&quot;c&#39;\xef\xbf\xbd\xef\xbf\xbd");
	sb_release(&sb);
}

static void test_json_escape(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_add_json(&sb, "a\"b\\c\n</script>\x02\xc3\xa9");
	assert_string_equal(sb.buf, "a\\\"b\\\\c\\n\\u003c/script\\u003e\\u0002\xc3\xa9");
	sb_release(&sb);
}

static void test_out_file_commit_and_abort(void **state)
{
	(void)state;
	char dir[] = "/tmp/cprof-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	cprof_err err;
	out_file o;
	assert_int_equal(out_open(&o, path, &err), 0);
	fputs("hello", o.fp);
	out_abort(&o);
	assert_int_not_equal(access(path, F_OK), 0); /* aborted: nothing left */

	assert_int_equal(out_open(&o, path, &err), 0);
	fputs("hello", o.fp);
	assert_int_equal(out_commit(&o, &err), 0);
	unsigned char *data;
	size_t len;
	assert_int_equal(read_file_all(path, 1 << 20, &data, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	assert_int_equal(read_file_all(path, 3, &data, &len, &err), -1);
	assert_non_null(strstr(err.msg, "limit"));
	assert_int_equal(read_file_all(dir, 100, &data, &len, &err), -1);
	assert_string_equal(err.msg, "is a directory");
	unlink(path);
	rmdir(dir);
}

static void test_out_file_reports_full_disk(void **state)
{
	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	cprof_err err;
	out_file o = { 0 };
	o.fp = fopen("/dev/full", "w");
	assert_non_null(o.fp);
	for (int i = 0; i < 100000; i++)
		fputs("0123456789", o.fp);
	assert_int_equal(out_commit(&o, &err), -1);
	fclose(o.fp);
}

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -1);
	assert_int_equal(parse_u64("12x", &v), -1);
	assert_int_equal(parse_u64("", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_grows_and_formats),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_out_file_commit_and_abort),
		cmocka_unit_test(test_out_file_reports_full_disk),
		cmocka_unit_test(test_parse_u64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
