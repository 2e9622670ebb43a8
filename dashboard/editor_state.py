"""A ``st.data_editor``'s edits kept while the editor is not drawn.

Streamlit forgets a widget's state on a run that does not draw it, so a data editor inside a
lazy expander (drawn only while open, issue #15) would lose the user's rows when it is closed.
Before it closes, the page folds the edits into the table (:func:`apply_edits`) and keeps that
table; reopened, the editor starts from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd


def apply_edits(frame: pd.DataFrame, edits: Mapping[str, Any]) -> pd.DataFrame:
    """``frame`` as the editor shows it after ``edits`` (the editor's session state):
    ``edited_rows`` (row position -> {column: value}) changed in place, then ``deleted_rows``
    (row positions in ``frame``) removed, then ``added_rows`` ({column: value} each) appended;
    the index renumbered 0..n-1. Columns an added row leaves out are empty (NaN/None)."""
    result = frame.copy()
    for position, changes in dict(edits.get("edited_rows", {})).items():
        for column, value in dict(changes).items():
            result.at[result.index[int(position)], column] = value
    deleted = [int(position) for position in edits.get("deleted_rows", [])]
    result = result.drop(index=result.index[deleted])
    added = [dict(row) for row in edits.get("added_rows", [])]
    if added:
        result = pd.concat([result, pd.DataFrame(added, columns=frame.columns)])
    return result.reset_index(drop=True)
