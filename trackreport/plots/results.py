"""Charts of chapters 06 (sales before and after) and 09 (customer feedback).

Drawing only: every function takes a tidy frame returned by :mod:`trackreport.chapters.sales` or
:mod:`trackreport.chapters.customers` and returns a matplotlib Figure with a title and axis
labels with units.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from trackreport.plots import COMPARISON, PALETTE, TRAINED, money_axis, new_figure, percent_axis

__all__ = [
    "monthly_trained_vs_comparison",
    "change_decomposition",
    "effects_forest",
    "event_study_chart",
    "complaint_mix",
    "before_after_groups",
]

_STEPS = [
    ("naive", "Before/after change (trained reps)", "#c9d3df"),
    ("adjusted", "Seasonally adjusted change", "#8fa8c8"),
    ("comparison", "Comparison group's change", COMPARISON),
    ("effect", "Training's effect (DiD, 95% CI)", TRAINED),
]


def monthly_trained_vs_comparison(
    series: pd.DataFrame, *, title: str, ylabel: str, percent: bool = False, money: bool = False
) -> Figure:
    """Monthly mean of a measure, trained vs comparison reps, windows shaded.

    ``series`` is :func:`trackreport.chapters.sales.monthly_series`: the before window and the
    after window are shaded light, the training quarter darker.
    """
    fig, ax = new_figure(height=3.8)
    for group, color in (("trained", TRAINED), ("comparison", COMPARISON)):
        d = series[series["group"] == group].sort_values("month")
        label = "Trained reps (this cohort)" if group == "trained" else "Comparison reps (not yet / never trained)"
        ax.plot(d["month"], d["value"], marker="o", ms=3, color=color, lw=2, label=label)
    r = series.iloc[0]
    ax.axvspan(r["before_start"], r["quarter_start"], color="#e8eef6", label="Before window")
    ax.axvspan(
        r["quarter_start"],
        r["quarter_end"] + pd.Timedelta(days=1),
        color="#f6dfcf",
        label="Training quarter (left out)",
    )
    ax.axvspan(r["quarter_end"] + pd.Timedelta(days=1), r["after_end"], color="#dff0e4", label="After window")
    if percent:
        percent_axis(ax)
    if money:
        money_axis(ax)
    ax.set(title=title, ylabel=ylabel, xlabel="Month")
    ax.legend(frameon=False, fontsize=7, loc="upper left", ncols=2)
    fig.autofmt_xdate()
    return fig


def _decomposition_axis(ax, t: pd.DataFrame, *, relative: bool) -> None:
    labels = t["label"].tolist()
    y = np.arange(len(t))[::-1]
    h = 0.8 / len(_STEPS)
    for i, (col, name, color) in enumerate(_STEPS):
        if relative:
            # growth factors - 1, as the table and the sentence show them (trained = comparison x effect)
            source = {"naive": "trained_factor", "comparison": "comparison_factor", "effect": "effect_factor"}
            v = (t[source[col]] - 1 if col in source else t[f"{col}_relative"]).to_numpy(float)
            lo = t["relative_ci_low"].to_numpy(float) if col == "effect" else None
            hi = t["relative_ci_high"].to_numpy(float) if col == "effect" else None
        else:
            v = t[col].to_numpy(float) * 100
            lo = t["effect_ci_low"].to_numpy(float) * 100 if col == "effect" else None
            hi = t["effect_ci_high"].to_numpy(float) * 100 if col == "effect" else None
        pos = y + (len(_STEPS) / 2 - i - 0.5) * h
        xerr = None
        if lo is not None:
            xerr = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
            xerr = np.nan_to_num(xerr)
        ax.barh(
            pos,
            np.nan_to_num(v),
            height=h * 0.9,
            color=color,
            label=name,
            xerr=xerr,
            capsize=2,
            error_kw={"elinewidth": 1},
        )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    if relative:
        percent_axis(ax, "x")
        ax.set_xlabel("Growth from before to after, % (effect: trained growth / comparison growth - 1)")
    else:
        ax.set_xlabel("Change, percentage points")


def change_decomposition(table: pd.DataFrame, *, title: str) -> Figure:
    """The one-glance chart: what changed vs what the training changed, per measure.

    For each measure of :func:`trackreport.chapters.sales.sales_attribution` four bars: the
    trained reps' naive before/after change, the seasonally adjusted change, the
    comparison group's change and the training's effect (DiD) with its 95% interval.
    Volume measures in % (top), shares in percentage points (bottom).
    """
    rel = table[table["kind"] == "relative"]
    ab = table[table["kind"] != "relative"]
    heights = [max(len(rel), 1), max(len(ab), 1)]
    fig, axes = plt.subplots(2, 1, figsize=(8, 0.9 * sum(heights) + 2.2), layout="constrained", height_ratios=heights)
    for ax, part, relative in ((axes[0], rel, True), (axes[1], ab, False)):
        ax.spines[["top", "right"]].set_visible(False)
        if len(part):
            _decomposition_axis(ax, part, relative=relative)
    axes[0].set_title(title)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig


def effects_forest(table: pd.DataFrame, *, title: str) -> Figure:
    """Forest plot of the training's effects with 95% intervals (% for volumes, pp for shares).

    Measures whose effect cannot be estimated are listed without a point.
    """
    rel = table[table["kind"] == "relative"]
    ab = table[table["kind"] != "relative"]
    heights = [max(len(rel), 1), max(len(ab), 1)]
    fig, axes = plt.subplots(
        2, 1, figsize=(7.5, 0.45 * sum(heights) + 2.0), layout="constrained", height_ratios=heights
    )
    parts = (
        (
            axes[0],
            rel,
            ("relative_effect", "relative_ci_low", "relative_ci_high"),
            1.0,
            "Effect, % of the level without training",
        ),
        (axes[1], ab, ("effect", "effect_ci_low", "effect_ci_high"), 100.0, "Effect, percentage points"),
    )
    for ax, part, (v, lo, hi), k, xlabel in parts:
        ax.spines[["top", "right"]].set_visible(False)
        y = np.arange(len(part))[::-1]
        for yy, (_, r) in zip(y, part.iterrows()):
            if math.isfinite(r[v]):
                ax.plot([r[lo] * k, r[hi] * k], [yy, yy], color=TRAINED, lw=2)
                ax.plot(r[v] * k, yy, "o", color=TRAINED)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, part["label"].tolist(), fontsize=8)
        ax.set_ylim(-0.7, len(part) - 0.3)
        if k == 1.0:
            percent_axis(ax, "x")
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_title(title)
    return fig


def event_study_chart(coefs: pd.DataFrame, *, measure: str, title: str, ylabel: str) -> Figure:
    """Event-study gaps (trained minus comparison, relative to the last month before) by month."""
    d = coefs[coefs["measure"] == measure].sort_values("event_time")
    fig, ax = new_figure()
    pre = d["event_time"] < 0
    for mask, color, label in ((pre, COMPARISON, "before the training"), (~pre, TRAINED, "after the training")):
        dd = d[mask]
        ax.errorbar(
            dd["event_time"],
            dd["coef"],
            yerr=np.nan_to_num(np.vstack([dd["coef"] - dd["ci_low"], dd["ci_high"] - dd["coef"]])),
            fmt="o",
            color=color,
            capsize=3,
            label=label,
        )
    ax.axhline(0, color="black", lw=0.8)
    ax.set(
        title=title,
        ylabel=ylabel,
        xlabel="Months relative to the training (-1 = last month before the quarter; 0 = first month after)",
    )
    ax.legend(frameon=False, fontsize=8)
    return fig


def complaint_mix(mix: pd.DataFrame, *, title: str) -> Figure:
    """Complaint type mix, share of complaints per type, one bar group per period.

    ``mix`` is :func:`trackreport.chapters.customers.complaint_mix`: ``type``, ``period``, ``share``.
    """
    return _grouped(mix, x="type", hue="period", y="share", title=title, ylabel="Share of complaints", percent=True)


def _grouped(
    df: pd.DataFrame,
    *,
    x: str,
    hue: str,
    y: str,
    title: str,
    ylabel: str,
    percent: bool = False,
    lo: str | None = None,
    hi: str | None = None,
) -> Figure:
    fig, ax = new_figure()
    cats = list(dict.fromkeys(df[x]))
    groups = list(dict.fromkeys(df[hue]))
    width = 0.8 / len(groups)
    for i, g in enumerate(groups):
        d = df[df[hue] == g].set_index(x).reindex(cats)
        pos = np.arange(len(cats)) + (i - (len(groups) - 1) / 2) * width
        err = None
        if lo is not None and hi is not None:
            err = np.nan_to_num(np.vstack([(d[y] - d[lo]).clip(lower=0), (d[hi] - d[y]).clip(lower=0)]))
        ax.bar(
            pos,
            d[y].to_numpy(float),
            width=width * 0.95,
            color=PALETTE[i % len(PALETTE)],
            label=str(g),
            yerr=err,
            capsize=3,
        )
    ax.set_xticks(np.arange(len(cats)), [str(c) for c in cats])
    if percent:
        percent_axis(ax)
    ax.set(title=title, ylabel=ylabel, xlabel="")
    ax.legend(frameon=False, fontsize=8)
    return fig


def before_after_groups(df: pd.DataFrame, *, title: str, ylabel: str, target: float | None = None) -> Figure:
    """Before/after value of trained and comparison groups with 95% intervals.

    ``df``: ``group``, ``period`` (before/after), ``value``, ``ci_low``, ``ci_high``.
    """
    fig = _grouped(df, x="group", hue="period", y="value", title=title, ylabel=ylabel, lo="ci_low", hi="ci_high")
    if target is not None:
        ax = fig.axes[0]
        ax.axhline(target, color="#b5473a", ls="--", lw=1, label="target")
        ax.legend(frameon=False, fontsize=8)
    return fig
