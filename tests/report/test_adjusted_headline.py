"""Issue 9, finding 5: a headline's verdict can rest on a multiplicity-adjusted p-value."""

from __future__ import annotations

import pandas as pd
import pytest

from trackreport.report.notebook import Chapter
from trackreport.report.params import resolve
from trackreport.stats.estimate import Estimate
from trackreport.stats.multiplicity import Adjusted


@pytest.fixture
def shown(monkeypatch):
    out: list[str] = []

    def fake_display(obj, raw=False):
        if isinstance(obj, dict):
            out.append(obj["text/html"])

    import IPython.display

    monkeypatch.setattr(IPython.display, "display", fake_display)
    ch = Chapter("06", resolve("east", "2025Q3"), None, None, pd.DataFrame(), pd.DataFrame())
    return ch, out


def test_an_interval_that_excludes_zero_is_not_distinguishable_after_holm(shown):
    ch, out = shown
    e = Estimate(0.141, 0.016, 0.282, n=65, p_value=0.026)
    rec = ch.headline(
        "sales_effect_relative", e, label="Effect", unit="relative", change=True, adjusted=Adjusted(0.104, 6, "Holm")
    )
    assert rec["p_adjusted"] == 0.104 and rec["adjustment"] == "Holm-adjusted for 6 tests"
    assert rec["ci_low"] == 0.016  # the interval shown stays the unadjusted one
    assert "not distinguishable from zero" in out[0] and "Holm-adjusted for 6 tests" in out[0]
    rec = ch.headline("x", e, label="Effect", unit="relative", change=True, adjusted=Adjusted(0.01, 6, "Holm"))
    assert "not distinguishable" not in out[1] and "adjusted p 0.010" in out[1]
    plain = ch.headline("y", e, label="Effect", unit="relative", change=True)
    assert "p_adjusted" not in plain and "not distinguishable" not in out[2]
