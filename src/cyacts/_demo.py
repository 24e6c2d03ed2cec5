"""python -m cyacts demo: every activation on a sample array, in-place use, speed vs NumPy.

The activations are the registry's (cyacts._ops), each with every variant the tests exercise;
the speed lines are the benchmark's forward rows against its NumPy formulas (cyacts._bench), so
neither list is kept here.
"""
import time

import numpy as np

import cyacts
from cyacts import _bench, _ops


def _median_time(fn, args, repeats=15):
    fn(*args)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _speed_rows(n):
    """(row name, cyacts contender, NumPy contender) for each forward row with a NumPy form."""
    buffers = _bench._Buffers(n, "float32")
    for name, row in _bench.FUNCTIONS.items():
        contenders = buffers.contenders(name)
        if not row.backward and "numpy" in contenders:
            yield name, contenders["cyacts"], contenders["numpy"]


def demo(n=1_000_000):
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    x = np.linspace(-4, 4, 9, dtype=np.float32)
    print(f"cyacts {cyacts.__version__}: {cyacts.config()['simd']} kernels, "
          f"OpenMP {'on' if cyacts.config()['openmp'] else 'off'}, "
          f"{cyacts.get_num_threads()} thread(s)\n")
    calls = [(op.label(params), getattr(cyacts, op.name), params)
             for op in _ops.OPS for params in op.variants()]
    width = max(len(label) for label, _, _ in calls)
    print(f"{'x':>{width}} = {x}")
    for label, f, params in calls:
        print(f"{label:>{width}} = {f(x, **params)}")

    print("\nIn place: the array is overwritten and returned, no new memory:")
    a = np.linspace(-2, 2, 5)
    b = cyacts.sigmoid_(a)
    print(f"  a = np.linspace(-2, 2, 5); b = cyacts.sigmoid_(a)  ->  b is a: {b is a}, a = {a}")
    g = np.ones(5)
    cyacts.sigmoid_grad(a, g, from_output=True, out=g)
    print(f"  backward from the output, into grad_output: {g}")

    print(f"\nSpeed on this machine, float32, {n:.0e} elements, output preallocated (median of "
          "repeats),\nagainst the NumPy/SciPy formulas that `python -m cyacts bench` times:")
    print(f"  {'function':<18}{'cyacts':>12}{'NumPy':>12}{'speed-up':>10}")
    for label, ours, theirs in _speed_rows(n):
        t_ours, t_np = _median_time(*ours), _median_time(*theirs)
        print(f"  {label:<18}{t_ours * 1e6:>10.0f}us{t_np * 1e6:>10.0f}us{t_np / t_ours:>9.1f}x")
    print("\nMore: python -m cyacts bench | info | plot PATH")
