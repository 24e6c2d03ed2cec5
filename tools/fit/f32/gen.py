"""Fits the float32 exp core's c(r) and the erf GELU's R(t) and writes them to coef_exp.json and
coef_gelu_R.json (tools/fit/emit_tables.py turns them into the header tables)."""
import os

import numpy as np
from scipy import special

from fit import fit_f32, show, write_json

HERE = os.path.dirname(os.path.abspath(__file__))

# 1. exp: e^r = 1 + r + r^2 c(r), |r| <= ln2/2, weighted for absolute error on e^r
r = np.linspace(-0.3467, 0.3467, 4001); r = r[np.abs(r) > 1e-4]
tgt = (np.expm1(r) - r) / r**2
coef, err = fit_f32(np.stack([r**i for i in range(5)], 1), tgt, r**2 / np.exp(r))
show("exp c(r)", coef, err)
write_json(os.path.join(HERE, "coef_exp.json"),
           "c(r) = (e^r - 1 - r)/r^2 on |r| <= ln2/2, degree 4, absolute error of e^r", coef, err)

# 2. gelu: Q(z) = exp(-z^2/2) R(t), t = 1/(1 + 0.375 z), z in [0, 12], relative error on R
p = 0.375
z = np.concatenate([np.linspace(0, 2, 3000), np.linspace(2, 12, 3000)])
R = special.erfcx(z / np.sqrt(2)) / 2; t = 1 / (1 + p * z)
coef, err = fit_f32(np.stack([t**i for i in range(11)], 1), R, 1 / R)
show(f"gelu R(t) p={p}", coef, err)
write_json(os.path.join(HERE, "coef_gelu_R.json"),
           "R(t) = exp(z^2/2) Phi(-z), t = 1/(1 + 0.375 z), z in [0, 12], degree 10, "
           "relative error",
           coef, err)
