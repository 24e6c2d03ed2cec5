"""The inputs of scripts/cross_isa/driver.c, and the comparison of its builds' results.

    compare.py inputs DIR                     write the inputs the driver reads
    compare.py check DIR ORACLE BUILD...      compare DIR/out_BUILD.{f32,f64,f16,bf16} bit for
                                              bit (the driver printed DIR/BUILD.txt) and check
                                              build ORACLE against cyacts.reference

Results compare bit for bit, except that two NaNs count as equal whatever their sign and
payload: IEEE 754 leaves both to the hardware (x86 and arm64 propagate NaN operands and make
new NaNs differently), so a NaN result is only required to be NaN on every build.

The reductions (softmax, log_softmax, logsumexp and their derivatives, the driver's sm_run_*)
run on rows of their own inputs (sx, and sy/sl/sg for the derivatives) and compare the same
way, against cyacts.reference at the registry's bounds (tests/test_softmax.py's check).

The oracle check makes a wrong-but-consistent result fail: float32 results within the ULP bound
of the registry (cyacts._ops), float64 results within the test suite's tolerance (tests/_cases.py: relative
1e-12, absolute floor 2^-960), NaN exactly where the reference has NaN. A result with
grad_output must equal grad_output * (the result without it) in the dtype's arithmetic, bit
for bit: that is the kernels' contract (cyacts.h, D), and it spares the float64 oracle's single
rounding of the product from counting as an error. float16 and bfloat16 results (every 16-bit
pattern four times as x) must be within 1 ULP of cyacts.reference (bfloat16 results below
2^-100 may flush, as float32 ones may), and each build's driver checks that they are its float32
kernel's results on the widened inputs, rounded (with grad_output too).
"""
import os
import sys

import ml_dtypes
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests"))

from _cases import _mismatch  # noqa: E402  (the test suite's tolerance check)
from cyacts import _ops, reference  # noqa: E402
from cyacts import _ulp as ulp  # noqa: E402  (ulp_distance, value windows, mpmath references)

USES = _ops.kernel_uses()

DTYPES = {"f32": np.dtype(np.float32), "f64": np.dtype(np.float64),
          "f16": np.dtype(np.float16), "bf16": np.dtype(ml_dtypes.bfloat16)}
HALF = ("f16", "bf16")
PARAM = 0.01  # the scalar param (leaky_relu's slope), as cyacts._ulp measures it
N_RANDOM_MIN = 1 << 18


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
        if sfx in HALF:  # every bit pattern, four times
            x = rng.permutation(np.tile(np.arange(1 << 16, dtype=np.uint32), 4))
            x = x.astype(np.uint16).view(dtype)
        else:
            x = make_x(dtype, n, rng)
        x.tofile(os.path.join(directory, f"x.{sfx}"))
        make_aux(x, rng, 4.0).tofile(os.path.join(directory, f"g.{sfx}"))
        make_aux(x, rng, 1.0).tofile(os.path.join(directory, f"a.{sfx}"))
    with open(os.path.join(directory, "param"), "w") as f:
        f.write(repr(PARAM))
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
# the oracle
# --------------------------------------------------------------------------------------------
def ulp_bound(name, dtype):
    """The registry's ULP bound of kernel `name`'s results in `dtype`."""
    return USES[name].ulp[np.dtype(dtype).name]


def reference_result(name, variant, x, alpha, param):
    """cyacts.reference's result of kernel `name` without grad_output (variant as the driver
    names it: "alpha" for a per-element alpha, "param" for the scalar one)."""
    use = USES[name]
    op = use.op
    kw = dict(use.params)
    if use.from_output:
        kw["from_output"] = True
    if "alpha" in variant:
        kw[op.per_element.name] = alpha
    if "param" in variant:  # the value as the kernel got it (a float for 16-bit kernels)
        kw[op.scalar.name] = float((np.float32 if x.dtype.itemsize == 2 else x.dtype.type)(param))
    forward, grad = op.reference_names
    return getattr(reference, grad if use.grad else forward)(x, **kw)


def oracle_check(name, variant, x, g, alpha, param, got, without_grad):
    """(passed, what was found) for the results `got` of op `name` called as `variant`."""
    if x.dtype.itemsize == 2:
        return _check_16(name, variant, x, alpha, param, got)
    if "grad_output" in variant:
        with np.errstate(all="ignore"):
            bad = ~_same(got, g * without_grad)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return False, (f"{int(bad.sum())} differ from grad_output * f'(x), first at "
                           f"{_where(i, variant, x, g, alpha)}")
        return True, "= grad_output * f'(x)"
    ref = reference_result(name, variant, x, alpha, param)
    if x.dtype == np.float32:
        bound = ulp_bound(name, x.dtype)
        worst, at = ulp.max_ulp(x, got, ref)
        if worst > bound:
            return False, f"{worst} ULP from cyacts.reference (bound {bound}) at x={at!r}"
        return True, f"max {worst} ULP (bound {bound})"
    bad = _mismatch(got, ref)
    settled = ""
    if bad.any() and name in ulp.ROOTS:
        # cyacts.reference's two float64 terms cancel near the derivatives' zeros (x ~ -0.75):
        # there, where it disagrees, mpmath (cyacts._ulp) decides, with the float64 ULP bound
        idx = np.flatnonzero(bad & (x > -1.0) & (x < -0.5))
        exact = ulp.reference64(name, x[idx])
        bad[idx] = ulp.ulp_distance(got[idx], exact) > ulp_bound(name, x.dtype)
        settled = f" ({idx.size} by mpmath)"
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return False, (f"{int(bad.sum())} outside the tolerance of cyacts.reference, first at "
                       f"{_where(i, variant, x, g, alpha)}: {got[i]!r}, reference {ref[i]!r}")
    return True, "within tolerance" + settled


def _check_16(name, variant, x, alpha, param, got):
    if "grad_output" in variant:
        return True, "= the float32 kernel's, rounded (the driver checks)"
    ref = reference_result(name, variant, x, alpha, param)
    d = ulp.ulp_distance(got, ref)
    flush = 2.0**-100  # as float32 results (bfloat16 has float32's range)
    with np.errstate(all="ignore"):
        d[(np.abs(ref.astype(np.float64)) < flush)
          & (np.abs(got.astype(np.float64)) <= 2 * flush)] = 0
    worst = int(d.max())
    if worst > 1:
        i = int(np.argmax(d))
        return False, f"{worst} ULP from cyacts.reference (bound 1) at x={_show(x[i])}"
    return True, f"max {worst} ULP (bound 1)"


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------
def _without_grad(variant):
    """The driver's name of the same call with grad_output = NULL."""
    return "+".join(t for t in variant.split("+") if t != "grad_output") or "x"


def _same(a, b):
    """Bitwise equal, or both NaN."""
    u = _uint(a.dtype)
    return (a.view(u) == b.view(u)) | (np.isnan(a) & np.isnan(b))


def _show(v):
    v = v.reshape(1)
    return f"{v[0]!r} (0x{int(v.view(_uint(v.dtype))[0]):0{2 * v.itemsize}x})"


def _where(i, variant, x, g, alpha):
    s = f"x={_show(x[i])}"
    if "grad_output" in variant:
        s += f" grad_output={_show(g[i])}"
    if "alpha" in variant:
        s += f" alpha={_show(alpha[i])}"
    return s


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
    with open(os.path.join(directory, "param")) as f:
        param = float(f.read())
    inputs = {sfx: [np.fromfile(os.path.join(directory, f"{k}.{sfx}"), dtype)
                    for k in ("x", "g", "a")] for sfx, dtype in DTYPES.items()}
    n = {sfx: v[0].size for sfx, v in inputs.items()}
    outputs = {b: {sfx: np.memmap(os.path.join(directory, f"out_{b}.{sfx}"), dtype, "r")
                   for sfx, dtype in DTYPES.items()} for b in builds}
    print(f"cross-isa: {', '.join(builds)}: {n['f32']} float32, {n['f64']} float64, "
          f"{n['f16']} float16 and {n['bf16']} bfloat16 inputs "
          f"per function; NaN results compare as NaN; {oracle_build} checked against "
          f"{os.path.dirname(reference.__file__)}/reference.py")
    failures = []
    offset = dict.fromkeys(DTYPES, 0)
    without_grad = {}
    for sfx, name, shape, variant in rows:
        x, g, alpha = inputs[sfx]
        k = offset[sfx]
        offset[sfx] += n[sfx]
        first = np.asarray(outputs[builds[0]][sfx][k:k + n[sfx]])
        verdicts = []
        for b in builds[1:]:
            other = np.asarray(outputs[b][sfx][k:k + n[sfx]])
            bad = ~_same(first, other)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                verdicts.append(f"{b}: {int(bad.sum())} differ, first at "
                                f"{_where(i, variant, x, g, alpha)}: {builds[0]} "
                                f"{_show(first[i])}, {b} {_show(other[i])}")
                failures.append(f"{name} {sfx} {variant}: {b} differs from {builds[0]}")
        bits = "; ".join(verdicts) or "same"
        got = np.asarray(outputs[oracle_build][sfx][k:k + n[sfx]])
        key = (sfx, name, _without_grad(variant))
        if "grad_output" not in variant:
            without_grad[key] = got
        passed, found = oracle_check(name, variant, x, g, alpha, param, got,
                                     without_grad.get(key))
        if not passed:
            failures.append(f"{name} {sfx} {variant}: {oracle_build} fails the oracle")
        print(f"{sfx} {name:25} {variant:18} bits: {bits}; oracle: {'ok' if passed else 'FAIL'}, "
              f"{found}")
    for b in builds:
        for sfx, out in outputs[b].items():
            if out.size != offset[sfx]:
                raise SystemExit(f"cross-isa: out_{b}.{sfx} has {out.size} results, "
                                 f"expected {offset[sfx]}")
    failures += check_reductions(directory, oracle_build, builds, reduction_rows)
    if failures:
        print("cross-isa: FAILED:\n  " + "\n  ".join(failures))
        return 1
    print(f"cross-isa: every function and dtype gives the same bits on {', '.join(builds)}, "
          f"within the oracle's bounds")
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
