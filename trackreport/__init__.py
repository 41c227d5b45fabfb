"""trackreport: training-effectiveness reports for sales and marketing teams.

Loaders validate a data folder against the data contract (:mod:`trackreport.data.schema`),
metric functions compute the deck's numbers with their uncertainty, and the runner
(:mod:`trackreport.report.runner`) executes the chapter notebooks into HTML reports.

The public statistics are re-exported lazily (PEP 562): ``from trackreport import did``
imports :mod:`trackreport.stats.attribution` (and so scipy and statsmodels) when asked,
while ``import trackreport`` alone, as the command line does, stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from trackreport.errors import (
    ChapterError,
    DataValidationError,
    ParameterError,
    TrackreportError,
)

if TYPE_CHECKING:
    from trackreport.stats.attribution import did, pretrend_test
    from trackreport.stats.estimate import Estimate
    from trackreport.stats.feedback import nps
    from trackreport.stats.learning import cohens_d, normalized_gain, paired_change
    from trackreport.stats.reaction import cronbach_alpha, top2box
    from trackreport.stats.roi import bcr, monetary_benefit, roi, training_benefit

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Estimate": "trackreport.stats.estimate",
    "top2box": "trackreport.stats.reaction",
    "cronbach_alpha": "trackreport.stats.reaction",
    "paired_change": "trackreport.stats.learning",
    "cohens_d": "trackreport.stats.learning",
    "normalized_gain": "trackreport.stats.learning",
    "did": "trackreport.stats.attribution",
    "pretrend_test": "trackreport.stats.attribution",
    "nps": "trackreport.stats.feedback",
    "training_benefit": "trackreport.stats.roi",
    "monetary_benefit": "trackreport.stats.roi",
    "roi": "trackreport.stats.roi",
    "bcr": "trackreport.stats.roi",
}
"""Public name -> the module defining it, imported on first access."""

__all__ = [
    "__version__",
    "Estimate",
    "TrackreportError",
    "DataValidationError",
    "ParameterError",
    "ChapterError",
    "top2box",
    "cronbach_alpha",
    "paired_change",
    "cohens_d",
    "normalized_gain",
    "did",
    "pretrend_test",
    "nps",
    "training_benefit",
    "monetary_benefit",
    "roi",
    "bcr",
]


def __getattr__(name: str) -> Any:
    """Import a public statistic's module on first access (PEP 562) and keep the name."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trackreport' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later accesses are plain attribute lookups
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
