"""After a parallel call, cyacts's threads go to sleep instead of spinning on the cores that the
next library (a BLAS matmul) needs; a wait policy the user sets is left alone (_openmp.py).

Each check runs in a fresh interpreter: libgomp reads its settings once, when it is loaded."""
import json
import os
import subprocess
import sys

import pytest

import cyacts
from cyacts import _openmp

pytestmark = [
    pytest.mark.skipif(not cyacts.config()["openmp"], reason="cyacts was built without OpenMP"),
    pytest.mark.skipif(_openmp.SPIN_COUNT is None,
                       reason="cyacts leaves the OpenMP runtime's wait alone on this platform"),
    pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2 if hasattr(os, "sched_getaffinity")
                       else (os.cpu_count() or 1) < 2,
                       reason="one CPU: libgomp does not spin when its threads outnumber them"),
]

# 20 parallel calls, each followed by 5 ms of sleep, and how many cores the process used over
# those 100 ms of sleep: its CPU time or, where Linux shows it (/proc/self/task/*/schedstat),
# the OpenMP workers' time on a CPU plus their time waiting for one. On a loaded machine a spinning
# worker waits for a core as much as it runs, so the sum is ~1 core per spinning worker
# whatever the load (CPU time alone: ~1 core on an idle machine, ~0.5 at load 5 on 2 cores).
# Sleeping workers: ~0.02.
SPINNING = 0.25
IDLE = r"""
import ctypes, json, os, sys, threading, time
if len(sys.argv) > 1:
    ctypes.CDLL(sys.argv[1])  # load the runtime before cyacts does
import numpy as np
import cyacts

def wanted():
    total, me = 0, str(threading.get_native_id())
    try:
        for tid in os.listdir("/proc/self/task"):
            if tid == me:
                continue
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                on_cpu, waiting = f.read().split()[:2]
            total += int(on_cpu) + int(waiting)
    except OSError:
        return None
    return total * 1e-9

x = np.random.default_rng(0).standard_normal(1 << 17).astype(np.float32)  # 2 threads' worth
y = np.empty_like(x)
cyacts.gelu(x, out=y, n_threads=2)
time.sleep(0.05)
burnt = slept = want = 0.0
for _ in range(20):
    cyacts.gelu(x, out=y, n_threads=2)
    cpu, wall, w = time.process_time(), time.perf_counter(), wanted()
    time.sleep(0.005)
    burnt += time.process_time() - cpu
    slept += time.perf_counter() - wall
    want = None if w is None or want is None else want + wanted() - w
print(json.dumps({"cores": (burnt if want is None else want) / slept, "burnt": burnt / slept,
                  "wait": cyacts.config().get("openmp_wait", ""),
                  "env": sorted(k for k in os.environ if k.startswith(("OMP_WAIT", "GOMP_SPIN")))}))
"""


def _child(settings=None, preload=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMP_WAIT_POLICY", "GOMP_SPINCOUNT"))}
    env.update(settings or {})
    if env.get("PYTHONPATH"):  # PYTHONPATH=src from the repository root, made absolute
        env["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(p) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    proc = subprocess.run([sys.executable, "-c", IDLE, *([preload] if preload else [])],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _quiet_child():
    """The child with a clean environment; skips where libgomp was loaded before cyacts."""
    result = _child()
    if "loaded before cyacts" in result["wait"]:
        pytest.skip(f"not cyacts's to set: {result['wait']}")
    return result


def test_idle_workers_sleep():
    # the least of up to 3 tries: another process's burst can only add to it
    for _ in range(3):
        result = _quiet_child()
        if result["cores"] < SPINNING:
            break
    assert result["cores"] < SPINNING, f"{result['cores']:.2f} cores used while idle ({result})"
    assert result["wait"].startswith(f"GOMP_SPINCOUNT={_openmp.SPIN_COUNT}, set by cyacts")
    assert result["env"] == [], "the environment was not restored after the import"


def test_user_wait_policy_is_respected():
    # the most of up to 3 tries (where only CPU time is known, load can hide a spinning thread)
    for _ in range(3):
        result = _child({"OMP_WAIT_POLICY": "active"})
        if result["cores"] > SPINNING:
            break
    assert result["cores"] > SPINNING, f"OMP_WAIT_POLICY=active, yet the workers slept ({result})"
    assert result["wait"] == "OMP_WAIT_POLICY=active from the environment"
    assert result["env"] == ["OMP_WAIT_POLICY"]


def test_runtime_loaded_before_cyacts_keeps_its_settings():
    """Where libgomp is already loaded, cyacts cannot change how it waits, and says so."""
    runtime = _quiet_child()["wait"].split(" set by cyacts for ", 1)[1]
    result = _child(preload=runtime)
    assert result["wait"].endswith("loaded before cyacts"), result
    assert result["env"] == []
