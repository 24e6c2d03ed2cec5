/*
 * Included once per instruction set by kernels_<isa>.c, which defines CYACTS_TABLE (the name of
 * the table to define) and sets the target before including this file.
 */
#include "cyacts/cyacts.h"
#include "kernels.h"
#if defined(__F16C__)
#include <immintrin.h>
#endif

/* Adapters from each calling shape to the uniform table signature (without the bias). */
#define CYACTS__ARGS(T) (const T *x, const T *aux1, const T *aux2, T *y, T *y2, size_t n, T p0, T p1)
#define CYACTS__UNUSED3(a, b, c) (void)(a); (void)(b); (void)(c)
#define CYACTS__ADAPT_MAP(T, sfx, name)                                                     \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux1, aux2, y2); (void)p0; (void)p1;                  \
                      cyacts_##name##_##sfx(x, y, n); }
#define CYACTS__ADAPT_MAP_PARAM(T, sfx, name)                                               \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux1, aux2, y2); (void)p1;                            \
                      cyacts_##name##_##sfx(x, y, n, p0); }
#define CYACTS__ADAPT_MAP_PARAM2(T, sfx, name)                                              \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux1, aux2, y2); cyacts_##name##_##sfx(x, y, n, p0, p1); }
#define CYACTS__ADAPT_MAP_ARRAY(T, sfx, name)                                               \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux2, y2, p0); (void)p1;                              \
                      cyacts_##name##_##sfx(x, aux1, y, n); }
#define CYACTS__ADAPT_GRAD(T, sfx, name)                                                    \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux2, y2, p0); (void)p1;                              \
                      cyacts_##name##_##sfx(x, aux1, y, n); }
#define CYACTS__ADAPT_GRAD_PARAM(T, sfx, name)                                              \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux2, y2, p1); cyacts_##name##_##sfx(x, aux1, y, n, p0); }
#define CYACTS__ADAPT_GRAD_PARAM2(T, sfx, name)                                             \
    CYACTS__ARGS(T) { (void)aux2; (void)y2; cyacts_##name##_##sfx(x, aux1, y, n, p0, p1); }
/* aux1 is grad_output (may be NULL), aux2 the per-element parameter. */
#define CYACTS__ADAPT_GRAD_ARRAY(T, sfx, name)                                              \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(y2, p0, p1); cyacts_##name##_##sfx(x, aux2, aux1, y, n); }
/* x is the gate, aux1 the value; the derivative's aux2 is grad_output (may be NULL). */
#define CYACTS__ADAPT_GATED(T, sfx, name)                                                   \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux2, y2, p0); (void)p1;                              \
                      cyacts_##name##_##sfx(x, aux1, y, n); }
#define CYACTS__ADAPT_GATED_PARAM(T, sfx, name)                                             \
    CYACTS__ARGS(T) { CYACTS__UNUSED3(aux2, y2, p1); cyacts_##name##_##sfx(x, aux1, y, n, p0); }
#define CYACTS__ADAPT_GATED_GRAD(T, sfx, name)                                              \
    CYACTS__ARGS(T) { (void)p0; (void)p1; cyacts_##name##_##sfx(x, aux1, aux2, y, y2, n); }
#define CYACTS__ADAPT_GATED_GRAD_PARAM(T, sfx, name)                                        \
    CYACTS__ARGS(T) { (void)p1; cyacts_##name##_##sfx(x, aux1, aux2, y, y2, n, p0); }

/* The table's kernels: the adapter, with the bias added to x in blocks on the stack first
   (rounded to T: the result is the kernel's of fl(x + bias), bit for bit). */
#define CYACTS__BIASED(T, sfx, name)                                                        \
    static void cyacts__k_##name##_##sfx(const T *x, const T *aux1, const T *aux2,          \
                                         const T *bias, T *y, T *y2, size_t n, T p0, T p1) { \
        T t[CYACTS__BIAS_BLOCK];                                                            \
        size_t s, m, j;                                                                     \
        if (!bias) {                                                                        \
            cyacts__u_##name##_##sfx(x, aux1, aux2, y, y2, n, p0, p1);                      \
            return;                                                                         \
        }                                                                                   \
        for (s = 0; s < n; s += m) {                                                        \
            m = n - s < CYACTS__BIAS_BLOCK ? n - s : CYACTS__BIAS_BLOCK;                    \
            CYACTS_SIMD for (j = 0; j < m; ++j) t[j] = x[s + j] + bias[s + j];              \
            cyacts__u_##name##_##sfx(t, aux1 ? aux1 + s : NULL, aux2 ? aux2 + s : NULL,     \
                                     y + s, y2 ? y2 + s : NULL, m, p0, p1);                 \
        }                                                                                   \
    }

#define CYACTS__DEFINE_F32(OP, name, shape, grain)                                          \
    static void cyacts__u_##name##_f32 CYACTS__ADAPT_##shape(float, f32, name)              \
    CYACTS__BIASED(float, f32, name)
#define CYACTS__DEFINE_F64(OP, name, shape, grain)                                          \
    static void cyacts__u_##name##_f64 CYACTS__ADAPT_##shape(double, f64, name)             \
    CYACTS__BIASED(double, f64, name)
CYACTS_OPS(CYACTS__DEFINE_F32)
CYACTS_OPS(CYACTS__DEFINE_F64)

/* ---------------------------------------------------------------------------------------- */
/* 16-bit storage (float16, bfloat16), float32 arithmetic                                    */
/* ---------------------------------------------------------------------------------------- */
/* Each 16-bit kernel runs its float32 kernel over blocks: widen a block of each operand into
 * a float32 buffer on the stack, run the float32 kernel there (in place; grad_output's
 * product is a float32 product), round the block back. Measured against one fused loop per
 * element function (load, element function, round in one loop body; AVX-512, 1e6 elements),
 * the blocks were faster for relu (1.25x) and sigmoid (1.1-1.3x) and within 5% for the erf
 * GELU (either way): the conversion loops and the float32 loop each vectorise on their own,
 * with no extra register pressure in the element loop, and the buffers stay in L1. 512
 * elements: the buffers take 9 KiB; 256 to 2048 measured the same.
 *
 * The conversions are common.h's, so a 16-bit result is the float32 result rounded, with the
 * same bits on every instruction set that gives the same float32 bits. Where F16C is there
 * (the AVX2 and AVX-512 tables) VCVTPH2PS/VCVTPS2PH convert float16 instead: they give the
 * same bits as the software conversions for every input (all 2^32 float32 patterns and all
 * 2^16 float16 ones compared, NaN bits included: both quiet a NaN and keep its payload's top)
 * and make float16 relu about 2.5x faster. AVX-512 BF16's VCVTNEPS2BF16 is not used: it flushes
 * subnormal float32 inputs to zero (bfloat16 keeps float32's exponent range, so those round to
 * nonzero bfloat16 subnormals), and the software rounding is a few integer instructions. */
#define CYACTS__BLOCK 512

static void cyacts__widen_f16(const uint16_t *src, float *dst, size_t n)
{
    size_t i = 0, j;
#if defined(__F16C__) && defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + i))));
#elif defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
#endif
    CYACTS_SIMD for (j = i; j < n; ++j) dst[j] = cyacts_f16_to_f32(src[j]);
}

static void cyacts__narrow_f16(const float *src, uint16_t *dst, size_t n)
{
    size_t i = 0, j;
#if defined(__F16C__) && defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(dst + i),
                            _mm512_cvtps_ph(_mm512_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#elif defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
    CYACTS_SIMD for (j = i; j < n; ++j) dst[j] = cyacts_f32_to_f16(src[j]);
}

static void cyacts__widen_bf16(const uint16_t *src, float *dst, size_t n)
{
    size_t i;
    CYACTS_SIMD for (i = 0; i < n; ++i) dst[i] = cyacts_bf16_to_f32(src[i]);
}

static void cyacts__narrow_bf16(const float *src, uint16_t *dst, size_t n)
{
    size_t i;
    CYACTS_SIMD for (i = 0; i < n; ++i) dst[i] = cyacts_f32_to_bf16(src[i]);
}

/* x (and aux1, aux2, bias where not NULL) -> y (and y2) through the float32 kernel, one block
   at a time. A bias is added in float32 and the sum rounded to the 16-bit format (float32 holds
   more than twice the digits of either, so this is the correctly rounded 16-bit sum: the x +
   bias NumPy would compute). Each block is read whole before its outputs are written, so y may
   equal x or an aux. */
static void cyacts__blocked_16(cyacts_kernel_f32 kernel, cyacts_widen widen, cyacts_narrow narrow,
                               const uint16_t *x, const uint16_t *aux1, const uint16_t *aux2,
                               const uint16_t *bias, uint16_t *y, uint16_t *y2, size_t n,
                               float p0, float p1)
{
    float bx[CYACTS__BLOCK], b1[CYACTS__BLOCK], b2[CYACTS__BLOCK], by2[CYACTS__BLOCK];
    uint16_t rounded[CYACTS__BLOCK];
    size_t start, m, j;
    for (start = 0; start < n; start += m) {
        m = n - start < CYACTS__BLOCK ? n - start : CYACTS__BLOCK;
        widen(x + start, bx, m);
        if (bias) {
            widen(bias + start, b1, m);
            CYACTS_SIMD for (j = 0; j < m; ++j) bx[j] += b1[j];
            narrow(bx, rounded, m);
            widen(rounded, bx, m);
        }
        if (aux1) widen(aux1 + start, b1, m);
        if (aux2) widen(aux2 + start, b2, m);
        kernel(bx, aux1 ? b1 : NULL, aux2 ? b2 : NULL, NULL, bx, y2 ? by2 : NULL, m, p0, p1);
        narrow(bx, y + start, m);
        if (y2) narrow(by2, y2 + start, m);
    }
}

#define CYACTS__DEFINE_16(OP, name, shape, grain)                                           \
    static void cyacts__k_##name##_f16(const uint16_t *x, const uint16_t *aux1,             \
                                       const uint16_t *aux2, const uint16_t *bias,          \
                                       uint16_t *y, uint16_t *y2, size_t n, float p0,       \
                                       float p1) {                                          \
        cyacts__blocked_16(cyacts__k_##name##_f32, cyacts__widen_f16, cyacts__narrow_f16,   \
                           x, aux1, aux2, bias, y, y2, n, p0, p1);                          \
    }                                                                                       \
    static void cyacts__k_##name##_bf16(const uint16_t *x, const uint16_t *aux1,            \
                                        const uint16_t *aux2, const uint16_t *bias,         \
                                        uint16_t *y, uint16_t *y2, size_t n, float p0,      \
                                        float p1) {                                         \
        cyacts__blocked_16(cyacts__k_##name##_f32, cyacts__widen_bf16, cyacts__narrow_bf16, \
                           x, aux1, aux2, bias, y, y2, n, p0, p1);                          \
    }
CYACTS_OPS(CYACTS__DEFINE_16)

#define CYACTS__ENTRY_F32(OP, name, shape, grain) cyacts__k_##name##_f32,
#define CYACTS__ENTRY_F64(OP, name, shape, grain) cyacts__k_##name##_f64,
#define CYACTS__ENTRY_F16(OP, name, shape, grain) cyacts__k_##name##_f16,
#define CYACTS__ENTRY_BF16(OP, name, shape, grain) cyacts__k_##name##_bf16,
const cyacts_table CYACTS_TABLE = {
    {CYACTS_OPS(CYACTS__ENTRY_F32)},
    {CYACTS_OPS(CYACTS__ENTRY_F64)},
    {CYACTS_OPS(CYACTS__ENTRY_F16)},
    {CYACTS_OPS(CYACTS__ENTRY_BF16)},
    {cyacts__widen_f16, cyacts__widen_bf16},
    {cyacts__narrow_f16, cyacts__narrow_bf16},
};
