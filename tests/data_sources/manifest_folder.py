"""A small manifest folder in the reference layout, shared by the store and CLI tests."""

from __future__ import annotations

from pathlib import Path


def write_folder(folder: Path) -> Path:
    """A two-series manifest folder in the reference layout: DGS10 (FRED's CSV, "." for a
    missing day) and SPY (Yahoo's columns)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dgs10.csv").write_text(
        "observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,3.91\n2024-01-04,.\n"
    )
    (folder / "spy.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n2024-01-02,470,473,469,472.6,1\n"
        "2024-01-03,470,471,468,468.8,1\n"
    )
    (folder / "manifest.toml").write_text(
        '[[series."fred:DGS10"]]\nfile = "dgs10.csv"\ndate = "observation_date"\n'
        'fields = { value = "DGS10" }\nfrequency = "D"\n\n'
        '[[series."yahoo:SPY"]]\nfile = "spy.csv"\ndate = "Date"\n'
        'fields = { open = "Open", high = "High", low = "Low", close = "Close", '
        'volume = "Volume" }\nadjusted = true\nfrequency = "D"\n'
    )
    return folder
