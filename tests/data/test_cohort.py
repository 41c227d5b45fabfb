"""Cohort rules (issue 9, finding 10) on small hand-built frames: one person per rule."""

from __future__ import annotations

import pandas as pd
import pytest

from trackreport.data.cohort import cohort_members, comparison_members, employed_in_both
from trackreport.errors import TrackreportError

D = pd.to_datetime


def _data(people: list[tuple], courses: list[tuple], enrolled: list[tuple]) -> dict[str, pd.DataFrame]:
    """people: (id, hire, leave); courses: (course, cohort, start, end); enrolled: (id, course)."""
    emp = pd.DataFrame(people, columns=["employee_id", "hire_date", "leave_date"]).assign(team="east", role="rep")
    emp["hire_date"], emp["leave_date"] = D(emp["hire_date"]), D(emp["leave_date"])
    co = pd.DataFrame(courses, columns=["course_id", "cohort", "start_date", "end_date"])
    co["start_date"], co["end_date"] = D(co["start_date"]), D(co["end_date"])
    enr = pd.DataFrame(enrolled, columns=["employee_id", "course_id"]).assign(planned_hours=8.0, attended_hours=8.0)
    return {"employees": emp, "courses": co, "enrollments": enr}


COURSES = [
    ("Q2", "2025Q2", "2025-04-07", "2025-04-18"),
    ("Q3", "2025Q3", "2025-07-07", "2025-07-18"),
    # starts inside the after window of 2025Q3 (Oct-Dec 2025), ends after it
    ("Q4", "2025Q4", "2025-12-15", "2026-01-20"),
    ("Q1", "2026Q1", "2026-01-12", "2026-01-23"),
]


def test_people_trained_in_an_earlier_cohort_are_neither_trainees_nor_controls():
    data = _data(
        [("new", "2020-01-01", None), ("again", "2020-01-01", None), ("never", "2020-01-01", None)],
        COURSES,
        [("new", "Q3"), ("again", "Q2"), ("again", "Q3")],
    )
    assert cohort_members(data, "east", "2025Q3")["employee_id"].tolist() == ["new"]
    assert comparison_members(data, "east", "2025Q3")["employee_id"].tolist() == ["never"]


def test_control_eligibility_rests_on_training_start_not_end():
    data = _data(
        [("t", "2020-01-01", None), ("late_start", "2020-01-01", None), ("after", "2020-01-01", None)],
        COURSES,
        [("t", "Q3"), ("late_start", "Q4"), ("after", "Q1")],
    )
    # late_start's course began on 2025-12-15, inside the after window: no longer a control
    # (it ended 2026-01-20, after the window, which used to make it one)
    assert comparison_members(data, "east", "2025Q3")["employee_id"].tolist() == ["after"]


def test_trainees_and_controls_follow_one_employment_rule():
    people = [
        ("t_ok", "2020-01-01", None),
        ("t_hired_late", "2025-07-01", None),  # hired in the quarter: no before-window data
        ("t_left", "2020-01-01", "2025-09-15"),  # left before the after window
        ("t_partial", "2025-06-20", "2025-10-10"),  # a few days in each window
        ("c_ok", "2020-01-01", None),
        ("c_hired_late", "2025-07-01", None),
        ("c_left", "2020-01-01", "2025-09-15"),
        ("c_partial", "2025-06-20", "2025-10-10"),  # was left out as a control, kept as a trainee
    ]
    data = _data(people, COURSES, [(p, "Q3") for p, *_ in people if p.startswith("t_")])
    assert cohort_members(data, "east", "2025Q3")["employee_id"].tolist() == ["t_ok", "t_partial"]
    assert comparison_members(data, "east", "2025Q3")["employee_id"].tolist() == ["c_ok", "c_partial"]


def test_n_counts_only_people_with_data_in_both_windows():
    from trackreport.data.cohort import report_windows

    people = pd.DataFrame(
        {
            "hire_date": D(["2025-03-31", "2025-04-01", "2025-06-30", "2025-07-01"]),
            "leave_date": D(["2025-10-01", None, "2025-09-30", None]),
        }
    )
    w = report_windows("2025Q3")  # before Apr-Jun 2025, after Oct-Dec 2025
    assert employed_in_both(people, w).tolist() == [True, True, False, False]
    data = _data(
        [("a", "2025-04-01", None), ("b", "2025-07-01", None)],
        COURSES,
        [("a", "Q3"), ("b", "Q3")],
    )
    m = cohort_members(data, "east", "2025Q3")
    assert len(m) == 1  # b, hired in the quarter, has no before window


def test_a_cohort_nobody_qualifies_for_is_an_error():
    data = _data([("again", "2020-01-01", None)], COURSES, [("again", "Q2"), ("again", "Q3")])
    with pytest.raises(TrackreportError, match="untrained before and employed in both windows"):
        cohort_members(data, "east", "2025Q3")
