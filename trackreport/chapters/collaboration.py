"""Chapter 08, team collaboration: decisions, approvals, conflicts, shared library, cases.

Collaboration is measured per team (``meetings``, ``approvals``, ``conflicts``) and per
person (``kb_usage``). Tidy frames in, tidy frames or :class:`Estimate` out.

- **Team-month measures** (:func:`team_month_panel`): decision execution rate =
  Σ executed / Σ taken of the month's meetings; mean hours to decide; share of urgent
  approvals decided within ``urgent_hours`` (among urgent approvals decided, by
  submission month); mean approval hours; mean hours to resolve a conflict (resolved
  ones, by opening month).
- **Trained team vs the other teams** (:func:`team_did`): the report's team against
  every other team of the data, before vs after window, difference in differences by
  :func:`trackreport.stats.attribution.did` on the team-month panel (unit = team,
  period = month, SE clustered by team, t with teams − 1 df). With one trained team
  and a handful of comparison teams the interval rests on few clusters and is
  approximate (Conley & Taber 2011); other teams may have had programmes of their own.
  Measures are team-level: everyone in the team, trained or not.
- **Shared library reuse** (:func:`library_use`): knowledge-base events per person and
  month in each window; the cohort's change beside the comparison group's and their
  difference (:func:`trackreport.chapters.evaluation.compare_change`, Welch interval).
- **Rotations and cross-domain problems** (:func:`rate_change`): rotations started and
  problems worked with another department per person-month, as for the library; the
  share of problems solved per group and window (:func:`solved_share`, Wilson) is an
  observation.
- **Cross-department cases** (:func:`case_table`): counts of successes, failures and
  innovations, observation only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from trackreport.chapters.evaluation import COMPARISON, TRAINED, compare_change
from trackreport.i18n import N_
from trackreport.stats.attribution import did_fit
from trackreport.stats.estimate import proportion

if TYPE_CHECKING:
    from trackreport.data.cohort import Windows

__all__ = [
    "MEASURES",
    "team_month_panel",
    "team_did",
    "library_use",
    "case_table",
    "outcome_counts",
    "people_groups",
    "rate_change",
    "solved_share",
]

MEASURES = {
    "execution_rate": (N_("Decisions executed by the agreed date"), "share", True),
    "decision_hours": (N_("Hours from issue raised to decision"), "hours", False),
    "urgent_in_time": (N_("Urgent approvals decided in time"), "share", True),
    "approval_hours": (N_("Hours to decide an approval"), "hours", False),
    "conflict_hours": (N_("Hours to resolve a conflict"), "hours", False),
}
"""Team-month measures: label (English, translated where shown), unit, higher is better."""

#: Column headers of the tables chapter 08 shows (:func:`team_did`, :func:`library_use`,
#: :func:`rate_change`, :func:`solved_share`, :func:`outcome_counts`, :func:`case_table`) as the
#: report's tables show them (``team_before`` -> "Team before"), marked for translation there.
_COLUMN_LABELS = {
    "label": N_("Label"),
    "team_before": N_("Team before"),
    "team_after": N_("Team after"),
    "others_before": N_("Others before"),
    "others_after": N_("Others after"),
    "effect": N_("Effect"),
    "group": N_("Group"),
    "mean_pre": N_("Mean pre"),
    "mean_post": N_("Mean post"),
    "value": N_("Value"),
    "window": N_("Window"),
    "outcome": N_("Outcome"),
    "before": N_("Before"),
    "after": N_("After"),
    "case_id": N_("Case id"),
    "date": N_("Date"),
    "departments": N_("Departments"),
    "title": N_("Title"),
}

#: Units of chapter 08's headlines (``unit=``), as the report shows them after the number.
_UNIT_WORDS = {"events": N_("events"), "per 100 person-months": N_("per 100 person-months")}

#: Cell words of those tables (codes of ``outcome``, ``group``, ``window``), translated where shown.
_CELL_WORDS = {
    "success": N_("success"),
    "failure": N_("failure"),
    "innovation": N_("innovation"),
    "trained": N_("trained"),
    "comparison": N_("comparison"),
    "difference": N_("difference"),
    "before": N_("before"),
    "after": N_("after"),
}


def _month(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M").dt.to_timestamp()


def team_month_panel(
    meetings: pd.DataFrame, approvals: pd.DataFrame, conflicts: pd.DataFrame, *, urgent_hours: float = 24.0
) -> pd.DataFrame:
    """One row per team and month with the collaboration measures (see the module doc).

    Examples
    --------
    >>> m = pd.DataFrame({"team": ["e", "e"], "date": pd.to_datetime(["2025-07-03", "2025-07-20"]),
    ...                   "decisions_taken": [4, 6], "decisions_executed": [3, 3], "decision_hours": [20.0, 40.0]})
    >>> a = pd.DataFrame({"team": ["e", "e"], "urgent": [True, True],
    ...     "submitted": pd.to_datetime(["2025-07-01 09:00", "2025-07-02 09:00"]),
    ...     "completed": pd.to_datetime(["2025-07-01 19:00", "2025-07-04 09:00"])})
    >>> x = pd.DataFrame({"team": ["e"], "opened": pd.to_datetime(["2025-07-05 08:00"]),
    ...                   "resolved": pd.to_datetime(["2025-07-06 08:00"])})
    >>> row = team_month_panel(m, a, x).iloc[0]
    >>> [float(row[k]) for k in ("execution_rate", "decision_hours", "urgent_in_time", "conflict_hours")]
    [0.6, 30.0, 0.5, 24.0]
    """
    m = meetings.assign(month=_month(meetings["date"]))
    mt = m.groupby(["team", "month"], observed=True).agg(
        _taken=("decisions_taken", "sum"),
        _exec=("decisions_executed", "sum"),
        decision_hours=("decision_hours", "mean"),
    )
    mt["execution_rate"] = (mt["_exec"] / mt["_taken"].where(mt["_taken"] > 0)).astype("float64")
    a = approvals[approvals["completed"].notna()]
    a = a.assign(month=_month(a["submitted"]), hours=(a["completed"] - a["submitted"]).dt.total_seconds() / 3600)
    a["_in"] = (a["hours"] <= urgent_hours).astype("float64")
    at = a.groupby(["team", "month"], observed=True).agg(approval_hours=("hours", "mean"))
    ut = (
        a[a["urgent"].fillna(False).astype(bool)]
        .groupby(["team", "month"], observed=True)
        .agg(urgent_in_time=("_in", "mean"))
    )
    c = conflicts[conflicts["resolved"].notna()]
    c = c.assign(month=_month(c["opened"]), hours=(c["resolved"] - c["opened"]).dt.total_seconds() / 3600)
    ct = c.groupby(["team", "month"], observed=True).agg(conflict_hours=("hours", "mean"))
    out = pd.concat([mt[["execution_rate", "decision_hours"]], ut, at, ct], axis=1).reset_index()
    return out[["team", "month", *MEASURES]].sort_values(["team", "month"], ignore_index=True)


def team_did(
    panel: pd.DataFrame, *, team: str, windows: Windows, measures: Sequence[str] = tuple(MEASURES)
) -> pd.DataFrame:
    """The team's before/after mean of each measure beside the other teams', and the DiD.

    Means are over team-months of each window; ``effect`` = (team after − before) −
    (others after − before) by :func:`trackreport.stats.attribution.did_fit` on the
    team-month rows of the two windows (clustered by team). ``n`` = teams.

    Examples
    --------
    >>> from trackreport.data.cohort import report_windows
    >>> months = pd.to_datetime(["2025-05-01", "2025-10-01"] * 3)
    >>> p = pd.DataFrame({"team": ["a", "a", "b", "b", "c", "c"], "month": months,
    ...                   "execution_rate": [0.70, 0.85, 0.72, 0.74, 0.70, 0.70]})
    >>> t = team_did(p, team="a", windows=report_windows("2025Q3"), measures=["execution_rate"])
    >>> t[["team_before", "team_after", "others_before", "others_after"]].round(3).values.tolist()
    [[0.7, 0.85, 0.71, 0.72]]
    >>> round(float(t["effect"].iloc[0]), 3), int(t["n"].iloc[0])
    (0.14, 3)
    """
    b0, b1 = windows.before
    a0, a1 = windows.after
    p = panel[((panel["month"] >= b0) & (panel["month"] <= b1)) | ((panel["month"] >= a0) & (panel["month"] <= a1))]
    p = p.assign(_treated=p["team"] == team, _post=p["month"] >= a0)
    rows = []
    for measure in measures:
        label, unit, higher = MEASURES[measure]
        q = p.dropna(subset=[measure])
        cell = q.groupby(["_treated", "_post"])[measure].mean()
        row = {
            "measure": measure,
            "label": label,
            "unit": unit,
            "team_before": float(cell.get((True, False), math.nan)),
            "team_after": float(cell.get((True, True), math.nan)),
            "others_before": float(cell.get((False, False), math.nan)),
            "others_after": float(cell.get((False, True), math.nan)),
            "effect": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "p_value": math.nan,
            "n": int(q["team"].nunique()),
            "higher_is_better": higher,
        }
        try:
            fit = did_fit(q, outcome=measure, unit="team", period="month", treated="_treated", post="_post")
        except ValueError:  # no comparison team or an empty window: no DiD, the means stay
            fit = None
        if fit is not None:
            e = fit.estimate
            row.update(effect=e.value, ci_low=e.ci_low, ci_high=e.ci_high, p_value=e.p_value)
        rows.append(row)
    return pd.DataFrame(rows)


def library_use(kb_usage: pd.DataFrame, people: pd.DataFrame, *, windows: Windows) -> pd.DataFrame:
    """Knowledge-base events per person and month, before vs after, trained vs comparison.

    ``people`` has ``employee_id`` and ``group`` (``trained``/``comparison``); everyone
    counts in both windows (0 events is a value). Returns
    :func:`~trackreport.chapters.evaluation.compare_change`'s three rows.

    Examples
    --------
    >>> from trackreport.data.cohort import report_windows
    >>> w = report_windows("2025Q3")
    >>> ppl = pd.DataFrame({"employee_id": ["a", "b", "c", "d"], "group": ["trained"] * 2 + ["comparison"] * 2})
    >>> u = pd.DataFrame({"employee_id": ["a"] * 6 + ["b"] * 3 + ["c"] * 3,
    ...     "date": pd.to_datetime(["2025-05-02"] * 3 + ["2025-11-02"] * 3 + ["2025-11-03"] * 3 + ["2025-05-05"] * 3)})
    >>> library_use(u, ppl, windows=w)[["group", "n", "value"]]
            group  n  value
    0     trained  2    0.5
    1  comparison  2   -0.5
    2  difference  4    1.0
    """
    rows = []
    for phase, (d0, d1) in (("pre", windows.before), ("post", windows.after)):
        months = len(pd.period_range(d0, d1, freq="M"))
        u = kb_usage[(kb_usage["date"] >= d0) & (kb_usage["date"] <= d1)]
        counts = u.groupby("employee_id").size()
        rows.append(
            people.assign(
                phase=phase, events=people["employee_id"].map(counts).fillna(0).to_numpy(dtype=float) / months
            )
        )
    return compare_change(pd.concat(rows, ignore_index=True), value="events")


def case_table(cases: pd.DataFrame, *, team: str) -> pd.DataFrame:
    """The team's cross-department cases, newest first.

    >>> c = pd.DataFrame({"case_id": ["k1", "k2"], "team": ["e", "w"], "date": pd.to_datetime(["2025-07-01", "2025-08-01"]),
    ...                   "departments": ["sales; product"] * 2, "outcome": ["success", "failure"], "title": ["x", "y"]})
    >>> case_table(c, team="e")["case_id"].tolist()
    ['k1']
    """
    out = cases[cases["team"] == team].sort_values(["date", "case_id"], ascending=[False, True], ignore_index=True)
    return out[["date", "outcome", "departments", "title"]].assign(**{"case_id": out["case_id"]})[
        ["case_id", "date", "outcome", "departments", "title"]
    ]


def outcome_counts(cases: pd.DataFrame, *, team: str, windows: Windows) -> pd.DataFrame:
    """Cases of the team by outcome in the before and after windows (counts; observation).

    >>> from trackreport.data.cohort import report_windows
    >>> c = pd.DataFrame({"team": ["e", "e"], "date": pd.to_datetime(["2025-05-01", "2025-11-01"]),
    ...                   "outcome": ["success", "innovation"]})
    >>> outcome_counts(c, team="e", windows=report_windows("2025Q3")).values.tolist()
    [['success', 1, 0], ['failure', 0, 0], ['innovation', 0, 1]]
    """
    c = cases[cases["team"] == team]
    out = {"outcome": ["success", "failure", "innovation"]}
    for name, (d0, d1) in (("before", windows.before), ("after", windows.after)):
        w = c[(c["date"] >= d0) & (c["date"] <= d1)]["outcome"].value_counts()
        out[name] = [int(w.get(k, 0)) for k in out["outcome"]]
    return pd.DataFrame(out)


def people_groups(members: pd.DataFrame, comparison: pd.DataFrame) -> pd.DataFrame:
    """``employee_id`` and ``group`` (trained / comparison) of a report's two groups.

    >>> people_groups(pd.DataFrame({"employee_id": ["a"]}), pd.DataFrame({"employee_id": ["b"]}))["group"].tolist()
    ['trained', 'comparison']
    """
    return pd.concat(
        [
            pd.DataFrame({"employee_id": members["employee_id"].to_numpy(), "group": TRAINED}),
            pd.DataFrame({"employee_id": comparison["employee_id"].to_numpy(), "group": COMPARISON}),
        ],
        ignore_index=True,
    )


def rate_change(
    records: pd.DataFrame, people: pd.DataFrame, *, windows: Windows, date: str = "date", per: float = 1.0
) -> pd.DataFrame:
    """Records per person-month (e.g. rotations started, cross-domain problems), before vs after.

    ``per=100`` gives records per 100 person-months (means, changes and bounds scaled).

    As :func:`library_use` for any table with ``employee_id`` and a ``date`` column:
    ``rate = records dated in the window / calendar months of the window``, everyone of
    ``people`` counted in both windows (no record = 0); trainees' change beside the
    comparison group's and their difference
    (:func:`~trackreport.chapters.evaluation.compare_change`, Welch interval).

    Examples
    --------
    >>> from trackreport.data.cohort import report_windows
    >>> ppl = pd.DataFrame({"employee_id": ["a", "b", "c", "d"], "group": ["trained"] * 2 + ["comparison"] * 2})
    >>> r = pd.DataFrame({"employee_id": ["a", "a", "b", "c"],
    ...     "start_date": pd.to_datetime(["2025-10-02", "2025-11-02", "2025-12-01", "2025-05-05"])})
    >>> rate_change(r, ppl, windows=report_windows("2025Q3"), date="start_date")[["group", "n", "value"]].round(3)
            group  n  value
    0     trained  2  0.500
    1  comparison  2 -0.167
    2  difference  4  0.667
    """
    out = library_use(records.rename(columns={date: "date"}), people, windows=windows)
    cols = ["mean_pre", "mean_post", "value", "ci_low", "ci_high"]
    out[cols] = out[cols] * per
    return out


def solved_share(problems: pd.DataFrame, people: pd.DataFrame, *, windows: Windows) -> pd.DataFrame:
    """Share of cross-domain problems solved, per group and window (Wilson intervals; observation).

    Problems are counted by the window of their ``opened`` date; ``n`` = problems.

    Examples
    --------
    >>> from trackreport.data.cohort import report_windows
    >>> ppl = pd.DataFrame({"employee_id": ["a", "b"], "group": ["trained", "comparison"]})
    >>> p = pd.DataFrame({"employee_id": ["a", "a", "b"], "solved": [True, False, True],
    ...     "opened": pd.to_datetime(["2025-10-02", "2025-11-02", "2025-05-05"])})
    >>> solved_share(p, ppl, windows=report_windows("2025Q3"))[["group", "window", "n", "value"]]
            group  window  n  value
    0     trained  before  0    NaN
    1     trained   after  2    0.5
    2  comparison  before  1    1.0
    3  comparison   after  0    NaN
    """
    x = problems.merge(people[["employee_id", "group"]], on="employee_id", how="inner")
    rows = []
    for group in (TRAINED, COMPARISON):
        for name, (d0, d1) in (("before", windows.before), ("after", windows.after)):
            sel = x[(x["group"] == group) & (x["opened"] >= d0) & (x["opened"] <= d1)]
            e = proportion(int(sel["solved"].astype(bool).sum()), len(sel))
            rows.append(
                {"group": group, "window": name, "n": e.n, "value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}
            )
    return pd.DataFrame(rows)
