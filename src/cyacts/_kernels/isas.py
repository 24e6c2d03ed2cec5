"""The instruction sets the kernel table is compiled for: one list, read by setup.py and the tests.

Each row: (level name as cyacts._core.AVAILABLE_LEVELS shows it, its source file in this folder,
the machines it is built on: None for every one, else platform.machine() names, the source's
own compile flags by setuptools compiler type). GCC and clang need no flags: the source sets
its own target with a pragma. MSVC has no such pragma, so it gets the target as /arch for that
one file. Every source includes kernels_impl.h; dispatch.c holds the same rows with their
run-time detection. Lowest first.
"""
X86_64 = ("x86_64", "amd64", "x64")

ISAS: tuple[tuple[str, str, tuple[str, ...] | None, dict[str, list[str]]], ...] = (
    ("baseline", "kernels_baseline.c", None, {}),
    ("avx2", "kernels_avx2.c", X86_64, {"msvc": ["/arch:AVX2"]}),
    ("avx512", "kernels_avx512.c", X86_64, {"msvc": ["/arch:AVX512"]}),
)

#: every C source of the extension besides _core.pyx, in this folder
SOURCES = [source for _, source, _, _ in ISAS] + ["dispatch.c"]


def source_flags(compiler_type):
    """{source: its own compile flags} for a setuptools compiler type ("unix", "msvc", ...)."""
    return {source: flags[compiler_type] for _, source, _, flags in ISAS if compiler_type in flags}
