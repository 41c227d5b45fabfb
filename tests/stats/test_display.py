"""Display rules (trackreport.stats.display): worked examples, and the rules held over grids of values."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from trackreport.data import schema
from trackreport.stats.display import (
    GLOSSARY,
    LABELS,
    STATUS_WORDS,
    clip_interval,
    format_interval,
    format_p,
    format_value,
    interval_digits,
    label,
    machine_status,
    plural,
    pretty_column,
    status_word,
)


@pytest.mark.parametrize(
    ("value", "unit", "digits", "shown"),
    [
        (0.4567, "share", None, "45.7%"),
        (0.85, "share", None, "85.0%"),  # a target reads 85.0%, never 0.8 or 0.9
        (0.85, "share", 0, "85%"),
        (1.51, "percent", None, "151.0%"),  # ROI may leave 0-100%
        (0.05, "pp", None, "+5.0 pp"),
        (-0.032, "pp", None, "-3.2 pp"),
        (0.123, "relative", None, "+12.3%"),
        (1234567.8, "CNY", None, "1,234,568 CNY"),
        (3.456, "days", None, "3.5 days"),
        (12.25, "hours", None, "12.2 hours"),  # round half to even, as Python's format does
        (81.555, "points", None, "81.6 points"),
        (7.0, "count", None, "7"),
        (1.0, "people", None, "1 person"),
        (45.0, "people", None, "45 people"),
        (0.0, "people", None, "0 people"),
        (2.0, "rank", None, "#2"),
        (1.5807, "categories", 2, "1.58 categories"),
        (float("nan"), "share", None, "n/a"),
        (None, "points", None, "n/a"),
    ],
)
def test_format_value_worked_examples(value, unit, digits, shown):
    assert format_value(value, unit, digits=digits) == shown


@pytest.mark.parametrize("unit", ["share", "percent", "pp", "relative", "CNY", "points", "days", "count", ""])
@pytest.mark.parametrize("value", [-1e-12, -0.0, -0.0004, -0.00049, -0.4, -0.04])
def test_no_negative_zero_in_any_unit(unit, value):
    text = format_value(value, unit)
    assert not re.match(r"^[-−]0(\.0+)?(?!\.?\d*[1-9])", text), text
    if float(value * (100 if unit in ("share", "percent", "pp", "relative") else 1)) > -0.05:
        assert not text.startswith("-"), text


def test_a_wald_interval_of_a_share_is_cut_to_its_support():
    # Wald interval of 9/10: 0.9 +- 1.96 sqrt(0.9 * 0.1 / 10) = 0.714 to 1.086 -> the part above 1 cannot happen
    p, n = 0.9, 10
    h = 1.959964 * math.sqrt(p * (1 - p) / n)
    lo, hi = clip_interval(p - h, p + h, "share")
    assert lo == pytest.approx(0.714, abs=1e-3) and hi == 1.0
    assert format_interval(p - h, p + h, "share") == "71.4% to 100.0%"
    assert format_interval(0.222, 1.008, "share") == "22.2% to 100.0%"  # the "0.222 to 1.008"
    assert clip_interval(-0.1, 0.3, "share") == (0.0, 0.3)
    assert clip_interval(-0.1, 0.3, "pp") == (-0.1, 0.3)  # a change may be negative
    assert clip_interval(-0.8, 1.5, "percent") == (-0.8, 1.5)  # so may an ROI


def test_word_units_are_written_once_per_interval():
    assert format_interval(60.12, 68.9, "points") == "60.1 to 68.9 points"
    assert format_interval(-0.049, 0.06, "pp") == "-4.9 pp to +6.0 pp"
    assert format_interval(1234.4, 5678.9, "CNY") == "1,234 to 5,679 CNY"


def test_plural():
    assert [plural(k, "person", "people") for k in (0, 1, 2)] == ["0 people", "1 person", "2 people"]
    assert plural(1, "group") == "1 group" and plural(3, "group") == "3 groups"


@pytest.mark.parametrize("p", [0.0, 1e-300, 1.7e-16, 6.39e-16, 0.000999, 0.001, 0.0432, 0.5, 1.0])
def test_p_values_are_never_in_scientific_notation(p):
    text = format_p(p)
    assert "e" not in text.lower()
    assert text == "<0.001" if p < 0.001 else text == f"{p:.3f}"


def test_status_words_against_the_interval():
    # (value, low, high, target, higher is better) -> word, as defined in the glossary
    cases = [
        ((0.91, 0.86, 0.95, 0.85, True), "met"),
        ((0.88, 0.80, 0.93, 0.85, True), "on track"),
        ((0.82, 0.74, 0.88, 0.85, True), "uncertain"),
        ((0.70, 0.60, 0.80, 0.85, True), "missed"),
        ((3.0, 2.0, 3.5, 4.0, False), "met"),  # days to resolve: lower is better
        ((3.0, 2.0, 4.5, 4.0, False), "on track"),
        ((4.2, 3.5, 5.0, 4.0, False), "uncertain"),
        ((5.0, 4.5, 5.5, 4.0, False), "missed"),
        ((0.9, math.nan, math.nan, 0.85, True), "met"),  # no interval: the value decides
        ((math.nan, math.nan, math.nan, 0.85, True), "no data"),
    ]
    for (v, lo, hi, t, hib), word in cases:
        assert status_word(v, lo, hi, t, higher_is_better=hib) == word, (v, lo, hi, t)
    assert set(STATUS_WORDS) == {"met", "on track", "uncertain", "missed", "no data"}


def _old_headline_status(v, lo, hi, t, hib):
    """The rule metrics.json's ``status`` followed before the status words (the reference kept stable)."""
    met = v >= t if hib else v <= t
    status = "met" if met else "not met"
    if not math.isnan(lo):
        h, low = (hi, lo) if hib else (-lo, -hi)
        tt = t if hib else -t
        if (met and low < tt) or (not met and h >= tt):
            status = "not distinguishable from target"
    return status


def test_machine_status_in_metrics_json_is_unchanged_for_every_case():
    rng = np.random.default_rng(11)
    for _ in range(2000):
        v, t = rng.uniform(0, 1, 2)
        h = rng.uniform(0, 0.3)
        lo, hi = (math.nan, math.nan) if rng.uniform() < 0.1 else (v - h, v + h)
        hib = bool(rng.uniform() < 0.5)
        word = status_word(v, lo, hi, t, higher_is_better=hib)
        assert machine_status(word) == _old_headline_status(v, lo, hi, t, hib), (v, lo, hi, t, hib)


def test_every_code_of_the_data_contract_has_a_reader_label():
    codes = {
        c
        for name in dir(schema)
        if name.isupper() and isinstance(getattr(schema, name), tuple)
        for c in getattr(schema, name)
        if isinstance(c, str) and "_" in c and name != "BASE_TABLES"
    }
    assert codes, "the schema's enumerations were not found"
    for code in codes:
        assert code in LABELS, code
        assert "_" not in label(code), code
    assert label("senior_rep") == "senior rep" and label("product_knowledge") == "product knowledge"
    assert label(True) == "yes" and label("王芳") == "王芳" and label("TR01") == "TR01"
    assert pretty_column("p_value") == "p-value" and pretty_column("ci_low") == "95% CI low"


def test_the_glossary_defines_every_word_a_page_uses():
    terms = {t for t, _ in GLOSSARY}
    for word in ("met", "on track", "uncertain", "missed"):
        assert f"Status: {word}" in terms
    for term in ("95% CI", "n", "pp", "DiD", "Top-2-box", "NPS", "Primary", "Exploratory"):
        assert term in terms, term
    n_text = dict(GLOSSARY)["n"]
    assert all(w in n_text for w in ("people", "answers", "customers"))


def test_an_interval_is_shown_at_a_precision_that_tells_its_ends_apart():
    # the "1.6 categories (1.6 to 1.6)": product categories per client, 1.581 (1.552 to 1.609)
    d = interval_digits(1.552, 1.609, "categories")
    assert d == 2
    assert format_interval(1.552, 1.609, "categories", digits=d) == "1.55 to 1.61 categories"
    assert interval_digits(0.40, 0.55, "share") is None  # the unit's own precision when it suffices
    assert interval_digits(1000.2, 1000.4, "CNY") == 1
