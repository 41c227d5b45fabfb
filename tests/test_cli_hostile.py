"""Hostile command lines: every bad option is a one-line message and exit 2 (usage) or 1.

No case reaches the kernels: each is refused before data is read.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from trackreport.cli import SUBCOMMANDS, main, subcommand


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "not-a-folder.csv"
    path.write_text("x\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "--team", "east", "--workers", "0"], "--workers takes 1 to 64 kernels, got 0"),
        (["report", "--team", "east", "--workers", "100000"], "--workers takes 1 to 64"),
        (["report", "--team", "east", "--workers", "two"], "invalid int value: 'two'"),
        (["report", "--team", "east", "--chapter", "01;rm"], "--chapter takes a chapter number"),
        (["report", "--team", "east", "--chapter", "../01"], "--chapter takes a chapter number"),
        (["report", "--all", "--quarter", "2025Q3"], "--quarter goes with --team"),
        (["report", "--team", "east", "--all"], "not allowed with argument"),
        (["report", "--team", "east", "--set", "targets.nps=[1"], "not valid YAML"),
        (["report", "--team", "east", "--set", "targets.nps=!!python/object/apply:os.system [id]"], "not allowed"),
        (["report", "--team", "east", "--data", "{file}"], "is a file, not a folder"),
        (["report", "--team", "east", "--out", "{file}"], "--out {file} is a file, not a folder"),
        (["validate", "{file}"], "is a file, not a folder"),
        (["validate", "/no/such/\udcff-folder"], "-folder not found"),
        (["report", "--team", "east", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_are_one_message_and_exit_2(argv, message, a_file, capsys):
    argv = [a.replace("{file}", str(a_file)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message.replace("{file}", str(a_file)) in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "--team", "east;id"], "team must match"),
        (["report", "--team", "\udcff"], "team must match"),
        (["report", "--team", ""], "team must match"),
        (["report", "--team", "east", "--quarter", "2025Q3\n"], "quarter must look like"),
        (["report", "--team", "east", "--set", "targets.nps=abc"], "targets.nps: Input should be a valid number"),
        (["report", "--team", "east", "--set", "chapter_timeout_seconds=-1"], "chapter_timeout_seconds"),
        (["report", "--team", "east", "--set", "team=west"], "use --team"),
    ],
)
def test_bad_values_are_one_message_and_exit_1(argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "exc, code, message",
    [
        (PermissionError(13, "Permission denied", "/reports/east"), 1, "Permission denied: /reports/east"),
        (OSError(28, "No space left on device", "/reports/x.html"), 1, "No space left on device: /reports/x.html"),
        (KeyboardInterrupt(), 130, "stopped by Ctrl-C"),
        (KeyboardInterrupt("SIGTERM"), 143, "stopped by SIGTERM"),
        (ZeroDivisionError("a bug"), 1, "internal error (ZeroDivisionError: a bug); set TRACKREPORT_DEBUG=1"),
    ],
)
def test_unexpected_failures_are_one_line(exc, code, message, capsys, monkeypatch):
    monkeypatch.delenv("TRACKREPORT_DEBUG", raising=False)

    @subcommand("boom", "Fail on purpose.")
    def _boom(args):
        raise exc

    try:
        assert main(["boom"]) == code
    finally:
        del SUBCOMMANDS["boom"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_sigterm_stops_a_command_with_a_message(tmp_path):
    """SIGTERM becomes the same clean stop as Ctrl-C (the report runner's clean-up path)."""
    code = (
        "import os, signal, time\n"
        "from trackreport.cli import main, subcommand\n"
        "@subcommand('wait', 'Wait.')\n"
        "def _wait(args):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
        "    return 0\n"
        "raise SystemExit(main(['wait']))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 128 + signal.SIGTERM
    assert run.stderr == "trackreport wait: stopped by SIGTERM; nothing half-written was published\n"
    assert os.environ.get("TRACKREPORT_DEBUG") is None
