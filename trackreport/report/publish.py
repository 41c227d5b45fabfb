"""Publishing a report atomically: a report with a failed chapter never replaces an earlier good one.

A report is assembled in a staging folder beside its final place and swapped in by
renames; a failed report goes to ``<quarter>.failed/``. A run holds :func:`output_lock`
on its output folder, so two runs never write the same reports, and starts with
:func:`recover`, which clears what a killed run left behind. When publishing fails (disk
full, folder read-only) the staging folder is removed and the earlier report stays.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from trackreport import __version__
from trackreport.data.source import source_label
from trackreport.errors import TrackreportError
from trackreport.i18n import _, format_quarter, language_of
from trackreport.report.catalog import ChapterNotebook
from trackreport.report.render import NOT_AVAILABLE, collect_metrics, render_html, write_report_index


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
    unavailable: dict[str, list[str]] = field(default_factory=dict)


def read_build(final: Path) -> dict | None:
    path = final / "build.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


LOCK_NAME = ".trackreport.lock"


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for one run; a second run at the same time stops with a message.

    ``flock`` on ``<out>/.trackreport.lock``: the system releases it when the process ends,
    however it ends, so a killed run never leaves a lock to remove by hand.
    """
    path = out / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise TrackreportError(
                f"another trackreport run ({holder}) is writing to {out}; wait for it to finish or give another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def recover(out: Path, log: Callable[[str], None]) -> None:
    """Clear what an interrupted or killed run left in ``out`` (call with the lock held).

    Staging folders are removed; a report moved aside by a swap that did not finish is
    put back when its place is empty, else removed.
    """
    for team in (p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for left in sorted(team.glob(".*.staging-*")):
            shutil.rmtree(left, ignore_errors=True)
            log(f"removed {left.name} left by an interrupted run")
        for old in sorted(team.glob(".*.old-*")):
            final = team / old.name[1:].split(".old-")[0]
            if not final.exists():
                os.replace(old, final)
                log(f"restored {final} from an interrupted run")
            else:
                shutil.rmtree(old, ignore_errors=True)


def publish(
    r: dict, chs: list[ChapterNotebook], data_dir: str | Path, data_fp: str, log: Callable[[str], None]
) -> ReportResult:
    """Render and swap in one report; an OSError (disk full, read-only) keeps the earlier one."""
    try:
        return _publish(r, chs, data_dir, data_fp, log)
    except OSError as exc:
        params, final = r["params"], r["final"]
        shutil.rmtree(r["staging"], ignore_errors=True)
        where = f": {exc.filename}" if exc.filename else ""
        error = f"could not write the report ({exc.strerror or exc}{where})"
        note = f"{error}; the earlier report in {final} is unchanged" if final.exists() else error
        log(f"{params.team} {params.quarter}: {note}")
        executed = [j.chapter.stem for j in r["todo"] if j.status == "ok"]
        return ReportResult(params.team, params.quarter, final, executed, r["reused"], {"publish": error}, False, note)


def _publish(
    r: dict, chs: list[ChapterNotebook], data_dir: Path, data_fp: str, log: Callable[[str], None]
) -> ReportResult:
    with language_of(r["params"].lang):  # the report's pages in its language (trackreport.i18n)
        return _publish_report(r, chs, data_dir, data_fp, log)


def _publish_report(
    r: dict, chs: list[ChapterNotebook], data_dir: Path, data_fp: str, log: Callable[[str], None]
) -> ReportResult:
    params, staging, final = r["params"], r["staging"], r["final"]
    by_stem = {j.chapter.stem: j for j in r["todo"]}
    entries, metrics, failed = [], [], {}
    ok_chapters = []
    unavailable = r.get("unavailable", {})
    for ch in chs:
        job = by_stem.get(ch.stem)
        status = "ok" if job is None or job.status == "ok" else "failed"
        error = "" if job is None else job.error
        if ch.stem in unavailable:
            status, error = NOT_AVAILABLE, ""
        entry = {
            "stem": ch.stem,
            "number": ch.number,
            "title": _(ch.title),
            "file": f"{ch.stem}.html",
            "status": status,
            "error": error,
            "executed": job is not None,
            "seconds": round(job.seconds, 2) if job else 0.0,
        }
        if status == NOT_AVAILABLE:
            entry["needs"] = unavailable[ch.stem]
        entries.append(entry)
        if status == "ok":
            ok_chapters.append(ch)
        elif status != NOT_AVAILABLE:
            failed[ch.stem] = error
    # final navigation, and metrics, from the executed notebooks; a page rendered as its chapter
    # finished (prerender) is kept when its navigation is the final one (every planned chapter ok)
    for i, ch in enumerate(ok_chapters):
        nav = chapter_nav(params, ok_chapters, i)
        job = by_stem.get(ch.stem)
        if job is not None and job.page_nav == nav and job.metrics is not None:
            metrics.extend(job.metrics)
            continue
        nb = nbformat.read(staging / "notebooks" / ch.path.name, as_version=4)
        metrics.extend(collect_metrics(nb))
        render_html(nb, staging / f"{ch.stem}.html", nav=nav)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    meta = {
        "team": params.team,
        "quarter": params.quarter,
        "data_dir": source_label(data_dir),
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
                "lang": params.lang,
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
    old_good = r["old"] is not None and all(c["status"] != "failed" for c in r["old"]["chapters"])
    if failed and old_good:
        failed_dir = final.parent / f"{final.name}.failed"
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        os.replace(staging, failed_dir)
        note = f"kept the earlier good report in {final}; this run's broken report is in {failed_dir}"
        log(f"{params.team} {params.quarter}: {len(failed)} chapter(s) failed; {note}")
        return ReportResult(params.team, params.quarter, final, executed, r["reused"], failed, False, note, unavailable)
    swap_in(staging, final)
    return ReportResult(params.team, params.quarter, final, executed, r["reused"], failed, True, "", unavailable)


def chapter_nav(params: Any, chapters: list[ChapterNotebook], i: int) -> dict:
    """The navigation of the page of ``chapters[i]`` among the report's ``chapters`` (call in its language)."""
    ch = chapters[i]
    team = _("Team {team}, {quarter}", team=params.team, quarter=format_quarter(params.quarter))
    nav = {"index": "index.html", "report_title": team, "page_title": _(ch.title) + " · " + team}
    if i > 0:
        nav["prev"] = {"href": f"{chapters[i - 1].stem}.html", "title": _(chapters[i - 1].title)}
    if i + 1 < len(chapters):
        nav["next"] = {"href": f"{chapters[i + 1].stem}.html", "title": _(chapters[i + 1].title)}
    return nav


def prerender(r: dict, chs: list[ChapterNotebook], job: Any) -> None:
    """Render a chapter's page, and read its headlines, as soon as it has run; the kernels carry on.

    Its navigation assumes that every chapter planned for the report (all but those the
    data cannot support) ends well; :func:`publish` keeps the page when that holds, and
    renders it again otherwise. Any error here leaves the chapter to :func:`publish`.
    """
    job.metrics = job.page_nav = None
    if job.status != "ok":
        return
    planned = [ch for ch in chs if ch.stem not in r.get("unavailable", {})]
    i = next((k for k, ch in enumerate(planned) if ch.stem == job.chapter.stem), None)
    if i is None:
        return
    try:
        with language_of(r["params"].lang):
            nb = nbformat.read(job.staging / "notebooks" / job.chapter.path.name, as_version=4)
            metrics = collect_metrics(nb)
            nav = chapter_nav(r["params"], planned, i)
            render_html(nb, job.staging / f"{job.chapter.stem}.html", nav=nav)
    except Exception:
        return
    job.metrics, job.page_nav = metrics, nav


def swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging``: the old report stays whole until the new one is in place."""
    if final.exists():
        trash = final.parent / f".{final.name}.old-{os.getpid()}"
        os.replace(final, trash)
        try:
            os.replace(staging, final)
        except BaseException:
            os.replace(trash, final)  # put the earlier report back
            raise
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, final)
    failed_dir = final.parent / f"{final.name}.failed"
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)
