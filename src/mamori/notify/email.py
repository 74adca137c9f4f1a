"""E-mail over SMTP (optionally STARTTLS and login): a plain-text message per notification.

Only plain text is sent (no HTML, so nothing to escape in the body); header values from
findings have their control characters replaced, so a CR/LF in a title cannot add headers.

4xx SMTP replies and dropped connections are retryable; 5xx replies (mailbox unknown,
relaying denied) are not.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from mamori.notify.base import NOTIFIERS, DeliveryError, Notification

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # C0, DEL, C1 (NEL) and Unicode line breaks


def header_text(value: str, limit: int = 200) -> str:
    """A header value from untrusted text: control characters (CR/LF: header injection) as one space."""
    return _CONTROL.sub(" ", value).strip()[:limit]


def render(n: Notification) -> str:
    lines = [header_text(n.subject, 1000), "", n.body.rstrip(), ""]
    groups = list(n.data.get("groups") or [])
    if groups:
        lines.append(f"{len(groups)} group(s); finding ids are listed with `mamori findings show <id>`.")
    lines.append("-- mamori")
    return "\n".join(lines)


@NOTIFIERS.register("email")
class EmailNotifier:
    name = "email"

    def __init__(
        self, host: str, sender: str, to: list[str], port: int = 25, starttls: bool = False, username: str | None = None,
        password: str | None = None, timeout: float = 10.0, **_: Any,
    ) -> None:  # fmt: skip
        self.host, self.port, self.sender, self.to = host, port, sender, list(to)
        self.starttls, self.username, self.password, self.timeout = starttls, username, password, timeout

    def message(self, n: Notification) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = header_text(n.subject)
        msg["From"] = self.sender
        msg["To"] = ", ".join(n.recipients or tuple(self.to))
        if n.dedup_key:
            msg["X-Mamori-Dedup"] = header_text(n.dedup_key)
        msg["X-Mamori-Severity"] = n.severity.value
        msg.set_content(render(n))
        return msg

    def send(self, notification: Notification) -> None:
        msg = self.message(notification)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"smtp answered {exc.smtp_code}", retryable=400 <= exc.smtp_code < 500) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [c for c, _ in exc.recipients.values()]
            raise DeliveryError(f"smtp refused the recipients ({codes})", retryable=all(400 <= c < 500 for c in codes)) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"smtp unreachable: {type(exc).__name__}: {exc}") from None
