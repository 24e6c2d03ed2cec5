#!/usr/bin/env bash
# Build the compiled core with AddressSanitizer and UndefinedBehaviorSanitizer in a copy of the
# working tree, then run the test suite against that build. Exits non-zero on any sanitizer
# report and on any test failure.
#
#   scripts/sanitize.sh                      # tests not marked slow
#   scripts/sanitize.sh tests/test_fuzz.py   # any pytest arguments
#   CYACTS_NO_OPENMP=1 scripts/sanitize.sh   # the serial build, sanitized
#   KEEP=1 scripts/sanitize.sh               # keep the copy (its path is printed)
#
# Needs gcc (or CC=clang) with the sanitizer runtimes, Python with the test extras, Cython and
# NumPy. The repository's own build is not touched.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cc=${CC:-gcc}
python=${PYTHON:-python}
work=$(mktemp -d "${TMPDIR:-/tmp}/cyacts-sanitize.XXXXXX")
if [[ "${KEEP:-0}" == "1" ]]; then
    echo "sanitize: working copy kept in $work"
else
    trap 'rm -rf "$work"' EXIT
fi
start=$(date +%s)

# 1. copy the working tree: tracked and untracked-but-not-ignored files, no build outputs
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
        | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$work" -xf -
else
    cp -a "$repo/." "$work/"
fi
rm -rf "$work/build" "$work"/src/cyacts/*.so "$work"/src/cyacts/_core.c

# 2. build the extension in place there, instrumented
# The sanitizer flags go into CC itself: setup.py's OpenMP probe links a test program with the
# bare compiler command (LDFLAGS do not reach it), and without them the probe fails to link and
# the build silently turns serial. (setup.py's own -O3 comes after CFLAGS and wins over -O1.)
export CC="$cc -fsanitize=address,undefined"
export CFLAGS="-fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g"
export LDFLAGS="-fsanitize=address,undefined"
echo "sanitize: building in $work (CC=$CC CFLAGS=$CFLAGS${CYACTS_NO_OPENMP:+, CYACTS_NO_OPENMP=$CYACTS_NO_OPENMP})"
if ! (cd "$work" && "$python" setup.py build_ext --inplace >"$work/build.log" 2>&1); then
    tail -40 "$work/build.log"
    echo "sanitize: build failed" >&2
    exit 2
fi
so=$(ls "$work"/src/cyacts/_core*.so)
# ldd's output is read whole first: `ldd | grep -q` under pipefail fails at random when grep
# quits early and ldd dies of SIGPIPE
if [[ "$(ldd "$so")" != *libasan* ]]; then
    echo "sanitize: $so is not linked against libasan" >&2
    exit 2
fi
if [[ "${CYACTS_NO_OPENMP:-0}" == "0" ]] && ! grep -q "OpenMP on" "$work/build.log"; then
    echo "sanitize: the sanitized build has no OpenMP (see $work/build.log)" >&2
    exit 2
fi

# 3. run the tests with the sanitizer runtimes loaded first into python
libasan=$("$cc" -print-file-name=libasan.so)
# libstdc++ too: C++ extensions that throw (matplotlib's, ...) need it loaded before ASan's
# __cxa_throw interceptor resolves, or ASan aborts with "real___cxa_throw != 0"
libstdcxx=$("$cc" -print-file-name=libstdc++.so.6)
reports="$work/sanitizer-report"
export LD_PRELOAD="$libasan${libstdcxx:+:$libstdcxx}${LD_PRELOAD:+:$LD_PRELOAD}"
# Python's own allocations are never freed at exit: no leak checking. Every report goes to a
# file per process (subprocesses included), so none can be lost in captured output.
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:log_path=$reports:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports:${UBSAN_OPTIONS:-}"
export PYTHONPATH="$work/src${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONFAULTHANDLER=1

where=$("$python" -c 'import cyacts; print(cyacts.__file__)')
if [[ "$where" != "$work/"* ]]; then
    echo "sanitize: python imports cyacts from $where, not from the sanitized copy" >&2
    exit 2
fi
"$python" -c 'import cyacts; cyacts.show_config()'

if [[ $# -eq 0 ]]; then
    set -- -m "not slow" -q
fi
set +e
(cd "$work" && "$python" -m pytest -p no:cacheprovider "$@")
status=$?
set -e

found=0
for f in "$reports".*; do
    [[ -e "$f" ]] || continue
    found=1
    echo "===== sanitizer report: $f"
    cat "$f"
done
elapsed=$(( $(date +%s) - start ))
if [[ $found -ne 0 ]]; then
    echo "sanitize: FAILED: sanitizer reports above (${elapsed}s)" >&2
    exit 3
fi
if [[ $status -ne 0 ]]; then
    echo "sanitize: FAILED: pytest exited with $status (${elapsed}s)" >&2
    exit "$status"
fi
echo "sanitize: no sanitizer report, tests passed (${elapsed}s)"
