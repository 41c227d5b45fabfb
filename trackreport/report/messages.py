"""Message extraction and catalog checks: every text a reader sees has its translation.

:func:`extract_messages` runs Babel's Python extractor over the package and the chapter
notebooks' code cells (keywords :data:`KEYWORDS`), and takes each notebook Markdown
block (:func:`trackreport.i18n.markdown_blocks`). :func:`check_catalog` compares that
with a language's PO files and lists, all at once: messages without a translation,
translations whose placeholders differ from the English, entries no code uses any more,
and one message translated two ways in two files. ``python -m trackreport messages``
prints the problems and, with ``--write FILE``, appends the missing messages to a PO
file for a translator to fill in.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trackreport.i18n import LANGUAGES, catalog_files, markdown_blocks, placeholders
from trackreport.paths import NOTEBOOKS_DIR, PROJ_ROOT

__all__ = [
    "KEYWORDS",
    "Problem",
    "catalog_entries",
    "check_catalog",
    "extract_messages",
    "hidden_messages",
    "write_missing",
]

#: Translation functions and which arguments are messages (Babel's keyword spec).
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
PACKAGE_DIR = PROJ_ROOT / "trackreport"

Key = str | tuple[str, str]  # a message id, or (singular, plural)


@dataclass(frozen=True)
class Problem:
    """One catalog problem: its kind, the message and where it is."""

    kind: str
    message: Key
    where: str

    def __str__(self) -> str:
        text = self.message if isinstance(self.message, str) else " | ".join(self.message)
        short = text if len(text) <= 90 else text[:87] + "..."
        return f"{self.where}: {self.kind}: {short!r}"


def _python_messages(source: str, where: str) -> Iterable[tuple[Key, str]]:
    from babel.messages.extract import extract

    for lineno, message, _comments, _context in extract(
        "python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS, comment_tags=()
    ):
        if isinstance(message, tuple):
            message = tuple(message[:2])
        if message:
            yield message, f"{where}:{lineno}"


def _notebook_messages(path: Path) -> Iterable[tuple[Key, str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PROJ_ROOT).as_posix() if path.is_relative_to(PROJ_ROOT) else str(path)
    for i, cell in enumerate(nb["cells"], 1):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        where = f"{rel}:{i}"  # the cell's number where a module has a line number
        if cell["cell_type"] == "markdown":
            for block in markdown_blocks(source):
                yield block, where
        elif cell["cell_type"] == "code":
            code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
            for key, _line in _python_messages(code, where):
                yield key, where


_FSTRING_CALL = re.compile(r"""\{[^{}]*\b(?:_|N_|gettext|ngettext)\(\s*['"]""")


def hidden_messages(paths: Iterable[Path] | None = None) -> list[Problem]:
    """Translation calls inside an f-string's braces: Python 3.11's tokenizer keeps an f-string whole,
    so Babel never sees them (the text would stay English). Move the call out of the f-string."""
    found = []
    for path in _default_paths() if paths is None else paths:
        path = Path(path)
        if path.suffix != ".py":
            continue
        source = path.read_text(encoding="utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            prefix = tok.string[: tok.string.find(tok.string.lstrip("rRbBuUfF")[:1])].lower()
            if tok.type == tokenize.STRING and "f" in prefix and _FSTRING_CALL.search(tok.string):
                rel = path.relative_to(PROJ_ROOT).as_posix() if path.is_relative_to(PROJ_ROOT) else str(path)
                found.append(
                    Problem(
                        "translation call inside an f-string (not extractable)", tok.string, f"{rel}:{tok.start[0]}"
                    )
                )
    return found


def _default_paths() -> list[Path]:
    return [*sorted(PACKAGE_DIR.rglob("*.py")), *sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))]


def extract_messages(paths: Iterable[Path] | None = None) -> dict[Key, list[str]]:
    """Every message of the package and the chapter notebooks (or of ``paths``) -> where it is used."""
    if paths is None:
        paths = _default_paths()
    found: dict[Key, list[str]] = {}
    for path in paths:
        path = Path(path)
        if path.suffix == ".ipynb":
            pairs = _notebook_messages(path)
        else:
            rel = path.relative_to(PROJ_ROOT).as_posix() if path.is_relative_to(PROJ_ROOT) else str(path)
            pairs = _python_messages(path.read_text(encoding="utf-8"), rel)
        for key, where in pairs:
            found.setdefault(key, []).append(where)
    return found


def catalog_entries(code: str) -> dict[Key, list[tuple[str, str | tuple[str, ...]]]]:
    """Language ``code``'s catalog entries: message -> [(file, translation)], over all its PO files."""
    from babel.messages.pofile import read_po

    entries: dict[Key, list[tuple[str, str | tuple[str, ...]]]] = {}
    for path in catalog_files(code):
        with path.open("rb") as f:
            catalog = read_po(f, locale=LANGUAGES[code])
        for m in catalog:
            if not m.id:
                continue  # the header
            key = tuple(m.id[:2]) if isinstance(m.id, tuple | list) else m.id
            value = tuple(m.string) if isinstance(m.string, tuple | list) else m.string
            entries.setdefault(key, []).append((path.name, value))
    return entries


def check_catalog(code: str, messages: dict[Key, list[str]] | None = None) -> list[Problem]:
    """What language ``code``'s catalogs lack or get wrong against the extracted ``messages``."""
    messages = extract_messages() if messages is None else messages
    entries = catalog_entries(code)
    problems = []
    for key, where in messages.items():
        if key not in entries:
            problems.append(Problem("no translation", key, where[0]))
    for key, found in entries.items():
        files = ", ".join(sorted({f for f, _ in found}))
        if key not in messages:
            problems.append(Problem("obsolete (no code uses it)", key, files))
            continue
        if len({v for _, v in found}) > 1:
            problems.append(Problem("translated differently in two files", key, files))
        wanted = placeholders(key) if isinstance(key, str) else placeholders(key[0]) | placeholders(key[1])
        for file, value in found:
            texts = [value] if isinstance(value, str) else list(value)
            if not all(texts):
                problems.append(Problem("empty translation", key, file))
            elif any(placeholders(t) - wanted for t in texts) or (
                isinstance(key, str) and placeholders(texts[0]) != wanted
            ):
                problems.append(Problem(f"placeholders differ from {sorted(wanted)}", key, file))
    return problems


def write_missing(code: str, dest: Path, paths: Iterable[Path] | None = None) -> int:
    """Append the messages of ``paths`` (default: all) that ``code``'s catalogs lack to PO file ``dest``.

    Returns how many were added; existing entries of ``dest`` are kept as they are.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    messages = extract_messages(paths)
    known = catalog_entries(code)
    if dest.exists():
        with dest.open("rb") as f:
            catalog = read_po(f, locale=LANGUAGES[code])
    else:
        catalog = Catalog(
            locale=LANGUAGES[code],
            project="trackreport",
            header_comment=f"# {dest.stem}: {LANGUAGES[code]} catalog of trackreport (python -m trackreport messages).",
            fuzzy=False,
        )
    added = 0
    for key, where in messages.items():
        if key in known or key in catalog:
            continue
        locations = [(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where[:3]]
        catalog.add(key, "" if isinstance(key, str) else ("", ""), locations=locations)
        added += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as f:
        write_po(f, catalog, width=0, sort_output=False, omit_header=False)
    return added
