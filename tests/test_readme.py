"""The README's quick start runs as written."""
import pathlib

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_quick_start_runs(capsys):
    if not README.exists():  # tests copied away from the checkout (wheel check)
        pytest.skip("README.md not beside the tests")
    text = README.read_text()
    section = text[text.index("## Quick start"):]
    code = section[section.index("```python") + len("```python"):]
    code = code[: code.index("```")]
    exec(compile(code, "README quick start", "exec"), {})
    assert "simd" in capsys.readouterr().out
