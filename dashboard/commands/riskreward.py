"""``investable riskreward``: reward, risk and their ratio for one entry (reads no data).

Examples:
  investable riskreward --price 1438 --target 1565 --stop 1325 --capital 100000
"""

from __future__ import annotations

import argparse
from typing import Any

from analytics.riskreward import RiskReward, risk_reward
from dashboard.commands._common import add_format, help_text, print_json
from dashboard.commands.levels import dollars


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "riskreward",
        help="risk/reward of an entry price against a target and a stop",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--price", type=float, required=True, help="entry price P")
    parser.add_argument("--target", type=float, required=True, help="target T (≥ P)")
    parser.add_argument("--stop", type=float, required=True, help="stop S (≤ P)")
    parser.add_argument("--capital", type=float, default=None, help="capital C for $ figures")
    add_format(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = risk_reward(args.price, args.target, args.stop, args.capital)
    if args.format == "json":
        print_json(result.as_dict())
    else:
        print(render_table(result))
    return 0


def render_table(result: RiskReward) -> str:
    lines = [
        f"entry  {result.price:,.2f}",
        f"target {result.target:,.2f}   reward {result.reward * 100:+.2f} %",
        f"stop   {result.stop:,.2f}   risk   {result.risk * 100:+.2f} %",
        f"ratio  {result.ratio_text}",
    ]
    if result.capital is not None:
        lines.append(
            f"on {dollars(result.capital)}: reward {dollars(result.reward_dollars)}, "
            f"risk {dollars(result.risk_dollars)}"
        )
    return "\n".join(lines)
