/*
 * cyacts/softplus.h - the softplus family: softplus, log_sigmoid, SiLU (x sigmoid(beta x)), Mish
 * and tanhshrink, their derivatives, and the from-output derivatives of softplus and
 * log_sigmoid (float64, then float32).
 * Included by cyacts.h (the header to include); compiles on its own.
 *
 * What they share, in both dtypes:
 *  - u = exp(-|t|) for t = beta x formed exactly (a product pair): an absolute error in t is a
 *    relative error in u, which in the tails is the whole result.
 *  - u is built as 2^64 u (the bias is in the integer constant that makes 2^k, so it is free):
 *    then u keeps its value, and the results their subnormal values, past the point where u
 *    itself would leave the normal range; ratios of two scaled quantities need no rescaling.
 *  - log1p(u) for u in [0, 1] as 2 atanh(s), s = u/(2 + u) in [0, 1/3]: 2s + 2s^3 R(s^2) with
 *    R a short polynomial, s formed by one corrected division; no log of the exponent is
 *    needed, and the result keeps full relative accuracy as u -> 0.
 *  - Where a derivative crosses zero (SiLU' at beta x = -1.2785, Mish' at x = -1.1924) its
 *    closed form cancels; near the zero it is d P(d), d the distance to the zero (formed
 *    exactly), P a fit (as for GELU').
 */
#ifndef CYACTS_SOFTPLUS_H
#define CYACTS_SOFTPLUS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================== */
/* float64                                                                                */
/* ======================================================================================== */

/* ------------------------------------------------------------------------ */
/* Shared parts                                                             */
/* ------------------------------------------------------------------------ */

/* a + b for double-doubles (TwoSum on the high parts). */
CYACTS__INLINE cyacts__dd_f64 cyacts__add_dd_f64(cyacts__dd_f64 a, cyacts__dd_f64 b)
{
    cyacts__dd_f64 s = cyacts__two_sum_f64(a.hi, b.hi);
    s.lo += a.lo + b.lo;
    return s;
}

/* a b for double-doubles (the exact product of the high parts plus the cross terms). */
CYACTS__INLINE cyacts__dd_f64 cyacts__mul_dd_f64(cyacts__dd_f64 a, cyacts__dd_f64 b)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(a.hi, b.hi);
    p.lo = CYACTS_FMA_F64(a.hi, b.lo, CYACTS_FMA_F64(a.lo, b.hi, p.lo));
    return p;
}

/* E = 2^64 exp(-|t|) for a double-double t, relative error 2^-54.9 (the exp core with its
 * tail, scaled by 2^64: the domain is |t| <= 752).  |t| is clamped at 750, past which every
 * caller selects its limit; the low part (+-inf where beta x overflows) is dropped there. */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_neg_abs_2p64_f64(cyacts__dd_f64 t)
{
    double a = fabs(t.hi);
    double l = cyacts__sel_f64(a > 750.0, 0.0, cyacts__sel_f64(t.hi < 0.0, t.lo, -t.lo));
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(cyacts__sel_f64(a > 750.0, 750.0, a), 1.0, l,
                                                   0, 64);
    return cyacts__exp_dd_f64(p, 1);
}

/* sigmoid(t) = N/D from E = 2^64 exp(-|t|), as in float32: N = E (t < 0) or 2^64, D = 2^64 +
 * E (Fast2Sum), q0 = N/D's first quotient and q1 its correction from the exact residual. */
CYACTS__INLINE cyacts__dd_f64 cyacts__sigmoid_2p64_f64(double t, cyacts__dd_f64 E)
{
    cyacts__dd_f64 q;
    double dh = 0x1p64 + E.hi;
    double dl = ((0x1p64 - dh) + E.hi) + E.lo;
    double nh = cyacts__sel_f64(t < 0.0, E.hi, 0x1p64);
    double nl = cyacts__sel_f64(t < 0.0, E.lo, 0.0);
    double inv = 1.0 / dh;
    q.hi = nh * inv;
    q.lo = cyacts__div_residual_f64(nh, nl, dh, dl, q.hi) * inv;
    return q;
}

/* R(z) = (atanh(s) - s)/s^3, z = s^2 in [0, 1/9], degree 10. */
CYACTS__INLINE double cyacts__log1p_R_f64(double z)
{
    static const double c[11] = {
        0x1.31f3ce614dec6p-4, 0x1.4368ed78ced15p-5, 0x1.b8158971d0925p-5, 0x1.e136efe73cd83p-5,
        0x1.111463e603c94p-4, 0x1.3b13a963ed9d9p-4, 0x1.745d169747bb7p-4, 0x1.c71c71ce70d4bp-4,
        0x1.2492492483860p-3, 0x1.9999999999b18p-3, 0x1.5555555555555p-2};
    return cyacts__estrin_deg10_f64(z, c);
}

/* 2^64 log1p(u) from U = 2^64 u, 0 < u <= 1, as in float32: S = 2^64 u/(2 + u) = s0 + s1, then
 * 2 S + 2 S z R(z); relative error ~2^-56 besides U's own. */
CYACTS__INLINE cyacts__dd_f64 cyacts__log1p_2p64_f64(cyacts__dd_f64 U)
{
    cyacts__dd_f64 L;
    double uh = U.hi * 0x1p-64;
    double dh = 2.0 + uh;
    double dl = ((2.0 - dh) + uh) + U.lo * 0x1p-64;
    double inv = 1.0 / dh;
    double s0 = U.hi * inv;
    double s1 = cyacts__div_residual_f64(U.hi, U.lo, dh, dl, s0) * inv;
    double sh = s0 * 0x1p-64;
    double z = sh * sh;
    double c = 2.0 * CYACTS_FMA_F64(s0, z * cyacts__log1p_R_f64(z), s1);
    double two_s0 = 2.0 * s0;
    L.hi = two_s0 + c;
    L.lo = (two_s0 - L.hi) + c;
    return L;
}

/* 1 - exp(-w) = -expm1(-w) for a double-double w: e = s (1 + q + qt), 1 - e = (1 - s) - s q
 * - s qt, for k = 0 -(q + qt) (full relative accuracy as w -> 0), for k < 0 1 - s is exact
 * and the result >= 0.29.  w is clamped at 708 (1 - exp(-708) rounds to 1).  Below -708
 * (inputs no forward gives; exp's core stops at 2^1022) 1 - e is -e to double precision, and
 * e = exp(-(w + 2)) e^2, w + 2 exact, with e^2 a pair: one more rounding than above; below
 * -log(DBL_MAX) the result is -inf. */
#define CYACTS__E2_HI_F64 0x1.d8e64b8d4ddaep+2
#define CYACTS__E2_LO_F64 (-0x1.9e62e22efca4cp-53)
#define CYACTS__LOG_DBL_MAX 709.782712893384

CYACTS__INLINE double cyacts__one_minus_exp_neg_f64(cyacts__dd_f64 w)
{
    int big = w.hi < -708.0;
    double a = cyacts__sel_f64(w.hi > 708.0, 708.0,
                               cyacts__sel_f64(w.hi < -709.8, -709.8, w.hi));
    a = cyacts__sel_f64(big, a + 2.0, a);
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(a, 1.0, cyacts__sel_f64(a != w.hi && !big,
                                                                            0.0, -w.lo),
                                                   0, 0);
    double f = CYACTS_FMA_F64(-p.s, p.q, 1.0 - p.s) - p.s * p.qt;
    cyacts__dd_f64 e = cyacts__exp_dd_f64(p, 1), m;
    m.hi = e.hi * CYACTS__E2_HI_F64;
    m.lo = CYACTS_FMA_F64(e.hi, CYACTS__E2_HI_F64, -m.hi);
    m.lo = CYACTS_FMA_F64(e.hi, CYACTS__E2_LO_F64, CYACTS_FMA_F64(e.lo, CYACTS__E2_HI_F64, m.lo));
    f = cyacts__sel_f64(big, -(m.hi + m.lo), f);
    return cyacts__sel_f64(w.hi < -CYACTS__LOG_DBL_MAX, -INFINITY, f);
}

/* d (c0 + d P1(d)) for d = dh + dl, c0 a double-double, P1 of degree 11 (highest first), as
 * in float32. */
CYACTS__INLINE double cyacts__root_poly_dd_f64(double dh, double dl, double c0h, double c0l,
                                               const double c[12])
{
    double r = CYACTS_FMA_F64(dh, cyacts__horner_f64(dh, c, 12), c0l);
    double ph = c0h + r;
    double pl = (c0h - ph) + r;
    return CYACTS_FMA_F64(dh, ph, CYACTS_FMA_F64(dh, pl, dl * ph));
}

/* ------------------------------------------------------------------------ */
/* softplus and log_sigmoid                                                 */
/* ------------------------------------------------------------------------ */

/* As in float32: (t > 0 ? x : 0) + log1p(u)/beta, t = beta x exact, u = exp(-|t|); <= 1 ulp.
 * Past t = -750: 0 (the value is below 2^-1082/|beta|). */
CYACTS__INLINE double cyacts_elem_softplus_f64(double x, double beta, double threshold)
{
    cyacts__dd_f64 t = cyacts__two_prod_f64(beta, x);
    cyacts__dd_f64 L = cyacts__log1p_2p64_f64(cyacts__exp_neg_abs_2p64_f64(t));
    double ib = 1.0 / beta; /* loop-invariant */
    double q0 = L.hi * ib;
    double q1 = cyacts__div_residual_f64(L.hi, L.lo, beta, 0.0, q0) * ib;
    cyacts__dd_f64 s = cyacts__two_sum_f64(cyacts__sel_f64(t.hi > 0.0, x, 0.0), q0 * 0x1p-64);
    double y = s.hi + CYACTS_FMA_F64(q1, 0x1p-64, s.lo);
    y = cyacts__sel_f64(t.hi < -750.0, 0.0 * ib, y);
    return cyacts__sel_f64((t.hi > threshold) | (t.hi > 750.0), x, y);
}

/* sigmoid(beta x), 1 where fl(beta x) > threshold; subnormal slopes kept; <= 1 ulp. */
CYACTS__INLINE double cyacts_elem_softplus_grad_f64(double x, double beta, double threshold)
{
    cyacts__dd_f64 t = cyacts__two_prod_f64(beta, x);
    cyacts__dd_f64 q = cyacts__sigmoid_2p64_f64(t.hi, cyacts__exp_neg_abs_2p64_f64(t));
    double g = cyacts__sel_f64(t.hi < -750.0, 0.0, q.hi + q.lo);
    return cyacts__sel_f64(t.hi > threshold, 1.0, g);
}

/* From the output: 1 - exp(-beta y), 1 where fl(beta y) > threshold. */
CYACTS__INLINE double cyacts_elem_softplus_grad_from_output_f64(double y, double beta,
                                                                double threshold)
{
    cyacts__dd_f64 w = cyacts__two_prod_f64(beta, y);
    return cyacts__sel_f64(w.hi > threshold, 1.0, cyacts__one_minus_exp_neg_f64(w));
}

/* (x < 0 ? x : 0) - log1p(exp(-|x|)); past x = 750: -0. */
CYACTS__INLINE double cyacts_elem_log_sigmoid_f64(double x)
{
    cyacts__dd_f64 t;
    t.hi = x;
    t.lo = 0.0;
    cyacts__dd_f64 L = cyacts__log1p_2p64_f64(cyacts__exp_neg_abs_2p64_f64(t));
    cyacts__dd_f64 s = cyacts__two_sum_f64(cyacts__sel_f64(x < 0.0, x, 0.0), L.hi * -0x1p-64);
    double y = s.hi + CYACTS_FMA_F64(L.lo, -0x1p-64, s.lo);
    y = cyacts__sel_f64(x < -750.0, x, y);
    return cyacts__sel_f64(x > 750.0, -0.0, y);
}

/* sigmoid(-x). */
CYACTS__INLINE double cyacts_elem_log_sigmoid_grad_f64(double x)
{
    cyacts__dd_f64 t;
    t.hi = -x;
    t.lo = 0.0;
    cyacts__dd_f64 q = cyacts__sigmoid_2p64_f64(t.hi, cyacts__exp_neg_abs_2p64_f64(t));
    return cyacts__sel_f64(x > 750.0, 0.0, q.hi + q.lo);
}

/* 1 - exp(y). */
CYACTS__INLINE double cyacts_elem_log_sigmoid_grad_from_output_f64(double y)
{
    cyacts__dd_f64 w;
    w.hi = -y;
    w.lo = 0.0;
    return cyacts__one_minus_exp_neg_f64(w);
}

/* ------------------------------------------------------------------------ */
/* SiLU                                                                     */
/* ------------------------------------------------------------------------ */

/* x (q0 + q1), one rounding: <= 1 ulp; past t = -750: +-0. */
CYACTS__INLINE double cyacts_elem_silu_f64(double x, double beta)
{
    cyacts__dd_f64 t = cyacts__two_prod_f64(beta, x);
    cyacts__dd_f64 q = cyacts__sigmoid_2p64_f64(t.hi, cyacts__exp_neg_abs_2p64_f64(t));
    double y = CYACTS_FMA_F64(x, q.hi, x * q.lo);
    y = cyacts__sel_f64(t.hi > 750.0, x, y);
    y = cyacts__sel_f64(t.hi < -750.0, copysign(0.0, x), y);
    return cyacts__sel_f64(x == x, y, x); /* NaN: x itself, not whichever NaN the FMA keeps */
}

/* As in float32, in double-doubles; within 1/8 of the zero t0 (where e's 2^-54.9 would cost
 * more than an ulp of the cancelling 1 + e + t) g = d (c0 + d P1(d)). */
#define CYACTS__SILU_T0_HI_F64 -0x1.474973c84120bp+0
#define CYACTS__SILU_T0_LO_F64 -0x1.f8d74bc9ac154p-54
#define CYACTS__SILU_C0_HI_F64 0x1.be1410460527fp-3
#define CYACTS__SILU_C0_LO_F64 -0x1.2541062177473p-58
#define CYACTS__ROOT_WIN_F64 0.125

CYACTS__INLINE double cyacts__silu_grad_root_f64(cyacts__dd_f64 t)
{
    static const double c[12] = {
        0x1.ee90084a34dc8p-25, 0x1.4bf327c6fddf3p-20, -0x1.865540e6f0a2ap-19,
        -0x1.f20a8cb478ba1p-16, -0x1.5724b71eca479p-15, 0x1.8574695d39708p-13,
        0x1.a2a7cb1208412p-11, 0x1.098e9370802cap-13, -0x1.b0f82c4992ea0p-8, -0x1.f2d0e32bc4ac9p-7,
        0x1.353eb573ca45ap-6, 0x1.2c563458cc0adp-3};
    return cyacts__root_poly_dd_f64(t.hi - CYACTS__SILU_T0_HI_F64, t.lo - CYACTS__SILU_T0_LO_F64,
                                    CYACTS__SILU_C0_HI_F64, CYACTS__SILU_C0_LO_F64, c);
}

CYACTS__INLINE double cyacts_elem_silu_grad_f64(double x, double beta)
{
    cyacts__dd_f64 t = cyacts__two_prod_f64(beta, x);
    cyacts__dd_f64 E = cyacts__exp_neg_abs_2p64_f64(t);
    int neg = t.hi < 0.0;
    cyacts__dd_f64 e, a, A, n, m, d2;
    e.hi = E.hi * 0x1p-64;
    e.lo = E.lo * 0x1p-64;
    a = cyacts__fast_two_sum_f64(1.0, e.hi);
    a.lo += e.lo;
    cyacts__dd_f64 te = cyacts__mul_dd_f64(t, e);
    A.hi = cyacts__sel_f64(neg, t.hi, te.hi);
    A.lo = cyacts__sel_f64(neg, t.lo, te.lo);
    n = cyacts__add_dd_f64(a, A);
    m.hi = cyacts__sel_f64(neg, E.hi, 0x1p64);
    m.lo = cyacts__sel_f64(neg, E.lo, 0.0);
    n = cyacts__mul_dd_f64(m, n);
    d2 = cyacts__sqr_dd_f64(a);
    double g = cyacts__div_dd_f64(n.hi, n.lo, d2.hi, d2.lo) * 0x1p-64;
    g = cyacts__sel_f64(fabs(t.hi - CYACTS__SILU_T0_HI_F64) <= CYACTS__ROOT_WIN_F64,
                        cyacts__silu_grad_root_f64(t), g);
    g = cyacts__sel_f64(t.hi < -750.0, -0.0, g);
    g = cyacts__sel_f64(t.hi > 750.0, 1.0, g);
    return cyacts__sel_f64(x == x, g, x); /* NaN: x itself, whatever the pair arithmetic kept */
}

/* ------------------------------------------------------------------------ */
/* Mish                                                                     */
/* ------------------------------------------------------------------------ */

/* As in float32, in double-doubles: <= 1 ulp.  Past x = 40 the result is x; below -745: -0. */
CYACTS__INLINE double cyacts_elem_mish_f64(double x)
{
    cyacts__dd_f64 t, U, u, u2, u_2, nn, np, n, c, d, xn;
    int neg = x < 0.0;
    double xc = cyacts__sel_f64(x > 40.0, 40.0, cyacts__sel_f64(x < -745.0, -745.0, x));
    t.hi = xc;
    t.lo = 0.0;
    U = cyacts__exp_neg_abs_2p64_f64(t);
    u.hi = U.hi * 0x1p-64;
    u.lo = U.lo * 0x1p-64;
    u2 = cyacts__sqr_dd_f64(u);
    u_2.hi = 2.0 * u.hi;
    u_2.lo = 2.0 * u.lo;
    nn = cyacts__add_dd_f64(u2, u_2);
    np = cyacts__two_sum_f64(1.0, u_2.hi);
    np.lo += u_2.lo;
    n.hi = cyacts__sel_f64(neg, nn.hi, np.hi);
    n.lo = cyacts__sel_f64(neg, nn.lo, np.lo);
    c.hi = cyacts__sel_f64(neg, 2.0, 2.0 * u2.hi);
    c.lo = cyacts__sel_f64(neg, 0.0, 2.0 * u2.lo);
    d = cyacts__add_dd_f64(n, c);
    xn = cyacts__two_prod_f64(xc, n.hi);
    xn.lo = CYACTS_FMA_F64(xc, n.lo, xn.lo);
    double y = cyacts__div_dd_f64(xn.hi, xn.lo, d.hi, d.lo);
    y = cyacts__sel_f64(x < -745.0, -0.0, y);
    return cyacts__sel_f64(x > 40.0, x, y);
}

/* As in float32 (M K, M = 2^64 u scaled back last), in double-doubles; within 1/8 of the
 * zero x0 mish' = d (c0 + d P1(d)).  Past x = 40: 1; below -745: -0. */
#define CYACTS__MISH_X0_HI_F64 -0x1.31432c0d12d84p+0
#define CYACTS__MISH_X0_LO_F64 -0x1.bf319154da210p-55
#define CYACTS__MISH_C0_HI_F64 0x1.115acb42500bbp-2
#define CYACTS__MISH_C0_LO_F64 0x1.1ad72de557d4cp-56

CYACTS__INLINE double cyacts__mish_grad_root_f64(double x)
{
    static const double c[12] = {
        0x1.565579332819ep-20, -0x1.19ab2a8783834p-16, -0x1.d46f7ccd9c73ap-15,
        -0x1.60276369f5c85p-15, 0x1.0a79623b77393p-12, 0x1.0379962ea2670p-10, 0x1.1e5e18446bdeep-10,
        -0x1.b87ddfb91200cp-9, -0x1.03369d4ac8d1ap-6, -0x1.4c222fe64cf6ap-6, 0x1.574f121a868dbp-5,
        0x1.a34a251d8ad7bp-3};
    return cyacts__root_poly_dd_f64(x - CYACTS__MISH_X0_HI_F64, -CYACTS__MISH_X0_LO_F64,
                                    CYACTS__MISH_C0_HI_F64, CYACTS__MISH_C0_LO_F64, c);
}

CYACTS__INLINE double cyacts_elem_mish_grad_f64(double x)
{
    double xc = cyacts__sel_f64(x > 40.0, 40.0, cyacts__sel_f64(x < -745.0, -745.0, x));
    cyacts__dd_f64 t, U, u, u2, u_2, pu, P, D, au2, Q, PD, xq, k, m, n, d2, one_u;
    int neg = x < 0.0;
    double c1 = cyacts__sel_f64(neg, 2.0, 1.0);
    t.hi = xc;
    t.lo = 0.0;
    U = cyacts__exp_neg_abs_2p64_f64(t);
    u.hi = U.hi * 0x1p-64;
    u.lo = U.lo * 0x1p-64;
    u2 = cyacts__sqr_dd_f64(u);
    one_u = cyacts__fast_two_sum_f64(1.0, u.hi);
    one_u.lo += u.lo;
    u_2.hi = 2.0 * u.hi;
    u_2.lo = 2.0 * u.lo;
    pu.hi = cyacts__sel_f64(neg, u.hi, u_2.hi);
    pu.lo = cyacts__sel_f64(neg, u.lo, u_2.lo);
    P = cyacts__two_sum_f64(c1, pu.hi);
    P.lo += pu.lo;
    au2.hi = cyacts__sel_f64(neg, u2.hi, 2.0 * u2.hi);
    au2.lo = cyacts__sel_f64(neg, u2.lo, 2.0 * u2.lo);
    D = cyacts__two_sum_f64(c1, u_2.hi);
    D.lo += u_2.lo;
    D = cyacts__add_dd_f64(D, au2);
    Q = cyacts__mul_dd_f64(u2, one_u);
    Q.hi = cyacts__sel_f64(neg, one_u.hi, Q.hi);
    Q.lo = cyacts__sel_f64(neg, one_u.lo, Q.lo);
    PD = cyacts__mul_dd_f64(P, D);
    xq = cyacts__two_prod_f64(4.0 * xc, Q.hi);
    xq.lo = CYACTS_FMA_F64(4.0 * xc, Q.lo, xq.lo);
    k = cyacts__add_dd_f64(PD, xq);
    m.hi = cyacts__sel_f64(neg, U.hi, 0x1p64);
    m.lo = cyacts__sel_f64(neg, U.lo, 0.0);
    n = cyacts__mul_dd_f64(m, k);
    d2 = cyacts__sqr_dd_f64(D);
    double g = cyacts__div_dd_f64(n.hi, n.lo, d2.hi, d2.lo) * 0x1p-64;
    g = cyacts__sel_f64(fabs(x - CYACTS__MISH_X0_HI_F64) <= CYACTS__ROOT_WIN_F64,
                        cyacts__mish_grad_root_f64(x), g);
    g = cyacts__sel_f64(x < -745.0, -0.0, g);
    g = cyacts__sel_f64(x > 40.0, 1.0, g);
    return cyacts__sel_f64(x == x, g, x); /* NaN: x itself, whatever the pair arithmetic kept */
}

/* ------------------------------------------------------------------------ */
/* tanhshrink                                                               */
/* ------------------------------------------------------------------------ */

/* Q(z) = (P(z) - 1/3)/z, P(z) = (x - tanh x)/x^3, z = x^2 in [0, 1], degree 14 (error of z Q
 * 2^-55.9 relative to P). */
CYACTS__INLINE double cyacts__tanhshrink_Q_f64(double z)
{
    static const double c[15] = {
        -0x1.b341f19f6a23dp-26, 0x1.1c3ac180f48b0p-22, -0x1.738acadb2486dp-20,
        0x1.4f6a3ffa2961bp-18, -0x1.ea95239ab432dp-17, 0x1.42272c10ee3a3p-15,
        -0x1.94a2b0d473b6dp-14, 0x1.f523c9ce92411p-13, -0x1.3551ee2b865fep-11,
        0x1.7da2c642e78e9p-10, -0x1.d6d3c602fa853p-9, 0x1.226e351fd6803p-7, -0x1.664f488112309p-6,
        0x1.ba1ba1ba15bd2p-5, -0x1.11111111110d7p-3};
    return cyacts__estrin_f64(z, c, 15);
}

#define CYACTS__THIRD_HI_F64 0x1.5555555555555p-2
#define CYACTS__THIRD_LO_F64 0x1.5555555555555p-56

/* As in float32: a < 1: x^3 (1/3 + z Q(z)) in double-doubles; a >= 1: (a - 1) + 2e/(1 + e),
 * e = exp(-2a) (a clamped at 20: 2e/(1+e) is then below 2^-56 (a - 1)). */
CYACTS__INLINE double cyacts_elem_tanhshrink_f64(double x)
{
    double a = fabs(x);
    cyacts__dd_f64 z = cyacts__two_prod_f64(a, a);
    double w = z.hi * cyacts__tanhshrink_Q_f64(z.hi);
    double ph = CYACTS__THIRD_HI_F64 + w;
    double pl = ((CYACTS__THIRD_HI_F64 - ph) + w) + CYACTS__THIRD_LO_F64;
    cyacts__dd_f64 zp = cyacts__two_prod_f64(z.hi, ph);
    zp.lo = CYACTS_FMA_F64(z.hi, pl, CYACTS_FMA_F64(z.lo, ph, zp.lo));
    double small = CYACTS_FMA_F64(a, zp.hi, a * zp.lo);
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(cyacts__sel_f64(a > 20.0, 20.0, a), 2.0, 0.0,
                                                   0, 0);
    cyacts__dd_f64 e = cyacts__exp_dd_f64(p, 1);
    cyacts__dd_f64 d = cyacts__fast_two_sum_f64(1.0, e.hi);
    d.lo += e.lo;
    double inv = 1.0 / d.hi;
    double q0 = 2.0 * e.hi * inv;
    double q1 = cyacts__div_residual_f64(2.0 * e.hi, 2.0 * e.lo, d.hi, d.lo, q0) * inv;
    cyacts__dd_f64 s = cyacts__two_sum_f64(a - 1.0, q0);
    double large = cyacts__sel_f64(a > 20.0, a - 1.0, s.hi + (s.lo + q1));
    return copysign(cyacts__sel_f64(a < 1.0, small, large), x);
}

/* tanh(x)^2: tanh|x| = -m/(2 + m), m = expm1(-2|x|) as in tanh (logistic.h), as a quotient
 * pair, squared with one rounding.  |x| clamped at 20 (tanh^2 rounds to 1 from 19.4). */
CYACTS__INLINE double cyacts_elem_tanhshrink_grad_f64(double x)
{
    double ax = fabs(x);
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(cyacts__sel_f64(ax > 20.0, 20.0, ax), 2.0, 0.0,
                                                   0, 0);
    double a = p.s - 1.0;
    double ae = (-1.0 - a) + p.s;
    double mh = CYACTS_FMA_F64(p.s, p.q, a);
    double ml = CYACTS_FMA_F64(p.s, p.q, a - mh);
    ml += ae + p.s * p.qt;
    cyacts__dd_f64 d = cyacts__fast_two_sum_f64(2.0, mh);
    d.lo += ml;
    double inv = 1.0 / d.hi;
    double t0 = mh * inv;
    double t1 = cyacts__div_residual_f64(mh, ml, d.hi, d.lo, t0) * inv;
    cyacts__dd_f64 sq = cyacts__two_prod_f64(t0, t0);
    return sq.hi + CYACTS_FMA_F64(2.0 * t0, t1, sq.lo);
}

/* ======================================================================================== */
/* float32                                                                                */
/* ======================================================================================== */

/* ------------------------------------------------------------------------ */
/* Shared parts                                                             */
/* ------------------------------------------------------------------------ */

/* a b as a pair, exact (without FMA through double: 24 x 24 bits fit in 53). */
CYACTS__INLINE cyacts__ff_f32 cyacts__two_prod_f32(float a, float b)
{
    cyacts__ff_f32 p;
    p.hi = a * b;
    p.lo = cyacts__mul_err_f32(a, b, p.hi);
    return p;
}

/* a + b as a pair, any magnitudes (TwoSum). */
CYACTS__INLINE cyacts__ff_f32 cyacts__two_sum_f32(float a, float b)
{
    cyacts__ff_f32 s;
    float bb;
    s.hi = a + b;
    bb = s.hi - a;
    s.lo = (a - (s.hi - bb)) + (b - bb);
    return s;
}

/* E = 2^64 exp(-|t|) for a pair t, as a pair with relative error ~2^-25 (the exp core's
 * reduction and q's rounding).  |t| is clamped at 130: 2^(k + 64) is normal down to k = -190,
 * and past 130 every caller selects its limit.  The low part enters the reduction exactly:
 * -|t| = -|t.hi| - sign(t.hi) t.lo, and |t.lo| <= 2^-17 up to 130. */
CYACTS__INLINE cyacts__ff_f32 cyacts__exp_neg_abs_2p64_f32(cyacts__ff_f32 t)
{
    float a = fabsf(t.hi);
    /* the low part is dropped where |t| is clamped (it is +-inf where beta x overflows) */
    float m = cyacts__sel_f32(a > 130.0f, 0.0f, cyacts__sel_f32(t.hi < 0.0f, -t.lo, t.lo));
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(-cyacts__min_f32(a, 130.0f), m);
    uint32_t b = p.k_bits + ((127u + 64u) << 23);
    memcpy(&p.s, &b, sizeof b);
    return cyacts__exp_ff_fused_f32(p);
}

/* sigmoid(t) = N/D from E = 2^64 exp(-|t|): N = E (t < 0) or 2^64, D = 2^64 + E (Fast2Sum:
 * E <= 2^64), both scaled alike, so the quotient needs no rescaling and rounds once where
 * it is subnormal.  Returned unnormalised as q0 + q1: q0 = N inv, q1 the correction from the
 * exact residual (|q1| <= 1.5 ulp(q0)), for callers that multiply it further. */
CYACTS__INLINE cyacts__ff_f32 cyacts__sigmoid_2p64_f32(float t, cyacts__ff_f32 E)
{
    cyacts__ff_f32 q;
    float dh = 0x1p64f + E.hi;
    float dl = ((0x1p64f - dh) + E.hi) + E.lo;
    float nh = cyacts__sel_f32(t < 0.0f, E.hi, 0x1p64f);
    float nl = cyacts__sel_f32(t < 0.0f, E.lo, 0.0f);
    float inv = 1.0f / dh;
    q.hi = nh * inv;
    q.lo = (-cyacts__mul_err_f32(q.hi, dh, nh) + (nl - q.hi * dl)) * inv;
    return q;
}

/* R(z) = (atanh(s) - s)/s^3, z = s^2 in [0, 1/9], degree 4 (relative error 2^-25, the
 * rounding of its constant term; R's share of log1p is at most 4 %). */
CYACTS__INLINE float cyacts__log1p_R_f32(float z)
{
    static const float c[5] = {
        0x1.f4aef2p-4f, 0x1.b6dc86p-4f, 0x1.24fbb4p-3f, 0x1.9997bep-3f, 0x1.555556p-2f};
    return cyacts__estrin_deg4_f32(z, c);
}

/* 2^64 log1p(u) as a pair from U = 2^64 u (a pair), 0 < u <= 1.  s = u/(2 + u): 2 + u by
 * Fast2Sum, S = 2^64 s = s0 + s1 by one corrected division (the residual is exact); then
 * 2^64 log1p(u) = 2 S + 2 S z R(z), z = s^2 <= 1/9, the second term below 4 % of the first:
 * relative error ~2^-28 besides U's own (log1p's condition number is <= 1 on [0, 1]).
 * z = (2^-64 s0)^2 underflows harmlessly where s is tiny. */
CYACTS__INLINE cyacts__ff_f32 cyacts__log1p_2p64_f32(cyacts__ff_f32 U)
{
    cyacts__ff_f32 L;
    float uh = U.hi * 0x1p-64f;
    float dh = 2.0f + uh;
    float dl = ((2.0f - dh) + uh) + U.lo * 0x1p-64f;
    float inv = 1.0f / dh;
    float s0 = U.hi * inv;
    float s1 = (-cyacts__mul_err_f32(s0, dh, U.hi) + (U.lo - s0 * dl)) * inv;
    float sh = s0 * 0x1p-64f;
    float z = sh * sh;
    float c = 2.0f * CYACTS_FMA_F32(s0, z * cyacts__log1p_R_f32(z), s1);
    float two_s0 = 2.0f * s0;
    L.hi = two_s0 + c;
    L.lo = (two_s0 - L.hi) + c;
    return L;
}

/* d (c0 + d P1(d)) for d = dh + dl (dh exact, |dl| <= ulp(dh)), c0 = c0h + c0l (the slope at
 * the zero, as a pair) and P1 of degree 6 (highest first): P1 by Horner's rule at dh, c0 +
 * d P1 as a pair (|d P1| <= 0.3 c0), the product with d rounded once: the result's error is
 * P1's fit and evaluation (relative to c0 + d P1, under 2^-27) and one rounding. */
CYACTS__INLINE float cyacts__root_poly_ff_f32(float dh, float dl, float c0h, float c0l,
                                              const float c[7])
{
    float p = CYACTS_FMA_F32(c[0], dh, c[1]);
    int i;
    CYACTS__UNROLL for (i = 2; i < 7; ++i) p = CYACTS_FMA_F32(p, dh, c[i]);
    float r = CYACTS_FMA_F32(dh, p, c0l);
    float ph = c0h + r;
    float pl = (c0h - ph) + r;
    return CYACTS_FMA_F32(dh, ph, CYACTS_FMA_F32(dh, pl, dl * ph));
}

/* 1 - exp(-w) = -expm1(-w) for a pair w: e = s (1 + q), q = r + r^2 c(r) as qh + ql, and
 * 1 - e = 2 ((1/2 - s/2) - (s/2) q): for k = 0 (|w| <= 0.35) that is -(qh + ql), full
 * relative accuracy as w -> 0; for k < 0, 1/2 - s/2 is exact and the result >= 0.29.  s/2
 * is built directly, so that for w < 0 (inputs no forward gives) the result overflows to -inf
 * where -expm1(-w) does, not before; w is clamped to [-89, 86] (s/2 normal; 1 - exp(-86)
 * rounds to 1). */
CYACTS__INLINE float cyacts__one_minus_exp_neg_f32(cyacts__ff_f32 w)
{
    float a = cyacts__min_f32(cyacts__max_f32(-w.hi, -86.0f), 89.0f);
    /* the low part is dropped where w is clamped (it is NaN where beta y overflows) */
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(a, cyacts__sel_f32(a != -w.hi, 0.0f, w.lo));
    uint32_t b = p.k_bits + (126u << 23);
    float h, c, qh, ql;
    memcpy(&h, &b, sizeof b); /* s/2 */
    c = p.t * p.c;
    qh = p.r + c;
    ql = (p.r - qh) + c;
    return 2.0f * (CYACTS_FMA_F32(-h, qh, 0.5f - h) - h * ql);
}

/* ------------------------------------------------------------------------ */
/* softplus and log_sigmoid                                                 */
/* ------------------------------------------------------------------------ */

/* softplus(x) = log1p(exp(t))/beta, t = beta x: (t > 0 ? x : 0) + log1p(u)/beta, u =
 * exp(-|t|); the two terms have the same sign (no cancellation), log1p(u)/beta is formed as
 * a pair (one corrected division, exact for a power-of-two beta) and the sum rounds once:
 * <= 1 ulp (log1p's pair ~2^-25, the sum 1/2).  With a threshold: x where fl(beta x) >
 * threshold (PyTorch's rule; threshold = inf never).  Past |t| = 130 the log term is below
 * 2^-187/|beta|: 0 for t < -130 (for |beta| >= 2^-87 that is below the flush limit). */
CYACTS__INLINE float cyacts_elem_softplus_f32(float x, float beta, float threshold)
{
    cyacts__ff_f32 t = cyacts__two_prod_f32(beta, x);
    cyacts__ff_f32 L = cyacts__log1p_2p64_f32(cyacts__exp_neg_abs_2p64_f32(t));
    float ib = 1.0f / beta; /* loop-invariant */
    float q0 = L.hi * ib;
    float q1 = (-cyacts__mul_err_f32(q0, beta, L.hi) + L.lo) * ib;
    cyacts__ff_f32 s = cyacts__two_sum_f32(cyacts__sel_f32(t.hi > 0.0f, x, 0.0f), q0 * 0x1p-64f);
    float y = s.hi + CYACTS_FMA_F32(q1, 0x1p-64f, s.lo);
    y = cyacts__sel_f32(t.hi < -130.0f, 0.0f * ib, y);
    return cyacts__sel_f32((t.hi > threshold) | (t.hi > 130.0f), x, y);
}

/* softplus'(x) = sigmoid(beta x), 1 where fl(beta x) > threshold (PyTorch's
 * softplus_backward); N/D with 2^64-scaled parts keeps subnormal slopes to t = -103.
 * <= 1.1 ulp.  Past t = -130: 0. */
CYACTS__INLINE float cyacts_elem_softplus_grad_f32(float x, float beta, float threshold)
{
    cyacts__ff_f32 t = cyacts__two_prod_f32(beta, x);
    cyacts__ff_f32 q = cyacts__sigmoid_2p64_f32(t.hi, cyacts__exp_neg_abs_2p64_f32(t));
    float g = cyacts__sel_f32(t.hi < -130.0f, 0.0f, q.hi + q.lo);
    return cyacts__sel_f32(t.hi > threshold, 1.0f, g);
}

/* From the output y: 1 - exp(-beta y) (= sigmoid(beta x)), 1 where fl(beta y) > threshold
 * (where y = x; just below the threshold y may pass it, within exp(-threshold)/beta). */
CYACTS__INLINE float cyacts_elem_softplus_grad_from_output_f32(float y, float beta,
                                                               float threshold)
{
    cyacts__ff_f32 w = cyacts__two_prod_f32(beta, y);
    return cyacts__sel_f32(w.hi > threshold, 1.0f, cyacts__one_minus_exp_neg_f32(w));
}

/* log_sigmoid(x) = -softplus(-x) = (x < 0 ? x : 0) - log1p(exp(-|x|)): both terms <= 0, the
 * sum rounds once, as for softplus.  Past x = 130: -0 (the value is below -2^-187). */
CYACTS__INLINE float cyacts_elem_log_sigmoid_f32(float x)
{
    cyacts__ff_f32 t;
    t.hi = x;
    t.lo = 0.0f;
    cyacts__ff_f32 L = cyacts__log1p_2p64_f32(cyacts__exp_neg_abs_2p64_f32(t));
    cyacts__ff_f32 s = cyacts__two_sum_f32(cyacts__sel_f32(x < 0.0f, x, 0.0f), L.hi * -0x1p-64f);
    float y = s.hi + CYACTS_FMA_F32(L.lo, -0x1p-64f, s.lo);
    y = cyacts__sel_f32(x < -130.0f, x, y);
    return cyacts__sel_f32(x > 130.0f, -0.0f, y);
}

/* log_sigmoid'(x) = sigmoid(-x) (PyTorch's log_sigmoid_backward), subnormal slopes kept. */
CYACTS__INLINE float cyacts_elem_log_sigmoid_grad_f32(float x)
{
    cyacts__ff_f32 t;
    t.hi = -x;
    t.lo = 0.0f;
    cyacts__ff_f32 q = cyacts__sigmoid_2p64_f32(t.hi, cyacts__exp_neg_abs_2p64_f32(t));
    return cyacts__sel_f32(x > 130.0f, 0.0f, q.hi + q.lo);
}

/* From the output y <= 0: 1 - exp(y) = -expm1(y). */
CYACTS__INLINE float cyacts_elem_log_sigmoid_grad_from_output_f32(float y)
{
    cyacts__ff_f32 w;
    w.hi = -y;
    w.lo = 0.0f;
    return cyacts__one_minus_exp_neg_f32(w);
}

/* ------------------------------------------------------------------------ */
/* SiLU: x sigmoid(beta x)                                                  */
/* ------------------------------------------------------------------------ */

/* silu(x) = x sigmoid(t), t = beta x exact: x q0 + x q1 with one rounding, <= 1 ulp.
 * sigmoid(t) is subnormal below t = -87.3, where |x| sigmoid(t) is below the flush limit
 * unless |beta| < 2^-19.  Past t = -130: +-0. */
CYACTS__INLINE float cyacts_elem_silu_f32(float x, float beta)
{
    cyacts__ff_f32 t = cyacts__two_prod_f32(beta, x);
    cyacts__ff_f32 q = cyacts__sigmoid_2p64_f32(t.hi, cyacts__exp_neg_abs_2p64_f32(t));
    float y = CYACTS_FMA_F32(x, q.hi, x * q.lo);
    y = cyacts__sel_f32(t.hi > 130.0f, x, y);
    y = cyacts__sel_f32(t.hi < -130.0f, copysignf(0.0f, x), y);
    return cyacts__sel_f32(x == x, y, x); /* NaN: x itself, not whichever NaN the FMA keeps */
}

/* silu'(x) = g(t) = sigmoid(t) (1 + t (1 - sigmoid(t))), t = beta x, with e = exp(-|t|):
 *   t >= 0: (1 + e + t e)/(1 + e)^2          t < 0: e (1 + e + t)/(1 + e)^2,
 * as n/(1 + e)^2 with n = M (1 + e + A): M = 2^64 E/e... that is M = E (t < 0) or 2^64, A = t
 * (t < 0) or t e, every part a pair, the quotient scaled by 2^-64 last (subnormal slopes
 * kept).  1 + e + t cancels at the zero t0 = -1.2785: within 0.4 of it g = d P(d), d = t - t0
 * (t.hi - t0.hi is exact there, Sterbenz).  Past t = -130: -0; past t = 130 (and +inf): 1. */
#define CYACTS__SILU_T0_HI_F32 -0x1.474974p+0f
#define CYACTS__SILU_T0_LO_F32 0x1.bdf6fap-27f
#define CYACTS__SILU_C0_HI_F32 0x1.be1410p-3f
#define CYACTS__SILU_C0_LO_F32 0x1.1814a0p-29f

CYACTS__INLINE float cyacts__silu_grad_root_f32(cyacts__ff_f32 t)
{
    static const float c[7] = {
        0x1.7752fep-13f, 0x1.9c57bcp-11f, 0x1.09b502p-13f, -0x1.b0e71cp-8f, -0x1.f2d066p-7f,
        0x1.353e9ep-6f, 0x1.2c5634p-3f};
    return cyacts__root_poly_ff_f32(t.hi - CYACTS__SILU_T0_HI_F32, t.lo - CYACTS__SILU_T0_LO_F32,
                                    CYACTS__SILU_C0_HI_F32, CYACTS__SILU_C0_LO_F32, c);
}

CYACTS__INLINE float cyacts_elem_silu_grad_f32(float x, float beta)
{
    cyacts__ff_f32 t = cyacts__two_prod_f32(beta, x);
    cyacts__ff_f32 E = cyacts__exp_neg_abs_2p64_f32(t);
    int neg = t.hi < 0.0f;
    cyacts__ff_f32 e, a, te, A, n, m, d2;
    e.hi = E.hi * 0x1p-64f;
    e.lo = E.lo * 0x1p-64f;
    a = cyacts__one_plus_ff_f32(e);
    te = cyacts__two_prod_f32(t.hi, e.hi);
    te.lo = CYACTS_FMA_F32(t.hi, e.lo, CYACTS_FMA_F32(t.lo, e.hi, te.lo));
    A.hi = cyacts__sel_f32(neg, t.hi, te.hi);
    A.lo = cyacts__sel_f32(neg, t.lo, te.lo);
    n = cyacts__add_ff_f32(a, A);
    m.hi = cyacts__sel_f32(neg, E.hi, 0x1p64f);
    m.lo = cyacts__sel_f32(neg, E.lo, 0.0f);
    /* M (1 + e + A) as a pair */
    d2 = cyacts__two_prod_f32(m.hi, n.hi);
    d2.lo = CYACTS_FMA_F32(m.hi, n.lo, CYACTS_FMA_F32(m.lo, n.hi, d2.lo));
    n = d2;
    d2 = cyacts__sqr_ff_f32(a);
    float g = cyacts__div_ff_f32(n.hi, n.lo, d2.hi, d2.lo) * 0x1p-64f;
    g = cyacts__sel_f32(fabsf(t.hi - CYACTS__SILU_T0_HI_F32) <= 0.4f, cyacts__silu_grad_root_f32(t),
                        g);
    g = cyacts__sel_f32(t.hi < -130.0f, -0.0f, g);
    g = cyacts__sel_f32(t.hi > 130.0f, 1.0f, g);
    return cyacts__sel_f32(x == x, g, x); /* NaN: x itself, whatever the pair arithmetic kept */
}

/* ------------------------------------------------------------------------ */
/* Mish: x tanh(softplus(x))                                                */
/* ------------------------------------------------------------------------ */

/* tanh(log1p(e)) = (e^2 + 2e)/(e^2 + 2e + 2), e = exp(x); with u = exp(-|x|) <= 1 (no
 * overflow): x < 0: N = u^2 + 2u, D = N + 2;  x >= 0: N = 1 + 2u, D = N + 2u^2 (numerator and
 * denominator times u^2).  mish = x N/D with N, D and x N as pairs, one corrected division:
 * <= 1 ulp (u's 2^-25 passes at most once).  Past x = 20 the result is x (tanh(softplus)
 * rounds to 1 from 9.1 on, and x N would overflow near the top of the range); below -87 it
 * is below 2^-119: -0. */
CYACTS__INLINE cyacts__ff_f32 cyacts__mish_u_f32(float x)
{
    cyacts__ff_f32 t;
    t.hi = cyacts__max_f32(x, -87.0f);
    t.lo = 0.0f;
    return cyacts__exp_neg_abs_2p64_f32(t);
}

CYACTS__INLINE float cyacts_elem_mish_f32(float x)
{
    cyacts__ff_f32 U = cyacts__mish_u_f32(cyacts__min_f32(x, 20.0f));
    cyacts__ff_f32 u, u2, u_2, nn, np, n, c, d, xn;
    int neg = x < 0.0f;
    u.hi = U.hi * 0x1p-64f;
    u.lo = U.lo * 0x1p-64f;
    u2 = cyacts__sqr_ff_f32(u);
    u_2.hi = 2.0f * u.hi;
    u_2.lo = 2.0f * u.lo;
    nn = cyacts__add_ff_f32(u2, u_2);
    np = cyacts__add_float_ff_f32(1.0f, u_2);
    n.hi = cyacts__sel_f32(neg, nn.hi, np.hi);
    n.lo = cyacts__sel_f32(neg, nn.lo, np.lo);
    c.hi = cyacts__sel_f32(neg, 2.0f, 2.0f * u2.hi);
    c.lo = cyacts__sel_f32(neg, 0.0f, 2.0f * u2.lo);
    d = cyacts__add_ff_f32(n, c);
    float xc = cyacts__min_f32(x, 20.0f);
    xn = cyacts__two_prod_f32(xc, n.hi);
    xn.lo = CYACTS_FMA_F32(xc, n.lo, xn.lo);
    float y = cyacts__div_ff_f32(xn.hi, xn.lo, d.hi, d.lo);
    y = cyacts__sel_f32(x < -87.0f, -0.0f, y);
    return cyacts__sel_f32(x > 20.0f, x, y);
}

/* mish'(x) = T + x T', T = N/D as above, T' = 4 e (1 + e)/d^2 (d = e^2 + 2e + 2), so
 *   x < 0:  u [(u + 2) D + 4x (1 + u)] / D^2,   D = u^2 + 2u + 2,
 *   x >= 0: [(1 + 2u) D + 4x u^2 (1 + u)] / D^2, D = 2u^2 + 2u + 1,
 * i.e. M K with M = u (x < 0) or 1 and K = (P D + 4x Q)/D^2, P = u + 2 or 1 + 2u, Q = 1 + u
 * or u^2 (1 + u); every part a pair, M as 2^64 u and the product scaled by 2^-64 last
 * (subnormal slopes kept down to x = -130).  P D + 4x Q cancels at the zero x0 = -1.1924:
 * within 0.4 of it mish' = d P(d), d = x - x0.  Past x = 20: 1; below -130: -0. */
#define CYACTS__MISH_X0_HI_F32 -0x1.31432cp+0f
#define CYACTS__MISH_X0_LO_F32 -0x1.a25b08p-29f
#define CYACTS__MISH_C0_HI_F32 0x1.115accp-2f
#define CYACTS__MISH_C0_LO_F32 -0x1.7b5fe8p-27f

CYACTS__INLINE float cyacts__mish_grad_root_f32(float x)
{
    static const float c[7] = {
        0x1.f5cf5ep-11f, 0x1.31b7cep-10f, -0x1.b7a740p-9f, -0x1.03528cp-6f, -0x1.4c23f0p-6f,
        0x1.574f6ep-5f, 0x1.a34a26p-3f};
    return cyacts__root_poly_ff_f32(x - CYACTS__MISH_X0_HI_F32, -CYACTS__MISH_X0_LO_F32,
                                    CYACTS__MISH_C0_HI_F32, CYACTS__MISH_C0_LO_F32, c);
}

CYACTS__INLINE float cyacts_elem_mish_grad_f32(float x)
{
    float xc = cyacts__min_f32(cyacts__max_f32(x, -130.0f), 20.0f);
    cyacts__ff_f32 t, U, u, u2, P, D, Q, PD, xq, k, m, d2;
    int neg = x < 0.0f;
    t.hi = xc;
    t.lo = 0.0f;
    U = cyacts__exp_neg_abs_2p64_f32(t);
    u.hi = U.hi * 0x1p-64f;
    u.lo = U.lo * 0x1p-64f;
    u2 = cyacts__sqr_ff_f32(u);
    cyacts__ff_f32 one_u = cyacts__add_float_ff_f32(1.0f, u);
    cyacts__ff_f32 u_2;
    u_2.hi = 2.0f * u.hi;
    u_2.lo = 2.0f * u.lo;
    /* P = u + 2 or 1 + 2u */
    cyacts__ff_f32 pu;
    pu.hi = cyacts__sel_f32(neg, u.hi, u_2.hi);
    pu.lo = cyacts__sel_f32(neg, u.lo, u_2.lo);
    P = cyacts__add_float_ff_f32(cyacts__sel_f32(neg, 2.0f, 1.0f), pu);
    /* D = u^2 + 2u + 2 or 2u^2 + 2u + 1 */
    cyacts__ff_f32 au2;
    au2.hi = cyacts__sel_f32(neg, u2.hi, 2.0f * u2.hi);
    au2.lo = cyacts__sel_f32(neg, u2.lo, 2.0f * u2.lo);
    D = cyacts__add_ff_f32(cyacts__add_float_ff_f32(cyacts__sel_f32(neg, 2.0f, 1.0f), u_2), au2);
    /* Q = 1 + u or u^2 (1 + u) */
    Q = cyacts__two_prod_f32(u2.hi, one_u.hi);
    Q.lo = CYACTS_FMA_F32(u2.hi, one_u.lo, CYACTS_FMA_F32(u2.lo, one_u.hi, Q.lo));
    Q.hi = cyacts__sel_f32(neg, one_u.hi, Q.hi);
    Q.lo = cyacts__sel_f32(neg, one_u.lo, Q.lo);
    PD = cyacts__two_prod_f32(P.hi, D.hi);
    PD.lo = CYACTS_FMA_F32(P.hi, D.lo, CYACTS_FMA_F32(P.lo, D.hi, PD.lo));
    xq = cyacts__two_prod_f32(4.0f * xc, Q.hi);
    xq.lo = CYACTS_FMA_F32(4.0f * xc, Q.lo, xq.lo);
    k = cyacts__add_ff_f32(PD, xq);
    /* M k */
    m.hi = cyacts__sel_f32(neg, U.hi, 0x1p64f);
    m.lo = cyacts__sel_f32(neg, U.lo, 0.0f);
    cyacts__ff_f32 n = cyacts__two_prod_f32(m.hi, k.hi);
    n.lo = CYACTS_FMA_F32(m.hi, k.lo, CYACTS_FMA_F32(m.lo, k.hi, n.lo));
    d2 = cyacts__sqr_ff_f32(D);
    float g = cyacts__div_ff_f32(n.hi, n.lo, d2.hi, d2.lo) * 0x1p-64f;
    g = cyacts__sel_f32(fabsf(x - CYACTS__MISH_X0_HI_F32) <= 0.4f, cyacts__mish_grad_root_f32(x), g);
    g = cyacts__sel_f32(x < -130.0f, -0.0f, g);
    return cyacts__sel_f32(x > 20.0f, 1.0f, g);
}

/* ------------------------------------------------------------------------ */
/* tanhshrink: x - tanh(x)                                                  */
/* ------------------------------------------------------------------------ */

/* Q(z) = (P(z) - 1/3)/z, P(z) = (x - tanh x)/x^3, z = x^2 in [0, 1], degree 6 (error of z Q
 * 2^-27.4 relative to P). */
CYACTS__INLINE float cyacts__tanhshrink_Q_f32(float z)
{
    static const float c[7] = {
        -0x1.2fdc2cp-13f, 0x1.e84f7cp-11f, -0x1.a5df24p-9f, 0x1.1d4e8cp-7f, -0x1.65b736p-6f,
        0x1.ba1318p-5f, -0x1.1110fcp-3f};
    float z2 = z * z, z4 = z2 * z2;
    float p0 = CYACTS_FMA_F32(c[5], z, c[6]);
    float p1 = CYACTS_FMA_F32(c[3], z, c[4]);
    float p2 = CYACTS_FMA_F32(c[1], z, c[2]);
    return CYACTS_FMA_F32(CYACTS_FMA_F32(c[0], z2, p2), z4, CYACTS_FMA_F32(p1, z2, p0));
}

/* With a = |x|:  a < 1: x^3 P(x^2), P = 1/3 + z Q(z) as a pair (1/3 as a pair too), x^2 and
 * x^2 P as pairs, times x with one rounding (<= 1 ulp: z Q's fit and rounding, at most 0.4 of
 * P, then the product);  a >= 1: x - tanh x = (a - 1) + 2e/(1 + e), e = exp(-2a): a - 1
 * exact, both terms >= 0, 2e/(1 + e) as a pair and the sum rounded once (<= 1 ulp).  The exp
 * argument is clamped at 2a = 19 (2e/(1+e) is then below 2^-26 (a - 1)); the sign comes back
 * by copysign (also for -0). */
#define CYACTS__THIRD_HI_F32 0x1.555556p-2f
#define CYACTS__THIRD_LO_F32 -0x1.555556p-27f

CYACTS__INLINE float cyacts_elem_tanhshrink_f32(float x)
{
    float a = fabsf(x);
    /* a < 1 */
    cyacts__ff_f32 z = cyacts__two_prod_f32(a, a);
    float w = z.hi * cyacts__tanhshrink_Q_f32(z.hi);
    float ph = CYACTS__THIRD_HI_F32 + w;
    float pl = ((CYACTS__THIRD_HI_F32 - ph) + w) + CYACTS__THIRD_LO_F32;
    cyacts__ff_f32 zp = cyacts__two_prod_f32(z.hi, ph);
    zp.lo = CYACTS_FMA_F32(z.hi, pl, CYACTS_FMA_F32(z.lo, ph, zp.lo));
    float small = CYACTS_FMA_F32(a, zp.hi, a * zp.lo);
    /* a >= 1 */
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(-2.0f * cyacts__min_f32(a, 9.5f), 0.0f);
    cyacts__ff_f32 e = cyacts__exp_ff_tail_f32(p);
    cyacts__ff_f32 d = cyacts__one_plus_ff_f32(e);
    float inv = 1.0f / d.hi;
    float q0 = 2.0f * e.hi * inv;
    float q1 = (-cyacts__mul_err_f32(q0, d.hi, 2.0f * e.hi) + (2.0f * e.lo - q0 * d.lo)) * inv;
    cyacts__ff_f32 s = cyacts__two_sum_f32(a - 1.0f, q0);
    float large = cyacts__sel_f32(a > 9.5f, a - 1.0f, s.hi + (s.lo + q1));
    return copysignf(cyacts__sel_f32(a < 1.0f, small, large), x);
}

/* tanhshrink'(x) = tanh(x)^2 (1 - tanh'(x), without its cancellation): tanh(|x|) = (1 - e)/
 * (1 + e) as a pair quotient (numerator and denominator as pairs, as in tanh), squared with
 * one rounding: <= 1 ulp.  |x| is clamped at 9.5 (tanh^2 rounds to 1 from 8.7 on). */
CYACTS__INLINE float cyacts_elem_tanhshrink_grad_f32(float x)
{
    float ax = fabsf(x);
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(-2.0f * cyacts__min_f32(ax, 9.5f), 0.0f);
    cyacts__ff_f32 e = cyacts__exp_ff_tail_f32(p);
    cyacts__ff_f32 d = cyacts__one_plus_ff_f32(e);
    float nh = 1.0f - e.hi;
    float nl = ((1.0f - nh) - e.hi) - e.lo;
    float n = nh + nl;
    nl = (nh - n) + nl;
    float inv = 1.0f / d.hi;
    float t0 = n * inv;
    float t1 = (-cyacts__mul_err_f32(t0, d.hi, n) + (nl - t0 * d.lo)) * inv;
    float sq = t0 * t0;
    return sq + CYACTS_FMA_F32(2.0f * t0, t1, cyacts__mul_err_f32(t0, t0, sq));
}

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_SOFTPLUS_H */
