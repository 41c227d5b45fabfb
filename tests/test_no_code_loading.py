"""No file the tool reads can run code: no pickle-like deserialiser, YAML only through a safe loader.

The package source and the chapter notebooks are parsed (``ast``, so docstrings that
mention pickle do not count) for every standard way of turning bytes into running code;
the scanner itself is checked on planted snippets so this test can fail.
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from trackreport.paths import NOTEBOOKS_DIR, PROJ_ROOT

MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib", "jsonpickle"}
BUILTINS = {"eval", "exec", "compile", "__import__"}
ATTRIBUTES = {"read_pickle", "to_pickle", "unsafe_load", "full_load", "load_all", "UnsafeLoader", "FullLoader"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "_StrictLoader"}


def offenders(source: str) -> list[str]:
    """What in ``source`` could run code while reading a file, one entry per use."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in MODULES:
            found.append(f"from {node.module} import")
        elif isinstance(node, ast.Attribute) and node.attr in ATTRIBUTES:
            found.append(f".{node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in BUILTINS:
                found.append(f"{func.id}()")
            if any(k.arg == "allow_pickle" and getattr(k.value, "value", False) is True for k in node.keywords):
                found.append("allow_pickle=True")
            if isinstance(func, ast.Attribute) and func.attr == "load" and ast.unparse(func.value) == "yaml":
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                name = getattr(loader, "attr", getattr(loader, "id", None))
                if name not in SAFE_YAML_LOADERS:
                    found.append("yaml.load without a safe loader")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "import pickle",
        "from marshal import loads",
        "import joblib.numpy_pickle",
        "df = pd.read_pickle(path)",
        "a = np.load(p, allow_pickle=True)",
        "cfg = yaml.load(text)",
        "cfg = yaml.load(text, Loader=yaml.Loader)",
        "cfg = yaml.unsafe_load(text)",
        "x = eval(s)",
        "exec(code, {})",
        "m = __import__(name)",
    ],
)
def test_the_scanner_finds_planted_code(snippet):
    assert offenders(snippet)


def test_the_scanner_accepts_safe_code():
    ok = (
        '"""Parquet, unlike pickle, cannot run code; never eval()."""\n'
        "yaml.safe_load(t)\nyaml.load(text, Loader=_StrictLoader)\nyaml.load(t, Loader=yaml.SafeLoader)\n"
        "model.evaluate(x)\nre.compile('a')\nnp.load(p)\npq.read_table(p)\n"
    )
    assert offenders(ok) == []


def test_the_package_has_no_code_running_deserialiser():
    files = sorted((PROJ_ROOT / "trackreport").rglob("*.py"))
    assert len(files) > 20
    found = {str(p.relative_to(PROJ_ROOT)): hits for p in files if (hits := offenders(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_notebooks_have_no_code_running_deserialiser():
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(
            line
            for cell in nb.cells
            if cell.cell_type == "code"
            for line in cell.source.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        assert offenders(code) == [], path.name
