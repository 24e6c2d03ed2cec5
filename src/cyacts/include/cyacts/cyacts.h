/*
 * cyacts.h - activation functions and their derivatives, header-only C99 (also valid C++).
 *
 * Design
 * ------
 * A. Every formula is a small `static inline` element function (cyacts_elem_<name>_<dtype>)
 *    that maps one value to one value with no state, no branches the compiler cannot turn into
 *    selects, and no libm call that is not a single instruction. A value's result therefore
 *    depends on the value alone: never on its position, the thread that computes it or the
 *    alignment of the array.
 * B. The array functions (cyacts_<name>_<dtype>) are one `#pragma omp simd` loop each over an
 *    element function. The vector body and the scalar tail run the same arithmetic: the library
 *    is built with -ffp-contract=off and fused multiply-adds are written out (CYACTS_FMA_*), so
 *    the compiler never contracts one part of the loop and not the other. Never build this with
 *    -ffast-math: it breaks NaN and infinity handling.
 * C. The array functions are single-threaded; the caller owns threading (the Python package
 *    splits arrays into chunks across OpenMP threads). `y` may equal `x` (in place); other
 *    overlaps are not supported.
 * D. Semantics shared by every function: NaN in x (or grad_output) gives NaN; +-inf give the
 *    limits; derivatives at the kinks follow PyTorch (relu'(0) = 0, leaky'(0) = alpha,
 *    relu6'(0) = relu6'(6) = 0). With grad_output != NULL a derivative returns
 *    grad_output[i] * f'(x[i]) in IEEE arithmetic, else f'(x[i]).
 *
 * Public API: the array functions. Single-threaded (the caller owns threading), contiguous
 * buffers of n elements, y may equal x (in place). The derivatives take grad_output, which may
 * be NULL (then y = f'(x), else y = grad_output * f'(x)). prelu takes one alpha per element.
 * The *_from_output derivatives read y = f(input) instead of the input.
 *
 *   void cyacts_relu_f32(const float *x, float *y, size_t n);
 *   void cyacts_leaky_relu_f32(const float *x, float *y, size_t n, float alpha);
 *   void cyacts_prelu_f32(const float *x, const float *alpha, float *y, size_t n);
 *   void cyacts_relu6_f32(const float *x, float *y, size_t n);
 *   void cyacts_gelu_f32(const float *x, float *y, size_t n);          (erf form)
 *   void cyacts_gelu_tanh_f32(const float *x, float *y, size_t n);     (tanh approximation)
 *   void cyacts_tanh_f32(const float *x, float *y, size_t n);
 *   void cyacts_sigmoid_f32(const float *x, float *y, size_t n);
 *   void cyacts_relu_grad_f32(const float *x, const float *grad_output, float *y, size_t n);
 *   void cyacts_leaky_relu_grad_f32(const float *x, const float *grad_output, float *y, size_t n,
 *                                   float alpha);
 *   void cyacts_prelu_grad_f32(const float *x, const float *alpha, const float *grad_output,
 *                              float *y, size_t n);
 *   void cyacts_relu6_grad_f32(const float *x, const float *grad_output, float *y, size_t n);
 *   void cyacts_gelu_grad_f32(const float *x, const float *grad_output, float *y, size_t n);
 *   void cyacts_gelu_tanh_grad_f32(const float *x, const float *grad_output, float *y, size_t n);
 *   void cyacts_tanh_grad_f32(const float *x, const float *grad_output, float *y, size_t n);
 *   void cyacts_sigmoid_grad_f32(const float *x, const float *grad_output, float *y, size_t n);
 *   void cyacts_tanh_grad_from_output_f32(const float *y, const float *grad_output, float *out,
 *                                         size_t n);
 *   void cyacts_sigmoid_grad_from_output_f32(const float *y, const float *grad_output, float *out,
 *                                            size_t n);
 *
 *   void cyacts_relu_f64(const double *x, double *y, size_t n);
 *   void cyacts_leaky_relu_f64(const double *x, double *y, size_t n, double alpha);
 *   void cyacts_prelu_f64(const double *x, const double *alpha, double *y, size_t n);
 *   void cyacts_relu6_f64(const double *x, double *y, size_t n);
 *   void cyacts_gelu_f64(const double *x, double *y, size_t n);        (erf form)
 *   void cyacts_gelu_tanh_f64(const double *x, double *y, size_t n);   (tanh approximation)
 *   void cyacts_tanh_f64(const double *x, double *y, size_t n);
 *   void cyacts_sigmoid_f64(const double *x, double *y, size_t n);
 *   void cyacts_relu_grad_f64(const double *x, const double *grad_output, double *y, size_t n);
 *   void cyacts_leaky_relu_grad_f64(const double *x, const double *grad_output, double *y,
 *                                   size_t n, double alpha);
 *   void cyacts_prelu_grad_f64(const double *x, const double *alpha, const double *grad_output,
 *                              double *y, size_t n);
 *   void cyacts_relu6_grad_f64(const double *x, const double *grad_output, double *y, size_t n);
 *   void cyacts_gelu_grad_f64(const double *x, const double *grad_output, double *y, size_t n);
 *   void cyacts_gelu_tanh_grad_f64(const double *x, const double *grad_output, double *y,
 *                                  size_t n);
 *   void cyacts_tanh_grad_f64(const double *x, const double *grad_output, double *y, size_t n);
 *   void cyacts_sigmoid_grad_f64(const double *x, const double *grad_output, double *y, size_t n);
 *   void cyacts_tanh_grad_from_output_f64(const double *y, const double *grad_output, double *out,
 *                                         size_t n);
 *   void cyacts_sigmoid_grad_from_output_f64(const double *y, const double *grad_output,
 *                                            double *out, size_t n);
 */
#ifndef CYACTS_H
#define CYACTS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CYACTS_VERSION_MAJOR 0
#define CYACTS_VERSION_MINOR 1
#define CYACTS_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CYACTS_API
#define CYACTS_API static inline
#endif

/* `#pragma omp simd` only where the compiler understands it (-fopenmp or -fopenmp-simd, the
   latter announced by CYACTS_OMP_SIMD since it defines no macro), so the header stays
   warning-free under -Wall -Wextra without OpenMP. MSVC's OpenMP 2.0 has no simd. */
#if (defined(_OPENMP) && _OPENMP >= 201307) || defined(CYACTS_OMP_SIMD)
#define CYACTS_SIMD _Pragma("omp simd")
#else
#define CYACTS_SIMD
#endif

/* Fused multiply-add only where it is one instruction; elsewhere the plain product and sum
   (every element function meets its accuracy bound either way). */
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA) || defined(__aarch64__)
#define CYACTS_HAS_FMA 1
#define CYACTS_FMA_F32(a, b, c) fmaf((a), (b), (c))
#define CYACTS_FMA_F64(a, b, c) fma((a), (b), (c))
#else
#define CYACTS_HAS_FMA 0
#define CYACTS_FMA_F32(a, b, c) ((a) * (b) + (c))
#define CYACTS_FMA_F64(a, b, c) ((a) * (b) + (c))
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
    }                                                                                         \
    /* From the output y = f(x): y(1 - y) and (1 - y)(1 + y) keep full precision near 0 and 1. */ \
    static inline T cyacts_elem_sigmoid_grad_from_output_##sfx(T y) { return y * ((T)1 - y); } \
    static inline T cyacts_elem_tanh_grad_from_output_##sfx(T y) { return ((T)1 - y) * ((T)1 + y); }

CYACTS__PIECEWISE(float, f32)
CYACTS__PIECEWISE(double, f64)

/* ---------------------------------------------------------------------------------------- */
/* Smooth activations.                                                                       */
/* ---------------------------------------------------------------------------------------- */
static inline double cyacts_elem_sigmoid_f64(double x) {
    /* exp(-|x|) never overflows; the two halves pick e/(1+e) or 1/(1+e). */
    double e = exp(-fabs(x));
    double r = 1.0 / (1.0 + e);
    return x >= 0.0 ? r : e * r;
}
static inline double cyacts_elem_tanh_f64(double x) { return tanh(x); }
static inline double cyacts_elem_gelu_f64(double x) {
    /* x * Phi(x) with Phi(x) = erfc(-x/sqrt2)/2: keeps relative accuracy in the negative tail. */
    return x == -INFINITY ? -0.0 : 0.5 * x * erfc(-x * 0.70710678118654752440);
}
static inline double cyacts__two_u_f64(double x) {
    /* 2u = 2*sqrt(2/pi)*(x + 0.044715 x^3) */
    return 1.5957691216057307117 * (x + 0.044715 * x * x * x);
}
static inline double cyacts_elem_gelu_tanh_f64(double x) {
    /* 0.5 x (1 + tanh u) = x * sigmoid(2u): no cancellation for negative x. */
    return x == -INFINITY ? -0.0 : x * cyacts_elem_sigmoid_f64(cyacts__two_u_f64(x));
}
static inline double cyacts__sigmoid_slope_f64(double t) {
    /* sigmoid'(t) = e/(1+e)^2 with e = exp(-|t|): no 1 - s cancellation for large |t|. */
    double e = exp(-fabs(t));
    double d = 1.0 + e;
    return e / (d * d);
}
static inline double cyacts_elem_sigmoid_grad_f64(double x) { return cyacts__sigmoid_slope_f64(x); }
static inline double cyacts_elem_tanh_grad_f64(double x) {
    /* 1 - tanh^2 = 1/cosh^2 = 4 sigmoid'(2x) */
    return 4.0 * cyacts__sigmoid_slope_f64(2.0 * x);
}
static inline double cyacts_elem_gelu_grad_f64(double x) {
    /* Phi(x) + x phi(x) */
    double phi = 0.39894228040143267794 * exp(-0.5 * x * x);
    double big_phi = 0.5 * erfc(-x * 0.70710678118654752440);
    return isinf(x) ? (x > 0 ? 1.0 : 0.0) : big_phi + x * phi;
}
static inline double cyacts_elem_gelu_tanh_grad_f64(double x) {
    /* d/dx x s(2u) = s(2u) + x * 2u'(x) * s'(2u) */
    double t = cyacts__two_u_f64(x);
    double dt = 1.5957691216057307117 * (1.0 + 3.0 * 0.044715 * x * x);
    double s = cyacts_elem_sigmoid_f64(t);
    double ds = cyacts__sigmoid_slope_f64(t);
    return isinf(x) ? (x > 0 ? 1.0 : 0.0) : s + x * dt * ds;
}

/* float32: evaluated in double and rounded once. */
#define CYACTS__VIA_F64(name)                                                                 \
    static inline float cyacts_elem_##name##_f32(float x) {                                   \
        return (float)cyacts_elem_##name##_f64((double)x);                                    \
    }
CYACTS__VIA_F64(sigmoid)
CYACTS__VIA_F64(tanh)
CYACTS__VIA_F64(gelu)
CYACTS__VIA_F64(gelu_tanh)
CYACTS__VIA_F64(sigmoid_grad)
CYACTS__VIA_F64(tanh_grad)
CYACTS__VIA_F64(gelu_grad)
CYACTS__VIA_F64(gelu_tanh_grad)

/* ---------------------------------------------------------------------------------------- */
/* Array functions: the public C API.                                                        */
/* ---------------------------------------------------------------------------------------- */
#define CYACTS__MAP(name, T, elem)                                                            \
    CYACTS_API void cyacts_##name(const T *x, T *y, size_t n) {                               \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i]);                                \
    }
#define CYACTS__GRAD(name, T, elem)                                                           \
    CYACTS_API void cyacts_##name(const T *x, const T *grad_output, T *y, size_t n) {         \
        size_t i;                                                                             \
        if (grad_output) {                                                                    \
            CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = grad_output[i] * elem(x[i]);           \
        } else {                                                                              \
            CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i]);                            \
        }                                                                                     \
    }
/* Leaky ReLU with one alpha, and with one alpha per element (PReLU, alpha broadcast by the
   caller). */
#define CYACTS__LEAKY(T, sfx)                                                                 \
    CYACTS_API void cyacts_leaky_relu_##sfx(const T *x, T *y, size_t n, T alpha) {            \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = cyacts_elem_leaky_relu_##sfx(x[i], alpha); \
    }                                                                                         \
    CYACTS_API void cyacts_leaky_relu_grad_##sfx(const T *x, const T *grad_output, T *y,      \
                                                 size_t n, T alpha) {                         \
        size_t i;                                                                             \
        if (grad_output) {                                                                    \
            CYACTS_SIMD for (i = 0; i < n; ++i)                                               \
                y[i] = grad_output[i] * cyacts_elem_leaky_relu_grad_##sfx(x[i], alpha);       \
        } else {                                                                              \
            CYACTS_SIMD for (i = 0; i < n; ++i)                                               \
                y[i] = cyacts_elem_leaky_relu_grad_##sfx(x[i], alpha);                        \
        }                                                                                     \
    }                                                                                         \
    CYACTS_API void cyacts_prelu_##sfx(const T *x, const T *alpha, T *y, size_t n) {          \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = cyacts_elem_leaky_relu_##sfx(x[i], alpha[i]); \
    }                                                                                         \
    CYACTS_API void cyacts_prelu_grad_##sfx(const T *x, const T *alpha, const T *grad_output, \
                                            T *y, size_t n) {                                 \
        size_t i;                                                                             \
        if (grad_output) {                                                                    \
            CYACTS_SIMD for (i = 0; i < n; ++i)                                               \
                y[i] = grad_output[i] * cyacts_elem_leaky_relu_grad_##sfx(x[i], alpha[i]);    \
        } else {                                                                              \
            CYACTS_SIMD for (i = 0; i < n; ++i)                                               \
                y[i] = cyacts_elem_leaky_relu_grad_##sfx(x[i], alpha[i]);                     \
        }                                                                                     \
    }

#define CYACTS__ALL(T, sfx)                                                                   \
    CYACTS__MAP(relu_##sfx, T, cyacts_elem_relu_##sfx)                                        \
    CYACTS__MAP(relu6_##sfx, T, cyacts_elem_relu6_##sfx)                                      \
    CYACTS__MAP(gelu_##sfx, T, cyacts_elem_gelu_##sfx)                                        \
    CYACTS__MAP(gelu_tanh_##sfx, T, cyacts_elem_gelu_tanh_##sfx)                              \
    CYACTS__MAP(tanh_##sfx, T, cyacts_elem_tanh_##sfx)                                        \
    CYACTS__MAP(sigmoid_##sfx, T, cyacts_elem_sigmoid_##sfx)                                  \
    CYACTS__GRAD(relu_grad_##sfx, T, cyacts_elem_relu_grad_##sfx)                             \
    CYACTS__GRAD(relu6_grad_##sfx, T, cyacts_elem_relu6_grad_##sfx)                           \
    CYACTS__GRAD(gelu_grad_##sfx, T, cyacts_elem_gelu_grad_##sfx)                             \
    CYACTS__GRAD(gelu_tanh_grad_##sfx, T, cyacts_elem_gelu_tanh_grad_##sfx)                   \
    CYACTS__GRAD(tanh_grad_##sfx, T, cyacts_elem_tanh_grad_##sfx)                             \
    CYACTS__GRAD(sigmoid_grad_##sfx, T, cyacts_elem_sigmoid_grad_##sfx)                       \
    CYACTS__GRAD(tanh_grad_from_output_##sfx, T, cyacts_elem_tanh_grad_from_output_##sfx)     \
    CYACTS__GRAD(sigmoid_grad_from_output_##sfx, T, cyacts_elem_sigmoid_grad_from_output_##sfx) \
    CYACTS__LEAKY(T, sfx)

CYACTS__ALL(float, f32)
CYACTS__ALL(double, f64)

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_H */
