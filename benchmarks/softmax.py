"""Speed of softmax, log_softmax and logsumexp against PyTorch, SciPy and the best NumPy form.

    python benchmarks/softmax.py [--repeat 15] [--threads N] [--cpu-time]

Shapes (4096, 1024) and (64, 32768) along the last axis and (1024, 1024) along axis 0,
float32 and float64, results into a preallocated output where the peer takes one
(torch ... out=, cyacts out=). Each cell is the best of --repeat calls, in ms; `memory` is one
read and one write of the array (np.copyto), the floor for the forwards that write an array.
--cpu-time measures process CPU time instead of wall time (steadier on a shared machine; it
adds the threads' times together). torch and scipy are optional.
"""
import argparse
import os
import resource
import time

import numpy as np

import cyacts

SHAPES = [((4096, 1024), -1), ((64, 32768), -1), ((1024, 1024), 0)]
FUNCTIONS = ("softmax", "log_softmax", "logsumexp")


def numpy_forms():
    def softmax(x, axis, y):
        np.subtract(x, x.max(axis, keepdims=True), out=y)
        np.exp(y, out=y)
        np.divide(y, y.sum(axis, keepdims=True), out=y)

    def log_softmax(x, axis, y):
        np.subtract(x, x.max(axis, keepdims=True), out=y)
        y -= np.log(np.exp(y).sum(axis, keepdims=True))

    def logsumexp(x, axis, y):
        m = x.max(axis, keepdims=True)
        return np.log(np.exp(x - m).sum(axis)) + np.squeeze(m, axis)

    return {"softmax": softmax, "log_softmax": log_softmax, "logsumexp": logsumexp}


def peers(name, x, axis, y):
    """{peer: a call with no arguments} for function `name`."""
    out = {}
    try:
        import torch

        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        if name == "logsumexp":
            tr = torch.empty(tuple(s for i, s in enumerate(x.shape) if i != axis % x.ndim),
                             dtype=tx.dtype)
            out["torch"] = lambda: torch.logsumexp(tx, axis, out=tr)
        else:  # torch.softmax takes no out=: its aten kernel does
            f = getattr(torch.ops.aten, "_" + name).out
            out["torch"] = lambda f=f: f(tx, axis, False, out=ty)
    except ImportError:
        pass
    try:
        import scipy.special as sp

        f = getattr(sp, name)
        out["scipy"] = lambda f=f: f(x, axis=axis)
    except ImportError:
        pass
    form = numpy_forms()[name]
    out["numpy"] = lambda: form(x, axis, y)
    return out


def clock(cpu):
    if not cpu:
        return time.perf_counter()
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def best(f, repeat, cpu):
    f()
    times = []
    for _ in range(repeat):
        t = clock(cpu)
        f()
        times.append(clock(cpu) - t)
    return min(times) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for cyacts and torch (default: cyacts.get_num_threads())")
    parser.add_argument("--cpu-time", action="store_true")
    args = parser.parse_args()
    threads = args.threads or cyacts.get_num_threads()
    try:
        import torch

        torch.set_num_threads(threads)
        torch_version = torch.__version__
    except ImportError:
        torch_version = "absent"
    print(f"cyacts {cyacts.__version__} ({cyacts.config()['simd']}), {threads} threads, "
          f"torch {torch_version}, numpy {np.__version__}, {os.cpu_count()} CPUs; ms, best of "
          f"{args.repeat} ({'CPU' if args.cpu_time else 'wall'} time)")
    print(f"{'shape':>14} {'axis':>4} {'dtype':>7} {'function':>12} {'cyacts':>8} {'torch':>8} "
          f"{'scipy':>8} {'numpy':>8} {'memory':>8} {'best peer/cyacts':>17}")
    rng = np.random.default_rng(0)
    for shape, axis in SHAPES:
        for dtype in (np.float32, np.float64):
            x = rng.normal(size=shape).astype(dtype)
            y = np.empty_like(x)
            memory = best(lambda: np.copyto(y, x), args.repeat, args.cpu_time)
            for name in FUNCTIONS:
                f = getattr(cyacts, name)
                if name == "logsumexp":
                    r = np.empty(tuple(s for i, s in enumerate(shape) if i != axis % len(shape)),
                                 dtype)
                    mine = best(lambda: f(x, axis, out=r, n_threads=threads), args.repeat,
                                args.cpu_time)
                else:
                    mine = best(lambda: f(x, axis, out=y, n_threads=threads), args.repeat,
                                args.cpu_time)
                cells = {p: best(g, args.repeat, args.cpu_time)
                         for p, g in peers(name, x, axis, y).items()}
                fastest = min(cells.values())
                row = " ".join(f"{cells.get(p, float('nan')):8.3f}"
                               for p in ("torch", "scipy", "numpy"))
                print(f"{str(shape):>14} {axis:>4} {np.dtype(dtype).name:>7} {name:>12} "
                      f"{mine:8.3f} {row} {memory:8.3f} {fastest / mine:16.2f}x")


if __name__ == "__main__":
    main()
