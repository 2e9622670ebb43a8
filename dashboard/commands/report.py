"""``investable report``: the weekly report as one HTML or PDF file (charts as 2× PNG).

Examples:
  investable report
  investable report --as-of 2022-06-17 --out report.html
  investable report --format pdf --out weekly.pdf
  investable report --no-charts --out weekly.html      (tables only, without chromium)

--format html (the default) or pdf picks the document; an --out name ending in .pdf picks the
PDF too. --format json prints the summary line as JSON (the document then follows --out).
The latest week's charts at the default settings come from the store when the refresh drew
them there; other weeks, or a store without them, start chromium to draw them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.model import evaluate
from dashboard.commands._common import (
    add_data_dir,
    check_output_path,
    help_text,
    open_source,
    parse_date,
    print_json,
    write_output_bytes,
)
from dashboard.stored_charts import stored_report_charts
from data_sources.store import Store

if TYPE_CHECKING:
    from dashboard.report import ReportFormat

FORMAT_CHOICES = ("html", "pdf", "table", "json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="the weekly report (decision, indicator table, key charts) as an HTML or PDF file",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_dir(parser)
    parser.add_argument("--as-of", type=parse_date, metavar="DATE", default=None, help="YYYY-MM-DD")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="default: investable-DATE.html (or .pdf)",
    )
    parser.add_argument("--no-charts", action="store_true", help="tables only (no chromium)")
    parser.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        default="table",
        help="html or pdf: the document (default html, or pdf for an --out FILE.pdf); "
        "table or json: how the summary line is printed",
    )
    parser.set_defaults(func=run)


def document_format(fmt: str, out: Path | None) -> ReportFormat:
    """``"pdf"`` for ``--format pdf``, or for an ``--out`` ending in ``.pdf`` unless
    ``--format html`` was given; ``"html"`` otherwise."""
    if fmt == "pdf":
        return "pdf"
    if fmt == "html":
        return "html"
    return "pdf" if out is not None and out.suffix.lower() == ".pdf" else "html"


def run(args: argparse.Namespace) -> int:
    from dashboard.report_charts import ChartBrowser, take_early

    if args.out is not None:
        check_output_path(args.out)  # before the work, not after it
    kind = document_format(args.format, args.out)
    stored = None  # the charts the refresh drew for the latest week
    browser = take_early()  # ``investable`` started it before this module loaded
    try:
        from dashboard.report import render_document, report_content

        source = open_source(args)
        if not args.no_charts and isinstance(source, Store):
            stored = stored_report_charts(source)
        if browser is None and not args.no_charts and (stored is None or args.as_of):
            browser = ChartBrowser()  # it starts while the data load (issue #15)
        series = source.load_many()
        model = evaluate(series)
        date = model.decision_date(args.as_of)
        drawn = stored.fit(date, model.settings) if stored is not None else None
        if drawn is not None and browser is not None:
            browser.start_closing()  # not needed after all
        if kind == "pdf":
            import dashboard.report_pdf  # noqa: F401  (fpdf2 loads while plotly.js loads)
        content = report_content(
            model, series, date, with_charts=not args.no_charts, browser=browser, drawn=drawn
        )
        if browser is not None:
            browser.start_closing()  # the browser's shutdown overlaps the rendering
        document = render_document(content, kind)
    finally:
        if browser is not None:
            browser.close()
    out = args.out or Path(f"investable-{date.date()}.{kind}")
    write_output_bytes(out, document)
    size = len(document)
    if args.format == "json":
        print_json(
            {
                "out": str(out),
                "bytes": size,
                "week": date,
                "charts": not args.no_charts,
            }
        )
    else:
        print(f"wrote {out} ({size / 1024:,.0f} KB) for the week of {date.date()}")
    return 0
