"""`python -m cyacts plot PATH` draws every activation and its derivative to one PNG."""
import subprocess
import sys

import numpy as np
import pytest

import cyacts
from cyacts import _ops, _plot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _plot_cli(path):
    return subprocess.run([sys.executable, "-m", "cyacts", "plot", str(path)],
                          capture_output=True, text=True, timeout=300)


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.image

    path = tmp_path / "activations.png"
    proc = _plot_cli(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 50_000  # a grid of curves and formulas, not an empty canvas
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    rows, cols = _plot._grid(len(_plot._panels()) + 1)
    assert width >= 240 * cols and height >= 200 * rows  # room for every panel
    rgb = image[..., :3]
    assert rgb.std() > 0.05  # not blank
    # Both curve colours are there (activation in blue, derivative in orange) in quantity.
    blue = (rgb[..., 2] > 0.5) & (rgb[..., 0] < 0.3)
    orange = (rgb[..., 0] > 0.7) & (rgb[..., 1] < 0.5) & (rgb[..., 2] < 0.3)
    assert blue.mean() > 0.002 and orange.mean() > 0.002


def test_every_panel_has_ink():
    """Every panel of the grid (one per variant, then the overlay) has curves drawn in it."""
    pytest.importorskip("matplotlib")
    fig = _plot.figure()
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255.0
    height = rgb.shape[0]
    assert len(fig.axes) == len(_plot._panels()) + 1
    for ax in fig.axes:
        box = ax.get_window_extent()  # pixels from the bottom left
        cell = rgb[int(height - box.y1):int(height - box.y0), int(box.x0):int(box.x1)]
        assert (cell.min(axis=-1) < 0.5).mean() > 0.01, f"{ax.get_title()!r} is blank"


@pytest.fixture(scope="module")
def axes_by_label():
    pytest.importorskip("matplotlib")
    return {ax.get_title().split("\n")[0]: ax for ax in _plot.figure().axes}


@pytest.mark.parametrize("op", [pytest.param(op, id=op.name) for op in _ops.OPS])
def test_every_registry_variant_has_a_panel(op, axes_by_label):
    """A panel titled with the variant and the op's formula, its curves cyacts's, its kinks
    marked."""
    panels = {panel.label: panel for panel in _plot._panels()}
    for params in op.variants():
        label = op.label(params)
        assert label in panels and label in axes_by_label, f"the plot has no panel for {label}"
        ax, panel = axes_by_label[label], panels[label]
        assert ax.get_title().split("\n", 1)[1].split() == op.formula.split(), label
        marked = [line.get_xdata()[0] for line in ax.lines if line.get_marker() == "o"]
        for x in {_ops.resolve(kink.x, params, op) for kink in op.kinks}:
            assert marked.count(x) == 2, f"{label}: the kink at x = {x} is not marked"
        x = np.linspace(*panel.x_range(), 7)
        np.testing.assert_array_equal(panel.f(x), getattr(cyacts, op.name)(x, **params))
        np.testing.assert_array_equal(panel.df(x), getattr(cyacts, op.name + "_grad")(x, **params))


def test_plot_function_returns_the_path(tmp_path):
    pytest.importorskip("matplotlib")
    from cyacts._plot import plot

    path = tmp_path / "grid.png"
    assert plot(path) == str(path)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_plot_without_matplotlib_names_the_extra(tmp_path):
    """Without matplotlib the error says how to get it, and nothing is written."""
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from cyacts._plot import plot\n"
        "try:\n"
        f"    plot({str(tmp_path / 'x.png')!r})\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "else:\n"
        "    print('no error')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "cyacts[plot]" in proc.stdout
    assert not (tmp_path / "x.png").exists()
