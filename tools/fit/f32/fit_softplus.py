"""Fits the float32 polynomials of softplus.h and writes their JSON files (tools/fit/emit_tables.py
turns them into the header tables):
  coef_log1p.json            R(z) = (atanh(s) - s)/s^3, z = s^2 in [0, 1/9] (log1p(u) = 2 atanh(s),
                             s = u/(2 + u), u in [0, 1]), degree 4, relative error
  coef_tanhshrink.json       Q(z) = (P(z) - 1/3)/z, P(z) = (x - tanh x)/x^3, z = x^2 in [0, 1],
                             degree 6, error of z Q relative to P (1/3 is added as a pair)
  coef_silu_grad_root.json   silu'(t0 + d) = d (c0 + d P1(d)) in t = beta x, |d| <= 0.4: P1 of
                             degree 6 (error of d P1 relative to c0 + d P1), and t0 and
                             c0 = silu''(t0) as pairs
  coef_mish_grad_root.json   the same for mish'(x0 + d)
"""
import os

import mpmath as mp
import numpy as np

from fit import fit_f32, hex32, show, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
mp.mp.dps = 40


def series(f, z):
    """f at every z (as mpmath numbers), rounded to double."""
    return np.array([float(f(mp.mpf(float(v)))) for v in z])


def atanh_ratio(z):
    s = mp.sqrt(z)
    return (mp.atanh(s) - s) / s**3 if s > 1e-4 else 1 / mp.mpf(3) + z / 5 + z**2 / 7


def tanhshrink_ratio(z):
    x = mp.sqrt(z)
    return (x - mp.tanh(x)) / x**3 if x > 1e-4 else 1 / mp.mpf(3) - 2 * z / 15 + 17 * z**2 / 315


def silu_grad(t):
    s = 1 / (1 + mp.exp(-t))
    return s * (1 + t * (1 - s))


def mish_grad(x):
    e = mp.exp(x)
    d = e * e + 2 * e + 2
    return ((e * e + 2 * e) * d + 4 * x * e * (1 + e)) / d**2


z = np.linspace(0, 1 / 9, 3000)
g = series(atanh_ratio, z)
coef, err = fit_f32(np.stack([z**i for i in range(5)], 1), g, 1 / g)
show("log1p", coef, err)
write_json(os.path.join(HERE, "coef_log1p.json"),
           "R(z) = (atanh(s) - s)/s^3, z = s^2 in [0, 1/9], degree 4, relative error", coef, err)

z = np.linspace(0, 1, 3000)[1:]
p = series(tanhshrink_ratio, z)
q = series(lambda v: (tanhshrink_ratio(v) - 1 / mp.mpf(3)) / v, z)
coef, err = fit_f32(np.stack([z**i for i in range(7)], 1), q, z / p)
show("tanhshrink", coef, err)
write_json(os.path.join(HERE, "coef_tanhshrink.json"),
           "Q(z) = (P(z) - 1/3)/z, P(z) = (x - tanh x)/x^3, z = x^2 in [0, 1], degree 6, error "
           "of z Q relative to P", coef, err)

WIN, DEG = 0.4, 6
for name, f, guess in (("silu_grad", silu_grad, -1.2785), ("mish_grad", mish_grad, -1.1924)):
    x0 = mp.findroot(f, guess)
    slope = mp.diff(f, x0)
    pair = lambda v: (float(np.float32(float(v))),
                      float(np.float32(float(v - float(np.float32(float(v)))))))
    x0_hi, x0_lo = pair(x0)
    c0_hi, c0_lo = pair(slope)
    print(name, "root", mp.nstr(x0, 25), "slope", mp.nstr(slope, 25))
    xs = np.linspace(float(x0) - WIN, float(x0) + WIN, 1500)
    xs = xs[np.abs(xs - float(x0)) > 1e-5]
    d = xs - float(x0)
    ratio = [f(mp.mpf(v)) / (mp.mpf(v) - x0) for v in xs]
    g = np.array([float(r) for r in ratio])
    p1 = np.array([float((r - slope) / (mp.mpf(v) - x0)) for r, v in zip(ratio, xs)])
    coef, err = fit_f32(np.stack([d**i for i in range(DEG + 1)], 1), p1, np.abs(d / g))
    show(name + " root poly", coef, err)
    var = "t = beta x" if name == "silu_grad" else "x"
    write_json(os.path.join(HERE, f"coef_{name}_root.json"),
               f"P1(d) = ({name.replace('_grad', '')}'(x0 + d)/d - c0)/d in {var}, |d| <= {WIN}, "
               f"degree {DEG}, error of d P1 relative to c0 + d P1", coef, err,
               x0_hi=hex32(x0_hi), x0_lo=hex32(x0_lo), c0_hi=hex32(c0_hi), c0_lo=hex32(c0_lo))
