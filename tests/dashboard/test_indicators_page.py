"""The Indicators page states each rule with the threshold in force, not a fixed text."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "app"


def test_the_rule_text_follows_the_users_threshold(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90).run()
    app.switch_page("views/indicators.py").run()
    app.button_group(key="category").set_value("Sentiment").run()
    texts = "\n".join(m.value for m in app.markdown)
    assert "**Rule.** Cash when the put/call ratio is below 0.9 (complacency)" in texts
    app.switch_page("views/data.py").run()
    put_call = next(n for n in app.number_input if n.label == "Put/call ratio (ratio)")
    put_call.set_value(1.0)
    app.button(key="FormSubmitter:settings-Apply").click().run()
    assert not app.exception, [e.message for e in app.exception]
    app.switch_page("views/indicators.py").run()
    app.button_group(key="category").set_value("Sentiment").run()
    texts = "\n".join(m.value for m in app.markdown)
    assert "**Rule.** Cash when the put/call ratio is below 1 (complacency)" in texts
    assert "below 0.9" not in texts


def test_calendar_rules_read_on_or_off(monkeypatch, tmp_path) -> None:
    """The fixture's latest decision falls in summer: seasonality is off (so cash), and each
    calendar flag reads On or Off, never "0.00 / invested when at or above 1"."""
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90).run()
    app.switch_page("views/indicators.py").run()
    readings = [(m.value, m.proto.delta) for m in app.metric if m.label == "Reading"]
    flags = [r for r in readings if r[1] in {"invested when on", "invested when off"}]
    assert ("Off", "invested when on") in flags
    assert len(flags) == 3 and all(value in {"On", "Off"} for value, _ in flags)
    assert not any("above 1" in delta or "below 0" in delta for _, delta in readings)
