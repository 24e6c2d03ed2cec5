"""`from cyacts.c_api cimport ...` in a user's Cython module: it compiles, runs, agrees with cyacts.

The module is built in a temporary folder with cythonize + setuptools, as a user would build
it, with only cyacts.get_include() on the C include path and the installed cyacts package on
Cython's search path (that is where c_api.pxd ships).
"""
import importlib.util
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import numpy as np
import pytest

import cyacts
from cyacts import _ops

pytest.importorskip("Cython")
pytest.importorskip("setuptools")

PXD = Path(cyacts.__file__).resolve().parent / "c_api.pxd"
MODULE = "cyacts_cimport_check"

PYX_HEAD = textwrap.dedent(
    """
    # cython: language_level=3, boundscheck=False, wraparound=False
    from cyacts.c_api cimport cyacts_gelu_f64, cyacts_sigmoid_grad_f32, cyacts_leaky_relu_f32
    from cyacts.c_api cimport CYACTS_VERSION_MAJOR, CYACTS_VERSION_MINOR, CYACTS_VERSION_PATCH
    cimport cyacts.c_api as capi


    def version():
        return (CYACTS_VERSION_MAJOR, CYACTS_VERSION_MINOR, CYACTS_VERSION_PATCH)


    def gelu(const double[::1] x, double[::1] y):
        with nogil:
            cyacts_gelu_f64(&x[0], &y[0], <size_t>x.shape[0])


    def gelu_(double[::1] x):
        with nogil:
            cyacts_gelu_f64(&x[0], &x[0], <size_t>x.shape[0])


    def sigmoid_grad(const float[::1] x, const float[::1] g, float[::1] y):
        with nogil:
            cyacts_sigmoid_grad_f32(&x[0], NULL if g is None else &g[0], &y[0],
                                    <size_t>x.shape[0])


    def leaky_relu(const float[::1] x, float[::1] y, float alpha):
        with nogil:
            cyacts_leaky_relu_f32(&x[0], &y[0], <size_t>x.shape[0], alpha)
    """
)


def _declared(pxd_text):
    """[(name, [parameter declarations])] of every function in c_api.pxd."""
    flat = re.sub(r"\s+", " ", pxd_text)
    return [(m.group(1), [p.strip() for p in m.group(2).split(",")])
            for m in re.finditer(r"void (cyacts_\w+)\(([^)]*)\)", flat)]


def _call_everything(decls):
    """A function calling each declared function through `capi.` (checks every declaration
    against the header: the C compiler sees the calls with the declared argument types)."""
    lines = ["def call_everything(float[::1] xf, float[::1] yf, double[::1] xd, double[::1] yd):",
             "    cdef size_t n = <size_t>xf.shape[0]",
             "    with nogil:"]
    for name, params in decls:
        f32 = name.endswith("_f32")
        args = []
        for p in params:
            if p.startswith("size_t") and p.endswith((" n", " cols")):
                args.append("n")
            elif p.startswith("size_t") and p.endswith(" rows"):  # one row of n
                args.append("1")
            elif p == "ptrdiff_t row_stride":
                args.append("<ptrdiff_t>n")
            elif "*" not in p:
                args.append("0.25")
            elif p.startswith("const"):
                args.append("&xf[0]" if f32 else "&xd[0]")
            else:
                args.append("&yf[0]" if f32 else "&yd[0]")
        lines.append(f"        capi.{name}({', '.join(args)})")
    return "\n".join(lines) + "\n"


SETUP = textwrap.dedent(
    """
    import sys
    from Cython.Build import cythonize
    from setuptools import Extension, setup

    include, search = sys.argv.pop(1), sys.argv.pop(1)
    ext = Extension(
        "{module}", ["{module}.pyx"], include_dirs=[include],
        extra_compile_args={flags!r},
    )
    setup(name="{module}", ext_modules=cythonize([ext], include_path=[search], quiet=True))
    """
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if sys.platform == "win32":
        flags = []
    else:
        # Declarations that disagree with the header must fail the build, not warn.
        flags = ["-Werror=implicit-function-declaration", "-Werror=incompatible-pointer-types",
                 "-Werror=int-conversion"]
    tmp = tmp_path_factory.mktemp("cimport")
    decls = _declared(PXD.read_text())
    (tmp / f"{MODULE}.pyx").write_text(PYX_HEAD + "\n\n" + _call_everything(decls))
    (tmp / "setup.py").write_text(SETUP.format(module=MODULE, flags=flags))
    search = str(PXD.parent.parent)  # the folder holding the cyacts package
    env = dict(os.environ)
    env.pop("CFLAGS", None)
    proc = subprocess.run(
        [sys.executable, "setup.py", cyacts.get_include(), search, "build_ext", "--inplace"],
        cwd=tmp, capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0 and "error: command" in proc.stdout + proc.stderr and \
            "not found" in proc.stdout + proc.stderr:
        pytest.skip("no C compiler for building Cython modules")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    spec = importlib.util.spec_from_file_location(MODULE, tmp / f"{MODULE}{suffix}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, decls


def test_pxd_ships_next_to_the_package():
    assert PXD.is_file()


def test_version_matches(built):
    module, _ = built
    assert ".".join(map(str, module.version())) == cyacts.__version__


def test_gelu_through_cimport(built):
    module, _ = built
    rng = np.random.default_rng(7)
    x = np.concatenate([np.linspace(-13, 13, 2601), rng.normal(0, 3, 1001),
                        [np.inf, -np.inf, np.nan, 0.0, -0.0]])
    y = np.empty_like(x)
    module.gelu(x, y)
    want = cyacts.gelu(x)
    np.testing.assert_array_max_ulp(y[np.isfinite(want)], want[np.isfinite(want)], maxulp=8)
    np.testing.assert_array_equal(y[~np.isfinite(want)], want[~np.isfinite(want)])
    # in place
    z = x.copy()
    module.gelu_(z)
    np.testing.assert_array_equal(z, y)


def test_float32_and_null_grad_output(built):
    module, _ = built
    x = np.linspace(-20, 20, 1001, dtype=np.float32)
    g = np.linspace(-1, 1, 1001, dtype=np.float32)
    y = np.empty_like(x)
    module.sigmoid_grad(x, None, y)
    np.testing.assert_array_max_ulp(y, cyacts.sigmoid_grad(x), maxulp=8)
    module.sigmoid_grad(x, g, y)
    np.testing.assert_array_max_ulp(y, cyacts.sigmoid_grad(x, g), maxulp=8)
    module.leaky_relu(x, y, 0.2)
    np.testing.assert_array_equal(y, cyacts.leaky_relu(x, 0.2))


def test_every_declaration_links_and_runs(built):
    module, decls = built
    # every array function and every reduction of the registry, f32 and f64
    assert len(decls) == 2 * (len(_ops.c_functions()) + len(_ops.REDUCTIONS))
    x32 = np.linspace(-3, 3, 33, dtype=np.float32)
    x64 = x32.astype(np.float64)
    y32, y64 = np.empty_like(x32), np.empty_like(x64)
    module.call_everything(x32, y32, x64, y64)
    # every function maps these finite inputs to finite values; the last call wrote y32, y64
    assert np.isfinite(y64).all() and np.isfinite(y32).all()
