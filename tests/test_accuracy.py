"""Sampled accuracy bounds, at every SIMD level this CPU has.

Max error against the correctly rounded result, in ULPs of the result dtype (cyacts._ulp):
float32 on ~5*10^4 inputs per function against the float64 reference, float64 on ~2*10^3 against
mpmath; both samples weight the hard regions (tails, zero crossings, saturation, underflow).
benchmarks/accuracy.py runs the same measurement exhaustively (float32) and on 10^7 points.
"""
import functools

import numpy as np
import pytest

pytest.importorskip("mpmath")

from cyacts import _core, reference  # noqa: E402
from cyacts import _ulp as ulp  # noqa: E402

N = {np.float32: 50_000, np.float64: 2_000}
DTYPES = [np.float32, np.float64]


@pytest.fixture(params=_core.AVAILABLE_LEVELS)
def level(request):
    """Run on the kernels of one SIMD level, then put back the level in use before."""
    before = _core.simd_level()
    assert _core.select_level(request.param) == request.param
    yield request.param
    _core.select_level(before)


@functools.lru_cache(maxsize=None)
def _case(name, dtype):
    """(inputs, correctly rounded results): the same for every level, computed once."""
    x = ulp.sample(dtype, N[dtype], seed=7)
    ref = ulp.reference32(name, x) if dtype is np.float32 else ulp.reference64(name, x)
    return x, ref


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(ulp.FUNCTIONS))
def test_max_ulp_within_bound(name, dtype, level):
    f, bounds = ulp.FUNCTIONS[name]
    bound = bounds[DTYPES.index(dtype)]
    x, ref = _case(name, dtype)
    err, at = ulp.max_ulp(x, f(x), ref)
    assert err <= bound, (
        f"{name} {np.dtype(dtype).name} [{level}]: {err} ULP at x={at!r} "
        f"(got {f(np.array([at], dtype))[0]!r}, correctly rounded "
        f"{ref[np.flatnonzero(x == np.array(at, dtype))[0]]!r}), bound {bound}")


@pytest.mark.parametrize("name", list(ulp.FUNCTIONS))
def test_every_smooth_kernel_has_an_mpmath_reference(name):
    if ulp.FUNCTIONS[name][1] != ulp.EXACT:
        assert name in reference.mpmath_functions(), (
            f"{name}: no mpmath definition in cyacts.reference.mpmath_functions()")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(ulp.FUNCTIONS))
def test_nan_and_infinities(name, dtype, level):
    assert ulp.special_errors(name, dtype) == []


def test_ulp_distance_counts_representable_values():
    # the measuring stick itself: neighbours, signed zeros, sign changes, inf, NaN
    for dt in DTYPES:
        one, tiny = np.array(1.0, dt), np.array(np.finfo(dt).smallest_subnormal, dt)
        up = np.nextafter(one, np.array(2.0, dt))
        assert ulp.ulp_distance(one, up) == 1
        assert ulp.ulp_distance(np.array(0.0, dt), np.array(-0.0, dt)) == 0
        assert ulp.ulp_distance(-tiny, tiny) == 2
        assert ulp.ulp_distance(np.array(np.finfo(dt).max, dt), np.array(np.inf, dt)) == 1
        assert ulp.ulp_distance(np.array(np.nan, dt), np.array(np.nan, dt)) == 0
        assert ulp.ulp_distance(np.array(np.nan, dt), one) >= 1 << 62
        assert ulp.ulp_distance(np.array(-np.inf, dt), np.array(np.inf, dt)) > 0


def test_flush_allowance_only_near_zero():
    t = ulp.FLUSH[np.dtype(np.float32)]
    x = np.zeros(3, np.float32)
    ref = np.array([t / 4, t / 4, 1.0], np.float32)
    assert ulp.max_ulp(x, np.array([0, t / 4, 1], np.float32), ref)[0] == 0  # flushed: allowed
    assert ulp.max_ulp(x, np.array([3 * t, t / 4, 1], np.float32), ref)[0] > 0  # wild: counted
