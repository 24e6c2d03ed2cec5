"""Views go to the kernels where they lie: row slices (z[:, :d], z[..., d:]), batch slices,
reversed, strided and broadcast axes, outputs that are views, in place on a view. Each gives
bitwise the result of the contiguous copy, whatever the thread count, without the blocked
copy path and without a temporary the size of the data."""
import tracemalloc

import numpy as np
import pytest

import cyacts
from cyacts import _ops
from _cases import (F32, F64, FROM_OUTPUT, HALVES, INPLACE, OUT_OF_PLACE, REP_OUT_OF_PLACE,
                    assert_bitwise_equal)

NANS = {F32: np.array([0x7FC00000, 0xFFC00000, 0x7FC12345, 0xFFC54321, 0x7F812345], np.uint32),
        F64: np.array([0x7FF8000000000000, 0xFFF8000000000000, 0x7FF8000012345678,
                       0xFFF8000087654321, 0x7FF0000012345678], np.uint64)}

THREADS = (1, 2, 3)
ROWS, COLS = 160, 1400  # a view of half the columns: 112,000 elements, three piecewise grains


def values(shape, dtype, seed=0, nan=True):
    rng = np.random.default_rng(seed)
    v = rng.normal(0, 4, shape)
    v.reshape(-1)[::97] = 0.0
    v.reshape(-1)[1::101] = -np.nan if nan else 1.0
    v.reshape(-1)[2::103] = -np.inf
    v.reshape(-1)[3::107] = np.nan if nan else -1.0
    return v.astype(dtype)


def apart(g, x):
    """g (a view, written through) with no NaN where x has one: where two NaNs meet, IEEE leaves
    open whose payload comes out, and the kernels' vector bodies and scalar tails differ."""
    g[np.isnan(x)] = 0.5
    return g


#: name -> view of a (ROWS, COLS) array (or of a 3-D one, made from it)
VIEWS = {
    "left half": lambda z: z[:, : COLS // 2],
    "right half": lambda z: z[..., COLS // 2 + 3 :],
    "every other row": lambda z: z[::2],
    "batch slice": lambda z: z.reshape(8, 20, COLS)[::2, 1:, 5:705],
    "reversed": lambda z: z[:, ::-1],
    "every other column": lambda z: z[:, ::2],
    "reversed rows of a half": lambda z: z[::-1, 700:],
    "transposed half": lambda z: z[:, :700].T,
}


@pytest.fixture
def no_blocked(monkeypatch):
    """Fail a call that falls back to the blocked copy path."""

    def blocked(*args):
        raise AssertionError("the blocked copy path was taken")

    monkeypatch.setattr(cyacts.api, "_blocked", blocked)


def call(spec, x, g, **kw):
    if spec.kind == "grad":
        return spec.func(x, g, **{**spec.kw, **kw})
    return spec.func(x, **{**spec.kw, **kw})


def _views_give_the_contiguous_result(spec, dtype):
    z = values((ROWS, COLS), dtype)
    gz = values((ROWS, COLS), dtype, 1)
    from_output = ((False, True) if spec.kind == "grad" and spec.base in FROM_OUTPUT
                   and _ops.BY_NAME[spec.base].from_output_allowed(spec.kw) else (False,))
    for name, view in VIEWS.items():
        x = view(z)
        g = apart(view(gz)[::-1], x) if spec.kind == "grad" else None  # its own layout
        for fo in from_output:
            kw = {"from_output": True} if fo else {}
            expected = call(spec, x.copy(), None if g is None else g.copy(), n_threads=1, **kw)
            for t in THREADS:
                y = call(spec, x, g, n_threads=t, **kw)
                assert y.flags.c_contiguous
                assert_bitwise_equal(y, expected, f"{spec.id} on {name}, {t} threads {kw}")


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("spec", OUT_OF_PLACE, ids=lambda s: s.id)
def test_views_give_the_contiguous_result(spec, dtype, no_blocked):
    _views_give_the_contiguous_result(spec, dtype)


@pytest.mark.parametrize("dtype", HALVES)
@pytest.mark.parametrize("spec", REP_OUT_OF_PLACE, ids=lambda s: s.id)
def test_16_bit_views_too(spec, dtype, no_blocked):
    """float16 and bfloat16 views go to the 16-bit kernels row by row, as the others do (one
    function per signature class: the row path is the same code for every kernel)."""
    _views_give_the_contiguous_result(spec, dtype)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("spec", OUT_OF_PLACE, ids=lambda s: s.id)
def test_out_a_view_too(spec, dtype, no_blocked):
    z = values((ROWS, COLS), dtype)
    x = z[:, :700]
    g = apart(values((ROWS, COLS), dtype, 1)[:, 700:], x) if spec.kind == "grad" else None
    expected = call(spec, x.copy(), None if g is None else g.copy(), n_threads=1)
    for t in THREADS:
        for name, where in (("right half", np.s_[:, 700:]), ("reversed", np.s_[:, 699::-1])):
            buffer = np.full((ROWS, COLS), 7.0, dtype)
            out = buffer[where]
            assert call(spec, x, g, out=out, n_threads=t) is out
            assert_bitwise_equal(out, expected, f"{spec.id} into the {name}, {t} threads")
            rest = np.ones(buffer.shape, bool)
            rest[where] = False
            assert (buffer[rest] == 7.0).all(), f"{spec.id} wrote outside out"


@pytest.mark.parametrize("spec", INPLACE, ids=lambda s: s.id)
def test_in_place_on_a_view_leaves_the_rest(spec, no_blocked):
    z = values((ROWS, COLS), F32)
    for name, where in (("left half", np.s_[:, :700]), ("reversed columns", np.s_[:, ::-3]),
                        ("rows", np.s_[1::3, 5:])):
        expected = spec.func(z[where].copy(), **spec.kw)
        for t in THREADS:
            w = z.copy()
            default = cyacts.get_num_threads()
            cyacts.set_num_threads(t)
            try:
                assert spec.func(w[where], **spec.kw).base is w
            finally:
                cyacts.set_num_threads(default)
            assert_bitwise_equal(w[where], expected, f"{spec.id} in place on {name}")
            rest = np.ones(z.shape, bool)
            rest[where] = False
            assert_bitwise_equal(w[rest], z[rest], f"{spec.id} on {name}: the rest")


@pytest.mark.parametrize("dtype", [F32, F64])
def test_broadcast_operands(dtype, no_blocked):
    """grad_output broadcast over rows or columns, per-channel alpha (PReLU), on a view."""
    z = values((ROWS, COLS), dtype)
    x = z[:, 100:800]
    for g in (values(700, dtype, 1, nan=False), values((ROWS, 1), dtype, 2, nan=False),
              values((1, 700), dtype, 3, nan=False)[:, ::-1]):
        full = np.broadcast_to(g, x.shape).copy()
        for name in ("gelu_grad", "relu_grad", "sigmoid_grad"):
            expected = getattr(cyacts, name)(x.copy(), full, n_threads=1)
            for t in THREADS:
                assert_bitwise_equal(getattr(cyacts, name)(x, g, n_threads=t), expected,
                                     f"{name}, grad_output {g.shape}, {t} threads")
    for alpha in (np.linspace(0.01, 0.5, ROWS, dtype=dtype)[:, None],
                  np.linspace(0.5, 0.01, 1400, dtype=dtype)[::2]):
        full = np.broadcast_to(alpha, x.shape).copy()
        for name in ("leaky_relu", "leaky_relu_grad"):
            args = (x, values((ROWS, 700), dtype, 6, nan=False)[::-1]) if name.endswith(
                "_grad") else (x,)
            expected = getattr(cyacts, name)(*[a.copy() for a in args], alpha=full, n_threads=1)
            for t in THREADS:
                assert_bitwise_equal(getattr(cyacts, name)(*args, alpha=alpha, n_threads=t),
                                     expected, f"{name}, alpha {alpha.shape}, {t} threads")


@pytest.mark.parametrize("name", ["relu", "gelu", "relu_grad"])
def test_few_rows_one_long_row_short_rows_and_empty(name, no_blocked):
    func = getattr(cyacts, name)
    grad = name.endswith("_grad")
    long = values((2, 200_005), F32)
    short = values((30_000, 8), F32)
    short3 = values((300, 100, 10), F32)
    for x in (long[:, :200_000],       # rows fewer than threads
              long[0, ::2],            # one long row, strided
              long[:1, 3:][:, ::-1],   # one long row, reversed
              long[:, ::-7],           # few rows, wide steps
              short[:, 1:6],           # short rows, several to a kernel call
              short[::-1, 7:1:-2],     # short reversed rows of a reversed array
              short3[::2, :, 3:7]):    # short rows over two outer axes
        args = (x, apart(x[..., ::-1].copy(), x)) if grad else (x,)
        expected = func(*[a.copy() for a in args], n_threads=1)
        for t in THREADS:
            assert_bitwise_equal(func(*args, n_threads=t), expected, f"{x.shape}, {t} threads")
    z = values((ROWS, COLS), F32)
    for x in (z[:, :0], z[:0, :5], z[:, 5:5:-1], z.reshape(8, 20, COLS)[:, :0, ::2]):
        y = func(*(x, x) if grad else (x,))
        assert y.shape == x.shape and y.dtype == F32
        assert func(*(x, x) if grad else (x,), out=np.empty_like(x)).shape == x.shape


@pytest.mark.parametrize("name", ["gelu", "relu_grad"])
def test_out_overlapping_a_view_is_as_if_copied_first(name):
    func = getattr(cyacts, name)
    z = values((ROWS, COLS), F32)
    for x_of, out_of in ((lambda w: w[:, :700], lambda w: w[:, 699:1399]),
                         (lambda w: w[:, ::2], lambda w: w[:, 1398::-2]),  # the same elements
                         (lambda w: w[:-1], lambda w: w[1:])):
        w = z.copy()
        x = x_of(w)
        args = (x, apart(x[::-1].copy(), x)) if name.endswith("_grad") else (x,)
        expected = func(*[a.copy() for a in args], n_threads=1)
        out = out_of(w)
        func(*args, out=out, n_threads=2)
        assert_bitwise_equal(out, expected, f"{name}: out overlapping x {x.shape}")


def test_no_copy_of_the_data():
    """A view computed into a given out allocates nothing near the size of the data."""
    z = values((1000, 2048), F32)
    for x, out in ((z[:, :1024], np.empty((1000, 1024), F32)),
                   (z[:, ::-2], np.empty((1000, 1024), F32)),
                   (z[:, :1024], z[:, 1024:]),  # interleaved with x, no element in common
                   (z[::2], z[1::2])):
        for name in ("relu", "gelu_grad"):
            args = (x, x) if name.endswith("_grad") else (x,)
            getattr(cyacts, name)(*args, out=out, n_threads=2)
            tracemalloc.start()
            try:
                getattr(cyacts, name)(*args, out=out, n_threads=2)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert peak < out.nbytes // 100, f"{name}: {peak} bytes allocated"


def test_mixed_dtypes_and_unaligned_still_take_blocks(monkeypatch):
    """The row path takes operands of the result dtype, aligned and native: the rest is
    converted in blocks."""
    taken = []
    blocked = cyacts.api._blocked
    monkeypatch.setattr(cyacts.api, "_blocked", lambda *a: taken.append(1) or blocked(*a))
    z = values((ROWS, COLS), F32)
    raw = np.zeros(z.nbytes + 1, np.uint8)
    unaligned = raw[1:].view(F32).reshape(z.shape)
    unaligned[...] = z
    expected = cyacts.gelu(z[:, :700].copy())
    g16 = z.astype(np.float16)[:, :700]
    for x, g, same in ((unaligned[:, :700], None, True),
                       (z.astype(z.dtype.newbyteorder())[:, :700], None, True),
                       (g16, z[:, :700], False)):
        taken.clear()
        y = cyacts.gelu(x) if g is None else cyacts.gelu_grad(x, g)
        assert taken, f"{x.dtype} {x.flags.aligned}: not through blocks"
        if same:
            assert_bitwise_equal(y, expected, "blocked")


GATED_GRADS = {k.name for k in cyacts._ops.kernels() if k.shape.startswith("GATED_GRAD")}


@pytest.mark.parametrize("dtype", [F32, F64])
def test_a_nan_comes_out_the_same_in_vector_body_and_tail(dtype, simd_level):
    """Row pieces put an element in a kernel's vector body or its scalar tail depending on where
    its row starts: a NaN input (either sign, any payload) must give the same bits either way."""
    for name, op in cyacts._core.OPS.items():
        for nan in NANS[dtype].view(dtype):
            for slot in (1, 2):  # x, then grad_output (or alpha)
                args = [np.full(40, 0.7, dtype), np.full(40, 1.3, dtype), np.full(40, 0.2, dtype)]
                args[slot - 1][:] = nan
                bits = set()
                two_outputs = name in GATED_GRADS  # the gated derivatives: grad_value too
                for n in range(1, 40):
                    y = np.empty(n, dtype)
                    y2 = np.empty(n, dtype) if two_outputs else None
                    cyacts._core.apply(op, args[0][:n], y, args[1][:n], args[2][:n], 0.1, 1,
                                       param2=0.3, y2=y2)
                    bits.add(int(y.view(f"u{y.itemsize}")[-1]))
                assert len(bits) == 1, (f"{simd_level} {name}({'x' if slot == 1 else 'aux'}="
                                        f"{hex(int(nan.view(f'u{y.itemsize}')))}): "
                                        f"{sorted(map(hex, bits))}")


def test_views_take_the_compiled_fast_path(monkeypatch):
    """A call on views of one dtype (out absent, a view apart from the inputs, or the input
    itself) goes straight to the row path: no Python-level general path, so a small view costs
    about what a small contiguous array does. Operands that share memory otherwise still take
    the general path, which gives the result as if the inputs had been copied first."""
    execute = cyacts.api._execute
    z = values((ROWS, COLS), F32, nan=False)
    x, g = z[:, :700], z[:, 700:]
    expected = cyacts.gelu_grad(x.copy(), g.copy())

    def refused(*args):
        raise AssertionError("the general path was taken")

    monkeypatch.setattr(cyacts.api, "_execute", refused)
    assert_bitwise_equal(cyacts.gelu_grad(x, g), expected, "out absent")
    assert cyacts.gelu(np.asfortranarray(z)).flags.f_contiguous
    buffer = np.zeros((ROWS, COLS), F32)
    assert cyacts.gelu_grad(x, g, out=buffer[:, ::-2]) is not None
    assert_bitwise_equal(buffer[:, ::-2], expected, "out a reversed view")
    w = z.copy()
    cyacts.gelu_grad(w[:, :700], g, out=w[:, :700])  # out is x itself
    assert_bitwise_equal(w[:, :700], expected, "out=x")
    monkeypatch.setattr(cyacts.api, "_execute", execute)
    for where in (np.s_[:, 1:701], np.s_[:, 700:]):  # x partly, then g (interleaved rows)
        w = z.copy()
        y = cyacts.gelu_grad(w[:, :700], w[:, 700:], out=w[where])
        assert_bitwise_equal(y, expected, f"out=w[{where}] sharing memory with the inputs")


@pytest.mark.parametrize("unit", [u.name for u in _ops.GATED])
def test_gated_derivatives_on_the_halves_of_a_projection(unit, no_blocked):
    """grad_gate and grad_value of gate = h[:, :d], value = h[:, d:] from one pass of the row
    path (both outputs share their strides), the bits of the contiguous copies."""
    h = values((ROWS, COLS), F32, nan=False)
    gate, value = h[:, :700], h[:, 700:]
    g = values((ROWS, 700), F32, 1, nan=False)[::-1]
    grad = getattr(cyacts, unit + "_grad")
    expected = grad(gate.copy(), value.copy(), g.copy(), n_threads=1)
    for t in THREADS:
        got = grad(gate, value, g, n_threads=t)
        for name, a, e in zip(("grad_gate", "grad_value"), got, expected):
            assert_bitwise_equal(a, e, f"{unit}: {name}, {t} threads")
        buffer = np.zeros((ROWS, 2 * COLS), F32)
        out = (buffer[:, :700], buffer[:, COLS:COLS + 700])
        assert grad(gate, value, g, out=out, n_threads=t)[0] is out[0]
        for name, a, e in zip(("grad_gate", "grad_value"), out, expected):
            assert_bitwise_equal(a, e, f"{unit}: {name} into views, {t} threads")
