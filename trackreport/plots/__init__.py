"""Charts for the reports: drawing only, no computation.

Every chart has a title, labelled axes with units, and is drawn from a tidy frame that a
metric function returned. Domain-specific charts live in submodules
(:mod:`trackreport.plots.evaluation`, :mod:`trackreport.plots.results`); the generic
ones are here.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

__all__ = ["show", "PALETTE", "TRAINED", "COMPARISON", "new_figure", "percent_axis", "money_axis", "bar_ci", "forest"]

TRAINED = "#1f5fa8"
COMPARISON = "#9aa5b1"
PALETTE = [TRAINED, "#e07b39", "#3a9d5d", "#b5473a", "#7d5ba6", COMPARISON]


def new_figure(width: float = 7.5, height: float = 3.6) -> tuple[Figure, Axes]:
    """A figure in the reports' style."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    return fig, ax


def percent_axis(ax: Axes, axis: str = "y", *, xmax: float = 1.0) -> None:
    """Show a 0-1 axis as percentages."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(xmax=xmax, decimals=0))


def money_axis(ax: Axes, axis: str = "y") -> None:
    """Thousands separators on a money axis."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def bar_ci(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    lo: str = "ci_low",
    hi: str = "ci_high",
    hue: str | None = None,
    title: str,
    ylabel: str,
    xlabel: str = "",
    target: float | None = None,
    percent: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Bars with 95% interval whiskers (and an optional target line)."""
    fig, ax = new_figure() if ax is None else (ax.figure, ax)
    groups = [None] if hue is None else list(dict.fromkeys(df[hue]))
    cats = list(dict.fromkeys(df[x]))
    width = 0.8 / len(groups)
    for i, g in enumerate(groups):
        d = df if g is None else df[df[hue] == g]
        d = d.set_index(x).reindex(cats)
        pos = np.arange(len(cats)) + (i - (len(groups) - 1) / 2) * width
        err = np.vstack([(d[y] - d[lo]).clip(lower=0), (d[hi] - d[y]).clip(lower=0)]) if lo in d else None
        ax.bar(
            pos,
            d[y],
            width=width * 0.95,
            color=PALETTE[i % len(PALETTE)],
            label=None if g is None else str(g),
            yerr=err,
            capsize=3,
            error_kw={"elinewidth": 1, "alpha": 0.8},
        )
    ax.set_xticks(
        np.arange(len(cats)),
        [str(c) for c in cats],
        rotation=0 if len(cats) < 6 else 30,
        ha="center" if len(cats) < 6 else "right",
    )
    if target is not None:
        ax.axhline(target, color="#b5473a", ls="--", lw=1, label="target")
    if percent:
        percent_axis(ax)
    ax.set(title=title, ylabel=ylabel, xlabel=xlabel)
    if hue is not None or target is not None:
        ax.legend(frameon=False, fontsize=8)
    return fig


def forest(
    df: pd.DataFrame,
    *,
    label: str,
    value: str = "value",
    lo: str = "ci_low",
    hi: str = "ci_high",
    title: str,
    xlabel: str,
    zero: float = 0.0,
    percent: bool = False,
    colors: Sequence[str] | None = None,
) -> Figure:
    """Point estimates with 95% intervals, one row each, and the no-effect line."""
    fig, ax = new_figure(height=0.45 * len(df) + 1.2)
    ypos = np.arange(len(df))[::-1]
    c = list(colors) if colors is not None else [TRAINED] * len(df)
    for yy, (_, row), col in zip(ypos, df.iterrows(), c):
        ax.plot([row[lo], row[hi]], [yy, yy], color=col, lw=2)
        ax.plot(row[value], yy, "o", color=col)
    ax.axvline(zero, color="black", lw=0.8)
    ax.set_yticks(ypos, df[label].astype(str).tolist())
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    if percent:
        percent_axis(ax, "x")
    ax.set(title=title, xlabel=xlabel)
    return fig


def _describe(fig: Figure) -> str:
    """A text alternative for a chart: its title(s) and axis labels."""
    parts = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        bits = [ax.get_title()] + [f"{k}: {v}" for k, v in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if v]
        text = "; ".join(b for b in bits if b)
        if text:
            parts.append(text)
    return " | ".join(parts) or "Chart"


def show(fig: Figure) -> None:
    """Display a figure once, whatever the matplotlib backend, and close it.

    The figure is rendered to PNG and displayed as an image with a text alternative
    (its titles and axis labels), so it appears in the executed notebook and the HTML
    even under ``MPLBACKEND=Agg``; closing it stops the inline backend showing it again.
    """
    import base64
    import html
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    alt = _describe(fig)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    display(
        {
            "image/png": data,
            "text/html": f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}"/>',
            "text/plain": f"<chart: {alt}>",
        },
        raw=True,
    )
