"""The reductions' Python surface: softmax, log_softmax, logsumexp and their derivatives.

Each public function is made here from its registry entry (_ops.REDUCTIONS) with its real
signature and docstring. Everything is checked before anything is written (through _checks);
then the operands are described to the compiled driver (_core.reduce_grid) as a grid of rows
with strides, without copies, when the layout allows it:
- the reduced axis has unit stride in every operand (rows: axis -1 of a C-ordered array), or
- the batch axes merge into at most two and the inner one has unit stride (columns: a
  non-last axis of a C-ordered array, reduced while vectorising across the contiguous axis).
Other layouts, unaligned or byte-swapped operands and other dtypes are copied into the
compute dtype first; float16 and bfloat16 are computed in float32 and rounded once.
"""
import numpy as np

from . import _checks, _core, _ops

__all__ = []

_F32, _F64 = _checks.F32, _checks.F64


def _overlaps(a, out):
    """`a` shares memory with `out` other than by being `out` itself, element for element."""
    if a is out or not np.may_share_memory(a, out):
        return False
    if (a.__array_interface__["data"][0] == out.__array_interface__["data"][0]
            and a.strides == out.strides and a.shape == out.shape and a.dtype == out.dtype):
        return False
    try:
        return np.shares_memory(a, out, max_work=1000)
    except np.exceptions.TooHardError:
        return True


def _usable(a, compute):
    return a.dtype == compute and a.flags.aligned and a.dtype.isnative


def _grid(inputs, y, axis, reduces):
    """(d0, d1, n, strides of x, of a, of y, columns) for the driver, or None when the layout
    needs copies: see the module docstring. y has the inputs' shape (the reduced axis of
    length 1 for logsumexp)."""
    shape = inputs[0].shape
    itemsize = inputs[0].itemsize
    operands = list(inputs) + [y]
    for a in operands:
        if any(s % itemsize for s in a.strides):
            return None
    n = shape[axis]
    batch = sorted((k for k in range(len(shape)) if k != axis and shape[k] > 1),
                   key=lambda k: -abs(y.strides[k]))
    merged = []  # [dims, [stride of each operand]], outer first
    for k in batch:
        d = shape[k]
        s = [a.strides[k] // itemsize for a in operands]
        if 0 in s[-1:]:
            return None  # an output that writes one element twice
        if merged and all(outer == inner * d for outer, inner in zip(merged[-1][1], s)):
            merged[-1] = [merged[-1][0] * d, s]
        else:
            merged.append([d, s])
    if len(merged) > 2:
        return None
    while len(merged) < 2:
        merged.insert(0, [1, [0] * len(operands)])
    along = [1] * len(operands) if n <= 1 else [a.strides[axis] // itemsize for a in operands]
    if reduces:
        along[-1] = 1
    (d0, s0), (d1, s1) = merged
    columns = False
    if any(s != 1 for s in along):
        inner = s1 if not reduces else s1[:-1]
        if d1 < 2 or any(s != 1 for s in inner):
            return None
        columns = True
    strides = [(s0[i], s1[i], along[i]) for i in range(len(operands))]
    a_strides = strides[1] if len(inputs) == 2 else (0, 0, 0)
    return d0, d1, n, strides[0], a_strides, strides[-1], columns


def _compute(red, op, inputs, y, axis, threads):
    """y = the reduction of the inputs (compute dtype, one shape) along axis, y of the
    inputs' shape (logsumexp: the axis kept, length 1)."""
    reduces = red.result == "rows"
    if y.size == 0:
        return
    grid = _grid(inputs, y, axis, reduces)
    if grid is None:
        moved = [np.ascontiguousarray(np.moveaxis(a, axis, -1)) for a in inputs]
        target = np.moveaxis(y, axis, -1)
        work = target if target.flags.c_contiguous else np.empty(target.shape, y.dtype)
        _compute(red, op, moved, work, moved[0].ndim - 1, threads)
        if work is not target:
            np.copyto(target, work)
        return
    d0, d1, n, xs, as_, ys, columns = grid
    _core.reduce_grid(op, not red.is_grad, reduces, inputs[0],
                      inputs[1] if len(inputs) == 2 else None, y, d0, d1, n, xs, as_, ys,
                      columns, threads)


def _run(red, arrays, axis, keepdims, out, n_threads, func):
    if any(_checks.is_dask(a) for a in arrays):
        return _dask_apply(red, func, arrays, axis, keepdims, out, n_threads)
    arrays = [_checks.as_array(a, name) for a, name in zip(arrays, red.inputs)]
    dtypes = [_checks.result_dtype(a.dtype, name) for a, name in zip(arrays, red.inputs)]
    dtype = dtypes[0] if len(dtypes) == 1 else np.result_type(*dtypes)
    if len(arrays) == 2 and arrays[1].shape != arrays[0].shape:
        raise ValueError(f"grad_output has shape {arrays[1].shape}, but y has shape "
                         f"{arrays[0].shape}")
    shape = arrays[0].shape
    axis = _checks.check_axis(axis, len(shape))
    keepdims = _checks.check_keepdims(keepdims)
    threads = _checks.threads(n_threads)
    reduces = red.result == "rows"
    if not reduces:
        result_shape = shape
    elif axis is None or not shape:
        result_shape = (1,) * len(shape) if keepdims else ()
    else:
        result_shape = shape[:axis] + ((1,) if keepdims else ()) + shape[axis + 1:]
    if out is not None:
        _checks.check_out(out, result_shape, dtype)
    # the compute dtype's operands, as one or more rows along `work_axis`
    compute = dtype if dtype in (_F32, _F64) else _F32
    flat = axis is None or not shape
    work_axis = 0 if flat else axis
    with np.errstate(all="ignore"):
        inputs = [a.reshape(-1) if flat else a for a in arrays]
        if out is not None:
            inputs = [a.copy() if _overlaps(a, out) else a for a in inputs]
        inputs = [a if _usable(a, compute) else a.astype(compute) for a in inputs]
    # y: the result in the compute dtype, with the reduced axis kept for logsumexp
    if out is not None and _usable(out, compute):
        target = out.reshape(-1 if not reduces else 1) if flat else out
        y = target
        if reduces and not flat and not keepdims:
            y = np.expand_dims(out, axis)
        if flat and not np.shares_memory(target, out):
            y = np.empty(target.shape, compute)
    else:
        if reduces:
            rshape = (1,) if flat else shape[:axis] + (1,) + shape[axis + 1:]
            y = np.empty(rshape, compute)
        else:
            y = np.empty_like(inputs[0], dtype=compute)
    if inputs[0].size or reduces:
        _compute(red, _core.REDUCTIONS[red.name], inputs, y, work_axis, threads)
    if out is None:
        result = y.reshape(result_shape)
        if compute != dtype:
            with np.errstate(all="ignore"):
                result = result.astype(dtype)
        return result[()] if result.ndim == 0 else result
    if not np.shares_memory(y, out) or out.dtype != compute:
        with np.errstate(all="ignore"):
            np.copyto(out, y.reshape(result_shape), casting="unsafe")
    return out


# --------------------------------------------------------------------------------------------
# dask: blockwise along the axes that are not reduced
# --------------------------------------------------------------------------------------------
def _dask_apply(red, func, arrays, axis, keepdims, out, n_threads):
    """A lazy dask array: the reduced axis rechunked into one chunk (axis None: the whole
    array), then one task per block running the NumPy path, so the values are bitwise those of
    the same call on the computed arrays."""
    import dask.array as da

    if out is not None:
        raise TypeError("out= is not supported for dask arrays: use the returned array")
    arrays = [a if _checks.is_dask(a) else da.from_array(np.asarray(a)) for a in arrays]
    if len(arrays) == 2 and arrays[1].shape != arrays[0].shape:
        raise ValueError(f"grad_output has shape {arrays[1].shape}, but y has shape "
                         f"{arrays[0].shape}")
    for a, name in zip(arrays, red.inputs):
        _checks.result_dtype(a.dtype, name)
    ndim = arrays[0].ndim
    axis = _checks.check_axis(axis, ndim)
    keepdims = _checks.check_keepdims(keepdims)
    _checks.threads(n_threads)
    dtype = np.result_type(*[_checks.result_dtype(a.dtype, n)
                             for a, n in zip(arrays, red.inputs)])
    if axis is None or ndim == 0:
        arrays = [a.rechunk(-1) for a in arrays]
        axes = list(range(ndim))
    else:
        arrays = [a.rechunk({axis: -1}) for a in arrays]
        axes = [axis]
    kwargs = {"n_threads": n_threads}
    if red.result == "rows":
        kwargs["keepdims"] = True
        call_axis = None if axis is None or ndim == 0 else axis
        result = da.map_blocks(func, *arrays, axis=call_axis, dtype=dtype, chunks=tuple(
            (1,) if k in axes else c for k, c in enumerate(arrays[0].chunks)), **kwargs)
        if not keepdims:
            result = result.reshape(()) if call_axis is None else da.squeeze(result, axis)
        return result
    return da.map_blocks(func, *arrays, axis=axis, dtype=dtype, **kwargs)


# --------------------------------------------------------------------------------------------
# the public functions, made from the registry
# --------------------------------------------------------------------------------------------
_FORWARD = """
def {name}(x, axis=-1, *, {keep}out=None, n_threads=None):
    return _run(_red, (x,), axis, {keepdims}, out, n_threads, {name})
"""
_GRAD = """
def {name}(y, grad_output, axis=-1, *, out=None, n_threads=None):
    return _run(_red, (y, grad_output), axis, False, out, n_threads, {name})
"""
_INPLACE = """
def {name}_(x, axis=-1):
    _check_inplace(x)
    return {name}(x, axis, out=x)
"""


def _define(source, namespace, name, doc):
    exec(compile(source, f"<cyacts: {name}>", "exec"), namespace)
    func = namespace[name]
    func.__module__ = "cyacts"
    func.__doc__ = doc
    return func


def _make_all():
    for red in _ops.REDUCTIONS:
        namespace = {"_run": _run, "_red": red, "_check_inplace": _checks.check_inplace}
        keep = "keepdims=False, " if red.result == "rows" else ""
        template = _GRAD if red.is_grad else _FORWARD
        doc = red.formula + (f"\n\n{red.notes}" if red.notes else "")
        func = _define(template.format(name=red.name, keep=keep,
                                       keepdims="keepdims" if keep else "False"),
                       namespace, red.name, doc)
        globals()[red.name] = func
        __all__.append(red.name)
        if red.inplace:
            namespace[red.name] = func
            inplace = _define(_INPLACE.format(name=red.name), namespace, red.name + "_",
                              f"{red.name}(x, axis) written into x; returns x.")
            globals()[red.name + "_"] = inplace
            __all__.append(red.name + "_")


_make_all()
