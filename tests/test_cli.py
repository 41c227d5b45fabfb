"""The command line: validate and contract, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trackreport.cli import SUBCOMMANDS, main, subcommand
from trackreport.data.contract import render_contract
from trackreport.errors import TrackreportError


def test_validate_ok(tiny_data, capsys):
    assert main(["validate", str(tiny_data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 39 tables, 91 rows")


def test_validate_bad_folder_lists_problems_by_file(tiny_data, capsys):
    (tiny_data / "costs.csv").unlink()
    text = (tiny_data / "reaction_surveys.csv").read_text(encoding="utf-8")
    (tiny_data / "reaction_surveys.csv").write_text(text.replace(",5\n", ",7\n"), encoding="utf-8")
    assert main(["validate", str(tiny_data)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"1 problem(s) in 1 file(s) of data folder {tiny_data}")
    assert (
        "\nreaction_surveys.csv\n  - column answer: out of range (allowed 1 to 5) — 1 row fails, e.g. line 2: '7'\n"
        in out
    )
    assert "costs.csv" not in out  # a missing table is no problem: the chapters needing it are not available
    assert "10 Cost-benefit: needs costs" in out
    assert "header is line 1" in out


def test_validate_in_a_subprocess_has_no_traceback(tiny_data):
    (tiny_data / "orders.csv").write_bytes(b"order_id\nP1\n")
    run = subprocess.run(
        [sys.executable, "-m", "trackreport", "validate", str(tiny_data)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert run.returncode == 1
    assert "orders.csv, column customer_id: missing column" not in run.stdout  # grouped by file
    assert "  - column customer_id: missing column" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("argv", [[], ["validate"], ["nope"], ["validate", "/no/such/folder"], ["validate", "a", "b"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_contract_to_stdout_and_file(tmp_path, capsys):
    assert main(["contract"]) == 0
    assert capsys.readouterr().out == render_contract()
    out = tmp_path / "contract.md"
    assert main(["contract", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_contract()


def test_trackreport_errors_become_a_message_and_exit_1(capsys):
    @subcommand("boom", "Fail on purpose.")
    def _boom(args):
        raise TrackreportError("something went wrong")

    try:
        assert main(["boom"]) == 1
    finally:
        del SUBCOMMANDS["boom"]
    err = capsys.readouterr().err
    assert err == "trackreport boom: something went wrong\n"


def test_help_lists_subcommands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "validate" in out and "contract" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "--team", "east", "--lang", "fr"], "invalid choice: 'fr'"),
        (["report", "--team", "east", "--set", "lang=fr"], "lang"),
        (["messages", "--paths", "/no/such/file.py"], "no such file"),
        (["messages", "--write", "catalog.txt"], "takes a .po file"),
    ],
)
def test_bad_language_options_are_usage_errors(argv, message, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (1, 2) and message in err and "Traceback" not in err


def test_a_chinese_report_goes_to_reports_zh_by_default(monkeypatch):
    """--lang zh without --out writes to reports/zh, leaving the English reports where they are."""
    from trackreport.paths import REPORTS_DIR
    from trackreport.report import runner

    seen = {}

    def fake_run(**kwargs):
        seen.update(kwargs)
        return runner.RunResult([], 0.0)

    monkeypatch.setattr(runner, "run_reports", fake_run)
    assert main(["report", "--team", "east", "--lang", "zh", "--no-progress"]) == 0
    assert seen["out"] == REPORTS_DIR / "zh" and seen["overrides"]["lang"] == "zh"
    assert main(["report", "--team", "east", "--no-progress"]) == 0
    assert seen["out"] == REPORTS_DIR and "lang" not in seen["overrides"]
