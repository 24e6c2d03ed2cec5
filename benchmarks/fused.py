"""Fused operations against what users write today: the gated units against PyTorch's best
expression (act(g) * v with out=, its backward as autograd would run it), and the fused bias
against `h += b` followed by the activation in place. Medians of repeated calls, ratios side by
side in one run.

    python benchmarks/fused.py [--rows 4096] [--cols 1024] [--threads 2] [--repeat 15]

Every row prints cyacts's time, the peer's, and the memory pass of the same traffic (one read
of each input, one write of each output, as np.copyto/np.multiply move it).
"""
import argparse
import statistics
import time

import numpy as np

import cyacts
from cyacts import _ops

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def _median(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _torch_act(name):
    F = torch.nn.functional
    return {"sigmoid": torch.sigmoid, "gelu": F.gelu, "silu": F.silu,
            "gelu_tanh": lambda t: F.gelu(t, approximate="tanh")}.get(name)


def gated_rows(rows, cols, dtype, repeat):
    rng = np.random.default_rng(0)
    h = rng.normal(size=(rows, 2 * cols)).astype(dtype)
    gate, value = h[:, :cols], h[:, cols:]
    g = rng.normal(size=(rows, cols)).astype(dtype)
    out = np.empty((rows, cols), dtype)
    gg, gv = np.empty_like(out), np.empty_like(out)
    mem_f = _median(lambda: np.multiply(gate, value, out=out), repeat)
    for unit in _ops.GATED:
        for base, kernel in unit.kernel_map.items():
            params = next(p for p in unit.op.variants() if unit.op.kernel_for(p) == base)
            fwd, bwd = getattr(cyacts, unit.name), getattr(cyacts, unit.name + "_grad")
            t_f = _median(lambda: fwd(gate, value, out=out, **params), repeat)
            t_b = _median(lambda: bwd(gate, value, g, out=(gg, gv), **params), repeat)
            peer_f = peer_b = float("nan")
            act = _torch_act(base) if torch is not None else None
            if act is not None:
                th = torch.from_numpy(h)
                tg, tv, tgo = th[:, :cols], th[:, cols:], torch.from_numpy(g)
                to = torch.from_numpy(out)
                tmp = torch.empty_like(to)

                def torch_fwd():
                    torch.mul(act(tg), tv, out=to)

                tga = tg.detach().clone().requires_grad_(True)

                def torch_bwd():  # autograd of act(gate) * value: the backward pass alone
                    tga.grad = None
                    y = act(tga) * tv
                    y.backward(tgo)

                peer_f = _median(torch_fwd, repeat)
                t_all = _median(torch_bwd, repeat)
                peer_b = t_all - _median(lambda: torch.mul(act(tg), tv, out=tmp), repeat)
            yield (f"{kernel} forward", t_f, peer_f, mem_f)
            yield (f"{kernel} backward", t_b, peer_b, mem_f * 5 / 3)


def bias_rows(rows, cols, dtype, repeat):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, cols)).astype(dtype)
    b = rng.normal(size=cols).astype(dtype)
    h = x.copy()
    mem = _median(lambda: np.copyto(h, x), repeat)
    for name in ("relu", "gelu", "tanh", "sigmoid"):
        f_ = getattr(cyacts, name + "_")

        def fused():
            np.copyto(h, x)
            f_(h, bias=b)

        def separate():
            np.copyto(h, x)
            np.add(h, b, out=h)
            f_(h)

        copy = mem
        yield (f"{name}_(h, bias=b) vs h += b; {name}_(h)", _median(fused, repeat) - copy,
               _median(separate, repeat) - copy, mem)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4096)
    ap.add_argument("--cols", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args(argv)
    cyacts.set_num_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(f"{args.rows} x {args.cols}, {args.threads} threads; times in us (medians)")
    print(f"{'case':48} {'cyacts':>9} {'peer':>9} {'ratio':>6} {'memory':>9}")
    for dtype in (np.float32, np.float64):
        print(f"-- {np.dtype(dtype).name}")
        for label, ours, peer, mem in (*gated_rows(args.rows, args.cols, dtype, args.repeat),
                                       *bias_rows(args.rows, args.cols, dtype, args.repeat)):
            print(f"{label:48} {ours * 1e6:9.0f} {peer * 1e6:9.0f} {peer / ours:6.2f} "
                  f"{mem * 1e6:9.0f}")


if __name__ == "__main__":
    main()
