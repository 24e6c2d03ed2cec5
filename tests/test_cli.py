"""python -m cyacts info | demo: they run and say what they should."""
import subprocess
import sys

import cyacts
from cyacts import _bench, _ops


def _run(*args):
    result = subprocess.run([sys.executable, "-m", "cyacts", *args], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_info_shows_config():
    out = _run("info")
    for key, value in cyacts.config().items():
        assert key in out
    assert cyacts.config()["simd"] in out


def test_demo_shows_every_activation_in_place_use_and_speed():
    out = _run("demo")
    values, _, rest = out.partition("In place")
    shown = {line.split(" = ")[0].strip() for line in values.splitlines() if " = " in line}
    for op in _ops.OPS:
        for params in op.variants():
            assert op.label(params) in shown, f"the demo does not show {op.label(params)}"
    assert "b is a: True" in rest
    assert "speed-up" in rest and "NumPy" in rest
    timed = {line.split()[0] for line in rest.split("speed-up", 1)[1].splitlines()
             if line.strip().endswith("x")}
    for name, row in _bench.FUNCTIONS.items():
        if not row.backward and _bench.PEER_FORMS.get(name, (None,))[0] is not None:
            assert name in timed, f"the demo times no {name} against NumPy"
