r"""The type stubs (.pyi, py.typed) match the runtime, and mypy reads the public API the way it
is meant to be used. The stub check, from the repository root:

    python -m mypy.stubtest cyacts --mypy-config-file pyproject.toml \
        --allowlist tests/stubtest_allowlist.txt --ignore-unused-allowlist

stubtest reads no configuration by itself, and it type-checks every submodule, the private
cyacts._bench with its optional peers (torch, scipy, numexpr) too; so stubtest and mypy both get
pyproject.toml's [tool.mypy], the one configuration. .ci/run installs torch and numexpr (scipy
comes with the test extras), so there this runs with all three installed; the wheel check's
fresh environment has neither torch nor numexpr."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cyacts

pytest.importorskip("mypy")

HERE = Path(__file__).resolve().parent
PACKAGE = Path(cyacts.__file__).resolve().parent
ALLOWLIST = HERE / "stubtest_allowlist.txt"
CONFIG = HERE.parent / "pyproject.toml"
# mypy and stubtest run in a temporary folder, where a relative PYTHONPATH (PYTHONPATH=src)
# points nowhere: they would check some other installed cyacts, not the one imported here
ENV = dict(os.environ)
if ENV.get("PYTHONPATH"):
    ENV["PYTHONPATH"] = os.pathsep.join(
        os.path.abspath(p) for p in ENV["PYTHONPATH"].split(os.pathsep) if p)


def test_py_typed_and_stubs_are_there():
    assert (PACKAGE / "py.typed").is_file()
    for name in ("__init__.pyi", "api.pyi", "reference.pyi"):
        assert (PACKAGE / name).is_file()


def test_stubs_cover_all():
    """Every name of cyacts.__all__ is in the stub's __all__ and defined there."""
    text = (PACKAGE / "__init__.pyi").read_text()
    for name in cyacts.__all__:
        assert f'"{name}"' in text, name
        assert (f" as {name}\n" in text or f"def {name}(" in text or f"{name}:" in text), name


def test_private_modules_are_not_type_checked():
    """Every private module is in pyproject.toml's ignore_errors list."""
    listed = CONFIG.read_text()
    private = [p.stem for p in PACKAGE.glob("_*.py") if p.stem != "__init__"]
    assert private
    assert [m for m in private if f'"cyacts.{m}"' not in listed] == []


def test_the_checks_see_this_cyacts(tmp_path):
    cmd = [sys.executable, "-c", "import cyacts; print(cyacts.__file__)"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=ENV, timeout=60)
    assert Path(proc.stdout.strip()).resolve() == Path(cyacts.__file__).resolve(), proc.stderr


def test_stubtest(tmp_path):
    cmd = [sys.executable, "-m", "mypy.stubtest", "cyacts", "--mypy-config-file", str(CONFIG),
           "--allowlist", str(ALLOWLIST), "--ignore-unused-allowlist"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=ENV,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr


USAGE = '''
import numpy as np
import numpy.typing as npt
import cyacts
from cyacts import reference

x32 = np.linspace(-3, 3, 7, dtype=np.float32)
x64 = np.linspace(-3, 3, 7)
buf = np.empty(7, dtype=np.float32)

a: npt.NDArray[np.float32] = cyacts.gelu(x32)
b: npt.NDArray[np.float64] = cyacts.sigmoid(x64, n_threads=2)
c: npt.NDArray[np.float32] = cyacts.relu_(x32)
d: npt.NDArray[np.float32] = cyacts.tanh(x64, out=buf)
e: np.floating = cyacts.relu6(1.5)
f = cyacts.leaky_relu([1.0, -2.0], 0.2)
g = cyacts.gelu_grad(x32, x32, approximate="tanh")
h = cyacts.leaky_relu_grad(x32, alpha=np.full(7, 0.1), from_output=True)
i: int = cyacts.get_num_threads()
cyacts.set_num_threads(2)
j: str = cyacts.get_include()
k = cyacts.config()["simd"]
ref = reference.gelu(x64, approximate="tanh")
reveal_type(f)
reveal_type(cyacts.tanh_grad(x64))
'''

MISUSE = '''
import numpy as np
import cyacts

x = np.zeros(3)
cyacts.gelu(x, approximate="exact")
cyacts.relu(x, None)
cyacts.set_num_threads("2")
cyacts.relu_([1.0, 2.0])
'''


def _mypy(source, tmp_path):
    path = tmp_path / "usage.py"
    path.write_text(source)
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--no-error-summary",
           "--hide-error-context", str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=ENV,
                          timeout=900)


def test_mypy_accepts_the_documented_usage(tmp_path):
    proc = _mypy(USAGE, tmp_path)
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert not errors, proc.stdout
    notes = [line for line in proc.stdout.splitlines() if "Revealed type" in line]
    assert len(notes) == 2
    assert "ndarray" in notes[0] and "float64" in notes[1], notes


def test_mypy_rejects_misuse(tmp_path):
    proc = _mypy(MISUSE, tmp_path)
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    lines = sorted({int(line.split(":")[1]) for line in errors})
    assert lines == [6, 7, 8, 9], proc.stdout
