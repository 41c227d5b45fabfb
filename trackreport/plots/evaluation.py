"""Charts of chapters 03, 05 and 07: drawing only, from the tidy frames the metrics return.

Callers pass only groups large enough to show (:func:`trackreport.chapters.evaluation.visible`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from trackreport.plots import COMPARISON, PALETTE, TRAINED, forest, new_figure, percent_axis, show

__all__ = ["likert_diverging", "dumbbell", "radar", "change_forest", "show"]

_LIKERT_COLORS = {1: "#b5473a", 2: "#e8a28f", 3: "#d9d9d9", 4: "#8fb3dd", 5: TRAINED}
_LIKERT_LABELS = {1: "strongly disagree", 2: "disagree", 3: "neutral", 4: "agree", 5: "strongly agree"}


def likert_diverging(dist: pd.DataFrame, *, by: str, title: str, scale: int = 5) -> Figure:
    """Diverging stacked bars of Likert answers: disagreement left of 0, agreement right.

    ``dist`` is :func:`trackreport.stats.reaction.likert_distribution`'s output (``by, answer,
    share``); the neutral answer is split evenly across the zero line.
    """
    groups = list(dict.fromkeys(dist[by]))
    fig, ax = new_figure(height=0.5 * len(groups) + 1.6)
    mid = (scale + 1) / 2
    y = np.arange(len(groups))[::-1]
    wide = dist.pivot_table(index=by, columns="answer", values="share", aggfunc="first", observed=True).reindex(groups)
    wide = wide.reindex(columns=range(1, scale + 1)).fillna(0.0)
    neutral = wide[mid].to_numpy() / 2 if mid in wide.columns else np.zeros(len(groups))
    left = -(wide[[a for a in wide.columns if a < mid]].sum(axis=1).to_numpy() + neutral)
    for a in wide.columns:
        w = wide[a].to_numpy()
        ax.barh(
            y, w, left=left, color=_LIKERT_COLORS.get(a, "#999999"), label=_LIKERT_LABELS.get(a, str(a)), height=0.6
        )
        left = left + w
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [str(g) for g in groups])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", alpha=0.3)
    lim = max(1.0, float(np.nanmax(np.abs(ax.get_xlim()))))
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_formatter(lambda v, _: f"{abs(v) * 100:.0f}%")
    ax.set(title=title, xlabel="share of answers (%; disagree ← | → agree)")
    ax.legend(frameon=False, fontsize=7, ncols=scale, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    return fig


def dumbbell(
    df: pd.DataFrame,
    *,
    label: str,
    pre: str = "mean_pre",
    post: str = "mean_post",
    title: str,
    xlabel: str,
    target: float | None = None,
    percent: bool = False,
) -> Figure:
    """Before → after per row: a grey dot (before), a blue dot (after) joined by a line."""
    fig, ax = new_figure(height=0.45 * len(df) + 1.4)
    y = np.arange(len(df))[::-1]
    ax.hlines(y, df[pre], df[post], color="#bbbbbb", lw=3)
    ax.plot(df[pre], y, "o", color=COMPARISON, label="before")
    ax.plot(df[post], y, "o", color=TRAINED, label="after")
    if target is not None:
        ax.axvline(target, color="#b5473a", ls="--", lw=1, label="target")
    ax.set_yticks(y, df[label].astype(str).tolist())
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", alpha=0.3)
    if percent:
        percent_axis(ax, "x")
    ax.set(title=title, xlabel=xlabel)
    ax.legend(frameon=False, fontsize=8, loc="best")
    return fig


def radar(profile: pd.DataFrame, *, panel: str | None, title: str, lo: float = 1.0, hi: float = 5.0) -> Figure:
    """Capability radar: mean rating per competency, before vs after, one panel per ``panel`` value.

    ``profile`` is :func:`trackreport.chapters.behaviour.capability_profile`'s output
    (``panel, competency, wave, rating``).
    """
    import matplotlib.pyplot as plt

    panels = [None] if panel is None else list(dict.fromkeys(profile[panel]))
    comps = list(dict.fromkeys(profile["competency"]))
    ncol = min(3, len(panels))
    nrow = int(np.ceil(len(panels) / ncol))
    fig, axes = plt.subplots(
        nrow,
        ncol,
        figsize=(3.4 * ncol, 3.3 * nrow + 0.6),
        subplot_kw={"polar": True},
        layout="constrained",
        squeeze=False,
    )
    angles = np.linspace(0, 2 * np.pi, len(comps), endpoint=False)
    closed = np.append(angles, angles[0])
    for ax, p in zip(axes.flat, panels):
        d = profile if p is None else profile[profile[panel] == p]
        for wave, color in (("pre", COMPARISON), ("post", TRAINED)):
            v = d[d["wave"] == wave].set_index("competency")["rating"].reindex(comps).to_numpy()
            ax.plot(closed, np.append(v, v[0]), color=color, lw=1.8, label="before" if wave == "pre" else "after")
            ax.fill(closed, np.append(v, v[0]), color=color, alpha=0.12)
        ax.set_xticks(angles, [c.replace("_", "\n") for c in comps], fontsize=7)
        ax.set_ylim(lo, hi)
        ax.set_yticks(np.arange(lo, hi + 0.01, 1.0))
        ax.tick_params(axis="y", labelsize=6)
        n = int(d["n"].max()) if "n" in d and len(d) else 0
        ax.set_title(f"{'all trainees' if p is None else p} (n = {n})", fontsize=9)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    axes.flat[0].legend(frameon=False, fontsize=7, loc="upper right", bbox_to_anchor=(1.25, 1.15))
    fig.suptitle(title + " (360-degree rating, 1-5 points)", fontweight="bold")
    return fig


def change_forest(df: pd.DataFrame, *, label: str, title: str, xlabel: str, percent: bool = False) -> Figure:
    """Changes with 95% intervals, trained (blue) beside comparison (grey) and their gap (orange).

    ``df`` is :func:`trackreport.chapters.evaluation.compare_change`'s output; rows are labelled
    ``<label> · <group>``.
    """
    d = df.dropna(subset=["value"]).copy()
    d["_label"] = d[label].astype(str) + " · " + d["group"].astype(str) if label != "group" else d["group"]
    colors = [{"trained": TRAINED, "comparison": COMPARISON}.get(g, PALETTE[1]) for g in d["group"]]
    return forest(d, label="_label", title=title, xlabel=xlabel, percent=percent, colors=colors)
