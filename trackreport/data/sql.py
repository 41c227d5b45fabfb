"""A PostgreSQL warehouse as a data source: the contract's tables read through SQLAlchemy (psycopg 3).

``--data postgresql://user@host:port/db`` (or ``DATA=`` in make) reads the same tables
as a data folder, validated by the same schemas (:func:`trackreport.data.load.
load_arrow_tables`), so a report from the database equals the report from the folder
it was loaded from, to the last digit.

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

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pyarrow

from trackreport.data.load import Dataset, load_arrow_tables, load_data
from trackreport.data.schema import TABLES, Table
from trackreport.data.source import is_database_url
from trackreport.errors import TrackreportError

__all__ = ["is_database_url", "safe_url", "connect", "load_database", "database_fingerprint", "export_folder"]

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


def load_database(url: str, *, tables: Iterable[str] | None = None, fingerprint: str | None = None) -> Dataset:
    """Read and validate the contract's tables from a database.

    Raises :class:`~trackreport.errors.DataValidationError` with every problem (missing
    tables and columns, wrong types, broken rules and keys), like :func:`load_data`.
    """
    from sqlalchemy import MetaData, inspect, select
    from sqlalchemy import Table as SqlTable

    names = list(TABLES) if tables is None else list(tables)
    engine = connect(url)
    try:
        fp = fingerprint or database_fingerprint(url, tables=names, engine=engine)
        present = set(inspect(engine).get_table_names())
        arrows: dict[str, pyarrow.Table | None] = {}
        with engine.connect() as conn:
            for name in names:
                if name not in present:
                    arrows[name] = None
                    continue
                t = SqlTable(name, MetaData(), autoload_with=conn)
                key = [t.c[k] for k in TABLES[name].key if k in t.c]
                result = conn.execute(select(t).order_by(*key))
                arrows[name] = _arrow([tuple(r) for r in result], list(result.keys()))
    finally:
        engine.dispose()
    return load_arrow_tables(arrows, source=safe_url(url), fingerprint=fp, asked=tables is not None)


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
