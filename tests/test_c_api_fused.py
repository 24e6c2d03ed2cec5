"""The C API's gated units and fused-bias functions, from one C99 program.

Every gated function (forward; derivative with grad_output NULL and not, and in place into
gate and value) and every cyacts_<name>_bias_<dtype> of the registry is called on the same
inputs as the extension's public functions, built with the extension's flags, and must give
the extension's baseline results bit for bit (those are checked against the oracle by
test_gated.py and test_bias.py).
"""
import subprocess

import numpy as np
import pytest

import cyacts
from cyacts import _ops

from _cases import c_literal
from test_c_api import BASELINE, SUFFIX, _build, _extension_flags, level

ROWS, COLS = 7, 301  # odd: vector tails in every row; > the bias block (256)
N = ROWS * COLS
DTYPES = tuple(SUFFIX)
CTYPE = {"f32": "float", "f64": "double"}


def _gated_calls():
    """(label, C call, Python function of (x, v, g, b) giving the outputs) per gated kernel."""
    calls = []
    for unit in _ops.GATED:
        for params in unit.op.variants():
            kernel = unit.kernel_for(params)
            scalars = {p.name: p.number(params.get(p.name, p.default)) for p in unit.op.scalars}
            lits = "".join(f", (T){c_literal(v)}" for v in scalars.values())
            fwd = getattr(cyacts, unit.name)
            grad = getattr(cyacts, unit.name + "_grad")
            calls.append((f"{kernel}", f"cyacts_{kernel}_SFX(x, v, y, n{lits}); EMIT(y);",
                          lambda x, v, g, b, f=fwd, p=params: [f(x, v, **p)]))
            for gname, gexpr in (("NULL", None), ("g", True)):
                calls.append((
                    f"{kernel}_grad({gname})",
                    f"cyacts_{kernel}_grad_SFX(x, v, {gname}, y, y2, n{lits}); EMIT(y); EMIT(y2);",
                    lambda x, v, g, b, f=grad, p=params, use=gexpr: list(
                        f(x, v, g if use else None, **p))))
            calls.append((
                f"{kernel}_grad in place",
                f"memcpy(y, x, n * sizeof(T)); memcpy(y2, v, n * sizeof(T)); "
                f"cyacts_{kernel}_grad_SFX(y, y2, g, y, y2, n{lits}); EMIT(y); EMIT(y2);",
                lambda x, v, g, b, f=grad, p=params: list(f(x, v, g, **p))))
    return calls


def _bias_calls():
    calls = []
    for kernel in _ops.bias_kernels():
        use = _ops.kernel_uses()[kernel.name]
        op = use.op
        for params in op.variants():
            if op.kernel_for(params) != kernel.name:
                continue
            full = {p.name: p.number(params.get(p.name, p.default)) for p in op.params}
            lits = "".join(f", (T){c_literal(full[name])}" for name in kernel.params)
            fn = getattr(cyacts, op.name)
            calls.append((
                f"{kernel.name}_bias {params}",
                f"cyacts_{kernel.name}_bias_SFX(x, b, y, {ROWS}, {COLS}{lits}); EMIT(y);",
                lambda x, v, g, b, f=fn, p=params: [f(x.reshape(ROWS, COLS), **p,
                                                      bias=b[:COLS]).reshape(-1)]))
            calls.append((
                f"{kernel.name}_bias in place {params}",
                f"memcpy(y, x, n * sizeof(T)); cyacts_{kernel.name}_bias_SFX(y, b, y, {ROWS}, {COLS}"
                f"{lits}); EMIT(y);",
                lambda x, v, g, b, f=fn, p=params: [f(x.reshape(ROWS, COLS), **p,
                                                      bias=b[:COLS]).reshape(-1)]))
    return calls


CALLS = _gated_calls() + _bias_calls()

_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cyacts/cyacts.h>

#define EMIT(a) do { if (fwrite(a, sizeof *(a), n, out) != n) return 3; } while (0)
%(runs)s
int main(int argc, char **argv) {
    size_t n = %(n)d;
    FILE *in, *out;
    void *buf = malloc(4 * n * sizeof(double)), *y = malloc(n * sizeof(double)),
         *y2 = malloc(n * sizeof(double));
    int rc;
    if (argc != 4 || !buf || !y || !y2) return 1;
    in = fopen(argv[2], "rb");
    out = fopen(argv[3], "wb");
    if (!in || !out) return 2;
    if (strcmp(argv[1], "f32") == 0) {
        if (fread(buf, sizeof(float), 4 * n, in) != 4 * n) return 2;
        rc = run_f32((const float *)buf, (float *)y, (float *)y2, n, out);
    } else {
        if (fread(buf, sizeof(double), 4 * n, in) != 4 * n) return 2;
        rc = run_f64((const double *)buf, (double *)y, (double *)y2, n, out);
    }
    fclose(in);
    free(buf); free(y); free(y2);
    return fclose(out) != 0 || rc != 0 ? 4 : 0;
}
"""


def _program():
    runs = []
    for sfx, ctype in CTYPE.items():
        body = [c.replace("_SFX(", f"_{sfx}(").replace("(T)", f"({ctype})")
                .replace("sizeof(T)", f"sizeof({ctype})") for _, c, _ in CALLS]
        body = ["    " + line for line in body]
        runs.append(
            f"static int run_{sfx}(const {ctype} *in, {ctype} *y, {ctype} *y2, size_t n, "
            f"FILE *out) {{\n    const {ctype} *x = in, *v = in + n, *g = in + 2 * n, "
            f"*b = in + 3 * n;\n" + "\n".join(body) + "\n    return 0;\n}\n")
    return _PROGRAM % {"runs": "\n".join(runs), "n": N}


def _inputs(dtype):
    rng = np.random.default_rng(11)
    x = rng.normal(0, 4, N)
    x[:6] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 30.0]
    v = rng.normal(0, 2, N)
    g = rng.normal(0, 1, N)
    b = rng.normal(0, 1, N)
    return [a.astype(dtype) for a in (x, v, g, b)]


def test_gated_and_bias_functions_match_the_extension(tmp_path):
    src = tmp_path / "fused.c"
    source = _program()
    # every gated and fused-bias function of the registry is called
    for name in _ops.c_functions():
        kernel = _ops.kernel_uses().get(name)
        if name.endswith("_bias") or (kernel is not None and kernel.gated is not None):
            assert f"cyacts_{name}_f32(" in source, name
    src.write_text(source)
    exe = _build("c", [src], ["-std=c99", "-pedantic", *_extension_flags(), "-Wall", "-Wextra",
                              "-Werror"], tmp_path / "fused", tmp_path)
    errors = []
    for dtype in DTYPES:
        sfx = SUFFIX[dtype]
        arrays = _inputs(dtype)
        np.concatenate(arrays).tofile(tmp_path / "in.bin")
        proc = subprocess.run([str(exe), sfx, str(tmp_path / "in.bin"), str(tmp_path / "out.bin")],
                              capture_output=True)
        assert proc.returncode == 0, proc
        got = np.fromfile(tmp_path / "out.bin", dtype=dtype)
        at = 0
        with level(BASELINE):
            for label, _, python in CALLS:
                for want in python(*arrays):
                    part = got[at:at + N]
                    at += N
                    if part.tobytes() != np.asarray(want, dtype).tobytes():
                        bad = np.flatnonzero(part.view(f"u{dtype.itemsize}")
                                             != np.asarray(want, dtype).view(f"u{dtype.itemsize}"))
                        errors.append(f"cyacts_{label} {sfx}: {bad.size} differ, e.g. at "
                                      f"{bad[:3]}")
        assert at == got.size
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)
