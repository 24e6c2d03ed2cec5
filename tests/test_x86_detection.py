"""Run-time detection of the x86-64 tables from CPUID and XCR0 (_kernels/dispatch.c).

MSVC builds pick their table with cyacts_x86_cpu_levels: CPUID's instruction bits and XCR0's
register-state bits decoded by one pure function, cyacts_x86_levels. The bit positions below
are written from the Intel SDM (CPUID leaf 1 ECX, leaf 7 EBX; XCR0), not copied from the C, so
the table of needs in dispatch.c is checked against the manual. The pure function is checked
on every platform; the real CPU against Linux's /proc/cpuinfo and against the dispatch the
extension made; the MSVC branch of dispatch.c, compiled with GCC (its own __cpuidex and a
stand-in for MSVC's _xgetbv), against the same.
"""
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cyacts import _core

SRC = Path(__file__).resolve().parent.parent / "src" / "cyacts"
X86_64 = platform.machine().lower() in ("x86_64", "amd64", "x64")

# CPUID.1:ECX
FMA, OSXSAVE, AVX, F16C = 1 << 12, 1 << 27, 1 << 28, 1 << 29
# CPUID.(7,0):EBX
BMI1, AVX2, BMI2 = 1 << 3, 1 << 5, 1 << 8
AVX512F, AVX512DQ, AVX512CD, AVX512BW, AVX512VL = 1 << 16, 1 << 17, 1 << 28, 1 << 30, 1 << 31
# XCR0: x87, SSE (XMM), AVX (upper YMM); opmask, ZMM_Hi256, Hi16_ZMM
XCR0_AVX = 0b111
XCR0_AVX512 = XCR0_AVX | 0b1110_0000

#: (name, register, bit): what the avx2 table needs, then what avx512 needs besides
AVX2_NEEDS = [("fma", "ecx", FMA), ("osxsave", "ecx", OSXSAVE), ("avx", "ecx", AVX),
              ("f16c", "ecx", F16C), ("bmi1", "ebx", BMI1), ("avx2", "ebx", AVX2),
              ("bmi2", "ebx", BMI2), ("xmm state", "xcr0", 1 << 1),
              ("ymm state", "xcr0", 1 << 2)]
AVX512_NEEDS = [("avx512f", "ebx", AVX512F), ("avx512dq", "ebx", AVX512DQ),
                ("avx512cd", "ebx", AVX512CD), ("avx512bw", "ebx", AVX512BW),
                ("avx512vl", "ebx", AVX512VL), ("opmask state", "xcr0", 1 << 5),
                ("zmm_hi256 state", "xcr0", 1 << 6), ("hi16_zmm state", "xcr0", 1 << 7)]

HASWELL = {"ecx": FMA | OSXSAVE | AVX | F16C, "ebx": BMI1 | AVX2 | BMI2, "xcr0": XCR0_AVX}
SKYLAKE_X = {"ecx": HASWELL["ecx"],
             "ebx": HASWELL["ebx"] | AVX512F | AVX512DQ | AVX512CD | AVX512BW | AVX512VL,
             "xcr0": XCR0_AVX512}


def levels(regs):
    return _core.x86_levels(regs["ecx"], regs["ebx"], regs["xcr0"])


def without(regs, register, bit):
    return {**regs, register: regs[register] & ~bit}


def test_decodes_whole_cpus():
    assert levels({"ecx": 0, "ebx": 0, "xcr0": 0}) == 0
    assert levels({"ecx": AVX | OSXSAVE, "ebx": 0, "xcr0": XCR0_AVX}) == 0  # Sandy Bridge
    assert levels(HASWELL) == 1
    assert levels(SKYLAKE_X) == 2
    # bits no table needs change nothing
    assert levels({"ecx": 0xFFFFFFFF, "ebx": 0xFFFFFFFF, "xcr0": 2**64 - 1}) == 2


@pytest.mark.parametrize("name, register, bit", AVX2_NEEDS, ids=[n for n, _, _ in AVX2_NEEDS])
def test_every_avx2_need_is_checked(name, register, bit):
    assert levels(without(HASWELL, register, bit)) == 0
    # and avx512 needs avx2's too: the levels are a run from the baseline
    assert levels(without(SKYLAKE_X, register, bit)) == 0


@pytest.mark.parametrize("name, register, bit", AVX512_NEEDS,
                         ids=[n for n, _, _ in AVX512_NEEDS])
def test_every_avx512_need_is_checked(name, register, bit):
    assert levels(without(SKYLAKE_X, register, bit)) == 1


def test_os_without_zmm_state_gets_avx2():
    """A CPU with AVX-512 under an OS that does not save the ZMM registers."""
    assert levels({**SKYLAKE_X, "xcr0": XCR0_AVX}) == 1


def test_os_without_xsave_gets_baseline():
    """No OSXSAVE: XGETBV may not be run, and the YMM state is not saved."""
    assert levels({**without(SKYLAKE_X, "ecx", OSXSAVE), "xcr0": 0}) == 0


x86_only = pytest.mark.skipif(_core.x86_cpu_levels() < 0,
                              reason="a build without the x86-64 tables")


@x86_only
@pytest.mark.skipif(sys.platform == "darwin",
                    reason="macOS saves the ZMM state lazily: XCR0 lacks it until first use, "
                           "and GCC/clang builds dispatch with __builtin_cpu_supports, which "
                           "knows that")
def test_dispatch_agrees_with_cpuid():
    assert _core.x86_cpu_levels() == len(_core.AVAILABLE_LEVELS) - 1, _core.AVAILABLE_LEVELS


def _cpuinfo_flags():
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return None


@x86_only
@pytest.mark.skipif(_cpuinfo_flags() is None, reason="no /proc/cpuinfo")
def test_cpu_levels_agree_with_proc_cpuinfo():
    """Linux lists a feature only when the CPU has it and the kernel saves its state."""
    flags = _cpuinfo_flags()
    avx2 = {"avx", "fma", "f16c", "avx2", "bmi1", "bmi2"} <= flags
    avx512 = avx2 and {"avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"} <= flags
    assert _core.x86_cpu_levels() == avx2 + avx512, sorted(flags)


# MSVC's <intrin.h> for GCC: __cpuidex is GCC's own (cpuid.h, since GCC 11: info[0..3] = EAX,
# EBX, ECX, EDX, as Microsoft documents it); _xgetbv(0) is XCR0 as a 64-bit value.
STAND_IN_INTRIN_H = r"""
#include <cpuid.h>
#if __GNUC__ < 11
static void __cpuidex(int info[4], int leaf, int subleaf) {
    __cpuid_count(leaf, subleaf, info[0], info[1], info[2], info[3]);
}
#endif
static unsigned long long _xgetbv(unsigned int xcr) {
    unsigned lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
    return ((unsigned long long)hi << 32) | lo;
}
"""
DRIVER_C = r"""
#include <stdio.h>
#include "kernels.h"
#include "reductions.h"
const cyacts_table cyacts_table_baseline, cyacts_table_avx2, cyacts_table_avx512;
const cyacts_reduce_table cyacts_table_baseline_reduce, cyacts_table_avx2_reduce,
    cyacts_table_avx512_reduce;
int main(void) {
    const char *level;
    cyacts_select_table(NULL, &level);
    printf("%d\n%s\n%s\n", cyacts_x86_cpu_levels(), cyacts_available_levels(), level);
    return 0;
}
"""


@x86_only
@pytest.mark.skipif(sys.platform not in ("linux",) or shutil.which("gcc") is None
                    or not (SRC / "_kernels" / "dispatch.c").exists(),
                    reason="needs Linux, gcc and the source tree")
def test_msvc_branch_picks_what_this_build_picks(tmp_path):
    """dispatch.c as MSVC compiles it (_MSC_VER, <intrin.h>), on this CPU."""
    (tmp_path / "intrin.h").write_text(STAND_IN_INTRIN_H)
    (tmp_path / "driver.c").write_text(DRIVER_C)
    exe = tmp_path / "dispatch"
    build = subprocess.run(
        ["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-D_MSC_VER=1930",
         "-DCYACTS_X86_DISPATCH=1", f"-I{tmp_path}", f"-I{SRC / '_kernels'}", f"-I{SRC / 'include'}",
         str(SRC / "_kernels" / "dispatch.c"), str(tmp_path / "driver.c"), "-o", str(exe)],
        capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    cpu_levels, available, best = subprocess.run(
        [str(exe)], check=True, capture_output=True, text=True).stdout.splitlines()
    assert int(cpu_levels) == _core.x86_cpu_levels()
    assert available.split() == _core.AVAILABLE_LEVELS
    assert best == _core.AVAILABLE_LEVELS[-1]
