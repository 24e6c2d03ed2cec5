"""64-bit sizes: an in-place pass over 2^31 + 17 float32 elements (8 GiB) is computed correctly.

The array holds a periodic pattern (a prime period, so the positions around 2^31 see distinct
values). Every element of the result is compared bitwise with the result on one period (results
do not depend on position), and that period plus a sample of positions, around 2^31 and at the
very end included, against the oracle.
"""
import time

import numpy as np
import pytest

import cyacts
from cyacts import reference
from _cases import assert_bitwise_equal, assert_close

N = 2**31 + 17
PERIOD = 4093  # prime
CHUNK = PERIOD * 4096  # ~16.8 M elements per comparison chunk
NEEDED = 12 * 2**30


def available_memory():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available_memory() < NEEDED,
                       reason=f"needs {NEEDED / 2**30:.0f} GiB of available memory"),
]


def pattern():
    rng = np.random.default_rng(31)
    t = rng.normal(0, 5, PERIOD).astype(np.float32)
    t[:8] = [0.0, -0.0, 6.0, -6.0, np.nan, np.inf, -np.inf, 1e-40]
    return t


def fill(x, period_values):
    block = np.tile(period_values, CHUNK // PERIOD)
    for start in range(0, x.size, CHUNK):
        stop = min(start + CHUNK, x.size)
        x[start:stop] = block[: stop - start]


def assert_periodic(x, period_values, context):
    """x[i] == period_values[i % PERIOD] bitwise, for every i."""
    block = np.tile(period_values, CHUNK // PERIOD).view(np.uint32)
    bits = x.view(np.uint32)
    for start in range(0, x.size, CHUNK):
        stop = min(start + CHUNK, x.size)
        if not np.array_equal(bits[start:stop], block[: stop - start]):
            bad = start + int(np.flatnonzero(bits[start:stop] != block[: stop - start])[0])
            raise AssertionError(f"{context}: element {bad} is {x[bad]!r}, expected "
                                 f"{period_values[bad % PERIOD]!r}")


def positions():
    rng = np.random.default_rng(7)
    around = [2**31 + d for d in range(-40, N - 2**31)]
    ends = list(range(N - 40, N)) + list(range(0, 40))
    edges = [2**30, 2**31 - 2**20, 2**31 - 1, 2**31, 2**31 + 16]
    return np.unique(np.concatenate([around, ends, edges, rng.integers(0, N, 2000)]))


def test_inplace_beyond_two_to_the_31(record_property):
    t = pattern()
    pos = positions()
    timings = {}
    x = np.empty(N, np.float32)
    try:
        t0 = time.perf_counter()
        fill(x, t)
        timings["fill"] = time.perf_counter() - t0

        # relu_: exact
        t0 = time.perf_counter()
        assert cyacts.relu_(x) is x
        timings["relu_"] = time.perf_counter() - t0
        relu_t = cyacts.relu(t)
        assert_close(relu_t, reference.relu(t), "relu on one period")
        assert_close(x[pos], reference.relu(t[pos % PERIOD]), "relu_ at sampled positions")
        t0 = time.perf_counter()
        assert_periodic(x, relu_t, "relu_")
        timings["check"] = time.perf_counter() - t0

        # sigmoid_ on top of it
        t0 = time.perf_counter()
        assert cyacts.sigmoid_(x) is x
        timings["sigmoid_"] = time.perf_counter() - t0
        sig_t = cyacts.sigmoid(relu_t)
        assert_close(sig_t, reference.sigmoid(reference.relu(t)), "sigmoid on one period")
        assert_close(x[pos], reference.sigmoid(reference.relu(t[pos % PERIOD])),
                     "sigmoid_ at sampled positions")
        assert_periodic(x, sig_t, "sigmoid_")

        # gelu_ on a fresh pattern, and a derivative written in place through out=
        fill(x, t)
        t0 = time.perf_counter()
        cyacts.gelu_(x)
        timings["gelu_"] = time.perf_counter() - t0
        gelu_t = cyacts.gelu(t)
        assert_close(gelu_t, reference.gelu(t), "gelu on one period")
        assert_close(x[pos], reference.gelu(t[pos % PERIOD]), "gelu_ at sampled positions")
        assert_periodic(x, gelu_t, "gelu_")
        t0 = time.perf_counter()
        assert cyacts.tanh_grad(x, x, out=x) is x
        timings["tanh_grad(out=x)"] = time.perf_counter() - t0
        grad_t = cyacts.tanh_grad(gelu_t, gelu_t)
        assert_bitwise_equal(x[pos], grad_t[pos % PERIOD], "tanh_grad at sampled positions")
        assert_close(grad_t, reference.tanh_grad(gelu_t, gelu_t), "tanh_grad on one period")
        assert_periodic(x, grad_t, "tanh_grad")
    finally:
        del x
    for k, v in timings.items():
        record_property(k, round(v, 3))
    print("timings (s):", {k: round(v, 2) for k, v in timings.items()})
