"""Types of the Python surface of cyacts (see api.py)."""
from typing import Any, Literal, TypeAlias, TypeVar, overload

import numpy as np
import numpy.typing as npt

__all__ = [
    "relu", "leaky_relu", "relu6", "gelu", "tanh", "sigmoid",
    "relu_", "leaky_relu_", "relu6_", "gelu_", "tanh_", "sigmoid_",
    "relu_grad", "leaky_relu_grad", "relu6_grad", "gelu_grad", "tanh_grad", "sigmoid_grad",
    "get_num_threads", "set_num_threads",
]

# The dtypes cyacts computes in: float16 (through float32), float32, float64. Bool and integer
# inputs give float64 results out of place.
_Float: TypeAlias = np.float16 | np.float32 | np.float64
_FloatT = TypeVar("_FloatT", np.float16, np.float32, np.float64)
# An `out` array (or an in-place argument) comes back as the same object.
_OutT = TypeVar("_OutT", bound=np.ndarray[Any, Any])
# A Python or NumPy real number: a number in gives a NumPy scalar out (as a ufunc).
_Scalar: TypeAlias = float | np.floating[Any] | np.integer[Any] | np.bool_
_Approximate: TypeAlias = Literal["none", "tanh"]
# leaky_relu's slope: one number, or an array broadcastable to x (per-channel, as PReLU).
_Alpha: TypeAlias = float | npt.ArrayLike

# ---- forward --------------------------------------------------------------------------------
@overload
def relu(x: npt.ArrayLike, *, out: _OutT, n_threads: int | None = None) -> _OutT: ...
@overload
def relu(x: _Scalar, *, out: None = None, n_threads: int | None = None) -> np.floating[Any]: ...
@overload
def relu(
    x: npt.NDArray[_FloatT], *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_FloatT]: ...
@overload
def relu(
    x: npt.ArrayLike, *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_Float]: ...
@overload
def leaky_relu(
    x: npt.ArrayLike, alpha: _Alpha = 0.01, *, out: _OutT, n_threads: int | None = None
) -> _OutT: ...
@overload
def leaky_relu(
    x: _Scalar, alpha: float = 0.01, *, out: None = None, n_threads: int | None = None
) -> np.floating[Any]: ...
@overload
def leaky_relu(
    x: npt.NDArray[_FloatT], alpha: _Alpha = 0.01, *, out: None = None,
    n_threads: int | None = None,
) -> npt.NDArray[_FloatT]: ...
@overload
def leaky_relu(
    x: npt.ArrayLike, alpha: _Alpha = 0.01, *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_Float]: ...
@overload
def relu6(x: npt.ArrayLike, *, out: _OutT, n_threads: int | None = None) -> _OutT: ...
@overload
def relu6(x: _Scalar, *, out: None = None, n_threads: int | None = None) -> np.floating[Any]: ...
@overload
def relu6(
    x: npt.NDArray[_FloatT], *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_FloatT]: ...
@overload
def relu6(
    x: npt.ArrayLike, *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_Float]: ...
@overload
def gelu(
    x: npt.ArrayLike, *, approximate: _Approximate = "none", out: _OutT,
    n_threads: int | None = None,
) -> _OutT: ...
@overload
def gelu(
    x: _Scalar, *, approximate: _Approximate = "none", out: None = None,
    n_threads: int | None = None,
) -> np.floating[Any]: ...
@overload
def gelu(
    x: npt.NDArray[_FloatT], *, approximate: _Approximate = "none", out: None = None,
    n_threads: int | None = None,
) -> npt.NDArray[_FloatT]: ...
@overload
def gelu(
    x: npt.ArrayLike, *, approximate: _Approximate = "none", out: None = None,
    n_threads: int | None = None,
) -> npt.NDArray[_Float]: ...
@overload
def tanh(x: npt.ArrayLike, *, out: _OutT, n_threads: int | None = None) -> _OutT: ...
@overload
def tanh(x: _Scalar, *, out: None = None, n_threads: int | None = None) -> np.floating[Any]: ...
@overload
def tanh(
    x: npt.NDArray[_FloatT], *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_FloatT]: ...
@overload
def tanh(
    x: npt.ArrayLike, *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_Float]: ...
@overload
def sigmoid(x: npt.ArrayLike, *, out: _OutT, n_threads: int | None = None) -> _OutT: ...
@overload
def sigmoid(
    x: _Scalar, *, out: None = None, n_threads: int | None = None
) -> np.floating[Any]: ...
@overload
def sigmoid(
    x: npt.NDArray[_FloatT], *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_FloatT]: ...
@overload
def sigmoid(
    x: npt.ArrayLike, *, out: None = None, n_threads: int | None = None
) -> npt.NDArray[_Float]: ...

# ---- in place: x is overwritten and returned ------------------------------------------------
_InplaceT = TypeVar("_InplaceT", bound=npt.NDArray[np.floating[Any]])

def relu_(x: _InplaceT) -> _InplaceT: ...
def leaky_relu_(x: _InplaceT, alpha: _Alpha = 0.01) -> _InplaceT: ...
def relu6_(x: _InplaceT) -> _InplaceT: ...
def gelu_(x: _InplaceT, *, approximate: _Approximate = "none") -> _InplaceT: ...
def tanh_(x: _InplaceT) -> _InplaceT: ...
def sigmoid_(x: _InplaceT) -> _InplaceT: ...

# ---- derivatives: f'(x), or grad_output * f'(x) ---------------------------------------------
@overload
def relu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: _OutT,
    n_threads: int | None = None, from_output: bool = False,
) -> _OutT: ...
@overload
def relu_grad(
    x: _Scalar, grad_output: _Scalar | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> np.floating[Any]: ...
@overload
def relu_grad(
    x: npt.NDArray[_FloatT], grad_output: None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_FloatT]: ...
@overload
def relu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_Float]: ...
@overload
def leaky_relu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, alpha: _Alpha = 0.01,
    out: _OutT, n_threads: int | None = None, from_output: bool = False,
) -> _OutT: ...
@overload
def leaky_relu_grad(
    x: _Scalar, grad_output: _Scalar | None = None, *, alpha: float = 0.01, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> np.floating[Any]: ...
@overload
def leaky_relu_grad(
    x: npt.NDArray[_FloatT], grad_output: None = None, *, alpha: _Alpha = 0.01,
    out: None = None, n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_FloatT]: ...
@overload
def leaky_relu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, alpha: _Alpha = 0.01,
    out: None = None, n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_Float]: ...
@overload
def relu6_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: _OutT,
    n_threads: int | None = None, from_output: bool = False,
) -> _OutT: ...
@overload
def relu6_grad(
    x: _Scalar, grad_output: _Scalar | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> np.floating[Any]: ...
@overload
def relu6_grad(
    x: npt.NDArray[_FloatT], grad_output: None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_FloatT]: ...
@overload
def relu6_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_Float]: ...
@overload
def gelu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *,
    approximate: _Approximate = "none", out: _OutT, n_threads: int | None = None,
    from_output: bool = False,
) -> _OutT: ...
@overload
def gelu_grad(
    x: _Scalar, grad_output: _Scalar | None = None, *, approximate: _Approximate = "none",
    out: None = None, n_threads: int | None = None, from_output: bool = False,
) -> np.floating[Any]: ...
@overload
def gelu_grad(
    x: npt.NDArray[_FloatT], grad_output: None = None, *, approximate: _Approximate = "none",
    out: None = None, n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_FloatT]: ...
@overload
def gelu_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *,
    approximate: _Approximate = "none", out: None = None, n_threads: int | None = None,
    from_output: bool = False,
) -> npt.NDArray[_Float]: ...
@overload
def tanh_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: _OutT,
    n_threads: int | None = None, from_output: bool = False,
) -> _OutT: ...
@overload
def tanh_grad(
    x: _Scalar, grad_output: _Scalar | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> np.floating[Any]: ...
@overload
def tanh_grad(
    x: npt.NDArray[_FloatT], grad_output: None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_FloatT]: ...
@overload
def tanh_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_Float]: ...
@overload
def sigmoid_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: _OutT,
    n_threads: int | None = None, from_output: bool = False,
) -> _OutT: ...
@overload
def sigmoid_grad(
    x: _Scalar, grad_output: _Scalar | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> np.floating[Any]: ...
@overload
def sigmoid_grad(
    x: npt.NDArray[_FloatT], grad_output: None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_FloatT]: ...
@overload
def sigmoid_grad(
    x: npt.ArrayLike, grad_output: npt.ArrayLike | None = None, *, out: None = None,
    n_threads: int | None = None, from_output: bool = False,
) -> npt.NDArray[_Float]: ...

# ---- threads --------------------------------------------------------------------------------
def get_num_threads() -> int: ...
def set_num_threads(n: int) -> None: ...
