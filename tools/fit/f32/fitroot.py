"""Fits the polynomial around the zero of the tanh-form GELU's derivative (float32):
gelu_tanh'(x) = d P(d), d = x - x0 on [-1.15, -0.40], x0 as a float pair; writes
coef_gelu_tanh_grad_root.json (tools/fit/emit_tables.py turns it into the header table). The erf
form's derivative divides its zero out of its polynomial instead (fit_gelu.py)."""
import os

import mpmath as mp
import numpy as np

from fit import fit_f32, hex32, show, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
mp.mp.dps = 40
DEG = 7


A = mp.sqrt(2/mp.pi); Bc = mp.mpf('0.044715')


def gtp(x):  # gelu_tanh'
    x = mp.mpf(x); u = A*(x + Bc*x**3); th = mp.tanh(u)
    return 0.5*(1+th) + 0.5*x*(1-th**2)*A*(1+3*Bc*x**2)


for name, f, lo, hi in [("gelu_tanh_grad", gtp, -1.15, -0.40)]:
    x0 = mp.findroot(f, -0.75)
    hi32 = float(np.float32(float(x0))); lo32 = float(np.float32(float(x0 - hi32)))
    print(name, "root", mp.nstr(x0, 25), "hi", hex32(hi32), "lo", hex32(lo32),
          "resid", float(x0 - hi32 - lo32))
    xs = np.linspace(lo, hi, 1500); d = xs - float(x0)
    g = np.array([float(f(xx) / (mp.mpf(xx) - x0)) if abs(xx - float(x0)) > 1e-6
                  else float(mp.diff(f, x0)) for xx in xs])
    coef, err = fit_f32(np.stack([d**i for i in range(DEG + 1)], 1), g, 1 / np.abs(g))
    show(name + " root poly", coef, err)
    write_json(os.path.join(HERE, f"coef_{name}_root.json"),
               f"P(d) = {name.replace('_grad', '')}'(x0 + d)/d for x0 + d in [{lo}, {hi}], "
               f"degree {DEG}, relative error", coef, err, x0_hi=hex32(hi32), x0_lo=hex32(lo32))
