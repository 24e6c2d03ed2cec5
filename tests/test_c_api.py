"""The header-only C API (cyacts.get_include()/cyacts/cyacts.h) from C99 and C++17.

The header must compile warning-free under strict flags, with and without OpenMP, and its
results must agree with the Python functions: bit for bit when built with the flags the
extension was built with (against the extension's baseline kernels, the ones compiled for the
same instruction set), within the accuracy bounds otherwise. The examples/ programs are
compiled, run and checked the same way. Everything skips when there is no C/C++ compiler.
"""
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
from cyacts import _core

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
HEADER = Path(cyacts.get_include()) / "cyacts" / "cyacts.h"

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
# comparisons
# --------------------------------------------------------------------------------------------
# Allowed distance between two results that each meet the accuracy bounds against the
# correctly rounded value: the sum of the two bounds (ULPs of the result dtype).
_BOUND = {  # (float32, float64) bound of one implementation
    "exact": (0, 0), "tanh": (1, 2), "sigmoid": (1, 2), "gelu": (2, 4), "grad": (4, 4),
}
# Results smaller than this may flush toward zero.
_TINY = {np.dtype(np.float32): 2.0**-100, np.dtype(np.float64): 2.0**-960}


def _ordered(a):
    """Float bits as integers whose order and differences follow the floats (ULP distance)."""
    bits = a.view(np.int32 if a.dtype == np.float32 else np.int64).astype(np.int64)
    top = np.int64(np.iinfo(np.int32 if a.dtype == np.float32 else np.int64).min)
    return np.where(bits < 0, top - bits, bits)


def assert_close(got, want, kind, label):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, label
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    bad = nan_got != nan_want
    assert not bad.any(), f"{label}: NaN mismatch at {np.flatnonzero(bad)[:5]}"
    ok = ~nan_got
    ulps = _BOUND[kind][0 if got.dtype == np.float32 else 1] * 2
    g, w = got[ok], want[ok]
    if ulps:
        og, ow = _ordered(g), _ordered(w)
        same_side = (og >= 0) == (ow >= 0)
        with np.errstate(over="ignore"):  # wraps only where masked out below
            near = np.abs(og - ow).astype(np.float64)
        far = np.abs(og.astype(np.float64)) + np.abs(ow.astype(np.float64))
        dist = np.where(same_side, near, far)
    else:
        dist = (g != w).astype(np.float64)
    tiny = (np.abs(g) < _TINY[got.dtype]) & (np.abs(w) < _TINY[got.dtype])
    bad = (dist > ulps) & ~tiny
    if kind == "exact":
        bad |= np.signbit(g) != np.signbit(w)
    if bad.any():
        i = np.flatnonzero(bad)[:5]
        where = np.flatnonzero(ok)[i]
        raise AssertionError(f"{label}: {bad.sum()} values beyond {ulps} ULP, e.g. got "
                             f"{g[i].tolist()} want {w[i].tolist()} (at index {where.tolist()})")


def assert_bitwise(got, want, label):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, label
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    bad = (nan_got != nan_want) | (~nan_got & (got.view(got.dtype.str.replace("f", "u"))
                                               != want.view(want.dtype.str.replace("f", "u"))))
    if bad.any():
        i = np.flatnonzero(bad)[:5]
        raise AssertionError(f"{label}: {bad.sum()} values differ, e.g. got {got[i].tolist()} "
                             f"want {want[i].tolist()} (at index {i.tolist()})")


# --------------------------------------------------------------------------------------------
# the check program: every array function of the header, both dtypes
# --------------------------------------------------------------------------------------------
_GRADS = ["relu_grad", "relu6_grad", "gelu_grad", "gelu_tanh_grad", "tanh_grad", "sigmoid_grad",
          "tanh_grad_from_output", "sigmoid_grad_from_output"]

# (label, C statement, accuracy class, Python expectation from (x, g, a))
CASES = [
    ("relu", "cyacts_relu_SFX(x, y, n);", "exact", lambda x, g, a: cyacts.relu(x)),
    ("leaky_relu", "cyacts_leaky_relu_SFX(x, y, n, (T)0.1);", "exact",
     lambda x, g, a: cyacts.leaky_relu(x, 0.1)),
    ("prelu", "cyacts_prelu_SFX(x, a, y, n);", "exact", lambda x, g, a: cyacts.leaky_relu(x, a)),
    ("relu6", "cyacts_relu6_SFX(x, y, n);", "exact", lambda x, g, a: cyacts.relu6(x)),
    ("gelu", "cyacts_gelu_SFX(x, y, n);", "gelu", lambda x, g, a: cyacts.gelu(x)),
    ("gelu_tanh", "cyacts_gelu_tanh_SFX(x, y, n);", "gelu",
     lambda x, g, a: cyacts.gelu(x, approximate="tanh")),
    ("tanh", "cyacts_tanh_SFX(x, y, n);", "tanh", lambda x, g, a: cyacts.tanh(x)),
    ("sigmoid", "cyacts_sigmoid_SFX(x, y, n);", "sigmoid", lambda x, g, a: cyacts.sigmoid(x)),
]


def _grad_expect(name, with_g):
    exact = name.startswith("relu")
    base, from_output = name.replace("_from_output", ""), name.endswith("_from_output")
    kwargs = {"from_output": True} if from_output else {}
    if base == "gelu_tanh_grad":
        base, kwargs = "gelu_grad", {"approximate": "tanh"}
    func = getattr(cyacts, base)
    kind = "exact" if exact else "grad"
    if with_g:
        return kind, lambda x, g, a: func(x, g, **kwargs)
    return kind, lambda x, g, a: func(x, **kwargs)


for _name in _GRADS:
    for _with_g in (False, True):
        _kind, _expect = _grad_expect(_name, _with_g)
        CASES.append((f"{_name}({'g' if _with_g else 'NULL'})",
                      f"cyacts_{_name}_SFX(x, {'g' if _with_g else 'NULL'}, y, n);", _kind, _expect))
CASES += [
    ("leaky_relu_grad(NULL)", "cyacts_leaky_relu_grad_SFX(x, NULL, y, n, (T)0.1);", "exact",
     lambda x, g, a: cyacts.leaky_relu_grad(x, alpha=0.1)),
    ("leaky_relu_grad(g)", "cyacts_leaky_relu_grad_SFX(x, g, y, n, (T)0.1);", "exact",
     lambda x, g, a: cyacts.leaky_relu_grad(x, g, alpha=0.1)),
    ("prelu_grad(NULL)", "cyacts_prelu_grad_SFX(x, a, NULL, y, n);", "exact",
     lambda x, g, a: cyacts.leaky_relu_grad(x, alpha=a)),
    ("prelu_grad(g)", "cyacts_prelu_grad_SFX(x, a, g, y, n);", "exact",
     lambda x, g, a: cyacts.leaky_relu_grad(x, g, alpha=a)),
    # in place: y == x
    ("gelu in place", "memcpy(y, x, n * sizeof(T)); cyacts_gelu_SFX(y, y, n);", "gelu",
     lambda x, g, a: cyacts.gelu(x)),
    ("sigmoid in place", "memcpy(y, x, n * sizeof(T)); cyacts_sigmoid_SFX(y, y, n);", "sigmoid",
     lambda x, g, a: cyacts.sigmoid(x)),
    ("tanh_grad in place", "memcpy(y, x, n * sizeof(T)); cyacts_tanh_grad_SFX(y, g, y, n);",
     "grad", lambda x, g, a: cyacts.tanh_grad(x, g)),
]

_DRIVER_HEAD = r"""
/* Reads x, grad_output and per-element alpha (n values each), runs every array function of
   cyacts.h, writes each result (n values) in turn. Valid C99 and C++17. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cyacts/cyacts.h>

#define EMIT() do { if (fwrite(y, sizeof(T), n, out) != n) return 3; } while (0)
"""

_DRIVER_TAIL = r"""
int main(int argc, char **argv) {
    size_t n;
    int rc;
    void *buf, *ybuf;
    FILE *in, *out;
    if (argc != 5) return 1;
    n = (size_t)strtoul(argv[2], NULL, 10);
    in = fopen(argv[3], "rb");
    out = fopen(argv[4], "wb");
    if (!in || !out) return 2;
    buf = malloc(3 * n * sizeof(double) + 1);
    ybuf = malloc(n * sizeof(double) + 1);
    if (!buf || !ybuf) return 2;
    if (strcmp(argv[1], "f32") == 0) {
        if (fread(buf, sizeof(float), 3 * n, in) != 3 * n) return 2;
        rc = run_f32((const float *)buf, (float *)ybuf, n, out);
    } else {
        if (fread(buf, sizeof(double), 3 * n, in) != 3 * n) return 2;
        rc = run_f64((const double *)buf, (double *)ybuf, n, out);
    }
    free(buf);
    free(ybuf);
    fclose(in);
    return fclose(out) != 0 || rc != 0 ? 4 : 0;
}
"""


def _driver_source():
    parts = [_DRIVER_HEAD]
    for T, sfx in (("float", "f32"), ("double", "f64")):
        body = "\n".join("    " + stmt.replace("SFX", sfx) + " EMIT();" for _, stmt, _, _ in CASES)
        parts.append(
            f"#define T {T}\n"
            f"static int run_{sfx}(const T *x, T *y, size_t n, FILE *out) {{\n"
            f"    const T *g = x + n;\n    const T *a = x + 2 * n;\n{body}\n    return 0;\n}}\n"
            "#undef T\n"
        )
    parts.append(_DRIVER_TAIL)
    return "\n".join(parts)


def _inputs(dtype):
    rng = np.random.default_rng(20240601)
    info = np.finfo(dtype)
    special = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 6.0, -6.0, 1.0, -1.0,
               float(info.smallest_subnormal), -float(info.smallest_subnormal),
               float(info.tiny), -float(info.tiny), float(info.max), -float(info.max),
               1e-30, -1e-30, 1e30, -1e30, 5.999999, 6.000001, 1e-7, -1e-7]
    parts = [
        np.array(special),
        np.linspace(-20, 20, 4001),
        rng.normal(0, 4, 3000),
        np.geomspace(1e-8, 1e3, 500) * rng.choice([-1, 1], 500),
        np.linspace(-13, -5, 801),  # GELU's negative tail
    ]
    x = np.concatenate(parts).astype(dtype)
    x = x[: len(x) | 1]  # odd length: vector tails
    g = rng.normal(0, 2, x.size).astype(dtype)
    g[[3, 50, 777]] = [np.nan, np.inf, 0.0]
    a = rng.uniform(0.01, 0.3, x.size).astype(dtype)
    return x, g, a


def _run_driver(exe, dtype, tmp_path):
    x, g, a = _inputs(dtype)
    tag = "f32" if dtype == np.float32 else "f64"
    src, dst = tmp_path / f"in_{tag}.bin", tmp_path / f"out_{tag}.bin"
    np.concatenate([x, g, a]).astype(dtype).tofile(src)
    proc = subprocess.run([str(exe), tag, str(x.size), str(src), str(dst)], capture_output=True)
    assert proc.returncode == 0, proc
    y = np.fromfile(dst, dtype=dtype)
    assert y.size == x.size * len(CASES)
    return x, g, a, y.reshape(len(CASES), x.size)


def _check_driver(exe, tmp_path, bitwise):
    """Compare every result of the program with the Python functions."""
    for dtype in (np.float32, np.float64):
        x, g, a, ys = _run_driver(exe, dtype, tmp_path)
        if bitwise:
            with level(BASELINE):
                for (label, _, _, expect), y in zip(CASES, ys):
                    with np.errstate(all="raise"):  # no floating-point warning, ever
                        want = expect(x, g, a)
                    assert_bitwise(y, want, f"{label} {dtype.__name__}")
        for (label, _, kind, expect), y in zip(CASES, ys):
            with np.errstate(all="raise"):
                want = expect(x, g, a)
            assert_close(y, want, kind, f"{label} {dtype.__name__}")


@pytest.fixture(scope="module")
def driver_src(tmp_path_factory):
    d = tmp_path_factory.mktemp("capi")
    (d / "check.c").write_text(_driver_source())
    (d / "check.cpp").write_text(_driver_source())
    return d


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------
def test_get_include_holds_the_header():
    assert HEADER.is_file()
    text = HEADER.read_text()
    assert "#ifndef CYACTS_H" in text


def _headers():
    """cyacts.h and the family headers it includes (its quoted #includes)."""
    return ["cyacts.h", *re.findall(r'^#include "(\w+\.h)"', HEADER.read_text(), re.M)]


@pytest.mark.parametrize("lang", ["c", "c++"])
@pytest.mark.parametrize("header", _headers())
def test_each_header_compiles_alone(header, lang, tmp_path):
    """Each header includes what it needs and has an include guard (included twice here)."""
    src = tmp_path / ("one.c" if lang == "c" else "one.cpp")
    src.write_text(f"#include <cyacts/{header}>\n#include <cyacts/{header}>\n"
                   "int main(void) { return 0; }\n")
    _build(lang, [src], _strict(lang), tmp_path / "one", tmp_path)


def _preprocessed_api(tmp_path):
    src = tmp_path / "pp.c"
    src.write_text("#include <cyacts/cyacts.h>\n")
    proc = subprocess.run([*_compiler("c"), "-E", "-P", f"-I{cyacts.get_include()}", str(src)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return set(re.findall(r"\bvoid\s+(cyacts_\w+)\s*\(", proc.stdout))


def test_every_documented_function_is_defined(tmp_path):
    api = _preprocessed_api(tmp_path)
    for sfx in ("f32", "f64"):
        for name in ["relu", "leaky_relu", "relu6", "gelu", "gelu_tanh", "tanh", "sigmoid",
                     "prelu", "leaky_relu_grad", "prelu_grad", *_GRADS]:
            assert f"cyacts_{name}_{sfx}" in api
    # and the check program calls every one of them
    called = {c for _, stmt, _, _ in CASES for c in re.findall(r"cyacts_\w+_SFX", stmt)}
    called = {c.replace("SFX", s) for c in called for s in ("f32", "f64")}
    assert api == called


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
    assert_close(y, cyacts.gelu(x), "gelu", "example gelu")
    assert_close(dx, cyacts.gelu_grad(x, dy), "grad", "example gelu_grad")
    if flags == "matching":
        with level(BASELINE):
            assert_bitwise(y, cyacts.gelu(x), "example gelu")
            assert_bitwise(dx, cyacts.gelu_grad(x, dy), "example gelu_grad")


_CXX_EXPECT = {
    "relu": (cyacts.relu, cyacts.relu_grad, "exact", "exact"),
    "leaky_relu": (lambda x: cyacts.leaky_relu(x, 0.1),
                   lambda x: cyacts.leaky_relu_grad(x, alpha=0.1), "exact", "exact"),
    "relu6": (cyacts.relu6, cyacts.relu6_grad, "exact", "exact"),
    "gelu": (cyacts.gelu, cyacts.gelu_grad, "gelu", "grad"),
    "gelu_tanh": (lambda x: cyacts.gelu(x, approximate="tanh"),
                  lambda x: cyacts.gelu_grad(x, approximate="tanh"), "gelu", "grad"),
    "tanh": (cyacts.tanh, cyacts.tanh_grad, "tanh", "grad"),
    "sigmoid": (cyacts.sigmoid, cyacts.sigmoid_grad, "sigmoid", "grad"),
}


@needs_examples
@pytest.mark.parametrize("openmp", [False, True], ids=["serial", "openmp"])
@pytest.mark.parametrize("flags", ["strict", "matching"])
def test_example_activations_cpp(flags, openmp, tmp_path):
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
    assert {r[0] for r in rows} == set(_CXX_EXPECT)
    for name, (forward, derivative, kind_f, kind_d) in _CXX_EXPECT.items():
        x, y, dy = np.array([r[1:] for r in rows if r[0] == name]).T
        assert x.size == 27 and np.isinf(x).sum() == 2
        assert_close(y, forward(x), kind_f, f"example {name}")
        assert_close(dy, derivative(x), kind_d, f"example {name}'")
        if flags == "matching":
            with level(BASELINE):
                assert_bitwise(y, forward(x), f"example {name}")
                assert_bitwise(dy, derivative(x), f"example {name}'")


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
