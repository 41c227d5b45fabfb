"""Statistical disclosure control for the tables and headlines of a report.

Rule (primary + complementary cell suppression; Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, section 5.2; Eurostat, *Handbook on SDC for outputs*,
2019, "secondary suppression"):

1. **Primary**: a group of fewer than ``min_size`` PEOPLE is hidden.
2. **Complementary**: a report always shows the total (the headline mean and its n) of
   the people its tables split up, so the hidden groups *together* can be recovered by
   subtraction (hidden sum = overall mean x N - sum of shown mean x n). While the hidden
   groups together hold fewer than ``min_size`` people (in particular when exactly one
   group is hidden), the next smallest shown group is hidden as well. Afterwards what
   can be derived is the pooled figure of at least ``min_size`` people, never one small
   group's.

Sizes are counts of people (not answers, questionnaires or customers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["suppress", "suppress_table"]


def suppress(sizes: Sequence[float], *, min_size: int, total_shown: bool = True) -> np.ndarray:
    """Which groups may be shown: primary and complementary suppression.

    Parameters
    ----------
    sizes : sequence of numbers
        People in each group of one partition (missing counts as 0).
    min_size : int
        Smallest group that may be shown (``params.min_group_size``).
    total_shown : bool
        The partition's total is shown elsewhere (assume so unless certain).

    Returns
    -------
    numpy.ndarray of bool
        ``True`` where the group may be shown.

    Examples
    --------
    >>> suppress([6, 5, 5, 4], min_size=5).tolist()  # one hidden group: hide the next smallest
    [True, False, True, False]
    >>> suppress([1, 4, 6, 9], min_size=5).tolist()  # 1 + 4 = 5 hidden together: enough
    [False, False, True, True]
    >>> suppress([5, 7], min_size=5).tolist()  # exactly min_size is shown
    [True, True]
    """
    n = np.nan_to_num(np.asarray(sizes, dtype=float), nan=0.0)
    shown = n >= min_size
    if not total_shown:
        return shown
    while shown.any() and 0 < n[~shown].sum() < min_size:
        idx = np.flatnonzero(shown)
        shown[idx[np.argmin(n[idx])]] = False  # the smallest shown group, first on ties
    return shown


def suppress_table(
    df: pd.DataFrame,
    *,
    n_cols: Sequence[str],
    min_size: int,
    within: Sequence[str] = (),
) -> tuple[pd.DataFrame, int]:
    """The rows of ``df`` that may be shown, and how many were hidden.

    A row's size is the smallest of its ``n_cols`` (e.g. trained and comparison people),
    so a comparison group's column is held to the same rule. Rows of one block
    (same values of ``within``; the whole table when empty) partition the people whose
    total is shown; :func:`suppress` is applied per block.

    Examples
    --------
    >>> t = pd.DataFrame({"segment": list("abcd"), "n": [6, 5, 5, 1], "mean": [1.0, 2, 3, 4]})
    >>> shown, hidden = suppress_table(t, n_cols=["n"], min_size=5)
    >>> shown["segment"].tolist(), hidden
    (['a', 'c'], 2)
    """
    cols = [c for c in n_cols if c in df.columns]
    if not cols or df.empty:
        return df, 0
    size = df[cols].apply(pd.to_numeric, errors="coerce").min(axis=1).to_numpy(dtype=float)
    keep = np.zeros(len(df), dtype=bool)
    by = [c for c in within if c in df.columns]
    blocks = (
        [np.arange(len(df))]
        if not by
        else [np.asarray(ix) for ix in df.groupby(by, sort=False, dropna=False).indices.values()]
    )
    for ix in blocks:
        keep[ix] = suppress(size[ix], min_size=min_size)
    return df[keep], int((~keep).sum())
