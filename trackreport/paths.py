"""Where things are. Every path of the project is derived here, nowhere else."""

from __future__ import annotations

from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJ_ROOT / "data" / "sample"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
PARAMS_DIR = PROJ_ROOT / "params"
REPORTS_DIR = PROJ_ROOT / "reports"
DOCS_DIR = PROJ_ROOT / "docs"
