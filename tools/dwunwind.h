/*
 * dwunwind: offline DWARF unwinding of user-stack snapshots, the way
 * `perf report` unwinds `perf record --call-graph dwarf` samples: libdwfl
 * is given the process's modules (file, load address), the registers the
 * kernel saved at the sample and a copy of the top of the stack, and walks
 * the call frame information (.eh_frame, .debug_frame) of each module.
 * x86-64 only (the register layout of perf's sample_regs_user).
 */
#ifndef CPROF_DWUNWIND_H
#define CPROF_DWUNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dwu dwu;

typedef struct dwu_module {
	uint64_t start, pgoff; /* a mapping of the file: load base = start - pgoff */
	const char *path; /* "[vdso]": this system's vdso (vdso_fd) */
} dwu_module;

/* A new unwinder (free with dwu_free). */
dwu *dwu_new(void);
void dwu_free(dwu *u);

/* Unwinds one sample. key names the module set (the same key: the same
 * modules, reused); mods are reported on a new key. regs are perf's x86
 * user registers in sample_regs_user order for mask, stack/len the copy of
 * the stack from the sample's SP. Writes up to max program counters, leaf
 * first, and returns their count (0: nothing could be unwound). */
size_t dwu_unwind(dwu *u, uint64_t key, const dwu_module *mods, size_t nmods, int32_t pid,
		  int32_t tid, uint64_t mask, const uint64_t *regs, size_t nregs,
		  const unsigned char *stack, size_t len, uint64_t *pcs, size_t max);

#endif
