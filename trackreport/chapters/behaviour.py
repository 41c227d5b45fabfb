"""Behaviour (Kirkpatrick level 3): 360-degree ratings, CRM discipline, FABE on the job.

Pure functions over the contract tables with the ``group`` (``trained``/``comparison``)
and ``segment`` columns that :func:`trackreport.chapters.evaluation.cohort_slice` adds: tidy
frames in, tidy frames or :class:`~trackreport.stats.estimate.Estimate` out. Trained changes
are shown beside the comparison group's (:func:`trackreport.chapters.evaluation.compare_change`)
whenever the untrained staff have the same measure.

Operational definitions (see ``docs/`` for the methods log):

- **CRM completeness** of a person in a window = ``Σ records_complete / Σ
  records_created`` over the window's months (a ratio of sums, so busy months weigh
  more); people without records in a window have no value there.
- **Applying FABE** ("90% of trainees apply FABE within 3 months"): a person applies
  FABE when, over the ``months`` calendar months following the month their training
  ended, at least ``min_share`` (default 50%) of their reviewed calls
  (``crm_activity.observed_calls``) followed the FABE structure (``fabe_calls``) and
  at least ``min_calls`` (default 3) calls were reviewed. Calls are what the deck's
  "verified" refers to on the job; the role-play score (chapter 07) is the scenario
  check. The comparison group is measured over the same calendar months as the
  cohort (from the month after the cohort's last course).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from trackreport.chapters.evaluation import TRAINED, compare_change, group_size, mean_estimate
from trackreport.stats.estimate import Estimate, proportion

__all__ = [
    "FABE_MIN_SHARE",
    "FABE_MIN_CALLS",
    "rating_change",
    "rating_grid",
    "crm_completeness",
    "crm_change",
    "completeness_level",
    "fabe_adoption",
    "adoption_share",
    "adoption_table",
    "capability_profile",
]

FABE_MIN_SHARE = 0.5
"""Share of reviewed calls following FABE from which a person counts as applying FABE."""
FABE_MIN_CALLS = 3
"""Fewest reviewed calls in the window for the FABE rule to be judged."""


def rating_change(ratings: pd.DataFrame, *, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """360-degree rating change (post wave − pre wave), trained beside comparison.

    Each ratee's ratings are averaged per wave within each ``by`` group (e.g. over
    raters and competencies), then paired: the trained change, the comparison change
    (paired t intervals) and their difference (Welch interval); see
    :func:`trackreport.chapters.evaluation.compare_change`. Ratings are on 1-5 points.

    Parameters
    ----------
    ratings : DataFrame
        ``ratings_360`` rows with ``group`` (and ``segment``) columns, ``ratee_id`` the unit.
    by : str or list of str, optional
        E.g. ``"rater_type"``, ``"competency"`` or ``["rater_type", "competency"]``.

    Examples
    --------
    >>> r = pd.DataFrame({"ratee_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
    ...     "group": ["trained"] * 4 + ["comparison"] * 4, "wave": ["pre", "post"] * 4,
    ...     "rating": [3, 4, 3, 4, 3, 3, 4, 4]})
    >>> rating_change(r)[["group", "n", "value"]]
            group  n  value
    0     trained  2    1.0
    1  comparison  2    0.0
    2  difference  4    1.0
    """
    return compare_change(ratings, value="rating", phase_col="wave", by=by, unit="ratee_id")


def rating_grid(changes: pd.DataFrame, *, group: str = "difference", min_n: int = 5) -> pd.DataFrame:
    """Competency x rater-type grid of one group's 360 change, for reading at a glance.

    ``changes`` is :func:`rating_change` with ``by=["rater_type", "competency"]``. Each
    cell is the change as text with a star when its 95% interval excludes zero; cells
    resting on fewer than ``min_n`` people are left empty (privacy).

    Examples
    --------
    >>> ch = pd.DataFrame({"rater_type": ["peer", "self"], "competency": ["negotiation"] * 2,
    ...     "group": ["difference"] * 2, "n": [8, 3], "value": [0.5, 0.2],
    ...     "ci_low": [0.1, -0.1], "ci_high": [0.9, 0.5]})
    >>> rating_grid(ch).to_dict("records")
    [{'competency': 'negotiation', 'peer': '+0.50*', 'self': ''}]
    """
    x = changes[changes["group"] == group].copy()
    sig = (x["ci_low"] > 0) | (x["ci_high"] < 0)
    x["cell"] = [
        ("" if n < min_n or pd.isna(v) else f"{v:+.2f}" + ("*" if s else ""))
        for n, v, s in zip(group_size(x), x["value"], sig, strict=True)
    ]
    grid = x.pivot(index="competency", columns="rater_type", values="cell").fillna("")
    grid.columns.name = None
    return grid.reset_index()


def crm_completeness(
    crm: pd.DataFrame,
    *,
    before: tuple[pd.Timestamp, pd.Timestamp],
    after: tuple[pd.Timestamp, pd.Timestamp],
) -> pd.DataFrame:
    """Each person's CRM record completeness in the before and after windows.

    ``completeness = Σ records_complete / Σ records_created`` over the window's months
    (``month`` between the window's first and last day); windows without records
    created give no row.

    Returns
    -------
    DataFrame
        ``employee_id, group, segment, window ('before'/'after'), records, completeness``
        (``group``/``segment`` kept when present).

    Examples
    --------
    >>> crm = pd.DataFrame({"employee_id": ["a"] * 4,
    ...     "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-07-01", "2025-08-01"]),
    ...     "records_created": [10, 30, 20, 20], "records_complete": [6, 22, 18, 19]})
    >>> w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    >>> v = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    >>> crm_completeness(crm, before=w, after=v)[["window", "records", "completeness"]]
       window  records  completeness
    0   after       40         0.925
    1  before       40         0.700
    """
    keys = ["employee_id"] + [c for c in ("group", "segment") if c in crm.columns]
    parts = []
    for name, (a, b) in (("before", before), ("after", after)):
        sel = crm[(crm["month"] >= a) & (crm["month"] <= b)]
        agg = (
            sel.groupby(keys, observed=True)
            .agg(records=("records_created", "sum"), complete=("records_complete", "sum"))
            .reset_index()
        )
        agg = agg[agg["records"] > 0]
        agg["window"] = name
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    out["records"] = out["records"].astype("int64")
    out["completeness"] = out["complete"].astype("float64") / out["records"].astype("float64")
    return out.sort_values(keys + ["window"], ignore_index=True)[keys + ["window", "records", "completeness"]]


def crm_change(completeness: pd.DataFrame, *, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Change of CRM completeness, after − before, trained beside comparison, and the gap.

    The ``difference`` row is the difference-in-differences of per-person changes with
    a Welch interval (:func:`trackreport.chapters.evaluation.compare_change`); values are shares
    (0-1), so a change of 0.22 is +22 percentage points.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": list("aabbccdd"),
    ...     "group": ["trained"] * 4 + ["comparison"] * 4, "window": ["before", "after"] * 4,
    ...     "completeness": [0.7, 0.9, 0.6, 0.9, 0.7, 0.7, 0.7, 0.8]})
    >>> crm_change(df)[["group", "value"]].round(2)
            group  value
    0     trained   0.25
    1  comparison   0.05
    2  difference   0.20
    """
    return compare_change(completeness, value="completeness", phase_col="window", pre="before", post="after", by=by)


def completeness_level(completeness: pd.DataFrame, *, window: str = "after", group: str = TRAINED) -> Estimate:
    """Mean per-person CRM completeness of a group in one window, with a t interval.

    Compared with the deck's target (95%) in the chapter.

    Examples
    --------
    >>> df = pd.DataFrame({"group": "trained", "window": "after", "completeness": [0.9, 0.95, 1.0]})
    >>> round(completeness_level(df).value, 3)
    0.95
    """
    x = completeness[(completeness["window"] == window) & (completeness["group"] == group)]
    return mean_estimate(x["completeness"])


def fabe_adoption(
    crm: pd.DataFrame,
    people: pd.DataFrame,
    *,
    months: int = 3,
    min_share: float = FABE_MIN_SHARE,
    min_calls: int = FABE_MIN_CALLS,
    start: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Who applies FABE on the job within ``months`` months of training (module docstring rule).

    Each person's window starts the month after their ``training_end``; people without
    one (the comparison group) use ``start``, by default the month after the latest
    ``training_end`` (the cohort's last course). The window spans ``months`` calendar
    months. ``share = Σ fabe_calls / Σ observed_calls``; ``applies`` is True when
    ``share >= min_share`` and ``calls >= min_calls``, NA when fewer calls were reviewed.

    Parameters
    ----------
    crm : DataFrame
        ``crm_activity`` rows (``employee_id, month, observed_calls, fabe_calls``).
    people : DataFrame
        ``employee_id`` plus optional ``training_end``, ``group`` and ``segment``.
    months : int
        ``params.targets.fabe_adoption_months``.

    Returns
    -------
    DataFrame
        ``employee_id, (group, segment,) window_start, calls, fabe_calls, share, applies``.

    Examples
    --------
    >>> crm = pd.DataFrame({"employee_id": ["a", "a", "b"],
    ...     "month": pd.to_datetime(["2025-09-01", "2025-10-01", "2025-09-01"]),
    ...     "observed_calls": [4, 4, 2], "fabe_calls": [2, 3, 2]})
    >>> people = pd.DataFrame({"employee_id": ["a", "b"],
    ...     "training_end": pd.to_datetime(["2025-08-29", "2025-08-29"])})
    >>> fabe_adoption(crm, people)[["employee_id", "calls", "share", "applies"]]
      employee_id  calls  share  applies
    0           a      8  0.625     True
    1           b      2  1.000     <NA>
    """
    keep = ["employee_id"] + [c for c in ("group", "segment") if c in people.columns]
    p = people[keep].copy()
    if "training_end" in people.columns:
        ends = pd.to_datetime(people["training_end"]).dt.to_period("M").dt.start_time + pd.DateOffset(months=1)
        p["window_start"] = ends.astype("datetime64[ns]").to_numpy()
        if start is None and p["window_start"].notna().any():
            start = p["window_start"].max()
    else:
        p["window_start"] = pd.NaT
    if start is None and p["window_start"].isna().any():
        raise ValueError("fabe_adoption needs people.training_end or a start month")
    if start is not None:
        p["window_start"] = p["window_start"].fillna(pd.Timestamp(start)).astype("datetime64[ns]")
    p["window_end"] = p["window_start"] + pd.DateOffset(months=months)
    x = crm[["employee_id", "month", "observed_calls", "fabe_calls"]].merge(p, on="employee_id", how="inner")
    x = x[(x["month"] >= x["window_start"]) & (x["month"] < x["window_end"])]
    agg = x.groupby("employee_id").agg(calls=("observed_calls", "sum"), fabe_calls=("fabe_calls", "sum"))
    out = p.drop(columns="window_end").merge(agg.reset_index(), on="employee_id", how="left")
    out["calls"] = out["calls"].fillna(0).astype("int64")
    out["fabe_calls"] = out["fabe_calls"].fillna(0).astype("int64")
    calls = out["calls"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(calls > 0, out["fabe_calls"].to_numpy(dtype="float64") / calls, np.nan)
    judged = out["calls"] >= min_calls
    applies = pd.array(np.asarray(out["share"] >= min_share), dtype="boolean")
    applies[~np.asarray(judged)] = pd.NA
    out["applies"] = applies
    return out.sort_values("employee_id", ignore_index=True)


def adoption_share(adoption: pd.DataFrame, *, group: str | None = TRAINED) -> Estimate:
    """Share of people applying FABE (of those judged), with the Wilson interval.

    Examples
    --------
    >>> df = pd.DataFrame({"applies": pd.array([True, True, False, None], dtype="boolean")})
    >>> e = adoption_share(df, group=None)
    >>> round(e.value, 3), e.n
    (0.667, 3)
    """
    x = adoption if group is None else adoption[adoption["group"] == group]
    judged = x["applies"].dropna()
    return proportion(int(judged.astype(bool).sum()), int(judged.size))


def adoption_table(adoption: pd.DataFrame, *, by: str | Sequence[str] = "group") -> pd.DataFrame:
    """FABE adoption share per group (e.g. trained vs comparison, or segment), Wilson intervals.

    Returns ``*by, n, value, ci_low, ci_high`` (``n`` = people judged).

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["trained"] * 2 + ["comparison"] * 2,
    ...     "applies": pd.array([True, True, False, True], dtype="boolean")})
    >>> adoption_table(df)[["group", "n", "value"]]
            group  n  value
    0  comparison  2    0.5
    1     trained  2    1.0
    """
    keys = [by] if isinstance(by, str) else list(by)
    rows = []
    for k, g in adoption.groupby(keys, sort=True, observed=True):
        e = adoption_share(g, group=None)
        rows.append(
            dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=True))
            | {"n": e.n, "value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}
        )
    return pd.DataFrame(rows, columns=keys + ["n", "value", "ci_low", "ci_high"])


def capability_profile(
    ratings: pd.DataFrame, *, by: str | Sequence[str] | None = "segment", group: str | None = TRAINED
) -> pd.DataFrame:
    """Mean 360 rating per competency and wave (the capability radar), per ``by`` group.

    Each ratee's ratings are averaged per competency and wave (over rater types), then
    averaged over ratees; ``n`` counts the ratees of the ``by`` group (for privacy).

    Returns
    -------
    DataFrame
        ``*by, competency, wave, n, rating`` (rating on 1-5).

    Examples
    --------
    >>> r = pd.DataFrame({"ratee_id": ["a", "a", "b", "b"], "segment": "manager",
    ...     "competency": "negotiation", "wave": ["pre", "post"] * 2, "rating": [3, 4, 2, 4]})
    >>> capability_profile(r, group=None)
       segment   competency  wave  n  rating
    0  manager  negotiation  post  2     4.0
    1  manager  negotiation   pre  2     2.5
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    r = ratings if group is None else ratings[ratings["group"] == group]
    per = r.groupby(keys + ["ratee_id", "competency", "wave"], observed=True)["rating"].mean().reset_index()
    size = per.groupby(keys, observed=True)["ratee_id"].nunique().rename("n") if keys else None
    out = per.groupby(keys + ["competency", "wave"], observed=True)["rating"].mean().reset_index()
    if keys:
        out = out.merge(size.reset_index(), on=keys, how="left")
    else:
        out["n"] = per["ratee_id"].nunique()
    out["n"] = out["n"].astype("int64")
    out["rating"] = out["rating"].astype("float64")
    return out[keys + ["competency", "wave", "n", "rating"]].sort_values(
        keys + ["competency", "wave"], ignore_index=True
    )
