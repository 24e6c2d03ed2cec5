"""PyTorch autograd for cyacts: a Function, an nn.Module and a functional form per activation.

    >>> import torch, cyacts.torch
    >>> layer = cyacts.torch.GELU(approximate="tanh")
    >>> x = torch.randn(8, 16, requires_grad=True)
    >>> layer(x).sum().backward()      # forward and backward run cyacts's kernels
    >>> y = cyacts.torch.sigmoid(x)    # the functional form

Importing cyacts does not import this module, and this module is the only one that imports
torch (PyTorch is never a dependency of cyacts).

Design
------
A. One `Entry` per activation (`ENTRIES`): its functional name, PyTorch's module name, its
   parameters under PyTorch's names, and how cyacts computes it and its derivative on NumPy
   views of the tensors. The registry's ops and gated units become entries by themselves
   (`_from_registry`, `_from_gated`), so a new activation of cyacts._ops.OPS or GATED appears
   here with no edit; a function outside them (softmax) is one `Entry` added to ENTRIES by
   hand. From each entry come `<Module>Function` (a torch.autograd.Function), `<Module>` (an
   nn.Module) and the functional form, all with real signatures.
B. Names: PyTorch's, where PyTorch has the module (`torch.nn.LeakyReLU(negative_slope=...)`):
   _MODULE_NAMES and _PARAM_NAMES hold where the registry's names differ; tests/test_torch.py
   compares every signature with torch.nn's. Every module and functional form also takes
   `inplace=False`, except the gated units: as torch.nn.GLU(dim=-1), they halve their input
   along `dim` (the first half the value, the second the gate), so the output cannot live in
   the input's memory; their backward writes both halves of the input's gradient in one pass.
C. What backward keeps: the output, where the registry derives the derivative from it
   (`Op.from_output`, with `from_output_requires` holding for the parameters: relu, relu6,
   squared_relu, tanh, sigmoid, leaky_relu with negative_slope > 0); else the input. With
   inplace=True the output is the input tensor itself, so the from-output activations then
   keep nothing beyond the tensor the caller already holds. The others (GELU, leaky_relu with
   negative_slope <= 0) overwrite the input as asked but keep a copy of it for backward:
   correct gradients, no memory saved (an in-place GELU has no PyTorch counterpart).
D. Tensors are read and results handed back without copies (cyacts._interop's PyTorch
   adapter): CPU tensors of float16, bfloat16, float32 and float64, any layout. Other devices
   are refused with a TypeError naming the device. Without grad (torch.no_grad(), or an input
   that requires none), modules and functional forms compute directly, without an autograd
   node. Backward is once-differentiable: a second derivative raises.
E. A tensor parameter (a per-element negative_slope) is taken as constants; one that requires
   grad is refused (cyacts computes no derivative with respect to it: torch.nn.PReLU does).
"""
import dataclasses
import re
import types
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

try:
    import torch
except ImportError as exc:  # pragma: no cover - the tests skip without torch
    raise ImportError("cyacts.torch needs PyTorch (pip install torch); cyacts itself does "
                      "not") from exc
from torch.autograd.function import once_differentiable

from . import _interop, _ops, _softmax, api

__all__ = ["Entry", "ENTRIES"]

#: the PyTorch adapter: tensors as NumPy views and back (module docstring, D)
_TORCH = _interop.Torch(torch.empty(0))
#: PyTorch's module names where the registry's name in CamelCase is not it
_MODULE_NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "relu6": "ReLU6",
                 "squared_relu": "SquaredReLU", "gelu": "GELU", "elu": "ELU", "celu": "CELU",
                 "selu": "SELU", "silu": "SiLU", "logsigmoid": "LogSigmoid",
                 "log_sigmoid": "LogSigmoid", "prelu": "PReLU", "glu": "GLU",
                 "swiglu": "SwiGLU", "geglu": "GEGLU", "reglu": "ReGLU"}
#: registry parameter -> PyTorch's name for it, per op, where they differ
_PARAM_NAMES = {"leaky_relu": {"alpha": "negative_slope"}}
#: PyTorch's default where it differs from cyacts's (softplus's threshold: PyTorch's module
#: returns x past beta x = 20, cyacts's function is exact everywhere unless told otherwise)
_TORCH_DEFAULTS = {"softplus": {"threshold": 20.0}}
#: parameters PyTorch's module does not have: keyword-only, after inplace, so that every
#: positional call of PyTorch's means the same here
_EXTRA_PARAMS = {"silu": ("beta",)}
#: a parameter without a default (registry v2's _ops.REQUIRED)
_REQUIRED = getattr(_ops, "REQUIRED", object())


@dataclasses.dataclass(frozen=True)
class Entry:
    """One activation of cyacts.torch: what PyTorch calls it, and how cyacts computes it."""

    #: the functional form, cyacts.torch.<name>
    name: str
    #: the nn.Module; its autograd Function is <module>Function
    module: str
    #: (PyTorch's name, default) of each parameter after the input; default _REQUIRED: none
    params: tuple
    #: forward(x, out, params) -> y: NumPy arrays, out None or x itself (in place);
    #: params a dict under PyTorch's names
    forward: Callable[..., Any]
    #: backward(saved, grad_output, saved_is_output, params) -> the gradient of the input
    backward: Callable[..., Any]
    #: saves_output(params) -> whether backward can work from the output alone
    saves_output: Callable[..., bool]
    doc: str = ""
    #: whether the module and the functional form take inplace= (False where the output
    #: cannot live in the input's memory: the gated units halve it)
    inplace: bool = True
    #: check(params) raises TypeError/ValueError for bad parameters when a module is made;
    #: None: run forward on a one-element array
    check: Optional[Callable[..., None]] = None
    #: the parameters (last in params) that are keyword-only, after inplace
    keyword_only: tuple = ()


def _from_registry(op):
    """The Entry of a registry op: cyacts.<op> forward, cyacts.<op>_grad backward."""
    rename = _PARAM_NAMES.get(op.name, {})
    to_cyacts = {rename.get(p.name, p.name): p.name for p in op.params}
    forward_fn, grad_fn = getattr(api, op.name), getattr(api, op.name + "_grad")

    def forward(x, out, params):
        return forward_fn(x, out=out, **{to_cyacts[k]: v for k, v in params.items()})

    def backward(saved, grad_output, saved_is_output, params):
        return grad_fn(saved, grad_output, from_output=saved_is_output,
                       **{to_cyacts[k]: v for k, v in params.items()})

    requires = op.from_output_requires

    def saves_output(params):
        if op.from_output is None:
            return False
        if requires is None:
            return True
        name, test, _ = requires
        value = params[rename.get(name, name)]
        return bool(np.all(test(np.asarray(value))))

    module = _MODULE_NAMES.get(op.name) or "".join(w.capitalize() for w in op.name.split("_"))
    defaults = _TORCH_DEFAULTS.get(op.name, {})
    extra = _EXTRA_PARAMS.get(op.name, ())
    params = tuple((rename.get(p.name, p.name), defaults.get(p.name, p.default))
                   for p in sorted(op.params, key=lambda p: p.name in extra))
    doc = f"{op.formula}\n\nForward cyacts.{op.name}, backward cyacts.{op.name}_grad."
    if defaults:
        doc += " Defaults as PyTorch's: " + ", ".join(f"{k}={v!r}" for k, v in defaults.items())
        doc += "."
    return Entry(op.name, module, params, forward, backward, saves_output, doc,
                 keyword_only=extra)


def _halves(x, dim, name):
    """(first half, second half) of x along dim, as views."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"{name}: dim {dim} is out of range for {x.ndim} dimensions")
    n = x.shape[dim]
    if n % 2:
        raise ValueError(f"{name} halves its input along dim {dim}, whose size {n} is odd")
    first, second = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    first[dim], second[dim] = slice(0, n // 2), slice(n // 2, n)
    return x[tuple(first)], x[tuple(second)]


def _from_gated(unit):
    """The Entry of a gated unit over one input halved along `dim`, as torch.nn.GLU: the first
    half is the value, the second the gate (F.glu(h) = cyacts.glu(h[..., d:], h[..., :d]))."""
    rename = _PARAM_NAMES.get(unit.name, {})
    to_cyacts = {rename.get(p.name, p.name): p.name for p in unit.params}
    forward_fn, grad_fn = getattr(api, unit.name), getattr(api, unit.name + "_grad")

    def split(params):
        return params["dim"], {to_cyacts[k]: v for k, v in params.items() if k != "dim"}

    def forward(x, out, params):
        dim, kwargs = split(params)
        value, gate = _halves(x, dim, unit.name)
        return forward_fn(gate, value, **kwargs)

    def backward(saved, grad_output, saved_is_output, params):
        dim, kwargs = split(params)
        value, gate = _halves(saved, dim, unit.name)
        grad = np.empty(saved.shape, np.result_type(saved.dtype, grad_output.dtype))
        grad_value, grad_gate = _halves(grad, dim, unit.name)
        grad_fn(gate, value, grad_output, out=(grad_gate, grad_value), **kwargs)  # in place
        return grad

    def check(params):
        dim, kwargs = split(params)
        _halves(np.zeros((2,) * (dim + 1 if dim >= 0 else -dim), np.float32), dim, unit.name)
        forward_fn(np.zeros(1, np.float32), np.zeros(1, np.float32), **kwargs)

    module = _MODULE_NAMES.get(unit.name) or unit.name.upper()
    params = (("dim", -1),) + tuple((rename.get(p.name, p.name), p.default)
                                    for p in unit.params)
    doc = (f"{unit.formula}\n\nThe input is halved along dim: the first half is the value, the "
           f"second the gate, as torch.nn.GLU. Forward cyacts.{unit.name}, backward "
           f"cyacts.{unit.name}_grad; backward keeps the input.")
    return Entry(unit.name, module, params, forward, backward, lambda params: False, doc,
                 inplace=False, check=check)


#: every activation of cyacts.torch, in order: the registry's ops and gated units, then any
#: added by hand
def _softmax_entry(name, module):
    """softmax / log_softmax along dim; backward from the output alone (what autograd keeps)."""
    forward_fn, grad_fn = getattr(_softmax, name), getattr(_softmax, name + "_grad")

    def axis(x, dim):
        if dim is None:  # PyTorch's implicit choice, with its warning
            import warnings

            warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change "
                          "the call to include dim=X as an argument.", stacklevel=4)
            return 0 if x.ndim in (0, 1, 3) else 1
        return dim

    def forward(x, out, params):
        return forward_fn(x, axis=axis(x, params["dim"]), out=out)

    def backward(saved, grad_output, saved_is_output, params):
        return grad_fn(saved, grad_output, axis=axis(saved, params["dim"]))

    doc = (f"cyacts.{name} along dim (every axis, no transposing copy); backward keeps only "
           f"the output (cyacts.{name}_grad).")
    return Entry(name, module, (("dim", None),), forward, backward, lambda params: True, doc,
                 inplace=False)


ENTRIES = ([_from_registry(op) for op in _ops.OPS]
           + [_from_gated(unit) for unit in getattr(_ops, "GATED", ())]
           + [_softmax_entry("softmax", "Softmax"), _softmax_entry("log_softmax", "LogSoftmax")])


# --------------------------------------------------------------------------------------------
# computing on tensors
# --------------------------------------------------------------------------------------------
def _values(entry, values):
    """The parameters as a dict under PyTorch's names, tensors as NumPy views."""
    params = {}
    for (name, _), value in zip(entry.params, values):
        if isinstance(value, torch.Tensor):
            value = _TORCH.read(value, name)
        params[name] = value
    return params


def _direct(entry, input, inplace, params):
    """The activation without an autograd node (nothing requires grad)."""
    if inplace:
        x = _TORCH.writable(input, "input")
        entry.forward(x, x, params)
        _TORCH.written(input)
        return input
    return _TORCH.wrap(entry.forward(_TORCH.read(input, "input"), None, params))


def _function(entry):
    """The torch.autograd.Function subclass of an entry."""
    count = len(entry.params)

    def forward(ctx, input, inplace, *values):
        for (name, _), needed in zip(entry.params, ctx.needs_input_grad[2:]):
            if needed:
                raise TypeError(f"{name} requires grad: cyacts computes no derivative with "
                                f"respect to {name}; pass a number or a tensor without grad")
        params = _values(entry, values)
        x = _TORCH.read(input, "input")
        needed = ctx.needs_input_grad[0]
        saves_output = entry.saves_output(params)
        kept = input.clone() if inplace and needed and not saves_output else input
        if inplace:
            entry.forward(x, x, params)
            ctx.mark_dirty(input)
            output = input
        else:
            output = _TORCH.wrap(entry.forward(x, None, params))
        if needed:
            ctx.save_for_backward(output if saves_output else kept)
            ctx.saves_output, ctx.params = saves_output, params
        return output

    @once_differentiable
    def backward(ctx, grad_output):
        if not ctx.needs_input_grad[0]:
            return (None,) * (2 + count)
        (saved,) = ctx.saved_tensors
        grad = entry.backward(_TORCH.read(saved, "saved"),
                              _TORCH.read(grad_output, "grad_output"), ctx.saves_output,
                              ctx.params)
        return (_TORCH.wrap(grad), None) + (None,) * count

    name = entry.module + "Function"
    doc = (f"torch.autograd.Function of cyacts's {entry.name}: {name}.apply(input, inplace"
           + "".join(f", {n}" for n, _ in entry.params) + ")")
    # types.new_class runs autograd's metaclass, which names the graph nodes <name>Backward
    return types.new_class(name, (torch.autograd.Function,), exec_body=lambda ns: ns.update(
        forward=staticmethod(forward), backward=staticmethod(backward), __module__=__name__,
        __qualname__=name, __doc__=doc))


def _apply(entry, function, input, inplace, values):
    if torch.is_grad_enabled() and (input.requires_grad or any(
            isinstance(v, torch.Tensor) and v.requires_grad for v in values)):
        return function.apply(input, inplace, *values)
    return _direct(entry, input, inplace, _values(entry, values))


# --------------------------------------------------------------------------------------------
# modules and functional forms, with real signatures
# --------------------------------------------------------------------------------------------
_FUNCTIONAL = """
def {name}(input, {params}):
    return _apply(_entry, _function, input, {inplace_value}, ({values}))
"""
_INIT = """
def __init__(self, {params}):
    _Module.__init__(self)
{assign}    self.inplace = {inplace_value}
    _check(self)
"""


class _Activation(torch.nn.Module):
    """Base of cyacts.torch's modules: forward runs the entry's Function."""

    _entry: Entry
    _function: Any

    def forward(self, input):
        values = tuple(getattr(self, n) for n, _ in self._entry.params)
        return _apply(self._entry, self._function, input, self.inplace, values)

    def extra_repr(self):
        text = [f"{n}={getattr(self, n)!r}" for n, _ in self._entry.params]
        return ", ".join(text + (["inplace=True"] if self.inplace else []))


def _check(module):
    """Refuse bad parameters when the module is made, under PyTorch's names."""
    entry = module._entry
    params = {n: getattr(module, n) for n, _ in entry.params}
    if not isinstance(module.inplace, bool):
        raise TypeError(f"inplace must be a bool, not {type(module.inplace).__name__}")
    if any(isinstance(v, torch.Tensor) for v in params.values()):
        return  # checked against the input's shape when called
    try:
        if entry.check is not None:
            entry.check(params)
        else:
            entry.forward(np.zeros(1, np.float32), None, params)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        for cyacts_name, torch_name in _PARAM_NAMES.get(entry.name, {}).items():
            message = re.sub(rf"\b{cyacts_name}\b", torch_name, message)
        raise type(exc)(message) from None


def _signature_text(entry):
    """(parameter list text, tuple text of the parameter names) for the templates: PyTorch's
    parameters, inplace where the entry takes it, then the keyword-only ones."""
    text = [n if d is _REQUIRED else f"{n}=_d{i}" for i, (n, d) in enumerate(entry.params)
            if n not in entry.keyword_only]
    if entry.inplace:
        text.append("inplace=False")
    if entry.keyword_only:
        text.append("*")
        text += [f"{n}=_d{i}" for i, (n, _) in enumerate(entry.params)
                 if n in entry.keyword_only]
    values = "".join(f"{n}, " for n, _ in entry.params)
    return ", ".join(text), values


def _make(entry):
    """(Function, Module, functional form) of one entry."""
    function = _function(entry)
    params, values = _signature_text(entry)
    defaults = {f"_d{i}": d for i, (_, d) in enumerate(entry.params)}
    namespace = dict(defaults, _apply=_apply, _entry=entry, _function=function,
                     _Module=torch.nn.Module, _check=_check)
    inplace = dict(inplace_value="inplace" if entry.inplace else "False")
    exec(compile(_FUNCTIONAL.format(name=entry.name, params=params, values=values, **inplace),
                 f"<cyacts.torch: {entry.name}>", "exec"), namespace)
    functional = namespace[entry.name]
    functional.__module__ = __name__
    functional.__doc__ = f"{entry.doc}\n\nThe functional form of cyacts.torch.{entry.module}" + (
        "; inplace=True overwrites input and returns it." if entry.inplace else ".")
    assign = "".join(f"    self.{n} = {n}\n" for n, _ in entry.params)
    exec(compile(_INIT.format(params=params, assign=assign, **inplace),
                 f"<cyacts.torch: {entry.module}>", "exec"), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{entry.module}.__init__"
    module = type(entry.module, (_Activation,), {
        "__init__": init, "__module__": __name__, "_entry": entry,
        "_function": function, "__doc__": f"{entry.doc}\n\nAn nn.Module over "
                                          f"cyacts.torch.{entry.module}Function."})
    return function, module, functional


def _make_all():
    for entry in ENTRIES:
        for obj in _make(entry):
            globals()[obj.__name__] = obj
            __all__.append(obj.__name__)


_make_all()

if TYPE_CHECKING:  # the Functions, modules and functional forms are made at import
    def __getattr__(name: str) -> Any: ...
