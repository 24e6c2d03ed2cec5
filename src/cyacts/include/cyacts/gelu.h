/*
 * cyacts/gelu.h - GELU in its erf form and its derivative (float64, then float32).
 * Included by cyacts.h (the header to include); compiles on its own.
 */
#ifndef CYACTS_GELU_H
#define CYACTS_GELU_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================== */
/* float64                                                                                */
/* ======================================================================================== */

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
        0x1.25380c542486cp-16, -0x1.85999bd42d089p-13, 0x1.443f63f701983p-13, 0x1.d4c82229ee0e9p-10,
        -0x1.37754d8170964p-7, 0x1.cc1e2623d969dp-6, -0x1.ef4ff80137924p-5, 0x1.a763001ac67ddp-4,
        -0x1.d94de78425463p-2};
    return cyacts__horner_f64(s, c, 21);
}

/* exp(-a^2/2) (double-double) with a^2 kept exact as a double-double: exp amplifies an
 * argument error by a^2, which would cost up to ~700 ulp at a = 38. */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_neg_half_sq_f64(double a)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(a, a);
    return cyacts__exp_flushed_dd_f64(p.hi, 0.5, -0.5 * p.lo);
}

/* The same times 2^128 (a <= 39 gives a^2/2 <= 760.5, inside the scaled
 * domain); *sc receives 2^-128. */
CYACTS__INLINE cyacts__dd_f64 cyacts__exp_neg_half_sq_scaled_f64(double a, double *sc)
{
    cyacts__dd_f64 p = cyacts__two_prod_f64(a, a);
    cyacts__exp_parts_f64 q = cyacts__exp_core_f64(p.hi, 0.5, -0.5 * p.lo, 0, 128);
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
    cyacts__dd_f64 E = cyacts__exp_neg_half_sq_f64(a);
    /* T = E w F with E w in double-double: ~1 rounding + F's error. */
    cyacts__dd_f64 Ew = cyacts__two_prod_f64(E.hi, w.hi);
    Ew.lo += E.hi * w.lo + E.lo * w.hi;
    double T = CYACTS_FMA_F64(Ew.hi, F, Ew.lo * F);
    /* Select first, subtract after: a select arm that does arithmetic gets sunk
     * into a branch, which -ftrapping-math then forbids if-converting.
     * x < 0 gives -0.0 - T (= -T, and gelu(-0.0) = -0.0).
     * A NaN x gives T (|x| quieted): the compiler may turn -0.0 - T into -T in one of the
     * vector body and the scalar tail only, flipping the NaN's sign with its position. */
    return cyacts__sel_f64(x != x, T, cyacts__sel_f64(x >= 0.0, x, -0.0) - T);
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
    cyacts__dd_f64 E = cyacts__exp_neg_half_sq_scaled_f64(a, &sc);
    double da = (a - CYACTS__GELU_A0_HI_F64) - CYACTS__GELU_A0_LO_F64;
    double DW = da * cyacts__gelu_G_f64(s);
    double ED = CYACTS_FMA_F64(E.hi, DW, E.lo * DW);
    int pos = x >= 0.0; /* selects on constants only (see cyacts_elem_gelu_f64) */
    return cyacts__sel_f64(pos, 1.0, 0.0) + (cyacts__sel_f64(pos, -1.0, 1.0) * sc) * ED;
}

/* ======================================================================================== */
/* float32                                                                                */
/* ======================================================================================== */

/* ------------------------------------------------------------------------ */
/* GELU (erf form), in float arithmetic.  With z = |x| and R(z) = exp(z^2/2) Phi(-z) (the
 * Mills ratio over sqrt(2 pi), smooth on [0, inf)), both functions take
 *   E = exp(-z^2/2) = 2^k (1 + q)  the exp core, with z^2 = h + l exactly: exp amplifies an
 *                                  error in z^2 by z^2/2, up to 84.5;
 *   s = (z - 4)/(z + 4)            mapping z in [0, 13] onto [-1, 9/17] (the float64 fits'
 *                                  variable: its pole z = -4 is far enough for low degrees);
 * and a polynomial in s that is flat: its variable part is at most 0.09 (gelu) and 0.31
 * (gelu') of its value, so that part's float roundings are damped, and s's own rounding
 * (one division, s = 2 z/(z + 4) - 1) costs less than 0.45 ulp.  The constant terms are
 * float pairs.  Beyond z = 13, |gelu| < 2^-123: z is clamped there (which also maps +-inf). */
#define CYACTS__GELU_ZMAX_F32 13.0f
#define CYACTS__GELU_C_F32 4.0f   /* s = (z - C)/(z + C) */
#define CYACTS__GELU_B_F32 0.875f /* gelu's prefactor z/(z + B) */

/* a b + c rounded once where the bounds need it: an FMA, or without one the exact product and
 * the sum in double (rounded twice, which differs from one rounding in rare ties only). */
#if CYACTS_HAS_FMA
#define CYACTS__GELU_FMA_F32(a, b, c) CYACTS_FMA_F32(a, b, c)
#else
#define CYACTS__GELU_FMA_F32(a, b, c) ((float)((double)(a) * (double)(b) + (double)(c)))
#endif

typedef struct { float e, q, s; } cyacts__gelu_parts_f32; /* E = e (1 + q), e = 2^k */

CYACTS__INLINE cyacts__gelu_parts_f32 cyacts__gelu_core_f32(float z)
{
    cyacts__gelu_parts_f32 o;
    float h = z * z;
    cyacts__exp_parts_f32 p = cyacts__exp_core_f32(-0.5f * h, 0.5f * cyacts__mul_err_f32(z, z, h));
    o.e = p.s; /* z^2/2 <= 84.5: 2^k >= 2^-122 stays normal */
    o.q = CYACTS_FMA_F32(p.t, p.c, p.r);
    o.s = CYACTS_FMA_F32(2.0f, z / (z + CYACTS__GELU_C_F32), -1.0f); /* 2 z/(z + C) - 1 */
    return o;
}

/* gelu = x Phi(x) = x - T (x >= 0), -T (x < 0), with
 *   T = z Phi(-z) = E y N(s),  y = z/(z + B),  N(s) = (z + B) R(z),
 * N of degree 10 with relative error 2^-28.8, between 0.42 and 0.49: the factor 1/(z + B)
 * takes out R's decay (R ~ 1/(z sqrt(2 pi)); R(0) = 1/2).  y is a float pair from the second
 * division and its exact residual.  The rest is one sum, T = 2^k (A_hi N0 + corr), with
 * A = y (1 + q) as a pair, N's constant term N0 (a pair) times A exactly, and corr, at most
 * ~0.1 of T, holding the variable part A s N1(s) and the low parts: the only full rounding
 * is the last one.  T >= 2^-124 stays normal; below x = -13 it is flushed (gelu = -0). */
#define CYACTS__GELU_N0_HI_F32 0x1.d74c44p-2f
#define CYACTS__GELU_N0_LO_F32 0x1.37f9e0p-27f

/* (N(s) - N0)/s, degree 9 */
CYACTS__INLINE float cyacts__gelu_N1_f32(float s)
{
    static const float c[10] = {
        -0x1.286746p-14f, -0x1.a060aap-15f, 0x1.7740b2p-11f, -0x1.95ecbcp-12f, -0x1.4c2de2p-8f,
        0x1.37563cp-6f, -0x1.275d1cp-5f, 0x1.33b808p-5f, -0x1.95c0e6p-10f, -0x1.34da90p-4f};
    float p = c[0];
    int i;
    CYACTS__UNROLL for (i = 1; i < 10; ++i) p = CYACTS_FMA_F32(p, s, c[i]);
    return p;
}

CYACTS__INLINE float cyacts_elem_gelu_f32(float x)
{
    float a = fabsf(x);
    float z = cyacts__sel_f32(!(a <= CYACTS__GELU_ZMAX_F32), CYACTS__GELU_ZMAX_F32, a); /* NaN too */
    cyacts__gelu_parts_f32 g = cyacts__gelu_core_f32(z);
    /* y = yh + yl: z + B = d + dl exactly (d - B is exact), z - yh d exactly, 1/(z + B) = (1 - y)/B */
    float d = z + CYACTS__GELU_B_F32;
    float dl = z - (d - CYACTS__GELU_B_F32);
    float yh = z / d;
    float rho = -cyacts__mul_err_f32(yh, d, z) - yh * dl;
    float yl = rho * ((1.0f - yh) * (1.0f / CYACTS__GELU_B_F32));
    /* A = y (1 + q): fl(yh + yh q) and its error (yh - ah is exact: 1 + q in [0.7, 1.42]) */
    float ah = CYACTS__GELU_FMA_F32(yh, g.q, yh);
    float al = CYACTS__GELU_FMA_F32(yh, g.q, yh - ah) + CYACTS_FMA_F32(yl, g.q, yl);
    float t = ah * CYACTS__GELU_N0_HI_F32;
    float corr = cyacts__mul_err_f32(ah, CYACTS__GELU_N0_HI_F32, t);
    corr = CYACTS_FMA_F32(ah, CYACTS__GELU_N0_LO_F32, corr);
    corr = CYACTS_FMA_F32(al, CYACTS__GELU_N0_HI_F32, corr);
    corr = CYACTS_FMA_F32(ah * g.s, cyacts__gelu_N1_f32(g.s), corr);
    t = (t + corr) * cyacts__sel_f32(x < -CYACTS__GELU_ZMAX_F32, 0.0f, g.e);
    /* A NaN x gives x quieted: z = 13 keeps T finite, so x is the only NaN operand. */
    return cyacts__sel_f32(x < 0.0f, -0.0f, x) - t;
}

/* gelu'(x) = Phi(x) + x phi(x) = E D (x < 0), 1 - E D (x >= 0), with
 *   D = R(z) - z/sqrt(2 pi) = (z - a0) W(s),
 * a0 = 0.7518 the zero of D (gelu'(-a0) = 0) as a float pair, W of degree 8, relative error
 * 2^-26.4, between -0.67 and -0.42.  Dividing the zero out keeps gelu' relative accuracy
 * there: z - a0_hi is exact near it (Sterbenz, z in [0.38, 1.5]), a0_lo is applied in the
 * product.  W's last step is a float pair (Fast2Sum: |s W1(s)| < 0.21 < |W0|). */
#define CYACTS__GELU_A0_HI_F32 0x1.80ead2p-1f
#define CYACTS__GELU_A0_LO_F32 -0x1.a03fd4p-27f
#define CYACTS__GELU_W0_HI_F32 -0x1.d94de8p-2f
#define CYACTS__GELU_W0_LO_F32 0x1.2f63b4p-28f

/* (W(s) - W0)/s, degree 7 */
CYACTS__INLINE float cyacts__gelu_W1_f32(float s)
{
    static const float c[8] = {
        -0x1.44bc0ep-16f, -0x1.9615a0p-13f, 0x1.6ccf14p-13f, 0x1.d6ca3ap-10f, -0x1.3791e6p-7f,
        0x1.cc1890p-6f, -0x1.ef4f82p-5f, 0x1.a7630ep-4f};
    float p = c[0];
    int i;
    CYACTS__UNROLL for (i = 1; i < 8; ++i) p = CYACTS_FMA_F32(p, s, c[i]);
    return p;
}

CYACTS__INLINE float cyacts_elem_gelu_grad_f32(float x)
{
    float z = cyacts__min_f32(fabsf(x), CYACTS__GELU_ZMAX_F32); /* NaN passes */
    cyacts__gelu_parts_f32 g = cyacts__gelu_core_f32(z);
    float w1 = cyacts__gelu_W1_f32(g.s);
    float ph = w1 * g.s;
    float wh = CYACTS__GELU_W0_HI_F32 + ph;
    float wl = ((CYACTS__GELU_W0_HI_F32 - wh) + ph) +
               (cyacts__mul_err_f32(w1, g.s, ph) + CYACTS__GELU_W0_LO_F32);
    float da = z - CYACTS__GELU_A0_HI_F32;
    float dw = CYACTS__GELU_FMA_F32(da, wh, CYACTS_FMA_F32(da, wl, -CYACTS__GELU_A0_LO_F32 * wh));
    float ed = g.e * CYACTS__GELU_FMA_F32(dw, g.q, dw);
    int pos = x >= 0.0f; /* selects on constants only (see cyacts_elem_gelu_f64) */
    float y = cyacts__sel_f32(pos, 1.0f, 0.0f) + cyacts__sel_f32(pos, -1.0f, 1.0f) * ed;
    return cyacts__sel_f32(x < -CYACTS__GELU_ZMAX_F32, -0.0f, y); /* -inf too */
}

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_GELU_H */
