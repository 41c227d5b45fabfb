"""The Makefile documents itself and the README's two commands are what it runs."""

from __future__ import annotations

import re
import subprocess

from trackreport.paths import PROJ_ROOT

MAKEFILE = (PROJ_ROOT / "Makefile").read_text(encoding="utf-8")


def test_every_phony_target_has_a_help_line():
    phony = re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.M).group(1).split()
    documented = set(re.findall(r"^([a-zA-Z_-]+):.*## ", MAKEFILE, re.M))
    assert set(phony) == documented


def test_make_help_lists_every_target():
    out = subprocess.run(["make", "-s", "help"], cwd=PROJ_ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("report", "reports", "test", "validate", "bench", "lab", "sample", "contract", "install"):
        assert re.search(rf"\b{target}\b", out), target


def test_readme_starts_with_the_two_commands():
    readme = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    head = readme.split("\n## ", 1)[0]
    assert "make report TEAM=east" in head and "make test" in head
    ci = (PROJ_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
