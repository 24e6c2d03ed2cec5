"""Render cyacts_f64.h from cyacts_f64.h.in and the fitted coefficient files: a plain version of
the float64 kernels, every polynomial a Horner chain (the reference the fits are checked
against; the header's tables come from tools/fit/emit_tables.py).

    python gen_header.py [F degree] [G degree] [F error] [P error]
"""
import json
import sys

import mpmath as mp

mp.mp.dps = 50


def hexf(c):
    return float(c).hex()


def horner_body(c, var):
    """c[0] + var*(c[1] + var*(...)) with CYACTS_FMA_F64, one statement a step."""
    lines = [f"double p = {hexf(c[-1])};"]
    for ci in reversed(c[:-1]):
        lines.append(f"p = CYACTS_FMA_F64(p, {var}, {hexf(ci)});")
    return "\n    ".join(lines) + "\n    return p"


def split(x):
    h = float(x); l = float(x - mp.mpf(h)); return hexf(h), hexf(l)


fdeg = sys.argv[1] if len(sys.argv) > 1 else '22'
gdeg = sys.argv[2] if len(sys.argv) > 2 else '20'
ex = json.load(open('coef_exp.json'))
F = json.load(open(f'coef_F{fdeg}.json'))
G = json.load(open(f'coef_G{gdeg}.json'))
GT = json.load(open('coef_gt.json'))

c1 = 2*mp.sqrt(2/mp.pi); c2 = c1*mp.mpf('0.044715')
C1H, C1L = split(c1); C2H, C2L = split(c2)

txt = open('cyacts_f64.h.in').read()
rep = {
    'EXP9_POLY': horner_body(ex['c'], 'r'),
    'F_POLY': horner_body(F['c'], 's'), 'G_POLY': horner_body(G['c'], 's'),
    'P_POLY': horner_body(GT['c'], 'd'),
    'F_DEG': str(len(F['c']) - 1), 'G_DEG': str(len(G['c']) - 1), 'P_DEG': str(len(GT['c']) - 1),
    'A0H': hexf(G['a0h']), 'A0L': hexf(G['a0l']), 'X0H': hexf(GT['x0h']), 'X0L': hexf(GT['x0l']),
    'GTW': repr(GT['W']), 'C1H': C1H, 'C1L': C1L, 'C2H': C2H, 'C2L': C2L,
    'EXP9_ERR': '1.9e-17', 'F_ERR': sys.argv[3] if len(sys.argv) > 3 else '3.0e-17',
    'G_ERR': '1.2e-17', 'P_ERR': sys.argv[4] if len(sys.argv) > 4 else '5.7e-17',
}
for k, v in rep.items():
    txt = txt.replace('return @' + k + '@', v)   # polynomial bodies
    txt = txt.replace('@' + k + '@', v)
assert '@' not in txt, [l for l in txt.splitlines() if '@' in l]
open('cyacts_f64.h', 'w').write(txt)
print('wrote cyacts_f64.h')
