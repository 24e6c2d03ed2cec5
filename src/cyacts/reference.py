"""The oracle: pure-NumPy versions of every cyacts function, written for accuracy, not speed.

Each is computed in float64 with the form that keeps relative accuracy (erfc for GELU's
negative tail, an overflow-free sigmoid, 1/cosh^2 for tanh') and rounded once to the result
dtype (bfloat16, ml_dtypes' dtype, included). Same names and arguments as the compiled functions, minus out and n_threads. NumPy has
no erfc: GELU uses SciPy's where SciPy is installed, else the C library's (math.erfc) element by
element (slow); both are accurate to about an ulp of float64. At the end, the same functions in
mpmath (mpmath_functions), the references of the accuracy measurement.
"""
import functools
import inspect
import math

import numpy as np

from . import _ops

#: the oracle of every op and gated unit of the registry: its forward and its derivative
__all__ = [name for op in _ops.OPS + _ops.GATED for name in op.reference_names]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
try:
    from scipy.special import erfc as _erfc
except ImportError:  # pragma: no cover
    _erfc = np.frompyfunc(math.erfc, 1, 1)


def _is_bfloat16(dtype):
    return (dtype.name == "bfloat16" and dtype.itemsize == 2
            and getattr(dtype.type, "__module__", "").split(".")[0] == "ml_dtypes")


def _result_dtype(*arrays):
    dtypes = []
    for a in arrays:
        kind = a.dtype.kind
        if (kind == "f" and a.dtype.itemsize in (2, 4, 8)) or _is_bfloat16(a.dtype):
            dtypes.append(a.dtype.newbyteorder("="))
        elif kind in "biu":
            dtypes.append(np.dtype(np.float64))
        else:
            raise TypeError(f"unsupported dtype {a.dtype}")
    return np.result_type(*dtypes)


def _round(y, dtype):
    """float64 values rounded once to `dtype`. NumPy rounds float64 to float16 directly; some
    ml_dtypes versions round float64 to bfloat16 through float32, twice, so bfloat16 goes
    through float32 rounded to odd, whose one rounding to bfloat16 is then the correct one
    (float32 has 16 more bits than bfloat16, subnormals included)."""
    y = np.asarray(y, dtype=np.float64)
    if not _is_bfloat16(dtype):
        return y.astype(dtype)
    f = y.astype(np.float32)
    inexact = (f.astype(np.float64) != y) & np.isfinite(f)
    even = (f.view(np.uint32) & 1) == 0
    step = inexact & even  # y lies strictly between f and its odd neighbour towards y
    toward = np.where(y > f.astype(np.float64), np.float32(np.inf), np.float32(-np.inf))
    f = np.where(step, np.nextafter(f, toward), f)
    return f.astype(dtype)


def _elementwise(f):
    """Wrap f(x64, ...) -> float64 so it takes array-likes and rounds to the result dtype."""

    def wrapper(x, *args, **kwargs):
        x = np.asarray(x)
        dtype = _result_dtype(x)
        if getattr(f, "computes_in", False):
            kwargs["computes_in"] = _computing_dtype(dtype)
        with np.errstate(all="ignore"):
            y = f(x.astype(np.float64), *args, **kwargs)
            return _round(y, dtype)[()]

    wrapper = functools.update_wrapper(wrapper, f)
    if getattr(f, "computes_in", False):  # the public signature has no computes_in
        sig = inspect.signature(f)
        wrapper.__signature__ = sig.replace(parameters=[
            p for p in sig.parameters.values() if p.name != "computes_in"])
    return wrapper


#: the type the reductions' oracle and the float64 forms that cancel a little compute in: x87
#: extended precision (64-bit significands) where NumPy's longdouble has it, else float64
WIDE = np.longdouble if np.finfo(np.longdouble).nmant >= 63 else np.float64


def _widened(x, computes_in):
    """x in WIDE for float64 results (their forms lose a few ulps to mild cancellation and to
    products like beta x), as it is for float32 ones (float64 is ample there)."""
    return x.astype(WIDE) if np.dtype(computes_in) == np.float64 else x


def _computing_dtype(dtype):
    """The dtype the kernels compute a result dtype in: float32 for 16 and 32 bits."""
    return np.dtype(np.float64) if np.dtype(dtype).itemsize == 8 else np.dtype(np.float32)


def _computes_in(f):
    """Mark f(x64, ..., computes_in=dtype) as taking the kernels' computing dtype (for
    parameters rounded to it, and comparisons made in it, as the kernels do)."""
    f.computes_in = True
    return f


def _std_normal_cdf(x):
    """Phi(x) = erfc(-x/sqrt2)/2: relative accuracy in the negative tail too."""
    return 0.5 * np.asarray(_erfc(-x / math.sqrt(2.0)), dtype=np.float64)


def _sigmoid(x):
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_slope(t):
    """sigmoid'(t) = e/(1+e)^2, e = exp(-|t|): no cancellation in 1 - sigmoid."""
    e = np.exp(-np.abs(t))
    return e / (1.0 + e) ** 2


def _two_u(x):
    return 2.0 * _SQRT_2_OVER_PI * (x + 0.044715 * x**3)


@_elementwise
def relu(x):
    """max(0, x); NaN stays NaN."""
    return np.where(x < 0, 0.0, x)


@_elementwise
def leaky_relu(x, alpha=0.01):
    """x if x > 0 else alpha * x; alpha a number or an array broadcastable to x."""
    alpha = np.asarray(alpha, dtype=np.float64)
    return np.where(x > 0, x, alpha * x)


@_elementwise
def relu6(x):
    """min(max(0, x), 6); NaN stays NaN."""
    return np.where(x < 0, 0.0, np.where(x > 6, 6.0, x))


@_elementwise
def squared_relu(x):
    """relu(x)^2: exact in float64 for float32 inputs, one rounding for float64."""
    return np.where(x < 0, 0.0, x) ** 2


@_elementwise
def gelu(x, approximate="none"):
    """x * Phi(x), or x * sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3), for "tanh"."""
    if approximate == "none":
        y = x * _std_normal_cdf(x)
    elif approximate == "tanh":
        y = x * _sigmoid(_two_u(x))
    else:
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    return np.where(x == -np.inf, 0.0, y)


@_elementwise
def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(x)


@_elementwise
def sigmoid(x):
    """1 / (1 + exp(-x)), overflow-free."""
    return _sigmoid(x)


@_elementwise
def elu(x, alpha=1.0):
    """x if x > 0 else alpha expm1(x)."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


@_elementwise
def selu(x):
    """scale x if x > 0 else scale alpha expm1(x), PyTorch's constants."""
    return np.where(x > 0, _ops.SELU_SCALE * x, _SELU_SA * np.expm1(np.minimum(x, 0.0)))


@_elementwise
def celu(x, alpha=1.0):
    """max(0, x) + min(0, alpha expm1(x/alpha)) = x if x > 0 else alpha expm1(x/alpha)."""
    return np.where(x > 0, x, alpha * np.expm1(x / alpha))


@_elementwise
def hardtanh(x, min_val=-1.0, max_val=1.0):
    """min(max(x, min_val), max_val); NaN stays NaN."""
    return np.where(x < min_val, min_val, np.where(x > max_val, max_val, x))


@_elementwise
def hardsigmoid(x):
    """relu6(x + 3)/6."""
    return np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (x + 3.0) / 6.0))


@_elementwise
def hardswish(x):
    """x relu6(x + 3)/6."""
    return np.where(x <= -3, 0.0, np.where(x >= 3, x, x * (x + 3.0) / 6.0))


@_elementwise
def softsign(x):
    """x / (1 + |x|), +-1 at +-inf."""
    return np.where(np.isinf(x), np.sign(x), x / (1.0 + np.abs(x)))


@_elementwise
def hardshrink(x, lambd=0.5):
    """x if |x| > lambd else 0; NaN stays NaN."""
    return np.where((x >= -lambd) & (x <= lambd), 0.0, x)


@_elementwise
def softshrink(x, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, else x * 0."""
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, x * 0.0))


@_elementwise
def threshold(x, threshold, value):
    """x if x > threshold else value; NaN stays NaN."""
    return np.where(x <= threshold, value, x)
def _exp_log(t, m):
    """m exp(t) for m > 0 as exp(t + log m): no subnormal exp(t) rounded before the product."""
    with np.errstate(all="ignore"):
        return np.exp(t + np.log(m))


def _log1p_exp_neg_abs(t):
    """log1p(exp(-|t|)): never overflows, full relative accuracy as |t| grows."""
    return np.log1p(np.exp(-np.abs(t)))


def _two_product(a, x):
    """a x as t + tl exactly (Dekker's product; tl = 0 where it would overflow): float64 x
    times a beta with a long significand rounds, and exp(beta x) would carry |beta x| times
    that rounding (~20 ulp at beta x = -40) into the result."""
    with np.errstate(all="ignore"):
        t = a * x

        def split(v):
            c = 134217729.0 * v
            hi = c - (c - v)
            return hi, v - hi

        ah, al = split(np.float64(a))
        xh, xl = split(x)
        tl = ((ah * xh - t) + ah * xl + al * xh) + al * xl
    return t, np.where(np.isfinite(tl), tl, 0.0)


def _beta_x(x, beta, threshold, dtype):
    """beta x in float64 as t + tl (t exact for float32 x and beta), and where its rounding to
    the computing dtype exceeds the threshold (both rounded to that dtype, as the kernels have
    them)."""
    dtype = np.dtype(dtype)
    beta = float(dtype.type(beta))
    threshold = math.inf if threshold is None else float(dtype.type(threshold))
    t, tl = _two_product(beta, x)
    with np.errstate(all="ignore"):
        over = t.astype(dtype) > threshold
    return beta, t, tl, over


@_elementwise
@_computes_in
def silu(x, beta=1.0, computes_in=np.float64):
    """x * sigmoid(beta x)."""
    beta = float(np.dtype(computes_in).type(beta))
    x = _widened(x, computes_in)
    t, tl = _two_product(beta, x)
    s = _sigmoid(t)
    with np.errstate(all="ignore"):  # sigmoid(t + tl) = s + tl s'(t), to first order
        y = np.where(t < -40, np.copysign(_exp_log(t, np.abs(x)), x) * (1.0 + tl),
                     np.where(tl == 0, x * s, x * s + x * (tl * _sigmoid_slope(t))))
    return np.where(np.isinf(x) & (s == 0), np.copysign(0.0, x), y)


@_elementwise
@_computes_in
def mish(x, computes_in=np.float64):
    """x tanh(softplus(x)) = x (e^2 + 2e)/(e^2 + 2e + 2), e = exp(x), in u = exp(-|x|) <= 1."""
    x = _widened(x, computes_in)
    u = np.exp(-np.abs(x))
    t = np.where(x < 0, u * (u + 2) / (u * (u + 2) + 2),
                 (1 + 2 * u) / (1 + 2 * u + 2 * u * u))
    y = np.where(x < -40, -_exp_log(x, -x), x * t)  # x e^x (1 + O(e^x))
    return np.where(x == -np.inf, -0.0, y)


@_elementwise
@_computes_in
def softplus(x, beta=1.0, threshold=None, computes_in=np.float64):
    """log1p(exp(beta x))/beta = (max(beta x, 0) + log1p(exp(-|beta x|)))/beta, or x where
    beta x (rounded to the computing dtype) > threshold."""
    x = _widened(x, computes_in)
    beta, t, tl, over = _beta_x(x, beta, threshold, computes_in)
    # log1p(exp(-|t + tl|)) = L(t) - sign(t) sigmoid(-|t|) tl, to first order
    tail = _log1p_exp_neg_abs(t)
    tail = np.where(tl == 0, tail, tail - np.sign(t) * _sigmoid(-np.abs(t)) * tl)
    return np.where(over, x, np.where(t > 0, x, 0.0) + tail / beta)


@_elementwise
def log_sigmoid(x):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))."""
    return np.minimum(x, 0.0) - _log1p_exp_neg_abs(x)


_TANHSHRINK_SERIES = (1 / 3, -2 / 15, 17 / 315, -62 / 2835, 1382 / 155925, -21844 / 6081075,
                      929569 / 638512875)


@_elementwise
def tanhshrink(x):
    """x - tanh(x); below |x| = 0.1, where that cancels, its Taylor series."""
    z = x * x
    series = np.zeros_like(x)
    for c in reversed(_TANHSHRINK_SERIES):
        series = series * z + c
    return np.where(np.abs(x) < 0.1, x * z * series, x - np.tanh(x))


def _grad(f_prime, from_output_form=None):
    """Build a derivative: f'(x) (or from the output y), times grad_output when given."""

    def derivative(x, grad_output=None, *, from_output=False, **params):
        x = np.asarray(x)
        arrays = [x]
        if grad_output is not None:
            weak = type(grad_output) in (int, float, bool)  # Python numbers: NumPy 2 rules
            grad_output = np.asarray(grad_output)
            if not weak:
                arrays.append(grad_output)
        dtype = _result_dtype(*arrays)
        with np.errstate(all="ignore"):
            x64 = x.astype(np.float64)
            if getattr(f_prime, "computes_in", False):
                params["computes_in"] = _computing_dtype(dtype)
            if from_output:
                if from_output_form is None:
                    raise ValueError(f"{f_prime.__name__} cannot take from_output=True")
                d = from_output_form(x64, **params)
            else:
                d = f_prime(x64, **params)
            if grad_output is not None:
                d = grad_output.astype(np.float64) * d
            return _round(d, dtype)[()]

    derivative.__doc__ = f_prime.__doc__
    derivative.__name__ = derivative.__qualname__ = f_prime.__name__.lstrip("_")
    derivative.f_prime = f_prime  # the float64 derivative, for the gated units
    return derivative


def _relu_grad(x):
    """1 where x > 0, 0 where x <= 0, NaN for NaN."""
    return np.where(x > 0, 1.0, np.where(x <= 0, 0.0, np.nan))


def _leaky_relu_grad(x, alpha=0.01):
    """1 where x > 0, alpha where x <= 0, NaN for NaN."""
    alpha = np.asarray(alpha, dtype=np.float64)
    return np.where(x > 0, 1.0, np.where(x <= 0, alpha, np.nan))


def _leaky_relu_grad_from_output(y, alpha=0.01):
    if not np.all(np.asarray(alpha) > 0):
        raise ValueError("from_output=True needs alpha > 0")
    return _leaky_relu_grad(y, alpha)


def _relu6_grad(x):
    """1 where 0 < x < 6, else 0; NaN for NaN."""
    return np.where((x > 0) & (x < 6), 1.0, np.where(np.isnan(x), np.nan, 0.0))


def _squared_relu_grad(x):
    """2 relu(x): 0 where x <= 0, NaN for NaN."""
    return np.where(x > 0, 2.0 * x, np.where(x <= 0, 0.0, np.nan))


# The zero of each GELU derivative as a double-double (mpmath.findroot at 40 digits), and
# Gauss-Legendre nodes and weights on [-1, 1]: near the zero the two terms of the derivative
# cancel, so there it is the integral of the second derivative from the zero instead.
_GELU_GRAD_ROOTS = {
    "none": (float.fromhex("-0x1.80ead197f00b4p-1"), float.fromhex("0x1.13e74c58cada8p-56")),
    "tanh": (float.fromhex("-0x1.81429f9e97e4dp-1"), float.fromhex("0x1.4f523ed77dbdcp-55")),
}
_GL_NODES = np.array([-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                      0.8611363115940526])
_GL_WEIGHTS = np.array([0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                        0.3478548451374538])
_NEAR_ROOT = 0.0625


def _gelu_second(t, approximate):
    """GELU'': phi(t)(2 - t^2); tanh form: s(1 - s)(2T' + t T'' + t T'^2 (1 - 2s)), T = 2u."""
    if approximate == "none":
        return _INV_SQRT_2PI * np.exp(-0.5 * t * t) * (2.0 - t * t)
    big_t = _two_u(t)
    d1 = 2.0 * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * t * t)
    d2 = 2.0 * _SQRT_2_OVER_PI * 6 * 0.044715 * t
    s = _sigmoid(big_t)
    return _sigmoid_slope(big_t) * (2.0 * d1 + t * d2 + t * d1 * d1 * (1.0 - 2.0 * s))


def _gelu_grad(x, approximate="none"):
    """Phi(x) + x phi(x); for "tanh": s + x (2u)' s(1 - s), s = sigmoid(2u). Within 1/16 of
    the derivative's zero x0: the integral of GELU'' from x0 (4-point Gauss-Legendre)."""
    if approximate == "none":
        d = _std_normal_cdf(x) + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)
    elif approximate == "tanh":
        t = _two_u(x)
        dt = 2.0 * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
        d = _sigmoid(t) + x * dt * _sigmoid_slope(t)
    else:
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    hi, lo = _GELU_GRAD_ROOTS[approximate]
    near = np.abs(x - hi) < _NEAR_ROOT
    if np.any(near):
        step = (x[near] - hi) - lo  # x - hi is exact (Sterbenz)
        nodes = hi + step[:, None] * (1.0 + _GL_NODES) / 2.0
        d = np.array(d, dtype=np.float64)
        d[near] = step / 2.0 * (_gelu_second(nodes, approximate) @ _GL_WEIGHTS)
    # beyond |x| = 50 both forms equal their limits in float64 (and x^3 may overflow)
    return np.where(np.abs(x) > 50, np.where(x > 0, 1.0, 0.0), d)


#: 8-point Gauss-Legendre (error ~1e-23 (b - a)^17 f^(16)) over +-_NEAR_ROOT_WIDE of a zero:
#: SiLU's and Mish's derivatives still cancel tenfold 0.09 from theirs
_GL8_NODES, _GL8_WEIGHTS = np.polynomial.legendre.leggauss(8)
_NEAR_ROOT_WIDE = 0.5


def _integral_from_root(x, d, root, second):
    """d with its values within _NEAR_ROOT_WIDE of root = (hi, lo) replaced by the integral of
    second (f'', of one sign there) from the root: where f' cancels at its zero."""
    hi, lo = root
    near = np.abs(x - hi) < _NEAR_ROOT_WIDE
    if np.any(near):
        step = (x[near] - hi) - lo  # x - hi is exact (Sterbenz)
        nodes = hi + step[:, None] * (1.0 + _GL8_NODES) / 2.0
        d = np.array(d)
        d[near] = step / 2.0 * (second(nodes) @ _GL8_WEIGHTS)
    return d


# The zeros of silu' (in t = beta x) and mish' as double-doubles (mpmath.findroot, 40 digits).
_SILU_GRAD_ROOT = (float.fromhex("-0x1.474973c84120bp+0"), float.fromhex("-0x1.f8d74bc9ac154p-54"))
_MISH_GRAD_ROOT = (float.fromhex("-0x1.31432c0d12d84p+0"), float.fromhex("-0x1.bf319154da210p-55"))


def _silu_slope(t):
    """d/dt [t sigmoid(t)] = s (1 + t (1 - s)), 1 - s = sigmoid(-t) (no cancellation)."""
    return _sigmoid(t) * (1.0 + t * _sigmoid(-t))


def _silu_second(t):
    """d^2/dt^2 [t sigmoid(t)] = s (1 - s) (2 + t (1 - 2s)), 1 - 2s = -tanh(t/2)."""
    return _sigmoid_slope(t) * (2.0 - t * np.tanh(t / 2))


@_computes_in
def _silu_grad(x, beta=1.0, computes_in=np.float64):
    """sigmoid(beta x) (1 + beta x (1 - sigmoid(beta x))); near its zero (beta x = -1.2785) the
    integral of its derivative from the zero."""
    beta = float(np.dtype(computes_in).type(beta))
    x = _widened(x, computes_in)
    t, tl = _two_product(beta, x)
    d = _integral_from_root(t, _silu_slope(t), _SILU_GRAD_ROOT, _silu_second)
    with np.errstate(all="ignore"):  # d(t + tl) = d(t) + tl d'(t), to first order
        d = np.where(t < -40, -_exp_log(t, -1 - t) * (1.0 + tl),  # e^t (1 + t) (1 + O(e^t))
                     np.where(tl == 0, d, d + tl * _silu_second(t)))
    return np.where(np.isinf(t), np.where(t > 0, 1.0, 0.0), d)


def _mish_parts(x):
    """tanh(softplus(x)) and sigmoid(x), overflow-free."""
    u = np.exp(-np.abs(x))
    t = np.where(x < 0, u * (u + 2) / (u * (u + 2) + 2),
                 (1 + 2 * u) / (1 + 2 * u + 2 * u * u))
    return t, _sigmoid(x)


def _mish_first(x):
    """T + x T', T = tanh(softplus(x)), T' = (1 - T^2) sigmoid(x); 1 - T^2 = 4(n + 1)/d^2 in
    e = exp(x) (n = e^2 + 2e, d = n + 2), so no cancellation in it."""
    u = np.exp(-np.abs(x))
    d = np.where(x < 0, u * u + 2 * u + 2, 1 + 2 * u + 2 * u * u)
    one_minus_t2 = np.where(x < 0, 4 * (1 + u) ** 2, 4 * u * u * (1 + u) ** 2) / d**2
    t, s = _mish_parts(x)
    return t + x * one_minus_t2 * s


def _mish_second(x):
    """2 T' + x T'', T'' = (1 - T^2) s ((1 - s) - 2 T s), s = sigmoid(x)."""
    t, s = _mish_parts(x)
    one_minus_t2 = 1 - t * t
    return one_minus_t2 * s * (2 + x * (_sigmoid(-x) - 2 * t * s))


@_computes_in
def _mish_grad(x, computes_in=np.float64):
    """tanh(softplus(x)) + x sigmoid(x) (1 - tanh(softplus(x))^2); near its zero (x = -1.1924)
    the integral of its derivative from the zero."""
    x = _widened(x, computes_in)
    d = _integral_from_root(x, _mish_first(x), _MISH_GRAD_ROOT, _mish_second)
    d = np.where(x < -40, -_exp_log(x, -1 - x), d)  # e^x (1 + x) (1 + O(e^x))
    return np.where(x > 50, 1.0, np.where(x < -800, 0.0, d))


@_computes_in
def _softplus_grad(x, beta=1.0, threshold=None, computes_in=np.float64):
    """sigmoid(beta x), 1 where beta x (rounded to the computing dtype) > threshold."""
    x = _widened(x, computes_in)
    _, t, tl, over = _beta_x(x, beta, threshold, computes_in)
    with np.errstate(all="ignore"):
        s = _sigmoid(t)
        return np.where(over, 1.0, np.where(tl == 0, s, s + tl * _sigmoid_slope(t)))


def _softplus_grad_from_output(y, beta=1.0, threshold=None, computes_in=np.float64):
    """1 - exp(-beta y), 1 where beta y > threshold."""
    _, w, wl, over = _beta_x(y, beta, threshold, computes_in)
    with np.errstate(all="ignore"):  # 1 - exp(-(w + wl)) = -expm1(-w) + exp(-w) wl
        d = -np.expm1(-w)  # -inf for beta y below -709.78: no correction (inf - inf)
        return np.where(over, 1.0, np.where((wl == 0) | np.isinf(d), d, d + np.exp(-w) * wl))


def _log_sigmoid_grad(x):
    """sigmoid(-x)."""
    return _sigmoid(-x)


def _tanhshrink_grad(x):
    """tanh(x)^2."""
    return np.tanh(x) ** 2


def _tanh_grad(x):
    """1 / cosh(x)^2."""
    return 1.0 / np.cosh(x) ** 2


def _sigmoid_grad(x):
    """sigmoid(x) (1 - sigmoid(x)) = e/(1+e)^2."""
    return _sigmoid_slope(x)


# SELU's scale * alpha, the exact product of the two doubles, as hi + lo
_SELU_SA = _ops.SELU_SCALE_ALPHA
_SELU_SA_LO = float.fromhex("0x1.092dbf6372048p-54")


def _needs_positive_alpha(alpha):
    if not np.all(np.asarray(alpha) > 0):
        raise ValueError("from_output=True needs alpha > 0")


def _scaled_exp(a, x):
    """a exp(x) for x <= 0, with one rounding of a product of a correctly rounded exp (<= 1.5 ulp)
    where the result is normal; where it is subnormal (a * exp(x) would round exp(x) there
    first) the product is formed in extended precision where NumPy has it, else as
    sign(a) exp(x + log|a|), whose argument's rounding costs ~2^-45 relative (a few subnormal
    ulps at most)."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(divide="ignore", under="ignore", invalid="ignore"):
        plain = a * np.exp(x)
        if np.finfo(np.longdouble).nmant >= 63:
            tiny = (a * np.exp(np.asarray(x, dtype=np.longdouble))).astype(np.float64)
        else:
            tiny = np.where(a == 0, 0.0, np.sign(a) * np.exp(x + np.log(np.abs(a))))
    return np.where(np.abs(plain) >= np.finfo(np.float64).tiny, plain, tiny)


def _elu_grad(x, alpha=1.0):
    """1 where x > 0, alpha exp(x) where x <= 0, NaN for NaN."""
    return np.where(x > 0, 1.0, np.where(x <= 0, _scaled_exp(alpha, np.minimum(x, 0.0)), np.nan))


def _elu_grad_from_output(y, alpha=1.0):
    _needs_positive_alpha(alpha)
    return np.where(y > 0, 1.0, y + alpha)


def _selu_grad(x):
    """scale where x > 0, scale alpha exp(x) where x <= 0, NaN for NaN."""
    return np.where(x > 0, _ops.SELU_SCALE,
                    np.where(x <= 0, _scaled_exp(_SELU_SA, np.minimum(x, 0.0)), np.nan))


def _selu_grad_from_output(y):
    return np.where(y > 0, _ops.SELU_SCALE, (y + _SELU_SA) + _SELU_SA_LO)


def _celu_grad(x, alpha=1.0):
    """1 where x > 0, exp(x/alpha) where x <= 0, NaN for NaN."""
    return np.where(x > 0, 1.0, np.where(x <= 0, np.exp(x / alpha), np.nan))


def _celu_grad_from_output(y, alpha=1.0):
    _needs_positive_alpha(alpha)
    return np.where(y > 0, 1.0, (y + alpha) / alpha)


def _hardtanh_grad(x, min_val=-1.0, max_val=1.0):
    """1 where min_val < x < max_val, else 0; NaN for NaN."""
    return np.where((x > min_val) & (x < max_val), 1.0, np.where(np.isnan(x), np.nan, 0.0))


def _hardsigmoid_grad(x):
    """1/6 where -3 < x < 3, else 0; NaN for NaN."""
    return np.where((x > -3) & (x < 3), 1.0 / 6.0, np.where(np.isnan(x), np.nan, 0.0))


def _hardsigmoid_grad_from_output(y):
    return np.where((y > 0) & (y < 1), 1.0 / 6.0, np.where(np.isnan(y), np.nan, 0.0))


def _hardswish_grad(x):
    """0 where x <= -3, 1 where x >= 3, (2x + 3)/6 between (PyTorch's values at -3 and 3)."""
    return np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (2.0 * x + 3.0) / 6.0))


def _softsign_grad(x):
    """1 / (1 + |x|)^2."""
    return 1.0 / (1.0 + np.abs(x)) ** 2


def _shrink_grad(x, lambd=0.5):
    """1 where |x| > lambd, else 0; NaN for NaN."""
    return np.where((x >= -lambd) & (x <= lambd), 0.0, np.where(np.isnan(x), np.nan, 1.0))


def _hardshrink_grad(x, lambd=0.5):
    """1 where |x| > lambd, else 0 (0 at +-lambd); NaN for NaN."""
    return _shrink_grad(x, lambd)


def _softshrink_grad(x, lambd=0.5):
    """1 where |x| > lambd, else 0 (0 at +-lambd); NaN for NaN."""
    return _shrink_grad(x, lambd)


def _softshrink_grad_from_output(y, lambd=0.5):
    return np.where(y == 0, 0.0, np.where(np.isnan(y), np.nan, 1.0))


def _threshold_grad(x, threshold, value):
    """1 where x > threshold, else 0; NaN for NaN."""
    return np.where(x > threshold, 1.0, np.where(x <= threshold, 0.0, np.nan))


relu_grad = _grad(_relu_grad, _relu_grad)
leaky_relu_grad = _grad(_leaky_relu_grad, _leaky_relu_grad_from_output)
relu6_grad = _grad(_relu6_grad, _relu6_grad)
squared_relu_grad = _grad(_squared_relu_grad, lambda y: 2.0 * np.sqrt(np.maximum(y, 0.0)))
gelu_grad = _grad(_gelu_grad)
tanh_grad = _grad(_tanh_grad, lambda y: (1.0 - y) * (1.0 + y))
sigmoid_grad = _grad(_sigmoid_grad, lambda y: y * (1.0 - y))
elu_grad = _grad(_elu_grad, _elu_grad_from_output)
selu_grad = _grad(_selu_grad, _selu_grad_from_output)
celu_grad = _grad(_celu_grad, _celu_grad_from_output)
hardtanh_grad = _grad(_hardtanh_grad, _hardtanh_grad)
hardsigmoid_grad = _grad(_hardsigmoid_grad, _hardsigmoid_grad_from_output)
hardswish_grad = _grad(_hardswish_grad)
softsign_grad = _grad(_softsign_grad, lambda y: (1.0 - np.abs(y)) ** 2)
hardshrink_grad = _grad(_hardshrink_grad, _hardshrink_grad)
softshrink_grad = _grad(_softshrink_grad, _softshrink_grad_from_output)
threshold_grad = _grad(_threshold_grad)
silu_grad = _grad(_silu_grad)
mish_grad = _grad(_mish_grad)
softplus_grad = _grad(_softplus_grad, _softplus_grad_from_output)
log_sigmoid_grad = _grad(_log_sigmoid_grad, lambda y: -np.expm1(y))
tanhshrink_grad = _grad(_tanhshrink_grad)


def _sum_to(d, shape):
    """Sum a gradient over the axes its operand was broadcast along."""
    lead = d.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and d.shape[lead + i] != 1)
    return np.sum(d, axis=axes).reshape(shape) if axes else d


def _gated(unit):
    """The oracle of a gated unit from its activation's float64 forward and derivative."""
    op = unit.op
    forward = globals()[op.reference_names[0]].__wrapped__
    f_prime = globals()[op.reference_names[1]].f_prime

    def typed(f, params, dtype):
        """params with the kernels' computing dtype where f takes it (silu's beta)."""
        if getattr(f, "computes_in", False):
            return dict(params, computes_in=_computing_dtype(dtype))
        return params

    def gated(gate, value, **params):
        gate, value = np.asarray(gate), np.asarray(value)
        dtype = _result_dtype(gate, value)
        params = typed(forward, params, dtype)
        with np.errstate(all="ignore"):
            y = forward(gate.astype(np.float64), **params) * value.astype(np.float64)
            return _round(y, dtype)[()]

    def gated_grad(gate, value, grad_output=None, **params):
        gate, value = np.asarray(gate), np.asarray(value)
        arrays = [gate, value]
        g = 1.0
        if grad_output is not None:
            weak = type(grad_output) in (int, float, bool)
            grad_output = np.asarray(grad_output)
            if not weak:
                arrays.append(grad_output)
            g = grad_output.astype(np.float64)
        dtype = _result_dtype(*arrays)
        with np.errstate(all="ignore"):
            a, v = gate.astype(np.float64), value.astype(np.float64)
            shape = np.broadcast_shapes(a.shape, v.shape, np.shape(g))
            grad_gate = np.broadcast_to(g * f_prime(a, **typed(f_prime, params, dtype)) * v,
                                        shape)
            grad_value = np.broadcast_to(g * forward(a, **typed(forward, params, dtype)), shape)
            return (_round(_sum_to(grad_gate, gate.shape), dtype)[()],
                    _round(_sum_to(grad_value, value.shape), dtype)[()])

    gated.__name__ = gated.__qualname__ = unit.reference_names[0]
    gated_grad.__name__ = gated_grad.__qualname__ = unit.reference_names[1]
    gated.__doc__, gated_grad.__doc__ = unit.formula, unit.grad_formula
    return gated, gated_grad


for _unit in _ops.GATED:
    globals()[_unit.reference_names[0]], globals()[_unit.reference_names[1]] = _gated(_unit)
del _unit


def mpmath_functions():
    """kernel name -> its function of one mpmath number, for measuring accuracy at 40 digits
    (cyacts._ulp), at the parameters' defaults. Needs mpmath. The kernels that one IEEE
    operation computes exactly (relu, hardtanh, the shrinks, ...) are left out."""
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

    # ELU's family at the parameters' defaults (alpha = 1, the values cyacts._ulp measures);
    # SELU's constants are the exact binary values of PyTorch's doubles
    sa, sc = m.mpf(_ops.SELU_ALPHA) * m.mpf(_ops.SELU_SCALE), m.mpf(_ops.SELU_SCALE)

    def em1(x):  # expm1, clamped where it is -1 to far beyond double precision
        return m.expm1(max(x, -2000))
    def tanhshrink(x):
        if abs(x) < 0.01:  # x - tanh(x) cancels: its series, x^3/3 - 2x^5/15 ...
            return -sum(2**(2 * n) * (2**(2 * n) - 1) * m.bernoulli(2 * n) * x**(2 * n - 1)
                        / m.factorial(2 * n) for n in range(2, 14))
        return x - m.tanh(max(min(x, 100), -100))

    def mish_grad(x):
        if x > 100:
            return m.mpf(1)
        e = ex(-x) if x < 0 else m.exp(x)
        d = e * e + 2 * e + 2
        return ((e * e + 2 * e) * d + 4 * x * e * (1 + e)) / d**2

    def softplus(x):
        return max(x, 0) + m.log1p(ex(x))

    return {
        "silu": lambda x: x * sig(x),
        "silu_grad": lambda x: sig(x) * (1 + x * sig(-x)),
        "mish": lambda x: x if x > 100 else x * m.tanh(softplus(x)),
        "mish_grad": mish_grad,
        "softplus": softplus,
        "softplus_grad": sig,
        "log_sigmoid": lambda x: -softplus(-x),
        "log_sigmoid_grad": lambda x: sig(-x),
        "tanhshrink": tanhshrink,
        "tanhshrink_grad": lambda x: m.tanh(max(min(x, 100), -100)) ** 2,
        "tanh": lambda x: m.tanh(max(min(x, 100), -100)),
        "sigmoid": sig,
        "gelu": lambda x: x * phi_big(x),
        "gelu_tanh": lambda x: x * sig(c * (x + a * x**3)),
        "tanh_grad": lambda x: 4 * slope(2 * x),
        "sigmoid_grad": slope,
        "gelu_grad": gelu_grad,
        "gelu_tanh_grad": gelu_tanh_grad,
        "elu": lambda x: x if x > 0 else em1(x),
        "elu_grad": lambda x: m.mpf(1) if x > 0 else m.exp(max(x, -2000)),
        "selu": lambda x: sc * x if x > 0 else sa * em1(x),
        "selu_grad": lambda x: sc if x > 0 else sa * m.exp(max(x, -2000)),
        "celu": lambda x: x if x > 0 else em1(x),
        "celu_grad": lambda x: m.mpf(1) if x > 0 else m.exp(max(x, -2000)),
        "hardsigmoid": lambda x: (x + 3) / 6 if -3 < x < 3 else m.mpf(0 if x <= -3 else 1),
        "hardswish": lambda x: x * (x + 3) / 6 if -3 < x < 3 else (m.mpf(0) if x <= -3 else x),
        "hardswish_grad": lambda x: ((2 * x + 3) / 6 if -3 < x < 3
                                     else m.mpf(0 if x <= -3 else 1)),
        "softsign": lambda x: x / (1 + abs(x)),
        "softsign_grad": lambda x: 1 / (1 + abs(x)) ** 2,
    }


# ============================================================================================
# Reductions: softmax, log_softmax, logsumexp and their derivatives (cyacts._ops.REDUCTIONS)
# ============================================================================================
# Computed in x87 extended precision (64-bit significands) where NumPy's longdouble has it
# (x86-64 Linux), else in float64, and rounded once to the result dtype; the row's maximum is
# subtracted first, as in the compiled code, so -inf entries give 0 and huge ones no overflow.
__all__ += [r.reference_name for r in _ops.REDUCTIONS]



def _rows(arrays, axis):
    """The arrays in WIDE with the axis last (axis None or a 0-d array: one row of every
    element), the result dtype, and the function that puts a result of that layout back."""
    arrays = [np.asarray(a) for a in arrays]
    dtype = _result_dtype(*arrays)
    shape = arrays[0].shape
    if axis is None or arrays[0].ndim == 0:
        wide = [a.astype(WIDE).reshape(1, -1) for a in arrays]
        return wide, dtype, lambda r: r.reshape(shape)
    axis = int(axis)
    wide = [np.moveaxis(a.astype(WIDE), axis, -1) for a in arrays]
    return wide, dtype, lambda r: np.moveaxis(r, -1, axis)


def _round_wide(y, dtype):
    """A WIDE result rounded once to `dtype` (bfloat16 through float64: see _round)."""
    with np.errstate(over="ignore"):  # past the dtype's range: inf, as the rounding gives
        if _is_bfloat16(dtype):
            return _round(np.asarray(y).astype(np.float64), dtype)
        return np.asarray(y).astype(dtype)


def _max_and_sum(w):
    """The rows' maxima (keepdims), sums of exp(x - max), and logs of the sums, with no
    warnings. The log is log1p of the sum less one, the terms of the maximum left out of the
    sum: where the other terms are tiny, log(sum) is about their sum, and a rounded sum near
    1 would lose it."""
    with np.errstate(all="ignore"):
        m = np.max(w, axis=-1, keepdims=True, initial=-np.inf)
        t = np.exp(w - m)
        top = w == m
        rest = np.sum(np.where(top, 0, t), axis=-1, keepdims=True)
        count = np.sum(top, axis=-1, keepdims=True).astype(w.dtype)
        s = count + rest
        log_s = np.log1p((count - 1) + rest)
    return m, s, log_s


def softmax(x, axis=-1):
    """exp(x - max) / sum(exp(x - max)) along axis; NaN for rows that are all -inf or hold
    +inf or NaN."""
    (w,), dtype, back = _rows([x], axis)
    m, s, _ = _max_and_sum(w)
    with np.errstate(all="ignore"):
        y = np.where(np.isfinite(m), np.exp(w - m) / s, np.nan)
    return back(_round_wide(y, dtype))


def log_softmax(x, axis=-1):
    """(x - max) - log(sum(exp(x - max))) along axis; NaN as softmax."""
    (w,), dtype, back = _rows([x], axis)
    m, _, log_s = _max_and_sum(w)
    with np.errstate(all="ignore"):
        y = np.where(np.isfinite(m), (w - m) - log_s, np.nan)
    return back(_round_wide(y, dtype))


def logsumexp(x, axis=-1, keepdims=False):
    """log(sum(exp(x))) along axis: -inf for empty rows or rows of -inf, +inf with +inf in the
    row, NaN with NaN."""
    x = np.asarray(x)
    (w,), dtype, _ = _rows([x], axis)
    m, _, log_s = _max_and_sum(w)
    with np.errstate(all="ignore"):
        r = np.where(np.isfinite(m), m + log_s, m)
    r = _round_wide(r, dtype)[..., 0]  # the rows' axis removed
    if axis is None or x.ndim == 0:
        r = r.reshape(())
        return r.reshape((1,) * x.ndim) if keepdims else r[()]
    if keepdims:
        r = np.expand_dims(r, axis)
    return r if r.ndim else r[()]


def softmax_grad(y, grad_output, axis=-1):
    """y * (grad_output - sum(grad_output * y)) along axis, y = softmax(x)."""
    (wy, wg), dtype, back = _rows([y, grad_output], axis)
    with np.errstate(all="ignore"):
        dot = np.sum(wg * wy, axis=-1, keepdims=True)
        r = wy * (wg - dot)
    return back(_round_wide(r, dtype))


def log_softmax_grad(y, grad_output, axis=-1):
    """grad_output - exp(y) * sum(grad_output) along axis, y = log_softmax(x)."""
    (wy, wg), dtype, back = _rows([y, grad_output], axis)
    with np.errstate(all="ignore"):
        r = wg - np.exp(wy) * np.sum(wg, axis=-1, keepdims=True)
    return back(_round_wide(r, dtype))


def reduction_mpmath(name, row, grad_output=None):
    """The reduction `name` of one row (a 1-D sequence of floats), every element as an
    mpmath number at the current precision: the reference of the accuracy measurement
    (benchmarks/softmax_accuracy.py). logsumexp gives one number."""
    import mpmath as m

    xs = [m.mpf(float(v)) for v in row]
    if name in ("softmax", "log_softmax", "logsumexp"):
        top = max(xs)
        s = m.fsum(m.exp(v - top) for v in xs)
        if name == "softmax":
            return [m.exp(v - top) / s for v in xs]
        if name == "log_softmax":
            return [(v - top) - m.log(s) for v in xs]
        return top + m.log(s)
    gs = [m.mpf(float(v)) for v in grad_output]
    if name == "softmax_grad":
        dot = m.fsum(g * y for g, y in zip(gs, xs))
        return [y * (g - dot) for g, y in zip(gs, xs)]
    if name == "log_softmax_grad":
        total = m.fsum(gs)
        return [g - m.exp(y) * total for g, y in zip(gs, xs)]
    raise ValueError(f"no reduction {name!r}")
