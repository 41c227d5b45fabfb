"""environment.yml (conda) and pyproject.toml (pip) name the same packages and bounds."""

from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from trackreport.paths import PROJ_ROOT


def bounds(specs: list[str]) -> dict[str, str]:
    """Package name → its version specifier, e.g. ``{"pandas": ">=3.0"}``."""
    out = {}
    for spec in specs:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name not in out, f"{name} listed twice"
        out[name] = str(req.specifier)
    return out


def conda_dependencies() -> dict[str, str]:
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text(encoding="utf-8"))
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip == [{"pip": ["-e ."]}], "only the package itself comes from pip"
    return bounds([s for s in specs if s != "pip"])


def pyproject() -> dict:
    return tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_conda_and_pip_dependencies_agree():
    project = pyproject()["project"]
    pip = bounds(project["dependencies"] + project["optional-dependencies"]["dev"])
    conda = conda_dependencies()
    python = conda.pop("python")
    assert conda == pip
    assert python == project["requires-python"]


def test_every_dependency_has_a_lower_bound():
    for name, spec in conda_dependencies().items():
        assert ">=" in spec, name
