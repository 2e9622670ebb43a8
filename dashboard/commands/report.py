"""``investable report``: the weekly report as one HTML file (charts as 2× PNG).

Examples:
  investable report
  investable report --as-of 2022-06-17 --out report.html
  investable report --no-charts --out weekly.html      (tables only, without chromium)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from analytics.model import evaluate
from dashboard.commands._common import (
    add_data_dir,
    add_format,
    check_output_path,
    help_text,
    open_source,
    parse_date,
    print_json,
    write_output,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="the weekly report (decision, indicator table, key charts) as an HTML file",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_dir(parser)
    parser.add_argument("--as-of", type=parse_date, metavar="DATE", default=None, help="YYYY-MM-DD")
    parser.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="default: investable-DATE.html"
    )
    parser.add_argument("--no-charts", action="store_true", help="tables only (no chromium)")
    add_format(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.report import weekly_report

    if args.out is not None:
        check_output_path(args.out)  # before the work, not after it
    series = open_source(args).load_many()
    model = evaluate(series)
    date = model.decision_date(args.as_of)
    document = weekly_report(model, series, date, with_charts=not args.no_charts)
    out = args.out or Path(f"investable-{date.date()}.html")
    write_output(out, document)
    size = len(document.encode("utf-8"))
    if args.format == "json":
        print_json({"out": str(out), "bytes": size, "week": date, "charts": not args.no_charts})
    else:
        print(f"wrote {out} ({size / 1024:,.0f} KB) for the week of {date.date()}")
    return 0
