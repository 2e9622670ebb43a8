"""``investable snapshot`` on the reference data: JSON shape and exit codes (in process)."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["snapshot", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.shared_data
def test_json_snapshot_holds_the_documented_fields(shared_data_dir, capsys) -> None:
    code, out, err = _run(
        capsys, "--data-dir", str(shared_data_dir), "--as-of", "2022-06-19", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["as_of"] == "2022-06-19"
    assert data["decision_date"] == "2022-06-17"
    assert data["trade_date"] == "2022-06-21"  # Monday 20 June 2022 was a holiday
    assert data["total"] == 21 and len(data["indicators"]) == 21
    assert set(data["categories"]) == {"Technicals", "Sentiment", "Rates", "Macro"}
    available = [row["score"] for row in data["indicators"] if row["available"]]
    assert data["available"] == len(available)
    assert data["composite"] == pytest.approx(sum(available) / len(available))
    assert data["invested"] == (data["composite"] > 0.60)
    ted = next(row for row in data["indicators"] if row["id"] == "ted_spread")
    assert ted["score"] is None and "discontinued" in ted["reason"]
    assert set(ted) >= {
        "id",
        "category",
        "reading",
        "threshold",
        "score",
        "available",
        "reason",
        "last_observation",
    }


@pytest.mark.shared_data
def test_table_and_a_date_before_the_data(shared_data_dir, capsys) -> None:
    code, out, _ = _run(capsys, "--data-dir", str(shared_data_dir), "--as-of", "2020-03-20")
    assert code == 0 and "composite 0.50" in out
    code, _, err = _run(capsys, "--data-dir", str(shared_data_dir), "--as-of", "1980-01-04")
    assert code == 2 and "before the first decision date" in err


def test_missing_folder_is_a_clear_error(tmp_path, capsys) -> None:
    code, _, err = _run(capsys, "--data-dir", str(tmp_path / "nowhere"))
    assert code == 2
    assert err.startswith("error:") and err.count("\n") == 1
    code, _, err = _run(capsys, "--as-of", "2022-13-01")
    assert code == 2 and "YYYY-MM-DD" in err
