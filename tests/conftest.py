"""Shared test tables: every public function with its oracle, the dtypes, an array zoo."""
import numpy as np
import pytest

import cyacts
from cyacts import _ops, reference

DTYPES = [np.float16, np.float32, np.float64]


def _variant_id(op, params):
    """kernel name, then the values of non-choice parameters: gelu_tanh, leaky_relu_0.2."""
    extra = [str(v) for k, v in params.items() if k != getattr(op.choice, "name", None)]
    return "_".join([op.kernel_for(params)] + extra)


# (id, name, keyword arguments) for every forward and derivative variant of the registry.
FORWARD = [(_variant_id(op, kw), op.name, kw) for op in _ops.OPS for kw in op.variants()]
GRAD = [(id_ + "_grad", name + "_grad", kw) for id_, name, kw in FORWARD]
INPLACE = [(id_ + "_", name + "_", kw) for id_, name, kw in FORWARD]
FROM_OUTPUT = [op.name for op in _ops.OPS if op.from_output is not None]
#: id -> (op, keyword arguments)
VARIANTS = {id_: (_ops.BY_NAME[name], kw) for id_, name, kw in FORWARD}
VARIANTS.update({id_: VARIANTS[id_[: -len("_grad")]] for id_, _, _ in GRAD})


def limits(case_id):
    """(f(-inf), f(+inf)) of a FORWARD or GRAD case, from the registry."""
    op, kw = VARIANTS[case_id]
    values = op.grad_limits if case_id.endswith("_grad") else op.limits
    return tuple(float(_ops.resolve(v, kw, op)) for v in values)


# Relative tolerance per dtype (the core contract: 1e-5 float32, 1e-12 float64; float16 is
# computed in float32 and rounded once, so it may differ from the float64 oracle by an ulp),
# with an absolute floor where results may flush toward zero.
RTOL = {np.float16: 2**-10, np.float32: 1e-5, np.float64: 1e-12}
ATOL = {np.float16: 2**-24, np.float32: 2**-100, np.float64: 2**-960}


def sample_values(n, dtype, seed=0):
    """Values over the whole interesting range: near zero, the kinks, the tails, specials."""
    rng = np.random.default_rng(seed)
    parts = [
        rng.normal(0, 3, n),
        rng.uniform(-40, 40, n),
        np.sign(rng.normal(size=n)) * np.exp(rng.uniform(-30, 6, n)),
    ]
    v = np.stack(parts, axis=1).reshape(-1)[:n]
    specials = np.array([0.0, -0.0, 6.0, -6.0, 1e-30, -1e-30, np.inf, -np.inf, 1.0, -1.0])
    v[: min(n, specials.size)] = specials[: min(n, specials.size)]
    with np.errstate(over="ignore"):
        return v.astype(dtype)


def assert_matches(got, expected, dtype=None, loose_near_zero=False):
    """got equals the oracle's value within the dtype's tolerance; NaN exactly where expected.

    loose_near_zero: derivatives of GELU cross zero near x = -0.75, where the float64 oracle
    itself cancels; there an absolute error of 1e-15 (on terms of order 1) is allowed.
    """
    got = np.asarray(got)
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    dt = (dtype or got.dtype.type)
    dt = {np.dtype(d): d for d in DTYPES}[np.dtype(dt)]
    g = got.astype(np.float64)
    e = expected.astype(np.float64)
    assert np.array_equal(np.isnan(g), np.isnan(e)), "NaN positions differ"
    ok = np.isnan(e) | (g == e)
    atol = ATOL[dt]
    if loose_near_zero and dt is np.float64:
        atol = 1e-15
    with np.errstate(invalid="ignore"):
        ok |= np.abs(g - e) <= RTOL[dt] * np.abs(e) + atol
    if not ok.all():
        bad = np.flatnonzero(~ok.reshape(-1))[:5]
        raise AssertionError(
            f"{(~ok).sum()} mismatches, e.g. got {g.reshape(-1)[bad]} expected {e.reshape(-1)[bad]}"
        )


def layouts(base):
    """(name, view, same) triples: the data of `base` in many memory layouts; same(a) arranges
    an array computed from `base` the way the view arranges its elements."""
    keep = lambda a: a  # noqa: E731
    out = [("C", base, keep)]
    if base.ndim >= 2:
        out.append(("F", np.asfortranarray(base), keep))
        out.append(("transposed", base.T, lambda a: a.T))
    if base.ndim:
        out.append(("strided", np.repeat(base[..., None], 2, axis=-1)[..., 0], keep))
        out.append(("negative", base[..., ::-1].copy()[..., ::-1], keep))
        out.append(("reversed", base[..., ::-1], lambda a: a[..., ::-1]))
        raw = np.zeros(base.nbytes + base.itemsize, dtype=np.uint8)
        unaligned = raw[1 : 1 + base.nbytes].view(base.dtype).reshape(base.shape)
        unaligned[...] = base
        out.append(("unaligned", unaligned, keep))
    return out


@pytest.fixture(params=cyacts._core.AVAILABLE_LEVELS)
def simd_level(request):
    """Run a test once per kernel set this CPU has (baseline, avx2, avx512...)."""
    previous = cyacts._core.simd_level()
    yield cyacts._core.select_level(request.param)
    cyacts._core.select_level(previous)


def fn(name):
    return getattr(cyacts, name)


def ref(name):
    return getattr(reference, name)
