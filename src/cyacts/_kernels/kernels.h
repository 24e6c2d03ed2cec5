/*
 * The kernel table: every array function of cyacts.h behind one uniform signature per dtype,
 * so the parallel driver (_core.pyx) indexes a table instead of naming functions. The table is
 * compiled once per instruction set (kernels_<isa>.c) and one is picked at import (dispatch.c).
 */
#ifndef CYACTS_KERNELS_H
#define CYACTS_KERNELS_H

#include <stddef.h>

/* x, up to two auxiliary arrays (grad_output, per-element alpha; NULL when unused), the output,
   the length, and a scalar parameter (alpha). */
typedef void (*cyacts_kernel_f32)(const float *x, const float *aux1, const float *aux2, float *y,
                                  size_t n, float param);
typedef void (*cyacts_kernel_f64)(const double *x, const double *aux1, const double *aux2,
                                  double *y, size_t n, double param);

/* X(OP, name in cyacts.h, calling shape, grain). The grain is the fewest elements worth a
   thread of their own: cheap piecewise kernels are memory-bound and need big chunks before a
   second thread pays for the parallel region; transcendental ones pay off much sooner. */
#define CYACTS_OPS(X)                                              \
    X(RELU, relu, MAP, 32768)                                     \
    X(LEAKY_RELU, leaky_relu, LEAKY, 32768)                       \
    X(PRELU, prelu, PRELU, 32768)                                 \
    X(RELU6, relu6, MAP, 32768)                                   \
    X(GELU, gelu, MAP, 4096)                                      \
    X(GELU_TANH, gelu_tanh, MAP, 4096)                            \
    X(TANH, tanh, MAP, 4096)                                      \
    X(SIGMOID, sigmoid, MAP, 4096)                                \
    X(RELU_GRAD, relu_grad, GRAD, 32768)                          \
    X(LEAKY_RELU_GRAD, leaky_relu_grad, LEAKY_GRAD, 32768)        \
    X(PRELU_GRAD, prelu_grad, PRELU_GRAD, 32768)                  \
    X(RELU6_GRAD, relu6_grad, GRAD, 32768)                        \
    X(GELU_GRAD, gelu_grad, GRAD, 4096)                           \
    X(GELU_TANH_GRAD, gelu_tanh_grad, GRAD, 4096)                 \
    X(TANH_GRAD, tanh_grad, GRAD, 4096)                           \
    X(SIGMOID_GRAD, sigmoid_grad, GRAD, 4096)                     \
    X(TANH_GRAD_FROM_OUTPUT, tanh_grad_from_output, GRAD, 32768)  \
    X(SIGMOID_GRAD_FROM_OUTPUT, sigmoid_grad_from_output, GRAD, 32768)

#define CYACTS__ENUM(OP, name, shape, grain) CYACTS_OP_##OP,
enum { CYACTS_OPS(CYACTS__ENUM) CYACTS_N_OPS };
#undef CYACTS__ENUM

typedef struct {
    cyacts_kernel_f32 f32[CYACTS_N_OPS];
    cyacts_kernel_f64 f64[CYACTS_N_OPS];
} cyacts_table;

/* The best table this CPU runs, or a lower one when `requested` names one ("baseline",
   "avx2", "avx512"; NULL or "" for the best). Sets *level to the name of the table returned. */
const cyacts_table *cyacts_select_table(const char *requested, const char **level);
/* Space-separated names of the levels this CPU runs, lowest first. */
const char *cyacts_available_levels(void);
/* Minimum elements per thread of each op. */
size_t cyacts_grain(int op);

#endif
