"""``investable snapshot``: the model's view on one decision date.

Examples:
  investable snapshot
  investable snapshot --as-of 2022-06-17 --format json
  investable snapshot --data-dir DIR --as-of 2022-06-17      (a manifest folder of your own)
"""

from __future__ import annotations

import argparse
from typing import Any

from analytics.model import Snapshot, evaluate
from dashboard.commands._common import (
    add_data_dir,
    add_format,
    help_text,
    open_source,
    parse_date,
    print_json,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "snapshot",
        help="the composite and every indicator on a decision date",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_dir(parser)
    parser.add_argument(
        "--as-of",
        type=parse_date,
        metavar="DATE",
        default=None,
        help="YYYY-MM-DD (default: the latest week)",
    )
    add_format(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = open_source(args)
    model = evaluate(source.load_many())
    snapshot = model.snapshot(args.as_of)
    if args.format == "json":
        print_json(snapshot.to_dict())
    else:
        print(render_table(snapshot))
    return 0


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def render_table(snapshot: Snapshot) -> str:
    """A plain-text report: the decision, the categories, then one line per indicator."""
    state = "INVESTED" if snapshot.invested else "CASH"
    trade = snapshot.trade_date.date() if snapshot.trade_date is not None else "next trading day"
    lines = [
        f"as of {snapshot.as_of.date()}: decision {snapshot.decision_date.date()}, trade {trade}",
        f"composite {_number(snapshot.composite)} ({snapshot.available} of {snapshot.total} "
        f"available; invested above {snapshot.invest_threshold:.2f}) -> {state}",
        "",
    ]
    for name, score in snapshot.categories.items():
        used, size = snapshot.category_counts[name]
        lines.append(f"  {name:<11} {_number(score)}  ({used} of {size})")
    lines += ["", f"{'indicator':<22} {'reading':>10} {'threshold':>9} {'score':>5}  data to"]
    for row in snapshot.indicators:
        shown = "—" if row.score is None else f"{row.score:.0f}"
        last = row.last_observation.date() if row.last_observation is not None else ""
        line = f"{row.id:<22} {_number(row.reading):>10} {row.threshold:>9.2f} {shown:>5}  {last}"
        if not row.available:
            line += f"  unavailable: {row.reason}"
        lines.append(line)
    return "\n".join(lines)
