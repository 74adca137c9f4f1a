"""Render docs/events.md: the hand-written guide plus the detection table from the registry.

    python -m mamori.events.docs > docs/events.md

The guide text lives in ``guide.md`` beside this module; the table between the markers is
generated, and a test fails when docs/events.md and the registry disagree.
"""

from __future__ import annotations

from pathlib import Path

from mamori.events.loader import DetectionSet, load_detections
from mamori.events.responders import RESPONDERS

GUIDE = Path(__file__).parent / "guide.md"
MARK = "<!-- detections -->"


def detections_table(ds: DetectionSet) -> str:
    lines = [
        f"{len(ds)} built-in detections (generated from the registry).",
        "",
        "| id | severity | MITRE ATT&CK | baseline | events | responders (repeat offender) |",
        "|---|---|---|---|---|---|",
    ]
    for d in ds:
        s = d.spec
        events = ", ".join(f"{src.split('.')[0]}:{n}" if src != "*" else "any" for src, n in d.keys)
        resp = ", ".join(r.responder for r in s.respond)
        if s.escalate:
            resp += f" ({s.escalate.after}× in {s.escalate.within_hours:g} h: {', '.join(r.responder for r in s.escalate.respond)})"
        if s.threshold:
            events += f" (≥{s.threshold.count} in {s.threshold.within_minutes:g} min)"
        lines.append(f"| `{s.id}` | {s.severity.value} | {', '.join(s.mitre)} | {', '.join(s.baseline)} | {events} | {resp} |")
    lines += ["", "| responder | remediation action (changes AWS) | IAM permissions | what it does |", "|---|---|---|---|"]
    for name, r in RESPONDERS.items():
        acts = ", ".join(f"`{a}`" for a in r.actions) or "- (changes nothing)"
        lines.append(f"| `{name}` | {acts} | {', '.join(r.permissions) or '-'} | {r.description} |")
    return "\n".join(lines)


def render(ds: DetectionSet | None = None) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text.replace(MARK, detections_table(ds or load_detections()))


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
