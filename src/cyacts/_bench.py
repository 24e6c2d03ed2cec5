"""Time every cyacts function against NumPy/SciPy, numexpr and PyTorch, and the memory pass.

    python -m cyacts bench [--quick] [--dtype ...] [--sizes ...] [--functions ...]
                           [--threads N] [--json PATH]

The rows come from the registry (cyacts._ops): every forward kernel of every op, its derivative
from x, and its derivative from the output where that is a kernel of its own (`*_grad_y`). Each
peer runs the best form a user would write with outputs (and temporaries) preallocated;
the memory pass (y = x * 1 forward, o = g * x backward) is the speed of memory. Derivatives time
the backward step o = grad_output * f'(x). Every library gets the same thread count (NumPy and
SciPy run their ufuncs on one). A cell meets the target when cyacts is no slower than the best
peer below 1e5 elements, and from 1e5 on when its time is <= max(0.67 * best peer,
1.05 * memory pass). Peers that are not installed are left out.
"""
import dataclasses
import functools
import itertools
import json
import math
import os
import platform
import statistics
import sys
import time
from types import SimpleNamespace

import numpy as np

import cyacts
from cyacts import _ops

try:
    import scipy.special as _sp
except ImportError:  # pragma: no cover - scipy is optional
    _sp = None
try:
    import numexpr as _ne
except ImportError:  # pragma: no cover - numexpr is optional
    _ne = None
try:
    import torch as _torch
except ImportError:  # pragma: no cover - torch is optional
    _torch = None

__all__ = ["DEFAULT_SIZES", "FUNCTIONS", "PEER_FORMS", "QUICK_SIZES", "Row", "format_table",
           "main", "outputs", "reference", "run"]

DEFAULT_SIZES = (10**3, 10**5, 10**6, 32 * 10**6)
QUICK_SIZES = (10**3, 10**5, 10**6)
DTYPES = ("float32", "float64")
PEERS = ("numpy", "numexpr", "torch")
ALPHA = _ops.ALPHA.default        # leaky_relu's slope: the default, which its row runs
C = math.sqrt(2.0 / math.pi)      # tanh-GELU: tanh(C * (x + K x^3))
K = 0.044715
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
NOISY = 1.25                      # median / fastest sample above this: a disturbed cell


# --------------------------------------------------------------------------------------------
# the contenders: each NumPy formula takes (x, g, y, s): input, grad_output (None for a forward),
# output and a namespace of preallocated temporaries; each torch one takes the same as tensors.
# --------------------------------------------------------------------------------------------
def _np_sigmoid(x, y):  # 0.5 tanh(x/2) + 0.5: NumPy's vectorised tanh beats scipy's expit
    np.multiply(x, 0.5, out=y)
    np.tanh(y, out=y)
    y *= 0.5
    y += 0.5


def _np_gelu_tanh(x, g, y, s):
    np.multiply(x, x, out=y)
    y *= C * K
    y += C
    y *= x
    np.tanh(y, out=y)
    y += 1
    y *= x
    y *= 0.5


def _np_leaky_relu_grad(x, g, y, s):  # np.copyto(y, g, where=mask) is ten times slower
    np.greater(x, 0, out=s.m)
    np.copyto(s.t, s.m)
    s.t *= 1 - ALPHA
    s.t += ALPHA
    np.multiply(g, s.t, out=y)


def _np_relu6_grad(x, g, y, s):
    np.greater(x, 0, out=s.m)
    np.less(x, 6, out=s.m2)
    np.logical_and(s.m, s.m2, out=s.m)
    np.multiply(g, s.m, out=y)


def _np_gelu_grad(x, g, y, s):  # Phi(x) + x phi(x)
    _sp.ndtr(x, out=s.t)
    np.multiply(x, x, out=y)
    y *= -0.5
    np.exp(y, out=y)
    y *= x
    y *= INV_SQRT_2PI
    y += s.t
    y *= g


def _np_gelu_tanh_grad(x, g, y, s):  # 0.5 (1 + th) + 0.5 x (1 - th^2) C (1 + 3 K x^2)
    np.multiply(x, x, out=s.u)
    np.multiply(s.u, K, out=s.t)
    s.t += 1
    s.t *= x
    s.t *= C
    np.tanh(s.t, out=s.t)                   # th
    s.u *= 3 * K
    s.u += 1
    s.u *= x
    s.u *= C                                # C x (1 + 3 K x^2)
    np.multiply(s.t, s.t, out=y)
    np.subtract(1, y, out=y)
    y *= s.u
    y += s.t
    y += 1
    y *= 0.5
    y *= g


def _np_tanh_grad(x, g, y, s):
    np.tanh(x, out=s.t)
    np.multiply(s.t, s.t, out=s.t)
    np.subtract(1, s.t, out=s.t)
    np.multiply(g, s.t, out=y)


def _np_sigmoid_grad(x, g, y, s):
    _np_sigmoid(x, s.t)
    np.subtract(1, s.t, out=y)
    y *= s.t
    y *= g


def _np_silu_grad(x, g, y, s):  # s (1 + x (1 - s)), s = sigmoid(x)
    _np_sigmoid(x, s.t)
    np.subtract(1, s.t, out=y)
    y *= x
    y += 1
    y *= s.t
    y *= g


def _np_mish(x, g, y, s):  # x tanh(softplus(x)), softplus by logaddexp (no overflow)
    np.logaddexp(x, 0, out=y)
    np.tanh(y, out=y)
    y *= x


def _np_mish_grad(x, g, y, s):  # T + x sigmoid(x) (1 - T^2), T = tanh(softplus(x))
    np.logaddexp(x, 0, out=s.t)
    np.tanh(s.t, out=s.t)
    np.multiply(s.t, s.t, out=y)
    np.subtract(1, y, out=y)
    _np_sigmoid(x, s.u)
    y *= s.u
    y *= x
    y += s.t
    y *= g


def _np_tanhshrink_grad(x, g, y, s):
    np.tanh(x, out=s.t)
    np.multiply(s.t, s.t, out=s.t)
    np.multiply(g, s.t, out=y)


def _torch_tanhshrink(x, g, y, s):  # F.tanhshrink is x - x.tanh(): the same two ops
    _torch.tanh(x, out=y)
    _torch.sub(x, y, out=y)


def _torch_tanhshrink_grad(x, g, y, s):  # what autograd runs: g - g (1 - tanh^2)
    _torch.tanh(x, out=s.t)
    _aten.tanh_backward.grad_input(g, s.t, grad_input=y)
    _torch.sub(g, y, out=y)


def _torch_one_minus_exp(w, g, y, s):  # g (1 - exp(-w)) = -g expm1(-w)
    _torch.neg(w, out=s.t)
    _torch.expm1(s.t, out=s.t)
    _torch.mul(g, s.t, out=y)
    y.neg_()


def _torch_one_minus_exp_y(y_in, g, y, s):  # g (1 - exp(y)) = -g expm1(y)
    _torch.expm1(y_in, out=s.t)
    _torch.mul(g, s.t, out=y)
    y.neg_()


def _np_silu(x, g, y, s):
    _np_sigmoid(x, y)
    y *= x


def _np_softplus_grad(x, g, y, s):
    _np_sigmoid(x, y)
    y *= g


_TH_U = "tanh(c * (x + k * x * x * x))"
if _torch is not None:
    _nn, _aten = _torch._C._nn, _torch.ops.aten

# row name: (NumPy/SciPy formula, torch call, numexpr expression): the peers of the registry's
# rows, which cannot be generated. None where a peer has no reasonable form (numexpr has no erf;
# SciPy brings NumPy's GELU); a row without an entry runs against the memory pass alone.
PEER_FORMS = {
    "relu": (lambda x, g, y, s: np.clip(x, 0, np.inf, out=y),  # 2-3x np.maximum's speed
             lambda x, g, y, s: _torch.clamp_min(x, 0, out=y),
             "where(x > 0, x, 0)"),
    "leaky_relu": (lambda x, g, y, s: np.maximum(x, np.multiply(x, ALPHA, out=s.t), out=y),
                   lambda x, g, y, s: _nn.leaky_relu(x, ALPHA, out=y),
                   "where(x > 0, x, a * x)"),
    "relu6": (lambda x, g, y, s: np.clip(x, 0, 6, out=y),
              lambda x, g, y, s: _nn.hardtanh(x, 0, 6, out=y),
              "where(x < 0, 0, where(x > 6, 6, x))"),
    "gelu": (None if _sp is None else
             lambda x, g, y, s: np.multiply(x, _sp.ndtr(x, out=y), out=y),
             lambda x, g, y, s: _nn.gelu(x, approximate="none", out=y),
             None),
    "gelu_tanh": (_np_gelu_tanh,
                  lambda x, g, y, s: _nn.gelu(x, approximate="tanh", out=y),
                  f"h * x * (1 + {_TH_U})"),
    "tanh": (lambda x, g, y, s: np.tanh(x, out=y),
             lambda x, g, y, s: _torch.tanh(x, out=y),
             "tanh(x)"),
    "sigmoid": (lambda x, g, y, s: _np_sigmoid(x, y),
                lambda x, g, y, s: _torch.sigmoid(x, out=y),
                "1 / (1 + exp(-x))"),
    "relu_grad": (lambda x, g, y, s: np.multiply(g, np.greater(x, 0, out=s.m), out=y),
                  lambda x, g, y, s: _aten.threshold_backward.grad_input(g, x, 0, grad_input=y),
                  "where(x > 0, g, 0)"),
    "leaky_relu_grad": (_np_leaky_relu_grad,
                        lambda x, g, y, s: _aten.leaky_relu_backward.grad_input(
                            g, x, ALPHA, False, grad_input=y),
                        "where(x > 0, g, a * g)"),
    "relu6_grad": (_np_relu6_grad,
                   lambda x, g, y, s: _aten.hardtanh_backward.grad_input(g, x, 0, 6, grad_input=y),
                   "where((x > 0) & (x < 6), g, 0)"),
    "gelu_grad": (None if _sp is None else _np_gelu_grad,
                  lambda x, g, y, s: _aten.gelu_backward.grad_input(
                      g, x, approximate="none", grad_input=y),
                  None),
    "gelu_tanh_grad": (_np_gelu_tanh_grad,
                       lambda x, g, y, s: _aten.gelu_backward.grad_input(
                           g, x, approximate="tanh", grad_input=y),
                       (f"g * (h * (1 + {_TH_U})"
                        f" + h * x * (1 - {_TH_U}**2) * c * (1 + k3 * x * x))")),
    # From x, torch needs its forward and then its backward (which reads the forward output)
    "tanh_grad": (_np_tanh_grad,
                  lambda x, g, y, s: _aten.tanh_backward.grad_input(
                      g, _torch.tanh(x, out=s.t), grad_input=y),
                  "g * (1 - tanh(x)**2)"),
    "sigmoid_grad": (_np_sigmoid_grad,
                     lambda x, g, y, s: _aten.sigmoid_backward.grad_input(
                         g, _torch.sigmoid(x, out=s.t), grad_input=y),
                     "g / ((1 + exp(-x)) * (1 + exp(x)))"),
    "silu": (_np_silu,
             lambda x, g, y, s: _aten.silu.out(x, out=y),
             "x / (1 + exp(-x))"),
    "mish": (_np_mish,
             lambda x, g, y, s: _aten.mish.out(x, out=y),
             "x * tanh(log1p(exp(x)))"),
    "softplus": (lambda x, g, y, s: np.logaddexp(x, 0, out=y),
                 lambda x, g, y, s: _nn.softplus(x, 1.0, 20.0, out=y),  # PyTorch's defaults
                 "where(x > 20, x, log1p(exp(x)))"),
    "log_sigmoid": (lambda x, g, y, s: np.negative(np.logaddexp(0, np.negative(x, out=y),
                                                                out=y), out=y),
                    lambda x, g, y, s: _aten.log_sigmoid_forward.output(x, output=y,
                                                                        buffer=s.t),
                    "where(x < 0, x - log1p(exp(x)), -log1p(exp(-x)))"),
    "tanhshrink": (lambda x, g, y, s: np.subtract(x, np.tanh(x, out=y), out=y),
                   _torch_tanhshrink,
                   "x - tanh(x)"),
    "silu_grad": (_np_silu_grad,
                  lambda x, g, y, s: _aten.silu_backward.grad_input(g, x, grad_input=y),
                  "g * (1 + exp(-x) + x * exp(-x)) / (1 + exp(-x))**2"),
    "mish_grad": (_np_mish_grad,
                  lambda x, g, y, s: _aten.mish_backward(g, x),  # no out= form
                  ("g * (tanh(log1p(exp(x))) + x / (1 + exp(-x))"
                   " * (1 - tanh(log1p(exp(x)))**2))")),
    "softplus_grad": (_np_softplus_grad,
                      lambda x, g, y, s: _aten.softplus_backward.grad_input(
                          g, x, 1.0, 20.0, grad_input=y),
                      "g / (1 + exp(-x))"),
    # From x, torch needs its forward (which fills the buffer its backward reads)
    "log_sigmoid_grad": (lambda x, g, y, s: np.divide(g, np.add(np.exp(x, out=y), 1, out=y),
                                                      out=y),
                         lambda x, g, y, s: _aten.log_sigmoid_backward.grad_input(
                             g, x, _aten.log_sigmoid_forward.output(
                                 x, output=s.t, buffer=s.u)[1], grad_input=y),
                         "g / (1 + exp(x))"),
    "tanhshrink_grad": (_np_tanhshrink_grad, _torch_tanhshrink_grad, "g * tanh(x)**2"),
    # From the saved forward output y, as autograd does: every contender reads y, not x
    "tanh_grad_y": (lambda x, g, y, s: np.multiply(g, np.subtract(1, np.square(x, out=s.t),
                                                                  out=s.t), out=y),
                    lambda x, g, y, s: _aten.tanh_backward.grad_input(g, x, grad_input=y),
                    "g * (1 - x * x)"),
    "sigmoid_grad_y": (lambda x, g, y, s: np.multiply(np.multiply(g, x, out=s.t),
                                                      np.subtract(1, x, out=y), out=y),
                       lambda x, g, y, s: _aten.sigmoid_backward.grad_input(g, x, grad_input=y),
                       "g * x * (1 - x)"),
    # PyTorch has no derivative from the output of these: the same expression in its ops
    "softplus_grad_y": (lambda x, g, y, s: np.multiply(g, np.negative(np.expm1(
                            np.negative(x, out=y), out=y), out=y), out=y),
                        _torch_one_minus_exp,
                        "g * (1 - exp(-x))"),
    "log_sigmoid_grad_y": (lambda x, g, y, s: np.multiply(g, np.negative(np.expm1(x, out=y),
                                                                         out=y), out=y),
                           _torch_one_minus_exp_y,
                           "g * (1 - exp(x))"),
}


@dataclasses.dataclass(frozen=True)
class Row:
    """One benchmark row: a cyacts call made from a registry op and one of its variants."""

    name: str
    op: _ops.Op
    #: the variant's parameters: keywords of the cyacts call (and of the forward, for grad_y)
    params: dict
    #: "forward", "grad" (the derivative from x) or "grad_y" (from the forward's output)
    kind: str

    @property
    def function(self):
        """The cyacts function the row times."""
        return self.op.name if self.kind == "forward" else self.op.name + "_grad"

    @property
    def kwargs(self):
        """The keywords of the cyacts call."""
        extra = {"from_output": True} if self.kind == "grad_y" else {}
        return {**self.params, **extra}

    @property
    def backward(self):
        return self.kind != "forward"


def _rows():
    """name -> Row: every forward kernel of the registry (each run by the first variant that
    selects it), then every derivative from x, then every derivative from the output that is
    a kernel of its own (from_output == "own": autograd's form; "same" reruns the one from x)."""
    by_kernel = {}
    for op in _ops.OPS:
        for params in op.variants():
            by_kernel.setdefault(op.kernel_for(params), (op, params))
    rows = [Row(kernel + suffix, op, params, kind)
            for suffix, kind in (("", "forward"), ("_grad", "grad"), ("_grad_y", "grad_y"))
            for kernel, (op, params) in by_kernel.items()
            if kind != "grad_y" or op.from_output == "own"]
    return {row.name: row for row in rows}


FUNCTIONS = _rows()


def _is_backward(function):
    return FUNCTIONS[function].backward


class _Buffers:
    """Inputs, output and temporaries for one (dtype, size), shared by every function."""

    def __init__(self, n, dtype, seed=0):
        rng = np.random.default_rng(seed)
        self.x = (rng.standard_normal(n) * 3).astype(dtype)
        self.g = rng.standard_normal(n).astype(dtype)
        self.y = np.zeros(n, dtype)
        self.s = SimpleNamespace(t=np.zeros(n, dtype), u=np.zeros(n, dtype),  # temporaries
                                 m=np.zeros(n, bool), m2=np.zeros(n, bool))
        self.consts = {name: np.dtype(dtype).type(v) for name, v in
                       {"a": ALPHA, "c": C, "k": K, "k3": 3 * K, "h": 0.5}.items()}
        if _torch is not None:
            t = _torch.from_numpy
            self.tx, self.tg, self.ty = t(self.x), t(self.g), t(self.y)

    def input(self, function):
        """x, or for the *_y rows the forward output that the derivative reads."""
        row = FUNCTIONS[function]
        if row.kind == "grad_y":
            return getattr(cyacts, row.op.name)(self.x, **row.params)
        return self.x

    def contenders(self, function):
        """{name: (callable, args)} for `function`: cyacts, each peer installed and written for
        it in PEER_FORMS, the memory pass."""
        row = FUNCTIONS[function]
        numpy_f, torch_f, expr = PEER_FORMS.get(function, (None, None, None))
        x, y = self.input(function), self.y
        g = self.g if _is_backward(function) else None
        out = {"cyacts": (functools.partial(getattr(cyacts, row.function), out=y, **row.kwargs),
                          (x,) if g is None else (x, g))}
        if numpy_f is not None:
            out["numpy"] = (numpy_f, (x, g, y, self.s))
        if _ne is not None and expr is not None:
            local = dict(self.consts, x=x, g=g) if g is not None else dict(self.consts, x=x)
            out["numexpr"] = (functools.partial(_ne.evaluate, expr, local_dict=local, out=y), ())
        if _torch is not None and torch_f is not None:
            tx = self.tx if x is self.x else _torch.from_numpy(x)
            out["torch"] = (torch_f, (tx, None if g is None else self.tg, self.ty,
                                      SimpleNamespace(t=_torch.from_numpy(self.s.t),
                                                      u=_torch.from_numpy(self.s.u))))
        out["memory"] = (np.multiply, (x, 1, y) if g is None else (g, x, y))
        return out


# --------------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------------
def _time_cell(contenders, budget, min_rounds, max_rounds, sample=2e-4):
    """{name: (median, min, calls per sample, samples)} in seconds per call.

    Each sample loops enough calls to last about `sample` seconds; the contenders take turns,
    one sample each per round, so that a disturbance on the machine hits them alike.
    """
    plan = {}
    for name, (fn, args) in contenders.items():
        t0 = time.perf_counter()
        fn(*args)                               # warm-up: page faults, caches, thread teams
        once = time.perf_counter() - t0
        if once < 0.05:                         # a slow call is its own estimate
            t0 = time.perf_counter()
            fn(*args)
            once = max(time.perf_counter() - t0, 1e-8)
        plan[name] = (fn, args, max(1, int(sample / once)), once)
    per_round = sum(number * once for _, _, number, once in plan.values())
    rounds = min(max_rounds, max(min_rounds, int(budget * len(plan) / per_round)))
    samples = {name: [] for name in plan}
    for _ in range(rounds):
        for name, (fn, args, number, _) in plan.items():
            loop = itertools.repeat(None, number)
            t0 = time.perf_counter()
            for _ in loop:
                fn(*args)
            samples[name].append((time.perf_counter() - t0) / number)
    return {name: (statistics.median(s), min(s), plan[name][2], rounds)
            for name, s in samples.items()}


def _target(size, best_peer, memory):
    """The time cyacts must not exceed."""
    if best_peer is None:
        return None
    if size < 10**5:
        return best_peer
    return max(0.67 * best_peer, 1.05 * memory)


class _Progress:
    """A plain-text bar on stderr, weighted by array size (big arrays take longer)."""

    def __init__(self, weights, enabled=True, stream=None):
        self.total, self.done, self.start = sum(weights), 0.0, time.perf_counter()
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and getattr(self.stream, "isatty", lambda: False)()
        self.last_tenth = -1

    def update(self, weight, label):
        if not self.enabled:
            return
        self.done += weight
        frac = self.done / self.total
        elapsed = time.perf_counter() - self.start
        eta = elapsed * (1 - frac) / frac if frac > 0 else 0.0
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        line = f"[{bar}] {100 * frac:5.1f}%  {elapsed:5.0f}s elapsed, ~{eta:4.0f}s left  {label}"
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if frac >= 1:
                self.stream.write("\n")
        elif int(10 * frac) > self.last_tenth or frac >= 1:
            self.last_tenth = int(10 * frac)
            self.stream.write(line + "\n")
        self.stream.flush()


class _Threads:
    """Give cyacts, torch and numexpr `n` threads for the duration of the block."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.saved = (cyacts.get_num_threads(),
                      _torch.get_num_threads() if _torch is not None else None,
                      _ne.set_num_threads(self.n) if _ne is not None else None)
        cyacts.set_num_threads(self.n)
        if _torch is not None:
            _torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        cy, th, ne = self.saved
        cyacts.set_num_threads(cy)
        if th is not None:
            _torch.set_num_threads(th)
        if ne is not None:
            _ne.set_num_threads(ne)


def _check_functions(functions):
    functions = list(FUNCTIONS) if functions is None else list(functions)
    unknown = [f for f in functions if f not in FUNCTIONS]
    if unknown:
        raise ValueError(f"unknown function(s) {unknown}; choose from {list(FUNCTIONS)}")
    return functions


def run(functions=None, dtypes=DTYPES, sizes=None, threads=None, quick=False, progress=True):
    """Time every (function, dtype, size) cell; a list of one dict per cell (seconds)."""
    functions = _check_functions(functions)
    dtypes = list(dtypes or DTYPES)
    sizes = list(sizes or (QUICK_SIZES if quick else DEFAULT_SIZES))
    threads = cyacts.get_num_threads() if threads is None else int(threads)
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    budget, min_repeats, max_repeats = (0.04, 3, 25) if quick else (0.25, 5, 200)
    cells = [(d, n, f) for d in dtypes for n in sizes for f in functions]
    bar = _Progress([n + 2e5 for _, n, _ in cells], enabled=progress)
    results, buffers = [], None
    with _Threads(threads):
        for dtype, n, function in cells:
            if buffers is None or buffers.x.dtype != dtype or buffers.x.size != n:
                buffers = None                      # free the previous arrays first
                buffers = _Buffers(n, dtype)
            few = min_repeats if n < 10**7 else 3     # huge arrays: seconds per NumPy call
            timed = _time_cell(buffers.contenders(function), budget, few, max_repeats)
            times = {name: t[0] for name, t in timed.items()}
            detail = {name: {"min": t[1], "calls_per_sample": t[2], "samples": t[3]}
                      for name, t in timed.items()}
            peers = {p: times[p] for p in PEERS if p in times}
            best = min(peers, key=peers.get) if peers else None
            target = _target(n, peers.get(best), times["memory"])
            results.append({
                "function": function, "dtype": dtype, "size": n, "threads": threads,
                "times": times, "detail": detail,
                "best_peer": best, "best_peer_time": peers.get(best),
                "ratio": peers[best] / times["cyacts"] if best else None,
                "target_time": target,
                "meets_target": None if target is None else bool(times["cyacts"] <= target),
            })
            bar.update(n + 2e5, f"{function} {dtype} {_size(n)}")
    return results


def outputs(function, dtype="float64", n=1000, seed=0):
    """Run each contender of one cell once: ({name: output copy}, x, grad_output or None).

    The contenders are checked against cyacts.reference with this, so that the benchmark
    compares like with like.
    """
    _check_functions([function])
    b = _Buffers(n, dtype, seed)
    results = {}
    for name, (fn, args) in b.contenders(function).items():
        b.y.fill(np.nan)
        fn(*args)
        results[name] = b.y.copy()
    return results, b.input(function).copy(), (b.g.copy() if _is_backward(function) else None)


def reference(function, x, g=None):
    """cyacts.reference's value of `function` (a FUNCTIONS key) for x (and grad_output g)."""
    row = FUNCTIONS[function]
    forward, derivative = row.op.reference_names
    f = getattr(cyacts.reference, derivative if row.backward else forward)
    return f(x, **row.kwargs) if g is None else f(x, g, **row.kwargs)  # from_output passes through


# --------------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------------
def _size(n):
    mantissa, exponent = f"{n:.1e}".split("e")
    short = f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return short if float(short) == n else str(n)


def _duration(seconds):
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale or unit == "us":
            value = seconds / scale
            return f"{value:.3g}{unit}" if value < 100 else f"{value:.0f}{unit}"
    return "-"  # pragma: no cover


def format_table(results):
    """The results as a text table, then a summary of the cells that meet the target."""
    peers = [p for p in PEERS if any(p in r["times"] for r in results)]
    head = ["function", "dtype", "size", "cyacts", *peers, "memory", "best/cy", "target"]
    rows = [head]
    for r in results:
        ok = {True: "yes", False: "NO", None: "-"}[r["meets_target"]]
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        rows.append([r["function"], r["dtype"], _size(r["size"]), *(
            _cell(r, name) for name in ("cyacts", *peers, "memory")), ratio, ok])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines += ["", _summary(results)]
    return "\n".join(lines)


def _cell(result, name):
    """A median time, starred where it is well above the fastest sample (a busy machine)."""
    if name not in result["times"]:
        return "-"
    noisy = result["times"][name] > NOISY * result["detail"][name]["min"]
    return _duration(result["times"][name]) + ("*" if noisy else " ")


def _summary(results):
    judged = [r for r in results if r["meets_target"] is not None]
    small = [r for r in judged if r["size"] < 10**5]
    large = [r for r in judged if r["size"] >= 10**5]

    def count(rs):
        return f"{sum(r['meets_target'] for r in rs)}/{len(rs)}"

    ratios = [r["ratio"] for r in judged]
    gmean = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else float("nan")
    return (f"cells meeting the target: {count(judged)} (below 1e5: {count(small)}, "
            f"1e5 and up: {count(large)}); geometric mean of best peer / cyacts: {gmean:.2f}\n"
            "target: below 1e5 elements cyacts <= best peer; from 1e5 on "
            "cyacts <= max(0.67 x best peer, 1.05 x memory pass)\n"
            f"times are medians; * marks a median more than {NOISY} x the fastest sample "
            "(something else was running)")


def _load():
    """The 1-minute load average (None where the platform has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def machine_info():
    """The machine, the libraries and cyacts's build, for the JSON record."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = {"numpy": np.__version__}
    for name, module in (("scipy", _sp), ("numexpr", _ne), ("torch", _torch)):
        if module is not None:
            versions[name] = sys.modules[module.__name__.split(".")[0]].__version__
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "usable_cpus": usable,
            "platform": platform.platform(), "python": platform.python_version(),
            "versions": versions, "cyacts": cyacts.config()}


def main(args):
    """Entry point of `python -m cyacts bench` (args from its argparse)."""
    load_before = _load()
    if load_before is not None and load_before > 0.5:
        print(f"note: load average {load_before:.2f} before the run: other processes are busy "
              "and the timings will be noisy", file=sys.stderr)
    try:
        results = run(functions=args.functions, dtypes=args.dtype, sizes=args.sizes,
                      threads=args.threads, quick=args.quick)
    except ValueError as exc:
        print(f"cyacts bench: {exc}", file=sys.stderr)
        return 2
    info = machine_info()
    info["load_average"] = {"before": load_before, "after": _load()}
    print(f"cyacts {info['cyacts']['version']} ({info['cyacts']['simd']}) on {info['cpu']}, "
          f"{results[0]['threads'] if results else '-'} threads; "
          + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(format_table(results))
    if args.json:
        record = {"machine": info, "settings": {
            "quick": bool(args.quick), "threads": results[0]["threads"] if results else None,
            "dtypes": args.dtype or list(DTYPES), "functions": args.functions or list(FUNCTIONS),
            "sizes": args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)},
            "results": results,
            "summary": {"cells": sum(r["meets_target"] is not None for r in results),
                        "meeting_target": sum(bool(r["meets_target"]) for r in results)}}
        with open(args.json, "w") as fh:
            json.dump(record, fh, indent=1)
        print(f"wrote {args.json}")
    return 0
