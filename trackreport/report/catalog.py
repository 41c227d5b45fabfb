"""The chapter templates: which notebooks make a report, the parameters the runner passes them, and their cache keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trackreport.errors import TrackreportError
from trackreport.paths import NOTEBOOKS_DIR

RUNNER_PARAMETERS = ("team", "quarter", "data_dir", "params_file", "dataset_cache")
SUMMARY_NUMBER = "00"
"""The executive summary: executed after the report's other chapters, whose recorded headlines it reads."""


@dataclass(frozen=True)
class ChapterNotebook:
    """A chapter template notebook: ``notebooks/NN_name.ipynb``."""

    number: str
    slug: str
    title: str
    path: Path

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def is_summary(self) -> bool:
        return self.number == SUMMARY_NUMBER


def discover_chapters(folder: Path = NOTEBOOKS_DIR, only: Sequence[str] | None = None) -> list[ChapterNotebook]:
    """Chapter notebooks in ``folder`` (``NN_name.ipynb``), in chapter order.

    The title is the first Markdown heading of the notebook, read from its JSON (nbformat
    and its schema validation are not imported to plan a run).
    """
    chapters = []
    for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        number, _, slug = path.stem.partition("_")
        if only and number not in only and path.stem not in only:
            continue
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError) as exc:
            raise TrackreportError(f"chapter notebook {path} is not a readable notebook ({exc})") from None
        title = path.stem
        for cell in cells:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if cell.get("cell_type") == "markdown" and source.lstrip().startswith("#"):
                title = source.lstrip().splitlines()[0].lstrip("# ").strip()
                break
        chapters.append(ChapterNotebook(number, slug, title, path))
    if not chapters:
        raise TrackreportError(f"no chapter notebooks (NN_name.ipynb) in {folder}")
    return chapters


def chapter_key(chapter: ChapterNotebook, params_yaml: str, data_fp: str, package_fp: str) -> str:
    """What a chapter's output depends on: notebook, package code, parameters, data."""
    h = hashlib.sha256()
    for part in (chapter.path.read_bytes(), package_fp.encode(), params_yaml.encode(), data_fp.encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()
