from fit import *
import json, sys
c0 = 1/mp.sqrt(2*mp.pi)
def Q(a): return mp.exp(a*a/2)*mp.ncdf(-a)
a0 = mp.findroot(lambda a: Q(a) - c0*a, 0.75)
C = mp.mpf(4); AMAX = mp.mpf(39)
smax = (AMAX - C)/(AMAX + C)
A = lambda s: C*(1+s)/(1-s)
F = lambda s: Q(A(s)) * (A(s) + C)
def G(s):
    a = A(s)
    if abs(a - a0) < mp.mpf('1e-20'): a = a0 + mp.mpf('1e-20')
    return (Q(a) - c0*a)/(a - a0)
deg = int(sys.argv[2])
which = sys.argv[1]
f = F if which == 'F' else G
c = fit_seq(f, -1, smax, deg, lambda s: 1/abs(f(s)), iters=8)
print(which, deg, check(c, f, -1, smax, lambda s: 1/abs(f(s)), n=1500))
a0h = float(a0); a0l = float(a0 - a0h)
json.dump({'c': c, 'a0h': a0h, 'a0l': a0l, 'C': float(C), 'smax': float(smax)}, open(f'coef_{which}{deg}.json', 'w'))
