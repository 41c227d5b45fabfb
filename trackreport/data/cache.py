"""Caches of validated data as Parquet: fast to read back and unable to run code when read.

The report runner validates a data folder once and keeps the validated tables here,
outside the data folder; chapters read them back instead of parsing and validating the
files again. Parquet (through pyarrow) stores values and pandas dtypes, never code, so a
cache file that someone else wrote can at worst hold wrong data (the fingerprint in
``meta.json`` guards against stale data), never run anything: unlike pickle.

Writes are atomic (a temporary folder or file renamed into place), so a reader never
sees half a cache.

:func:`read_dataset` reads lazily: a table is read from its Parquet file when first
asked for, and a chapter's view (:meth:`CachedDataset.only`) lets go of the tables the
chapter does not declare, so a report kernel holds only its chapter's tables, not the
whole company.

A dataset from a database keeps its heavy tables there (remote tables,
:class:`~trackreport.data.load.RemoteTables`): the cache stores only the tables read,
and ``meta.json`` names the remote ones with the database URL (which never holds a
password, :func:`trackreport.data.sql.safe_url`), so a reader asks the database for one
when code reads it (:func:`trackreport.data.sql.read_table`).

In report kernels (:func:`release_after_cells`), freed memory is handed back after every
cell.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from trackreport.data.load import Dataset
from trackreport.errors import TrackreportError

__all__ = [
    "write_frame",
    "read_frame",
    "write_dataset",
    "read_dataset",
    "CachedDataset",
    "release_memory",
    "release_after_cells",
]

META = "meta.json"


def write_frame(df: pd.DataFrame, path: str | Path) -> Path:
    """Write one frame to ``path`` (Parquet) atomically.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    >>> back = read_frame(write_frame(df, d / "t.parquet"))
    >>> back.equals(df)
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        df.to_parquet(tmp, index=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a frame written by :func:`write_frame`."""
    return pd.read_parquet(path)


def write_dataset(ds: Dataset, folder: str | Path) -> Path:
    """Write a validated dataset into ``folder``: one Parquet file per table and ``meta.json``.

    The folder is built beside its final place and renamed into it, replacing an older
    cache of the same name.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    remote = ds.remote  # tables left in their database: named, not stored
    try:
        for name in ds.tables:
            if name not in remote:
                # index=None: a RangeIndex is kept as metadata (index=True would write it as a column)
                _plain_index(ds.tables[name]).to_parquet(staging / f"{name}.parquet", index=None)
        meta = {"folder": str(ds.folder), "fingerprint": ds.fingerprint, "tables": list(ds.tables)}
        if remote:
            meta["remote"] = {"url": ds.tables.url, "rows": {n: ds.tables.remote_rows[n] for n in remote}}
        (staging / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def _plain_index(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a :class:`~pandas.RangeIndex` if its index is 0, 1, ..., n - 1 (unnamed) already.

    Parquet then stores the index as three numbers instead of a column, and every reader
    of the cache is spared 8 bytes a row (11 MB for ``orders`` at 10x the sample). The
    index labels are the same, so the frame is equal.

    >>> df = pd.DataFrame({"a": [1, 2, 3]}, index=pd.Index([0, 1, 2]))
    >>> type(_plain_index(df).index).__name__, _plain_index(df).equals(df)
    ('RangeIndex', True)
    >>> type(_plain_index(df.iloc[[0, 2]]).index).__name__
    'Index'
    """
    idx = df.index
    if isinstance(idx, pd.RangeIndex) or idx.name is not None or idx.dtype != "int64":
        return df
    if not idx.equals(pd.RangeIndex(len(idx))):
        return df
    return df.set_axis(pd.RangeIndex(len(idx)), axis=0)


def release_memory(*, collect: bool = True) -> None:
    """Hand freed memory back to the system: pyarrow's pool and the C heap keep it otherwise.

    After a large table is dropped, or once the runner has written the validated cache,
    the process's resident memory then shrinks to what it still uses.
    """
    if collect:  # frames in reference cycles
        import gc

        gc.collect()
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to trim
            pass


def _release_after_cell(*_: object) -> None:
    release_memory(collect=False)


def release_after_cells(shell: Any) -> bool:
    """Have an IPython ``shell`` hand freed memory back after every cell it runs; once per shell.

    A chapter's cell that aggregates a large table leaves a few hundred MB of freed
    buffers in the C heap; without this they stay resident until the next chapter
    starts, while the other kernels are at their own peaks. Returns whether the hook was added now (False: the shell had it already).

    Examples
    --------
    >>> from IPython.core.events import EventManager
    >>> class Shell:
    ...     events = EventManager(None, {"post_run_cell": None})
    >>> shell = Shell()
    >>> release_after_cells(shell), release_after_cells(shell)
    (True, False)
    """
    if _release_after_cell in shell.events.callbacks["post_run_cell"]:
        return False
    shell.events.register("post_run_cell", _release_after_cell)
    return True


def _unreadable(folder: Path, exc: Exception) -> TrackreportError:
    return TrackreportError(
        f"The validated-data cache {folder} is unreadable ({exc.__class__.__name__}); delete it and run again."
    )


class _ParquetTables(Mapping[str, pd.DataFrame]):
    """The tables of a cache folder, each read from its Parquet file when first asked for, then kept.

    Names, membership and row counts come from the folder's ``meta.json`` and the
    files' Parquet footers: no table is read to answer them.
    """

    def __init__(
        self, folder: Path, rows: Mapping[str, int], remote: str = "", remote_names: Iterable[str] = ()
    ) -> None:
        self._folder = folder
        self._rows = dict(rows)
        self._frames: dict[str, pd.DataFrame] = {}
        self._remote = remote  # the database URL of the tables not stored here
        self._remote_names = frozenset(remote_names)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._rows:
            raise KeyError(name)
        if name not in self._frames and name in self._remote_names:  # a heavy table of a database source
            from trackreport.data.sql import read_table

            self._frames[name] = read_table(self._remote, name)
        if name not in self._frames:
            try:
                self._frames[name] = pd.read_parquet(self._folder / f"{name}.parquet")
            except (OSError, ValueError) as exc:
                raise _unreadable(self._folder, exc) from None
            release_memory(collect=False)  # the buffers of the read itself (about half a large table again)
        return self._frames[name]

    def __contains__(self, name: object) -> bool:
        return name in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def n_rows(self) -> int:
        return sum(self._rows.values())

    @property
    def remote(self) -> tuple[str, ...]:
        """The tables left in the database (:attr:`url`), read from there when asked for."""
        return tuple(n for n in self._rows if n in self._remote_names)

    @property
    def remote_rows(self) -> dict[str, int]:
        return {n: self._rows[n] for n in self.remote}

    @property
    def url(self) -> str:
        return self._remote

    @property
    def in_memory(self) -> tuple[str, ...]:
        """The tables read and kept."""
        return tuple(self._frames)

    def keep_only(self, names: Iterable[str]) -> None:
        """Let go of the tables read that are not in ``names`` (they are read again if asked for).

        Memory is then handed back to the system: a kernel asks this at the start of each
        chapter, when the previous chapter's objects are garbage too.
        """
        names = set(names)
        for n in [n for n in self._frames if n not in names]:
            del self._frames[n]
        release_memory()


class CachedDataset(Dataset):
    """A :class:`~trackreport.data.load.Dataset` read lazily from a cache folder (:func:`read_dataset`).

    Behaves as the dataset it was written from; each table is read on first access.
    :meth:`only` (a chapter's view) also lets go of the tables read that the view may
    not read, so a kernel running one chapter after another holds one chapter's tables.
    """

    def __post_init__(self) -> None:  # keep the lazy mapping: copying it into a dict would read every table
        pass

    def only(self, names: Iterable[str], *, reader: str = "") -> CachedDataset:
        names = frozenset(names)
        self.tables.keep_only(names)
        return CachedDataset(self.tables, self.folder, self.fingerprint, names, reader, self.notices)

    @property
    def n_rows(self) -> int:
        return self.tables.n_rows


def read_dataset(folder: str | Path) -> CachedDataset:
    """Open a dataset written by :func:`write_dataset`; each table is read when first asked for.

    The files' Parquet footers are checked here, so a damaged cache is said at once.

    Examples
    --------
    >>> import tempfile
    >>> ds = Dataset({"t": pd.DataFrame({"a": [1.5]}), "u": pd.DataFrame()}, folder=Path("x"), fingerprint="f0")
    >>> back = read_dataset(write_dataset(ds, Path(tempfile.mkdtemp()) / "c"))
    >>> back.fingerprint, back.n_rows, back.tables.in_memory
    ('f0', 1, ())
    >>> back["t"].equals(ds["t"]), back.tables.in_memory
    (True, ('t',))
    >>> view = back.only(["u"])
    >>> back.tables.in_memory, list(view)
    ((), ['u'])
    """
    folder = Path(folder)
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        remote = meta.get("remote", {"url": "", "rows": {}})
        rows = {
            name: remote["rows"][name]
            if name in remote["rows"]
            else pq.read_metadata(folder / f"{name}.parquet").num_rows
            for name in meta["tables"]
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _unreadable(folder, exc) from None
    tables = _ParquetTables(folder, rows, remote["url"], remote["rows"])
    return CachedDataset(tables, folder=Path(meta["folder"]), fingerprint=meta["fingerprint"])
