"""A NumPy MLP training loop: cyacts's activations against NumPy's own formulas, end to end.

    python benchmarks/mlp_loop.py                          # widths 256, 1024, 4096; batch 512
    python benchmarks/mlp_loop.py --threads 2 --repeats 7 --widths 256 1024 --json out.json

Each step is the forward and backward pass of a stack of square float32 layers, each a matmul
(OpenBLAS, or whatever BLAS NumPy uses, with its threads) followed by an activation, then an
SGD update:

    forward   Z = A @ W;  A' = f(Z)
    backward  dZ = dA' * f'(.);  dW = A.T @ dZ;  dA = dZ @ W.T;  W -= lr * dW

so every activation call is followed at once by a matmul. The two variants differ only in the
activation and its derivative: cyacts (into preallocated outputs, derivatives from the output
where the function allows it) or the NumPy formula as it is usually written (np.tanh; 1 - y**2;
1 / (1 + exp(-z)); the tanh-form GELU; NumPy has no erf, so the erf GELU is left out).

Both variants use the same thread count (--threads, default cyacts.get_num_threads()) for BLAS
(threadpoolctl) and cyacts; NumPy's elementwise formulas run on one thread, as NumPy does. No
OpenMP setting is touched: this measures the defaults. Each repeat times both variants one
after the other (alternating which goes first) over enough steps to last --min-time seconds,
for every activation in turn. The table shows medians over the repeats, and the median of the
ratios within a repeat (NumPy time / cyacts time, above 1: cyacts is faster); per width, the
end-to-end ratio is the median over the repeats of the NumPy loop's time over the cyacts
loop's, all activations together, and the overall ratio is the geometric mean of those (each
width counts the same, however slow).
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import cyacts

SQRT_2_OVER_PI = np.float32(np.sqrt(2.0 / np.pi))
GELU_C = np.float32(0.044715)


def numpy_formulas(name):
    """(forward(z) -> (a, saved), backward(saved, da) -> dz) as written with NumPy."""
    if name == "tanh":
        def forward(z):
            a = np.tanh(z)
            return a, a

        def backward(a, da):
            return da * (1 - a * a)
    elif name == "sigmoid":
        def forward(z):
            a = 1 / (1 + np.exp(-z))
            return a, a

        def backward(a, da):
            return da * a * (1 - a)
    elif name == "gelu_tanh":
        def forward(z):
            t = np.tanh(SQRT_2_OVER_PI * (z + GELU_C * z * z * z))
            return 0.5 * z * (1 + t), (z, t)

        def backward(saved, da):
            z, t = saved
            inner = SQRT_2_OVER_PI * (1 + 3 * GELU_C * z * z)
            return da * (0.5 * (1 + t) + 0.5 * z * (1 - t * t) * inner)
    else:
        raise ValueError(name)
    return forward, backward


def cyacts_functions(name, threads):
    """The same pair with cyacts: in place where the input is not needed again."""
    if name in ("tanh", "sigmoid"):
        f, f_grad = getattr(cyacts, name), getattr(cyacts, name + "_grad")

        def forward(z):
            a = f(z, out=z, n_threads=threads)  # z is not needed again: in place
            return a, a

        def backward(a, da):
            return f_grad(a, da, from_output=True, out=da, n_threads=threads)
    elif name == "gelu_tanh":
        def forward(z):
            return cyacts.gelu(z, approximate="tanh", n_threads=threads), z

        def backward(z, da):
            return cyacts.gelu_grad(z, da, approximate="tanh", out=da, n_threads=threads)
    else:
        raise ValueError(name)
    return forward, backward


class Model:
    def __init__(self, width, batch, layers, seed=0):
        rng = np.random.default_rng(seed)
        scale = np.float32(1 / np.sqrt(width))
        self.weights = [(rng.standard_normal((width, width), dtype=np.float32) * scale)
                        for _ in range(layers)]
        self.x = rng.standard_normal((batch, width), dtype=np.float32)
        self.target = np.tanh(rng.standard_normal((batch, width), dtype=np.float32))
        self.lr = np.float32(1e-3)

    def step(self, forward, backward):
        a = self.x
        inputs, saved = [], []
        for w in self.weights:
            inputs.append(a)
            a, s = forward(a @ w)
            saved.append(s)
        da = a - self.target
        for i in range(len(self.weights) - 1, -1, -1):
            dz = backward(saved[i], da)
            w = self.weights[i]
            grad_w = inputs[i].T @ dz
            if i:
                da = dz @ w.T
            w -= self.lr * grad_w


def time_steps(model, pair, steps):
    start = time.perf_counter()
    for _ in range(steps):
        model.step(*pair)
    return (time.perf_counter() - start) / steps


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=cyacts.get_num_threads())
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--widths", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--activations", nargs="+", default=["tanh", "sigmoid", "gelu_tanh"],
                        choices=["tanh", "sigmoid", "gelu_tanh"])
    parser.add_argument("--min-time", type=float, default=0.1,
                        help="seconds each timing lasts at least (whole steps)")
    parser.add_argument("--json", help="write the settings and every timing to this file")
    args = parser.parse_args(argv)

    limits = None
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads, user_api="blas")
    except ImportError:
        print("threadpoolctl is not installed: BLAS uses its own thread count", file=sys.stderr)

    wait = {k: v for k, v in os.environ.items()
            if k.startswith(("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"))}
    print(f"cpu: {cpu_name()}, {os.cpu_count()} logical CPUs; threads: {args.threads} "
          f"(BLAS and cyacts); batch {args.batch}, {args.layers} layers, float32")
    print(f"cyacts {cyacts.__version__}, simd {cyacts.config()['simd']}; numpy {np.__version__};"
          f" OpenMP wait settings in the environment: {wait or 'none'}")
    print(f"medians of {args.repeats} interleaved repeats, ms per training step; ratio: "
          "numpy / cyacts")
    print(f"{'width':>6} {'activation':>10} {'numpy':>9} {'cyacts':>9} {'ratio':>6}")

    rows, per_width = [], {}
    for width in args.widths:
        model = Model(width, args.batch, args.layers)
        start = model.weights
        pairs, steps, times = {}, {}, {}
        with np.errstate(all="ignore"):
            for name in args.activations:
                pairs[name] = {"numpy": numpy_formulas(name),
                               "cyacts": cyacts_functions(name, args.threads)}
                model.weights = [w.copy() for w in start]
                once = time_steps(model, pairs[name]["numpy"], 1)  # warm-up, and the step count
                time_steps(model, pairs[name]["cyacts"], 1)
                steps[name] = max(1, int(args.min_time / once + 0.5))
                times[name] = {"numpy": [], "cyacts": []}
            # each repeat times every activation with both variants, close together in time:
            # a ratio within one repeat compares like with like on a machine whose load changes
            for r in range(args.repeats):
                for name in args.activations:
                    for variant in (("numpy", "cyacts") if r % 2 == 0 else ("cyacts", "numpy")):
                        times[name][variant].append(
                            time_steps(model, pairs[name][variant], steps[name]))
        model.weights = start
        for name in args.activations:
            t = times[name]
            med = {k: statistics.median(v) for k, v in t.items()}
            ratio = statistics.median(a / b for a, b in zip(t["numpy"], t["cyacts"]))
            rows.append({"width": width, "activation": name, "steps": steps[name], "times": t,
                         "median": med, "ratio": ratio})
            print(f"{width:>6} {name:>10} {med['numpy'] * 1e3:9.3f} {med['cyacts'] * 1e3:9.3f}"
                  f" {ratio:6.2f}", flush=True)
        per_width[width] = statistics.median(
            sum(times[n]["numpy"][r] for n in args.activations)
            / sum(times[n]["cyacts"][r] for n in args.activations) for r in range(args.repeats))
        print(f"width {width}, all activations: numpy / cyacts = {per_width[width]:.3f}")

    ratio = statistics.geometric_mean(per_width.values())
    print(f"end to end (geometric mean over widths): numpy / cyacts = {ratio:.3f}"
          f" ({'cyacts faster' if ratio > 1 else 'cyacts slower'})")
    if args.json:
        record = {"cpu": cpu_name(), "cpus": os.cpu_count(), "settings": vars(args),
                  "wait_environment": wait, "cyacts": cyacts.config(), "rows": rows,
                  "per_width_ratio": per_width, "end_to_end_ratio": ratio}
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
    if limits is not None:
        limits.restore_original_limits()
    return 0


if __name__ == "__main__":
    sys.exit(main())
