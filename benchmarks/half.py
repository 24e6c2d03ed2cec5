"""float16 and bfloat16 relu, gelu, sigmoid at 1e6 elements, 1 and 2 threads: cyacts against
PyTorch's CPU kernels (where installed), into preallocated outputs, with float32 for scale;
medians (or minima, on a busy machine) of repeated runs.

    python benchmarks/half.py [--size N] [--repeat R] [--stat median|min]
"""
import argparse
import statistics
import time

import numpy as np

import cyacts

try:
    import torch
except ImportError:  # pragma: no cover - optional peer
    torch = None
try:
    import ml_dtypes
except ImportError:  # pragma: no cover
    ml_dtypes = None


def _median(f, repeat):
    f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times) if STAT == "min" else statistics.median(times)


STAT = "median"


def main():
    global STAT
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=float, default=1e6)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--stat", choices=("median", "min"), default="median")
    args = parser.parse_args()
    STAT = args.stat
    n = int(args.size)
    x32 = (np.random.default_rng(0).standard_normal(n) * 3).astype(np.float32)
    dtypes = [("float32", np.dtype(np.float32)), ("float16", np.dtype(np.float16))]
    if ml_dtypes is not None:
        dtypes.append(("bfloat16", np.dtype(ml_dtypes.bfloat16)))
    print(f"{'dtype':9} {'function':8} {'threads':>7} {'cyacts':>10} {'torch':>10} {'ratio':>6}")
    for name, dtype in dtypes:
        x = x32.astype(dtype)
        y = np.empty_like(x)
        if torch is not None:
            tx = torch.from_numpy(x32).to(getattr(torch, name))
            ty = torch.empty_like(tx)
            peers = {"relu": lambda: torch.clamp_min(tx, 0, out=ty),
                     "gelu": lambda: torch._C._nn.gelu(tx, out=ty),
                     "sigmoid": lambda: torch.sigmoid(tx, out=ty)}
        for threads in (1, 2):
            if torch is not None:
                torch.set_num_threads(threads)
            for function in ("relu", "gelu", "sigmoid"):
                f = getattr(cyacts, function)
                try:
                    ours = _median(lambda: f(x, out=y, n_threads=threads), args.repeat)
                except TypeError:
                    ours = float("nan")  # a version without this dtype
                line = f"{name:9} {function:8} {threads:7} {ours * 1e6:8.1f}us"
                if torch is not None:
                    theirs = _median(peers[function], args.repeat)
                    line += f" {theirs * 1e6:8.1f}us {ours / theirs:6.2f}"
                print(line, flush=True)


if __name__ == "__main__":
    main()
