"""Maximum error of every cyacts function, in ULPs of the result dtype, against the correctly
rounded result; exits non-zero if a bound is broken.

    python benchmarks/accuracy.py [--quick] [--dtype float32,float64] [--functions gelu,tanh]
                                  [--simd LEVEL|all] [--json PATH] [--n64 N] [--cache DIR]

float32: every one of the 2^32 inputs (chunks of 2^22 bit patterns, two threads), against the
function in float64 with accurate forms, rounded once; mpmath where a derivative crosses zero and
the float64 terms cancel (cyacts._ulp says why each reference is accurate enough).
float64: 10^7 inputs (half log-uniform magnitudes of both signs over the whole range, half in
dense windows: tiny |x|, [0.5, 2], GELU's negative tail [-40, -3], the derivative zero crossings
and the representable values around them, saturation, underflow, x^3 overflow), against mpmath
at 40 digits, rounded once.
NaN inputs (several payloads) must give NaN and +-inf the exact limits, checked apart.
Results whose true magnitude is below 2^-100 (float32) / 2^-960 (float64) may flush toward zero.

Why mpmath for all of float64 and not a double-double evaluation: one reference of known
accuracy, no second implementation to validate. Its cost, measured on a 2-core machine: about
350 us per point for all eight smooth functions together (20-90 us each, the GELU derivatives
dearest), so 10^7 points take about 30 minutes on two processes, once: the values are cached
under --cache (default ~/.cache/cyacts-accuracy), keyed by the input set, and later runs (another
SIMD level, a new kernel) take seconds. --n64 trades coverage for a shorter first run.

--quick: float32 on 2^22 sampled inputs, float64 on 2*10^5 (a minute or two, cached too).
--simd LEVEL forces a kernel level (as CYACTS_SIMD does); --simd all runs every level this CPU has.
"""
import argparse
import concurrent.futures
import json
import multiprocessing
import os
import sys
import time

import numpy as np



def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dtype", default="float32,float64")
    p.add_argument("--functions", default="", help="comma-separated names (default: all)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", metavar="PATH")
    p.add_argument("--simd", default="", help="a level, or 'all'")
    p.add_argument("--n64", type=int, default=None, help="float64 sample size")
    p.add_argument("--cache", default=os.path.join(os.path.expanduser("~"), ".cache",
                                                   "cyacts-accuracy"))
    return p.parse_args(argv)


def progress(label, done, total, t0):
    width = 30
    fill = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{label:<24} [{'#' * fill}{'.' * (width - fill)}] "
                     f"{100 * done / max(total, 1):5.1f}% {time.perf_counter() - t0:7.1f}s")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _merge(results):
    """Largest (ulp, x) of chunk results."""
    return max(results, key=lambda r: r[0], default=(0, None))


def measure32(ulp, name, quick):
    """(max ULP, x) of float32 `name`: exhaustive, or sampled with --quick."""
    f = ulp.FUNCTIONS[name][0]

    def run(x):
        x = x[np.isfinite(x)]  # NaN and inf: special_errors
        return ulp.max_ulp(x, f(x, n_threads=1), ulp.reference32(name, x))

    if quick:
        chunks = [lambda: ulp.sample(np.float32, 1 << 22, seed=32)]
    else:  # all bit patterns, 2^22 at a time, made inside the worker to bound memory
        step = 1 << 22
        chunks = [lambda s=s: np.arange(s, s + step, dtype=np.uint32).view(np.float32)
                  for s in range(0, 1 << 32, step)]
    t0, out = time.perf_counter(), []
    # Two threads: the kernels and NumPy/SciPy ufuncs release the GIL.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for i, r in enumerate(pool.map(lambda make: run(make()), chunks)):
            out.append(r)
            progress(f"{name} float32", i + 1, len(chunks), t0)
    return _merge(out)


def _mp_chunk(args):
    from cyacts import _ulp as ulp  # in the worker process

    name, xs = args
    return ulp.mp_eval(name, xs)


def reference64(ulp, name, x, cache_dir, pool):
    """Cached correctly rounded float64 values of `name` at x."""
    if ulp.FUNCTIONS[name][1] == ulp.EXACT:
        return ulp.reference64(name, x)
    path = ulp.cache_path(name, x, cache_dir)
    if os.path.exists(path):
        return np.load(path)
    chunks = [(name, x[i:i + 20000]) for i in range(0, len(x), 20000)]
    t0, out = time.perf_counter(), []
    for i, r in enumerate(pool.imap(_mp_chunk, chunks)):
        out.append(r)
        progress(f"{name} mpmath", i + 1, len(chunks), t0)
    ref = np.concatenate(out)
    os.makedirs(cache_dir, exist_ok=True)
    np.save(path + ".tmp.npy", ref)
    os.replace(path + ".tmp.npy", path)  # never leave a half-written cache entry
    return ref


def fmt(err, x):
    if err is None:
        return "-"
    if err >= 1 << 62:
        return f"NaN for a number (x={x:.17g})"
    e = str(err) if err < 10**6 else f"{err:.3g}"
    return e if x is None or err == 0 else f"{e} (x={x:.9g})"


def main(argv=None):
    args = parse_args(argv)
    if args.simd and args.simd != "all":
        os.environ["CYACTS_SIMD"] = args.simd  # read when cyacts is imported
    import cyacts
    from cyacts import _core
    from cyacts import _ulp as ulp

    dtypes = [np.dtype(d) for d in args.dtype.split(",") if d]
    names = [n for n in args.functions.split(",") if n] or list(ulp.FUNCTIONS)
    unknown = set(names) - set(ulp.FUNCTIONS)
    if unknown:
        sys.exit(f"unknown functions: {sorted(unknown)}; choose from {list(ulp.FUNCTIONS)}")
    levels = list(_core.AVAILABLE_LEVELS) if args.simd == "all" else [_core.simd_level()]
    n64 = args.n64 or (200_000 if args.quick else 10_000_000)

    x64 = ulp.sample(np.float64, n64, seed=64) if np.dtype(np.float64) in dtypes else None
    refs = {}
    # Processes for mpmath (pure Python, holds the GIL); forked before any kernel runs threads.
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(2) as pool:
        if x64 is not None:
            for name in names:
                refs[name] = reference64(ulp, name, x64, args.cache, pool)

    report, ok_all = [], True
    for level in levels:
        used = _core.select_level(level)
        inputs = []
        if np.dtype(np.float32) in dtypes:
            inputs.append(f"float32 {'2^22 sampled' if args.quick else 'all 2^32'} inputs")
        if x64 is not None:
            inputs.append(f"float64 {len(x64)} inputs")
        print(f"\n### cyacts {cyacts.__version__}, SIMD level {used}, "
              f"{'quick' if args.quick else 'full'}: {', '.join(inputs)}\n")
        print("| function | float32 max ULP | bound | float64 max ULP | bound | ok |")
        print("|---|---|---|---|---|---|")
        for name in names:
            bounds = ulp.FUNCTIONS[name][1]
            row = {"function": name, "simd": used}
            ok = True
            for dt, bound in zip((np.float32, np.float64), bounds):
                dt = np.dtype(dt)
                if dt not in dtypes:
                    row[dt.name] = None
                    continue
                t0 = time.perf_counter()
                if dt == np.float32:
                    err, x = measure32(ulp, name, args.quick)
                else:
                    err, x = ulp.max_ulp(x64, ulp.FUNCTIONS[name][0](x64), refs[name])
                specials = ulp.special_errors(name, dt)
                good = err <= bound and not specials
                ok &= good
                row[dt.name] = {"max_ulp": err, "x": x, "bound": bound, "ok": good,
                                "special_failures": specials,
                                "seconds": round(time.perf_counter() - t0, 2)}
            cells = []
            for dt, bound in zip(("float32", "float64"), bounds):
                r = row[dt]
                text = "-" if r is None else fmt(r["max_ulp"], r["x"])
                if r is not None and r["special_failures"]:
                    text += f"; wrong at {r['special_failures']}"
                cells += [text, str(bound)]
            print(f"| {name} | {' | '.join(cells)} | {'yes' if ok else 'NO'} |", flush=True)
            row["ok"] = ok
            ok_all &= ok
            report.append(row)
    _core.select_level("")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"mode": "quick" if args.quick else "full", "n_float64": n64,
                       "results": report}, fh, indent=1)
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
