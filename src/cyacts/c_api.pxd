# cython: language_level=3
"""Cython declarations of the cyacts C API (include/cyacts/cyacts.h).

    from cyacts.c_api cimport cyacts_gelu_f64

    def gelu_inplace(double[::1] x):
        with nogil:
            cyacts_gelu_f64(&x[0], &x[0], x.shape[0])

Build the module with the header on the include path: include_dirs=[cyacts.get_include()].
The header is header-only: nothing to link against, no Python needed at run time.

Every function is single-threaded (the caller owns threading, e.g. cython.parallel.prange
over chunks), takes contiguous buffers, and allows y == x (in place); other overlaps are not
supported. The derivatives take grad_output (may be NULL: then y = f'(x), else
y = grad_output * f'(x)).
"""

cdef extern from "cyacts/cyacts.h" nogil:
    int CYACTS_VERSION_MAJOR
    int CYACTS_VERSION_MINOR
    int CYACTS_VERSION_PATCH

    # ---- float32 ----------------------------------------------------------------------------
    void cyacts_relu_f32(const float *x, float *y, size_t n)
    void cyacts_leaky_relu_f32(const float *x, float *y, size_t n, float alpha)
    void cyacts_prelu_f32(const float *x, const float *alpha, float *y, size_t n)
    void cyacts_relu6_f32(const float *x, float *y, size_t n)
    void cyacts_gelu_f32(const float *x, float *y, size_t n)
    void cyacts_gelu_tanh_f32(const float *x, float *y, size_t n)
    void cyacts_tanh_f32(const float *x, float *y, size_t n)
    void cyacts_sigmoid_f32(const float *x, float *y, size_t n)

    void cyacts_relu_grad_f32(const float *x, const float *grad_output, float *y, size_t n)
    void cyacts_leaky_relu_grad_f32(const float *x, const float *grad_output, float *y,
                                    size_t n, float alpha)
    void cyacts_prelu_grad_f32(const float *x, const float *alpha, const float *grad_output,
                               float *y, size_t n)
    void cyacts_relu6_grad_f32(const float *x, const float *grad_output, float *y, size_t n)
    void cyacts_gelu_grad_f32(const float *x, const float *grad_output, float *y, size_t n)
    void cyacts_gelu_tanh_grad_f32(const float *x, const float *grad_output, float *y, size_t n)
    void cyacts_tanh_grad_f32(const float *x, const float *grad_output, float *y, size_t n)
    void cyacts_sigmoid_grad_f32(const float *x, const float *grad_output, float *y, size_t n)
    # from the output y = f(input): 1 - y^2 and y (1 - y)
    void cyacts_tanh_grad_from_output_f32(const float *y, const float *grad_output,
                                          float *out, size_t n)
    void cyacts_sigmoid_grad_from_output_f32(const float *y, const float *grad_output,
                                             float *out, size_t n)

    # ---- float64 ----------------------------------------------------------------------------
    void cyacts_relu_f64(const double *x, double *y, size_t n)
    void cyacts_leaky_relu_f64(const double *x, double *y, size_t n, double alpha)
    void cyacts_prelu_f64(const double *x, const double *alpha, double *y, size_t n)
    void cyacts_relu6_f64(const double *x, double *y, size_t n)
    void cyacts_gelu_f64(const double *x, double *y, size_t n)
    void cyacts_gelu_tanh_f64(const double *x, double *y, size_t n)
    void cyacts_tanh_f64(const double *x, double *y, size_t n)
    void cyacts_sigmoid_f64(const double *x, double *y, size_t n)

    void cyacts_relu_grad_f64(const double *x, const double *grad_output, double *y, size_t n)
    void cyacts_leaky_relu_grad_f64(const double *x, const double *grad_output, double *y,
                                    size_t n, double alpha)
    void cyacts_prelu_grad_f64(const double *x, const double *alpha, const double *grad_output,
                               double *y, size_t n)
    void cyacts_relu6_grad_f64(const double *x, const double *grad_output, double *y, size_t n)
    void cyacts_gelu_grad_f64(const double *x, const double *grad_output, double *y, size_t n)
    void cyacts_gelu_tanh_grad_f64(const double *x, const double *grad_output, double *y,
                                   size_t n)
    void cyacts_tanh_grad_f64(const double *x, const double *grad_output, double *y, size_t n)
    void cyacts_sigmoid_grad_f64(const double *x, const double *grad_output, double *y, size_t n)
    void cyacts_tanh_grad_from_output_f64(const double *y, const double *grad_output,
                                          double *out, size_t n)
    void cyacts_sigmoid_grad_from_output_f64(const double *y, const double *grad_output,
                                             double *out, size_t n)
