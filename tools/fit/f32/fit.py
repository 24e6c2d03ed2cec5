"""Minimax (weighted) polynomial fits by linear programming on a dense grid.
Coefficients are rounded to float32 one at a time (low order first) with the
remaining ones re-fitted, so the error reported is that of the float32 coefficients
evaluated exactly."""
import json

import numpy as np
from scipy.optimize import linprog


def lp_fit(basis, target, weight):
    for S in (2.0**26, 2.0**22, 2.0**18, 2.0**30, 2.0**14):
        try:
            return _lp_fit(basis, target, weight, S)
        except TypeError:
            pass
    raise RuntimeError("LP failed")


def _lp_fit(basis, target, weight, S):
    # minimise E s.t. |sum c_i basis_i - target| * weight <= E
    n = basis.shape[1]
    # HiGHS tolerances are absolute (~1e-7): scale the problem up by S
    A = basis * weight[:, None] * S; b = target * weight * S
    c = np.zeros(n + 1); c[-1] = 1
    Aub = np.vstack([np.hstack([A, -np.ones((len(b), 1))]), np.hstack([-A, -np.ones((len(b), 1))])])
    bub = np.concatenate([b, -b])
    r = linprog(c, A_ub=Aub, b_ub=bub, bounds=[(None, None)] * n + [(0, None)], method="highs")
    return r.x[:n], r.x[-1] / S


def fit_f32(basis, target, weight):
    n = basis.shape[1]; coef = np.zeros(n); done = []
    t = target.copy()
    for i in range(n):
        rest = [j for j in range(n) if j not in done]
        c, e = lp_fit(basis[:, rest], t, weight)
        ci = float(np.float32(c[0]))
        coef[rest[0]] = ci; done.append(rest[0]); t = t - ci * basis[:, rest[0]]
    err = np.max(np.abs(basis @ coef - target) * weight)
    return coef, err


def hex32(x):
    """A float32 value as an exact hex float with 6 hex digits, the header's spelling
    (0x1.fffffcp-2); float.fromhex reads it back."""
    x = float(np.float32(x))
    assert float(np.float32(x)) == x
    if x == 0:
        return "0x0p+0"
    s = x.hex()  # [-]0x1.<13 hex digits>p<exp>; a float32 uses the first 6 of them
    mant, exp = s.split("p")
    head, digits = mant.split(".")
    assert digits[6:] == "0" * 7, s
    return f"{head}.{digits[:6]}p{exp}"


def show(name, coef, err):
    print(f"{name}: max weighted err {err:.3e} = 2^{np.log2(err):.2f}")
    for i, c in enumerate(coef):
        print(f"  c{i} = {hex32(c)}f  /* {c:.9g} */")


def write_json(path, what, coef, err, **extra):
    """The coefficients (lowest degree first) as exact hex floats, for tools/fit/emit_tables.py."""
    data = {"what": what, "c": [hex32(c) for c in coef], "err": f"2^{np.log2(err):.2f}"}
    data.update(extra)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")
