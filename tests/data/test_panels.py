"""Tests of trackreport.data.panels: the rep-month panels, by hand, and the database's equal to the tables'.

The database tests run against a real PostgreSQL server the session starts
(``conftest.postgres_url``), loaded with the sample company (``conftest.warehouse``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trackreport.data.panels import FramePanels, rep_month_panel


@pytest.fixture
def employees() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": pd.array(["e1", "e2"], dtype="string"),
            "team": ["east", "east"],
            "region": ["north", "south"],
            "hire_date": pd.to_datetime(["2019-05-01", "2024-02-15"]),
            "leave_date": pd.to_datetime(["2024-02-10", None]),
        }
    )


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


def test_rep_month_panel_hand_case(orders, employees):
    p = rep_month_panel(orders, employees, start="2024-01-01", end="2024-03-31")
    expected = pd.DataFrame(
        {
            "employee_id": ["e1", "e1", "e2", "e2"],
            "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01", "2024-03-01"]),
            "sales": [160.0, 0.0, 0.0, 100.0],
            "orders": [3, 0, 0, 2],
            "avg_order_value": [160 / 3, np.nan, np.nan, 50.0],
            "new_clients": [1, 0, 0, 1],
        }
    )
    got = p[expected.columns].assign(employee_id=p["employee_id"].astype(str))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert p["month"].dtype == "datetime64[ns]"
    assert p.loc[p["employee_id"] == "e2", "region"].eq("south").all()
    assert list(p.columns) == [
        "employee_id",
        "month",
        "team",
        "region",
        "sales",
        "orders",
        "avg_order_value",
        "new_clients",
    ]


def test_rep_month_panel_window_only(orders, employees):
    p = rep_month_panel(orders, employees, start="2024-03", end="2024-03")
    assert p["employee_id"].tolist() == ["e2"]
    assert p["sales"].tolist() == [100.0]


def test_money_is_summed_exactly_in_cents():
    """A float sum of 0.10 + 0.20 is 0.30000000000000004; the panel's sum of cents is 0.30."""
    emp = pd.DataFrame(
        {"employee_id": ["a"], "team": ["t"], "region": ["r"], "hire_date": pd.to_datetime(["2020-01-01"])}
    ).assign(leave_date=pd.NaT)
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2"],
            "customer_id": ["c1", "c2"],
            "employee_id": ["a", "a"],
            "order_date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
            "amount": [0.1, 0.2],
        }
    )
    assert 0.1 + 0.2 != 0.3
    p = FramePanels({"orders": orders}).panel("orders", employees=emp, start="2024-01", end="2024-01")
    assert p["sales"].tolist() == [0.3] and p["avg_order_value"].tolist() == [0.15]


def test_rate_panels_by_hand():
    d = pd.to_datetime
    opp = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "b"],
            "created_date": d(["2024-01-03", "2024-01-09", "2024-01-10", "2024-02-01"]),
            "stage": ["won", "lost", "proposal", "lost"],
        }
    )
    r = FramePanels({"opportunities": opp}).panel("win_rate", employees=["a", "b"], start="2024-01", end="2024-02")
    assert r[["employee_id", "win_rate", "win_rate_n"]].values.tolist() == [["a", 0.5, 2], ["b", 0.0, 1]]
    with pytest.raises(KeyError, match="no panel named"):
        FramePanels({}).panel("nonsense", employees=["a"])
