"""The data commands of ``investable`` (and of ``python -m data_sources``), and the rules every
command of both follows.

Commands: ``refresh``, ``status``, ``import``, ``import-file``, ``sources``, ``rollback``.
:func:`register` adds them to a sub-parser set; :func:`execute` parses and runs any command.

Rules:

* **Exit codes**: 0 done; 1 some series (or sources, or the after-commit hook) failed while the
  rest was saved; 2 bad input or an unusable store; 3 an unexpected error (a bug), printed as
  ``internal error: …; run with --debug for the traceback``; 130 interrupted; 141 (quietly)
  when the reader of stdout went away (``investable status | head``).
* Every error is ONE line on stderr; ``--debug`` re-raises instead, for the traceback.
* Results go to stdout (``--format json`` prints one JSON document there); progress lines go to
  stderr, so ``refresh --format json > out.json`` writes clean JSON.
* ``--store LOCATION``: a folder or an fsspec URL (``s3://bucket/prefix``); default
  ``INVESTABLE_STORE``, else the user cache folder. A location that is an existing file is
  refused.
* ``after_commit(store)`` runs after every command that committed new data (``refresh``,
  ``import``, ``import-file``, ``rollback``); ``investable`` passes the model precompute,
  ``python -m data_sources`` passes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from data_sources.catalog import LIVE_BY_KEY, provider_name
from data_sources.check import DEFAULT_DEADLINE, SourceCheck, check_sources
from data_sources.errors import DataSourceError
from data_sources.store import RefreshReport, Store

AfterCommit = Callable[[Store], None]
Command = Callable[[argparse.Namespace], int]

OK, SOME_FAILED, BAD_INPUT, INTERNAL_ERROR, INTERRUPTED, BROKEN_PIPE = 0, 1, 2, 3, 130, 141
DEFAULT_REFRESH_DEADLINE = 900.0
USER_ERRORS = (DataSourceError, ValueError, KeyError, OSError)
"""Exceptions that carry a message meant for the user (exit 2); anything else is a bug. A
KeyError counts only when its argument is a sentence (``"series 'x' is not in the store"``): a
bare missing key (``KeyError('close')``) is a lookup that failed inside the code, so a bug."""


def is_user_error(error: BaseException) -> bool:
    """Whether ``error`` is bad input or an unusable store (exit 2) rather than a bug (exit 3)."""
    if isinstance(error, KeyError):
        return bool(error.args) and isinstance(error.args[0], str) and " " in error.args[0]
    return isinstance(error, USER_ERRORS)


class UsageError(Exception):
    """A bad command line (unknown option, a value that does not parse)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (raised, so :func:`execute` prints them)
    instead of argparse's usage block; sub-parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


# ---- running a command -----------------------------------------------------------------------


def user_message(error: BaseException) -> str:
    """The one line a user sees for ``error``: a KeyError's own text (not its repr), an OS
    error as ``PATH: reason``, anything else as its message, newlines folded."""
    if isinstance(error, KeyError) and error.args:
        text = str(error.args[0])
    elif isinstance(error, OSError) and error.strerror:
        where = error.filename if error.filename is not None else ""
        text = f"{where}: {error.strerror}" if where != "" else error.strerror
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def execute(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command's ``func``; every failure becomes one stderr
    line and an exit code (see the module docstring). Never raises unless ``--debug``."""
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except SystemExit as exc:  # --help and --version exit through here
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else BAD_INPUT)
    debug = bool(getattr(args, "debug", False))
    command: Command = args.func
    try:
        return int(command(args))
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):  # so the flush at exit cannot fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except KeyboardInterrupt:
        if debug:
            raise
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:
        if debug:
            raise
        if is_user_error(exc):
            print(f"error: {user_message(exc)}", file=sys.stderr)
            return BAD_INPUT
        print(
            f"internal error: {type(exc).__name__}: {user_message(exc)}; "
            "run with --debug for the traceback",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


# ---- options shared by every command ---------------------------------------------------------

STORE_HELP = (
    "the store: a folder or an fsspec URL such as s3://bucket/prefix "
    "(default: $INVESTABLE_STORE, else the user cache folder)"
)


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--store`` and ``--debug`` before the command (``investable --store DIR status``)."""
    parser.add_argument("--store", metavar="LOCATION", default=None, help=STORE_HELP)
    parser.add_argument("--debug", action="store_true", help="show the traceback of any error")


def add_command_options(subparsers: Any) -> None:
    """``--store`` and ``--debug`` after the command too (``investable status --store DIR``),
    on every command of ``subparsers``; given there, they win over the global ones."""
    for parser in subparsers.choices.values():
        parser.add_argument(
            "--store", metavar="LOCATION", default=argparse.SUPPRESS, help=STORE_HELP
        )
        parser.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show the traceback of any error",
        )


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output (default table)"
    )


def positive_seconds(text: str) -> float:
    """``"90"`` -> 90.0; anything not a positive number of seconds is a usage error."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def generation_number(text: str) -> int:
    """``"3"`` -> 3; generations are whole numbers ≥ 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a generation number (0, 1, 2, …)")
    return value


# ---- the store -------------------------------------------------------------------------------


def open_store(location: str | None) -> Store:
    """The store at ``location``: a folder or an fsspec URL (default: ``INVESTABLE_STORE``,
    else the user cache folder). A location that is an existing file is a :class:`StoreError`."""
    return Store(location)


def committed(report: RefreshReport, before: int | None) -> bool:
    """Did the command commit new data (a new generation)?"""
    return report.generation is not None and report.generation != before


def run_after_commit(hook: AfterCommit | None, store: Store, debug: bool) -> int:
    """Run the hook; its failure costs exit code 1 and a warning, never the saved data."""
    if hook is None:
        return OK
    try:
        hook(store)
    except Exception as exc:
        if debug:
            raise
        print(
            f"warning: the data is saved, but the step after it failed: {user_message(exc)}",
            file=sys.stderr,
        )
        return SOME_FAILED
    return OK


def _stamp(value: Any) -> str | None:
    """A timestamp as ISO text (``None`` stays ``None``)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def _day(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def print_json(payload: Any) -> None:
    print(json.dumps(payload, indent=2, ensure_ascii=False))


# ---- refresh, import, import-file: one report ------------------------------------------------


def report_payload(report: RefreshReport, store: Store) -> dict[str, Any]:
    """A refresh or import as JSON: per series its status, rows added and revised, error, and
    the store's note (e.g. a gap that remains), plus the new generation."""
    revised: dict[str, int] = dict(getattr(report, "revised", {}) or {})
    notes: dict[str, str] = dict(getattr(report, "notes", {}) or {})

    def row(key: str, status: str, added: int, error: str | None) -> dict[str, Any]:
        return {"key": key, "status": status, "added": added, "revised": revised.get(key, 0),
                "error": error, "note": notes.get(key)}  # fmt: skip

    series = [row(key, "updated", int(rows), None) for key, rows in report.added.items()]
    series += [row(key, "failed", 0, message) for key, message in report.failed.items()]
    return {
        "store": store.location,
        "generation": getattr(report, "generation", None),
        "ok": report.ok,
        "unreachable": report.unreachable,
        "message": report.message,
        "series": series,
    }


def render_report(payload: dict[str, Any]) -> str:
    lines = []
    for row in payload["series"]:
        if row["status"] == "updated":
            revised = f", {row['revised']} revised" if row["revised"] else ""
            lines.append(f"  ok      {row['key']:<28} +{row['added']} rows{revised}")
        else:
            lines.append(f"  FAILED  {row['key']:<28} {row['error']}")
        if row["note"]:
            lines.append(f"          {'':<28} note: {row['note']}")
    generation = payload["generation"]
    prefix = f"generation {generation}: " if generation is not None else ""
    lines.append(f"{prefix}{payload['message']}")
    return "\n".join(lines)


def finish_report(
    args: argparse.Namespace,
    store: Store,
    report: RefreshReport,
    before: int | None,
    after_commit: AfterCommit | None,
) -> int:
    """Print the report, run the hook when data was committed; the exit code."""
    payload = report_payload(report, store)
    if args.format == "json":
        print_json(payload)
    else:
        print(render_report(payload))
    code = OK if report.ok else SOME_FAILED
    if committed(report, before):
        code = max(code, run_after_commit(after_commit, store, bool(args.debug)))
    return code


def progress_line(name: str, done: int, total: int, message: str) -> None:
    """One progress line on stderr (stdout keeps the results)."""
    print(f"[{done}/{total}] {message}", file=sys.stderr, flush=True)


def known_keys(store: Store) -> set[str]:
    """Series a refresh can ask for: the live catalog plus whatever the store holds."""
    return set(LIVE_BY_KEY) | set(store.keys())


def check_refresh_keys(store: Store, keys: Sequence[str] | None) -> list[str] | None:
    """``keys`` unchanged when each is a catalog or stored series; else a one-line error."""
    if not keys:
        return None
    known = known_keys(store)
    unknown = [key for key in keys if key not in known]
    if unknown:
        for key in unknown:
            provider_name(key)  # a key without "provider:" gets that message
        raise KeyError(
            f"unknown series key {', '.join(repr(k) for k in unknown)}: "
            "`investable status` lists the keys"
        )
    return list(dict.fromkeys(keys))


def refresh_store(store: Store, keys: Sequence[str] | None, deadline: float) -> RefreshReport:
    """``store.refresh`` with progress on stderr and the whole refresh's ``deadline``."""
    return store.refresh(keys, progress=progress_line, deadline=deadline)


def register_refresh(subparsers: Any, after_commit: AfterCommit | None) -> None:
    parser = subparsers.add_parser(
        "refresh",
        help="fetch every live series (or some) into the store",
        description="Fetch from the live sources and commit what arrived; a series that fails "
        "keeps what the store holds. Progress goes to stderr.\n\nExamples:\n"
        "  investable refresh\n"
        "  investable refresh --series yahoo:SPY fred:DGS10 --deadline 120 --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--series", nargs="+", metavar="KEY", help="only these series keys")
    parser.add_argument(
        "--deadline",
        type=positive_seconds,
        default=DEFAULT_REFRESH_DEADLINE,
        metavar="SECONDS",
        help=f"time for the whole refresh (default {DEFAULT_REFRESH_DEADLINE:g})",
    )
    add_format(parser)

    def run(args: argparse.Namespace) -> int:
        store = open_store(args.store)
        keys = check_refresh_keys(store, args.series)
        before = store.generation
        report = refresh_store(store, keys, args.deadline)
        return finish_report(args, store, report, before, after_commit)

    parser.set_defaults(func=run)


def register_import(subparsers: Any, after_commit: AfterCommit | None) -> None:
    parser = subparsers.add_parser(
        "import",
        help="copy a manifest folder (manifest.toml + CSV files) into the store",
        description="Copy every series of a folder with a manifest.toml into the store, "
        "merged with what it holds.\n\nExamples:\n  investable import --from ~/investable-data",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="folder", required=True, metavar="DIR")
    add_format(parser)

    def run(args: argparse.Namespace) -> int:
        store = open_store(args.store)
        folder = Path(args.folder).expanduser()
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{folder} is a file; give the folder that holds manifest.toml")
        before = store.generation
        report = store.import_folder(folder)
        return finish_report(args, store, report, before, after_commit)

    parser.set_defaults(func=run)


def read_input_file(path: Path) -> bytes:
    """The bytes of a file given on the command line, with one-line errors."""
    if not path.exists():
        raise ValueError(f"{path} does not exist")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a file")
    return path.read_bytes()  # PermissionError -> "PATH: Permission denied"


def register_import_file(subparsers: Any, after_commit: AfterCommit | None) -> None:
    parser = subparsers.add_parser(
        "import-file",
        help="load a file downloaded by hand (AAII, NAAIM, CBOE, FINRA, Shiller)",
        description="Load a file downloaded by hand, in the provider's own format.\n\nExamples:\n"
        "  investable import-file --series aaii:sentiment ~/Downloads/sentiment.xls",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--series", required=True, metavar="KEY")
    parser.add_argument("file", metavar="FILE")
    add_format(parser)

    def run(args: argparse.Namespace) -> int:
        path = Path(args.file).expanduser()
        data = read_input_file(path)
        store = open_store(args.store)
        before = store.generation
        added = store.import_file(args.series, data, path.name)
        after = store.generation
        if args.format == "json":
            print_json(
                {
                    "store": store.location,
                    "key": args.series,
                    "file": str(path),
                    "added": int(added),
                    "generation": after,
                }
            )
        else:
            prefix = f"generation {after}: " if after is not None else ""
            print(f"{prefix}{args.series}: +{added} rows from {path.name}")
        changed = after != before if after is not None else added > 0
        return run_after_commit(after_commit, store, bool(args.debug)) if changed else OK

    parser.set_defaults(func=run)


# ---- status and rollback ---------------------------------------------------------------------


def generation_payload(generation: Any) -> dict[str, Any]:
    """A ``Generation(number, committed_at, kind, changes)`` as JSON."""
    return {
        "number": int(generation.number),
        "committed_at": _stamp(generation.committed_at),
        "kind": str(generation.kind),
        "changes": [
            {"key": c.key, "added": int(c.added), "revised": int(c.revised), "error": c.error}
            for c in generation.changes
        ],
    }


def describe_changes(changes: Sequence[dict[str, Any]]) -> str:
    """``"3 series, +12 rows, 2 revised, 1 failed"``."""
    failed = sum(1 for c in changes if c["error"])
    added = sum(c["added"] for c in changes)
    revised = sum(c["revised"] for c in changes)
    text = f"{len(changes)} series, +{added} rows, {revised} revised"
    return text + (f", {failed} failed" if failed else "")


def render_generation(row: dict[str, Any]) -> str:
    when = (
        pd.Timestamp(row["committed_at"]).strftime("%Y-%m-%d %H:%M") if row["committed_at"] else "—"
    )
    return f"  {row['number']:>4}  {when:<16}  {row['kind']:<8}  {describe_changes(row['changes'])}"


def status_payload(store: Store) -> dict[str, Any]:
    """Per series: key, rows, first and last date, source, fetched-at and last error; plus the
    store's location, current generation and the kept generations (newest first)."""
    series = [
        {
            "key": info.key,
            "rows": int(info.rows),
            "first": None if info.first is None else info.first.date().isoformat(),
            "last": None if info.last is None else info.last.date().isoformat(),
            "source": info.source,
            "fetched_at": _stamp(info.fetched_at),
            "last_error": info.last_error,
        }
        for info in store.status()
    ]
    generations = store.generations()
    return {
        "store": store.location,
        "generation": store.generation,
        "generations": [generation_payload(g) for g in generations],
        "series": series,
    }


def render_status(payload: dict[str, Any]) -> str:
    generation = payload["generation"]
    head = f"store: {payload['store']}"
    lines = [head + (f" (generation {generation})" if generation is not None else "")]
    lines.append(f"{'series':<28} {'source':<12} {'first':<10}  {'last':<10}  {'rows':>6}  fetched")
    for row in payload["series"]:
        fetched = (
            pd.Timestamp(row["fetched_at"]).strftime("%Y-%m-%d %H:%M")
            if row["fetched_at"]
            else "never"
        )
        source = (row["source"] or "").split(" ")[0]
        first, last = row["first"] or "—", row["last"] or "—"
        lines.append(
            f"{row['key']:<28} {source:<12} {first:<10}  {last:<10}  {row['rows']:>6}  {fetched}"
        )
        if row["last_error"]:
            lines.append(f"{'':<28} last error: {row['last_error']}")
    if payload["generations"]:
        lines += ["", "generations (newest first):"]
        lines += [render_generation(row) for row in payload["generations"]]
    return "\n".join(lines)


def register_status(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="what the store holds: per series rows, dates, source, last error; generations",
        description="What the store holds, how fresh, the last error of each series, and the "
        "kept generations.\n\nExamples:\n  investable status\n  investable status --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_format(parser)

    def run(args: argparse.Namespace) -> int:
        payload = status_payload(open_store(args.store))
        if args.format == "json":
            print_json(payload)
        else:
            print(render_status(payload))
        return OK

    parser.set_defaults(func=run)


def register_rollback(subparsers: Any, after_commit: AfterCommit | None) -> None:
    parser = subparsers.add_parser(
        "rollback",
        help="return the store to an earlier generation (committed as a new one)",
        description="Commit a new generation equal to an earlier one; `investable status` "
        "lists the kept generations.\n\nExamples:\n  investable rollback --to 3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--to", type=generation_number, required=True, metavar="N")
    add_format(parser)

    def run(args: argparse.Namespace) -> int:
        store = open_store(args.store)
        generation = store.rollback(args.to)
        payload = {
            "store": store.location,
            "restored": args.to,
            "generation": generation_payload(generation),
        }
        if args.format == "json":
            print_json(payload)
        else:
            row = payload["generation"]
            print(
                f"restored generation {args.to} as generation {row['number']} "
                f"({describe_changes(row['changes'])})"
            )
        return run_after_commit(after_commit, store, bool(args.debug))

    parser.set_defaults(func=run)


# ---- sources ---------------------------------------------------------------------------------


def providers_for_check() -> dict[str, Any]:
    """The live providers, as a refresh would use them (FRED key from the environment)."""
    from data_sources.registry import default_providers

    return dict(default_providers())


def check_payload(check: SourceCheck) -> dict[str, Any]:
    return {
        "name": check.name,
        "display_name": check.display_name,
        "key": check.key,
        "reachable": check.reachable,
        "reason": check.reason,
        "latency_s": round(check.latency_s, 3),
        "newest": None if check.newest is None else check.newest.date().isoformat(),
    }


def render_checks(checks: Sequence[SourceCheck]) -> str:
    lines = [f"{'source':<8} {'reachable':<9} {'latency':>8}  {'newest':<10}  {'series':<20} why"]
    for c in checks:
        lines.append(
            f"{c.name:<8} {'yes' if c.reachable else 'NO':<9} {c.latency_s:>7.2f}s  "
            f"{_day(c.newest):<10}  {c.key:<20} {c.reason}"
        )
    return "\n".join(lines)


def register_sources(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="ask each live source once: reachable from here? why not? latency, newest date",
        description="Ask each live source once, all at once, for one series, and print whether "
        "it answered, why not, how fast, and its newest observation.\n\nExamples:\n"
        "  investable sources\n  investable sources --source fred yahoo --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", nargs="+", metavar="NAME", help="only these sources")
    parser.add_argument(
        "--deadline",
        type=positive_seconds,
        default=DEFAULT_DEADLINE,
        metavar="SECONDS",
        help=f"time for the whole check (default {DEFAULT_DEADLINE:g})",
    )
    add_format(parser)

    def run(args: argparse.Namespace) -> int:
        providers = providers_for_check()
        if args.source:
            unknown = [name for name in args.source if name not in providers]
            if unknown:
                raise KeyError(
                    f"unknown source {', '.join(repr(n) for n in unknown)}; "
                    f"known: {', '.join(providers)}"
                )
            providers = {name: providers[name] for name in dict.fromkeys(args.source)}
        checks = check_sources(providers, deadline=args.deadline)
        if args.format == "json":
            print_json([check_payload(c) for c in checks])
        else:
            print(render_checks(checks))
        return OK if all(c.reachable for c in checks) else SOME_FAILED

    parser.set_defaults(func=run)


# ---- the data commands, together -------------------------------------------------------------


def register(subparsers: Any, *, after_commit: AfterCommit | None = None) -> None:
    """Add ``refresh``, ``status``, ``import``, ``import-file``, ``sources`` and ``rollback``;
    ``after_commit(store)`` runs after each command that committed new data."""
    register_refresh(subparsers, after_commit)
    register_status(subparsers)
    register_import(subparsers, after_commit)
    register_import_file(subparsers, after_commit)
    register_sources(subparsers)
    register_rollback(subparsers, after_commit)


def build_parser(
    prog: str = "python -m data_sources", after_commit: AfterCommit | None = None
) -> Parser:
    parser = Parser(
        prog=prog,
        description="Fill and inspect the local store (the data commands of `investable`).",
        epilog="Exit codes: 0 done, 1 some series failed (the rest were saved), 2 bad input or "
        "an unusable store, 3 internal error. The FRED API key, if any, comes from FRED_API_KEY.",
    )
    add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register(subparsers, after_commit=after_commit)
    add_command_options(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m data_sources``: the data commands, without any after-commit hook."""
    return execute(build_parser(), argv)
