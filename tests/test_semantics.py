"""One test per rule of the contract: special values, dtypes, out, in place, threads."""
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import cyacts
from cyacts import _ops
from conftest import (DTYPES, FORWARD, GRAD, INPLACE, VARIANTS, assert_matches, fn, limits)

ALL = FORWARD + GRAD


# ------------------------------------------------------------------------ special values
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", ALL, ids=lambda c: c[0])
def test_nan_anywhere_gives_nan(case, dtype):
    _, name, kw = case
    n = 1000
    for pos in [0, 1, 15, 16, 17, 500, n - 1]:
        x = np.linspace(-3, 3, n).astype(dtype)
        x[pos] = np.nan
        y = fn(name)(x, **kw)
        assert np.isnan(y[pos]) and np.isnan(y).sum() == 1
    if name.endswith("_grad"):
        x = np.linspace(-3, 3, n).astype(dtype)
        g = np.ones(n, dtype)
        g[17] = np.nan
        y = fn(name)(x, g, **kw)
        assert np.isnan(y[17]) and np.isnan(y).sum() == 1


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", ALL, ids=lambda c: c[0])
def test_infinities_give_limits(case, dtype):
    id_, name, kw = case
    got = fn(name)(np.array([-np.inf, np.inf], dtype), **kw)
    np.testing.assert_allclose(got, np.array(limits(id_), dtype), rtol=0)


@pytest.mark.parametrize("case", ALL, ids=lambda c: c[0])
def test_no_floating_point_warning_for_any_input(case):
    _, name, kw = case
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, -5e-324, 1.7e308, -1.7e308,
                  710.0, -710.0, 1e154, -1e154, 40.0, -40.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            for dtype in DTYPES:
                with np.errstate(all="ignore"):
                    xd = x.astype(dtype)
                fn(name)(xd, **kw)
                if name.endswith("_grad"):
                    fn(name)(xd, xd[::-1].copy(), **kw)


KINKED = [c for c in GRAD if VARIANTS[c[0]][0].kinks]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", KINKED, ids=lambda c: c[0])
def test_kinks_follow_pytorch(case, dtype):
    """The derivative at each kink (a kink at 0: both signs of zero) is the registry's,
    PyTorch's value."""
    id_, name, kw = case
    op, params = VARIANTS[id_]
    for kink in op.kinks:
        at = _ops.resolve(kink.x, params, op)
        x = np.array([at, -at] if at == 0 else [at], dtype)
        want = np.full(x.shape, _ops.resolve(kink.grad, params, op), dtype)
        np.testing.assert_array_equal(fn(name)(x, **kw), want, err_msg=f"{name} at {at}")


def test_grad_output_times_derivative_is_ieee():
    x = np.array([-1.0, 1.0, 2.0])
    g = np.array([np.inf, np.inf, 3.0])
    # relu'(-1) = 0 and inf * 0 is NaN in IEEE arithmetic
    out = cyacts.relu_grad(x, g)
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == 3.0


# ------------------------------------------------------------------------ bitwise identity
@pytest.mark.parametrize("case", ALL, ids=lambda c: c[0])
def test_bitwise_identical_for_threads_layout_position(case):
    _, name, kw = case
    rng = np.random.default_rng(5)
    base = rng.normal(0, 4, (700, 701)).astype(np.float32)
    serial = fn(name)(base, **kw, n_threads=1)
    for n_threads in (2, 3, 7):
        np.testing.assert_array_equal(fn(name)(base, **kw, n_threads=n_threads), serial)
    np.testing.assert_array_equal(fn(name)(np.asfortranarray(base), **kw), serial)
    np.testing.assert_array_equal(fn(name)(base[::-1, ::-1], **kw)[::-1, ::-1], serial)
    np.testing.assert_array_equal(fn(name)(base.T, **kw).T, serial)
    # every element at another offset from the vector body: shift by 1..17 elements
    flat = base.reshape(-1)
    for shift in (1, 5, 17):
        np.testing.assert_array_equal(fn(name)(flat[shift:], **kw), serial.reshape(-1)[shift:])


# ------------------------------------------------------------------------ dtypes
@pytest.mark.parametrize("case", FORWARD, ids=lambda c: c[0])
def test_float16_in_and_out_and_in_place(case):
    _, name, kw = case
    x = np.linspace(-8, 8, 1001).astype(np.float16)
    expected = fn(name)(x.astype(np.float32), **kw).astype(np.float16)
    got = fn(name)(x, **kw)
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, expected)
    y = x.copy()
    assert fn(name + "_")(y, **kw) is y
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint16, np.int32, np.int64])
def test_bool_and_integers_give_float64_out_of_place(dtype):
    x = np.arange(-3, 4).astype(dtype)
    got = cyacts.tanh(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.tanh(x.astype(np.float64)), rtol=1e-15)
    assert cyacts.relu_grad(x).dtype == np.float64
    with pytest.raises(TypeError, match="x"):
        cyacts.tanh_(x)


@pytest.mark.parametrize("bad", [np.complex128, np.object_, np.str_, "datetime64[s]",
                                 np.longdouble if np.dtype(np.longdouble).itemsize > 8 else np.complex64])
def test_unsupported_dtypes_raise_typeerror_naming_dtype(bad):
    x = np.zeros(3, dtype=bad)
    for name in ["relu", "gelu", "sigmoid_grad"]:
        with pytest.raises(TypeError, match=re.escape(str(x.dtype))):
            fn(name)(x)
    with pytest.raises(TypeError, match="grad_output"):
        cyacts.tanh_grad(np.zeros(3), x)


def test_non_native_byte_order():
    x = np.linspace(-4, 4, 101).astype(">f8")
    got = cyacts.gelu(x)
    assert got.dtype == np.float64 and got.dtype.isnative
    assert_matches(got, cyacts.reference.gelu(x.astype(np.float64)))
    with pytest.raises(TypeError, match="byte order"):
        cyacts.gelu_(x)


def test_python_scalars_lists_and_0d():
    s = cyacts.sigmoid(0.5)
    assert isinstance(s, np.float64) and s == cyacts.reference.sigmoid(0.5)
    assert isinstance(cyacts.tanh(np.float32(0.5)), np.float32)
    assert isinstance(cyacts.relu(np.array(-2.0)), np.float64)
    assert isinstance(cyacts.relu_grad(1.0, 2.0), np.float64)
    np.testing.assert_array_equal(cyacts.relu([-1, 2.5]), [0, 2.5])
    assert cyacts.relu([[1]]).shape == (1, 1)
    out = np.empty(())
    assert cyacts.relu(np.array(3.0), out=out) is out and out == 3.0


def test_grad_promotes_dtypes_as_numpy():
    x32 = np.ones(3, np.float32)
    assert cyacts.tanh_grad(x32, np.ones(3, np.float64)).dtype == np.float64
    assert cyacts.tanh_grad(x32, np.ones(3, np.float16)).dtype == np.float32
    assert cyacts.tanh_grad(x32, 2.0).dtype == np.float32  # Python scalars are weak


# ------------------------------------------------------------------------ out
def test_out_is_filled_and_returned():
    x = np.linspace(-3, 3, 100)
    out = np.empty_like(x)
    assert cyacts.gelu(x, out=out) is out
    assert_matches(out, cyacts.reference.gelu(x))
    out_f = np.empty((10, 10), order="F")
    assert cyacts.tanh(x.reshape(10, 10), out=out_f) is out_f
    assert_matches(out_f, cyacts.reference.tanh(x.reshape(10, 10)))
    strided = np.empty(200)[::2]
    assert cyacts.sigmoid(x, out=strided) is strided
    assert_matches(strided, cyacts.reference.sigmoid(x))


@pytest.mark.parametrize("out, exc", [
    (np.empty(5), ValueError),                       # wrong shape
    (np.empty(4, np.float32), TypeError),            # wrong dtype
    ([0.0] * 4, TypeError),                          # not an array
    (memoryview(bytearray(32)).cast("d"), TypeError),
])
def test_bad_out_is_refused_naming_out(out, exc):
    x = np.linspace(-1, 1, 4)
    before = x.copy()
    with pytest.raises(exc, match="out"):
        cyacts.relu(x, out=out)
    np.testing.assert_array_equal(x, before)


def test_read_only_out_is_refused():
    x = np.linspace(-1, 1, 4)
    out = np.zeros(4)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        cyacts.relu(x, out=out)
    assert not out.any()


@pytest.mark.parametrize("case", ALL, ids=lambda c: c[0])
def test_partial_overlap_is_as_if_inputs_were_copied(case):
    _, name, kw = case
    buf = np.linspace(-5, 5, 1001)
    x = buf[:-1]
    expected = fn(name)(x.copy(), **kw)
    fn(name)(x, **kw, out=buf[1:])
    np.testing.assert_array_equal(buf[1:], expected)
    buf = np.linspace(-5, 5, 1001)
    fn(name)(buf[1:], **kw, out=buf[:-1])
    np.testing.assert_array_equal(buf[:-1], fn(name)(np.linspace(-5, 5, 1001)[1:], **kw))


@pytest.mark.parametrize("name", ["relu_grad", "tanh_grad", "gelu_grad"])
def test_grad_in_place_into_grad_output_or_x(name):
    x = np.linspace(-4, 4, 999)
    g = np.cos(x)
    expected = fn(name)(x, g)
    g2 = g.copy()
    assert fn(name)(x, g2, out=g2) is g2
    np.testing.assert_array_equal(g2, expected)
    x2 = x.copy()
    assert fn(name)(x2, g, out=x2) is x2
    np.testing.assert_array_equal(x2, expected)


def test_broadcasting_x_and_grad_output():
    x = np.linspace(-2, 2, 5)
    g = np.arange(3.0)[:, None]
    got = cyacts.sigmoid_grad(x, g)
    assert got.shape == (3, 5)
    assert_matches(got, cyacts.reference.sigmoid_grad(x, g))
    with pytest.raises(ValueError, match="grad_output"):
        cyacts.sigmoid_grad(x, np.ones(4))


def test_per_channel_alpha():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4))
    alpha = np.array([0.1, 0.2, 0.3])[:, None, None]
    got = cyacts.leaky_relu(x, alpha)
    assert_matches(got, cyacts.reference.leaky_relu(x, alpha))
    g = np.ones_like(x)
    assert_matches(cyacts.leaky_relu_grad(x, g, alpha=alpha),
                   cyacts.reference.leaky_relu_grad(x, g, alpha=alpha))
    with pytest.raises(ValueError, match="alpha"):
        cyacts.leaky_relu(x, np.ones(5))


# ------------------------------------------------------------------------ in place
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", INPLACE, ids=lambda c: c[0])
def test_in_place_returns_same_object(case, dtype):
    _, name, kw = case
    x = np.linspace(-7, 7, 1003).astype(dtype)
    expected = fn(name[:-1])(x, **kw)
    y = x.copy()
    assert fn(name)(y, **kw) is y
    np.testing.assert_array_equal(y, expected)
    z = x.copy()
    assert fn(name[:-1])(z, **kw, out=z) is z
    np.testing.assert_array_equal(z, expected)
    view = x.copy()[::-3]
    expected_view = fn(name[:-1])(view, **kw)
    assert fn(name)(view, **kw) is view
    np.testing.assert_array_equal(view, expected_view)


def test_out_of_place_leaves_input_untouched():
    x = np.linspace(-7, 7, 1003)
    before = x.copy()
    for _, name, kw in ALL:
        fn(name)(x, **kw)
    np.testing.assert_array_equal(x, before)


# ------------------------------------------------------------------------ from_output
def test_from_output_refusals():
    y = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="from_output"):
        cyacts.gelu_grad(y, from_output=True)
    with pytest.raises(ValueError, match="alpha"):
        cyacts.leaky_relu_grad(y, alpha=0.0, from_output=True)
    with pytest.raises(ValueError, match="alpha"):
        cyacts.leaky_relu_grad(y, alpha=-0.5, from_output=True)


# ------------------------------------------------------------------------ threads
@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                      ("2", TypeError), (True, TypeError)])
def test_bad_n_threads(bad, exc):
    with pytest.raises(exc, match="n_threads"):
        cyacts.relu(np.ones(3), n_threads=bad)


def test_set_num_threads_round_trip():
    if not cyacts.config()["openmp"]:
        pytest.skip("serial build")
    before = cyacts.get_num_threads()
    try:
        cyacts.set_num_threads(3)
        assert cyacts.get_num_threads() == 3
    finally:
        cyacts.set_num_threads(before)
    with pytest.raises(ValueError, match="n_threads"):
        cyacts.set_num_threads(0)


def _in_subprocess(code, **env):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **env}, check=True)
    return result.stdout.strip()


def test_num_threads_follows_omp_num_threads_and_affinity():
    if not cyacts.config()["openmp"]:
        pytest.skip("serial build")
    assert _in_subprocess("import cyacts; print(cyacts.get_num_threads())", OMP_NUM_THREADS="3") == "3"
    if hasattr(os, "sched_setaffinity"):
        code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
                "import cyacts; print(cyacts.get_num_threads())")
        env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True).stdout.strip()
        assert out == "1"


def test_num_threads_follows_threadpoolctl():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not cyacts.config()["openmp"]:
        pytest.skip("serial build")
    before = cyacts.get_num_threads()
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        assert cyacts.get_num_threads() == 1
    assert cyacts.get_num_threads() == before


def test_config_reports_build():
    cfg = cyacts.config()
    assert set(cfg) >= {"version", "openmp", "threads", "compiler", "flags", "simd"}
    assert cfg["simd"] in cfg["simd_available"]
    assert "-ffast-math" not in cfg["flags"]
    assert os.path.isfile(os.path.join(cyacts.get_include(), "cyacts", "cyacts.h"))


def test_simd_level_can_be_forced_lower_by_environment():
    levels = cyacts.config()["simd_available"]
    code = "import cyacts; print(cyacts.config()['simd'])"
    assert _in_subprocess(code, CYACTS_SIMD=levels[0]) == levels[0]
    assert _in_subprocess(code, CYACTS_SIMD="") == levels[-1]
