import numpy as np, mpmath as mp
from fit import fit_f32, show
mp.mp.dps = 40
def gp(x):  # gelu'
    x = mp.mpf(x); return mp.ncdf(x) + x*mp.npdf(x)
A = mp.sqrt(2/mp.pi); Bc = mp.mpf('0.044715')
def gtp(x):  # gelu_tanh'
    x = mp.mpf(x); u = A*(x + Bc*x**3); th = mp.tanh(u)
    return 0.5*(1+th) + 0.5*x*(1-th**2)*A*(1+3*Bc*x**2)
for name, f, lo, hi in [("gelu_grad", gp, -1.15, -0.40), ("gelu_tanh_grad", gtp, -1.15, -0.40)]:
    x0 = mp.findroot(f, -0.75)
    hi32 = float(np.float32(float(x0))); lo32 = float(np.float32(float(x0 - hi32)))
    print(name, "root", mp.nstr(x0, 25), "hi", np.float32(hi32).item().hex(), "lo", np.float32(lo32).item().hex(),
          "resid", float(x0 - hi32 - lo32))
    xs = np.linspace(lo, hi, 1500); d = xs - float(x0)
    g = np.array([float(f(xx) / (mp.mpf(xx) - x0)) if abs(xx - float(x0)) > 1e-6 else float(mp.diff(f, x0)) for xx in xs])
    for deg in [7]:
        B = np.stack([d**i for i in range(deg + 1)], 1)
        coef, err = fit_f32(B, g, 1 / np.abs(g))
        print(deg, np.log2(err))
        if deg == 7: show(name + " root poly", coef, err)
