"""The Python surface: validation, dtype promotion, broadcasting, output allocation, threads.

Every public activation is made here from its registry entry (_ops.py): `f`, the in-place `f_`
and the derivative `f_grad`, each a small generated function with the real signature and
docstring. Each tries the compiled fast path first (_core.fast: aligned contiguous arrays of
one dtype, float16, bfloat16, float32 or float64), then the general path below, which checks
everything before anything is written; the compiled driver (_core.pyx) only ever sees operands
of one of those dtypes and one shape: flat contiguous buffers (16-bit ones are computed in
float32 there), or float32/float64 arrays whose strides are whole elements (its row path).
"""
import os

import numpy as np

from . import _checks, _core, _interop, _ops

# filled in by _make_all() at the bottom: the generated functions, then the thread controls
__all__ = []


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
    _core.set_threads(_checks.check_threads(n))


# --------------------------------------------------------------------------------------------
# execution
# --------------------------------------------------------------------------------------------
# Elements per block on the strided path: temporaries stay small (1 MiB per float64 operand)
# while the per-block overhead is spread over enough elements not to matter.
_BLOCK = 1 << 17
# Candidate solutions np.shares_memory may try before an overlap counts as one
_OVERLAP_WORK = 1000


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
    if same:
        return False
    # Interleaved views (z[:, :d] and z[:, d:], z[::2] and z[1::2]) share bounds but no
    # element: the exact test settles them in about a microsecond. Harder cases are copied.
    try:
        return np.shares_memory(a, out, max_work=_OVERLAP_WORK)
    except np.exceptions.TooHardError:
        return True


def _execute(op, x, aux, out, n_threads, param, dtype, shape, scalar):
    """Run kernel `op` over x (and aux arrays) into `out` (allocated when None).

    Contiguous operands in a common order go to the kernels in one call. Other float32 and
    float64 layouts (row slices, batch slices, reversed, strided or broadcast axes) go to the
    driver's row path, which reads and writes the arrays where they are. Anything else (16-bit
    views, other dtypes, unaligned, byte-swapped) goes through blocks: copied into small
    contiguous buffers, computed, copied out, so memory use stays bounded and the data stays in
    cache. A 16-bit result (float16, bfloat16) is computed by the 16-bit kernels when every
    operand has its dtype, else in float32 and rounded once: the same bits either way.
    """
    compute = dtype
    if dtype.itemsize == 2 and any(a is not None and a.dtype != dtype for a in (x, *aux)):
        compute = _checks.F32
    threads = _checks.threads(n_threads)
    if out is None:
        fortran = x.ndim > 1 and x.flags.f_contiguous and not x.flags.c_contiguous
        out = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    else:
        _checks.check_out(out, shape, dtype)
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
    elif out.size and not _core.apply_rows(op, inputs[0], out, inputs[1], inputs[2], param,
                                           threads):
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
    with np.errstate(all="ignore"):  # float32 -> 16 bits may underflow: no warning
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



# --------------------------------------------------------------------------------------------
# the general path, shared by every op
# --------------------------------------------------------------------------------------------
def _select(op, params, shape, grad, from_output):
    """(kernel index, aux arrays, scalar parameter) for a call of op with `params`."""
    kernel = op.kernel_names.get(None)  # ops with a choice parameter set it below
    scalar, aux = 0.0, []
    for p in op.params:
        value = params[p.name]
        if p.choices:
            kernel = op.kernel_names[_checks.check_choice(p, value)]
        elif p.per_element:
            value = _checks.per_element(value, shape, p.name)
            if isinstance(value, float):
                scalar = value
            else:
                kernel = op.per_element_kernel
                aux.append(value)
        else:
            scalar = float(value)
        if from_output and op.from_output_requires and op.from_output_requires[0] == p.name:
            _, test, message = op.from_output_requires
            if isinstance(value, float) and not test(value):
                raise ValueError(f"{message}, got {p.name}={value}")
            if not isinstance(value, float) and not np.all(test(value)):
                raise ValueError(f"{message}; some values of {p.name} fail it")
    if grad:
        if from_output and op.from_output is None:
            raise ValueError(f"{op.name}_grad cannot take from_output=True: "
                             f"{op.from_output_refusal}")
        kernel = op.grad_kernel(kernel, from_output)
    return _core.OPS[kernel], aux, scalar


def _forward(op, func, x, out, n_threads, params):
    """Everything the fast path declines: dask arrays, then the general NumPy path."""
    if _checks.is_dask(x) or any(_checks.is_dask(v) for v in params.values()):
        from . import _dask

        return _dask.apply(func, x, out=out, n_threads=n_threads, **params)
    if _interop.involves(x, out, *params.values()):  # PyTorch, JAX, array API arrays
        return _interop.call(func, x, out=out, n_threads=n_threads, **params)
    x = _checks.as_array(x, "x")
    dtype = _checks.result_dtype(x.dtype, "x")
    kernel, aux, scalar = _select(op, params, x.shape, False, False)
    return _execute(kernel, x, aux, out, n_threads, scalar, dtype, x.shape,
                    scalar=out is None and x.ndim == 0)


def _backward(op, func, x, grad_output, out, n_threads, from_output, params):
    if _checks.is_dask(x) or _checks.is_dask(grad_output) or any(
            _checks.is_dask(v) for v in params.values()):
        from . import _dask

        return _dask.apply(func, x, grad_output, out=out, n_threads=n_threads,
                           from_output=from_output, **params)
    if _interop.involves(x, grad_output, out, *params.values()):
        return _interop.call(func, x, grad_output, out=out, n_threads=n_threads,
                             from_output=from_output, **params)
    _checks.check_from_output(from_output)
    weak = grad_output is not None and _checks.is_weak_scalar(grad_output)
    x = _checks.as_array(x, "x")
    dtype = _checks.result_dtype(x.dtype, "x")
    shape = x.shape
    aux = []
    if grad_output is not None:
        grad_output = _checks.as_array(grad_output, "grad_output")
        g_dtype = _checks.result_dtype(grad_output.dtype, "grad_output")
        if not weak:
            dtype = np.result_type(dtype, g_dtype)
        try:
            shape = np.broadcast_shapes(x.shape, grad_output.shape)
        except ValueError:
            raise ValueError(
                f"grad_output with shape {grad_output.shape} does not broadcast with "
                f"x's shape {x.shape}"
            ) from None
    kernel, extra, scalar = _select(op, params, shape, True, bool(from_output))
    # the kernels take grad_output first, then the per-element parameter (both may be absent)
    aux = [grad_output] + extra if extra or grad_output is not None else []
    scalar_result = out is None and x.ndim == 0 and (grad_output is None or grad_output.ndim == 0)
    return _execute(kernel, x, aux, out, n_threads, scalar, dtype, shape, scalar_result)


# --------------------------------------------------------------------------------------------
# the public functions, made from the registry
# --------------------------------------------------------------------------------------------
def _signature(op, grad):
    """(parameter list text, dict literal text of the op's parameters) for the generated code."""
    positional, keyword = [], []
    for p in op.params:
        kw_only = p.kw_only_in_grad if grad else p.keyword_only
        (keyword if kw_only else positional).append(f"{p.name}={p.default!r}")
    return positional, keyword


def _kernel_lookup(op, grad, from_output):
    """choice value -> kernel index of the fast path (None where it must take the general path)."""
    table = {}
    for choice, kernel in op.kernel_names.items():
        if grad:
            if from_output and op.from_output is None:
                continue
            kernel = op.grad_kernel(kernel, from_output)
        table[choice] = _core.OPS[kernel]
    return table


def _fast_args(op, grad):
    """(condition for the fast path, scalar argument) as source text."""
    conditions, scalar = [], "0.0"
    choice = op.choice
    for p in op.params:
        if not p.choices:
            conditions.append(f"type({p.name}) is float")
            scalar = p.name
    key = "None" if choice is None else choice.name
    if choice is not None:
        conditions.insert(0, f"type({choice.name}) is str")
    return conditions, key, scalar


_FORWARD = """
def {name}(x, {params}out=None, n_threads=None):
    if {conditions}:
        k = _K.get({key})
        if k is not None:
            y = _fast(k, x, None, None, out, n_threads, {scalar})
            if y is not None:
                return y
    return _forward(_op, {name}, x, out, n_threads, {{{call}}})
"""
_INPLACE = """
def {name}_(x{params}):
    _check_inplace(x)
    return {name}(x, {args}out=x)
"""
_GRAD = """
def {name}_grad(x, grad_output=None, {params}out=None, n_threads=None, from_output=False):
    if {conditions}:
        k = (_K if from_output is False else _KFO if from_output is True else {{}}).get({key})
        if k is not None{requires}:
            y = _fast(k, x, grad_output, None, out, n_threads, {scalar})
            if y is not None:
                return y
    return _backward(_op, {name}_grad, x, grad_output, out, n_threads, from_output, {{{call}}})
"""


def _params_text(positional, keyword):
    text = "".join(f"{p}, " for p in positional)
    return text + "*, " + "".join(f"{k}, " for k in keyword)


def _define(source, filename, namespace, name, doc):
    code = compile(source, filename, "exec")
    exec(code, namespace)
    func = namespace[name]
    func.__module__ = __name__
    func.__doc__ = doc
    return func


def _make(op):
    """The forward, in-place and derivative functions of one op."""
    names = [p.name for p in op.params]
    call = ", ".join(f"{n!r}: {n}" for n in names)
    conditions, key, scalar = _fast_args(op, False)
    cond = " and ".join(conditions) or "True"
    base = {"_fast": _core.fast, "_op": op, "_forward": _forward, "_backward": _backward,
            "_check_inplace": _checks.check_inplace}
    notes = f"\n\n{op.notes}" if op.notes else ""
    filename = f"<cyacts.api: {op.name}>"

    positional, keyword = _signature(op, False)
    forward = _define(
        _FORWARD.format(name=op.name, params=_params_text(positional, keyword), conditions=cond,
                        key=key, scalar=scalar, call=call),
        filename, dict(base, _K=_kernel_lookup(op, False, False)), op.name,
        op.formula + notes)

    inplace_params = "".join(f", {p}" for p in positional) + (
        ", *" + "".join(f", {k}" for k in keyword) if keyword else "")
    inplace = _define(
        _INPLACE.format(name=op.name, params=inplace_params,
                        args="".join(f"{n}={n}, " for n in names)),
        filename, dict(base, **{op.name: forward}), op.name + "_",
        f"{op.name}(x, ...) written into x; returns x.")

    positional, keyword = _signature(op, True)
    conditions, key, scalar = _fast_args(op, True)
    cond = " and ".join(["(from_output is False or from_output is True)"] + conditions)
    requires = ""
    if op.from_output_requires:
        requires = f" and (from_output is False or _requires({op.from_output_requires[0]}))"
    grad = _define(
        _GRAD.format(name=op.name, params=_params_text(positional, keyword), conditions=cond,
                     key=key, scalar=scalar, call=call, requires=requires),
        filename, dict(base, _K=_kernel_lookup(op, True, False),
                       _KFO=_kernel_lookup(op, True, True),
                       _requires=op.from_output_requires and op.from_output_requires[1]),
        op.name + "_grad", op.grad_formula + notes)
    return forward, inplace, grad


def _make_all():
    for op in _ops.OPS:
        for func in _make(op):
            globals()[func.__name__] = func
            __all__.append(func.__name__)
    __all__.extend(["get_num_threads", "set_num_threads"])


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


_make_all()
_select_initial_level()
