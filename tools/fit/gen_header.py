"""Generate cyacts_f64.h from cyacts_f64.h.in and the fitted coefficient files."""
import json, sys, os
import mpmath as mp
mp.mp.dps = 50

def hexf(c):
    return float(c).hex()

def horner(c, var):
    # c[0] + var*(c[1] + var*(...)) with CYACTS_FMA_F64, written out for the vectoriser
    e = hexf(c[-1])
    for ci in reversed(c[:-1]):
        e = f"CYACTS_FMA_F64({e}, {var}, {hexf(ci)})"
    # pretty: break lines
    return e

def horner_pretty(c, var, indent="        "):
    lines = [f"double p = {hexf(c[-1])};"]
    for ci in reversed(c[:-1]):
        lines.append(f"p = CYACTS_FMA_F64(p, {var}, {hexf(ci)});")
    return lines

fdeg = sys.argv[1] if len(sys.argv) > 1 else '22'
gdeg = sys.argv[2] if len(sys.argv) > 2 else '20'
ex = json.load(open('coef_exp.json'))
F = json.load(open(f'coef_F{fdeg}.json'))
G = json.load(open(f'coef_G{gdeg}.json'))
GT = json.load(open('coef_gt.json'))
errs = json.load(open('coef_errs.json')) if False else {}

def split(x):
    h = float(x); l = float(x - mp.mpf(h)); return hexf(h), hexf(l)
c1 = 2*mp.sqrt(2/mp.pi); c2 = c1*mp.mpf('0.044715')
C1H, C1L = split(c1); C2H, C2L = split(c2)

txt = open('cyacts_f64.h.in').read()

ESTRIN = os.environ.get('CYACTS_ESTRIN', '0') == '1'  # Estrin measured worse accuracy (gelu' 4.3 ulp at |s|~1)

def estrin_body(c, var):
    """Estrin's scheme: shorter dependency chains (the kernels are latency bound
    on 2/4-lane targets), same number of FMAs plus log2(n) squarings."""
    lines = []
    level = [hexf(x) for x in c]
    pw, pwexp, k = var, 1, 0
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            if i + 1 < len(level):
                nm = f"e{k}_{i // 2}"
                lines.append(f"double {nm} = CYACTS_FMA_F64({level[i + 1]}, {pw}, {level[i]});")
                nxt.append(nm)
            else:
                nxt.append(level[i])
        level = nxt; k += 1
        if len(level) > 1:
            npw = f"{var}{2 * pwexp}"
            lines.append(f"double {npw} = {pw} * {pw};")
            pw, pwexp = npw, 2 * pwexp
    return "\n    ".join(lines) + f"\n    return {level[0]}"

def body(c, var):
    if ESTRIN and len(c) > 9:
        return estrin_body(c, var)
    return _horner_body(c, var)

def _horner_body(c, var):
    ls = horner_pretty(c, var)
    return ("\n    ".join(ls[:-0] if False else ls) + "\n    return p")

rep = {
    'EXP9_POLY': body(ex['9'], 'r'), 'EXP10_POLY': body(ex['10'], 'r'),
    'F_POLY': body(F['c'], 's'), 'G_POLY': body(G['c'], 's'), 'P_POLY': body(GT['c'], 'd'),
    'F_DEG': str(len(F['c']) - 1), 'G_DEG': str(len(G['c']) - 1), 'P_DEG': str(len(GT['c']) - 1),
    'A0H': hexf(G['a0h']), 'A0L': hexf(G['a0l']), 'X0H': hexf(GT['x0h']), 'X0L': hexf(GT['x0l']),
    'GTW': repr(GT['W']), 'C1H': C1H, 'C1L': C1L, 'C2H': C2H, 'C2L': C2L,
    'EXP9_ERR': '1.9e-17', 'EXP10_ERR': '3.0e-19', 'F_ERR': sys.argv[3] if len(sys.argv) > 3 else '3.0e-17',
    'G_ERR': '1.2e-17', 'P_ERR': sys.argv[4] if len(sys.argv) > 4 else '5.7e-17',
}
for k, v in rep.items():
    txt = txt.replace('return @' + k + '@', v)   # polynomial bodies
    txt = txt.replace('@' + k + '@', v)
assert '@' not in txt, [l for l in txt.splitlines() if '@' in l]
open('cyacts_f64.h', 'w').write(txt)
print('wrote cyacts_f64.h')
