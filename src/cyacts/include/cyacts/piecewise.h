/*
 * cyacts/piecewise.h - relu, leaky_relu, relu6, squared_relu and their derivatives (float32 and
 * float64).
 * Included by cyacts.h (the header to include); compiles on its own.
 */
#ifndef CYACTS_PIECEWISE_H
#define CYACTS_PIECEWISE_H

#include <math.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Piecewise activations: exact (correctly rounded) in every dtype.                          */
/* Comparisons are ordered so NaN falls through to `x` (or x * something) and stays NaN.    */
/* ---------------------------------------------------------------------------------------- */
#define CYACTS__PIECEWISE(T, sfx, SQRT)                                                       \
    static inline T cyacts_elem_relu_##sfx(T x) { return x < (T)0 ? (T)0 : x; }             \
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
       normal. Negative y (no output of the forward) is clamped to 0 before the root. */     \
    static inline T cyacts_elem_squared_relu_##sfx(T x) { return x < (T)0 ? (T)0 : x * x; }  \
    static inline T cyacts_elem_squared_relu_grad_##sfx(T x) {                                \
        return x > (T)0 ? (T)2 * x : (x <= (T)0 ? (T)0 : x);                                  \
    }                                                                                         \
    static inline T cyacts_elem_squared_relu_grad_from_output_##sfx(T y) {                    \
        return (T)2 * SQRT(y < (T)0 ? (T)0 : y);                                              \
    }

CYACTS__PIECEWISE(float, f32, sqrtf)
CYACTS__PIECEWISE(double, f64, sqrt)

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_PIECEWISE_H */
