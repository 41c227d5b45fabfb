"""A PostgreSQL warehouse as a data source, against a real server the session starts (conftest.postgres_url)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from trackreport.cli import main
from trackreport.data.load import load_data
from trackreport.data.schema import HEAVY_TABLES
from trackreport.data.sql import (
    _parse,
    database_fingerprint,
    is_database_url,
    load_database,
    safe_url,
)
from trackreport.errors import DataValidationError, TrackreportError
from trackreport.paths import SAMPLE_DIR
from trackreport.report.runner import run_reports

SECRET = "pg-s3cret-never-shown"


def _sql(url: str, statement: str) -> None:
    engine = create_engine(_parse(url))
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_database_gives_the_folders_tables_exactly(warehouse, sample_data):
    ds = load_database(warehouse)
    assert list(ds) == list(sample_data)
    assert set(ds.remote) == set(HEAVY_TABLES)  # validated in the database, read here when asked for
    for name in sample_data:
        pd.testing.assert_frame_equal(ds[name], sample_data[name], check_exact=True, obj=name)
    assert ds.fingerprint == database_fingerprint(warehouse)


def _server_log(url: str) -> Path:
    """The log file of the session's server (conftest.postgres_url: ``pg_ctl -l <socket folder>/log``)."""
    return Path(parse_qs(urlsplit(url).query)["host"][0]) / "log"


def _heavy_statements(log: str) -> list[str]:
    """The statements of a server log that read a heavy table, each on one line."""
    import re

    statements = re.split(r"^(?:\S.*?)?LOG:\s+(?:statement|execute [^:]*):\s*", log, flags=re.M)[1:]
    heavy = re.compile(r"\b(?:FROM|JOIN)\s+(?:" + "|".join(HEAVY_TABLES) + r")\b")
    return [" ".join(s.split()) for s in statements if heavy.search(s)]


def _whole_reads(log: str) -> list[str]:
    """Statements in a server log that read a heavy table's rows with neither a filter, a grouping nor a limit."""
    import re

    kept = re.compile(r"\b(?:WHERE|GROUP BY|LIMIT|count\(|min\(|max\()", re.I)
    return [s for s in _heavy_statements(log) if not kept.search(s)]


def test_whole_reads_are_found_in_a_server_log():
    log = (
        "2026-11-28 14:00:00.001 UTC [7] LOG:  statement: SELECT orders.order_id, orders.amount\n"
        "\tFROM orders ORDER BY orders.order_id\n"
        "2026-11-28 14:00:00.002 UTC [7] LOG:  execute <unnamed>: SELECT count(*) FROM orders\n"
        "2026-11-28 14:00:00.003 UTC [7] LOG:  execute <unnamed>: SELECT leads.lead_id FROM leads WHERE leads.x = $1\n"
        "2026-11-28 14:00:00.004 UTC [7] DETAIL:  parameters: $1 = 'E1'\n"
        "2026-11-28 14:00:00.005 UTC [7] LOG:  statement: SELECT * FROM employees\n"
    )
    assert _whole_reads(log) == ["SELECT orders.order_id, orders.amount FROM orders ORDER BY orders.order_id"]


def test_report_from_the_database_equals_the_report_from_the_folder(warehouse, sample_reports, tmp_path, monkeypatch):
    """Same metrics.json to the last digit, the chapters' panels aggregated in the database (data.panels)."""
    monkeypatch.setenv("PGPASSWORD", SECRET)
    monkeypatch.setenv("PGOPTIONS", "-c log_statement=all")  # every statement of this run, kernels' too, in the log
    log = _server_log(warehouse)
    logged_before = log.stat().st_size
    out = tmp_path / "reports"
    result = run_reports(team="east", quarter="2025Q3", data_dir=warehouse, out=out, log=lambda s: None, progress=False)
    assert result.ok
    with log.open(encoding="utf-8", errors="replace") as f:
        f.seek(logged_before)
        statements = f.read()
    # the kernels asked the database for the rep-month panels: months and sums in cents grouped there
    assert statements.count("date_trunc") >= 10
    assert "sum(CAST(round(orders.amount * $" in statements and "GROUP BY orders.employee_id" in statements
    # validation, fingerprint and every chapter: no heavy table's rows pulled whole
    assert len(_heavy_statements(statements)) >= 50
    assert not _whole_reads(statements), _whole_reads(statements)[:3]
    from_db = json.loads((out / "east" / "2025Q3" / "metrics.json").read_text(encoding="utf-8"))
    folder_out, _ = sample_reports
    from_folder = json.loads((folder_out / "east" / "2025Q3" / "metrics.json").read_text(encoding="utf-8"))
    assert len(from_db["metrics"]) > 40
    assert from_db["metrics"] == from_folder["metrics"]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".yaml", ".ipynb"}:
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    index = (out / "east" / "2025Q3" / "contents.html").read_text(encoding="utf-8")  # index.html opens the summary
    assert "postgresql://postgres@/trackreport" in index
    # nothing changed in the database: the re-run executes nothing
    again = run_reports(team="east", quarter="2025Q3", data_dir=warehouse, out=out, log=lambda s: None, progress=False)
    assert again.reports[0].executed == [] and again.reports[0].note == "up to date"


def test_fingerprint_follows_the_contents(warehouse):
    before = database_fingerprint(warehouse)
    assert database_fingerprint(warehouse) == before
    _sql(warehouse, 'UPDATE market_index SET "index" = "index" + 1 WHERE month = (SELECT min(month) FROM market_index)')
    try:
        assert database_fingerprint(warehouse) != before
    finally:
        _sql(
            warehouse,
            'UPDATE market_index SET "index" = "index" - 1 WHERE month = (SELECT min(month) FROM market_index)',
        )
    assert database_fingerprint(warehouse) == before


def test_bad_rows_in_the_database_are_reported_like_a_folders(warehouse, capsys):
    _sql(
        warehouse,
        # negated, then negated back: restored exactly (the warehouse is shared with later tests)
        "UPDATE enrollments SET attended_hours = -attended_hours "
        "WHERE attended_hours > 0 AND course_id = (SELECT min(course_id) FROM enrollments)",
    )
    _sql(warehouse, "ALTER TABLE objection_drills RENAME TO objection_drills_old")
    try:
        with pytest.raises(DataValidationError) as err:
            load_database(warehouse, tables=["employees", "courses", "enrollments", "objection_drills"])
        text_ = "\n".join(str(p) for p in err.value.problems)
        assert "enrollments, column attended_hours: out of range" in text_
        assert "missing table objection_drills" in text_
        assert main(["validate", warehouse]) == 1
        assert "attended_hours" in capsys.readouterr().out
    finally:
        _sql(warehouse, "ALTER TABLE objection_drills_old RENAME TO objection_drills")
        _sql(warehouse, "UPDATE enrollments SET attended_hours = -attended_hours WHERE attended_hours < 0")


def test_export_refuses_to_replace_without_asking(warehouse, capsys):
    assert main(["export-db", str(SAMPLE_DIR), warehouse]) == 1
    assert "already holds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://me:hunter2@db/sales", "holds a password"),
        ("postgresql://me@db", "names no database"),
    ],
)
def test_urls_with_secrets_or_without_a_database_are_refused(url, message):
    with pytest.raises(TrackreportError, match=message):
        safe_url(url)


def test_an_unreachable_database_is_a_message_not_a_traceback(postgres_url, capsys):
    bad = postgres_url.rsplit("port=", 1)[0] + "port=1"
    assert main(["validate", bad]) == 1
    err = capsys.readouterr().err
    assert "cannot connect to postgresql://" in err and "Traceback" not in err


def test_database_urls_are_told_from_folders():
    assert is_database_url("postgresql://u@h/d") and is_database_url("postgres://u@h/d")
    assert not is_database_url(str(SAMPLE_DIR)) and not is_database_url(SAMPLE_DIR)
    assert load_data(SAMPLE_DIR, tables=["market_index"])["market_index"].shape[0] > 0
