"""A SHA-256 of every compiled kernel's output, per SIMD level, on one fixed input set.

Refactors that must not change a single bit (moving code between headers, renaming helpers,
generating tables) are checked by running this before and after and comparing the lines:

    python benchmarks/output_hashes.py > before.txt   # ... change ...
    python benchmarks/output_hashes.py | diff before.txt -

Every entry of the kernel table is called directly (cyacts._core.apply), so the hash covers
what the C API computes, whatever the Python layer does around it.
"""
import hashlib

import numpy as np

from cyacts import _core, _ops

N_RANDOM = 1 << 18


def inputs(dtype):
    """Random bit patterns, a dense grid over [-12, 12], wide log-spaced magnitudes, specials."""
    rng = np.random.default_rng(20261201)
    bits = np.dtype(f"u{np.dtype(dtype).itemsize}")
    random_bits = rng.integers(0, np.iinfo(bits).max, N_RANDOM, dtype=bits, endpoint=True)
    grid = np.linspace(-12.0, 12.0, N_RANDOM)
    wide = np.sign(rng.normal(size=N_RANDOM)) * np.exp(rng.uniform(-50, 50, N_RANDOM))
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 6.0, -0.75])
    with np.errstate(all="ignore"):
        return np.concatenate([random_bits.view(dtype), grid.astype(dtype),
                               wide.astype(dtype), specials.astype(dtype)])


def digest(level, dtype):
    x = inputs(dtype)
    rng = np.random.default_rng(7)
    aux = (rng.normal(size=x.size) * 4).astype(dtype)  # grad_output
    alpha = rng.uniform(0.01, 2.0, x.size).astype(dtype)  # prelu's per-element slope
    lines = []
    shapes = {k.name: k.shape for k in _ops.kernels()}
    for name, op in sorted(_core.OPS.items()):
        gated = shapes[name].startswith("GATED")
        variants = [("", None, None)]
        if name.endswith(("_grad", "_grad_from_output")):
            variants.append(("+g", aux, None))
        if name.startswith("prelu"):
            variants = [(tag + "+a", g if name == "prelu_grad" else alpha,
                         alpha if name == "prelu_grad" else None) for tag, g, _ in variants]
        if gated:  # the value (alpha's numbers), then grad_output
            variants = [(tag, alpha, g) for tag, g, _ in variants]
        for tag, a1, a2 in variants:
            y = np.empty_like(x)
            y2 = np.empty_like(x) if gated and name.endswith("_grad") else None
            _core.apply(op, x, y, a1, a2, 0.3, 1, param2=0.7, y2=y2)
            data = y.tobytes() + (b"" if y2 is None else y2.tobytes())
            h = hashlib.sha256(data).hexdigest()[:16]
            lines.append(f"{level} {np.dtype(dtype).name} {name}{tag} {h}")
    return lines


def main():
    previous = _core.simd_level()
    try:
        for level in _core.AVAILABLE_LEVELS:
            _core.select_level(level)
            for dtype in (np.float32, np.float64):
                print("\n".join(digest(level, dtype)))
    finally:
        _core.select_level(previous)


if __name__ == "__main__":
    main()
