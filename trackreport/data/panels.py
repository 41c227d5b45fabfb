"""Rep-month panels of the heavy tables: from the tables in memory, or aggregated in the database.

The chapters measure reps month by month (sales, orders, new clients, lead conversion,
win rate, complaint retention) and window by window (repurchase). Those panels are
defined here, once, behind one interface, :class:`PanelSource`, with two answers:

- :class:`FramePanels` aggregates the validated tables in memory (pandas), as the
  chapters always did;
- :class:`DatabasePanels` sends one ``SELECT ... GROUP BY`` per panel to a PostgreSQL
  source (SQLAlchemy Core, bound parameters, no SQL text built from values), with the
  team (the employee ids asked for), the window and the grouping pushed down, so
  ``orders``, ``leads`` or ``customers`` are never pulled whole for a panel.

Each panel is split in two steps. The *aggregate* step is the only one the two sources
implement, each its own way, and it returns integers (counts, sums of cents) and dates
only, so both give the same frame exactly. The *finish* step (the employment grid,
zeros for months without orders, the ratios) is shared code in :class:`PanelSource`,
so the floating-point arithmetic is the same whichever source answered: a report from
the database equals the report from the folder to the last digit.

Money is summed exactly, in integer cents: ``sales = sum(rint(100 * amount)) / 100``
(amounts are CNY; a fraction of a cent, which no order has, is rounded half to even in
both sources). A float sum would depend on the order of addition, which SQL does not fix.

Besides the panels, the source answers the chapters' other questions of the heavy tables
(:data:`trackreport.data.schema.HEAVY_TABLES`) the same way in both implementations:
:meth:`PanelSource.rows` (the rows of some employees' records in a window, key-sorted),
:meth:`PanelSource.rate_counts` (a rate's successes and denominator per employee over a
window) and :meth:`PanelSource.bounds` (a column's first and last value).

Chapters never ask which source answers: :func:`panel_source` gives the database's when
the dataset was read from one (:func:`use_database`, called by the notebook API), else
the tables'.

Examples
--------
>>> emp = pd.DataFrame({"employee_id": ["e1"], "team": ["east"], "region": ["n"],
...                     "hire_date": pd.to_datetime(["2020-01-01"]), "leave_date": pd.NaT})
>>> orders = pd.DataFrame({"order_id": ["o1", "o2"], "customer_id": ["c1", "c1"],
...                        "employee_id": ["e1", "e1"],
...                        "order_date": pd.to_datetime(["2024-01-05", "2024-02-20"]),
...                        "amount": [100.10, 50.20]})
>>> src = panel_source({"orders": orders, "employees": emp})
>>> src.panel("orders", employees=emp, start="2024-01", end="2024-02")[["month", "sales", "new_clients"]]
       month  sales  new_clients
0 2024-01-01  100.1            1
1 2024-02-01   50.2            0
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ORDER_PANEL_COLUMNS",
    "RATES",
    "Rate",
    "PanelSource",
    "FramePanels",
    "DatabasePanels",
    "panel_source",
    "use_database",
    "rep_month_panel",
    "EMPLOYEE_COLUMN",
]

ORDER_PANEL_COLUMNS = ["employee_id", "month", "team", "region", "sales", "orders", "avg_order_value", "new_clients"]
"""Columns of the ``orders`` panel (:func:`rep_month_panel`)."""

_KEYS = ["employee_id", "month"]
_ORDER_COUNTS = ["cents", "orders", "new_clients"]


@dataclass(frozen=True)
class Rate:
    """A share per rep and month: rows of ``table`` dated by ``date`` in the month, credited to ``employee_id``.

    The denominator is the rows whose ``outcome`` is among ``among`` (all rows when
    None), the numerator those whose ``outcome`` equals ``success`` (an empty outcome is
    not a success).
    """

    table: str
    date: str
    outcome: str
    success: object
    among: tuple | None = None


RATES: dict[str, Rate] = {
    "lead_conversion": Rate("leads", "created_date", "converted", True),
    "win_rate": Rate("opportunities", "created_date", "stage", "won", ("won", "lost")),
    "complaint_retention": Rate("complaints", "opened", "customer_retained", True, (True, False)),
}
"""The rate panels: ``panel(name, ...)`` gives ``name`` (the share) and ``name_n`` (its denominator)."""


EMPLOYEE_COLUMN: dict[str, str] = {"customers": "owner_id"}
"""The column crediting a heavy table's row to an employee, where it is not ``employee_id``."""

_DTYPES = {
    "id": "string",
    "text": "string",
    "category": "string",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns]",
}


def _kinds(table: str) -> dict[str, str]:
    from trackreport.data.schema import TABLES

    return {c.name: c.kind for c in TABLES[table].columns}


def _typed(columns: Mapping[str, Any], kinds: Mapping[str, str]) -> pd.DataFrame:
    """A frame of ``columns`` (name -> Series or values) in the contract's dtypes (those of a validated table)."""
    out = {}
    for name, values in columns.items():
        dtype = _DTYPES[kinds[name]]
        s = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
        if str(s.dtype) == dtype:  # a validated table's column already is
            out[name] = s
        elif dtype == "datetime64[ns]":
            out[name] = pd.to_datetime(s).astype(dtype)
        elif dtype == "float64":
            out[name] = s.astype("float64")
        else:
            out[name] = pd.Series(pd.array(s.tolist(), dtype=dtype))
    return pd.DataFrame(out)


def _row_columns(table: str, columns: Sequence[str], customer: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The key, then ``columns`` (each once), then the ``customer`` columns; and the kind of each."""
    from trackreport.data.schema import TABLES

    kinds = _kinds(table)
    joined = ["customer_id"] if customer else []
    names = list(dict.fromkeys([*TABLES[table].key, *columns, *joined]))
    unknown = [c for c in names if c not in kinds]
    if customer:
        if table == "customers" or "customer_id" not in kinds:
            raise ValueError(f"{table!r} rows cannot take their customer's columns")
        ckinds = _kinds("customers")
        unknown += [c for c in customer if c not in ckinds or c in names]
        kinds = {**kinds, **{c: ckinds[c] for c in customer if c in ckinds}}
    if unknown:
        raise KeyError(f"{table!r} rows have no column(s) {unknown}")
    return [*names, *customer], {c: kinds[c] for c in [*names, *customer]}


_PER_ORDERS_TABLE: dict[tuple[int, Any], Any] = {}
""":meth:`FramePanels._per_orders_table`: by (the orders frame's id, what), dropped with the frame."""


def _day_bounds(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """A window of days ``start`` to ``end`` (both inclusive) as ``[lo, hi)``: ``hi`` is the day after ``end``."""
    lo = None if start is None else pd.Timestamp(start)
    hi = None if end is None else pd.Timestamp(end) + pd.Timedelta(days=1)
    return lo, hi


def _month_start(x) -> pd.Timestamp:
    return pd.Timestamp(x).to_period("M").start_time


def _months(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.to_period("M").dt.start_time.astype("datetime64[ns]")


def _ids(employees: pd.DataFrame | Sequence[str]) -> list[str]:
    ids = employees["employee_id"] if isinstance(employees, pd.DataFrame) else employees
    return sorted({str(i) for i in ids})


def _cents(amount: pd.Series) -> np.ndarray:
    """Amounts in integer cents, rounded half to even (as PostgreSQL's ``round(double precision)``)."""
    return np.rint(amount.to_numpy(dtype="float64") * 100).astype("int64")


def employment_grid(employees: pd.DataFrame, *, start, end) -> pd.DataFrame:
    """One row per employee and calendar month from ``start`` to ``end`` in which the person was employed.

    Hire month to leave month, both counted even when partial. Columns ``employee_id``,
    ``month``, ``team``, ``region``.

    >>> emp = pd.DataFrame({"employee_id": ["a"], "team": ["t"], "region": ["r"],
    ...                     "hire_date": pd.to_datetime(["2024-02-15"]),
    ...                     "leave_date": pd.to_datetime(["2024-03-01"])})
    >>> employment_grid(emp, start="2024-01", end="2024-06")["month"].dt.month.tolist()
    [2, 3]
    """
    months = pd.date_range(_month_start(start), _month_start(end), freq="MS").astype("datetime64[ns]")
    emp = employees[["employee_id", "team", "region", "hire_date", "leave_date"]]
    grid = emp.merge(pd.DataFrame({"month": months}), how="cross")
    hire = pd.to_datetime(grid["hire_date"]).dt.to_period("M").dt.start_time
    leave = pd.to_datetime(grid["leave_date"]).dt.to_period("M").dt.start_time
    employed = (grid["month"] >= hire) & (leave.isna() | (grid["month"] <= leave))
    return grid.loc[employed, ["employee_id", "month", "team", "region"]]


class PanelSource:
    """Where panels come from. Subclasses implement the ``_aggregate_*`` steps; the rest is shared.

    ``panel(name, *, employees, start, end, **options)`` is the one entry point:

    - ``"orders"``: :func:`rep_month_panel`'s columns; option ``max_amount`` leaves out
      orders above it (outliers) before anything is counted;
    - ``"new_clients"``: customers whose ``acquired_date`` falls in the month, counted
      for their owner (``customers.owner_id``): ``employee_id``, ``month``, ``new_clients``;
    - a name of :data:`RATES`: ``employee_id``, ``month``, the share and its denominator
      ``<name>_n``; option ``until`` leaves out rows dated after it;
    - ``"nps"``: customer feedback answers with a score, dated in the month, of the rep
      serving the customer: ``employee_id``, ``month``, ``nps_score`` (the mean of
      ``100 * (1[score >= 9] - 1[score <= 6])``, the NPS of the answers) and ``answers``;
    - ``"repurchase"``: ``employees`` is the reps and ``windows`` maps each window's key
      month to its (first, last) day (no ``start``/``end``): per rep and window with a
      customer, the share of the rep's customers with an order in the window who
      ordered 2+ times in it: ``employee_id``, ``month``, ``repurchase_rate``, ``customers``.

    Rate panels and ``new_clients`` have rows only where there is something to count.
    """

    def panel(self, name: str, *, employees, start=None, end=None, **options) -> pd.DataFrame:
        if name == "orders":
            return self._orders(employees, start, end, **options)
        if name == "new_clients":
            return self._new_clients(employees, start, end)
        if name in RATES:
            return self._rate(name, employees, start, end, **options)
        if name == "nps":
            return self._nps(employees, start, end)
        if name == "repurchase":
            return self._repurchase(employees, **options)
        raise KeyError(f"no panel named {name!r}")

    # ---------------------------------------------------------------- shared finish
    def _orders(self, employees: pd.DataFrame, start, end, *, max_amount: float | None = None) -> pd.DataFrame:
        grid = employment_grid(employees, start=start, end=end)
        first, last = _month_start(start), _month_start(end)
        counts = _tidy(self._aggregate_orders(_ids(employees), first, last, max_amount), _ORDER_COUNTS)
        out = grid.merge(counts, on=_KEYS, how="left")
        for c in ("cents", "orders", "new_clients"):
            out[c] = out[c].fillna(0).astype("int64")
        out["sales"] = out["cents"] / 100
        out["avg_order_value"] = (out["sales"] / out["orders"]).where(out["orders"] > 0)
        return out[ORDER_PANEL_COLUMNS].sort_values(_KEYS).reset_index(drop=True)

    def _new_clients(self, employees, start, end) -> pd.DataFrame:
        first, last = _month_start(start), _month_start(end)
        return _tidy(self._aggregate_new_clients(_ids(employees), first, last), ["new_clients"])

    def _rate(self, name: str, employees, start, end, *, until=None) -> pd.DataFrame:
        first, last = _month_start(start), _month_start(end)
        until = None if until is None else pd.Timestamp(until)
        counts = _tidy(self._aggregate_rate(RATES[name], _ids(employees), first, last, until), ["k", "n"])
        return pd.DataFrame(
            {
                "employee_id": counts["employee_id"],
                "month": counts["month"],
                name: counts["k"] / counts["n"],
                f"{name}_n": counts["n"],
            }
        )

    def _nps(self, employees, start, end) -> pd.DataFrame:
        first, last = _month_start(start), _month_start(end)
        counts = _tidy(self._aggregate_nps(_ids(employees), first, last), ["promoters", "detractors", "n"])
        return pd.DataFrame(
            {
                "employee_id": counts["employee_id"],
                "month": counts["month"],
                # the mean of the answers' scores (-100, 0, 100): their sum is exact, then one division
                "nps_score": 100.0 * (counts["promoters"] - counts["detractors"]) / counts["n"],
                "answers": counts["n"],
            }
        )

    def _repurchase(self, employees, *, windows: Mapping) -> pd.DataFrame:
        spans = [(pd.Timestamp(m), pd.Timestamp(a), pd.Timestamp(b)) for m, (a, b) in windows.items()]
        counts = _tidy(self._aggregate_repurchase(_ids(employees), spans), ["k", "n"])
        return pd.DataFrame(
            {
                "employee_id": counts["employee_id"],
                "month": counts["month"],
                "repurchase_rate": counts["k"] / counts["n"],
                "customers": counts["n"],
            }
        )

    # ---------------------------------------------------------------- rows and counts
    def rows(
        self,
        table: str,
        *,
        columns: Sequence[str],
        employees: pd.DataFrame | Sequence[str],
        date: str | None = None,
        start=None,
        end=None,
        customer: Sequence[str] = (),
    ) -> pd.DataFrame:
        """The rows of ``table`` credited to ``employees`` (ids, or a frame with ``employee_id``), in a window.

        The table's employee column is ``employee_id`` (``owner_id`` for ``customers``,
        :data:`EMPLOYEE_COLUMN`); with ``date``, only rows whose ``date`` falls on the
        days ``start`` to ``end`` (both inclusive: ``start <= date < end + 1 day``; either
        may be None). Returns the table's key, then ``columns``, then the ``customer``
        columns of each row's customer (``customers`` by ``customer_id``; missing when
        the customer is unknown), in the contract's dtypes, sorted by the key (code-point
        order), with a fresh index. A team's rows of a window are few: the database sends
        only those (the ids and the window are bound parameters).

        Examples
        --------
        >>> c = pd.DataFrame({"complaint_id": ["k2", "k1", "k3"], "employee_id": ["a", "a", "b"],
        ...                   "opened": pd.to_datetime(["2025-01-31 23:00", "2025-01-02 09:30", "2025-01-05 10:00"])})
        >>> FramePanels({"complaints": c}).rows("complaints", columns=["opened"], employees=["a"],
        ...                                     date="opened", start="2025-01-01", end="2025-01-31")
          complaint_id              opened
        0           k1 2025-01-02 09:30:00
        1           k2 2025-01-31 23:00:00
        """
        names, kinds = _row_columns(table, columns, customer)
        lo, hi = _day_bounds(start, end)
        own = [c for c in names if c not in customer]
        got = self._rows_of(table, own, list(customer), _ids(employees), date, lo, hi)
        out = _typed({c: got[c] for c in names}, kinds)
        key = list(_row_key(table))
        return out.sort_values(key, ignore_index=True) if len(out) else out

    def rate_counts(self, name: str, *, employees: pd.DataFrame | Sequence[str], start, end) -> pd.DataFrame:
        """Per employee, the successes ``k`` and the denominator ``n`` of the rate ``name`` (:data:`RATES`).

        Over the rows dated on the days ``start`` to ``end`` (both inclusive), of the
        ``employees`` given; employees without such rows have none. Columns
        ``employee_id``, ``k``, ``n`` (int64), sorted by ``employee_id``. The counts
        behind :func:`trackreport.stats.results.lead_conversion` by group: a group's
        share is ``sum(k) / sum(n)`` over its employees.

        >>> leads = pd.DataFrame({"employee_id": ["a", "a", "b"], "converted": [True, None, False],
        ...                       "created_date": pd.to_datetime(["2025-01-01", "2025-01-09", "2025-02-01"])})
        >>> FramePanels({"leads": leads}).rate_counts("lead_conversion", employees=["a", "b"],
        ...                                          start="2025-01-01", end="2025-01-31")
          employee_id  k  n
        0           a  1  2
        """
        lo, hi = _day_bounds(start, end)
        counts = self._rate_counts_of(RATES[name], _ids(employees), lo, hi)
        out = pd.DataFrame(
            {
                "employee_id": np.array([str(e) for e in counts["employee_id"]], dtype=object),
                "k": counts["k"].to_numpy(dtype="int64"),
                "n": counts["n"].to_numpy(dtype="int64"),
            }
        )
        return out.sort_values("employee_id", ignore_index=True)

    # ---------------------------------------------------------------- scalars
    def bounds(self, table: str, column: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last value of a date or timestamp ``column`` of ``table`` (NaT when it has none)."""
        raise NotImplementedError

    def order_dates(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last ``orders.order_date`` of the data."""
        return self.bounds("orders", "order_date")

    def amount_median(self) -> float:
        """The median of ``orders.amount`` (mean of the two middle values for an even count)."""
        raise NotImplementedError

    def lead_delays(self) -> pd.Series:
        """Days from ``created_date`` to ``converted_date`` of every converted lead (float, any order)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- per source
    def _rows_of(self, table, columns, customer, ids, date, lo, hi) -> Mapping[str, Sequence]:
        """``columns`` of ``table`` and ``customer`` of its customers, for :meth:`rows` (any order, any dtype)."""
        raise NotImplementedError

    def _rate_counts_of(self, rate: Rate, ids, lo, hi) -> pd.DataFrame:
        """``employee_id``, ``k``, ``n`` for :meth:`rate_counts`."""
        raise NotImplementedError

    def _aggregate_orders(self, ids, first, last, max_amount) -> pd.DataFrame:
        """Per rep and month with orders or a first order: ``cents`` (sum), ``orders``, ``new_clients``."""
        raise NotImplementedError

    def _aggregate_new_clients(self, ids, first, last) -> pd.DataFrame:
        raise NotImplementedError

    def _aggregate_rate(self, rate: Rate, ids, first, last, until) -> pd.DataFrame:
        raise NotImplementedError

    def _aggregate_nps(self, ids, first, last) -> pd.DataFrame:
        raise NotImplementedError

    def _aggregate_repurchase(self, ids, spans) -> pd.DataFrame:
        raise NotImplementedError


def _row_key(table: str) -> tuple[str, ...]:
    from trackreport.data.schema import TABLES

    return TABLES[table].key


def _tidy(df: pd.DataFrame, counts: Sequence[str]) -> pd.DataFrame:
    """Keys as ``employee_id`` (Python strings) and ``month`` (datetime64[ns]), counts as int64, sorted."""
    out = pd.DataFrame(
        {
            "employee_id": np.array([str(e) for e in df["employee_id"]], dtype=object),
            "month": pd.to_datetime(df["month"]).astype("datetime64[ns]").to_numpy(),
            **{c: df[c].to_numpy(dtype="int64") for c in counts},
        }
    )
    return out.sort_values(_KEYS, ignore_index=True)


# ------------------------------------------------------------------------- pandas


class FramePanels(PanelSource):
    """Panels aggregated in memory from the contract tables (a mapping name -> DataFrame)."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.tables = tables

    def bounds(self, table: str, column: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        d = self.tables[table][column]
        return pd.Timestamp(d.min()), pd.Timestamp(d.max())

    def _rows_of(self, table, columns, customer, ids, date, lo, hi):
        df = self.tables[table]
        keep = df[EMPLOYEE_COLUMN.get(table, "employee_id")].isin(ids).to_numpy(dtype=bool, na_value=False, copy=True)
        if date is not None:
            d = pd.to_datetime(df[date])
            if lo is not None:
                keep &= (d >= lo).to_numpy(dtype=bool, na_value=False)
            if hi is not None:
                keep &= (d < hi).to_numpy(dtype=bool, na_value=False)
        out = df.loc[keep, columns]
        if customer:
            cust = self.tables["customers"][["customer_id", *customer]]
            cust = cust.loc[cust["customer_id"].isin(out["customer_id"].unique()).to_numpy(dtype=bool)]
            out = out.merge(cust, on="customer_id", how="left")
        return {c: out[c] for c in out.columns}

    def _rate_counts_of(self, rate: Rate, ids, lo, hi):
        rows, k = self._rate_rows(rate, ids, lo=lo, hi=hi)
        g = pd.DataFrame({"employee_id": rows["employee_id"].to_numpy(), "k": k}).groupby("employee_id")["k"]
        return pd.DataFrame({"k": g.sum(), "n": g.size()}).reset_index()

    def _rate_rows(self, rate: Rate, ids, *, lo=None, hi=None) -> tuple[pd.DataFrame, np.ndarray]:
        """The rate's rows of ``ids`` (its denominator: ``among``, dated in ``[lo, hi)``) and their successes (0/1)."""
        df = self.tables[rate.table][["employee_id", rate.date, rate.outcome]]
        keep = df["employee_id"].isin(ids).to_numpy(dtype=bool, na_value=False, copy=True)
        if rate.among is not None:
            keep &= df[rate.outcome].isin(list(rate.among)).to_numpy(dtype=bool, na_value=False)
        d = pd.to_datetime(df[rate.date])
        if lo is not None:
            keep &= (d >= lo).to_numpy(dtype=bool, na_value=False)
        if hi is not None:
            keep &= (d < hi).to_numpy(dtype=bool, na_value=False)
        df = df.loc[keep]
        return df, df[rate.outcome].eq(rate.success).fillna(False).to_numpy(dtype="int64")

    def amount_median(self) -> float:
        return self._per_orders_table("median", lambda: float(self.tables["orders"]["amount"].astype(float).median()))

    def _per_orders_table(self, what: Any, compute) -> Any:
        """``compute()``, remembered for this orders table while it lives (a report asks a dozen times).

        A :class:`~trackreport.data.load.Dataset` hands out a copy at each access; the frame
        it holds is the one that identifies the table.
        """
        orders = getattr(self.tables, "tables", self.tables)["orders"]
        key = (id(orders), what)
        if key not in _PER_ORDERS_TABLE:
            _PER_ORDERS_TABLE[key] = compute()
            weakref.finalize(orders, _PER_ORDERS_TABLE.pop, key, None)
        return _PER_ORDERS_TABLE[key]

    def lead_delays(self) -> pd.Series:
        leads = self.tables["leads"]
        return (leads["converted_date"] - leads["created_date"]).dt.days.dropna().astype("float64")

    def _orders_of(self, columns: Sequence[str], *, max_amount=None, ids=None) -> pd.DataFrame:
        """The orders' ``columns``, of ``ids``' orders at or under ``max_amount`` when given.

        One take of the columns asked for, not of the whole table (3.4M rows at 10x the sample).
        """
        o = self.tables["orders"]
        keep = None
        if max_amount is not None:
            keep = (o["amount"].astype(float) <= max_amount).to_numpy(dtype=bool, na_value=False)
        if ids is not None:
            mine = o["employee_id"].isin(ids).to_numpy(dtype=bool, na_value=False)
            keep = mine if keep is None else keep & mine
        o = o[list(columns)]
        return o if keep is None else o.loc[keep]

    def _aggregate_orders(self, ids, first, last, max_amount):
        mine = self._orders_of(["employee_id", "order_date", "amount"], max_amount=max_amount, ids=ids)
        months = _months(mine["order_date"])
        inside = months.between(first, last).to_numpy(dtype=bool)
        sums = (
            pd.DataFrame(
                {
                    "employee_id": mine["employee_id"].to_numpy()[inside],
                    "month": months.to_numpy()[inside],
                    "cents": _cents(mine["amount"])[inside],
                }
            )
            .groupby(_KEYS)
            .agg(cents=("cents", "sum"), orders=("cents", "size"))
            .reset_index()
        )
        new = self._first_orders(max_amount)
        new = new.loc[(new["employee_id"].isin(ids) & new["month"].between(first, last)).to_numpy(dtype=bool)]
        return sums.merge(new, on=_KEYS, how="outer").fillna({"cents": 0, "orders": 0, "new_clients": 0})

    def _first_orders(self, max_amount) -> pd.DataFrame:
        """New clients per rep-month: each customer's first order (earliest date, then smallest order_id).

        Over all orders (kept under the cap), whoever the panel is for, so it is worked out
        once per orders table and cap.
        """
        return self._per_orders_table(("first orders", max_amount), lambda: self._count_first_orders(max_amount))

    def _count_first_orders(self, max_amount) -> pd.DataFrame:
        o = self._orders_of(["order_id", "customer_id", "employee_id", "order_date"], max_amount=max_amount)
        earliest = o.groupby("customer_id", sort=False)["order_date"].transform("min")
        firsts = (
            o.loc[(o["order_date"] == earliest).to_numpy(dtype=bool)]
            .sort_values(["order_date", "order_id"])
            .drop_duplicates("customer_id")
        )
        d = pd.DataFrame(
            {"employee_id": firsts["employee_id"].to_numpy(), "month": _months(firsts["order_date"]).to_numpy()}
        )
        return d.groupby(_KEYS).size().rename("new_clients").reset_index()

    def _aggregate_new_clients(self, ids, first, last):
        c = self.tables["customers"]
        d = pd.DataFrame({"employee_id": c["owner_id"].to_numpy(), "month": _months(c["acquired_date"]).to_numpy()})
        d = d.loc[(d["employee_id"].isin(ids) & d["month"].between(first, last)).to_numpy(dtype=bool)]
        return d.groupby(_KEYS).size().rename("new_clients").reset_index()

    def _aggregate_rate(self, rate: Rate, ids, first, last, until):
        hi = None if until is None else until + pd.Timedelta(1, "ns")  # dated on or before ``until``
        df, k = self._rate_rows(rate, ids, hi=hi)
        d = pd.DataFrame(
            {"employee_id": df["employee_id"].to_numpy(), "month": _months(df[rate.date]).to_numpy(), "k": k}
        )
        d = d.loc[d["month"].between(first, last).to_numpy(dtype=bool)]
        g = d.groupby(_KEYS)["k"]
        return pd.DataFrame({"k": g.sum(), "n": g.size()}).reset_index()

    def _aggregate_nps(self, ids, first, last):
        fb = self.tables["customer_feedback"]
        fb = fb.loc[(fb["employee_id"].isin(ids) & fb["nps"].notna()).to_numpy(dtype=bool)]
        score = fb["nps"].to_numpy(dtype="float64")
        d = pd.DataFrame(
            {
                "employee_id": fb["employee_id"].to_numpy(),
                "month": _months(fb["date"]).to_numpy(),
                "promoters": (score >= 9).astype("int64"),
                "detractors": (score <= 6).astype("int64"),
            }
        )
        d = d.loc[d["month"].between(first, last).to_numpy(dtype=bool)]
        g = d.groupby(_KEYS)
        return pd.DataFrame(
            {"promoters": g["promoters"].sum(), "detractors": g["detractors"].sum(), "n": g.size()}
        ).reset_index()

    def _aggregate_repurchase(self, ids, spans):
        o = self._orders_of(["employee_id", "customer_id", "order_date"], ids=ids)
        dates = pd.to_datetime(o["order_date"])
        parts = []
        for month, a, b in spans:
            inside = o.loc[(dates.notna() & (dates >= a) & (dates <= b)).to_numpy(dtype=bool)]
            per = inside.groupby(["employee_id", "customer_id"]).size().rename("orders").reset_index()
            g = per.assign(k=(per["orders"] >= 2).astype("int64")).groupby("employee_id")["k"]
            parts.append(pd.DataFrame({"k": g.sum(), "n": g.size()}).reset_index().assign(month=month))
        if not parts:
            return pd.DataFrame({"employee_id": [], "month": [], "k": [], "n": []})
        return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------- database

_ENGINES: dict[str, Any] = {}
_DATABASES: dict[str, DatabasePanels] = {}


def use_database(data: Any, url: str) -> None:
    """Let :func:`panel_source` aggregate ``data``'s panels in the database at ``url`` it was read from.

    Keyed by the dataset's fingerprint (a checksum of the database's rows,
    :func:`trackreport.data.sql.database_fingerprint`), so every view of the dataset
    (a chapter's :meth:`~trackreport.data.load.Dataset.only`) finds it.
    """
    known = _DATABASES.get(str(data.fingerprint))
    if known is None or known.url != url:
        _DATABASES[str(data.fingerprint)] = DatabasePanels(url)


def panel_source(data: Mapping[str, pd.DataFrame]) -> PanelSource:
    """The source of ``data``'s panels: its database when it was read from one, else its tables.

    A database's source is one object per dataset, so its scalars (data end, median
    order) are asked once.
    """
    known = _DATABASES.get(str(getattr(data, "fingerprint", "")))
    return known if known is not None else FramePanels(data)


class DatabasePanels(PanelSource):
    """Panels aggregated in a PostgreSQL source: one parameterised ``SELECT ... GROUP BY`` per panel.

    The contract's tables are addressed with SQLAlchemy Core (names and types from
    :mod:`trackreport.data.schema`); ids, dates and thresholds travel as bound parameters.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._scalars: dict[str, Any] = {}

    def _once(self, name: str, compute) -> Any:
        if name not in self._scalars:
            self._scalars[name] = compute()
        return self._scalars[name]

    @property
    def engine(self) -> Any:
        if self.url not in _ENGINES:
            from trackreport.data.sql import connect

            _ENGINES[self.url] = connect(self.url)
        return _ENGINES[self.url]

    def _rows(self, statement) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(statement)]

    def _frame(self, statement, columns: Sequence[str]) -> pd.DataFrame:
        rows = self._rows(statement)
        return pd.DataFrame({c: [r[i] for r in rows] for i, c in enumerate(columns)})

    def bounds(self, table: str, column: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self._once(f"bounds {table}.{column}", lambda: self._bounds(table, column))

    def _bounds(self, table: str, column: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        from sqlalchemy import func, select

        c = _table(table).c[column]
        lo, hi = self._rows(select(func.min(c), func.max(c)))[0]
        return pd.Timestamp(lo), pd.Timestamp(hi)

    def _rows_of(self, table, columns, customer, ids, date, lo, hi):
        from sqlalchemy import DateTime, cast, select

        t = _table(table)
        where = [_among(t.c[EMPLOYEE_COLUMN.get(table, "employee_id")], ids)]
        if date is not None and lo is not None:
            where.append(cast(t.c[date], DateTime) >= _bound(lo))
        if date is not None and hi is not None:
            where.append(cast(t.c[date], DateTime) < _bound(hi))
        picked = [t.c[c] for c in columns]
        if customer:
            cust = _table("customers")
            q = select(*picked, *[cust.c[c] for c in customer]).join_from(
                t, cust, t.c.customer_id == cust.c.customer_id, isouter=True
            )
        else:
            q = select(*picked)
        rows = self._rows(q.where(*where))
        return {c: [r[i] for r in rows] for i, c in enumerate([*columns, *customer])}

    def _rate_counts_of(self, rate: Rate, ids, lo, hi):
        from sqlalchemy import DateTime, cast, func, select

        t = _table(rate.table)
        outcome = t.c[rate.outcome]
        when = cast(t.c[rate.date], DateTime)
        where = [_among(t.c.employee_id, ids), when >= _bound(lo), when < _bound(hi)]
        if rate.among is not None:
            where.append(outcome.in_(list(rate.among)))
        q = (
            select(t.c.employee_id, func.count().filter(outcome == rate.success), func.count())
            .where(*where)
            .group_by(t.c.employee_id)
        )
        return self._frame(q, ["employee_id", "k", "n"])

    def amount_median(self) -> float:
        return self._once("amount_median", self._amount_median)

    def _amount_median(self) -> float:
        from sqlalchemy import func, select

        o = _table("orders")
        (n,) = self._rows(select(func.count()).select_from(o))[0]
        if n == 0:
            return math.nan
        middle = select(o.c.amount).order_by(o.c.amount).offset((n - 1) // 2).limit(2 - n % 2)
        # the middle value(s) through the same pandas median as the tables' path: the same arithmetic
        return float(pd.Series([r[0] for r in self._rows(middle)], dtype="float64").median())

    def lead_delays(self) -> pd.Series:
        return self._once("lead_delays", self._lead_delays)

    def _lead_delays(self) -> pd.Series:
        from sqlalchemy import func, select

        leads = _table("leads")
        days = (leads.c.converted_date - leads.c.created_date).label("days")
        hist = self._rows(
            select(days, func.count()).where(leads.c.converted_date.is_not(None)).group_by(days).order_by(days)
        )
        return pd.Series(np.repeat([float(d) for d, _ in hist], [k for _, k in hist]), dtype="float64")

    def _aggregate_orders(self, ids, first, last, max_amount):
        from sqlalchemy import BigInteger, and_, cast, func, select

        o = _table("orders")
        kept = [] if max_amount is None else [o.c.amount <= float(max_amount)]
        month = _sql_month(o.c.order_date)
        cents = func.sum(cast(func.round(o.c.amount * 100), BigInteger))
        sums = (
            select(o.c.employee_id, month.label("month"), cents.label("cents"), func.count().label("orders"))
            .where(*kept, _among(o.c.employee_id, ids), *_in_months(o.c.order_date, first, last))
            .group_by(o.c.employee_id, month)
        )
        rank = func.row_number().over(
            partition_by=o.c.customer_id, order_by=(o.c.order_date, o.c.order_id.collate("C"))
        )
        ranked = select(o.c.employee_id, o.c.order_date, rank.label("rank")).where(*kept).subquery("ranked")
        firsts = select(ranked.c.employee_id, ranked.c.order_date).where(ranked.c.rank == 1).subquery("firsts")
        fmonth = _sql_month(firsts.c.order_date)
        new = (
            select(firsts.c.employee_id, fmonth.label("month"), func.count().label("new_clients"))
            .where(and_(_among(firsts.c.employee_id, ids), *_in_months(firsts.c.order_date, first, last)))
            .group_by(firsts.c.employee_id, fmonth)
        ).subquery("new")
        sums = sums.subquery("sums")
        both = select(
            func.coalesce(sums.c.employee_id, new.c.employee_id),
            func.coalesce(sums.c.month, new.c.month),
            func.coalesce(sums.c.cents, 0),
            func.coalesce(sums.c.orders, 0),
            func.coalesce(new.c.new_clients, 0),
        ).select_from(
            sums.join(new, (sums.c.employee_id == new.c.employee_id) & (sums.c.month == new.c.month), full=True)
        )
        return self._frame(both, ["employee_id", "month", "cents", "orders", "new_clients"])

    def _aggregate_new_clients(self, ids, first, last):
        from sqlalchemy import func, select

        c = _table("customers")
        month = _sql_month(c.c.acquired_date)
        q = (
            select(c.c.owner_id, month.label("month"), func.count())
            .where(_among(c.c.owner_id, ids), *_in_months(c.c.acquired_date, first, last))
            .group_by(c.c.owner_id, month)
        )
        return self._frame(q, ["employee_id", "month", "new_clients"])

    def _aggregate_rate(self, rate: Rate, ids, first, last, until):
        from sqlalchemy import DateTime, cast, func, select

        t = _table(rate.table)
        outcome = t.c[rate.outcome]
        month = _sql_month(t.c[rate.date])
        where = [_among(t.c.employee_id, ids), *_in_months(t.c[rate.date], first, last)]
        if rate.among is not None:
            where.append(outcome.in_(list(rate.among)))
        if until is not None:
            where.append(cast(t.c[rate.date], DateTime) <= _bound(until))
        q = (
            select(t.c.employee_id, month.label("month"), func.count().filter(outcome == rate.success), func.count())
            .where(*where)
            .group_by(t.c.employee_id, month)
        )
        return self._frame(q, ["employee_id", "month", "k", "n"])

    def _aggregate_nps(self, ids, first, last):
        from sqlalchemy import func, select

        fb = _table("customer_feedback")
        month = _sql_month(fb.c.date)
        q = (
            select(
                fb.c.employee_id,
                month.label("month"),
                func.count().filter(fb.c.nps >= 9),
                func.count().filter(fb.c.nps <= 6),
                func.count(),
            )
            .where(_among(fb.c.employee_id, ids), fb.c.nps.is_not(None), *_in_months(fb.c.date, first, last))
            .group_by(fb.c.employee_id, month)
        )
        return self._frame(q, ["employee_id", "month", "promoters", "detractors", "n"])

    def _aggregate_repurchase(self, ids, spans):
        from sqlalchemy import Date, column, func, select, values

        if not spans:
            return pd.DataFrame({"employee_id": [], "month": [], "k": [], "n": []})
        o = _table("orders")
        w = values(column("month", Date), column("w0", Date), column("w1", Date), name="windows").data(
            [(m.date(), a.date(), b.date()) for m, a, b in spans]
        )
        per = (
            select(w.c.month, o.c.employee_id, o.c.customer_id, func.count().label("orders"))
            .join_from(o, w, (o.c.order_date >= w.c.w0) & (o.c.order_date <= w.c.w1))
            .where(_among(o.c.employee_id, ids))
            .group_by(w.c.month, o.c.employee_id, o.c.customer_id)
            .subquery("per_customer")
        )
        q = select(per.c.employee_id, per.c.month, func.count().filter(per.c.orders >= 2), func.count()).group_by(
            per.c.employee_id, per.c.month
        )
        return self._frame(q, ["employee_id", "month", "k", "n"])


def _table(name: str) -> Any:
    """A lightweight SQLAlchemy table of the contract's ``name`` (its columns and their types)."""
    from sqlalchemy import column, table

    from trackreport.data.schema import TABLES
    from trackreport.data.sql import _sql_type

    return table(name, *[column(c.name, _sql_type(c.kind)) for c in TABLES[name].columns])


def _among(col, ids: Sequence[str]) -> Any:
    """``col = ANY(%(ids)s)``: the ids travel as one array parameter, however many there are.

    (``IN`` would bind one parameter per id, and PostgreSQL takes at most 65,535 per statement.)
    """
    from sqlalchemy import Text, any_, bindparam
    from sqlalchemy.dialects.postgresql import ARRAY

    return col == any_(bindparam(None, list(ids), type_=ARRAY(Text)))


def _sql_month(col) -> Any:
    """The first day of ``col``'s month, as a date: ``date_trunc('month', col::timestamp)::date``."""
    from sqlalchemy import Date, DateTime, cast, func

    return cast(func.date_trunc("month", cast(col, DateTime)), Date)


def _bound(ts: pd.Timestamp) -> Any:
    return ts.to_pydatetime()


def _in_months(col, first: pd.Timestamp, last: pd.Timestamp) -> list:
    """``col`` within the months ``first`` to ``last`` (both month starts): ``first <= col < last + 1 month``."""
    from sqlalchemy import DateTime, cast

    return [cast(col, DateTime) >= _bound(first), cast(col, DateTime) < _bound(last + pd.DateOffset(months=1))]


def rep_month_panel(orders: pd.DataFrame, employees: pd.DataFrame, *, start, end) -> pd.DataFrame:
    """Rep x month panel of sales, orders, average order value and new clients.

    One row per employee in ``employees`` and calendar month from ``start`` to ``end``
    (inclusive) in which the person was employed (hire month to leave month, both
    counted even when partial). Per row:

    - ``sales``: sum of ``orders.amount`` booked that month, summed exactly in cents (0
      without orders);
    - ``orders``: number of orders (0 without orders);
    - ``avg_order_value``: ``sales / orders``, NaN in a month without orders;
    - ``new_clients``: customers whose first order ever (over all of ``orders``, not only
      the window) falls in that month, credited to the rep of that first order.

    Pass only the people who belong in the panel (e.g. roles ``rep`` and
    ``senior_rep``); orders credited to others, or booked outside a person's employment,
    are left out. The ``orders`` panel of :class:`FramePanels` over ``orders``.

    Examples
    --------
    >>> employees = pd.DataFrame({
    ...     "employee_id": ["e1", "e2"], "team": ["east", "east"], "region": ["n", "n"],
    ...     "hire_date": pd.to_datetime(["2020-01-01", "2024-02-15"]),
    ...     "leave_date": pd.to_datetime([None, None])})
    >>> orders = pd.DataFrame({
    ...     "order_id": ["o1", "o2", "o3"], "customer_id": ["c1", "c1", "c2"],
    ...     "employee_id": ["e1", "e1", "e2"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-01"]),
    ...     "amount": [100.0, 50.0, 80.0]})
    >>> p = rep_month_panel(orders, employees, start="2024-01", end="2024-03")
    >>> p[["employee_id", "month", "sales", "orders", "new_clients"]]
      employee_id      month  sales  orders  new_clients
    0          e1 2024-01-01  150.0       2            1
    1          e1 2024-02-01    0.0       0            0
    2          e1 2024-03-01    0.0       0            0
    3          e2 2024-02-01    0.0       0            0
    4          e2 2024-03-01   80.0       1            1
    """
    return FramePanels({"orders": orders}).panel("orders", employees=employees, start=start, end=end)
