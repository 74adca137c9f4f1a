"""Event-driven guardrails: CloudTrail records -> detections -> responders -> store.

    reader      files / bytes in every shape AWS delivers (archive, EventBridge, JSON lines)
    loader      detections (YAML + optional hooks), indexed by (eventSource, eventName)
    matcher     pure matching, threshold windows
    responders  a match -> an intent: a remediation action on a target, or a notification
                (restart_trail, quarantine_principal, disable_access_key, notify); acting
                goes through mamori.remediate (plan, apply, verify, audit)
    processor   claim -> respond -> record -> finding, idempotent per eventID
    store       offences, responses, history, checkpoints (SQLite / PostgreSQL)
    sources     files, S3 archive (checkpointed), SQS (EventBridge / S3 notifications)
"""

from mamori.events.loader import Detection, DetectionSet, load_detections
from mamori.events.matcher import Match, Matcher

__all__ = ["Detection", "DetectionSet", "Match", "Matcher", "load_detections"]
