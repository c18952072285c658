/* Unit tests of folded: the reader (model shape, bad lines), detection, the writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "reader.h"

static profile *read_text(const char *text)
{
	profile *p = prof_new();
	cprof_err err = { { 0 } };
	int rc = folded_read(p, (const unsigned char *)text, strlen(text), NULL, &err);
	if (rc < 0)
		fail_msg("folded_read: %s", err.msg);
	return p;
}

static char *fold(const profile *p, const folded_opts *o)
{
	strbuf sb = STRBUF_INIT;
	cprof_err err = { { 0 } };
	assert_int_equal(folded_write(p, o, &sb, &err), 0);
	return sb_detach(&sb, NULL);
}

static void test_read_builds_leaf_first_model(void **state)
{
	(void)state;
	profile *p = read_text("main;A 5\nmain;A;C 3\r\n\n  main;B\t4\n");
	assert_int_equal(p->nvalues, 1);
	assert_string_equal(p->sample_types[0].type, "samples");
	assert_string_equal(p->sample_types[0].unit, "count");
	assert_int_equal(p->nsamples, 3);
	assert_int_equal(p->nfunctions, 4);
	assert_int_equal(p->nlocations, 4); /* one per distinct frame name */
	const prof_stack *st = &p->stacks[p->samples[1].stack];
	assert_int_equal(st->depth, 3);
	assert_string_equal(p->functions[p->locations[st->locs[0]].lines[0].function].name, "C");
	assert_string_equal(p->functions[p->locations[st->locs[2]].lines[0].function].name, "main");
	assert_int_equal(prof_sample_values(p, 1)[0], 3);
	assert_int_equal(prof_sample_values(p, 2)[0], 4);
	assert_string_equal(p->source_format, "folded");
	prof_free(p);
}

/* The stack of sample i as "root;...;leaf" of its functions' names. */
static void stack_text(const profile *p, size_t i, strbuf *sb)
{
	const prof_stack *st = &p->stacks[p->samples[i].stack];
	sb_reset(sb);
	for (uint32_t k = st->depth; k-- > 0;) {
		const prof_location *l = &p->locations[st->locs[k]];
		sb_addf(sb, "%s%s", sb->len ? ";" : "", p->functions[l->lines[0].function].name);
	}
}

/* Lines that share bytes with the line before in every way (the same
 * line, a prefix, a frame that only starts the same, a longer frame, an
 * empty frame) each read as their own stack: the frames a line shares
 * with the previous one are taken by their lengths from one compare of
 * the bytes. */
static void test_read_lines_sharing_bytes(void **state)
{
	(void)state;
	static const char *const stacks[] = {
		"a;bb;c", "a;bb;c", "a;bb", "a;b", "a;bb;cc;d", "a;bb;c;d", "a;bb;c;dd;e", "a;bb",
		"a;;b", "a;;b;c", "a", "ab;c", "a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p;q;r;s;t;u;v;w;x;y;z",
		"a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p;q;r;s;t;u;v;w;x;y;zz", "a;b;c;d;e;f;g;h;i;j;k;l",
	};
	strbuf in = STRBUF_INIT, got = STRBUF_INIT, want = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(stacks); i++)
		sb_addf(&in, "%s %zu\n", stacks[i], i + 1);
	profile *p = read_text(in.buf);
	assert_int_equal(p->nsamples, ARRAY_SIZE(stacks));
	for (size_t i = 0; i < ARRAY_SIZE(stacks); i++) {
		stack_text(p, i, &got);
		sb_reset(&want);
		/* an empty frame is flamegraph.pl's nameless one */
		for (const char *c = stacks[i]; *c; c++)
			if (*c == ';' && (c[1] == ';' || c == stacks[i]))
				sb_adds(&want, ";[unknown]");
			else
				sb_addc(&want, *c);
		assert_string_equal(got.buf, want.buf);
		assert_int_equal(prof_sample_values(p, i)[0], (int64_t)i + 1);
	}
	prof_free(p);
	sb_release(&in);
	sb_release(&got);
	sb_release(&want);
}

/* Lines deeper than any before, sharing frames with them (the reader's
 * stack grows with those frames in place), then shallower ones, read back
 * frame by frame. */
static void test_read_deeper_lines_sharing_frames(void **state)
{
	(void)state;
	static const unsigned depths[] = { 3, 50, 200, 100, 1000, 999, 2000, 64, 2000 };
	strbuf in = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(depths); i++) {
		for (unsigned k = 0; k < depths[i]; k++) /* the leaf differs by line */
			sb_addf(&in, "%sf%u", k ? ";" : "", k + 1 == depths[i] ? 100000 + (unsigned)i : k);
		sb_addf(&in, " %zu\n", i + 1);
	}
	profile *p = read_text(in.buf);
	assert_int_equal(p->nsamples, ARRAY_SIZE(depths));
	const char *line = in.buf;
	for (size_t i = 0; i < ARRAY_SIZE(depths); i++) {
		const char *sp = strchr(line, ' ');
		sb_reset(&want);
		sb_add(&want, line, (size_t)(sp - line));
		stack_text(p, i, &got);
		assert_string_equal(got.buf, want.buf);
		line = strchr(sp, '\n') + 1;
	}
	prof_free(p);
	sb_release(&in);
	sb_release(&want);
	sb_release(&got);
}

/* A name is one location wherever it is: the reader hashes whole words in
 * two lanes and the input's last bytes one by one, and a name that ends
 * the input (no newline, a one-digit count) must hash as it does before. */
static void test_read_name_at_the_end_is_the_same(void **state)
{
	(void)state;
	static const char *const names[] = { "b", "bcdefgh", "bcdefghijk", "bcdefghijklmnop",
					     "bcdefghijklmnopqrstu" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		strbuf in = STRBUF_INIT;
		sb_addf(&in, "a;%s 1\nx;%s 1", names[i], names[i]);
		profile *p = read_text(in.buf);
		assert_int_equal(p->nlocations, 3); /* a, x and the name */
		prof_free(p);
		sb_release(&in);
	}
}

/* A name of 8 bytes or fewer is looked up by its bytes as one word (the
 * bytes after it in the line masked off, and read one by one where the
 * input ends within 8 bytes): the same name followed by ';', ' ' or the
 * end of the input is one location, and a name differing in its last byte
 * another. */
static void test_short_names_anywhere_in_the_line(void **state)
{
	(void)state;
	for (size_t len = 1; len <= 10; len++) {
		char a[16], b[16];
		memcpy(a, "abcdefghij", len);
		a[len] = '\0';
		memcpy(b, a, len + 1);
		b[len - 1] = '#';
		strbuf in = STRBUF_INIT;
		sb_addf(&in, "%s;z 1\nq;%s 1\n%s 1\nq;%s 1\nr;%s 2", a, a, a, b, a);
		profile *p = read_text(in.buf);
		assert_int_equal(p->nlocations, 5); /* a, z, q, b, r */
		assert_int_equal(p->stacks[p->samples[1].stack].locs[0], p->stacks[p->samples[0].stack].locs[1]);
		assert_int_equal(p->stacks[p->samples[2].stack].locs[0], p->stacks[p->samples[0].stack].locs[1]);
		assert_int_equal(p->stacks[p->samples[4].stack].locs[0], p->stacks[p->samples[0].stack].locs[1]);
		assert_true(p->stacks[p->samples[3].stack].locs[0] != p->stacks[p->samples[0].stack].locs[1]);
		prof_free(p);
		sb_release(&in);
	}
}

/* Long names that differ in one byte (first, middle, last) are two
 * locations, also where a line's frame is compared with an earlier line's
 * at its depth (line 3's second frame with line 1's). */
static void test_long_names_differing_in_one_byte(void **state)
{
	(void)state;
	for (size_t len = 65; len < 400; len += 111)
		for (size_t at = 0; at < len; at += len / 2) {
			char *a = xmalloc(len + 1), *b = xmalloc(len + 1);
			for (size_t i = 0; i < len; i++)
				a[i] = (char)('a' + i % 26);
			a[len] = '\0';
			memcpy(b, a, len + 1);
			b[at] = '#';
			strbuf in = STRBUF_INIT;
			sb_addf(&in, "M;%s 1\nZ 2\nZ;%s 3\nZ;%s 4\n", a, b, a);
			profile *p = read_text(in.buf);
			assert_int_equal(p->nlocations, 4); /* M, a, Z, b */
			strbuf st = STRBUF_INIT;
			stack_text(p, 2, &st);
			sb_addf(&in, "|Z;%s", b);
			assert_string_equal(st.buf, strrchr(in.buf, '|') + 1);
			assert_int_equal(p->samples[3].stack, prof_intern_stack(p, (uint32_t[]){ 1, 2 }, 2));
			sb_release(&st);
			sb_release(&in);
			prof_free(p);
			free(a);
			free(b);
		}
}

static void expect_error(const char *text, const char *want)
{
	profile *p = prof_new();
	cprof_err err = { { 0 } };
	assert_int_equal(folded_read(p, (const unsigned char *)text, strlen(text), NULL, &err), -1);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not say '%s'", err.msg, want);
	prof_free(p);
}

/* A frame that ends in a version number is a name, not a count before. */
static void test_frame_ending_in_a_version_is_a_name(void **state)
{
	(void)state;
	profile *p = read_text("main;libfoo.so.1.5 3\n");
	folded_opts o = { .value = PROF_NONE };
	char *out = fold(p, &o);
	assert_string_equal(out, "main;libfoo.so.1.5 3\n");
	free(out);
	prof_free(p);
	/* digits before the count that no count can hold are the end of a
	 * name; written back, the blank before them becomes '_' so that the
	 * line cannot be read with them as a count */
	p = read_text("main;id 123456789012345678901234567890 3\n");
	out = fold(p, &o);
	assert_string_equal(out, "main;id_123456789012345678901234567890 3\n");
	free(out);
	prof_free(p);
}

static void test_bad_lines_name_their_number(void **state)
{
	(void)state;
	/* a file of nothing but lines flamegraph.pl ignores */
	expect_error("a;b\n\n# no count\n", "line 1: no count");
	expect_error("12\n", "line 1: no stack");
	expect_error("a;b 99999999999999999999\n", "line 1: count too large");
	expect_error("a;b 9223372036854775807.5\n", "line 1: count too large");
	expect_error("a;b .5\n", "line 1: the count must be a number after a space");
	/* a line with more decimals rescales what was read: it must fit */
	expect_error("a 922337203685477580\nb 0.25\n",
		     "line 2: with 2 decimals, the counts do not fit in 64 bits");
	expect_error("a 0.25\nb 922337203685477580\n", "line 2: count too large");
	expect_error("a;b1\n", "line 1:");
}

static void collect(void *ctx, const char *msg)
{
	strbuf *sb = ctx;
	sb_adds(sb, msg);
	sb_addc(sb, '\n');
}

/* Lines flamegraph.pl's /^(.*)\s+?(\d+(?:\.\d*)?)$/ does not match (a
 * comment, a line cut before its count, "a;b1", "12", "a .5") are skipped
 * as it skips them, with one warning naming the first; the others count. */
static void test_lines_flamegraph_pl_ignores(void **state)
{
	(void)state;
	static const char text[] = "# made by hand\nmain;a 3\nmain;b\nmain;b1\n12\nmain;c .5\n"
				   "# x 2\nmain;b 2\n";
	assert_true(folded_looks_like((const unsigned char *)text, strlen(text)));
	strbuf w = STRBUF_INIT;
	prof_read_opts o = { .warn = collect, .warn_ctx = &w };
	profile *p = prof_new();
	cprof_err err = { { 0 } };
	assert_int_equal(folded_read(p, (const unsigned char *)text, strlen(text), &o, &err), 0);
	assert_int_equal(p->nsamples, 3); /* main;a, "# x" (a stack to flamegraph.pl), main;b */
	assert_int_equal(prof_sample_values(p, 0)[0], 3);
	assert_int_equal(prof_sample_values(p, 2)[0], 2);
	assert_string_equal(w.buf, "5 lines without \"stack count\" skipped, as flamegraph.pl skips "
				   "them (line 1: no count at the end of the line (want \"frame;frame "
				   "COUNT\"))\n");
	prof_free(p);
	sb_release(&w);
	/* a count header before the first stack is not folded text */
	static const char hdr[] = "# one\n# two\n\nmain;a 1\n";
	assert_true(folded_looks_like((const unsigned char *)hdr, strlen(hdr)));
	assert_false(folded_looks_like((const unsigned char *)"# only a comment\n", 17));
	/* "// ..." comments too (speedscope's sample files have both kinds) */
	static const char slashes[] = "# info\n// more info\na;b;c 1\ninvalid line\n";
	assert_true(folded_looks_like((const unsigned char *)slashes, strlen(slashes)));
	assert_false(folded_looks_like((const unsigned char *)"// a;b 1x\n", 10));
}

/* Text saved as UTF-16 with a byte-order mark (PowerShell's `>`), either
 * order, is read as its UTF-8: a two-byte and a four-byte character (a
 * surrogate pair) in names, CRLF line ends; a lone surrogate is U+FFFD. */
static void test_read_utf16(void **state)
{
	(void)state;
	static const char want[] = "main;caf\xc3\xa9 2\nmain;x\xf0\x9f\x94\xa5 3\nmain;\xef\xbf\xbd 1\n";
	static const uint16_t text[] = { 0xfeff, 'm', 'a', 'i', 'n', ';', 'c', 'a', 'f', 0xe9, ' ', '2',
					 '\r', '\n', 'm', 'a', 'i', 'n', ';', 'x', 0xd83d, 0xdd25, ' ', '3',
					 '\r', '\n', 'm', 'a', 'i', 'n', ';', 0xdc00, ' ', '1', '\n' };
	for (int be = 0; be < 2; be++) {
		unsigned char b[sizeof(text)];
		for (size_t i = 0; i < ARRAY_SIZE(text); i++) {
			b[2 * i + be] = (unsigned char)(text[i] & 0xff);
			b[2 * i + !be] = (unsigned char)(text[i] >> 8);
		}
		profile *p = NULL;
		cprof_err err = { { 0 } };
		prof_read_opts o = { 0 };
		assert_int_equal(prof_read_mem(b, sizeof(b), &o, &p, &err), 0);
		folded_opts fo = { .value = PROF_NONE };
		char *s = fold(p, &fo);
		assert_string_equal(s, want);
		free(s);
		prof_free(p);
	}
	/* bytes that are a format themselves are read as such, even when they
	 * start as a UTF-16 mark would (a folded name of those bytes) */
	profile *p = NULL;
	cprof_err err = { { 0 } };
	prof_read_opts o = { 0 };
	assert_int_equal(prof_read_mem((const unsigned char *)"\xfe\xff;a 1\n", 7, &o, &p, &err), 0);
	folded_opts fo = { .value = PROF_NONE };
	char *s = fold(p, &fo);
	assert_string_equal(s, "\xfe\xff;a 1\n");
	free(s);
	prof_free(p);
}

/* flamegraph.pl's leniency: a trailing ';' is dropped, an empty frame is
 * kept (named [unknown]), a stack of only ';' counts at the root. */
static void test_read_empty_frames_as_flamegraph_pl(void **state)
{
	(void)state;
	profile *p = read_text("a;b;  3\na;;b 2\n;; 1\n");
	assert_int_equal(p->nsamples, 3);
	assert_int_equal(p->stacks[p->samples[0].stack].depth, 2);
	assert_int_equal(p->stacks[p->samples[1].stack].depth, 3);
	assert_int_equal(p->stacks[p->samples[2].stack].depth, 0);
	folded_opts o = { .value = PROF_NONE };
	char *s = fold(p, &o);
	assert_string_equal(s, "[empty stack] 1\na;[unknown];b 2\na;b 3\n");
	free(s);
	prof_free(p);
}

/* difffolded.pl's "stack before after": a second sample type; a file whose
 * first line has one count takes a later line's last count, as
 * flamegraph.pl draws it. */
static void test_read_two_counts(void **state)
{
	(void)state;
	profile *p = read_text("a;b 5 10\na;c 7\n");
	assert_int_equal(p->nvalues, 2);
	assert_string_equal(p->sample_types[1].type, FOLDED_BEFORE);
	assert_int_equal(prof_sample_values(p, 0)[0], 10);
	assert_int_equal(prof_sample_values(p, 0)[1], 5);
	assert_int_equal(prof_sample_values(p, 1)[0], 7);
	assert_int_equal(prof_sample_values(p, 1)[1], 7);
	prof_free(p);
	p = read_text("a;b 5\na;c 7 9\n");
	assert_int_equal(p->nvalues, 1);
	assert_int_equal(prof_sample_values(p, 1)[0], 9);
	assert_int_equal(p->stacks[p->samples[1].stack].depth, 2);
	prof_free(p);
}

/* flamegraph.pl's counts are \d+(\.\d*)?: fractions are kept in fixed
 * point with the file's most decimals, and written back as they were. */
static void test_fractional_counts(void **state)
{
	(void)state;
	profile *p = read_text("main;a 1.5\nmain;b 2\nmain;a 0.25\nmain;c 3.\nmain;d 1.50\n");
	assert_int_equal(p->sample_types[0].decimals, 2); /* "1.50" has one */
	assert_int_equal(prof_sample_values(p, 0)[0], 150); /* rescaled by the third line */
	assert_int_equal(prof_sample_values(p, 1)[0], 200);
	assert_int_equal(prof_sample_values(p, 2)[0], 25);
	assert_int_equal(prof_sample_values(p, 3)[0], 300);
	assert_int_equal(prof_sample_values(p, 4)[0], 150);
	folded_opts o = { .value = PROF_NONE };
	char *s = fold(p, &o);
	assert_string_equal(s, "main;a 1.75\nmain;b 2\nmain;c 3\nmain;d 1.5\n");
	profile *q = read_text(s); /* and read back, the same */
	char *s2 = fold(q, &o);
	assert_string_equal(s, s2);
	free(s);
	free(s2);
	prof_free(q);
	prof_free(p);
	/* digits past PROF_MAX_DECIMALS are rounded */
	p = read_text("a 0.0000000015\nb 0.00000000049\n");
	assert_int_equal(p->sample_types[0].decimals, 9);
	s = fold(p, &o);
	assert_string_equal(s, "a 0.000000002\n"); /* b rounds to 0: left out */
	free(s);
	prof_free(p);
	/* difffolded.pl's two counts, fractional either or both */
	p = read_text("a;b 1.5 2.25\na;c 3 4.5\na;d 7\n");
	assert_int_equal(p->nvalues, 2);
	assert_int_equal(p->sample_types[0].decimals, 2);
	assert_int_equal(p->sample_types[1].decimals, 2);
	assert_int_equal(prof_sample_values(p, 0)[0], 225);
	assert_int_equal(prof_sample_values(p, 0)[1], 150);
	assert_int_equal(prof_sample_values(p, 1)[0], 450);
	assert_int_equal(prof_sample_values(p, 1)[1], 300);
	assert_int_equal(prof_sample_values(p, 2)[1], 700);
	o.value = 1;
	s = fold(p, &o);
	assert_string_equal(s, "a;b 1.5\na;c 3\na;d 7\n");
	free(s);
	prof_free(p);
	/* a frame named like a count before ("f 3.") is written so that it
	 * reads back as that frame */
	p = read_text("main;v_3. 2.5\n");
	prof_rename_function(p, p->locations[p->stacks[0].locs[0]].lines[0].function, "v 3.");
	o.value = PROF_NONE;
	s = fold(p, &o);
	assert_string_equal(s, "main;v_3. 2.5\n");
	free(s);
	prof_free(p);
}

static void test_looks_like(void **state)
{
	(void)state;
	const char *yes[] = { "a;b 1\n", "\n\nmain;A 5\r\n", "x 0", "std::vector<int>::at(long) [clone .x];y 12\n",
			      "a;b 1.5\n", "a;b 3.\n", "a;b 0.25 1.5\n" };
	const char *no[] = { "", "hello world\n", "a;b\n", "CPROFRAW", "12\n", "a;b 1x\n", "a;b .5\n", "a;b 1.5.\n" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		assert_true(folded_looks_like((const unsigned char *)yes[i], strlen(yes[i])));
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_false(folded_looks_like((const unsigned char *)no[i], strlen(no[i])));
	const unsigned char bin[] = { 0x1f, 0x8b, 0x08, 0x00, ' ', '1', '\n' };
	assert_false(folded_looks_like(bin, sizeof(bin)));
}

static void test_write_merges_and_sorts(void **state)
{
	(void)state;
	profile *p = read_text("main;B 4\nmain;A 2\nmain;A;C 3\nmain;A 3\nmain;Z 0\n");
	folded_opts o = { .value = PROF_NONE };
	char *s = fold(p, &o);
	assert_string_equal(s, "main;A 5\nmain;A;C 3\nmain;B 4\n");
	free(s);
	/* a mask keeps only some samples */
	bool mask[5] = { true, false, false, true, true };
	o.mask = mask;
	s = fold(p, &o);
	assert_string_equal(s, "main;A 3\nmain;B 4\n");
	free(s);
	prof_free(p);
}

static void test_write_cleans_names(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type t = { "samples", "count" };
	prof_set_sample_types(p, &t, 1);
	uint32_t f1 = prof_intern_function(p, "ns;odd\nname", "", "", 0);
	uint32_t f2 = prof_intern_function(p, "", "", "", 0);
	prof_line l1 = { f1, 0, 0 }, l2 = { f2, 0, 0 };
	uint32_t locs[2] = { prof_add_location(p, PROF_NONE, 0, &l1, 1),
			     prof_add_location(p, PROF_NONE, 0, &l2, 1) };
	int64_t one = 1;
	prof_add_sample(p, prof_intern_stack(p, locs, 2), 0, &one, -1, -1, 0);
	folded_opts o = { .value = PROF_NONE };
	char *s = fold(p, &o);
	/* an empty name falls back to the location (the model names it) */
	assert_string_equal(s, "0x0;ns:odd name 1\n");
	free(s);
	prof_free(p);
}

static void test_write_threads_inline_lines(void **state)
{
	(void)state;
	profile *p = prof_new();
	prof_value_type t[2] = { { "samples", "count" }, { "cpu", "nanoseconds" } };
	prof_set_sample_types(p, t, 2);
	p->default_type = 1;
	p->has_timestamps = true;
	uint32_t fmain = prof_intern_function(p, "main", "main", "m.c", 1);
	uint32_t fin = prof_intern_function(p, "helper", "helper", "m.c", 9);
	/* one location: helper inlined into main (leaf first) */
	prof_line lines[2] = { { fin, 10, 0 }, { fmain, 3, 0 } };
	uint32_t loc = prof_add_location(p, PROF_NONE, 0x401000, lines, 2);
	uint32_t st = prof_intern_stack(p, &loc, 1);
	prof_set_thread_name(p, 7, "worker");
	int64_t v1[2] = { 1, 10 }, v2[2] = { 1, 20 };
	prof_add_sample(p, st, 0, v1, 0, 7, 0);
	prof_add_sample(p, st, 0, v2, 5, 8, 0);
	folded_opts o = { .value = PROF_NONE };
	char *s = fold(p, &o);
	assert_string_equal(s, "main;helper 2\n"); /* samples by default, not the default type */
	free(s);
	o.value = 1;
	o.threads = true;
	o.names.inline_marks = true;
	s = fold(p, &o);
	assert_string_equal(s, "[tid 8];main;helper_[i] 20\nworker;main;helper_[i] 10\n");
	free(s);
	o.threads = false;
	o.names.inline_marks = false;
	o.names.lines = true;
	o.names.addrs = true;
	s = fold(p, &o);
	assert_string_equal(s, "main:3@0x401000;helper:10@0x401000 30\n");
	free(s);
	/* --pid, --tid (stackcollapse-perf.pl's roots) on input with threads:
	 * the process's name is its main thread's; 8 is process 7's thread */
	o.names.lines = o.names.addrs = false;
	prof_set_thread_pid(p, 7, 7);
	prof_set_thread_pid(p, 8, 7);
	prof_set_thread_name(p, 7, "my worker");
	o.root = NAMES_ROOT_PID;
	s = fold(p, &o);
	assert_string_equal(s, "my_worker-7;main;helper 30\n");
	free(s);
	o.root = NAMES_ROOT_TID;
	o.threads = true;
	s = fold(p, &o);
	assert_string_equal(s, "my_worker-7/7;my worker;main;helper 10\n"
			       "my_worker-7/8;[tid 8];main;helper 20\n");
	free(s);
	o.threads = false;
	o.root = NAMES_ROOT_COMM;
	o.value = 2;
	strbuf sb = STRBUF_INIT;
	cprof_err err;
	assert_int_equal(folded_write(p, &o, &sb, &err), -1);
	sb_release(&sb);
	prof_free(p);
}

static void test_roundtrip_totals(void **state)
{
	(void)state;
	/* a generated input: the output must keep every count */
	strbuf in = STRBUF_INIT;
	int64_t total = 0;
	for (int i = 0; i < 500; i++) {
		sb_addf(&in, "root;f%d;g%d %d\n", i % 17, i % 5, i + 1);
		total += i + 1;
	}
	profile *p = read_text(in.buf);
	folded_opts o = { .value = PROF_NONE };
	char *s = fold(p, &o);
	int64_t sum = 0;
	size_t lines = 0;
	for (char *l = s; *l; lines++) {
		char *nl = strchr(l, '\n');
		char *sp = memrchr(l, ' ', (size_t)(nl - l));
		sum += strtoll(sp + 1, NULL, 10);
		l = nl + 1;
	}
	assert_int_equal(sum, total);
	assert_int_equal(lines, 17 * 5 > 500 ? 500 : 85);
	profile *q = read_text(s);
	char *s2 = fold(q, &o);
	assert_string_equal(s, s2); /* stable under re-reading */
	free(s);
	free(s2);
	prof_free(p);
	prof_free(q);
	sb_release(&in);
}

/* What cprof-fold writes reads back as folded text whatever its first
 * frame: root frames named like the headers of pprof's legacy text formats,
 * with fractional counts ("1.5", which the CI's fuzzer found read as a
 * contention header), come first in the sorted output. */
static void test_output_with_header_like_roots_reads_back(void **state)
{
	(void)state;
	static const char *const roots[] = { "--- mutex:x", "--- contention:", "--- contentionz 1",
					     "heap profile: 1: 2 [3: 4] @ heap", "--- threadz 1 ---",
					     "goroutine profile: total 5" };
	static const char *const counts[] = { "1.5", "2", "3.", "0.25" };
	for (size_t r = 0; r < sizeof(roots) / sizeof(roots[0]); r++)
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			char in[128];
			snprintf(in, sizeof(in), "z 1\n%s %s\n", roots[r], counts[c]);
			profile *p = read_text(in);
			folded_opts o = { .value = PROF_NONE };
			char *s = fold(p, &o);
			assert_true(flamegraph_line_has_count(s, strcspn(s, "\n")));
			profile *q = NULL;
			prof_read_opts ro = { .no_symbolize = true };
			cprof_err err = { { 0 } };
			if (prof_read_mem((const unsigned char *)s, strlen(s), &ro, &q, &err) != 0)
				fail_msg("'%s' does not read back: %s", s, err.msg);
			assert_string_equal(q->source_format, "folded");
			char *s2 = fold(q, &o);
			assert_string_equal(s, s2);
			free(s);
			free(s2);
			prof_free(p);
			prof_free(q);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_builds_leaf_first_model),
		cmocka_unit_test(test_read_lines_sharing_bytes),
		cmocka_unit_test(test_read_name_at_the_end_is_the_same),
		cmocka_unit_test(test_read_deeper_lines_sharing_frames),
		cmocka_unit_test(test_short_names_anywhere_in_the_line),
		cmocka_unit_test(test_long_names_differing_in_one_byte),
		cmocka_unit_test(test_bad_lines_name_their_number),
		cmocka_unit_test(test_lines_flamegraph_pl_ignores),
		cmocka_unit_test(test_read_utf16),
		cmocka_unit_test(test_frame_ending_in_a_version_is_a_name),
		cmocka_unit_test(test_looks_like),
		cmocka_unit_test(test_fractional_counts),
		cmocka_unit_test(test_read_empty_frames_as_flamegraph_pl),
		cmocka_unit_test(test_read_two_counts),
		cmocka_unit_test(test_write_merges_and_sorts),
		cmocka_unit_test(test_write_cleans_names),
		cmocka_unit_test(test_write_threads_inline_lines),
		cmocka_unit_test(test_roundtrip_totals),
		cmocka_unit_test(test_output_with_header_like_roots_reads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
