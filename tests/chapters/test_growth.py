"""Chapter 11: time to promotion (censoring rules) feeding the Kaplan-Meier estimator."""

import pandas as pd

from trackreport.chapters.growth import time_to_promotion
from trackreport.stats.survival import kaplan_meier


def test_censoring_at_leaving_and_data_end_and_events_after_origin_only():
    emp = pd.DataFrame(
        {
            "employee_id": list("abcdef"),
            "leave_date": pd.to_datetime([None, "2025-08-31", None, "2025-06-30", None, "2025-09-30"]),
        }
    )
    pro = pd.DataFrame(
        {
            "employee_id": ["a", "a", "b", "c", "e", "f"],
            "date": pd.to_datetime(
                ["2025-12-01", "2025-08-01", "2025-10-01", "2025-07-01", "2026-03-01", "2025-09-01"]
            ),
        }
    )
    people = pd.DataFrame({"employee_id": list("abcdef"), "group": ["t"] * 3 + ["u"] * 3})
    f = time_to_promotion(emp, pro, people, origin="2025-07-01", data_end="2025-12-31").set_index("employee_id")
    assert "d" not in f.index  # left before the origin
    # a: first promotion after origin 2025-08-01 -> 31 days, event
    assert (f.at["a", "days"], f.at["a", "promoted"]) == (31, True)
    # b: promoted after leaving -> censored at leaving (61 days)
    assert (f.at["b", "days"], f.at["b", "promoted"]) == (61, False)
    # c: promoted on the origin day itself -> not an event; censored at the data end (183 days)
    assert (f.at["c", "days"], f.at["c", "promoted"]) == (183, False)
    # e: promoted after the data end -> censored at the data end
    assert (f.at["e", "days"], f.at["e", "promoted"]) == (183, False)
    # f: promoted before leaving -> event at 62 days
    assert (f.at["f", "days"], f.at["f", "promoted"]) == (62, True)
    km = kaplan_meier(f["days"], f["promoted"])
    # at 31: 5 at risk, 1 event; at 62: 3 at risk (b censored at 61), 1 event
    assert km["at_risk"].tolist() == [5, 3]
    assert km["survival"].round(6).tolist() == [0.8, round(0.8 * 2 / 3, 6)]
