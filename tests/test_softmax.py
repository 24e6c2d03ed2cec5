"""The reductions (softmax, log_softmax, logsumexp, softmax_grad, log_softmax_grad), from the
registry (cyacts._ops.REDUCTIONS): against the oracle (cyacts.reference, extended precision)
at the published ULP bounds, over dtypes, axes and layouts; the semantics of the special
values; bad input; the same bits whatever the thread count, the SIMD level and the layout; the
C API from C; dask.
"""
import shutil
import subprocess
import sys
import warnings

import ml_dtypes
import numpy as np
import pytest

import cyacts
from cyacts import _core, _ops, reference
from cyacts._ulp import FLUSH, ulp_distance

REDUCTIONS = [pytest.param(r, id=r.name) for r in _ops.REDUCTIONS]
FORWARD = [pytest.param(r, id=r.name) for r in _ops.REDUCTIONS if not r.is_grad]
GRADS = [pytest.param(r, id=r.name) for r in _ops.REDUCTIONS if r.is_grad]
F32, F64 = np.dtype(np.float32), np.dtype(np.float64)
BF16 = np.dtype(ml_dtypes.bfloat16)
# the x86-64 SSE2 baseline has no fused multiply-add: its last bits may differ (README)
FMA_LEVELS = [lv for lv in _core.AVAILABLE_LEVELS if lv != "baseline"]


def _inputs(red, shape, dtype, rng, scale=4.0):
    """The arrays of a call: x; or y = the forward's output and a grad_output."""
    x = (rng.normal(size=shape) * scale).astype(dtype)
    if not red.is_grad:
        return (x,)
    forward = cyacts.softmax if red.name == "softmax_grad" else cyacts.log_softmax
    y = forward(x.astype(np.float64), axis=-1).astype(dtype)
    return y, rng.normal(size=shape).astype(dtype)


def _call(red, arrays, axis=-1, **kw):
    return getattr(cyacts, red.name)(*arrays, axis, **kw)


def _oracle(red, arrays, axis=-1, **kw):
    return getattr(reference, red.reference_name)(*arrays, axis, **kw)


def _scale(red, arrays, axis, dtype):
    """What the bound is relative to (registry: ulp_of): for the derivatives the larger of
    the two terms, for logsumexp max(|max|, log(sum)) where they cancel; None: the result."""
    w = [np.asarray(a, np.float64) for a in arrays]
    if red.name == "softmax_grad":
        dot = np.sum(w[0] * w[1], axis=axis, keepdims=True)
        return np.abs(w[0]) * np.maximum(np.abs(w[1]), np.abs(dot))
    if red.name == "log_softmax_grad":
        total = np.sum(w[1], axis=axis, keepdims=True)
        return np.maximum(np.abs(w[1]), np.abs(np.exp(w[0]) * total))
    if red.name == "logsumexp":
        m = np.max(w[0], axis=axis)
        return np.maximum(np.abs(m), np.abs(np.log(np.sum(np.exp(w[0] - np.expand_dims(
            m, axis if axis is not None else 0)), axis=axis))))
    return None


def assert_within_bound(red, got, want, arrays, axis=-1):
    """got within the registry's ULP bound of the correctly rounded `want` (or of the scale
    the registry names), NaN where want is NaN; results below the flush threshold may be 0."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype)
    assert np.array_equal(np.isnan(got), np.isnan(want)), "NaN positions differ"
    dtype = got.dtype
    if dtype.itemsize == 2:  # float32 results rounded once: within one 16-bit ULP
        d = ulp_distance(got, want)
        small = np.abs(want.astype(np.float64)) < 2.0**-100
        assert int(np.max(np.where(small, 0, d), initial=0)) <= 1
        return
    bound = red.ulp[dtype.name]
    d = ulp_distance(got, want).astype(np.float64)
    flush = FLUSH[dtype]
    d[(np.abs(want) < flush) & (np.abs(got) <= 2 * flush)] = 0
    scale = _scale(red, arrays, axis, dtype)
    if scale is not None:  # the error in ULPs of the scale, where that is larger
        with np.errstate(all="ignore"):
            err = np.abs(got.astype(np.float64) - want.astype(np.float64))
            spacing = np.spacing(np.broadcast_to(scale, err.shape).astype(dtype)).astype(float)
            d = np.minimum(d, np.where(np.isfinite(err), err / spacing, d))
    worst = float(np.nanmax(d, initial=0))
    assert worst <= bound, f"{red.name} {dtype}: {worst} ULP (bound {bound})"


# --------------------------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------------------------
def test_registry_matches_every_layer():
    names = [r.name for r in _ops.REDUCTIONS]
    assert list(_core.REDUCTIONS) == names, "rebuild after `python tools/generate.py`"
    header = (cyacts.get_include() + "/cyacts/" + _ops.REDUCTION_HEADER)
    text = open(header).read()
    for r in _ops.REDUCTIONS:
        assert callable(getattr(cyacts, r.name)) and r.name in cyacts.__all__, r.name
        assert callable(getattr(reference, r.reference_name)), r.reference_name
        assert r.reference_name in reference.__all__, r.reference_name
        if r.inplace:
            assert callable(getattr(cyacts, r.name + "_")), r.name + "_"
        assert r.ulp and set(r.ulp) >= {"float32", "float64"}, f"{r.name}: ulp bounds"
        assert r.formula, r.name
        assert f"X({r.name}," in text, f"{r.name} is not a row of {_ops.REDUCTION_HEADER}"


# --------------------------------------------------------------------------------------------
# against the oracle
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("red", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, ml_dtypes.bfloat16],
                         ids=["f32", "f64", "f16", "bf16"])
@pytest.mark.parametrize("shape,axis", [((7, 300), -1), ((300, 7), 0), ((5, 6, 70), 1),
                                        ((3, 4, 5), None), ((1000,), 0), ((9, 1), -1)],
                         ids=["rows", "axis0", "middle", "none", "1d", "len1"])
def test_matches_the_oracle(red, dtype, shape, axis):
    rng = np.random.default_rng(hash((red.name, shape)) % 2**32)
    arrays = _inputs(red, shape, dtype, rng)
    if red.is_grad and axis != -1:  # the forward's output along that axis
        x = (rng.normal(size=shape) * 4).astype(np.float64)
        forward = cyacts.softmax if red.name == "softmax_grad" else cyacts.log_softmax
        arrays = (forward(x, axis).astype(dtype), arrays[1])
    assert_within_bound(red, _call(red, arrays, axis), _oracle(red, arrays, axis), arrays, axis)


@pytest.mark.parametrize("red", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_layouts_give_the_same_bits(red, dtype):
    """C, Fortran, transposed, strided, reversed, unaligned: every axis, the bits of the
    contiguous call (the rows path, the columns path and the copying path agree)."""
    rng = np.random.default_rng(3)
    base = _inputs(red, (6, 40, 33), dtype, rng)
    raw = np.zeros(base[0].nbytes + 1, np.uint8)
    for axis in (0, 1, 2, -1):
        want = _call(red, base, axis)
        views = {
            "F": [np.asfortranarray(a) for a in base],
            "strided": [np.repeat(a, 2, axis=-1)[..., ::2] for a in base],
            "reversed-copy": [a[:, ::-1].copy()[:, ::-1] for a in base],
        }
        una = raw[1:].view(dtype).reshape(base[0].shape)
        una[...] = base[0]
        views["unaligned"] = [una] + list(base[1:])
        for name, arrays in views.items():
            got = _call(red, arrays, axis)
            assert np.array_equal(got, want, equal_nan=True), f"{name} axis {axis}"
        t = [np.ascontiguousarray(np.moveaxis(a, axis, -1)) for a in base]
        got = _call(red, t, -1)
        if red.result == "rows":
            assert np.array_equal(got, want, equal_nan=True), f"moved axis {axis}"
        else:
            assert np.array_equal(np.moveaxis(got, -1, axis), want, equal_nan=True), axis


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("n", [1, 15, 16, 17, 4095, 4096, 4097, 1 << 20])
def test_sampled_accuracy_long_rows(dtype, n):
    """Rows up to 2^20 elements (several blocks; wide ranges, so that x - m is inexact and
    exp underflows), every forward against the extended-precision oracle."""
    rng = np.random.default_rng(n)
    x = np.concatenate([rng.normal(size=n - n // 2) * 20, rng.uniform(-90, 30, n // 2)])
    x = rng.permutation(x).astype(dtype).reshape(1, n)
    for red in _ops.REDUCTIONS:
        if not red.is_grad:
            assert_within_bound(red, _call(red, (x,)), _oracle(red, (x,)), (x,))


def test_float64_against_mpmath():
    """A few rows against mpmath at 40 digits (the float64 oracle's own reference)."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(11)
    for n in (3, 64, 257):
        x = rng.normal(size=n) * 30
        g = rng.normal(size=n)
        for red in _ops.REDUCTIONS:
            row = cyacts.softmax(x) if red.name == "softmax_grad" else (
                cyacts.log_softmax(x) if red.name == "log_softmax_grad" else x)
            got = _call(red, (row, g) if red.is_grad else (row,))
            exact = reference.reduction_mpmath(red.name, row, g)
            exact = np.array([float(v) for v in np.atleast_1d(exact)])
            arrays = (row, g) if red.is_grad else (row,)
            assert_within_bound(red, np.atleast_1d(got), exact, arrays)


# --------------------------------------------------------------------------------------------
# semantics
# --------------------------------------------------------------------------------------------
INF, NAN = np.inf, np.nan
SPECIAL_ROWS = [
    ([1e30, 1e30, 0.0], [0.5, 0.5, 0.0], [-np.log(2), -np.log(2), -1e30], 1e30 + np.log(2)),
    ([0.0, -INF, 1.0], None, None, None),
    ([-INF, -INF], [NAN, NAN], [NAN, NAN], -INF),
    ([INF, 1.0], [NAN, NAN], [NAN, NAN], INF),
    ([NAN, 1.0], [NAN, NAN], [NAN, NAN], NAN),
    ([INF, NAN], [NAN, NAN], [NAN, NAN], NAN),
    ([-3e38, 3e38], [0.0, 1.0], None, 3e38),  # log_softmax -6e38: -inf in float32
    # one dominant element: log(sum) = log(1 + 1.9e-22), kept (log_softmax of the maximum,
    # logsumexp near 0)
    ([0.0, -50.0], [1.0, np.exp(-50.0)], [-np.exp(-50.0), -50.0], np.exp(-50.0)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("row,sm,lsm,lse", SPECIAL_ROWS)
def test_special_values(dtype, row, sm, lsm, lse):
    x = np.array([row], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = cyacts.softmax(x), cyacts.log_softmax(x), cyacts.logsumexp(x)
    want = [reference.softmax(x), reference.log_softmax(x), reference.logsumexp(x)]
    for g, w, spec in zip(got, want, (sm, lsm, lse)):
        np.testing.assert_array_equal(g, w)
        if spec is not None:
            np.testing.assert_allclose(g.reshape(-1), np.array(spec, dtype).reshape(-1),
                                       rtol=1e-6)
    if -INF in row and np.isfinite(np.max(row)):
        assert got[0][0, row.index(-INF)] == 0 and got[1][0, row.index(-INF)] == -INF


def test_empty_and_scalar():
    e = np.zeros((3, 0), np.float32)
    assert cyacts.softmax(e).shape == (3, 0)
    np.testing.assert_array_equal(cyacts.logsumexp(e), [-np.inf] * 3)
    assert cyacts.logsumexp(np.zeros((0, 4)), axis=1).shape == (0,)
    assert cyacts.logsumexp(np.zeros((0, 4)), axis=0).tolist() == [-np.inf] * 4
    assert cyacts.softmax(np.float64(3.0)) == 1.0
    assert cyacts.logsumexp([1.0, 2.0]) == pytest.approx(np.logaddexp(1.0, 2.0))
    assert cyacts.logsumexp(np.ones((2, 3)), axis=None, keepdims=True).shape == (1, 1)
    assert cyacts.logsumexp(np.ones((2, 3)), axis=1, keepdims=True).shape == (2, 1)
    assert cyacts.softmax([1, 2, 3]).dtype == np.float64  # integers: float64, as np.exp


@pytest.mark.parametrize("red", REDUCTIONS)
def test_out_and_in_place(red):
    rng = np.random.default_rng(5)
    arrays = _inputs(red, (20, 50), np.float32, rng)
    want = _call(red, arrays)
    out = np.empty_like(want)
    assert _call(red, arrays, out=out) is out
    np.testing.assert_array_equal(out, want)
    fortran = np.asfortranarray(np.empty_like(want))
    _call(red, arrays, out=fortran)
    np.testing.assert_array_equal(fortran, want)
    if red.is_grad:  # out=grad_output
        g = arrays[1].copy()
        assert _call(red, (arrays[0], g), out=g) is g
        np.testing.assert_array_equal(g, want)
    if red.inplace:
        x = arrays[0].copy()
        assert getattr(cyacts, red.name + "_")(x) is x
        np.testing.assert_array_equal(x, want)
        x = arrays[0].copy()
        _call(red, (x,), out=x)
        np.testing.assert_array_equal(x, want)


# --------------------------------------------------------------------------------------------
# bad input: TypeError/ValueError naming the argument, nothing written
# --------------------------------------------------------------------------------------------
BAD = [
    ({"axis": 2}, ValueError, "axis"),
    ({"axis": -3}, ValueError, "axis"),
    ({"axis": 1.0}, TypeError, "axis"),
    ({"axis": True}, TypeError, "axis"),
    ({"axis": "0"}, TypeError, "axis"),
    ({"n_threads": 0}, ValueError, "n_threads"),
    ({"n_threads": 1.5}, TypeError, "n_threads"),
    ({"out": np.empty((4, 6), np.float32)}, ValueError, "out"),
    ({"out": np.empty((4, 5), np.float64)}, TypeError, "out"),
    ({"out": [0.0] * 20}, TypeError, "out"),
]


@pytest.mark.parametrize("red", REDUCTIONS)
@pytest.mark.parametrize("kw,exc,word", BAD, ids=[f"{k}-{i}" for i, (kw, _, _) in enumerate(BAD)
                                                  for k in kw])
def test_bad_arguments_are_refused(red, kw, exc, word):
    arrays = _inputs(red, (4, 5), np.float32, np.random.default_rng(0))
    kw = dict(kw)
    if red.result == "rows" and "out" in kw and isinstance(kw["out"], np.ndarray):
        kw["out"] = np.empty((5,) if kw["out"].dtype == F32 else (4,), kw["out"].dtype)
    before = [a.copy() for a in arrays]
    axis = kw.pop("axis", -1)
    with pytest.raises(exc, match=word):
        _call(red, arrays, axis, **kw)
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("red", REDUCTIONS)
def test_bad_arrays_are_refused(red):
    name = red.inputs[0]
    good = _inputs(red, (4, 5), np.float32, np.random.default_rng(0))
    for bad in (np.ones((4, 5), complex), np.array([["a"]]), np.ones(3, object)):
        with pytest.raises(TypeError, match=name):
            _call(red, (bad,) + good[1:] if red.is_grad else (bad,))
    if red.is_grad:
        with pytest.raises(ValueError, match="grad_output"):
            _call(red, (good[0], good[1][:, :4]))
        with pytest.raises(TypeError, match="grad_output"):
            _call(red, (good[0], good[1].astype(complex)))
    if red.result == "rows":
        with pytest.raises(TypeError, match="keepdims"):
            cyacts.logsumexp(good[0], keepdims=1)
    if red.inplace:
        with pytest.raises(TypeError, match="x"):
            getattr(cyacts, red.name + "_")(good[0].astype(np.int32))
        ro = good[0].copy()
        ro.flags.writeable = False
        with pytest.raises(ValueError, match="read-only"):
            getattr(cyacts, red.name + "_")(ro)


# --------------------------------------------------------------------------------------------
# the same bits: threads, SIMD levels
# --------------------------------------------------------------------------------------------
@pytest.fixture
def restore_level():
    previous = _core.simd_level()
    yield
    _core.select_level(previous)


@pytest.mark.parametrize("red", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_same_bits_for_threads_and_levels(red, dtype, restore_level):
    """1, 2 and 7 threads at every level with fused multiply-adds give one result, bit for
    bit: many rows, a few long rows (split across the threads at block boundaries), one row
    of 2^18 + 5, and the columns path; the x86-64 baseline is within the bound."""
    rng = np.random.default_rng(7)
    cases = [((64, 700), -1), ((2, 100_003), -1), ((1, (1 << 18) + 5), -1), ((300, 130), 0)]
    for shape, axis in cases:
        arrays = _inputs(red, shape, dtype, rng)
        if axis == 0 and red.is_grad:
            arrays = tuple(np.ascontiguousarray(a.T).T for a in arrays)
        first = None
        for level in FMA_LEVELS:
            _core.select_level(level)
            for threads in (1, 2, 7):
                got = _call(red, arrays, axis, n_threads=threads)
                if first is None:
                    first = got
                else:
                    assert np.array_equal(got, first, equal_nan=True), (
                        f"{red.name} {shape} axis {axis}: level {level}, {threads} threads")
        if "baseline" in _core.AVAILABLE_LEVELS:
            _core.select_level("baseline")
            got = _call(red, arrays, axis, n_threads=2)
            assert_within_bound(red, got, _oracle(red, arrays, axis), arrays, axis)


# --------------------------------------------------------------------------------------------
# the C API
# --------------------------------------------------------------------------------------------
C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include "cyacts/cyacts.h"
/* argv: file of ROWS x STRIDE inputs (T), file of grad_outputs, output file, rows, cols,
   stride. Writes each function's results one after another; in place too. */
#define RUN(T, sfx)                                                                         \
    static void run_##sfx(T *x, T *g, FILE *out, size_t rows, size_t cols, ptrdiff_t st) { \
        size_t n = rows * (size_t)st;                                                       \
        T *y = calloc(n, sizeof(T)), *z = malloc(n * sizeof(T));                            \
        cyacts_softmax_##sfx(x, y, rows, cols, st); fwrite(y, sizeof(T), n, out);          \
        for (size_t i = 0; i < n; ++i) z[i] = x[i];                                         \
        cyacts_softmax_##sfx(z, z, rows, cols, st); fwrite(z, sizeof(T), n, out);          \
        cyacts_log_softmax_##sfx(x, y, rows, cols, st); fwrite(y, sizeof(T), n, out);      \
        cyacts_logsumexp_##sfx(x, y, rows, cols, st); fwrite(y, sizeof(T), rows, out);     \
        cyacts_softmax_##sfx(x, z, rows, cols, st);                                         \
        cyacts_softmax_grad_##sfx(z, g, y, rows, cols, st); fwrite(y, sizeof(T), n, out);  \
        cyacts_log_softmax_##sfx(x, z, rows, cols, st);                                     \
        cyacts_log_softmax_grad_##sfx(z, g, g, rows, cols, st); fwrite(g, sizeof(T), n, out); \
        free(y); free(z);                                                                   \
    }
RUN(float, f32)
RUN(double, f64)
int main(int argc, char **argv) {
    if (argc != 8) return 2;
    size_t rows = (size_t)atol(argv[5]), cols = (size_t)atol(argv[6]);
    ptrdiff_t st = atol(argv[7]);
    size_t n = rows * (size_t)st, bytes = argv[1][0] == 'f' ? 4 : 8;
    void *x = malloc(n * bytes), *g = malloc(n * bytes);
    FILE *fx = fopen(argv[2], "rb"), *fg = fopen(argv[3], "rb"), *out = fopen(argv[4], "wb");
    if (fread(x, bytes, n, fx) != n || fread(g, bytes, n, fg) != n) return 2;
    if (bytes == 4) run_f32(x, g, out, rows, cols, st); else run_f64(x, g, out, rows, cols, st);
    fclose(out);
    return 0;
}
"""


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_c_api(dtype, tmp_path, restore_level):
    """The header's functions from C, rows with a stride, in place too: the bits of the
    extension at its baseline level when built with the extension's flags."""
    from test_c_api import BASELINE, _extension_flags  # the extension's code-generation flags

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or sys.platform == "win32":
        pytest.skip("no C compiler")
    src = tmp_path / "sm.c"
    src.write_text(C_PROGRAM)
    exe = tmp_path / "sm"
    cmd = [cc, "-std=c99", "-Wall", "-Wextra", "-Werror", *_extension_flags(),
           f"-I{cyacts.get_include()}", str(src), "-o", str(exe), "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rows, cols, stride = 5, 300, 307
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(rows, stride)) * 5).astype(dtype)
    g = rng.normal(size=(rows, stride)).astype(dtype)
    x.tofile(tmp_path / "x")
    g.tofile(tmp_path / "g")
    tag = "f" if dtype == np.float32 else "d"
    subprocess.run([str(exe), tag, str(tmp_path / "x"), str(tmp_path / "g"),
                    str(tmp_path / "out"), str(rows), str(cols), str(stride)], check=True)
    got = np.fromfile(tmp_path / "out", dtype)
    _core.select_level(BASELINE)
    xv, gv = x[:, :cols], g[:, :cols]
    sm = cyacts.softmax(xv)
    lsm = cyacts.log_softmax(xv)
    want = [sm, sm, lsm, cyacts.logsumexp(xv), cyacts.softmax_grad(sm, gv),
            cyacts.log_softmax_grad(lsm, gv)]
    k = 0
    for i, w in enumerate(want):
        size = rows if w.ndim == 1 else rows * stride
        part = got[k:k + size]
        k += size
        if w.ndim == 2:
            part = part.reshape(rows, stride)[:, :cols]
        assert np.array_equal(part, w), f"call {i}"
    assert k == got.size


# --------------------------------------------------------------------------------------------
# dask
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("red", REDUCTIONS)
def test_dask_blockwise(red):
    da = pytest.importorskip("dask.array")
    arrays = _inputs(red, (30, 40), np.float64, np.random.default_rng(2))
    for axis in (-1, 0, None):
        if red.is_grad and axis is not None and axis != -1:
            continue
        lazy = [da.from_array(a, chunks=(7, 9)) for a in arrays]
        got = _call(red, lazy, axis)
        assert isinstance(got, da.Array)
        np.testing.assert_array_equal(got.compute(), _call(red, arrays, axis))
    with pytest.raises(TypeError, match="out"):
        _call(red, [da.from_array(a) for a in arrays], out=np.empty((30, 40)))
