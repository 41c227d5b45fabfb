"""A report in Simplified Chinese: every text translated, CJK glyphs in charts and PDF, the same numbers."""

from __future__ import annotations

import html.parser
import json
import re

import pytest

from trackreport.report.runner import run_reports

CJK = re.compile("[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_'’]*")


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Words of three letters or more that are neither Chinese nor kept English, nor data, ids or names."""
    return sorted(
        {
            w
            for w in WORD.findall(text)
            if len(w) > 2
            and w.isascii()
            and not any(ch.isdigit() or ch == "_" for ch in w)  # ids, parameter names, numbers
            and w.lower() not in KEPT
            and w.lower() not in allowed
        }
    )


#: English a Chinese report keeps: abbreviations and method names a Chinese sales director reads as they are,
#: units and the trackreport name. Anything else in English is an untranslated text.
KEPT = {
    "nps", "roi", "bcr", "crm", "fabe", "kpi", "did", "ci", "pp", "cny", "holm", "bh", "benjamini", "hochberg",
    "kirkpatrick", "wilson", "kaplan", "meier", "brookmeyer", "crowley", "top", "box", "trackreport", "svg",
    "html", "pdf", "yaml", "id", "ids", "csv", "vs", "max", "min", "sd", "iqr", "icc", "alpha", "cronbach",
    "mom", "yoy", "no", "csat", "phillips", "greenwood", "welch", "wald", "ols", "hc3", "log", "exp",
}  # fmt: skip


class _Visible(html.parser.HTMLParser):
    """The text a reader sees (and reads aloud): text outside <style>/<script>, img alt, chart text, titles.

    Literal machine text is left out: ``<pre>`` (the parameters file) and ``<code>`` (file and table names).
    """

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "pre", "code"):
            self._skip += 1
        for k, v in attrs:
            if k in ("alt", "data-text", "title", "aria-label") and v:
                self.parts.append(v)

    def handle_endtag(self, tag):
        if tag in ("style", "script", "pre", "code"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


@pytest.fixture(scope="session")
def data_words(sample_data) -> set[str]:
    """Words of the data's own text (names, titles, team ids): a report shows them as they are."""
    import pandas as pd

    words: set[str] = set()
    for name in sample_data.tables:
        df = sample_data[name]
        for col in df.columns:
            if pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object:
                for value in df[col].dropna().astype(str).unique()[:5000]:
                    words.update(w.lower() for w in WORD.findall(value))
    return words


@pytest.fixture(scope="session")
def zh_report(tmp_path_factory):
    """East's latest report in Chinese (``lang: zh``), with its PDF when Chromium is installed."""
    from trackreport.report.pdf import find_chromium

    out = tmp_path_factory.mktemp("zh")
    logged: list[str] = []
    run = run_reports(
        team="east", out=out, overrides={"lang": "zh"}, pdf=find_chromium() is not None, log=logged.append,
        progress=False,
    )  # fmt: skip
    (report,) = run.reports
    return report, logged


def test_the_zh_report_builds_without_a_warning(zh_report):
    report, logged = zh_report
    assert not report.failed, report.failed
    assert not [line for line in logged if "stderr" in line or "Glyph" in line or "missing" in line], logged


def test_every_zh_page_is_chinese_and_leaves_no_english_text(zh_report, data_words):
    report, _ = zh_report
    pages = sorted(report.path.glob("*.html"))
    assert len(pages) >= 10
    leftovers = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in text or "<html lang='zh-CN'" in text, page.name
        seen = visible_text(text)
        assert len(CJK.findall(seen)) > (100 if page.name[:2].isdigit() else 20), page.name  # index: a redirect
        english = english_words(seen, data_words)
        if english:
            lines = [
                ln.strip() for ln in seen.splitlines() if any(re.search(rf"\b{re.escape(w)}\b", ln) for w in english)
            ]
            leftovers[page.name] = (english[:20], lines[:5])
    assert not leftovers, json.dumps(leftovers, ensure_ascii=False, indent=1)[:6000]


def test_zh_numbers_are_the_english_numbers(zh_report, sample_reports):
    report, _ = zh_report
    out, _run = sample_reports
    zh = json.loads((report.path / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    en = json.loads((out / report.team / report.quarter / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    keys = ("name", "chapter", "value", "ci_low", "ci_high", "n", "unit", "status", "p_value", "role")
    assert [{k: m.get(k) for k in keys} for m in zh] == [{k: m.get(k) for k in keys} for m in en]
    assert sum(bool(CJK.search(m["label"])) for m in zh) == len(zh), "every headline label is in Chinese"


def test_the_zh_pdf_has_chinese_text_in_embedded_cjk_fonts(zh_report, chromium):
    pypdf = pytest.importorskip("pypdf")
    from trackreport.report import pdf

    report, _ = zh_report
    path = report.path / pdf.pdf_name(report.path)
    reader = pypdf.PdfReader(path)
    texts = [p.extract_text() for p in reader.pages]
    assert len(reader.pages) > 10
    assert sum(len(CJK.findall(t)) for t in texts) > 2000
    # "页" may come out as the radical "⻚" (U+2EDA) from the font's glyph map
    assert re.search(r"第\s*1\s*[页⻚]", texts[0]), texts[0][:200]
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            desc = font.get("/DescendantFonts")
            inner = desc[0].get_object() if desc else font
            fd = inner.get("/FontDescriptor")
            fd = fd.get_object() if fd is not None else {}
            fonts.append(str(font.get("/BaseFont", "")) + str(fd.get("/FontName", "")) + str(fd.get("/FontFamily", "")))
    assert any("CJK" in f for f in fonts), sorted(set(fonts))
