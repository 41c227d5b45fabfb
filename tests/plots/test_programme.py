"""Charts of chapters 02, 04 and 08 drawn from the sample's frames: titled, labelled, no warnings."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt

from trackreport.chapters import collaboration as co
from trackreport.chapters import curriculum as cu
from trackreport.chapters import delivery as dl
from trackreport.data.cohort import cohort_members, report_windows
from trackreport.plots import programme as pp


def test_programme_charts_draw_without_warnings(sample_data):
    members = cohort_members(sample_data, "east", "2025Q3")
    courses = cu.cohort_courses(sample_data["courses"], sample_data["enrollments"], members)
    ci = sample_data["checkins"][lambda d: d["employee_id"].isin(members["employee_id"])]
    panel = co.team_month_panel(sample_data["meetings"], sample_data["approvals"], sample_data["conflicts"])
    w = report_windows("2025Q3")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figs = [
            pp.planned_vs_delivered(
                cu.hours_by(courses, sample_data["course_design"]), label="module_type", title="Hours"
            ),
            pp.planned_vs_delivered(
                cu.hours_by(courses, None, by="delivery"), label="delivery", title="Hours, no design"
            ),
            pp.checkins_by_week(dl.checkin_weeks(ci, target=0.85), target=0.85, title="Check-ins"),
            pp.team_vs_others(
                panel,
                team="east",
                measure="execution_rate",
                before=w.before,
                after=w.after,
                title="Execution",
                ylabel="share",
                percent=True,
            ),
        ]
        for fig in figs:
            fig.canvas.draw()
    for fig in figs:
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_ylabel() and ax.get_xlabel()
        plt.close(fig)
