"""Loaders: a valid folder loads with the contract's dtypes; every kind of bad input is
refused with one clear message per broken rule (file, column, rule, count, examples)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY_TABLES, write_tiny_data

from trackreport.data.load import Dataset, Problem, load_data, validate_folder
from trackreport.data.schema import KINDS, TABLES
from trackreport.errors import DataValidationError, TrackreportError

# --------------------------------------------------------------------------- helpers


def read_rows(folder: Path, table: str) -> list[list[str]]:
    text = (folder / f"{table}.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def write_rows(folder: Path, table: str, rows: list[list[str]], encoding: str = "utf-8") -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (folder / f"{table}.csv").write_bytes(buf.getvalue().encode(encoding))


def set_cell(folder: Path, table: str, line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` is the file line (header = line 1)."""
    rows = read_rows(folder, table)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(folder, table, rows)


def messages(folder: Path, tables: list[str] | None = None) -> list[str]:
    return [str(p) for p in validate_folder(folder, tables=tables)]


def with_parents(table: str) -> list[str]:
    """The table and the tables its foreign keys refer to (enough to validate it, faster)."""
    parents = [target.split(".")[0] for target in TABLES[table].foreign_keys.values()]
    return list(dict.fromkeys([table, *parents]))


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Dataset:
    """The tiny data set, loaded once for the tests that only read it."""
    return load_data(write_tiny_data(tmp_path_factory.mktemp("tiny")))


# --------------------------------------------------------------------------- valid data


def test_tiny_data_loads_with_contract_dtypes(loaded):
    ds = loaded
    assert isinstance(ds, Dataset)
    assert list(ds) == list(TABLES)
    for name, table in TABLES.items():
        df = ds[name]
        assert list(df.columns) == table.column_names
        for col in table.columns:
            assert df[col.name].dtype == pd.Series([], dtype=KINDS[col.kind]).dtype, (name, col.name)
    assert ds.n_rows == sum(text.count("\n") - 1 for text in TINY_TABLES.values())
    assert ds["employees"]["display_name"].tolist() == ["王芳", "李伟", "张静", "陈磊"]


def test_values_are_converted_strictly_and_correctly(loaded):
    ds = loaded
    emp = ds["employees"].set_index("employee_id")
    assert emp["high_potential"].tolist() == [True, False, False, False]  # true/false/FALSE/0
    assert emp["prefers_case_teaching"].tolist()[:2] == [True, True]  # yes/true
    assert emp["prefers_case_teaching"].isna().tolist() == [False, False, True, False]
    assert emp.loc["E003", "leave_date"] == pd.Timestamp("2025-06-30")
    assert pd.isna(emp.loc["E001", "leave_date"])
    assert emp.loc["E001", "hourly_cost"] == 320.5
    assert pd.isna(emp.loc["E001", "manager_id"])
    complaints = ds["complaints"].set_index("complaint_id")
    assert complaints.loc["Q001", "resolved"] == pd.Timestamp("2025-08-04 17:40")
    assert pd.isna(ds["reaction_surveys"]["answer"].iloc[2])


def test_dataset_is_read_only_and_fingerprinted(tiny_data):
    ds = load_data(tiny_data)
    with pytest.raises(TypeError):
        ds["employees"] = pd.DataFrame()  # type: ignore[index]
    with pytest.raises(AttributeError):
        ds.fingerprint = "x"  # type: ignore[misc]
    mine = ds["orders"]
    mine["amount"] = 0.0
    assert ds["orders"]["amount"].tolist() == [250000.0, 12000.0]
    assert ds.folder == tiny_data
    assert len(ds.fingerprint) == 64
    assert load_data(tiny_data).fingerprint == ds.fingerprint
    set_cell(tiny_data, "orders", 2, "amount", "250001")
    assert load_data(tiny_data).fingerprint != ds.fingerprint


def test_tables_subset(tiny_data):
    ds = load_data(tiny_data, tables=["employees", "enrollments"])
    assert list(ds) == ["employees", "enrollments"]
    with pytest.raises(TrackreportError, match="unknown table.*nope"):
        load_data(tiny_data, tables=["nope"])


# --------------------------------------------------------------------------- one bad cell


BAD_CELLS = [
    pytest.param(
        "employees",
        3,
        "hourly_cost",
        "abc",
        "employees.csv, column hourly_cost: not a number — 1 row fails, e.g. line 3: 'abc'",
        id="text-in-float-column",
    ),
    pytest.param(
        "employees",
        4,
        "level",
        "2.5",
        "employees.csv, column level: not a whole number — 1 row fails, e.g. line 4: '2.5'",
        id="fraction-in-int-column",
    ),
    pytest.param(
        "employees",
        5,
        "hire_date",
        "2024-13-45",
        "employees.csv, column hire_date: unparsable date (expected YYYY-MM-DD) — 1 row fails, "
        "e.g. line 5: '2024-13-45'",
        id="unparsable-date",
    ),
    pytest.param(
        "employees",
        2,
        "hire_date",
        "03/01/2018",
        "employees.csv, column hire_date: unparsable date (expected YYYY-MM-DD) — 1 row fails, "
        "e.g. line 2: '03/01/2018'",
        id="non-iso-date",
    ),
    pytest.param(
        "complaints",
        2,
        "opened",
        "yesterday 9am",
        "complaints.csv, column opened: unparsable timestamp (expected YYYY-MM-DD HH:MM[:SS]) — "
        "1 row fails, e.g. line 2: 'yesterday 9am'",
        id="unparsable-timestamp",
    ),
    pytest.param(
        "employees",
        2,
        "high_potential",
        "maybe",
        "employees.csv, column high_potential: not a boolean (use true/false, 1/0 or yes/no) — "
        "1 row fails, e.g. line 2: 'maybe'",
        id="bool-maybe",
    ),
    pytest.param(
        "reaction_surveys",
        3,
        "answer",
        "7",
        "reaction_surveys.csv, column answer: out of range (allowed 1 to 5) — 1 row fails, e.g. line 3: '7'",
        id="likert-above-5",
    ),
    pytest.param(
        "reaction_surveys",
        2,
        "answer",
        "0",
        "reaction_surveys.csv, column answer: out of range (allowed 1 to 5) — 1 row fails, e.g. line 2: '0'",
        id="likert-below-1",
    ),
    pytest.param(
        "customer_feedback",
        2,
        "nps",
        "11",
        "customer_feedback.csv, column nps: out of range (allowed 0 to 10) — 1 row fails, e.g. line 2: '11'",
        id="nps-above-10",
    ),
    pytest.param(
        "customer_feedback",
        4,
        "nps",
        "-1",
        "customer_feedback.csv, column nps: out of range (allowed 0 to 10) — 1 row fails, e.g. line 4: '-1'",
        id="nps-below-0",
    ),
    pytest.param(
        "orders",
        3,
        "amount",
        "-5",
        "orders.csv, column amount: out of range (must be >= 0) — 1 row fails, e.g. line 3: '-5'",
        id="negative-amount",
    ),
    pytest.param(
        "employees",
        3,
        "role",
        "boss",
        "employees.csv, column role: not one of the allowed values (rep, senior_rep, manager) — "
        "1 row fails, e.g. line 3: 'boss'",
        id="not-allowed-value",
    ),
    pytest.param(
        "meetings",
        2,
        "team",
        "East Team",
        "meetings.csv, column team: does not match the pattern ^[a-z0-9_-]+$ — 1 row fails, e.g. line 2: 'East Team'",
        id="pattern",
    ),
    pytest.param(
        "course_design",
        2,
        "renewed_share",
        "1.5",
        "course_design.csv, column renewed_share: out of range (allowed 0 to 1) — 1 row fails, e.g. line 2: '1.5'",
        id="renewed-share-above-1",
    ),
    pytest.param(
        "course_design",
        3,
        "target_segment",
        "veterans",
        "course_design.csv, column target_segment: not one of the allowed values (under 1 year, 1-3 years, "
        "3-5 years, over 5 years, manager) — 1 row fails, e.g. line 3: 'veterans'",
        id="unknown-target-segment",
    ),
    pytest.param(
        "course_design",
        2,
        "course_id",
        "C99",
        "course_design.csv, column course_id: unknown course_id (not in courses.csv column course_id) — "
        "1 row fails, e.g. line 2: 'C99'",
        id="design-unknown-course",
    ),
    pytest.param(
        "simulation_results",
        3,
        "members",
        "0",
        "simulation_results.csv, column members: out of range (must be >= 1) — 1 row fails, e.g. line 3: '0'",
        id="simulation-empty-group",
    ),
    pytest.param(
        "simulation_results",
        2,
        "brand_reach",
        "-3",
        "simulation_results.csv, column brand_reach: out of range (must be >= 0) — 1 row fails, e.g. line 2: '-3'",
        id="negative-brand-reach",
    ),
    pytest.param(
        "collaboration_cases",
        2,
        "outcome",
        "draw",
        "collaboration_cases.csv, column outcome: not one of the allowed values (success, failure, innovation) — "
        "1 row fails, e.g. line 2: 'draw'",
        id="unknown-case-outcome",
    ),
    pytest.param(
        "collaboration_cases",
        3,
        "date",
        "",
        "collaboration_cases.csv, column date: required value missing — 1 row fails, e.g. line 3: empty",
        id="case-date-missing",
    ),
    pytest.param(
        "manager_kpis",
        2,
        "value",
        "1.2",
        "manager_kpis.csv, column value: out of range (allowed 0 to 1) — 1 row fails, e.g. line 2: '1.2'",
        id="kpi-value-above-1",
    ),
    pytest.param(
        "manager_kpis",
        3,
        "kpi",
        "smile_rate",
        "manager_kpis.csv, column kpi: not one of the allowed values (display_compliance, visit_plan_adherence) — "
        "1 row fails, e.g. line 3: 'smile_rate'",
        id="unknown-kpi",
    ),
    pytest.param(
        "manager_kpis",
        2,
        "manager_id",
        "E999",
        "manager_kpis.csv, column manager_id: unknown manager_id (not in employees.csv column employee_id) — "
        "1 row fails, e.g. line 2: 'E999'",
        id="kpi-unknown-observer",
    ),
    pytest.param(
        "manager_kpis",
        4,
        "checks",
        "0",
        "manager_kpis.csv, column checks: out of range (must be >= 1) — 1 row fails, e.g. line 4: '0'",
        id="kpi-no-checks",
    ),
    pytest.param(
        "critical_incidents",
        2,
        "kind",
        "rude",
        "critical_incidents.csv, column kind: not one of the allowed values (product_info_incomplete, "
        "wrong_price_quoted, follow_up_missed, commitment_broken) — 1 row fails, e.g. line 2: 'rude'",
        id="unknown-incident-kind",
    ),
    pytest.param(
        "critical_incidents",
        3,
        "date",
        "",
        "critical_incidents.csv, column date: required value missing — 1 row fails, e.g. line 3: empty",
        id="incident-date-missing",
    ),
    pytest.param(
        "call_audits",
        3,
        "calls_compliant",
        "-1",
        "call_audits.csv, column calls_compliant: out of range (must be >= 0) — 1 row fails, e.g. line 3: '-1'",
        id="negative-compliant-calls",
    ),
    pytest.param(
        "call_audits",
        2,
        "employee_id",
        "E999",
        "call_audits.csv, column employee_id: unknown employee_id (not in employees.csv column employee_id) — "
        "1 row fails, e.g. line 2: 'E999'",
        id="audit-unknown-person",
    ),
    pytest.param(
        "rotations",
        2,
        "department",
        "canteen",
        "rotations.csv, column department: not one of the allowed values (marketing, product, finance, "
        "customer_service, logistics, legal) — 1 row fails, e.g. line 2: 'canteen'",
        id="unknown-rotation-department",
    ),
    pytest.param(
        "rotations",
        3,
        "start_date",
        "",
        "rotations.csv, column start_date: required value missing — 1 row fails, e.g. line 3: empty",
        id="rotation-start-missing",
    ),
    pytest.param(
        "cross_domain_problems",
        2,
        "days_to_solve",
        "-2",
        "cross_domain_problems.csv, column days_to_solve: out of range (must be >= 0) — 1 row fails, e.g. line 2: '-2'",
        id="negative-days-to-solve",
    ),
    pytest.param(
        "cross_domain_problems",
        3,
        "solved",
        "perhaps",
        "cross_domain_problems.csv, column solved: not a boolean (use true/false, 1/0 or yes/no) — "
        "1 row fails, e.g. line 3: 'perhaps'",
        id="solved-not-boolean",
    ),
    pytest.param(
        "leads",
        3,
        "created_date",
        "",
        "leads.csv, column created_date: required value missing — 1 row fails, e.g. line 3: empty",
        id="required-value-missing",
    ),
    pytest.param(
        "enrollments",
        4,
        "employee_id",
        "E999",
        "enrollments.csv, column employee_id: unknown employee_id (not in employees.csv column "
        "employee_id) — 1 row fails, e.g. line 4: 'E999'",
        id="unknown-foreign-key",
    ),
    pytest.param(
        "customers",
        3,
        "referred_by",
        "K404",
        "customers.csv, column referred_by: unknown referred_by (not in customers.csv column "
        "customer_id) — 1 row fails, e.g. line 3: 'K404'",
        id="unknown-self-reference",
    ),
    pytest.param(
        "sharing_sessions",
        2,
        "attendees",
        "-3",
        "sharing_sessions.csv, column attendees: out of range (must be >= 0) — 1 row fails, e.g. line 2: '-3'",
        id="sharing-negative-attendees",
    ),
    pytest.param(
        "sharing_sessions",
        3,
        "presenter_id",
        "E404",
        "sharing_sessions.csv, column presenter_id: unknown presenter_id (not in employees.csv column "
        "employee_id) — 1 row fails, e.g. line 3: 'E404'",
        id="sharing-unknown-presenter",
    ),
    pytest.param(
        "sharing_sessions",
        2,
        "held_date",
        "11/07/2025",
        "sharing_sessions.csv, column held_date: unparsable date (expected YYYY-MM-DD) — 1 row fails, "
        "e.g. line 2: '11/07/2025'",
        id="sharing-non-iso-held-date",
    ),
    pytest.param(
        "sharing_sessions",
        3,
        "invited",
        "",
        "sharing_sessions.csv, column invited: required value missing — 1 row fails, e.g. line 3: empty",
        id="sharing-invited-missing",
    ),
]


@pytest.mark.parametrize(("table", "line", "column", "value", "expected"), BAD_CELLS)
def test_bad_cell_is_reported_once_in_plain_words(tiny_data, table, line, column, value, expected):
    set_cell(tiny_data, table, line, column, value)
    with pytest.raises(DataValidationError) as info:
        load_data(tiny_data, tables=with_parents(table))
    assert [str(p) for p in info.value.problems] == [expected]
    text = str(info.value)
    assert expected in text
    assert str(tiny_data) in text
    for pandera_word in ("coerce_dtype", "datetime64", "SchemaError", "Check", "dtype("):
        assert pandera_word not in text


def test_count_and_examples_cover_several_rows(tiny_data):
    for line, value in [(2, "2024-13-45"), (3, "yesterday"), (4, "2025-02-30"), (5, "soon")]:
        set_cell(tiny_data, "employees", line, "hire_date", value)
    [problem] = validate_folder(tiny_data)
    assert (problem.file, problem.column, problem.n_rows) == ("employees.csv", "hire_date", 4)
    assert problem.examples == ((2, "2024-13-45"), (3, "yesterday"), (4, "2025-02-30"))
    assert str(problem).endswith("4 rows fail, e.g. line 2: '2024-13-45', line 3: 'yesterday', line 4: '2025-02-30'")


def test_line_numbers_follow_the_file_across_blank_lines_and_multiline_fields(tiny_data):
    path = tiny_data / "orders.csv"
    head, first, second = path.read_text(encoding="utf-8").splitlines()
    first = first.replace("设备", '"设备\n(多行)"')
    second = second.replace("12000", "-1")
    path.write_text(f"{head}\n\n{first}\n{second}\n", encoding="utf-8")
    [problem] = validate_folder(tiny_data)
    # header on line 1, a blank line 2, the first row over lines 3-4, the bad row on line 5
    assert problem.examples == ((5, "-1"),)
    assert ",-1," in path.read_text(encoding="utf-8").splitlines()[5 - 1]


# --------------------------------------------------------------------------- structure


def test_missing_file(tiny_data):
    (tiny_data / "costs.csv").unlink()
    assert messages(tiny_data, with_parents("costs")) == [
        "costs.csv: missing file (expected costs.csv or costs.parquet)"
    ]


@pytest.mark.parametrize(
    "table",
    [
        "course_design",
        "simulation_results",
        "collaboration_cases",
        "manager_kpis",
        "critical_incidents",
        "call_audits",
        "rotations",
        "cross_domain_problems",
    ],
)
def test_optional_programme_tables_may_be_absent(tiny_data, table):
    (tiny_data / f"{table}.csv").unlink()
    assert messages(tiny_data, with_parents(table)) == []
    assert table not in load_data(tiny_data, tables=with_parents(table))


def test_missing_column(tiny_data):
    rows = read_rows(tiny_data, "enrollments")
    write_rows(tiny_data, "enrollments", [r[:2] + r[3:] for r in rows])  # drop planned_hours
    assert messages(tiny_data, with_parents("enrollments")) == ["enrollments.csv, column planned_hours: missing column"]


def test_unexpected_and_misspelt_columns(tiny_data):
    rows = read_rows(tiny_data, "market_index")
    rows[0][0] = "Region"
    write_rows(tiny_data, "market_index", [r + ["x"] for r in rows[:1]] + [r + ["1"] for r in rows[1:]])
    rows = read_rows(tiny_data, "market_index")
    rows[0][-1] = "notes"
    write_rows(tiny_data, "market_index", rows)
    assert messages(tiny_data, ["market_index"]) == [
        "market_index.csv, column region: missing column",
        "market_index.csv, column Region: unexpected column (not in the contract; did you mean 'region'?)",
        "market_index.csv, column notes: unexpected column (not in the contract)",
    ]


def test_column_order_does_not_matter(tiny_data):
    rows = read_rows(tiny_data, "trainers")
    write_rows(tiny_data, "trainers", [r[::-1] for r in rows])
    ds = load_data(tiny_data, tables=with_parents("trainers"))
    assert list(ds["trainers"].columns) == TABLES["trainers"].column_names


def test_row_with_wrong_number_of_fields(tiny_data):
    path = tiny_data / "checkins.csv"
    path.write_text(path.read_text(encoding="utf-8") + "E002,2025-07-21,true,extra\n", encoding="utf-8")
    assert messages(tiny_data, with_parents("checkins")) == [
        "checkins.csv: wrong number of fields (the header has 3; these rows are skipped) — 1 row fails, e.g. line 5: 4"
    ]


@pytest.mark.parametrize(
    ("table", "extra_line", "key_value"),
    [
        ("enrollments", "E002,C01,8,8,true,false", "('E002', 'C01')"),  # composite key
        ("employees", "E004,重复,west,华南,rep,2024-02-19,,1,E001,0,140,1,0,0.1", "'E004'"),
        ("market_index", "华东,2025-08-01,99", "('华东', '2025-08-01')"),
        ("simulation_results", "C02,G1,4,0.2,100", "('C02', 'G1')"),
        (
            "manager_kpis",
            "E002,E001,2025-06-01,display_compliance,2,0.5",
            "('E002', '2025-06-01', 'display_compliance')",
        ),
        ("call_audits", "E002,2025-06-01,3,3", "('E002', '2025-06-01')"),
        ("rotations", "E002,legal,2025-10-06,2025-10-20", "('E002', '2025-10-06')"),
    ],
)
def test_duplicate_key(tiny_data, table, extra_line, key_value):
    path = tiny_data / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + extra_line + "\n", encoding="utf-8")
    last = text.count("\n") + 1
    key = ", ".join(TABLES[table].key)
    label = "columns" if len(TABLES[table].key) > 1 else "column"
    [message] = messages(tiny_data, with_parents(table))
    assert message.startswith(f"{table}.csv, {label} {key}: duplicate key ({key} must be unique) — 2 rows fail")
    assert f"line {last}: {key_value}" in message


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty file (no header, no data rows)"),
        (b"\r\n\r\n", "empty file (no header, no data rows)"),
        (b"promotion_id\n", None),  # wrong header and no rows: both said
        (b"employee_id,date,from_level,to_level\r\n", "empty table (header only, no data rows)"),
    ],
)
def test_empty_table(tiny_data, content, rule):
    (tiny_data / "promotions.csv").write_bytes(content)
    found = messages(tiny_data, with_parents("promotions"))
    if rule is None:
        assert "promotions.csv: empty table (header only, no data rows)" in found
        assert "promotions.csv, column employee_id: missing column" in found
    else:
        assert found == [f"promotions.csv: {rule}"]


def test_both_csv_and_parquet(tiny_data):
    load_data(tiny_data, tables=["trainers"])["trainers"].to_parquet(tiny_data / "trainers.parquet")
    assert messages(tiny_data, ["trainers"]) == [
        "trainers.csv: both trainers.csv and trainers.parquet exist; keep only one"
    ]


def test_data_folder_not_found(tmp_path):
    with pytest.raises(DataValidationError, match="data folder not found"):
        load_data(tmp_path / "nowhere")


def test_several_problems_in_different_files_in_one_pass(tiny_data):
    (tiny_data / "kb_usage.csv").rename(tiny_data / "KB_usage.csv")  # a missing table alone is no problem
    set_cell(tiny_data, "employees", 2, "hire_date", "yesterday")
    set_cell(tiny_data, "reaction_surveys", 2, "answer", "9")
    set_cell(tiny_data, "orders", 2, "amount", "-1")
    set_cell(tiny_data, "enrollments", 2, "employee_id", "E999")
    (tiny_data / "incidents.csv").write_bytes(b"")
    with pytest.raises(DataValidationError) as info:
        load_data(tiny_data)
    problems = info.value.problems
    assert [(p.file, p.column) for p in problems] == [
        ("employees.csv", "hire_date"),
        ("enrollments.csv", "employee_id"),
        ("reaction_surveys.csv", "answer"),
        ("orders.csv", "amount"),
        ("kb_usage.csv", None),
        ("incidents.csv", None),
    ]
    assert str(info.value).startswith(f"6 problem(s) in data folder {tiny_data}:")
    assert "Traceback" not in str(info.value)


# --------------------------------------------------------------------------- encodings


def test_excel_utf8_with_bom_and_crlf(tiny_data):
    text = TINY_TABLES["employees"].replace("\n", "\r\n")
    (tiny_data / "employees.csv").write_bytes(text.encode("utf-8-sig"))
    assert (tiny_data / "employees.csv").read_bytes().startswith(b"\xef\xbb\xbfemployee_id,")
    emp = load_data(tiny_data, tables=["employees"])["employees"]
    assert emp.columns[0] == "employee_id"
    assert emp["display_name"].tolist() == ["王芳", "李伟", "张静", "陈磊"]
    assert emp["region"].tolist() == ["华东", "华东", "华南", "华南"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_excel_gbk(tiny_data, encoding):
    for table in ("employees", "customers", "costs"):
        text = TINY_TABLES[table].replace("\n", "\r\n")
        (tiny_data / f"{table}.csv").write_bytes(text.encode(encoding))
    ds = load_data(tiny_data, tables=["employees", "customers", "costs", "courses"])
    assert ds["employees"]["display_name"].tolist() == ["王芳", "李伟", "张静", "陈磊"]
    assert ds["customers"]["name"].iloc[0] == "上海东方贸易有限公司"
    assert ds["costs"]["vendor"].iloc[0] == "国际会议中心"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"employee_id,week_start,completed\nE002,2025-07-07,\x81\x30x\n", "tried encodings utf-8-sig, gb18030"),
        ("employee_id".encode("utf-16"), "UTF-16"),
    ],
)
def test_undecodable_file(tiny_data, content, words):
    (tiny_data / "checkins.csv").write_bytes(content)
    [message] = messages(tiny_data, with_parents("checkins"))
    assert message.startswith("checkins.csv: undecodable file")
    assert words in message
    assert "CSV UTF-8" in message


# --------------------------------------------------------------------------- read only


def test_loading_never_writes_into_the_folder(tiny_data):
    before = folder_state(tiny_data)
    load_data(tiny_data)
    validate_folder(tiny_data)
    assert folder_state(tiny_data) == before
    set_cell(tiny_data, "orders", 2, "amount", "-1")
    broken = folder_state(tiny_data)
    with pytest.raises(DataValidationError):
        load_data(tiny_data)
    assert folder_state(tiny_data) == broken


# --------------------------------------------------------------------------- parquet


def _to_parquet(ds: Dataset, dst: Path) -> Path:
    dst.mkdir()
    for name, df in ds.items():
        df.to_parquet(dst / f"{name}.parquet", index=False)
    return dst


def test_parquet_round_trip(loaded, tmp_path):
    original = loaded
    again = load_data(_to_parquet(loaded, tmp_path / "pq"))
    assert list(again) == list(original)
    for name in original:
        pd.testing.assert_frame_equal(again[name], original[name], check_index_type=False)


def test_parquet_of_text_columns_and_mixed_formats(loaded, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name, text in TINY_TABLES.items():
        if name in ("employees", "orders"):  # as exported by a text-only tool
            raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
            raw.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    pd.testing.assert_frame_equal(load_data(folder)["employees"], loaded["employees"])


def test_parquet_problems_name_data_rows(loaded, tmp_path):
    folder = _to_parquet(loaded, tmp_path / "pq")
    orders = pd.read_parquet(folder / "orders.parquet")
    orders.loc[1, "amount"] = -3.0
    orders.to_parquet(folder / "orders.parquet", index=False)
    emp = pd.read_parquet(folder / "employees.parquet")
    emp["level"] = emp["level"].astype("float64") + 0.5
    emp.to_parquet(folder / "employees.parquet", index=False)
    assert messages(folder) == [
        "employees.parquet, column level: not a whole number — 4 rows fail, e.g. row 1: 5.5, row 2: 2.5, row 3: 3.5",
        "orders.parquet, column amount: out of range (must be >= 0) — 1 row fails, e.g. row 2: -3.0",
    ]


def test_parquet_wrong_type_and_unreadable(loaded, tmp_path):
    folder = _to_parquet(loaded, tmp_path / "pq")
    emp = pd.read_parquet(folder / "employees.parquet")
    emp["hire_date"] = emp["hire_date"].dt.year.astype("float64")
    emp.to_parquet(folder / "employees.parquet", index=False)
    (folder / "orders.parquet").write_bytes(b"not parquet at all")
    found = messages(folder)
    assert found[0].startswith(
        "employees.parquet, column hire_date: wrong type (stored as double, expected date) — 4 rows fail"
    )
    assert found[1].startswith("orders.parquet: unreadable Parquet file")


# --------------------------------------------------------------------------- Problem


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (Problem("a.csv", None, "missing file"), "a.csv: missing file"),
        (Problem("a.csv", "x", "missing column"), "a.csv, column x: missing column"),
        (
            Problem("a.csv", "x, y", "duplicate key", 2, ((2, ("1", "2")), (3, ("1", "2")))),
            "a.csv, columns x, y: duplicate key — 2 rows fail, e.g. line 2: ('1', '2'), line 3: ('1', '2')",
        ),
        (
            Problem("a.parquet", "x", "out of range", 1, ((4, None),), place="row"),
            "a.parquet, column x: out of range — 1 row fails, e.g. row 4: empty",
        ),
    ],
)
def test_problem_str(problem, text):
    assert str(problem) == text
