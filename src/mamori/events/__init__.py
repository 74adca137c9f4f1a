"""Event-driven guardrails: CloudTrail records -> detections -> responders -> store.

    reader      files / bytes in every shape AWS delivers (archive, EventBridge, JSON lines)
    loader      detections (YAML + optional hooks), indexed by (eventSource, eventName)
    engine      pure matching, threshold windows
    responders  plan / apply (restart_trail, quarantine_principal, disable_access_key, notify)
    processor   claim -> respond -> record -> finding, idempotent per eventID
    store       offences, responses, history, checkpoints (SQLite / PostgreSQL)
    sources     files, S3 archive (checkpointed), SQS (EventBridge / S3 notifications)
"""

from mamori.events.engine import Match, Matcher
from mamori.events.loader import Detection, DetectionSet, load_detections

__all__ = ["Detection", "DetectionSet", "Match", "Matcher", "load_detections"]
