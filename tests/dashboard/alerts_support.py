"""Helpers for the alert tests: a manifest folder cut at a date, a recording HTTP receiver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.folder import FolderSource


def write_cut_folder(source: FolderSource, folder: Path, end: str) -> Path:
    """Every series of ``source`` up to ``end`` as a manifest folder of ISO-dated CSVs."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for number, key in enumerate(source.keys()):
        frame = source.load(key).loc[: pd.Timestamp(end)]
        if frame.empty:
            continue
        info = source.info(key)
        name = f"s{number:03d}.csv"
        frame.to_csv(folder / name, index_label="date", date_format="%Y-%m-%d")
        fields = ", ".join(f'{c} = "{c}"' for c in frame.columns)
        lines += [
            f'[[series."{key}"]]',
            f'file = "{name}"',
            'date = "date"',
            f"fields = {{ {fields} }}",
            f"adjusted = {'true' if frame.attrs.get('adjusted') else 'false'}",
        ]
        if info.frequency:
            lines.append(f'frequency = "{info.frequency}"')
        lines.append("")
    (folder / "manifest.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


class Receiver:
    """An HTTP server on 127.0.0.1 recording every POST; ``statuses`` answers in turn
    (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
