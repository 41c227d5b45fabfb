"""The per-run store of chapter results: a result several chapters show is computed once per report.

Chapter 01 (targets), 06 (sales) and later chapters show the same sales attribution. The
first chapter that asks for it computes it; the others read it back. Entries live under
the run's cache folder, ``<out>/.cache/results/<key>/<name>.parquet``, where ``key``
hashes everything the result depends on, as the chapter cache does: the data
fingerprint, team, quarter, the effective parameters and the package source. A change
to any of them gives a new key, so a stale result is never read.

Results are stored as Parquet (frames) or JSON (plain values), never pickle: reading a
store entry cannot run code. Two kernels that ask for the same entry at once are
serialised by a file lock, so the second one waits and reads instead of computing again.
Without a cache folder (a notebook opened in JupyterLab) the store keeps results in
memory only.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from trackreport import __version__

__all__ = ["ResultStore", "package_digest", "prune_results", "store_key"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]


@cache
def package_digest() -> str:
    """sha256 over the package's version and source (``.py``, ``.j2``, ``.json`` files).

    Any change to the package's code gives a new digest, so results and chapters
    computed by older code are not reused.
    """
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".json"} and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PACKAGE_DIR.parent)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def store_key(*, fingerprint: str, team: str, quarter: str, params_yaml: str, package: str) -> str:
    """The key of one report's results: a hash of everything they depend on.

    >>> k = store_key(fingerprint="f", team="east", quarter="2025Q3", params_yaml="a: 1", package="p")
    >>> k == store_key(fingerprint="f", team="east", quarter="2025Q3", params_yaml="a: 2", package="p")
    False
    >>> len(k)
    24
    """
    h = hashlib.sha256()
    for part in (fingerprint, team, quarter, params_yaml, package):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:24]


class ResultStore:
    """Results of one report, computed once and shared by its chapters.

    Parameters
    ----------
    folder : Path or None
        The report's entry folder (``<out>/.cache/results/<key>``); ``None`` keeps
        results in memory only.

    Examples
    --------
    >>> import pandas as pd
    >>> calls = []
    >>> def compute():
    ...     calls.append(1)
    ...     return pd.DataFrame({"x": [1.0]})
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> a = ResultStore(root).get("t", compute)
    >>> b = ResultStore(root).get("t", compute)  # another chapter, another process
    >>> len(calls), b.equals(a)
    (1, True)
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = None if folder is None else Path(folder)
        self._memory: dict[str, Any] = {}

    def get(self, name: str, compute: Callable[[], Any]) -> Any:
        """The stored result ``name``, computing and storing it first if it is not there.

        ``compute`` returns a DataFrame (stored as Parquet) or a JSON-serialisable
        value (stored as JSON).
        """
        if name in self._memory:
            return self._memory[name]
        if self.folder is None:
            value = compute()
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.folder / f"{name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    value = self._read(name)
                    if value is None:
                        value = compute()
                        self._write(name, value)
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        self._memory[name] = value
        return value

    def _read(self, name: str) -> Any:
        frame, doc = self.folder / f"{name}.parquet", self.folder / f"{name}.json"
        if frame.is_file():
            from trackreport.data.cache import read_frame

            return read_frame(frame)
        if doc.is_file():
            return json.loads(doc.read_text(encoding="utf-8"))
        return None

    def _write(self, name: str, value: Any) -> None:
        import pandas as pd  # here, not at the top: planning a run (package_digest, store_key) imports no pandas

        from trackreport.data.cache import write_frame

        if isinstance(value, pd.DataFrame):
            write_frame(value, self.folder / f"{name}.parquet")
            return
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(value, fh)
        os.replace(tmp, self.folder / f"{name}.json")


def prune_results(root: Path, *, keep: set[str]) -> None:
    """Remove the result entries under ``root`` whose key is not in ``keep`` (older runs' results).

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for k in ("old", "new"):
    ...     (root / k).mkdir()
    >>> prune_results(root, keep={"new"})
    >>> sorted(p.name for p in root.iterdir())
    ['new']
    """
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
