"""Build of the compiled core: OpenMP where the compiler has it, serial otherwise.

CYACTS_NO_OPENMP=1 forces the serial build. Never -ffast-math: it breaks NaN/inf handling.
-ffp-contract=off keeps vector bodies and scalar tails on the same arithmetic (cyacts.h, B).
"""
import itertools
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


def _compile_with_source_flags(compile_sources, source_flags):
    """compiler.compile, with each source named in `source_flags` also given its own flags.

    setuptools compiles every source of an Extension with the same flags, but MSVC sets a
    kernel table's target with a flag (/arch:AVX2) rather than a pragma: sources that need
    flags of their own are compiled by calls of their own, the rest together, in order.
    """
    own = {os.path.normcase(os.path.normpath(source)): list(flags)
           for source, flags in source_flags.items()}

    def flags_of(source):
        return own.get(os.path.normcase(os.path.normpath(source)), [])

    def compile(sources, *args, extra_postargs=None, **kwargs):
        objects = []
        for flags, group in itertools.groupby(sources, key=flags_of):
            objects += compile_sources(list(group), *args,
                                       extra_postargs=list(extra_postargs or []) + flags, **kwargs)
        return objects

    return compile


class BuildExt(build_ext):
    def _targets_x86_64(self):
        """Whether the extension is for x86-64: MSVC may cross-compile, so ask for its target."""
        if self.compiler.compiler_type == "msvc":
            return self.plat_name == "win-amd64"
        return _x86_64()

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
        if self._targets_x86_64():
            # the AVX2 and AVX-512 tables, picked at run time (_kernels/dispatch.c)
            macros.append("-DCYACTS_X86_DISPATCH=1")
            source_flags = _kernel_source_flags(compiler.compiler_type)
            for source, own in source_flags.items():
                print(f"cyacts: compiling {os.path.basename(source)} with {' '.join(own)} too")
            compiler.compile = _compile_with_source_flags(compiler.compile, source_flags)
        flags = base + compile_flags + simd
        shown = " ".join(flags).replace('"', "")
        for ext in self.extensions:
            ext.extra_compile_args = flags + macros + [f'-DCYACTS_BUILD_FLAGS="{shown}"']
            ext.extra_link_args = link_flags
        print(f"cyacts: compiling with {shown} (OpenMP {'on' if omp else 'off'})")
        super().build_extensions()


def _isas():
    """_kernels/isas.py, the instruction sets of the kernel table (shared with the tests)."""
    namespace = {}
    with open(os.path.join(HERE, PKG, "_kernels", "isas.py")) as f:
        exec(f.read(), namespace)
    return namespace


def _kernel_sources():
    """The kernel sources of every instruction set, and dispatch.c."""
    return _isas()["SOURCES"]


def _kernel_source_flags(compiler_type):
    """{path of a kernel source: the flags it needs besides the extension's} for this compiler."""
    return {os.path.join(PKG, "_kernels", source): flags
            for source, flags in _isas()["source_flags"](compiler_type).items()}


HEADERS = sorted(
    os.path.join(PKG, "include", "cyacts", name)
    for name in os.listdir(os.path.join(HERE, PKG, "include", "cyacts")) if name.endswith(".h"))
extension = Extension(
    "cyacts._core",
    sources=[os.path.join(PKG, "_core.pyx")]
    + [os.path.join(PKG, "_kernels", k) for k in _kernel_sources()],
    include_dirs=[os.path.join(PKG, "include"), PKG, numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    # headers: setuptools rebuilds only when a listed file changed
    depends=HEADERS + [os.path.join(PKG, "_kernels", h)
                       for h in ("kernels.h", "kernels_impl.h", "ops.h", "reductions.h",
                                 "reductions_impl.h", "reduce_ops.h")],
)

setup(
    ext_modules=cythonize([extension], language_level=3),
    cmdclass={"build_ext": BuildExt},
)
