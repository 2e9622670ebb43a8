"""``investable levels``: support and resistance levels of a price series on a date.

Examples:
  investable levels --symbol yahoo:^GSPC --as-of 2012-10-19
  investable levels --as-of 2012-10-19 --anchor-start 2012-06-01 --anchor-end 1474.51
  investable levels --as-of 2012-10-19 --target 1565 --stop 1370 --capital 100000  (scenarios)
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import pandas as pd

from analytics.levels import Anchor, LevelSet, Swing, price_for_levels, price_levels
from analytics.riskreward import scenarios
from dashboard.commands._common import (
    add_data_dir,
    add_format,
    help_text,
    open_source,
    parse_date,
    print_json,
)

DEFAULT_SYMBOL = "yahoo:^GSPC"
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_series_options(parser: argparse.ArgumentParser) -> None:
    """--data-dir, --symbol, --as-of and --format, shared with ``regimes``."""
    add_data_dir(parser)
    parser.add_argument(
        "--symbol", default=DEFAULT_SYMBOL, help=f"series key (default {DEFAULT_SYMBOL})"
    )
    parser.add_argument(
        "--as-of",
        type=parse_date,
        metavar="DATE",
        default=None,
        help="YYYY-MM-DD (default: the last close)",
    )
    add_format(parser)


def load_close(args: argparse.Namespace) -> tuple[pd.Series, str]:
    """The symbol's close (quoted when the source has it) and which price that is."""
    frame = open_source(args).load(args.symbol)
    return price_for_levels(frame)


def parse_anchor(text: str) -> Anchor:
    """``YYYY-MM-DD`` -> an anchor on that day's close; a number -> an anchor at that price."""
    if DATE_PATTERN.match(text):
        return Anchor(date=parse_date(text))
    try:
        return Anchor(price=float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a date (YYYY-MM-DD) nor a price"
        ) from exc


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "levels",
        help="price levels: moving averages, Fibonacci, drawdown retracement, trading channel",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_series_options(parser)
    parser.add_argument(
        "--anchor-start", type=parse_anchor, help="Fibonacci swing start: a date or a price"
    )
    parser.add_argument(
        "--anchor-end", type=parse_anchor, help="Fibonacci swing end: a date or a price"
    )
    parser.add_argument("--target", type=float, help="with --stop: risk/reward scenarios")
    parser.add_argument("--stop", type=float, help="with --target: risk/reward scenarios")
    parser.add_argument("--capital", type=float, help="capital for the scenarios' dollar figures")
    parser.set_defaults(func=run)


def swing_payload(swing: Swing | None) -> dict[str, Any] | None:
    if swing is None:
        return None
    return {
        "start_date": swing.start_date,
        "start_price": swing.start_price,
        "end_date": swing.end_date,
        "end_price": swing.end_price,
        "direction": swing.direction,
        "anchored": swing.anchored,
    }


def run(args: argparse.Namespace) -> int:
    if (args.anchor_start is None) != (args.anchor_end is None):
        raise ValueError("give both --anchor-start and --anchor-end, or neither")
    if (args.target is None) != (args.stop is None):
        raise ValueError("give both --target and --stop for scenarios, or neither")
    close, price_used = load_close(args)
    anchors = None if args.anchor_start is None else (args.anchor_start, args.anchor_end)
    result = price_levels(close, as_of=args.as_of, anchors=anchors)
    table = result.to_frame()
    scenario_table = None
    if args.target is not None:
        scenario_table = scenarios(
            result.price, args.target, args.stop, result.levels, args.capital
        )
    if args.format == "json":
        print_json(
            {
                "symbol": args.symbol,
                "as_of": result.as_of,
                "price": result.price,
                "price_used": price_used,
                "levels": table.to_dict(orient="records"),
                "swing": swing_payload(result.swing),
                "drawdown": swing_payload(result.drawdown),
                "notes": list(result.notes),
                "scenarios": None
                if scenario_table is None
                else scenario_table.to_dict(orient="records"),
            }
        )
        return 0
    print(render_table(args.symbol, result, price_used, scenario_table))
    return 0


def render_table(
    symbol: str, result: LevelSet, price_used: str, scenario_table: pd.DataFrame | None
) -> str:
    lines = [
        f"{symbol} levels as of {result.as_of.date().isoformat()}: "
        f"price {result.price:,.2f} ({price_used})",
        "",
    ]
    table = result.to_frame()
    if table.empty:
        lines.append("no levels")
    else:
        shown = pd.DataFrame(
            {
                "level": table["name"],
                "value": table["value"].map(lambda v: f"{v:,.2f}"),
                "distance": table["distance"].map(lambda d: f"{d * 100:+.2f} %"),
            }
        )
        lines.append(shown.to_string(index=False))
    for label, swing in (("Fibonacci swing", result.swing), ("Drawdown", result.drawdown)):
        if swing is not None:
            lines.append(f"{label}: {describe_swing(swing)}")
    lines.extend(f"note: {note}" for note in result.notes)
    if scenario_table is not None:
        lines.extend(["", render_scenarios(scenario_table)])
    return "\n".join(lines)


def describe_swing(swing: Swing) -> str:
    def end(day: pd.Timestamp | None, price: float) -> str:
        return f"{price:,.2f}" + ("" if day is None else f" ({day.date().isoformat()})")

    return (
        f"{end(swing.start_date, swing.start_price)} -> {end(swing.end_date, swing.end_price)}, "
        f"{swing.direction}" + (", anchored" if swing.anchored else "")
    )


def dollars(value: float | None) -> str:
    """8831.71 -> ``"$8,831.71"``, -7858.14 -> ``"−$7,858.14"``, NaN or None -> ``""``."""
    if value is None or pd.isna(value):
        return ""
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def render_scenarios(table: pd.DataFrame) -> str:
    def pct(value: float) -> str:
        return "" if pd.isna(value) else f"{value * 100:+.2f} %"

    shown = pd.DataFrame(
        {
            "scenario": table["scenario"],
            "entry": table["entry"].map(lambda v: f"{v:,.2f}"),
            "reward": table["reward"].map(pct),
            "risk": table["risk"].map(pct),
            "ratio": table["ratio_text"].where(table["ratio_text"] != "", table["note"]),
        }
    )
    if table["reward_dollars"].notna().any():
        shown["reward $"] = table["reward_dollars"].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
        shown["risk $"] = table["risk_dollars"].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
    return str(shown.to_string(index=False))
