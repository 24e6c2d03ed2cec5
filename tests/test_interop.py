"""Arrays of other libraries in and out of cyacts (PyTorch, JAX, array_api_strict): the same
bits as NumPy arrays, results of the caller's library, zero copy, in-place writes into their
memory, and the refusals (immutable arrays, other devices, tensors that require grad).

Each library's tests are skipped when it is not installed."""
import subprocess
import sys

import numpy as np
import pytest

import cyacts
from cyacts import _interop, _ops

from conftest import FORWARD, GRAD, fn


def _torch():
    torch = pytest.importorskip("torch")
    return {"name": "torch", "type": torch.Tensor, "make": lambda a: torch.from_numpy(np.array(a)),
            "dtype": lambda d: getattr(torch, d)}


def _jax():
    pytest.importorskip("jax")
    import jax.numpy as jnp

    return {"name": "jax", "type": type(jnp.zeros(1)), "make": jnp.asarray,
            "dtype": lambda d: getattr(jnp, d)}


def _strict():
    xp = pytest.importorskip("array_api_strict")
    return {"name": "array_api_strict", "type": type(xp.zeros(1)), "make": xp.asarray,
            "dtype": lambda d: getattr(xp, d)}


LIBRARIES = {"torch": _torch, "jax": _jax, "array_api_strict": _strict}


@pytest.fixture(params=sorted(LIBRARIES))
def lib(request):
    return LIBRARIES[request.param]()


def numpy_of(value):
    return np.from_dlpack(value) if not isinstance(value, np.ndarray) else value


def _values(n=64, dtype=np.float32, seed=0):
    v = np.random.default_rng(seed).uniform(-8, 8, n)
    v[:4] = [0.0, -0.0, np.inf, -np.inf]
    return v.astype(dtype)


# --------------------------------------------------------------------------------------------
# the same bits as NumPy, results in the caller's library
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", FORWARD + GRAD, ids=[c[0] for c in FORWARD + GRAD])
def test_every_function_gives_numpys_bits(lib, case):
    _, name, kw = case
    a = _values().reshape(8, 8)
    args = (a, a[::-1].copy()) if name.endswith("_grad") else (a,)
    expected = fn(name)(*args, **kw)
    got = fn(name)(*[lib["make"](v) for v in args], **kw)
    assert isinstance(got, lib["type"])
    np.testing.assert_array_equal(numpy_of(got), expected)


@pytest.mark.parametrize("unit", [u.name for u in _ops.GATED])
def test_gated_units(lib, unit):
    gate, value = _values(seed=1).reshape(8, 8), _values(seed=2).reshape(8, 8)
    g = _values(seed=3).reshape(8, 8)
    got = fn(unit)(lib["make"](gate), lib["make"](value))
    assert isinstance(got, lib["type"])
    np.testing.assert_array_equal(numpy_of(got), fn(unit)(gate, value))
    grads = fn(unit + "_grad")(lib["make"](gate), lib["make"](value), lib["make"](g))
    assert isinstance(grads, tuple) and all(isinstance(r, lib["type"]) for r in grads)
    for got, expected in zip(grads, fn(unit + "_grad")(gate, value, g)):
        np.testing.assert_array_equal(numpy_of(got), expected)


def test_gated_gradients_into_tensors():
    torch = pytest.importorskip("torch")
    gate, value, g = (_values(seed=s).reshape(8, 8) for s in (1, 2, 3))
    outs = (torch.empty(8, 8), torch.empty(8, 8))
    assert cyacts.glu_grad(torch.from_numpy(gate), value, g, out=outs) is outs
    for got, expected in zip(outs, cyacts.glu_grad(gate, value, g)):
        np.testing.assert_array_equal(got.numpy(), expected)


@pytest.mark.parametrize("red", [r.name for r in _ops.REDUCTIONS])
def test_reductions(lib, red):
    a = _values(seed=4).reshape(8, 8)
    a[~np.isfinite(a)] = 1.0
    args = (a, a[::-1].copy()) if _ops.REDUCTIONS_BY_NAME[red].is_grad else (a,)
    got = fn(red)(*[lib["make"](v) for v in args], axis=0)
    assert isinstance(got, lib["type"])
    np.testing.assert_array_equal(numpy_of(got), fn(red)(*args, axis=0))


def test_bias_of_another_library(lib):
    a, bias = _values().reshape(8, 8), np.linspace(-1, 1, 8, dtype=np.float32)
    got = cyacts.gelu(lib["make"](a), bias=lib["make"](bias))
    np.testing.assert_array_equal(numpy_of(got), cyacts.gelu(a, bias=bias))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_dtypes(lib, dtype):
    if lib["name"] == "array_api_strict" and dtype != "float64":
        pytest.skip(f"array_api_strict has no {dtype}")
    if dtype == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        np_dtype = np.dtype(ml_dtypes.bfloat16)
    else:
        np_dtype = np.dtype(dtype)
    a = _values(dtype=np.float32).astype(np_dtype)
    x = lib["make"](a) if dtype != "bfloat16" or lib["name"] != "torch" else (
        __import__("torch").from_numpy(a.view(np.int16).copy()).view(lib["dtype"](dtype)))
    if x.dtype != lib["dtype"](dtype):
        pytest.skip(f"{lib['name']} made {x.dtype} (JAX without jax_enable_x64)")
    for got, expected in ((cyacts.gelu(x), cyacts.gelu(a)),
                          (cyacts.sigmoid_grad(x, x), cyacts.sigmoid_grad(a, a))):
        assert got.dtype == lib["dtype"](dtype)
        view = _interop.library(got).read(got, "got")
        assert view.dtype == np_dtype
        np.testing.assert_array_equal(view.view(np.uint8), expected.view(np.uint8))


def test_zero_dimensional(lib):
    got = cyacts.relu6(lib["make"](np.float32(7.5)))
    assert isinstance(got, lib["type"]) and got.shape == ()
    assert float(numpy_of(got)) == 6.0


def test_views_of_torch_tensors():
    torch = pytest.importorskip("torch")
    base = torch.from_numpy(_values(96).reshape(8, 12))
    for view in (base[:, ::3], base.T, base[2:5, 4:], base.expand(2, 8, 12)[1]):
        np.testing.assert_array_equal(cyacts.tanh(view).numpy(), cyacts.tanh(view.numpy()))


def test_per_element_parameter_of_another_library(lib):
    a = _values().reshape(8, 8)
    alpha = np.linspace(0.1, 0.8, 8, dtype=np.float32)
    got = cyacts.leaky_relu(lib["make"](a), lib["make"](alpha))
    np.testing.assert_array_equal(numpy_of(got), cyacts.leaky_relu(a, alpha))


def test_mixed_inputs_follow_the_first_array():
    torch = pytest.importorskip("torch")
    a = _values()
    g = np.full_like(a, 2.0)
    t = torch.from_numpy(a.copy())
    # a torch x with a NumPy grad_output gives a tensor; a NumPy x with a tensor an ndarray
    assert isinstance(cyacts.gelu_grad(t, g), torch.Tensor)
    assert isinstance(cyacts.gelu_grad(a, torch.from_numpy(g)), np.ndarray)
    # dtypes by NumPy's rules: float32 with float64 gives float64, Python numbers adopt
    assert cyacts.gelu_grad(t, g.astype(np.float64)).dtype == torch.float64
    assert cyacts.gelu_grad(t, 2.0).dtype == torch.float32
    np.testing.assert_array_equal(cyacts.gelu_grad(t, g).numpy(), cyacts.gelu_grad(a, g))


# --------------------------------------------------------------------------------------------
# zero copy
# --------------------------------------------------------------------------------------------
def _address(array):
    return array.__array_interface__["data"][0]


def test_reading_is_a_view(lib):
    x = lib["make"](_values())
    view = _interop.library(x).read(x, "x")
    assert _address(view) == _address(np.from_dlpack(x))
    if lib["name"] == "torch":
        assert _address(view) == x.data_ptr()


def test_bfloat16_is_read_and_handed_back_as_a_view():
    torch = pytest.importorskip("torch")
    ml_dtypes = pytest.importorskip("ml_dtypes")
    t = torch.linspace(-3, 3, 16, dtype=torch.bfloat16)
    lib = _interop.library(t)
    view = lib.read(t, "x")
    assert view.dtype == ml_dtypes.bfloat16 and _address(view) == t.data_ptr()
    back = lib.wrap(view)
    assert back.dtype == torch.bfloat16 and back.data_ptr() == t.data_ptr()
    # the generic DLPack route (JAX's) relabels the capsule: the same memory both ways
    generic = _interop.Library(t)
    view = generic.read(t, "x")
    assert view.dtype == ml_dtypes.bfloat16 and _address(view) == t.data_ptr()
    back = generic.wrap(view)
    assert back.dtype == torch.bfloat16 and back.data_ptr() == t.data_ptr()


def test_results_are_handed_over_without_a_copy():
    torch = pytest.importorskip("torch")
    result = np.arange(8, dtype=np.float32)
    assert _interop.library(torch.zeros(1)).wrap(result).data_ptr() == _address(result)
    xp = pytest.importorskip("array_api_strict")
    wrapped = _interop.library(xp.zeros(1)).wrap(result)
    assert _address(np.from_dlpack(wrapped)) == _address(result)


# --------------------------------------------------------------------------------------------
# writing into other libraries' arrays
# --------------------------------------------------------------------------------------------
def test_in_place_writes_into_the_tensor():
    torch = pytest.importorskip("torch")
    a = _values()
    t = torch.from_numpy(a.copy())
    address, version = t.data_ptr(), t._version
    assert cyacts.gelu_(t) is t
    assert t.data_ptr() == address and t._version > version  # autograd sees the write
    np.testing.assert_array_equal(t.numpy(), cyacts.gelu(a))
    out = torch.empty(8, 8, dtype=torch.float32)
    address = out.data_ptr()
    assert cyacts.relu(torch.from_numpy(a.reshape(8, 8)), out=out) is out
    assert out.data_ptr() == address
    np.testing.assert_array_equal(out.numpy(), cyacts.relu(a.reshape(8, 8)))
    g = torch.ones(64)
    assert cyacts.tanh_grad(torch.from_numpy(a), g, out=g) is g


def test_in_place_into_array_api_strict():
    xp = pytest.importorskip("array_api_strict")
    a = _values()
    x = xp.asarray(a.copy())
    assert cyacts.sigmoid_(x) is x
    np.testing.assert_array_equal(np.from_dlpack(x), cyacts.sigmoid(a))


def test_immutable_arrays_are_refused_in_place():
    pytest.importorskip("jax")
    import jax.numpy as jnp

    x = jnp.linspace(-1, 1, 8)
    before = np.array(x)
    with pytest.raises(TypeError, match="x is a read-only jax array"):
        cyacts.relu_(x)
    with pytest.raises(TypeError, match="out is a read-only jax array"):
        cyacts.relu(np.zeros(8), out=x)
    with pytest.raises(TypeError, match="out is a read-only jax array"):
        cyacts.relu_grad(x, out=x)
    np.testing.assert_array_equal(np.asarray(x), before)


def test_tensors_that_require_grad():
    torch = pytest.importorskip("torch")
    a = _values(8)
    leaf = torch.from_numpy(a.copy()).requires_grad_()
    y = cyacts.gelu(leaf)  # out of place: computed without tracking
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(y.numpy(), cyacts.gelu(a))
    with pytest.raises(TypeError, match="x is a leaf tensor that requires grad"):
        cyacts.relu_(leaf)
    with pytest.raises(TypeError, match="out is part of a graph"):
        cyacts.relu(y, out=leaf * 2)
    with torch.no_grad():  # as PyTorch: allowed without grad, the version counter bumped
        version = leaf._version
        cyacts.relu_(leaf)
    assert leaf._version > version and leaf.detach().min() == 0


def test_a_write_autograd_would_miss_is_caught():
    torch = pytest.importorskip("torch")
    w = torch.ones(4, requires_grad=True)
    a = torch.linspace(-1, 1, 4)
    loss = (w * a).sum()  # saves a for w's gradient
    cyacts.relu_(a)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_other_devices_are_refused_naming_the_device():
    class OnGPU:
        def __dlpack__(self, **kwargs):
            raise BufferError("not here")

        def __dlpack_device__(self):
            return (2, 1)

    with pytest.raises(TypeError, match="x is on CUDA device 1"):
        cyacts.relu(OnGPU())
    with pytest.raises(TypeError, match="grad_output is on CUDA device 1"):
        cyacts.relu_grad(np.zeros(3), OnGPU())
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="x is on the meta device"):
        cyacts.gelu(torch.empty(3, device="meta"))


def test_numpy_calls_never_reach_the_interop(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("NumPy arguments took the foreign-array path")

    monkeypatch.setattr(_interop, "call", refuse)
    a = _values().reshape(8, 8)
    cyacts.gelu(a)
    cyacts.gelu(a[:, ::2])  # the general path
    cyacts.gelu_grad(a.T, a, out=np.empty_like(a.T))
    cyacts.leaky_relu([1.0, -1.0], np.float32(0.5))
    cyacts.relu_(a)


def test_importing_cyacts_imports_no_other_library():
    code = ("import sys, numpy as np, cyacts; cyacts.gelu(np.zeros(3)); "
            "print(sorted({'torch', 'jax', 'array_api_strict'} & set(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.strip() == "[]", proc.stderr
