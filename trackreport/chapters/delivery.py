"""Chapter 04, implementation management: attendance, make-up, check-ins, incidents.

Pure functions over ``enrollments``, ``checkins``, ``incidents`` and ``assessments``
with the cohort's members (``employee_id``, ``segment``); tidy frames in, tidy frames
or :class:`Estimate` out.

- **Attendance rate** of a group = mean over its trainees of
  ``Σ attended_hours / Σ planned_hours`` (each trainee's own share over the group's
  modules), Student t interval (:func:`trackreport.stats.estimate.mean_ci`).
- **Completion** = completed enrollments / enrollments, Wilson interval. By segment a
  trainee counts once per module, so the interval treats a trainee's modules as
  independent (it is somewhat too narrow when completion clusters by person).
- **Make-up coverage** = among enrollments with ``attended_hours < planned_hours``, the
  share with ``makeup_session`` (recording plus one-to-one session), Wilson interval.
- **Check-ins** = completed / trainee-weeks, per week and overall, Wilson interval;
  a week's status against the target as in chapter 01 (interval wholly above = met,
  wholly below = not met, else not distinguishable).
- **Incidents**: per kind, minutes to resolve and the share resolved within the kind's
  target minutes (``params.programme.incident_minutes``), Wilson interval with n =
  incidents.
- **Learning gain by attendance band** (an association, not an effect): per trainee
  ``post − pre`` of a test kind, mean and t interval per band of the attendance rate.

Table headers: :data:`COLUMNS` holds the header a reader sees for each column of this
chapter's tables (as :func:`trackreport.stats.display.pretty_column` writes it), marked
with ``N_`` so that the catalog translates it where the table is shown:

>>> from trackreport.stats.display import pretty_column
>>> [column for column, header in COLUMNS.items() if pretty_column(column) != header]
[]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trackreport.i18n import N_
from trackreport.stats.display import status_word
from trackreport.stats.estimate import Estimate, mean_ci, proportion
from trackreport.stats.values import as_float

if TYPE_CHECKING:
    from trackreport.report.notebook import Chapter

__all__ = [
    "attendance_by",
    "makeup_coverage",
    "checkin_weeks",
    "checkin_overall",
    "target_status",
    "incidents_by_kind",
    "incidents_in_time",
    "attendance_band",
    "gain_by_attendance",
    "cohort_enrollments",
    "cohort_incidents",
]

_ATT_COLS = ["n", "planned_hours", "attended_hours", "attendance", "att_low", "att_high"]
_ATT_COLS += ["enrollments", "completed", "completion", "comp_low", "comp_high"]

#: The headers of this chapter's tables as a reader sees them (``pretty_column`` of each column),
#: kept here so that they are translated where the table is shown.
COLUMNS: dict[str, str] = {
    "title": N_("Title"),
    "segment": N_("Segment"),
    "planned_hours": N_("Planned hours"),
    "attended_hours": N_("Attended hours"),
    "attendance": N_("Attendance"),
    "att_low": N_("Att low"),
    "att_high": N_("Att high"),
    "enrollments": N_("Enrollments"),
    "completed": N_("Completed"),
    "completion": N_("Completion"),
    "comp_low": N_("Comp low"),
    "comp_high": N_("Comp high"),
    "week": N_("Week"),
    "week_start": N_("Week start"),
    "share": N_("Share"),
    "below_target": N_("Below target"),
    "status": N_("Status"),
    "kind": N_("Kind"),
    "median_minutes": N_("Median minutes"),
    "mean_minutes": N_("Mean minutes"),
    "max_level": N_("Max level"),
    "target_minutes": N_("Target minutes"),
    "within": N_("Within"),
    "escalation_level": N_("Escalation level"),
    "incidents": N_("Incidents"),
    "band": N_("Band"),
    "gain": N_("Gain"),
}


def attendance_by(enrollments: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Attendance rate (mean of trainees' attended/planned share) and completion per ``by``.

    ``enrollments`` carries ``employee_id``, ``planned_hours``, ``attended_hours``,
    ``completed`` and the ``by`` column (e.g. ``title`` or ``segment``). ``n`` = trainees.

    Examples
    --------
    >>> e = pd.DataFrame({"employee_id": ["x", "x", "y"], "course_id": ["a", "b", "a"],
    ...     "planned_hours": [10.0, 10.0, 10.0], "attended_hours": [10.0, 5.0, 8.0],
    ...     "completed": [True, False, True]})
    >>> attendance_by(e)[["n", "attendance", "enrollments", "completed", "completion"]].round(3)
       n  attendance  enrollments  completed  completion
    0  2       0.775            3          2       0.667
    """
    keys = [] if by is None else [by]

    def one(g: pd.DataFrame) -> dict:
        per = g.groupby("employee_id")[["planned_hours", "attended_hours"]].sum()
        per = per[per["planned_hours"] > 0]
        att = mean_ci(per["attended_hours"] / per["planned_hours"])
        done = int(g["completed"].fillna(False).astype(bool).sum())
        comp = proportion(done, len(g))
        return {
            "n": int(g["employee_id"].nunique()),
            "planned_hours": float(g["planned_hours"].sum()),
            "attended_hours": float(g["attended_hours"].sum()),
            "attendance": att.value,
            "att_low": att.ci_low,
            "att_high": att.ci_high,
            "enrollments": len(g),
            "completed": done,
            "completion": comp.value,
            "comp_low": comp.ci_low,
            "comp_high": comp.ci_high,
        }

    if not keys:
        return pd.DataFrame([one(enrollments)], columns=_ATT_COLS)
    rows = [{by: k} | one(g) for k, g in enrollments.groupby(by, sort=True, observed=True)]
    return pd.DataFrame(rows, columns=keys + _ATT_COLS)


def makeup_coverage(enrollments: pd.DataFrame) -> Estimate:
    """Share of enrollments with missed hours that had a make-up session (Wilson).

    Examples
    --------
    >>> e = pd.DataFrame({"planned_hours": [8.0, 8.0, 8.0, 8.0], "attended_hours": [8.0, 4.0, 6.0, 2.0],
    ...                   "makeup_session": [False, True, True, False]})
    >>> e = makeup_coverage(e)
    >>> round(e.value, 3), e.n
    (0.667, 3)
    """
    missed = enrollments[as_float(enrollments["attended_hours"]) < as_float(enrollments["planned_hours"])]
    k = int(missed["makeup_session"].fillna(False).astype(bool).sum())
    return proportion(k, len(missed), method="Wilson score interval; n = enrollments with missed hours")


def target_status(low: float, high: float, target: float, *, value: float | None = None) -> str:
    """*met* when the interval lies wholly at or above target, *missed* wholly below; else
    *on track* or *uncertain* by whether ``value`` (default: the interval's midpoint) meets it
    (:func:`trackreport.stats.display.status_word`).

    >>> target_status(0.86, 0.95, 0.85), target_status(0.6, 0.8, 0.85), target_status(0.8, 0.9, 0.85, value=0.84)
    ('met', 'missed', 'uncertain')
    """
    if math.isnan(low) or math.isnan(high):
        return N_("too few observations")
    return status_word((low + high) / 2 if value is None else value, low, high, target)


def checkin_weeks(checkins: pd.DataFrame, *, target: float) -> pd.DataFrame:
    """Weekly check-in completion with a Wilson interval and the status against ``target``.

    Examples
    --------
    >>> c = pd.DataFrame({"employee_id": list("abab"), "week_start": pd.to_datetime(["2025-07-07"] * 2 + ["2025-07-14"] * 2),
    ...                   "completed": [True, True, True, False]})
    >>> checkin_weeks(c, target=0.85)[["week", "n", "completed", "share"]]
       week  n  completed  share
    0     1  2          2    1.0
    1     2  2          1    0.5
    """
    rows = []
    for k, (week, g) in enumerate(checkins.groupby("week_start", sort=True), start=1):
        done = int(g["completed"].fillna(False).astype(bool).sum())
        e = proportion(done, len(g))
        rows.append(
            {
                "week": k,
                "week_start": week,
                "n": len(g),
                "completed": done,
                "share": e.value,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "below_target": e.value < target,
                "status": target_status(e.ci_low, e.ci_high, target, value=e.value),
            }
        )
    return pd.DataFrame(rows)


def checkin_completion(checkins: pd.DataFrame) -> Estimate:
    """Weekly check-in completion of a cohort: the mean of each trainee's share of weeks checked in.

    The one definition chapters 01 (targets) and 04 (delivery) show. Each trainee counts
    once, with a Student t interval over trainees (n = trainees): one person's weeks are
    not independent observations, so a Wilson interval over trainee-weeks
    (:func:`checkin_overall`) would be too narrow. With the same number of weeks per
    trainee the value equals the share of all trainee-weeks.

    >>> c = pd.DataFrame({"employee_id": ["a", "a", "b", "b"], "completed": [True, True, False, True]})
    >>> e = checkin_completion(c)
    >>> e.value, e.n
    (0.75, 2)
    """
    done = checkins["completed"].fillna(False).astype(bool)
    per = done.groupby(checkins["employee_id"]).mean()
    return mean_ci(per.astype(float).tolist(), method="mean of each trainee's weekly completion share, t interval")


def checkin_overall(checkins: pd.DataFrame) -> Estimate:
    """Check-in completion over all trainee-weeks (Wilson; n = trainee-weeks).

    >>> c = pd.DataFrame({"completed": [True, True, False, True]})
    >>> checkin_overall(c).value
    0.75
    """
    done = int(checkins["completed"].fillna(False).astype(bool).sum())
    return proportion(done, len(checkins), method="Wilson score interval; n = trainee-weeks")


def incidents_by_kind(incidents: pd.DataFrame, *, target_minutes: Mapping[str, float]) -> pd.DataFrame:
    """Per incident kind: count, median and mean minutes, and share resolved within target.

    ``within`` counts incidents with ``minutes_to_resolve <= target`` of their kind;
    ``share`` has a Wilson interval with n = incidents of the kind. Kinds without a
    target get NaN.

    Examples
    --------
    >>> i = pd.DataFrame({"kind": ["equipment", "equipment", "health"], "minutes_to_resolve": [3.0, 12.0, 8.0],
    ...                   "escalation_level": [1, 2, 1]})
    >>> incidents_by_kind(i, target_minutes={"equipment": 5, "health": 10})[["kind", "n", "target_minutes", "within", "share"]]
            kind  n  target_minutes  within  share
    0  equipment  2             5.0       1    0.5
    1     health  1            10.0       1    1.0
    """
    rows = []
    for kind, g in incidents.groupby("kind", sort=True, observed=True):
        m = as_float(g["minutes_to_resolve"])
        t = float(target_minutes.get(kind, math.nan))
        within = int((m <= t).sum()) if not math.isnan(t) else 0
        e = proportion(within, len(g)) if not math.isnan(t) else Estimate(math.nan, n=len(g))
        rows.append(
            {
                "kind": kind,
                "n": len(g),
                "median_minutes": float(np.median(m)),
                "mean_minutes": float(m.mean()),
                "max_level": int(g["escalation_level"].max()),
                "target_minutes": t,
                "within": within,
                "share": e.value,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
            }
        )
    return pd.DataFrame(rows)


def incidents_in_time(incidents: pd.DataFrame, *, target_minutes: Mapping[str, float]) -> Estimate:
    """Share of all incidents resolved within their kind's target (Wilson; n = incidents).

    >>> i = pd.DataFrame({"kind": ["equipment", "health"], "minutes_to_resolve": [3.0, 12.0]})
    >>> incidents_in_time(i, target_minutes={"equipment": 5, "health": 10}).value
    0.5
    """
    t = incidents["kind"].map(lambda k: target_minutes.get(k, math.nan)).astype("float64").to_numpy()
    ok = as_float(incidents["minutes_to_resolve"]) <= t
    return proportion(int(ok.sum()), len(incidents), method="Wilson score interval; n = incidents")


def attendance_band(share: float, cuts: Sequence[float]) -> str:
    """The attendance band of an attended/planned share, e.g. ``80-95%``.

    >>> [attendance_band(x, (0.8, 0.95)) for x in (0.5, 0.8, 0.97)]
    ['< 80%', '80-95%', '>= 95%']
    """
    cuts = list(cuts)
    if share < cuts[0]:
        return f"< {cuts[0]:.0%}"
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        if share < hi:
            return f"{lo * 100:.0f}-{hi:.0%}"
    return f">= {cuts[-1]:.0%}"


def gain_by_attendance(
    assessments: pd.DataFrame, enrollments: pd.DataFrame, *, cuts: Sequence[float], kind: str = "knowledge"
) -> pd.DataFrame:
    """Mean learning gain (post − pre of a test kind) per attendance band: an association.

    Each trainee's attendance is ``Σ attended / Σ planned`` over their enrollments; the
    gain is their mean post score minus their mean pre score (people with both).

    Examples
    --------
    >>> a = pd.DataFrame({"employee_id": list("xxyyzz"), "kind": "knowledge", "phase": ["pre", "post"] * 3,
    ...                   "score": [50.0, 80, 60, 70, 40, 80]})
    >>> e = pd.DataFrame({"employee_id": list("xyz"), "planned_hours": 10.0, "attended_hours": [10.0, 5.0, 10.0]})
    >>> gain_by_attendance(a, e, cuts=(0.8,))[["band", "n", "gain"]]
         band  n  gain
    0   < 80%  1  10.0
    1  >= 80%  2  35.0
    """
    per = enrollments.groupby("employee_id")[["planned_hours", "attended_hours"]].sum()
    per = per[per["planned_hours"] > 0]
    share = per["attended_hours"] / per["planned_hours"]
    df = assessments[(assessments["kind"] == kind) & assessments["phase"].isin(["pre", "post"])]
    wide = df.assign(_s=as_float(df["score"])).pivot_table(
        index="employee_id", columns="phase", values="_s", aggfunc="mean"
    )
    wide = wide.reindex(columns=["pre", "post"]).dropna()
    wide = wide[wide.index.isin(share.index)]
    gain = (wide["post"] - wide["pre"]).rename("gain").to_frame()
    gain["attendance"] = share.reindex(gain.index)
    gain["band"] = [attendance_band(x, cuts) for x in gain["attendance"]]
    order = [attendance_band(x, cuts) for x in [cuts[0] / 2, *cuts]]
    rows = []
    for band in order:
        g = gain[gain["band"] == band]
        if g.empty:
            continue
        e = mean_ci(g["gain"])
        rows.append(
            {
                "band": band,
                "n": e.n,
                "attendance": float(g["attendance"].mean()),
                "gain": e.value,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
            }
        )
    return pd.DataFrame(rows, columns=["band", "n", "attendance", "gain", "ci_low", "ci_high"])


# ----------------------------------------------------------------------- notebook helpers


def cohort_enrollments(ch: Chapter) -> pd.DataFrame:
    """The cohort's enrollments of its quarter's runs, with course title/type and trainee segment."""
    courses = ch.data["courses"]
    courses = courses[courses["cohort"] == ch.params.quarter]
    enr = ch.data["enrollments"].merge(courses[["course_id", "title", "module_type"]], on="course_id")
    seg = ch.members.set_index("employee_id")["segment"]
    enr = enr[enr["employee_id"].isin(seg.index)]
    return enr.assign(segment=enr["employee_id"].map(seg))


def cohort_incidents(ch: Chapter) -> pd.DataFrame:
    """Incidents of the course runs the cohort attended."""
    ids = cohort_enrollments(ch)["course_id"].unique()
    return ch.data["incidents"][lambda d: d["course_id"].isin(ids)]
