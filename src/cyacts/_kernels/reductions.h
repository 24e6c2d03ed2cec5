/*
 * The reductions' kernel table: softmax, log_softmax, logsumexp and their derivatives
 * (include/cyacts/softmax.h) behind uniform signatures, a table beside the elementwise one
 * (kernels.h), compiled once per instruction set (reductions_impl.h, included by each
 * kernels_<isa>.c) and picked with it (cyacts_select_reduce_table, dispatch.c).
 *
 * Per op and dtype: whole rows (`rows`), column tiles of a strided axis (`cols`), and the
 * pieces of one row split across threads at block boundaries: the block sums (`parts`), the
 * per-row constants from the maximum and every block's sum (`consts`), the final map (`map`);
 * and the row maximum (`max`), the same for every op. softmax.h says what each computes.
 */
#ifndef CYACTS_REDUCTIONS_H
#define CYACTS_REDUCTIONS_H

#include <stddef.h>

#include "cyacts/softmax.h" /* cyacts_sm_consts, CYACTS_SM_BLOCK, CYACTS_SM_TILE */
#include "reduce_ops.h"     /* CYACTS_REDUCTIONS(X): the ops of the registry, generated */

#define CYACTS__RENUM(OP, name) CYACTS_REDUCE_##OP,
enum { CYACTS_REDUCTIONS(CYACTS__RENUM) CYACTS_N_REDUCTIONS };
#undef CYACTS__RENUM

#define CYACTS__REDUCE_TYPES(T, sfx)                                                          \
    typedef void (*cyacts_sm_rows_##sfx)(const T *x, const T *a, T *y, size_t rows, size_t n, \
                                         ptrdiff_t xs, ptrdiff_t as, ptrdiff_t ys);           \
    typedef void (*cyacts_sm_cols_##sfx)(const T *x, const T *a, T *y, size_t n, size_t w,    \
                                         ptrdiff_t xs, ptrdiff_t as, ptrdiff_t ys);           \
    typedef T (*cyacts_sm_max_##sfx)(const T *x, size_t n);                                   \
    typedef void (*cyacts_sm_parts_##sfx)(const T *x, const T *a, size_t n, T m,              \
                                          double *parts);                                     \
    typedef void (*cyacts_sm_consts_##sfx)(T m, const double *parts, size_t blocks,           \
                                           cyacts_sm_consts *k);                              \
    typedef void (*cyacts_sm_map_##sfx)(const T *x, const T *a, T *y, size_t n,               \
                                        const cyacts_sm_consts *k);
CYACTS__REDUCE_TYPES(float, f32)
CYACTS__REDUCE_TYPES(double, f64)
#undef CYACTS__REDUCE_TYPES

typedef struct {
    cyacts_sm_rows_f32 rows_f32[CYACTS_N_REDUCTIONS];
    cyacts_sm_cols_f32 cols_f32[CYACTS_N_REDUCTIONS];
    cyacts_sm_parts_f32 parts_f32[CYACTS_N_REDUCTIONS];
    cyacts_sm_consts_f32 consts_f32[CYACTS_N_REDUCTIONS];
    cyacts_sm_map_f32 map_f32[CYACTS_N_REDUCTIONS];
    cyacts_sm_max_f32 max_f32;
    cyacts_sm_rows_f64 rows_f64[CYACTS_N_REDUCTIONS];
    cyacts_sm_cols_f64 cols_f64[CYACTS_N_REDUCTIONS];
    cyacts_sm_parts_f64 parts_f64[CYACTS_N_REDUCTIONS];
    cyacts_sm_consts_f64 consts_f64[CYACTS_N_REDUCTIONS];
    cyacts_sm_map_f64 map_f64[CYACTS_N_REDUCTIONS];
    cyacts_sm_max_f64 max_f64;
} cyacts_reduce_table;

/* The reductions' table of `level`, a name cyacts_select_table set (dispatch.c). */
const cyacts_reduce_table *cyacts_select_reduce_table(const char *level);

#endif
