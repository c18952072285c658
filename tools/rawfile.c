/*
 * rawfile: the record-level raw file reader. See rawfile.h for the
 * guarantees; the rule here is simple: no byte is read before the check
 * that it lies inside the buffer, and sizes are compared by subtraction
 * from what is left, never by adding to an offset that could overflow.
 *
 * Structs are filled with memcpy from the buffer, which may be unaligned
 * (a file read into any buffer). A file read from a descriptor is seen
 * through a window (window()): every byte is asked for there, after the
 * same checks against the file's length. Files are little-endian (the header's
 * byte-order mark says so) and so are the hosts this reader supports.
 */
#include "rawfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC_HDR ((size_t)sizeof(struct cprof_raw_rec))

bool raw_looks_like(const unsigned char *d, size_t n)
{
	if (n < 8 || memcmp(d, CPROF_RAW_MAGIC, 8) != 0)
		return false;
	/* The header after the magic (version, size, byte-order mark) always
	 * has bytes below 0x20; text that starts with the magic (a folded
	 * stack whose first frame is "CPROFRAW...") is not a raw file. */
	for (size_t i = 8; i < n && i < 16; i++)
		if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r')
			return true;
	return n <= 8;
}

/* The header checks, on the first bytes of the file (n of them, the file's
 * length len: a file is never shorter than what was read of it). */
static int check_header(raw_reader *r, const unsigned char *d, size_t n, cprof_err *err)
{
	struct cprof_raw_file_header h;

	if (n == 0)
		return cprof_fail(err, "empty file (no raw file header)");
	if (n < 8 ? memcmp(d, CPROF_RAW_MAGIC, n) != 0 : !raw_looks_like(d, n))
		return cprof_fail(err, "not a cprof raw file (bad magic)");
	if (n < sizeof(h))
		return cprof_fail(err, "raw file header truncated at byte %zu", n);
	memcpy(&h, d, sizeof(h));
	if (h.bom != CPROF_RAW_BOM) {
		if (h.bom == __builtin_bswap32(CPROF_RAW_BOM))
			return cprof_fail(err, "raw file is big-endian; only little-endian files are supported");
		return cprof_fail(err, "raw file has a bad byte-order mark 0x%08x", (unsigned)h.bom);
	}
	if (h.version == 0 || h.version > CPROF_RAW_VERSION)
		return cprof_fail(err, "raw file version %u is newer than this reader (%u)",
				  (unsigned)h.version, (unsigned)CPROF_RAW_VERSION);
	if (h.hdr_size < sizeof(h) || h.hdr_size % 8 != 0)
		return cprof_fail(err, "raw file header size %u is invalid", (unsigned)h.hdr_size);
	if (h.hdr_size > r->len)
		return cprof_fail(err, "raw file header truncated at byte %zu", r->len);
	r->version = h.version;
	r->hdr_size = h.hdr_size;
	r->off = h.hdr_size;
	r->stop_offset = r->off;
	return 0;
}

int raw_open(raw_reader *r, const unsigned char *d, size_t n, cprof_err *err)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->win = d;
	r->win_len = r->len = n;
	return check_header(r, d, n, err);
}

#define DEFAULT_CHUNK ((size_t)1 << 20)

/* Makes bytes [off, off + need) of the file available in the window and
 * returns them, or NULL with r->error. The caller has checked that they lie
 * below r->len, so in memory they always are. */
static const unsigned char *window(raw_reader *r, size_t off, size_t need)
{
	if (off >= r->win_off && need <= r->win_len && off - r->win_off <= r->win_len - need)
		return r->win + (off - r->win_off);
	if (r->fd < 0) { /* cannot happen: r->len is the buffer's length */
		cprof_fail(&r->error, "read past the end of the buffer at byte %zu", off);
		return NULL;
	}
	size_t want = need > r->chunk ? need : r->chunk;
	if (want > r->len - off)
		want = r->len - off;
	if (want > r->buf_cap) {
		free(r->buf);
		r->buf = xmalloc(want);
		r->buf_cap = want;
	}
	size_t got = 0;
	while (got < want) {
		ssize_t k = pread(r->fd, r->buf + got, want - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			cprof_fail(&r->error, "read error at byte %zu: %s", off + got, strerror(errno));
			return NULL;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->win = r->buf;
	r->win_off = off;
	r->win_len = got;
	if (got < need) {
		struct stat st;
		if (fstat(r->fd, &st) == 0)
			cprof_fail(&r->error, "the file shrank from %zu to %jd bytes while being read",
				   r->len, (intmax_t)st.st_size);
		else
			cprof_fail(&r->error, "the file shrank below %zu bytes while being read", r->len);
		return NULL;
	}
	return r->win;
}

int raw_open_fd(raw_reader *r, int fd, size_t size, size_t chunk, cprof_err *err)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->len = size;
	r->chunk = chunk ? chunk : DEFAULT_CHUNK;
	size_t head = size < sizeof(struct cprof_raw_file_header) ? size : sizeof(struct cprof_raw_file_header);
	const unsigned char *d = head ? window(r, 0, head) : (const unsigned char *)"";
	if (!d) {
		if (err)
			*err = r->error;
		return -1;
	}
	return check_header(r, d, head, err);
}

void raw_close(raw_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->buf_cap = 0;
	r->win = NULL;
	r->win_len = 0;
}

void raw_rewind(raw_reader *r, size_t limit)
{
	if (limit < r->len)
		r->len = limit;
	r->off = r->stop_offset = r->hdr_size;
	r->done = r->ended = r->zero_tail = r->truncated = false;
	r->nrecords = r->nincomplete = r->nunknown = 0;
}

static int stop(raw_reader *r, bool truncated, bool zero_tail)
{
	r->done = true;
	r->truncated = truncated;
	r->zero_tail = zero_tail;
	r->stop_offset = r->off;
	return 0;
}

static int fail(raw_reader *r)
{
	r->done = true;
	r->stop_offset = r->off;
	return -1;
}

int raw_next(raw_reader *r, raw_rec *rec)
{
	for (;;) {
		struct cprof_raw_rec h;
		const unsigned char *d;
		size_t left;

		if (r->done)
			return 0;
		if (r->off >= r->len) {
			r->done = true;
			r->stop_offset = r->len;
			return 0;
		}
		left = r->len - r->off;
		if (left < REC_HDR) {
			/* A tail of zero bytes shorter than a header is a zero
			 * tail too; anything else is a record cut short. */
			bool zeros = true;
			if (!(d = window(r, r->off, left)))
				return fail(r);
			for (size_t i = 0; i < left; i++)
				zeros = zeros && d[i] == 0;
			return stop(r, !zeros, zeros);
		}
		if (!(d = window(r, r->off, REC_HDR)))
			return fail(r);
		memcpy(&h, d, REC_HDR);
		if (h.size == 0)
			return stop(r, false, true);
		if (h.size < REC_HDR || h.size % 8 != 0 || h.size > left)
			return stop(r, true, false);
		if (h.type == CPROF_RAW_INCOMPLETE || h.type > CPROF_RAW_STACK_SAMPLE) {
			if (h.type == CPROF_RAW_INCOMPLETE)
				r->nincomplete++;
			else
				r->nunknown++;
			r->off += h.size;
			continue;
		}
		if (!(d = window(r, r->off, h.size)))
			return fail(r);
		rec->offset = r->off;
		rec->type = h.type;
		rec->flags = h.flags;
		rec->body = d + REC_HDR;
		rec->body_len = h.size - REC_HDR;
		r->off += h.size;
		r->stop_offset = r->off;
		r->nrecords++;
		if (h.type == CPROF_RAW_END)
			r->ended = true;
		return 1;
	}
}

void raw_describe_end(const raw_reader *r, strbuf *sb)
{
	if (r->truncated)
		sb_addf(sb, "truncated at byte %zu of %zu: read %llu records", r->stop_offset,
			r->len, (unsigned long long)r->nrecords);
	else if (!r->ended)
		sb_addf(sb, "no END record (recording did not finish cleanly): read %llu records",
			(unsigned long long)r->nrecords);
	if (r->nincomplete)
		sb_addf(sb, "%s%llu incomplete records skipped", sb->len ? "; " : "",
			(unsigned long long)r->nincomplete);
}

/* ---- typed decoders ---------------------------------------------------- */

static int want_type(const raw_rec *rec, uint16_t type, size_t fixed, cprof_err *err)
{
	if (rec->type != type)
		return cprof_fail(err, "record at byte %zu is %s, not %s", rec->offset,
				  raw_type_name(rec->type), raw_type_name(type));
	if (rec->body_len < fixed)
		return cprof_fail(err, "%s record at byte %zu is too short (%zu bytes, need %zu)",
				  raw_type_name(type), rec->offset, rec->body_len, fixed);
	return 0;
}

static int bad_len(const raw_rec *rec, const char *what, cprof_err *err)
{
	return cprof_fail(err, "%s record at byte %zu: %s runs past the record",
			  raw_type_name(rec->type), rec->offset, what);
}

int raw_info(const raw_rec *rec, raw_info_rec *out, cprof_err *err)
{
	size_t fixed = sizeof(out->h), left;

	if (want_type(rec, CPROF_RAW_INFO, fixed, err))
		return -1;
	memcpy(&out->h, rec->body, fixed);
	left = rec->body_len - fixed;
	if (out->h.exe_len > left)
		return bad_len(rec, "executable path", err);
	left -= out->h.exe_len;
	if (out->h.cmdline_len > left)
		return bad_len(rec, "command line", err);
	out->exe = (const char *)rec->body + fixed;
	out->exe_len = out->h.exe_len;
	out->cmdline = out->exe + out->exe_len;
	out->cmdline_len = out->h.cmdline_len;
	return 0;
}

int raw_mapping(const raw_rec *rec, raw_mapping_rec *out, cprof_err *err)
{
	size_t fixed = sizeof(out->h), left;

	if (want_type(rec, CPROF_RAW_MAPPING, fixed, err))
		return -1;
	memcpy(&out->h, rec->body, fixed);
	left = rec->body_len - fixed;
	if (out->h.build_id_len > left)
		return bad_len(rec, "build-id", err);
	left -= out->h.build_id_len;
	if (out->h.path_len > left)
		return bad_len(rec, "path", err);
	if (out->h.limit < out->h.start)
		return cprof_fail(err, "MAPPING record at byte %zu: limit is below start", rec->offset);
	out->build_id = rec->body + fixed;
	out->path = (const char *)out->build_id + out->h.build_id_len;
	return 0;
}

int raw_thread(const raw_rec *rec, raw_thread_rec *out, cprof_err *err)
{
	if (want_type(rec, CPROF_RAW_THREAD, sizeof(out->h), err))
		return -1;
	memcpy(&out->h, rec->body, sizeof(out->h));
	memcpy(out->name, out->h.name, sizeof(out->h.name));
	out->name[sizeof(out->h.name)] = 0;
	return 0;
}

int raw_sample(const raw_rec *rec, raw_sample_rec *out, cprof_err *err)
{
	size_t fixed = sizeof(out->h);

	if (want_type(rec, CPROF_RAW_SAMPLE, fixed, err))
		return -1;
	memcpy(&out->h, rec->body, fixed);
	if (out->h.nframes > CPROF_RAW_MAX_FRAMES)
		return cprof_fail(err, "SAMPLE record at byte %zu: %u frames (at most %u)",
				  rec->offset, (unsigned)out->h.nframes, (unsigned)CPROF_RAW_MAX_FRAMES);
	if ((size_t)out->h.nframes * 8 > rec->body_len - fixed)
		return bad_len(rec, "frame list", err);
	out->frames = rec->body + fixed;
	return 0;
}

uint64_t raw_sample_frame(const raw_sample_rec *s, uint32_t i)
{
	return raw_frame(s->frames, i);
}

uint64_t raw_frame(const unsigned char *frames, uint32_t i)
{
	const unsigned char *p = frames + (size_t)i * 8;
	uint64_t v = 0;

	for (int b = 7; b >= 0; b--)
		v = v << 8 | p[b];
	return v;
}

int raw_stack(const raw_rec *rec, raw_stack_rec *out, cprof_err *err)
{
	size_t fixed = sizeof(out->h);

	if (want_type(rec, CPROF_RAW_STACK, fixed, err))
		return -1;
	memcpy(&out->h, rec->body, fixed);
	if (out->h.id == 0)
		return cprof_fail(err, "STACK record at byte %zu has id 0", rec->offset);
	if (out->h.nframes > CPROF_RAW_MAX_FRAMES)
		return cprof_fail(err, "STACK record at byte %zu: %u frames (at most %u)", rec->offset,
				  (unsigned)out->h.nframes, (unsigned)CPROF_RAW_MAX_FRAMES);
	if ((size_t)out->h.nframes * 8 > rec->body_len - fixed)
		return bad_len(rec, "frame list", err);
	out->frames = rec->body + fixed;
	return 0;
}

int raw_stack_sample(const raw_rec *rec, raw_stack_sample_rec *out, cprof_err *err)
{
	size_t fixed = sizeof(out->h), need = fixed;

	if (want_type(rec, CPROF_RAW_STACK_SAMPLE, fixed, err))
		return -1;
	memcpy(&out->h, rec->body, fixed);
	out->has_weight = (rec->flags & CPROF_SSAMPLE_WEIGHT) != 0;
	out->weight_ns = 0;
	out->labelset = 0;
	out->sflags = (rec->flags & CPROF_SSAMPLE_OFFCPU) ? CPROF_SAMPLE_OFFCPU : 0;
	need += out->has_weight ? 8 : 0;
	need += (rec->flags & CPROF_SSAMPLE_LABELS) ? 4 : 0;
	if (need > rec->body_len)
		return bad_len(rec, "weight or label set", err);
	if (out->has_weight)
		memcpy(&out->weight_ns, rec->body + fixed, 8);
	if (rec->flags & CPROF_SSAMPLE_LABELS)
		memcpy(&out->labelset, rec->body + fixed + (out->has_weight ? 8 : 0), 4);
	return 0;
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int raw_labelset(const raw_rec *rec, raw_labelset_rec *out, cprof_err *err)
{
	size_t fixed = sizeof(out->h), pos = 0, left;

	if (want_type(rec, CPROF_RAW_LABELSET, fixed, err))
		return -1;
	memcpy(&out->h, rec->body, fixed);
	if (out->h.id == 0)
		return cprof_fail(err, "LABELSET record at byte %zu has id 0", rec->offset);
	out->entries = rec->body + fixed;
	left = rec->body_len - fixed;
	/* Each entry takes at least 4 bytes: a count beyond that is a lie. */
	if (out->h.count > left / 4)
		return bad_len(rec, "label list", err);
	for (uint32_t i = 0; i < out->h.count; i++) {
		size_t klen, vlen;

		if (left - pos < 4)
			return bad_len(rec, "label entry", err);
		klen = get16(out->entries + pos);
		vlen = get16(out->entries + pos + 2);
		pos += 4;
		if (klen > left - pos || vlen > left - pos - klen)
			return bad_len(rec, "label text", err);
		pos += klen + vlen;
	}
	out->entries_len = pos;
	return 0;
}

int raw_labelset_get(const raw_labelset_rec *ls, size_t *pos, raw_label *out)
{
	size_t p = *pos;

	if (p + 4 > ls->entries_len)
		return 0;
	out->key_len = get16(ls->entries + p);
	out->value_len = get16(ls->entries + p + 2);
	out->key = (const char *)ls->entries + p + 4;
	out->value = out->key + out->key_len;
	*pos = p + 4 + out->key_len + out->value_len;
	return 1;
}

int raw_end(const raw_rec *rec, struct cprof_raw_end *out, cprof_err *err)
{
	if (want_type(rec, CPROF_RAW_END, sizeof(*out), err))
		return -1;
	memcpy(out, rec->body, sizeof(*out));
	return 0;
}

int raw_note(const raw_rec *rec, raw_note_rec *out, cprof_err *err)
{
	size_t fixed = sizeof(out->h);

	if (want_type(rec, CPROF_RAW_NOTE, fixed, err))
		return -1;
	memcpy(&out->h, rec->body, fixed);
	if (out->h.len > rec->body_len - fixed)
		return bad_len(rec, "text", err);
	out->text = (const char *)rec->body + fixed;
	return 0;
}

int raw_unmap(const raw_rec *rec, struct cprof_raw_unmap *out, cprof_err *err)
{
	if (want_type(rec, CPROF_RAW_UNMAP, sizeof(*out), err))
		return -1;
	memcpy(out, rec->body, sizeof(*out));
	return 0;
}

const char *raw_type_name(uint16_t type)
{
	static const char *const names[] = {
		[CPROF_RAW_INCOMPLETE] = "INCOMPLETE", [CPROF_RAW_INFO] = "INFO",
		[CPROF_RAW_MAPPING] = "MAPPING",       [CPROF_RAW_THREAD] = "THREAD",
		[CPROF_RAW_SAMPLE] = "SAMPLE",         [CPROF_RAW_LABELSET] = "LABELSET",
		[CPROF_RAW_END] = "END",               [CPROF_RAW_NOTE] = "NOTE",
		[CPROF_RAW_UNMAP] = "UNMAP",           [CPROF_RAW_STACK] = "STACK",
		[CPROF_RAW_STACK_SAMPLE] = "STACK_SAMPLE",
	};
	return type < ARRAY_SIZE(names) ? names[type] : "UNKNOWN";
}
