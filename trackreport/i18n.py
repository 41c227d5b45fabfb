"""The report's language: gettext catalogs (through Babel) for every text a reader sees.

English is the default and the source language; ``lang: zh`` (params) or ``--lang zh``
renders a report in Simplified Chinese. Every text a reader sees goes through one of:

- :func:`_` (``gettext``): ``_("Training effect on {measure}", measure=name)``. The
  message id is the English text with **named placeholders**, so a sentence translates
  whole and a translator may reorder its parts; the fields are filled in after the
  translation. Without fields the text is returned as translated, placeholders intact
  (for :meth:`Chapter.say`, which fills in data text escaped).
- :func:`ngettext` for a text that depends on a count (``1 person`` / ``2 people``).
- :func:`N_` marks a text kept in a constant (a column name, a label vocabulary) for
  extraction; it is translated where it is shown, with ``_(value)``.
- Markdown cells of the chapter notebooks are translated block by block
  (:func:`translate_markdown`; a block is a paragraph, a list or a heading) before the
  notebook runs, so an analyst edits English narrative and the catalog follows.

The catalogs are gettext PO files under ``trackreport/locale/<lang>/``, one file per
part of the package (``chapters-sales.po``, ``report.po`` ...) so that parts can be
translated independently; they are read with Babel and compiled in memory (no build
step, no binary file in the repository). ``python -m trackreport messages`` extracts
every message (Babel's Python extractor over the package, plus the notebooks' Markdown
blocks and ``_()`` calls) and lists what a catalog lacks; ``tests/test_i18n.py`` fails
on any message without a translation, an obsolete entry or a placeholder that the
translation drops or invents.

Numbers, percentages and dates are formatted with Babel for the report's locale
(:func:`format_decimal`, :func:`format_month`, :func:`format_quarter`).

Examples
--------
>>> set_language("en")
>>> _("{n} trainees", n=3)
'3 trainees'
>>> ngettext("{n} person", "{n} people", 1, n=1)
'1 person'
>>> with language_of("zh"):
...     format_quarter("2025Q3")
'2025年第3季度'
>>> language()
'en'
"""

from __future__ import annotations

import contextlib
import functools
import re
import string
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "LANGUAGES",
    "N_",
    "_",
    "babel_locale",
    "catalog_files",
    "format_decimal",
    "format_month",
    "format_quarter",
    "gettext",
    "join_sentences",
    "language",
    "list_text",
    "language_of",
    "ngettext",
    "placeholders",
    "set_language",
    "translate",
    "translate_markdown",
    "translate_notebook",
]

#: Report languages: code -> Babel locale.
LANGUAGES: dict[str, str] = {"en": "en_US", "zh": "zh_Hans_CN"}
LOCALE_DIR = Path(__file__).parent / "locale"

_current = "en"


def set_language(code: str) -> None:
    """Make ``code`` (``"en"`` or ``"zh"``) the language of every text from now on."""
    global _current
    if code not in LANGUAGES:
        raise ValueError(f"language {code!r} is not one of {', '.join(LANGUAGES)}")
    _current = code


def language() -> str:
    """The current report language's code."""
    return _current


def babel_locale() -> str:
    """The current language's Babel locale (``en_US``, ``zh_Hans_CN``)."""
    return LANGUAGES[_current]


@contextlib.contextmanager
def language_of(code: str) -> Iterator[None]:
    """Switch to ``code`` for the ``with`` block, then back."""
    before = _current
    set_language(code)
    try:
        yield
    finally:
        set_language(before)


def catalog_files(code: str) -> list[Path]:
    """The PO files of language ``code``, in name order."""
    return sorted((LOCALE_DIR / code).glob("*.po"))


@functools.cache
def _translations(code: str) -> Any:
    """Language ``code``'s catalogs merged and compiled in memory (Babel)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    merged = None
    for path in catalog_files(code):
        with path.open("rb") as f:
            catalog = read_po(f, locale=LANGUAGES[code], domain=path.stem)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        part = Translations(fp=buf, domain="trackreport")
        merged = part if merged is None else merged.merge(part)
    return merged


def gettext(msgid: str, /, **fields: object) -> str:
    """``msgid`` in the current language, its ``{fields}`` filled in when given.

    Without a catalog entry (or in English) the English text is used.
    """
    text = translate(msgid, _current)
    return text.format(**fields) if fields else text


def translate(msgid: str, code: str) -> str:
    """``msgid`` in language ``code`` (not the current one; for code that serves several reports at once)."""
    if code == "en" or not msgid:
        return msgid
    catalog = _translations(code)
    return msgid if catalog is None else catalog.gettext(msgid)


_ = gettext


def ngettext(singular: str, plural: str, n: float, /, **fields: object) -> str:
    """The singular or plural text for count ``n`` in the current language, fields filled in."""
    text = singular if n == 1 else plural
    if _current != "en":
        catalog = _translations(_current)
        if catalog is not None:
            text = catalog.ngettext(singular, plural, n)
    return text.format(**fields) if fields else text


def N_(msgid: str, /) -> str:
    """Mark ``msgid`` for extraction; it is translated where shown, with ``_(value)``."""
    return msgid


def placeholders(text: str) -> set[str]:
    """The named ``{fields}`` of a message (what a translation must keep)."""
    return {field[1] for field in string.Formatter().parse(text) if field[1]}


# ---------------------------------------------------------------------- numbers and dates
def format_decimal(value: float, digits: int, *, sign: bool = False, thousands: bool = True) -> str:
    """``value`` to ``digits`` decimals in the current locale (Babel), no negative zero.

    >>> format_decimal(1234.5, 1)
    '1,234.5'
    >>> format_decimal(-0.01, 1, sign=True)
    '0.0'
    >>> format_decimal(0.25, 2, sign=True)
    '+0.25'
    """
    rounded = round(float(value), digits)
    if rounded == 0:
        rounded, sign = 0.0, False  # -0.0 == 0: no sign on a zero
    text = _number_pattern(digits, thousands).apply(abs(rounded), _locale(babel_locale()), decimal_quantization=True)
    if rounded < 0:
        return "-" + text
    return ("+" if sign else "") + text


@functools.cache
def _number_pattern(digits: int, thousands: bool) -> Any:
    """Babel's number pattern ``#,##0.0...`` (parsed once)."""
    from babel.numbers import parse_pattern

    return parse_pattern(("#,##0" if thousands else "0") + ("." + "0" * digits if digits > 0 else ""))


@functools.cache
def _locale(name: str) -> Any:
    from babel import Locale

    return Locale.parse(name)


def format_month(year: int, month: int) -> str:
    """A month as the locale writes it: ``Jan 2025`` / ``2025年1月``.

    >>> format_month(2025, 1)
    'Jan 2025'
    """
    import datetime

    from babel.dates import format_skeleton

    return format_skeleton("yMMM", datetime.date(year, month, 1), locale=_locale(babel_locale()))


def format_quarter(quarter: str) -> str:
    """A quarter code (``2025Q3``) as the reader reads it: ``2025Q3`` / ``2025年第3季度``.

    >>> format_quarter("2025Q3")
    '2025Q3'
    >>> with language_of("zh"):
    ...     format_quarter("2025Q3")
    '2025年第3季度'
    """
    if _current == "en":
        return quarter
    year, q = quarter.split("Q")
    return _("{year}Q{q}", year=year, q=q)


# ---------------------------------------------------------------------- sentences and lists
#: Marks that end a Chinese sentence or clause: no space follows them.
_CJK_STOPS = ("。", "！", "？", "；", "）", "」")


def join_sentences(*parts: str) -> str:
    """Sentences as one paragraph, empty ones left out: a space after an English full stop, none after a
    Chinese one.

    >>> join_sentences("One.", "", "Two."), join_sentences("一。", "二。")
    ('One. Two.', '一。二。')
    """
    out = ""
    for part in parts:
        if part:
            out += part if (not out or out.endswith(_CJK_STOPS)) else " " + part
    return out


def list_text(items: Iterable[str], *, sep: str = ",") -> str:
    """Items of a list in a sentence: ``a, b, c`` in English, ``a、b、c`` in Chinese.

    ``sep=";"`` separates items that have commas of their own: ``a; b`` / ``a；b``.

    >>> list_text(["negotiation", "FABE selling"]), list_text(["a, 1", "b, 2"], sep=";")
    ('negotiation, FABE selling', 'a, 1; b, 2')
    """
    zh = _current == "zh"
    if sep == ";":
        return ("；" if zh else "; ").join(items)
    return ("、" if zh else ", ").join(items)


# ---------------------------------------------------------------------- notebooks
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_HEADING = re.compile(r"^(#{1,6}[ \t]+)(.*)$", re.S)


def markdown_blocks(text: str) -> list[str]:
    """The message ids of a Markdown cell: one per block (heading text without its ``#``)."""
    out = []
    for block in _BLOCK_SPLIT.split(text.strip()):
        block = block.strip()
        if not block:
            continue
        m = _HEADING.match(block)
        out.append(m.group(2).strip() if m else block)
    return out


def translate_markdown(text: str, code: str | None = None) -> str:
    """A Markdown cell in language ``code`` (default: the current one), block by block (:func:`markdown_blocks`)."""
    code = _current if code is None else code
    if code == "en":
        return text
    blocks = []
    for block in _BLOCK_SPLIT.split(text.strip()):
        block = block.strip()
        m = _HEADING.match(block)
        blocks.append(m.group(1) + translate(m.group(2).strip(), code) if m else translate(block, code))
    return "\n\n".join(blocks)


def translate_notebook(nb: Any, code: str | None = None) -> Any:
    """Translate a notebook's Markdown cells in place into ``code`` (default: the current language); return it.

    The runner's kernel threads each pass their report's language: the current language is
    one per process, and threads must not switch it under each other.
    """
    code = _current if code is None else code
    if code != "en":
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                source = cell["source"]
                cell["source"] = translate_markdown("".join(source) if isinstance(source, list) else source, code)
    return nb
