"""Pseudonyms and escaping of data text."""

import subprocess
import sys

import pandas as pd
import pytest

from trackreport.data.privacy import (
    csv_safe,
    escape_html,
    escape_markdown,
    neutralise_formula,
    person_labels,
    pseudonym,
)


def test_pseudonym_is_stable_across_processes_and_keyed(monkeypatch):
    monkeypatch.delenv("TRACKREPORT_PSEUDONYM_KEY", raising=False)
    code = "from trackreport.data.privacy import pseudonym; print(pseudonym('E0001'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert other == pseudonym("E0001")
    assert pseudonym("E0001", key="a") != pseudonym("E0001", key="b")
    monkeypatch.setenv("TRACKREPORT_PSEUDONYM_KEY", "a")
    assert pseudonym("E0001") == pseudonym("E0001", key="a")


def test_pseudonyms_do_not_collide_on_the_sample(sample_data):
    ids = sample_data["employees"]["employee_id"]
    assert len(set(person_labels(ids))) == len(ids)
    assert person_labels(["E1"], ["王芳"], show_names=True) == ["王芳"]


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1"]
)
def test_formula_starts_are_neutralised(text):
    assert neutralise_formula(text) == "'" + text
    assert csv_safe(pd.DataFrame({"t": [text]}))["t"].iloc[0] == "'" + text


@pytest.mark.parametrize("text", ["王芳", "+5.0 pp", "-3%", "a=b"])
def test_ordinary_text_is_kept(text):
    assert neutralise_formula(text) == text


def test_markup_is_escaped():
    assert "<" not in escape_html("<script>alert(1)</script>")
    md = escape_markdown("[x](javascript:alert(1)) <img src=x>")
    assert "<img" not in md and "\\[x\\]\\(" in md
