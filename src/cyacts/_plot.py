"""`python -m cyacts plot PATH`: every activation and its derivative on one PNG grid.

The curves are computed by cyacts itself. matplotlib is an optional extra (cyacts[plot]) and
is imported only here, through its object-oriented API with the Agg canvas, so drawing never
touches pyplot's global state or the user's backend.
"""
import os

import numpy as np

X_RANGE = (-6.0, 6.0)
LEAKY_ALPHA = 0.1  # steeper than the 0.01 default so that the negative side is visible


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


def _panels():
    """(title, formula of f, label of f', f, f', kinks) for each activation."""
    import cyacts

    a = LEAKY_ALPHA
    return [
        ("ReLU", r"$\max(0,\ x)$", r"$1$ if $x>0$, else $0$",
         cyacts.relu, cyacts.relu_grad, [0.0]),
        (f"Leaky ReLU ($\\alpha$ = {a})", r"$x$ if $x>0$, else $\alpha x$",
         r"$1$ if $x>0$, else $\alpha$",
         lambda x: cyacts.leaky_relu(x, a), lambda x: cyacts.leaky_relu_grad(x, alpha=a), [0.0]),
        ("ReLU6", r"$\min(\max(0,\ x),\ 6)$", r"$1$ if $0<x<6$, else $0$",
         cyacts.relu6, cyacts.relu6_grad, [0.0, 6.0]),
        ("GELU", r"$x\,\Phi(x) = \frac{x}{2}\,\left(1+\mathrm{erf}(x/\sqrt{2})\right)$",
         r"$\Phi(x) + x\,\varphi(x)$",
         cyacts.gelu, cyacts.gelu_grad, []),
        ("GELU, tanh approximation",
         r"$\frac{x}{2}\left(1+\tanh\left(\sqrt{2/\pi}\,(x+0.044715\,x^3)\right)\right)$",
         r"$\frac{d}{dx}$",
         lambda x: cyacts.gelu(x, approximate="tanh"),
         lambda x: cyacts.gelu_grad(x, approximate="tanh"), []),
        ("tanh", r"$\tanh x = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}$", r"$1-\tanh^2 x$",
         cyacts.tanh, cyacts.tanh_grad, []),
        ("Sigmoid", r"$\sigma(x) = \frac{1}{1+e^{-x}}$", r"$\sigma(x)\,(1-\sigma(x))$",
         cyacts.sigmoid, cyacts.sigmoid_grad, []),
    ]


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


def plot(path):
    """Draw every activation (solid) and its derivative (dashed) on one PNG grid at `path`.

    Returns the path written. Needs matplotlib (pip install 'cyacts[plot]').
    """
    Figure, FigureCanvasAgg = _matplotlib()
    path = os.fspath(path)
    panels = _panels()

    fig = Figure(figsize=(16, 8.6), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 4)
    f_color, d_color = "#1f5fa8", "#d9541e"
    for ax, (title, formula, d_label, f, df, kinks) in zip(axes.flat, panels):
        # ReLU6 gets room to the right so that its cap at 6 shows.
        lo_x, hi_x = (-3.0, 9.0) if 6.0 in kinks else X_RANGE
        x = np.linspace(lo_x, hi_x, int(round((hi_x - lo_x) / 0.005)) + 1)
        y, dy = f(x), df(x)  # 0.005 apart: the kinks are sample points
        ax.plot(x, y, color=f_color, lw=2.2, label=r"$f(x)$")
        ax.plot(*_broken(x, dy), color=d_color, lw=1.8, ls="--",
                label=r"$f\,'(x)$" + ("" if d_label == r"$\frac{d}{dx}$" else " = " + d_label))
        for k in kinks:
            # The derivative's value at a kink (filled, as PyTorch defines it) and the limit
            # from the other side (hollow).
            at = float(df(np.float64(k)))
            other = [float(df(np.float64(k + s))) for s in (-1e-9, 1e-9)]
            other = other[0] if other[0] != at else other[1]
            ax.plot([k], [other], "o", ms=5.5, mfc="white", mec=d_color, mew=1.5, zorder=5)
            ax.plot([k], [at], "o", ms=5.5, color=d_color, zorder=5)
        ax.set_title(f"{title}\n{formula}", fontsize=10.5, linespacing=1.6)
        _style(ax)
        ax.set_xlim(lo_x, hi_x)
        lo, hi = min(np.nanmin(y), np.nanmin(dy)), max(np.nanmax(y), np.nanmax(dy))
        pad = 0.08 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)
        ax.legend(loc="upper left", fontsize=8.5, frameon=True, framealpha=0.9,
                  edgecolor="0.85")

    # The last cell: every activation together, near the origin where they differ most.
    ax = axes.flat[-1]
    near = np.linspace(-4.0, 4.0, 1601)
    colors = ["#1f5fa8", "#6a9fd4", "#2a9d8f", "#d9541e", "#f4a261", "#7b2d8b", "#c9184a"]
    for (title, _, _, f, _, _), color in zip(panels, colors):
        name = title.split(" (")[0].replace(", tanh approximation", " (tanh)")
        ax.plot(near, f(near), color=color, lw=1.8, label=name)
    _style(ax)
    ax.set_xlim(-4.0, 4.0)
    ax.set_ylim(-1.3, 4.2)
    ax.set_title("All together\n" + r"$f(x)$ near the origin", fontsize=10.5, linespacing=1.6)
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9, edgecolor="0.85")

    for ax in axes[1]:
        ax.set_xlabel("x", fontsize=9)
    fig.suptitle("cyacts: activation functions (solid) and their derivatives (dashed)",
                 fontsize=14, fontweight="bold")
    fig.savefig(path, format="png", facecolor="white")
    return path
