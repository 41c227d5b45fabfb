"""The one small result type every statistic returns."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["Estimate"]


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

    @property
    def excludes_zero(self) -> bool:
        """True when the 95% interval lies wholly above or below zero."""
        if math.isnan(self.ci_low) or math.isnan(self.ci_high):
            return False
        return self.ci_low > 0 or self.ci_high < 0

    def to_dict(self) -> dict:
        """Plain dict, NaN replaced by None (JSON-safe)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }
