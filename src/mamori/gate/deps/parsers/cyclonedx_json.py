"""CycloneDX JSON SBOMs (any spec version): every component with a package URL.

The general input for anything the other parsers do not read (a Maven or Gradle build's
resolved tree, a container image, another language): ``purl`` gives the ecosystem, the
name and the version. Components without a purl, or of an ecosystem without advisories
here, are counted in a notice.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from packageurl import PackageURL

from mamori.gate.deps.model import PURL_TYPE_TO_ECOSYSTEM, Ecosystem, NoticeKind
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    expect,
    fail,
    load_json,
    register,
)

_NAME = re.compile(r"^(bom|sbom)\.json$|\.(cdx|cyclonedx|sbom|bom)\.json$", re.IGNORECASE)


def purl_package(purl: str) -> tuple[Ecosystem, str, str | None] | None:
    """(ecosystem, name as OSV spells it, version) of a package URL, or None for other types."""
    p = PackageURL.from_string(purl)
    eco = PURL_TYPE_TO_ECOSYSTEM.get(p.type)
    if eco is None:
        return None
    if eco is Ecosystem.MAVEN:
        name = f"{p.namespace}:{p.name}" if p.namespace else p.name
    elif eco in (Ecosystem.NPM, Ecosystem.GO, Ecosystem.PACKAGIST):
        name = f"{p.namespace}/{p.name}" if p.namespace else p.name
    else:
        name = p.name
    return eco, name, p.version


class CycloneDxParser(Parser):
    name = "cyclonedx"
    ecosystem = None

    def matches(self, path: Path) -> bool:
        return bool(_NAME.search(path.name))

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = expect(load_json(text, rel), dict, rel, "$", "the document")
        if doc.get("bomFormat") != "CycloneDX":
            fail("not a CycloneDX SBOM (bomFormat is not 'CycloneDX')", rel, "$.bomFormat")
        col = Collector(Ecosystem.MAVEN, rel)
        no_purl = 0
        other: Counter[str] = Counter()

        def walk(components: Any, where: str) -> None:
            nonlocal no_purl
            for i, comp in enumerate(expect(components, list, rel, where, "components")):
                here = f"{where}[{i}]"
                expect(comp, dict, rel, here, "a component")
                purl = comp.get("purl")
                if not purl:
                    no_purl += 1
                else:
                    try:
                        found = purl_package(str(purl))
                    except ValueError as exc:
                        fail(f"invalid purl {purl!r}: {exc}", rel, here + ".purl")
                    if found is None:
                        other[str(purl).split("/", 1)[0]] += 1
                    else:
                        eco, name, version = found
                        version = version or comp.get("version")
                        if version:
                            col.pinned(name, str(version), None, ecosystem=eco)
                        else:
                            col.unpinned(name, "(no version in the SBOM)", None, ecosystem=eco)
                if comp.get("components"):
                    walk(comp["components"], here + ".components")

        walk(doc.get("components") or [], "$.components")
        if no_purl:
            col.notice(NoticeKind.SKIPPED, f"{no_purl} component(s) without a purl were not audited")
        for kind, n in sorted(other.items()):
            col.notice(
                NoticeKind.UNSUPPORTED, f"{n} component(s) of type {kind} have no advisory ecosystem here"
            )
        return col.result()


register(CycloneDxParser)
