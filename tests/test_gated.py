"""The gated units (glu, geglu, ...): act(gate) * value and both gradients from one pass.

Every unit of the registry against the oracle, in every dtype; in place into either operand;
the halves of a fused projection as views, written where they are; broadcasting (the
gradients summed back to each operand's shape); bad input; the derivative against central
differences of the oracle.
"""
import numpy as np
import pytest

import cyacts
from cyacts import _core, _ops, _ulp, reference

from conftest import DTYPES, assert_matches, sample_values

UNITS = [pytest.param(unit, params, id=unit.name + "".join(f"-{v}" for v in params.values()))
         for unit in _ops.GATED for params in unit.op.variants()]


def _pair(shape, dtype, seed=0):
    n = int(np.prod(shape))
    gate = sample_values(n, np.float64, seed)
    gate = np.where(np.isfinite(gate), np.clip(gate, -30, 30), gate).reshape(shape).astype(dtype)
    value = np.random.default_rng(seed + 1).normal(0, 2, shape).astype(dtype)
    return gate, value


def _fn(unit, grad=False):
    return getattr(cyacts, unit.name + ("_grad" if grad else ""))


def _ref(unit, grad=False):
    return getattr(reference, unit.reference_names[grad])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("unit, params", UNITS)
def test_forward_and_gradients_match_the_oracle(unit, params, dtype):
    gate, value = _pair((64, 33), dtype)
    g = np.random.default_rng(5).normal(size=gate.shape).astype(dtype)
    assert_matches(_fn(unit)(gate, value, **params), _ref(unit)(gate, value, **params))
    for grad_output in (None, g):
        got = _fn(unit, True)(gate, value, grad_output, **params)
        want = _ref(unit, True)(gate, value, grad_output, **params)
        assert isinstance(got, tuple) and len(got) == 2
        for a, b in zip(got, want):
            assert_matches(a, b, loose_near_zero=True)


@pytest.mark.parametrize("unit, params", UNITS)
def test_published_bounds(unit, params):
    """Within the activation's bound plus one rounding, in ULPs of the correctly rounded
    product (float64 oracle for float32 results)."""
    gate, value = _pair((4096,), np.float32, seed=3)
    act = getattr(reference, unit.op.reference_names[0])(gate.astype(np.float64), **params)
    # below the activation's flush threshold its own result is absolute, not relative
    keep = np.isfinite(gate) & (np.abs(act) >= _ulp.FLUSH[np.dtype(np.float32)])
    gate, value = gate[keep], value[keep]
    got = _fn(unit)(gate, value, **params)
    want = _ref(unit)(gate, value, **params)
    assert _ulp.max_ulp(gate, got, want)[0] <= unit.ulp["float32"]
    grads = _fn(unit, True)(gate, value, **params)
    wants = _ref(unit, True)(gate, value, **params)
    for got, want in zip(grads, wants):
        assert _ulp.max_ulp(gate, got, want)[0] <= unit.grad_ulp["float32"]


@pytest.mark.parametrize("unit, params", UNITS)
def test_gradients_are_derivatives(unit, params):
    """grad_gate against central differences of the oracle's forward in gate (float64)."""
    gate = np.linspace(-4.1, 3.9, 41)
    value = np.full_like(gate, 1.5)
    h = 1e-6
    numeric = (_ref(unit)(gate + h, value, **params) - _ref(unit)(gate - h, value, **params)) / (2 * h)
    grad_gate, grad_value = _fn(unit, True)(gate, value, **params)
    np.testing.assert_allclose(grad_gate, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_value, _ref(unit)(gate, np.ones_like(gate), **params),
                               rtol=4e-15, atol=1e-300)


@pytest.mark.parametrize("unit", [u for u in _ops.GATED])
def test_in_place_into_either_operand(unit):
    gate, value = _pair((50, 40), np.float32)
    want = _fn(unit)(gate, value)
    v = value.copy()
    assert _fn(unit)(gate, v, out=v) is v
    assert np.array_equal(v, want)
    a = gate.copy()
    assert _fn(unit)(a, value, out=a) is a
    assert np.array_equal(a, want)
    grads = _fn(unit, True)(gate, value, want)
    a, v = gate.copy(), value.copy()
    result = _fn(unit, True)(a, v, want, out=(a, v))
    assert result[0] is a and result[1] is v
    assert np.array_equal(a, grads[0]) and np.array_equal(v, grads[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("unit", [u for u in _ops.GATED])
def test_halves_of_a_fused_projection(unit, dtype):
    """gate and value as h[..., :d] and h[..., d:]: computed where they are (the row path),
    and written back into the halves (out=(gate, value)), as on contiguous copies."""
    h = np.random.default_rng(2).normal(0, 2, (33, 2 * 70)).astype(dtype)
    gate, value = h[:, :70], h[:, 70:]
    want = _fn(unit)(gate.copy(), value.copy())
    assert np.array_equal(_fn(unit)(gate, value), want)
    out = np.empty((33, 3 * 70), dtype)[:, 70:140]  # a strided output as well
    assert np.array_equal(_fn(unit)(gate, value, out=out), want)
    g = np.ones_like(want)
    want_grads = _fn(unit, True)(gate.copy(), value.copy(), g)
    _fn(unit, True)(gate, value, g, out=(gate, value))
    assert np.array_equal(h[:, :70], want_grads[0]) and np.array_equal(h[:, 70:], want_grads[1])


def test_pytorch_split_convention():
    """PyTorch's F.glu(h) is glu(h[..., d:], h[..., :d]): the second half is the gate."""
    h = np.random.default_rng(4).normal(size=(6, 8))
    want = h[:, :4] * reference.sigmoid(h[:, 4:])
    np.testing.assert_allclose(cyacts.glu(h[:, 4:], h[:, :4]), want, rtol=1e-15)


@pytest.mark.parametrize("unit", [u for u in _ops.GATED])
def test_broadcast_operands_get_summed_gradients(unit):
    gate, value = _pair((7, 5), np.float64)
    row = value[:1].copy()
    got = _fn(unit, True)(gate, row)
    want = _ref(unit, True)(gate, row)
    assert got[0].shape == gate.shape and got[1].shape == row.shape
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(got[1], _fn(unit, True)(gate, np.broadcast_to(row, gate.shape).copy())[1].sum(axis=0, keepdims=True), rtol=1e-13)


@pytest.mark.parametrize("unit", [u for u in _ops.GATED])
def test_scalars_and_16_bit(unit):
    y = _fn(unit)(0.5, 2.0)
    assert isinstance(y, np.floating) and np.isclose(y, _ref(unit)(0.5, 2.0), rtol=1e-15)
    gate, value = _pair((300,), np.float16)
    # the float16 kernels compute in float32 and round once
    want = _fn(unit)(gate.astype(np.float32), value.astype(np.float32))
    assert np.array_equal(_fn(unit)(gate, value), want.astype(np.float16))


@pytest.mark.parametrize("unit", [u for u in _ops.GATED])
def test_same_bits_at_every_level_and_thread_count(unit):
    gate, value = _pair((1 << 15,), np.float32, seed=9)
    previous = _core.simd_level()
    results = []
    try:
        for level in _core.AVAILABLE_LEVELS[1:] or _core.AVAILABLE_LEVELS:
            _core.select_level(level)
            for threads in (1, 2, 7):
                grads = _fn(unit, True)(gate, value, n_threads=threads)
                results.append(b"".join(a.tobytes() for a in grads)
                               + _fn(unit)(gate, value, n_threads=threads).tobytes())
    finally:
        _core.select_level(previous)
    assert all(r == results[0] for r in results)


@pytest.mark.parametrize("unit", [u for u in _ops.GATED])
def test_bad_input(unit):
    gate, value = _pair((4, 3), np.float32)
    with pytest.raises(ValueError, match="value"):
        _fn(unit)(gate, value[:, :2])
    with pytest.raises(TypeError, match="gate"):
        _fn(unit)(gate.astype(complex), value)
    with pytest.raises(TypeError, match="value"):
        _fn(unit)(gate, value.astype("U3"))
    with pytest.raises(TypeError, match="out"):
        _fn(unit, True)(gate, value, out=gate)
    with pytest.raises(ValueError, match="share memory"):
        _fn(unit, True)(gate, value, out=(gate, gate))
    with pytest.raises(ValueError, match="out"):
        _fn(unit, True)(gate, value[:1], out=(gate, value[:1]))
    before = gate.copy()
    with pytest.raises(TypeError, match=r"out\[1\]"):
        _fn(unit, True)(gate, value, out=(gate, value.astype(np.float64)))
    assert np.array_equal(gate, before), "nothing is written when a check fails"
