"""Multiplicity: Holm for a family of decision figures, Benjamini-Hochberg for grids, and
whether a "largest" group is separated from the runner-up.

A report shows dozens of interval verdicts; under no true effects about one in twenty
would read "distinguishable" by chance. The primary family (chapter 06's training
effects) is controlled for the family-wise error rate by Holm's step-down procedure;
grids and segment tables (exploratory) for the false discovery rate by
Benjamini-Hochberg. Both are checked against statsmodels'
``statsmodels.stats.multitest.multipletests``. Missing p-values (a measure that could not
be estimated) are not tests: they stay NaN and do not count in ``k``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trackreport.i18n import _

__all__ = ["Adjusted", "holm", "benjamini_hochberg", "clear_leader", "distinguishable_from_zero"]


@dataclass(frozen=True)
class Adjusted:
    """A p-value adjusted within a family of ``k`` tests, and the method's name.

    >>> a = Adjusted(0.03, 7, "Holm")
    >>> a.significant, a.describe()
    (True, 'Holm-adjusted for 7 tests')
    """

    p: float
    k: int
    method: str = "Holm"
    alpha: float = 0.05

    @property
    def significant(self) -> bool:
        """The adjusted p-value is below ``alpha`` (False when it is NaN)."""
        return bool(math.isfinite(self.p) and self.p < self.alpha)

    def describe(self) -> str:
        """The adjustment in English, as ``metrics.json`` records it (stable for scripts)."""
        return f"{self.method}-adjusted for {self.k} test{'s' if self.k != 1 else ''}"


_DESCRIBED = re.compile(r"(?P<method>[\w-]+?)-adjusted for (?P<k>\d+) tests?")


def adjustment_text(described: str) -> str:
    """A recorded adjustment (:meth:`Adjusted.describe`) as the page says it, in the report's language.

    >>> adjustment_text("Holm-adjusted for 7 tests")
    'Holm-adjusted for 7 tests'
    >>> adjustment_text("something else")
    'something else'
    """
    m = _DESCRIBED.fullmatch(described)
    if m is None:
        return described
    return _("{method}-adjusted for {k} tests", method=m["method"], k=m["k"])


def distinguishable_from_zero(
    ci_low: float | None, ci_high: float | None, p_adjusted: float | None = None, *, alpha: float = 0.05
) -> bool | None:
    """The verdict on a change: from its family-adjusted p-value when it has one, else its 95% interval.

    ``None`` when there is no interval (too few observations). This is the rule
    :meth:`trackreport.report.notebook.Chapter.headline` applies, for readers of its records
    (the chapter leads, the summary's tiles).

    >>> distinguishable_from_zero(0.016, 0.282), distinguishable_from_zero(0.016, 0.282, 0.104)
    (True, False)
    >>> distinguishable_from_zero(None, None) is None
    True
    """
    if p_adjusted is not None:
        return bool(p_adjusted < alpha)
    if ci_low is None or ci_high is None:
        return None
    return bool(ci_low > 0 or ci_high < 0)


def _finite(p_values: Any) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p_values, dtype=float)
    return p, np.flatnonzero(np.isfinite(p))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's (1979) step-down adjusted p-values.

    With the k finite p-values sorted ``p_(1) <= ... <= p_(k)``:
    ``p̃_(i) = max_{j <= i} min(1, (k − j + 1) p_(j))``. Rejecting ``p̃ < alpha`` controls
    the family-wise error rate at ``alpha`` under any dependence (Holm 1979, *Scand. J.
    Statist.* 6:65). NaN p-values stay NaN and are not counted in k.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, float("nan")]).round(2).tolist()
    [0.03, 0.06, 0.06, nan]
    """
    p, idx = _finite(p_values)
    out = np.full(p.shape, np.nan)
    k = idx.size
    if k == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    adj = np.minimum(1.0, (k - np.arange(k)) * p[order])
    out[order] = np.maximum.accumulate(adj)
    return out


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg (1995) q-values (FDR-adjusted p-values).

    With the k finite p-values sorted ascending: ``q_(i) = min_{j >= i} min(1, k p_(j) / j)``.
    Flagging ``q < alpha`` controls the false discovery rate at ``alpha`` for independent
    or positively dependent tests (Benjamini & Hochberg 1995, *JRSS B* 57:289;
    Benjamini & Yekutieli 2001). NaN p-values stay NaN and are not counted in k.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p, idx = _finite(p_values)
    out = np.full(p.shape, np.nan)
    k = idx.size
    if k == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    q = np.minimum(1.0, k * p[order] / np.arange(1, k + 1))
    out[order] = np.minimum.accumulate(q[::-1])[::-1]
    return out


def clear_leader(
    names: Sequence[str],
    values: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    largest: bool = True,
) -> tuple[str | None, str | None]:
    """The group with the largest (or smallest) value, only if its interval clears the runner-up's.

    Returns ``(leader, runner_up)``; ``leader`` is None when the leader's 95% interval
    overlaps the runner-up's (then no group can be named "the largest"; issue 9,
    finding 5). Non-overlap of two 95% intervals is a conservative test of their
    difference (about 0.6% level for equal SEs; Schenker & Gentleman 2001, *Am. Stat.*
    55:182), so a named leader is clearly ahead. Groups with a NaN value are ignored;
    with fewer than two groups there is no runner-up and no leader.

    Examples
    --------
    >>> clear_leader(["a", "b", "c"], [0.5, 0.3, 0.1], [0.4, 0.2, 0.0], [0.6, 0.38, 0.2])
    ('a', 'b')
    >>> clear_leader(["a", "b"], [0.5, 0.3], [0.25, 0.2], [0.6, 0.4])
    (None, 'b')
    """
    v = np.asarray(values, dtype=float)
    lo = np.asarray(lows, dtype=float)
    hi = np.asarray(highs, dtype=float)
    ok = np.flatnonzero(np.isfinite(v))
    if ok.size < 2:
        return None, None
    order = ok[np.argsort(-v[ok] if largest else v[ok], kind="stable")]
    first, second = order[0], order[1]
    separated = lo[first] > hi[second] if largest else hi[first] < lo[second]
    return (str(names[first]) if bool(separated) else None), str(names[second])
