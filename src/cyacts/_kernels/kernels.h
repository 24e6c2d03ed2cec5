/*
 * The kernel table: every array function of cyacts.h behind one uniform signature per dtype,
 * so the parallel driver (_core.pyx) indexes a table instead of naming functions. The table is
 * compiled once per instruction set (kernels_<isa>.c) and one is picked at import (dispatch.c).
 */
#ifndef CYACTS_KERNELS_H
#define CYACTS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* One signature for every kernel: x, up to two auxiliary arrays (grad_output, the per-element
   parameter, the gated units' value; NULL when unused), a bias added to x first (NULL for
   none), the output y and a second one y2 (the gated derivatives' grad_value; else NULL), the
   length and the op's scalar parameters (0 where it has fewer). */
typedef void (*cyacts_kernel_f32)(const float *x, const float *aux1, const float *aux2,
                                  const float *bias, float *y, float *y2, size_t n, float p0,
                                  float p1);
typedef void (*cyacts_kernel_f64)(const double *x, const double *aux1, const double *aux2,
                                  const double *bias, double *y, double *y2, size_t n, double p0,
                                  double p1);
/* float16 and bfloat16, as their bit patterns: loaded into float32, computed by the float32
   kernel, rounded back to nearest-even. The scalar parameters stay floats. */
typedef void (*cyacts_kernel_16)(const uint16_t *x, const uint16_t *aux1, const uint16_t *aux2,
                                 const uint16_t *bias, uint16_t *y, uint16_t *y2, size_t n,
                                 float p0, float p1);
/* The conversions the 16-bit kernels use (the tests check them at every level). */
typedef void (*cyacts_widen)(const uint16_t *src, float *dst, size_t n);
typedef void (*cyacts_narrow)(const float *src, uint16_t *dst, size_t n);
/* Index of the 16-bit formats in the table's conversion arrays. */
enum { CYACTS_F16, CYACTS_BF16 };

#include "ops.h" /* CYACTS_OPS(X): the kernels of the registry, generated */

#define CYACTS__ENUM(OP, name, shape, grain) CYACTS_OP_##OP,
enum { CYACTS_OPS(CYACTS__ENUM) CYACTS_N_OPS };
#undef CYACTS__ENUM

typedef struct {
    cyacts_kernel_f32 f32[CYACTS_N_OPS];
    cyacts_kernel_f64 f64[CYACTS_N_OPS];
    cyacts_kernel_16 f16[CYACTS_N_OPS];
    cyacts_kernel_16 bf16[CYACTS_N_OPS];
    cyacts_widen widen[2];   /* [CYACTS_F16], [CYACTS_BF16] */
    cyacts_narrow narrow[2];
} cyacts_table;

/* The best table this CPU runs, or a lower one when `requested` names one ("baseline",
   "avx2", "avx512"; NULL or "" for the best). Sets *level to the name of the table returned. */
const cyacts_table *cyacts_select_table(const char *requested, const char **level);
/* Space-separated names of the levels this CPU runs, lowest first. */
const char *cyacts_available_levels(void);
/* How many x86-64 tables above the baseline (0; 1: avx2; 2: avx2 and avx512) a CPU runs whose
   CPUID leaf 1 ECX, leaf 7 (subleaf 0) EBX and XCR0 are these, XCR0 0 where CPUID says no
   OSXSAVE. A pure function of the registers, so the tests can describe any CPU. */
int cyacts_x86_levels(uint32_t leaf1_ecx, uint32_t leaf7_ebx, uint64_t xcr0);
/* The same for this CPU, read with CPUID and XGETBV; -1 where the build has no x86 tables.
   MSVC builds dispatch with it. */
int cyacts_x86_cpu_levels(void);
/* Minimum elements per thread of each op. */
size_t cyacts_grain(int op);

#endif
