"""python -m cyacts demo: every activation on a sample array, in-place use, speed vs NumPy."""
import time

import numpy as np

import cyacts

# (label, cyacts call, the NumPy formula a user would otherwise write into a preallocated out)
_SPEED = [
    ("relu", lambda x, y: cyacts.relu(x, out=y), lambda x, y: np.maximum(x, 0, out=y)),
    ("leaky_relu", lambda x, y: cyacts.leaky_relu(x, 0.01, out=y),
     lambda x, y: np.where(x > 0, x, 0.01 * x)),
    ("relu6", lambda x, y: cyacts.relu6(x, out=y), lambda x, y: np.clip(x, 0, 6, out=y)),
    ("gelu (tanh form)", lambda x, y: cyacts.gelu(x, approximate="tanh", out=y),
     lambda x, y: np.multiply(0.5 * x, 1 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)), out=y)),
    ("tanh", lambda x, y: cyacts.tanh(x, out=y), lambda x, y: np.tanh(x, out=y)),
    ("sigmoid", lambda x, y: cyacts.sigmoid(x, out=y),
     lambda x, y: np.divide(1, 1 + np.exp(-x), out=y)),
    ("tanh_grad", lambda x, y: cyacts.tanh_grad(x, out=y),
     lambda x, y: np.subtract(1, np.tanh(x) ** 2, out=y)),
]


def _median_time(f, x, y, repeats=15):
    f(x, y)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f(x, y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def demo(n=1_000_000):
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    x = np.linspace(-4, 4, 9, dtype=np.float32)
    print(f"cyacts {cyacts.__version__}: {cyacts.config()['simd']} kernels, "
          f"OpenMP {'on' if cyacts.config()['openmp'] else 'off'}, "
          f"{cyacts.get_num_threads()} thread(s)\n")
    print(f"{'x':>18} = {x}")
    rows = [("relu", cyacts.relu(x)), ("leaky_relu(0.1)", cyacts.leaky_relu(x, 0.1)),
            ("relu6", cyacts.relu6(x)), ("gelu", cyacts.gelu(x)),
            ("gelu(tanh)", cyacts.gelu(x, approximate="tanh")), ("tanh", cyacts.tanh(x)),
            ("sigmoid", cyacts.sigmoid(x)), ("gelu_grad", cyacts.gelu_grad(x)),
            ("sigmoid_grad", cyacts.sigmoid_grad(x))]
    for label, y in rows:
        print(f"{label:>18} = {y}")

    print("\nIn place: the array is overwritten and returned, no new memory:")
    a = np.linspace(-2, 2, 5)
    b = cyacts.sigmoid_(a)
    print(f"  a = np.linspace(-2, 2, 5); b = cyacts.sigmoid_(a)  ->  b is a: {b is a}, a = {a}")
    g = np.ones(5)
    cyacts.sigmoid_grad(a, g, from_output=True, out=g)
    print(f"  backward from the output, into grad_output: {g}")

    print(f"\nSpeed on this machine, float32, {n:.0e} elements, output preallocated "
          f"(median of repeats):")
    rng = np.random.default_rng(0)
    x = rng.normal(0, 3, n).astype(np.float32)
    y = np.empty_like(x)
    print(f"  {'function':<18}{'cyacts':>12}{'NumPy':>12}{'speed-up':>10}")
    for label, ours, theirs in _SPEED:
        t_ours, t_np = _median_time(ours, x, y), _median_time(theirs, x, y)
        print(f"  {label:<18}{t_ours * 1e6:>10.0f}us{t_np * 1e6:>10.0f}us{t_np / t_ours:>9.1f}x")
    print("\nMore: python -m cyacts bench | info | plot PATH")
