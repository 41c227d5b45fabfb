"""Chapter 03, trainers: a record per trainer, a star rating and trainees' business metrics.

Pure functions over the contract tables; tidy frames in, tidy frames out.

- **Satisfaction** of a trainer: the 100-point score (mean × 20) of the ``trainer``
  items of the reaction surveys about the trainer's courses, with a t interval
  (:func:`trackreport.stats.reaction.satisfaction_score`); ``n`` counts respondents
  (questionnaires). Trainers with fewer respondents than the minimum group size are
  *not scored* (no score, no stars).
- **Stars** follow the documented, configurable rules of ``params.trainer_stars``
  (:meth:`trackreport.report.params.TrainerStars.stars`: score ≥ five → 5 stars, ≥ four → 4,
  ≥ three → 3, ≥ two → 2, else 1).
- **Business metrics**: each trainee's mean monthly sales, orders and new clients
  (:func:`trackreport.stats.results.rep_month_panel`) in the ``months`` months before their
  first course with the trainer and the ``months`` months after the course ended
  (truncated at the end of the data); per trainer the mean per-trainee change with a
  paired t interval. A trainee usually has several trainers, so this is an observation,
  not an effect attributable to one trainer.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from trackreport.stats.learning import paired_change
from trackreport.stats.reaction import satisfaction_score

__all__ = ["trainer_record", "business_before_after"]

_RECORD_COLS = [
    "trainer_id",
    "name",
    "kind",
    "courses",
    "hours",
    "n",
    "score",
    "ci_low",
    "ci_high",
    "vs_baseline",
    "stars",
    "scored",
]


def trainer_record(
    trainers: pd.DataFrame,
    courses: pd.DataFrame,
    surveys: pd.DataFrame,
    *,
    stars: Callable[[float], int],
    min_n: int = 5,
    baseline: float = 85.0,
    show_names: bool = False,
) -> pd.DataFrame:
    """One row per trainer of ``courses``: courses, hours taught, satisfaction and stars.

    Parameters
    ----------
    trainers, courses, surveys : DataFrame
        ``trainers``, the course runs considered and the ``reaction_surveys`` rows about them.
    stars : callable
        Score → stars, e.g. ``params.trainer_stars.stars``.
    min_n : int
        Fewest respondents for a trainer to be scored (``params.min_group_size``).
    show_names : bool
        Keep trainer names (``params.show_names``); otherwise ``name`` is the trainer id.

    Returns
    -------
    DataFrame
        ``trainer_id, name, kind, courses, hours, n, score, ci_low, ci_high, vs_baseline,
        stars, scored``; unscored trainers have NaN score and stars 0.

    Examples
    --------
    >>> tr = pd.DataFrame({"trainer_id": ["t1", "t2"], "name": ["A", "B"], "kind": ["internal", "external"]})
    >>> co = pd.DataFrame({"course_id": ["c1", "c2"], "trainer_id": ["t1", "t2"], "hours": [8.0, 4.0]})
    >>> sv = pd.DataFrame({"response_id": [f"r{i}" for i in range(6)], "course_id": ["c1"] * 5 + ["c2"],
    ...     "trainer_id": ["t1"] * 5 + ["t2"], "dimension": "trainer", "answer": [5, 4, 4, 5, 4, 3]})
    >>> out = trainer_record(tr, co, sv, stars=lambda s: 5 if s >= 90 else 4)
    >>> out[["trainer_id", "courses", "hours", "n", "score", "stars", "scored"]]
      trainer_id  courses  hours  n  score  stars  scored
    0         t1        1    8.0  5   88.0      4    True
    1         t2        1    4.0  1    NaN      0   False
    """
    load = courses.groupby("trainer_id").agg(courses=("course_id", "nunique"), hours=("hours", "sum")).reset_index()
    sv = surveys[(surveys["dimension"] == "trainer") & surveys["course_id"].isin(set(courses["course_id"]))]
    rows = []
    for _, t in trainers[trainers["trainer_id"].isin(set(load["trainer_id"]))].iterrows():
        answers = sv[sv["trainer_id"] == t["trainer_id"]]
        x = answers["answer"].astype("float64")
        resp = int(answers.loc[x.notna().to_numpy(), "response_id"].nunique())
        scored = resp >= min_n
        e = satisfaction_score(x) if scored else None
        score = e.value if e else math.nan
        lo, hi = (e.ci_low, e.ci_high) if e else (math.nan, math.nan)
        if not scored:
            vs = "not scored"
        elif lo < baseline <= hi:
            vs = "not distinguishable"
        else:
            vs = "met" if score >= baseline else "not met"
        rows.append(
            {
                "trainer_id": t["trainer_id"],
                "name": t["name"] if show_names else t["trainer_id"],
                "kind": t["kind"],
                "n": resp,
                "score": score,
                "ci_low": lo,
                "ci_high": hi,
                "vs_baseline": vs,
                "stars": int(stars(score)) if scored else 0,
                "scored": scored,
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in _RECORD_COLS if c not in ("courses", "hours")])
    out = load.merge(out, on="trainer_id", how="inner")[_RECORD_COLS]
    return out.sort_values("trainer_id", ignore_index=True)


def business_before_after(
    panel: pd.DataFrame,
    courses: pd.DataFrame,
    enrollments: pd.DataFrame,
    *,
    months: int = 6,
    metrics: tuple[str, ...] = ("sales", "orders", "new_clients"),
) -> pd.DataFrame:
    """Trainees' monthly business metrics in the ``months`` months before and after each trainer's courses.

    For each trainer and trainee: the mean of each metric over the panel months in
    ``[first course start − months, first course start)`` and in ``(last course end,
    last course end + months]`` (calendar months, truncated at the panel's end); per
    trainer and metric the paired change with its t interval
    (:func:`trackreport.stats.learning.paired_change`). ``n`` counts trainees with both
    windows; ``months_after`` the after-window months the data covers.

    Parameters
    ----------
    panel : DataFrame
        :func:`trackreport.stats.results.rep_month_panel` of the trainees (reps).

    Returns
    -------
    DataFrame
        ``trainer_id, metric, n, months_after, before, after, change, ci_low, ci_high, p_value``.

    Examples
    --------
    >>> months = pd.date_range("2025-01-01", periods=6, freq="MS")
    >>> panel = pd.DataFrame({"employee_id": ["a"] * 6 + ["b"] * 6, "month": list(months) * 2,
    ...     "sales": [1.0, 1, 0, 2, 2, 2] + [2.0, 2, 0, 3, 3, 3]})
    >>> co = pd.DataFrame({"course_id": ["c"], "trainer_id": ["t"],
    ...     "start_date": pd.to_datetime(["2025-03-03"]), "end_date": pd.to_datetime(["2025-03-20"])})
    >>> en = pd.DataFrame({"employee_id": ["a", "b"], "course_id": ["c", "c"]})
    >>> business_before_after(panel, co, en, months=2, metrics=("sales",))[["trainer_id", "n", "before", "after", "change"]]
      trainer_id  n  before  after  change
    0          t  2     1.5    2.5     1.0
    """
    enr = enrollments[["employee_id", "course_id"]].merge(
        courses[["course_id", "trainer_id", "start_date", "end_date"]], on="course_id"
    )
    spans = (
        enr.groupby(["trainer_id", "employee_id"])
        .agg(start=("start_date", "min"), end=("end_date", "max"))
        .reset_index()
    )
    start_m = spans["start"].dt.to_period("M").dt.start_time
    end_m = spans["end"].dt.to_period("M").dt.start_time
    spans["b0"], spans["b1"] = start_m - pd.DateOffset(months=months), start_m
    spans["a0"], spans["a1"] = end_m + pd.DateOffset(months=1), end_m + pd.DateOffset(months=months + 1)
    last = panel["month"].max() if len(panel) else pd.NaT
    x = panel.merge(spans, on="employee_id")
    before = x[(x["month"] >= x["b0"]) & (x["month"] < x["b1"])]
    after = x[(x["month"] >= x["a0"]) & (x["month"] < x["a1"])]
    rows = []
    for tid, sp in spans.groupby("trainer_id", sort=True):
        b = before[before["trainer_id"] == tid].groupby("employee_id")[list(metrics)].mean()
        a = after[after["trainer_id"] == tid].groupby("employee_id")[list(metrics)].mean()
        covered = 0
        if pd.notna(last):
            covered = int(np.clip(((last.to_period("M") - sp["a0"].min().to_period("M")).n + 1), 0, months))
        for m in metrics:
            e = paired_change(b[m], a[m]) if len(b) and len(a) else paired_change([], [])
            both = b.index.intersection(a.index)
            rows.append(
                {
                    "trainer_id": tid,
                    "metric": m,
                    "n": e.n,
                    "months_after": covered,
                    "before": float(b.loc[both, m].mean()) if len(both) else math.nan,
                    "after": float(a.loc[both, m].mean()) if len(both) else math.nan,
                    "change": e.value,
                    "ci_low": e.ci_low,
                    "ci_high": e.ci_high,
                    "p_value": e.p_value,
                }
            )
    cols = ["trainer_id", "metric", "n", "months_after", "before", "after", "change", "ci_low", "ci_high", "p_value"]
    return pd.DataFrame(rows, columns=cols)
