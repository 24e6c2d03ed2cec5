"""`python -m cyacts plot PATH`: every activation and its derivative on one PNG grid.

One panel per variant of every op in the registry (cyacts._ops), titled with the op's formula and
with its kinks marked; the last panel overlays them all. The curves are computed by cyacts
itself. matplotlib is an optional extra (cyacts[plot]) and is imported only here, through its
object-oriented API with the Agg canvas, so drawing never touches pyplot's global state or the
user's backend.
"""
import dataclasses
import math
import os
import textwrap

import numpy as np

import cyacts
from cyacts import _ops

X_RANGE = (-6.0, 6.0)
KINK_MARGIN = 3.0  # the x range reaches this far past the outermost kinks (ReLU6's cap at 6)
MAX_COLUMNS = 5
TITLE_WIDTH = 44  # characters of formula per title line
F_COLOR, D_COLOR = "#1f5fa8", "#d9541e"  # the activation (blue) and its derivative (orange)


def _matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "cyacts plot needs matplotlib, an optional extra: pip install 'cyacts[plot]' "
            "(or pip install matplotlib)"
        ) from exc
    return Figure, FigureCanvasAgg


@dataclasses.dataclass(frozen=True)
class Panel:
    """One variant of one op: its curves and what its title says."""

    op: _ops.Op
    params: dict

    @property
    def label(self):
        return self.op.label(self.params)

    @property
    def kinks(self):
        """The kinks' x, each once (hardshrink's two meet at 0 when lambd = 0)."""
        return sorted({_ops.resolve(k.x, self.params, self.op) for k in self.op.kinks})

    def f(self, x):
        return getattr(cyacts, self.op.name)(x, **self.params)

    def df(self, x):
        return getattr(cyacts, self.op.name + "_grad")(x, **self.params)

    def x_range(self):
        """X_RANGE, shifted or widened to show every kink with KINK_MARGIN on either side."""
        if not self.kinks:
            return X_RANGE
        hi = max(X_RANGE[1], max(self.kinks) + KINK_MARGIN)
        lo = min(hi - (X_RANGE[1] - X_RANGE[0]), min(self.kinks) - KINK_MARGIN)
        return lo, hi


def _panels():
    """A Panel for every variant of every op, in registry order."""
    return [Panel(op, params) for op in _ops.OPS for params in op.variants()]


def _grid(cells):
    """(rows, columns) for `cells` cells: at most MAX_COLUMNS wide, as few rows as that allows."""
    rows = math.ceil(cells / MAX_COLUMNS)
    return rows, math.ceil(cells / rows)


def _broken(x, y):
    """Insert NaN where a piecewise derivative jumps, so the plot shows a step, not a ramp."""
    jumps = np.flatnonzero(np.abs(np.diff(y)) > 0.05)
    if jumps.size == 0:
        return x, y
    return np.insert(x, jumps + 1, np.nan), np.insert(y, jumps + 1, np.nan)


def _style(ax):
    ax.axhline(0.0, color="0.55", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.55", lw=0.8, zorder=0)
    ax.grid(True, color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(*X_RANGE)
    ax.tick_params(labelsize=8)


def _draw_panel(ax, panel):
    lo_x, hi_x = panel.x_range()
    x = np.linspace(lo_x, hi_x, int(round((hi_x - lo_x) / 0.005)) + 1)
    y, dy = panel.f(x), panel.df(x)  # 0.005 apart: the kinks are sample points
    ax.plot(x, y, color=F_COLOR, lw=2.2, label=r"$f(x)$")
    ax.plot(*_broken(x, dy), color=D_COLOR, lw=1.8, ls="--", label=r"$f\,'(x)$")
    for k in panel.kinks:
        # The derivative's value at a kink (filled, as PyTorch defines it) and the limit
        # from the other side (hollow).
        at = float(panel.df(np.float64(k)))
        other = [float(panel.df(np.float64(k + s))) for s in (-1e-9, 1e-9)]
        other = other[0] if other[0] != at else other[1]
        ax.plot([k], [other], "o", ms=5.5, mfc="white", mec=D_COLOR, mew=1.5, zorder=5)
        ax.plot([k], [at], "o", ms=5.5, color=D_COLOR, zorder=5)
    ax.set_title(f"{panel.label}\n{textwrap.fill(panel.op.formula, TITLE_WIDTH)}",
                 fontsize=10, linespacing=1.4)
    _style(ax)
    ax.set_xlim(lo_x, hi_x)
    lo, hi = min(np.nanmin(y), np.nanmin(dy)), max(np.nanmax(y), np.nanmax(dy))
    pad = 0.08 * (hi - lo)
    ax.set_ylim(lo - pad, hi + pad)
    ax.legend(loc="upper left", fontsize=8.5, frameon=True, framealpha=0.9, edgecolor="0.85")


def _draw_together(ax, panels):
    """Every activation in one panel, near the origin where they differ most."""
    near = np.linspace(-4.0, 4.0, 1601)
    for i, panel in enumerate(panels):
        ax.plot(near, panel.f(near), color=f"C{i % 10}", lw=1.8, label=panel.label)
    _style(ax)
    ax.set_xlim(-4.0, 4.0)
    ax.set_ylim(-1.3, 4.2)
    ax.set_title("All together\n" + r"$f(x)$ near the origin", fontsize=10, linespacing=1.4)
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9, edgecolor="0.85")


def figure():
    """The grid as a matplotlib Figure (on an Agg canvas): a panel per variant, the overlay."""
    Figure, FigureCanvasAgg = _matplotlib()
    panels = _panels()
    rows, cols = _grid(len(panels) + 1)

    fig = Figure(figsize=(3.7 * cols, 4.4 * rows), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(rows, cols)
    for i, panel in enumerate(panels):
        ax = fig.add_subplot(grid[divmod(i, cols)])
        _draw_panel(ax, panel)
        if i // cols == rows - 1:
            ax.set_xlabel("x", fontsize=9)
    # The overlay takes what is left of the last row.
    row, col = divmod(len(panels), cols)
    ax = fig.add_subplot(grid[row, col:])
    _draw_together(ax, panels)
    ax.set_xlabel("x", fontsize=9)

    fig.suptitle("cyacts: activation functions (solid) and their derivatives (dashed)",
                 fontsize=14, fontweight="bold")
    return fig


def plot(path):
    """Draw every activation (solid) and its derivative (dashed) on one PNG grid at `path`.

    Returns the path written. Needs matplotlib (pip install 'cyacts[plot]').
    """
    fig = figure()
    path = os.fspath(path)
    fig.savefig(path, format="png", facecolor="white")
    return path
