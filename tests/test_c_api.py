"""The header-only C API (cyacts.get_include()/cyacts/cyacts.h) from C99 and C++17.

A. The calls come from the registry (cyacts._ops): every kernel of every op, float32 and
   float64, each derivative with grad_output NULL and non-NULL, the per-element kernels with an
   alpha array, the derivatives from the output fed y = f(x), and a sample run in place. Their
   arguments follow the header's own declarations (the preprocessed header), so a new op is
   covered, and a kernel the header lacks is named, with no edit here.
B. Every result is compared with cyacts.reference, not with the extension, at the op's published
   bound in ULPs (op.ulp / op.grad_ulp; 0 = the correctly rounded value itself). A second
   check, built with the extension's own flags, asks for the extension's baseline kernels bit
   for bit: the header and the extension are one source.
C. The header must compile warning-free under strict flags, with and without OpenMP. The
   examples/ programs are compiled, run and checked the same way. Everything skips when there
   is no C/C++ compiler.
"""
import dataclasses
import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cyacts
from cyacts import _core, _ops, reference

# ULP distance, flush thresholds and mpmath formulas
from cyacts._ulp import FLUSH, mp_eval, ulp_distance

from _cases import c_literal

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
HEADER = Path(cyacts.get_include()) / "cyacts" / "cyacts.h"
# the kernels of the single-input ops (the gated units and the fused-bias functions have their
# own test: test_c_api_fused.py)
KERNELS = {k.name: k for k in _ops.kernels() if not k.gated}
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
SUFFIX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}

C_STRICT = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-ffp-contract=off"]
CXX_STRICT = ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off"]


# --------------------------------------------------------------------------------------------
# compilers
# --------------------------------------------------------------------------------------------
def _find_compiler(env, candidates):
    """The compiler command (a list) named by $env or the first candidate on PATH, or None."""
    names = [os.environ[env]] if os.environ.get(env) else []
    for name in names + candidates:
        cmd = shlex.split(name)
        if cmd and shutil.which(cmd[0]):
            return cmd
    return None


CC = _find_compiler("CC", ["cc", "gcc", "clang"])
CXX = _find_compiler("CXX", ["c++", "g++", "clang++"])


def _compiler(lang):
    cmd = CC if lang == "c" else CXX
    if cmd is None or sys.platform == "win32":
        pytest.skip(f"no {'C' if lang == 'c' else 'C++'} compiler of the gcc/clang family found")
    return cmd


def _build(lang, sources, flags, out, tmp_path):
    """Compile and link `sources` into `out`; fail the test with the compiler's message."""
    cmd = [*_compiler(lang), *flags, f"-I{cyacts.get_include()}", *map(str, sources),
           "-o", str(out)]
    if lang == "c":
        cmd.append("-lm")
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, f"{shlex.join(cmd)}\n{proc.stdout}{proc.stderr}"
    assert proc.stderr.strip() == "", f"warnings from {shlex.join(cmd)}:\n{proc.stderr}"
    return out


_openmp_cache = {}


def _openmp_flags(lang, tmp_path):
    """["-fopenmp"] where the compiler links OpenMP programs, else skip."""
    if lang not in _openmp_cache:
        src = tmp_path / ("omp_probe." + ("c" if lang == "c" else "cpp"))
        src.write_text("#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n")
        cmd = [*_compiler(lang), "-fopenmp", str(src), "-o", str(tmp_path / "omp_probe")]
        _openmp_cache[lang] = subprocess.run(cmd, capture_output=True).returncode == 0
    if not _openmp_cache[lang]:
        pytest.skip("the compiler has no OpenMP")
    return ["-fopenmp"]


def _extension_flags():
    """The code-generation flags the extension was built with (warnings and OpenMP aside)."""
    flags = cyacts.config()["flags"].split()
    if not flags or not flags[0].startswith("-"):
        pytest.skip(f"the extension was not built with a gcc/clang-style compiler: {flags}")
    keep, skip_next = [], False
    for flag in flags:
        if skip_next:
            skip_next = False
        elif flag == "-Xpreprocessor":  # Apple clang's OpenMP spelling: needs libomp to link
            skip_next = True
        elif flag.startswith("-W") or flag == "-fopenmp" or flag.startswith("-I"):
            continue
        else:
            keep.append(flag)
    return keep


def _strict(lang):
    return list(C_STRICT if lang == "c" else CXX_STRICT)


def _matching(lang):
    """The extension's flags, plus the strict warnings; the same OpenMP setting."""
    std = ["-std=c99", "-pedantic"] if lang == "c" else ["-std=c++17"]
    built = cyacts.config()["flags"].split()
    omp = ["-fopenmp"] if "-fopenmp" in built and "-Xpreprocessor" not in built else []
    return [*std, *_extension_flags(), *omp, "-Wall", "-Wextra", "-Werror"]


class level:
    """Run the Python functions on one kernel table (the one a C build without -march matches)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.previous = _core.simd_level()
        if _core.select_level(self.name) != self.name:
            _core.select_level(self.previous)
            pytest.skip(f"cyacts has no {self.name!r} kernels here")

    def __exit__(self, *exc):
        _core.select_level(self.previous)


BASELINE = _core.AVAILABLE_LEVELS[0]  # "baseline" on x86-64, "neon" on arm64


# --------------------------------------------------------------------------------------------
# the calls: every kernel of the registry
# --------------------------------------------------------------------------------------------
ARRAY = "<array>"  # a per-element parameter given as the alpha array
ALPHA_RANGE = (0.01, 0.3)  # the alpha array's values: > 0, so the output gives the input's sign


@dataclasses.dataclass(frozen=True)
class Call:
    """One call of an array function of the header (cyacts_<kernel>_<f32|f64>)."""

    op: str
    kernel: str
    #: (name, value) of every parameter, defaults filled in; ARRAY for the alpha array
    params: tuple
    derivative: bool = False
    grad_output: bool = False  # the derivative gets grad_output, else NULL
    from_output: bool = False  # the kernel reads y = f(x) instead of x
    in_place: str = ""  # "x" or "grad_output": the output buffer is that input

    @property
    def entry(self):
        return _ops.BY_NAME[self.op]

    def bound(self, dtype):
        """The published bound in ULPs of `dtype`."""
        return (self.entry.grad_ulp if self.derivative else self.entry.ulp)[dtype.name]

    def label(self, dtype):
        scalars = {p.name for p in self.entry.scalars}
        args = [f"y = {self.op}(x)" if self.from_output else "x"]
        args += [f"{name}[]" if value == ARRAY else f"{name}={value}"
                 for name, value in self.params if name in scalars or value == ARRAY]
        if self.derivative:
            args.append("grad_output" if self.grad_output else "NULL")
        where = {"": "", "x": " in place (y == x)", "grad_output": " in place (y == grad_output)"}
        return f"cyacts_{self.kernel}_{SUFFIX[dtype]}({', '.join(args)}){where[self.in_place]}"


def _c_number(call, name, dtype):
    """A scalar parameter's value as a C literal (None: the number the kernels receive)."""
    param = next(p for p in _ops.BY_NAME[call.op].params if p.name == name)
    return c_literal(dtype.type(param.number(dict(call.params)[name])))


def _from_output_allowed(op, params):
    if op.from_output_requires is None:
        return True
    name, test, _ = op.from_output_requires
    value = params[name]
    return bool(np.all(test(np.asarray(ALPHA_RANGE if value == ARRAY else value))))


def _calls():
    """Every kernel with every parameter set the registry tests (op.variants(), plus the alpha
    array), then the in-place sample."""
    calls = []
    for op in _ops.OPS:
        variants = [dict(v) for v in op.variants()]
        if op.per_element is not None:
            variants.append({op.per_element.name: ARRAY})
        for variant in variants:
            params = {p.name: p.default for p in op.params} | variant
            array = ARRAY in params.values()
            kernel = op.per_element_kernel if array else op.kernel_for(params)
            items = tuple(params.items())
            calls.append(Call(op.name, kernel, items))
            grads = [(kernel + "_grad", False)]
            if op.from_output == "same" and _from_output_allowed(op, params):
                grads.append((kernel + "_grad", True))
            elif op.from_output == "own" and not array and _from_output_allowed(op, params):
                grads.append((kernel + "_grad_from_output", True))
            for name, from_output in grads:
                for grad_output in (False, True):
                    calls.append(Call(op.name, name, items, True, grad_output, from_output))
    # In place: the last call (in table order) of each calling form, y == x, and for the
    # derivatives y == grad_output too.
    last = {}
    for call in calls:
        if call.grad_output or not call.derivative:
            last[KERNELS[call.kernel].shape, call.from_output] = call
    for call in last.values():
        calls.append(dataclasses.replace(call, in_place="x"))
        if call.derivative:
            calls.append(dataclasses.replace(call, in_place="grad_output"))
    return calls


CALLS = _calls()
# the outputs y = f(x) the from-output calls read: (op, params) of each forward
FEEDS = sorted({(c.op, c.params) for c in CALLS if c.from_output}, key=str)


def _evaluate(call, module, x, g, a):
    """`call` through cyacts.reference or the extension's public functions (module cyacts).
    x is what the kernel reads; a scalar parameter is passed as the dtype's value, as C gets it."""
    op = call.entry
    forward, grad = op.reference_names if module is reference else (op.name, op.name + "_grad")
    scalars = {p.name for p in op.scalars}
    kwargs = {name: a if value == ARRAY else float(x.dtype.type(value))
              if name in scalars and value is not None else value
              for name, value in call.params}
    if not call.derivative:
        return getattr(module, forward)(x, **kwargs)
    return getattr(module, grad)(x, g if call.grad_output else None,
                                 from_output=call.from_output, **kwargs)


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _arrays(dtype):
    """[x, grad_output, alpha, one y = f(x) per FEEDS entry]: n values each, n odd (vector
    tails). x: specials, the kinks and their neighbours, [-10, 10], near 0 down to the
    subnormals, tails to +-1e4. grad_output: mostly normal, 1 in 20 an extreme (NaN, +-inf,
    0, +-max, tiny, subnormal: the products that overflow, underflow or are inf * 0)."""
    rng = np.random.default_rng(20240601)
    info = np.finfo(dtype)
    sub, tiny, big = float(info.smallest_subnormal), float(info.tiny), float(info.max)
    kinks = np.array(sorted({float(_ops.resolve(k.x, params, op)) for op in _ops.OPS
                             for params in op.variants() for k in op.kinks}), dtype)
    parts = [
        np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, sub, -sub, tiny,
                  -tiny, big, -big], dtype),
        kinks, np.nextafter(kinks, dtype.type(-np.inf)), np.nextafter(kinks, dtype.type(np.inf)),
        np.linspace(-10, 10, 2001, dtype=dtype),
        rng.uniform(-10, 10, 1000).astype(dtype),
        (np.geomspace(sub, 1e-3, 600) * rng.choice([-1, 1], 600)).astype(dtype),
        (np.geomspace(10, 1e4, 600) * rng.choice([-1, 1], 600)).astype(dtype),
    ]
    x = np.concatenate(parts)
    x = x[: x.size - 1 + x.size % 2]
    g = rng.normal(0, 2, x.size).astype(dtype)
    extremes = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, big, -big, tiny, -sub, 2.0**60],
                        dtype)
    where = rng.choice(x.size, x.size // 20, replace=False)
    g[where] = rng.choice(extremes, where.size)
    a = rng.uniform(*ALPHA_RANGE, x.size).astype(dtype)
    feeds = [_evaluate(Call(op, "", params), reference, x, None, a) for op, params in FEEDS]
    return (x, g, a, *feeds)


def _input_index(call):
    """Which of _arrays() the kernel reads as its input."""
    return 3 + FEEDS.index((call.op, call.params)) if call.from_output else 0


# --------------------------------------------------------------------------------------------
# comparison with cyacts.reference
# --------------------------------------------------------------------------------------------
MP_POINTS = 400  # float64 inputs per smooth kernel compared with mpmath


@functools.lru_cache(maxsize=None)
def _mp(name, xs_bytes):
    return mp_eval(name, np.frombuffer(xs_bytes, np.float64))


@functools.lru_cache(maxsize=None)
def _has_mp(name):
    """Whether cyacts.reference has an mpmath formula for element function `name` (the piecewise
    ones have none: their reference is single IEEE operations, exact)."""
    pytest.importorskip("mpmath")
    try:
        mp_eval(name, [0.0])
    except KeyError:
        return False
    return True


@dataclasses.dataclass
class Expected:
    want: np.ndarray  # the reference's result
    bound: int  # ULPs allowed
    against: str
    #: where the result is compared
    checked: np.ndarray
    #: f'(x) correctly rounded to the dtype, for the alternative grad_output * f'(x)
    derivative: np.ndarray = None


def expect(call, x, g, a):
    """What `call` must give on input x (the kernel's: x, or y for the from-output ones).

    float32: cyacts.reference rounds a float64 evaluation once: the correctly rounded value
    but for a tiny error, so the bound is the ULP distance allowed. float64: the reference's
    NumPy formulas are only good to about 1-2 ULP themselves, and far worse where they cancel
    (GELU's tail, the derivatives' zeros), so a smooth kernel's float64 results are compared
    with mpmath (cyacts._ulp) on MP_POINTS finite inputs plus the non-finite ones (the
    reference's limits); a smooth kernel mpmath has no formula for (the from-output ones) is
    compared with the reference at its bound + 2 ULP.
    """
    dtype = x.dtype
    bound = call.bound(dtype)
    with np.errstate(all="ignore"):
        want = np.asarray(_evaluate(call, reference, x, g, a))
        # With grad_output the kernel returns the IEEE product grad_output * f'(x) of an f'
        # rounded to the dtype (README): where that product underflows, overflows or is
        # inf * 0 it need not be close to the correctly rounded product.
        derivative = None
        if call.grad_output:
            no_g = dataclasses.replace(call, grad_output=False)
            derivative = np.asarray(_evaluate(no_g, reference, x, None, a))
    checked = np.ones(x.shape, bool)
    against = "cyacts.reference"
    name = KERNELS[call.kernel].elem
    # mpmath's forms take the op's default parameters only
    defaults = all(dict(call.params).get(p.name) == p.default for p in call.entry.scalars)
    if dtype == np.float64 and not call.from_output and _has_mp(name) and defaults:
        finite = np.flatnonzero(np.isfinite(x))
        pick = finite[:: max(1, finite.size // MP_POINTS)]
        if call.grad_output:  # grad_output * the correctly rounded f'(x), in the dtype
            derivative[pick] = _mp(name, x[pick].tobytes())
            with np.errstate(all="ignore"):
                want[pick] = g[pick] * derivative[pick]
        else:
            want[pick] = _mp(name, x[pick].tobytes())
        checked = ~np.isfinite(x)
        checked[pick] = True
        against = "mpmath"
    elif dtype == np.float64 and bound:
        bound += 2
        against = "cyacts.reference (bound + 2 ULP for its own float64 error)"
    return Expected(want, bound, against, checked, derivative)


def _steps(v, k):
    """v moved k representable values (toward +inf for k > 0)."""
    for _ in range(abs(k)):
        v = np.nextafter(v, v.dtype.type(np.inf if k > 0 else -np.inf))
    return v


def mismatches(got, e, g):
    """Mask of the results outside what `e` allows.

    A result matches the reference if it is NaN exactly where the reference is, else within
    e.bound ULPs of it (bound 0: equal, sign of zero included). Where |reference| is below the
    flush threshold (cyacts._ulp.FLUSH) it may be flushed: |result| <= 2 threshold passes.
    With grad_output it may instead match the alternative: grad_output * d in the dtype for
    some d within the bound of the rounded f'(x) (0 too where f' may flush), NaN where such a
    product is NaN.
    """
    want, t = e.want, FLUSH[got.dtype]
    with np.errstate(all="ignore"):
        ok = ulp_distance(got, want) <= e.bound
        ok |= (np.abs(want) < t) & (np.abs(got) <= 2 * t)
        if e.bound == 0:
            ok &= (np.signbit(got) == np.signbit(want)) | np.isnan(want)
        if e.derivative is not None:
            d = e.derivative
            lo, hi = _steps(d, -e.bound), _steps(d, e.bound)
            zero = np.where(((lo <= 0) & (hi >= 0)) | (np.abs(d) < t), 0, d).astype(d.dtype)
            products = np.stack([g * v for v in (lo, d, hi, zero)])
            low, high = np.fmin.reduce(products), np.fmax.reduce(products)
            inside = (got >= low) & (got <= high)
            if e.bound == 0:
                inside &= np.signbit(got) == np.signbit(products[1])
            ok |= np.where(np.isnan(got), np.isnan(products).any(axis=0), inside)
    return e.checked & ~ok


def accuracy_errors(got, e, x, g, label):
    """[] or [a message naming the call and its first few results outside the bound]."""
    bad = mismatches(got, e, g)
    if not bad.any():
        return []
    i = np.flatnonzero(bad)[:3]
    ulps = ulp_distance(got[i], e.want[i])
    examples = "; ".join(
        f"x={x[j]!s}" + (f" grad_output={g[j]!s}" if e.derivative is not None else "")
        + f": got {got[j]!s} want {e.want[j]!s} ({int(u)} ULP)" for j, u in zip(i, ulps))
    return [f"{label}: {int(bad.sum())} of {int(e.checked.sum())} results beyond "
            f"{e.bound} ULP of {e.against}, e.g. {examples}"]


def bitwise_errors(got, want, label):
    """[] or [a message]: the same bits, any NaN for NaN."""
    got, want = np.asarray(got), np.asarray(want)
    if got.dtype != want.dtype or got.shape != want.shape:
        return [f"{label}: {got.dtype}{got.shape} != {want.dtype}{want.shape}"]
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    bits = f"u{got.itemsize}"
    bad = (nan_got != nan_want) | (~nan_got & (got.view(bits) != want.view(bits)))
    if not bad.any():
        return []
    i = np.flatnonzero(bad)[:5]
    return [f"{label}: {bad.sum()} values differ, e.g. got {got[i].tolist()} "
            f"want {want[i].tolist()} (at index {i.tolist()})"]


# --------------------------------------------------------------------------------------------
# the check program: CALLS, both dtypes
# --------------------------------------------------------------------------------------------
def declarations(tmp_path):
    """{function name: its parameters, as (is const pointer, is pointer, name)} of every array
    function the preprocessed header defines."""
    src = tmp_path / "pp.c"
    src.write_text("#include <cyacts/cyacts.h>\n")
    proc = subprocess.run([*_compiler("c"), "-E", "-P", f"-I{cyacts.get_include()}", str(src)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = {}
    # the reductions (cyacts/softmax.h: rows, not elements) and their internal helpers are
    # tested in test_softmax.py
    reductions = {f"cyacts_{r.name}_{sfx}" for r in _ops.REDUCTIONS for sfx in SUFFIX.values()}
    for name, params in re.findall(r"\bvoid\s+(cyacts_\w+)\s*\(([^)]*)\)", proc.stdout):
        if name.startswith("cyacts__") or name in reductions:
            continue
        parsed = []
        for p in params.split(","):
            m = re.fullmatch(r"\s*(const\s+)?\w+\s*(\*?)\s*(\w+)\s*", p)
            assert m, f"{name}: cannot read the parameter {p!r}"
            parsed.append((bool(m[1]) and bool(m[2]), bool(m[2]), m[3]))
        out[name] = parsed
    return out


def _c_statement(call, dtype, params):
    """The C call of `call` from its declared parameters: the output buffer is y, the inputs
    are rows of `in`, grad_output is g (or NULL), the scalar parameter a literal."""
    ctype = "float" if dtype == np.float32 else "double"
    kernel, source = KERNELS[call.kernel], f"in + {_input_index(call)} * n"
    args = []
    for const_pointer, pointer, name in params:
        if name == "n":
            args.append("n")
        elif pointer and not const_pointer:
            args.append("y")
        elif name == "grad_output":
            args.append("y" if call.in_place == "grad_output" else
                        "g" if call.grad_output else "NULL")
        elif name == kernel.param and pointer:
            args.append("a")
        elif name in kernel.params:
            args.append(f"({ctype}){_c_number(call, name, dtype)}")
        elif const_pointer:
            args.append("y" if call.in_place == "x" else source)
        else:
            raise AssertionError(f"cyacts_{call.kernel}_{SUFFIX[dtype]}: parameter {name}?")
    copy = {"x": source, "grad_output": "g", "": None}[call.in_place]
    head = f"memcpy(y, {copy}, n * sizeof({ctype})); " if copy else ""
    return f"    {head}cyacts_{call.kernel}_{SUFFIX[dtype]}({', '.join(args)}); EMIT();"


_DRIVER_HEAD = r"""
/* Reads k arrays of n values (x, grad_output, alpha, the outputs y = f(x) the derivatives from
   the output read), runs every call of the table, writes each result (n values) in turn.
   Valid C99 and C++17. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cyacts/cyacts.h>

#define EMIT() do { if (fwrite(y, sizeof *y, n, out) != n) return 3; } while (0)
"""

_DRIVER_TAIL = r"""
int main(int argc, char **argv) {
    size_t n, k;
    int rc;
    void *buf, *ybuf;
    FILE *in, *out;
    if (argc != 6) return 1;
    n = (size_t)strtoul(argv[2], NULL, 10);
    k = (size_t)strtoul(argv[3], NULL, 10);
    in = fopen(argv[4], "rb");
    out = fopen(argv[5], "wb");
    if (!in || !out) return 2;
    buf = malloc(k * n * sizeof(double) + 1);
    ybuf = malloc(n * sizeof(double) + 1);
    if (!buf || !ybuf) return 2;
    if (strcmp(argv[1], "f32") == 0) {
        if (fread(buf, sizeof(float), k * n, in) != k * n) return 2;
        rc = run_f32((const float *)buf, (float *)ybuf, n, out);
    } else {
        if (fread(buf, sizeof(double), k * n, in) != k * n) return 2;
        rc = run_f64((const double *)buf, (double *)ybuf, n, out);
    }
    free(buf);
    free(ybuf);
    fclose(in);
    return fclose(out) != 0 || rc != 0 ? 4 : 0;
}
"""


def driver_source(decls):
    parts = [_DRIVER_HEAD]
    for dtype in DTYPES:
        sfx, ctype = SUFFIX[dtype], "float" if dtype == np.float32 else "double"
        body = [_c_statement(c, dtype, decls[f"cyacts_{c.kernel}_{sfx}"]) for c in CALLS]
        parts.append(
            f"static int run_{sfx}(const {ctype} *in, {ctype} *y, size_t n, FILE *out) {{\n"
            f"    const {ctype} *g = in + n;\n    const {ctype} *a = in + 2 * n;\n"
            + "\n".join(body) + "\n    return 0;\n}\n")
    parts.append(_DRIVER_TAIL)
    return "\n".join(parts)


def _run_driver(exe, dtype, tmp_path):
    arrays = _arrays(dtype)
    n, sfx = arrays[0].size, SUFFIX[dtype]
    src, dst = tmp_path / f"in_{sfx}.bin", tmp_path / f"out_{sfx}.bin"
    np.concatenate(arrays).tofile(src)
    proc = subprocess.run([str(exe), sfx, str(n), str(len(arrays)), str(src), str(dst)],
                          capture_output=True)
    assert proc.returncode == 0, proc
    y = np.fromfile(dst, dtype=dtype)
    assert y.size == n * len(CALLS)
    return y.reshape(len(CALLS), n)


@functools.lru_cache(maxsize=None)
def _driver_expect(call, dtype):
    arrays = _arrays(dtype)
    return expect(call, arrays[_input_index(call)], arrays[1], arrays[2])


def _check_driver(exe, tmp_path, bitwise):
    """Every result of the program within its bound of cyacts.reference; with `bitwise`, also
    equal to the extension's baseline kernels bit for bit. All failures in one message."""
    errors = []
    for dtype in DTYPES:
        ys = _run_driver(exe, dtype, tmp_path)
        arrays = _arrays(dtype)
        g, a = arrays[1], arrays[2]
        for call, got in zip(CALLS, ys):
            x, label = arrays[_input_index(call)], call.label(dtype)
            errors += accuracy_errors(got, _driver_expect(call, dtype), x, g, label)
            if bitwise:
                with level(BASELINE), np.errstate(all="raise"):  # no floating-point warning
                    want = _evaluate(call, cyacts, x, g, a)
                errors += bitwise_errors(got, want, label + " against the extension")
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture(scope="module")
def driver_src(tmp_path_factory):
    d = tmp_path_factory.mktemp("capi")
    source = driver_source(declarations(d))
    (d / "check.c").write_text(source)
    (d / "check.cpp").write_text(source)
    return d


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------
def test_get_include_holds_the_header():
    assert HEADER.is_file()
    text = HEADER.read_text()
    assert "#ifndef CYACTS_H" in text


def test_every_kernel_is_defined_and_called(tmp_path):
    """The header defines exactly the registry's kernels, and the check program calls each."""
    defined = set(declarations(tmp_path))
    want = {f"cyacts_{k}_{sfx}" for k in _ops.c_functions() for sfx in SUFFIX.values()}
    assert defined == want, (f"not in the header: {sorted(want - defined)}; "
                             f"not in the registry: {sorted(defined - want)}")
    uncalled = set(KERNELS) - {c.kernel for c in CALLS}
    assert not uncalled, f"kernels of the registry the C API test does not call: {uncalled}"


def _headers():
    """cyacts.h and the family headers it includes (its quoted #includes; api.h, generated,
    instantiates cyacts.h's loops and is no header of its own)."""
    return ["cyacts.h", *(h for h in re.findall(r'^#include "(\w+\.h)"', HEADER.read_text(), re.M)
                          if h != "api.h")]


@pytest.mark.parametrize("lang", ["c", "c++"])
@pytest.mark.parametrize("header", _headers())
def test_each_header_compiles_alone(header, lang, tmp_path):
    """Each header includes what it needs and has an include guard (included twice here)."""
    src = tmp_path / ("one.c" if lang == "c" else "one.cpp")
    src.write_text(f"#include <cyacts/{header}>\n#include <cyacts/{header}>\n"
                   "int main(void) { return 0; }\n")
    _build(lang, [src], _strict(lang), tmp_path / "one", tmp_path)


@pytest.mark.parametrize("openmp", [False, True], ids=["serial", "openmp"])
@pytest.mark.parametrize("lang", ["c", "c++"])
def test_strict_flags(lang, openmp, driver_src, tmp_path):
    """-Wall -Wextra -Werror (-pedantic for C), with and without OpenMP; results in bounds."""
    flags = _strict(lang) + (_openmp_flags(lang, tmp_path) if openmp else [])
    src = driver_src / ("check.c" if lang == "c" else "check.cpp")
    exe = _build(lang, [src], flags, tmp_path / "check", tmp_path)
    _check_driver(exe, tmp_path, bitwise=False)


@pytest.mark.parametrize("lang", ["c", "c++"])
def test_bitwise_with_the_extension_flags(lang, driver_src, tmp_path):
    """Built as the extension is, the header gives exactly what the baseline kernels give."""
    src = driver_src / ("check.c" if lang == "c" else "check.cpp")
    exe = _build(lang, [src], _matching(lang), tmp_path / "check", tmp_path)
    _check_driver(exe, tmp_path, bitwise=True)


def test_cxx_pedantic(driver_src, tmp_path):
    """Also clean under C++ -pedantic and -Wshadow (what embedding projects often use)."""
    flags = [*_strict("c++"), "-pedantic", "-Wshadow"]
    _build("c++", [driver_src / "check.cpp"], flags, tmp_path / "check", tmp_path)


# --------------------------------------------------------------------------------------------
# examples/
# --------------------------------------------------------------------------------------------
needs_examples = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/ not in this tree")
EXAMPLE_ALPHA = 0.1  # the scalar parameter activations.cpp passes (its kAlpha)


def _table(stdout, n_cols):
    rows = []
    for line in stdout.splitlines():
        fields = line.split()
        if len(fields) == n_cols:
            try:
                rows.append([fields[0]] + [float(f) for f in fields[1:]])
            except ValueError:
                continue
    return rows


def _forward_call(kernel, scalar=None):
    """The out-of-place call of forward kernel `kernel` (its scalar parameter set to `scalar`)."""
    call = next(c for c in CALLS if c.kernel == kernel and not c.in_place)
    name = call.entry.scalar.name if call.entry.scalar else None
    if scalar is not None:
        call = dataclasses.replace(call, params=tuple(
            (n, scalar if n == name else v) for n, v in call.params))
    return call


def _check_example(got, call, x, g, flags, label):
    """Within the bound of the reference; built as the extension is, equal to it bit for bit."""
    errors = accuracy_errors(got, expect(call, x, g, None), x, g, label)
    if flags == "matching":
        with level(BASELINE):
            errors += bitwise_errors(got, _evaluate(call, cyacts, x, g, None), label)
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)


@needs_examples
@pytest.mark.parametrize("flags", ["strict", "matching"])
def test_example_gelu_inplace_c(flags, tmp_path):
    cflags = _strict("c") if flags == "strict" else _matching("c")
    exe = _build("c", [EXAMPLES / "gelu_inplace.c"], cflags, tmp_path / "gelu_inplace", tmp_path)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, check=True)
    rows = np.array([[float(v) for v in r] for r in _table(proc.stdout, 4)], dtype=np.float32)
    assert rows.shape == (25, 4)
    x, y, dy, dx = rows.T
    np.testing.assert_array_equal(x, np.arange(-6, 6.5, 0.5, dtype=np.float32))
    forward = _forward_call("gelu")
    grad = dataclasses.replace(forward, kernel="gelu_grad", derivative=True, grad_output=True)
    _check_example(y, forward, x, None, flags, "example gelu")
    _check_example(dx, grad, x, dy, flags, "example gelu_grad")


@needs_examples
@pytest.mark.parametrize("openmp", [False, True], ids=["serial", "openmp"])
@pytest.mark.parametrize("flags", ["strict", "matching"])
def test_example_activations_cpp(flags, openmp, tmp_path):
    """The example tabulates activations with their derivatives: each within its bound."""
    cxxflags = _strict("c++") if flags == "strict" else _matching("c++")
    cxxflags = [f for f in cxxflags if f != "-fopenmp"]
    if openmp:
        cxxflags += _openmp_flags("c++", tmp_path)
    exe = _build("c++", [EXAMPLES / "activations.cpp"], cxxflags, tmp_path / "activations",
                 tmp_path)
    proc = subprocess.run([str(exe)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "threaded == serial, bit for bit: yes" in proc.stdout
    rows = _table(proc.stdout, 4)
    forwards = {k.name for k in KERNELS.values() if k.shape in ("MAP", "MAP_PARAM", "MAP_PARAM2")}
    listed = sorted({r[0] for r in rows})
    # an illustration, not a second list to keep complete: what it shows must be right
    assert listed and set(listed) <= forwards, listed
    for name in listed:
        x, y, dy = np.array([r[1:] for r in rows if r[0] == name]).T
        assert x.size == 27 and np.isinf(x).sum() == 2
        forward = _forward_call(name, EXAMPLE_ALPHA)
        grad = dataclasses.replace(forward, kernel=name + "_grad", derivative=True)
        _check_example(y, forward, x, None, flags, f"example {name}")
        _check_example(dy, grad, x, None, flags, f"example {name}_grad")


@needs_examples
def test_examples_makefile(tmp_path):
    """`make` in examples/ builds both programs against the header of this tree."""
    make = shutil.which("make")
    if make is None or CC is None or CXX is None:
        pytest.skip("needs make, a C and a C++ compiler")
    work = tmp_path / "examples"
    shutil.copytree(EXAMPLES, work)
    cmd = [make, "-s", f"CYACTS_INCLUDE={cyacts.get_include()}", f"CC={shlex.join(CC)}",
           f"CXX={shlex.join(CXX)}", "OPENMP="]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for exe in ("gelu_inplace", "activations"):
        subprocess.run([str(work / exe)], check=True, capture_output=True)
