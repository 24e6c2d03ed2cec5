"""python -m cyacts info | demo: they run and say what they should."""
import subprocess
import sys

import cyacts


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
    for name in ["relu", "leaky_relu", "relu6", "gelu", "tanh", "sigmoid"]:
        assert name in out
    assert "b is a: True" in out
    assert "speed-up" in out and "NumPy" in out
