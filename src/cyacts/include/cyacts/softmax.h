/*
 * cyacts/softmax.h - softmax, log_softmax and logsumexp over rows, and the derivatives of the
 * first two from their outputs. Header-only C99 (also valid C++); included by cyacts.h,
 * compiles on its own.
 *
 * Design
 * ------
 * A. A row is reduced in up to three passes: its maximum m (order-independent), a sum over
 *    the row (of exp(x - m), of grad_output * y, or of grad_output), and a map that writes the
 *    results from per-row constants made from m and the sum. The maximum is NaN-sticky and
 *    its zero is made +0, so it is the same value whatever order it is taken in.
 * B. The sums are not order-independent, so every sum is taken in ONE fixed order, which
 *    depends on the row's length alone: the row is cut into blocks of CYACTS_SM_BLOCK
 *    elements; in a block, element i goes to lane i mod 16, each lane adds its elements in
 *    index order starting from 0, and the 16 lanes are added in a fixed tree (l + 8, l + 4,
 *    l + 2, l + 1); the block results are added in block order starting from 0. Sixteen lanes
 *    whatever the vector width (one AVX-512 register of floats, two of AVX2, four of NEON),
 *    so every instruction set adds the same numbers in the same order; a long row split
 *    across threads is split at block boundaries, its block results combined in order; and
 *    the strided path (a non-last axis, vectorised across the contiguous axis, 16 lanes per
 *    column) adds in that order too. Element functions are branch-free, with the same
 *    arithmetic in vector bodies and tails (cyacts.h, B), so the results are bitwise
 *    independent of the instruction set, the thread count and the layout.
 * C. Accuracy: float32 sums run in double (each term exact or to 2^-53; the exp sums count
 *    the row's maxima apart, whose terms are exactly 1, so 1 + tiny keeps tiny), float64
 *    sums in double-double (TwoSum lanes); exp(x - m) takes x - m as an exact pair. float32 softmax
 *    is exp(x - m) as a float pair over the sum as a pair (one division, one correction):
 *    within 1 ULP; float64 the same in double-double. log_softmax is (x - m) - log(sum),
 *    two non-positive terms (no cancellation), with log(sum) to ~2^-60 (a double-double log
 *    written here: libm's may differ between platforms). logsumexp is m + log(sum), the sum
 *    of float32 rows from double-precision exps, so that it stays accurate where m and
 *    log(sum) cancel. Results below 2^-100 (float32) / 2^-960 (float64) may flush to zero.
 * D. Semantics: stable for any finite input (m is subtracted); -inf entries give probability
 *    0 (log-probability -inf); a row that is all -inf gives NaN for softmax and log_softmax
 *    and -inf for logsumexp; +inf or NaN in a row gives NaN for its softmax and log_softmax,
 *    and for logsumexp NaN (NaN in the row) or +inf; an empty row has logsumexp -inf. The
 *    derivatives are IEEE arithmetic on their inputs (NaN in, NaN out).
 *
 * Public API: single-threaded; `rows` rows of `cols` contiguous elements, row r at
 * r * row_stride (in elements) in every array; y may equal x (and grad_input grad_output or
 * y): in place. logsumexp writes one value per row to y[0 .. rows - 1].
 *   void cyacts_softmax_f32(const float *x, float *y, size_t rows, size_t cols,
 *                           ptrdiff_t row_stride);
 *   void cyacts_log_softmax_f32(...), cyacts_logsumexp_f32(...): the same arguments
 *   void cyacts_softmax_grad_f32(const float *y, const float *grad_output, float *grad_input,
 *                                size_t rows, size_t cols, ptrdiff_t row_stride);
 *       grad_input = y * (grad_output - sum(grad_output * y)), y = softmax(x)
 *   void cyacts_log_softmax_grad_f32(...): the same arguments;
 *       grad_input = grad_output - exp(y) * sum(grad_output), y = log_softmax(x)
 * and the same for double (_f64).
 */
#ifndef CYACTS_SOFTMAX_H
#define CYACTS_SOFTMAX_H

#include <float.h>
#include <math.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Lanes of every sum (B): fixed, whatever the vector width. */
#define CYACTS_SM_LANES 16
/* Elements per block of a row's sum: the unit a long row is split into across threads. */
#define CYACTS_SM_BLOCK 4096
/* Columns per tile on the strided path (a non-last axis). */
#define CYACTS_SM_TILE 64

/* The per-row constants of the final map, made from the row's maximum and sum (unused ones
 * are 0): softmax m, sum (hi, lo), 1/hi; log_softmax m, log(sum) (hi, lo); logsumexp its
 * value in p; the derivatives their sum (hi, lo) in p, q. */
typedef struct { double m, p, q, r; } cyacts_sm_consts;

/* ======================================================================================== */
/* Shared scalar pieces                                                                     */
/* ======================================================================================== */

/* max(m, x), NaN-sticky: NaN once any NaN was seen (a NaN m stays: x > NaN is false). */
CYACTS__INLINE float cyacts__sm_max_f32(float m, float x)
{
    return cyacts__sel_f32((x > m) | (x != x), x, m);
}

CYACTS__INLINE double cyacts__sm_max_f64(double m, double x)
{
    return cyacts__sel_f64((x > m) | (x != x), x, m);
}

/* The sum of 16 lanes in the fixed tree (B); overwrites the lanes. */
CYACTS__INLINE double cyacts__sm_tree_d(double *a)
{
    int l;
    for (l = 0; l < 8; ++l) a[l] += a[l + 8];
    for (l = 0; l < 4; ++l) a[l] += a[l + 4];
    for (l = 0; l < 2; ++l) a[l] += a[l + 2];
    return a[0] + a[1];
}

/* A float32 block's (sum, count) lanes in the fixed tree. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_tree_count_f32(double *acc, double *cnt)
{
    cyacts__dd_f64 r;
    r.hi = cyacts__sm_tree_d(acc);
    r.lo = cyacts__sm_tree_d(cnt);
    return r;
}

/* Double-double accumulation: (h, l) += (th, tl), h by TwoSum, every error into l. h is the
 * IEEE sum of the high parts, so infinities and NaN stay in h. */
#define CYACTS__SM_DD_ADD(h, l, th, tl)                                                       \
    do {                                                                                      \
        double s_ = (h) + (th), b_ = s_ - (h);                                                \
        (l) = (l) + ((((h) - (s_ - b_)) + ((th) - b_)) + (tl));                              \
        (h) = s_;                                                                             \
    } while (0)

/* The 16 dd lanes added in the fixed tree: the block's (h, l). */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_tree_dd(double *h, double *l)
{
    cyacts__dd_f64 r;
    int k, w;
    for (w = 8; w >= 1; w /= 2)
        for (k = 0; k < w; ++k) CYACTS__SM_DD_ADD(h[k], l[k], h[k + w], l[k + w]);
    r.hi = h[0];
    r.lo = l[0];
    return r;
}

/* (h, l) as a normalised pair; a non-finite h alone. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_dd_norm(double h, double l)
{
    cyacts__dd_f64 r;
    if (!(fabs(h) <= DBL_MAX)) {
        r.hi = h;
        r.lo = 0.0;
        return r;
    }
    r.hi = h + l;
    r.lo = l - (r.hi - h);
    return r;
}

/* log(s) for 1 <= s < 2^60, s = sh + sl (|sl| <= ulp(sh)), as hi + lo with a relative error
 * of about 2^-60: s = 2^k u with u in [sqrt(1/2), sqrt(2)), log(u) = 2 atanh(t),
 * t = (u - 1)/(u + 1) in double-double (|t| <= 0.172), 2 atanh(t) = 2t + t^3 P(t^2) with
 * P = sum 2 w^j/(2j + 3), j < 12 (truncation below 2^-62 relative), then k ln2 in two parts.
 * Once per row: never in a hot loop. Written here rather than called from libm, whose log is
 * not the same function on every platform. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_log_dd(double sh, double sl)
{
    static const double P[12] = {
        2.0 / 25, 2.0 / 23, 2.0 / 21, 2.0 / 19, 2.0 / 17, 2.0 / 15,
        2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3};
    cyacts__dd_f64 f, d, t, p, r, lk;
    uint64_t bits = cyacts__bits_f64(sh);
    int k = (int)((bits >> 52) & 0x7ff) - 1023;
    double scale, uh, ul, w, tail, rho;
    /* u = s 2^-k in [1, 2); past sqrt(2), halve it */
    if ((bits & UINT64_C(0xfffffffffffff)) > UINT64_C(0x6a09e667f3bcc)) ++k;
    scale = cyacts__from_bits_f64((uint64_t)(1023 - k) << 52);
    uh = sh * scale;
    ul = sl * scale;
    /* f = u - 1 (uh - 1 exact: Sterbenz), d = u + 1 */
    f = cyacts__two_sum_f64(uh - 1.0, ul);
    d = cyacts__fast_two_sum_f64(2.0, f.hi);
    d.lo += f.lo;
    /* t = f / d: t.hi, then the residual's quotient */
    t.hi = f.hi / d.hi;
    p = cyacts__two_prod_f64(t.hi, d.hi);
    rho = ((f.hi - p.hi) - p.lo) + (f.lo - t.hi * d.lo);
    t.lo = rho / d.hi;
    w = t.hi * t.hi;
    tail = cyacts__horner_f64(w, P, 12) * w * t.hi;
    /* log(u) = 2 t + tail */
    r = cyacts__fast_two_sum_f64(2.0 * t.hi, tail);
    r.lo += 2.0 * t.lo;
    /* + k ln2 (k ln2_hi exact: ln2_hi has 11 trailing zero bits) */
    lk.hi = (double)k * CYACTS__LN2_HI_F64;
    lk.lo = (double)k * CYACTS__LN2_LO_F64;
    p = cyacts__two_sum_f64(lk.hi, r.hi);
    p.lo += lk.lo + r.lo;
    return cyacts__fast_two_sum_f64(p.hi, p.lo);
}

/* ======================================================================================== */
/* float32 element functions                                                                */
/* ======================================================================================== */
/* Every function below has m finite and x <= m or x = -inf (the row's maximum is finite, and
 * a NaN or +inf in the row makes it non-finite: those rows get NaN constants instead), except
 * the derivatives', which take any input. */

/* exp(x - m) as a float pair (relative error ~2^-25.7): x - m as an exact pair (TwoSum), its
 * low part passed to the exp core. Below -87 (results under 2^-125.5) it is 0, which also
 * catches x = -inf (whose low part is NaN). */
CYACTS__INLINE cyacts__ff_f32 cyacts__sm_exp_diff_f32(float x, float m)
{
    float hi = x - m, bb = hi - x;
    float lo = (x - (hi - bb)) + (-m - bb);
    int out = hi < -87.0f;
    cyacts__ff_f32 e = cyacts__exp_ff_tail_f32(
        cyacts__exp_core_f32(cyacts__sel_f32(out, -87.0f, hi), cyacts__sel_f32(out, 0.0f, -lo)));
    e.hi = cyacts__sel_f32(out, 0.0f, e.hi);
    e.lo = cyacts__sel_f32(out, 0.0f, e.lo);
    return e;
}

/* exp(-a) in double for a >= 0 (+inf included), relative error ~2^-53; 0 past a = 708. */
CYACTS__INLINE double cyacts__sm_exp_neg_f64(double a)
{
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(a, 1.0, 0.0, 1, 0);
    return CYACTS_FMA_F64(p.s, p.q, p.s);
}

/* exp(y) in double for any y: inf past 708, NaN for NaN, 0 below -708. */
CYACTS__INLINE double cyacts__sm_exp_any_f64(double y)
{
    double e = cyacts__sm_exp_neg_f64(-y);
    e = cyacts__sel_f64(y > 708.0, (double)INFINITY, e);
    return cyacts__sel_f64(y != y, y, e);
}

/* hi + lo of a float pair, exactly, in double (both fit in 48 bits of one exponent). */
CYACTS__INLINE double cyacts__sm_exp_pair_sum_f32(cyacts__ff_f32 e)
{
    return (double)e.hi + (double)e.lo;
}

/* The terms of the float32 sums, as (term, count): the exp sums count the row's maxima
 * apart (each term is exactly 1 there) and add the other terms alone, so that a sum of 1 +
 * tiny keeps its tiny part in double (log(sum) is then about tiny: log_softmax of the
 * maximum, logsumexp near 0). The other sums count nothing. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_split_top_f32(double e, float x, float m)
{
    cyacts__dd_f64 t;
    t.lo = cyacts__sel_double_f32(x == m, 1.0, 0.0);
    t.hi = e - t.lo;
    return t;
}

CYACTS__INLINE cyacts__dd_f64 cyacts__sm_term_exp_f32(float x, float m)
{
    return cyacts__sm_split_top_f32(cyacts__sm_exp_pair_sum_f32(cyacts__sm_exp_diff_f32(x, m)),
                                    x, m);
}

CYACTS__INLINE cyacts__dd_f64 cyacts__sm_term_expw_f32(float x, float m)
{
    return cyacts__sm_split_top_f32(cyacts__sm_exp_neg_f64((double)m - (double)x), x, m);
}

CYACTS__INLINE cyacts__dd_f64 cyacts__sm_term_other_f32(double v)
{
    cyacts__dd_f64 t;
    t.hi = v;
    t.lo = 0.0;
    return t;
}
#define CYACTS__SM_TERM_EXP_F32(x, a, m) cyacts__sm_term_exp_f32(x, m)
#define CYACTS__SM_TERM_EXPW_F32(x, a, m) cyacts__sm_term_expw_f32(x, m)
#define CYACTS__SM_TERM_DOT_F32(x, a, m) cyacts__sm_term_other_f32((double)(x) * (double)(a))
#define CYACTS__SM_TERM_PLAIN_F32(x, a, m) cyacts__sm_term_other_f32((double)(a))

/* the final maps: softmax from the sum as a pair (sh, sl) and inv = 1/sh */
CYACTS__INLINE float cyacts__sm_softmax_elem_f32(float x, float m, float sh, float sl, float inv)
{
    cyacts__ff_f32 e = cyacts__sm_exp_diff_f32(x, m);
    return cyacts__div_inv_ff_f32(e.hi, e.lo, sh, sl, inv);
}

CYACTS__INLINE float cyacts__sm_log_softmax_elem_f32(float x, float m, double log_sum)
{
    return (float)(((double)x - (double)m) - log_sum);
}

/* y (g - dot) */
CYACTS__INLINE float cyacts__sm_softmax_grad_elem_f32(float y, float g, double dot)
{
    return (float)((double)y * ((double)g - dot));
}

/* g - exp(y) sum */
CYACTS__INLINE float cyacts__sm_log_softmax_grad_elem_f32(float y, float g, double sum)
{
    return (float)((double)g - cyacts__sm_exp_any_f64((double)y) * sum);
}

/* ======================================================================================== */
/* float64 element functions                                                                */
/* ======================================================================================== */

/* exp(x - m) as a double-double (relative error 2^-54.9): x - m as an exact pair (TwoSum)
 * into the exp core, which flushes past 708 (and x = -inf, whose low part is NaN). */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_exp_diff_f64(double x, double m)
{
    cyacts__dd_f64 d = cyacts__two_sum_f64(x, -m);
    return cyacts__exp_dd_f64(cyacts__exp_core_f64(-d.hi, 1.0, d.lo, 1, 0), 1);
}

/* exp(y) as a double-double for any y: inf past 708, NaN for NaN, 0 below -708. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_exp_any_dd_f64(double y)
{
    cyacts__dd_f64 e = cyacts__exp_dd_f64(cyacts__exp_core_f64(-y, 1.0, 0.0, 1, 0), 1);
    int big = y > 708.0, nan = y != y;
    e.hi = cyacts__sel_f64(big, (double)INFINITY, cyacts__sel_f64(nan, y, e.hi));
    e.lo = cyacts__sel_f64(big | nan, 0.0, e.lo);
    return e;
}

/* the terms of the sums, as (hi, lo) */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_term_dot_f64(double y, double g)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(y, g);
    p.lo = cyacts__sel_f64(fabs(p.hi) <= DBL_MAX, p.lo, 0.0);
    return p;
}

CYACTS__INLINE cyacts__dd_f64 cyacts__sm_term_plain_f64(double g)
{
    cyacts__dd_f64 p;
    p.hi = g;
    p.lo = 0.0;
    return p;
}

#define CYACTS__SM_TERM_EXP_F64(x, a, m) cyacts__sm_exp_diff_f64(x, m)
#define CYACTS__SM_TERM_EXPW_F64(x, a, m) cyacts__sm_exp_diff_f64(x, m)
#define CYACTS__SM_TERM_DOT_F64(x, a, m) cyacts__sm_term_dot_f64(x, a)
#define CYACTS__SM_TERM_PLAIN_F64(x, a, m) cyacts__sm_term_plain_f64(a)

/* the final maps: softmax from the sum (sh, sl) and inv = 1/sh: the quotient of pairs */
CYACTS__INLINE double cyacts__sm_softmax_elem_f64(double x, double m, double sh, double sl,
                                                 double inv)
{
    cyacts__dd_f64 e = cyacts__sm_exp_diff_f64(x, m);
    double t0 = e.hi * inv;
    return CYACTS_FMA_F64(cyacts__div_residual_f64(e.hi, e.lo, sh, sl, t0), inv, t0);
}

/* (x - m) - (lh + ll), both pairs exact or nearly: one rounding at the end */
CYACTS__INLINE double cyacts__sm_log_softmax_elem_f64(double x, double m, double lh, double ll)
{
    cyacts__dd_f64 d = cyacts__two_sum_f64(x, -m);
    cyacts__dd_f64 s = cyacts__two_sum_f64(d.hi, -lh);
    double y = s.hi + ((s.lo + d.lo) - ll);
    return cyacts__sel_f64(d.hi < -DBL_MAX, d.hi, y); /* x = -inf, or x - m past the range */
}

/* y (g - (dh + dl)) */
CYACTS__INLINE double cyacts__sm_softmax_grad_elem_f64(double y, double g, double dh, double dl)
{
    cyacts__dd_f64 s = cyacts__two_sum_f64(g, -dh);
    double r = CYACTS_FMA_F64(y, s.hi, y * (s.lo - dl));
    return cyacts__sel_f64(fabs(s.hi) <= DBL_MAX, r, y * (g - dh));
}

/* g - exp(y) (sh + sl) */
CYACTS__INLINE double cyacts__sm_log_softmax_grad_elem_f64(double y, double g, double sh,
                                                          double sl)
{
    cyacts__dd_f64 e = cyacts__sm_exp_any_dd_f64(y);
    cyacts__dd_f64 p = cyacts__two_prod_f64(e.hi, sh);
    cyacts__dd_f64 r;
    p.lo += CYACTS_FMA_F64(e.hi, sl, e.lo * sh);
    r = cyacts__two_sum_f64(g, -p.hi);
    return cyacts__sel_f64(fabs(p.hi) <= DBL_MAX && fabs(r.hi) <= DBL_MAX,
                           r.hi + (r.lo - p.lo), g - p.hi);
}

/* ======================================================================================== */
/* Row pieces: maximum, block sums, constants                                               */
/* ======================================================================================== */

/* The maximum of n elements (NaN-sticky; -inf for none), before the zero is made +0. */
/* 64 lanes: the maximum does not depend on the order, and four independent chains per
   AVX-512 register keep the compare-and-select latency off the critical path. */
#define CYACTS__SM_MAX_LANES 64
#define CYACTS__SM_DEFINE_MAX(T, sfx, NEG_INF)                                                \
    CYACTS__INLINE T cyacts__sm_row_max_##sfx(const T *x, size_t n)                           \
    {                                                                                         \
        T lane[CYACTS__SM_MAX_LANES];                                                         \
        size_t i = 0, l, w;                                                                   \
        for (l = 0; l < CYACTS__SM_MAX_LANES; ++l) lane[l] = NEG_INF;                         \
        for (; i + CYACTS__SM_MAX_LANES <= n; i += CYACTS__SM_MAX_LANES) {                    \
            CYACTS_SIMD for (l = 0; l < CYACTS__SM_MAX_LANES; ++l)                            \
                lane[l] = cyacts__sm_max_##sfx(lane[l], x[i + l]);                            \
        }                                                                                     \
        for (l = 0; i + l < n; ++l) lane[l] = cyacts__sm_max_##sfx(lane[l], x[i + l]);        \
        for (w = CYACTS__SM_MAX_LANES / 2; w >= 1; w /= 2)                                    \
            CYACTS_SIMD for (l = 0; l < w; ++l) lane[l] = cyacts__sm_max_##sfx(lane[l], lane[l + w]); \
        return lane[0];                                                                       \
    }
CYACTS__SM_DEFINE_MAX(float, f32, -(float)INFINITY)
CYACTS__SM_DEFINE_MAX(double, f64, -(double)INFINITY)

/* One block's sum (n <= CYACTS_SM_BLOCK) of TERM(x[i], a[i], m), in the order of B:
 * float32 terms in double lanes, float64 terms in double-double lanes. */
#define CYACTS__SM_DEFINE_BLOCK_F32(kind, TERM)                                               \
    CYACTS__INLINE cyacts__dd_f64 cyacts__sm_block_##kind##_f32(const float *x, const float *a, \
                                                                size_t n, float m)            \
    {                                                                                         \
        double acc[CYACTS_SM_LANES], cnt[CYACTS_SM_LANES];                                    \
        size_t i = 0, l;                                                                      \
        (void)x; (void)a; (void)m;                                                            \
        for (l = 0; l < CYACTS_SM_LANES; ++l) acc[l] = cnt[l] = 0.0;                          \
        for (; i + CYACTS_SM_LANES <= n; i += CYACTS_SM_LANES) {                              \
            CYACTS_SIMD for (l = 0; l < CYACTS_SM_LANES; ++l) {                               \
                cyacts__dd_f64 t = TERM(x[i + l], a[i + l], m);                               \
                acc[l] += t.hi;                                                               \
                cnt[l] += t.lo;                                                               \
            }                                                                                 \
        }                                                                                     \
        for (l = 0; i + l < n; ++l) {                                                         \
            cyacts__dd_f64 t = TERM(x[i + l], a[i + l], m);                                   \
            acc[l] += t.hi;                                                                   \
            cnt[l] += t.lo;                                                                   \
        }                                                                                     \
        return cyacts__sm_tree_count_f32(acc, cnt);                                           \
    }
#define CYACTS__SM_DEFINE_BLOCK_F64(kind, TERM)                                               \
    CYACTS__INLINE cyacts__dd_f64 cyacts__sm_block_##kind##_f64(const double *x,              \
                                                                const double *a, size_t n,    \
                                                                double m)                     \
    {                                                                                         \
        double hs[CYACTS_SM_LANES], ls[CYACTS_SM_LANES];                                      \
        size_t i = 0, l;                                                                      \
        (void)x; (void)a; (void)m;                                                            \
        for (l = 0; l < CYACTS_SM_LANES; ++l) hs[l] = ls[l] = 0.0;                            \
        for (; i + CYACTS_SM_LANES <= n; i += CYACTS_SM_LANES) {                              \
            CYACTS_SIMD for (l = 0; l < CYACTS_SM_LANES; ++l) {                               \
                cyacts__dd_f64 t = TERM(x[i + l], a[i + l], m);                               \
                CYACTS__SM_DD_ADD(hs[l], ls[l], t.hi, t.lo);                                  \
            }                                                                                 \
        }                                                                                     \
        for (l = 0; i + l < n; ++l) {                                                         \
            cyacts__dd_f64 t = TERM(x[i + l], a[i + l], m);                                   \
            CYACTS__SM_DD_ADD(hs[l], ls[l], t.hi, t.lo);                                      \
        }                                                                                     \
        return cyacts__sm_tree_dd(hs, ls);                                                    \
    }
/* The softmax sum of one block that also keeps each exp(x - m) pair (hi in eh, lo in el),
 * for a final map that then needs no second exp: the same lanes, terms and order as
 * cyacts__sm_block_exp_*, so the same sum. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_block_exp_keep_f32(const float *x, size_t n, float m,
                                                            float *eh, float *el)
{
    double acc[CYACTS_SM_LANES], cnt[CYACTS_SM_LANES];
    size_t i = 0, l;
    for (l = 0; l < CYACTS_SM_LANES; ++l) acc[l] = cnt[l] = 0.0;
    for (; i + CYACTS_SM_LANES <= n; i += CYACTS_SM_LANES) {
        CYACTS_SIMD for (l = 0; l < CYACTS_SM_LANES; ++l) {
            float xi = x[i + l];
            cyacts__ff_f32 e = cyacts__sm_exp_diff_f32(xi, m);
            cyacts__dd_f64 t = cyacts__sm_split_top_f32(cyacts__sm_exp_pair_sum_f32(e), xi, m);
            eh[i + l] = e.hi;
            el[i + l] = e.lo;
            acc[l] += t.hi;
            cnt[l] += t.lo;
        }
    }
    for (l = 0; i + l < n; ++l) {
        float xi = x[i + l];
        cyacts__ff_f32 e = cyacts__sm_exp_diff_f32(xi, m);
        cyacts__dd_f64 t = cyacts__sm_split_top_f32(cyacts__sm_exp_pair_sum_f32(e), xi, m);
        eh[i + l] = e.hi;
        el[i + l] = e.lo;
        acc[l] += t.hi;
        cnt[l] += t.lo;
    }
    return cyacts__sm_tree_count_f32(acc, cnt);
}

CYACTS__INLINE cyacts__dd_f64 cyacts__sm_block_exp_keep_f64(const double *x, size_t n, double m,
                                                            double *eh, double *el)
{
    double hs[CYACTS_SM_LANES], ls[CYACTS_SM_LANES];
    size_t i = 0, l;
    for (l = 0; l < CYACTS_SM_LANES; ++l) hs[l] = ls[l] = 0.0;
    for (; i + CYACTS_SM_LANES <= n; i += CYACTS_SM_LANES) {
        CYACTS_SIMD for (l = 0; l < CYACTS_SM_LANES; ++l) {
            cyacts__dd_f64 e = cyacts__sm_exp_diff_f64(x[i + l], m);
            eh[i + l] = e.hi;
            el[i + l] = e.lo;
            CYACTS__SM_DD_ADD(hs[l], ls[l], e.hi, e.lo);
        }
    }
    for (l = 0; i + l < n; ++l) {
        cyacts__dd_f64 e = cyacts__sm_exp_diff_f64(x[i + l], m);
        eh[i + l] = e.hi;
        el[i + l] = e.lo;
        CYACTS__SM_DD_ADD(hs[l], ls[l], e.hi, e.lo);
    }
    return cyacts__sm_tree_dd(hs, ls);
}

CYACTS__SM_DEFINE_BLOCK_F32(exp, CYACTS__SM_TERM_EXP_F32)
CYACTS__SM_DEFINE_BLOCK_F32(expw, CYACTS__SM_TERM_EXPW_F32)
CYACTS__SM_DEFINE_BLOCK_F32(dot, CYACTS__SM_TERM_DOT_F32)
CYACTS__SM_DEFINE_BLOCK_F32(plain, CYACTS__SM_TERM_PLAIN_F32)
CYACTS__SM_DEFINE_BLOCK_F64(exp, CYACTS__SM_TERM_EXP_F64)
CYACTS__SM_DEFINE_BLOCK_F64(expw, CYACTS__SM_TERM_EXPW_F64)
CYACTS__SM_DEFINE_BLOCK_F64(dot, CYACTS__SM_TERM_DOT_F64)
CYACTS__SM_DEFINE_BLOCK_F64(plain, CYACTS__SM_TERM_PLAIN_F64)

/* The per-row constants from the maximum (made +0 if a zero) and the row's sum, float32 (the
 * sum a double) and float64 (a double-double); a non-finite maximum gives NaN constants for
 * softmax and log_softmax, and logsumexp the maximum itself. */
CYACTS__INLINE int cyacts__sm_finite(double v) { return fabs(v) <= DBL_MAX; }

CYACTS__INLINE void cyacts__sm_nan_consts(cyacts_sm_consts *k)
{
    k->m = k->p = k->q = k->r = (double)NAN;
}

/* A float32 sum (the other terms' sum, the count of maxima) as a double-double. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_total_f32(cyacts__dd_f64 s)
{
    return cyacts__two_sum_f64(s.lo, s.hi);
}

CYACTS__INLINE void cyacts__sm_consts_softmax_f32(float m, cyacts__dd_f64 s, cyacts_sm_consts *k)
{
    cyacts__dd_f64 t = cyacts__sm_total_f32(s);
    float sh = (float)t.hi;
    if (!cyacts__sm_finite(m)) {
        cyacts__sm_nan_consts(k);
        return;
    }
    k->m = m;
    k->p = sh;
    k->q = (float)((t.hi - (double)sh) + t.lo);
    k->r = 1.0f / sh;
}

CYACTS__INLINE void cyacts__sm_consts_log_softmax_f32(float m, cyacts__dd_f64 s,
                                                      cyacts_sm_consts *k)
{
    cyacts__dd_f64 t = cyacts__sm_total_f32(s);
    if (!cyacts__sm_finite(m)) {
        cyacts__sm_nan_consts(k);
        return;
    }
    k->m = m;
    k->p = cyacts__sm_log_dd(t.hi, t.lo).hi;
    k->q = k->r = 0.0;
}

CYACTS__INLINE void cyacts__sm_consts_logsumexp_f32(float m, cyacts__dd_f64 s,
                                                    cyacts_sm_consts *k)
{
    k->m = m;
    k->q = k->r = 0.0;
    if (!cyacts__sm_finite(m)) {
        k->p = m; /* NaN, or +-inf: all -inf (or empty) gives -inf */
    } else {
        cyacts__dd_f64 t = cyacts__sm_total_f32(s);
        cyacts__dd_f64 l = cyacts__sm_log_dd(t.hi, t.lo);
        cyacts__dd_f64 r = cyacts__two_sum_f64((double)m, l.hi);
        k->p = (float)(r.hi + (r.lo + l.lo));
    }
}

CYACTS__INLINE void cyacts__sm_consts_grad_f32(float m, cyacts__dd_f64 s, cyacts_sm_consts *k)
{
    (void)m;
    k->m = k->q = k->r = 0.0;
    k->p = s.hi; /* nothing counted */
}
#define cyacts__sm_consts_softmax_grad_f32 cyacts__sm_consts_grad_f32
#define cyacts__sm_consts_log_softmax_grad_f32 cyacts__sm_consts_grad_f32

CYACTS__INLINE void cyacts__sm_consts_softmax_f64(double m, cyacts__dd_f64 s,
                                                  cyacts_sm_consts *k)
{
    if (!cyacts__sm_finite(m)) {
        cyacts__sm_nan_consts(k);
        return;
    }
    s = cyacts__sm_dd_norm(s.hi, s.lo);
    k->m = m;
    k->p = s.hi;
    k->q = s.lo;
    k->r = 1.0 / s.hi;
}

CYACTS__INLINE void cyacts__sm_consts_log_softmax_f64(double m, cyacts__dd_f64 s,
                                                      cyacts_sm_consts *k)
{
    cyacts__dd_f64 l;
    if (!cyacts__sm_finite(m)) {
        cyacts__sm_nan_consts(k);
        return;
    }
    s = cyacts__sm_dd_norm(s.hi, s.lo);
    l = cyacts__sm_log_dd(s.hi, s.lo);
    k->m = m;
    k->p = l.hi;
    k->q = l.lo;
    k->r = 0.0;
}

CYACTS__INLINE void cyacts__sm_consts_logsumexp_f64(double m, cyacts__dd_f64 s,
                                                    cyacts_sm_consts *k)
{
    k->m = m;
    k->q = k->r = 0.0;
    if (!cyacts__sm_finite(m)) {
        k->p = m;
    } else {
        cyacts__dd_f64 l, r;
        s = cyacts__sm_dd_norm(s.hi, s.lo);
        l = cyacts__sm_log_dd(s.hi, s.lo);
        r = cyacts__two_sum_f64(m, l.hi);
        k->p = r.hi + (r.lo + l.lo);
    }
}

CYACTS__INLINE void cyacts__sm_consts_grad_f64(double m, cyacts__dd_f64 s, cyacts_sm_consts *k)
{
    (void)m;
    s = cyacts__sm_dd_norm(s.hi, s.lo);
    k->m = k->r = 0.0;
    k->p = s.hi;
    k->q = s.lo;
}
#define cyacts__sm_consts_softmax_grad_f64 cyacts__sm_consts_grad_f64
#define cyacts__sm_consts_log_softmax_grad_f64 cyacts__sm_consts_grad_f64

/* The final map of each op: element i of the result from x[i] (the input, or y for the
 * derivatives), a[i] (grad_output) and the constants (a struct, or per-column arrays on the
 * strided path: the same functions either way). */
#define CYACTS__SM_ELEM_SOFTMAX_F32(x, a, m, p, q, r) \
    cyacts__sm_softmax_elem_f32(x, (float)(m), (float)(p), (float)(q), (float)(r))
#define CYACTS__SM_ELEM_LOG_SOFTMAX_F32(x, a, m, p, q, r) cyacts__sm_log_softmax_elem_f32(x, (float)(m), p)
#define CYACTS__SM_ELEM_SOFTMAX_GRAD_F32(x, a, m, p, q, r) cyacts__sm_softmax_grad_elem_f32(x, a, p)
#define CYACTS__SM_ELEM_LOG_SOFTMAX_GRAD_F32(x, a, m, p, q, r) \
    cyacts__sm_log_softmax_grad_elem_f32(x, a, p)
#define CYACTS__SM_ELEM_SOFTMAX_F64(x, a, m, p, q, r) cyacts__sm_softmax_elem_f64(x, m, p, q, r)
#define CYACTS__SM_ELEM_LOG_SOFTMAX_F64(x, a, m, p, q, r) cyacts__sm_log_softmax_elem_f64(x, m, p, q)
#define CYACTS__SM_ELEM_SOFTMAX_GRAD_F64(x, a, m, p, q, r) cyacts__sm_softmax_grad_elem_f64(x, a, p, q)
#define CYACTS__SM_ELEM_LOG_SOFTMAX_GRAD_F64(x, a, m, p, q, r) \
    cyacts__sm_log_softmax_grad_elem_f64(x, a, p, q)

/* ======================================================================================== */
/* The ops: whole rows, a row's pieces (for a row split across threads), column tiles      */
/* ======================================================================================== */
/* Each op is one row of this list: X(name, has a maximum, sum kind, writes one value per row,
 * final map). */
#define CYACTS__SM_OPS(X, sfx, SFX)                                                          \
    X(softmax, 1, exp, 0, CYACTS__SM_ELEM_SOFTMAX_##SFX, sfx)                                \
    X(log_softmax, 1, exp, 0, CYACTS__SM_ELEM_LOG_SOFTMAX_##SFX, sfx)                        \
    X(logsumexp, 1, expw, 1, CYACTS__SM_ELEM_SOFTMAX_##SFX, sfx)                             \
    X(softmax_grad, 0, dot, 0, CYACTS__SM_ELEM_SOFTMAX_GRAD_##SFX, sfx)                      \
    X(log_softmax_grad, 0, plain, 0, CYACTS__SM_ELEM_LOG_SOFTMAX_GRAD_##SFX, sfx)

/* Sum types: a double (float32) or a double-double (float64), with their fold. */
typedef cyacts__dd_f64 cyacts__sm_sum_f32; /* (the other terms' sum, the count of maxima) */
typedef cyacts__dd_f64 cyacts__sm_sum_f64;
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_zero_f64(void)
{
    cyacts__dd_f64 z;
    z.hi = z.lo = 0.0;
    return z;
}
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_zero_f32(void) { return cyacts__sm_zero_f64(); }
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_fold_f32(cyacts__dd_f64 t, cyacts__dd_f64 part)
{
    t.hi += part.hi;
    t.lo += part.lo;
    return t;
}
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_fold_f64(cyacts__dd_f64 t, cyacts__dd_f64 part)
{
    CYACTS__SM_DD_ADD(t.hi, t.lo, part.hi, part.lo);
    return t;
}
/* a block's sum stored as doubles: one (float32) or two (float64) */
#define CYACTS__SM_PARTS_f32 2
#define CYACTS__SM_PARTS_f64 2
CYACTS__INLINE void cyacts__sm_store_f32(double *p, cyacts__dd_f64 s) { p[0] = s.hi; p[1] = s.lo; }
CYACTS__INLINE void cyacts__sm_store_f64(double *p, cyacts__dd_f64 s) { p[0] = s.hi; p[1] = s.lo; }
#define cyacts__sm_load_f32 cyacts__sm_load_f64
CYACTS__INLINE cyacts__dd_f64 cyacts__sm_load_f64(const double *p)
{
    cyacts__dd_f64 s;
    s.hi = p[0];
    s.lo = p[1];
    return s;
}

/* softmax of a row of at most one block whose maximum is finite, with the exps kept from the
 * sum (y holds their high parts meanwhile, a stack buffer the low parts): the same results
 * as the final map's, one exp per element instead of two. */
CYACTS__INLINE void cyacts__sm_keep_row_f32(const float *x, float *y, size_t n, float m)
{
    float el[CYACTS_SM_BLOCK];
    cyacts_sm_consts k;
    float sh, sl, inv;
    size_t i;
    cyacts__sm_consts_softmax_f32(
        m, cyacts__sm_fold_f32(cyacts__sm_zero_f32(), cyacts__sm_block_exp_keep_f32(x, n, m, y, el)),
        &k);
    sh = (float)k.p;
    sl = (float)k.q;
    inv = (float)k.r;
    CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = cyacts__div_inv_ff_f32(y[i], el[i], sh, sl, inv);
}

CYACTS__INLINE void cyacts__sm_keep_row_f64(const double *x, double *y, size_t n, double m)
{
    double el[CYACTS_SM_BLOCK];
    cyacts_sm_consts k;
    double sh, sl, inv;
    size_t i;
    cyacts__sm_consts_softmax_f64(
        m, cyacts__sm_fold_f64(cyacts__sm_zero_f64(), cyacts__sm_block_exp_keep_f64(x, n, m, y, el)),
        &k);
    sh = k.p;
    sl = k.q;
    inv = k.r;
    CYACTS_SIMD for (i = 0; i < n; ++i) {
        double t0 = y[i] * inv;
        y[i] = CYACTS_FMA_F64(cyacts__div_residual_f64(y[i], el[i], sh, sl, t0), inv, t0);
    }
}
#define CYACTS__SM_KEEPS_softmax 1
#define CYACTS__SM_KEEPS_log_softmax 0
#define CYACTS__SM_KEEPS_logsumexp 0
#define CYACTS__SM_KEEPS_softmax_grad 0
#define CYACTS__SM_KEEPS_log_softmax_grad 0

/* The maximum as the row uses it: a zero made +0. */
#define CYACTS__SM_MAX_OF(T, sfx, has_max, x, n) \
    ((has_max) ? cyacts__sm_row_max_##sfx(x, n) + (T)0 : (T)0)

#define CYACTS__SM_DEFINE_OP(name, has_max, kind, reduces, ELEM, sfx)                        \
    /* the row's sum, block by block */                                                      \
    CYACTS__INLINE cyacts__sm_sum_##sfx cyacts__sm_sum_##name##_##sfx(                        \
        const CYACTS__SM_T_##sfx *x, const CYACTS__SM_T_##sfx *a, size_t n,                    \
        CYACTS__SM_T_##sfx m)                                                                 \
    {                                                                                         \
        cyacts__sm_sum_##sfx total = cyacts__sm_zero_##sfx();                                 \
        size_t i;                                                                             \
        for (i = 0; i < n; i += CYACTS_SM_BLOCK) {                                            \
            size_t k = n - i < CYACTS_SM_BLOCK ? n - i : CYACTS_SM_BLOCK;                     \
            total = cyacts__sm_fold_##sfx(                                                    \
                total, cyacts__sm_block_##kind##_##sfx(x + i, a ? a + i : a, k, m));          \
        }                                                                                     \
        return total;                                                                         \
    }                                                                                         \
    /* the final map over n elements with the row's constants */                             \
    CYACTS__INLINE void cyacts__sm_map_##name##_##sfx(                                        \
        const CYACTS__SM_T_##sfx *x, const CYACTS__SM_T_##sfx *a, CYACTS__SM_T_##sfx *y,      \
        size_t n, const cyacts_sm_consts *k)                                                  \
    {                                                                                         \
        const double m = k->m, p = k->p, q = k->q, r = k->r;                                  \
        size_t i;                                                                             \
        (void)a; (void)m; (void)p; (void)q; (void)r;                                          \
        if (reduces) return;                                                                  \
        CYACTS_SIMD for (i = 0; i < n; ++i) y[i] = ELEM(x[i], a[i], m, p, q, r);             \
    }                                                                                         \
    /* rows x + r xs (a + r as), results at y + r ys (one value each for logsumexp) */       \
    CYACTS__INLINE void cyacts__sm_rows_##name##_##sfx(                                       \
        const CYACTS__SM_T_##sfx *x, const CYACTS__SM_T_##sfx *a, CYACTS__SM_T_##sfx *y,      \
        size_t rows, size_t n, ptrdiff_t xs, ptrdiff_t as, ptrdiff_t ys)                      \
    {                                                                                         \
        size_t row;                                                                           \
        for (row = 0; row < rows; ++row) {                                                    \
            const CYACTS__SM_T_##sfx *xr = x + (ptrdiff_t)row * xs;                           \
            const CYACTS__SM_T_##sfx *ar = a ? a + (ptrdiff_t)row * as : a;                   \
            CYACTS__SM_T_##sfx m = CYACTS__SM_MAX_OF(CYACTS__SM_T_##sfx, sfx, has_max, xr, n); \
            cyacts_sm_consts k;                                                               \
            cyacts__sm_sum_##sfx s = cyacts__sm_zero_##sfx();                                 \
            if (CYACTS__SM_KEEPS_##name && n <= CYACTS_SM_BLOCK && cyacts__sm_finite(m)) {    \
                cyacts__sm_keep_row_##sfx(xr, y + (ptrdiff_t)row * ys, n, m);                 \
                continue;                                                                     \
            }                                                                                 \
            if (!has_max || cyacts__sm_finite(m)) s = cyacts__sm_sum_##name##_##sfx(xr, ar, n, m); \
            cyacts__sm_consts_##name##_##sfx(m, s, &k);                                       \
            if (reduces)                                                                      \
                y[(ptrdiff_t)row * ys] = (CYACTS__SM_T_##sfx)k.p;                             \
            else                                                                              \
                cyacts__sm_map_##name##_##sfx(xr, ar, y + (ptrdiff_t)row * ys, n, &k);        \
        }                                                                                     \
    }                                                                                         \
    /* a row's pieces, for a row split at block boundaries: the sum of each block of         \
       x[0 .. n) into parts (CYACTS__SM_PARTS doubles a block), then the constants from the \
       maximum and every block's parts, folded in order */                                   \
    CYACTS__INLINE void cyacts__sm_parts_##name##_##sfx(                                      \
        const CYACTS__SM_T_##sfx *x, const CYACTS__SM_T_##sfx *a, size_t n,                   \
        CYACTS__SM_T_##sfx m, double *parts)                                                  \
    {                                                                                         \
        size_t i;                                                                             \
        for (i = 0; i < n; i += CYACTS_SM_BLOCK) {                                            \
            size_t k = n - i < CYACTS_SM_BLOCK ? n - i : CYACTS_SM_BLOCK;                     \
            cyacts__sm_store_##sfx(parts, cyacts__sm_block_##kind##_##sfx(x + i,              \
                                                                      a ? a + i : a, k, m));  \
            parts += CYACTS__SM_PARTS_##sfx;                                                  \
        }                                                                                     \
    }                                                                                         \
    CYACTS__INLINE void cyacts__sm_consts_from_##name##_##sfx(                                \
        CYACTS__SM_T_##sfx m, const double *parts, size_t blocks, cyacts_sm_consts *k)        \
    {                                                                                         \
        cyacts__sm_sum_##sfx s = cyacts__sm_zero_##sfx();                                     \
        size_t b;                                                                             \
        for (b = 0; b < blocks; ++b)                                                          \
            s = cyacts__sm_fold_##sfx(s, cyacts__sm_load_##sfx(parts + b * CYACTS__SM_PARTS_##sfx)); \
        cyacts__sm_consts_##name##_##sfx(has_max ? m + (CYACTS__SM_T_##sfx)0 : m, s, k);     \
    }                                                                                         \
    /* w <= CYACTS_SM_TILE columns reduced along a strided axis: element (i, c) at            \
       x[i xs + c] (a[i as + c], y[i ys + c]; logsumexp writes y[c ys]); 16 lanes per column \
       in memory, the same order as a row's */                                               \
    CYACTS__INLINE void cyacts__sm_cols_##name##_##sfx(                                       \
        const CYACTS__SM_T_##sfx *x, const CYACTS__SM_T_##sfx *a, CYACTS__SM_T_##sfx *y,      \
        size_t n, size_t w, ptrdiff_t xs, ptrdiff_t as, ptrdiff_t ys)                         \
    {                                                                                         \
        CYACTS__SM_T_##sfx mc[CYACTS_SM_TILE];                                                \
        double km[CYACTS_SM_TILE], kp[CYACTS_SM_TILE], kq[CYACTS_SM_TILE], kr[CYACTS_SM_TILE]; \
        cyacts__sm_sum_##sfx tot[CYACTS_SM_TILE];                                             \
        CYACTS__SM_LANES_DECL_##sfx;                                                          \
        size_t i, c, b, l;                                                                    \
        (void)as;                                                                             \
        for (c = 0; c < w; ++c) {                                                             \
            mc[c] = has_max ? -(CYACTS__SM_T_##sfx)INFINITY : (CYACTS__SM_T_##sfx)0;          \
            tot[c] = cyacts__sm_zero_##sfx();                                                 \
        }                                                                                     \
        if (has_max) {                                                                        \
            for (i = 0; i < n; ++i) {                                                         \
                const CYACTS__SM_T_##sfx *xi = x + (ptrdiff_t)i * xs;                         \
                CYACTS_SIMD for (c = 0; c < w; ++c) mc[c] = cyacts__sm_max_##sfx(mc[c], xi[c]); \
            }                                                                                 \
            for (c = 0; c < w; ++c) mc[c] += (CYACTS__SM_T_##sfx)0;                           \
        }                                                                                     \
        for (b = 0; b < n; b += CYACTS_SM_BLOCK) {                                            \
            size_t kb = n - b < CYACTS_SM_BLOCK ? n - b : CYACTS_SM_BLOCK;                    \
            CYACTS__SM_LANES_ZERO_##sfx(w);                                                   \
            for (i = 0; i < kb; ++i) {                                                        \
                const CYACTS__SM_T_##sfx *xi = x + (ptrdiff_t)(b + i) * xs;                   \
                const CYACTS__SM_T_##sfx *ai = a ? a + (ptrdiff_t)(b + i) * as : a;           \
                l = i % CYACTS_SM_LANES;                                                      \
                (void)xi; (void)ai;                                                           \
                CYACTS_SIMD for (c = 0; c < w; ++c) {                                         \
                    CYACTS__SM_LANE_ADD_##sfx(l, c, CYACTS__SM_TERM_##kind##_##sfx(xi[c], ai[c], mc[c])); \
                }                                                                             \
            }                                                                                 \
            for (c = 0; c < w; ++c) tot[c] = cyacts__sm_fold_##sfx(tot[c], CYACTS__SM_LANES_TREE_##sfx(c)); \
        }                                                                                     \
        for (c = 0; c < w; ++c) {                                                             \
            cyacts_sm_consts k;                                                               \
            cyacts__sm_consts_##name##_##sfx(mc[c], tot[c], &k);                              \
            km[c] = k.m; kp[c] = k.p; kq[c] = k.q; kr[c] = k.r;                               \
            if (reduces) y[(ptrdiff_t)c * ys] = (CYACTS__SM_T_##sfx)k.p;                      \
        }                                                                                     \
        (void)km; (void)kp; (void)kq; (void)kr;                                               \
        if (reduces) return;                                                                  \
        for (i = 0; i < n; ++i) {                                                             \
            const CYACTS__SM_T_##sfx *xi = x + (ptrdiff_t)i * xs;                             \
            const CYACTS__SM_T_##sfx *ai = a ? a + (ptrdiff_t)i * as : a;                     \
            CYACTS__SM_T_##sfx *yi = y + (ptrdiff_t)i * ys;                                   \
            (void)ai;                                                                         \
            CYACTS_SIMD for (c = 0; c < w; ++c)                                               \
                yi[c] = ELEM(xi[c], ai[c], km[c], kp[c], kq[c], kr[c]);                       \
        }                                                                                     \
    }

#define CYACTS__SM_T_f32 float
#define CYACTS__SM_T_f64 double
#define CYACTS__SM_TERM_exp_f32 CYACTS__SM_TERM_EXP_F32
#define CYACTS__SM_TERM_expw_f32 CYACTS__SM_TERM_EXPW_F32
#define CYACTS__SM_TERM_dot_f32 CYACTS__SM_TERM_DOT_F32
#define CYACTS__SM_TERM_plain_f32 CYACTS__SM_TERM_PLAIN_F32
#define CYACTS__SM_TERM_exp_f64 CYACTS__SM_TERM_EXP_F64
#define CYACTS__SM_TERM_expw_f64 CYACTS__SM_TERM_EXPW_F64
#define CYACTS__SM_TERM_dot_f64 CYACTS__SM_TERM_DOT_F64
#define CYACTS__SM_TERM_plain_f64 CYACTS__SM_TERM_PLAIN_F64
/* the strided path's lanes: 16 per column, float32 sums in doubles, float64 in pairs */
#define CYACTS__SM_LANES_DECL_f32                                                             \
    double lanes[CYACTS_SM_LANES][CYACTS_SM_TILE], counts[CYACTS_SM_LANES][CYACTS_SM_TILE]
#define CYACTS__SM_LANES_ZERO_f32(w)                                                          \
    for (l = 0; l < CYACTS_SM_LANES; ++l)                                                     \
        for (c = 0; c < (w); ++c) lanes[l][c] = counts[l][c] = 0.0
#define CYACTS__SM_LANE_ADD_f32(l, c, t)                                                      \
    do {                                                                                      \
        cyacts__dd_f64 t_ = (t);                                                              \
        lanes[l][c] += t_.hi;                                                                 \
        counts[l][c] += t_.lo;                                                                \
    } while (0)
#define CYACTS__SM_LANES_TREE_f32(c) cyacts__sm_col_tree_count_f32(lanes, counts, c)
#define CYACTS__SM_LANES_DECL_f64                                                             \
    double lanes_h[CYACTS_SM_LANES][CYACTS_SM_TILE], lanes_l[CYACTS_SM_LANES][CYACTS_SM_TILE]
#define CYACTS__SM_LANES_ZERO_f64(w)                                                          \
    for (l = 0; l < CYACTS_SM_LANES; ++l)                                                     \
        for (c = 0; c < (w); ++c) lanes_h[l][c] = lanes_l[l][c] = 0.0
#define CYACTS__SM_LANE_ADD_f64(l, c, t)                                                      \
    do {                                                                                      \
        cyacts__dd_f64 t_ = (t);                                                              \
        CYACTS__SM_DD_ADD(lanes_h[l][c], lanes_l[l][c], t_.hi, t_.lo);                        \
    } while (0)
#define CYACTS__SM_LANES_TREE_f64(c) cyacts__sm_col_tree_dd(lanes_h, lanes_l, c)

/* column c's 16 lanes in the fixed tree (the same as cyacts__sm_tree_d/_dd) */
CYACTS__INLINE double cyacts__sm_col_tree_d(double (*lanes)[CYACTS_SM_TILE], size_t c)
{
    double a[CYACTS_SM_LANES];
    int l;
    for (l = 0; l < CYACTS_SM_LANES; ++l) a[l] = lanes[l][c];
    return cyacts__sm_tree_d(a);
}

CYACTS__INLINE cyacts__dd_f64 cyacts__sm_col_tree_count_f32(double (*acc)[CYACTS_SM_TILE],
                                                            double (*cnt)[CYACTS_SM_TILE],
                                                            size_t c)
{
    cyacts__dd_f64 r;
    r.hi = cyacts__sm_col_tree_d(acc, c);
    r.lo = cyacts__sm_col_tree_d(cnt, c);
    return r;
}

CYACTS__INLINE cyacts__dd_f64 cyacts__sm_col_tree_dd(double (*h)[CYACTS_SM_TILE],
                                                     double (*lo)[CYACTS_SM_TILE], size_t c)
{
    double a[CYACTS_SM_LANES], b[CYACTS_SM_LANES];
    int l;
    for (l = 0; l < CYACTS_SM_LANES; ++l) {
        a[l] = h[l][c];
        b[l] = lo[l][c];
    }
    return cyacts__sm_tree_dd(a, b);
}

CYACTS__SM_OPS(CYACTS__SM_DEFINE_OP, f32, F32)
CYACTS__SM_OPS(CYACTS__SM_DEFINE_OP, f64, F64)

/* ======================================================================================== */
/* The public C API                                                                         */
/* ======================================================================================== */
#define CYACTS__SM_PUBLIC(name, has_max, kind, reduces, ELEM, sfx)                            \
    CYACTS_API void cyacts_##name##_##sfx(const CYACTS__SM_T_##sfx *x,                        \
                                          CYACTS__SM_T_##sfx *y, size_t rows, size_t cols,    \
                                          ptrdiff_t row_stride)                               \
    {                                                                                         \
        cyacts__sm_rows_##name##_##sfx(x, NULL, y, rows, cols, row_stride, 0,                 \
                                       (reduces) ? 1 : row_stride);                           \
    }
#define CYACTS__SM_PUBLIC_GRAD(name, sfx)                                                     \
    CYACTS_API void cyacts_##name##_##sfx(const CYACTS__SM_T_##sfx *y,                        \
                                          const CYACTS__SM_T_##sfx *grad_output,              \
                                          CYACTS__SM_T_##sfx *grad_input, size_t rows,        \
                                          size_t cols, ptrdiff_t row_stride)                  \
    {                                                                                         \
        cyacts__sm_rows_##name##_##sfx(y, grad_output, grad_input, rows, cols, row_stride,    \
                                       row_stride, row_stride);                               \
    }
#define CYACTS__SM_PUBLIC_OP(name, has_max, kind, reduces, ELEM, sfx) \
    CYACTS__SM_PUBLIC_##has_max(name, has_max, kind, reduces, ELEM, sfx)
#define CYACTS__SM_PUBLIC_1 CYACTS__SM_PUBLIC
#define CYACTS__SM_PUBLIC_0(name, has_max, kind, reduces, ELEM, sfx) \
    CYACTS__SM_PUBLIC_GRAD(name, sfx)
CYACTS__SM_OPS(CYACTS__SM_PUBLIC_OP, f32, F32)
CYACTS__SM_OPS(CYACTS__SM_PUBLIC_OP, f64, F64)

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_SOFTMAX_H */
