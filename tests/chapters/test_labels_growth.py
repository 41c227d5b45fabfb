"""Chapters 11-14 in Chinese: every header and vocabulary word they show has its message, and the zh catalog has it.

``Chapter.table`` shows a column by ``pretty_column(name)`` and a text cell by ``label(value)``, and translates
both with ``_()``: the modules mark those English display forms with ``N_`` (``COLUMNS``, ``GROUPS``,
``HOURS_MEASURES``, ``CATEGORIES``, ``STATUSES``, ``PRACTICES``). These tests check that the marked text is exactly
what a table shows, that the tables show no column without a mark, and that the Chinese catalog translates it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from trackreport.chapters import cases, growth, improvement, knowledge
from trackreport.data.schema import COMPETENCIES, MODULE_TYPES
from trackreport.i18n import _, language_of
from trackreport.stats.display import label, pretty_column

MODULES = [growth, knowledge, improvement, cases]
#: Headers the report layer names itself (``stats.display._COLUMN_WORDS``), not these chapters.
REPORT_WORDS = {"n", "ci_low", "ci_high"}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_marked_headers_are_what_the_table_shows(module):
    for column, shown in module.COLUMNS.items():
        assert pretty_column(column) == shown, column


def _columns(frame: pd.DataFrame) -> set[str]:
    return set(frame.columns)


def test_the_chapters_tables_show_no_unmarked_header():
    certs = pd.DataFrame({"role": ["rep"] * 2, "group": ["trained"] * 2, "attempts": [1, 2], "passed": [True, True]})
    promo = pd.DataFrame(
        {"promoted": [True, True, False, False], "hours": [1.0, 2, 3, 4], "hours_tool": [1.0, 0, 1, 0]}
    )
    items = pd.DataFrame(
        {"test_id": ["t"] * 2, "item_id": ["a", "b"], "topic": ["pricing"] * 2, "correct": [True, False]}
    )
    people = pd.DataFrame({"team": ["a"] * 3 + ["b"] * 3, "sales": [1.0, 2, 3, 4, 5, 6], "crm_completeness": 0.5,
                           "fabe_share": 0.5, "kb_applications": 1.0})  # fmt: skip
    effects = pd.DataFrame({"employee_id": list("abc"), "effect": [1.0, 2, 3], "variance": [1.0, 1, 1]})
    shown = {
        growth: _columns(growth.pass_rates(certs, by=["role", "group"])) | _columns(growth.promotion_summary(promo)),
        improvement: _columns(improvement.item_errors(items))
        | _columns(improvement.topic_errors(items, threshold=0.3))
        | _columns(improvement.pick_best_team(people))
        | _columns(improvement.team_lead(people, "a")),
        cases: {"person"} | (_columns(cases.select_cases(effects)) - {"employee_id", "variance"}),
    }
    for module, columns in shown.items():
        assert columns - REPORT_WORDS <= set(module.COLUMNS), (module.__name__, columns - set(module.COLUMNS))


def test_cell_vocabularies_cover_every_code_they_show():
    assert set(growth.HOURS_MEASURES) == {"hours"} | {f"hours_{t}" for t in MODULE_TYPES}
    promo = pd.DataFrame({"promoted": [True, True, False, False], "hours": [1.0, 2, 3, 4]} | {
        f"hours_{t}": [1.0, 0, 1, 0] for t in MODULE_TYPES})  # fmt: skip
    assert set(growth.promotion_summary(promo)["measure"]) == set(growth.HOURS_MEASURES.values())
    scores = pd.DataFrame({"course_id": ["c"] * 3 + ["d"] * 3 + ["e"] * 3, "phase": ["post"] * 9,
                           "score": [50.0, 55, 60, 90, 95, 100, 40, 70, 100], "max_score": [100.0] * 9})  # fmt: skip
    statuses = improvement.module_scores(
        scores, pd.DataFrame({"course_id": list("cde"), "title": list("CDE")}), threshold=70
    )
    assert set(statuses["status"]) == set(improvement.STATUSES)
    people = pd.DataFrame({"team": ["a", "a", "b", "b"]} | dict.fromkeys(improvement.PRACTICES, [1.0, 2, 3, 4]))
    assert set(improvement.team_lead(people, "a")["measure"]) == set(improvement.PRACTICES.values())


def _zh(text: str) -> str:
    with language_of("zh"):
        return _(text)


def test_the_zh_catalog_translates_the_chapters_vocabulary():
    words = [
        *(w for m in MODULES for w in m.COLUMNS.values()),
        *growth.GROUPS.values(),
        *growth.HOURS_MEASURES.values(),
        *knowledge.CATEGORIES.values(),
        *improvement.STATUSES.values(),
        *improvement.PRACTICES.values(),
        # competencies a skills path or a mentee's gap shows with spaces where their label differs
        *(c.replace("_", " ") for c in COMPETENCIES if label(c) != c.replace("_", " ")),
    ]
    untranslated = [w for w in words if _zh(w) == w]
    assert not untranslated
    with language_of("zh"):
        assert _("few uses (< {few})", few=3) == "应用次数少（< 3）"
