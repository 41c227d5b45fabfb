"""Chapter 02, curriculum design: hours, order, coverage, completion, renewal, simulation.

Pure functions over the contract tables (``courses``, ``enrollments``, the optional
``course_design`` and ``simulation_results``) and the cohort's members (with their
``segment``); tidy frames in, tidy frames or :class:`Estimate` out. The ``*_of``
functions take the notebook's ``Chapter`` and select the cohort's course runs.

- **Hours**: planned (``courses.hours``) and delivered (``course_design.delivered_hours``)
  teaching hours per module type or delivery mode; ``delivered_share`` = delivered /
  planned. Census of the programme's runs: no sampling interval.
- **Coverage**: per trainee segment and module, the share of the segment's trainees
  enrolled (Wilson interval, n = the segment's trainees); a *targeted* module is one
  whose ``target_segment`` is that segment.
- **Completion**: per module, completed / enrolled with a Wilson interval.
- **Content renewal**: hours-weighted share of content renewed this year,
  ``Σ renewed_share·hours / Σ hours`` over the programme's runs, against the target.
- **Simulation**: each group's ROI and brand reach, its rank on each (1 = best) and an
  overall rank by the mean of the two ranks (ties: higher ROI first).

Table headers: :data:`COLUMNS` holds the header a reader sees for each column of this
chapter's tables (as :func:`trackreport.stats.display.pretty_column` writes it), marked
with ``N_`` so that the catalog translates it where the table is shown:

>>> from trackreport.stats.display import pretty_column
>>> [column for column, header in COLUMNS.items() if pretty_column(column) != header]
[]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from trackreport.i18n import N_
from trackreport.stats.estimate import Estimate, proportion

if TYPE_CHECKING:  # type hints only; chapters do not import the report layer at runtime
    from trackreport.report.notebook import Chapter

__all__ = [
    "cohort_courses",
    "hours_by",
    "module_order",
    "segment_coverage",
    "targeted_reach",
    "completion_by_module",
    "content_renewal",
    "simulation_ranking",
    "courses_of",
    "design_of",
]

_STAGES = {"theory": N_("strategy"), "industry": N_("strategy"), "tool": N_("tactics"), "simulation": N_("tactics")}

#: The headers of this chapter's tables as a reader sees them (``pretty_column`` of each column),
#: kept here so that they are translated where the table is shown.
COLUMNS: dict[str, str] = {
    "module_type": N_("Module type"),
    "delivery": N_("Delivery"),
    "modules": N_("Modules"),
    "planned_hours": N_("Planned hours"),
    "delivered_hours": N_("Delivered hours"),
    "delivered_share": N_("Delivered share"),
    "delivered": N_("Delivered"),
    "planned_sequence": N_("Planned sequence"),
    "title": N_("Title"),
    "stage": N_("Stage"),
    "start_date": N_("Start date"),
    "as_planned": N_("As planned"),
    "segment": N_("Segment"),
    "targeted_modules": N_("Targeted modules"),
    "reached": N_("Reached"),
    "course_id": N_("Course id"),
    "completed": N_("Completed"),
    "share": N_("Share"),
    "group_id": N_("Group id"),
    "members": N_("Members"),
    "brand_reach": N_("Brand reach"),
    "rank_roi": N_("Rank ROI"),
    "rank_reach": N_("Rank reach"),
    "overall": N_("Overall"),
}


def cohort_courses(courses: pd.DataFrame, enrollments: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """The course runs of the cohort's quarter in which at least one member is enrolled.

    Examples
    --------
    >>> c = pd.DataFrame({"course_id": ["a", "b"], "cohort": ["2025Q3", "2025Q3"],
    ...                   "start_date": pd.to_datetime(["2025-07-07", "2025-07-14"])})
    >>> e = pd.DataFrame({"employee_id": ["x"], "course_id": ["a"]})
    >>> cohort_courses(c, e, pd.DataFrame({"employee_id": ["x"], "cohort": ["2025Q3"]}))["course_id"].tolist()
    ['a']
    """
    ids = enrollments.loc[enrollments["employee_id"].isin(members["employee_id"]), "course_id"]
    out = courses[courses["course_id"].isin(ids)]
    if "cohort" in members.columns and len(members):
        out = out[out["cohort"].isin(members["cohort"].unique())]
    return out.sort_values(["start_date", "course_id"], ignore_index=True)


def _with_design(courses: pd.DataFrame, design: pd.DataFrame | None) -> pd.DataFrame:
    if design is None:
        return courses.assign(
            planned_sequence=pd.NA, target_segment=pd.NA, delivered_hours=float("nan"), renewed_share=float("nan")
        )
    return courses.merge(design, on="course_id", how="left")


def hours_by(courses: pd.DataFrame, design: pd.DataFrame | None = None, *, by: str = "module_type") -> pd.DataFrame:
    """Planned and delivered teaching hours per ``by`` (module type or delivery mode).

    ``delivered_share = delivered_hours / planned_hours`` (NaN without design records).

    Examples
    --------
    >>> c = pd.DataFrame({"course_id": ["a", "b", "c"], "module_type": ["theory", "tool", "theory"],
    ...                   "hours": [12.0, 8.0, 6.0]})
    >>> d = pd.DataFrame({"course_id": ["a", "b", "c"], "delivered_hours": [11.5, 8.0, 6.0]})
    >>> hours_by(c, d)
      module_type  modules  planned_hours  delivered_hours  delivered_share
    0      theory        2           18.0             17.5         0.972222
    1        tool        1            8.0              8.0         1.000000
    """
    df = _with_design(courses, design)
    out = (
        df.groupby(by, observed=True, sort=True)
        .agg(
            modules=("course_id", "nunique"),
            planned_hours=("hours", "sum"),
            delivered_hours=("delivered_hours", lambda s: s.sum(min_count=len(s))),
        )
        .reset_index()
    )
    out["delivered_share"] = out["delivered_hours"] / out["planned_hours"]
    return out


def module_order(courses: pd.DataFrame, design: pd.DataFrame | None = None) -> pd.DataFrame:
    """The modules in the order delivered (by start date) beside their planned position.

    ``stage`` is ``strategy`` (theory, industry) or ``tactics`` (tools, simulation);
    ``as_planned`` is true when the delivered position equals ``planned_sequence``.

    Examples
    --------
    >>> c = pd.DataFrame({"course_id": ["a", "b"], "title": ["T", "S"], "module_type": ["theory", "simulation"],
    ...     "start_date": pd.to_datetime(["2025-07-14", "2025-07-07"])})
    >>> d = pd.DataFrame({"course_id": ["a", "b"], "planned_sequence": [1, 2]})
    >>> module_order(c, d)[["delivered", "planned_sequence", "title", "as_planned"]]
       delivered  planned_sequence title  as_planned
    0          1                 2     S       False
    1          2                 1     T       False
    """
    df = _with_design(courses, design).sort_values(["start_date", "course_id"], ignore_index=True)
    df["delivered"] = range(1, len(df) + 1)
    df["stage"] = df["module_type"].map(_STAGES)
    df["as_planned"] = [
        bool(p == d) if not pd.isna(p) else False for p, d in zip(df["planned_sequence"], df["delivered"], strict=True)
    ]
    cols = ["delivered", "planned_sequence", "title", "module_type", "stage", "start_date", "as_planned"]
    return df[[c for c in cols if c in df.columns]]


def _segment_table(members: pd.DataFrame) -> pd.Series:
    return members.groupby("segment", observed=True)["employee_id"].nunique()


def segment_coverage(
    enrollments: pd.DataFrame, members: pd.DataFrame, courses: pd.DataFrame, design: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per trainee segment and module: share of the segment's trainees enrolled.

    Returns ``segment, course_id, title, targeted, n, enrolled, share, ci_low, ci_high``
    where ``n`` is the segment's trainees and ``targeted`` says the module's
    ``target_segment`` is this segment (Wilson interval of ``enrolled / n``).

    Examples
    --------
    >>> m = pd.DataFrame({"employee_id": ["x", "y", "z"], "segment": ["manager", "manager", "under 1 year"]})
    >>> e = pd.DataFrame({"employee_id": ["x", "y", "z"], "course_id": ["a", "a", "b"]})
    >>> c = pd.DataFrame({"course_id": ["a", "b"], "title": ["Coach", "Basics"]})
    >>> d = pd.DataFrame({"course_id": ["a", "b"], "target_segment": ["manager", "under 1 year"]})
    >>> segment_coverage(e, m, c, d)[["segment", "title", "targeted", "n", "enrolled", "share"]]
            segment   title  targeted  n  enrolled  share
    0       manager   Coach      True  2         2    1.0
    1       manager  Basics     False  2         0    0.0
    2  under 1 year   Coach     False  1         0    0.0
    3  under 1 year  Basics      True  1         1    1.0
    """
    df = _with_design(courses, design)
    sizes = _segment_table(members)
    seg_of = members.set_index("employee_id")["segment"]
    enr = enrollments[enrollments["employee_id"].isin(seg_of.index)].assign(
        segment=lambda x: x["employee_id"].map(seg_of)
    )
    counts = enr.groupby(["segment", "course_id"], observed=True)["employee_id"].nunique()
    rows = []
    for seg, n in sizes.items():
        for r in df.itertuples():
            k = int(counts.get((seg, r.course_id), 0))
            e = proportion(k, int(n))
            target = r.target_segment
            rows.append(
                {
                    "segment": seg,
                    "course_id": r.course_id,
                    "title": r.title,
                    "targeted": bool(not pd.isna(target) and target == seg),
                    "n": int(n),
                    "enrolled": k,
                    "share": e.value,
                    "ci_low": e.ci_low,
                    "ci_high": e.ci_high,
                }
            )
    return pd.DataFrame(rows)


def targeted_reach(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per segment: did its targeted modules reach it? Share enrolled over its targeted modules.

    ``reached`` = (segment trainee, targeted module) pairs enrolled / all such pairs, with
    a Wilson interval (n = pairs; one module per segment in the usual programme, so n =
    the segment's trainees). Segments without a targeted module are listed with NaN.

    Examples
    --------
    >>> cov = pd.DataFrame({"segment": ["manager", "manager", "3-5 years"], "title": ["Coach", "Basics", "Basics"],
    ...     "targeted": [True, False, False], "n": [5, 5, 6], "enrolled": [4, 0, 6]})
    >>> targeted_reach(cov)[["segment", "modules", "n", "reached"]]
         segment  modules  n  reached
    0  3-5 years        0  6      NaN
    1    manager        1  5      0.8
    """
    rows = []
    for seg, g in coverage.groupby("segment", sort=True, observed=True):
        t = g[g["targeted"]]
        pairs = int(t["n"].sum())
        e = proportion(int(t["enrolled"].sum()), pairs)
        rows.append(
            {
                "segment": seg,
                "modules": len(t),
                "targeted_modules": ", ".join(t["title"].astype(str)),
                "n": int(g["n"].iloc[0]) if pairs == 0 else pairs,
                "reached": e.value,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
            }
        )
    return pd.DataFrame(rows)


def completion_by_module(enrollments: pd.DataFrame, courses: pd.DataFrame) -> pd.DataFrame:
    """Per module: trainees enrolled, completed, and the completion share (Wilson interval).

    Examples
    --------
    >>> e = pd.DataFrame({"employee_id": list("xyz"), "course_id": ["a", "a", "a"], "completed": [True, True, False]})
    >>> c = pd.DataFrame({"course_id": ["a"], "title": ["T"], "module_type": ["theory"]})
    >>> completion_by_module(e, c)[["title", "n", "completed", "share"]].round(3)
      title  n  completed  share
    0     T  3          2  0.667
    """
    rows = []
    for r in courses.itertuples():
        g = enrollments[enrollments["course_id"] == r.course_id]
        k = int(g["completed"].fillna(False).astype(bool).sum())
        e = proportion(k, len(g))
        rows.append(
            {
                "course_id": r.course_id,
                "title": r.title,
                "module_type": r.module_type,
                "n": len(g),
                "completed": k,
                "share": e.value,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
            }
        )
    return pd.DataFrame(rows)


def content_renewal(courses: pd.DataFrame, design: pd.DataFrame | None) -> Estimate:
    """Hours-weighted share of the programme's content renewed this year.

    ``Σ renewed_share·hours / Σ hours`` over runs with a design record; a census of the
    programme (no sampling interval); ``n`` = modules.

    Examples
    --------
    >>> c = pd.DataFrame({"course_id": ["a", "b"], "hours": [10.0, 30.0]})
    >>> d = pd.DataFrame({"course_id": ["a", "b"], "renewed_share": [0.5, 0.1]})
    >>> e = content_renewal(c, d)
    >>> round(e.value, 3), e.n
    (0.2, 2)
    """
    df = _with_design(courses, design).dropna(subset=["renewed_share"])
    method = "hours-weighted share of content renewed (census of the programme's modules)"
    if df.empty or df["hours"].sum() <= 0:
        return Estimate(math.nan, n=len(df), method=method)
    v = float((df["renewed_share"] * df["hours"]).sum() / df["hours"].sum())
    return Estimate(v, n=len(df), method=method)


def simulation_ranking(results: pd.DataFrame) -> pd.DataFrame:
    """Rank the competing groups of each simulation run on ROI, brand reach and overall.

    ``rank_roi`` and ``rank_reach``: 1 = highest (ties share the lower rank, ``min``);
    ``overall``: rank of the mean of the two ranks, ties broken by higher ROI.

    Examples
    --------
    >>> r = pd.DataFrame({"course_id": "s", "group_id": ["G1", "G2", "G3"], "members": 3,
    ...                   "roi": [0.30, 0.20, 0.25], "brand_reach": [90.0, 130.0, 110.0]})
    >>> simulation_ranking(r)[["group_id", "rank_roi", "rank_reach", "overall"]]
      group_id  rank_roi  rank_reach  overall
    0       G1         1           3        1
    1       G3         2           2        2
    2       G2         3           1        3
    """
    out = []
    for _course, g in results.groupby("course_id", sort=True, observed=True):
        g = g.copy()
        g["rank_roi"] = g["roi"].rank(ascending=False, method="min").astype("int64")
        g["rank_reach"] = g["brand_reach"].rank(ascending=False, method="min").astype("int64")
        g["_mean"] = (g["rank_roi"] + g["rank_reach"]) / 2
        g = g.sort_values(["_mean", "roi"], ascending=[True, False], kind="stable")
        g["overall"] = range(1, len(g) + 1)
        out.append(g.drop(columns="_mean"))
    cols = ["course_id", "group_id", "members", "roi", "brand_reach", "rank_roi", "rank_reach", "overall"]
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out, ignore_index=True)[cols]


# ----------------------------------------------------------------------- notebook helpers


def design_of(ch: Chapter, table: str = "course_design") -> pd.DataFrame | None:
    """An optional table of the chapter's dataset, or None when the data folder lacks it."""
    return ch.data[table] if table in ch.data else None


def courses_of(ch: Chapter) -> pd.DataFrame:
    """The cohort's course runs (see :func:`cohort_courses`)."""
    return cohort_courses(ch.data["courses"], ch.data["enrollments"], ch.members)
