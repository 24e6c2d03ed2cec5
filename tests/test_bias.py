"""Fused bias: f(x, bias=b) is f(x + b) bit for bit, for every op of the registry, its
derivative and its in-place form, in every dtype and on every path (flat, rows, blocks)."""
import numpy as np
import pytest

import cyacts

from _cases import BF16
from conftest import FORWARD, VARIANTS, sample_values

DTYPES = [np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16)] + (
    [] if BF16 is None else [BF16])
CASES = [pytest.param(name, kw, id=id_) for id_, name, kw in FORWARD]


def _data(dtype, shape=(37, 70), seed=0):
    x = sample_values(int(np.prod(shape)), np.float32, seed).reshape(shape)
    x = np.where(np.isfinite(x), np.clip(x, -20, 20), x)
    b = np.random.default_rng(seed + 1).normal(0, 1, shape[-1])
    return x.astype(dtype), b.astype(dtype)


def _same(a, b, label):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, label
    assert a.tobytes() == b.tobytes(), f"{label}: not bit for bit f(x + bias)"


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name, kw", CASES)
def test_forward_derivative_and_in_place(name, kw, dtype):
    x, b = _data(dtype)
    with np.errstate(all="ignore"):
        s = x + b
    f, fg = getattr(cyacts, name), getattr(cyacts, name + "_grad")
    _same(f(x, **kw, bias=b), f(s, **kw), f"{name} per-channel bias")
    _same(f(x, **kw, bias=np.broadcast_to(b, x.shape).copy()), f(s, **kw), f"{name} full bias")
    g = np.random.default_rng(3).normal(size=x.shape).astype(dtype)
    _same(fg(x, g, **kw, bias=b), fg(s, g, **kw), f"{name}_grad")
    _same(fg(x, **kw, bias=b), fg(s, **kw), f"{name}_grad without grad_output")
    h = x.copy()
    assert getattr(cyacts, name + "_")(h, **kw, bias=b) is h
    _same(h, f(s, **kw), f"{name}_ in place")


@pytest.mark.parametrize("name, kw", CASES)
def test_views_and_layouts(name, kw):
    """Row slices (the row path), Fortran order and reversed rows, bias as a column vector."""
    f = getattr(cyacts, name)
    z, b = _data(np.float32, (40, 140), seed=5)
    view = z[:, :70]
    _same(f(view, **kw, bias=b[:70]), f(view + b[:70], **kw), f"{name} on z[:, :d]")
    col = b[:40, None]
    _same(f(np.asfortranarray(view), **kw, bias=col), f(view + col, **kw), f"{name} F-order")
    _same(f(view[:, ::-1], **kw, bias=b[:70]), f(view[:, ::-1] + b[:70], **kw), f"{name} reversed")
    before = z.copy()
    getattr(cyacts, name + "_")(view, **kw, bias=b[:70])
    _same(view, f(before[:, :70] + b[:70], **kw), f"{name}_ on z[:, :d]")
    assert np.array_equal(z[:, 70:], before[:, 70:]), "the rest of z is untouched"


def test_promotion_and_scalars():
    x = np.linspace(-3, 3, 11, dtype=np.float32)
    assert cyacts.gelu(x, bias=0.5).dtype == np.float32  # a Python number is weak
    _same(cyacts.gelu(x, bias=np.float64(0.5)), cyacts.gelu(x + np.float64(0.5)), "float64 bias")
    assert isinstance(cyacts.tanh(0.25, bias=0.5), np.floating)


def test_bad_bias():
    x = np.ones((3, 4), np.float32)
    before = x.copy()
    with pytest.raises(ValueError, match="bias"):
        cyacts.gelu_(x, bias=np.ones(3, np.float32))
    with pytest.raises(TypeError, match="bias"):
        cyacts.gelu_(x, bias=np.ones(4, complex))
    with pytest.raises(TypeError, match="bias"):
        cyacts.relu(x, bias="a")
    assert np.array_equal(x, before)
    from_output = next(name for id_, name, kw in FORWARD
                       if VARIANTS[id_][0].from_output is not None)
    with pytest.raises(ValueError, match="from_output"):
        getattr(cyacts, from_output + "_grad")(x, x, bias=x, from_output=True)


def test_dask_bias():
    da = pytest.importorskip("dask.array")
    x, b = _data(np.float32, (40, 30), seed=2)
    lazy = cyacts.gelu(da.from_array(x, chunks=(16, 30)), bias=b)
    _same(lazy.compute(), cyacts.gelu(x + b), "dask gelu with a NumPy bias")
    lazy = cyacts.tanh_grad(da.from_array(x, chunks=(16, 30)), x, bias=da.from_array(b))
    _same(lazy.compute(), cyacts.tanh_grad(x + b, x), "dask tanh_grad with a dask bias")
