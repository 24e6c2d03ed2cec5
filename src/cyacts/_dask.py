"""Dask support: every out-of-place function maps lazily over the blocks of a dask array.

api.py sends a call here when x, grad_output or a parameter is a dask array. The result is a
lazy dask array with x's chunks (where x spans the output dimension), built with one task per block; each task runs the NumPy code path on its block, so the values
are bitwise those of the same call on the computed arrays.

- Everything that can be checked without computing is checked now, with the errors the NumPy
  path raises: dtypes, broadcasting of grad_output and alpha, approximate, n_threads,
  from_output. (from_output=True with a dask alpha checks alpha's sign when computed.)
- grad_output and array alpha may be dask or NumPy arrays of any broadcastable shape; NumPy
  operands are split into blocks aligned with x's, and size-1 dimensions are broadcast per
  block, so nothing is materialised at the full output size.
- `out=` is refused (TypeError): a dask result is a new lazy array. Use the returned array,
  or dask.array.store() to write it somewhere.
- n_threads goes to every block unchanged. With dask's threaded scheduler, several blocks run
  at once in one process, so n_threads=1 avoids oversubscribing the cores.

This module imports dask; cyacts imports it only when it is handed a dask array.
"""
import inspect

import numpy as np
import dask.array as da
from dask.array.core import normalize_chunks

from . import _checks, _ops

# the arguments that may be arrays: x, grad_output and every per-element parameter
_ARRAY_PARAMS = ("x", "grad_output", "bias") + tuple(
    sorted({p.name for op in _ops.OPS for p in op.params if p.per_element}))


def _is_dask_array(value):
    return isinstance(value, da.Array)


def _call_block(*blocks, _fn, _keys, _consts):
    """Run the cyacts function _fn on one set of aligned NumPy blocks (the task body)."""
    kwargs = dict(_consts)
    kwargs.update(zip(_keys, blocks))
    x = kwargs.pop("x")
    result = _fn(x, **kwargs)
    return result if isinstance(result, np.ndarray) else np.asarray(result)


def _known(shape):
    return all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape)


def _shape_error_free(shape_a, shape_b):
    try:
        return np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        return None


def _output_shape(arrays, name):
    """The broadcast shape, with the NumPy path's messages on mismatch."""
    x = arrays.get("x")
    x_shape = () if x is None else x.shape
    shape = x_shape
    g = arrays.get("grad_output")
    if g is not None:
        shape = _shape_error_free(x_shape, g.shape)
        if shape is None:
            raise ValueError(
                f"grad_output with shape {g.shape} does not broadcast with x's shape {x_shape}"
            )
    for key in _ARRAY_PARAMS[2:]:
        param = arrays.get(key)
        if param is not None and _shape_error_free(param.shape, shape) != shape:
            raise ValueError(
                f"{key} with shape {param.shape} does not broadcast to the input's shape {shape}"
            )
    return tuple(int(n) for n in shape)


def _target_chunks(arrays, shape, dtype):
    """Chunks of the result: from x first, then grad_output, then the parameters; 'auto'
    elsewhere."""
    nd = len(shape)
    chunks = []
    for i, n in enumerate(shape):
        found = "auto"
        for key in _ARRAY_PARAMS:
            arr = arrays.get(key)
            if not _is_dask_array(arr):
                continue
            j = i - (nd - arr.ndim)
            if j >= 0 and arr.shape[j] == n:
                found = arr.chunks[j]
                break
        chunks.append(found)
    return normalize_chunks(tuple(chunks), shape, dtype=dtype)


def _aligned(arr, shape, chunks):
    """`arr` as a dask array of `shape` with `chunks` (size-1 dimensions broadcast per block)."""
    nd = len(shape)
    own = tuple(
        chunks[i + nd - arr.ndim] if size == shape[i + nd - arr.ndim] else (size,)
        for i, size in enumerate(arr.shape)
    )
    if _is_dask_array(arr):
        if arr.chunks != own:
            arr = arr.rechunk(own)
    else:
        arr = da.from_array(arr, chunks=own)
    if arr.shape != shape:
        arr = da.broadcast_to(arr, shape, chunks=chunks)
    return arr


def _meta_value(key, value):
    """A one-element stand-in used to validate the call and find the result dtype."""
    shape = (1,) * value.ndim
    if key in _ARRAY_PARAMS[2:]:
        if _is_dask_array(value):
            return np.ones(shape, dtype=value.dtype)
        # the smallest value, so that from_output's sign check sees what the blocks would
        low = value.min() if value.size and (value.dtype.kind in "iuf"
                                             or _checks.is_bfloat16(value.dtype)) else 1
        return np.full(shape, low, dtype=value.dtype)
    return np.zeros(shape, dtype=value.dtype)


def apply(func, x, *args, **kwargs):
    """func(x, *args, **kwargs) over the blocks of its dask operands, as a lazy dask array."""
    bound = inspect.signature(func).bind(x, *args, **kwargs)
    params = dict(bound.arguments)
    if params.get("out") is not None:
        raise TypeError(
            "out is not supported with dask arrays: the result is a new lazy dask array "
            "(use it, or dask.array.store, instead)"
        )
    params.pop("out", None)

    arrays, consts = {}, {}
    for key, value in params.items():
        if key not in _ARRAY_PARAMS or value is None or isinstance(value, (int, float, complex)):
            consts[key] = value  # Python numbers stay as they are (weak in promotion)
        elif _is_dask_array(value):
            arrays[key] = value
        else:
            arr = _checks.as_array(value, key)
            if arr.ndim > 0:
                arrays[key] = arr
            else:
                consts[key] = value
    if "x" not in arrays:
        # x is a number or a 0-d array beside a dask grad_output/alpha
        arrays["x"] = _checks.as_array(consts.pop("x"), "x")

    # Validate everything now and learn the result dtype from a one-element call.
    meta_args = dict(consts)
    meta_args.update({key: _meta_value(key, value) for key, value in arrays.items()})
    meta_x = meta_args.pop("x")
    result_dtype = np.asarray(func(meta_x, **meta_args)).dtype

    name = func.__name__
    keys = list(arrays)
    operands = [arrays[key] for key in keys]
    if len(operands) == 1:
        # only x: one task per block of x, whatever its chunks (known or not)
        xd = operands[0]
        return da.map_blocks(
            _call_block, xd, dtype=result_dtype, meta=np.empty((0,) * xd.ndim, result_dtype),
            token=f"cyacts-{name}", _fn=func, _keys=keys, _consts=consts,
        )
    for key, arr in arrays.items():
        if not _known(arr.shape):
            raise ValueError(
                f"{key} has unknown chunk sizes; call its compute_chunk_sizes() first"
            )
    shape = _output_shape(arrays, name)
    chunks = _target_chunks(arrays, shape, result_dtype)
    operands = [_aligned(arr, shape, chunks) for arr in operands]
    return da.map_blocks(
        _call_block, *operands, dtype=result_dtype, meta=np.empty((0,) * len(shape), result_dtype),
        token=f"cyacts-{name}", _fn=func, _keys=keys, _consts=consts,
    )
