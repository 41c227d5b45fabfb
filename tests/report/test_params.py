"""Parameters: one typed schema for YAML, CLI and notebooks; clear errors for bad input."""

from __future__ import annotations

import pytest
import yaml

from trackreport.errors import ParameterError
from trackreport.paths import PARAMS_DIR
from trackreport.report.params import ReportParams, parse_set, resolve


def test_defaults_hold_the_decks_targets():
    p = resolve("east", "2025Q3")
    assert p.targets.nps == 50 and p.targets.nps_baseline == 35
    assert p.targets.crm_completeness == 0.95 and p.targets.crm_completeness_baseline == 0.70
    assert p.targets.new_clients_growth == 0.20 and p.targets.order_value_growth == 0.12
    assert p.targets.fabe_adoption == 0.90 and p.targets.checkin_completion == 0.85
    assert p.thresholds.trainer_satisfaction == 85 and p.thresholds.roi == 1.5
    assert p.thresholds.vendor_roi_floor == 1.2 and p.thresholds.vendor_roi_years == 2
    assert p.thresholds.per_capita_cost_alert == 0.2 and p.thresholds.remediation_score == 70
    assert p.targets.product_knowledge_correct == 0.9 and p.min_group_size == 5


def test_every_default_key_is_in_the_schema():
    """defaults.yaml and the schema name the same keys (no silently ignored YAML)."""
    data = yaml.safe_load((PARAMS_DIR / "defaults.yaml").read_text(encoding="utf-8"))
    dumped = ReportParams(team="x", quarter="2025Q1").model_dump()
    for section, values in data.items():
        assert section in dumped
        if isinstance(values, dict):
            assert set(values) == set(dumped[section]), section


@pytest.mark.parametrize(
    "team, quarter, message",
    [
        ("East", "2025Q3", "team must match"),
        ("../etc", "2025Q3", "team must match"),
        ("east/../../x", "2025Q3", "team must match"),
        ("east", "2025Q5", "quarter must look like 2025Q3"),
        ("east", "2025-Q3", "quarter must look like 2025Q3"),
        ("east", "Q3", "quarter must look like 2025Q3"),
    ],
)
def test_bad_team_or_quarter(team, quarter, message):
    with pytest.raises(ParameterError, match=message):
        resolve(team, quarter)


def test_unknown_key_in_a_file_names_file_and_key(tmp_path):
    (tmp_path / "defaults.yaml").write_text("targets:\n  nps: 50\n  npss: 3\n", encoding="utf-8")
    with pytest.raises(ParameterError) as exc:
        resolve("east", "2025Q3", params_dir=tmp_path)
    assert "defaults.yaml" in str(exc.value) and "targets.npss: unknown parameter" in str(exc.value)


def test_bad_value_in_team_override(tmp_path):
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "east.yaml").write_text("min_group_size: zero\n", encoding="utf-8")
    with pytest.raises(ParameterError) as exc:
        resolve("east", "2025Q3", params_dir=tmp_path)
    assert "east.yaml" in str(exc.value) and "min_group_size" in str(exc.value)


def test_overrides_apply_in_order(tmp_path):
    (tmp_path / "defaults.yaml").write_text("targets:\n  nps: 40\n  fabe_adoption: 0.8\n", encoding="utf-8")
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "east.yaml").write_text("targets:\n  nps: 45\n", encoding="utf-8")
    (tmp_path / "quarters").mkdir()
    (tmp_path / "quarters" / "2025Q3.yaml").write_text("targets:\n  nps: 47\n", encoding="utf-8")
    p = resolve("east", "2025Q3", params_dir=tmp_path, overrides={"targets.fabe_adoption": 0.85})
    assert p.targets.nps == 47 and p.targets.fabe_adoption == 0.85
    assert resolve("west", "2025Q3", params_dir=tmp_path).targets.nps == 47
    assert resolve("west", "2025Q2", params_dir=tmp_path).targets.nps == 40


def test_cli_set_unknown_key_is_an_error():
    with pytest.raises(ParameterError, match="unknown parameter"):
        resolve("east", "2025Q3", overrides=parse_set(["targets.bogus=1"]))
    with pytest.raises(ParameterError, match="key=value"):
        parse_set(["targets.nps"])


def test_params_file_round_trip(tmp_path):
    p = resolve("east", "2025Q3", overrides={"targets.nps": 55})
    f = tmp_path / "params.yaml"
    f.write_text(p.to_yaml(), encoding="utf-8")
    assert resolve("east", "2025Q3", params_file=f) == p


def test_secrets_are_not_parameters(monkeypatch):
    monkeypatch.setenv("TRACKREPORT_DB_PASSWORD", "hunter2-secret")
    with pytest.raises(ParameterError, match="unknown parameter"):
        resolve("east", "2025Q3", overrides={"db_password": "x"})
    assert "hunter2-secret" not in resolve("east", "2025Q3").to_yaml()
