"""Chat and messaging: Slack, Discord, Telegram."""

from __future__ import annotations

from mamori.gate.secrets.detectors._base import B, E, define
from mamori.gate.secrets.model import Category

_C = Category.CHAT

define(
    "slack-bot-token",
    "Slack bot token",
    B + r"(?P<secret>xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})" + E,
    ("xoxb-",),
    category=_C,
)
define(
    "slack-user-token",
    "Slack user or legacy token",
    B + r"(?P<secret>xox[pase]-[0-9]{10,13}-[0-9]{10,13}(?:-[0-9]{10,13})?-[A-Za-z0-9]{24,64})" + E,
    ("xoxp-", "xoxa-", "xoxs-", "xoxe-"),
    category=_C,
)
define(
    "slack-app-token",
    "Slack app-level token",
    B + r"(?P<secret>xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,13}-[a-f0-9]{64})" + E,
    ("xapp-",),
    category=_C,
)
define(
    "slack-webhook",
    "Slack incoming webhook",
    r"(?P<secret>(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/"
    r"(?:[A-Za-z0-9_]{8,}/[A-Za-z0-9_]{8,}/[A-Za-z0-9_/]{20,}|[A-Za-z0-9+/_]{43,56}))",
    ("hooks.slack.com",),
    category=_C,
)
define(
    "discord-webhook",
    "Discord webhook",
    r"(?P<secret>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68})",
    ("/api/webhooks/",),
    category=_C,
)
define(
    "discord-bot-token",
    "Discord bot token",
    r"(?i)discord.{0,40}?(?<![A-Za-z0-9_\-.])(?P<secret>(?-i:[MN][A-Za-z0-9]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}))" + E,
    ("discord",),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "telegram-bot-token",
    "Telegram bot token",
    r"(?<![0-9])(?P<secret>[0-9]{8,10}:AA[A-Za-z0-9_\-]{33})" + E,
    (":aa",),
    category=_C,
    supersedes=("generic-secret", "telegram-bot-api-token"),
)
