"""One exception hierarchy: every error trackreport raises derives from TrackreportError.

The CLI catches :class:`TrackreportError` and prints its message without a traceback.
"""

from __future__ import annotations

__all__ = ["TrackreportError", "DataValidationError", "ParameterError", "ChapterError"]


class TrackreportError(Exception):
    """Base class of every error trackreport raises on purpose."""


class DataValidationError(TrackreportError):
    """A data folder breaks the data contract.

    ``problems`` holds one :class:`trackreport.data.load.Problem` per broken rule, each naming
    the file, column, rule, number of failing rows and a few of them.
    """

    def __init__(self, problems: list, folder: str = "") -> None:
        self.problems = list(problems)
        self.folder = folder
        lines = [f"{len(self.problems)} problem(s) in data folder {folder}:"]
        lines += [f"- {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ParameterError(TrackreportError):
    """Report parameters (YAML, CLI or notebook) are unknown or invalid."""


class ChapterError(TrackreportError):
    """A chapter notebook failed to execute or render."""
