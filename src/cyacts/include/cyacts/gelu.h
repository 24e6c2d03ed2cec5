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
/* GELU (erf form).  With z = |x| and Q(z) = Phi(-z) = erfc(z/sqrt2)/2:
 *   Q(z) = exp(-z^2/2) * R(t),  t = 1/(1 + 0.375 z),
 * R = Mills-ratio-like smooth factor, degree-10 polynomial in t with relative
 * error 2^-28.2 on z in [0, 12] (the negative tail is below 2^-100 after 11.8).
 * z^2 is split exactly into h + l because exp(-z^2/2) amplifies an error in z^2
 * by up to 85; E = exp(-z^2/2) goes to double exactly as 2^k (1 + r + t c). */

typedef struct { double e, r; float z; } cyacts__gelu_q_parts_f32;

/* R(t) in double; Estrin's scheme: the double steps are the long dependency chain here. */
CYACTS__INLINE double cyacts__gelu_R_f32(double t)
{
    static const double c[11] = {
        0x1.9e5eb2p-6, -0x1.438a04p-3, 0x1.9b690ap-2, -0x1.009d70p-1, 0x1.204c30p-2, -0x1.7dae76p-4,
        0x1.f33b48p-4, 0x1.f376b8p-4, 0x1.33ff92p-3, 0x1.324752p-3, 0x1.a18d42p-20};
    return cyacts__estrin_deg10_f64(t, c);
}

CYACTS__INLINE cyacts__gelu_q_parts_f32 cyacts__gelu_q_f32(float x)
{
    cyacts__gelu_q_parts_f32 o;
    cyacts__exp_parts_f32 p;
    float z = cyacts__min_f32(fabsf(x), 13.0f); /* z^2/2 <= 84.5: 2^k stays normal */
    float h = z * z;
    p = cyacts__exp_core_f32(-0.5f * h, 0.5f * cyacts__mul_err_f32(z, z, h));
    o.e = (double)p.s * (1.0 + ((double)p.r + (double)(p.t * p.c)));
    /* t and R in double: in float the rounding of t (amplified ~2x by R'(t)) and Horner
     * cancellation (sum |c_i t^i| / R up to 8) cost ~2 ULP on their own */
    o.r = cyacts__gelu_R_f32(1.0 / (0.375 * (double)z + 1.0));
    o.z = z;
    return o;
}

/* gelu(x) = x (1 - Q(|x|)) for x >= 0, -|x| Q(|x|) for x < 0 (erfc form:
 * no cancellation in the negative tail).  Below x = -13 the result (< 2^-120) is
 * flushed to -0, which also maps -inf. */
CYACTS__INLINE float cyacts_elem_gelu_f32(float x)
{
    cyacts__gelu_q_parts_f32 g = cyacts__gelu_q_f32(x);
    double q = g.e * g.r;
    double xd = (double)x;
    double neg = -(double)g.z * q;
    double pos = xd * (1.0 - q);
    float y = cyacts__sel_f32(x < -13.0f, -0.0f, (float)cyacts__sel_double_f32(x < 0.0f, neg, pos));
    /* A NaN x gives x quieted: in x * (1 - q) both factors are NaN, and which one's sign
     * survives depends on the operand order the compiler picked for the body or the tail.
     * (xd + xd quiets it; (float)xd would be folded back to x.) */
    return cyacts__sel_f32(x != x, (float)(xd + xd), y);
}

/* gelu'(x) = Phi(x) + x phi(x).  With D = R - z/sqrt(2 pi):
 *   x < 0: E*D,  x >= 0: 1 - E*D  (E = exp(-z^2/2)).
 * D cancels at the zero of gelu' (x0 = -0.75179...): there the float error
 * of R (~2^-25) would dominate, so on [-1.15, -0.40] use
 *   gelu'(x) = d * P(d),  d = x - x0 (x0 as float hi + lo; x - hi is exact by
 * Sterbenz), P a degree-7 fit with relative error 2^-26.3. */
#define CYACTS__GELU_X0_HI_F32 -0x1.80ead2p-1f
#define CYACTS__GELU_X0_LO_F32 0x1.a03fd4p-27f

CYACTS__INLINE float cyacts__gelu_grad_root_f32(float x)
{
    static const float c[8] = {
        -0x1.22b89ap-9f, 0x1.192f5ap-8f, 0x1.3e3e38p-6f, -0x1.e326b8p-7f, -0x1.d2fa7cp-4f,
        -0x1.2a32f4p-6f, 0x1.8d9a94p-2f, 0x1.b9d990p-2f};
    return cyacts__root_poly_f32(x, CYACTS__GELU_X0_HI_F32, CYACTS__GELU_X0_LO_F32, c);
}

CYACTS__INLINE float cyacts_elem_gelu_grad_f32(float x)
{
    cyacts__gelu_q_parts_f32 g = cyacts__gelu_q_f32(x);
    double ed = g.e * (g.r - (double)g.z * 0x1.9884533d43651p-2); /* 1/sqrt(2pi) */
    double pos = 1.0 - ed;
    float main = (float)cyacts__sel_double_f32(x < 0.0f, ed, pos);
    float root = cyacts__gelu_grad_root_f32(x);
    main = cyacts__sel_f32(x < -13.0f, -0.0f, main);
    return cyacts__sel_f32((x >= -1.15f) & (x <= -0.40f), root, main);
}

#ifdef __cplusplus
}
#endif

#endif /* CYACTS_GELU_H */
