"""The table of public functions and the tolerance check shared by the hardening tests.

Every test that loops over "every function" draws from SPECS, made from the registry of
operations (cyacts._ops), so an op added there is covered by the bad-input matrix, the
concurrency, memory and fuzz tests.
"""
import dataclasses
import re

import numpy as np
import pytest

import cyacts
from cyacts import _ops, reference

BASES = tuple(op.name for op in _ops.OPS)
# parameter sets each base is exercised with (a per-channel alpha array is added where it fits)
PARAMS = {op.name: tuple(op.variants()) for op in _ops.OPS}
# derivatives that can be computed from the forward's output (with alpha > 0 for leaky)
FROM_OUTPUT = tuple(op.name for op in _ops.OPS if op.from_output is not None)

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
try:
    import ml_dtypes
except ImportError:  # pragma: no cover - ml_dtypes is in the test extras
    ml_dtypes = None
#: ml_dtypes' bfloat16, or None without ml_dtypes
BF16 = None if ml_dtypes is None else np.dtype(ml_dtypes.bfloat16)
#: the 16-bit dtypes as test parameters (bfloat16 skipped without ml_dtypes)
HALVES = [F16, pytest.param(BF16, id="bfloat16", marks=pytest.mark.skipif(
    BF16 is None, reason="needs ml_dtypes"))]
FLOATS = (F16, F32, F64)
RTOL = {F32: 1e-5, F64: 1e-12}
# results below these magnitudes may flush toward zero
ATOL = {F16: 0.0, F32: 2.0**-100, F64: 2.0**-960}


@dataclasses.dataclass(frozen=True)
class Spec:
    """One public function with one set of its parameters."""

    base: str
    kind: str  # "forward", "inplace" or "grad"
    params: tuple = ()

    @property
    def name(self):
        return {"forward": self.base, "inplace": self.base + "_", "grad": self.base + "_grad"}[
            self.kind
        ]

    @property
    def id(self):
        extra = ",".join(f"{k}={v}" for k, v in self.params)
        return f"{self.name}[{extra}]" if extra else self.name

    @property
    def kw(self):
        return dict(self.params)

    @property
    def func(self):
        return getattr(cyacts, self.name)

    @property
    def takes_grad(self):
        return self.kind == "grad"

    @property
    def takes_out(self):
        return self.kind != "inplace"

    def call(self, x, g=None, **kwargs):
        """Call the compiled function (grad_output only for derivatives)."""
        kw = {**self.kw, **kwargs}
        if self.kind == "grad":
            return self.func(x, g, **kw)
        return self.func(x, **kw)

    def ref(self, x, g=None, from_output=False, **overrides):
        """The oracle's answer for the same call (in-place functions: the value x ends up with)."""
        kw = {**self.kw, **overrides}
        if self.kind == "grad":
            return getattr(reference, self.base + "_grad")(x, g, from_output=from_output, **kw)
        return getattr(reference, self.base)(x, **kw)


def _specs():
    out = []
    for kind in ("forward", "inplace", "grad"):
        for base in BASES:
            for params in PARAMS[base]:
                out.append(Spec(base, kind, tuple(sorted(params.items()))))
    return out


SPECS = _specs()
FORWARD = [s for s in SPECS if s.kind == "forward"]
INPLACE = [s for s in SPECS if s.kind == "inplace"]
GRAD = [s for s in SPECS if s.kind == "grad"]
OUT_OF_PLACE = FORWARD + GRAD


def _signature_class(spec):
    """What the Python layer does differently between specs: the kind of call and, per
    parameter, whether it is a choice, per element, required, None-able or checked."""
    op = _ops.BY_NAME[spec.base]
    return (spec.kind, op.from_output is not None, op.param_check is not None,
            tuple((bool(p.choices), p.per_element, p.required, p.none_value is not None,
                   p.valid is not None) for p in op.params))


#: one spec per signature class: for the slow whole-call checks (leaks), where the kernel
#: behind the call does not matter
_BY_CLASS = {}
for _s in SPECS:
    _BY_CLASS.setdefault(_signature_class(_s), _s)
REPRESENTATIVE = list(_BY_CLASS.values())
REP_GRAD = [s for s in REPRESENTATIVE if s.kind == "grad"]
REP_INPLACE = [s for s in REPRESENTATIVE if s.kind == "inplace"]
REP_OUT_OF_PLACE = [s for s in REPRESENTATIVE if s.kind != "inplace"]
# one spec per public name (their default parameters)
BY_NAME = {}
for _s in SPECS:
    BY_NAME.setdefault(_s.name, _s)

CONFIG_NAMES = {"get_num_threads", "set_num_threads", "get_include", "config", "show_config",
                "reference", "__version__"}


def public_function_names():
    """cyacts.__all__ minus configuration, threads and the oracle."""
    return sorted(set(cyacts.__all__) - CONFIG_NAMES - set(_ops.reduction_names()))


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------
def _mismatch(actual_arr, expected):
    """Boolean mask of the elements of actual_arr outside the tolerance of `expected`."""
    expected_arr = np.asarray(expected)
    dtype = actual_arr.dtype
    a = actual_arr.astype(np.float64)
    e = expected_arr.astype(np.float64)
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    bad = nan_a != nan_e
    finite = ~nan_e & ~nan_a
    with np.errstate(all="ignore"):
        if dtype == F16:
            tol = np.spacing(np.abs(expected_arr.astype(np.float16))).astype(np.float64)
            big = float(np.finfo(F16).max)
        else:
            tol = np.maximum(RTOL[dtype] * np.abs(e), ATOL[dtype])
            big = float(np.finfo(dtype).max) / (1 + RTOL[dtype])
        err = np.abs(a - e)
        ok = (err <= tol) | (a == e)
        # on the overflow threshold: the largest finite value and infinity are neighbours
        ok |= (np.sign(a) == np.sign(e)) & (np.abs(a) >= big) & (np.abs(e) >= big)
        bad |= finite & ~ok
    return bad


def assert_close(actual, expected, context="", alternative=None):
    """actual within the tolerance of the oracle's expected result.

    float32: relative 1e-5, float64: relative 1e-12, each with an absolute floor (2^-100 and
    2^-960) under which results may flush toward zero. float16 is computed in float32 and rounded
    once, so it may differ from the correctly rounded value by one float16 ulp. NaN must sit
    exactly where the oracle has NaN, infinities must match (the largest finite value and
    infinity count as neighbours). Where `alternative` is given, an element may match either.
    """
    expected_arr = np.asarray(expected)
    actual_arr = np.asarray(actual)
    assert actual_arr.dtype == expected_arr.dtype, (
        f"{context}: dtype {actual_arr.dtype} != expected {expected_arr.dtype}")
    assert actual_arr.shape == expected_arr.shape, (
        f"{context}: shape {actual_arr.shape} != expected {expected_arr.shape}")
    bad = _mismatch(actual_arr, expected_arr)
    if alternative is not None and bad.any():
        bad &= _mismatch(actual_arr, np.asarray(alternative).astype(actual_arr.dtype))
    if bad.any():
        a, e = actual_arr.astype(np.float64), expected_arr.astype(np.float64)
        idx = np.argwhere(bad)[:5] if a.ndim else [()]
        lines = [f"{context}: {int(bad.sum())} of {bad.size} elements off"]
        for i in idx:
            i = tuple(int(k) for k in i)
            lines.append(f"  at {i}: got {a[i]!r}, expected {e[i]!r}")
        raise AssertionError("\n".join(lines))


def grad_alternative(spec, x, g, **kw):
    """grad_output * f'(x) with f'(x) first rounded to the compute precision.

    "grad_output * f'(x) in IEEE arithmetic": where f'(x) underflows in float32 (it is below
    the float32 range, e.g. tanh'(88)), inf * f'(x) is NaN and huge * f'(x) is 0 in float32,
    although the float64 oracle keeps the product. Either answer is accepted element by element.
    """
    weak = type(g) in (int, float, bool)  # a Python number takes the array's dtype
    x = np.asarray(x)
    g = np.asarray(g)
    result = np.result_type(
        *(a.dtype.newbyteorder("=") if a.dtype.kind == "f" else F64
          for a in ((x,) if weak else (x, g))))
    compute = F32 if result == F16 else result
    d = spec.ref(x.astype(compute), None, **kw)
    with np.errstate(all="ignore"):
        return (g.astype(compute) * d).astype(result)


def assert_bitwise_equal(actual, expected, context=""):
    """Same dtype, shape and bits (NaN payloads and signs of zero included)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{context}: {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{context}: {actual.shape} != {expected.shape}"
    bits = np.dtype(f"u{actual.dtype.itemsize}")
    a = np.ascontiguousarray(actual).reshape(-1).view(bits)
    e = np.ascontiguousarray(expected).reshape(-1).view(bits)
    diff = np.flatnonzero(a != e)
    if diff.size:
        raise AssertionError(f"{context}: {diff.size} elements differ bitwise, first at flat "
                             f"positions {diff[:8].tolist()}")


def c_literal(value):
    """A float as an exact C literal (hexadecimal; INFINITY for infinities)."""
    value = float(value)
    return ("-INFINITY" if value < 0 else "INFINITY") if np.isinf(value) else value.hex()


def names_argument(exc, argument):
    """Whether an exception's message names `argument` as a word."""
    return re.search(rf"(?<![\w.]){re.escape(argument)}(?!\w)", str(exc)) is not None
