"""Digests: findings grouped by root cause, so one old AMI with 1,200 CVEs is one entry, not 1,200.

Groups are ordered, and a message's lines headed, by the SSVC decision of their findings
(``evidence.risk.decision``, set by ``mamori gate deps``: immediate, out-of-cycle,
scheduled, defer; findings without one last), then by severity.

Grouping key = (family, root):

* family — the rule family: ``evidence.family`` set by the importer
  (``inspector:PACKAGE_VULNERABILITY``, ``guardduty:<type>``, ``sarif:<tool>``,
  ``asff:<product>:<generator>``, ``prowler:<check>``), else the rule id (mamori's rules);
* root — the stored root cause: for Inspector the AMI id of the instance or
  ``repository@digest`` of the container image (else the resource), for Security Hub
  vulnerabilities the same from the ASFF resource details, for SARIF ``<tool>:<file or
  image>``; else the resource (``account/region/resource id``).

A digest message carries up to ``per_message`` groups, worst first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mamori.hub.view import HubFinding
from mamori.model.finding import Severity
from mamori.notify.base import Notification


@dataclass(frozen=True, slots=True)
class Group:
    family: str
    root: str
    severity: Severity
    count: int
    by_severity: dict[str, int]
    accounts: tuple[str, ...]
    resources: int
    owner: str
    examples: tuple[str, ...]
    finding_ids: tuple[str, ...]
    decision: str | None = None  # the most urgent SSVC decision of its findings (evidence.risk), if any

    @property
    def key(self) -> str:
        return f"{self.family}|{self.root}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, "root": self.root, "severity": self.severity.value, "count": self.count,
            "by_severity": self.by_severity, "accounts": list(self.accounts), "resources": self.resources,
            "owner": self.owner, "examples": list(self.examples), "finding_ids": list(self.finding_ids),
            "decision": self.decision,
        }  # fmt: skip

    def line(self) -> str:
        s = "s" if self.count != 1 else ""
        sev = ", ".join(f"{n} {k}" for k, n in self.by_severity.items())
        text = f"[{self.decision}] " if self.decision else ""
        text += f"[{self.severity.value}] {self.root}: {self.count:,} finding{s} ({self.family}; {sev}) on {self.resources:,} resource(s)"
        text += f", accounts {', '.join(self.accounts[:5]) or '-'}, owner {self.owner}"
        return text + (f"; e.g. {', '.join(self.examples[:5])}" if self.examples else "")


DECISION_RANK = {"immediate": 4, "out-of-cycle": 3, "scheduled": 2, "defer": 1}


def decision_of(h: HubFinding) -> str | None:
    risk = h.finding.evidence.get("risk")
    d = risk.get("decision") if isinstance(risk, dict) else None
    return d if d in DECISION_RANK else None


def group_key(h: HubFinding) -> tuple[str, str]:
    f = h.finding
    family = str(f.evidence.get("family") or f.rule_id)
    root = h.root_cause or f.resource_arn or "/".join(x for x in (f.account, f.region, f.resource_id) if x)
    return family, root


def build_groups(findings: Iterable[HubFinding]) -> list[Group]:
    buckets: dict[tuple[str, str], list[HubFinding]] = {}
    for h in findings:
        buckets.setdefault(group_key(h), []).append(h)
    groups = []
    order = [s for s in Severity]
    for (family, root), items in buckets.items():
        counts: dict[str, int] = {}
        accounts: set[str] = set()
        resources: set[str] = set()
        owners: dict[str, int] = {}
        worst = Severity.INFORMATIONAL
        decision: str | None = None
        for h in items:
            d = decision_of(h)
            if d is not None and (decision is None or DECISION_RANK[d] > DECISION_RANK[decision]):
                decision = d
            f = h.finding
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
            if f.account:
                accounts.add(f.account)
            resources.add(f.resource_id)
            owners[h.owner] = owners.get(h.owner, 0) + 1
            if f.severity.rank > worst.rank:
                worst = f.severity
        items.sort(key=lambda h: (-h.finding.severity.rank, h.finding.rule_id))
        examples: list[str] = []
        for h in items:
            if h.finding.rule_id not in examples:
                examples.append(h.finding.rule_id)
            if len(examples) == 5:
                break
        groups.append(
            Group(
                family=family, root=root, severity=worst, count=len(items),
                by_severity={s.value: counts[s.value] for s in order if s.value in counts},
                accounts=tuple(sorted(accounts)), resources=len(resources), owner=max(owners, key=lambda o: owners[o]),
                examples=tuple(examples), finding_ids=tuple(h.finding.id for h in items), decision=decision,
            )
        )  # fmt: skip
    # the SSVC decision first (immediate before out-of-cycle ...; none last), then severity
    groups.sort(key=lambda g: (-DECISION_RANK.get(g.decision or "", 0), -g.severity.rank, -g.count, g.key))
    return groups


def _body(part: list[Group]) -> str:
    """The groups' lines; under a heading per SSVC decision when any group has one."""
    if not any(g.decision for g in part):
        return "\n".join(g.line() for g in part)
    lines: list[str] = []
    current: str | None = "-"
    for g in part:  # already ordered by decision
        if g.decision != current:
            current = g.decision
            lines.append(f"== {current or 'no risk decision'} ==")
        lines.append(g.line())
    return "\n".join(lines)


def digests(groups: list[Group], *, per_message: int = 20) -> list[Notification]:
    """Notifications carrying up to ``per_message`` groups each; ``about`` lists every finding id."""
    out = []
    for i in range(0, len(groups), per_message):
        part = groups[i : i + per_message]
        total = sum(g.count for g in part)
        worst = part[0].severity
        if len(part) == 1:
            g = part[0]
            subject = f"[{worst.value.upper()}] {g.root}: {g.count:,} finding{'s' if g.count != 1 else ''} ({g.family})"
        else:
            subject = f"[{worst.value.upper()}] {total:,} findings in {len(part)} groups (worst: {part[0].root})"
        ids = tuple(fid for g in part for fid in g.finding_ids)
        key = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:24]
        out.append(
            Notification(
                subject=subject, body=_body(part), severity=worst, kind="digest", dedup_key=key,
                about=ids, data={"groups": [{**g.to_dict(), "finding_ids": list(g.finding_ids[:50])} for g in part]},
            )
        )  # fmt: skip
    return out
