"""cyacts: fast, exact activation functions and their derivatives for NumPy arrays.

    >>> import numpy as np, cyacts
    >>> x = np.linspace(-3, 3, 7, dtype=np.float32)
    >>> cyacts.gelu_(x) is x          # in place
    True

Forward: relu, leaky_relu, relu6, gelu, tanh, sigmoid (and the in-place relu_, ... sigmoid_).
Derivatives: relu_grad, ..., sigmoid_grad. Along an axis: softmax, log_softmax, logsumexp,
softmax_grad, log_softmax_grad (and softmax_, log_softmax_). The pure-NumPy oracle is
cyacts.reference.
"""
import os as _os

from . import _openmp

with _openmp.load_runtime():  # its libgomp waits briefly between calls (_openmp.py)
    from . import _core
from .api import *  # noqa: F401,F403
from ._version import __version__
from .api import __all__ as _api_all
from ._softmax import *  # noqa: F401,F403  (softmax, log_softmax, logsumexp, derivatives)
from ._softmax import __all__ as _softmax_all


def get_include():
    """The folder holding cyacts/cyacts.h, for C and Cython builds (-I)."""
    return _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "include")


def config():
    """How this copy of cyacts was built and what it runs on."""
    return {
        "version": __version__,
        "openmp": _core.OPENMP,
        "threads": get_num_threads(),  # noqa: F405
        "compiler": _core.COMPILER,
        "flags": _core.BUILD_FLAGS,
        "simd": _core.simd_level(),
        "simd_available": list(_core.AVAILABLE_LEVELS),
        "openmp_wait": _openmp.state if _core.OPENMP else "no OpenMP",
    }


def show_config():
    """Print config(), one item a line."""
    for key, value in config().items():
        print(f"{key:>15}: {value}")


__all__ = [*_api_all, "get_include", "config", "show_config", "reference", "__version__",
           *_softmax_all]

from . import reference  # noqa: E402
