"""Read-only replicas: no refresh, upload or store-writing control unless the admin password
unlocks this session; viewers' own settings stay."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import password_matches, read_only_setting
from data_sources.store import Store
from tests.dashboard.doubles import NetworkGuard

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
PASSWORD = "correct horse *battery* [staple]"


@pytest.fixture()
def filled_store(monkeypatch, tmp_path) -> Path:
    """A local store holding the fixture folder; providers refuse and record."""
    location = tmp_path / "store"
    Store(location, providers={}).import_folder(FIXTURE)
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)
    monkeypatch.delenv("INVESTABLE_READ_ONLY", raising=False)
    monkeypatch.setenv("INVESTABLE_STORE", str(location))
    return location


def _data_page(**secrets) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for name, value in secrets.items():
        at.secrets[name] = value
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _writing_controls(at: AppTest) -> dict[str, bool]:
    return {
        "refresh": any(b.label == "Refresh now" for b in at.button),
        "upload": len(at.get("file_uploader")) > 0,
        "upload tab": any(t.label == "Load a file" for t in at.tabs),
    }


def _everything_shown(at: AppTest) -> str:
    elements = [*at.markdown, *at.caption, *at.info, *at.error, *at.success, *at.code, *at.text]
    return "\n".join(str(e.value) for e in elements)


def test_writable_by_default(filled_store) -> None:
    at = _data_page()
    assert any("Refresh on the **Data** page" in w.value for w in at.warning)
    assert _writing_controls(at) == {"refresh": True, "upload": True, "upload tab": True}


def test_read_only_from_the_environment_hides_writing_controls(filled_store, monkeypatch) -> None:
    guard = NetworkGuard().install(monkeypatch)
    monkeypatch.setenv("INVESTABLE_READ_ONLY", "1")
    at = _data_page()
    assert _writing_controls(at) == {"refresh": False, "upload": False, "upload tab": False}
    assert [t.label for t in at.tabs] == ["Updates", "History", "Alerts", "Settings"]
    assert any("read-only" in i.value for i in at.info)
    assert any("Stale data" in w.value for w in at.warning)  # the fixture ends in June 2024
    assert not any("Refresh on the" in w.value for w in at.warning)  # not for a viewer
    # no admin password configured: nothing to unlock with
    assert not any(t.label == "Admin password" for t in at.text_input)
    # the viewer's own settings stay and reach the pages
    commission = next(n for n in at.number_input if n.label == "Commission ($)")
    commission.set_value(25.0)
    at.button(key="FormSubmitter:settings-Apply").click().run()
    at.switch_page("views/composite.py").run()
    assert "$25.00 commission" in "\n".join(c.value for c in at.caption)
    assert guard.calls == []


def test_read_only_from_secrets(filled_store) -> None:
    at = _data_page(read_only=True)
    assert _writing_controls(at) == {"refresh": False, "upload": False, "upload tab": False}


def test_admin_password_unlocks_one_session(filled_store) -> None:
    at = _data_page(read_only=True, admin_password=PASSWORD)
    assert not _writing_controls(at)["refresh"]
    field = next(t for t in at.text_input if t.label == "Admin password")
    assert field.proto.type == field.proto.PASSWORD  # typed characters are masked
    field.set_value(PASSWORD)
    at.button(key="FormSubmitter:unlock-Unlock writing for this session").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert _writing_controls(at) == {"refresh": True, "upload": True, "upload tab": True}
    assert PASSWORD not in _everything_shown(at)
    assert at.session_state["admin_unlocked"] is True  # the session keeps a flag, not the text
    # another session (a new tab) is still read-only
    other = _data_page(read_only=True, admin_password=PASSWORD)
    assert not _writing_controls(other)["refresh"]
    # locking again hides them
    next(b for b in at.button if b.label == "Lock again").click().run()
    assert not _writing_controls(at)["refresh"]


@pytest.mark.parametrize("given", ["", "wrong", PASSWORD.upper(), PASSWORD + " "])
def test_a_wrong_password_does_not_unlock(filled_store, given) -> None:
    at = _data_page(read_only=True, admin_password=PASSWORD)
    field = next(t for t in at.text_input if t.label == "Admin password")
    field.set_value(given)
    at.button(key="FormSubmitter:unlock-Unlock writing for this session").click().run()
    assert not at.exception
    assert "That password is not right." in [e.value for e in at.error]
    assert _writing_controls(at)["refresh"] is False
    assert PASSWORD not in _everything_shown(at)


def test_a_folder_source_never_offers_writing(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    at = _data_page()
    assert _writing_controls(at) == {"refresh": False, "upload": False, "upload tab": False}


@pytest.mark.parametrize(
    ("environment", "secret", "expected"),
    [
        ({}, None, False),
        ({"INVESTABLE_READ_ONLY": "1"}, None, True),
        ({"INVESTABLE_READ_ONLY": "TRUE"}, None, True),
        ({"INVESTABLE_READ_ONLY": "yes"}, None, True),
        ({"INVESTABLE_READ_ONLY": "0"}, None, False),
        ({"INVESTABLE_READ_ONLY": ""}, None, False),
        ({"INVESTABLE_READ_ONLY": "false"}, True, True),
        ({}, "true", True),
        ({}, False, False),
    ],
)
def test_read_only_setting(environment, secret, expected) -> None:
    assert read_only_setting(environment, secret) is expected


def test_password_comparison() -> None:
    assert password_matches("s3cret", "s3cret")
    assert not password_matches("s3cret", "s3cre")
    assert not password_matches("", "")  # no password configured never unlocks
    assert not password_matches("anything", None)
    assert password_matches("pässwort", "pässwort")  # compared as UTF-8 bytes


# ---- the upload: shown as text, and the store unchanged when it fails ---------------------------

AAII = ROOT / "tests" / "fixtures" / "data_sources" / "aaii_sentiment.csv"
HOSTILE = "![x](http://127.0.0.1:9/track.png) *bold* [link](javascript:alert(1)).csv"


def _store_bytes(location: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(location)): p.read_bytes()
        for p in sorted(location.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.selectbox[0].set_value("aaii:sentiment")
    at.get("file_uploader")[0].set_value((name, content, "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Load into the store").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_bad_upload_leaves_the_store_unchanged_and_its_name_is_text(filled_store) -> None:
    before = _store_bytes(filled_store)
    at = _upload(_data_page(), HOSTILE, b"Date,Nothing\nnot a date,1\n")
    assert "The file was not loaded, and the store is unchanged:" in [e.value for e in at.error]
    shown = [c.value for c in at.code]
    assert any(value.startswith(HOSTILE + ": ") for value in shown)  # verbatim, as code
    assert not any(HOSTILE in m.value for m in [*at.markdown, *at.caption, *at.error])
    assert _store_bytes(filled_store) == before


def test_a_good_upload_lands_and_shows_its_name_as_text(filled_store) -> None:
    at = _upload(_data_page(), HOSTILE, AAII.read_bytes())
    landed = "new rows for AAII investor sentiment survey (AAII) from:"
    assert any(s.value.endswith(landed) for s in at.success)
    assert HOSTILE in [t.value for t in at.text]
    assert "aaii:sentiment" in Store(filled_store, providers={}).keys()  # noqa: SIM118
