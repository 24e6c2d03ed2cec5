"""The benchmark runs, writes complete JSON, and compares like with like (never timed here)."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cyacts import _bench, _ops


def _positive_numbers(value):
    if isinstance(value, dict):
        return all(_positive_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(_positive_numbers(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value > 0
    return True


def _peers(function, dtype):
    """The contenders a cell must have: cyacts, every installed peer with a form for the row
    (numexpr has no 16-bit types), the memory pass."""
    numpy_f, torch_f, expr = _bench.PEER_FORMS.get(function, (None, None, None))
    want = {"cyacts", "memory"}
    want |= {"numpy"} if numpy_f is not None else set()
    want |= {"torch"} if torch_f is not None and _bench._torch is not None else set()
    half = dtype in ("float16", "bfloat16")
    want |= {"numexpr"} if expr is not None and _bench._ne is not None and not half else set()
    return want


def test_cli_writes_json(tmp_path):
    path = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "cyacts", "bench", "--quick", "--sizes", "100", "1e3",
         "--functions", "gelu", "sigmoid_grad", "--threads", "1", "--dtype", "all",
         "--layout", "view", "--json", str(path)],
        check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "cells meeting the target" in proc.stdout and "gelu[view]" in proc.stdout
    record = json.loads(path.read_text())
    assert set(record) == {"machine", "settings", "results", "summary"}
    assert record["machine"]["cyacts"]["version"]
    assert record["settings"]["dtypes"] == list(_bench.ALL_DTYPES)
    assert record["settings"]["layouts"] == ["contiguous", "view"]
    results = record["results"]
    cells = [(f, d, n, layout) for d in _bench.ALL_DTYPES for n in (100, 1000)
             for f in ("gelu", "sigmoid_grad") for layout in ("contiguous", "view")]
    assert [(r["function"], r["dtype"], r["size"], r["layout"]) for r in results] == cells
    for r in results:
        assert set(r["times"]) == _peers(r["function"], r["dtype"]), r
        assert r["memory_pass"] in r["memory_candidates"]
        assert math.prod(r["shape"]) == r["size"]
        assert len(r["shape"]) == (2 if r["layout"] == "view" else 1)
        assert r["threads"] == 1
        assert r["best_peer"] in r["times"]
        assert isinstance(r["meets_target"], bool)
        assert _positive_numbers(r)
    assert record["summary"]["cells"] == len(results)
    assert record["machine"]["cpu_count"] > 0 and record["machine"]["versions"]["numpy"]


def test_bench_script_runs(tmp_path):
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"
    if not script.exists():
        pytest.skip("benchmarks/ is not next to tests/")
    proc = subprocess.run(
        [sys.executable, str(script), "--quick", "--sizes", "64", "--dtype", "float32",
         "--functions", "relu"], check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "relu" in proc.stdout


def test_unknown_function_is_refused():
    with pytest.raises(ValueError, match="unknown function"):
        _bench.run(functions=["softmax"], progress=False)


def test_run_api_and_table():
    results = _bench.run(functions=["relu6_grad"], dtypes=["float32"], sizes=[10, 10**5],
                         quick=True, progress=False)
    assert [r["size"] for r in results] == [10, 10**5]
    table = _bench.format_table(results)
    assert "relu6_grad" in table and "1e5" in table


# peers less accurate than the dtype, as they are: (row, peer, dtype) -> tolerance
PEER_TOLERANCE = {
    # PyTorch's float64 hardsigmoid_backward multiplies by 1/6 rounded to float32
    ("hardsigmoid_grad", "torch", "float64"): 2e-8,
}


# 16-bit peers compute in several roundings (NumPy's formulas in float16 or bfloat16 steps):
# a few ULPs; a wrong formula is off by far more
TOLERANCE = {"float16": 5e-3, "bfloat16": 3e-2, "float32": 1e-5, "float64": 1e-12}
CELLS = [(dtype, "contiguous") for dtype in _bench.ALL_DTYPES] + [
    ("float32", "view"), ("bfloat16", "view")]


@pytest.mark.parametrize("dtype, layout", CELLS, ids=[f"{d}-{lay}" for d, lay in CELLS])
@pytest.mark.parametrize("function", list(_bench.FUNCTIONS))
def test_contenders_agree_with_reference(function, dtype, layout):
    outs, x, g = _bench.outputs(function, dtype, n=1024, layout=layout)
    ref = _bench.reference(function, x, g).astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(ref))))
    names = {name.split(":")[0] for name in outs}
    assert names == _peers(function, dtype)
    for name, out in outs.items():
        assert out.dtype == _bench.dtype_of(dtype) and out.shape == x.shape, name
        if not name.startswith("memory"):
            err = np.max(np.abs(out.astype(np.float64) - ref)) / scale
            assert err <= PEER_TOLERANCE.get((function, name, dtype), TOLERANCE[dtype]), (
                name, err)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_peers_and_memory_pass_run_on_the_same_memory(dtype):
    b = _bench._Buffers(1000, dtype, layout="view")
    assert b.shape == (8, 125) and b.x.base.shape == (8, 250) and not b.x.flags.c_contiguous
    forms = set(b.memory_passes(b.x)) | set(b.memory_passes(b.x, b.g))
    if dtype == "float32":
        assert {"numpy multiply"} <= forms   # 16-bit: no float multiply in NumPy's memory pass
    else:
        assert forms & {"numpy copyto (bits)", "numpy bitwise_or (bits)"} and not any(
            "multiply" in form for form in forms)
    if _bench._torch is not None:
        assert {"torch copy_", "torch mul"} <= forms
        for array, tensor in ((b.x, b.tx), (b.g, b.tg), (b.y, b.ty)):
            assert tensor.data_ptr() == array.ctypes.data      # no copy, the same strides
            assert tuple(tensor.stride()) == tuple(s // array.itemsize for s in array.strides)


@pytest.mark.parametrize("n", [1, 7, 64, 1000, 10**5, 10**6, 32 * 10**6, 10007])
def test_view_shape(n):
    rows, d = _bench.view_shape(n)
    assert rows * d == n and d <= _bench.VIEW_WIDTH and (rows >= 8 or n < 8)


@pytest.mark.parametrize("kwargs, match", [({"dtypes": ["float8"]}, "unknown dtype"),
                                           ({"layouts": ["diagonal"]}, "unknown layout")])
def test_unknown_dtype_or_layout_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _bench.run(functions=["relu"], sizes=[10], progress=False, **kwargs)


def _expected_rows(op, params):
    """The rows the registry asks of one variant: forward, derivative, derivative from y."""
    kernel = op.kernel_for(params)
    names = {kernel: (op.name, params), kernel + "_grad": (op.name + "_grad", params)}
    if op.from_output == "own":
        names[kernel + "_grad_y"] = (op.name + "_grad", dict(params, from_output=True))
    return names


@pytest.mark.parametrize("op", [pytest.param(op, id=op.name) for op in _ops.OPS])
def test_every_registry_variant_has_its_rows(op):
    for params in op.variants():
        for name, (function, kwargs) in _expected_rows(op, params).items():
            assert name in _bench.FUNCTIONS, (
                f"{op.name} {params or '(defaults)'}: no bench row {name!r}")
            row = _bench.FUNCTIONS[name]
            assert row.op is op and row.function == function, name
            assert row.kwargs.get("from_output") == kwargs.get("from_output"), name
            # a kernel runs the same for every variant that selects it: the first one is timed
            assert op.kernel_for(row.kwargs) == op.kernel_for(kwargs), name


def test_rows_are_the_registrys_and_nothing_else():
    want = {name for op in _ops.OPS for params in op.variants()
            for name in _expected_rows(op, params)}
    assert set(_bench.FUNCTIONS) == want, sorted(set(_bench.FUNCTIONS) ^ want)


def test_every_peer_entry_names_a_row():
    stale = sorted(set(_bench.PEER_FORMS) - set(_bench.FUNCTIONS))
    assert not stale, f"PEER_FORMS entries for rows the registry does not make: {stale}"


def test_a_row_without_peers_runs_against_the_memory_pass(monkeypatch):
    function = next(iter(_bench.FUNCTIONS))
    monkeypatch.setattr(_bench, "PEER_FORMS", {})
    results = _bench.run(functions=[function], dtypes=["float64"], sizes=[1000], quick=True,
                         progress=False)
    (r,) = results
    assert set(r["times"]) == {"cyacts", "memory"}
    assert r["best_peer"] is None and r["meets_target"] is None
    assert function in _bench.format_table(results)
    outs, x, g = _bench.outputs(function, "float64", n=101)
    np.testing.assert_allclose(outs["cyacts"], _bench.reference(function, x, g), rtol=1e-12)
