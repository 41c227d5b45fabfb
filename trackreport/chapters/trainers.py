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


def _segment_means(values: np.ndarray, starts: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The mean of each segment of ``values`` (segments begin at ``starts``), over its ``kept`` rows.

    As :meth:`pandas.Series.mean` computes it, to the last bit: NaN left out of the count
    and added as 0, the rest summed by numpy in order; NaN for a segment without values.

    >>> _segment_means(np.array([1.0, np.nan, 3.0, np.nan]), np.array([0, 2]), np.array([True, True, True, False]))
    array([1., 3.])
    """
    out = np.full(len(starts), np.nan)
    for i, (seg, keep) in enumerate(zip(np.split(values, starts[1:]), np.split(kept, starts[1:]), strict=True)):
        v = seg[keep]
        n = int(np.count_nonzero(~np.isnan(v)))
        if n:
            out[i] = np.where(np.isnan(v), 0.0, v).sum() / n
    return out


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
    # every pair's windows looked up at once; each window's mean as Series.mean takes it (NaN
    # left out, the values in month order summed by numpy), so the numbers do not move
    use = spans.index[spans["k"].to_numpy() >= 1]
    k_use = spans.loc[use, "k"].to_numpy(dtype=int)
    starts = np.concatenate([[0], np.cumsum(k_use)[:-1]]).astype(int)
    offset = np.arange(int(k_use.sum())) - np.repeat(starts, k_use)
    own_rows = panel.set_index(["employee_id", "month"])[list(metrics)]
    who = np.repeat(spans.loc[use, "employee_id"].to_numpy(), k_use)
    first_before = start_m[use].to_numpy().astype("datetime64[M]") - k_use
    means: dict[str, dict[str, np.ndarray]] = {}
    for side, first in (("b", first_before), ("a", a0[use].to_numpy().astype("datetime64[M]"))):
        months_long = pd.DatetimeIndex((np.repeat(first, k_use) + offset).astype("datetime64[ns]"))
        own = own_rows.reindex(pd.MultiIndex.from_arrays([who, months_long])).to_numpy(dtype=float)
        comp = comp_monthly.reindex(months_long).to_numpy(dtype=float)
        kept = ~np.isnan(own).all(axis=1)  # the months the trainee has (dropna(how="all"))
        means[side] = {"any": np.add.reduceat(kept.astype(int), starts) > 0}
        for j, m in enumerate(metrics):
            means[side][f"own_{m}"] = _segment_means(own[:, j], starts, kept)
            means[side][f"comp_{m}"] = _segment_means(comp[:, j], starts, np.ones(len(comp), dtype=bool))
    keep = means["b"]["any"] & means["a"]["any"]  # a trainee with months in both windows
    per_pair = pd.DataFrame(
        {"trainer_id": spans.loc[use, "trainer_id"].to_numpy(), "k": k_use}
        | {f"b_{m}": means["b"][f"own_{m}"] for m in metrics}
        | {f"a_{m}": means["a"][f"own_{m}"] for m in metrics}
        | {f"c_{m}": means["a"][f"comp_{m}"] - means["b"][f"comp_{m}"] for m in metrics}
    )[keep]
    rows = []
    for tid in sorted(spans["trainer_id"].unique()):
        per = per_pair[per_pair["trainer_id"] == tid].drop(columns="trainer_id")
        d = per.reset_index(drop=True)
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
