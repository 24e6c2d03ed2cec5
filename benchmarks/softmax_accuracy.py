"""Accuracy of softmax, log_softmax, logsumexp and their derivatives, in ULPs.

    python benchmarks/softmax_accuracy.py [--simd all] [--mpmath-rows 20]

Rows of 16 to 2^20 elements (normal of scales 0.1 to 40, uniform over [-110, 20], so that
x - max is inexact and exp underflows, with scattered -inf), float32 and float64, against
cyacts.reference (x87 extended precision, rounded once: the correctly rounded result up to
its own error of about 2^-60), and for float64 also against mpmath at 40 digits on
--mpmath-rows short rows. The largest distance to the reference is printed per function and
dtype next to the registry's bound; for the derivatives and logsumexp in ULPs of what the
registry's ulp_of names (the larger term, where the two cancel). Results below 2^-100
(float32) / 2^-960 (float64) may flush to zero and are not counted.
"""
import argparse
import os
import sys

import numpy as np

import cyacts
from cyacts import _core, _ops, reference

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from test_softmax import assert_within_bound  # noqa: E402  (the tests' bound check, in ULPs)

LENGTHS = (16, 1000, 4097, 1 << 16, 1 << 20)


def rows(n, dtype, rng):
    count = max(1, (1 << 19) // n)
    scale = rng.choice([0.1, 1.0, 6.0, 40.0], (count, 1))
    x = rng.normal(size=(count, n)) * scale
    wide = rng.random(count) < 0.3
    x[wide] = rng.uniform(-110, 20, (int(wide.sum()), n))
    x[rng.random(x.shape) < 0.001] = -np.inf
    return x.astype(dtype)


def measure(red, arrays, exact):
    """The largest distance in ULPs (the tests' measure), by bisection on the bound."""
    got = getattr(cyacts, red.name)(*arrays)
    lo, hi = 0.0, 64.0
    for _ in range(14):
        mid = (lo + hi) / 2
        bounded = _ops.Reduction(red.name, red.formula, inputs=red.inputs, result=red.result,
                                 ulp={got.dtype.name: mid})
        try:
            assert_within_bound(bounded, got, exact, arrays)
            hi = mid
        except AssertionError:
            lo = mid
    return hi


def inputs_for(red, x, rng):
    if not red.is_grad:
        return (x,)
    y = (cyacts.softmax if red.name == "softmax_grad" else cyacts.log_softmax)(x)
    return y, rng.normal(size=x.shape).astype(x.dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simd", default="", help="a level, or 'all' (default: the best)")
    parser.add_argument("--mpmath-rows", type=int, default=20)
    args = parser.parse_args()
    levels = _core.AVAILABLE_LEVELS if args.simd == "all" else [args.simd or
                                                               _core.simd_level()]
    for level in levels:
        _core.select_level(level)
        print(f"level {level}; max ULP over rows of {', '.join(map(str, LENGTHS))} elements")
        print(f"{'function':>18} {'dtype':>8} {'max ULP':>8} {'bound':>6} {'mpmath':>7}")
        for red in _ops.REDUCTIONS:
            for dtype in (np.float32, np.float64):
                rng = np.random.default_rng(1)
                worst = 0.0
                for n in LENGTHS:
                    arrays = inputs_for(red, rows(n, dtype, rng), rng)
                    exact = getattr(reference, red.reference_name)(*arrays)
                    worst = max(worst, measure(red, arrays, exact))
                mp = ""
                if dtype == np.float64 and args.mpmath_rows:
                    import mpmath

                    mpmath.mp.dps = 40
                    m = 0.0
                    for _ in range(args.mpmath_rows):
                        arrays = inputs_for(red, rows(200, dtype, rng)[:1], rng)
                        ex = reference.reduction_mpmath(red.name, arrays[0][0],
                                                        arrays[1][0] if red.is_grad else None)
                        ex = np.array([float(v) for v in np.atleast_1d(ex)], dtype)
                        ex = ex.reshape(getattr(cyacts, red.name)(*arrays).shape)
                        m = max(m, measure(red, arrays, ex))
                    mp = f"{m:7.2f}"
                print(f"{red.name:>18} {np.dtype(dtype).name:>8} {worst:8.2f} "
                      f"{red.ulp[np.dtype(dtype).name]:6} {mp:>7}")


if __name__ == "__main__":
    main()
