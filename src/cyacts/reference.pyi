"""Types of cyacts.reference, the pure-NumPy oracle (see reference.py)."""
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "relu", "leaky_relu", "relu6", "gelu", "tanh", "sigmoid",
    "relu_grad", "leaky_relu_grad", "relu6_grad", "gelu_grad", "tanh_grad", "sigmoid_grad",
]

# A NumPy array, or a NumPy scalar for scalar and 0-d inputs.
_Result: TypeAlias = npt.NDArray[np.floating[Any]] | np.floating[Any]
_Approximate: TypeAlias = Literal["none", "tanh"]

def relu(x: npt.ArrayLike) -> _Result: ...
def leaky_relu(x: npt.ArrayLike, alpha: float | npt.ArrayLike = 0.01) -> _Result: ...
def relu6(x: npt.ArrayLike) -> _Result: ...
def gelu(x: npt.ArrayLike, approximate: _Approximate = "none") -> _Result: ...
def tanh(x: npt.ArrayLike) -> _Result: ...
def sigmoid(x: npt.ArrayLike) -> _Result: ...
def relu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, from_output: bool = False
) -> _Result: ...
def leaky_relu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, from_output: bool = False,
    alpha: float | npt.ArrayLike = 0.01,
) -> _Result: ...
def relu6_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, from_output: bool = False
) -> _Result: ...
def gelu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, from_output: bool = False,
    approximate: _Approximate = "none",
) -> _Result: ...
def tanh_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, from_output: bool = False
) -> _Result: ...
def sigmoid_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, from_output: bool = False
) -> _Result: ...
