/* Unit tests of gopclntab: a Go 1.18-layout table written here byte by
 * byte (two functions, their line and file tables) is read back as
 * debug/gosym reads it; a Go 1.2 table names its functions; every cut and
 * every flipped byte of the table gives an answer or none, never a read
 * outside it (the sanitizer build checks that). The real tables of Go
 * binaries are read in e2e 39 against go tool pprof. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gopclntab.h"

typedef struct {
	unsigned char b[1024];
	size_t n;
} buf;

static size_t put(buf *t, const void *p, size_t k)
{
	size_t at = t->n;
	memcpy(t->b + t->n, p, k);
	t->n += k;
	return at;
}

static void put32(buf *t, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		t->b[at + (size_t)i] = (unsigned char)(v >> (8 * i));
}

static void put64(buf *t, size_t at, uint64_t v)
{
	put32(t, at, (uint32_t)v);
	put32(t, at + 4, (uint32_t)(v >> 32));
}

enum { TEXT = 0x401000 };

/* Go 1.18: main.f at text+0x00 (0x40 bytes, lines 10 then 12 from +0x10,
 * file a.go), main.g at text+0x40 (0x20 bytes, line 7 of b.go); text ends
 * at +0x60. quantum 1, pointers of 8 bytes. */
static buf go118(void)
{
	buf t = { .n = 8 + 8 * 8 };
	put32(&t, 0, 0xfffffff0u);
	t.b[6] = 1;
	t.b[7] = 8;
	put64(&t, 8, 2);          /* nfunctab */
	put64(&t, 16, 2);         /* nfiletab */
	put64(&t, 24, TEXT);      /* textStart */
	size_t names = put(&t, "main.f\0main.g\0", 14);
	size_t cutab = put(&t, "\0\0\0\0\5\0\0\0", 8); /* cu 0: files 0 -> "a.go", 1 -> "b.go" */
	size_t files = put(&t, "a.go\0b.go\0", 10);
	/* pc tables: value -1 + delta (zig-zag), pc delta; a 0 ends a table */
	static const unsigned char f_line[] = { 22, 0x10, 4, 0x30, 0 };   /* 10 until +0x10, then 12 until +0x40 */
	static const unsigned char f_file[] = { 2, 0x40, 0 };             /* file 0 */
	static const unsigned char g_line[] = { 16, 0x20, 0 };            /* 7 */
	static const unsigned char g_file[] = { 4, 0x20, 0 };             /* file 1 */
	size_t pctab = t.n;
	size_t o_fl = put(&t, f_line, sizeof(f_line)) - pctab;
	size_t o_ff = put(&t, f_file, sizeof(f_file)) - pctab;
	size_t o_gl = put(&t, g_line, sizeof(g_line)) - pctab;
	size_t o_gf = put(&t, g_file, sizeof(g_file)) - pctab;
	size_t functab = t.n;
	t.n += 5 * 4; /* (entryoff, funcoff) x 2, end pc */
	size_t fn[2];
	for (int i = 0; i < 2; i++) {
		fn[i] = t.n;
		t.n += 4 + 9 * 4;
	}
	put32(&t, functab + 0, 0);
	put32(&t, functab + 4, (uint32_t)(fn[0] - functab));
	put32(&t, functab + 8, 0x40);
	put32(&t, functab + 12, (uint32_t)(fn[1] - functab));
	put32(&t, functab + 16, 0x60);
	/* _func: entryoff, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset */
	uint32_t f[2][9] = { { 0, 0, 0, 0, 0, (uint32_t)o_ff, (uint32_t)o_fl, 0, 0 },
			     { 0x40, 7, 0, 0, 0, (uint32_t)o_gf, (uint32_t)o_gl, 0, 0 } };
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 9; k++)
			put32(&t, fn[i] + 4 * (size_t)k, f[i][k]);
	put64(&t, 32, names);
	put64(&t, 40, cutab);
	put64(&t, 48, files);
	put64(&t, 56, pctab);
	put64(&t, 64, functab);
	return t;
}

static void expect(const gopcln *g, uint64_t pc, const char *name, const char *file, int64_t line)
{
	gopcln_frame fr;
	assert_true(gopcln_lookup(g, pc, &fr));
	assert_string_equal(fr.name, name);
	assert_string_equal(fr.file, file);
	assert_int_equal(fr.line, line);
}

static void test_go118_lookup(void **state)
{
	(void)state;
	buf t = go118();
	gopcln *g = gopcln_open(t.b, t.n, TEXT);
	assert_non_null(g);
	expect(g, TEXT, "main.f", "a.go", 10);
	expect(g, TEXT + 0x0f, "main.f", "a.go", 10);
	expect(g, TEXT + 0x10, "main.f", "a.go", 12);
	expect(g, TEXT + 0x3f, "main.f", "a.go", 12);
	expect(g, TEXT + 0x40, "main.g", "b.go", 7);
	expect(g, TEXT + 0x5f, "main.g", "b.go", 7);
	gopcln_frame fr;
	assert_false(gopcln_lookup(g, TEXT - 1, &fr));
	assert_false(gopcln_lookup(g, TEXT + 0x60, &fr)); /* past the end pc */
	gopcln_free(g);
	/* the .text address wins over the table's word (unrelocated in PIE) */
	g = gopcln_open(t.b, t.n, 0x800000);
	assert_true(gopcln_lookup(g, 0x800041, &fr));
	assert_string_equal(fr.name, "main.g");
	gopcln_free(g);
}

static void test_go12_names(void **state)
{
	(void)state;
	/* Go 1.2: nfunctab, functab of (pc, funcoff) pointers, the file table
	 * offset; names are offsets into the whole table */
	buf t = { .n = 16 };
	put32(&t, 0, 0xfffffffbu);
	t.b[6] = 1;
	t.b[7] = 8;
	put64(&t, 8, 1);
	size_t functab = t.n;
	t.n += 3 * 8 + 4;
	size_t fn = t.n;
	t.n += 8 + 8 * 4;
	size_t name = put(&t, "main.old\0", 9);
	size_t ft = put(&t, "\0\0\0\0", 4); /* no files */
	put32(&t, ft, 0);
	put64(&t, functab, 0x1000);
	put64(&t, functab + 8, fn);
	put64(&t, functab + 16, 0x1100);
	put32(&t, functab + 24, (uint32_t)ft);
	put64(&t, fn, 0x1000);
	put32(&t, fn + 8, (uint32_t)name);
	put32(&t, fn + 8 + 16, (uint32_t)ft); /* pcfile, pcln: empty tables (value -1) */
	put32(&t, fn + 8 + 20, (uint32_t)ft);
	gopcln *g = gopcln_open(t.b, t.n, 0);
	assert_non_null(g);
	gopcln_frame fr;
	assert_true(gopcln_lookup(g, 0x10ff, &fr));
	assert_string_equal(fr.name, "main.old");
	assert_null(fr.file);
	assert_int_equal(fr.line, 0);
	gopcln_free(g);
}

static void test_not_a_table(void **state)
{
	(void)state;
	buf t = go118();
	assert_null(gopcln_open(NULL, 0, 0));
	assert_null(gopcln_open(t.b, 15, TEXT));
	t.b[0] = 0xfe; /* an unknown magic */
	assert_null(gopcln_open(t.b, t.n, TEXT));
	t = go118();
	t.b[7] = 3; /* pointer size */
	assert_null(gopcln_open(t.b, t.n, TEXT));
	t = go118();
	put64(&t, 8, 1u << 30); /* more functions than bytes */
	assert_null(gopcln_open(t.b, t.n, TEXT));
}

/* Cut at every length, and every byte flipped: whatever the answer, the
 * reads stay inside the copy (ASan), and names end inside it. */
static void test_damage(void **state)
{
	(void)state;
	buf t = go118();
	for (size_t n = 0; n <= t.n; n++) {
		unsigned char *c = malloc(n ? n : 1);
		memcpy(c, t.b, n);
		gopcln *g = gopcln_open(c, n, TEXT);
		for (uint64_t pc = TEXT - 2; pc < TEXT + 0x62; pc += 7) {
			gopcln_frame fr;
			if (gopcln_lookup(g, pc, &fr))
				assert_true((const unsigned char *)fr.name >= c &&
					    (const unsigned char *)fr.name + strlen(fr.name) < c + n);
		}
		gopcln_free(g);
		free(c);
	}
	for (size_t i = 0; i < t.n; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			buf d = t;
			d.b[i] ^= (unsigned char)(1u << bit);
			unsigned char *c = malloc(d.n);
			memcpy(c, d.b, d.n);
			gopcln *g = gopcln_open(c, d.n, TEXT);
			gopcln_frame fr;
			for (uint64_t pc = TEXT; pc < TEXT + 0x60; pc += 5)
				(void)gopcln_lookup(g, pc, &fr);
			gopcln_free(g);
			free(c);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go118_lookup),
		cmocka_unit_test(test_go12_names),
		cmocka_unit_test(test_not_a_table),
		cmocka_unit_test(test_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
