"""How cyacts's OpenMP workers wait between calls: idle CPU after a call, small-call latency.

    python benchmarks/openmp_wait.py                    # as shipped, libgomp's default, passive
    python benchmarks/openmp_wait.py --spin 2000 20000 --rounds 60

libgomp reads its wait settings once, when it is loaded, so each setting runs in a process of
its own: the processes take turns, 12 ms apart (so that a spinning worker of one is done before
the next starts), in a new random order each round, and each cell is the median (and the 10th
percentile: what an undisturbed machine gives) over the rounds. The settings:

- cyacts: nothing set, cyacts sets its own (cyacts.config()["openmp_wait"]);
- default: libgomp's default spin, GOMP_SPINCOUNT=300000 (what OMP_WAIT_POLICY unset gives);
- passive: OMP_WAIT_POLICY=passive, no spin;
- spin N: GOMP_SPINCOUNT=N, for each --spin N.

The measures: `idle`, the process's CPU time over 50 ms of sleep right after a parallel call, in
cores; `gelu n`, microseconds per call of cyacts.gelu on n float32 elements with 2 threads,
100 calls back to back (`+gap`: with 50 us of Python busy work between calls). OMP_WAIT_POLICY=
active is left out: its workers never sleep and would take the cores from the others' turns.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

CHILD = r"""
import sys, time
import numpy as np
import cyacts
arrays = {}
x = np.random.default_rng(0).standard_normal(1 << 17).astype(np.float32)
y = np.empty_like(x)
print(cyacts.config()["openmp_wait"], flush=True)
for line in sys.stdin:
    what, n, gap = line.split()
    n, gap = int(n), float(gap) * 1e-6
    if what == "idle":
        cyacts.gelu(x, out=y, n_threads=2)
        cpu, wall = time.process_time(), time.perf_counter()
        time.sleep(0.05)
        print((time.process_time() - cpu) / (time.perf_counter() - wall), flush=True)
        continue
    if n not in arrays:
        a = np.random.default_rng(1).standard_normal(n).astype(np.float32)
        arrays[n] = (a, np.empty_like(a))
    a, out = arrays[n]
    cyacts.gelu(a, out=out, n_threads=2)
    start = time.perf_counter()
    for _ in range(100):
        cyacts.gelu(a, out=out, n_threads=2)
        until = time.perf_counter() + gap
        while time.perf_counter() < until:
            pass
    print((time.perf_counter() - start) / 100 - gap, flush=True)
"""

MEASURES = [("idle", "idle 0 0"), ("gelu 1e4", "lat 10000 0"), ("gelu 3e4", "lat 30000 0"),
            ("gelu 1e5", "lat 100000 0"), ("gelu 3e4+gap", "lat 30000 50")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--spin", type=int, nargs="*", default=[],
                        help="also GOMP_SPINCOUNT=N for each N")
    args = parser.parse_args(argv)

    settings = {"cyacts": {}, "default": {"GOMP_SPINCOUNT": "300000"},
                "passive": {"OMP_WAIT_POLICY": "passive"}}
    settings.update({f"spin {n}": {"GOMP_SPINCOUNT": str(n)} for n in args.spin})
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("OMP_WAIT_POLICY", "GOMP_SPINCOUNT"))}
    if base.get("PYTHONPATH"):
        base["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(p) for p in base["PYTHONPATH"].split(os.pathsep) if p)
    children, described = {}, {}
    for name, env in settings.items():
        child = subprocess.Popen([sys.executable, "-c", CHILD], env={**base, **env}, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        described[name] = child.stdout.readline().strip()
        children[name] = child

    results = {name: {m: [] for m, _ in MEASURES} for name in settings}
    for _ in range(args.rounds):
        for measure, command in MEASURES:
            order = list(settings)
            random.shuffle(order)
            for name in order:
                child = children[name]
                child.stdin.write(command + "\n")
                child.stdin.flush()
                results[name][measure].append(float(child.stdout.readline()))
                time.sleep(0.012)
    for child in children.values():
        child.stdin.close()
        child.wait()

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cpus} CPUs, {args.rounds} rounds; idle: cores used over 50 ms of sleep after a "
          "call; gelu: us per call, 2 threads, float32")
    for name in settings:
        print(f"  {name}: {described[name]}")
    header = "".join(f"{m:>16}" for m, _ in MEASURES)
    for label, pick in (("median", statistics.median),
                        ("10th percentile", lambda v: sorted(v)[len(v) // 10])):
        print(f"\n{label:<16}{header}")
        for name in settings:
            cells = "".join(
                f"{pick(results[name][m]):16.3f}" if m == "idle"
                else f"{pick(results[name][m]) * 1e6:16.1f}" for m, _ in MEASURES)
            print(f"{name:<16}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
