"""Argument checks shared by the NumPy path (api.py) and the dask path (_dask.py).

Every check raises a TypeError or ValueError that names the argument, before anything is
written.
"""
import numbers

import numpy as np

from . import _core

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
#: ml_dtypes.bfloat16 is recognised by name, size and module, without importing ml_dtypes
is_bfloat16 = _core.is_bfloat16
# A call runs min(n_threads, elements // grain) threads, as asked even beyond the CPU count;
# this bound only keeps absurd requests from overflowing the driver's integers.
MAX_THREADS = 1 << 16


def check_threads(n_threads):
    if isinstance(n_threads, (bool, np.bool_)) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be a positive int or None, not {type(n_threads).__name__}")
    if n_threads <= 0:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    return int(min(n_threads, MAX_THREADS))


def threads(n_threads):
    return _core.max_threads() if n_threads is None else check_threads(n_threads)


def check_from_output(from_output):
    if not isinstance(from_output, (bool, np.bool_)):
        raise TypeError(f"from_output must be a bool, not {type(from_output).__name__}")


def as_array(value, name):
    if isinstance(value, np.ndarray):
        return value
    if value is None:
        raise TypeError(f"{name} must be an array or a number, not None")
    try:
        return np.asarray(value)
    except Exception as exc:  # ragged lists and other things NumPy cannot take
        raise TypeError(f"{name}: cannot convert {type(value).__name__} to an array: {exc}") from None


def is_float(dtype):
    """float16, bfloat16, float32 or float64, in any byte order: the dtypes computed."""
    return (dtype.kind == "f" and dtype.itemsize in (2, 4, 8)) or is_bfloat16(dtype)


def result_dtype(dtype, name):
    """The dtype of the result for an input of `dtype` (as np.tanh: ints and bools give float64)."""
    if is_float(dtype):
        return dtype.newbyteorder("=")
    if dtype.kind in "biu":
        return F64
    raise TypeError(
        f"{name} has unsupported dtype {dtype}: cyacts computes on float16, bfloat16, float32 "
        "and float64 (bool and integer inputs give float64)"
    )


def is_weak_scalar(value):
    """Python numbers take the dtype of the array they meet (NumPy 2 promotion rules)."""
    return type(value) in (int, float, bool)


def check_out(out, shape, dtype, name="out"):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, not {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{name} has shape {out.shape}, but the result has shape {shape}")
    if out.dtype != dtype:
        raise TypeError(f"{name} has dtype {out.dtype}, but the result has dtype {dtype}")
    if not out.flags.writeable:
        raise ValueError(f"{name} is read-only")


def check_inplace(x, name="x"):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"in-place operations need a numpy.ndarray for {name}, not {type(x).__name__}")
    if not is_float(x.dtype):
        raise TypeError(f"in-place operations need float16, bfloat16, float32 or float64 for "
                        f"{name}, not {x.dtype}")
    if not x.dtype.isnative:
        raise TypeError(f"in-place operations need native byte order for {name}, not {x.dtype}")
    if not x.flags.writeable:
        raise ValueError(f"{name} is read-only")


def check_choice(param, value):
    if not (isinstance(value, str) and value in param.choices):
        allowed = " or ".join(repr(c) for c in param.choices)
        raise ValueError(f"{param.name} must be {allowed}, got {value!r}")
    return value


def per_element(value, shape, name):
    """A Python float for a scalar, or an array that broadcasts to `shape`."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of them, not bool")
    if isinstance(value, numbers.Real):
        return float(value)
    arr = as_array(value, name)
    if arr.dtype.kind not in "iuf" and not is_bfloat16(arr.dtype):
        raise TypeError(f"{name} has unsupported dtype {arr.dtype}: it must be real")
    if arr.ndim == 0:
        return float(arr)
    try:
        if np.broadcast_shapes(arr.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{name} with shape {arr.shape} does not broadcast to the input's shape {shape}"
        ) from None
    return arr


def is_dask(value):
    # Checked by module name so that dask is never imported unless the caller already has it.
    return type(value).__module__.split(".")[0] == "dask"


def check_axis(axis, ndim):
    """A reduction's axis: None (every element, one row), or an int in [-ndim, ndim) made
    non-negative. A 0-d array is one row of one element: axis 0 or -1."""
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an int or None, not {type(axis).__name__}")
    axis = int(axis)
    span = max(ndim, 1)
    if not -span <= axis < span:
        raise ValueError(f"axis {axis} is out of range for an array of {ndim} dimensions")
    return axis % span


def check_keepdims(keepdims):
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"keepdims must be a bool, not {type(keepdims).__name__}")
    return bool(keepdims)
