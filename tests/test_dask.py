"""Dask arrays and xarray DataArrays: lazy, blockwise, bitwise equal to the NumPy path."""
import os

import numpy as np
import pytest

import cyacts
from cyacts import _ops

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

def _variant_id(op, kw):
    return "-".join([op.name] + [f"{k}={v}" for k, v in kw.items()])


# every op of the registry, with each of its parameter sets
FORWARD = {
    _variant_id(op, kw): (lambda x, op=op, kw=kw, **k: getattr(cyacts, op.name)(x, **kw, **k))
    for op in _ops.OPS for kw in op.variants()
}
BACKWARD = {
    _variant_id(op, kw) + "_grad" + ("_from_output" if from_output else ""):
        (lambda x, g, op=op, kw=kw, fo=from_output, **k:
         getattr(cyacts, op.name + "_grad")(x, g, **kw, from_output=fo, **k))
    for op in _ops.OPS for kw in op.variants()
    for from_output in ((False, True) if op.from_output_allowed(kw) else (False,))
}
IN_PLACE = [getattr(cyacts, op.name + "_") for op in _ops.OPS]
SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 6.0, -6.0, 1e-30, -1e-30]


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-20, 20, size=shape).astype(dtype)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    flat = x.reshape(-1)
    flat[: len(SPECIALS)] = np.array(SPECIALS, dtype=np.float64).astype(dtype)
    return x


def _same(lazy, expected):
    """Computed dask result equals the NumPy result bit for bit (dtype and shape too)."""
    got = np.asarray(lazy.compute() if hasattr(lazy, "compute") else lazy)
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(expected).tobytes()


@pytest.fixture(autouse=True)
def _threaded_scheduler():
    # dask's default for arrays, set explicitly so a global setting cannot change the tests
    with dask.config.set(scheduler="threads"):
        yield


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int32])
@pytest.mark.parametrize("name", sorted(FORWARD))
def test_forward_blockwise_bitwise(name, dtype):
    x = _data((97, 45), dtype)
    d = da.from_array(x, chunks=(20, 16))
    lazy = FORWARD[name](d)
    assert isinstance(lazy, da.Array)
    assert lazy.chunks == d.chunks
    assert lazy.dtype == FORWARD[name](x).dtype
    _same(lazy, FORWARD[name](x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("name", sorted(BACKWARD))
def test_backward_blockwise_bitwise(name, dtype):
    x = _data((64, 33), dtype)
    g = _data((64, 33), dtype, seed=1)
    dx = da.from_array(x, chunks=(16, 10))
    f = BACKWARD[name]
    # f'(x) alone, dask grad_output, NumPy grad_output with a dask x, dask grad_output with a
    # NumPy x, and a grad_output with other chunks (aligned to x's)
    _same(f(dx, None), f(x, None))
    _same(f(dx, da.from_array(g, chunks=(16, 10))), f(x, g))
    _same(f(dx, g), f(x, g))
    lazy = f(x, da.from_array(g, chunks=(8, 11)))
    assert lazy.chunks == ((8,) * 8, (11, 11, 11))
    _same(lazy, f(x, g))
    lazy = f(dx, da.from_array(g, chunks=(32, 5)))
    assert lazy.chunks == dx.chunks
    _same(lazy, f(x, g))


def test_grad_output_broadcasting():
    x = _data((40, 30), np.float32)
    dx = da.from_array(x, chunks=(15, 7))
    for g in [_data((30,), np.float32, 1), _data((40, 1), np.float32, 2),
              _data((1, 30), np.float64, 3)]:
        for gg in (g, da.from_array(g, chunks=4)):
            lazy = cyacts.gelu_grad(dx, gg)
            assert lazy.chunks == dx.chunks
            _same(lazy, cyacts.gelu_grad(x, g))
    # x broadcasts up to grad_output's shape: the extra dimension takes grad_output's chunks
    g = _data((5, 40, 30), np.float32, 4)
    dg = da.from_array(g, chunks=(2, 40, 30))
    lazy = cyacts.sigmoid_grad(dx, dg)
    assert lazy.chunks == ((2, 2, 1), dx.chunks[0], dx.chunks[1])
    _same(lazy, cyacts.sigmoid_grad(x, g))
    # NumPy x against a dask grad_output of a larger shape
    lazy = cyacts.relu6_grad(x[0], dg)
    _same(lazy, cyacts.relu6_grad(x[0], g))
    # a weak Python scalar grad_output keeps x's dtype, as in the NumPy path
    _same(cyacts.tanh_grad(dx, 2.0), cyacts.tanh_grad(x, 2.0))
    # a number x beside a dask grad_output
    _same(cyacts.relu_grad(1.5, dg), cyacts.relu_grad(1.5, g))


@pytest.mark.parametrize("dask_alpha", [False, True])
def test_alpha_arrays(dask_alpha):
    x = _data((50, 24), np.float32)
    g = _data((50, 24), np.float32, 1)
    dx = da.from_array(x, chunks=(13, 5))
    alpha = np.linspace(0.01, 0.3, 24).astype(np.float32)
    col = np.linspace(0.05, 0.5, 50).reshape(50, 1)
    for a in (alpha, col, np.float32(0.25), 0.125):
        aa = da.from_array(a, chunks=3) if dask_alpha and np.ndim(a) else a
        _same(cyacts.leaky_relu(dx, aa), cyacts.leaky_relu(x, a))
        _same(cyacts.leaky_relu(dx, alpha=aa), cyacts.leaky_relu(x, alpha=a))
        for from_output in (False, True):
            _same(cyacts.leaky_relu_grad(dx, alpha=aa, from_output=from_output),
                  cyacts.leaky_relu_grad(x, alpha=a, from_output=from_output))
            _same(cyacts.leaky_relu_grad(dx, da.from_array(g, chunks=(10, 24)), alpha=aa,
                                         from_output=from_output),
                  cyacts.leaky_relu_grad(x, g, alpha=a, from_output=from_output))
    # a dask alpha beside a NumPy x
    if dask_alpha:
        _same(cyacts.leaky_relu(x, da.from_array(alpha, chunks=5)), cyacts.leaky_relu(x, alpha))


def test_lazy_until_computed():
    calls = []

    def source(block):
        calls.append(block.shape)
        return block

    d = da.from_array(_data((30, 30), np.float64), chunks=10).map_blocks(
        source, meta=np.empty((0, 0), np.float64))
    lazy = cyacts.gelu_grad(cyacts.gelu(d), d)
    assert calls == []
    lazy.compute()
    assert calls


def test_unknown_chunk_sizes():
    x = _data((200,), np.float32)
    d = da.from_array(x, chunks=64)
    picked = d[d > 0]
    assert np.isnan(picked.shape[0])
    _same(cyacts.sigmoid(picked), cyacts.sigmoid(x[x > 0]))
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        cyacts.sigmoid_grad(picked, picked)


def test_zero_d_and_empty():
    _same(cyacts.tanh(da.from_array(np.float32(0.5))), np.asarray(cyacts.tanh(np.float32(0.5))))
    e = np.empty((0, 4), np.float32)
    _same(cyacts.gelu(da.from_array(e)), cyacts.gelu(e))
    _same(cyacts.gelu_grad(da.from_array(e), e), cyacts.gelu_grad(e, e))


def test_out_is_refused():
    x = _data((10, 10), np.float32)
    d = da.from_array(x, chunks=5)
    buf = np.full_like(x, 7)
    for call in (lambda: cyacts.relu(d, out=buf),
                 lambda: cyacts.leaky_relu(d, 0.1, out=buf),
                 lambda: cyacts.gelu(d, out=buf),
                 lambda: cyacts.gelu_grad(d, x, out=buf),
                 lambda: cyacts.sigmoid_grad(x, d, out=buf),
                 lambda: cyacts.tanh_grad(d, out=d)):
        with pytest.raises(TypeError, match="out is not supported with dask arrays"):
            call()
    assert (buf == 7).all()


@pytest.mark.parametrize("func", IN_PLACE, ids=lambda f: f.__name__)
def test_in_place_refuses_dask(func):
    x = _data((10, 10), np.float32)
    d = da.from_array(x.copy(), chunks=5)
    with pytest.raises(TypeError):
        func(d)
    _same(d, x)


def test_errors_are_raised_before_computing():
    x = _data((10, 10), np.float32)
    d = da.from_array(x, chunks=5)
    with pytest.raises(TypeError, match="complex"):
        cyacts.relu(d.astype(np.complex64))
    with pytest.raises(TypeError, match="grad_output"):
        cyacts.relu_grad(d, da.from_array(x.astype(np.complex128), chunks=5))
    with pytest.raises(ValueError, match="approximate"):
        cyacts.gelu(d, approximate="fast")
    with pytest.raises(ValueError, match="n_threads"):
        cyacts.tanh(d, n_threads=0)
    with pytest.raises(TypeError, match="n_threads"):
        cyacts.tanh(d, n_threads=1.5)
    with pytest.raises(ValueError, match="gelu_grad"):
        cyacts.gelu_grad(d, from_output=True)
    with pytest.raises(ValueError, match="from_output"):
        cyacts.leaky_relu_grad(d, alpha=-0.1, from_output=True)
    with pytest.raises(ValueError, match="from_output"):
        cyacts.leaky_relu_grad(d, alpha=np.array([0.1] * 9 + [0.0]), from_output=True)
    with pytest.raises(ValueError, match="grad_output"):
        cyacts.sigmoid_grad(d, np.ones(3))
    with pytest.raises(ValueError, match="alpha"):
        cyacts.leaky_relu(d, np.ones(3))
    with pytest.raises(ValueError, match="alpha"):
        cyacts.leaky_relu_grad(d, alpha=da.ones((2, 10, 10)))


def test_n_threads_reaches_every_block(monkeypatch):
    seen = []
    real = cyacts._checks.threads

    def spy(n_threads):
        seen.append(n_threads)
        return real(n_threads)

    monkeypatch.setattr(cyacts._checks, "threads", spy)
    for f in (cyacts.gelu, cyacts.sigmoid_grad):  # blocks that are views take the fast path
        fast = f.__globals__["_fast"]

        def spy_fast(*args, fast=fast):
            y = fast(*args)
            if y is not None:  # else the general path asks _checks.threads
                seen.append(args[5])
            return y

        monkeypatch.setitem(f.__globals__, "_fast", spy_fast)
    x = _data((40, 40), np.float64)
    d = da.from_array(x, chunks=10)
    with dask.config.set(scheduler="synchronous"):
        for lazy, n_threads in [(cyacts.gelu(d, n_threads=1), 1), (cyacts.gelu(d), None),
                                (cyacts.sigmoid_grad(d, d, n_threads=2), 2)]:
            seen.clear()  # building the graph validated the call once
            got = lazy.compute()
            assert seen == [n_threads] * 16
    _same(got, cyacts.sigmoid_grad(x, x))
    got = cyacts.gelu(d, n_threads=1).compute()
    _same(got, cyacts.gelu(x))


def test_threaded_scheduler_many_blocks():
    x = _data((2000, 500), np.float32)
    d = da.from_array(x, chunks=(137, 100))
    with dask.config.set(scheduler="threads", num_workers=4):
        _same(cyacts.gelu(d, n_threads=1), cyacts.gelu(x))
        _same(cyacts.gelu_grad(d, d[::-1]), cyacts.gelu_grad(x, x[::-1]))


# --------------------------------------------------------------------------------------------
# distributed: worker processes on 127.0.0.1
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_local_cluster(client):
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids
    x = _data((3000, 200), np.float32)
    g = _data((3000, 200), np.float32, 1)
    alpha = np.linspace(0.01, 0.2, 200).astype(np.float32)
    dx = da.from_array(x, chunks=(500, 100))
    dg = da.from_array(g, chunks=(500, 100))
    lazies = [cyacts.gelu(dx), cyacts.gelu(dx, approximate="tanh"),
              cyacts.gelu_grad(dx, dg), cyacts.leaky_relu(dx, alpha),
              cyacts.sigmoid_grad(cyacts.sigmoid(dx), dg, from_output=True),
              cyacts.tanh(dx.astype(np.float16))]
    expected = [cyacts.gelu(x), cyacts.gelu(x, approximate="tanh"), cyacts.gelu_grad(x, g),
                cyacts.leaky_relu(x, alpha),
                cyacts.sigmoid_grad(cyacts.sigmoid(x), g, from_output=True),
                cyacts.tanh(x.astype(np.float16))]
    results = client.compute(lazies, sync=True)
    for got, want in zip(results, expected):
        _same(got, want)
    # the tasks ran in the worker processes
    who = client.run(lambda: "cyacts" in __import__("sys").modules)
    assert all(who.values())


# --------------------------------------------------------------------------------------------
# xarray
# --------------------------------------------------------------------------------------------
def _data_array(chunks):
    xr = pytest.importorskip("xarray")
    x = _data((60, 40), np.float32)
    arr = xr.DataArray(x, dims=("time", "unit"),
                       coords={"time": np.arange(60), "unit": np.arange(40) * 10},
                       name="activations")
    return xr, x, (arr.chunk(chunks) if chunks else arr)


@pytest.mark.parametrize("chunks", [None, {"time": 25, "unit": 16}], ids=["numpy", "dask"])
def test_xarray_apply_ufunc(chunks):
    xr, x, arr = _data_array(chunks)
    y = xr.apply_ufunc(cyacts.gelu, arr, dask="parallelized", output_dtypes=[arr.dtype])
    assert y.dims == arr.dims
    assert (y.coords["unit"] == arr.coords["unit"]).all()
    if chunks:
        assert isinstance(y.data, da.Array)
        assert y.chunks == arr.chunks
    _same(y.data, cyacts.gelu(x))
    # keyword arguments and a second array operand (grad_output) pass through apply_ufunc
    g = xr.full_like(arr, 0.5)
    dy = xr.apply_ufunc(cyacts.gelu_grad, arr, g, kwargs={"approximate": "tanh"},
                        dask="parallelized", output_dtypes=[arr.dtype])
    _same(dy.data, cyacts.gelu_grad(x, np.full_like(x, 0.5), approximate="tanh"))
    # dask="allowed" hands the dask array itself to cyacts, which stays lazy
    y2 = xr.apply_ufunc(cyacts.sigmoid, arr, dask="allowed")
    if chunks:
        assert isinstance(y2.data, da.Array)
    _same(y2.data, cyacts.sigmoid(x))
