"""The registry of operations (cyacts._ops) is complete, and every layer agrees with it.

Adding an op means its element functions, its registry entry and its reference; these tests
name whatever else is missing or stale: a field of the entry, the reference, a generated file
that was not regenerated, a kernel the extension or the header does not have.
"""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cyacts
from cyacts import _core, _ops, reference

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "tools" / "generate.py"
INCLUDE = Path(cyacts.get_include()) / "cyacts"
PACKAGE = Path(cyacts.__file__).resolve().parent
OPS = [pytest.param(op, id=op.name) for op in _ops.OPS]


@pytest.mark.parametrize("op", OPS)
def test_entry_is_complete(op):
    missing = [field for field in ("formula", "grad_formula", "limits", "grad_limits", "ulp",
                                   "grad_ulp") if not getattr(op, field)]
    for field in ("ulp", "grad_ulp"):
        missing += [f"{field}[{dtype}]" for dtype in ("float32", "float64")
                    if getattr(op, field) and dtype not in getattr(op, field)]
    if op.from_output is None and not op.from_output_refusal:
        missing.append("from_output_refusal (why the derivative from the output is refused)")
    if op.from_output not in (None, "same", "own"):
        missing.append(f"from_output must be None, 'same' or 'own', not {op.from_output!r}")
    if op.per_element is not None and not op.per_element_kernel:
        missing.append(f"per_element_kernel (for an array {op.per_element.name})")
    assert not missing, f"registry entry {op.name!r} lacks: {', '.join(missing)}"


@pytest.mark.parametrize("op", OPS)
def test_reference_exists(op):
    for name in op.reference_names:
        assert callable(getattr(reference, name, None)), (
            f"{op.name}: cyacts.reference.{name} is missing")
        assert name in reference.__all__, f"{op.name}: {name} is not in reference.__all__"


@pytest.mark.parametrize("op", OPS)
def test_element_functions_live_in_the_family_header(op):
    assert op.family in _ops.FAMILIES, f"{op.name}: unknown family {op.family!r}"
    headers = [INCLUDE / name for name in _ops.FAMILIES[op.family]]
    text = "".join(h.read_text() for h in headers if h.is_file())
    for kernel in op.kernels():
        for sfx in ("f32", "f64"):
            elem = f"cyacts_elem_{kernel.elem}_{sfx}"
            # a definition, or the family's macro that defines it for both dtypes
            assert (re.search(rf"\b{elem}\s*\(", text)
                    or f"cyacts_elem_{kernel.elem}_##sfx" in text), (
                f"{op.name}: {elem} is not defined in {', '.join(_ops.FAMILIES[op.family])}")


def test_public_functions_follow_the_registry():
    for name in _ops.public_names():
        assert name in cyacts.__all__, f"cyacts.{name} is not exported"
        assert callable(getattr(cyacts, name)), name
    made = {n for n in cyacts.__all__ if callable(getattr(cyacts, n, None))}
    extra = made - set(_ops.public_names()) - set(_ops.reduction_names()) - {
        "get_num_threads", "set_num_threads",
                                               "get_include", "config", "show_config"}
    assert not extra, f"public functions not in the registry: {sorted(extra)}"


def test_kernel_table_matches_the_registry():
    assert list(_core.OPS) == [k.name for k in _ops.kernels()], (
        "the extension's kernel table differs from the registry: rebuild after "
        "`python tools/generate.py`")


def test_header_and_pxd_match_the_registry():
    want = {f"cyacts_{name}_{sfx}" for name in _ops.c_functions() for sfx in ("f32", "f64")}
    api_h = (INCLUDE / "api.h").read_text()
    in_header = set(re.findall(r"^CYACTS__\w+\((\w+),", api_h, re.M))
    assert {f"cyacts_{n}" for n in in_header} == want, "include/cyacts/api.h"
    reductions = {f"cyacts_{r.name}_{sfx}" for r in _ops.REDUCTIONS for sfx in ("f32", "f64")}
    pxd = (PACKAGE / "c_api.pxd").read_text()
    declared = set(re.findall(r"^\s+void (cyacts_\w+)\(", pxd, re.M))
    assert declared == want | reductions, "c_api.pxd"


def test_versions_agree():
    api_h = (INCLUDE / "api.h").read_text()
    parts = [re.search(rf"#define CYACTS_VERSION_{p} (\d+)", api_h).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    assert ".".join(parts) == cyacts.__version__, "header version macros"
    pyproject = ROOT / "pyproject.toml"
    if pyproject.is_file():  # the source tree: the version is read from _version.py
        assert 'version = { attr = "cyacts._version.__version__" }' in pyproject.read_text()


@pytest.mark.skipif(not GENERATOR.is_file(), reason="needs the source tree (tools/generate.py)")
def test_generated_files_are_up_to_date():
    proc = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, (
        f"run `python tools/generate.py` and commit the result:\n{proc.stdout}{proc.stderr}")


@pytest.mark.parametrize("op", OPS)
def test_kinks_and_limits_resolve(op):
    """Each limit and kink value is a number, an infinity or the name of a parameter."""
    for params in op.variants():
        for value in (*op.limits, *op.grad_limits, *(k.grad for k in op.kinks)):
            assert isinstance(float(np.float64(_ops.resolve(value, params, op))), float)
