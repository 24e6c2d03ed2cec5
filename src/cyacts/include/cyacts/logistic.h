/*
 * cyacts/logistic.h - tanh and sigmoid, their derivatives and their from-output derivatives
 * (float64, then float32).
 * Included by cyacts.h (the header to include); compiles on its own.
 */
#ifndef CYACTS_LOGISTIC_H
#define CYACTS_LOGISTIC_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================== */
/* float64                                                                                */
/* ======================================================================================== */

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
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(ax, 2.0, 0.0, 0, 0);
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
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(x, 1.0, 0.0, 0, 0);
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
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(a, c, 0.0, 0, 64);
    double es = CYACTS_FMA_F64(p.s, p.q, p.s);
    double n = es * (m * 0x1p-64);
    /* 1 + e by Fast2Sum, the scaling inside the fmas; the low part doubled
     * ((1+e)^2 needs 2 dh dl; 2 - 2 dh is exact) */
    double dh = CYACTS_FMA_F64(es, 0x1p-64, 1.0);
    double dl2 = CYACTS_FMA_F64(es, 0x1p-63, CYACTS_FMA_F64(dh, -2.0, 2.0));
    cyacts__dd_f64 d2 = cyacts__two_prod_f64(dh, dh);
    d2.lo = CYACTS_FMA_F64(dh, dl2, d2.lo);
    return cyacts__div_d_dd_f64(n, d2.hi, d2.lo);
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

/* ======================================================================================== */
/* float32                                                                                */
/* ======================================================================================== */

/* ------------------------------------------------------------------------ */
/* tanh: |x| -> (1 - e)/(1 + e), e = exp(-2|x|), numerator and denominator as
 * pairs: 1 - eh is exact (Sterbenz) when e >= 1/2, and the pair then carries the
 * small-|x| value -(qh + ql) with full relative accuracy, down to subnormal x and
 * -0.  Clamp |x| at 9.5: tanh(x) rounds to 1 for |x| > 9.011. */
CYACTS__INLINE float cyacts_elem_tanh_f32(float x)
{
    float ax = fabsf(x);
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(-2.0f * cyacts__min_f32(ax, 9.5f), 0.0f);
    cyacts__ff_f32 e = cyacts__exp_ff_tail_f32(p);
    cyacts__ff_f32 d = cyacts__one_plus_ff_f32(e);
    float nh = 1.0f - e.hi;
    float nl = ((1.0f - nh) - e.hi) - e.lo;
    float n = nh + nl; /* renormalise (|nl| <= |nh| or nh = 0) so t0 is close */
    nl = (nh - n) + nl;
    return copysignf(cyacts__div_ff_f32(n, nl, d.hi, d.lo), x);
}

/* m e/(1+e)^2 (m = 1 or 4) from e = 2^k (1 + q) for the derivatives (bound 4 ulp):
 * e plain (1.45 * 2^-24), 1 + e and its square as pairs, one corrected quotient:
 * <= 2.5 ulp.  The quotient is formed from es = 2^(k+40) (1 + q) and scaled by
 * m 2^-40 last, so k may go down to -166: in the tail, where the slope is m e, it
 * then rounds once to the subnormal it should be (and to 0 past the underflow)
 * instead of being flushed, and grad_output * slope keeps IEEE behaviour
 * (inf * tiny = inf).  In the normal range the scalings are exact. */
CYACTS__INLINE float cyacts__logistic_grad_f32(cyacts__exp_parts_f32 p, float m)
{
    cyacts__ff_f32 e;
    float s, es;
    uint32_t b = p.k_bits + ((uint32_t)(127 + 40) << 23);
    memcpy(&s, &b, sizeof s); /* 2^(k+40) */
    es = CYACTS_FMA_F32(s, CYACTS_FMA_F32(p.t, p.c, p.r), s);
    e.hi = es * 0x1p-40f;
    e.lo = 0.0f;
    cyacts__ff_f32 d2 = cyacts__sqr_ff_f32(cyacts__one_plus_ff_f32(e));
    return cyacts__div_ff_f32(es, 0.0f, d2.hi, d2.lo) * (m * 0x1p-40f);
}

/* tanh'(x) = 4e/(1+e)^2, e = exp(-2|x|): never 1 - tanh^2 (which cancels).
 * Clamp |x| at 55: 4e^-110 is below the float range. */
CYACTS__INLINE float cyacts_elem_tanh_grad_f32(float x)
{
    float a = -2.0f * cyacts__min_f32(fabsf(x), 55.0f);
    return cyacts__logistic_grad_f32(cyacts__exp_core_f32(a, 0.0f), 4.0f);
}

/* ------------------------------------------------------------------------ */
/* sigmoid: e = exp(-|x|); x >= 0: 1/(1+e), x < 0: e/(1+e), e and 1 + e as pairs.
 * Clamp at 87 (2^k stays normal); below -87 the result (< 2^-125) is flushed to 0,
 * above it is 1 anyway. */
CYACTS__INLINE float cyacts_elem_sigmoid_f32(float x)
{
    float ax = fabsf(x);
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(-cyacts__min_f32(ax, 87.0f), 0.0f);
    cyacts__ff_f32 e = cyacts__exp_ff_fused_f32(p);
    cyacts__ff_f32 d = cyacts__one_plus_ff_f32(e);
    float s = cyacts__div_ff_f32(cyacts__sel_f32(x < 0.0f, e.hi, 1.0f),
                                 cyacts__sel_f32(x < 0.0f, e.lo, 0.0f), d.hi, d.lo);
    return cyacts__sel_f32(x < -87.0f, 0.0f, s);
}

/* sigmoid'(x) = e/(1+e)^2, e = exp(-|x|) (symmetric, no 1 - s cancellation).
 * Clamp |x| at 110: e^-110 is below the float range. */
CYACTS__INLINE float cyacts_elem_sigmoid_grad_f32(float x)
{
    float a = -cyacts__min_f32(fabsf(x), 110.0f);
    return cyacts__logistic_grad_f32(cyacts__exp_core_f32(a, 0.0f), 1.0f);
}

/* ======================================================================================== */
/* float32 and float64                                                                    */
/* ======================================================================================== */

/* From the output y = f(x): y(1 - y) and (1 - y)(1 + y) keep full precision near 0 and 1. */
static inline float cyacts_elem_sigmoid_grad_from_output_f32(float y)
{
    return y * (1.0f - y);
}

static inline float cyacts_elem_tanh_grad_from_output_f32(float y)
{
    return (1.0f - y) * (1.0f + y);
}

static inline double cyacts_elem_sigmoid_grad_from_output_f64(double y)
{
    return y * (1.0 - y);
}

static inline double cyacts_elem_tanh_grad_from_output_f64(double y)
{
    return (1.0 - y) * (1.0 + y);
}

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_LOGISTIC_H */
