"""A PostgreSQL warehouse as a data source: the contract's tables read through SQLAlchemy (psycopg 3).

``--data postgresql://user@host:port/db`` (or ``DATA=`` in make) reads the same tables
as a data folder, validated by the same contract with the same words, so a report from
the database equals the report from the folder it was loaded from, to the last digit.

What is validated where (:func:`load_database`):

- The light tables (people, courses, enrollments, surveys: rows per person) are read
  whole (``SELECT * ORDER BY key``) and validated in Python like a folder's
  (:func:`trackreport.data.load.load_arrow_tables`).
- The heavy tables (:data:`trackreport.data.schema.HEAVY_TABLES`: orders, leads,
  customers, opportunities, complaints) are validated in the database and not read:
  column types, missing values, allowed values, ranges, patterns, key uniqueness and
  foreign keys, as counts and anti-joins (:mod:`trackreport.data.sqlcheck`). A heavy
  table whose column types do not fit the contract (dates stored as text, say) is read
  whole and validated in Python instead, with a log line saying so.
- The :class:`~trackreport.data.load.Dataset` returned holds the light tables; a heavy
  table is *remote* (:class:`~trackreport.data.load.RemoteTables`): ``"orders" in ds``
  is True, and ``ds["orders"]`` reads it whole from the database on first access
  (:func:`read_table`), for code that still needs the rows; the chapters' rep-month
  panels are aggregated in the database instead (:mod:`trackreport.data.panels`). The
  runner's Parquet cache (:mod:`trackreport.data.cache`) stores the light tables and
  names the remote ones with the URL, so a kernel resolves them the same way.

Credentials never travel in the URL: a URL with a password is refused, and the password
comes from ``PGPASSWORD`` or ``~/.pgpass``, which libpq (under psycopg) reads itself. A
URL is shown only through :func:`safe_url`, so no output, log or ``params.yaml`` holds a
secret.

Queries are built with SQLAlchemy Core from the contract (table and column names are
the contract's own, quoted by the dialect); no value is ever pasted into SQL text.

:func:`export_folder` loads a data folder into a database with the contract's types,
keys and foreign keys (``python -m trackreport export-db DATA URL``), for trying the
database path and for tests. :func:`database_fingerprint` asks the database for a
checksum of every table's rows, so incremental report runs work from a database too.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pyarrow

from trackreport.data.load import Dataset, load_arrow_tables, load_data, typed_arrow_table
from trackreport.data.schema import HEAVY_TABLES, TABLES, Table
from trackreport.data.source import is_database_url
from trackreport.errors import TrackreportError

__all__ = [
    "is_database_url",
    "safe_url",
    "connect",
    "load_database",
    "read_table",
    "database_fingerprint",
    "export_folder",
]

log = logging.getLogger(__name__)

# is_database_url lives in :mod:`trackreport.data.source` (which imports nothing heavy) and is re-exported here.


def _parse(url: str) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        u = make_url(url.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        raise TrackreportError("database URL is not of the form postgresql://user@host:port/database") from None
    if u.password is not None:
        raise TrackreportError(
            "database URL holds a password: give it in the PGPASSWORD environment variable or ~/.pgpass instead"
        )
    if not u.database:
        raise TrackreportError("database URL names no database (postgresql://user@host:port/database)")
    return u.set(drivername="postgresql+psycopg")


def safe_url(url: str) -> str:
    """The URL as it may be shown: never a password.

    >>> safe_url("postgresql://me@db:5432/sales?host=/tmp/s")
    'postgresql://me@db:5432/sales?host=/tmp/s'
    """
    from urllib.parse import unquote

    u = _parse(url)
    return unquote(u.set(drivername="postgresql").render_as_string(hide_password=True))


def connect(url: str) -> Any:
    """A SQLAlchemy engine for ``url`` (psycopg 3 driver), checked to answer."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(_parse(url), pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise TrackreportError(f"cannot connect to {safe_url(url)}: {reason}") from None
    return engine


def _arrow(rows: list[tuple], names: list[str]) -> pyarrow.Table:
    """Rows as an Arrow table; numeric(…) values become float64 like the contract's floats."""
    columns = {}
    for i, name in enumerate(names):
        values = [r[i] for r in rows]
        if any(isinstance(v, Decimal) for v in values):
            values = [None if v is None else float(v) for v in values]
        try:
            columns[name] = pyarrow.array(values)
        except (pyarrow.ArrowException, TypeError, ValueError):
            columns[name] = pyarrow.array([None if v is None else str(v) for v in values], type=pyarrow.string())
    return pyarrow.table(columns) if columns else pyarrow.table({})


def load_database(
    url: str,
    *,
    tables: Iterable[str] | None = None,
    fingerprint: str | None = None,
    in_place: Iterable[str] = HEAVY_TABLES,
) -> Dataset:
    """Validate the contract's tables in a database; read the light ones, leave the heavy ones there.

    The tables ``in_place`` (the heavy ones) are validated in the database
    (:mod:`trackreport.data.sqlcheck`) and stay there as remote tables of the dataset;
    the others are read whole and validated as a folder's are.

    Raises :class:`~trackreport.errors.DataValidationError` with every problem (missing
    tables and columns, wrong types, broken rules and keys), like :func:`load_data`.
    """
    from sqlalchemy import MetaData, inspect
    from sqlalchemy import Table as SqlTable

    from trackreport.data import sqlcheck

    names = list(TABLES) if tables is None else list(tables)
    engine = connect(url)
    try:
        fp = fingerprint or database_fingerprint(url, tables=names, engine=engine)
        present = set(inspect(engine).get_table_names())
        arrows: dict[str, pyarrow.Table | None] = {}
        with engine.connect() as conn:
            metadata = MetaData()
            reflected = {n: SqlTable(n, metadata, autoload_with=conn, resolve_fks=False) for n in names if n in present}
            checked_here = []
            for name in in_place:
                if name not in reflected:
                    continue
                wrong = sqlcheck.misfits(TABLES[name], reflected[name])
                if wrong:
                    stored = ", ".join(f"{c} as {t}" for c, t in wrong)
                    log.warning(
                        "%s: table %s stores %s, which does not fit the contract: read whole and validated in Python",
                        safe_url(url),
                        name,
                        stored,
                    )
                else:
                    checked_here.append(name)
            problems, rows = sqlcheck.check_tables(conn, reflected, checked_here)
            for name in names:
                if name not in present:
                    arrows[name] = None
                elif name not in checked_here:
                    arrows[name] = _select_all(conn, reflected[name])
    finally:
        engine.dispose()
    return load_arrow_tables(
        arrows,
        source=safe_url(url),
        fingerprint=fp,
        asked=tables is not None,
        checked=problems,
        remote_rows=rows,
        read_remote=functools.partial(read_table, url),
    )


def _select_all(conn: Any, t: Any) -> pyarrow.Table:
    from sqlalchemy import select

    key = [t.c[k] for k in TABLES[t.name].key if k in t.c]
    result = conn.execute(select(t).order_by(*key))
    return _arrow([tuple(r) for r in result], list(result.keys()))


def read_table(url: str, name: str) -> Any:
    """One table read whole from the database, in the contract's dtypes and key order.

    For a table validated in the database (a remote table of a :class:`~trackreport.data.
    load.Dataset`): its types are converted as a folder's, its rules are not checked again.
    """
    from sqlalchemy import MetaData
    from sqlalchemy import Table as SqlTable

    engine = connect(url)
    try:
        with engine.connect() as conn:
            arrow = _select_all(conn, SqlTable(name, MetaData(), autoload_with=conn, resolve_fks=False))
    finally:
        engine.dispose()
    return typed_arrow_table(arrow, TABLES[name])


def database_fingerprint(url: str, *, tables: Iterable[str] | None = None, engine: Any = None) -> str:
    """A checksum of every contract table's rows, computed in the database.

    Per table: the row count and an md5 over the md5 of each row's text form, in a fixed
    order, so equal contents give equal fingerprints and any changed row changes it.
    """
    from sqlalchemy import func, inspect, literal_column, select, table
    from sqlalchemy.dialects.postgresql import aggregate_order_by

    own = engine is None
    engine = connect(url) if own else engine
    digest = hashlib.sha256(b"postgresql\0")
    try:
        present = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            for name in list(TABLES) if tables is None else list(tables):
                if name not in present:
                    continue
                t = table(name).alias("t")
                row_md5 = func.md5(literal_column("t::text"))
                joined = func.string_agg(row_md5, aggregate_order_by(literal_column("''"), row_md5))
                n, md5 = conn.execute(select(func.count(), func.md5(joined)).select_from(t)).one()
                digest.update(f"{name}\0{n}\0{md5}\0".encode())
    finally:
        if own:
            engine.dispose()
    return digest.hexdigest()


def _sql_type(kind: str) -> Any:
    from sqlalchemy import BigInteger, Boolean, Date, DateTime, Double, Text

    return {
        "id": Text,
        "text": Text,
        "category": Text,
        "int": BigInteger,
        "float": Double,
        "bool": Boolean,
        "date": Date,
        "timestamp": DateTime,
    }[kind]


def _sql_table(table: Table, metadata: Any) -> Any:
    from sqlalchemy import Column, ForeignKeyConstraint, PrimaryKeyConstraint
    from sqlalchemy import Table as SqlTable

    cols = [Column(c.name, _sql_type(c.kind), nullable=c.nullable) for c in table.columns]
    constraints = [PrimaryKeyConstraint(*table.key)] if table.key else []
    for col, ref in table.foreign_keys.items():
        parent, parent_col = ref.split(".")
        constraints.append(ForeignKeyConstraint([col], [f"{parent}.{parent_col}"]))
    return SqlTable(table.name, metadata, *cols, *constraints)


def export_folder(folder: str, url: str, *, replace: bool = False) -> dict[str, int]:
    """Load a (validated) data folder into a database with the contract's types, keys and foreign keys.

    Refuses a database that already holds contract tables unless ``replace``. Returns the
    rows written per table.
    """
    import pandas as pd
    from psycopg import sql
    from sqlalchemy import MetaData, inspect

    ds = load_data(folder)
    engine = connect(url)
    try:
        existing = sorted(set(inspect(engine).get_table_names()) & set(ds))
        if existing and not replace:
            raise TrackreportError(
                f"{safe_url(url)} already holds {', '.join(existing)}: not replaced (use --replace to replace)"
            )
        metadata = MetaData()
        for name in ds:
            _sql_table(TABLES[name], metadata)
        referenced = {ref.split(".")[0] for t in ds for ref in TABLES[t].foreign_keys.values()}
        for ref in referenced - set(ds):  # a foreign key's target must exist to be declared
            raise TrackreportError(f"table {ref} is referenced but not in {folder}")
        with engine.begin() as conn:
            metadata.drop_all(conn)
            metadata.create_all(conn)
            written = {}
            raw = conn.connection.driver_connection  # psycopg: COPY is ~50x faster than INSERTs
            for t in metadata.sorted_tables:
                df = ds[t.name]
                names = [c.name for c in TABLES[t.name].columns]
                records = df[names].astype(object).where(df[names].notna(), None)
                for c in names:
                    if TABLES[t.name].column(c).kind == "date":
                        records[c] = [None if v is None else pd.Timestamp(v).date() for v in records[c]]
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(t.name), sql.SQL(", ").join(map(sql.Identifier, names))
                )
                with raw.cursor() as cur:
                    with cur.copy(statement) as copy:
                        for row in records.itertuples(index=False, name=None):
                            copy.write_row(row)
                written[t.name] = len(df)
    finally:
        engine.dispose()
    return written
