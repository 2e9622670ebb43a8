"""Golden-file comparison for alert bodies: ``INVESTABLE_UPDATE_GOLDEN=1`` rewrites them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dashboard.alerts.messages import Message

GOLDEN = Path(__file__).parents[1] / "fixtures" / "alerts"
KINDS = ("slack", "discord", "ntfy", "json")


def rendered(message: Message, message_id: str) -> dict[str, str]:
    """Every form of ``message``: file name -> text."""
    files = {"txt": message.text, "html": message.html}
    for kind in KINDS:
        body = message.webhook_body(kind, message_id, "investable-alerts")
        files[f"{kind}.json"] = json.dumps(body, indent=1, ensure_ascii=False) + "\n"
    return files


def check_golden(name: str, message: Message, message_id: str) -> None:
    for suffix, text in rendered(message, message_id).items():
        path = GOLDEN / f"{name}.{suffix}"
        if os.environ.get("INVESTABLE_UPDATE_GOLDEN"):
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), path.name
