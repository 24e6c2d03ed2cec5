"""Fits the float32 exp core's c(r) and writes it to coef_exp.json (tools/fit/emit_tables.py turns
it into the header table)."""
import os

import numpy as np

from fit import fit_f32, show, write_json

HERE = os.path.dirname(os.path.abspath(__file__))

# exp: e^r = 1 + r + r^2 c(r), |r| <= ln2/2, weighted for absolute error on e^r
r = np.linspace(-0.3467, 0.3467, 4001); r = r[np.abs(r) > 1e-4]
tgt = (np.expm1(r) - r) / r**2
coef, err = fit_f32(np.stack([r**i for i in range(5)], 1), tgt, r**2 / np.exp(r))
show("exp c(r)", coef, err)
write_json(os.path.join(HERE, "coef_exp.json"),
           "c(r) = (e^r - 1 - r)/r^2 on |r| <= ln2/2, degree 4, absolute error of e^r", coef, err)
