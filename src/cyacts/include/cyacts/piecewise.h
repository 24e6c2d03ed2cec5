/*
 * cyacts/piecewise.h - relu, leaky_relu, relu6 and their derivatives (float32 and float64).
 * Included by cyacts.h (the header to include); compiles on its own.
 */
#ifndef CYACTS_PIECEWISE_H
#define CYACTS_PIECEWISE_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Piecewise-linear activations: exact in every dtype.                                       */
/* Comparisons are ordered so NaN falls through to `x` (or x * something) and stays NaN.    */
/* ---------------------------------------------------------------------------------------- */
#define CYACTS__PIECEWISE(T, sfx)                                                             \
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
    }

CYACTS__PIECEWISE(float, f32)
CYACTS__PIECEWISE(double, f64)

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_PIECEWISE_H */
