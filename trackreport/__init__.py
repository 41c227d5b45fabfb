"""trackreport: training-effectiveness reports for sales and marketing teams.

Loaders validate a data folder against the data contract (:mod:`trackreport.data.schema`),
metric functions compute the deck's numbers with their uncertainty, and the runner
(:mod:`trackreport.report.runner`) executes the chapter notebooks into HTML reports.
"""

from __future__ import annotations

from trackreport.errors import (
    ChapterError,
    DataValidationError,
    ParameterError,
    TrackreportError,
)
from trackreport.stats.attribution import did, pretrend_test
from trackreport.stats.estimate import Estimate
from trackreport.stats.feedback import nps
from trackreport.stats.learning import cohens_d, normalized_gain, paired_change
from trackreport.stats.reaction import cronbach_alpha, top2box
from trackreport.stats.roi import bcr, monetary_benefit, roi, training_benefit

__version__ = "0.1.0"

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
