"""Where the data comes from: a folder of files or a database URL, behind one interface.

The report runner and the CLI call these functions with the ``--data`` value and never
ask which kind of source it is. This module imports nothing heavy at load time (no
pandas, pandera or SQLAlchemy): telling a URL from a folder and finding a folder's
fingerprint from its file stats is what a re-run with nothing changed does, and it
should answer in a blink. Loading imports :mod:`trackreport.data.load` or
:mod:`trackreport.data.sql` when called.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trackreport.data.load import Dataset

__all__ = [
    "SCHEMES",
    "is_database_url",
    "resolve_source",
    "source_label",
    "source_fingerprint",
    "remembered_fingerprint",
    "load_source",
]

SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")

RACY_SECONDS = 2.0
"""Stats of a file changed this recently are not remembered: a change within the same clock tick could keep them."""


def is_database_url(spec: object) -> bool:
    """Whether a ``--data`` value names a database rather than a folder.

    >>> is_database_url("postgresql://me@db:5432/sales"), is_database_url("data/sample")
    (True, False)
    """
    return isinstance(spec, str) and spec.startswith(SCHEMES)


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
    if is_database_url(spec):
        from trackreport.data.sql import safe_url

        return safe_url(spec)
    return str(spec)


def source_fingerprint(spec: str | Path, *, memo: Path | None = None) -> str:
    """A fingerprint of the source's contents (file bytes, or a checksum the database computes).

    For a folder, ``memo`` is a JSON file (the runner's, outside the data folder) that
    remembers the fingerprint with the stats (name, size, modification time, inode) of
    every file in the folder: when no stat changed, the fingerprint is read from it
    instead of hashing the files again. Files modified within :data:`RACY_SECONDS` of
    the run are never remembered, so a change in the same clock tick cannot hide.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "market_index.csv").write_text("region,month,index\\n")
    >>> fp = source_fingerprint(d, memo=d.parent / f"{d.name}-memo.json")
    >>> fp == source_fingerprint(d)
    True
    """
    if is_database_url(spec):
        from trackreport.data.sql import database_fingerprint

        return database_fingerprint(spec)
    folder = Path(spec)
    stats = _folder_stats(folder) if memo is not None else None
    if stats is not None and (known := _remembered(folder, Path(memo), stats)) is not None:
        return known
    from trackreport.data.load import fingerprint

    fp = fingerprint(folder)
    if stats is not None and _folder_stats(folder) == stats and not _racy(stats):
        _write_memo(Path(memo), {"folder": str(folder.resolve()), "stats": stats, "fingerprint": fp})
    return fp


def remembered_fingerprint(spec: str | Path, memo: Path) -> str | None:
    """The folder's fingerprint from ``memo`` if no file stat changed, else None (hashing needed).

    Imports nothing heavy; None for a database, whose fingerprint the database computes.
    """
    if is_database_url(spec):
        return None
    stats = _folder_stats(Path(spec))
    return None if stats is None else _remembered(Path(spec), Path(memo), stats)


def _remembered(folder: Path, memo: Path, stats: list[list]) -> str | None:
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if known["folder"] == str(folder.resolve()) and known["stats"] == stats:
            return str(known["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _folder_stats(folder: Path) -> list[list] | None:
    """Name, size, mtime (ns) and inode of every file under ``folder`` (hidden folders skipped), sorted."""
    out: list[list] = []
    try:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                path = os.path.join(root, name)
                st = os.stat(path)
                out.append([os.path.relpath(path, folder), st.st_size, st.st_mtime_ns, st.st_ino])
    except OSError:
        return None
    return sorted(out)


def _racy(stats: list[list]) -> bool:
    now = time.time_ns()
    return any(now - mtime < RACY_SECONDS * 1e9 for _, _, mtime, _ in stats)


def _write_memo(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def load_source(spec: str | Path, *, fingerprint: str | None = None) -> Dataset:
    """Read and validate every contract table of the source.

    A database's ``fingerprint``, when the caller has just computed it with
    :func:`source_fingerprint`, is not asked of the database a second time (a folder's
    comes with reading its bytes anyway).
    """
    if is_database_url(spec):
        from trackreport.data.sql import load_database

        return load_database(spec, fingerprint=fingerprint)
    from trackreport.data.load import load_data

    return load_data(spec)
