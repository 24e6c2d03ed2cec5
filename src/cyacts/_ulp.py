"""ULP distances, inputs and references for measuring cyacts against correctly rounded results.

Shared by tests/test_accuracy.py (sampled, in the test suite) and benchmarks/accuracy.py
(exhaustive float32, 10^7-point float64); not part of the public API. Needs mpmath for the
float64 references.

Error of a result = its distance, in units in the last place of the result dtype, from the
correctly rounded value of the mathematical function (an integer: 0 means correctly rounded).
The correctly rounded value comes from a reference far more accurate than the bounds:
  * float32: cyacts.reference in float64 (forms that keep relative accuracy: erfc for GELU's
    negative tail, exp(-|x|) for sigmoid and the slopes), rounded once to float32. Its error is
    below ~2^-19 float32 ULP, except where a derivative crosses zero (gelu_grad, gelu_tanh_grad
    near x = -0.75) and its two terms cancel; there, and where the float64 value lies so close
    to a float32 rounding midpoint that its error could flip the rounding, mpmath takes over.
  * float64: mpmath at 40 digits (cyacts.reference.mpmath_functions), rounded once to float64.

The functions measured are every kernel of the registry (cyacts._ops): each op's forward and
derivative for each value of its choice parameter, with its published bounds.
"""
import hashlib
import os

import numpy as np

import cyacts
from cyacts import _ops

EXACT = (0, 0)


def measured_scalars(op):
    """The scalar parameters' values measured: their defaults (leaky_relu's slope 0.01, ELU's
    alpha 1), the first test value of a parameter without one (threshold's)."""
    return {p.name: (p.test_values[0] if p.required else p.default) for p in op.scalars}


def _in_dtype(params, dtype):
    """The parameters as `dtype` calls have them (numbers rounded to it; None stays None)."""
    return {k: (v if v is None else float(np.dtype(dtype).type(v))) for k, v in params.items()}


def _float64_form(ref):
    """The float64 function of float64 x behind a reference (no rounding to a result dtype)."""
    return getattr(ref, "f_prime", None) or ref.__wrapped__


def _computing(form, dtype):
    """The computing dtype `form` takes, if it takes one: float32 results need no wider
    arithmetic than float64 (float64 ones have the reference widen its forms to WIDE)."""
    return {"computes_in": np.dtype(dtype)} if getattr(form, "computes_in", False) else {}


def _functions():
    """kernel name -> (cyacts function of x, (float32 bound, float64 bound), reference of x
    and of the scalar parameters' values as a dict)."""
    table = {}
    for op in _ops.OPS:
        choice = op.choice
        scalars = measured_scalars(op)
        for value in (choice.choices if choice else (None,)):
            params = {} if choice is None else {choice.name: value}
            kernel = op.kernel_for(params)
            forward, grad = (getattr(cyacts, op.name), getattr(cyacts, op.name + "_grad"))
            ref_forward, ref_grad = (getattr(cyacts.reference, n) for n in op.reference_names)
            for name, f, ref, bounds in (
                    (kernel, forward, ref_forward, op.ulp),
                    (kernel + "_grad", grad, ref_grad, op.grad_ulp)):
                table[name] = (
                    lambda x, f=f, p={**params, **scalars}, **k: f(x, **p, **k),
                    (bounds["float32"], bounds["float64"]),
                    lambda x, s, dtype, ref=_float64_form(ref), p=params: ref(
                        x, **p, **s, **_computing(ref, dtype)),
                    scalars,
                )
    return table


_TABLE = _functions()
#: name -> (cyacts function of x, bounds (float32, float64)), every kernel of the registry
FUNCTIONS = {name: (f, bounds) for name, (f, bounds, _, _) in _TABLE.items()}

#: results below these magnitudes may flush toward zero (the bounds' footnote)
FLUSH = {np.dtype(np.float32): 2.0**-100, np.dtype(np.float64): 2.0**-960}

#: zeros of the derivatives (mpmath.findroot at 40 digits, at the measured parameters): where
#: the f64 formula cancels
ROOTS = {"gelu_grad": -0.75179152469356445746, "gelu_tanh_grad": -0.75246142207101625849,
         "silu_grad": -1.2784645427610737951, "mish_grad": -1.1924312145154952121}

# Value windows where kernels go wrong (each WHY): Taylor regime of tiny |x|; [0.5, 2] where
# range reductions and polynomial pieces meet; the main body; GELU's negative tail (float64
# underflows near -38, float32 near -14); the derivative zero crossings; saturation of tanh
# (19 in f64) and sigmoid (37); float32 underflow of sigmoid and the slopes (-52..-104);
# float64 underflow of sigmoid and the slopes (-372..-745); x^3 overflow in the tanh form.
EDGES = [(-2.0**-20, 2.0**-20), (0.5, 2.0), (-2.0, -0.5), (-8.0, 8.0), (-40.0, -3.0),
         (-0.80, -0.70), (-45.0, -15.0), (15.0, 45.0), (-110.0, -45.0), (45.0, 110.0),
         (-760.0, -300.0), (300.0, 760.0), (-1e14, -1e10), (1e100, 1e104), (-1e104, -1e100)]


# --------------------------------------------------------------------------------------------
# ULP distance
# --------------------------------------------------------------------------------------------
def ulp_distance(a, b):
    """Number of representable values from a to b (same float dtype), as uint64.

    Works on the bit patterns, so it is exact at every scale, subnormals and infinities
    included; +0 and -0 are one value. NaN against NaN is 0, NaN against a number 2^62.
    Any float dtype of 16, 32 or 64 bits: float16 and bfloat16 (ml_dtypes) too.
    """
    a = np.asarray(a)
    b = np.asarray(b, dtype=a.dtype)
    bits = 8 * a.itemsize
    uint = {16: np.uint16, 32: np.uint32, 64: np.uint64}[bits]
    ia, ib = a.view(uint).astype(np.uint64), b.view(uint).astype(np.uint64)
    sign = np.uint64(1 << (bits - 1))
    ma, mb = ia & (sign - np.uint64(1)), ib & (sign - np.uint64(1))
    same = (ia & sign) == (ib & sign)
    d = np.where(same, np.maximum(ma, mb) - np.minimum(ma, mb), ma + mb)  # magnitudes < 2^63
    na, nb = np.isnan(a), np.isnan(b)
    return np.where(na & nb, np.uint64(0), np.where(na | nb, np.uint64(1 << 62), d))


def max_ulp(x, got, ref):
    """(max ULP error, the x where it occurs), with the flush-to-zero allowance.

    `ref` is the correctly rounded result (dtype of `got`). Where the true value is below the
    flush threshold, a result is not counted unless it is wildly off (|got| > 2 threshold).
    """
    got, ref = np.asarray(got).ravel(), np.asarray(ref).ravel()
    # Most results equal the reference: measure only the others (10x faster when exhaustive).
    idx = np.flatnonzero((got != ref) & ~(np.isnan(got) & np.isnan(ref)))
    if idx.size == 0:
        return 0, None
    got, ref = got[idx], ref[idx]
    d = ulp_distance(got, ref)
    t = FLUSH[got.dtype]
    d[(np.abs(ref) < t) & (np.abs(got) <= 2 * t)] = 0
    i = int(np.argmax(d))
    return int(d[i]), float(np.asarray(x).ravel()[idx[i]])


# --------------------------------------------------------------------------------------------
# references
# --------------------------------------------------------------------------------------------
def _reference(name, x64, dtype=np.float64):
    """cyacts.reference's float64 value of `name` at float64 inputs, with the scalar
    parameters as the `dtype` kernels get them (rounded to float32 for float32)."""
    scalars = _in_dtype(_TABLE[name][3], dtype)
    with np.errstate(all="ignore"):
        r = _TABLE[name][2](x64, scalars, np.dtype(dtype))
    return np.asarray(r, dtype=np.float64)


# Near a zero of the derivative its two f64 terms cancel: below this |value| use mpmath.
_CROSSING = 2.0**-12


def reference64(name, x):
    """Correctly rounded float64 results of `name` at the finite float64 inputs x: a single
    IEEE operation (exact) for the piecewise-linear ones, mpmath for the others (slow)."""
    x = np.asarray(x, dtype=np.float64)
    if FUNCTIONS[name][1] == EXACT:
        return _reference(name, x)
    return mp_eval(name, x)


def reference32(name, x):
    """Correctly rounded float32 results of `name` at the finite float32 inputs x."""
    x64 = np.asarray(x, dtype=np.float64)
    r = _reference(name, x64, np.float32)  # float32 calls take their parameters in float32
    if FUNCTIONS[name][1] == EXACT:
        with np.errstate(over="ignore"):  # beyond float32's range: inf, as the kernels give
            return r.astype(np.float32)  # one IEEE operation at most, exact in float64
    with np.errstate(over="ignore"):  # beyond float32's range: inf, as the kernels give
        r32 = r.astype(np.float32)
    # Redo with mpmath where the float64 value may round the wrong way: within 2^-16 float32
    # ULP of a rounding midpoint (its own error is below ~2^-19 ULP, tails included), and
    # near a derivative zero, where its terms cancel.
    with np.errstate(all="ignore"):
        frac = np.abs(r - r32.astype(np.float64)) / np.abs(np.spacing(r32)).astype(np.float64)
    redo = np.abs(frac - 0.5) < 2.0**-16
    if name in ROOTS:
        redo |= (np.abs(r) < _CROSSING) & (np.abs(x64 - ROOTS[name]) < 0.25)
    if redo.any():
        r32[redo] = mp_eval(name, x64[redo]).astype(np.float32)
    return r32


# --------------------------------------------------------------------------------------------
# mpmath references (for float64 results)
# --------------------------------------------------------------------------------------------
DPS = 40


_MP = {}


def mp_eval(name, xs):
    """mpmath values of the smooth function `name` at float64 points xs, rounded to float64."""
    import mpmath

    mpmath.mp.dps = DPS
    if not _MP:
        _MP.update(cyacts.reference.mpmath_functions())
    f = _MP[name]
    return np.array([float(f(mpmath.mpf(v))) for v in np.asarray(xs, np.float64).tolist()],
                    dtype=np.float64)


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
def sample(dtype, n, seed=0):
    """About n finite inputs of `dtype`: half uniform over all finite bit patterns (that is,
    log-uniform magnitudes of both signs, subnormals included), half over EDGES, plus the few
    values on each side of every derivative zero."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    uint = np.uint32 if dtype.itemsize == 4 else np.uint64
    inf_bits = int(np.array(np.inf, dtype).view(uint))
    bits = rng.integers(0, inf_bits, n // 2, dtype=uint, endpoint=False)
    bits |= rng.integers(0, 2, n // 2, dtype=uint) << uint(8 * dtype.itemsize - 1)
    parts = [bits.view(dtype)]
    per = (n - n // 2) // (len(EDGES) + 1)
    with np.errstate(over="ignore"):  # windows beyond float32's range become inf, dropped below
        parts += [rng.uniform(lo, hi, per).astype(dtype) for lo, hi in EDGES]
    tiny = np.ldexp(1.0, -rng.integers(20, -np.finfo(dtype).minexp + np.finfo(dtype).nmant,
                                       per))  # log-uniform tiny |x|, subnormals included
    parts.append((tiny * rng.uniform(1, 2, per) * rng.choice([-1, 1], per)).astype(dtype))
    k = max(8, min(2000, n // 100))
    for root in ROOTS.values():  # the k representable values on each side of the zero
        r = np.array(root, dtype)
        parts.append(_neighbours(r, k))
    x = np.concatenate(parts)
    return x[np.isfinite(x)]


def _neighbours(r, k):
    """The 2k + 1 representable values centred on r (same dtype)."""
    uint = np.uint32 if r.dtype.itemsize == 4 else np.uint64
    b = r.view(uint).astype(np.int64) + np.arange(-k, k + 1)  # r < 0: bit order = |x| order
    return b.astype(uint).view(r.dtype)


def cache_path(name, x, cache_dir):
    """Where the float64 reference of `name` at inputs x is stored (keyed by the inputs)."""
    key = hashlib.sha1(np.ascontiguousarray(x).tobytes()).hexdigest()[:16]
    return os.path.join(cache_dir, f"{name}-f64-dps{DPS}-{key}.npy")


# --------------------------------------------------------------------------------------------
# NaN and infinities
# --------------------------------------------------------------------------------------------
def special_errors(name, dtype):
    """Inputs among NaN (several payloads, both signs) and +-inf where `name` is wrong: NaN must
    give NaN, +-inf the limits (cyacts.reference's), to the bit up to the sign of zero."""
    dtype = np.dtype(dtype)
    uint = np.uint32 if dtype.itemsize == 4 else np.uint64
    nans = np.array([np.nan, -np.nan], dtype)
    payload = np.array([int(np.array(np.nan, dtype).view(uint)) | 1], uint).view(dtype)
    x = np.concatenate([nans, payload, -payload, np.array([np.inf, -np.inf], dtype)])
    got = FUNCTIONS[name][0](x)
    ref = np.full(x.shape, np.nan, dtype)
    ref[-2:] = _reference_limits(name, dtype)
    bad = ulp_distance(got, ref) != 0
    return [float(v) for v in x[bad]] + ([] if got.dtype == dtype else [f"dtype {got.dtype}"])


def _reference_limits(name, dtype):
    scalars = _in_dtype(_TABLE[name][3], dtype)
    with np.errstate(all="ignore"):
        return _TABLE[name][2](np.array([np.inf, -np.inf], np.float64), scalars, np.dtype(dtype))
