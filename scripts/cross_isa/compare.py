"""The inputs of scripts/cross_isa/driver.c, and the comparison of its builds' results.

    compare.py inputs DIR                     write the inputs the driver reads
    compare.py check DIR ORACLE BUILD...      compare DIR/out_BUILD.{f32,f64,f16,bf16} bit for
                                              bit (the driver printed DIR/BUILD.txt) and check
                                              build ORACLE against cyacts.reference

Results compare bit for bit, except that two NaNs count as equal whatever their sign and
payload: IEEE 754 leaves both to the hardware (x86 and arm64 propagate NaN operands and make
new NaNs differently), so a NaN result is only required to be NaN on every build.

The scalar parameters: one set per kernel from the registry (cyacts._ops), each parameter's
default (or, where it has none, its first test value), the next test values where two would
be equal or the op refuses the set; written to DIR/params, which the driver and the check read.

The reductions (softmax, log_softmax, logsumexp and their derivatives, the driver's sm_run_*)
run on rows of their own inputs (sx, and sy/sl/sg for the derivatives) and compare the same
way, against cyacts.reference at the registry's bounds (tests/test_softmax.py's check).

The oracle check makes a wrong-but-consistent result fail: float32 results within the ULP bound
of the registry, float64 results within the test suite's tolerance (tests/_cases.py: relative
1e-12, absolute floor 2^-960), NaN exactly where the reference has NaN. A result with
grad_output must equal grad_output * (the result without it) in the dtype's arithmetic, bit
for bit: that is the kernels' contract (cyacts.h, D), and it spares the float64 oracle's single
rounding of the product from counting as an error. A result with the bias is checked as the
kernel's result on x + bias, rounded to the dtype (the driver also checks that it is the
kernel's result on that sum, bit for bit). A gated unit's float32 and float64 results must be
its activation's kernels' results combined as cyacts.h's gated loops combine them, bit for bit
(value * f(gate); grad_gate = (grad_output * f'(gate)) * value, grad_value = grad_output *
f(gate)), and within the unit's bound of cyacts.reference's unit wherever that bound speaks
(finite operands, the activation and the product grad_output * f' in the normal range; NaN
where the reference has NaN everywhere). float16 and bfloat16 results (every 16-bit pattern
four times as x) must be within 1 ULP of cyacts.reference (bfloat16 results below 2^-100 may
flush, as float32 ones may), and each build's driver checks that they are its float32
kernel's results on the widened inputs, rounded (with grad_output and both gated outputs too).
"""
import itertools
import os
import sys

import ml_dtypes
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests"))

from _cases import _mismatch  # noqa: E402  (the test suite's tolerance check)
from cyacts import _ops, reference  # noqa: E402
from cyacts import _ulp as ulp  # noqa: E402  (ulp_distance, value windows, mpmath references)

KERNELS = {k.name: k for k in _ops.kernels()}
USES = _ops.kernel_uses()
#: the gated kernels -> their activation's forward kernel
GATED_BASE = {k: base for unit in _ops.GATED for base, kernel in unit.kernel_map.items()
              for k in (kernel, kernel + "_grad")}

DTYPES = {"f32": np.dtype(np.float32), "f64": np.dtype(np.float64),
          "f16": np.dtype(np.float16), "bf16": np.dtype(ml_dtypes.bfloat16)}
HALF = ("f16", "bf16")
N_RANDOM_MIN = 1 << 18
#: every variant but the ungated kernels' plain calls runs over this many leading elements
#: (every 16-bit pattern once): a bias, grad_output and the gated units' value each add IEEE
#: operations around element functions that the plain calls run over all inputs, and the
#: results are checked against those bit for bit
SHORT_N = 1 << 16


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
def _uint(dtype):
    return np.dtype(f"u{dtype.itemsize}")


def _grid(lo, hi, n, dtype):
    with np.errstate(over="ignore"):  # float32 windows beyond its range become inf
        return np.linspace(lo, hi, n).astype(dtype)


def _neighbours(values, k, dtype):
    """The 2k + 1 representable values around each of `values` (bit order = |x| order)."""
    bits = np.asarray(values, dtype).view(_uint(dtype)).astype(np.int64)
    near = (bits[:, None] + np.arange(-k, k + 1)).ravel()
    return near[near >= 0].astype(_uint(dtype)).view(dtype)


def make_x(dtype, n, rng):
    """n inputs (a few more: specials, neighbours) covering every op's interesting ranges."""
    finfo = np.finfo(dtype)
    uint = _uint(dtype)
    sign_bit = uint.type(1) << uint.type(8 * dtype.itemsize - 1)
    tiny_exp = np.arange(finfo.minexp - finfo.nmant, 1)  # 2^e, subnormals to 1
    parts = [
        # the main body, where range reductions and polynomial pieces meet
        _grid(-12.0, 12.0, 1 << 17, dtype),
        # the inputs of the *_from_output derivatives: outputs of sigmoid and tanh
        _grid(-1.5, 1.5, 1 << 16, dtype),
        # near zero, log-uniform: the Taylor regimes down to the subnormals, both signs
        (np.ldexp(rng.uniform(1.0, 2.0, 1 << 16), rng.choice(tiny_exp, 1 << 16))
         * rng.choice([-1.0, 1.0], 1 << 16)).astype(dtype),
        # subnormal bit patterns, both signs
        (rng.integers(1, 1 << finfo.nmant, 1 << 14, dtype=uint)
         | (rng.integers(0, 2, 1 << 14, dtype=uint) * sign_bit)).view(dtype),
        # the tails: saturation and underflow regions up to +-1e4, then log-uniform to the max
        _grid(-1e4, 1e4, 1 << 16, dtype),
        (np.exp(rng.uniform(np.log(1e4), np.log(float(finfo.max)), 1 << 15))
         * rng.choice([-1.0, 1.0], 1 << 15)).astype(dtype),
    ]
    # cyacts._ulp's value windows where kernels go wrong (each explained there)
    parts += [_grid(lo, hi, 1 << 13, dtype) for lo, hi in ulp.EDGES]
    # the rest: every bit pattern alike (all magnitudes, NaN payloads, infinities)
    rest = n - sum(p.size for p in parts)
    assert rest >= N_RANDOM_MIN, rest
    parts.append(rng.integers(0, np.iinfo(uint).max, rest, dtype=uint, endpoint=True).view(dtype))
    # the values next to kinks, derivative zeros and the float range's ends
    edges = [0.0, 6.0, -6.0, 1.0, -1.0, *ulp.ROOTS.values(), float(finfo.max), -float(finfo.max),
             float(finfo.smallest_normal), -float(finfo.smallest_normal)]
    parts.append(_neighbours(np.array(edges, dtype), 64, dtype))
    nan = np.array(np.nan, dtype)
    payload = np.array([int(nan.view(uint)) | 1], uint).view(dtype)
    parts.append(np.concatenate([np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan], dtype),
                                 payload, -payload]))
    x = np.concatenate(parts)
    return x[rng.permutation(x.size)]  # mixed regimes in every vector


def _finfo(dtype):
    return ml_dtypes.finfo(dtype) if dtype.itemsize == 2 else np.finfo(dtype)


def make_aux(x, rng, spread):
    """grad_output or alpha for x: mostly ordinary values (normal of std `spread`), 1/8 random
    bit patterns, and the special values scattered."""
    dtype = x.dtype
    uint = _uint(dtype)
    finfo = _finfo(dtype)
    a = (rng.normal(size=x.size) * spread).astype(dtype)
    wild = rng.random(x.size) < 1 / 8
    a[wild] = rng.integers(0, np.iinfo(uint).max, int(wild.sum()), dtype=uint,
                           endpoint=True).view(dtype)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, float(finfo.max),
                         float(finfo.smallest_subnormal)], dtype)
    where = rng.choice(x.size, 64 * specials.size, replace=False)
    a[where] = np.resize(specials, where.size)
    return a


def write_inputs(directory, n=1 << 20, seed=20261201):
    rng = np.random.default_rng(seed)
    for sfx, dtype in DTYPES.items():
        if sfx in HALF:  # every bit pattern, four times, each quarter in an order of its own
            x = np.concatenate([rng.permutation(1 << 16) for _ in range(4)])
            x = x.astype(np.uint16).view(dtype)
        else:
            x = make_x(dtype, n, rng)
        x.tofile(os.path.join(directory, f"x.{sfx}"))
        make_aux(x, rng, 4.0).tofile(os.path.join(directory, f"g.{sfx}"))
        make_aux(x, rng, 1.0).tofile(os.path.join(directory, f"a.{sfx}"))
        make_aux(x, rng, 2.0).tofile(os.path.join(directory, f"v.{sfx}"))
        make_aux(x[:SHORT_N], rng, 1.0).tofile(os.path.join(directory, f"b.{sfx}"))
    with open(os.path.join(directory, "params"), "w") as f:
        for name, values in kernel_params().items():
            f.write(f"{name} {' '.join(repr(v) for v in (*values, 0.0)[:2])}\n")
    write_reduction_inputs(directory, rng)


# --------------------------------------------------------------------------------------------
# the reductions (driver.c's sm_run_*): rows, a long row, their special cases
# --------------------------------------------------------------------------------------------
SM_ROWS, SM_COLS, SM_LONG = 256, 1000, 3 * 4096 + 123


def reduction_inputs(dtype, rng):
    """SM_ROWS rows of SM_COLS then one long row: ordinary rows of several scales, wide
    ranges (x - max inexact, exp underflowing), huge values, scattered -inf, and rows that
    are all -inf, hold +inf or NaN."""
    rows = rng.normal(size=(SM_ROWS, SM_COLS)) * rng.choice([0.1, 1.0, 6.0, 40.0], (SM_ROWS, 1))
    rows[8:40] = rng.uniform(-110, 20, (32, SM_COLS))
    rows[40:48] += 1e30 if dtype == np.float32 else 1e300
    holes = rng.random((SM_ROWS, SM_COLS)) < 0.02
    rows[holes & (np.arange(SM_ROWS) % 3 == 0)[:, None]] = -np.inf
    rows[0] = -np.inf
    rows[1, 5] = np.inf
    rows[2, 7] = np.nan
    rows[3, :] = 0.0
    long_row = rng.normal(size=SM_LONG) * 8
    return np.concatenate([rows.ravel(), long_row]).astype(dtype)


def write_reduction_inputs(directory, rng):
    import cyacts

    for sfx in ("f32", "f64"):
        dtype = DTYPES[sfx]
        x = reduction_inputs(dtype, rng)
        n = SM_ROWS * SM_COLS
        grid, long_row = x[:n].reshape(SM_ROWS, SM_COLS), x[n:]
        for name, f in (("sy", cyacts.softmax), ("sl", cyacts.log_softmax)):
            np.concatenate([f(grid).ravel(), f(long_row)]).tofile(
                os.path.join(directory, f"{name}.{sfx}"))
        x.tofile(os.path.join(directory, f"sx.{sfx}"))
        # ordinary grad_outputs with the specials scattered (no huge finite values, whose
        # sums would overflow in some lanes and not in the extended-precision oracle)
        g = rng.normal(size=x.size).astype(dtype)
        g[rng.choice(x.size, 64, replace=False)] = np.resize(
            np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0], dtype), 64)
        g.tofile(os.path.join(directory, f"sg.{sfx}"))


def check_reductions(directory, oracle_build, builds, rows):
    """Bits across the builds and the oracle build within the registry's bounds; the list
    of failures."""
    from test_softmax import assert_within_bound  # the test suite's bound check

    failures = []
    by_name = {r.name: r for r in _ops.REDUCTIONS}
    offset = {"f32": 0, "f64": 0}
    outputs = {b: {sfx: np.fromfile(os.path.join(directory, f"out_{b}.sm.{sfx}"), DTYPES[sfx])
                   for sfx in ("f32", "f64")} for b in builds}
    for _, sfx, name, nout, nlong in rows:
        nout, nlong = int(nout), int(nlong)
        dtype = DTYPES[sfx]
        red = by_name[name]
        k = offset[sfx]
        offset[sfx] += nout + nlong
        first = outputs[builds[0]][sfx][k:k + nout + nlong]
        verdicts = []
        for b in builds[1:]:
            bad = ~_same(first, outputs[b][sfx][k:k + nout + nlong])
            if bad.any():
                verdicts.append(f"{b}: {int(bad.sum())} differ, first at result "
                                f"{int(np.flatnonzero(bad)[0])}")
                failures.append(f"{name} {sfx}: {b} differs from {builds[0]}")
        got = outputs[oracle_build][sfx][k:k + nout + nlong]
        n = SM_ROWS * SM_COLS
        inputs = {key: np.fromfile(os.path.join(directory, f"{key}.{sfx}"), dtype)
                  for key in ("sx", "sy", "sl", "sg")}
        source = inputs["sx"] if not red.is_grad else (
            inputs["sy"] if name == "softmax_grad" else inputs["sl"])
        parts = [(source[:n].reshape(SM_ROWS, SM_COLS), inputs["sg"][:n].reshape(SM_ROWS, SM_COLS),
                  got[:nout]), (source[n:][None], inputs["sg"][n:][None], got[nout:])]
        found = "ok"
        for x, g, result in parts:
            arrays = (x, g) if red.is_grad else (x,)
            want = getattr(reference, red.reference_name)(*arrays)
            try:
                assert_within_bound(red, result.reshape(want.shape), want, arrays)
            except AssertionError as exc:
                found = f"FAIL ({str(exc).splitlines()[0]})"
                failures.append(f"{name} {sfx}: {oracle_build} fails the oracle")
        print(f"{sfx} {name:25} {'rows+long':18} bits: {'; '.join(verdicts) or 'same'}; "
              f"oracle: {found}")
    for b in builds:
        for sfx, out in outputs[b].items():
            if out.size != offset[sfx]:
                raise SystemExit(f"cross-isa: out_{b}.sm.{sfx} has {out.size} results, "
                                 f"expected {offset[sfx]}")
    return failures


# --------------------------------------------------------------------------------------------
# scalar parameters
# --------------------------------------------------------------------------------------------
def scalars(name):
    """The registry's Params that kernel `name` takes as its scalar arguments, in order."""
    kernel = KERNELS[name]
    if "_PARAM" not in kernel.shape:  # the _ARRAY shapes' param is the per-element one
        return ()
    by_name = {p.name: p for p in USES[name].op.params}
    return tuple(by_name[p] for p in kernel.params)


def _accepted(use, values):
    """Whether the op takes these scalar parameters (each Param's rule, then the op's)."""
    op = use.op
    if any(p.valid and p.name in values and not p.valid[0](values[p.name]) for p in op.params):
        return False
    if op.param_check and not op.param_check[0](
            {p.name: values.get(p.name, p.default) for p in op.params}):
        return False
    if use.from_output and use.op.from_output_requires:
        param, test, _ = use.op.from_output_requires
        return param not in values or test(values[param])
    return True


def kernel_params():
    """kernel name -> the values of its scalar parameters (for every kernel that has some):
    the first combination of each parameter's default and test values (the defaults first)
    that the op accepts, with distinct values where one is (so p0 and p1 swapped show)."""
    chosen = {}
    for name in KERNELS:
        params = scalars(name)
        if not params:
            continue
        candidates = []
        for p in params:
            values = ([] if p.required else [p.default]) + list(p.test_values)
            values = [float(p.number(v)) for v in values
                      if isinstance(p.number(v), (int, float))]
            candidates.append(list(dict.fromkeys(values)))
        accepted = [c for c in itertools.product(*candidates)
                    if _accepted(USES[name], dict(zip((p.name for p in params), c)))]
        if not accepted:
            raise SystemExit(f"cross-isa: {name}: no set of the defaults and test values of "
                             f"{', '.join(p.name for p in params)} that the op accepts")
        chosen[name] = next((c for c in accepted if len(set(c)) == len(c)), accepted[0])
    return chosen


def read_params(directory):
    """kernel name -> its scalar parameters' values, as the driver read them."""
    values = {}
    with open(os.path.join(directory, "params")) as f:
        for line in f:
            if line.strip():
                name, *numbers = line.split()
                values[name] = tuple(float(v) for v in numbers[:len(scalars(name))])
    return values


# --------------------------------------------------------------------------------------------
# the oracle
# --------------------------------------------------------------------------------------------
def ulp_bound(name, dtype):
    """The registry's ULP bound of kernel `name`'s results in `dtype`."""
    return USES[name].ulp[np.dtype(dtype).name]


class Row:
    """One result of the driver: a kernel called as a variant ("x", "alpha+grad_output",
    "value+p0+bias", ...), one of its outputs, and the operands it got."""

    def __init__(self, sfx, name, shape, variant, output, length, inputs, param_values):
        self.sfx, self.name, self.shape, self.variant, self.output = (sfx, name, shape,
                                                                      variant, output)
        self.n = length
        self.tokens = set(variant.split("+"))
        self.dtype = DTYPES[sfx]
        self.use = USES[name]
        self.param_values = param_values
        self.scalar_values = param_values.get(name, ())
        x = self.x_in = inputs["x"][:length]
        self.bias = inputs["b"][:length] if "bias" in self.tokens else None
        if self.bias is not None:  # as the kernels form it: in float32 for the 16-bit formats
            wide = np.float64 if sfx == "f64" else np.float32
            with np.errstate(all="ignore"):
                x = (x.astype(wide) + self.bias.astype(wide)).astype(self.dtype)
        self.x = x
        self.g = inputs["g"][:length] if "grad_output" in self.tokens else None
        self.alpha = inputs["a"][:length] if "alpha" in self.tokens else None
        self.value = inputs["v"][:length] if "value" in self.tokens else None

    def scalars_of(self, name):
        return self.param_values.get(name, ())

    def key(self, name=None, drop=(), output="y"):
        """The key of the row of kernel `name` (this one's by default) called as this variant
        without the tokens `drop`."""
        tokens = [t for t in self.variant.split("+") if t not in drop]
        return self.sfx, name or self.name, "+".join(tokens) or "x", output

    def kwargs(self):
        """The keyword arguments of cyacts.reference's function for this kernel."""
        use, op = self.use, self.use.op
        kw = dict(use.params)
        if use.from_output:
            kw["from_output"] = True
        if self.alpha is not None:
            kw[op.per_element.name] = self.alpha
        # the values as the kernel got them (floats for the float32 and 16-bit kernels)
        cast = np.float64 if self.sfx == "f64" else np.float32
        for p, value in zip(scalars(self.name), self.scalar_values):
            kw[p.name] = float(cast(value))
        return kw

    def reference(self):
        """cyacts.reference's result (without grad_output for the ungated derivatives)."""
        unit = self.use.gated
        if unit is None:
            forward, grad = self.use.op.reference_names
            return getattr(reference, grad if self.use.grad else forward)(self.x, **self.kwargs())
        forward, grad = unit.reference_names
        if not self.use.grad:
            return getattr(reference, forward)(self.x, self.value, **self.kwargs())
        both = _memo(self.key(output="both"),  # both outputs from one call
                     lambda: getattr(reference, grad)(self.x, self.value, self.g,
                                                      **self.kwargs()))
        return both[self.output == "grad_value"]

    def where(self, i):
        """The operands of element i."""
        s = f"x={_show(self.x_in[i])}"
        if self.bias is not None:
            s += f" bias={_show(self.bias[i])} (x + bias={_show(self.x[i])})"
        for label, operand in (("grad_output", self.g), ("alpha", self.alpha),
                               ("value", self.value)):
            if operand is not None:
                s += f" {label}={_show(operand[i])}"
        return s


def oracle_check(row, got, results):
    """(passed, what was found) for the results `got` of `row`; `results` holds the oracle
    build's earlier rows by Row.key()."""
    if row.use.gated is not None:
        return _check_gated(row, got, results)
    if row.sfx in HALF:
        if row.g is not None:
            return True, "= the float32 kernel's, rounded (the driver checks)"
        return _within_16(row, got, row.reference(), np.ones(row.n, bool))
    if row.g is not None:
        with np.errstate(all="ignore"):
            bad = ~_same(got, row.g * results[row.key(drop=("grad_output",))][:row.n])
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return False, (f"{int(bad.sum())} differ from grad_output * f'(x), first at "
                           f"{row.where(i)}")
        return True, "= grad_output * f'(x)"
    ref = row.reference()
    if row.sfx == "f32":
        return _within_32(row, got, ref, np.ones(row.n, bool))
    bad = _mismatch(got, ref)
    settled = ""
    if bad.any() and row.name in ulp.ROOTS:
        # cyacts.reference's two float64 terms cancel near the derivatives' zeros (x ~ -0.75):
        # there, where it disagrees, mpmath (cyacts._ulp) decides, with the float64 ULP bound
        idx = np.flatnonzero(bad & (row.x > -1.0) & (row.x < -0.5))
        exact = ulp.reference64(row.name, row.x[idx])
        bad[idx] = ulp.ulp_distance(got[idx], exact) > ulp_bound(row.name, row.dtype)
        settled = f" ({idx.size} by mpmath)"
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return False, (f"{int(bad.sum())} outside the tolerance of cyacts.reference, first at "
                       f"{row.where(i)}: {got[i]!r}, reference {ref[i]!r}")
    return True, "within tolerance" + settled


def _within_32(row, got, ref, keep):
    bound = ulp_bound(row.name, row.dtype)
    worst, at = ulp.max_ulp(row.x[keep], got[keep], ref[keep])
    if worst > bound:
        return False, f"{worst} ULP from cyacts.reference (bound {bound}) at x={at!r}"
    return True, f"max {worst} ULP (bound {bound})"


def _within_64(row, got, ref, keep):
    bad = np.zeros(row.n, bool)
    bad[keep] = _mismatch(got[keep], ref[keep])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return False, (f"{int(bad.sum())} outside the tolerance of cyacts.reference, first at "
                       f"{row.where(i)}: {got[i]!r}, reference {ref[i]!r}")
    return True, "within tolerance"


def _within_16(row, got, ref, keep):
    d = np.zeros(row.n, np.uint64)
    d[keep] = ulp.ulp_distance(got[keep], ref[keep])
    flush = 2.0**-100  # as float32 results (bfloat16 has float32's range)
    with np.errstate(all="ignore"):
        d[(np.abs(ref.astype(np.float64)) < flush)
          & (np.abs(got.astype(np.float64)) <= 2 * flush)] = 0
    worst = int(d.max())
    if worst > 1:
        i = int(np.argmax(d))
        return False, f"{worst} ULP from cyacts.reference (bound 1) at {row.where(i)}"
    return True, f"max {worst} ULP (bound 1)"


def _check_gated(row, got, results):
    found = []
    if row.sfx not in HALF:
        # the activation's kernels' results, combined as cyacts.h's gated loops do
        base = GATED_BASE[row.name]
        if row.scalar_values != row.scalars_of(base):
            return False, f"ran with other scalar parameters than {base}: not comparable"
        f = results[row.key(base, drop=("value", "grad_output"))][:row.n]
        v = row.value
        with np.errstate(all="ignore"):
            if not row.use.grad:
                want, formula = v * f, "value * f(gate)"
            elif row.output == "grad_value":
                want, formula = (f, "f(gate)") if row.g is None else (row.g * f,
                                                                       "grad_output * f(gate)")
            else:
                d = results[row.key(base + "_grad", drop=("value", "grad_output"))][:row.n]
                want, formula = ((d * v, "f'(gate) * value") if row.g is None
                                 else ((row.g * d) * v, "(grad_output * f'(gate)) * value"))
        bad = ~_same(got, want)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return False, (f"{int(bad.sum())} differ from {formula} of the {base} kernels, "
                           f"first at {row.where(i)}: {_show(got[i])}, want {_show(want[i])}")
        found.append(f"= {formula}")
    ref = row.reference()
    with np.errstate(invalid="ignore"):  # ml_dtypes warns when it widens a NaN
        missing = np.isnan(ref.astype(np.float64)) & ~np.isnan(got.astype(np.float64))
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        return False, (f"{int(missing.sum())} not NaN where the reference is, first at "
                       f"{row.where(i)}")
    keep = _meaningful(row)
    within = {"f32": _within_32, "f64": _within_64}.get(row.sfx, _within_16)
    passed, verdict = within(row, got, ref, keep)
    found.append(f"{verdict} on {int(keep.sum())} of {row.n}")
    return passed, "; ".join(found)


def _meaningful(row):
    """Where a gated result's error is bounded by the unit's published bound: finite operands,
    the activation (and for grad_gate its derivative and grad_output times it) between the flush
    threshold and the overflow threshold of the arithmetic's dtype (float32 for the 16-bit
    formats). Elsewhere a rounding before the last product is not relative (subnormal, or
    flushed, or overflowed), and the exact checks above say what the result is."""
    wide = np.dtype(np.float64 if row.sfx == "f64" else np.float32)
    low, high = ulp.FLUSH[wide], float(np.finfo(wide).max)
    forward, grad = row.use.op.reference_names
    # the activation's float64 values, once for the forward and both derivative outputs
    base = GATED_BASE[row.name]
    with np.errstate(all="ignore"):  # ml_dtypes warns when it widens a NaN
        x = _memo(row.key(base, drop=("grad_output",), output="x"),
                  lambda: row.x.astype(np.float64))
        keep = np.isfinite(x) & np.isfinite(row.value.astype(np.float64))
        keep &= _memo(row.key(base, drop=("grad_output",), output="f"),
                      lambda: np.abs(getattr(reference, forward)(x, **row.kwargs())) >= low)
        if row.g is not None:
            keep &= np.isfinite(row.g.astype(np.float64))
        if row.output == "grad_gate":
            d = _memo(row.key(base, drop=("grad_output",), output="d"),
                      lambda: np.abs(getattr(reference, grad)(x, **row.kwargs())))
            gd = d if row.g is None else np.abs(row.g.astype(np.float64)) * d
            keep &= (d >= low) & (gd >= low) & (gd <= high)
    return keep


_MEMO = {}


def _memo(key, compute):
    """compute(), once per key (the rows of one dtype share operands)."""
    if key not in _MEMO:
        _MEMO[key] = compute()
    return _MEMO[key]


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------
def _same(a, b):
    """Bitwise equal, or both NaN."""
    u = _uint(a.dtype)
    with np.errstate(invalid="ignore"):
        return (a.view(u) == b.view(u)) | (np.isnan(a) & np.isnan(b))


def _show(v):
    v = np.asarray(v).reshape(1)
    return f"{v[0]!r} (0x{int(v.view(_uint(v.dtype))[0]):0{2 * v.itemsize}x})"


def check(directory, oracle_build, builds):
    manifests = {}
    for b in builds:
        with open(os.path.join(directory, f"{b}.txt")) as f:
            manifests[b] = [line.split() for line in f if line.strip()]
    for b in builds[1:]:
        if manifests[b] != manifests[builds[0]]:
            raise SystemExit(f"cross-isa: builds {builds[0]} and {b} ran different op lists")
    rows = [r for r in manifests[builds[0]] if r[0] != "sm"]
    reduction_rows = [r for r in manifests[builds[0]] if r[0] == "sm"]
    ran = {name for _, name, *_ in rows}
    if ran != set(KERNELS):
        raise SystemExit(f"cross-isa: the driver's table and the registry differ (run "
                         f"tools/generate.py?): only in the table: {sorted(ran - set(KERNELS))}"
                         f", only in the registry: {sorted(set(KERNELS) - ran)}")
    param_values = read_params(directory)
    inputs = {sfx: {k: np.fromfile(os.path.join(directory, f"{k}.{sfx}"), dtype)
                    for k in ("x", "g", "a", "v", "b")} for sfx, dtype in DTYPES.items()}
    n = {sfx: v["x"].size for sfx, v in inputs.items()}
    outputs = {b: {sfx: np.memmap(os.path.join(directory, f"out_{b}.{sfx}"), dtype, "r")
                   for sfx, dtype in DTYPES.items()} for b in builds}
    print(f"cross-isa: {', '.join(builds)}: {n['f32']} float32, {n['f64']} float64, "
          f"{n['f16']} float16 and {n['bf16']} bfloat16 inputs "
          f"per kernel (the gated kernels, grad_output and bias variants: the first "
          f"{inputs['f32']['b'].size}); NaN results compare as NaN; {oracle_build} checked against "
          f"{os.path.dirname(reference.__file__)}/reference.py; scalar parameters: "
          + ", ".join(f"{k} {' '.join(f'{v!r}' for v in vs)}" for k, vs in param_values.items()))
    failures = []
    offset = dict.fromkeys(DTYPES, 0)
    results = {}  # the oracle build's results by Row.key()
    for sfx, name, shape, variant, output, length in rows:
        row = Row(sfx, name, shape, variant, output, int(length), inputs[sfx], param_values)
        k = offset[sfx]
        offset[sfx] += row.n
        label = f"{name} {sfx} {variant}" + ("" if output == "y" else f" {output}")
        first = np.asarray(outputs[builds[0]][sfx][k:k + row.n])
        verdicts = []
        for b in builds[1:]:
            other = np.asarray(outputs[b][sfx][k:k + row.n])
            bad = ~_same(first, other)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                verdicts.append(f"{b}: {int(bad.sum())} differ, first at {row.where(i)}: "
                                f"{builds[0]} {_show(first[i])}, {b} {_show(other[i])}")
                failures.append(f"{label}: {b} differs from {builds[0]}")
        bits = "; ".join(verdicts) or "same"
        got = np.asarray(outputs[oracle_build][sfx][k:k + row.n])
        results[row.key(output=output)] = got
        passed, found = oracle_check(row, got, results)
        if not passed:
            failures.append(f"{label}: {oracle_build} fails the oracle")
        print(f"{sfx} {name:25} {variant + ('' if output == 'y' else ' ' + output):30} "
              f"bits: {bits}; oracle: {'ok' if passed else 'FAIL'}, {found}")
    for b in builds:
        for sfx, out in outputs[b].items():
            if out.size != offset[sfx]:
                raise SystemExit(f"cross-isa: out_{b}.{sfx} has {out.size} results, "
                                 f"expected {offset[sfx]}")
    failures += check_reductions(directory, oracle_build, builds, reduction_rows)
    if failures:
        print("cross-isa: FAILED:\n  " + "\n  ".join(failures))
        return 1
    print(f"cross-isa: every kernel, dtype and variant gives the same bits on "
          f"{', '.join(builds)}, within the oracle's bounds")
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "inputs":
        write_inputs(argv[1])
        return 0
    if len(argv) >= 4 and argv[0] == "check":
        return check(argv[1], argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
