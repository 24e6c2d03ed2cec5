"""Every element function is inlined into the kernel loops, at every instruction-set level.

A call left inside an element loop (GCC declines to inline large `static inline` functions)
keeps that loop scalar: the results stay right, so no accuracy test notices, but the kernel
runs an order of magnitude slower. This compiles each kernel table with the extension's own
flags and checks the object code calls no cyacts element function or helper (the adapters'
calls of whole array functions, once per call or block, aside). x86-64 with GCC or clang only (the tables with target pragmas); skips without a
compiler, objdump, or the source tree.
"""
import platform
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

import cyacts

SRC = Path(__file__).resolve().parent.parent / "src" / "cyacts"
_ISAS = {}
if (SRC / "_kernels" / "isas.py").exists():
    exec((SRC / "_kernels" / "isas.py").read_text(), _ISAS)
#: (level, kernel source) of every instruction set the extension compiles a table for
TABLES = [(level, source) for level, source, *_ in _ISAS.get("ISAS", ())]


def _compiler():
    name = cyacts.config()["compiler"].split()[0]
    if name not in ("gcc", "clang") or not shutil.which(name):
        return None
    return name


pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64")
    or _compiler() is None
    or shutil.which("objdump") is None
    or not TABLES,
    reason="needs x86-64, the compiler the extension was built with, objdump, the source tree",
)


@pytest.mark.parametrize("level, table", TABLES, ids=[level for level, _ in TABLES])
def test_kernel_loops_call_nothing(level, table, tmp_path):
    flags = shlex.split(cyacts.config()["flags"])
    obj = tmp_path / "k.o"
    subprocess.run(
        [_compiler(), *flags, "-DCYACTS_X86_DISPATCH=1", f"-I{SRC / 'include'}",
         f"-I{SRC / '_kernels'}", "-c", str(SRC / "_kernels" / table), "-o", str(obj)],
        check=True, capture_output=True, text=True)
    asm = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(obj)], check=True,
                         capture_output=True, text=True).stdout
    calls = sorted({line.split()[-1] for line in asm.splitlines() if "\tcall" in line})
    # The 16-bit kernels call their float32 kernel and the conversion loops once per block
    # (kernels_impl.h): those calls are by design, and the callees' own code is checked here.
    # The table's adapters may call an array function (or the bias wrapper its adapter) once per
    # call or block: the array functions' own loops are in this object too, so a call left in
    # one of them shows here as an element function's (cyacts_elem_...) or a helper's name.
    per_block = re.compile(r"<cyacts__(widen|narrow)_b?f16>|<cyacts__[ku]_\w+_f(16|32|64)>|"
                           r"<cyacts__blocked_16(\.[\w.]+)?>|<cyacts_(?!elem_)\w+_f(32|64)>")
    assert not [c for c in calls if "cyacts" in c and not per_block.fullmatch(c)], calls
    # and the loops did vectorise: packed arithmetic is there
    if level != "baseline":
        assert "vfmadd" in asm
    assert "mulps" in asm and "mulpd" in asm
