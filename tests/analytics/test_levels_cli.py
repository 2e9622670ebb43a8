"""``investable levels`` over the reference data folder."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_levels_json_on_a_date(shared_data_dir, capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(
        [
            "levels",
            "--data-dir",
            str(shared_data_dir),
            "--symbol",
            "yahoo:^GSPC",
            "--as-of",
            "2012-10-21",
        ],
        capsys,
    )
    # Sunday 2012-10-21 -> the Friday close 1433.19 (PROVENANCE spot check)
    assert payload["as_of"] == "2012-10-19"
    assert payload["price"] == pytest.approx(1433.19, abs=0.005)
    assert payload["price_used"] == "quoted close"
    names = [row["name"] for row in payload["levels"]]
    assert {"50-day average", "200-day average", "13-week average", "26-week average"} <= set(names)
    assert "Fibonacci 61.8 %" in names and "Channel lower edge" in names
    assert payload["swing"]["direction"] == "up"
    assert payload["notes"] == [] and payload["scenarios"] is None
    values = [row["value"] for row in payload["levels"]]
    assert values == sorted(values, reverse=True)


def test_levels_adjusted_only_series_says_so(
    shared_data_dir, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = run_json(
        [
            "levels",
            "--data-dir",
            str(shared_data_dir),
            "--symbol",
            "yahoo:SPY",
            "--as-of",
            "1993-03-01",
        ],
        capsys,
    )
    assert payload["price_used"].startswith("dividend-adjusted close")
    # SPY starts 1993-01-29: 21 closes to 1993-03-01, too short for most windows
    assert (
        "not enough history for the 50-day average: needs 50 closes, found 21" in (payload["notes"])
    )


def test_levels_anchors_and_scenarios(shared_data_dir, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "levels",
            "--data-dir",
            str(shared_data_dir),
            "--as-of",
            "2012-10-19",
            "--anchor-start",
            "1300",
            "--anchor-end",
            "1500",
            "--target",
            "1565",
            "--stop",
            "1370",
            "--capital",
            "100000",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    # level_r = 1500 + r × (1300 − 1500): 50 % -> 1,400.00; 61.8 % -> 1,376.40
    assert "Fibonacci 50 % 1,400.00" in out
    assert "Fibonacci 61.8 % 1,376.40" in out
    assert "Fibonacci swing: 1,300.00 -> 1,500.00, up, anchored" in out
    assert "Buy now 1,433.19" in out
    # buy at 1,400: 165/1400 = +11.79 %, −30/1400 = −2.14 %, 165/30 = 5.50
    assert "Buy at Fibonacci 50 % 1,400.00 +11.79 % -2.14 %" in out
    assert "5.50 : 1" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--anchor-start", "1300"], "give both --anchor-start and --anchor-end"),
        (["--target", "1565"], "give both --target and --stop"),
        (["--as-of", "1950-01-03"], "no close on or before 1950-01-03"),
        (["--symbol", "yahoo:NOPE"], "yahoo:NOPE"),
        (["--anchor-start", "2030-01-01", "--anchor-end", "1500"], "is after the as-of date"),
    ],
)
def test_levels_bad_input(
    shared_data_dir, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["levels", "--data-dir", str(shared_data_dir), *extra]) == 2
    assert message in capsys.readouterr().err


def test_levels_bad_anchor_text_is_a_usage_error(
    shared_data_dir, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["levels", "--data-dir", str(shared_data_dir), "--anchor-start", "soon"]) == 2
    err = capsys.readouterr().err
    assert "'soon' is neither a date (YYYY-MM-DD) nor a price" in err
    assert err.count("\n") == 1  # one line, no usage block
