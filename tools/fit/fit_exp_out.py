# exp / expm1 core polynomial: expm1(r) = r + r^2 * g(r), |r| <= ln2/2 (+ slack for the rounded
# k and the low part of a double-double argument), degree 9; writes coef_exp.json.
from fit import *
import json
L = mp.log(2) / 2 * mp.mpf('1.002')
def g(r): return (mp.expm1(r) - r) / r**2 if r != 0 else mp.mpf(0.5)
def w(r): return abs(r * r / mp.expm1(r)) if r != 0 else 0   # error relative to expm1(r)
deg = 9
c = fit_seq(g, -L, L, deg, w, iters=10)
print(deg, check(c, g, -L, L, w))
json.dump({'c': c}, open('coef_exp.json', 'w'))
