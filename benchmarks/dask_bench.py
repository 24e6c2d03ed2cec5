"""Throughput of cyacts on a dask array far larger than one process's arrays, on a LocalCluster.

    python benchmarks/dask_bench.py                       # 2e9 float32 elements (8 GB), gelu
    python benchmarks/dask_bench.py --elements 2e8 --function sigmoid --json out.json

The input is generated lazily, block by block, in the workers: a chunk of --chunk-mb MB is
the only size ever held (per task), so the full array never exists anywhere. Each block goes
through the cyacts function and a cheap per-block reduction (a strided sample's sum), so the
output is written in full but never gathered.

Reported, each the best of --repeat runs:
- source only: the same graph without cyacts (block generation, scheduling, the reduction);
- cluster: source -> cyacts -> reduction, on worker processes (1 thread each, n_threads=1);
- threaded: the same graph on dask's threaded scheduler in this process (n_threads=1 per block);
- kernel: cyacts alone on one chunk-sized array in this process, into a preallocated output
  with all cores (OpenMP) and with one, and into a new output (as each dask task does) with one.
Throughput is elements per second and GB/s of float32 data read plus written (8 bytes per
element). The cyacts-only rate on the cluster is elements / (cluster - source only).
"""
import argparse
import functools
import json
import os
import statistics
import sys
import time

import numpy as np

import cyacts

FUNCTIONS = {
    "relu": cyacts.relu, "leaky_relu": cyacts.leaky_relu, "relu6": cyacts.relu6,
    "gelu": cyacts.gelu, "gelu_tanh": functools.partial(cyacts.gelu, approximate="tanh"),
    "tanh": cyacts.tanh, "sigmoid": cyacts.sigmoid,
}
BYTES_PER_ELEMENT = 8  # float32 read + float32 written


@functools.lru_cache(maxsize=4)
def _pattern(n):
    """A read-only block of n float32 values spread over [-8, 8) (built once per worker)."""
    block = np.linspace(-8.0, 8.0, n, endpoint=False, dtype=np.float32)
    block.flags.writeable = False
    return block


def _source_block(block_info=None):
    n = block_info[None]["chunk-shape"][0]
    return _pattern(n)


def _sample_sum(block):
    """A tiny, cheap summary of a block (every 4096th value), so the block is consumed."""
    return np.array([block[::4096].sum(dtype=np.float64)])


def _graph(da, elements, chunk, func):
    chunks = ((chunk,) * (elements // chunk) + ((elements % chunk,) if elements % chunk else ()),)
    x = da.map_blocks(_source_block, chunks=chunks, dtype=np.float32,
                      meta=np.empty((0,), np.float32))
    y = x if func is None else func(x, n_threads=1)
    return y.map_blocks(_sample_sum, chunks=((1,) * len(chunks[0]),), dtype=np.float64,
                        meta=np.empty((0,), np.float64)).sum()


def _best(run, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def _row(label, elements, seconds):
    rate = elements / seconds
    return {"what": label, "elements": elements, "seconds": seconds,
            "elements_per_s": rate, "GB_per_s": rate * BYTES_PER_ELEMENT / 1e9}


def _kernel_rows(func, chunk, repeat):
    """The single-process kernel on one chunk-sized array."""
    x = _pattern(chunk).copy()
    y = np.empty_like(x)
    func(x, out=y)
    rows = []
    for n_threads in sorted({cyacts.get_num_threads(), 1}, reverse=True):
        best, _ = _best(lambda: func(x, out=y, n_threads=n_threads), repeat)
        rows.append(_row(f"kernel, one chunk, {n_threads} thread(s)", chunk, best))
    # what each dask task does: a new output array (allocation and first-touch page faults)
    best, _ = _best(lambda: func(x, n_threads=1), repeat)
    rows.append(_row("kernel, one chunk, new output, 1 thread", chunk, best))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=lambda s: int(float(s)), default=int(2e9))
    parser.add_argument("--chunk-mb", type=float, default=128.0,
                        help="chunk size in MB of float32 (default 128)")
    parser.add_argument("--function", choices=sorted(FUNCTIONS), default="gelu")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (1 thread each); default: CPU count")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-threaded", action="store_true",
                        help="skip the run on dask's threaded scheduler")
    parser.add_argument("--json", metavar="PATH", default=None)
    args = parser.parse_args(argv)

    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    func = FUNCTIONS[args.function]
    chunk = max(1, int(args.chunk_mb * 1e6) // 4)
    chunk = min(chunk, args.elements)
    n_chunks = -(-args.elements // chunk)
    print(f"cyacts {cyacts.__version__} ({cyacts.config()['simd']}, OpenMP "
          f"{'on' if cyacts.config()['openmp'] else 'off'}); {args.function} on "
          f"{args.elements:.3g} float32 elements ({args.elements * 4 / 1e9:.3g} GB) in "
          f"{n_chunks} chunks of {chunk:,} ({chunk * 4 / 1e6:.0f} MB); "
          f"{os.cpu_count()} CPUs, {args.workers} workers")
    rows = []

    rows.extend(_kernel_rows(func, chunk, max(5, args.repeat)))

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    startup = time.perf_counter() - t0
    try:
        client.run(lambda: __import__("cyacts").get_num_threads())  # import cyacts everywhere
        source = _graph(da, args.elements, chunk, None)
        full = _graph(da, args.elements, chunk, func)
        source.compute()  # warm the workers' pattern cache
        best_src, _ = _best(lambda: source.compute(), args.repeat)
        best_full, _ = _best(lambda: full.compute(), args.repeat)
        rows.append(_row(f"cluster, source only ({args.workers} procs)", args.elements,
                         best_src))
        rows.append(_row(f"cluster, source + {args.function} ({args.workers} procs)",
                         args.elements, best_full))
        if best_full > best_src:
            rows.append(_row(f"cluster, {args.function} alone (difference)", args.elements,
                             best_full - best_src))
        # check: the cluster's result equals the same graph's on one process
        check_elements = min(args.elements, 4 * chunk)
        small = _graph(da, check_elements, chunk, func)
        on_cluster = small.compute()
        with dask.config.set(scheduler="synchronous"):
            here = small.compute()
        if on_cluster != here:
            sys.exit(f"mismatch: cluster {on_cluster!r} != local {here!r}")
    finally:
        client.close()
        cluster.close()

    if not args.no_threaded:
        with dask.config.set(scheduler="threads", num_workers=args.workers):
            source = _graph(da, args.elements, chunk, None)
            full = _graph(da, args.elements, chunk, func)
            source.compute()
            best_src, _ = _best(lambda: source.compute(), args.repeat)
            best_full, _ = _best(lambda: full.compute(), args.repeat)
        rows.append(_row(f"threaded, source only ({args.workers} threads)", args.elements,
                         best_src))
        rows.append(_row(f"threaded, source + {args.function} ({args.workers} threads)",
                         args.elements, best_full))

    kernel_best = max(r["elements_per_s"] for r in rows if r["what"].startswith("kernel"))
    print(f"'vs kernel' is relative to the fastest kernel row ({kernel_best / 1e9:.3f} Gelem/s)")
    print(f"cluster start-up: {startup:.1f} s (not counted)")
    print(f"{'':48} {'seconds':>9} {'Gelem/s':>9} {'GB/s':>7} {'vs kernel':>9}")
    for r in rows:
        print(f"{r['what']:48} {r['seconds']:9.3f} {r['elements_per_s'] / 1e9:9.3f} "
              f"{r['GB_per_s']:7.2f} {r['elements_per_s'] / kernel_best:9.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"function": args.function, "elements": args.elements, "chunk": chunk,
                       "workers": args.workers, "cpus": os.cpu_count(),
                       "cluster_startup_s": startup, "config": cyacts.config(), "rows": rows},
                      f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
