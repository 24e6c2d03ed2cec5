"""cyacts.torch: autograd Functions, nn.Modules and functional forms from the registry.

Gradients against torch.autograd.gradcheck and cyacts's own functions bit for bit, PyTorch's
names and signatures, what backward keeps (saved_tensors_hooks), in place, dtypes, refusals."""
import inspect

import numpy as np
import pytest

import cyacts
from cyacts import _ops

from conftest import FORWARD

torch = pytest.importorskip("torch")
ct = pytest.importorskip("cyacts.torch")

ENTRIES = {e.name: e for e in ct.ENTRIES}


def torch_kwargs(op_name, kw):
    """A registry variant's keyword arguments under PyTorch's names."""
    rename = ct._PARAM_NAMES.get(op_name, {})
    return {rename.get(k, k): v for k, v in kw.items()}


def saves_output(op, tkw):
    entry = ENTRIES[op.name]
    return entry.saves_output({n: tkw.get(n, d) for n, d in entry.params})


def sample(op, kw, n=48, dtype=torch.float64, seed=0):
    """Inputs over [-7, 7] (past relu6's cap), at least 1e-3 from every kink."""
    x = np.random.default_rng(seed).uniform(-7, 7, n)
    for kink in op.kinks:
        k = float(_ops.resolve(kink.x, kw, op))
        near = np.abs(x - k) < 1e-3
        x[near] = k + np.where(x[near] < k, -2e-3, 2e-3)
    return torch.tensor(x, dtype=dtype).requires_grad_()


CASES = [(case_id, _ops.BY_NAME[name], kw) for case_id, name, kw in FORWARD]
IDS = [c[0] for c in CASES]


def test_every_registry_op_has_its_three_forms():
    for op in _ops.OPS + _ops.GATED:
        entry = ENTRIES[op.name]
        assert issubclass(getattr(ct, entry.module), torch.nn.Module)
        assert issubclass(getattr(ct, entry.module + "Function"), torch.autograd.Function)
        assert callable(getattr(ct, op.name))
        assert {entry.module, entry.module + "Function", op.name} <= set(ct.__all__)


@pytest.mark.parametrize("entry", ct.ENTRIES, ids=[e.name for e in ct.ENTRIES])
def test_names_and_signatures_are_pytorchs(entry):
    ours = inspect.signature(getattr(ct, entry.module))
    positional = [n for n, p in ours.parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert (positional[-1:] == ["inplace"]) == entry.inplace
    # cyacts's own extras (silu's beta) are keyword-only: PyTorch's positional calls still fit
    assert [n for n, p in ours.parameters.items() if p.kind is p.KEYWORD_ONLY] == list(
        entry.keyword_only)
    params = [(n, ours.parameters[n].default) for n in positional if n != "inplace"]
    functional = inspect.signature(getattr(ct, entry.name))
    assert list(functional.parameters) == ["input", *ours.parameters]
    theirs = getattr(torch.nn, entry.module, None)
    if theirs is None:
        return  # squared_relu: PyTorch has no module
    names = list(inspect.signature(theirs.__init__).parameters.items())
    if "inplace" in dict(names):  # after it only deprecated aliases (Hardtanh's min_value)
        names = names[:[n for n, _ in names].index("inplace")]
    expected = [(n, p.default) for n, p in names
                if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]
    assert params == expected


@pytest.mark.parametrize("case_id, op, kw", CASES, ids=IDS)
def test_gradcheck(case_id, op, kw):
    kw = torch_kwargs(op.name, kw)
    x = sample(op, kw)
    function = getattr(ct, op.name)
    assert torch.autograd.gradcheck(lambda t: function(t, **kw), (x,))
    # in place, on a non-leaf (a leaf requiring grad is refused, as PyTorch refuses it)
    assert torch.autograd.gradcheck(lambda t: function(t * 1.0, inplace=True, **kw), (x,))


@pytest.mark.parametrize("case_id, op, kw", CASES, ids=IDS)
def test_the_same_bits_as_cyacts_and_close_to_pytorch(case_id, op, kw):
    tkw = torch_kwargs(op.name, kw)
    x = sample(op, kw, dtype=torch.float32)
    g = torch.linspace(-2, 2, x.numel())
    y = getattr(ct, entry_module(op))(**tkw)(x)
    y.backward(g)
    a = x.detach().numpy()
    np.testing.assert_array_equal(y.detach().numpy(), getattr(cyacts, op.name)(a, **kw))
    from_output = saves_output(op, tkw)  # then backward reads y
    saved = y.detach().numpy() if from_output else a
    np.testing.assert_array_equal(x.grad.numpy(), getattr(cyacts, op.name + "_grad")(
        saved, g.numpy(), from_output=from_output, **kw))
    theirs = getattr(torch.nn, entry_module(op), None)
    if theirs is None or set(tkw) & set(ENTRIES[op.name].keyword_only):
        return  # no such module in PyTorch, or a parameter it does not take (silu's beta)
    x2 = x.detach().clone().requires_grad_()
    y2 = theirs(**tkw)(x2)
    y2.backward(g)
    torch.testing.assert_close(y, y2, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-5, atol=1e-6)


def entry_module(op):
    return ENTRIES[op.name].module


def _saved(function, x):
    """(output, [saved tensors]) of one forward under saved_tensors_hooks."""
    saved = []

    def pack(t):
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        y = function(x)
    return y, saved


@pytest.mark.parametrize("case_id, op, kw", CASES, ids=IDS)
def test_backward_keeps_the_output_where_the_registry_allows(case_id, op, kw):
    tkw = torch_kwargs(op.name, kw)
    from_output = saves_output(op, tkw)
    assert from_output == (op.from_output is not None and
                           (op.from_output_requires is None or
                            op.from_output_requires[1](_ops.resolve(
                                op.from_output_requires[0], kw, op))))
    x = sample(op, kw)
    function = getattr(ct, op.name)
    y, saved = _saved(lambda t: function(t, **tkw), x)
    assert len(saved) == 1
    kept = y if from_output else x
    assert saved[0].data_ptr() == kept.data_ptr()
    # in place: the from-output ops keep the overwritten tensor itself, the others a copy
    h = x * 1.0
    y, saved = _saved(lambda t: function(t, inplace=True, **tkw), h)
    assert y is h and len(saved) == 1
    assert (saved[0].data_ptr() == h.data_ptr()) == from_output
    y.sum().backward()
    ref = x.detach().clone().requires_grad_()
    function(ref, **tkw).sum().backward()
    assert torch.equal(x.grad, ref.grad)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_dtypes(dtype):
    x = torch.linspace(-4, 4, 50).to(dtype).requires_grad_()
    for module, f in ((ct.GELU(), cyacts.gelu), (ct.Sigmoid(), cyacts.sigmoid),
                      (ct.LeakyReLU(0.1), lambda a: cyacts.leaky_relu(a, 0.1)),
                      (ct.GLU(), lambda a: cyacts.glu(a[25:], a[:25]))):
        y = module(x)
        assert y.dtype == dtype
        y.backward(torch.ones_like(y))
        assert x.grad.dtype == dtype
        # 16-bit results are the float32 results rounded once
        expected = torch.from_numpy(f(x.detach().float().numpy())).to(dtype)
        assert torch.equal(y.detach(), expected)
        x.grad = None


def test_in_place_follows_pytorch():
    leaf = torch.randn(6, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ct.ReLU(inplace=True)(leaf)
    # an overwritten tensor that another node saved is caught at backward, as in PyTorch
    h = leaf * 1.0
    z = (h * h).sum()
    ct.Sigmoid(inplace=True)(h)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    # without grad: computed directly, no graph node, the tensor overwritten
    t = torch.linspace(-1, 1, 5)
    assert ct.relu(t, inplace=True) is t and t.min() == 0
    with torch.no_grad():
        y = ct.GELU()(leaf)
    assert y.grad_fn is None and not y.requires_grad


def test_module_repr_and_checks():
    for args in ((0.2, True), ()):
        assert repr(ct.LeakyReLU(*args)) == repr(torch.nn.LeakyReLU(*args))
    assert repr(ct.GELU("tanh")) == repr(torch.nn.GELU("tanh"))
    assert repr(ct.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True))
    assert repr(ct.GELU(inplace=True)) == "GELU(approximate='none', inplace=True)"
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        ct.GELU(approximate="exact")
    with pytest.raises(TypeError, match="negative_slope"):
        ct.LeakyReLU(negative_slope="0.1")
    with pytest.raises(TypeError, match="inplace must be a bool"):
        ct.ReLU(inplace=1)


def test_tensor_parameters_are_constants():
    x = torch.randn(4, 3, requires_grad=True)
    slope = torch.tensor([0.1, 0.2, 0.3])
    y = ct.leaky_relu(x, slope)
    y.sum().backward()
    a = x.detach().numpy()
    np.testing.assert_array_equal(y.detach().numpy(), cyacts.leaky_relu(a, slope.numpy()))
    np.testing.assert_array_equal(x.grad.numpy(), cyacts.leaky_relu_grad(a, alpha=slope.numpy()))
    with pytest.raises(TypeError, match="negative_slope requires grad"):
        ct.leaky_relu(x, slope.requires_grad_())


def test_refusals():
    with pytest.raises(TypeError, match="input is on the meta device"):
        ct.gelu(torch.empty(3, device="meta"))
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(ct.tanh(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|does not require grad"):
        g.sum().backward()


def test_an_entry_outside_the_registry():
    """What a softmax or a gated unit will add: one Entry, and its three forms follow."""
    def forward(x, out, params):
        return np.multiply(x, params["scale"], out=out)

    def backward(saved, grad_output, saved_is_output, params):
        return grad_output * params["scale"]

    entry = ct.Entry("scale", "Scale", (("scale", 2.0),), forward, backward,
                     saves_output=lambda params: True)
    function, module, functional = ct._make(entry)
    assert function.__name__ == "ScaleFunction" and repr(module(3.0)) == "Scale(scale=3.0)"
    x = torch.randn(6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: functional(t, 3.0), (x,))
    assert torch.autograd.gradcheck(lambda t: module(0.5, inplace=True)(t * 1.0), (x,))


GATED = [(f"{unit.name}_{i}", unit, kw) for unit in _ops.GATED
         for i, kw in enumerate([{}] + [{p.name: c} for p in unit.params for c in p.choices
                                        if c != p.default])]


@pytest.mark.parametrize("case_id, unit, kw", GATED, ids=[c[0] for c in GATED])
def test_gated_units_halve_their_input_as_torch_nn_glu(case_id, unit, kw):
    function = getattr(ct, unit.name)
    x = torch.randn(5, 8, dtype=torch.float64, requires_grad=True)
    for dim in (-1, 0):
        h = x[:4] if dim == 0 else x
        assert torch.autograd.gradcheck(lambda t: function(t, dim, **kw), (h,))
    y = getattr(ct, ENTRIES[unit.name].module)(**kw)(x)
    g = torch.randn(5, 4, dtype=torch.float64)
    y.backward(g)
    # value the first half, gate the second, the same bits as cyacts's functions
    a = x.detach().numpy()
    np.testing.assert_array_equal(y.detach().numpy(),
                                  getattr(cyacts, unit.name)(a[:, 4:], a[:, :4], **kw))
    grad_gate, grad_value = getattr(cyacts, unit.name + "_grad")(a[:, 4:], a[:, :4], g.numpy(),
                                                                 **kw)
    np.testing.assert_array_equal(x.grad.numpy(), np.concatenate([grad_value, grad_gate], 1))
    if unit.name == "glu":
        torch.testing.assert_close(y, torch.nn.GLU()(x))
    with pytest.raises(ValueError, match="size 7 is odd"):
        function(torch.randn(2, 7))
