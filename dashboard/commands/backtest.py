"""``investable backtest``: follow one indicator (or the composite) against buy and hold.

Examples:
  investable backtest --indicator composite --cash tbill
  investable backtest --indicator composite --start 2010-01-04 --format json
  investable backtest --data-dir DIR --indicator composite      (a manifest folder of your own)
"""

from __future__ import annotations

import argparse
from typing import Any

from analytics.backtest import BacktestResult, BacktestSettings, backtest_signal, market_for
from analytics.model import evaluate
from analytics.stats import stats_table
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
        "backtest",
        help="backtest an indicator or the composite against buy-and-hold SPY",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_dir(parser)
    parser.add_argument("--indicator", default="composite", help="an indicator id or 'composite'")
    parser.add_argument(
        "--start", type=parse_date, metavar="DATE", default=None, help="first trade date"
    )
    parser.add_argument("--end", type=parse_date, metavar="DATE", default=None, help="last day")
    parser.add_argument("--cash", choices=("zero", "tbill"), default="zero")
    parser.add_argument("--capital", type=float, default=100_000.0)
    parser.add_argument("--commission", type=float, default=10.0, help="dollars per trade")
    parser.add_argument("--spread", type=float, default=0.0002, help="fraction (0.0002 = 0.02 %%)")
    add_format(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = BacktestSettings(
        capital=args.capital,
        commission=args.commission,
        spread=args.spread,
        cash=args.cash,
        start=args.start,
        end=args.end,
    )
    series = open_source(args).load_many()
    model = evaluate(series)
    signal = model.signal(args.indicator)
    if signal.notna().sum() == 0:
        reason = model.indicators[args.indicator].reason.iloc[-1]
        raise ValueError(
            f"{args.indicator} has no score on any date, so nothing to backtest: {reason}"
        )
    result = backtest_signal(
        signal, model.calendar, market_for(series, settings), settings, name=args.indicator
    )
    if args.format == "json":
        print_json(as_dict(result))
    else:
        print(render_table(result))
    return 0


def as_dict(result: BacktestResult) -> dict[str, Any]:
    """Settings, both sets of statistics and the round trips, ready for JSON."""
    settings = result.settings
    return {
        "indicator": result.name,
        "start": result.equity.index[0],
        "end": result.equity.index[-1],
        "settings": {
            "capital": settings.capital,
            "commission": settings.commission,
            "spread": settings.spread,
            "cash": settings.cash,
        },
        "notes": list(result.notes),
        "strategy": result.stats.to_dict(),
        "benchmark": result.benchmark_stats.to_dict(),
        "trades": result.trades.to_dict(orient="records"),
    }


def render_table(result: BacktestResult) -> str:
    settings = result.settings
    header = [
        f"{result.name}: {result.equity.index[0].date()} to {result.equity.index[-1].date()}, "
        f"${settings.capital:,.0f} start, ${settings.commission:,.2f} commission + "
        f"{settings.spread:.2%} spread per trade",
        "; ".join(result.notes),
        "",
    ]
    table = stats_table(result.stats, result.benchmark_stats)
    final = [f"{result.stats.final_equity:,.2f}", f"{result.benchmark_stats.final_equity:,.2f}"]
    table.loc["Final equity ($)"] = final
    return "\n".join(header) + str(table.to_string())
