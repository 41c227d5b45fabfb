"""Charts of chapters 02 (curriculum), 04 (implementation) and 08 (collaboration).

Drawing only: every function takes a tidy frame returned by :mod:`trackreport.chapters.curriculum`,
:mod:`trackreport.chapters.delivery` or :mod:`trackreport.chapters.collaboration` and returns a
matplotlib Figure with a title and axis labels with units.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from trackreport.plots import COMPARISON, PALETTE, TRAINED, new_figure, percent_axis

__all__ = ["planned_vs_delivered", "checkins_by_week", "team_vs_others"]

_BELOW = PALETTE[3]
_TARGET = "#b5473a"


def planned_vs_delivered(hours: pd.DataFrame, *, label: str, title: str) -> Figure:
    """Planned (grey) and delivered (blue) teaching hours side by side per ``label``.

    ``hours`` is :func:`trackreport.chapters.curriculum.hours_by`'s output (``planned_hours``,
    ``delivered_hours``; delivered may be NaN without design records: only planned is drawn).

    Examples
    --------
    >>> h = pd.DataFrame({"module_type": ["theory", "tool"], "planned_hours": [18.0, 8.0],
    ...                   "delivered_hours": [17.5, 8.0]})
    >>> planned_vs_delivered(h, label="module_type", title="Hours").axes[0].get_ylabel()
    'teaching hours'
    """
    fig, ax = new_figure(height=3.4)
    x = np.arange(len(hours))
    ax.bar(x - 0.2, hours["planned_hours"], width=0.4, color=COMPARISON, label="planned")
    delivered = hours["delivered_hours"].astype("float64")
    if delivered.notna().any():
        ax.bar(x + 0.2, delivered.fillna(0.0), width=0.4, color=TRAINED, label="delivered")
    ax.set_xticks(x, [str(v).replace("_", " ") for v in hours[label]])
    ax.set(title=title, ylabel="teaching hours", xlabel=label.replace("_", " "))
    ax.legend(frameon=False, fontsize=8)
    return fig


def checkins_by_week(weeks: pd.DataFrame, *, target: float, title: str) -> Figure:
    """Weekly check-in completion with 95% intervals against the target line.

    ``weeks`` is :func:`trackreport.chapters.delivery.checkin_weeks`'s output; weeks whose
    share is below the target are drawn in red.

    Examples
    --------
    >>> w = pd.DataFrame({"week": [1, 2], "share": [0.9, 0.8], "ci_low": [0.8, 0.7], "ci_high": [0.95, 0.88]})
    >>> checkins_by_week(w, target=0.85, title="Check-ins").axes[0].get_xlabel()
    'week of the programme'
    """
    fig, ax = new_figure(height=3.2)
    below = (weeks["share"] < target).to_numpy()
    for ok, color, name in ((False, TRAINED, "at or above target"), (True, _BELOW, "below target")):
        d = weeks[below == ok]
        if d.empty:
            continue
        err = np.vstack([(d["share"] - d["ci_low"]).clip(lower=0), (d["ci_high"] - d["share"]).clip(lower=0)])
        ax.errorbar(d["week"], d["share"], yerr=err, fmt="o", color=color, capsize=3, label=name)
    ax.axhline(target, color=_TARGET, ls="--", lw=1, label=f"target {target:.0%}")
    ax.set_xticks(weeks["week"].to_numpy())
    ax.set_ylim(min(0.5, float(weeks["ci_low"].min()) - 0.05), 1.02)
    percent_axis(ax)
    ax.set(title=title, ylabel="trainees who checked in", xlabel="week of the programme")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
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
    fig, ax = new_figure(height=3.4)
    p = panel.dropna(subset=[measure])
    own = p[p["team"] == team].sort_values("month")
    others = p[p["team"] != team].groupby("month", as_index=False)[measure].mean()
    for (a, b), name in ((before, "before"), (after, "after")):
        ax.axvspan(a, b, color="#e8edf3", zorder=0)
        mid = mdates.date2num(a + (b - a) / 2)
        ax.text(mid, 0.98, name, transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=8)
    if not others.empty:
        ax.plot(others["month"], others[measure], "-o", ms=3, color=COMPARISON, label="other teams (mean)")
    ax.plot(own["month"], own[measure], "-o", ms=3, color=TRAINED, label=f"{team} (trained team)")
    if percent:
        percent_axis(ax)
    ax.set(title=title, ylabel=ylabel, xlabel="month")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.autofmt_xdate()
    return fig
