"""threadpoolctl sees the OpenMP runtime that cyacts's extension links, and governs it."""
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import cyacts

threadpoolctl = pytest.importorskip("threadpoolctl")

pytestmark = pytest.mark.skipif(
    not cyacts.config()["openmp"], reason="cyacts was built without OpenMP"
)

# file name prefixes of the OpenMP runtimes threadpoolctl knows: GNU, LLVM, Intel, MSVC
OPENMP_PREFIXES = ("libgomp", "libomp", "libiomp", "vcomp")


def _openmp_entries(info=None):
    info = threadpoolctl.threadpool_info() if info is None else info
    return [entry for entry in info if entry["user_api"] == "openmp"]


def _linked_openmp_runtime():
    """The OpenMP library file cyacts/_core links, as the dynamic loader resolves it (Linux)."""
    ldd = shutil.which("ldd")
    if not sys.platform.startswith("linux") or ldd is None:
        return None
    core = cyacts._core.__file__
    text = subprocess.run([ldd, core], capture_output=True, text=True, check=True).stdout
    for line in text.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(\S+)", line)
        if match and os.path.basename(match.group(1)).startswith(OPENMP_PREFIXES):
            return match.group(2)
    pytest.fail(f"no OpenMP runtime among the libraries {core} links:\n{text}")


def _loaded_files():
    with open("/proc/self/maps") as maps:
        return {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}


def test_threadpool_info_lists_cyacts_runtime():
    entries = _openmp_entries()
    assert entries, threadpoolctl.threadpool_info()
    linked = _linked_openmp_runtime()
    if linked is None:
        # macOS (libomp, bundled by delocate) and Windows (vcomp140.dll): the runtime is there
        assert any(os.path.basename(e["filepath"]).startswith(OPENMP_PREFIXES) for e in entries)
        return
    # the very file the extension links is the one threadpoolctl reports ...
    assert any(os.path.samefile(linked, e["filepath"]) for e in entries), (linked, entries)
    # ... and it is mapped into this process
    assert any(os.path.exists(path) and os.path.samefile(linked, path)
               for path in _loaded_files() if path.startswith("/"))


def test_seen_in_a_fresh_process():
    """Importing cyacts alone (beside NumPy) brings in the runtime threadpoolctl reports."""
    code = (
        "import json, cyacts, threadpoolctl;"
        "print(json.dumps([e for e in threadpoolctl.threadpool_info()"
        " if e['user_api'] == 'openmp']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    entries = json.loads(out.stdout)
    assert entries
    linked = _linked_openmp_runtime()
    if linked is not None:
        assert any(os.path.samefile(linked, e["filepath"]) for e in entries)


def test_threadpool_limits_governs_cyacts():
    before = cyacts.get_num_threads()
    x = np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32)
    expected = cyacts.gelu(x)
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        assert cyacts.get_num_threads() == 1
        assert cyacts.config()["threads"] == 1
        assert all(e["num_threads"] == 1 for e in _openmp_entries())
        np.testing.assert_array_equal(cyacts.gelu(x), expected)
    assert cyacts.get_num_threads() == before
    with threadpoolctl.threadpool_limits(3, user_api="openmp"):
        assert cyacts.get_num_threads() == 3
        np.testing.assert_array_equal(cyacts.gelu(x), expected)
    assert cyacts.get_num_threads() == before
    # without user_api, the limit reaches every library, OpenMP included
    with threadpoolctl.threadpool_limits(limits=1):
        assert cyacts.get_num_threads() == 1
    assert cyacts.get_num_threads() == before


def test_set_num_threads_is_what_threadpoolctl_reads():
    before = cyacts.get_num_threads()
    try:
        cyacts.set_num_threads(2)
        assert 2 in [e["num_threads"] for e in _openmp_entries()]
        with threadpoolctl.threadpool_limits(1, user_api="openmp"):
            assert cyacts.get_num_threads() == 1
        assert cyacts.get_num_threads() == 2
    finally:
        cyacts.set_num_threads(before)
