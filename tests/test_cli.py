"""``investable`` (``dashboard.cli``) and ``python -m data_sources`` (``data_sources.cli``):
every command in process through ``main(argv)``, exit codes, one-line errors that leave the
store's bytes unchanged, the after-commit hook, the source check, and one subprocess smoke test.

Providers are fakes that satisfy the per-series ``download`` contract.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dashboard.cli as investable
import data_sources.cli as data_cli
from dashboard.commands import _common
from data_sources.check import SourceCheck, check_sources, representative_key
from data_sources.deadline import Deadline
from data_sources.errors import RateLimited, SourceUnavailable, StoreError
from data_sources.lease import StoreBusy
from data_sources.providers import ProviderRecord
from data_sources.storage import is_url
from data_sources.store import Store
from tests.data_sources.manifest_folder import write_folder

ROOT = Path(__file__).resolve().parents[1]
APP_FIXTURE = ROOT / "tests" / "fixtures" / "app"
NAAIM_FIXTURE = ROOT / "tests" / "fixtures" / "data_sources" / "naaim.csv"


# ---- helpers ---------------------------------------------------------------------------------


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (lock files aside) with its bytes."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock") and path.name != ".lock"
    }


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, module: Any = investable
) -> tuple[int, str, str]:
    code = module.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    """The single stderr line of a failed command (fails the test if there are more)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def day_frame(days: Sequence[str], values: Sequence[float], column: str = "value") -> pd.DataFrame:
    frame = pd.DataFrame({column: list(values)}, index=pd.DatetimeIndex(days, name="date"))
    return frame.astype("float64")


class FakeProvider:
    """Answers each key with a frame or an error, after ``delay`` seconds; ``bug`` raises an
    exception no provider should raise. Speaks both provider contracts."""

    def __init__(
        self,
        name: str,
        answers: Mapping[str, pd.DataFrame | Exception],
        delay: float = 0.0,
        bug: BaseException | None = None,
    ) -> None:
        self.name = name
        self.answers = dict(answers)
        self.delay = delay
        self.bug = bug
        self.calls: list[dict[str, Any]] = []

    @property
    def record(self) -> ProviderRecord:
        return ProviderRecord(self.name, f"Fake {self.name}", "http://127.0.0.1/", None)

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None],
        progress: Any = None,
    ) -> dict[str, pd.DataFrame | Exception]:
        self.calls.append({"keys": list(keys), "deadline": deadline, "stored_last": stored_last})
        if self.delay:
            time.sleep(self.delay)
        if self.bug is not None:
            raise self.bug
        return {key: self.answers.get(key, SourceUnavailable(f"nothing for {key}")) for key in keys}


class NoDownload:
    """An object registered as a provider without ``download`` or ``record``."""


def use_providers(monkeypatch: pytest.MonkeyPatch, providers: Mapping[str, Any]) -> None:
    """Make the CLI's stores (and source check) use ``providers``."""

    class FakeStore(Store):
        def __init__(self, location: Any = None, **options: Any) -> None:
            super().__init__(location, providers=providers)

    monkeypatch.setattr(data_cli, "Store", FakeStore)
    monkeypatch.setattr(data_cli, "providers_for_check", lambda: dict(providers))


@pytest.fixture
def hook_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace the model precompute by a recorder; the list of stores it was called with."""
    calls: list[Any] = []
    real_build = investable.build_parser
    monkeypatch.setattr(
        investable, "build_parser", lambda after_commit=None: real_build(calls.append)
    )
    return calls


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A store holding the two series of :func:`write_folder` (imported without a hook)."""
    store = tmp_path / "store"
    folder = write_folder(tmp_path / "folder")
    code, _, err = run(
        capsys, "--store", str(store), "import", "--from", str(folder), module=data_cli
    )
    assert code == 0, err
    return store


# ---- one subprocess: the installed entry point, and what it imports --------------------------


def test_python_m_dashboard_help_lists_every_command_without_streamlit() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dashboard", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("usage: investable")
    for command in (
        "refresh",
        "status",
        "import",
        "import-file",
        "sources",
        "rollback",
        "snapshot",
        "backtest",
        "levels",
        "regimes",
        "riskreward",
        "report",
    ):
        assert f"\n    {command} " in done.stdout, command
    imported_modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "dashboard.cli" in imported_modules and "data_sources.cli" in imported_modules
    assert not {m for m in imported_modules if m.split(".")[0] == "streamlit"}


def test_data_commands_import_neither_dashboard_nor_streamlit(tmp_path: Path) -> None:
    """``python -m data_sources`` runs ``status`` in a fresh interpreter; afterwards neither the
    dashboard nor Streamlit is loaded, and ``investable status`` adds no Streamlit either."""
    script = (
        "import json, sys\n"
        "from data_sources.cli import main\n"
        f"code = main(['--store', {str(tmp_path / 's')!r}, 'status', '--format', 'json'])\n"
        "first = sorted({m.split('.')[0] for m in sys.modules} & {'dashboard', 'streamlit'})\n"
        "from dashboard.cli import main as tool\n"
        f"tool(['riskreward', '--price', '10', '--target', '12', '--stop', '9'])\n"
        "second = 'streamlit' in {m.split('.')[0] for m in sys.modules}\n"
        "print(json.dumps([code, first, second]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == [0, [], False]


# ---- import, import-file, status ---------------------------------------------------------------


def test_import_json_status_json_and_the_hook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hook_calls: list[Any]
) -> None:
    store = tmp_path / "store"
    folder = write_folder(tmp_path / "folder")
    code, out, err = run(
        capsys, "import", "--from", str(folder), "--store", str(store), "--format", "json"
    )
    assert code == 0, err
    payload = json.loads(out)
    rows = {row["key"]: row for row in payload["series"]}
    # DGS10: 2024-01-02 and -03 (the "." day is missing); SPY: two closes
    assert rows["fred:DGS10"] == {
        "key": "fred:DGS10",
        "status": "updated",
        "added": 2,
        "revised": 0,
        "error": None,
        "note": None,
    }
    assert rows["yahoo:SPY"]["added"] == 2
    assert payload["ok"] is True and payload["store"] == str(store)
    assert payload["message"] == "2 series updated (4 new rows)"
    assert len(hook_calls) == 1 and isinstance(hook_calls[0], Store)

    code, out, _ = run(capsys, "status", "--store", str(store), "--format", "json")
    assert code == 0
    status = json.loads(out)
    series = {row["key"]: row for row in status["series"]}
    assert series["fred:DGS10"]["rows"] == 2
    assert series["fred:DGS10"]["first"] == "2024-01-02"
    assert series["fred:DGS10"]["last"] == "2024-01-03"
    assert series["fred:DGS10"]["source"].startswith("folder ")
    assert series["fred:DGS10"]["last_error"] is None
    assert pd.Timestamp(series["fred:DGS10"]["fetched_at"]).tzinfo is not None
    assert set(series["fred:DGS10"]) == {
        "key",
        "rows",
        "first",
        "last",
        "source",
        "fetched_at",
        "last_error",
    }
    never = series["fred:UNRATE"]  # a live series the store has never fetched
    assert never["rows"] == 0 and never["first"] is None and never["fetched_at"] is None

    code, out, _ = run(capsys, "status", "--store", str(store))
    assert code == 0 and out.startswith(f"store: {store}")
    assert "fred:DGS10" in out and "2024-01-03" in out


def test_import_file_json_and_unreadable_files(
    imported: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    hook_calls: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = tree_bytes(imported)
    for path, message in (
        (tmp_path / "missing.csv", "missing.csv does not exist"),
        (tmp_path, "is a folder, not a file"),
    ):
        code, _, err = run(
            capsys, "import-file", "--store", str(imported), "--series", "naaim:exposure", str(path)
        )
        assert code == 2 and message in one_line(err)
    locked = tmp_path / "locked.csv"
    locked.write_text("Date,naaim\n6/12/2024,88.1\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    with monkeypatch.context() as patch:
        patch.setattr(Path, "read_bytes", refuse)
        code, _, err = run(
            capsys,
            "import-file",
            "--store",
            str(imported),
            "--series",
            "naaim:exposure",
            str(locked),
        )
    assert code == 2 and one_line(err) == f"error: {locked}: Permission denied"
    # a known key without a file format, and a file that is not the provider's format
    code, _, err = run(
        capsys, "import-file", "--store", str(imported), "--series", "fred:DGS10", str(locked)
    )
    assert code == 2 and "no file format known for 'fred:DGS10'" in one_line(err)
    bad = tmp_path / "naaim.csv"
    bad.write_text("Date,other\n2024-01-01,3\n")
    code, _, err = run(
        capsys, "import-file", "--store", str(imported), "--series", "naaim:exposure", str(bad)
    )
    assert code == 2 and "NAAIM" in one_line(err)
    assert tree_bytes(imported) == before and hook_calls == []

    code, out, err = run(
        capsys,
        "import-file",
        "--store",
        str(imported),
        "--series",
        "naaim:exposure",
        str(NAAIM_FIXTURE),
        "--format",
        "json",
    )
    assert code == 0, err
    payload = json.loads(out)
    # the fixture holds 6/12/2024 and 6/5/2024 (twice): two distinct weeks
    assert payload["key"] == "naaim:exposure" and payload["added"] == 2
    assert len(hook_calls) == 1


# ---- refresh -----------------------------------------------------------------------------------


def test_refresh_json_is_clean_progress_on_stderr_failures_exit_1(
    imported: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hook_calls: list[Any],
) -> None:
    spy = day_frame(["2024-01-02", "2024-01-03", "2024-01-04"], [472.6, 468.8, 467.3], "close")
    spy = spy.assign(open=470.0, high=473.0, low=466.0, volume=1.0, adj_close=spy["close"])
    providers = {
        "yahoo": FakeProvider("yahoo", {"yahoo:SPY": spy}),
        "fred": FakeProvider("fred", {"fred:DGS10": SourceUnavailable("FRED timed out (30 s)")}),
    }
    use_providers(monkeypatch, providers)
    dgs10 = {k: v for k, v in tree_bytes(imported).items() if "DGS10" in k}
    code, out, err = run(
        capsys,
        "refresh",
        "--store",
        str(imported),
        "--series",
        "yahoo:SPY",
        "fred:DGS10",
        "--format",
        "json",
        "--deadline",
        "30",
    )
    assert code == 1
    payload = json.loads(out)  # stdout is one JSON document: no progress lines in it
    rows = {row["key"]: row for row in payload["series"]}
    assert rows["yahoo:SPY"]["status"] == "updated" and rows["yahoo:SPY"]["added"] == 1
    assert rows["fred:DGS10"] == {
        "key": "fred:DGS10",
        "status": "failed",
        "added": 0,
        "revised": 0,
        "error": "FRED timed out (30 s)",
        "note": None,
    }
    assert payload["ok"] is False
    progress = sorted(line for line in err.splitlines() if line.startswith("["))
    assert [line[:6] for line in progress] == ["[1/2] ", "[2/2] "]  # one line per provider
    assert {"fred", "yahoo"} == {p.split()[1].rstrip(":") for p in progress}
    assert len(hook_calls) == 1  # SPY landed: the precompute runs once
    after = {k: v for k, v in tree_bytes(imported).items() if "DGS10" in k}
    assert after == dgs10  # the failed series' stored bytes are as they were

    code, out, _ = run(capsys, "refresh", "--store", str(imported), "--series", "yahoo:SPY")
    assert code == 0 and "ok      yahoo:SPY" in out and "+0 rows" in out


def test_refresh_passes_its_deadline_to_a_store_that_takes_one() -> None:
    seen: dict[str, Any] = {}

    class DeadlineStore:
        def refresh(self, keys: Any = None, *, progress: Any = None, deadline: Any = None) -> str:
            seen.update(keys=keys, deadline=deadline, progress=progress)
            return "report"

    store: Any = DeadlineStore()
    report: Any = data_cli.refresh_store(store, ["fred:DGS10"], 120.0)
    assert report == "report"
    assert seen == {"keys": ["fred:DGS10"], "deadline": 120.0, "progress": data_cli.progress_line}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["refresh", "--series", "yahoo:NOPE"], "unknown series key 'yahoo:NOPE'"),
        (["refresh", "--series", "DGS10"], "'DGS10' is not a series key of the form"),
        (["refresh", "--deadline", "-5"], "'-5' is not a positive number of seconds"),
        (["refresh", "--deadline", "soon"], "'soon' is not a positive number of seconds"),
        (["refresh", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["rollback", "--to", "-1"], "'-1' is not a generation number"),
        (["sources", "--source", "nasdaq"], "unknown source 'nasdaq'"),
        (["levels", "--symbol", "yahoo:NOPE"], "series 'yahoo:NOPE' is not in the store"),
        (["levels", "--as-of", "17/06/2022"], "'17/06/2022' is not a date in YYYY-MM-DD form"),
        (["snapshot", "--as-of", "2022-13-01"], "'2022-13-01' is not a date in YYYY-MM-DD form"),
        (["backtest", "--start", "2022-6-1x"], "is not a date in YYYY-MM-DD form"),
        (["snapshot", "--data-dir", "DIR"], "give --store or --data-dir, not both"),
        (["import", "--from", "MISSING"], "no manifest.toml"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    imported: Path,
    tmp_path: Path,
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hook_calls: list[Any],
) -> None:
    use_providers(
        monkeypatch, {"yahoo": FakeProvider("yahoo", {}), "fred": FakeProvider("fred", {})}
    )
    argv = [str(tmp_path / a) if a in ("DIR", "MISSING") else a for a in argv]
    before = tree_bytes(imported)
    code, out, err = run(capsys, *argv, "--store", str(imported))
    assert code == 2 and out == ""
    line = one_line(err)
    assert line.startswith("error: ") and message in line
    assert tree_bytes(imported) == before and hook_calls == []


# ---- the store: a file, damaged, busy, empty ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["refresh"],
        ["import", "--from", "FOLDER"],
        ["rollback", "--to", "1"],
        ["snapshot"],
        ["levels"],
    ],
)
def test_store_pointing_at_a_file_is_refused(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("my notes\n")
    folder = write_folder(tmp_path / "folder")
    argv = [str(folder) if a == "FOLDER" else a for a in argv]
    code, _, err = run(capsys, *argv, "--store", str(target))
    assert code == 2
    assert one_line(err) == f"error: {target} is a file; the store needs a folder (or an s3:// URL)"
    assert target.read_text() == "my notes\n"


def test_environment_store_pointing_at_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "store.parquet"
    target.write_bytes(b"PAR1")
    monkeypatch.setenv("INVESTABLE_STORE", str(target))
    code, _, err = run(capsys, "status")
    assert code == 2 and "is a file; the store needs a folder" in one_line(err)


def test_damaged_index_is_one_line_and_kept(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pointer = imported / "current.json"
    assert pointer.is_file()
    pointer.write_text("{not json")
    before = tree_bytes(imported)
    code, _, err = run(capsys, "status", "--store", str(imported))
    assert code == 2 and "damaged" in one_line(err)
    assert tree_bytes(imported) == before


def test_store_held_by_another_writer(
    imported: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hook_calls: list[Any],
) -> None:
    before = tree_bytes(imported)

    def busy(self: Store, folder: Any) -> Any:
        raise StoreBusy(f"{imported} is held by another writer (pid 4242) until 17:05 UTC")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "import_folder", busy)
        code, _, err = run(
            capsys, "import", "--from", str(tmp_path / "folder"), "--store", str(imported)
        )
    assert code == 2
    assert (
        one_line(err) == f"error: {imported} is held by another writer (pid 4242) until 17:05 UTC"
    )
    assert tree_bytes(imported) == before and hook_calls == []


def test_analysis_on_an_empty_store_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "snapshot", "--store", str(tmp_path / "empty"))
    assert code == 2
    assert "holds no series yet: run `investable refresh`" in one_line(err)


# ---- internal errors, --debug, options before or after the command ------------------------------


def test_a_bug_is_internal_error_exit_3_and_debug_reraises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Store) -> Any:
        return 1 / 0

    monkeypatch.setattr(Store, "status", broken)
    code, out, err = run(capsys, "status", "--store", str(tmp_path / "s"))
    assert code == 3 and out == ""
    assert one_line(err) == (
        "internal error: ZeroDivisionError: division by zero; run with --debug for the traceback"
    )
    with pytest.raises(ZeroDivisionError):
        investable.main(["status", "--store", str(tmp_path / "s"), "--debug"])
    with pytest.raises(ZeroDivisionError):
        investable.main(["--debug", "status", "--store", str(tmp_path / "s")])


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (
            KeyError("series 'yahoo:X' is not in the store"),
            2,
            "error: series 'yahoo:X' is not in the store",
        ),
        (
            KeyError("close"),
            3,
            "internal error: KeyError: close; run with --debug for the traceback",
        ),
        (StoreError("the store at /s is damaged"), 2, "error: the store at /s is damaged"),
        (
            OSError(errno.EROFS, "Read-only file system", "/s/index.json"),
            2,
            "error: /s/index.json: Read-only file system",
        ),
        (
            TypeError("expected str, bytes or os.PathLike object, not NoneType"),
            3,
            "internal error: TypeError: expected str, bytes or os.PathLike object, not NoneType; "
            "run with --debug for the traceback",
        ),
    ],
)
def test_user_errors_exit_2_and_bugs_exit_3(
    error: Exception,
    code: int,
    line: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(self: Store) -> Any:
        raise error

    monkeypatch.setattr(Store, "status", fail)
    assert run(capsys, "status", "--store", str(tmp_path / "s")) == (code, "", line + "\n")


def test_store_option_before_or_after_the_command(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["--store", str(imported), "status"],
        ["status", "--store", str(imported)],
        ["--store", str(tmp_path / "other"), "status", "--store", str(imported)],
    ):
        code, out, _ = run(capsys, *argv, "--format", "json")
        assert code == 0 and json.loads(out)["store"] == str(imported)


def test_help_exits_0_and_python_m_data_sources_has_only_data_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help", module=data_cli)
    assert code == 0 and "refresh" in out and "rollback" in out
    assert "snapshot" not in out and "backtest" not in out
    code, out, _ = run(capsys, "report", "--help")
    assert code == 0 and "--out FILE" in out and "--store LOCATION" in out


# ---- report --out ------------------------------------------------------------------------------


def report_argv(out: Path | str) -> list[str]:
    return [
        "report",
        "--data-dir",
        str(APP_FIXTURE),
        "--as-of",
        "2023-04-02",
        "--no-charts",
        "--out",
        str(out),
    ]


def test_report_writes_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "weekly.html"
    code, stdout, err = run(capsys, *report_argv(out))
    assert code == 0, err
    assert "week of 2023-03-31" in stdout
    assert "Investable weekly report 2023-03-31" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.html"]  # no temporary left
    assert out.stat().st_mode & 0o777 == 0o666 & ~_common._umask()
    code, stdout, _ = run(capsys, *report_argv(out), "--format", "json")
    assert code == 0
    assert json.loads(stdout) == {
        "out": str(out),
        "bytes": out.stat().st_size,
        "week": "2023-03-31",
        "charts": False,
    }


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing/weekly.html", "the folder {tmp}/missing does not exist"),
        (".", "{tmp} is a folder; give a file name such as {tmp}/report.html"),
    ],
)
def test_report_out_that_cannot_be_written(
    tmp_path: Path, target: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / target if target != "." else tmp_path
    code, _, err = run(capsys, *report_argv(out))
    assert code == 2
    assert message.format(tmp=tmp_path) in one_line(err)
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux only")
def test_report_onto_a_full_disk_dev_full(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *report_argv("/dev/full"))
    assert code == 2
    assert one_line(err) == "error: cannot write /dev/full: No space left on device"


def test_report_full_disk_keeps_the_previous_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "weekly.html"
    out.write_text("last week's report")

    def full(handle: Any, data: bytes) -> None:
        handle.write(data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_common, "_write_bytes", full)
    code, _, err = run(capsys, *report_argv(out))
    assert code == 2
    assert one_line(err) == f"error: cannot write {out}: No space left on device"
    assert out.read_text() == "last week's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.html"]


# ---- rollback and generations (the store contract) ---------------------------------------------


@dataclass(frozen=True)
class Change:
    key: str
    added: int
    revised: int
    error: str | None


@dataclass(frozen=True)
class Generation:
    number: int
    committed_at: pd.Timestamp
    kind: str
    changes: tuple[Change, ...]


class GenerationsStore:
    """The store contract's generation members, over an in-memory history."""

    def __init__(self, location: Any = None, **options: Any) -> None:
        self.location = "s3://bucket/investable"
        self.history = [
            Generation(
                1,
                pd.Timestamp("2026-11-20 22:05", tz="UTC"),
                "import",
                (Change("fred:DGS10", 2, 0, None), Change("yahoo:SPY", 2, 0, None)),
            ),
            Generation(
                2,
                pd.Timestamp("2026-11-23 22:05", tz="UTC"),
                "refresh",
                (Change("yahoo:SPY", 1, 3, None), Change("fred:DGS10", 0, 0, "timed out")),
            ),
        ]

    @property
    def generation(self) -> int | None:
        return self.history[-1].number

    def generations(self) -> list[Generation]:
        return list(reversed(self.history))

    def rollback(self, n: int) -> Generation:
        if n not in {g.number for g in self.history}:
            raise StoreError(f"generation {n} is not kept; kept: 2, 1")
        done = Generation(
            self.history[-1].number + 1,
            pd.Timestamp("2026-11-24 08:00", tz="UTC"),
            "rollback",
            (Change("yahoo:SPY", 0, 3, None),),
        )
        self.history.append(done)
        return done

    def status(self) -> list[Any]:
        return []

    def keys(self) -> list[str]:
        return []


def test_rollback_and_status_show_generations(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, hook_calls: list[Any]
) -> None:
    monkeypatch.setattr(data_cli, "Store", GenerationsStore)
    code, out, _ = run(capsys, "status", "--store", "s3://bucket/investable", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["store"] == "s3://bucket/investable" and payload["generation"] == 2
    assert [g["number"] for g in payload["generations"]] == [2, 1]
    assert payload["generations"][0] == {
        "number": 2,
        "committed_at": "2026-11-23T22:05:00+00:00",
        "kind": "refresh",
        "changes": [
            {"key": "yahoo:SPY", "added": 1, "revised": 3, "error": None},
            {"key": "fred:DGS10", "added": 0, "revised": 0, "error": "timed out"},
        ],
    }
    code, out, _ = run(capsys, "status", "--store", "s3://bucket/investable")
    assert "store: s3://bucket/investable (generation 2)" in out
    assert "     2  2026-11-23 22:05  refresh   2 series, +1 rows, 3 revised, 1 failed" in out

    code, out, _ = run(capsys, "rollback", "--to", "1", "--store", "s3://b/i", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["restored"] == 1 and payload["generation"]["number"] == 3
    assert payload["generation"]["kind"] == "rollback"
    assert len(hook_calls) == 1

    code, out, _ = run(capsys, "rollback", "--to", "1", "--store", "s3://b/i")
    assert out.strip() == "restored generation 1 as generation 3 (1 series, +0 rows, 3 revised)"
    code, _, err = run(capsys, "rollback", "--to", "9", "--store", "s3://b/i")
    assert code == 2 and one_line(err) == "error: generation 9 is not kept; kept: 2, 1"
    assert len(hook_calls) == 2


def test_rollback_on_the_real_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hook_calls: list[Any]
) -> None:
    store = tmp_path / "store"
    folder = write_folder(tmp_path / "folder")
    assert run(capsys, "import", "--from", str(folder), "--store", str(store))[0] == 0
    (folder / "dgs10.csv").write_text(
        "observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,3.91\n2024-01-04,3.99\n"
    )
    assert run(capsys, "import", "--from", str(folder), "--store", str(store))[0] == 0
    code, out, _ = run(capsys, "status", "--store", str(store), "--format", "json")
    payload = json.loads(out)
    first, second = payload["generations"][-1]["number"], payload["generation"]
    assert second > first
    code, out, _ = run(
        capsys, "rollback", "--to", str(first), "--store", str(store), "--format", "json"
    )
    assert code == 0 and json.loads(out)["generation"]["kind"] == "rollback"
    code, out, _ = run(capsys, "status", "--store", str(store), "--format", "json")
    rows = {row["key"]: row for row in json.loads(out)["series"]}
    assert rows["fred:DGS10"]["last"] == "2024-01-03"  # the 01-04 import is undone
    assert len(hook_calls) == 3


# ---- the after-commit hook ---------------------------------------------------------------------


def test_after_commit_precomputes_then_notifies_even_when_the_precompute_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dashboard.alerts
    import dashboard.precompute
    import dashboard.stored_charts

    calls: list[str] = []

    class Delivered:
        message = "alerts: nothing changed"

    def notify(store: Any) -> Delivered:
        calls.append(f"notify {store}")
        return Delivered()

    def charts(store: Any) -> str:
        calls.append(f"charts {store}")
        return "report charts: 3 drawn for the week of 2024-06-28"

    monkeypatch.setattr(dashboard.precompute, "precompute", lambda s: calls.append(f"pre {s}"))
    monkeypatch.setattr(dashboard.stored_charts, "store_report_charts", charts)
    monkeypatch.setattr(dashboard.alerts, "notify", notify)
    investable.after_commit_steps("store")  # type: ignore[arg-type]
    assert calls == ["pre store", "charts store", "notify store"]
    err = capsys.readouterr().err
    assert "report charts: 3 drawn" in err and "alerts: nothing changed" in err

    def broken(store: Any) -> None:
        raise ValueError("the model needs yahoo:SPY")

    calls.clear()
    monkeypatch.setattr(dashboard.precompute, "precompute", broken)
    with pytest.raises(ValueError, match="needs yahoo:SPY"):
        investable.after_commit_steps("store")  # type: ignore[arg-type]
    assert calls == ["notify store"]


def test_a_failing_hook_keeps_the_data_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(store: Store) -> None:
        raise ValueError("the model needs yahoo:SPY")

    real_build = investable.build_parser
    monkeypatch.setattr(investable, "build_parser", lambda after_commit=None: real_build(fails))
    store = tmp_path / "store"
    code, out, err = run(
        capsys, "import", "--from", str(write_folder(tmp_path / "f")), "--store", str(store)
    )
    assert code == 1 and "2 series updated (4 new rows)" in out
    assert one_line(err) == (
        "warning: the data is saved, but the step after it failed: the model needs yahoo:SPY"
    )
    assert Store(store, providers={}).keys() == ["fred:DGS10", "yahoo:SPY"]


def test_python_m_data_sources_runs_no_hook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dashboard.precompute

    calls: list[Any] = []
    monkeypatch.setattr(dashboard.precompute, "precompute", calls.append)
    code, out, _ = run(
        capsys,
        "--store",
        str(tmp_path / "s"),
        "import",
        "--from",
        str(write_folder(tmp_path / "f")),
        module=data_cli,
    )
    assert code == 0 and "2 series updated" in out and calls == []


# ---- the source check --------------------------------------------------------------------------


def fake_sources() -> dict[str, Any]:
    dgs10 = day_frame(["2026-11-20", "2026-11-23", "2026-11-24"], [4.41, 4.38, 4.40])
    return {
        "fred": FakeProvider("fred", {"fred:DGS10": dgs10}),
        "yahoo": FakeProvider(
            "yahoo",
            {"yahoo:SPY": RateLimited("Yahoo refused: too many requests; try again in an hour")},
        ),
        "cboe": FakeProvider("cboe", {}, delay=5.0),
        "aaii": FakeProvider("aaii", {}, bug=IndexError("list index out of range")),
        "naaim": NoDownload(),
    }


def test_check_sources_reports_each_provider_within_the_deadline() -> None:
    providers = fake_sources()
    started = time.monotonic()
    checks = check_sources(providers, deadline=0.5)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5  # the hanging CBOE does not hold the check (0.5 s deadline)
    assert [c.name for c in checks] == ["fred", "yahoo", "cboe", "aaii", "naaim"]
    fred, yahoo, cboe, aaii, naaim = checks
    assert fred == SourceCheck(
        "fred",
        "Fake fred",
        True,
        "3 observations",
        fred.latency_s,
        pd.Timestamp("2026-11-24"),
        "fred:DGS10",
    )
    assert 0 <= fred.latency_s < 0.5
    assert providers["fred"].calls[0]["keys"] == ["fred:DGS10"]
    assert providers["fred"].calls[0]["stored_last"] == {"fred:DGS10": None}
    assert isinstance(providers["fred"].calls[0]["deadline"], Deadline)
    assert not yahoo.reachable and yahoo.key == "yahoo:SPY" and yahoo.newest is None
    assert yahoo.reason == "rate limited: Yahoo refused: too many requests; try again in an hour"
    assert not cboe.reachable and cboe.reason == "unreachable: no answer within 0.5 s"
    assert cboe.latency_s == 0.5 and cboe.key == "cboe:total_put_call"
    assert not aaii.reachable
    assert aaii.reason == ("the provider failed unexpectedly (IndexError: list index out of range)")
    assert not naaim.reachable and naaim.reason.startswith("not checkable")
    assert naaim.display_name == "naaim" and naaim.key == "naaim:exposure"


def test_check_sources_pins_the_edges() -> None:
    empty = day_frame([], [])
    providers = {
        "fred": FakeProvider("fred", {"fred:DGS10": empty}),
        "finra": FakeProvider("finra", {}),
        "shiller": FakeProvider("shiller", {"shiller:earnings": day_frame(["2026-06-01"], [1.0])}),
        "nasdaq": FakeProvider("nasdaq", {}),
    }
    providers["finra"].download = lambda keys, **options: {}  # type: ignore[method-assign]
    fred, finra, shiller, nasdaq = check_sources(providers, deadline=2)
    assert (fred.reachable, fred.reason) == (False, "answered with no rows")
    assert (finra.reachable, finra.reason) == (False, "answered nothing for finra:margin_debt")
    assert shiller.reachable and shiller.reason == "1 observations"
    assert nasdaq.reason == "not checkable: no series of this source is in the catalog"
    assert representative_key("fred") == "fred:DGS10" and representative_key("nasdaq") is None


def test_sources_command_table_json_and_exit_codes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_providers(monkeypatch, fake_sources())
    code, out, _ = run(capsys, "sources", "--deadline", "0.3", "--format", "json")
    assert code == 1  # some sources did not answer
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["fred"] == {
        "name": "fred",
        "display_name": "Fake fred",
        "key": "fred:DGS10",
        "reachable": True,
        "reason": "3 observations",
        "latency_s": rows["fred"]["latency_s"],
        "newest": "2026-11-24",
    }
    assert rows["cboe"]["latency_s"] == 0.3 and rows["naaim"]["reachable"] is False
    code, out, _ = run(capsys, "sources", "--source", "fred")
    assert code == 0
    assert out.splitlines()[1].startswith("fred     yes")
    assert "2026-11-24  fred:DGS10" in out


# ---- help texts ----------------------------------------------------------------------------------


def subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = investable.build_parser(None)
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def help_examples() -> list[str]:
    return [
        line.strip()
        for parser in subcommand_parsers().values()
        for line in (parser.description or "").splitlines()
        if line.startswith("  investable ")
    ]


def test_help_texts_name_no_shared_paths_and_every_example_parses() -> None:
    texts = [p.format_help() for p in subcommand_parsers().values()]
    texts.append(investable.build_parser(None).format_help())
    assert not [t for t in texts if "shared" in t or "../" in t]
    examples = help_examples()
    assert len(examples) >= 15
    for example in examples:
        argv = shlex.split(example.split("  (")[0])[1:]
        args = investable.build_parser(None).parse_args(argv)
        assert callable(args.func), example


@pytest.mark.shared_data
def test_every_analysis_example_runs_on_a_store_filled_from_the_reference_data(
    shared_data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = tmp_path / "store"
    assert Store(store, providers={}).import_folder(shared_data_dir).ok
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INVESTABLE_STORE", str(store))
    ran = 0
    for example in help_examples():
        argv = shlex.split(example.split("  (")[0])[1:]
        if argv[0] in {"refresh", "sources", "import", "import-file", "rollback"}:
            continue  # network, or the user's own files
        argv = [str(shared_data_dir) if a == "DIR" else a for a in argv]
        if argv[0] == "report" and "--no-charts" not in argv:
            argv.append("--no-charts")  # the charts need chromium; the test of report has them
        code, _, err = run(capsys, *argv)
        assert code == 0, f"{example}: {err}"
        ran += 1
    assert ran >= 12
    assert os.path.isfile(tmp_path / "report.html")


# ---- small rules, pinned at their edges --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("900", 900.0), ("0.001", 0.001), ("1e3", 1000.0), ("0", None), ("-0.5", None),
     ("inf", None), ("nan", None), ("", None), ("15m", None)],
)  # fmt: skip
def test_positive_seconds(text: str, seconds: float | None) -> None:
    if seconds is None:
        with pytest.raises(argparse.ArgumentTypeError, match="not a positive number of seconds"):
            data_cli.positive_seconds(text)
    else:
        assert data_cli.positive_seconds(text) == seconds


@pytest.mark.parametrize(
    ("text", "number"), [("0", 0), ("12", 12), ("-1", None), ("1.5", None), ("two", None)]
)
def test_generation_number(text: str, number: int | None) -> None:
    if number is None:
        with pytest.raises(argparse.ArgumentTypeError, match="not a generation number"):
            data_cli.generation_number(text)
    else:
        assert data_cli.generation_number(text) == number


@pytest.mark.parametrize(
    ("location", "url"),
    [("s3://bucket/prefix", True), ("memory://store", True), ("file:///tmp/s", False),
     ("gs://b", True), ("/tmp/store", False), ("~/store", False), ("C:\\data\\store", False),
     ("./a://b", False), ("store", False)],
)  # fmt: skip
def test_is_url(location: str, url: bool) -> None:
    assert is_url(location) is url


def test_interrupt_and_a_closed_pipe_end_quietly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(self: Store) -> Any:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Store, "status", interrupted)
        assert run(capsys, "status", "--store", str(tmp_path / "s")) == (130, "", "interrupted\n")

    def closed(payload: Any) -> str:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(data_cli, "render_status", closed)
    assert run(capsys, "status", "--store", str(tmp_path / "s")) == (141, "", "")


def test_the_investable_script_points_at_dashboard_cli_main() -> None:
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("investable") == "dashboard.cli:main"
