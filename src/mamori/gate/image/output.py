"""Output formats of ``mamori gate image``: table, json, sarif, cyclonedx.

JSON (``mamori.gate.image/v1``): the image (digests, tags, platform), ``os``, ``layers``,
``packages`` [{ecosystem, name, version, layer, layer_digest, path, purl, verdict, ...,
vulnerabilities}], ``secrets`` (redacted), notices, errors. SARIF reuses the dependency
gate's results (located at the package's layer and file) and adds one result per secret.
CycloneDX 1.6: one component per installed package (purl with the distro qualifier; layer
and file as properties), the vulnerabilities with ``affects`` pointing at them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from packageurl import PackageURL

from mamori import __version__
from mamori.gate.deps.model import Ecosystem, Rule, Verdict, VulnDecision
from mamori.gate.deps.output.cyclonedx import ratings
from mamori.gate.deps.output.interface import advisory_source, vuln_dict
from mamori.gate.deps.output.sarif import to_sarif
from mamori.gate.deps.output.table import _wrap, risk_line, verdict_label
from mamori.gate.image.model import ImagePackage, ImageReport, ImageSecret, PackageResult

SCHEMA = "mamori.gate.image/v1"
FORMATS = ("table", "json", "sarif", "cyclonedx")
_NS = uuid.UUID("4b8e3f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
_DISTRO_NS = {Ecosystem.DEBIAN: "debian", Ecosystem.UBUNTU: "ubuntu", Ecosystem.ALPINE: "alpine",
              Ecosystem.REDHAT: "redhat", Ecosystem.ROCKY: "rocky", Ecosystem.ALMA: "almalinux"}  # fmt: skip


def image_purl(p: ImagePackage, report: ImageReport) -> str:
    eco, name = p.ecosystem, p.name
    namespace: str | None = None
    qualifiers: dict[str, str] = {}
    if eco in _DISTRO_NS:
        namespace = _DISTRO_NS[eco]
        if p.arch:
            qualifiers["arch"] = p.arch
        if report.os is not None:
            qualifiers["distro"] = f"{report.os.id}-{report.os.version_id}"
        if p.source_name and p.source_name != p.name:
            qualifiers["upstream" if eco is Ecosystem.ALPINE else "source"] = p.source_name
    elif eco is Ecosystem.MAVEN and ":" in name:
        namespace, name = name.split(":", 1)
    elif eco is Ecosystem.NPM and "/" in name:
        namespace, name = name.rsplit("/", 1)
    elif eco is Ecosystem.PYPI:
        name = name.lower().replace("_", "-")
    return str(PackageURL(type=eco.purl_type, namespace=namespace, name=name, version=p.version,
                          qualifiers=qualifiers or None).to_string())  # fmt: skip


def _layer_digest(report: ImageReport, index: int) -> str | None:
    return report.layers[index].digest if 0 <= index < len(report.layers) else None


def package_dict(r: PackageResult, report: ImageReport) -> dict[str, Any]:
    p, d = r.package, r.decision
    out: dict[str, Any] = {
        "ecosystem": p.osv_ecosystem,
        "name": p.name,
        "version": p.version,
        "layer": p.layer,
        "layer_digest": _layer_digest(report, p.layer),
        "path": p.path,
        "purl": image_purl(p, report),
        "type": "os" if p.os_package else "language",
    }
    if p.os_package:
        out.update({"source_package": p.source_name, "source_version": p.source_version, "arch": p.arch})
    out.update({"verdict": d.verdict.value, "rule": d.rule.value, "reason": d.reason,
                "deadline": d.deadline.isoformat() if d.deadline else None, "upgrade_to": d.upgrade_to,
                "vulnerabilities": [vuln_dict(v) for v in d.vulns]})  # fmt: skip
    return out


def secret_dict(s: ImageSecret) -> dict[str, Any]:
    return {"detector": s.detector, "title": s.title, "severity": s.severity.value, "layer": s.layer,
            "layer_digest": s.layer_digest, "path": s.path, "line": s.line, "column": s.column,
            "fingerprint": s.fingerprint, "secret": s.redacted, "removed_in_layer": s.removed_in_layer,
            "in_final_filesystem": s.in_final_filesystem}  # fmt: skip


def to_json(report: ImageReport) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "mamori", "version": __version__},
        "image": {"source": report.source, "format": report.format, "digest": report.digest,
                  "config_digest": report.config_digest, "tags": list(report.tags), "platform": report.platform},
        "os": {**report.os.to_dict(), "osv_ecosystem": report.osv_ecosystem} if report.os else None,
        "generated_at": report.deps.generated_at.isoformat(),
        "data_source": report.deps.data_source,
        "policy": report.deps.policy_source,
        "blocked": report.blocked,
        "exit_code": report.exit_code,
        "summary": report.counts(),
        "layers": [{"index": la.index, "digest": la.digest, "created_by": la.created_by} for la in report.layers],
        "packages": [package_dict(r, report) for r in report.packages],
        "secrets": [secret_dict(s) for s in report.secrets],
        "suppressed_secrets": [{**secret_dict(s), "suppressed_by": by, "reason": why}
                               for s, by, why in report.suppressed_secrets],
        "runs_on": report.runs_on,
        "history": {"project": report.deps.project, "run_id": report.run_id},
        "files": list(report.deps.files),
        "notices": list(report.notices),
        "errors": list(report.errors),
        "stats": report.stats,
    }  # fmt: skip


def _secret_line(s: ImageSecret) -> str:
    where = f"layer {s.layer} ({s.layer_digest[:19]}) {s.path}:{s.line}"
    gone = (f" - deleted or replaced in layer {s.removed_in_layer}, still in the image's layer {s.layer}"
            if s.removed_in_layer is not None else "")  # fmt: skip
    return f"{'SECRET'.ljust(17)} {s.title} {s.redacted} in {where}{gone}"


def to_table(report: ImageReport, width: int = 100, all_packages: bool = False) -> str:
    name = report.tags[0] if report.tags else report.source
    out = [f"mamori gate image: {name} ({report.format}, {len(report.layers)} layers)"]
    out += _wrap(f"digest: {report.digest}", width, "", "  ")
    os_line = (f"os: {report.os.pretty_name or report.os.id} -> {report.osv_ecosystem or 'no OSV ecosystem'}"
               if report.os else "os: unknown (no os-release)")  # fmt: skip
    out += _wrap(os_line, width, "", "  ")
    out += _wrap(f"advisories: {report.deps.data_source}", width, "", "  ")
    out += _wrap(f"policy: {report.deps.policy_source or 'built-in defaults'}", width, "", "  ")
    if report.runs_on:
        w = report.runs_on
        where = (f"runs on: unknown ({w['source']}): exposure open assumed" if w.get("default")
                 else f"runs on: exposure {w['exposure']} from {w['source']}: {w['note']}")  # fmt: skip
        out += _wrap(where, width, "", "  ")
    out.append("")
    pad = " " * 18
    clean = 0
    for r in report.packages:
        p, d = r.package, r.decision
        if d.verdict is Verdict.PASS and not d.vulns and not all_packages:
            clean += 1
            continue
        head = f"{verdict_label(d.verdict, d.deadline).ljust(17)} {p.osv_ecosystem} {p.name} {p.version}"
        if p.source_name and p.source_name != p.name:
            head += f" (source {p.source_name})"
        if d.vulns:
            head += f" -> upgrade to {d.upgrade_to}" if d.upgrade_to else " -> no fixed version known"
        out += _wrap(head, width, "", pad)
        out += _wrap(f"in layer {p.layer}: {p.path}", width, pad, pad + "   ")
        for v in d.vulns:
            out += _wrap(_vuln_line(v), width, pad, pad + "  ")
            risk = risk_line(v.vulnerability)
            if risk:
                out += _wrap(risk, width, pad + "  ", pad + "    ")
    if clean:
        out.append(f"{'PASS'.ljust(18)}{clean} package(s) with no known vulnerabilities")
    for s in report.secrets:
        out += _wrap(_secret_line(s), width, "", pad)
    if report.suppressed_secrets:
        by: dict[str, int] = {}
        for _, how, _ in report.suppressed_secrets:
            by[how] = by.get(how, 0) + 1
        out.append(f"{'SUPPRESSED'.ljust(18)}{len(report.suppressed_secrets)} secret(s) ("
                   + ", ".join(f"{n} by {k}" for k, n in sorted(by.items())) + ")")
    if report.notices:
        out += ["", "notices:"] + [ln for n in report.notices for ln in _wrap(n, width, "  ", "    ")]
    if report.errors:
        out += ["", "errors (not audited):"] + [
            ln for e in report.errors for ln in _wrap(e, width, "  ", "    ")
        ]
    c = report.counts()
    status = "INCOMPLETE" if report.errors else "BLOCKED" if report.blocked else "OK"
    out += ["", *_wrap(f"{c['packages']} package(s): {c['BLOCK']} BLOCK, {c['FIX_BY']} FIX BY, {c['PASS']} PASS; "
                       f"{c['vulnerabilities']} vulnerabilities; {c['secrets']} secret(s) -> {status} "
                       f"(exit {report.exit_code})", width, "", "  ")]  # fmt: skip
    return "\n".join(out) + "\n"


def _vuln_line(d: VulnDecision) -> str:
    v = d.vulnerability
    ids = v.id + (f" ({', '.join(v.aliases)})" if v.aliases else "")
    sev = v.severity.value if v.severity else "unknown severity"
    score = f" {v.score:.1f}" if v.score is not None else ""
    label = "" if d.verdict is Verdict.FIX_BY else f"{d.verdict.value}: "
    return f"{ids} {sev}{score}: {label}{d.reason}"


def to_image_sarif(report: ImageReport) -> dict[str, Any]:
    doc = to_sarif(report.deps)
    run = doc["runs"][0]
    rules = run["tool"]["driver"].setdefault("rules", [])
    seen = set()
    for s in report.secrets:
        rid = f"mamori/image/secret/{s.detector}"
        if rid not in seen:
            seen.add(rid)
            rules.append({"id": rid, "name": s.detector, "shortDescription": {"text": f"{s.title} in an image layer"},
                          "properties": {"tags": ["security", "secret", "image"]}})  # fmt: skip
        gone = (
            f"; deleted in layer {s.removed_in_layer} but still in layer {s.layer}"
            if s.removed_in_layer
            else ""
        )
        run["results"].append({
            "ruleId": rid, "level": "error",
            "message": {"text": f"{s.title} {s.redacted} in layer {s.layer} ({s.layer_digest}){gone}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": s.path},
                                                "region": {"startLine": s.line, "startColumn": s.column}}}],
            "partialFingerprints": {"mamoriImageSecret/v1": s.fingerprint},
            "properties": {"layer": s.layer, "layerDigest": s.layer_digest},
        })  # fmt: skip
    run.setdefault("properties", {})["image"] = {"digest": report.digest, "tags": list(report.tags)}
    return doc


def to_cyclonedx(report: ImageReport) -> dict[str, Any]:
    components: dict[str, dict[str, Any]] = {}
    vulns: dict[str, dict[str, Any]] = {}
    for r in report.packages:
        p, d = r.package, r.decision
        ref = image_purl(p, report)
        if ref not in components:
            comp: dict[str, Any] = {"type": "library", "bom-ref": ref, "name": p.name, "version": p.version,
                                    "purl": ref}  # fmt: skip
            if p.ecosystem is Ecosystem.MAVEN and ":" in p.name:
                comp["group"], comp["name"] = p.name.split(":", 1)
            props = [{"name": "mamori:layer", "value": str(p.layer)},
                     {"name": "mamori:layer_digest", "value": _layer_digest(report, p.layer) or ""},
                     {"name": "mamori:path", "value": p.path}]  # fmt: skip
            if p.source_name and p.source_name != p.name:
                props.append({"name": "mamori:source_package", "value": p.source_name})
            comp["properties"] = props
            components[ref] = comp
        for vd in d.vulns:
            v = vd.vulnerability
            entry = vulns.get(v.id)
            if entry is None:
                name, url = advisory_source(v.id)
                entry = vulns[v.id] = {
                    "bom-ref": f"vuln:{v.id}", "id": v.id, "source": {"name": name, "url": url},
                    "references": [{"id": a, "source": dict(zip(("name", "url"), advisory_source(a), strict=True))}
                                   for a in v.aliases],
                    "ratings": ratings(vd), "description": v.summary,
                    "advisories": [{"url": u} for u in v.references], "affects": [],
                    "properties": [{"name": "mamori:verdict", "value": vd.verdict.value},
                                   {"name": "mamori:rule", "value": vd.rule.value},
                                   {"name": "mamori:reason", "value": vd.reason}],
                }  # fmt: skip
                if d.upgrade_to:
                    entry["recommendation"] = f"Upgrade to {d.upgrade_to}"
                if vd.rule is Rule.EXCEPTION:
                    entry["analysis"] = {
                        "state": "exploitable",
                        "response": ["will_not_fix"],
                        "detail": vd.reason,
                    }
            if not any(a["ref"] == ref for a in entry["affects"]):
                entry["affects"].append(
                    {"ref": ref, "versions": [{"version": p.version, "status": "affected"}]}
                )
    name = report.tags[0] if report.tags else report.source
    serial = uuid.uuid5(_NS, f"{report.digest}|{report.deps.generated_at.isoformat()}")
    main: dict[str, Any] = {"type": "container", "bom-ref": f"image:{report.digest or name}", "name": name}
    if report.digest:
        main["hashes"] = (
            [{"alg": "SHA-256", "content": report.digest.split(":", 1)[1]}]
            if report.digest.startswith("sha256:")
            else []
        )
    bom: dict[str, Any] = {
        "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": f"urn:uuid:{serial}", "version": 1,
        "metadata": {"timestamp": report.deps.generated_at.isoformat(),
                     "tools": {"components": [{"type": "application", "name": "mamori", "version": __version__}]},
                     "component": main},
        "components": list(components.values()),
    }  # fmt: skip
    if report.os is not None:
        bom["components"].append({"type": "operating-system", "bom-ref": f"os:{report.os.id}-{report.os.version_id}",
                                  "name": report.os.id, "version": report.os.version_id})  # fmt: skip
    bom["vulnerabilities"] = list(vulns.values())
    return bom


def render(report: ImageReport, fmt: str, all_packages: bool = False) -> str:
    if fmt == "table":
        import shutil

        return to_table(report, shutil.get_terminal_size((100, 24)).columns, all_packages)
    doc = {"json": to_json, "sarif": to_image_sarif, "cyclonedx": to_cyclonedx}[fmt](report)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
