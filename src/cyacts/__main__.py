"""python -m cyacts info | demo | bench | plot PATH"""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cyacts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="how cyacts was built and what it runs on")
    sub.add_parser("demo", help="each activation on a sample array, in place, and its speed")
    bench = sub.add_parser("bench", help="time every function against NumPy and other peers")
    bench.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    bench.add_argument("--dtype", nargs="+", default=None,
                       choices=["float16", "bfloat16", "float32", "float64", "all"],
                       help="default: float32 float64; bfloat16 needs ml_dtypes")
    bench.add_argument("--sizes", nargs="+", type=lambda s: int(float(s)), default=None,
                       help="array sizes, e.g. 1e3 1e6")
    bench.add_argument("--functions", nargs="+", default=None, help="only these (e.g. gelu)")
    bench.add_argument("--layout", choices=["contiguous", "view"], default="contiguous",
                       help="view: also time each function on z[:, :d] of a (rows, 2d) array, "
                            "beside contiguous")
    bench.add_argument("--threads", type=int, default=None, help="threads for every library")
    bench.add_argument("--json", metavar="PATH", default=None, help="also write results here")
    plot = sub.add_parser("plot", help="draw every activation and its derivative to a PNG")
    plot.add_argument("path", help="the PNG to write")
    args = parser.parse_args(argv)

    if args.command == "info":
        import cyacts

        cyacts.show_config()
    elif args.command == "demo":
        from ._demo import demo

        demo()
    elif args.command == "bench":
        from ._bench import main as bench_main

        return bench_main(args)
    elif args.command == "plot":
        from ._plot import plot

        try:
            print(f"wrote {plot(args.path)}")
        except ImportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
