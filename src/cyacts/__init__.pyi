"""Types of cyacts: fast, exact activation functions and their derivatives for NumPy arrays."""
from typing import Any

from . import reference as reference
from .api import gelu as gelu
from .api import gelu_ as gelu_
from .api import gelu_grad as gelu_grad
from .api import get_num_threads as get_num_threads
from .api import leaky_relu as leaky_relu
from .api import leaky_relu_ as leaky_relu_
from .api import leaky_relu_grad as leaky_relu_grad
from .api import relu as relu
from .api import relu6 as relu6
from .api import relu6_ as relu6_
from .api import relu6_grad as relu6_grad
from .api import relu_ as relu_
from .api import relu_grad as relu_grad
from .api import set_num_threads as set_num_threads
from .api import sigmoid as sigmoid
from .api import sigmoid_ as sigmoid_
from .api import sigmoid_grad as sigmoid_grad
from .api import tanh as tanh
from .api import tanh_ as tanh_
from .api import tanh_grad as tanh_grad

__version__: str
__all__ = [
    "relu", "leaky_relu", "relu6", "gelu", "tanh", "sigmoid",
    "relu_", "leaky_relu_", "relu6_", "gelu_", "tanh_", "sigmoid_",
    "relu_grad", "leaky_relu_grad", "relu6_grad", "gelu_grad", "tanh_grad", "sigmoid_grad",
    "get_num_threads", "set_num_threads",
    "get_include", "config", "show_config", "reference", "__version__",
]

def get_include() -> str: ...
def config() -> dict[str, Any]: ...
def show_config() -> None: ...
