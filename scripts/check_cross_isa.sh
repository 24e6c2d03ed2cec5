#!/usr/bin/env bash
# Every kernel of the table gives the same bits on x86-64 with AVX2, with AVX-512, and on arm64.
# Builds one program (scripts/cross_isa/driver.c: every kernel of the table in float32,
# float64, float16 and bfloat16, with and without grad_output and a bias, both outputs of the
# gated derivatives) for each of the three, runs them on the same inputs and scalar parameters
# (scripts/cross_isa/compare.py writes them), compares the results bit for bit (two NaNs count
# as equal), and checks the arm64 results against the oracle cyacts.reference. Exits non-zero
# naming every kernel, dtype and variant whose results differ or fail the oracle. A CPU
# without AVX-512 compares the other two.
#
#   bash scripts/check_cross_isa.sh
#
# Needs gcc, aarch64-linux-gnu-gcc and qemu-aarch64 (Debian: gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross, qemu-user), and Python with NumPy, mpmath, ml_dtypes and cyacts
# importable (the installed package, or PYTHONPATH=src after an in-place build). About 2 GB of
# temporary files.
#
# Environment: PYTHON (default python3), CC (default gcc), CROSS_CC (default
# aarch64-linux-gnu-gcc), QEMU (default qemu-aarch64), KEEP=1 keeps the work folder.
set -euo pipefail

# The extension's kernel flags: they mirror setup.py's (-O3 -ffp-contract=off -fno-math-errno
# -fno-trapping-math, and -fopenmp-simd with CYACTS_OMP_SIMD where it builds without OpenMP,
# which gives the same `#pragma omp simd` loops as -fopenmp). Never -ffast-math.
KERNEL_FLAGS="-O3 -ffp-contract=off -fno-math-errno -fno-trapping-math -fopenmp-simd -DCYACTS_OMP_SIMD=1"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
cc=${CC:-gcc}
cross_cc=${CROSS_CC:-aarch64-linux-gnu-gcc}
qemu=${QEMU:-qemu-aarch64}
work=$(mktemp -d "${TMPDIR:-/tmp}/cyacts-cross-isa.XXXXXX")
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    local job
    for job in $(jobs -p); do  # a build still running when another failed: it and its compiler
        pkill -P "$job" 2>/dev/null || true
        kill "$job" 2>/dev/null || true
    done
    if [[ "${KEEP:-0}" == "1" ]]; then
        echo "cross-isa: work folder kept in $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
start=$SECONDS
say() { echo "cross-isa [$((SECONDS - start))s]: $*"; }
fail() { echo "cross-isa: FAILED: $*" >&2; exit 1; }

for tool in "$cc" "$cross_cc" "$qemu"; do
    command -v "$tool" >/dev/null || fail "$tool not found (apt-get install qemu-user" \
        "gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
done
[[ "$(uname -m)" == "x86_64" ]] \
    || fail "the x86-64 builds need an x86-64 machine (this is $(uname -m))"

# Whether this CPU (and kernel) runs code for an x86-64 level: all of its flags in /proc/cpuinfo.
cpu_has() {
    local flags
    flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
    for f in "$@"; do
        [[ "$flags" == *" $f "* ]] || return 1
    done
}

# per build: its compiler, the compiler's flags, what runs the program ("" for this CPU), the
# driver's options
builds=()
skipped=""
declare -A compiler flags runner options
add_build() { builds+=("$1"); compiler[$1]=$2; flags[$1]=$3; runner[$1]=$4; options[$1]=$5; }
if cpu_has avx2 fma bmi1 bmi2 f16c movbe; then
    add_build avx2 "$cc" "-march=x86-64-v3" "" ""
else
    say "this CPU cannot run x86-64-v3 (AVX2) code: the AVX2 build is not compared"
    skipped+=" avx2"
fi
if cpu_has avx512f avx512bw avx512cd avx512dq avx512vl; then
    # 512-bit vectors, as kernels_avx512.c asks for (-march=x86-64-v4 alone prefers 256)
    add_build avx512 "$cc" "-march=x86-64-v4 -mprefer-vector-width=512" "" ""
else
    say "this CPU cannot run x86-64-v4 (AVX-512) code: the AVX-512 build is not compared"
    skipped+=" avx512"
fi
# The driver's check of the 16-bit results against its float32 kernel would take as long as the
# 16-bit kernels under emulation: the native builds make it, and arm64 must give their bits.
add_build arm64 "$cross_cc" "-static" "$qemu" --no-check-16
(( ${#builds[@]} >= 2 )) || fail "this CPU runs neither x86-64 build: nothing to compare arm64 with"

"$python" -c "import cyacts.reference, mpmath, ml_dtypes" 2>/dev/null \
    || fail "$python cannot import cyacts (install it, or PYTHONPATH=src after python setup.py" \
        "build_ext --inplace), mpmath or ml_dtypes"

say "inputs"
"$python" "$repo/scripts/cross_isa/compare.py" inputs "$work"

# Compile and run one build, each dtype in a process of its own, side by side. Status: 0, 1
# (results written, but misaligned chunked calls, the bias or a 16-bit format's rounding
# differ: on stderr), 3 (compile error), else the driver's failure.
dtypes=(f32 f64 f16 bf16)
run_build() {
    local b=$1 d job rc status=0
    local -a jobs=()
    say "$b: ${compiler[$b]} $KERNEL_FLAGS ${flags[$b]}"
    # shellcheck disable=SC2086  # the flag lists split into words
    "${compiler[$b]}" -std=c99 -Wall $KERNEL_FLAGS ${flags[$b]} \
        -I"$repo/src/cyacts/include" -I"$repo/src/cyacts/_kernels" \
        "$repo/scripts/cross_isa/driver.c" -o "$work/driver_$b" -lm || return 3
    for d in "${dtypes[@]}"; do
        # shellcheck disable=SC2086
        ${runner[$b]} "$work/driver_$b" "$work" "$work/out_$b" ${options[$b]} "$d" \
            >"$work/$b.$d.txt" &
        jobs+=("$!")
    done
    for job in "${jobs[@]}"; do
        rc=0
        wait "$job" || rc=$?
        (( rc <= status )) || status=$rc
    done
    for d in "${dtypes[@]}"; do cat "$work/$b.$d.txt"; done >"$work/$b.txt"
    return "$status"
}
misaligned=()
collect() {  # the status of build $1
    case $2 in
        0) ;;
        1) misaligned+=("$1") ;;
        3) fail "the $1 driver does not compile" ;;
        *) fail "the $1 driver exited with status $2" ;;
    esac
}
# the emulated build (the slowest part) runs alongside the native ones
declare -A pid
for b in "${builds[@]}"; do
    if [[ -n "${runner[$b]}" ]]; then
        run_build "$b" &
        pid[$b]=$!
    fi
done
for b in "${builds[@]}"; do
    rc=0
    if [[ -n "${runner[$b]}" ]]; then
        wait "${pid[$b]}" || rc=$?
    else
        run_build "$b" || rc=$?
    fi
    collect "$b" "$rc"
done

say "compare"
status=0
"$python" "$repo/scripts/cross_isa/compare.py" check "$work" arm64 "${builds[@]}" || status=$?
if (( ${#misaligned[@]} )); then
    echo "cross-isa: FAILED: results in misaligned chunks, with the bias or in a 16-bit" \
        "format differ from what they must be (above)" \
        "on: ${misaligned[*]}" >&2
    status=1
fi
say "done (exit status $status)${skipped:+; not run on this CPU, so not compared:$skipped}"
exit "$status"
