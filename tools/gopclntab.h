/*
 * gopclntab: function names, files and lines of Go binaries from their
 * .gopclntab section, the table the Go runtime itself uses for tracebacks.
 *
 * Go binaries stripped of .symtab and DWARF (Debian strips every packaged Go
 * program; `go build -ldflags=-s -w` does the same) keep .gopclntab, so a
 * profile of them can still name every frame: go tool pprof does it this
 * way (cmd/internal/objfile over debug/gosym), perf does not. The layouts
 * read are Go 1.2 (magic 0xfffffffb, names only), 1.16 (0xfffffffa), 1.18
 * (0xfffffff0) and 1.20+ (0xfffffff1), little-endian; anything else is "not
 * a table". Every offset is checked against the section: a damaged table
 * gives no answer, never a read outside it. Inlined calls are not expanded
 * (debug/gosym does not either): the frame is the function that holds the
 * address.
 */
#ifndef CPROF_GOPCLNTAB_H
#define CPROF_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gopcln gopcln;

/* Reads the table in data[0, len) (the section's bytes, which must outlive
 * the result). text_addr is the address of the .text section, used when
 * the table does not say where text starts (Go 1.18+ position-independent
 * builds leave it 0 in the file). NULL if it is not a table cprof reads. */
gopcln *gopcln_open(const unsigned char *data, size_t len, uint64_t text_addr);
void gopcln_free(gopcln *t);

typedef struct gopcln_frame {
	const char *name; /* NUL-terminated, inside the table */
	const char *file; /* NULL when unknown */
	int64_t line;     /* 0 when unknown */
	uint64_t entry;   /* the function's first address */
} gopcln_frame;

/* The function holding pc (an address of the binary as linked). */
bool gopcln_lookup(const gopcln *t, uint64_t pc, gopcln_frame *out);

#endif
