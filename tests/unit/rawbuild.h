/* Test helper (header-only): builds raw files in memory, record by record,
 * exactly as include/cprof_rawfmt.h lays them out. Used by test_rawread.c
 * and test_symbolize.c. */
#ifndef CPROF_TEST_RAWBUILD_H
#define CPROF_TEST_RAWBUILD_H

#include <string.h>

#include "cprof_rawfmt.h"
#include "util.h"

/* The file header of a version-`version` file (1: SAMPLE records only, as
 * recorders before STACK records wrote). */
static inline void rb_header_v(strbuf *sb, uint16_t version)
{
	struct cprof_raw_file_header h;
	memcpy(h.magic, CPROF_RAW_MAGIC, 8);
	h.version = version;
	h.hdr_size = sizeof(h);
	h.bom = CPROF_RAW_BOM;
	sb_add(sb, &h, sizeof(h));
}

static inline void rb_header(strbuf *sb)
{
	rb_header_v(sb, CPROF_RAW_VERSION);
}

/* Appends a record of `type` whose body is the concatenation of the parts. */
static inline void rb_rec(strbuf *sb, uint16_t type, const void *a, size_t an, const void *b,
			  size_t bn, const void *c, size_t cn)
{
	size_t size = CPROF_RAW_ALIGN(8 + an + bn + cn);
	struct cprof_raw_rec r = { (uint32_t)size, type, 0 };
	sb_add(sb, &r, sizeof(r));
	if (an)
		sb_add(sb, a, an);
	if (bn)
		sb_add(sb, b, bn);
	if (cn)
		sb_add(sb, c, cn);
	static const char zero[8];
	sb_add(sb, zero, size - 8 - an - bn - cn);
}

static inline void rb_info(strbuf *sb, uint64_t period, uint64_t t0, uint8_t mode, const char *exe,
			   const char *cmdline, size_t cmdline_len)
{
	struct cprof_raw_info in = { 0 };
	in.period_ns = period;
	in.start_realtime_ns = 1700000000000000000ULL;
	in.start_monotonic_ns = t0;
	in.hz = (uint32_t)(1000000000ULL / period);
	in.pid = 4242;
	in.ppid = 1;
	in.timer = CPROF_TIMER_PERF_EVENT;
	in.mode = mode;
	in.unwinder = CPROF_UNWIND_LIBUNWIND;
	in.clock = 1;
	in.exe_len = (uint32_t)strlen(exe);
	in.cmdline_len = (uint32_t)cmdline_len;
	rb_rec(sb, CPROF_RAW_INFO, &in, sizeof(in), exe, in.exe_len, cmdline, cmdline_len);
}

static inline void rb_mapping(strbuf *sb, uint64_t t, uint64_t start, uint64_t limit,
			      uint64_t offset, const unsigned char *bid, size_t bidlen,
			      const char *path)
{
	struct cprof_raw_mapping m = { 0 };
	m.time_ns = t;
	m.start = start;
	m.limit = limit;
	m.offset = offset;
	m.build_id_len = (uint16_t)bidlen;
	m.path_len = (uint16_t)strlen(path);
	m.prot = 5;
	rb_rec(sb, CPROF_RAW_MAPPING, &m, sizeof(m), bid, bidlen, path, m.path_len);
}

static inline void rb_unmap(strbuf *sb, uint64_t t, uint64_t start, uint64_t limit)
{
	struct cprof_raw_unmap u = { t, start, limit };
	rb_rec(sb, CPROF_RAW_UNMAP, &u, sizeof(u), NULL, 0, NULL, 0);
}

static inline void rb_thread(strbuf *sb, uint64_t t, uint32_t tid, const char *name)
{
	struct cprof_raw_thread th = { 0 };
	th.time_ns = t;
	th.tid = tid;
	size_t len = strlen(name);
	memcpy(th.name, name, len < sizeof(th.name) ? len : sizeof(th.name));
	rb_rec(sb, CPROF_RAW_THREAD, &th, sizeof(th), NULL, 0, NULL, 0);
}

static inline void rb_sample(strbuf *sb, uint64_t t, uint32_t tid, uint64_t weight,
			     uint32_t labelset, uint16_t sflags, const uint64_t *frames,
			     uint16_t n)
{
	struct cprof_raw_sample s = { 0 };
	s.time_ns = t;
	s.weight_ns = weight;
	s.tid = tid;
	s.labelset = labelset;
	s.nframes = n;
	s.sflags = sflags;
	rb_rec(sb, CPROF_RAW_SAMPLE, &s, sizeof(s), frames, (size_t)n * 8, NULL, 0);
}

/* v2: a STACK record, and a STACK_SAMPLE naming one (the weight written
 * when it is not the period, the label set when not 0). */
static inline void rb_stack(strbuf *sb, uint32_t id, uint16_t sflags, const uint64_t *frames,
			    uint16_t n)
{
	struct cprof_raw_stack st = { id, n, sflags };
	rb_rec(sb, CPROF_RAW_STACK, &st, sizeof(st), frames, (size_t)n * 8, NULL, 0);
}

static inline void rb_stack_sample(strbuf *sb, uint64_t t, uint32_t tid, uint32_t stack,
				   uint64_t weight, uint64_t period, uint32_t labelset,
				   uint16_t sflags)
{
	struct cprof_raw_stack_sample ss = { t, tid, stack };
	uint16_t flags = (sflags & CPROF_SAMPLE_OFFCPU) ? CPROF_SSAMPLE_OFFCPU : 0;
	unsigned char opt[12];
	size_t no = 0;
	if (weight != period) {
		flags |= CPROF_SSAMPLE_WEIGHT;
		memcpy(opt, &weight, 8);
		no = 8;
	}
	if (labelset) {
		flags |= CPROF_SSAMPLE_LABELS;
		memcpy(opt + no, &labelset, 4);
		no += 4;
	}
	size_t at = sb->len;
	rb_rec(sb, CPROF_RAW_STACK_SAMPLE, &ss, sizeof(ss), opt, no, NULL, 0);
	memcpy(sb->buf + at + 6, &flags, 2);
}

/* labels: alternating key, value strings, npairs pairs */
static inline void rb_labelset(strbuf *sb, uint32_t id, const char *const *kv, uint32_t npairs)
{
	strbuf body = STRBUF_INIT;
	struct cprof_raw_labelset h = { id, npairs };
	sb_add(&body, &h, sizeof(h));
	for (uint32_t i = 0; i < npairs; i++) {
		uint16_t kl = (uint16_t)strlen(kv[2 * i]), vl = (uint16_t)strlen(kv[2 * i + 1]);
		sb_add(&body, &kl, 2);
		sb_add(&body, &vl, 2);
		sb_add(&body, kv[2 * i], kl);
		sb_add(&body, kv[2 * i + 1], vl);
	}
	rb_rec(sb, CPROF_RAW_LABELSET, body.buf, body.len, NULL, 0, NULL, 0);
	sb_release(&body);
}

static inline void rb_end(strbuf *sb, uint64_t t, uint64_t written, uint64_t dropped)
{
	struct cprof_raw_end e = { t, written, dropped, 0 };
	rb_rec(sb, CPROF_RAW_END, &e, sizeof(e), NULL, 0, NULL, 0);
}

static inline void rb_note(strbuf *sb, uint64_t t, const char *text)
{
	struct cprof_raw_note n = { t, 1, (uint32_t)strlen(text) };
	rb_rec(sb, CPROF_RAW_NOTE, &n, sizeof(n), text, n.len, NULL, 0);
}

#endif
