"""Time cyacts against NumPy/SciPy, numexpr, PyTorch and the memory pass.

    python benchmarks/bench.py [--quick] [--dtype ...] [--sizes ...] [--functions ...]
                               [--threads N] [--json PATH]

The same as `python -m cyacts bench ...`.
"""
import sys

from cyacts.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
