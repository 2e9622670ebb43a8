"""``python -m data_sources``: fill and inspect the local store.

  refresh [--series KEY ...]            fetch from the live sources (all series by default)
  status                                what the store holds, how fresh, last errors
  import --from DIR                     copy a manifest folder (e.g. ../shared/data) into the store
  import-file --series KEY FILE         load a file downloaded by hand (AAII, NAAIM, CBOE, FINRA,
                                        Shiller), in the provider's own format

Exit codes: 0 done, 1 some series failed (the rest were saved), 2 bad input or unusable store.
The FRED API key, if any, comes from the environment variable FRED_API_KEY.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_sources.errors import DataSourceError
from data_sources.store import RefreshReport, Store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_sources",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--store", type=Path, default=None, help="store folder (default: cache)")
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="fetch from the live sources")
    refresh.add_argument("--series", nargs="+", metavar="KEY", help="only these series keys")
    commands.add_parser("status", help="what the store holds")
    folder = commands.add_parser("import", help="copy a manifest folder into the store")
    folder.add_argument("--from", dest="folder", type=Path, required=True, metavar="DIR")
    single = commands.add_parser("import-file", help="load a file downloaded by hand")
    single.add_argument("--series", required=True, metavar="KEY")
    single.add_argument("file", type=Path)
    return parser


def _print_report(report: RefreshReport) -> int:
    for key, rows in report.added.items():
        print(f"  ok      {key:<28} +{rows} rows")
    for key, message in report.failed.items():
        print(f"  FAILED  {key:<28} {message}", file=sys.stderr)
    print(report.message)
    return 0 if report.ok else 1


def _status(store: Store) -> int:
    print(f"store: {store.root}")
    print(f"{'series':<28} {'source':<12} {'first':<10}  {'last':<10}  {'rows':>6}  fetched")
    for info in store.status():
        first = info.first.date().isoformat() if info.first is not None else "—"
        last = info.last.date().isoformat() if info.last is not None else "—"
        fetched = info.fetched_at.strftime("%Y-%m-%d %H:%M") if info.fetched_at else "never"
        source = info.source.split(" ")[0]
        line = f"{info.key:<28} {source:<12} {first:<10}  {last:<10}  {info.rows:>6}  {fetched}"
        if info.last_error:
            line += f"\n{'':<28} last error: {info.last_error}"
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        store = Store(args.store)
        if args.command == "status":
            return _status(store)
        if args.command == "import":
            return _print_report(store.import_folder(args.folder))
        if args.command == "import-file":
            if not args.file.is_file():
                raise FileNotFoundError(f"{args.file} does not exist")
            added = store.import_file(args.series, args.file.read_bytes(), args.file.name)
            print(f"{args.series}: +{added} rows from {args.file.name}")
            return 0
        return _print_report(
            store.refresh(
                args.series,
                progress=lambda name, done, total, msg: print(
                    f"[{done}/{total}] {msg}", flush=True
                ),
            )
        )
    except (DataSourceError, KeyError, ValueError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
