"""Responders: what happens when a detection fires (registry ``RESPONDERS``).

A responder decides (no I/O) an :class:`Intent`: a remediation action on a target taken
from the event, or a notification. Changes go through ``mamori.remediate``
(:class:`~mamori.events.responders.act.Remediator`); there is no second way to change AWS.
"""

from mamori.events.responders import notify, remediation  # noqa: F401 - registers the built-in responders
from mamori.events.responders.base import RESPONDERS, Intent, Responder, ResponseResult

__all__ = ["RESPONDERS", "Intent", "Responder", "ResponseResult"]
