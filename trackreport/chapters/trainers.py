"""Chapter 03, trainers: a record per trainer, a star rating and trainees' business metrics.

Pure functions over the contract tables; tidy frames in, tidy frames out.

- **Satisfaction** of a trainer: the 100-point score (mean × 20) of the ``trainer``
  items of the reaction surveys about the trainer's courses, with a t interval clustered by
  questionnaire (:func:`trackreport.stats.reaction.satisfaction_score` with ``clusters``;
  issue 9, finding 4: a questionnaire's three trainer items are correlated, and an interval
  over answers was up to 2x too narrow); ``n`` counts respondents (questionnaires).
  Trainers with fewer respondents than the minimum group size are *not scored* (no score,
  no stars).
- **Stars** follow the documented, configurable rules of ``params.trainer_stars``
  (:meth:`trackreport.report.params.TrainerStars.stars`: score ≥ five → 5 stars, ≥ four → 4,
  ≥ three → 3, ≥ two → 2, else 1), applied to both ends of the 95% interval: a trainer gets
  a single star rating only when the interval lies within one band (``stars = "4"``), else
  the range the interval spans (``"3-4"``); ``stars_low`` / ``stars_high`` hold its ends.
- **Business metrics**: each trainee's mean monthly sales, orders and new clients
  (:func:`trackreport.data.panels.rep_month_panel`) in windows of equal length before
  their first course with the trainer and after the last one (as long as the data covers
  after it, at most ``months``), beside the comparison group's change over the same
  calendar months and the difference (net). A trainee usually has several trainers, so
  this is an observation, not an effect attributable to one trainer: no interval, no
  p-value (issue 9, finding 6).

The English texts of the tables' headers and package-made cells are listed in
:data:`COLUMN_LABELS` and :data:`CELL_LABELS` (``N_``) so that the catalog holds what a page
shows; each is exactly what the page shows in English:

>>> from trackreport.stats.display import label, pretty_column
>>> all(pretty_column(k) == v for k, v in COLUMN_LABELS.items()), all(label(k) == v for k, v in CELL_LABELS.items())
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from trackreport.i18n import N_
from trackreport.stats.display import status_word
from trackreport.stats.reaction import satisfaction_score

__all__ = ["trainer_record", "star_range", "business_before_after", "NOT_SCORED", "COLUMN_LABELS", "CELL_LABELS"]

NOT_SCORED = N_("not scored")
"""``vs_baseline`` and ``stars`` of a trainer with too few respondents to be scored."""

#: How the columns of chapter 03's tables read (``pretty_column``), for the catalog (the
#: columns shared with chapter 05 are in :data:`trackreport.chapters.evaluation.COLUMN_LABELS`).
COLUMN_LABELS: dict[str, str] = {
    "trainer_id": N_("Trainer id"),
    "name": N_("Name"),
    "courses": N_("Courses"),
    "hours": N_("Hours"),
    "stars": N_("Stars"),
    "stars_low": N_("Stars low"),
    "stars_high": N_("Stars high"),
    "scored": N_("Scored"),
    "metric": N_("Metric"),
    "months": N_("Months"),
    "comparison_change": N_("Comparison change"),
    "net": N_("Net"),
}

#: Words in text cells of chapter 03's tables (``label()`` of the value), for the catalog.
CELL_LABELS: dict[str, str] = {
    NOT_SCORED: NOT_SCORED,
    "internal": N_("internal"),  # trainers.kind
    "external": N_("external"),
    "sales": N_("sales"),  # business_before_after's metrics
    "orders": N_("orders"),
    "new_clients": N_("new clients"),
}

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
    "stars_low",
    "stars_high",
    "scored",
]


def star_range(low: float, high: float, *, stars: Callable[[float], int]) -> tuple[str, int, int]:
    """Star rating of a score's 95% interval: one rating when both ends earn it, else the range.

    Returns ``(label, low stars, high stars)``; the label is ``"4"`` when ``stars(low) ==
    stars(high)``, else ``"3-4"``. A rating is a decision about a person, so it is given
    only when the interval clears the cut-off (issue 9, finding 4).

    Examples
    --------
    >>> cut = lambda s: 5 if s >= 92 else 4 if s >= 85 else 3
    >>> star_range(86.0, 91.0, stars=cut), star_range(83.0, 93.0, stars=cut)
    (('4', 4, 4), ('3-5', 3, 5))
    """
    lo, hi = int(stars(low)), int(stars(high))
    return (str(lo) if lo == hi else f"{lo}-{hi}"), lo, hi


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
        stars, stars_low, stars_high, scored``; ``stars`` is the rating the interval
        supports (:func:`star_range`: ``"4"`` or ``"3-4"``); unscored trainers have NaN
        score, ``stars`` ``"not scored"`` and stars_low / stars_high 0.

    Examples
    --------
    >>> tr = pd.DataFrame({"trainer_id": ["t1", "t2"], "name": ["A", "B"], "kind": ["internal", "external"]})
    >>> co = pd.DataFrame({"course_id": ["c1", "c2"], "trainer_id": ["t1", "t2"], "hours": [8.0, 4.0]})
    >>> sv = pd.DataFrame({"response_id": [f"r{i}" for i in range(6)], "course_id": ["c1"] * 5 + ["c2"],
    ...     "trainer_id": ["t1"] * 5 + ["t2"], "dimension": "trainer", "answer": [5, 4, 4, 5, 4, 3]})
    >>> out = trainer_record(tr, co, sv, stars=lambda s: 5 if s >= 90 else 4)
    >>> out[["trainer_id", "courses", "hours", "n", "score", "stars", "scored"]]
      trainer_id  courses  hours  n  score       stars  scored
    0         t1        1    8.0  5   88.0         4-5    True
    1         t2        1    4.0  1    NaN  not scored   False
    """
    load = courses.groupby("trainer_id").agg(courses=("course_id", "nunique"), hours=("hours", "sum")).reset_index()
    sv = surveys[(surveys["dimension"] == "trainer") & surveys["course_id"].isin(set(courses["course_id"]))]
    rows = []
    for _unused, t in trainers[trainers["trainer_id"].isin(set(load["trainer_id"]))].iterrows():
        answers = sv[sv["trainer_id"] == t["trainer_id"]]
        x = answers["answer"].astype("float64")
        resp = int(answers.loc[x.notna().to_numpy(), "response_id"].nunique())
        scored = resp >= min_n
        e = satisfaction_score(x, clusters=answers["response_id"].to_numpy()) if scored else None
        score = e.value if e else math.nan
        lo, hi = (e.ci_low, e.ci_high) if e else (math.nan, math.nan)
        vs = status_word(score, lo, hi, baseline) if scored else NOT_SCORED  # met / on track / uncertain / missed
        label, s_lo, s_hi = star_range(lo, hi, stars=stars) if scored else (NOT_SCORED, 0, 0)
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
                "stars": label,
                "stars_low": s_lo,
                "stars_high": s_hi,
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
    comparison: Sequence[str] = (),
    months: int = 6,
    metrics: tuple[str, ...] = ("sales", "orders", "new_clients"),
) -> pd.DataFrame:
    """Trainees' monthly business metrics around each trainer's courses, net of the comparison group.

    An observation, not an effect (issue 9, finding 6): a trainee takes several trainers'
    courses, so no trainer's share can be told apart; chapter 06 estimates the training's
    effect. For each trainer and trainee, two windows of **equal length** ``k`` months:
    the ``k`` months before the first course with the trainer and the ``k`` months after
    the last one ended, ``k`` = ``months`` cut to the after-months the panel covers. The
    trainee's change (mean after − mean before) is shown beside the ``comparison`` reps'
    change over the **same calendar months** (their mean per month, so season and market
    move out) and the difference, ``net``. Per trainer and metric the mean over its
    trainees; no interval and no p-value (what they would test is not a trainer's effect).

    Parameters
    ----------
    panel : DataFrame
        :func:`trackreport.data.panels.rep_month_panel` of the trainees and the comparison reps.
    comparison : sequence of str
        ``employee_id`` of the comparison reps (never or not yet trained); without them
        ``comparison_change`` and ``net`` are NaN.

    Returns
    -------
    DataFrame
        ``trainer_id, metric, n, months, before, after, change, comparison_change, net``;
        ``n`` trainees with both windows, ``months`` the windows' length (the shortest).

    Examples
    --------
    >>> months = pd.date_range("2025-01-01", periods=6, freq="MS")
    >>> panel = pd.DataFrame({"employee_id": ["a"] * 6 + ["b"] * 6 + ["z"] * 6, "month": list(months) * 3,
    ...     "sales": [1.0, 1, 0, 2, 2, 2] + [2.0, 2, 0, 3, 3, 3] + [1.0, 1, 1, 1.5, 1.5, 1.5]})
    >>> co = pd.DataFrame({"course_id": ["c"], "trainer_id": ["t"],
    ...     "start_date": pd.to_datetime(["2025-03-03"]), "end_date": pd.to_datetime(["2025-03-20"])})
    >>> en = pd.DataFrame({"employee_id": ["a", "b"], "course_id": ["c", "c"]})
    >>> out = business_before_after(panel, co, en, comparison=["z"], months=2, metrics=("sales",))
    >>> out[["n", "months", "before", "after", "change", "comparison_change", "net"]]
       n  months  before  after  change  comparison_change  net
    0  2       2     1.5    2.5     1.0                0.5  0.5
    """
    enr = enrollments[["employee_id", "course_id"]].merge(
        courses[["course_id", "trainer_id", "start_date", "end_date"]], on="course_id"
    )
    spans = (
        enr.groupby(["trainer_id", "employee_id"])
        .agg(start=("start_date", "min"), end=("end_date", "max"))
        .reset_index()
    )
    last = panel["month"].max() if len(panel) else pd.NaT
    start_m = spans["start"].dt.to_period("M").dt.start_time
    end_m = spans["end"].dt.to_period("M").dt.start_time
    a0 = end_m + pd.DateOffset(months=1)
    if pd.notna(last):  # after-months the data covers, at most `months`: both windows this long
        gap = (last.year - a0.dt.year) * 12 + (last.month - a0.dt.month) + 1
        k = np.clip(gap.to_numpy(dtype=int), 0, months)
    else:
        k = np.zeros(len(spans), dtype=int)
    spans["k"] = k
    comp_ids = set(comparison)
    comp_monthly = panel[panel["employee_id"].isin(comp_ids)].groupby("month")[list(metrics)].mean()
    # each trainee's months, split once (a trainee has several trainers): not a scan of the panel per pair
    by_employee = {e: g.set_index("month")[list(metrics)] for e, g in panel.groupby("employee_id", sort=False)}
    nobody = panel.iloc[:0].set_index("month")[list(metrics)]
    rows = []
    for tid, sp in spans.groupby("trainer_id", sort=True):
        per: list[dict] = []
        for i, employee, k_i in zip(sp.index, sp["employee_id"], sp["k"], strict=True):
            if k_i < 1:
                continue
            before = pd.date_range(start_m[i] - pd.DateOffset(months=int(k_i)), periods=int(k_i), freq="MS")
            after = pd.date_range(a0[i], periods=int(k_i), freq="MS")
            own = by_employee.get(employee, nobody)
            b, a = own.reindex(before).dropna(how="all"), own.reindex(after).dropna(how="all")
            if b.empty or a.empty:
                continue
            cb, ca = comp_monthly.reindex(before), comp_monthly.reindex(after)
            per.append(
                {"k": int(k_i)}
                | {f"b_{m}": b[m].mean() for m in metrics}
                | {f"a_{m}": a[m].mean() for m in metrics}
                | {f"c_{m}": ca[m].mean() - cb[m].mean() for m in metrics}
            )
        d = pd.DataFrame(per)
        for m in metrics:
            if d.empty:
                vals = dict(n=0, months=0, before=math.nan, after=math.nan, change=math.nan)
                vals |= dict(comparison_change=math.nan, net=math.nan)
            else:
                change = d[f"a_{m}"] - d[f"b_{m}"]
                vals = dict(
                    n=len(d),
                    months=int(d["k"].min()),
                    before=float(d[f"b_{m}"].mean()),
                    after=float(d[f"a_{m}"].mean()),
                    change=float(change.mean()),
                    comparison_change=float(d[f"c_{m}"].mean()) if comp_ids else math.nan,
                    net=float((change - d[f"c_{m}"]).mean()) if comp_ids else math.nan,
                )
            rows.append({"trainer_id": tid, "metric": m, **vals})
    cols = ["trainer_id", "metric", "n", "months", "before", "after", "change", "comparison_change", "net"]
    return pd.DataFrame(rows, columns=cols)
