"""The language module: gettext with named placeholders, Babel numbers and dates, Markdown blocks."""

from __future__ import annotations

import pytest

from trackreport import i18n
from trackreport.i18n import _, language_of, ngettext


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def test_english_is_the_source_text_with_fields_filled_in():
    assert _("{n} trainees in {team}", n=3, team="east") == "3 trainees in east"
    assert _("keeps {braces} without fields") == "keeps {braces} without fields"  # ch.say fills them in later
    assert ngettext("{n} person", "{n} people", 1, n=1) == "1 person"
    assert ngettext("{n} person", "{n} people", 2, n=2) == "2 people"


def test_chinese_comes_from_the_catalog_and_falls_back_to_english():
    with language_of("zh"):
        assert i18n.format_quarter("2025Q3") == "2025年第3季度"
        assert _("a text no catalog has") == "a text no catalog has"
    assert i18n.language() == "en"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'fr' is not one of en, zh"):
        i18n.set_language("fr")


@pytest.mark.parametrize(
    ("value", "digits", "sign"),
    [(1234.5, 1, False), (-1234.56, 2, False), (0.123, 1, True), (-0.04, 1, True), (1e6, 0, False), (0.5, 0, False)],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_babel_decimals_agree_with_python_format(value, digits, sign, lang):
    """Babel's zh_Hans_CN and en_US patterns use ',' and '.', as Python's format does (round half even)."""
    expected = format(round(value, digits) + 0.0, ("+" if sign else "") + f",.{digits}f")
    if round(value, digits) == 0:
        expected = format(0.0, f",.{digits}f")
    with language_of(lang):
        assert i18n.format_decimal(value, digits, sign=sign) == expected


def test_months_follow_the_locale():
    assert i18n.format_month(2025, 1) == "Jan 2025"
    with language_of("zh"):
        assert i18n.format_month(2025, 1) == "2025年1月"


def test_markdown_blocks_split_paragraphs_and_headings():
    text = "# 06 Sales\n\nFirst paragraph\nstill first.\n\n- a\n- b\n"
    assert i18n.markdown_blocks(text) == ["06 Sales", "First paragraph\nstill first.", "- a\n- b"]


def test_translated_markdown_keeps_heading_levels(monkeypatch):
    table = {"06 Sales": "06 销售", "Text.": "正文。"}
    monkeypatch.setattr(i18n, "translate", lambda m, code: table.get(m, m))
    with language_of("zh"):
        assert i18n.translate_markdown("## 06 Sales\n\nText.\n") == "## 06 销售\n\n正文。"
        nb = {"cells": [{"cell_type": "markdown", "source": ["# 06 Sales"]}, {"cell_type": "code", "source": "x"}]}
        assert i18n.translate_notebook(nb)["cells"][0]["source"] == "# 06 销售"
    assert i18n.translate_markdown("## 06 Sales") == "## 06 Sales"  # English: as written


def test_a_notebook_is_translated_into_the_language_given_whatever_the_current_one():
    """Kernel threads translate side by side: each passes its report's language."""
    nb = {"cells": [{"cell_type": "markdown", "source": "# x\n\nA paragraph."}]}
    with language_of("zh"):
        assert i18n.translate_notebook(nb, "en")["cells"][0]["source"] == "# x\n\nA paragraph."
    assert i18n.translate("{year}Q{q}", "zh") == "{year}年第{q}季度"
    assert i18n.language() == "en"


def test_placeholders():
    assert i18n.placeholders("{a} and {b:.1f} of {a}") == {"a", "b"}
    assert i18n.placeholders("no fields") == set()


def test_the_zh_catalog_translates_every_message():
    """Every message of the package and notebooks is translated, with the same placeholders, and nothing is obsolete."""
    from trackreport.report.messages import check_catalog, hidden_messages

    problems = hidden_messages() + check_catalog("zh")
    assert not problems, f"{len(problems)} catalog problem(s) (python -m trackreport messages):\n" + "\n".join(
        map(str, problems[:40])
    )


def test_english_months_read_as_strftime_does():
    import datetime

    for month in range(1, 13):
        assert i18n.format_month(2025, month) == f"{datetime.date(2025, month, 1):%b %Y}"
