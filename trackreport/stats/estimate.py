"""The one small result type every statistic returns."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["Estimate", "proportion", "mean_ci"]


@dataclass(frozen=True)
class Estimate:
    """A statistical estimate with its uncertainty.

    Parameters
    ----------
    value : float
        The point estimate.
    ci_low, ci_high : float
        Bounds of the 95% confidence interval (NaN when it cannot be computed, e.g. n = 1).
    n : int
        Number of observations (people, answers, units) the estimate rests on.
    p_value : float
        Two-sided p-value against zero change where meaningful, else NaN.
    method : str
        Short name of the method, e.g. ``"Wilson score interval"``.
    n_groups : tuple of int, optional
        For a difference of two groups: ``(n_treated, n_comparison)``; ``n`` is then
        their sum, and a report shows both (issue 9, finding 11).

    Examples
    --------
    >>> e = Estimate(0.5, 0.1, 0.9, n=10, method="demo")
    >>> e.excludes_zero
    True
    >>> Estimate(0.5, -0.1, 0.9, n=10).excludes_zero
    False
    """

    value: float
    ci_low: float = math.nan
    ci_high: float = math.nan
    n: int = 0
    p_value: float = math.nan
    method: str = ""
    n_groups: tuple[int, int] | None = None

    @property
    def excludes_zero(self) -> bool:
        """True when the 95% interval lies wholly above or below zero."""
        if math.isnan(self.ci_low) or math.isnan(self.ci_high):
            return False
        return self.ci_low > 0 or self.ci_high < 0

    def to_dict(self) -> dict:
        """Plain dict, NaN replaced by None (JSON-safe)."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(self).items()}


def proportion(successes: int, n: int, *, method: str = "Wilson score interval") -> Estimate:
    """A share with its Wilson 95% score interval (Wilson 1927; Agresti & Coull 1998).

    p = k/n; bounds (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96.
    n = 0 gives NaN.

    Examples
    --------
    >>> e = proportion(8, 10)
    >>> round(e.value, 2), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.8, 0.4902, 0.9433)
    >>> proportion(0, 40).ci_low, proportion(40, 40).ci_high
    (0.0, 1.0)
    """
    n = int(n)
    if n <= 0:
        return Estimate(math.nan, n=0, method=method)
    z = 1.959963984540054
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the edges: no rounding residue
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return Estimate(p, lo, hi, n=n, method=method)


def mean_ci(values, *, method: str = "mean, t interval") -> Estimate:
    """Mean of the non-missing values with a Student t 95% interval (NaN bounds if n < 2).

    Examples
    --------
    >>> e = mean_ci([1.0, 2.0, 3.0, None])
    >>> round(e.value, 2), round(e.ci_low, 3), round(e.ci_high, 3), e.n
    (2.0, -0.484, 4.484, 3)
    >>> import pandas as pd
    >>> mean_ci(pd.array([4, None, 6], dtype="Int64")).value
    5.0
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    x = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, n=0, method=method)
    m = float(x.mean())
    if n < 2:
        return Estimate(m, n=n, method=method)
    se = float(x.std(ddof=1)) / math.sqrt(n)
    h = float(stats.t.ppf(0.975, n - 1)) * se
    return Estimate(m, m - h, m + h, n=n, method=method)
