# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The parallel driver: splits contiguous 1-D buffers into static chunks across OpenMP threads.

Design
------
A. The math lives in include/cyacts/cyacts.h; this module only decides who computes which
   elements. Every kernel is reached through one table (_kernels/kernels.h) with a uniform
   signature, so one loop below serves every op and both dtypes.
B. Buffers arrive here contiguous, flat and of the compute dtype: broadcasting, layouts, dtype
   promotion, overlap and validation all live in the Python layer (api.py). That keeps this
   loop trivial and free of the memoryview's 8-dimension limit. float16 and bfloat16 (the
   ml_dtypes dtype, recognised without importing ml_dtypes) are passed as their bit patterns
   to the table's 16-bit kernels, which compute in float32.
C. Each op has a grain (the fewest elements worth a thread). Arrays under two grains never
   enter a parallel region. Chunks are multiples of 64 bytes, so two threads share a cache
   line of the output only where the array does not start on a 64-byte boundary (NumPy
   guarantees 16): one line per chunk boundary at most.
D. The GIL is released for every kernel call, serial ones included.
"""
from libc.stdint cimport uint16_t, uint32_t, uint64_t
from libc.stdlib cimport getenv

cdef extern from "_kernels/kernels.h" nogil:
    ctypedef void (*cyacts_kernel_f32)(const float *x, const float *aux1, const float *aux2,
                                       float *y, size_t n, float param) noexcept nogil
    ctypedef void (*cyacts_kernel_f64)(const double *x, const double *aux1, const double *aux2,
                                       double *y, size_t n, double param) noexcept nogil
    ctypedef void (*cyacts_kernel_16)(const uint16_t *x, const uint16_t *aux1,
                                      const uint16_t *aux2, uint16_t *y, size_t n,
                                      float param) noexcept nogil
    ctypedef void (*cyacts_widen)(const uint16_t *src, float *dst, size_t n) noexcept nogil
    ctypedef void (*cyacts_narrow)(const float *src, uint16_t *dst, size_t n) noexcept nogil
    ctypedef struct cyacts_table:
        cyacts_kernel_f32 f32[1]
        cyacts_kernel_f64 f64[1]
        cyacts_kernel_16 f16[1]
        cyacts_kernel_16 bf16[1]
        cyacts_widen widen[2]
        cyacts_narrow narrow[2]
    enum:
        CYACTS_F16
        CYACTS_BF16
    const cyacts_table *cyacts_select_table(const char *requested, const char **level)
    const char *cyacts_available_levels()
    size_t cyacts_grain(int op)
    int cyacts_x86_levels(uint32_t leaf1_ecx, uint32_t leaf7_ebx, uint64_t xcr0)
    int cyacts_x86_cpu_levels()

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
cimport numpy as cnp

cdef extern from "numpy/ndarraytypes.h":
    enum:
        NPY_HALF
        NPY_USERDEF

cnp.import_array()

ctypedef fused floating:
    float
    double

# what the driver's loop runs over: the two float dtypes, and 16-bit patterns (float16 or
# bfloat16, told apart by `half`)
ctypedef fused element:
    float
    double
    uint16_t

cdef const cyacts_table *_table = NULL
cdef const char *_level = NULL

#: op name -> index into the kernel table
OPS = {cyacts__op_names[i].decode(): i for i in range(CYACTS_N_OPS)}
#: op name -> its grain: the fewest elements per thread; under two grains an op runs serially
GRAINS = {cyacts__op_names[i].decode(): cyacts_grain(i) for i in range(CYACTS_N_OPS)}
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


def x86_levels(uint32_t leaf1_ecx, uint32_t leaf7_ebx, uint64_t xcr0):
    """How many x86-64 tables above the baseline a CPU with these CPUID and XCR0 values runs."""
    return cyacts_x86_levels(leaf1_ecx, leaf7_ebx, xcr0)


def x86_cpu_levels():
    """The same for this CPU, from CPUID and XGETBV (what MSVC builds dispatch with); -1 where
    the build has no x86-64 tables."""
    return cyacts_x86_cpu_levels()


def max_threads():
    return cyacts_max_threads()


def set_threads(int n):
    cyacts_set_threads(n)


cdef inline void _call(int op, const element *x, const element *aux1, const element *aux2,
                       element *y, size_t n, double param, int half) noexcept nogil:
    if element is float:
        _table.f32[op](x, aux1, aux2, y, n, <float>param)
    elif element is double:
        _table.f64[op](x, aux1, aux2, y, n, param)
    elif half == CYACTS_BF16:
        _table.bf16[op](x, aux1, aux2, y, n, <float>param)
    else:
        _table.f16[op](x, aux1, aux2, y, n, <float>param)


cdef void _run(int op, const element *x, const element *aux1, const element *aux2, element *y,
               Py_ssize_t n, double param, Py_ssize_t threads, int half=CYACTS_F16) noexcept nogil:
    cdef Py_ssize_t chunk, n_chunks, c, start
    cdef Py_ssize_t line = 64 // sizeof(element)
    threads = min(threads, n // <Py_ssize_t>cyacts_grain(op))
    if threads < 2 or not cyacts_openmp():
        _call(op, x, aux1, aux2, y, <size_t>n, param, half)
        return
    chunk = (n + threads - 1) // threads
    chunk = (chunk + line - 1) // line * line  # whole cache lines per thread
    n_chunks = (n + chunk - 1) // chunk
    for c in prange(n_chunks, schedule='static', num_threads=threads):
        start = c * chunk
        _call(op, x + start, NULL if aux1 == NULL else aux1 + start,
              NULL if aux2 == NULL else aux2 + start, y + start,
              <size_t>min(chunk, n - start), param, half)


# NumPy's type number of ml_dtypes.bfloat16 (a user-defined dtype), once an array of it is seen
cdef int _bf16_typenum = -1


def is_bfloat16(dtype):
    """Whether `dtype` is ml_dtypes' bfloat16: by its name, size and module, so that ml_dtypes
    is never imported here."""
    return (dtype.name == "bfloat16" and dtype.itemsize == 2
            and getattr(dtype.type, "__module__", "").split(".")[0] == "ml_dtypes")


cdef int _half_kind(object a) except -2:
    """CYACTS_F16 or CYACTS_BF16 for an ndarray of float16 or bfloat16, else -1."""
    global _bf16_typenum
    if type(a) is not cnp.ndarray:
        return -1
    cdef int typenum = cnp.PyArray_TYPE(<cnp.ndarray>a)
    if typenum == NPY_HALF:
        return CYACTS_F16
    if typenum == _bf16_typenum:
        return CYACTS_BF16
    if _bf16_typenum < 0 and typenum >= NPY_USERDEF and is_bfloat16(a.dtype):
        _bf16_typenum = typenum
        return CYACTS_BF16
    return -1


cdef void *_flat(object a, Py_ssize_t n, object dtype, str name) except NULL:
    """The data of `a`, checked to be an aligned contiguous native 1-D array of n elements
    (of `dtype`, unless None): the 16-bit paths' check, which memoryviews make elsewhere."""
    if not (type(a) is cnp.ndarray and (dtype is None or (<cnp.ndarray>a).dtype == dtype)
            and cnp.PyArray_NDIM(<cnp.ndarray>a) == 1 and cnp.PyArray_DIMS(<cnp.ndarray>a)[0] == n
            and cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>a)
            and cnp.PyArray_ISALIGNED(<cnp.ndarray>a)
            and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>a)):
        raise ValueError(f"{name} must be an aligned contiguous native 1-D array of {n} "
                         f"elements" + ("" if dtype is None else f", {dtype}"))
    return cnp.PyArray_DATA(<cnp.ndarray>a)


def apply(int op, x, y, aux1=None, aux2=None, double param=0.0, Py_ssize_t n_threads=1):
    """y = op(x, aux1, aux2; param), elementwise over equal-length contiguous buffers of one
    dtype: float32 or float64 (any buffer), float16 or bfloat16 (ndarrays)."""
    cdef int half = _half_kind(y)
    if half < 0:
        _apply_float(op, x, y, aux1, aux2, param, n_threads)
        return
    cdef Py_ssize_t n = cnp.PyArray_SIZE(<cnp.ndarray>y)
    cdef uint16_t *py = <uint16_t *>_flat(y, n, y.dtype, "y")
    if not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>y):
        raise ValueError("y is read-only")
    cdef uint16_t *px = <uint16_t *>_flat(x, n, y.dtype, "x")
    cdef uint16_t *pa1 = NULL if aux1 is None else <uint16_t *>_flat(aux1, n, y.dtype, "aux1")
    cdef uint16_t *pa2 = NULL if aux2 is None else <uint16_t *>_flat(aux2, n, y.dtype, "aux2")
    if n == 0:
        return
    with nogil:
        _run(op, px, pa1, pa2, py, n, param, n_threads, half)


def _apply_float(int op, const floating[::1] x, floating[::1] y, const floating[::1] aux1=None,
                 const floating[::1] aux2=None, double param=0.0, Py_ssize_t n_threads=1):
    cdef Py_ssize_t n = y.shape[0]
    if n == 0:
        return
    cdef const floating *pa1 = NULL if aux1 is None else &aux1[0]
    cdef const floating *pa2 = NULL if aux2 is None else &aux2[0]
    with nogil:
        _run(op, &x[0], pa1, pa2, &y[0], n, <floating>param, n_threads)


# ---------------------------------------------------------------------------------------------
# The fast path: the common call (aligned C-contiguous native float32/float64/float16/bfloat16
# ndarrays, out None or an equally shaped C-contiguous array) costs about as much as a NumPy
# ufunc call. Anything else returns None and the Python layer takes the general path, which also
# raises the errors.
# ---------------------------------------------------------------------------------------------
cdef inline bint _plain(object a, int typenum):
    return (type(a) is cnp.ndarray and cnp.PyArray_TYPE(<cnp.ndarray>a) == typenum
            and cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>a) and cnp.PyArray_ISALIGNED(<cnp.ndarray>a)
            and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>a) and cnp.PyArray_NDIM(<cnp.ndarray>a) > 0)


cdef inline bint _same_shape(cnp.ndarray a, cnp.ndarray b):
    cdef int i
    if cnp.PyArray_NDIM(a) != cnp.PyArray_NDIM(b):
        return False
    for i in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_DIMS(a)[i] != cnp.PyArray_DIMS(b)[i]:
            return False
    return True


cdef inline bint _apart(cnp.ndarray a, cnp.ndarray out):
    """a is out itself, or shares no byte with it."""
    cdef char *pa = <char *>cnp.PyArray_DATA(a)
    cdef char *po = <char *>cnp.PyArray_DATA(out)
    cdef Py_ssize_t nbytes = cnp.PyArray_NBYTES(a)
    return pa == po or pa + nbytes <= po or po + nbytes <= pa


def fast(int op, object x, object aux1, object aux2, object out, object n_threads, double param):
    """The result of op over x (aux1, aux2 optional, same shape and dtype), or None."""
    cdef Py_ssize_t threads
    cdef int typenum, half = -1
    if n_threads is None:
        threads = cyacts_max_threads()
    elif type(n_threads) is int and 1 <= n_threads <= 65536:
        threads = n_threads
    else:
        return None
    if type(x) is not cnp.ndarray:
        return None
    typenum = cnp.PyArray_TYPE(<cnp.ndarray>x)
    if typenum != cnp.NPY_FLOAT and typenum != cnp.NPY_DOUBLE:
        half = _half_kind(x)
        if half < 0:
            return None
    if not _plain(x, typenum):
        return None
    if aux1 is not None and not (_plain(aux1, typenum) and _same_shape(x, aux1)):
        return None
    if aux2 is not None and not (_plain(aux2, typenum) and _same_shape(x, aux2)):
        return None
    if out is None:
        out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(<cnp.ndarray>x), cnp.PyArray_DIMS(<cnp.ndarray>x),
                                typenum, 0)
    elif not (_plain(out, typenum) and _same_shape(x, out)
              and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>out) and _apart(x, out)
              and (aux1 is None or _apart(aux1, out)) and (aux2 is None or _apart(aux2, out))):
        return None
    cdef Py_ssize_t n = cnp.PyArray_SIZE(<cnp.ndarray>x)
    cdef void *px = cnp.PyArray_DATA(<cnp.ndarray>x)
    cdef void *py = cnp.PyArray_DATA(<cnp.ndarray>out)
    cdef void *pa1 = NULL if aux1 is None else cnp.PyArray_DATA(<cnp.ndarray>aux1)
    cdef void *pa2 = NULL if aux2 is None else cnp.PyArray_DATA(<cnp.ndarray>aux2)
    if n == 0:
        return out
    with nogil:
        if typenum == cnp.NPY_FLOAT:
            _run(op, <float *>px, <float *>pa1, <float *>pa2, <float *>py, n, <float>param,
                 threads)
        elif typenum == cnp.NPY_DOUBLE:
            _run(op, <double *>px, <double *>pa1, <double *>pa2, <double *>py, n, param, threads)
        else:
            _run(op, <uint16_t *>px, <uint16_t *>pa1, <uint16_t *>pa2, <uint16_t *>py, n, param,
                 threads, half)
    return out


def convert(src, dst):
    """dst = src converted by the current level's kernel-table conversions (the ones its 16-bit
    kernels use), for the tests: float16 or bfloat16 -> float32, or float32 -> either. Both
    contiguous 1-D ndarrays of one length."""
    cdef int half = _half_kind(src)
    wide = dst if half >= 0 else src
    if half < 0:
        half = _half_kind(dst)
    if (half < 0 or type(wide) is not cnp.ndarray
            or cnp.PyArray_TYPE(<cnp.ndarray>wide) != cnp.NPY_FLOAT):
        raise ValueError("convert takes a float16 or bfloat16 array and a float32 one")
    cdef size_t n = <size_t>cnp.PyArray_SIZE(<cnp.ndarray>wide)
    cdef void *ps = _flat(src, n, None, "src")
    cdef void *pd = _flat(dst, n, None, "dst")
    if not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>dst):
        raise ValueError("dst is read-only")
    with nogil:
        if wide is dst:
            _table.widen[half](<const uint16_t *>ps, <float *>pd, n)
        else:
            _table.narrow[half](<const float *>ps, <uint16_t *>pd, n)
    return dst
