"""trackreport: training-effectiveness reports for sales and marketing teams.

Loaders validate a data folder against the data contract (:mod:`trackreport.schema`),
metric functions compute the deck's numbers with their uncertainty, and the runner
(:mod:`trackreport.report`) executes the chapter notebooks into HTML reports.
"""

from __future__ import annotations

from trackreport.errors import (
    ChapterError,
    DataValidationError,
    ParameterError,
    TrackreportError,
)
from trackreport.estimate import Estimate

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Estimate",
    "TrackreportError",
    "DataValidationError",
    "ParameterError",
    "ChapterError",
]
