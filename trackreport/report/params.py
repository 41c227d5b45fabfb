"""Report parameters: one typed schema for the YAML files, the CLI and the notebooks.

Parameters are merged from ``params/defaults.yaml``, ``params/teams/<team>.yaml``,
``params/quarters/<quarter>.yaml``, ``params/teams/<team>/<quarter>.yaml`` and
command-line ``--set key=value`` overrides, in that order, then validated by
:class:`ReportParams`. Unknown keys and bad values raise :class:`ParameterError`
naming the source and the key.

Secrets never travel as parameters: :func:`secret` reads them from the environment,
and :func:`ReportParams.to_yaml` holds only the validated, non-secret fields.

Examples
--------
>>> p = resolve("east", "2025Q3")
>>> p.team, p.quarter, p.targets.nps
('east', '2025Q3', 50.0)
>>> resolve("east", "2025Q3", overrides={"targets.nps": 55}).targets.nps
55.0
"""

from __future__ import annotations

import copy
import functools
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from trackreport.errors import ParameterError
from trackreport.paths import NOTEBOOKS_DIR, PARAMS_DIR

__all__ = [
    "ReportParams",
    "PRIMARY_ENDPOINTS",
    "headline_name_patterns",
    "resolve",
    "load_yaml",
    "safe_yaml",
    "parse_set",
    "secret",
    "TEAM_RE",
    "QUARTER_RE",
]

TEAM_RE = re.compile(r"^[a-z0-9_-]+\Z")  # \Z, not $: "east\n" is not a team
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])\Z")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Windows(_Strict):
    before_months: int = Field(3, ge=1, le=12, description="Months before the training compared")
    after_months: int = Field(3, ge=1, le=12, description="Months after the training compared")


class Targets(_Strict):
    fabe_adoption: float = Field(0.90, ge=0, le=1)
    fabe_adoption_months: int = Field(3, ge=1, le=12)
    fabe_call_share: float = Field(0.70, ge=0, le=1)
    fabe_min_calls: int = Field(3, ge=1)
    crm_completeness_baseline: float = Field(0.70, ge=0, le=1)
    crm_completeness: float = Field(0.95, ge=0, le=1)
    new_clients_growth: float = Field(0.20, ge=-1)
    order_value_growth: float = Field(0.12, ge=-1)
    nps_baseline: float = Field(35, ge=-100, le=100)
    nps: float = Field(50, ge=-100, le=100)
    complaint_resolution_hours: float = Field(24, gt=0)
    checkin_completion: float = Field(0.85, ge=0, le=1)
    stage_test_average: float = Field(80, ge=0, le=100)
    product_knowledge_correct: float = Field(0.90, ge=0, le=1)
    objection_response_seconds: float = Field(5, gt=0)


class Thresholds(_Strict):
    satisfaction_baseline: float = Field(85, ge=20, le=100)
    trainer_satisfaction: float = Field(85, ge=20, le=100)
    pass_score: float = Field(60, ge=0, le=100)
    remediation_score: float = Field(70, ge=0, le=100)
    roi: float = Field(1.50)
    vendor_roi_floor: float = Field(1.20)
    vendor_roi_years: int = Field(2, ge=1)
    per_capita_cost_alert: float = Field(0.20, ge=0)
    high_value_client: float = Field(500_000, ge=0)


class Budget(_Strict):
    per_capita_manager: float = Field(8000, ge=0)
    per_capita_staff: float = Field(3000, ge=0)
    industry_per_capita_cost: float = Field(4000, ge=0)
    core_share: float = Field(0.70, ge=0, le=1)
    extension_share: float = Field(0.20, ge=0, le=1)
    innovation_share: float = Field(0.10, ge=0, le=1)
    online_share: float = Field(0.40, ge=0, le=1)
    high_potential_share: float = Field(0.60, ge=0, le=1)


class TrainerStars(_Strict):
    five: float = Field(92, ge=20, le=100)
    four: float = Field(85, ge=20, le=100)
    three: float = Field(78, ge=20, le=100)
    two: float = Field(70, ge=20, le=100)
    observation_months: int = Field(6, ge=1, le=24)

    def stars(self, score: float) -> int:
        """Stars (1-5) for a 100-point satisfaction score.

        >>> TrainerStars().stars(86.0)
        4
        """
        for n, cut in ((5, self.five), (4, self.four), (3, self.three), (2, self.two)):
            if score >= cut:
                return n
        return 1


class Growth(_Strict):
    promotion_lookback_months: int = Field(12, ge=1, le=36)
    survival_min_events: int = Field(5, ge=1)


class Knowledge(_Strict):
    hot_list: int = Field(10, ge=1)
    few_uses: int = Field(5, ge=1)
    top_seller_share: float = Field(0.20, gt=0, le=1)
    top_seller_months: int = Field(3, ge=1, le=12)


class Improvement(_Strict):
    mentor_share: float = Field(0.20, gt=0, le=0.5)
    mentoring_weeks: int = Field(8, ge=1, le=52)
    micro_lesson_wrong_share: float = Field(0.15, ge=0, le=1)
    error_items: int = Field(10, ge=1)


class Cases(_Strict):
    people: int = Field(3, ge=1, le=20)
    min_posterior_low: float = Field(0.0)


class Programme(_Strict):
    """Targets of the programme's design, delivery and collaboration (chapters 02, 04, 08)."""

    content_renewal: float = Field(0.20, ge=0, le=1, description="Share of content renewed each year")
    attendance_bands: tuple[float, ...] = Field(
        (0.8, 0.95), description="Cut points of the attended/planned hours share for the attendance bands"
    )
    incident_minutes: dict[str, float] = Field(
        default_factory=lambda: {
            "venue": 15.0,
            "equipment": 5.0,
            "health": 10.0,
            "technical": 15.0,
            "trainer_absent": 30.0,
            "trainee_absent": 30.0,
        },
        description="Minutes within which each kind of incident is to be resolved",
    )
    urgent_approval_hours: float = Field(24, gt=0, description="Urgent approvals decided within this many hours")

    @field_validator("attendance_bands")
    @classmethod
    def _bands(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v or list(v) != sorted(set(v)) or not all(0 < x < 1 for x in v):
            raise ValueError(f"attendance_bands must be increasing shares strictly between 0 and 1, got {list(v)}")
        return v

    @field_validator("incident_minutes")
    @classmethod
    def _minutes(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, x in v.items() if not x > 0]
        if bad:
            raise ValueError(f"incident_minutes must be > 0, not for {', '.join(bad)}")
        return v


class CostBenefit(_Strict):
    """Chapter 10: converting attributed effects to money, and the budget's portfolio."""

    margin: float = Field(0.30, ge=0, le=1, description="Profit margin on additional sales")
    horizon_months: int = Field(12, ge=1, le=60, description="Months of benefit counted in the ROI headline")
    benefit_months: tuple[int, ...] = Field((3, 6, 12), description="Horizons shown in the benefit table")
    first_year_only: bool = Field(True, description="Count benefits of the first 12 months only")
    blended_online_share: float = Field(0.5, ge=0, le=1, description="Share of a blended course's hours counted online")
    core_types: tuple[str, ...] = Field(("theory", "tool"), description="Module types counted as core (70/20/10)")
    extension_types: tuple[str, ...] = Field(("industry",), description="Module types counted as extension")
    innovation_types: tuple[str, ...] = Field(("simulation",), description="Module types counted as innovation")


PRIMARY_ENDPOINTS: tuple[str, ...] = (
    "sales_effect_relative",
    "new_clients_effect",
    "order_value_effect",
    "lead_conversion_effect",
    "win_rate_effect",
    "repurchase_effect",
    "complaint_retention_effect",
    *(f"target_{i:02d}" for i in range(8)),
)
"""Default primary (decision) endpoints: chapter 06's effects and the deck's targets (chapter 01)."""

_HEADLINE_CALL = re.compile(r"\.headline\(\s*(f?)([\"'])(.*?)\2")


def headline_name_patterns(folder: Path | None = None) -> list[re.Pattern[str]]:
    """The headline names the chapter notebooks record, as patterns (from their source).

    A literal name (``ch.headline("win_rate_effect", ...)``) matches itself; an f-string
    name (``f"target_{row.Index:02d}"``) matches with each ``{...}`` replaced by one or
    more characters (``target_00``, ``target_07``...). Empty when there are no notebooks.

    >>> any(p.fullmatch("target_03") for p in headline_name_patterns())
    True
    """
    return list(_patterns(str(Path(folder) if folder else NOTEBOOKS_DIR)))


@functools.cache
def _patterns(folder: str) -> tuple[re.Pattern[str], ...]:
    import json

    out = []
    for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        source = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
        for m in _HEADLINE_CALL.finditer(source):
            if m.group(1):
                parts = re.split(r"\{[^{}]*\}", m.group(3))
                out.append(re.compile(".+".join(re.escape(p) for p in parts)))
            else:
                out.append(re.compile(re.escape(m.group(3))))
    return tuple(out)


class ReportParams(_Strict):
    """Every parameter of a report, validated.

    ``team`` and ``quarter`` identify the report; the rest are the deck's targets,
    thresholds and budgets (see ``params/defaults.yaml`` for each one's meaning).
    """

    team: str = Field(..., description="Team reported, e.g. east")
    quarter: str = Field(..., description="Quarter whose cohort is reported, e.g. 2025Q3")
    lang: Literal["en", "zh"] = Field("en", description="Report language: en (English) or zh (Simplified Chinese)")
    min_group_size: int = Field(5, ge=1, description="Smallest group shown (privacy)")
    show_names: bool = Field(False, description="Show individual names")
    chapter_timeout_seconds: int = Field(
        900, ge=1, le=86_400, description="A chapter still running after this is stopped and reported failed"
    )
    windows: Windows = Windows()
    targets: Targets = Targets()
    thresholds: Thresholds = Thresholds()
    budget: Budget = Budget()
    trainer_stars: TrainerStars = TrainerStars()
    growth: Growth = Growth()
    knowledge: Knowledge = Knowledge()
    improvement: Improvement = Improvement()
    cases: Cases = Cases()

    programme: Programme = Programme()

    cost_benefit: CostBenefit = CostBenefit()

    primary_endpoints: tuple[str, ...] = Field(
        PRIMARY_ENDPOINTS,
        description="Headline names (metrics.json 'name') that are primary (decision) figures; every other"
        " headline is exploratory",
    )

    @field_validator("primary_endpoints")
    @classmethod
    def _primary(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        patterns = headline_name_patterns()
        if not patterns:  # no notebooks to check against (e.g. an installed package alone)
            return v
        unknown = [name for name in v if not any(p.fullmatch(name) for p in patterns)]
        if unknown:
            raise ValueError(
                f"unknown headline name(s) {', '.join(map(repr, unknown))}: no chapter records a headline of"
                " that name (the names are metrics.json's 'name', e.g. win_rate_effect, target_02)"
            )
        return v

    @field_validator("team")
    @classmethod
    def _team(cls, v: str) -> str:
        if not TEAM_RE.match(v):
            raise ValueError(f"team must match [a-z0-9_-]+ (lower-case letters, digits, _ or -), got {v!r}")
        return v

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, v: str) -> str:
        if not QUARTER_RE.match(v):
            raise ValueError(f"quarter must look like 2025Q3, got {v!r}")
        return v

    def to_yaml(self) -> str:
        """The effective parameters as YAML (what each report writes as params.yaml)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also refuses a key given twice in one mapping.

    The safe loader builds only plain data (no ``!!python/...`` tags, so reading a
    parameter file cannot run code); plain YAML silently keeps the last of two equal
    keys, which hides a typo'd override, so this one refuses them.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key (a list or mapping as key)
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain value", key_node.start_mark
                ) from None
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first given on line {first})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def safe_yaml(text: str) -> Any:
    r"""Parse YAML text to plain data: safe tags only, duplicate keys refused.

    Raises
    ------
    yaml.YAMLError
        On a syntax error, an unsafe tag (e.g. ``!!python/object/apply``) or a
        duplicate key.

    Examples
    --------
    >>> safe_yaml("a: 1\nb: [x, y]")
    {'a': 1, 'b': ['x', 'y']}
    >>> safe_yaml("a: 1\na: 2")
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: duplicate key 'a' (first given on line 1)
    ...
    """
    return yaml.load(text, Loader=_StrictLoader)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error in one line: what is wrong and where (no parser internals)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    if "could not determine a constructor" in problem:
        tag = problem.split("tag", 1)[-1].strip().strip("'").replace("tag:yaml.org,2002:", "!!")
        problem = f"tag {tag} is not allowed (parameters are plain values, lists and mappings)"
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{problem}{where}"


def load_yaml(path: Path) -> dict[str, Any]:
    """Read one parameter file; an empty file is an empty mapping.

    The file is parsed by :func:`safe_yaml` (no code, no duplicate keys); a file that is
    not valid YAML, not UTF-8 or not a mapping raises :class:`ParameterError`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at {exc.start})") from None
    except OSError as exc:
        raise ParameterError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = safe_yaml(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid parameter YAML: {_yaml_problem(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected a mapping of keys to values, got {type(data).__name__}")
    _check_keys(str(path), data)
    return data


def _check_keys(source: str, data: dict[Any, Any], prefix: str = "") -> None:
    """Every key of a parameter mapping is text (YAML also allows numbers, dates, null)."""
    for key, value in data.items():
        if not isinstance(key, str):
            raise ParameterError(f"{source}: key {prefix}{key!r} is not a name (keys are text, e.g. nps)")
        if isinstance(value, dict):
            _check_keys(source, value, f"{prefix}{key}.")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _dotted(overrides: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = key.split(".")
        if not all(parts) or any(not p.replace("_", "").isalnum() for p in parts):
            raise ParameterError(f"command-line --set: {key!r} is not a parameter name (e.g. targets.nps)")
        if parts[0] in ("team", "quarter"):
            raise ParameterError(f"command-line --set: {key} is not a parameter; use --{parts[0]}")
        node = out
        *parents, leaf = parts
        for i, p in enumerate(parents):
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ParameterError(
                    f"command-line --set: {'.'.join(parents[: i + 1])} is set to a value and also used as a group"
                )
        if leaf in node and isinstance(node[leaf], dict) != isinstance(value, dict):
            raise ParameterError(f"command-line --set: {key} is set to a value and also used as a group")
        node[leaf] = copy.deepcopy(value)
    return out


def _check(source: str, data: dict[str, Any]) -> None:
    """Validate one source on its own so that errors name the file they come from."""
    probe = _merge({"team": "x", "quarter": "2000Q1"}, data)
    try:
        ReportParams.model_validate(probe)
    except ValidationError as exc:
        raise ParameterError(_explain(source, exc)) from None


def _explain(source: str, exc: ValidationError) -> str:
    lines = [f"invalid parameters in {source}:"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"- {key}: unknown parameter")
        else:
            lines.append(f"- {key}: {err['msg']} (got {err.get('input')!r})")
    return "\n".join(lines)


def resolve(
    team: str,
    quarter: str,
    *,
    overrides: dict[str, Any] | None = None,
    params_dir: Path | None = None,
    params_file: str | Path | None = None,
) -> ReportParams:
    """Merge and validate the parameters of one report.

    Parameters
    ----------
    team, quarter : str
        The report's team and quarter (validated: ``[a-z0-9_-]+`` and ``2025Q3``).
    overrides : dict, optional
        Dotted keys to values, e.g. ``{"targets.nps": 55}`` (the CLI's ``--set``).
    params_dir : Path, optional
        Folder holding ``defaults.yaml`` and the overrides (default ``params/``).
    params_file : path, optional
        An effective ``params.yaml`` written by a run; when given it is used as is
        (validated) instead of merging the folder, so a notebook sees exactly what the
        runner resolved.

    Examples
    --------
    >>> resolve("East", "2025Q3")
    Traceback (most recent call last):
    ...
    trackreport.errors.ParameterError: invalid parameters in arguments:
    - team: Value error, team must match [a-z0-9_-]+ (lower-case letters, digits, _ or -), got 'East' (got 'East')
    """
    _check("arguments", {"team": team, "quarter": quarter})
    if params_file:
        data = load_yaml(Path(params_file))
        _check(str(params_file), data)
        data = _merge(data, {"team": team, "quarter": quarter})
    else:
        root = Path(params_dir) if params_dir else PARAMS_DIR
        data = {}
        for path in (
            root / "defaults.yaml",
            root / "teams" / f"{team}.yaml",
            root / "quarters" / f"{quarter}.yaml",
            root / "teams" / team / f"{quarter}.yaml",
        ):
            if path.is_file():
                layer = load_yaml(path)
                _check(str(path), layer)
                data = _merge(data, layer)
        data = _merge(data, {"team": team, "quarter": quarter})
    if overrides:
        layer = _dotted(overrides)
        _check("command-line --set", layer)
        data = _merge(data, layer)
    try:
        return ReportParams.model_validate(data)
    except ValidationError as exc:
        raise ParameterError(_explain("the merged parameters", exc)) from None


def parse_set(items: list[str]) -> dict[str, Any]:
    """Parse ``--set key=value`` items; values are read as YAML by :func:`safe_yaml`.

    >>> parse_set(["targets.nps=55", "show_names=true"])
    {'targets.nps': 55, 'show_names': True}
    >>> parse_set(["targets.nps=[1"])
    Traceback (most recent call last):
    ...
    trackreport.errors.ParameterError: --set targets.nps=[1: the value is not valid YAML: expected ',' or ']', but got '<stream end>' (line 1, column 3)
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"--set takes key=value, got {item!r}")
        if key in out:
            raise ParameterError(f"--set {key} is given twice")
        try:
            out[key] = safe_yaml(value)
        except yaml.YAMLError as exc:
            raise ParameterError(f"--set {item}: the value is not valid YAML: {_yaml_problem(exc)}") from None
        if isinstance(out[key], dict):
            _check_keys(f"--set {key}", out[key])
    return out


def secret(name: str) -> str | None:
    """A secret (e.g. a database password) from the environment, never from parameters.

    Secrets are not part of :class:`ReportParams`, so they cannot reach ``params.yaml``,
    notebooks or reports.
    """
    return os.environ.get(name)
