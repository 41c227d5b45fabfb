"""Validating a database source in the database (data.sqlcheck), against the session's real PostgreSQL server.

The heavy tables are checked with counts and anti-joins, never pulled; the problems read
like a folder's (same rules, same counts), their rows named by key.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from dataclasses import replace

import pandas as pd
import pyarrow
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Column, MetaData, create_engine, event, text
from sqlalchemy import Table as SqlTable
from sqlalchemy.engine import Engine

from trackreport.data.cache import read_dataset, write_dataset
from trackreport.data.load import load_data
from trackreport.data.schema import HEAVY_TABLES, TABLES
from trackreport.data.sql import _parse, _sql_type, load_database, safe_url
from trackreport.data.sqlcheck import blank_pattern, pg_pattern
from trackreport.errors import DataValidationError

NAMES = ["employees", "customers", "leads", "opportunities", "orders", "complaints", "customer_feedback"]


def _records(df: pd.DataFrame, name: str) -> list[dict]:
    """A frame's rows as Python values of the contract's kinds (dates as date, timestamps as datetime)."""
    out = []
    for row in df.astype(object).to_dict("records"):
        rec = {}
        for col in TABLES[name].columns:
            v = row[col.name]
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                v = None
            elif col.kind == "date":
                v = pd.Timestamp(v).date()
            elif col.kind == "timestamp":
                v = pd.Timestamp(v).to_pydatetime()
            elif hasattr(v, "item"):
                v = v.item()
            rec[col.name] = v
        out.append(rec)
    return out


def _bad_company(sample_data) -> dict[str, list[dict]]:
    """A small company cut from the sample, with one break of every rule kind (see the expected problems)."""
    orders = sample_data["orders"].head(40)
    opportunities = sample_data["opportunities"].head(20)
    complaints = sample_data["complaints"].head(10)
    feedback = sample_data["customer_feedback"].head(10)
    leads = sample_data["leads"].head(30)
    used = set(orders["customer_id"]) | set(opportunities["customer_id"])
    used |= set(complaints["customer_id"]) | set(feedback["customer_id"])
    customers = sample_data["customers"].loc[lambda d: d["customer_id"].isin(used)]
    rows = {
        "employees": _records(sample_data["employees"], "employees"),
        "customers": _records(customers, "customers"),
        "leads": _records(leads, "leads"),
        "opportunities": _records(opportunities, "opportunities"),
        "orders": _records(orders, "orders"),
        "complaints": _records(complaints, "complaints"),
        "customer_feedback": _records(feedback, "customer_feedback"),
    }
    ids = {c["customer_id"] for c in rows["customers"]}
    for c in rows["customers"]:
        c["referred_by"] = c["referred_by"] if c["referred_by"] in ids else None
    lead_ids = {x["lead_id"] for x in rows["leads"]}
    for o in rows["opportunities"]:
        o["lead_id"] = o["lead_id"] if o["lead_id"] in lead_ids else None
    o = rows["orders"]
    o[0]["amount"] = -5.0  # ge
    o[1]["amount"] = float("nan")  # a NaN is a missing value
    o[2]["order_date"] = None  # NOT NULL
    o[3]["customer_id"] = "C_NOPE"  # foreign key to a heavy table
    o[4]["employee_id"] = "E_NOPE"  # foreign key to a light table
    for r in o:
        r["discount"] = 0.0  # an unexpected column
    c = rows["customers"]
    c[0]["segment"] = c[1]["segment"] = "huge"  # isin
    c[2]["referred_by"] = "C_GONE"  # foreign key to its own table
    rows["leads"].append(dict(rows["leads"][0]))  # duplicate key
    for r in rows["leads"]:
        del r["converted_date"]  # a missing column
    p = rows["opportunities"]
    p[0]["lead_id"] = "L_NOPE"  # a nullable foreign key
    p[1]["stage"] = "closed"
    k = rows["complaints"]
    k[0]["customer_id"] = " \u3000 "  # blank text is missing
    k[1]["opened"] = dt.datetime(1500, 1, 1, 9, 30)  # outside what pandas holds
    f = rows["customer_feedback"]
    f[0]["customer_id"] = "C_NOPE2"  # a light table's foreign key to a heavy one
    f[1]["nps"] = 11  # le
    rows["employees"][5]["team"] = "East Team"  # pattern
    return rows


def _arrow_type(kind: str) -> pyarrow.DataType:
    return {
        "id": pyarrow.string(),
        "text": pyarrow.string(),
        "category": pyarrow.string(),
        "int": pyarrow.int64(),
        "float": pyarrow.float64(),
        "bool": pyarrow.bool_(),
        "date": pyarrow.date32(),
        "timestamp": pyarrow.timestamp("us"),
    }[kind]


def _kind(name: str, column: str) -> str:
    return TABLES[name].column(column).kind if column in TABLES[name].column_names else "float"


def _database(url: str, name: str) -> str:
    """A new empty database on the session's server; its URL."""
    admin = create_engine(_parse(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return re.sub(r"/trackreport\?", f"/{name}?", url)


@pytest.fixture(scope="module")
def bad_source(postgres_url, sample_data, tmp_path_factory):
    """The same broken company as a database without constraints and as a folder of Parquet files."""
    rows = _bad_company(sample_data)
    url = _database(postgres_url, "sqlcheck_bad")
    folder = tmp_path_factory.mktemp("bad-folder")
    engine = create_engine(_parse(url))
    metadata = MetaData()
    with engine.begin() as conn:
        for name, records in rows.items():
            columns = list(records[0])
            t = SqlTable(name, metadata, *[Column(c, _sql_type(_kind(name, c))) for c in columns])
            t.create(conn)
            conn.execute(t.insert(), records)
            arrays = {c: pyarrow.array([r[c] for r in records], type=_arrow_type(_kind(name, c))) for c in columns}
            pq.write_table(pyarrow.table(arrays), folder / f"{name}.parquet")
    engine.dispose()
    return url, folder


def _rules(problems) -> list[tuple]:
    """(table, column, rule, rows failing): a folder names its files (and a parent's in a foreign key's rule)."""
    return sorted(
        (p.file.removesuffix(".parquet"), p.column, p.rule.replace(".parquet", ""), p.n_rows) for p in problems
    )


@pytest.mark.parametrize("in_place", ["heavy", "all"])
def test_the_same_bad_data_gives_the_same_problems_as_a_folder(bad_source, in_place):
    url, folder = bad_source
    with pytest.raises(DataValidationError) as from_folder:
        load_data(folder, tables=NAMES)
    with pytest.raises(DataValidationError) as from_db:
        load_database(url, tables=NAMES, in_place=HEAVY_TABLES if in_place == "heavy" else NAMES)
    assert _rules(from_db.value.problems) == _rules(from_folder.value.problems)
    found = _rules(from_db.value.problems)
    # every kind of break was found (a test of the fixture as much as of the checks)
    expected = {
        ("orders", "amount", "out of range (must be >= 0)", 1),
        ("orders", "amount", "required value missing", 1),
        ("orders", "order_date", "required value missing", 1),
        ("orders", "customer_id", "unknown customer_id (not in customers column customer_id)", 1),
        ("orders", "employee_id", "unknown employee_id (not in employees column employee_id)", 1),
        ("orders", "discount", "unexpected column (not in the contract)", 0),
        ("customers", "segment", "not one of the allowed values (smb, mid_market, key_account)", 2),
        ("customers", "referred_by", "unknown referred_by (not in customers column customer_id)", 1),
        ("leads", "lead_id", "duplicate key (lead_id must be unique)", 2),
        ("leads", "converted_date", "missing column", 0),
        ("opportunities", "lead_id", "unknown lead_id (not in leads column lead_id)", 1),
        ("opportunities", "stage", "not one of the allowed values (prospecting, qualification, proposal, "
         "negotiation, won, lost)", 1),
        ("complaints", "customer_id", "required value missing", 1),
        ("complaints", "opened", "unparsable timestamp (expected YYYY-MM-DD HH:MM[:SS]) or outside 1678-2261", 1),
        ("customer_feedback", "customer_id", "unknown customer_id (not in customers column customer_id)", 1),
        ("customer_feedback", "nps", "out of range (allowed 0 to 10)", 1),
        ("employees", "team", "does not match the pattern ^[a-z0-9_-]+$", 1),
    }  # fmt: skip
    assert expected == set(found)


def test_problems_in_the_database_name_the_failing_rows_by_key(bad_source, sample_data):
    url, _ = bad_source
    with pytest.raises(DataValidationError) as err:
        load_database(url, tables=NAMES)
    shown = [str(p) for p in err.value.problems]
    first = sample_data["orders"]["order_id"].iloc[0]
    assert f"orders, column amount: out of range (must be >= 0) — 1 row fails, e.g. order_id={first}: -5.0" in shown
    lead = sample_data["leads"]["lead_id"].iloc[0]
    assert (
        f"leads, column lead_id: duplicate key (lead_id must be unique) — 2 rows fail, e.g. lead_id={lead}: '{lead}'"
        in shown
    )
    complaint = sample_data["complaints"]["complaint_id"].iloc[1]
    assert f"e.g. complaint_id={complaint}: '1500-01-01 09:30:00'" in "\n".join(shown)
    assert any(s.startswith("orders, column customer_id: unknown customer_id") and "'C_NOPE'" in s for s in shown)
    # all tables' problems at once, in the contract's table order
    order = [p.file for p in err.value.problems]
    assert sorted(set(order), key=list(TABLES).index) == list(dict.fromkeys(order))
    assert {"employees", "orders", "customer_feedback"} <= set(order)


class _Statements:
    """Every SQL statement any engine sends while active (SQLAlchemy's before_cursor_execute)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(Engine, "before_cursor_execute", self)

    def pulls(self) -> list[str]:
        """Statements that select a heavy table's rows unaggregated (no count, GROUP BY or LIMIT)."""
        heavy = "|".join(HEAVY_TABLES)
        touching = [s for s in self.seen if re.search(rf'\b(FROM|JOIN)\s+"?({heavy})"?\b', s)]
        return [s for s in touching if not re.search(r"\bcount\(|\bGROUP BY\b|\bLIMIT\b", s)]


def test_validating_the_sample_database_pulls_no_heavy_table(warehouse, sample_data):
    with _Statements() as log:
        ds = load_database(warehouse)
    assert log.pulls() == []
    assert sum("count(" in s for s in log.seen) >= len(HEAVY_TABLES)
    assert set(ds.remote) == set(HEAVY_TABLES) and all(name in ds for name in HEAVY_TABLES)
    assert ds.n_rows == sum(len(sample_data[n]) for n in sample_data)
    for name in set(sample_data) - set(HEAVY_TABLES):  # the light tables are the folder's
        pd.testing.assert_frame_equal(ds[name], sample_data[name], check_exact=True, obj=name)
    with _Statements() as log:  # the detector sees a pull: reading a remote table whole
        orders = ds["orders"]
    assert len(log.pulls()) == 1 and "ORDER BY orders.order_id" in log.pulls()[0]
    pd.testing.assert_frame_equal(orders, sample_data["orders"], check_exact=True)


def test_the_cache_of_a_database_dataset_names_its_remote_tables(warehouse, sample_data, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "never-in-the-cache")
    ds = load_database(warehouse)
    cache = write_dataset(ds, tmp_path / "cache")
    assert not any((cache / f"{name}.parquet").exists() for name in HEAVY_TABLES)
    assert (cache / "employees.parquet").exists()
    meta = (cache / "meta.json").read_text(encoding="utf-8")
    assert json.loads(meta)["remote"]["url"] == safe_url(warehouse) and "never-in-the-cache" not in meta
    back = read_dataset(cache)
    assert list(back) == list(sample_data) and set(back.remote) == set(HEAVY_TABLES)
    assert back.n_rows == ds.n_rows
    view = back.only(["complaints", "employees"], reader="chapter 99")
    pd.testing.assert_frame_equal(view["complaints"], sample_data["complaints"], check_exact=True)
    assert back.tables.in_memory == ("complaints",)


def _sql(url: str, *statements: str) -> None:
    engine = create_engine(_parse(url))
    with engine.begin() as conn:
        for s in statements:
            conn.execute(text(s))
    engine.dispose()


def test_a_heavy_table_whose_types_do_not_fit_is_read_whole(warehouse, sample_data, caplog):
    _sql(warehouse, "ALTER TABLE complaints ALTER COLUMN opened TYPE text")
    try:
        with caplog.at_level(logging.WARNING, logger="trackreport.data.sql"), _Statements() as log:
            ds = load_database(warehouse)
        assert "table complaints stores opened as TEXT" in caplog.text and "read whole" in caplog.text
        assert "complaints" not in ds.remote and set(ds.remote) == set(HEAVY_TABLES) - {"complaints"}
        assert [s for s in log.pulls() if "complaints" in s]  # that table alone was pulled
        assert not [s for s in log.pulls() if "complaints" not in s]
        pd.testing.assert_frame_equal(ds["complaints"], sample_data["complaints"], check_exact=True)
    finally:
        _sql(warehouse, "ALTER TABLE complaints ALTER COLUMN opened TYPE timestamp USING opened::timestamp")


def test_a_fallback_table_is_validated_in_python(bad_source):
    url, _ = bad_source
    _sql(url, "ALTER TABLE complaints ALTER COLUMN opened TYPE text")
    try:
        with pytest.raises(DataValidationError) as err:
            load_database(url, tables=NAMES)
        [p] = [p for p in err.value.problems if p.file == "complaints" and p.column == "opened"]
        assert p.place == "row" and p.rule.endswith("or outside 1678-2261") and p.n_rows == 1
    finally:
        _sql(url, "ALTER TABLE complaints ALTER COLUMN opened TYPE timestamp USING opened::timestamp")


PROBES = ["east", "East", "ea st", "east\n", "east\n\n", "\neast", "", "a-b_c9", "ä", "2025Q3", "2025Q5", "2025Q3\n"]
PROBES += ["x2025Q3", "2025Q3x", "٢٠٢٥Q3", "２０２５Q3", "2025q3", "202Q3"]


def test_patterns_and_blanks_match_in_postgresql_as_in_python(postgres_url):
    patterns = sorted({c.pattern for t in TABLES.values() for c in t.columns if c.pattern})
    assert patterns  # the contract has some
    engine = create_engine(_parse(postgres_url))
    with engine.connect() as conn:
        for pattern in patterns:
            folder = pd.Series(PROBES, dtype=pd.StringDtype()).str.match(pattern).tolist()  # what pandera asks
            for probe, expected in zip(PROBES, folder):
                value = "regexp_replace(:v, E'\\n$', '')" if pattern.endswith("$") else ":v"
                got = conn.execute(text(f"SELECT {value} ~ :p"), {"v": probe, "p": pg_pattern(pattern)}).scalar()
                assert got == expected == (re.match(pattern, probe) is not None), (pattern, probe)
        blanks = ["", " ", "\t\n", "\u3000", "\xa0 \u2028", "\x1c", " x ", "\u200b", "-"]
        for probe in blanks:
            got = conn.execute(text("SELECT :v ~ :p"), {"v": probe, "p": blank_pattern()}).scalar()
            assert got == (probe.strip() == ""), repr(probe)
    engine.dispose()


def test_unique_columns_and_composite_keys_read_as_in_a_folder(bad_source, monkeypatch, tmp_path):
    """The contract has no unique column today: one is made up (market_index.index) to check the rule both ways."""
    url, _ = bad_source
    table = TABLES["market_index"]
    columns = tuple(replace(c, unique=True) if c.name == "index" else c for c in table.columns)
    monkeypatch.setitem(TABLES, "market_index", replace(table, columns=columns))
    month = dt.date(2025, 7, 1)
    records = [
        {"region": "east", "month": month, "index": 100.0},
        {"region": "east", "month": month, "index": 101.0},  # repeats the key
        {"region": "west", "month": month, "index": 100.0},  # repeats a unique value
        {"region": "north", "month": month, "index": None},
        {"region": "south", "month": month, "index": None},  # missing values are not repeats
        {"region": "south", "month": dt.date(2025, 8, 1), "index": 99.0},
    ]
    engine = create_engine(_parse(url))
    with engine.begin() as conn:
        t = SqlTable("market_index", MetaData(), *[Column(c, _sql_type(_kind("market_index", c))) for c in records[0]])
        t.drop(conn, checkfirst=True)
        t.create(conn)
        conn.execute(t.insert(), records)
    engine.dispose()
    arrays = {c: pyarrow.array([r[c] for r in records], type=_arrow_type(_kind("market_index", c))) for c in records[0]}
    pq.write_table(pyarrow.table(arrays), tmp_path / "market_index.parquet")
    with pytest.raises(DataValidationError) as from_folder:
        load_data(tmp_path, tables=["market_index"])
    with pytest.raises(DataValidationError) as from_db:
        load_database(url, tables=["market_index"], in_place=["market_index"])
    assert _rules(from_db.value.problems) == _rules(from_folder.value.problems)
    [p] = [p for p in from_db.value.problems if p.rule.startswith("duplicate")]
    assert (p.column, p.n_rows) == ("region, month", 3) and p.rule == "duplicate key (region, month must be unique)"
    assert str(p).endswith("e.g. (region=east, month=2025-07-01): ('east', '2025-07-01 00:00:00'), "
                           "(region=east, month=2025-07-01): ('east', '2025-07-01 00:00:00'), "
                           "(region=west, month=2025-07-01): ('west', '2025-07-01 00:00:00')")  # fmt: skip
