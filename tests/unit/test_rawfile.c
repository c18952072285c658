/* Unit tests of rawfile: the record-level raw reader, including a file cut
 * at every byte offset, zero tails, incomplete and unknown records, and
 * malformed bodies. The files are built here byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rawfile.h"

/* ---- a tiny writer for the tests --------------------------------------- */
static void put_hdr(strbuf *sb)
{
	struct cprof_raw_file_header h = {.version = CPROF_RAW_VERSION,
					  .hdr_size = sizeof(h),
					  .bom = CPROF_RAW_BOM};
	memcpy(h.magic, CPROF_RAW_MAGIC, 8);
	sb_add(sb, &h, sizeof(h));
}

/* Appends a record of type from up to three body parts, padded to 8. */
static size_t put_rec(strbuf *sb, uint16_t type, uint16_t flags, const void *a, size_t alen,
		      const void *b, size_t blen, const void *c, size_t clen)
{
	size_t at = sb->len;
	size_t body = alen + blen + clen;
	struct cprof_raw_rec h = {.size = (uint32_t)CPROF_RAW_ALIGN(8 + body),
				  .type = type,
				  .flags = flags};
	static const char zeros[8];
	sb_add(sb, &h, sizeof(h));
	if (alen)
		sb_add(sb, a, alen);
	if (blen)
		sb_add(sb, b, blen);
	if (clen)
		sb_add(sb, c, clen);
	sb_add(sb, zeros, h.size - 8 - body);
	return at;
}

static const char exe[] = "/bin/abc";
static const char cmd[] = "abc\0002";
static const unsigned char bid[] = {0xde, 0xad, 0xbe, 0xef};

/* A file with one record of every type; returns the record count. */
static int build_file(strbuf *sb)
{
	put_hdr(sb);
	struct cprof_raw_info info = {.period_ns = 10000000, .hz = 100, .pid = 42,
				      .timer = CPROF_TIMER_PERF_EVENT, .clock = 1,
				      .exe_len = sizeof(exe) - 1, .cmdline_len = sizeof(cmd)};
	put_rec(sb, CPROF_RAW_INFO, 0, &info, sizeof(info), exe, info.exe_len, cmd, info.cmdline_len);
	struct cprof_raw_mapping m = {.start = 0x400000, .limit = 0x401000, .offset = 0x1000,
				      .build_id_len = sizeof(bid), .path_len = sizeof(exe) - 1};
	put_rec(sb, CPROF_RAW_MAPPING, 0, &m, sizeof(m), bid, sizeof(bid), exe, m.path_len);
	struct cprof_raw_thread t = {.tid = 42};
	memcpy(t.name, "abcdefghijklmnop", 16); /* 16 bytes, no NUL */
	put_rec(sb, CPROF_RAW_THREAD, 0, &t, sizeof(t), NULL, 0, NULL, 0);
	struct cprof_raw_labelset ls = {.id = 1, .count = 2};
	const char ents[] = "\x03\x00\x02\x00keyv1\x01\x00\x00\x00k";
	put_rec(sb, CPROF_RAW_LABELSET, 0, &ls, sizeof(ls), ents, sizeof(ents) - 1, NULL, 0);
	struct cprof_raw_sample s = {.time_ns = 5, .weight_ns = 10000000, .tid = 42,
				     .labelset = 1, .nframes = 3};
	uint64_t fr[3] = {0x400123, 0x400456, 0x400789};
	put_rec(sb, CPROF_RAW_SAMPLE, 0, &s, sizeof(s), fr, sizeof(fr), NULL, 0);
	/* v2: the same stack interned, and a sample of it with a weight and
	 * labels (the flags say which optional parts follow) */
	struct cprof_raw_stack st = {.id = 9, .nframes = 3, .sflags = CPROF_SAMPLE_TRUNCATED};
	put_rec(sb, CPROF_RAW_STACK, 0, &st, sizeof(st), fr, sizeof(fr), NULL, 0);
	struct cprof_raw_stack_sample ss = {.time_ns = 6, .tid = 42, .stack = 9};
	uint64_t w = 1234;
	uint32_t lsid = 1;
	put_rec(sb, CPROF_RAW_STACK_SAMPLE,
		CPROF_SSAMPLE_OFFCPU | CPROF_SSAMPLE_WEIGHT | CPROF_SSAMPLE_LABELS, &ss, sizeof(ss),
		&w, 8, &lsid, 4);
	struct cprof_raw_note n = {.level = 1, .len = 5};
	put_rec(sb, CPROF_RAW_NOTE, 0, &n, sizeof(n), "hello", 5, NULL, 0);
	struct cprof_raw_unmap u = {.start = 0x400000, .limit = 0x401000};
	put_rec(sb, CPROF_RAW_UNMAP, 0, &u, sizeof(u), NULL, 0, NULL, 0);
	struct cprof_raw_end e = {.samples_written = 1, .samples_dropped = 2};
	put_rec(sb, CPROF_RAW_END, 0, &e, sizeof(e), NULL, 0, NULL, 0);
	return 10;
}

/* Reads every record of an open reader and decodes it; returns how many
 * were read. */
static int read_records(raw_reader *r)
{
	cprof_err err;
	raw_rec rec;
	int count = 0;

	while (raw_next(r, &rec) == 1) {
		raw_info_rec info;
		raw_mapping_rec m;
		raw_thread_rec t;
		raw_sample_rec s;
		raw_labelset_rec ls;
		raw_note_rec note;
		struct cprof_raw_end e;
		struct cprof_raw_unmap u;
		raw_label l;
		size_t pos = 0;

		switch (rec.type) {
		case CPROF_RAW_INFO: assert_int_equal(raw_info(&rec, &info, &err), 0); break;
		case CPROF_RAW_MAPPING: assert_int_equal(raw_mapping(&rec, &m, &err), 0); break;
		case CPROF_RAW_THREAD: assert_int_equal(raw_thread(&rec, &t, &err), 0); break;
		case CPROF_RAW_SAMPLE: assert_int_equal(raw_sample(&rec, &s, &err), 0); break;
		case CPROF_RAW_LABELSET:
			assert_int_equal(raw_labelset(&rec, &ls, &err), 0);
			while (raw_labelset_get(&ls, &pos, &l))
				;
			break;
		case CPROF_RAW_NOTE: assert_int_equal(raw_note(&rec, &note, &err), 0); break;
		case CPROF_RAW_END: assert_int_equal(raw_end(&rec, &e, &err), 0); break;
		case CPROF_RAW_UNMAP: assert_int_equal(raw_unmap(&rec, &u, &err), 0); break;
		case CPROF_RAW_STACK: {
			raw_stack_rec st;
			assert_int_equal(raw_stack(&rec, &st, &err), 0);
			break;
		}
		case CPROF_RAW_STACK_SAMPLE: {
			raw_stack_sample_rec ss;
			assert_int_equal(raw_stack_sample(&rec, &ss, &err), 0);
			break;
		}
		default: fail_msg("unexpected type %u", rec.type);
		}
		count++;
	}
	return count;
}

static int read_all(const unsigned char *d, size_t n, raw_reader *r)
{
	cprof_err err;

	if (raw_open(r, d, n, &err) < 0)
		return -1;
	return read_records(r);
}

/* A file (in memory: memfd) holding d[0..n). */
static int file_of(const void *d, size_t n)
{
	int fd = memfd_create("rawfile-test", 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, d, n), (ssize_t)n);
	return fd;
}

/* The same as read_all, through a descriptor read in chunks of `chunk`
 * bytes; *same says whether the reader ended as the in-memory one did. */
static int read_all_fd(const unsigned char *d, size_t n, size_t chunk, const raw_reader *mem,
		       bool *same)
{
	cprof_err err;
	raw_reader r;
	int fd = file_of(d, n), got = -1;

	if (raw_open_fd(&r, fd, n, chunk, &err) == 0) {
		got = read_records(&r);
		*same = r.truncated == mem->truncated && r.zero_tail == mem->zero_tail &&
			r.ended == mem->ended && r.stop_offset == mem->stop_offset &&
			r.nincomplete == mem->nincomplete && r.nunknown == mem->nunknown;
	}
	raw_close(&r);
	close(fd);
	return got;
}

static void test_reads_every_record_type(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	int want = build_file(&sb);
	raw_reader r;
	raw_rec rec;
	cprof_err err;

	assert_true(raw_looks_like((unsigned char *)sb.buf, sb.len));
	assert_int_equal(read_all((unsigned char *)sb.buf, sb.len, &r), want);
	assert_true(r.ended);
	assert_false(r.truncated);
	assert_int_equal(r.stop_offset, sb.len);
	strbuf d = STRBUF_INIT;
	raw_describe_end(&r, &d);
	assert_string_equal(d.buf, "");
	sb_release(&d);

	/* decoded values */
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), 0);
	assert_int_equal(raw_next(&r, &rec), 1);
	raw_info_rec info;
	assert_int_equal(raw_info(&rec, &info, &err), 0);
	assert_int_equal(info.h.period_ns, 10000000);
	assert_int_equal(info.exe_len, 8);
	assert_memory_equal(info.exe, "/bin/abc", 8);
	assert_int_equal(info.cmdline_len, 6);
	assert_memory_equal(info.cmdline, "abc\0002", 6);
	assert_int_equal(raw_next(&r, &rec), 1);
	raw_mapping_rec m;
	assert_int_equal(raw_mapping(&rec, &m, &err), 0);
	assert_int_equal(m.h.start, 0x400000);
	assert_memory_equal(m.build_id, bid, 4);
	assert_memory_equal(m.path, "/bin/abc", m.h.path_len);
	assert_int_equal(raw_next(&r, &rec), 1);
	raw_thread_rec t;
	assert_int_equal(raw_thread(&rec, &t, &err), 0);
	assert_string_equal(t.name, "abcdefghijklmnop");
	assert_int_equal(raw_next(&r, &rec), 1);
	raw_labelset_rec ls;
	assert_int_equal(raw_labelset(&rec, &ls, &err), 0);
	size_t pos = 0;
	raw_label l;
	assert_int_equal(raw_labelset_get(&ls, &pos, &l), 1);
	assert_int_equal(l.key_len, 3);
	assert_memory_equal(l.key, "key", 3);
	assert_memory_equal(l.value, "v1", 2);
	assert_int_equal(raw_labelset_get(&ls, &pos, &l), 1);
	assert_memory_equal(l.key, "k", 1);
	assert_int_equal(l.value_len, 0);
	assert_int_equal(raw_labelset_get(&ls, &pos, &l), 0);
	assert_int_equal(raw_next(&r, &rec), 1);
	raw_sample_rec s;
	assert_int_equal(raw_sample(&rec, &s, &err), 0);
	assert_int_equal(s.h.nframes, 3);
	assert_int_equal(raw_sample_frame(&s, 0), 0x400123);
	assert_int_equal(raw_sample_frame(&s, 2), 0x400789);
	assert_string_equal(raw_type_name(rec.type), "SAMPLE");
	assert_int_equal(raw_next(&r, &rec), 1);
	raw_stack_rec st;
	assert_int_equal(raw_stack(&rec, &st, &err), 0);
	assert_int_equal(st.h.id, 9);
	assert_int_equal(st.h.nframes, 3);
	assert_int_equal(st.h.sflags, CPROF_SAMPLE_TRUNCATED);
	assert_int_equal(raw_frame(st.frames, 1), 0x400456);
	assert_string_equal(raw_type_name(rec.type), "STACK");
	assert_int_equal(raw_next(&r, &rec), 1);
	raw_stack_sample_rec ss;
	assert_int_equal(raw_stack_sample(&rec, &ss, &err), 0);
	assert_int_equal(ss.h.time_ns, 6);
	assert_int_equal(ss.h.stack, 9);
	assert_true(ss.has_weight);
	assert_int_equal(ss.weight_ns, 1234);
	assert_int_equal(ss.labelset, 1);
	assert_int_equal(ss.sflags, CPROF_SAMPLE_OFFCPU);
	assert_int_equal(8 + rec.body_len, 40); /* 24 + 8 + 4, padded */
	/* a decoder refuses the wrong type */
	assert_int_equal(raw_note(&rec, &(raw_note_rec){0}, &err), -1);
	assert_non_null(strstr(err.msg, "not NOTE"));
	sb_release(&sb);
}

/* The heart of crash safety: any prefix reads up to its last complete
 * record and says where it stopped; nothing crashes (ASan watches). */
static void test_truncation_at_every_offset(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	int want = build_file(&sb);
	size_t *ends = calloc(want + 1, sizeof(size_t));
	raw_reader r;
	raw_rec rec;
	cprof_err err;
	int k = 0;

	/* record end offsets */
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), 0);
	while (raw_next(&r, &rec) == 1)
		ends[k++] = r.off;
	for (size_t cut = 0; cut <= sb.len; cut++) {
		/* an exact-size copy so ASan catches any read past the cut */
		unsigned char *copy = malloc(cut ? cut : 1);
		memcpy(copy, sb.buf, cut);
		int got = read_all(copy, cut, &r);
		/* a file read in chunks (records straddling them) reads the same */
		for (size_t chunk = 8; chunk <= 64; chunk *= 2) {
			bool same = false;
			assert_int_equal(read_all_fd(copy, cut, chunk, &r, &same), got);
			if (got >= 0)
				assert_true(same);
		}
		if (cut < sizeof(struct cprof_raw_file_header)) {
			assert_int_equal(got, -1);
		} else {
			int complete = 0;
			while (complete < want && ends[complete] <= cut)
				complete++;
			assert_int_equal(got, complete);
			bool at_boundary = cut == sizeof(struct cprof_raw_file_header) ||
					   (complete > 0 && ends[complete - 1] == cut);
			assert_int_equal(r.truncated, !at_boundary);
			assert_int_equal(r.stop_offset,
					 complete ? ends[complete - 1] : sizeof(struct cprof_raw_file_header));
			assert_int_equal(r.ended, complete == want);
			strbuf d = STRBUF_INIT;
			raw_describe_end(&r, &d);
			if (complete < want)
				assert_non_null(strstr(d.buf, r.truncated ? "truncated at byte" : "no END record"));
			sb_release(&d);
		}
		free(copy);
	}
	free(ends);
	sb_release(&sb);
}

static void test_zero_tail_and_incomplete_records(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	raw_reader r;

	put_hdr(&sb);
	struct cprof_raw_thread t = {.tid = 1};
	put_rec(&sb, CPROF_RAW_THREAD, 0, &t, sizeof(t), NULL, 0, NULL, 0);
	/* reserved but never completed: type 0 */
	put_rec(&sb, CPROF_RAW_INCOMPLETE, 0, &t, sizeof(t), NULL, 0, NULL, 0);
	/* an unknown future type */
	put_rec(&sb, 999, 0, &t, sizeof(t), NULL, 0, NULL, 0);
	put_rec(&sb, CPROF_RAW_THREAD, 0, &t, sizeof(t), NULL, 0, NULL, 0);
	size_t data_end = sb.len;
	/* the zero tail of a file extended ahead of its writer */
	for (int i = 0; i < 4096 + 3; i++)
		sb_addc(&sb, 0);
	assert_int_equal(read_all((unsigned char *)sb.buf, sb.len, &r), 2);
	assert_int_equal(r.nincomplete, 1);
	assert_int_equal(r.nunknown, 1);
	assert_true(r.zero_tail);
	assert_false(r.truncated);
	assert_false(r.ended);
	assert_int_equal(r.stop_offset, data_end);
	strbuf d = STRBUF_INIT;
	raw_describe_end(&r, &d);
	assert_non_null(strstr(d.buf, "no END record"));
	assert_non_null(strstr(d.buf, "1 incomplete"));
	sb_release(&d);
	/* a zero tail shorter than a record header */
	assert_int_equal(read_all((unsigned char *)sb.buf, data_end + 5, &r), 2);
	assert_true(r.zero_tail);
	assert_false(r.truncated);
	sb_release(&sb);
}

/* A file cut by someone else while it is read in chunks: an error that
 * says so, never a crash (a mapping would raise SIGBUS). A second pass
 * (raw_rewind) reads the same records, however much the file grew. */
static void test_file_shrinks_under_the_reader(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	int want = build_file(&sb);
	int fd = file_of(sb.buf, sb.len);
	raw_reader r;
	raw_rec rec;
	cprof_err err;

	assert_int_equal(raw_open_fd(&r, fd, sb.len, 64, &err), 0);
	assert_int_equal(read_records(&r), want);
	raw_rewind(&r, r.stop_offset);
	assert_int_equal(write(fd, sb.buf, 64), 64); /* a writer adds more */
	assert_int_equal(read_records(&r), want);
	raw_rewind(&r, r.stop_offset);
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(ftruncate(fd, 100), 0);
	int k;
	while ((k = raw_next(&r, &rec)) == 1)
		;
	assert_int_equal(k, -1);
	assert_non_null(strstr(r.error.msg, "shrank from"));
	assert_non_null(strstr(r.error.msg, "to 100 bytes while being read"));
	assert_int_equal(raw_next(&r, &rec), 0);
	raw_close(&r);
	close(fd);
	sb_release(&sb);
}

static void test_bad_headers(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	raw_reader r;
	cprof_err err;
	struct cprof_raw_file_header *h;

	put_hdr(&sb);
	h = (struct cprof_raw_file_header *)sb.buf;
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), 0);
	h->bom = __builtin_bswap32(CPROF_RAW_BOM);
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), -1);
	assert_non_null(strstr(err.msg, "big-endian"));
	h->bom = CPROF_RAW_BOM;
	h->version = CPROF_RAW_VERSION + 1;
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), -1);
	assert_non_null(strstr(err.msg, "newer than this reader"));
	h->version = CPROF_RAW_VERSION;
	h->hdr_size = 4096;
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), -1);
	h->hdr_size = 12;
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), -1);
	h->hdr_size = 16;
	sb.buf[0] = 'X';
	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), -1);
	assert_non_null(strstr(err.msg, "bad magic"));
	assert_int_equal(raw_open(&r, (const unsigned char *)"", 0, &err), -1);
	assert_int_equal(raw_open(&r, (const unsigned char *)"CPROF", 5, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));
	sb_release(&sb);
}

static void test_bad_sizes_stop_reading(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	raw_reader r;
	struct cprof_raw_thread t = {.tid = 1};

	put_hdr(&sb);
	put_rec(&sb, CPROF_RAW_THREAD, 0, &t, sizeof(t), NULL, 0, NULL, 0);
	size_t at = put_rec(&sb, CPROF_RAW_THREAD, 0, &t, sizeof(t), NULL, 0, NULL, 0);
	struct cprof_raw_rec *h = (struct cprof_raw_rec *)(sb.buf + at);
	uint32_t bad[] = {4, 13, 0xfffffff8u};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		h->size = bad[i];
		assert_int_equal(read_all((unsigned char *)sb.buf, sb.len, &r), 1);
		assert_true(r.truncated);
		assert_int_equal(r.stop_offset, at);
	}
	sb_release(&sb);
}

static void test_malformed_bodies_are_errors(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	raw_reader r;
	raw_rec rec;
	cprof_err err;

	put_hdr(&sb);
	/* a sample claiming more frames than it holds */
	struct cprof_raw_sample s = {.nframes = 4};
	uint64_t fr[2] = {1, 2};
	put_rec(&sb, CPROF_RAW_SAMPLE, 0, &s, sizeof(s), fr, sizeof(fr), NULL, 0);
	/* a label set whose count is a lie */
	struct cprof_raw_labelset ls = {.id = 1, .count = 1000};
	put_rec(&sb, CPROF_RAW_LABELSET, 0, &ls, sizeof(ls), "\x01\x00\x01\x00" "ab", 6, NULL, 0);
	/* a label whose text runs past the record */
	struct cprof_raw_labelset ls2 = {.id = 2, .count = 1};
	put_rec(&sb, CPROF_RAW_LABELSET, 0, &ls2, sizeof(ls2), "\xff\x00\x01\x00" "ab", 6, NULL, 0);
	/* an INFO whose exe length runs past the record */
	struct cprof_raw_info info = {.exe_len = 1000};
	put_rec(&sb, CPROF_RAW_INFO, 0, &info, sizeof(info), NULL, 0, NULL, 0);
	/* a mapping too short for its fixed part */
	put_rec(&sb, CPROF_RAW_MAPPING, 0, "abcdefgh", 8, NULL, 0, NULL, 0);
	/* a note whose text runs past */
	struct cprof_raw_note n = {.len = 100};
	put_rec(&sb, CPROF_RAW_NOTE, 0, &n, sizeof(n), NULL, 0, NULL, 0);
	/* v2: a stack with id 0; one claiming more frames than it holds; a
	 * stack sample whose flags promise a weight and labels it lacks */
	struct cprof_raw_stack st0 = {.id = 0, .nframes = 1};
	put_rec(&sb, CPROF_RAW_STACK, 0, &st0, sizeof(st0), fr, 8, NULL, 0);
	struct cprof_raw_stack st1 = {.id = 1, .nframes = 3};
	put_rec(&sb, CPROF_RAW_STACK, 0, &st1, sizeof(st1), fr, 16, NULL, 0);
	struct cprof_raw_stack_sample ss = {.stack = 1};
	uint64_t w = 5;
	put_rec(&sb, CPROF_RAW_STACK_SAMPLE, CPROF_SSAMPLE_WEIGHT | CPROF_SSAMPLE_LABELS, &ss,
		sizeof(ss), &w, 8, NULL, 0);

	assert_int_equal(raw_open(&r, (unsigned char *)sb.buf, sb.len, &err), 0);
	raw_sample_rec sr;
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_sample(&rec, &sr, &err), -1);
	assert_non_null(strstr(err.msg, "frame list"));
	raw_labelset_rec lr;
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_labelset(&rec, &lr, &err), -1);
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_labelset(&rec, &lr, &err), -1);
	assert_non_null(strstr(err.msg, "label text"));
	raw_info_rec ir;
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_info(&rec, &ir, &err), -1);
	assert_non_null(strstr(err.msg, "executable path"));
	raw_mapping_rec mr;
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_mapping(&rec, &mr, &err), -1);
	assert_non_null(strstr(err.msg, "too short"));
	raw_note_rec nr;
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_note(&rec, &nr, &err), -1);
	raw_stack_rec str;
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_stack(&rec, &str, &err), -1);
	assert_non_null(strstr(err.msg, "id 0"));
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_stack(&rec, &str, &err), -1);
	assert_non_null(strstr(err.msg, "frame list"));
	raw_stack_sample_rec ssr;
	assert_int_equal(raw_next(&r, &rec), 1);
	assert_int_equal(raw_stack_sample(&rec, &ssr, &err), -1);
	assert_non_null(strstr(err.msg, "weight or label set"));
	assert_int_equal(raw_next(&r, &rec), 0);
	assert_false(r.truncated);
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_every_record_type),
		cmocka_unit_test(test_truncation_at_every_offset),
		cmocka_unit_test(test_zero_tail_and_incomplete_records),
		cmocka_unit_test(test_file_shrinks_under_the_reader),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_sizes_stop_reading),
		cmocka_unit_test(test_malformed_bodies_are_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
