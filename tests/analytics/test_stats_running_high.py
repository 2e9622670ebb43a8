"""The blocked running maximum of ``compute_stats_rows`` equals ``np.maximum.accumulate`` bit for
bit: block edges, a padded last block, flat stretches (ties), a NaN, and rows too short to cut."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.stats import HIGH_BLOCK, _running_high


@pytest.mark.parametrize(
    "days", [1, HIGH_BLOCK, 2 * HIGH_BLOCK - 1, 2 * HIGH_BLOCK, 2 * HIGH_BLOCK + 1, 1000]
)
def test_blocked_highs_equal_the_running_maximum(days) -> None:
    rng = np.random.default_rng(days)
    curves = 100 * np.cumprod(1 + rng.normal(0, 0.02, (5, days)), axis=1)
    curves[1] = 100.0  # flat: every day ties the high
    curves[2, days // 2 :] = curves[2, days // 2]  # a flat stretch after moves
    expected = np.maximum.accumulate(curves, axis=1)
    got = _running_high(curves, np.empty_like(curves))
    assert got.shape == curves.shape
    assert got.tobytes() == np.ascontiguousarray(expected).tobytes()


def test_a_nan_carries_on_to_the_end_of_its_row_as_in_the_running_maximum() -> None:
    curves = np.tile(np.arange(1.0, 101.0), (2, 1))
    curves[0, 30] = np.nan
    got = _running_high(curves, np.empty_like(curves))
    expected = np.maximum.accumulate(curves, axis=1)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.isnan(got[0, 30:]).all() and got[0, 29] == 30.0 and got[1, -1] == 100.0


def test_a_curve_that_falls_keeps_its_first_high() -> None:
    curves = np.array([[5.0, 4.0, 6.0, 3.0] * 20])
    got = _running_high(curves, np.empty_like(curves))
    assert got[0, :3].tolist() == [5.0, 5.0, 6.0] and (got[0, 2:] == 6.0).all()
