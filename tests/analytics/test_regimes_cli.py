"""``investable regimes`` over the reference data folder."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main


def test_regimes_json_after_the_2020_bottom(
    shared_data_dir, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "regimes",
            "--data-dir",
            str(shared_data_dir),
            "--as-of",
            "2020-06-05",
            "--windows",
            "10,15",
            "--format",
            "json",
        ]
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["as_of"] == "2020-06-05"
    bulls = {row["definition"]: row for row in payload["bull_markets"]}
    # the 155-day low is the 2020-03-23 close 2237.40; 3193.93 / 2237.40 − 1 = +42.75 %
    assert bulls["B_modified"]["low_date"] == "2020-03-23"
    assert bulls["B_modified"]["rise"] == pytest.approx(3193.93 / 2237.40 - 1, abs=1e-5)
    assert bulls["B_modified"]["qualifies"] and not bulls["A"]["qualifies"]
    windows = {row["days"]: row for row in payload["uptrend"]}
    assert set(windows) == {10, 15}
    assert windows[15]["qualifies"] and payload["investable"]
    assert payload["sell_stop"]["stop"] == pytest.approx(payload["sell_stop"]["highest"] * 0.94)


def test_regimes_table(shared_data_dir, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regimes", "--data-dir", str(shared_data_dir), "--as-of", "2009-03-09"]) == 0
    out = capsys.readouterr().out
    assert "yahoo:^GSPC regimes as of 2009-03-09: price 676.53 (quoted close)" in out
    assert "B_modified  no" in out
    assert "Investable uptrend: no" in out
    assert "Sell stop:" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--windows", "10,1"], "whole number of trading days ≥ 2"),
        (["--as-of", "1950-01-03"], "no close on or before 1950-01-03"),
        (["--trail", "2"], "trailing stop must be a fraction between 0 and 1"),
    ],
)
def test_regimes_bad_input(
    shared_data_dir, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["regimes", "--data-dir", str(shared_data_dir), *extra]) == 2
    assert message in capsys.readouterr().err
