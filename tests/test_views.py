"""An element's result does not depend on where it sits in a kernel call (vector body or
scalar tail), NaNs included: what computing views piece by piece relies on."""
import numpy as np
import pytest

import cyacts
from _cases import F32, F64

NANS = {F32: np.array([0x7FC00000, 0xFFC00000, 0x7FC12345, 0xFFC54321, 0x7F812345], np.uint32),
        F64: np.array([0x7FF8000000000000, 0xFFF8000000000000, 0x7FF8000012345678,
                       0xFFF8000087654321, 0x7FF0000012345678], np.uint64)}


@pytest.mark.parametrize("dtype", [F32, F64])
def test_a_nan_comes_out_the_same_in_vector_body_and_tail(dtype, simd_level):
    """Row pieces put an element in a kernel's vector body or its scalar tail depending on where
    its row starts: a NaN input (either sign, any payload) must give the same bits either way."""
    for name, op in cyacts._core.OPS.items():
        for nan in NANS[dtype].view(dtype):
            for slot in (1, 2):  # x, then grad_output (or alpha)
                args = [np.full(40, 0.7, dtype), np.full(40, 1.3, dtype), np.full(40, 0.2, dtype)]
                args[slot - 1][:] = nan
                bits = set()
                for n in range(1, 40):
                    y = np.empty(n, dtype)
                    cyacts._core.apply(op, args[0][:n], y, args[1][:n], args[2][:n], 0.1, 1)
                    bits.add(int(y.view(f"u{y.itemsize}")[-1]))
                assert len(bits) == 1, (f"{simd_level} {name}({'x' if slot == 1 else 'aux'}="
                                        f"{hex(int(nan.view(f'u{y.itemsize}')))}): "
                                        f"{sorted(map(hex, bits))}")
