"""xAPI import: the sample's own learning records, written as xAPI statements, come back identical."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml

from trackreport.cli import main
from trackreport.data.cohort import cohort_members
from trackreport.data.load import load_data
from trackreport.data.xapi import ADL, read_mapping, read_statements, statements_to_tables
from trackreport.errors import DataValidationError, TrackreportError
from trackreport.paths import SAMPLE_DIR

LMS = "https://lms.example.com"


def _actor(emp: str, i: int) -> dict:
    """Alternate the two identifiers LRSs use: mbox and account."""
    if i % 2:
        return {"objectType": "Agent", "mbox": f"mailto:{emp.lower()}@example.com"}
    return {"objectType": "Agent", "account": {"homePage": LMS, "name": emp.lower()}}


def _actor_key(emp: str, i: int) -> str:
    return f"mailto:{emp.lower()}@example.com" if i % 2 else f"{LMS}|{emp.lower()}"


@pytest.fixture(scope="module")
def lrs_export(sample_data, tmp_path_factory):
    """The east 2025Q3 cohort's enrollments and assessments as an LRS would export them."""
    cohort = cohort_members(sample_data, "east", "2025Q3")["employee_id"].tolist()
    index = {e: i for i, e in enumerate(cohort)}
    enr = sample_data["enrollments"]
    enr = enr[enr["employee_id"].isin(cohort)].reset_index(drop=True)
    ass = sample_data["assessments"]
    ass = ass[ass["employee_id"].isin(cohort)].reset_index(drop=True)
    courses = sample_data["courses"].set_index("course_id")
    statements, mapping = [], {"actors": {}, "courses": {}, "makeup": {}, "tests": {}}
    for e, i in index.items():
        mapping["actors"][_actor_key(e, i)] = e

    def add(e, verb, activity, result=None, when="2025-07-01T10:00:00+08:00", parent=None):
        s = {
            "id": f"00000000-0000-4000-8000-{len(statements):012d}",
            "actor": _actor(e, index[e]),
            "verb": {"id": ADL + verb},
            "object": {"objectType": "Activity", "id": activity},
            "timestamp": when,
        }
        if result:
            s["result"] = result
        if parent:
            s["context"] = {"contextActivities": {"parent": [{"id": parent, "objectType": "Activity"}]}}
        statements.append(s)

    for r in enr.itertuples():
        iri = f"{LMS}/course/{r.course_id}"
        mapping["courses"][iri] = {"course_id": r.course_id, "planned_hours": float(r.planned_hours)}
        seconds = round(r.attended_hours * 3600)
        add(r.employee_id, "attempted", iri, {"duration": f"PT{seconds}S"})
        if r.completed:
            add(r.employee_id, "completed", iri)
        if r.makeup_session:
            mapping["makeup"][f"{iri}/recording"] = r.course_id
            add(r.employee_id, "experienced", f"{iri}/recording")
    for r in ass.itertuples():
        iri = f"{LMS}/test/{r.test_id}/{r.phase}"
        mapping["tests"][iri] = {"test_id": r.test_id, "kind": r.kind, "phase": r.phase}
        parent = f"{LMS}/course/{r.course_id}" if isinstance(r.course_id, str) else None
        when = f"{r.date:%Y-%m-%d}T10:00:00+08:00"
        # a first, lower attempt that the later one supersedes
        add(
            r.employee_id,
            "failed",
            iri,
            {"score": {"raw": 0, "min": 0, "max": float(r.max_score)}},
            when=f"{r.date:%Y-%m-%d}T09:00:00+08:00",
            parent=parent,
        )
        add(
            r.employee_id,
            "passed",
            iri,
            {"score": {"raw": float(r.score), "min": 0, "max": float(r.max_score)}},
            when=when,
            parent=parent,
        )
    # noise an export carries: another verb, an unmapped activity, and a statement voided later
    add(cohort[0], "interacted", f"{LMS}/course/x")
    add(cohort[0], "attempted", f"{LMS}/page/faq")
    add(
        cohort[0],
        "passed",
        next(iter(mapping["tests"])),
        {"score": {"raw": 1, "min": 0, "max": 100}},
        when="2030-01-01T00:00:00Z",
    )
    statements.append(
        {
            "actor": _actor(cohort[0], index[cohort[0]]),
            "verb": {"id": ADL + "voided"},
            "object": {"objectType": "StatementRef", "id": statements[-1]["id"]},
        }
    )
    d = tmp_path_factory.mktemp("xapi")
    half = len(statements) // 2
    (d / "pages").mkdir()
    (d / "pages" / "1.json").write_text(json.dumps({"statements": statements[:half], "more": "/xapi/more"}))
    (d / "pages" / "2.json").write_text(json.dumps(statements[half:]))
    (d / "mapping.yaml").write_text(yaml.safe_dump(mapping, allow_unicode=True))
    courses_used = courses.loc[enr["course_id"].unique()]
    assert len(courses_used) > 0
    return d, enr, ass


def test_sample_records_round_trip_through_xapi(lrs_export):
    d, enr, ass = lrs_export
    out = statements_to_tables(read_statements(d / "pages"), read_mapping(d / "mapping.yaml"))
    key_e, key_a = ["employee_id", "course_id"], ["employee_id", "test_id", "phase"]
    pd.testing.assert_frame_equal(
        out.tables["enrollments"].sort_values(key_e).reset_index(drop=True),
        enr.sort_values(key_e).reset_index(drop=True),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(
        out.tables["assessments"].sort_values(key_a).reset_index(drop=True),
        ass.sort_values(key_a).reset_index(drop=True),
        check_dtype=False,
    )
    assert out.skipped["earlier attempt superseded by a later one"] == len(ass)
    assert out.skipped["voided by a later statement"] == 1
    assert out.skipped["activity not in the mapping"] == 1
    assert out.skipped[f"verb not used ({ADL}interacted)"] == 1


def test_cli_writes_tables_the_loader_accepts(lrs_export, tmp_path, capsys):
    d, enr, ass = lrs_export
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    (data / "enrollments.csv").unlink()
    (data / "assessments.csv").unlink()
    assert main(["import-xapi", str(d / "pages"), "--mapping", str(d / "mapping.yaml"), "--out", str(data)]) == 0
    assert "enrollments: " in capsys.readouterr().out
    ds = load_data(data, tables=["employees", "courses", "enrollments", "assessments"])
    assert len(ds["enrollments"]) == len(enr) and len(ds["assessments"]) == len(ass)
    # a second run does not overwrite what is there
    assert main(["import-xapi", str(d / "pages"), "--mapping", str(d / "mapping.yaml"), "--out", str(data)]) == 1
    assert "not overwritten" in capsys.readouterr().err


def test_every_bad_statement_is_reported_at_once(tmp_path, capsys):
    ok = {
        "actor": {"mbox": "mailto:a@x.com"},
        "verb": {"id": ADL + "passed"},
        "object": {"id": "https://x.com/t/1"},
        "result": {"score": {"raw": 50, "min": 0, "max": 100}},
        "timestamp": "2025-07-01T10:00:00Z",
    }
    bad = [
        {**ok, "actor": {"mbox": "a@x.com"}},  # mbox without mailto:
        {**ok, "verb": {"id": "passed"}},  # not an IRI
        {**ok, "result": {"score": {"raw": 120, "min": 0, "max": 100}}},  # raw above max
        {**ok, "result": {"score": {"scaled": 1.5}}},  # scaled above 1
        {**ok, "actor": {"mbox": "mailto:stranger@x.com"}},  # not in the mapping
        {**ok, "timestamp": "yesterday"},
        "not an object",
    ]
    (tmp_path / "s.json").write_text(json.dumps([ok, *bad]))
    (tmp_path / "m.yaml").write_text(
        yaml.safe_dump(
            {
                "actors": {"mailto:a@x.com": "E1"},
                "tests": {"https://x.com/t/1": {"test_id": "T", "kind": "knowledge", "phase": "post"}},
            }
        )
    )
    with pytest.raises(DataValidationError) as err:
        statements_to_tables(read_statements(tmp_path / "s.json"), read_mapping(tmp_path / "m.yaml"))
    where = sorted(p.examples[0][0] for p in err.value.problems)
    assert where == ["2", "3", "4", "5", "6", "7", "8"], [str(p) for p in err.value.problems]
    text = "\n".join(str(p) for p in err.value.problems)
    for phrase in (
        "mailto",
        "IRI",
        "raw cannot be greater than max",
        "less than or equal to 1",
        "not in the mapping",
        "s.json",
    ):
        assert phrase in text
    out = tmp_path / "out"
    code = main(["import-xapi", str(tmp_path / "s.json"), "--mapping", str(tmp_path / "m.yaml"), "--out", str(out)])
    assert code == 1 and not out.exists()
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("actors: [a, b]", "actors must map"),
        ("tests: {'https://x.com/t': {test_id: T, kind: poetry, phase: post}}", "kind must be one of"),
        ("courses: {'https://x.com/c': {course_id: C}}", "numeric planned_hours"),
        ("colour: blue", "unknown key"),
        ("actors: {a: [", "cannot be read"),
    ],
)
def test_mapping_mistakes_are_clear_errors(tmp_path, mapping, message):
    (tmp_path / "m.yaml").write_text(mapping)
    with pytest.raises(TrackreportError, match=message):
        read_mapping(tmp_path / "m.yaml")


def test_export_that_is_not_statements_is_a_clear_error(tmp_path):
    (tmp_path / "s.json").write_text('{"more": ""}')
    with pytest.raises(TrackreportError, match="expected a list of statements"):
        read_statements(tmp_path / "s.json")
    (tmp_path / "s.json").write_text("[{")
    with pytest.raises(TrackreportError, match="not a JSON file"):
        read_statements(tmp_path / "s.json")
