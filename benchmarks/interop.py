"""What other libraries' arrays cost, and cyacts.torch against torch.nn.

    python benchmarks/interop.py            # every part
    python benchmarks/interop.py --size 1e6 --repeat 50

1. Call overhead: the same cyacts call on a NumPy array and on a PyTorch tensor (and a JAX and
   an array_api_strict array, where installed) of 1e3 float32 elements; the difference is the
   cost of reading the tensor as a NumPy view and handing the result back.
2. A training step's activation: forward and backward (y = m(x); y.backward(g)) of
   cyacts.torch's modules against torch.nn's on `--size` float32 elements, both with their
   default thread counts, and what each keeps for backward (the input, the output, a copy).
3. A transformer MLP block (Linear, GELU or SiLU, Linear; batch 256, width 512 -> 2048 -> 512)
   forward and backward, with cyacts.torch's activation against torch.nn's.

Each cell is the fastest round, then the median in brackets: 10 x `--repeat` rounds of 200 calls
in part 1 (short rounds, so that some of them run undisturbed on a shared machine), `--repeat`
steps in part 2, where the steps of the two modules alternate.
"""
import argparse
import statistics
import time

import numpy as np

import cyacts


def timed(call, repeat, number):
    """(fastest, median) seconds per call over `repeat` rounds of `number` calls."""
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            call()
        rounds.append((time.perf_counter() - start) / number)
    return min(rounds), statistics.median(rounds)


def show(label, times, unit=1e-6, suffix="us"):
    best, median = times
    print(f"  {label:<44} {best / unit:9.2f} {suffix}  ({median / unit:.2f})")


def overhead(repeat):
    import torch

    print("1. call overhead, 1e3 float32 elements, fastest (median) per call")
    a = np.linspace(-3, 3, 1000, dtype=np.float32)
    g = np.ones_like(a)
    t, tg, tout = torch.from_numpy(a.copy()), torch.from_numpy(g.copy()), torch.empty(1000)
    arrays = {"numpy": (a, g, np.empty_like(a)), "torch": (t, tg, tout)}
    try:
        import jax.numpy as jnp

        arrays["jax"] = (jnp.asarray(a), jnp.asarray(g), None)
    except ImportError:
        pass
    try:
        import array_api_strict as xp

        arrays["array_api_strict"] = (xp.asarray(a), xp.asarray(g), xp.asarray(g))
    except ImportError:
        pass
    calls = {
        "gelu(x)": lambda x, g, o: cyacts.gelu(x),
        "relu(x)": lambda x, g, o: cyacts.relu(x),
        "gelu_grad(x, g)": lambda x, g, o: cyacts.gelu_grad(x, g),
        "relu(x, out=o)": lambda x, g, o: cyacts.relu(x, out=o),
        "relu_(o)": lambda x, g, o: cyacts.relu_(o),
    }
    for label, call in calls.items():
        base = None
        for name, (x, gx, o) in arrays.items():
            if o is None and "o" in label.split("(")[1]:
                continue  # JAX arrays cannot be written
            times = timed(lambda: call(x, gx, o), 10 * repeat, 200)
            base = base or times[0]
            extra = "" if name == "numpy" else f" (+{(times[0] - base) * 1e6:.2f} us)"
            show(f"{label} {name}{extra}", times)
    show("torch.nn.functional.gelu(t) (PyTorch itself)",
         timed(lambda: torch.nn.functional.gelu(t), 10 * repeat, 200))


def _kept(module, x):
    """What backward keeps: 'input', 'output' or 'copy', with the MB of each."""
    import torch

    saved = []

    def pack(t):
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        y = module(x)
    names = []
    for t in saved:
        what = ("output" if t.data_ptr() == y.data_ptr() else
                "input" if t.data_ptr() == x.data_ptr() else "copy")
        names.append(f"{what} {t.numel() * t.element_size() / 1e6:.0f} MB")
    return ", ".join(names) or "nothing"


def _alternate(steps, repeat):
    """Run each (step, times, ...) of `steps` in turn, `repeat` times, appending its time."""
    for _ in range(repeat):
        for step, times, *_ in steps.values():
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)


def mlp_block(repeat, batch=256, width=512):
    """A transformer MLP block, Linear(width, 4 width), activation, Linear(4 width, width):
    forward and backward with cyacts.torch's activation against torch.nn's, the same weights."""
    import torch

    import cyacts.torch as ct

    print(f"3. MLP block forward + backward, batch {batch}, width {width} -> {4 * width} -> "
          f"{width}, float32; fastest (median) per step")
    torch.manual_seed(0)
    first, second = torch.nn.Linear(width, 4 * width), torch.nn.Linear(4 * width, width)
    x = torch.randn(batch, width)
    for label, ours, theirs in (("GELU()", ct.GELU(), torch.nn.GELU()),
                                ("GELU('tanh')", ct.GELU("tanh"), torch.nn.GELU("tanh")),
                                ("SiLU()", ct.SiLU(), torch.nn.SiLU())):
        steps = {}
        for who, act in (("cyacts.torch", ours), ("torch.nn", theirs)):
            block = torch.nn.Sequential(first, act, second)

            def step(block=block):
                block(x).sum().backward()
                block.zero_grad(set_to_none=True)

            steps[who] = (step, [])
        _alternate(steps, repeat)
        for who, (_, times) in steps.items():
            print(f"  {who + '.' + label:<44} {min(times) * 1e3:9.3f} ms  "
                  f"({statistics.median(times) * 1e3:.3f})")


def autograd_step(size, repeat):
    import torch

    import cyacts.torch as ct

    print(f"2. forward + backward, {size:.0e} float32 elements, cyacts {cyacts.get_num_threads()} "
          f"threads, torch {torch.get_num_threads()}; fastest (median) per step, what backward keeps")
    x0 = torch.randn(int(size))
    g = torch.randn(int(size))
    pairs = [
        ("GELU()", ct.GELU(), torch.nn.GELU()),
        ("GELU('tanh')", ct.GELU("tanh"), torch.nn.GELU("tanh")),
        ("Sigmoid()", ct.Sigmoid(), torch.nn.Sigmoid()),
        ("Tanh()", ct.Tanh(), torch.nn.Tanh()),
        ("ReLU()", ct.ReLU(), torch.nn.ReLU()),
        ("LeakyReLU(0.1)", ct.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
    ]
    for label, ours, theirs in pairs:
        # the two modules' steps alternate, so that both see the same load
        steps = {}
        for who, module in (("cyacts.torch", ours), ("torch.nn", theirs)):
            x = x0.clone().requires_grad_()

            def step(module=module, x=x):
                module(x).backward(g)
                x.grad = None

            steps[who] = (step, [], _kept(module, x))
        _alternate(steps, repeat)
        for who, (_, times, kept) in steps.items():
            print(f"  {who + '.' + label:<44} {min(times) * 1e3:9.3f} ms  "
                  f"({statistics.median(times) * 1e3:.3f})  keeps: {kept}")
    for label, module in (("Sigmoid(inplace=True)", ct.Sigmoid(inplace=True)),
                          ("GELU(inplace=True)", ct.GELU(inplace=True))):
        x = x0.clone().requires_grad_()

        def step():
            module(x * 1.0).backward(g)
            x.grad = None

        kept = _kept(module, x * 1.0)
        best, median = timed(step, repeat, 1)
        print(f"  {'cyacts.torch.' + label + ' on x * 1.0':<44} {best * 1e3:9.3f} ms  "
              f"({median * 1e3:.3f})  keeps: {kept}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e6)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for cyacts and torch alike (default: each its own)")
    parser.add_argument("--part", choices=("1", "2", "3", "all"), default="all")
    args = parser.parse_args()
    if args.threads:
        import torch

        cyacts.set_num_threads(args.threads)
        torch.set_num_threads(args.threads)
    if args.part in ("1", "all"):
        overhead(args.repeat)
    if args.part in ("2", "all"):
        autograd_step(args.size, args.repeat)
    if args.part in ("3", "all"):
        mlp_block(args.repeat)


if __name__ == "__main__":
    main()
