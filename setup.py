"""Build of the compiled core: OpenMP where the compiler has it, serial otherwise.

CYACTS_NO_OPENMP=1 forces the serial build. Never -ffast-math: it breaks NaN/inf handling.
-ffp-contract=off keeps vector bodies and scalar tails on the same arithmetic (cyacts.h, B).
"""
import os
import platform
import sys
import tempfile
import textwrap

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join("src", "cyacts")
OPENMP_TEST = textwrap.dedent(
    """
    #include <omp.h>
    int main(void) {
        int n = 0;
        #pragma omp parallel reduction(+:n)
        n += 1;
        return n > 0 ? 0 : 1;
    }
    """
)


def _x86_64():
    return platform.machine().lower() in ("x86_64", "amd64", "x64")


def _compiles(compiler, source, extra_compile, extra_link):
    """Whether `source` compiles and links with the given flags."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.c")
        with open(path, "w") as f:
            f.write(source)
        # LDFLAGS too: flags in CFLAGS that need their link-time twin (-fsanitize=...)
        ldflags = os.environ.get("LDFLAGS", "").split()
        try:
            objects = compiler.compile([path], output_dir=tmp, extra_postargs=extra_compile)
            compiler.link_executable(
                objects, os.path.join(tmp, "probe"), extra_postargs=extra_link + ldflags
            )
        except Exception as exc:
            print(f"cyacts: probe with {extra_compile + extra_link} failed: {exc}")
            return False
    return True


def _openmp_flags(compiler):
    """(compile flags, link flags) for OpenMP, or None when the compiler has none."""
    if compiler.compiler_type == "msvc":
        candidates = [(["/openmp"], [])]
    elif sys.platform == "darwin":
        prefixes = [os.environ.get("LIBOMP_PREFIX", ""), "/opt/homebrew/opt/libomp",
                    "/usr/local/opt/libomp"]
        candidates = [
            (["-Xpreprocessor", "-fopenmp", f"-I{p}/include"], [f"-L{p}/lib", "-lomp"])
            for p in prefixes if p
        ] + [(["-fopenmp"], ["-fopenmp"])]
    else:
        candidates = [(["-fopenmp"], ["-fopenmp"])]
    for compile_flags, link_flags in candidates:
        if _compiles(compiler, OPENMP_TEST, compile_flags, link_flags):
            return compile_flags, link_flags
    return None


class BuildExt(build_ext):
    def build_extensions(self):
        compiler = self.compiler
        if compiler.compiler_type == "msvc":
            base = ["/O2", "/fp:precise", "/std:c11"]
        else:
            base = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math",
                    "-Wno-unused-function"]
        omp = None
        if os.environ.get("CYACTS_NO_OPENMP", "") not in ("", "0"):
            print("cyacts: CYACTS_NO_OPENMP is set: building WITHOUT OpenMP (serial kernels)")
        else:
            omp = _openmp_flags(compiler)
            if omp is None:
                print("cyacts: the compiler has no OpenMP: building WITHOUT OpenMP (serial kernels)")
        compile_flags, link_flags = omp or ([], [])
        simd = []
        if omp is None and compiler.compiler_type != "msvc":
            if _compiles(compiler, "int main(void){return 0;}", ["-fopenmp-simd"], []):
                simd = ["-fopenmp-simd", "-DCYACTS_OMP_SIMD=1"]
        macros = []
        if _x86_64() and compiler.compiler_type != "msvc":
            macros.append("-DCYACTS_X86_DISPATCH=1")
        flags = base + compile_flags + simd
        shown = " ".join(flags).replace('"', "")
        for ext in self.extensions:
            ext.extra_compile_args = flags + macros + [f'-DCYACTS_BUILD_FLAGS="{shown}"']
            ext.extra_link_args = link_flags
        print(f"cyacts: compiling with {shown} (OpenMP {'on' if omp else 'off'})")
        super().build_extensions()


kernels = ["kernels_baseline.c", "kernels_avx2.c", "kernels_avx512.c", "dispatch.c"]
extension = Extension(
    "cyacts._core",
    sources=[os.path.join(PKG, "_core.pyx")]
    + [os.path.join(PKG, "_kernels", k) for k in kernels],
    include_dirs=[os.path.join(PKG, "include"), PKG, numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    # headers: setuptools rebuilds only when a listed file changed
    depends=[os.path.join(PKG, "include", "cyacts", h)
             for h in ("cyacts.h", "common.h", "piecewise.h", "logistic.h", "gelu.h", "gelu_tanh.h")]
            + [os.path.join(PKG, "_kernels", "kernels.h"),
             os.path.join(PKG, "_kernels", "kernels_impl.h")],
)

setup(
    ext_modules=cythonize([extension], language_level=3),
    cmdclass={"build_ext": BuildExt},
)
