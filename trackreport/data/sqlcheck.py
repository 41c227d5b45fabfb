"""Validate contract tables in their database: counts and anti-joins, never the rows pulled whole.

A database source (:mod:`trackreport.data.sql`) validates its heavy tables
(:data:`trackreport.data.schema.HEAVY_TABLES`: orders, leads, customers, opportunities,
complaints) where they are, with the same contract and the same words as a data folder
(:func:`trackreport.data.load.load_data`). What is checked where:

- **Column types** (:func:`misfits`): the database type of every contract column must fit
  its kind: a string type for ``id``/``text``/``category``, an integer type for ``int``,
  an integer or numeric/floating type for ``float``, a date or timestamp type for
  ``date``/``timestamp``, a boolean for ``bool``. A heavy table with a column that does
  not fit (e.g. dates stored as text) is not checked here: :mod:`~trackreport.data.sql`
  pulls that one table whole and validates it in Python, as the light tables are, and
  says so in a log line.
- **Column names**: missing and unexpected columns, with the folder's texts
  (:func:`~trackreport.data.load.column_name_problems`).
- **Rules, one scan per table**: one ``SELECT count(*) FILTER (WHERE ...) ...`` counts,
  per column, the rows breaking each rule of :func:`~trackreport.data.load._rules_of`:
  a required value missing (``nullable=False``; NULL, and also blank text or a float
  NaN, which the folder path reads as missing), not one of the allowed values
  (``isin``), out of range (``ge``/``le``), not matching the pattern (PostgreSQL ``~``,
  see :func:`pg_pattern`), and a date or timestamp outside what pandas holds (1678 to
  2261). Values that are missing break no rule but the first, as in pandera.
- **Key**: ``GROUP BY key HAVING count(*) > 1``; the rows of every repeated key count.
- **Foreign keys**: an anti-join (``NOT EXISTS``) against the parent table, for every
  foreign key whose child or parent is checked here (a light parent or a heavy one;
  between two tables read whole, the Python path checks it).

Every query is SQLAlchemy Core with bound parameters (allowed values, bounds, patterns,
NaN); the only names in the SQL are the contract's tables and columns, quoted by the
dialect. A rule that fails costs one more query: the first few failing rows, ``ORDER
BY`` key ``LIMIT`` :data:`~trackreport.data.load.MAX_EXAMPLES`. A database has no line
numbers, so the rows are named by their key (``order_id=O123``, place ``"key"`` of
:class:`~trackreport.data.load.Problem`) with the total count, in the same
:class:`~trackreport.errors.DataValidationError` as every other table's problems.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from trackreport.data.load import (
    MAX_EXAMPLES,
    Problem,
    _rules_of,
    column_name_problems,
    duplicate_key_rule,
    foreign_key_rule,
    out_of_range_date_rule,
)
from trackreport.data.schema import TABLES, Column, Table

__all__ = ["misfits", "check_tables", "pg_pattern", "blank_pattern"]

log = logging.getLogger(__name__)

TEXT_KINDS = ("id", "text", "category")


def _ranges(chars: list[str]) -> str:
    """Characters as bracket-expression ranges: ``0-9٠-٩...``."""
    out, i = [], 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        out.append(chars[i] if i == j else f"{chars[i]}-{chars[j]}")
        i = j + 1
    return "".join(out)


@functools.cache
def blank_pattern() -> str:
    """Text the folder path reads as missing: nothing but what Python's ``str.strip`` strips (every
    ``str.isspace`` character, spelled out so the database's locale does not decide).

    >>> import re
    >>> [bool(re.fullmatch(blank_pattern(), t)) for t in (" \\t", "\\u3000", " x ")]
    [True, True, False]
    """
    return "^[" + _ranges([c for c in map(chr, range(1, sys.maxunicode + 1)) if c.isspace()]) + "]*$"


_TS_MIN = pd.Timestamp.min.ceil("us").to_pydatetime()
_TS_MAX = pd.Timestamp.max.floor("us").to_pydatetime()


def misfits(table: Table, sql_table: Any) -> list[tuple[str, Any]]:
    """The contract columns of ``table`` whose database type does not fit their kind, with that type.

    >>> from sqlalchemy import Column as C, MetaData, Table as T, Text, Date, Float
    >>> t = T("market_index", MetaData(), C("region", Text), C("month", Text), C("index", Float))
    >>> [(name, str(type_)) for name, type_ in misfits(TABLES["market_index"], t)]
    [('month', 'TEXT')]
    """
    return [
        (c.name, sql_table.c[c.name].type)
        for c in table.columns
        if c.name in sql_table.c and not _fits(c.kind, sql_table.c[c.name].type)
    ]


def _fits(kind: str, sqltype: Any) -> bool:
    from sqlalchemy import types as st

    if kind in TEXT_KINDS:
        return isinstance(sqltype, st.String)
    if kind == "int":
        return isinstance(sqltype, st.Integer)
    if kind == "float":
        return isinstance(sqltype, (st.Integer, st.Numeric, st.Float))
    if kind in ("date", "timestamp"):
        return isinstance(sqltype, (st.Date, st.DateTime))
    if kind == "bool":
        return isinstance(sqltype, st.Boolean)
    return False


@functools.cache
def _digits() -> str:
    r"""What Python's ``\d`` matches in text (every Unicode decimal digit: ``str.isdecimal``) as a
    bracket expression; PostgreSQL's ``\d`` follows the server's locale (only 0-9 under ``C.UTF-8``)."""
    return "[" + _ranges([c for c in map(chr, range(sys.maxunicode + 1)) if c.isdecimal()]) + "]"


def pg_pattern(pattern: str) -> str:
    r"""The contract's pattern for PostgreSQL's ``~``, matching as Python's ``re.match`` does.

    ``re.match`` is anchored at the start: a pattern without ``^`` gets one. Python's
    ``\d`` matches every Unicode decimal digit: it becomes the bracket expression of
    those digits (:func:`_digits`). Python's ``$`` also matches before a final newline;
    the check strips one final newline from the value before matching
    (:func:`_pattern_fails`). Only what POSIX ERE, PostgreSQL's ARE and Python's ``re``
    read alike is accepted (literals, anchors, bracket classes without escapes, ``\d``,
    ``+ * ?`` and ``{m,n}``); anything else raises ValueError. A test checks every
    pattern of the contract on a real server.

    >>> pg_pattern("[a-z_]+$")
    '^[a-z_]+$'
    >>> pg_pattern(r"^\d{4}Q[1-4]$").startswith("^[0-9٠-٩")
    True
    >>> pg_pattern(r"^\w+$")
    Traceback (most recent call last):
    ...
    ValueError: pattern '^\\w+$' uses \w: only \d is read alike by Python and PostgreSQL
    """
    out, i, in_bracket = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            escaped = pattern[i : i + 2]
            if escaped != r"\d" or in_bracket:
                raise ValueError(f"pattern {pattern!r} uses {escaped}: only \\d is read alike by Python and PostgreSQL")
            out.append(_digits())
            i += 2
            continue
        if c in "()|" and not in_bracket:
            raise ValueError(f"pattern {pattern!r} uses {c}: groups and alternatives are not checked in the database")
        in_bracket = (in_bracket and c != "]") or (not in_bracket and c == "[")
        out.append(c)
        i += 1
    text = "".join(out)
    return text if text.startswith("^") else "^" + text


def _missing(c: Any, kind: str) -> Any:
    """Rows the folder path reads as a missing value: NULL, blank text, a float NaN."""
    from sqlalchemy import literal, or_
    from sqlalchemy import types as st

    if kind in TEXT_KINDS:
        return or_(c.is_(None), c.regexp_match(blank_pattern()))
    if kind == "float" and isinstance(c.type, (st.Numeric, st.Float)):
        return or_(c.is_(None), c == literal(float("nan"), type_=c.type))
    return c.is_(None)


def _pattern_fails(c: Any, pattern: str) -> Any:
    from sqlalchemy import func, not_

    value = func.regexp_replace(c, "\n$", "") if pattern.endswith("$") else c
    return not_(value.regexp_match(pg_pattern(pattern)))


def _column_rules(col: Column, c: Any) -> list[tuple[str, Any]]:
    """(rule in words, failing rows) for each rule of the column, in the folder path's order."""
    from sqlalchemy import and_, not_, or_

    missing = _missing(c, col.kind)
    present = not_(missing)
    out = []
    for rule, checks in _rules_of(col):
        if "not_nullable" in checks:
            if not col.nullable:
                out.append((rule, missing))
        elif "isin" in checks:
            out.append((rule, and_(present, c.not_in(list(col.isin or ())))))
        elif "str_matches" in checks:
            out.append((rule, and_(present, _pattern_fails(c, col.pattern or ""))))
        else:
            outside = [c < col.ge] if col.ge is not None else []
            outside += [c > col.le] if col.le is not None else []
            out.append((rule, and_(present, or_(*outside))))
    return out


def _date_range(col: Column, c: Any) -> list[tuple[str, Any]]:
    """Dates and timestamps outside what pandas holds (datetime64[ns]): the folder path's conversion problem."""
    from sqlalchemy import and_, or_
    from sqlalchemy import types as st

    if col.kind not in ("date", "timestamp"):
        return []
    if isinstance(c.type, st.DateTime):
        lo, hi = _TS_MIN, _TS_MAX
    else:  # a date is its midnight: the first and last whole days pandas holds
        lo, hi = _TS_MIN.date() + dt.timedelta(days=1), _TS_MAX.date()
    return [(out_of_range_date_rule(col.kind), and_(c.is_not(None), or_(c < lo, c > hi)))]


def _plain(value: Any) -> str:
    """A key value as it names a row: ``O123``, ``2025-07-01``."""
    if value is None:
        return "empty"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _shown(value: Any) -> Any:
    """A failing value as the folder path shows it (dates as timestamps, numerics as floats)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return pd.Timestamp(value)
    return value


def _place(names: list[str], values: tuple) -> str:
    text = ", ".join(f"{n}={_plain(v)}" for n, v in zip(names, values))
    return f"({text})" if len(names) > 1 else text


class _Checker:
    """The checks of one table, run on one connection."""

    def __init__(self, conn: Any, name: str, t: Any) -> None:
        self.conn, self.name, self.t, self.table = conn, name, t, TABLES[name]
        self.keys = [t.c[k] for k in self.table.key if k in t.c]
        self.problems: list[Problem] = []

    def examples(self, where: Any, values: list[Any], source: Any = None) -> tuple[tuple[str, Any], ...]:
        from sqlalchemy import select

        if not self.keys:
            return ()
        query = select(*self.keys, *values).select_from(source if source is not None else self.t).where(where)
        rows = self.conn.execute(query.order_by(*self.keys).limit(MAX_EXAMPLES)).all()
        names = [k.name for k in self.keys]
        out = []
        for row in rows:
            shown = [_shown(v) for v in row[len(names) :]]
            out.append((_place(names, tuple(row[: len(names)])), shown[0] if len(shown) == 1 else tuple(shown)))
        return tuple(out)

    def add(self, column: str | None, rule: str, n: int, examples: tuple = ()) -> None:
        self.problems.append(Problem(self.name, column, rule, int(n), examples, "key"))

    def rows(self) -> int:
        """Column names, the rules of every column (one scan) and the key; returns the row count."""
        from sqlalchemy import func, select

        self.problems += column_name_problems(list(self.t.c.keys()), self.table, self.name)
        present = [c for c in self.table.columns if c.name in self.t.c]
        converted = [(c, rule, where) for c in present for rule, where in _date_range(c, self.t.c[c.name])]
        ruled = [(c, rule, where) for c in present for rule, where in _column_rules(c, self.t.c[c.name])]
        counts = [func.count().filter(where) for _, _, where in converted + ruled]
        total, *found = self.conn.execute(select(func.count(), *counts).select_from(self.t)).one()
        for (col, rule, where), n in zip(converted, found[: len(converted)]):
            if n:
                self.add(col.name, rule, n, self.examples(where, [self.t.c[col.name]]))
        self.duplicate_keys()
        for (col, rule, where), n in zip(ruled, found[len(converted) :]):
            if n:
                self.add(col.name, rule, n, self.examples(where, [self.t.c[col.name]]))
        return int(total)

    def duplicate_keys(self) -> None:
        """Repeated keys (``GROUP BY key HAVING count(*) > 1``); with unique columns, their repeats too.

        As in the folder path (pandera's key and column uniqueness, reported as one
        problem on the key), every row of a repeated key or value counts.
        """
        from sqlalchemy import func, or_, select, tuple_

        whole_key = bool(self.table.key) and len(self.keys) == len(self.table.key)
        unique = [
            self.t.c[c.name] for c in self.table.columns if c.unique and len(self.table.key) != 1 and c.name in self.t.c
        ]
        if not whole_key and not unique:
            return
        if whole_key:
            groups = select(*self.keys, func.count().label("n")).group_by(*self.keys).having(func.count() > 1)
            groups = groups.subquery()
        if not unique:
            n = self.conn.execute(select(func.coalesce(func.sum(groups.c.n), 0))).scalar_one()
            if n:
                first = [groups.c[k.name] for k in self.keys]  # each repeated key once, as it names its rows
                keys = self.conn.execute(select(*first).order_by(*first).limit(MAX_EXAMPLES)).all()
                names = [k.name for k in self.keys]
                examples = tuple((_place(names, tuple(k)), k[0] if len(k) == 1 else tuple(k)) for k in keys)
                self.add(", ".join(self.table.key), duplicate_key_rule(self.table), n, examples)
            return
        repeated = [c.in_(select(c).where(c.is_not(None)).group_by(c).having(func.count() > 1)) for c in unique]
        if whole_key:
            first = [groups.c[k.name] for k in self.keys]
            repeated.append(
                tuple_(*self.keys).in_(select(*first)) if len(first) > 1 else self.keys[0].in_(select(*first))
            )
        where = or_(*repeated)
        n = self.conn.execute(select(func.count()).select_from(self.t).where(where)).scalar_one()
        if n:
            shown = self.keys if self.keys else unique[:1]
            self.add(", ".join(self.table.key), duplicate_key_rule(self.table), n, self.examples(where, shown))

    def foreign_key(self, column: str, parent_name: str, parent: Any, parent_column: str) -> None:
        from sqlalchemy import Text, and_, cast, exists, func, not_, select
        from sqlalchemy import types as st

        c, p = self.t.c[column], parent.alias("parent").c[parent_column]
        same = isinstance(c.type, st.String) and isinstance(p.type, st.String)
        equal = p == c if same else cast(p, Text) == cast(c, Text)
        kind = self.table.column(column).kind
        where = and_(not_(_missing(c, kind)), not_(exists().where(equal)))
        n = self.conn.execute(select(func.count()).select_from(self.t).where(where)).scalar_one()
        if n:
            self.add(column, foreign_key_rule(column, parent_name, parent_column), n, self.examples(where, [c]))


def check_tables(
    conn: Any, sql_tables: Mapping[str, Any], in_place: Collection[str]
) -> tuple[dict[str, list[Problem]], dict[str, int]]:
    """Check the tables ``in_place`` in the database, and every foreign key touching them.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        An open connection to the database.
    sql_tables : mapping of str to sqlalchemy.Table
        Every contract table the run reads that the database holds (reflected), whether
        checked here or read whole: the parents and children of foreign keys.
    in_place : collection of str
        The tables to check here (their column types fit, :func:`misfits`).

    Returns
    -------
    problems : dict of str to list of Problem
        Per table, the problems found here (a table read whole gets those of its foreign
        keys to a table checked here).
    rows : dict of str to int
        The row count of each table checked here.
    """
    problems: dict[str, list[Problem]] = {}
    rows: dict[str, int] = {}
    checkers = {name: _Checker(conn, name, t) for name, t in sql_tables.items()}
    for name in sql_tables:
        if name in in_place:
            rows[name] = checkers[name].rows()
    for name, checker in checkers.items():
        for column, target in TABLES[name].foreign_keys.items():
            parent_name, parent_column = target.split(".")
            if name not in in_place and parent_name not in in_place:
                continue  # both read whole: checked in Python
            if parent_name not in sql_tables or column not in checker.t.c:
                continue
            if parent_column not in sql_tables[parent_name].c:
                continue
            checker.foreign_key(column, parent_name, sql_tables[parent_name], parent_column)
    for name, checker in checkers.items():
        if checker.problems:
            problems[name] = checker.problems
    return problems, rows
