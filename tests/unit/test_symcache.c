/* Unit tests of the symbol cache (symcache.h): the serialized form reads
 * back to the same data; every cut, every flipped byte, every count or
 * index that does not fit (even behind a correct checksum) and a file for
 * another build-id or fingerprint is refused, never trusted; the cache
 * file is written atomically and a symlink in its place is not followed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symcache.h"

#define BID "0123456789abcdef0123456789abcdef01234567"
#define FP "debug-path=-:.debug:/usr/lib/debug;elf=1234:5.000000006"

static void fill(symc_data *d)
{
	uint32_t f0 = symc_add_fn(d, "ns::f<int>(int)", "_ZN2ns1fIiEEvi", "/src/a.h", 10);
	uint32_t f1 = symc_add_fn(d, "main", "main", "/src/m.cc", 3);
	/* an equal function is stored once */
	assert_int_equal(symc_add_fn(d, "main", "main", "/src/m.cc", 3), f1);
	assert_int_equal(d->nfns, 2);
	symc_frame fr[2] = { { f0, 12, 5 }, { f1, 7, 0 } };
	symc_add(d, 0x1000, fr, 2);
	symc_add(d, 0x1010, fr + 1, 1);
	symc_add(d, 0x2000, NULL, 0); /* nothing knows this one */
	for (uint64_t a = 0; a < 1000; a++)
		symc_add(d, 0x10000 + a * 4, fr, 1 + (uint32_t)(a & 1));
}

static void same(const symc_data *a, const symc_data *b)
{
	assert_int_equal(a->nentries, b->nentries);
	for (size_t i = 0; i < a->nentries; i++) {
		const symc_entry *x = &a->entries[i], *y = symc_get(b, x->addr);
		assert_non_null(y);
		assert_int_equal(x->n, y->n);
		for (uint32_t k = 0; k < x->n; k++) {
			const symc_frame *fx = &a->frames[x->first + k], *fy = &b->frames[y->first + k];
			assert_int_equal(fx->line, fy->line);
			assert_int_equal(fx->col, fy->col);
			assert_string_equal(a->fns[fx->fn].name, b->fns[fy->fn].name);
			assert_string_equal(a->fns[fx->fn].sys, b->fns[fy->fn].sys);
			assert_string_equal(a->fns[fx->fn].file, b->fns[fy->fn].file);
			assert_int_equal(a->fns[fx->fn].line, b->fns[fy->fn].line);
		}
	}
}

static void test_roundtrip(void **state)
{
	(void)state;
	symc_data d = { 0 }, e = { 0 };
	fill(&d);
	assert_null(symc_get(&d, 0x1004));
	strbuf sb = STRBUF_INIT;
	symc_serialize(&d, BID, FP, &sb);
	cprof_err err;
	assert_int_equal(symc_parse((unsigned char *)sb.buf, sb.len, BID, FP, &e, &err), 0);
	same(&d, &e);
	symc_free(&e);
	/* another build-id or fingerprint: refused */
	assert_int_equal(symc_parse((unsigned char *)sb.buf, sb.len, BID "0", FP, &e, &err), -1);
	assert_int_equal(symc_parse((unsigned char *)sb.buf, sb.len, BID, FP "x", &e, &err), -1);
	assert_int_equal(e.nentries, 0);
	symc_free(&d);
	sb_release(&sb);
}

static void test_cut_and_flipped(void **state)
{
	(void)state;
	symc_data d = { 0 }, e = { 0 };
	fill(&d);
	strbuf sb = STRBUF_INIT;
	symc_serialize(&d, BID, FP, &sb);
	cprof_err err;
	for (size_t n = 0; n < sb.len; n += (n < 200 ? 1 : 97)) {
		assert_int_equal(symc_parse((unsigned char *)sb.buf, n, BID, FP, &e, &err), -1);
		assert_int_equal(e.nentries, 0);
	}
	unsigned char *copy = malloc(sb.len);
	for (size_t i = 0; i < sb.len; i += 13) {
		memcpy(copy, sb.buf, sb.len);
		copy[i] ^= 0x40;
		assert_int_equal(symc_parse(copy, sb.len, BID, FP, &e, &err), -1);
	}
	free(copy);
	symc_free(&d);
	sb_release(&sb);
}

/* Payloads with a correct checksum but contents that do not fit. */
static int parse_payload(const strbuf *payload)
{
	strbuf f = STRBUF_INIT;
	uint32_t v = SYMC_VERSION, bom = 0x01020304;
	uint64_t len = payload->len, sum = symc_checksum((const unsigned char *)payload->buf, payload->len);
	sb_add(&f, "CPROFSYM", 8);
	sb_add(&f, &v, 4);
	sb_add(&f, &bom, 4);
	sb_add(&f, &len, 8);
	sb_add(&f, &sum, 8);
	sb_add(&f, payload->buf, payload->len);
	symc_data e = { 0 };
	cprof_err err;
	int r = symc_parse((unsigned char *)f.buf, f.len, BID, FP, &e, &err);
	assert_int_equal(e.nentries, r == 0 ? e.nentries : 0);
	symc_free(&e);
	sb_release(&f);
	return r;
}

static void put32(strbuf *sb, uint32_t v) { sb_add(sb, &v, 4); }
static void put64(strbuf *sb, uint64_t v) { sb_add(sb, &v, 8); }
static void putstr(strbuf *sb, const char *s)
{
	put32(sb, (uint32_t)strlen(s));
	sb_adds(sb, s);
}

static void head(strbuf *p, uint32_t nfns)
{
	sb_reset(p);
	putstr(p, BID);
	putstr(p, FP);
	put32(p, nfns);
	for (uint32_t i = 0; i < nfns; i++) {
		putstr(p, "f");
		putstr(p, "f");
		putstr(p, "x.c");
		put64(p, 1);
	}
}

static void test_hostile_contents(void **state)
{
	(void)state;
	strbuf p = STRBUF_INIT;
	/* a valid one first, so the others fail for their one fault */
	head(&p, 1);
	put32(&p, 1);
	put64(&p, 0x10);
	put32(&p, 1);
	put32(&p, 0);
	put64(&p, 5);
	put64(&p, 0);
	assert_int_equal(parse_payload(&p), 0);
	/* function index out of range */
	head(&p, 1);
	put32(&p, 1);
	put64(&p, 0x10);
	put32(&p, 1);
	put32(&p, 1);
	put64(&p, 5);
	put64(&p, 0);
	assert_int_equal(parse_payload(&p), -1);
	/* counts far beyond the bytes there are */
	head(&p, 0);
	put32(&p, 0xffffffffu);
	assert_int_equal(parse_payload(&p), -1);
	sb_reset(&p);
	putstr(&p, BID);
	putstr(&p, FP);
	put32(&p, 0x7fffffffu);
	assert_int_equal(parse_payload(&p), -1);
	head(&p, 1);
	put32(&p, 1);
	put64(&p, 0x10);
	put32(&p, 0x40000000u); /* frames */
	assert_int_equal(parse_payload(&p), -1);
	/* a string longer than the payload, and one with a NUL inside */
	sb_reset(&p);
	putstr(&p, BID);
	putstr(&p, FP);
	put32(&p, 1);
	put32(&p, 0xfffffff0u);
	assert_int_equal(parse_payload(&p), -1);
	sb_reset(&p);
	putstr(&p, BID);
	putstr(&p, FP);
	put32(&p, 1);
	put32(&p, 3);
	sb_add(&p, "a\0b", 3);
	putstr(&p, "f");
	putstr(&p, "x.c");
	put64(&p, 1);
	put32(&p, 0);
	assert_int_equal(parse_payload(&p), -1);
	/* the same address twice; bytes left over */
	head(&p, 1);
	put32(&p, 2);
	put64(&p, 0x10);
	put32(&p, 0);
	put64(&p, 0x10);
	put32(&p, 0);
	assert_int_equal(parse_payload(&p), -1);
	head(&p, 1);
	put32(&p, 0);
	put32(&p, 0);
	assert_int_equal(parse_payload(&p), -1);
	sb_release(&p);
}

static void test_store_and_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/cprof-symc.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[96], path[192];
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	snprintf(path, sizeof(path), "%s/%s", sub, BID);
	symc_data d = { 0 }, e = { 0 };
	fill(&d);
	cprof_err err;
	assert_int_equal(symc_store(sub, BID, FP, &d, &err), 0);
	struct stat st;
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(symc_load(sub, BID, FP, &e), 1);
	same(&d, &e);
	symc_free(&e);
	assert_int_equal(symc_load(sub, BID, "other", &e), 0);
	/* only the file itself, no temporary left behind */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 1", sub);
	assert_int_equal(system(cmd), 0);
	/* a build-id that is not hex is never a path */
	assert_int_equal(symc_load(sub, "../../x", FP, &e), 0);
	assert_int_equal(symc_store(sub, "../x", FP, &d, &err), -1);
	/* a symlink in the file's place is not followed */
	assert_int_equal(unlink(path), 0);
	char target[192];
	snprintf(target, sizeof(target), "%s/target", dir);
	assert_int_equal(symc_store(dir, BID, FP, &d, &err), 0);
	snprintf(target, sizeof(target), "%s/%s", dir, BID);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(symc_load(sub, BID, FP, &e), 0);
	/* rewriting replaces the symlink, not its target */
	assert_int_equal(symc_store(sub, BID, FP, &d, &err), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	symc_free(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_dir(void **state)
{
	(void)state;
	setenv("XDG_CACHE_HOME", "/x/c", 1);
	char *d = symc_dir();
	assert_string_equal(d, "/x/c/cprof/sym");
	free(d);
	setenv("XDG_CACHE_HOME", "relative", 1); /* not absolute: ignored, as the spec says */
	setenv("HOME", "/home/u", 1);
	d = symc_dir();
	assert_string_equal(d, "/home/u/.cache/cprof/sym");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	assert_null(symc_dir());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_cut_and_flipped),
		cmocka_unit_test(test_hostile_contents),
		cmocka_unit_test(test_store_and_load),
		cmocka_unit_test(test_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
