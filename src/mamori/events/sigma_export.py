"""mamori's detections as Sigma rules (``mamori events export --sigma``).

Each detection becomes a Sigma rule with the AWS CloudTrail logsource: its (eventSource,
eventName) index and prefilter become the selection; its condition (``all`` / ``any`` /
``not`` over ``eq``, ``in``, ``contains``, ``exists``, ``matches``, ``gt``...) becomes named
selections and a condition expression. What Sigma cannot say is not hidden:

* a threshold becomes a Sigma correlation rule (``event_count``, or ``value_count`` for a
  distinct count) over the base rule, in the same file;
* a hook (Python) cannot be exported: the rule keeps the event selection, names the hook
  under ``mamori.hooks`` and says in ``falsepositives`` that it is broader than mamori's;
* a detection that ignores or only records failed calls excludes ``errorCode``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from mamori.events.loader import Detection
from mamori.events.schema import FailedCalls

NAMESPACE = uuid.UUID("6f0b8f3e-6a55-4d7e-9a7c-6d616d6f7269")

_PRINCIPAL_FIELDS = {"principal.arn": "userIdentity.arn", "principal.type": "userIdentity.type", "principal.name": "userIdentity.userName",
                     "principal.accessKeyId": "userIdentity.accessKeyId"}  # fmt: skip


def rule_id(detection_id: str, kind: str = "rule") -> str:
    return str(uuid.uuid5(NAMESPACE, f"mamori:{kind}:{detection_id}"))


def _field(path: str) -> str:
    f = _PRINCIPAL_FIELDS.get(path, path)
    return f.replace("[]", "").replace("[*]", "")


class _Builder:
    def __init__(self) -> None:
        self.selections: dict[str, Any] = {}
        self.hooks: list[str] = []
        self.notes: list[str] = []

    def add(self, item: dict[str, Any]) -> str:
        name = f"selection_{len(self.selections) + 1}"
        self.selections[name] = item
        return name

    def cond(self, c: Any) -> str | None:
        """The Sigma condition expression of a mamori condition (None: nothing Sigma can check)."""
        if not isinstance(c, dict):
            return None
        if "all" in c or "any" in c:
            parts = [p for p in (self.cond(x) for x in c.get("all") or c.get("any") or []) if p]
            if not parts:
                return None
            joined = (" and " if "all" in c else " or ").join(parts)
            return f"({joined})" if len(parts) > 1 else joined
        if "not" in c:
            inner = self.cond(c["not"])
            return f"not {inner}" if inner else None
        if "hook" in c:
            self.hooks.append(str(c["hook"]))
            return None
        path = c.get("path")
        if not isinstance(path, str) or path.startswith("$") or "||" in path:
            self.notes.append(f"condition on {path!r} is not expressible in Sigma")
            return None
        f = _field(path)
        for op, val in c.items():
            if op in ("path", "when_missing"):
                continue
            if isinstance(val, str) and val.startswith("$"):
                self.notes.append(f"{path} {op} a parameter ({val}) is not expressible in Sigma")
                return None
            if op == "eq":
                return self.add({f: val})
            if op == "ne":
                return "not " + self.add({f: val})
            if op == "in":
                return self.add({f: list(val)})
            if op == "not_in":
                return "not " + self.add({f: list(val)})
            if op == "contains":
                return self.add({f"{f}|contains": val} if isinstance(val, str) else {f: val})
            if op == "not_contains":
                return "not " + self.add({f"{f}|contains": val})
            if op == "exists":
                return self.add({f"{f}|exists": bool(val)})
            if op == "matches":
                return self.add({f"{f}|re": val})
            if op in ("gt", "gte", "lt", "lte"):
                return self.add({f"{f}|{op}": val})
            self.notes.append(f"operator {op} on {path} is not expressible in Sigma")
            return None
        return None


def to_sigma(d: Detection) -> list[dict[str, Any]]:
    """The Sigma document(s) of one detection: the rule, then its correlation rule when it has a threshold."""
    spec = d.spec
    b = _Builder()
    base: dict[str, Any] = {}
    sources = sorted({s for s, _ in d.keys if s != "*"})
    names = sorted({n for _, n in d.keys if n != "*"})
    if sources:
        base["eventSource"] = sources if len(sources) > 1 else sources[0]
    if names:
        base["eventName"] = names if len(names) > 1 else names[0]
    for k, vals in spec.prefilter.items():
        base[_field(k)] = list(vals) if len(vals) > 1 else vals[0]
    for k, pattern in getattr(spec, "prefilter_match", {}).items():
        base[f"{_field(k)}|re"] = f"(?i){pattern}"
    parts: list[str] = []
    if base:
        b.selections["selection"] = base
        parts.append("selection")
    if spec.when:
        expr = b.cond(spec.when)
        if expr:
            parts.append(expr)
    if not parts:
        b.selections["selection"] = {"eventSource|exists": True}
        parts.append("selection")
    if spec.failed_calls is not FailedCalls.RESPOND:
        b.selections["filter_failed"] = {"errorCode|exists": True}
        parts.append("not filter_failed")
    fps = []
    if b.hooks:
        fps.append(f"Broader than mamori's detection: its hook(s) {', '.join(b.hooks)} (Python) check more than this selection can.")
    fps += b.notes
    if spec.threshold is not None:
        fps.append("One event is not the detection: the correlation rule in this file counts them.")
    doc: dict[str, Any] = {
        "title": spec.title,
        "id": rule_id(spec.id),
        "name": spec.id,
        "status": "experimental",
        "description": " ".join(spec.rationale.split()),
        "references": list(spec.references) or [f"https://attack.mitre.org/techniques/{spec.mitre[0].replace('.', '/')}/"],
        "author": "mamori (exported from detection " + spec.id + ")",
        "tags": [f"attack.{t.lower()}" for t in spec.mitre],
        "logsource": {"product": "aws", "service": "cloudtrail"},
        "detection": {**b.selections, "condition": " and ".join(parts)},
        "falsepositives": fps or ["Legitimate administrative changes; see the rule's remediation in mamori"],
        "level": spec.severity.value,
    }
    if b.hooks:
        doc["mamori"] = {"hooks": b.hooks}
    out = [doc]
    th = spec.threshold
    if th is not None:
        corr: dict[str, Any] = {
            "type": "value_count" if th.distinct else "event_count",
            "rules": [spec.id],
            "group-by": [_field(x) for x in th.by],
            "timespan": f"{int(th.within_minutes)}m" if float(th.within_minutes).is_integer() else f"{int(th.within_minutes * 60)}s",
            "condition": {"gte": th.count} | ({"field": _field(th.distinct)} if th.distinct else {}),
        }
        out.append({
            "title": f"{spec.title} (threshold)",
            "id": rule_id(spec.id, "correlation"),
            "status": "experimental",
            "correlation": corr,
            "level": spec.severity.value,
        })  # fmt: skip
    return out


def export_all(detections: Iterable[Detection]) -> list[tuple[str, dict[str, Any]]]:
    """(detection id, document) for every detection's Sigma document(s), in id order."""
    return [(d.id, doc) for d in detections for doc in to_sigma(d)]


def write_dir(docs: list[tuple[str, dict[str, Any]]], out: str | Path) -> list[Path]:
    """One ``<detection>.yml`` per detection (a correlation rule follows its base rule in the file)."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    by_id: dict[str, list[dict[str, Any]]] = {}
    for did, doc in docs:
        by_id.setdefault(did, []).append(doc)
    written = []
    for did, ds in by_id.items():
        p = root / f"{re.sub(r'[^a-z0-9_]', '_', did)}.yml"
        p.write_text(yaml.safe_dump_all(ds, sort_keys=False, allow_unicode=True))
        written.append(p)
    return written
