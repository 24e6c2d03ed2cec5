"""Every function x dtype x layout x shape against cyacts.reference, at every SIMD level."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conftest import (DTYPES, FORWARD, FROM_OUTPUT, GRAD, assert_matches, fn, layouts, ref,
                      sample_values)

# 0-d, empty, length 1, odd lengths that leave vector tails, multi-dimensional, and sizes
# large enough to be split across threads (the cheapest kernels need 2 x 32768 elements).
SHAPES = [(), (0,), (1,), (7,), (33,), (1023,), (4, 5), (3, 0, 2), (2, 3, 4, 5), (300_007,)]


def _cases(shape, dtype, seed=0):
    n = int(np.prod(shape))
    return sample_values(n, dtype, seed).reshape(shape)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("case", FORWARD, ids=lambda c: c[0])
def test_forward_matches_reference(case, shape, dtype, simd_level):
    _, name, kw = case
    base = _cases(shape, dtype)
    expected = ref(name)(base, **kw)
    for layout, x, same in layouts(base):
        before = x.copy()
        got = fn(name)(x, **kw)
        assert_matches(got, same(expected))
        np.testing.assert_array_equal(x, before, err_msg=f"{layout}: input changed")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("case", GRAD, ids=lambda c: c[0])
def test_grad_matches_reference(case, shape, dtype, simd_level):
    _, name, kw = case
    base = _cases(shape, dtype)
    g = _cases(shape, dtype, seed=1)
    loose = name == "gelu_grad"
    assert_matches(fn(name)(base, **kw), ref(name)(base, **kw), loose_near_zero=loose)
    expected = ref(name)(base, g, **kw)
    # x and grad_output each in every layout, paired with g in C order and in x's layout
    for (_, x, same), (_, gv, _) in zip(layouts(base), layouts(g)):
        for g_arg in (np.array(same(g), order="C"), gv):
            got = fn(name)(x, g_arg, **kw)
            assert_matches(got, same(expected), loose_near_zero=loose)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", FROM_OUTPUT)
def test_grad_from_output_matches_reference(name, dtype):
    x = _cases((2001,), dtype)
    y = fn(name)(x)
    g = _cases((2001,), dtype, seed=3)
    assert_matches(fn(name + "_grad")(y, from_output=True), ref(name + "_grad")(y, from_output=True))
    assert_matches(fn(name + "_grad")(y, g, from_output=True),
                   ref(name + "_grad")(y, g, from_output=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("alpha", [-1.5, -2.0**-20])
def test_celu_with_negative_alpha(alpha, dtype):
    """alpha < 0 (PyTorch allows it): x < 0 gives t = x/alpha > 0, up to where alpha e^t
    overflows; with |alpha| < 1 that is past e^t's own overflow, which the kernels scale away."""
    big = np.log(np.finfo(dtype).max)  # e^t overflows here
    t = np.concatenate([np.linspace(0, 2 * big, 2001), sample_values(2000, np.float64) ** 2])
    x = (t * alpha).astype(dtype)
    assert_matches(fn("celu")(x, alpha), ref("celu")(x, alpha))
    assert_matches(fn("celu_grad")(x, alpha=alpha), ref("celu_grad")(x, alpha=alpha))


def test_from_output_agrees_with_from_input():
    x = np.linspace(-8, 8, 4001)
    for name in ["relu", "leaky_relu", "relu6"]:
        y = fn(name)(x)
        np.testing.assert_array_equal(fn(name + "_grad")(y, from_output=True),
                                      fn(name + "_grad")(x))
    for name in ["tanh", "sigmoid"]:
        y = fn(name)(x)
        # y(1-y) from a rounded y loses accuracy where y saturates; compare where it cannot.
        inner = np.abs(x) < 3
        np.testing.assert_allclose(fn(name + "_grad")(y, from_output=True)[inner],
                                   fn(name + "_grad")(x)[inner], rtol=1e-13)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_negative_tail_keeps_relative_accuracy(approximate):
    """The textbook 0.5 x (1 + erf(x/sqrt2)) gives 0 or garbage here; cyacts must not."""
    from math import erfc, sqrt

    x = np.linspace(-13, -5, 801)
    got64 = fn("gelu")(x, approximate=approximate)
    got32 = fn("gelu")(x.astype(np.float32), approximate=approximate)
    if approximate == "none":
        exact = np.array([v * 0.5 * erfc(-v / sqrt(2)) for v in x])
    else:
        import mpmath

        mpmath.mp.dps = 50
        exact = np.array([float(mpmath.mpf(v) / (1 + mpmath.exp(-2 * mpmath.sqrt(2 / mpmath.pi)
                                                    * (mpmath.mpf(v) + mpmath.mpf("0.044715") * mpmath.mpf(v) ** 3))))
                          for v in x])
    assert np.all(got64 < 0)
    np.testing.assert_allclose(got64, exact, rtol=1e-12)
    keep = exact < -2.0**-100  # float32 may flush below 2^-100
    np.testing.assert_allclose(got32[keep], exact[keep], rtol=1e-5)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_derivative_of_saturating_functions_does_not_vanish(name):
    """1 - tanh(x)^2 computed naively is 0 at x = 11; the true value is about 1e-9."""
    x = np.array([11.0, -11.0, 20.0, 30.0])
    exact = {"tanh": lambda v: 1 / np.cosh(v) ** 2,
             "sigmoid": lambda v: np.exp(-abs(v)) / (1 + np.exp(-abs(v))) ** 2}[name](x)
    for dtype, rtol in [(np.float64, 1e-12), (np.float32, 1e-5)]:
        got = fn(name + "_grad")(x.astype(dtype))
        assert np.all(got > 0)
        np.testing.assert_allclose(got, exact.astype(dtype), rtol=rtol)


ALL = FORWARD + GRAD


@settings(max_examples=60, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("case", ALL, ids=lambda c: c[0])
def test_property_any_shape_strides_values(case, data):
    """Hypothesis: arbitrary shapes, slicing steps (negative too) and values."""
    _, name, kw = case
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=9))
    base = data.draw(hnp.arrays(dtype, shape, elements=st.floats(
        allow_nan=True, allow_infinity=True, width=np.dtype(dtype).itemsize * 8)))
    index = tuple(data.draw(st.sampled_from([slice(None), slice(None, None, -1), slice(None, None, 2),
                                             slice(1, None, -2)])) for _ in shape)
    x = base[index]
    got = fn(name)(x, **kw)
    assert_matches(got, ref(name)(x, **kw), loose_near_zero=name == "gelu_grad")
