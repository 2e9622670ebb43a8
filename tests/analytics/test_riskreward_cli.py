"""``investable riskreward``: the worked example end to end, and bad input."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main


def test_table_reproduces_the_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["riskreward", "--price", "1438", "--target", "1565", "--stop", "1325", "--capital", "1e5"]
    )
    out = capsys.readouterr().out
    assert code == 0
    # 127/1438 = +8.83 %, −113/1438 = −7.86 %, 127/113 = 1.12; $100,000 × 127/1438 = $8,831.71
    assert "reward +8.83 %" in out
    assert "risk   -7.86 %" in out
    assert "ratio  1.12 : 1" in out
    assert "on $100,000.00: reward $8,831.71, risk -$7,858.14" in out


def test_json_with_no_downside(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["riskreward", "--price", "1370", "--target", "1565", "--stop", "1370", "--format", "json"]
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["ratio"] is None
    assert payload["ratio_text"] == "no downside to the stop"
    assert round(payload["reward"] * 100, 2) == 14.23  # 195/1370


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--price", "1370", "--target", "1565", "--stop", "1400"], "the stop 1400 is above"),
        (["--price", "1370", "--target", "1300", "--stop", "1200"], "the target 1300 is below"),
        (["--price", "-1", "--target", "1300", "--stop", "1200"], "price must be positive"),
        (["--price", "nan", "--target", "1300", "--stop", "1200"], "price is missing"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["riskreward", *argv]) == 2
    assert f"error: {message}" in capsys.readouterr().err
