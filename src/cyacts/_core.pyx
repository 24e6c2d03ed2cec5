# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The parallel driver: splits the elements of the operands into static chunks across OpenMP
threads, for contiguous 1-D buffers (apply, fast) and for strided views (apply_rows).

Design
------
A. The math lives in include/cyacts/cyacts.h; this module only decides who computes which
   elements. Every kernel is reached through one table (_kernels/kernels.h) with a uniform
   signature, so one loop below serves every op and both dtypes.
B. Operands arrive here of the compute dtype, of one shape and not partially overlapping the
   output: broadcasting, dtype promotion, overlap and validation all live in the Python layer
   (api.py). apply takes flat contiguous buffers; apply_rows takes arrays of any of the four
   dtypes with any strides in whole elements (row slices, reversed, strided, broadcast axes) and walks
   them in place, reading the dimensions and strides from the arrays (no memoryview, no
   8-dimension limit). float16 and bfloat16 (the ml_dtypes dtype, recognised without
   importing ml_dtypes) are passed as their bit patterns to the table's 16-bit kernels, which
   compute in float32.
C. Each op has a grain (the fewest elements worth a thread). Arrays under two grains never
   enter a parallel region. Chunks are multiples of 64 bytes, so two threads share a cache
   line of the output only where the array does not start on a 64-byte boundary (NumPy
   guarantees 16): one line per chunk boundary at most.
D. The GIL is released for every kernel call, serial ones included.
"""
from cpython.ref cimport PyObject
from libc.stdint cimport uint16_t, uint32_t, uint64_t
from libc.stdlib cimport getenv

cdef extern from "_kernels/kernels.h" nogil:
    ctypedef void (*cyacts_kernel_f32)(const float *x, const float *aux1, const float *aux2,
                                       const float *bias, float *y, float *y2, size_t n,
                                       float p0, float p1) noexcept nogil
    ctypedef void (*cyacts_kernel_f64)(const double *x, const double *aux1, const double *aux2,
                                       const double *bias, double *y, double *y2, size_t n,
                                       double p0, double p1) noexcept nogil
    ctypedef void (*cyacts_kernel_16)(const uint16_t *x, const uint16_t *aux1,
                                      const uint16_t *aux2, const uint16_t *bias, uint16_t *y,
                                      uint16_t *y2, size_t n, float p0, float p1) noexcept nogil
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
    cyacts__select_copies(_level)
    _select_reductions()
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


# The operands of a kernel call, by slot: the outputs y and y2, the inputs x, aux1, aux2, bias
# (absent ones NULL). `par` holds the op's two scalar parameters (0 where it has fewer).
cdef enum:
    _Y = 0
    _X = 1
    _BIAS = 4
    _Y2 = 5
    _NOPS = 6


cdef inline void _call(int op, element **p, size_t n, const double *par, int half) noexcept nogil:
    if element is float:
        _table.f32[op](p[_X], p[2], p[3], p[_BIAS], p[_Y], p[_Y2], n, <float>par[0],
                       <float>par[1])
    elif element is double:
        _table.f64[op](p[_X], p[2], p[3], p[_BIAS], p[_Y], p[_Y2], n, par[0], par[1])
    elif half == CYACTS_BF16:
        _table.bf16[op](p[_X], p[2], p[3], p[_BIAS], p[_Y], p[_Y2], n, <float>par[0],
                        <float>par[1])
    else:
        _table.f16[op](p[_X], p[2], p[3], p[_BIAS], p[_Y], p[_Y2], n, <float>par[0],
                       <float>par[1])


cdef inline void _call_at(int op, element **p, Py_ssize_t start, Py_ssize_t n, const double *par,
                          int half) noexcept nogil:
    """_call on elements start .. start + n - 1 of every operand."""
    cdef element *q[_NOPS]
    cdef int i
    for i in range(_NOPS):
        q[i] = NULL if p[i] == NULL else p[i] + start
    _call(op, q, <size_t>n, par, half)


cdef void _run(int op, element **p, Py_ssize_t n, const double *par, Py_ssize_t threads,
               int half=CYACTS_F16) noexcept nogil:
    cdef Py_ssize_t chunk, n_chunks, c, start
    cdef Py_ssize_t line = 64 // sizeof(element)
    threads = min(threads, n // <Py_ssize_t>cyacts_grain(op))
    if threads < 2 or not cyacts_openmp():
        _call(op, p, <size_t>n, par, half)
        return
    chunk = (n + threads - 1) // threads
    chunk = (chunk + line - 1) // line * line  # whole cache lines per thread
    n_chunks = (n + chunk - 1) // chunk
    for c in prange(n_chunks, schedule='static', num_threads=threads):
        start = c * chunk
        _call_at(op, p, start, min(chunk, n - start), par, half)


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


def apply(int op, x, y, aux1=None, aux2=None, double param=0.0, Py_ssize_t n_threads=1, *,
          double param2=0.0, bias=None, y2=None):
    """y (and y2) = op(x + bias, aux1, aux2; param, param2), elementwise over equal-length
    contiguous buffers of one dtype: float32 or float64 (any buffer), float16 or bfloat16
    (ndarrays). Absent operands are None."""
    cdef double par[2]
    par[0], par[1] = param, param2
    cdef int half = _half_kind(y), i
    if half < 0:
        _apply_float(op, x, y, aux1, aux2, bias, y2, param, param2, n_threads)
        return
    cdef Py_ssize_t n = cnp.PyArray_SIZE(<cnp.ndarray>y)
    cdef uint16_t *p[_NOPS]
    for i, (name, a) in enumerate((("y", y), ("x", x), ("aux1", aux1), ("aux2", aux2),
                                   ("bias", bias), ("y2", y2))):
        p[i] = NULL if a is None else <uint16_t *>_flat(a, n, y.dtype, name)
    for name, a in (("y", y), ("y2", y2)):
        if a is not None and not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>a):
            raise ValueError(f"{name} is read-only")
    if n == 0:
        return
    with nogil:
        _run(op, p, n, par, n_threads, half)


def _apply_float(int op, const floating[::1] x, floating[::1] y, const floating[::1] aux1,
                 const floating[::1] aux2, const floating[::1] bias, floating[::1] y2,
                 double param, double param2, Py_ssize_t n_threads):
    cdef Py_ssize_t n = y.shape[0]
    cdef double par[2]
    cdef floating *p[_NOPS]
    par[0], par[1] = param, param2
    if (x.shape[0] != n or (aux1 is not None and aux1.shape[0] != n)
            or (aux2 is not None and aux2.shape[0] != n)
            or (bias is not None and bias.shape[0] != n) or (y2 is not None and y2.shape[0] != n)):
        raise ValueError(f"every operand must have {n} elements")
    if n == 0:
        return
    p[_Y] = &y[0]
    p[_X] = <floating *>&x[0]
    p[2] = NULL if aux1 is None else <floating *>&aux1[0]
    p[3] = NULL if aux2 is None else <floating *>&aux2[0]
    p[_BIAS] = NULL if bias is None else <floating *>&bias[0]
    p[_Y2] = NULL if y2 is None else &y2[0]
    with nogil:
        _run(op, p, n, par, n_threads)


# ---------------------------------------------------------------------------------------------
# Views: operands of one shape with any strides in whole elements (row slices z[:, :d], batch
# slices, reversed or strided axes, operands broadcast with stride 0). Axes are ordered by the
# output's strides and merged where every operand allows it, leaving a grid of rows (any number
# of outer axes) by `cols`. A row piece whose operands all have unit inner stride goes to the
# kernel in place; otherwise it goes tile by tile through buffers on the thread's stack (inputs
# gathered, the output scattered, by copy loops compiled per instruction set), and rows under
# _SHORT_ROW elements are packed several to a tile. Threads take equal runs of the flattened
# grid, so rows fewer than threads, or one long row, still split; the grain rule is _run's.
# ---------------------------------------------------------------------------------------------
cdef enum:
    _MAX_DIMS = 64  # NPY_MAXDIMS of NumPy 2
    _PAGE = 4096    # bytes of buffer per operand and thread: six of them stay in L1
    _TILE = 1024    # bytes per operand and kernel call on the buffered path
    _ROW_LEAD = 512  # bytes of each operand's next row prefetched on the unit-stride path
    _STORE = 7 * _PAGE // 8  # doubles per thread: six tiles, placed anywhere in a page
    _LINE_STEP = 4  # inner steps (in elements) up to which gathered inputs are prefetched
    # Rows shorter than this are packed, several to a tile, for one kernel call: a call per row
    # of 2 or 4 elements runs a transcendental kernel's scalar tail only (~25 ns an element for
    # the GELU), while packing costs a few ns a row, more than a call does from 16 elements on.
    _SHORT_ROW = 16

cdef extern from *:
    """
    /* Ask for the cache lines of [p, p + bytes) ahead of their use. */
    static CYTHON_INLINE void cyacts__prefetch(const char *p, ptrdiff_t bytes) {
    #if defined(__GNUC__) || defined(__clang__)
        for (ptrdiff_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
    #else
        (void)p; (void)bytes;
    #endif
    }
    """
    void cyacts__prefetch(const char *p, Py_ssize_t nbytes) nogil

cdef extern from *:
    """
    #include <string.h>
    /* The copies between strided operands and the tiles, per instruction set: compiled for
       SSE2 only, the reversing and every-other-element loops take more instructions than an
       AVX-512 ReLU does on the same tile (in a C test of the tile loop, a reversed ReLU took
       1.6x its contiguous time with SSE2 copies, about 1.1x with AVX2 or AVX-512 ones). The
       common steps have loops of their own, which the compiler vectorises. */
    #if defined(_MSC_VER) && !defined(__clang__)
    #define CYACTS__RESTRICT __restrict
    #else
    #define CYACTS__RESTRICT restrict
    #endif
    #define CYACTS__COPIES(T, sfx, attr)                                                      \
        static attr void cyacts__gather_##T##_##sfx(T *CYACTS__RESTRICT dst,                 \
                const T *CYACTS__RESTRICT src, Py_ssize_t step, Py_ssize_t n) {             \
            Py_ssize_t j;                                                                     \
            if (step == 1) for (j = 0; j < n; j++) dst[j] = src[j];                           \
            else if (step == -1) for (j = 0; j < n; j++) dst[j] = src[-j];                    \
            else if (step == 0) for (j = 0; j < n; j++) dst[j] = src[0];                      \
            else if (step == 2) for (j = 0; j < n; j++) dst[j] = src[2 * j];                  \
            else for (j = 0; j < n; j++) dst[j] = src[j * step];                              \
        }                                                                                     \
        static attr void cyacts__scatter_##T##_##sfx(T *CYACTS__RESTRICT dst,                \
                const T *CYACTS__RESTRICT src, Py_ssize_t step, Py_ssize_t n) {             \
            Py_ssize_t j;                                                                     \
            if (step == 1) for (j = 0; j < n; j++) dst[j] = src[j];                           \
            else if (step == -1) for (j = 0; j < n; j++) dst[-j] = src[j];                    \
            else if (step == 2) for (j = 0; j < n; j++) dst[2 * j] = src[j];                  \
            else for (j = 0; j < n; j++) dst[j * step] = src[j];                              \
        }
    typedef struct {
        void (*gather_u16)(uint16_t *, const uint16_t *, Py_ssize_t, Py_ssize_t);
        void (*scatter_u16)(uint16_t *, const uint16_t *, Py_ssize_t, Py_ssize_t);
        void (*gather_f32)(float *, const float *, Py_ssize_t, Py_ssize_t);
        void (*scatter_f32)(float *, const float *, Py_ssize_t, Py_ssize_t);
        void (*gather_f64)(double *, const double *, Py_ssize_t, Py_ssize_t);
        void (*scatter_f64)(double *, const double *, Py_ssize_t, Py_ssize_t);
    } cyacts__copies;
    #define CYACTS__COPIES_ENTRY(sfx)                                                         \
        {cyacts__gather_uint16_t_##sfx, cyacts__scatter_uint16_t_##sfx,                       \
         cyacts__gather_float_##sfx, cyacts__scatter_float_##sfx,                             \
         cyacts__gather_double_##sfx, cyacts__scatter_double_##sfx}

    CYACTS__COPIES(uint16_t, baseline, )
    CYACTS__COPIES(float, baseline, )
    CYACTS__COPIES(double, baseline, )
    static const cyacts__copies cyacts__copies_baseline = CYACTS__COPIES_ENTRY(baseline);
    static const cyacts__copies *cyacts__copies_now = &cyacts__copies_baseline;

    #if defined(CYACTS_X86_DISPATCH) && (defined(__GNUC__) || defined(__clang__))
    #define CYACTS__AVX2 __attribute__((target("avx2")))
    #if defined(__clang__)
    #define CYACTS__AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
    #else
    #define CYACTS__AVX512 \
        __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,prefer-vector-width=512")))
    #endif
    CYACTS__COPIES(uint16_t, avx2, CYACTS__AVX2)
    CYACTS__COPIES(float, avx2, CYACTS__AVX2)
    CYACTS__COPIES(double, avx2, CYACTS__AVX2)
    CYACTS__COPIES(uint16_t, avx512, CYACTS__AVX512)
    CYACTS__COPIES(float, avx512, CYACTS__AVX512)
    CYACTS__COPIES(double, avx512, CYACTS__AVX512)
    static const cyacts__copies cyacts__copies_avx2 = CYACTS__COPIES_ENTRY(avx2);
    static const cyacts__copies cyacts__copies_avx512 = CYACTS__COPIES_ENTRY(avx512);
    #endif

    /* The copies of the kernel level in use (the names of dispatch.c). */
    static void cyacts__select_copies(const char *level) {
        cyacts__copies_now = &cyacts__copies_baseline;
    #if defined(CYACTS_X86_DISPATCH) && (defined(__GNUC__) || defined(__clang__))
        if (strcmp(level, "avx2") == 0) cyacts__copies_now = &cyacts__copies_avx2;
        if (strcmp(level, "avx512") == 0) cyacts__copies_now = &cyacts__copies_avx512;
    #endif
    }
    """
    ctypedef struct cyacts__copies:
        void (*gather_u16)(uint16_t *, const uint16_t *, Py_ssize_t, Py_ssize_t) noexcept nogil
        void (*scatter_u16)(uint16_t *, const uint16_t *, Py_ssize_t, Py_ssize_t) noexcept nogil
        void (*gather_f32)(float *, const float *, Py_ssize_t, Py_ssize_t) noexcept nogil
        void (*scatter_f32)(float *, const float *, Py_ssize_t, Py_ssize_t) noexcept nogil
        void (*gather_f64)(double *, const double *, Py_ssize_t, Py_ssize_t) noexcept nogil
        void (*scatter_f64)(double *, const double *, Py_ssize_t, Py_ssize_t) noexcept nogil
    const cyacts__copies *cyacts__copies_now
    void cyacts__select_copies(const char *level) nogil

ctypedef struct _cursor:  # a row of a _grid
    Py_ssize_t index[_MAX_DIMS]  # along each outer axis
    Py_ssize_t offsets[_NOPS]    # of the row's first element, per operand, in elements

ctypedef struct _grid:
    Py_ssize_t n_outer                    # outer axes (rows = the product of their lengths)
    Py_ssize_t cols                       # elements per row
    bint unit                             # every operand has inner stride 1
    Py_ssize_t dims[_MAX_DIMS]            # lengths of the outer axes
    Py_ssize_t strides[_NOPS][_MAX_DIMS + 1]  # [operand slot][axis], in elements; last: inner


cdef inline void _gather(element *dst, const element *src, Py_ssize_t step,
                         Py_ssize_t n) noexcept nogil:
    """dst[j] = src[j * step] for j < n."""
    if element is float:
        cyacts__copies_now.gather_f32(dst, src, step, n)
    elif element is double:
        cyacts__copies_now.gather_f64(dst, src, step, n)
    else:
        cyacts__copies_now.gather_u16(dst, src, step, n)


cdef inline void _scatter(element *dst, const element *src, Py_ssize_t step,
                          Py_ssize_t n) noexcept nogil:
    """dst[j * step] = src[j] for j < n."""
    if element is float:
        cyacts__copies_now.scatter_f32(dst, src, step, n)
    elif element is double:
        cyacts__copies_now.scatter_f64(dst, src, step, n)
    else:
        cyacts__copies_now.scatter_u16(dst, src, step, n)


cdef inline void _prefetch_next(const element *first, Py_ssize_t step,
                                Py_ssize_t n) noexcept nogil:
    """Prefetch elements first[0], first[step], ... first[(n - 1) * step]."""
    if step > 0:
        cyacts__prefetch(<const char *>first, n * step * sizeof(element))
    else:
        cyacts__prefetch(<const char *>(first + (n - 1) * step), -n * step * sizeof(element))


cdef inline element *_tiles(char *store, const element *anchor) noexcept nogil:
    """Six tiles in `store` (seven pages), one per operand slot, at the anchor's offset in
    its page.

    A load whose address matches, modulo 4096, a store still in flight waits for it (4K
    aliasing): a tile 64 bytes below the kernel's output made a ReLU 1.2x slower. At the same
    page offset as the output, the kernel's loads run ahead of its stores and never match.
    """
    return <element *>(store + ((<size_t>anchor - <size_t>store) & (_PAGE - 1)))


cdef inline void _cursor_at(const _grid *g, _cursor *c, Py_ssize_t row) noexcept nogil:
    cdef Py_ssize_t i, k, rest = row
    for i in range(_NOPS):
        c.offsets[i] = 0
    for k in range(g.n_outer - 1, -1, -1):
        c.index[k] = rest % g.dims[k]
        rest = rest // g.dims[k]
        for i in range(_NOPS):
            c.offsets[i] += c.index[k] * g.strides[i][k]


cdef inline void _cursor_next(const _grid *g, _cursor *c) noexcept nogil:
    """On to the next row (after the last one, back to the first)."""
    cdef Py_ssize_t i, k = g.n_outer - 1
    while k >= 0:
        c.index[k] += 1
        for i in range(_NOPS):
            c.offsets[i] += g.strides[i][k]
        if c.index[k] < g.dims[k]:
            return
        c.index[k] = 0
        for i in range(_NOPS):
            c.offsets[i] -= g.dims[k] * g.strides[i][k]
        k -= 1


cdef inline void _peek_next(const _grid *g, const _cursor *c, Py_ssize_t *offsets) noexcept nogil:
    """The offsets of the row after c's, c unchanged."""
    cdef Py_ssize_t i, k = g.n_outer - 1
    for i in range(_NOPS):
        offsets[i] = c.offsets[i]
    while k >= 0:
        if c.index[k] + 1 < g.dims[k]:
            for i in range(_NOPS):
                offsets[i] += g.strides[i][k]
            return
        for i in range(_NOPS):
            offsets[i] -= (g.dims[k] - 1) * g.strides[i][k]
        k -= 1


cdef inline void _prefetch_tile(const _grid *g, element **base, const Py_ssize_t *offsets,
                                Py_ssize_t col, Py_ssize_t n) noexcept nogil:
    """Prefetch the gathered inputs of elements col .. col + n - 1 of the row at offsets.

    A loop that has stopped reading gets nothing from the hardware prefetcher, and a reversed
    stream little: the next tile's lines are requested while the kernel runs on this one.
    Inputs with steps beyond _LINE_STEP touch a line per element and are left alone."""
    cdef Py_ssize_t i, step
    for i in range(_X, _BIAS + 1):
        step = g.strides[i][g.n_outer]
        if base[i] != NULL and step != 0 and step != 1 and -_LINE_STEP <= step <= _LINE_STEP:
            _prefetch_next(base[i] + offsets[i] + col * step, step, n)


cdef void _row_piece(int op, const _grid *g, element **base, const Py_ssize_t *offsets,
                     const Py_ssize_t *next_row, Py_ssize_t col, Py_ssize_t n, const double *par,
                     char *store, int half) noexcept nogil:
    """Elements col .. col + n - 1 of the row at `offsets` (next_row: the offsets of the row to
    come after it, or NULL); store: seven pages for the tiles; half: the 16-bit format of
    uint16_t elements."""
    cdef element *p[_NOPS]
    cdef element *q[_NOPS]
    cdef element *buf
    cdef Py_ssize_t i, inner = g.n_outer, start, m, step
    cdef Py_ssize_t tile = _TILE // sizeof(element), spacing = _PAGE // sizeof(element)
    for i in range(_NOPS):
        p[i] = base[i]
        if p[i] != NULL:
            p[i] += offsets[i] + col * g.strides[i][inner]
    if g.unit:
        if next_row != NULL:
            # the hardware prefetcher starts over on every row: the next one's first lines
            for i in range(_NOPS):
                if base[i] != NULL:
                    cyacts__prefetch(<const char *>(base[i] + next_row[i]), _ROW_LEAD)
        _call(op, p, <size_t>n, par, half)
        return
    # tiles at the page offset of the kernel's output, or of its input when the output is a tile
    if g.strides[_Y][inner] == 1:
        buf = _tiles(store, p[_Y])
    elif g.strides[_X][inner] == 1:
        buf = _tiles(store, p[_X])
    else:
        buf = _tiles(store, <element *>store)
    start = 0
    while start < n:
        m = min(tile, n - start)
        for i in range(_NOPS):  # each operand in place where its step is 1, else in its tile
            q[i] = p[i]
            step = g.strides[i][inner]
            if q[i] != NULL:
                q[i] += start * step
                if step != 1:
                    if i != _Y and i != _Y2:
                        _gather(buf + i * spacing, q[i], step, m)
                    q[i] = buf + i * spacing
        if start + m < n:
            _prefetch_tile(g, base, offsets, col + start + m, min(tile, n - start - m))
        elif next_row != NULL:
            _prefetch_tile(g, base, next_row, 0, min(tile, g.cols))
        _call(op, q, <size_t>m, par, half)
        for i in range(_NOPS):
            step = g.strides[i][inner]
            if (i == _Y or i == _Y2) and p[i] != NULL and step != 1:
                _scatter(p[i] + start * step, q[i], step, m)
        start += m


cdef void _packed(int op, const _grid *g, element **base, _cursor *c, Py_ssize_t col,
                  Py_ssize_t start, Py_ssize_t stop, const double *par,
                  element *buf, int half) noexcept nogil:
    """Elements start .. stop - 1 of a grid of short rows, from (c's row, col) on: each tile
    is filled from as many rows as it takes, computed in one kernel call and put back."""
    cdef Py_ssize_t tile = _PAGE // sizeof(element), inner = g.n_outer, i, j, m, n, first_col
    cdef _cursor first
    cdef element *q[_NOPS]
    for i in range(_NOPS):
        q[i] = NULL if base[i] == NULL else buf + i * tile
    while start < stop:
        m = min(tile, stop - start)
        first, first_col = c[0], col
        j = 0
        while j < m:
            n = min(g.cols - col, m - j)
            for i in range(_X, _BIAS + 1):
                if base[i] != NULL:
                    _gather(buf + i * tile + j, base[i] + c.offsets[i] + col * g.strides[i][inner],
                            g.strides[i][inner], n)
            j += n
            col += n
            if col == g.cols:
                col = 0
                _cursor_next(g, c)
        _call(op, q, <size_t>m, par, half)
        c[0], col = first, first_col
        j = 0
        while j < m:
            n = min(g.cols - col, m - j)
            for i in range(_NOPS):
                if (i == _Y or i == _Y2) and base[i] != NULL:
                    _scatter(base[i] + c.offsets[i] + col * g.strides[i][inner], buf + i * tile + j,
                             g.strides[i][inner], n)
            j += n
            col += n
            if col == g.cols:
                col = 0
                _cursor_next(g, c)
        start += m


cdef void _grid_run(int op, const _grid *g, element **base, Py_ssize_t start, Py_ssize_t stop,
                    const double *par, int half) noexcept nogil:
    """Elements start .. stop - 1 of the flattened grid, row piece by row piece."""
    cdef double store[_STORE]  # doubles: aligned for either dtype
    cdef Py_ssize_t col = start % g.cols, n
    cdef Py_ssize_t next_row[_NOPS]
    cdef _cursor c
    _cursor_at(g, &c, start // g.cols)
    if g.cols < _SHORT_ROW:
        _packed(op, g, base, &c, col, start, stop, par, <element *>store, half)
        return
    while start < stop:
        n = min(g.cols - col, stop - start)
        _peek_next(g, &c, next_row)
        _row_piece(op, g, base, c.offsets, NULL if start + n >= stop else next_row, col, n,
                   par, <char *>store, half)
        start += n
        col = 0
        _cursor_next(g, &c)


cdef void _grid_parallel(int op, const _grid *g, element **base, Py_ssize_t total,
                         const double *par, Py_ssize_t threads, int half) noexcept nogil:
    cdef Py_ssize_t chunk, n_chunks, c
    cdef Py_ssize_t line = 64 // sizeof(element)
    threads = min(threads, total // <Py_ssize_t>cyacts_grain(op))
    if threads < 2 or not cyacts_openmp():
        _grid_run(op, g, base, 0, total, par, half)
        return
    chunk = (total + threads - 1) // threads
    chunk = (chunk + line - 1) // line * line  # whole cache lines of a C-ordered output
    n_chunks = (total + chunk - 1) // chunk
    for c in prange(n_chunks, schedule='static', num_threads=threads):
        _grid_run(op, g, base, c * chunk, min(total, (c + 1) * chunk), par, half)


def apply_rows(int op, cnp.ndarray x, cnp.ndarray y, object aux1=None, object aux2=None,
               double param=0.0, Py_ssize_t n_threads=1, *, double param2=0.0, object bias=None,
               object y2=None):
    """y (and y2) = op(x + bias, aux1, aux2; param, param2) over equally shaped arrays of any
    strides, without copies.

    Returns False, having written nothing, unless every operand is an aligned native float32,
    float64, float16 or bfloat16 ndarray of y's dtype and shape with strides in whole elements, y (and y2,
    which must have y's strides) is writeable and reaches no element twice; True when done.
    """
    cdef PyObject *ops[_NOPS]
    cdef cnp.ndarray a
    cdef int typenum = cnp.PyArray_TYPE(y), nd = cnp.PyArray_NDIM(y), i, k, d = 0, w
    cdef Py_ssize_t itemsize = cnp.PyArray_ITEMSIZE(y), length, s, total, reach
    cdef Py_ssize_t dims[_MAX_DIMS]
    cdef Py_ssize_t strides[_NOPS][_MAX_DIMS]
    cdef char *data[_NOPS]
    cdef int half = _half_kind(y)
    cdef double par[2]
    par[0], par[1] = param, param2
    cdef bint merge
    cdef _grid g
    if ((typenum != cnp.NPY_FLOAT and typenum != cnp.NPY_DOUBLE and half < 0) or nd > _MAX_DIMS
            or not cnp.PyArray_ISWRITEABLE(y)):
        return False
    if y2 is not None and not (isinstance(y2, cnp.ndarray) and cnp.PyArray_ISWRITEABLE(y2)
                               and _same_strides(<cnp.ndarray>y2, y)):
        return False
    for i, operand in enumerate((y, x, aux1, aux2, bias, y2)):
        ops[i] = NULL
        data[i] = NULL
        if operand is None:
            continue
        if not isinstance(operand, cnp.ndarray):
            return False
        a = operand
        if (cnp.PyArray_TYPE(a) != typenum or not cnp.PyArray_ISALIGNED(a)
                or not cnp.PyArray_ISNOTSWAPPED(a) or not _same_shape(a, y)):
            return False
        ops[i] = <PyObject *>a
        data[i] = <char *>cnp.PyArray_DATA(a)
    # the axes longer than 1, with every operand's stride in elements (0 for absent operands)
    for k in range(nd):
        length = cnp.PyArray_DIMS(y)[k]
        if length == 0:
            return True
        if length == 1:
            continue
        dims[d] = length
        for i in range(_NOPS):
            s = 0 if ops[i] == NULL else cnp.PyArray_STRIDES(<cnp.ndarray>ops[i])[k]
            if s % itemsize:
                return False
            strides[i][d] = s // itemsize
        d += 1
    # walk y forwards: an axis y runs backwards is turned round for every operand
    for k in range(d):
        if strides[0][k] < 0:
            for i in range(_NOPS):
                if data[i] != NULL:
                    data[i] += (dims[k] - 1) * strides[i][k] * itemsize
                strides[i][k] = -strides[i][k]
    # y's largest stride first, so that rows run along y's memory (insertion sort, stable)
    for k in range(1, d):
        w = k
        while w > 0 and strides[0][w - 1] < strides[0][w]:
            dims[w - 1], dims[w] = dims[w], dims[w - 1]
            for i in range(_NOPS):
                strides[i][w - 1], strides[i][w] = strides[i][w], strides[i][w - 1]
            w -= 1
    # y reaches no element twice (a writeable as_strided view may): each axis steps past all
    # that the axes inside it reach. Outputs that fail this go to the copying path.
    reach = 0
    for k in range(d - 1, -1, -1):
        if strides[0][k] <= reach:
            return False
        reach += strides[0][k] * (dims[k] - 1)
    # merge each axis into the next inner one where every operand steps through both as one;
    # the axes kept are w .. d - 1, the last of them the rows' axis
    w = d - 1
    for k in range(d - 2, -1, -1):
        merge = True
        for i in range(_NOPS):
            merge = merge and strides[i][k] == strides[i][w] * dims[w]
        if merge:
            dims[w] *= dims[k]
        else:
            w -= 1
            dims[w] = dims[k]
            for i in range(_NOPS):
                strides[i][w] = strides[i][k]
    if d == 0:  # one element
        g.n_outer, g.cols, g.unit = 0, 1, True
        for i in range(_NOPS):
            g.strides[i][0] = 1
    else:
        g.n_outer, g.cols, g.unit = d - 1 - w, dims[d - 1], True
        for k in range(g.n_outer + 1):
            if k < g.n_outer:
                g.dims[k] = dims[w + k]
            for i in range(_NOPS):
                g.strides[i][k] = strides[i][w + k]
        for i in range(_NOPS):
            g.unit = g.unit and (data[i] == NULL or g.strides[i][g.n_outer] == 1)
    total = cnp.PyArray_SIZE(y)
    with nogil:  # data[i]: each operand's first element, of the dtype the typenum says
        if typenum == cnp.NPY_FLOAT:
            _grid_parallel(op, &g, <float **>data, total, par, n_threads, half)
        elif typenum == cnp.NPY_DOUBLE:
            _grid_parallel(op, &g, <double **>data, total, par, n_threads, half)
        else:
            _grid_parallel(op, &g, <uint16_t **>data, total, par, n_threads, half)
    return True


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


cdef inline bint _strided(object a, int typenum):
    """An aligned native ndarray of typenum, any strides: what the row path takes."""
    return (type(a) is cnp.ndarray and cnp.PyArray_TYPE(<cnp.ndarray>a) == typenum
            and cnp.PyArray_ISALIGNED(<cnp.ndarray>a) and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>a)
            and cnp.PyArray_NDIM(<cnp.ndarray>a) > 0)


cdef inline void _extent(cnp.ndarray a, char **lo, char **hi) noexcept:
    """The bytes [lo, hi) that a non-empty array a reaches."""
    cdef int k
    cdef Py_ssize_t span
    lo[0] = hi[0] = <char *>cnp.PyArray_DATA(a)
    for k in range(cnp.PyArray_NDIM(a)):
        span = cnp.PyArray_STRIDES(a)[k] * (cnp.PyArray_DIMS(a)[k] - 1)
        if span < 0:
            lo[0] += span
        else:
            hi[0] += span
    hi[0] += cnp.PyArray_ITEMSIZE(a)


cdef inline bint _same_strides(cnp.ndarray a, cnp.ndarray b):
    """a and b have one shape and the same strides (in bytes)."""
    return _same_shape(a, b) and cnp.PyArray_CompareLists(
        cnp.PyArray_STRIDES(a), cnp.PyArray_STRIDES(b), cnp.PyArray_NDIM(a))


cdef inline bint _apart_strided(cnp.ndarray a, cnp.ndarray out):
    """a is out itself (same data and strides), or their extents do not meet."""
    cdef char *alo
    cdef char *ahi
    cdef char *olo
    cdef char *ohi
    if cnp.PyArray_DATA(a) == cnp.PyArray_DATA(out):
        return _same_strides(a, out)
    _extent(a, &alo, &ahi)
    _extent(out, &olo, &ohi)
    return ahi <= olo or ohi <= alo


cdef object _fast_rows(int op, cnp.ndarray x, object aux1, object aux2, object out,
                       Py_ssize_t threads, double param, double param2, int typenum):
    """fast() for operands of one dtype and shape of which some are not C-contiguous (row
    slices, batch slices, reversed or strided axes): the row path, or None where it declines."""
    if aux1 is not None and not (_strided(aux1, typenum) and _same_shape(x, aux1)):
        return None
    if aux2 is not None and not (_strided(aux2, typenum) and _same_shape(x, aux2)):
        return None
    if cnp.PyArray_SIZE(x) == 0:
        return None
    if out is None:  # Fortran-ordered for a Fortran-ordered x, as the general path's
        out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(x), cnp.PyArray_DIMS(x), typenum,
                                cnp.PyArray_NDIM(x) > 1 and cnp.PyArray_IS_F_CONTIGUOUS(x)
                                and not cnp.PyArray_IS_C_CONTIGUOUS(x))
    elif not (_strided(out, typenum) and _same_shape(x, out)
              and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>out) and _apart_strided(x, out)
              and (aux1 is None or _apart_strided(aux1, out))
              and (aux2 is None or _apart_strided(aux2, out))):
        return None
    if not apply_rows(op, x, out, aux1, aux2, param, threads, param2=param2):
        return None
    return out


cdef inline bint _same_shape(cnp.ndarray a, cnp.ndarray b):
    return cnp.PyArray_NDIM(a) == cnp.PyArray_NDIM(b) and cnp.PyArray_CompareLists(
        cnp.PyArray_DIMS(a), cnp.PyArray_DIMS(b), cnp.PyArray_NDIM(a))


cdef inline bint _apart(cnp.ndarray a, cnp.ndarray out):
    """a is out itself, or shares no byte with it."""
    cdef char *pa = <char *>cnp.PyArray_DATA(a)
    cdef char *po = <char *>cnp.PyArray_DATA(out)
    cdef Py_ssize_t nbytes = cnp.PyArray_NBYTES(a)
    return pa == po or pa + nbytes <= po or po + nbytes <= pa


def fast(int op, object x, object aux1, object aux2, object out, object n_threads, double param,
         double param2=0.0):
    """The result of op over x (aux1, aux2 optional, same shape and dtype), or None. Operands
    that are not all C-contiguous go to the row path (_fast_rows)."""
    cdef Py_ssize_t threads
    cdef double par[2]
    cdef void *p[_NOPS]
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
    if not (_plain(x, typenum)
            and (aux1 is None or (_plain(aux1, typenum) and _same_shape(x, aux1)))
            and (aux2 is None or (_plain(aux2, typenum) and _same_shape(x, aux2)))
            and (out is None or _plain(out, typenum))):
        if not _strided(x, typenum):
            return None
        return _fast_rows(op, x, aux1, aux2, out, threads, param, param2, typenum)
    if out is None:
        out = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(<cnp.ndarray>x), cnp.PyArray_DIMS(<cnp.ndarray>x),
                                typenum, 0)
    elif not (_plain(out, typenum) and _same_shape(x, out)
              and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>out) and _apart(x, out)
              and (aux1 is None or _apart(aux1, out)) and (aux2 is None or _apart(aux2, out))):
        return None
    cdef Py_ssize_t n = cnp.PyArray_SIZE(<cnp.ndarray>x)
    par[0], par[1] = param, param2
    p[_Y] = cnp.PyArray_DATA(<cnp.ndarray>out)
    p[_X] = cnp.PyArray_DATA(<cnp.ndarray>x)
    p[2] = NULL if aux1 is None else cnp.PyArray_DATA(<cnp.ndarray>aux1)
    p[3] = NULL if aux2 is None else cnp.PyArray_DATA(<cnp.ndarray>aux2)
    p[_BIAS] = p[_Y2] = NULL
    if n == 0:
        return out
    with nogil:
        if typenum == cnp.NPY_FLOAT:
            _run(op, <float **>p, n, par, threads)
        elif typenum == cnp.NPY_DOUBLE:
            _run(op, <double **>p, n, par, threads)
        else:
            _run(op, <uint16_t **>p, n, par, threads, half)
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


# ---------------------------------------------------------------------------------------------
# Reductions: softmax, log_softmax, logsumexp and their derivatives (include/cyacts/softmax.h,
# through the per-instruction-set table of _kernels/reductions.h, picked by select_level).
# The Python layer (_softmax.py) hands over operands of one compute dtype, float32 or float64,
# described as a grid: d0 x d1 independent rows (batch axes merged into at most two) of n
# elements along the reduced axis, every operand with its own strides in elements
# (s[0], s[1] for the batch axes, s[2] along the row). Two layouts run in place:
# - rows: every row has unit stride. Threads take equal runs of rows; when there are fewer
#   rows than threads, each long row is split across the threads at block boundaries
#   (CYACTS_SM_BLOCK) in three parallel passes (maximum, block sums, final map), the block
#   sums combined in block order: the same bits as one thread's.
# - columns: the second batch axis has unit stride (a non-last axis of a C-ordered array).
#   Tiles of CYACTS_SM_TILE columns walk down the reduced axis, vectorised across the
#   columns; threads take tiles. The sums run in the rows' order (softmax.h, B).
# logsumexp writes one value per row: its output has the batch axes only (s[2] unused).
# ---------------------------------------------------------------------------------------------
from libc.stdlib cimport malloc, free

cdef extern from "_kernels/reductions.h" nogil:
    ctypedef struct cyacts_sm_consts:
        double m, p, q, r
    ctypedef void (*cyacts_sm_rows_f32)(const float *x, const float *a, float *y, size_t rows,
                                        size_t n, Py_ssize_t xs, Py_ssize_t as_,
                                        Py_ssize_t ys) noexcept nogil
    ctypedef void (*cyacts_sm_cols_f32)(const float *x, const float *a, float *y, size_t n,
                                        size_t w, Py_ssize_t xs, Py_ssize_t as_,
                                        Py_ssize_t ys) noexcept nogil
    ctypedef float (*cyacts_sm_max_f32)(const float *x, size_t n) noexcept nogil
    ctypedef void (*cyacts_sm_parts_f32)(const float *x, const float *a, size_t n, float m,
                                         double *parts) noexcept nogil
    ctypedef void (*cyacts_sm_consts_f32)(float m, const double *parts, size_t blocks,
                                          cyacts_sm_consts *k) noexcept nogil
    ctypedef void (*cyacts_sm_map_f32)(const float *x, const float *a, float *y, size_t n,
                                       const cyacts_sm_consts *k) noexcept nogil
    ctypedef void (*cyacts_sm_rows_f64)(const double *x, const double *a, double *y,
                                        size_t rows, size_t n, Py_ssize_t xs, Py_ssize_t as_,
                                        Py_ssize_t ys) noexcept nogil
    ctypedef void (*cyacts_sm_cols_f64)(const double *x, const double *a, double *y, size_t n,
                                        size_t w, Py_ssize_t xs, Py_ssize_t as_,
                                        Py_ssize_t ys) noexcept nogil
    ctypedef double (*cyacts_sm_max_f64)(const double *x, size_t n) noexcept nogil
    ctypedef void (*cyacts_sm_parts_f64)(const double *x, const double *a, size_t n, double m,
                                         double *parts) noexcept nogil
    ctypedef void (*cyacts_sm_consts_f64)(double m, const double *parts, size_t blocks,
                                          cyacts_sm_consts *k) noexcept nogil
    ctypedef void (*cyacts_sm_map_f64)(const double *x, const double *a, double *y, size_t n,
                                       const cyacts_sm_consts *k) noexcept nogil
    ctypedef struct cyacts_reduce_table:
        cyacts_sm_rows_f32 rows_f32[1]
        cyacts_sm_cols_f32 cols_f32[1]
        cyacts_sm_parts_f32 parts_f32[1]
        cyacts_sm_consts_f32 consts_f32[1]
        cyacts_sm_map_f32 map_f32[1]
        cyacts_sm_max_f32 max_f32
        cyacts_sm_rows_f64 rows_f64[1]
        cyacts_sm_cols_f64 cols_f64[1]
        cyacts_sm_parts_f64 parts_f64[1]
        cyacts_sm_consts_f64 consts_f64[1]
        cyacts_sm_map_f64 map_f64[1]
        cyacts_sm_max_f64 max_f64
    const cyacts_reduce_table *cyacts_select_reduce_table(const char *level)
    enum:
        CYACTS_SM_BLOCK
        CYACTS_SM_TILE
        CYACTS_N_REDUCTIONS

cdef extern from *:
    """
    #define CYACTS__REDUCE_NAME(OP, name) #name,
    static const char *cyacts__reduce_names[] = {CYACTS_REDUCTIONS(CYACTS__REDUCE_NAME)};
    """
    const char *cyacts__reduce_names[]

#: reduction name -> index into the reductions' table (the registry's REDUCTIONS, in order)
REDUCTIONS = {cyacts__reduce_names[i].decode(): i for i in range(CYACTS_N_REDUCTIONS)}
#: elements per block of a row's sums, and columns per tile of the strided path
SM_BLOCK = CYACTS_SM_BLOCK
SM_TILE = CYACTS_SM_TILE
cdef enum:
    # fewest elements per thread: a softmax element costs a few ns, a parallel region a few us
    _SM_GRAIN = 16384
#: the same, for the tests
SM_GRAIN = _SM_GRAIN

cdef const cyacts_reduce_table *_rtable = NULL


cdef void _select_reductions():
    global _rtable
    _rtable = cyacts_select_reduce_table(_level)


cdef inline void _sm_rows(int op, const floating *x, const floating *a, floating *y, size_t rows,
                          size_t n, Py_ssize_t xs, Py_ssize_t as_, Py_ssize_t ys) noexcept nogil:
    if floating is float:
        _rtable.rows_f32[op](x, a, y, rows, n, xs, as_, ys)
    else:
        _rtable.rows_f64[op](x, a, y, rows, n, xs, as_, ys)


cdef inline void _sm_cols(int op, const floating *x, const floating *a, floating *y, size_t n,
                          size_t w, Py_ssize_t xs, Py_ssize_t as_, Py_ssize_t ys) noexcept nogil:
    if floating is float:
        _rtable.cols_f32[op](x, a, y, n, w, xs, as_, ys)
    else:
        _rtable.cols_f64[op](x, a, y, n, w, xs, as_, ys)


cdef inline floating _sm_max(const floating *x, size_t n) noexcept nogil:
    if floating is float:
        return _rtable.max_f32(x, n)
    else:
        return _rtable.max_f64(x, n)


cdef inline void _sm_parts(int op, const floating *x, const floating *a, size_t n, floating m,
                           double *parts) noexcept nogil:
    if floating is float:
        _rtable.parts_f32[op](x, a, n, m, parts)
    else:
        _rtable.parts_f64[op](x, a, n, m, parts)


cdef inline void _sm_consts(int op, floating m, const double *parts, size_t blocks,
                            cyacts_sm_consts *k) noexcept nogil:
    if floating is float:
        _rtable.consts_f32[op](m, parts, blocks, k)
    else:
        _rtable.consts_f64[op](m, parts, blocks, k)


cdef inline void _sm_map(int op, const floating *x, const floating *a, floating *y, size_t n,
                         const cyacts_sm_consts *k) noexcept nogil:
    if floating is float:
        _rtable.map_f32[op](x, a, y, n, k)
    else:
        _rtable.map_f64[op](x, a, y, n, k)


cdef struct _sm_grid:
    Py_ssize_t d0, d1, n
    Py_ssize_t s[3][3]  # [operand: x, a, y][axis: batch 0, batch 1, reduced]
    bint reduces        # logsumexp: y has one value per row


cdef void _sm_row_runs(int op, const _sm_grid *g, floating *x, floating *a, floating *y,
                       Py_ssize_t start, Py_ssize_t stop) noexcept nogil:
    """Rows start .. stop - 1 of the grid (row r = (r // d1, r % d1)), in runs along axis 1."""
    cdef Py_ssize_t r = start, i0, i1, m
    while r < stop:
        i0, i1 = r // g.d1, r % g.d1
        m = min(g.d1 - i1, stop - r)
        _sm_rows(op, x + i0 * g.s[0][0] + i1 * g.s[0][1],
                 NULL if a == NULL else a + i0 * g.s[1][0] + i1 * g.s[1][1],
                 y + i0 * g.s[2][0] + i1 * g.s[2][1], <size_t>m, <size_t>g.n,
                 g.s[0][1], g.s[1][1], g.s[2][1])
        r += m


cdef inline floating _sm_max_nan(floating m, floating v) noexcept nogil:
    # NaN-sticky, as cyacts__sm_max_*: a NaN maximum stays
    return v if (v > m or v != v) else m


cdef int _sm_split_row(int op, bint has_max, bint reduces, const floating *x, const floating *a,
                       floating *y, Py_ssize_t n, Py_ssize_t threads) noexcept nogil:
    """One row across `threads` threads, cut at block boundaries; -1 when out of memory."""
    cdef Py_ssize_t blocks = (n + CYACTS_SM_BLOCK - 1) // CYACTS_SM_BLOCK, t, b0, b1, lo, hi
    cdef double *parts
    cdef floating *maxes
    cdef floating m = 0
    cdef cyacts_sm_consts k
    threads = min(threads, blocks)
    parts = <double *>malloc(2 * blocks * sizeof(double))
    maxes = <floating *>malloc(threads * sizeof(floating))
    if parts == NULL or maxes == NULL:
        free(parts)
        free(maxes)
        return -1
    if has_max:
        for t in prange(threads, schedule='static', num_threads=threads):
            b0 = t * blocks // threads
            b1 = (t + 1) * blocks // threads
            lo = b0 * CYACTS_SM_BLOCK
            hi = min(n, b1 * CYACTS_SM_BLOCK)
            maxes[t] = _sm_max(x + lo, <size_t>(hi - lo))
        m = maxes[0]
        for t in range(1, threads):
            m = _sm_max_nan(m, maxes[t])
    for t in prange(threads, schedule='static', num_threads=threads):
        b0 = t * blocks // threads
        b1 = (t + 1) * blocks // threads
        lo = b0 * CYACTS_SM_BLOCK
        hi = min(n, b1 * CYACTS_SM_BLOCK)
        # a block's sum is two doubles, in block order
        _sm_parts(op, x + lo, NULL if a == NULL else a + lo, <size_t>(hi - lo), m,
                  parts + 2 * b0)
    _sm_consts(op, m, parts, <size_t>blocks, &k)
    if reduces:
        y[0] = <floating>k.p
    else:
        for t in prange(threads, schedule='static', num_threads=threads):
            b0 = t * blocks // threads
            b1 = (t + 1) * blocks // threads
            lo = b0 * CYACTS_SM_BLOCK
            hi = min(n, b1 * CYACTS_SM_BLOCK)
            _sm_map(op, x + lo, NULL if a == NULL else a + lo, y + lo, <size_t>(hi - lo), &k)
    free(parts)
    free(maxes)
    return 0


cdef int _sm_grid_run(int op, bint has_max, const _sm_grid *g, bint columns, floating *x,
                      floating *a, floating *y, Py_ssize_t threads) noexcept nogil:
    cdef Py_ssize_t rows = g.d0 * g.d1, chunk, c, r, tiles, units, u, i0, t0, w
    threads = min(threads, rows * g.n // _SM_GRAIN)
    if not cyacts_openmp():
        threads = 1
    if columns:
        tiles = (g.d1 + CYACTS_SM_TILE - 1) // CYACTS_SM_TILE
        units = g.d0 * tiles
        threads = max(1, min(threads, units))
        for u in prange(units, schedule='static', num_threads=threads):
            i0 = u // tiles
            t0 = (u % tiles) * CYACTS_SM_TILE
            w = min(<Py_ssize_t>CYACTS_SM_TILE, g.d1 - t0)
            _sm_cols(op, x + i0 * g.s[0][0] + t0,
                     NULL if a == NULL else a + i0 * g.s[1][0] + t0,
                     y + i0 * g.s[2][0] + t0 * g.s[2][1], <size_t>g.n, <size_t>w, g.s[0][2],
                     g.s[1][2], g.s[2][1] if g.reduces else g.s[2][2])
        return 0
    if threads < 2:
        _sm_row_runs(op, g, x, a, y, 0, rows)
        return 0
    if rows >= threads or g.n < 2 * CYACTS_SM_BLOCK:
        chunk = (rows + threads - 1) // threads
        for c in prange((rows + chunk - 1) // chunk, schedule='static', num_threads=threads):
            _sm_row_runs(op, g, x, a, y, c * chunk, min(rows, (c + 1) * chunk))
        return 0
    # fewer rows than threads, each long: every row across the threads
    for r in range(rows):
        i0, u = r // g.d1, r % g.d1
        if _sm_split_row(op, has_max, g.reduces, x + i0 * g.s[0][0] + u * g.s[0][1],
                         NULL if a == NULL else a + i0 * g.s[1][0] + u * g.s[1][1],
                         y + i0 * g.s[2][0] + u * g.s[2][1], g.n, threads) < 0:
            return -1
    return 0


def reduce_grid(int op, bint has_max, bint reduces, cnp.ndarray x, object a, cnp.ndarray y,
                Py_ssize_t d0, Py_ssize_t d1, Py_ssize_t n, tuple xs, tuple as_, tuple ys,
                bint columns, Py_ssize_t n_threads=1):
    """Reduction `op` over the grid described above; x, a (or None) and y are float32 or
    float64 ndarrays of one dtype whose data pointers are the grid's first element, strides in
    elements. Checked by the Python layer (_softmax.py): the strides reach only the arrays'
    elements and the layout is the one `columns` names."""
    cdef _sm_grid g
    cdef int i, rc
    cdef int typenum = cnp.PyArray_TYPE(y)
    cdef void *px = cnp.PyArray_DATA(x)
    cdef void *pa = NULL
    cdef void *py = cnp.PyArray_DATA(y)
    if cnp.PyArray_TYPE(x) != typenum or (typenum != cnp.NPY_FLOAT and typenum != cnp.NPY_DOUBLE):
        raise TypeError("reduce_grid takes float32 or float64 arrays of one dtype")
    if a is not None:
        if cnp.PyArray_TYPE(<cnp.ndarray>a) != typenum:
            raise TypeError("reduce_grid takes float32 or float64 arrays of one dtype")
        pa = cnp.PyArray_DATA(<cnp.ndarray>a)
    if not 0 <= op < CYACTS_N_REDUCTIONS:
        raise ValueError(f"no reduction {op}")
    g.d0, g.d1, g.n, g.reduces = d0, d1, n, reduces
    for i in range(3):
        g.s[0][i] = xs[i]
        g.s[1][i] = as_[i] if a is not None else 0
        g.s[2][i] = ys[i]
    if d0 <= 0 or d1 <= 0 or (n == 0 and not reduces):
        return
    with nogil:
        if typenum == cnp.NPY_FLOAT:
            rc = _sm_grid_run(op, has_max, &g, columns, <float *>px, <float *>pa, <float *>py,
                              n_threads)
        else:
            rc = _sm_grid_run(op, has_max, &g, columns, <double *>px, <double *>pa,
                              <double *>py, n_threads)
    if rc < 0:
        raise MemoryError("no memory for a row's block sums")
