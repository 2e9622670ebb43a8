"""The portfolio editor's edits folded into its table (dashboard.editor_state.apply_edits), in
the shape ``st.data_editor`` keeps them in the session state."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.editor_state import apply_edits

TABLE = pd.DataFrame(
    {
        "position": ["SPY", "Cash bond", "QQQ"],
        "weight": [0.5, 0.2, 0.3],
        "entry": [500.0, 100.0, 400.0],
    }
)


def test_no_edits_give_the_table_back() -> None:
    pd.testing.assert_frame_equal(apply_edits(TABLE, {}), TABLE)
    empty = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    pd.testing.assert_frame_equal(apply_edits(TABLE, empty), TABLE)


def test_edits_deletions_and_additions_in_the_editors_order() -> None:
    edits = {
        "edited_rows": {"2": {"weight": 0.25}, 0: {"entry": 510.0, "position": "SPY core"}},
        "deleted_rows": [1],
        "added_rows": [{"position": "IWM", "weight": 0.1}],
    }
    result = apply_edits(TABLE, edits)
    assert result["position"].tolist() == ["SPY core", "QQQ", "IWM"]
    assert result["weight"].tolist() == [0.5, 0.25, 0.1]
    assert result["entry"].iloc[:2].tolist() == [510.0, 400.0]
    assert math.isnan(result["entry"].iloc[2])  # left out of the added row: empty
    assert result.index.tolist() == [0, 1, 2]
    assert TABLE["weight"].tolist() == [0.5, 0.2, 0.3]  # the given table is not changed


def test_every_row_deleted_leaves_the_columns() -> None:
    result = apply_edits(TABLE, {"deleted_rows": [0, 1, 2]})
    assert result.empty and result.columns.tolist() == TABLE.columns.tolist()
