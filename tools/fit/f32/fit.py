"""Minimax (relative-error) polynomial fits by linear programming on a dense grid.
Coefficients are rounded to float32 one at a time (low order first) with the
remaining ones re-fitted, so the printed error is that of the float32 coefficients
evaluated exactly."""
import numpy as np, sys
from scipy.optimize import linprog
from scipy import special

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

def fit_f32(basis, target, weight, fixed=None):
    n = basis.shape[1]; coef = np.zeros(n); done = []
    t = target.copy()
    for i in range(n):
        rest = [j for j in range(n) if j not in done]
        c, e = lp_fit(basis[:, rest], t, weight)
        ci = float(np.float32(c[0]))
        coef[rest[0]] = ci; done.append(rest[0]); t = t - ci * basis[:, rest[0]]
    err = np.max(np.abs(basis @ coef - target) * weight)
    return coef, err

def show(name, coef, err):
    print(f"{name}: max weighted err {err:.3e} = 2^{np.log2(err):.2f}")
    for i, c in enumerate(coef):
        print(f"  c{i} = {np.float32(c).item().hex()}f  /* {c:.9g} */")

if __name__ == "__main__":
    which = sys.argv[1]
    if which == "exp":
        deg = int(sys.argv[2])
        r = np.linspace(-0.3466, 0.3466, 4001); r = r[np.abs(r) > 1e-4]
        tgt = (np.expm1(r) - r) / r**2
        B = np.stack([r**i for i in range(deg + 1)], 1)
        show(f"exp c(r) deg {deg}", *fit_f32(B, tgt, 1 / tgt))
    if which == "expabs":
        deg = int(sys.argv[2])
        r = np.linspace(-0.3466, 0.3466, 4001); r = r[np.abs(r) > 1e-4]
        tgt = (np.expm1(r) - r) / r**2
        B = np.stack([r**i for i in range(deg + 1)], 1)
        show(f"exp c(r) deg {deg} abs-on-e^r", *fit_f32(B, tgt, r**2/np.exp(r)))
    if which == "gelu":
        deg = int(sys.argv[2]); p = float(sys.argv[3]); zmax = float(sys.argv[4]) if len(sys.argv) > 4 else 14.5
        z = np.concatenate([np.linspace(0, 2, 3000), np.linspace(2, zmax, 3000)])
        R = special.erfcx(z / np.sqrt(2)) / 2       # Q(z) * exp(z^2/2)
        t = 1 / (1 + p * z)
        B = np.stack([t**i for i in range(deg + 1)], 1)
        coef, err = fit_f32(B, R, 1 / R)
        show(f"gelu R(t) deg {deg} p {p}", coef, err)
        # condition: t*R'(t)/R
        print("max |c_i t^i|/R:", np.max(np.abs(B*coef).sum(1)/R))
