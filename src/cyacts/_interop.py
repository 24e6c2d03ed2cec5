"""Arrays of other libraries in and out of cyacts: PyTorch tensors, JAX arrays, array API arrays.

Design
------
A. Only the general path sees them. The generated functions try the compiled fast path first,
   which takes nothing but ndarrays; api.py's general path asks `involves(...)` (a type check
   per argument) and hands the whole call to `call(func, ...)`, which reads every foreign array
   as a NumPy view, calls the same public function again on the views, and turns the result
   into an array of the caller's library. Any function can do the same (`call` knows nothing
   of activations): NumPy callers keep their path and its cost.
B. Foreign means: not an ndarray, and speaks DLPack (`__dlpack__`). Reading is `np.from_dlpack`,
   a view of the same memory: no copy, whatever the layout. DLPack has a bfloat16 code that
   NumPy cannot import, so a bfloat16 export is relabelled as uint16 (the same bits) on the
   capsule itself and viewed as ml_dtypes.bfloat16; results go back the same way. A device
   that is not host memory is refused with a TypeError naming it.
C. The result belongs to the library of the first array argument (x, then grad_output, then
   array parameters), NumPy included: a torch x with a NumPy grad_output gives a tensor, a
   NumPy x with a torch grad_output an ndarray. Dtypes follow NumPy's rules on the views (a
   torch float32 x with a float64 grad_output gives float64). With `out=`, the result is `out`
   itself. Results are handed over by the library's `from_dlpack` (its `__array_namespace__()`,
   else the module the type comes from): no copy where the library allows (PyTorch,
   array_api_strict; JAX copies what NumPy allocated, as its CPU buffers need 64-byte
   alignment).
D. Writing (`out=`, `relu_`) needs an array whose export is writable: a read-only export is
   what an immutable array gives (JAX) and is refused with a TypeError. PyTorch has its own
   adapter, for its rules and its speed: `Tensor.numpy()` and `torch.from_numpy` are the
   same zero-copy views as DLPack, several times cheaper; tensors that require grad are read
   through `detach()` (out of place computes without tracking: the result requires no grad),
   and are refused as targets of a write while grad mode is on (autograd would not see the
   write and give wrong gradients; `torch.no_grad()` allows it, as PyTorch does); every write
   bumps the tensor's version counter, as PyTorch's in-place operations do, so that autograd
   refuses a saved tensor that cyacts overwrote. `cyacts.torch` has the autograd functions.
"""
import ctypes

import numpy as np

from ._core import is_bfloat16

# DLPack's data type codes and the device types whose memory the CPU reads directly
_DL_UINT, _DL_BFLOAT = 1, 4
_HOST_DEVICES = (1, 3, 11, 13)  # CPU, CUDA pinned host, ROCm pinned host, CUDA managed
_DEVICE_NAMES = {2: "CUDA", 4: "OpenCL", 7: "Vulkan", 8: "Metal", 9: "VPI", 10: "ROCm",
                 12: "ext_dev", 14: "oneAPI", 15: "WebGPU", 16: "Hexagon", 17: "MAIA"}


# types that are never foreign arrays, answered without a (slow, failing) attribute lookup
_PLAIN = frozenset({type(None), bool, int, float, complex, str, list, tuple, np.ndarray})


def is_foreign(value):
    """An array of another library: it speaks DLPack and is not a NumPy array."""
    kind = type(value)
    return (kind not in _PLAIN and hasattr(kind, "__dlpack__")
            and not issubclass(kind, np.ndarray))


def involves(*values):
    """Whether any of the values is a foreign array (the general path's one question)."""
    for value in values:
        if is_foreign(value):
            return True
    return False


def call(func, *args, **kwargs):
    """func(*args, **kwargs) with foreign arrays read as NumPy views; the result (or each of a
    tuple of results) as an array of the first array argument's library, or `out` itself when
    given (an array, or a tuple of them)."""
    code = func.__code__
    names = code.co_varnames[:code.co_argcount]
    owner = None  # the library of the first array argument (None: NumPy's)
    found = False
    args = list(args)
    for i, (name, value) in enumerate(zip(names, args)):
        args[i], owner, found = _argument(value, name, owner, found)
    out = kwargs.pop("out", None)
    for name, value in kwargs.items():
        kwargs[name], owner, found = _argument(value, name, owner, found)
    if out is None:
        result = func(*args, out=None, **kwargs)
        if owner is None:
            return result
        if isinstance(result, tuple):  # the gated units' two gradients
            return tuple(owner.wrap(r) for r in result)
        return owner.wrap(result)
    outs = out if isinstance(out, tuple) else (out,)
    names = [f"out[{i}]" for i in range(len(outs))] if isinstance(out, tuple) else ["out"]
    targets = [library(o) if is_foreign(o) else None for o in outs]
    views = tuple(o if t is None else t.writable(o, name)
                  for o, t, name in zip(outs, targets, names))
    func(*args, out=views if isinstance(out, tuple) else views[0], **kwargs)
    for o, t in zip(outs, targets):
        if t is not None:
            t.written(o)
    return out


def _argument(value, name, owner, found):
    """(the value as cyacts takes it, the result's library, whether an array was seen)."""
    if not is_foreign(value):
        return value, owner, found or isinstance(value, np.ndarray)
    lib = library(value)
    return lib.read(value, name), (lib if not found else owner), True


def check_inplace(x, name):
    """The writable NumPy view of a foreign array an in-place function was given."""
    return library(x).writable(x, name)


# --------------------------------------------------------------------------------------------
# libraries
# --------------------------------------------------------------------------------------------
_LIBRARIES = {}


def library(value):
    """The adapter for the library of `value` (one per type, made on first use)."""
    kind = type(value)
    lib = _LIBRARIES.get(kind)
    if lib is None:
        top = kind.__module__.partition(".")[0]
        lib = _LIBRARIES[kind] = (Torch if top == "torch" else Library)(value)
    return lib


def _bfloat16():
    try:
        import ml_dtypes
    except ImportError:
        raise TypeError("bfloat16 arrays need ml_dtypes (pip install ml_dtypes), the NumPy "
                        "dtype cyacts computes them as") from None
    return np.dtype(ml_dtypes.bfloat16)


class Library:
    """An array library reached through DLPack and its array API namespace."""

    def __init__(self, sample):
        import sys

        if hasattr(sample, "__array_namespace__"):
            self.namespace = sample.__array_namespace__()
        else:  # PyTorch's tensors have no __array_namespace__, but torch has from_dlpack
            self.namespace = sys.modules.get(type(sample).__module__.partition(".")[0])
        self.name = getattr(self.namespace, "__name__", type(sample).__module__).partition(".")[0]

    def read(self, value, name):
        try:
            return np.from_dlpack(value)
        except Exception as exc:  # each library raises its own error: sort it out here
            self._check_device(value, name)
            if "bfloat16" in str(getattr(value, "dtype", "")):
                return np.from_dlpack(_Relabelled(value, _DL_BFLOAT, _DL_UINT)).view(_bfloat16())
            raise TypeError(f"{name}: cannot read this {self.name} array through DLPack: "
                            f"{exc}") from None

    def writable(self, value, name):
        array = self.read(value, name)
        if not array.flags.writeable:
            raise TypeError(f"{name} is a read-only {self.name} array (its DLPack export is "
                            "read-only, as an immutable array's is): cyacts cannot write into "
                            "it; use the out-of-place function instead")
        return array

    def written(self, value):
        """Called after cyacts wrote into `value`."""

    def wrap(self, result):
        """The NumPy result as an array of this library."""
        from_dlpack = getattr(self.namespace, "from_dlpack", None)
        if from_dlpack is None:
            return result
        result = np.asarray(result)  # a 0-d result is a NumPy scalar, which has no __dlpack__
        if _is_bfloat16(result.dtype):
            return from_dlpack(_Relabelled(result.view(np.uint16), _DL_UINT, _DL_BFLOAT))
        return from_dlpack(result)

    def _check_device(self, value, name):
        try:
            device_type, device_id = value.__dlpack_device__()
        except Exception as exc:
            raise TypeError(f"{name}: this {self.name} array does not say where its data is "
                            f"(__dlpack_device__ failed: {exc})") from None
        if int(device_type) not in _HOST_DEVICES:
            kind = _DEVICE_NAMES.get(int(device_type), f"DLPack type {int(device_type)}")
            raise TypeError(f"{name} is on {kind} device {device_id}: cyacts computes on the "
                            "CPU; copy it to the CPU first")


def _is_bfloat16(dtype):
    return dtype.kind != "f" and is_bfloat16(dtype)


class Torch(Library):
    """PyTorch: Tensor.numpy() and torch.from_numpy, the DLPack views several times cheaper,
    and autograd's rules (module docstring, D)."""

    def __init__(self, sample):
        import torch

        super().__init__(sample)
        self.torch = torch
        graph = torch.autograd.graph
        self.bump = getattr(graph, "increment_version", None)

    def read(self, value, name):
        if value.requires_grad:
            value = value.detach()
        try:
            return value.numpy()
        except Exception as exc:
            if value.device.type != "cpu":
                raise TypeError(f"{name} is on the {value.device} device: cyacts computes on "
                                f"the CPU; move it there first ({name}.cpu())") from None
            if value.dtype == self.torch.bfloat16:
                return value.view(self.torch.int16).numpy().view(_bfloat16())
            raise TypeError(f"{name}: cannot read this tensor: {exc}") from None

    def writable(self, value, name):
        torch = self.torch
        if value.requires_grad and torch.is_grad_enabled():
            what = "a leaf tensor that requires grad" if value.is_leaf else "part of a graph"
            raise TypeError(f"{name} is {what}: cyacts would write into it behind autograd's "
                            "back and the gradients would be wrong; use cyacts.torch's "
                            "modules (inplace=True) for autograd, or write under "
                            "torch.no_grad()")
        if value.is_inference() and not torch.is_inference_mode_enabled():
            raise TypeError(f"{name} is an inference tensor: it can only be written in place "
                            "inside torch.inference_mode()")
        return self.read(value, name)

    def written(self, value):
        if self.bump is not None:
            self.bump(value)

    def wrap(self, result):
        result = np.asarray(result)
        if _is_bfloat16(result.dtype):
            return self.torch.from_numpy(result.view(np.int16)).view(self.torch.bfloat16)
        return self.torch.from_numpy(result)


# --------------------------------------------------------------------------------------------
# bfloat16 through DLPack: the capsule's data type relabelled
# --------------------------------------------------------------------------------------------
class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device_type", ctypes.c_int32),
                ("device_id", ctypes.c_int32), ("ndim", ctypes.c_int32),
                ("dtype", _DLDataType), ("shape", ctypes.c_void_p),
                ("strides", ctypes.c_void_p), ("byte_offset", ctypes.c_uint64)]


class _DLManagedTensor(ctypes.Structure):  # capsule "dltensor"
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p)]


class _DLManagedTensorVersioned(ctypes.Structure):  # capsule "dltensor_versioned" (DLPack 1.x)
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32),
                ("manager_ctx", ctypes.c_void_p), ("deleter", ctypes.c_void_p),
                ("flags", ctypes.c_uint64), ("dl_tensor", _DLTensor)]


_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.restype, _capsule_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class _Relabelled:
    """`source`'s DLPack export with its 16-bit data type code changed from `old` to `new`:
    the same memory, read as other 16-bit numbers. The producer's deleter does not read the
    data type, so the capsule stays the producer's to free."""

    def __init__(self, source, old, new):
        self.source, self.old, self.new = source, old, new

    def __dlpack_device__(self):
        return self.source.__dlpack_device__()

    def __dlpack__(self, **kwargs):
        # the capsule kind the consumer asked for: DLPack 1.x only when it says it reads it
        version = kwargs.get("max_version")
        capsule = (self.source.__dlpack__(max_version=version) if version
                   else self.source.__dlpack__())
        name = _capsule_name(capsule)
        layout = _DLManagedTensorVersioned if name == b"dltensor_versioned" else _DLManagedTensor
        dtype = layout.from_address(_capsule_pointer(capsule, name)).dl_tensor.dtype
        if (dtype.code, dtype.bits, dtype.lanes) != (self.old, 16, 1):
            raise TypeError(f"expected a 16-bit DLPack export of type code {self.old}, got "
                            f"code {dtype.code}, {dtype.bits} bits, {dtype.lanes} lanes")
        dtype.code = self.new
        return capsule
