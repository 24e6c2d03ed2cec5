/*
 * cyacts/gelu_tanh.h - GELU in its tanh form and its derivative (float64, then float32).
 * Included by cyacts.h (the header to include); compiles on its own.
 */
#ifndef CYACTS_GELU_TANH_H
#define CYACTS_GELU_TANH_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================== */
/* float64                                                                                */
/* ======================================================================================== */

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
#define CYACTS__GELU_TANH_C1_HI_F64 0x1.9884533d43651p+0
#define CYACTS__GELU_TANH_C1_LO_F64 -0x1.cbc0d30ebfd15p-54
#define CYACTS__GELU_TANH_C2_HI_F64 0x1.2444f2a4d8b4bp-4
#define CYACTS__GELU_TANH_C2_LO_F64 -0x1.6c843a29d1c70p-61
#define CYACTS__GELU_TANH_XMAX_F64 21.0
/* The derivative goes on to 21.8 (|v| = 774, f' < 2^-1100 beyond) with the exp
 * core scaled by 2^128, since grad_output * f' can lift a subnormal f'. */
#define CYACTS__GELU_TANH_XMAX_GRAD_F64 21.8

/* v = x (c1 + c2 x^2) as hi + lo: x^2, c2 x^2 and x A by exact products,
 * c1 + m by TwoSum (neither term dominates over the whole range); the dropped
 * terms and the roundings of the low parts are ~2^-100 relative.  Also returns
 * A = c1 + c2 x^2 and m = c2 x^2 (double-double) for the derivative. */
CYACTS__INLINE cyacts__dd_f64 cyacts__gelu_tanh_v_f64(double x, cyacts__dd_f64 *A_out,
                                                     cyacts__dd_f64 *m_out)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(x, x);
    cyacts__dd_f64 m = cyacts__two_prod_f64(CYACTS__GELU_TANH_C2_HI_F64, p.hi);
    m.lo = CYACTS_FMA_F64(CYACTS__GELU_TANH_C2_HI_F64, p.lo,
                          CYACTS_FMA_F64(CYACTS__GELU_TANH_C2_LO_F64, p.hi, m.lo));
    cyacts__dd_f64 A = cyacts__two_sum_f64(CYACTS__GELU_TANH_C1_HI_F64, m.hi);
    A.lo += m.lo + CYACTS__GELU_TANH_C1_LO_F64;
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
    cyacts__dd_f64 v = cyacts__gelu_tanh_v_f64(ax, &A, &m);
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(v.hi, 1.0, -v.lo, 0, 0);
    double e = CYACTS_FMA_F64(p.s, p.q, p.s);
    cyacts__dd_f64 d = cyacts__fast_two_sum_f64(1.0, e);
    cyacts__dd_f64 xe = cyacts__two_prod_f64(ax, e);
    double f = cyacts__div_dd_f64(cyacts__sel_sign_f64(x, xe.hi, ax),
                                  cyacts__sel_sign_f64(x, xe.lo, 0.0), d.hi, d.lo);
    f = cyacts__sel_sign_f64(CYACTS__GELU_TANH_XMAX_F64 - ax, cyacts__sel_sign_f64(x, 0.0, ax), f);
    /* gelu_tanh has the sign of x (x times a positive factor); copysign also
     * gives -0.0 for x = -0.0 and for x < -21 */
    return copysign(f, x);
}

/* Root of gelu_tanh' (x0 ~ -0.7526) as hi + lo, and P(d) = f'(x0 + d)/d on
 * |d| <= 0.03125, degree 8 (relative error 4.7e-17): used in that window,
 * where even the double-double closed form below loses relative accuracy
 * (its numerator cancels to 0 at x0, and e = exp(v) carries ~2^-55 error). */
#define CYACTS__GELU_TANH_X0_HI_F64 -0x1.81429f9e97e4dp-1
#define CYACTS__GELU_TANH_X0_LO_F64 0x1.4f523ed77dbdcp-55
#define CYACTS__GELU_TANH_ROOT_WIN_F64 0.03125

CYACTS__INLINE double cyacts__gelu_tanh_grad_root_poly_f64(double d)
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
    cyacts__dd_f64 v = cyacts__gelu_tanh_v_f64(ax, &A, &m);
    cyacts__exp_parts_f64 p = cyacts__exp_core_f64(v.hi, 1.0, -v.lo, 0, 128);
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
    double f = cyacts__div_dd_scaled_f64(n.hi, n.lo, d2.hi, d2.lo,
                                         cyacts__sel_sign_f64(x, p.sc, -p.sc),
                                         cyacts__sel_sign_f64(x, 0.0, 1.0));
    double dx = (x - CYACTS__GELU_TANH_X0_HI_F64) - CYACTS__GELU_TANH_X0_LO_F64;
    double fw = dx * cyacts__gelu_tanh_grad_root_poly_f64(dx);
    f = cyacts__sel_sign_f64(fabs(dx) - CYACTS__GELU_TANH_ROOT_WIN_F64, fw, f);
    return cyacts__sel_sign_f64(CYACTS__GELU_TANH_XMAX_GRAD_F64 - ax,
                                cyacts__sel_sign_f64(x, 0.0, 1.0), f);
}

/* ======================================================================================== */
/* float32                                                                                */
/* ======================================================================================== */

/* ------------------------------------------------------------------------ */
/* GELU tanh form: f = x * sigmoid(y) = x/(1 + E), y = 2u = x (A + B x^2),
 * A = 2 sqrt(2/pi), B = A * 0.044715, E = exp(-y).  y is carried as a float pair:
 * for x ~ -9, |y| ~ 70 and exp needs y to ~2^-27 absolute, more than a float holds.
 * E is not folded to exp(-|y|): in the negative tail E = 2^110 is a normal float
 * where exp(-|y|) = 2^-110 would make the low parts subnormal (slow, and inexact).
 * -y is clamped below at -40 (E x y' < 2^-50 from there).  Beyond |x| = 9.7 the
 * result is x (x > 0) or below 2^-120 (x < 0: flushed to -0), which also maps +-inf;
 * E stays below 2^117, so E (1 - x y') below 2^125. */
#define CYACTS__GELU_TANH_A_HI_F32 0x1.988454p0f /* A = A_HI + A_LO to 2^-49 */
#define CYACTS__GELU_TANH_A_LO_F32 -0x1.857936p-25f
#define CYACTS__GELU_TANH_B_HI_F32 0x1.2444f2p-4f /* B = B_HI + B_LO */
#define CYACTS__GELU_TANH_B_LO_F32 0x1.49b16ap-29f

/* y = A x + B x^3 and s = x y' = A x + 3 B x^3 as pairs (relative error ~2^-44).  With
 * FMA from exact products (A x and B x^3 as pairs, then TwoSums); without, from double,
 * where every exact float product would need a double product anyway (error 2^-50). */
typedef struct { cyacts__ff_f32 y, s; } cyacts__gelu_tanh_terms_f32;


CYACTS__INLINE cyacts__gelu_tanh_terms_f32 cyacts__gelu_tanh_y_and_s_f32(float x)
{
    cyacts__gelu_tanh_terms_f32 o;
#if CYACTS_HAS_FMA
    cyacts__ff_f32 a, p, p3;
    float x2h = x * x;
    float x2l = CYACTS_FMA_F32(x, x, -x2h);
    float x3h = x * x2h;
    float x3l = CYACTS_FMA_F32(x, x2l, CYACTS_FMA_F32(x, x2h, -x3h));
    a.hi = CYACTS__GELU_TANH_A_HI_F32 * x;
    a.lo = CYACTS_FMA_F32(CYACTS__GELU_TANH_A_LO_F32, x,
                          CYACTS_FMA_F32(CYACTS__GELU_TANH_A_HI_F32, x, -a.hi));
    p.hi = CYACTS__GELU_TANH_B_HI_F32 * x3h;
    p.lo = CYACTS_FMA_F32(CYACTS__GELU_TANH_B_HI_F32, x3l,
                          CYACTS_FMA_F32(CYACTS__GELU_TANH_B_LO_F32, x3h,
                                         CYACTS_FMA_F32(CYACTS__GELU_TANH_B_HI_F32, x3h, -p.hi)));
    p3.hi = 3.0f * p.hi;
    p3.lo = CYACTS_FMA_F32(3.0f, p.lo, CYACTS_FMA_F32(3.0f, p.hi, -p3.hi));
    o.y = cyacts__add_ff_f32(a, p);
    o.s = cyacts__add_ff_f32(a, p3);
#else
    const double A = 0x1.9884533d43651p0, B = 0x1.9884533d43651p0 * 0.044715;
    double xd = (double)x, x2 = xd * xd;
    double y = xd * (A + B * x2), s = xd * (A + 3.0 * B * x2);
    o.y.hi = (float)y;
    o.y.lo = (float)(y - (double)o.y.hi);
    o.s.hi = (float)s;
    o.s.lo = (float)(s - (double)o.s.hi);
#endif
    return o;
}

/* E = exp(-y) 2^(b - 127) as a pair (b: a biased exponent, 127 for E itself), y =
 * A x + B x^3 (-y clamped to [-40, 112.5]; 2^k 2^(b - 127) must stay normal). */
CYACTS__INLINE cyacts__ff_f32 cyacts__gelu_tanh_exp_f32(cyacts__ff_f32 y, uint32_t b)
{
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(-cyacts__min_f32(y.hi, 40.0f),
                                                   cyacts__sel_f32(y.hi > 40.0f, 0.0f, y.lo));
    b = p.k_bits + (b << 23);
    memcpy(&p.s, &b, sizeof b);
    return cyacts__exp_ff_fused_f32(p);
}

CYACTS__INLINE float cyacts_elem_gelu_tanh_f32(float x)
{
    float xc = cyacts__min_f32(cyacts__max_f32(x, -9.7f), 9.7f);
    cyacts__ff_f32 e = cyacts__gelu_tanh_exp_f32(cyacts__gelu_tanh_y_and_s_f32(xc).y, 127);
    cyacts__ff_f32 d = cyacts__add_float_ff_f32(1.0f, e);
    float f = cyacts__div_ff_f32(xc, 0.0f, d.hi, d.lo);
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
#define CYACTS__GELU_TANH_X0_HI_F32 -0x1.8142a0p-1f
#define CYACTS__GELU_TANH_X0_LO_F32 0x1.85a06cp-27f

CYACTS__INLINE float cyacts__gelu_tanh_grad_root_f32(float x)
{
    static const float c[8] = {
        -0x1.5441cep-9f, 0x1.3d680ep-8f, 0x1.431f06p-6f, -0x1.0f6c34p-6f, -0x1.d2b99ap-4f,
        -0x1.029eb4p-6f, 0x1.8cd1a4p-2f, 0x1.b8bacep-2f};
    return cyacts__root_poly_f32(x, CYACTS__GELU_TANH_X0_HI_F32, CYACTS__GELU_TANH_X0_LO_F32, c);
}

CYACTS__INLINE float cyacts_elem_gelu_tanh_grad_f32(float x)
{
    float xc = cyacts__min_f32(cyacts__max_f32(x, -11.0f), 9.7f);
    float c = cyacts__sel_f32(x < 0.0f, 0x1p-64f, 1.0f); /* 2^-64 for x < 0, else 1 */
    cyacts__gelu_tanh_terms_f32 t = cyacts__gelu_tanh_y_and_s_f32(xc);
    cyacts__ff_f32 e = cyacts__gelu_tanh_exp_f32(t.y, 127u - 64u * (uint32_t)(x < 0.0f)); /* c E */
    cyacts__ff_f32 s = t.s; /* x y' */
    cyacts__ff_f32 d = cyacts__add_float_ff_f32(c, e);
    float nh = CYACTS_FMA_F32(s.hi, e.hi, d.hi);
    float nl = CYACTS_FMA_F32(s.lo, e.hi, CYACTS_FMA_F32(s.hi, e.lo, d.lo));
    float inv = 1.0f / d.hi;
    float n_over_d = cyacts__div_inv_ff_f32(nh, nl, d.hi, d.lo, inv);
    float g = cyacts__div_inv_ff_f32(n_over_d, 0.0f, d.hi, d.lo, inv) * c;
    float root = cyacts__gelu_tanh_grad_root_f32(x);
    g = cyacts__sel_f32((x >= -1.15f) & (x <= -0.40f), root, g);
    g = cyacts__sel_f32(x > 9.7f, 1.0f, g);
    return cyacts__sel_f32(x < -11.0f, 0.0f, g);
}

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_GELU_TANH_H */
