/*
 * rawfile: a bounds-checked, record-level reader of the raw file that
 * libsample writes (layout: include/cprof_rawfmt.h, docs/raw-format.md).
 *
 * It reads a file already in memory (raw_open: every pointer it hands out
 * points into the caller's buffer, which must outlive the reader) or an
 * open file descriptor in chunks (raw_open_fd: pread into a window of about
 * 1 MiB, so reading a file of any size costs the window, not the file; a
 * record's pointers stay valid until the next raw_next). It never maps the
 * file: a file cut by someone else while it is read gives an error, never
 * SIGBUS. It knows nothing of profiles; tools/rawread.c builds the model on
 * it.
 *
 * What it guarantees, for any input bytes whatsoever:
 *  - raw_open() checks the file header: bad magic, a newer version, a
 *    big-endian (or unknown) byte-order mark or a header cut short are
 *    errors (-1 with err).
 *  - raw_next() returns records one at a time. A record is handed out only
 *    if it lies wholly inside the file, its size is a multiple of 8 and at
 *    least the record header. Records of type 0 (reserved, never completed)
 *    and of unknown types are skipped and counted, never returned.
 *  - The data ends at the end of the file, at a record whose size is 0
 *    (the zeroed tail of a file whose writer never closed it), or where a
 *    record would run past the file's end or has an impossible size: then
 *    the reader stops there, sets `truncated` and `stop_offset`, and the
 *    caller reports a warning ("truncated at byte N: read M records"), not
 *    an error.
 *  - Reading from a descriptor, the file's length is the one given at
 *    raw_open_fd (a recording still being written grows into its zero
 *    tail, which reads as the end). If the file turns out shorter than
 *    that, or a read fails, raw_next returns -1 with `error` set ("the
 *    file shrank from N to M bytes while being read"); in memory it never
 *    fails.
 *  - The typed decoders (raw_info, raw_mapping, ...) check the body length
 *    against the fixed part and every variable-length part before they
 *    touch it, and return -1 with err (naming the record's offset) when a
 *    body is malformed. A malformed body is an error of that record only;
 *    the caller may skip it and go on.
 */
#ifndef CPROF_RAWFILE_H
#define CPROF_RAWFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cprof_rawfmt.h"
#include "util.h"

/* One record, as found in the buffer. */
typedef struct raw_rec {
	size_t offset;             /* of the record header from the file start */
	uint16_t type;             /* enum cprof_raw_type, never 0 */
	uint16_t flags;            /* per-type flags of the record header */
	const unsigned char *body; /* bytes after the 8-byte record header (in
				    * the reader's window: valid until the
				    * next raw_next) */
	size_t body_len;           /* size - 8 (includes any padding) */
} raw_rec;

/* The reader's state; fields are read-only for callers. */
typedef struct raw_reader {
	size_t len;         /* the file's length: where the data ends at most */
	size_t off;         /* next record's offset */
	uint16_t version;   /* from the file header */
	uint16_t hdr_size;  /* from the file header: where the first record is */
	bool done;          /* raw_next returned 0 */
	bool ended;         /* an END record was seen (clean end of recording) */
	bool zero_tail;     /* stopped at a size-0 record (writer never closed) */
	bool truncated;     /* stopped at a record cut short or with a bad size */
	size_t stop_offset; /* where reading stopped (== len when all was read) */
	uint64_t nrecords;  /* records returned so far */
	uint64_t nincomplete; /* type-0 records skipped */
	uint64_t nunknown;    /* records of unknown types skipped */
	cprof_err error;      /* why raw_next returned -1 */
	/* the bytes [win_off, win_off + win_len) of the file are at win: all
	 * of a file in memory, a chunk of one read from fd (else -1) */
	const unsigned char *win;
	size_t win_off, win_len;
	int fd;
	unsigned char *buf; /* the chunk buffer (raw_open_fd) */
	size_t buf_cap, chunk;
} raw_reader;

/* True if the buffer starts with the raw magic (format detection). */
bool raw_looks_like(const unsigned char *d, size_t n);

/* Checks the file header and positions the reader on the first record.
 * Returns 0, or -1 with err ("not a cprof raw file (bad magic)",
 * "raw file version 3 is newer than this reader (2)", "raw file is
 * big-endian; only little-endian files are supported", "raw file header
 * truncated at byte N"). */
int raw_open(raw_reader *r, const unsigned char *d, size_t n, cprof_err *err);

/* The same on an open file of size bytes (from fstat), read with pread in
 * chunks of `chunk` bytes (0: 1 MiB; a larger record gets a larger buffer).
 * The descriptor stays the caller's; release the reader with raw_close. */
int raw_open_fd(raw_reader *r, int fd, size_t size, size_t chunk, cprof_err *err);
void raw_close(raw_reader *r);

/* Starts again at the first record, reading no further than byte limit
 * (e.g. where a first pass stopped: a second pass then sees the same
 * records even if the writer has added more since). The counts and end
 * flags start again too. */
void raw_rewind(raw_reader *r, size_t limit);

/* Next complete record of a known type into *rec. Returns 1, or 0 at the end
 * of the data (see the flags above for why it ended), or -1 when the file
 * cannot be read (a descriptor only: r->error says why; then 0 after). The
 * record's pointers stay valid until the next call. */
int raw_next(raw_reader *r, raw_rec *rec);

/* A one-line description of how the data ended when it did not end with an
 * END record and the whole buffer, e.g. "truncated at byte 1234 of 2000:
 * read 12 records" or "no END record (recording did not finish cleanly):
 * read 12 records"; "" when the file is complete. Writes to sb. */
void raw_describe_end(const raw_reader *r, strbuf *sb);

/* ---- typed decoders -------------------------------------------------- */
/* Each checks rec->type and the body's bounds, fills *out with values
 * copied from the record (so unaligned bodies are fine) and pointers into
 * the buffer for variable-length parts; returns 0 or -1 with err. */

typedef struct raw_info_rec {
	struct cprof_raw_info h;
	const char *exe;     /* exe_len bytes, not NUL-terminated */
	size_t exe_len;
	const char *cmdline; /* cmdline_len bytes, arguments separated by NUL */
	size_t cmdline_len;
} raw_info_rec;
int raw_info(const raw_rec *rec, raw_info_rec *out, cprof_err *err);

typedef struct raw_mapping_rec {
	struct cprof_raw_mapping h;
	const unsigned char *build_id; /* h.build_id_len bytes */
	const char *path;              /* h.path_len bytes, not NUL-terminated */
} raw_mapping_rec;
int raw_mapping(const raw_rec *rec, raw_mapping_rec *out, cprof_err *err);

typedef struct raw_thread_rec {
	struct cprof_raw_thread h;
	char name[17]; /* h.name NUL-terminated */
} raw_thread_rec;
int raw_thread(const raw_rec *rec, raw_thread_rec *out, cprof_err *err);

typedef struct raw_sample_rec {
	struct cprof_raw_sample h;
	const unsigned char *frames; /* h.nframes little-endian uint64, leaf first */
} raw_sample_rec;
int raw_sample(const raw_rec *rec, raw_sample_rec *out, cprof_err *err);
/* Frame i (< h.nframes) of a decoded sample. */
uint64_t raw_sample_frame(const raw_sample_rec *s, uint32_t i);
/* Frame i of any checked frame list (a SAMPLE's, a STACK's). */
uint64_t raw_frame(const unsigned char *frames, uint32_t i);

/* v2: a STACK record (its frames as a SAMPLE's) and a STACK_SAMPLE
 * record with its optional parts filled in: weight_ns only when the record
 * has one (has_weight; else 0, and the sample weighs INFO's period, which
 * the caller knows), labelset 0 unless it has one, sflags
 * CPROF_SAMPLE_OFFCPU from the record's flags. */
typedef struct raw_stack_rec {
	struct cprof_raw_stack h;
	const unsigned char *frames; /* h.nframes little-endian uint64, leaf first */
} raw_stack_rec;
int raw_stack(const raw_rec *rec, raw_stack_rec *out, cprof_err *err);

typedef struct raw_stack_sample_rec {
	struct cprof_raw_stack_sample h;
	bool has_weight;
	uint64_t weight_ns; /* when has_weight */
	uint32_t labelset;
	uint16_t sflags; /* CPROF_SAMPLE_OFFCPU */
} raw_stack_sample_rec;
int raw_stack_sample(const raw_rec *rec, raw_stack_sample_rec *out, cprof_err *err);

typedef struct raw_label {
	const char *key;   /* key_len bytes, not NUL-terminated */
	size_t key_len;
	const char *value; /* value_len bytes, not NUL-terminated */
	size_t value_len;
} raw_label;
typedef struct raw_labelset_rec {
	struct cprof_raw_labelset h;
	const unsigned char *entries; /* start of the entries (checked) */
	size_t entries_len;
} raw_labelset_rec;
/* Checks that all h.count entries fit; then raw_labelset_get walks them. */
int raw_labelset(const raw_rec *rec, raw_labelset_rec *out, cprof_err *err);
/* The entry at *pos (start with *pos = 0); advances *pos. Returns 1, or 0
 * when past the last entry. Only valid on a set raw_labelset accepted. */
int raw_labelset_get(const raw_labelset_rec *ls, size_t *pos, raw_label *out);

int raw_end(const raw_rec *rec, struct cprof_raw_end *out, cprof_err *err);

typedef struct raw_note_rec {
	struct cprof_raw_note h;
	const char *text; /* h.len bytes, not NUL-terminated */
} raw_note_rec;
int raw_note(const raw_rec *rec, raw_note_rec *out, cprof_err *err);

int raw_unmap(const raw_rec *rec, struct cprof_raw_unmap *out, cprof_err *err);

/* The record type's name ("INFO", "SAMPLE", ...) or "UNKNOWN". */
const char *raw_type_name(uint16_t type);

#endif
