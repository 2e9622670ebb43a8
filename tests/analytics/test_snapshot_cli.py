"""``python -m dashboard snapshot`` on the reference data: JSON shape and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "snapshot", *args], capture_output=True, text=True
    )


@pytest.mark.shared_data
def test_json_snapshot_holds_the_documented_fields(shared_data_dir) -> None:
    done = _run("--data-dir", str(shared_data_dir), "--as-of", "2022-06-19", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
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
def test_table_and_a_date_before_the_data(shared_data_dir) -> None:
    table = _run("--data-dir", str(shared_data_dir), "--as-of", "2020-03-20")
    assert table.returncode == 0 and "composite 0.50" in table.stdout
    early = _run("--data-dir", str(shared_data_dir), "--as-of", "1980-01-04")
    assert early.returncode == 2 and "before the first decision date" in early.stderr


def test_missing_folder_is_a_clear_error(tmp_path) -> None:
    done = _run("--data-dir", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert done.stderr.startswith("error:")
    bad_date = _run("--as-of", "2022-13-01")
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
