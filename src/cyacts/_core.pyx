# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The parallel driver: splits contiguous 1-D buffers into static chunks across OpenMP threads.

Design
------
A. The math lives in include/cyacts/cyacts.h; this module only decides who computes which
   elements. Every kernel is reached through one table (_kernels/kernels.h) with a uniform
   signature, so one loop below serves every op and both dtypes.
B. Buffers arrive here contiguous, flat and of the compute dtype: broadcasting, layouts, dtype
   promotion, overlap and validation all live in the Python layer (api.py). That keeps this
   loop trivial and free of the memoryview's 8-dimension limit.
C. Each op has a grain (the fewest elements worth a thread). Arrays under two grains never
   enter a parallel region. Chunks are multiples of 64 bytes so threads never share a
   cache line of the output.
D. The GIL is released for every kernel call, serial ones included.
"""
from libc.stdlib cimport getenv

cdef extern from "_kernels/kernels.h" nogil:
    ctypedef void (*cyacts_kernel_f32)(const float *x, const float *aux1, const float *aux2,
                                       float *y, size_t n, float param) noexcept nogil
    ctypedef void (*cyacts_kernel_f64)(const double *x, const double *aux1, const double *aux2,
                                       double *y, size_t n, double param) noexcept nogil
    ctypedef struct cyacts_table:
        cyacts_kernel_f32 f32[1]
        cyacts_kernel_f64 f64[1]
    const cyacts_table *cyacts_select_table(const char *requested, const char **level)
    const char *cyacts_available_levels()
    size_t cyacts_grain(int op)

cdef extern from *:
    """
    #define CYACTS__OP_NAME(OP, name, shape, grain) #name,
    static const char *cyacts__op_names[] = {CYACTS_OPS(CYACTS__OP_NAME)};
    #ifdef _OPENMP
    #include <omp.h>
    static int cyacts_openmp(void) { return 1; }
    static int cyacts_max_threads(void) { return omp_get_max_threads(); }
    static void cyacts_set_threads(int n) { omp_set_num_threads(n); }
    #else
    static int cyacts_openmp(void) { return 0; }
    static int cyacts_max_threads(void) { return 1; }
    static void cyacts_set_threads(int n) { (void)n; }
    #endif
    #ifndef CYACTS_BUILD_FLAGS
    #define CYACTS_BUILD_FLAGS ""
    #endif
    #if defined(__clang__)
    #define CYACTS_COMPILER "clang " __clang_version__
    #elif defined(__GNUC__)
    #define CYACTS_COMPILER "gcc " __VERSION__
    #elif defined(_MSC_VER)
    #define CYACTS__STR2(v) #v
    #define CYACTS__STR(v) CYACTS__STR2(v)
    #define CYACTS_COMPILER "msvc " CYACTS__STR(_MSC_VER)
    #else
    #define CYACTS_COMPILER "unknown"
    #endif
    """
    const char *cyacts__op_names[]
    int CYACTS_N_OPS
    int cyacts_openmp() nogil
    int cyacts_max_threads() nogil
    void cyacts_set_threads(int n) nogil
    const char *CYACTS_COMPILER
    const char *CYACTS_BUILD_FLAGS

from cython.parallel cimport prange

ctypedef fused floating:
    float
    double

cdef const cyacts_table *_table = NULL
cdef const char *_level = NULL

#: op name -> index into the kernel table
OPS = {cyacts__op_names[i].decode(): i for i in range(CYACTS_N_OPS)}
OPENMP = bool(cyacts_openmp())
COMPILER = CYACTS_COMPILER.decode()
BUILD_FLAGS = CYACTS_BUILD_FLAGS.decode()
AVAILABLE_LEVELS = cyacts_available_levels().decode().split()


def select_level(str requested=""):
    """Use the kernels of `requested` (or the best this CPU runs, for ""); return the level used."""
    global _table, _level
    cdef bytes req = requested.encode()
    _table = cyacts_select_table(req, &_level)
    return _level.decode()


def simd_level():
    return _level.decode()


def max_threads():
    return cyacts_max_threads()


def set_threads(int n):
    cyacts_set_threads(n)


cdef inline void _call(int op, const floating *x, const floating *aux1, const floating *aux2,
                       floating *y, size_t n, double param) noexcept nogil:
    if floating is float:
        _table.f32[op](x, aux1, aux2, y, n, <float>param)
    else:
        _table.f64[op](x, aux1, aux2, y, n, param)


def apply(int op, const floating[::1] x, floating[::1] y, const floating[::1] aux1=None,
          const floating[::1] aux2=None, double param=0.0, int n_threads=1):
    """y = op(x, aux1, aux2; param), elementwise over equal-length contiguous buffers."""
    cdef Py_ssize_t n = y.shape[0]
    if n == 0:
        return
    cdef const floating *px = &x[0]
    cdef floating *py = &y[0]
    cdef const floating *pa1 = NULL if aux1 is None else &aux1[0]
    cdef const floating *pa2 = NULL if aux2 is None else &aux2[0]
    cdef Py_ssize_t grain = <Py_ssize_t>cyacts_grain(op)
    cdef Py_ssize_t line = 64 // sizeof(floating)
    cdef Py_ssize_t threads = min(<Py_ssize_t>n_threads, n // grain)
    cdef Py_ssize_t chunk, n_chunks, c, start
    if threads < 2 or not cyacts_openmp():
        with nogil:
            _call(op, px, pa1, pa2, py, <size_t>n, param)
        return
    chunk = (n + threads - 1) // threads
    chunk = (chunk + line - 1) // line * line
    n_chunks = (n + chunk - 1) // chunk
    for c in prange(n_chunks, nogil=True, schedule='static', num_threads=threads):
        start = c * chunk
        _call(op, px + start, NULL if pa1 == NULL else pa1 + start,
              NULL if pa2 == NULL else pa2 + start, py + start,
              <size_t>min(chunk, n - start), param)
