"""Tests of trackreport.stats.results: the rep x month panel and business metrics, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from trackreport.stats.results import lead_conversion, repurchase_rate, win_rate

Z = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / (1 + Z**2 / n)
    return centre - half, centre + half


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": pd.array(["o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7"], dtype="string"),
            "customer_id": ["c0", "c0", "c1", "c1", "c2", "c3", "c2", "c1"],
            "employee_id": ["e1", "e1", "e1", "e1", "e2", "e3", "e1", "e2"],
            "order_date": pd.to_datetime(
                [
                    "2023-12-01",  # c0's first order, before the window: c0 is not new in January
                    "2024-01-03",
                    "2024-01-05",
                    "2024-01-20",  # c1 new in January for e1
                    "2024-03-01",  # c2 new in March for e2
                    "2024-01-15",  # e3 is not in employees: ignored
                    "2024-03-05",  # e1 left in February: ignored
                    "2024-03-09",  # c1 again, now with e2: not new
                ]
            ),
            "amount": [999.0, 10.0, 100.0, 50.0, 80.0, 7.0, 5.0, 20.0],
        }
    )


def test_win_rate_hand_case():
    opp = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "b", "b", "b", "b"],
            "stage": ["won", "lost", "negotiation", "won", "won", "lost", "won"],
            "closed_date": pd.to_datetime(
                ["2024-01-03", "2024-01-09", None, "2024-02-01", "2024-02-03", "2024-02-09", "2025-01-01"]
            ),
        }
    )
    e = win_rate(opp, end="2024-12-31")
    assert (e.value, e.n) == (3 / 5, 5)
    assert (e.ci_low, e.ci_high) == pytest.approx(wilson(3, 5))
    t = win_rate(opp, by="employee_id", end="2024-12-31")
    assert t["value"].tolist() == pytest.approx([0.5, 2 / 3])
    assert t["n"].tolist() == [2, 3]
    assert list(t.columns) == ["employee_id", "value", "ci_low", "ci_high", "n"]
    assert math.isnan(win_rate(opp.iloc[[2]]).value)


def test_lead_conversion_hand_case():
    leads = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "b", "b"],
            "created_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-15", "2023-12-31"]),
            "converted": pd.array([True, True, False, False, True], dtype="boolean"),
        }
    )
    e = lead_conversion(leads, start="2024-01-01")
    assert (e.value, e.n) == (0.5, 4)
    t = lead_conversion(leads, by="employee_id", start="2024-01-01")
    assert t["value"].tolist() == pytest.approx([2 / 3, 0.0])


def test_repurchase_rate_hand_case(orders):
    e = repurchase_rate(orders, start="2024-01-01", end="2024-03-31")
    # in window: c0 1 order, c1 3 orders, c2 2 orders, c3 1 order -> 2 of 4
    assert (e.value, e.n) == (0.5, 4)
    assert (e.ci_low, e.ci_high) == pytest.approx(wilson(2, 4))
    t = repurchase_rate(orders, start="2024-01-01", end="2024-03-31", by="employee_id")
    # e1: c0 (1), c1 (2), c2 (1) -> 1/3; e2: c2 (1), c1 (1) -> 0/2; e3: c3 (1) -> 0/1
    assert t.set_index("employee_id")["value"].to_dict() == pytest.approx({"e1": 1 / 3, "e2": 0.0, "e3": 0.0})
