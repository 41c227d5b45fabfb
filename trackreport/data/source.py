"""Where the data comes from: a folder of files or a database URL, behind one interface.

The report runner and the CLI call these four functions with the ``--data`` value and
never ask which kind of source it is.
"""

from __future__ import annotations

from pathlib import Path

from trackreport.data.load import Dataset, fingerprint, load_data
from trackreport.data.sql import database_fingerprint, is_database_url, load_database, safe_url

__all__ = ["resolve_source", "source_label", "source_fingerprint", "load_source"]


def resolve_source(spec: str | Path) -> str | Path:
    """A database URL as given, a folder as an absolute path.

    >>> resolve_source("postgresql://me@db/sales")
    'postgresql://me@db/sales'
    >>> resolve_source("data/sample").is_absolute()
    True
    """
    return spec if is_database_url(spec) else Path(spec).resolve()


def source_label(spec: str | Path) -> str:
    """The source as it may be shown in a report or a log: a folder's path, a URL without password."""
    return safe_url(spec) if is_database_url(spec) else str(spec)


def source_fingerprint(spec: str | Path) -> str:
    """A fingerprint of the source's contents (file bytes, or a checksum the database computes)."""
    return database_fingerprint(spec) if is_database_url(spec) else fingerprint(spec)


def load_source(spec: str | Path, *, fingerprint: str | None = None) -> Dataset:
    """Read and validate every contract table of the source.

    A database's ``fingerprint``, when the caller has just computed it with
    :func:`source_fingerprint`, is not asked of the database a second time (a folder's
    comes with reading its bytes anyway).
    """
    if is_database_url(spec):
        return load_database(spec, fingerprint=fingerprint)
    return load_data(spec)
