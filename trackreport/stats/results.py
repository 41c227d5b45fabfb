"""Results (Kirkpatrick level 4): business metrics from orders, leads, deals.

Pure functions over the contract tables (:mod:`trackreport.data.schema`): tidy frames in,
an :class:`~trackreport.stats.estimate.Estimate` or a tidy table out. The rep-month
panels live in :mod:`trackreport.data.panels` (the same from memory or a database). The
estimators that attribute a change to the training live in :mod:`trackreport.stats.attribution`.

Proportions (win rate, lead conversion, repurchase) carry a Wilson (1927) score
interval (:func:`trackreport.stats.estimate.proportion`, checked against statsmodels); with ``by=None`` they
return one :class:`Estimate`, with ``by`` a tidy frame: the ``by`` columns, ``value``,
``ci_low``, ``ci_high``, ``n``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trackreport.stats.estimate import Estimate, proportion

__all__ = ["win_rate", "lead_conversion", "repurchase_rate"]

WILSON = "Wilson score interval"


def _proportion(df: pd.DataFrame, success: pd.Series, by: str | Sequence[str] | None) -> Estimate | pd.DataFrame:
    """Share of True in ``success`` overall (Estimate) or per ``by`` group (tidy frame)."""
    s = success.to_numpy(dtype=bool)
    if by is None:
        return proportion(int(s.sum()), int(s.size))
    keys = [by] if isinstance(by, str) else list(by)
    g = df.assign(_s=s).groupby(keys, sort=True)["_s"]
    counts = pd.DataFrame({"k": g.sum(), "n": g.size()})  # one pass, no frame per group
    rows = []
    for key, k, n in zip(counts.index, counts["k"].to_numpy(), counts["n"].to_numpy()):
        e = proportion(int(k), int(n))
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, e.value, e.ci_low, e.ci_high, e.n))
    return pd.DataFrame(rows, columns=[*keys, "value", "ci_low", "ci_high", "n"])


def _in_window(dates: pd.Series, start, end) -> pd.Series:
    d = pd.to_datetime(dates)
    keep = d.notna()
    if start is not None:
        keep &= d >= pd.Timestamp(start)
    if end is not None:
        keep &= d <= pd.Timestamp(end)
    return keep


def win_rate(
    opportunities: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    start=None,
    end=None,
) -> Estimate | pd.DataFrame:
    """Win rate: won / (won + lost) among opportunities closed in the window.

    Open opportunities are left out (they have no outcome yet); the window applies to
    ``closed_date`` (inclusive). Wilson score interval.

    Examples
    --------
    >>> opp = pd.DataFrame({
    ...     "employee_id": ["a", "a", "a", "b"],
    ...     "stage": ["won", "lost", "proposal", "won"],
    ...     "closed_date": pd.to_datetime(["2024-01-03", "2024-01-09", None, "2024-02-01"])})
    >>> e = win_rate(opp)
    >>> round(e.value, 4), e.n
    (0.6667, 3)
    >>> win_rate(opp, by="employee_id")[["employee_id", "value", "n"]]
      employee_id  value  n
    0           a    0.5  2
    1           b    1.0  1
    """
    closed = opportunities["stage"].isin(["won", "lost"]).to_numpy(dtype=bool)
    keep = closed & _in_window(opportunities["closed_date"], start, end).to_numpy(dtype=bool)
    df = opportunities.loc[keep]
    return _proportion(df, df["stage"] == "won", by)


def lead_conversion(
    leads: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    start=None,
    end=None,
) -> Estimate | pd.DataFrame:
    """Lead conversion: share of leads created in the window that became opportunities.

    ``converted / leads`` by ``created_date`` (inclusive window). Leads created shortly
    before the data end may still convert, so a window ending near the data end
    understates conversion. Wilson score interval.

    Examples
    --------
    >>> leads = pd.DataFrame({"employee_id": ["a", "a", "b", "b"],
    ...                       "created_date": pd.to_datetime(["2024-01-01"] * 4),
    ...                       "converted": [True, False, False, False]})
    >>> lead_conversion(leads).value
    0.25
    """
    keep = _in_window(leads["created_date"], start, end).to_numpy(dtype=bool)
    df = leads.loc[keep]
    return _proportion(df, df["converted"].fillna(False).astype(bool), by)


def repurchase_rate(
    orders: pd.DataFrame,
    *,
    start,
    end,
    by: str | Sequence[str] | None = None,
) -> Estimate | pd.DataFrame:
    """Repurchase rate: share of customers buying in the window who bought 2+ times.

    Among customers with at least one order dated in [start, end], the share with two
    or more. With ``by`` (columns of ``orders``, e.g. ``employee_id``) a customer is
    counted in each group it ordered in, with its orders in that group. Wilson interval.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["c1", "c1", "c2", "c3"],
    ...                        "order_date": pd.to_datetime(["2024-01-02", "2024-03-01",
    ...                                                      "2024-02-01", "2023-01-01"])})
    >>> e = repurchase_rate(orders, start="2024-01-01", end="2024-12-31")
    >>> e.value, e.n
    (0.5, 2)
    """
    keep = _in_window(orders["order_date"], start, end).to_numpy(dtype=bool)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    counts = orders.loc[keep].groupby([*keys, "customer_id"]).size().rename("k").reset_index()
    return _proportion(counts, counts["k"] >= 2, by)
