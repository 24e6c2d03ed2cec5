"""The Python surface: validation, dtype promotion, broadcasting, output allocation, threads.

Every public activation is made here from its registry entry (_ops.py): `f`, the in-place `f_`
and the derivative `f_grad`, each a small generated function with the real signature and
docstring. Each tries the compiled fast path first (_core.fast: aligned native arrays of one
dtype and shape, float16, bfloat16, float32 or float64, contiguous or views, with an output
absent or apart from the inputs), then the general path below, which checks
everything before anything is written; the compiled driver (_core.pyx) only ever sees operands
of one of those dtypes and one shape: flat contiguous buffers (16-bit ones are computed in
float32 there), or arrays whose strides are whole elements (its row path).
"""
import numbers
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


def _execute(op, inputs, outs, n_threads, scalars, dtype, shape, scalar):
    """Run kernel `op` over inputs [x, aux1, aux2, bias] (None where absent) into `outs` ([out],
    or [out, out2] for the gated derivatives; None entries are allocated); returns the outputs.

    Contiguous operands in a common order go to the kernels in one call. Other layouts of
    operands of one dtype (row slices, batch slices, reversed, strided or broadcast axes) go to
    the driver's row path, which reads and writes the arrays where they are. Anything else
    (mixed dtypes, unaligned, byte-swapped) goes through blocks: copied into small
    contiguous buffers, computed, copied out, so memory use stays bounded and the data stays in
    cache. A 16-bit result (float16, bfloat16) is computed by the 16-bit kernels when every
    operand has its dtype, else in float32 and rounded once: the same bits either way.
    """
    x = inputs[0]
    compute = dtype
    if dtype.itemsize == 2 and any(a is not None and a.dtype != dtype for a in inputs):
        compute = _checks.F32
    threads = _checks.threads(n_threads)
    fortran = x.ndim > 1 and x.flags.f_contiguous and not x.flags.c_contiguous
    results = []
    for i, out in enumerate(outs):
        if out is None:
            out = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
        else:
            _checks.check_out(out, shape, dtype, "out" if len(outs) == 1 else f"out[{i}]")
        results.append(out)
    if len(results) == 2 and np.may_share_memory(*results) and np.shares_memory(*results):
        raise ValueError("out[0] and out[1] share memory")
    inputs = [np.broadcast_to(a, shape) if a is not None and a.shape != shape else a
              for a in inputs]
    # An input that partially overlaps an output is copied whole first: the result is as if
    # the inputs had been copied before anything was written.
    with np.errstate(all="ignore"):
        inputs = [a.copy() if any(_overlaps(a, out) for out in results) else a for a in inputs]
    out = results[0]
    out2 = results[1] if len(results) == 2 else None
    p0, p1 = scalars
    order = "F" if out.flags.f_contiguous and not out.flags.c_contiguous else "C"
    if all(a is None or _usable(a, compute, order) for a in inputs + results):
        x, a1, a2, bias, y, y2 = (None if a is None else a.reshape(-1, order=order)
                                  for a in inputs + [out, out2])
        _core.apply(op, x, y, a1, a2, p0, threads, param2=p1, bias=bias, y2=y2)
    elif out.size and not _core.apply_rows(op, inputs[0], out, inputs[1], inputs[2], p0,
                                           threads, param2=p1, bias=inputs[3], y2=out2):
        _blocked(op, inputs, results, compute, scalars, threads)
    if scalar:
        return [r[()] for r in results]
    return results


def _blocked(op, inputs, outs, compute, scalars, threads):
    if outs[0].ndim == 0:
        outs = [out.reshape(1) for out in outs]
        inputs = [None if a is None else a.reshape(1) for a in inputs]
    shape = outs[0].shape
    axis = int(np.argmax(shape))  # split the longest axis: blocks of a few rows
    row = outs[0].size // shape[axis]
    rows = max(1, _BLOCK // row)
    size = min(outs[0].size, rows * row)
    buffers = [None if a is None else np.empty(size, compute) for a in inputs]
    results = [np.empty(size, compute) for _ in outs]
    with np.errstate(all="ignore"):  # float32 -> 16 bits may underflow: no warning
        for start in range(0, shape[axis], rows):
            index = (slice(None),) * axis + (slice(start, start + rows),)
            parts = [out[index] for out in outs]
            n = parts[0].size
            flats = []
            for a, buf in zip(inputs, buffers):
                if a is not None:
                    np.copyto(buf[:n].reshape(parts[0].shape), a[index], casting="unsafe")
                    buf = buf[:n]
                flats.append(buf)
            ys = [r[:n] for r in results]
            _core.apply(op, flats[0], ys[0], flats[1], flats[2], scalars[0], threads,
                        param2=scalars[1], bias=flats[3], y2=ys[1] if len(ys) == 2 else None)
            for part, y in zip(parts, ys):
                np.copyto(part, y.reshape(part.shape), casting="unsafe")


# --------------------------------------------------------------------------------------------
# the general path, shared by every op
# --------------------------------------------------------------------------------------------
def _scalar_value(p, value):
    """A scalar parameter's value as the kernels take it, or the TypeError naming it."""
    if value is None and p.none_value is not None:
        return p.none_value
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
            or isinstance(value, np.ndarray)):
        allowed = "a real number" + (" or None" if p.none_value is not None else "")
        raise TypeError(f"{p.name} must be {allowed}, not {type(value).__name__}")
    value = float(value)
    if p.valid and not p.valid[0](value):
        raise ValueError(f"{p.valid[1]}, got {p.name}={value!r}")
    return value


def _select(op, params, shape, grad, from_output):
    """(kernel index, aux arrays, the two scalar arguments) for a call of op with `params`."""
    kernel = op.kernel_names.get(None)  # ops with a choice parameter set it below
    scalars, aux, numbers_ = [], [], {}
    for p in op.params:
        value = params[p.name]
        if p.choices:
            kernel = op.kernel_names[_checks.check_choice(p, value)]
            continue
        if p.per_element:
            value = _checks.per_element(value, shape, p.name)
            if isinstance(value, float):
                scalars.append(value)
            else:
                kernel = op.per_element_kernel
                aux.append(value)
                scalars.append(0.0)
        else:
            value = _scalar_value(p, value)
            scalars.append(value)
        numbers_[p.name] = value
        if from_output and op.from_output_requires and op.from_output_requires[0] == p.name:
            _, test, message = op.from_output_requires
            if isinstance(value, float) and not test(value):
                raise ValueError(f"{message}, got {p.name}={value}")
            if not isinstance(value, float) and not np.all(test(value)):
                raise ValueError(f"{message}; some values of {p.name} fail it")
    if op.param_check and not op.param_check[0](numbers_):
        raise ValueError(op.param_check[1] + ", got " + ", ".join(
            f"{k}={v!r}" for k, v in numbers_.items()))
    if grad:
        if from_output and op.from_output is None:
            raise ValueError(f"{op.name}_grad cannot take from_output=True: "
                             f"{op.from_output_refusal}")
        kernel = op.grad_kernel(kernel, from_output)
    scalars += [0.0] * (2 - len(scalars))
    return kernel, aux, tuple(scalars)


def _with_bias(bias, dtype, shape):
    """(bias as an array broadcastable to `shape`, the result dtype with it)."""
    if bias is None:
        return None, dtype
    weak = _checks.is_weak_scalar(bias)
    bias = _checks.as_array(bias, "bias")
    b_dtype = _checks.result_dtype(bias.dtype, "bias")
    try:
        if np.broadcast_shapes(bias.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"bias with shape {bias.shape} does not broadcast to the input's shape {shape}"
        ) from None
    return bias, dtype if weak else np.result_type(dtype, b_dtype)


def _forward(op, func, x, out, n_threads, params, bias=None):
    """Everything the fast path declines: dask arrays, then the general NumPy path."""
    if _checks.is_dask(x) or _checks.is_dask(bias) or any(
            _checks.is_dask(v) for v in params.values()):
        from . import _dask

        return _dask.apply(func, x, out=out, n_threads=n_threads, bias=bias, **params)
    if _interop.involves(x, out, bias, *params.values()):  # PyTorch, JAX, array API arrays
        return _interop.call(func, x, out=out, n_threads=n_threads, bias=bias, **params)
    x = _checks.as_array(x, "x")
    dtype = _checks.result_dtype(x.dtype, "x")
    kernel, aux, scalars = _select(op, params, x.shape, False, False)
    bias, dtype = _with_bias(bias, dtype, x.shape)
    aux += [None] * (2 - len(aux))
    scalar_result = out is None and x.ndim == 0 and (bias is None or bias.ndim == 0)
    return _execute(_core.OPS[kernel], [x, *aux, bias], [out], n_threads, scalars, dtype,
                    x.shape, scalar_result)[0]


def _backward(op, func, x, grad_output, out, n_threads, from_output, params, bias=None):
    if _checks.is_dask(x) or _checks.is_dask(grad_output) or _checks.is_dask(bias) or any(
            _checks.is_dask(v) for v in params.values()):
        from . import _dask

        return _dask.apply(func, x, grad_output, out=out, n_threads=n_threads,
                           from_output=from_output, bias=bias, **params)
    if _interop.involves(x, grad_output, out, bias, *params.values()):
        return _interop.call(func, x, grad_output, out=out, n_threads=n_threads,
                             from_output=from_output, bias=bias, **params)
    _checks.check_from_output(from_output)
    if bias is not None and from_output:
        raise ValueError("bias cannot be combined with from_output=True: the output already "
                         "includes it")
    weak = grad_output is not None and _checks.is_weak_scalar(grad_output)
    x = _checks.as_array(x, "x")
    dtype = _checks.result_dtype(x.dtype, "x")
    shape = x.shape
    if grad_output is not None:
        grad_output = _checks.as_array(grad_output, "grad_output")
        g_dtype = _checks.result_dtype(grad_output.dtype, "grad_output")
        if not weak:
            dtype = np.result_type(dtype, g_dtype)
        shape = _broadcast(x.shape, grad_output.shape, "grad_output", "x")
    kernel, extra, scalars = _select(op, params, shape, True, bool(from_output))
    bias, dtype = _with_bias(bias, dtype, shape)
    # the kernels take grad_output first, then the per-element parameter (both may be absent)
    aux = [grad_output] + extra if extra or grad_output is not None else []
    aux += [None] * (2 - len(aux))
    scalar_result = out is None and x.ndim == 0 and (grad_output is None or grad_output.ndim == 0)
    return _execute(_core.OPS[kernel], [x, *aux, bias], [out], n_threads, scalars, dtype, shape,
                    scalar_result and (bias is None or bias.ndim == 0))[0]


def _broadcast(a_shape, b_shape, name_b, name_a):
    try:
        return np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        raise ValueError(
            f"{name_b} with shape {b_shape} does not broadcast with {name_a}'s shape {a_shape}"
        ) from None


def _gated_operands(gate, value):
    gate = _checks.as_array(gate, "gate")
    value = _checks.as_array(value, "value")
    dtype = np.result_type(_checks.result_dtype(gate.dtype, "gate"),
                           _checks.result_dtype(value.dtype, "value"))
    return gate, value, dtype, _broadcast(gate.shape, value.shape, "value", "gate")


def _gated(unit, gate, value, out, n_threads, params):
    """act(gate) * value, in one pass; out may be gate or value (in place)."""
    if _interop.involves(gate, value, out, *params.values()):
        return _interop.call(globals()[unit.name], gate, value, out=out, n_threads=n_threads,
                             **params)
    gate, value, dtype, shape = _gated_operands(gate, value)
    kernel, _, scalars = _select(unit.op, params, shape, False, False)
    scalar_result = out is None and gate.ndim == 0 and value.ndim == 0
    return _execute(_core.OPS[unit.kernel_map[kernel]], [gate, value, None, None], [out],
                    n_threads, scalars, dtype, shape, scalar_result)[0]


def _reduce_to(grad, shape):
    """Sum a gradient over the axes its operand was broadcast along (as autograd does)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and grad.shape[lead + i] != 1)
    return np.sum(grad, axis=axes, dtype=grad.dtype).reshape(shape)


def _gated_grad(unit, gate, value, grad_output, out, n_threads, params):
    """(grad_gate, grad_value) in one pass; out=(gate, value) overwrites the inputs."""
    if _interop.involves(gate, value, grad_output, *(out if isinstance(out, tuple) else (out,)),
                         *params.values()):
        return _interop.call(globals()[unit.name + "_grad"], gate, value, grad_output, out=out,
                             n_threads=n_threads, **params)
    gate, value, dtype, shape = _gated_operands(gate, value)
    if grad_output is not None:
        weak = _checks.is_weak_scalar(grad_output)
        grad_output = _checks.as_array(grad_output, "grad_output")
        g_dtype = _checks.result_dtype(grad_output.dtype, "grad_output")
        if not weak:
            dtype = np.result_type(dtype, g_dtype)
        shape = _broadcast(shape, grad_output.shape, "grad_output",
                           "the broadcast of gate and value")
    if out is None:
        outs = [None, None]
    elif isinstance(out, tuple) and len(out) == 2:
        outs = list(out)
    else:
        raise TypeError("out must be a tuple of two arrays (grad_gate, grad_value), not "
                        f"{type(out).__name__}")
    if out is not None and (gate.shape != shape or value.shape != shape):
        raise ValueError(f"out= needs gate and value of the result's shape {shape} (they "
                         f"broadcast: gate {gate.shape}, value {value.shape})")
    kernel, _, scalars = _select(unit.op, params, shape, False, False)
    scalar_result = out is None and gate.ndim == 0 and value.ndim == 0 and (
        grad_output is None or grad_output.ndim == 0)
    grads = _execute(_core.OPS[unit.kernel_map[kernel] + "_grad"],
                     [gate, value, grad_output, None], outs, n_threads, scalars, dtype, shape,
                     scalar_result)
    if out is None and not scalar_result:
        grads = [_reduce_to(grads[0], gate.shape), _reduce_to(grads[1], value.shape)]
    return tuple(grads)


# --------------------------------------------------------------------------------------------
# the public functions, made from the registry
# --------------------------------------------------------------------------------------------
def _signature(op, grad, gated=False):
    """(positional, keyword-only) parameter texts of the op's forward or derivative."""
    positional, keyword = [], []
    for p in op.params:
        kw_only = p.kw_only_in_grad if grad else p.keyword_only
        if p.required:
            kw_only = kw_only or grad  # after grad_output=None it can only be a keyword
        if gated and grad:
            kw_only = True  # after grad_output=None, as the derivatives' other parameters
        text = p.name if p.required else f"{p.name}={p.default!r}"
        (keyword if kw_only else positional).append(text)
    return positional, keyword


def _kernel_lookup(op, grad, from_output, rename=None):
    """choice value -> kernel index of the fast path (None where it must take the general path)."""
    table = {}
    for choice, kernel in op.kernel_names.items():
        if grad:
            if from_output and op.from_output is None:
                continue
            kernel = op.grad_kernel(kernel, from_output)
        table[choice] = _core.OPS[rename[kernel] if rename else kernel]
    return table


def _fast_args(op):
    """(conditions for the fast path, choice key, scalar arguments) as source text, and the
    checks the conditions call."""
    conditions, scalars, checks = [], [], {}
    choice = op.choice
    for p in op.params:
        if not p.choices and p.none_value is not None:  # None: the number it stands for
            conditions.append(f"({p.name} is None or type({p.name}) is float)")
            checks[f"_none_{p.name}"] = p.none_value
            scalars.append(f"(_none_{p.name} if {p.name} is None else {p.name})")
            if p.valid:
                checks[f"_valid_{p.name}"] = p.valid[0]
                conditions.append(f"({p.name} is None or _valid_{p.name}({p.name}))")
        elif not p.choices:
            conditions.append(f"type({p.name}) is float")
            scalars.append(p.name)
            if p.valid:
                checks[f"_valid_{p.name}"] = p.valid[0]
                conditions.append(f"_valid_{p.name}({p.name})")
    if op.param_check:
        checks["_param_check"] = op.param_check[0]
        names = [p.name for p in op.params if not p.choices]
        conditions.append("_param_check({%s})" % ", ".join(f"{n!r}: {n}" for n in names))
    key = "None" if choice is None else choice.name
    if choice is not None:
        conditions.insert(0, f"type({choice.name}) is str")
    scalars += ["0.0"] * (2 - len(scalars))
    return conditions, key, ", ".join(scalars), checks


_FORWARD = """
def {name}(x, {params}bias=None, out=None, n_threads=None):
    if bias is None and {conditions}:
        k = _K.get({key})
        if k is not None:
            y = _fast(k, x, None, None, out, n_threads, {scalars})
            if y is not None:
                return y
    return _forward(_op, _self, x, out, n_threads, {{{call}}}, bias)
"""
_INPLACE = """
def {name}_(x{params}):
    _check_inplace(x)
    return _forward_function(x, {args}bias=bias, out=x)
"""
_GRAD = """
def {name}_grad(x, grad_output=None, {params}bias=None, out=None, n_threads=None,
                from_output=False):
    if bias is None and {conditions}:
        k = (_K if from_output is False else _KFO if from_output is True else {{}}).get({key})
        if k is not None{requires}:
            y = _fast(k, x, grad_output, None, out, n_threads, {scalars})
            if y is not None:
                return y
    return _backward(_op, _self, x, grad_output, out, n_threads, from_output, {{{call}}}, bias)
"""
_GATED = """
def {name}(gate, value, {params}out=None, n_threads=None):
    if {conditions}:
        k = _K.get({key})
        if k is not None:
            y = _fast(k, gate, value, None, out, n_threads, {scalars})
            if y is not None:
                return y
    return _gated(_unit, gate, value, out, n_threads, {{{call}}})
"""
_GATED_GRAD = """
def {name}_grad(gate, value, grad_output=None, {params}out=None, n_threads=None):
    return _gated_grad(_unit, gate, value, grad_output, out, n_threads, {{{call}}})
"""


def _params_text(positional, keyword):
    text = "".join(f"{p}, " for p in positional)
    return text + "*, " + "".join(f"{k}, " for k in keyword)


def _define(source, filename, namespace, name, doc):
    """The function `name` defined by `source`; it refers to itself as _self (a parameter may
    have its name: threshold's threshold)."""
    code = compile(source, filename, "exec")
    exec(code, namespace)
    func = namespace["_self"] = namespace[name]
    func.__module__ = __name__
    func.__doc__ = doc
    return func


_BIAS_DOC = ("bias (optional, broadcastable to x): computes the op of x + bias in the same pass, "
             "the sum rounded to the result dtype first, so the result equals f(x + bias) bit "
             "for bit.")


def _make(op):
    """The forward, in-place and derivative functions of one op."""
    names = [p.name for p in op.params]
    call = ", ".join(f"{n!r}: {n}" for n in names)
    conditions, key, scalars, checks = _fast_args(op)
    cond = " and ".join(conditions) or "True"
    base = {"_fast": _core.fast, "_op": op, "_forward": _forward, "_backward": _backward,
            "_check_inplace": _checks.check_inplace, **checks}
    notes = f"\n\n{op.notes}" if op.notes else ""
    filename = f"<cyacts.api: {op.name}>"

    positional, keyword = _signature(op, False)
    forward = _define(
        _FORWARD.format(name=op.name, params=_params_text(positional, keyword), conditions=cond,
                        key=key, scalars=scalars, call=call),
        filename, dict(base, _K=_kernel_lookup(op, False, False)), op.name,
        op.formula + notes + "\n\n" + _BIAS_DOC)

    inplace_params = "".join(f", {p}" for p in positional) + ", *" + "".join(
        f", {k}" for k in keyword) + ", bias=None"
    inplace = _define(
        _INPLACE.format(name=op.name, params=inplace_params,
                        args="".join(f"{n}={n}, " for n in names)),
        filename, dict(base, _forward_function=forward), op.name + "_",
        f"{op.name}(x, ...) written into x; returns x.")

    positional, keyword = _signature(op, True)
    cond = " and ".join(["(from_output is False or from_output is True)"] + conditions)
    requires = ""
    if op.from_output_requires:
        requires = f" and (from_output is False or _requires({op.from_output_requires[0]}))"
    grad = _define(
        _GRAD.format(name=op.name, params=_params_text(positional, keyword), conditions=cond,
                     key=key, scalars=scalars, call=call, requires=requires),
        filename, dict(base, _K=_kernel_lookup(op, True, False),
                       _KFO=_kernel_lookup(op, True, True),
                       _requires=op.from_output_requires and op.from_output_requires[1]),
        op.name + "_grad", op.grad_formula + notes + "\n\n" + _BIAS_DOC)
    return forward, inplace, grad


def _make_gated(unit):
    """The forward and derivative functions of one gated unit."""
    op = unit.op
    names = [p.name for p in op.params]
    call = ", ".join(f"{n!r}: {n}" for n in names)
    conditions, key, scalars, checks = _fast_args(op)
    base = {"_fast": _core.fast, "_unit": unit, "_gated": _gated, "_gated_grad": _gated_grad,
            **checks}
    notes = f"\n\n{unit.notes}" if unit.notes else ""
    filename = f"<cyacts.api: {unit.name}>"
    positional, keyword = _signature(op, False)
    forward = _define(
        _GATED.format(name=unit.name, params=_params_text(positional, keyword),
                      conditions=" and ".join(conditions) or "True", key=key, scalars=scalars,
                      call=call),
        filename, dict(base, _K=_kernel_lookup(op, False, False, unit.kernel_map)), unit.name,
        unit.formula + notes)
    positional, keyword = _signature(op, True, gated=True)
    grad = _define(
        _GATED_GRAD.format(name=unit.name, params=_params_text(positional, keyword), call=call),
        filename, dict(base), unit.name + "_grad", unit.grad_formula + notes)
    return forward, grad


def _make_all():
    for op in _ops.OPS:
        for func in _make(op):
            globals()[func.__name__] = func
            __all__.append(func.__name__)
    for unit in _ops.GATED:
        for func in _make_gated(unit):
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
