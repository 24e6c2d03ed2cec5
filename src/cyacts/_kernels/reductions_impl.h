/*
 * The reductions' table (reductions.h) for the instruction set of the file that includes
 * this, after kernels_impl.h and with the same target: defines CYACTS_TABLE's name with
 * `_reduce` appended (cyacts_table_avx2_reduce, ...).
 */
#include "cyacts/softmax.h"
#include "reductions.h"

#define CYACTS__RCAT2(a, b) a##b
#define CYACTS__RCAT(a, b) CYACTS__RCAT2(a, b)
#define CYACTS__R_ROWS_F32(OP, name) cyacts__sm_rows_##name##_f32,
#define CYACTS__R_COLS_F32(OP, name) cyacts__sm_cols_##name##_f32,
#define CYACTS__R_PARTS_F32(OP, name) cyacts__sm_parts_##name##_f32,
#define CYACTS__R_CONSTS_F32(OP, name) cyacts__sm_consts_from_##name##_f32,
#define CYACTS__R_MAP_F32(OP, name) cyacts__sm_map_##name##_f32,
#define CYACTS__R_ROWS_F64(OP, name) cyacts__sm_rows_##name##_f64,
#define CYACTS__R_COLS_F64(OP, name) cyacts__sm_cols_##name##_f64,
#define CYACTS__R_PARTS_F64(OP, name) cyacts__sm_parts_##name##_f64,
#define CYACTS__R_CONSTS_F64(OP, name) cyacts__sm_consts_from_##name##_f64,
#define CYACTS__R_MAP_F64(OP, name) cyacts__sm_map_##name##_f64,

const cyacts_reduce_table CYACTS__RCAT(CYACTS_TABLE, _reduce) = {
    {CYACTS_REDUCTIONS(CYACTS__R_ROWS_F32)},
    {CYACTS_REDUCTIONS(CYACTS__R_COLS_F32)},
    {CYACTS_REDUCTIONS(CYACTS__R_PARTS_F32)},
    {CYACTS_REDUCTIONS(CYACTS__R_CONSTS_F32)},
    {CYACTS_REDUCTIONS(CYACTS__R_MAP_F32)},
    cyacts__sm_row_max_f32,
    {CYACTS_REDUCTIONS(CYACTS__R_ROWS_F64)},
    {CYACTS_REDUCTIONS(CYACTS__R_COLS_F64)},
    {CYACTS_REDUCTIONS(CYACTS__R_PARTS_F64)},
    {CYACTS_REDUCTIONS(CYACTS__R_CONSTS_F64)},
    {CYACTS_REDUCTIONS(CYACTS__R_MAP_F64)},
    cyacts__sm_row_max_f64,
};
