/*
 * cyacts/piecewise.h - relu, leaky_relu, relu6, squared_relu, hardtanh, hardsigmoid, hardswish,
 * softsign, hardshrink, softshrink, threshold and their derivatives (float32 and float64).
 * Included by cyacts.h (the header to include); compiles on its own.
 */
#ifndef CYACTS_PIECEWISE_H
#define CYACTS_PIECEWISE_H

#include <math.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Piecewise activations: exact (correctly rounded) in every dtype.                          */
/* Comparisons are ordered so NaN falls through to `x` (or x * something) and stays NaN.    */
/* ---------------------------------------------------------------------------------------- */
#define CYACTS__PIECEWISE(T, sfx, SQRT)                                                       \
    static inline T cyacts_elem_relu_##sfx(T x) { return x < (T)0 ? (T)0 : x; }               \
    static inline T cyacts_elem_leaky_relu_##sfx(T x, T alpha) { return x > (T)0 ? x : alpha * x; } \
    static inline T cyacts_elem_relu6_##sfx(T x) {                                            \
        return x < (T)0 ? (T)0 : (x > (T)6 ? (T)6 : x);                                       \
    }                                                                                         \
    static inline T cyacts_elem_relu_grad_##sfx(T x) {                                        \
        return x > (T)0 ? (T)1 : (x <= (T)0 ? (T)0 : x);                                      \
    }                                                                                         \
    static inline T cyacts_elem_leaky_relu_grad_##sfx(T x, T alpha) {                         \
        return x > (T)0 ? (T)1 : (x <= (T)0 ? alpha : x);                                     \
    }                                                                                         \
    static inline T cyacts_elem_relu6_grad_##sfx(T x) {                                       \
        return (x > (T)0 && x < (T)6) ? (T)1 : (x == x ? (T)0 : x);                           \
    }                                                                                         \
    /* relu(x)^2 rounds once; 2x is exact. From the output y = x^2 (x > 0): sqrt(fl(x^2)) is  \
       x again (sqrt is correctly rounded), so 2 sqrt(y) equals 2x wherever x^2 is finite and \
       normal. Negative y (no output of the forward) is clamped to 0 before the root. */      \
    static inline T cyacts_elem_squared_relu_##sfx(T x) { return x < (T)0 ? (T)0 : x * x; }   \
    static inline T cyacts_elem_squared_relu_grad_##sfx(T x) {                                \
        return x > (T)0 ? (T)2 * x : (x <= (T)0 ? (T)0 : x);                                  \
    }                                                                                         \
    static inline T cyacts_elem_squared_relu_grad_from_output_##sfx(T y) {                    \
        return (T)2 * SQRT(y < (T)0 ? (T)0 : y);                                              \
    }

CYACTS__PIECEWISE(float, f32, sqrtf)
CYACTS__PIECEWISE(double, f64, sqrt)

/* ---------------------------------------------------------------------------------------- */
/* Hard and soft thresholds, both dtypes. hardtanh, hardshrink, softshrink and threshold are  */
/* one comparison and at most one IEEE operation: correctly rounded. hardsigmoid, hardswish   */
/* and softsign carry the one inexact intermediate (x + 3, 2x + 3, x (x + 3), 1 + |x|) as a   */
/* pair and round once more, within half an ulp plus ~2^-40 relative of the exact value.     */
/* The arithmetic arms go through bit selects (cyacts__sel_*, see common.h) so that GCC keeps  */
/* the loops straight-line. Derivatives at the kinks are PyTorch's *_backward values: 0 at    */
/* hardtanh's bounds, at +-3 for hardsigmoid, at +-lambd for the shrinks, at the threshold;  */
/* hardswish' is 0 at -3 and 1 at 3 (its x <= -3 / x >= 3 arms).                              */
/* ---------------------------------------------------------------------------------------- */
#define CYACTS__HARD(T, sfx, FMA, FABS, COPYSIGN, SIXTH, SOFTSIGN_CLAMP, SOFTSIGN_GRAD_CLAMP) \
    /* (nh + nl)/6 for a pair (|nl| <= ulp(nh)): q0 = nh (1/6) is within 1.5 ulp of nh/6, so  \
       nh - 6 q0 is exact (cyacts__mul_err_*); one correction leaves 0.5 ulp + ~2^-45. */     \
    CYACTS__INLINE T cyacts__div6_##sfx(T nh, T nl) {                                         \
        T q0 = nh * SIXTH;                                                                    \
        T r = nl - cyacts__mul_err_##sfx(q0, (T)6, nh);                                       \
        return FMA(r, SIXTH, q0);                                                             \
    }                                                                                         \
    static inline T cyacts_elem_hardtanh_##sfx(T x, T min_val, T max_val) {                   \
        return x < min_val ? min_val : (x > max_val ? max_val : x);                           \
    }                                                                                         \
    static inline T cyacts_elem_hardtanh_grad_##sfx(T x, T min_val, T max_val) {              \
        return (x > min_val && x < max_val) ? (T)1 : (x == x ? (T)0 : x);                     \
    }                                                                                         \
    /* relu6(x + 3)/6: x + 3 as a pair by Fast2Sum (|x| < 3 where it is used). */             \
    CYACTS__INLINE T cyacts_elem_hardsigmoid_##sfx(T x) {                                     \
        T u = (T)3 + x;                                                                       \
        T mid = cyacts__div6_##sfx(u, ((T)3 - u) + x);                                        \
        return cyacts__sel_##sfx(x <= (T)-3, (T)0, cyacts__sel_##sfx(x >= (T)3, (T)1, mid));  \
    }                                                                                         \
    static inline T cyacts_elem_hardsigmoid_grad_##sfx(T x) {                                 \
        return (x > (T)-3 && x < (T)3) ? SIXTH : (x == x ? (T)0 : x);                         \
    }                                                                                         \
    /* From y in [0, 1]: 1/6 strictly inside (x in (-3, 3) maps there: y(-3 + ulp) > 0 and    \
       y(3 - ulp) < 1 in both dtypes), 0 on the bounds. */                                    \
    static inline T cyacts_elem_hardsigmoid_grad_from_output_##sfx(T y) {                     \
        return (y > (T)0 && y < (T)1) ? SIXTH : (y == y ? (T)0 : y);                          \
    }                                                                                         \
    /* x relu6(x + 3)/6: x (x + 3) as a pair (Fast2Sum for x + 3, an fma for the product's    \
       error), then one division by 6: relative accuracy at both zeros (-3 and 0). */         \
    CYACTS__INLINE T cyacts_elem_hardswish_##sfx(T x) {                                       \
        T u = (T)3 + x;                                                                       \
        T ue = ((T)3 - u) + x;                                                                \
        T ph = x * u;                                                                         \
        T mid = cyacts__div6_##sfx(ph, cyacts__mul_err_##sfx(x, u, ph) + x * ue);             \
        return cyacts__sel_##sfx(x <= (T)-3, (T)0, cyacts__sel_##sfx(x >= (T)3, x, mid));     \
    }                                                                                         \
    /* (2x + 3)/6 on (-3, 3): 2x + 3 by TwoSum (exact as a pair), one division by 6. */       \
    CYACTS__INLINE T cyacts_elem_hardswish_grad_##sfx(T x) {                                  \
        T x2 = x + x;                                                                         \
        T vh = x2 + (T)3;                                                                     \
        T b = vh - x2;                                                                        \
        T vl = (x2 - (vh - b)) + ((T)3 - b);                                                  \
        T mid = cyacts__div6_##sfx(vh, vl);                                                   \
        return cyacts__sel_##sfx(x <= (T)-3, (T)0, cyacts__sel_##sfx(x >= (T)3, (T)1, mid));  \
    }                                                                                         \
    /* 1 + |x| as a pair by TwoSum, |x|/(1 + |x|) by one division and one correction from     \
       the exact residual; |x| is clamped where the quotient rounds to 1 (inf included). */   \
    CYACTS__INLINE T cyacts_elem_softsign_##sfx(T x) {                                        \
        T ax = cyacts__min_##sfx(FABS(x), SOFTSIGN_CLAMP);                                    \
        T d = (T)1 + ax;                                                                      \
        T b = d - ax;                                                                         \
        T de = (ax - (d - b)) + ((T)1 - b);                                                   \
        T inv = (T)1 / d;                                                                     \
        T t0 = ax * inv;                                                                      \
        T rho = -cyacts__mul_err_##sfx(t0, d, ax) - t0 * de;                                  \
        return COPYSIGN(FMA(rho, inv, t0), x);                                                \
    }                                                                                         \
    /* 1/(1 + |x|)^2 = (i + il)^2, i + il = 1/(d + de) from the exact residual 1 - i d; one   \
       rounding of i^2 + 2 i il. Clamped where the result is below the smallest subnormal. */ \
    CYACTS__INLINE T cyacts_elem_softsign_grad_##sfx(T x) {                                   \
        T ax = cyacts__min_##sfx(FABS(x), SOFTSIGN_GRAD_CLAMP);                               \
        T d = (T)1 + ax;                                                                      \
        T b = d - ax;                                                                         \
        T de = (ax - (d - b)) + ((T)1 - b);                                                   \
        T inv = (T)1 / d;                                                                     \
        T il = (-cyacts__mul_err_##sfx(inv, d, (T)1) - inv * de) * inv;                       \
        return FMA(inv, inv, (inv + inv) * il);                                               \
    }                                                                                         \
    /* From y = x/(1 + |x|): 1 + |x| = 1/(1 - |y|), so f' = (1 - |y|)^2. */                   \
    static inline T cyacts_elem_softsign_grad_from_output_##sfx(T y) {                        \
        T u = (T)1 - FABS(y);                                                                 \
        return u * u;                                                                         \
    }                                                                                         \
    static inline T cyacts_elem_hardshrink_##sfx(T x, T lambd) {                              \
        return (x >= -lambd && x <= lambd) ? (T)0 : x;                                        \
    }                                                                                         \
    static inline T cyacts_elem_hardshrink_grad_##sfx(T x, T lambd) {                         \
        return (x >= -lambd && x <= lambd) ? (T)0 : (x == x ? (T)1 : x);                      \
    }                                                                                         \
    /* x * 0 in the middle, as PyTorch: the sign of zero follows x, NaN stays NaN. */         \
    CYACTS__INLINE T cyacts_elem_softshrink_##sfx(T x, T lambd) {                             \
        return cyacts__sel_##sfx(x > lambd, x - lambd,                                        \
                                 cyacts__sel_##sfx(x < -lambd, x + lambd, x * (T)0));         \
    }                                                                                         \
    static inline T cyacts_elem_softshrink_grad_##sfx(T x, T lambd) {                         \
        return (x >= -lambd && x <= lambd) ? (T)0 : (x == x ? (T)1 : x);                      \
    }                                                                                         \
    /* From the output: |x| > lambd exactly where y != 0 (x - lambd is never 0 for x >        \
       lambd). */                                                                             \
    static inline T cyacts_elem_softshrink_grad_from_output_##sfx(T y, T lambd) {             \
        (void)lambd;                                                                          \
        return y == (T)0 ? (T)0 : (y == y ? (T)1 : y);                                        \
    }                                                                                         \
    static inline T cyacts_elem_threshold_##sfx(T x, T threshold, T value) {                  \
        return x <= threshold ? value : x;                                                    \
    }                                                                                         \
    static inline T cyacts_elem_threshold_grad_##sfx(T x, T threshold, T value) {             \
        (void)value;                                                                          \
        return x > threshold ? (T)1 : (x <= threshold ? (T)0 : x);                            \
    }

CYACTS__HARD(float, f32, CYACTS_FMA_F32, fabsf, copysignf, 0x1.555556p-3f, 0x1p60f, 0x1p100f)
CYACTS__HARD(double, f64, CYACTS_FMA_F64, fabs, copysign, 0x1.5555555555555p-3, 0x1p600,
             0x1p600)

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_PIECEWISE_H */
