"""Property-based fuzzing of every public function against the oracle.

Hypothesis draws the dtype (float16/32/64), the shape (0 to 4 dimensions, zero sizes included),
the layout (slices with steps, negative steps, offsets, transposes, broadcast grad_output and
alpha), the values (NaN, infinities, subnormals, signed zeros, extremes) and the options (out=,
from_output, n_threads); each result must match cyacts.reference within the shared tolerance,
leave the inputs alone, and write nothing outside its output.
"""
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cyacts import _ops

from _cases import (
    F16, F32, F64, FROM_OUTPUT, SPECS, Spec, assert_close, grad_alternative,
)

# per function and parameter set: ~12 600 in all (126 sets); the sanitized run takes fewer
EXAMPLES = int(os.environ.get("CYACTS_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
WIDTH = {F16: 16, F32: 32, F64: 64}
dtypes = st.sampled_from([F16, F32, F64])


def values(dtype):
    width = WIDTH[dtype]
    info = np.finfo(dtype)
    specials = [0.0, -0.0, 6.0, -6.0, float(info.smallest_subnormal),
                -float(info.smallest_subnormal), float(info.max), -float(info.max),
                float("nan"), float("inf"), float("-inf")]
    return st.one_of(
        st.floats(-12, 12, width=width),
        st.floats(width=width, allow_nan=True, allow_infinity=True, allow_subnormal=True),
        st.sampled_from(specials),
        st.floats(-(2.0**-10), 2.0**-10, width=width, allow_subnormal=True),
    )


@st.composite
def strided(draw, dtype, shape):
    """A view of the given shape into a larger fresh array: steps, negative steps, offsets,
    then a transpose (the view's shape is permuted back so the result has `shape`)."""
    ndim = len(shape)
    perm = draw(st.permutations(range(ndim))) if ndim > 1 else list(range(ndim))
    inv = np.argsort(perm) if ndim else []
    pre_shape = [shape[p] for p in inv] if ndim else []
    steps = [draw(st.sampled_from([1, 1, 1, 2, 3, -1, -1, -2])) for _ in range(ndim)]
    offsets = [draw(st.integers(0, 2)) for _ in range(ndim)]
    base_shape = tuple(o + max(side - 1, 0) * abs(s) + 1 + draw(st.integers(0, 1))
                       for side, s, o in zip(pre_shape, steps, offsets))
    base = draw(hnp.arrays(dtype, base_shape, elements=values(dtype)))
    index = []
    for side, s, o in zip(pre_shape, steps, offsets):
        if side == 0:
            index.append(slice(0, 0))
        elif s > 0:
            index.append(slice(o, o + (side - 1) * s + 1, s))
        else:
            start = o + (side - 1) * -s
            index.append(slice(start, None if start + s * side < 0 else start + s * side, s))
    view = base[(*index, Ellipsis)]  # a view, never a scalar (0-d included)
    view = view.transpose(perm) if ndim > 1 else view
    if draw(st.booleans()) and ndim >= 1:
        view = np.asfortranarray(view) if draw(st.booleans()) else view
    assert view.shape == tuple(shape), (view.shape, shape)
    return view


def broadcast_shape_of(draw, shape):
    """A shape that broadcasts to `shape` (axes dropped from the front or set to 1)."""
    drop = draw(st.integers(0, len(shape)))
    kept = list(shape[drop:])
    return tuple(1 if draw(st.booleans()) else side for side in kept)


@st.composite
def case(draw, spec):
    x_dtype = draw(dtypes)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    x = draw(strided(x_dtype, shape))
    kw = dict(spec.kw)
    g = None
    from_output = False
    if spec.kind == "grad":
        choice = draw(st.sampled_from(["none", "same", "broadcast", "number"]))
        g_dtype = draw(dtypes) if draw(st.booleans()) else x_dtype
        if choice == "same":
            g = draw(strided(g_dtype, shape))
        elif choice == "broadcast":
            g = draw(strided(g_dtype, broadcast_shape_of(draw, shape)))
        elif choice == "number":
            g = draw(st.floats(-10, 10, width=32))
        if (spec.base in FROM_OUTPUT and _ops.BY_NAME[spec.base].from_output_allowed(spec.kw)
                and draw(st.booleans())):
            from_output = True
    if spec.base == "leaky_relu" and draw(st.booleans()):
        # a per-channel alpha array (positive when the derivative comes from the output)
        a_shape = broadcast_shape_of(draw, shape)
        lo = 2.0**-10 if from_output else -2.0
        kw["alpha"] = draw(hnp.arrays(draw(dtypes), a_shape,
                                      elements=st.floats(lo, 2.0, width=16)))
    n_threads = draw(st.sampled_from([None, 1, 2, 3]))
    use_out = spec.kind != "inplace" and draw(st.booleans())
    return x, g, kw, from_output, n_threads, use_out


def result_dtype(x, g):
    dts = [np.asarray(x).dtype]
    if isinstance(g, np.ndarray):
        dts.append(g.dtype)
    return np.result_type(*dts)


def check(spec, x, g, kw, from_output, n_threads, use_out, data):
    if from_output:
        with np.errstate(all="ignore"):
            y = Spec(spec.base, "forward").ref(np.asarray(x), **{
                k: v for k, v in kw.items() if k == "alpha"})
        x = np.array(y, copy=True).reshape(np.shape(x)) if np.ndim(y) else np.asarray(y)
        if x.ndim == 0:
            x = x.reshape(())
    x_before = np.array(x, copy=True)
    g_before = np.array(g, copy=True) if isinstance(g, np.ndarray) else g
    g_ref = g_before  # a Python number stays one: it takes x's dtype, as in a ufunc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the oracle's own overflow on rounding
        if spec.kind == "grad":
            expected = spec.ref(x_before, g_ref, from_output=from_output, **kw)
            alternative = None if g is None else grad_alternative(
                spec, x_before, g_ref, from_output=from_output, **kw)
        else:
            expected = spec.ref(x_before, **kw)
            alternative = None
    call_kw = dict(kw)
    if spec.kind == "grad":
        call_kw["from_output"] = from_output
    if spec.kind != "inplace":
        call_kw["n_threads"] = n_threads
    out = None
    if use_out:
        shape = np.shape(expected)
        out = data.draw(strided(np.asarray(expected).dtype, shape), label="out")
        call_kw["out"] = out
    base = out
    while isinstance(base, np.ndarray) and isinstance(base.base, np.ndarray):
        base = base.base
    base_bytes = base.tobytes() if out is not None else None
    out_before = out.copy() if out is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = spec.call(x, g, **call_kw)
    if spec.kind == "inplace":
        assert result is x
    elif out is not None:
        assert result is out
    assert_close(result, expected, spec.id, alternative)
    if spec.kind != "inplace":
        assert x.tobytes() == x_before.tobytes(), "x was modified"
    if isinstance(g, np.ndarray):
        assert g.tobytes() == g_before.tobytes(), "grad_output was modified"
    if out is not None:
        out[...] = out_before
        assert base.tobytes() == base_bytes, "a write landed outside out"


def _make(spec):
    @FUZZ
    @given(c=case(spec), data=st.data())
    def test(c, data):
        check(spec, *c, data)

    return test


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_fuzz(spec):
    _make(spec)()
