"""The package's public API is re-exported lazily: importing ``trackreport`` stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys

import trackreport

HEAVY = ("pandas", "scipy", "statsmodels", "papermill", "pandera")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_trackreport_imports_no_heavy_library():
    loaded = _modules_after("import trackreport")
    assert not [m for m in HEAVY if m in loaded]


def test_every_public_name_resolves_and_is_listed():
    for name in trackreport.__all__:
        assert getattr(trackreport, name) is not None
        assert name in dir(trackreport)
    from trackreport import Estimate, did, top2box
    from trackreport.stats.attribution import did as did_itself
    from trackreport.stats.estimate import Estimate as Estimate_itself
    from trackreport.stats.reaction import top2box as top2box_itself

    assert (did, Estimate, top2box) == (did_itself, Estimate_itself, top2box_itself)


def test_star_import_gives_every_public_name():
    namespace: dict = {}
    exec("from trackreport import *", namespace)
    assert set(trackreport.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error():
    try:
        trackreport.no_such_statistic  # noqa: B018
    except AttributeError as exc:
        assert "no_such_statistic" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")
