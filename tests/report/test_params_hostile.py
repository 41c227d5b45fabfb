"""Hostile parameter input: YAML tags, syntax errors, duplicate keys, wrong types, odd keys.

Each is a :class:`ParameterError` naming the source (file or ``--set``) and what is
wrong; none runs code, none is silently accepted.
"""

from __future__ import annotations

import pytest

from trackreport.errors import ParameterError
from trackreport.report.params import load_yaml, parse_set, resolve, safe_yaml

EXPLOIT = '!!python/object/apply:os.system ["touch {marker}"]'


@pytest.mark.parametrize(
    "item, message",
    [
        ("targets.nps=[1", "not valid YAML: expected ',' or ']'"),
        ("targets.nps={a", "not valid YAML"),
        ("targets.nps=!!python/object/apply:os.system [id]", "tag !!python/object/apply:os.system is not allowed"),
        ("targets.nps=!!python/name:os.system", "tag !!python/name:os.system is not allowed"),
        ("targets.nps=*alias", "undefined alias"),
        ("targets={nps: 1, nps: 2}", "duplicate key 'nps'"),
        ("targets={[1]: 2}", "not valid YAML"),
        ("targets={1: 2}", "key 1 is not a name"),
        ("=5", "--set takes key=value"),
        ("targets.nps", "--set takes key=value"),
    ],
)
def test_bad_set_values_are_parameter_errors(item, message):
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("{", r"\{").replace("*", r"\*")):
        parse_set([item])


def test_set_given_twice_is_refused():
    with pytest.raises(ParameterError, match="given twice"):
        parse_set(["targets.nps=50", "targets.nps=55"])


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"targets.nps": "abc"}, "targets.nps: Input should be a valid number"),
        ({"targets.nps": [1, 2]}, "targets.nps: Input should be a valid number"),
        ({"targets.nps": 1e9}, "less than or equal to 100"),
        ({"targets": 5}, "targets: Input should be a valid dictionary"),
        ({"show_names": "maybe"}, "show_names: Input should be a valid boolean"),
        ({"min_group_size": 2.5}, "min_group_size"),
        ({"targets..nps": 1}, "is not a parameter name"),
        ({"targets.nps;id": 1}, "is not a parameter name"),
        ({"team": "west"}, "team is not a parameter; use --team"),
        ({"quarter": "2025Q2"}, "quarter is not a parameter; use --quarter"),
        ({"targets.nps": 1, "targets.nps.x": 2}, "also used as a group"),
        ({"chapter_timeout_seconds": 0}, "chapter_timeout_seconds"),
    ],
)
def test_wrong_types_and_names_in_overrides(overrides, message):
    with pytest.raises(ParameterError, match=message):
        resolve("east", "2025Q3", overrides=overrides)


@pytest.mark.parametrize(
    "text, message",
    [
        ("targets:\n  nps: 50\n  nps: 55\n", "duplicate key 'nps' \\(first given on line 2\\).*line 3"),
        ("targets:\n  nps: 50\ntargets:\n  nps: 55\n", "duplicate key 'targets'"),
        ("targets: {nps: 50, nps: 55}\n", "duplicate key 'nps'"),
        ("targets:\n  nps: " + EXPLOIT + "\n", "tag !!python/object/apply:os.system"),
        ("!!python/object/new:os.system [id]\n", "is not allowed"),
        ("targets:\n  nps: [50\n", "not valid parameter YAML"),
        ("targets:\n\tnps: 50\n", "not valid parameter YAML"),
        ("- a\n- b\n", "expected a mapping of keys to values, got list"),
        ("just text\n", "expected a mapping of keys to values, got str"),
        ("targets:\n  2025: 1\n", "key targets.2025 is not a name"),
        ("? [a, b]\n: 1\n", "a key must be a plain value"),
        ("targets:\n  nps: fifty\n", "targets.nps: Input should be a valid number"),
        ("targets:\n  npss: 3\n", "targets.npss: unknown parameter"),
        ("bogus: 1\n", "bogus: unknown parameter"),
        ("team: west\n", None),  # a file may not rename the report: team/quarter come from the run
    ],
)
def test_hostile_params_files(tmp_path, text, message):
    marker = tmp_path / "pwned"
    (tmp_path / "defaults.yaml").write_text(text.replace("{marker}", str(marker)), encoding="utf-8")
    if message is None:
        assert resolve("east", "2025Q3", params_dir=tmp_path).team == "east"
        return
    with pytest.raises(ParameterError, match=message) as exc:
        resolve("east", "2025Q3", params_dir=tmp_path)
    assert "defaults.yaml" in str(exc.value)
    assert not marker.exists()


def test_params_file_not_utf8_or_unreadable(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"targets:\n  nps: \xff\xfe\n")
    with pytest.raises(ParameterError, match="not UTF-8 text"):
        load_yaml(path)
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(ParameterError, match="cannot be read"):
        load_yaml(tmp_path / "dir.yaml")


def test_params_file_given_to_a_notebook_is_checked_too(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("targets:\n  nps: 50\n  nps: 51\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="duplicate key"):
        resolve("east", "2025Q3", params_file=path)


def test_safe_yaml_builds_plain_data_only():
    assert safe_yaml("a: [1, 2.5, true, null, x]") == {"a": [1, 2.5, True, None, "x"]}
    with pytest.raises(Exception, match="could not determine a constructor"):
        safe_yaml("!!python/object/apply:os.getcwd []")
