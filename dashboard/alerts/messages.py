"""One message per change set, in every form a channel needs.

* :attr:`Message.text`: plain text (the e-mail's text part, and the body of every webhook form),
* :meth:`Message.webhook_body`: ``slack`` (``{"text"}``, mrkdwn-escaped), ``discord``
  (``{"content"}``, at most 2,000 characters, mentions disabled), ``ntfy`` (JSON publishing:
  ``{"topic", "title", "message", "click", "tags"}``, posted to the server's root) and ``json``
  (Investable's own: the id, subject, text, link and the structured changes and scores),
* :attr:`Message.html`: the HTML e-mail, with the Overview chart (SPY and its 200-day average,
  two years to the decision date) as an inline PNG (``cid:chart``) when one was rendered.

A message names what changed, the new composite and category scores, and the link to the app
at the decision date (``INVESTABLE_APP_URL`` + ``?as_of=YYYY-MM-DD``; no link without that
setting). Nothing in a message comes from the settings except that address.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd

from dashboard.alerts.changes import ChangeSet, decision_word, number
from dashboard.alerts.states import ModelState

DISCORD_LIMIT = 2000
NTFY_LIMIT = 4096
CHART_CID = "chart"
TITLE = "Investable"


def app_link(app_url: str, as_of: str) -> str:
    """``app_url`` with ``as_of=YYYY-MM-DD`` set in its query ("" without an app URL)."""
    if not app_url:
        return ""
    parts = urlsplit(app_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "as_of"] + [("as_of", as_of)]
    path = parts.path or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def _scores(state: ModelState) -> list[str]:
    categories = ", ".join(f"{name} {number(score)}" for name, score in state.categories.items())
    return [
        f"Now: {decision_word(state.invested)}, composite {number(state.composite)} "
        f"(invested above {state.threshold:.2f}; {state.available} of {state.total} "
        "indicators available)",
        f"Categories: {categories}",
    ]


def _headline(change_set: ChangeSet) -> str:
    decision = [c for c in change_set.changes if c.kind == "decision"]
    if decision:
        return f"now {decision[0].after} (was {decision[0].before})"
    count = len(change_set.changes)
    still = decision_word(change_set.state.invested)
    return f"{count} change{'s' if count != 1 else ''}, still {still}"


@dataclass(frozen=True)
class Message:
    """A rendered message (see the module docstring)."""

    subject: str
    lines: tuple[str, ...]
    url: str
    as_of: str
    invested: bool
    data: dict[str, Any]
    chart_png: bytes | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        link = [f"Open the app: {self.url}"] if self.url else []
        return "\n".join([*self.lines, *link]) + "\n"

    def webhook_body(self, kind: str, message_id: str, topic: str = "") -> dict[str, Any]:
        """The JSON body for a webhook of ``kind`` (slack, discord, ntfy or json)."""
        if kind == "slack":
            escaped = self.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return {"text": escaped}
        if kind == "discord":
            content = self.text
            if len(content) > DISCORD_LIMIT:
                content = content[: DISCORD_LIMIT - 1] + "…"
            return {"content": content, "allowed_mentions": {"parse": []}}
        if kind == "ntfy":
            body = "\n".join(self.lines)
            if len(body.encode()) > NTFY_LIMIT:
                body = body.encode()[: NTFY_LIMIT - 3].decode(errors="ignore") + "…"
            tag = "chart_with_upwards_trend" if self.invested else "chart_with_downwards_trend"
            payload: dict[str, Any] = {
                "topic": topic,
                "title": self.subject,
                "message": body,
                "tags": [tag],
            }
            if self.url:
                payload["click"] = self.url
            return payload
        return {"id": message_id, "subject": self.subject, "text": self.text, "url": self.url,
                **self.data}  # fmt: skip

    @property
    def html(self) -> str:
        """The HTML e-mail body (the chart as ``cid:chart`` when :attr:`chart_png` is set)."""
        paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in self.lines if line)
        chart = (
            f'<p><img src="cid:{CHART_CID}" alt="SPY and its 200-day average" width="640"></p>\n'
            if self.chart_png
            else ""
        )
        link = (
            f'<p><a href="{html.escape(self.url)}">Open the app at {self.as_of}</a></p>\n'
            if self.url
            else ""
        )
        return (
            '<!DOCTYPE html>\n<html><body style="font-family: Helvetica, Arial, sans-serif; '
            'color: #1f2937;">\n'
            f"<h2>{html.escape(self.subject)}</h2>\n{paragraphs}\n{chart}{link}</body></html>\n"
        )

    def email(self, sender: str, recipients: tuple[str, ...], message_id: str) -> EmailMessage:
        """A multipart e-mail: text, then HTML (with the chart as a related inline PNG).
        Its ``Message-ID`` is derived from ``message_id`` so a mailbox can drop a duplicate."""
        mail = EmailMessage()
        mail["Subject"] = self.subject
        mail["From"] = sender
        mail["To"] = ", ".join(recipients)
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = f"<{message_id}@investable.alerts>"
        mail.set_content(self.text)
        mail.add_alternative(self.html, subtype="html")
        if self.chart_png:
            html_part = mail.get_body(("html",))
            assert isinstance(html_part, EmailMessage)
            html_part.add_related(
                self.chart_png, "image", "png", cid=f"<{CHART_CID}>", filename="overview.png"
            )
        return mail


def render(change_set: ChangeSet, app_url: str = "", chart_png: bytes | None = None) -> Message:
    """The message for ``change_set``."""
    state = change_set.state
    lines = [
        f"{TITLE}: the model changed its mind in the week of {change_set.as_of}.",
        "",
        *(change.text for change in change_set.changes),
        "",
        *_scores(state),
        f"Compared with the week of {change_set.before_as_of} (store generation "
        f"{change_set.from_generation} → {change_set.to_generation}).",
    ]
    data = {
        "as_of": change_set.as_of,
        "before_as_of": change_set.before_as_of,
        "invested": state.invested,
        "composite": state.composite,
        "threshold": state.threshold,
        "categories": state.categories,
        "changes": [asdict(change) for change in change_set.changes],
    }
    return Message(
        subject=f"{TITLE} {change_set.as_of}: {_headline(change_set)}",
        lines=tuple(lines),
        url=app_link(app_url, change_set.as_of),
        as_of=change_set.as_of,
        invested=state.invested,
        data=data,
        chart_png=chart_png,
    )


def render_sample(state: ModelState | None, app_url: str = "") -> Message:
    """The message of ``investable alerts test``: says it is a test, with the current scores."""
    lines = [f"{TITLE}: a test message. This channel works; alerts will arrive here.", ""]
    as_of = state.as_of if state is not None else ""
    if state is not None:
        lines += [f"Latest decision week: {state.as_of}.", *_scores(state)]
    else:
        lines.append("The store holds no model yet (run `investable refresh`).")
    return Message(
        subject=f"{TITLE}: test message",
        lines=tuple(lines),
        url=app_link(app_url, as_of) if as_of else app_url,
        as_of=as_of,
        invested=bool(state and state.invested),
        data={"test": True, "as_of": as_of or None},
    )


def overview_chart_png(series: Mapping[str, pd.DataFrame], as_of: str) -> bytes | None:
    """The Overview chart (SPY total return and its 200-day average, two years to ``as_of``) as
    a PNG, or None when the prices are missing or kaleido/chromium cannot draw it."""
    try:
        from analytics.backtest import spy_total_return
        from components.figures import price_figure
        from components.price import moving_average
        from dashboard.report import figure_png

        date = pd.Timestamp(as_of)
        spy, note = spy_total_return(dict(series))
        spy = spy.loc[:date]
        shown = spy.loc[date - pd.DateOffset(years=2) :]
        average = pd.DataFrame({"200-day average": moving_average(spy)}).loc[shown.index]
        figure = price_figure(shown, average, "SPY and its 200-day average", f"Yahoo, {note}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return figure_png(figure, width=800)
    except Exception:  # no prices, no kaleido, no chromium: the e-mail goes without the chart
        return None
