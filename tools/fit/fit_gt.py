# gelu_tanh' root window: P(d) = f'(x0 + d)/d on |d| <= W
from fit import *
import json, sys
c1 = 2*mp.sqrt(2/mp.pi); c2 = c1*mp.mpf('0.044715')
def fp(x):
    v = x*(c1 + c2*x*x); vp = c1 + 3*c2*x*x
    S = 1/(1+mp.exp(-v))
    return S + x*S*(1-S)*vp
x0 = mp.findroot(fp, -0.75)
W = mp.mpf(sys.argv[1]); deg = int(sys.argv[2])
def P(d):
    if abs(d) < mp.mpf('1e-25'): return mp.diff(fp, x0)
    return fp(x0 + d)/d
c = fit_seq(P, -W, W, deg, lambda d: 1/abs(P(d)), iters=8)
print(W, deg, check(c, P, -W, W, lambda d: 1/abs(P(d)), n=800))
x0h = float(x0); x0l = float(x0 - x0h)
json.dump({'c': c, 'x0h': x0h, 'x0l': x0l, 'W': float(W)}, open(f'coef_gt.json', 'w'))
