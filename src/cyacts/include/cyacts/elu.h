/*
 * cyacts/elu.h - ELU, SELU and CELU, their derivatives and their from-output derivatives
 * (float64, then float32), over an expm1 built from common.h's exp cores.
 * Included by cyacts.h (the header to include); compiles on its own.
 *
 * All three are x for x > 0 and A expm1(t) below, t = x (ELU, SELU) or x/alpha (CELU): the
 * expm1 keeps its relative accuracy down to the smallest |x| (no exp(x) - 1, which loses it all
 * below |x| ~ 2^-24), and the factor A multiplies the expm1 carried as a pair (hi + lo), so the
 * product rounds once. SELU's alpha and scale are PyTorch's double constants, taken exactly:
 * their product, which no float or double holds, is split in hi + lo.
 */
#ifndef CYACTS_ELU_H
#define CYACTS_ELU_H

#include <float.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SELU: alpha = 0x1.ac5afad782cf1p+0 (1.6732632423543772), scale = 0x1.0cfabd6a91132p+0
 * (1.0507009873554805); SA = alpha scale exactly as hi + lo in each dtype, and scale as hi + lo
 * in float32 (scale x must round once). */
#define CYACTS__SELU_ALPHA_F64 0x1.ac5afad782cf1p+0
#define CYACTS__SELU_SCALE_F64 0x1.0cfabd6a91132p+0
#define CYACTS__SELU_SA_HI_F64 0x1.c212cc640f030p+0
#define CYACTS__SELU_SA_LO_F64 0x1.092dbf6372048p-54
#define CYACTS__SELU_SA_HI_F32 0x1.c212ccp+0f
#define CYACTS__SELU_SA_LO_F32 0x1.903c0cp-26f
#define CYACTS__SELU_SCALE_HI_F32 0x1.0cfabep+0f
#define CYACTS__SELU_SCALE_LO_F32 (-0x1.2adddap-25f)

/* ======================================================================================== */
/* float64                                                                                */
/* ======================================================================================== */

/* expm1(t + tl) as hi + lo from the exp parts of t + tl (s = 2^k, q + qt = expm1(r)):
 * (s - one) + s q + s qt, with one = 1 (or, scaled, 2^-1021 while s holds 2^(k - 1021)).
 * `neg` (a constant): t <= 0, k <= 0 only: s - 1 by Fast2Sum(-1, s), and mh = fl(s q + a)
 * with its exact error (s q is exact, a - mh exact by Sterbenz: mh/a in [0.58, 1.2] for
 * k <= -1, a = 0 for k = 0), as tanh does. Otherwise both sums by TwoSum (any sign).
 * Relative error: that of 1 + q + qt (2^-54.9) times e^t/|expm1(t)| where k != 0 (<= 2.4,
 * at t = -0.35); for k = 0 every term is relative to expm1(r) itself: 2^-53.6 in all. */
CYACTS__INLINE cyacts__dd_f64 cyacts__expm1_dd_f64(cyacts__exp_parts_f64 p, double one, int neg)
{
    cyacts__dd_f64 m;
    double a = p.s - one, ae, sq = p.s * p.q;
    if (neg) {
        ae = (-one - a) + p.s;
        m.hi = CYACTS_FMA_F64(p.s, p.q, a);
        m.lo = CYACTS_FMA_F64(p.s, p.q, a - m.hi);
    } else {
        double b = a - p.s;
        ae = (p.s - (a - b)) + (-one - b);
        cyacts__dd_f64 t = cyacts__two_sum_f64(a, sq);
        m.hi = t.hi;
        m.lo = t.lo;
    }
    m.lo += CYACTS_FMA_F64(p.s, p.qt, ae);
    return m;
}

/* expm1(x) for x <= 0 (others: garbage the caller drops), flushed to -1 past x = -708. */
CYACTS__INLINE cyacts__dd_f64 cyacts__expm1_neg_dd_f64(double x)
{
    return cyacts__expm1_dd_f64(cyacts__exp_core_f64(-x, 1.0, 0.0, 1, 0), 1.0, 1);
}

/* e^x for x <= 0 times 2^64 as hi + lo (relative error 2^-54.9): so that e^x keeps its value
 * down to x = -745 (subnormal derivatives still matter: grad_output * f' can lift them); the
 * caller scales by 2^-64 last and selects 0 past x = -752 (the exp core's domain). */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_neg_scaled_dd_f64(double x)
{
    return cyacts__exp_dd_f64(cyacts__exp_core_f64(-x, 1.0, 0.0, 0, 64), 1);
}

/* ------------------------------------------------------------------------ */
/* ELU: x if x > 0 else alpha expm1(x)                                      */
/* ------------------------------------------------------------------------ */
/* alpha (mh + ml) rounds once: <= 0.5 ulp + the expm1's 2^-53.6 (and none for alpha = +-1).
 * The final selects are ordered so that NaN falls through to x. */
CYACTS__INLINE double cyacts_elem_elu_f64(double x, double alpha)
{
    cyacts__dd_f64 m = cyacts__expm1_neg_dd_f64(x);
    double y = CYACTS_FMA_F64(alpha, m.hi, alpha * m.lo);
    return cyacts__sel_f64(x <= 0.0, y, x);
}

/* alpha e^x for x <= 0 (alpha at 0, as PyTorch's elu_backward), 1 above. The 2^-64 goes into
 * alpha (exact for |alpha| >= 2^-958), so the product rounds once, to a subnormal too, and
 * cannot overflow. */
CYACTS__INLINE double cyacts_elem_elu_grad_f64(double x, double alpha)
{
    cyacts__dd_f64 e = cyacts__exp_neg_scaled_dd_f64(x);
    double a = alpha * 0x1p-64;
    double g = CYACTS_FMA_F64(a, e.hi, a * e.lo);
    g = cyacts__sel_sign_f64(x + 752.0, 0.0, g);
    return cyacts__sel_f64(x <= 0.0, g, cyacts__sel_f64(x > 0.0, 1.0, x));
}

/* From y = elu(x), alpha >= 0: alpha e^x = y + alpha for y <= 0 (x <= 0), 1 above. */
CYACTS__INLINE double cyacts_elem_elu_grad_from_output_f64(double y, double alpha)
{
    return cyacts__sel_f64(y > 0.0, 1.0, y + alpha);
}

/* ------------------------------------------------------------------------ */
/* SELU: scale elu(x, alpha) with PyTorch's constants                        */
/* ------------------------------------------------------------------------ */
/* SA (mh + ml) with SA = hi + lo: one rounding, <= 0.5 ulp + 2^-53.5. */
CYACTS__INLINE double cyacts_elem_selu_f64(double x)
{
    cyacts__dd_f64 m = cyacts__expm1_neg_dd_f64(x);
    double y = CYACTS_FMA_F64(CYACTS__SELU_SA_HI_F64, m.hi,
                              CYACTS_FMA_F64(CYACTS__SELU_SA_HI_F64, m.lo,
                                             CYACTS__SELU_SA_LO_F64 * m.hi));
    return cyacts__sel_f64(x <= 0.0, y, CYACTS__SELU_SCALE_F64 * x);
}

CYACTS__INLINE double cyacts_elem_selu_grad_f64(double x)
{
    cyacts__dd_f64 e = cyacts__exp_neg_scaled_dd_f64(x);
    double g = CYACTS_FMA_F64(CYACTS__SELU_SA_HI_F64, e.hi,
                              CYACTS_FMA_F64(CYACTS__SELU_SA_HI_F64, e.lo,
                                             CYACTS__SELU_SA_LO_F64 * e.hi)) * 0x1p-64;
    g = cyacts__sel_sign_f64(x + 752.0, 0.0, g);
    return cyacts__sel_f64(x <= 0.0, g, cyacts__sel_f64(x > 0.0, CYACTS__SELU_SCALE_F64, x));
}

/* y + SA for y <= 0 (y >= -SA): Fast2Sum(SA_hi, y), then the low parts. Below -4 (no output
 * of selu; -inf would make the error term NaN) the plain sum. */
CYACTS__INLINE double cyacts_elem_selu_grad_from_output_f64(double y)
{
    double s = CYACTS__SELU_SA_HI_F64 + y;
    double e = (CYACTS__SELU_SA_HI_F64 - s) + y;
    double d = cyacts__sel_f64(y < -4.0, s, s + (e + CYACTS__SELU_SA_LO_F64));
    return cyacts__sel_f64(y > 0.0, CYACTS__SELU_SCALE_F64, d);
}

/* ------------------------------------------------------------------------ */
/* CELU: x if x > 0 else alpha expm1(x/alpha), alpha != 0                    */
/* ------------------------------------------------------------------------ */
/* t = x/alpha as th + tl: th = x (1/alpha) (the reciprocal is loop-invariant), tl from the
 * residual x - th alpha, exact (th is within 2 ulp of x/alpha). */
CYACTS__INLINE cyacts__dd_f64 cyacts__celu_t_f64(double x, double alpha)
{
    cyacts__dd_f64 t;
    double inv = 1.0 / alpha;
    t.hi = x * inv;
    t.lo = -cyacts__mul_err_f64(t.hi, alpha, x) * inv;
    return t;
}

/* 1021 ln2 as hi + lo: hi = 1021 LN2_HI is exact (LN2_HI has 11 trailing zero bits), and
 * t - hi is exact for t in [708, 1416] (hi is a multiple of ulp(t) and t - hi < t). */
#define CYACTS__CELU_SHIFT_HI_F64 (1021.0 * CYACTS__LN2_HI_F64)
#define CYACTS__CELU_SHIFT_LO_F64 (1021.0 * CYACTS__LN2_LO_F64)

/* With alpha > 0 every x <= 0 has t <= 0 and the expm1 lies in (-1, 0]. With alpha < 0, t >= 0
 * and alpha e^t can be finite where e^t is not (|alpha| < 1): past t = 708 the exp parts are
 * taken at t - 1021 ln2 (s = 2^(k - 1021)) and alpha 2^1021 multiplies them (for |alpha| >= 4,
 * where that may overflow, |alpha| e^t > 4 * 2^1021.4 does too, and the low part's factor is 0
 * rather than inf, which would turn the sum into NaN). Past t = 1416 the result is
 * alpha * inf (finite only for |alpha| < 2^-1019). */
CYACTS__INLINE double cyacts_elem_celu_f64(double x, double alpha)
{
    cyacts__dd_f64 t = cyacts__celu_t_f64(x, alpha);
    int big = t.hi > 708.0;
    double th = cyacts__sel_f64(big, t.hi - CYACTS__CELU_SHIFT_HI_F64, t.hi);
    double tl = cyacts__sel_f64(big, t.lo - CYACTS__CELU_SHIFT_LO_F64, t.lo);
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(-th, 1.0, tl, 1, 0);
    cyacts__dd_f64 m = cyacts__expm1_dd_f64(p, cyacts__sel_f64(big, 0x1p-1021, 1.0), 0);
    double a_hi = cyacts__sel_f64(big, alpha * 0x1p1021, alpha);
    double a_lo = cyacts__sel_f64(big, fabs(alpha) < 4.0 ? alpha * 0x1p1021 : 0.0, alpha);
    /* a_lo ml overflows only where alpha mh exceeds the range 2^29 times over: clamped, it
       leaves the overflow to the exact product in the fma, with that product's sign */
    double lo = cyacts__max_f64(cyacts__min_f64(a_lo * m.lo, DBL_MAX), -DBL_MAX);
    double y = CYACTS_FMA_F64(a_hi, m.hi, lo);
    y = cyacts__sel_f64(t.hi > 1416.0, alpha * INFINITY, y);
    return cyacts__sel_f64(x <= 0.0, y, x);
}

/* e^(x/alpha) for x <= 0 (1 at 0), 1 above. t <= 0 (alpha > 0): scaled by 2^64 to keep the
 * subnormal tail (0 past t = -752); t > 0 (alpha < 0): past t = 600 the parts are taken at
 * t - 128 ln2 (exact: t - 128 LN2_HI, as above) and scaled back by 2^64, up to the overflow
 * at t = 709.8; t is clamped at 750, where the result is inf anyway. */
#define CYACTS__CELU_GRAD_SHIFT_HI_F64 (128.0 * CYACTS__LN2_HI_F64)
#define CYACTS__CELU_GRAD_SHIFT_LO_F64 (128.0 * CYACTS__LN2_LO_F64)
CYACTS__INLINE double cyacts_elem_celu_grad_f64(double x, double alpha)
{
    cyacts__dd_f64 t = cyacts__celu_t_f64(x, alpha);
    int big = t.hi > 600.0, over = t.hi > 750.0;
    double tc = cyacts__sel_f64(over, 750.0, t.hi);
    double th = cyacts__sel_f64(big, tc - CYACTS__CELU_GRAD_SHIFT_HI_F64, tc);
    double tl = cyacts__sel_f64(over, 0.0,
                                cyacts__sel_f64(big, t.lo - CYACTS__CELU_GRAD_SHIFT_LO_F64, t.lo));
    cyacts__dd_f64 e = cyacts__exp_dd_f64(cyacts__exp_core_f64(-th, 1.0, tl, 0, 64), 1);
    double g = (e.hi + e.lo) * cyacts__sel_f64(big, 0x1p64, 0x1p-64);
    g = cyacts__sel_sign_f64(t.hi + 752.0, 0.0, g);
    return cyacts__sel_f64(x <= 0.0, g, cyacts__sel_f64(x > 0.0, 1.0, x));
}

/* From y = celu(x), alpha > 0: e^(x/alpha) = (y + alpha)/alpha for y <= 0 (y + alpha is exact
 * by Sterbenz where it cancels), 1 above. */
CYACTS__INLINE double cyacts_elem_celu_grad_from_output_f64(double y, double alpha)
{
    return cyacts__sel_f64(y > 0.0, 1.0, (y + alpha) / alpha);
}

/* ======================================================================================== */
/* float32                                                                                */
/* ======================================================================================== */

CYACTS__INLINE uint32_t cyacts__sel_u32(int c, uint32_t a, uint32_t b)
{
    uint32_t m = (uint32_t)0 - (uint32_t)(c != 0);
    return (a & m) | (b & ~m);
}

/* expm1 as hi + lo from exp parts whose s the caller built (2^k, or 2^(k - 126) with
 * one = 2^-126): e^t = s (1 + q), q = r + rl + r^2 c as qh + ql (Fast2Sum: |r^2 c| <= 0.2 |r|),
 * then (s - one) + s qh + s ql as for float64 (`neg`: t <= 0, k <= 0, Fast2Sum and exact
 * fma errors; else TwoSum). Relative error: the fit's 2^-28.2 (absolute in e^r) times
 * e^t/|expm1(t)| where k != 0 (<= 2.4), and relative to expm1 itself for k = 0; r's rounding
 * is carried (rl): <= 2^-27 in all, a quarter of an ulp of the result at most. */
CYACTS__INLINE cyacts__ff_f32 cyacts__expm1_ff_f32(cyacts__exp_parts_f32 p, float s, float one,
                                                   int neg)
{
    cyacts__ff_f32 m;
    float c = p.t * p.c;
    float qh = p.r + c;
    float ql = ((p.r - qh) + c) + p.rl;
    float a = s - one, ae;
    if (neg) {
        ae = (-one - a) + s;
        m.hi = CYACTS_FMA_F32(s, qh, a);
        m.lo = CYACTS_FMA_F32(s, qh, a - m.hi);
    } else {
        float b = a - s, sq = s * qh, b2;
        ae = (s - (a - b)) + (-one - b);
        m.hi = a + sq;
        b2 = m.hi - a;
        m.lo = (a - (m.hi - b2)) + (sq - b2);
    }
    m.lo += CYACTS_FMA_F32(s, ql, ae);
    return m;
}

/* expm1(x) for x <= 0 (others: garbage the caller drops); x is clamped at -87 (s stays
 * normal; expm1 is -1 to float precision from -17.4 on), which also keeps -inf out. */
CYACTS__INLINE cyacts__ff_f32 cyacts__expm1_neg_ff_f32(float x)
{
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(cyacts__max_f32(x, -87.0f), 0.0f);
    return cyacts__expm1_ff_f32(p, p.s, 1.0f, 1);
}

/* e^t 2^b as hi + lo for t <= 0, from the parts of t + tl (tl: a low part), the scaling in
 * the exponent bits (bias = CYACTS__EXP_BIAS_F32(b); 2^(k + b) must be normal): the caller
 * multiplies by 2^-b last, so the result rounds once to the subnormal it should be (and
 * grad_output * f' keeps IEEE behaviour). The derivatives clamp t at -150 with b = 100
 * (k >= -217), where alpha e^t is below the smallest subnormal for |alpha| < 2^67 (and at -104
 * with b = 40 where the factor is 1: e^-104 < 2^-150). */
CYACTS__INLINE cyacts__ff_f32 cyacts__exp_scaled_ff_f32(cyacts__exp_parts_f32 p, uint32_t bias)
{
    cyacts__ff_f32 e;
    float c = p.t * p.c;
    float qh = p.r + c;
    float ql = ((p.r - qh) + c) + p.rl;
    float s = cyacts__from_bits_f32(p.k_bits + bias);
    e.hi = CYACTS_FMA_F32(s, qh, s);
    e.lo = CYACTS_FMA_F32(s, ql, CYACTS_FMA_F32(s, qh, s - e.hi));
    return e;
}

#define CYACTS__EXP_BIAS_F32(b) ((uint32_t)(127 + (b)) << 23)

/* ------------------------------------------------------------------------ */
/* ELU                                                                      */
/* ------------------------------------------------------------------------ */
CYACTS__INLINE float cyacts_elem_elu_f32(float x, float alpha)
{
    cyacts__ff_f32 m = cyacts__expm1_neg_ff_f32(x);
    float y = CYACTS_FMA_F32(alpha, m.hi, alpha * m.lo);
    return cyacts__sel_f32(x <= 0.0f, y, x);
}

/* alpha e^x for x <= 0: scaled by 2^100 only below -80, so that alpha e^x 2^100 cannot
 * overflow for any finite alpha (e^x 2^100 <= 2^-15 there). */
CYACTS__INLINE float cyacts_elem_elu_grad_f32(float x, float alpha)
{
    int tail = x < -80.0f;
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(cyacts__max_f32(x, -150.0f), 0.0f);
    cyacts__ff_f32 e = cyacts__exp_scaled_ff_f32(
        p, cyacts__sel_u32(tail, CYACTS__EXP_BIAS_F32(100), CYACTS__EXP_BIAS_F32(0)));
    float g = CYACTS_FMA_F32(alpha, e.hi, alpha * e.lo) * cyacts__sel_f32(tail, 0x1p-100f, 1.0f);
    return cyacts__sel_f32(x <= 0.0f, g, cyacts__sel_f32(x > 0.0f, 1.0f, x));
}

CYACTS__INLINE float cyacts_elem_elu_grad_from_output_f32(float y, float alpha)
{
    return cyacts__sel_f32(y > 0.0f, 1.0f, y + alpha);
}

/* ------------------------------------------------------------------------ */
/* SELU                                                                     */
/* ------------------------------------------------------------------------ */
/* x > 0: (scale_hi + scale_lo) x, one rounding; x <= 0: SA (mh + ml), one rounding. */
CYACTS__INLINE float cyacts_elem_selu_f32(float x)
{
    cyacts__ff_f32 m = cyacts__expm1_neg_ff_f32(x);
    float y = CYACTS_FMA_F32(CYACTS__SELU_SA_HI_F32, m.hi,
                             CYACTS_FMA_F32(CYACTS__SELU_SA_HI_F32, m.lo,
                                            CYACTS__SELU_SA_LO_F32 * m.hi));
    /* the low product clamped: at x = inf, inf - inf would be NaN */
    float pos = CYACTS_FMA_F32(CYACTS__SELU_SCALE_HI_F32, x,
                               CYACTS__SELU_SCALE_LO_F32 * cyacts__min_f32(x, FLT_MAX));
    return cyacts__sel_f32(x <= 0.0f, y, pos);
}

CYACTS__INLINE float cyacts_elem_selu_grad_f32(float x)
{
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(cyacts__max_f32(x, -150.0f), 0.0f);
    cyacts__ff_f32 e = cyacts__exp_scaled_ff_f32(p, CYACTS__EXP_BIAS_F32(100));
    float g = CYACTS_FMA_F32(CYACTS__SELU_SA_HI_F32, e.hi,
                             CYACTS_FMA_F32(CYACTS__SELU_SA_HI_F32, e.lo,
                                            CYACTS__SELU_SA_LO_F32 * e.hi)) * 0x1p-100f;
    return cyacts__sel_f32(x <= 0.0f, g, cyacts__sel_f32(x > 0.0f, CYACTS__SELU_SCALE_HI_F32, x));
}

CYACTS__INLINE float cyacts_elem_selu_grad_from_output_f32(float y)
{
    float s = CYACTS__SELU_SA_HI_F32 + y;
    float e = (CYACTS__SELU_SA_HI_F32 - s) + y;
    float d = cyacts__sel_f32(y < -4.0f, s, s + (e + CYACTS__SELU_SA_LO_F32)); /* as f64 */
    return cyacts__sel_f32(y > 0.0f, CYACTS__SELU_SCALE_HI_F32, d);
}

/* ------------------------------------------------------------------------ */
/* CELU                                                                     */
/* ------------------------------------------------------------------------ */
CYACTS__INLINE cyacts__ff_f32 cyacts__celu_t_f32(float x, float alpha)
{
    cyacts__ff_f32 t;
    float inv = 1.0f / alpha;
    t.hi = x * inv;
    t.lo = -cyacts__mul_err_f32(t.hi, alpha, x) * inv;
    return t;
}

/* As for float64: t is clamped to [-30, 175] (expm1(-30) is -1 to float precision; tl is
 * dropped where the clamp bites); past t = 88 (where 2^k would overflow) s = 2^(k - 126) and
 * alpha 2^126 multiplies the expm1 (for |alpha| >= 4, where that may overflow, |alpha| e^t
 * does too, and the low part's factor is 0); past t = 175, alpha * inf (finite only for
 * |alpha| < 2^-124). */
CYACTS__INLINE float cyacts_elem_celu_f32(float x, float alpha)
{
    cyacts__ff_f32 t = cyacts__celu_t_f32(x, alpha);
    float tc = cyacts__min_f32(cyacts__max_f32(t.hi, -30.0f), 175.0f);
    int big = t.hi > 88.0f;
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(tc, -cyacts__sel_f32(tc == t.hi, t.lo, 0.0f));
    float s = cyacts__from_bits_f32(
        p.k_bits + cyacts__sel_u32(big, CYACTS__EXP_BIAS_F32(-126), CYACTS__EXP_BIAS_F32(0)));
    cyacts__ff_f32 m = cyacts__expm1_ff_f32(p, s, cyacts__sel_f32(big, 0x1p-126f, 1.0f), 0);
    float a_hi = cyacts__sel_f32(big, alpha * 0x1p126f, alpha);
    float a_lo = cyacts__sel_f32(big, fabsf(alpha) < 4.0f ? alpha * 0x1p126f : 0.0f, alpha);
    float lo = cyacts__max_f32(cyacts__min_f32(a_lo * m.lo, FLT_MAX), -FLT_MAX); /* as f64 */
    float y = CYACTS_FMA_F32(a_hi, m.hi, lo);
    y = cyacts__sel_f32(t.hi > 175.0f, alpha * INFINITY, y);
    return cyacts__sel_f32(x <= 0.0f, y, x);
}

/* e^(x/alpha): t < 0 scaled by 2^40 (clamped at -104); t >= 0 (alpha < 0) with s = 2^(k - 1)
 * and a final factor 2 (k reaches 128 before e^t overflows at 88.72), clamped at 88.8. */
CYACTS__INLINE float cyacts_elem_celu_grad_f32(float x, float alpha)
{
    cyacts__ff_f32 t = cyacts__celu_t_f32(x, alpha);
    float tc = cyacts__min_f32(cyacts__max_f32(t.hi, -104.0f), 88.8f);
    int pos = t.hi >= 0.0f;
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(tc, -cyacts__sel_f32(tc == t.hi, t.lo, 0.0f));
    cyacts__ff_f32 e = cyacts__exp_scaled_ff_f32(
        p, cyacts__sel_u32(pos, CYACTS__EXP_BIAS_F32(-1), CYACTS__EXP_BIAS_F32(40)));
    float g = (e.hi + e.lo) * cyacts__sel_f32(pos, 2.0f, 0x1p-40f);
    return cyacts__sel_f32(x <= 0.0f, g, cyacts__sel_f32(x > 0.0f, 1.0f, x));
}

CYACTS__INLINE float cyacts_elem_celu_grad_from_output_f32(float y, float alpha)
{
    return cyacts__sel_f32(y > 0.0f, 1.0f, (y + alpha) / alpha);
}

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_ELU_H */
