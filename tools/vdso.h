/*
 * vdso.h: this system's vdso image, for the modules that open it as a file.
 */
#ifndef CPROF_VDSO_H
#define CPROF_VDSO_H

/* The vdso has no file: this system's vdso image copied into a memfd (it is
 * a recording's vdso when the build-ids match: the same kernel), or -1. The
 * caller closes it. */
int vdso_fd(void);

/* This system's vdso build-id, lower-case hex, computed once; "" when it
 * cannot be read. */
const char *vdso_build_id(void);

#endif
