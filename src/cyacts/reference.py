"""The oracle: pure-NumPy versions of every cyacts function, written for accuracy, not speed.

Each is computed in float64 with the form that keeps relative accuracy (erfc for GELU's
negative tail, an overflow-free sigmoid, 1/cosh^2 for tanh') and rounded once to the result
dtype. Same names and arguments as the compiled functions, minus out and n_threads. NumPy has
no erfc, so GELU uses the C library's (math.erfc) element by element: slow, and exact to an ulp.
"""
import functools
import math

import numpy as np

__all__ = [
    "relu", "leaky_relu", "relu6", "gelu", "tanh", "sigmoid",
    "relu_grad", "leaky_relu_grad", "relu6_grad", "gelu_grad", "tanh_grad", "sigmoid_grad",
]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _result_dtype(*arrays):
    dtypes = []
    for a in arrays:
        kind = a.dtype.kind
        if kind == "f" and a.dtype.itemsize in (2, 4, 8):
            dtypes.append(a.dtype.newbyteorder("="))
        elif kind in "biu":
            dtypes.append(np.dtype(np.float64))
        else:
            raise TypeError(f"unsupported dtype {a.dtype}")
    return np.result_type(*dtypes)


def _elementwise(f):
    """Wrap f(x64, ...) -> float64 so it takes array-likes and rounds to the result dtype."""

    def wrapper(x, *args, **kwargs):
        x = np.asarray(x)
        dtype = _result_dtype(x)
        with np.errstate(all="ignore"):
            y = f(x.astype(np.float64), *args, **kwargs)
            return np.asarray(y, dtype=np.float64).astype(dtype)[()]

    return functools.update_wrapper(wrapper, f)


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
            if from_output:
                if from_output_form is None:
                    raise ValueError(f"{f_prime.__name__} cannot take from_output=True")
                d = from_output_form(x64, **params)
            else:
                d = f_prime(x64, **params)
            if grad_output is not None:
                d = grad_output.astype(np.float64) * d
            return np.asarray(d, dtype=np.float64).astype(dtype)[()]

    derivative.__doc__ = f_prime.__doc__
    derivative.__name__ = derivative.__qualname__ = f_prime.__name__.lstrip("_")
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


def _gelu_grad(x, approximate="none"):
    """Phi(x) + x phi(x); for "tanh": s + x (2u)' s(1 - s), s = sigmoid(2u)."""
    if approximate == "none":
        d = _std_normal_cdf(x) + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)
    elif approximate == "tanh":
        t = _two_u(x)
        dt = 2.0 * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
        d = _sigmoid(t) + x * dt * _sigmoid_slope(t)
    else:
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    # beyond |x| = 50 both forms equal their limits in float64 (and x^3 may overflow)
    return np.where(np.abs(x) > 50, np.where(x > 0, 1.0, 0.0), d)


def _tanh_grad(x):
    """1 / cosh(x)^2."""
    return 1.0 / np.cosh(x) ** 2


def _sigmoid_grad(x):
    """sigmoid(x) (1 - sigmoid(x)) = e/(1+e)^2."""
    return _sigmoid_slope(x)


relu_grad = _grad(_relu_grad, _relu_grad)
leaky_relu_grad = _grad(_leaky_relu_grad, _leaky_relu_grad_from_output)
relu6_grad = _grad(_relu6_grad, _relu6_grad)
gelu_grad = _grad(_gelu_grad)
tanh_grad = _grad(_tanh_grad, lambda y: (1.0 - y) * (1.0 + y))
sigmoid_grad = _grad(_sigmoid_grad, lambda y: y * (1.0 - y))
