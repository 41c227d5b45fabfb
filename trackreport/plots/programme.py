"""Charts of chapters 02 (curriculum), 04 (implementation) and 08 (collaboration).

Drawing only: every function takes a tidy frame returned by :mod:`trackreport.chapters.curriculum`,
:mod:`trackreport.chapters.delivery` or :mod:`trackreport.chapters.collaboration` and returns a
matplotlib Figure with a title and axis labels with units.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from trackreport.i18n import N_, _
from trackreport.plots import BEFORE, COMPARISON, PALETTE, TRAINED, legend_below, new_figure, percent_axis, point_ci
from trackreport.stats.display import label as code_label

__all__ = ["planned_vs_delivered", "checkins_by_week", "team_vs_others"]

_BELOW = PALETTE[3]

#: Axis names of the columns a chart is drawn by (translated where drawn).
_AXIS = {"module_type": N_("module type"), "delivery": N_("delivery")}


def planned_vs_delivered(hours: pd.DataFrame, *, label: str, title: str) -> Figure:
    """Planned (grey) and delivered (blue) teaching hours side by side per ``label``.

    ``hours`` is :func:`trackreport.chapters.curriculum.hours_by`'s output (``planned_hours``,
    ``delivered_hours``; delivered may be NaN without design records: only planned is drawn).
    Hours are amounts, so the bars start at 0.

    Examples
    --------
    >>> h = pd.DataFrame({"module_type": ["theory", "tool"], "planned_hours": [18.0, 8.0],
    ...                   "delivered_hours": [17.5, 8.0]})
    >>> planned_vs_delivered(h, label="module_type", title="Hours").axes[0].get_ylabel()
    'teaching hours'
    """
    fig, ax = new_figure(height=3.6)
    planned, delivered = _("planned"), _("delivered")
    cols = {"planned_hours": planned}
    if hours["delivered_hours"].astype("float64").notna().any():
        cols["delivered_hours"] = delivered
    long = (
        hours.assign(_cat=[_(code_label(v)) for v in hours[label].astype(str)])
        .melt(id_vars="_cat", value_vars=list(cols), var_name="kind", value_name="hours")
        .assign(kind=lambda d: d["kind"].map(cols), hours=lambda d: d["hours"].astype("float64"))
    )
    sns.barplot(
        data=long,
        x="_cat",
        y="hours",
        hue="kind",
        palette={planned: BEFORE, delivered: TRAINED},
        errorbar=None,
        saturation=1.0,
        ax=ax,
    )
    ax.set(title=title, ylabel=_("teaching hours"), xlabel=_(_AXIS.get(label, label.replace("_", " "))))
    ax.grid(axis="x", visible=False)
    legend_below(fig, ax)
    return fig


def checkins_by_week(weeks: pd.DataFrame, *, target: float, title: str) -> Figure:
    """Weekly check-in completion with 95% intervals against the target line.

    ``weeks`` is :func:`trackreport.chapters.delivery.checkin_weeks`'s output; weeks whose
    share is below the target are drawn in vermillion. The value axis spans the data.

    Examples
    --------
    >>> w = pd.DataFrame({"week": [1, 2], "share": [0.9, 0.8], "ci_low": [0.8, 0.7], "ci_high": [0.95, 0.88]})
    >>> checkins_by_week(w, target=0.85, title="Check-ins").axes[0].get_xlabel()
    'week of the programme'
    """
    below, at_or_above = _("below target"), _("at or above target")
    status = (weeks["share"] < target).map({True: below, False: at_or_above})
    fig = point_ci(
        weeks.assign(status=status),
        x="week",
        y="share",
        hue="status",
        palette={at_or_above: TRAINED, below: _BELOW},
        title=title,
        value_label=_("trainees who checked in"),
        cat_label=_("week of the programme"),
        target=target,
        percent=True,
        dodge=False,
    )
    return fig


def team_vs_others(
    panel: pd.DataFrame,
    *,
    team: str,
    measure: str,
    before: tuple[pd.Timestamp, pd.Timestamp],
    after: tuple[pd.Timestamp, pd.Timestamp],
    title: str,
    ylabel: str,
    percent: bool = False,
) -> Figure:
    """Monthly ``measure`` of the team against the mean of the other teams, windows shaded.

    ``panel`` is :func:`trackreport.chapters.collaboration.team_month_panel`'s output (one
    row per team and month). The gap's change between the shaded windows is what the
    difference in differences estimates.

    Examples
    --------
    >>> p = pd.DataFrame({"team": ["a", "a", "b", "b"], "month": pd.to_datetime(["2025-04-01", "2025-10-01"] * 2),
    ...                   "execution_rate": [0.7, 0.85, 0.72, 0.73]})
    >>> w = (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30")), (pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31"))
    >>> team_vs_others(p, team="a", measure="execution_rate", before=w[0], after=w[1], title="t", ylabel="y").axes[0].get_title()
    't'
    """
    fig, ax = new_figure(height=3.8)
    p = panel.dropna(subset=[measure])
    own_name, others_name = _("{team} (trained team)", team=team), _("other teams (mean)")
    own = p[p["team"] == team].assign(who=own_name)
    others = p[p["team"] != team].groupby("month", as_index=False)[measure].mean().assign(who=others_name)
    for (a, b), name in ((before, _("before")), (after, _("after"))):
        ax.axvspan(a, b, color="#e8edf3", zorder=0)
        mid = mdates.date2num(a + (b - a) / 2)
        ax.text(mid, 0.98, name, transform=ax.get_xaxis_transform(), ha="center", va="top")
    lines = pd.concat([others, own[["month", measure, "who"]]], ignore_index=True)
    sns.lineplot(
        data=lines,
        x="month",
        y=measure,
        hue="who",
        palette={others_name: COMPARISON, own_name: TRAINED},
        marker="o",
        errorbar=None,
        ax=ax,
    )
    if percent:
        percent_axis(ax)
    ax.set(title=title, ylabel=ylabel, xlabel=_("month"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.tick_params(axis="x", rotation=30)
    legend_below(fig, ax)
    return fig
