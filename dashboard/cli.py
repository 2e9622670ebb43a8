"""``investable``: one command-line tool for the store and everything the app shows.

Data commands (from :mod:`data_sources.cli`): ``refresh``, ``status``, ``import``,
``import-file``, ``sources``, ``rollback``. Analysis commands (one module each in
``dashboard/commands``, each exposing ``register(subparsers)``): ``snapshot``, ``backtest``,
``levels``, ``regimes``, ``riskreward``, ``report``. ``python -m dashboard`` is the same tool.

After a command commits new data, the model precompute (``dashboard.precompute.precompute``)
runs on the store so app replicas load the default model instead of computing it, then the alerts
(``dashboard.alerts.notify``) tell the configured channels what changed; a failing alert is
reported on stderr and never fails the command. No Streamlit is imported here or by any command.

Importing this module is cheap: the commands' modules (pandas, the store, the model) load in
:func:`main`, after a report that will draw its charts has started its browser
(:func:`dashboard.report_charts.start_early`), so the browser's start overlaps them (issue #15).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import dashboard.commands as commands

if TYPE_CHECKING:
    from data_sources.cli import AfterCommit, Parser
    from data_sources.store import Store

PROG = "investable"
GLOBAL_OPTIONS_WITH_VALUE = ("--store",)
"""Options that may come before the command and take a value (``investable --store DIR …``)."""


def after_commit_steps(store: Store) -> None:
    """The after-commit hook (:mod:`dashboard.after_commit`), its lines on stderr."""
    from dashboard.after_commit import after_commit

    after_commit(store, report=lambda line: print(line, file=sys.stderr, flush=True))


def analysis_modules() -> list[str]:
    """``dashboard.commands.<name>`` for every public command module, sorted by name."""
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__))
    return [f"dashboard.commands.{name}" for name in names if not name.startswith("_")]


def build_parser(after_commit: AfterCommit | None = after_commit_steps) -> Parser:
    """The ``investable`` parser: the data commands (``after_commit`` runs after each commit)
    and the analysis commands, each with ``--store`` and ``--debug``."""
    from data_sources.cli import Parser, add_command_options, add_global_options, register

    parser = Parser(
        prog=PROG,
        description="Is the market investable this week, and why? The store and the model "
        "from the command line.",
        epilog="Exit codes: 0 done, 1 some series failed (the rest were saved), 2 bad input or "
        "an unusable store, 3 internal error (run with --debug for the traceback). "
        "`investable COMMAND --help` shows each command's options.",
    )
    add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register(subparsers, after_commit=after_commit)
    for name in analysis_modules():
        importlib.import_module(name).register(subparsers)
    add_command_options(subparsers)
    return parser


def command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word after the global options, or None."""
    words = iter(argv)
    for word in words:
        if word in GLOBAL_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def draws_charts(argv: Sequence[str]) -> bool:
    """Whether ``argv`` asks for a report that will draw its charts: not ``--no-charts`` nor
    ``--help``, and of a past week (``--as-of``) or of a folder (``--data-dir``). The latest
    week's report from a store reads the charts the refresh drew (:mod:`dashboard.stored_charts`),
    and a browser started for nothing would slow it down."""
    words = {word.split("=", 1)[0] for word in argv}
    return (
        command_of(argv) == "report"
        and not words & {"--no-charts", "-h", "--help"}
        and bool(words & {"--as-of", "--data-dir"})
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``investable`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code. A
    report that draws charts starts its browser first (see the module docstring)."""
    from dashboard.report_charts import close_early, start_early

    args = list(sys.argv[1:] if argv is None else argv)
    if draws_charts(args):
        start_early()
    try:
        from data_sources.cli import execute

        return execute(build_parser(), args)
    finally:
        close_early()  # a browser the command did not take (a usage error)


if __name__ == "__main__":
    sys.exit(main())
