"""Make variables reach the shell through the environment, quoted: nothing in them runs.

Each case runs the real target (``make report``/``validate``) with a hostile value and
checks that the marker file the injected command would create does not exist, that the
trackreport CLI received the value whole (its message quotes it) and that no traceback
shows. ``-o .venv/.installed`` keeps make from reinstalling the environment.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from trackreport.paths import PROJ_ROOT

# Every variable of a target is hostile at once, each with its own marker: the shell would
# run any one pasted unquoted before trackreport even starts, so one run checks them all.
CASES = [
    (
        "report",
        {
            "TEAM": "east;touch {m}1 #",
            "QUARTER": "2025Q3;touch {m}2 #",
            "DATA": "data/sample`touch {m}3`",
            "OUT": "out$$(touch {m}4)",
        },
        "team must match [a-z0-9_-]+ (lower-case letters, digits, _ or -), got 'east;touch ",
    ),
    ("report", {"TEAM": 'east" ; touch {m}1 ; echo "', "QUARTER": "--all"}, "got 'east\" ; touch"),
    ("report", {"TEAM": "east", "QUARTER": "--all"}, "quarter must look like 2025Q3, got '--all'"),
    ("report", {"TEAM": "../../etc"}, "got '../../etc'"),
    ("validate", {"DATA": "x' ; touch {m}1 ; '"}, "data folder x' ; touch "),
    ("reports", {"DATA": "/dev/null;touch {m}1 #", "OUT": "x;touch {m}2 #"}, "data folder /dev/null;touch"),
]


def _make(target: str, variables: dict[str, str], tmp_path, *, via_env: bool = False):
    marker = tmp_path / "INJECTED"
    values = {k: v.replace("{m}", str(marker)) for k, v in variables.items()}
    values.setdefault("OUT", f"{tmp_path}/out;touch {marker}0 #")
    cmd = ["make", "-s", "-o", ".venv/.installed", target]
    env = dict(os.environ)
    if via_env:
        env.update(values)
    else:
        cmd += [f"{k}={v}" for k, v in values.items()]
    run = subprocess.run(cmd, cwd=PROJ_ROOT, capture_output=True, text=True, env=env, timeout=120)
    return run, marker


@pytest.mark.parametrize("target, variables, message", CASES)
def test_make_variables_cannot_run_commands(tmp_path, target, variables, message):
    run, marker = _make(target, variables, tmp_path)
    assert not list(tmp_path.glob("INJECTED*")), run.stderr
    assert run.returncode != 0
    assert message in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_variables_from_the_environment_are_quoted_too(tmp_path):
    run, marker = _make("report", {"TEAM": "east;touch {m} #", "DATA": "$(touch {m}2)"}, tmp_path, via_env=True)
    assert not list(tmp_path.glob("INJECTED*"))
    assert "team must match" in run.stderr and "Traceback" not in run.stderr
