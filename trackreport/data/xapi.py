"""xAPI learning records (an LRS export) to the contract's ``enrollments`` and ``assessments`` tables.

A learning record store (LRS) keeps what happened in a learning platform as xAPI
statements: *actor* (who), *verb* (did what), *object* (to which activity), *result*
(score, success, completion, duration) and *timestamp*. ``python -m trackreport
import-xapi STATEMENTS --mapping MAP --out DIR`` turns an export into the two contract
tables they describe, ready to sit beside the company's other tables:

- **enrollments**: one row per person and course activity that has any statement;
  ``attended_hours`` is the sum of ``result.duration`` of the ``attempted``,
  ``experienced`` and ``completed`` statements; ``completed`` is true when a
  ``completed`` statement (or ``result.completion: true``) exists; ``planned_hours``
  comes from the mapping; ``makeup_session`` from the mapping's make-up activities.
- **assessments**: one row per person, test and phase from the ``passed``, ``failed``,
  ``completed`` and ``attempted`` statements on test activities that carry a
  ``result.score``: ``score``/``max_score`` from ``raw``/``max`` when given, else
  ``scaled`` x 100 out of 100; ``date`` from ``timestamp`` (else ``stored``);
  ``course_id`` from the statement's ``context.contextActivities.parent`` when that is a
  mapped course, else from the mapping's test entry. When a
  person has several scored attempts at the same test and phase, the latest counts (the
  one a learning platform reports), and the summary says how many were superseded.

Verbs are the ADL vocabulary (``http://adlnet.gov/expapi/verbs/...``). Statements that
another statement voids (verb ``voided``, object a ``StatementRef``) are dropped, as the
xAPI specification requires. Statements with other verbs, or on activities the mapping
does not name, are skipped and counted in the summary.

Each statement is validated against the xAPI 1.0.3 statement model of ``ralph``
(France Université Numérique's maintained xAPI models: actor with exactly one inverse
functional identifier, IRIs, ISO 8601 timestamps and durations, ``scaled`` within
[-1, 1], ``min <= raw <= max``). All
problems of an export are reported at once, each naming the file, the statement (its
position and id), the field and the rule, with the same :class:`~trackreport.errors.
DataValidationError` as a data folder.

The mapping (YAML) names who is who and what each activity is::

    actors:                       # actor -> employees.employee_id
      "mailto:li.wei@example.com": E0001
      "https://lms.example.com|li.wei": E0002    # account: homePage|name
    courses:                      # activity IRI -> course run
      "https://lms.example.com/course/C001": {course_id: C001, planned_hours: 6}
    makeup:                       # make-up activity IRI -> the course it makes up for
      "https://lms.example.com/course/C001/recording": C001
    tests:                        # activity IRI -> test and phase
      "https://lms.example.com/test/T01-pre": {test_id: T01, kind: knowledge, phase: pre, course_id: C001}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from trackreport.data.load import Problem
from trackreport.data.schema import TABLES
from trackreport.errors import DataValidationError, TrackreportError

__all__ = ["ADL", "Mapping", "XapiImport", "read_statements", "read_mapping", "statements_to_tables", "import_xapi"]

ADL = "http://adlnet.gov/expapi/verbs/"
COURSE_VERBS = {"attempted", "experienced", "completed"}
TEST_VERBS = {"passed", "failed", "completed", "attempted"}
KNOWN_VERBS = COURSE_VERBS | TEST_VERBS | {"voided"}
OUTPUT_TABLES = ("enrollments", "assessments")


@dataclass(frozen=True)
class Mapping:
    """Who is who and what each activity is (see the module docstring for the YAML)."""

    actors: dict[str, str]
    courses: dict[str, dict[str, Any]]
    tests: dict[str, dict[str, Any]]
    makeup: dict[str, str] = field(default_factory=dict)


@dataclass
class XapiImport:
    """The tables an export gives, and what was skipped on the way."""

    tables: dict[str, pd.DataFrame]
    skipped: Counter

    def summary(self) -> list[str]:
        """One line per table written and per kind of statement skipped."""
        lines = [f"{name}: {len(df):,} rows" for name, df in self.tables.items()]
        lines += [f"skipped {n:,} statement(s): {why}" for why, n in sorted(self.skipped.items())]
        return lines


def read_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; a mistake is a clear error naming the file and key."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TrackreportError(f"xAPI mapping {path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(doc, dict):
        raise TrackreportError(f"xAPI mapping {path}: expected keys actors, courses, tests (and makeup)")
    unknown = set(doc) - {"actors", "courses", "tests", "makeup"}
    if unknown:
        raise TrackreportError(f"xAPI mapping {path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    problems = []
    for key in ("actors", "courses", "tests", "makeup"):
        if not isinstance(doc.get(key, {}), dict):
            problems.append(f"{key} must map names to values")
    for iri, c in (doc.get("courses") or {}).items():
        if not isinstance(c, dict) or "course_id" not in c or not isinstance(c.get("planned_hours"), int | float):
            problems.append(f"courses[{iri!r}] needs course_id and a numeric planned_hours")
    allowed = {"kind": TABLES["assessments"].column("kind").isin, "phase": TABLES["assessments"].column("phase").isin}
    for iri, t in (doc.get("tests") or {}).items():
        if not isinstance(t, dict) or "test_id" not in t:
            problems.append(f"tests[{iri!r}] needs test_id, kind and phase")
            continue
        for k, values in allowed.items():
            if t.get(k) not in values:
                problems.append(f"tests[{iri!r}].{k} must be one of {', '.join(values)} (got {t.get(k)!r})")
    if problems:
        raise TrackreportError(f"xAPI mapping {path}:\n" + "\n".join(f"- {p}" for p in problems))
    return Mapping(
        actors={str(k): str(v) for k, v in (doc.get("actors") or {}).items()},
        courses={str(k): dict(v) for k, v in (doc.get("courses") or {}).items()},
        tests={str(k): dict(v) for k, v in (doc.get("tests") or {}).items()},
        makeup={str(k): str(v) for k, v in (doc.get("makeup") or {}).items()},
    )


def read_statements(path: str | Path) -> list[tuple[str, int, dict]]:
    """Statements of an export: a JSON list, a StatementResult (``statements``, ``more``), or a folder of pages.

    Returns ``(file name, position in file (1-based), statement)`` triples, so that every
    problem can name where the statement is.
    """
    path = Path(path)
    files = sorted(p for p in path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise TrackreportError(f"xAPI export {path}: no .json file found")
    out = []
    for f in files:
        try:
            doc = json.loads(f.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TrackreportError(f"xAPI export {f}: not a JSON file ({exc})") from None
        if isinstance(doc, dict) and isinstance(doc.get("statements"), list):
            doc = doc["statements"]
        if not isinstance(doc, list):
            raise TrackreportError(f"xAPI export {f}: expected a list of statements or a StatementResult")
        out += [(f.name, i, s) for i, s in enumerate(doc, start=1)]
    return out


def _text(value: Any) -> str:
    """The plain string inside ralph's IRI / mailto root models (or the value itself)."""
    return str(getattr(value, "root", value))


def _actor_key(actor: Any) -> str | None:
    """The actor's identifier as the mapping spells it (mbox, account ``homePage|name``, openid, sha1)."""
    if actor.__class__.__name__.endswith("WithMbox"):
        return _text(actor.mbox)
    if hasattr(actor, "account") and actor.account is not None:
        return f"{_text(actor.account.homePage)}|{actor.account.name}"
    if getattr(actor, "openid", None) is not None:
        return _text(actor.openid)
    if getattr(actor, "mbox_sha1sum", None) is not None:
        return _text(actor.mbox_sha1sum)
    return None


def _parent_course(raw: dict, mapping: Mapping) -> str | None:
    """The course run a test statement belongs to: its ``context.contextActivities.parent`` when mapped."""
    parents = ((raw.get("context") or {}).get("contextActivities") or {}).get("parent") or []
    for parent in parents if isinstance(parents, list) else [parents]:
        course = mapping.courses.get(str(parent.get("id")) if isinstance(parent, dict) else "")
        if course is not None:
            return str(course["course_id"])
    return None


def _validation_problems(file: str, where: str, exc: Any) -> list[Problem]:
    """One problem per field of a ralph/pydantic validation error (union branches folded)."""
    by_field: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(x) for x in err["loc"] if not str(x).startswith("BaseXapi")]
        name = ".".join(loc) or "statement"
        if name.startswith("actor"):
            by_field["actor"] = "needs exactly one identifier: mbox ('mailto:...'), mbox_sha1sum, openid or account"
        else:
            by_field.setdefault(name, err["msg"])
    return [
        Problem(file, name, f"xAPI: {rule}", 1, ((where, None),), place="statement") for name, rule in by_field.items()
    ]


def statements_to_tables(statements: list[tuple[str, int, dict]], mapping: Mapping) -> XapiImport:
    """Validate statements and turn them into ``enrollments`` and ``assessments`` frames.

    Raises :class:`~trackreport.errors.DataValidationError` listing every problem.

    Examples
    --------
    >>> m = Mapping(actors={"mailto:a@x.com": "E1"},
    ...             courses={"https://x.com/c/1": {"course_id": "C1", "planned_hours": 2}},
    ...             tests={"https://x.com/t/1": {"test_id": "T1", "kind": "knowledge", "phase": "post"}})
    >>> st = [{"actor": {"mbox": "mailto:a@x.com"}, "verb": {"id": ADL + "completed"},
    ...        "object": {"id": "https://x.com/c/1"}, "result": {"duration": "PT1H30M"},
    ...        "timestamp": "2025-07-01T09:00:00Z"},
    ...       {"actor": {"mbox": "mailto:a@x.com"}, "verb": {"id": ADL + "passed"},
    ...        "object": {"id": "https://x.com/t/1"}, "result": {"score": {"raw": 84, "min": 0, "max": 100}},
    ...        "timestamp": "2025-07-02T09:00:00Z"}]
    >>> out = statements_to_tables([("x.json", i, s) for i, s in enumerate(st, 1)], m)
    >>> out.tables["enrollments"][["course_id", "attended_hours", "completed"]].values.tolist()
    [['C1', 1.5, True]]
    >>> out.tables["assessments"][["test_id", "score", "max_score"]].values.tolist()
    [['T1', 84.0, 100.0]]
    """
    from pydantic import ValidationError
    from ralph.models.xapi.base.statements import BaseXapiStatement

    problems: list[Problem] = []
    skipped: Counter = Counter()
    parsed = []
    voided: set[str] = set()
    for file, pos, raw in statements:
        where = f"{pos}" + (f" (id {raw.get('id')})" if isinstance(raw, dict) and raw.get("id") else "")
        if not isinstance(raw, dict):
            problems.append(
                Problem(file, None, "xAPI: a statement must be a JSON object", 1, ((where, None),), place="statement")
            )
            continue
        try:
            st = BaseXapiStatement.model_validate(raw)
        except ValidationError as exc:
            problems += _validation_problems(file, where, exc)
            continue
        verb = _text(st.verb.id)
        if verb == ADL + "voided":
            voided.add(str(raw.get("object", {}).get("id")))
            continue
        parsed.append((file, where, raw, st, verb[len(ADL) :] if verb.startswith(ADL) else None))
    enroll: dict[tuple[str, str], dict[str, Any]] = {}
    attempts: dict[tuple[str, str, str], list] = {}
    for file, where, raw, st, verb in parsed:
        if raw.get("id") in voided:
            skipped["voided by a later statement"] += 1
            continue
        if verb not in KNOWN_VERBS:
            skipped[f"verb not used ({_text(st.verb.id)})"] += 1
            continue
        activity = _text(getattr(st.object, "id", ""))
        kind = (
            "course"
            if activity in mapping.courses
            else "makeup"
            if activity in mapping.makeup
            else "test"
            if activity in mapping.tests
            else None
        )
        if kind is None:
            skipped["activity not in the mapping"] += 1
            continue
        key = _actor_key(st.actor)
        emp = mapping.actors.get(key or "")
        if emp is None:
            problems.append(
                Problem(file, "actor", "xAPI: actor not in the mapping's actors", 1, ((where, key),), place="statement")
            )
            continue
        result = st.result
        if kind in ("course", "makeup"):
            course = mapping.courses[activity]["course_id"] if kind == "course" else mapping.makeup[activity]
            if kind == "makeup":
                hours = next((c["planned_hours"] for c in mapping.courses.values() if c["course_id"] == course), 0.0)
            else:
                hours = mapping.courses[activity]["planned_hours"]
            row = enroll.setdefault(
                (emp, course),
                {"planned_hours": float(hours), "attended_hours": 0.0, "completed": False, "makeup_session": False},
            )
            if kind == "makeup":
                row["makeup_session"] = True
                continue
            if verb not in COURSE_VERBS:
                skipped[f"verb {verb} on a course activity"] += 1
                continue
            if result is not None and result.duration is not None:
                row["attended_hours"] += result.duration.total_seconds() / 3600.0
            if verb == "completed" or (result is not None and result.completion):
                row["completed"] = True
            continue
        test = mapping.tests[activity]
        if verb not in TEST_VERBS or result is None or result.score is None:
            skipped["test statement without a score"] += 1
            continue
        sc = result.score
        if sc.raw is not None:
            score, max_score = float(sc.raw), float(sc.max) if sc.max is not None else 100.0
        elif sc.scaled is not None:
            score, max_score = float(sc.scaled) * 100.0, 100.0
        else:
            skipped["test statement without a score"] += 1
            continue
        when = st.timestamp or raw.get("stored")
        if when is None:
            problems.append(
                Problem(
                    file,
                    "timestamp",
                    "xAPI: a scored test needs a timestamp (or stored)",
                    1,
                    ((where, None),),
                    place="statement",
                )
            )
            continue
        stamp = pd.Timestamp(when)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(None)
        attempts.setdefault((emp, test["test_id"], test["phase"]), []).append(
            (
                stamp,
                {
                    "kind": test["kind"],
                    "course_id": _parent_course(raw, mapping) or test.get("course_id"),
                    "date": stamp.normalize(),
                    "score": score,
                    "max_score": max_score,
                },
            )
        )
    if problems:
        raise DataValidationError(problems, folder="xAPI export")
    rows = []
    for (emp, test_id, phase), items in attempts.items():
        items.sort(key=lambda t: t[0])
        if len(items) > 1:
            skipped["earlier attempt superseded by a later one"] += len(items) - 1
        rows.append({"employee_id": emp, "test_id": test_id, "phase": phase, **items[-1][1]})
    return XapiImport(
        {
            "enrollments": _frame(
                "enrollments", [{"employee_id": e, "course_id": c, **v} for (e, c), v in enroll.items()]
            ),
            "assessments": _frame("assessments", rows),
        },
        skipped,
    )


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows in the contract's column order and types, sorted by the table's key."""
    cols = TABLES[table].columns
    df = pd.DataFrame(rows, columns=[c.name for c in cols])
    for c in cols:
        if c.kind == "float":
            df[c.name] = df[c.name].astype("float64").round(4)
        elif c.kind == "bool":
            df[c.name] = df[c.name].astype("boolean")
        elif c.kind == "date":
            df[c.name] = pd.to_datetime(df[c.name])
        else:
            df[c.name] = df[c.name].astype("str").where(df[c.name].notna(), None) if len(df) else df[c.name]
    return df.sort_values(list(TABLES[table].key)).reset_index(drop=True)


def import_xapi(statements: str | Path, mapping: str | Path, out: str | Path, *, force: bool = False) -> XapiImport:
    """Convert an xAPI export into ``enrollments.csv`` and ``assessments.csv`` in ``out``.

    Refuses to overwrite existing files unless ``force``; nothing is written when any
    statement is invalid.
    """
    from trackreport.data.sample import _to_text

    result = statements_to_tables(read_statements(statements), read_mapping(mapping))
    out = Path(out)
    targets = [out / f"{name}.csv" for name in OUTPUT_TABLES]
    existing = [p.name for p in targets if p.exists()]
    if existing and not force:
        raise TrackreportError(f"{out} already holds {', '.join(existing)}: not overwritten (use --force to replace)")
    out.mkdir(parents=True, exist_ok=True)
    for name, path in zip(OUTPUT_TABLES, targets, strict=True):
        _to_text(name, result.tables[name]).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return result
