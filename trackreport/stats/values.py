"""Small value conversions shared by the statistics and the chapters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["as_float"]


def as_float(values: Any) -> np.ndarray:
    """1-D float array from any array-like; missing values (None, pd.NA) become NaN.

    >>> as_float([1, None, pd.NA, "2.5"]).tolist()
    [1.0, nan, nan, 2.5]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if s.dtype == object:
        s = pd.to_numeric(s, errors="raise")
    return s.to_numpy(dtype="float64", na_value=np.nan).reshape(-1)
