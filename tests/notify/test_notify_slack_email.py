"""Slack (Block Kit over a local HTTP server) and e-mail (a local SMTP server)."""

from __future__ import annotations

import email
import json

import pytest

from mamori.model import Severity
from mamori.notify import NOTIFIERS, DeliveryError, Notification
from mamori.notify.email import EmailNotifier
from mamori.notify.slack import SlackNotifier
from tests.notify.conftest import Http, Smtp

GROUP = {
    "family": "inspector:PACKAGE_VULNERABILITY", "root": "ami-0c1a2017deadbeef0", "severity": "critical", "count": 1200,
    "by_severity": {"critical": 12, "high": 1188}, "accounts": ["123456789012"], "resources": 40, "owner": "platform-sre",
    "examples": ["CVE-2017-5638"], "finding_ids": ["a", "b"],
}  # fmt: skip
DIGEST = Notification(
    "[CRITICAL] ami-0c1a2017deadbeef0: 1,200 findings", "line", Severity.CRITICAL, kind="digest", dedup_key="k1",
    about=("a", "b"), data={"groups": [GROUP]},
)  # fmt: skip


def test_registry_has_slack_and_email() -> None:
    assert {"slack", "email", "webhook", "memory", "log"} <= set(NOTIFIERS)


def test_slack_block_kit(http: Http) -> None:
    SlackNotifier(http.url).send(DIGEST)
    [(headers, body)] = http.received
    doc = json.loads(body)
    assert headers["Content-Type"] == "application/json" and doc["text"].startswith("[CRITICAL]")
    kinds = [b["type"] for b in doc["blocks"]]
    assert kinds == ["header", "section", "context"]
    assert "*ami-0c1a2017deadbeef0* — *1,200* findings" in doc["blocks"][1]["text"]["text"]
    assert "40 resources" in doc["blocks"][1]["text"]["text"] and "owner platform-sre" in doc["blocks"][1]["text"]["text"]


def test_slack_limits_blocks_and_text(http: Http) -> None:
    many = Notification("s" * 400, "b", data={"groups": [dict(GROUP, root=f"r{i}") for i in range(80)]})
    SlackNotifier(http.url).send(many)
    doc = json.loads(http.received[0][1])
    assert len(doc["blocks"]) <= 50 and len(doc["blocks"][0]["text"]["text"]) <= 150
    assert "more groups" in doc["blocks"][-2]["text"]["text"]
    SlackNotifier(http.url).send(Notification("plain", "a body"))
    assert json.loads(http.received[1][1])["blocks"][1]["text"]["text"] == "a body"


def test_slack_errors_do_not_leak_the_url(http: Http) -> None:
    http.statuses = [429, 400]
    with pytest.raises(DeliveryError) as exc:
        SlackNotifier(http.url).send(DIGEST)
    assert exc.value.retryable and "services" not in str(exc.value)
    with pytest.raises(DeliveryError) as exc:
        SlackNotifier(http.url).send(DIGEST)
    assert not exc.value.retryable
    with pytest.raises(DeliveryError, match="unreachable") as exc:
        SlackNotifier("http://127.0.0.1:1/services/SECRET", timeout=1).send(DIGEST)
    assert "SECRET" not in str(exc.value)


def test_email_over_smtp(smtp: Smtp) -> None:
    EmailNotifier("127.0.0.1", "mamori@example.com", ["sre@example.com", "sec@example.com"], port=smtp.port).send(DIGEST)
    [env] = smtp.messages
    assert env.rcpt_tos == ["sre@example.com", "sec@example.com"]
    msg = email.message_from_bytes(env.content)
    assert msg["Subject"] == DIGEST.subject and msg["X-Mamori-Dedup"] == "k1" and msg["From"] == "mamori@example.com"
    assert "1 group(s)" in msg.get_payload()


def test_email_refused_and_unreachable(smtp: Smtp) -> None:
    smtp.refuse = {"nobody@example.com"}
    with pytest.raises(DeliveryError) as exc:
        EmailNotifier("127.0.0.1", "m@example.com", ["nobody@example.com"], port=smtp.port).send(DIGEST)
    assert not exc.value.retryable
    with pytest.raises(DeliveryError, match="unreachable") as exc:
        EmailNotifier("127.0.0.1", "m@example.com", ["a@example.com"], port=1, timeout=1).send(DIGEST)
    assert exc.value.retryable


def test_notification_round_trips_through_a_dict() -> None:
    assert Notification.from_dict(DIGEST.to_dict()) == DIGEST
