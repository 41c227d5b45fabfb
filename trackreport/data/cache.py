"""Caches of validated data as Parquet: fast to read back and unable to run code when read.

The report runner validates a data folder once and keeps the validated tables here,
outside the data folder; chapters read them back instead of parsing and validating the
files again. Parquet (through pyarrow) stores values and pandas dtypes, never code, so a
cache file that someone else wrote can at worst hold wrong data (the fingerprint in
``meta.json`` guards against stale data), never run anything: unlike pickle.

Writes are atomic (a temporary folder or file renamed into place), so a reader never
sees half a cache.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from trackreport.data.load import Dataset
from trackreport.errors import TrackreportError

__all__ = ["write_frame", "read_frame", "write_dataset", "read_dataset"]

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
    try:
        for name, df in ds.tables.items():
            df.to_parquet(staging / f"{name}.parquet", index=True)
        meta = {"folder": str(ds.folder), "fingerprint": ds.fingerprint, "tables": list(ds.tables)}
        (staging / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def read_dataset(folder: str | Path) -> Dataset:
    """Read a dataset written by :func:`write_dataset`.

    Examples
    --------
    >>> import tempfile
    >>> ds = Dataset({"t": pd.DataFrame({"a": [1.5]})}, folder=Path("x"), fingerprint="f0")
    >>> back = read_dataset(write_dataset(ds, Path(tempfile.mkdtemp()) / "c"))
    >>> back.fingerprint, back["t"].equals(ds["t"])
    ('f0', True)
    """
    folder = Path(folder)
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in meta["tables"]}
    except (OSError, ValueError, KeyError) as exc:
        raise TrackreportError(
            f"The validated-data cache {folder} is unreadable ({exc.__class__.__name__}); delete it and run again."
        ) from None
    return Dataset(tables, folder=Path(meta["folder"]), fingerprint=meta["fingerprint"])
