"""Prints every coefficient set used in cyacts_f32.h (reproducible)."""
import numpy as np, mpmath as mp
from scipy import special
from fit import fit_f32, show
# 1. exp: e^r = 1 + r + r^2 c(r), |r| <= ln2/2, weighted for absolute error on e^r
r = np.linspace(-0.3467, 0.3467, 4001); r = r[np.abs(r) > 1e-4]
tgt = (np.expm1(r) - r) / r**2
show("exp c(r)", *fit_f32(np.stack([r**i for i in range(5)], 1), tgt, r**2 / np.exp(r)))
# 2. gelu: Q(z) = exp(-z^2/2) R(t), t = 1/(1+p z), z in [0,12], relative error on R
for p in (0.375, 0.34375):
    z = np.concatenate([np.linspace(0, 2, 3000), np.linspace(2, 12, 3000)])
    R = special.erfcx(z / np.sqrt(2)) / 2; t = 1 / (1 + p * z)
    show(f"gelu R(t) p={p}", *fit_f32(np.stack([t**i for i in range(11)], 1), R, 1 / R))
