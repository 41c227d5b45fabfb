"""Charts of chapters 06 (sales before and after) and 09 (customer feedback).

Drawing only: every function takes a tidy frame returned by :mod:`trackreport.chapters.sales` or
:mod:`trackreport.chapters.customers` and returns a matplotlib Figure with a title and axis
labels with units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trackreport.i18n import N_, _
from trackreport.plots import (
    BEFORE,
    COMPARISON,
    GROUP_COLORS,
    PALETTE,
    TRAINED,
    legend_below,
    money_axis,
    new_figure,
    new_grid,
    percent_axis,
    point_ci,
    wrap_label,
)
from trackreport.stats.display import label

__all__ = [
    "monthly_trained_vs_comparison",
    "change_decomposition",
    "effects_forest",
    "event_study_chart",
    "complaint_mix",
    "before_after_groups",
]

_LIGHT_BLUE = sns.light_palette(TRAINED, n_colors=4).as_hex()
_STEPS = [
    ("naive", N_("Before/after change (trained reps)"), _LIGHT_BLUE[1]),
    ("adjusted", N_("Seasonally adjusted change"), _LIGHT_BLUE[2]),
    ("comparison", N_("Comparison group's change"), COMPARISON),
    ("effect", N_("Training's effect (DiD, 95% CI)"), TRAINED),
]


def monthly_trained_vs_comparison(
    series: pd.DataFrame, *, title: str, ylabel: str, percent: bool = False, money: bool = False
) -> Figure:
    """Monthly mean of a measure, trained vs comparison reps, windows shaded.

    ``series`` is :func:`trackreport.chapters.sales.monthly_series`: the before window and the
    after window are shaded light, the training quarter darker. The lines are the frame's
    monthly means (seaborn draws them without an interval of its own).
    """
    fig, ax = new_figure(height=4.0)
    names = {"trained": _("Trained reps (this cohort)"), "comparison": _("Comparison reps (not yet / never trained)")}
    r = series.iloc[0]
    ax.axvspan(r["before_start"], r["quarter_start"], color="#e8eef6", label=_("Before window"))
    ax.axvspan(
        r["quarter_start"],
        r["quarter_end"] + pd.Timedelta(days=1),
        color="#eeeeee",
        label=_("Training quarter (left out)"),
    )
    ax.axvspan(r["quarter_end"] + pd.Timedelta(days=1), r["after_end"], color="#e6f2ec", label=_("After window"))
    d = series[series["group"].isin(list(names))].assign(who=lambda f: f["group"].map(names)).sort_values("month")
    sns.lineplot(
        data=d,
        x="month",
        y="value",
        hue="who",
        hue_order=[names["trained"], names["comparison"]],
        palette={names["trained"]: TRAINED, names["comparison"]: COMPARISON},
        marker="o",
        lw=2,
        errorbar=None,
        ax=ax,
    )
    if percent:
        percent_axis(ax)
    if money:
        money_axis(ax)
    ax.set(title=title, ylabel=ylabel, xlabel=_("Month"))
    ax.tick_params(axis="x", rotation=30)
    legend_below(fig, ax, ncols=2)
    return fig


def _decomposition_axis(ax: Axes, t: pd.DataFrame, *, relative: bool) -> None:
    rows = []
    for col, name, __ in _STEPS:
        if relative:
            # growth factors - 1, as the table and the sentence show them (trained = comparison x effect)
            source = {"naive": "trained_factor", "comparison": "comparison_factor", "effect": "effect_factor"}
            v = (t[source[col]] - 1 if col in source else t[f"{col}_relative"]).to_numpy(float)
        else:
            v = t[col].to_numpy(float) * 100
        rows.append(pd.DataFrame({"label": [wrap_label(_(x)) for x in t["label"]], "step": _(name), "value": v}))
    long = pd.concat(rows, ignore_index=True)
    sns.barplot(
        data=long.fillna({"value": 0.0}),
        y="label",
        x="value",
        hue="step",
        hue_order=[_(s[1]) for s in _STEPS],
        palette={_(name): color for __, name, color in _STEPS},
        orient="h",
        errorbar=None,
        saturation=1.0,
        ax=ax,
    )
    # the effect's interval from the frame, at the effect bars seaborn drew
    if relative:
        lo, hi = t["relative_ci_low"].to_numpy(float), t["relative_ci_high"].to_numpy(float)
    else:
        lo, hi = t["effect_ci_low"].to_numpy(float) * 100, t["effect_ci_high"].to_numpy(float) * 100
    bars = ax.containers[-1]
    for bar, a, b in zip(bars, lo, hi):
        if np.isfinite(a) and np.isfinite(b):
            yy = bar.get_y() + bar.get_height() / 2
            ax.hlines(yy, a, b, color="black", lw=1.4, zorder=3)
            ax.vlines([a, b], yy - bar.get_height() / 3, yy + bar.get_height() / 3, color="black", lw=1.4, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_ylabel("")
    if relative:
        percent_axis(ax, "x")
        ax.set_xlabel(_("Growth from before to after, % (effect: trained growth / comparison growth - 1)"))
    else:
        ax.set_xlabel(_("Change, percentage points"))


def change_decomposition(table: pd.DataFrame, *, title: str) -> Figure:
    """The one-glance chart: what changed vs what the training changed, per measure.

    For each measure of :func:`trackreport.chapters.sales.sales_attribution` four bars: the
    trained reps' naive before/after change, the seasonally adjusted change, the
    comparison group's change and the training's effect (DiD) with its 95% interval.
    Volume measures in % (top), shares in percentage points (bottom). Bars of changes
    start at 0 (no change).
    """
    rel = table[table["kind"] == "relative"]
    ab = table[table["kind"] != "relative"]
    heights = [max(len(rel), 1), max(len(ab), 1)]
    fig, axes = new_grid(2, 1, width=7.5, height=1.1 * sum(heights) + 2.6, height_ratios=heights)
    for ax, part, relative in ((axes[0, 0], rel, True), (axes[1, 0], ab, False)):
        if len(part):
            _decomposition_axis(ax, part, relative=relative)
    axes[0, 0].set_title(title)
    legend_below(fig, axes[0, 0], ncols=2)
    if axes[1, 0].get_legend() is not None:
        axes[1, 0].get_legend().remove()
    return fig


def effects_forest(table: pd.DataFrame, *, title: str) -> Figure:
    """Forest plot of the training's effects with 95% intervals (% for volumes, pp for shares).

    Measures whose effect cannot be estimated are listed without a point.
    """
    rel = table[table["kind"] == "relative"]
    ab = table[table["kind"] != "relative"]
    heights = [max(len(rel), 1), max(len(ab), 1)]
    fig, axes = new_grid(2, 1, height=0.5 * sum(heights) + 2.4, height_ratios=heights)
    parts = (
        (
            axes[0, 0],
            rel,
            ("relative_effect", "relative_ci_low", "relative_ci_high"),
            1.0,
            _("Effect, % of the level without training"),
        ),
        (axes[1, 0], ab, ("effect", "effect_ci_low", "effect_ci_high"), 100.0, _("Effect, percentage points")),
    )
    for ax, part, (v, lo, hi), k, xlabel in parts:
        d = pd.DataFrame(
            {
                "label": [_(v) for v in part["label"].astype(str)],
                "value": part[v].to_numpy(float) * k,
                "ci_low": part[lo].to_numpy(float) * k,
                "ci_high": part[hi].to_numpy(float) * k,
            }
        )
        point_ci(
            d,
            x="label",
            y="value",
            horizontal=True,
            zero=0.0,
            value_label=xlabel,
            percent=k == 1.0,
            ax=ax,
            legend=False,
        )
    axes[0, 0].set_title(title)
    return fig


def event_study_chart(coefs: pd.DataFrame, *, measure: str, title: str, ylabel: str) -> Figure:
    """Event-study gaps (trained minus comparison, relative to the last month before) by month, with 95% intervals."""
    d = coefs[coefs["measure"] == measure].sort_values("event_time")
    before, after = _("before the training"), _("after the training")
    d = d.assign(
        when=np.where(d["event_time"] < 0, before, after),
        event_time=d["event_time"].astype(int).astype(str),
    )
    fig = point_ci(
        d,
        x="event_time",
        y="coef",
        hue="when",
        palette={before: BEFORE, after: TRAINED},
        dodge=False,
        zero=0.0,
        title=title,
        value_label=ylabel,
        cat_label=_("Months relative to the training (-1 = last month before the quarter; 0 = first month after)"),
    )
    money_axis(fig.axes[0])
    return fig


def complaint_mix(mix: pd.DataFrame, *, title: str) -> Figure:
    """Complaint type mix, share of complaints per type, one bar per period (shares start at 0).

    ``mix`` is :func:`trackreport.chapters.customers.complaint_mix`: ``type``, ``period``, ``share``.
    """
    fig, ax = new_figure()
    mix = mix.assign(type=mix["type"].astype(str).map(label), period=mix["period"].astype(str).map(label))
    periods = list(dict.fromkeys(mix["period"]))
    colors = [BEFORE, TRAINED] if len(periods) == 2 else PALETTE
    sns.barplot(
        data=mix,
        x="type",
        y="share",
        hue="period",
        hue_order=periods,
        palette=dict(zip(periods, colors)),
        errorbar=None,
        saturation=1.0,
        ax=ax,
    )
    percent_axis(ax)
    ax.grid(axis="x", visible=False)
    ax.set(title=title, ylabel=_("Share of complaints"), xlabel="")
    legend_below(fig, ax)
    return fig


def before_after_groups(df: pd.DataFrame, *, title: str, ylabel: str, target: float | None = None) -> Figure:
    """Before → after of the trained and the comparison group with 95% intervals (a slope chart).

    ``df``: ``group``, ``period`` (before/after), ``value``, ``ci_low``, ``ci_high``. Each
    group's two points are joined; the gap between the two slopes is what the difference in
    differences estimates. The value axis spans the data and the target.
    """
    return point_ci(
        df,
        x="period",
        y="value",
        hue="group",
        palette=GROUP_COLORS,
        connect=True,
        title=title,
        value_label=ylabel,
        target=target,
    )
