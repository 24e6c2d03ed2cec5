/*
 * Included once per instruction set by kernels_<isa>.c, which defines CYACTS_TABLE (the name of
 * the table to define) and sets the target before including this file.
 */
#include "cyacts/cyacts.h"
#include "kernels.h"

/* Adapters from each calling shape to the uniform table signature. */
#define CYACTS__ADAPT_MAP(T, sfx, name)                                                     \
    (const T *x, const T *aux1, const T *aux2, T *y, size_t n, T param) {                   \
        (void)aux1; (void)aux2; (void)param; cyacts_##name##_##sfx(x, y, n);                \
    }
#define CYACTS__ADAPT_MAP_PARAM(T, sfx, name)                                               \
    (const T *x, const T *aux1, const T *aux2, T *y, size_t n, T param) {                   \
        (void)aux1; (void)aux2; cyacts_##name##_##sfx(x, y, n, param);                      \
    }
#define CYACTS__ADAPT_MAP_ARRAY(T, sfx, name)                                               \
    (const T *x, const T *aux1, const T *aux2, T *y, size_t n, T param) {                   \
        (void)aux2; (void)param; cyacts_##name##_##sfx(x, aux1, y, n);                      \
    }
#define CYACTS__ADAPT_GRAD(T, sfx, name)                                                    \
    (const T *x, const T *aux1, const T *aux2, T *y, size_t n, T param) {                   \
        (void)aux2; (void)param; cyacts_##name##_##sfx(x, aux1, y, n);                      \
    }
#define CYACTS__ADAPT_GRAD_PARAM(T, sfx, name)                                              \
    (const T *x, const T *aux1, const T *aux2, T *y, size_t n, T param) {                   \
        (void)aux2; cyacts_##name##_##sfx(x, aux1, y, n, param);                            \
    }
/* aux1 is grad_output (may be NULL), aux2 the per-element parameter. */
#define CYACTS__ADAPT_GRAD_ARRAY(T, sfx, name)                                              \
    (const T *x, const T *aux1, const T *aux2, T *y, size_t n, T param) {                   \
        (void)param; cyacts_##name##_##sfx(x, aux2, aux1, y, n);                            \
    }

#define CYACTS__DEFINE_F32(OP, name, shape, grain) \
    static void cyacts__k_##name##_f32 CYACTS__ADAPT_##shape(float, f32, name)
#define CYACTS__DEFINE_F64(OP, name, shape, grain) \
    static void cyacts__k_##name##_f64 CYACTS__ADAPT_##shape(double, f64, name)
CYACTS_OPS(CYACTS__DEFINE_F32)
CYACTS_OPS(CYACTS__DEFINE_F64)

#define CYACTS__ENTRY_F32(OP, name, shape, grain) cyacts__k_##name##_f32,
#define CYACTS__ENTRY_F64(OP, name, shape, grain) cyacts__k_##name##_f64,
const cyacts_table CYACTS_TABLE = {
    {CYACTS_OPS(CYACTS__ENTRY_F32)},
    {CYACTS_OPS(CYACTS__ENTRY_F64)},
};
