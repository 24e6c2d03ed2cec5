/*
 * cyacts/common.h - what the family headers share: configuration macros, bit casts and
 * selects, double-double and float-pair arithmetic, polynomial evaluators, the exp cores of
 * both dtypes; and the float16/bfloat16 <-> float32 conversions. Included by cyacts.h (the
 * header to include); compiles on its own.
 */
#ifndef CYACTS_COMMON_H
#define CYACTS_COMMON_H

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
   (every element function meets its accuracy bound either way). MSVC defines no __FMA__, but
   its /arch:AVX2 and /arch:AVX512 (both define __AVX2__) are for CPUs with FMA, and fma() is
   correctly rounded whether MSVC emits vfmadd or calls the CRT: the same fused operations,
   so the same bits, as GCC and clang with -mfma. Code whose target has FMA by a pragma or
   attribute defines CYACTS_TARGET_FMA before including this: clang's `#pragma clang attribute`
   target defines no __FMA__ (GCC's `#pragma GCC target` does). */
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA) || defined(__aarch64__) || \
    (defined(_MSC_VER) && defined(__AVX2__)) || defined(CYACTS_TARGET_FMA)
#define CYACTS_HAS_FMA 1
#define CYACTS_FMA_F32(a, b, c) fmaf((a), (b), (c))
#define CYACTS_FMA_F64(a, b, c) fma((a), (b), (c))
#else
#define CYACTS_HAS_FMA 0
#define CYACTS_FMA_F32(a, b, c) ((a) * (b) + (c))
#define CYACTS_FMA_F64(a, b, c) ((a) * (b) + (c))
#endif

/* Full unrolling for the polynomial evaluators' loops, so the element loops around them
 * still vectorise. */
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

/* ======================================================================================== */
/* Polynomial evaluators, both dtypes                                                       */
/* ======================================================================================== */
/* Each reads a coefficient table highest degree first (the order tools/fit/emit_tables.py
 * writes); inlined over a static const table, the coefficients become constants. */

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

/* Estrin's scheme for the two degrees the float32 kernels use, same coefficient order: pairs
 * c[i] x + c[i+1], combined with x^2 (and x^4), the last three terms by Horner's rule
 * ((a y + b) y + c: the same latency as one more Estrin level, one multiply fewer).  Written
 * out rather than looped: GCC sizes a function for inlining before it unrolls its loops, and
 * the looped form (and its 32-entry array) made the float32 array functions too large to
 * inline into the kernel tables' adapters, which changed their code. */
CYACTS__INLINE float cyacts__estrin_deg4_f32(float x, const float *c)
{
    float x2 = x * x;
    return CYACTS_FMA_F32(CYACTS_FMA_F32(c[0], x2, CYACTS_FMA_F32(c[1], x, c[2])), x2,
                          CYACTS_FMA_F32(c[3], x, c[4]));
}

CYACTS__INLINE double cyacts__estrin_deg10_f64(double x, const double *c)
{
    double x2 = x * x, x4 = x2 * x2;
    double p0 = CYACTS_FMA_F64(c[9], x, c[10]);
    double p1 = CYACTS_FMA_F64(c[7], x, c[8]);
    double p2 = CYACTS_FMA_F64(c[5], x, c[6]);
    double p3 = CYACTS_FMA_F64(c[3], x, c[4]);
    double p4 = CYACTS_FMA_F64(c[1], x, c[2]);
    double q0 = CYACTS_FMA_F64(p1, x2, p0);
    double q1 = CYACTS_FMA_F64(p3, x2, p2);
    double q2 = CYACTS_FMA_F64(c[0], x2, p4);
    return CYACTS_FMA_F64(CYACTS_FMA_F64(q2, x4, q1), x4, q0);
}

/* ======================================================================================== */
/* float64                                                                                */
/* ======================================================================================== */

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

CYACTS__INLINE double cyacts__min_f64(double a, double lim)
{
    return cyacts__sel_f64(a > lim, lim, a);
}

CYACTS__INLINE double cyacts__max_f64(double a, double lim)
{
    return cyacts__sel_f64(a < lim, lim, a);
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

/* a*b - p exactly, for any p with a*b - p representable (p = fl(a*b), or p ~ a*b as in a
 * division's residual): one fma, or Dekker's product (ph - p is then exact by Sterbenz). */
CYACTS__INLINE double cyacts__mul_err_f64(double a, double b, double p)
{
#if CYACTS_HAS_FMA
    return CYACTS_FMA_F64(a, b, -p);
#else
    cyacts__dd_f64 q = cyacts__two_prod_f64(a, b);
    return (q.hi - p) + q.lo;
#endif
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
typedef struct { double s, q, qt, sc; } cyacts__exp_parts_f64;

CYACTS__INLINE cyacts__exp_parts_f64 cyacts__exp_core_f64(double a, double c, double l, int flush,
                                                          int scale)
{
    cyacts__exp_parts_f64 o;
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
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_dd_f64(cyacts__exp_parts_f64 p, int tail)
{
    cyacts__dd_f64 e;
    e.hi = CYACTS_FMA_F64(p.s, p.q, p.s);
    e.lo = CYACTS_FMA_F64(p.s, p.q, p.s - e.hi);
    if (tail) e.lo = CYACTS_FMA_F64(p.s, p.qt, e.lo);
    return e;
}

/* exp(l - c a) as a double-double (relative error 2^-54.9), flushed past c a = 708. */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_flushed_dd_f64(double a, double c, double l)
{
    return cyacts__exp_dd_f64(cyacts__exp_core_f64(a, c, l, 1, 0), 1);
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
CYACTS__INLINE double cyacts__div_dd_scaled_f64(double nh, double nl, double dh, double dl,
                                                double sc, double b)
{
    double inv = 1.0 / dh;
    double t0 = nh * inv;
    double rho = cyacts__div_residual_f64(nh, nl, dh, dl, t0);
    return CYACTS_FMA_F64(rho, inv * sc, CYACTS_FMA_F64(t0, sc, b));
}

/* nh / (dh + dl): the same without a numerator low part (one add less), unscaled. */
CYACTS__INLINE double cyacts__div_d_dd_f64(double nh, double dh, double dl)
{
    double inv = 1.0 / dh;
    double t0 = nh * inv;
#if CYACTS_HAS_FMA
    double rho = CYACTS_FMA_F64(-t0, dl, CYACTS_FMA_F64(-t0, dh, nh));
#else
    cyacts__dd_f64 p = cyacts__two_prod_f64(t0, dh);
    double rho = ((nh - p.hi) - p.lo) - t0 * dl;
#endif
    return CYACTS_FMA_F64(rho, inv, t0);
}

/* d^2 as a double-double. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sqr_dd_f64(cyacts__dd_f64 d)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(d.hi, d.hi);
    p.lo = CYACTS_FMA_F64(d.hi + d.hi, d.lo, p.lo);
    return p;
}

/* ======================================================================================== */
/* float32                                                                                */
/* ======================================================================================== */

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

CYACTS__INLINE double cyacts__sel_double_f32(int c, double a, double b)
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

typedef struct { float hi, lo; } cyacts__ff_f32;

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

/* exp(a - m) for a in [-87.3, 88] (k_bits down to a = -115), |m| <= 2^-17 (a low part,
 * passed negated), as e = s (1 + r + t c): s = 2^k exact and normal, t = r^2,
 * |r| <= ln2/2 + 2^-20, and k_bits = k << 23 (the exponent field of 2^k less the bias,
 * for callers that build 2^(k + b) themselves).
 * k = nearest(a/ln2) by the 1.5*2^23 shifter.  With a true FMA, r1 = a - k LN2_HI is
 * EXACT: LN2_HI = float(ln2) ends at bit 2^-24, a is a multiple of 2^-24 whenever
 * |a| >= 1/2 (and k = 0 or +-1 below), and |r1| < 2^-1.5 fits 24 bits; the rest
 * (m and k (ln2 - LN2_HI)) costs one rounding of r, <= 2^-26, which rl holds (to ~2^-48:
 * dead code for the callers that ignore it).  Without FMA the reduction is done in double.
 * a must not be +-inf (callers clamp; NaN passes). */
#define CYACTS__LOG2E_F32 0x1.715476p0f
#define CYACTS__LN2_HI_F32 0x1.62e430p-1f
#define CYACTS__LN2_LO_F32 (-0x1.05c610p-29f) /* ln2 - LN2_HI */

typedef struct { float s, r, rl, t, c; uint32_t k_bits; } cyacts__exp_parts_f32;

/* c(r) = (e^r - 1 - r)/r^2, degree 4, absolute error of e^r 2^-28.2 on |r| <= ln2/2; Estrin's
 * scheme (a shorter dependency chain than Horner's). */
CYACTS__INLINE float cyacts__expm1_poly4_f32(float r)
{
    static const float c[5] = {
        0x1.6a4f88p-10f, 0x1.123988p-7f, 0x1.5558aep-5f, 0x1.555492p-3f, 0x1.fffffcp-2f};
    return cyacts__estrin_deg4_f32(r, c);
}

CYACTS__INLINE cyacts__exp_parts_f32 cyacts__exp_core_f32(float a, float m)
{
    cyacts__exp_parts_f32 o;
    const float shift = 0x1.8p23f;
    uint32_t b;
    float js = CYACTS_FMA_F32(a, CYACTS__LOG2E_F32, shift); /* 1.5*2^23 + k */
    float j = js - shift;
#if CYACTS_HAS_FMA
    float r1 = CYACTS_FMA_F32(j, -CYACTS__LN2_HI_F32, a);
    float u = r1 - m;
    float r = CYACTS_FMA_F32(j, -CYACTS__LN2_LO_F32, u);
    /* r's rounding error, for callers that carry it (expm1): u - r is exact (Sterbenz, or
       both below 2^-22), and so is the error of u (|m| <= |r1| or r1 = 0) */
    o.rl = CYACTS_FMA_F32(j, -CYACTS__LN2_LO_F32, u - r) + ((r1 - u) - m);
#else
    double rd = ((double)a - (double)m) - (double)j * 0x1.62e42fefa39efp-1;
    float r = (float)rd;
    o.rl = (float)(rd - (double)r);
#endif
    o.r = r;
    o.t = r * r;
    o.c = cyacts__expm1_poly4_f32(r);
    /* the low bits of js hold k: k_bits = k << 23, and k_bits + bits(1.0f) is 2^k */
    memcpy(&b, &js, sizeof b);
    o.k_bits = b << 23;
    b = o.k_bits + 0x3f800000u;
    memcpy(&o.s, &b, sizeof b);
    return o;
}

/* e as eh + el with relative error ~2^-26 (the rounding of r only): q = r + t c keeps
 * its rounding error (Fast2Sum: |t c| <= 0.2 |r|); eh = fl(s + s qh), and s - eh is
 * exact (Sterbenz: eh/s in [0.7, 1.42]), so the FMAs give eh's rounding error exactly. */
CYACTS__INLINE cyacts__ff_f32 cyacts__exp_ff_tail_f32(cyacts__exp_parts_f32 p)
{
    cyacts__ff_f32 e;
    float c = p.t * p.c;
    float qh = p.r + c;
    float ql = (p.r - qh) + c;
    e.hi = CYACTS_FMA_F32(p.s, qh, p.s);
    e.lo = CYACTS_FMA_F32(p.s, ql, CYACTS_FMA_F32(p.s, qh, p.s - e.hi));
    return e;
}

/* The same without q's rounding error (q in one FMA): relative error ~2^-25 (q's
 * rounding, at most 0.35 ulp of e, plus r's). */
CYACTS__INLINE cyacts__ff_f32 cyacts__exp_ff_fused_f32(cyacts__exp_parts_f32 p)
{
    cyacts__ff_f32 e;
    float q = CYACTS_FMA_F32(p.t, p.c, p.r);
    e.hi = CYACTS_FMA_F32(p.s, q, p.s);
    e.lo = CYACTS_FMA_F32(p.s, q, p.s - e.hi);
    return e;
}

/* 1 + e as a pair by Fast2Sum, for 0 <= e <= 1. */
CYACTS__INLINE cyacts__ff_f32 cyacts__one_plus_ff_f32(cyacts__ff_f32 e)
{
    cyacts__ff_f32 d;
    d.hi = 1.0f + e.hi;
    d.lo = ((1.0f - d.hi) + e.hi) + e.lo;
    return d;
}

/* c + e for a float c and a pair e by TwoSum on the high parts: for any e >= 0 (1 + e past 1). */
CYACTS__INLINE cyacts__ff_f32 cyacts__add_float_ff_f32(float c, cyacts__ff_f32 e)
{
    cyacts__ff_f32 d;
    float b;
    d.hi = c + e.hi;
    b = d.hi - e.hi;
    d.lo = ((e.hi - (d.hi - b)) + (c - b)) + e.lo;
    return d;
}

/* d^2 as a pair. */
CYACTS__INLINE cyacts__ff_f32 cyacts__sqr_ff_f32(cyacts__ff_f32 d)
{
    cyacts__ff_f32 p;
    p.hi = d.hi * d.hi;
    p.lo = cyacts__mul_err_f32(d.hi, d.hi, p.hi) + 2.0f * d.hi * d.lo;
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

/* a + b for pairs (TwoSum on the high parts). */
CYACTS__INLINE cyacts__ff_f32 cyacts__add_ff_f32(cyacts__ff_f32 a, cyacts__ff_f32 b)
{
    cyacts__ff_f32 s;
    float bb;
    s.hi = a.hi + b.hi;
    bb = s.hi - a.hi;
    s.lo = ((a.hi - (s.hi - bb)) + (b.hi - bb)) + (a.lo + b.lo);
    return s;
}

/* d * P(d) with d = x - x0 (x0 = hi + lo) and P of degree 7 (coefficients highest first). */
CYACTS__INLINE float cyacts__root_poly_f32(float x, float x0_hi, float x0_lo, const float c[8])
{
    float d = (x - x0_hi) - x0_lo;
    float p = CYACTS_FMA_F32(c[0], d, c[1]);
    int i;
    for (i = 2; i < 8; ++i) p = CYACTS_FMA_F32(p, d, c[i]);
    return d * p;
}

/* ======================================================================================== */
/* 16-bit storage: float16 and bfloat16 <-> float32                                         */
/* ======================================================================================== */
/*
 * The 16-bit kernels load float16 (IEEE binary16) or bfloat16 (the top half of a float32)
 * into float32, run the float32 element functions and round the result back. These four
 * conversions are the public way to do the same from C; every kernel table uses them, or
 * hardware instructions that give the same bits, so a 16-bit result is the same on every
 * instruction set whose float32 result is.
 *  - Widening is exact. Narrowing rounds to nearest, ties to even, and overflows to inf;
 *    subnormals are kept in both directions.
 *  - A NaN stays a NaN and comes out quiet (the quiet bit set, the payload kept where it
 *    fits: as F16C and AVX-512 BF16 do), so a signalling NaN in never reaches arithmetic.
 *  - Integer operations on the bit patterns, branch-free (the selects become blends), so
 *    loops over them vectorise; float16 subnormals take one float add or subtract each way
 *    (exact in widening; in narrowing the rounding to nearest-even that is wanted), which
 *    never sees a subnormal operand or result, so flush-to-zero modes cannot change it.
 * The 16-bit values are passed as their bit patterns (uint16_t): C99 has no 16-bit float.
 */
CYACTS__INLINE uint32_t cyacts__bits_f32(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

CYACTS__INLINE float cyacts__from_bits_f32(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* float16 -> float32, exact. */
CYACTS__INLINE float cyacts_f16_to_f32(uint16_t h)
{
    uint32_t sign = ((uint32_t)h & 0x8000u) << 16;
    uint32_t em = ((uint32_t)h & 0x7FFFu) << 13; /* exponent and mantissa, in float32 place */
    uint32_t r = em + 0x38000000u;               /* normal: exponent bias 15 -> 127 */
    /* subnormal or zero, m 2^-24: (2^-14 + m 2^-24) - 2^-14, an exact subtraction */
    uint32_t sub = cyacts__bits_f32(cyacts__from_bits_f32(em + 0x38800000u) - 0x1p-14f);
    /* inf and NaN: exponent all ones; a NaN gets the quiet bit */
    uint32_t special = (em + 0x70000000u) | (em > 0x0F800000u ? 0x00400000u : 0u);
    r = em >= 0x0F800000u ? special : r;
    r = em < 0x00800000u ? sub : r;
    return cyacts__from_bits_f32(r | sign);
}

/* float32 -> float16, rounded to nearest, ties to even. */
CYACTS__INLINE uint16_t cyacts_f32_to_f16(float f)
{
    uint32_t u = cyacts__bits_f32(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t a = u & 0x7FFFFFFFu;
    /* normal result (|f| >= 2^-14): rebias, and round the 13 dropped bits by an integer add
       (half an ulp less one, plus the kept lowest bit: ties go to even); a carry into the
       exponent is the right result, up to inf */
    uint32_t r = (a - 0x38000000u + 0x0FFFu + ((a >> 13) & 1u)) >> 13;
    /* subnormal result: |f| + 0.5 rounds |f| to a multiple of 2^-24 (the ulp of 0.5), to
       nearest even; the low bits of the sum are the float16 bits (2^-14 itself included) */
    uint32_t sub = cyacts__bits_f32(cyacts__from_bits_f32(a) + 0.5f) - 0x3F000000u;
    r = a < 0x38800000u ? sub : r;
    r = a >= 0x477FF000u ? 0x7C00u : r; /* |f| >= 65520 rounds past 65504: inf */
    r = a > 0x7F800000u ? 0x7E00u | ((a >> 13) & 0x03FFu) : r; /* NaN: quiet, top payload */
    return (uint16_t)(r | sign);
}

/* bfloat16 -> float32, exact. */
CYACTS__INLINE float cyacts_bf16_to_f32(uint16_t b)
{
    uint32_t u = (uint32_t)b << 16;
    u |= (u & 0x7FFFFFFFu) > 0x7F800000u ? 0x00400000u : 0u; /* a NaN gets the quiet bit */
    return cyacts__from_bits_f32(u);
}

/* float32 -> bfloat16, rounded to nearest, ties to even (subnormals kept: unlike
   VCVTNEPS2BF16, which flushes subnormal inputs to zero). */
CYACTS__INLINE uint16_t cyacts_f32_to_bf16(float f)
{
    uint32_t u = cyacts__bits_f32(f);
    uint32_t r = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16; /* a carry is right, up to inf */
    r = (u & 0x7FFFFFFFu) > 0x7F800000u ? (u >> 16) | 0x0040u : r; /* NaN: quiet */
    return (uint16_t)r;
}

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_COMMON_H */
