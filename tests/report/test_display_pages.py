"""What a reader sees on every sample page: display rules, one value per measure, arithmetic that holds.

Reuses the session's ``sample_reports`` (every sample report built once); each check is a
function of one report folder, so that a single report can be checked by hand too.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from trackreport.report.params import ReportParams
from trackreport.stats.display import LABELS

# ----------------------------------------------------------------------------- page text


class _Text(HTMLParser):
    """The visible text of a page: no style or script, one cell or paragraph per line."""

    BLOCKS = {"p", "tr", "td", "th", "h1", "h2", "h3", "h4", "li", "div", "br", "caption", "dt", "dd", "summary"}

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


def visible_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return "".join(p.out)


NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-−]0(?:\.0+)?(?![\d.])")
SCIENTIFIC = re.compile(r"(?<![\w.])(?<!\w-)\d+(?:\.\d+)?[eE][+-]?\d+(?!\w)")  # not in ids like P-36980e58
ONE_PEOPLE = re.compile(r"(?<![\d.,])1 people\b")
#: "1.6 categories (95% CI 1.6 to 1.6)": an interval whose shown ends are one number (not a zero one)
SAME_ENDS = re.compile(r"95% CI ([+\-−]?(?!0(?:\.0+)?\b)[\d.,]*[1-9][\d.,]*)(%| pp|) to \1\2(?![\d])")
_SECTIONS = [k for k, f in ReportParams.model_fields.items() if k not in ("team", "quarter")]
#: a parameter's name (``targets.nps``, ``min_group_size``) or a function's (``improvement.pair_mentors``)
PARAMETER_NAME = re.compile(
    r"(?<![\w.])(?:(?:" + "|".join(_SECTIONS) + r")\.[a-z_]+[a-z]"
    r"|(?:" + "|".join(k for k in _SECTIONS if "_" in k) + r")(?![\w]))"
)
#: the status words before the glossary's met / on track / uncertain / missed
OLD_STATUS = re.compile(r"\bnot distinguishable from target\b|\bnot met\b")
#: a headline's record (a Python dict) left as a cell's value and printed on the page
RECORD = re.compile(r"\{'\w+': ")
#: a column name shown as it is in the code: "Roi ci low", "Days ci high"
RAW_COLUMN = re.compile(r"^[A-Z][a-z]*(?: [a-z]+)* ci (?:low|high)$|^(?:Roi|Bcr|Nps|Csat)\b", re.M)
RAW_CODES = [k for k in LABELS if "_" in k and "." not in k]
RAW_CODE = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, RAW_CODES)) + r")(?![\w])")


def page_problems(path: Path) -> list[str]:
    """Everything on one page that breaks a display rule, as ``file: rule: excerpt``."""
    html = path.read_text(encoding="utf-8")
    # the contents page's Parameters block is the run's params.yaml verbatim, for the record: not prose
    text = visible_text(re.sub(r"<pre>.*?</pre>", "", html, flags=re.S))
    found = []
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    if title is None or title.group(1).strip() in ("", "Notebook"):
        found.append(f"{path.name}: page title: {title.group(1) if title else None!r}")
    for rule, pattern in (
        ("negative zero", NEGATIVE_ZERO),
        ("scientific notation", SCIENTIFIC),
        ("1 people", ONE_PEOPLE),
        ("interval ends alike", SAME_ENDS),
        ("parameter name", PARAMETER_NAME),
        ("raw code", RAW_CODE),
        ("old status word", OLD_STATUS),
        ("raw column name", RAW_COLUMN),
    ):
        for m in pattern.finditer(text):
            found.append(f"{path.name}: {rule}: {text[max(0, m.start() - 50) : m.end() + 20]!r}")
    # a value a cell printed (nbconvert puts it in a <pre>): only the contents page has a <pre> of its own
    printed = text if path.name == "contents.html" else visible_text(html)
    for m in RECORD.finditer(printed):
        found.append(f"{path.name}: printed record: {printed[m.start() : m.end() + 40]!r}")
    return found


def test_page_scan_finds_what_it_looks_for(tmp_path):
    """The scanner itself: each rule fires on a page that breaks it (a scan that cannot fail is no test)."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><head><title>Notebook</title><style>.a{x:-0.0}</style></head><body>"
        "<p>change -0.0 pp; p = 1.7e-16; 1 people; see targets.fabe_call_share; role senior_rep</p>"
        "<p>1.6 categories (95% CI 1.6 to 1.6 categories); fine: (95% CI 0.0% to 0.0%), (95% CI 1.6 to 1.65)</p>"
        "<p>fine: -0.04, 2025-07-01, P-36980e58, C253E01, 10.1 people, senior rep</p>"
        "<table><tr><td>not distinguishable from target</td><td>not met</td></tr></table>"
        "<pre>{'name': 'online_share', 'chapter': '10'}</pre>"
        "<p>fine: met, on track, uncertain, missed, not distinguishable from zero</p>"
        "<table><tr><th>Roi ci low</th><th>ROI, 95% CI low</th></tr></table></body></html>",
        encoding="utf-8",
    )
    rules = [p.split(": ")[1] for p in page_problems(bad)]
    assert sorted(rules) == sorted(
        ["page title", "negative zero", "scientific notation", "1 people", "parameter name", "raw code"]
        + ["interval ends alike", "old status word", "old status word", "printed record", "raw column name"]
    ), page_problems(bad)


# ----------------------------------------------------------------------------- the reports


@pytest.fixture(scope="module")
def reports(sample_reports):
    _, result = sample_reports
    assert result.reports
    return [r.path for r in result.reports]


def _metrics(folder: Path) -> list[dict]:
    return json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["metrics"]


def test_every_page_follows_the_display_rules(reports):
    problems = []
    for folder in reports:
        pages = sorted(folder.glob("*.html"))
        assert len(pages) >= 15, folder
        for page in pages:
            problems += [f"{folder.parent.name}/{folder.name}/{p}" for p in page_problems(page)]
    assert not problems, "\n".join(problems[:40])


_HEADLINE = re.compile(r"<p class=[\"']tr-headline[\"'] id=[\"']m-([^\"']+)[\"']>(.*?)</p>", re.S)
_PCT_INTERVAL = re.compile(r"95% CI (-?[\d.,]+)% to (-?[\d.,]+)%")


def test_share_intervals_lie_within_zero_and_one_hundred_percent(reports):
    checked = 0
    for folder in reports:
        units = {(m["chapter"], m["name"]): m["unit"] for m in _metrics(folder)}
        for m in _metrics(folder):
            if m["unit"] == "share" and m.get("ci_low") is not None:
                assert 0.0 <= m["ci_low"] <= m["ci_high"] <= 1.0, m
        for page in folder.glob("[0-9][0-9]_*.html"):
            chapter = page.name[:2]
            for name, body in _HEADLINE.findall(page.read_text(encoding="utf-8")):
                if units.get((chapter, name)) != "share":
                    continue
                for lo, hi in _PCT_INTERVAL.findall(visible_text(body)):
                    assert 0.0 <= float(lo) <= float(hi) <= 100.0, (page, name, lo, hi)
                    checked += 1
    assert checked > 10 * len(reports)


#: Measures several chapters show under their own names: (chapter, name) pairs that must agree.
SAME_MEASURE = [
    (("01", "target_00"), ("05", "crm_completeness_after")),
    (("01", "target_01"), ("05", "fabe_adoption")),
    (("01", "target_02"), ("06", "new_clients_effect")),
    (("01", "target_03"), ("06", "order_value_effect")),
    (("01", "target_04"), ("09", "nps_after")),
    (("01", "target_05"), ("09", "resolved_within_target_after")),
    (("01", "target_06"), ("04", "checkin_completion")),
    (("01", "target_07"), ("05", "stage_test_average")),
]
#: What must agree: the number, its n and interval, and its status against the target.
_FIELDS = ("value", "n", "ci_low", "ci_high", "target", "status", "status_word")


def _same(a: dict, b: dict) -> list[str]:
    """Fields that differ; a page that states no target (09's share resolved in time) cannot
    contradict another's status, so target and status are compared where both pages state one."""
    out = []
    both = "target" in a and "target" in b
    for f in _FIELDS if both else _FIELDS[:4]:
        x, y = a.get(f), b.get(f)
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
                out.append(f"{f}: {x} vs {y}")
        elif x != y:
            out.append(f"{f}: {x!r} vs {y!r}")
    return out


def test_a_measure_shown_on_several_pages_has_one_value_n_and_status(reports):
    compared = 0
    for folder in reports:
        metrics = _metrics(folder)
        by_key = {(m["chapter"], m["name"]): m for m in metrics}
        pairs = [(by_key[a], by_key[b]) for a, b in SAME_MEASURE if a in by_key and b in by_key]
        by_label: dict[str, list[dict]] = {}
        for m in metrics:
            if m["chapter"] != "00":
                by_label.setdefault(m["label"], []).append(m)
        for same in by_label.values():  # one label on several chapters: one measure
            pairs += [(same[0], other) for other in same[1:] if other["chapter"] != same[0]["chapter"]]
        for a, b in pairs:
            diff = _same(a, b)
            assert not diff, (folder.name, a["chapter"], a["name"], b["chapter"], b["name"], diff)
            compared += 1
    assert compared >= len(reports) * len(SAME_MEASURE)


def _decimals(s: str) -> int:
    return len(s.split(".")[1]) if "." in s else 0


def _num(s: str) -> float:
    return float(s.replace("−", "-").replace(",", "").replace("+", ""))


#: "went from 36 to 43 (+7" / "went from 55% to 49% of the total (-6 pp)"
_FROM_TO = re.compile(r"went from ([-−]?[\d.,]+)%? to ([-−]?[\d.,]+)%?(?: of the total)? \(([+\-−][\d.,]+)")
#: "(+7; target 50); comparison reps' customers from 43 to 39 (-4): a difference of the two changes of +11"
_TWO_CHANGES = re.compile(
    r"\(([+\-−][\d.,]+)[^()]*\)[^()]*\(([+\-−][\d.,]+)\): a difference of the two changes of ([+\-−][\d.,]+)"
)
#: "x1.672 / x1.465 = x1.141"
_RATIO = re.compile(r"x([\d.]+) / x([\d.]+) = x([\d.]+)")


def arithmetic_problems(text: str) -> tuple[int, list[str]]:
    """Sentences whose stated difference or ratio is not that of their stated numbers: (checked, problems)."""
    checked, bad = 0, []
    for a, b, c in _FROM_TO.findall(text):
        d = max(_decimals(a), _decimals(b), _decimals(c))
        checked += 1
        if round(_num(b) - _num(a), d) != round(_num(c), d):
            bad.append(f"from {a} to {b} is not {c}")
    for c1, c2, g in _TWO_CHANGES.findall(text):
        d = max(_decimals(c1), _decimals(c2), _decimals(g))
        checked += 1
        if round(_num(c1) - _num(c2), d) != round(_num(g), d):
            bad.append(f"{c1} - ({c2}) is not {g}")
    for a, b, c in _RATIO.findall(text):
        checked += 1
        # a and b are shown to 3 decimals: their ratio is known to about 0.001 x (1 + c)
        if abs(float(a) / float(b) - float(c)) > 0.0006 * (1 + float(c)):
            bad.append(f"x{a} / x{b} is not x{c}")
    return checked, bad


def test_arithmetic_checker_catches_the_issues_example():
    checked, bad = arithmetic_problems(
        "went from 36 to 43 (+7; target 50); comparison reps' customers from 43 to 39 (-4): "
        "a difference of the two changes of +16.8 points. x1.672 / x1.465 = x1.241"
    )
    assert checked == 3 and len(bad) == 2, bad
    assert arithmetic_problems("went from 55% to 49% of the total (-6 pp)") == (1, [])


def test_stated_differences_and_ratios_equal_those_of_the_stated_numbers(reports):
    checked, problems = 0, []
    for folder in reports:
        for page in sorted(folder.glob("[0-9][0-9]_*.html")):
            k, bad = arithmetic_problems(visible_text(page.read_text(encoding="utf-8")))
            checked += k
            problems += [f"{folder.parent.name}/{folder.name}/{page.name}: {b}" for b in bad]
    assert not problems, "\n".join(problems)
    assert checked >= 4 * len(reports)  # NPS, its two changes, the mix, and chapter 06's ratios on every report


def test_every_chapter_opens_with_its_lead_and_ends_with_the_glossary(reports):
    for folder in reports:
        recorded = {m["chapter"] for m in _metrics(folder) if m.get("value") is not None}
        for page in sorted(folder.glob("[0-9][0-9]_*.html")):
            html = page.read_text(encoding="utf-8")
            assert re.search(r"id=[\"']glossary[\"']", html) and "Status: on track" in html, page
            if page.name[:2] == "00" or page.name[:2] not in recorded:
                continue
            lead = html.split("In one minute", 1)
            assert len(lead) == 2, page
            head = lead[1].split("</section>", 1)[0]
            links = re.findall(r"href=[\"']#(m-[^\"']+)[\"']", head)
            assert 1 <= len(links) <= 4, (page, links)
            for anchor in links:  # each figure of the lead is shown in full further down
                assert re.search(f"id=[\"']{anchor}[\"']", html), (page, anchor)
            first = re.search(f"id=[\"']{links[0]}[\"']", html)
            assert html.index("In one minute") < first.start(), page
        contents = (folder / "contents.html").read_text(encoding="utf-8")
        assert re.search(r"id=[\"']glossary[\"']", contents)


def test_the_lead_gives_each_effect_the_verdict_of_its_headline(reports):
    """A lead line says "not distinguishable from zero" exactly when its headline does (Holm-adjusted in 06)."""
    checked = 0
    for folder in reports:
        for page in sorted(folder.glob("[0-9][0-9]_*.html")):
            html = page.read_text(encoding="utf-8")
            if "In one minute" not in html:
                continue
            head = html.split("In one minute", 1)[1].split("</section>", 1)[0]
            for item in re.findall(r"<li>(.*?)</li>", head, re.S):
                anchor = re.search(r"href=[\"']#(m-[^\"']+)[\"']", item)
                if not anchor:
                    continue
                full = re.search(f"<p class=[\"']tr-headline[\"'] id=[\"']{anchor.group(1)}[\"']>(.*?)</p>", html, re.S)
                if not full:
                    continue
                checked += 1
                says = "not distinguishable from zero" in item
                assert says == ("not distinguishable from zero" in full.group(1)), (page, anchor.group(1))
    assert checked >= 20


def test_appendix_tables_are_collapsed_and_tables_scroll_in_their_own_box(reports):
    folder = reports[0]
    evaluation = (folder / "05_evaluation.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<details class=[\"']tr-appendix[\"']>", evaluation)) >= 3  # alphas, items, segments
    for page in folder.glob("[0-9][0-9]_*.html"):  # every table of a chapter sits in its scrolling box
        html = page.read_text(encoding="utf-8")
        assert html.count('<table id="T_') == len(re.findall(r"<div class=[\"']tr-table[\"']>", html)), page
    css = (folder / "06_sales.html").read_text(encoding="utf-8")
    assert ".tr-table td:first-child" in css and "position: sticky" in css and "overflow-x: auto" in css


# ----------------------------------------------------------------------------- each number once per page

_APPENDIX = re.compile(r"<details.*?</details>", re.S)
_LEAD = re.compile(r"In one minute.*?</section>", re.S)
_TABLE = re.compile(r"<table.*?</table>", re.S)
_FULL_CI = re.compile(r"95% CI ([^;),\n]+? to [^;),\n]+)")


def repetition_problems(path: Path) -> list[str]:
    """A figure shown in full (its 95% interval) twice outside the appendix, and in-page links to nowhere."""
    html = path.read_text(encoding="utf-8")
    text = visible_text(_APPENDIX.sub("", html))
    seen: dict[str, int] = {}
    for ci in _FULL_CI.findall(text):
        seen[ci] = seen.get(ci, 0) + 1
    found = [f"{path.name}: shown in full {k} times: 95% CI {ci}" for ci, k in seen.items() if k > 1]
    ids = set(re.findall(r"id=[\"']([^\"']+)[\"']", html))
    found += [
        f"{path.name}: link to nowhere: #{h}" for h in re.findall(r"href=[\"']#([^\"']+)[\"']", html) if h not in ids
    ]
    return found


def test_repetition_checker_finds_what_it_looks_for(tmp_path):
    page = tmp_path / "00_summary.html"
    page.write_text(
        "<div id='m-nps_after'>42.3 95% CI 36.8 to 47.5</div><p>NPS misses: 42.3 (95% CI 36.8 to 47.5; n = 681)</p>"
        "<details><p>95% CI 1.0 to 2.0</p></details><p>95% CI 1.0 to 2.0</p>"
        "<a href='#m-nps_after'>ok</a><a href='#m-gone'>x</a>",
        encoding="utf-8",
    )
    problems = repetition_problems(page)
    assert len(problems) == 2 and "36.8 to 47.5" in problems[0] and "#m-gone" in problems[1], problems


#: Pages held to "each figure in full once" so far (the summary, sales and customers); the others
#: still repeat some intervals in a sentence under their headline (01, 04, 05 of some reports).
ONCE_PAGES = ("00", "06", "09")


def test_each_figure_is_shown_in_full_once_per_page_and_links_resolve(reports):
    problems = []
    for folder in reports:
        for page in sorted(folder.glob("[0-9][0-9]_*.html")):
            found = repetition_problems(page)
            if page.name[:2] not in ONCE_PAGES:
                found = [p for p in found if "link to nowhere" in p]
            problems += [f"{folder.parent.name}/{folder.name}/{p}" for p in found]
    assert not problems, "\n".join(problems[:40])


def test_chapter_06_shows_each_effect_in_its_headline_and_its_table_only(reports):
    """Not again in a summary list (it links to the headline) or a second table; the lead and the
    appendix (collapsed) aside."""
    from trackreport.stats.display import format_value

    checked = 0
    for folder in reports:
        page = folder / "06_sales.html"
        if not page.is_file():
            continue
        html = _TABLE.sub("", _LEAD.sub("", _APPENDIX.sub("", page.read_text(encoding="utf-8"))))
        html = re.split(r"id=[\"']glossary[\"']", html)[0]  # the glossary's examples ("+12.5%") aside
        text = visible_text(html)  # the headline is then the one place left for the effect in full
        for m in _metrics(folder):
            if m["chapter"] != "06" or m.get("value") is None or m["unit"] not in ("relative", "pp"):
                continue
            shown = format_value(m["value"], m["unit"])
            alone = re.findall(r"(?<!to )" + re.escape(shown) + r"(?![\d])(?! to)", text)
            assert len(alone) == 1, (folder.name, m["name"], shown, len(alone))
            checked += 1
    assert checked >= 4 * len(reports)


def test_a_share_resolved_in_time_says_how_many_of_how_many(reports):
    """A bare 0.0% against a 100% target reads as a fault of the data: both pages that show the
    complaints resolved within the target hours say how many of how many complaints were."""
    checked = 0
    for folder in reports:
        for m in _metrics(folder):
            if not m["label"].startswith("Complaints resolved within") or m.get("value") is None:
                continue
            page = next(folder.glob(f"{m['chapter']}_*.html"))
            text = " ".join(visible_text(page.read_text(encoding="utf-8")).split())
            k = round(m["value"] * m["n"])
            assert f"{k:,} of the {m['n']:,} complaints followed for at least" in text, (folder.name, page.name, k)
            checked += 1
    assert checked >= 2 * len(reports)
