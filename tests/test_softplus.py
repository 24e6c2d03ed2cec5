"""The softplus family's own rules: relative accuracy where the textbook forms lose it, the
threshold and the sign of beta as PyTorch has them, the refused betas."""
import mpmath
import numpy as np
import pytest

import cyacts
from cyacts import reference

MP = reference.mpmath_functions()
# relative tolerance of a few ulps (the bounds are 2 and 4 ulps)
RTOL = {np.float32: 2.0**-21, np.float64: 2.0**-50}


def _mp(name, x):
    mpmath.mp.dps = 40
    return np.array([float(MP[name](mpmath.mpf(float(v)))) for v in x])


# (function, kernel in mpmath_functions, where the textbook form cancels, underflows or
# overflows): log1p(exp(x)) for x << 0 and log(sigmoid(x)) for x >> 0 are their tiny tails,
# x - tanh(x) cancels to x^3/3 near 0, x sigmoid(x) and x tanh(softplus(x)) are x e^x for
# x << 0, and the derivatives of silu and mish cross zero.
TAILS = [
    ("softplus", "softplus", -np.geomspace(20, 80, 61)),
    ("log_sigmoid", "log_sigmoid", np.geomspace(20, 80, 61)),
    ("tanhshrink", "tanhshrink", np.concatenate([np.geomspace(1e-30, 0.9, 61),
                                                 -np.geomspace(1e-12, 1.2, 31)])),
    ("silu", "silu", -np.geomspace(20, 80, 61)),
    ("mish", "mish", -np.geomspace(20, 80, 61)),
    ("softplus_grad", "softplus_grad", -np.geomspace(20, 80, 61)),
    ("log_sigmoid_grad", "log_sigmoid_grad", np.geomspace(20, 80, 61)),
    ("tanhshrink_grad", "tanhshrink_grad", np.geomspace(1e-15, 1e-3, 31)),
    ("silu_grad", "silu_grad", -1.2784645427610737951 + np.linspace(-1e-4, 1e-4, 41)),
    ("mish_grad", "mish_grad", -1.1924312145154952121 + np.linspace(-1e-4, 1e-4, 41)),
    ("silu_grad", "silu_grad", -np.geomspace(20, 80, 61)),
    ("mish_grad", "mish_grad", -np.geomspace(20, 80, 61)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("name, kernel, x", TAILS, ids=[f"{t[0]}-{i}" for i, t in
                                                         enumerate(TAILS)])
def test_keeps_relative_accuracy(name, kernel, x, dtype):
    x = x.astype(dtype)
    exact = _mp(kernel, x)
    got = getattr(cyacts, name)(x).astype(np.float64)
    keep = np.abs(exact) >= 2.0**-100  # float32 may flush below 2^-100
    assert np.all(np.sign(got[keep]) == np.sign(exact[keep]))
    np.testing.assert_allclose(got[keep], exact[keep], rtol=RTOL[dtype], atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0), (-1.0, 3.0)])
def test_threshold_follows_pytorch(beta, threshold, dtype):
    """PyTorch: x where x * beta > threshold (in the dtype), log1p(exp(x beta))/beta at and
    below it; the derivative 1 there, sigmoid(beta x) at and below (softplus_backward)."""
    at = dtype(threshold / beta)  # beta x == threshold exactly for these betas
    assert dtype(at * dtype(beta)) == dtype(threshold)
    above = np.nextafter(at, dtype(np.inf) if beta > 0 else dtype(-np.inf))
    x = np.array([at, above], dtype)
    got = cyacts.softplus(x, beta, threshold)
    assert got[1] == above
    smooth = cyacts.softplus(x[:1], beta)
    assert got[0] == smooth[0]
    grad = cyacts.softplus_grad(x, beta=beta, threshold=threshold)
    assert grad[1] == 1.0
    assert grad[0] == cyacts.softplus_grad(x[:1], beta=beta)[0]
    y = cyacts.softplus(x, beta, threshold)
    assert cyacts.softplus_grad(y[1:], beta=beta, threshold=threshold, from_output=True)[0] == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
def test_negative_beta_is_minus_softplus_of_minus_x(dtype):
    x = np.concatenate([np.linspace(-30, 30, 1201), [np.inf, -np.inf]]).astype(dtype)
    for beta in (1.0, 2.5):
        np.testing.assert_array_equal(cyacts.softplus(x, -beta), -cyacts.softplus(-x, beta))
        np.testing.assert_array_equal(cyacts.softplus_grad(x, beta=-beta),
                                      cyacts.softplus_grad(-x, beta=beta))
    np.testing.assert_array_equal(cyacts.log_sigmoid(x), cyacts.softplus(x, -1.0))


@pytest.mark.parametrize("bad", [0.0, -0.0, float("nan"), float("inf"), -float("inf"), 0])
@pytest.mark.parametrize("name", ["softplus", "silu"])
def test_beta_must_be_finite_and_nonzero(name, bad):
    x = np.linspace(-3, 3, 8)
    calls = [lambda: getattr(cyacts, name)(x, beta=bad),
             lambda: getattr(cyacts, name + "_grad")(x, beta=bad),
             lambda: getattr(cyacts, name + "_")(x.copy(), beta=bad)]
    for call in calls:
        with pytest.raises(ValueError, match="beta"):
            call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("name, kw", [("softplus", {}), ("softplus", {"beta": 2.0}),
                                      ("softplus", {"beta": -1.5, "threshold": 20.0}),
                                      ("log_sigmoid", {})])
def test_from_output_agrees_with_from_input(name, kw, dtype):
    """1 - exp(-beta y) = sigmoid(beta x): from a rounded y it is off by beta y's rounding
    times its sensitivity, within a few ulps where |beta x| < 8."""
    x = np.linspace(-30, 30, 3001).astype(dtype)
    y = getattr(cyacts, name)(x, **kw)
    grad = getattr(cyacts, name + "_grad")
    g = np.linspace(-2, 2, x.size).astype(dtype)
    from_y = grad(y, g, from_output=True, **kw)
    inner = np.abs(x * kw.get("beta", 1.0)) < 8
    np.testing.assert_allclose(grad(y, from_output=True, **kw)[inner], grad(x, **kw)[inner],
                               rtol=64 * np.finfo(dtype).eps)
    ref = getattr(reference, name + "_grad")(y, g, from_output=True, **kw)
    np.testing.assert_allclose(from_y, ref, rtol=RTOL[dtype], atol=2.0**-100)
