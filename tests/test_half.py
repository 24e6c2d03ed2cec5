"""float16 and bfloat16: every kernel of the registry over all 65 536 inputs, at every SIMD level.

The 16-bit kernels widen their operands to float32, run the float32 kernel and round the result
to nearest, ties to even (kernels_impl.h). So, for each kernel, dtype and level:
- bits: every result is the float32 result of cyacts on the float32-converted inputs, rounded
  to the 16-bit dtype (NaN as NaN: its payload is free);
- accuracy: within 1 ULP of the exact value (cyacts.reference: float64, rounded once), which
  follows from the float32 bounds (<= 4 float32 ULPs) for float32 results above 2^-100, where
  the float32 kernels may flush (a bfloat16 concern only: bfloat16 has float32's range);
- the conversions (common.h, or F16C where the table uses it) give the same bits at every
  level: each 16-bit pattern widens exactly and round-trips, and a dense float32 sample (every
  rounding midpoint of both formats and its neighbours, overflow, subnormals, NaN payloads)
  rounds as NumPy's float16 and ml_dtypes' bfloat16 casts do, NaN quieted.
Derivatives are checked without grad_output and with one (every 16-bit pattern, shuffled, for
the bits; a moderate sample for the accuracy). Also: which calls reach the 16-bit kernels
directly, the result dtypes, and that ml_dtypes is never imported by cyacts itself.
"""
import functools
import subprocess
import sys

import numpy as np
import pytest

import cyacts
from cyacts import _core, _ops, api
from cyacts._ulp import ulp_distance

try:
    import ml_dtypes
except ImportError:  # pragma: no cover - ml_dtypes is in the test extras
    ml_dtypes = None

F16, F32 = np.dtype(np.float16), np.dtype(np.float32)
BF16 = None if ml_dtypes is None else np.dtype(ml_dtypes.bfloat16)
NEEDS_ML_DTYPES = pytest.mark.skipif(ml_dtypes is None, reason="needs ml_dtypes")
DTYPES = [pytest.param("float16", id="float16"),
          pytest.param("bfloat16", id="bfloat16", marks=NEEDS_ML_DTYPES)]
USES = _ops.kernel_uses()
# the single-input kernels (the gated units in 16 bits: test_gated.py)
KERNELS = [pytest.param(k.name, id=k.name) for k in _ops.kernels() if not k.gated]
#: quiet bit of each format, and of float32
QUIET = {"float16": 0x0200, "bfloat16": 0x0040}
#: where float32 results may flush toward zero (README, Accuracy)
FLUSH = 2.0**-100


def _dtype(name):
    return F16 if name == "float16" else BF16


def _all_patterns(name):
    return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(_dtype(name))


def _is_nan16(bits, name):
    inf = 0x7C00 if name == "float16" else 0x7F80
    return (bits & 0x7FFF) > inf


# --------------------------------------------------------------------------------- kernels
def _call(kernel, x, g=None, alpha=None):
    """The public call that runs `kernel` (its registry use) on x, grad_output g, alpha."""
    use = USES[kernel]
    params = dict(use.params)
    if use.per_element:
        params[use.op.per_element.name] = alpha
    with np.errstate(all="ignore"):
        if use.grad:
            f = getattr(cyacts, use.op.name + "_grad")
            return f(x, g, from_output=use.from_output, n_threads=1, **params)
        return getattr(cyacts, use.op.name)(x, n_threads=1, **params)


def _reference(kernel, x, g=None, alpha=None):
    use = USES[kernel]
    forward, grad = (getattr(cyacts.reference, n) for n in use.op.reference_names)
    params = dict(use.params)
    if use.per_element:
        params[use.op.per_element.name] = alpha
    if use.grad:
        return grad(x, g, from_output=use.from_output, **params)
    return forward(x, **params)


@functools.lru_cache(maxsize=None)
def _operands(name):
    """x: every pattern; g: every pattern, shuffled; alpha: slopes in [-1, 1] (per element)."""
    dtype = _dtype(name)
    rng = np.random.default_rng(16)
    x = _all_patterns(name)
    g = rng.permutation(x)
    alpha = rng.uniform(-1, 1, x.size).astype(np.float32).astype(dtype)
    return x, g, alpha


@functools.lru_cache(maxsize=None)
def _references(kernel, name):
    """(oracle without grad_output, oracle with the moderate grad_output, that grad_output)."""
    x, g, alpha = _operands(name)
    plain = _reference(kernel, x, alpha=alpha)
    if not USES[kernel].grad:
        return plain, None, None
    # |g| in [1/16, 16]: products stay far from float32's range ends
    rng = np.random.default_rng(17)
    moderate = (rng.choice([-1.0, 1.0], x.size) * 2.0 ** rng.uniform(-4, 4, x.size))
    moderate = moderate.astype(_dtype(name))
    return plain, _reference(kernel, x, moderate, alpha), moderate


def _assert_bits(got, want, name, what):
    gb, wb = got.view(np.uint16), want.view(np.uint16)
    nan = _is_nan16(gb, name)
    bad = (gb != wb) & ~(nan & _is_nan16(wb, name))
    assert not bad.any(), (
        f"{what}: {bad.sum()} results differ from the float32 result rounded, first at "
        f"x bits {np.flatnonzero(bad)[:5]}: got {gb[bad][:5]}, want {wb[bad][:5]}")


def _assert_within_one_ulp(x, got, ref, name, what, flush):
    d = ulp_distance(got, ref)
    d[flush] = 0
    worst = int(d.max())
    i = int(np.argmax(d))
    assert worst <= 1, (f"{what}: {worst} ULP from the exact value at x = {x[i]!r} "
                        f"(bits {x.view(np.uint16)[i]:#06x}): got {got[i]!r}, want {ref[i]!r}")


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("kernel", KERNELS)
def test_every_input(kernel, name, simd_level):
    dtype = _dtype(name)
    x, g, alpha = _operands(name)
    use = USES[kernel]
    got = _call(kernel, x, alpha=alpha)
    assert got.dtype == dtype
    want = _call(kernel, x.astype(F32), alpha=alpha.astype(F32))
    with np.errstate(all="ignore"):
        _assert_bits(got, want.astype(dtype), name, f"{kernel} {name} {simd_level}")
    plain, with_g, moderate = _references(kernel, name)
    assert plain.dtype == dtype
    tiny = np.abs(plain.astype(np.float64)) < FLUSH
    _assert_within_one_ulp(x, got, plain, name, f"{kernel} {name} {simd_level}",
                           tiny & (np.abs(got.astype(np.float64)) <= 2 * FLUSH))
    if not use.grad:
        return
    got = _call(kernel, x, g, alpha)
    want = _call(kernel, x.astype(F32), g.astype(F32), alpha.astype(F32))
    with np.errstate(all="ignore"):
        _assert_bits(got, want.astype(dtype), name,
                     f"{kernel} {name} {simd_level} with grad_output")
    got = _call(kernel, x, moderate, alpha)
    # grad_output times f'(x) rounded to float32 (README, Robustness): where f'(x) lies below
    # the flush threshold or beyond float32's range (bfloat16 has it too), so does the product
    edge = tiny | (np.isinf(plain) & np.isfinite(x))
    _assert_within_one_ulp(x, got, with_g, name,
                           f"{kernel} {name} {simd_level} with grad_output", edge)


# ----------------------------------------------------------------------------- conversions
def _numpy_widen(bits, name):
    """float32 bits of each 16-bit pattern, as NumPy (float16) and ml_dtypes (bfloat16) give
    them, with the quiet bit set on NaN as cyacts sets it."""
    wide = bits.view(_dtype(name)).astype(F32).view(np.uint32)
    return np.where(_is_nan16(bits, name), wide | 0x00400000, wide)


@pytest.mark.parametrize("name", DTYPES)
def test_widening_is_exact_and_round_trips(name, simd_level):
    x = _all_patterns(name)
    bits = x.view(np.uint16)
    wide = _core.convert(x, np.empty(x.size, F32))
    assert (wide.view(np.uint32) == _numpy_widen(bits, name)).all()
    back = _core.convert(wide, np.empty(x.size, _dtype(name))).view(np.uint16)
    nan = _is_nan16(bits, name)
    assert (back[~nan] == bits[~nan]).all()
    assert (back[nan] == (bits[nan] | QUIET[name])).all()  # NaN: quieted, payload kept


@functools.lru_cache(maxsize=None)
def _dense_float32():
    """float32 inputs to round: random patterns, every rounding midpoint of float16 and of
    bfloat16 and its 2 neighbours each side, the subnormal ranges, overflow, NaN payloads."""
    rng = np.random.default_rng(32)
    parts = [rng.integers(0, 1 << 32, 1 << 19, dtype=np.uint64).astype(np.uint32)]
    for name in ("float16", "bfloat16"):
        if _dtype(name) is None:
            continue
        with np.errstate(invalid="ignore"):  # signalling NaNs
            values = _all_patterns(name).astype(np.float64)
        values = np.unique(values[np.isfinite(values)])
        mids = ((values[:-1] + values[1:]) / 2).astype(F32).view(np.uint32).astype(np.int64)
        parts += [(mids + k).astype(np.uint32) for k in range(-2, 3)]
    parts.append(np.arange(0, 1 << 23, 61, dtype=np.uint32))  # float32 subnormals
    parts.append(np.arange(0x477FE000 - 4096, 0x47800000 + 4096, dtype=np.uint32))  # 65504..
    parts.append(np.arange(0x7F7F0000, 0x7F800400, dtype=np.uint32))  # bfloat16 max .. inf, NaN
    parts.append(rng.integers(0x7F800001, 0x80000000, 1 << 16, dtype=np.uint64).astype(np.uint32))
    bits = np.concatenate(parts)
    bits = np.concatenate([bits, bits | np.uint32(0x80000000)])  # both signs
    return bits.view(F32)


@pytest.mark.parametrize("name", DTYPES)
def test_narrowing_rounds_as_numpy_and_ml_dtypes(name, simd_level):
    dtype = _dtype(name)
    f = _dense_float32()
    got = _core.convert(f, np.empty(f.size, dtype)).view(np.uint16)
    with np.errstate(all="ignore"):
        want = f.astype(dtype).view(np.uint16)
    nan = np.isnan(f)
    assert (got[~nan] == want[~nan]).all(), np.flatnonzero(got[~nan] != want[~nan])[:5]
    # NaN: quiet, with the sign and the top of the payload (what F16C and AVX-512 BF16 do)
    u = f[nan].view(np.uint32)
    shift, mask = (13, 0x03FF) if name == "float16" else (16, 0x007F)
    top = ((u >> shift) & mask).astype(np.uint16)
    sign = ((u >> 16) & 0x8000).astype(np.uint16)
    exponent = np.uint16(0x7C00 if name == "float16" else 0x7F80)
    assert (got[nan] == (sign | exponent | QUIET[name] | top)).all()


# ------------------------------------------------------------------------- the Python layer
@pytest.mark.parametrize("name", DTYPES)
def test_one_dtype_runs_the_16_bit_kernels_without_copies(name, monkeypatch):
    """Contiguous operands of the 16-bit dtype (any order, out, in place) never take the blocks."""
    dtype = _dtype(name)

    def refuse(*args):
        raise AssertionError("the blocked path (Python-level copies) was taken")

    monkeypatch.setattr(api, "_blocked", refuse)
    x = np.linspace(-5, 5, 3000).astype(dtype).reshape(30, 100)
    want = cyacts.gelu(x.astype(F32)).astype(dtype)
    for a in (x, np.asfortranarray(x)):
        assert (cyacts.gelu(a) == want).all()
        out = np.empty_like(a)
        assert cyacts.gelu(a, out=out) is out and (out == want).all()
        assert (cyacts.tanh_grad(a, a) == cyacts.tanh_grad(a.astype(F32), a.astype(F32))
                .astype(dtype)).all()
        assert (cyacts.leaky_relu(a, alpha=np.full_like(a, 0.5)) ==
                cyacts.leaky_relu(a.astype(F32), alpha=0.5).astype(dtype)).all()
        b = a.copy(order="K")
        assert cyacts.sigmoid_(b) is b and (b == cyacts.sigmoid(a)).all()


@pytest.mark.parametrize("name", DTYPES)
def test_strided_broadcast_and_mixed_operands(name):
    """The blocked path gives the same bits as the 16-bit kernels."""
    dtype = _dtype(name)
    x = np.linspace(-5, 5, 4000).astype(dtype).reshape(40, 100)
    assert (cyacts.gelu(x[::2, ::3]) == cyacts.gelu(x[::2, ::3].copy())).all()
    g = np.linspace(-2, 2, 100).astype(dtype)
    assert (cyacts.sigmoid_grad(x, g) == cyacts.sigmoid_grad(x, np.broadcast_to(g, x.shape)
                                                             .copy())).all()
    # a Python number takes the array's dtype; it is rounded to float32, not to 16 bits
    got = cyacts.tanh_grad(x, 0.1)
    assert got.dtype == dtype
    assert (got == cyacts.tanh_grad(x.astype(F32), np.float32(0.1)).astype(dtype)).all()


@pytest.mark.parametrize("name", DTYPES)
def test_every_layout_gives_the_same_bits(name):
    """C, Fortran, transposed, strided, negative strides, reversed, unaligned (conftest.layouts):
    the results of the contiguous call, elementwise, out of place and in place."""
    from conftest import layouts

    dtype = _dtype(name)
    rng = np.random.default_rng(3)
    base = (rng.standard_normal((4, 6, 50)) * 4).astype(np.float32).astype(dtype)
    g = rng.standard_normal(base.shape).astype(np.float32).astype(dtype)
    want = {"gelu": cyacts.gelu(base), "sigmoid_grad": cyacts.sigmoid_grad(base, g)}
    for (layout, x, same), (_, gv, _) in zip(layouts(base), layouts(g)):
        for got, key in ((cyacts.gelu(x), "gelu"), (cyacts.sigmoid_grad(x, gv), "sigmoid_grad")):
            assert got.dtype == dtype
            assert (got.view(np.uint16) == same(want[key]).view(np.uint16)).all(), (layout, key)
    for i, (layout, _, same) in enumerate(layouts(base)):
        _, y, _ = layouts(base.copy())[i]  # the same layout over fresh data, written in place
        assert cyacts.gelu_(y) is y
        assert (y.view(np.uint16) == same(want["gelu"]).view(np.uint16)).all(), layout


@pytest.mark.parametrize("name", DTYPES)
def test_thread_counts_give_the_same_bits(name):
    """Chunks split at cache lines of the 16-bit arrays (_core._run): any count, same bits."""
    x = _operands(name)[0]
    x = np.concatenate([x] * 4)[: 4 * 65536 - 7]  # 2^18 - 7 elements, more than 2 grains
    for f in (cyacts.sigmoid, cyacts.relu):
        want = f(x, n_threads=1)
        for threads in (2, 3, 7):
            _assert_bits(f(x, n_threads=threads), want, name, f"{f.__name__} {threads} threads")


@pytest.mark.parametrize("name", DTYPES)
def test_driver_refuses_what_its_16_bit_path_cannot_take(name):
    """_core.apply and _core.convert check their 16-bit operands as memoryviews check the
    float ones: one dtype, one length, 1-D, contiguous, aligned, native, y writable."""
    dtype = _dtype(name)
    op = _core.OPS["sigmoid"]
    x, y = np.zeros(8, dtype), np.zeros(8, dtype)
    _core.apply(op, x, y)
    swapped = np.zeros(8, dtype.newbyteorder("S")) if name == "float16" else x[::2]
    for bad in (np.zeros(8, np.float32), np.zeros(7, dtype), np.zeros((2, 4), dtype),
                np.zeros(16, dtype)[::2], swapped, list(x)):
        with pytest.raises(ValueError):
            _core.apply(op, bad, y)
    y.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        _core.apply(op, x, y)
    with pytest.raises(ValueError):
        _core.convert(x, np.zeros(8, np.float64))
    with pytest.raises(ValueError):
        _core.convert(x, np.zeros(9, np.float32))


@NEEDS_ML_DTYPES
def test_bfloat16_result_dtypes():
    x = np.linspace(-3, 3, 64).astype(BF16)
    assert cyacts.relu(x).dtype == BF16 and cyacts.relu_grad(x).dtype == BF16
    assert type(cyacts.sigmoid(x[5])) is ml_dtypes.bfloat16  # a scalar in, a scalar out
    for other in (np.float16, np.float32, np.float64, BF16):
        g = np.ones(64, other)
        assert cyacts.gelu_grad(x, g).dtype == np.result_type(BF16, other)
        assert cyacts.gelu_grad(g, x).dtype == np.result_type(BF16, other)
    assert cyacts.gelu_grad(x, 2.0).dtype == BF16
    assert cyacts.gelu_grad(x, np.ones(64, np.int32)).dtype == np.float64  # as np.tanh
    # mixed: bfloat16 widened exactly, computed as float32
    g = np.linspace(-1, 1, 64).astype(np.float32)
    assert (cyacts.gelu_grad(x, g) == cyacts.gelu_grad(x.astype(F32), g)).all()
    with pytest.raises(TypeError, match="out has dtype"):
        cyacts.relu(x, out=np.empty(64, np.float32))
    with pytest.raises(TypeError, match="bfloat16"):
        cyacts.relu_(np.zeros(3, ml_dtypes.float8_e4m3fn))


@NEEDS_ML_DTYPES
def test_bfloat16_reference_rounds_once():
    """1 + 2^-8 + 2^-30 rounds up in bfloat16; through float32 it would round to 1 (a tie)."""
    x = np.array([1 + 2.0**-8 + 2.0**-30])
    assert cyacts.reference._round(x, BF16).view(np.uint16)[0] == 0x3F81
    assert cyacts.reference._round(-x, BF16).view(np.uint16)[0] == 0xBF81
    # and on random float64 values: the nearest bfloat16 of each (ties do not occur)
    rng = np.random.default_rng(5)
    y = rng.standard_normal(1 << 16) * 2.0 ** rng.integers(-140, 120, 1 << 16)
    r = cyacts.reference._round(y, BF16).astype(np.float64)
    up = np.nextafter(r.astype(BF16), np.array(np.inf, BF16)).astype(np.float64)
    down = np.nextafter(r.astype(BF16), np.array(-np.inf, BF16)).astype(np.float64)
    assert (np.abs(y - r) <= np.abs(y - up)).all() and (np.abs(y - r) <= np.abs(y - down)).all()


def test_ml_dtypes_is_not_imported():
    code = ("import sys, numpy as np, cyacts; cyacts.gelu(np.ones(4, np.float16)); "
            "cyacts.relu(np.ones(4, np.float32)); assert 'ml_dtypes' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
