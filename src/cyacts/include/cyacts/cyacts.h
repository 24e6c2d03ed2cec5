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
 * Public API: the array functions, listed with their prototypes in api.h (generated from the
 * registry of operations, src/cyacts/_ops.py, by tools/generate.py). Single-threaded (the
 * caller owns threading), contiguous buffers of n elements, y may equal x (in place). The
 * derivatives take grad_output, which may be NULL (then y = f'(x), else y = grad_output * f'(x)).
 * prelu takes one alpha per element. The *_from_output derivatives read y = f(input) instead
 * of the input.
 */
#ifndef CYACTS_H
#define CYACTS_H

/* The math lives in the family headers beside this one, each of which compiles on its own:
 *   common.h     configuration macros, bit selects, double-double and float-pair arithmetic,
 *                polynomial evaluators, the exp cores, the float16/bfloat16 <-> float32
 *                conversions
 *   piecewise.h  relu, leaky_relu, relu6, squared_relu, hardtanh, hardsigmoid, hardswish,
 *                softsign, hardshrink, softshrink, threshold and their derivatives
 *   logistic.h   tanh, sigmoid, their derivatives and their from-output derivatives
 *   gelu.h       GELU (erf form) and its derivative
 *   gelu_tanh.h  GELU (tanh form) and its derivative
 *   elu.h        ELU, SELU, CELU (over an expm1), their derivatives and from-output ones
 *   softplus.h   softplus, log_sigmoid, SiLU, Mish, tanhshrink, their derivatives and the
 *                from-output derivatives of softplus and log_sigmoid
 *   softmax.h    softmax, log_softmax, logsumexp over rows and the derivatives of the first
 *                two: row functions of their own (cyacts_softmax_f32(x, y, rows, cols,
 *                row_stride), ...), with the sums in one fixed order (see the header)
 * This file adds the array loops over their element functions; api.h (generated from the
 * registry of operations) instantiates one per kernel and holds the version macros. */
#include <stddef.h>

#include "common.h"
#include "piecewise.h"
#include "logistic.h"
#include "gelu.h"
#include "gelu_tanh.h"
#include "elu.h"
#include "softplus.h"
#include "softmax.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Array functions: the public C API.                                                        */
/* ---------------------------------------------------------------------------------------- */
/* One loop per calling shape over an element function; api.h instantiates them for every
   kernel of the registry. A per-element parameter (PReLU's alpha) is broadcast by the caller.
   The derivatives multiply by grad_output when it is not NULL. */
#define CYACTS__MAP(name, T, elem)                                                            \
    CYACTS_API void cyacts_##name(const T *x, T *y, size_t n) {                               \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i]);                                \
    }
#define CYACTS__MAP_PARAM(name, T, elem, p)                                                   \
    CYACTS_API void cyacts_##name(const T *x, T *y, size_t n, T p) {                          \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i], p);                             \
    }
#define CYACTS__MAP_PARAM2(name, T, elem, p, q)                                               \
    CYACTS_API void cyacts_##name(const T *x, T *y, size_t n, T p, T q) {                     \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i], p, q);                          \
    }
#define CYACTS__MAP_ARRAY(name, T, elem, p)                                                   \
    CYACTS_API void cyacts_##name(const T *x, const T *p, T *y, size_t n) {                   \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i], p[i]);                          \
    }
#define CYACTS__GRAD_LOOP(T, EXPR)                                                            \
    size_t i;                                                                                 \
    if (grad_output) {                                                                        \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = grad_output[i] * EXPR;                     \
    } else {                                                                                  \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = EXPR;                                      \
    }
#define CYACTS__GRAD(name, T, elem)                                                           \
    CYACTS_API void cyacts_##name(const T *x, const T *grad_output, T *y, size_t n) {         \
        CYACTS__GRAD_LOOP(T, elem(x[i]))                                                      \
    }
#define CYACTS__GRAD_PARAM(name, T, elem, p)                                                  \
    CYACTS_API void cyacts_##name(const T *x, const T *grad_output, T *y, size_t n, T p) {    \
        CYACTS__GRAD_LOOP(T, elem(x[i], p))                                                   \
    }
#define CYACTS__GRAD_PARAM2(name, T, elem, p, q)                                              \
    CYACTS_API void cyacts_##name(const T *x, const T *grad_output, T *y, size_t n, T p,      \
                                  T q) {                                                      \
        CYACTS__GRAD_LOOP(T, elem(x[i], p, q))                                                \
    }
#define CYACTS__GRAD_ARRAY(name, T, elem, p)                                                  \
    CYACTS_API void cyacts_##name(const T *x, const T *p, const T *grad_output, T *y,         \
                                  size_t n) {                                                 \
        CYACTS__GRAD_LOOP(T, elem(x[i], p[i]))                                                \
    }

/* Gated units: out = value * act(gate). The derivative gives both gradients in one pass,
   grad_gate = (g act'(gate)) value and grad_value = g act(gate) with g = grad_output (1 when
   NULL); each element's operands are read before its results are written, so grad_gate may be
   gate and grad_value may be value (in place). ARGS: the scalar parameters after the gate. */
#define CYACTS__GATED_BODY(T, ACT, ARGS)                                                      \
    size_t i;                                                                                 \
    CYACTS_SIMD for (i = 0; i < n; ++i) out[i] = value[i] * ACT(gate[i] ARGS);
#define CYACTS__GATED_GRAD_BODY(T, ACT, DACT, ARGS)                                           \
    size_t i;                                                                                 \
    if (grad_output) {                                                                        \
        CYACTS_SIMD for (i = 0; i < n; ++i) {                                                 \
            T a = gate[i], v = value[i], g = grad_output[i];                                  \
            T f = ACT(a ARGS), d = DACT(a ARGS);                                              \
            grad_gate[i] = (g * d) * v;                                                       \
            grad_value[i] = g * f;                                                            \
        }                                                                                     \
    } else {                                                                                  \
        CYACTS_SIMD for (i = 0; i < n; ++i) {                                                 \
            T a = gate[i], v = value[i];                                                      \
            T f = ACT(a ARGS), d = DACT(a ARGS);                                              \
            grad_gate[i] = d * v;                                                             \
            grad_value[i] = f;                                                                \
        }                                                                                     \
    }
#define CYACTS__NO_ARGS
#define CYACTS__GATED(name, T, act, dact)                                                     \
    CYACTS_API void cyacts_##name(const T *gate, const T *value, T *out, size_t n) {          \
        CYACTS__GATED_BODY(T, act, CYACTS__NO_ARGS)                                           \
    }
#define CYACTS__GATED_PARAM(name, T, act, dact, p)                                            \
    CYACTS_API void cyacts_##name(const T *gate, const T *value, T *out, size_t n, T p) {     \
        CYACTS__GATED_BODY(T, act, CYACTS__ARG(p))                                            \
    }
#define CYACTS__GATED_GRAD(name, T, act, dact)                                                \
    CYACTS_API void cyacts_##name(const T *gate, const T *value, const T *grad_output,        \
                                  T *grad_gate, T *grad_value, size_t n) {                    \
        CYACTS__GATED_GRAD_BODY(T, act, dact, CYACTS__NO_ARGS)                                \
    }
#define CYACTS__GATED_GRAD_PARAM(name, T, act, dact, p)                                       \
    CYACTS_API void cyacts_##name(const T *gate, const T *value, const T *grad_output,        \
                                  T *grad_gate, T *grad_value, size_t n, T p) {               \
        CYACTS__GATED_GRAD_BODY(T, act, dact, CYACTS__ARG(p))                                 \
    }
#define CYACTS__ARG(p) , p

/* Fused bias: f(x + bias) over a row-major (rows, cols) array with one bias per column. The
   sum is rounded to T first, so the result is f applied to fl(x + bias), bit for bit; it is
   formed in blocks on the stack, so y may equal x. */
#define CYACTS__BIAS_BLOCK 256
#define CYACTS__BIAS_BODY(T, CALL)                                                            \
    T t[CYACTS__BIAS_BLOCK];                                                                  \
    size_t r, j, k, m;                                                                        \
    for (r = 0; r < rows; ++r) {                                                              \
        const T *xr = x + r * cols;                                                           \
        T *yr = y + r * cols;                                                                 \
        for (j = 0; j < cols; j += m) {                                                       \
            m = cols - j < CYACTS__BIAS_BLOCK ? cols - j : CYACTS__BIAS_BLOCK;                \
            CYACTS_SIMD for (k = 0; k < m; ++k) t[k] = xr[j + k] + bias[j + k];               \
            CALL;                                                                             \
        }                                                                                     \
    }
#define CYACTS__BIAS(name, T, fn)                                                             \
    CYACTS_API void cyacts_##name(const T *x, const T *bias, T *y, size_t rows, size_t cols) {\
        CYACTS__BIAS_BODY(T, fn(t, yr + j, m))                                                \
    }
#define CYACTS__BIAS_PARAM(name, T, fn, p)                                                    \
    CYACTS_API void cyacts_##name(const T *x, const T *bias, T *y, size_t rows, size_t cols,  \
                                  T p) {                                                      \
        CYACTS__BIAS_BODY(T, fn(t, yr + j, m, p))                                             \
    }
#define CYACTS__BIAS_PARAM2(name, T, fn, p, q)                                                \
    CYACTS_API void cyacts_##name(const T *x, const T *bias, T *y, size_t rows, size_t cols,  \
                                  T p, T q) {                                                 \
        CYACTS__BIAS_BODY(T, fn(t, yr + j, m, p, q))                                          \
    }

#include "api.h"

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_H */
