"""``investable regimes``: bull markets, the investable uptrend and the sell stop.

Examples:
  investable regimes --symbol yahoo:^GSPC --as-of 2020-06-05
  investable regimes --as-of 2020-06-05 --windows 10,15,20,25 --entry 2020-04-01 --trail 0.06
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from analytics.regimes import (
    DEFAULT_BULL,
    DEFAULT_WINDOWS,
    bull_market_distance,
    investable_uptrend,
    sell_stop,
    uptrend_distance,
    uptrend_start,
)
from dashboard.commands._common import help_text, parse_date, print_json
from dashboard.commands.levels import add_series_options, load_close


def parse_windows(text: str) -> tuple[int, ...]:
    """``"10,15,20"`` -> (10, 15, 20)."""
    try:
        windows = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of trading-day windows"
        ) from exc
    if not windows:
        raise argparse.ArgumentTypeError("give at least one window")
    return windows


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "regimes",
        help="bull markets (A, B, B-modified), investable uptrend, trailing sell stop",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_series_options(parser)
    parser.add_argument(
        "--windows",
        type=parse_windows,
        default=DEFAULT_WINDOWS,
        help="uptrend windows in trading days (default "
        + ",".join(str(w) for w in DEFAULT_WINDOWS)
        + ")",
    )
    parser.add_argument(
        "--entry",
        type=parse_date,
        metavar="DATE",
        default=None,
        help="sell-stop entry date (default: start of the latest investable uptrend)",
    )
    parser.add_argument("--trail", type=float, default=0.06, help="trailing stop (default 0.06)")
    parser.set_defaults(func=run)


def collect(args: argparse.Namespace) -> dict[str, Any]:
    close, price_used = load_close(args)
    bulls = bull_market_distance(close, as_of=args.as_of)
    series = close.dropna()
    if args.as_of is not None:
        series = series.loc[: args.as_of]
    distance = uptrend_distance(series, windows=args.windows)
    flags = investable_uptrend(series, windows=args.windows)["any"]
    stop: dict[str, Any]
    if args.entry is None and uptrend_start(flags) is None:
        stop = {"note": "no investable uptrend up to the as-of date: give --entry for a sell stop"}
    else:
        path = sell_stop(series, entry=args.entry, trail=args.trail, windows=args.windows)
        last = path.iloc[-1]
        actions = path[path["action"] != ""]
        stop = {
            "entry": path.index[0],
            "highest": last["highest"],
            "stop": last["stop"],
            "exposure": last["exposure"],
            "last_action": actions["action"].iloc[-1],
            "last_action_date": actions.index[-1],
            "note": "",
        }
    return {
        "symbol": args.symbol,
        "as_of": series.index[-1],
        "price": float(series.iloc[-1]),
        "price_used": price_used,
        "bull_default": DEFAULT_BULL,
        "bull_markets": bulls.reset_index().to_dict(orient="records"),
        "investable": bool(distance["qualifies"].any()),
        "uptrend_start": uptrend_start(flags) if bool(flags.iloc[-1]) else None,
        "uptrend": distance.reset_index().to_dict(orient="records"),
        "sell_stop": stop,
    }


def run(args: argparse.Namespace) -> int:
    payload = collect(args)
    if args.format == "json":
        print_json(payload)
    else:
        print(render_table(payload))
    return 0


def render_table(payload: dict[str, Any]) -> str:
    as_of = payload["as_of"].date().isoformat()
    lines = [
        f"{payload['symbol']} regimes as of {as_of}: price {payload['price']:,.2f} "
        f"({payload['price_used']})",
        "",
        "Bull market (B_modified is the default shown):",
    ]
    for row in payload["bull_markets"]:
        status = "yes" if row["qualifies"] else "no"
        detail = row["note"] or row["text"]
        lines.append(f"  {row['definition']:<11} {status:<4} {detail}")
    start = payload["uptrend_start"]
    since = f" since {start.date().isoformat()}" if start is not None else ""
    lines += ["", f"Investable uptrend: {'yes' + since if payload['investable'] else 'no'}"]
    table = pd.DataFrame(payload["uptrend"])
    for _, row in table.iterrows():
        status = "yes" if row["qualifies"] else "no"
        lines.append(f"  {int(row['days']):>3} days  {status:<4} {row['note'] or row['text']}")
    stop = payload["sell_stop"]
    lines.append("")
    if stop.get("note"):
        lines.append(f"Sell stop: {stop['note']}")
    else:
        lines.append(
            f"Sell stop: {stop['stop']:,.2f} (highest close {stop['highest']:,.2f} since "
            f"{stop['entry'].date().isoformat()}), exposure {stop['exposure'] * 100:.0f} %, "
            f"last action {stop['last_action']} on {stop['last_action_date'].date().isoformat()}"
        )
    return "\n".join(lines)
