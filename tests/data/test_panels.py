"""Tests of trackreport.data.panels: the rep-month panels, by hand, and the database's equal to the tables'.

The database tests run against a real PostgreSQL server the session starts
(``conftest.postgres_url``), loaded with the sample company (``conftest.warehouse``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trackreport.data.panels import RATES, DatabasePanels, FramePanels, rep_month_panel, use_database
from trackreport.paths import SAMPLE_DIR


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


def test_first_orders_are_remembered_per_orders_table_and_cap(orders, employees):
    """New clients need every customer's first order over the whole table: worked out once per table and cap.

    A second table (one order fewer) must not get the first's answer, and the memo goes with its table.
    """
    import gc

    from trackreport.data import panels

    def new_clients(tables, cap=None):
        p = FramePanels(tables).panel(
            "orders", employees=employees, start="2024-01-01", end="2024-03-31", max_amount=cap
        )
        return p["new_clients"].tolist()

    tables = {"orders": orders}
    assert new_clients(tables) == new_clients(tables) == [1, 0, 0, 1]
    assert (id(orders), ("first orders", None)) in panels._PER_ORDERS_TABLE
    # over the cap of 60, o0 (999) and o4 (80) are left out: c0's first order is o1 (e1, January) and c2's is o6
    # (e1, March, after e1 left)
    assert new_clients(tables, cap=60.0) == [2, 0, 0, 0]
    # without o0 (another table), c0 is new in January too
    assert new_clients({"orders": orders.drop(index=[0]).reset_index(drop=True)}) == [2, 0, 0, 1]
    mine = orders.copy()  # (the fixture keeps its own frame alive until the test ends)
    assert new_clients({"orders": mine}) == [1, 0, 0, 1]
    key = (id(mine), ("first orders", None))
    assert key in panels._PER_ORDERS_TABLE
    del mine
    gc.collect()
    assert key not in panels._PER_ORDERS_TABLE


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
    fb = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "a", "b"],
            "date": d(["2024-01-03", "2024-01-09", "2024-01-10", "2024-01-11", "2024-03-01"]),
            "nps": pd.array([10, 9, 3, None, 7], dtype="Int64"),
        }
    )
    n = FramePanels({"customer_feedback": fb}).panel("nps", employees=["a", "b"], start="2024-01", end="2024-02")
    # a: 2 promoters, 1 detractor of 3 answers (the empty one is no answer) -> NPS 100 * (2 - 1) / 3; b: outside
    assert n[["employee_id", "nps_score", "answers"]].values.tolist() == [["a", 100 / 3, 3]]
    with pytest.raises(KeyError, match="no panel named"):
        FramePanels({}).panel("nonsense", employees=["a"])


# ------------------------------------------------------------------ the database's panels


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal to the last bit: values, dtypes and order."""
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


def _windows(first: str, n: int, months: int) -> dict:
    starts = pd.date_range(first, periods=n, freq="MS")
    return {s: (s, s + pd.DateOffset(months=months) - pd.Timedelta(days=1)) for s in starts}


def test_every_panel_from_the_database_equals_the_tables(warehouse, sample_data):
    db, mem = DatabasePanels(warehouse), FramePanels(sample_data)
    assert db.order_dates() == mem.order_dates()
    assert db.amount_median() == mem.amount_median()
    _same(db.lead_delays().sort_values().to_frame(), mem.lead_delays().sort_values().to_frame())
    emp = sample_data["employees"]
    everyone = {"employees": emp, "start": "2023-01", "end": "2026-06"}
    east = {"employees": emp[emp["team"] == "east"], "start": "2025-03", "end": "2025-12-31"}
    for window in (everyone, east):
        for options in ({}, {"max_amount": 20 * mem.amount_median()}):
            _same(db.panel("orders", **window, **options), mem.panel("orders", **window, **options))
        _same(db.panel("new_clients", **window), mem.panel("new_clients", **window))
        _same(db.panel("nps", **window), mem.panel("nps", **window))
        for name in RATES:
            _same(db.panel(name, **window), mem.panel(name, **window))
        until = pd.Timestamp("2025-10-15")
        _same(db.panel("lead_conversion", **window, until=until), mem.panel("lead_conversion", **window, until=until))
    reps = list(emp["employee_id"])
    windows = _windows("2024-01-01", 24, 3)
    _same(
        db.panel("repurchase", employees=reps, windows=windows),
        mem.panel("repurchase", employees=reps, windows=windows),
    )
    assert len(mem.panel("orders", **everyone)) > 1000 and mem.panel("orders", **everyone)["orders"].sum() > 100_000


def test_any_number_of_employee_ids_is_one_parameter(warehouse, sample_data):
    """70,000 ids (PostgreSQL binds at most 65,535 parameters a statement): one array parameter, same panel."""
    emp = sample_data["employees"]
    nobody = emp.iloc[[0] * 70_000].assign(employee_id=[f"nobody-{i}" for i in range(70_000)])
    staff = pd.concat([emp, nobody], ignore_index=True)
    ids = list(staff["employee_id"])
    window = {"start": "2025-01", "end": "2025-03"}
    db, mem = DatabasePanels(warehouse), FramePanels(sample_data)
    p = db.panel("orders", employees=staff, **window)
    _same(p, mem.panel("orders", employees=staff, **window))
    assert p["orders"].sum() > 1000
    rows = db.rows("complaints", columns=["opened"], employees=ids, date="opened", start="2025-01-01", end="2025-06-30")
    assert len(rows) == len(
        mem.rows("complaints", columns=["opened"], employees=ids, date="opened", start="2025-01-01", end="2025-06-30")
    )


@pytest.fixture
def cents_db(postgres_url):
    """A second database holding only ``orders``, with amounts in cents (the sample's are whole CNY)."""
    from sqlalchemy import Column, MetaData, Table, create_engine, text

    from trackreport.data.schema import TABLES
    from trackreport.data.sql import _parse, _sql_type

    admin = create_engine(_parse(postgres_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS cents"))
        conn.execute(text("CREATE DATABASE cents"))
    admin.dispose()
    url = postgres_url.replace("/trackreport?", "/cents?")
    rng = np.random.default_rng(16)
    n = 20_000
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i:06d}" for i in range(n)],
            "customer_id": [f"C{i:04d}" for i in rng.integers(0, 3000, n)],
            "employee_id": [f"E{i:02d}" for i in rng.integers(0, 40, n)],
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "amount": rng.integers(1, 10_000_000, n) / 100,  # 0.01 to 99,999.99 CNY
            "product_category": "service",
            "promotion": False,
            "renewal": False,
            "renewal_due_date": pd.NaT,
        }
    )
    engine = create_engine(_parse(url))
    md = MetaData()
    table = Table("orders", md, *[Column(c.name, _sql_type(c.kind)) for c in TABLES["orders"].columns])
    md.create_all(engine)
    with engine.begin() as conn:
        rows = orders.astype(object).where(orders.notna(), None).to_dict("records")
        for r in rows:
            r["order_date"] = r["order_date"].date()
        conn.execute(table.insert(), rows)
    engine.dispose()
    return url, orders


def test_money_sums_from_the_database_are_exact(cents_db):
    """Amounts with cents: the database's sums equal the tables' to the last bit, and both equal exact decimals."""
    from decimal import Decimal

    url, orders = cents_db
    emp = pd.DataFrame({"employee_id": [f"E{i:02d}" for i in range(40)], "team": "t", "region": "r"}).assign(
        hire_date=pd.Timestamp("2020-01-01"), leave_date=pd.NaT
    )
    db, mem = DatabasePanels(url), FramePanels({"orders": orders})
    window = {"employees": emp, "start": "2024-01", "end": "2025-12"}
    got = db.panel("orders", **window)
    _same(got, mem.panel("orders", **window))
    assert db.amount_median() == mem.amount_median() == float(orders["amount"].median())
    cap = {"max_amount": 50_000.0}
    _same(db.panel("orders", **window, **cap), mem.panel("orders", **window, **cap))
    # the exact decimal sums of the amounts as written (two decimals), correctly rounded to float
    o = orders.assign(month=orders["order_date"].dt.to_period("M").dt.start_time)
    exact = o.groupby(["employee_id", "month"])["amount"].agg(lambda a: float(sum(Decimal(f"{x:.2f}") for x in a)))
    shown = got.set_index(["employee_id", "month"])["sales"]
    assert (shown.loc[exact.index] == exact).all()
    naive = o.groupby(["employee_id", "month"])["amount"].agg(lambda a: sum(a.tolist()))
    assert (naive != exact).any()  # a plain float sum would not be exact: the check can fail


def test_chapter_panels_read_the_heavy_tables_only_through_aggregates(warehouse, sample_data):
    """Chapter 06's panels (measure panel, seasonal factors, repurchase) from a dataset that holds no heavy
    table: every statement on the database aggregates (GROUP BY, or count/min/max and the median's two rows)."""
    from sqlalchemy import event

    from trackreport.chapters import sales
    from trackreport.data.load import Dataset

    heavy = {"orders", "leads", "customers", "opportunities", "complaints"}
    light = Dataset(
        {n: sample_data[n] for n in sample_data if n not in heavy}, folder=SAMPLE_DIR, fingerprint="pushdown-test"
    )
    use_database(light, warehouse)
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    engine = DatabasePanels(warehouse).engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        from_db = sales.cohort_panel(light, "east", "2025Q3", pre_months=12)
        factors = sales.never_trained_factors(light)
        attribution = sales.sales_attribution(light, "east", "2025Q3", measures=["sales", "repurchase_rate"])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    _same(from_db, sales.cohort_panel(sample_data, "east", "2025Q3", pre_months=12))
    assert sorted(factors) == sorted(sales.never_trained_factors(sample_data))
    for m, f in factors.items():
        pd.testing.assert_series_equal(f, sales.never_trained_factors(sample_data, [m])[m], check_exact=True)
    assert attribution.loc[1, "n_treated"] > 0
    on_heavy = [s for s in statements if any(f"FROM {t}" in s or f"JOIN {t}" in s for t in heavy)]
    assert len(on_heavy) >= 10
    for s in on_heavy:
        assert "GROUP BY" in s or "LIMIT" in s or s.lstrip().startswith(("SELECT count(*)", "SELECT min(")), s
    assert any("date_trunc" in s for s in on_heavy)


# ------------------------------------------------------------- rows, rate counts, bounds


def test_rows_by_hand():
    """The days' window is inclusive at both ends (a timestamp late on the last day counts), rows come
    key-sorted in the contract's dtypes, and a row's unknown customer has empty customer columns."""
    d = pd.to_datetime
    complaints = pd.DataFrame(
        {
            "complaint_id": ["k3", "k1", "k2", "k4", "k5"],
            "employee_id": ["a", "a", "b", "x", None],
            "customer_id": ["c1", "c9", "c2", "c1", "c1"],
            "opened": d(
                ["2025-01-31 23:59", "2025-01-01 00:00", "2025-01-10 12:00", "2025-01-05 08:00", "2025-01-05 00:00"]
            ),
            "type": ["service", "billing", "service", "service", "service"],
            "customer_retained": pd.array([True, None, False, True, True], dtype="boolean"),
        }
    )
    customers = pd.DataFrame({"customer_id": ["c1", "c2"], "annual_value": [1.5, 2.5], "owner_id": ["a", "b"]})
    early = complaints.assign(complaint_id="k0", opened=d("2024-12-31 23:59")).iloc[:1]
    src = FramePanels({"complaints": pd.concat([complaints, early]), "customers": customers})
    got = src.rows(
        "complaints",
        columns=["type", "customer_retained"],
        employees=["a", "b"],
        date="opened",
        start="2025-01-01",
        end="2025-01-31",
        customer=["annual_value"],
    )
    assert list(got.columns) == ["complaint_id", "type", "customer_retained", "customer_id", "annual_value"]
    assert got["complaint_id"].tolist() == ["k1", "k2", "k3"]  # k0 the day before, k4 another rep's, k5 nobody's
    assert got["annual_value"].tolist()[1:] == [2.5, 1.5] and np.isnan(got["annual_value"].iloc[0])  # c9 unknown
    assert str(got["complaint_id"].dtype) == "string" and str(got["customer_retained"].dtype) == "boolean"
    assert got["customer_retained"].isna().tolist() == [True, False, False]
    owned = src.rows("customers", columns=["annual_value"], employees=["b"])  # customers are credited to owner_id
    assert owned["customer_id"].tolist() == ["c2"]
    empty = src.rows("complaints", columns=["opened"], employees=[], date="opened", start="2025-01-01")
    assert len(empty) == 0 and str(empty["opened"].dtype) == "datetime64[ns]"
    with pytest.raises(KeyError, match="no column"):
        src.rows("complaints", columns=["nonsense"], employees=["a"])
    with pytest.raises(ValueError, match="customer"):
        src.rows("customers", columns=[], employees=["a"], customer=["annual_value"])


def test_rate_counts_by_hand():
    d = pd.to_datetime
    opp = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "a", "b", "c"],
            "created_date": d(["2025-01-01", "2025-01-31", "2025-01-15", "2025-02-01", "2025-01-20", "2025-01-20"]),
            "stage": ["won", "lost", "proposal", "won", "lost", "won"],
        }
    )
    got = FramePanels({"opportunities": opp}).rate_counts(
        "win_rate", employees=["b", "a"], start="2025-01-01", end="2025-01-31"
    )
    # a: won + lost on the window's first and last day (the open proposal is no outcome; February is out)
    assert got.values.tolist() == [["a", 1, 2], ["b", 0, 1]]


def test_rows_counts_and_bounds_from_the_database_equal_the_tables(warehouse, sample_data):
    """Every heavy table's rows (east's and everyone's, with and without a window), the customer's columns,
    every rate's counts per rep and the date bounds: the database's equal the tables' to the last bit."""
    from trackreport.data.panels import EMPLOYEE_COLUMN
    from trackreport.data.schema import HEAVY_TABLES, TABLES

    db, mem = DatabasePanels(warehouse), FramePanels(sample_data)
    emp = sample_data["employees"]
    east = emp.loc[(emp["team"] == "east").to_numpy(), "employee_id"]
    dates = {"orders": "order_date", "leads": "created_date", "customers": "acquired_date"}
    dates |= {"opportunities": "created_date", "complaints": "opened"}
    seen = 0
    for table in HEAVY_TABLES:
        columns = [c.name for c in TABLES[table].columns]
        for who in (east, emp["employee_id"]):
            window = {"date": dates[table], "start": "2025-04-01", "end": "2025-09-30"}
            for options in ({}, window):
                got = db.rows(table, columns=columns, employees=who, **options)
                _same(got, mem.rows(table, columns=columns, employees=who, **options))
                seen += len(got)
        assert db.bounds(table, dates[table]) == mem.bounds(table, dates[table])
        assert EMPLOYEE_COLUMN.get(table, "employee_id") in columns
    assert seen > 100_000
    assert db.bounds("complaints", "resolved") == mem.bounds("complaints", "resolved")
    joined = {"employees": east, "date": "order_date", "start": "2025-04-01", "end": "2025-06-30"}
    hv = db.rows("orders", columns=["amount"], customer=["annual_value", "segment"], **joined)
    _same(hv, mem.rows("orders", columns=["amount"], customer=["annual_value", "segment"], **joined))
    assert hv["annual_value"].notna().all() and len(hv) > 100
    for name in RATES:
        for span in (("2025-04-01", "2025-06-30"), ("2024-01-15", "2025-12-31")):
            got = db.rate_counts(name, employees=emp, start=span[0], end=span[1])
            _same(got, mem.rate_counts(name, employees=emp, start=span[0], end=span[1]))
            assert got["n"].sum() > 100


def _heavy_chapters() -> list[str]:
    """The chapters declaring a heavy table (the schema's ``chapters`` of each; ``01?``: optional for 01)."""
    from trackreport.data.schema import HEAVY_TABLES, TABLES

    return sorted({c.rstrip("?") for t in HEAVY_TABLES for c in TABLES[t].chapters})


def _filtered_read(statement: str) -> bool:
    """A read of one table's rows credited to given employees (bound ids) and dated in a window (two bounds)."""
    import re

    by_ids = re.search(r"\.(employee_id|owner_id) = ANY \(", statement) is not None
    return by_ids and " >= " in statement and " < " in statement


def test_chapter_notebooks_read_the_heavy_tables_only_through_the_panel_source(warehouse, sample_data, monkeypatch):
    """Every chapter declaring a heavy table (01, 03, 06, 09 to 14) runs cell by cell from a dataset whose heavy
    tables are present but unreadable, with the database's panel source: no chapter reads one whole (01, 06 and
    09 did), and every statement touching a heavy table is an aggregate or a read filtered by employee ids and a
    window."""
    import nbformat
    from sqlalchemy import event

    from trackreport.data.load import Dataset
    from trackreport.data.schema import HEAVY_TABLES
    from trackreport.paths import NOTEBOOKS_DIR
    from trackreport.report import notebook

    whole_reads: list[str] = []

    class Remote(Dataset):
        """Heavy tables the chapters see (their sections run) but may not read whole, as from a database."""

        def __getitem__(self, name: str) -> pd.DataFrame:
            if name in HEAVY_TABLES and (self.declared is None or name in self.declared):
                whole_reads.append(f"{self.reader} read {name}")
                raise AssertionError(f"{self.reader} reads the heavy table {name!r} whole")
            return super().__getitem__(name)

        def only(self, names, *, reader: str = "") -> Remote:
            return Remote(self.tables, self.folder, self.fingerprint, frozenset(names), reader, self.notices)

    tables = {n: sample_data[n].iloc[:0] if n in HEAVY_TABLES else sample_data[n] for n in sample_data}
    remote = Remote(tables, folder=SAMPLE_DIR, fingerprint="heavy-tables-remote-test")
    use_database(remote, warehouse)
    monkeypatch.setattr(notebook, "open_dataset", lambda *args, **kwargs: remote)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    engine = DatabasePanels(warehouse).engine
    event.listen(engine, "before_cursor_execute", listener)
    recorded = {}
    try:
        for chapter in _heavy_chapters():
            (path,) = NOTEBOOKS_DIR.glob(f"{chapter}_*.ipynb")
            namespace: dict = {}
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, f"{path.name}", "exec"), namespace)
            recorded[chapter] = {r["name"] for r in namespace["ch"].recorded}
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        import matplotlib.pyplot as plt

        plt.close("all")
    assert whole_reads == []
    # the sections on the heavy tables ran: pain points and targets (01), every effect (06), complaints (09)
    assert {"target_00", "trainees"} <= recorded["01"]
    assert {"sales_effect_relative", "complaint_retention_effect"} <= recorded["06"]
    assert len(recorded["09"]) >= 5
    assert set(recorded) >= {"01", "03", "06", "09", "10", "11", "12", "13", "14"}
    assert all(recorded.values()), recorded
    on_heavy = [s for s in statements if any(f"FROM {t}" in s or f"JOIN {t}" in s for t in HEAVY_TABLES)]
    for s in on_heavy:
        aggregate = "GROUP BY" in s or "LIMIT" in s or s.lstrip().startswith(("SELECT count(*)", "SELECT min("))
        assert aggregate or _filtered_read(s), s
    reads = [s for s in on_heavy if "GROUP BY" not in s and _filtered_read(s)]
    assert {t for t in HEAVY_TABLES for s in reads if f"FROM {t}" in s} == {"orders", "customers", "complaints"}
    assert any("JOIN customers" in s for s in reads)  # high-value clients: the order's customer's annual value
