"""Notifications: one interface, many channels (memory, log, webhook, Slack, e-mail)."""

from mamori.notify import channels, email, slack  # noqa: F401 - register the built-in channels
from mamori.notify.base import NOTIFIERS, DeliveryError, Notification, Notifier

__all__ = ["NOTIFIERS", "DeliveryError", "Notification", "Notifier"]
