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

/* The math lives in the family headers beside this one, each of which compiles on its own:
 *   common.h     configuration macros, bit selects, double-double and float-pair arithmetic,
 *                polynomial evaluators, the exp cores
 *   piecewise.h  relu, leaky_relu, relu6 and their derivatives
 *   logistic.h   tanh, sigmoid, their derivatives and their from-output derivatives
 *   gelu.h       GELU (erf form) and its derivative
 *   gelu_tanh.h  GELU (tanh form) and its derivative
 * This file adds the array functions over their element functions. */
#include <stddef.h>

#include "common.h"
#include "piecewise.h"
#include "logistic.h"
#include "gelu.h"
#include "gelu_tanh.h"

#define CYACTS_VERSION_MAJOR 0
#define CYACTS_VERSION_MINOR 1
#define CYACTS_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

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
