"""The ``trackreport`` command line: one function per subcommand, registered by name.

Add a subcommand by writing a function ``(args) -> int`` and registering it with
:func:`subcommand`, giving a function that declares its arguments::

    def _report_arguments(parser):
        parser.add_argument("--team", required=True)

    @subcommand("report", "Build one team's report.", _report_arguments)
    def _report(args):
        ...
        return 0

:func:`main` parses the arguments, runs the subcommand and turns every
:class:`~trackreport.errors.TrackreportError` into a message on stderr and exit code 1,
without a traceback. Exit codes: 0 success, 1 problems found or error, 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from trackreport.errors import TrackreportError

__all__ = ["main", "subcommand", "SUBCOMMANDS"]

Run = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class _Subcommand:
    name: str
    help: str
    configure: Configure
    run: Run


SUBCOMMANDS: dict[str, _Subcommand] = {}
"""Registered subcommands by name, in the order ``--help`` lists them."""


def subcommand(name: str, help: str, configure: Configure | None = None) -> Callable[[Run], Run]:
    """Register the decorated function as subcommand ``name``.

    Parameters
    ----------
    name : str
        Subcommand name on the command line.
    help : str
        One line shown by ``trackreport --help``.
    configure : callable, optional
        Adds the subcommand's arguments to its ``argparse`` parser.

    Examples
    --------
    >>> @subcommand("hello", "Say hello.", lambda p: p.add_argument("who"))
    ... def _hello(args):
    ...     print(f"hello {args.who}")
    ...     return 0
    >>> main(["hello", "world"])
    hello world
    0
    >>> del SUBCOMMANDS["hello"]
    """

    def register(run: Run) -> Run:
        SUBCOMMANDS[name] = _Subcommand(name, help, configure or (lambda parser: None), run)
        return run

    return register


class _UsageError(Exception):
    """Bad command-line usage found after parsing (exit code 2)."""


def _data_source(value: str) -> str | Path:
    """``--data``: a database URL as given, or a folder path (checked by :func:`_check_data_folder`)."""
    from trackreport.data.source import is_database_url

    return value if is_database_url(value) else Path(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="trackreport",
        description="Training-effectiveness reports for sales and marketing teams.",
    )
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for sub in SUBCOMMANDS.values():
        sub_parser = subs.add_parser(sub.name, help=sub.help, description=sub.help)
        sub.configure(sub_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 when the data has problems or a trackreport error occurred
        (message on stderr, no traceback), 2 on a usage error.

    Examples
    --------
    >>> main(["contract"]) == 0  # doctest: +ELLIPSIS
    # Data contract
    ...
    True
    """
    for stream in (sys.stdout, sys.stderr):  # paths that are not valid UTF-8 print as \xNN
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # before pyarrow loads: see report.execute.ARROW_POOL
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    name = f"trackreport {args.command}"
    try:
        with _stop_on_sigterm():
            return SUBCOMMANDS[args.command].run(args)
    except _UsageError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        return 2
    except TrackreportError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        how = str(exc) or "Ctrl-C"
        print(f"{name}: stopped by {how}; nothing half-written was published", file=sys.stderr)
        return 143 if how == "SIGTERM" else 130
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"{name}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if os.environ.get("TRACKREPORT_DEBUG"):
            raise
        text = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        print(f"{name}: internal error ({text}); set TRACKREPORT_DEBUG=1 for the traceback", file=sys.stderr)
        return 1


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt("SIGTERM") so a run cleans up as on Ctrl-C."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt("SIGTERM")

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ------------------------------------------------------------------------------- init


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="folder to write the templates into (created)")
    parser.add_argument(
        "--format",
        choices=("both", "csv", "excel"),
        default="both",
        help="one header-only CSV per table, the workbook trackreport-data.xlsx, or both (default)",
    )
    parser.add_argument("--force", action="store_true", help="replace template files that already exist")


@subcommand("init", "Write templates to fill with your data (CSV files and an Excel workbook).", _init_arguments)
def _init(args: argparse.Namespace) -> int:
    from trackreport.data.templates import write_templates

    if not args.folder.strip():
        raise _UsageError("give the folder to write the templates into (make init DIR=path)")
    written = write_templates(Path(args.folder), what=args.format, force=args.force)
    print(f"wrote {len(written)} template file(s) into {args.folder}")
    print(
        "Fill the tables you have (leave the others empty: they count as not provided), then:\n"
        f"  python -m trackreport validate {args.folder}\n"
        f"  python -m trackreport report --team TEAM --data {args.folder}"
    )
    return 0


# --------------------------------------------------------------------------- validate


def _check_data_folder(folder: str | Path) -> None:
    """A ``--data`` folder must be a folder; a database URL is checked when connecting."""
    from trackreport.data.source import is_database_url

    if is_database_url(folder) or Path(folder).is_dir():
        return
    folder = Path(folder)
    if folder.exists():
        raise _UsageError(f"data folder {folder} is a file, not a folder (give the folder holding the tables)")
    raise _UsageError(f"data folder {folder} not found")


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA", type=_data_source, help="data folder or postgresql:// URL to check")


@subcommand("validate", "Check a data folder against the data contract.", _validate_arguments)
def _validate(args: argparse.Namespace) -> int:
    from trackreport.data.load import present_tables
    from trackreport.data.source import load_source, source_label
    from trackreport.errors import DataValidationError

    folder = args.data
    _check_data_folder(folder)
    try:
        ds = load_source(folder)
    except DataValidationError as exc:
        problems = exc.problems
        folder = source_label(folder)
    else:
        print(f"OK: {len(ds)} tables, {ds.n_rows} rows ({source_label(folder)})")
        return _print_availability(ds.present)
    files = list(dict.fromkeys(p.file for p in problems))
    print(f"{len(problems)} problem(s) in {len(files)} file(s) of data folder {folder}")
    if any(p.examples and p.place == "line" for p in problems):
        print("(CSV line numbers as a text editor or Excel shows them: the header is line 1)")
    for file in files:
        print(f"\n{file}")
        for p in problems:
            if p.file == file:
                print(f"  - {p.detail()}")
    if isinstance(args.data, Path):
        print()
        _print_availability(present_tables(args.data))  # files and workbook sheets, valid or not
    return 1


def _print_availability(present: Sequence[str]) -> int:
    """Say which chapters the tables present support; 1 when not even a report's base tables are there."""
    from trackreport.data.schema import BASE_TABLES, missing_tables
    from trackreport.report.catalog import discover_chapters

    lacking = [t for t in BASE_TABLES if t not in present]
    if lacking:
        print(f"Every report needs {', '.join(BASE_TABLES)}; missing: {', '.join(lacking)}")
        return 1
    gaps = [(ch, missing_tables(ch.number, present)) for ch in discover_chapters()]
    gaps = [(ch, need) for ch, need in gaps if need]
    if gaps:
        print(f"Chapters not available for lack of data ({len(gaps)}; the others can be built):")
        for ch, need in gaps:
            print(f"  - {ch.number} {ch.title}: needs {', '.join(need)}")
    return 0


# --------------------------------------------------------------------------- contract


def _contract_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="PATH", type=Path, help="write to PATH instead of standard output")


@subcommand("contract", "Write the data contract (Markdown) from the schemas.", _contract_arguments)
def _contract(args: argparse.Namespace) -> int:
    from trackreport.data.contract import render_contract

    text = render_contract()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    if not args.out.parent.is_dir():
        raise _UsageError(f"folder {args.out.parent} does not exist")
    args.out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.out}")
    return 0


# ----------------------------------------------------------------------------- report


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    from trackreport.paths import REPORTS_DIR, SAMPLE_DIR

    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--team", help="team to report, e.g. east")
    who.add_argument("--all", action="store_true", help="every team and every quarter with a cohort")
    parser.add_argument("--quarter", help="quarter whose cohort is reported, e.g. 2025Q3 (default: latest)")
    parser.add_argument(
        "--data", type=_data_source, default=SAMPLE_DIR, help="data folder or postgresql:// URL (default: data/sample)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (default: {REPORTS_DIR.name}, {REPORTS_DIR.name}/zh for --lang zh)",
    )
    parser.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=None,
        help="report language: en (English, the default) or zh (Simplified Chinese); same as --set lang=zh",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, e.g. --set targets.nps=55 (repeatable)",
    )
    parser.add_argument(
        "--chapter", action="append", default=None, metavar="NN", help="only this chapter number (repeatable)"
    )
    parser.add_argument("--workers", type=int, default=None, help="kernels in parallel (default: cores)")
    parser.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="run the chapters on a Dask cluster, e.g. tcp://scheduler:8786 (default: kernels on this machine)",
    )
    parser.add_argument("--force", action="store_true", help="re-execute chapters even if nothing changed")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="also print each report to <team>-<quarter>.pdf beside its HTML (needs Debian's chromium)",
    )
    parser.add_argument(
        "--notebooks", type=Path, default=None, metavar="DIR", help="chapter notebooks folder (default: notebooks/)"
    )


@subcommand("report", "Build training-effectiveness reports (HTML, metrics.json).", _report_arguments)
def _report(args: argparse.Namespace) -> int:
    from trackreport.errors import ParameterError
    from trackreport.report.params import parse_set, resolve

    try:
        overrides = parse_set(args.set)
    except ParameterError as exc:
        raise _UsageError(str(exc)) from None
    if args.lang is not None:
        overrides["lang"] = args.lang
    if args.out is None:
        from trackreport.paths import REPORTS_DIR

        args.out = REPORTS_DIR / "zh" if args.lang == "zh" else REPORTS_DIR
    if args.team is not None:  # bad team, quarter or parameters: say so before the heavy imports
        resolve(args.team, args.quarter or "2000Q1", overrides=overrides)

    if args.all and args.quarter:
        raise _UsageError("--quarter goes with --team, not with --all")
    _check_data_folder(args.data)
    if args.out.exists() and not args.out.is_dir():
        raise _UsageError(f"--out {args.out} is a file, not a folder")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise _UsageError(f"--workers takes 1 to 64 kernels, got {args.workers}")
    for number in args.chapter or ():
        if not re.fullmatch(r"\d\d(_[a-z0-9_]+)?", number):
            raise _UsageError(
                f"--chapter takes a chapter number such as 01 (or a name such as 01_goals), got {number!r}"
            )
    if args.notebooks is not None and not args.notebooks.is_dir():
        raise _UsageError(f"--notebooks {args.notebooks} is not a folder")
    if args.cluster == "":  # make reports CLUSTER= (empty): this machine
        args.cluster = None
    if args.cluster is not None and not re.fullmatch(r"(tcp|tls|ws|wss)://[^\s/]+:\d+/?", args.cluster):
        raise _UsageError(f"--cluster takes a Dask scheduler address such as tcp://host:8786, got {args.cluster!r}")
    from trackreport.report.runner import run_reports

    where = {"notebooks_dir": args.notebooks} if args.notebooks is not None else {}

    result = run_reports(
        team=args.team,
        quarter=args.quarter,
        all_reports=args.all,
        data_dir=args.data,
        out=args.out,
        overrides=overrides,
        chapters=args.chapter,
        workers=args.workers,
        force=args.force,
        progress=not args.no_progress and sys.stderr.isatty(),
        pdf=args.pdf,
        cluster=args.cluster,
        **where,
    )
    return 0 if result.ok else 1


# --------------------------------------------------------------------------- messages


def _messages_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("zh",), default="zh", help="catalog language to check (default: zh)")
    parser.add_argument(
        "--paths", nargs="+", type=Path, default=None, metavar="FILE", help="only these modules or notebooks"
    )
    parser.add_argument(
        "--write", type=Path, default=None, metavar="PO", help="append the untranslated messages to this PO file"
    )


@subcommand(
    "messages", "Check the translation catalogs: untranslated, obsolete or broken messages.", _messages_arguments
)
def _messages(args: argparse.Namespace) -> int:
    from trackreport.report.messages import check_catalog, extract_messages, hidden_messages, write_missing

    for path in args.paths or ():
        if not path.is_file():
            raise _UsageError(f"--paths {path}: no such file")
    if args.write is not None:
        if args.write.suffix != ".po":
            raise _UsageError(f"--write takes a .po file, got {args.write}")
        added = write_missing(args.lang, args.write, args.paths)
        print(f"{args.write}: {added} message(s) added for translation")
        return 0
    messages = extract_messages(args.paths)
    problems = hidden_messages(args.paths) + check_catalog(args.lang, messages)
    if args.paths:  # only these files: entries other files use are not obsolete
        problems = [p for p in problems if not p.kind.startswith("obsolete")]
    for p in problems:
        print(p)
    print(f"{len(messages)} message(s), {len(problems)} problem(s) in the {args.lang} catalog")
    return 1 if problems else 0


# ------------------------------------------------------------------------------ bench


def _bench_arguments(parser: argparse.ArgumentParser) -> None:
    from trackreport.paths import SAMPLE_DIR

    parser.add_argument("--team", default="east", help="team whose report is timed (default: east)")
    parser.add_argument("--quarter", default=None, help="quarter (default: the team's latest cohort)")
    parser.add_argument(
        "--data", type=_data_source, default=SAMPLE_DIR, help="data folder or postgresql:// URL (default: data/sample)"
    )


@subcommand("bench", "Time the runner against papermill + nbconvert CLIs run by hand.", _bench_arguments)
def _bench(args: argparse.Namespace) -> int:
    from trackreport.report.bench import bench

    bench(team=args.team, quarter=args.quarter, data_dir=args.data)
    return 0


def _bench_scale_arguments(parser: argparse.ArgumentParser) -> None:
    _bench_arguments(parser)
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/trackreport-bench-scale"),
        help="folder for the larger company and the reports (kept: the company is reused)",
    )
    parser.add_argument("--factor", type=float, default=10.0, help="data multiplier (default 10)")


@subcommand(
    "bench-scale", "Time one team's report on the sample and on 10x the data, with peak memory.", _bench_scale_arguments
)
def _bench_scale(args: argparse.Namespace) -> int:
    from trackreport.report.bench import bench_scale

    if not args.factor > 0:
        raise _UsageError(f"--factor must be > 0, got {args.factor}")
    bench_scale(team=args.team, quarter=args.quarter, data_dir=args.data, work=args.work, factor=args.factor)
    return 0


def _import_xapi_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("statements", type=Path, help="xAPI export: a JSON file (list or StatementResult) or a folder")
    parser.add_argument("--mapping", type=Path, required=True, help="YAML: actors -> employee ids, activities")
    parser.add_argument("--out", type=Path, required=True, help="folder for enrollments.csv and assessments.csv")
    parser.add_argument("--force", action="store_true", help="replace existing enrollments.csv / assessments.csv")


@subcommand(
    "import-xapi", "Convert an xAPI (LRS) export into enrollments and assessments tables.", _import_xapi_arguments
)
def _import_xapi(args: argparse.Namespace) -> int:
    from trackreport.data.xapi import import_xapi
    from trackreport.errors import DataValidationError

    for path, what in ((args.statements, "xAPI export"), (args.mapping, "mapping file")):
        if not path.exists():
            raise _UsageError(f"{what} {path} not found")
    try:
        result = import_xapi(args.statements, args.mapping, args.out, force=args.force)
    except DataValidationError as exc:
        print(f"{len(exc.problems)} problem(s) in {args.statements}; nothing written:", file=sys.stderr)
        for p in exc.problems:
            print(f"- {p}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: " + "; ".join(result.summary()))
    return 0


# --------------------------------------------------------------------------- export-db


def _export_db_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", type=_data_source, help="data folder to load")
    parser.add_argument("url", help="postgresql://user@host:port/database (password from PGPASSWORD or ~/.pgpass)")
    parser.add_argument("--replace", action="store_true", help="replace contract tables the database already holds")


@subcommand(
    "export-db",
    "Load a data folder into a PostgreSQL database with the contract's keys and types.",
    _export_db_arguments,
)
def _export_db(args: argparse.Namespace) -> int:
    from trackreport.data.sql import export_folder, is_database_url, safe_url

    if not is_database_url(args.url):
        raise _UsageError(f"{args.url!r} is not a postgresql:// URL")
    if is_database_url(args.data):
        raise _UsageError("export-db loads a data folder, not a database")
    _check_data_folder(args.data)
    written = export_folder(args.data, args.url, replace=args.replace)
    print(f"wrote {sum(written.values()):,} rows in {len(written)} tables to {safe_url(args.url)}")
    return 0
