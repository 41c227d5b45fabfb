"""Names and free text from the data, made safe to show: pseudonyms and escaping.

Every piece of text that comes from the data (people's names, document titles,
comments) is *data*, never markup or a formula. Three helpers make it inert where it
is shown:

- :func:`escape_html` for HTML pages (``<script>`` becomes ``&lt;script&gt;``);
- :func:`escape_markdown` for text put into Markdown (HTML-escaped, and Markdown's
  own punctuation backslash-escaped so a name cannot become a link or emphasis);
- :func:`neutralise_formula` for CSV and spreadsheet cells: a cell starting with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single
  quote, so a spreadsheet shows it as text instead of evaluating it (OWASP, "CSV
  Injection").

Names appear only when the report's ``show_names`` parameter is true; otherwise
:func:`pseudonym` gives each person a stable code: a keyed hash (HMAC-SHA256) of the
person's id, the same in every run and every report, that cannot be reversed without
the key. The key is read from the environment variable ``TRACKREPORT_PSEUDONYM_KEY``
(set it in production, so that nobody can recompute codes from a list of ids); without
it a fixed project key is used, which keeps codes stable but is not a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import re
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "PSEUDONYM_KEY_ENV",
    "pseudonym",
    "person_labels",
    "escape_html",
    "escape_markdown",
    "neutralise_formula",
    "csv_safe",
]

PSEUDONYM_KEY_ENV = "TRACKREPORT_PSEUDONYM_KEY"
_DEFAULT_KEY = "trackreport-pseudonyms-v1"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# "+5.0 pp", "-3%", "-4.9 pp to +6.0 pp": not formulas
# a signed number with its unit, or an interval of two ("-4.9 pp to +6.0 pp", "-4.9 个百分点 至 +6.0 个百分点")
_SIGNED_NUMBER = re.compile(
    r"^[+\-−]\s?[\d.,]+\s?[%A-Za-z\u4e00-\u9fff /]*?(?:\s(?:to|至)\s[+\-−x]?\s?[\d.,]+\s?[%A-Za-z\u4e00-\u9fff /]*)?$"
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _key(key: str | None) -> bytes:
    return (key if key is not None else os.environ.get(PSEUDONYM_KEY_ENV) or _DEFAULT_KEY).encode()


def pseudonym(person_id: str, *, key: str | None = None, prefix: str = "P") -> str:
    """A stable pseudonym for a person id: ``prefix`` + 8 hex digits of HMAC-SHA256.

    The same id and key give the same code in every run (no randomness, no state).

    Examples
    --------
    >>> pseudonym("E0001", key="k")
    'P-77e40c91'
    >>> pseudonym("E0001", key="k") == pseudonym("E0001", key="k") != pseudonym("E0002", key="k")
    True
    """
    digest = hmac.new(_key(key), str(person_id).encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:8]}"


def person_labels(
    ids: Iterable[str],
    names: Iterable[str] | None = None,
    *,
    show_names: bool = False,
    key: str | None = None,
    prefix: str = "P",
) -> list[str]:
    """How each person is shown: their name with ``show_names``, else their pseudonym.

    Examples
    --------
    >>> person_labels(["E1"], ["王芳"], show_names=True)
    ['王芳']
    >>> person_labels(["E1"], ["王芳"], key="k")[0].startswith("P-")
    True
    """
    ids = [str(i) for i in ids]
    if show_names and names is not None:
        return [str(n) for n in names]
    return [pseudonym(i, key=key, prefix=prefix) for i in ids]


def escape_html(text: object) -> str:
    """Text from the data, safe inside HTML (``&``, ``<``, ``>``, quotes escaped).

    >>> escape_html("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    return html.escape(str(text), quote=True)


def escape_markdown(text: object) -> str:
    """Text from the data, safe inside Markdown: HTML-escaped, Markdown punctuation escaped.

    >>> escape_markdown("[click](http://x) <b>*bold*</b>")
    '\\\\[click\\\\]\\\\(http://x\\\\) &lt;b&gt;\\\\*bold\\\\*&lt;/b&gt;'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape_html(text))


def neutralise_formula(value: object) -> object:
    """A cell value that a spreadsheet will not evaluate: text starting with ``= + - @``,
    tab or carriage return gets a leading single quote; anything else is returned as is.

    A plain signed number with a unit (``"+5.0 pp"``, ``"-3%"``) is left alone: it is
    no formula, and reports show changes that way.

    >>> neutralise_formula('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise_formula("王芳"), neutralise_formula(-3), neutralise_formula("+5.0 pp")
    ('王芳', -3, '+5.0 pp')
    >>> neutralise_formula("-4.9 pp to +6.0 pp"), neutralise_formula("-1+2 to +3")
    ('-4.9 pp to +6.0 pp', "'-1+2 to +3")
    >>> neutralise_formula("-4.9 个百分点 至 +6.0 个百分点"), neutralise_formula("-1+2 至 +3")
    ('-4.9 个百分点 至 +6.0 个百分点', "'-1+2 至 +3")
    >>> neutralise_formula("-2+3+cmd|' /C calc'!A0")[:6]
    "'-2+3+"

    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _SIGNED_NUMBER.match(value):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are neutralised for CSV/spreadsheet export.

    >>> csv_safe(pd.DataFrame({"name": ["=1+1", "ok"], "x": [1, 2]}))["name"].tolist()
    ["'=1+1", 'ok']
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_formula, na_action="ignore")
    return out
