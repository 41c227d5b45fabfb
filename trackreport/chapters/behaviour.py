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
    "kpi_windows",
    "kpi_change",
    "sop_compliance",
    "sop_change",
    "employed_throughout",
    "incident_rates",
    "incident_change",
    "incident_kinds",
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
    cell is the change as text with a star when its Benjamini-Hochberg q-value over the
    grid (``q_value``, from :func:`trackreport.chapters.evaluation.compare_change`) is below
    0.05 (issue 9, finding 5: the grid is exploratory; without ``q_value``, when its 95%
    interval excludes zero); cells resting on fewer than ``min_n`` people are left empty
    (privacy).

    Examples
    --------
    >>> ch = pd.DataFrame({"rater_type": ["peer", "self"], "competency": ["negotiation"] * 2,
    ...     "group": ["difference"] * 2, "n": [8, 3], "value": [0.5, 0.2],
    ...     "ci_low": [0.1, -0.1], "ci_high": [0.9, 0.5]})
    >>> rating_grid(ch).to_dict("records")
    [{'competency': 'negotiation', 'peer': '+0.50*', 'self': ''}]
    """
    x = changes[changes["group"] == group].copy()
    if "q_value" in x.columns:
        sig = (x["q_value"] < 0.05).to_numpy(dtype=bool)
    else:
        sig = ((x["ci_low"] > 0) | (x["ci_high"] < 0)).to_numpy(dtype=bool)
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


# --------------------------------------------------------------------------- manager KPIs, critical incidents, call SOP
# Optional contract tables ``manager_kpis``, ``critical_incidents`` and ``call_audits``.


def _in_window(dates: pd.Series, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    return (dates >= window[0]) & (dates <= window[1])


def _with_people(df: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    cols = ["employee_id"] + [c for c in ("group", "segment") if c in people.columns]
    return df.merge(people[cols].drop_duplicates("employee_id"), on="employee_id", how="inner")


def kpi_windows(
    kpis: pd.DataFrame,
    people: pd.DataFrame,
    *,
    before: tuple[pd.Timestamp, pd.Timestamp],
    after: tuple[pd.Timestamp, pd.Timestamp],
) -> pd.DataFrame:
    """Each person's manager-observed KPI share in the before and after windows.

    ``value = Σ (value × checks) / Σ checks`` over the window's months of ``manager_kpis``
    (the checks-weighted share meeting the standard); months without observations give
    nothing. Only people of ``people`` (with their ``group``/``segment``) are kept.

    Returns
    -------
    DataFrame
        ``employee_id, (group, segment,) kpi, window ('before'/'after'), checks, value``.

    Examples
    --------
    >>> k = pd.DataFrame({"employee_id": ["a"] * 3, "kpi": "display_compliance",
    ...     "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-07-01"]),
    ...     "checks": [2, 6, 4], "value": [0.5, 0.5, 1.0]})
    >>> p = pd.DataFrame({"employee_id": ["a"], "group": ["trained"]})
    >>> w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    >>> v = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    >>> kpi_windows(k, p, before=w, after=v)[["window", "checks", "value"]]
       window  checks  value
    0   after       4    1.0
    1  before       8    0.5
    """
    x = _with_people(kpis, people)
    keys = ["employee_id"] + [c for c in ("group", "segment") if c in x.columns] + ["kpi"]
    parts = []
    for name, window in (("before", before), ("after", after)):
        sel = x[_in_window(x["month"], window)]
        sel = sel.assign(_ok=sel["value"].astype("float64") * sel["checks"].astype("float64"))
        agg = sel.groupby(keys, observed=True).agg(checks=("checks", "sum"), _ok=("_ok", "sum")).reset_index()
        agg["window"] = name
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    out["checks"] = out["checks"].astype("int64")
    out["value"] = out["_ok"] / out["checks"].astype("float64")
    return out.sort_values(keys + ["window"], ignore_index=True)[keys + ["window", "checks", "value"]]


def kpi_change(levels: pd.DataFrame, *, by: str | Sequence[str] | None = "kpi") -> pd.DataFrame:
    """Change of each manager-observed KPI, trainees beside untrained colleagues, and the DiD.

    :func:`trackreport.chapters.evaluation.compare_change` on :func:`kpi_windows`
    (paired t intervals per group, Welch interval of the difference); values are shares
    (0.12 = +12 percentage points).

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": list("aabbccdd"), "kpi": "display_compliance",
    ...     "group": ["trained"] * 4 + ["comparison"] * 4, "window": ["before", "after"] * 4,
    ...     "value": [0.6, 0.8, 0.7, 0.8, 0.6, 0.65, 0.7, 0.7]})
    >>> kpi_change(df)[["group", "value"]].round(3)
            group  value
    0     trained  0.150
    1  comparison  0.025
    2  difference  0.125
    """
    return compare_change(levels, value="value", phase_col="window", pre="before", post="after", by=by)


def sop_compliance(
    audits: pd.DataFrame,
    people: pd.DataFrame,
    *,
    before: tuple[pd.Timestamp, pd.Timestamp],
    after: tuple[pd.Timestamp, pd.Timestamp],
) -> pd.DataFrame:
    """Each person's call-SOP compliance in the before and after windows.

    ``compliance = Σ calls_compliant / Σ calls_audited`` over the window's months of
    ``call_audits`` (a ratio of sums); people without audited calls in a window have no
    value there.

    Returns
    -------
    DataFrame
        ``employee_id, (group, segment,) window, calls, compliance``.

    Examples
    --------
    >>> a = pd.DataFrame({"employee_id": ["a", "a", "a"],
    ...     "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-08-01"]),
    ...     "calls_audited": [4, 6, 5], "calls_compliant": [2, 3, 4]})
    >>> p = pd.DataFrame({"employee_id": ["a"], "group": ["trained"]})
    >>> w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    >>> v = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    >>> sop_compliance(a, p, before=w, after=v)[["window", "calls", "compliance"]]
       window  calls  compliance
    0   after      5         0.8
    1  before     10         0.5
    """
    x = _with_people(audits, people)
    keys = ["employee_id"] + [c for c in ("group", "segment") if c in x.columns]
    parts = []
    for name, window in (("before", before), ("after", after)):
        sel = x[_in_window(x["month"], window)]
        agg = (
            sel.groupby(keys, observed=True)
            .agg(calls=("calls_audited", "sum"), ok=("calls_compliant", "sum"))
            .reset_index()
        )
        agg["window"] = name
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    out = out[out["calls"] > 0]
    out["calls"] = out["calls"].astype("int64")
    out["compliance"] = out["ok"].astype("float64") / out["calls"].astype("float64")
    return out.sort_values(keys + ["window"], ignore_index=True)[keys + ["window", "calls", "compliance"]]


def sop_change(levels: pd.DataFrame, *, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Change of call-SOP compliance, trainees beside untrained colleagues, and the DiD.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": list("aabbccdd"),
    ...     "group": ["trained"] * 4 + ["comparison"] * 4, "window": ["before", "after"] * 4,
    ...     "compliance": [0.5, 0.7, 0.6, 0.8, 0.5, 0.55, 0.6, 0.6]})
    >>> sop_change(df)[["group", "value"]].round(3)
            group  value
    0     trained  0.200
    1  comparison  0.025
    2  difference  0.175
    """
    return compare_change(levels, value="compliance", phase_col="window", pre="before", post="after", by=by)


def employed_throughout(people: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """People employed on every day from ``start`` to ``end`` (hired by ``start``, not left before ``end``).

    Rates per person-month need people at risk for the whole window; people without
    ``hire_date``/``leave_date`` columns are kept as they are.

    Examples
    --------
    >>> p = pd.DataFrame({"employee_id": ["a", "b", "c"],
    ...     "hire_date": pd.to_datetime(["2020-01-01", "2025-05-01", "2020-01-01"]),
    ...     "leave_date": pd.to_datetime([None, None, "2025-08-01"])})
    >>> employed_throughout(p, start=pd.Timestamp("2025-04-01"), end=pd.Timestamp("2025-12-31"))["employee_id"].tolist()
    ['a']
    """
    keep = pd.Series(True, index=people.index)
    if "hire_date" in people.columns:
        keep &= people["hire_date"].isna() | (people["hire_date"] <= start)
    if "leave_date" in people.columns:
        keep &= people["leave_date"].isna() | (people["leave_date"] > end)
    return people[keep].reset_index(drop=True)


def incident_rates(
    records: pd.DataFrame,
    people: pd.DataFrame,
    *,
    before: tuple[pd.Timestamp, pd.Timestamp],
    after: tuple[pd.Timestamp, pd.Timestamp],
    kinds: Sequence[str] | None = None,
    per: float = 1.0,
) -> pd.DataFrame:
    """Critical incidents per person-month of each person in the before and after windows.

    ``rate = per × records dated in the window / calendar months of the window`` (``per=100``:
    records per 100 person-months, easier to read than 0.35 per person-month); every person
    of ``people`` counts in both windows (no record is a rate of 0), so ``people`` should
    hold only people employed throughout both windows (:func:`employed_throughout`).
    ``kinds`` restricts the records (e.g. ``["product_info_incomplete"]``).

    Returns
    -------
    DataFrame
        ``employee_id, (group, segment,) window, incidents, rate``.

    Examples
    --------
    >>> r = pd.DataFrame({"employee_id": ["a", "a", "a", "b"], "kind": "follow_up_missed",
    ...     "date": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-03-05", "2025-08-01"])})
    >>> p = pd.DataFrame({"employee_id": ["a", "b"], "group": ["trained", "comparison"]})
    >>> w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    >>> v = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    >>> incident_rates(r, p, before=w, after=v)[["employee_id", "window", "incidents", "rate"]].round(3)
      employee_id  window  incidents   rate
    0           a   after          0  0.000
    1           a  before          3  1.000
    2           b   after          1  0.333
    3           b  before          0  0.000
    """
    keys = ["employee_id"] + [c for c in ("group", "segment") if c in people.columns]
    base = people[keys].drop_duplicates("employee_id")
    x = records if kinds is None else records[records["kind"].isin(list(kinds))]
    parts = []
    for name, window in (("before", before), ("after", after)):
        months = len(pd.period_range(window[0], window[1], freq="M"))
        counts = x[_in_window(x["date"], window)].groupby("employee_id").size()
        n = base["employee_id"].map(counts).fillna(0).astype("int64").to_numpy()
        parts.append(base.assign(window=name, incidents=n, rate=per * n / months))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(keys + ["window"], ignore_index=True)[keys + ["window", "incidents", "rate"]]


def incident_change(rates: pd.DataFrame, *, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Change of critical incidents per person-month, trainees beside untrained colleagues, and the DiD.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": list("aabbccdd"),
    ...     "group": ["trained"] * 4 + ["comparison"] * 4, "window": ["before", "after"] * 4,
    ...     "rate": [1.0, 0.0, 0.67, 0.33, 0.67, 0.67, 0.33, 0.67]})
    >>> incident_change(df)[["group", "value"]].round(3)
            group  value
    0     trained  -0.67
    1  comparison   0.17
    2  difference  -0.84
    """
    return compare_change(rates, value="rate", phase_col="window", pre="before", post="after", by=by)


def incident_kinds(records: pd.DataFrame, people: pd.DataFrame, *, before: tuple, after: tuple) -> pd.DataFrame:
    """Critical incidents by kind: count per group and window (observation, no interval).

    Examples
    --------
    >>> r = pd.DataFrame({"employee_id": ["a", "b"], "kind": ["wrong_price_quoted"] * 2,
    ...     "date": pd.to_datetime(["2025-01-05", "2025-08-01"])})
    >>> p = pd.DataFrame({"employee_id": ["a", "b"], "group": ["trained", "trained"]})
    >>> w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    >>> v = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    >>> incident_kinds(r, p, before=w, after=v).values.tolist()
    [['wrong_price_quoted', 'trained', 2, 1, 1]]
    """
    x = _with_people(records, people)
    sizes = people.drop_duplicates("employee_id").groupby("group").size()
    rows = []
    for (kind, group), g in x.groupby(["kind", "group"], observed=True, sort=True):
        rows.append(
            {
                "kind": kind,
                "group": group,
                "n": int(sizes.get(group, 0)),
                "before": int(_in_window(g["date"], before).sum()),
                "after": int(_in_window(g["date"], after).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["kind", "group", "n", "before", "after"])
