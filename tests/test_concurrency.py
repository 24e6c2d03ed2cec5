"""Threads: many Python threads at once, the GIL released in the kernels, nested parallelism, and
results that do not depend on the thread count or the layout.

Policy shown here (and in the README):
- Every call releases the GIL for its kernel, serial calls included; concurrent calls on shared
  read-only inputs with their own outputs are safe and give bitwise the serial results.
- n_threads=None means get_num_threads() *of the calling thread*: OpenMP keeps the thread count
  per calling thread, so set_num_threads() and threadpoolctl's threadpool_limits() act on the
  thread that calls them. Each Python thread that calls cyacts with more than one thread gets its
  own OpenMP team. To use cyacts from a pool of k Python threads without oversubscribing, give
  each call n_threads=1 (or call set_num_threads(1) in the pool's initializer).
- Inside another OpenMP parallel region, a cyacts call runs serially on the calling OpenMP thread:
  OpenMP's nested parallelism is off unless the user turns it on (OMP_MAX_ACTIVE_LEVELS > 1).
"""
import ctypes
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import cyacts
from _cases import F32, F64, INPLACE, OUT_OF_PLACE, SPECS, Spec, assert_bitwise_equal

LINUX_TASKS = "/proc/self/task"


def values(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.normal(0, 4, n)
    v[::97] = 0.0
    v[1::101] = 6.0
    v[2::103] = np.nan
    v[3::107] = -np.inf
    return v.astype(dtype)


def run(spec, x, g, **kw):
    """Call spec on x (a private copy for the in-place forms)."""
    if spec.kind == "inplace":
        y = np.array(x, copy=True)
        spec.call(y)
        return y
    return spec.call(x, g, **kw)


# --------------------------------------------------------------------------------------------
# 16 threads at once
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [F32, F64])
def test_sixteen_threads_bitwise_equal_to_serial(dtype):
    n = 300_001  # large enough for every kernel to run its own OpenMP team
    x = values(n, dtype)
    g = values(n, dtype, 1)
    x.flags.writeable = False
    g.flags.writeable = False
    serial = {s.id: run(s, x, g if s.kind == "grad" else None, n_threads=1)
              if s.kind != "inplace" else run(s, x, None) for s in SPECS}
    n_workers, rounds = 16, 2
    barrier = threading.Barrier(n_workers)
    errors = []

    def worker(k):
        try:
            outs = {s.id: np.empty(n, dtype) for s in OUT_OF_PLACE}
            barrier.wait()
            for r in range(rounds):
                for s in SPECS[k % len(SPECS):] + SPECS[: k % len(SPECS)]:
                    gg = g if s.kind == "grad" else None
                    if s.kind == "inplace":
                        results = [run(s, x, None)]
                    elif (k + r) % 2:
                        results = [s.call(x, gg, out=outs[s.id])]
                    else:
                        results = [s.call(x, gg, n_threads=1 + (k + r) % 3)]
                    for res in results:
                        assert_bitwise_equal(res, serial[s.id], f"thread {k}: {s.id}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_threads_with_own_outputs_on_shared_memory():
    """Sixteen threads each writing its own slice of one output array."""
    n_workers, m = 16, 40_000
    x = values(n_workers * m, F32)
    x.flags.writeable = False
    out = np.zeros_like(x)
    expected = cyacts.gelu(x, n_threads=1)

    def worker(k):
        sl = slice(k * m, (k + 1) * m)
        for _ in range(5):
            cyacts.gelu(x[sl], out=out[sl])

    with ThreadPoolExecutor(n_workers) as pool:
        list(pool.map(worker, range(n_workers)))
    assert_bitwise_equal(out, expected, "gelu into slices")


# --------------------------------------------------------------------------------------------
# the GIL is released while a kernel runs
# --------------------------------------------------------------------------------------------
class _Watcher:
    """A Python thread that reads the clock in a loop. It runs only while it holds the GIL, so the
    longest pause of its loop during one call in this thread shows whether the call held the GIL:
    about the whole call if it did; if not, what the OS scheduler takes from it (a few ms)."""

    def __enter__(self):
        self.last, self.window, self._running = time.perf_counter(), [0.0, 0.0], True
        self._thread = threading.Thread(target=self._run)
        self._thread.start()
        return self

    def _run(self):
        clock, last = time.perf_counter, time.perf_counter()
        while self._running:
            now = clock()
            window = self.window  # [start, longest pause]: a new list per call, so no stale write
            window[1] = max(window[1], now - max(last, window[0]))
            self.last = last = now

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()

    def paused(self, call):
        """The longest pause of the loop while call() runs here, as a share of the call's time."""
        t0 = time.perf_counter()
        self.window = window = [t0, 0.0]
        call()
        t1 = time.perf_counter()
        return max(window[1], t1 - max(self.last, t0)) / (t1 - t0)


def test_other_python_threads_run_during_one_kernel_call():
    """One kernel call of ~0.1 s: on the fast path and through apply, float32 and float64, a
    forward and a derivative. sorted() of a list of ints holds the GIL to its end: the watcher
    must see it do so, or the measure proves nothing."""
    control = "sorted() (holds the GIL)"
    ints = np.random.default_rng(0).permutation(1 << 18).tolist()
    x32, x64 = np.linspace(-6, 6, 1 << 23, dtype=F32), np.linspace(-6, 6, 1 << 21, dtype=F64)
    out32, out64 = np.empty_like(x32), np.empty_like(x64)

    def fortran(a):
        return a.reshape(-1, 2).T  # not C-contiguous: the general path, which calls apply once

    calls = {
        control: lambda: sorted(ints),
        "gelu float32": lambda: cyacts.gelu(x32, out=out32, n_threads=1),
        "gelu float64 (apply)": lambda: cyacts.gelu(fortran(x64), out=fortran(out64),
                                                    n_threads=1),
        "gelu_grad float32 (apply)": lambda: cyacts.gelu_grad(
            fortran(x32), fortran(x32), out=fortran(out32), n_threads=1),
        "gelu_grad float64": lambda: cyacts.gelu_grad(x64, x64, out=out64, n_threads=1),
    }
    level, interval = cyacts._core.simd_level(), sys.getswitchinterval()
    # The slowest kernels keep the arrays small. A short switch interval keeps the hand-overs of
    # the GIL at the edges of a call to a millisecond or so.
    cyacts._core.select_level(cyacts._core.AVAILABLE_LEVELS[0])
    sys.setswitchinterval(0.001)
    try:
        for _ in range(3):  # a loaded machine may stall the watcher itself: measure again
            with _Watcher() as watcher:
                paused = {name: watcher.paused(call) for name, call in calls.items()}
            held = {name for name, share in paused.items() if share > 0.5}
            if held == {control}:
                break
    finally:
        sys.setswitchinterval(interval)
        cyacts._core.select_level(level)
    shares = ", ".join(f"{name} {share:.2f}" for name, share in paused.items())
    assert control in held, f"the watcher ran during a call that holds the GIL: {shares}"
    assert held == {control}, f"{sorted(held - {control})} held the GIL (longest pauses: {shares})"


# --------------------------------------------------------------------------------------------
# nested use: thread pools and OpenMP regions
# --------------------------------------------------------------------------------------------
def _tasks():
    return len(os.listdir(LINUX_TASKS))


class _ThreadSampler:
    """Largest number of OS threads in this process while the block runs (Linux)."""

    def __enter__(self):
        self.peak = _tasks()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _tasks())
            time.sleep(0.0005)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


needs_proc = pytest.mark.skipif(not os.path.isdir(LINUX_TASKS), reason="needs /proc/self/task")


def test_thread_count_is_per_calling_thread():
    """set_num_threads() and threadpool_limits() act on the calling thread only."""
    default = cyacts.get_num_threads()
    seen = []
    try:
        cyacts.set_num_threads(1)
        assert cyacts.get_num_threads() == 1
        t = threading.Thread(target=lambda: seen.append(cyacts.get_num_threads()))
        t.start()
        t.join()
    finally:
        cyacts.set_num_threads(default)
    assert seen == [default]


def _pool_run(n_workers, initializer, n_threads):
    x = values(2_000_000, F32)
    x.flags.writeable = False
    expected = cyacts.gelu(x, n_threads=1)
    seen = []

    def job(k):
        seen.append(cyacts.get_num_threads())
        y = cyacts.gelu(x, n_threads=n_threads)
        assert_bitwise_equal(y, expected, "gelu from a pool")
        return True

    base = _tasks()
    with _ThreadSampler() as sampler:
        with ThreadPoolExecutor(n_workers, initializer=initializer) as pool:
            assert all(pool.map(job, range(4 * n_workers)))
    # the sampler itself is one thread
    return sampler.peak - base - 1, seen


@needs_proc
def test_pool_with_one_thread_per_call_does_not_oversubscribe():
    n_workers = 4
    extra, seen = _pool_run(n_workers, lambda: cyacts.set_num_threads(1), None)
    assert set(seen) == {1}
    assert extra <= n_workers, f"{extra} threads for a pool of {n_workers}: OpenMP teams were made"
    extra, _ = _pool_run(n_workers, None, 1)
    assert extra <= n_workers


@needs_proc
def test_pool_default_uses_get_num_threads_per_call():
    """Documented: with n_threads=None each pool thread runs its own team of
    get_num_threads() threads (pass n_threads=1 in pools to avoid that)."""
    n_workers = 3
    per_call = cyacts.get_num_threads()
    extra, seen = _pool_run(n_workers, None, None)
    assert set(seen) == {per_call}
    assert extra <= n_workers * per_call
    if per_call > 1 and cyacts.config()["openmp"]:
        assert extra > n_workers, "the calls did not run in parallel"


def _settled_tasks():
    """Threads in this process once those that are ending (a finished thread's pool) are gone."""
    count, since, deadline = _tasks(), time.perf_counter(), time.perf_counter() + 2
    while time.perf_counter() - since < 0.01 and time.perf_counter() < deadline:
        time.sleep(0.001)
        now = _tasks()
        if now != count:
            count, since = now, time.perf_counter()
    return count


def _threads_started(call):
    """Threads call() starts when a fresh Python thread makes it. libgomp gives each thread that
    opens a parallel region a pool of its own, kept until that thread ends: this is the size of
    the largest team the call ran, less one."""
    started = []

    def body():
        before = _settled_tasks()
        call()
        started.append(_tasks() - before)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    return started[0]


@needs_proc
@pytest.mark.parametrize("name", ["gelu", "relu_grad"])
def test_huge_n_threads_is_capped(name, monkeypatch):
    """n_threads=10**9 or 2**64 is no error and reaches the driver capped; the driver runs a
    thread per grain of the array at most, and below two grains no parallel region at all."""
    func, grain = getattr(cyacts, name), cyacts._core.GRAINS[name]
    x = values(5 * grain, F64)
    args = (x, x) if name.endswith("_grad") else (x,)
    expected = func(*args, n_threads=1)
    reached = {}
    for entry in ("apply", "apply_rows"):  # contiguous operands, views
        original = getattr(cyacts._core, entry)
        monkeypatch.setattr(cyacts._core, entry, lambda *a, f=original, e=entry, **kw: (
            reached.setdefault(e, set()).add(a[6]) or f(*a, **kw)))  # a[6]: n_threads
    for n_threads in (10**9, 2**64):
        for layout in (lambda a: a, lambda a: a[::-1]):  # contiguous, then a reversed view
            y = func(*map(layout, args), n_threads=n_threads)
            assert_bitwise_equal(y, layout(expected), f"{name}, n_threads={n_threads}")
    assert reached == {e: {cyacts._checks.MAX_THREADS} for e in ("apply", "apply_rows")}, (
        f"n_threads reached the driver as {reached}")
    if not (cyacts.config()["openmp"] and cyacts.config()["compiler"].startswith("gcc")):
        return  # counting a team needs libgomp's pools
    for size, team in ((2 * grain - 1, 1), (2 * grain, 2), (5 * grain, 5)):
        for layout in (lambda a: a, lambda a: a[::-1]):
            started = _threads_started(
                lambda: func(*(layout(a[:size]) for a in args), n_threads=10**9))
            assert started == team - 1, f"{name} on {size} elements started {started} threads"


_OMP_HOST = r"""
#include <omp.h>
typedef void (*callback)(int);
void host_parallel(int n, callback cb) {
    #pragma omp parallel num_threads(n)
    cb(omp_get_thread_num());
}
int host_level(void) { return omp_get_level(); }
int host_active_level(void) { return omp_get_active_level(); }
int host_max_active_levels(void) { return omp_get_max_active_levels(); }
"""


@pytest.fixture(scope="module")
def omp_host(tmp_path_factory):
    """A tiny C library that opens an OpenMP parallel region and calls back into Python."""
    cc = shlex.split(os.environ.get("CC", "")) or [shutil.which("gcc") or shutil.which("cc")]
    if (not cc[0] or not sys.platform.startswith("linux") or not cyacts.config()["openmp"]
            or not cyacts.config()["compiler"].startswith("gcc")):
        # the host must share cyacts's OpenMP runtime (libgomp)
        pytest.skip("needs gcc with OpenMP on Linux and a gcc/OpenMP build of cyacts")
    d = tmp_path_factory.mktemp("omphost")
    src, lib = d / "host.c", d / "libhost.so"
    src.write_text(_OMP_HOST)
    r = subprocess.run([*cc, "-shared", "-fPIC", "-fopenmp", "-O1", str(src), "-o", str(lib)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot build the OpenMP host: {r.stderr[:200]}")
    host = ctypes.CDLL(str(lib))
    host.host_parallel.argtypes = [ctypes.c_int, ctypes.CFUNCTYPE(None, ctypes.c_int)]
    return host


@needs_proc
def test_inside_an_openmp_region_runs_serially(omp_host):
    if os.environ.get("OMP_MAX_ACTIVE_LEVELS", "1") not in ("", "1") or os.environ.get(
            "OMP_NESTED", "").lower() in ("1", "true"):
        pytest.skip("nested parallelism was turned on in the environment")
    with open("/proc/self/maps") as maps:
        runtimes = {line.split()[-1] for line in maps if "libgomp" in line.split()[-1]}
    if len(runtimes) > 1:
        # A repaired wheel vendors its own renamed libgomp: the host's runtime and cyacts's
        # are then two runtimes, and neither sees the other's parallel region.
        pytest.skip(f"two OpenMP runtimes loaded ({sorted(runtimes)}): nesting is invisible")
    n_outer = 3
    x = values(3_000_000, F32)
    x.flags.writeable = False
    expected = cyacts.gelu(x, n_threads=1)
    results, info = {}, {}

    @ctypes.CFUNCTYPE(None, ctypes.c_int)
    def body(tid):
        info[tid] = (omp_host.host_level(), omp_host.host_active_level(),
                     omp_host.host_max_active_levels())
        results[tid] = [cyacts.gelu(x, n_threads=None), cyacts.gelu(x, n_threads=4)]

    omp_host.host_parallel(1, body)  # warm the runtime's pool for this thread
    base = _tasks()
    with _ThreadSampler() as sampler:
        omp_host.host_parallel(n_outer, body)
    extra = sampler.peak - base - 1
    assert sorted(results) == list(range(n_outer))
    for tid, (level, active, max_active) in info.items():
        assert level == 1 and active == 1 and max_active == 1, info
    for tid, rs in results.items():
        for r in rs:
            assert_bitwise_equal(r, expected, f"inside an OpenMP region, thread {tid}")
    # the outer team only: no nested teams were created
    assert extra <= n_outer - 1, f"{extra} extra threads: nested teams were created"


# --------------------------------------------------------------------------------------------
# bitwise identical whatever the thread count, the layout and the position
# --------------------------------------------------------------------------------------------
THREADS = (1, 2, 3, 7)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("spec", OUT_OF_PLACE, ids=lambda s: s.id)
def test_bitwise_whatever_threads_and_layout(spec, dtype):
    # enough elements for 7 threads: ~1e6 for the cheap piecewise kernels, 2e5 for the others
    rows, cols = (1001, 1003) if spec.base in ("relu", "leaky_relu", "relu6") else (401, 503)
    x = values(rows * cols, dtype).reshape(rows, cols)
    g = values(rows * cols, dtype, 1).reshape(rows, cols) if spec.kind == "grad" else None
    ref = spec.call(x, g, n_threads=1)
    ctx = spec.id

    def same(y, expected, what):
        assert_bitwise_equal(y, expected, f"{ctx}: {what}")

    for t in THREADS[1:]:
        same(spec.call(x, g, n_threads=t), ref, f"n_threads={t}")
    same(spec.call(x, g), ref, "n_threads=None")
    # layouts (each with several threads)
    fx = np.asfortranarray(x)
    fg = None if g is None else np.asfortranarray(g)
    for t in (3,):
        same(spec.call(fx, fg, n_threads=t), ref, f"Fortran, n_threads={t}")
        same(spec.call(x[::-1, ::-1], None if g is None else g[::-1, ::-1], n_threads=t),
             ref[::-1, ::-1], f"negative strides, n_threads={t}")
        same(spec.call(x.T, None if g is None else g.T, n_threads=t), ref.T,
             f"transposed, n_threads={t}")
        same(spec.call(x[:, ::2], None if g is None else g[:, ::2], n_threads=t), ref[:, ::2],
             f"strided, n_threads={t}")
    out = np.empty((cols, rows), dtype, order="C").T  # a Fortran-ordered out
    same(spec.call(x, g, n_threads=7, out=out), ref, "Fortran out")
    # position / alignment: element k's result does not depend on where it sits
    flat_x = x.reshape(-1)
    flat_g = None if g is None else g.reshape(-1)
    flat_ref = ref.reshape(-1)
    for k in (1, 2, 3, 5, 8, 15, 17):
        same(spec.call(flat_x[k:], None if g is None else flat_g[k:], n_threads=3),
             flat_ref[k:], f"offset {k}")
    raw = np.zeros(flat_x.nbytes + 1, np.uint8)
    unaligned = raw[1:].view(dtype)
    unaligned[:] = flat_x
    same(spec.call(unaligned, flat_g, n_threads=2), flat_ref, "unaligned")


@pytest.mark.parametrize("spec", INPLACE, ids=lambda s: s.id)
def test_inplace_bitwise_whatever_threads(spec):
    x = values(1_004_003, F32)
    ref = Spec(spec.base, "forward", spec.params).call(x, n_threads=1)
    default = cyacts.get_num_threads()
    for t in THREADS:
        try:
            cyacts.set_num_threads(t)
            y = x.copy()
            spec.call(y)
        finally:
            cyacts.set_num_threads(default)
        assert_bitwise_equal(y, ref, f"{spec.id} with set_num_threads({t})")


def test_threadpool_limits_governs_and_keeps_results():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    x = values(1_004_003, F32)
    ref = cyacts.sigmoid(x, n_threads=1)
    default = cyacts.get_num_threads()
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        if cyacts.config()["openmp"]:
            assert cyacts.get_num_threads() == 1
        assert_bitwise_equal(cyacts.sigmoid(x), ref, "under threadpool_limits(1)")
    assert cyacts.get_num_threads() == default
