"""Cohorts: who was trained when, trainee segments, and the report's time windows.

A *cohort* is everyone enrolled in the course runs of one quarter (``courses.cohort``).
A report for team T and quarter Q looks at T's cohort of Q (less anyone trained in an
earlier cohort), compared with T's staff who were never trained or did not start training
by the end of the after-window (never with staff trained earlier: see
:func:`trackreport.stats.attribution.stack_cohort`); both groups hold only people employed
in both windows (:func:`employed_in_both`).

Windows are calendar months: *before* = the ``before_months`` months just before the
quarter, *after* = the ``after_months`` months just after it; the quarter itself
(training under way) belongs to neither.

Examples
--------
>>> w = report_windows("2025Q3", before_months=3, after_months=3)
>>> [d.strftime("%Y-%m-%d") for d in (*w.before, *w.after)]
['2025-04-01', '2025-06-30', '2025-10-01', '2025-12-31']
>>> segment_of("rep", 0.4), segment_of("senior_rep", 4.0), segment_of("manager", 9.0)
('under 1 year', '3-5 years', 'manager')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trackreport.errors import TrackreportError
from trackreport.i18n import format_month

__all__ = [
    "Windows",
    "SEGMENTS",
    "TENURE_BANDS",
    "quarter_bounds",
    "report_windows",
    "segment_of",
    "tenure_band",
    "training_periods",
    "cohort_quarters",
    "teams",
    "employed_in_both",
    "cohort_members",
    "comparison_members",
]

TENURE_BANDS = ("under 1 year", "1-3 years", "3-5 years", "over 5 years")
SEGMENTS = ("under 1 year", "1-3 years", "3-5 years", "over 5 years", "manager")
"""Trainee segments: managers, and everyone else by tenure at the start of the quarter."""


@dataclass(frozen=True)
class Windows:
    """Before and after windows of a report, each ``(first day, last day)`` inclusive."""

    quarter: str
    before: tuple[pd.Timestamp, pd.Timestamp]
    after: tuple[pd.Timestamp, pd.Timestamp]
    before_months: int = 3
    after_months: int = 3

    @classmethod
    def from_params(cls, quarter: str, params: Any = None) -> Windows:
        """The report's windows around ``quarter``: ``params.windows``' lengths, 3 and 3 months without params.

        >>> w = Windows.from_params("2025Q3")
        >>> w.before_months, w.label("before"), w.label("after")
        (3, 'Apr 2025-Jun 2025', 'Oct 2025-Dec 2025')
        """
        if params is None:
            return report_windows(quarter)
        return report_windows(
            quarter, before_months=params.windows.before_months, after_months=params.windows.after_months
        )

    @property
    def months(self) -> tuple[int, int]:
        """Lengths of the before and after windows, in months."""
        return self.before_months, self.after_months

    def label(self, which: str) -> str:
        """A window as a reader reads it: ``Apr 2025-Jun 2025`` (``2025年4月-2025年6月`` in Chinese)."""
        a, b = getattr(self, which)
        return f"{format_month(a.year, a.month)}-{format_month(b.year, b.month)}"


def quarter_bounds(quarter: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a quarter such as ``2025Q3``.

    >>> [d.date().isoformat() for d in quarter_bounds("2025Q1")]
    ['2025-01-01', '2025-03-31']
    """
    p = pd.Period(quarter, freq="Q")
    return p.start_time.normalize(), p.end_time.normalize()


def report_windows(quarter: str, *, before_months: int = 3, after_months: int = 3) -> Windows:
    """The before and after windows around a quarter (calendar months)."""
    q0, q1 = quarter_bounds(quarter)
    before = (q0 - pd.DateOffset(months=before_months), q0 - pd.Timedelta(days=1))
    after_end = (q1 + pd.Timedelta(days=1)) + pd.DateOffset(months=after_months) - pd.Timedelta(days=1)
    return Windows(quarter, before, (q1 + pd.Timedelta(days=1), after_end), before_months, after_months)


def tenure_band(years: float) -> str:
    """Tenure band of a number of years of service."""
    if years < 1:
        return TENURE_BANDS[0]
    if years < 3:
        return TENURE_BANDS[1]
    if years < 5:
        return TENURE_BANDS[2]
    return TENURE_BANDS[3]


def segment_of(role: str, tenure_years: float) -> str:
    """Trainee segment: ``manager`` for managers, else the tenure band."""
    return "manager" if role == "manager" else tenure_band(tenure_years)


def training_periods(data: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per person and cohort: first course start and last course end.

    Returns columns ``employee_id``, ``cohort``, ``training_start``, ``training_end``,
    ``courses``, ``planned_hours``, ``attended_hours``.
    """
    enr = data["enrollments"].merge(
        data["courses"][["course_id", "cohort", "start_date", "end_date"]], on="course_id", how="left"
    )
    out = (
        enr.groupby(["employee_id", "cohort"], as_index=False)
        .agg(
            training_start=("start_date", "min"),
            training_end=("end_date", "max"),
            courses=("course_id", "nunique"),
            planned_hours=("planned_hours", "sum"),
            attended_hours=("attended_hours", "sum"),
        )
        .sort_values(["employee_id", "training_start"], ignore_index=True)
    )
    return out


def teams(data: Mapping[str, pd.DataFrame]) -> list[str]:
    """Teams present in the employees table, sorted."""
    return sorted(data["employees"]["team"].dropna().unique().tolist())


def cohort_quarters(data: Mapping[str, pd.DataFrame], team: str | None = None) -> list[str]:
    """Quarters with a cohort (for one team, or any team), oldest first."""
    tp = training_periods(data)
    if team is not None:
        ids = data["employees"].loc[data["employees"]["team"] == team, "employee_id"]
        tp = tp[tp["employee_id"].isin(ids)]
    return sorted(tp["cohort"].unique().tolist())


def _people(data: Mapping[str, pd.DataFrame], team: str, asof: pd.Timestamp) -> pd.DataFrame:
    emp = data["employees"]
    if team not in set(emp["team"]):
        raise TrackreportError(f"team {team!r} is not in the data (teams: {', '.join(teams(data))})")
    emp = emp[emp["team"] == team].copy()
    years = (asof - emp["hire_date"]).dt.days / 365.25
    emp["tenure_years"] = years.clip(lower=0)
    emp["tenure_band"] = [tenure_band(y) for y in emp["tenure_years"]]
    emp["segment"] = [segment_of(r, y) for r, y in zip(emp["role"], emp["tenure_years"])]
    return emp


def employed_in_both(people: pd.DataFrame, windows: Windows) -> np.ndarray:
    """Whether each person was employed on at least one day of each window.

    ``hire_date <= last day of the before window`` and ``leave_date`` empty or ``>= first
    day of the after window``: the people who can have data (rep-months) in both windows,
    the one employment rule of trainees and comparison staff alike (issue 9, finding 10).

    Examples
    --------
    >>> w = report_windows("2025Q3")
    >>> p = pd.DataFrame({"hire_date": pd.to_datetime(["2020-01-01", "2025-06-30", "2025-07-01", "2020-01-01"]),
    ...                   "leave_date": pd.to_datetime([None, None, None, "2025-09-30"])})
    >>> employed_in_both(p, w).tolist()
    [True, True, False, False]
    """
    hired = (people["hire_date"] <= windows.before[1]).to_numpy(dtype=bool)
    stays = (people["leave_date"].isna() | (people["leave_date"] >= windows.after[0])).to_numpy(dtype=bool)
    return hired & stays


def cohort_members(
    data: Mapping[str, pd.DataFrame], team: str, quarter: str, *, before_months: int = 3, after_months: int = 3
) -> pd.DataFrame:
    """The team's trainees of a quarter, with segment, tenure and training dates.

    Rules (issue 9, finding 10): people trained in an earlier cohort are left out (their
    before window is already treated), and so is anyone not employed in both windows
    (:func:`employed_in_both`, the comparison group's rule too), so the cohort's ``n``
    counts only people who can have data before and after.

    Raises :class:`TrackreportError` if the team or its cohort of that quarter is absent,
    or if no trainee of it meets the rules.
    """
    q0, _ = quarter_bounds(quarter)
    w = report_windows(quarter, before_months=before_months, after_months=after_months)
    emp = _people(data, team, q0)
    tp = training_periods(data)
    earlier = tp.loc[(tp["cohort"] != quarter) & (tp["training_start"] < q0), "employee_id"]
    out = emp.merge(tp[tp["cohort"] == quarter], on="employee_id", how="inner")
    if out.empty:
        have = ", ".join(cohort_quarters(data, team)) or "none"
        raise TrackreportError(f"team {team!r} has no cohort in {quarter} (quarters with a cohort: {have})")
    out = out[~out["employee_id"].isin(earlier).to_numpy() & employed_in_both(out, w)]
    if out.empty:
        raise TrackreportError(
            f"no trainee of team {team!r}'s {quarter} cohort was untrained before and employed in both windows"
        )
    return out.sort_values("employee_id", ignore_index=True)


def comparison_members(
    data: Mapping[str, pd.DataFrame], team: str, quarter: str, *, after_months: int = 3, before_months: int = 3
) -> pd.DataFrame:
    """The team's comparison group: never trained, or not starting training before the after-window ends.

    Eligibility rests on the training's *start* (issue 9, finding 10): anyone whose first
    course of any cohort starts on or before the last day of the after window is left out,
    which also leaves out everyone trained earlier; a course starting inside the windows
    and ending after them made a person a control before. The employment rule is the
    trainees' (:func:`employed_in_both`).
    """
    w = report_windows(quarter, before_months=before_months, after_months=after_months)
    q0, _ = quarter_bounds(quarter)
    emp = _people(data, team, q0)
    tp = training_periods(data)
    started = tp.loc[tp["training_start"] <= w.after[1], "employee_id"]
    emp = emp[~emp["employee_id"].isin(started)]
    return emp[employed_in_both(emp, w)].sort_values("employee_id", ignore_index=True)
