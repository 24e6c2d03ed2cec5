"""Time every cyacts function against NumPy/SciPy, numexpr and PyTorch, and the memory pass.

    python -m cyacts bench [--quick] [--dtype ...] [--sizes ...] [--functions ...]
                           [--layout contiguous|view] [--threads N] [--json PATH]

The rows come from the registry (cyacts._ops): every forward kernel of every op, its derivative
from x, and its derivative from the output where that is a kernel of its own (`*_grad_y`). Each
peer runs the best form a user would write with outputs (and temporaries) preallocated.
Derivatives time the backward step o = grad_output * f'(x). Every library gets the same thread
count (NumPy and SciPy run their ufuncs on one).

The memory pass is the speed of memory: the fastest of the forms that read the cell's inputs
and write its output without float arithmetic to speak of (y = x * 1 or o = g * x in NumPy;
torch's y.copy_(x) or torch.mul(g, x, out=o)). For float16 and bfloat16 NumPy's multiply is
no memory pass (its float16 arithmetic is done in software), so its forms move the raw bits
(np.copyto, np.bitwise_or on uint16 views).

dtypes: float32 and float64 unless asked for float16, bfloat16 (ml_dtypes', imported only then)
or "all". On the 16-bit dtypes PyTorch runs on the same memory (bfloat16 through its bits),
NumPy runs its formula (slowly: float16 ufuncs are computed in software, bfloat16 ones are
ml_dtypes'), numexpr has no 16-bit types. `--layout view` adds a `name[view]` row beside each
contiguous one: every operand is z[:, :d] of a (rows, 2d) array of its own (the halves of a
fused projection), and every peer and the memory pass run on the same strided memory.

A cell meets the target when cyacts is no slower than the best peer below 1e5 elements, and
from 1e5 on when its time is <= max(0.67 * best peer, 1.05 * memory pass). Peers that are not
installed, or have no kernel for a dtype, are left out.
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

__all__ = ["ALL_DTYPES", "DEFAULT_SIZES", "DTYPES", "FUNCTIONS", "LAYOUTS", "PEER_FORMS",
           "QUICK_SIZES", "Row", "dtype_of", "format_table", "main", "outputs", "reference", "run",
           "view_shape"]

DEFAULT_SIZES = (10**3, 10**5, 10**6, 32 * 10**6)
QUICK_SIZES = (10**3, 10**5, 10**6)
DTYPES = ("float32", "float64")   # the default run's
ALL_DTYPES = ("float16", "bfloat16", "float32", "float64")
LAYOUTS = ("contiguous", "view")
VIEW_WIDTH = 1024                 # a view row's elements at most (see view_shape)
PEERS = ("numpy", "numexpr", "torch")
ALPHA = _ops.ALPHA.default        # leaky_relu's slope: the default, which its row runs
LAMBD = _ops.LAMBD.default        # the shrinks' half-width: the default
# threshold's row runs its first variant (it has no defaults)
THRESHOLD, VALUE = (_ops.BY_NAME["threshold"].required[n] for n in ("threshold", "value"))
C = math.sqrt(2.0 / math.pi)      # tanh-GELU: tanh(C * (x + K x^3))
K = 0.044715
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SELU_ALPHA, SELU_SCALE = _ops.SELU_ALPHA, _ops.SELU_SCALE
SELU_SA = _ops.SELU_SCALE_ALPHA
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


def _np_elu(x, g, y, s):  # alpha = 1: max(x, expm1(min(x, 0)))
    np.minimum(x, 0, out=s.t)
    np.expm1(s.t, out=s.t)
    np.maximum(x, s.t, out=y)


def _np_elu_grad(x, g, y, s):  # alpha = 1: exp(min(x, 0))
    np.minimum(x, 0, out=s.t)
    np.exp(s.t, out=s.t)
    np.multiply(g, s.t, out=y)


def _np_elu_grad_y(x, g, y, s):  # alpha = 1: min(y, 0) + 1
    np.minimum(x, 0, out=s.t)
    s.t += 1
    np.multiply(g, s.t, out=y)


def _np_selu(x, g, y, s):
    np.minimum(x, 0, out=s.t)
    np.expm1(s.t, out=s.t)
    s.t *= SELU_SA
    np.maximum(x, 0, out=y)
    y *= SELU_SCALE
    y += s.t


def _selu_positive_fix(x, s):  # s.t += (scale - scale alpha) where x > 0
    np.greater(x, 0, out=s.m)
    np.multiply(s.m, SELU_SCALE - SELU_SA, out=s.u)
    s.t += s.u


def _np_selu_grad(x, g, y, s):
    np.minimum(x, 0, out=s.t)
    np.exp(s.t, out=s.t)
    s.t *= SELU_SA
    _selu_positive_fix(x, s)
    np.multiply(g, s.t, out=y)


def _np_selu_grad_y(x, g, y, s):
    np.minimum(x, 0, out=s.t)
    s.t += SELU_SA
    _selu_positive_fix(x, s)
    np.multiply(g, s.t, out=y)


def _np_band(x, g, y, s, lo, hi):  # g where lo < x < hi
    np.greater(x, lo, out=s.m)
    np.less(x, hi, out=s.m2)
    np.logical_and(s.m, s.m2, out=s.m)
    return np.multiply(g, s.m, out=y)


def _np_hardsigmoid(x, g, y, s):
    np.multiply(x, 1 / 6, out=y)
    y += 0.5
    np.clip(y, 0, 1, out=y)


def _np_hardswish(x, g, y, s):
    np.add(x, 3, out=s.t)
    np.clip(s.t, 0, 6, out=s.t)
    np.multiply(x, s.t, out=y)
    y *= 1 / 6


def _np_hardswish_grad(x, g, y, s):  # 0 below -3, x/3 + 1/2 between, 1 from 3 on
    np.multiply(x, 1 / 3, out=s.t)
    s.t += 0.5
    np.greater(x, -3, out=s.m)
    s.t *= s.m
    np.less(x, 3, out=s.m)
    s.t *= s.m
    np.logical_not(s.m, out=s.m)
    s.t += s.m
    np.multiply(g, s.t, out=y)


def _np_softsign(x, g, y, s):
    np.abs(x, out=s.t)
    s.t += 1
    np.divide(x, s.t, out=y)


def _np_softsign_grad(x, g, y, s):
    np.abs(x, out=s.t)
    s.t += 1
    np.square(s.t, out=s.t)
    np.divide(g, s.t, out=y)


def _np_softsign_grad_y(x, g, y, s):
    np.abs(x, out=s.t)
    np.subtract(1, s.t, out=s.t)
    np.square(s.t, out=s.t)
    np.multiply(g, s.t, out=y)


def _np_hardshrink(x, g, y, s):
    np.abs(x, out=s.t)
    np.greater(s.t, LAMBD, out=s.m)
    np.multiply(x, s.m, out=y)


def _np_shrink_grad(x, g, y, s):
    np.abs(x, out=s.t)
    np.greater(s.t, LAMBD, out=s.m)
    np.multiply(g, s.m, out=y)


def _np_softshrink(x, g, y, s):  # x - clip(x, -lambd, lambd)
    np.clip(x, -LAMBD, LAMBD, out=s.t)
    np.subtract(x, s.t, out=y)


def _np_threshold(x, g, y, s):
    np.copyto(y, x)
    np.less_equal(x, THRESHOLD, out=s.m)
    np.putmask(y, s.m, VALUE)


def _torch_softsign_grad(x, g, y, s):
    t = _torch.abs(x, out=s.t)
    t += 1
    t.mul_(t)
    return _torch.div(g, t, out=y)


def _torch_softsign_grad_y(x, g, y, s):
    t = _torch.abs(x, out=s.t)
    _torch.sub(1, t, out=t)
    t.mul_(t)
    return _torch.mul(g, t, out=y)


def _elu_bw(g, alpha, scale, input_scale, is_result, x, grad_input):
    return _aten.elu_backward.grad_input(g, alpha, scale, input_scale, is_result, x,
                                         grad_input=grad_input)
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
    # ELU's family at alpha = 1 (celu(x, 1) is elu(x, 1)); torch's CPU kernel is one elu with
    # scale and input scale, its backward elu_backward (from x, or from the result)
    "elu": (_np_elu, lambda x, g, y, s: _nn.elu(x, 1.0, 1, 1, out=y),
            "where(x > 0, x, expm1(x))"),
    "selu": (_np_selu, lambda x, g, y, s: _nn.elu(x, SELU_ALPHA, SELU_SCALE, 1, out=y),
             "where(x > 0, sc * x, sa * expm1(x))"),
    "celu": (_np_elu, lambda x, g, y, s: _nn.elu(x, 1.0, 1, 1.0, out=y),
             "where(x > 0, x, expm1(x))"),
    "elu_grad": (_np_elu_grad,
                 lambda x, g, y, s: _elu_bw(g, 1.0, 1, 1, False, x, grad_input=y),
                 "g * exp(where(x > 0, 0, x))"),
    "selu_grad": (_np_selu_grad,
                  lambda x, g, y, s: _elu_bw(g, SELU_ALPHA, SELU_SCALE, 1, False, x,
                                                      grad_input=y),
                  "g * where(x > 0, sc, sa * exp(x))"),
    "celu_grad": (_np_elu_grad,
                  lambda x, g, y, s: _elu_bw(g, 1.0, 1, 1.0, False, x, grad_input=y),
                  "g * exp(where(x > 0, 0, x))"),
    "elu_grad_y": (_np_elu_grad_y,
                   lambda x, g, y, s: _elu_bw(g, 1.0, 1, 1, True, x, grad_input=y),
                   "g * where(x > 0, 1, x + 1)"),
    "selu_grad_y": (_np_selu_grad_y,
                    lambda x, g, y, s: _elu_bw(g, SELU_ALPHA, SELU_SCALE, 1, True, x,
                                                        grad_input=y),
                    "g * where(x > 0, sc, x + sa)"),
    "celu_grad_y": (_np_elu_grad_y,
                    lambda x, g, y, s: _elu_bw(g, 1.0, 1, 1.0, True, x, grad_input=y),
                    "g * where(x > 0, 1, x + 1)"),
    "squared_relu": (lambda x, g, y, s: np.square(np.clip(x, 0, np.inf, out=y), out=y),
                     lambda x, g, y, s: _torch.square(_torch.clamp_min(x, 0, out=y), out=y),
                     "where(x > 0, x * x, 0)"),
    "squared_relu_grad": (lambda x, g, y, s: np.multiply(
                              np.multiply(np.clip(x, 0, np.inf, out=s.t), 2, out=s.t), g, out=y),
                          lambda x, g, y, s: _torch.mul(
                              _torch.clamp_min(x, 0, out=y).mul_(2), g, out=y),
                          "where(x > 0, 2 * x * g, 0)"),
    "squared_relu_grad_y": (lambda x, g, y, s: np.multiply(
                                np.multiply(np.sqrt(x, out=s.t), 2, out=s.t), g, out=y),
                            lambda x, g, y, s: _torch.mul(_torch.sqrt(x, out=y).mul_(2), g, out=y),
                            "2 * sqrt(x) * g"),
    "hardtanh": (lambda x, g, y, s: np.clip(x, -1, 1, out=y),
                 lambda x, g, y, s: _nn.hardtanh(x, -1, 1, out=y),
                 "where(x < -1, -1, where(x > 1, 1, x))"),
    "hardtanh_grad": (lambda x, g, y, s: _np_band(x, g, y, s, -1, 1),
                      lambda x, g, y, s: _aten.hardtanh_backward.grad_input(g, x, -1, 1,
                                                                            grad_input=y),
                      "where((x > -1) & (x < 1), g, 0)"),
    "hardsigmoid": (_np_hardsigmoid, lambda x, g, y, s: _nn.hardsigmoid(x, out=y),
                    "where(x <= -3, 0, where(x >= 3, 1, x / 6 + h))"),
    "hardsigmoid_grad": (lambda x, g, y, s: np.multiply(_np_band(x, g, y, s, -3, 3), 1 / 6,
                                                        out=y),
                         lambda x, g, y, s: _aten.hardsigmoid_backward.grad_input(
                             g, x, grad_input=y),
                         "where((x > -3) & (x < 3), g / 6, 0)"),
    # torch's autograd saves hardsigmoid's and softshrink's input: no torch op reads y
    "hardsigmoid_grad_y": (lambda x, g, y, s: np.multiply(_np_band(x, g, y, s, 0, 1), 1 / 6,
                                                          out=y),
                           None, "where((x > 0) & (x < 1), g / 6, 0)"),
    "hardswish": (_np_hardswish, lambda x, g, y, s: _nn.hardswish(x, out=y),
                  "where(x <= -3, 0, where(x >= 3, x, x * (x + 3) / 6))"),
    "hardswish_grad": (_np_hardswish_grad,
                       lambda x, g, y, s: _aten.hardswish_backward.out(g, x, out=y),
                       "where(x <= -3, 0, where(x >= 3, g, g * (x / 3 + h)))"),
    # softsign is composite in torch: x / (1 + |x|) and its autograd, written with outputs
    "softsign": (_np_softsign,
                 lambda x, g, y, s: _torch.div(x, _torch.abs(x, out=s.t).add_(1), out=y),
                 "x / (1 + abs(x))"),
    "softsign_grad": (_np_softsign_grad, _torch_softsign_grad, "g / (1 + abs(x))**2"),
    "softsign_grad_y": (_np_softsign_grad_y, _torch_softsign_grad_y, "g * (1 - abs(x))**2"),
    "hardshrink": (_np_hardshrink, lambda x, g, y, s: _aten.hardshrink.out(x, LAMBD, out=y),
                   "where(abs(x) > h, x, 0)"),
    "hardshrink_grad": (_np_shrink_grad,
                        lambda x, g, y, s: _aten.hardshrink_backward.grad_input(
                            g, x, LAMBD, grad_input=y),
                        "where(abs(x) > h, g, 0)"),
    "softshrink": (_np_softshrink, lambda x, g, y, s: _nn.softshrink(x, LAMBD, out=y),
                   "where(x > h, x - h, where(x < -h, x + h, 0))"),
    "softshrink_grad": (_np_shrink_grad,
                        lambda x, g, y, s: _aten.softshrink_backward.grad_input(
                            g, x, LAMBD, grad_input=y),
                        "where(abs(x) > h, g, 0)"),
    "softshrink_grad_y": (lambda x, g, y, s: np.multiply(g, np.not_equal(x, 0, out=s.m), out=y),
                          None, "where(x != 0, g, 0)"),
    "threshold": (_np_threshold,
                  lambda x, g, y, s: _aten.threshold.out(x, THRESHOLD, VALUE, out=y),
                  "where(x > th, x, v)"),
    "threshold_grad": (lambda x, g, y, s: np.multiply(g, np.greater(x, THRESHOLD, out=s.m),
                                                      out=y),
                       lambda x, g, y, s: _aten.threshold_backward.grad_input(
                           g, x, THRESHOLD, grad_input=y),
                       "where(x > th, g, 0)"),
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


def dtype_of(name):
    """The NumPy dtype of a DTYPE name; bfloat16 is ml_dtypes' (imported only for it)."""
    if name not in ALL_DTYPES:
        raise ValueError(f"unknown dtype {name!r}; choose from {list(ALL_DTYPES)}")
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ValueError("bfloat16 needs ml_dtypes (pip install ml_dtypes)") from None
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def view_shape(n):
    """(rows, d): a view cell is z[:, :d] of a (rows, 2d) array with rows * d == n; d is the
    largest divisor of n up to VIEW_WIDTH that leaves at least 8 rows (one row below 8)."""
    d = max((k for k in range(1, min(VIEW_WIDTH, n // 8) + 1) if n % k == 0), default=n)
    return n // d, d


def _bits(a):
    """a's bytes as unsigned integers of its width: moving them is no float arithmetic."""
    return a.view(f"u{a.itemsize}")


def _tensor(a):
    """A torch tensor on a's memory, strides included (torch.from_numpy has no bfloat16: its
    bits go through int16)."""
    if a.dtype.name == "bfloat16":
        return _torch.from_numpy(a.view(np.int16)).view(_torch.bfloat16)
    return _torch.from_numpy(a)


class _Buffers:
    """Inputs, output and temporaries for one (dtype, size, layout), shared by every function.

    layout "contiguous": 1-D arrays of n elements. "view": x, grad_output and the output are
    each z[:, :d] of a (rows, 2d) array of their own (the halves of a fused projection, see
    view_shape); the NumPy formulas' temporaries are contiguous (rows, d) arrays.
    """

    def __init__(self, n, dtype, seed=0, layout="contiguous"):
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; choose from {list(LAYOUTS)}")
        dtype = dtype_of(dtype) if isinstance(dtype, str) else np.dtype(dtype)
        rng = np.random.default_rng(seed)
        self.layout, self.size, self._dtype = layout, n, dtype
        self.shape = view_shape(n) if layout == "view" else (n,)
        self.x = self._operand(rng.standard_normal(n) * 3)
        self.g = self._operand(rng.standard_normal(n))
        self.y = self._operand(np.zeros(n))
        self.s = SimpleNamespace(t=np.zeros(self.shape, dtype), u=np.zeros(self.shape, dtype),
                                 m=np.zeros(self.shape, bool), m2=np.zeros(self.shape, bool))
        self.consts = {name: dtype.type(v) for name, v in
                       {"a": ALPHA, "c": C, "k": K, "k3": 3 * K, "h": 0.5, "sa": SELU_SA,
                        "sc": SELU_SCALE, "th": THRESHOLD, "v": VALUE}.items()}
        self.half = dtype.itemsize == 2
        self._forward_output = {}
        if _torch is not None:
            self.tx, self.tg, self.ty = _tensor(self.x), _tensor(self.g), _tensor(self.y)
            self.ts = SimpleNamespace(t=_tensor(self.s.t), u=_tensor(self.s.u))

    @property
    def dtype(self):
        return self._dtype

    def _operand(self, values):
        """values (n float64s) in the layout: a 1-D array, or z[:, :d] of a new (rows, 2d) z."""
        if self.layout == "contiguous":
            return values.astype(self.dtype)
        rows, d = self.shape
        z = np.zeros((rows, 2 * d), self.dtype)
        z[:, :d] = values.reshape(rows, d)
        return z[:, :d]

    def input(self, function):
        """x, or for the *_y rows the forward output that the derivative reads (in the same
        layout as x)."""
        row = FUNCTIONS[function]
        if row.kind != "grad_y":
            return self.x
        if function not in self._forward_output:
            out = self._operand(np.zeros(self.size))
            getattr(cyacts, row.op.name)(self.x, out=out, **row.params)
            self._forward_output[function] = out
        return self._forward_output[function]

    def contenders(self, function):
        """{name: (callable, args)} for `function`: cyacts, each peer installed, written for it
        in PEER_FORMS and able to run on the dtype, and the memory-pass candidates
        ("memory:<form>", see memory_passes).

        16-bit dtypes: numexpr has no 16-bit types; NumPy runs its formula (float16 ufuncs are
        computed in software, bfloat16 ones are ml_dtypes'), and a peer that raises on the dtype
        is left out and listed in self.left_out.
        """
        row = FUNCTIONS[function]
        numpy_f, torch_f, expr = PEER_FORMS.get(function, (None, None, None))
        x, y = self.input(function), self.y
        g = self.g if _is_backward(function) else None
        out = {"cyacts": (functools.partial(getattr(cyacts, row.function), out=y, **row.kwargs),
                          (x,) if g is None else (x, g))}
        self.left_out = {}
        if numpy_f is not None:
            out["numpy"] = (numpy_f, (x, g, y, self.s))
        if _ne is not None and expr is not None:
            if self.half:
                self.left_out["numexpr"] = "numexpr has no 16-bit types"
            else:
                local = dict(self.consts, x=x, g=g) if g is not None else dict(self.consts, x=x)
                out["numexpr"] = (functools.partial(_ne.evaluate, expr, local_dict=local, out=y),
                                  ())
        if _torch is not None and torch_f is not None:
            tx = self.tx if x is self.x else _tensor(x)
            out["torch"] = (torch_f, (tx, None if g is None else self.tg, self.ty, self.ts))
        if self.half:
            for name in ("numpy", "torch"):
                if name in out:
                    try:
                        out[name][0](*out[name][1])
                    except (TypeError, RuntimeError, NotImplementedError) as exc:
                        self.left_out[name] = f"{type(exc).__name__}: {exc}".splitlines()[0]
                        del out[name]
        for form, contender in self.memory_passes(x, g).items():
            out["memory:" + form] = contender
        return out

    def memory_passes(self, x, g=None):
        """{form: (callable, args)}: ways to move the cell's bytes (read x, or g and x, write
        the output) at the speed of memory; the fastest of them is the cell's memory pass.
        16-bit float multiplies are no memory pass (NumPy's float16 is computed in software),
        so there the NumPy forms move the raw bits."""
        y, forms = self.y, {}
        if not self.half:
            forms["numpy multiply"] = (np.multiply, (x, 1, y) if g is None else (g, x, y))
        elif g is None:
            forms["numpy copyto (bits)"] = (np.copyto, (_bits(y), _bits(x)))
        else:
            forms["numpy bitwise_or (bits)"] = (np.bitwise_or, (_bits(g), _bits(x), _bits(y)))
        if _torch is not None:
            tx = self.tx if x is self.x else _tensor(x)
            if g is None:
                forms["torch copy_"] = (self.ty.copy_, (tx,))
            else:
                forms["torch mul"] = (functools.partial(_torch.mul, out=self.ty), (self.tg, tx))
        return forms


# --------------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------------
def _time_cell(contenders, budget, min_rounds, max_rounds, sample=2e-4):
    """{name: (median, min, calls per sample, samples)} in seconds per call.

    Each sample loops enough calls to last about `sample` seconds; the contenders take turns,
    one sample each per round, so that a disturbance on the machine hits them alike; the rounds
    last about `budget` seconds in all.
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
    rounds = min(max_rounds, max(min_rounds, int(budget / per_round)))
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


def _check_dtypes(dtypes):
    dtypes = list(dtypes or DTYPES)
    if "all" in dtypes:
        dtypes = list(ALL_DTYPES)
    for name in dtypes:
        dtype_of(name)                          # unknown, or bfloat16 without ml_dtypes: refused
    return dtypes


def _check_layouts(layouts):
    layouts = list(layouts or ("contiguous",))
    unknown = [layout for layout in layouts if layout not in LAYOUTS]
    if unknown:
        raise ValueError(f"unknown layout(s) {unknown}; choose from {list(LAYOUTS)}")
    return layouts


def _memory(timed):
    """Take the memory-pass candidates out of `timed`: (fastest form, {form: median})."""
    candidates = {name.split(":", 1)[1]: timed.pop(name) for name in list(timed)
                  if name.startswith("memory:")}
    form = min(candidates, key=lambda f: candidates[f][0])
    timed["memory"] = candidates[form]
    return form, {f: t[0] for f, t in candidates.items()}


def run(functions=None, dtypes=DTYPES, sizes=None, threads=None, quick=False, progress=True,
        layouts=("contiguous",)):
    """Time every (function, dtype, size, layout) cell; a list of one dict per cell (seconds).

    dtypes: names of ALL_DTYPES (or "all"); layouts: of LAYOUTS (see _Buffers). The cells of one
    function and size follow each other in the list, layouts side by side.
    """
    functions = _check_functions(functions)
    dtypes = _check_dtypes(dtypes)
    layouts = _check_layouts(layouts)
    sizes = list(sizes or (QUICK_SIZES if quick else DEFAULT_SIZES))
    threads = cyacts.get_num_threads() if threads is None else int(threads)
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    budget, min_repeats, max_repeats = (0.04, 3, 25) if quick else (0.25, 5, 200)
    # one buffer set at a time (a 3.2e7 float64 set is about 1.5 GB): layouts in blocks, sorted
    # side by side at the end
    cells = [(d, n, layout, f) for d in dtypes for n in sizes for layout in layouts
             for f in functions]
    bar = _Progress([n + 2e5 for _, n, _, _ in cells], enabled=progress)
    results, buffers = [], None
    with _Threads(threads):
        for dtype, n, layout, function in cells:
            if buffers is None or (buffers.dtype.name, buffers.size, buffers.layout) != (
                    dtype, n, layout):
                buffers = None                      # free the previous arrays first
                buffers = _Buffers(n, dtype, layout=layout)
            few = min_repeats if n < 10**7 else 3     # huge arrays: seconds per NumPy call
            contenders = buffers.contenders(function)
            # the memory-pass candidates share one contender's budget
            kinds = sum(not name.startswith("memory:") for name in contenders) + 1
            timed = _time_cell(contenders, budget * kinds, few, max_repeats)
            memory_form, memory_candidates = _memory(timed)
            times = {name: t[0] for name, t in timed.items()}
            detail = {name: {"min": t[1], "calls_per_sample": t[2], "samples": t[3]}
                      for name, t in timed.items()}
            peers = {p: times[p] for p in PEERS if p in times}
            best = min(peers, key=peers.get) if peers else None
            target = _target(n, peers.get(best), times["memory"])
            results.append({
                "function": function, "dtype": dtype, "size": n, "layout": layout,
                "shape": list(buffers.shape), "threads": threads,
                "times": times, "detail": detail,
                "memory_pass": memory_form, "memory_candidates": memory_candidates,
                "left_out": dict(buffers.left_out),
                "best_peer": best, "best_peer_time": peers.get(best),
                "ratio": peers[best] / times["cyacts"] if best else None,
                "target_time": target,
                "meets_target": None if target is None else bool(times["cyacts"] <= target),
            })
            bar.update(n + 2e5, f"{_label(results[-1])} {dtype} {_size(n)}")
    order = {(d, n, f): i for i, (d, n, _, f) in enumerate(cells)}
    results.sort(key=lambda r: (order[r["dtype"], r["size"], r["function"]],
                                layouts.index(r["layout"])))
    return results


def outputs(function, dtype="float64", n=1000, seed=0, layout="contiguous"):
    """Run each contender of one cell once: ({name: output copy}, x, grad_output or None).

    The contenders are checked against cyacts.reference with this, so that the benchmark
    compares like with like; the memory-pass candidates are "memory:<form>".
    """
    _check_functions([function])
    b = _Buffers(n, dtype, seed, layout=layout)
    results = {}
    for name, (fn, args) in b.contenders(function).items():
        b.y[...] = np.nan
        r = fn(*args)
        if hasattr(r, "data_ptr") and r.data_ptr() != b.ty.data_ptr():
            b.ty.copy_(r)  # a torch op without an out= form (mish_backward) returns a new tensor
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
        rows.append([_label(r), r["dtype"], _size(r["size"]), *(
            _cell(r, name) for name in ("cyacts", *peers, "memory")), ratio, ok])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines += ["", _summary(results)]
    return "\n".join(lines)


def _label(result):
    """The function's name, with the layout in brackets where it is not contiguous."""
    layout = result.get("layout", "contiguous")
    return result["function"] + ("" if layout == "contiguous" else f"[{layout}]")


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
    forms = {}
    for r in results:
        forms[r["memory_pass"]] = forms.get(r["memory_pass"], 0) + 1
    lines = [f"cells meeting the target: {count(judged)} (below 1e5: {count(small)}, "
             f"1e5 and up: {count(large)}); geometric mean of best peer / cyacts: {gmean:.2f}",
             "target: below 1e5 elements cyacts <= best peer; from 1e5 on "
             "cyacts <= max(0.67 x best peer, 1.05 x memory pass)",
             "memory pass: the fastest form in each cell; cells per form: "
             + ", ".join(f"{form} {k}" for form, k in forms.items()),
             f"times are medians; * marks a median more than {NOISY} x the fastest sample "
             "(something else was running)"]
    left_out = sorted({(peer, r["dtype"]) for r in results for peer in r["left_out"]})
    if left_out:
        lines.append("left out: " + ", ".join(f"{peer} on {dtype}" for peer, dtype in left_out)
                     + " (no such kernel or type)")
    if any(r["layout"] == "view" for r in results):
        lines.append(f"[view]: x, grad_output and the output are each z[:, :d] of their own "
                     f"(rows, 2d) array, d up to {VIEW_WIDTH} (the JSON has each shape)")
    return "\n".join(lines)


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
    modules = (("scipy", _sp), ("numexpr", _ne), ("torch", _torch),
               ("ml_dtypes", sys.modules.get("ml_dtypes")))   # where bfloat16 was asked for
    for name, module in modules:
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
        layouts = LAYOUTS if getattr(args, "layout", None) == "view" else ("contiguous",)
        results = run(functions=args.functions, dtypes=args.dtype, sizes=args.sizes,
                      threads=args.threads, quick=args.quick, layouts=layouts)
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
            "dtypes": _check_dtypes(args.dtype), "layouts": list(layouts),
            "functions": args.functions or list(FUNCTIONS),
            "sizes": args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)},
            "results": results,
            "summary": {"cells": sum(r["meets_target"] is not None for r in results),
                        "meeting_target": sum(bool(r["meets_target"]) for r in results)}}
        with open(args.json, "w") as fh:
            json.dump(record, fh, indent=1)
        print(f"wrote {args.json}")
    return 0
