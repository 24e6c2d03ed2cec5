"""Weighted minimax polynomial fitting (Lawson IRLS) in mpmath, for cyacts f64 kernels.
fit_seq(g, lo, hi, deg, w): p (monomial in x, double coefficients) minimising
max |w(x) * (p(x) - g(x))| on [lo, hi], the coefficients rounded to double one at a time;
check(c, g, lo, hi, w): that error, the coefficients evaluated exactly in mpmath."""
import mpmath as mp
mp.mp.dps = 50

def check(c, g, lo, hi, w=lambda x: 1, n=2000):
    lo = mp.mpf(lo); hi = mp.mpf(hi)
    cm = [mp.mpf(ci) for ci in reversed(c)]
    e = 0; where = None
    for k in range(n + 1):
        x = lo + (hi - lo) * k / n
        d = abs(w(x) * (mp.polyval(cm, x) - g(x)))
        if d > e: e, where = d, x
    return float(e), float(where)

def fit_seq(g, lo, hi, deg, w=lambda x: 1, npts=None, iters=10, order=None):
    """Lawson fit, then round coefficients to double one at a time (in 'order'),
    refitting the free ones after each rounding: recovers most of the accuracy lost
    to coefficient rounding."""
    lo = mp.mpf(lo); hi = mp.mpf(hi)
    npts = npts or 6 * (deg + 1)
    xs = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (k + 0.5) / npts) for k in range(npts)] + [lo, hi]
    gs = [g(x) for x in xs]
    wf = [w(x) for x in xs]
    fixed = {}
    order = order if order is not None else list(range(deg + 1))
    for step in range(deg + 2):
        free = [j for j in range(deg + 1) if j not in fixed]
        if not free: break
        tg = [gs[i] - sum(cj * xs[i] ** j for j, cj in fixed.items()) for i in range(len(xs))]
        lw = [wi ** 2 for wi in wf]
        best = None
        for it in range(iters):
            n = len(free)
            M = mp.matrix(n, n); b = mp.matrix(n, 1)
            for i, x in enumerate(xs):
                pw = [x ** j for j in free]
                for p in range(n):
                    b[p] += lw[i] * tg[i] * pw[p]
                    for q in range(n):
                        M[p, q] += lw[i] * pw[p] * pw[q]
            cf = mp.lu_solve(M, b)
            errs = [abs(wf[i] * (sum(cf[p] * xs[i] ** free[p] for p in range(n)) - tg[i])) for i in range(len(xs))]
            e = max(errs)
            if best is None or e < best[0]: best = (e, cf)
            s = sum(lw[i] * errs[i] for i in range(len(xs)))
            lw = [lw[i] * errs[i] / s for i in range(len(xs))]
        cf = best[1]
        nxt = [j for j in order if j not in fixed][0]
        fixed[nxt] = mp.mpf(float(cf[free.index(nxt)]))
    return [float(fixed[j]) for j in range(deg + 1)]
