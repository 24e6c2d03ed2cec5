"""ULP distances, inputs and references for measuring cyacts against correctly rounded results.

Shared by tests/test_accuracy.py (sampled, in the test suite) and benchmarks/accuracy.py
(exhaustive float32, 10^7-point float64).

Error of a result = its distance, in units in the last place of the result dtype, from the
correctly rounded value of the mathematical function (an integer: 0 means correctly rounded).
The correctly rounded value comes from a reference far more accurate than the bounds:
  * float32: the function in float64 with forms that keep relative accuracy (erfc for GELU's
    negative tail, exp(-|x|) for sigmoid and the slopes), rounded once to float32. Its error is
    below ~2^-19 float32 ULP, except where a derivative crosses zero (gelu_grad, gelu_tanh_grad
    near x = -0.75) and its two terms cancel; there, and where the float64 value lies so close
    to a float32 rounding midpoint that its error could flip the rounding, mpmath takes over.
  * float64: mpmath at 40 digits, rounded once to float64.
"""
import hashlib
import math
import os

import numpy as np

import cyacts

#: the bounds, in ULPs of the result dtype: (float32, float64)
EXACT, SMOOTH, GELU, GRAD = (0, 0), (1, 2), (2, 4), (4, 4)
ALPHA = 0.01  # leaky_relu's default slope, the one measured

#: name -> (cyacts function of x, bounds)
FUNCTIONS = {
    "relu": (cyacts.relu, EXACT),
    "leaky_relu": (lambda x, **k: cyacts.leaky_relu(x, ALPHA, **k), EXACT),
    "relu6": (cyacts.relu6, EXACT),
    "relu_grad": (cyacts.relu_grad, EXACT),
    "leaky_relu_grad": (lambda x, **k: cyacts.leaky_relu_grad(x, alpha=ALPHA, **k), EXACT),
    "relu6_grad": (cyacts.relu6_grad, EXACT),
    "tanh": (cyacts.tanh, SMOOTH),
    "sigmoid": (cyacts.sigmoid, SMOOTH),
    "gelu": (cyacts.gelu, GELU),
    "gelu_tanh": (lambda x, **k: cyacts.gelu(x, approximate="tanh", **k), GELU),
    "tanh_grad": (cyacts.tanh_grad, GRAD),
    "sigmoid_grad": (cyacts.sigmoid_grad, GRAD),
    "gelu_grad": (cyacts.gelu_grad, GRAD),
    "gelu_tanh_grad": (lambda x, **k: cyacts.gelu_grad(x, approximate="tanh", **k), GRAD),
}

#: results below these magnitudes may flush toward zero (the bounds' footnote)
FLUSH = {np.dtype(np.float32): 2.0**-100, np.dtype(np.float64): 2.0**-960}

#: zeros of the GELU derivatives (mpmath.findroot at 40 digits): where the f64 formula cancels
ROOTS = {"gelu_grad": -0.75179152469356445746, "gelu_tanh_grad": -0.75246142207101625849}

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
    """
    a = np.asarray(a)
    b = np.asarray(b, dtype=a.dtype)
    bits = 8 * a.itemsize
    uint = np.uint32 if bits == 32 else np.uint64
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
# float64 references (for float32 results)
# --------------------------------------------------------------------------------------------
try:  # vectorised erfc; without SciPy, the C library's one element at a time (slow)
    from scipy.special import erfc as _erfc
except ImportError:  # pragma: no cover
    _erfc_py = np.frompyfunc(math.erfc, 1, 1)

    def _erfc(z):
        return _erfc_py(z).astype(np.float64)

_C = 2.0 * math.sqrt(2.0 / math.pi)  # d(2u)/dx at 0
_A = 0.044715


def _e(x):
    return np.exp(-np.abs(x))  # never overflows


def _sig(t):
    e = _e(t)
    return np.where(t >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _slope(t):
    e = _e(t)
    return e / (1.0 + e) ** 2  # sigmoid'(t) with no 1 - s cancellation


def _gelu_tanh_grad64(x):
    t = _C * (x + _A * x * x * x)
    return _sig(t) + x * _C * (1.0 + 3.0 * _A * x * x) * _slope(t)


_a32 = float(np.float32(ALPHA))  # a float32 call multiplies by alpha rounded to float32
REF64 = {
    "relu": lambda x, a: np.where(x < 0, 0.0, x),
    "leaky_relu": lambda x, a: np.where(x > 0, x, a * x),
    "relu6": lambda x, a: np.clip(x, 0.0, 6.0),
    "relu_grad": lambda x, a: (x > 0).astype(np.float64),
    "leaky_relu_grad": lambda x, a: np.where(x > 0, 1.0, a),
    "relu6_grad": lambda x, a: ((x > 0) & (x < 6)).astype(np.float64),
    "tanh": lambda x, a: np.tanh(x),
    "sigmoid": lambda x, a: _sig(x),
    "gelu": lambda x, a: 0.5 * x * _erfc(-x * math.sqrt(0.5)),
    "gelu_tanh": lambda x, a: x * _sig(_C * (x + _A * x * x * x)),
    "tanh_grad": lambda x, a: 4.0 * _slope(2.0 * x),
    "sigmoid_grad": lambda x, a: _slope(x),
    "gelu_grad": lambda x, a: (0.5 * _erfc(-x * math.sqrt(0.5))
                               + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)),
    "gelu_tanh_grad": lambda x, a: _gelu_tanh_grad64(x),
}

# Near a zero of the derivative its two f64 terms cancel: below this |value| use mpmath.
_CROSSING = 2.0**-12


def reference64(name, x):
    """Correctly rounded float64 results of `name` at the finite float64 inputs x: a single
    IEEE operation (exact) for the piecewise-linear ones, mpmath for the others (slow)."""
    x = np.asarray(x, dtype=np.float64)
    if FUNCTIONS[name][1] == EXACT:
        return REF64[name](x, ALPHA)
    return mp_eval(name, x)


def reference32(name, x):
    """Correctly rounded float32 results of `name` at the finite float32 inputs x."""
    x64 = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        r = REF64[name](x64, _a32)
    if FUNCTIONS[name][1] == EXACT:
        return r.astype(np.float32)  # one exact product at most: rounding it is exact
    r32 = r.astype(np.float32)
    # Redo with mpmath where the float64 value may round the wrong way: within 2^-16 float32
    # ULP of a rounding midpoint (its own error is below ~2^-19 ULP, tails included), and
    # near a derivative zero, where its terms cancel.
    with np.errstate(all="ignore"):
        frac = np.abs(r - r32.astype(np.float64)) / np.abs(np.spacing(r32)).astype(np.float64)
    redo = np.abs(frac - 0.5) < 2.0**-16
    if name in ROOTS:
        redo |= (np.abs(r) < _CROSSING) & (x64 > -1.0) & (x64 < -0.5)
    if redo.any():
        r32[redo] = mp_eval(name, x64[redo]).astype(np.float32)
    return r32


# --------------------------------------------------------------------------------------------
# mpmath references (for float64 results)
# --------------------------------------------------------------------------------------------
DPS = 40


def _mp_table():
    import mpmath as m

    c, a, k = 2 * m.sqrt(2 / m.pi), m.mpf("0.044715"), 1 / m.sqrt(2 * m.pi)
    r2 = m.sqrt(2)
    # Arguments are clamped where the double result no longer changes (exp(-2000) and
    # erfc(40) stay below the smallest subnormal even times 1e308): huge ones make mpmath slow.
    def ex(t):
        return m.exp(-min(abs(t), 2000))

    def sig(t):
        e = ex(t)
        return 1 / (1 + e) if t >= 0 else e / (1 + e)

    def slope(t):
        e = ex(t)
        return e / (1 + e) ** 2

    def phi_big(x):
        return m.erfc(max(min(-x / r2, 40), -40)) / 2

    def gelu_tanh_grad(x):
        t = c * (x + a * x**3)
        if abs(t) > 2000:  # the clamped exp would be multiplied by a huge x^3: use the limit
            return m.mpf(1) if t > 0 else m.mpf(0)
        return sig(t) + x * c * (1 + 3 * a * x * x) * slope(t)

    def gelu_grad(x):
        return phi_big(x) + x * k * (m.exp(-x * x / 2) if abs(x) < 60 else 0)

    return {
        "tanh": lambda x: m.tanh(max(min(x, 100), -100)),
        "sigmoid": sig,
        "gelu": lambda x: x * phi_big(x),
        "gelu_tanh": lambda x: x * sig(c * (x + a * x**3)),
        "tanh_grad": lambda x: 4 * slope(2 * x),
        "sigmoid_grad": slope,
        "gelu_grad": gelu_grad,
        "gelu_tanh_grad": gelu_tanh_grad,
    }


_MP = {}


def mp_eval(name, xs):
    """mpmath values of the smooth function `name` at float64 points xs, rounded to float64."""
    import mpmath

    mpmath.mp.dps = DPS
    if not _MP:
        _MP.update(_mp_table())
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
    ref = cyacts.reference
    x = np.array([np.inf, -np.inf], dtype)
    calls = {
        "leaky_relu": lambda: ref.leaky_relu(x, ALPHA),
        "leaky_relu_grad": lambda: ref.leaky_relu_grad(x, alpha=ALPHA),
        "gelu_tanh": lambda: ref.gelu(x, approximate="tanh"),
        "gelu_tanh_grad": lambda: ref.gelu_grad(x, approximate="tanh"),
    }
    return calls.get(name, lambda: getattr(ref, name)(x))()
