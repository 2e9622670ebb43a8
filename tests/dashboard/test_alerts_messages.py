"""Message bodies for a hand-made change set, checked against golden files."""

from __future__ import annotations

import json
from dataclasses import replace

from dashboard.alerts.changes import compare
from dashboard.alerts.messages import DISCORD_LIMIT, app_link, render, render_sample
from tests.dashboard.alerts_golden import check_golden
from tests.dashboard.test_alerts_changes import BASE, after

APP = "https://investable.example/app"
PNG = b"\x89PNG\r\n\x1a\nfake"


def change_set():
    found = compare(
        BASE,
        after(
            invested=False,
            composite=0.5,
            categories={"Technicals": 0.25, "Sentiment": 0.5, "Rates": 0.5, "Macro": 0.75},
            votes={"momentum": 0.0, "trend": 0.0, "aaii": 0.0, "naaim": 1.0},
            uptrend=False,
            gauge=20.0,
            gauge_band="Extreme Fear",
            stale=("fred:DGS10",),
            available=4,
        ),
    )
    assert found is not None
    return found


def test_unit_bodies_match_the_golden_files() -> None:
    message = render(change_set(), APP)
    assert message.subject == "Investable 2024-06-28: now CASH (was INVESTED)"
    check_golden("unit", message, "0123456789abcdef0123456789abcdef")


def test_the_link_carries_the_as_of_date_and_keeps_other_parameters() -> None:
    assert app_link(APP, "2020-03-20") == f"{APP}?as_of=2020-03-20"
    assert app_link("https://a.example", "2020-03-20") == "https://a.example/?as_of=2020-03-20"
    assert (
        app_link("https://a.example/?page=overview&as_of=2019-01-04", "2020-03-20")
        == "https://a.example/?page=overview&as_of=2020-03-20"
    )
    assert app_link("", "2020-03-20") == ""
    message = render(change_set())
    assert "Open the app" not in message.text and "click" not in message.webhook_body("ntfy", "x")


def test_discord_bodies_stay_within_2000_characters_and_slack_escapes() -> None:
    many = replace(
        BASE,
        votes={f"i{n}": 1.0 for n in range(300)},
        names={f"i{n}": f"Indicator <{n}> & co" for n in range(300)},
    )
    flipped = compare(many, replace(many, generation=2, votes={f"i{n}": 0.0 for n in range(300)}))
    assert flipped is not None
    message = render(flipped, APP)
    content = message.webhook_body("discord", "x")["content"]
    assert len(content) == DISCORD_LIMIT and content.endswith("…")
    slack = message.webhook_body("slack", "x")["text"]
    assert "Indicator &lt;0&gt; &amp; co" in slack and "<" not in slack
    assert len(message.webhook_body("ntfy", "x", "t")["message"].encode()) <= 4096


def test_email_has_text_html_and_the_inline_chart_when_one_was_drawn() -> None:
    with_chart = render(change_set(), APP, PNG).email("a@example.com", ("b@example.com",), "id1")
    assert with_chart["Message-ID"] == "<id1@investable.alerts>"
    parts = [part.get_content_type() for part in with_chart.walk()]
    assert parts == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]
    image = next(p for p in with_chart.walk() if p.get_content_type() == "image/png")
    assert image["Content-ID"] == "<chart>" and image.get_payload(decode=True) == PNG
    html = next(p for p in with_chart.walk() if p.get_content_type() == "text/html")
    assert 'src="cid:chart"' in html.get_content()
    without = render(change_set(), APP).email("a@example.com", ("b@example.com",), "id1")
    assert [p.get_content_type() for p in without.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert "cid:chart" not in without.get_body(("html",)).get_content()


def test_the_sample_says_it_is_a_test() -> None:
    sample = render_sample(BASE, APP)
    assert sample.subject == "Investable: test message"
    assert "a test message" in sample.text and "composite 0.65" in sample.text
    assert sample.url == f"{APP}?as_of=2024-06-21"
    assert json.loads(json.dumps(sample.webhook_body("json", "t")))["test"] is True
    assert "no model yet" in render_sample(None).text
