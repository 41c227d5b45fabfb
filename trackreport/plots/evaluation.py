"""Charts of chapters 03, 05 and 07: drawing only, from the tidy frames the metrics return.

Callers pass only groups large enough to show (:func:`trackreport.chapters.evaluation.visible`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trackreport.i18n import N_, _, language
from trackreport.plots import (
    BEFORE,
    EMPTY_NOTE,
    GROUP_COLORS,
    PALETTE,
    TRAINED,
    _span,
    forest,
    legend_below,
    new_figure,
    new_grid,
    percent_axis,
    pp_axis,
    reference_line,
    show,
    wrap_label,
)
from trackreport.stats.display import code_text
from trackreport.stats.display import label as code_label

__all__ = ["likert_diverging", "dumbbell", "profile_panels", "change_heatmap", "change_forest", "show"]

_LIGHT_RED = sns.light_palette(PALETTE[3], n_colors=3).as_hex()[1]
_LIGHT_BLUE = sns.light_palette(PALETTE[0], n_colors=3).as_hex()[1]
_LIKERT_COLORS = {1: PALETTE[3], 2: _LIGHT_RED, 3: "#d9d9d9", 4: _LIGHT_BLUE, 5: PALETTE[0]}
_LIKERT_LABELS = {
    1: N_("strongly disagree"),
    2: N_("disagree"),
    3: N_("neutral"),
    4: N_("agree"),
    5: N_("strongly agree"),
}
_WAVE_LABELS = {"pre": N_("before"), "post": N_("after")}


_AXIS_LABELS = {"rater_type": N_("rater type"), "competency": N_("competency")}


def likert_diverging(dist: pd.DataFrame, *, by: str, title: str, scale: int = 5) -> Figure:
    """Diverging stacked bars of Likert answers: disagreement left of 0, agreement right.

    ``dist`` is :func:`trackreport.stats.reaction.likert_distribution`'s output (``by, answer,
    share``); the neutral answer is split evenly across the zero line.

    Examples
    --------
    >>> d = pd.DataFrame({"dim": ["a"] * 5, "answer": [1, 2, 3, 4, 5], "share": [0.1, 0.1, 0.2, 0.3, 0.3]})
    >>> likert_diverging(d, by="dim", title="Answers").axes[0].get_xlim()
    (np.float64(-1.0), np.float64(1.0))
    """
    groups = list(dict.fromkeys(dist[by]))
    fig, ax = new_figure(height=0.5 * len(groups) + 2.0)
    mid = (scale + 1) / 2
    y = np.arange(len(groups))[::-1]
    wide = dist.pivot_table(index=by, columns="answer", values="share", aggfunc="first", observed=True).reindex(groups)
    wide = wide.reindex(columns=range(1, scale + 1)).fillna(0.0)
    neutral = wide[mid].to_numpy() / 2 if mid in wide.columns else np.zeros(len(groups))
    left = -(wide[[a for a in wide.columns if a < mid]].sum(axis=1).to_numpy() + neutral)
    for a in wide.columns:
        w = wide[a].to_numpy()
        ax.barh(
            y, w, left=left, color=_LIKERT_COLORS.get(a, "#999999"), label=_(_LIKERT_LABELS.get(a, str(a))), height=0.6
        )
        left = left + w
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [code_text(g) for g in groups])
    ax.grid(axis="y", visible=False)
    lim = max(1.0, float(np.nanmax(np.abs(ax.get_xlim()))))
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_formatter(lambda v, _: f"{abs(v) * 100:.0f}%")
    ax.set(title=title, xlabel=_("share of answers (disagree ← | → agree)"))
    legend_below(fig, ax, ncols=3)
    return fig


def _dumbbell_axis(
    ax: Axes, df: pd.DataFrame, *, label: str, pre: str, post: str, target: float | None, percent: bool
) -> None:
    cats = [wrap_label(c if language() == "en" else code_text(c)) for c in df[label]]
    y = np.arange(len(df), dtype=float)
    ax.hlines(y, df[pre].astype(float), df[post].astype(float), color="#bbbbbb", lw=3, zorder=1)
    values = []
    for c, wave, color in ((pre, _(_WAVE_LABELS["pre"]), BEFORE), (post, _(_WAVE_LABELS["post"]), TRAINED)):
        v = df[c].astype(float).to_numpy()
        values += list(v)
        sns.scatterplot(x=v, y=y, color=color, s=70, zorder=3, label=wave, legend=False, ax=ax)
    if target is not None:
        reference_line(ax, target, kind="target", axis="x", percent=percent)
    ax.set_yticks(y, cats)
    ax.set_ylim(max(len(cats), 1) - 0.5, -0.5)
    ax.set_xlim(*_span(values + ([target] if target is not None else [])))
    if not cats:
        ax.text(0.5, 0.5, EMPTY_NOTE, transform=ax.transAxes, ha="center", va="center")
    ax.grid(axis="y", visible=False)
    ax.set_ylabel("")
    if percent:
        percent_axis(ax, "x")


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
    """Before → after per row: a grey dot (before), a blue dot (after) joined by a line.

    The value axis spans the data (it starts where they do, not at 0).

    Examples
    --------
    >>> d = pd.DataFrame({"kind": ["knowledge"], "mean_pre": [3.3], "mean_post": [3.4]})
    >>> bool(dumbbell(d, label="kind", title="Scores", xlabel="points").axes[0].get_xlim()[0] > 3)
    True
    """
    fig, ax = new_figure(height=0.45 * len(df) + 1.9)
    _dumbbell_axis(ax, df, label=label, pre=pre, post=post, target=target, percent=percent)
    ax.set(title=title, xlabel=xlabel)
    legend_below(fig, ax)
    return fig


def profile_panels(profile: pd.DataFrame, *, panel: str | None, title: str) -> Figure:
    """Capability profile as small multiples: one panel per ``panel`` value, before → after per competency.

    ``profile`` is :func:`trackreport.chapters.behaviour.capability_profile`'s output
    (``panel, competency, wave, rating, n``). The panels share the rating axis, which
    spans the data.

    Examples
    --------
    >>> p = pd.DataFrame({"segment": ["a"] * 4, "competency": ["x", "x", "y", "y"], "wave": ["pre", "post"] * 2,
    ...                   "n": 9, "rating": [3.1, 3.5, 3.3, 3.6]})
    >>> profile_panels(p, panel="segment", title="Profile").axes[0].get_title()
    'a (n = 9)'
    """
    panels = [None] if panel is None else list(dict.fromkeys(profile[panel]))
    comps = list(dict.fromkeys(profile["competency"]))
    ncol = min(3, len(panels))
    nrow = int(np.ceil(len(panels) / ncol))
    width = 2.4 * ncol + 1.8
    fig, axes = new_grid(
        nrow, ncol, width=width, height=(0.42 * len(comps) + 1.4) * nrow + 1.0, sharex=True, sharey=True
    )
    xlim = _span(profile["rating"].astype(float).tolist())
    for ax, p in zip(axes.flat, panels):
        d = profile if p is None else profile[profile[panel] == p]
        wide = d.pivot_table(index="competency", columns="wave", values="rating", aggfunc="first").reindex(comps)
        _dumbbell_axis(ax, wide.reset_index(), label="competency", pre="pre", post="post", target=None, percent=False)
        n = int(d["n"].max()) if "n" in d and len(d) else 0
        group = _("all trainees") if p is None else str(p) if language() == "en" else code_text(p)
        ax.set_title(_("{group} (n = {n})", group=group, n=n))
        ax.set_xlim(*xlim)
        ax.set_xlabel(_("mean rating (1-5)"))
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.suptitle(title)
    legend_below(fig)
    return fig


def change_heatmap(
    changes: pd.DataFrame, *, row: str, col: str, title: str, value_label: str, decimals: int = 2
) -> Figure:
    """A grid of changes (``row`` x ``col``) as a heatmap centred on zero, each cell annotated.

    ``changes`` has one row per cell with ``value``, ``ci_low``, ``ci_high`` (e.g.
    :func:`trackreport.chapters.behaviour.rating_change` by ``[rater_type, competency]``,
    one group); callers pass only cells large enough to show. A star marks a cell whose
    Benjamini-Hochberg ``q_value`` is below 0.05 when the frame has one (the grid is
    exploratory and its table stars the same cells), else whose 95% interval excludes
    zero; missing cells stay blank.

    Examples
    --------
    >>> c = pd.DataFrame({"competency": ["x", "x"], "rater_type": ["peer", "self"], "value": [0.5, -0.1],
    ...                   "ci_low": [0.1, -0.4], "ci_high": [0.9, 0.2]})
    >>> fig = change_heatmap(c, row="competency", col="rater_type", title="Change", value_label="points")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['+0.50*', '-0.10']
    >>> fig = change_heatmap(c.assign(q_value=[0.2, 0.9]), row="competency", col="rater_type", title="Change",
    ...                      value_label="points")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['+0.50', '-0.10']
    """
    rows = list(dict.fromkeys(changes[row]))
    cols = list(dict.fromkeys(changes[col]))
    grid = changes.pivot_table(index=row, columns=col, values="value", aggfunc="first").reindex(
        index=rows, columns=cols
    )
    if "q_value" in changes.columns:  # the table's rule: a 5% false discovery rate over the grid
        sig = changes.assign(_s=changes["q_value"] < 0.05)
    else:
        sig = changes.assign(_s=(changes["ci_low"] > 0) | (changes["ci_high"] < 0))
    stars = sig.pivot_table(index=row, columns=col, values="_s", aggfunc="first").reindex(index=rows, columns=cols)
    text = grid.copy().astype(object)
    for r in rows:
        for c in cols:
            v = grid.loc[r, c]
            text.loc[r, c] = "" if pd.isna(v) else f"{v:+.{decimals}f}" + ("*" if stars.loc[r, c] == 1 else "")
    fig, ax = new_figure(height=0.45 * len(rows) + 2.0)
    vmax = float(np.nanmax(np.abs(grid.to_numpy(float)))) if grid.notna().any().any() else 1.0
    sns.heatmap(
        grid.astype(float),
        annot=text.to_numpy(),
        fmt="",
        cmap=sns.diverging_palette(30, 250, s=80, l=55, as_cmap=True),
        center=0.0,
        vmin=-vmax,
        vmax=vmax,
        linewidths=1,
        linecolor="white",
        cbar_kws={"label": value_label},
        ax=ax,
    )
    ax.set_yticks(np.arange(len(rows)) + 0.5, [code_text(r) for r in rows], rotation=0)
    ax.set_xticks(np.arange(len(cols)) + 0.5, [code_text(c) for c in cols], rotation=0)
    axis = col.replace("_", " ") if language() == "en" else _(_AXIS_LABELS.get(col, code_label(col)))
    xlabel = _("{axis} (* = 95% interval excludes zero)", axis=axis)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return fig


def change_forest(df: pd.DataFrame, *, label: str, title: str, xlabel: str, percent: bool = False) -> Figure:
    """Changes with 95% intervals, trained (blue), comparison (orange) and their difference (green).

    ``percent``: the changes are of 0-1 shares, shown in percentage points (``+10 pp``).

    ``df`` is :func:`trackreport.chapters.evaluation.compare_change`'s output; one row per
    ``label`` value, the groups dodged within it.

    Examples
    --------
    >>> d = pd.DataFrame({"kpi": ["display"] * 3, "group": ["trained", "comparison", "difference"],
    ...                   "value": [0.1, 0.02, 0.08], "ci_low": [0.05, -0.02, 0.02], "ci_high": [0.15, 0.06, 0.14]})
    >>> change_forest(d, label="kpi", title="t", xlabel="change").axes[0].get_yticklabels()[0].get_text()
    'display'
    """
    d = df.dropna(subset=["value"])
    palette = GROUP_COLORS
    if language() != "en":  # the chart's words in the report's language; each group keeps its colour
        d = d.assign(**{label: d[label].map(code_text), "group": d["group"].map(_)})
        palette = {_(k): v for k, v in GROUP_COLORS.items()}
    fig = forest(d, label=label, hue="group", palette=palette, title=title, xlabel=xlabel, dodge=label != "group")
    if percent:
        pp_axis(fig.axes[0], "x")
    return fig
