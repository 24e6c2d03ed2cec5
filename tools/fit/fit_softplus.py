"""Fits the float64 polynomials of softplus.h (weighted minimax, coefficients rounded to double
one at a time; fit.py) and writes their JSON files (emit_tables.py turns them into the header
tables):
  coef_log1p.json        R(z) = (atanh(s) - s)/s^3, z = s^2 in [0, 1/9], relative error
  coef_tanhshrink.json   Q(z) = (P(z) - 1/3)/z, P(z) = (x - tanh x)/x^3, z = x^2 in [0, 1],
                         error of z Q relative to P (1/3 is added as a double-double)
  coef_silu_root.json    silu'(t0 + d) = d (c0 + d P1(d)), t = beta x, |d| <= W: P1, error of
                         d P1 relative to c0 + d P1; t0 and c0 as double-doubles
  coef_mish_root.json    the same for mish'(x0 + d)

    python fit_softplus.py [log1p|tanhshrink|silu|mish] ...   (default: all four)
"""
import json
import sys

from fit import check, fit_seq, mp

DEGREES = {"log1p": 10, "tanhshrink": 14, "silu": 11, "mish": 11}
WINDOW = 0.125
WHAT = {
    "log1p": "R(z) = (atanh(s) - s)/s^3, z = s^2 in [0, 1/9], relative error",
    "tanhshrink": "Q(z) = (P(z) - 1/3)/z, P(z) = (x - tanh x)/x^3, z = x^2 in [0, 1], error of "
                  "z Q relative to P",
    "silu": "silu'(t0 + d) = d (c0 + d P1(d)) in t = beta x, |d| <= 1/8: P1, error of d P1 "
            "relative to c0 + d P1",
    "mish": "mish'(x0 + d) = d (c0 + d P1(d)), |d| <= 1/8: P1, error of d P1 relative to "
            "c0 + d P1",
}


def atanh_ratio(z):
    if z < mp.mpf("1e-30"):
        return 1 / mp.mpf(3) + z / 5
    s = mp.sqrt(z)
    return (mp.atanh(s) - s) / s**3


def tanhshrink_ratio(z):
    if z < mp.mpf("1e-30"):
        return 1 / mp.mpf(3) - 2 * z / 15
    x = mp.sqrt(z)
    return (x - mp.tanh(x)) / x**3


def silu_grad(t):
    s = 1 / (1 + mp.exp(-t))
    return s * (1 + t * (1 - s))


def mish_grad(x):
    e = mp.exp(x)
    d = e * e + 2 * e + 2
    return ((e * e + 2 * e) * d + 4 * x * e * (1 + e)) / d**2


def dd(v):
    hi = float(v)
    return hi, float(v - hi)


def main(names):
    for name in names or list(DEGREES):
        deg = DEGREES[name]
        if name == "log1p":
            g, lo, hi, w = atanh_ratio, 0, mp.mpf(1) / 9, lambda z: 1 / atanh_ratio(z)
            extra = {}
        elif name == "tanhshrink":
            def g(z):
                return (tanhshrink_ratio(z) - 1 / mp.mpf(3)) / z if z > mp.mpf("1e-30") \
                    else -2 / mp.mpf(15)
            lo, hi = 0, 1
            def w(z):
                return z / tanhshrink_ratio(z)
            extra = {}
        else:
            f = silu_grad if name == "silu" else mish_grad
            x0 = mp.findroot(f, -1.2785 if name == "silu" else -1.1924)
            c0 = mp.diff(f, x0)

            def ratio(d, f=f, x0=x0, c0=c0):
                return f(x0 + d) / d if abs(d) > mp.mpf("1e-20") else c0

            def g(d, ratio=ratio, c0=c0, f=f, x0=x0):
                if abs(d) < mp.mpf("1e-20"):
                    return mp.diff(f, x0, 2) / 2
                return (ratio(d) - c0) / d

            def w(d, ratio=ratio):
                return abs(d) / abs(ratio(d)) if abs(d) > mp.mpf("1e-20") else 0

            lo, hi = -WINDOW, WINDOW
            (x0h, x0l), (c0h, c0l) = dd(x0), dd(c0)
            extra = dict(x0h=x0h, x0l=x0l, c0h=c0h, c0l=c0l, window=WINDOW)
        c = fit_seq(g, lo, hi, deg, w, iters=8)
        err, where = check(c, g, lo, hi, w, n=1000)
        print(name, deg, f"err {err:.3e} at {where:.6g}", flush=True)
        data = {"what": WHAT[name], "c": c, "err": err, "degree": deg}
        data.update(extra)
        with open(f"coef_{name}.json" if name in ("log1p", "tanhshrink")
                  else f"coef_{name}_root.json", "w") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
