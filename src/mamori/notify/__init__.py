"""Notifications: one interface, many channels (log, webhook; Slack and e-mail plug in here)."""

from mamori.notify.base import NOTIFIERS, DeliveryError, Notification, Notifier

__all__ = ["NOTIFIERS", "DeliveryError", "Notification", "Notifier"]
