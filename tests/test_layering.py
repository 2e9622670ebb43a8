"""The layering rule of DESIGN.md: analytics/ and data_sources/ import neither Streamlit nor
Plotly nor each other, and the CLI imports no Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "analytics": {"streamlit", "plotly", "data_sources", "dashboard", "components"},
    "data_sources": {"streamlit", "plotly", "analytics", "dashboard", "components"},
    "components": {"data_sources", "dashboard"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_layering(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}


def test_cli_imports_no_streamlit() -> None:
    paths = [ROOT / "dashboard" / "__main__.py", *(ROOT / "dashboard" / "commands").glob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in paths if "streamlit" in imported_roots(p)]
    assert offenders == []


def test_layering_check_sees_a_violation(tmp_path: Path) -> None:
    """The checker itself must notice an import, or the tests above could never fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom plotly import graph_objects\n")
    assert imported_roots(bad) >= {"streamlit", "plotly"}
