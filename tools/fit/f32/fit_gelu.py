"""Fits the two polynomials of the float32 erf GELU and writes coef_gelu_N.json and
coef_gelu_W.json (tools/fit/emit_tables.py turns them into the header tables).

Both are polynomials in s = (z - 4)/(z + 4), z = |x| in [0, 13] (s in [-1, 9/17]), of
R(z) = exp(z^2/2) Phi(-z), the Mills ratio over sqrt(2 pi):
  N(s) = (z + 7/8) R(z)                        degree 10: gelu(x) = x - z E y N, y = z/(z + 7/8)
  W(s) = (R(z) - z/sqrt(2 pi)) / (z - a0)      degree 8:  gelu'(x) = E (z - a0) W or 1 - that
(E = exp(-z^2/2); a0 = 0.7518 is the zero of R(z) - z/sqrt(2 pi), i.e. gelu'(-a0) = 0). The
factor 1/(z + 7/8) makes N flat (0.42 to 0.49) and W is flat by itself (-0.67 to -0.42), so the
variable part of each polynomial is a small fraction of its value, and its float roundings are
damped. The constant term is a float pair (c0_hi + c0_lo): a single float's rounding would be
the fit's whole error at s = 0. Minimax for relative error by linear programming on Chebyshev
nodes, the other coefficients rounded to float32 one at a time (fit.py); the error printed and
stored is the float32 coefficients' against mpmath on a denser grid. Needs numpy, scipy, mpmath.
"""
import os

import mpmath as mp
import numpy as np

from fit import fit_f32, hex32, lp_fit, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
mp.mp.dps = 30
C = mp.mpf(4)          # s = (z - C)/(z + C)
B = mp.mpf(7) / 8      # N = (z + B) R
ZMAX = mp.mpf(13)
SMAX = (ZMAX - C) / (ZMAX + C)
INV_SQRT_2PI = 1 / mp.sqrt(2 * mp.pi)


def R(z):
    return mp.exp(z * z / 2) * mp.ncdf(-z)


A0 = mp.findroot(lambda a: R(a) - INV_SQRT_2PI * a, 0.75)


def z_of(s):
    return C * (1 + s) / (1 - s)


def N(s):
    z = z_of(s)
    return (z + B) * R(z)


def W(s):
    z = z_of(s)
    if abs(z - A0) < mp.mpf("1e-15"):  # the removable singularity: the derivative there
        return mp.diff(lambda a: R(a) - INV_SQRT_2PI * a, A0)
    return (R(z) - INV_SQRT_2PI * z) / (z - A0)


def nodes(n):
    k = np.arange(n)
    u = np.cos(np.pi * (k + 0.5) / n)
    s = -1 + (float(SMAX) + 1) * (u + 1) / 2
    return np.concatenate([[-1.0, float(SMAX)], s])


def fit(f, deg, n=2500):
    """(c0_hi, c0_lo, [c1..c_deg]) for f on [-1, SMAX], relative error."""
    s = nodes(n)
    g = np.array([float(f(mp.mpf(si))) for si in s])
    basis = np.stack([s**i for i in range(deg + 1)], 1)
    exact, _ = lp_fit(basis, g, 1 / np.abs(g))
    c0_hi = float(np.float32(exact[0]))
    c0_lo = float(np.float32(exact[0] - c0_hi))
    rest, _ = fit_f32(basis[:, 1:], g - (c0_hi + c0_lo), 1 / np.abs(g))
    return c0_hi, c0_lo, list(rest)


def max_error(f, c0_hi, c0_lo, rest, n=6000):
    """Largest relative error of the float32 coefficients, evaluated exactly, on n + 1 points."""
    cs = [mp.mpf(c) for c in reversed(rest)]
    worst = 0
    for k in range(n + 1):
        s = -1 + (SMAX + 1) * mp.mpf(k) / n
        p = mp.mpf(c0_hi) + mp.mpf(c0_lo) + s * mp.polyval(cs, s)
        worst = max(worst, abs(p / f(s) - 1))
    return float(worst)


def main():
    a0_hi = float(np.float32(float(A0)))
    a0_lo = float(np.float32(float(A0 - a0_hi)))
    for name, f, deg, what, extra in [
        ("N", N, 10, "N(s) = (z + 7/8) exp(z^2/2) Phi(-z), s = (z - 4)/(z + 4), z in [0, 13], "
                     "degree 10: c0_hi + c0_lo + s (c[0] + c[1] s + ...), relative error", {}),
        ("W", W, 8, "W(s) = (exp(z^2/2) Phi(-z) - z/sqrt(2 pi))/(z - a0), s = (z - 4)/(z + 4), "
                    "z in [0, 13], a0 = a0_hi + a0_lo its zero, degree 8: "
                    "c0_hi + c0_lo + s (c[0] + c[1] s + ...), relative error",
         {"a0_hi": hex32(a0_hi), "a0_lo": hex32(a0_lo)}),
    ]:
        c0_hi, c0_lo, rest = fit(f, deg)
        err = max_error(f, c0_hi, c0_lo, rest)
        print(f"gelu {name}(s): relative error 2^{np.log2(err):.2f}, "
              f"c0 = {hex32(c0_hi)} + {hex32(c0_lo)}, then " + ", ".join(hex32(c) for c in rest))
        write_json(os.path.join(HERE, f"coef_gelu_{name}.json"), what, rest, err,
                   c0_hi=hex32(c0_hi), c0_lo=hex32(c0_lo), **extra)


if __name__ == "__main__":
    main()
