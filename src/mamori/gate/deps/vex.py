"""VEX: what a supplier or security has said about a vulnerability in a product.

Read: OpenVEX (v0.0.1 and v0.2.0) and CycloneDX VEX (a CycloneDX JSON document whose
``vulnerabilities[]`` carry an ``analysis``). Each statement names a vulnerability (an id
or alias), the products it covers (purls; without a version it covers every version), a
status and, for ``not_affected``, a justification. In the gate:

* ``not_affected`` with a justification -> PASS (rule ``vex``), with the justification and
  the statement's author; without a justification the statement is ignored, with a notice
  (OpenVEX requires one, and a bare "not affected" must not silence an advisory);
* ``fixed`` -> PASS (rule ``vex``): the product says the fix is in;
* ``affected`` / ``under_investigation`` -> the policy decides as usual; the status is shown.

CycloneDX states map as: ``not_affected``/``false_positive`` -> not_affected,
``resolved``/``resolved_with_pedigree`` -> fixed, ``exploitable`` -> affected,
``in_triage`` -> under_investigation.

Written: ``-o openvex`` -- one OpenVEX v0.2.0 statement per (package, vulnerability) with
the gate's decision: a VEX statement it honoured, an accepted-risk exception, or
``affected`` with the action (upgrade, deadline). Bounded: the JSON reader's size and depth
limits, at most ``MAX_STATEMENTS``; a malformed statement is an error naming the file and
the statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packageurl import PackageURL

from mamori.errors import InputError
from mamori.safeload import load_json

MAX_STATEMENTS = 100_000
STATUSES = ("not_affected", "affected", "fixed", "under_investigation")
JUSTIFICATIONS = (
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
)
_CDX_STATE = {
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "exploitable": "affected",
    "in_triage": "under_investigation",
}
_CDX_JUSTIFICATION = {  # CycloneDX analysis.justification -> OpenVEX justification
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_dependency": "component_not_present",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_at_runtime": "inline_mitigations_already_exist",
    "protected_at_perimeter": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}


class VexError(InputError):
    """A VEX document that cannot be read (file and statement named)."""


@dataclass(frozen=True)
class VexStatement:
    vulnerability: str  # an id or alias, upper-cased
    products: tuple[str, ...]  # purls as written
    status: str  # not_affected, affected, fixed, under_investigation
    justification: str = ""
    detail: str = ""  # impact_statement / analysis.detail
    author: str = ""
    source: str = ""  # file and statement index

    @property
    def suppresses(self) -> bool:
        return (self.status == "not_affected" and bool(self.justification)) or self.status == "fixed"

    def describe(self) -> str:
        what = {"not_affected": "not affected", "fixed": "fixed", "affected": "affected",
                "under_investigation": "under investigation"}[self.status]  # fmt: skip
        why = f" ({self.justification})" if self.justification else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"VEX {what}{why} per {self.author or 'an unnamed author'} [{self.source}]{detail}"


def _purl_key(text: str) -> tuple[str, str, str, str | None] | None:
    try:
        p = PackageURL.from_string(text)
    except ValueError:
        return None
    name = p.name.lower() if p.type in ("pypi", "npm", "nuget", "composer", "gem") else p.name
    if p.type == "pypi":
        name = name.replace("_", "-").replace(".", "-")
    return (p.type, (p.namespace or "").lower() if p.type != "golang" else p.namespace or "", name, p.version)


@dataclass(frozen=True)
class VexIndex:
    statements: tuple[VexStatement, ...] = ()

    def find(self, ids: Iterable[str], purl: str) -> VexStatement | None:
        """The statement about one of ``ids`` covering the product ``purl`` (suppressing ones first)."""
        want = {i.upper() for i in ids}
        key = _purl_key(purl)
        if key is None:
            return None
        hits = []
        for s in self.statements:
            if s.vulnerability not in want:
                continue
            for prod in s.products:
                pk = _purl_key(prod)
                if pk is not None and pk[:3] == key[:3] and (pk[3] is None or pk[3] == key[3]):
                    hits.append(s)
                    break
        if not hits:
            return None
        return next((s for s in hits if s.suppresses), hits[0])


def _str(value: Any, src: str, where: str, what: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise VexError(f"{what} must be a non-empty string", source=src, where=where)
    return value.strip()


def _openvex(doc: dict[str, Any], src: str) -> list[VexStatement]:
    author = str(doc["author"]) if isinstance(doc.get("author"), str) else ""
    stmts = doc.get("statements")
    if not isinstance(stmts, list):
        raise VexError("an OpenVEX document needs a 'statements' list", source=src)
    if len(stmts) > MAX_STATEMENTS:
        raise VexError(f"more than {MAX_STATEMENTS:,} statements", source=src)
    out = []
    for i, s in enumerate(stmts):
        where = f"statements[{i}]"
        if not isinstance(s, dict):
            raise VexError("a statement must be an object", source=src, where=where)
        vuln = s.get("vulnerability")
        name = vuln.get("name") if isinstance(vuln, dict) else vuln
        name = _str(name, src, f"{where}.vulnerability", "the vulnerability")
        aliases: list[Any] = []
        if isinstance(vuln, dict) and isinstance(vuln.get("aliases"), list):
            aliases = vuln["aliases"]
        products_raw = s.get("products")
        if not isinstance(products_raw, list) or not products_raw:
            raise VexError("'products' must be a non-empty list", source=src, where=f"{where}.products")
        products = []
        for j, p in enumerate(products_raw):
            pid = p.get("@id") if isinstance(p, dict) else p
            products.append(_str(pid, src, f"{where}.products[{j}]", "a product"))
        status = _str(s.get("status"), src, f"{where}.status", "the status")
        if status not in STATUSES:
            raise VexError(f"unknown status {status!r} ({', '.join(STATUSES)})", source=src, where=f"{where}.status")
        just = _str(s.get("justification"), src, f"{where}.justification", "the justification", required=False)
        if just and just not in JUSTIFICATIONS:
            raise VexError(f"unknown justification {just!r}", source=src, where=f"{where}.justification")
        detail = _str(s.get("impact_statement") or s.get("status_notes"), src, f"{where}.impact_statement",
                      "the impact statement", required=False)  # fmt: skip
        who = str(s["author"]) if isinstance(s.get("author"), str) else author
        for vid in (name, *(a for a in aliases if isinstance(a, str))):
            out.append(VexStatement(vid.upper(), tuple(products), status, just, detail[:500], who,
                                    f"{Path(src).name} {where}"))  # fmt: skip
    return out


def _cyclonedx(doc: dict[str, Any], src: str) -> list[VexStatement]:
    meta: dict[str, Any] = doc["metadata"] if isinstance(doc.get("metadata"), dict) else {}
    authors: list[Any] = meta["authors"] if isinstance(meta.get("authors"), list) else []
    author = ", ".join(str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name"))
    refs: dict[str, str] = {}
    for c in doc.get("components") or []:
        if isinstance(c, dict) and isinstance(c.get("bom-ref"), str) and isinstance(c.get("purl"), str):
            refs[c["bom-ref"]] = c["purl"]
    vulns = doc.get("vulnerabilities")
    if not isinstance(vulns, list):
        raise VexError("a CycloneDX VEX document needs a 'vulnerabilities' list", source=src)
    if len(vulns) > MAX_STATEMENTS:
        raise VexError(f"more than {MAX_STATEMENTS:,} vulnerabilities", source=src)
    out = []
    for i, v in enumerate(vulns):
        where = f"vulnerabilities[{i}]"
        if not isinstance(v, dict):
            raise VexError("a vulnerability must be an object", source=src, where=where)
        vid = _str(v.get("id"), src, f"{where}.id", "the id")
        analysis = v.get("analysis")
        if not isinstance(analysis, dict):
            continue  # a plain vulnerability list (an SBOM scan), not a VEX statement
        state = _str(analysis.get("state"), src, f"{where}.analysis.state", "the state")
        if state not in _CDX_STATE:
            raise VexError(f"unknown analysis state {state!r}", source=src, where=f"{where}.analysis.state")
        just = _str(analysis.get("justification"), src, f"{where}.analysis.justification", "the justification",
                    required=False)  # fmt: skip
        if just and just not in _CDX_JUSTIFICATION:
            raise VexError(f"unknown justification {just!r}", source=src, where=f"{where}.analysis.justification")
        if state == "false_positive" and not just:
            just = "vulnerable_code_not_present"
        products = []
        for j, a in enumerate(v.get("affects") or []):
            ref = a.get("ref") if isinstance(a, dict) else None
            ref = _str(ref, src, f"{where}.affects[{j}].ref", "the ref")
            products.append(refs.get(ref, ref))
        if not products:
            raise VexError("'affects' must name at least one product", source=src, where=f"{where}.affects")
        detail = _str(analysis.get("detail"), src, f"{where}.analysis.detail", "the detail", required=False)
        out.append(VexStatement(vid.upper(), tuple(products), _CDX_STATE[state], _CDX_JUSTIFICATION.get(just, ""),
                                detail[:500], author, f"{Path(src).name} {where}"))  # fmt: skip
    return out


def parse_vex(data: bytes | str, source: str) -> list[VexStatement]:
    """Statements of an OpenVEX or CycloneDX VEX document."""
    doc = load_json(data, source=source, error=VexError)
    if not isinstance(doc, dict):
        raise VexError("a VEX document must be a JSON object", source=source)
    ctx = doc.get("@context")
    if isinstance(ctx, str) and "openvex" in ctx:
        return _openvex(doc, source)
    if doc.get("bomFormat") == "CycloneDX":
        return _cyclonedx(doc, source)
    raise VexError("neither OpenVEX (@context openvex) nor CycloneDX (bomFormat)", source=source)


def load_vex(paths: Sequence[Path]) -> VexIndex:
    statements: list[VexStatement] = []
    for p in paths:
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise VexError(f"cannot read the VEX document: {exc.strerror}", source=str(p)) from None
        statements += parse_vex(data, str(p))
    return VexIndex(tuple(statements))
