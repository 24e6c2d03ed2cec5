"""How cyacts's OpenMP threads wait between calls: a short spin, then asleep.

Design
------
A. The problem. After a parallel region, libgomp's worker threads busy-wait for the next one:
   GOMP_SPINCOUNT iterations of a `pause` loop (x86) before they sleep on a futex. The default,
   300 000, lasts about 7 ms on the 2-core AMD EPYC development machine (22 ns per `pause`;
   Intel's Skylake and later take about twice that). The spinning threads do not yield, so
   whatever runs next in the process gets fewer cores: in a NumPy MLP training loop, where
   an OpenBLAS matmul follows every activation (benchmarks/mlp_loop.py), cyacts's activations
   ran the loop at 0.4-0.7 times the speed of NumPy's own formulas.
B. The choice: cyacts's own runtime spins 5 000 iterations (about 0.1 ms here) and then sleeps.
   Measured on the development machine (benchmarks/openmp_wait.py, README, Threads):
   - the default spin burns about 7 ms of a core after every call; 5 000 burns 0.1 ms;
   - OMP_WAIT_POLICY=passive (no spin) burns nothing, but then every call wakes its workers
     through the kernel and the caller sleeps at the closing barrier: a gelu on 1e4 float32
     elements with 2 threads takes 28 us instead of 11 us, 1e5 elements 170 us instead of 86,
     slower than one thread (17 and 155 us);
   - a spin shorter than a thread's wake-up (2 000-3 000 here) is the worst of both: the
     threads give up just before they are needed, and back-to-back small calls took 60-250 us;
   - from 5 000 up, back-to-back calls on an otherwise idle machine are as fast as with the
     default spin; a longer spin only takes more from the library that runs next.
   Where other processes keep every core busy, no spin helps: a thread that sleeps loses its
   core to them and wakes a scheduler slice later, and one that spins holds the core its
   partner is queued on. Small parallel calls then took 0.1-0.5 ms with 5 000 (the default:
   0.01-5 ms, from one run to the next; passive: a steady 30-190 us, its two threads sharing
   one core). README, Threads, says what to set there.
   A thread pool of cyacts's own could wait better (spinning with sched_yield, as OpenBLAS's
   threads do), but would replace the OpenMP machinery that OMP_NUM_THREADS, threadpoolctl,
   nesting and the per-thread teams of the README rely on.
C. How, and why only for cyacts: libgomp reads its settings once, in a constructor that runs
   when the library is loaded, which is when `import cyacts._core` loads it, unless something
   loaded it before. So GOMP_SPINCOUNT goes into the environment just around that import and
   is taken out again: libraries loaded later and child processes see the environment the user
   had. A wheel's libgomp is cyacts's own (auditwheel renames the vendored copy after a hash
   of its contents; only a wheel vendoring the very same file would share it): with a repaired
   wheel, torch imported after cyacts keeps libgomp's default spin. Where libgomp
   is already loaded, setting the variable changes nothing; config()["openmp_wait"] says
   which case holds.
D. The user wins: with OMP_WAIT_POLICY (or any OMP_WAIT_POLICY_*) or GOMP_SPINCOUNT in the
   environment, nothing is set and libgomp does what they say.
E. Only on x86, where each spin is a `pause`. Elsewhere libgomp's spin is a plain load (no
   relax instruction), so its default should end an order of magnitude sooner; it is left as
   it is (not measured). macOS (libomp) and Windows (vcomp) read no GOMP_SPINCOUNT: nothing is set.
F. A process that shares one libgomp among modules (a build from source linking the system's
   libgomp.so.1, which torch's copy also answers to; a conda environment) gets the short spin
   for all of them if cyacts loads it first, and libgomp's own settings if another module did.
"""
import contextlib
import os
import platform
import sys

#: GOMP_SPINCOUNT for cyacts's libgomp (B); None: left to the runtime (E)
SPIN_COUNT = (5000 if platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")
              and sys.platform not in ("darwin", "win32", "cygwin") else None)
_RUNTIMES = ("libgomp", "libomp", "libiomp")

#: how the threads wait, for config(): filled in by load_runtime()
state = "not loaded"


def user_setting():
    """'NAME=value' of the first wait setting in the environment, or None."""
    for name in sorted(os.environ):
        if name.startswith("OMP_WAIT_POLICY") or name == "GOMP_SPINCOUNT":
            return f"{name}={os.environ[name]}"
    return None


def _mapped_runtimes():
    """The OpenMP runtime files mapped into this process (Linux), or None where unknown."""
    try:
        with open("/proc/self/maps") as maps:
            text = maps.read()
    except OSError:
        return None
    paths = set()
    for line in text.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and os.path.basename(fields[5]).startswith(_RUNTIMES):
            paths.add(fields[5].strip())
    return paths


@contextlib.contextmanager
def load_runtime():
    """Import cyacts._core inside this block: its libgomp starts with the short spin (C, D)."""
    global state
    user = user_setting()
    if user is not None or SPIN_COUNT is None:
        yield
        state = (f"{user} from the environment" if user else
                 "the OpenMP runtime's default (cyacts sets nothing on this platform)")
        return
    before = _mapped_runtimes()
    os.environ["GOMP_SPINCOUNT"] = str(SPIN_COUNT)
    try:
        yield
    finally:
        os.environ.pop("GOMP_SPINCOUNT", None)
    after = _mapped_runtimes()
    if before is None or after is None:
        state = f"GOMP_SPINCOUNT={SPIN_COUNT} while cyacts loaded its runtime"
        return
    new = sorted(after - before)
    if any(os.path.basename(p).startswith("libgomp") for p in new):
        state = f"GOMP_SPINCOUNT={SPIN_COUNT}, set by cyacts for {new[0]}"
    elif new:
        state = f"the runtime's default ({new[0]} reads no GOMP_SPINCOUNT)"
    elif before:
        state = f"the settings of {', '.join(sorted(before))}, loaded before cyacts"
    else:
        state = "no OpenMP runtime"
