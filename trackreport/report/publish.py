"""Publishing a report atomically: a report with a failed chapter never replaces an earlier good one.

A report is assembled in a staging folder beside its final place and swapped in by
renames; a failed report goes to ``<quarter>.failed/``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from trackreport import __version__
from trackreport.report.catalog import ChapterNotebook
from trackreport.report.render import collect_metrics, render_html, write_report_index


@dataclass
class ReportResult:
    team: str
    quarter: str
    path: Path
    executed: list[str]
    reused: list[str]
    failed: dict[str, str]
    published: bool
    note: str = ""


def read_build(final: Path) -> dict | None:
    path = final / "build.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def publish(
    r: dict, chs: list[ChapterNotebook], data_dir: Path, data_fp: str, log: Callable[[str], None]
) -> ReportResult:
    params, staging, final = r["params"], r["staging"], r["final"]
    by_stem = {j.chapter.stem: j for j in r["todo"]}
    entries, metrics, failed = [], [], {}
    ok_chapters = []
    for ch in chs:
        job = by_stem.get(ch.stem)
        status = "ok" if job is None or job.status == "ok" else "failed"
        error = "" if job is None else job.error
        entry = {
            "stem": ch.stem,
            "number": ch.number,
            "title": ch.title,
            "file": f"{ch.stem}.html",
            "status": status,
            "error": error,
            "executed": job is not None,
            "seconds": round(job.seconds, 2) if job else 0.0,
        }
        entries.append(entry)
        if status == "ok":
            ok_chapters.append(ch)
        else:
            failed[ch.stem] = error
    # final navigation, and metrics, from the executed notebooks
    for i, ch in enumerate(ok_chapters):
        nb_path = staging / "notebooks" / ch.path.name
        nb = nbformat.read(nb_path, as_version=4)
        metrics.extend(collect_metrics(nb))
        nav = {"index": "index.html", "report_title": f"Team {params.team}, {params.quarter}"}
        if i > 0:
            nav["prev"] = {"href": f"{ok_chapters[i - 1].stem}.html", "title": ok_chapters[i - 1].title}
        if i + 1 < len(ok_chapters):
            nav["next"] = {"href": f"{ok_chapters[i + 1].stem}.html", "title": ok_chapters[i + 1].title}
        render_html(nb, staging / f"{ch.stem}.html", nav=nav)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    meta = {
        "team": params.team,
        "quarter": params.quarter,
        "data_dir": str(data_dir),
        "fingerprint": data_fp,
        "version": __version__,
        "generated": generated,
        "params_yaml": r["params_yaml"],
    }
    (staging / "metrics.json").write_text(
        json.dumps(
            {
                "team": params.team,
                "quarter": params.quarter,
                "data_fingerprint": data_fp,
                "version": __version__,
                "generated": generated,
                "metrics": metrics,
            },
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        ),
        encoding="utf-8",
    )
    write_report_index(staging, meta, entries, metrics)
    (staging / "build.json").write_text(
        json.dumps(
            {
                "team": params.team,
                "quarter": params.quarter,
                "generated": generated,
                "version": __version__,
                "data_fingerprint": data_fp,
                "keys": {e["stem"]: r["keys"][e["stem"]] for e in entries if e["status"] == "ok"},
                "chapters": entries,
            },
            indent=2,
        ),
        encoding="utf-8",
    )

    executed = [j.chapter.stem for j in r["todo"] if j.status == "ok"]
    old_good = r["old"] is not None and all(c["status"] == "ok" for c in r["old"]["chapters"])
    if failed and old_good:
        failed_dir = final.parent / f"{final.name}.failed"
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        os.replace(staging, failed_dir)
        note = f"kept the earlier good report in {final}; this run's broken report is in {failed_dir}"
        log(f"{params.team} {params.quarter}: {len(failed)} chapter(s) failed; {note}")
        return ReportResult(params.team, params.quarter, final, executed, r["reused"], failed, False, note)
    swap_in(staging, final)
    return ReportResult(params.team, params.quarter, final, executed, r["reused"], failed, True)


def swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging``: the old report stays whole until the new one is in place."""
    if final.exists():
        trash = final.parent / f".{final.name}.old-{os.getpid()}"
        os.replace(final, trash)
        os.replace(staging, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, final)
    failed_dir = final.parent / f"{final.name}.failed"
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
