"""No leaks: 6 10^4 calls of a function of each signature class (with and without out, refused
calls included; _cases.REPRESENTATIVE) leave the Python heap (tracemalloc) and the process's
resident memory (/proc/self/statm) flat."""
import gc
import os
import tracemalloc

import numpy as np
import pytest

from _cases import REPRESENTATIVE

CALLS = 60_000  # per function, resident memory watched
TRACED_CALLS = 10_000  # per function, every Python allocation traced (tracemalloc is slow)
WARMUP = 3_000
# Growth allowed in the second half of a run, after every cache has reached its size. The first
# half may see a one-off jump: a block NumPy allocated before tracing started and reallocates
# later is counted whole by tracemalloc (e.g. ~1 MiB in __array_interface__ of float16 arrays).
TRACED_SLACK = 16 * 1024
# pymalloc takes memory in 1 MiB arenas, so RSS may step by ~1 MiB now and then; a leak of one
# small array per call would add ~3 MiB per half (and tracemalloc sees leaks of a few bytes)
RSS_SLACK = 2 * 1024 * 1024
STATM = "/proc/self/statm"
# AddressSanitizer holds freed memory in quarantine: resident memory grows by design under it
UNDER_ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")


def rss():
    with open(STATM) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _workload(spec):
    """A list of zero-argument callables that cycle through the ways of calling spec."""
    xs = [np.linspace(-8, 8, 37, dtype=d) for d in (np.float32, np.float64, np.float16)]
    xs.append(np.linspace(-8, 8, 74, dtype=np.float32)[::2])  # strided: the copy path
    xs.append(np.asfortranarray(np.linspace(-8, 8, 36).reshape(6, 6)))
    calls = []
    if spec.kind == "inplace":
        work = [x.copy() for x in xs[:3]]
        read_only = np.zeros(5, np.float32)
        read_only.flags.writeable = False
        ints = np.arange(5)
        for w in work:
            calls.append(lambda w=w: spec.call(w))
        calls.append(lambda: spec.call(read_only))  # refused: read-only
        calls.append(lambda: spec.call(ints))  # refused: dtype
        return calls
    for x in xs:
        g = x[::-1].copy() if spec.kind == "grad" else None
        out = np.empty_like(x)
        calls.append(lambda x=x, g=g: spec.call(x, g))
        calls.append(lambda x=x, g=g, out=out: spec.call(x, g, out=out))
    x, g = xs[0], (xs[0] * 2 if spec.kind == "grad" else None)
    wrong_shape = np.empty(3, np.float32)
    complex_x = np.ones(4, np.complex64)
    calls.append(lambda: spec.call(x, g, n_threads=0))  # refused: n_threads
    calls.append(lambda: spec.call(x, g, out=wrong_shape))  # refused: out
    calls.append(lambda: spec.call(complex_x, None if g is None else g[:4]))  # refused: dtype
    calls.append(lambda: spec.call(x.tolist(), None if g is None else 0.5))  # a list in
    return calls


def _drive(calls, n):
    k = len(calls)
    for i in range(n):
        try:
            calls[i % k]()
        except (TypeError, ValueError):
            pass


def _halves(calls, n, measure):
    """measure() after a warm-up, after n/2 calls and after n calls."""
    _drive(calls, WARMUP)
    gc.collect()
    m0 = measure()
    _drive(calls, n // 2)
    gc.collect()
    m1 = measure()
    _drive(calls, n - n // 2)
    gc.collect()
    return m0, m1, measure()


@pytest.mark.skipif(not os.path.exists(STATM), reason="needs /proc/self/statm")
@pytest.mark.parametrize("spec", REPRESENTATIVE, ids=[s.id for s in REPRESENTATIVE])
def test_memory_stays_flat(spec):
    calls = _workload(spec)
    r0, r1, r2 = _halves(calls, CALLS, rss)
    assert UNDER_ASAN or r2 - r1 < RSS_SLACK and r2 - r0 < 3 * RSS_SLACK, (
        f"{spec.id}: resident memory grew by {(r1 - r0) / 2**20:.2f} then "
        f"{(r2 - r1) / 2**20:.2f} MiB over 2 x {CALLS // 2} calls")
    tracemalloc.start()
    try:
        t0, t1, t2 = _halves(calls, TRACED_CALLS, lambda: tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert t2 - t1 < TRACED_SLACK, (
        f"{spec.id}: the Python heap grew by {t1 - t0} then {t2 - t1} bytes over "
        f"2 x {TRACED_CALLS // 2} calls")


@pytest.mark.skipif(not os.path.exists(STATM) or UNDER_ASAN,
                    reason="needs /proc/self/statm, without AddressSanitizer's quarantine")
def test_large_outputs_are_freed():
    """Allocated results are released: 60 calls making 8 MB results leave RSS flat."""
    from cyacts import gelu_grad, sigmoid

    x = np.linspace(-5, 5, 1_000_000)
    for _ in range(5):
        sigmoid(x)
        gelu_grad(x, x)
    gc.collect()
    r0 = rss()
    for _ in range(30):
        sigmoid(x)
        gelu_grad(x[::-1], x)
    gc.collect()
    assert rss() - r0 < 3 * x.nbytes
