"""SARIF 2.1.0 from other scanners (Trivy, Checkov, Semgrep, CodeQL, ...).

Severity: the ``security-severity`` property (result, then rule; GitHub's convention:
9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low), else the level (error high, warning
medium, note low, none informational). Ids: the tool, the rule and the result's
fingerprints when it has them, else the file and the message (never the line number,
which moves with every edit above it). Root cause for digests: the tool and the file or
image, so a lockfile with 300 CVEs is one entry. ``kind: pass`` or ``baselineState:
absent`` resolves.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from mamori.hub.importers.base import IMPORTERS, Ctx, Imported, severity_from_score, stable_id
from mamori.model.finding import Finding, FindingMeta, FindingStatus, Severity

LEVELS = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
    "none": Severity.INFORMATIONAL,
}


def _score(props: Any) -> float | None:
    if isinstance(props, Mapping) and props.get("security-severity") not in (None, ""):
        try:
            score = float(props["security-severity"])
        except (TypeError, ValueError, OverflowError):
            return None
        return score if math.isfinite(score) else None
    return None


DECISIONS = ("defer", "scheduled", "out-of-cycle", "immediate")
_FACTOR_KEYS = ("factor", "value", "source", "date", "default", "note")


def risk_of(props: Any) -> dict[str, Any] | None:
    """A risk decision in a result's properties (``mamori gate deps -o sarif``), bounded; else None."""
    risk = props.get("risk") if isinstance(props, Mapping) else None
    if not isinstance(risk, Mapping) or risk.get("decision") not in DECISIONS:
        return None
    factors = []
    raw = risk.get("factors")
    for f in (raw if isinstance(raw, list) else [])[:12]:
        if isinstance(f, Mapping) and isinstance(f.get("factor"), str):
            factors.append({k: (f[k] if isinstance(f.get(k), bool) else str(f[k])[:300])
                            for k in _FACTOR_KEYS if f.get(k) is not None})  # fmt: skip
    return {"decision": risk["decision"], "factors": factors}


class SarifImporter:
    name = "sarif"
    title = "SARIF 2.1.0 (Trivy, Checkov, Semgrep, ...)"

    def detect(self, doc: Any) -> bool:
        return (
            isinstance(doc, Mapping)
            and isinstance(doc.get("runs"), list)
            and str(doc.get("version", "")).startswith("2.1")
        )

    def parse(self, doc: Any, ctx: Ctx) -> Iterator[Imported]:
        if not isinstance(doc, Mapping) or not isinstance(doc.get("runs"), list):
            raise ctx.error("runs", "expected a SARIF log with a `runs` list")
        if str(doc.get("version", "")) != "2.1.0":
            raise ctx.error("version", f"expected SARIF version 2.1.0, got {doc.get('version')!r}")
        for r, run in enumerate(doc["runs"]):
            yield from self.run(run, ctx, f"runs[{r}]")

    def run(self, run: Any, ctx: Ctx, where: str) -> Iterator[Imported]:
        driver = ctx.need(ctx.need(run, "tool", where, Mapping), "driver", f"{where}.tool", Mapping)
        tool = ctx.need(driver, "name", f"{where}.tool.driver")
        rules: dict[str, Mapping[str, Any]] = {}
        for rule in ctx.seq(driver, "rules", f"{where}.tool.driver"):
            if isinstance(rule, Mapping) and isinstance(rule.get("id"), str) and rule["id"]:
                rules[rule["id"]] = rule
        invocations = ctx.seq(run, "invocations", where)
        inv0 = invocations[0] if invocations and isinstance(invocations[0], Mapping) else {}
        when = ctx.time(inv0.get("endTimeUtc"), f"{where}.invocations[0].endTimeUtc", ctx.now)
        occurrences: Counter[str] = Counter()
        for i, res in enumerate(ctx.seq(run, "results", where)):
            w = f"{where}.results[{i}]"
            if not isinstance(res, Mapping):
                raise ctx.error(w, "expected an object")
            rule_id = ctx.opt(res, "ruleId", w) or ctx.opt(ctx.obj(res, "rule", w), "id", f"{w}.rule")
            if not rule_id:
                raise ctx.error(f"{w}.ruleId", "missing required field 'ruleId'")
            message = ctx.need(ctx.need(res, "message", w, Mapping), "text", f"{w}.message")
            kind = res.get("kind", "fail")
            if kind not in ("fail", "pass"):
                ctx.skipped += 1
                continue
            rule = rules.get(rule_id, {})
            score = _score(res.get("properties")) or _score(rule.get("properties"))
            default = rule.get("defaultConfiguration")
            level = ctx.opt(res, "level", w) or (default.get("level") if isinstance(default, Mapping) else None) or "warning"
            severity = (
                severity_from_score(score) if score is not None else LEVELS.get(str(level), Severity.MEDIUM)
            )
            locations = ctx.seq(res, "locations", w)
            loc0 = locations[0] if locations else {}
            if not isinstance(loc0, Mapping):
                raise ctx.error(f"{w}.locations[0]", f"expected an object, got {type(loc0).__name__}")
            loc = ctx.obj(loc0, "physicalLocation", f"{w}.locations[0]")
            lw = f"{w}.locations[0].physicalLocation"
            uri = str(ctx.opt(ctx.obj(loc, "artifactLocation", lw), "uri", f"{lw}.artifactLocation") or "")
            line = ctx.opt(ctx.obj(loc, "region", lw), "startLine", f"{lw}.region", int)
            prints = {**ctx.obj(res, "fingerprints", w), **ctx.obj(res, "partialFingerprints", w)}
            if prints:
                key = stable_id("sarif", tool, rule_id, *(f"{k}={v}" for k, v in sorted(prints.items())))
            else:
                base = stable_id("sarif", tool, rule_id, uri, message)
                occurrences[base] += 1
                key = stable_id(base, str(occurrences[base])) if occurrences[base] > 1 else base
            resolved = kind == "pass" or res.get("baselineState") == "absent"
            short = rule.get("shortDescription")
            title = (short.get("text") if isinstance(short, Mapping) else None) or (message.splitlines() or [message])[0]
            evidence = {
                "tool": tool, "message": message[:2000], "uri": uri, "line": line, "level": level,
                "security_severity": score, "help_uri": rule.get("helpUri"), "family": f"sarif:{tool}",
                "suppressed_in_source": bool(res.get("suppressions")),
            }  # fmt: skip
            risk = risk_of(res.get("properties"))
            if risk is not None:
                evidence["risk"] = risk
            finding = Finding(
                id=key, rule_id=rule_id, title=str(title)[:500], severity=severity,
                status=FindingStatus.RESOLVED if resolved else FindingStatus.NEW, resource_type="code.artifact",
                resource_id=uri or tool, resource_arn="", account="", region="", evidence=evidence,
                first_seen=when, last_seen=when, resolved_at=when if resolved else None, source=f"sarif:{tool}"[:40],
            )  # fmt: skip
            yield Imported(finding, FindingMeta({}, f"{tool}:{uri}"))


IMPORTERS.add("sarif", SarifImporter())
