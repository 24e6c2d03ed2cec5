"""The instruction sets the kernel table is compiled for: one list, read by setup.py and the tests.

Each row: (level name as cyacts._core.AVAILABLE_LEVELS shows it, its source file in this folder,
the machines it is built on: None for every one, else platform.machine() names). The source
sets its own target (a pragma) and includes kernels_impl.h; dispatch.c holds the same rows with
their run-time detection. Lowest first.
"""
X86_64 = ("x86_64", "amd64", "x64")

ISAS = (
    ("baseline", "kernels_baseline.c", None),
    ("avx2", "kernels_avx2.c", X86_64),
    ("avx512", "kernels_avx512.c", X86_64),
)

#: every C source of the extension besides _core.pyx, in this folder
SOURCES = [source for _, source, _ in ISAS] + ["dispatch.c"]
