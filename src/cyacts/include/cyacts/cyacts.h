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

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
/*
 * float64. Design rules (why the code looks like this):
 *  - No libm calls except fabs/copysign/fma (which compile to instructions), so
 *    the element functions inline into `#pragma omp simd` loops and vectorise.
 *  - Branch-free: every path is computed and the result picked with selects on
 *    already-computed values, which the compiler turns into blends.
 *  - 2^k is built from the integer bits of a "shifter" sum (no double->int
 *    conversion, which SSE2/AVX2 lack for 64-bit integers).
 *  - Exact products: fma when CYACTS_HAS_FMA, Dekker/Veltkamp otherwise; the
 *    code relies on -ffp-contract=off (no silent contraction) so scalar and
 *    vector code give identical bits.
 *  - Hard regions (GELU tail, gelu_tanh tail, derivative roots) get extra
 *    precision exactly where a plain double evaluation loses it.
 *  - The element loops are latency-bound (each element is one long dependency
 *    chain): the exp core's polynomial uses Estrin's scheme, and range limits
 *    (overflow of the exp core, saturation) are sign-bit selects on the result
 *    rather than clamps in front of the chain.
 * Polynomial coefficients: weighted minimax fits against mpmath, coefficients rounded one at a
 * time (tools/fit/).
 */
#if defined(__clang__)
#define CYACTS__UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define CYACTS__UNROLL _Pragma("GCC unroll 32")
#else
#define CYACTS__UNROLL
#endif
/* Every element function and helper is forced inline (both dtypes): a call left in an
 * element loop keeps it scalar, and GCC's size limits do decline the larger ones. */
#if defined(__GNUC__) || defined(__clang__)
#define CYACTS__INLINE static inline __attribute__((always_inline))
#else
#define CYACTS__INLINE static inline
#endif

/* ------------------------------------------------------------------------ */
/* Bit casts and double-double helpers                                      */
/* ------------------------------------------------------------------------ */

typedef struct { double hi, lo; } cyacts__dd_f64;

CYACTS__INLINE uint64_t cyacts__bits_f64(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

CYACTS__INLINE double cyacts__from_bits_f64(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Branch-free select: c ? a : b on the bit patterns.  A plain ?: lets GCC thread
 * or sink the computation into arms (e.g. constant-fold after a clamp), and with
 * the default -ftrapping-math it then refuses to if-convert FP arithmetic, so the
 * loop would not vectorise without AVX-512 masking.  Masks keep it straight-line. */
CYACTS__INLINE double cyacts__sel_f64(int c, double a, double b)
{
    /* The mask is made by a double-typed select of two constants (all-ones is
     * a NaN pattern, never used as a value): SSE2 can vectorise that, but not
     * a double-compare -> 64-bit-integer conversion. */
    uint64_t m = cyacts__bits_f64(c ? cyacts__from_bits_f64(~(uint64_t)0) : 0.0);
    uint64_t ub = cyacts__bits_f64(b);
    return cyacts__from_bits_f64(ub ^ ((cyacts__bits_f64(a) ^ ub) & m));
}

/* signbit(z) ? a : b, from the sign bit by integer shifts only.  Used where the
 * arms feed further arithmetic: a ?:-style select there is turned back into a
 * branch (GCC specialises each arm, e.g. folds x*1.0), and with the default
 * -ftrapping-math the arm's FP work then cannot be if-converted. */
CYACTS__INLINE double cyacts__sel_sign_f64(double z, double a, double b)
{
    uint64_t m = (uint64_t)0 - (cyacts__bits_f64(z) >> 63);
    uint64_t ub = cyacts__bits_f64(b);
    return cyacts__from_bits_f64(ub ^ ((cyacts__bits_f64(a) ^ ub) & m));
}

/* hi + lo == a * b exactly (no overflow/underflow in our uses: |a|,|b| < 2^60). */
CYACTS__INLINE cyacts__dd_f64 cyacts__two_prod_f64(double a, double b)
{
    cyacts__dd_f64 r;
    r.hi = a * b;
#if CYACTS_HAS_FMA
    r.lo = CYACTS_FMA_F64(a, b, -r.hi);
#else
    /* Veltkamp split into 26-bit halves, then Dekker's exact product. */
    const double sp = 134217729.0; /* 2^27 + 1 */
    double ta = sp * a, tb = sp * b;
    double ah = ta - (ta - a), al = a - ah;
    double bh = tb - (tb - b), bl = b - bh;
    r.lo = ((ah * bh - r.hi) + ah * bl + al * bh) + al * bl;
#endif
    return r;
}

/* hi + lo == a + b exactly, any magnitudes (Knuth TwoSum). */
CYACTS__INLINE cyacts__dd_f64 cyacts__two_sum_f64(double a, double b)
{
    cyacts__dd_f64 r;
    r.hi = a + b;
    double bb = r.hi - a;
    r.lo = (a - (r.hi - bb)) + (b - bb);
    return r;
}

/* ------------------------------------------------------------------------ */
/* exp core                                                                 */
/* ------------------------------------------------------------------------ */

/* x*log2(e) + 1.5*2^52 rounds x/ln2 to an integer k held in the low mantissa
 * bits; subtracting the shifter again gives k as a double. */
#define CYACTS__SHIFTER_F64 0x1.8p52
#define CYACTS__LOG2E_F64 0x1.71547652b82fep0
/* Cody-Waite ln2: HI has 11 trailing zero bits so k*HI is exact for |k| < 2^11,
 * and x - k*HI is exact (Sterbenz); LO is the rest of ln2 to ~2^-95. */
#define CYACTS__LN2_HI_F64 0x1.62e42fefa3800p-1
#define CYACTS__LN2_LO_F64 0x1.ef35793c76730p-45
/* Past -this argument exp is flushed to 0 (exp(-708) ~ 2^-1021.4: every result
 * built from a smaller exp lies where results may flush toward zero). */
#define CYACTS__EXP_FLUSH_F64 708.0

/* 2^(k + b) from the bits of (shifter + k): the low 12 bits of bits+1023+b are
 * the biased exponent of 2^(k + b); valid for -1022 <= k + b <= 1023. */
CYACTS__INLINE double cyacts__pow2_from_shifted_f64(double t, unsigned b)
{
    return cyacts__from_bits_f64((cyacts__bits_f64(t) + (1023u + b)) << 52);
}

/* Horner's scheme with fused multiply-adds; c holds n coefficients, highest degree first. */
CYACTS__INLINE double cyacts__horner_f64(double x, const double *c, int n)
{
    double p = c[0];
    int i;
    /* unrolled whole, so the element loop around it still vectorises (GCC peels at most 16) */
    CYACTS__UNROLL for (i = 1; i < n; ++i) p = CYACTS_FMA_F64(p, x, c[i]);
    return p;
}

/* Estrin's scheme, same coefficients and order: pairs b[2i] + b[2i+1] x, then pairs of those
 * with x^2, x^4, ...  One more multiply per level than Horner, but the dependency chain is
 * log2(n) fused multiply-adds instead of n - 1, and these kernels are latency-bound (the loop
 * body is one long chain).  n <= 32; unrolled whole, the array lives in registers. */
CYACTS__INLINE double cyacts__estrin_f64(double x, const double *c, int n)
{
    double b[32];
    int i, lev, m = n;
    CYACTS__UNROLL for (i = 0; i < n; ++i) b[i] = c[n - 1 - i];
    CYACTS__UNROLL for (lev = 0; lev < 5; ++lev) {
        if (m > 1) {
            CYACTS__UNROLL for (i = 0; i < 16; ++i) {
                if (2 * i + 1 < m) b[i] = CYACTS_FMA_F64(b[2 * i + 1], x, b[2 * i]);
                else if (2 * i < m) b[i] = b[2 * i];
            }
            m = (m + 1) / 2;
            x = x * x;
        }
    }
    return b[0];
}

/* g(r) = (expm1(r) - r) / r^2 on |r| <= 0.3473, degree 9 minimax (weighted so
 * the error is relative to expm1(r)): max |r^2 dg / expm1(r)| = 1.9e-17. */
CYACTS__INLINE double cyacts__expm1_poly9_f64(double r)
{
    static const double c[10] = {
        0x1.ae85c8ec1032dp-26, 0x1.28a33956d5835p-22, 0x1.71de7859d041fp-19, 0x1.a019a60b7d5fbp-16,
        0x1.a01a017bc0617p-13, 0x1.6c16c17f57978p-10, 0x1.1111111117cdap-7, 0x1.55555555520a4p-5,
        0x1.555555555553ep-3, 0x1.0000000000005p-1};
    return cyacts__estrin_f64(r, c, 10);
}

/* hi + lo == a + b exactly when |a| >= |b| (Fast2Sum). */
CYACTS__INLINE cyacts__dd_f64 cyacts__fast_two_sum_f64(double a, double b)
{
    cyacts__dd_f64 r;
    r.hi = a + b;
    r.lo = (a - r.hi) + b;
    return r;
}

/* exp(l - c a) = s (1 + q + qt): s = 2^k exact, q + qt = expm1(r), r = l - c a - k ln2
 * with |r| <= ln2/2, q = fl(rh + w) and qt its exact tail, where rh = -c a - k ln2_hi
 * (exact) and w = rl + r^2 g(r) (|w| <= 0.07).  c is a constant power of two, so
 * -c a and -c log2(e) a are exact scalings; t is formed from a itself, not from
 * -c a, one multiply off the dependency chain.
 * Error of 1 + q + qt against exp(r): the fit (2^-56.8 absolute), the rounding
 * of r, which enters only through r^2 g(r) (slope <= 0.42: 2^-56.3), and that
 * of w (2^-58): 2^-55.4 absolute, 2^-54.9 relative (1 + q >= 0.70); for k = 0
 * every term is relative to expm1(r) itself.  A caller that drops qt adds up to
 * half an ulp of q (2^-55 absolute, 2^-53 relative to q).
 * Domain: 0 <= c a <= 708 (then k >= -1022 and s is normal), |l| <= 2^-40 c a;
 * with l = 0 also -708 <= c a < 0 (k <= 1022, the same error: sigmoid).
 * NaN passes through.  Beyond 708 (inf included) the parts are garbage or NaN
 * and the caller masks its result, or passes `flush` (a constant): then
 * s = q = qt = 0 there (exp(-708) ~ 2^-1021.4: every result built from a
 * smaller exp lies where results may flush toward zero).  The masks are applied
 * at the end so that no compare-and-select sits in front of the chain.
 * Derivatives are multiplied by grad_output, so a subnormal f' still matters:
 * with `scale` = 64 or 128 (a constant) s is 2^(k + scale) everywhere (the
 * scale costs nothing: it is in the integer constant that builds s) and
 * sc = 2^-scale (else 1), for the caller to apply at the end, where the
 * scaling is exact unless the result is subnormal; the domain is then
 * 0 <= c a <= 752 (64) or 797 (128). */
typedef struct { double s, q, qt, sc; } cyacts__expq_f64;

CYACTS__INLINE cyacts__expq_f64 cyacts__exp_q_f64(double a, double c, double l, int flush,
                                                       int scale)
{
    cyacts__expq_f64 o;
    double t = CYACTS_FMA_F64(a, -c * CYACTS__LOG2E_F64, CYACTS__SHIFTER_F64);
    double kd = t - CYACTS__SHIFTER_F64;
    double rh = CYACTS_FMA_F64(kd, -CYACTS__LN2_HI_F64, -c * a); /* exact, product exact too */
    double rl = CYACTS_FMA_F64(kd, -CYACTS__LN2_LO_F64, l);
    double r = rh + rl;
    double w = CYACTS_FMA_F64(r * r, cyacts__expm1_poly9_f64(r), rl);
    o.q = rh + w;
    /* Fast2Sum tail: |w| <= 0.2 |rh| except where both are below 2^-33, and
     * there the tail's own error (~2^-86) is negligible against 1. */
    o.qt = (rh - o.q) + w;
    o.sc = scale == 64 ? 0x1p-64 : scale == 128 ? 0x1p-128 : 1.0;
    o.s = cyacts__pow2_from_shifted_f64(t, (unsigned)scale);
    if (flush) {
        /* sign-bit selects: a compare-based one lets GCC sink q's whole chain
         * into the other arm (see cyacts__sel_sign_f64) */
        double z = CYACTS__EXP_FLUSH_F64 / c - a;
        o.s = cyacts__sel_sign_f64(z, 0.0, o.s);
        o.q = cyacts__sel_sign_f64(z, 0.0, o.q);
        o.qt = cyacts__sel_sign_f64(z, 0.0, o.qt);
    }
    return o;
}

/* exp as hi + lo from the parts: hi = fl(s (1 + q)), one rounding (s q is exact);
 * s - hi is exact (Sterbenz: hi/s in [0.7, 1.42]) and so is
 * lo = s q + (s - hi), the error of hi.  With `tail`, s qt is added too.
 * Relative error 2^-54.9 with the tail, 2^-53.7 without; |lo| <= ulp(hi). */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_dd_f64(cyacts__expq_f64 p, int tail)
{
    cyacts__dd_f64 e;
    e.hi = CYACTS_FMA_F64(p.s, p.q, p.s);
    e.lo = CYACTS_FMA_F64(p.s, p.q, p.s - e.hi);
    if (tail) e.lo = CYACTS_FMA_F64(p.s, p.qt, e.lo);
    return e;
}

/* exp(l - c a) as a double-double (relative error 2^-54.9), flushed past c a = 708. */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp2dd_f64(double a, double c, double l)
{
    return cyacts__exp_dd_f64(cyacts__exp_q_f64(a, c, l, 1, 0), 1);
}

/* The residual (nh + nl) - t0 (dh + dl) of a quotient estimate t0 (see below). */
CYACTS__INLINE double cyacts__div_residual_f64(double nh, double nl, double dh, double dl, double t0)
{
#if CYACTS_HAS_FMA
    return CYACTS_FMA_F64(-t0, dh, nh) + CYACTS_FMA_F64(-t0, dl, nl);
#else
    cyacts__dd_f64 p = cyacts__two_prod_f64(t0, dh);
    return ((nh - p.hi) - p.lo) + (nl - t0 * dl);
#endif
}

/* (nh + nl) / (dh + dl) with one division: t0 = nh/dh via the reciprocal, then
 * one correction from the residual; needs |nl| <~ ulp(nh), |dl| <~ ulp(dh).
 * Error 0.5 ulp + ~2^-100 relative.  With fma, nh - t0 dh is one fma (t0 is
 * within 2 ulp of nh/dh, so the residual needs at most one bit more than a
 * double: its rounding is ~2^-52 of an ulp); without, Dekker's product and
 * Sterbenz (t0 dh ~ nh) make it exact. */
CYACTS__INLINE double cyacts__div_dd_f64(double nh, double nl, double dh, double dl)
{
    double inv = 1.0 / dh;
    double t0 = nh * inv;
    double rho = cyacts__div_residual_f64(nh, nl, dh, dl, t0);
    return CYACTS_FMA_F64(rho, inv, t0);
}

/* b + sc (nh + nl) / (dh + dl) for a power of two sc (sign included) and
 * b = 0, or b = 1 with |quotient| <= 1/2: t0 sc and inv sc are formed off the
 * chain, so the scaling costs no latency; where t0 sc is subnormal it adds at
 * most half a subnormal ulp, and b + t0 sc adds one rounding (<= 1/2 ulp) when
 * b = 1. */
CYACTS__INLINE double cyacts__div_dd_sc_f64(double nh, double nl, double dh, double dl,
                                                double sc, double b)
{
    double inv = 1.0 / dh;
    double t0 = nh * inv;
    double rho = cyacts__div_residual_f64(nh, nl, dh, dl, t0);
    return CYACTS_FMA_F64(rho, inv * sc, CYACTS_FMA_F64(t0, sc, b));
}

/* sc nh / (dh + dl): the same without a numerator low part (one add less). */
CYACTS__INLINE double cyacts__div_d_dd_sc_f64(double nh, double dh, double dl, double sc)
{
    double inv = 1.0 / dh;
    double t0 = nh * inv;
#if CYACTS_HAS_FMA
    double rho = CYACTS_FMA_F64(-t0, dl, CYACTS_FMA_F64(-t0, dh, nh));
#else
    cyacts__dd_f64 p = cyacts__two_prod_f64(t0, dh);
    double rho = ((nh - p.hi) - p.lo) - t0 * dl;
#endif
    return CYACTS_FMA_F64(rho, inv * sc, t0 * sc);
}

/* d^2 as a double-double. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sqr_dd_f64(cyacts__dd_f64 d)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(d.hi, d.hi);
    p.lo = CYACTS_FMA_F64(d.hi + d.hi, d.lo, p.lo);
    return p;
}

/* ------------------------------------------------------------------------ */
/* tanh, sigmoid and their derivatives                                      */
/* ------------------------------------------------------------------------ */

/* tanh|x| = -m / (2 + m) with m = expm1(-2|x|), no cancellation anywhere.
 * m = (s - 1) + s q from the exp parts (no tail), as mh + ml:
 *   a = s - 1 is exact for k >= -53; below, its error (s when a = -1) is kept
 *   by Fast2Sum(-1, s) (forming 2^k - 1 alone cost 1.35 ulp near |x| = 18.5);
 *   mh = fl(a + s q) and its error are exact (Sterbenz for a - mh: mh/a in
 *   [0.58, 1.3] for k <= -1, a = 0 for k = 0).
 * For k = 0 (|x| <= 0.17) m = q carries q's rounding (t ~ m/2: half an ulp
 * of t for small |x|, <= 0.7 ulp at |x| = 0.17); for k <= -1 the absolute
 * 2^-54.1 s is at most 2^-53.3 relative to |m| >= 0.29 (<= 0.7 ulp there),
 * and where m -> -1 the error scales with s ~ exp(-2|x|), which the quotient
 * damps: with the fit, <= 1.3 ulp after the final rounding.  Past |x| = 20 (tanh rounds to
 * 1 from 19.1 on; inf, and huge |x| whose exp parts are garbage) the result is
 * selected as 1. */
CYACTS__INLINE double cyacts_elem_tanh_f64(double x)
{
    double ax = fabs(x);
    cyacts__expq_f64 p = cyacts__exp_q_f64(ax, 2.0, 0.0, 0, 0);
    double a = p.s - 1.0;
    double ae = (-1.0 - a) + p.s;
    double mh = CYACTS_FMA_F64(p.s, p.q, a);
    double ml = CYACTS_FMA_F64(p.s, p.q, a - mh);
    ml += ae;
    cyacts__dd_f64 d = cyacts__fast_two_sum_f64(2.0, mh);
    d.lo += ml;
    /* m/(2+m) <= 0 (or NaN); copysign gives tanh's sign, also for -0.0 */
    double t = cyacts__div_dd_f64(mh, ml, d.hi, d.lo);
    /* a sign-bit select: one on a compare lets GCC sink t's chain into the
     * other arm, a branch that then blocks vectorisation (as for every
     * overflow select below) */
    return copysign(cyacts__sel_sign_f64(20.0 - ax, -1.0, t), x);
}

/* sigmoid(x) = 1/(1+E), E = exp(-x) = s (1 + q) for both signs: on
 * |x| <= 708 E lies in [2^-1021.4, 2^1021.4], so neither E nor 1/(1+E)
 * leaves the normal range, and one reciprocal serves both sides (no
 * numerator select).  D = 1 + E = (1 + s) + s q as hi + lo: v = 1 + s, its
 * error ve = (s - v) + 1 is exact for k >= -53 (Fast2Sum for k >= 0, and
 * 1 - s, s - 1 are exact down to k = -53); below (x > 36.7) it is dropped,
 * and there the result rounds to 1, at most 0.71 ulp from the exact value.
 * dh = fl(v + s q) and its error are exact (Sterbenz for v - dh).  E without
 * the exp tail (2^-53.7 relative) reaches the result scaled by E/(1+E) <= 1,
 * and 1/D takes one correction from the exact residual 1 - inv dh: <= 1.2 ulp
 * in all.  Past |x| = 708 (sigmoid(-708) ~ 2^-1021: may flush) the result is
 * selected as 0 or 1; the exp core then computes garbage there (inf too). */
CYACTS__INLINE double cyacts_elem_sigmoid_f64(double x)
{
    cyacts__expq_f64 p = cyacts__exp_q_f64(x, 1.0, 0.0, 0, 0);
    double v = 1.0 + p.s;
    double ve = (p.s - v) + 1.0;
    double dh = CYACTS_FMA_F64(p.s, p.q, v);
    double dl = CYACTS_FMA_F64(p.s, p.q, v - dh) + ve;
    double inv = 1.0 / dh;
    double rho = CYACTS_FMA_F64(-inv, dl, CYACTS_FMA_F64(-inv, dh, 1.0));
    double f = CYACTS_FMA_F64(rho, inv, inv);
    return cyacts__sel_sign_f64(CYACTS__EXP_FLUSH_F64 - fabs(x), cyacts__sel_sign_f64(x, 0.0, 1.0), f);
}

/* m e/(1+e)^2 for e = exp(-c a), a >= 0 (tanh': c = 2, m = 4; sigmoid':
 * c = m = 1).  The result's relative sensitivity to e is (1-e)/(1+e) <= 1, so
 * one double e serves numerator and denominator alike: the exp parts without
 * the tail (2^-53.7) and the rounding of s (1 + q) (2^-53) give <= 1.7 ulp;
 * 1 + e and (1+e)^2 are exact enough as double-doubles and the corrected
 * division adds 0.5 ulp: <= 2.2 ulp in all.  The exp core gives es = 2^64 e,
 * so that e has its value down to c a = 752: m e = m 2^-64 es is exact for a
 * normal result and rounded once to a subnormal one (then 1 + e = 1 and the
 * quotient returns it unchanged), which keeps grad_output * f' alive. */
CYACTS__INLINE double cyacts__logistic_grad_f64(double a, double c, double m)
{
    cyacts__expq_f64 p = cyacts__exp_q_f64(a, c, 0.0, 0, 64);
    double es = CYACTS_FMA_F64(p.s, p.q, p.s);
    double n = es * (m * 0x1p-64);
    /* 1 + e by Fast2Sum, the scaling inside the fmas; the low part doubled
     * ((1+e)^2 needs 2 dh dl; 2 - 2 dh is exact) */
    double dh = CYACTS_FMA_F64(es, 0x1p-64, 1.0);
    double dl2 = CYACTS_FMA_F64(es, 0x1p-63, CYACTS_FMA_F64(dh, -2.0, 2.0));
    cyacts__dd_f64 d2 = cyacts__two_prod_f64(dh, dh);
    d2.lo = CYACTS_FMA_F64(dh, dl2, d2.lo);
    return cyacts__div_d_dd_sc_f64(n, d2.hi, d2.lo, 1.0);
}

/* tanh'(x) = 4e/(1+e)^2, e = exp(-2|x|): never 1 - tanh^2 (which cancels).
 * <= 2.2 ulp (see above).  Subnormal results from |x| = 345 on; past
 * |x| = 375 (f' < 2^-1080) the result is 0. */
CYACTS__INLINE double cyacts_elem_tanh_grad_f64(double x)
{
    double ax = fabs(x);
    return cyacts__sel_sign_f64(375.0 - ax, 0.0, cyacts__logistic_grad_f64(ax, 2.0, 4.0));
}

/* sigmoid'(x) = e/(1+e)^2, e = exp(-|x|) (symmetric, no cancellation); error
 * and subnormal results as for tanh'.  Past |x| = 750 the result is 0. */
CYACTS__INLINE double cyacts_elem_sigmoid_grad_f64(double x)
{
    double ax = fabs(x);
    return cyacts__sel_sign_f64(750.0 - ax, 0.0, cyacts__logistic_grad_f64(ax, 1.0, 1.0));
}

/* ------------------------------------------------------------------------ */
/* GELU (erf form)                                                          */
/* ------------------------------------------------------------------------ */

/* With a = |x|:  Phi(-a) = exp(-a^2/2) * Q(a),  Q(a) = exp(a^2/2) Phi(-a)
 * (Mills ratio / sqrt(2 pi)), smooth and slowly varying on [0, inf).
 * We approximate on a in [0, 39] through s = (a - C)/(a + C) in [-1, 0.81]:
 *   a * Q(a) = w * F(s),  w = a/(a + C),  F(s) = (a + C) Q(a),  C = 4,
 * F of degree 22 (relative error 3.0e-17).  Beyond a = 39 everything
 * underflows (gelu ~ exp(-760)), so a is clamped there (also maps inf). */
#define CYACTS__GELU_C_F64 4.0
#define CYACTS__GELU_AMAX_F64 39.0

CYACTS__INLINE double cyacts__gelu_F_f64(double s)
{
    static const double c[23] = {
        -0x1.4e6acd7596619p-30, -0x1.4ef32733cf846p-32, 0x1.fc86488958effp-27,
        0x1.12983b8639862p-26, -0x1.4dcac880c57f2p-24, -0x1.5023299f7d144p-23,
        0x1.1c66c5400edabp-22, 0x1.124e075204a94p-20, -0x1.4ffca7625ae65p-21,
        -0x1.8d49c12b76acbp-18, 0x1.800479771c7b3p-21, 0x1.26d0735151c5ap-15,
        -0x1.0014a223f51d2p-19, -0x1.e4a42300c1a2ap-13, 0x1.17a4a908a913fp-13,
        0x1.ab825fb7c5682p-10, -0x1.c81719cf9133fp-9, -0x1.ee2761046056ep-8, 0x1.eec4cc3e4b037p-5,
        -0x1.7dff2bff683e0p-3, 0x1.8c6dbf2cfc2a2p-2, -0x1.373e3a893c28ap-1, 0x1.82b4bb8c94dcep-1};
    return cyacts__horner_f64(s, c, 23);
}

/* W(a) = (Q(a) - a/sqrt(2 pi)) / (a - a0): the GELU' numerator with its root
 * a0 (gelu'(-a0) = 0) divided out, so gelu' keeps relative accuracy at the
 * root.  Degree 20 in s, relative error 1.2e-17. */
#define CYACTS__GELU_A0_HI_F64 0x1.80ead197f00b4p-1
#define CYACTS__GELU_A0_LO_F64 -0x1.13e74c58cada8p-56

CYACTS__INLINE double cyacts__gelu_G_f64(double s)
{
    static const double c[21] = {
        -0x1.a210671e21c17p-32, -0x1.48247017932e1p-30, 0x1.c1863c7f3651cp-30,
        0x1.6e45f353ad98dp-27, 0x1.90a34e4d112cfp-31, -0x1.0d5db2c6fba85p-24,
        -0x1.c15f754d29941p-25, 0x1.76d99bd056391p-22, 0x1.083373fa4edf3p-21,
        -0x1.2983d73b1033ap-19, -0x1.dafb0c0e9dc38p-19, 0x1.2e93691c42923p-16,
        0x1.25380c542486cp-16, -0x1.85999bd42d089p-13, 0x1.443f63f701983p-13,
        0x1.d4c82229ee0e9p-10, -0x1.37754d8170964p-7, 0x1.cc1e2623d969dp-6, -0x1.ef4ff80137924p-5,
        0x1.a763001ac67ddp-4, -0x1.d94de78425463p-2};
    return cyacts__horner_f64(s, c, 21);
}

/* exp(-a^2/2) (double-double) with a^2 kept exact as a double-double: exp amplifies an
 * argument error by a^2, which would cost up to ~700 ulp at a = 38. */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_mhalfsq_f64(double a)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(a, a);
    return cyacts__exp2dd_f64(p.hi, 0.5, -0.5 * p.lo);
}

/* The same times 2^128 (a <= 39 gives a^2/2 <= 760.5, inside the scaled
 * domain); *sc receives 2^-128. */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_mhalfsq_sc_f64(double a, double *sc)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(a, a);
    cyacts__expq_f64 q = cyacts__exp_q_f64(p.hi, 0.5, -0.5 * p.lo, 0, 128);
    *sc = q.sc;
    return cyacts__exp_dd_f64(q, 1);
}

/* w = a/(a + C) as a double-double without a second division: with
 * d = a + C exact as dh + dl and w0 = a/dh, the residual a - w0 (dh + dl) is
 * scaled by 1/d = (1 - w)/C. */
CYACTS__INLINE cyacts__dd_f64 cyacts__gelu_w_f64(double a)
{
    cyacts__dd_f64 d = cyacts__two_sum_f64(a, CYACTS__GELU_C_F64);
    cyacts__dd_f64 w;
    w.hi = a / d.hi;
    cyacts__dd_f64 p = cyacts__two_prod_f64(w.hi, d.hi);
    double rho = ((a - p.hi) - p.lo) - w.hi * d.lo;
    w.lo = rho * ((1.0 - w.hi) * (1.0 / CYACTS__GELU_C_F64));
    return w;
}

/* gelu(x) = x Phi(x).  With T = a Phi(-a) >= 0 (never cancels):
 *   x <  0: gelu = -T         (the tail: full relative accuracy to underflow)
 *   x >= 0: gelu = x - T      (T <= x/2, benign). */
CYACTS__INLINE double cyacts_elem_gelu_f64(double x)
{
    double a = fabs(x);
    a = cyacts__sel_f64(a > CYACTS__GELU_AMAX_F64, CYACTS__GELU_AMAX_F64, a); /* NaN passes */
    cyacts__dd_f64 w = cyacts__gelu_w_f64(a);
    double F = cyacts__gelu_F_f64(2.0 * w.hi - 1.0);
    cyacts__dd_f64 E = cyacts__exp_mhalfsq_f64(a);
    /* T = E w F with E w in double-double: ~1 rounding + F's error. */
    cyacts__dd_f64 Ew = cyacts__two_prod_f64(E.hi, w.hi);
    Ew.lo += E.hi * w.lo + E.lo * w.hi;
    double T = CYACTS_FMA_F64(Ew.hi, F, Ew.lo * F);
    /* Select first, subtract after: a select arm that does arithmetic gets sunk
     * into a branch, which -ftrapping-math then forbids if-converting.
     * x < 0 gives -0.0 - T (= -T, and gelu(-0.0) = -0.0). */
    return cyacts__sel_f64(x >= 0.0, x, -0.0) - T;
}

/* gelu'(x) = Phi(x) + x phi(x).  With D(a) = Q(a) - a/sqrt(2 pi) = (a-a0) W(a):
 *   x <  0: gelu' = E D(a)        x >= 0: gelu' = 1 - E D(a),   E = exp(-a^2/2).
 * (a - a0) is exact near the root (Sterbenz) and then corrected by a0's low part. */
CYACTS__INLINE double cyacts_elem_gelu_grad_f64(double x)
{
    double a = fabs(x);
    a = cyacts__sel_f64(a > CYACTS__GELU_AMAX_F64, CYACTS__GELU_AMAX_F64, a);
    double s = 2.0 * (a / (a + CYACTS__GELU_C_F64)) - 1.0; /* s only needs ~1 ulp */
    double sc; /* E is scaled by 1/sc, so that a subnormal gelu' keeps its value */
    cyacts__dd_f64 E = cyacts__exp_mhalfsq_sc_f64(a, &sc);
    double da = (a - CYACTS__GELU_A0_HI_F64) - CYACTS__GELU_A0_LO_F64;
    double DW = da * cyacts__gelu_G_f64(s);
    double ED = CYACTS_FMA_F64(E.hi, DW, E.lo * DW);
    int pos = x >= 0.0; /* selects on constants only (see cyacts_elem_gelu_f64) */
    return cyacts__sel_f64(pos, 1.0, 0.0) + (cyacts__sel_f64(pos, -1.0, 1.0) * sc) * ED;
}

/* ------------------------------------------------------------------------ */
/* GELU, tanh approximation                                                 */
/* ------------------------------------------------------------------------ */

/* gelu_tanh(x) = x * sigmoid(v),  v = 2u = x (c1 + c2 x^2),
 * c1 = 2 sqrt(2/pi), c2 = 0.044715 c1.  For x << 0 the result is ~x e^v with
 * |v| up to ~700: an absolute error in v is a relative error in e^v, so v must
 * carry ~10 extra bits: it is built as a double-double (constants split in
 * hi+lo too).  Past |x| = 21 (|v(21)| = 694.8, inside the exp core's domain)
 * the result is selected: x for x > 21 (sigmoid(v) rounds to 1 long before),
 * -0.0 for x < -21 (|gelu_tanh| < 2^-997 there: may flush); those lanes,
 * inf and huge |x| included, compute garbage that the select drops. */
#define CYACTS__GT_C1_HI_F64 0x1.9884533d43651p+0
#define CYACTS__GT_C1_LO_F64 -0x1.cbc0d30ebfd15p-54
#define CYACTS__GT_C2_HI_F64 0x1.2444f2a4d8b4bp-4
#define CYACTS__GT_C2_LO_F64 -0x1.6c843a29d1c70p-61
#define CYACTS__GT_XMAX_F64 21.0
/* The derivative goes on to 21.8 (|v| = 774, f' < 2^-1100 beyond) with the exp
 * core scaled by 2^128, since grad_output * f' can lift a subnormal f'. */
#define CYACTS__GT_XMAX_GRAD_F64 21.8

/* v = x (c1 + c2 x^2) as hi + lo: x^2, c2 x^2 and x A by exact products,
 * c1 + m by TwoSum (neither term dominates over the whole range); the dropped
 * terms and the roundings of the low parts are ~2^-100 relative.  Also returns
 * A = c1 + c2 x^2 and m = c2 x^2 (double-double) for the derivative. */
CYACTS__INLINE cyacts__dd_f64 cyacts__gt_v_f64(double x, cyacts__dd_f64 *A_out, cyacts__dd_f64 *m_out)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(x, x);
    cyacts__dd_f64 m = cyacts__two_prod_f64(CYACTS__GT_C2_HI_F64, p.hi);
    m.lo = CYACTS_FMA_F64(CYACTS__GT_C2_HI_F64, p.lo,
                          CYACTS_FMA_F64(CYACTS__GT_C2_LO_F64, p.hi, m.lo));
    cyacts__dd_f64 A = cyacts__two_sum_f64(CYACTS__GT_C1_HI_F64, m.hi);
    A.lo += m.lo + CYACTS__GT_C1_LO_F64;
    cyacts__dd_f64 v = cyacts__two_prod_f64(x, A.hi);
    v.lo = CYACTS_FMA_F64(x, A.lo, v.lo);
    *A_out = A;
    *m_out = m;
    return v;
}

/* gelu_tanh = x/(1+e) (x >= 0) or x e/(1+e) (x < 0), e = exp(-|v|), v taken
 * at |x| (|v| = |x| (c1 + c2 x^2)): e as one double (the exp parts without
 * the tail, 2^-53.7, and one rounding, 2^-53: <= 1.64 ulp), 1 + e and |x| e
 * exact as hi + lo, one corrected division.  x < 0: e's error passes scaled
 * by 1/(1+e) (<= 1.64 ulp), v's is ~2^-100 |v| (absolute, so relative in
 * e^v); x >= 0: damped by e/(1+e) <= 1/2.  <= 2.2 ulp in all. */
CYACTS__INLINE double cyacts_elem_gelu_tanh_f64(double x)
{
    double ax = fabs(x);
    cyacts__dd_f64 A, m;
    cyacts__dd_f64 v = cyacts__gt_v_f64(ax, &A, &m);
    cyacts__expq_f64 p = cyacts__exp_q_f64(v.hi, 1.0, -v.lo, 0, 0);
    double e = CYACTS_FMA_F64(p.s, p.q, p.s);
    cyacts__dd_f64 d = cyacts__fast_two_sum_f64(1.0, e);
    cyacts__dd_f64 xe = cyacts__two_prod_f64(ax, e);
    double f = cyacts__div_dd_f64(cyacts__sel_sign_f64(x, xe.hi, ax),
                                  cyacts__sel_sign_f64(x, xe.lo, 0.0), d.hi, d.lo);
    f = cyacts__sel_sign_f64(CYACTS__GT_XMAX_F64 - ax, cyacts__sel_sign_f64(x, 0.0, ax), f);
    /* gelu_tanh has the sign of x (x times a positive factor); copysign also
     * gives -0.0 for x = -0.0 and for x < -21 */
    return copysign(f, x);
}

/* Root of gelu_tanh' (x0 ~ -0.7526) as hi + lo, and P(d) = f'(x0 + d)/d on
 * |d| <= 0.03125, degree 8 (relative error 4.7e-17): used in that window,
 * where even the double-double closed form below loses relative accuracy
 * (its numerator cancels to 0 at x0, and e = exp(v) carries ~2^-55 error). */
#define CYACTS__GT_X0_HI_F64 -0x1.81429f9e97e4dp-1
#define CYACTS__GT_X0_LO_F64 0x1.4f523ed77dbdcp-55
#define CYACTS__GT_WIN_F64 0.03125

CYACTS__INLINE double cyacts__gt_root_poly_f64(double d)
{
    static const double c[9] = {
        -0x1.a64c07b936ebbp-9, -0x1.3d746a8596fbap-9, 0x1.59171dc0e8cbbp-8, 0x1.42799616f0c13p-6,
        -0x1.104a870ee388bp-6, -0x1.d2b773464253ap-4, -0x1.029615ed85ef7p-6, 0x1.8cd1a2b2fff32p-2,
        0x1.b8bacd2c96b91p-2};
    return cyacts__horner_f64(d, c, 9);
}

/* f'(x) = S + x S (1-S) v',  S = sigmoid(v),  v' = c1 + 3 c2 x^2 = A + 2m,
 * and f'(x) = 1 - f'(-x) (gelu_tanh(x) - gelu_tanh(-x) = x), so only x <= 0 is
 * evaluated, at -|x|: with e = exp(-|v|), d = 1 + e,
 *   q = f'(-|x|) = e g / d^2,  g = d - |x| v',
 * and f' = q (x < 0) or 1 - q (x >= 0, q in [-0.13, 1/2]: no cancellation;
 * the 1 adds one rounding).  g, e g and d^2 in double-double.  Next to the
 * window g cancels ~30-fold, so e keeps the exp tail (2^-54.9); there
 * (|x| v' within a factor 2 of d) d.hi - |x| v'.hi is exact (Sterbenz), and
 * elsewhere |g| >= d/2 - no cancellation - and its rounding costs <= 1 ulp.
 * v' = A + 2m by Fast2Sum: exact for |x| <= 4.7 (2m <= A), which covers the
 * cancelling range; beyond, its error is <= 2^-53 relative to v', and there g
 * is dominated by |x| v'.  e is formed as 2^128 e (2^-128 comes back in the
 * division), so subnormal results (x < -20.9) keep their value; d takes e
 * back by an exact scaling (below 2^-1022 it does not matter: d = 1).
 * Outside the window: x < 0 <= 2.1 ulp (e 0.3 ulp, g 1 ulp, the division
 * 0.5 ulp; next to the window g is exact and e's error grows, as before),
 * x >= 0 <= 2.3 ulp (q's error, <= 1.3 ulp of the result, and two roundings). */
CYACTS__INLINE double cyacts_elem_gelu_tanh_grad_f64(double x)
{
    double ax = fabs(x);
    cyacts__dd_f64 A, m;
    cyacts__dd_f64 v = cyacts__gt_v_f64(ax, &A, &m);
    cyacts__expq_f64 p = cyacts__exp_q_f64(v.hi, 1.0, -v.lo, 0, 128);
    cyacts__dd_f64 es = cyacts__exp_dd_f64(p, 1);
    cyacts__dd_f64 d; /* 1 + e by Fast2Sum, the scaling inside the fmas */
    d.hi = CYACTS_FMA_F64(es.hi, 0x1p-128, 1.0);
    d.lo = CYACTS_FMA_F64(es.lo, 0x1p-128, CYACTS_FMA_F64(es.hi, 0x1p-128, 1.0 - d.hi));
    /* |x| v' */
    cyacts__dd_f64 vp = cyacts__fast_two_sum_f64(A.hi, 2.0 * m.hi);
    vp.lo += A.lo + 2.0 * m.lo;
    cyacts__dd_f64 xvp = cyacts__two_prod_f64(ax, vp.hi);
    xvp.lo = CYACTS_FMA_F64(ax, vp.lo, xvp.lo);
    /* g = d - |x| v', then 2^128 e g */
    double gh = d.hi - xvp.hi;
    double gl = d.lo - xvp.lo;
    cyacts__dd_f64 n = cyacts__two_prod_f64(es.hi, gh);
    n.lo = CYACTS_FMA_F64(es.hi, gl, CYACTS_FMA_F64(es.lo, gh, n.lo));
    cyacts__dd_f64 d2 = cyacts__sqr_dd_f64(d);
    double f = cyacts__div_dd_sc_f64(n.hi, n.lo, d2.hi, d2.lo,
                                     cyacts__sel_sign_f64(x, p.sc, -p.sc),
                                     cyacts__sel_sign_f64(x, 0.0, 1.0));
    double dx = (x - CYACTS__GT_X0_HI_F64) - CYACTS__GT_X0_LO_F64;
    double fw = dx * cyacts__gt_root_poly_f64(dx);
    f = cyacts__sel_sign_f64(fabs(dx) - CYACTS__GT_WIN_F64, fw, f);
    return cyacts__sel_sign_f64(CYACTS__GT_XMAX_GRAD_F64 - ax, cyacts__sel_sign_f64(x, 0.0, 1.0), f);
}

/*
 * float32. Design:
 *  - Every function is branch-free: the only conditionals are selects that the compiler
 *    if-converts, so `#pragma omp simd` loops vectorise on 16 float lanes (AVX-512).
 *  - exp(a) = 2^k (1 + r + r^2 c(r)) with |r| <= ln2/2: the reduction is exact up to one
 *    rounding of r (2^-26), c is a degree-4 fit (2^-28.2), and 2^k is built from bits.
 *  - Float pairs (hi + lo) carry what one float cannot: the exact rounding error of
 *    e = 2^k (1 + q) (one FMA, Sterbenz), of 1 + e (Fast2Sum or TwoSum), of products (FMA).
 *    A quotient of pairs takes one division and one correction from the exact residual,
 *    so it is within ~0.5 ulp of the quotient of the pairs.  This keeps tanh and sigmoid
 *    within 1 ulp of the exact value, in float arithmetic only.
 *  - GELU (erf form) evaluates its Mills-ratio factor and the final product in double: in
 *    float the rounding of t and the polynomial's cancellation cost ~2 ulp on their own.
 *  - Coefficients: float32 minimax fits (relative or absolute error as noted), tools/fit/.
 *  - No FP exception or errno reliance; overflow and subnormal intermediates are avoided by
 *    clamping the argument where the result is already saturated or below 2^-100.
 */
/* ------------------------------------------------------------------------ */
/* c ? a : b, and the clamps, as integer bit selects on purpose: with the default
 * -ftrapping-math, GCC's PRE folds the arithmetic that follows a plain
 * `a > L ? L : a` into the constant arm, and a plain ternary whose arms are
 * only used there gets its arithmetic sunk into branches; either leaves a
 * conditional float op that if-conversion refuses ("control flow in loop")
 * and the loop stays scalar. A NaN compares false, so the clamps pass it. */
CYACTS__INLINE float cyacts__sel_f32(int c, float a, float b)
{
    uint32_t ua, ub, m = (uint32_t)0 - (uint32_t)(c != 0);
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    ua = (ua & m) | (ub & ~m);
    memcpy(&a, &ua, sizeof a);
    return a;
}

CYACTS__INLINE float cyacts__min_f32(float a, float lim) { return cyacts__sel_f32(a > lim, lim, a); }
CYACTS__INLINE float cyacts__max_f32(float a, float lim) { return cyacts__sel_f32(a < lim, lim, a); }

CYACTS__INLINE double cyacts__seld_f32(int c, double a, double b)
{
    uint64_t ua, ub, m = (uint64_t)0 - (uint64_t)(c != 0);
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    ua = (ua & m) | (ub & ~m);
    memcpy(&a, &ua, sizeof a);
    return a;
}

/* ------------------------------------------------------------------------ */
/* exp and float pairs                                                      */

typedef struct { float h, l; } cyacts__ff_f32;

/* a*b - p exactly, for p = fl(a*b) or any p with a*b - p representable (an FMA, or the
 * product formed exactly in double: 24 x 24 bits fit in 53). */
CYACTS__INLINE float cyacts__mul_err_f32(float a, float b, float p)
{
#if CYACTS_HAS_FMA
    return CYACTS_FMA_F32(a, b, -p);
#else
    return (float)((double)a * (double)b - (double)p);
#endif
}

/* exp(a - m) for a in [-87.3, 88] (the bits kb of k down to a = -115), |m| <= 2^-17 (a low part, passed negated), as
 * e = sc (1 + r + t c): sc = 2^k exact and normal, t = r^2, |r| <= ln2/2 + 2^-20.
 * k = nearest(a/ln2) by the 1.5*2^23 shifter.  With a true FMA, r1 = a - k LN2_HI is
 * EXACT: LN2_HI = float(ln2) ends at bit 2^-24, a is a multiple of 2^-24 whenever
 * |a| >= 1/2 (and k = 0 or +-1 below), and |r1| < 2^-1.5 fits 24 bits; the rest
 * (m and k (ln2 - LN2_HI)) costs one rounding of r, <= 2^-26.  Without FMA the
 * reduction is done in double.  a must not be +-inf (callers clamp; NaN passes). */
typedef struct { float sc, r, t, c; uint32_t kb; } cyacts__ex_f32;

CYACTS__INLINE cyacts__ex_f32 cyacts__exp_parts2_f32(float a, float m)
{
    cyacts__ex_f32 o;
    const float shift = 0x1.8p23f;
    uint32_t b;
    float js = CYACTS_FMA_F32(a, 0x1.715476p0f, shift); /* 1.5*2^23 + k */
    float j = js - shift;
#if CYACTS_HAS_FMA
    float r = CYACTS_FMA_F32(j, -0x1.62e430p-1f, a);
    r = CYACTS_FMA_F32(j, 0x1.05c610p-29f, r - m); /* -(ln2 - LN2_HI) */
#else
    float r = (float)(((double)a - (double)m) - (double)j * 0x1.62e42fefa39efp-1);
#endif
    /* (e^r - 1 - r)/r^2, absolute error of e^r 2^-28.2 on |r| <= ln2/2 */
    o.r = r;
    o.t = r * r;
    /* Estrin's scheme (a shorter dependency chain than Horner's) */
    o.c = CYACTS_FMA_F32(CYACTS_FMA_F32(0x1.6a4f88p-10f, o.t, CYACTS_FMA_F32(0x1.123988p-7f, r, 0x1.5558aep-5f)),
                         o.t, CYACTS_FMA_F32(0x1.555492p-3f, r, 0x1.fffffcp-2f));
    /* the low bits of js hold k: kb = k << 23, and kb + bits(1.0f) is 2^k */
    memcpy(&b, &js, sizeof b);
    o.kb = b << 23;
    b = o.kb + 0x3f800000u;
    memcpy(&o.sc, &b, sizeof b);
    return o;
}

CYACTS__INLINE cyacts__ex_f32 cyacts__exp_parts_f32(float a) { return cyacts__exp_parts2_f32(a, 0.0f); }

/* e as eh + el with relative error ~2^-26 (the rounding of r only): q = r + t c keeps
 * its rounding error (Fast2Sum: |t c| <= 0.2 |r|); eh = fl(sc + sc qh), and sc - eh is
 * exact (Sterbenz: eh/sc in [0.7, 1.42]), so the FMAs give eh's rounding error exactly. */
CYACTS__INLINE cyacts__ff_f32 cyacts__exp_ff_f32(cyacts__ex_f32 p)
{
    cyacts__ff_f32 e;
    float c = p.t * p.c;
    float qh = p.r + c;
    float ql = (p.r - qh) + c;
    e.h = CYACTS_FMA_F32(p.sc, qh, p.sc);
    e.l = CYACTS_FMA_F32(p.sc, ql, CYACTS_FMA_F32(p.sc, qh, p.sc - e.h));
    return e;
}

/* The same without q's rounding error (q in one FMA): relative error ~2^-25 (q's
 * rounding, at most 0.35 ulp of e, plus r's). */
CYACTS__INLINE cyacts__ff_f32 cyacts__exp_ff1_f32(cyacts__ex_f32 p)
{
    cyacts__ff_f32 e;
    float q = CYACTS_FMA_F32(p.t, p.c, p.r);
    e.h = CYACTS_FMA_F32(p.sc, q, p.sc);
    e.l = CYACTS_FMA_F32(p.sc, q, p.sc - e.h);
    return e;
}

/* 1 + e as a pair: Fast2Sum for 0 <= e <= 1, TwoSum for any e >= 0 (and c + e). */
CYACTS__INLINE cyacts__ff_f32 cyacts__one_plus_ff_f32(cyacts__ff_f32 e)
{
    cyacts__ff_f32 d;
    d.h = 1.0f + e.h;
    d.l = ((1.0f - d.h) + e.h) + e.l;
    return d;
}

CYACTS__INLINE cyacts__ff_f32 cyacts__c_plus_ff_f32(float c, cyacts__ff_f32 e)
{
    cyacts__ff_f32 d;
    float b;
    d.h = c + e.h;
    b = d.h - e.h;
    d.l = ((e.h - (d.h - b)) + (c - b)) + e.l;
    return d;
}

CYACTS__INLINE cyacts__ff_f32 cyacts__one_plus_any_ff_f32(cyacts__ff_f32 e)
{
    return cyacts__c_plus_ff_f32(1.0f, e);
}

/* d^2 as a pair. */
CYACTS__INLINE cyacts__ff_f32 cyacts__sqr_ff_f32(cyacts__ff_f32 d)
{
    cyacts__ff_f32 p;
    p.h = d.h * d.h;
    p.l = cyacts__mul_err_f32(d.h, d.h, p.h) + 2.0f * d.h * d.l;
    return p;
}

/* (nh + nl) / (dh + dl) given inv = fl(1/dh), |dl| <= ulp(dh), |nl| <= ulp(nh): t0 =
 * nh inv is within 1.5 ulp, so the residual nh - t0 dh is exact and one correction
 * leaves ~0.5 ulp + 2^-40 relative. */
CYACTS__INLINE float cyacts__div_inv_ff_f32(float nh, float nl, float dh, float dl, float inv)
{
    float t0 = nh * inv;
    float rho = -cyacts__mul_err_f32(t0, dh, nh) + (nl - t0 * dl);
    return CYACTS_FMA_F32(rho, inv, t0);
}

CYACTS__INLINE float cyacts__div_ff_f32(float nh, float nl, float dh, float dl)
{
    return cyacts__div_inv_ff_f32(nh, nl, dh, dl, 1.0f / dh);
}

/* ------------------------------------------------------------------------ */
/* tanh: |x| -> (1 - e)/(1 + e), e = exp(-2|x|), numerator and denominator as
 * pairs: 1 - eh is exact (Sterbenz) when e >= 1/2, and the pair then carries the
 * small-|x| value -(qh + ql) with full relative accuracy, down to subnormal x and
 * -0.  Clamp |x| at 9.5: tanh(x) rounds to 1 for |x| > 9.011. */
CYACTS__INLINE float cyacts_elem_tanh_f32(float x)
{
    float ax = fabsf(x);
    cyacts__ff_f32 e = cyacts__exp_ff_f32(cyacts__exp_parts_f32(-2.0f * cyacts__min_f32(ax, 9.5f)));
    cyacts__ff_f32 d = cyacts__one_plus_ff_f32(e);
    float nh = 1.0f - e.h;
    float nl = ((1.0f - nh) - e.h) - e.l;
    float n = nh + nl; /* renormalise (|nl| <= |nh| or nh = 0) so t0 is close */
    nl = (nh - n) + nl;
    return copysignf(cyacts__div_ff_f32(n, nl, d.h, d.l), x);
}

/* m e/(1+e)^2 (m = 1 or 4) from e = 2^k (1 + q) for the derivatives (bound 4 ulp):
 * e plain (1.45 * 2^-24), 1 + e and its square as pairs, one corrected quotient:
 * <= 2.5 ulp.  The quotient is formed from es = 2^(k+40) (1 + q) and scaled by
 * m 2^-40 last, so k may go down to -166: in the tail, where the slope is m e, it
 * then rounds once to the subnormal it should be (and to 0 past the underflow)
 * instead of being flushed, and grad_output * slope keeps IEEE behaviour
 * (inf * tiny = inf).  In the normal range the scalings are exact. */
CYACTS__INLINE float cyacts__slope_f32(cyacts__ex_f32 p, float m)
{
    cyacts__ff_f32 e;
    float sc, es;
    uint32_t b = p.kb + ((uint32_t)(127 + 40) << 23);
    memcpy(&sc, &b, sizeof sc);
    es = CYACTS_FMA_F32(sc, CYACTS_FMA_F32(p.t, p.c, p.r), sc);
    e.h = es * 0x1p-40f;
    e.l = 0.0f;
    cyacts__ff_f32 d2 = cyacts__sqr_ff_f32(cyacts__one_plus_ff_f32(e));
    return cyacts__div_ff_f32(es, 0.0f, d2.h, d2.l) * (m * 0x1p-40f);
}

/* tanh'(x) = 4e/(1+e)^2, e = exp(-2|x|): never 1 - tanh^2 (which cancels).
 * Clamp |x| at 55: 4e^-110 is below the float range. */
CYACTS__INLINE float cyacts_elem_tanh_grad_f32(float x)
{
    return cyacts__slope_f32(cyacts__exp_parts_f32(-2.0f * cyacts__min_f32(fabsf(x), 55.0f)), 4.0f);
}

/* ------------------------------------------------------------------------ */
/* sigmoid: e = exp(-|x|); x >= 0: 1/(1+e), x < 0: e/(1+e), e and 1 + e as pairs.
 * Clamp at 87 (2^k stays normal); below -87 the result (< 2^-125) is flushed to 0,
 * above it is 1 anyway. */
CYACTS__INLINE float cyacts_elem_sigmoid_f32(float x)
{
    float ax = fabsf(x);
    cyacts__ff_f32 e = cyacts__exp_ff1_f32(cyacts__exp_parts_f32(-cyacts__min_f32(ax, 87.0f)));
    cyacts__ff_f32 d = cyacts__one_plus_ff_f32(e);
    float s = cyacts__div_ff_f32(cyacts__sel_f32(x < 0.0f, e.h, 1.0f),
                                 cyacts__sel_f32(x < 0.0f, e.l, 0.0f), d.h, d.l);
    return cyacts__sel_f32(x < -87.0f, 0.0f, s);
}

/* sigmoid'(x) = e/(1+e)^2, e = exp(-|x|) (symmetric, no 1 - s cancellation).
 * Clamp |x| at 110: e^-110 is below the float range. */
CYACTS__INLINE float cyacts_elem_sigmoid_grad_f32(float x)
{
    return cyacts__slope_f32(cyacts__exp_parts_f32(-cyacts__min_f32(fabsf(x), 110.0f)), 1.0f);
}

/* ------------------------------------------------------------------------ */
/* GELU (erf form).  With z = |x| and Q(z) = Phi(-z) = erfc(z/sqrt2)/2:
 *   Q(z) = exp(-z^2/2) * R(t),  t = 1/(1 + 0.375 z),
 * R = Mills-ratio-like smooth factor, degree-10 polynomial in t with relative
 * error 2^-28.2 on z in [0, 12] (the negative tail is below 2^-100 after 11.8).
 * z^2 is split exactly into h + l because exp(-z^2/2) amplifies an error in z^2
 * by up to 85; E = exp(-z^2/2) goes to double exactly as 2^k (1 + r + t c). */

typedef struct { double e, r; float z; } cyacts__gq_f32;

CYACTS__INLINE cyacts__gq_f32 cyacts__gelu_q_f32(float x)
{
    cyacts__gq_f32 o;
    cyacts__ex_f32 p;
    float z = cyacts__min_f32(fabsf(x), 13.0f); /* z^2/2 <= 84.5: 2^k stays normal */
    float h = z * z;
    p = cyacts__exp_parts2_f32(-0.5f * h, 0.5f * cyacts__mul_err_f32(z, z, h));
    o.e = (double)p.sc * (1.0 + ((double)p.r + (double)(p.t * p.c)));
    {
        /* t and R in double: in float the rounding of t (amplified ~2x by
         * R'(t)) and Horner cancellation (sum |c_i t^i| / R up to 8) cost
         * ~2 ULP on their own */
        double t = 1.0 / (0.375 * (double)z + 1.0);
        /* Estrin's scheme: the double steps are the long dependency chain here */
        double t2 = t * t, t4 = t2 * t2;
        double p0 = CYACTS_FMA_F64(0x1.324752p-3, t, 0x1.a18d42p-20);
        double p1 = CYACTS_FMA_F64(0x1.f376b8p-4, t, 0x1.33ff92p-3);
        double p2 = CYACTS_FMA_F64(-0x1.7dae76p-4, t, 0x1.f33b48p-4);
        double p3 = CYACTS_FMA_F64(-0x1.009d70p-1, t, 0x1.204c30p-2);
        double p4 = CYACTS_FMA_F64(-0x1.438a04p-3, t, 0x1.9b690ap-2);
        double q0 = CYACTS_FMA_F64(p1, t2, p0);
        double q1 = CYACTS_FMA_F64(p3, t2, p2);
        double q2 = CYACTS_FMA_F64(0x1.9e5eb2p-6, t2, p4);
        o.r = CYACTS_FMA_F64(CYACTS_FMA_F64(q2, t4, q1), t4, q0);
    }
    o.z = z;
    return o;
}

/* gelu(x) = x (1 - Q(|x|)) for x >= 0, -|x| Q(|x|) for x < 0 (erfc form:
 * no cancellation in the negative tail).  Below x = -13 the result (< 2^-120) is
 * flushed to -0, which also maps -inf. */
CYACTS__INLINE float cyacts_elem_gelu_f32(float x)
{
    cyacts__gq_f32 g = cyacts__gelu_q_f32(x);
    double q = g.e * g.r;
    double neg = -(double)g.z * q;
    double pos = (double)x * (1.0 - q);
    return cyacts__sel_f32(x < -13.0f, -0.0f, (float)cyacts__seld_f32(x < 0.0f, neg, pos));
}

/* gelu'(x) = Phi(x) + x phi(x).  With D = R - z/sqrt(2 pi):
 *   x < 0: E*D,  x >= 0: 1 - E*D  (E = exp(-z^2/2)).
 * D cancels at the zero of gelu' (x0 = -0.75179...): there the float error
 * of R (~2^-25) would dominate, so on [-1.15, -0.40] use
 *   gelu'(x) = d * P(d),  d = x - x0 (x0 as float hi + lo; x - hi is exact by
 * Sterbenz), P a degree-7 fit with relative error 2^-26.3. */
/* d * P(d) with d = x - x0 (x0 = hi + lo) and P of degree 7 (coefficients highest first). */
CYACTS__INLINE float cyacts__root_poly_f32(float x, float x0_hi, float x0_lo, const float c[8])
{
    float d = (x - x0_hi) - x0_lo;
    float p = CYACTS_FMA_F32(c[0], d, c[1]);
    int i;
    for (i = 2; i < 8; ++i) p = CYACTS_FMA_F32(p, d, c[i]);
    return d * p;
}

CYACTS__INLINE float cyacts__gelu_grad_root_f32(float x)
{
    static const float c[8] = {-0x1.22b89ap-9f, 0x1.192f5ap-8f, 0x1.3e3e38p-6f, -0x1.e326b8p-7f,
                               -0x1.d2fa7cp-4f, -0x1.2a32f4p-6f, 0x1.8d9a94p-2f, 0x1.b9d990p-2f};
    return cyacts__root_poly_f32(x, -0x1.80ead2p-1f, 0x1.a03fd4p-27f, c);
}

CYACTS__INLINE float cyacts_elem_gelu_grad_f32(float x)
{
    cyacts__gq_f32 g = cyacts__gelu_q_f32(x);
    double ed = g.e * (g.r - (double)g.z * 0x1.9884533d43651p-2); /* 1/sqrt(2pi) */
    double pos = 1.0 - ed;
    float main = (float)cyacts__seld_f32(x < 0.0f, ed, pos);
    float root = cyacts__gelu_grad_root_f32(x);
    main = cyacts__sel_f32(x < -13.0f, -0.0f, main);
    return cyacts__sel_f32((x >= -1.15f) & (x <= -0.40f), root, main);
}

/* ------------------------------------------------------------------------ */
/* GELU tanh form: f = x * sigmoid(y) = x/(1 + E), y = 2u = x (A + B x^2),
 * A = 2 sqrt(2/pi), B = A * 0.044715, E = exp(-y).  y is carried as a float pair:
 * for x ~ -9, |y| ~ 70 and exp needs y to ~2^-27 absolute, more than a float holds.
 * E is not folded to exp(-|y|): in the negative tail E = 2^110 is a normal float
 * where exp(-|y|) = 2^-110 would make the low parts subnormal (slow, and inexact).
 * -y is clamped below at -40 (E x y' < 2^-50 from there).  Beyond |x| = 9.7 the
 * result is x (x > 0) or below 2^-120 (x < 0: flushed to -0), which also maps +-inf;
 * E stays below 2^117, so E (1 - x y') below 2^125. */
#define CYACTS__GT_AH_F32 0x1.988454p0f /* A = AH + AL to 2^-49 */
#define CYACTS__GT_AL_F32 -0x1.857936p-25f
#define CYACTS__GT_BH_F32 0x1.2444f2p-4f /* B = BH + BL */
#define CYACTS__GT_BL_F32 0x1.49b16ap-29f

/* y = A x + B x^3 and s = x y' = A x + 3 B x^3 as pairs (relative error ~2^-44).  With
 * FMA from exact products (A x and B x^3 as pairs, then TwoSums); without, from double,
 * where every exact float product would need a double product anyway (error 2^-50). */
typedef struct { cyacts__ff_f32 y, s; } cyacts__gt_t_f32;

/* a + b for pairs (TwoSum on the high parts). */
CYACTS__INLINE cyacts__ff_f32 cyacts__add_ff_f32(cyacts__ff_f32 a, cyacts__ff_f32 b)
{
    cyacts__ff_f32 s;
    float bb;
    s.h = a.h + b.h;
    bb = s.h - a.h;
    s.l = ((a.h - (s.h - bb)) + (b.h - bb)) + (a.l + b.l);
    return s;
}

CYACTS__INLINE cyacts__gt_t_f32 cyacts__gt_terms_f32(float x)
{
    cyacts__gt_t_f32 o;
#if CYACTS_HAS_FMA
    cyacts__ff_f32 a, p, p3;
    float x2h = x * x;
    float x2l = CYACTS_FMA_F32(x, x, -x2h);
    float x3h = x * x2h;
    float x3l = CYACTS_FMA_F32(x, x2l, CYACTS_FMA_F32(x, x2h, -x3h));
    a.h = CYACTS__GT_AH_F32 * x;
    a.l = CYACTS_FMA_F32(CYACTS__GT_AL_F32, x, CYACTS_FMA_F32(CYACTS__GT_AH_F32, x, -a.h));
    p.h = CYACTS__GT_BH_F32 * x3h;
    p.l = CYACTS_FMA_F32(CYACTS__GT_BH_F32, x3l,
                         CYACTS_FMA_F32(CYACTS__GT_BL_F32, x3h,
                                        CYACTS_FMA_F32(CYACTS__GT_BH_F32, x3h, -p.h)));
    p3.h = 3.0f * p.h;
    p3.l = CYACTS_FMA_F32(3.0f, p.l, CYACTS_FMA_F32(3.0f, p.h, -p3.h));
    o.y = cyacts__add_ff_f32(a, p);
    o.s = cyacts__add_ff_f32(a, p3);
#else
    const double A = 0x1.9884533d43651p0, B = 0x1.9884533d43651p0 * 0.044715;
    double xd = (double)x, x2 = xd * xd;
    double y = xd * (A + B * x2), s = xd * (A + 3.0 * B * x2);
    o.y.h = (float)y;
    o.y.l = (float)(y - (double)o.y.h);
    o.s.h = (float)s;
    o.s.l = (float)(s - (double)o.s.h);
#endif
    return o;
}

/* E = exp(-y) 2^(b - 127) as a pair (b: a biased exponent, 127 for E itself), y =
 * A x + B x^3 (-y clamped to [-40, 112.5]; 2^k 2^(b - 127) must stay normal). */
CYACTS__INLINE cyacts__ff_f32 cyacts__gt_exp_f32(cyacts__ff_f32 y, uint32_t b)
{
    cyacts__ex_f32 p = cyacts__exp_parts2_f32(-cyacts__min_f32(y.h, 40.0f),
                                              cyacts__sel_f32(y.h > 40.0f, 0.0f, y.l));
    b = p.kb + (b << 23);
    memcpy(&p.sc, &b, sizeof b);
    return cyacts__exp_ff1_f32(p);
}

CYACTS__INLINE float cyacts_elem_gelu_tanh_f32(float x)
{
    float xc = cyacts__min_f32(cyacts__max_f32(x, -9.7f), 9.7f);
    cyacts__ff_f32 d = cyacts__one_plus_any_ff_f32(cyacts__gt_exp_f32(cyacts__gt_terms_f32(xc).y, 127));
    float f = cyacts__div_ff_f32(xc, 0.0f, d.h, d.l);
    f = cyacts__sel_f32(fabsf(x) > 9.7f, cyacts__sel_f32(x < 0.0f, -0.0f, x), f);
    return copysignf(f, x); /* x = -0 gives -0 */
}

/* f'(x) = s + x s (1-s) y',  s = 1/(1+E), y' = A + 3B x^2:
 *   f' = (d + x y' E) / d^2,  d = 1 + E,
 * computed for x < 0 as c (c + cE + x y' cE)/(c + cE)^2 with c = 2^-64, so that E
 * up to 2^162 (x = -11) stays finite and f' keeps its subnormal values in the tail
 * (grad_output * f' must not be flushed where f' alone may be); c is exact.
 * n = d + x y' E: one FMA on the high parts (exact product, one rounding relative
 * to n even where x y' E ~ -2.2 E and d ~ E cancel) plus the low parts.  n/d^2 is
 * formed as (n/d)/d with one reciprocal: d^2 would overflow for E > 2^63.
 * n = 0 at x0 = -0.75246...: there a local expansion as for gelu'. */
CYACTS__INLINE float cyacts__gelu_tanh_grad_root_f32(float x)
{
    static const float c[8] = {-0x1.5441cep-9f, 0x1.3d680ep-8f, 0x1.431f06p-6f, -0x1.0f6c34p-6f,
                               -0x1.d2b99ap-4f, -0x1.029eb4p-6f, 0x1.8cd1a4p-2f, 0x1.b8bacep-2f};
    return cyacts__root_poly_f32(x, -0x1.8142a0p-1f, 0x1.85a06cp-27f, c);
}

CYACTS__INLINE float cyacts_elem_gelu_tanh_grad_f32(float x)
{
    float xc = cyacts__min_f32(cyacts__max_f32(x, -11.0f), 9.7f);
    float c = cyacts__sel_f32(x < 0.0f, 0x1p-64f, 1.0f); /* 2^-64 for x < 0, else 1 */
    cyacts__gt_t_f32 t = cyacts__gt_terms_f32(xc);
    cyacts__ff_f32 e = cyacts__gt_exp_f32(t.y, 127u - 64u * (uint32_t)(x < 0.0f)); /* c E */
    cyacts__ff_f32 s = t.s; /* x y' */
    cyacts__ff_f32 d = cyacts__c_plus_ff_f32(c, e);
    float nh = CYACTS_FMA_F32(s.h, e.h, d.h);
    float nl = CYACTS_FMA_F32(s.l, e.h, CYACTS_FMA_F32(s.h, e.l, d.l));
    float inv = 1.0f / d.h;
    float g = cyacts__div_inv_ff_f32(cyacts__div_inv_ff_f32(nh, nl, d.h, d.l, inv), 0.0f, d.h, d.l, inv) * c;
    float root = cyacts__gelu_tanh_grad_root_f32(x);
    g = cyacts__sel_f32((x >= -1.15f) & (x <= -0.40f), root, g);
    g = cyacts__sel_f32(x > 9.7f, 1.0f, g);
    return cyacts__sel_f32(x < -11.0f, 0.0f, g);
}

/* ---------------------------------------------------------------------------------------- */
/* Array functions: the public C API.                                                        */
/* ---------------------------------------------------------------------------------------- */
/* One loop per calling shape over an element function; api.h instantiates them for every
   kernel of the registry. A per-element parameter (PReLU's alpha) is broadcast by the caller. */
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
#define CYACTS__MAP_ARRAY(name, T, elem, p)                                                   \
    CYACTS_API void cyacts_##name(const T *x, const T *p, T *y, size_t n) {                   \
        size_t i;                                                                             \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i], p[i]);                          \
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
#define CYACTS__GRAD_PARAM(name, T, elem, p)                                                  \
    CYACTS_API void cyacts_##name(const T *x, const T *grad_output, T *y, size_t n, T p) {    \
        size_t i;                                                                             \
        if (grad_output) {                                                                    \
            CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = grad_output[i] * elem(x[i], p);        \
        } else {                                                                              \
            CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i], p);                         \
        }                                                                                     \
    }
#define CYACTS__GRAD_ARRAY(name, T, elem, p)                                                  \
    CYACTS_API void cyacts_##name(const T *x, const T *p, const T *grad_output, T *y,         \
                                  size_t n) {                                                 \
        size_t i;                                                                             \
        if (grad_output) {                                                                    \
            CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = grad_output[i] * elem(x[i], p[i]);     \
        } else {                                                                              \
            CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = elem(x[i], p[i]);                      \
        }                                                                                     \
    }

#include "api.h"

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_H */
