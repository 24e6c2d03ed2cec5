"""The Python surface: validation, dtype promotion, broadcasting, output allocation, threads.

Everything that can go wrong is checked here, before anything is written; the compiled driver
(_core.pyx) only ever sees flat contiguous buffers of float32 or float64.
"""
import numbers
import os

import numpy as np

from . import _core

__all__ = [
    "relu", "leaky_relu", "relu6", "gelu", "tanh", "sigmoid",
    "relu_", "leaky_relu_", "relu6_", "gelu_", "tanh_", "sigmoid_",
    "relu_grad", "leaky_relu_grad", "relu6_grad", "gelu_grad", "tanh_grad", "sigmoid_grad",
    "get_num_threads", "set_num_threads",
]

_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
_APPROXIMATE = ("none", "tanh")
# OpenMP caps a team far below this; the bound only keeps absurd requests from reaching C.
_MAX_THREADS = 1 << 16


# --------------------------------------------------------------------------------------------
# threads
# --------------------------------------------------------------------------------------------
def get_num_threads():
    """Threads a call with n_threads=None uses.

    Follows OMP_NUM_THREADS, the CPUs this process may run on, set_num_threads() and
    threadpoolctl's threadpool_limits(..., user_api="openmp"). 1 in a build without OpenMP.
    """
    return _core.max_threads()


def set_num_threads(n):
    """Set the default number of threads (as omp_set_num_threads; per calling thread)."""
    _core.set_threads(_check_threads(n))


def _check_threads(n_threads):
    if isinstance(n_threads, (bool, np.bool_)) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be a positive int or None, not {type(n_threads).__name__}")
    if n_threads <= 0:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    return int(min(n_threads, _MAX_THREADS))


def _threads(n_threads):
    return get_num_threads() if n_threads is None else _check_threads(n_threads)


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
def _as_array(value, name):
    if isinstance(value, np.ndarray):
        return value
    if value is None:
        raise TypeError(f"{name} must be an array or a number, not None")
    try:
        return np.asarray(value)
    except Exception as exc:  # ragged lists and other things NumPy cannot take
        raise TypeError(f"{name}: cannot convert {type(value).__name__} to an array: {exc}") from None


def _result_dtype(dtype, name):
    """The dtype of the result for an input of `dtype` (as np.tanh: ints and bools give float64)."""
    if dtype.kind == "f" and dtype.itemsize in (2, 4, 8):
        return dtype.newbyteorder("=")
    if dtype.kind in "biu":
        return _F64
    raise TypeError(
        f"{name} has unsupported dtype {dtype}: cyacts computes on float16, float32 and float64 "
        "(bool and integer inputs give float64)"
    )


def _is_weak_scalar(value):
    """Python numbers take the dtype of the array they meet (NumPy 2 promotion rules)."""
    return type(value) in (int, float, bool)


def _check_out(out, shape, dtype):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, not {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape}, but the result has shape {shape}")
    if out.dtype != dtype:
        raise TypeError(f"out has dtype {out.dtype}, but the result has dtype {dtype}")
    if not out.flags.writeable:
        raise ValueError("out is read-only")


def _check_inplace(x, name="x"):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"in-place operations need a numpy.ndarray for {name}, not {type(x).__name__}")
    if x.dtype.kind != "f" or x.dtype.itemsize not in (2, 4, 8):
        raise TypeError(f"in-place operations need float16/32/64 for {name}, not {x.dtype}")
    if not x.dtype.isnative:
        raise TypeError(f"in-place operations need native byte order for {name}, not {x.dtype}")
    if not x.flags.writeable:
        raise ValueError(f"{name} is read-only")


def _alpha(alpha, shape):
    """A Python float for a scalar alpha, or an array that broadcasts to `shape`."""
    if isinstance(alpha, (bool, np.bool_)):
        raise TypeError("alpha must be a real number or an array of them, not bool")
    if isinstance(alpha, numbers.Real):
        return float(alpha)
    arr = _as_array(alpha, "alpha")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"alpha has unsupported dtype {arr.dtype}: it must be real")
    if arr.ndim == 0:
        return float(arr)
    try:
        if np.broadcast_shapes(arr.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"alpha with shape {arr.shape} does not broadcast to the input's shape {shape}"
        ) from None
    return arr


# --------------------------------------------------------------------------------------------
# execution
# --------------------------------------------------------------------------------------------
# Elements per block on the strided path: a block of every operand stays in the L2 cache.
_BLOCK = 1 << 17


def _usable(a, compute, order):
    """Whether `a` can be handed to the kernels as it is, flattened in `order`."""
    contiguous = a.flags.c_contiguous if order == "C" else a.flags.f_contiguous
    # unaligned data would break the vector loops' assumption of whole-element alignment
    return a.dtype == compute and contiguous and a.flags.aligned


def _overlaps(a, out):
    """`a` shares memory with `out` other than by being `out` itself, element for element."""
    if a is None or not np.may_share_memory(a, out):
        return False
    same = (a.__array_interface__["data"][0] == out.__array_interface__["data"][0]
            and a.strides == out.strides and a.dtype == out.dtype)
    return not same


def _execute(op, x, aux, out, n_threads, param, dtype, shape, scalar):
    """Run kernel `op` over x (and aux arrays) into `out` (allocated when None).

    Contiguous operands in a common order go to the kernels in one call. Anything else (strided,
    broadcast, other dtypes, unaligned) goes through blocks: copied into small contiguous
    buffers, computed, copied out, so memory use stays bounded and the data stays in cache.
    """
    compute = _F32 if dtype == _F16 else dtype
    threads = _threads(n_threads)
    if out is None:
        fortran = x.ndim > 1 and x.flags.f_contiguous and not x.flags.c_contiguous
        out = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    else:
        _check_out(out, shape, dtype)
    inputs = [np.broadcast_to(a, shape) if a is not None and a.shape != shape else a
              for a in (x, *aux)]
    inputs += [None] * (3 - len(inputs))
    # An input that partially overlaps out is copied whole first: the result is as if the
    # inputs had been copied before anything was written.
    with np.errstate(all="ignore"):
        inputs = [a.copy() if _overlaps(a, out) else a for a in inputs]
    order = "F" if out.flags.f_contiguous and not out.flags.c_contiguous else "C"
    if _usable(out, compute, order) and all(a is None or _usable(a, compute, order)
                                            for a in inputs):
        flats = [None if a is None else a.reshape(-1, order=order) for a in inputs]
        _core.apply(op, flats[0], out.reshape(-1, order=order), flats[1], flats[2], param,
                    threads)
    elif out.size:
        _blocked(op, inputs, out, compute, param, threads)
    if scalar:
        return out[()]
    return out


def _blocked(op, inputs, out, compute, param, threads):
    if out.ndim == 0:
        out = out.reshape(1)
        inputs = [None if a is None else a.reshape(1) for a in inputs]
    shape = out.shape
    axis = int(np.argmax(shape))  # split the longest axis: blocks of a few rows
    row = out.size // shape[axis]
    rows = max(1, _BLOCK // row)
    size = min(out.size, rows * row)
    buffers = [None if a is None else np.empty(size, compute) for a in inputs]
    result = np.empty_like(buffers[0])
    with np.errstate(all="ignore"):  # float32 -> float16 may underflow: no warning
        for start in range(0, shape[axis], rows):
            index = (slice(None),) * axis + (slice(start, start + rows),)
            part = out[index]
            n = part.size
            flats = []
            for a, buf in zip(inputs, buffers):
                if a is not None:
                    np.copyto(buf[:n].reshape(part.shape), a[index], casting="unsafe")
                    buf = buf[:n]
                flats.append(buf)
            _core.apply(op, flats[0], result[:n], flats[1], flats[2], param, threads)
            np.copyto(part, result[:n].reshape(part.shape), casting="unsafe")


def _forward(name, x, out, n_threads, alpha=None):
    x = _as_array(x, "x")
    dtype = _result_dtype(x.dtype, "x")
    aux, param = (), 0.0
    if name == "leaky_relu":
        alpha = _alpha(alpha, x.shape)
        if isinstance(alpha, float):
            param = alpha
        else:
            name, aux = "prelu", (alpha,)
    return _execute(_core.OPS[name], x, aux, out, n_threads, param, dtype, x.shape,
                    scalar=out is None and x.ndim == 0)


def _backward(name, x, grad_output, out, n_threads, from_output, alpha=None):
    if not isinstance(from_output, (bool, np.bool_)):
        raise TypeError(f"from_output must be a bool, not {type(from_output).__name__}")
    weak = grad_output is not None and _is_weak_scalar(grad_output)
    x = _as_array(x, "x")
    dtype = _result_dtype(x.dtype, "x")
    shape = x.shape
    aux, param = [], 0.0
    if grad_output is not None:
        grad_output = _as_array(grad_output, "grad_output")
        g_dtype = _result_dtype(grad_output.dtype, "grad_output")
        if not weak:
            dtype = np.result_type(dtype, g_dtype)
        try:
            shape = np.broadcast_shapes(x.shape, grad_output.shape)
        except ValueError:
            raise ValueError(
                f"grad_output with shape {grad_output.shape} does not broadcast with "
                f"x's shape {x.shape}"
            ) from None
        aux.append(grad_output)
    else:
        aux.append(None)
    if name == "leaky_relu_grad":
        alpha = _alpha(alpha, shape)
        if isinstance(alpha, float):
            param = alpha
            if from_output and not alpha > 0:
                raise ValueError(
                    "from_output=True needs alpha > 0 (with alpha <= 0 the input's sign "
                    f"cannot be read from the output), got alpha={alpha}"
                )
        else:
            if from_output and not np.all(alpha > 0):
                raise ValueError("from_output=True needs every alpha > 0")
            name = "prelu_grad"
            aux.append(alpha)
    if from_output:
        if name.startswith("gelu"):
            raise ValueError(
                "gelu_grad cannot take from_output=True: GELU is not invertible, so its "
                "derivative cannot be computed from its output"
            )
        if name in ("tanh_grad", "sigmoid_grad"):
            name += "_from_output"
    scalar = out is None and x.ndim == 0 and (grad_output is None or grad_output.ndim == 0)
    if len(aux) == 1 and aux[0] is None:
        aux = []
    return _execute(_core.OPS[name], x, aux, out, n_threads, param, dtype, shape, scalar)


def _gelu_name(approximate, suffix=""):
    if approximate not in _APPROXIMATE:
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    return ("gelu" if approximate == "none" else "gelu_tanh") + suffix


def _is_dask(value):
    # Checked by module name so that dask is never imported unless the caller already has it.
    return type(value).__module__.split(".")[0] == "dask"


def _general(func, name, x, out, n_threads, params):
    """Everything the fast path declines: dask arrays, then the general NumPy path."""
    grad_output = params.get("grad_output")
    if _is_dask(x) or _is_dask(grad_output) or _is_dask(params.get("alpha")):
        from . import _dask

        return _dask.apply(func, x, out=out, n_threads=n_threads, **params)
    if "from_output" in params:
        return _backward(name, x, grad_output, out, n_threads, params["from_output"],
                         alpha=params.get("alpha"))
    return _forward(name, x, out, n_threads, alpha=params.get("alpha"))


# Kernel indices, looked up once.
_OP = _core.OPS
_fast = _core.fast


# --------------------------------------------------------------------------------------------
# forward
# --------------------------------------------------------------------------------------------
def relu(x, *, out=None, n_threads=None):
    """max(0, x). NaN stays NaN."""
    y = _fast(_OP["relu"], x, None, None, out, n_threads, 0.0)
    return _general(relu, "relu", x, out, n_threads, {}) if y is None else y


def leaky_relu(x, alpha=0.01, *, out=None, n_threads=None):
    """x if x > 0 else alpha*x; alpha is a number or an array broadcastable to x (PReLU)."""
    y = None
    if type(alpha) is float:
        y = _fast(_OP["leaky_relu"], x, None, None, out, n_threads, alpha)
    if y is None:
        y = _general(leaky_relu, "leaky_relu", x, out, n_threads, {"alpha": alpha})
    return y


def relu6(x, *, out=None, n_threads=None):
    """min(max(0, x), 6)."""
    y = _fast(_OP["relu6"], x, None, None, out, n_threads, 0.0)
    return _general(relu6, "relu6", x, out, n_threads, {}) if y is None else y


def gelu(x, *, approximate="none", out=None, n_threads=None):
    """x * Phi(x) ("none", erf form) or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) ("tanh")."""
    name = _gelu_name(approximate)
    y = _fast(_OP[name], x, None, None, out, n_threads, 0.0)
    if y is None:
        y = _general(gelu, name, x, out, n_threads, {"approximate": approximate})
    return y


def tanh(x, *, out=None, n_threads=None):
    """Hyperbolic tangent."""
    y = _fast(_OP["tanh"], x, None, None, out, n_threads, 0.0)
    return _general(tanh, "tanh", x, out, n_threads, {}) if y is None else y


def sigmoid(x, *, out=None, n_threads=None):
    """1 / (1 + exp(-x)), without overflow."""
    y = _fast(_OP["sigmoid"], x, None, None, out, n_threads, 0.0)
    return _general(sigmoid, "sigmoid", x, out, n_threads, {}) if y is None else y


# --------------------------------------------------------------------------------------------
# in place: overwrite x and return it
# --------------------------------------------------------------------------------------------
def relu_(x):
    """relu(x) written into x; returns x."""
    _check_inplace(x)
    return relu(x, out=x)


def leaky_relu_(x, alpha=0.01):
    """leaky_relu(x, alpha) written into x; returns x."""
    _check_inplace(x)
    return leaky_relu(x, alpha, out=x)


def relu6_(x):
    """relu6(x) written into x; returns x."""
    _check_inplace(x)
    return relu6(x, out=x)


def gelu_(x, *, approximate="none"):
    """gelu(x, approximate=...) written into x; returns x."""
    _check_inplace(x)
    return gelu(x, approximate=approximate, out=x)


def tanh_(x):
    """tanh(x) written into x; returns x."""
    _check_inplace(x)
    return tanh(x, out=x)


def sigmoid_(x):
    """sigmoid(x) written into x; returns x."""
    _check_inplace(x)
    return sigmoid(x, out=x)


# --------------------------------------------------------------------------------------------
# derivatives: f'(x), or grad_output * f'(x); from_output=True reads x as y = f(input)
# --------------------------------------------------------------------------------------------
def _grad(func, name, x, grad_output, out, n_threads, from_output):
    """The derivatives without parameters: fast path, else the general one."""
    if from_output is False or (from_output is True and name in ("relu_grad", "relu6_grad")):
        y = _fast(_OP[name], x, grad_output, None, out, n_threads, 0.0)
        if y is not None:
            return y
    elif from_output is True and name in ("tanh_grad", "sigmoid_grad"):
        y = _fast(_OP[name + "_from_output"], x, grad_output, None, out, n_threads, 0.0)
        if y is not None:
            return y
    return _general(func, name, x, out, n_threads,
                    {"grad_output": grad_output, "from_output": from_output})


def relu_grad(x, grad_output=None, *, out=None, n_threads=None, from_output=False):
    """1 where x > 0 else 0 (0 at x = 0), times grad_output when given."""
    return _grad(relu_grad, "relu_grad", x, grad_output, out, n_threads, from_output)


def leaky_relu_grad(x, grad_output=None, *, alpha=0.01, out=None, n_threads=None,
                    from_output=False):
    """1 where x > 0 else alpha (alpha at x = 0), times grad_output when given."""
    y = None
    if type(alpha) is float and (from_output is False or (from_output is True and alpha > 0)):
        y = _fast(_OP["leaky_relu_grad"], x, grad_output, None, out, n_threads, alpha)
    if y is None:
        y = _general(leaky_relu_grad, "leaky_relu_grad", x, out, n_threads,
                     {"grad_output": grad_output, "from_output": from_output, "alpha": alpha})
    return y


def relu6_grad(x, grad_output=None, *, out=None, n_threads=None, from_output=False):
    """1 where 0 < x < 6 else 0, times grad_output when given."""
    return _grad(relu6_grad, "relu6_grad", x, grad_output, out, n_threads, from_output)


def gelu_grad(x, grad_output=None, *, approximate="none", out=None, n_threads=None,
              from_output=False):
    """Phi(x) + x phi(x) (or the tanh form's derivative), times grad_output when given."""
    name = _gelu_name(approximate, "_grad")
    y = None
    if from_output is False:
        y = _fast(_OP[name], x, grad_output, None, out, n_threads, 0.0)
    if y is None:
        y = _general(gelu_grad, name, x, out, n_threads,
                     {"grad_output": grad_output, "from_output": from_output,
                      "approximate": approximate})
    return y


def tanh_grad(x, grad_output=None, *, out=None, n_threads=None, from_output=False):
    """1 - tanh(x)^2 = 1/cosh(x)^2 (or 1 - y^2 from the output), times grad_output."""
    return _grad(tanh_grad, "tanh_grad", x, grad_output, out, n_threads, from_output)


def sigmoid_grad(x, grad_output=None, *, out=None, n_threads=None, from_output=False):
    """sigmoid(x)(1 - sigmoid(x)) (or y(1 - y) from the output), times grad_output."""
    return _grad(sigmoid_grad, "sigmoid_grad", x, grad_output, out, n_threads, from_output)


def _select_initial_level():
    requested = os.environ.get("CYACTS_SIMD", "").strip().lower()
    if requested and requested not in _core.AVAILABLE_LEVELS:
        import warnings

        warnings.warn(
            f"CYACTS_SIMD={requested!r} is not one of this CPU's levels "
            f"{_core.AVAILABLE_LEVELS}; using the best one",
            RuntimeWarning,
            stacklevel=3,
        )
        requested = ""
    _core.select_level(requested)


_select_initial_level()
