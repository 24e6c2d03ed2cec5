"""Every public function against a matrix of awkward and wrong inputs.

For each case the call either gives the oracle's result or raises TypeError/ValueError whose
message names the offending argument; when it raises, no input and no `out` has changed (the
bytes of every array involved, and of the buffers they view, are compared before and after).
The cases are generated from the table of functions in _cases.py: what only the calling layer
decides (argument checks, layouts, overlaps) runs on one function of each signature class
(_cases.REPRESENTATIVE), what the kernels decide (edge values, NaN, from-output forms) on all.
"""
import warnings

import numpy as np
import pytest

import cyacts
from cyacts import _ops
from _cases import (
    BASES, F16, F32, F64, FLOATS, FROM_OUTPUT, GRAD, INPLACE, OUT_OF_PLACE, REP_GRAD,
    REP_INPLACE, REP_OUT_OF_PLACE, REPRESENTATIVE, SPECS, Spec, assert_close, grad_alternative,
    names_argument, public_function_names,
)

ids = lambda specs: [s.id for s in specs]  # noqa: E731


# --------------------------------------------------------------------------------------------
# calling and checking
# --------------------------------------------------------------------------------------------
def sample(n, dtype=F64, seed=0, lo=-8.0, hi=8.0):
    """n values spread over [lo, hi] with the kinks (0, 6) and a -0.0 among them."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(lo, hi, n)
    specials = [0.0, -0.0, 6.0, -6.0, 1.0, -1.0]
    v[: min(n, len(specials))] = specials[: min(n, len(specials))]
    rng.shuffle(v)
    return v.astype(dtype)


def _root(a):
    while isinstance(a, np.ndarray) and isinstance(a.base, np.ndarray):
        a = a.base
    return a


def snapshot(*objs):
    """Bytes of every array given and of the outermost array each one views."""
    shots = []
    for obj in objs:
        if isinstance(obj, np.ndarray):
            for a in {id(obj): obj, id(_root(obj)): _root(obj)}.values():
                shots.append((a, a.tobytes(order="A")))
        elif isinstance(obj, (list, memoryview, bytearray)):
            shots.append((obj, bytes(obj) if not isinstance(obj, list) else repr(obj)))
    return shots


def assert_unchanged(shots, context):
    for obj, before in shots:
        now = obj.tobytes(order="A") if isinstance(obj, np.ndarray) else (
            repr(obj) if isinstance(obj, list) else bytes(obj))
        assert now == before, f"{context}: an input or out was written although the call raised"


def refused(call, objs, exc, argument, context, dtype_name=None):
    """call() raises exc naming `argument` (and dtype_name), and leaves every obj unchanged."""
    shots = snapshot(*objs)
    with pytest.raises(exc) as info:
        call()
    assert names_argument(info.value, argument), (
        f"{context}: the message does not name {argument!r}: {info.value}")
    if dtype_name is not None:
        assert dtype_name in str(info.value), (
            f"{context}: the message does not name the dtype {dtype_name}: {info.value}")
    assert_unchanged(shots, context)
    return info.value


def quiet():
    """No floating-point warning from any input: make every warning an error."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error")
    return ctx


def run_ok(spec, x, g=None, out=None, check_out_identity=True, **kw):
    """Call spec and compare with the oracle, computed from copies taken before the call."""
    x_ref = np.array(x, copy=True) if isinstance(x, np.ndarray) else x
    g_ref = np.array(g, copy=True) if isinstance(g, np.ndarray) else g
    params = {p.name for p in _ops.BY_NAME[spec.base].params}
    ref_kw = {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v)
              for k, v in kw.items() if k in params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the oracle's own overflow on rounding
        if spec.kind == "grad":
            expected = spec.ref(x_ref, g_ref, from_output=kw.get("from_output", False), **ref_kw)
        else:
            expected = spec.ref(x_ref, **ref_kw)
    inputs_before = [(a, a.tobytes(order="A")) for a in (x, g) if isinstance(a, np.ndarray)
                     and a is not out and not (spec.kind == "inplace" and a is x)]
    call_kw = dict(kw)
    if out is not None:
        call_kw["out"] = out
    ctx = quiet()
    try:
        with np.errstate(all="raise"):
            result = spec.call(x, g, **call_kw)
    finally:
        ctx.__exit__(None, None, None)
    if spec.kind == "inplace":
        assert result is x, f"{spec.id}: the in-place form must return x itself"
    elif out is not None and check_out_identity:
        assert result is out, f"{spec.id}: a call with out= must return out"
    if out is None and spec.kind != "inplace" and np.ndim(expected) == 0 and not isinstance(
            result, np.ndarray):
        assert isinstance(result, np.generic), f"{spec.id}: a scalar in gives a NumPy scalar out"
    alternative = None
    if spec.kind == "grad" and g is not None:
        alternative = grad_alternative(spec, x_ref, g_ref, from_output=kw.get("from_output", False),
                                       **ref_kw)
    assert_close(result, expected, spec.id, alternative)
    for a, before in inputs_before:
        # an input that overlaps out may change; the others must not
        if out is not None and np.may_share_memory(a, out):
            continue
        assert a.tobytes(order="A") == before, f"{spec.id}: an input was modified"
    return result


def grad_for(spec, x, seed=1):
    """A grad_output matching x (None for non-derivatives)."""
    if spec.kind != "grad":
        return None
    return sample(np.size(x), F64, seed).reshape(np.shape(x)).astype(np.asarray(x).dtype)


# --------------------------------------------------------------------------------------------
# the table itself
# --------------------------------------------------------------------------------------------
def test_table_covers_every_public_function():
    """Every single-input function (the gated units' bad input is test_gated.py's)."""
    names = {s.name for s in SPECS}
    gated = {n for unit in _ops.GATED for n in (unit.name, unit.name + "_grad")}
    assert names == set(public_function_names()) - gated


# --------------------------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------------------------
BAD_DTYPES = {
    "complex64": lambda: np.array([1 + 1j, -2], np.complex64),
    "complex128": lambda: np.array([1 + 1j, -2], np.complex128),
    "object": lambda: np.array([1.0, -2.0], dtype=object),
    "str": lambda: np.array(["1.0", "-2"]),
    "bytes": lambda: np.array([b"1.0", b"-2"]),
    "datetime64": lambda: np.array(["2020-01-01", "2021-01-01"], "datetime64[ns]"),
    "timedelta64": lambda: np.array([1, -2], "timedelta64[s]"),
    "longdouble": lambda: np.array([1.0, -2.0], np.longdouble),
    "structured": lambda: np.zeros(2, dtype=[("a", "f4"), ("b", "f4")]),
}
if np.dtype(np.longdouble).itemsize == 8:  # where long double is double it is a valid input
    del BAD_DTYPES["longdouble"]


@pytest.mark.parametrize("dtype_name", list(BAD_DTYPES))
@pytest.mark.parametrize("spec", REPRESENTATIVE, ids=ids(REPRESENTATIVE))
def test_x_wrong_dtype(spec, dtype_name):
    x = BAD_DTYPES[dtype_name]()
    g = None if spec.kind != "grad" else np.ones(2)
    refused(lambda: spec.call(x, g), [x, g], TypeError, "x", spec.id, str(x.dtype))


@pytest.mark.parametrize("dtype_name", list(BAD_DTYPES))
@pytest.mark.parametrize("spec", REP_GRAD, ids=ids(REP_GRAD))
def test_grad_output_wrong_dtype(spec, dtype_name):
    x = np.array([1.0, -2.0])
    g = BAD_DTYPES[dtype_name]()
    refused(lambda: spec.call(x, g), [x, g], TypeError, "grad_output", spec.id, str(g.dtype))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int32, np.uint16, np.int64])
@pytest.mark.parametrize("spec", REP_INPLACE, ids=ids(REP_INPLACE))
def test_inplace_refuses_bool_and_int(spec, dtype):
    x = np.array([1, 0, 1, 3], dtype=dtype)
    refused(lambda: spec.call(x), [x], TypeError, "x", spec.id)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int32, np.uint16, np.int64])
@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=ids(REP_OUT_OF_PLACE))
def test_bool_and_int_give_float64(spec, dtype):
    x = np.array([1, 0, 1, 7, 3], dtype=dtype)
    result = run_ok(spec, x, grad_for(spec, x.astype(np.float64)))
    assert result.dtype == F64


@pytest.mark.parametrize("x_dtype", FLOATS)
@pytest.mark.parametrize("g_dtype", [*FLOATS, np.dtype(np.int16), np.dtype(np.bool_)])
@pytest.mark.parametrize("spec", REP_GRAD, ids=ids(REP_GRAD))
def test_grad_mixed_dtypes(spec, x_dtype, g_dtype):
    x = sample(9, x_dtype)
    g = sample(9, F64, 3).astype(g_dtype)
    result = run_ok(spec, x, g)
    assert result.dtype == np.result_type(x_dtype, F64 if g_dtype.kind in "biu" else g_dtype)


# --------------------------------------------------------------------------------------------
# out
# --------------------------------------------------------------------------------------------
BAD_OUTS = {
    # name: (build(x) -> out, expected exception)
    "shape": (lambda x: np.empty(x.size + 1, x.dtype), ValueError),
    "shape-2d": (lambda x: np.empty((1, x.size), x.dtype), ValueError),
    "dtype-f64": (lambda x: np.empty(x.shape, np.float64), TypeError),
    "dtype-f16": (lambda x: np.empty(x.shape, np.float16), TypeError),
    "dtype-int": (lambda x: np.empty(x.shape, np.int32), TypeError),
    "dtype-complex": (lambda x: np.empty(x.shape, np.complex64), TypeError),
    "byteorder": (lambda x: np.empty(x.shape, x.dtype.newbyteorder(">")), TypeError),
    "read-only": (lambda x: _read_only(np.zeros(x.shape, x.dtype)), ValueError),
    "broadcast-view": (lambda x: np.broadcast_to(np.zeros(1, x.dtype), x.shape), ValueError),
    "list": (lambda x: [0.0] * x.size, TypeError),
    "memoryview": (lambda x: memoryview(np.zeros(x.shape, x.dtype)), TypeError),
    "bytearray": (lambda x: bytearray(x.nbytes), TypeError),
    "scalar": (lambda x: np.float32(0), TypeError),
    "tuple": (lambda x: (0.0,) * x.size, TypeError),
}


def _read_only(a):
    a.flags.writeable = False
    return a


@pytest.mark.parametrize("bad", list(BAD_OUTS))
@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=ids(REP_OUT_OF_PLACE))
def test_out_refused(spec, bad):
    x = sample(6, F32)
    g = grad_for(spec, x)
    build, exc = BAD_OUTS[bad]
    out = build(x)
    refused(lambda: spec.call(x, g, out=out), [x, g, out], exc, "out", spec.id)


@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=ids(REP_OUT_OF_PLACE))
def test_out_for_0d_and_int_inputs(spec):
    x = np.array(1.5, np.float32)
    out = np.empty((), np.float32)
    result = run_ok(spec, x, grad_for(spec, x), out=out)
    assert isinstance(result, np.ndarray) and result.shape == ()
    # an int input has a float64 result: a float32 out is refused, a float64 one is filled
    xi = np.array([1, -2, 7])
    gi = None if spec.kind != "grad" else np.ones(3)
    out32 = np.zeros(3, np.float32)
    refused(lambda: spec.call(xi, gi, out=out32), [xi, gi, out32], TypeError, "out", spec.id)
    run_ok(spec, xi, gi, out=np.zeros(3, np.float64))


@pytest.mark.parametrize("spec", REP_GRAD, ids=ids(REP_GRAD))
def test_out_must_have_the_broadcast_shape(spec):
    x = sample(3, F64).reshape(3, 1)
    g = sample(4, F64, 2).reshape(1, 4)
    run_ok(spec, x, g)
    refused(lambda: spec.call(x, g, out=x), [x, g], ValueError, "out", spec.id)
    refused(lambda: spec.call(x, g, out=g), [x, g], ValueError, "out", spec.id)


# --------------------------------------------------------------------------------------------
# broadcasting: grad_output and alpha
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("g_shape", [(5,), (2, 4), (3, 4, 2)])
@pytest.mark.parametrize("spec", REP_GRAD, ids=ids(REP_GRAD))
def test_grad_output_not_broadcasting(spec, g_shape):
    x = sample(12, F64).reshape(3, 4)
    g = np.ones(g_shape)
    out = np.zeros((3, 4))
    refused(lambda: spec.call(x, g), [x, g], ValueError, "grad_output", spec.id)
    refused(lambda: spec.call(x, g, out=out), [x, g, out], ValueError, "grad_output", spec.id)


# every op with a per-element parameter (PReLU's alpha): (spec, parameter name)
PER_ELEMENT = [(s, _ops.BY_NAME[s.base].per_element.name) for s in SPECS
               if _ops.BY_NAME[s.base].per_element is not None]
BAD_ALPHAS = {
    "shape-5": (lambda: np.full(5, 0.1), ValueError),
    "shape-3x4x1": (lambda: np.full((3, 4, 1), 0.1), ValueError),
    "grows-x": (lambda: np.full((2, 3, 4), 0.1), ValueError),
    "complex": (lambda: 0.1 + 1j, TypeError),
    "complex-array": (lambda: np.full(4, 0.1 + 0j), TypeError),
    "str": (lambda: "0.1", TypeError),
    "none": (lambda: None, TypeError),
    "bool": (lambda: True, TypeError),
    "object": (lambda: np.array([0.1] * 4, dtype=object), TypeError),
    "ragged": (lambda: [[0.1], [0.1, 0.2]], TypeError),
}


@pytest.mark.parametrize("bad", list(BAD_ALPHAS.values()), ids=list(BAD_ALPHAS))
@pytest.mark.parametrize("spec, param", PER_ELEMENT, ids=ids(s for s, _ in PER_ELEMENT))
def test_per_element_parameter_refused(spec, param, bad):
    x = sample(12, F32).reshape(3, 4)
    g = grad_for(spec, x)
    build, exc = bad
    value = build()
    kw = {k: v for k, v in spec.kw.items() if k != param}
    base = Spec(spec.base, spec.kind)
    refused(lambda: base.call(x, g, **{param: value}, **kw), [x, g, value], exc, param,
            spec.id)


@pytest.mark.parametrize("param_shape", [(), (4,), (1, 4), (3, 1), (3, 4)])
@pytest.mark.parametrize("spec, param", [(s, p) for s, p in PER_ELEMENT if not s.params],
                         ids=ids(s for s, p in PER_ELEMENT if not s.params))
def test_per_element_array_broadcasts(spec, param, param_shape):
    x = sample(12, F32).reshape(3, 4)
    value = np.linspace(0.05, 0.5, int(np.prod(param_shape))).reshape(param_shape)
    run_ok(spec, x, grad_for(spec, x), **{param: value})


# --------------------------------------------------------------------------------------------
# approximate, n_threads, from_output
# --------------------------------------------------------------------------------------------
# every op with a choice parameter (gelu's approximate): (spec, parameter name)
CHOICES = [(Spec(op.name, k), op.choice.name) for op in _ops.OPS if op.choice is not None
           for k in ("forward", "inplace", "grad")]


@pytest.mark.parametrize("value", ["exact", "TANH", "", "erf", None, 1, True, ["none"]])
@pytest.mark.parametrize("spec, param", CHOICES, ids=ids(s for s, _ in CHOICES))
def test_unknown_choice(spec, param, value):
    x = sample(5, F32)
    g = grad_for(spec, x)
    refused(lambda: spec.call(x, g, **{param: value}), [x, g],
            (TypeError, ValueError), param, spec.id)


# a list, not a dict: 0 == False and 1 == True would collide as keys
BAD_THREADS = [(0, ValueError), (-1, ValueError), (-(2**40), ValueError), (1.5, TypeError),
               (2.0, TypeError), ("2", TypeError), (True, TypeError), (False, TypeError),
               (np.float64(2), TypeError), (np.bool_(True), TypeError), (1j, TypeError),
               ((2,), TypeError)]


@pytest.mark.parametrize("n_threads,exc", BAD_THREADS, ids=[repr(t) for t, _ in BAD_THREADS])
@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=ids(REP_OUT_OF_PLACE))
def test_bad_n_threads(spec, n_threads, exc):
    x = sample(7, F32)
    g = grad_for(spec, x)
    out = np.zeros(7, np.float32)
    refused(lambda: spec.call(x, g, out=out, n_threads=n_threads), [x, g, out],
            exc, "n_threads", spec.id)


@pytest.mark.parametrize("n_threads", [1, 2, 3, np.int64(2), np.uint8(3), 2**31, 2**40],
                         ids=repr)
@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=ids(REP_OUT_OF_PLACE))
def test_good_n_threads(spec, n_threads):
    # large enough for every kernel to run several threads when asked to
    x = sample(600_000, F32)
    run_ok(spec, x, grad_for(spec, x), n_threads=n_threads)


@pytest.mark.parametrize("n", [0, -1, 1.5, "2", True, None])
def test_set_num_threads_refuses(n):
    before = cyacts.get_num_threads()
    with pytest.raises((TypeError, ValueError)):
        cyacts.set_num_threads(n)
    assert cyacts.get_num_threads() == before


NO_FROM_OUTPUT = [s for s in GRAD if _ops.BY_NAME[s.base].from_output is None]


@pytest.mark.parametrize("spec", NO_FROM_OUTPUT, ids=ids(NO_FROM_OUTPUT))
def test_refused_from_output(spec):
    x = sample(5, F32)
    for g in (None, np.ones(5, np.float32)):
        out = np.zeros(5, np.float32)
        refused(lambda: spec.call(x, g, from_output=True), [x, g], ValueError, "from_output",
                spec.id)
        refused(lambda: spec.call(x, g, from_output=True, out=out), [x, g, out], ValueError,
                "from_output", spec.id)


# every op whose derivative from the output needs its parameter to pass a test (alpha > 0)
REQUIRES = [op for op in _ops.OPS if op.from_output_requires]


@pytest.mark.parametrize("value", [0.0, -0.0, -0.1, float("nan"), float("-inf"),
                                   np.array([0.1, 0.0, 0.2, 0.3]),
                                   np.array([0.1, float("nan"), 0.2, 0.3])], ids=repr)
@pytest.mark.parametrize("op", REQUIRES, ids=lambda op: op.name)
def test_from_output_refuses_parameters_that_fail_its_rule(op, value):
    param = op.from_output_requires[0]
    p = next(p for p in op.params if p.name == param)
    if isinstance(value, np.ndarray) and not p.per_element:
        pytest.skip(f"{param} takes no array")
    if p.valid and not isinstance(value, np.ndarray) and not p.valid[0](value):
        pytest.skip(f"{param}={value!r} is refused whatever from_output is")
    x = sample(8, F32).reshape(2, 4)
    out = np.zeros((2, 4), np.float32)
    grad = getattr(cyacts, op.name + "_grad")
    refused(lambda: grad(x, **{param: value}, from_output=True, out=out),
            [x, out, value], ValueError, "from_output", op.name + "_grad")


@pytest.mark.parametrize("value", ["yes", 1, 0, None, 1.0, np.array([True])], ids=repr)
@pytest.mark.parametrize("spec", REP_GRAD, ids=ids(REP_GRAD))
def test_from_output_must_be_bool(spec, value):
    x = sample(5, F32)
    refused(lambda: spec.call(x, from_output=value), [x], TypeError, "from_output", spec.id)


FROM_OUTPUT_SPECS = [s for s in GRAD if s.base in FROM_OUTPUT
                     and _ops.BY_NAME[s.base].from_output_allowed(s.kw)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("spec", FROM_OUTPUT_SPECS, ids=ids(FROM_OUTPUT_SPECS))
def test_from_output_values(spec, dtype):
    x = sample(257, dtype)
    y = Spec(spec.base, "forward", spec.params).ref(x)
    run_ok(spec, y, None, from_output=True)
    run_ok(spec, y, grad_for(spec, y), from_output=np.True_)


# --------------------------------------------------------------------------------------------
# values: NaN, infinities, subnormals, signed zeros, extremes
# --------------------------------------------------------------------------------------------
def edge_values(dtype):
    info = np.finfo(dtype)
    v = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, float(info.smallest_subnormal),
         -float(info.smallest_subnormal), float(info.smallest_normal),
         -float(info.smallest_normal), float(info.smallest_normal) / 3, float(info.max),
         -float(info.max), 6.0, -6.0, np.nextafter(6, 7, dtype=dtype),
         np.nextafter(6, 5, dtype=dtype), 1.0, -1.0, 1e-3, -1e-3, 3.0, -3.0, 5.0, -5.0,
         -9.0, -13.0, 15.0, -20.0, 40.0, -40.0]
    if dtype != F16:
        v += [88.0, -88.0, 89.0, -104.0, 1e4, -1e4]
    if dtype == F64:
        v += [700.0, -700.0, 710.0, -745.0, 1e300, -1e300]
    with np.errstate(over="ignore"):
        return np.array(v, dtype=np.float64).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("spec", SPECS, ids=ids(SPECS))
def test_edge_values(spec, dtype):
    x = edge_values(dtype)
    if spec.kind == "grad":
        run_ok(spec, x, None)
        # every grad_output value against every x value
        g = x[:, None]
        run_ok(spec, x[None, :], g)
    else:
        run_ok(spec, x.copy())


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("spec", SPECS, ids=ids(SPECS))
def test_nan_anywhere(spec, dtype):
    n = 67
    for pos in (0, 1, 15, 16, 17, 31, 32, 33, n - 2, n - 1):
        x = sample(n, dtype)
        x[pos] = np.nan
        r = run_ok(spec, x.copy(), grad_for(spec, x))
        assert np.isnan(r[pos])
        if spec.kind == "grad":
            g = grad_for(spec, x)
            g[pos] = np.nan
            x[pos] = 1.0
            r = run_ok(spec, x, g)
            assert np.isnan(r[pos])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("spec", FROM_OUTPUT_SPECS, ids=ids(FROM_OUTPUT_SPECS))
def test_from_output_edge_values(spec, dtype):
    y = Spec(spec.base, "forward", spec.params).ref(edge_values(dtype))
    run_ok(spec, y, None, from_output=True)


# --------------------------------------------------------------------------------------------
# shapes and layouts
# --------------------------------------------------------------------------------------------
def _unaligned(n, dtype):
    buf = np.zeros(n * dtype.itemsize + 1, np.uint8)
    a = buf[1:].view(dtype)
    a[:] = sample(n, dtype)
    assert not a.flags.aligned
    return a


LAYOUTS = {
    # name: build(dtype) -> x
    "0d": lambda d: np.array(-1.25, d),
    "empty": lambda d: np.zeros(0, d),
    "empty-3d": lambda d: np.zeros((3, 0, 2), d),
    "length-1": lambda d: np.array([2.5], d),
    "odd": lambda d: sample(37, d),
    "11-dims": lambda d: sample(3, d).reshape((1,) * 10 + (3,)),
    "10-dims-of-2": lambda d: sample(1024, d).reshape((2,) * 10),
    "32-dims": lambda d: sample(2, d).reshape((1,) * 31 + (2,)),
    "fortran": lambda d: np.asfortranarray(sample(35, d).reshape(5, 7)),
    "strided": lambda d: sample(61, d)[::3],
    "negative": lambda d: sample(61, d)[::-2],
    "negative-2d": lambda d: sample(70, d).reshape(7, 10)[::-1, ::-3],
    "transposed-3d": lambda d: sample(60, d).reshape(3, 4, 5).transpose(2, 0, 1),
    "zero-stride": lambda d: np.broadcast_to(sample(5, d), (4, 5)),
    "zero-stride-col": lambda d: np.broadcast_to(sample(4, d)[:, None], (4, 5)),
    "unaligned": lambda d: _unaligned(33, d),
    "byteorder": lambda d: sample(19, d).astype(d.newbyteorder(">")),
    "read-only": lambda d: _read_only(sample(19, d)),
    "list": lambda d: sample(5, F64).tolist(),
    "nested-list": lambda d: sample(6, F64).reshape(2, 3).tolist(),
    "python-float": lambda d: -0.75,
    "python-int": lambda d: 3,
    "numpy-scalar": lambda d: d.type(-2.5),
}
# what the in-place forms do with each layout: None = works, else (exception, argument)
INPLACE_REFUSES = {
    "zero-stride": (ValueError, "x"), "zero-stride-col": (ValueError, "x"),
    "byteorder": (TypeError, "x"), "read-only": (ValueError, "x"),
    "list": (TypeError, "x"), "nested-list": (TypeError, "x"), "python-float": (TypeError, "x"),
    "python-int": (TypeError, "x"), "numpy-scalar": (TypeError, "x"),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("spec", REPRESENTATIVE, ids=ids(REPRESENTATIVE))
def test_layouts(spec, layout, dtype):
    x = LAYOUTS[layout](dtype)
    if spec.kind == "inplace" and layout in INPLACE_REFUSES:
        exc, arg = INPLACE_REFUSES[layout]
        refused(lambda: spec.call(x), [x], exc, arg, f"{spec.id} {layout}")
        return
    g = None
    if spec.kind == "grad":
        if isinstance(x, np.ndarray):
            g = LAYOUTS[layout](dtype)  # the same layout, with other values where writable
            if g.flags.writeable and g.size:
                g[...] = sample(g.size, F64, 7).reshape(g.shape).astype(g.dtype)
        else:
            g = grad_for(spec, np.asarray(x))
    run_ok(spec, x, g)


@pytest.mark.parametrize("layout", ["fortran", "strided", "negative", "negative-2d",
                                    "transposed-3d", "unaligned", "11-dims", "empty-3d", "0d"])
@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=ids(REP_OUT_OF_PLACE))
def test_out_layouts(spec, layout):
    """out may be any writable ndarray of the right shape and dtype, in any layout."""
    x = sample(int(np.prod(LAYOUTS[layout](F32).shape)), F32).reshape(LAYOUTS[layout](F32).shape)
    out = LAYOUTS[layout](F32)
    if not isinstance(out, np.ndarray) or not out.flags.writeable:
        pytest.skip("not a writable layout")
    base = _root(out)
    base_before, out_before = base.tobytes(), out.copy()
    run_ok(spec, x, grad_for(spec, x), out=out)
    # nothing outside the elements out views was written: restore them and compare the buffer
    out[...] = out_before
    assert base.tobytes() == base_before, f"{spec.id}: wrote outside out ({layout})"


@pytest.mark.parametrize("kind", ["grad"])
@pytest.mark.parametrize("base", BASES)
def test_grad_output_broadcast_views(kind, base):
    spec = next(s for s in SPECS if s.base == base and s.kind == kind)  # its first parameters
    x = sample(20, F32).reshape(4, 5)
    for g in (np.float32(2.0), 2.0, np.ones(5, np.float32) * 3,
              np.broadcast_to(np.float32(-1.5), (4, 5)), sample(4, F32)[:, None],
              sample(5, F32)[::-1], sample(20, F32).reshape(5, 4).T):
        run_ok(spec, x, g)


def test_python_scalars_give_numpy_scalars():
    for spec in OUT_OF_PLACE:
        r = spec.call(1.5, 2.0 if spec.kind == "grad" else None)
        assert isinstance(r, np.float64), spec.id
        r = spec.call(np.float32(1.5), np.float32(2.0) if spec.kind == "grad" else None)
        assert isinstance(r, np.float32), spec.id


# --------------------------------------------------------------------------------------------
# memory maps
# --------------------------------------------------------------------------------------------
@pytest.fixture
def memmaps(tmp_path):
    path = tmp_path / "values.f32"
    sample(1000, F32).tofile(path)
    ro = np.memmap(path, dtype=np.float32, mode="r")
    rw = np.memmap(path, dtype=np.float32, mode="r+")
    cow = np.memmap(path, dtype=np.float32, mode="c")
    yield ro, rw, cow, path
    del ro, rw, cow


@pytest.mark.parametrize("spec", REPRESENTATIVE, ids=ids(REPRESENTATIVE))
def test_read_only_memmap(spec, memmaps):
    ro, rw, cow, path = memmaps
    disk = path.read_bytes()
    if spec.kind == "inplace":
        refused(lambda: spec.call(ro), [ro], ValueError, "x", spec.id)
        run_ok(spec, cow)
        assert path.read_bytes() == disk
        run_ok(spec, rw)
        rw.flush()
        assert path.read_bytes() == rw.tobytes()
    else:
        run_ok(spec, ro, grad_for(spec, ro))
        run_ok(spec, ro[::-3], grad_for(spec, ro[::-3]))
        if spec.kind == "grad":
            run_ok(spec, ro, ro)
        out = np.memmap(path, dtype=np.float32, mode="r")
        refused(lambda: spec.call(ro, grad_for(spec, ro), out=out), [ro, out], ValueError,
                "out", spec.id)
        assert path.read_bytes() == disk


# --------------------------------------------------------------------------------------------
# out overlapping an input
# --------------------------------------------------------------------------------------------
OVERLAPS = {
    # name: (n, x slice, out slice) into one buffer
    "out-ahead": (lambda b: b[:-1], lambda b: b[1:]),
    "out-behind": (lambda b: b[1:], lambda b: b[:-1]),
    "out-far-ahead": (lambda b: b[:-40], lambda b: b[40:]),
    "out-reversed": (lambda b: b, lambda b: b[::-1]),
    "out-interleaved": (lambda b: b[:-1:2], lambda b: b[1::2]),
    "out-strided-ahead": (lambda b: b[:-3:3], lambda b: b[1:-2:3]),
    "same": (lambda b: b, lambda b: b),
    "same-strided": (lambda b: b[::2], lambda b: b[::2]),
    "2d-transposed": (lambda b: b[:1024].reshape(32, 32), lambda b: b[:1024].reshape(32, 32).T),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("overlap", list(OVERLAPS))
@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=ids(REP_OUT_OF_PLACE))
def test_out_overlapping_x(spec, overlap, dtype):
    buf = sample(1201, dtype)
    x_of, out_of = OVERLAPS[overlap]
    x, out = x_of(buf), out_of(buf)
    g = grad_for(spec, x)
    run_ok(spec, x, g, out=out)


@pytest.mark.parametrize("overlap", list(OVERLAPS))
@pytest.mark.parametrize("spec", REP_GRAD, ids=ids(REP_GRAD))
def test_out_overlapping_grad_output(spec, overlap):
    buf = sample(1201, F32, 5)
    g_of, out_of = OVERLAPS[overlap]
    g, out = g_of(buf), out_of(buf)
    x = sample(g.size, F32).reshape(g.shape)
    run_ok(spec, x, g, out=out)


@pytest.mark.parametrize("spec, param", [(s, p) for s, p in PER_ELEMENT if s in OUT_OF_PLACE],
                         ids=ids(s for s, p in PER_ELEMENT if s in OUT_OF_PLACE))
def test_out_overlapping_per_element_parameter(spec, param):
    buf = sample(101, F32)
    x = sample(100, F32)
    value, out = buf[:-1], buf[1:]
    value[:] = np.abs(value) + 0.01
    kw = {k: v for k, v in spec.kw.items() if k != param}
    run_ok(Spec(spec.base, spec.kind), x, grad_for(spec, x), out=out, **{param: value}, **kw)


@pytest.mark.parametrize("spec", REP_INPLACE, ids=ids(REP_INPLACE))
def test_inplace_on_self_overlapping_view(spec):
    """A writable view whose elements alias each other: as if x had been copied first."""
    buf = sample(8, F64)
    x = np.lib.stride_tricks.as_strided(buf, shape=(4, 5), strides=(8, 8), writeable=True)
    expected_first = spec.ref(np.array(x))
    spec.call(x)
    # every element of buf was computed from its original value at least once; the ones that
    # x reaches hold f(original)
    assert_close(buf[:8], np.concatenate([expected_first[:, 0], expected_first[-1, 1:]]),
                 spec.id)
