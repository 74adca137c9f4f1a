"""Attacker-controlled finding text in notifications: no Slack mentions or links, no e-mail header or log-line injection."""

from __future__ import annotations

import email
import json
import logging
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.model import Severity
from mamori.notify import Notification
from mamori.notify.channels import LogNotifier, WebhookNotifier
from mamori.notify.email import EmailNotifier
from mamori.notify.slack import SlackNotifier, escape
from tests.notify.conftest import Smtp

EVIL = "<!channel> <https://evil.example|click> & <@U123>"
GROUP = {
    "family": f"asff:{EVIL}", "root": EVIL, "severity": "critical", "count": 1, "by_severity": {"critical": 1},
    "accounts": [EVIL], "resources": 1, "owner": EVIL, "examples": [EVIL], "finding_ids": ["a"],
}  # fmt: skip


def _texts(doc: Any) -> list[str]:
    """Every "text" string in a Slack payload (blocks, elements, the fallback)."""
    out: list[str] = []
    stack = [doc]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            out.extend(t for k, t in v.items() if k == "text" and isinstance(t, str))
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


@pytest.mark.parametrize(
    "n",
    [
        Notification(f"[HIGH] {EVIL}", f"imported finding {EVIL}", Severity.HIGH),  # the reproduction
        Notification(EVIL, "", Severity.CRITICAL, kind="digest", data={"groups": [GROUP]}),
    ],
)
def test_slack_payload_escapes_every_text_field(n: Notification) -> None:
    texts = _texts(SlackNotifier.payload(n))
    assert len(texts) >= 3
    for t in texts:
        assert "<" not in t and ">" not in t, t
        assert not re.search(r"&(?!amp;|lt;|gt;)", t), t
    assert any("&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; &lt;@U123&gt;" in t for t in texts)


def test_escape_and_cut_never_split_an_entity() -> None:
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"
    payload = SlackNotifier.payload(Notification("<" * 200, "<" * 5000))
    header = payload["blocks"][0]["text"]["text"]
    assert len(header) <= 150 and header.endswith("&lt;…") and len(payload["text"]) <= 3000


@given(st.text(max_size=400), st.text(max_size=400))
def test_slack_text_never_holds_markup_from_the_finding(subject: str, body: str) -> None:
    for t in _texts(SlackNotifier.payload(Notification(subject, body))):
        assert "<" not in t and ">" not in t and not re.search(r"&(?!amp;|lt;|gt;)", t)


def test_email_subject_cannot_inject_headers(smtp: Smtp) -> None:
    n = Notification("hi\r\nBcc: victim@example.com\r\n\r\nforged body", "body", Severity.HIGH, dedup_key="k\nX-Evil: 1")
    EmailNotifier("127.0.0.1", "mamori@example.com", ["sre@example.com"], port=smtp.port).send(n)
    [env] = smtp.messages
    msg = email.message_from_bytes(env.content)
    assert msg["Subject"] == "hi Bcc: victim@example.com forged body"
    assert msg["Bcc"] is None and msg["X-Evil"] is None and env.rcpt_tos == ["sre@example.com"]
    assert msg.get_content_type() == "text/plain"  # plain text only: no HTML to escape


@given(st.text(max_size=200))
def test_email_message_builds_for_any_subject(subject: str) -> None:
    msg = EmailNotifier("127.0.0.1", "m@example.com", ["a@example.com"]).message(Notification(subject, "b"))
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])


def test_webhook_sends_hostile_text_as_json_data(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []

    class Resp:
        status = 200

    def opener(req: Any, timeout: float) -> Resp:
        sent.append(req)
        return Resp()

    n = Notification(EVIL + '"}\r\n', "x\u2028y", Severity.HIGH)
    WebhookNotifier("http://127.0.0.1:9/hook", secret="s", opener=opener).send(n)
    [req] = sent
    assert json.loads(req.data)["subject"] == EVIL + '"}\r\n'  # data, never markup: the receiver gets it verbatim
    assert all("\n" not in v for v in req.headers.values())


def test_log_channel_keeps_one_notification_on_one_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="mamori.notify"):
        LogNotifier().send(Notification("a\nFAKE: forged line", "b\r\nc"))
    [rec] = caplog.records
    assert "\n" not in rec.getMessage() and "\r" not in rec.getMessage() and "a\\nFAKE" in rec.getMessage()
