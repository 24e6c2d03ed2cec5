"""Time activations on views against the same elements contiguous (and PyTorch, if installed).

    python benchmarks/views.py [--threads 1 2] [--repeat 40] [--functions relu gelu sigmoid]

Rows: a row-strided view (z[:, :1024] of a (1000, 2048) float32 array: half of a fused
projection), then views with inner strides, 1e6 elements each (x[:, ::-1], flat[::2] of a 1-D
array, x[:, ::2]). Each call allocates its result, as a user's call does. The calls of one row
take turns (view, contiguous copy, then PyTorch's), so that a machine shared with other work
disturbs them alike; each time is the best of `repeat`, in microseconds, and "ratio" is the
view's time over the contiguous one.
"""
import argparse
import time

import numpy as np

import cyacts

try:
    import torch
except ImportError:  # torch is optional
    torch = None


def best_of(calls, repeat):
    """The fastest time of each call, the calls taking turns."""
    for call in calls:
        call()
    times = [float("inf")] * len(calls)
    for _ in range(repeat):
        for i, call in enumerate(calls):
            start = time.perf_counter()
            call()
            times[i] = min(times[i], time.perf_counter() - start)
    return [t * 1e6 for t in times]


def cases():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(1000, 2048)).astype(np.float32)
    yield "z[:, :1024] of (1000, 2048)", z[:, :1024]
    x = rng.normal(size=(1000, 1000)).astype(np.float32)
    yield "x[:, ::-1] of (1000, 1000)", x[:, ::-1]
    flat = rng.normal(size=2 * 10**6).astype(np.float32)
    yield "flat[::2] of (2e6,)", flat[::2]
    wide = rng.normal(size=(1000, 2000)).astype(np.float32)
    yield "x[:, ::2] of (1000, 2000)", wide[:, ::2]


def torch_function(name):
    return getattr(torch, name, None) or getattr(torch.nn.functional, name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--functions", nargs="+", default=["relu", "gelu", "sigmoid"])
    args = parser.parse_args()
    print(f"cyacts {cyacts.__version__}, SIMD {cyacts.config()['simd']}"
          + (f", torch {torch.__version__}" if torch else ""))
    head = f"{'function':8} {'view':27} {'thr':>3} {'view':>7} {'contig':>7} {'ratio':>6}"
    print(head + (f" {'torch view':>10} {'torch contig':>12}" if torch else ""))
    for label, view in cases():
        contiguous = np.ascontiguousarray(view)
        # torch takes positive strides only
        with_torch = torch is not None and min(view.strides) > 0
        for name in args.functions:
            func = getattr(cyacts, name)
            for t in args.threads:
                calls = [lambda: func(view, n_threads=t), lambda: func(contiguous, n_threads=t)]
                if with_torch:
                    tfunc = torch_function(name)
                    tview, tcontiguous = torch.from_numpy(view), torch.from_numpy(contiguous)
                    calls += [lambda: tfunc(tview), lambda: tfunc(tcontiguous)]
                    torch.set_num_threads(t)
                times = best_of(calls, args.repeat)
                line = (f"{name:8} {label:27} {t:3} {times[0]:7.0f} {times[1]:7.0f} "
                        f"{times[0] / times[1]:6.2f}")
                if with_torch:
                    line += f" {times[2]:10.0f} {times[3]:12.0f}"
                print(line, flush=True)


if __name__ == "__main__":
    main()
