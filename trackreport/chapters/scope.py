"""What a chapter function reports on: the data, team, quarter and parameters, or the Chapter that holds them.

Chapter functions that need the whole report scope accept either the four values, for
tests and scripts (``nps_periods(data, "east", "2025Q3", params)``), or the notebook's
:class:`~trackreport.report.notebook.Chapter` in their place, so that a notebook cell
reads ``customers.nps_periods(ch)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd

from trackreport.i18n import _, list_text

__all__ = ["ChapterLike", "list_text", "scope", "section_available"]


class ChapterLike(Protocol):
    """What chapter functions read from the notebook's Chapter."""

    data: Mapping[str, pd.DataFrame]
    params: Any


def scope(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None, quarter: str | None, params: Any = None
) -> tuple[Mapping[str, pd.DataFrame], str, str, Any]:
    """``(data, team, quarter, params)``: taken from a Chapter, or the values given.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ch = SimpleNamespace(data={}, params=SimpleNamespace(team="east", quarter="2025Q3"))
    >>> scope(ch, None, None)[1:3]
    ('east', '2025Q3')
    >>> scope({}, "west", "2025Q2")[1:3]
    ('west', '2025Q2')
    >>> scope({}, None, "2025Q2")
    Traceback (most recent call last):
    ...
    TypeError: team and quarter are required unless a Chapter is given
    """
    if hasattr(data, "params") and hasattr(data, "data"):
        return data.data, data.params.team, data.params.quarter, data.params
    if team is None or quarter is None:
        raise TypeError("team and quarter are required unless a Chapter is given")
    return data, team, quarter, params


def section_available(ch: Any, *tables: str) -> bool:
    """Whether the data hold ``tables``; if not, the chapter says so and the section is skipped.

    For the sections of a chapter that use tables it does not need
    (:func:`trackreport.data.schema.chapter_tables`): the rest of the chapter still runs.
    """
    lacking = [t for t in tables if t not in ch.data]
    if lacking:
        tables_text = list_text(f"`{t}`" for t in lacking)
        ch.say(_("*Not available: this section needs {tables}, which the data lack.*", tables=tables_text))
    return not lacking
